import { isCalendarDate } from "../../core/days.ts";
import { ValidationError } from "../../core/errors.ts";
import { lastTradingDayOnOrBefore } from "../../core/trading-calendar.ts";
import { gridDates, gridIndexOf } from "./grid.ts";

/**
 * The simulated market's clock: today, the last trading day with data. It
 * starts at the anchor (the simulator's asOf) and a test moves it
 * (`POST /_sim/clock`): forward by trading sessions, or to any trading date
 * from the first day of the anchor's served history to the end of the grid.
 */

/** `{ "advanceSessions": n }` (n ≥ 1) or `{ "asOf": "YYYY-MM-DD" }` (a non-trading day means the trading day before it). */
export type ClockMove = { advanceSessions: number } | { asOf: string };

/** What `GET /_sim/clock` and every move answer. */
export interface ClockState {
  /** Today. */
  asOf: string;
  /** The starting today, which the simulated history is placed relative to. */
  anchor: string;
}

/** The grid days today may be: the anchor's served history start to the end of the grid. */
export interface ClockBounds {
  today: number;
  first: number;
  last: number;
}

/** The grid index a move leads to; throws ValidationError naming what is wrong with it. */
export function clockTarget(input: unknown, bounds: ClockBounds): number {
  const move = parseClockMove(input);
  const dates = gridDates();
  const range = `${dates[bounds.first]} to ${dates[bounds.last]}`;
  if ("advanceSessions" in move) {
    const target = bounds.today + move.advanceSessions;
    if (target > bounds.last)
      throw new ValidationError("clock move", [
        `advanceSessions: ${move.advanceSessions} sessions from ${dates[bounds.today]} is past the end of the simulated calendar (${dates[bounds.last]})`,
      ]);
    return target;
  }
  const target = gridIndexOf(lastTradingDayOnOrBefore(move.asOf));
  if (target === undefined || target < bounds.first || target > bounds.last)
    throw new ValidationError("clock move", [
      `asOf: ${move.asOf} is outside the simulated calendar (${range})`,
    ]);
  return target;
}

function parseClockMove(input: unknown): ClockMove {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new ValidationError("clock move", [
      'expected an object: {"advanceSessions": n} or {"asOf": "YYYY-MM-DD"}',
    ]);
  const keys = Object.keys(input);
  const known = keys.filter((k) => k === "advanceSessions" || k === "asOf");
  const unknown = keys.filter((k) => k !== "advanceSessions" && k !== "asOf");
  const problems: string[] = [];
  if (unknown.length) problems.push(`unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`);
  if (known.length === 0) problems.push('give advanceSessions (a whole number ≥ 1) or asOf ("YYYY-MM-DD")');
  if (known.length > 1) problems.push("give advanceSessions or asOf, not both");
  const record = input as Record<string, unknown>;
  if ("advanceSessions" in record) {
    const n = record.advanceSessions;
    if (!(typeof n === "number" && Number.isInteger(n) && n >= 1))
      problems.push(
        `advanceSessions: expected a whole number of sessions ≥ 1 (the clock moves back by asOf), got ${JSON.stringify(n)}`,
      );
  }
  if ("asOf" in record) {
    const asOf = record.asOf;
    if (!(typeof asOf === "string" && isCalendarDate(asOf)))
      problems.push(`asOf: expected a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  }
  if (problems.length) throw new ValidationError("clock move", problems);
  return record as ClockMove;
}
