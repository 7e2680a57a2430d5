import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

/** Where `tickerfleet local up` writes its endpoints, relative to the working directory. */
export const LOCAL_ENV_FILE = ".tickerfleet/local.env";

export function localEnvPath(cwd = process.cwd()): string {
  return resolve(cwd, LOCAL_ENV_FILE);
}

/** The KEY=value lines of a file, or undefined when there is no file. */
export function readEnvFile(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}
