import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CorporateAction } from "../../core/history/actions.ts";
import { decodeBars, encodeBars } from "../../core/history/bars-codec.ts";
import type { BarsStore, StoredChange } from "../../core/history/bars-store.port.ts";
import {
  historyFromBars,
  historyToBars,
  type RawHistory,
  sliceHistory,
} from "../../core/history/raw-history.ts";
import { byShard } from "../../core/history/shards.ts";
import { emptyTicker, type StoredTicker, type TickerMeta } from "../../core/history/ticker-history.ts";
import { isProviderName } from "../../core/market-data.port.ts";

/**
 * The bars store in DynamoDB (README "Data model", Bars table), key (shard, item):
 *
 *   item "bars#2026-12"    one month of the shard's tickers: an attribute per ticker
 *                          (`AAPL`: its raw bars of the month, history/bars-codec)
 *   item "ticker-actions"  an attribute per ticker: its splits and dividends, a list
 *   item "ticker-meta"     an attribute per ticker: fullDays, acceptedGaps
 *
 * A shard holds about ten tickers adjacent in symbol order (history/shards.ts), so a
 * fetcher's chunk of ten reads one or two partitions (one Query each, ~6 read units
 * for two years) and writes one UpdateItem per month it changed (~2 write units on a
 * daily scan). Updates set only the attributes of the tickers they carry, so fetchers
 * writing other tickers of the same shard never overwrite each other. Month items
 * expire five years after their month (DynamoDB TTL); the other two are small.
 */
const MONTH_PREFIX = "bars#";
const ACTIONS_ITEM = "ticker-actions";
const META_ITEM = "ticker-meta";
const RETENTION_YEARS = 5;
/** Attributes of every item that are not a ticker's. */
const OWN_ATTRIBUTES = new Set(["shard", "item", "updatedAt", "expiresAt"]);

const monthOf = (date: string) => date.slice(0, 7);

