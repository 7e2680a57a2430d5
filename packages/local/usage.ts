import type { UsageCounts } from "../core/cost.ts";
import type { LocalCloudStats } from "./cloud.ts";
import type { FunctionStats } from "./runtime/function-pool.ts";

/** A local stack's counters with its functions' (what `stack.stats()` and `GET /_local/stats` give). */
export type UsageSnapshot = LocalCloudStats & { functions: Record<string, FunctionStats> };

/** What the local stack used between two snapshots, in billing units (see core/cost.ts). */
export function usageBetween(before: UsageSnapshot, after: UsageSnapshot): UsageCounts {
  const fn = (field: "invocations" | "gbSeconds") =>
    Object.entries(after.functions).reduce(
      (sum, [name, stats]) => sum + stats[field] - (before.functions[name]?.[field] ?? 0),
      0,
    );
  return {
    sqsBilledRequests: after.sqsBilledRequests - before.sqsBilledRequests,
    dynamoWriteUnits: after.dynamoWriteUnits - before.dynamoWriteUnits,
    dynamoReadUnits: after.dynamoReadUnits - before.dynamoReadUnits,
    lambdaInvocations: fn("invocations"),
    lambdaGbSeconds: fn("gbSeconds"),
    redisCommands: after.redisCommands - before.redisCommands,
  };
}
