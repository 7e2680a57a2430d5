import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { ConfigError, TickerfleetError, ValidationError } from "../core/errors.ts";
import { PROVIDERS } from "../core/market-data.port.ts";
import { UNIVERSE_NAMES } from "../core/universes.ts";
import { CliError } from "./errors.ts";
import { LOCAL_ENV_FILE, readLocalEnv } from "./local-env.ts";
import { wholeNumberOption } from "./number-option.ts";
import { parseProviderChoice } from "./provider-option.ts";

/**
 * `tickerfleet`: the command line. Each command lives in ./commands and is
 * loaded only when run, so `tickerfleet fetch` does not load the local stack.
 * Expected failures print one line and exit non-zero; bugs print their stack.
 */

/** `--local` on commands that talk to providers directly: use the running local stack's simulator. */
function loadLocalEnv(): void {
  const env = readLocalEnv();
  if (!env)
    throw new CliError(`--local: no ${LOCAL_ENV_FILE} here; start \`npx tickerfleet local up\` first`);
  for (const [k, v] of Object.entries(env)) process.env[k] ??= v;
}

/** The version in package.json, read when the CLI runs so that it cannot drift from the package. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** A `--provider` option offering every provider the adapters speak. */
const providerOption = () => new Option("--provider <name>", "market-data provider").choices(PROVIDERS);

/** A scan's `--provider`: one provider, a fallback chain (`polygon,yahoo`), or `auto`. */
const chainOption = () =>
  new Option(
    "--provider <name|chain|auto>",
    `${PROVIDERS.join(", ")}; a fallback chain such as polygon,yahoo; or auto (the planner chooses among the configured providers)`,
  ).argParser(parseProviderChoice);

