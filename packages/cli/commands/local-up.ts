import { rm } from "node:fs/promises";
import { isCalendarDate } from "../../core/days.ts";
import { writeEnvFile } from "../../local/cloud.ts";
import { startLocalStack } from "../../local/stack.ts";
import { alertLogLine } from "../alert-log.ts";
import { CliError } from "../errors.ts";
import { LOCAL_ENV_FILE, localEnvPath } from "../local-env.ts";
import { wholeNumberOption } from "../number-option.ts";
import { ensureLocalPrerequisites } from "../prerequisites.ts";
import { parseRateLimitOption } from "../rate-limit-option.ts";
import { runningLocalStack } from "../target.ts";

export interface LocalUpOptions {
  portBase?: string;
  /** The simulated providers' limit (and the fetchers'), e.g. 100/1s, or "none". @default 100/1s */
  rateLimit?: string;
  seed?: string;
  /** The simulated market's starting today, YYYY-MM-DD. @default the last trading day */
  asOf?: string;
  /** all | sweep | none @default sweep */
  schedules?: string;
  /** Print handler logs. @default false */
  logs?: boolean;
}

function asOfOption(text: string): string {
  if (!isCalendarDate(text)) throw new CliError(`--as-of "${text}" must be a date, YYYY-MM-DD`);
  return text;
}

/**
 * `tickerfleet local up`: the whole local stack in the foreground. Prints one
 * KEY=value line per endpoint (also written to .tickerfleet/local.env), runs
 * until SIGINT/SIGTERM, then stops every server and child process it started.
 */
export async function localUpCommand(options: LocalUpOptions): Promise<number> {
  if (await runningLocalStack()) {
    throw new CliError(
      `a local stack is already running (see ${LOCAL_ENV_FILE}); stop it first (Ctrl-C in its terminal)`,
    );
  }
  // Six ports from the base are used.
  const portBase =
    options.portBase === undefined
      ? undefined
      : wholeNumberOption("--port-base", options.portBase, { min: 1024, max: 65_000 });
  const rateLimit = options.rateLimit ? parseRateLimitOption(options.rateLimit) : undefined;
  const schedules = options.schedules ?? "sweep";
  if (schedules !== "all" && schedules !== "sweep" && schedules !== "none") {
    throw new CliError(`--schedules "${schedules}" must be all, sweep or none`);
  }
  const seed =
    options.seed === undefined
      ? undefined
      : wholeNumberOption("--seed", options.seed, { min: -(2 ** 31), max: 2 ** 31 - 1 });

  await ensureLocalPrerequisites();
  const stack = await startLocalStack({
    ...(portBase !== undefined ? { portBase } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(options.asOf !== undefined ? { asOf: asOfOption(options.asOf) } : {}),
    schedules,
    ...(options.logs
      ? {
          log: (fn: string, id: string, line: string) => {
            process.stderr.write(`[${fn} ${id}] ${line}\n`);
            const alert = alertLogLine(line);
            if (alert) process.stderr.write(`${alert}\n`);
          },
        }
      : {}),
  });
  const file = localEnvPath();
  await writeEnvFile(file, stack.env);
  for (const [key, value] of Object.entries(stack.env)) process.stdout.write(`${key}=${value}\n`);
  process.stderr.write(`\nlocal stack up; endpoints written to ${LOCAL_ENV_FILE}. Ctrl-C stops it.\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stderr.write("stopping the local stack…\n");
  await stack.stop();
  await rm(file, { force: true });
  return 0;
}
