/**
 * finalize: subscribed to the finalize queue and run by the sweep schedule.
 * Ranks a finished scan (RS ratings), writes its leaderboard and breadth, sets
 * COMPLETE or PARTIAL and hands it to notify; the sweep finalizes overdue scans PARTIAL.
 */
import { Resource } from "sst";
import { createFinalize } from "../packages/adapters/compose/finalize.ts";

export const handler = createFinalize({
  scansTable: Resource.ScansTable.name,
  resultsTable: Resource.ResultsTable.name,
  notifyQueueUrl: Resource.NotifyQueue.url,
});
