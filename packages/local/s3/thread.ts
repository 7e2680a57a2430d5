import { rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { type ServerThread, startServerThread } from "../threads/server-thread.ts";
import { newDataDirectory, type S3ServerOptions, type S3Stats } from "./server.ts";

export type S3ServerThread = ServerThread<{ url: string; port: number }, S3Stats>;

/**
 * startS3Server in a worker thread: s3rver (Koa, winston, lodash, an XML
 * parser) takes ~200 ms to load and hashes every object it stores; in its own
 * thread neither holds up the function runtime, as for the other servers.
 * The objects' directory is this thread's to remove: close() does (through
 * the server), and so does this process's exit if close() never ran (an
 * uncaught error); only a SIGKILL leaves it behind, in the system's temp.
 */
export async function startS3ServerThread(options: S3ServerOptions = {}): Promise<S3ServerThread> {
  const directory = options.directory ?? (await newDataDirectory());
  const removeAtExit = () => rmSync(directory, { recursive: true, force: true });
  process.once("exit", removeAtExit);
  try {
    const thread = await startServerThread<S3ServerOptions, { url: string; port: number }, S3Stats>(
      new URL("./thread-main.ts", import.meta.url),
      { ...options, directory },
      { requests: 0, byMethod: {} },
    );
    return {
      ...thread,
      async close() {
        await thread.close();
        process.off("exit", removeAtExit);
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.off("exit", removeAtExit);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}
