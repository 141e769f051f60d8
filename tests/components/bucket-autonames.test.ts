/**
 * Buckets, roles and CloudFront resources the components let Pulumi name are `<component name>-<part>-<7 random hex>`; pulumi-aws
 * lower-cases a bucket's and refuses one over S3's 63 characters or a role over IAM's 64 at `pulumi preview`, and S3
 * refuses characters other than lowercase letters, digits, `.` and `-` and its reserved prefixes at `pulumi up`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). Each component refuses a name that
 * makes one of those names impossible, at construction, naming it and the longest component name that fits.
 * (DataTier's export bucket `<name>-export-logs` fits whenever its export function `<name>-export` does.)
 */
import { describe, expect, it } from "vitest";
import { bucketAutonameProblem } from "../../components/autoname";
import { checkDeployRules, PHYSICAL_NAME_LIMITS } from "../../testing/deploy-rules";
import { record } from "../harness/mocks";
import { LambdaFunction } from "../../components/lambda/function";
import { StaticSite } from "../../components/static-site";
import { UploadBucket } from "../../components/upload-bucket";

const name = (length: number) => "n".repeat(length);

describe("component names that make a name Pulumi generates for the component impossible", () => {
  it("UploadBucket: `<name>-bucket` must fit in 63 with the suffix (48), and `<name>-logs` too when bucketName is set (50)", () => {
    expect(() => new UploadBucket(name(48))).not.toThrow();
    expect(() => new UploadBucket(name(49))).toThrow(
      /^UploadBucket "n{49}": name "n{49}" makes the bucket name "n{49}-bucket-<random suffix>" 64 characters, over S3's 63\. Use a component name of at most 48 characters\.$/,
    );
    expect(() => new UploadBucket(name(50), { bucketName: "gallery-uploads" })).not.toThrow();
    expect(() => new UploadBucket(name(51), { bucketName: "gallery-uploads" })).toThrow(/makes the bucket name "n{51}-logs-<random suffix>" 64 characters, over S3's 63\. Use a component name of at most 50 characters\./);
    expect(() => new UploadBucket("uploads_v2")).toThrow(/name "uploads_v2" makes the bucket name "uploads_v2-bucket-<random suffix>" hold "_", which S3 refuses \(it takes letters, digits, "-" and "\."\)\. Use a component name of letters, digits, "-" and "\.", e\.g\. "uploads-v2"\./);
  });

  it("UploadBucket.replicate: the replication role `<name>-<region>-replication-role`, the tightest of the replica's names, must fit IAM's 64", () => {
    expect(() => new UploadBucket(name(24)).replicate("ap-southeast-2")).not.toThrow();
    expect(() => new UploadBucket(name(25)).replicate("ap-southeast-2")).toThrow(
      /makes the IAM role name "n{25}-ap-southeast-2-replication-role-<random suffix>" 65 characters, over IAM's 64\. Use a component name of at most 24 characters\./,
    );
    // Also where a replica bucket is over too: the advice is the limit that fits every name.
    expect(() => new UploadBucket(name(30)).replicate("ap-southeast-2")).toThrow(/makes the IAM role name .* Use a component name of at most 24 characters\./);
  });

  it("names every problem of a name at once: a refused character and the length, with one fix for both", () => {
    expect(() => new UploadBucket(`${name(48)}_v2`)).toThrow(
      /makes the bucket name "n{48}_v2-bucket-<random suffix>" hold "_", which S3 refuses \(it takes letters, digits, "-" and "\."\); it also makes the bucket name "n{48}_v2-bucket-<random suffix>" 66 characters, over S3's 63\. Use a component name of letters, digits, "-" and "\."\. Use a component name of at most 48 characters\./,
    );
  });

  it("accepts what S3 accepts in an autonamed bucket (periods, upper case it lower-cases) and refuses what it does not", () => {
    expect(() => new UploadBucket("uploads.v2")).not.toThrow();
    expect(() => new UploadBucket("Uploads")).not.toThrow();
    expect(() => new UploadBucket("xn--uploads")).toThrow(/makes the bucket name "xn--uploads-bucket-<random suffix>", which S3 refuses: it starts with the reserved prefix xn--\. Use a component name that does not begin with "xn-" \(the bucket name would start with xn--\)\./);
    expect(() => new UploadBucket("sthree")).toThrow(/makes the bucket name "sthree-bucket-<random suffix>", which S3 refuses: it starts with the reserved prefix sthree-\. Use a component name that does not begin with "sthree"/);
    expect(() => new UploadBucket("-uploads")).toThrow(/it does not begin and end with a letter or digit\. Start the component name with a letter or digit\./);
    expect(() => new UploadBucket("up..loads")).toThrow(/it has two adjacent periods\. Use a component name without two periods in a row\./);
  });

  it("words an autonamed bucket's fix by the rule it breaks (bucketNameBreach), not by the problem's words", () => {
    const another = "Use another component name.";
    expect(bucketAutonameProblem("-site-bucket-0000000")).toEqual({ text: "does not begin and end with a letter or digit", fix: "Start the component name with a letter or digit." });
    expect(bucketAutonameProblem("si..te-bucket-0000000")).toEqual({ text: "has two adjacent periods", fix: "Use a component name without two periods in a row." });
    // Each reserved prefix: the component name stops before the prefix's last hyphen, which the part's own "-" supplies.
    expect(bucketAutonameProblem("xn--site-bucket-0000000")).toEqual({ text: "starts with the reserved prefix xn--", fix: 'Use a component name that does not begin with "xn-" (the bucket name would start with xn--).' });
    expect(bucketAutonameProblem("sthree-bucket-0000000")?.fix).toBe('Use a component name that does not begin with "sthree" (the bucket name would start with sthree-).');
    expect(bucketAutonameProblem("amzn-s3-demo-bucket-0000000")?.fix).toBe('Use a component name that does not begin with "amzn-s3-demo" (the bucket name would start with amzn-s3-demo-).');
    // Not reached from validateAutonames (the random hex ends the name; length and characters are checked first), but worded by their own rules.
    expect(bucketAutonameProblem("site-s3alias")).toEqual({ text: "ends with the reserved suffix -s3alias", fix: another });
    expect(bucketAutonameProblem("10.0.0.1")).toEqual({ text: "is formatted as an IP address", fix: another });
    expect(bucketAutonameProblem("si_te-bucket-0000000")).toEqual({ text: "has characters other than lowercase letters, digits, periods and hyphens", fix: "Use a component name of letters, digits, periods and hyphens." });
    expect(bucketAutonameProblem(`${name(50)}-bucket-0000000`)).toEqual({ text: "is 65 characters long; bucket names are 3–63", fix: "Use a shorter component name." });
    expect(bucketAutonameProblem("site-bucket-0000000")).toBeUndefined();
  });

  it("StaticSite: its buckets, with replicaRegion its replication role, and its CloudFront origin access control and SPA function", () => {
    const path = "tests/fixtures/site";
    expect(() => new StaticSite(name(48), { path })).not.toThrow();
    expect(() => new StaticSite(name(49), { path })).toThrow(/^StaticSite "n{49}": name "n{49}" makes the bucket name "n{49}-bucket-<random suffix>" 64 characters, over S3's 63/);
    // The replication role `<name>-bucket-replication-role` is the tightest with a replica.
    expect(() => new StaticSite(name(32), { path, replicaRegion: "us-west-2" })).not.toThrow();
    expect(() => new StaticSite(name(33), { path, replicaRegion: "us-west-2" })).toThrow(/makes the IAM role name "n{33}-bucket-replication-role-<random suffix>" 65 characters, over IAM's 64\. Use a component name of at most 32 characters\./);
    expect(() => new StaticSite(name(40), { path, replicaRegion: "us-west-2" })).toThrow(/makes the IAM role name .* Use a component name of at most 32 characters\./);
    // CloudFront: the SPA fallback function's name takes no period (its origin access control's does). An autonamed
    // bucket CloudFront reads through OAC takes none either (HTTPS to a dotted bucket fails S3's certificate): a period
    // needs bucketName, or the website endpoint (plain HTTP).
    expect(() => new StaticSite("my.site", { path })).toThrow(/makes the site bucket name "my\.site-bucket-<random suffix>" hold "\."/);
    expect(() => new StaticSite("my.site", { path, bucketName: "my-site" })).not.toThrow();
    expect(() => new StaticSite("my.site", { path, hosting: "s3-website" })).not.toThrow();
    expect(() => new StaticSite("my.site", { path, spa: true })).toThrow(/makes the CloudFront Function name "my\.site-spa-<random suffix>" hold "\.", which CloudFront refuses \(it takes letters, digits, "-" and "_"\)\. Use a component name of letters, digits and "-", e\.g\. "my-site"\./);
    // The advice is what every generated name takes: `_` suits the function, not the buckets; `.` the buckets, not the function.
    expect(() => new StaticSite("my_site", { path, spa: true })).toThrow(/makes the bucket name "my_site-bucket-<random suffix>" hold "_", which S3 refuses \(it takes letters, digits, "-" and "\."\)\. Use a component name of letters, digits and "-", e\.g\. "my-site"\./);
    // With both buckets named, the origin access control `<name>-oac` is the limit (CloudFront's 64); s3-website hosting has none.
    const named = { path, bucketName: "gallery-site", logs: { bucketName: "gallery-site-logs" } };
    expect(() => new StaticSite(name(52), named)).not.toThrow();
    expect(() => new StaticSite(name(53), named)).toThrow(/makes the origin access control name "n{53}-oac-<random suffix>" 65 characters, over CloudFront's 64\. Use a component name of at most 52 characters\./);
    expect(() => new StaticSite(name(53), { ...named, hosting: "s3-website" })).not.toThrow();
  });

  it("agrees with the PhysicalNameLimits deploy rule at the longest names it accepts", async () => {
    const graph = await record(() => {
      new StaticSite(name(32), { path: "tests/fixtures/site", replicaRegion: "us-west-2", spa: true });
      new StaticSite("my.site", { path: "tests/fixtures/site", hosting: "s3-website" });
      new UploadBucket("u".repeat(24)).replicate("ap-southeast-2");
      new UploadBucket("b".repeat(48));
      new UploadBucket("uploads.v2");
      new LambdaFunction("s".repeat(42), { entry: "tests/fixtures/handlers/echo.ts", schedule: { expression: "rate(1 hour)" } });
    });
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }, [PHYSICAL_NAME_LIMITS])).toEqual([]);
  });
});
