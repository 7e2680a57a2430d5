import { SqsError } from "./errors.ts";
import { isObject, type JsonObject, requiredList } from "./input.ts";

/**
 * The rules every *Batch action shares: 1 to 10 entries, each with an Id of
 * up to 80 alphanumerics, hyphens and underscores, all Ids distinct. A broken
 * rule fails the whole request; an entry's own problem fails only that entry.
 */
export const MAX_BATCH_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export interface BatchEntry extends JsonObject {
  Id: string;
}

export function readBatchEntries(input: JsonObject): BatchEntry[] {
  const entries = requiredList(input, "Entries");
  if (entries.length === 0) {
    throw new SqsError("EmptyBatchRequest", "There should be at least one entry in the request.");
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError(
      "TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = isObject(entry) ? entry.Id : undefined;
    if (typeof id !== "string" || !ENTRY_ID.test(id)) {
      throw new SqsError(
        "InvalidBatchEntryId",
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got ${JSON.stringify(id)}.`,
      );
    }
    if (seen.has(id)) {
      throw new SqsError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    }
    seen.add(id);
  }
  return entries as BatchEntry[];
}

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/**
 * Runs `run` for each entry; an SqsError becomes that entry's `Failed` item,
 * other errors (bugs) propagate.
 */
export async function eachEntry<E extends BatchEntry, R>(
  entries: readonly E[],
  run: (entry: E) => R | Promise<R>,
): Promise<{ Successful: R[]; Failed: BatchFailure[] }> {
  const Successful: R[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of entries) {
    try {
      Successful.push(await run(entry));
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: error.senderFault, Code: error.name, Message: error.message });
    }
  }
  return { Successful, Failed };
}
