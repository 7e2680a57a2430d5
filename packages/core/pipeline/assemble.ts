import { assemblyGroups, chunksOfGroup, groupCount } from "./assembly-groups.ts";
import { chunkFetchMessage, planChunks } from "./chunks.ts";
import type { FetchQueueMessage } from "./messages.ts";
import { assembleSupply, encodeSupply, type TickerSupply } from "./plan-supply.ts";
import type { MessageSender, PlanProgress, PlanStage } from "./ports.ts";

/**
 * When a planned scan's last unit is staged, for each group of its chunks (assembly-groups.ts):
 * the group's tickers' supplies from their share of the staged units, and the group's chunks on
 * the fetch queue, each carrying its tickers' supply. The chunks are the
 * ones scan-start recorded (same tickers, same chunk size, so the same chunk numbers and
 * counts); from here on the scan runs as any other: fetch (only what the supply does not
 * cover), score, finalize. Idempotent: assembling again sends the same chunks, and the scorer
 * counts each ticker once.
 */

export interface AssembleDeps {
  progress: PlanProgress;
  stage: PlanStage;
  fetchQueue: MessageSender<FetchQueueMessage>;
}

export interface AssembleReport {
  scanId: string;
  group: number;
  chunks: number;
  /** Tickers handed bars by the plan, failed by a failed unit, and left to be fetched per ticker. */
  supplied: number;
  failed: number;
  perTicker: number;
  /** Tickers whose supply did not fit their chunk's message: fetched per ticker instead. */
  overflow: number;
}

/** The most characters a chunk's supply may take in its message (SQS allows 256 KiB a message). */
export const MAX_SUPPLY_CHARS = 200_000;

export async function assembleScan(
  scanId: string,
  group: number,
  deps: AssembleDeps,
): Promise<AssembleReport> {
  const scan = await deps.progress.getScan(scanId);
  if (!scan?.plan) throw new Error(`scan ${scanId} has no plan to assemble`);
  const plan = scan.plan;
  const [tickers, staged] = await Promise.all([
    deps.progress.tickers(scanId),
    deps.stage.read(scanId, group),
  ]);
  const all = planChunks(scanId, tickers, scan.benchmark, plan.chunkSize);
  const groups = assemblyGroups(all, scan.benchmark);
  if (group >= groupCount(groups))
    throw new Error(`scan ${scanId} has ${groupCount(groups)} assembly groups, not a group ${group}`);
  const chunks = chunksOfGroup(all, groups, group);
  const supply = assembleSupply(
    staged,
    chunks.flatMap((c) => c.tickers),
  );
  const report: AssembleReport = {
    scanId,
    group,
    chunks: chunks.length,
    supplied: 0,
    failed: 0,
    perTicker: 0,
    overflow: 0,
  };

  const messages = chunks.map((c) => {
    const own = new Map<string, TickerSupply>();
    for (const s of c.tickers) {
      const one = supply.get(s);
      if (one) own.set(s, one);
    }
    const encoded = fitted(own, report);
    for (const s of c.tickers) {
      const one = own.get(s);
      if (!one) report.perTicker++;
      else if (one.kind === "failed") report.failed++;
      else report.supplied++;
    }
    const body = chunkFetchMessage({ ...scan, fundamentals: plan.fundamentals }, c, all.length, encoded);
    return { body };
  });
  await deps.fetchQueue.send(messages);
  return report;
}

/**
 * A chunk's supply encoded within MAX_SUPPLY_CHARS: the most tickers with bars, in the chunk's
 * order, that fit (found by halving, a few encodings rather than one per ticker dropped); the
 * rest are left out and fetched per ticker. Failures are a few bytes and always kept.
 */
function fitted(own: Map<string, TickerSupply>, report: AssembleReport): string | undefined {
  if (own.size === 0) return undefined;
  const whole = encodeSupply(own);
  if (whole.length <= MAX_SUPPLY_CHARS) return whole;
  const failed = [...own].filter(([, s]) => s.kind === "failed");
  const bars = [...own].filter(([, s]) => s.kind === "bars");
  const encode = (k: number) => encodeSupply(new Map([...failed, ...bars.slice(0, k)]));
  // The most that fit: fewer than all of them (all did not).
  let lo = 0;
  let hi = bars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encode(mid).length <= MAX_SUPPLY_CHARS) lo = mid;
    else hi = mid - 1;
  }
  for (const [symbol] of bars.slice(lo)) own.delete(symbol);
  report.overflow += bars.length - lo;
  return own.size > 0 ? encode(lo) : undefined;
}
