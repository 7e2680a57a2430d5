#!/usr/bin/env node
// Entry point for `npx tickerfleet`: registers tsx so the TypeScript CLI runs as-is
// (no build step), then hands over to packages/cli/main.ts.
import { register } from "tsx/esm/api";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("../packages/cli/main.ts");
await main(process.argv);
// One-shot commands are done here; a keep-alive socket or SDK client must not hold the process open.
setTimeout(() => process.exit(process.exitCode ?? 0), 250).unref();
