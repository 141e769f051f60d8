/**
 * The deploy rules pass on what the components build when configured as AWS accepts — no false
 * alarms — and on hand-built graphs that do it right. (Where a component still builds something a
 * rule fails, the whole-stack test tests/stacks/deploy-rules.test.ts names it.)
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { BackupPlan } from "../../components/backup-plan";
import { DataTier } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { StaticSite } from "../../components/static-site";
import { UploadBucket } from "../../components/upload-bucket";
import { ServerlessApi } from "../../components/serverless-api";
import { RoutingPolicy } from "../../components/dns-routing";
import { RealtimeApi } from "../../components/realtime-api";
import { RegionalApis, type RegionalApisArgs } from "../../components/regional-apis";
import { UserAuth } from "../../components/user-auth";
import { mutate, record } from "../../testing/harness";
import { checkDeployRules, checkProjectDeployRules, formatFinding, SNAPSHOT_TYPES } from "../../testing/deploy-rules";
import type { RecordedResource } from "../../local/offline/mocks";
import { ofType } from "../../local/offline/graph";
import { devContext, handBuilt, of } from "./fixture";
import { accountLogging, api } from "./fixtures/apigateway";
import { realtime } from "./fixtures/apigatewayv2";
import { domainSite, edgeSite } from "./fixtures/cloudfront";
import { replica, table, writeScaling } from "./fixtures/dynamodb";
import { bucketEvents, scheduledFunction } from "./fixtures/events";
import { lambdaFunction } from "./fixtures/lambda-s3";

const prod = { ...devContext, stack: "prod", production: true };
const clean = (graph: readonly RecordedResource[], context = devContext) => checkDeployRules(graph, context).map(formatFinding);

describe("deploy rules pass on", () => {
  it("an upload bucket notifying a function with a failure queue, and a function on a cron schedule in a time zone", async () => {
    expect(clean(await bucketEvents())).toEqual([]);
    expect(clean(await scheduledFunction())).toEqual([]);
  });

  it("a site with a CloudFront Function on viewer-response and Lambda@Edge on origin-response", async () => {
    expect(clean(await edgeSite())).toEqual([]);
  });

  it("a site on a custom domain with the certificate StaticSite requests", async () => {
    expect(clean(await domainSite())).toEqual([]);
  });

  it("an API whose deployment depends on every part of the API", async () => {
    const graph = await api();
    const restApi = graph.find(of("aws:apigateway/restApi:RestApi"))!;
    const parts = graph.filter((r) => SNAPSHOT_TYPES.includes(r.type) && (r.inputs.restApi ?? r.inputs.restApiId) === restApi.id);
    expect(parts.length).toBeGreaterThan(5);
    const ordered = mutate(graph, of("aws:apigateway/deployment:Deployment"), (d) => ({ ...d, dependencies: [restApi.urn, ...parts.map((p) => p.urn)] }));
    expect(clean(ordered)).toEqual([]);
  });

  it("a WebSocket API (RealtimeApi) with its authorizer on $connect and its deployment after every route", async () => {
    expect(clean(await realtime())).toEqual([]);
  });

  it("one retained account setting whose role may write every log group, inline or through the managed policy", () => {
    expect(clean(accountLogging(["*"]))).toEqual([]);
    expect(clean(accountLogging(["arn:aws:logs:us-east-1:123456789012:log-group:*"]))).toEqual([]);
    const [role, , account] = accountLogging([]);
    const managed = handBuilt("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "logs-managed", { role: role.id, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" });
    expect(clean([role, managed, account])).toEqual([]);
    expect(checkProjectDeployRules([{ graph: [role, managed, account], context: prod }, { graph: [], context: devContext }])).toEqual([]);
  });

  it("a user pool with TOTP MFA, https and localhost callbacks, a valid prefix, and SES in production", async () => {
    const graph = await record(() => new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/", "http://localhost:3000/"], domain: { prefix: "gallery-test-login" } }));
    expect(clean(graph)).toEqual([]);
    const withSes = mutate(graph, of("aws:cognito/userPool:UserPool"), (p) => ({
      ...p,
      inputs: { ...p.inputs, emailConfiguration: { emailSendingAccount: "DEVELOPER", sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/example.com", fromEmailAddress: "no-reply@example.com" } },
    }));
    expect(clean(withSes, prod)).toEqual([]);
  });

  it("a retained user pool whose groups, identity pool and post-confirmation trigger UserAuth deletes only with it", async () => {
    const graph = await record(
      () =>
        new UserAuth("kept", {
          callbackUrls: ["https://gallery.example.com/"],
          groups: [{ name: "admin" }],
          triggers: { postConfirmation: { entry: "handlers/auth/post-confirmation.ts" } },
          retainOnDelete: true,
        }),
    );
    // Only the pool itself is retainOnDelete; its parts are deletedWith it (or with UserAuth, for the trigger).
    expect(graph.filter((r) => r.custom && r.retainOnDelete).map((r) => r.type)).toEqual(["aws:cognito/userPool:UserPool"]);
    expect(clean(graph)).toEqual([]);
    // Hand-built parts deletedWith the pool itself pass too.
    const pool = graph.find(of("aws:cognito/userPool:UserPool"))!;
    const withPool = graph.map((r) => (r.deletedWith ? { ...r, deletedWith: pool.urn } : r));
    expect(clean(withPool)).toEqual([]);
  });

  it("app callback URLs with a custom scheme", () => {
    const client = handBuilt("aws:cognito/userPoolClient:UserPoolClient", "client", { callbackUrls: ["myapp://signed-in", "https://a.example.com/cb"], defaultRedirectUri: "myapp://signed-in" });
    expect(clean([client])).toEqual([]);
  });

  it("different hosted UI prefixes per stack", () => {
    const domain = (prefix: string) => handBuilt("aws:cognito/userPoolDomain:UserPoolDomain", "domain", { domain: prefix, userPoolId: "p" });
    expect(checkProjectDeployRules([{ graph: [domain("gallery-dev")], context: devContext }, { graph: [domain("gallery-prod")], context: prod }])).toEqual([]);
    // The same prefix in two regions is two host names.
    expect(checkProjectDeployRules([{ graph: [domain("gallery")], context: devContext }, { graph: [domain("gallery")], context: { ...prod, region: "eu-west-1" } }])).toEqual([]);
  });

  it("an on-demand global table from DataTier, and a provisioned one from DataTier without replicas", async () => {
    const tables = {
      gallery: { attributes: { pk: "S" as const }, partitionKey: "pk", replicaRegions: ["us-west-2", "eu-west-1"] },
      counters: { attributes: { id: "S" as const }, partitionKey: "id", billing: "provisioned" as const, capacity: { read: { min: 5, max: 50 }, write: { min: 5, max: 50 } } },
    };
    expect(clean(await record(() => new DataTier("global", { tables })))).toEqual([]);
  });

  it("a provisioned table whose replica waits for its write scaling policy", () => {
    const [target, policy] = writeScaling();
    const provisioned = table({ billingMode: "PROVISIONED", streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
    expect(clean([provisioned, target, policy, replica("us-west-2", [policy.urn])])).toEqual([]);
  });

  it("a retained, locked and copied BackupPlan, whose vault names end in a suffix kept in state", async () => {
    const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/gallery";
    const graph = await record(() => new BackupPlan("kept", { resources: [tableArn], retentionDays: 35, copyRegion: "us-west-2", vaultLock: { minRetentionDays: 35, maxRetentionDays: 35 }, retainOnDelete: true }));
    expect(graph.filter((r) => r.type === "aws:backup/vault:Vault" && r.retainOnDelete)).toHaveLength(2);
    expect(clean(graph, prod)).toEqual([]);
  });

  it("a REST API with a canary: its stage and canary aliases, and each stage's execution log group", async () => {
    const graph = await record(
      () => new ServerlessApi("ca", { accountCloudWatchRole: false, stages: { dev: {}, prod: { canary: { percentTraffic: 10 } } }, routes: { "GET /items": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" } } }),
    );
    expect(ofType(graph, "aws:lambda/alias:Alias").map((a) => a.inputs.name).sort()).toEqual(["dev", "prod", "prod-canary"]);
    expect(clean(graph)).toEqual([]);
  });

  it("RegionalApis in two regions: dualstack domains under A and AAAA latency aliases, IPv4-only ones under A aliases alone", async () => {
    const args = (ipAddressType?: "ipv4"): RegionalApisArgs => ({
      regions: ["us-east-1", "us-west-2"],
      api: { stages: { prod: {} }, routes: { "GET /health": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" } } },
      domain: { name: "api.example.com", hostedZoneId: "Z0123456789EXAMPLE0000", ipAddressType },
      routing: { policy: RoutingPolicy.Latency },
    });
    const dual = await record(() => new RegionalApis("ds", args()));
    expect(ofType(dual, "aws:route53/record:Record").filter((r) => r.inputs.type === "AAAA")).toHaveLength(2);
    expect(clean(dual)).toEqual([]);
    expect(clean(await record(() => new RegionalApis("v4", args("ipv4"))))).toEqual([]);
  });

  it("a WebSocket API (RealtimeApi) on its default (dualstack) custom domain under A and AAAA aliases", async () => {
    const graph = await record(() => {
      const live = new RealtimeApi("wsd", {
        connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" },
        anonymous: true,
        routes: { $connect: { handler: "tests/fixtures/handlers/echo.ts" } },
        domain: { name: "live.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/live" },
      });
      const alias = { name: live.customDomain!.targetDomainName, zoneId: live.customDomain!.hostedZoneId, evaluateTargetHealth: false };
      for (const type of ["A", "AAAA"]) new aws.route53.Record(`wsd-${type.toLowerCase()}`, { zoneId: "Z0123456789EXAMPLE0000", name: "live.example.com", type, aliases: [alias] });
    });
    expect(ofType(graph, "aws:route53/record:Record").map((r) => r.inputs.type)).toEqual(["A", "AAAA"]);
    expect(clean(graph)).toEqual([]);
  });

  it("a LambdaFunction with the component's defaults", async () => {
    expect(clean(await lambdaFunction())).toEqual([]);
  });

  it("retained buckets (prod) with every setting deletedWith its bucket: a site with its replica, and uploads with a replica, browser CORS and a notification (deleted with its function)", async () => {
    const graph = await record(() => {
      new StaticSite("kept-site", { path: "tests/fixtures/site", replicaRegion: "us-west-2", retainOnDelete: true });
      const uploads = new UploadBucket("kept-up", { retainOnDelete: true });
      uploads.replicate("us-west-2", "originals/");
      uploads.allowBrowserUploads("site", ["https://gallery.example.com"]);
      const fn = new LambdaFunction("kept-thumb", { entry: "tests/fixtures/handlers/echo.ts", asyncInvoke: { maxRetryAttempts: 2, failureQueue: {} } });
      uploads.notify({ thumbs: { function: fn, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" } });
    });
    expect(graph.filter((r) => r.type === "aws:s3/bucket:Bucket" && r.retainOnDelete)).toHaveLength(8);
    expect(graph.filter((r) => r.type.startsWith("aws:s3/") && r.retainOnDelete && r.type !== "aws:s3/bucket:Bucket").map((r) => r.name)).toEqual([]);
    const [notification] = ofType(graph, "aws:s3/bucketNotification:BucketNotification");
    expect([notification.retainOnDelete, notification.deletedWith]).toEqual([false, undefined]);
    expect(clean(graph, prod)).toEqual([]);
  });

  it("a retained bucket whose public access block stays behind through skipDestroy, with a policy deletedWith it and a notification that is neither", () => {
    const kept = handBuilt("aws:s3/bucket:Bucket", "kept", {}, { state: { bucket: "gallery-kept" }, retainOnDelete: true });
    expect(clean([
      kept,
      handBuilt("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "kept-access", { bucket: kept.id, blockPublicAcls: true, skipDestroy: true }),
      handBuilt("aws:s3/bucketPolicy:BucketPolicy", "kept-policy", { bucket: kept.id, policy: "{}" }, { deletedWith: kept.urn }),
      handBuilt("aws:s3/bucketNotification:BucketNotification", "kept-notification", { bucket: kept.id, lambdaFunctions: [] }),
    ])).toEqual([]);
  });

  it("retained buckets the next deployment names anew: autonamed, a bucketPrefix (the provider appends a unique suffix), a name ending in a random value kept in state; and fixed names on buckets not kept (protected)", async () => {
    const suffix = handBuilt("random:index/randomString:RandomString", "kept-suffix", { length: 6 }, { state: { result: "q7x2ka" } });
    expect(clean([
      handBuilt("aws:s3/bucket:Bucket", "autonamed", {}, { retainOnDelete: true }),
      handBuilt("aws:s3/bucket:Bucket", "prefixed", { bucketPrefix: "gallery-archive-" }, { retainOnDelete: true }),
      suffix,
      handBuilt("aws:s3/bucket:Bucket", "suffixed", { bucket: "gallery-archive-q7x2ka" }, { retainOnDelete: true, dependencies: [suffix.urn] }),
      handBuilt("aws:s3/bucketV2:BucketV2", "named-protected", { bucket: "gallery-legacy" }, { protect: true }),
    ])).toEqual([]);
    const graph = await record(() => {
      new StaticSite("named-site", { path: "tests/fixtures/site", bucketName: "gallery-named-site", logs: { bucketName: "gallery-named-site-logs" } }, { protect: true });
      new UploadBucket("named-up", { bucketName: "gallery-named-uploads" }, { protect: true });
      new DataTier("named-data", { tables: { t: { attributes: { id: "S" }, partitionKey: "id" } }, export: { schedule: "rate(1 day)", bucketName: "gallery-named-exports" } }, { protect: true });
    });
    expect(ofType(graph, "aws:s3/bucket:Bucket").filter((b) => typeof b.inputs.bucket === "string").map((b) => [b.inputs.bucket, b.retainOnDelete, b.protect])).toEqual([
      ["gallery-named-site-logs", false, true],
      ["gallery-named-site", false, true],
      ["gallery-named-uploads", false, true],
      ["gallery-named-exports", false, true],
    ]);
    expect(clean(graph, prod)).toEqual([]);
  });

  it("dotted bucket names that are not CloudFront HTTPS origins, and generated names", () => {
    expect(clean([handBuilt("aws:s3/bucket:Bucket", "www", { bucket: "www.gallery.example", forceDestroy: true }, { state: { bucket: "www.gallery.example" } }), handBuilt("aws:s3/bucket:Bucket", "generated", { forceDestroy: true })])).toEqual([]);
  });
});
