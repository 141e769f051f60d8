/**
 * The resource-based policies of a queue, topic, event bus, table or bucket as the recorded plan holds them, and whether one
 * allows or denies a role: read by the local runtime's IAM (local/function-roles.ts, for the functions', the state
 * machines', EventBridge targets' and AWS-service routes' integration roles) and by the deploy rules
 * (testing/deploy-rules/queue-policy.ts, states.ts, eventbridge.ts; who writes a key's policy: key-policy.ts). In local/
 * because local/ imports nothing from testing/.
 *
 * Within one account "If either the identity-based policy or the resource-based policy within the same account allows
 * the request and the other doesn't, the request is still allowed", and "An explicit deny in any of the policies
 * overrides the allow" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html).
 * The policies read: a queue's QueuePolicy resources and its own `policy` (SQS access policy), a topic's TopicPolicy
 * resources and its own `policy`, a bus's EventBusPolicy resources (matched by the bus's name, in the bus's region), a
 * table's (and its indexes') DynamoDB ResourcePolicy resources, a bucket's (a Bucket's or BucketV2's, and its objects')
 * BucketPolicy resources and its own `policy`. Other resource policies (function, key, secret, stream) are not.
 */
import { arnComponents, holdsPolicyVariable } from "../components/iam-match";
import { arnRegion, busNameOf } from "../components/arn";
import { ABSENT, applies, conditionHolds, policyStatements, type ConditionContext, type IamDecision, type IamStatement } from "./iam-policy";
import { asArray, attachedTo, ofType, readablePolicyDocument, resourceRegion, type Graph } from "./offline/graph";
import type { RecordedResource } from "./offline/mocks";

export const QUEUE = "aws:sqs/queue:Queue";
export const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
export const TOPIC = "aws:sns/topic:Topic";
export const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
export const BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy";
export const TABLE = "aws:dynamodb/table:Table";
export const TABLE_POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy";
export const BUCKET = "aws:s3/bucket:Bucket";
export const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
/** The bucket types whose policies are read: pulumi-aws 7 keeps BucketV2 (deprecated "in favor of s3.Bucket") as a bucket of its own type. */
const BUCKETS = [BUCKET, BUCKET_V2];
export const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";

/**
 * Who writes the one policy of `holder`: the holder itself when it sets its own `policy`, and the `type` resources whose
 * `field` names it (attachedTo). Read here for the documents, and by the deploy rule that reads a key's one writer
 * (testing/deploy-rules/key-policy.ts keyPolicyDocument); the one-writer rules (one-policy.ts writersByHolder) match
 * policy resources to holders the same way, through attachedIndex.
 */
export interface PolicyWriters {
  own?: RecordedResource;
  attached: RecordedResource[];
}

export function policyWriters(graph: Graph, holder: RecordedResource, type: string, field: string): PolicyWriters {
  return { own: holder.inputs.policy ? holder : undefined, attached: attachedTo(graph, type, field, holder) };
}

/** The writers' documents: the attached resources' first, then the holder's own (statement numbers in findings follow this order). */
const documentsOf = ({ own, attached }: PolicyWriters): unknown[] => [...attached.map((p) => p.inputs.policy), own?.inputs.policy].filter(Boolean);

/** The queue's access policy documents: its QueuePolicy resources' and its own `policy`. */
export function queuePolicies(graph: Graph, queue: RecordedResource): unknown[] {
  return documentsOf(policyWriters(graph, queue, QUEUE_POLICY, "queueUrl"));
}

/** The topic's access policy documents: its TopicPolicy resources' and its own `policy`. */
export function topicPolicies(graph: Graph, topic: RecordedResource): unknown[] {
  return documentsOf(policyWriters(graph, topic, TOPIC_POLICY, "arn"));
}

/**
 * The bucket's policy documents: its BucketPolicy resources' and its own `policy` (deprecated in pulumi-aws 7, "Use the
 * aws.s3.BucketPolicy resource instead", but still an input). A bucket holds one policy ("If a policy already exists for
 * the specified bucket, the new policy will replace the existing policy", the SDK for .NET's PutBucketPolicy), so two of
 * these replace each other in AWS (deploy rule S3OneBucketPolicy); all are read here, as a queue's are.
 */
function bucketPolicies(graph: Graph, bucket: RecordedResource): unknown[] {
  return documentsOf(policyWriters(graph, bucket, BUCKET_POLICY, "bucket"));
}

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

