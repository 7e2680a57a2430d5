// The local Upstash REST server in front of a real redis-server, exercised
// through the official clients (@upstash/redis, @upstash/ratelimit) and, where
// the test is about the HTTP protocol itself, through raw fetch.
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis, type RedisConfigNodejs } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer } from "../../packages/local/redis/index.ts";
import {
  type LocalUpstash,
  startLocalUpstash,
  startUpstashServer,
} from "../../packages/local/upstash/index.ts";

let local: LocalUpstash;
let url: string;
let token: string;

beforeAll(async () => {
  local = await startLocalUpstash();
  url = local.upstash.url;
  token = local.upstash.token;
});
afterAll(() => local?.stop());

/** A client as an app would build one: defaults (base64 responses, auto-pipelining) unless overridden. */
function client(options: Partial<RedisConfigNodejs> = {}): Redis {
  return new Redis({ url, token, enableTelemetry: false, ...options });
}

/** One request with raw fetch; `token: null` sends none. */
function raw(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
): Promise<Response> {
  const auth: Record<string, string> =
    init.token === null ? {} : { Authorization: `Bearer ${init.token ?? token}` };
  const body =
    init.body === undefined || typeof init.body === "string" || Buffer.isBuffer(init.body)
      ? (init.body as string | Buffer | undefined)
      : JSON.stringify(init.body);
  return fetch(`${url}${path}`, {
    method: init.method ?? "POST",
    headers: { ...auth, ...init.headers },
    body,
  });
}

async function rawJson(
  path: string,
  init: Parameters<typeof raw>[1] = {},
): Promise<{ status: number; body: unknown }> {
  const response = await raw(path, init);
  return { status: response.status, body: await response.json() };
}

let keyCounter = 0;
/** A key no other test uses. */
function key(name: string): string {
  keyCounter += 1;
  return `test:${keyCounter}:${name}`;
}

const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex");

const clientVariants: [string, Partial<RedisConfigNodejs>][] = [
  ["base64 responses, auto-pipelining (client defaults)", {}],
  [
    "plain responses (responseEncoding: false), one request per command",
    { responseEncoding: false, enableAutoPipelining: false },
  ],
];

