/**
 * The resource-based policies of a queue, topic, event bus or table as the recorded plan holds them, and whether one
 * allows or denies a role: read by the local runtime's IAM (local/function-roles.ts, for the functions', the state
 * machines', EventBridge targets' and AWS-service routes' integration roles) and by the deploy rules (testing/deploy-rules/queue-policy.ts, states.ts, eventbridge.ts). In local/
 * because local/ imports nothing from testing/.
 *
 * Within one account "If either the identity-based policy or the resource-based policy within the same account allows
 * the request and the other doesn't, the request is still allowed", and "An explicit deny in any of the policies
 * overrides the allow" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html).
 * The policies read: a queue's QueuePolicy resources and its own `policy` (SQS access policy), a topic's TopicPolicy
 * resources and its own `policy`, a bus's EventBusPolicy resources (matched by the bus's name, in the bus's region), a
 * table's (and its indexes') DynamoDB ResourcePolicy resources. Other resource policies (bucket, function, key, secret,
 * stream) are not.
 */
import { arnComponents, conditionOperator } from "../components/iam-match";
import { arnRegion } from "../components/arn";
import { applies, policyStatements, type IamDecision } from "./iam-policy";
import { asArray, attachedTo, ofType, readablePolicyDocument, resourceRegion, type Graph } from "./offline/graph";
import type { RecordedResource } from "./offline/mocks";

export const QUEUE = "aws:sqs/queue:Queue";
export const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
export const TOPIC = "aws:sns/topic:Topic";
export const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
export const BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy";
export const TABLE = "aws:dynamodb/table:Table";
export const TABLE_POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy";

/** The queue's access policy documents: its QueuePolicy resources' and its own `policy`. */
export function queuePolicies(graph: Graph, queue: RecordedResource): unknown[] {
  return [...attachedTo(graph, QUEUE_POLICY, "queueUrl", queue).map((p) => p.inputs.policy), queue.inputs.policy].filter(Boolean);
}

/** The topic's access policy documents: its TopicPolicy resources' and its own `policy`. */
export function topicPolicies(graph: Graph, topic: RecordedResource): unknown[] {
  return [...attachedTo(graph, TOPIC_POLICY, "arn", topic).map((p) => p.inputs.policy), topic.inputs.policy].filter(Boolean);
}

