import { TickerfleetError } from "../core/errors.ts";

/** An expected CLI failure: printed as one line (no stack) with its exit code. */
export class CliError extends TickerfleetError {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2, options?: { cause?: unknown }) {
    super("CLI", message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