export class DynamoBarsStore implements BarsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async read(symbols: readonly string[], since: string): Promise<Map<string, StoredTicker>> {
    const found = new Map<string, StoredTicker>();
    await Promise.all(
      [...byShard(new Set(symbols))].map(async ([shard, members]) => {
        const items = await this.queryShard(shard, since);
        for (const symbol of members) found.set(symbol, tickerFrom(symbol, items));
      }),
    );
    return found;
  }

  async write(changes: readonly StoredChange[]): Promise<void> {
    const updates = new Map<string, { shard: string; item: string; values: Map<string, unknown> }>();
    const put = (shard: string, item: string, symbol: string, value: unknown) => {
      const key = `${shard}\u0000${item}`;
      const update = updates.get(key) ?? { shard, item, values: new Map<string, unknown>() };
      updates.set(key, update);
      update.values.set(symbol, value);
    };
    for (const change of changes) {
      const { ticker } = change;
      const symbol = ticker.bars.symbol;
      const [shard] = byShard([symbol]).keys();
      if (change.barsFrom !== undefined) {
        for (const [month, bars] of monthsFrom(ticker.bars, monthOf(change.barsFrom)))
          put(shard!, `${MONTH_PREFIX}${month}`, symbol, encodeBars(bars));
      }
      if (change.actions) put(shard!, ACTIONS_ITEM, symbol, ticker.actions.map(storedAction));
      if (change.meta) put(shard!, META_ITEM, symbol, storedMeta(ticker.meta));
    }
    const now = new Date();
    await Promise.all([...updates.values()].map((u) => this.update(u.shard, u.item, u.values, now)));
  }

  private async queryShard(shard: string, since: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          // Months from `since` on, then the two ticker items, which sort after every month.
          KeyConditionExpression: "#shard = :shard AND #item >= :from",
          ExpressionAttributeNames: { "#shard": "shard", "#item": "item" },
          ExpressionAttributeValues: { ":shard": shard, ":from": `${MONTH_PREFIX}${monthOf(since)}` },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async update(shard: string, item: string, values: Map<string, unknown>, now: Date): Promise<void> {
    const names: Record<string, string> = {};
    const attributeValues: Record<string, unknown> = { ":now": now.toISOString() };
    const sets = ["updatedAt = :now"];
    let i = 0;
    for (const [symbol, value] of values) {
      names[`#t${i}`] = symbol;
      attributeValues[`:v${i}`] = value;
      sets.push(`#t${i} = :v${i}`);
      i++;
    }
    if (item.startsWith(MONTH_PREFIX)) {
      const [year, month] = item.slice(MONTH_PREFIX.length).split("-").map(Number);
      attributeValues[":expires"] = Math.floor(Date.UTC(year! + RETENTION_YEARS, month!, 1) / 1000);
      sets.push("expiresAt = :expires");
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { shard, item },
        UpdateExpression: `SET ${sets.join(", ")}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: attributeValues,
      }),
    );
  }
}

/** A ticker's bars split by calendar month, from `fromMonth` on. */
function monthsFrom(bars: RawHistory, fromMonth: string): Map<string, RawHistory> {
  const months = new Map<string, RawHistory>();
  const { dates } = bars;
  let start = 0;
  while (start < dates.length) {
    const month = monthOf(dates[start]!);
    let end = start + 1;
    while (end < dates.length && monthOf(dates[end]!) === month) end++;
    if (month >= fromMonth) months.set(month, sliceHistory(bars, dates[start], dates[end - 1]));
    start = end;
  }
  return months;
}

function tickerFrom(symbol: string, items: readonly Record<string, unknown>[]): StoredTicker {
  const ticker = emptyTicker(symbol);
  const months: RawHistory[] = [];
  for (const item of items) {
    const kind = item.item as string;
    const value = item[symbol];
    if (value === undefined || OWN_ATTRIBUTES.has(symbol)) continue;
    if (kind.startsWith(MONTH_PREFIX)) months.push(decodeBars(symbol, value as Uint8Array));
    else if (kind === ACTIONS_ITEM) ticker.actions = readActions(value);
    else if (kind === META_ITEM) ticker.meta = readMeta(value);
  }
  if (months.length > 0) {
    months.sort((a, b) => (a.dates[0]! < b.dates[0]! ? -1 : 1));
    ticker.bars = historyFromBars(symbol, months.flatMap(historyToBars));
  }
  return ticker;
}

/** An action as stored: a map a person can read in the console. */
function storedAction(action: CorporateAction): Record<string, unknown> {
  return { ...action };
}

function readActions(value: unknown): CorporateAction[] {
  if (!Array.isArray(value)) return [];
  const actions: CorporateAction[] = [];
  for (const v of value as Record<string, unknown>[]) {
    const provider = v.provider;
    if (typeof v.exDate !== "string" || !isProviderName(provider)) continue;
    if (v.type === "split" && typeof v.from === "number" && typeof v.to === "number")
      actions.push({ type: "split", exDate: v.exDate, from: v.from, to: v.to, provider });
    else if (v.type === "dividend" && typeof v.amount === "number")
      actions.push({ type: "dividend", exDate: v.exDate, amount: v.amount, provider });
  }
  return actions;
}

function storedMeta(meta: TickerMeta): Record<string, unknown> {
  return {
    ...(meta.fullDays !== undefined ? { fullDays: meta.fullDays } : {}),
    ...(meta.acceptedGaps?.length ? { acceptedGaps: meta.acceptedGaps } : {}),
  };
}

function readMeta(value: unknown): TickerMeta {
  if (typeof value !== "object" || value === null) return {};
  const v = value as Record<string, unknown>;
  return {
    ...(typeof v.fullDays === "number" ? { fullDays: v.fullDays } : {}),
    ...(Array.isArray(v.acceptedGaps)
      ? { acceptedGaps: v.acceptedGaps.filter((d) => typeof d === "string") }
      : {}),
  };
}
