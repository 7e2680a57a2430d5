import { InvokeCommand } from "@aws-sdk/client-lambda";
import type { DynamoScanReader } from "../adapters/dynamo/scan-reader.ts";
import type { ScanRecord } from "../core/pipeline/records.ts";
import { CliError } from "./errors.ts";
import { duration, truncate } from "./format.ts";
import type { Target } from "./target.ts";

/**
 * Starting a scan and following it, on any target (the local stack or a
 * stage): the one implementation the CLI, the end-to-end tests and the
 * benchmarks share.
 */

export interface ScanProgress {
  scan: ScanRecord | undefined;
  total: number;
  scored: number;
  failed: number;
}

/** A scan's record and how many of its universe's tickers are scored or failed so far (from the chunk records). */
export async function readProgress(
  store: Pick<DynamoScanReader, "getScan" | "chunks">,
  scanId: string,
): Promise<ScanProgress> {
  const [scan, chunks] = await Promise.all([store.getScan(scanId), store.chunks(scanId)]);
  let scored = 0;
  let failed = 0;
  let total = 0;
  for (const chunk of chunks) {
    if (chunk.role !== "universe") continue;
    total += chunk.size;
    scored += chunk.scored.size;
    for (const t of chunk.failed) if (!chunk.scored.has(t)) failed++;
  }
  return { scan, total: scan?.total ?? total, scored, failed };
}

export function isFinished(scan: ScanRecord | undefined): boolean {
  return scan?.status === "COMPLETE" || scan?.status === "PARTIAL";
}

export interface StartedScan {
  scanId: string;
  status?: string;
  total?: number;
  alreadyStarted?: boolean;
}

/**
 * Invokes scan-start through the Lambda Invoke API, as `aws lambda invoke`
 * would. A refused payload is a CliError with exit code 2 naming the problems.
 */
export async function invokeScanStart(
  target: Target,
  payload: Record<string, unknown>,
): Promise<StartedScan> {
  const out = await target.lambda.send(
    new InvokeCommand({
      FunctionName: target.scanStartFunction,
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : "null";
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError(`scan-start answered something that is not JSON: ${truncate(text, 200)}`, 1);
  }
  if (out.FunctionError) {
    const message = String(body.errorMessage ?? text);
    const isValidation = body.errorType === "ValidationError" || /^invalid /.test(message);
    throw new CliError(`scan not started: ${message}`, isValidation ? 2 : 1);
  }
  if (typeof body.scanId !== "string")
    throw new CliError(`scan-start answered without a scanId: ${truncate(text, 200)}`, 1);
  return body as unknown as StartedScan;
}

export interface WaitOptions {
  timeoutMs: number;
  /** @default 300 */
  pollMs?: number;
  /** Told the progress at each poll; without it only the scan record is read. */
  onProgress?: (progress: ScanProgress) => void;
}

/** Polls until the scan is COMPLETE or PARTIAL; past the timeout, a CliError (exit 4): the scan goes on. */
export async function waitForScan(target: Target, scanId: string, options: WaitOptions): Promise<ScanRecord> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let scan: ScanRecord | undefined;
    if (options.onProgress) {
      const progress = await readProgress(target.store, scanId);
      options.onProgress(progress);
      scan = progress.scan;
    } else {
      scan = await target.store.getScan(scanId);
    }
    if (isFinished(scan)) return scan!;
    if (Date.now() > deadline) {
      throw new CliError(
        `stopped waiting after ${duration(options.timeoutMs)}; the scan goes on: \`tickerfleet status ${scanId}${target.kind === "local" ? " --local" : ""}\``,
        4,
      );
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 300));
  }
}
