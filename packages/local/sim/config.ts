import { z } from "zod";
import { ValidationError } from "../../core/errors.ts";
import { PROVIDERS } from "../../core/market-data.port.ts";

/**
 * How each simulated provider behaves: its rate limit, latency, faults and
 * rejected keys. Changeable at run time (`simulator.configure(patch)` or
 * `POST /_sim/config`); a change applies to requests that arrive after it.
 */

/** A response-time distribution; draws come from a seeded stream, so a run replays. */
export type LatencyDistribution =
  | { kind: "fixed"; ms: number }
  | { kind: "uniform"; minMs: number; maxMs: number }
  /** Lognormal with the given median and 99th percentile. */
  | { kind: "lognormal"; medianMs: number; p99Ms: number };

export const FAULT_KINDS = ["status5xx", "timeout", "reset", "truncated", "nulls"] as const;
/**
 * - `status5xx`: a 502 or 503 with the provider's error body.
 * - `timeout`: the request is accepted and never answered (until the client
 *   gives up, `timeoutHoldMs` passes, or the simulator closes).
 * - `reset`: the socket is destroyed mid-body (Content-Length promised more).
 * - `truncated`: part of the JSON is sent, then the response ends cleanly (chunked).
 * - `nulls`: Yahoo only: some bars come back as nulls in the quote arrays, as Yahoo does.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Probability in [0, 1] of each fault, drawn per accepted request. */
export type FaultRatios = Record<FaultKind, number>;

export interface RateLimit {
  /** Accepted requests allowed in any sliding window of `windowMs`. */
  limit: number;
  windowMs: number;
}

/** The windows of a provider's limit, however it was configured (one window, several, or none). */
export function rateLimitWindows(rateLimit: RateLimit | readonly RateLimit[] | null): readonly RateLimit[] {
  if (rateLimit === null) return [];
  return Array.isArray(rateLimit) ? rateLimit : [rateLimit as RateLimit];
}

export interface ProviderBehaviour {
  /**
   * Enforced per API key (Yahoo has no key: one bucket for all callers), over a
   * sliding window of accepted requests by arrival time. Several windows, as
   * some plans have (Alpha Vantage's free one: 5 a minute and 25 a day), are
   * all enforced: a request is refused when any of them is full. `null`:
   * unlimited.
   * @default null; Alpaca: 200 a minute, its free plan's
   */
  rateLimit: RateLimit | readonly RateLimit[] | null;
  /**
   * Send `Retry-After` (whole seconds until a slot frees) with an over-limit answer.
   * Neither Polygon's nor Yahoo's documentation promises the header; it is on
   * by default for them so clients' honouring code gets exercised, and off for
   * FMP (its 429 has no such header in captured responses), Alpha Vantage
   * (its over-limit answer is an HTTP 200) and Alpaca (its 429 says when in
   * `X-RateLimit-Reset` instead).
   * @default true for yahoo and polygon, false for fmp, alphavantage and alpaca
   */
  retryAfter: boolean;
  /** @default { kind: "fixed", ms: 0 } */
  latency: LatencyDistribution;
  /** @default all 0 */
  faults: FaultRatios;
  /** Force a fault for a canonical symbol, every time (overrides `faults`). @default {} */
  faultSymbols: Record<string, FaultKind>;
  /** API keys answered as invalid (any other non-empty key is accepted). @default [] */
  rejectedKeys: string[];
  /**
   * Canonical symbols this provider does not carry (answered as it answers an unknown symbol,
   * and left out of its whole-market answers), as real providers' coverage differs. @default []
   */
  unknownSymbols: string[];
}

export interface YahooBehaviour extends ProviderBehaviour {
  /**
   * Body of Yahoo's 429: `text` is the edge's plain text `Edge: Too Many Requests`
   * (what clients report seeing), `json` the chart API's error envelope.
   * @default "text"
   */
  rateLimitBody: "text" | "json";
}

export interface FmpBehaviour extends ProviderBehaviour {
  /** FMP answers "Limit Reach" with 429, and has been seen doing so with 200. @default 429 */
  rateLimitStatus: 429 | 200;
}

export interface AlphaVantageBehaviour extends ProviderBehaviour {
  /** `information`: today's `{"Information": ...}`; `note`: the older `{"Note": ...}`. @default "information" */
  rateLimitStyle: "information" | "note";
}

export interface SimulatorConfig {
  yahoo: YahooBehaviour;
  fmp: FmpBehaviour;
  polygon: ProviderBehaviour;
  alphavantage: AlphaVantageBehaviour;
  /** Alpaca's plan: 200 requests a minute per key by default (its free plan's), unlike the others' none. */
  alpaca: ProviderBehaviour;
  /** Longest a `timeout` fault holds a request before dropping the socket. @default 120000 */
  timeoutHoldMs: number;
}

type DeepPartialBehaviour<B> = { [K in keyof B]?: K extends "faults" ? Partial<FaultRatios> : B[K] };

