/**
 * Who a local function is to the local services, and what its role allows: each of the program's functions signs its
 * AWS requests with credentials of its own (as each Lambda function gets its execution role's), and the local S3, SQS,
 * SNS, Step Functions and DynamoDB services authorise them against the role's policies as recorded in the program's graph — so a permission missing from a
 * function's `permissions` fails under `npm start` as it fails in AWS, not after the deploy. With them, the target's
 * resource policy as the graph records it (local/resource-policies.ts: a queue's, topic's, bus's, table's or bucket's):
 * within one account either one's Allow suffices, and an explicit Deny in either refuses. The roles AWS services assume for
 * the program (a state machine's, an EventBridge target's, an AWS-service route's integration role) are asked the same
 * way (assumedRoleAuthorise).
 *
 * The credentials are derived from the function's name, so presigned URLs a function handed out stay valid across
 * restarts, as they do in AWS until they expire. The policies (RolePolicyIndex.rolePolicies): the role's inline policies (every
 * `aws:iam/rolePolicy` on it, as every component writes them, and the role's own `inlinePolicies`), the customer
 * managed policies the plan creates and attaches to it, and the target's resource policy. A role with another managed
 * policy attached, other than the execution roles' own (logs, traces, VPC networking, which grant no data access), is
 * not enforced: its policy documents are AWS's, not in the graph, and refusing what one of them allows would be wrong;
 * only an explicit Deny (its recorded policies', the target's resource policy's) refuses it, as it would whatever the
 * managed policy allows.
 */
import { createHash, randomUUID } from "node:crypto";
import { asArray, type Graph } from "./offline/graph";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import { evaluatePolicy, policyStatements, type IamStatement } from "./iam-policy";
import { holdsResourcePolicies, resourcePolicyDecision, type RecordedPlan, type RoleCaller } from "./resource-policies";
import type { SigV4Credentials } from "./sigv4-verify";

/**
 * AWS managed policies that grant only what every function's runtime does (logs, traces, ENIs), no data access: none of
 * their actions is one a local service authorises, so a role that has them is checked as if it had not. Their ARNs in
 * the `aws` partition (RolePolicyIndex.rolePolicies reads another partition's as these). The other AWS managed policies the
 * components attach are on roles no local call is made as (API Gateway's account-wide CloudWatch role, AWS Backup's).
 */
const RUNTIME_MANAGED_POLICIES = new Set([
  "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
  "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
  "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
  "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
]);

/** The credentials a local function signs with: an access key id of AWS's shape for a role session (ASIA…), from its name. */
export function functionCredentials(functionName: string): SigV4Credentials {
  const digest = createHash("sha256").update(`serverless-fullstack local function ${functionName}`).digest();
  return {
    accessKeyId: `ASIA${digest.subarray(0, 8).toString("hex").toUpperCase()}`,
    secretAccessKey: digest.subarray(8).toString("base64"),
  };
}

export interface FunctionRole {
  functionName: string;
  roleName: string;
  roleArn: string;
  /** The session's ARN, as AWS names the caller in an AccessDenied message: `arn:aws:sts::<account>:assumed-role/<role>/<function>`. */
  callerArn: string;
  credentials: SigV4Credentials;
  statements: IamStatement[];
  /** False when a managed policy the graph does not hold is attached: only explicit Denies refuse the role's requests. */
  enforced: boolean;
  /** Whether the function has a vpcConfig (subnets): its requests may then pass a VPC endpoint. @default false */
  inVpc?: boolean;
}

/** Who was refused and why, as AWS words it: "User: <caller> is not authorized to perform: <action> on resource: <arn> <reason>". */
export interface Refusal {
  /** The session's ARN: `arn:aws:sts::<account>:assumed-role/<role>/<function>`. */
  caller: string;
  /** "because no identity-based policy allows the <action> action", or "with an explicit deny in an identity-based policy" (or "in a resource-based policy"). */
  reason: string;
}

/** The refusal of `action` on `resource` to the signer of `accessKeyId`, or undefined when it is allowed (or the signer is not a function). */
export type Authorise = (accessKeyId: string, action: string, resource: string) => Refusal | undefined;

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
const MANAGED_POLICY = "aws:iam/policy:Policy";
const ROLE = "aws:iam/role:Role";

/**
 * The plan's IAM resources a role's policies are read from, indexed in one pass over the graph, so that reading every
 * function's role (FunctionRoles.fromGraph, on npm start's ready path) costs one pass, not one per role.
 */
class RolePolicyIndex {
  /** Each role by its ARN: the first of the graph's with that ARN, as a search of the graph finds it. */
  private readonly rolesByArn = new Map<unknown, Graph[number]>();
  /** The positions in the graph of the RolePolicies, RolePolicyAttachments and PolicyAttachments naming a role, by the name, ARN or id they name it by. */
  private readonly naming = new Map<string, number[]>();
  /** The customer managed policies the plan creates, by ARN: their documents. */
  private readonly customer = new Map<unknown, unknown>();

