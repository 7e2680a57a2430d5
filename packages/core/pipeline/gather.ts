import type { CorporateAction } from "../history/actions.ts";
import type { RawBar, RawHistory } from "../history/raw-history.ts";
import {
  type FetchFailure,
  type HistoryOptions,
  type MarketDataProvider,
  type ProviderName,
  TokenWaitError,
} from "../market-data.port.ts";
import { askProvider } from "./ask-provider.ts";
import { retryDelayMs, toDelaySeconds } from "./backoff.ts";
import type { FetchConfig } from "./fetch-types.ts";
import type { FetchQueueMessage, GatherMessage, GatherStep } from "./messages.ts";
import { type StagedUnit, stageMarketActions, stageMarketDay, stageSymbolPages } from "./plan-supply.ts";
import type { MessageSender, OutboundMessage, PlanProgress, PlanStage, ProviderAccess } from "./ports.ts";
import { byProvider, type DrainClock, drainWithTokens, tokenGate } from "./token-drain.ts";

/**
 * The fetcher's work for a scan's plan units (planner/units.ts): each unit's requests under the
 * provider's shared limit, its result staged (PlanStage), the unit counted once, and the scan's
 * chunks assembled when the last one is in (assemble.ts). A unit that fails transiently goes
 * back to the queue with backoff; after its last attempt, or at once for a permanent failure,
 * its failure is staged instead, so the tickers it would have served fail with its reason and
 * the scan never waits on it.
 */

export interface GatherInput {
  id: string;
  message: GatherMessage;
}

