/**
 * A scan's report as a user gets it: two sp500 scans a simulated session apart on the local
 * stack; `tickerfleet report` writes the second's page, which Chromium opens from disk (its rows
 * are the stored results, it sorts and filters, its charts have data, it fetches nothing); the
 * same page is published to the local S3 server and linked from `tickerfleet status`; and the
 * scan's alert is emailed through the scan alerts topic (the local SNS server).
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeEnvFile } from "../../packages/local/cloud.ts";
import { runCli } from "../cli/run-cli.ts";
import { launchChromium } from "../support/browser.ts";
import {
  chartsOf,
  columnTexts,
  networkRequests,
  openReport,
  visibleTickers,
} from "../support/report-page.ts";
import { startTestStack, type TestStack } from "./harness.ts";

const RESULTS = fileURLToPath(new URL("../../test-results/", import.meta.url));
let t: TestStack;
let browser: Browser | undefined;
let cwd: string;
const run = (args: string[]) => runCli(args, { cwd });

beforeAll(async () => {
  t = await startTestStack({ env: { TICKERFLEET_ALERT_EMAIL: "ops@example.com" } });
  cwd = mkdtempSync(join(tmpdir(), "tf-report-"));
  // What `tickerfleet local up` writes, so the CLI below reads this stack.
  await writeEnvFile(join(cwd, ".tickerfleet", "local.env"), t.stack.env);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
}, 60_000);

interface Exported {
  results: { ticker: string; status: string; rs: number | null; composite: number | null }[];
}

describe("the report of a local scan", () => {
  let file = "";
  let exported: Exported;

  it("is written by `tickerfleet report`, published to the bucket and linked from `status`; the alert is emailed", async () => {
    await t.startScan({ universe: "sp500", scanId: "report-1" });
    expect((await t.waitForScan("report-1", 180_000)).status).toBe("COMPLETE");
    const clock = await fetch(`${t.stack.sim.url}/_sim/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceSessions: 1 }),
    });
    expect(clock.status).toBe(200);
    const requestsBefore = (await t.stack.sim.requests()).length;
    await t.startScan({ universe: "sp500", scanId: "report-2" });
    expect((await t.waitForScan("report-2", 180_000)).status).toBe("COMPLETE");
    const requestsMade = (await t.stack.sim.requests()).length - requestsBefore;

    file = join(cwd, "report-2.html");
    const written = await run(["report", "--scan", "report-2", "--local", "--out", file]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout.trim()).toBe(file);
    exported = JSON.parse((await run(["export", "--scan", "report-2", "--local", "--json"])).stdout);

    // notify publishes the same page (rendered a moment earlier) and records its link.
    const until = Date.now() + 60_000;
    while (!(await t.store.getScan("report-2"))?.report && Date.now() < until)
      await new Promise((r) => setTimeout(r, 250));
    const scan = (await t.store.getScan("report-2"))!;
    expect(scan.report).toMatchObject({ key: "reports/report-2.html", attempts: 1 });
    // The fetchers counted the scan's provider requests on its record: what the simulator received.
    expect(scan.providerRequests).toBe(requestsMade);
    expect(readFileSync(file, "utf8")).toContain(
      `<dt>Provider requests</dt><dd>${requestsMade.toLocaleString("en-US")}</dd>`,
    );
    const status = await run(["status", "report-2", "--local"]);
    expect(status.stdout).toContain(`report ${scan.report!.url}`);
    const published = await fetch(scan.report!.url!);
    expect(published.status).toBe(200);
    const dataOf = (html: string) =>
      html.match(/<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/)![1];
    expect(dataOf(await published.text())).toBe(dataOf(readFileSync(file, "utf8")));

    // The email channel: one message on the scan alerts topic for this scan.
    const alerts = await t.store.alerts("report-2");
    expect(alerts).toMatchObject([{ channel: "email", status: "sent", attempts: 1 }]);
    const emails = t.stack.cloud.sns.messages().filter((m) => m.message.includes("Scan report-2."));
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toBe(`tickerfleet sp500 ${scan.session} scan COMPLETE`);
    expect(emails[0]!.message).toContain(scan.report!.url!);
  }, 420_000);

  it("opens from disk with the stored results as its rows, sorts, filters and draws every chart, fetching nothing", async () => {
    const opened = await openReport(browser!, pathToFileURL(file).href, 1280);
    try {
      const { page, requests, errors } = opened;
      const scored = exported.results.filter((r) => r.status === "scored");
      expect(scored.length).toBeGreaterThan(490);
      // The rows are the stored results, best composite first, as `tickerfleet export` lists them.
      expect(await visibleTickers(page)).toStrictEqual(scored.map((r) => r.ticker));
      const rs = await columnTexts(page, "rs");
      expect(rs).toStrictEqual(scored.map((r) => (r.rs === null ? "–" : String(r.rs))));

      await page.click('#leaderboard th[data-key="rs"]');
      const sorted = (await columnTexts(page, "rs")).filter((v) => v !== "–").map(Number);
      expect(sorted).toStrictEqual([...sorted].sort((a, b) => b - a));

      await page.fill("#ticker-filter", "AA");
      const filtered = await visibleTickers(page);
      expect(filtered.length).toBeGreaterThan(0);
      expect(filtered.length).toBeLessThan(scored.length);
      expect(filtered.every((ticker) => ticker!.includes("AA"))).toBe(true);
      await page.fill("#ticker-filter", "");

      const charts = await chartsOf(page);
      expect(charts.filter((c) => c.name.startsWith("price-"))).toHaveLength(20);
      expect(charts.map((c) => c.name)).toEqual(
        expect.arrayContaining(["pct-above-sma", "ad-line", "mcclellan", "net-new-highs"]),
      );
      for (const chart of charts) expect(chart.paths, chart.name).toBeGreaterThan(0);
      expect(await page.textContent("#changes")).toContain("report-1");

      expect(networkRequests(requests)).toStrictEqual([]);
      expect(errors).toStrictEqual([]);
      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, "scan-report-1280.png"), fullPage: true });
    } finally {
      await opened.page.close();
    }
    const narrow = await openReport(browser!, pathToFileURL(file).href, 375);
    try {
      const width = await narrow.page.evaluate("document.documentElement.scrollWidth");
      expect(width).toBeLessThanOrEqual(375);
      await narrow.page.screenshot({ path: join(RESULTS, "scan-report-375.png"), fullPage: true });
    } finally {
      await narrow.page.close();
    }
  }, 120_000);
});
