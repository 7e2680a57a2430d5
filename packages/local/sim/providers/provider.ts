import type { IncomingHttpHeaders } from "node:http";
import type { ProviderName } from "../../../core/market-data.port.ts";
import type { RateLimit, SimulatorConfig } from "../config.ts";
import type { MarketModel } from "../market-model.ts";
import type { SimOutcome } from "../request-log.ts";

/** What the server sends back for one request. */
export interface SimAnswer {
  status: number;
  /** A string is sent UTF-8 encoded. */
  body: string | Buffer;
  contentType: string;
  outcome: SimOutcome;
  headers?: Record<string, string>;
}

/**
 * An answer rendered once to be sent many times (the simulator's body
 * cache): its bytes, in pieces when it carries a request id (Polygon's
 * `request_id`), which every sending draws afresh between two pieces.
 */
export interface RenderedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly outcome: SimOutcome;
  readonly headers?: Readonly<Record<string, string>>;
  readonly parts: readonly Buffer[];
  /** Bytes held, for the cache's bound. */
  readonly size: number;
}

export function renderedAnswer(
  answer: Omit<SimAnswer, "body">,
  parts: readonly (string | Buffer)[],
): RenderedAnswer {
  const buffers = parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : part));
  return {
    status: answer.status,
    contentType: answer.contentType,
    outcome: answer.outcome,
    ...(answer.headers ? { headers: { ...answer.headers } } : {}),
    parts: buffers,
    size: buffers.reduce((sum, b) => sum + b.length, 0),
  };
}

/** The answer to send: the rendered bytes, with fresh request ids drawn for its gaps. */
export function answerFrom(rendered: RenderedAnswer, requestId: () => string): SimAnswer {
  const { parts } = rendered;
  let body: Buffer;
  if (parts.length === 1) body = parts[0]!;
  else {
    const pieces: Buffer[] = [parts[0]!];
    for (let i = 1; i < parts.length; i++) pieces.push(Buffer.from(requestId(), "latin1"), parts[i]!);
    body = Buffer.concat(pieces);
  }
  return {
    status: rendered.status,
    body,
    contentType: rendered.contentType,
    outcome: rendered.outcome,
    ...(rendered.headers ? { headers: { ...rendered.headers } } : {}),
  };
}

export interface RespondOptions {
  /** Yahoo's `nulls` fault: draw() < ratio decides which bars come back as nulls. */
  nullBars?: { draw: () => number };
}

/** A request the provider understood; answered after auth, rate limit and faults are decided. */
export interface ParsedRequest {
  /** The API key sent; undefined when missing; null for a provider without keys. */
  key: string | null | undefined;
  /** Canonical symbol asked for, or null (none, or not a symbol the provider could spell). */
  symbol: string | null;
  /** The answer when no fault intervenes (or with the `nulls` fault's bars). */
  respond(options: RespondOptions): SimAnswer;
  /**
   * Set when respond({}) is a pure function of this key (and of the model:
   * seed, asOf, history), so that its rendering can be cached: it names every
   * input the answer depends on. Unset for answers not worth keeping.
   */
  renderKey?: string;
  /**
   * respond({}) as bytes, with gaps where request ids go (never drawn here):
   * `answerFrom(render(), requestId)` is what respond({}) gives. Set with renderKey.
   */
  render?(): RenderedAnswer;
}

export interface ProviderEnv {
  model: MarketModel;
  /** This provider's base URL (`${url}/polygon`), for links such as Polygon's next_url. */
  baseUrl: string;
  config(): SimulatorConfig;
  /** A fresh request id (Polygon's `request_id`). */
  requestId(): string;
}

/** One simulated provider: its routes and each of its canned answers. */
export interface SimProvider {
  readonly name: ProviderName;
  /** A request below the provider's prefix: parsed, or answered at once (unknown route, bad parameters). */
  parse(url: URL, headers: IncomingHttpHeaders): ParsedRequest | SimAnswer;
  unauthorized(reason: "missing" | "rejected"): SimAnswer;
  /** The over-limit answer: `rule` is the window that refused, `retryAfterMs` when a slot frees in it. */
  rateLimited(key: string | null, rule: RateLimit, retryAfterMs: number): SimAnswer;
  serverError(status: 502 | 503): SimAnswer;
}

export function isAnswer(value: ParsedRequest | SimAnswer): value is SimAnswer {
  return "status" in value;
}

const STATUS_TEXT: Record<number, string> = { 502: "Bad Gateway", 503: "Service Temporarily Unavailable" };

/** The HTML a gateway (nginx, an edge proxy) sends for a 502/503: what an upstream failure looks like on the wire. */
export function gatewayErrorAnswer(status: 502 | 503): SimAnswer {
  const title = `${status} ${STATUS_TEXT[status]}`;
  return {
    status,
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    contentType: "text/html",
    outcome: "fault:status5xx",
  };
}

/** "day", "minute", "30 seconds"...: a window length as people write it in limit messages. */
export function windowPhrase(windowMs: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1_000, "second"],
  ];
  for (const [ms, name] of units) {
    if (windowMs === ms) return name;
    if (windowMs % ms === 0) return `${windowMs / ms} ${name}s`;
  }
  return `${windowMs} milliseconds`;
}
