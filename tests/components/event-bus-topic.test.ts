/**
 * EventBus and DefaultEventBus with a Topic target: EventBridge publishes under the topic's one policy, which lists
 * events.amazonaws.com from the bus's rules (`servicePublishers` with `bus.rulesArn`), to a standard topic under a
 * customer managed key, with the same retry policy and dead-letter queue as every target; and the refusals at
 * construction (FIFO topic, AWS managed key, no EventBridge publisher, another region, a message group) or once a
 * source of the user's own is known.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { assertTopicSourceCoversRule, DefaultEventBus, EventBus, type EventBusSpec } from "../../components/event-bus";
import { registeredSpecs } from "../../components/spec-registry";
import { Topic } from "../../components/topic";
import { checkDeployRules } from "../../testing/deploy-rules";
import { EVENTBRIDGE_RULE_SENDER, resourceSendRefusal } from "../../testing/deploy-rules/queue-policy";
import { SECURITY_RULES } from "../../testing/security-rules";
import { dependencyClosure, policyDocument, record, resource, useMocks } from "../harness/mocks";

const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const PATTERN = { source: ["gallery.photos"] };

beforeAll(() => useMocks());

const securityFindings = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Awaited<ReturnType<typeof record>>) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
const specOf = (name: string) => registeredSpecs<EventBusSpec>("EventBus").find((s) => s.name === name)!.spec;
const events = (sourceArn?: pulumi.Input<string>) => ({ service: "events.amazonaws.com", ...(sourceArn === undefined ? {} : { sourceArn }) });

describe("EventBus Topic targets", () => {
  it("publishes to a topic whose policy lets the bus's rules publish; the target has no role and waits for the policy", async () => {
    const graph = await record(() => {
      const bus = new EventBus("ebt", {});
      const topic = new Topic("ebt-alerts", { kmsKeyId: KEY, servicePublishers: [events(bus.rulesArn)] });
      bus.subscribe("alerts", topic, { pattern: PATTERN, inputPath: "$.detail", retryAttempts: 3 });
    });
    const bus = resource(graph, "aws:cloudwatch/eventBus:EventBus", "ebt-bus");
    const topic = resource(graph, TOPIC, "ebt-alerts-topic");
    const policy = resource(graph, TOPIC_POLICY, "ebt-alerts-topic-policy");
    const rulesArn = `arn:aws:events:us-east-1:${ACCOUNT}:rule/${bus.state.name}/*`;
    expect(policyDocument(policy.inputs.policy).Statement).toContainEqual({
      Sid: "ServicePublish0",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topic.state.arn,
      Condition: { ArnLike: { "aws:SourceArn": rulesArn } },
    });
    const rule = resource(graph, RULE, "ebt-alerts");
    expect(rule.state.arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/${bus.state.name}/${rule.state.name}`);
    const target = resource(graph, TARGET, "ebt-alerts");
    expect(target.inputs).toMatchObject({ targetId: "topic", arn: topic.state.arn, inputPath: "$.detail", retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 86400 } });
    expect(target.inputs.roleArn).toBeUndefined();
    expect(target.inputs.sqsTarget).toBeUndefined();
    expect(target.inputs.deadLetterConfig.arn).toBe(resource(graph, "aws:sqs/queue:Queue", "ebt-alerts-dlq").state.arn);
    expect(dependencyClosure(graph, target).has(policy.urn)).toBe(true);
    expect(specOf("ebt").subscriptions).toEqual([expect.objectContaining({ name: "alerts", target: "sns", topic: "ebt-alerts", targetId: "topic", inputPath: "$.detail", retryAttempts: 3 })]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("publishes from a DefaultEventBus's rules, which its rulesArn covers", async () => {
    const graph = await record(() => {
      const aws = new DefaultEventBus("ebtd");
      const topic = new Topic("ebtd-alerts", { kmsKeyId: KEY, servicePublishers: [events(aws.rulesArn)] });
      aws.subscribe("alerts", topic, { pattern: PATTERN });
    });
    const rule = resource(graph, RULE, "ebtd-alerts");
    const statement = policyDocument(resource(graph, TOPIC_POLICY, "ebtd-alerts-topic-policy").inputs.policy).Statement.find((s) => s.Sid === "ServicePublish0");
    const token = resource(graph, "random:index/randomString:RandomString", "ebtd-rule-token").state.result;
    expect(statement?.Condition).toEqual({ ArnLike: { "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/ebtd-${token}-*` } });
    expect(rule.state.arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/ebtd-${token}-alerts`);
    expect(resource(graph, TARGET, "ebtd-alerts").inputs).toMatchObject({ targetId: "topic", arn: resource(graph, TOPIC, "ebtd-alerts-topic").state.arn });
    expect(deployFindings(graph)).toEqual([]);
  });

  it("takes a source ARN of the user's own that covers the rule, checked once known", async () => {
    const graph = await record(() => {
      const bus = new EventBus("ebts", {});
      const topic = new Topic("ebts-alerts", { kmsKeyId: KEY, servicePublishers: [events(`arn:aws:events:us-east-1:${ACCOUNT}:rule/*`)] });
      bus.subscribe("alerts", topic, { pattern: PATTERN });
    });
    expect(resource(graph, TARGET, "ebts-alerts").inputs.arn).toBe(resource(graph, TOPIC, "ebts-alerts-topic").state.arn);
    // What the target's ARN is checked with once the rule's ARN is known: a source that misses the rule fails `pulumi up` there.
    const ruleArn = `arn:aws:events:us-east-1:${ACCOUNT}:rule/ebts-bus-1234567/ebts-alerts-abcdefg`;
    expect(assertTopicSourceCoversRule("ebts", "alerts", "ebts-alerts", [`arn:aws:events:us-east-1:${ACCOUNT}:rule/*`], ruleArn, "arn:topic")).toBe("arn:topic");
    expect(() => assertTopicSourceCoversRule("ebts", "alerts", "ebts-alerts", [`arn:aws:events:us-east-1:${ACCOUNT}:rule/other-bus/*`], ruleArn, "arn:topic")).toThrow(
      /^EventBus "ebts": subscribe\("alerts"\) topic "ebts-alerts" lets events\.amazonaws\.com publish from arn:aws:events:us-east-1:123456789012:rule\/other-bus\/\* only, which does not cover this subscription's rule .*\. Give the Topic's servicePublishers entry sourceArn: ebts\.rulesArn/,
    );
  });

  it("refuses at `pulumi up` exactly the sources the deploy rule EventBridgeTopicTargetPolicy finds in a plan (one ArnLike reading)", () => {
    const ruleArn = `arn:aws:events:us-east-1:${ACCOUNT}:rule/ebts-bus-1234567/ebts-alerts-abcdefg`;
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:ebts-alerts-topic-1234567`;
    const sources: Array<[string, boolean]> = [
      [`arn:aws:events:us-east-1:${ACCOUNT}:rule/*`, true],
      [`arn:aws:events:*:${ACCOUNT}:rule/ebts-bus-1234567/*`, true],
      [`arn:aws:events:us-east-1:${ACCOUNT}:rule/other-bus/*`, false],
      // Five components: ArnLike's * stays in the region, so it covers no rule (a whole-string glob would cover all).
      ["arn:aws:events:us-east-1:*", false],
    ];
    for (const [source, covers] of sources) {
      const construction = () => assertTopicSourceCoversRule("ebts", "alerts", "ebts-alerts", [source], ruleArn, topicArn);
      if (covers) expect(construction()).toBe(topicArn);
      else expect(construction).toThrow(/does not cover this subscription's rule/);
      // The Topic's statement for the source (ServicePublish0 above), read by the deploy rule.
      const policy = { Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn, Condition: { ArnLike: { "aws:SourceArn": source } } }] };
      expect(resourceSendRefusal([policy], "sns:Publish", topicArn, EVENTBRIDGE_RULE_SENDER, ruleArn) === undefined).toBe(covers);
    }
  });

  it("refuses, once the rule's ARN is known, a source ARN of the user's own that misses the rule (the target's arn fails to resolve)", async () => {
    await expect(
      record(() => {
        const bus = new EventBus("ebtm", {});
        const topic = new Topic("ebtm-alerts", { kmsKeyId: KEY, servicePublishers: [events(`arn:aws:events:us-east-1:${ACCOUNT}:rule/another-bus/*`)] });
        bus.subscribe("alerts", topic, { pattern: PATTERN });
      }),
    ).rejects.toThrow(/EventBus "ebtm": subscribe\("alerts"\) topic "ebtm-alerts" lets events\.amazonaws\.com publish from arn:aws:events:us-east-1:123456789012:rule\/another-bus\/\* only, which does not cover this subscription's rule/);
  });

  describe("refuses at construction", () => {
    it.each([
      [
        "a FIFO topic, to which a rule's target can give no message group",
        () => {
          const bus = new EventBus("t1", {});
          bus.subscribe("a", new Topic("t1-t", { fifo: true, kmsKeyId: KEY, servicePublishers: [events(bus.rulesArn)] }), { pattern: PATTERN });
        },
        /^EventBus "t1": subscribe\("a"\) topic "t1-t" is a FIFO topic; an EventBridge rule's target gives SNS no message group.*Subscribe a standard Topic/,
      ],
      [
        "a plain topic: the AWS managed key and no events.amazonaws.com publisher, both in one message",
        () => new EventBus("t2", {}).subscribe("a", new Topic("t2-t", {}), { pattern: PATTERN }),
        /^EventBus "t2": subscribe\("a"\) topic "t2-t" is encrypted with the AWS managed key alias\/aws\/sns, whose key policy cannot be changed to let EventBridge use it, and does not list events\.amazonaws\.com in its servicePublishers, so its policy would not let EventBridge publish; every delivery would fail\. Add to the Topic's arguments: kmsKeyId: a customer managed key whose key policy allows events\.amazonaws\.com kms:GenerateDataKey\* and kms:Decrypt, in a statement without aws:SourceAccount, aws:SourceArn or aws:SourceOrgID conditions \(SNS does not support them for EventBridge\); and servicePublishers: \[\{ service: "events\.amazonaws\.com", sourceArn: t2\.rulesArn \}\] \(the EventBus's rules\)\.$/,
      ],
      [
        "a topic that does not list events.amazonaws.com",
        () => new EventBus("t3", {}).subscribe("a", new Topic("t3-t", { kmsKeyId: KEY, servicePublishers: [{ service: "cloudwatch.amazonaws.com" }] }), { pattern: PATTERN }),
        /^EventBus "t3": subscribe\("a"\) topic "t3-t" does not list events\.amazonaws\.com in its servicePublishers, so its policy would not let EventBridge publish; every delivery would fail\. Add to the Topic's arguments: servicePublishers: \[\{ service: "events\.amazonaws\.com", sourceArn: t3\.rulesArn \}\] \(the EventBus's rules\)\./,
      ],
      [
        "a topic that does not list events.amazonaws.com, on a DefaultEventBus",
        () => new DefaultEventBus("t9").subscribe("a", new Topic("t9-t", { kmsKeyId: KEY, servicePublishers: [{ service: "cloudwatch.amazonaws.com" }] }), { pattern: PATTERN }),
        /^DefaultEventBus "t9": subscribe\("a"\) topic "t9-t" does not list events\.amazonaws\.com.*sourceArn: t9\.rulesArn \}\] \(the DefaultEventBus's rules\)\.$/,
      ],
      [
        "a topic of another region",
        () => {
          const bus = new EventBus("t4", { region: "us-west-2" });
          bus.subscribe("a", new Topic("t4-t", { region: "eu-west-1", kmsKeyId: KEY, servicePublishers: [events(bus.rulesArn)] }), { pattern: PATTERN });
        },
        /^EventBus "t4": subscribe\("a"\) topic "t4-t" is in eu-west-1, but the bus is in us-west-2; EventBridge publishes to an SNS target in the rule's region only\. Create the topic in us-west-2/,
      ],
      [
        "a message group for a topic",
        () => {
          const bus = new EventBus("t5", {});
          bus.subscribe("a", new Topic("t5-t", { kmsKeyId: KEY, servicePublishers: [events(bus.rulesArn)] }), { pattern: PATTERN, messageGroupId: "g" });
        },
        /^EventBus "t5": subscribe\("a"\) messageGroupId "g" is set for the topic "t5-t"; a rule's target takes no SNS message group, and EventBridge does not support SNS FIFO topics\. Leave messageGroupId out/,
      ],
      [
        "an events.amazonaws.com publisher without a sourceArn, which any account's rule could publish under (the Topic refuses it)",
        () => new EventBus("t6", {}).subscribe("a", new Topic("t6-t", { kmsKeyId: KEY, servicePublishers: [events()] }), { pattern: PATTERN }),
        /^Topic "t6-t": servicePublishers\[0\]\.sourceArn \(not set\) is needed for events\.amazonaws\.com/,
      ],
      [
        "a topic that lets another bus's rules publish (that bus's rulesArn), before any ARN is known",
        () => {
          const other = new EventBus("t7-other", {});
          new EventBus("t7", {}).subscribe("a", new Topic("t7-t", { kmsKeyId: KEY, servicePublishers: [events(other.rulesArn)] }), { pattern: PATTERN });
        },
        /^EventBus "t7": subscribe\("a"\) topic "t7-t" lets events\.amazonaws\.com publish from the rules of t7-other only, not this bus's, so every delivery would fail\. Add to the Topic's servicePublishers: \{ service: "events\.amazonaws\.com", sourceArn: t7\.rulesArn \}\./,
      ],
      [
        "a topic that lets a DefaultEventBus's rules publish, subscribed on a custom bus",
        () => {
          const other = new DefaultEventBus("t8-default");
          new EventBus("t8", {}).subscribe("a", new Topic("t8-t", { kmsKeyId: KEY, servicePublishers: [events(other.rulesArn)] }), { pattern: PATTERN });
        },
        /^EventBus "t8": subscribe\("a"\) topic "t8-t" lets events\.amazonaws\.com publish from the rules of t8-default only, not this bus's/,
      ],
    ])("%s", (_, build, message) => {
      expect(build).toThrow(message);
    });
  });
});
