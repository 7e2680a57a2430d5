declare module "s3rver" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
  }

  /** The Koa context s3rver's middleware sees (only what tickerfleet's middleware touches). */
  export interface S3rverContext {
    req: IncomingMessage;
  }
  export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

  /** s3rver is a Koa application. */
  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** Koa's middleware stack, composed when `callback()` is called. */
    middleware: S3rverMiddleware[];
    /** Koa's request listener. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
