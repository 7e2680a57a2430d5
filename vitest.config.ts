import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/**/*.test.ts", "test/**/*.test.ts", "stacks/**/*.test.ts"],
    // Integration tests start real servers (redis-server, SQS, dynalite) on free
    // loopback ports; each file owns its servers, so files may run in parallel.
    // `npm test` runs the end-to-end files (test/e2e) afterwards, one at a time:
    // each runs the whole local stack, and the rate-limit assertions measure real
    // arrival times, which two stacks fighting over two cores would distort.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
