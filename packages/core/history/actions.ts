import { isCalendarDate } from "../days.ts";
import type { ProviderName } from "../market-data.port.ts";

/**
 * A corporate action that changes how earlier prices compare with later ones.
 *
 * - A split turns `from` shares into `to` shares on its ex-date: 2-for-1 is
 *   from 1 to 2, a 1-for-10 reverse split from 10 to 1. Prices before the
 *   ex-date are multiplied by from/to to compare with prices after it, and
 *   volumes by to/from.
 * - A cash dividend pays `amount` per share outstanding on its ex-date (raw:
 *   not adjusted for later splits). Prices before the ex-date are multiplied
 *   by 1 − amount / the last raw close before it (the CRSP method).
 */
export type CorporateAction = SplitAction | DividendAction;

export interface SplitAction {
  type: "split";
  /** ISO date of the first session at the new share count. */
  exDate: string;
  from: number;
  to: number;
  provider: ProviderName;
}

export interface DividendAction {
  type: "dividend";
  /** ISO date of the first session that trades without the dividend. */
  exDate: string;
  amount: number;
  provider: ProviderName;
}

/** Why an action as a provider reported it cannot be used, or undefined when it can. */
export function actionProblem(action: CorporateAction): string | undefined {
  if (!isCalendarDate(action.exDate)) return `exDate ${JSON.stringify(action.exDate)} is not a date`;
  if (action.type === "split") {
    if (!(action.from > 0 && action.to > 0 && Number.isFinite(action.from) && Number.isFinite(action.to)))
      return `split ${action.from}:${action.to} on ${action.exDate} needs positive share counts`;
    if (action.from === action.to)
      return `split ${action.from}:${action.to} on ${action.exDate} changes nothing`;
    return undefined;
  }
  if (!(action.amount > 0 && Number.isFinite(action.amount)))
    return `dividend of ${action.amount} on ${action.exDate} must be a positive amount`;
  return undefined;
}

/** Two reports of the same event: same type, same ex-date (a provider reports each once). */
function sameEvent(a: CorporateAction, b: CorporateAction): boolean {
  return a.type === b.type && a.exDate === b.exDate;
}

/**
 * Stored actions updated with newly reported ones: a new report of a known event that says
 * something else replaces it (providers correct amounts), unknown ones are added. Sorted by ex-date, splits before
 * dividends on the same day. `changed` tells whether anything differs from `stored`.
 */
export function mergeActions(
  stored: readonly CorporateAction[],
  reported: readonly CorporateAction[],
): { actions: CorporateAction[]; changed: boolean } {
  const merged = [...stored];
  let changed = false;
  for (const action of reported) {
    const at = merged.findIndex((known) => sameEvent(known, action));
    if (at < 0) {
      merged.push(action);
      changed = true;
    } else if (!sameAction(merged[at]!, action)) {
      merged[at] = action;
      changed = true;
    }
  }
  return { actions: sortActions(merged), changed };
}

export function sortActions(actions: readonly CorporateAction[]): CorporateAction[] {
  return [...actions].sort((a, b) =>
    a.exDate !== b.exDate
      ? a.exDate < b.exDate
        ? -1
        : 1
      : a.type === b.type
        ? 0
        : a.type === "split"
          ? -1
          : 1,
  );
}

/**
 * How far two reports of one dividend may differ and still be the same dividend: a provider that
 * spells dividends adjusted for a later split may round them, so the raw amount read back after a
 * 3-for-1 split can be off by a few tenths of a percent. Corrections of a dividend are larger.
 */
const SAME_DIVIDEND = 0.02;

/** The same report, to a provider's precision: the stored one (perhaps the more exact) stays. */
function sameAction(a: CorporateAction, b: CorporateAction): boolean {
  if (a.type === "split" && b.type === "split") return a.from === b.from && a.to === b.to;
  if (a.type === "dividend" && b.type === "dividend")
    return Math.abs(a.amount - b.amount) <= SAME_DIVIDEND * Math.max(a.amount, b.amount);
  return false;
}
