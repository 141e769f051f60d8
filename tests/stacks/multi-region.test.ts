/**
 * Multi-region as stack config (docs/multi-region.md): prod's plan has both regional APIs with their domains and
 * certificates, latency records with health checks on the real health route, the site's /api/* on the routed name,
 * origin failover for the site, replication of the site and the originals, and RLS grants over every replica; dev
 * stays in one region.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, policyDocument, resource } from "../harness/mocks";
import { runStacks } from "./run-stack";

let runs: Map<string, OfflineRun>;
beforeAll(async () => {
  runs = await runStacks(["dev", "prod"]);
});

describe("prod in us-east-1 and us-west-2", () => {
  it("deploys the API in both regions, each with its own domain, certificate in that region and base path mapping", () => {
    const { resources } = runs.get("prod")!;
    const domains = ofType(resources, "aws:apigateway/domainName:DomainName");
    expect(domains.map((d) => [d.name, d.inputs.domainName, d.inputs.region ?? "us-east-1"]).sort()).toEqual([
      ["api-domain", "api.gallery.example.com", "us-east-1"],
      ["api-usw2-domain", "api.gallery.example.com", "us-west-2"],
    ]);
    for (const domain of domains) {
      const region = domain.inputs.region ?? "us-east-1";
      expect(String(domain.inputs.regionalCertificateArn).split(":")[3], domain.name).toBe(region);
    }
    expect(ofType(resources, "aws:apigateway/basePathMapping:BasePathMapping").map((m) => m.inputs.stageName)).toEqual(["prod", "prod"]);
  });

  it("tells the us-west-2 API's functions that the upload bucket is in us-east-1 (presigned URLs are signed for the bucket's region)", () => {
    const { resources } = runs.get("prod")!;
    const west = ofType(resources, "aws:lambda/function:Function").filter((fn) => fn.name.startsWith("api-usw2-") && fn.inputs.environment?.variables?.UPLOAD_BUCKET_NAME);
    expect(west.length).toBeGreaterThan(5);
    for (const fn of west) expect(fn.inputs.environment.variables.UPLOAD_BUCKET_REGION, fn.name).toBe("us-east-1");
  });

  it("has DELETE of a photo in either region send to the photo-removals queue in us-east-1, signed for us-east-1", () => {
    const { resources } = runs.get("prod")!;
    const queue = resource(resources, "aws:sqs/queue:Queue", "photo-removals-queue");
    expect(queue.inputs.region).toBeUndefined(); // the stack's own region, us-east-1
    // Held back 5 s, not one region's 1 s: a delete made in us-west-2 must replicate to the home table first.
    expect(queue.inputs.delaySeconds).toBe(5);
    for (const prefix of ["api", "api-usw2"]) {
      const fn = resource(resources, "aws:lambda/function:Function", `${prefix}-delete-albums-albumid-photos-photoid-function`);
      expect(fn.inputs.environment.variables, fn.name).toMatchObject({ PHOTO_REMOVALS_QUEUE_URL: queue.state.url, PHOTO_REMOVALS_QUEUE_REGION: "us-east-1" });
      const statements = policyDocument(resource(resources, "aws:iam/rolePolicy:RolePolicy", `${prefix}-delete-albums-albumid-photos-photoid-policy`).inputs.policy).Statement;
      expect(statements.filter((st) => st.Action.some((a: string) => a.startsWith("sqs:"))), fn.name).toEqual([expect.objectContaining({ Action: ["sqs:SendMessage"], Resource: [queue.state.arn] })]);
    }
  });

  it("lets the us-west-2 API read the originals' replica there: its name and region in the environment, GetObject on originals/ (SSE-S3: no key grant) and ListBucket, without which S3 answers a HEAD of an original not replicated yet 403 rather than 404", () => {
    const { resources } = runs.get("prod")!;
    const replica = ofType(resources, "aws:s3/bucket:Bucket").find((b) => b.name === "uploads-us-west-2-replica")!;
    const fn = resource(resources, "aws:lambda/function:Function", "api-usw2-get-albums-albumid-photos-photoid-function");
    expect(fn.inputs.environment.variables).toMatchObject({ ORIGINALS_REPLICA_BUCKET: replica.state.bucket, ORIGINALS_REPLICA_REGION: "us-west-2" });
    const statements = policyDocument(resource(resources, "aws:iam/rolePolicy:RolePolicy", "api-usw2-get-albums-albumid-photos-photoid-policy").inputs.policy).Statement;
    expect(statements.find((st) => st.Sid === "ReadOriginalsReplica")).toMatchObject({ Action: ["s3:GetObject"], Resource: [`${replica.state.arn}/originals/*`] });
    expect(statements.find((st) => st.Sid === "FindOriginalsReplica")).toMatchObject({ Action: ["s3:ListBucket"], Resource: [replica.state.arn] });
    expect(statements.find((st) => st.Sid === "DecryptOriginalsReplica")).toBeUndefined();
  });

  it("routes api.<domain> by latency, each region's record carrying a string-matching health check on GET /api/health", () => {
    const { resources } = runs.get("prod")!;
    const records = ofType(resources, "aws:route53/record:Record").filter((r) => r.inputs.name === "api.gallery.example.com");
    expect(records.map((r) => [r.inputs.type, r.inputs.setIdentifier, r.inputs.latencyRoutingPolicies[0].region]).sort()).toEqual([
      ["A", "us-east-1", "us-east-1"], ["A", "us-west-2", "us-west-2"], ["AAAA", "us-east-1", "us-east-1"], ["AAAA", "us-west-2", "us-west-2"],
    ]);
    const checks = ofType(resources, "aws:route53/healthCheck:HealthCheck").filter((c) => c.name.startsWith("api-routing"));
    expect(checks.map((c) => [c.inputs.type, c.inputs.resourcePath, c.inputs.searchString])).toEqual([
      ["HTTPS_STR_MATCH", "/prod/api/health", '"status":"ok"'],
      ["HTTPS_STR_MATCH", "/prod/api/health", '"status":"ok"'],
    ]);
    for (const r of records) expect(checks.map((c) => c.id)).toContain(r.inputs.healthCheckId);
  });

  it("sends the site's /api/* to the routed name, and fails the site over to its replica", () => {
    const { resources } = runs.get("prod")!;
    const cdn = resource(resources, "aws:cloudfront/distribution:Distribution", "site-cdn");
    const api = cdn.inputs.orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === "/api/*");
    expect(cdn.inputs.origins.find((o: { originId: string }) => o.originId === api.targetOriginId)).toMatchObject({ domainName: "api.gallery.example.com", originPath: "" });
    expect(cdn.inputs.originGroups[0].members).toEqual([{ originId: "site" }, { originId: "site-replica" }]);
    expect(cdn.inputs.defaultCacheBehavior.targetOriginId).toBe("site-failover");
  });

  it("replicates the site and the originals to us-west-2, and the tables", () => {
    const { resources } = runs.get("prod")!;
    const configs = ofType(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    expect(configs.map((c) => [c.name, c.inputs.rules[0].filter.prefix]).sort()).toEqual([["site-bucket-replication", ""], ["uploads-replication", "originals/"]]);
    for (const table of ["data-gallery", "data-preferences"]) {
      expect(resource(resources, "aws:dynamodb/table:Table", table).inputs.replicas.map((r: { regionName: string }) => r.regionName)).toEqual(["us-west-2"]);
    }
  });

  it("gives the us-west-2 functions the us-west-2 replica, and the identity pool's RLS every replica", () => {
    const { resources } = runs.get("prod")!;
    const gallery = String(resource(resources, "aws:dynamodb/table:Table", "data-gallery").state.arn);
    const west = policyDocument(resource(resources, "aws:iam/rolePolicy:RolePolicy", "api-usw2-get-albums-policy").inputs.policy);
    expect(west.Statement.flatMap((s) => s.Resource).filter((r: string) => r.includes(":dynamodb:"))).toEqual([gallery.replace(":us-east-1:", ":us-west-2:"), `${gallery.replace(":us-east-1:", ":us-west-2:")}/index/*`]);
    const rls = policyDocument(resource(resources, "aws:iam/rolePolicy:RolePolicy", "auth-authenticated-policy").inputs.policy);
    expect(rls.Statement.map((s) => String(s.Resource[0]).split(":")[3])).toEqual(["us-east-1", "us-west-2"]);
  });
});

describe("dev stays in one region", () => {
  it("has one API, no routing records, no replicas and no origin group", () => {
    const { resources } = runs.get("dev")!;
    expect(ofType(resources, "aws:apigateway/restApi:RestApi").map((a) => a.name)).toEqual(["api-api"]);
    expect(ofType(resources, "aws:route53/healthCheck:HealthCheck")).toEqual([]);
    expect(ofType(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toEqual([]);
    expect(resource(resources, "aws:cloudfront/distribution:Distribution", "site-cdn").inputs.originGroups).toBeUndefined();
  });
});
