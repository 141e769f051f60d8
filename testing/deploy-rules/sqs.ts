/**
 * Deploy rules for SQS queues and Lambda's SQS event source mappings, hand-built or MessageQueue's: the settings
 * CreateEventSourceMapping takes for a queue, the visibility timeout it checks against the function's timeout, and a
 * redrive policy's dead-letter queue of the queue's own type.
 */
import { asArray, ofType, readablePolicyDocument, type Graph } from "../../local/offline/graph";
import { QUEUE_POLICY } from "../../local/resource-policies";
import type { RecordedResource } from "../../local/offline/mocks";
import { MESSAGE_QUEUE_LIMITS } from "../../components/message-queue";
import { SQS_ARN } from "./events";
import { functionOf } from "./lambda-ref";
import { finding, referenced, type DeployFinding, type DeployRule } from "./rule";
import { compactPolicyBytes } from "./policy-bytes";
import { isFifo, redriveTarget } from "./queue-shape";
import { onePolicyRule, writersByHolder } from "./one-policy";

const QUEUE = "aws:sqs/queue:Queue";
const REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

/** SQS's visibility timeout when a queue sets none (CreateQueue VisibilityTimeout: "Default: 30"). */
const SQS_DEFAULT_VISIBILITY_TIMEOUT = 30;
/** Lambda's timeout when a function sets none (CreateFunction Timeout: "The default is 3 seconds"). */
const LAMBDA_DEFAULT_TIMEOUT = 3;

/** An event source mapping's queue: in the plan when it is there, else only its ARN (undefined: not an SQS source). */
function sqsSource(graph: Graph, mapping: RecordedResource): { arn: string; queue?: RecordedResource } | undefined {
  const arn = mapping.inputs.eventSourceArn;
  if (typeof arn !== "string") return undefined;
  const queue = referenced(graph, QUEUE, arn);
  return queue || SQS_ARN.test(arn) ? { arn, queue } : undefined;
}

const queueName = (source: { arn: string; queue?: RecordedResource }): string => source.queue?.name ?? source.arn;

/**
 * "Your function's timeout must be less than or equal to the queue's visibility timeout. Lambda validates this
 * requirement when you create or update an event source mapping and will return an error if the function timeout
 * exceeds the queue's visibility timeout": InvalidParameterValueException "Queue visibility timeout: 30 seconds is less
 * than Function timeout: 60 seconds" (hashicorp/terraform-provider-aws#18099). Unset, the queue's is SQS's 30 and the
 * function's Lambda's 3. Queues and functions outside the plan are not checked.
 */
