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
import { spawnSync } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where redis-server lives when it is not on PATH (Debian, Homebrew on Intel and Apple silicon, snap). */
const COMMON_DIRECTORIES = ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/usr/sbin", "/snap/bin"];

const INSTALL_HELP =
  "redis-server was not found on PATH or in " +
  COMMON_DIRECTORIES.join(", ") +
  ". The local stack runs a real redis-server behind its Upstash REST emulator. " +
  "Install it: on Debian/Ubuntu `sudo apt-get install -y redis-server`, " +
  "on macOS `brew install redis`, on other systems the Redis 7 package of your distribution " +
  "(any redis-server 7.x or newer), then run `node scripts/ensure-redis.mjs` again.";

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

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

function hasCommand(name) {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

function run(command, args, log) {
  log(`ensure-redis: running \`${[command, ...args].join(" ")}\``);
  const result = spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.status === 0;
}

function installWithApt(log) {
  log("ensure-redis: redis-server not found; installing the Debian package redis-server with apt-get.");
  if (run("apt-get", ["install", "-y", "redis-server"], log)) return;
  // A fresh container has no package lists (or stale ones that 404): refresh once and retry.
  log("ensure-redis: apt-get install failed; refreshing the package lists with apt-get update and retrying.");
  if (run("apt-get", ["update"], log) && run("apt-get", ["install", "-y", "redis-server"], log)) return;
  throw new Error(`apt-get could not install redis-server (see its output above). ${INSTALL_HELP}`);
}

function installWithBrew(log) {
  log("ensure-redis: redis-server not found; installing the Homebrew formula redis.");
  if (!run("brew", ["install", "redis"], log)) {
    throw new Error(`brew install redis failed (see its output above). ${INSTALL_HELP}`);
  }
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

  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (process.platform === "linux" && hasCommand("apt-get") && isRoot) {
    installWithApt(log);
  } else if (process.platform === "darwin" && hasCommand("brew")) {
    installWithBrew(log);
  } else {
    throw new Error(INSTALL_HELP);
  }

  const installed = findRedisServer();
  if (!installed)
    throw new Error(`the install finished but redis-server is still not found. ${INSTALL_HELP}`);
  log(`ensure-redis: redis-server installed at ${installed}.`);
  return installed;
}

function isRunDirectly() {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isRunDirectly()) {
  try {
    await ensureRedisServer();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
