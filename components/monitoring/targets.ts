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
import type { MonitoredFunction, MonitoredQueue, MonitoringTargets } from "./alarms";

export interface MonitoredComponents {
  functions?: LambdaFunction[];
  apis?: ServerlessApi[];
  dataTiers?: DataTier[];
  sites?: StaticSite[];
  auth?: UserAuth[];
  /** Each queue's consumer, and its dead-letter queue: a message there failed every receive. */
  messageQueues?: MessageQueue[];
  /** Each state machine's executions (in its region); the functions its Task states invoke are not added: list them under `functions`. */
  workflows?: Workflow[];
  /**
   * Each subscription's rule (events it failed to deliver, or lost on the way to its dead-letter queue) and its
   * dead-letter queue, in the bus's region; the targets are not added: list them under their own kinds.
   */
  eventBuses?: EventRuleBus[];
  /**
   * Each subscription's dead-letter queue, in the topic's region: a message there is one SNS gave up delivering (the
   * subscriber's function or queue refused it or was gone), which no subscriber's alarm sees. The subscribers are not
   * added: list them under their own kinds. Only the subscriptions made before this call (`subscribe`, `subscribeQueue`).
   */
  topics?: Topic[];
}

/** A key from a resource name: lowercase letters, digits and hyphens. */
const keyOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);

/** The function name in a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`). */
function functionNameOf(arn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(arn).apply((value) => value.split(":")[6] ?? value);
}

