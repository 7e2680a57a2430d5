import { ALERT_SECRETS, type FunctionId, type Topology } from "../../stacks/topology/index.ts";
import type { ProviderName } from "../core/market-data.port.ts";
import { PROVIDERS } from "../core/market-data.port.ts";
import type { ProviderLimit } from "../core/rate-plan.ts";
import { type LocalCloud, type LocalCloudStats, startLocalCloud } from "./cloud.ts";
import type { FunctionStats } from "./runtime/function-pool.ts";
import { type LocalRuntime, startLocalRuntime } from "./runtime/index.ts";
import { type LambdaApi, startLambdaApi } from "./runtime/lambda-api.ts";
import type { BatchReport } from "./runtime/sqs-mapping.ts";
import type { LatencyDistribution, SimulatorConfigPatch } from "./sim/index.ts";
import { type SimulatorProcess, startSimulatorProcess } from "./sim/process.ts";
import { processCpuMs, threadCpuMs } from "./threads/cpu-time.ts";

/**
 * Settings of the shell that started the stack that its functions see too, as a deployment's
 * would; the alert channels' URLs and tokens among them (SST secrets in AWS).
 */
const PASSED_SETTINGS: readonly string[] = [
  "TICKERFLEET_PROVIDERS",
  "TICKERFLEET_DEFAULT_PROVIDER",
  "TICKERFLEET_ALERT_SCREENS",
  "TICKERFLEET_ALERT_TOP_N",
  "TICKERFLEET_ALERT_EMAIL",
  "TICKERFLEET_TELEGRAM_URL",
  ...Object.values(ALERT_SECRETS),
];

export interface LocalStackOptions {
  /** Fixed ports from this base (see startLocalCloud); free ports by default. */
  portBase?: number;
  /**
   * The providers' rate limit, enforced by the simulator and held by the
   * fetchers (both get the same numbers); several windows are all enforced
   * (e.g. 5 a minute and 25 a day). @default 100 per second
   */
  rateLimit?: ProviderLimit | readonly ProviderLimit[] | null;
  /** Simulated provider latency. @default lognormal, median 40 ms, p99 250 ms */
  latency?: LatencyDistribution;
  /** More simulator behaviour (faults...), applied after rateLimit and latency. */
  sim?: SimulatorConfigPatch;
  /** @default 42 */
  seed?: number;
  /** The simulator's anchor: its first today (tests move its clock from there). @default the last trading day up to today */
  asOf?: string;
  /** Bytes of rendered simulator answers kept for repeated requests (see SimulatorOptions). @default 600 MiB */
  simRenderCacheBytes?: number;
  /** @default the project's topology */
  topology?: Topology;
  /** Which schedules run: all, only the finalize sweep, or none. @default "sweep" */
  schedules?: "all" | "sweep" | "none";
  /** Extra function environment (TICKERFLEET_* settings). */
  env?: Record<string, string>;
  log?: (functionName: string, containerId: string, line: string) => void;
  onBatch?: (fn: FunctionId, report: BatchReport) => void;
}

export interface LocalStackStats extends LocalCloudStats {
  functions: Record<FunctionId, FunctionStats>;
}

/** Counters a scan's summary reports, as totals since the stack started (what `GET /_local/stats` serves). */
export interface LocalCounters extends LocalStackStats {
  providerRequests: number;
  /** Bytes of the simulator's answers. */
  providerBytes: number;
}

