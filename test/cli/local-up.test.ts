/**
 * `tickerfleet local up` as a user runs it: a child process that prints its
 * endpoints, serves the official clients, and leaves nothing behind on Ctrl-C.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { startLocalUp } from "./run-cli.ts";

const REQUIRED = [
  "AWS_ENDPOINT_URL_SQS",
  "AWS_ENDPOINT_URL_DYNAMODB",
  "AWS_ENDPOINT_URL_LAMBDA",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "TICKERFLEET_YAHOO_URL",
  "TICKERFLEET_FMP_URL",
  "TICKERFLEET_POLYGON_URL",
  "TICKERFLEET_ALPHAVANTAGE_URL",
  "TICKERFLEET_ALPACA_URL",
  "APCA_API_KEY_ID",
  "APCA_API_SECRET_KEY",
];

function childrenOf(pid: number): number[] {
  const out = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" });
  return out.stdout.split("\n").filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("tickerfleet local up", () => {
  it("prints its endpoints, serves the official clients, and stops every child on SIGINT", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tf-local-up-"));
    const { child, output, exited } = await startLocalUp([], cwd);
    const env = Object.fromEntries(
      output.stdout
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    for (const key of REQUIRED) expect(env[key], key).toBeTruthy();
    const file = join(cwd, ".tickerfleet/local.env");
    expect(readFileSync(file, "utf8")).toContain(`AWS_ENDPOINT_URL_SQS=${env.AWS_ENDPOINT_URL_SQS}`);

    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
    const sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL_SQS, region: env.AWS_REGION, credentials });
    const dynamo = new DynamoDBClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: env.AWS_REGION,
      credentials,
    });
    const redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL!,
      token: env.UPSTASH_REDIS_REST_TOKEN!,
      enableTelemetry: false,
    });
    expect(
      (await sqs.send(new ListQueuesCommand({}))).QueueUrls?.map((u) => u.split("/").pop()).sort(),
    ).toStrictEqual([
      "FetchDlq",
      "FetchQueue",
      "FinalizeDlq",
      "FinalizeQueue",
      "NotifyDlq",
      "NotifyQueue",
      "ScoreDlq",
      "ScoreQueue",
    ]);
    expect((await dynamo.send(new ListTablesCommand({}))).TableNames?.sort()).toStrictEqual([
      "BarsTable",
      "ResultsTable",
      "ScansTable",
    ]);
    expect(await redis.set("local-up", "ok")).toBe("OK");
    expect(await redis.get("local-up")).toBe("ok");
    sqs.destroy();
    dynamo.destroy();

    const redisPids = childrenOf(child.pid!).filter((pid) => {
      const cmd = spawnSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).stdout;
      return cmd.includes("redis-server");
    });
    expect(redisPids.length).toBe(1);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    for (let i = 0; i < 50 && redisPids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(redisPids.filter(alive)).toStrictEqual([]);
    expect(existsSync(file)).toBe(false);
  }, 90_000);
});
