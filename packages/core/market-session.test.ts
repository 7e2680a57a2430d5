import { describe, expect, it } from "vitest";
import { latestClosedSession } from "./market-session.ts";

describe("latestClosedSession", () => {
  it("is today once the New York close has passed, and the day before until then", () => {
    // Wednesday 2026-12-02: 16:00 EST is 21:00 UTC.
    expect(latestClosedSession(Date.parse("2026-12-02T21:00:00Z"))).toBe("2026-12-02");
    expect(latestClosedSession(Date.parse("2026-12-02T20:59:59Z"))).toBe("2026-12-01");
    // In daylight time 16:00 EDT is 20:00 UTC.
    expect(latestClosedSession(Date.parse("2026-07-15T20:00:00Z"))).toBe("2026-07-15");
  });

  it("is the last trading day over a weekend or a holiday, and on a New York evening that is already tomorrow in UTC", () => {
    expect(latestClosedSession(Date.parse("2026-12-05T15:00:00Z"))).toBe("2026-12-04");
    expect(latestClosedSession(Date.parse("2026-11-26T22:00:00Z"))).toBe("2026-11-25");
    expect(latestClosedSession(Date.parse("2026-12-03T03:00:00Z"))).toBe("2026-12-02");
  });
});
