/**
 * The local S3 server (s3rver behind tickerfleet's aws-chunked decoding) through
 * @aws-sdk/client-s3 with the SDK's default checksums, as functions use it.
 */
import { Readable } from "node:stream";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Server, startS3Server } from "../../packages/local/s3/index.ts";

let server: S3Server;
let s3: S3Client;

beforeAll(async () => {
  server = await startS3Server();
  s3 = new S3Client({
    endpoint: server.url,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  await s3.send(new CreateBucketCommand({ Bucket: "objects" }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

const text = async (key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: "objects", Key: key }))).Body!.transformToString();

describe("local S3 server", () => {
  it("answers any credentials, as the other local servers do (the AWS CLI's `x`/`x` too)", async () => {
    const other = new S3Client({
      endpoint: server.url,
      forcePathStyle: true,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    try {
      await other.send(new PutObjectCommand({ Bucket: "objects", Key: "any-key.txt", Body: "hello" }));
      expect(await text("any-key.txt")).toBe("hello");
    } finally {
      other.destroy();
    }
  });

  it("stores a streamed body (aws-chunked, CRC32 trailer) as its bytes, without the framing", async () => {
    const chunks = [Buffer.from("<p>one</p>"), Buffer.from("<p>two</p>")];
    await s3.send(
      new PutObjectCommand({
        Bucket: "objects",
        Key: "streamed.html",
        Body: Readable.from(chunks),
        ContentLength: 20,
        ContentType: "text/html",
      }),
    );

    const head = await s3.send(new HeadObjectCommand({ Bucket: "objects", Key: "streamed.html" }));
    expect(await text("streamed.html")).toBe("<p>one</p><p>two</p>");
    expect({
      length: head.ContentLength,
      encoding: head.ContentEncoding,
      type: head.ContentType,
    }).toStrictEqual({
      length: 20,
      encoding: undefined,
      type: "text/html",
    });
  });

  it("refuses an aws-chunked body whose CRC32 does not match (BadDigest)", async () => {
    const body = "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
    const response = await fetch(`${server.url}/objects/bad.txt`, {
      method: "PUT",
      body,
      headers: {
        authorization:
          "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
        "x-amz-date": "20260101T000000Z",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "3",
        "x-amz-trailer": "x-amz-checksum-crc32",
      },
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>BadDigest</Code>");
  });

  it("lists objects by prefix (ListObjectsV2)", async () => {
    for (const key of ["reports/a.html", "reports/b.html", "other/c.html"])
      await s3.send(new PutObjectCommand({ Bucket: "objects", Key: key, Body: key }));

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "objects", Prefix: "reports/" }));

    expect(listed.Contents?.map((c) => c.Key)).toStrictEqual(["reports/a.html", "reports/b.html"]);
  });

  it("answers a lifecycle configuration with NotImplemented (provisioning skips it)", async () => {
    const error = await s3
      .send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: "objects",
          LifecycleConfiguration: {
            Rules: [
              { ID: "expire", Status: "Enabled", Filter: { Prefix: "reports/" }, Expiration: { Days: 90 } },
            ],
          },
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(S3ServiceException);
    expect((error as S3ServiceException).name).toBe("NotImplemented");
  });

  it("removes its directory on close", async () => {
    const other = await startS3Server();
    const { existsSync } = await import("node:fs");
    expect(existsSync(other.directory)).toBe(true);

    await other.close();

    expect(existsSync(other.directory)).toBe(false);
  });
});
