#!/usr/bin/env node
// Makes sure a `redis-server` binary is available for the local stack (the local
// Upstash REST server runs in front of a real redis-server). Run before tests and
// before a local scan: `node scripts/ensure-redis.mjs`.
//
// Found: exits 0 without a word. Missing: installs it where that can be done
// without asking (Debian/Ubuntu as root via apt-get, macOS via Homebrew), saying
// what it runs; otherwise exits 1 naming exactly what to install.
//
// Plain JavaScript with no dependencies, so it works before `npm install` and
// from other .mjs scripts: `import { ensureRedisServer } from "./ensure-redis.mjs"`.
import { delimiter, join } from "node:path";
import { aptInstall, brewInstall, installer, isExecutable, runWhenMain } from "./system-package.mjs";

/** Where redis-server lives when it is not on PATH (Debian, Homebrew on Intel and Apple silicon, snap). */
const COMMON_DIRECTORIES = ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/usr/sbin", "/snap/bin"];

const INSTALL_HELP =
  "redis-server was not found on PATH or in " +
  COMMON_DIRECTORIES.join(", ") +
  ". The local stack runs a real redis-server behind its Upstash REST emulator. " +
  "Install it: on Debian/Ubuntu `sudo apt-get install -y redis-server`, " +
  "on macOS `brew install redis`, on other systems the Redis 7 package of your distribution " +
  "(any redis-server 7.x or newer), then run `node scripts/ensure-redis.mjs` again.";

/**
 * The path of a redis-server executable on PATH or in a common location, or
 * undefined when there is none.
 * @returns {string | undefined}
 */
export function findRedisServer() {
  const pathDirectories = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const directory of [...pathDirectories, ...COMMON_DIRECTORIES]) {
    const candidate = join(directory, "redis-server");
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds redis-server, installing it first when that is possible without a
 * human (Linux with apt-get as root, macOS with Homebrew).
 * @param {{ log?: (line: string) => void }} [options] `log` receives what is
 *   being run; @default console.error (stdout stays clean for callers).
 * @returns {Promise<string>} the path of the redis-server executable
 * @throws {Error} naming exactly what to install when it is missing and cannot be installed here
 */
export async function ensureRedisServer(options = {}) {
  const log = options.log ?? ((line) => console.error(line));
  const found = findRedisServer();
  if (found) return found;

  const how = installer();
  if (how === "apt") {
    aptInstall("ensure-redis", "redis-server", INSTALL_HELP, log);
  } else if (how === "brew") {
    brewInstall("ensure-redis", "redis", INSTALL_HELP, log);
  } else {
    throw new Error(INSTALL_HELP);
  }

  const installed = findRedisServer();
  if (!installed)
    throw new Error(`the install finished but redis-server is still not found. ${INSTALL_HELP}`);
  log(`ensure-redis: redis-server installed at ${installed}.`);
  return installed;
}

await runWhenMain(import.meta.url, ensureRedisServer);