export function monitoringTargets(components: MonitoredComponents): MonitoringTargets {
  const functions: Record<string, MonitoredFunction> = {};
  // The LambdaFunction (by component name) each functions key is for: two functions of one key ("thumb_worker" and
  // "thumb-worker") are refused rather than the second's alarms replacing the first's. One reached twice is one target.
  const functionSources = new Map<string, string>();
  const functionKey = (name: string): string => {
    const key = keyOf(name);
    const earlier = functionSources.get(key);
    if (earlier !== undefined && earlier !== name) {
      throw new Error(
        `monitoringTargets: functions key "${key}" is LambdaFunction "${earlier}" and LambdaFunction "${name}"; one would replace the other and go unwatched. Rename one of them, or list the functions under Monitoring's functions with keys of your own.`,
      );
    }
    functionSources.set(key, name);
    return key;
  };
  const addFunction = (fn: LambdaFunction) => {
    if (fn.spec.edge) return;
    const key = functionKey(fn.spec.name);
    functions[key] = { ...functions[key], functionName: fn.functionName, region: fn.spec.region };
    // Failed asynchronous events (e.g. S3 notifications) wait there: depth > 0 needs someone.
    if (fn.failureQueue) addQueue(`${fn.spec.name}-failures`, { queueName: fn.failureQueue.name, region: fn.spec.region }, `LambdaFunction "${fn.spec.name}"'s failure queue`);
    // Scheduled invocations Scheduler could not deliver (role, throttling, target gone): the function never ran, so its Errors alarm stays quiet.
    if (fn.schedule) addQueue(`${fn.spec.name}-schedule-dlq`, { queueName: fn.schedule.deadLetterQueue.name, region: fn.spec.region }, `LambdaFunction "${fn.spec.name}"'s schedule dead-letter queue`);
  };
  const targets: Required<MonitoringTargets> = { functions, apiStages: {}, tables: {}, queues: {}, distributions: {}, userPools: {}, workflows: {}, rules: {} };
  // What gave each queue key, so that two queues of one key are refused rather than the second replacing the first.
  const queueSources = new Map<string, string>();
  const addQueue = (name: string, queue: MonitoredQueue, what: string) => {
    const key = keyOf(name);
    const earlier = targets.queues[key];
    // One queue reached twice (a component listed twice, a function in `functions` and an API) is one target.
    if (earlier && earlier.queueName !== queue.queueName) {
      throw new Error(
        `monitoringTargets: queues key "${key}" is ${queueSources.get(key)} and ${what}; one would replace the other and go unwatched. Rename one of the components (or the subscription), or list the queues under Monitoring's queues with keys of your own.`,
      );
    }
    targets.queues[key] = queue;
    queueSources.set(key, what);
  };

  for (const fn of components.functions ?? []) addFunction(fn);
  for (const api of components.apis ?? []) {
    for (const fn of api.nodes.functions.values()) addFunction(fn);
    // REST stages only (ApiName dimension); the HTTP kind has no REST stages in nodes.stages.
    for (const stage of api.nodes.stages.keys()) {
      targets.apiStages[keyOf(`${api.spec.name}-${stage}`)] = { apiName: api.nodes.restApi!.name, stage, region: api.spec.region };
    }
  }
  for (const tier of components.dataTiers ?? []) {
    for (const [table, resource] of Object.entries(tier.nodes.tables)) {
      targets.tables[keyOf(`${tier.spec.name}-${table}`)] = { tableName: resource.name, region: tier.spec.region };
    }
    for (const subscription of tier.nodes.subscriptions) {
      const key = functionKey(subscription.spec.function.name);
      const known = functions[key];
      functions[key] = known
        ? { ...known, streamConsumer: true }
        : { functionName: functionNameOf(subscription.mapping.functionName), region: subscription.spec.function.region, streamConsumer: true };
      addQueue(`${tier.spec.name}-${subscription.spec.name}-dlq`, { queueName: subscription.deadLetterQueue.name, region: tier.spec.region }, `DataTier "${tier.spec.name}" subscription "${subscription.spec.name}"'s dead-letter queue`);
    }
    if (tier.nodes.export) {
      addFunction(tier.nodes.export.function);
      addQueue(`${tier.spec.name}-export-dlq`, { queueName: tier.nodes.export.deadLetterQueue.name, region: tier.spec.region }, `DataTier "${tier.spec.name}"'s export dead-letter queue`);
    }
  }
  for (const queue of components.messageQueues ?? []) {
    const consumer = queue.spec.consumer.function;
    functions[functionKey(consumer.name)] ??= { functionName: functionNameOf(queue.mapping.functionName), region: consumer.region };
    addQueue(`${queue.spec.name}-dlq`, { queueName: queue.deadLetterQueue.name, region: queue.spec.region }, `MessageQueue "${queue.spec.name}"'s dead-letter queue`);
  }
  for (const site of components.sites ?? []) targets.distributions[keyOf(site.spec.name)] = { distributionId: site.nodes.distribution.id };
  for (const auth of components.auth ?? []) {
    for (const fn of Object.values(auth.nodes.triggers)) addFunction(fn!);
    // Risk metrics exist only with threat protection on (AUDIT or ENFORCED).
    if (auth.spec.threatProtection !== "OFF") targets.userPools[keyOf(auth.spec.name)] = { userPoolId: auth.userPoolId, region: auth.spec.region };
  }
  for (const workflow of components.workflows ?? []) {
    // Express workflows have no state transition throttling (StateTransition bucket and refill "Unlimited", and
    // "Throttling on the StateTransition service metric is reported as ExecutionThrottled",
    // https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html): that alarm could never fire.
    const express = workflow.spec.type === "EXPRESS" ? { alarms: { workflowExecutionThrottled: { enabled: false } } } : {};
    targets.workflows[keyOf(workflow.spec.name)] = { stateMachineArn: workflow.stateMachineArn, region: workflow.spec.region, ...express };
  }
  for (const bus of components.eventBuses ?? []) {
    for (const subscription of bus.spec.subscriptions) {
      const key = keyOf(`${bus.spec.name}-${subscription.name}`);
      // A custom bus's rule is published under EventBusName and RuleName, a default bus's under RuleName alone (MonitoredRule).
      targets.rules[key] = { ruleName: subscription.ruleName, ...(bus.spec.default ? {} : { eventBusName: bus.busName }), region: bus.spec.region };
      addQueue(`${key}-dlq`, { queueName: subscription.deadLetterQueueName, region: bus.spec.region }, `${bus.spec.default ? "DefaultEventBus" : "EventBus"} "${bus.spec.name}" subscription "${subscription.name}"'s dead-letter queue`);
    }
  }
  for (const topic of components.topics ?? []) {
    for (const subscription of topic.spec.subscriptions) {
      addQueue(`${topic.spec.name}-${subscription.name}-dlq`, { queueName: subscription.deadLetterQueueName, region: topic.spec.region }, `Topic "${topic.spec.name}" subscription "${subscription.name}"'s dead-letter queue`);
    }
  }
  return targets;
}
