/**
 * What Monitoring should watch, read off the components a program built: every function (API routes and
 * authorizers, stream and queue consumers, DataTier's export, UserAuth's triggers), API stage, table, dead-letter queue
 * (functions' failure queues, schedules', stream subscriptions', MessageQueues', Topic subscriptions') and
 * distribution, user pools with threat protection, workflows (Step Functions state machines), and event buses' rules
 * with their dead-letter queues. Lambda@Edge functions are left out: their metrics land in the region that ran them, under
 * `us-east-1.<name>`, so an alarm per edge region would be needed.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DataTier } from "../data-tier";
import type { EventRuleBus } from "../event-bus";
import type { LambdaFunction } from "../lambda/function";
import type { MessageQueue } from "../message-queue";
import type { ServerlessApi } from "../serverless-api";
import type { StaticSite } from "../static-site";
import type { Topic } from "../topic";
import type { UserAuth } from "../user-auth";
import type { Workflow } from "../workflow";
import type { MonitoringTargets } from "./alarms";
import { noteMonitoringRead } from "./read-components";

export interface MonitoredComponents {
  functions?: LambdaFunction[];
  apis?: ServerlessApi[];
  /** Each table, stream subscription (its consumer and dead-letter queue) and the export. Make every `subscribe` before this call: one made afterwards is refused. */
  dataTiers?: DataTier[];
  sites?: StaticSite[];
  auth?: UserAuth[];
  /** Each queue's consumer, and its dead-letter queue: a message there failed every receive. */
  messageQueues?: MessageQueue[];
  /** Each state machine's executions (in its region); the functions its Task states invoke are not added: list them under `functions`. */
  workflows?: Workflow[];
  /**
   * Each subscription's rule (events it failed to deliver, or lost on the way to its dead-letter queue) and its
   * dead-letter queue, in the bus's region; the targets are not added: list them under their own kinds. Make every
   * subscription before this call: one made afterwards is refused.
   */
  eventBuses?: EventRuleBus[];
  /**
   * Each subscription's dead-letter queue, in the topic's region: a message there is one SNS gave up delivering (the
   * subscriber's function or queue refused it or was gone), which no subscriber's alarm sees. The subscribers are not
   * added: list them under their own kinds. Make every subscription (`subscribe`, `subscribeQueue`) before this call: one
   * made afterwards is refused.
   */
  topics?: Topic[];
}

/** A key from a resource name: lowercase letters, digits and hyphens. */
const keyOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);

/** The function name in a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`). */
function functionNameOf(arn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(arn).apply((value) => value.split(":")[6] ?? value);
}

/**
 * Puts targets of one group (`functions`, `queues`, ...) under keys made from component names (keyOf), refusing a second,
 * different thing under a key already taken: keyOf folds case, `_` and the `-` that joins names, so "thumb_worker" and
 * "thumb-worker", or bus "a-b" with subscription "c" and bus "a" with subscription "b-c", meet, and the second would
 * replace the first, which would then go unwatched. `same` stands for what the target watches and is compared with
 * `===`: the component, spec or resource object each path reaches it through (a queue's name, a string or the one
 * Output of its resource), so one thing reached twice (a component listed twice, a function listed and an API's) is one
 * target. `add` makes the target, given the one already there for such a second reach.
 */
function keyedGroup<T>(group: keyof MonitoringTargets, targets: Record<string, T>, fix: string) {
  const sources = new Map<string, { same: unknown; what: string }>();
  return (name: string, same: unknown, what: string, add: (earlier: T | undefined) => T): void => {
    const key = keyOf(name);
    const earlier = sources.get(key);
    if (earlier && earlier.same !== same) {
      throw new Error(`monitoringTargets: ${group} key "${key}" is ${earlier.what} and ${what}; one would replace the other and go unwatched. ${fix}`);
    }
    sources.set(key, earlier ?? { same, what });
    targets[key] = add(targets[key]);
  };
}

