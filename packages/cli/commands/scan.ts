import { type Dollars, dollars, PRICES } from "../../core/cost.ts";
import type { ProviderName } from "../../core/market-data.port.ts";
import type { ScanRecord } from "../../core/pipeline/records.ts";
import type { ProviderChoice } from "../../core/pipeline/scan-request.ts";
import { isUniverseName, UNIVERSE_NAMES } from "../../core/universes.ts";
import { type LocalCounters, type LocalStack, startLocalStack } from "../../local/stack.ts";
import { usageBetween } from "../../local/usage.ts";
import { CliError } from "../errors.ts";
import { duration, truncate, usd } from "../format.ts";
import { leaderboardTable } from "../leaderboard-table.ts";
import { wholeNumberOption } from "../number-option.ts";
import { ensureLocalPrerequisites } from "../prerequisites.ts";
import { ScanProgressBar } from "../progress-bar.ts";
import { parseRateLimitOption } from "../rate-limit-option.ts";
import { invokeScanStart, waitForScan } from "../scan-watch.ts";
import { localTarget, runningLocalStack, stageNames, type Target, targetFrom } from "../target.ts";

export interface ScanCommandOptions {
  local?: boolean;
  stage?: string;
  /** A universe name or a comma-separated list of tickers. @default "sp500" */
  universe?: string;
  /** One provider, a fallback chain, or auto. */
  provider?: ProviderChoice;
  days?: string;
  /** Also fetch earnings growth (the provider must publish income statements: fmp). */
  fundamentals?: boolean;
  scanId?: string;
  json?: boolean;
  /** Leaderboard rows printed. @default 20 */
  top?: string;
  /** Local stack started by this command: the simulated providers' limit, e.g. 100/1s. */
  rateLimit?: string;
  /** Give up waiting after this many seconds (the scan goes on). @default 1800 */
  timeout?: string;
}

/** The `--json` summary. */
export interface ScanSummaryJson {
  /** The provider asked first, and the scan's fallback chain (it first). */
  provider: ProviderName;
  providers: ProviderName[];
  scanId: string;
  status: string;
  total: number;
  scored: number;
  failed: number;
  failures: { ticker: string; reason: string }[];
  durationMs: number;
  counts: {
    providerRequests: number | null;
    /** Bytes of the providers' answers (the local simulator's log; null for a stage). */
    providerBytes: number | null;
    cacheHits: number;
    redisCommands: number | null;
    sqsRequests: number | null;
    dynamoWrites: number | null;
    /** Tickers scored from each provider's bars (in a fallback chain, who served each). */
    byProvider: Partial<Record<ProviderName, number>>;
    /** Provider circuit breakers opened while the scan ran. */
    breakerOpens: number;
  };
  /** How the tickers' stored histories were made current; null for a scan from before the bars store. */
  history: {
    tickersIncremental: number;
    tickersFull: number;
    sessionsFetched: number;
    suspectGaps: number;
  } | null;
  /**
   * What the scan would have cost in AWS (us-east-1) and Upstash at list prices, from what it
   * used on the local stack; null when scanning a stage (its usage is billed, not counted here).
   */
  cost: (Dollars & { pricesOf: string }) | null;
}

