import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../../packages/core/report/render-report.ts";
import type { ReportRow } from "../../packages/core/report/report-data.ts";
import { reportFixture } from "../../packages/core/report/report-fixture.ts";
import { launchChromium } from "../support/browser.ts";
import {
  chartsOf,
  columnTexts,
  type DomElement,
  networkRequests,
  type Opened,
  openReport,
  visibleTickers,
} from "../support/report-page.ts";

/**
 * The report page in a real browser (the system's Chromium through playwright-core), opened from
 * disk as a user would: the script builds, sorts and filters the leaderboard; the charts are there;
 * nothing is fetched; it fits a phone's width. Screenshots go to test-results/ for a look.
 */

const data = reportFixture({ rows: 300 });
/** More rows than the table shows at first (REPORT_PAGE_ROWS). */
const big = reportFixture({ rows: 2_500, charts: 1, seed: 7 });
const RESULTS = fileURLToPath(new URL("../../test-results/", import.meta.url));

let dir: string;
let url: string;
let bigUrl: string;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tickerfleet-report-"));
  const file = join(dir, "report.html");
  writeFileSync(file, renderReport(data));
  url = pathToFileURL(file).href;
  const bigFile = join(dir, "big.html");
  writeFileSync(bigFile, renderReport(big));
  bigUrl = pathToFileURL(bigFile).href;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const open = (width = 1280, at = url): Promise<Opened> => openReport(browser!, at, width);

async function withPage(width: number, run: (opened: Opened) => Promise<void>, at = url): Promise<void> {
  const opened = await open(width, at);
  try {
    await run(opened);
  } finally {
    await opened.page.close();
  }
}

declare const document: {
  documentElement: DomElement;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
};

const tickersOf = (rows: readonly ReportRow[]) => rows.map((r) => r.ticker);

/** Rows by RS, nulls last either way, rank breaking ties (the page's order). */
function byRs(direction: 1 | -1, rows: readonly ReportRow[] = data.rows): string[] {
  return tickersOf(
    [...rows].sort((a, b) => {
      if (a.rs === null || b.rs === null) return a.rs === b.rs ? a.rank - b.rank : a.rs === null ? 1 : -1;
      return (a.rs - b.rs) * direction || a.rank - b.rank;
    }),
  );
}

