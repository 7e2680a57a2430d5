import type { Context } from "aws-lambda";
import { topology } from "../../../stacks/topology/index.ts";
import { ValidationError } from "../../core/errors.ts";
import type { FetchQueueMessage } from "../../core/pipeline/messages.ts";
import { parseScanRequest, type ScanRequest } from "../../core/pipeline/scan-request.ts";
import { type StartScanResult, scanDeadlineSeconds, startScan } from "../../core/pipeline/start-scan.ts";
import { capabilitiesOf } from "../../core/planner/capabilities.ts";
import { autoChain, isUsablePrevious, planScan, plansRequests } from "../../core/planner/scan-plan.ts";
import { batchDocumentClient, documentClient, sqsClient } from "../aws-clients.ts";
import { scanStartSettings } from "../config.ts";
import { DynamoScansRepository } from "../dynamo/scans-repository.ts";
import { startScanStore } from "../dynamo/stores.ts";
import { marketClock } from "../market-clock.ts";
import { observability } from "../observability.ts";
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
  const scans = new DynamoScansRepository(clients, resources.scansTable);
  const store = startScanStore(scans);
  const fetchQueue = new SqsMessageSender<FetchQueueMessage>(sqsClient(), resources.fetchQueueUrl);
  const session = marketClock(env);
  /**
   * The plan with the scan's first provider (an auto scan: every configured one), from what the
   * last finished scan of its universe left stored.
   */
  const planFor = async (request: ScanRequest, today: string) => {
    const names = request.auto ? request.providers : [request.provider];
    if (request.mode !== "plan" || !names.some(plansRequests)) return undefined;
    const recent = await scans.recent({ universe: request.universe, limit: 10 });
    const last = recent.find((s) => isUsablePrevious(s, today, request.scanId));
    const previous = last ? { scan: last, tickers: await scans.tickers(last.scanId) } : undefined;
    return planScan(request, {
      session: today,
      ...(previous ? { previous } : {}),
      providers: names.map((name) => ({
        name,
        capabilities: capabilitiesOf(name),
        limits: settings.limits[name],
      })),
    });
  };
  const obs = observability(env);
  return async (event: unknown, context?: Context): Promise<StartScanResult> => {
    obs.begin(context);
    try {
      const result = await start(event);
      obs.count("ScansStarted", result.alreadyStarted ? 0 : 1);
      return result;
    } catch (error) {
      // A refused payload is the caller's answer (the Invoke API returns it), not the function's fault.
      if (error instanceof ValidationError)
        obs.logger.warn("scan-start refused", { event: "scan-start-refused", problems: error.problems });
      else obs.logger.error("scan-start failed", error as Error);
      throw error;
    } finally {
      obs.end();
    }
  };

  async function start(event: unknown): Promise<StartScanResult> {
    const asked = parseScanRequest(event, settings.defaults);
    obs.scan(asked.scanId);
    const today = await session();
    const plan = await planFor(asked, today);
    // An auto scan's chain starts with the provider its plan asks per ticker (scan-plan.ts).
    const providers = asked.auto
      ? autoChain(plan?.plan, asked.providers, asked.fundamentals)
      : asked.providers;
    const request: ScanRequest = { ...asked, provider: providers[0]!, providers };
    const deadlineSeconds = scanDeadlineSeconds(request, {
      ratePerSecond: settings.ratePerSecond[request.provider],
      floorSeconds: topology.scan.deadlineSeconds,
    });
    const result = await startScan(request, {
      store,
      fetchQueue,
      chunkSize: settings.chunkSize,
      deadlineSeconds,
      session: today,
      ...(plan ? { plan } : {}),
    });
    const { universe, provider } = request;
    const chain = providers.length > 1 ? { chain: providers } : {};
    const planned = plan
      ? { plan: { requests: plan.plan.requests, seconds: plan.plan.seconds, units: plan.units.length } }
      : {};
    obs.logger.info("scan-start", {
      event: "scan-start",
      ...result,
      universe,
      provider,
      ...chain,
      ...planned,
    });
    return result;
  }
}