describe.each(clientVariants)("@upstash/redis with %s", (_label, options) => {
  const redis = () => client(options);

  it("gets, sets with expiry, and reads nil", async () => {
    const r = redis();
    const k = key("string");
    expect(await r.set(k, "value", { ex: 100 })).toBe("OK");
    expect(await r.get(k)).toBe("value");
    const ttl = await r.ttl(k);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await r.get(key("missing"))).toBeNull();
    expect(await r.set(k, "other", { nx: true })).toBeNull();
  });

  it("mget, incr, incrby, expire", async () => {
    const r = redis();
    const [a, b, c] = [key("a"), key("b"), key("counter")];
    await r.mset({ [a]: "1st", [b]: "2nd" });
    expect(await r.mget(a, key("none"), b)).toStrictEqual(["1st", null, "2nd"]);
    expect(await r.incr(c)).toBe(1);
    expect(await r.incrby(c, 41)).toBe(42);
    expect(await r.expire(c, 50)).toBe(1);
    expect(await r.ttl(c)).toBeGreaterThan(40);
    expect(await r.pexpire(key("none"), 50)).toBe(0);
  });

  it("hashes, lists, sets and sorted sets", async () => {
    const r = redis();
    const [h, l, s, z] = [key("hash"), key("list"), key("set"), key("zset")];
    expect(await r.hset(h, { name: "Ada", visits: 1 })).toBe(2);
    expect(await r.hincrby(h, "visits", 2)).toBe(3);
    expect(await r.hget(h, "name")).toBe("Ada");
    expect(await r.hgetall(h)).toStrictEqual({ name: "Ada", visits: 3 });
    expect(await r.rpush(l, "x", "y", "z")).toBe(3);
    expect(await r.lrange(l, 0, -1)).toStrictEqual(["x", "y", "z"]);
    expect(await r.lpop(l)).toBe("x");
    expect(await r.sadd(s, "m1", "m2", "m1")).toBe(2);
    expect((await r.smembers(s)).sort()).toStrictEqual(["m1", "m2"]);
    expect(await r.sismember(s, "m3")).toBe(0);
    expect(await r.zadd(z, { score: 2.5, member: "b" }, { score: 1, member: "a" })).toBe(2);
    expect(await r.zincrby(z, 10, "a")).toBe(11);
    expect(await r.zrange(z, 0, -1, { withScores: true })).toStrictEqual(["b", 2.5, "a", 11]);
    expect(await r.zscore(z, "b")).toBe(2.5);
  });

  it("round-trips unicode, JSON objects and strings that look like base64 or status replies", async () => {
    const r = redis();
    const values: Record<string, unknown> = {
      unicode: 'Grüße, 世界 🌍 \u0000 "quoted" \n\t\\',
      json: { symbol: "BRK.B", price: 412.5, tags: ["ünïcode", "🚀"], nested: { ok: true, none: null } },
      ok: "OK",
      base64Looking: "YmFy",
      pong: "PONG",
    };
    for (const [name, value] of Object.entries(values)) {
      const k = key(name);
      await r.set(k, value);
      expect(await r.get(k)).toStrictEqual(value);
    }
    const k = key("bytes");
    await r.set(k, values.unicode);
    // Bytes, not UTF-16 code units: Redis holds the UTF-8 encoding the client sent.
    expect(await r.strlen(k)).toBe(Buffer.byteLength(values.unicode as string, "utf8"));
  });

  it("pipeline(): a failing command in the middle fails alone", async () => {
    const r = redis();
    const [text, after] = [key("text"), key("after")];
    const results = await r
      .pipeline()
      .set(text, "not a number")
      .incr(text)
      .set(after, "ran")
      .get(after)
      .exec({ keepErrors: true });
    expect(results).toStrictEqual([
      { error: undefined, result: "OK" },
      { error: "ERR value is not an integer or out of range", result: undefined },
      { error: undefined, result: "OK" },
      { error: undefined, result: "ran" },
    ]);
    await expect(r.pipeline().get(after).incr(text).exec()).rejects.toThrow(/Command 2 \[ incr \] failed/);
  });

  it("multi(): a command failing at run time does not stop the others (Redis transaction semantics)", async () => {
    const r = redis();
    const [text, after] = [key("text"), key("after")];
    const results = await r.multi().set(text, "abc").incr(text).set(after, "ran").exec({ keepErrors: true });
    expect(results).toStrictEqual([
      { error: undefined, result: "OK" },
      { error: "ERR value is not an integer or out of range", result: undefined },
      { error: undefined, result: "OK" },
    ]);
    expect(await r.get(after)).toBe("ran");
  });

  it("stores and reads back a 5 MB value", async () => {
    const r = redis();
    const k = key("big");
    const value = "ü".repeat(2_500_000);
    await r.set(k, value);
    expect(await r.strlen(k)).toBe(5_000_000);
    expect((await r.get<string>(k)) === value).toBe(true);
  });
});

describe("authentication", () => {
  it("answers 401 Unauthorized without a token or with a wrong one", async () => {
    expect(await rawJson("/", { body: ["PING"], token: null })).toStrictEqual({
      status: 401,
      body: { error: "Unauthorized" },
    });
    expect(await rawJson("/", { body: ["PING"], token: `${token}x` })).toStrictEqual({
      status: 401,
      body: { error: "Unauthorized" },
    });
    expect(await rawJson("/pipeline", { body: [["PING"]], token: "" })).toStrictEqual({
      status: 401,
      body: { error: "Unauthorized" },
    });
  });

  it("accepts the token as ?_token=", async () => {
    expect(
      await rawJson(`/ping?_token=${encodeURIComponent(token)}`, { method: "GET", token: null }),
    ).toStrictEqual({
      status: 200,
      body: { result: "PONG" },
    });
  });

  it("makes the client throw", async () => {
    const wrong = new Redis({ url, token: "not-the-token", enableTelemetry: false });
    await expect(wrong.get("anything")).rejects.toThrow(/Unauthorized/);
    const wrongPlain = new Redis({ url, token: "nope", enableTelemetry: false, enableAutoPipelining: false });
    await expect(wrongPlain.set("anything", "v")).rejects.toThrow(/Unauthorized/);
  });
});

