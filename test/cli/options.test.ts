/**
 * Bad command-line options fail at once, with exit 2 and one line naming the
 * option, what was given and what is wanted — before any stack starts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

// A directory with no running local stack in it.
const cwd = mkdtempSync(join(tmpdir(), "tf-options-"));
const run = (args: string[]) => runCli(args, { cwd });

describe("option checks", () => {
  it.each([
    [["scan", "--local", "--top", "x"], /--top "x" must be a whole number of at least 1/],
    [["scan", "--local", "--top", "0"], /--top "0" must be a whole number of at least 1/],
    [["scan", "--local", "--days", "2.5"], /--days "2.5" must be a whole number/],
    [["top", "--local", "-n", "many"], /-n "many" must be a whole number of at least 1/],
    [["breadth", "--local", "--days", "1e3"], /--days "1e3" must be a whole number/],
    [["ticker", "AAPL", "--local", "--limit", "-1"], /--limit "-1" must be a whole number from 1 to 1000/],
    [["local", "up", "--port-base", "80"], /--port-base "80" must be a whole number from 1024 to 65000/],
    [["sim", "--port", "99999"], /--port "99999" must be a whole number from 0 to 65535/],
    [["sim", "--seed", "1e3"], /--seed "1e3" must be a whole number from -2147483648 to 2147483647/],
    [
      ["fetch", "AAPL", "--provider", "bloomberg"],
      /Allowed choices are yahoo, fmp, polygon, alphavantage, alpaca\./,
    ],
  ])("%j", async (args, message) => {
    const { code, stderr, stdout } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
  });

  it("takes one lower-case word that is not a universe for a typo, not a ticker", async () => {
    const { code, stderr } = await run(["scan", "--local", "--universe", "sp50"]);
    expect(code).toBe(2);
    expect(stderr).toContain('--universe "sp50" is not a universe (sp500, nasdaq, us-all)');
    expect(stderr).toContain("--universe SP50");
  });
});
