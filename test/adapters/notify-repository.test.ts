/**
 * What notify writes on a scan, against dynalite through @aws-sdk/lib-dynamodb: a channel's claim
 * is a conditional put that exactly one of several racing claims wins, and the report's record.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoNotifyRepository } from "../../packages/adapters/dynamo/notify-repository.ts";
import { DynamoScansRepository } from "../../packages/adapters/dynamo/scans-repository.ts";
import type { AlertRecord } from "../../packages/core/alerts/deliver.ts";
import { type DynamoServer, startDynamoServer } from "../../packages/local/dynamo/index.ts";
import { createTableInput } from "../../packages/local/runtime/provision.ts";
import { topology } from "../../stacks/topology/index.ts";

let server: DynamoServer;
let client: DynamoDBClient;
let notify: DynamoNotifyRepository;
let scans: DynamoScansRepository;
const TABLE = topology.tables.scans.name;

beforeAll(async () => {
  server = await startDynamoServer();
  client = new DynamoDBClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  await client.send(new CreateTableCommand(createTableInput(TABLE, topology.tables.scans)));
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  notify = new DynamoNotifyRepository({ documents }, TABLE);
  scans = new DynamoScansRepository({ documents, batches: documents }, TABLE);
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
});

const sending = (at: string): AlertRecord => ({
  channel: "slack",
  status: "sending",
  attempts: 0,
  claimedAt: at,
});

describe("DynamoNotifyRepository", () => {
  it("lets exactly one of ten racing claims of a channel win; the others read its record", async () => {
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => notify.claim("race", sending(`2026-12-03T00:00:0${i}.000Z`))),
    );
    const won = claims.filter((c) => c.claimed);
    expect(won).toHaveLength(1);
    const held = claims.filter((c) => !c.claimed).map((c) => (c.claimed ? undefined : c.record.claimedAt));
    expect(new Set(held).size).toBe(1);

    await notify.finish("race", {
      channel: "slack",
      status: "sent",
      attempts: 2,
      claimedAt: held[0]!,
      finishedAt: "2026-12-03T00:00:10.000Z",
    });
    const again = await notify.claim("race", sending("2026-12-03T00:01:00.000Z"));
    expect(again).toStrictEqual({
      claimed: false,
      record: {
        channel: "slack",
        status: "sent",
        attempts: 2,
        claimedAt: held[0]!,
        finishedAt: "2026-12-03T00:00:10.000Z",
      },
    });
    expect(await notify.alerts("race", true)).toStrictEqual([again.claimed ? undefined : again.record]);
    expect(await notify.alerts("no-such-scan", true)).toStrictEqual([]);
  });

  it("records the report on the scan item, and refuses a scan that does not exist", async () => {
    await scans.create({
      scanId: "with-report",
      universe: "custom",
      provider: "yahoo",
      days: 300,
      benchmark: "SPY",
      trigger: "invoke",
      total: 1,
      chunkCount: 1,
      status: "COMPLETE",
      createdAt: "2026-12-03T00:00:00.000Z",
      deadlineAt: "2026-12-03T01:00:00.000Z",
    });
    const report = {
      key: "reports/with-report.html",
      url: "http://x/y",
      bytes: 10,
      attempts: 1,
      publishedAt: "2026-12-03T00:00:05.000Z",
      expiresAt: "2026-12-10T00:00:05.000Z",
    };
    await notify.recordReport("with-report", report);
    expect((await scans.get("with-report"))?.report).toStrictEqual(report);
    await expect(notify.recordReport("missing", report)).rejects.toThrow(/conditional/i);
  });
});