describe("REST protocol", () => {
  const base64 = { "Upstash-Encoding": "base64" };

  it("Upstash-Encoding: base64 encodes every string but a top-level OK; numbers and nil stay", async () => {
    const [k, l] = [key("b64"), key("b64list")];
    expect(await rawJson("/", { body: ["SET", k, "bar"], headers: base64 })).toStrictEqual({
      status: 200,
      body: { result: "OK" },
    });
    expect((await rawJson("/", { body: ["GET", k], headers: base64 })).body).toStrictEqual({
      result: "YmFy",
    });
    expect((await rawJson("/", { body: ["GET", key("none")], headers: base64 })).body).toStrictEqual({
      result: null,
    });
    expect((await rawJson("/", { body: ["STRLEN", k], headers: base64 })).body).toStrictEqual({ result: 3 });
    expect((await rawJson("/", { body: ["PING"], headers: base64 })).body).toStrictEqual({
      result: "UE9ORw==",
    });
    await rawJson("/", { body: ["RPUSH", l, "a", "OK", "ü"] });
    expect((await rawJson("/", { body: ["LRANGE", l, 0, -1], headers: base64 })).body).toStrictEqual({
      result: ["YQ==", "T0s=", "w7w="],
    });
    expect(
      (
        await rawJson("/pipeline", {
          body: [
            ["SET", k, "x"],
            ["GET", k],
            ["LLEN", l],
          ],
          headers: base64,
        })
      ).body,
    ).toStrictEqual([{ result: "OK" }, { result: "eA==" }, { result: 3 }]);
  });

  it("without the header answers plain strings", async () => {
    const [k, l] = [key("plain"), key("plainlist")];
    await rawJson("/", { body: ["SET", k, "bar"] });
    expect((await rawJson("/", { body: ["GET", k] })).body).toStrictEqual({ result: "bar" });
    await rawJson("/", { body: ["RPUSH", l, "a", "ü"] });
    expect((await rawJson("/", { body: ["LRANGE", l, "0", "-1"] })).body).toStrictEqual({
      result: ["a", "ü"],
    });
    expect((await rawJson("/", { body: ["PING"] })).body).toStrictEqual({ result: "PONG" });
  });

  it("keeps bytes: base64 shows them exactly, plain text replaces invalid UTF-8 with U+FFFD", async () => {
    const k = key("binary");
    expect((await rawJson(`/set/${k}`, { body: Buffer.from([0xff, 0xfe, 0x00, 0x41]) })).body).toStrictEqual({
      result: "OK",
    });
    expect((await rawJson(`/get/${k}`, { method: "GET", headers: base64 })).body).toStrictEqual({
      result: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString("base64"),
    });
    expect((await rawJson(`/get/${k}`, { method: "GET" })).body).toStrictEqual({
      result: "\ufffd\ufffd\u0000A",
    });
  });

  it("runs path-style commands, with a POST body as the value and query parameters as trailing arguments", async () => {
    const k = key("path");
    expect(await rawJson(`/set/${k}/bar`, { method: "GET" })).toStrictEqual({
      status: 200,
      body: { result: "OK" },
    });
    expect((await rawJson(`/get/${k}`, { method: "GET" })).body).toStrictEqual({ result: "bar" });
    const withBody = key("path-body");
    await rawJson(`/set/${withBody}?EX=100`, { body: '{"json": "value / with slash"}' });
    expect((await rawJson(`/get/${withBody}`, { method: "GET" })).body).toStrictEqual({
      result: '{"json": "value / with slash"}',
    });
    const ttl = (await rawJson(`/ttl/${withBody}`, { method: "GET" })).body as { result: number };
    expect(ttl.result).toBeGreaterThan(90);
    await rawJson(`/set/${encodeURIComponent(`${k}/a b`)}/${encodeURIComponent("v/ü")}`, { method: "GET" });
    expect((await rawJson("/", { body: ["GET", `${k}/a b`] })).body).toStrictEqual({ result: "v/ü" });
  });

  it("answers a Redis error with 400 {error}, and the client throws it", async () => {
    expect(await rawJson("/", { body: ["GET"] })).toStrictEqual({
      status: 400,
      body: { error: "ERR wrong number of arguments for 'get' command" },
    });
    expect(await rawJson("/", { body: ["NOSUCHCOMMAND", "x"] })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^ERR unknown command/) },
    });
    const k = key("wrongtype");
    await client().set(k, "text");
    await expect(client().hget(k, "field")).rejects.toThrow(/WRONGTYPE/);
  });

  it("/multi-exec: a command that cannot be queued discards the whole transaction", async () => {
    const [first, last] = [key("first"), key("last")];
    const response = await rawJson("/multi-exec", {
      body: [["SET", first, "1"], ["GET"], ["SET", last, "2"]],
    });
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(
      /^EXECABORT .*command 2 \[GET\] could not be queued: ERR wrong number of arguments for 'get' command$/,
    );
    expect(
      (
        await rawJson("/pipeline", {
          body: [
            ["EXISTS", first],
            ["EXISTS", last],
          ],
        })
      ).body,
    ).toStrictEqual([{ result: 0 }, { result: 0 }]);
    expect(
      (
        await rawJson("/multi-exec", {
          body: [
            ["SET", first, "1"],
            ["INCR", first],
            ["GET", first],
          ],
        })
      ).body,
    ).toStrictEqual([{ result: "OK" }, { result: 2 }, { result: "2" }]);
  });

  it("rejects blocking and connection-state commands with a clear error, alone and inside a pipeline", async () => {
    const l = key("queue");
    const single = await rawJson("/", { body: ["BLPOP", l, 0] });
    expect(single.status).toBe(400);
    expect((single.body as { error: string }).error).toMatch(/BLPOP is a blocking command/);
    const pipeline = await rawJson("/pipeline", {
      body: [
        ["RPUSH", l, "job"],
        ["BLPOP", l, 0],
        ["XREAD", "BLOCK", 0, "STREAMS", l, "$"],
        ["LLEN", l],
      ],
    });
    expect(pipeline.status).toBe(200);
    expect(pipeline.body).toMatchObject([
      { result: 1 },
      { error: expect.stringMatching(/BLPOP is a blocking command/) },
      { error: expect.stringMatching(/XREAD with BLOCK is a blocking command/) },
      { result: 1 },
    ]);
    expect(((await rawJson("/", { body: ["SELECT", 1] })).body as { error: string }).error).toMatch(
      /changes the state of a connection/,
    );
    expect(((await rawJson("/", { body: ["MULTI"] })).body as { error: string }).error).toMatch(
      /\/multi-exec/,
    );
    const transaction = await rawJson("/multi-exec", {
      body: [
        ["SET", l, "x"],
        ["BRPOP", l, 1],
      ],
    });
    expect(transaction.status).toBe(400);
    expect((await rawJson("/", { body: ["EXISTS", l] })).body).toStrictEqual({ result: 1 });
  });

  it("answers malformed requests with 400/405/413 and a message saying what was wrong", async () => {
    const notJson = await rawJson("/", { body: "SET a b" });
    expect(notJson.status).toBe(400);
    expect((notJson.body as { error: string }).error).toMatch(/^ERR the body of \/ is not valid JSON/);
    expect(await rawJson("/", { body: { command: "GET" } })).toStrictEqual({
      status: 400,
      body: {
        error: 'ERR the command must be a non-empty JSON array such as ["SET","key","value"], got a object',
      },
    });
    expect(await rawJson("/pipeline", { body: [["PING"], "GET a"] })).toStrictEqual({
      status: 400,
      body: {
        error:
          'ERR command 2 of /pipeline must be a non-empty JSON array such as ["SET","key","value"], got a string',
      },
    });
    expect(await rawJson("/", { body: ["SET", "k", { nested: true }] })).toStrictEqual({
      status: 400,
      body: {
        error:
          "ERR element 3 of the command is a object; elements must be strings, finite numbers or booleans",
      },
    });
    expect((await rawJson("/", { body: "" })).status).toBe(400);
    expect((await rawJson("/", { method: "DELETE" })).status).toBe(405);
    const tooBig = await rawJson(`/set/${key("huge")}`, { body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) });
    expect(tooBig.status).toBe(413);
    expect((tooBig.body as { error: string }).error).toMatch(/max request size exceeded/);
  });

  it("Upstash-Response-Format: resp2 answers raw RESP2 bytes", async () => {
    const k = key("resp2");
    await rawJson("/", { body: ["SET", k, "bar"] });
    const response = await raw(`/get/${k}`, {
      method: "GET",
      headers: { "Upstash-Response-Format": "resp2" },
    });
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(await response.text()).toBe("$3\r\nbar\r\n");
    const pipeline = await raw("/pipeline", {
      body: [["SET", k, "x"], ["STRLEN", k], ["GET"]],
      headers: { "Upstash-Response-Format": "resp2" },
    });
    expect(await pipeline.text()).toBe("+OK\r\n:1\r\n-ERR wrong number of arguments for 'get' command\r\n");
    const both = await raw(`/get/${k}`, { headers: { "Upstash-Response-Format": "resp2", ...base64 } });
    expect(both.status).toBe(400);
  });

  it("answers upstash-sync-token and ignores headers it does not know", async () => {
    const first = await raw("/", { body: ["PING"], headers: { "upstash-sync-token": "", "X-Unknown": "1" } });
    const second = await raw("/", {
      body: ["PING"],
      headers: { "upstash-sync-token": "whatever-the-cloud-sent" },
    });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(Number(second.headers.get("upstash-sync-token"))).toBeGreaterThan(
      Number(first.headers.get("upstash-sync-token")),
    );
    const r = client();
    await r.set(key("ryw"), "1");
    expect(r.readYourWritesSyncToken).toMatch(/^\d+$/);
  });
});