describe("the report page in Chromium", { timeout: 60_000 }, () => {
  it("shows every row in rank order, with their count, and runs without errors", async () => {
    await withPage(1280, async ({ page, errors }) => {
      expect(await visibleTickers(page)).toStrictEqual(tickersOf(data.rows));
      expect(await page.textContent("#row-count")).toBe("300 tickers");
      expect(errors).toStrictEqual([]);
    });
  });

  it("sorts by RS descending on the first click and ascending on the second, nulls last", async () => {
    await withPage(1280, async ({ page }) => {
      const rsHeader = page.locator('#leaderboard th[data-key="rs"]');
      await rsHeader.click();
      expect(await rsHeader.getAttribute("aria-sort")).toBe("descending");
      const descending = await columnTexts(page, "rs");
      const numbers = descending.filter((t) => t !== "–").map(Number);
      expect(numbers).toStrictEqual([...numbers].sort((a, b) => b - a));
      expect(descending.slice(numbers.length).every((t) => t === "–")).toBe(true);
      expect(await visibleTickers(page)).toStrictEqual(byRs(-1));

      await rsHeader.click();
      expect(await rsHeader.getAttribute("aria-sort")).toBe("ascending");
      const ascending = (await columnTexts(page, "rs")).filter((t) => t !== "–").map(Number);
      expect(ascending).toStrictEqual([...numbers].sort((a, b) => a - b));
      expect(await visibleTickers(page)).toStrictEqual(byRs(1));
    });
  });

  it("sorts text columns too: ticker A→Z first", async () => {
    await withPage(1280, async ({ page }) => {
      await page.click('#leaderboard th[data-key="ticker"]');
      const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
      expect(await visibleTickers(page)).toStrictEqual(tickersOf(data.rows).sort(collator.compare));
    });
  });

  it("filters by ticker substring, case-insensitively", async () => {
    await withPage(1280, async ({ page }) => {
      await page.fill("#ticker-filter", "b");
      const expected = tickersOf(data.rows.filter((r) => r.ticker.includes("B")));
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(data.rows.length);
      expect(await visibleTickers(page)).toStrictEqual(expected);
      expect(await page.textContent("#row-count")).toBe(`${expected.length} of 300 tickers`);
      await page.fill("#ticker-filter", "");
      expect(await visibleTickers(page)).toHaveLength(300);
    });
  });

  it("filters by screen: exactly the rows that pass it, for every screen", async () => {
    await withPage(1280, async ({ page }) => {
      for (const [index, screen] of data.screens.entries()) {
        await page.selectOption("#screen-filter", String(index));
        const expected = tickersOf(data.rows.filter((r) => r.screens.includes(index)));
        expect(expected.length, screen.name).toBeGreaterThan(0);
        expect(await visibleTickers(page), screen.name).toStrictEqual(expected);
      }
      await page.selectOption("#screen-filter", "");
      expect(await visibleTickers(page)).toHaveLength(300);
    });
  });

  it("shows the first 1,000 rows, the next as the table is scrolled, all at Show all; sorting sees every row", async () => {
    await withPage(
      1280,
      async ({ page }) => {
        const all = tickersOf(big.rows);
        const rowCount = () => page.$$eval("#leaderboard tbody tr", (rows) => rows.length);
        expect(await visibleTickers(page)).toStrictEqual(all.slice(0, 1000));
        expect(await page.textContent("#row-count")).toBe("2,500 tickers (first 1,000 shown)");

        await page.$eval("#leaderboard-box", (box) => {
          const b = box as unknown as DomElement;
          b.scrollTop = b.scrollHeight;
        });
        await page.waitForFunction(() => document.querySelectorAll("#leaderboard tbody tr").length > 1000);
        expect(await visibleTickers(page)).toStrictEqual(all.slice(0, 2000));

        await page.click("#show-all");
        expect(await visibleTickers(page)).toStrictEqual(all);
        expect(await page.isVisible("#show-all")).toBe(false);
        expect(await page.textContent("#row-count")).toBe("2,500 tickers");

        await page.click('#leaderboard th[data-key="rs"]');
        expect(await rowCount()).toBe(1000);
        expect(await visibleTickers(page)).toStrictEqual(byRs(-1, big.rows).slice(0, 1000));
        await page.click("#show-all");
        expect(await visibleTickers(page)).toStrictEqual(byRs(-1, big.rows));
      },
      bigUrl,
    );
  });

  it("draws every chart as an SVG with path data", async () => {
    await withPage(1280, async ({ page }) => {
      const charts = await chartsOf(page);
      expect(charts.map((c) => c.name)).toStrictEqual([
        "pct-above-sma",
        "ad-line",
        "mcclellan",
        "net-new-highs",
        ...data.charts.map((c) => `price-${c.ticker}`),
      ]);
      for (const chart of charts) {
        expect(chart.svgs, chart.name).toBe(1);
        expect(chart.paths, chart.name).toBeGreaterThan(0);
      }
    });
  });

  it("requests nothing from the network, even while sorting and filtering", async () => {
    await withPage(1280, async ({ page, requests, errors }) => {
      await page.click('#leaderboard th[data-key="composite"]');
      await page.fill("#ticker-filter", "A");
      await page.selectOption("#screen-filter", "0");
      await page.click('a[href="#breadth"]');
      expect(requests.length).toBeGreaterThan(0); // the page itself
      expect(networkRequests(requests)).toStrictEqual([]);
      expect(errors).toStrictEqual([]);
    });
  });

  it("fits 375 px without scrolling sideways; screenshots at 1280 and 375 px", async () => {
    mkdirSync(RESULTS, { recursive: true });
    await withPage(1280, async ({ page }) => {
      await page.screenshot({ path: join(RESULTS, "report-1280.png"), fullPage: true });
    });
    await withPage(375, async ({ page }) => {
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        table: document.querySelector(".table-wrap")!.scrollWidth,
        chart: document.querySelector("[data-chart] svg")!.getBoundingClientRect().width,
      }));
      expect(widths.scroll).toBeLessThanOrEqual(375);
      expect(widths.table).toBeGreaterThan(375); // the leaderboard scrolls inside its box
      expect(widths.chart).toBeLessThanOrEqual(375);
      await page.screenshot({ path: join(RESULTS, "report-375.png"), fullPage: true });
    });
  });
});