/** A bus's name as a rule, target or bus policy gives it: a name, or a bus ARN (`...:event-bus/<name>`); absent is "default". */
export const busNameOf = (reference: unknown): string => (typeof reference === "string" && reference !== "" ? reference.replace(/^arn:[^:]+:events:[^:]*:\d*:event-bus\//, "") : "default");

/** A recorded plan: its resources, and the stack's region (where a resource without a region of its own, or its provider's, is created). */
export interface RecordedPlan {
  graph: Graph;
  stackRegion: string;
}

/**
 * The EventBusPolicy resources of the bus `busArn` names, matched by name so that the default bus, which no plan
 * creates, is found by a policy that omits `eventBusName` ("If you omit this, the permissions are set on the default
 * event bus", pulumi-aws cloudwatch.EventBusPolicy), and by region: a policy is put on one bus, a bus is of one region
 * (its ARN names it; eb-event-bus-perms.html's cross-Region examples attach theirs to the us-east-1 bus), and a policy
 * is created in its own `region`, else its provider's, else the stack's (resourceRegion). So a bus of the same name in
 * another region is not granted. An EventBus takes no policy of its own (pulumi-aws 7 EventBus has no `policy` input).
 */
export function busPolicies(plan: RecordedPlan, busArn: string): RecordedResource[] {
  const name = busNameOf(busArn);
  const region = arnRegion(busArn);
  return ofType(plan.graph, BUS_POLICY).filter((p) => busNameOf(p.inputs.eventBusName) === name && resourceRegion(plan.graph, p, plan.stackRegion) === region);
}

/** A resource policy as the plan holds it: the resource that carries it, and its documents. */
export interface HeldPolicy {
  carrier: RecordedResource;
  documents: unknown[];
}

/**
 * The resource policies of the plan's queue, topic or table `arn` names (a table's index by its table: "You can control
 * index permissions using the base table's policy", pulumi-aws dynamodb.ResourcePolicy `resourceArn`), or the plan's
 * policies of the bus it names in its region (the default bus too, which no plan creates: busPolicies). None for an ARN
 * of another service or a resource outside the plan.
 */
export function resourcePolicies(plan: RecordedPlan, arn: string): HeldPolicy[] {
  const { graph } = plan;
  const service = arnComponents(arn)?.[2];
  const byArn = (type: string, target: string) => graph.find((r) => r.type === type && r.state.arn === target);
  if (service === "sqs") {
    const queue = byArn(QUEUE, arn);
    return queue ? [{ carrier: queue, documents: queuePolicies(graph, queue) }] : [];
  }
  if (service === "sns") {
    const topic = byArn(TOPIC, arn);
    return topic ? [{ carrier: topic, documents: topicPolicies(graph, topic) }] : [];
  }
  if (service === "dynamodb") {
    const table = byArn(TABLE, arn.replace(/\/(index|stream)\/[^/]+$/, ""));
    return table ? attachedTo(graph, TABLE_POLICY, "resourceArn", table).map((policy) => ({ carrier: policy, documents: [policy.inputs.policy] })) : [];
  }
  if (service === "events" && /:event-bus\//.test(arn)) return busPolicies(plan, arn).map((policy) => ({ carrier: policy, documents: [policy.inputs.policy] }));
  return [];
}

/**
 * Whether a statement's principal covers a principal `names` recognises in a Principal (or NotPrincipal) value: everyone
 * (`"*"`, `{ AWS: "*" }`) always does; with NotPrincipal, one the value does not name.
 */
export function coversPrincipal(statement: Record<string, any>, names: (principal: any) => boolean): boolean {
  const covers = (principal: any) => principal === "*" || asArray<string>(principal?.AWS).includes("*") || names(principal);
  if (statement.NotPrincipal !== undefined) return !covers(statement.NotPrincipal);
  return covers(statement.Principal);
}

/**
 * Whether `principal` (an ARN as a Principal names it) is the role `roleArn` or a session of it, its account field aside:
 * the plan's account is mocked, and a policy may name the real one. A session by any name when `session` is undefined
 * (Step Functions' session name is not documented), else only that one.
 */
function isRole(principal: string, roleArn: string, session?: string): boolean {
  const [, partition, , , , roleResource = ""] = arnComponents(roleArn) ?? [];
  const roleName = roleResource.split("/").pop();
  const [arn, principalPartition, service, , , resource = ""] = arnComponents(principal) ?? [];
  if (arn !== "arn" || principalPartition !== partition || resource.includes(":")) return false;
  const [kind, name, sessionName] = resource.split("/");
  return (service === "iam" && resource === roleResource) || (service === "sts" && kind === "assumed-role" && name === roleName && (session === undefined || sessionName === session));
}

/**
 * Whether a resource policy's principal may be the role `roleArn` (its account field aside), any session of it, or
 * everyone: the reading for an Allow (what may grant). Not an account (`123456789012`, `…:root`): naming one "delegates
 * authority to the account", whose identity policies then decide (reference_policies_elements_principal.html). A
 * NotPrincipal covers the role unless it names everyone: the caller is a session, and whether naming the role alone
 * leaves its sessions out is open ("AWS might validate the account first, then the role, and then the assumed-role
 * user", reference_policies_elements_notprincipal.html).
 */
export function namesRole(statement: Record<string, any>, roleArn: string): boolean {
  if (statement.NotPrincipal !== undefined) return !coversPrincipal({ Principal: statement.NotPrincipal }, () => false);
  return coversPrincipal(statement, (principal) => asArray<unknown>(principal?.AWS).some((p) => typeof p === "string" && isRole(p, roleArn)));
}

/**
 * Whether a resource policy's principal must be the caller, the session `sessionArn` of the role `roleArn`: the reading
 * for a Deny (what refuses). Everyone, the role, or that session; a NotPrincipal only when it names nothing the caller
 * might be (no session or the role, no account, not everyone), since AWS may read the role's account or the role in it
 * as naming the session (reference_policies_elements_notprincipal.html).
 */
function mustNameCaller(statement: Record<string, any>, roleArn: string, sessionArn: string): boolean {
  const session = sessionArn.split("/")[2];
  if (statement.NotPrincipal !== undefined) {
    const named = statement.NotPrincipal;
    if (named === "*") return false;
    return !asArray<unknown>(named?.AWS).some((p) => typeof p !== "string" || p === "*" || /^\d{12}$/.test(p) || /:root$/.test(p) || isRole(p, roleArn));
  }
  return coversPrincipal(statement, (principal) => asArray<unknown>(principal?.AWS).some((p) => typeof p === "string" && isRole(p, roleArn, session)));
}

/**
 * Condition keys a role's own request does not carry: "the aws:SourceAccount condition key is only available when the
 * call to your resource is made directly by an AWS service principal" (reference_policies_condition-keys.html), and
 * aws:SourceArn, its pair in every confused-deputy policy (that page's own words for it were not found here).
 */
const SERVICE_ONLY_KEYS = new Set(["aws:sourcearn", "aws:sourceaccount"]);

/**
 * Whether a statement's Condition fails for a role's own request for certain: a block that compares a service-only key
 * (absent from the request) with a positive operator ("If the key that you specify in a policy condition is not present
 * in the request context, the values do not match, and the condition is false"), or `Null` "false" on it (the key must
 * be present). `…IfExists` and negated operators hold on an absent key ("If the policy condition requires that the key
 * is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true",
 * reference_policies_elements_condition_operators.html); set operators (`ForAnyValue:`) and every other key are not
 * read (as local/iam-policy.ts reads identity policies' conditions).
 */
function failsForRole(condition: Record<string, Record<string, unknown>> | undefined): boolean {
  for (const [operator, block] of Object.entries(condition ?? {})) {
    if (operator.endsWith("IfExists") || operator.includes(":")) continue;
    for (const [key, raw] of Object.entries(block ?? {})) {
      if (!SERVICE_ONLY_KEYS.has(key.toLowerCase())) continue;
      const values = asArray<unknown>(raw as unknown[]).map((v) => String(v).toLowerCase());
      if (operator === "Null") {
        if (values.every((v) => v === "false")) return true;
        continue;
      }
      const compare = conditionOperator(operator);
      if (operator === "Bool" || operator.startsWith("Numeric") || operator.startsWith("Date") || (compare && !compare.negated)) return true;
    }
  }
  return false;
}

/** Who calls: a role and the session it calls as (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
export interface RoleCaller {
  roleArn: string;
  sessionArn: string;
}

/**
 * What resource policy documents decide for `caller`'s `action` on `resource`: an explicit Deny (its principal surely
 * the caller, its action and resource surely covered, and no Condition or policy variable, as a Deny of an identity
 * policy applies locally: local/iam-policy.ts), else an Allow (its principal the role, a session of it or everyone; its
 * action and resource read leniently; its Condition taken to hold unless it needs a key only a service's request
 * carries: failsForRole), else an implicit deny. Documents that are not JSON are skipped, as the deploy rules skip them.
 */
export function resourcePolicyDecision(documents: readonly unknown[], caller: RoleCaller, action: string, resource: string): IamDecision {
  let allowed = false;
  for (const raw of documents.flatMap((document) => readablePolicyDocument(document)?.Statement ?? [])) {
    const [statement] = policyStatements({ Statement: [raw] });
    if (!applies(statement, action, resource)) continue;
    if (statement.effect === "Deny") {
      if (!statement.conditional && mustNameCaller(raw, caller.roleArn, caller.sessionArn)) return "explicitly-denied";
    } else if ((raw.Principal !== undefined || raw.NotPrincipal !== undefined) && namesRole(raw, caller.roleArn) && !failsForRole(raw.Condition)) allowed = true;
  }
  return allowed ? "allowed" : "implicitly-denied";
}
