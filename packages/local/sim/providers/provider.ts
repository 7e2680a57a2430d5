import type { IncomingHttpHeaders } from "node:http";
import type { ProviderName } from "../../../core/market-data.port.ts";
import type { RateLimit, SimulatorConfig } from "../config.ts";
import type { MarketModel } from "../market-model.ts";
import type { SimOutcome } from "../request-log.ts";

/** What the server sends back for one request. */
export interface SimAnswer {
  status: number;
  body: string;
  contentType: string;
  outcome: SimOutcome;
  headers?: Record<string, string>;
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
  respond(options: RespondOptions): SimAnswer;
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
  rateLimited(key: string | null, rule: RateLimit): SimAnswer;
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
