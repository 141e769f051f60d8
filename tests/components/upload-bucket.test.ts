import { describe, expect, it } from "vitest";
import { UploadBucket } from "../../components/upload-bucket";
import { resolveValue } from "../../local/offline/program";
import { ofType, policyDocument, record, resource } from "../harness/mocks";
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

  it("rejects dotted bucket names", () => {
    expect(() => new UploadBucket("bad", { bucketName: "my.uploads" })).toThrow(/UploadBucket "bad": bucketName "my.uploads" contains a period/);
  });
});
