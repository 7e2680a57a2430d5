import { describe, expect, it } from "vitest";
import { parseRetryAfter, redact } from "../../packages/adapters/providers/classify.ts";
import { createProvider, providerConfigFromEnv } from "../../packages/adapters/providers/index.ts";
import { PROVIDER_SECRETS } from "../../packages/adapters/providers/registry.ts";
import { ConfigError } from "../../packages/core/errors.ts";
import { PROVIDERS } from "../../packages/core/market-data.port.ts";
import { topology } from "../../stacks/topology/index.ts";

describe("providerConfigFromEnv", () => {
  it("defaults to the real hosts", () => {
    const env = {
      FMP_API_KEY: "k1",
      POLYGON_API_KEY: "k2",
      ALPHAVANTAGE_API_KEY: "k3",
      APCA_API_KEY_ID: "k4",
      APCA_API_SECRET_KEY: "s4",
    };
    expect(PROVIDERS.map((p) => providerConfigFromEnv(p, env))).toStrictEqual([
      { baseUrl: "https://query1.finance.yahoo.com" },
      { baseUrl: "https://financialmodelingprep.com", apiKey: "k1" },
      { baseUrl: "https://api.polygon.io", apiKey: "k2" },
      { baseUrl: "https://www.alphavantage.co", apiKey: "k3" },
      { baseUrl: "https://data.alpaca.markets", apiKey: "k4", apiSecret: "s4" },
    ]);
  });

  it("takes base URLs from TICKERFLEET_<PROVIDER>_URL", () => {
    expect(
      providerConfigFromEnv("yahoo", { TICKERFLEET_YAHOO_URL: "http://127.0.0.1:9/yahoo" }),
    ).toStrictEqual({
      baseUrl: "http://127.0.0.1:9/yahoo",
    });
    expect(
      providerConfigFromEnv("alphavantage", {
        TICKERFLEET_ALPHAVANTAGE_URL: " http://sim/av ",
        ALPHAVANTAGE_API_KEY: "x",
      }),
    ).toStrictEqual({ baseUrl: "http://sim/av", apiKey: "x" });
  });

  it.each([
    ["fmp", "FMP_API_KEY"],
    ["polygon", "POLYGON_API_KEY"],
    ["alphavantage", "ALPHAVANTAGE_API_KEY"],
  ] as const)("a missing %s key is a ConfigError naming %s", (provider, variable) => {
    for (const env of [{}, { [variable]: "   " }]) {
      expect(() => providerConfigFromEnv(provider, env)).toThrow(ConfigError);
      expect(() => providerConfigFromEnv(provider, env)).toThrow(new RegExp(`set ${variable}$`));
    }
  });

  it("Alpaca needs both of its keys: a missing one is a ConfigError naming it, both missing name both", () => {
    expect(() => providerConfigFromEnv("alpaca", { APCA_API_KEY_ID: "id" })).toThrow(
      /^alpaca needs an API key: set APCA_API_SECRET_KEY$/,
    );
    expect(() => providerConfigFromEnv("alpaca", { APCA_API_SECRET_KEY: "secret" })).toThrow(
      /^alpaca needs an API key: set APCA_API_KEY_ID$/,
    );
    expect(() => providerConfigFromEnv("alpaca", {})).toThrow(
      /^alpaca needs its API keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY$/,
    );
  });

  it("takes Alpaca's feed from TICKERFLEET_ALPACA_FEED (sip or iex), naming a bad one", () => {
    const keys = { APCA_API_KEY_ID: "id", APCA_API_SECRET_KEY: "secret" };
    expect(providerConfigFromEnv("alpaca", { ...keys, TICKERFLEET_ALPACA_FEED: " iex " })).toStrictEqual({
      baseUrl: "https://data.alpaca.markets",
      feed: "iex",
      apiKey: "id",
      apiSecret: "secret",
    });
    expect(() => providerConfigFromEnv("alpaca", { ...keys, TICKERFLEET_ALPACA_FEED: "otc" })).toThrow(
      new ConfigError('TICKERFLEET_ALPACA_FEED="otc" must be one of sip, iex'),
    );
  });
});

describe("the provider table", () => {
  it("reads keys from the secrets the fetcher links, and from nothing else", () => {
    expect(PROVIDER_SECRETS).toStrictEqual([
      "FmpApiKey",
      "PolygonApiKey",
      "AlphaVantageApiKey",
      "AlpacaApiKeyId",
      "AlpacaApiSecretKey",
    ]);
    expect(topology.functions.fetcher.links).toStrictEqual(expect.arrayContaining([...PROVIDER_SECRETS]));
  });
});

describe("createProvider config checks", () => {
  it.each([
    ["yahoo", { baseUrl: "not a url" }, /not a URL/],
    ["yahoo", { baseUrl: "ftp://example.com" }, /must be http\(s\)/],
    ["yahoo", { baseUrl: "https://example.com/?x=1" }, /without query/],
    ["yahoo", { baseUrl: "https://user:pw@example.com" }, /credentials/],
    ["fmp", { baseUrl: "https://example.com" }, /fmp needs an API key/],
    ["alpaca", { baseUrl: "https://example.com", apiKey: "id" }, /alpaca needs an API key \(apiSecret/],
    [
      "alpaca",
      { baseUrl: "https://example.com", apiKey: "id", apiSecret: "s", feed: "otc" },
      /feed must be one of sip, iex/,
    ],
    ["yahoo", { baseUrl: "https://example.com", timeoutMs: 0 }, /timeoutMs must be a positive/],
    ["yahoo", { baseUrl: "https://example.com", connections: 1.5 }, /connections must be a positive integer/],
  ] as const)("%s %j → ConfigError", (provider, config, why) => {
    expect(() => createProvider(provider, config)).toThrow(ConfigError);
    expect(() => createProvider(provider, config)).toThrow(why);
  });

  it("never puts the key in a config error", () => {
    try {
      createProvider("fmp", { baseUrl: "gopher://x", apiKey: "TOPSECRET123" });
    } catch (error) {
      expect(String(error)).not.toContain("TOPSECRET123");
      return;
    }
    throw new Error("expected a ConfigError");
  });

  it("never puts Alpaca's keys in a config error", () => {
    let thrown: unknown;
    try {
      createProvider("alpaca", {
        baseUrl: "gopher://x",
        apiKey: "KEYID-TOPSECRET",
        apiSecret: "SECRET-TOPSECRET",
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(String(thrown)).not.toMatch(/TOPSECRET/);
  });
});

describe("Retry-After and redaction", () => {
  const now = Date.UTC(2024, 0, 2, 12, 0, 0);
  it.each([
    ["30", 30_000],
    ["0", 0],
    ["1.5", 1_500],
    ["Tue, 02 Jan 2024 12:01:30 GMT", 90_000],
    ["Tue, 02 Jan 2024 11:00:00 GMT", 0],
    ["soon", undefined],
    ["-5", undefined],
    ["", undefined],
  ])("Retry-After %j → %s ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it("redacts a key and its URL-encoded form", () => {
    expect(redact("GET /q?apikey=ab+c/d&x=ab%2Bc%2Fd", ["ab+c/d"])).toBe("GET /q?apikey=***&x=***");
  });
});
