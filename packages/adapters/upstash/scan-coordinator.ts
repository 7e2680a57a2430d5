import type { Redis } from "@upstash/redis";
import type { ScanCoordinator } from "../../core/pipeline/ports.ts";

/** Adds a chunk to the scan's set of complete chunks and returns its size, in one script call. */
const MARK_DONE = `
redis.call("SADD", KEYS[1], ARGV[1])
redis.call("EXPIRE", KEYS[1], tonumber(ARGV[2]))
return redis.call("SCARD", KEYS[1])
`;

/**
 * The scan's completed chunks as a Redis set: adding a member twice changes
 * nothing, so a chunk completed by a redelivered message counts once, and its
 * size says when the last chunk is in. One Upstash command per chunk, instead
 * of a DynamoDB write whose item (and cost) grows with the scan. Should the set
 * be lost, nothing is wrong, only late: the sweep finalizes the scan at its
 * deadline from what DynamoDB holds.
 */
export class UpstashScanCoordinator implements ScanCoordinator {
  private readonly markDone: ReturnType<Redis["createScript"]>;

  constructor(
    redis: Pick<Redis, "createScript">,
    /** How long the set outlives its last update. @default 14 days */
    private readonly ttlSeconds = 14 * 86_400,
  ) {
    this.markDone = redis.createScript(MARK_DONE);
  }

  async markChunkDone(scanId: string, chunk: number): Promise<number> {
    const size = await this.markDone.exec(
      [`tf:scan:${scanId}:done`],
      [String(chunk), String(this.ttlSeconds)],
    );
    return Number(size);
  }
}
