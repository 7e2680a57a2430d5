import type { AlertRecord } from "../../core/alerts/deliver.ts";
import type { ScanChanges } from "../../core/changes/changes.ts";
import type { ChunkProgress, LeaderboardRow, ResultRecord, ScanRecord } from "../../core/pipeline/records.ts";
import type { StoredBreadth } from "../../core/pipeline/stored-breadth.ts";
import {
  BREADTH_ITEM,
  breadthFromItem,
  CHANGES_ITEM,
  changesFromItem,
  LEADERBOARD_ITEM,
  leaderboardFromItem,
} from "./items.ts";
import { DynamoNotifyRepository } from "./notify-repository.ts";
import type { DynamoClients, RepositoryOptions } from "./requests.ts";
import { DynamoResultsRepository } from "./results-repository.ts";
import { DynamoScansRepository } from "./scans-repository.ts";

/**
 * What the CLI (`status`, `top`, `ticker`, `breadth`, `scan`) and the
 * end-to-end tests read of scans and results. Read-only; the pipeline's
 * reads and writes are the repositories'.
 */
export class DynamoScanReader {
  readonly #scans: DynamoScansRepository;
  readonly #results: DynamoResultsRepository;
  readonly #notify: DynamoNotifyRepository;

  constructor(
    clients: DynamoClients,
    tables: { scans: string; results: string },
    options: RepositoryOptions = {},
  ) {
    this.#scans = new DynamoScansRepository(clients, tables.scans, options);
    this.#results = new DynamoResultsRepository(clients, tables.results, options);
    this.#notify = new DynamoNotifyRepository(clients, tables.scans, options);
  }

  /** Each alert channel's outcome for the scan (none before notify ran, or with no channel set). */
  alerts(scanId: string): Promise<AlertRecord[]> {
    return this.#notify.alerts(scanId);
  }

  getScan(scanId: string): Promise<ScanRecord | undefined> {
    return this.#scans.get(scanId);
  }

  chunks(scanId: string): Promise<ChunkProgress[]> {
    return this.#scans.chunks(scanId);
  }

  results(scanId: string): AsyncIterable<ResultRecord> {
    // A finished scan's results were written long before: an eventually consistent read, at half the cost.
    return this.#results.ofScan(scanId, false);
  }

  /** One ticker's result in each of the given scans (absent where it was not part of a scan). */
  tickerResults(ticker: string, scanIds: readonly string[]): Promise<Map<string, ResultRecord>> {
    return this.#results.ofTicker(ticker, scanIds);
  }

  /** The latest scans, newest first (of one universe, if given). */
  recentScans(options: { limit?: number; universe?: string } = {}): Promise<ScanRecord[]> {
    return this.#scans.recent(options);
  }

  /** The scan's changes from the previous finished scan of its universe (absent on scans before changes were kept). */
  async changes(scanId: string): Promise<ScanChanges | undefined> {
    return changesFromItem(await this.#scans.item(scanId, CHANGES_ITEM, false));
  }

  async leaderboard(scanId: string): Promise<LeaderboardRow[] | undefined> {
    return leaderboardFromItem(await this.#scans.item(scanId, LEADERBOARD_ITEM, false));
  }

  async breadth(scanId: string): Promise<StoredBreadth | undefined> {
    return breadthFromItem(await this.#scans.item(scanId, BREADTH_ITEM, false));
  }
}
