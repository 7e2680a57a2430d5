#!/usr/bin/env node
// Runs before the tests (`npm test`) and before a local stack starts: checks
// the Node.js version and makes sure redis-server and Chromium (for the report's
// browser tests) are installed, installing them where that needs no human
// (apt-get as root; Homebrew on macOS for redis-server). Fails at once with a
// message naming exactly what to install.
import { ensureChromium } from "./ensure-chromium.mjs";
import { ensureRedisServer } from "./ensure-redis.mjs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(
    `tickerfleet needs Node.js 20.19 or newer (22 recommended, as Lambda runs nodejs22.x); this is ${process.versions.node}. ` +
      "Install it from https://nodejs.org or with your version manager (e.g. `nvm install 22`).",
  );
  process.exit(1);
}

try {
  await ensureRedisServer();
  await ensureChromium();
} catch (error) {
  console.error(`preflight: ${error.message}`);
  process.exit(1);
}
