import { createHash } from "node:crypto";
import { RS_LEVELS, type ScanChanges } from "../changes/changes.ts";
import { escapeHtml as e, jsonForScript } from "./html.ts";
import { type RenderedChart, renderBreadthCharts, renderPriceChart } from "./report-charts.ts";
import type { ReportData, ReportRow, ReportScan } from "./report-data.ts";
import { REPORT_PAGE_SCRIPT } from "./report-page-script.ts";
import { REPORT_STYLES } from "./report-styles.ts";

/**
 * A scan's report as one self-contained HTML page (Lighthouse's model: it opens from disk, by
 * mail, on a phone, years later): styles, one script and the data inline; charts drawn on the
 * server as inline SVG; a Content-Security-Policy that lets the page fetch nothing at all.
 *
 * The leaderboard's rows travel as compact JSON (one array per row) and the script builds the
 * table from them: for the ~7,500 rows of us-all that is about a third of the size of the same
 * table as HTML, and it shows REPORT_PAGE_ROWS of them at a time (report-page-script.ts).
 * Pure: everything shown comes from `data`, nothing is read while rendering.
 */
export function renderReport(data: ReportData): string {
  const { scan } = data;
  const breadth = renderBreadthCharts(data.breadth);
  const prices = data.charts.map(renderPriceChart);
  const script = REPORT_PAGE_SCRIPT;
  const scriptHash = createHash("sha256").update(script).digest("base64");
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:`;
  const title = `tickerfleet report: ${scan.universe} ${scan.session ?? scan.createdAt.slice(0, 10)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<title>${e(title)}</title>
<style>${REPORT_STYLES}</style>
</head>
<body>
<main>
<header>
<h1>${e(title)}</h1>
<p class="meta">Scan <code>${e(scan.scanId)}</code> · rendered ${e(data.generatedAt)}</p>
<nav><a href="#summary">Summary</a>${data.changes ? '<a href="#changes">Changes</a>' : ""}<a href="#leaderboard-section">Leaderboard</a><a href="#breadth">Market breadth</a><a href="#top-charts">Top charts</a></nav>
</header>
${summarySection(scan)}
${data.changes ? changesSection(data.changes) : ""}
${leaderboardSection(data)}
<section id="breadth">
<h2>Market breadth</h2>
${breadth.length > 0 ? `<div class="charts">${breadth.map(figure).join("\n")}</div>` : '<p class="empty">No breadth series was stored for this scan.</p>'}
</section>
<section id="top-charts">
<h2>Top ${prices.length} by composite score</h2>
${prices.length > 0 ? `<div class="charts small">${prices.map(figure).join("\n")}</div>` : '<p class="empty">No price charts.</p>'}
</section>
</main>
<script id="report-data" type="application/json">${jsonForScript(leaderboardData(data))}</script>
<script>${script}</script>
</body>
</html>
`;
}

function figure(chart: RenderedChart): string {
  return `<figure class="chart" data-chart="${e(chart.name)}"><figcaption>${e(chart.title)}</figcaption>${chart.svg}</figure>`;
}

const count = (n: number) => n.toLocaleString("en-US");

/** 12,340 ms → "12.3 s"; 75 s → "1 min 15 s"; 4,000 s → "1 h 06 min". */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} min`;
}

function formatCost(usd: number): string {
  return `$${usd < 1 ? usd.toPrecision(2) : usd.toFixed(2)}`;
}

function summarySection(scan: ReportScan): string {
  const items: [string, string][] = [
    ["Universe", e(scan.universe)],
    [
      "Provider",
      e(scan.providers && scan.providers.length > 1 ? scan.providers.join(" → ") : scan.provider) +
        (scan.plan
          ? ` · plan: ${count(scan.plan.requests)} requests, ${scan.plan.seconds.toLocaleString("en-US")} s`
          : ""),
    ],
    ["Status", `<span class="status-${e(scan.status)}">${e(scan.status)}</span>`],
    ["Session", scan.session ? e(scan.session) : "–"],
    ["Started", e(scan.createdAt)],
    ["Finished", scan.finishedAt ? e(scan.finishedAt) : "–"],
    ["Duration", scan.durationMs === undefined ? "–" : formatDuration(scan.durationMs)],
    ["Provider requests", scan.providerRequests === null ? "not counted" : count(scan.providerRequests)],
    ["Cost", scan.costUsd === null ? "not measured" : formatCost(scan.costUsd)],
    [
      "Tickers",
      `${count(scan.total)}: ${count(scan.scored)} scored, ${count(scan.failed)} failed, ${count(scan.unaccounted)} unaccounted`,
    ],
  ];
  const byProvider = Object.entries(scan.byProvider ?? {}).filter(([, n]) => n !== undefined);
  if (byProvider.length > 0) {
    items.push(["By provider", byProvider.map(([p, n]) => `${e(p)} ${count(n as number)}`).join(", ")]);
  }
  if (scan.cacheHits !== undefined) items.push(["Cache hits", count(scan.cacheHits)]);
  if (scan.market) {
    const reasons = scan.market.reasons.map((r) => `<li>${e(r)}</li>`).join("");
    items.push([
      "Market direction",
      `<strong>${e(scan.market.state)}</strong> (score ${scan.market.score.toLocaleString("en-US")})` +
        (reasons ? `<ul class="reasons">${reasons}</ul>` : ""),
    ]);
  }
  const notScored = scan.failed + scan.unaccounted;
  const shown = scan.failures.length;
  const failures =
    shown === 0
      ? ""
      : `<details class="failures"><summary>Failed and unaccounted tickers (${
          shown < notScored ? `the first ${count(shown)} of ${count(notScored)}` : count(shown)
        })</summary><ul class="failures">${scan.failures
          .map((f) => `<li><code>${e(f.ticker)}</code>: ${e(f.reason)}</li>`)
          .join("")}</ul></details>`;
  return `<section id="summary">
<h2>Summary</h2>
<dl class="summary">${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
${failures}
</section>`;
}

function tickers(list: readonly string[]): string {
  return list.length === 0 ? "–" : `<span class="tickers">${list.map(e).join(" ")}</span>`;
}

function moveRows(label: string, entered: readonly string[], left: readonly string[]): string {
  return `<tr><th scope="row">${label}</th><td>${entered.length}: ${tickers(entered)}</td><td>${left.length}: ${tickers(left)}</td></tr>`;
}

function changesSection(changes: ScanChanges): string {
  if (changes.previousScanId === null) {
    return `<section id="changes"><h2>Changes</h2><p>First scan of this universe: nothing to compare with yet.</p></section>`;
  }
  const screens = Object.entries(changes.screens)
    .map(([name, m]) => moveRows(`Screen <code>${e(name)}</code>`, m.entered, m.left))
    .join("");
  const rs = RS_LEVELS.map((level) => {
    const r = changes.rs[String(level) as `${typeof level}`];
    return moveRows(`RS ≥ ${level}`, r?.crossedAbove ?? [], r?.crossedBelow ?? []);
  }).join("");
  const market = changes.market
    ? `Market direction changed: <strong>${e(changes.market.from)}</strong> → <strong>${e(changes.market.to)}</strong>.`
    : "Market direction unchanged.";
  return `<section id="changes">
<h2>Changes</h2>
<p>Since scan <code>${e(changes.previousScanId)}</code>. ${market}</p>
<table class="changes">
<thead><tr><th scope="col"></th><th scope="col">Entered / crossed above</th><th scope="col">Left / crossed below</th></tr></thead>
<tbody>${moveRows(`Top ${changes.top.size}`, changes.top.entered, changes.top.left)}${rs}${screens}</tbody>
</table>
</section>`;
}

/**
 * Rows the leaderboard shows at first (and appends per scroll to its end); sorting and filtering
 * see them all. 1,000 keeps an index's scan (sp500, nasdaq-100) whole in the table, while a
 * us-all table (7,500 rows) stays quick to sort: with every row in the page a sort spent ~3 s
 * in layout on this 2-core machine, with 500 ~0.25 s.
 */
export const REPORT_PAGE_ROWS = 1000;

type Format = "int" | "f1" | "f2" | "s2" | "text" | "screens";

interface Column {
  key: string;
  label: string;
  format: Format;
  /** The first click's order. */
  first: "asc" | "desc";
  value(row: ReportRow): unknown;
}

const DECIMALS: Partial<Record<Format, number>> = { int: 0, f1: 1, f2: 2, s2: 2 };

function rounded(value: number | null, format: Format): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const scale = 10 ** (DECIMALS[format] ?? 6);
  return Math.round(value * scale) / scale;
}

