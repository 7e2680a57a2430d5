import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { type MetricName, topology } from "../../stacks/topology/index.ts";

/**
 * Logs and metrics as the Lambda ecosystem reads them, one Logger and one Metrics per container
 * (Powertools for AWS Lambda): structured JSON lines with level, message, service, function,
 * request id, cold start and the scan's id; debug lines for a sampled share of invocations
 * (POWERTOOLS_LOGGER_SAMPLE_RATE, POWERTOOLS_LOG_LEVEL); and counts in CloudWatch's embedded
 * metric format, published once per invocation (a line CloudWatch turns into metrics, and no
 * API call). Locally the same lines go to stdout, which `local up --logs` prints.
 */

/** The service every line and metric names, and the metrics' namespace: the topology's. */
export const SERVICE = topology.metrics.service;
export const METRICS_NAMESPACE = topology.metrics.namespace;

export interface Observability {
  logger: Logger;
  /** At an invocation's start: its context on every line, a new sampling decision, no scan yet. */
  begin(context: Context | undefined): void;
  /** The scan the invocation works for, on every line until the next begin. */
  scan(scanId: string | readonly string[]): void;
  count(name: MetricName, value: number): void;
  /** At its end: the counts as one embedded-metric line (none when nothing was counted). */
  end(): void;
}

export function observability(env: NodeJS.ProcessEnv = process.env): Observability {
  const stage = env.TICKERFLEET_STAGE || "local";
  const logger = new Logger({ serviceName: SERVICE, persistentKeys: { stage } });
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: SERVICE,
    defaultDimensions: { stage },
  });
  let counted = 0;
  return {
    logger,
    begin(context) {
      logger.resetKeys();
      if (context) logger.addContext(context);
      logger.refreshSampleRateCalculation();
      counted = 0;
    },
    scan(scanId) {
      const ids = typeof scanId === "string" ? [scanId] : [...new Set(scanId)];
      if (ids.length === 0) return;
      logger.appendKeys({ scanId: ids.length === 1 ? ids[0] : ids });
    },
    count(name, value) {
      if (!Number.isFinite(value) || value <= 0) return;
      metrics.addMetric(name, MetricUnit.Count, value);
      counted++;
    },
    end() {
      if (counted > 0) metrics.publishStoredMetrics();
      counted = 0;
    },
  };
}
