import { TickerfleetError } from "../../core/errors.ts";

/** The DynamoDB store could not do what was asked (an unlinked table, items left unprocessed, an unreadable item). */
export class StoreError extends TickerfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE", message, options);
    this.name = "StoreError";
  }
}
