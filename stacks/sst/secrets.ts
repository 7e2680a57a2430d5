/**
 * The SST secrets the fetcher reads through `Resource.<Name>.value`. Values are
 * set per stage with `npx sst secret set <Name> <value> --stage <stage>`; they
 * live encrypted in the stage's state and reach only the functions that link
 * them (the topology links provider keys to the fetcher alone, Upstash to the fetcher and scorer).
 */
import type { ResourceName } from "../topology/index.ts";

/** Required: `sst deploy` stops with "Set a value for UpstashRedisRestUrl …" until they are set. */
export const REQUIRED_SECRETS = [
  "UpstashRedisRestUrl",
  "UpstashRedisRestToken",
] as const satisfies readonly ResourceName[];

/** Optional provider keys; a stage that does not use the provider keeps the placeholder. */
export const OPTIONAL_SECRETS = [
  "FmpApiKey",
  "PolygonApiKey",
  "AlphaVantageApiKey",
  "AlpacaApiKeyId",
  "AlpacaApiSecretKey",
] as const satisfies readonly ResourceName[];

/** What an unset provider key holds; the fetcher treats it as "not configured". */
export const UNSET_SECRET = "unset";

export type SecretName = (typeof REQUIRED_SECRETS)[number] | (typeof OPTIONAL_SECRETS)[number];

function declareSecrets(): Record<SecretName, sst.Secret> {
  const secrets = {} as Record<SecretName, sst.Secret>;
  for (const name of REQUIRED_SECRETS) secrets[name] = new sst.Secret(name);
  for (const name of OPTIONAL_SECRETS) secrets[name] = new sst.Secret(name, UNSET_SECRET);
  return secrets;
}

export const secrets = declareSecrets();
