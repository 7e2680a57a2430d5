import { topology } from "../../../stacks/topology/index.ts";
import { ConfigError } from "../../core/errors.ts";
import type { ProviderName } from "../../core/market-data.port.ts";
import { isProviderName } from "../../core/market-data.port.ts";
import { DEFAULT_SCAN, parseScanRequest, type ScanDefaults } from "../../core/pipeline/scan-request.ts";
import { type StartScanResult, startScan } from "../../core/pipeline/start-scan.ts";
import { planLimit } from "../../core/rate-plan.ts";
import { isUniverseName } from "../../core/universes.ts";
import { batchDocumentClient, documentClient, sqsClient } from "../aws-clients.ts";
import { limiterSettings, providerLimits } from "../config.ts";
import { DynamoScansRepository } from "../dynamo/scans-repository.ts";
import { startScanStore } from "../dynamo/stores.ts";
import { SqsMessageSender } from "../sqs/message-sender.ts";

export interface ScanStartResources {
  fetchQueueUrl: string;
  scansTable: string;
}

/** Scan defaults from the environment: TICKERFLEET_DEFAULT_PROVIDER, TICKERFLEET_SCHEDULED_UNIVERSE. */
export function scanDefaults(env: NodeJS.ProcessEnv = process.env): ScanDefaults {
  const provider = env.TICKERFLEET_DEFAULT_PROVIDER || DEFAULT_SCAN.provider;
  if (!isProviderName(provider))
    throw new ConfigError(`TICKERFLEET_DEFAULT_PROVIDER="${provider}" is not a provider`);
  const universe = env.TICKERFLEET_SCHEDULED_UNIVERSE || DEFAULT_SCAN.scheduledUniverse;
  if (!isUniverseName(universe))
    throw new ConfigError(`TICKERFLEET_SCHEDULED_UNIVERSE="${universe}" is not a universe`);
  return { ...DEFAULT_SCAN, provider, scheduledUniverse: universe };
}

/**
 * A scan may run for twice what its provider's limit needs, plus ten minutes,
 * and never less than the topology's floor; past that the sweep finalizes it.
 */
export function deadlineFor(provider: ProviderName, env: NodeJS.ProcessEnv = process.env) {
  const plan = planLimit(providerLimits(provider, env), limiterSettings(env));
  return (tickers: number) =>
    Math.max(topology.scan.deadlineSeconds, Math.ceil((2 * tickers) / plan.ratePerSecond) + 600);
}

/** Tickers per fetch message: the topology's, unless TICKERFLEET_CHUNK_SIZE says otherwise (1..100). */
export function chunkSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TICKERFLEET_CHUNK_SIZE;
  if (raw === undefined || raw === "") return topology.scan.chunkSize;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw new ConfigError(`TICKERFLEET_CHUNK_SIZE="${raw}" must be an integer from 1 to 100`);
  }
  return value;
}

/** scan-start's composition: validate, record, enqueue. Clients are created once per container. */
export function createScanStart(resources: ScanStartResources, env: NodeJS.ProcessEnv = process.env) {
  const defaults = scanDefaults(env);
  const clients = { documents: documentClient(), batches: batchDocumentClient() };
  const store = startScanStore(new DynamoScansRepository(clients, resources.scansTable));
  const fetchQueue = new SqsMessageSender(sqsClient(), resources.fetchQueueUrl);
  return async (event: unknown): Promise<StartScanResult> => {
    const request = parseScanRequest(event, defaults);
    const result = await startScan(request, {
      store,
      fetchQueue,
      chunkSize: chunkSize(env),
      deadlineSeconds: deadlineFor(request.provider, env),
    });
    console.log(
      JSON.stringify({
        event: "scan-start",
        ...result,
        universe: request.universe,
        provider: request.provider,
      }),
    );
    return result;
  };
}
