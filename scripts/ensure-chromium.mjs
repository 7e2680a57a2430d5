#!/usr/bin/env node
// Makes sure a Chromium the report's browser tests can drive (through playwright-core, which
// never downloads a browser here) is installed. Run before the tests: `node scripts/ensure-chromium.mjs`.
//
// Found (TICKERFLEET_CHROMIUM, or /usr/bin/chromium, /usr/bin/chromium-browser,
// /usr/bin/google-chrome): exits 0 without a word. Missing: installs Debian's chromium package
// with apt-get when running as root on Linux, saying what it runs; otherwise exits 1 naming
// exactly what to install.
//
// Plain JavaScript with no dependencies, so it works before `npm install` and from other .mjs
// scripts and the tests: `import { ensureChromium, findChromium } from "./ensure-chromium.mjs"`.
import { aptInstall, installer, isExecutable, runWhenMain } from "./system-package.mjs";

/** Where a Chromium is looked for, in order, when TICKERFLEET_CHROMIUM is not set. */
export const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The instruction every "no Chromium" failure ends with. */
export const CHROMIUM_INSTALL_HELP = "install it: apt-get install -y chromium (or set TICKERFLEET_CHROMIUM)";

/**
 * The Chromium to launch: TICKERFLEET_CHROMIUM when set (it must be executable), else the first
 * of CHROMIUM_PATHS that is; undefined when there is none.
 * @returns {string | undefined}
 */
export function findChromium() {
  const configured = process.env.TICKERFLEET_CHROMIUM;
  if (configured) return isExecutable(configured) ? configured : undefined;
  return CHROMIUM_PATHS.find(isExecutable);
}

/**
 * Finds Chromium, installing Debian's package first when that is possible without a human
 * (Linux with apt-get, as root). A TICKERFLEET_CHROMIUM that is set but not executable is an
 * error, never a reason to install another browser.
 * @param {{ log?: (line: string) => void }} [options] `log` receives what is being run;
 *   @default console.error (stdout stays clean for callers).
 * @returns {Promise<string>} the path of the Chromium executable
 * @throws {Error} naming exactly what to install when it is missing and cannot be installed here
 */
export async function ensureChromium(options = {}) {
  const log = options.log ?? ((line) => console.error(line));
  const found = findChromium();
  if (found) return found;
  const configured = process.env.TICKERFLEET_CHROMIUM;
  if (configured) {
    throw new Error(
      `TICKERFLEET_CHROMIUM is ${configured}, which is not an executable file; ${CHROMIUM_INSTALL_HELP}`,
    );
  }

  if (installer() === "apt") {
    aptInstall("ensure-chromium", "chromium", CHROMIUM_INSTALL_HELP, log);
  } else {
    throw new Error(`no Chromium found at ${CHROMIUM_PATHS.join(", ")}; ${CHROMIUM_INSTALL_HELP}`);
  }

  const installed = findChromium();
  if (!installed) throw new Error(`the install finished but no Chromium is found; ${CHROMIUM_INSTALL_HELP}`);
  log(`ensure-chromium: chromium installed at ${installed}.`);
  return installed;
}

await runWhenMain(import.meta.url, ensureChromium);
