/**
 * fetcher: subscribed to the fetch queue. Makes each chunk's stored history current
 * (only the sessions it lacks, through the cache and the shared rate limit), hands
 * the adjusted series to the score queue and whatever is not done back to the
 * fetch queue. Partial batch responses.
 */
import { Resource } from "sst";
import { createFetcher } from "../packages/adapters/compose/fetcher.ts";
import { PROVIDER_SECRETS } from "../packages/adapters/providers/registry.ts";

export const handler = createFetcher({
  fetchQueueUrl: Resource.FetchQueue.url,
  scoreQueueUrl: Resource.ScoreQueue.url,
  barsTable: Resource.BarsTable.name,
  scansTable: Resource.ScansTable.name,
  upstashUrl: Resource.UpstashRedisRestUrl.value,
  upstashToken: Resource.UpstashRedisRestToken.value,
  secrets: Object.fromEntries(PROVIDER_SECRETS.map((name) => [name, Resource[name].value])),
});
