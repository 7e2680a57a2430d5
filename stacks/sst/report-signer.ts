/**
 * The key that signs reports' links. A presigned URL lasts only as long as the
 * credentials that signed it: signed by notify's role it dies with the role's
 * session (hours), whatever its X-Amz-Expires says. Signed by a long-term key it
 * holds the 7 days the scan promises (issue 19). So: an IAM user whose only
 * permission is s3:GetObject on the reports bucket's `reports/*`, an access key
 * for it, linked to notify alone as `Resource.ReportLinkSigner`, which signs
 * with it and nothing else (the bucket is still written with the role).
 * A leaked key reads reports, nothing more. The secret is kept, encrypted, in
 * the stage's state and in notify's bundle of links.
 *
 * Rotating the key: bump KEY_ROTATION and `sst deploy`. Pulumi creates the new
 * key, redeploys notify with it, then deletes the old one (IAM allows two at
 * once), which also ends every link the old key signed.
 */
import { topology } from "../topology/index.ts";
import { buckets } from "./buckets.ts";
import { physicalName } from "./naming.ts";

/** Change (e.g. 1 → 2) to replace the access key on the next deploy. */
const KEY_ROTATION = 1;

const reports = topology.buckets.reports;

const user = new aws.iam.User("ReportLinkSignerUser", {
  name: physicalName($app.stage, "ReportLinkSigner"),
});

new aws.iam.UserPolicy("ReportLinkSignerPolicy", {
  user: user.name,
  policy: $jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: $interpolate`${buckets.reports.arn}/${reports.expire.prefix}*`,
      },
    ],
  }),
});

const key = new aws.iam.AccessKey(
  "ReportLinkSignerKey",
  { user: user.name },
  { replacementTrigger: KEY_ROTATION },
);

/** `Resource.ReportLinkSigner.accessKeyId` / `.secretAccessKey`, linked to notify alone (stacks/topology). */
export const reportLinkSigner = new sst.Linkable("ReportLinkSigner", {
  properties: { accessKeyId: key.id, secretAccessKey: key.secret },
});