export function monitoringTargets(components: MonitoredComponents): MonitoringTargets {
  const targets: Required<MonitoringTargets> = { functions: {}, apiStages: {}, tables: {}, queues: {}, distributions: {}, userPools: {}, workflows: {}, rules: {} };
  // A function is known by its spec, the one object its LambdaFunction, a MessageQueue's consumer and a stream
  // subscription all hold; a queue by its name, the `name` Output of its aws.sqs.Queue (one object however often read),
  // which every path below reads.
  const addFunctionTarget = keyedGroup("functions", targets.functions, "Rename one of them, or list the functions under Monitoring's functions with keys of your own.");
  const addQueue = keyedGroup("queues", targets.queues, "Rename one of the components (or the subscription), or list the queues under Monitoring's queues with keys of your own.");
  const addApiStage = keyedGroup("apiStages", targets.apiStages, "Rename one of the APIs (or the stage), or list the stages under Monitoring's apiStages with keys of your own.");
  const addTable = keyedGroup("tables", targets.tables, "Rename one of the DataTiers (or the table), or list the tables under Monitoring's tables with keys of your own.");
  const addDistribution = keyedGroup("distributions", targets.distributions, "Rename one of the sites, or list the distributions under Monitoring's distributions with keys of your own.");
  const addUserPool = keyedGroup("userPools", targets.userPools, "Rename one of them, or list the user pools under Monitoring's userPools with keys of your own.");
  const addWorkflow = keyedGroup("workflows", targets.workflows, "Rename one of them, or list the workflows under Monitoring's workflows with keys of your own.");
  const addRule = keyedGroup("rules", targets.rules, "Rename one of the buses (or the subscription), or list the rules under Monitoring's rules with keys of your own.");

  const addFunction = (fn: LambdaFunction) => {
    if (fn.spec.edge) return;
    addFunctionTarget(fn.spec.name, fn.spec, `LambdaFunction "${fn.spec.name}"`, (earlier) => ({ ...earlier, functionName: fn.functionName, region: fn.spec.region }));
    // Failed asynchronous events (e.g. S3 notifications) wait there: depth > 0 needs someone.
    if (fn.failureQueue) {
      const queueName = fn.failureQueue.name;
      addQueue(`${fn.spec.name}-failures`, queueName, `LambdaFunction "${fn.spec.name}"'s failure queue`, () => ({ queueName, region: fn.spec.region }));
    }
    // Scheduled invocations Scheduler could not deliver (role, throttling, target gone): the function never ran, so its Errors alarm stays quiet.
    if (fn.schedule) {
      const queueName = fn.schedule.deadLetterQueue.name;
      addQueue(`${fn.spec.name}-schedule-dlq`, queueName, `LambdaFunction "${fn.spec.name}"'s schedule dead-letter queue`, () => ({ queueName, region: fn.spec.region }));
    }
  };

  for (const fn of components.functions ?? []) addFunction(fn);
  for (const api of components.apis ?? []) {
    for (const fn of api.nodes.functions.values()) addFunction(fn);
    // REST stages only (ApiName dimension); the HTTP kind has no REST stages in nodes.stages.
    for (const [stage, resource] of api.nodes.stages) {
      addApiStage(`${api.spec.name}-${stage}`, resource, `ServerlessApi "${api.spec.name}" stage "${stage}"`, () => ({ apiName: api.nodes.restApi!.name, stage, region: api.spec.region }));
    }
  }
  for (const tier of components.dataTiers ?? []) {
    noteMonitoringRead(tier);
    for (const [table, resource] of Object.entries(tier.nodes.tables)) {
      addTable(`${tier.spec.name}-${table}`, resource, `DataTier "${tier.spec.name}" table "${table}"`, () => ({ tableName: resource.name, region: tier.spec.region }));
    }
    for (const subscription of tier.nodes.subscriptions) {
      const fn = subscription.spec.function;
      addFunctionTarget(fn.name, fn, `LambdaFunction "${fn.name}"`, (known) =>
        known ? { ...known, streamConsumer: true } : { functionName: functionNameOf(subscription.mapping.functionName), region: fn.region, streamConsumer: true },
      );
      const queueName = subscription.deadLetterQueue.name;
      addQueue(`${tier.spec.name}-${subscription.spec.name}-dlq`, queueName, `DataTier "${tier.spec.name}" subscription "${subscription.spec.name}"'s dead-letter queue`, () => ({ queueName, region: tier.spec.region }));
    }
    if (tier.nodes.export) {
      addFunction(tier.nodes.export.function);
      const queueName = tier.nodes.export.deadLetterQueue.name;
      addQueue(`${tier.spec.name}-export-dlq`, queueName, `DataTier "${tier.spec.name}"'s export dead-letter queue`, () => ({ queueName, region: tier.spec.region }));
    }
  }
  for (const queue of components.messageQueues ?? []) {
    const consumer = queue.spec.consumer.function;
    addFunctionTarget(consumer.name, consumer, `LambdaFunction "${consumer.name}"`, (known) => known ?? { functionName: functionNameOf(queue.mapping.functionName), region: consumer.region });
    const queueName = queue.deadLetterQueue.name;
    addQueue(`${queue.spec.name}-dlq`, queueName, `MessageQueue "${queue.spec.name}"'s dead-letter queue`, () => ({ queueName, region: queue.spec.region }));
  }
  for (const site of components.sites ?? []) {
    const distribution = site.nodes.distribution;
    addDistribution(site.spec.name, distribution, `StaticSite "${site.spec.name}"'s distribution`, () => ({ distributionId: distribution.id }));
  }
  for (const auth of components.auth ?? []) {
    for (const fn of Object.values(auth.nodes.triggers)) addFunction(fn!);
    // Risk metrics exist only with threat protection on (AUDIT or ENFORCED).
    if (auth.spec.threatProtection !== "OFF") addUserPool(auth.spec.name, auth, `UserAuth "${auth.spec.name}"'s user pool`, () => ({ userPoolId: auth.userPoolId, region: auth.spec.region }));
  }
  for (const workflow of components.workflows ?? []) {
    // Express workflows have no state transition throttling (StateTransition bucket and refill "Unlimited", and
    // "Throttling on the StateTransition service metric is reported as ExecutionThrottled",
    // https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html): that alarm could never fire.
    const express = workflow.spec.type === "EXPRESS" ? { alarms: { workflowExecutionThrottled: { enabled: false } } } : {};
    addWorkflow(workflow.spec.name, workflow, `Workflow "${workflow.spec.name}"`, () => ({ stateMachineArn: workflow.stateMachineArn, region: workflow.spec.region, ...express }));
  }
  for (const bus of components.eventBuses ?? []) {
    noteMonitoringRead(bus);
    const kind = bus.spec.default ? "DefaultEventBus" : "EventBus";
    for (const subscription of bus.spec.subscriptions) {
      const name = `${bus.spec.name}-${subscription.name}`;
      // A custom bus's rule is published under EventBusName and RuleName, a default bus's under RuleName alone (MonitoredRule).
      addRule(name, subscription, `${kind} "${bus.spec.name}" subscription "${subscription.name}"'s rule`, () => ({ ruleName: subscription.ruleName, ...(bus.spec.default ? {} : { eventBusName: bus.busName }), region: bus.spec.region }));
      const queueName = subscription.deadLetterQueueName;
      addQueue(`${name}-dlq`, queueName, `${kind} "${bus.spec.name}" subscription "${subscription.name}"'s dead-letter queue`, () => ({ queueName, region: bus.spec.region }));
    }
  }
  for (const topic of components.topics ?? []) {
    noteMonitoringRead(topic);
    for (const subscription of topic.spec.subscriptions) {
      const queueName = subscription.deadLetterQueueName;
      addQueue(`${topic.spec.name}-${subscription.name}-dlq`, queueName, `Topic "${topic.spec.name}" subscription "${subscription.name}"'s dead-letter queue`, () => ({ queueName, region: topic.spec.region }));
    }
  }
  return targets;
}
