// What scripts/ensure-redis.mjs and ensure-chromium.mjs share: finding an executable, installing
// a system package where no human is needed (apt-get as root on Linux, Homebrew on macOS), and
// running a script's check when it is run directly. Plain JavaScript with no dependencies, so it
// works before `npm install`.
import { spawnSync } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** @param {string} path */
export function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} name */
function hasCommand(name) {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** Which installer can run without a human here: apt-get as root on Linux, brew on macOS, or none. */
export function installer() {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (process.platform === "linux" && hasCommand("apt-get") && isRoot) return "apt";
  if (process.platform === "darwin" && hasCommand("brew")) return "brew";
  return undefined;
}

function run(tag, command, args, log) {
  log(`${tag}: running \`${[command, ...args].join(" ")}\``);
  const result = spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.status === 0;
}

/**
 * Installs a Debian package with apt-get, refreshing the package lists once when the install
 * fails (a fresh container has none, or stale ones that 404). Throws `help` when it cannot.
 */
export function aptInstall(tag, pkg, help, log) {
  log(`${tag}: not found; installing the Debian package ${pkg} with apt-get.`);
  if (run(tag, "apt-get", ["install", "-y", "-qq", pkg], log)) return;
  log(`${tag}: apt-get install failed; refreshing the package lists with apt-get update and retrying.`);
  if (run(tag, "apt-get", ["update", "-qq"], log) && run(tag, "apt-get", ["install", "-y", "-qq", pkg], log))
    return;
  throw new Error(`apt-get could not install ${pkg} (see its output above). ${help}`);
}

/** Installs a Homebrew formula; throws `help` when it cannot. */
export function brewInstall(tag, formula, help, log) {
  log(`${tag}: not found; installing the Homebrew formula ${formula}.`);
  if (!run(tag, "brew", ["install", formula], log))
    throw new Error(`brew install ${formula} failed (see its output above). ${help}`);
}

/** Runs `check` when the module at `moduleUrl` is the script node was started with; exits 1 with its error. */
export async function runWhenMain(moduleUrl, check) {
  const entry = process.argv[1];
  let main = false;
  try {
    main = Boolean(entry) && realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    main = false;
  }
  if (!main) return;
  try {
    await check();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
