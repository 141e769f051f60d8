/**
 * checkPlanTransition on hand-made pairs of plans: each pair is a deployed plan and the next one, differing the way a
 * component change or a config change makes them differ, and the findings a second `pulumi up` between them must give.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { PrivateNetwork } from "../../components/private-network";
import { BucketEvents } from "../../components/bucket-events";
import { LambdaFunction } from "../../components/lambda/function";
import { UploadBucket } from "../../components/upload-bucket";
import { record as recordProgram } from "../../testing/harness";
import { BackupPlan, type BackupVaultLock } from "../../components/backup-plan";
import { DataTier, type TableArgs } from "../../components/data-tier";
import { UserAuth } from "../../components/user-auth";
import { ServerlessApi, type ApiAuthorizer, type ServerlessApiArgs } from "../../components/serverless-api";
import { StaticSite } from "../../components/static-site";
import { acceptTransitionFindings, checkPlanTransition, formatFinding, parseAcceptance, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { withCascadedReplacements } from "../../testing/deploy-rules/replacements";
import { handBuilt } from "./fixture";
import { realtimeOn } from "./fixtures/apigatewayv2";
import { asEarlierCanaryVersion } from "../harness/earlier-canary";

const MODEL = "aws:apigateway/model:Model";
const RECORD = "aws:route53/record:Record";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const POOL_DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:ops-alarms-1234567";
const CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration";
const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const REST_DOMAIN = "aws:apigateway/domainName:DomainName";
const V2_DOMAIN = "aws:apigatewayv2/domainName:DomainName";
const ZONE = "Z0123456789EXAMPLE0000";
const cdn = { name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false };
const standby = { name: "d222222abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false };

const model = (logical: string) => handBuilt(MODEL, logical, { restApi: "rest-1", name: "PostAlbumsBody", contentType: "application/json", schema: "{}" });
const record = (logical: string, inputs: Record<string, any>, more: Partial<RecordedResource> = {}) => handBuilt(RECORD, logical, { zoneId: ZONE, type: "A", aliases: [cdn], ...inputs }, more);
const subscription = (logical: string, endpoint: string, more: Partial<RecordedResource> = {}) => handBuilt(SUBSCRIPTION, logical, { topic: TOPIC_ARN, protocol: "email", endpoint }, more);
const urnOf = (logical: string) => handBuilt(RECORD, logical, {}).urn;
const rules = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" }).map((f) => [f.rule, f.resource]);

describe("checkPlanTransition: a name taken by a new resource while the removed one still holds it", () => {
  it("finds the ServerlessApi model whose logical name follows basePath (api → v1) but whose model name does not", () => {
    const findings = checkPlanTransition([model("api-model-post-api-albums")], [model("api-model-post-v1-albums")], { stack: "prod" });
    expect(findings).toEqual([
      {
        rule: "TransitionNameTaken",
        stack: "prod",
        resource: `${MODEL} api-model-post-v1-albums`,
        problem: expect.stringMatching(/^is created by the update as API Gateway model "PostAlbumsBody" of REST API rest-1; aws:apigateway\/model:Model api-model-post-api-albums of the deployed plan holds the name and is removed from the program, which Pulumi deletes only at the end of the update, after every create\. CreateModel is refused \(ConflictException\)/),
        fix: expect.stringContaining('aliases: [{ name: "api-model-post-api-albums" }]'),
        urn: `urn:pulumi:dev::fixture::${MODEL}::api-model-post-v1-albums`,
      },
    ]);
    expect(formatFinding(findings[0])).toMatch(/^prod: \[TransitionNameTaken\] aws:apigateway\/model:Model api-model-post-v1-albums: is created/);
  });

  it("honours an ignoreChanges path below a replaceOnChanges input (named, or every input by *): a change only under it keeps the record, one elsewhere replaces it create-first", () => {
    const replacing = (replaceOnChanges: string[], ignoreChanges: string[], alias: Record<string, unknown>) => record("site-a-0", { name: "a.example.com", aliases: [alias] }, { replaceOnChanges, ignoreChanges });
    const deployed = [record("site-a-0", { name: "a.example.com" })];
    const health = { ...cdn, evaluateTargetHealth: true };
    for (const requested of [["aliases"], ["*"]]) {
      expect(rules(deployed, [replacing(requested, [], health)])).toEqual([["TransitionNameTaken", `${RECORD} site-a-0`]]);
      expect(rules(deployed, [replacing(requested, ["aliases[*].evaluateTargetHealth"], health)])).toEqual([]);
      expect(rules(deployed, [replacing(requested, ["aliases[*].evaluateTargetHealth"], { ...standby, evaluateTargetHealth: true })])).toEqual([["TransitionNameTaken", `${RECORD} site-a-0`]]);
      expect(rules(deployed, [replacing(requested, ["aliases"], { ...standby, evaluateTargetHealth: true })])).toEqual([]);
    }
  });

  it("finds both StaticSite records when domain aliases [a, b] are reordered to [b, a] (records keyed by index)", () => {
    const before = [record("site-a-0", { name: "a.example.com" }), record("site-a-1", { name: "b.example.com" })];
    const after = [record("site-a-0", { name: "b.example.com" }), record("site-a-1", { name: "a.example.com" })];
    const findings = checkPlanTransition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([
      ["TransitionNameTaken", `${RECORD} site-a-0`],
      ["TransitionNameTaken", `${RECORD} site-a-1`],
    ]);
    expect(findings[0].problem).toMatch(/^is replaced create-before-delete \(a replace-forcing input changed\) as Route 53 record b\.example\.com A in zone Z0123456789EXAMPLE0000; aws:route53\/record:Record site-a-1 holds the name in the deployed plan and is replaced under another name, but its old copy, which keeps this name, is deleted only at the end of the update\. ChangeResourceRecordSets is refused/);
    expect(findings[0].fix).toMatch(/key these resources by their physical name/);
  });

  it("finds a Monitoring dashboard renamed (ops → monitoring) with the same dashboardName: PutDashboard succeeds, the old delete removes it", () => {
    const dashboard = (logical: string) => handBuilt(DASHBOARD, logical, { dashboardName: "serverless-fullstack-prod", dashboardBody: "{}" });
    const findings = checkPlanTransition([dashboard("ops-dashboard")], [dashboard("monitoring-dashboard")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${DASHBOARD} monitoring-dashboard`]]);
    expect(findings[0].problem).toMatch(/PutDashboard overwrites the existing dashboard, so the create succeeds; then the delete of the old copy removes the only CloudWatch dashboard of that name/);
  });

  it("finds Monitoring's email subscriptions keyed by position when alarmEmails [a, b] becomes [b]: Subscribe returns b's subscription, which the removed email-1 unsubscribes", () => {
    const before = [subscription("ops-alarms-email-0", "a@x.io"), subscription("ops-alarms-email-1", "b@x.io")];
    const after = [subscription("ops-alarms-email-0", "b@x.io")];
    const findings = checkPlanTransition(before, after, { stack: "prod" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${SUBSCRIPTION} ops-alarms-email-0`]]);
    expect(findings[0].problem).toMatch(
      /^is replaced create-before-delete \(a replace-forcing input changed\) as SNS topic subscription email b…@x\.io \(sha256:[0-9a-f]{8}\) to topic arn:aws:sns:us-east-1:123456789012:ops-alarms-1234567; aws:sns\/topicSubscription:TopicSubscription ops-alarms-email-1 of the deployed plan holds the name and is removed from the program, .*Subscribe for an endpoint already subscribed to the topic returns the existing subscription's ARN \(with the same attributes; with others it is refused instead, "Subscription already exists with different attributes".*\), so the create succeeds; then the delete of the old copy removes the only SNS topic subscription of that name/,
    );
    // Monitoring's subscriptions have no dead-letter queue: nothing of Topic's is said of them (review 102 F6).
    expect(findings[0].problem).not.toMatch(/Topic component|dead-letter/);
    // The address is masked (findings reach CI logs); its digest's start tells masked addresses apart.
    expect(findings[0].problem).not.toContain("b@x.io");
    // The same through a saved plan, which keeps the endpoints as digests.
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(before, { stack: "prod", region: "us-east-1" }))).resources;
    expect(rules(saved, after)).toEqual([["TransitionNameOverwritten", `${SUBSCRIPTION} ops-alarms-email-0`]]);
    expect(rules(saved, before)).toEqual([]);
    // email-0 is deployed under its own URN, so an alias would not be followed: the fix is to key by address.
    expect(findings[0].fix).toMatch(/^key these resources by their physical name rather than by position/);
    // [a] → [c, a]: email-1 subscribes a again and gets a's subscription, which email-0's old copy unsubscribes at the end.
    expect(rules([subscription("ops-alarms-email-0", "a@x.io")], [subscription("ops-alarms-email-0", "c@x.io"), subscription("ops-alarms-email-1", "a@x.io")])).toEqual([["TransitionNameOverwritten", `${SUBSCRIPTION} ops-alarms-email-1`]]);
    // Keyed by address, the remaining subscription keeps its URN: nothing is created for b.
    expect(rules([subscription("ops-alarms-email-aaaa", "a@x.io"), subscription("ops-alarms-email-bbbb", "b@x.io")], [subscription("ops-alarms-email-bbbb", "b@x.io")])).toEqual([]);
  });

  it("finds a subscription of the same address, topic and protocol under a new name, and passes one to another topic, by another protocol, or whose old copy is retained", () => {
    const other = (logical: string, inputs: Record<string, any>) => handBuilt(SUBSCRIPTION, logical, { topic: TOPIC_ARN, protocol: "email", endpoint: "a@x.io", ...inputs });
    const before = [subscription("ops-alarms-email-0", "a@x.io")];
    // The baseline each case below changes one input of: Subscribe hands "new" the deployed subscription, which the removed one's delete ends.
    expect(rules(before, [other("new", {})])).toEqual([["TransitionNameOverwritten", `${SUBSCRIPTION} new`]]);
    expect(rules(before, [other("new", { topic: "arn:aws:sns:us-west-2:123456789012:ops-alarms-7654321" })])).toEqual([]);
    expect(rules(before, [other("new", { protocol: "email-json" })])).toEqual([]);
    expect(rules([{ ...before[0], retainOnDelete: true }], [other("new", {})])).toEqual([]);
  });

  it("lets a removed retained dashboard be taken over (its delete is skipped, nothing is lost), but not a removed retained record", () => {
    const dashboard = (logical: string, more: Partial<RecordedResource> = {}) => handBuilt(DASHBOARD, logical, { dashboardName: "ops", dashboardBody: "{}" }, more);
    expect(rules([dashboard("ops-dashboard", { retainOnDelete: true })], [dashboard("monitoring-dashboard")])).toEqual([]);
    expect(rules([record("site-a-0", { name: "a.example.com" }, { retainOnDelete: true })], [record("site-a", { name: "a.example.com" })])).toEqual([["TransitionNameTaken", `${RECORD} site-a`]]);
  });
});

describe("checkPlanTransition: accepting a finding after review", () => {
  const before = [model("api-model-post-api-albums")];
  const after = [model("api-model-post-v1-albums")];

  it("leaves out a finding named in accept by its rule and its resource's URN, which every finding carries", () => {
    const [found] = checkPlanTransition(before, after, { stack: "prod" });
    expect([found.rule, found.urn]).toEqual(["TransitionNameTaken", after[0].urn]);
    expect(checkPlanTransition(before, after, { stack: "prod" }, { accept: [`TransitionNameTaken:${after[0].urn}`] })).toEqual([]);
    // Another rule on that resource, or the rule on another resource, accepts nothing.
    expect(checkPlanTransition(before, after, {}, { accept: [`TransitionStatefulReplaced:${after[0].urn}`, `TransitionNameTaken:${before[0].urn}`] }).map((f) => f.rule)).toEqual(["TransitionNameTaken"]);
  });

  it("says which findings were accepted and which acceptances matched none", () => {
    const findings = checkPlanTransition(before, after);
    const stale = `TransitionStatefulReplaced:${after[0].urn}`;
    expect(acceptTransitionFindings(findings, [`TransitionNameTaken:${after[0].urn}`, stale])).toEqual({ findings: [], accepted: findings, unused: [stale] });
  });

  it("refuses an acceptance that is not <Rule>:<urn> of a transition rule", () => {
    expect(() => checkPlanTransition(before, after, {}, { accept: ["TransitionNameTaken"] })).toThrow(
      'accept "TransitionNameTaken" names no resource: write <Rule>:<urn>, as npm run plan -- --since prints it under the finding',
    );
    expect(() => parseAcceptance(`S3BucketName:${after[0].urn}`)).toThrow(/^accept "S3BucketName:urn:pulumi:.*": S3BucketName is not a transition rule \(TransitionNameTaken, TransitionNameOverwritten, /);
  });
});

describe("checkPlanTransition: an S3 bucket's one configuration moved to a new logical name", () => {
  // PutBucketCors and PutBucketNotificationConfiguration replace the bucket's whole configuration (an upsert), and the
  // removed resource's delete at the end of the update takes it off the bucket: DeleteBucketCors, or an empty
  // notification configuration (terraform-provider-aws bucket_cors_configuration.go, bucket_notification.go).
  const corsRule = { allowedMethods: ["PUT", "GET", "HEAD"], allowedOrigins: ["https://a.example"] };
  /** An UploadBucket with one CORS configuration named `logical` beside it, as a program (or UploadBucket before it kept one per bucket) names it. */
  const uploadsWithCors = (logical: string) =>
    recordProgram(() => {
      const uploads = new UploadBucket("u");
      new aws.s3.BucketCorsConfiguration(logical, { bucket: uploads.nodes.bucket.id, corsRules: [corsRule] }, { parent: uploads, deletedWith: uploads.nodes.bucket });
    });

  it("finds a CORS configuration moved from u-cors-site to u-cors-web on the same bucket: the old one's DeleteBucketCors removes it", async () => {
    const findings = checkPlanTransition(await uploadsWithCors("u-cors-site"), await uploadsWithCors("u-cors-web"), { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${CORS} u-cors-web`]]);
    expect(findings[0].problem).toMatch(/^is created by the update as S3 CORS configuration of bucket u-bucket-\w+; \S+ u-cors-site of the deployed plan holds the name and is removed from the program, .*PutBucketCors replaces the bucket's whole CORS configuration, so the create succeeds; then the delete of the old copy removes/);
    expect(findings[0].fix).toContain('aliases: [{ name: "u-cors-site" }]');
  });

  it("finds notify's notification replaced by a standalone BucketEvents on the same bucket: the old one's delete puts an empty configuration", async () => {
    const thumbnails = () => new LambdaFunction("thumb", { entry: "tests/fixtures/handlers/echo.ts" });
    const subscriptions = (fn: LambdaFunction) => ({ thumbs: { function: fn, events: ["s3:ObjectCreated:*"] } });
    const before = await recordProgram(() => new UploadBucket("u").notify(subscriptions(thumbnails())));
    const after = await recordProgram(() => new BucketEvents("thumbs", { bucket: new UploadBucket("u").nodes.bucket, subscriptions: subscriptions(thumbnails()) }));
    const findings = checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${NOTIFICATION} thumbs-notification`]]);
    expect(findings[0].problem).toMatch(/PutBucketNotificationConfiguration replaces the bucket's whole notification configuration, so the create succeeds/);
    // docs/events.md: the standalone BucketEvents with notify's name as alias is the deployed one renamed.
    const renamed = await recordProgram(() => {
      const uploads = new UploadBucket("u");
      new BucketEvents("thumbs", { bucket: uploads.nodes.bucket, subscriptions: subscriptions(thumbnails()) }, { aliases: [{ name: "u-events", parent: uploads }] });
    });
    expect(checkPlanTransition(before, renamed).map(formatFinding)).toEqual([]);
  });

  it("passes UploadBucket's CORS configuration from a stack deployed as u-cors-site (alias) and across suffix changes; finds the suffix changed in the same update", async () => {
    const uploads = (suffix: string) => recordProgram(() => new UploadBucket("u").allowBrowserUploads(suffix, [corsRule.allowedOrigins[0]]));
    const deployedAsSite = await uploadsWithCors("u-cors-site");
    expect(checkPlanTransition(deployedAsSite, await uploads("site")).map(formatFinding)).toEqual([]);
    expect(checkPlanTransition(await uploads("site"), await uploads("web")).map(formatFinding)).toEqual([]);
    // The alias names the suffix of the call: a deployed u-cors-site and a call with "web" are two configurations.
    expect(rules(deployedAsSite, await uploads("web"))).toEqual([["TransitionNameOverwritten", `${CORS} u-cors`]]);
  });

  it("passes the configuration kept on its logical name, moved to another bucket, or replaced with the bucket it configures", async () => {
    expect(rules(await uploadsWithCors("u-cors-site"), await uploadsWithCors("u-cors-site"))).toEqual([]);
    const cors = (logical: string, bucket: string, more: Partial<RecordedResource> = {}) => handBuilt(CORS, logical, { bucket, corsRules: [corsRule] }, more);
    expect(rules([cors("a", "bucket-1")], [cors("b", "bucket-2")])).toEqual([]);
    // A change of expectedBucketOwner replaces it create-first under the same bucket: the old copy's delete removes it.
    expect(rules([cors("a", "bucket-1")], [cors("a", "bucket-1", { inputs: { bucket: "bucket-1", corsRules: [corsRule], expectedBucketOwner: "123456789012" } })])).toEqual([["TransitionNameOverwritten", `${CORS} a`]]);
  });
});

