import type { ProviderEnv, SimAnswer } from "./provider.ts";

/** What every simulated Polygon (Massive) endpoint shares: the JSON type, the error body, paging cursors. */

export const JSON_TYPE = "application/json";

/** Polygon's error body: `{"status":"ERROR","request_id":...,"error":...}`. */
export function errorAnswer(
  env: ProviderEnv,
  status: number,
  error: string,
  outcome: SimAnswer["outcome"],
): SimAnswer {
  return {
    status,
    body: JSON.stringify({ status: "ERROR", request_id: env.requestId(), error }),
    contentType: JSON_TYPE,
    outcome,
  };
}

/** A `next_url` cursor: the query of the next page, base64url-encoded, as Polygon's are opaque. */
export function encodeCursor(params: Record<string, string>): string {
  return Buffer.from(new URLSearchParams(params).toString()).toString("base64url");
}

export function decodeCursor(cursor: string): URLSearchParams | undefined {
  try {
    return new URLSearchParams(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}