  constructor(private readonly graph: Graph) {
    graph.forEach((r, position) => {
      if (r.type === ROLE && !this.rolesByArn.has(r.state.arn)) this.rolesByArn.set(r.state.arn, r);
      else if (r.type === ROLE_POLICY || r.type === ROLE_POLICY_ATTACHMENT) this.name(r.inputs.role, position);
      else if (r.type === POLICY_ATTACHMENT) for (const role of new Set(asArray<unknown>(r.inputs.roles))) this.name(role, position);
      else if (r.type === MANAGED_POLICY) this.customer.set(r.state.arn, r.inputs.policy);
    });
  }

  private name(reference: unknown, position: number): void {
    if (typeof reference !== "string") return;
    const positions = this.naming.get(reference);
    if (positions) positions.push(position);
    else this.naming.set(reference, [position]);
  }

  /** The role whose ARN is `arn`, if the plan has one. */
  role(arn: unknown): Graph[number] | undefined {
    return this.rolesByArn.get(arn);
  }

  /**
   * The role's identity policies as the plan records them: the statements of its inline policies (every
   * `aws:iam/rolePolicy` on it, and the Role's own `inlinePolicies`) and of the customer managed policies the plan
   * creates (`aws:iam/policy`) and attaches to it (an `aws:iam/rolePolicyAttachment`, an `aws:iam/policyAttachment`
   * naming it, or the Role's own `managedPolicyArns`); and `managed`, the ARNs of the attached policies whose documents
   * the plan does not hold (AWS managed ones, other than RUNTIME_MANAGED_POLICIES, or a policy made outside the program):
   * while there is one, what the role may do is not known offline.
   */
  rolePolicies(role: Graph[number]): { statements: IamStatement[]; managed: string[] } {
    const names = new Set([role.state.name, role.state.arn, role.id].filter((name): name is string => typeof name === "string"));
    const documents: unknown[] = asArray<{ policy?: unknown } | undefined>(role.inputs.inlinePolicies).map((inline) => inline?.policy);
    const attached: unknown[] = asArray<unknown>(role.inputs.managedPolicyArns);
    // In the graph's order, each once (a PolicyAttachment may name the role by its name and by its ARN).
    const positions = new Set([...names].flatMap((name) => this.naming.get(name) ?? []));
    for (const position of [...positions].sort((a, b) => a - b)) {
      const r = this.graph[position];
      if (r.type === ROLE_POLICY) documents.push(r.inputs.policy);
      else attached.push(r.inputs.policyArn);
    }
    const managed: string[] = [];
    for (const arn of attached) {
      if (this.customer.has(arn)) documents.push(this.customer.get(arn));
      else if (!RUNTIME_MANAGED_POLICIES.has(String(arn).replace(/^arn:[^:]+:/, "arn:aws:"))) managed.push(String(arn));
    }
    return { statements: documents.filter((document) => typeof document === "string").flatMap((document) => policyStatements(document)), managed };
  }
}

/**
 * `identityComplete`: whether `statements` are all of the role's identity policies; false for a role with a managed
 * policy the plan does not hold (RolePolicyIndex.rolePolicies `managed`), whose explicit Denies (its recorded ones, the target's
 * resource policy's) still refuse, and nothing else does.
 *
 * IAM's refusal of `action` on `resource` to `caller` (a session of a role whose identity policies hold `statements`),
 * within one account: an explicit Deny in the identity policies or in the target's resource policy in `plan` refuses
 * (resource-policies.ts resourcePolicyDecision), else an Allow in either allows ("If either the identity-based policy or the resource-based policy within the same
 * account allows the request and the other doesn't, the request is still allowed",
 * reference_policies_evaluation-logic_policy-eval-basics.html), else the implicit deny, worded as AWS words a
 * same-account refusal ("because no identity-based policy allows …"; "with an explicit deny in a resource-based
 * policy", https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html#access-denied-message-examples).
 */
export function roleRefusal(plan: RecordedPlan, statements: readonly IamStatement[], caller: RoleCaller, action: string, resource: string, identityComplete = true): Refusal | undefined {
  const identity = evaluatePolicy(statements, action, resource);
  if (identity === "explicitly-denied") return { caller: caller.sessionArn, reason: "with an explicit deny in an identity-based policy" };
  const resourceBased = resourcePolicyDecision(plan, caller, action, resource);
  if (resourceBased === "explicitly-denied") return { caller: caller.sessionArn, reason: "with an explicit deny in a resource-based policy" };
  // With a policy the plan does not hold (identityComplete false), only an explicit Deny is known: "An explicit deny in
  // any of the policies overrides the allow", whatever the others say.
  if (!identityComplete || identity === "allowed" || resourceBased === "allowed") return undefined;
  return { caller: caller.sessionArn, reason: `because no identity-based policy allows the ${action} action` };
}

