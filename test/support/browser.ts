import { type Browser, chromium } from "playwright-core";
import { CHROMIUM_INSTALL_HELP, findChromium } from "../../scripts/ensure-chromium.mjs";

/**
 * The system's Chromium, driven by playwright-core (which never downloads a browser of its own):
 * TICKERFLEET_CHROMIUM when set, else the first of /usr/bin/chromium, /usr/bin/chromium-browser,
 * /usr/bin/google-chrome. `npm test`'s preflight installs Debian's package when it can
 * (scripts/ensure-chromium.mjs); a test run without it fails here, saying what to install.
 */
export function chromiumPath(): string {
  const path = findChromium();
  if (path) return path;
  const configured = process.env.TICKERFLEET_CHROMIUM;
  if (configured)
    throw new Error(`TICKERFLEET_CHROMIUM (${configured}) is not executable; ${CHROMIUM_INSTALL_HELP}`);
  throw new Error(CHROMIUM_INSTALL_HELP);
}

/** A headless Chromium; the caller closes it (in `afterAll`). `--no-sandbox`: CI runs as root. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
}
