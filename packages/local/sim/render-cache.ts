import { z } from "zod";
import { ValidationError } from "../../core/errors.ts";
import { PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import { SizedLru } from "./lru.ts";
import type { RenderedAnswer } from "./providers/provider.ts";

/**
 * Rendered answers, kept so that a repeated request costs a lookup instead of
 * generating a price path and spelling thousands of numbers. Only the
 * rendering is kept: every request still goes through the rate limit,
 * latency, fault draws and the request log, and answers that carry a request
 * id get a fresh one each time. Keys come from the providers (`renderKey`:
 * everything an answer depends on besides the simulator's fixed model).
 */

/** @default 600 MiB: the whole `us-all` universe's two-year Yahoo charts (about 7,500 × 50 KB) fit. */
export const DEFAULT_RENDER_CACHE_BYTES = 600 * 2 ** 20;

/** Per-entry bookkeeping (key, map slot, answer object) added to its bytes for the bound. */
const ENTRY_OVERHEAD = 200;

export interface RenderCacheStats {
  entries: number;
  /** Bytes held (bodies plus a small per-entry overhead). */
  bytes: number;
  maxBytes: number;
  /** Requests answered from the cache since the simulator started. */
  hits: number;
  /** Requests whose answer was rendered because it was not cached (or the cache is off). */
  misses: number;
}

export class RenderCache {
  private readonly lru: SizedLru<string, RenderedAnswer>;
  private hits = 0;
  private misses = 0;

  constructor(maxBytes: number) {
    if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) {
      throw new ValidationError("simulator renderCacheBytes", [`expected bytes ≥ 0, got ${maxBytes}`]);
    }
    this.lru = new SizedLru(maxBytes, (r) => r.size + ENTRY_OVERHEAD);
  }

  private static key(provider: ProviderName, renderKey: string): string {
    return `${provider} ${renderKey}`;
  }

  /** The cached rendering, or a fresh one (then kept). */
  answer(provider: ProviderName, renderKey: string, render: () => RenderedAnswer): RenderedAnswer {
    const key = RenderCache.key(provider, renderKey);
    const cached = this.lru.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const rendered = render();
    this.lru.set(key, rendered);
    return rendered;
  }

  /** False when constructed with a bound of 0: nothing is kept. */
  get enabled(): boolean {
    return this.lru.maxSize > 0;
  }

  /** Whether the answer is cached (and, if so, now the most recently used). */
  has(provider: ProviderName, renderKey: string): boolean {
    return this.lru.get(RenderCache.key(provider, renderKey)) !== undefined;
  }

  /** Keeps a rendering made ahead of time (not counted as a hit or a miss). */
  put(provider: ProviderName, renderKey: string, rendered: RenderedAnswer): void {
    this.lru.set(RenderCache.key(provider, renderKey), rendered);
  }

  clear(): void {
    this.lru.clear();
  }

  stats(): RenderCacheStats {
    return {
      entries: this.lru.size,
      bytes: this.lru.totalSize,
      maxBytes: this.lru.maxSize,
      hits: this.hits,
      misses: this.misses,
    };
  }
}

/**
 * Requests to render ahead of time (`simulator.prerender`, `POST /_sim/prerender`),
 * e.g. before a benchmark, so that serving them costs a lookup. Either `paths`,
 * or a `path` template with `symbols`.
 */
export interface PrerenderRequest {
  provider: ProviderName;
  /** Paths below the provider's prefix, with their queries, as a client sends them: `/v8/finance/chart/AAPL?range=2y&interval=1d`. */
  paths?: string[];
  /** A path with `{symbol}` standing for each of `symbols`, e.g. `/v8/finance/chart/{symbol}?range=2y&interval=1d`. */
  path?: string;
  /** Canonical symbols (`BRK.B`), put into `path` in the provider's spelling, URI-encoded (`BRK-B` for Yahoo). */
  symbols?: string[];
}

export interface PrerenderResult {
  /** Paths looked at. */
  requests: number;
  /** Rendered now and cached. */
  rendered: number;
  /** Already in the cache. */
  alreadyCached: number;
  /** Not cacheable: unknown symbols, invalid requests (their answers cost nothing to make), or the cache is off. */
  notCacheable: number;
  /** Bytes of the answers rendered now. */
  renderedBytes: number;
  /** Wall time taken. */
  ms: number;
  cache: RenderCacheStats;
}

const prerenderSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS),
    paths: z.array(z.string().startsWith("/")).optional(),
    path: z.string().startsWith("/").optional(),
    symbols: z.array(z.string().min(1)).optional(),
  })
  .superRefine((r, ctx) => {
    const template = r.path !== undefined || r.symbols !== undefined;
    if (r.paths !== undefined && template)
      ctx.addIssue({ code: "custom", message: "give either paths, or path with symbols, not both" });
    else if (r.paths === undefined && !(r.path !== undefined && r.symbols !== undefined))
      ctx.addIssue({ code: "custom", message: "give paths, or path with symbols" });
    else if (r.path !== undefined && !r.path.includes("{symbol}"))
      ctx.addIssue({ code: "custom", path: ["path"], message: "must contain {symbol}" });
  });

/** Validates an untrusted prerender request; throws ValidationError naming the bad fields. */
export function parsePrerenderRequest(input: unknown): PrerenderRequest {
  const result = prerenderSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    "prerender request",
    result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`),
  );
}
