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
import * as pulumi from "@pulumi/pulumi";
import { checkedPatternJson, knownPatternJson } from "../../components/event-bus/pattern-json";
import { argFailer } from "../../components/errors";
import { asArray } from "../../local/offline/graph";
import { EVENTBRIDGE_RULE_SENDER, queueSendRefusal } from "../../testing/deploy-rules/queue-policy";
import { ruleDeadLettersStatement } from "../harness/event-bus";
import { policyDocument, record, resource, useMocks } from "../harness/mocks";
import { refusalOf, rejectionOf } from "../harness/refusals";

const entry = "tests/fixtures/handlers/echo.ts";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const ACCOUNT = "123456789012";
const TOKEN = "random:index/randomString:RandomString";

/** What a value's Output resolves to, read once the recording has run. */
const known = <T>(output: pulumi.Output<T>) => new Promise<T>((done) => output.apply((value) => void done(value)));

/** The aws:SourceArn values of the queue policy's EventBridge statement, as written. */
const eventBridgeSources = (graph: Awaited<ReturnType<typeof record>>, policyName: string) =>
  policyDocument(resource(graph, "aws:sqs/queuePolicy:QueuePolicy", policyName).inputs.policy)
    .Statement.filter((s: Record<string, any>) => s.Sid === "EventBusRulesSend")
    .flatMap((s: Record<string, any>) => Object.values(s.Condition ?? {}).flatMap((block: any) => asArray<string>(block["aws:SourceArn"])));

beforeAll(() => useMocks());

const securityFindings = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Awaited<ReturnType<typeof record>>) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });

describe("DefaultEventBus", () => {
  it("puts rules on the default bus: no bus of ours, the rule ARN without a bus segment in the permission and the dead-letter queue's policy", async () => {
    let bus: DefaultEventBus | undefined;
    const graph = await record(() => {
      bus = new DefaultEventBus("awsev", {});
      const fn = new LambdaFunction("awsev-fn", { entry, permissions: bus.grants.put(), environment: bus.environment() });
      bus.subscribe("s3", fn, { pattern: { source: ["aws.s3"], "detail-type": ["Object Created"] } });
    });
    expect(graph.filter((r) => r.type === "aws:cloudwatch/eventBus:EventBus")).toEqual([]);
    const rule = resource(graph, RULE, "awsev-s3");
    // The rule's name is the component's, of its kept token (7 lowercase letters and digits), and replaced delete-first.
    const token = resource(graph, TOKEN, "awsev-rule-token");
    expect(token.inputs).toMatchObject({ length: 7, special: false, upper: false });
    expect(token.parent).toBe(graph.find((r) => r.type === "serverless-fullstack:index:DefaultEventBus" && r.name === "awsev")!.urn);
    expect(await known(bus!.ruleToken)).toBe(token.state.result);
    expect(rule.inputs).toEqual({ name: `awsev-${token.state.result}-s3`, eventBusName: "default", eventPattern: JSON.stringify({ source: ["aws.s3"], "detail-type": ["Object Created"] }), state: "ENABLED" });
    expect(rule.deleteBeforeReplace).toBe(true);
    expect(await known(bus!.rulesArn)).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/awsev-${token.state.result}-*`);
    expect(resource(graph, "aws:lambda/permission:Permission", "awsev-s3-invoke").inputs.sourceArn).toBe(rule.state.arn);
    expect(resource(graph, TARGET, "awsev-s3").inputs).toMatchObject({ rule: rule.state.name, eventBusName: "default", targetId: "function" });
    const dlqPolicy = resource(graph, "aws:sqs/queuePolicy:QueuePolicy", "awsev-s3-dlq-policy");
    const dlq = graph.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "awsev-s3-dlq")!;
    expect(policyDocument(dlqPolicy.inputs.policy).Statement).toContainEqual(ruleDeadLettersStatement(dlq.state.arn, rule.state.arn));
    const fn = resource(graph, "aws:lambda/function:Function", "awsev-fn-function");
    expect(fn.inputs.environment.variables.EVENT_BUS_NAME).toBe("default");
    const put = resource(graph, "aws:iam/rolePolicy:RolePolicy", "awsev-fn-policy");
    expect(policyDocument(put.inputs.policy).Statement[0]).toEqual({ Effect: "Allow", Action: ["events:PutEvents"], Resource: [`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`] });
    expect(registeredSpecs<EventBusSpec>("EventBus").find((s) => s.name === "awsev")?.spec).toMatchObject({ busName: "default", default: true, subscriptions: [{ name: "s3", target: "lambda" }] });
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("lets a MessageQueue that lists it take its rules' events (rule/<name>-<token>-*), and trusts a workflow's role from the rule's own ARN", async () => {
    const graph = await record(() => {
      const bus = new DefaultEventBus("awsq", { region: "us-east-1" });
      const queue = new MessageQueue("awsq-work", { consumer: { function: new LambdaFunction("awsq-worker", { entry }) }, eventBuses: [bus] });
      bus.subscribe("jobs", queue, { pattern: { source: ["aws.s3"] } });
      bus.subscribe("flow", new Workflow("awsq-flow", { definition: { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } } }), { pattern: { source: ["aws.s3"] } });
    });
    const token = resource(graph, TOKEN, "awsq-rule-token").state.result;
    expect(eventBridgeSources(graph, "awsq-work-queue-policy")).toEqual([`arn:aws:events:us-east-1:${ACCOUNT}:rule/awsq-${token}-*`]);
    // Every rule the component records matches the queue's condition as IAM's ArnLike does (the deploy rules' reading).
    const queue = resource(graph, "aws:sqs/queue:Queue", "awsq-work-queue");
    const rules = graph.filter((r) => r.type === RULE);
    expect(rules.map((r) => r.inputs.name)).toEqual([`awsq-${token}-jobs`, `awsq-${token}-flow`]);
    for (const rule of rules) expect(queueSendRefusal(graph, queue, EVENTBRIDGE_RULE_SENDER, rule.state.arn)).toBeUndefined();
    const flowRule = resource(graph, RULE, "awsq-flow");
    const role = resource(graph, "aws:iam/role:Role", "awsq-flow-target-role");
    expect(policyDocument(role.inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnEquals: { "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/${flowRule.state.name}` } },
      },
    ]);
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

  it("keeps a sibling DefaultEventBus's rules out of a queue's condition: DefaultEventBus(\"aws-s3\")'s rules do not match DefaultEventBus(\"aws\")'s", async () => {
    const graph = await record(() => {
      const aws = new DefaultEventBus("aws", {});
      const awsS3 = new DefaultEventBus("aws-s3", {});
      const worker = new LambdaFunction("sib-worker", { entry });
      const queue = new MessageQueue("sib-work", { consumer: { function: worker }, eventBuses: [aws] });
      aws.subscribe("y", queue, { pattern: { source: ["gallery.a"] } });
      awsS3.subscribe("y", new LambdaFunction("sib-fn", { entry }), { pattern: { source: ["gallery.b"] } });
    });
    const token = resource(graph, TOKEN, "aws-rule-token").state.result;
    const siblingToken = resource(graph, TOKEN, "aws-s3-rule-token").state.result;
    // The condition's `aws-<token>-*` stops at the token, which "aws-s3-<token>-y" does not carry after "aws-".
    expect(eventBridgeSources(graph, "sib-work-queue-policy")).toEqual([`arn:aws:events:us-east-1:${ACCOUNT}:rule/aws-${token}-*`]);
    expect(resource(graph, RULE, "aws-y").state.arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/aws-${token}-y`);
    const siblingRule = resource(graph, RULE, "aws-s3-y");
    expect(siblingRule.state.arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/aws-s3-${siblingToken}-y`);
    expect(token).toMatch(/^[a-z0-9]{7}$/);
    const queue = resource(graph, "aws:sqs/queue:Queue", "sib-work-queue");
    expect(queueSendRefusal(graph, queue, EVENTBRIDGE_RULE_SENDER, siblingRule.state.arn)).toMatch(/does not let that rule send/);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("names a rule of 64 characters, which the EventBridgeNames deploy rule takes, and refuses one of 65 naming the name's form", async () => {
    const name = "n".repeat(20);
    const graph = await record(() => new DefaultEventBus(name, {}).subscribe("s".repeat(64 - 9 - 20), new LambdaFunction("long-fn", { entry }), { pattern: { source: ["a"] } }));
    expect(String(graph.find((r) => r.type === RULE)!.inputs.name)).toHaveLength(64);
    expect(deployFindings(graph)).toEqual([]);
    expect(await rejectionOf(record(() => new DefaultEventBus(name, {}).subscribe("s".repeat(64 - 9 - 20 + 1), new LambdaFunction("long-fn", { entry }), { pattern: { source: ["a"] } })), "DefaultEventBus accepted the arguments")).toMatchObject({
      component: "DefaultEventBus",
      resourceName: "n".repeat(20),
      argument: "subscribe name",
      value: "s".repeat(36),
      fix: "Use a subscription name of at most 35 characters, or a shorter DefaultEventBus name.",
      message: expect.stringMatching(/DefaultEventBus "n{20}": subscribe name "s{36}" makes the rule's name "n{20}-<token>-s{36}" 65 characters, over the 64 EventBridge takes/),
    });
  });

  it("keeps the origin of an objectCreated pattern spread into a new one (its detail), so the custom-bus refusal still applies", async () => {
    expect(await rejectionOf(record(() => {
        const events = new UploadBucket("evsp-up", {}).notify({}, { eventBridge: true });
        new EventBus("evsp", {}).subscribe("s3", new LambdaFunction("evsp-fn", { entry }), { pattern: { ...events.objectCreated(), account: [ACCOUNT] } });
      }), "EventBus accepted the arguments")).toMatchObject({
        component: "EventBus",
        resourceName: "evsp",
        argument: 'subscribe("s3") pattern',
        value: "evsp-up-events S3 events",
        fix: "Subscribe on a DefaultEventBus in the bucket's region.",
        message: expect.stringMatching(/EventBus "evsp": subscribe\("s3"\) pattern "evsp-up-events S3 events" is a pattern of S3 events on a custom bus/),
      });
  });

  describe("patterns holding Outputs", () => {
    it("takes a value array that is itself an Output, serialised once known", async () => {
      const graph = await record(() => {
        new DefaultEventBus("evo1", {}).subscribe("a", new LambdaFunction("evo1-fn", { entry }), { pattern: { source: pulumi.output(["a.b", "c.d"]), detail: { n: [pulumi.output(1)] } } });
      });
      expect(JSON.parse(resource(graph, RULE, "evo1-a").inputs.eventPattern)).toEqual({ source: ["a.b", "c.d"], detail: { n: [1] } });
    });

    it("refuses at construction what is wrong whatever the Outputs hold, showing the user's pattern with its Outputs marked", async () => {
      expect(await rejectionOf(record(() => {
          new DefaultEventBus("evo2", {}).subscribe("a", new LambdaFunction("evo2-fn", { entry }), { pattern: { source: pulumi.output(["a.b"]), "detail-type": "Created" } });
        }), "DefaultEventBus accepted the arguments")).toMatchObject({
          component: "DefaultEventBus",
          resourceName: "evo2",
          argument: 'subscribe("a") pattern',
          value: { source: "(Output)", "detail-type": "Created" },
          fix: 'Fix the pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html), e.g. { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"] }.',
          message: expect.stringContaining('DefaultEventBus "evo2": subscribe("a") pattern {"source":"(Output)","detail-type":"Created"} has "detail-type" whose value is not a non-empty array'),
        });
    });

    it("fails `pulumi up` at the rule once a pattern of Outputs is known to be wrong, with the known pattern", async () => {
      // What the rule's eventPattern Output runs once known: a failing Output fails `pulumi up` at the rule.
      const fail = argFailer("DefaultEventBus", "evo3");
      expect(refusalOf(() => knownPatternJson(fail, 'subscribe("a") pattern', { source: ["a.b"], detail: { n: [{ numeric: [">", "x"] }] } }), "DefaultEventBus accepted the arguments")).toMatchObject({
        component: "DefaultEventBus",
        resourceName: "evo3",
        argument: 'subscribe("a") pattern',
        value: { source: ["a.b"], detail: { n: [{ numeric: [">", "x"] }] } },
        fix: 'Fix the pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html), e.g. { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"] }.',
        message: expect.stringContaining('DefaultEventBus "evo3": subscribe("a") pattern {"source":["a.b"],"detail":{"n":[{"numeric":[">","x"]}]}} has "detail.n" with numeric of [">","x"], not [comparison, number]'),
      });
      // An Output where a stand-in would be wrong (a number, a value array) is left to that check, not refused now.
      const good = checkedPatternJson(fail, 'subscribe("a") pattern', { source: pulumi.output(["a.b"]), detail: { n: [{ numeric: [">", pulumi.output(1)] }], m: [{ exists: pulumi.output(true) }] } });
      expect(await known(good as pulumi.Output<string>)).toBe('{"source":["a.b"],"detail":{"n":[{"numeric":[">",1]}],"m":[{"exists":true}]}}');
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
      { component: "BucketEvents", resourceName: "evr1-up-events", argument: "objectCreated", value: "Object Created", fix: "Set eventBridge: true (UploadBucket: notify(subscriptions, { eventBridge: true }))." }],
      [
        "an S3 pattern on a custom bus",
        () => {
          const events = new UploadBucket("evr2-up", {}).notify({}, { eventBridge: true });
          new EventBus("evr2", {}).subscribe("s3", new LambdaFunction("evr2-fn", { entry }), { pattern: events.objectCreated() });
        },
        /EventBus "evr2": subscribe\("s3"\) pattern .*S3 sends its events to the default event bus only.*DefaultEventBus/,
      { component: "EventBus", resourceName: "evr2", argument: 'subscribe("s3") pattern', value: "evr2-up-events S3 events", fix: "Subscribe on a DefaultEventBus in the bucket's region." }],
      [
        "a default bus in another region than the bucket",
        () => {
          const events = new UploadBucket("evr3-up", { region: "eu-west-1" }).notify({}, { eventBridge: true });
          new DefaultEventBus("evr3", { region: "us-east-1" }).subscribe("s3", new LambdaFunction("evr3-fn", { entry }), { pattern: events.objectCreated() });
        },
        /DefaultEventBus "evr3": subscribe\("s3"\) pattern .*default bus of eu-west-1.*region: "eu-west-1"/,
      { component: "DefaultEventBus", resourceName: "evr3", argument: 'subscribe("s3") pattern', value: "evr3-up-events S3 events", fix: 'Create the DefaultEventBus in eu-west-1 (region: "eu-west-1").' }],
      [
        "an empty prefix",
        () => {
          new UploadBucket("evr4-up", {}).notify({}, { eventBridge: true }).objectDeleted({ prefix: "" });
        },
        /objectDeleted\(prefix\) .*is not 1–1024 characters/,
      { component: "BucketEvents", resourceName: "evr4-up-events", argument: "objectDeleted(prefix)", value: "", fix: "Leave prefix out to match every key, or shorten it." }],
      ["a name EventBridge rules refuse", () => new DefaultEventBus("bad name", {}), /DefaultEventBus "bad name": name .*Use letters, digits/, { component: "DefaultEventBus", resourceName: "bad name", argument: "name", value: "bad name", fix: "Use letters, digits, - and _ only." }],
      ["a region that is no region", () => new DefaultEventBus("evr6", { region: "mars-1" }), /DefaultEventBus "evr6": region .*not an AWS region name/, { component: "DefaultEventBus", resourceName: "evr6", argument: "region", value: "mars-1", fix: "Use the region's code, in lower case, e.g. \"us-west-2\"." }],
      [
        "a BucketEvents with neither subscriptions nor EventBridge",
        () => {
          const uploads = new UploadBucket("evr7-up", {});
          new BucketEvents("evr7", { bucket: uploads.nodes.bucket, subscriptions: {} });
        },
        /BucketEvents "evr7": subscriptions .*is empty.*or set eventBridge: true/,
      { component: "BucketEvents", resourceName: "evr7", argument: "subscriptions", value: {}, fix: 'Subscribe at least one function, e.g. { thumbnails: { function, events: ["s3:ObjectCreated:*"] } }, or set eventBridge: true.' }],
    ])("%s", async (_, program, message, contract) => {
      expect(await rejectionOf(record(program), "the program ran without a refusal")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
    });
  });
});