describe("shared Redis connections", () => {
  it("give each of 200 concurrent requests its own replies", async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const k = key(`concurrent-${i}`);
        const value = `value-${i}-${"x".repeat(i * 50)}`;
        const path = i % 3 === 0 ? "/multi-exec" : "/pipeline";
        const { body } = await rawJson(path, {
          body: [
            ["SET", k, value],
            ["APPEND", k, "!"],
            ["GET", k],
          ],
        });
        return { body, value };
      }),
    );
    for (const { body, value } of results) {
      expect(body).toStrictEqual([{ result: "OK" }, { result: value.length + 1 }, { result: `${value}!` }]);
    }
  });

  it("are checked at start: a wrong redisPort fails startUpstashServer with the address it tried", async () => {
    const gone = await startRedisServer();
    await gone.stop();
    await expect(startUpstashServer({ redisPort: gone.port })).rejects.toThrow(
      `cannot connect to redis-server at 127.0.0.1:${gone.port}`,
    );
  });

  it("answer 500 while redis-server is down and recover when it is back on its port", async () => {
    const stack = await startLocalUpstash();
    try {
      const r = new Redis({ url: stack.upstash.url, token: stack.upstash.token, enableTelemetry: false });
      expect(await r.set("k", "before")).toBe("OK");
      await stack.redis.stop();
      const down = await fetch(stack.upstash.url, {
        method: "POST",
        headers: { Authorization: `Bearer ${stack.upstash.token}` },
        body: JSON.stringify(["GET", "k"]),
      });
      expect(down.status).toBe(500);
      expect(((await down.json()) as { error: string }).error).toMatch(/redis-server at 127\.0\.0\.1:\d+/);
      await expect(r.get("k")).rejects.toThrow(/redis-server/);

      const again = await startRedisServer({ port: stack.redis.port });
      try {
        // A new, empty redis-server: the old value is gone, the connection pool reconnects.
        expect(await r.get("k")).toBeNull();
        expect(await r.set("k", "after")).toBe("OK");
        expect(await r.get("k")).toBe("after");
      } finally {
        await again.stop();
      }
    } finally {
      await stack.stop();
    }
  });
});

