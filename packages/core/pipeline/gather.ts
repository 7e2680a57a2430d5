import {
  type FetchFailure,
  type HistoryOptions,
  type MarketDataProvider,
  type ProviderName,
  TokenWaitError,
} from "../market-data.port.ts";
import { askProvider } from "./ask-provider.ts";
import { splitStaged } from "./assembly-groups.ts";
import { afterFailure, toDelaySeconds } from "./backoff.ts";
import type { FetchConfig } from "./fetch-types.ts";
import type { FetchQueueMessage, GatherMessage, GatherStep } from "./messages.ts";
import { type StagedUnit, stageMarketActions, stageMarketDay, stageSymbolPages } from "./plan-supply.ts";
import type { MessageSender, OutboundMessage, PlanProgress, PlanStage, ProviderAccess } from "./ports.ts";
import { byProvider, countingGate, type DrainClock, drainWithTokens, sleepFor } from "./token-drain.ts";

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
  // A market day or the market's actions answer for every listing: only the scan's are staged.
  // A page group asked for its own symbols, so its scan's tickers need not be read.
  const scanTickers = new Map<string, Set<string>>();
  const wholeMarket = inputs.filter((i) => i.message.step.kind !== "symbol-pages");
  for (const scanId of new Set(wholeMarket.map((i) => i.message.scanId))) {
    const [scan, tickers] = await Promise.all([deps.progress.getScan(scanId), deps.progress.tickers(scanId)]);
    scanTickers.set(scanId, new Set([...tickers, ...(scan ? [scan.benchmark] : [])]));
  }

  const done: Done[] = [];
  await Promise.all(
    [...byProvider(inputs, (i) => i.message.provider)].map(async ([name, group]) => {
      const access = deps.providers[name];
      const queue = [...group];
      const left = await drainWithTokens(queue, access.limiter, clock, config, async (input) => {
        report.providerRequests++;
        const nextRequest = countingGate(access.limiter, clock, config, () => report.providerRequests++);
        const message = input.message;
        const attempts = message.attempts + 1;
        let result: StepResult;
        try {
          const tickers = scanTickers.get(message.scanId) ?? new Set<string>();
          result = await askProvider(access.limiter, () =>
            requestStep(access.provider, message.step, tickers, { nextRequest }),
          );
        } catch (error) {
          // No token for a further request in time: back to the queue for that long, no attempt spent.
          if (error instanceof TokenWaitError)
            return void done.push({ input, retry: message, delayMs: error.retryAfterMs });
          result = {
            ok: false,
            kind: "transient",
            provider: name,
            symbol: "*",
            message: (error as Error).message,
          };
        }
        if (result.ok) {
          report.providerBytes += result.bytes;
          return void done.push({ input, staged: result.staged });
        }
        const verdict = afterFailure(result, attempts, config, random);
        if (verdict.retry) {
          const { delayMs, lastReason } = verdict;
          return void done.push({ input, retry: { ...message, attempts, lastReason }, delayMs });
        }
        const { reason, message: why } = verdict;
        done.push({
          input,
          staged: { kind: "failed", provider: name, step: message.step, reason, message: why },
        });
      });
      for (const input of queue) {
        // A scan with other providers in its chain does not wait out an open breaker: the unit
        // fails at once, and its tickers go down the chain one by one (fallback.ts).
        if (left.breakerOpen && input.message.fallback) {
          const why = `${name}'s circuit breaker is open: it failed repeatedly`;
          const staged: StagedUnit = {
            kind: "failed",
            provider: name,
            step: input.message.step,
            reason: "breaker-open",
            message: why,
          };
          done.push({ input, staged });
        } else done.push({ input, retry: input.message, delayMs: left.handBackMs });
      }
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
      const { scanId, unit, units, groups } = d.input.message;
      try {
        const shares = splitStaged(d.staged, groups);
        await Promise.all(shares.map((share, group) => deps.stage.put(scanId, group, unit, share)));
        if (d.staged.kind === "failed") report.failedUnits++;
        else report.staged++;
        const staged = await deps.progress.markUnitStaged(scanId, unit);
        if (staged >= units) {
          // Each group of chunks is assembled by its own invocation (assembly-groups.ts).
          await deps.fetchQueue.send(
            shares.map((_, group) => ({ body: { v: 1, kind: "assemble", scanId, group } })),
          );
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

/** A unit's answer staged (its bars and actions of the scan's tickers only), or the provider's failure. */
type StepResult = { ok: true; staged: StagedUnit; bytes: number } | FetchFailure;

async function requestStep(
  provider: MarketDataProvider,
  step: GatherStep,
  tickers: ReadonlySet<string>,
  options: HistoryOptions,
): Promise<StepResult> {
  const name = provider.name;
  const unsupported = (what: string): FetchFailure => ({
    ok: false,
    kind: "invalid-response",
    provider: name,
    symbol: "*",
    message: `${name} cannot answer ${what}`,
  });
  if (step.kind === "market-day") {
    if (!provider.fetchMarketDay) return unsupported("a market day");
    const r = await provider.fetchMarketDay(step.date, options);
    return r.ok ? { ok: true, staged: stageMarketDay(name, step.date, r.bars, tickers), bytes: r.bytes } : r;
  }
  if (step.kind === "symbol-pages") {
    if (!provider.fetchSymbolsHistory) return unsupported("many symbols' bars");
    const r = await provider.fetchSymbolsHistory(step.symbols, step.from, step.to, options);
    return r.ok ? { ok: true, staged: stageSymbolPages(name, step, r.bars), bytes: r.bytes } : r;
  }
  if (!provider.fetchMarketActions) return unsupported("the market's actions");
  const r = await provider.fetchMarketActions(step.from, step.to, options);
  return r.ok
    ? { ok: true, staged: stageMarketActions(name, step.from, step.to, r.actions, tickers), bytes: r.bytes }
    : r;
}
