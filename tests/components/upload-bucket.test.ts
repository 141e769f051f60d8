import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { UploadBucket } from "../../components/upload-bucket";
import { resolveValue } from "../../local/offline/program";
import { ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";
import { ALL_RULES } from "../../testing/security-rules";

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
    expect(resource(graph, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "up-cors-site").inputs.corsRules[0]).toMatchObject({ allowedMethods: ["PUT", "GET", "HEAD"], allowedOrigins: ["https://gallery.example.com"] });
    for (const b of ofType(graph, "aws:s3/bucket:Bucket")) expect(b.retainOnDelete).toBe(true);
    for (const rule of ALL_RULES) expect(rule.check(graph, { stack: "prod", production: true }), rule.id).toEqual([]);
    const [grant] = uploads.grants("originals/", ["s3:PutObject"]);
    expect(grant.actions).toEqual(["s3:PutObject"]);
    expect(await resolveValue(grant.resources[0])).toBe(`${bucket.state.arn}/originals/*`);
  });

  it("retains every setting of a retained bucket (a destroy would strip them from the kept bucket), and none in dev", async () => {
    const build = (name: string, retainOnDelete: boolean) =>
      record(() => {
        const uploads = new UploadBucket(name, { retainOnDelete });
        uploads.replicate("us-west-2", "originals/");
        uploads.allowBrowserUploads("site", ["https://gallery.example.com"]);
        const fn = new LambdaFunction(`${name}-thumb`, { entry: "tests/fixtures/handlers/echo.ts" });
        uploads.notify({ thumbs: { function: fn, events: ["s3:ObjectCreated:*"] } });
      });
    const settings = (graph: RecordedResource[]) => graph.filter((r) => r.type.startsWith("aws:s3/") && r.type !== "aws:s3/bucket:Bucket");
    const kept = settings(await build("keep", true));
    // Per bucket (upload, its logs, replica, replica logs): access, ownership, encryption, lifecycle, policy; plus versioning x2, logging x2, replication, CORS, notification.
    expect(kept).toHaveLength(27);
    expect(kept.filter((r) => !r.retainOnDelete).map((r) => r.name)).toEqual([]);
    expect(settings(await build("dev", false)).filter((r) => r.retainOnDelete).map((r) => r.name)).toEqual([]);
  });

  it("switches access logging on once the log bucket's policy lets S3 deliver and its ownership is set", async () => {
    const graph = await record(() => new UploadBucket("ordered"));
    const logging = resource(graph, "aws:s3/bucketLogging:BucketLogging", "ordered-bucket-logging");
    expect(logging.dependencies).toEqual(expect.arrayContaining([
      resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "ordered-logs-policy").urn,
      resource(graph, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ordered-logs-ownership").urn,
    ]));
  });

  it("rejects dotted bucket names", () => {
    expect(() => new UploadBucket("bad", { bucketName: "my.uploads" })).toThrow(/UploadBucket "bad": bucketName "my.uploads" contains a period/);
  });
});
