/**
 * DefaultEventBus: rules on the account's `default` bus with EventBus's subscribe (no bus created, rule ARNs
 * `rule/<name>` in the permission, dead-letter queue policy, workflow role and a MessageQueue's policy), and S3's
 * EventBridge delivery: BucketEvents/UploadBucket `eventBridge` in the bucket's one notification configuration and the
 * objectCreated/objectDeleted patterns, with every construction-time refusal.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BucketEvents } from "../../components/bucket-events";
import { DefaultEventBus, EventBus, type EventBusSpec } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { registeredSpecs } from "../../components/spec-registry";
import { UploadBucket } from "../../components/upload-bucket";
import { Workflow } from "../../components/workflow";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { policyDocument, record, resource, useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const ACCOUNT = "123456789012";

beforeAll(() => useMocks());

const securityFindings = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Awaited<ReturnType<typeof record>>) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });

describe("DefaultEventBus", () => {
  it("puts rules on the default bus: no bus of ours, the rule ARN without a bus segment in the permission and the dead-letter queue's policy", async () => {
    let bus: DefaultEventBus;
    const graph = await record(() => {
      bus = new DefaultEventBus("awsev", {});
      const fn = new LambdaFunction("awsev-fn", { entry, permissions: bus.grants.put(), environment: bus.environment() });
      bus.subscribe("s3", fn, { pattern: { source: ["aws.s3"], "detail-type": ["Object Created"] } });
    });
    expect(graph.filter((r) => r.type === "aws:cloudwatch/eventBus:EventBus")).toEqual([]);
    const rule = resource(graph, RULE, "awsev-s3");
    expect(rule.inputs).toEqual({ eventBusName: "default", eventPattern: JSON.stringify({ source: ["aws.s3"], "detail-type": ["Object Created"] }), state: "ENABLED" });
    expect(rule.state.arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/${rule.state.name}`);
    expect(resource(graph, "aws:lambda/permission:Permission", "awsev-s3-invoke").inputs.sourceArn).toBe(rule.state.arn);
    expect(resource(graph, TARGET, "awsev-s3").inputs).toMatchObject({ rule: rule.state.name, eventBusName: "default", targetId: "function" });
    const dlqPolicy = resource(graph, "aws:sqs/queuePolicy:QueuePolicy", "awsev-s3-dlq-policy");
    expect(JSON.stringify(policyDocument(dlqPolicy.inputs.policy))).toContain(rule.state.arn);
    const fn = resource(graph, "aws:lambda/function:Function", "awsev-fn-function");
    expect(fn.inputs.environment.variables.EVENT_BUS_NAME).toBe("default");
    const put = graph.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && JSON.stringify(r.inputs.policy).includes("events:PutEvents"))!;
    expect(policyDocument(put.inputs.policy).Statement).toContainEqual({ Effect: "Allow", Action: ["events:PutEvents"], Resource: [`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`] });
    expect(registeredSpecs<EventBusSpec>("EventBus").find((s) => s.name === "awsev")?.spec).toMatchObject({ busName: "default", default: true, subscriptions: [{ name: "s3", target: "lambda" }] });
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("lets a MessageQueue that lists it take its rules' events (rule/<name>-*), and trusts a workflow's role from the rule's own ARN", async () => {
    const graph = await record(() => {
      const bus = new DefaultEventBus("awsq", { region: "us-east-1" });
      const queue = new MessageQueue("awsq-work", { consumer: { function: new LambdaFunction("awsq-worker", { entry }) }, eventBuses: [bus] });
      bus.subscribe("jobs", queue, { pattern: { source: ["aws.s3"] } });
      bus.subscribe("flow", new Workflow("awsq-flow", { definition: { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } } }), { pattern: { source: ["aws.s3"] } });
    });
    const policy = resource(graph, "aws:sqs/queuePolicy:QueuePolicy", "awsq-work-queue-policy");
    expect(JSON.stringify(policyDocument(policy.inputs.policy))).toContain(`"arn:aws:events:us-east-1:${ACCOUNT}:rule/awsq-*"`);
    const flowRule = resource(graph, RULE, "awsq-flow");
    const role = resource(graph, "aws:iam/role:Role", "awsq-flow-target-role");
    expect(JSON.stringify(JSON.parse(role.inputs.assumeRolePolicy))).toContain(`"aws:SourceArn":"arn:aws:events:us-east-1:${ACCOUNT}:rule/${flowRule.state.name}"`);
    expect(deployFindings(graph)).toEqual([]);
    expect(securityFindings(graph)).toEqual([]);
  });

  it("routes a bucket's S3 events: EventBridge on in the bucket's one notification, beside its Lambda configurations, and a pattern of its name and key prefix", async () => {
    let bucketName = "";
    const graph = await record(() => {
      const uploads = new UploadBucket("evb-up", {});
      const thumbs = new LambdaFunction("evb-thumbs", { entry });
      const events = uploads.notify({ thumbs: { function: thumbs, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" } }, { eventBridge: true });
      const bus = new DefaultEventBus("evb-s3", {});
      bus.subscribe("originals", new LambdaFunction("evb-index", { entry }), { pattern: events.objectCreated({ prefix: "originals/" }) });
      bus.subscribe("images", new LambdaFunction("evb-images", { entry }), { pattern: events.objectCreated({ prefix: "originals/", suffix: ".jpg" }) });
      bus.subscribe("gone", new LambdaFunction("evb-gone", { entry }), { pattern: events.objectDeleted() });
      uploads.bucketName.apply((name) => (bucketName = name));
    });
    const notification = resource(graph, NOTIFICATION, "evb-up-events-notification");
    expect(notification.inputs).toMatchObject({ eventbridge: true, lambdaFunctions: [{ id: "thumbs", events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" }] });
    expect(JSON.parse(resource(graph, RULE, "evb-s3-originals").inputs.eventPattern)).toEqual({ source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: [bucketName] }, object: { key: [{ prefix: "originals/" }] } } });
    expect(JSON.parse(resource(graph, RULE, "evb-s3-images").inputs.eventPattern).detail.object).toEqual({ key: [{ wildcard: "originals/*.jpg" }] });
    expect(JSON.parse(resource(graph, RULE, "evb-s3-gone").inputs.eventPattern)).toEqual({ source: ["aws.s3"], "detail-type": ["Object Deleted"], detail: { bucket: { name: [bucketName] } } });
    expect(registeredSpecs<{ eventBridge?: boolean }>("BucketEvents").find((s) => s.name === "evb-up-events")?.spec.eventBridge).toBe(true);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("sends only to EventBridge when a bucket has no Lambda subscriptions", async () => {
    const graph = await record(() => {
      const uploads = new UploadBucket("evo-up", {});
      uploads.notify({}, { eventBridge: true });
    });
    expect(resource(graph, NOTIFICATION, "evo-up-events-notification").inputs).toEqual({ bucket: expect.any(String), lambdaFunctions: [], eventbridge: true });
    expect(deployFindings(graph)).toEqual([]);
  });

  it("escapes * and \\ of a prefix and suffix in the wildcard that joins them", async () => {
    await record(() => {
      const uploads = new UploadBucket("evw-up", {});
      const pattern = uploads.notify({}, { eventBridge: true }).objectCreated({ prefix: "a*b\\", suffix: ".x" }) as { detail: { object: { key: unknown } } };
      expect(pattern.detail.object.key).toEqual([{ wildcard: "a\\*b\\\\*.x" }]);
    });
  });

  describe("refuses, naming the component, the argument, the value and the fix", () => {
    it.each([
      [
        "an S3 pattern of a bucket without EventBridge",
        () => {
          const uploads = new UploadBucket("evr1-up", {});
          uploads.notify({ t: { function: new LambdaFunction("evr1-fn", { entry }), events: ["s3:ObjectCreated:*"] } }).objectCreated();
        },
        /BucketEvents "evr1-up-events": objectCreated .*does not send its events to EventBridge.*eventBridge: true/,
      ],
      [
        "an S3 pattern on a custom bus",
        () => {
          const events = new UploadBucket("evr2-up", {}).notify({}, { eventBridge: true });
          new EventBus("evr2", {}).subscribe("s3", new LambdaFunction("evr2-fn", { entry }), { pattern: events.objectCreated() });
        },
        /EventBus "evr2": subscribe\("s3"\) pattern .*S3 sends its events to the default event bus only.*DefaultEventBus/,
      ],
      [
        "a default bus in another region than the bucket",
        () => {
          const events = new UploadBucket("evr3-up", { region: "eu-west-1" }).notify({}, { eventBridge: true });
          new DefaultEventBus("evr3", { region: "us-east-1" }).subscribe("s3", new LambdaFunction("evr3-fn", { entry }), { pattern: events.objectCreated() });
        },
        /DefaultEventBus "evr3": subscribe\("s3"\) pattern .*default bus of eu-west-1.*region: "eu-west-1"/,
      ],
      [
        "an empty prefix",
        () => {
          new UploadBucket("evr4-up", {}).notify({}, { eventBridge: true }).objectDeleted({ prefix: "" });
        },
        /objectDeleted\(prefix\) .*is not 1–1024 characters/,
      ],
      ["a name EventBridge rules refuse", () => new DefaultEventBus("bad name", {}), /DefaultEventBus "bad name": name .*Use letters, digits/],
      ["a region that is no region", () => new DefaultEventBus("evr6", { region: "mars-1" }), /DefaultEventBus "evr6": region .*not an AWS region name/],
      [
        "a BucketEvents with neither subscriptions nor EventBridge",
        () => {
          const uploads = new UploadBucket("evr7-up", {});
          new BucketEvents("evr7", { bucket: uploads.nodes.bucket, subscriptions: {} });
        },
        /BucketEvents "evr7": subscriptions .*is empty.*or set eventBridge: true/,
      ],
    ])("%s", async (_, program, message) => {
      await expect(record(program)).rejects.toThrow(message);
    });
  });
});