export interface LocalStack {
  readonly cloud: LocalCloud;
  readonly sim: SimulatorProcess;
  readonly runtime: LocalRuntime;
  readonly lambdaApi: LambdaApi;
  /** Every endpoint as KEY=value (what `local up` prints and writes to .tickerfleet/local.env). */
  readonly env: Record<string, string>;
  /** Counters of the cloud's parts and functions; provider requests are in `sim.requests()`. */
  stats(): Promise<LocalStackStats>;
  /** The cloud's and functions' counters plus the requests the simulator received. */
  counters(): Promise<LocalCounters>;
  /** CPU time used so far by each part, in ms (Linux; an empty object elsewhere). */
  cpuMs(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** The keys the local stack gives the providers (the simulator takes any non-empty key); Alpaca takes two. */
const LOCAL_KEYS: Record<Exclude<ProviderName, "yahoo" | "alpaca">, string> & {
  alpaca: { keyId: string; secretKey: string };
} = {
  fmp: "local-fmp-key",
  polygon: "local-polygon-key",
  alphavantage: "local-alphavantage-key",
  alpaca: { keyId: "local-alpaca-key-id", secretKey: "local-alpaca-secret-key" },
};

/** The fetchers' spelling of a limit (TICKERFLEET_RATE_LIMIT_*): `100/1000ms`, several comma-separated. */
function limitText(limit: ProviderLimit | readonly ProviderLimit[]): string {
  const windows: readonly ProviderLimit[] = Array.isArray(limit) ? limit : [limit as ProviderLimit];
  return windows.map((w) => `${w.limit}/${w.windowMs}ms`).join(",");
}

/**
 * The whole product on one machine: the local cloud, the market simulator,
 * the local Lambda runtime with the topology's functions, and the Lambda
 * Invoke API in front of it. The same handler code as in AWS runs here.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const base = options.portBase;
  const rateLimit = options.rateLimit === undefined ? { limit: 100, windowMs: 1000 } : options.rateLimit;
  const latency: LatencyDistribution = options.latency ?? { kind: "lognormal", medianMs: 40, p99Ms: 250 };
  const cloud = await startLocalCloud({ ...(base !== undefined ? { portBase: base } : {}) });
  const stoppers: (() => Promise<void>)[] = [() => cloud.stop()];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    const providerPatch = { rateLimit, latency };
    const sim = await startSimulatorProcess({
      port: base === undefined ? 0 : base + 4,
      seed: options.seed ?? 42,
      ...(options.asOf ? { asOf: options.asOf } : {}),
      ...(options.simRenderCacheBytes !== undefined ? { renderCacheBytes: options.simRenderCacheBytes } : {}),
      config: {
        yahoo: providerPatch,
        fmp: providerPatch,
        polygon: providerPatch,
        alphavantage: providerPatch,
        alpaca: providerPatch,
      },
    });
    stoppers.push(() => sim.close());
    if (options.sim) await sim.configure(options.sim);

    const functionEnv: Record<string, string> = {
      ...Object.fromEntries(PROVIDERS.map((p) => [`TICKERFLEET_${p.toUpperCase()}_URL`, sim.urls[p]])),
      // Scans are for the simulated market's today, which tests move (POST /_sim/clock).
      TICKERFLEET_MARKET_CLOCK_URL: `${sim.url}/_sim/clock`,
      // Without a limit at the simulator, the fetchers hold none worth speaking of either.
      ...Object.fromEntries(
        PROVIDERS.map((p) => [
          `TICKERFLEET_RATE_LIMIT_${p.toUpperCase()}`,
          limitText(rateLimit ?? { limit: 1_000_000, windowMs: 1000 }),
        ]),
      ),
      // A deployment's choice of providers (README "Providers that fail"), as `local up` was given it.
      ...Object.fromEntries(
        PASSED_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
      ),
      ...options.env,
    };
    // What a topic's email subscribers would receive, printed with the functions' lines (`local up --logs`).
    const log = options.log;
    if (log) {
      const unsubscribe = cloud.sns.onPublish((m) =>
        log(
          "SNS",
          "email",
          JSON.stringify({ event: "email", topicArn: m.topicArn, subject: m.subject, message: m.message }),
        ),
      );
      stoppers.push(async () => unsubscribe());
    }
    const schedules = options.schedules ?? "sweep";
    const topology = options.topology;
    const runtime = await startLocalRuntime({
      endpoints: cloud.endpoints,
      ...(topology ? { topology } : {}),
      env: functionEnv,
      secrets: {
        FmpApiKey: LOCAL_KEYS.fmp,
        PolygonApiKey: LOCAL_KEYS.polygon,
        AlphaVantageApiKey: LOCAL_KEYS.alphavantage,
        AlpacaApiKeyId: LOCAL_KEYS.alpaca.keyId,
        AlpacaApiSecretKey: LOCAL_KEYS.alpaca.secretKey,
      },
      schedules: schedules !== "none",
      scheduleFilter: schedules === "sweep" ? (s) => s.fn === "finalize" : undefined,
      ...(options.log ? { log: options.log } : {}),
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
    stoppers.push(() => runtime.stop());
    const stats = async (): Promise<LocalStackStats> => ({
      ...(await cloud.stats()),
      functions: runtime.stats(),
    });
    const counters = async (): Promise<LocalCounters> => {
      const requests = await sim.requests();
      return {
        ...(await stats()),
        providerRequests: requests.length,
        providerBytes: requests.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
      };
    };
    const lambdaApi = await startLambdaApi({
      target: runtime,
      region: cloud.endpoints.region,
      accountId: "000000000000",
      port: base === undefined ? 0 : base + 5,
      stats: counters,
    });
    stoppers.push(() => lambdaApi.close());
    const env: Record<string, string> = {
      ...cloud.env,
      AWS_ENDPOINT_URL_LAMBDA: lambdaApi.url,
      ...Object.fromEntries(PROVIDERS.map((p) => [`TICKERFLEET_${p.toUpperCase()}_URL`, sim.urls[p]])),
      FMP_API_KEY: LOCAL_KEYS.fmp,
      POLYGON_API_KEY: LOCAL_KEYS.polygon,
      ALPHAVANTAGE_API_KEY: LOCAL_KEYS.alphavantage,
      APCA_API_KEY_ID: LOCAL_KEYS.alpaca.keyId,
      APCA_API_SECRET_KEY: LOCAL_KEYS.alpaca.secretKey,
      TICKERFLEET_SIM_URL: sim.url,
      TICKERFLEET_MARKET_CLOCK_URL: `${sim.url}/_sim/clock`,
      TICKERFLEET_SCAN_START_FUNCTION: runtime.functionNames.scanStart,
      TICKERFLEET_SCANS_TABLE: runtime.provisioned.tables.scans,
      TICKERFLEET_RESULTS_TABLE: runtime.provisioned.tables.results,
      TICKERFLEET_BARS_TABLE: runtime.provisioned.tables.bars,
    };
    let stopped = false;
    return {
      cloud,
      sim,
      runtime,
      lambdaApi,
      env,
      stats,
      counters,
      async cpuMs() {
        const parts: Record<string, number | null> = {
          ...Object.fromEntries(Object.entries(runtime.stats()).map(([fn, s]) => [fn, s.cpuMs])),
          sqsServer: await cloud.sqs.cpuMs(),
          dynamodbServer: await cloud.dynamodb.cpuMs(),
          upstashServer: await cloud.upstash.cpuMs(),
          // The runtime (mappings, Invoke API) and whatever else the process runs on its main thread.
          mainThread: threadCpuMs(),
          simulator: processCpuMs(sim.pid),
          redisServer: processCpuMs(cloud.redis.pid),
        };
        if (parts.mainThread === null) return {};
        const cpu = process.cpuUsage();
        // V8's garbage-collection and compiler helpers, libuv's pool: the process's threads not named above.
        const named = Object.entries(parts)
          .filter(([k]) => k !== "simulator" && k !== "redisServer")
          .reduce((sum, [, v]) => sum + (v ?? 0), 0);
        parts.otherThreads = Math.max(0, (cpu.user + cpu.system) / 1000 - named);
        return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.round(v ?? 0)]));
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
