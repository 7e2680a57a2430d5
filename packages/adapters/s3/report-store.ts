import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ValidationError } from "../../core/errors.ts";

/** Where reports live in the bucket; the bucket's lifecycle rule expires this prefix (stacks/topology). */
const PREFIX = "reports/";
/** SigV4's longest presigned URL: 7 days. */
export const MAX_PRESIGNED_SECONDS = 604_800;
/** A scan id as the pipeline spells it (core/pipeline/messages.ts), and never `.` or `..`. */
const SAFE_SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._:-]{1,128}$/;

/**
 * A scan's HTML report in a private S3 bucket: `reports/<scanId>.html`, shared
 * through a presigned GET URL. Writing the same scan again replaces its report.
 *
 * A presigned URL lasts as long as the credentials that signed it: signed with
 * a Lambda role's temporary credentials it stops working when they expire
 * (hours), whatever `expiresInSeconds` says; only long-term keys make 7 days hold.
 * Hence `signer`: a client holding such a key (aws-clients.ts s3SigningClient),
 * used only to presign; it sends no request. Reads and writes go through `client`.
 */
export class S3ReportStore {
  private readonly signer: S3Client;

  /** @param signer The client that presigns links. @default client */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    signer?: S3Client,
  ) {
    this.signer = signer ?? client;
  }

  /** The object key of a scan's report; throws ValidationError for an id that is not a safe key segment. */
  static keyOf(scanId: string): string {
    if (!SAFE_SEGMENT.test(scanId)) {
      throw new ValidationError("report scan id", [
        `"${scanId.slice(0, 40)}" must be 1–128 letters, digits, '.', '_', ':' or '-' (not "." or "..")`,
      ]);
    }
    return `${PREFIX}${scanId}.html`;
  }

  async put(scanId: string, html: string): Promise<{ key: string; bytes: number }> {
    const key = S3ReportStore.keyOf(scanId);
    const body = Buffer.from(html, "utf8");
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: "text/html; charset=utf-8",
      }),
    );
    return { key, bytes: body.length };
  }

  /** A GET URL anyone holding it can open until it expires (at most 7 days), signed by the signer. */
  async presignedUrl(key: string, expiresInSeconds = MAX_PRESIGNED_SECONDS): Promise<string> {
    if (
      !Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_PRESIGNED_SECONDS
    ) {
      throw new ValidationError("presigned URL lifetime", [
        `${expiresInSeconds} s is not a whole number of seconds in 1..${MAX_PRESIGNED_SECONDS} (7 days)`,
      ]);
    }
    return getSignedUrl(this.signer, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }

  /** The report's HTML, or undefined when there is no such object. */
  async get(key: string): Promise<string | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await object.Body!.transformToString("utf-8");
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }
}
