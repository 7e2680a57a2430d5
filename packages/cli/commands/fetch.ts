import { closeProviderPools, createProvider, providerConfigFromEnv } from "../../adapters/providers/index.ts";
import { ConfigError, ValidationError } from "../../core/errors.ts";
import {
  type FetchFailure,
  type FetchFailureKind,
  isProviderName,
  PROVIDERS,
} from "../../core/market-data.port.ts";
import { type Bar, seriesToBars } from "../../core/series.ts";
import { canonicalSymbol } from "../../core/symbols.ts";

/**
 * `tickerfleet fetch <SYMBOL> [--provider yahoo|fmp|polygon|alphavantage] [--days N] [--json]`:
 * one provider request, printed. The same adapters the fetcher Lambda uses,
 * configured from the same environment (TICKERFLEET_<PROVIDER>_URL, *_API_KEY).
 *
 * Exit codes (stable, for scripts):
 *   0 bars printed
 *   1 unexpected error (a bug; printed with its stack)
 *   2 bad input or configuration (symbol, provider, days, missing key)
 *   3 not-found          4 rate-limited       5 transient
 *   6 invalid-response   7 unauthorized
 */
export const FETCH_EXIT_CODES: Readonly<Record<"ok" | "unexpected" | "usage" | FetchFailureKind, number>> = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  "not-found": 3,
  "rate-limited": 4,
  transient: 5,
  "invalid-response": 6,
  unauthorized: 7,
};

export interface FetchCommandOptions {
  /** @default "yahoo" */
  provider?: string;
  /** Trading days of bars. @default 260 */
  days?: number;
  /** Print `{symbol, provider, bars}` JSON instead of a table. @default false */
  json?: boolean;
}

/** Where the command writes and which environment it reads; tests pass their own. */
export interface FetchCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

const DEFAULT_DAYS = 260;
const TABLE_ROWS = 15;

/** The one-line description of a failure, as printed: `rate-limited (HTTP 429) from yahoo for AAPL: ...; retry after 30 s`. */
export function describeFailure(f: FetchFailure): string {
  const status = f.status === undefined ? "" : ` (HTTP ${f.status})`;
  const retry = f.retryAfterMs === undefined ? "" : `; retry after ${Math.ceil(f.retryAfterMs / 1000)} s`;
  return `${f.kind}${status} from ${f.provider} for ${f.symbol}: ${f.message}${retry}`;
}

function formatNumber(value: number, width: number, digits: number): string {
  return value.toFixed(digits).padStart(width);
}

function table(symbol: string, provider: string, bars: readonly Bar[]): string {
  const shown = bars.slice(-TABLE_ROWS);
  const first = bars[0]?.date;
  const last = bars[bars.length - 1]?.date;
  const lines = [
    `${symbol} from ${provider}: ${bars.length} bars, ${first} to ${last}` +
      (shown.length < bars.length ? ` (last ${shown.length} shown)` : ""),
    `${"date".padEnd(10)} ${"open".padStart(11)} ${"high".padStart(11)} ${"low".padStart(11)} ${"close".padStart(11)} ${"adj close".padStart(11)} ${"volume".padStart(14)}`,
  ];
  for (const b of shown) {
    lines.push(
      `${b.date} ${formatNumber(b.open, 11, 4)} ${formatNumber(b.high, 11, 4)} ${formatNumber(b.low, 11, 4)} ${formatNumber(b.close, 11, 4)} ${formatNumber(b.adjClose, 11, 4)} ${formatNumber(b.volume, 14, 0)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Runs `tickerfleet fetch`; returns the exit code (see FETCH_EXIT_CODES) instead of exiting. */
export async function fetchCommand(
  symbol: string,
  opts: FetchCommandOptions,
  io: FetchCommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const provider = opts.provider ?? "yahoo";
  // commander hands options over as strings unless told otherwise: accept "30" as 30.
  const days = opts.days === undefined ? DEFAULT_DAYS : Number(opts.days);
  try {
    if (!isProviderName(provider)) {
      io.stderr.write(
        `fetch failed: unknown provider ${JSON.stringify(provider)}; use one of ${PROVIDERS.join(", ")}\n`,
      );
      return FETCH_EXIT_CODES.usage;
    }
    if (!Number.isInteger(days) || days < 1 || days > 10_000) {
      io.stderr.write(
        `fetch failed: --days must be a whole number from 1 to 10000, got ${String(opts.days)}\n`,
      );
      return FETCH_EXIT_CODES.usage;
    }
    const canonical = canonicalSymbol(symbol);
    const adapter = createProvider(provider, providerConfigFromEnv(provider, io.env));
    const result = await adapter.fetchDaily(canonical, { days });
    if (!result.ok) {
      io.stderr.write(`fetch failed: ${describeFailure(result)}\n`);
      return FETCH_EXIT_CODES[result.kind];
    }
    const bars = seriesToBars(result.series);
    if (opts.json) io.stdout.write(`${JSON.stringify({ symbol: canonical, provider, bars })}\n`);
    else io.stdout.write(table(canonical, provider, bars));
    return FETCH_EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof ValidationError || error instanceof ConfigError) {
      io.stderr.write(`fetch failed: ${error.message}\n`);
      return FETCH_EXIT_CODES.usage;
    }
    io.stderr.write(
      `fetch failed: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return FETCH_EXIT_CODES.unexpected;
  } finally {
    // Idle keep-alive sockets would hold the process open after the answer.
    await closeProviderPools();
  }
}
