/**
 * The S3 buckets, one per topology bucket: private (S3's public access block
 * on all four counts; no bucket policy grants anyone access, no CORS), and a
 * lifecycle rule that expires the topology's prefix after its days (reports/
 * after 90). Reports are shared through presigned URLs, which need neither.
 */
import { type BucketId, topology } from "../topology/index.ts";

function declareBucket(id: BucketId): sst.aws.Bucket {
  const spec = topology.buckets[id];
  return new sst.aws.Bucket(spec.name, {
    // A report opens as a page of its own (a presigned URL), never fetched cross-origin.
    cors: false,
    lifecycle: [{ id: "expire", prefix: spec.expire.prefix, expiresIn: `${spec.expire.days} days` }],
    transform: {
      // SST's default for a bucket without `access`, stated here so no change of default opens it.
      publicAccessBlock: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    },
  });
}

export const buckets: Record<BucketId, sst.aws.Bucket> = {
  reports: declareBucket("reports"),
};
