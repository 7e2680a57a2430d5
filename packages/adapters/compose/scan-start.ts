import { topology } from "../../../stacks/topology/index.ts";
import type { FetchMessage } from "../../core/pipeline/messages.ts";
import { parseScanRequest } from "../../core/pipeline/scan-request.ts";
import { type StartScanResult, scanDeadlineSeconds, startScan } from "../../core/pipeline/start-scan.ts";
import { batchDocumentClient, documentClient, sqsClient } from "../aws-clients.ts";
import { scanStartSettings } from "../config.ts";
import { DynamoScansRepository } from "../dynamo/scans-repository.ts";
import { startScanStore } from "../dynamo/stores.ts";
import { marketClock } from "../market-clock.ts";
import { SqsMessageSender } from "../sqs/message-sender.ts";

export interface ScanStartResources {
  fetchQueueUrl: string;
  scansTable: string;
}

/**
 * scan-start's composition: validate, record, enqueue. Settings are checked and clients created
 * once per container; a scan's deadline comes from its provider's planned rate.
 */
export function createScanStart(resources: ScanStartResources, env: NodeJS.ProcessEnv = process.env) {
  const settings = scanStartSettings(env);
  const clients = { documents: documentClient(), batches: batchDocumentClient() };
  const store = startScanStore(new DynamoScansRepository(clients, resources.scansTable));
  const fetchQueue = new SqsMessageSender<FetchMessage>(sqsClient(), resources.fetchQueueUrl);
  const session = marketClock(env);
  return async (event: unknown): Promise<StartScanResult> => {
    const request = parseScanRequest(event, settings.defaults);
    const deadlineSeconds = scanDeadlineSeconds(request, {
      ratePerSecond: settings.ratePerSecond[request.provider],
      floorSeconds: topology.scan.deadlineSeconds,
    });
    const result = await startScan(request, {
      store,
      fetchQueue,
      chunkSize: settings.chunkSize,
      deadlineSeconds,
      session: await session(),
    });
    const { universe, provider } = request;
    console.log(JSON.stringify({ event: "scan-start", ...result, universe, provider }));
    return result;
  };
}
