/**
 * The CLI as a user drives it against a running `tickerfleet local up`: a scan
 * with --json, then status, top, ticker and breadth reading what it left.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startLocalUp } from "../cli/run-cli.ts";

const TICKERS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "JPM", "XOM", "ZZZZQ"];
let cwd: string;
let stack: ChildProcess;

const run = (args: string[]) => runCli(args, { cwd });

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "tf-cli-"));
  // The changes follow two presets and a screen that a session's move is sure to change.
  const env = { ...process.env, TICKERFLEET_ALERT_SCREENS: "rs-leaders; trend-template; change_pct > 0" };
  stack = (await startLocalUp(["--rate-limit", "50/1s"], cwd, env)).child;
}, 90_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    const exited = new Promise((r) => stack.once("exit", r));
    stack.kill("SIGINT");
    await exited;
  }
});

describe("tickerfleet scan --local against a running local up", () => {
  let scanId = "";

  it("prints the summary with --json: status, counts, failures with reasons", async () => {
    const { code, stdout, stderr } = await run([
      "scan",
      "--local",
      "--universe",
      TICKERS.join(","),
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(Object.keys(summary).sort()).toStrictEqual(
      [
        "cost",
        "counts",
        "durationMs",
        "failed",
        "failures",
        "history",
        "provider",
        "providers",
        "scanId",
        "scored",
        "status",
        "total",
      ].sort(),
    );
    expect(summary).toMatchObject({ status: "PARTIAL", total: 9, scored: 8, failed: 1 });
    expect(summary.failures).toStrictEqual([
      { ticker: "ZZZZQ", reason: expect.stringMatching(/^not-found: /) },
    ]);
    expect(Object.keys(summary.counts).sort()).toStrictEqual(
      [
        "breakerOpens",
        "byProvider",
        "cacheHits",
        "dynamoWrites",
        "providerBytes",
        "providerRequests",
        "redisCommands",
        "sqsRequests",
      ].sort(),
    );
    // Every ticker seen for the first time: its whole lookback, ~50 KB of Yahoo's JSON each.
    expect(summary.history).toMatchObject({ tickersFull: 8, tickersIncremental: 0, suspectGaps: 0 });
    expect(summary.counts.providerBytes).toBeGreaterThan(10 * 20_000);
    // 9 tickers and the benchmark, nothing cached yet.
    expect(summary.counts.providerRequests).toBe(10);
    expect(summary.counts.cacheHits).toBe(0);
    // Every scored ticker from Yahoo, the default (auto, with only Yahoo configured); no breaker opened.
    expect(summary).toMatchObject({ provider: "yahoo", providers: ["yahoo"] });
    expect(summary.counts.byProvider).toStrictEqual({ yahoo: 8 });
    expect(summary.counts.breakerOpens).toBe(0);
    for (const k of ["redisCommands", "sqsRequests", "dynamoWrites"])
      expect(summary.counts[k]).toBeGreaterThan(0);
    expect(summary.durationMs).toBeGreaterThan(0);
    // What it would cost in AWS and Upstash, from the same counts: Upstash bills per command.
    const { cost } = summary;
    expect(cost.pricesOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(cost.upstash).toBeCloseTo((summary.counts.redisCommands / 1e5) * 0.2, 12);
    for (const part of ["sqs", "dynamo", "lambda"]) expect(cost[part]).toBeGreaterThan(0);
    expect(cost.total).toBeCloseTo(cost.sqs + cost.dynamo + cost.lambda + cost.upstash, 12);
    // A ten-ticker scan costs well under a cent.
    expect(cost.total).toBeLessThan(0.01);
    scanId = summary.scanId;
  }, 120_000);

  it("prints a leaderboard table without --json, from the cache the second time", async () => {
    const { code, stdout } = await run(["scan", "--local", "--universe", TICKERS.slice(0, 8).join(",")]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/COMPLETE\s+8 scored, 0 failed of 8/);
    expect(stdout).toMatch(/#\s+Ticker\s+Name\s+Score\s+RS\s+Trend/);
    for (const t of TICKERS.slice(0, 8)) expect(stdout).toContain(` ${t} `);
    expect(stdout).toMatch(/cache hits 8/);
    expect(stdout).toMatch(
      /cost: \$0\.0\d+ at AWS \(us-east-1\) and Upstash list prices of [\d-]+: Lambda \$[\d.]+, DynamoDB \$[\d.]+, SQS \$[\d.]+, Upstash \$[\d.]+/,
    );
  }, 120_000);

  it("status, top, ticker and breadth read what the scan left", async () => {
    const status = JSON.parse((await run(["status", scanId, "--local", "--json"])).stdout);
    expect(status).toMatchObject({
      scanId,
      status: "PARTIAL",
      progress: { total: 9, scored: 8, failed: 1 },
      counts: { byProvider: { yahoo: 8 }, breakerOpens: 0 },
    });

    const top = JSON.parse((await run(["top", "--scan", scanId, "--local", "--json", "-n", "3"])).stdout);
    expect(top.rows.map((r: { rank: number }) => r.rank)).toStrictEqual([1, 2, 3]);

    const ticker = JSON.parse((await run(["ticker", "aapl", "--local", "--json"])).stdout);
    expect(ticker.ticker).toBe("AAPL");
    expect(ticker.history.length).toBeGreaterThanOrEqual(2);
    for (const h of ticker.history) expect(h.rsRating).toBeGreaterThanOrEqual(1);

    const history = JSON.parse((await run(["history", "AAPL", "--local", "--json"])).stdout);
    expect(Object.keys(history).sort()).toStrictEqual(["actions", "adjusted", "asOf", "bars", "symbol"]);
    expect(history.symbol).toBe("AAPL");
    expect(history.bars.length).toBeGreaterThan(400);
    expect(history.bars.at(-1).date).toBe(history.asOf);
    expect(Object.keys(history.bars[0]).sort()).toStrictEqual([
      "close",
      "date",
      "high",
      "low",
      "open",
      "volume",
    ]);
    const raw = JSON.parse(
      (await run(["history", "AAPL", "--local", "--json", "--raw", "--days", "5"])).stdout,
    );
    expect(raw.bars).toHaveLength(5);
    expect(raw.bars[0].provider).toBe("yahoo");
    expect((await run(["history", "NOPE", "--local", "--json"])).code).toBe(3);

    // The planner reads the store: the scanned tickers are current; the unknown one would be
    // asked for per ticker (three Polygon requests) rather than by 460 market days.
    const plan = JSON.parse(
      (await run(["plan", "--universe", TICKERS.join(","), "--provider", "polygon", "--local", "--json"]))
        .stdout,
    );
    expect(plan.stored).toStrictEqual({ tickers: 9, through: plan.session });
    expect(
      plan.steps.map((s: { kind: string; requests: number; tickers: number }) => [
        s.kind,
        s.requests,
        s.tickers,
      ]),
    ).toStrictEqual([["per-ticker", 3, 1]]);

    const breadth = JSON.parse(
      (await run(["breadth", "--scan", scanId, "--local", "--json", "--days", "5"])).stdout,
    );
    expect(breadth.rows).toHaveLength(5);
    expect(breadth.rows[4].advances + breadth.rows[4].declines).toBeLessThanOrEqual(8);
  }, 60_000);

  it("screens the scan's tickers as finalize scored them, filters top by a screen, and exports every result", async () => {
    const fields = JSON.parse((await run(["screen", "--fields", "--json"])).stdout);
    expect(fields.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(["rs", "trend", "composite", "close", "sma50", "volume_ratio", "macd_stage"]),
    );
    expect(Object.keys(fields.presets).sort()).toStrictEqual(
      ["canslim", "macd-bullish-cross", "new-highs", "rs-leaders", "trend-template"].sort(),
    );

    // Every scored ticker passes "rs >= 1": its RS, trend count and composite equal the leaderboard's.
    const all = JSON.parse((await run(["screen", "rs >= 1", "--scan", scanId, "--local", "--json"])).stdout);
    expect(all).toMatchObject({ scanId, scored: 8, count: 8 });
    const board = JSON.parse((await run(["top", "--scan", scanId, "--local", "--json", "-n", "50"])).stdout);
    for (const row of board.rows as {
      ticker: string;
      rsRating: number;
      trendCount: number;
      score: number;
    }[]) {
      const t = all.tickers.find((x: { ticker: string }) => x.ticker === row.ticker);
      expect([t.rs, t.trend, Number(t.composite.toFixed(2))]).toStrictEqual([
        row.rsRating,
        row.trendCount,
        row.score,
      ]);
    }
    const leaders = JSON.parse(
      (await run(["screen", "rs-leaders", "--scan", scanId, "--local", "--json"])).stdout,
    );
    expect(leaders.screen).toStrictEqual({ name: "rs-leaders", expression: "rs >= 90" });
    expect(leaders.tickers.map((t: { ticker: string }) => t.ticker)).toStrictEqual(
      all.tickers.filter((t: { rs: number }) => t.rs >= 90).map((t: { ticker: string }) => t.ticker),
    );
    const top = JSON.parse(
      (await run(["top", "--screen", "rs >= 50", "--scan", scanId, "--local", "--json"])).stdout,
    );
    expect(top.rows.map((r: { ticker: string }) => r.ticker)).toStrictEqual(
      all.tickers.filter((t: { rs: number }) => t.rs >= 50).map((t: { ticker: string }) => t.ticker),
    );
    const bad = await run(["screen", "rs >= 80 and rsi > 70", "--local"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown field "rsi"/);

    const csv = (await run(["export", "--scan", scanId, "--csv", "--local"])).stdout.trim().split("\r\n");
    expect(csv[0]).toMatch(/^ticker,status,provider,reason,message,rs,composite,/);
    expect(csv).toHaveLength(1 + 9);
    expect(csv.filter((l) => l.startsWith("ZZZZQ,failed,,not-found,"))).toHaveLength(1);
    expect(csv.filter((l) => /^[A-Z]+,scored,yahoo,,,/.test(l))).toHaveLength(8);
  });

  it("keeps what changed since the previous scan of the universe, a simulated session later", async () => {
    const first = JSON.parse((await run(["changes", "--scan", scanId, "--local", "--json"])).stdout);
    expect(first).toMatchObject({ scanId, previousScanId: null, market: null });

    const simUrl = readFileSync(join(cwd, ".tickerfleet", "local.env"), "utf8").match(
      /TICKERFLEET_SIM_URL=(\S+)/,
    )![1];
    const clock = await fetch(`${simUrl}/_sim/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceSessions: 1 }),
    });
    expect(clock.status).toBe(200);
    const next = await run([
      "scan",
      "--local",
      "--universe",
      TICKERS.join(","),
      "--scan-id",
      "cli-next",
      "--json",
    ]);
    expect(next.code, next.stderr).toBe(0);
    const changes = JSON.parse((await run(["changes", "--local", "--json"])).stdout);
    expect(changes.scanId).toBe("cli-next");
    expect(changes.previousScanId).not.toBeNull();
    expect(Object.keys(changes.screens)).toStrictEqual(["rs-leaders", "trend-template", "change_pct > 0"]);

    // Each screen's entered and left are the difference of its members in the two scans.
    for (const screen of Object.keys(changes.screens)) {
      const members = async (id: string) =>
        new Set(
          JSON.parse((await run(["screen", screen, "--scan", id, "--local", "--json"])).stdout).tickers.map(
            (t: { ticker: string }) => t.ticker,
          ) as string[],
        );
      const [before, after] = [await members(changes.previousScanId), await members("cli-next")];
      expect(changes.screens[screen]).toStrictEqual({
        entered: [...after].filter((t) => !before.has(t)).sort(),
        left: [...before].filter((t) => !after.has(t)).sort(),
      });
    }
    // The simulated session moved some ticker across a screen (the simulator is seeded: the same every run).
    const moved = Object.values(changes.screens as Record<string, { entered: string[]; left: string[] }>);
    expect(moved.reduce((n, m) => n + m.entered.length + m.left.length, 0)).toBeGreaterThan(0);
    const text = (await run(["changes", "--local"])).stdout;
    expect(text).toContain(`scan cli-next against ${changes.previousScanId}:`);
  }, 180_000);

  it("names a bad request and exits 2", async () => {
    const { code, stderr } = await run(["scan", "--local", "--universe", "AAPL,BAD;SYM", "--json"]);
    expect(code).toBe(2);
    expect(stderr).toContain("BAD;SYM");
    const unknown = await run(["status", "no-such-scan", "--local"]);
    expect(unknown.code).toBe(3);
  }, 60_000);
});
