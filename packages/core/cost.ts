/**
 * What a scan costs, in dollars, from what it used: the list prices that the
 * CLI (after a local scan) and the cost benchmark apply to counted requests.
 *
 * List prices: US East
 * (N. Virginia), on-demand, no free tier applied (a scan's share of a free
 * tier is not a property of the scan). Checked 2026-11-25 against:
 *   SQS      https://aws.amazon.com/sqs/pricing/            standard queue requests; each 64 KiB of payload is one request
 *   DynamoDB https://aws.amazon.com/dynamodb/pricing/on-demand/  on-demand write / read request units (after the Nov 2024 price cut)
 *   Lambda   https://aws.amazon.com/lambda/pricing/         requests; duration on Arm (Graviton), which stacks/sst deploys
 *   Upstash  https://upstash.com/pricing/redis              pay-as-you-go commands
 * Not counted: CloudWatch Logs ingestion ($0.50/GB: a scan logs ~1 KB per chunk), EventBridge
 * Scheduler ($1 per million invocations: one per scan), data transfer, storage.
 */
export const PRICES = {
  checked: "2026-11-25",
  sqsPerMillionRequests: 0.4,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  upstashPer100kCommands: 0.2,
} as const;

/** What a scan used, in the units AWS and Upstash bill. */
export interface UsageCounts {
  sqsBilledRequests: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  redisCommands: number;
}

export interface Dollars {
  sqs: number;
  dynamo: number;
  lambda: number;
  upstash: number;
  total: number;
}

export function dollars(u: UsageCounts): Dollars {
  const sqs = (u.sqsBilledRequests / 1e6) * PRICES.sqsPerMillionRequests;
  const dynamo =
    (u.dynamoWriteUnits / 1e6) * PRICES.dynamoPerMillionWriteUnits +
    (u.dynamoReadUnits / 1e6) * PRICES.dynamoPerMillionReadUnits;
  const lambda =
    (u.lambdaInvocations / 1e6) * PRICES.lambdaPerMillionRequests +
    u.lambdaGbSeconds * PRICES.lambdaArmPerGbSecond;
  const upstash = (u.redisCommands / 1e5) * PRICES.upstashPer100kCommands;
  return { sqs, dynamo, lambda, upstash, total: sqs + dynamo + lambda + upstash };
}
