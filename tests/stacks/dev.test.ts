import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";
import { expectAllRulesPass, runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("dev");
});

describe("dev stack (index.ts with Pulumi.dev.yaml)", () => {
  it("passes every security rule", () => expectAllRulesPass(run));

  it("serves the site on the CloudFront domain and lets the stack delete its buckets", () => {
    expect(run.outputs.siteUrl).toBe(`https://${run.outputs.distributionDomainName}`);
    const cdn = resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn");
    expect(cdn.inputs.viewerCertificate).toEqual({ cloudfrontDefaultCertificate: true });
    expect(cdn.inputs.priceClass).toBe("PriceClass_100");
    for (const bucket of ofType(run.resources, "aws:s3/bucket:Bucket")) expect(bucket.retainOnDelete).toBe(false);
  });

  it("reads logRetentionDays from the stack file", () => {
    const lifecycle = resource(run.resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "site-logs-lifecycle");
    expect(lifecycle.inputs.rules[0].expiration).toEqual({ days: 14 });
  });
});