/** A change to the config: provider objects merge field by field, `faults` ratio by ratio. */
export interface SimulatorConfigPatch {
  yahoo?: DeepPartialBehaviour<YahooBehaviour>;
  fmp?: DeepPartialBehaviour<FmpBehaviour>;
  polygon?: DeepPartialBehaviour<ProviderBehaviour>;
  alphavantage?: DeepPartialBehaviour<AlphaVantageBehaviour>;
  alpaca?: DeepPartialBehaviour<ProviderBehaviour>;
  timeoutHoldMs?: number;
}

const NO_FAULTS: FaultRatios = { status5xx: 0, timeout: 0, reset: 0, truncated: 0, nulls: 0 };

function baseBehaviour(retryAfter: boolean): ProviderBehaviour {
  return {
    rateLimit: null,
    retryAfter,
    latency: { kind: "fixed", ms: 0 },
    faults: { ...NO_FAULTS },
    faultSymbols: {},
    rejectedKeys: [],
    unknownSymbols: [],
  };
}

export function defaultConfig(): SimulatorConfig {
  return {
    yahoo: { ...baseBehaviour(true), rateLimitBody: "text" },
    fmp: { ...baseBehaviour(false), rateLimitStatus: 429 },
    polygon: baseBehaviour(true),
    alphavantage: { ...baseBehaviour(false), rateLimitStyle: "information" },
    alpaca: { ...baseBehaviour(false), rateLimit: { limit: 200, windowMs: 60_000 } },
    timeoutHoldMs: 120_000,
  };
}

const ratio = z.number().min(0).max(1);
const nonNegativeMs = z.number().finite().min(0).max(600_000);

const latencySchema = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("fixed"), ms: nonNegativeMs }),
    z.strictObject({ kind: z.literal("uniform"), minMs: nonNegativeMs, maxMs: nonNegativeMs }),
    z.strictObject({
      kind: z.literal("lognormal"),
      medianMs: nonNegativeMs.positive(),
      p99Ms: nonNegativeMs.positive(),
    }),
  ])
  .superRefine((l, ctx) => {
    if (l.kind === "uniform" && l.maxMs < l.minMs)
      ctx.addIssue({ code: "custom", message: "maxMs must be ≥ minMs" });
    if (l.kind === "lognormal" && l.p99Ms < l.medianMs)
      ctx.addIssue({ code: "custom", message: "p99Ms must be ≥ medianMs" });
  });

const rateLimitSchema = z.strictObject({
  limit: z.number().int().min(1),
  windowMs: z
    .number()
    .finite()
    .positive()
    .max(86_400_000 * 31),
});

const behaviourFields = {
  rateLimit: z.union([rateLimitSchema, z.array(rateLimitSchema).min(1).max(4)]).nullable(),
  retryAfter: z.boolean(),
  latency: latencySchema,
  faults: z
    .strictObject(Object.fromEntries(FAULT_KINDS.map((k) => [k, ratio])) as Record<FaultKind, typeof ratio>)
    .partial(),
  faultSymbols: z.record(z.string().min(1), z.enum(FAULT_KINDS)),
  rejectedKeys: z.array(z.string()),
  unknownSymbols: z.array(z.string().min(1).max(16)).max(10_000),
};

const patchSchema = z
  .strictObject({
    yahoo: z.strictObject({ ...behaviourFields, rateLimitBody: z.enum(["text", "json"]) }).partial(),
    fmp: z
      .strictObject({ ...behaviourFields, rateLimitStatus: z.union([z.literal(429), z.literal(200)]) })
      .partial(),
    polygon: z.strictObject(behaviourFields).partial(),
    alphavantage: z
      .strictObject({ ...behaviourFields, rateLimitStyle: z.enum(["information", "note"]) })
      .partial(),
    alpaca: z.strictObject(behaviourFields).partial(),
    timeoutHoldMs: z.number().finite().min(0).max(3_600_000),
  })
  .partial();

/** Validates an untrusted patch; throws ValidationError listing every bad field as `path: problem`. */
export function parseConfigPatch(input: unknown): SimulatorConfigPatch {
  const result = patchSchema.safeParse(input);
  if (result.success) return result.data as SimulatorConfigPatch;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
      return `unknown field${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`;
    }
    return `${path || "(root)"}: ${issue.message}`;
  });
  throw new ValidationError("simulator config", problems);
}

/** A new config with the patch applied (the inputs are not modified). */
export function mergeConfig(config: SimulatorConfig, patch: SimulatorConfigPatch): SimulatorConfig {
  const next = structuredClone(config);
  for (const provider of PROVIDERS) {
    const change = patch[provider];
    if (!change) continue;
    const target = next[provider] as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(change)) {
      if (value === undefined) continue;
      if (field === "faults")
        target.faults = { ...(target.faults as FaultRatios), ...(value as Partial<FaultRatios>) };
      else target[field] = structuredClone(value);
    }
  }
  if (patch.timeoutHoldMs !== undefined) next.timeoutHoldMs = patch.timeoutHoldMs;
  return next;
}
