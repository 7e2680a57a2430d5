/**
 * The base of every error tickerfleet throws on purpose. Expected outcomes
 * (a provider's 429, an unknown symbol) are values, not errors; errors are for
 * bad input and broken infrastructure. Each subclass sets `name` and a stable
 * machine-readable `code`, and never carries a secret in its message.
 */
export class TickerfleetError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TickerfleetError";
    this.code = code;
  }
}

/** Input that does not have the documented shape; `problems` names every one. */
export class ValidationError extends TickerfleetError {
  readonly problems: readonly string[];
  constructor(what: string, problems: readonly string[], options?: { cause?: unknown }) {
    super("VALIDATION", `invalid ${what}: ${problems.join("; ")}`, options);
    this.name = "ValidationError";
    this.problems = problems;
  }
}

/** Configuration (environment, options) that is missing or malformed. */
export class ConfigError extends TickerfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIG", message, options);
    this.name = "ConfigError";
  }
}
