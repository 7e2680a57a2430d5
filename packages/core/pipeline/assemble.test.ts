/**
 * Assembling a planned scan's chunks from its staged units, with in-memory stand-ins for the
 * scans table, the stage and the queue (end to end: test/e2e/plans.test.ts).
 */
import { describe, expect, it } from "vitest";
import { encodeBars } from "../history/bars-codec.ts";
import { historyFromBars } from "../history/raw-history.ts";
import { tradingDaysBetween } from "../trading-calendar.ts";
import { type AssembleReport, assembleScan, MAX_SUPPLY_CHARS } from "./assemble.ts";
import { assemblyGroups, groupCount, splitStaged } from "./assembly-groups.ts";
import { planChunks } from "./chunks.ts";
import type { FetchMessage, FetchQueueMessage } from "./messages.ts";
import { decodeSupply, type StagedUnit } from "./plan-supply.ts";
import type { OutboundMessage } from "./ports.ts";
import type { ScanRecord } from "./records.ts";

const SESSION = "2026-12-02";

function scan(chunkSize: number): ScanRecord {
  return {
    scanId: "s1",
    universe: "custom",
    provider: "alpaca",
    days: 460,
    benchmark: "SPY",
    trigger: "invoke",
    total: 0,
    chunkCount: 0,
    status: "RUNNING",
    createdAt: "",
    session: SESSION,
    deadlineAt: "",
    plan: {
      requests: 0,
      seconds: 0,
      steps: [],
      stored: { tickers: 0, through: null },
      units: 1,
      chunkSize,
      fundamentals: false,
    },
  };
}

/** A page group's staged bars: `sessions` sessions of prices that compress as badly as real ones. */
function pages(symbols: string[], sessions: number): StagedUnit {
  const dates = tradingDaysBetween("2020-01-02", SESSION).slice(-sessions);
  let seed = 7;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const bars: Record<string, string> = {};
  for (const symbol of symbols) {
    const history = historyFromBars(
      symbol,
      dates.map((date) => {
        const close = Math.round((20 + 80 * next()) * 100) / 100;
        return {
          date,
          open: close,
          high: close + 1,
          low: close - 1,
          close,
          volume: Math.round(1e6 * next()),
          provider: "alpaca",
        };
      }),
    );
    bars[symbol] = Buffer.from(encodeBars(history)).toString("base64");
  }
  return { kind: "symbol-pages", provider: "alpaca", from: dates[0]!, to: SESSION, symbols, bars };
}

/** Every group of the scan assembled from its share of the staged units, as gather splits them. */
async function assemble(record: ScanRecord, tickers: string[], staged: StagedUnit[]) {
  const sent: OutboundMessage<FetchQueueMessage>[] = [];
  const groups = assemblyGroups(
    planChunks("s1", tickers, record.benchmark, record.plan!.chunkSize),
    record.benchmark,
  );
  const shares = staged.map((unit) => splitStaged(unit, groups));
  const reads: StagedUnit[][] = [];
  const reports: AssembleReport[] = [];
  for (let group = 0; group < groupCount(groups); group++) {
    reports.push(
      await assembleScan("s1", group, {
        progress: {
          getScan: async () => record,
          tickers: async () => tickers,
          markUnitStaged: async () => 0,
        },
        stage: {
          put: async () => undefined,
          read: async (_scanId, g) => {
            const share = shares.map((s) => s[g]!);
            reads.push(share);
            return share;
          },
        },
        fetchQueue: { send: async (m) => void sent.push(...m) },
      }),
    );
  }
  const total = (k: "chunks" | "supplied" | "failed" | "perTicker" | "overflow") =>
    reports.reduce((n, r) => n + r[k], 0);
  const report = {
    chunks: total("chunks"),
    supplied: total("supplied"),
    failed: total("failed"),
    perTicker: total("perTicker"),
    overflow: total("overflow"),
  };
  return { report, reports, reads, messages: sent.map((m) => m.body as FetchMessage) };
}

describe("assembleScan", () => {
  it("sends the scan's chunks, each with its own tickers' supply, the benchmark's last", async () => {
    const tickers = ["AAA", "BBB", "CCC"];
    const { report, messages } = await assemble(scan(2), tickers, [pages([...tickers, "SPY"], 30)]);
    expect(messages.map((m) => [m.chunk, m.role, m.tickers.map((t) => t.s), m.chunkCount])).toStrictEqual([
      [0, "universe", ["AAA", "BBB"], 3],
      [1, "universe", ["CCC"], 3],
      [2, "benchmark", ["SPY"], 3],
    ]);
    expect(messages.map((m) => [...decodeSupply(m.supply!).keys()])).toStrictEqual([
      ["AAA", "BBB"],
      ["CCC"],
      ["SPY"],
    ]);
    expect(report).toMatchObject({ chunks: 3, supplied: 4, failed: 0, perTicker: 0, overflow: 0 });
  });

  it("leaves out of a chunk's message the supplies that do not fit, and those tickers are fetched per ticker", async () => {
    const tickers = Array.from({ length: 40 }, (_, i) => `T${String(i).padStart(2, "0")}`);
    const { report, messages } = await assemble(scan(40), tickers, [pages([...tickers, "SPY"], 1500)]);
    const first = messages[0]!;
    expect(first.supply!.length).toBeLessThanOrEqual(MAX_SUPPLY_CHARS);
    const kept = [...decodeSupply(first.supply!).keys()];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(40);
    // Dropped from the end, in symbol order; counted as per ticker.
    expect(kept).toStrictEqual(tickers.slice(0, kept.length));
    expect(report).toMatchObject({
      overflow: 40 - kept.length,
      perTicker: 40 - kept.length,
      supplied: kept.length + 1,
    });
  });

  it("assembles a large universe in groups, each from its own tickers' share of every unit", async () => {
    const tickers = Array.from({ length: 1200 }, (_, i) => `T${String(i).padStart(4, "0")}`);
    const { reports, reads, messages } = await assemble(scan(10), tickers, [pages([...tickers, "SPY"], 2)]);
    // 120 chunks of 10: groups of 50 chunks (500 tickers), 50, 20, and the benchmark's.
    expect(reports.map((r) => [r.group, r.chunks])).toStrictEqual([
      [0, 50],
      [1, 50],
      [2, 20],
      [3, 1],
    ]);
    // Every chunk once, numbered as the scan's, with its own tickers' supply.
    expect(messages.map((m) => m.chunk)).toStrictEqual(Array.from({ length: 121 }, (_, i) => i));
    expect(messages.every((m) => m.chunkCount === 121)).toBe(true);
    for (const m of messages)
      expect([...decodeSupply(m.supply!).keys()]).toStrictEqual(m.tickers.map((t) => t.s));
    // A group read only its tickers' bars.
    const symbolsRead = reads.map((share) =>
      share.flatMap((u) => (u.kind === "symbol-pages" ? Object.keys(u.bars) : [])),
    );
    expect(symbolsRead[1]).toStrictEqual(tickers.slice(500, 1000));
    expect(symbolsRead[3]).toStrictEqual(["SPY"]);
  });

  it("refuses a group the scan does not have", async () => {
    await expect(
      assembleScan("s1", 9, {
        progress: {
          getScan: async () => scan(2),
          tickers: async () => ["AAA"],
          markUnitStaged: async () => 0,
        },
        stage: { put: async () => undefined, read: async () => [] },
        fetchQueue: { send: async () => undefined },
      }),
    ).rejects.toThrow("scan s1 has 2 assembly groups, not a group 9");
  });
});
