/**
 * S3ReportStore against the local S3 server (s3rver) through @aws-sdk/client-s3,
 * configured as a function's is: s3Client() with AWS_ENDPOINT_URL_S3 set.
 */
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { s3Client, s3Config, s3SigningClient } from "../../packages/adapters/aws-clients.ts";
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

  it("signs links with a separate signer client (the link key) while the bucket client writes", async () => {
    // s3rver checks only that a request's access key id is one it knows, never the
    // signature: a link signed with any secret opens there all the same (and this key id,
    // unknown to it, would be refused). So this does not open the link; it checks the
    // signing itself: the credential scope names the signer's key, and the signature is
    // the one the signer's secret gives for that moment.
    const keys = { accessKeyId: "report-signer", secretAccessKey: "other" };
    const signer = s3SigningClient(keys);
    const signerSend = vi.spyOn(signer, "send");
    const clientSend = vi.spyOn(client, "send");
    const signed = new S3ReportStore(client, BUCKET, signer);
    try {
      const putsBefore = server.stats().byMethod.PUT ?? 0;

      const { key } = await signed.put("signed-by-link-key", HTML);
      const url = new URL(await signed.presignedUrl(key));

      expect(url.searchParams.get("X-Amz-Credential")).toMatch(
        /^report-signer\/\d{8}\/us-east-1\/s3\/aws4_request$/,
      );
      expect(url.searchParams.get("X-Amz-Expires")).toBe("604800");
      const [, y, mo, d, h, mi, sec] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(
        url.searchParams.get("X-Amz-Date") ?? "",
      )!;
      const signingDate = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}Z`);
      const reference = new S3Client({ ...s3Config(), credentials: keys });
      const expected = await getSignedUrl(reference, new GetObjectCommand({ Bucket: BUCKET, Key: key }), {
        expiresIn: 604_800,
        signingDate,
      });
      reference.destroy();
      expect(url.href).toBe(expected);
      // The write went through the bucket client; the signer sent nothing.
      expect(clientSend).toHaveBeenCalledTimes(1);
      expect(signerSend).not.toHaveBeenCalled();
      expect(server.stats().byMethod.PUT ?? 0).toBe(putsBefore + 1);
      expect(await store.get(key)).toBe(HTML);
    } finally {
      signerSend.mockRestore();
      clientSend.mockRestore();
    }
  });

  it("keeps one signing client per container, a new one for other credentials", () => {
    const keys = { accessKeyId: "report-signer", secretAccessKey: "other" };

    expect(s3SigningClient({ ...keys })).toBe(s3SigningClient(keys));
    expect(s3SigningClient({ ...keys, secretAccessKey: "rotated" })).not.toBe(s3SigningClient(keys));
  });

  it("refuses a presigned URL lifetime over 7 days", async () => {
    await expect(store.presignedUrl("reports/x.html", 604_801)).rejects.toThrow(ValidationError);
  });
});
