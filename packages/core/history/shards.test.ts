import { describe, expect, it } from "vitest";
import { loadUniverse } from "../universes.ts";
import { SHARD_BOUNDS } from "./shard-bounds.ts";
import { byShard, shardOf } from "./shards.ts";

describe("shards", () => {
  it("names a shard by its first symbol and puts every symbol up to the next bound in it", () => {
    expect(shardOf("A")).toBe("A");
    expect(shardOf("AAPL")).toBe(shardOf("AAON"));
    expect(shardOf(SHARD_BOUNDS[5]!)).toBe(SHARD_BOUNDS[5]);
    expect(shardOf("ZZZZ")).toBe(SHARD_BOUNDS[SHARD_BOUNDS.length - 1]);
  });

  it("puts symbols that sort before the first bound into the first shard", () => {
    expect(shardOf("$X")).toBe("A");
  });

  it("holds about ten of the shipped us-all listings per shard", () => {
    const sizes = [...byShard(loadUniverse("us-all").map((l) => l.symbol)).values()].map((g) => g.length);
    expect(sizes.length).toBe(SHARD_BOUNDS.length);
    expect(Math.max(...sizes)).toBe(10);
  });

  it("keeps the bounds sorted and distinct (the lookup is a binary search)", () => {
    for (let i = 1; i < SHARD_BOUNDS.length; i++) expect(SHARD_BOUNDS[i - 1]! < SHARD_BOUNDS[i]!).toBe(true);
  });
});