/** Whether the plan holds any resource policy the local runtime reads (a queue's, topic's or bucket's own `policy` among them). */
export function holdsResourcePolicies(graph: Graph): boolean {
  return graph.some((r) => [QUEUE_POLICY, TOPIC_POLICY, BUS_POLICY, TABLE_POLICY, BUCKET_POLICY].includes(r.type) || ((r.type === QUEUE || r.type === TOPIC || BUCKETS.includes(r.type)) && Boolean(r.inputs.policy)));
}

/** The bucket of an S3 ARN: its own, or an object's (`arn:aws:s3:::bucket/key`: no region, no account), whose policy decides for it. */
const bucketArnOf = (arn: string): string => arn.split("/")[0];

/** A resource policy as the plan holds it: the resource that carries it, and its documents. */
export interface HeldPolicy {
  carrier: RecordedResource;
  documents: unknown[];
}

/**
 * The resource policies of the plan's queue, topic or table `arn` names (a table's index by its table: "You can control
 * index permissions using the base table's policy", pulumi-aws dynamodb.ResourcePolicy `resourceArn`), of the bucket it
 * names or whose object it names (`arn:aws:s3:::bucket/key`: "A bucket policy is a resource-based policy that you can
 * use to grant access permissions to your Amazon S3 bucket and the objects in it", bucket-policies.html), or the plan's
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
    // An index by its table; a stream's policy is its own (rbac-attach-resource-policy-streams.html), not read.
    const table = byArn(TABLE, arn.replace(/\/index\/[^/]+$/, ""));
    return table ? attachedTo(graph, TABLE_POLICY, "resourceArn", table).map((policy) => ({ carrier: policy, documents: [policy.inputs.policy] })) : [];
  }
  if (service === "s3") {
    // A Bucket's or a BucketV2's, by its S3 ARN (the mocks give both the S3 ARN a real one has: no region or account),
    // so an ARN with a region or an account (an access point's) names none.
    const bucket = graph.find((r) => BUCKETS.includes(r.type) && r.state.arn === bucketArnOf(arn));
    return bucket ? [{ carrier: bucket, documents: bucketPolicies(graph, bucket) }] : [];
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
 * the plan's account is mocked, and a policy may name the real one (so a same-named role of another account counts too,
 * docs/local-vs-aws.md). A session by any name when `session` is undefined, else only that one.
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
 * everyone: the deploy rules' reading of an Allow (testing/deploy-rules/states.ts), where a finding must not rest on a
 * guess. Not an account (`123456789012`, `…:root`): naming one "delegates authority to the account", whose identity
 * policies then decide (reference_policies_elements_principal.html). A NotPrincipal covers the role unless it names
 * everyone: whether naming the role alone leaves its sessions out is open ("AWS might validate the account first, then
 * the role, and then the assumed-role user", reference_policies_elements_notprincipal.html). The local runtime reads an
 * Allow more narrowly (grantsCaller).
 */
export function namesRole(statement: Record<string, any>, roleArn: string): boolean {
  if (statement.NotPrincipal !== undefined) return !coversPrincipal({ Principal: statement.NotPrincipal }, () => false);
  return coversPrincipal(statement, (principal) => asArray<unknown>(principal?.AWS).some((p) => typeof p === "string" && isRole(p, roleArn)));
}

/** Who calls: a role and the session it calls as (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
export interface RoleCaller {
  roleArn: string;
  sessionArn: string;
  /**
   * Whether sessionArn's session name is the one AWS gives the caller (a function's: its name; API Gateway's:
   * BackplaneAssumeRoleSession), or one made up locally (Step Functions', EventBridge's: not documented).
   */
  sessionKnown: boolean;
  /**
   * Whether the caller's requests may pass through a VPC endpoint (a function with a vpcConfig): the VPC condition keys
   * are then unknown; else they are absent (an AWS service's own call, a function outside any VPC).
   */
  inVpc: boolean;
}

/**
 * Whether a resource policy's Allow grants `caller`, as the local runtime reads it: its Principal is everyone, the role
 * (its account field aside), or the caller's own session — when that session's name is known; one made up locally
 * matches no named session, so such an Allow grants nothing here (AWS grants it only to the session it names: "Principals
 * must always name a specific session", reference_policies_elements_notprincipal.html; refusing is the safe side). An
 * Allow with NotPrincipal grants nothing ("NotPrincipal must be used with "Effect":"Deny". Using it with
 * "Effect":"Allow" is not supported", reference_policies_elements_notprincipal.html). An account grants nothing by
 * itself (namesRole).
 */
