import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProviderName } from "../../core/market-data.port.ts";
import { rateLimitWindows } from "./config.ts";
import { deliver } from "./delivery.ts";
import { decideFault, faultyAnswer } from "./faults.ts";
import { sampleLatency } from "./latency.ts";
import { answerFrom, isAnswer, type ParsedRequest, type SimAnswer } from "./providers/provider.ts";
import { keyIdOf, nowMs, redactPath } from "./request-log.ts";
import type { SimulatorState } from "./state.ts";

/**
 * One request to a simulated provider (`/yahoo/...`, `/fmp/...`), in the order
 * a real API decides it: logged on arrival, routed and parsed, the key checked,
 * the rate limit applied, a fault drawn, then the answer delivered after the
 * drawn latency. Every answer, an error's too, waits out that latency.
 */
export function handleProviderRequest(
  state: SimulatorState,
  provider: ProviderName,
  subPath: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const startMs = nowMs();
  const requestUrl = new URL(subPath, "http://simulator.invalid");
  const entry = state.log.add({
    provider,
    keyId: null,
    method: req.method ?? "GET",
    path: redactPath(requestUrl.pathname + requestUrl.search),
    symbol: null,
    status: null,
    outcome: "pending",
    startMs,
    endMs: null,
    bytes: 0,
  });
  const behaviour = state.config[provider];
  const impl = state.providers[provider];
  const latency = sampleLatency(behaviour.latency, state.latencyStreams[provider]);
  const parsed = impl.parse(requestUrl, req.headers);
  if (isAnswer(parsed)) {
    deliver(state, req, res, entry, parsed, latency, undefined);
    return;
  }
  entry.symbol = parsed.symbol;
  if (typeof parsed.key === "string") entry.keyId = keyIdOf(parsed.key);
  if (parsed.key === undefined) {
    deliver(state, req, res, entry, impl.unauthorized("missing"), latency, undefined);
    return;
  }
  if (parsed.key !== null && behaviour.rejectedKeys.includes(parsed.key)) {
    deliver(state, req, res, entry, impl.unauthorized("rejected"), latency, undefined);
    return;
  }
  const rules = rateLimitWindows(behaviour.rateLimit);
  if (rules.length > 0) {
    const decision = state.limiters[provider].admit(parsed.key ?? "*", startMs, rules);
    if (!decision.accepted) {
      const answer = impl.rateLimited(parsed.key, decision.rule, decision.retryAfterMs);
      if (behaviour.retryAfter) {
        answer.headers = {
          ...answer.headers,
          "retry-after": String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))),
        };
      }
      deliver(state, req, res, entry, answer, latency, undefined);
      return;
    }
  }
  const fault = decideFault(state, provider, parsed.symbol);
  const answer = faultyAnswer(state, provider, impl, parsed, fault) ?? plainAnswer(state, provider, parsed);
  deliver(state, req, res, entry, answer, latency, fault);
}

/** The answer respond({}) gives, from the body cache when the request is cacheable. */
function plainAnswer(state: SimulatorState, provider: ProviderName, parsed: ParsedRequest): SimAnswer {
  if (parsed.renderKey === undefined || !parsed.render) return parsed.respond({});
  return answerFrom(state.renderCache.answer(provider, parsed.renderKey, parsed.render), () =>
    state.nextRequestId(),
  );
}
