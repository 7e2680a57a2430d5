/**
 * S3ReportStore against the local S3 server (s3rver) through @aws-sdk/client-s3,
 * configured as a function's is: s3Client() with AWS_ENDPOINT_URL_S3 set.
 */
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { s3Client } from "../../packages/adapters/aws-clients.ts";
import { S3ReportStore } from "../../packages/adapters/s3/report-store.ts";
import { ValidationError } from "../../packages/core/errors.ts";
import { type S3Server, startS3Server } from "../../packages/local/s3/index.ts";

const BUCKET = "reportsbucket";
const HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Scan</title></head><body><h1>Scan 20261125T213000Z — «AAPL» ↑ 3 %</h1>${"<p>row</p>".repeat(5000)}</body></html>`;

let server: S3Server;
let client: S3Client;
let store: S3ReportStore;

beforeAll(async () => {
  server = await startS3Server();
  vi.stubEnv("AWS_ENDPOINT_URL_S3", server.url);
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "local");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local");
  client = s3Client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  store = new S3ReportStore(client, BUCKET);
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  vi.unstubAllEnvs();
});

describe("S3ReportStore", () => {
  it("puts a report under reports/<scanId>.html and gets it back byte for byte", async () => {
    const put = await store.put("20261125T213000Z-a1b2c3", HTML);

    expect(put).toStrictEqual({
      key: "reports/20261125T213000Z-a1b2c3.html",
      bytes: Buffer.byteLength(HTML, "utf8"),
    });
    expect(await store.get(put.key)).toBe(HTML);
  });

  it("shares it through a 7-day presigned URL that plain HTTP opens as text/html", async () => {
    const { key } = await store.put("sched-2026-11-25T21:30:00Z", HTML);

    const url = await store.presignedUrl(key);
    const response = await request(url);

    expect(new URL(url).searchParams.get("X-Amz-Expires")).toBe("604800");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(await response.body.text()).toBe(HTML);
  });

  it("replaces a scan's report when it is put again", async () => {
    const { key } = await store.put("again", "<p>first</p>");
    await store.put("again", "<p>second</p>");

    expect(await store.get(key)).toBe("<p>second</p>");
  });

  it("gives undefined for a key that holds nothing", async () => {
    expect(await store.get("reports/no-such-scan.html")).toBeUndefined();
  });

  it.each(["", ".", "..", "../etc/passwd", "a/b", "with space", "x".repeat(129)])(
    "refuses %j as a scan id, writing nothing",
    async (scanId) => {
      const before = server.stats().byMethod.PUT ?? 0;

      await expect(store.put(scanId, HTML)).rejects.toThrow(ValidationError);
      expect(server.stats().byMethod.PUT ?? 0).toBe(before);
    },
  );

  it("refuses a presigned URL lifetime over 7 days", async () => {
    await expect(store.presignedUrl("reports/x.html", 604_801)).rejects.toThrow(ValidationError);
  });
});
