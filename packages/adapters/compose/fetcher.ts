import { Redis } from "@upstash/redis";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { assembleScan } from "../../core/pipeline/assemble.ts";
import { fetchChunks, readFetchRecords } from "../../core/pipeline/fetch-chunks.ts";
import { gatherUnits } from "../../core/pipeline/gather.ts";
import type { FetchQueueMessage, ScoreMessage } from "../../core/pipeline/messages.ts";
import { batchDocumentClient, documentClient, sqsClient } from "../aws-clients.ts";
import { fetcherSettings } from "../config.ts";
import { DynamoBarsStore } from "../dynamo/bars-store.ts";
import { DynamoPlanStage } from "../dynamo/plan-stage.ts";
import { DynamoScansRepository } from "../dynamo/scans-repository.ts";
import { planProgress } from "../dynamo/stores.ts";
import { observability } from "../observability.ts";
import { fetcherProviders, type ProviderSecrets } from "../providers/registry.ts";
import { SqsMessageSender } from "../sqs/message-sender.ts";
import { retrySoon } from "../sqs/retry-soon.ts";
import type { LimiterLog } from "../upstash/limiter-stats.ts";
import { UpstashResponseCache } from "../upstash/response-cache.ts";

export interface FetcherResources {
  fetchQueueUrl: string;
  scoreQueueUrl: string;
  barsTable: string;
  /** A planned scan's record and its units' progress (README "Request plans"). */
  scansTable: string;
  upstashUrl: string;
  upstashToken: string;
  /** Provider keys from SST secrets, by secret name (PROVIDER_SECRETS). */
  secrets: ProviderSecrets;
}

/**
 * The fetcher's composition, per container: settings checked once, one Upstash client, every
 * provider with its shared limit (one undici pool per origin inside the adapters), SQS senders.
 * It handles its SQS batch as a whole (one cache read, one token loop, one cache write for all
 * its chunks; a planned scan's units and its assemble beside them) and builds the partial batch
 * response itself: a record fails only if its body does not parse or its outcomes could not be
 * handed on.
 */
export function createFetcher(resources: FetcherResources, env: NodeJS.ProcessEnv = process.env) {
  const settings = fetcherSettings(env);
  const { upstashUrl: url, upstashToken: token } = resources;
  const redis = new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });
  const providers = fetcherProviders({ redis, env, secrets: resources.secrets, ...settings });
  const deps = {
    providers: providers.access,
    cache: new UpstashResponseCache(redis),
    bars: new DynamoBarsStore(documentClient(), resources.barsTable),
    scoreQueue: new SqsMessageSender<ScoreMessage>(sqsClient(), resources.scoreQueueUrl),
    fetchQueue: new SqsMessageSender<FetchQueueMessage>(sqsClient(), resources.fetchQueueUrl),
  };
  const scans = new DynamoScansRepository(
    { documents: documentClient(), batches: batchDocumentClient() },
    resources.scansTable,
  );
  const plan = {
    progress: planProgress(scans),
    stage: new DynamoPlanStage(documentClient(), resources.barsTable),
    fetchQueue: deps.fetchQueue,
  };
  const obs = observability(env);
  /**
   * What an invocation's work and limiters did: its metrics, and the provider requests it made and
   * breakers it opened on the records of the scans it worked for (counts for their summaries and
   * reports, not worth failing for).
   */
  const account = async (
    scanIds: readonly string[],
    report: { providerRequests: number; cacheHits?: number; fallbacks?: number },
    limiters: LimiterLog,
  ) => {
    obs.count("ProviderRequests", report.providerRequests);
    obs.count("CacheHits", report.cacheHits ?? 0);
    obs.count("Fallbacks", report.fallbacks ?? 0);
    obs.count("ProviderRefusals", limiters.providerRefusals);
    obs.count("ProviderHolds", limiters.providerHolds);
    obs.count("BreakerOpens", limiters.breakerOpens);
    obs.count("BreakerProbes", limiters.breakerProbes);
    obs.count("LapsedTokens", limiters.lateTokens);
    // Requests are shared out among the scans by their chunks (a batch rarely mixes scans).
    const chunksOf = new Map<string, number>();
    for (const id of scanIds) chunksOf.set(id, (chunksOf.get(id) ?? 0) + 1);
    for (const [scanId, chunks] of chunksOf) {
      const counts = {
        providerRequests: Math.round((report.providerRequests * chunks) / scanIds.length),
        breakerOpens: limiters.breakerOpens,
      };
      await scans.addFetchCounts(scanId, counts).catch((error: Error) => {
        obs.logger.error("fetch-count-failed", { event: "fetch-count-failed", scanId, error: error.message });
      });
    }
  };
  const handle = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const { inputs, gathers, assembles, rejected } = readFetchRecords(event.Records);
    obs.scan([
      ...inputs.map((i) => i.message.scanId),
      ...gathers.map((g) => g.message.scanId),
      ...assembles.map((a) => a.scanId),
    ]);
    for (const { id, error } of rejected) {
      obs.logger.error("fetch-rejected", { event: "fetch-rejected", messageId: id, error });
    }
    const failedIds = rejected.map((r) => r.id);
    const remainingMs = () => context.getRemainingTimeInMillis();
    // Keep a quarter of the invocation (at most the configured reserve) to finish what was started.
    const fetchConfig = {
      ...settings.fetch,
      reserveMs: Math.min(settings.fetch.reserveMs, remainingMs() / 4),
    };
    for (const { id, scanId, group } of assembles) {
      try {
        const report = await assembleScan(scanId, group, plan);
        obs.logger.info("plan-assembled", { event: "plan-assembled", ...report });
      } catch (error) {
        obs.logger.error("plan-assemble-failed", {
          event: "plan-assemble-failed",
          scanId,
          group,
          error: (error as Error).message,
        });
        failedIds.push(id);
      }
    }
    if (gathers.length > 0) {
      const limiterLog = providers.stats.start();
      const report = await gatherUnits(gathers, { ...deps, ...plan, remainingMs }, fetchConfig);
      const { failedIds: unsent, ...counts } = report;
      const units = gathers.map((g) => `${g.message.scanId}#${g.message.unit}`);
      const limiters = limiterLog();
      obs.logger.info("plan-gather", { event: "plan-gather", units, ...counts, ...limiters });
      await account(
        gathers.map((g) => g.message.scanId),
        report,
        limiters,
      );
      failedIds.push(...unsent);
    }
    if (inputs.length > 0) {
      const limiterLog = providers.stats.start();
      const report = await fetchChunks(inputs, { ...deps, remainingMs }, fetchConfig);
      const { failedIds: unsent, ...counts } = report;
      const chunks = inputs.map((i) => `${i.message.scanId}#${i.message.chunk}`);
      const limiters = limiterLog();
      obs.logger.info("fetch", { event: "fetch", chunks, ...counts, ...limiters });
      await account(
        inputs.map((i) => i.message.scanId),
        report,
        limiters,
      );
      failedIds.push(...unsent);
    }
    return { batchItemFailures: failedIds.map((id) => ({ itemIdentifier: id })) };
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    obs.begin(context);
    try {
      return await handle(event, context);
    } catch (error) {
      // What throws here is the infrastructure (a store or queue call that kept failing through the
      // SDK's retries): the whole batch goes back, seconds from now rather than after the queue's
      // visibility timeout. Its records' work is idempotent; repeated failures end in the DLQ.
      obs.logger.error("fetch-batch-failed", {
        event: "fetch-batch-failed",
        records: event.Records.length,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      await retrySoon(sqsClient(), resources.fetchQueueUrl, event.Records);
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    } finally {
      obs.end();
    }
  };
}
