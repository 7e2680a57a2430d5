import { createHash } from "node:crypto";
import { Agent, request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../packages/core/errors.ts";
import { toProviderSymbol } from "../../packages/core/symbols.ts";
import {
  type Simulator,
  type SimulatorConfigPatch,
  type SimulatorOptions,
  startMarketSimulator,
} from "../../packages/local/sim/index.ts";
import { startSimulatorProcess } from "../../packages/local/sim/process.ts";
import { ByteWriter } from "../../packages/local/sim/providers/format.ts";

/**
 * The simulator's body cache and fast renderer change nothing a client sees:
 * a fixed sequence of requests over all four providers (repeated, so the
 * second of each pair is served from the cache, and with faults that draw
 * from the fault stream or consume Polygon request ids) gives byte for byte
 * the answers the simulator gave before the cache existed. DIGESTS holds what
 * that earlier implementation answered (status, headers, body bytes and the
 * request log, hashed), recorded by running this very sequence against it.
 */

const AS_OF = "2026-08-14";
const KEY = "test-key-1";
const agent = new Agent({ keepAliveTimeout: 1_000, connections: 8 });

afterAll(async () => {
  await agent.close();
});

/** The query the pipeline's Yahoo adapter sends for 460 days ending AS_OF (dailyWindow). */
function pipelineQuery(days: number): string {
  const toDay = Date.parse(`${AS_OF}T00:00:00Z`) / 86_400_000;
  const fromDay = toDay - Math.ceil((days * 365) / 250) - 7;
  return `period1=${fromDay * 86_400}&period2=${(toDay + 1) * 86_400}&interval=1d&events=div%7Csplit&includeAdjustedClose=true`;
}

/** Symbols with splits (2:1, 3:1, 1:10), IPOs, ETFs, dividends, sub-dollar prices, and a spread of the directory. */
const SPECIAL = ["AGNCM", "APOG", "ARTL", "AUPH", "AACG", "AZIO", "AAPD", "ADMA", "AAAP", "AACI", "AERTW"];
const SPREAD = [
  "ATRC",
  "CHDN",
  "EKG",
  "GLCR",
  "IREG",
  "MFIG",
  "OPRT",
  "RDTL",
  "STRR",
  "VNQI",
  "AIYY",
  "BH.A",
  "CLIX",
  "DMAY",
  "FC",
  "GLED.U",
  "IGCB",
  "KOMP",
  "MS$K",
  "ORCL",
  "QQJL",
  "SHPP",
  "TGLS",
  "VIPS",
  "ZTS",
  "AAPL",
];

const y = (s: string) => encodeURIComponent(toProviderSymbol(s, "yahoo"));
const f = (s: string) => encodeURIComponent(toProviderSymbol(s, "fmp"));
const p = (s: string) => encodeURIComponent(toProviderSymbol(s, "polygon"));
const a = (s: string) => encodeURIComponent(toProviderSymbol(s, "alphavantage"));

type Step = { path: string } | { configure: SimulatorConfigPatch };

/** Paths below the simulator's root, each asked twice in a row. */
function requestPaths(): string[] {
  const paths: string[] = [];
  for (const s of [...SPECIAL, ...SPREAD])
    paths.push(`/yahoo/v8/finance/chart/${y(s)}?${pipelineQuery(460)}`);
  for (const range of ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"])
    paths.push(`/yahoo/v8/finance/chart/AAPL?interval=1d&range=${range}&events=div%7Csplit`);
  for (const s of SPECIAL.slice(0, 6)) paths.push(`/yahoo/v8/finance/chart/${y(s)}?range=2y&interval=1d`);
  paths.push(
    `/yahoo/v8/finance/chart/${y("AACI")}?range=5y&events=div`,
    `/yahoo/v8/finance/chart/${y("AGNCM")}?range=5y&events=split`,
    `/yahoo/v8/finance/chart/${y("AACI")}?range=1y&includeAdjustedClose=false`,
    `/yahoo/v8/finance/chart/AAPL?period1=1700000000`,
    `/yahoo/v8/finance/chart/AAPL?period2=1500000000`,
    `/yahoo/v8/finance/chart/AAPL?period1=1750000000&period2=1740000000`,
    `/yahoo/v8/finance/chart/AAPL?range=7y`,
    `/yahoo/v8/finance/chart/AAPL?range=1y&interval=1wk`,
    `/yahoo/v8/finance/chart/aapl?range=1mo`,
    `/yahoo/v8/finance/chart/ZZZZZZ?range=1mo`,
    `/yahoo/v7/finance/quote?symbols=AAPL`,
  );
  for (const s of ["AAPL", "AGNCM", "AACI", "AERTW", "BH.A"]) {
    paths.push(
      `/fmp/stable/historical-price-eod/full?symbol=${f(s)}&from=2025-01-01&to=2026-08-14&apikey=${KEY}`,
    );
    paths.push(
      `/fmp/stable/historical-price-eod/dividend-adjusted?symbol=${f(s)}&from=2025-06-01&apikey=${KEY}`,
    );
  }
  paths.push(
    `/fmp/stable/historical-price-eod/full?symbol=ORCL&apikey=${KEY}`,
    `/fmp/api/v3/historical-price-full/AAPL?timeseries=30&apikey=${KEY}`,
    `/fmp/api/v3/historical-price-full/AACI?from=2026-01-01&apikey=${KEY}`,
    `/fmp/api/v3/historical-price-full/ZZZZZZ?apikey=${KEY}`,
    `/fmp/stable/historical-price-eod/full?symbol=ZZZZZZ&apikey=${KEY}`,
    `/fmp/stable/historical-price-eod/full?symbol=AAPL`,
    `/fmp/stable/historical-price-eod/full?symbol=AAPL&from=2025-02-30&apikey=${KEY}`,
  );
  for (const s of ["AAPL", "AGNCM", "AACG", "AERTW", "BH.A"])
    paths.push(`/polygon/v2/aggs/ticker/${p(s)}/range/1/day/2025-01-01/2026-08-14?apiKey=${KEY}`);
  const cursor = Buffer.from("limit=50&sort=asc").toString("base64url");
  paths.push(
    `/polygon/v2/aggs/ticker/AAPL/range/1/day/2024-01-01/2026-08-14?apiKey=${KEY}&sort=desc&limit=120`,
    `/polygon/v2/aggs/ticker/AGNCM/range/1/day/2024-01-01/2026-08-14?apiKey=${KEY}&adjusted=false`,
    `/polygon/v2/aggs/ticker/AAPL/range/1/day/2026-01-01/2026-08-14?apiKey=${KEY}&limit=50`,
    `/polygon/v2/aggs/ticker/AAPL/range/1/day/1767571200000/2026-08-14?apiKey=${KEY}&cursor=${cursor}`,
    `/polygon/v2/aggs/ticker/ZZZZZZ/range/1/day/2026-01-01/2026-08-14?apiKey=${KEY}`,
    `/polygon/v2/aggs/ticker/AAPL/range/1/day/2030-01-01/2030-08-14?apiKey=${KEY}`,
    `/polygon/v2/aggs/ticker/AAPL/range/1/week/2026-01-01/2026-08-14?apiKey=${KEY}`,
    `/polygon/v2/aggs/ticker/AAPL/range/1/day/2026-01-01/2026-08-14`,
    `/polygon/v2/aggs/grouped/locale/us/market/stocks/2026-08-13?apiKey=${KEY}`,
  );
  for (const s of ["AAPL", "AGNCM", "AACI"]) {
    for (const fn of ["TIME_SERIES_DAILY", "TIME_SERIES_DAILY_ADJUSTED"]) {
      paths.push(`/alphavantage/query?function=${fn}&symbol=${a(s)}&apikey=${KEY}`);
      paths.push(`/alphavantage/query?function=${fn}&symbol=${a(s)}&outputsize=full&apikey=${KEY}`);
      paths.push(`/alphavantage/query?function=${fn}&symbol=${a(s)}&datatype=csv&apikey=${KEY}`);
    }
  }
  paths.push(
    `/alphavantage/query?function=TIME_SERIES_DAILY&symbol=ZZZZZZ&apikey=${KEY}`,
    `/alphavantage/query?function=TIME_SERIES_WEEKLY&symbol=AAPL&apikey=${KEY}`,
    `/alphavantage/query?function=TIME_SERIES_DAILY&symbol=AAPL`,
  );
  return paths;
}

/** The whole sequence: every path twice, then faults that draw from the fault stream or consume request ids. */
function steps(): Step[] {
  const out: Step[] = [];
  for (const path of requestPaths()) out.push({ path }, { path });
  const pipeline = (s: string) => ({ path: `/yahoo/v8/finance/chart/${y(s)}?${pipelineQuery(460)}` });
  const aggs = (s: string) => ({
    path: `/polygon/v2/aggs/ticker/${p(s)}/range/1/day/2025-01-01/2026-08-14?apiKey=${KEY}`,
  });
  const fmpFull = (s: string) => ({
    path: `/fmp/stable/historical-price-eod/full?symbol=${f(s)}&from=2025-01-01&to=2026-08-14&apikey=${KEY}`,
  });
  out.push(
    { configure: { yahoo: { faults: { nulls: 1 } } } },
    pipeline("AAPL"),
    pipeline("AAPL"),
    pipeline("AACI"),
    pipeline("AGNCM"),
    { configure: { yahoo: { faults: { nulls: 0, truncated: 1 } } } },
    pipeline("AAPL"),
    pipeline("ORCL"),
    { configure: { yahoo: { faults: { truncated: 0, nulls: 0.5 } } } },
    pipeline("AAPL"),
    pipeline("AAPL"),
    pipeline("ZTS"),
    {
      configure: { yahoo: { faults: { nulls: 0 } }, polygon: { faults: { timeout: 1 } }, timeoutHoldMs: 20 },
    },
    aggs("AAPL"),
    aggs("AAPL"),
    { configure: { polygon: { faults: { timeout: 0, truncated: 1 } } } },
    aggs("AAPL"),
    { configure: { polygon: { faults: { truncated: 0, status5xx: 0.5 } } } },
    aggs("AAPL"),
    aggs("AAPL"),
    aggs("AGNCM"),
    aggs("AAPL"),
    { configure: { polygon: { faults: { status5xx: 0 } }, fmp: { faults: { status5xx: 1 } } } },
    fmpFull("AAPL"),
    fmpFull("AAPL"),
    fmpFull("AAPL"),
    { configure: { fmp: { faults: { status5xx: 0 } }, yahoo: { faultSymbols: { AAPL: "reset" } } } },
    pipeline("AAPL"),
    pipeline("ORCL"),
    { configure: { yahoo: { faultSymbols: {} } } },
    pipeline("AAPL"),
    aggs("AAPL"),
  );
  return out;
}

const IGNORED_HEADERS = new Set(["date", "connection", "keep-alive"]);

/** Digests of each answer (status, headers, body bytes), then one of the request log, in order. */
async function runSequence(
  options: SimulatorOptions,
  before?: (sim: Simulator) => Promise<void>,
): Promise<string[]> {
  const sim = await startMarketSimulator({ asOf: AS_OF, seed: 42, ...options });
  const digests: string[] = [];
  try {
    if (before) await before(sim);
    for (const step of steps()) {
      if ("configure" in step) {
        sim.configure(step.configure);
        continue;
      }
      const hash = createHash("sha256");
      try {
        const res = await request(`${sim.url}${step.path}`, {
          dispatcher: agent,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        // Polygon's next_url names the server's own (random) port: hashed as a placeholder.
        const body = Buffer.from(await res.body.arrayBuffer()).toString("latin1");
        const urls = body.split(sim.url).length - 1;
        hash.update(`${res.statusCode}\n`);
        for (const name of Object.keys(res.headers).sort()) {
          if (IGNORED_HEADERS.has(name)) continue;
          const value =
            name === "content-length"
              ? Number(res.headers[name]) - urls * (sim.url.length - "SIMURL".length)
              : res.headers[name];
          hash.update(`${name}: ${String(value)}\n`);
        }
        hash.update(body.replaceAll(sim.url, "SIMURL"), "latin1");
      } catch {
        hash.update("error");
      }
      digests.push(hash.digest("hex").slice(0, 12));
    }
    const log = sim
      .requests()
      .map((r) => [r.provider, r.keyId, r.method, r.path, r.symbol, r.status, r.outcome].join(" "));
    digests.push(createHash("sha256").update(log.join("\n")).digest("hex").slice(0, 12));
  } finally {
    await sim.close();
  }
  return digests;
}

// What the simulator answered before its body cache and byte renderer (recorded from commit dc6db0e).
const DIGESTS = `
  339e81218837 339e81218837 5f7ecdb35b77 5f7ecdb35b77 01e8247553b2 01e8247553b2 d1b1b0645016 d1b1b0645016
  e92d44ffb3a1 e92d44ffb3a1 e51d95f815e8 e51d95f815e8 437820e30ae6 437820e30ae6 c1112bfc2c62 c1112bfc2c62
  6209a98b3487 6209a98b3487 bf52933fad3c bf52933fad3c 9ad37868ac09 9ad37868ac09 9ab13031cd3c 9ab13031cd3c
  36ded396dfcd 36ded396dfcd 933404fc856c 933404fc856c 037393096a00 037393096a00 b400ddac5563 b400ddac5563
  c905c5ce0376 c905c5ce0376 16aa41f7568f 16aa41f7568f aa408af0cb82 aa408af0cb82 37c49a9185e7 37c49a9185e7
  9aae78d7fca4 9aae78d7fca4 ae8581824734 ae8581824734 a8195bfad436 a8195bfad436 d74e3e63eb6d d74e3e63eb6d
  0a8220416fed 0a8220416fed 96a17afc18fb 96a17afc18fb 29eae51d6a21 29eae51d6a21 d0aeacf6a66f d0aeacf6a66f
  af880121718d af880121718d 37a19dfae277 37a19dfae277 7618bf9986b3 7618bf9986b3 f70de95a9983 f70de95a9983
  38126db7b3d5 38126db7b3d5 df7933ded5e2 df7933ded5e2 0d94dc26ec25 0d94dc26ec25 85f7430ca436 85f7430ca436
  a338cb24215f a338cb24215f 085b976ae2e6 085b976ae2e6 7dca973a12f6 7dca973a12f6 caac3c188c1a caac3c188c1a
  4b41358d7e67 4b41358d7e67 c46dd6c43953 c46dd6c43953 e224540832ec e224540832ec efa05d725ea0 efa05d725ea0
  3c8882dd9b6c 3c8882dd9b6c 4fc661ea6a7b 4fc661ea6a7b fc5e1557690a fc5e1557690a 01c0650df61f 01c0650df61f
  30ce427477f4 30ce427477f4 4fcce43b01e6 4fcce43b01e6 2be09cd8d0e7 2be09cd8d0e7 b3c5daa0c312 b3c5daa0c312
  4583f322f5e2 4583f322f5e2 a6094d785fcc a6094d785fcc 695993e8c4cb 695993e8c4cb b3125ac44eb7 b3125ac44eb7
  ef421b6e7cfd ef421b6e7cfd 66586febb9fe 66586febb9fe 1985463b3c4d 1985463b3c4d c857e1ded4f5 c857e1ded4f5
  cf47766f1096 cf47766f1096 d8c03a7e8218 d8c03a7e8218 062abe5ddff1 062abe5ddff1 27370798757e 27370798757e
  27370798757e 27370798757e f18ad50551c7 f18ad50551c7 c5e1d078bee4 c5e1d078bee4 55762eef6c55 55762eef6c55
  57042dbed677 57042dbed677 f5e7de0ff37f f5e7de0ff37f 868b25a483e4 868b25a483e4 59fb4b894272 59fb4b894272
  24e7a0dc503b 24e7a0dc503b b1dcd505c522 b1dcd505c522 9490a302ebc1 9490a302ebc1 76eee6ddef7b 76eee6ddef7b
  e5b9505f8c47 e5b9505f8c47 81bc250885d3 81bc250885d3 477a4b5aea57 477a4b5aea57 7b86e5ec972c 7b86e5ec972c
  4b210a9b8629 4b210a9b8629 1108571cc6c9 1108571cc6c9 303f0396ad47 bc86061f37b4 a3b77f64e7b7 4cd3ea3718e7
  6ecf672855a8 438caf0c6cfc b50ce8229660 b6b5813f1077 e69a08dfe519 caaed8c119bd 87a8fab72130 3a2404bf9d92
  de0f0aa3cbbc 800fca358854 85a16bdedfd8 0a5484930018 d581f9a43457 45cadc30c3e9 bd1c58a5584b 1e9f8e64b429
  e50ca0ccc244 fca75fd85daa 4b87af6cec6a 6bb2d992f581 8db97ffe685d 852ae45fec56 c06bfc4a33c4 b4516f8b4121
  7cd408bff2b6 7cd408bff2b6 21aba94bd541 21aba94bd541 e6dc983f0e52 e6dc983f0e52 8c93755e7fb3 8c93755e7fb3
  cec9960196be cec9960196be 74d81755d4c1 74d81755d4c1 f682af380880 f682af380880 2f00ed953da6 2f00ed953da6
  8bc7d177f2fe 8bc7d177f2fe d65ae7ffc09a d65ae7ffc09a 88a783e5801a 88a783e5801a 0c4c4a8a8d6e 0c4c4a8a8d6e
  bc65b814a0e0 bc65b814a0e0 223338d86357 223338d86357 f305f6392263 f305f6392263 8d50fb59d708 8d50fb59d708
  627e188fc6cf 627e188fc6cf b88140086d97 b88140086d97 80a4f2f86b63 80a4f2f86b63 cd294248561b cd294248561b
  c2ef4a59136a c2ef4a59136a 8f4a0de10f3f 18f1fbc2dfed 29c21448cfbe e9de50bd54c1 86c3a9461a0f 7d8ed65fd1f9
  a338cb24215f a338cb24215f df119fbc6798 ca00fccfb408 ca00fccfb408 68047cf48e5a 997deb484b21 95784d48f8ad
  c3303d439e3e c49f5c1f5fb3 bcd4db561c27 fd7925397a5b fd7925397a5b ca00fccfb408 7618bf9986b3 a338cb24215f
  02d9427a826d 07fb439c8caa
`
  .split(/\s+/)
  .filter(Boolean);

describe("answers are byte for byte what they were", () => {
  it("with the body cache (the second of each pair served from it)", async () => {
    let served: Simulator | undefined;
    const digests = await runSequence({}, async (sim) => {
      served = sim;
    });
    if (process.env.SIM_PRINT_DIGESTS) console.log(`DIGESTS\n${digests.join(" ")}\nEND`);
    expect(digests).toEqual(DIGESTS);
    expect(served!.renderCacheStats().hits).toBeGreaterThan(60);
  }, 120_000);

  it("without it (every answer rendered afresh)", async () => {
    expect(await runSequence({ renderCacheBytes: 0 })).toEqual(DIGESTS);
  }, 120_000);

  it("with every answer prerendered first (no request id, fault draw or log entry spent on it)", async () => {
    let stats: ReturnType<Simulator["renderCacheStats"]> | undefined;
    const digests = await runSequence({}, async (sim) => {
      const byProvider = new Map<string, string[]>();
      for (const path of requestPaths()) {
        const [, provider, ...rest] = path.split("/");
        byProvider.set(provider!, [...(byProvider.get(provider!) ?? []), `/${rest.join("/")}`]);
      }
      for (const [provider, paths] of byProvider) {
        const result = await sim.prerender({ provider: provider as "yahoo", paths });
        expect(result.rendered).toBeGreaterThan(0);
      }
      expect(sim.requests()).toHaveLength(0);
      stats = sim.renderCacheStats();
    });
    expect(digests).toEqual(DIGESTS);
    expect(stats!.entries).toBeGreaterThan(60);
  }, 120_000);
});

describe("ByteWriter", () => {
  it("spells integers as String does and grows as needed", () => {
    const w = new ByteWriter();
    const values = [0, -0, 7, 10, 99, 100, 123456789, 2 ** 53 - 1, 2 ** 53, 1e21, -5, 1.5, Number.NaN];
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))));
    const expected = values.map((v) => String(v)).join(",");
    for (const [i, v] of values.entries()) {
      if (i) w.byte(44);
      w.int(v);
    }
    w.utf8("|Société Générale");
    w.latin1("|end");
    expect(w.take().toString("utf8")).toBe(`${expected}|Société Générale|end`);
    expect(w.take()).toHaveLength(0);
  });
});