const where = (cmd: Command) =>
  cmd
    .option("--local", "the local stack (a running `tickerfleet local up`)")
    .option("--stage <stage>", "a deployed SST stage (AWS credentials from the usual chain)")
    .option("--json", "print JSON");

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("tickerfleet")
    .description(
      "Serverless market scanner: scores thousands of tickers under one shared provider rate limit.",
    )
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  const local = program.command("local").description("the local stack: every cloud part on this machine");
  local
    .command("up")
    .description(
      "start SQS, DynamoDB, Upstash (+ redis-server), the market simulator and the Lambda runtime; print the endpoints",
    )
    .option("--port-base <port>", "fixed ports from this base (six ports) instead of free ones")
    .option(
      "--rate-limit <limit>",
      "the simulated providers' rate limit, held by the fetchers too (e.g. 100/1s, 300/min, none)",
      "100/1s",
    )
    .option("--seed <n>", "seed of the simulated market", "42")
    .option("--as-of <date>", "the simulated market's starting today (POST /_sim/clock moves it)")
    .addOption(
      new Option("--schedules <which>", "which schedules run")
        .choices(["all", "sweep", "none"])
        .default("sweep"),
    )
    .option("--logs", "print the functions' log lines")
    .action(async (opts) => {
      const { localUpCommand } = await import("./commands/local-up.ts");
      setExit(await localUpCommand(opts));
    });

  program
    .command("sim")
    .description(
      "run the market simulator alone (Yahoo, FMP, Polygon, Alpha Vantage wire formats) and print its URLs",
    )
    .option("--port <port>", "port (default: a free one)")
    .option("--seed <n>", "seed of the simulated market")
    .option("--as-of <date>", "last trading day with data (YYYY-MM-DD)")
    .option("--rate-limit <spec>", "e.g. yahoo=100/1s,polygon=5/60s")
    .option("--latency <spec>", "e.g. lognormal:80:400 or yahoo=fixed:20")
    .action(async (opts) => {
      const { simCommand } = await import("./commands/sim.ts");
      await simCommand({
        port:
          opts.port === undefined
            ? undefined
            : wholeNumberOption("--port", opts.port, { min: 0, max: 65_535 }),
        seed:
          opts.seed === undefined
            ? undefined
            : wholeNumberOption("--seed", opts.seed, { min: -(2 ** 31), max: 2 ** 31 - 1 }),
        asOf: opts.asOf,
        rateLimit: opts.rateLimit,
        latency: opts.latency,
      });
    });

  program
    .command("fetch <symbol>")
    .description("fetch one ticker's daily bars from a provider and print them")
    .addOption(providerOption().default("yahoo"))
    .option("--days <n>", "trading days of bars", "260")
    .option("--json", "print {symbol, provider, bars} JSON")
    .option("--local", "use the running local stack's market simulator (.tickerfleet/local.env)")
    .action(async (symbol: string, opts) => {
      if (opts.local) loadLocalEnv();
      const { fetchCommand } = await import("./commands/fetch.ts");
      setExit(await fetchCommand(symbol, { provider: opts.provider, days: opts.days, json: opts.json }));
    });

  program
    .command("scan")
    .description(
      "start a scan (local stack or a deployed stage), show its progress and print the leaderboard",
    )
    .option("--local", "run on the local stack (uses a running `local up`, or starts one for this scan)")
    .option("--stage <stage>", "run on a deployed SST stage")
    .option("--universe <name|list>", `${UNIVERSE_NAMES.join(", ")}, or tickers separated by commas`, "sp500")
    .addOption(chainOption())
    .option("--days <n>", "trading days of history per ticker (default 460)")
    .option("--fundamentals", "also fetch earnings growth (C and A of CANSLIM; --provider fmp)")
    .option("--scan-id <id>", "the scan's id (a repeated start with the same id enqueues nothing twice)")
    .option("--top <n>", "leaderboard rows to print", "20")
    .option(
      "--rate-limit <limit>",
      "a local stack started for this scan: the simulated providers' limit (e.g. 100/1s, none)",
    )
    .option("--timeout <seconds>", "stop waiting after this long (the scan goes on)", "1800")
    .option("--json", "print the summary as JSON instead of the leaderboard")
    .action(async (opts) => {
      const { scanCommand } = await import("./commands/scan.ts");
      setExit(await scanCommand(opts));
    });

  where(
    program
      .command("status <scanId>")
      .description("a scan's status, progress, failures, report link and alerts"),
  ).action(async (scanId: string, opts) => {
    const { statusCommand } = await import("./commands/read.ts");
    setExit(await statusCommand(scanId, opts));
  });

  where(
    program
      .command("top")
      .description("the leaderboard of a scan (default: the latest finished)")
      .option("--scan <id>", "scan id")
      .option(
        "--screen <preset|expression>",
        "only the tickers that pass a screen (tickerfleet screen --fields)",
      )
      .option("-n <count>", "rows", "20"),
  ).action(async (opts) => {
    if (opts.screen) {
      const { topScreenCommand } = await import("./commands/screen.ts");
      setExit(await topScreenCommand(opts.screen, { ...opts, n: opts.n }));
      return;
    }
    const { topCommand } = await import("./commands/read.ts");
    setExit(await topCommand({ ...opts, n: opts.n }));
  });

  where(
    program
      .command("screen [preset|expression]")
      .description(
        "the tickers of a scan that pass a screen: a preset (trend-template, rs-leaders, canslim, new-highs, macd-bullish-cross) or an expression such as 'rs >= 80 and trend >= 7 and close > sma50'",
      )
      .option("--scan <id>", "scan id (default: the latest finished)")
      .option("--csv", "print CSV: the ticker and every field")
      .option("--fields", "list the fields an expression may use, and the presets"),
  ).action(async (given: string | undefined, opts) => {
    const { screenCommand } = await import("./commands/screen.ts");
    setExit(await screenCommand(given, opts));
  });

  where(
    program
      .command("changes")
      .description(
        "what changed since the previous finished scan of the same universe: screens entered and left, top N moves, RS crossing 80 and 90, the market's direction",
      )
      .option("--scan <id>", "scan id (default: the latest finished)"),
  ).action(async (opts) => {
    const { changesCommand } = await import("./commands/changes.ts");
    setExit(await changesCommand(opts));
  });

  where(
    program
      .command("export")
      .description("every result of a scan, scored and failed, one row per ticker (CSV or JSON)")
      .option("--scan <id>", "scan id (default: the latest finished)")
      .option("--csv", "CSV (also when --out ends in .csv)")
      .option("--out <file>", "write to a file instead of stdout"),
  ).action(async (opts) => {
    const { exportCommand } = await import("./commands/export.ts");
    setExit(await exportCommand(opts));
  });

  where(
    program
      .command("report")
      .description(
        "a scan's report: one self-contained HTML page with the summary, a sortable leaderboard, the changes and breadth and price charts",
      )
      .option("--scan <id>", "scan id")
      .option("--latest", "the latest finished scan (the default)")
      .option("--out <file>", "where to write it (default: tickerfleet-<scanId>.html)")
      .option("--open", "open it in the browser"),
  ).action(async (opts) => {
    const { reportCommand } = await import("./commands/report.ts");
    setExit(await reportCommand(opts));
  });

  where(
    program
      .command("ticker <symbol>")
      .description("one ticker across recent scans")
      .option("--limit <n>", "recent scans to look through", "30"),
  ).action(async (symbol: string, opts) => {
    const { tickerCommand } = await import("./commands/read.ts");
    setExit(await tickerCommand(symbol, opts));
  });

  where(
    program
      .command("plan")
      .description(
        "the requests that would make a universe's stored history current, and how long they take; fetches nothing",
      )
      .option("--universe <name|tickers>", "sp500, nasdaq, us-all, or a comma-separated list", "sp500")
      .addOption(chainOption()),
  ).action(async (opts) => {
    const { planCommand } = await import("./commands/plan.ts");
    setExit(await planCommand(opts));
  });

  where(
    program
      .command("history <symbol>")
      .description(
        "one ticker's stored bars, adjusted for its splits and dividends as of its last session, and its actions",
      )
      .option("--raw", "the bars as traded, with the provider of each")
      .option("--days <n>", "the last n sessions (default: all stored)"),
  ).action(async (symbol: string, opts) => {
    const { historyCommand } = await import("./commands/history.ts");
    setExit(await historyCommand(symbol, opts));
  });

  where(
    program
      .command("breadth")
      .description("market breadth of a scan's universe by date")
      .option("--scan <id>", "scan id (default: the latest finished)")
      .option("--days <n>", "dates to print", "20"),
  ).action(async (opts) => {
    const { breadthCommand } = await import("./commands/read.ts");
    setExit(await breadthCommand(opts));
  });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof CliError) {
      process.stderr.write(`tickerfleet: ${error.message}\n`);
      exitCode = error.exitCode;
    } else if (error instanceof ValidationError || error instanceof ConfigError) {
      process.stderr.write(`tickerfleet: ${error.message}\n`);
      exitCode = 2;
    } else if (error instanceof TickerfleetError) {
      process.stderr.write(`tickerfleet: ${error.message}\n`);
      exitCode = 1;
    } else {
      process.stderr.write(`tickerfleet: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`);
      exitCode = 1;
    }
  }
  process.exitCode = exitCode;
}