/**
 * IAM for the calls an AWS service makes as a role of the plan it assumed (`roleReference`: its ARN or name), the caller
 * named as that service's session of it (`arn:aws:sts::<account>:assumed-role/<role>/<session>`): `sessionName` when
 * AWS's is known (API Gateway's), else one made up here, as for Step Functions and EventBridge, whose session names
 * AWS does not document (so no resource policy's named session matches it: resource-policies.ts RoleCaller):
 * the role's recorded policies with the target's resource policy (roleRefusal), from outside any VPC (a service's own
 * call). A role whose policies are not all known offline (RolePolicyIndex.rolePolicies `managed`) is refused only by an
 * explicit Deny. Undefined when the role is not in the plan: nothing is refused then.
 */
export function assumedRoleAuthorise(plan: RecordedPlan, roleReference: string, sessionName?: string): ((action: string, resource: string) => Refusal | undefined) | undefined {
  const role = plan.graph.find((r) => r.type === ROLE && (r.state.arn === roleReference || r.state.name === roleReference));
  if (!role) return undefined;
  const { statements, managed } = new RolePolicyIndex(plan.graph).rolePolicies(role);
  const caller = serviceCaller(String(role.state.arn), String(role.state.name), sessionName);
  return (action, resource) => roleRefusal(plan, statements, caller, action, resource, managed.length === 0);
}

/**
 * An AWS service's session of the role `roleArn` (named `roleName`), from outside any VPC: `sessionName` when AWS's is
 * known, else one made up here (assumedRoleAuthorise).
 */
export function serviceCaller(roleArn: string, roleName: string, sessionName?: string): RoleCaller {
  const session = sessionName ?? randomUUID().replace(/-/g, "");
  return { roleArn, sessionArn: `arn:aws:sts::${roleArn.split(":")[4]}:assumed-role/${roleName}/${session}`, sessionKnown: sessionName !== undefined, inVpc: false };
}

export class FunctionRoles {
  /** Each function's role and the caller it signs as, built once: every SDK call of a function is authorised. */
  private readonly byAccessKey = new Map<string, { role: FunctionRole; caller: RoleCaller }>();

  /** `plan`: the recorded plan whose resource policies are read with the roles' own (none: identity policies alone). */
  constructor(
    roles: Iterable<FunctionRole>,
    private readonly plan: RecordedPlan = { graph: [], stackRegion: "us-east-1" },
  ) {
    for (const role of roles) {
      const caller: RoleCaller = { roleArn: role.roleArn, sessionArn: role.callerArn, sessionKnown: true, inVpc: role.inVpc ?? false };
      this.byAccessKey.set(role.credentials.accessKeyId, { role, caller });
    }
    this.holdsResourcePolicies = holdsResourcePolicies(plan.graph);
  }

  /**
   * The roles of the program's functions, read from its recorded graph, whose stack is in `stackRegion` (where a bus
   * policy without a region of its own applies: resource-policies.ts busPolicies). @default us-east-1, the recording
   * mocks' region when the stack sets none (local/offline/mocks.ts installRecordingMocks)
   */
  static fromGraph(graph: Graph, stackRegion = "us-east-1"): FunctionRoles {
    const roles: FunctionRole[] = [];
    const index = new RolePolicyIndex(graph);
    for (const fn of graph) {
      if (fn.type !== "aws:lambda/function:Function" || typeof fn.state.name !== "string") continue;
      const role = index.role(fn.inputs.role);
      if (!role) continue;
      const { statements, managed } = index.rolePolicies(role);
      roles.push({
        functionName: fn.state.name,
        roleName: String(role.state.name),
        roleArn: String(role.state.arn),
        callerArn: `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/${String(role.state.name)}/${fn.state.name}`,
        credentials: functionCredentials(fn.state.name),
        statements,
        enforced: managed.length === 0,
        inVpc: asArray<unknown>(fn.inputs.vpcConfig?.subnetIds).length > 0,
      });
    }
    return new FunctionRoles(roles, { graph, stackRegion });
  }

  /**
   * Whether `accessKeyId` is a function's whose requests may be refused (worth reading before they are served): its role
   * is enforced, or the plan holds a resource policy whose Deny may refuse it all the same.
   */
  governs(accessKeyId: string): boolean {
    const role = this.byAccessKey.get(accessKeyId)?.role;
    return role !== undefined && (role.enforced || this.holdsResourcePolicies);
  }

  private readonly holdsResourcePolicies: boolean;

  /** Every function's credentials, for the servers that check signatures. */
  credentials(): SigV4Credentials[] {
    return [...this.byAccessKey.values()].map(({ role }) => role.credentials);
  }

  /**
   * IAM's refusal of `action` on `resource` to the function that signed with `accessKeyId`, worded as AWS's AccessDenied
   * messages word it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html#access-denied-message-examples);
   * undefined when it is allowed, or when the signer is not one of the program's functions.
   */
  readonly authorise: Authorise = (accessKeyId, action, resource) => {
    const signer = this.byAccessKey.get(accessKeyId);
    if (!signer) return undefined;
    return roleRefusal(this.plan, signer.role.statements, signer.caller, action, resource, signer.role.enforced);
  };
}
