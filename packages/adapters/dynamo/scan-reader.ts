import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { ChunkProgress, LeaderboardRow, ResultRecord, ScanRecord } from "../../core/pipeline/records.ts";
import type { StoredBreadth } from "../../core/pipeline/stored-breadth.ts";
import {
  BREADTH_ITEM,
  breadthFromItem,
  LEADERBOARD_ITEM,
  leaderboardFromItem,
  SCAN_ITEM,
  scanFromItem,
} from "./items.ts";
import type { DynamoClients, RepositoryOptions } from "./requests.ts";
import { DynamoResultsRepository } from "./results-repository.ts";
import { DynamoScansRepository } from "./scans-repository.ts";

/**
 * What the CLI (`status`, `top`, `ticker`, `breadth`, `scan`) and the
 * end-to-end tests read of scans and results. Read-only; the pipeline's
 * reads and writes are the repositories'.
 */
export class DynamoScanReader {
  readonly #clients: DynamoClients;
  readonly #scansTable: string;
  readonly #scans: DynamoScansRepository;
  readonly #results: DynamoResultsRepository;

  constructor(
    clients: DynamoClients,
    tables: { scans: string; results: string },
    options: RepositoryOptions = {},
  ) {
    this.#clients = clients;
    this.#scansTable = tables.scans;
    this.#scans = new DynamoScansRepository(clients, tables.scans, options);
    this.#results = new DynamoResultsRepository(clients, tables.results, options);
  }

  getScan(scanId: string): Promise<ScanRecord | undefined> {
    return this.#scans.get(scanId);
  }

  chunks(scanId: string): Promise<ChunkProgress[]> {
    return this.#scans.chunks(scanId);
  }

  results(scanId: string): AsyncIterable<ResultRecord> {
    return this.#results.ofScan(scanId);
  }

  /** One ticker's result in each of the given scans (absent where it was not part of a scan). */
  tickerResults(ticker: string, scanIds: readonly string[]): Promise<Map<string, ResultRecord>> {
    return this.#results.ofTicker(ticker, scanIds);
  }

  /** The latest scans, newest first (of one universe, if given). */
  async recentScans(options: { limit?: number; universe?: string } = {}): Promise<ScanRecord[]> {
    const input: QueryCommandInput = options.universe
      ? {
          TableName: this.#scansTable,
          IndexName: "byUniverse",
          KeyConditionExpression: "universe = :u",
          ExpressionAttributeValues: { ":u": options.universe },
        }
      : {
          TableName: this.#scansTable,
          IndexName: "byCreated",
          KeyConditionExpression: "entity = :e",
          ExpressionAttributeValues: { ":e": SCAN_ITEM },
        };
    const out = await this.#clients.documents.send(
      new QueryCommand({ ...input, ScanIndexForward: false, Limit: options.limit ?? 20 }),
    );
    return (out.Items ?? []).map(scanFromItem);
  }

  async leaderboard(scanId: string): Promise<LeaderboardRow[] | undefined> {
    return leaderboardFromItem(await this.#scans.item(scanId, LEADERBOARD_ITEM, false));
  }

  async breadth(scanId: string): Promise<StoredBreadth | undefined> {
    return breadthFromItem(await this.#scans.item(scanId, BREADTH_ITEM, false));
  }
}