const num = (
  key: keyof ReportRow,
  label: string,
  format: Format,
  first: "asc" | "desc" = "desc",
): Column => ({
  key,
  label,
  format,
  first,
  value: (row) => rounded(row[key] as number | null, format),
});

/** The leaderboard's columns, in the order of each row's values in the page's JSON. */
const COLUMNS: Column[] = [
  num("rank", "#", "int", "asc"),
  { key: "ticker", label: "Ticker", format: "text", first: "asc", value: (r) => r.ticker },
  num("composite", "Score", "f1"),
  num("rs", "RS", "int"),
  num("trend", "Trend", "int"),
  num("close", "Close", "f2"),
  num("changePct", "Chg %", "s2"),
  num("volumeRatio", "Vol ×", "f2"),
  num("rsi14", "RSI 14", "f1"),
  num("pctFromHigh", "% off high", "f1", "asc"),
  { key: "macdStage", label: "MACD", format: "text", first: "asc", value: (r) => r.macdStage },
  { key: "provider", label: "Provider", format: "text", first: "asc", value: (r) => r.provider },
  { key: "screens", label: "Screens", format: "screens", first: "desc", value: (r) => r.screens },
];

function leaderboardData(data: ReportData): { screens: string[]; rows: unknown[][] } {
  return {
    screens: data.screens.map((s) => s.name),
    rows: data.rows.map((row) => COLUMNS.map((c) => c.value(row))),
  };
}

