import type { LeaderboardRow } from "../core/pipeline/records.ts";
import { allListings } from "../core/universes.ts";
import { fixed, signed, table, truncate } from "./format.ts";

/** The leaderboard as `scan` and `top` print it, with each listing's name where the shipped universes know it. */
export function leaderboardTable(rows: readonly LeaderboardRow[]): string {
  if (rows.length === 0) return "(no ticker scored: nothing to rank)";
  const names = allListings();
  return table(rows, [
    { header: "#", value: (r) => String(r.rank), align: "right" },
    { header: "Ticker", value: (r) => r.ticker },
    { header: "Name", value: (r) => truncate(names.get(r.ticker)?.name ?? "", 28) },
    { header: "Score", value: (r) => fixed(r.score, 1), align: "right" },
    { header: "RS", value: (r) => String(r.rsRating), align: "right" },
    { header: "Trend", value: (r) => `${r.trendCount}/8`, align: "right" },
    { header: "Close", value: (r) => fixed(r.close, 2), align: "right" },
    { header: "Chg %", value: (r) => signed(r.changePct, 2), align: "right" },
    { header: "MACD", value: (r) => r.macdStage },
  ]);
}
