import { easternDateOf, easternEpochMs } from "./eastern-time.ts";
import { isTradingDay, lastTradingDayOnOrBefore, previousTradingDay } from "./trading-calendar.ts";

/**
 * The session a scan is for: the last New York trading day whose regular session has closed
 * (16:00 ET). A scan at 16:30 is for today; one at 10:00 for the day before, whose bars are
 * final. Early closes (13:00) are taken as 16:00: a scan between the two waits a day for them.
 */
export function latestClosedSession(nowMs: number): string {
  const today = easternDateOf(nowMs);
  if (!isTradingDay(today)) return lastTradingDayOnOrBefore(today);
  return nowMs >= easternEpochMs(today, 16, 0) ? today : previousTradingDay(today);
}