function leaderboardSection(data: ReportData): string {
  const passing = data.screens.map(() => 0);
  for (const row of data.rows) for (const i of row.screens) if (passing[i] !== undefined) passing[i]++;
  const options = data.screens
    .map((s, i) => `<option value="${i}">${e(s.name)} (${count(passing[i] ?? 0)})</option>`)
    .join("");
  const screenList =
    data.screens.length === 0
      ? ""
      : `<details><summary>Screens (${data.screens.length})</summary><ul>${data.screens
          .map(
            (s, i) =>
              `<li><strong>${e(s.name)}</strong>${s.expression !== s.name ? `: <code>${e(s.expression)}</code>` : ""} · ${count(passing[i] ?? 0)} pass</li>`,
          )
          .join("")}</ul></details>`;
  const heads = COLUMNS.map(
    (c) =>
      `<th scope="col" data-key="${c.key}" data-format="${c.format}" data-first="${c.first}" aria-sort="${c.key === "rank" ? "ascending" : "none"}">${e(c.label)}</th>`,
  ).join("");
  return `<section id="leaderboard-section">
<h2>Leaderboard</h2>
${screenList}
<div class="controls">
<label>Ticker <input id="ticker-filter" type="search" placeholder="filter, e.g. AA" autocomplete="off" spellcheck="false"></label>
<label>Screen <select id="screen-filter"><option value="">all tickers</option>${options}</select></label>
<output id="row-count">${count(data.rows.length)} tickers</output>
<button type="button" id="show-all" hidden>Show all</button>
</div>
<noscript><p>The leaderboard is built by the page's script; its rows are in the page's <code>report-data</code> JSON.</p></noscript>
<div class="table-wrap" id="leaderboard-box"><table id="leaderboard" class="leaderboard" data-page="${REPORT_PAGE_ROWS}">
<thead><tr>${heads}</tr></thead>
<tbody></tbody>
</table></div>
</section>`;
}
