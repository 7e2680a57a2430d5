/**
 * The scanner tickerfleet replaces, written the way such scripts are: a
 * semaphore of 10, batches of 50 tickers, a 0.5 s pause between batches, a
 * 30 s timeout per request, and a retry on any error (3 attempts, 1 s apart).
 * It asks Yahoo's chart endpoint (here: the simulator's) for two years of
 * daily bars and computes a couple of indicators per ticker, as the seeds do.
 */
import { rsi, sma } from "../../packages/core/indicators.ts";

/** What the seeds' scanner asks Yahoo for, `{symbol}` in Yahoo's spelling. */
export const SEED_SCANNER_PATH = "/v8/finance/chart/{symbol}?range=2y&interval=1d";

export interface SeedScanOptions {
  /** Yahoo chart base URL (TICKERFLEET_YAHOO_URL). */
  baseUrl: string;
  /** Provider spellings of the tickers. */
  symbols: readonly string[];
  /** @default 10 */
  concurrency?: number;
  /** @default 50 */
  batchSize?: number;
  /** @default 500 */
  pauseMs?: number;
  /** @default 30_000 */
  timeoutMs?: number;
  /** @default 3 */
  attempts?: number;
  /** @default 1000 */
  retryDelayMs?: number;
}

export interface SeedScanResult {
  wallMs: number;
  scored: number;
  failed: number;
  /** HTTP responses that were errors (429s included), each one retried or given up on. */
  errors: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fetchOne(
  options: Required<SeedScanOptions>,
  symbol: string,
  tally: { errors: number },
): Promise<boolean> {
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      const res = await fetch(
        `${options.baseUrl}${SEED_SCANNER_PATH.replace("{symbol}", encodeURIComponent(symbol))}`,
        {
          signal: AbortSignal.timeout(options.timeoutMs),
        },
      );
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      const body = (await res.json()) as {
        chart: { result: { indicators: { quote: { close: (number | null)[] }[] } }[] };
      };
      const closes = body.chart.result[0]!.indicators.quote[0]!.close.filter((c): c is number => c !== null);
      sma(closes, 50);
      rsi(closes, 14);
      return true;
    } catch {
      tally.errors++;
      if (attempt < options.attempts) await sleep(options.retryDelayMs);
    }
  }
  return false;
}

export async function seedScan(input: SeedScanOptions): Promise<SeedScanResult> {
  const options: Required<SeedScanOptions> = {
    concurrency: 10,
    batchSize: 50,
    pauseMs: 500,
    timeoutMs: 30_000,
    attempts: 3,
    retryDelayMs: 1000,
    ...input,
  };
  const tally = { errors: 0 };
  let scored = 0;
  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < options.symbols.length; i += options.batchSize) {
    const batch = options.symbols.slice(i, i + options.batchSize);
    // The semaphore: at most `concurrency` requests in flight.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, batch.length) }, async () => {
        while (next < batch.length) {
          const symbol = batch[next++]!;
          if (await fetchOne(options, symbol, tally)) scored++;
          else failed++;
        }
      }),
    );
    if (i + options.batchSize < options.symbols.length) await sleep(options.pauseMs);
  }
  return { wallMs: performance.now() - started, scored, failed, errors: tally.errors };
}
