/**
 * The bars store against dynalite through @aws-sdk/lib-dynamodb: what a fetcher
 * writes is what the next one reads, shard by shard and month by month.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoBarsStore } from "../../packages/adapters/dynamo/bars-store.ts";
import type { CorporateAction } from "../../packages/core/history/actions.ts";
import { historyFromBars, historyToBars, type RawBar } from "../../packages/core/history/raw-history.ts";
import { shardOf } from "../../packages/core/history/shards.ts";
import type { StoredTicker } from "../../packages/core/history/ticker-history.ts";
import { tradingDaysBetween } from "../../packages/core/trading-calendar.ts";
import { type DynamoServer, startDynamoServer } from "../../packages/local/dynamo/index.ts";
import { createTableInput } from "../../packages/local/runtime/provision.ts";
import { topology } from "../../stacks/topology/index.ts";

let server: DynamoServer;
let client: DynamoDBClient;
let store: DynamoBarsStore;
const TABLE = topology.tables.bars.name;

beforeAll(async () => {
  server = await startDynamoServer();
  client = new DynamoDBClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  await client.send(new CreateTableCommand(createTableInput(TABLE, topology.tables.bars)));
  store = new DynamoBarsStore(DynamoDBDocumentClient.from(client), TABLE);
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
});

function ticker(
  symbol: string,
  dates: readonly string[],
  start: number,
  actions: CorporateAction[] = [],
): StoredTicker {
  const bars: RawBar[] = dates.map((date, i) => ({
    date,
    open: start + i,
    high: start + i + 0.5,
    low: start + i - 0.5,
    close: start + i + 0.25,
    volume: 1000 + i,
    provider: "yahoo",
  }));
  return { bars: historyFromBars(symbol, bars), actions, meta: { fullDays: 60 } };
}

describe("DynamoBarsStore", () => {
  const dates = tradingDaysBetween("2026-09-01", "2026-11-30");
  const split: CorporateAction = { type: "split", exDate: "2026-10-15", from: 1, to: 4, provider: "yahoo" };

  it("reads back exactly what it wrote, whole or by month: bars, actions and bookkeeping", async () => {
    const aapl = ticker("AAPL", dates, 180, [split]);
    const brk = ticker("BRK.B", dates, 450);
    await store.write([
      { ticker: aapl, barsFrom: dates[0], whole: true, actions: true, meta: true },
      { ticker: brk, barsFrom: dates[0], whole: false, actions: false, meta: true },
    ]);
    const read = await store.read(["AAPL", "BRK.B", "NEWCO"], "2026-01-01");
    expect(historyToBars(read.get("AAPL")!.bars)).toStrictEqual(historyToBars(aapl.bars));
    expect(read.get("AAPL")!.actions).toStrictEqual([split]);
    expect(read.get("AAPL")!.meta).toStrictEqual({ fullDays: 60 });
    expect(historyToBars(read.get("BRK.B")!.bars)).toStrictEqual(historyToBars(brk.bars));
    expect(read.get("BRK.B")!.actions).toStrictEqual([]);
    expect(read.get("NEWCO")!.bars.dates).toEqual([]);
  });

  it("keeps a whole history in one base item, and later sessions in month items, an attribute per ticker", async () => {
    const items = (await client.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    const itemsOf = (symbol: string) =>
      items.filter((i) => i.shard?.S === shardOf(symbol) && i[symbol] !== undefined).map((i) => i.item?.S);
    expect(itemsOf("AAPL").sort()).toEqual(["bars#base", "ticker-actions", "ticker-meta"]);
    expect(itemsOf("BRK.B").sort()).toEqual(["bars#2026-09", "bars#2026-10", "bars#2026-11", "ticker-meta"]);
    const november = items.find((i) => i.shard?.S === shardOf("BRK.B") && i.item?.S === "bars#2026-11")!;
    expect(november["BRK.B"]?.B).toBeInstanceOf(Uint8Array);
    expect(Number(november.expiresAt?.N)).toBe(Date.UTC(2031, 11, 1) / 1000);
  });

  it("lays later writes over earlier ones: a corrected month over the base, then a whole history over both", async () => {
    const aapl = ticker("AAPL", dates, 180, [split]);
    const abbv = ticker("AAON", dates, 60);
    await store.write([{ ticker: abbv, barsFrom: dates[0], whole: true, actions: false, meta: false }]);
    // November's last bar corrected, and a November session the provider no longer reports.
    const corrected = historyToBars(aapl.bars).filter((b) => b.date !== "2026-11-02");
    corrected[corrected.length - 1]!.close = 999;
    await new Promise((resolve) => setTimeout(resolve, 2));
    await store.write([
      {
        ticker: { ...aapl, bars: historyFromBars("AAPL", corrected) },
        barsFrom: "2026-11-30",
        whole: false,
        actions: false,
        meta: false,
      },
    ]);
    let read = await store.read(["AAPL", "AAON"], "2026-01-01");
    expect(historyToBars(read.get("AAPL")!.bars)).toStrictEqual(corrected);
    // Other tickers of the shard keep theirs.
    expect(historyToBars(read.get("AAON")!.bars)).toStrictEqual(historyToBars(abbv.bars));

    await new Promise((resolve) => setTimeout(resolve, 2));
    await store.write([{ ticker: aapl, barsFrom: dates[0], whole: true, actions: false, meta: false }]);
    read = await store.read(["AAPL"], "2026-01-01");
    expect(historyToBars(read.get("AAPL")!.bars)).toStrictEqual(historyToBars(aapl.bars));
  });

  it("reads the months from `since`'s on, and always the base", async () => {
    const brk = await store.read(["BRK.B"], "2026-11-15");
    expect(brk.get("BRK.B")!.bars.dates[0]).toBe("2026-11-02");
    const aapl = await store.read(["AAPL"], "2026-11-01");
    expect(aapl.get("AAPL")!.bars.dates[0]).toBe(dates[0]);
    expect(aapl.get("AAPL")!.actions).toStrictEqual([split]);
  });
});