function grantsCaller(statement: Record<string, any>, caller: RoleCaller): boolean {
  if (statement.Principal === undefined) return false;
  const session = caller.sessionKnown ? caller.sessionArn.split("/")[2] : undefined;
  // The role itself (an iam ARN) names every session of it; an sts session ARN only the session it names.
  const names = (p: string) => (session !== undefined ? isRole(p, caller.roleArn, session) : isRole(p, caller.roleArn) && arnComponents(p)?.[2] === "iam");
  return coversPrincipal(statement, (principal) => asArray<unknown>(principal?.AWS).some((p) => typeof p === "string" && names(p)));
}

/** The role's account (its ARN's; the mocked one in a plan: getCallerIdentity's there too). */
const accountOf = (roleArn: string) => arnComponents(roleArn)?.[4] ?? "";

/**
 * Whether a resource policy's principal must be the caller, the session `sessionArn` of the role `roleArn`: the reading
 * for a Deny (what refuses). Everyone, the role, that session, or the role's own account (its id or
 * `arn:<partition>:iam::<account>:root`: a Deny naming an account covers "the AWS account and all entities in that
 * account", reference_policies_elements_notprincipal.html) — the role's own (mocked) account only, not any; a
 * NotPrincipal only when it names nothing the caller might be (no session or the role, no account, not everyone),
 * since AWS may read the role's account or the role in it as naming the session (reference_policies_elements_notprincipal.html).
 */
function mustNameCaller(statement: Record<string, any>, caller: RoleCaller): boolean {
  const { roleArn, sessionArn } = caller;
  const session = sessionArn.split("/")[2];
  if (statement.NotPrincipal !== undefined) {
    const named = statement.NotPrincipal;
    if (named === "*") return false;
    return !asArray<unknown>(named?.AWS).some((p) => typeof p !== "string" || p === "*" || /^\d{12}$/.test(p) || /:root$/.test(p) || isRole(p, roleArn));
  }
  const [, partition] = arnComponents(roleArn) ?? [];
  const account = accountOf(roleArn);
  const ownAccount = (p: string) => p === account || p === `arn:${partition}:iam::${account}:root`;
  return coversPrincipal(statement, (principal) => asArray<unknown>(principal?.AWS).some((p) => typeof p === "string" && (ownAccount(p) || isRole(p, roleArn, session))));
}

/** The VPC condition keys: "included in the request context only if the requester uses a VPC endpoint" (reference_sts_vpc_condition_keys_federated.html's table). */
const VPC_KEYS = ["aws:sourcevpc", "aws:sourcevpcarn", "aws:sourcevpce", "aws:vpcsourceip"];

/**
 * What the local runtime knows of a role's own request (local/iam-policy.ts ConditionContext): aws:SecureTransport true
 * (the local HTTP calls stand for the SDK's and the services' HTTPS ones, so the TLS-only Deny, aws:SecureTransport
 * false, does not refuse them, as identity policies' conditional Denies never do: local/iam-policy.ts);
 * aws:PrincipalArn the role's ARN ("For IAM roles, the request context returns the ARN of the role",
 * reference_policies_condition-keys.html), compared with its account field aside as the Principal is (isRole);
 * aws:PrincipalAccount the role's own (mocked) account; aws:SourceArn and aws:SourceAccount absent ("the
 * aws:SourceAccount condition key is only available when the call to your resource is made directly by an AWS service
 * principal", and aws:SourceArn its pair); the VPC keys absent unless the caller may be in a VPC. Every other key is unknown.
 */
function roleCallContext(caller: RoleCaller): ConditionContext {
  const account = accountOf(caller.roleArn);
  const keys: Record<string, string | typeof ABSENT> = {
    "aws:securetransport": "true",
    "aws:principalarn": caller.roleArn,
    "aws:principalaccount": account,
    "aws:sourcearn": ABSENT,
    "aws:sourceaccount": ABSENT,
  };
  if (!caller.inVpc) for (const key of VPC_KEYS) keys[key] = ABSENT;
  return {
    keys,
    comparable: (key, value) => (key === "aws:principalarn" ? value.replace(/^(arn:[^:]*:iam::)\d{12}(:)/, `$1${account}$2`) : value),
  };
}

