import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * AWS SDK clients, created once per container (module scope) and reused by
 * every invocation. Region, credentials and endpoints come from the
 * environment: in Lambda its own; locally AWS_ENDPOINT_URL_SQS,
 * AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_SNS point
 * the same clients at the local cloud.
 */
let sqs: SQSClient | undefined;
let s3: S3Client | undefined;
let signing: { credentials: { accessKeyId: string; secretAccessKey: string }; client: S3Client } | undefined;
let sns: SNSClient | undefined;
let documents: DynamoDBDocumentClient | undefined;
let batchDocuments: DynamoDBDocumentClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({ maxAttempts: 5 });
  return sqs;
}

/**
 * S3 (reports). With AWS_ENDPOINT_URL_S3 set (the local cloud, any S3-compatible server)
 * objects are addressed by path (`endpoint/bucket/key`): a loopback endpoint has no
 * bucket subdomains. In AWS, virtual-hosted addressing, the SDK's default. The SDK's
 * default checksums stay on: the local S3 server takes them (packages/local/s3).
 */
export function s3Client(): S3Client {
  s3 ??= new S3Client(s3Config());
  return s3;
}

/**
 * An S3 client that signs with the given long-term key instead of the
 * environment's credentials, configured as s3Client() is: for presigning
 * reports' links (a Lambda role's credentials would end them within hours).
 * Once per container; other credentials replace it (it opens no connection:
 * presigning is local).
 */
export function s3SigningClient(credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  const { accessKeyId, secretAccessKey } = credentials;
  if (
    !signing ||
    signing.credentials.accessKeyId !== accessKeyId ||
    signing.credentials.secretAccessKey !== secretAccessKey
  ) {
    signing = {
      credentials: { accessKeyId, secretAccessKey },
      client: new S3Client({ ...s3Config(), credentials: { accessKeyId, secretAccessKey } }),
    };
  }
  return signing.client;
}

/**
 * Path-style for a local endpoint (it has no bucket subdomains). Flexible checksums only where an
 * operation requires them: by default the SDK signs `x-amz-checksum-mode=ENABLED` (or an empty
 * body's CRC32) into every GetObject link, asking a browser's request for checksum headers it has
 * no use for (aws-sdk-js-v3#6994). A report is one small PutObject; S3 checks its payload hash.
 */
export function s3Config(): S3ClientConfig {
  return {
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...(process.env.AWS_ENDPOINT_URL_S3 ? { forcePathStyle: true } : {}),
  };
}

/** SNS (scan alerts by email). */
export function snsClient(): SNSClient {
  sns ??= new SNSClient({});
  return sns;
}

/** For single-item DynamoDB requests and queries: the SDK retries each up to 8 times. */
export function documentClient(): DynamoDBDocumentClient {
  documents ??= newDocumentClient(8);
  return documents;
}

/**
 * For DynamoDB's batch calls: the SDK does not retry them, because the store's
 * loop over UnprocessedItems / UnprocessedKeys does, on one budget for throttled
 * requests and unprocessed items alike (adapters/dynamo/batch-retry.ts).
 */
export function batchDocumentClient(): DynamoDBDocumentClient {
  batchDocuments ??= newDocumentClient(1);
  return batchDocuments;
}

function newDocumentClient(maxAttempts: number): DynamoDBDocumentClient {
  const base = new DynamoDBClient({ maxAttempts });
  // Ask every operation for the capacity it consumed: free in AWS, and what the local
  // cloud counts to turn a scan into DynamoDB units and dollars.
  base.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= "TOTAL";
      return next(args);
    },
    { step: "initialize", name: "tickerfleetConsumedCapacity" },
  );
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
