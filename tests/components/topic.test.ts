/**
 * Topic: the encrypted topic and its TLS-only policy, FIFO naming, producer grants, Lambda subscriptions (permission
 * first, a dead-letter queue SNS may write to), queue subscriptions through the MessageQueue's one policy, the spec
 * the local runtime reads, and every construction-time refusal with its component, argument, value and fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { registeredSpecs } from "../../components/spec-registry";
import { assertTopicKmsKeyId, filterPolicyProblem, Topic, type TopicSpec } from "../../components/topic";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { dependencyClosure, policyDocument, record, resource, useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const PERMISSION = "aws:lambda/permission:Permission";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

beforeAll(() => useMocks());

const securityFindings = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Awaited<ReturnType<typeof record>>) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
const tls = (arn: string, action: string) => ({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: action, Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } });
const topicSends = (queueArn: string, topicArn: string) => ({ Sid: "TopicsSend", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": [topicArn] } } });

/** A subscription's dead-letter queue as Topic makes it (SSE-SQS, 1 MiB, its retention) and its policy (TLS only, this topic's sends). */
function subscriptionDeadLetterQueue(graph: Awaited<ReturnType<typeof record>>, name: string, topicArn: string, retentionDays: number) {
  const queue = resource(graph, QUEUE, name);
  // 1 MiB: SNS's envelope around a 256 KiB message is larger than the provider's default 256 KiB.
  expect(queue.inputs).toEqual({ sqsManagedSseEnabled: true, messageRetentionSeconds: retentionDays * 86_400, maxMessageSize: 1_048_576 });
  const policy = resource(graph, QUEUE_POLICY, `${name}-policy`);
  expect(policyDocument(policy.inputs.policy).Statement).toEqual([tls(queue.state.arn, "sqs:*"), topicSends(queue.state.arn, topicArn)]);
  return { dlq: queue, dlqPolicy: policy };
}

