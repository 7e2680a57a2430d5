#!/usr/bin/env node
// Runs before the tests (`npm test`) and before a local stack starts: checks
// the Node.js version and makes sure redis-server is installed (installing it
// where that needs no human: apt-get as root, Homebrew on macOS). Fails at once
// with a message naming exactly what to install.
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
} catch (error) {
  console.error(`preflight: ${error.message}`);
  process.exit(1);
}
