import type { IncomingHttpHeaders } from "node:http";
import type { RateLimit } from "../config.ts";
import { alpacaActions } from "./alpaca-actions.ts";
import { alpacaBars } from "./alpaca-bars.ts";
import { JSON_TYPE, keyIdOf, messageAnswer } from "./alpaca-wire.ts";
import {
  gatewayErrorAnswer,
  type ParsedRequest,
  type ProviderEnv,
  type SimAnswer,
  type SimProvider,
} from "./provider.ts";

/**
 * Alpaca's market data API (`data.alpaca.markets`): stock bars (alpaca-bars.ts) and corporate
 * actions (alpaca-actions.ts), keys in the `APCA-API-KEY-ID` and `APCA-API-SECRET-KEY` headers
 * (the limit and `rejectedKeys` go by the key id). Missing keys: 401 `{"message":
 * "unauthorized."}`; a rejected key: 403 `{"message": "forbidden."}`. Over the limit: 429
 * `{"message": "too many requests."}` with `X-RateLimit-Limit`, `X-RateLimit-Remaining` (0) and
 * `X-RateLimit-Reset` (epoch seconds when a request is allowed again), no `Retry-After`.
 * Another path: 404 `404 page not found`.
 */
export function alpacaProvider(env: ProviderEnv): SimProvider {
  const actions = alpacaActions(env);
  return {
    name: "alpaca",

    parse(url: URL, headers: IncomingHttpHeaders): ParsedRequest | SimAnswer {
      const key = keyIdOf(headers);
      const answer = alpacaBars(env, url, key) ?? actions(url, key);
      if (answer) return answer;
      return {
        status: 404,
        body: "404 page not found",
        contentType: "text/plain; charset=utf-8",
        outcome: "bad-request",
      };
    },

    unauthorized(reason) {
      return reason === "missing"
        ? messageAnswer(401, "unauthorized.", "unauthorized")
        : messageAnswer(403, "forbidden.", "unauthorized");
    },

    rateLimited(_key: string | null, rule: RateLimit, retryAfterMs: number): SimAnswer {
      return {
        status: 429,
        body: JSON.stringify({ message: "too many requests." }),
        contentType: JSON_TYPE,
        outcome: "rate-limited",
        headers: {
          "x-ratelimit-limit": String(rule.limit),
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.ceil((Date.now() + retryAfterMs) / 1000)),
        },
      };
    },

    serverError: gatewayErrorAnswer,
  };
}