export interface GatherDeps {
  providers: Readonly<Record<ProviderName, ProviderAccess>>;
  stage: PlanStage;
  progress: PlanProgress;
  fetchQueue: MessageSender<FetchQueueMessage>;
  remainingMs: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface GatherReport {
  failedIds: string[];
  providerRequests: number;
  providerBytes: number;
  staged: number;
  failedUnits: number;
  requeued: number;
  /** Scans whose last unit this batch staged: their chunks are on the way. */
  assembling: string[];
  errors: string[];
}

type Done =
  | { input: GatherInput; staged: StagedUnit }
  | { input: GatherInput; retry: GatherMessage; delayMs: number };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function gatherUnits(
  inputs: readonly GatherInput[],
  deps: GatherDeps,
  config: Pick<FetchConfig, "maxAttempts" | "backoff" | "reserveMs" | "maxInFlight" | "maxInlineWaitMs">,
): Promise<GatherReport> {
  const clock: DrainClock = { remainingMs: deps.remainingMs, sleep: deps.sleep ?? sleepFor };
  const random = deps.random ?? Math.random;
  const report: GatherReport = {
    failedIds: [],
    providerRequests: 0,
    providerBytes: 0,
    staged: 0,
    failedUnits: 0,
    requeued: 0,
    assembling: [],
    errors: [],
  };
  const scanTickers = new Map<string, Set<string>>();
  for (const scanId of new Set(inputs.map((i) => i.message.scanId))) {
    const [scan, tickers] = await Promise.all([deps.progress.getScan(scanId), deps.progress.tickers(scanId)]);
    scanTickers.set(scanId, new Set([...tickers, ...(scan ? [scan.benchmark] : [])]));
  }

  const done: Done[] = [];
  await Promise.all(
    [...byProvider(inputs, (i) => i.message.provider)].map(async ([name, group]) => {
      const access = deps.providers[name];
      const queue = [...group];
      const handBackMs = await drainWithTokens(queue, access.limiter, clock, config, async (input) => {
        report.providerRequests++;
        const takeToken = tokenGate(access.limiter, clock, config);
        const nextRequest = async () => {
          await takeToken();
          report.providerRequests++;
        };
        const message = input.message;
        const attempts = message.attempts + 1;
        try {
          const result = await askProvider(access.limiter, () =>
            requestStep(access.provider, message.step, { nextRequest }),
          );
          if (result.ok) {
            report.providerBytes += result.bytes;
            done.push({ input, staged: stage(name, message.step, result, scanTickers.get(message.scanId)!) });
            return;
          }
          const retryable = result.kind === "rate-limited" || result.kind === "transient";
          if (retryable && attempts < config.maxAttempts) {
            const delayMs = retryDelayMs(attempts, result.retryAfterMs, config.backoff, random);
            const lastReason = `${result.kind}: ${result.message}`.slice(0, 500);
            done.push({ input, retry: { ...message, attempts, lastReason }, delayMs });
            return;
          }
          const why = retryable ? `after ${attempts} attempts: ${result.message}` : result.message;
          done.push({ input, staged: failed(name, message.step, result.kind, why) });
        } catch (error) {
          if (error instanceof TokenWaitError) {
            done.push({ input, retry: message, delayMs: error.retryAfterMs });
            return;
          }
          const delayMs = retryDelayMs(attempts, undefined, config.backoff, random);
          const lastReason = `transient: ${(error as Error).message}`.slice(0, 500);
          if (attempts < config.maxAttempts)
            done.push({ input, retry: { ...message, attempts, lastReason }, delayMs });
          else done.push({ input, staged: failed(name, message.step, "transient", lastReason) });
        }
      });
      for (const input of queue) done.push({ input, retry: input.message, delayMs: handBackMs });
    }),
  );

  const retries: OutboundMessage<FetchQueueMessage>[] = [];
  const retried: GatherInput[] = [];
  await Promise.all(
    done.map(async (d) => {
      if ("retry" in d) {
        retries.push({ body: d.retry, delaySeconds: toDelaySeconds(d.delayMs) });
        retried.push(d.input);
        return;
      }
      const { scanId, unit, units } = d.input.message;
      try {
        await deps.stage.put(scanId, unit, d.staged);
        if (d.staged.kind === "failed") report.failedUnits++;
        else report.staged++;
        const staged = await deps.progress.markUnitStaged(scanId, unit);
        if (staged >= units) {
          await deps.fetchQueue.send([{ body: { v: 1, kind: "assemble", scanId } }]);
          report.assembling.push(scanId);
        }
      } catch (error) {
        // Redelivered by SQS: staging and counting again change nothing.
        report.errors.push(`${scanId} unit ${unit}: ${(error as Error).message}`);
        report.failedIds.push(d.input.id);
      }
    }),
  );
  if (retries.length > 0) {
    try {
      await deps.fetchQueue.send(retries);
      report.requeued += retries.length;
    } catch (error) {
      report.errors.push(`requeue: ${(error as Error).message}`);
      report.failedIds.push(...retried.map((i) => i.id));
    }
  }
  return report;
}

type StepAnswer =
  | { ok: true; kind: "market-day"; bars: Map<string, RawBar>; bytes: number }
  | { ok: true; kind: "symbol-pages"; bars: Map<string, RawHistory>; bytes: number }
  | { ok: true; kind: "market-actions"; actions: Map<string, CorporateAction[]>; bytes: number }
  | FetchFailure;

async function requestStep(
  provider: MarketDataProvider,
  step: GatherStep,
  options: HistoryOptions,
): Promise<StepAnswer> {
  const unsupported = (what: string): FetchFailure => ({
    ok: false,
    kind: "invalid-response",
    provider: provider.name,
    symbol: "*",
    message: `${provider.name} cannot answer ${what}`,
  });
  if (step.kind === "market-day") {
    if (!provider.fetchMarketDay) return unsupported("a market day");
    const r = await provider.fetchMarketDay(step.date, options);
    return r.ok ? { ok: true, kind: "market-day", bars: r.bars, bytes: r.bytes } : r;
  }
  if (step.kind === "symbol-pages") {
    if (!provider.fetchSymbolsHistory) return unsupported("many symbols' bars");
    const r = await provider.fetchSymbolsHistory(step.symbols, step.from, step.to, options);
    return r.ok ? { ok: true, kind: "symbol-pages", bars: r.bars, bytes: r.bytes } : r;
  }
  if (!provider.fetchMarketActions) return unsupported("the market's actions");
  const r = await provider.fetchMarketActions(step.from, step.to, options);
  return r.ok ? { ok: true, kind: "market-actions", actions: r.actions, bytes: r.bytes } : r;
}

function stage(
  provider: ProviderName,
  step: GatherStep,
  answer: Extract<StepAnswer, { ok: true }>,
  tickers: ReadonlySet<string>,
): StagedUnit {
  if (answer.kind === "market-day" && step.kind === "market-day")
    return stageMarketDay(provider, step.date, answer.bars, tickers);
  if (answer.kind === "symbol-pages" && step.kind === "symbol-pages")
    return stageSymbolPages(provider, step, answer.bars);
  if (answer.kind === "market-actions" && step.kind === "market-actions")
    return stageMarketActions(provider, step.from, step.to, answer.actions, tickers);
  throw new Error(`answer ${answer.kind} does not match step ${step.kind}`);
}

function failed(provider: ProviderName, step: GatherStep, reason: string, message: string): StagedUnit {
  return { kind: "failed", provider, step, reason, message: message.slice(0, 500) };
}