describe("Lua scripts with Upstash's shebang flags on Redis 7.0", () => {
  it("SCRIPT LOAD returns the SHA of the original text, and EVALSHA / SCRIPT EXISTS accept it", async () => {
    const r = client();
    const script = `#!lua flags=allow-key-locking\nreturn ARGV[1] .. "-${key("unique")}"`;
    expect(await r.scriptLoad(script)).toBe(sha1(script));
    expect(await r.scriptExists(sha1(script))).toStrictEqual([1]);
    expect(await r.evalsha(sha1(script), [], ["hi"])).toMatch(/^hi-/);
  });

  it("EVALSHA of a script never seen fails with NOSCRIPT, and createScript() falls back to EVAL", async () => {
    const r = client();
    const script = `#!lua flags=allow-key-locking\nreturn redis.call("INCR", KEYS[1]) -- ${key("unique")}`;
    await expect(r.evalsha(sha1(script), [key("n")], [])).rejects.toThrow(/NOSCRIPT/);
    const counter = key("counter");
    const incr = r.createScript<number>(script);
    expect(await incr.exec([counter], [])).toBe(1);
    expect(await r.evalsha(sha1(script), [counter], [])).toBe(2);
  });

  it("keeps the flags Redis knows: no-writes still forbids writes", async () => {
    const script = `#!lua flags=no-writes,allow-key-locking\nreturn redis.call("SET", KEYS[1], "x")`;
    await expect(client().eval(script, [key("ro")], [])).rejects.toThrow(/Write commands are not allowed/);
  });
});

