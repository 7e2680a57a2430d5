import type { IncomingMessage, ServerResponse } from "node:http";
import { ValidationError } from "../../core/errors.ts";

/** The simulator's own JSON over HTTP (the `/_sim/*` admin API): answers, bodies, commands. */

/** The largest admin request body accepted. */
export const MAX_ADMIN_BODY = 1 << 20;

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ValidationError("request body", [`larger than ${limit} bytes`]);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads a JSON body, runs `act` on it and answers its result; a body that is not JSON, or that
 * `act` rejects with a ValidationError, is answered 400 with the problems named.
 */
export async function answerJsonCommand(
  req: IncomingMessage,
  res: ServerResponse,
  what: string,
  maxBytes: number,
  act: (body: unknown) => unknown,
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, maxBytes));
  } catch (error) {
    const problem = error instanceof ValidationError ? error.problems.join("; ") : "body is not valid JSON";
    sendJson(res, 400, { error: what, problems: [problem] });
    return;
  }
  try {
    sendJson(res, 200, await act(body));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    sendJson(res, 400, { error: error.message, problems: error.problems });
  }
}