function kib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function scanPayload(options: ScanCommandOptions): Record<string, unknown> {
  const universe = options.universe ?? "sp500";
  // One lower-case word is a universe name mistyped far more often than a ticker.
  if (!isUniverseName(universe) && /^[a-z0-9-]+$/.test(universe.trim())) {
    throw new CliError(
      `--universe "${universe}" is not a universe (${UNIVERSE_NAMES.join(", ")}); to scan tickers, list them: --universe ${universe.trim().toUpperCase()} or AAPL,MSFT`,
    );
  }
  const payload: Record<string, unknown> = {
    universe: isUniverseName(universe)
      ? universe
      : universe
          .split(/[,\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
  };
  if (options.provider) payload.provider = options.provider;
  if (options.fundamentals) payload.fundamentals = true;
  if (options.days !== undefined) {
    // The scan request says which range (it is the payload's rule, for every way to start a scan).
    payload.days = wholeNumberOption("--days", options.days, { min: 1 });
  }
  if (options.scanId) payload.scanId = options.scanId;
  return payload;
}

/** Counters of a local stack, from this process or from a running `local up`. */
type CounterSource = () => Promise<LocalCounters | undefined>;

function remoteCounters(env: Record<string, string>): CounterSource {
  return async () => {
    try {
      const res = await fetch(`${env.AWS_ENDPOINT_URL_LAMBDA}/_local/stats`, {
        signal: AbortSignal.timeout(5000),
      });
      return (await res.json()) as LocalCounters;
    } catch {
      return undefined;
    }
  };
}

/**
 * `tickerfleet scan --local | --stage <stage>`: starts a scan through the Lambda
 * Invoke API (the local stack's or AWS's: the same call), shows its progress,
 * and prints the leaderboard — or, with --json, the summary.
 */
export async function scanCommand(options: ScanCommandOptions): Promise<number> {
  if (options.local && options.stage) throw new CliError("choose one of --local and --stage");
  if (!options.local && !options.stage)
    throw new CliError("say where to scan: --local (the local stack) or --stage <stage>");
  const payload = scanPayload(options);
  const top = wholeNumberOption("--top", options.top ?? "20", { min: 1 });
  const timeoutMs = Number(options.timeout ?? 1800) * 1000;
  if (!(timeoutMs > 0))
    throw new CliError(`--timeout "${options.timeout}" is not a positive number of seconds`);

  let stack: LocalStack | undefined;
  let target: Target;
  let counters: CounterSource = async () => undefined;
  if (options.stage) {
    if (options.rateLimit)
      throw new CliError(
        "--rate-limit applies to a local stack only; a stage's limits are its TICKERFLEET_RATE_LIMIT_* settings",
      );
    target = targetFrom("stage", `stage ${options.stage}`, stageNames(options.stage));
  } else {
    const running = await runningLocalStack();
    if (running && options.rateLimit) {
      throw new CliError(
        "--rate-limit is set when the local stack starts; a `tickerfleet local up` is already running with its own",
      );
    }
    if (running) {
      target = localTarget(running);
      counters = remoteCounters(running);
    } else {
      const rateLimit = options.rateLimit ? parseRateLimitOption(options.rateLimit) : undefined;
      await ensureLocalPrerequisites();
      if (!options.json)
        process.stderr.write(
          "starting the local stack (SQS, DynamoDB, Upstash + redis-server, market simulator, Lambda runtime)…\n",
        );
      stack = await startLocalStack(rateLimit === undefined ? {} : { rateLimit });
      target = localTarget(stack.env);
      const started = stack;
      counters = () => started.counters();
    }
  }
  try {
    const before = await counters();
    const startedAt = Date.now();
    const { scanId, alreadyStarted } = await invokeScanStart(target, payload);
    if (!options.json) {
      process.stderr.write(
        `scan ${scanId} ${alreadyStarted ? "was already started" : "started"} on the ${target.label}\n`,
      );
    }
    const bar = new ScanProgressBar();
    let scan: ScanRecord;
    try {
      scan = await waitForScan(target, scanId, { timeoutMs, onProgress: (p) => bar.update(p) });
    } finally {
      bar.stop();
    }
    const after = await counters();
    const failures: { ticker: string; reason: string }[] = [];
    for await (const r of target.store.results(scanId)) {
      if (r.status === "failed") failures.push({ ticker: r.ticker, reason: `${r.reason}: ${r.message}` });
    }
    for (const ticker of scan.summary?.unaccountedTickers ?? [])
      failures.push({ ticker, reason: "unaccounted before the scan's deadline" });
    const delta = (f: (c: LocalCounters) => number) => (before && after ? f(after) - f(before) : null);
    const summary: ScanSummaryJson = {
      scanId,
      status: scan.status,
      total: scan.total,
      provider: scan.provider,
      providers: scan.providers ?? [scan.provider],
      scored: scan.summary?.scored ?? 0,
      failed: (scan.summary?.failed ?? 0) + (scan.summary?.unaccounted ?? 0),
      failures,
      durationMs: scan.summary?.durationMs ?? Date.now() - startedAt,
      counts: {
        providerRequests: delta((c) => c.providerRequests),
        providerBytes: delta((c) => c.providerBytes),
        cacheHits: scan.summary?.cacheHits ?? 0,
        redisCommands: delta((c) => c.redisCommands),
        sqsRequests: delta((c) => c.sqsRequests),
        dynamoWrites: delta((c) => c.dynamoWriteUnits),
        byProvider: scan.summary?.byProvider ?? {},
        breakerOpens: scan.summary?.breakerOpens ?? scan.breakerOpens ?? 0,
      },
      history: scan.summary?.history ?? null,
      cost: before && after ? { ...dollars(usageBetween(before, after)), pricesOf: PRICES.checked } : null,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    }
    const rows = (await target.store.leaderboard(scanId)) ?? [];
    const lines = [
      "",
      `${scan.status}  ${summary.scored} scored, ${summary.failed} failed of ${summary.total} in ${duration(summary.durationMs)}  (${scan.universe}, ${(scan.providers ?? [scan.provider]).join(" → ")})`,
      scan.summary
        ? `market: ${scan.summary.market.state} (${scan.summary.market.score}); RS against ${scan.summary.benchmarkSource === "benchmark" ? scan.benchmark : "the universe median"}`
        : "",
      "",
      leaderboardTable(rows.slice(0, top)),
    ];
    if (failures.length > 0) {
      lines.push("", `failed (${failures.length}):`);
      for (const f of failures.slice(0, 10)) lines.push(`  ${f.ticker.padEnd(8)} ${truncate(f.reason, 100)}`);
      if (failures.length > 10)
        lines.push(`  … and ${failures.length - 10} more: tickerfleet status ${scanId} --json`);
    }
    const c = summary.counts;
    if (c.providerRequests !== null) {
      lines.push(
        "",
        `requests: provider ${c.providerRequests} (${kib(c.providerBytes ?? 0)}), cache hits ${c.cacheHits}, Redis ${c.redisCommands}, SQS ${c.sqsRequests}, DynamoDB write units ${c.dynamoWrites}`,
      );
    }
    const h = summary.history;
    if (h) {
      lines.push(
        `history: ${h.tickersIncremental} tickers asked only for the sessions they lacked, ${h.tickersFull} for their whole lookback; ${h.sessionsFetched} sessions fetched${h.suspectGaps > 0 ? `; ${h.suspectGaps} suspect gaps` : ""}`,
      );
    }
    const cost = summary.cost;
    if (cost) {
      lines.push(
        `cost: ${usd(cost.total)} at AWS (us-east-1) and Upstash list prices of ${cost.pricesOf}: Lambda ${usd(cost.lambda)}, DynamoDB ${usd(cost.dynamo)}, SQS ${usd(cost.sqs)}, Upstash ${usd(cost.upstash)}`,
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    target.close();
    await stack?.stop();
  }
}
