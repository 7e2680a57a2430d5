export {
  SnsError,
  type SnsMessage,
  type SnsServer,
  type SnsServerOptions,
  type SnsStats,
  type SnsSubscription,
  startSnsServer,
} from "./server.ts";
