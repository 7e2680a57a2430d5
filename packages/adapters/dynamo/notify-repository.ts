import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AlertLedger, AlertRecord } from "../../core/alerts/deliver.ts";
import type { ScanReportRecord } from "../../core/pipeline/records.ts";
import { StoreError } from "./errors.ts";
import { SCAN_ITEM } from "./items.ts";
import { ALERT_PREFIX, alertFromItem, alertItem } from "./notify-items.ts";
import {
  type DynamoClients,
  expiresAt,
  isConditionalFailure,
  type RepositoryOptions,
  scanItemsWithPrefix,
} from "./requests.ts";

/**
 * What notify writes on a scan in the scans table: the report's record, and each channel's
 * alert item. A channel is claimed with a conditional put (the item must not exist), so two
 * deliveries of one notify message cannot both send.
 */
export class DynamoNotifyRepository implements AlertLedger {
  constructor(
    private readonly clients: Pick<DynamoClients, "documents">,
    private readonly table: string,
    private readonly options: RepositoryOptions = {},
  ) {}

  async recordReport(scanId: string, report: ScanReportRecord): Promise<void> {
    await this.clients.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { scanId, item: SCAN_ITEM },
        UpdateExpression: "SET report = :report",
        ConditionExpression: "attribute_exists(scanId)",
        ExpressionAttributeValues: { ":report": report },
      }),
    );
  }

  async claim(
    scanId: string,
    record: AlertRecord,
  ): Promise<{ claimed: true } | { claimed: false; record: AlertRecord }> {
    try {
      await this.clients.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: alertItem(scanId, record, expiresAt(this.options)),
          ConditionExpression: "attribute_not_exists(scanId)",
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
    const out = await this.clients.documents.send(
      new GetCommand({
        TableName: this.table,
        Key: { scanId, item: `${ALERT_PREFIX}${record.channel}` },
        ConsistentRead: true,
      }),
    );
    const held = alertFromItem(out.Item);
    if (!held)
      throw new StoreError(`unreadable alert item ${ALERT_PREFIX}${record.channel} of scan ${scanId}`);
    return { claimed: false, record: held };
  }

  async finish(scanId: string, record: AlertRecord): Promise<void> {
    await this.clients.documents.send(
      new PutCommand({ TableName: this.table, Item: alertItem(scanId, record, expiresAt(this.options)) }),
    );
  }

  /** Every channel's alert record of a scan. */
  async alerts(scanId: string, consistent = false): Promise<AlertRecord[]> {
    const out: AlertRecord[] = [];
    for await (const item of scanItemsWithPrefix(
      this.clients.documents,
      this.table,
      scanId,
      ALERT_PREFIX,
      consistent,
    )) {
      const record = alertFromItem(item);
      if (record) out.push(record);
    }
    return out;
  }
}
