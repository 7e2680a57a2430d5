import { TickerfleetError } from "../../core/errors.ts";

/**
 * A REST request the local Upstash server refuses before it reaches Redis
 * (bad JSON, unsupported command, body too large). `status` is the HTTP status
 * it is answered with; the message goes out as `{"error": message}`.
 */
export class UpstashRequestError extends TickerfleetError {
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super("UPSTASH_REQUEST", message, options);
    this.name = "UpstashRequestError";
    this.status = status;
  }
}
