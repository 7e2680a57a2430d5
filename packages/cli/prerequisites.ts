import { CliError } from "./errors.ts";

/**
 * What a local stack needs besides npm packages: redis-server. Installs it
 * where that needs no human (apt-get as root, Homebrew on macOS) or fails with
 * a message naming exactly what to install.
 */
export async function ensureLocalPrerequisites(): Promise<void> {
  const { ensureRedisServer } = await import("../../scripts/ensure-redis.mjs");
  try {
    await ensureRedisServer({ log: (line) => process.stderr.write(`${line}\n`) });
  } catch (error) {
    throw new CliError((error as Error).message, 1);
  }
}
