/**
 * The SST secrets the functions read through `Resource.<Name>.value`. Values are
 * set per stage with `npx sst secret set <Name> <value> --stage <stage>`; they
 * live encrypted in the stage's state and reach only the functions that link
 * them (the topology links provider keys to the fetcher alone, Upstash to the fetcher and scorer,
 * the alert channels' URLs and tokens to notify alone).
 */
import { ALERT_SECRETS, type AlertSecretName, type ResourceName } from "../topology/index.ts";

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

/** Optional alert channels (Slack, Discord, Telegram, a signed webhook); an unset one is not sent to. */
export const ALERT_SECRET_NAMES = Object.keys(ALERT_SECRETS) as AlertSecretName[];

/** What an unset optional secret holds; the functions treat it as "not configured". */
export const UNSET_SECRET = "unset";

export type SecretName =
  | (typeof REQUIRED_SECRETS)[number]
  | (typeof OPTIONAL_SECRETS)[number]
  | AlertSecretName;

function declareSecrets(): Record<SecretName, sst.Secret> {
  const secrets = {} as Record<SecretName, sst.Secret>;
  for (const name of REQUIRED_SECRETS) secrets[name] = new sst.Secret(name);
  for (const name of OPTIONAL_SECRETS) secrets[name] = new sst.Secret(name, UNSET_SECRET);
  for (const name of ALERT_SECRET_NAMES) secrets[name] = new sst.Secret(name, UNSET_SECRET);
  return secrets;
}

export const secrets = declareSecrets();
