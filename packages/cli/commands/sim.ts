import { PROVIDERS } from "../../core/market-data.port.ts";
import {
  combinePatches,
  parseLatencySpec,
  parseRateLimitSpec,
  type SimulatorConfigPatch,
  startMarketSimulator,
} from "../../local/sim/index.ts";

/**
 * `tickerfleet sim [--port N] [--seed N] [--as-of YYYY-MM-DD] [--rate-limit yahoo=100/1s,polygon=5/60s]
 * [--latency lognormal:80:400 | yahoo=lognormal:80:400,fmp=fixed:20]`:
 * runs the market simulator in the foreground and prints one
 * `TICKERFLEET_<PROVIDER>_URL=...` line per provider (stdout, ready for
 * `export`); everything else goes to stderr. Stops on SIGINT/SIGTERM.
 * Bad options throw ConfigError naming the bad value.
 */
/** Keys the simulator accepts (it accepts any non-empty key not in its rejectedKeys). */
const SIM_KEYS = {
  FMP_API_KEY: "sim-fmp-key",
  POLYGON_API_KEY: "sim-polygon-key",
  ALPHAVANTAGE_API_KEY: "sim-alphavantage-key",
  APCA_API_KEY_ID: "sim-alpaca-key-id",
  APCA_API_SECRET_KEY: "sim-alpaca-secret-key",
};

export interface SimCommandOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default 42 */
  seed?: number;
  /**
   * The market's starting today (the anchor: recent IPOs and splits are placed relative to
   * it); `POST /_sim/clock` moves today from there. @default the last trading day on or before today
   */
  asOf?: string;
  /** e.g. `yahoo=100/1s,polygon=5/60s`. @default no limits but Alpaca's 200 a minute */
  rateLimit?: string;
  /** e.g. `lognormal:80:400` or `yahoo=lognormal:80:400,fmp=fixed:20`. @default no latency */
  latency?: string;
}

/** Where the command writes, and what stops it; tests pass their own. */
export interface SimCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Stops the simulator like SIGINT does. */
  signal?: AbortSignal;
}

export async function simCommand(
  opts: SimCommandOptions,
  io: SimCommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<void> {
  let config: SimulatorConfigPatch = {};
  if (opts.rateLimit) config = combinePatches(config, parseRateLimitSpec(opts.rateLimit));
  if (opts.latency) config = combinePatches(config, parseLatencySpec(opts.latency));

  const sim = await startMarketSimulator({
    port: opts.port ?? 0,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
    config,
  });
  for (const provider of PROVIDERS)
    io.stdout.write(`TICKERFLEET_${provider.toUpperCase()}_URL=${sim.urls[provider]}\n`);
  // The simulator accepts any non-empty key; print one per keyed provider so the lines can be exported as they are.
  for (const [name, value] of Object.entries(SIM_KEYS)) io.stdout.write(`${name}=${value}\n`);
  io.stderr.write(
    `market simulator on ${sim.url} (seed ${sim.seed}, data up to ${sim.asOf}); ` +
      `request log ${sim.url}/_sim/requests, config ${sim.url}/_sim/config, clock ${sim.url}/_sim/clock. Ctrl-C stops it.\n`,
  );

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener("abort", stop);
  });
  await sim.close();
  io.stderr.write("market simulator stopped\n");
}
