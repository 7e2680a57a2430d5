import { ValidationError } from "../errors.ts";
import { emptyHistory } from "../history/raw-history.ts";
import type { ScanPlan } from "../planner/scan-plan.ts";
import { addTradingDays } from "../trading-calendar.ts";
import { assemblyGroups } from "./assembly-groups.ts";
import { chunkFetchMessage, planChunks } from "./chunks.ts";
import type { FetchQueueMessage } from "./messages.ts";
import { encodeSupply, type TickerSupply } from "./plan-supply.ts";
import type { MessageSender, StartScanStore } from "./ports.ts";
import type { ScanRecord } from "./records.ts";
import type { ScanRequest } from "./scan-request.ts";

export interface StartScanDeps {
  store: StartScanStore;
  fetchQueue: MessageSender<FetchQueueMessage>;
  chunkSize: number;
  /** How long the scan may run before the sweep finalizes it PARTIAL (see scanDeadlineSeconds). */
  deadlineSeconds: number;
  /** The market session the scan is for (ISO date): its bars are what the fetchers make current. */
  session: string;
  /** The scan's request plan (planner/scan-plan.ts), when its provider answers for many tickers at once. */
  plan?: ScanPlan;
  now?: () => Date;
}

/**
 * How long a scan may run before the sweep finalizes it PARTIAL: twice what its provider's
 * limit needs for its tickers and the benchmark, plus ten minutes, and never less than
 * `floorSeconds` (the topology's).
 */
export function scanDeadlineSeconds(
  request: Pick<ScanRequest, "tickers">,
  limit: { ratePerSecond: number; floorSeconds: number },
): number {
  const requests = request.tickers.length + 1;
  return Math.max(limit.floorSeconds, Math.ceil((2 * requests) / limit.ratePerSecond) + 600);
}

export interface StartScanResult {
  scanId: string;
  status: ScanRecord["status"];
  total: number;
  chunks: number;
  /** True when a scan with this id had already been started and fully enqueued: nothing was sent. */
  alreadyStarted: boolean;
}

/**
 * Records a validated scan and puts its chunks on the fetch queue.
 *
 * Idempotent by scan id: the scan record is written only if absent; chunk
 * records are written before any message is sent, and `enqueuedAt` only after
 * every message is accepted. A start that finds a fully enqueued scan sends
 * nothing; one that finds a scan whose start died half-way re-sends every
 * chunk (the pipeline counts each ticker once however often it arrives).
 */
export async function startScan(request: ScanRequest, deps: StartScanDeps): Promise<StartScanResult> {
  const now = deps.now?.() ?? new Date();
  const chunkSize = plannedChunkSize(deps.chunkSize, deps.plan);
  const chunks = planChunks(request.scanId, request.tickers, request.benchmark, chunkSize);
  const record: ScanRecord = {
    scanId: request.scanId,
    universe: request.universe,
    provider: request.provider,
    ...(request.providers.length > 1 ? { providers: request.providers } : {}),
    days: request.days,
    benchmark: request.benchmark,
    trigger: request.trigger,
    total: request.tickers.length,
    chunkCount: chunks.length,
    status: "RUNNING",
    createdAt: now.toISOString(),
    session: deps.session,
    deadlineAt: new Date(now.getTime() + deps.deadlineSeconds * 1000).toISOString(),
    ...(deps.plan
      ? {
          plan: {
            requests: deps.plan.plan.requests,
            seconds: deps.plan.plan.seconds,
            steps: deps.plan.plan.steps,
            stored: deps.plan.stored,
            units: deps.plan.units.length,
            chunkSize,
            fundamentals: request.fundamentals === true,
          },
        }
      : {}),
  };
  const created = await deps.store.createScan(record);
  if (!created.created) {
    const existing = created.existing;
    const differs = (["universe", "provider", "days", "benchmark", "total", "chunkCount"] as const).filter(
      (field) => existing[field] !== record[field],
    );
    if (differs.length > 0) {
      throw new ValidationError("scan request", [
        `scanId: "${request.scanId}" already names a scan with a different ${differs.join(", ")}; choose another scanId`,
      ]);
    }
    if (existing.enqueuedAt || existing.status !== "RUNNING") {
      return {
        scanId: existing.scanId,
        status: existing.status,
        total: existing.total,
        chunks: existing.chunkCount,
        alreadyStarted: true,
      };
    }
  }
  await deps.store.putTickers(request.scanId, request.tickers);
  const units = deps.plan?.units ?? [];
  // A plan's units go first; the last one staged assembles the chunks (gather.ts, assemble.ts).
  const groups = units.length > 0 ? assemblyGroups(chunks, request.benchmark) : undefined;
  const current = currentSupply(deps.plan, deps.session);
  const messages: FetchQueueMessage[] = groups
    ? units.map((u, i) => ({
        v: 1,
        kind: "gather",
        scanId: request.scanId,
        provider: u.provider,
        unit: i,
        units: units.length,
        step: u.step,
        groups,
        attempts: 0,
        ...(request.providers.length > 1 ? { fallback: true } : {}),
      }))
    : chunks.map((c) =>
        chunkFetchMessage(
          { ...request, session: deps.session },
          c,
          chunks.length,
          current && supplyOf(c.tickers, current, addTradingDays(deps.session, 1)),
        ),
      );
  await deps.fetchQueue.send(messages.map((body) => ({ body })));
  await deps.store.markEnqueued(request.scanId, (deps.now?.() ?? new Date()).toISOString());
  return {
    scanId: request.scanId,
    status: "RUNNING",
    total: record.total,
    chunks: chunks.length,
    alreadyStarted: false,
  };
}

/**
 * Bars a planned chunk's message may carry for its tickers: ten tickers' two years (~460
 * sessions each) fit the supply a message may carry (MAX_SUPPLY_CHARS; assemble.ts sends a
 * ticker that does not fit per ticker), as the us-all backfills of `bench plans` show.
 */
export const SUPPLIED_BARS_PER_CHUNK = 4_600;

/**
 * Tickers a chunk: the configured size, or fewer when the plan hands each ticker more sessions
 * than SUPPLIED_BARS_PER_CHUNK allow at that size (a backfill by market days or pages). A daily
 * plan's single session leaves the chunks as large as a per-ticker scan's.
 */
export function plannedChunkSize(configured: number, plan: ScanPlan | undefined): number {
  const sessions = Math.max(
    0,
    ...(plan?.plan.steps ?? [])
      .filter((s) => s.kind === "market-days" || s.kind === "symbol-pages")
      .map((s) => s.sessions),
  );
  if (sessions === 0) return configured;
  return Math.max(1, Math.min(configured, Math.floor(SUPPLIED_BARS_PER_CHUNK / sessions)));
}

/**
 * When the plan finds the stored tickers current through the scan's session already (a second
 * scan of the day), they need no request: each is handed an empty supply starting after the
 * session, which leaves its history as it is (fetch-supplied.ts).
 */
function currentSupply(plan: ScanPlan | undefined, session: string): Set<string> | undefined {
  if (!plan || plan.stored.through === null || plan.stored.through < session) return undefined;
  if (plan.plan.steps.some((s) => s.part === "days")) return undefined;
  return new Set(plan.tickers.days);
}

function supplyOf(
  tickers: readonly string[],
  current: ReadonlySet<string>,
  from: string,
): string | undefined {
  const own = new Map<string, TickerSupply>();
  for (const s of tickers) {
    if (current.has(s)) own.set(s, { kind: "bars", from, bars: emptyHistory(s), actions: [] });
  }
  return own.size > 0 ? encodeSupply(own) : undefined;
}