describe("checkPlanTransition: API Gateway custom domains (REST and v2 share one set of names per region)", () => {
  const liveDomain = { name: "live.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/live" };

  it("finds a RealtimeApi with a custom domain renamed (rt → rt2) without aliases: its new v2 domain is created while rt-domain holds the name", async () => {
    const findings = checkPlanTransition(await recordProgram(() => realtimeOn("rt", liveDomain)), await recordProgram(() => realtimeOn("rt2", liveDomain)), { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${V2_DOMAIN} rt2-domain`]]);
    expect(findings[0].problem).toMatch(/^is created by the update as API Gateway custom domain live\.example\.com; aws:apigatewayv2\/domainName:DomainName rt-domain of the deployed plan holds the name and is removed from the program/);
    expect(findings[0].fix).toMatch(/aliases: \[\{ name: "rt-domain" \}\]/);
  });

  it("finds a REST API's domain given up for a WebSocket API's domain of the same name (in any case) in one update, but not in another region", () => {
    const rest = handBuilt(REST_DOMAIN, "api-domain", { domainName: "live.example.com", regionalCertificateArn: liveDomain.certificateArn });
    const v2 = (inputs: Record<string, any> = {}) => handBuilt(V2_DOMAIN, "live-domain", { domainName: "Live.Example.com", domainNameConfiguration: { certificateArn: liveDomain.certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" }, ...inputs });
    expect(rules([rest], [v2()])).toEqual([["TransitionNameTaken", `${V2_DOMAIN} live-domain`]]);
    expect(rules([rest], [v2({ region: "us-west-2" })])).toEqual([]);
    // A private REST API's domain name need not be unique: giving it up frees nothing the v2 domain needs.
    expect(rules([{ ...rest, inputs: { ...rest.inputs, endpointConfiguration: { types: "PRIVATE" } } }], [v2()])).toEqual([]);
  });
});

describe("checkPlanTransition: edge-optimized REST custom domains, one name everywhere", () => {
  const edge = (logical: string, inputs: Record<string, unknown>) => handBuilt(REST_DOMAIN, logical, { domainName: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/edge", ...inputs });

  it("finds an edge domain created in another region while the removed one holds its name, whether EDGE is stated or follows from certificateArn", () => {
    expect(rules([edge("old", { endpointConfiguration: { types: "EDGE" } })], [edge("new", { endpointConfiguration: { types: "EDGE" }, region: "us-west-2" })])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} new`]]);
    expect(rules([edge("old", {})], [edge("new", { region: "us-west-2" })])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} new`]]);
    // Through a saved plan, which keeps the certificate's ARN (not secret) to tell an edge domain.
    const saved = readSavedPlan(JSON.stringify(toSavedPlan([edge("old", {})], { stack: "prod", region: "us-east-1" }))).resources;
    expect(rules(saved, [edge("new", { region: "us-west-2" })])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} new`]]);
    // Regional domains of one name in two regions are two names.
    const regional = (logical: string, region: string) => handBuilt(REST_DOMAIN, logical, { domainName: "api.example.com", regionalCertificateArn: "arn:aws:acm:x", endpointConfiguration: { types: "REGIONAL" }, region });
    expect(rules([regional("old", "us-east-1")], [regional("new", "us-west-2")])).toEqual([]);
  });

  it("finds an edge domain created while a regional one of its name (in any region) is removed, and the reverse", () => {
    const regional = (logical: string, region: string, domainName = "api.example.com") =>
      handBuilt(REST_DOMAIN, logical, { domainName, regionalCertificateArn: `arn:aws:acm:${region}:123456789012:certificate/r`, endpointConfiguration: { types: "REGIONAL" }, region });
    const v2 = (logical: string, region: string) => handBuilt(V2_DOMAIN, logical, { domainName: "API.example.com", domainNameConfiguration: { certificateArn: "arn:aws:acm:x", endpointType: "REGIONAL", securityPolicy: "TLS_1_2" }, region });
    expect(rules([regional("old", "us-east-1")], [edge("new", { endpointConfiguration: { types: "EDGE" } })])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} new`]]);
    expect(rules([regional("old", "us-west-2")], [edge("new", {})])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} new`]]);
    expect(rules([v2("old", "eu-west-1")], [edge("new", {})])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} new`]]);
    expect(rules([edge("old", {})], [regional("new", "us-west-2")])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} new`]]);
    expect(rules([edge("old", {})], [v2("new", "us-west-2")])).toEqual([["TransitionNameTaken", `${V2_DOMAIN} new`]]);
    // Another name, and one domain moved between the endpoint types in place (UpdateDomainName), take nothing.
    expect(rules([regional("old", "us-east-1", "other.example.com")], [edge("new", {})])).toEqual([]);
    expect(rules([regional("api-domain", "us-east-1")], [edge("api-domain", { endpointConfiguration: { types: "EDGE" } })])).toEqual([]);
  });
});

