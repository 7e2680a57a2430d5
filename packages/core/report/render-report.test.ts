import { describe, expect, it } from "vitest";
import { escapeHtml, jsonForScript } from "./html.ts";
import { formatDuration, renderReport } from "./render-report.ts";
import type { ReportData } from "./report-data.ts";
import { reportFixture } from "./report-fixture.ts";

/** The leaderboard JSON the page carries, parsed back. */
function pageData(html: string): { screens: string[]; rows: unknown[][] } {
  const match = html.match(/<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/);
  if (!match) throw new Error("no report-data script in the page");
  return JSON.parse(match[1]!);
}

/** Each chart's name and inner HTML. */
function charts(html: string): { name: string; body: string }[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]*)">([\s\S]*?)<\/figure>/g)].map((m) => ({
    name: m[1]!,
    body: m[2]!,
  }));
}

describe("renderReport", () => {
  const data = reportFixture({ rows: 300 });
  const html = renderReport(data);

  it("carries every ticker, in rank order, with the row's values", () => {
    const page = pageData(html);
    expect(page.rows.map((r) => r[1])).toStrictEqual(data.rows.map((r) => r.ticker));
    for (const row of data.rows) expect(html).toContain(`"${row.ticker}"`);
    expect(page.screens).toStrictEqual(data.screens.map((s) => s.name));
    // Numbers travel rounded to the decimals the table shows.
    const round = (v: number | null, decimals: number) =>
      v === null ? null : Math.round(v * 10 ** decimals) / 10 ** decimals;
    const first = data.rows[0]!;
    expect(page.rows[0]).toStrictEqual([
      first.rank,
      first.ticker,
      round(first.composite, 1),
      first.rs,
      first.trend,
      first.close,
      round(first.changePct, 2),
      round(first.volumeRatio, 2),
      round(first.rsi14, 1),
      round(first.pctFromHigh, 1),
      first.macdStage,
      first.provider,
      first.screens,
    ]);
  });

  it("references nothing on the network: the only URLs are SVG's namespace names", () => {
    const withoutNamespaces = html.replace(
      / xmlns(?::xlink)?="http:\/\/www\.w3\.org\/(?:2000\/svg|1999\/xlink)"/g,
      "",
    );
    expect(withoutNamespaces).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\s(?:src|srcset|poster|action|formaction)\s*=/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?!#)/i); // url(#clip-id) only
    const hrefs = [...html.matchAll(/\s(?:xlink:)?href\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
    expect(hrefs.filter((h) => !h.startsWith("#"))).toStrictEqual([]);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
  });

  it("shows the summary's figures, saying when requests and cost are unknown", () => {
    expect(html).toContain("<dt>Provider</dt><dd>yahoo → fmp · plan: 42 requests, 95 s</dd>");
    expect(html).toContain("<dt>Tickers</dt><dd>304: 300 scored, 3 failed, 1 unaccounted</dd>");
    expect(html).toContain("<dt>Duration</dt><dd>6 min 41 s</dd>");
    expect(html).toContain("<dt>Cost</dt><dd>$0.012</dd>");
    expect(html).toContain("<dt>By provider</dt><dd>yahoo 270, fmp 30</dd>");
    expect(html).toContain("<strong>correction</strong> (score -2)");
    expect(html).toContain('<details class="failures"><summary>Failed and unaccounted tickers (4)</summary>');
    const unknown = renderReport({ ...data, scan: { ...data.scan, providerRequests: null, costUsd: null } });
    expect(unknown).toContain("<dt>Provider requests</dt><dd>not counted</dd>");
    expect(unknown).toContain("<dt>Cost</dt><dd>not measured</dd>");
  });

  it("escapes every string from the data: a reason with <script> is text", () => {
    const hostile: ReportData = {
      ...data,
      scan: {
        ...data.scan,
        universe: "<b>all</b>",
        failures: [{ ticker: "X&Y", reason: '<script>alert("reason")</script>' }],
        market: { state: "<i>up</i>", score: 1, reasons: ["<img src=x onerror=alert(1)>"] },
      },
      rows: [{ ...data.rows[0]!, ticker: "</script><script>alert(1)</script>" }, ...data.rows.slice(1)],
      screens: [{ name: "rs < 50 & x", expression: 'macd_stage == "<bad>"' }, ...data.screens.slice(1)],
      charts: [{ ...data.charts[0]!, ticker: '"><svg onload=alert(1)>' }],
    };
    const page = renderReport(hostile);
    expect(page.match(/<script/g)).toHaveLength(2); // the JSON and the page's script, nothing else
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("<svg onload");
    expect(page).toContain("&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt;");
    expect(page).toContain("<code>X&amp;Y</code>");
    expect(page).toContain("&lt;b&gt;all&lt;/b&gt;");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).toContain("<code>macd_stage == &quot;&lt;bad&gt;&quot;</code>");
    expect(page).toContain('data-chart="price-&quot;&gt;&lt;svg onload=alert(1)&gt;"');
    // The JSON keeps the values exactly, with < escaped as \u003c inside the script element.
    expect(page).toContain("\\u003c/script>\\u003cscript>alert(1)\\u003c/script>");
    const parsed = pageData(page);
    expect(parsed.rows[0]![1]).toBe("</script><script>alert(1)</script>");
    expect(parsed.screens[0]).toBe("rs < 50 & x");
  });

  it("draws the four breadth charts and each price chart as inline SVG with path data", () => {
    const drawn = charts(html);
    expect(drawn.map((c) => c.name)).toStrictEqual([
      "pct-above-sma",
      "ad-line",
      "mcclellan",
      "net-new-highs",
      ...data.charts.map((c) => `price-${c.ticker}`),
    ]);
    for (const chart of drawn) {
      expect(chart.body, chart.name).toMatch(/<svg [^>]*viewBox="0 0 \d+ \d+"/);
      expect(chart.body.match(/<svg/g), chart.name).toHaveLength(1);
      const paths = [...chart.body.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!);
      expect(paths.filter((d) => /^M[\d.-]/.test(d)).length, chart.name).toBeGreaterThan(0);
    }
    // Chart ids (clip paths) must not collide within the page.
    const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("says when there is no breadth and no chart", () => {
    const page = renderReport({ ...data, breadth: undefined, charts: [] });
    expect(charts(page)).toStrictEqual([]);
    expect(page).toContain("No breadth series was stored for this scan.");
  });

  it("shows the changes since the previous scan", () => {
    const changes = data.changes!;
    expect(html).toContain("Since scan <code>scan-2026-03-12</code>.");
    expect(html).toContain(
      "Market direction changed: <strong>uptrend-under-pressure</strong> → <strong>correction</strong>.",
    );
    const rs90 = changes.rs["90"];
    expect(html).toContain(
      `<tr><th scope="row">RS ≥ 90</th><td>${rs90.crossedAbove.length}: <span class="tickers">${rs90.crossedAbove.join(" ")}</span></td>`,
    );
    for (const [name, moves] of Object.entries(changes.screens)) {
      expect(html).toContain(`Screen <code>${escapeHtml(name)}</code>`);
      expect(html).toContain(`<span class="tickers">${moves.entered.join(" ")}</span>`);
    }
    expect(html).toContain(`<th scope="row">Top 20</th><td>${changes.top.entered.length}: `);
  });

  it("says a first scan has nothing to compare with, and shows no changes when none were kept", () => {
    const first = renderReport(reportFixture({ rows: 20, charts: 1, changes: "first" }));
    expect(first).toContain("First scan of this universe");
    const none = renderReport(reportFixture({ rows: 20, charts: 1, changes: false }));
    expect(none).not.toContain('id="changes"');
  });

  it("renders us-all's 7,500 rows with 20 charts in under 2 MB", () => {
    const big = reportFixture({ rows: 7_500, charts: 20 });
    const page = renderReport(big);
    const bytes = Buffer.byteLength(page, "utf8");
    console.log(`report of 7,500 rows and 20 charts: ${bytes.toLocaleString("en-US")} bytes`);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    expect(pageData(page).rows).toHaveLength(7_500);
    expect(charts(page)).toHaveLength(24);
  });
});

describe("escapeHtml and jsonForScript", () => {
  it("escapes the five characters that matter in HTML text and attributes", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("writes JSON with no < and no line separators, which parses back unchanged", () => {
    const value = { a: "</script><!-- \u2028 \u2029", b: [1, null] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(json)).toStrictEqual(value);
  });
});

describe("formatDuration", () => {
  it.each([
    [12_340, "12.3 s"],
    [59_940, "59.9 s"],
    [75_000, "1 min 15 s"],
    [4_000_000, "1 h 06 min"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
