import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";

/** Where `tickerfleet local up` writes its endpoints, one KEY=value line each, relative to the working directory. */
export const LOCAL_ENV_FILE = ".tickerfleet/local.env";

export function localEnvPath(cwd = process.cwd()): string {
  return resolve(cwd, LOCAL_ENV_FILE);
}

/** The endpoints a `local up` in `cwd` wrote (read with Node's own .env parser), or undefined when there is no file. */
export function readLocalEnv(cwd = process.cwd()): Record<string, string> | undefined {
  const path = localEnvPath(cwd);
  if (!existsSync(path)) return undefined;
  return parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
}
