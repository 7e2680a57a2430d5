import type { AlertContent } from "./alert-content.ts";

/**
 * An alert's words, channel-neutral: a title, then sections of lines. Each channel renders
 * them in its own markup (and escapes them its own way); the text here is plain.
 */
export interface AlertSection {
  title: string;
  lines: string[];
}

export interface AlertText {
  title: string;
  /** One line: the scan's counts and the market. */
  summary: string;
  sections: AlertSection[];
}

/** Tickers a line lists before "+N more": a chat message stays short; the report and webhook have all. */
export const LISTED = 12;
/** Tickers a screen's top list shows in a chat message. */
export const SCREEN_LIST = 5;

export function listed(tickers: readonly string[], max = LISTED): string {
  if (tickers.length <= max) return tickers.join(", ");
  return `${tickers.slice(0, max).join(", ")} +${tickers.length - max} more`;
}

function changeLines(content: AlertContent): string[] {
  const changes = content.changes;
  if (!changes) return ["No changes were kept for this scan."];
  if (changes.previousScanId === null)
    return [`First finished scan of ${content.universe}: nothing to compare.`];
  const lines: string[] = [];
  if (changes.market) lines.push(`Market turned: ${changes.market.from} → ${changes.market.to}`);
  for (const [name, m] of Object.entries(changes.screens)) {
    if (m.entered.length > 0) lines.push(`${name}: entered ${listed(m.entered)}`);
    if (m.left.length > 0) lines.push(`${name}: left ${listed(m.left)}`);
  }
  if (changes.top.entered.length > 0)
    lines.push(`Top ${changes.top.size}: in ${listed(changes.top.entered)}`);
  if (changes.top.left.length > 0) lines.push(`Top ${changes.top.size}: out ${listed(changes.top.left)}`);
  for (const [level, c] of Object.entries(changes.rs)) {
    if (c.crossedAbove.length > 0) lines.push(`RS crossed above ${level}: ${listed(c.crossedAbove)}`);
    if (c.crossedBelow.length > 0) lines.push(`RS fell below ${level}: ${listed(c.crossedBelow)}`);
  }
  if (lines.length === 0) lines.push(`No changes since ${changes.previousScanId}.`);
  return lines;
}

function screenLines(content: AlertContent): string[] {
  return content.screens.map((s) => {
    const top = s.top
      .slice(0, SCREEN_LIST)
      .map((t) => `${t.ticker}${t.composite === null ? "" : ` ${t.composite}`}`)
      .join(", ");
    return `${s.name} (${s.count}): ${s.count === 0 ? "none" : top}${s.count > SCREEN_LIST ? ", …" : ""}`;
  });
}

/** The alert's plain words. */
export function alertText(content: AlertContent): AlertText {
  const c = content.counts;
  const failed = c.failed + c.unaccounted;
  const market = content.market ? ` Market: ${content.market.state}.` : "";
  const sections: AlertSection[] = [
    { title: "Changes", lines: changeLines(content) },
    { title: "Screens (best composite first)", lines: screenLines(content) },
  ];
  if (content.reportUrl) sections.push({ title: "Report", lines: [content.reportUrl] });
  return {
    title: `tickerfleet ${content.universe} ${content.session ?? ""} scan ${content.status}`.replace(
      /\s+/g,
      " ",
    ),
    summary: `${c.scored} of ${c.total} scored${failed > 0 ? `, ${failed} failed` : ""}.${market} Scan ${content.scanId}.`,
    sections,
  };
}
