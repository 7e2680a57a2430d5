import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { fmp, polygon, type SimClient, simClient } from "./sim-client.ts";

/**
 * The simulator's outage mode over real HTTP: `POST /_sim/outage` makes every request to one
 * provider fail (5xx, or hang) for N seconds; the other providers answer as before; `"seconds":
 * 0` ends it; it ends by itself when its time is up; a bad body is refused naming the problem.
 */

let sim: Simulator;
let client: SimClient;
const AAPL_AGGS = polygon("/v2/aggs/ticker/AAPL/range/1/day/2026-11-01/2026-12-01?adjusted=false");
const AAPL_FMP = fmp("/stable/historical-price-eod/full?symbol=AAPL&from=2026-11-01&to=2026-12-01");

beforeAll(async () => {
  sim = await startMarketSimulator({ asOf: "2026-12-02", seed: 42, config: { timeoutHoldMs: 60_000 } });
  client = simClient(sim.url);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

const outage = (body: unknown) => client.post("/_sim/outage", JSON.stringify(body));

describe("POST /_sim/outage", () => {
  it("fails every request to the provider with a 5xx for its seconds, the others untouched, until ended", async () => {
    expect((await client.get(AAPL_AGGS)).status).toBe(200);
    const started = await outage({ provider: "polygon", mode: "5xx", seconds: 30 });
    expect(started.status).toBe(200);
    expect(started.body.outages).toMatchObject([{ provider: "polygon", mode: "5xx" }]);
    expect(started.body.outages[0].secondsLeft).toBeGreaterThan(29);
    for (let i = 0; i < 3; i++) expect([502, 503]).toContain((await client.get(AAPL_AGGS)).status);
    expect((await client.get(AAPL_FMP)).status).toBe(200);
    expect((await client.getJson("/_sim/outage")).body.outages).toHaveLength(1);
    const log = sim.requests().filter((r) => r.provider === "polygon");
    expect(log.slice(-3).map((r) => (r.status ?? 0) >= 500)).toStrictEqual([true, true, true]);

    expect((await outage({ provider: "polygon", seconds: 0 })).body).toStrictEqual({ outages: [] });
    expect((await client.get(AAPL_AGGS)).status).toBe(200);
  });

  it("ends by itself when its seconds are up", async () => {
    await outage({ provider: "fmp", mode: "5xx", seconds: 0.3 });
    expect([502, 503]).toContain((await client.get(AAPL_FMP)).status);
    await new Promise((r) => setTimeout(r, 400));
    expect((await client.get(AAPL_FMP)).status).toBe(200);
    expect((await client.getJson("/_sim/outage")).body).toStrictEqual({ outages: [] });
  });

  it("hangs: a request is accepted and never answered while the outage lasts", async () => {
    await outage({ provider: "polygon", mode: "hang", seconds: 30 });
    const asked = request(`${sim.url}${AAPL_AGGS}`, { headersTimeout: 500 });
    await expect(asked).rejects.toThrow(/timeout/i);
    expect(sim.requests().at(-1)).toMatchObject({ provider: "polygon", outcome: "fault:timeout" });
    await outage({ provider: "polygon", seconds: 0 });
    expect((await client.get(AAPL_AGGS)).status).toBe(200);
  });

  it("refuses a bad body naming each problem", async () => {
    const bad = await outage({ provider: "nasdaq", mode: "slow", seconds: -1, extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^invalid outage/);
    const problems = bad.body.problems.join(" ");
    for (const word of ["extra", "provider", "mode", "seconds"]) expect(problems).toContain(word);
    expect((await client.post("/_sim/outage", "not json")).status).toBe(400);
  });
});
