import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import type { FetchResult, ProviderName } from "../../packages/core/market-data.port.ts";
import { type FixtureServer, fixtureText, sendJson, sendText, startFixtureServer } from "./fixture-server.ts";

/**
 * Transport and status failures, the same for every provider: each adapter
 * talks to a real loopback server that misbehaves on purpose. Every failure
 * is also checked for the API key (and Alpaca's secret key), which must never appear in it.
 */

const KEY = "SeCrEtKeY-7781-never-print";
const SECRET = "AlpacaSecret-0042-never-print";
const NORMAL_BODY: Record<ProviderName, string> = {
  yahoo: "yahoo/chart-aapl.json",
  fmp: "fmp/eod-full-aapl.json",
  polygon: "polygon/aggs-aapl-page2.json",
  alphavantage: "alphavantage/daily-ibm.json",
  alpaca: "alpaca/bars-aapl.json",
};
const range = { days: 260, to: "2024-02-13" };

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
});

afterAll(async () => {
  await closeProviderPools();
  await server.close();
});

function provider(name: ProviderName, timeoutMs = 2_000, origin = server.origin) {
  return createProvider(name, {
    baseUrl: `${origin}/${name}`,
    apiKey: name === "yahoo" ? undefined : KEY,
    ...(name === "alpaca" ? { apiSecret: SECRET } : {}),
    timeoutMs,
  });
}

/** The failure, after checking that nothing in it mentions the key. */
function failed(result: FetchResult) {
  expect(result.ok).toBe(false);
  const text = JSON.stringify(result);
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(encodeURIComponent(KEY));
  expect(text).not.toContain(SECRET);
  if (result.ok) throw new Error("expected a failure");
  return result;
}

describe.each(["yahoo", "fmp", "polygon", "alphavantage", "alpaca"] as const)(
  "%s adapter failures",
  (name) => {
    it("429 with Retry-After in seconds → rate-limited with retryAfterMs", async () => {
      server.handler = (_req, res) => sendText(res, 429, "Too Many Requests", { "retry-after": "30" });
      const f = failed(await provider(name).fetchDaily("AAPL", range));
      expect(f).toMatchObject({
        kind: "rate-limited",
        provider: name,
        symbol: "AAPL",
        status: 429,
        retryAfterMs: 30_000,
      });
    });

    it("429 with Retry-After as an HTTP date → rate-limited with the time until then", async () => {
      const at = new Date(Date.now() + 90_000).toUTCString();
      server.handler = (_req, res) => sendText(res, 429, "Too Many Requests", { "retry-after": at });
      const f = failed(await provider(name).fetchDaily("AAPL", range));
      expect(f.kind).toBe("rate-limited");
      expect(f.retryAfterMs).toBeGreaterThan(85_000);
      expect(f.retryAfterMs).toBeLessThanOrEqual(90_000);
    });

    it("429 without Retry-After → rate-limited without retryAfterMs", async () => {
      server.handler = (_req, res) => sendJson(res, 429, { message: "slow down" });
      const f = failed(await provider(name).fetchDaily("AAPL", range));
      expect(f.kind).toBe("rate-limited");
      expect("retryAfterMs" in f).toBe(false);
    });

    it("401 → unauthorized", async () => {
      server.handler = (_req, res) => sendJson(res, 401, { message: "bad credentials" });
      expect(failed(await provider(name).fetchDaily("AAPL", range))).toMatchObject({
        kind: "unauthorized",
        status: 401,
      });
    });

    it("500 → transient; 503 with Retry-After keeps the wait", async () => {
      server.handler = (_req, res) => sendText(res, 500, "Internal Server Error");
      expect(failed(await provider(name).fetchDaily("AAPL", range))).toMatchObject({
        kind: "transient",
        status: 500,
      });
      server.handler = (_req, res) => sendText(res, 503, "Service Unavailable", { "retry-after": "5" });
      expect(failed(await provider(name).fetchDaily("AAPL", range))).toMatchObject({
        kind: "transient",
        status: 503,
        retryAfterMs: 5_000,
      });
    });

    it("an error body that echoes the request URL (with the key) is scrubbed", async () => {
      // Alpaca's keys travel in headers, not in the URL: its echo is of them.
      const echo = (req: IncomingMessage) =>
        name === "alpaca"
          ? `${req.headers["apca-api-key-id"]}:${req.headers["apca-api-secret-key"]}`
          : req.url;
      server.handler = (req, res) => sendText(res, 500, `upstream failed for ${echo(req)}`);
      const f = failed(await provider(name).fetchDaily("AAPL", range));
      expect(f.kind).toBe("transient");
      if (name !== "yahoo") expect(f.message).toContain("***");
    });

    it("a truncated JSON body → transient", async () => {
      const text = fixtureText(NORMAL_BODY[name]);
      server.handler = (_req, res) => sendText(res, 200, text.slice(0, Math.floor(text.length / 2)));
      expect(failed(await provider(name).fetchDaily("AAPL", range))).toMatchObject({
        kind: "transient",
        message: "body is not JSON (truncated or an error page)",
      });
    });

    it("a connection reset mid-body → transient", async () => {
      const text = fixtureText(NORMAL_BODY[name]);
      server.handler = (req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.write(text.slice(0, 200), () => setTimeout(() => req.socket.destroy(), 20));
      };
      const f = failed(await provider(name).fetchDaily("AAPL", range));
      expect(f.kind).toBe("transient");
      expect(f.message).toMatch(/connection failed or was cut \((UND_ERR_SOCKET|ECONNRESET)\)/);
    });

    it("a server that stalls mid-body → transient body timeout", async () => {
      const text = fixtureText(NORMAL_BODY[name]);
      server.handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.write(text.slice(0, 100)); // and nothing more: server.close() destroys the socket
      };
      const started = Date.now();
      const f = failed(await provider(name, 300).fetchDaily("AAPL", range));
      expect(f).toMatchObject({
        kind: "transient",
        message: "timed out reading the body after 300 ms (UND_ERR_BODY_TIMEOUT)",
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("a server that never answers → transient headers timeout", async () => {
      server.handler = () => {};
      const f = failed(await provider(name, 300).fetchDaily("AAPL", range));
      expect(f).toMatchObject({
        kind: "transient",
        message: "timed out waiting for headers after 300 ms (UND_ERR_HEADERS_TIMEOUT)",
      });
    });

    it("a refused connection → transient", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const f = failed(await provider(name, 1_000, `http://127.0.0.1:${port}`).fetchDaily("AAPL", range));
      expect(f).toMatchObject({ kind: "transient", message: "connection failed or was cut (ECONNREFUSED)" });
    });

    it("an HTML 404 (wrong base URL) → invalid-response, not a permanent not-found", async () => {
      server.handler = (_req, res) =>
        sendText(res, 404, "<html><body>Cannot GET</body></html>", { "content-type": "text/html" });
      const f = failed(await provider(name).fetchDaily("AAPL", range));
      expect(f).toMatchObject({ kind: "invalid-response", status: 404 });
      expect(f.message).toMatch(/base URL/);
    });

    it("a caller's abort → transient, promptly", async () => {
      server.handler = () => {};
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      const f = failed(await provider(name, 5_000).fetchDaily("AAPL", range, { signal: controller.signal }));
      expect(f).toMatchObject({
        kind: "transient",
        message: "request aborted by the caller before it completed",
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  },
);
