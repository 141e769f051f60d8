/**
 * ServicePrincipalSource passes on the topic and queue policies the components write (Topic servicePublishers,
 * MessageQueue topics and eventBuses, subscription dead-letter queues), and fails on an Allow for a service principal
 * whose Condition names no source: none, a negated operator, Null, IfExists, only wildcards; in a TopicPolicy,
 * a QueuePolicy, or a topic's or queue's own `policy`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { EventBus } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import { SECURITY_RULES } from "../../testing/security-rules";
import { limitsToSource, SERVICE_PRINCIPAL_SOURCE } from "../../testing/security-rules/service-source";
import { byName, mutate, policyDocument, record, type RecordedResource } from "../harness/mocks";

const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly`;
const entry = "tests/fixtures/handlers/echo.ts";

const findings = (graph: RecordedResource[]) => SERVICE_PRINCIPAL_SOURCE.check(graph, { stack: "dev", production: false }).map((f) => `${f.resource}: ${f.problem}`);

/** `graph` with the statement `sid` of `name`'s policy given `condition` (removed when undefined). */
function withCondition(graph: RecordedResource[], name: string, sid: string, condition: unknown): RecordedResource[] {
  return mutate(graph, byName(name), (r) => {
    const doc = JSON.parse(r.inputs.policy);
    doc.Statement = doc.Statement.map(({ Condition, ...s }: Record<string, unknown>) => (s.Sid === sid ? { ...s, ...(condition === undefined ? {} : { Condition: condition }) } : { ...s, ...(Condition === undefined ? {} : { Condition }) }));
    return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(doc) } };
  });
}

const OPEN_TOPIC =
  'aws:sns/topicPolicy:TopicPolicy sp-topic-policy: statement "ServicePublish0" allows events.amazonaws.com sns:Publish with no aws:SourceArn, aws:SourceAccount or aws:SourceOrgID condition that names a source, so the service acts for any account (another account\'s rule, bucket or topic naming this one as its target gets in: confused deputy); add aws:SourceArn (the EventBridge rule\'s ARN, e.g. an EventBus\'s rulesArn) under ArnEquals or ArnLike, or aws:SourceAccount (your account id) under StringEquals, to that statement\'s Condition';

let topic: RecordedResource[];
let queues: RecordedResource[];

beforeAll(async () => {
  topic = await record(() => {
    const bus = new EventBus("spb", {});
    const alerts = new Topic("sp", { kmsKeyId: KEY, servicePublishers: [{ service: "events.amazonaws.com", sourceArn: bus.rulesArn }, { service: "cloudwatch.amazonaws.com" }] });
    bus.subscribe("alerts", alerts, { pattern: { source: ["a"] } });
  });
  queues = await record(() => {
    const bus = new EventBus("spq-bus", {});
    const news = new Topic("spq-news", {});
    const jobs = new MessageQueue("spq", { consumer: { function: new LambdaFunction("spq-worker", { entry }) }, topics: [news], eventBuses: [bus] });
    news.subscribeQueue("jobs", jobs);
    news.subscribe("fn", new LambdaFunction("spq-fn", { entry }));
  });
});

