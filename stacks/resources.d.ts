/*
 * The links tickerfleet's functions read with `Resource.<Name>` from "sst"
 * (stacks/topology names them). `sst deploy` / `sst dev` generate the same
 * declarations in sst-env.d.ts; this copy lets the project type-check without
 * them, and the local runtime provides the values as SST_RESOURCE_* variables.
 */
import "sst";

declare module "sst" {
  export interface Resource {
    FetchQueue: { type: "sst.aws.Queue"; url: string };
    ScoreQueue: { type: "sst.aws.Queue"; url: string };
    FinalizeQueue: { type: "sst.aws.Queue"; url: string };
    NotifyQueue: { type: "sst.aws.Queue"; url: string };
    ScansTable: { type: "sst.aws.Dynamo"; name: string };
    ResultsTable: { type: "sst.aws.Dynamo"; name: string };
    BarsTable: { type: "sst.aws.Dynamo"; name: string };
    ReportsBucket: { type: "sst.aws.Bucket"; name: string };
    ReportLinkSigner: { type: "sst.sst.Linkable"; accessKeyId: string; secretAccessKey: string };
    ScanAlertsTopic: { type: "sst.aws.SnsTopic"; arn: string };
    UpstashRedisRestUrl: { type: "sst.sst.Secret"; value: string };
    UpstashRedisRestToken: { type: "sst.sst.Secret"; value: string };
    FmpApiKey: { type: "sst.sst.Secret"; value: string };
    PolygonApiKey: { type: "sst.sst.Secret"; value: string };
    AlphaVantageApiKey: { type: "sst.sst.Secret"; value: string };
    AlpacaApiKeyId: { type: "sst.sst.Secret"; value: string };
    AlpacaApiSecretKey: { type: "sst.sst.Secret"; value: string };
    AlertSlackUrl: { type: "sst.sst.Secret"; value: string };
    AlertDiscordUrl: { type: "sst.sst.Secret"; value: string };
    AlertTelegramToken: { type: "sst.sst.Secret"; value: string };
    AlertTelegramChatId: { type: "sst.sst.Secret"; value: string };
    AlertWebhookUrl: { type: "sst.sst.Secret"; value: string };
    AlertWebhookSecret: { type: "sst.sst.Secret"; value: string };
  }
}
