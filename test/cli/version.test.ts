/** `tickerfleet --version` and `-V` print the version package.json holds, and nothing else. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

describe("tickerfleet --version", () => {
  it.each([["--version"], ["-V"]])("%s prints package.json's version and exits 0", async (flag) => {
    const run = await runCli([flag]);
    expect(run).toStrictEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("is listed in the help", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/-V, --version\s+print the version/);
  });
});
