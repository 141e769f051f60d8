import { asArray, attachedTo, ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type Finding, type SecurityRule } from "./rule";

const BUCKET = "aws:s3/bucket:Bucket";

function buckets(graph: Graph): RecordedResource[] {
  return ofType(graph, BUCKET);
}

/** Buckets that receive logs: S3 access-log targets and CloudFront log buckets. */
function logTargets(graph: Graph): RecordedResource[] {
  const targets = new Set<string>(ofType(graph, "aws:s3/bucketLogging:BucketLogging").map((l) => l.inputs.targetBucket));
  for (const d of ofType(graph, "aws:cloudfront/distribution:Distribution")) {
    if (d.inputs.loggingConfig?.bucket) targets.add(d.inputs.loggingConfig.bucket);
  }
  return buckets(graph).filter((b) => targets.has(b.state.bucket) || targets.has(b.state.bucketDomainName) || targets.has(b.id ?? ""));
}

/** A website-hosting bucket (StaticSite's opt-in "s3-website" hosting) serves anonymous HTTP by design. */
function isWebsiteBucket(graph: Graph, bucket: RecordedResource): boolean {
  return attachedTo(graph, "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "bucket", bucket).length > 0;
}

function bucketPolicyStatements(graph: Graph, bucket: RecordedResource) {
  return attachedTo(graph, "aws:s3/bucketPolicy:BucketPolicy", "bucket", bucket).flatMap((p) => policyDocument(p.inputs.policy).Statement);
}

/** S1: every bucket writes server access logs, except the buckets that receive logs (a log bucket logging into itself loops). */
export const S1: SecurityRule = {
  id: "S1",
  title: "S3 buckets have server access logging (log buckets excepted)",
  check(graph) {
    const targets = new Set(logTargets(graph));
    const findings: Finding[] = [];
    for (const bucket of buckets(graph)) {
      const logging = attachedTo(graph, "aws:s3/bucketLogging:BucketLogging", "bucket", bucket);
      if (targets.has(bucket)) {
        if (logging.some((l) => l.inputs.targetBucket === bucket.state.bucket || l.inputs.targetBucket === bucket.id)) {
          findings.push(finding("S1", bucket, "logs into itself (recursive logging)"));
        }
        continue;
      }
      if (logging.length === 0) findings.push(finding("S1", bucket, "has no server access logging"));
    }
    return findings;
  },
};

/** S2: public access is blocked; a website bucket may only grant reads conditioned on CloudFront's secret Referer. */
export const S2: SecurityRule = {
  id: "S2",
  title: "S3 buckets block public access",
  check(graph) {
    const findings: Finding[] = [];
    for (const bucket of buckets(graph)) {
      const block = attachedTo(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket", bucket)[0]?.inputs;
      if (!block) {
        findings.push(finding("S2", bucket, "has no public access block"));
        continue;
      }
      if (!block.blockPublicAcls || !block.ignorePublicAcls) findings.push(finding("S2", bucket, "allows public ACLs"));
      const policyOpen = !block.blockPublicPolicy || !block.restrictPublicBuckets;
      if (!policyOpen) continue;
      if (!isWebsiteBucket(graph, bucket)) {
        findings.push(finding("S2", bucket, "allows public bucket policies"));
        continue;
      }
      for (const s of bucketPolicyStatements(graph, bucket)) {
        const anonymous = s.Effect === "Allow" && (s.Principal === "*" || s.Principal?.AWS === "*");
        if (!anonymous) continue;
        const actions = asArray<string>(s.Action);
        if (actions.some((a) => a !== "s3:GetObject") || !s.Condition?.StringEquals?.["aws:Referer"]) {
          findings.push(finding("S2", bucket, "grants anonymous access beyond GetObject with CloudFront's Referer secret"));
        }
      }
    }
    return findings;
  },
};

/** S10: the bucket policy denies requests without TLS (website buckets: everything but GetObject). */
export const S10: SecurityRule = {
  id: "S10",
  title: "S3 buckets require TLS",
  check(graph) {
    const findings: Finding[] = [];
    for (const bucket of buckets(graph)) {
      const denies = bucketPolicyStatements(graph, bucket).filter(
        (s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
      );
      const website = isWebsiteBucket(graph, bucket);
      const covered = denies.some((s) =>
        s.Action !== undefined ? asArray<string>(s.Action).includes("s3:*") : website && asArray<string>(s.NotAction).join() === "s3:GetObject",
      );
      if (!covered) findings.push(finding("S10", bucket, "does not deny requests made without TLS"));
    }
    return findings;
  },
};

/** Encryption at rest: every bucket has default server-side encryption. */
export const S3_ENCRYPTION: SecurityRule = {
  id: "S3Encryption",
  title: "S3 buckets encrypt objects at rest",
  check(graph) {
    return buckets(graph)
      .filter((bucket) => {
        const config = attachedTo(graph, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket", bucket)[0];
        return !config?.inputs.rules?.some((r: any) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(r.applyServerSideEncryptionByDefault?.sseAlgorithm));
      })
      .map((bucket) => finding("S3Encryption", bucket, "has no default encryption"));
  },
};
