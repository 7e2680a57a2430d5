import { deflateRawSync, inflateRawSync } from "node:zlib";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { StagedUnit } from "../../core/pipeline/plan-supply.ts";
import type { PlanStage } from "../../core/pipeline/ports.ts";
import { StoreError } from "./errors.ts";

/**
 * A planned scan's staged units in the bars table, beside the bars (README "Data model"):
 *
 *   shard "plan#<scanId>#g003"  item "unit#000012#00"  data: the unit's share for assembly group 3
 *                                                      (core/pipeline/assembly-groups.ts), JSON
 *                                                      deflated, in parts of at most PART_BYTES
 *
 * A market day of `us-all` is ~150 KB deflated in all, ~10 KB a group of 500 tickers; a page
 * group of 200 symbols over two years ~0.6 MB (two parts). Written once per unit and group
 * (again, the same, if SQS redelivers), read once by the group's assembly when the last unit
 * is in, and expired by DynamoDB TTL two days later.
 */
const PART_BYTES = 350_000;
const KEEP_SECONDS = 2 * 86_400;

const groupShard = (scanId: string, group: number) => `plan#${scanId}#g${String(group).padStart(3, "0")}`;

const unitItem = (unit: number, part: number) =>
  `unit#${String(unit).padStart(6, "0")}#${String(part).padStart(2, "0")}`;

export class DynamoPlanStage implements PlanStage {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async put(scanId: string, group: number, unit: number, staged: StagedUnit): Promise<void> {
    const bytes = deflateRawSync(JSON.stringify(staged));
    const parts = Math.max(1, Math.ceil(bytes.length / PART_BYTES));
    const expiresAt = Math.floor(this.now() / 1000) + KEEP_SECONDS;
    for (let part = 0; part < parts; part++) {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            shard: groupShard(scanId, group),
            item: unitItem(unit, part),
            parts,
            data: bytes.subarray(part * PART_BYTES, (part + 1) * PART_BYTES),
            expiresAt,
          },
        }),
      );
    }
  }

  async read(scanId: string, group: number): Promise<StagedUnit[]> {
    const parts = new Map<string, { parts: number; data: Uint8Array[] }>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "#shard = :shard",
          ExpressionAttributeNames: { "#shard": "shard" },
          ExpressionAttributeValues: { ":shard": groupShard(scanId, group) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const unit = String(item.item).slice(0, "unit#000000".length);
        const entry = parts.get(unit) ?? { parts: Number(item.parts), data: [] };
        entry.data.push(item.data as Uint8Array);
        parts.set(unit, entry);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    const staged: StagedUnit[] = [];
    for (const [unit, { parts: count, data }] of parts) {
      // Read only once every unit is counted, so each put has finished: a missing part is a fault,
      // and assembling without the unit would hand tickers a supply lacking its sessions.
      if (data.length !== count)
        throw new StoreError(
          `plan ${scanId} group ${group} ${unit}: ${data.length} of ${count} parts stored`,
        );
      try {
        const value = JSON.parse(inflateRawSync(Buffer.concat(data)).toString("utf8")) as StagedUnit;
        if (!["market-day", "symbol-pages", "market-actions", "failed"].includes(value?.kind))
          throw new Error(`kind ${String((value as { kind?: unknown })?.kind)}`);
        staged.push(value);
      } catch (error) {
        throw new StoreError(
          `plan ${scanId} group ${group} ${unit}: unreadable (${(error as Error).message})`,
        );
      }
    }
    return staged;
  }
}