describe("the body cache", () => {
  const AAPL = `/v8/finance/chart/AAPL?${pipelineQuery(460)}`;
  const AAPL_PREFIX = `/yahoo${AAPL}`;
  let sim: Simulator;

  async function get(path: string): Promise<{ status: number; text: string; ms: number } | "error"> {
    const t0 = performance.now();
    try {
      const res = await request(`${sim.url}${path}`, { dispatcher: agent, headersTimeout: 10_000 });
      return { status: res.statusCode, text: await res.body.text(), ms: performance.now() - t0 };
    } catch {
      return "error";
    }
  }

  async function fresh(options: SimulatorOptions = {}): Promise<Simulator> {
    await sim?.close();
    sim = await startMarketSimulator({ asOf: AS_OF, seed: 42, ...options });
    return sim;
  }

  afterAll(async () => {
    await sim?.close();
  });

  it("serves a prerendered answer without logging or limiting the prerender", async () => {
    await fresh();
    sim.configure({ yahoo: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    const result = await sim.prerender({
      provider: "yahoo",
      path: AAPL.replace("AAPL", "{symbol}"),
      symbols: ["AAPL", "MSFT"],
    });
    expect(result).toMatchObject({ requests: 2, rendered: 2, alreadyCached: 0, notCacheable: 0 });
    expect(result.cache.entries).toBe(2);
    expect(sim.requests()).toHaveLength(0);
    const first = await get(AAPL_PREFIX);
    expect(first).toMatchObject({ status: 200 });
    expect(sim.renderCacheStats()).toMatchObject({ hits: 1, misses: 0 });
    // The prerender took no slot of the limit: this was the one request allowed.
    expect(await get(`/yahoo/v8/finance/chart/MSFT?${pipelineQuery(460)}`)).toMatchObject({ status: 429 });
    expect((await sim.prerender({ provider: "yahoo", paths: [AAPL] })).alreadyCached).toBe(1);
  });

  it("still applies the rate limit and logs every request", async () => {
    await fresh();
    await sim.prerender({ provider: "yahoo", paths: [AAPL] });
    const cached = await get(AAPL_PREFIX);
    sim.configure({ yahoo: { rateLimit: { limit: 3, windowMs: 60_000 } } });
    await sim.prerender({ provider: "yahoo", paths: [AAPL] });
    const replies: Awaited<ReturnType<typeof get>>[] = [];
    for (let i = 0; i < 5; i++) replies.push(await get(AAPL_PREFIX));
    expect(replies.map((r) => (r === "error" ? r : r.status))).toEqual([200, 200, 200, 429, 429]);
    for (const r of replies.slice(0, 3)) expect(r).toEqual({ ...(cached as object), ms: expect.any(Number) });
    expect(sim.requests().map((r) => r.outcome)).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "rate-limited",
      "rate-limited",
    ]);
    expect(sim.renderCacheStats().hits).toBe(4);
  });

  it("still waits out the latency", async () => {
    await fresh({ config: { yahoo: { latency: { kind: "fixed", ms: 150 } } } });
    await sim.prerender({ provider: "yahoo", paths: [AAPL] });
    const reply = await get(AAPL_PREFIX);
    expect(reply).toMatchObject({ status: 200 });
    expect((reply as { ms: number }).ms).toBeGreaterThanOrEqual(140);
    expect(sim.renderCacheStats().hits).toBe(1);
  });

  it("still injects faults into cached answers", async () => {
    await fresh();
    await sim.prerender({ provider: "yahoo", paths: [AAPL] });
    const whole = (await get(AAPL_PREFIX)) as { text: string };
    sim.configure({ yahoo: { faultSymbols: { AAPL: "truncated" } } });
    await sim.prerender({ provider: "yahoo", paths: [AAPL] });
    const truncated = (await get(AAPL_PREFIX)) as { status: number; text: string };
    expect(truncated.status).toBe(200);
    expect(truncated.text).toBe(whole.text.slice(0, Math.floor(whole.text.length / 2)));
    sim.configure({ yahoo: { faultSymbols: { AAPL: "reset" } } });
    expect(await get(AAPL_PREFIX)).toBe("error");
    sim.configure({ yahoo: { faultSymbols: { AAPL: "status5xx" } } });
    expect([502, 503]).toContain(((await get(AAPL_PREFIX)) as { status: number }).status);
    sim.configure({ yahoo: { faultSymbols: { AAPL: "nulls" } } });
    await sim.prerender({ provider: "yahoo", paths: [AAPL] });
    const nulls = (await get(AAPL_PREFIX)) as { text: string };
    expect(nulls.text).toContain("null");
    expect(JSON.parse(nulls.text).chart.result[0].indicators.quote[0].close).toContain(null);
    // Served from the cache: the whole and the truncated answer; rendered: the reset one (after a config change).
    expect(sim.renderCacheStats()).toMatchObject({ hits: 2, misses: 1 });
    expect(sim.requests().map((r) => r.outcome)).toEqual([
      "ok",
      "fault:truncated",
      "fault:reset",
      "fault:status5xx",
      "fault:nulls",
    ]);
  });

  it("is emptied by a config change", async () => {
    await fresh();
    await sim.prerender({ provider: "yahoo", paths: [AAPL] });
    expect(sim.renderCacheStats().entries).toBe(1);
    sim.configure({ yahoo: { latency: { kind: "fixed", ms: 0 } } });
    expect(sim.renderCacheStats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it("keeps to its byte bound, dropping the least recently used", async () => {
    await fresh({ renderCacheBytes: 120_000 });
    const symbols = ["AAPL", "MSFT", "ORCL", "ZTS"];
    const result = await sim.prerender({
      provider: "yahoo",
      path: AAPL.replace("AAPL", "{symbol}"),
      symbols,
    });
    expect(result.rendered).toBe(4);
    expect(result.renderedBytes).toBeGreaterThan(120_000);
    expect(result.cache.bytes).toBeLessThanOrEqual(120_000);
    expect(result.cache.entries).toBe(2);
    const again = await sim.prerender({ provider: "yahoo", path: AAPL.replace("AAPL", "{symbol}"), symbols });
    expect(again.alreadyCached).toBe(0);
  });

  it("prerenders for every provider and counts what it cannot keep", async () => {
    await fresh();
    const polygon = await sim.prerender({
      provider: "polygon",
      path: "/v2/aggs/ticker/{symbol}/range/1/day/2025-01-01/2026-08-14",
      symbols: ["AAPL", "BRK.B", "ZZZZZZ", "not a symbol"],
    });
    expect(polygon).toMatchObject({ requests: 4, rendered: 2, notCacheable: 2 });
    const fmp = await sim.prerender({
      provider: "fmp",
      paths: ["/stable/historical-price-eod/full?symbol=AAPL", "/api/v3/historical-price-full/%E0"],
    });
    expect(fmp).toMatchObject({ rendered: 1, notCacheable: 1 });
    const av = await sim.prerender({
      provider: "alphavantage",
      path: "/query?function=TIME_SERIES_DAILY&symbol={symbol}",
      symbols: ["AAPL"],
    });
    expect(av).toMatchObject({ rendered: 1 });
    expect(sim.requests()).toHaveLength(0);
  });

  it("rejects a malformed prerender request, in code and over HTTP", async () => {
    await fresh();
    await expect(sim.prerender({ provider: "yahoo" })).rejects.toThrow(ValidationError);
    await expect(sim.prerender({ provider: "nope" as "yahoo", paths: ["/x"] })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      sim.prerender({ provider: "yahoo", path: "/v8/finance/chart/AAPL", symbols: [] }),
    ).rejects.toThrow(/\{symbol\}/);
    const bad = await request(`${sim.url}/_sim/prerender`, {
      dispatcher: agent,
      method: "POST",
      body: JSON.stringify({ provider: "yahoo", paths: "x" }),
    });
    expect(bad.statusCode).toBe(400);
    expect(((await bad.body.json()) as { problems: string[] }).problems.length).toBeGreaterThan(0);
    const ok = await request(`${sim.url}/_sim/prerender`, {
      dispatcher: agent,
      method: "POST",
      body: JSON.stringify({ provider: "yahoo", paths: [AAPL] }),
    });
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.json()).toMatchObject({ rendered: 1 });
    const stats = await request(`${sim.url}/_sim/render-cache`, { dispatcher: agent });
    expect(await stats.body.json()).toMatchObject({ entries: 1, hits: 0, misses: 0 });
  });
});

describe("the simulator process", () => {
  it("prerenders on request and serves from its cache", async () => {
    const proc = await startSimulatorProcess({ asOf: AS_OF, seed: 42 });
    try {
      const result = await proc.prerender({
        provider: "yahoo",
        path: `/v8/finance/chart/{symbol}?${pipelineQuery(460)}`,
        symbols: ["AAPL", "BRK.B"],
      });
      expect(result).toMatchObject({ requests: 2, rendered: 2 });
      const res = await request(`${proc.urls.yahoo}/v8/finance/chart/BRK-B?${pipelineQuery(460)}`, {
        dispatcher: agent,
      });
      expect(res.statusCode).toBe(200);
      await res.body.arrayBuffer();
      expect(await proc.renderCacheStats()).toMatchObject({ entries: 2, hits: 1, misses: 0 });
      expect(await proc.requests()).toHaveLength(1);
      await expect(proc.prerender({ provider: "yahoo" })).rejects.toThrow(/paths/);
    } finally {
      await proc.close();
    }
  }, 60_000);

  it("fails to start with the config's problems, as the error they are", async () => {
    const started = startSimulatorProcess({ config: { yahoo: { rateLimit: { limit: 0, windowMs: 1000 } } } });
    await expect(started).rejects.toBeInstanceOf(ValidationError);
    await expect(started).rejects.toThrow(/yahoo\.rateLimit\.limit: .*>=1/);
  }, 60_000);
});
