import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { PROVIDERS } from "../market-data.port.ts";

/**
 * The bodies that travel on tickerfleet's queues. Each carries a version so a
 * deployment can drain old messages; each is validated on receipt, and a body
 * that does not parse is a poison message (it fails, and redrive moves it to
 * the DLQ after the queue's maxReceiveCount).
 */

const scanId = z.string().regex(/^[A-Za-z0-9._:-]{1,80}$/);
const symbol = z.string().min(1).max(16);

/** One ticker waiting to be fetched; `attempts` counts provider attempts that failed transiently. */
export const fetchTicker = z.object({
  s: symbol,
  attempts: z.number().int().min(0).max(100),
  lastReason: z.string().max(500).optional(),
  /** Its place in the message's provider chain once an earlier provider could not serve it. @default 0 */
  p: z
    .number()
    .int()
    .min(1)
    .max(PROVIDERS.length - 1)
    .optional(),
});

/** A chunk of a scan's tickers for the fetcher (the first message, or a re-enqueue of what is left). */
export const fetchMessage = z.object({
  v: z.literal(1),
  kind: z.literal("fetch"),
  scanId,
  chunk: z.number().int().min(0),
  /** The benchmark's chunk is scored apart from the ranked universe. @default "universe" */
  role: z.enum(["universe", "benchmark"]).default("universe"),
  /** Tickers in the whole chunk (a re-enqueued message carries only some of them). */
  chunkSize: z.number().int().min(1).max(100),
  /** Chunks in the scan, the benchmark's included. */
  chunkCount: z.number().int().min(1),
  provider: z.enum(PROVIDERS),
  /** The scan's fallback chain, `provider` first, when it has more than one provider. */
  chain: z.array(z.enum(PROVIDERS)).min(2).max(PROVIDERS.length).optional(),
  days: z.number().int().min(1).max(5000),
  /** The market session the scan is for; a cached provider answer is reused only within one. */
  session: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  tickers: z.array(fetchTicker).min(1).max(100),
  /** Also fetch each ticker's earnings growth (the scan asked for fundamentals). */
  fundamentals: z.boolean().optional(),
  /**
   * What the scan's plan already fetched for these tickers by date or by page (plan-supply.ts:
   * deflated JSON, base64): each ticker's bars and actions from a session on, or the failure
   * that left it without them. A ticker it does not name is fetched per ticker, as without a plan.
   */
  supply: z.string().min(1).max(240_000).optional(),
});
export type FetchMessage = z.input<typeof fetchMessage>;
export type ParsedFetchMessage = z.output<typeof fetchMessage>;
export type FetchTicker = z.infer<typeof fetchTicker>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** One unit of a scan's plan (planner/units.ts): a request, or a few, for many tickers at once. */
export const gatherStep = z.discriminatedUnion("kind", [
  /** Every symbol's bar of one session (Polygon grouped daily, FMP eod-bulk). */
  z.object({ kind: z.literal("market-day"), date: isoDate }),
  /** Many symbols' bars over a range, paged (Alpaca). */
  z.object({
    kind: z.literal("symbol-pages"),
    symbols: z.array(symbol).min(1).max(1000),
    from: isoDate,
    to: isoDate,
  }),
  /** The whole market's splits and dividends with ex-dates in a range. */
  z.object({ kind: z.literal("market-actions"), from: isoDate, to: isoDate }),
]);
export type GatherStep = z.infer<typeof gatherStep>;

/** A unit of the scan's plan for the fetcher: fetched, staged, and counted once (gather.ts). */
export const gatherMessage = z.object({
  v: z.literal(1),
  kind: z.literal("gather"),
  scanId,
  provider: z.enum(PROVIDERS),
  unit: z.number().int().min(0),
  units: z.number().int().min(1),
  step: gatherStep,
  /** How the unit's result is split for assembly (assembly-groups.ts). */
  groups: z.object({ starts: z.array(symbol).min(1).max(10_000), benchmark: symbol }),
  attempts: z.number().int().min(0).max(100),
  lastReason: z.string().max(500).optional(),
  /** The scan has providers after this one: with its breaker open the unit fails at once, and its tickers go down the chain. */
  fallback: z.boolean().optional(),
});
export type GatherMessage = z.infer<typeof gatherMessage>;

