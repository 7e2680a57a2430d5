import type { Browser, Page } from "playwright-core";

/**
 * A report page opened in Chromium, as the report tests read it: which rows it shows, a
 * column's texts, its charts, and every request and error while it is open.
 */

/**
 * The few DOM members the page-side callbacks use: the project compiles without the DOM lib
 * (its code runs in Node), so they are declared here.
 */
export interface DomElement {
  textContent: string | null;
  children: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  scrollWidth: number;
  scrollHeight: number;
  scrollTop: number;
  getBoundingClientRect(): { width: number };
}

export interface Opened {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Uncaught errors and console errors (a CSP violation is one). */
  errors: string[];
}

export async function openReport(browser: Browser, url: string, width = 1280): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("#leaderboard tbody tr");
  return { page, requests, errors };
}

/** The tickers of the rows shown, in order. */
export const visibleTickers = (page: Page) =>
  page.$$eval("#leaderboard tbody tr", (rows) =>
    rows.map((tr) => (tr as unknown as DomElement).getAttribute("data-ticker")),
  );

/** The texts of one column's cells, by its header's data-key, in the order shown. */
export async function columnTexts(page: Page, key: string): Promise<string[]> {
  const keys = await page.$$eval("#leaderboard thead th", (heads) =>
    heads.map((th) => (th as unknown as DomElement).getAttribute("data-key")),
  );
  return page.$$eval(
    "#leaderboard tbody tr",
    (rows, index) => rows.map((tr) => (tr as unknown as DomElement).children[index]!.textContent ?? ""),
    keys.indexOf(key),
  );
}

/** Each chart's name, its SVGs and the paths with data in them. */
export const chartsOf = (page: Page) =>
  page.$$eval("[data-chart]", (figures) =>
    figures.map((figure) => {
      const f = figure as unknown as DomElement;
      return {
        name: f.getAttribute("data-chart") ?? "",
        svgs: f.querySelectorAll("svg").length,
        paths: Array.from(f.querySelectorAll("svg path")).filter(
          (p) => (p.getAttribute("d") ?? "").length > 0,
        ).length,
      };
    }),
  );

/** Requests other than the page's own file and inline data. */
export const networkRequests = (requests: readonly string[]) =>
  requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"));
