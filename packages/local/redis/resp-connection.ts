import { connect, type Socket } from "node:net";
import { encodeCommands, type RespArgument, RespParser, type RespReply } from "./resp.ts";

export interface RespConnectionOptions {
  host: string;
  port: number;
  /**
   * How long to wait for the TCP connection.
   * @default 2_000
   */
  connectTimeoutMs?: number;
}

interface PendingBatch {
  expected: number;
  replies: RespReply[];
  resolve(replies: RespReply[]): void;
  reject(error: Error): void;
}

/**
 * One TCP connection to redis-server speaking RESP2. Each `send` writes its
 * commands in a single write, so the commands of one batch are never
 * interleaved with another batch's: a MULTI ... EXEC batch stays one
 * transaction even when several callers share the connection. Replies come
 * back in order (Redis answers in order on a connection).
 */
export class RespConnection {
  private readonly parser = new RespParser();
  private readonly pending: PendingBatch[] = [];
  private closedWith: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly address: string,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      try {
        this.parser.push(chunk, (reply) => this.accept(reply));
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      }
    });
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () =>
      this.fail(new Error(`the connection to redis-server at ${this.address} closed`)),
    );
  }

  /** Opens a connection; rejects with the socket error or after `connectTimeoutMs`. */
  static connect(options: RespConnectionOptions): Promise<RespConnection> {
    const { host, port, connectTimeoutMs = 2_000 } = options;
    const address = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to redis-server at ${address} timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to redis-server at ${address}: ${error.message}`, { cause: error }));
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new RespConnection(socket, address));
      });
    });
  }

  /** True once the socket closed or failed; a closed connection rejects every `send`. */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Batches waiting for replies (a rough measure of how busy the connection is). */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Sends the commands in one write and resolves with their replies, in order. */
  send(commands: readonly (readonly RespArgument[])[]): Promise<RespReply[]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ expected: commands.length, replies: [], resolve, reject });
      this.socket.write(encodeCommands(commands));
    });
  }

  /** Closes the socket; batches still waiting are rejected. */
  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }

  private accept(reply: RespReply): void {
    const batch = this.pending[0];
    if (!batch) {
      this.fail(new Error(`redis-server at ${this.address} sent a reply nobody asked for`));
      this.socket.destroy();
      return;
    }
    batch.replies.push(reply);
    if (batch.replies.length === batch.expected) {
      this.pending.shift();
      batch.resolve(batch.replies);
    }
  }

  private fail(error: Error): void {
    this.closedWith ??= error;
    for (const batch of this.pending.splice(0)) batch.reject(this.closedWith);
  }
}
