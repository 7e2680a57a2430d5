import type { FetchFailure, HistoryOptions } from "../../core/market-data.port.ts";
import type { FailureContext } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { type HttpResponse, httpGet } from "./http.ts";

/**
 * The requests of one history that takes several (bars, then splits, then dividends, and their
 * pages), sent one after another. The fetcher took the shared limit's token for the first; each
 * later one waits for the caller's gate (`nextRequest`), whose TokenWaitError propagates: the
 * fetcher hands the ticker back for that long. `bytes` sums the answers' text lengths.
 */
export class HistoryRequests {
  private sent = 0;
  /** The text length of every answer read so far. */
  bytes = 0;

  constructor(
    private readonly config: ResolvedProviderConfig,
    private readonly ctx: FailureContext,
    private readonly options: HistoryOptions | undefined,
  ) {}

  async get(path: string): Promise<HttpResponse | FetchFailure> {
    if (this.sent > 0) await this.options?.nextRequest?.();
    this.sent++;
    const response = await httpGet(this.config, this.ctx, path, this.options?.signal);
    if (!("kind" in response)) this.bytes += response.text.length;
    return response;
  }
}
