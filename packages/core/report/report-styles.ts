/**
 * The report page's stylesheet, inline in its `<style>`. System fonts only (nothing to fetch);
 * readable from 375 px up: the page never scrolls sideways, the leaderboard scrolls inside its box,
 * and the charts' SVGs scale to their containers (they carry a viewBox).
 */
export const REPORT_STYLES = `
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --head: #f3f4f6;
  --up: #15803d; --down: #b91c1c; --accent: #2563eb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 12px; }
h1 { font-size: 1.35rem; margin: 0.2em 0; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.6em 0 0.5em; padding-bottom: 0.2em; border-bottom: 1px solid var(--line); }
h3 { font-size: 0.95rem; margin: 1em 0 0.3em; }
p, li, dd, dt, summary { overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: 0; overflow-wrap: anywhere; }
nav { display: flex; flex-wrap: wrap; gap: 0.3em 1em; margin: 0.6em 0; }
nav a { color: var(--accent); }
dl.summary { display: grid; grid-template-columns: minmax(7em, max-content) minmax(0, 1fr); gap: 0.25em 1em;
  margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; }
ul.reasons { margin: 0.2em 0 0; padding-left: 1.2em; }
details { margin: 0.6em 0; }
summary { cursor: pointer; }
ul.failures { max-height: 20em; overflow: auto; margin: 0.4em 0; padding-left: 1.2em; }
.status-COMPLETE { color: var(--up); font-weight: 600; }
.status-PARTIAL { color: #b45309; font-weight: 600; }
.tickers { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85rem;
  overflow-wrap: anywhere; }
.changes { border-collapse: collapse; width: 100%; table-layout: fixed; }
.changes th, .changes td { text-align: left; vertical-align: top; padding: 0.3em 0.5em;
  border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.changes th { width: 30%; font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: 0.5em 1em; align-items: center; margin: 0.4em 0; }
.controls label { display: flex; gap: 0.4em; align-items: center; max-width: 100%; }
.controls input, .controls select { font: inherit; padding: 0.25em 0.4em; min-width: 0; max-width: 100%; }
.controls select { max-width: min(24em, 70vw); }
#row-count { color: var(--muted); }
#show-all { font: inherit; padding: 0.2em 0.6em; }
.table-wrap { overflow: auto; max-height: 75vh; border: 1px solid var(--line); border-radius: 4px;
  max-width: 100%; }
table.leaderboard { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.leaderboard th, .leaderboard td { padding: 0.25em 0.55em; border-bottom: 1px solid var(--line);
  white-space: nowrap; text-align: left; }
.leaderboard thead th { position: sticky; top: 0; background: var(--head); cursor: pointer;
  user-select: none; z-index: 1; }
.leaderboard thead th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: 0.7em; }
.leaderboard thead th[aria-sort="descending"]::after { content: " \\25BC"; font-size: 0.7em; }
.leaderboard tbody th { font-weight: 600; }
.leaderboard .num { text-align: right; }
.leaderboard tbody tr:hover { background: #f9fafb; }
.up { color: var(--up); }
.down { color: var(--down); }
.charts { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); }
.charts.small { grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); }
figure.chart { margin: 0; min-width: 0; border: 1px solid var(--line); border-radius: 4px; padding: 6px; }
figure.chart figcaption { font-weight: 600; font-size: 0.9rem; margin: 0 0 2px 4px; overflow-wrap: anywhere; }
figure.chart svg { display: block; width: 100%; height: auto; }
.empty { color: var(--muted); font-style: italic; }
`;
