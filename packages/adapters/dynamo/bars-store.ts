import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { dayNumber, isoFromDay } from "../../core/days.ts";
import type { CorporateAction } from "../../core/history/actions.ts";
import type { BarsStore, StoredChange } from "../../core/history/bars-store.port.ts";
import { type RawHistory, sliceHistory } from "../../core/history/raw-history.ts";
import { byShard, shardOf } from "../../core/history/shards.ts";
import { emptyTicker, type StoredTicker, type TickerMeta } from "../../core/history/ticker-history.ts";
import { isProviderName } from "../../core/market-data.port.ts";
import { type BarsBlob, decodeBlob, encodeBlob, layBlobs } from "./bars-blobs.ts";

/**
 * The bars store in DynamoDB (README "Data model", Bars table), key (shard, item):
 *
 *   item "bars#base"       each ticker's whole history as its last whole-lookback fetch left
 *                          it: an attribute per ticker (`AAPL`: a blob, bars-blobs.ts)
 *   item "bars#2026-12"    the sessions of one calendar month written since: an attribute
 *                          per ticker, its bars of the month
 *   item "ticker-actions"  an attribute per ticker: its splits and dividends, a list
 *   item "ticker-meta"     an attribute per ticker: fullDays, acceptedGaps
 *
 * A shard holds about ten tickers adjacent in symbol order (history/shards.ts), so a
 * fetcher's chunk of ten reads one or two partitions (one Query each, ~6 read units
 * for two years) and writes one UpdateItem per item it changed (~3 write units on a
 * daily scan). Updates set only the attributes of the tickers they carry, so fetchers
 * writing other tickers of the same shard never overwrite each other. A ticker fetched whole
 * (its first scan) is one write to `base`, not one per period; a daily scan rewrites the
 * current month, whose size is what the update costs (~1–2 write units). Blobs are laid over each
 * other in the order they were written (bars-blobs.ts), so the two never need compacting. Month
 * items expire five years after their month (DynamoDB TTL); a base keeps five years of bars.
 */
const PERIOD_PREFIX = "bars#";
/** Sorts after every month (`b` > a digit), so a read from a month on includes it. */
const BASE_ITEM = `${PERIOD_PREFIX}base`;
/** Sessions a base keeps: five years. */
const BASE_DAYS = 5 * 366;
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
    const writtenAt = Date.now();
    for (const change of changes) {
      const { ticker } = change;
      const symbol = ticker.bars.symbol;
      const shard = shardOf(symbol);
      if (change.barsFrom !== undefined && change.whole) {
        put(shard, BASE_ITEM, symbol, encodeBlob(baseBlob(ticker.bars, writtenAt)));
      } else if (change.barsFrom !== undefined) {
        for (const blob of monthBlobs(ticker.bars, monthOf(change.barsFrom), writtenAt))
          put(shard, `${PERIOD_PREFIX}${monthOf(blob.from)}`, symbol, encodeBlob(blob));
      }
      if (change.actions) put(shard, ACTIONS_ITEM, symbol, ticker.actions.map(storedAction));
      if (change.meta) put(shard, META_ITEM, symbol, storedMeta(ticker.meta));
    }
    const now = new Date(writtenAt);
    await Promise.all([...updates.values()].map((u) => this.update(u.shard, u.item, u.values, now)));
  }

  private async queryShard(shard: string, since: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          // Months from `since`'s on, then the base and the two ticker items, which sort after.
          KeyConditionExpression: "#shard = :shard AND #item >= :from",
          ExpressionAttributeNames: { "#shard": "shard", "#item": "item" },
          ExpressionAttributeValues: { ":shard": shard, ":from": `${PERIOD_PREFIX}${monthOf(since)}` },
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
    if (item === BASE_ITEM) {
      // A base no scan has rewritten for five years belongs to tickers nobody scans any more.
      attributeValues[":expires"] = Math.floor(now.getTime() / 1000) + RETENTION_YEARS * 366 * 86_400;
      sets.push("expiresAt = :expires");
    } else if (item.startsWith(PERIOD_PREFIX)) {
      const year = Number(item.slice(PERIOD_PREFIX.length, PERIOD_PREFIX.length + 4));
      const month = Number(item.slice(-2));
      attributeValues[":expires"] = Math.floor(Date.UTC(year + RETENTION_YEARS, month, 1) / 1000);
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

/** A ticker's whole history as a base blob: its last five years, speaking for every session up to now. */
function baseBlob(bars: RawHistory, writtenAt: number): BarsBlob {
  const last = bars.dates[bars.dates.length - 1]!;
  const kept = sliceHistory(bars, isoFromDay(dayNumber(last) - BASE_DAYS));
  return { writtenAt, from: kept.dates[0]!, to: last, bars: kept };
}

/** A ticker's bars as one blob per calendar month from `fromMonth` on, each speaking for its whole month. */
function monthBlobs(bars: RawHistory, fromMonth: string, writtenAt: number): BarsBlob[] {
  const blobs: BarsBlob[] = [];
  const { dates } = bars;
  let start = 0;
  while (start < dates.length) {
    const month = monthOf(dates[start]!);
    let end = start + 1;
    while (end < dates.length && monthOf(dates[end]!) === month) end++;
    if (month >= fromMonth) {
      const from = `${month}-01`;
      const [year, m] = month.split("-").map(Number);
      const next = m === 12 ? `${year! + 1}-01-01` : `${year}-${String(m! + 1).padStart(2, "0")}-01`;
      const to = isoFromDay(dayNumber(next) - 1);
      blobs.push({ writtenAt, from, to, bars: sliceHistory(bars, dates[start], dates[end - 1]) });
    }
    start = end;
  }
  return blobs;
}

function tickerFrom(symbol: string, items: readonly Record<string, unknown>[]): StoredTicker {
  const ticker = emptyTicker(symbol);
  const blobs: BarsBlob[] = [];
  for (const item of items) {
    const kind = item.item as string;
    const value = item[symbol];
    if (value === undefined || OWN_ATTRIBUTES.has(symbol)) continue;
    if (kind.startsWith(PERIOD_PREFIX)) blobs.push(decodeBlob(symbol, value as Uint8Array));
    else if (kind === ACTIONS_ITEM) ticker.actions = readActions(value);
    else if (kind === META_ITEM) ticker.meta = readMeta(value);
  }
  if (blobs.length > 0) ticker.bars = layBlobs(symbol, blobs);
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
