/**
 * Buckets the components let Pulumi name are `<component name>-<part>-<7 random hex>`, which pulumi-aws lower-cases
 * and refuses over S3's 63 characters at `pulumi preview` (S3 itself takes lowercase letters, digits, `.` and `-`:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). Each component refuses a name that
 * makes one of its buckets' names impossible, at construction, naming the bucket and the longest name that fits.
 * (DataTier's export bucket `<name>-export-logs` fits whenever its export function `<name>-export` does.)
 */
import { describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { UploadBucket } from "../../components/upload-bucket";

const name = (length: number) => "n".repeat(length);

describe("component names that make a bucket's autoname impossible", () => {
  it("UploadBucket: `<name>-bucket` must fit in 63 with the suffix (48), and `<name>-logs` too when bucketName is set (50)", () => {
    expect(() => new UploadBucket(name(48))).not.toThrow();
    expect(() => new UploadBucket(name(49))).toThrow(
      /^UploadBucket "n{49}": name "n{49}" makes the bucket name "n{49}-bucket-<random suffix>" 64 characters, over S3's 63\. Use a component name of at most 48 characters\.$/,
    );
    expect(() => new UploadBucket(name(50), { bucketName: "gallery-uploads" })).not.toThrow();
    expect(() => new UploadBucket(name(51), { bucketName: "gallery-uploads" })).toThrow(/makes the bucket name "n{51}-logs-<random suffix>" 64 characters, over S3's 63\. Use a component name of at most 50 characters\./);
    expect(() => new UploadBucket("uploads_v2")).toThrow(/name "uploads_v2" makes the bucket name "uploads_v2-bucket-<random suffix>" hold characters S3 refuses \(lowercase letters, digits and hyphens\)/);
  });

  it("UploadBucket.replicate: the replica's log bucket `<name>-<region>-replica-logs` must fit too", () => {
    expect(() => new UploadBucket(name(27)).replicate("ap-southeast-2")).not.toThrow();
    expect(() => new UploadBucket(name(28)).replicate("ap-southeast-2")).toThrow(/makes the bucket name "n{28}-ap-southeast-2-replica-logs-<random suffix>" 64 characters, over S3's 63\. Use a component name of at most 27 characters\./);
  });

  it("StaticSite: its bucket, its log bucket, and with replicaRegion the replica's `<name>-bucket-replica-logs`", () => {
    const path = "tests/fixtures/site";
    expect(() => new StaticSite(name(48), { path })).not.toThrow();
    expect(() => new StaticSite(name(49), { path })).toThrow(/^StaticSite "n{49}": name "n{49}" makes the bucket name "n{49}-bucket-<random suffix>" 64 characters, over S3's 63/);
    expect(() => new StaticSite(name(35), { path, replicaRegion: "us-west-2" })).not.toThrow();
    expect(() => new StaticSite(name(36), { path, replicaRegion: "us-west-2" })).toThrow(/makes the bucket name "n{36}-bucket-replica-logs-<random suffix>" 64 characters, over S3's 63\. Use a component name of at most 35 characters\./);
  });
});
