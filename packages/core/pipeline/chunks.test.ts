import { describe, expect, it } from "vitest";
import { SHARD_BOUNDS } from "../history/shard-bounds.ts";
import { shardOf } from "../history/shards.ts";
import { loadUniverse } from "../universes.ts";
import { planChunks } from "./chunks.ts";

describe("planChunks", () => {
  it("puts tickers in symbol order, chunks of the size asked, then the benchmark alone", () => {
    expect(planChunks("s", ["MSFT", "AAPL", "BRK.B", "A"], "SPY", 3)).toStrictEqual([
      { scanId: "s", chunk: 0, role: "universe", tickers: ["A", "AAPL", "BRK.B"] },
      { scanId: "s", chunk: 1, role: "universe", tickers: ["MSFT"] },
      { scanId: "s", chunk: 2, role: "benchmark", tickers: ["SPY"] },
    ]);
  });

  it("makes each us-all chunk of ten exactly one shard of the bars store", () => {
    const tickers = loadUniverse("us-all").map((l) => l.symbol);
    const chunks = planChunks("s", tickers, "SPY", 10).filter((c) => c.role === "universe");
    const shardsPerChunk = chunks.map((c) => new Set(c.tickers.map(shardOf)).size);
    expect(chunks).toHaveLength(SHARD_BOUNDS.length);
    expect(Math.max(...shardsPerChunk)).toBe(1);
  });
});
