export { AwsChunkedError, decodeAwsChunked, isAwsChunked } from "./aws-chunked.ts";
export { type S3Server, type S3ServerOptions, type S3Stats, startS3Server } from "./server.ts";
export { type S3ServerThread, startS3ServerThread } from "./thread.ts";
