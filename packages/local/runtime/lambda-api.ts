import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FunctionId } from "../../../stacks/topology/index.ts";
import type { InvocationOutcome } from "./container.ts";

/** What the Invoke API needs of the runtime. */
export interface InvokeTarget {
  resolve(name: string): FunctionId | undefined;
  invoke(fn: FunctionId, event: unknown): Promise<InvocationOutcome>;
  functionNames: Record<FunctionId, string>;
}

export interface LambdaApiOptions {
  target: InvokeTarget;
  region: string;
  accountId: string;
  /** @default 0 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Extra JSON served at GET /_local/stats (the local stack's counters). */
  stats?: () => unknown | Promise<unknown>;
  /** The last log lines of a function, for `X-Amz-Log-Type: Tail`. */
  tailLogs?: (functionName: string) => string;
}

export interface LambdaApi {
  readonly url: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const MAX_PAYLOAD = 6 * 1024 * 1024;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": randomUUID(), ...headers });
  res.end(text);
}

function serviceError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { Type: "User", message }, { "x-amzn-errortype": type });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) in
 * front of the local runtime, so `@aws-sdk/client-lambda` and
 * `aws lambda invoke --endpoint-url` start a scan locally exactly as they do
 * in AWS: RequestResponse (200 with the result, or `X-Amz-Function-Error:
 * Unhandled` and Lambda's error body), Event (202, runs in the background),
 * DryRun (204); unknown functions get ResourceNotFoundException.
 */
export async function startLambdaApi(options: LambdaApiOptions): Promise<LambdaApi> {
  const { target, region, accountId } = options;
  const arnOf = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://local");
      if (req.method === "GET" && url.pathname === "/_local/stats") {
        send(res, 200, (await options.stats?.()) ?? {});
        return;
      }
      if (req.method === "GET" && /^\/2015-03-31\/functions\/?$/.test(url.pathname)) {
        send(res, 200, {
          Functions: Object.values(target.functionNames).map((name) => ({
            FunctionName: name,
            FunctionArn: arnOf(name),
            Runtime: "nodejs22.x",
          })),
        });
        return;
      }
      const match = INVOKE_PATH.exec(url.pathname);
      if (!match || req.method !== "POST") {
        serviceError(
          res,
          404,
          "UnknownOperationException",
          `no such operation: ${req.method} ${url.pathname}`,
        );
        return;
      }
      const name = decodeURIComponent(match[1]!);
      // The SDK sends a Qualifier apart from the name (?Qualifier=); the same rules apply to both.
      const qualifier = url.searchParams.get("Qualifier");
      const qualified = qualifier === null ? name : `${name}:${qualifier}`;
      const fn = target.resolve(qualified);
      if (!fn) {
        serviceError(
          res,
          404,
          "ResourceNotFoundException",
          `Function not found: ${qualified.startsWith("arn:") ? qualified : arnOf(qualified)}`,
        );
        return;
      }
      const body = await readBody(req);
      if (!body) {
        serviceError(
          res,
          413,
          "RequestTooLargeException",
          `Request must be smaller than ${MAX_PAYLOAD} bytes for the InvokeFunction operation`,
        );
        return;
      }
      let event: unknown = {};
      if (body.length > 0) {
        try {
          event = JSON.parse(body.toString("utf8"));
        } catch {
          serviceError(
            res,
            400,
            "InvalidRequestContentException",
            "Could not parse request body into json: Unexpected token",
          );
          return;
        }
      }
      const invocationType = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
      if (invocationType === "DryRun") {
        send(res, 204, undefined);
        return;
      }
      if (invocationType === "Event") {
        void target.invoke(fn, event).catch(() => undefined);
        send(res, 202, undefined);
        return;
      }
      if (invocationType !== "RequestResponse") {
        serviceError(
          res,
          400,
          "InvalidParameterValueException",
          `Unsupported invocation type: ${invocationType}`,
        );
        return;
      }
      const outcome = await target.invoke(fn, event);
      const headers: Record<string, string> = { "x-amz-executed-version": "$LATEST" };
      if (req.headers["x-amz-log-type"] === "Tail" && options.tailLogs) {
        headers["x-amz-log-result"] = Buffer.from(
          options.tailLogs(target.functionNames[fn]).slice(-4096),
        ).toString("base64");
      }
      if (outcome.ok) {
        send(res, 200, outcome.value ?? null, headers);
      } else {
        send(
          res,
          200,
          {
            errorType: outcome.error.errorType,
            errorMessage: outcome.error.errorMessage,
            trace: outcome.error.stackTrace ?? [],
          },
          { ...headers, "x-amz-function-error": "Unhandled" },
        );
      }
    } catch (error) {
      if (!res.headersSent) serviceError(res, 500, "ServiceException", (error as Error).message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
