import { request } from "undici";
import { isCalendarDate } from "../core/days.ts";
import { ConfigError } from "../core/errors.ts";
import { latestClosedSession } from "../core/market-session.ts";

/**
 * The market session a scan starting now is for. In AWS the clock on the wall: the last closed
 * New York session. With `TICKERFLEET_MARKET_CLOCK_URL` set (the local stack sets it to the
 * market simulator's `/_sim/clock`), that clock's `asOf`: a test that moves the simulated
 * market on moves the scans with it.
 */
export function marketClock(env: NodeJS.ProcessEnv = process.env): () => Promise<string> {
  const url = env.TICKERFLEET_MARKET_CLOCK_URL?.trim();
  if (!url) return async () => latestClosedSession(Date.now());
  try {
    new URL(url);
  } catch (cause) {
    throw new ConfigError(`TICKERFLEET_MARKET_CLOCK_URL=${JSON.stringify(url)} is not a URL`, { cause });
  }
  return async () => {
    const response = await request(url, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    const body = (await response.body.json()) as { asOf?: unknown };
    if (response.statusCode !== 200 || typeof body?.asOf !== "string" || !isCalendarDate(body.asOf)) {
      throw new ConfigError(
        `the market clock at ${url} answered ${response.statusCode} without an asOf date`,
      );
    }
    return body.asOf;
  };
}
