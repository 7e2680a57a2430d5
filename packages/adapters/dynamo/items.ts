import { z } from "zod";
import type { ScanChanges, ScanSnapshot } from "../../core/changes/changes.ts";
import { isProviderName, PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import {
  CHUNK_SETS,
  type ChunkProgress,
  type ChunkSet,
  type LeaderboardRow,
  type ResultRecord,
  type ScanPlanRecord,
  type ScanRecord,
  type ScanStatus,
  type ScanSummary,
} from "../../core/pipeline/records.ts";
import { readStoredBreadth, type StoredBreadth } from "../../core/pipeline/stored-breadth.ts";
import { readStoredMetrics, type StoredMetrics } from "../../core/pipeline/stored-metrics.ts";
import { PLAN_STEP_KINDS } from "../../core/planner/plan.ts";
import type { Fundamentals } from "../../core/scoring/canslim.ts";
import { isUniverseName } from "../../core/universes.ts";
import { ItemFields, isOneOf } from "./item-fields.ts";
import { reportFrom } from "./notify-items.ts";

/**
 * tickerfleet's DynamoDB items (README "Data model"): the one place records
 * become items and items records again.
 *
 * Scans table, key (scanId, item):
 *   item "scan"         the scan record; `entity` = "scan" feeds the byCreated index
 *                       (recent scans), `universe` the byUniverse index (latest per universe)
 *   item "tickers"      the scan's tickers, comma-separated (for naming the unaccounted)
 *   item "chunk#000042" one chunk's progress: its size and the string sets of CHUNK_SETS
 *                       (scored, failed, cached, full, incremental, sessions, suspect),
 *                       created by the chunk's first score message
 *   item "benchmark"    the benchmark's metrics
 *   item "leaderboard"  the top rows, ranked by finalize
 *   item "breadth"      the breadth series of the scan's window
 * Results table, key (scanId, ticker): one item per ticker, `status` "scored" (with `source`,
 * `metrics`, `breadth`, and `fundamentals` when fetched) or "failed" (with `reason`, `message`,
 * `attempts`). Items of the scans and results tables that can expire carry `expiresAt` (TTL).
 */

/** An item as the document client gives it: attribute values, untyped. */
export type Item = Record<string, unknown>;

export const SCAN_ITEM = "scan";
export const TICKERS_ITEM = "tickers";
export const BENCHMARK_ITEM = "benchmark";
export const LEADERBOARD_ITEM = "leaderboard";
export const BREADTH_ITEM = "breadth";
export const CHUNK_PREFIX = "chunk#";
export const SNAPSHOT_ITEM = "snapshot";
export const CHANGES_ITEM = "changes";

export const chunkItem = (chunk: number): string => `${CHUNK_PREFIX}${String(chunk).padStart(6, "0")}`;

// ---- scans table

export function scanItem(record: ScanRecord): Item {
  return { ...record, item: SCAN_ITEM, entity: SCAN_ITEM };
}

/** A scan's plan as its item keeps it (written from the ScanPlanRecord as is); undefined when unreadable. */
function planFrom(value: unknown): ScanPlanRecord | undefined {
  const parsed = scanPlanSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const scanPlanSchema = z.object({
  requests: z.number(),
  seconds: z.number(),
  steps: z.array(
    z.object({
      provider: z.enum(PROVIDERS),
      kind: z.enum(PLAN_STEP_KINDS),
      part: z.enum(["days", "backfill"]),
      requests: z.number(),
      seconds: z.number(),
      sessions: z.number(),
      tickers: z.number(),
      from: z.string(),
      to: z.string(),
      description: z.string(),
    }),
  ),
  stored: z.object({ tickers: z.number(), through: z.string().nullable() }),
  units: z.number().int().min(0),
  chunkSize: z.number().int().min(1),
  fundamentals: z.boolean(),
});

const isScanStatus = isOneOf<ScanStatus>(["RUNNING", "FINALIZING", "COMPLETE", "PARTIAL"]);
const isTrigger = isOneOf(["invoke", "schedule"]);
const isUniverse = (value: unknown): value is ScanRecord["universe"] =>
  value === "custom" || isUniverseName(value);

/** The scan record of a "scan" item; throws a StoreError if a field is not of its type. */
export function scanFromItem(item: Item): ScanRecord {
  const f = new ItemFields(item, `scan ${String(item.scanId)}`);
  const enqueuedAt = f.optionalText("enqueuedAt");
  const finishedAt = f.optionalText("finishedAt");
  const leaseUntil = f.optionalText("leaseUntil");
  const session = f.optionalText("session");
  return f.done<ScanRecord>({
    scanId: f.text("scanId"),
    universe: f.oneOf("universe", isUniverse, "custom"),
    provider: f.oneOf("provider", isProviderName, "yahoo"),
    days: f.number("days"),
    benchmark: f.text("benchmark"),
    trigger: f.oneOf("trigger", isTrigger, "invoke"),
    total: f.number("total"),
    chunkCount: f.number("chunkCount"),
    status: f.oneOf("status", isScanStatus, "RUNNING"),
    createdAt: f.text("createdAt"),
    ...(session === undefined ? {} : { session }),
    deadlineAt: f.text("deadlineAt"),
    ...(enqueuedAt === undefined ? {} : { enqueuedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
    ...(leaseUntil === undefined ? {} : { leaseUntil }),
    ...(item.summary === undefined ? {} : { summary: summaryFrom(f.map("summary")) }),
    ...(planFrom(item.plan) ? { plan: planFrom(item.plan)! } : {}),
    ...(providersFrom(item.providers) ? { providers: providersFrom(item.providers)! } : {}),
    ...(typeof item.breakerOpens === "number" ? { breakerOpens: item.breakerOpens } : {}),
    ...(typeof item.providerRequests === "number" ? { providerRequests: item.providerRequests } : {}),
    ...(reportFrom(item.report) ? { report: reportFrom(item.report)! } : {}),
  });
}

/** A scan's fallback chain as its item keeps it; undefined when absent or unreadable. */
function providersFrom(value: unknown): ProviderName[] | undefined {
  const parsed = z.array(z.enum(PROVIDERS)).min(2).safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Tickers per provider as the summary keeps them; undefined when absent or unreadable. */
function byProviderFrom(value: unknown): Partial<Record<ProviderName, number>> | undefined {
  const parsed = z.partialRecord(z.enum(PROVIDERS), z.number().int().min(0)).safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const isBenchmarkSource = isOneOf(["benchmark", "universe-median"]);

function historyCountsFrom(f: ItemFields): NonNullable<ScanSummary["history"]> {
  return {
    tickersFull: f.number("tickersFull"),
    tickersIncremental: f.number("tickersIncremental"),
    sessionsFetched: f.number("sessionsFetched"),
    suspectGaps: f.number("suspectGaps"),
  };
}

function summaryFrom(f: ItemFields): ScanSummary {
  const market = f.map("market");
  const failure = (e: ItemFields) => ({ ticker: e.text("ticker"), reason: e.text("reason") });
  return {
    scored: f.number("scored"),
    failed: f.number("failed"),
    unaccounted: f.number("unaccounted"),
    failures: f.maps("failures", failure),
    unaccountedTickers: f.texts("unaccountedTickers"),
    cacheHits: f.number("cacheHits"),
    ...(typeof f.get("breakerOpens") === "number" ? { breakerOpens: f.get("breakerOpens") as number } : {}),
    ...(byProviderFrom(f.get("byProvider")) ? { byProvider: byProviderFrom(f.get("byProvider"))! } : {}),
    ...(f.get("history") === undefined ? {} : { history: historyCountsFrom(f.map("history")) }),
    rsThresholds: f.numbersOrNull("rsThresholds"),
    benchmarkSource: f.oneOf("benchmarkSource", isBenchmarkSource, "benchmark"),
    benchmarkReturns: f.numbersOrNull("benchmarkReturns"),
    market: {
      state: market.text("state"),
      score: market.number("score"),
      reasons: market.texts("reasons"),
    },
    durationMs: f.number("durationMs"),
    ...(f.get("marketScore") === null || typeof f.get("marketScore") === "number"
      ? { marketScore: f.get("marketScore") as number | null }
      : {}),
  };
}

export function tickersItem(scanId: string, tickers: readonly string[], expiresAt: number): Item {
  return { scanId, item: TICKERS_ITEM, tickers: tickers.join(","), expiresAt };
}

export function tickersFromItem(item: Item | undefined): string[] {
  const text = item?.tickers;
  return typeof text === "string" && text.length > 0 ? text.split(",") : [];
}

export function chunkFromItem(item: Item): ChunkProgress {
  return {
    scanId: String(item.scanId),
    chunk: Number(item.chunk),
    role: item.role === "benchmark" ? "benchmark" : "universe",
    size: Number(item.size ?? 0),
    ...(Object.fromEntries(CHUNK_SETS.map((name) => [name, stringSet(item[name])])) as Record<
      ChunkSet,
      Set<string>
    >),
  };
}

function stringSet(value: unknown): Set<string> {
  if (value instanceof Set || Array.isArray(value)) return new Set(Array.from(value, String));
  return new Set();
}

export function benchmarkItem(scanId: string, metrics: StoredMetrics, expiresAt: number): Item {
  return { scanId, item: BENCHMARK_ITEM, metrics, expiresAt };
}

export function benchmarkFromItem(item: Item | undefined): StoredMetrics | undefined {
  return item ? readStoredMetrics(item.metrics) : undefined;
}

export function leaderboardItem(scanId: string, rows: readonly LeaderboardRow[], expiresAt: number): Item {
  return { scanId, item: LEADERBOARD_ITEM, rows, expiresAt };
}

export function leaderboardFromItem(item: Item | undefined): LeaderboardRow[] | undefined {
  if (!item) return undefined;
  const f = new ItemFields(item, `leaderboard of ${String(item.scanId)}`);
  return f.done(
    f.maps("rows", (row) => ({
      rank: row.number("rank"),
      ticker: row.text("ticker"),
      score: row.number("score"),
      confidence: row.number("confidence"),
      rsRating: row.number("rsRating"),
      trendCount: row.number("trendCount"),
      close: row.number("close"),
      changePct: row.numberOrNull("changePct"),
      macdStage: row.text("macdStage"),
    })),
  );
}

export function breadthItem(scanId: string, series: StoredBreadth, expiresAt: number): Item {
  return { scanId, item: BREADTH_ITEM, series, expiresAt };
}

export function breadthFromItem(item: Item | undefined): StoredBreadth | undefined {
  return item ? readStoredBreadth(item.series) : undefined;
}

// ---- results table

/** A result's item: readable attribute names (README "Data model"), under 1 KB. */
export function resultItem(result: ResultRecord, expiresAt: number): Item {
  const key = { scanId: result.scanId, ticker: result.ticker };
  if (result.status === "failed") {
    const { reason, message, attempts } = result;
    return { ...key, status: "failed", reason, message, attempts, expiresAt };
  }
  return {
    ...key,
    status: "scored",
    source: result.source,
    ...(result.provider ? { provider: result.provider } : {}),
    metrics: result.metrics,
    breadth: result.breadth,
    ...(result.fundamentals ? { fundamentals: result.fundamentals } : {}),
    ...(result.flags?.length ? { flags: result.flags } : {}),
    expiresAt,
  };
}

/**
 * The result of a Results item, or undefined for an item this version did not
 * write (results expire, so older ones are left to expire rather than migrated).
 */
export function resultFromItem(item: Item): ResultRecord | undefined {
  const key = { scanId: String(item.scanId), ticker: String(item.ticker) };
  if (item.status === "failed") {
    return {
      ...key,
      status: "failed",
      reason: String(item.reason ?? "unknown"),
      message: String(item.message ?? ""),
      attempts: Number(item.attempts ?? 0),
    };
  }
  const metrics = item.status === "scored" ? readStoredMetrics(item.metrics) : undefined;
  if (!metrics) return undefined;
  const fundamentals = fundamentalsOf(item.fundamentals);
  return {
    ...key,
    status: "scored",
    source: item.source === "cache" ? "cache" : "provider",
    ...(isProviderName(item.provider) ? { provider: item.provider } : {}),
    metrics,
    breadth: item.breadth instanceof Uint8Array ? item.breadth : new Uint8Array(),
    ...(fundamentals ? { fundamentals } : {}),
    ...(Array.isArray(item.flags) ? { flags: item.flags.map(String) } : {}),
  };
}

/** A stored `fundamentals` map back as Fundamentals (finite numbers only), or undefined. */
function fundamentalsOf(value: unknown): Fundamentals | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const q: unknown = Reflect.get(value, "epsGrowthQuarterlyPct");
  const a: unknown = Reflect.get(value, "epsGrowthAnnualPct");
  const out: Fundamentals = {};
  if (typeof q === "number" && Number.isFinite(q)) out.epsGrowthQuarterlyPct = q;
  if (typeof a === "number" && Number.isFinite(a)) out.epsGrowthAnnualPct = a;
  return out;
}

// ---- a scan's snapshot (what the next scan's changes are read from) and its changes

const tickerList = z.array(z.string());
const snapshotSchema = z.object({
  screens: z.record(z.string(), tickerList),
  top: tickerList,
  rs: z.object({ "80": tickerList, "90": tickerList }),
  market: z.string(),
});
const movesSchema = z.object({ entered: tickerList, left: tickerList });
const changesSchema = z.object({
  previousScanId: z.string().nullable(),
  screens: z.record(z.string(), movesSchema),
  top: movesSchema.extend({ size: z.number() }),
  rs: z.object({
    "80": z.object({ crossedAbove: tickerList, crossedBelow: tickerList }),
    "90": z.object({ crossedAbove: tickerList, crossedBelow: tickerList }),
  }),
  market: z.object({ from: z.string(), to: z.string() }).nullable(),
});

export function snapshotItem(scanId: string, snapshot: ScanSnapshot, expiresAt: number): Item {
  return { scanId, item: SNAPSHOT_ITEM, snapshot, expiresAt };
}

export function snapshotFromItem(item: Item | undefined): ScanSnapshot | undefined {
  const parsed = snapshotSchema.safeParse(item?.snapshot);
  return parsed.success ? parsed.data : undefined;
}

export function changesItem(scanId: string, changes: ScanChanges, expiresAt: number): Item {
  return { scanId, item: CHANGES_ITEM, changes, expiresAt };
}

export function changesFromItem(item: Item | undefined): ScanChanges | undefined {
  const parsed = changesSchema.safeParse(item?.changes);
  return parsed.success ? parsed.data : undefined;
}
