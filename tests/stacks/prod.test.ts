import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { TAGGABLE_TYPES } from "../../components/tags";
import { byName, mutate, ofType, resource } from "../harness/mocks";
import { TAGGED } from "../../testing/security-rules/tags";
import { expectAllRulesPass, runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("prod");
});

describe("prod stack (index.ts with Pulumi.prod.yaml)", () => {
  it("passes every security rule, including production-only ones", () => expectAllRulesPass(run));

  it("serves the custom domain over TLS 1.2 with a certificate in us-east-1 and Route 53 aliases", () => {
    expect(run.outputs.siteUrl).toBe("https://gallery.example.com");
    const cdn = resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn");
    expect(cdn.inputs).toMatchObject({ aliases: ["gallery.example.com"], priceClass: "PriceClass_All" });
    expect(cdn.inputs.viewerCertificate.minimumProtocolVersion).toBe("TLSv1.2_2021");
    expect(resource(run.resources, "aws:acm/certificate:Certificate", "site-cert").inputs.region).toBe("us-east-1");
    expect(resource(run.resources, "aws:route53/record:Record", "site-a-gallery.example.com").inputs).toMatchObject({ zoneId: "Z0123456789EXAMPLE0000", name: "gallery.example.com" });
  });

  it("retains every bucket and keeps logs for a year", () => {
    for (const bucket of ofType(run.resources, "aws:s3/bucket:Bucket")) expect(bucket.retainOnDelete).toBe(true);
    const lifecycle = resource(run.resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "site-logs-lifecycle");
    expect(lifecycle.inputs.rules[0].expiration).toEqual({ days: 365 });
  });

  it("tags every taggable resource with app, stack and the stack's tags config (Pulumi.prod.yaml)", () => {
    const taggable = run.resources.filter((r) => r.custom && TAGGABLE_TYPES.has(r.type));
    expect(taggable.length).toBeGreaterThan(50);
    for (const r of taggable) expect(r.inputs.tags, `${r.type} ${r.name}`).toMatchObject({ app: "serverless-fullstack", stack: "prod", team: "gallery", "cost-center": "gallery-prod" });
    // A component's own tags stay beside the stack's (EdgeLogic's, which npm run edge-cleanup finds functions by).
    expect(resource(run.resources, "aws:lambda/function:Function", "edge-auth-function").inputs.tags).toMatchObject({ stack: "prod", "serverless-fullstack:edge-logic": "edge" });
  });

  it("Tagged fails on a taggable resource without the stack's tags", () => {
    const untagged = mutate(run.resources, byName("data-gallery"), (r) => ({ ...r, inputs: { ...r.inputs, tags: { team: "gallery" } } }));
    expect(TAGGED.check(untagged, { stack: "prod", production: true }).map((f) => `${f.resource}: ${f.problem}`)).toEqual(["aws:dynamodb/table:Table data-gallery: has no app or stack tag"]);
  });
});
