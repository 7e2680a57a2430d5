import { describe, expect, it } from "vitest";
import { QUERY_ACTIONS } from "./query-shapes.ts";
import { ACTIONS } from "./server.ts";

describe("Query shapes", () => {
  it("name the Query members of every action the server answers, and of no other", () => {
    expect(Object.keys(QUERY_ACTIONS).sort()).toStrictEqual(Object.keys(ACTIONS).sort());
  });
});