export const SQS_MAPPING_VISIBILITY_TIMEOUT: DeployRule = {
  id: "SqsMappingVisibilityTimeout",
  title: "An SQS event source mapping's queue hides a message at least as long as its function may run",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const mapping of ofType(graph, EVENT_SOURCE_MAPPING)) {
      const source = sqsSource(graph, mapping);
      const fn = functionOf(graph, mapping.inputs.functionName);
      if (!source?.queue || !fn) continue;
      const visibility = Number(source.queue.inputs.visibilityTimeoutSeconds ?? SQS_DEFAULT_VISIBILITY_TIMEOUT);
      const timeout = Number(fn.inputs.timeout ?? LAMBDA_DEFAULT_TIMEOUT);
      if (timeout > visibility) {
        findings.push(
          finding(
            this.id,
            mapping,
            `invokes ${fn.name} (timeout ${timeout} s) for queue ${source.queue.name}, whose visibility timeout is ${visibility} s; Lambda refuses the mapping ("Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${timeout} seconds")`,
            `give the queue a visibilityTimeoutSeconds of at least ${timeout} (AWS advises six times the function's timeout plus the batching window: ${6 * timeout + Number(mapping.inputs.maximumBatchingWindowInSeconds ?? 0)}), or shorten the function's timeout`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * The settings of an SQS event source mapping (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html,
 * API_CreateEventSourceMapping):
 * - stream-only settings (StartingPosition and its timestamp, BisectBatchOnFunctionError, MaximumRetryAttempts,
 *   MaximumRecordAgeInSeconds, ParallelizationFactor, TumblingWindowInSeconds: "Kinesis and DynamoDB Streams only";
 *   DestinationConfig: Kinesis, DynamoDB Streams and Kafka only) are refused ("StartingPosition is not valid for SQS
 *   event sources", boto/boto3#1613); an SQS consumer retries through the queue's redrive policy instead;
 * - BatchSize: "For standard queues, the maximum is 10,000. For FIFO queues, the maximum is 10"; over 10 "you must set
 *   MaximumBatchingWindowInSeconds to at least 1";
 * - MaximumBatchingWindowInSeconds 0–300, and "Batching window is not supported for FIFO queues";
 * - ScalingConfig MaximumConcurrency 2–1000 (API_ScalingConfig).
 */
export const SQS_MAPPING_SETTINGS: DeployRule = {
  id: "SqsMappingSettings",
  title: "SQS event source mappings set only what Lambda takes for a queue, within its ranges",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const limits = MESSAGE_QUEUE_LIMITS;
    for (const mapping of ofType(graph, EVENT_SOURCE_MAPPING)) {
      const source = sqsSource(graph, mapping);
      if (!source) continue;
      const report = (problem: string, fix: string) => findings.push(finding(this.id, mapping, problem, fix));
      const i = mapping.inputs;
      const streamOnly = ["startingPosition", "startingPositionTimestamp", "bisectBatchOnFunctionError", "maximumRetryAttempts", "maximumRecordAgeInSeconds", "parallelizationFactor", "tumblingWindowInSeconds", "destinationConfig"].filter(
        (key) => i[key] !== undefined,
      );
      if (streamOnly.length > 0) {
        report(`reads queue ${queueName(source)} but sets ${streamOnly.join(", ")}, which apply to streams only; Lambda refuses them for an SQS source`, "remove them: failed messages return to the queue and its redrive policy moves them to a dead-letter queue");
      }
      const fifo = isFifo(source.queue, source.arn);
      const batchSize = i.batchSize === undefined ? 10 : Number(i.batchSize);
      const window = i.maximumBatchingWindowInSeconds === undefined ? 0 : Number(i.maximumBatchingWindowInSeconds);
      const batchRange = fifo ? limits.fifoBatchSize : limits.batchSize;
      if (!Number.isInteger(batchSize) || batchSize < batchRange.min || batchSize > batchRange.max) {
        report(`has batchSize ${i.batchSize}; Lambda takes ${batchRange.min}–${batchRange.max} messages from a ${fifo ? "FIFO" : "standard"} queue`, `set batchSize between ${batchRange.min} and ${batchRange.max}`);
      } else if (batchSize > limits.batchSizeWithoutWindow && window < 1) {
        report(`has batchSize ${batchSize} with a batching window of ${window} s; over ${limits.batchSizeWithoutWindow} messages Lambda requires a window of at least 1 s`, "set maximumBatchingWindowInSeconds to at least 1, or batchSize to at most 10");
      }
      const windowRange = limits.maxBatchingWindowSeconds;
      if (!Number.isInteger(window) || window < windowRange.min || window > windowRange.max) {
        report(`has maximumBatchingWindowInSeconds ${i.maximumBatchingWindowInSeconds}; Lambda takes ${windowRange.min}–${windowRange.max}`, `set it between ${windowRange.min} and ${windowRange.max}`);
      } else if (fifo && window > 0) {
        report(`has a batching window of ${window} s on the FIFO queue ${queueName(source)}; Lambda supports no batching window for FIFO queues`, "remove maximumBatchingWindowInSeconds");
      }
      const concurrency = i.scalingConfig?.maximumConcurrency;
      const concurrencyRange = limits.maxConcurrency;
      if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= concurrencyRange.min && concurrency <= concurrencyRange.max)) {
        report(`has scalingConfig.maximumConcurrency ${concurrency}; Lambda takes ${concurrencyRange.min}–${concurrencyRange.max}`, `set it between ${concurrencyRange.min} and ${concurrencyRange.max}, or remove scalingConfig`);
      }
    }
    return findings;
  },
};

/**
 * "The dead-letter queue of a FIFO queue must also be a FIFO queue. Similarly, the dead-letter queue of a standard queue
 * must also be a standard queue" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html):
 * CreateQueue / SetQueueAttributes refuse such a RedrivePolicy. Read from a queue's `redrivePolicy` and from
 * RedrivePolicy resources; a dead-letter queue outside the plan is FIFO when its ARN ends in `.fifo`.
 */
export const SQS_REDRIVE_QUEUE_TYPE: DeployRule = {
  id: "SqsRedriveQueueType",
  title: "A queue's dead-letter queue is of its own type (FIFO or standard)",
  source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const redrives: Array<{ carrier: RecordedResource; source: RecordedResource | undefined; policy: unknown }> = [
      ...ofType(graph, QUEUE).map((queue) => ({ carrier: queue, source: queue, policy: queue.inputs.redrivePolicy })),
      ...ofType(graph, REDRIVE_POLICY).map((r) => ({ carrier: r, source: referenced(graph, QUEUE, r.inputs.queueUrl) ?? ofType(graph, QUEUE).find((q) => q.state.url === r.inputs.queueUrl), policy: r.inputs.redrivePolicy })),
    ];
    for (const { carrier, source, policy } of redrives) {
      const target = redriveTarget(policy)?.deadLetterTargetArn;
      if (!source || typeof target !== "string" || !target) continue;
      const deadLetterQueue = referenced(graph, QUEUE, target);
      const sourceFifo = source.inputs.fifoQueue === true;
      if (sourceFifo === isFifo(deadLetterQueue, target)) continue;
      const type = (fifo: boolean) => (fifo ? "FIFO" : "standard");
      findings.push(
        finding(
          this.id,
          carrier,
          `sends ${source === carrier ? "its" : `queue ${source.name}'s`} failed messages (a ${type(sourceFifo)} queue) to the ${type(!sourceFifo)} queue ${deadLetterQueue?.name ?? target}; SQS takes a dead-letter queue of the source's own type only`,
          `make the dead-letter queue ${type(sourceFifo)} (fifoQueue: ${sourceFifo})`,
        ),
      );
    }
    return findings;
  },
};

/**
 * A queue has one access policy: SetQueueAttributes' `Policy` attribute, which each aws.sqs.QueuePolicy (and a queue's
 * own `policy`) writes whole. Two on one queue replace each other on every deploy, and whichever lands last decides
 * what is allowed (hashicorp/terraform#12003 "Multiple aws_sqs_queue_policy adds only one policy to queue";
 * aws/serverless-application-model#1776). The components' queues already carry the TLS-only policy
 * (components/queues.ts requireTls): a grant to SNS or EventBridge belongs in that same document.
 */
export const SQS_ONE_QUEUE_POLICY: DeployRule = onePolicyRule({
  id: "SqsOneQueuePolicy",
  title: "A queue's access policy is written by one resource only",
  source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html",
  targets: writersByHolder([QUEUE], QUEUE_POLICY, "queueUrl", true),
  wording: { on: "holder", policy: "access policy", fix: "write every statement into one policy (one QueuePolicy, or the queue's `policy`)" },
});

/**
 * Amazon SQS policy quotas (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html):
 * a queue's access policy has at most "Bytes | 8,192", "Statements | 20" and "Actions per statement | 7". The policy is
 * written by SetQueueAttributes (a QueuePolicy's, or the queue's own `policy`), which terraform-provider-aws sends
 * unmeasured, so a policy past them passes `pulumi preview` and fails at `pulumi up`. Bytes are counted as compact JSON
 * (compactPolicyBytes: the smallest form the document can be sent in). Actions are a statement's `Action` (or `NotAction`) entries, `sqs:*` counting one. The quotas'
 * "Conditions | 10" and "Principals | 50" are not checked: whether they count per statement or per policy, and keys or
 * operators, is not stated. Documents the plan cannot read are skipped.
 */
const SQS_POLICY_QUOTAS_LIMITS = { bytes: 8_192, statements: 20, actionsPerStatement: 7 } as const;

export const SQS_POLICY_QUOTAS: DeployRule = {
  id: "SqsPolicyQuotas",
  title: "A queue's access policy fits SQS's policy quotas: 8,192 bytes, 20 statements, 7 actions per statement",
  source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const limits = SQS_POLICY_QUOTAS_LIMITS;
    for (const r of [...ofType(graph, QUEUE_POLICY), ...ofType(graph, QUEUE)]) {
      const policy = r.inputs.policy;
      const document = policy === undefined || policy === "" ? undefined : readablePolicyDocument(policy);
      if (!document) continue;
      const report = (problem: string, fix: string) => findings.push(finding(this.id, r, `${problem}; SetQueueAttributes refuses it at \`pulumi up\``, fix));
      const bytes = compactPolicyBytes(policy) ?? 0;
      if (bytes > limits.bytes) report(`has an access policy of ${bytes} bytes (as compact JSON); SQS takes at most ${limits.bytes}`, "grant fewer, broader statements (one per service, with every source ARN in one aws:SourceArn condition)");
      const statements = document.Statement;
      if (statements.length > limits.statements) report(`has an access policy of ${statements.length} statements; SQS takes at most ${limits.statements}`, "merge statements that grant the same actions to the same principal");
      statements.forEach((statement, index) => {
        const actions = asArray(statement?.Action ?? statement?.NotAction);
        if (actions.length > limits.actionsPerStatement) {
          report(`has a statement (${typeof statement.Sid === "string" ? `Sid ${statement.Sid}` : `number ${index + 1}`}) of ${actions.length} actions; SQS takes at most ${limits.actionsPerStatement} per statement`, "split the statement in two, or name the actions with a wildcard (sqs:Get*, sqs:*)");
        }
      });
    }
    return findings;
  },
};

export const SQS_RULES: DeployRule[] = [SQS_MAPPING_VISIBILITY_TIMEOUT, SQS_MAPPING_SETTINGS, SQS_REDRIVE_QUEUE_TYPE, SQS_ONE_QUEUE_POLICY, SQS_POLICY_QUOTAS];
