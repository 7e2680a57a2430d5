import { type ChildProcess, spawn } from "node:child_process";

/** The `tickerfleet` entry a user runs. */
export const BIN = new URL("../../bin/tickerfleet.mjs", import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A `tickerfleet` child process, its output so far, and its exit code once it ends. */
export interface CliProcess {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Starts `tickerfleet <args>` as a child process, collecting its output as it comes. */
export function spawnCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (d) => {
    output.stdout += d;
  });
  child.stderr!.on("data", (d) => {
    output.stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

/** Runs `tickerfleet <args>` as a child process to its end, collecting its output. */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const run = spawnCli(args, options);
  const code = await run.exited;
  return { code, ...run.output };
}

/** Starts `tickerfleet local up <args>` in `cwd` and waits (60 s at most) until it says the stack is up. */
export async function startLocalUp(
  args: readonly string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): Promise<CliProcess> {
  const run = spawnCli(["local", "up", ...args], { cwd, ...(env ? { env } : {}) });
  const deadline = Date.now() + 60_000;
  while (!run.output.stderr.includes("local stack up") && Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`local up exited early: ${run.output.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return run;
}
