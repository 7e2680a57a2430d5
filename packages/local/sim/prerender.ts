import { toProviderSymbol } from "../../core/symbols.ts";
import { isAnswer, type ParsedRequest, type SimAnswer } from "./providers/provider.ts";
import { type PrerenderRequest, type PrerenderResult, parsePrerenderRequest } from "./render-cache.ts";
import type { SimulatorState } from "./state.ts";

/** A prerender gives way to live requests this often. */
const PRERENDER_SLICE_MS = 20;

/**
 * Renders the answers to these requests into the body cache ahead of time, so
 * that serving them later costs a lookup. Parses with the quiet providers and
 * touches no rate limit, request log, fault or latency draw and no request id
 * of the live sequence; yields to live requests every few milliseconds; stops
 * early when the simulator closes. Throws ValidationError for a malformed request.
 */
export async function prerender(state: SimulatorState, input: PrerenderRequest): Promise<PrerenderResult> {
  const request = parsePrerenderRequest(input);
  const { provider } = request;
  const { renderCache } = state;
  const spell = (symbol: string): string | null => {
    try {
      return encodeURIComponent(toProviderSymbol(symbol, provider));
    } catch {
      return null; // not a canonical symbol: nothing the provider could be asked for
    }
  };
  const paths: (string | null)[] =
    request.paths ??
    request.symbols!.map((symbol) => {
      const spelled = spell(symbol);
      return spelled === null ? null : request.path!.replaceAll("{symbol}", spelled);
    });
  const startMs = performance.now();
  const result: Omit<PrerenderResult, "ms" | "cache"> = {
    requests: paths.length,
    rendered: 0,
    alreadyCached: 0,
    notCacheable: 0,
    renderedBytes: 0,
  };
  let sliceStart = performance.now();
  for (const path of paths) {
    if (state.closed) break;
    if (performance.now() - sliceStart > PRERENDER_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    let parsed: ParsedRequest | SimAnswer | null = null;
    try {
      if (path !== null)
        parsed = state.quietProviders[provider].parse(new URL(path, "http://simulator.invalid"), {});
    } catch {
      // A path the live server would answer with a 500 (say, a malformed escape): nothing to keep.
    }
    if (
      !renderCache.enabled ||
      parsed === null ||
      isAnswer(parsed) ||
      parsed.renderKey === undefined ||
      !parsed.render
    ) {
      result.notCacheable++;
    } else if (renderCache.has(provider, parsed.renderKey)) {
      result.alreadyCached++;
    } else {
      const rendered = parsed.render();
      renderCache.put(provider, parsed.renderKey, rendered);
      result.rendered++;
      result.renderedBytes += rendered.size;
    }
  }
  return { ...result, ms: Math.round(performance.now() - startMs), cache: renderCache.stats() };
}
