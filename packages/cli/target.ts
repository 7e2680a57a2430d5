import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoBarsStore } from "../adapters/dynamo/bars-store.ts";
import { DynamoScanReader } from "../adapters/dynamo/scan-reader.ts";
import { CliError } from "./errors.ts";
import { LOCAL_ENV_FILE, readLocalEnv } from "./local-env.ts";

/**
 * Where a command reads and starts scans: the local stack (`--local`: the
 * endpoints a running `tickerfleet local up` wrote to .tickerfleet/local.env)
 * or a deployed stage (`--stage <name>`: AWS credentials from the usual chain,
 * names from the stage's SST outputs). Both go through the same clients: the
 * Lambda Invoke API to start a scan, DynamoDB to read it.
 */
export interface Target {
  kind: "local" | "stage";
  label: string;
  lambda: LambdaClient;
  scanStartFunction: string;
  /** Reads scans and results (the CLI writes nothing to DynamoDB). */
  store: DynamoScanReader;
  /** Reads the bars store (raw bars and corporate actions kept between scans). */
  bars: DynamoBarsStore;
  /** The local stack's endpoints, when local. */
  localEnv?: Record<string, string>;
  close(): void;
}

/** The names a target reads and invokes. */
export interface TargetNames {
  scanStartFunction: string;
  scansTable: string;
  resultsTable: string;
  barsTable: string;
}

export interface TargetOptions {
  local?: boolean;
  stage?: string;
}

/** Builds a target from endpoints (local) or plain AWS configuration (stage). */
export function targetFrom(
  kind: Target["kind"],
  label: string,
  names: TargetNames,
  env?: Record<string, string>,
): Target {
  const config = env
    ? {
        region: env.AWS_REGION ?? "us-east-1",
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID ?? "local",
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "local",
        },
      }
    : {};
  const lambda = new LambdaClient({
    ...config,
    ...(env?.AWS_ENDPOINT_URL_LAMBDA ? { endpoint: env.AWS_ENDPOINT_URL_LAMBDA } : {}),
  });
  const dynamoConfig = {
    ...config,
    ...(env?.AWS_ENDPOINT_URL_DYNAMODB ? { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
  };
  const dynamo = new DynamoDBClient(dynamoConfig);
  // Batch calls without the SDK's retries: the reader's loop owns their attempts (dynamo/batch-retry.ts).
  const dynamoBatches = new DynamoDBClient({ ...dynamoConfig, maxAttempts: 1 });
  const store = new DynamoScanReader(
    { documents: DynamoDBDocumentClient.from(dynamo), batches: DynamoDBDocumentClient.from(dynamoBatches) },
    { scans: names.scansTable, results: names.resultsTable },
  );
  const bars = new DynamoBarsStore(DynamoDBDocumentClient.from(dynamo), names.barsTable);
  return {
    kind,
    label,
    lambda,
    scanStartFunction: names.scanStartFunction,
    store,
    bars,
    ...(env ? { localEnv: env } : {}),
    close() {
      lambda.destroy();
      dynamo.destroy();
      dynamoBatches.destroy();
    },
  };
}

/** The endpoints of a running `local up`, or undefined when none answers. */
export async function runningLocalStack(cwd = process.cwd()): Promise<Record<string, string> | undefined> {
  const env = readLocalEnv(cwd);
  if (!env?.AWS_ENDPOINT_URL_LAMBDA) return undefined;
  try {
    const res = await fetch(`${env.AWS_ENDPOINT_URL_LAMBDA}/_local/stats`, {
      signal: AbortSignal.timeout(1500),
    });
    await res.body?.cancel();
    return res.ok ? env : undefined;
  } catch {
    return undefined;
  }
}

export function localTarget(env: Record<string, string>): Target {
  return targetFrom(
    "local",
    "local stack",
    {
      scanStartFunction: env.TICKERFLEET_SCAN_START_FUNCTION ?? "ScanStart",
      scansTable: env.TICKERFLEET_SCANS_TABLE ?? "ScansTable",
      resultsTable: env.TICKERFLEET_RESULTS_TABLE ?? "ResultsTable",
      barsTable: env.TICKERFLEET_BARS_TABLE ?? "BarsTable",
    },
    env,
  );
}

/**
 * A deployed stage's names: TICKERFLEET_SCAN_START_FUNCTION / _SCANS_TABLE /
 * _RESULTS_TABLE / _BARS_TABLE when set, otherwise the outputs `sst deploy --stage <stage>`
 * wrote to .sst/outputs.json in this directory (the bars table, new in this version, falls back
 * to its fixed name `tickerfleet-<stage>-BarsTable` for outputs written before it).
 */
export function stageNames(stage: string, cwd = process.cwd()): TargetNames {
  const env = process.env;
  let outputs: Record<string, unknown> = {};
  const file = resolve(cwd, ".sst/outputs.json");
  if (existsSync(file)) {
    try {
      outputs = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      throw new CliError(`${file} is not valid JSON; run \`npx sst deploy --stage ${stage}\` again`);
    }
  }
  const pick = (envName: string, key: string) => {
    const value = env[envName] ?? outputs[key];
    if (typeof value !== "string" || value === "") {
      throw new CliError(
        `no ${key} for stage "${stage}": run \`npx sst deploy --stage ${stage}\` in this directory (it writes .sst/outputs.json), or set ${envName}`,
      );
    }
    return value;
  };
  if (typeof outputs.stage === "string" && outputs.stage !== stage && !env.TICKERFLEET_SCAN_START_FUNCTION) {
    throw new CliError(
      `.sst/outputs.json is for stage "${outputs.stage}", not "${stage}"; deploy "${stage}" from here or set the TICKERFLEET_* names`,
    );
  }
  return {
    scanStartFunction: pick("TICKERFLEET_SCAN_START_FUNCTION", "scanStartFunction"),
    scansTable: pick("TICKERFLEET_SCANS_TABLE", "scansTable"),
    resultsTable: pick("TICKERFLEET_RESULTS_TABLE", "resultsTable"),
    barsTable:
      env.TICKERFLEET_BARS_TABLE ??
      (typeof outputs.barsTable === "string" ? outputs.barsTable : `tickerfleet-${stage}-BarsTable`),
  };
}

/** The target a read command (status, top, ticker, breadth) uses. */
export async function resolveTarget(options: TargetOptions): Promise<Target> {
  if (options.local && options.stage) throw new CliError("choose one of --local and --stage");
  if (options.stage) return targetFrom("stage", `stage ${options.stage}`, stageNames(options.stage));
  const env = await runningLocalStack();
  if (env) return localTarget(env);
  if (options.local) {
    throw new CliError(
      `no local stack is running (nothing answers at the endpoints in ${LOCAL_ENV_FILE}): start one with \`npx tickerfleet local up\` in another terminal`,
    );
  }
  throw new CliError(
    "say where: --local (a running `tickerfleet local up`) or --stage <stage> (a deployed stage)",
  );
}