describe("stats()", () => {
  it("counts every command of a pipeline and a transaction, as Upstash bills them", async () => {
    const r = client({ enableAutoPipelining: false });
    const k = key("billing");
    const before = local.upstash.stats();
    await r.pipeline().set(k, 1).incr(k).incr(k).get(k).del(k).exec();
    const afterPipeline = local.upstash.stats();
    await r.multi().set(k, 1).incr(k).get(k).exec();
    const afterMulti = local.upstash.stats();
    await r.get(k);
    const afterGet = local.upstash.stats();
    expect([
      afterPipeline.commands - before.commands,
      afterMulti.commands - afterPipeline.commands,
      afterGet.commands - afterMulti.commands,
    ]).toStrictEqual([5, 3, 1]);
    expect(afterGet.requests - before.requests).toBe(3);
  });
});

describe("@upstash/ratelimit, 20 concurrent callers on one identifier", () => {
  const CALLERS = 20;
  const ATTEMPTS_EACH = 3;

  /** One limiter per caller, each with its own client, as separate Lambdas would have. */
  function callers(
    limiter: ConstructorParameters<typeof Ratelimit>[0]["limiter"],
    prefix: string,
  ): Ratelimit[] {
    return Array.from(
      { length: CALLERS },
      () => new Ratelimit({ redis: client(), limiter, prefix, timeout: 0, ephemeralCache: false }),
    );
  }

  async function hammer(limiters: Ratelimit[], identifier: string) {
    const perCaller = await Promise.all(
      limiters.map(async (limiter) => {
        const results = [];
        for (let attempt = 0; attempt < ATTEMPTS_EACH; attempt++)
          results.push(await limiter.limit(identifier));
        return results;
      }),
    );
    const results = perCaller.flat();
    expect(results).toHaveLength(CALLERS * ATTEMPTS_EACH);
    // timeout: 0 disables the fail-open timeout: no answer may come from anywhere but Redis.
    expect(results.filter((result) => result.reason !== undefined)).toStrictEqual([]);
    return results.filter((result) => result.success).length;
  }

  /** Waits, if needed, so that at least `needMs` remain in the current window (bounded by the window). */
  async function startOfWindow(windowMs: number, needMs: number): Promise<void> {
    const left = windowMs - (Date.now() % windowMs);
    if (left < needMs) await sleep(left + 50);
  }

  it("fixedWindow admits exactly the limit; rate takes n tokens; getRemaining; resetUsedTokens", async () => {
    const limiter = Ratelimit.fixedWindow(5, "10 s");
    const limiters = callers(limiter, key("fixed"));
    await startOfWindow(10_000, 4_000);
    expect(await hammer(limiters, "provider")).toBe(5);
    const [one] = limiters as [Ratelimit];
    expect(await one.getRemaining("provider")).toMatchObject({ remaining: 0, limit: 5 });

    await one.resetUsedTokens("provider");
    expect(await one.getRemaining("provider")).toMatchObject({ remaining: 5 });
    expect(await one.limit("provider", { rate: 3 })).toMatchObject({ success: true, remaining: 2 });
    expect(await one.limit("provider", { rate: 3 })).toMatchObject({ success: false, remaining: 0 });
  });

  it("slidingWindow never admits more than the limit", async () => {
    const limiter = Ratelimit.slidingWindow(5, "10 s");
    const limiters = callers(limiter, key("sliding"));
    await startOfWindow(10_000, 4_000);
    const admitted = await hammer(limiters, "provider");
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted).toBeLessThanOrEqual(5);
    const [one] = limiters as [Ratelimit];
    expect((await one.getRemaining("provider")).remaining).toBe(5 - admitted);
    await one.resetUsedTokens("provider");
    expect(await one.limit("provider", { rate: 4 })).toMatchObject({ success: true, remaining: 1 });
    expect(await one.getRemaining("provider")).toMatchObject({ remaining: 1, limit: 5 });
  });

  it("tokenBucket admits exactly the bucket; rate takes n tokens; getRemaining; resetUsedTokens", async () => {
    const limiter = Ratelimit.tokenBucket(1, "10 s", 5);
    const limiters = callers(limiter, key("bucket"));
    expect(await hammer(limiters, "provider")).toBe(5);
    const [one] = limiters as [Ratelimit];
    expect(await one.getRemaining("provider")).toMatchObject({ remaining: 0, limit: 5 });

    expect(await one.limit("fresh", { rate: 3 })).toMatchObject({ success: true, remaining: 2 });
    expect(await one.limit("fresh", { rate: 3 })).toMatchObject({ success: false });
    expect(await one.getRemaining("fresh")).toMatchObject({ remaining: 2 });
    expect(await one.limit("fresh", { rate: 2 })).toMatchObject({ success: true, remaining: 0 });
    await one.resetUsedTokens("fresh");
    expect(await one.getRemaining("fresh")).toMatchObject({ remaining: 5 });
  });
});