/** Sent when a scan's last plan unit is staged: turn the staged units into the scan's chunks (assemble.ts). */
export const assembleMessage = z.object({
  v: z.literal(1),
  kind: z.literal("assemble"),
  scanId,
  /** The group of chunks to assemble (assembly-groups.ts). */
  group: z.number().int().min(0),
});
export type AssembleMessage = z.infer<typeof assembleMessage>;

/** Anything the fetch queue carries. */
export type FetchQueueMessage = FetchMessage | GatherMessage | AssembleMessage;

/** Earnings growth in percent (scoring/canslim's Fundamentals), as the fetcher passes it on and caches it. */
export const fundamentals = z.object({
  epsGrowthQuarterlyPct: z.number().optional(),
  epsGrowthAnnualPct: z.number().optional(),
});

/** What the fetcher found for one ticker: an encoded series (series-codec) or a permanent failure. */
export const tickerOutcome = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("series"),
    s: symbol,
    /** encodeSeries(series) */
    data: z.string().min(1),
    /** Where the series came from: the response cache or the provider. */
    source: z.enum(["cache", "provider"]),
    /** The provider whose bars the series ends with (a fallback chain's, the one that served it). */
    provider: z.enum(PROVIDERS).optional(),
    /** Earnings growth in percent, when the scan asked for it and the provider had it. */
    fundamentals: fundamentals.optional(),
    /** How the stored history was made current: the whole lookback, or the sessions it lacked; how many sessions the provider sent. */
    history: z
      .object({ mode: z.enum(["full", "incremental"]), sessions: z.number().int().min(0) })
      .optional(),
    /** `suspect-gap`: a large overnight move no corporate action explains, refetched once and kept. */
    flags: z
      .array(z.enum(["suspect-gap"]))
      .max(4)
      .optional(),
  }),
  z.object({
    kind: z.literal("failed"),
    s: symbol,
    /** `not-found`, `invalid-response`, `unauthorized`, or the last transient kind after the last attempt. */
    reason: z.string().min(1).max(60),
    message: z.string().max(500),
    attempts: z.number().int().min(0),
  }),
]);
export type TickerOutcome = z.infer<typeof tickerOutcome>;

/** The outcomes of (part of) one chunk, for the scorer. */
export const scoreMessage = z.object({
  v: z.literal(1),
  kind: z.literal("score"),
  scanId,
  chunk: z.number().int().min(0),
  role: z.enum(["universe", "benchmark"]).default("universe"),
  chunkSize: z.number().int().min(1).max(100),
  chunkCount: z.number().int().min(1),
  outcomes: z.array(tickerOutcome).min(1).max(100),
});
export type ScoreMessage = z.input<typeof scoreMessage>;
export type ParsedScoreMessage = z.output<typeof scoreMessage>;

/** Asks finalize to finish a scan whose last chunk was just accounted for. */
export const finalizeMessage = z.object({
  v: z.literal(1),
  kind: z.literal("finalize"),
  scanId,
});
export type FinalizeMessage = z.infer<typeof finalizeMessage>;

/** Asks notify to publish a finished scan's report and send its alerts. */
export const notifyMessage = z.object({
  v: z.literal(1),
  kind: z.literal("notify"),
  scanId,
});
export type NotifyMessage = z.infer<typeof notifyMessage>;

function describe(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.message}`);
}

function readJson(what: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new ValidationError(what, [`not JSON (${(error as Error).message})`]);
  }
}

function validate<T>(schema: z.ZodType<T, unknown>, what: string, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ValidationError(what, describe(parsed.error));
  return parsed.data;
}

function parseWith<T>(schema: z.ZodType<T, unknown>, what: string, body: string): T {
  return validate(schema, what, readJson(what, body));
}

/** A fetch-queue body of any kind, told apart by `kind` (a body without one is a chunk). */
export type ParsedFetchQueueMessage = ParsedFetchMessage | GatherMessage | AssembleMessage;
export function parseFetchQueueMessage(body: string): ParsedFetchQueueMessage {
  const json = readJson("fetch message", body);
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === "gather") return validate(gatherMessage, "gather message", json);
  if (kind === "assemble") return validate(assembleMessage, "assemble message", json);
  return validate(fetchMessage, "fetch message", json);
}
export const parseScoreMessage = (body: string): ParsedScoreMessage =>
  parseWith(scoreMessage, "score message", body);
export const parseFinalizeMessage = (body: string): FinalizeMessage =>
  parseWith(finalizeMessage, "finalize message", body);
export const parseNotifyMessage = (body: string): NotifyMessage =>
  parseWith(notifyMessage, "notify message", body);
