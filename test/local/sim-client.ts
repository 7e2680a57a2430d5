import { Agent, request } from "undici";

/**
 * A small HTTP client for the simulator tests (sim-clock, sim-actions, sim-truth): real
 * requests over loopback, JSON in and out. Not a test file itself.
 */

/** Parsed JSON bodies: the tests assert their shape field by field. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by assertions, not by types
export type Json = any;

export const KEY = "test-key-1";

export interface SimClient {
  get(path: string): Promise<{ status: number; text: string }>;
  getJson<T = Json>(path: string): Promise<{ status: number; body: T }>;
  post(path: string, body: string): Promise<{ status: number; body: Json }>;
  /** Moves the clock over HTTP and returns the new today (fails the test on a refusal). */
  moveClock(move: { advanceSessions: number } | { asOf: string }): Promise<string>;
  close(): Promise<void>;
}

/** A client of the simulator at `baseUrl` (paths below it: `/polygon/...`, `/_sim/...`). */
export function simClient(baseUrl: string): SimClient {
  const agent = new Agent({ keepAliveTimeout: 1_000, connections: 16 });
  const get = async (path: string) => {
    const res = await request(`${baseUrl}${path}`, {
      dispatcher: agent,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const post = async (path: string, body: string) => {
    const res = await request(`${baseUrl}${path}`, {
      dispatcher: agent,
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    return { status: res.statusCode, body: (await res.body.json()) as Json };
  };
  return {
    get,
    async getJson(path) {
      const reply = await get(path);
      return { status: reply.status, body: JSON.parse(reply.text) };
    },
    post,
    async moveClock(move) {
      const reply = await post("/_sim/clock", JSON.stringify(move));
      if (reply.status !== 200) throw new Error(`clock move refused: ${JSON.stringify(reply.body)}`);
      return reply.body.asOf as string;
    },
    close: () => agent.close(),
  };
}

/** A polygon request path with the key. */
export function polygon(path: string): string {
  return `/polygon${path}${path.includes("?") ? "&" : "?"}apiKey=${KEY}`;
}

/** An FMP request path with the key. */
export function fmp(path: string): string {
  return `/fmp${path}${path.includes("?") ? "&" : "?"}apikey=${KEY}`;
}

/** Every page of a Polygon (Massive) list answer, following next_url (adding the key, as clients must). */
export async function allPages(client: SimClient, baseUrl: string, first: string): Promise<Json[][]> {
  const pages: Json[][] = [];
  let path: string | undefined = first;
  while (path !== undefined && pages.length < 200) {
    const { status, body }: { status: number; body: Json } = await client.getJson(path);
    if (status !== 200) throw new Error(`page ${pages.length + 1}: ${status} ${JSON.stringify(body)}`);
    pages.push(body.results);
    path = body.next_url ? `${String(body.next_url).slice(baseUrl.length)}&apiKey=${KEY}` : undefined;
  }
  return pages;
}