describe("ServicePrincipalSource", () => {
  it("is in the pack and passes on what Topic, MessageQueue, EventBus and subscriptions write", () => {
    expect(SECURITY_RULES).toContain(SERVICE_PRINCIPAL_SOURCE);
    expect(findings(topic)).toEqual([]);
    expect(findings(queues)).toEqual([]);
    // What it passed on: service statements with a source, in a topic policy and in queue policies.
    const services = [...topic, ...queues].filter((r) => r.inputs.policy && /Policy$/.test(r.type)).flatMap((r) => policyDocument(r.inputs.policy).Statement.filter((s) => s.Principal?.Service).map((s) => `${r.name} ${s.Principal.Service}`));
    expect(services).toEqual(expect.arrayContaining(["sp-topic-policy events.amazonaws.com", "sp-topic-policy cloudwatch.amazonaws.com", "spq-queue-policy sns.amazonaws.com", "spq-queue-policy events.amazonaws.com", "spq-news-fn-dlq-policy sns.amazonaws.com"]));
  });

  it("fails on a topic policy letting events.amazonaws.com publish with no condition; passes with aws:SourceArn, with aws:SourceAccount", () => {
    expect(findings(withCondition(topic, "sp-topic-policy", "ServicePublish0", undefined))).toEqual([OPEN_TOPIC]);
    expect(findings(withCondition(topic, "sp-topic-policy", "ServicePublish0", { ArnEquals: { "aws:SourceArn": RULE_ARN } }))).toEqual([]);
    expect(findings(withCondition(topic, "sp-topic-policy", "ServicePublish0", { StringEquals: { "aws:SourceAccount": ACCOUNT } }))).toEqual([]);
    // Keys are case-insensitive, and so is the organization key.
    expect(findings(withCondition(topic, "sp-topic-policy", "ServicePublish0", { StringEquals: { "AWS:SourceOrgID": "o-abc123" } }))).toEqual([]);
  });

  it.each([
    ["a negated operator", { ArnNotEquals: { "aws:SourceArn": RULE_ARN } }],
    ["Null", { Null: { "aws:SourceArn": "false" } }],
    ["an IfExists operator, which holds when the key is not sent", { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } }],
    ["a set operator", { "ForAnyValue:StringEquals": { "aws:SourceAccount": ACCOUNT } }],
    ["only wildcards under ArnLike", { ArnLike: { "aws:SourceArn": "*" } }],
    ["only wildcards under StringLike", { StringLike: { "aws:SourceAccount": "?*" } }],
    ["a wildcard account in a rule's ARN (a rule of that name in any account)", { ArnLike: { "aws:SourceArn": "arn:aws:events:us-east-1:*:rule/nightly" } }],
    ["a wildcard in an account id under StringLike", { StringLike: { "aws:SourceAccount": "12345678901?" } }],
    ["a bucket ARN of only wildcards", { ArnLike: { "aws:SourceArn": "arn:aws:s3:::*" } }],
    ["a short ARN whose * StringLike runs over the account", { StringLike: { "aws:SourceArn": "arn:aws:events:*" } }],
    ["another key", { StringEquals: { "aws:PrincipalAccount": ACCOUNT } }],
    ["TLS only", { Bool: { "aws:SecureTransport": "true" } }],
  ])("does not count %s", (_, condition) => {
    expect(findings(withCondition(topic, "sp-topic-policy", "ServicePublish0", condition))).toEqual([OPEN_TOPIC]);
  });

  it("reads queue policies, the statement's index when it has no Sid, and the topic's and queue's own policy", () => {
    const open = withCondition(queues, "spq-queue-policy", "TopicsSend", undefined);
    expect(findings(open)).toEqual([expect.stringMatching(/^aws:sqs\/queuePolicy:QueuePolicy spq-queue-policy: statement "TopicsSend" allows sns\.amazonaws\.com sqs:SendMessage with no .* add aws:SourceArn \(the topic's ARN\) under ArnEquals or ArnLike/)]);
    const unnamed = mutate(open, byName("spq-queue-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: JSON.stringify({ ...JSON.parse(r.inputs.policy), Statement: JSON.parse(r.inputs.policy).Statement.map(({ Sid, ...s }: Record<string, unknown>) => s) }) } }));
    expect(findings(unnamed)).toEqual([expect.stringMatching(/^aws:sqs\/queuePolicy:QueuePolicy spq-queue-policy: statement #2 allows sns\.amazonaws\.com sqs:SendMessage/)]);
    // The same policies as the topic's and queue's own `policy` argument.
    const policyOf = (graph: RecordedResource[], name: string) => graph.find((r) => r.name === name)!.inputs.policy;
    const inlineQueue = mutate(queues, byName("spq-queue"), (r) => ({ ...r, inputs: { ...r.inputs, policy: policyOf(open, "spq-queue-policy") } }));
    expect(findings(inlineQueue)).toEqual([expect.stringMatching(/^aws:sqs\/queue:Queue spq-queue: statement "TopicsSend" allows sns\.amazonaws\.com/)]);
    const openTopic = withCondition(topic, "sp-topic-policy", "ServicePublish0", undefined);
    const inlineTopic = mutate(topic, byName("sp-topic"), (r) => ({ ...r, inputs: { ...r.inputs, policy: policyOf(openTopic, "sp-topic-policy") } }));
    expect(findings(inlineTopic)).toEqual([OPEN_TOPIC.replace("aws:sns/topicPolicy:TopicPolicy sp-topic-policy", "aws:sns/topic:Topic sp-topic")]);
  });

  it("leaves Deny statements and principals that are not services to other rules, and skips a policy that is not JSON", () => {
    const deny = { Sid: "D", Effect: "Deny", Principal: { Service: "s3.amazonaws.com" }, Action: "sns:Publish", Resource: "*" };
    const account = { Sid: "A", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sns:Publish", Resource: "*" };
    const own = mutate(topic, byName("sp-topic-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: JSON.stringify({ Version: "2012-10-17", Statement: [deny, account] }) } }));
    expect(findings(own)).toEqual([]);
    const text = mutate(topic, byName("sp-topic-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: "not json" } }));
    expect(findings(text)).toEqual([]);
  });

  it("names every service of a statement and each one's source", () => {
    const both = { Effect: "Allow", Principal: { Service: ["s3.amazonaws.com", "budgets.amazonaws.com"] }, Action: "sns:Publish", Resource: "*" };
    const graph = mutate(topic, byName("sp-topic-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: JSON.stringify({ Statement: both }) } }));
    expect(findings(graph)).toEqual([expect.stringMatching(/statement #1 allows s3\.amazonaws\.com, budgets\.amazonaws\.com sns:Publish .* add aws:SourceArn \(the bucket's ARN or the ARN of the resource it acts for\)/)]);
  });

  it("limitsToSource reads a value list: one value naming a source is enough", () => {
    expect(limitsToSource({ ArnLike: { "aws:SourceArn": ["*", RULE_ARN] } })).toBe(true);
    expect(limitsToSource({ StringEquals: { "aws:SourceArn": "*" } })).toBe(true); // a literal "*": it names no rule, and refuses every one
    // Wildcards after a fixed account, and a bucket named in full (its ARN holds no account).
    expect(limitsToSource({ ArnLike: { "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/*` } })).toBe(true);
    expect(limitsToSource({ ArnLike: { "aws:SourceArn": "arn:aws:s3:::photos" } })).toBe(true);
    expect(limitsToSource(undefined)).toBe(false);
  });
});
