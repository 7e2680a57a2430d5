import type { RespArgument, RespReply } from "../redis/resp.ts";
import { RespConnection } from "../redis/resp-connection.ts";

export interface RedisPoolOptions {
  host: string;
  port: number;
  /** Connections to keep open; each is opened on first use and reopened after it breaks. */
  size: number;
}

/**
 * A few RESP connections to one redis-server, shared by every REST request.
 * A batch (one request's commands) goes to one connection in one write, so a
 * pipeline runs in order and a MULTI ... EXEC batch stays whole. Batches are
 * spread round-robin; Redis runs one command at a time anyway, so more
 * connections only overlap network and parsing work.
 */
export class RedisPool {
  private readonly connections: (RespConnection | undefined)[];
  private readonly connecting: (Promise<RespConnection> | undefined)[];
  private next = 0;
  private closed = false;

  constructor(private readonly options: RedisPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`RedisPool size must be a positive integer, got ${options.size}`);
    }
    this.connections = new Array(options.size).fill(undefined);
    this.connecting = new Array(options.size).fill(undefined);
  }

  /** Sends one batch of commands on one connection; resolves with their replies in order. */
  async send(commands: readonly (readonly RespArgument[])[]): Promise<RespReply[]> {
    const slot = this.next;
    this.next = (this.next + 1) % this.options.size;
    const connection = await this.acquire(slot);
    return connection.send(commands);
  }

  /** Closes every connection; batches still waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.connecting.filter((pending) => pending !== undefined));
    await Promise.all(this.connections.map((connection) => connection?.close()));
  }

  private acquire(slot: number): Promise<RespConnection> {
    if (this.closed) return Promise.reject(new Error("the Redis connection pool is closed"));
    const open = this.connections[slot];
    if (open && !open.closed) return Promise.resolve(open);
    let pending = this.connecting[slot];
    if (!pending) {
      pending = RespConnection.connect({ host: this.options.host, port: this.options.port })
        .then(async (connection) => {
          if (this.closed) {
            await connection.close();
            throw new Error("the Redis connection pool is closed");
          }
          this.connections[slot] = connection;
          return connection;
        })
        .finally(() => {
          this.connecting[slot] = undefined;
        });
      this.connecting[slot] = pending;
    }
    return pending;
  }
}
