/**
 * scorer: subscribed to the score queue. Computes indicators and scores per
 * ticker, writes results (BatchWriteItem) and records progress exactly once
 * per ticker; the last chunk's scorer asks finalize to run.
 */
import { Resource } from "sst";
import { createScorer } from "../packages/adapters/compose/scorer.ts";

export const handler = createScorer({
  scoreQueueUrl: Resource.ScoreQueue.url,
  scansTable: Resource.ScansTable.name,
  resultsTable: Resource.ResultsTable.name,
  finalizeQueueUrl: Resource.FinalizeQueue.url,
  upstashUrl: Resource.UpstashRedisRestUrl.value,
  upstashToken: Resource.UpstashRedisRestToken.value,
});
