import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { polygon, type SimClient, simClient } from "./sim-client.ts";

/**
 * A provider's coverage: `unknownSymbols` in its configuration makes those symbols unknown to
 * it alone — per ticker, as it answers any unknown symbol, and missing from its whole-market
 * answers — while the other providers serve them as before (how a fallback chain is shown).
 */

let sim: Simulator;
let client: SimClient;

beforeAll(async () => {
  sim = await startMarketSimulator({ asOf: "2026-12-02", seed: 42 });
  client = simClient(sim.url);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

describe("a provider's unknownSymbols", () => {
  it("makes a symbol unknown to that provider only, per ticker and in its grouped day", async () => {
    const aggs = polygon("/v2/aggs/ticker/MSFT/range/1/day/2026-11-01/2026-12-01?adjusted=false");
    const grouped = polygon("/v2/aggs/grouped/locale/us/market/stocks/2026-12-01?adjusted=false");
    const chart = "/yahoo/v8/finance/chart/MSFT?period1=1764547200&period2=1764720000&interval=1d";
    const before = (await client.getJson(aggs)).body;
    expect(before.resultsCount).toBeGreaterThan(0);
    const symbolsOf = async () =>
      new Set(((await client.getJson(grouped)).body.results as { T: string }[]).map((r) => r.T));
    expect((await symbolsOf()).has("MSFT")).toBe(true);

    const configured = await client.post(
      "/_sim/config",
      JSON.stringify({ polygon: { unknownSymbols: ["MSFT"] } }),
    );
    expect(configured.status).toBe(200);
    const after = await client.getJson(aggs);
    expect(after.status).toBe(200);
    expect(after.body.resultsCount ?? 0).toBe(0);
    const day = await symbolsOf();
    expect(day.has("MSFT")).toBe(false);
    expect(day.has("AAPL")).toBe(true);
    expect((await client.get(chart)).status).toBe(200);
    // The simulator's log says what the provider answered: the range request, then the grouped day.
    const polygonLog = sim.requests().filter((r) => r.provider === "polygon");
    expect(polygonLog.slice(-2).map((r) => r.outcome)).toStrictEqual(["not-found", "ok"]);

    await client.post("/_sim/config", JSON.stringify({ polygon: { unknownSymbols: [] } }));
    expect((await client.getJson(aggs)).body.resultsCount).toBe(before.resultsCount);
  });
});