describe("checkPlanTransition: a replacement that keeps its required name", () => {
  it("finds a record replaced in place (replaceOnChanges) under the same name without deleteBeforeReplace", () => {
    const before = [record("site-a-0", { name: "gallery.example.com" }, { replaceOnChanges: ["aliases"] })];
    const after = [record("site-a-0", { name: "gallery.example.com", aliases: [standby] }, { replaceOnChanges: ["aliases"] })];
    const findings = checkPlanTransition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${RECORD} site-a-0`]]);
    expect(findings[0].problem).toMatch(/its deployed copy keeps the name until the new one exists \(the name is a required input, not an autoname field/);
    expect(findings[0].fix).toMatch(/^set deleteBeforeReplace: true on site-a-0/);
    // deleteBeforeReplace on the new registration fixes it.
    expect(rules(before, [{ ...after[0], deleteBeforeReplace: true }])).toEqual([]);
  });

  it("compares replaceOnChanges against a saved plan only on the inputs it holds, digests as digests", () => {
    const STAGE_TYPE = "aws:apigateway/stage:Stage";
    const context = { stack: "prod", region: "us-east-1" };
    const saved = (graph: RecordedResource[]) => readSavedPlan(JSON.stringify(toSavedPlan(graph, context))).resources;
    const stage = (deployment: string, token: string, replaceOnChanges: string[]) =>
      handBuilt(
        STAGE_TYPE,
        "api-stage-prod",
        { restApi: "rest-1", stageName: "prod", deployment, variables: { token }, canarySettings: { percentTraffic: 10, deploymentId: deployment, stageVariableOverrides: { token } } },
        { replaceOnChanges },
      );
    const replaced = [["TransitionNameTaken", `${STAGE_TYPE} api-stage-prod`]];
    // "*": a held input that changes replaces the stage create-first under its name; the saved plan holds no variables.
    expect(rules(saved([stage("dep-1", "a", ["*"])]), [stage("dep-2", "a", ["*"])])).toEqual(replaced);
    expect(rules(saved([stage("dep-1", "a", ["*"])]), [stage("dep-1", "a", ["*"])])).toEqual([]);
    expect(rules(saved([stage("dep-1", "a", ["*"])]), [stage("dep-1", "b", ["*"])])).toEqual([]);
    // A recording holds them all.
    expect(rules([stage("dep-1", "a", ["*"])], [stage("dep-1", "b", ["*"])])).toEqual(replaced);
    // A requested input the saved plan does not hold is not compared.
    expect(rules([stage("dep-1", "a", ["variables"])], [stage("dep-1", "b", ["variables"])])).toEqual(replaced);
    expect(rules(saved([stage("dep-1", "a", ["variables"])]), [stage("dep-1", "a", ["variables"])])).toEqual([]);
    // An ignored path the saved plan holds exactly (a canary's deploymentId) is put back, as the engine puts it back.
    const canaryTo = (deploymentId: string) =>
      handBuilt(
        STAGE_TYPE,
        "api-stage-prod",
        { restApi: "rest-1", stageName: "prod", deployment: "dep-1", variables: { token: "a" }, canarySettings: { percentTraffic: 10, deploymentId, stageVariableOverrides: { token: "a" } } },
        { replaceOnChanges: ["*"], ignoreChanges: ["canarySettings.deploymentId"] },
      );
    expect(rules(saved([canaryTo("dep-1")]), [canaryTo("dep-2")])).toEqual([]);
    expect(rules([canaryTo("dep-1")], [canaryTo("dep-2")])).toEqual([]);
    // A subscription's endpoint is saved as its digest, and compared so.
    const sub = subscription("ops-alarms-email-a", "a@x.io", { replaceOnChanges: ["*"] });
    expect(rules(saved([sub]), [sub])).toEqual([]);
  });

  it("compares a named type's replace-forcing inputs against a saved plan only on those it holds: one a plan saved by an earlier version lacks is unknown, not unset", () => {
    const context = { stack: "prod", region: "us-east-1" };
    const domain = (inputs: Record<string, unknown>) => handBuilt(REST_DOMAIN, "api-domain", { domainName: "api.example.com", endpointConfiguration: { types: ["REGIONAL"] }, ...inputs });
    const saved = readSavedPlan(JSON.stringify(toSavedPlan([domain({})], context))).resources;
    const imported = domain({ certificateBody: "-----BEGIN CERTIFICATE-----", certificatePrivateKey: "-----BEGIN PRIVATE KEY-----" });
    // Held (unset), then set: a create-first replacement under the same name.
    expect(rules(saved, [imported])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} api-domain`]]);
    // A plan whose savedInputs do not list the certificate (kept since a later version) cannot tell: no replacement is judged.
    const earlier = saved.map((r) => ({ ...r, savedInputs: ["domainName", "endpointConfiguration", "region"] }));
    expect(rules(earlier, [imported])).toEqual([]);
  });

  it("finds a user pool domain whose pool is replaced while the domain prefix stays", () => {
    const domain = (pool: string) => handBuilt(POOL_DOMAIN, "auth-domain", { domain: "gallery-prod-auth", userPoolId: pool });
    expect(rules([domain("us-east-1_AAAA")], [domain("us-east-1_BBBB")])).toEqual([["TransitionNameTaken", `${POOL_DOMAIN} auth-domain`]]);
  });

  it("passes a model replaced under its hand-set name (the bridge replaces it delete-first), unless it is retained", () => {
    const before = model("api-model-post-albums");
    const after = handBuilt(MODEL, "api-model-post-albums", { ...before.inputs, contentType: "application/vnd.api+json" });
    expect(rules([before], [after])).toEqual([]);
    expect(rules([{ ...before, retainOnDelete: true }], [after])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    // deleteBeforeReplace: false given by the program overrides the bridge's delete-first (step_generator.go): create-first.
    const createFirst = transitionOf([before], [{ ...after, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true }]);
    expect(createFirst.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    expect(createFirst[0].problem).toMatch(/^is replaced create-before-delete/);
    // Replaced by replaceOnChanges alone (schema is patched in place): the provider's Diff asks no replacement, so the
    // bridge's delete-first for the name does not apply (provider.go: `len(replaces) > 0 && ...`) and the engine keeps
    // its answer (step_generator.go applyReplaceOnChanges): create-first under the same name.
    const bySchema = { ...before, inputs: { ...before.inputs, schema: '{"type":"object"}' }, replaceOnChanges: ["schema"] };
    expect(rules([before], [bySchema])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    expect(rules([before], [{ ...bySchema, inputs: { ...bySchema.inputs, contentType: "application/vnd.api+json" } }])).toEqual([]);
  });

  it("finds a model named by hand replaced for its replaceWith: the engine replaces it without asking the provider, so create-first under the same name", () => {
    // pulumi step_generator.go diff: a replaced replaceWith target returns `ReplaceKeys: ["replaceWith"]` before the
    // provider's Diff, DeleteBeforeReplace unset (false), even when the model's own contentType changes too.
    const sg = (vpcId: string) => handBuilt("aws:ec2/securityGroup:SecurityGroup", "api-sg", { description: "Managed by Pulumi", vpcId }, { id: "sg-0123456789" });
    const before = { ...model("api-model-post-albums"), replaceWith: [sg("vpc-1").urn] };
    const contentType = { ...before, inputs: { ...before.inputs, contentType: "application/vnd.api+json" } };
    // The target kept: the bridge's delete-first for the hand-set name applies (no finding).
    expect(rules([sg("vpc-1"), before], [sg("vpc-1"), contentType])).toEqual([]);
    // The target replaced (vpcId is ForceNew): create-first, with or without a change of the model's own.
    for (const after of [contentType, before]) {
      const findings = checkPlanTransition([sg("vpc-1"), before], [sg("vpc-2"), after], { stack: "prod" });
      expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
      expect(findings[0].problem).toMatch(/^is replaced create-before-delete \(replaceWith: api-sg replaced\) as API Gateway model "PostAlbumsBody" of REST API rest-1; its deployed copy keeps the name until the new one exists \(the engine replaces it for its replaceWith without asking the provider/);
    }
    // deleteBeforeReplace: true given by the program: delete-first.
    expect(rules([sg("vpc-1"), before], [sg("vpc-2"), { ...contentType, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true }])).toEqual([]);
    // The target replaced delete-first: the engine deletes the model before it (step_generator.go
    // findDependentCascadeReplacements in the delete-before-replace branch), whatever the model's own options, so the
    // name is free when the new model is created.
    const sgFirst = { ...sg("vpc-2"), deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
    expect(rules([sg("vpc-1"), before], [sgFirst, before])).toEqual([]);
    expect(rules([sg("vpc-1"), before], [sgFirst, { ...before, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true }])).toEqual([]);
    // deletedWith the security group, replaced with it: create-first, and the engine skips the old model's delete at the
    // end (step.go isDeletedWith: the group's old copy is marked deleted in the same loop), so the name stays taken.
    const withSg = { ...model("api-model-post-albums"), deletedWith: sg("vpc-1").urn };
    const skipped = checkPlanTransition([sg("vpc-1"), withSg], [sg("vpc-2"), withSg], { stack: "prod" });
    expect(skipped.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    expect(skipped[0].problem).toMatch(/^is replaced create-before-delete \(deletedWith: api-sg replaced\) as API Gateway model "PostAlbumsBody" of REST API rest-1; its deployed copy keeps the name: its deletedWith target api-sg is replaced in the same update/);
    expect(skipped[0].fix).toMatch(/^set deleteBeforeReplace: true on api-model-post-albums/);
    // Its own deleteBeforeReplace: deleted when it is replaced, before the group's delete is due: not skipped, the name is free.
    const withSgFirst = { ...withSg, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
    expect(rules([sg("vpc-1"), withSgFirst], [sg("vpc-2"), withSgFirst])).toEqual([]);
    // The group replaced delete-first: its branch deletes the model first, with the group marked deleted: skipped, delete-first or not.
    const skippedFirst = checkPlanTransition([sg("vpc-1"), withSgFirst], [sgFirst, withSgFirst], { stack: "prod" });
    expect(skippedFirst.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    expect(skippedFirst[0].problem).toMatch(/^is replaced as API Gateway model .*its deletedWith target api-sg is replaced in the same update, .*, as the target is replaced delete-first/);
    expect(skippedFirst[0].fix).toMatch(/^take api-sg out of api-model-post-albums's deletedWith/);
    expect(rules([sg("vpc-1"), withSgFirst], [sg("vpc-1"), { ...withSgFirst, inputs: { ...withSgFirst.inputs, contentType: "application/vnd.api+json" } }])).toEqual([]);
    // The group removed from the program, the model replaced create-first (deleteBeforeReplace: false over the bridge's
    // delete-first): its old copy is deleted at the end, when GenerateDeletes has marked the removed group: skipped too.
    const createFirst = { ...withSg, deletedWith: undefined, inputs: { ...withSg.inputs, contentType: "application/vnd.api+json" }, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true };
    const removedTarget = checkPlanTransition([sg("vpc-1"), withSg], [createFirst], { stack: "prod" });
    expect(removedTarget.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    expect(removedTarget[0].problem).toMatch(/its deployed copy keeps the name: its deletedWith target api-sg is removed from the program, whose delete at the end of the update makes the engine skip this one's/);
    // The program moves the model off the group (no deletedWith) while the group is replaced: the engine reads the
    // deployed copy's deletedWith (step.go isDeletedWith(s.old.DeletedWith, …)), so the delete at the end is skipped too.
    const movedOff = checkPlanTransition([sg("vpc-1"), withSg], [sg("vpc-2"), createFirst], { stack: "prod" });
    expect(movedOff.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    expect(movedOff[0].problem).toMatch(/its deployed copy keeps the name: its deletedWith target api-sg is replaced in the same update, whose old copy's delete makes the engine skip this one's/);
    // A chain: the model's replaceWith names a group replaced early, in the delete-before-replace branch of api-sg (its
    // replaceWith). The engine re-creates that group without a branch of its own ("Case 1: recreating"), whatever its
    // deleteBeforeReplace, so the model is replaced by its own judgement: create-first (not asked of the provider).
    const middle = (vpcId: string) => ({ ...handBuilt("aws:ec2/securityGroup:SecurityGroup", "x-sg", { description: "Managed by Pulumi", vpcId }, { id: "sg-0abcdef" }), replaceWith: [sg("vpc-1").urn], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    const chained = { ...model("api-model-post-albums"), replaceWith: [middle("vpc-1").urn] };
    expect(rules([sg("vpc-1"), middle("vpc-1"), chained], [sgFirst, middle("vpc-1"), chained])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    // The group not replaced early (its target replaced create-first): its own delete-first branch deletes the model first.
    expect(rules([sg("vpc-1"), middle("vpc-1"), chained], [sg("vpc-2"), middle("vpc-1"), chained])).toEqual([]);
    // A chain of deletedWith: the model deletedWith a group deletedWith api-sg, replaced delete-first. The branch deletes
    // both first (calculateDependentReplacements: DependingOn follows deletedWith, and `replaceSet[r.DeletedWith]`
    // replaces each), every one marked before its steps are applied: the model's delete is skipped whatever its own
    // deleteBeforeReplace, and it keeps the name.
    const inner = { ...middle("vpc-1"), replaceWith: undefined, deleteBeforeReplace: undefined, deleteBeforeReplaceDefined: undefined, deletedWith: sg("vpc-1").urn };
    const withInner = { ...model("api-model-post-albums"), deletedWith: inner.urn };
    for (const own of [withInner, { ...withInner, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true }]) {
      const found = checkPlanTransition([sg("vpc-1"), inner, own], [sgFirst, inner, own], { stack: "prod" });
      expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
      expect(found[0].problem).toMatch(/its deletedWith target x-sg is replaced in the same update, .*, as the target is replaced delete-first/);
      expect(found[0].fix).toMatch(/^take x-sg out of api-model-post-albums's deletedWith/);
    }
    // The model and its deletedWith group both named by api-sg's branch (replaceWith: findDependentCascadeReplacements):
    // both marked before the branch's steps are applied, so the model's delete is skipped, its name kept.
    const sibling = { ...middle("vpc-1"), deleteBeforeReplace: undefined, deleteBeforeReplaceDefined: undefined };
    const besideSibling = { ...model("api-model-post-albums"), deletedWith: sibling.urn, replaceWith: [sg("vpc-1").urn] };
    const both = checkPlanTransition([sg("vpc-1"), sibling, besideSibling], [sgFirst, sibling, besideSibling], { stack: "prod" });
    expect(both.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model-post-albums`]]);
    expect(both[0].problem).toMatch(/its deletedWith target x-sg is replaced in the same update, .*, as the target is replaced delete-first/);
  });
});

describe("checkPlanTransition: Route 53 routing policy switches", () => {
  it("finds StaticSite failover turned on (simple site-a-0 → failover site-a-0-primary/-secondary)", () => {
    const before = [record("site-a-0", { name: "gallery.example.com" })];
    const after = [
      record("site-a-0-primary", { name: "gallery.example.com", setIdentifier: "site-primary", failoverRoutingPolicies: [{ type: "PRIMARY" }], healthCheckId: "hc-1" }),
      record("site-a-0-secondary", { name: "gallery.example.com", setIdentifier: "site-secondary", failoverRoutingPolicies: [{ type: "SECONDARY" }], aliases: [standby] }),
    ];
    const findings = checkPlanTransition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRoutingPolicy", `${RECORD} site-a-0-primary`]]);
    expect(findings[0].problem).toMatch(/^switches gallery\.example\.com A from simple routing \(site-a-0\) to failover routing \(site-a-0-primary, site-a-0-secondary\) one record per Route 53 call; the first call leaves records of both policies under one name and type, which Route 53 refuses/);
    // Turning failover off is the mirror case.
    expect(rules(after, before)).toEqual([["TransitionRoutingPolicy", `${RECORD} site-a-0`]]);
  });

  it("finds RegionalApis apiRouting latency → failover (both records updated in place, one call each) and points at the documented procedure", () => {
    const regional = (region: string, policy: Record<string, any>) => record(`api-routing-a-${region.replace(/-/g, "")}`, { name: "api.gallery.example.com", setIdentifier: region, ...policy });
    const before = [regional("us-east-1", { latencyRoutingPolicies: [{ region: "us-east-1" }] }), regional("us-west-2", { latencyRoutingPolicies: [{ region: "us-west-2" }] })];
    const after = [regional("us-east-1", { failoverRoutingPolicies: [{ type: "PRIMARY" }] }), regional("us-west-2", { failoverRoutingPolicies: [{ type: "SECONDARY" }] })];
    const findings = checkPlanTransition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRoutingPolicy", `${RECORD} api-routing-a-useast1`]]);
    expect(findings[0].problem).toMatch(/from latency routing \(api-routing-a-useast1, api-routing-a-uswest2\) to failover routing/);
    expect(findings[0].fix).toMatch(/docs\/multi-region\.md/);
  });

  it("passes the switch made by one record in one call (its setIdentifier changes) when the new records wait for it", () => {
    const before = [record("site-a-0", { name: "gallery.example.com" })];
    const primary = record("site-a-0", { name: "gallery.example.com", setIdentifier: "site-primary", failoverRoutingPolicies: [{ type: "PRIMARY" }], healthCheckId: "hc-1" });
    const secondary = (dependencies: string[]) => record("site-a-0-secondary", { name: "gallery.example.com", setIdentifier: "site-secondary", failoverRoutingPolicies: [{ type: "SECONDARY" }], aliases: [standby] }, { dependencies });
    expect(rules(before, [primary, secondary([urnOf("site-a-0")])])).toEqual([]);
    const findings = checkPlanTransition(before, [primary, secondary([])]);
    expect(findings.map((f) => [f.rule, f.resource, f.fix])).toEqual([["TransitionRoutingPolicy", `${RECORD} site-a-0-secondary`, "make site-a-0-secondary dependOn site-a-0"]]);
  });
});

describe("checkPlanTransition: transitions that deploy", () => {
  it("passes a no-op transition and a first deploy", () => {
    const plan = [model("api-model-post-albums"), record("site-a-0", { name: "a.example.com" }), record("site-a-1", { name: "b.example.com" })];
    expect(checkPlanTransition(plan, plan)).toEqual([]);
    expect(checkPlanTransition([], plan)).toEqual([]);
    expect(checkPlanTransition(plan, [])).toEqual([]);
  });

  it("passes a removed resource whose name nobody takes, a new name, and autonamed resources", () => {
    const before = [model("api-model-post-api-albums"), record("site-a-1", { name: "b.example.com" })];
    const after = [handBuilt(MODEL, "api-model-post-v1-albums", { restApi: "rest-1", name: "PostV1AlbumsBody", contentType: "application/json" }), handBuilt(MODEL, "autonamed", { restApi: "rest-1", contentType: "application/json" })];
    expect(checkPlanTransition(before, after)).toEqual([]);
  });

  it("passes a name given up by an in-place update the new resource waits for (a record's type moves, then another takes it)", () => {
    const before = [record("old", { name: "a.example.com", type: "A" })];
    const after = [record("old", { name: "a.example.com", type: "AAAA" }), record("new", { name: "a.example.com", type: "A" }, { dependencies: [urnOf("old")] })];
    expect(rules(before, after)).toEqual([]);
    expect(rules(before, [after[0], { ...after[1], dependencies: [] }])).toEqual([["TransitionNameTaken", `${RECORD} new`]]);
  });
});

describe("checkPlanTransition: VPC endpoints one per service in a VPC", () => {
  const onSharedVpc = (name: string, opts?: pulumi.ComponentResourceOptions) => recordProgram(() => new PrivateNetwork(name, { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-1"] } }, opts));

  it("finds a PrivateNetwork on an existing VPC renamed (network → net): its endpoints are created beside the deployed ones", async () => {
    const findings = checkPlanTransition(await onSharedVpc("network"), await onSharedVpc("net"), { stack: "prod", region: "us-east-1" });
    // In registration order, which the endpoints' lookups (getSubnet, getRouteTables) decide.
    expect(findings.map((f) => `${f.rule} ${f.resource}`).sort()).toEqual([
      "TransitionNameTaken aws:ec2/vpcEndpoint:VpcEndpoint net-dynamodb",
      "TransitionNameTaken aws:ec2/vpcEndpoint:VpcEndpoint net-execute-api",
      "TransitionNameTaken aws:ec2/vpcEndpoint:VpcEndpoint net-s3",
    ]);
    const executeApi = findings.find((f) => f.resource.endsWith(" net-execute-api"))!;
    expect(executeApi.problem).toMatch(
      /^is created by the update as VPC endpoint com\.amazonaws\.us-east-1\.execute-api \(interface, private DNS\) in vpc-0abc; aws:ec2\/vpcEndpoint:VpcEndpoint network-execute-api of the deployed plan holds the name and is removed from the program, which Pulumi deletes only at the end of the update, after every create\. CreateVpcEndpoint is refused/,
    );
    expect(executeApi.fix).toContain('aliases: [{ name: "network-execute-api" }]');
  });

  it("passes the rename with the component's alias, and a PrivateNetwork that makes its own VPC", async () => {
    expect(checkPlanTransition(await onSharedVpc("network"), await onSharedVpc("net", { aliases: [{ name: "network" }] })).map(formatFinding)).toEqual([]);
    const ownVpc = (name: string) => recordProgram(() => new PrivateNetwork(name));
    expect(checkPlanTransition(await ownVpc("network"), await ownVpc("net")).map(formatFinding)).toEqual([]);
  });

  it("keys interface endpoints only with private DNS, and a gateway endpoint apart from an interface one for the same service", () => {
    const VPCE = "aws:ec2/vpcEndpoint:VpcEndpoint";
    const endpoint = (logical: string, inputs: Record<string, any>) => handBuilt(VPCE, logical, { vpcId: "vpc-1", serviceName: "com.amazonaws.us-east-1.s3", ...inputs });
    const noDns = (logical: string) => endpoint(logical, { vpcEndpointType: "Interface", privateDnsEnabled: false, subnetIds: ["subnet-1"] });
    expect(rules([noDns("old")], [noDns("new")])).toEqual([]);
    expect(rules([endpoint("gateway", { vpcEndpointType: "Gateway", routeTableIds: ["rtb-1"] })], [endpoint("interface", { vpcEndpointType: "Interface", privateDnsEnabled: true })])).toEqual([]);
    // The provider's default type is Gateway.
    expect(rules([endpoint("old", { routeTableIds: ["rtb-1"] })], [endpoint("new", { routeTableIds: ["rtb-1"] })])).toEqual([["TransitionNameTaken", `${VPCE} new`]]);
  });
});

describe("checkPlanTransition: renames the program declares with aliases", () => {
  it("takes a deployed resource a new one lists in aliases as that resource renamed, not a second one of its name", () => {
    const deployed = model("api-model-post-api-albums");
    const renamed = { ...model("api-model-PostAlbumsBody"), aliases: [deployed.urn] };
    expect(rules([deployed], [renamed])).toEqual([]);
    expect(rules([deployed], [{ ...renamed, aliases: undefined }])).toEqual([["TransitionNameTaken", `${MODEL} api-model-PostAlbumsBody`]]);
  });

  it("records an alias's URN as the engine resolves it: the old name, under the same parent, or another type", async () => {
    const graph = await recordProgram(() => {
      class Parent extends pulumi.ComponentResource {
        constructor(name: string) {
          super("test:index:Parent", name);
          new aws.cloudwatch.Dashboard("renamed", { dashboardName: "d", dashboardBody: "{}" }, { parent: this, aliases: [{ name: "first" }, { name: "older", type: "test:index:OldDashboard" }] });
        }
      }
      new Parent("ops");
    });
    const dashboard = graph.find((r) => r.name === "renamed")!;
    expect(dashboard.urn).toBe("urn:pulumi:test::serverless-fullstack::test:index:Parent$aws:cloudwatch/dashboard:Dashboard::renamed");
    expect(dashboard.aliases).toEqual([
      "urn:pulumi:test::serverless-fullstack::test:index:Parent$aws:cloudwatch/dashboard:Dashboard::first",
      "urn:pulumi:test::serverless-fullstack::test:index:Parent$test:index:OldDashboard::older",
    ]);
  });

  it("follows a resource moved into a component (alias: had no parent) and the children of a renamed component (inherited aliases)", async () => {
    class Site extends pulumi.ComponentResource {
      constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Site", name, {}, opts);
      }
    }
    const www = (name: string, opts: pulumi.CustomResourceOptions = {}) => new aws.route53.Record(name, { zoneId: ZONE, name: "www.example.com", type: "A", ttl: 60, records: ["192.0.2.1"] }, opts);
    const topLevel = await recordProgram(() => www("www"));
    const moved = await recordProgram(() => www("www", { parent: new Site("site"), aliases: [{ parent: pulumi.rootStackResource }] }));
    expect(checkPlanTransition(topLevel, moved).map(formatFinding)).toEqual([]);

    const underSite = await recordProgram(() => www("site-www", { parent: new Site("site") }));
    const underRenamedSite = await recordProgram(() => www("web-www", { parent: new Site("web", { aliases: [{ name: "site" }] }) }));
    expect(checkPlanTransition(underSite, underRenamedSite).map(formatFinding)).toEqual([]);
    // Without the component's alias its child is a second record of the name.
    const underNewSite = await recordProgram(() => www("web-www", { parent: new Site("web") }));
    expect(checkPlanTransition(underSite, underNewSite).map((f) => f.rule)).toEqual(["TransitionNameTaken"]);
  });

  it("finds two resources that alias one deployed resource, which Pulumi refuses (Duplicate resource alias)", () => {
    const deployed = model("api-model-post-api-albums");
    const first = { ...model("api-model-PostAlbumsBody"), aliases: [deployed.urn] };
    const second = { ...handBuilt(MODEL, "api-model-Other", { restApi: "rest-1", name: "Other", contentType: "application/json", schema: "{}" }), aliases: [deployed.urn] };
    const findings = checkPlanTransition([deployed], [first, second], { stack: "prod" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionDuplicateAlias", `${MODEL} api-model-Other`]]);
    expect(findings[0].problem).toMatch(/^lists the deployed resource .*api-model-post-api-albums among its aliases, which aws:apigateway\/model:Model api-model-PostAlbumsBody claims first; Pulumi refuses the update \("Duplicate resource alias"\)/);
    // An alias naming nothing deployed is the engine's no-op.
    expect(checkPlanTransition([], [first, second], { stack: "prod" })).toEqual([]);
  });

  it("matches deployed resources as the engine does: a resource's own URN first, then its first alias that names one", () => {
    const a = model("a"), y = { ...model("y"), inputs: { ...model("y").inputs, name: "Y" } };
    const modelNamed = (logical: string, name: string, aliases: string[] = []) => ({ ...handBuilt(MODEL, logical, { restApi: "rest-1", name, contentType: "application/json", schema: "{}" }), aliases });
    // a keeps its URN (a leftover alias to y is not looked at), so b alone claims y.
    expect(rules([a, y], [modelNamed("a", "PostAlbumsBody", [y.urn]), modelNamed("b", "Y", [y.urn])])).toEqual([]);
    // b claims a, which a still is.
    expect(rules([a], [model("a"), modelNamed("b", "B", [a.urn])])).toEqual([["TransitionDuplicateAlias", `${MODEL} b`]]);
    // r takes its first deployed alias (p), so s alone claims q.
    const p = modelNamed("p", "P"), q = modelNamed("q", "Q");
    expect(rules([p, q], [modelNamed("r", "P", [p.urn, q.urn]), modelNamed("s", "Q", [q.urn])])).toEqual([]);
  });

  it("follows a child renamed in the same change as its component (the component's earlier name applied to the child's own alias)", async () => {
    class Site extends pulumi.ComponentResource {
      constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Site", name, {}, opts);
      }
    }
    const www = (name: string, opts: pulumi.CustomResourceOptions = {}) => new aws.route53.Record(name, { zoneId: ZONE, name: "www.example.com", type: "A", ttl: 60, records: ["192.0.2.1"] }, opts);
    const deployed = await recordProgram(() => www("site-www", { parent: new Site("site") }));
    const renamedBoth = await recordProgram(() => www("web-host", { parent: new Site("web", { aliases: [{ name: "site" }] }), aliases: [{ name: "web-www" }] }));
    expect(checkPlanTransition(deployed, renamedBoth).map(formatFinding)).toEqual([]);
  });
});


describe("checkPlanTransition: a compliance-mode vault lock, frozen from its lock date", () => {
  const table = "arn:aws:dynamodb:us-east-1:123456789012:table/t";
  const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
  const backup = (retentionDays: number, vaultLock: BackupVaultLock) => recordProgram(() => new BackupPlan("bk", { resources: [table], retentionDays, vaultLock, retainOnDelete: true }));

  it("finds a compliance lock whose numbers change (retentionDays 35 → 60): the replacement's Put is refused on and after the lock date", async () => {
    const before = await backup(35, { minRetentionDays: 35, maxRetentionDays: 35, changeableForDays: 3 });
    const after = await backup(60, { minRetentionDays: 60, maxRetentionDays: 60, changeableForDays: 60 });
    const findings = checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionVaultLockImmutable", `${LOCK} bk-vault-lock`]]);
    expect(findings[0].problem).toMatch(
      /^changes the compliance-mode lock of vault serverless-fullstack-test-bk-\w{6} \(deployed with changeableForDays 3\): minRetentionDays 35 → 60, maxRetentionDays 35 → 60, changeableForDays 3 → 60\. Every lock field replaces the lock, and its PutBackupVaultLockConfiguration is refused on and after the lock date \(3 days after the deployed lock was put\): "the Vault Lock becomes immutable and cannot be changed or deleted"/,
    );
    expect(findings[0].fix).toMatch(/^keep the deployed lock's numbers \(and retentionDays within them\)/);
    // Through the file npm run plan -- --save writes, which keeps the locks' inputs.
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(before, { stack: "prod", region: "us-east-1" })));
    expect(checkPlanTransition(saved.resources, after, { stack: "prod", region: "us-east-1" }).map((f) => f.rule)).toEqual(["TransitionVaultLockImmutable"]);
  });

  it("passes the same compliance lock, a governance lock that changes, and a plan saved without the locks' inputs", async () => {
    const compliance = await backup(35, { minRetentionDays: 35, maxRetentionDays: 35, changeableForDays: 3 });
    expect(checkPlanTransition(compliance, compliance)).toEqual([]);
    const governance = await backup(35, { minRetentionDays: 35, maxRetentionDays: 35 });
    expect(checkPlanTransition(governance, await backup(60, { minRetentionDays: 60, maxRetentionDays: 60 }))).toEqual([]);
    // Governance → compliance: the deployed lock can still be changed.
    expect(checkPlanTransition(governance, compliance)).toEqual([]);
    // Plans saved before the locks' inputs were kept (tests/fixtures/plans) tell nothing about the deployed lock.
    const withoutInputs = compliance.map((r) => (r.type === LOCK ? { ...r, inputs: {} } : r));
    expect(checkPlanTransition(withoutInputs, await backup(60, { minRetentionDays: 60, maxRetentionDays: 60, changeableForDays: 3 }))).toEqual([]);
  });
});

describe("checkPlanTransition: a table, user pool or bucket that the update replaces or orphans (TransitionStatefulReplaced)", () => {
  it("reads a bucket name unknown at preview (an Output the program passes) as set by hand: the bridge replaces it delete-first", () => {
    const bucket = (name: unknown) => handBuilt("aws:s3/bucket:Bucket", "photos", name === undefined ? {} : { bucket: name }, { id: "photos-bucket" });
    const outcome = (after: RecordedResource) => checkPlanTransition([bucket("photos-prod")], [after], { stack: "prod" }).map((f) => f.problem.split(". ")[1]);
    // As a preview records it (@pulumi/pulumi's Unknown, written to JSON as this field).
    expect(outcome(bucket({ __pulumiUnknown: true }))).toEqual([expect.stringMatching(/^The deployed one is deleted first \(bucket set by hand, or deleteBeforeReplace\): its delete is refused/)]);
    // Unset (autonamed): a new name drawn, create-first.
    expect(outcome(bucket(undefined))).toEqual([expect.stringMatching(/^The update creates the new, empty bucket, .* then it deletes the deployed one: its delete is refused/)]);
  });

  const TABLE = "aws:dynamodb/table:Table";
  const POOL = "aws:cognito/userPool:UserPool";
  const BUCKET = "aws:s3/bucket:Bucket";
  const prod = { deletionProtection: true, retainOnDelete: true };
  const gallery = { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk" };
  /** The reference app's gallery table in a DataTier named `name`, with `table` merged into its spec and `tier` into the tier's. */
  const dataTier = (table: Record<string, unknown> = {}, tier: Record<string, unknown> = prod, name = "data", opts?: pulumi.ComponentResourceOptions) =>
    recordProgram(() => new DataTier(name, { tables: { gallery: { ...gallery, ...table } as TableArgs }, region: "us-east-1", ...tier }, opts));
  const transition = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" });

  it("finds a local index added to the prod gallery table: a new, empty table takes over and the retained one keeps the items outside the stack", async () => {
    const findings = transition(await dataTier(), await dataTier({ attributes: { ...gallery.attributes, createdAt: "S" }, localIndexes: { byCreated: { sortKey: "createdAt" } } }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} data-gallery`]]);
    expect(findings[0].problem).toMatch(/^replaces DynamoDB table data-gallery: localSecondaryIndexes \(none → byCreated\) forces a new table/);
    expect(findings[0].problem).toMatch(/retained \(retainOnDelete\): the update succeeds, everything that uses the table moves to the new, empty one, and the deployed one, with its items, stays in the account outside the stack/);
    expect(findings[0].fix).toMatch(/keep the deployed key schema/);
    expect(findings[0].fix).toMatch(/move its items to it \(export it to S3 and import it into the new table, or copy it with a scan-and-write job\)/);
  });

  it("finds the sort key or the home region changed, and says what happens without retainOnDelete", async () => {
    expect(transition(await dataTier(), await dataTier({ sortKey: "createdAt", attributes: { pk: "S", createdAt: "S" } })).map((f) => [f.rule, f.problem.match(/^[^:]+: [^(]+/)![0]])).toEqual([
      ["TransitionStatefulReplaced", "replaces DynamoDB table data-gallery: rangeKey "],
    ]);
    const moved = transition(await dataTier(), await dataTier({}, { ...prod, region: "us-west-2" }));
    expect(moved.map((f) => f.problem.match(/^[^(]+\([^)]+\)/)![0])).toEqual(["replaces DynamoDB table data-gallery: region (us-east-1 → us-west-2)"]);
    // Deletion protection without retainOnDelete: the old copy's DeleteTable is refused after the new one exists.
    // DataTier refuses deletionProtection without retainOnDelete (or protect) now; a transformation still sets it.
    const protectTables = (args: pulumi.ResourceTransformationArgs) => (args.type === TABLE ? { props: { ...args.props, deletionProtectionEnabled: true }, opts: args.opts } : undefined);
    const protectedOnly = transition(
      await dataTier({}, {}, "data", { transformations: [protectTables] }),
      await dataTier({ sortKey: "createdAt", attributes: { pk: "S", createdAt: "S" } }, {}, "data", { transformations: [protectTables] }),
    );
    expect(protectedOnly[0].problem).toMatch(/its delete is refused \(deletion protection[^)]*\): the update stops part-way, with the stack on the new, empty table/);
    // Neither (dev): the items go.
    const dev = transition(await dataTier({}, {}), await dataTier({ sortKey: "createdAt", attributes: { pk: "S", createdAt: "S" } }, {}));
    expect(dev[0].problem).toMatch(/the deployed one is deleted with its items/);
  });

  it("finds a DataTier renamed (data → db) or a table key renamed (gallery → photos) without aliases, and passes the rename with aliases", async () => {
    const deployed = await dataTier();
    const renamed = transition(deployed, await dataTier({}, prod, "db"));
    expect(renamed.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} db-gallery`]]);
    expect(renamed[0].problem).toMatch(/^is created by the update while DynamoDB table data-gallery of the deployed plan is removed from the program, under db, which replaces data: if it is that table renamed without aliases, /);
    // The component was renamed: its old name as alias brings every child along.
    expect(renamed[0].fix).toContain('give db its earlier name: aliases: [{ name: "data" }]');
    expect(transition(deployed, await dataTier({}, prod, "db", { aliases: [{ name: "data" }] })).map(formatFinding)).toEqual([]);

    // Each table of a renamed DataTier is paired with the new one of the same key.
    const twoTables = (name: string) => recordProgram(() => new DataTier(name, { tables: { gallery: gallery as TableArgs, counts: { attributes: { id: "S" }, partitionKey: "id" } }, region: "us-east-1", ...prod }));
    expect(transition(await twoTables("data"), await twoTables("db")).map((f) => [f.resource, f.problem.match(/DynamoDB table (\S+) of the deployed plan/)![1]]).sort()).toEqual([
      [`${TABLE} db-counts`, "data-counts"],
      [`${TABLE} db-gallery`, "data-gallery"],
    ]);

    const photos = await recordProgram(() => new DataTier("data", { tables: { photos: gallery as TableArgs }, region: "us-east-1", ...prod }));
    const keyRenamed = transition(deployed, photos);
    expect(keyRenamed.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} data-photos`]]);
    expect(keyRenamed[0].fix).toContain('aliases: [{ name: "data-gallery" }]');
  });

  it("passes a table removed and an unrelated one added in the same update (another key schema), under a DataTier or the stack", async () => {
    const counts = { attributes: { id: "S" }, partitionKey: "id" };
    const invoices = { attributes: { invoiceId: "S", issuedAt: "S" }, partitionKey: "invoiceId", sortKey: "issuedAt" };
    const tier = (tables: Record<string, unknown>) => recordProgram(() => new DataTier("data", { tables: { gallery: gallery as TableArgs, ...tables } as Record<string, TableArgs>, region: "us-east-1", ...prod }));
    expect(transition(await tier({ counts }), await tier({ invoices })).map(formatFinding)).toEqual([]);
    // The reviewer's case at the top of the stack (hand-built): counts removed, invoices added, made differently.
    const stack = "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod";
    const table = (logical: string, inputs: Record<string, unknown>) => handBuilt(TABLE, logical, inputs, { parent: stack });
    expect(rules([table("counts", { hashKey: "id" }), table("gallery", { hashKey: "pk" })], [table("gallery", { hashKey: "pk" }), table("invoices", { hashKey: "invoiceId", rangeKey: "issuedAt" })])).toEqual([]);
    // One removed and one created alike under one parent is still read as a rename (nothing tells them apart): accept it if it is not.
    expect(rules([table("counts", { hashKey: "pk" })], [table("invoices", { hashKey: "pk" })])).toEqual([["TransitionStatefulReplaced", `${TABLE} invoices`]]);
  });

  it("pairs a removed table only with a new one of its local name when several come and go under one parent", async () => {
    const spec = { attributes: { pk: "S" }, partitionKey: "pk" };
    const tier = (name: string, keys: string[]) => recordProgram(() => new DataTier(name, { tables: Object.fromEntries(keys.map((key) => [key, spec])) as Record<string, TableArgs>, region: "us-east-1", ...prod }));
    // a and b removed, c and d added: no pair has one local name, and neither side is alone.
    expect(transition(await tier("data", ["a", "b"]), await tier("data", ["c", "d"])).map(formatFinding)).toEqual([]);
    // The DataTier renamed (data → db) while b gives way to c: db-a is data-a renamed; c and b are two tables.
    const renamed = transition(await tier("data", ["a", "b"]), await tier("db", ["a", "c"]));
    expect(renamed.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} db-a`]]);
  });

  it("passes a replica region swapped for another: UploadBucket.replicate and StaticSite replicaRegion us-west-2 → eu-west-1", async () => {
    const uploads = (region: string, retainOnDelete: boolean) =>
      recordProgram(() => {
        new UploadBucket("uploads", { retainOnDelete }).replicate(region, "originals/");
      });
    const site = (replicaRegion: string, retainOnDelete: boolean) => recordProgram(() => new StaticSite("site", { path: "tests/fixtures/site", replicaRegion, retainOnDelete }));
    for (const retainOnDelete of [true, false]) {
      expect(transition(await uploads("us-west-2", retainOnDelete), await uploads("eu-west-1", retainOnDelete)).map(formatFinding), `UploadBucket, retainOnDelete ${retainOnDelete}`).toEqual([]);
      expect(transition(await site("us-west-2", retainOnDelete), await site("eu-west-1", retainOnDelete)).map(formatFinding), `StaticSite, retainOnDelete ${retainOnDelete}`).toEqual([]);
    }
    // The source bucket is no copy: its region moved is still reported.
    const moved = transition(await recordProgram(() => new UploadBucket("uploads", { region: "us-east-1" })), await recordProgram(() => new UploadBucket("uploads", { region: "us-east-2" })));
    expect(moved.map((f) => f.resource)).toContain(`${BUCKET} uploads-bucket`);
  });

  it("finds a table with a fixed name renamed without aliases (orders → orders2, name orders-prod): CreateTable is refused while orders holds the name", () => {
    const table = (logical: string, inputs: Record<string, unknown> = {}, more: Partial<RecordedResource> = {}) => handBuilt(TABLE, logical, { name: "orders-prod", hashKey: "pk", deletionProtectionEnabled: false, ...inputs }, more);
    const findings = transition([table("orders")], [table("orders2")]);
    // Not TransitionStatefulReplaced's "a new, empty table takes over": the create is refused, so nothing moves.
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${TABLE} orders2`]]);
    expect(findings[0].problem).toMatch(/^is created by the update as DynamoDB table "orders-prod"; aws:dynamodb\/table:Table orders of the deployed plan holds the name and is removed from the program/);
    expect(findings[0].problem).toMatch(/CreateTable is refused \(ResourceInUseException: "You attempted to recreate an existing table"/);
    expect(findings[0].fix).toContain('aliases: [{ name: "orders" }]');
    // Table names are per region: a removed table's name is free in another region.
    expect(rules([table("orders")], [table("orders2", { region: "us-west-2" })])).toEqual([]);
    // Replaced in place under its name while retained: the deployed copy keeps the name.
    expect(rules([table("orders", {}, { retainOnDelete: true })], [table("orders", { rangeKey: "sk" }, { retainOnDelete: true })])).toEqual([["TransitionNameTaken", `${TABLE} orders`]]);
    // Replaced delete-first (the name is set by hand), not retained: the name is free when the new one is created.
    expect(rules([table("orders")], [table("orders", { rangeKey: "sk" })])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
  });

  it("finds a secret with a fixed name renamed without aliases (key → apiKey, name app/key): CreateSecret is refused while the removed one holds the name, and through its recovery window once deleted", () => {
    const SECRET = "aws:secretsmanager/secret:Secret";
    const secret = (logical: string, inputs: Record<string, unknown> = {}) => handBuilt(SECRET, logical, { name: "app/key", ...inputs });
    const findings = transition([secret("key")], [secret("apiKey")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${SECRET} apiKey`]]);
    expect(findings[0].problem).toMatch(/^is created by the update as Secrets Manager secret "app\/key"; aws:secretsmanager\/secret:Secret key of the deployed plan holds the name and is removed without being deleted \(.*a secret's recovery window only schedules its deletion\), so the name stays taken\. CreateSecret is refused: ResourceExistsException while the deployed secret exists, and InvalidRequestException \("You can't create this secret because a secret with this name is already scheduled for deletion"\)/);
    expect(findings[0].fix).toContain('aliases: [{ name: "key" }]');
    // Deleted without a window: the name is free once the removed secret is deleted, which is still after the create.
    expect(transition([secret("key", { recoveryWindowInDays: 0 })], [secret("apiKey", { recoveryWindowInDays: 0 })])[0].problem).toMatch(/is removed from the program, which Pulumi deletes only at the end of the update, after every create/);
    // Names are per region, and an autonamed secret holds no name the program asks for.
    expect(rules([secret("key")], [secret("apiKey", { region: "us-west-2" })])).toEqual([]);
    expect(rules([secret("key", { name: undefined })], [secret("apiKey", { name: undefined })])).toEqual([]);
    // A saved plan keeps what the key and the delete read, never the secret's policy or description.
    const kept = readSavedPlan(JSON.stringify(toSavedPlan([secret("key", { description: "API key", policy: "{}", recoveryWindowInDays: 7 })], { stack: "prod", region: "us-east-1" }))).resources[0];
    expect(Object.keys(kept.inputs).sort()).toEqual(["name", "recoveryWindowInDays"]);
  });

  it("says a replaced table with a hand-set name deletedWith a resource the update deletes is deleted first (the bridge's delete-first), and refused its name create-first", () => {
    const owner = handBuilt("aws:s3/bucket:Bucket", "owner", {});
    const table = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => handBuilt(TABLE, "orders", { name: "orders-prod", hashKey: "pk", ...inputs }, { deletedWith: owner.urn, ...more });
    // Delete-first (the bridge's answer for a name set by hand): the engine deletes the old copy when the table
    // registers, in a step of its own, before GenerateDeletes marks the removed owner, so the delete is sent (pulumi
    // step.go DeleteStep.Apply, isDeletedWith reads the marks when it runs): the items go, the name is free.
    const findings = transition([owner, table({})], [table({ rangeKey: "sk" })]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    expect(findings[0].problem).toMatch(/The deployed one is deleted with its items first \(name set by hand, or deleteBeforeReplace\), then the new, empty table is created/);
    // Create-first (deleteBeforeReplace: false): the old copy is a pending delete, which GenerateDeletes marks with the
    // removed owner before any delete runs, so it is skipped and keeps the name: the create is refused.
    const createFirst = { deleteBeforeReplace: false, deleteBeforeReplaceDefined: true };
    expect(rules([owner, table({})], [table({ rangeKey: "sk" }, createFirst)])).toEqual([["TransitionNameTaken", `${TABLE} orders`]]);
  });

  it("judges the name a replaced table asks for from the program's inputs: ignoreChanges keeps an ignored region or name out of the diff, not out of the new copy", () => {
    const owner = handBuilt("aws:s3/bucket:Bucket", "owner", {});
    // Replaced create-first (deleteBeforeReplace: false), deletedWith an owner the update removes: the old copy's delete
    // is skipped, so it keeps its name, and a new copy asking for it is refused.
    const table = (inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(TABLE, "orders", { name: "orders-prod", hashKey: "pk", region: "us-east-1", ...inputs }, { deletedWith: owner.urn, ignoreChanges, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true });
    const outcome = (after: RecordedResource) => transition([owner, table({})], [after]);
    expect(outcome(table({ rangeKey: "sk" })).map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${TABLE} orders`]]);
    // The program moves or renames it: the new copy is checked anew from the program's inputs (pulumi step_generator.go
    // continueStepsFromDiff: Check of goal.Properties once it replaces), ignored or not, so either frees the name (a
    // table's name is per region, and orders-v2 is another name).
    for (const ignoreChanges of [["region"], ["name"], undefined]) {
      for (const moved of [{ region: "us-west-2" }, { name: "orders-v2" }]) {
        const findings = outcome(table({ rangeKey: "sk", ...moved }, ignoreChanges));
        expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
        expect(findings[0].problem).toMatch(/The deployed one's delete is skipped \(deletedWith a resource the update also deletes\): the update succeeds/);
      }
    }
  });

  it("keys the names a resource of both plans asks for: an update in place by its inputs with ignoreChanges reset (an ignored region or name is the deployed one), a replacement by the program's", () => {
    const SECRET = "aws:secretsmanager/secret:Secret";
    const table = (inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(TABLE, "orders", { name: "orders-prod", hashKey: "pk", region: "us-east-1", ...inputs }, { retainOnDelete: true, ignoreChanges });
    // A retained table replaced (a sort key added) under its name: the new copy asks for orders-prod in us-east-1, which
    // the retained one keeps, so CreateTable is refused and nothing moves.
    const retained = transition([table({})], [table({ rangeKey: "sk" })]);
    expect(retained.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${TABLE} orders`]]);
    expect(retained[0].problem).toMatch(/^is replaced as DynamoDB table "orders-prod"; its deployed copy keeps the name: it is retained \(retainOnDelete\)/);
    // Moved or renamed by the program, ignored or not: the replacement is checked anew from the program's inputs
    // (continueStepsFromDiff), so the name is free (per region) and a new, empty table takes over.
    for (const [inputs, ignored] of [[{ region: "us-west-2" }, "region"], [{ name: "orders-v2" }, "name"]] as const) {
      expect(transition([table({})], [table({ rangeKey: "sk", ...inputs }, [ignored])]).map((f) => f.rule), ignored).toEqual(["TransitionStatefulReplaced"]);
      expect(transition([table({})], [table({ rangeKey: "sk", ...inputs })]).map((f) => f.rule), ignored).toEqual(["TransitionStatefulReplaced"]);
    }

    // A type that holds no data: a secret the program moves to us-west-2 under ignoreChanges stays in us-east-1, so the
    // name a removed secret holds in us-west-2 is not the one it asks for.
    const secret = (logical: string, inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(SECRET, logical, { name: "app/key", region: "us-east-1", ...inputs }, { ignoreChanges });
    const deployed = [secret("key", {}), secret("west", { region: "us-west-2" })];
    expect(rules(deployed, [secret("key", { region: "us-west-2" }, ["region"])])).toEqual([]);
    expect(rules(deployed, [secret("key", { region: "us-west-2" })])).toEqual([["TransitionNameTaken", `${SECRET} key`]]);
    // A holder renamed in the program under ignoreChanges keeps app/key, which a new secret asks for: never given up.
    const findings = transition([secret("key", {})], [secret("key", { name: "app/key2" }, ["name"]), secret("apiKey", {})]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${SECRET} apiKey`]]);
    expect(findings[0].problem).toMatch(/; aws:secretsmanager\/secret:Secret key holds the name in the deployed plan and keeps it: its ignoreChanges "name" puts the deployed name "app\/key" back whatever the program gives it, so the update never gives the name up\. CreateSecret is refused/);
    expect(findings[0].fix).toBe('drop "name" from the ignoreChanges of key, so that the update gives the name up (and make apiKey dependOn key), or give apiKey another name');
    // An upsert type: the new record writes over the one the holder keeps through ignoreChanges, and both stay in the
    // stack on one record set, so a later delete of either removes it.
    const RECORD = "aws:route53/record:Record";
    const record = (logical: string, inputs: Record<string, unknown>, ignoreChanges?: string[]) =>
      handBuilt(RECORD, logical, { zoneId: "Z0123456789ABC", name: "www.example.com", type: "CNAME", ttl: 300, records: ["app.example.net"], allowOverwrite: true, ...inputs }, { ignoreChanges });
    const overwritten = transition([record("www", {})], [record("www", { name: "old.example.com" }, ["name"]), record("site", {})]);
    expect(overwritten.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${RECORD} site`]]);
    expect(overwritten[0].problem).toContain('; aws:route53/record:Record www holds the name in the deployed plan and keeps it: its ignoreChanges "name" puts the deployed name "www.example.com" back whatever the program gives it, so the update never gives the name up.');
    expect(overwritten[0].problem).toContain("so the create succeeds and writes over what www holds: two resources of the stack then hold one Route 53 record, www's state no longer says what it is, and a later delete of either (removed from the program, replaced) removes the only Route 53 record of that name");
    expect(overwritten[0].problem).not.toMatch(/then the delete of the old copy removes/);
    // With allowOverwrite the create is an UPSERT, not the plain CREATE's refusal.
    expect(overwritten[0].problem).toContain("allowOverwrite makes the provider send UPSERT, which replaces the record set, so the create succeeds");
    expect(overwritten[0].problem).not.toContain("is refused");
    expect(overwritten[0].fix).toBe('drop "name" from the ignoreChanges of www, so that the update gives the name up (and make site dependOn www), or give site another name');
    // Renamed without ignoreChanges, it gives the name up in its own update (apiKey does not wait for it: still reported, as before).
    expect(transition([secret("key", {})], [secret("key", { name: "app/key2" }), secret("apiKey", {})])[0].problem).toMatch(/gives it up in its own update, which apiKey does not wait for/);
  });

  it("decides delete-first from the autoname field as the bridge reads it, after the ignoreChanges reset: a name the program drops but ignores is still set by hand", () => {
    const table = (inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(TABLE, "orders", { hashKey: "pk", deletionProtectionEnabled: false, ...inputs }, { ignoreChanges });
    const deployed = [table({ name: "orders-prod" })];
    // The program leaves the name to the autonamer but ignores it: the engine sends orders-prod, so the bridge replaces
    // delete-first and the name is free when the new table is created (no TransitionNameTaken).
    const findings = transition(deployed, [table({ rangeKey: "sk" }, ["name"])]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    expect(findings[0].problem).toMatch(/The deployed one is deleted with its items first \(name set by hand, or deleteBeforeReplace\), then the new, empty table is created/);
    // Not ignored, the name is autonamed: the new table is created first, under another name.
    expect(transition(deployed, [table({ rangeKey: "sk" })])[0].problem).toMatch(/The update creates the new, empty table, everything that uses the table moves to the new, empty one, and the deployed one is deleted with its items/);
    // A type that holds no data, the same: an API Gateway model replaced (contentType) with its ignored name is replaced delete-first.
    const model = (inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(MODEL, "api-model", { restApi: "rest-1", contentType: "application/json", schema: "{}", ...inputs }, { ignoreChanges });
    expect(rules([model({ name: "PostAlbumsBody" })], [model({ contentType: "text/plain" }, ["name"])])).toEqual([]);
  });

  it("passes the same tables, a table added beside them, changes that update in place, and a table removed with nothing new", async () => {
    const deployed = await dataTier();
    // protect: true makes the engine refuse the replacement itself, before anything is created.
    expect(transition(deployed.map((r) => ({ ...r, protect: r.type === TABLE })), await dataTier({ sortKey: "createdAt", attributes: { pk: "S", createdAt: "S" } }))).toEqual([]);
    expect(transition(deployed, deployed)).toEqual([]);
    expect(transition(deployed, await dataTier({ globalIndexes: { gsi1: { partitionKey: "g", sortKey: "sk" } }, attributes: { ...gallery.attributes, g: "S" }, ttlAttribute: "expiresAt" }))).toEqual([]);
    const two = await recordProgram(() => new DataTier("data", { tables: { gallery: gallery as TableArgs, counts: { attributes: { id: "S" }, partitionKey: "id" } }, region: "us-east-1", ...prod }));
    expect(transition(deployed, two)).toEqual([]);
    expect(transition(two, deployed)).toEqual([]);
  });

  it("finds the same through a saved plan, which keeps only the inputs the check reads", async () => {
    const deployed = await dataTier();
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(deployed, { stack: "prod", region: "us-east-1" })));
    const table = saved.resources.find((r) => r.type === TABLE)!;
    // Billing, TTL, indexes and replicas for the in-place checks (tests/deploy-rules/transition-dynamodb.test.ts), the
    // attributes' names and types (TransitionKeyAttributeRetyped), the encryption (TransitionTableKeyRemoved); not tags:
    // no transition check reads them.
    expect(Object.keys(table.inputs).sort()).toEqual(["attributes", "billingMode", "deletionProtectionEnabled", "hashKey", "rangeKey", "region", "serverSideEncryption", "streamEnabled"]);
    expect(checkPlanTransition(saved.resources, await dataTier({ sortKey: "createdAt", attributes: { pk: "S", createdAt: "S" } }), { stack: "prod", region: "us-east-1" }).map((f) => f.rule)).toEqual(["TransitionStatefulReplaced"]);
    expect(checkPlanTransition(saved.resources, deployed, { stack: "prod", region: "us-east-1" })).toEqual([]);
  });

  const userAuth = (args: Record<string, unknown> = {}, name = "auth") => recordProgram(() => new UserAuth(name, { callbackUrls: ["https://a.example.com/"], usernameAttributes: ["email"], retainOnDelete: true, ...args }));

  it("finds a prod user pool whose sign-in attributes change (email → user names): a new pool, every user left behind in the retained one", async () => {
    const findings = transition(await userAuth(), await userAuth({ usernameAttributes: [] }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${POOL} auth-pool`]]);
    expect(findings[0].problem).toMatch(/^replaces Cognito user pool auth-pool: usernameAttributes \(email → none\) forces a new user pool/);
    expect(findings[0].problem).toMatch(/with its users, stays in the account outside the stack; no error says so\. Users who sign up again get a new sub, and through the identity pool a new identity id/);
    expect(findings[0].fix).toMatch(/usernameAttributes, aliasAttributes, usernameConfiguration/);
    // Renamed without aliases: the same, through the removed URN.
    expect(transition(await userAuth(), await userAuth({}, "login")).filter((f) => f.rule === "TransitionStatefulReplaced").map((f) => f.resource)).toEqual([`${POOL} login-pool`]);
  });

  it("passes a user pool whose aliasAttributes go from [] to unset and back, as the provider's SDKv2 schema keeps no empty list (emptyIsUnset), and finds one added", () => {
    const pool = (inputs: Record<string, unknown>) => handBuilt(POOL, "auth-pool", { name: "gallery-users", deletionProtection: "ACTIVE", ...inputs });
    expect(transition([pool({ aliasAttributes: [] })], [pool({})]).map(formatFinding)).toEqual([]);
    expect(transition([pool({})], [pool({ aliasAttributes: [] })]).map(formatFinding)).toEqual([]);
    expect(rules([pool({ aliasAttributes: [] })], [pool({ aliasAttributes: ["preferred_username"] })])).toEqual([["TransitionStatefulReplaced", `${POOL} auth-pool`]]);
  });

  it("passes a user pool whose other settings change, and saves none of its other inputs (email and SMS configuration)", async () => {
    const deployed = await userAuth();
    expect(transition(deployed, await userAuth({ mfa: "OPTIONAL", passwordPolicy: { minimumLength: 14 } }))).toEqual([]);
    const pool = toSavedPlan(deployed, { stack: "prod", region: "us-east-1" }).resources.find((r) => r.type === POOL)!;
    expect(Object.keys(pool.inputs).sort()).toEqual(["deletionProtection", "schemas", "usernameAttributes", "usernameConfiguration"]);
  });

  it("finds a bucket whose name changes, and reports an unprotected one's objects going with it", () => {
    const bucket = (name: string, more: Partial<RecordedResource> = {}, inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "uploads-bucket", { bucket: name, forceDestroy: false, ...inputs }, more);
    const kept = transition([bucket("gallery-uploads", { retainOnDelete: true })], [bucket("gallery-originals", { retainOnDelete: true })]);
    expect(kept.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${BUCKET} uploads-bucket`]]);
    expect(kept[0].problem).toMatch(/^replaces S3 bucket uploads-bucket: bucket \(gallery-uploads → gallery-originals\)/);
    // Without forceDestroy the old bucket's delete fails while it holds objects.
    expect(transition([bucket("a")], [bucket("b")])[0].problem).toMatch(/BucketNotEmpty/);
    expect(transition([bucket("a", {}, { forceDestroy: true })], [bucket("b", {}, { forceDestroy: true })])[0].problem).toMatch(/The deployed one is deleted with its objects first \(bucket set by hand/);
    expect(transition([bucket("a")], [bucket("a", {}, { forceDestroy: true })])).toEqual([]);
  });

  it("passes a replace-forcing change the program's ignoreChanges holds: the engine keeps the deployed value, so nothing is replaced", async () => {
    const table = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => handBuilt(TABLE, "orders", { hashKey: "pk", rangeKey: "sk", deletionProtectionEnabled: true, ...inputs }, more);
    const ignoring = (...ignoreChanges: string[]) => ({ ignoreChanges });
    expect(rules([table({})], [table({ rangeKey: "createdAt" }, ignoring("rangeKey"))])).toEqual([]);
    // hashKey replaces only when set to a new value (replaceWhenSet): ignored, it does not.
    expect(rules([table({})], [table({ hashKey: "id" }, ignoring("hashKey"))])).toEqual([]);
    // Another input ignored: the key change still replaces the table.
    expect(rules([table({})], [table({ rangeKey: "createdAt" }, ignoring("billingMode"))])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    const bucket = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(BUCKET, "uploads-bucket", { bucket: name, forceDestroy: false }, more);
    expect(rules([bucket("gallery-uploads")], [bucket("gallery-originals", ignoring("bucket"))])).toEqual([]);
    // A DataTier whose sort key changes under a transformation that ignores it; also against a saved plan.
    const ignoreSortKey = { transformations: [(r: pulumi.ResourceTransformationArgs) => (r.type === TABLE ? { props: r.props, opts: { ...r.opts, ignoreChanges: ["rangeKey"] } } : undefined)] };
    const deployed = await dataTier();
    const next = await dataTier({ sortKey: "createdAt", attributes: { pk: "S", createdAt: "S" } }, prod, "data", ignoreSortKey);
    expect(transition(deployed, next).filter((f) => f.rule === "TransitionStatefulReplaced")).toEqual([]);
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(deployed, { stack: "prod", region: "us-east-1" }))).resources;
    expect(checkPlanTransition(saved, next, { stack: "prod", region: "us-east-1" }).filter((f) => f.rule === "TransitionStatefulReplaced")).toEqual([]);
  });

  it("honours an ignoreChanges path below a replace-forcing input as the engine resets it: a change only under the path does not replace, one elsewhere in the input still does", () => {
    const ignoring = (...ignoreChanges: string[]) => ({ ignoreChanges });
    const saved = (graph: RecordedResource[]) => readSavedPlan(JSON.stringify(toSavedPlan(graph, { stack: "prod", region: "us-east-1" }))).resources;
    const replaced = (resource: string) => [["TransitionStatefulReplaced", resource]];
    // A user pool's usernameConfiguration (ForceNew) whose caseSensitive is ignored; also against a saved plan, which keeps the input whole.
    const pool = (caseSensitive: boolean, more: Partial<RecordedResource> = {}) => handBuilt(POOL, "auth-pool", { usernameAttributes: ["email"], usernameConfiguration: { caseSensitive }, deletionProtection: "ACTIVE" }, more);
    expect(rules([pool(false)], [pool(true)])).toEqual(replaced(`${POOL} auth-pool`));
    expect(rules([pool(false)], [pool(true, ignoring("usernameConfiguration.caseSensitive"))])).toEqual([]);
    expect(rules(saved([pool(false)]), [pool(true, ignoring("usernameConfiguration.caseSensitive"))])).toEqual([]);
    // A table's local indexes (ForceNew) with each index's nonKeyAttributes ignored: only those changed, or the index's sort key too.
    const index = (rangeKey: string, nonKeyAttributes: string[]) => ({ name: "byDate", rangeKey, projectionType: "INCLUDE", nonKeyAttributes });
    const table = (indexes: unknown[], more: Partial<RecordedResource> = {}) => handBuilt(TABLE, "orders", { hashKey: "pk", rangeKey: "sk", deletionProtectionEnabled: true, localSecondaryIndexes: indexes }, more);
    const deployed = table([index("createdAt", ["title"])]);
    const nonKey = ignoring("localSecondaryIndexes[*].nonKeyAttributes");
    expect(rules([deployed], [table([index("createdAt", ["title", "owner"])], nonKey)])).toEqual([]);
    expect(rules([deployed], [table([index("createdAt", ["title", "owner"])], ignoring('localSecondaryIndexes[0]["nonKeyAttributes"]'))])).toEqual([]);
    expect(rules(saved([deployed]), [table([index("createdAt", ["title", "owner"])], nonKey)])).toEqual([]);
    expect(rules([deployed], [table([index("updatedAt", ["title", "owner"])], nonKey)])).toEqual(replaced(`${TABLE} orders`));
    expect(rules([deployed], [table([index("createdAt", ["title", "owner"])], ignoring("localSecondaryIndexes[*].rangeKey"))])).toEqual(replaced(`${TABLE} orders`));
    // A top-level entry still keeps the whole input.
    expect(rules([deployed], [table([index("updatedAt", ["owner"])], ignoring("localSecondaryIndexes"))])).toEqual([]);
    // An index added: the engine's reset of the path fails (arrays of different length), and the added index replaces the table.
    expect(rules([deployed], [table([index("createdAt", ["title"]), { ...index("updatedAt", []), name: "byUpdate" }], nonKey)])).toEqual(replaced(`${TABLE} orders`));
  });

  it("keeps a resource's own region that ignoreChanges holds (an input the engine resets), and reports a change of its provider's region", () => {
    const bucket = (region: string | undefined, more: Partial<RecordedResource> = {}) => handBuilt(BUCKET, "uploads-bucket", { bucket: "gallery-uploads", forceDestroy: false, ...(region ? { region } : {}) }, more);
    const ignoresRegion = { ignoreChanges: ["region"] };
    expect(rules([bucket("us-east-1")], [bucket("us-west-2")])).toEqual([["TransitionStatefulReplaced", `${BUCKET} uploads-bucket`]]);
    expect(rules([bucket("us-east-1")], [bucket("us-west-2", ignoresRegion)])).toEqual([]);
    expect(rules([bucket("us-east-1")], [bucket(undefined, ignoresRegion)])).toEqual([]);
    // From the provider on both sides: the reset has no input to put back.
    const provider = (region: string) => handBuilt("pulumi:providers:aws", "west", { region });
    const onProvider = (p: RecordedResource) => bucket(undefined, { ...ignoresRegion, provider: `${p.urn}::provider-id` });
    expect(rules([provider("us-east-1"), onProvider(provider("us-east-1"))], [provider("us-west-2"), onProvider(provider("us-west-2"))])).toEqual([["TransitionStatefulReplaced", `${BUCKET} uploads-bucket`]]);
  });

  it("finds a table replaced through replaceOnChanges (billingMode), which no provider rule replaces, also against a saved plan", async () => {
    const table = (billingMode: string) => handBuilt(TABLE, "orders", { hashKey: "pk", billingMode, deletionProtectionEnabled: true }, { replaceOnChanges: ["billingMode"] });
    const findings = transition([table("PAY_PER_REQUEST")], [table("PROVISIONED")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    expect(findings[0].problem).toMatch(/^replaces DynamoDB table orders: billingMode \(PAY_PER_REQUEST → PROVISIONED\) forces a new table/);
    const saved = readSavedPlan(JSON.stringify(toSavedPlan([table("PAY_PER_REQUEST")], { stack: "prod", region: "us-east-1" }))).resources;
    expect(checkPlanTransition(saved, [table("PROVISIONED")], { stack: "prod", region: "us-east-1" }).map((f) => f.rule)).toEqual(["TransitionStatefulReplaced"]);
    // Unchanged, or without replaceOnChanges: updated in place.
    expect(rules([table("PAY_PER_REQUEST")], [table("PAY_PER_REQUEST")])).toEqual([]);
    expect(rules([table("PAY_PER_REQUEST")], [{ ...table("PROVISIONED"), replaceOnChanges: undefined }])).toEqual([]);
  });

  it("finds a table replaced only through its replaceWith (a resource it names is replaced), naming the chain, also against a saved plan", () => {
    // pulumi step_generator.go diff: a resource whose replaceWith names a replaced one is replaced, `ReplaceKeys:
    // ["replaceWith"]`, before the provider is asked; its own inputs need not change. Create-first unless deleteBeforeReplace.
    const sg = (vpcId: string) => handBuilt("aws:ec2/securityGroup:SecurityGroup", "api-sg", { description: "Managed by Pulumi", vpcId }, { id: "sg-0123456789" });
    const fn = handBuilt("aws:lambda/function:Function", "api-handler", { role: "arn:aws:iam::123456789012:role/api", runtime: "nodejs20.x", handler: "index.handler" }, { replaceWith: [sg("vpc-1").urn] });
    const table = (more: Partial<RecordedResource> = {}) => handBuilt(TABLE, "orders", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }] }, { replaceWith: [sg("vpc-1").urn], ...more });
    const findings = transition([sg("vpc-1"), table()], [sg("vpc-2"), table()]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    expect(findings[0].problem).toMatch(/^replaces DynamoDB table orders: its replaceWith names api-sg, which the update replaces \(the engine then replaces it without asking the provider, pulumi step_generator\.go diff\)\. The update creates the new, empty table, everything that uses the table moves to the new, empty one, and the deployed one is deleted with its items/);
    // The target kept: nothing replaced.
    expect(rules([sg("vpc-1"), table()], [sg("vpc-1"), table()])).toEqual([]);
    // Against a saved plan (replaceWith and the inputs kept).
    const saved = readSavedPlan(JSON.stringify(toSavedPlan([sg("vpc-1"), table()], { stack: "prod", region: "us-east-1" }))).resources;
    expect(checkPlanTransition(saved, [sg("vpc-2"), table()], { stack: "prod", region: "us-east-1" }).map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    // Through a chain: the table names the function, which names the security group.
    const chained = transition([sg("vpc-1"), fn, table({ replaceWith: [fn.urn] })], [sg("vpc-2"), fn, table({ replaceWith: [fn.urn] })]);
    expect(chained.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    expect(chained[0].problem).toMatch(/^replaces DynamoDB table orders: its replaceWith names api-handler, replaced for its own replaceWith \(api-sg\), which the update replaces/);
    // deleteBeforeReplace given: delete-first; retainOnDelete deployed: the old copy stays outside the stack.
    expect(transition([sg("vpc-1"), table()], [sg("vpc-2"), table({ deleteBeforeReplace: true, deleteBeforeReplaceDefined: true })])[0].problem).toMatch(/The deployed one is deleted with its items first \([^)]*deleteBeforeReplace\)/);
    expect(transition([sg("vpc-1"), table({ retainOnDelete: true })], [sg("vpc-2"), table({ retainOnDelete: true })])[0].problem).toMatch(/retained \(retainOnDelete\): the update succeeds/);
    // Not updated in place: a TTL moved on the replaced table is no TransitionTtlAttributeMoved (the new table is created with it).
    const ttl = (attributeName: string, enabled: boolean) => table({ inputs: { hashKey: "pk", attributes: [{ name: "pk", type: "S" }], ttl: { enabled, attributeName } } });
    expect(rules([sg("vpc-1"), ttl("expiresAt", true)], [sg("vpc-1"), ttl("ttl", false)])).toEqual([["TransitionTtlAttributeMoved", `${TABLE} orders`]]);
    expect(rules([sg("vpc-1"), ttl("expiresAt", true)], [sg("vpc-2"), ttl("ttl", false)])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    // The security group replaced delete-first: the engine deletes the table before it, so the table goes first too.
    const sgFirst = { ...sg("vpc-2"), deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
    expect(transition([sg("vpc-1"), table()], [sgFirst, table()])[0].problem).toMatch(/The deployed one is deleted with its items first \(the engine deletes it before a resource its replaceWith names, which is replaced delete-first\), then the new, empty table is created/);
    // deletedWith the security group: replaced with it too (step_generator.go diff, `ReplaceKeys: ["deletedWith"]`), and
    // the old copy's delete skipped, since the group's old copy is deleted in the same update (step.go isDeletedWith).
    const withSg = (more: Partial<RecordedResource> = {}) => table({ replaceWith: undefined, deletedWith: sg("vpc-1").urn, ...more });
    const deletedWith = transition([sg("vpc-1"), withSg()], [sg("vpc-2"), withSg()]);
    expect(deletedWith.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${TABLE} orders`]]);
    expect(deletedWith[0].problem).toMatch(/^replaces DynamoDB table orders: its deletedWith names api-sg, which the update replaces \(the engine then replaces it without asking the provider, pulumi step_generator\.go diff\)\. The deployed one's delete is skipped \(deletedWith a resource the update also deletes\): the update succeeds, everything that uses the table moves to the new, empty one, and the deployed one, with its items, stays in the account outside the stack/);
    expect(rules([sg("vpc-1"), withSg()], [sg("vpc-1"), withSg()])).toEqual([]);
    // Its own deleteBeforeReplace, the group create-first: deleted when replaced, before the group's delete is due (not skipped).
    const own = withSg({ deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    expect(transition([sg("vpc-1"), own], [sg("vpc-2"), own])[0].problem).toMatch(/The deployed one is deleted with its items first \(/);
    // With a change of its own too, both are said.
    const both = transition([sg("vpc-1"), table()], [sg("vpc-2"), table({ inputs: { hashKey: "id", attributes: [{ name: "id", type: "S" }] } })]);
    expect(both[0].problem).toMatch(/^replaces DynamoDB table orders: hashKey \(pk → id\) forces a new table \(terraform-provider-aws [^)]+\), and its replaceWith names api-sg, which the update replaces/);
  });
});

describe("checkPlanTransition: dropping a global table's replicas", () => {
  const TABLE = "aws:dynamodb/table:Table";
  const preferences = { attributes: { identityId: "S", key: "S" }, partitionKey: "identityId", sortKey: "key" };
  const tier = (table: Record<string, unknown>, deletionProtection = false) =>
    recordProgram(() => new DataTier("data", { tables: { preferences: { ...preferences, ...table } as TableArgs }, region: "us-east-1", deletionProtection, retainOnDelete: deletionProtection }));
  const transition = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" });

  it("finds every replica dropped while the stream goes off in the same update (TransitionReplicaStreamOff), and passes it with the stream kept", async () => {
    const deployed = await tier({ replicaRegions: ["us-west-2"] });
    const findings = transition(deployed, await tier({ replicaRegions: [] }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionReplicaStreamOff", `${TABLE} data-preferences`]]);
    expect(findings[0].problem).toMatch(/Disabling Stream is not allowed for a Global Table replica/);
    expect(findings[0].fix).toMatch(/stream: "NEW_AND_OLD_IMAGES"/);
    expect(findings[0].fix).toMatch(/docs\/multi-region\.md/);
    expect(transition(deployed, await tier({ replicaRegions: [], stream: "NEW_AND_OLD_IMAGES" }))).toEqual([]);
    // Step two, once the replicas are gone: the stream goes off on a table that is no global table any more.
    expect(transition(await tier({ replicaRegions: [], stream: "NEW_AND_OLD_IMAGES" }), await tier({ replicaRegions: [] }))).toEqual([]);
  });

  it("finds a deletion-protected replica whose region leaves replicas (TransitionProtectedReplicaRemoved), and passes it once protection is off", async () => {
    const kept = { stream: "NEW_AND_OLD_IMAGES" };
    const deployed = await tier({ ...kept, replicaRegions: ["us-west-2"] }, true);
    const findings = transition(deployed, await tier({ ...kept, replicaRegions: [] }, true));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionProtectedReplicaRemoved", `${TABLE} data-preferences`]]);
    expect(findings[0].problem).toMatch(/^removes the replica in us-west-2, which has deletion protection/);
    // The refusal is inferred (no AWS text states it for a replica), and said to be; DeleteTable's message is not quoted as DynamoDB's answer.
    expect(findings[0].problem).toMatch(/That DynamoDB refuses it is inferred, not confirmed/);
    expect(findings[0].problem).not.toMatch(/explicit delete confirmation/);
    expect(findings[0].fix).toMatch(/--no-deletion-protection-enabled/);
    // A region swapped for another deletes the old region's replica too.
    expect(transition(deployed, await tier({ ...kept, replicaRegions: ["eu-west-1"] }, true)).map((f) => f.rule)).toEqual(["TransitionProtectedReplicaRemoved"]);
    // Step one turns protection off in place (the replica stays), step two removes it.
    const unprotected = await tier({ ...kept, replicaRegions: ["us-west-2"] }, false);
    expect(transition(deployed, unprotected)).toEqual([]);
    expect(transition(unprotected, await tier({ ...kept, replicaRegions: [] }, false))).toEqual([]);
    // Both at once in the reference app's prod (preferences has no stream of its own): both findings.
    expect(transition(await tier({ replicaRegions: ["us-west-2"] }, true), await tier({ replicaRegions: [] }, true)).map((f) => f.rule).sort()).toEqual(["TransitionProtectedReplicaRemoved", "TransitionReplicaStreamOff"]);
  });
});

const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
const STAGE = "aws:apigateway/stage:Stage";
const API_RESOURCE = "aws:apigateway/resource:Resource";
const AUTHORIZER = "aws:apigateway/authorizer:Authorizer";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const S3_BUCKET = "aws:s3/bucket:Bucket";
const echo = "tests/fixtures/handlers/echo.ts";
const transitionOf = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" });

describe("checkPlanTransition: an API Gateway deployment deleted while a stage still serves it (TransitionDeploymentStillServed)", () => {
  const health = { "GET /health": { handler: echo, auth: "none" as const } };
  const status = { "GET /status": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
  const config = { "GET /config": { integration: { type: "mock" as const, body: { version: 2 } }, auth: "none" as const } };
  const api = (stages: ServerlessApiArgs["stages"], routes: ServerlessApiArgs["routes"]) => recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, stages, routes }));
  const canary = { prod: { canary: { percentTraffic: 10 } } };
  const asEarlierVersion = (graph: RecordedResource[]) => asEarlierCanaryVersion(graph, "api");

  it("finds the earlier version's canary turned on with a new route: api-deployment is replaced while stage prod stays on the deployed copy", async () => {
    const deployed = await api({ prod: {} }, health);
    const findings = transitionOf(deployed, asEarlierVersion(await api(canary, { ...health, ...status })));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionDeploymentStillServed", `${DEPLOYMENT} api-deployment`]]);
    expect(findings[0].problem).toMatch(/^is replaced \(triggers \([^)]*\) forces? a new deployment/);
    expect(findings[0].problem).toMatch(/stage api-stage-prod still serves the deployed copy \(its ignoreChanges holds "deployment", so the update leaves it there\)/);
    expect(findings[0].problem).toMatch(/"Active stages pointing to this deployment must be moved or deleted"/);
    expect(findings[0].problem).toMatch(/every later pulumi up/);
    // The retainOnDelete the earlier version set in the same update applies to the new copy only.
    expect(findings[0].problem).toMatch(/retainOnDelete: true, which the program now sets, comes too late/);
    expect(findings[0].fix).toMatch(/docs\/api-gateway-deployments\.md/);
  });

  it("finds the same through a saved plan, which keeps the deployment's restApi and triggers (a digest), nothing else", async () => {
    const deployed = await api({ prod: {} }, health);
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(deployed, { stack: "prod", region: "us-east-1" })));
    const deployment = saved.resources.find((r) => r.type === DEPLOYMENT)!;
    expect(Object.keys(deployment.inputs).sort()).toEqual(["restApi", "triggers"]);
    expect(deployment.inputs.triggers).toEqual({ snapshot: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(transitionOf(saved.resources, asEarlierVersion(await api(canary, { ...health, ...status }))).map((f) => f.rule)).toEqual(["TransitionDeploymentStillServed"]);
    // A plan saved before deployments' inputs were kept tells nothing about a replacement: it listed none of them
    // (savedInputs []), or, saved before resources listed their inputs, held none (readSavedPlan reads {} so).
    const withoutInputs = saved.resources.map((r) => (r.type === DEPLOYMENT ? { ...r, inputs: {}, savedInputs: [] } : r));
    expect(transitionOf(withoutInputs, asEarlierVersion(await api(canary, { ...health, ...status })))).toEqual([]);
    const older = readSavedPlan(JSON.stringify({ ...saved, resources: withoutInputs.map(({ savedInputs: _kept, ...r }) => r) })).resources;
    expect(transitionOf(older, asEarlierVersion(await api(canary, { ...health, ...status })))).toEqual([]);
  });

  it("passes today's canary release: turned on with a new route, more changes while it runs, and the promotion", async () => {
    const off = await api({ prod: {} }, health);
    const on = await api(canary, { ...health, ...status });
    const more = await api(canary, { ...health, ...status, ...config });
    const promoted = await api({ prod: {} }, { ...health, ...status, ...config });
    expect(transitionOf(off, on).map(formatFinding)).toEqual([]);
    expect(transitionOf(on, more).map(formatFinding)).toEqual([]);
    expect(transitionOf(more, promoted).map(formatFinding)).toEqual([]);
    // Without a canary the stage moves to the new deployment in the update, before the old one is deleted.
    expect(transitionOf(off, await api({ prod: {} }, { ...health, ...status })).map(formatFinding)).toEqual([]);
  });

  it("finds a removed deployment that a stage still names, and passes one the deployed plan retains or whose stage goes with it", () => {
    const deployment = (logical: string, more: Partial<RecordedResource> = {}) => handBuilt(DEPLOYMENT, logical, { restApi: "rest-1", triggers: { snapshot: "a" } }, more);
    const stage = (deploymentId: string, more: Partial<RecordedResource> = {}) => handBuilt(STAGE, "api-stage-prod", { restApi: "rest-1", stageName: "prod", deployment: deploymentId }, more);
    const old = deployment("api-deployment");
    // The program now points the stage at a deployment by its literal id: the one it removes.
    expect(rules([old, stage(old.id!)], [stage(old.id!)])).toEqual([["TransitionDeploymentStillServed", `${DEPLOYMENT} api-deployment`]]);
    expect(rules([{ ...old, retainOnDelete: true }, stage(old.id!)], [stage(old.id!)])).toEqual([]);
    expect(rules([old, stage(old.id!)], [])).toEqual([]);
    // Replaced while the stage ignores its deployment, but the stage was deployed on another one.
    const other = deployment("other-deployment");
    const ignoring = { ignoreChanges: ["deployment"] };
    expect(rules([old, other, stage(other.id!)], [deployment("api-deployment", { inputs: { restApi: "rest-1", triggers: { snapshot: "b" } } }), other, stage(other.id!, ignoring)])).toEqual([]);
    expect(rules([old, stage(old.id!)], [deployment("api-deployment", { inputs: { restApi: "rest-1", triggers: { snapshot: "b" } } }), stage(old.id!, ignoring)])).toEqual([["TransitionDeploymentStillServed", `${DEPLOYMENT} api-deployment`]]);
    // The deployment's own ignoreChanges keeps the deployed triggers: no replacement.
    expect(rules([old, stage(old.id!)], [deployment("api-deployment", { inputs: { restApi: "rest-1", triggers: { snapshot: "b" } }, ignoreChanges: ["triggers"] }), stage(old.id!, ignoring)])).toEqual([]);
    // A path below the variables (replace-forcing, kept as a digest by a saved plan): a change only under it keeps the
    // deployment; against a saved plan there is no deployed value to put back, so an unchanged one passes and a changed one is reported.
    const withVariables = (a: string, b: string) => deployment("api-deployment", { inputs: { restApi: "rest-1", triggers: { snapshot: "a" }, variables: { a, b } }, ignoreChanges: ['variables["a"]'] });
    const served = withVariables("1", "2");
    const savedServed = readSavedPlan(JSON.stringify(toSavedPlan([served, stage(old.id!)], { stack: "prod", region: "us-east-1" }))).resources;
    const stillServed = [["TransitionDeploymentStillServed", `${DEPLOYMENT} api-deployment`]];
    expect(rules([served, stage(old.id!)], [withVariables("9", "2"), stage(old.id!, ignoring)])).toEqual([]);
    expect(rules([served, stage(old.id!)], [withVariables("1", "9"), stage(old.id!, ignoring)])).toEqual(stillServed);
    expect(rules(savedServed, [withVariables("1", "2"), stage(old.id!, ignoring)])).toEqual([]);
    expect(rules(savedServed, [withVariables("9", "2"), stage(old.id!, ignoring)])).toEqual(stillServed);
  });
});

describe("checkPlanTransition: retainOnDelete set in the update that replaces the resource (TransitionRetainedTooLate)", () => {
  const bodyModel = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(MODEL, "api-model", { restApi: "rest-1", name, contentType: "application/json", schema: "{}" }, more);

  it("finds a model renamed (replaced) in the update that first sets retainOnDelete: the engine deletes the deployed copy by its deployed options", () => {
    const findings = checkPlanTransition([bodyModel("PostAlbumsBody")], [bodyModel("PostAlbumsBodyV2", { retainOnDelete: true })], { stack: "prod" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRetainedTooLate", `${MODEL} api-model`]]);
    expect(findings[0].problem).toMatch(/^is replaced \(name \(PostAlbumsBody → PostAlbumsBodyV2\)\) in the update that sets retainOnDelete: true on it/);
    expect(findings[0].problem).toMatch(/pulumi\/pulumi#13428/);
    expect(findings[0].fix).toMatch(/^set retainOnDelete: true in an update of its own/);
  });

  it("passes retainOnDelete already deployed, retainOnDelete set without a replacement, and a replacement that keeps the deployed options", () => {
    expect(rules([bodyModel("PostAlbumsBody", { retainOnDelete: true })], [bodyModel("PostAlbumsBodyV2", { retainOnDelete: true })])).toEqual([]);
    expect(rules([bodyModel("PostAlbumsBody")], [bodyModel("PostAlbumsBody", { retainOnDelete: true })])).toEqual([]);
    expect(rules([bodyModel("PostAlbumsBody")], [bodyModel("PostAlbumsBodyV2")])).toEqual([]);
  });
});

describe("checkPlanTransition: REST API resources, one variable path part per parent", () => {
  const albums = (param: string) => ({
    [`GET /albums/{${param}}`]: { handler: echo, auth: "none" as const },
    [`DELETE /albums/{${param}}`]: { handler: echo, auth: "none" as const },
  });
  const gallery = (routes: ServerlessApiArgs["routes"], basePath = "api") => recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, basePath, stages: { prod: {} }, routes }));

  it("finds the routes' path parameter renamed ({albumId} → {id}): the new resource is created beside the deployed one", async () => {
    const findings = transitionOf(await gallery(albums("albumId")), await gallery(albums("id")));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${API_RESOURCE} api-res-api-albums-id`]]);
    expect(findings[0].problem).toMatch(/^is created by the update as API Gateway resource \{id\} \(a variable path part\) under /);
    expect(findings[0].problem).toMatch(/aws:apigateway\/resource:Resource api-res-api-albums-albumId of the deployed plan holds the name and is removed from the program/);
    expect(findings[0].problem).toMatch(/A sibling \(\{…\}\) of this resource already has a variable path part -- only one is allowed/);
    expect(findings[0].fix).toMatch(/keep the path parameter's deployed name, or rename it in two updates/);
  });

  it("passes the same routes, a literal sibling added beside the variable one, and a new base path", async () => {
    const deployed = await gallery(albums("albumId"));
    expect(transitionOf(deployed, deployed)).toEqual([]);
    expect(transitionOf(deployed, await gallery({ ...albums("albumId"), "GET /albums/featured": { handler: echo, auth: "none" } })).map(formatFinding)).toEqual([]);
    // The old base path's routes stay in the new deployment: TransitionRestRouteStillServed (its own test) reports them.
    expect(transitionOf(deployed, await gallery(albums("albumId"), "v1")).filter((f) => f.rule !== "TransitionRestRouteStillServed").map(formatFinding)).toEqual([]);
  });

  it("finds a literal path part taken by a resource under another logical name (ConflictException), and keys pathPart updates in place", () => {
    const resource = (logical: string, pathPart: string) => handBuilt(API_RESOURCE, logical, { restApi: "rest-1", parentId: "root", pathPart });
    expect(rules([resource("old", "albums")], [resource("new", "albums")])).toEqual([["TransitionNameTaken", `${API_RESOURCE} new`]]);
    // pathPart and parentId are patched in place (UpdateResource): {albumId} → {id} on one resource is an update.
    expect(rules([resource("albums-param", "{albumId}")], [resource("albums-param", "{id}")])).toEqual([]);
  });
});

describe("checkPlanTransition: REST authorizer names, unique per API", () => {
  const authorizer = (type: string | undefined, name = "auth", more: Record<string, unknown> = {}) =>
    handBuilt(AUTHORIZER, "api-authorizer-auth", { restApi: "rest-1", name, ...(type ? { type } : {}), ...more });

  it("finds an authorizer switched from Cognito to a Lambda TOKEN authorizer under the same name: replaced delete-first (its name set by hand), its delete may keep it", () => {
    const findings = transitionOf([authorizer("COGNITO_USER_POOLS", "auth", { providerArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_A"] })], [authorizer("TOKEN", "auth", { authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/fn" })]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${AUTHORIZER} api-authorizer-auth`]]);
    expect(findings[0].problem).toMatch(/Authorizer name must be unique/);
    // `name` is pulumi-aws's autoname field (AuthorizerArgs.name is optional), so the bridge replaces a hand-named one delete-first.
    expect(findings[0].problem).toMatch(/^is replaced as API Gateway authorizer "auth" \(TOKEN\) of REST API rest-1; its deployed copy is deleted first, but the provider's delete reports success/);
    // deleteBeforeReplace frees nothing: the provider's delete ignores the ConflictException of an authorizer methods still use.
    expect(findings[0].fix).toMatch(/^give the replacement another name/);
    expect(rules([authorizer("COGNITO_USER_POOLS")], [{ ...authorizer(undefined), deleteBeforeReplace: true }])).toEqual([["TransitionNameTaken", `${AUTHORIZER} api-authorizer-auth`]]);
  });

  it("passes TOKEN ↔ REQUEST (an in-place update), and ServerlessApi's switch between Cognito and Lambda (the kind is in the name)", async () => {
    expect(rules([authorizer("TOKEN")], [authorizer("REQUEST")])).toEqual([]);
    expect(rules([authorizer(undefined)], [authorizer("REQUEST")])).toEqual([]);
    // The switch to or from Cognito under ignoreChanges type: the engine keeps the deployed type, so nothing is replaced.
    expect(rules([authorizer("COGNITO_USER_POOLS")], [{ ...authorizer("TOKEN"), ignoreChanges: ["type"] }])).toEqual([]);
    const userPoolArn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_EXAMPLE";
    const withAuthorizer = (auth: ApiAuthorizer) =>
      recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, stages: { prod: {} }, authorizers: { auth }, routes: { "GET /me": { handler: echo, auth: { authorizer: "auth" } } } }));
    const cognito = await withAuthorizer({ type: "cognito", userPoolArns: [userPoolArn] });
    const token = await withAuthorizer({ type: "token", handler: "handlers/api/authorizer.ts" });
    expect(cognito.find((r) => r.type === AUTHORIZER)!.inputs.name).toBe("auth-cognito");
    expect(transitionOf(cognito, token).map(formatFinding)).toEqual([]);
    expect(transitionOf(token, cognito).map(formatFinding)).toEqual([]);
  });
});

describe("checkPlanTransition: CloudFront alternate domain names, unique across all accounts", () => {
  const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/site";
  const site = (name: string, opts?: pulumi.ComponentResourceOptions) =>
    recordProgram(() => new StaticSite(name, { path: "tests/fixtures/site", domain: { name: "gallery.example.com", aliases: ["www.gallery.example.com"], certificateArn } }, opts));

  it("finds a StaticSite with a domain renamed (site → web) without aliases: its new distribution claims names the deployed one still holds", async () => {
    const findings = transitionOf(await site("site"), await site("web")).filter((f) => f.resource.startsWith(DISTRIBUTION));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([
      ["TransitionNameTaken", `${DISTRIBUTION} web-cdn`],
      ["TransitionNameTaken", `${DISTRIBUTION} web-cdn`],
    ]);
    expect(findings.map((f) => f.problem.match(/alternate domain name (\S+);/)![1]).sort()).toEqual(["gallery.example.com", "www.gallery.example.com"]);
    expect(findings[0].problem).toMatch(/aws:cloudfront\/distribution:Distribution site-cdn of the deployed plan holds the name and is removed from the program/);
    expect(findings[0].problem).toMatch(/CNAMEAlreadyExists/);
    expect(findings[0].problem).toMatch(/even if your AWS account owns the other distribution/);
    // StaticSite's children take no aliases of their own: the component's alias is the fix.
    expect(findings[0].fix).toMatch(/^if web is site renamed, give it its earlier name: aliases: \[\{ name: "site" \}\] \(its children follow it\); otherwise keep/);
  });

  it("passes the rename with the component's alias, and keeps only the distribution's aliases in a saved plan", async () => {
    const deployed = await site("site");
    expect(transitionOf(deployed, await site("web", { aliases: [{ name: "site" }] })).map(formatFinding)).toEqual([]);
    const saved = toSavedPlan(deployed, { stack: "prod", region: "us-east-1" }).resources.find((r) => r.type === DISTRIBUTION)!;
    expect(saved.inputs).toEqual({ aliases: ["gallery.example.com", "www.gallery.example.com"] });
  });

  it("finds an alias moved between two distributions in one update, in any case, unless the taker waits for the giver; and a removed distribution kept by its own retainOnDelete input", () => {
    const distribution = (logical: string, aliases: string[], more: Partial<RecordedResource> = {}, inputs: Record<string, unknown> = {}) => handBuilt(DISTRIBUTION, logical, { aliases, enabled: true, ...inputs }, more);
    const before = [distribution("a", ["Shop.Example.com"]), distribution("b", [])];
    expect(rules(before, [distribution("a", []), distribution("b", ["shop.example.com"])])).toEqual([["TransitionNameTaken", `${DISTRIBUTION} b`]]);
    expect(rules(before, [distribution("a", []), distribution("b", ["shop.example.com"], { dependencies: [before[0].urn] })])).toEqual([]);
    // The provider's retain_on_delete only disables the distribution: it keeps its names.
    const kept = distribution("old", ["shop.example.com"], {}, { retainOnDelete: true });
    const findings = transitionOf([kept], [distribution("new", ["shop.example.com"])]);
    expect(findings.map((f) => f.rule)).toEqual(["TransitionNameTaken"]);
    expect(findings[0].problem).toMatch(/is removed without being deleted/);
    // A wildcard may overlap an exact name.
    expect(rules([distribution("old", ["*.example.com"])], [distribution("new", ["shop.example.com"])])).toEqual([]);
  });
});

describe("checkPlanTransition: S3 bucket names, unique across all accounts", () => {
  const site = (name: string, opts?: pulumi.ComponentResourceOptions) => recordProgram(() => new StaticSite(name, { path: "tests/fixtures/site", bucketName: "gallery-site-assets" }, opts));

  it("finds a StaticSite with a fixed bucketName renamed (site → web): CreateBucket of web-bucket is refused while site-bucket holds the name", async () => {
    const findings = transitionOf(await site("site"), await site("web"));
    // The site bucket's name is taken (the update stops there, before any data moves); the log bucket, autonamed, is
    // TransitionStatefulReplaced's: a new, empty one would take over.
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([
      ["TransitionNameTaken", `${S3_BUCKET} web-bucket`],
      ["TransitionStatefulReplaced", `${S3_BUCKET} web-logs`],
    ]);
    expect(findings[0].problem).toMatch(/^is created by the update as S3 bucket "gallery-site-assets"; aws:s3\/bucket:Bucket site-bucket of the deployed plan holds the name and is removed from the program/);
    expect(findings[0].problem).toMatch(/BucketAlreadyOwnedByYou/);
    expect(findings[0].fix).toContain('aliases: [{ name: "site-bucket" }]');
  });

  it("passes the rename with the component's alias, and a bucket whose fixed name changes (TransitionStatefulReplaced's alone)", async () => {
    expect(transitionOf(await site("site"), await site("web", { aliases: [{ name: "site" }] })).map(formatFinding)).toEqual([]);
    const bucket = (name: string, more: Partial<RecordedResource> = {}, inputs: Record<string, unknown> = {}) => handBuilt(S3_BUCKET, "uploads-bucket", { bucket: name, forceDestroy: false, ...inputs }, more);
    expect(rules([bucket("gallery-uploads")], [bucket("gallery-originals")])).toEqual([["TransitionStatefulReplaced", `${S3_BUCKET} uploads-bucket`]]);
    // A fixed name moved to another region: the bridge replaces it delete-first, unless the deployed one is retained,
    // which keeps the name: then the create is refused, and only that is reported.
    expect(rules([bucket("gallery-uploads", { retainOnDelete: true })], [bucket("gallery-uploads", { retainOnDelete: true }, { region: "us-west-2" })])).toEqual([["TransitionNameTaken", `${S3_BUCKET} uploads-bucket`]]);
  });
});

const RANDOM = "random:index/randomString:RandomString";
const PARAMETER = "aws:ssm/parameter:Parameter";

/**
 * The replacement cascade (withCascadedReplacements) rewrites a value a replacement draws anew where the next plan
 * holds it: whole values anywhere, and a longer string around it only in a resource that depends on the drawing one
 * (an identifier interpolated from a RandomString's result); a string that merely contains the value is left alone.
 */
describe("the replacement cascade's rewriting of drawn values", () => {
  it("rewrites the drawn value whole anywhere and inside a dependent's interpolated string, and leaves a containing-but-different string of an unrelated resource alone", () => {
    const suffix = (keepers: Record<string, string>) => handBuilt(RANDOM, "suffix", { length: 8, keepers }, { state: { result: "abc1234x" } });
    const before = [suffix({ subnetGroup: "one" })];
    const drawn = suffix({ subnetGroup: "two" });
    // Interpolated from the suffix (depends on it): `${name}-${suffix}`.
    const dependent = handBuilt(PARAMETER, "dependent", { name: "app-abc1234x", value: "abc1234x" }, { dependencies: [drawn.urn] });
    // Depends on nothing: its exact copy of the value is a reference (rewritten), its longer string that contains it is not.
    const bystander = handBuilt(PARAMETER, "bystander", { name: "note-abc1234x-z", value: "abc1234x", tags: { about: "xabc1234x" } });
    const replaced = (_kind: unknown, old: { inputs: Record<string, unknown> }, next: { inputs: Record<string, unknown> }) => JSON.stringify(old.inputs.keepers) !== JSON.stringify(next.inputs.keepers);
    const { after } = withCascadedReplacements([...before, dependent, bystander], [drawn, dependent, bystander], replaced);
    const inputsOf = (name: string) => after.find((r) => r.name === name)!.inputs;
    expect(after.find((r) => r.name === "suffix")!.state.result).toBe("<new abc1234x>");
    expect(inputsOf("dependent")).toEqual({ name: "app-<new abc1234x>", value: "<new abc1234x>" });
    expect(inputsOf("bystander")).toEqual({ name: "note-abc1234x-z", value: "<new abc1234x>", tags: { about: "xabc1234x" } });
  });
});
