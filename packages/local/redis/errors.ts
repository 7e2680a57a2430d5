import { TickerfleetError } from "../../core/errors.ts";

/** How to get redis-server, for every message that says it is missing. */
export const REDIS_INSTALL_HINT =
  "Install it: on Debian/Ubuntu `sudo apt-get install -y redis-server`, on macOS `brew install redis` " +
  "(or run `node scripts/ensure-redis.mjs`, which does that where it can), or pass `binary` with its path.";

/** No redis-server executable on PATH, in the common locations, or at the path given. */
export class RedisServerNotFoundError extends TickerfleetError {
  constructor(where: string) {
    super("REDIS_SERVER_NOT_FOUND", `redis-server was not found ${where}. ${REDIS_INSTALL_HINT}`);
    this.name = "RedisServerNotFoundError";
  }
}

/** redis-server was found but did not come up (exited, or did not accept connections in time). */
export class RedisServerStartError extends TickerfleetError {
  /** The last lines redis-server printed, to show why. */
  readonly output: string;
  constructor(message: string, output: string, options?: { cause?: unknown }) {
    super("REDIS_SERVER_START", output ? `${message}; redis-server said: ${output}` : message, options);
    this.name = "RedisServerStartError";
    this.output = output;
  }
}
