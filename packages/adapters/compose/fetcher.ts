import { Redis } from "@upstash/redis";
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { ConfigError } from "../../core/errors.ts";
import type { ProviderName } from "../../core/market-data.port.ts";
import { type FetchInput, fetchChunks, type ProviderAccess } from "../../core/pipeline/fetch-chunks.ts";
import { type FetchMessage, parseFetchMessage, type ScoreMessage } from "../../core/pipeline/messages.ts";
import { sqsClient } from "../aws-clients.ts";
import { fetchConfig, limiterSettings, providerLimits } from "../config.ts";
import { createProvider, providerConfigFromEnv } from "../providers/index.ts";
import { notConfiguredProvider } from "../providers/not-configured.ts";
import { SqsMessageSender } from "../sqs/message-sender.ts";
import { UpstashResponseCache } from "../upstash/response-cache.ts";
import { limiterIdentifier, UpstashTokenLimiter } from "../upstash/token-limiter.ts";

export interface FetcherResources {
  fetchQueueUrl: string;
  scoreQueueUrl: string;
  upstashUrl: string;
  upstashToken: string;
  /** Provider API keys from SST secrets; empty or "unset" means not configured. */
  apiKeys: Partial<Record<ProviderName, string>>;
}

const SECRET_OF: Record<ProviderName, string> = {
  yahoo: "",
  fmp: "FmpApiKey",
  polygon: "PolygonApiKey",
  alphavantage: "AlphaVantageApiKey",
};

const KEY_ENV: Record<ProviderName, string | undefined> = {
  yahoo: undefined,
  fmp: "FMP_API_KEY",
  polygon: "POLYGON_API_KEY",
  alphavantage: "ALPHAVANTAGE_API_KEY",
};

/**
 * The fetcher's composition: one Upstash client, one undici pool per provider
 * (inside the adapters), one SQS client, all per container.
 *
 * Unlike the scorer, the fetcher handles its SQS batch as a whole rather than
 * record by record (Powertools' batch processor): all the batch's chunks share
 * one cache read, one token loop against the shared limit and one cache write,
 * which is what keeps Redis commands per ticker low. It builds the partial
 * batch response itself: a record fails only if its body does not parse or its
 * outcomes could not be handed on.
 */
export function createFetcher(resources: FetcherResources, env: NodeJS.ProcessEnv = process.env) {
  const redis = new Redis({
    url: resources.upstashUrl,
    token: resources.upstashToken,
    automaticDeserialization: false,
    enableTelemetry: false,
  });
  const cache = new UpstashResponseCache(redis);
  const config = fetchConfig(env);
  const limits = limiterSettings(env);
  const scoreQueue = new SqsMessageSender<ScoreMessage>(sqsClient(), resources.scoreQueueUrl);
  const fetchQueue = new SqsMessageSender<FetchMessage>(sqsClient(), resources.fetchQueueUrl);
  const access = new Map<ProviderName, ProviderAccess>();
  const limiters: UpstashTokenLimiter[] = [];
  const lateTokens = () => limiters.reduce((sum, l) => sum + l.lateTokens, 0);
  const holds = () => limiters.reduce((sum, l) => sum + l.holds, 0);
  const learnedLimit = () => {
    const learned = limiters.flatMap((l) => (l.learnedLimit === undefined ? [] : [l.learnedLimit]));
    return learned.length > 0 ? Math.min(...learned) : null;
  };
  const providers = (name: ProviderName): ProviderAccess => {
    let found = access.get(name);
    if (!found) {
      const key = resources.apiKeys[name];
      const keyEnv = KEY_ENV[name];
      const providerEnv = keyEnv && key && key !== "unset" ? { ...env, [keyEnv]: key } : env;
      const limiter = (apiKey: string | undefined) => {
        const made = new UpstashTokenLimiter(
          redis,
          limiterIdentifier(name, apiKey),
          providerLimits(name, env),
          limits,
        );
        limiters.push(made);
        return made;
      };
      try {
        const providerConfig = providerConfigFromEnv(name, providerEnv);
        found = { provider: createProvider(name, providerConfig), limiter: limiter(providerConfig.apiKey) };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // A scan asked for a provider this deployment has no key for: fail its tickers with the reason.
        const hint = keyEnv
          ? ` (set the ${SECRET_OF[name]} secret: npx sst secret set ${SECRET_OF[name]} …)`
          : "";
        found = {
          provider: notConfiguredProvider(name, `${error.message}${hint}`),
          limiter: limiter(undefined),
        };
      }
      access.set(name, found);
    }
    return found;
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    // Keep a quarter of the invocation (at most the configured reserve) to finish what was started.
    const reserveMs = Math.min(config.reserveMs, context.getRemainingTimeInMillis() / 4);
    const failures: SQSBatchItemFailure[] = [];
    const inputs: FetchInput[] = [];
    for (const record of event.Records) {
      try {
        inputs.push({ id: record.messageId, message: parseFetchMessage(record.body) });
      } catch (error) {
        // A body that does not parse can never succeed: it fails until redrive moves it to the DLQ.
        console.error(
          JSON.stringify({
            event: "fetch-rejected",
            messageId: record.messageId,
            error: (error as Error).message,
          }),
        );
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    if (inputs.length > 0) {
      const lateBefore = lateTokens();
      const holdsBefore = holds();
      const report = await fetchChunks(
        inputs,
        { providers, cache, scoreQueue, fetchQueue, remainingMs: () => context.getRemainingTimeInMillis() },
        { ...config, reserveMs },
      );
      const { failedIds, ...counts } = report;
      console.log(
        JSON.stringify({
          event: "fetch",
          chunks: inputs.map((i) => `${i.message.scanId}#${i.message.chunk}`),
          ...counts,
          // Rate-limit tokens granted but left unused because Redis answered late (see
          // token-limiter.ts): a few are harmless; many mean Redis is slow from here.
          lateTokens: lateTokens() - lateBefore,
          // Pauses of every fetcher set because the provider refused for being over its limit:
          // any at all mean it counts more than the plan (TICKERFLEET_RATE_LIMIT_*) says.
          providerHolds: holds() - holdsBefore,
          // The lowest limit learned from those refusals and in force now, if any (see holdOff).
          learnedLimit: learnedLimit(),
        }),
      );
      for (const id of failedIds) failures.push({ itemIdentifier: id });
    }
    return { batchItemFailures: failures };
  };
}
