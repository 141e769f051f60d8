/** S3 deploy rules: bucket names, and bucket names behind HTTPS origins. */
import { ofType } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const NAMING_RULES = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";

/** Why S3 refuses `name` for a general purpose bucket, or undefined when it accepts it. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `is ${name.length} characters long; bucket names are 3–63`;
  if (!/^[a-z0-9.-]+$/.test(name)) return "has characters other than lowercase letters, digits, periods and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "does not begin and end with a letter or digit";
  if (name.includes("..")) return "has two adjacent periods";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "is formatted as an IP address";
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) if (name.startsWith(prefix)) return `starts with the reserved prefix ${prefix}`;
  for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) if (name.endsWith(suffix)) return `ends with the reserved suffix ${suffix}`;
  return undefined;
}

/**
 * General purpose bucket naming rules (S3 User Guide). Names the provider generates are valid;
 * only names (and prefixes, at most 37 characters so the provider's suffix fits) the program sets
 * are checked.
 */
export const S3_BUCKET_NAME: DeployRule = {
  id: "S3BucketName",
  title: "Bucket names follow S3's naming rules",
  source: NAMING_RULES,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const bucket of BUCKET_TYPES.flatMap((t) => ofType(graph, t))) {
      const name = bucket.inputs.bucket;
      if (typeof name === "string") {
        const problem = bucketNameProblem(name);
        if (problem) findings.push(finding("S3BucketName", bucket, `bucket name "${name}" ${problem}`, "choose a name of 3–63 lowercase letters, digits and hyphens"));
      }
      const prefix = bucket.inputs.bucketPrefix;
      if (typeof prefix === "string" && (prefix.length > 37 || !/^[a-z0-9][a-z0-9.-]*$/.test(prefix))) {
        findings.push(finding("S3BucketName", bucket, `bucketPrefix "${prefix}" is not up to 37 lowercase letters, digits, periods and hyphens starting with a letter or digit`, "shorten or lowercase the prefix"));
      }
    }
    return findings;
  },
};

/** `name.s3.amazonaws.com`, `name.s3.us-east-1.amazonaws.com`, `name.s3.dualstack.eu-west-1.amazonaws.com` → name. */
function restEndpointBucket(domainName: string): string | undefined {
  return /^(.+)\.s3(?:\.dualstack)?(?:[.-][a-z]{2}(?:-[a-z]+)+-\d)?\.amazonaws\.com$/.exec(domainName)?.[1];
}

/**
 * "If you include periods (.) in a bucket's name, you can't use virtual-host-style addressing over
 * HTTPS, unless you perform your own certificate validation" — CloudFront reaches an S3 REST origin
 * at `<bucket>.s3.<region>.amazonaws.com` over HTTPS, where a dotted name fails the certificate check.
 * (S3 website endpoints are reached over HTTP and are not affected.)
 */
export const S3_ORIGIN_BUCKET_NO_PERIODS: DeployRule = {
  id: "S3OriginBucketNoPeriods",
  title: "Buckets that CloudFront reads over HTTPS have no periods in their names",
  source: NAMING_RULES,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, "aws:cloudfront/distribution:Distribution")) {
      for (const origin of d.inputs.origins ?? []) {
        const name = restEndpointBucket(String(origin.domainName ?? ""));
        if (!name || !name.includes(".")) continue;
        const bucket = BUCKET_TYPES.flatMap((t) => ofType(graph, t)).find((b) => b.state.bucket === name);
        findings.push(finding("S3OriginBucketNoPeriods", bucket ?? d, `bucket "${name}" is CloudFront origin ${origin.originId} of ${d.name}; its periods break the HTTPS certificate of ${origin.domainName}`, `rename the bucket without periods (e.g. "${name.replace(/\./g, "-")}")`));
      }
    }
    return findings;
  },
};


/**
 * "Both source and destination buckets must have versioning enabled" before S3 accepts a replication configuration,
 * and the role must be one S3 can assume. Checked on the recorded plan: each BucketReplicationConfig's source and
 * every destination bucket have a BucketVersioning with status Enabled.
 */
export const S3_REPLICATION_VERSIONING: DeployRule = {
  id: "S3ReplicationVersioning",
  title: "Replicated buckets (source and destination) have versioning enabled",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const buckets = BUCKET_TYPES.flatMap((t) => ofType(graph, t));
    const versioned = (bucket: RecordedResource) =>
      ofType(graph, "aws:s3/bucketVersioning:BucketVersioning").some((v) => [bucket.id, bucket.state.bucket].includes(v.inputs.bucket) && v.inputs.versioningConfiguration?.status === "Enabled");
    for (const config of ofType(graph, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
      const source = buckets.find((b) => [b.id, b.state.bucket].includes(config.inputs.bucket));
      if (source && !versioned(source)) findings.push(finding("S3ReplicationVersioning", config, `replicates bucket ${source.name}, which has no versioning enabled`, "enable versioning (aws.s3.BucketVersioning status Enabled) on the source, and make the replication depend on it"));
      for (const rule of config.inputs.rules ?? []) {
        const destination = buckets.find((b) => b.state.arn === rule?.destination?.bucket);
        if (destination && !versioned(destination)) findings.push(finding("S3ReplicationVersioning", config, `replicates into bucket ${destination.name}, which has no versioning enabled`, "enable versioning on the destination bucket too"));
      }
    }
    return findings;
  },
};

export const S3_RULES: DeployRule[] = [S3_BUCKET_NAME, S3_ORIGIN_BUCKET_NO_PERIODS, S3_REPLICATION_VERSIONING];