/** A resource policy's statement as read for each request: as written, and as an IamStatement. */
interface HeldStatement {
  raw: Record<string, any>;
  statement: IamStatement;
}

/**
 * Whether a statement's Action, NotAction, Resource or NotResource holds a policy variable (`${aws:userid}`,
 * `${aws:username}`): a value of the request the runtime does not resolve, so such a Deny may not name the call, nor
 * such an Allow grant it (`applies` reads the variable as a wildcard).
 */
const holdsVariable = (raw: Record<string, any>) => holdsPolicyVariable(JSON.stringify([raw.Action, raw.NotAction, raw.Resource, raw.NotResource]));

/** The services resourcePolicies has a branch for (one added there belongs here too): no other ARN holds a policy read here. */
const POLICY_SERVICES = new Set(["sqs", "sns", "dynamodb", "s3", "events"]);

/** Per plan graph (a run's, immutable while it runs; a new run is a new graph), per stack region and holder ARN: its statements. */
const heldStatements = new WeakMap<Graph, Map<string, HeldStatement[]>>();

/**
 * The statements of the resource policies of `arn` (resourcePolicies), parsed once per run: the graph a run records is
 * not changed while the runtime serves it (local/start.ts reads one per start), so each request only matches them.
 * Documents that are not JSON are skipped, as the deploy rules skip them, and so are statements that are not objects
 * (which AWS refuses to store) and statements holding a policy variable (holdsVariable), which decide nothing here.
 * Held by the bucket for an S3 object's ARN:
 * every key is a new ARN, and a run's uploads would otherwise each parse and keep the bucket's policy anew.
 */
function resourcePolicyStatements(plan: RecordedPlan, arn: string): HeldStatement[] {
  // An ARN of a service whose policies are not read holds none, and is not kept: an execution's ARN is new for each one.
  const service = arnComponents(arn)?.[2] ?? "";
  if (!POLICY_SERVICES.has(service)) return [];
  let byArn = heldStatements.get(plan.graph);
  if (!byArn) heldStatements.set(plan.graph, (byArn = new Map()));
  const holder = service === "s3" ? bucketArnOf(arn) : arn;
  const key = `${plan.stackRegion} ${holder}`;
  let held = byArn.get(key);
  if (!held) {
    held = resourcePolicies(plan, holder)
      .flatMap(({ documents }) => documents.flatMap((document) => readablePolicyDocument(document)?.Statement ?? []))
      .filter((raw) => typeof raw === "object" && raw !== null && !holdsVariable(raw))
      .map((raw) => ({ raw, statement: policyStatements({ Statement: [raw] })[0] }));
    byArn.set(key, held);
  }
  return held;
}

/**
 * What the resource policies of `resource` in `plan` decide for `caller`'s `action` on it: an explicit Deny (its
 * principal surely the caller, mustNameCaller; its action and resource surely covered; no policy variable, as a Deny
 * of an identity policy applies locally: local/iam-policy.ts; its Condition surely holding for the role's call,
 * roleCallContext), else an Allow (its principal granting the caller, grantsCaller; no policy variable either; its Condition surely holding: one that fails or that the runtime cannot decide — aws:PrincipalOrgID,
 * aws:SourceIp, … — grants nothing, since AWS might refuse it), else an implicit deny.
 */
export function resourcePolicyDecision(plan: RecordedPlan, caller: RoleCaller, action: string, resource: string): IamDecision {
  // Built only when a statement applies: most calls meet no resource policy at all (every SDK call of a function is asked).
  let context: ConditionContext | undefined;
  const holds = (condition: Record<string, any> | undefined) => conditionHolds(condition, (context ??= roleCallContext(caller))) === true;
  let allowed = false;
  for (const { raw, statement } of resourcePolicyStatements(plan, resource)) {
    if (!applies(statement, action, resource)) continue;
    if (statement.effect === "Deny") {
      if (mustNameCaller(raw, caller) && holds(raw.Condition)) return "explicitly-denied";
    } else if (!allowed && grantsCaller(raw, caller) && holds(raw.Condition)) allowed = true;
  }
  return allowed ? "allowed" : "implicitly-denied";
}
