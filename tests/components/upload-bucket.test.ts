import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { UploadBucket } from "../../components/upload-bucket";
import { resolveValue } from "../../local/offline/program";
import { ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";
import { SECURITY_RULES } from "../../testing/security-rules";

const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";

describe("UploadBucket", () => {
  it("is private, encrypted, versioned, TLS-only and access-logged into its own log bucket", async () => {
    let uploads!: UploadBucket;
    const graph = await record(() => {
      uploads = new UploadBucket("up", { retainOnDelete: true });
      uploads.allowBrowserUploads("site", ["https://gallery.example.com"]);
    });
    const bucket = resource(graph, "aws:s3/bucket:Bucket", "up-bucket");
    const logs = resource(graph, "aws:s3/bucket:Bucket", "up-logs");
    expect(resource(graph, "aws:s3/bucketLogging:BucketLogging", "up-bucket-logging").inputs).toMatchObject({ bucket: bucket.id, targetBucket: logs.id });
    expect(resource(graph, "aws:s3/bucketVersioning:BucketVersioning", "up-bucket-versioning").inputs.versioningConfiguration.status).toBe("Enabled");
    expect(policyDocument(resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "up-bucket-policy").inputs.policy).Statement[0].Sid).toBe("DenyInsecureTransport");
    expect(resource(graph, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "up-cors").inputs.corsRules[0]).toMatchObject({ allowedMethods: ["PUT", "GET", "HEAD"], allowedOrigins: ["https://gallery.example.com"] });
    for (const b of ofType(graph, "aws:s3/bucket:Bucket")) expect(b.retainOnDelete).toBe(true);
    for (const rule of SECURITY_RULES) expect(rule.check(graph, { stack: "prod", production: true }), rule.id).toEqual([]);
    const [grant] = uploads.grants("originals/", ["s3:PutObject"]);
    expect(grant.actions).toEqual(["s3:PutObject"]);
    expect(await resolveValue(grant.resources[0])).toBe(`${bucket.state.arn}/originals/*`);
  });

  it("deletes each setting with the bucket it configures (kept with a kept bucket, deleted when removed alone), and the notification with its functions", async () => {
    const build = (name: string, retainOnDelete: boolean) =>
      record(() => {
        const uploads = new UploadBucket(name, { retainOnDelete });
        uploads.replicate("us-west-2", "originals/");
        uploads.allowBrowserUploads("site", ["https://gallery.example.com"]);
        const fn = new LambdaFunction(`${name}-thumb`, { entry: "tests/fixtures/handlers/echo.ts" });
        uploads.notify({ thumbs: { function: fn, events: ["s3:ObjectCreated:*"] } });
      });
    for (const [name, retained] of [["keep", true], ["dev", false]] as const) {
      const graph = await build(name, retained);
      const buckets = ofType(graph, "aws:s3/bucket:Bucket");
      expect(buckets.map((b) => b.retainOnDelete), name).toEqual(buckets.map(() => retained));
      const settings = graph.filter((r) => r.type.startsWith("aws:s3/") && r.type !== "aws:s3/bucket:Bucket");
      // Per bucket (upload, its logs, replica, replica logs): access, ownership, encryption, lifecycle, policy; plus versioning x2, logging x2, replication, CORS, notification.
      expect(settings, name).toHaveLength(27);
      const [notification, ...rest] = [...ofType(graph, NOTIFICATION), ...settings.filter((s) => s.type !== NOTIFICATION)];
      const deletedWithItsBucket = (s: RecordedResource) => !s.retainOnDelete && s.deletedWith !== undefined && s.deletedWith === buckets.find((b) => b.id === s.inputs.bucket)?.urn;
      expect(rest.filter((s) => !deletedWithItsBucket(s)).map((s) => s.name), name).toEqual([]);
      // The thumbnail function it invokes is deleted by a destroy: a kept bucket keeps no notification naming it.
      expect([notification.deletedWith, notification.retainOnDelete], name).toEqual([undefined, false]);
      // IAM is no S3 setting: with a kept bucket the replication role and its policy go only with it; else as usual.
      const policy = resource(graph, "aws:iam/rolePolicy:RolePolicy", `${name}-us-west-2-replication-policy`);
      expect([policy.deletedWith, policy.retainOnDelete], name).toEqual([retained ? buckets.find((b) => b.name === `${name}-bucket`)!.urn : undefined, false]);
    }
  });

  it("keeps one CORS configuration per bucket: allowBrowserUploads names it after the bucket, with its earlier name <name>-cors-<suffix> as alias, and refuses a second call", async () => {
    let uploads!: UploadBucket;
    const graph = await record(() => {
      uploads = new UploadBucket("one");
      uploads.allowBrowserUploads("site", ["https://gallery.example.com"]);
    });
    const cors = ofType(graph, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration");
    expect(cors.map((c) => c.name)).toEqual(["one-cors"]);
    // A stack deployed when the name followed the suffix (one-cors-site) renames it in place instead of creating a second one.
    expect(cors[0].aliases).toContain(cors[0].urn.replace(/::one-cors$/, "::one-cors-site"));
    // PutBucketCors replaces the bucket's whole configuration: a second call's would replace the first's on every deploy.
    expect(() => uploads.allowBrowserUploads("admin", ["https://admin.example.com"])).toThrow(
      /^UploadBucket "one": allowBrowserUploads "admin" is called a second time; S3 keeps one CORS configuration per bucket, and each call's PutBucketCors would replace the other's\. Pass every origin to one allowBrowserUploads call/,
    );
  });

  it("refuses allowBrowserUploads origins S3 refuses: an empty list, or an origin with more than one * wildcard", () => {
    const uploads = new UploadBucket("origins");
    expect(() => uploads.allowBrowserUploads("site", [])).toThrow(
      /^UploadBucket "origins": allowBrowserUploads\(origins\) \[\] is empty; a CORS rule needs at least one AllowedOrigin\. Pass the site's origin, e\.g\. allowBrowserUploads\("site", \[site\.url\]\)\.$/,
    );
    expect(() => uploads.allowBrowserUploads("site", ["https://gallery.example.com", "https://*.*.example.com"])).toThrow(
      /^UploadBucket "origins": allowBrowserUploads\(origins\)\[1\] "https:\/\/\*\.\*\.example\.com" has 2 \* wildcards; S3 takes at most one per allowed origin\. Use one \*, e\.g\. "https:\/\/\*\.example\.com", or list the origins one by one\.$/,
    );
    // A refused call sets nothing: the bucket can still get its one CORS configuration.
    expect(() => uploads.allowBrowserUploads("site", ["https://*.example.com", "http://localhost:5173"])).not.toThrow();
  });

  it("switches access logging on once the log bucket's policy lets S3 deliver and its ownership is set", async () => {
    const graph = await record(() => new UploadBucket("ordered"));
    const logging = resource(graph, "aws:s3/bucketLogging:BucketLogging", "ordered-bucket-logging");
    expect(logging.dependencies).toEqual(expect.arrayContaining([
      resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "ordered-logs-policy").urn,
      resource(graph, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ordered-logs-ownership").urn,
    ]));
  });

  it("replicate(region) refuses what is not a region name before it builds a name or a resource from it", () => {
    expect(() => new UploadBucket("bad-region").replicate("us_west_2")).toThrow(/^UploadBucket "bad-region": replicate\(region\) "us_west_2" is not an AWS region name\. Use the region's code, in lower case, e\.g\. "us-west-2"\.$/);
    expect(() => new UploadBucket("no-region").replicate("")).toThrow(/replicate\(region\) "" is not an AWS region name/);
    expect(() => new UploadBucket("gov-region").replicate("us-gov-west-1")).not.toThrow();
    expect(() => new UploadBucket("sovereign-region").replicate("eusc-de-east-1")).not.toThrow();
  });

  it("rejects dotted bucket names", () => {
    expect(() => new UploadBucket("bad", { bucketName: "my.uploads" })).toThrow(/UploadBucket "bad": bucketName "my.uploads" contains a period/);
  });

  it("refuses a fixed bucketName on a bucket kept on delete, which the next deployment after a destroy could not create again", () => {
    expect(() => new UploadBucket("kept", { bucketName: "gallery-uploads", retainOnDelete: true })).toThrow(
      /^UploadBucket "kept": bucketName "gallery-uploads" is a fixed name on a bucket kept on delete \(retainOnDelete: true\): after `pulumi destroy` the kept bucket still holds the name, so the next `pulumi up` cannot create it \(S3 answers BucketAlreadyOwnedByYou; in us-east-1 the provider reports BucketAlreadyExists\), and neither can a replacement\. Leave bucketName unset \(Pulumi names the bucket "kept-bucket-<random suffix>", and a kept bucket never blocks the next deployment\), or keep the name with retainOnDelete: false and the resource option \{ protect: true \} on the UploadBucket, which its resources inherit: `pulumi destroy` then refuses until you unprotect them \(after that it deletes the bucket with its objects\), so the name is never created twice; until then protect also refuses an update that would replace or remove one of them\.$/,
    );
    expect(() => new UploadBucket("kept", { retainOnDelete: true })).not.toThrow();
  });

  it("keeps a fixed name with retainOnDelete false and protect on the component: the bucket, its log bucket and every setting are protected", async () => {
    const graph = await record(() => new UploadBucket("named", { bucketName: "gallery-uploads" }, { protect: true }));
    const bucket = resource(graph, "aws:s3/bucket:Bucket", "named-bucket");
    expect([bucket.inputs.bucket, bucket.retainOnDelete, bucket.protect]).toEqual(["gallery-uploads", false, true]);
    expect(graph.filter((r) => r.custom).length).toBeGreaterThan(10);
    expect(graph.filter((r) => r.custom && !r.protect).map((r) => r.name)).toEqual([]);
  });
});