describe("Redis commands per @upstash/ratelimit call, as Upstash bills them", () => {
  it.each([
    ["fixedWindow", Ratelimit.fixedWindow(100, "60 s")],
    ["slidingWindow", Ratelimit.slidingWindow(100, "60 s")],
    ["tokenBucket", Ratelimit.tokenBucket(10, "1 s", 100)],
  ] as const)(
    "%s: EVALSHA falls back to EVAL once after SCRIPT FLUSH, then 1 command per call",
    async (_, limiter) => {
      const redis = client();
      await redis.scriptFlush();
      const ratelimit = new Ratelimit({
        redis,
        limiter,
        prefix: key("cost"),
        timeout: 0,
        ephemeralCache: false,
      });
      const cost = async (call: () => Promise<unknown>) => {
        const before = local.upstash.stats().commands;
        await call();
        return local.upstash.stats().commands - before;
      };
      const costs = {
        firstLimit: await cost(() => ratelimit.limit("id", { rate: 7 })),
        limit: await cost(() => ratelimit.limit("id", { rate: 7 })),
        firstGetRemaining: await cost(() => ratelimit.getRemaining("id")),
        getRemaining: await cost(() => ratelimit.getRemaining("id")),
      };
      expect(costs).toStrictEqual({ firstLimit: 2, limit: 1, firstGetRemaining: 2, getRemaining: 1 });
      expect(await ratelimit.getRemaining("id")).toMatchObject({ remaining: 86 });
    },
  );
});