describe("Topic", () => {
  it("creates a topic under the AWS managed key, with a policy that keeps the owner's access and denies Publish without TLS", async () => {
    const graph = await record(() => new Topic("events", {}));
    const topic = resource(graph, TOPIC, "events-topic");
    expect(topic.inputs).toEqual({ kmsMasterKeyId: "alias/aws/sns" });
    const policy = resource(graph, TOPIC_POLICY, "events-topic-policy");
    expect(policy.inputs.arn).toBe(topic.state.arn);
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      {
        Sid: "OwnerAccess",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        Resource: topic.state.arn,
      },
      tls(topic.state.arn, "sns:Publish"),
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("lets servicePublishers publish through the one topic policy, conditioned on the stack's account where the service's documented policy is, and on their source ARN", async () => {
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const alarms = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*`;
    const rule = `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly`;
    const graph = await record(() =>
      new Topic("alerts", { kmsKeyId: key, servicePublishers: [{ service: "cloudwatch.amazonaws.com", sourceArn: alarms }, { service: "s3.amazonaws.com" }, { service: "events.amazonaws.com", sourceArn: rule }] }),
    );
    const topic = resource(graph, TOPIC, "alerts-topic");
    expect(graph.filter((r) => r.type === TOPIC_POLICY)).toHaveLength(1);
    const statements = policyDocument(resource(graph, TOPIC_POLICY, "alerts-topic-policy").inputs.policy).Statement;
    expect(statements.slice(1)).toEqual([
      tls(topic.state.arn, "sns:Publish"),
      { Sid: "ServicePublish0", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topic.state.arn, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": alarms } } },
      // S3 without a source: any bucket of the stack's account.
      { Sid: "ServicePublish1", Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sns:Publish", Resource: topic.state.arn, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
      // EventBridge's documented example has no condition: aws:SourceAccount is not added (a key it does not send
      // would refuse every delivery), so its source is required (refused below without one).
      { Sid: "ServicePublish2", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: topic.state.arn, Condition: { ArnLike: { "aws:SourceArn": rule } } },
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("keeps Budgets and CodeStar Notifications to the stack's account without a source, as their documented topic policies do", async () => {
    const graph = await record(() => new Topic("notify", { kmsKeyId: KEY, servicePublishers: [{ service: "budgets.amazonaws.com" }, { service: "codestar-notifications.amazonaws.com" }] }));
    const topic = resource(graph, TOPIC, "notify-topic");
    const statements = policyDocument(resource(graph, TOPIC_POLICY, "notify-topic-policy").inputs.policy).Statement;
    expect(statements.slice(2)).toEqual(
      ["budgets.amazonaws.com", "codestar-notifications.amazonaws.com"].map((service, i) => ({ Sid: `ServicePublish${i}`, Effect: "Allow", Principal: { Service: service }, Action: "sns:Publish", Resource: topic.state.arn, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } })),
    );
    expect(securityFindings(graph)).toEqual([]);
  });

  it("refuses an events source of any account, takes S3's (kept to the account by aws:SourceAccount), and builds no policy the security rule ServicePrincipalSource flags", async () => {
    const sources = [
      "arn:aws:events:us-east-1:*:rule/nightly",
      "arn:aws:events:us-east-1:12345678901?:rule/nightly",
      "arn:aws:events:*:123456789012:rule/*",
      "arn:aws:s3:::*",
      "arn:aws:s3:*:*:photos",
      "arn:aws:s3:::photos-*",
      "arn:aws:events:us-east-1:123456789012:rule/nightly",
    ];
    // Each construction in its own record, so that an accepted Topic's registrations settle in this test; a Topic
    // refused for any other reason than a source of any account shows its message.
    const outcomes = async (service: string) => {
      const found: string[] = [];
      for (const sourceArn of sources) {
        try {
          const graph = await record(() => new Topic("t", { kmsKeyId: KEY, servicePublishers: [{ service, sourceArn }] }));
          expect(securityFindings(graph)).toEqual([]);
          found.push("accepted");
        } catch (error) {
          found.push(/matches a source of .* in any account/.test(String(error)) ? "any-account" : String(error));
        }
      }
      return found;
    };
    // events.amazonaws.com gets no aws:SourceAccount: its sourceArn is its only source condition.
    expect(await outcomes("events.amazonaws.com")).toEqual(["any-account", "any-account", "accepted", "any-account", "any-account", "accepted", "accepted"]);
    // S3's aws:SourceAccount keeps it to the stack's account: AWS's own `arn:aws:s3:*:*:<bucket>` is taken.
    expect(await outcomes("s3.amazonaws.com")).toEqual(sources.map(() => "accepted"));
  });

  it("checks a sourceArn given as an Output once known, with the construction-time message", async () => {
    const anyAccount = "arn:aws:events:us-east-1:*:rule/nightly";
    await expect(record(() => new Topic("late-src", { kmsKeyId: KEY, servicePublishers: [{ service: "events.amazonaws.com", sourceArn: pulumi.output(anyAccount) }] }))).rejects.toThrow(
      /Topic "late-src": servicePublishers\[0\]\.sourceArn "arn:aws:events:us-east-1:\*:rule\/nightly" matches a source of events\.amazonaws\.com in any account .* Name the account in the ARN/,
    );
    await expect(record(() => new Topic("late-src2", { kmsKeyId: KEY, servicePublishers: [{ service: "s3.amazonaws.com", sourceArn: pulumi.output("my-bucket") }] }))).rejects.toThrow(/Topic "late-src2": servicePublishers\[0\]\.sourceArn "my-bucket" is not an ARN/);
    const rule = `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly`;
    const graph = await record(() => new Topic("late-src3", { kmsKeyId: KEY, servicePublishers: [{ service: "events.amazonaws.com", sourceArn: pulumi.output(rule) }] }));
    expect(policyDocument(resource(graph, TOPIC_POLICY, "late-src3-topic-policy").inputs.policy).Statement[2].Condition).toEqual({ ArnLike: { "aws:SourceArn": rule } });
    expect(securityFindings(graph)).toEqual([]);
  });

  it("makes a FIFO topic (pulumi-aws appends .fifo to its autoname) with content-based deduplication", async () => {
    const graph = await record(() => new Topic("orders", { fifo: true, contentBasedDeduplication: true }));
    const topic = resource(graph, TOPIC, "orders-topic");
    expect(topic.inputs).toEqual({ fifoTopic: true, contentBasedDeduplication: true, kmsMasterKeyId: "alias/aws/sns" });
    expect(topic.state.name).toMatch(/\.fifo$/);
  });

  it("grants producers Publish on this topic only; with a customer managed key, GenerateDataKey* and Decrypt on that key", async () => {
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    let managed: Topic | undefined;
    let customer: Topic | undefined;
    const graph = await record(() => {
      managed = new Topic("plain", {});
      customer = new Topic("secret", { kmsKeyId: key });
      new LambdaFunction("producer", { entry, permissions: [...managed.grants.publish(), ...customer.grants.publish()], environment: { ...managed.environment(), ...customer.environment("SECRET_TOPIC_ARN") } });
    });
    const plain = resource(graph, TOPIC, "plain-topic");
    const secret = resource(graph, TOPIC, "secret-topic");
    expect(secret.inputs.kmsMasterKeyId).toBe(key);
    const role = graph.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("producer") && JSON.stringify(r.inputs.policy).includes("sns:Publish"))!;
    const statements = policyDocument(role.inputs.policy).Statement.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("sns:") || a.startsWith("kms:Gen")));
    expect(statements).toEqual([
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [plain.state.arn] },
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [secret.state.arn] },
      { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: [key] },
    ]);
    const fn = resource(graph, "aws:lambda/function:Function", "producer-function");
    expect(fn.inputs.environment.variables).toMatchObject({ TOPIC_ARN: plain.state.arn, SECRET_TOPIC_ARN: secret.state.arn });
  });

  it("subscribes a function: its permission for sns.amazonaws.com from this topic and a dead-letter queue SNS may write to, both before the subscription", async () => {
    const graph = await record(() => {
      const topic = new Topic("events", {});
      topic.subscribe("index", new LambdaFunction("indexer", { entry }), { filterPolicy: { kind: ["uploaded", "deleted"] }, deadLetterRetentionDays: 7 });
    });
    const topic = resource(graph, TOPIC, "events-topic");
    const fn = resource(graph, "aws:lambda/function:Function", "indexer-function");
    const permission = resource(graph, PERMISSION, "events-index-invoke");
    expect(permission.inputs).toEqual({ action: "lambda:InvokeFunction", function: fn.state.name, principal: "sns.amazonaws.com", sourceArn: topic.state.arn });
    const { dlq, dlqPolicy } = subscriptionDeadLetterQueue(graph, "events-index-dlq", topic.state.arn, 7);
    const subscription = resource(graph, SUBSCRIPTION, "events-index");
    expect(subscription.inputs).toEqual({
      topic: topic.state.arn,
      protocol: "lambda",
      endpoint: fn.state.arn,
      filterPolicy: JSON.stringify({ kind: ["uploaded", "deleted"] }),
      filterPolicyScope: "MessageAttributes",
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.state.arn }),
    });
    const before = dependencyClosure(graph, subscription);
    expect(before.has(permission.urn)).toBe(true);
    expect(before.has(dlqPolicy.urn)).toBe(true);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("subscribes a queue that lists the topic: the grant is in the queue's one policy, a dead-letter queue only the topic may send to, the subscription after both", async () => {
    const graph = await record(() => {
      const topic = new Topic("events", {});
      const jobs = new MessageQueue("jobs", { consumer: { function: new LambdaFunction("jobs-worker", { entry }) }, topics: [topic] });
      topic.subscribeQueue("jobs", jobs, { filterPolicy: { photo: { size: [{ numeric: [">", 0] }] } }, filterPolicyScope: "MessageBody", rawMessageDelivery: true, deadLetterRetentionDays: 3 });
    });
    const topic = resource(graph, TOPIC, "events-topic");
    const queue = resource(graph, QUEUE, "jobs-queue");
    const policy = resource(graph, QUEUE_POLICY, "jobs-queue-policy");
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([tls(queue.state.arn, "sqs:*"), topicSends(queue.state.arn, topic.state.arn)]);
    expect(graph.filter((r) => r.type === QUEUE_POLICY && r.inputs.queueUrl === queue.id)).toHaveLength(1);
    const { dlq, dlqPolicy } = subscriptionDeadLetterQueue(graph, "events-jobs-dlq", topic.state.arn, 3);
    const subscription = resource(graph, SUBSCRIPTION, "events-jobs");
    expect(subscription.inputs).toEqual({
      topic: topic.state.arn,
      protocol: "sqs",
      endpoint: queue.state.arn,
      filterPolicy: JSON.stringify({ photo: { size: [{ numeric: [">", 0] }] } }),
      filterPolicyScope: "MessageBody",
      rawMessageDelivery: true,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.state.arn }),
    });
    const before = dependencyClosure(graph, subscription);
    expect(before.has(policy.urn)).toBe(true);
    expect(before.has(dlqPolicy.urn)).toBe(true);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("lets a FIFO topic deliver to FIFO and standard queues, a FIFO queue's subscription with a FIFO dead-letter queue", async () => {
    const graph = await record(() => {
      const topic = new Topic("orders", { fifo: true });
      topic.subscribeQueue("fifo", new MessageQueue("ordered", { fifo: true, consumer: { function: new LambdaFunction("ordered-worker", { entry }) }, topics: [topic] }));
      topic.subscribeQueue("standard", new MessageQueue("analytics", { consumer: { function: new LambdaFunction("analytics-worker", { entry }) }, topics: [topic] }));
    });
    expect(graph.filter((r) => r.type === SUBSCRIPTION).map((s) => s.name).sort()).toEqual(["orders-fifo", "orders-standard"]);
    const fifoDlq = resource(graph, QUEUE, "orders-fifo-dlq");
    expect(fifoDlq.inputs).toMatchObject({ fifoQueue: true, messageRetentionSeconds: 14 * 86_400 });
    expect(fifoDlq.state.name).toMatch(/\.fifo$/);
    expect(resource(graph, SUBSCRIPTION, "orders-fifo").inputs.redrivePolicy).toBe(JSON.stringify({ deadLetterTargetArn: fifoDlq.state.arn }));
    expect(resource(graph, QUEUE, "orders-standard-dlq").inputs.fifoQueue).toBeUndefined();
    expect(deployFindings(graph)).toEqual([]);
  });

  it("registers the spec the local runtime reads, with each subscription as it is made", async () => {
    await record(() => {
      const topic = new Topic("spec-topic", {});
      topic.subscribe("index", new LambdaFunction("spec-indexer", { entry }), { filterPolicy: { kind: ["a"] } });
      topic.subscribeQueue("jobs", new MessageQueue("spec-jobs", { consumer: { function: new LambdaFunction("spec-worker", { entry }) }, topics: [topic] }));
    });
    const spec = registeredSpecs<TopicSpec>("Topic").find((s) => s.name === "spec-topic")!.spec;
    expect({ ...spec, topicName: typeof spec.topicName, subscriptions: spec.subscriptions.map((s) => ({ ...s, deadLetterQueueName: typeof s.deadLetterQueueName, ...(s.protocol === "lambda" ? { function: s.function.name } : { queueName: "q" }) })) }).toEqual({
      name: "spec-topic",
      topicName: "object",
      fifo: false,
      contentBasedDeduplication: false,
      encryption: "alias/aws/sns",
      subscriptions: [
        { name: "index", protocol: "lambda", function: "spec-indexer", filterPolicy: { kind: ["a"] }, filterPolicyScope: "MessageAttributes", deadLetterQueueName: "object", deadLetterRetentionSeconds: 14 * 86_400 },
        { name: "jobs", protocol: "sqs", queue: "spec-jobs", queueName: "q", filterPolicyScope: "MessageAttributes", rawMessageDelivery: false, deadLetterQueueName: "object", deadLetterRetentionSeconds: 14 * 86_400 },
      ],
    });
  });

  it("checks a kmsKeyId given as an Output once known, with the construction-time message", async () => {
    // What the Output's apply runs (a failing Output fails `pulumi up` at the topic, as UserAuth's URLs do).
    expect(() => assertTopicKmsKeyId("late", "alias/my-key")).toThrow(/^Topic "late": kmsKeyId "alias\/my-key" is not a KMS key's ARN; .* Pass a customer managed key's ARN/);
    expect(() => assertTopicKmsKeyId("late", "1234abcd-12ab-34cd-56ef-1234567890ab")).toThrow(/kmsKeyId "1234abcd-12ab-34cd-56ef-1234567890ab" is not a KMS key's ARN/);
    let topic: Topic | undefined;
    const given = pulumi.output(KEY);
    const graph = await record(() => {
      topic = new Topic("late-arn", { kmsKeyId: given });
    });
    expect(resource(graph, TOPIC, "late-arn-topic").inputs.kmsMasterKeyId).toBe(KEY);
    // The producers' grant (and the topic) take the checked Output, not the argument as given.
    const keyGrant = topic!.grants.publish()[1].resources[0];
    expect(keyGrant).not.toBe(given);
    await expect(new Promise((resolve) => pulumi.output(keyGrant).apply(resolve))).resolves.toBe(KEY);
  });

  describe("refuses at construction", () => {
    const fn = (name: string) => new LambdaFunction(name, { entry });
    it.each([
      ["a FIFO topic's content-based deduplication on a standard topic", () => new Topic("t", { contentBasedDeduplication: true }), /^Topic "t": contentBasedDeduplication true applies only to FIFO topics, and this topic is standard\. Set fifo: true/],
      ["servicePublishers under the AWS managed key", () => new Topic("t", { servicePublishers: [{ service: "cloudwatch.amazonaws.com" }] }), /^Topic "t": servicePublishers \["cloudwatch\.amazonaws\.com"\] need a customer managed key: .*alias\/aws\/sns.* Pass kmsKeyId: a customer managed key whose key policy allows cloudwatch\.amazonaws\.com kms:GenerateDataKey\* and kms:Decrypt/],
      ["a service publisher that is not a service principal", () => new Topic("t", { kmsKeyId: KEY, servicePublishers: [{ service: "arn:aws:iam::123456789012:root" }] }), /^Topic "t": servicePublishers\[0\]\.service "arn:aws:iam::123456789012:root" is not an AWS service principal/],
      ["a service publisher listed twice with one source", () => new Topic("t", { kmsKeyId: KEY, servicePublishers: [{ service: "s3.amazonaws.com" }, { service: "s3.amazonaws.com" }] }), /^Topic "t": servicePublishers\[1\]\.service "s3\.amazonaws\.com" is listed twice with the source \(any source\)/],
      [
        "a service publisher without a source, other than those aws:SourceAccount keeps to the stack's account (CloudWatch, S3, Budgets, CodeStar Notifications)",
        () => new Topic("t", { kmsKeyId: KEY, servicePublishers: [{ service: "cloudwatch.amazonaws.com" }, { service: "events.amazonaws.com" }] }),
        /^Topic "t": servicePublishers\[1\]\.sourceArn \(not set\) is needed for events\.amazonaws\.com: without it the topic's policy would let that service publish for any account's resources .*, as only cloudwatch\.amazonaws\.com, s3\.amazonaws\.com, budgets\.amazonaws\.com, codestar-notifications\.amazonaws\.com are kept to the stack's account \(aws:SourceAccount\)\. Give the ARN of what publishes \(wildcards allowed except in the account field\), e\.g\. an EventBus's rulesArn for events\.amazonaws\.com/,
      ],
      [
        "a service publisher's source of any account (a wildcard account), where no aws:SourceAccount keeps it to the stack's",
        () => new Topic("t", { kmsKeyId: KEY, servicePublishers: [{ service: "events.amazonaws.com", sourceArn: "arn:aws:events:us-east-1:*:rule/nightly" }] }),
        /^Topic "t": servicePublishers\[0\]\.sourceArn "arn:aws:events:us-east-1:\*:rule\/nightly" matches a source of events\.amazonaws\.com in any account \(a wildcard where its account stands, .*\), so the topic's policy would let that service publish for another account's resources \(confused deputy; security rule ServicePrincipalSource\)\. Name the account in the ARN/,
      ],
      [
        "a sourceArn for CodeStar Notifications, which no AWS page found says sends aws:SourceArn (aws:SourceAccount keeps it to the account)",
        () => new Topic("t", { kmsKeyId: KEY, servicePublishers: [{ service: "codestar-notifications.amazonaws.com", sourceArn: "arn:aws:codestar-notifications:us-east-1:123456789012:notificationrule/*" }] }),
        /^Topic "t": servicePublishers\[0\]\.sourceArn "arn:aws:codestar-notifications:us-east-1:123456789012:notificationrule\/\*" is given for codestar-notifications\.amazonaws\.com, whose documented topic policy conditions on aws:SourceAccount alone: .* refuses every notification without an error\. Leave sourceArn out/,
      ],
      ["a service publisher's source that is not an ARN", () => new Topic("t", { kmsKeyId: KEY, servicePublishers: [{ service: "s3.amazonaws.com", sourceArn: "my-bucket" }] }), /^Topic "t": servicePublishers\[0\]\.sourceArn "my-bucket" is not an ARN/],
      ["a KMS alias as the key", () => new Topic("t", { kmsKeyId: "alias/my-key" }), /^Topic "t": kmsKeyId "alias\/my-key" is not a KMS key's ARN; .* Pass a customer managed key's ARN/],
      ["a name SNS refuses", () => new Topic("t.v2", {}), /^Topic "t\.v2": name "t\.v2" makes the SNS topic name "t\.v2-topic-<random suffix>" hold "\."/],
      ["a function on a FIFO topic", () => new Topic("t", { fifo: true }).subscribe("x", fn("rf1")), /^Topic "t": subscribe\("x"\) function "rf1" cannot subscribe to a FIFO topic: SNS delivers a FIFO topic's messages to SQS queues only\. Subscribe a MessageQueue/],
      ["six keys", () => new Topic("t", {}).subscribe("x", fn("rf2"), { filterPolicy: { a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] } }), /^Topic "t": subscribe\("x"\) filterPolicy .* has 6 keys \(a, b, c, d, e, f\), over SNS's 5 per filter policy\. Fix the policy/],
      ["151 combinations", () => new Topic("t", {}).subscribe("x", fn("rf3"), { filterPolicy: { a: Array.from({ length: 151 }, (_, i) => `v${i}`) } }), /has 151 combinations of values .* over SNS's 150/],
      ["anything-but with a suffix", () => new Topic("t", {}).subscribe("x", fn("rf13"), { filterPolicy: { key: [{ "anything-but": { suffix: "test" } }] } }), /Topic "t": subscribe\("x"\) filterPolicy .* has "key" with anything-but of \{"suffix":"test"\}.*Fix the policy/],
      ["a numeric range with its top first", () => new Topic("t", {}).subscribe("x", fn("rf14"), { filterPolicy: { n: [{ numeric: ["<", 20, ">", 1] }] } }), /Topic "t": subscribe\("x"\) filterPolicy .* a range is \[">" or ">=", bottom, "<" or "<=", top\]/],
      ["a body policy over 150 combinations by depth", () => new Topic("t", {}).subscribe("x", fn("rf15"), { filterPolicyScope: "MessageBody", filterPolicy: { photo: { kind: ["a", "b", "c", "d", "e", "f"], size: Array.from({ length: 13 }, String) } } }), /Topic "t": subscribe\("x"\) filterPolicy .* has 312 combinations of values \(the product of its arrays' lengths, each times its key's nesting depth\)/],
      ["a nested attribute policy", () => new Topic("t", {}).subscribe("x", fn("rf4"), { filterPolicy: { a: { b: ["1"] } } }), /nests an object under "a", which only a MessageBody filter policy may/],
      ["an unknown operator", () => new Topic("t", {}).subscribe("x", fn("rf5"), { filterPolicy: { a: [{ wildcard: "x*" }] } }), /has "a" with the operator "wildcard", which SNS filter policies do not take/],
      ["a scope without a policy", () => new Topic("t", {}).subscribe("x", fn("rf6"), { filterPolicyScope: "MessageBody" }), /subscribe\("x"\) filterPolicyScope "MessageBody" is set without a filterPolicy/],
      ["a dead-letter retention of 15 days", () => new Topic("t", {}).subscribe("x", fn("rf7"), { deadLetterRetentionDays: 15 }), /subscribe\("x"\) deadLetterRetentionDays 15 is outside SQS's message retention of 1–14 days/],
      ["a queue subscription's dead-letter retention of 0 days", () => { const t = new Topic("t", {}); t.subscribeQueue("q", new MessageQueue("rq3", { consumer: { function: fn("rf16") }, topics: [t] }), { deadLetterRetentionDays: 0 }); }, /^Topic "t": subscribeQueue\("q"\) deadLetterRetentionDays 0 is outside SQS's message retention of 1–14 days\. Use a whole number from 1 to 14/],
      ["one function subscribed twice", () => { const t = new Topic("t", {}); const f = fn("rf11"); t.subscribe("a", f); t.subscribe("b", f, { filterPolicy: { kind: ["x"] } }); }, /^Topic "t": subscribe\("b"\) function "rf11" is already subscribed to this topic as "a"; SNS keeps one subscription per topic and endpoint/],
      ["one queue subscribed twice", () => { const t = new Topic("t", {}); const q = new MessageQueue("rq1", { consumer: { function: fn("rf12") }, topics: [t] }); t.subscribeQueue("a", q); t.subscribeQueue("b", q, { rawMessageDelivery: true }); }, /^Topic "t": subscribeQueue\("b"\) queue "rq1" is already subscribed to this topic as "a"/],
      ["two subscriptions of one name", () => { const t = new Topic("t", {}); t.subscribe("x", fn("rf8")); t.subscribe("x", fn("rf9")); }, /subscription name "x" is used by another subscription of this topic/],
      ["a subscription name with a dot", () => new Topic("t", {}).subscribe("a.b", fn("rf10")), /subscription name "a\.b" is not a usable subscription name/],
      [
        "two topics' subscriptions whose resource names join alike (topic a + b-c, topic a-b + c)",
        () => {
          new Topic("a", {}).subscribe("b-c", fn("rf17"));
          new Topic("a-b", {}).subscribe("c", fn("rf18"));
        },
        /^Topic "a-b": subscription name "c" makes the resource names "a-b-c…", which Topic "a"'s subscription "b-c" makes too; Pulumi refuses two resources of one name and type \("Duplicate resource URN"\)\. Rename this subscription/,
      ],
      ["a queue that does not list the topic", () => new Topic("t", {}).subscribeQueue("q", new MessageQueue("rq1", { consumer: { function: fn("rf11") } })), /subscribeQueue\("q"\) queue "rq1" does not list this topic in its topics.*Add the topic to the MessageQueue's arguments: topics: \[t\]/],
      ["a FIFO queue on a standard topic", () => { const t = new Topic("t", {}); t.subscribeQueue("q", new MessageQueue("rq2", { fifo: true, consumer: { function: fn("rf12") }, topics: [t] })); }, /subscribeQueue\("q"\) queue "rq2" is a FIFO queue, which a standard topic cannot deliver to/],
    ])("%s", (_, build, message) => {
      expect(build).toThrow(message);
    });
  });
});

describe("filterPolicyProblem", () => {
  it("takes the documented operators and $or, counting an $or's branches together", () => {
    expect(filterPolicyProblem({ a: ["x", 1, true, null, { prefix: "p" }, { suffix: "s" }, { "anything-but": ["x"] }, { "anything-but": { prefix: "q" } }, { numeric: [">=", 0, "<", 10] }, { exists: true }, { "equals-ignore-case": "X" }, { cidr: "10.0.0.0/24" }] })).toBeUndefined();
    expect(filterPolicyProblem({ $or: [{ a: ["1", "2"] }, { b: ["1", "2", "3"] }], c: ["1", "2"] })).toBeUndefined();
    expect(filterPolicyProblem({ $or: [{ a: Array.from({ length: 40 }, String) }, { b: Array.from({ length: 40 }, String) }], c: ["1", "2"] })).toMatch(/has 160 combinations/);
  });
  it("refuses what SNS refuses", () => {
    expect(filterPolicyProblem({})).toMatch(/not a JSON object of at least one key/);
    expect(filterPolicyProblem({ a: "x" })).toMatch(/"a" whose value is not a non-empty array/);
    expect(filterPolicyProblem({ a: [{ numeric: [">", 2e9] }] })).toMatch(/outside SNS's numeric matching range/);
    expect(filterPolicyProblem({ a: ["x".repeat(300 * 1024)] })).toMatch(/over SNS's 262144 \(256 KB\)/);
    expect(filterPolicyProblem({ a: { b: { c: ["1"] } } }, "MessageBody")).toBeUndefined();
  });
  // LocalStack's AWS-validated test_validate_policy_nested_anything_but_operator; SNS takes only prefix inside anything-but.
  it("refuses anything-but with a suffix (or any operator but prefix)", () => {
    expect(filterPolicyProblem({ key: [{ "anything-but": { suffix: "test" } }] })).toMatch(/"key" with anything-but of \{"suffix":"test"\}, not a value, a list of values, or \{ prefix \}/);
    expect(filterPolicyProblem({ key: [{ "anything-but": { "equals-ignore-case": "x" } }] })).toMatch(/anything-but of/);
    expect(filterPolicyProblem({ key: [{ "anything-but": { prefix: "test" } }] })).toBeUndefined();
  });
  // moto's tests assert AWS's answers: ["<",20,">",1] "Too many elements in numeric expression", [">",20,">",1] "Bad
  // numeric range operator: >", [">",20,"<",1] "Bottom must be less than top".
  it.each([
    [["<", 20, ">", 1]],
    [[">", 20, ">", 1]],
    [[">", 20, "<", 1]],
    [["<", 30, ">", 20]],
    [["=", 1, "<", 3]],
    [["<", 5, "<", 9]],
    [[">=", 5, "<=", 5]],
  ])("refuses the numeric range %j", (range) => {
    expect(filterPolicyProblem({ n: [{ numeric: range }] })).toMatch(/numeric of .*a range is \[">" or ">=", bottom, "<" or "<=", top\] with bottom less than top/);
  });
  it("takes a well-formed numeric range", () => {
    expect(filterPolicyProblem({ n: [{ numeric: [">", 0, "<=", 150] }, { numeric: [">=", -5, "<", -1] }] })).toBeUndefined();
  });
  // subscription-filter-policy-constraints.html (payload-based): each array's values times its key's nesting depth.
  it("weights a MessageBody policy's arrays by their nesting depth", () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    // The AWS doc's example: four values three levels deep, three values two levels deep: 4·3 × 3·2 = 72.
    expect(filterPolicyProblem({ key_a: { key_b: { key_c: values(4) } }, key_d: { key_e: values(3) } }, "MessageBody")).toBeUndefined();
    // moto's "Filter policy is too complex" fixture: 4·3 × 3·2 × 3·1 = 216.
    expect(filterPolicyProblem({ key_a: { key_b: { key_c: values(4) } }, key_d: { key_e: values(3) }, key_f: values(3) }, "MessageBody")).toMatch(/has 216 combinations/);
    // Two levels: 6·2 × 13·2 = 312.
    expect(filterPolicyProblem({ photo: { kind: values(6), size: values(13) } }, "MessageBody")).toMatch(/has 312 combinations/);
    // An $or's branches keep their depth and are summed: (10·2 + 10·2) × 2·2 = 160.
    expect(filterPolicyProblem({ photo: { $or: [{ kind: values(10) }, { size: values(10) }], tag: values(2) } }, "MessageBody")).toMatch(/has 160 combinations/);
  });
});

describe("Topic subscriptions to queues under a customer managed key (SnsSqsSubscriptionQueueEncryption)", () => {
  it("passes a queue and a dead-letter queue whose key lets sns.amazonaws.com GenerateDataKey* and Decrypt, as the SQS key management page asks", async () => {
    const graph = await record(() => {
      const topic = new Topic("tk", {});
      topic.subscribeQueue("jobs", new MessageQueue("tkq", { consumer: { function: new LambdaFunction("tkq-worker", { entry }) }, topics: [topic] }));
    });
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
        { Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" },
      ],
    };
    const key = { type: "aws:kms/key:Key", name: "tk-key", urn: "urn:pulumi:dev::fixture::aws:kms/key:Key::tk-key", id: "1234abcd-12ab-34cd-56ef-1234567890ab", inputs: { policy: JSON.stringify(policy) }, state: { arn: KEY } };
    const encrypted = graph.map((r) => (r.type === QUEUE && ["tkq-queue", "tk-jobs-dlq"].includes(r.name) ? { ...r, inputs: { ...r.inputs, sqsManagedSseEnabled: undefined, kmsMasterKeyId: KEY } } : r));
    expect(encrypted.filter((r) => r.inputs.kmsMasterKeyId === KEY)).toHaveLength(2);
    expect(deployFindings([...encrypted, key] as typeof graph)).toEqual([]);
  });

  it("counts a \"*\" grant whose conditions SNS's call meets (aws:SourceArn the topic, aws:SourceAccount), not one on kms:CallerAccount", async () => {
    const graph = await record(() => {
      const topic = new Topic("tk", {});
      topic.subscribeQueue("jobs", new MessageQueue("tkq", { consumer: { function: new LambdaFunction("tkq-worker", { entry }) }, topics: [topic] }));
    });
    const withKey = (grant: Record<string, unknown>) => {
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }, { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*", ...grant }] };
      const key = { type: "aws:kms/key:Key", name: "tk-key", urn: "urn:pulumi:dev::fixture::aws:kms/key:Key::tk-key", id: "1234abcd-12ab-34cd-56ef-1234567890ab", inputs: { policy: JSON.stringify(policy) }, state: { arn: KEY } };
      return [...graph.map((r) => (r.type === QUEUE && r.name === "tkq-queue" ? { ...r, inputs: { ...r.inputs, sqsManagedSseEnabled: undefined, kmsMasterKeyId: KEY } } : r)), key] as typeof graph;
    };
    const sourced = { Principal: "*", Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:tk-topic` }, StringEquals: { "aws:SourceAccount": ACCOUNT } } };
    expect(deployFindings(withKey(sourced))).toEqual([]);
    expect(deployFindings(withKey({ ...sourced, Principal: { AWS: "*" }, Condition: { StringEquals: { "kms:EncryptionContext:aws:sqs:arn": `arn:aws:sqs:us-east-1:${ACCOUNT}:tkq` } } }))).toEqual([]);
    const callerAccount = { Principal: { AWS: "*" }, Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT, "kms:ViaService": "sqs.us-east-1.amazonaws.com" } } };
    expect(deployFindings(withKey(callerAccount)).map((f) => [f.rule, f.problem])).toEqual([["SnsSqsSubscriptionQueueEncryption", expect.stringMatching(/to the queue tkq-queue, encrypted with tk-key, whose key policy does not allow sns\.amazonaws\.com kms:GenerateDataKey and kms:Decrypt/)]]);
  });
});
