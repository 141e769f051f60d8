/**
 * What an IAM role allows, read off the recorded plan: the rules that check a service will be let in when it checks a
 * role at create time (Lambda destinations and stream mappings, Scheduler targets, API Gateway's CloudWatch role) share
 * this one reading of inline, RolePolicy and managed policies (IAM's wildcards: components/iam-match.ts).
 */
import { IAM_SID } from "../../components/iam";
import { arnInAccount } from "../../components/workflow/integrations";
import { actionMatches, arnComponents, holdsPolicyVariable } from "../../components/iam-match";
import { applies, conditionHolds, policyStatements, type ConditionContext } from "../../local/iam-policy";
import { asArray, ofType, policyDocument, readablePolicyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, referenced, type DeployFinding, type DeployRule } from "./rule";

/** An account field no policy names literally (12 characters, as `????????????` still matches any account). */
const OTHER_ACCOUNT = "\u0000".repeat(12);

/**
 * Whether the role's trust policy (`assumeRolePolicy`) lets `principal` assume it: an Allow statement whose
 * `Principal.Service` names it (a string, or a pattern such as /^states(\.[a-z0-9-]+)?\.amazonaws\.com$/ for a
 * service's regional principals too), whose Action covers sts:AssumeRole as IAM matches actions (components/iam-match.ts
 * actionMatches: `sts:Assume*`, `sts:*`, `*`, any case), and whose Condition does not fail for the resource the
 * service assumes it for, `on` (its ARN): the state machine for Step Functions, the rule for EventBridge, the schedule
 * group for EventBridge Scheduler (events.ts scheduleGroupArn). The service
 * sends that ARN as aws:SourceArn and its account as aws:SourceAccount, the keys of the confused-deputy conditions AWS
 * gives for these roles ("For EventBridge event bus rule targets, the value of aws:SourceArn must be the rule ARN",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html; the state
 * machines of an account and region for a state machine's role,
 * https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy),
 * and a role whose conditions they do not meet is refused as one without the service. The account is not judged: the
 * plan's is the mocked one (local/offline/mocks.ts MOCK_ACCOUNT_ID) and a policy names the real one, so aws:SourceAccount
 * is left undecided and an aws:SourceArn value is compared with its account field read as `on`'s (arnInAccount, as
 * StatesServiceTasks reads grants; local/resource-policies.ts does the same for aws:PrincipalArn): only the region,
 * service and resource of the ARN count. Any other key, or an operator conditionHolds does not read, or a value naming
 * a policy variable, leaves the statement trusted (no finding on a guess); so does a call without `on`. A Deny statement
 * naming the service (or everyone, `Principal: "*"`) and covering sts:AssumeRole makes the role untrusted when its
 * Condition is absent or certainly holds for `on`: "an explicit deny in any policy overrides the allow"
 * (reference_policies_evaluation-logic_policy-eval-basics.html). A Deny's condition is the reverse case of an Allow's: a
 * guess there would be a finding, so it must hold whatever the real account is (an aws:SourceArn value read with its
 * account field as `on`'s, and again as another's), and aws:SourceAccount, any other key, an operator not read or a
 * policy variable leaves the Deny unread; so does a call without `on`. One with NotPrincipal or of `{AWS: "*"}` is not read.
 * StatesRoleTrust, EventBridgeWorkflowRole and SchedulerTarget share it; ApiGatewayAccountRole and LambdaEdgeRoleTrust
 * too, without `on`: AWS documents no ARN API Gateway or Lambda@Edge sends when it assumes their roles.
 */
export function trustsService(role: RecordedResource, principal: string | RegExp, on?: string): boolean {
  const names = (service: string) => (typeof principal === "string" ? service === principal : principal.test(service));
  const account = on === undefined ? undefined : arnComponents(on)?.[4];
  const context: ConditionContext = {
    keys: on === undefined ? {} : { "aws:sourcearn": on },
    comparable: (key, value) => (key === "aws:sourcearn" && account !== undefined ? arnInAccount(value, account) : value),
  };
  const statements = policyDocument(role.inputs.assumeRolePolicy).Statement;
  const assumes = (s: Record<string, any>) => asArray<unknown>(s.Action).some((a) => actionMatches(String(a), "sts:AssumeRole"));
  // The same request from an account no literal account field matches: with `context` (every ARN value read in `on`'s
  // account), it brackets the real account the mocked one stands for.
  const elsewhere: ConditionContext = { keys: on === undefined ? {} : { "aws:sourcearn": arnInAccount(on, OTHER_ACCOUNT) } };
  const certainlyHolds = (condition: Record<string, any> | undefined) =>
    Object.keys(condition ?? {}).length === 0 ||
    (!holdsPolicyVariable(JSON.stringify(condition)) && conditionHolds(condition, context) === true && conditionHolds(condition, elsewhere) === true);
  // An explicit Deny overrides any Allow (IAM's evaluation logic).
  const denied = statements.some(
    (s) =>
      s.Effect === "Deny" &&
      s.NotPrincipal === undefined &&
      // `{AWS: "*"}` is left out: whether it covers a service principal is not confirmed ("Some services behave
      // differently" for it and "*", the CDK's AnyPrincipal), and a finding must not rest on a guess.
      (s.Principal === "*" || asArray<string>(s.Principal?.Service).some(names)) &&
      assumes(s) &&
      certainlyHolds(s.Condition),
  );
  return (
    !denied &&
    statements.some(
      (s) =>
        (s.Effect ?? "Allow") === "Allow" &&
        asArray<string>(s.Principal?.Service).some(names) &&
        assumes(s) &&
        // A value naming a policy variable (${aws:PrincipalAccount}) is compared as written by conditionHolds: not judged.
        (holdsPolicyVariable(JSON.stringify(s.Condition ?? {})) || conditionHolds(s.Condition, context) !== false),
    )
  );
}

/** An Allow statement a role holds, with the resource that gives it: a RolePolicy, the Role (its inline policies) or a RolePolicyAttachment. */
export interface RoleGrant {
  statement: Record<string, any>;
  carrier: RecordedResource;
}

/**
 * The actions of AmazonAPIGatewayPushToCloudWatchLogs, which "has all the required permissions" for API Gateway's
 * CloudWatch role: the one list ApiGatewayAccountRole asks of a role without the policy, and the policy's document below.
 */
export const PUSH_TO_CLOUDWATCH_ACTIONS: readonly string[] = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"];

/**
 * The AWS managed policies roles are given here (LambdaFunction attaches the VPC one, ServerlessApi the API Gateway
 * account's CloudWatch one) or by the Lambda docs (the DynamoDB one), as AWS publishes them:
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaDynamoDBExecutionRole.html,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonAPIGatewayPushToCloudWatchLogs.html; and the
 * Lambda execution roles hand-built roles most often carry (review 96 F9: an unread one made roleGrants incomplete and
 * KinesisConsumerAccess silent):
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaKinesisExecutionRole.html.
 */
const AWS_MANAGED_POLICIES: Record<string, Record<string, any>> = {
  "service-role/AWSLambdaBasicExecutionRole": {
    Statement: [{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
  },
  "service-role/AWSLambdaKinesisExecutionRole": {
    Statement: [
      {
        Effect: "Allow",
        Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: "*",
      },
    ],
  },
  "service-role/AWSLambdaVPCAccessExecutionRole": {
    Statement: [{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], Resource: "*" }],
  },
  "service-role/AmazonAPIGatewayPushToCloudWatchLogs": {
    Statement: [{ Effect: "Allow", Action: [...PUSH_TO_CLOUDWATCH_ACTIONS], Resource: "*" }],
  },
  "service-role/AWSLambdaDynamoDBExecutionRole": {
    Statement: [{ Effect: "Allow", Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
  },
};

/** A managed policy's document: a Policy of the program, or an AWS managed policy above; undefined when this pack cannot know it. */
function managedPolicyDocument(graph: Graph, arn: unknown): unknown {
  const own = referenced(graph, "aws:iam/policy:Policy", arn);
  if (own) return own.inputs.policy;
  const awsManaged = typeof arn === "string" ? /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1] : undefined;
  return awsManaged ? AWS_MANAGED_POLICIES[awsManaged] : undefined;
}

/** A role's policies as the plan attaches them: inline (on the role, or RolePolicy resources) and managed ARNs (managedPolicyArns, RolePolicyAttachments), each with the resource that carries it. */
export interface RolePolicies {
  inline: Array<{ name: string | undefined; policy: unknown; carrier: RecordedResource }>;
  managed: Array<{ arn: string; carrier: RecordedResource }>;
}

/** The one reading of which policies a role of the plan holds (a RolePolicy or attachment names the role by id, name or ARN). */
export function rolePolicies(graph: Graph, role: RecordedResource): RolePolicies {
  const ids = [role.id, role.state.name, role.state.arn, role.inputs.name].filter(Boolean);
  return {
    inline: [
      ...asArray<Record<string, any>>(role.inputs.inlinePolicies).map((p) => ({ name: p.name as string | undefined, policy: p.policy, carrier: role })),
      ...ofType(graph, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => ids.includes(p.inputs.role))
        .map((p) => ({ name: (p.inputs.name ?? p.state.name) as string | undefined, policy: p.inputs.policy, carrier: p })),
    ],
    managed: [
      ...asArray<string>(role.inputs.managedPolicyArns).map((arn) => ({ arn: String(arn), carrier: role })),
      ...ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => ids.includes(a.inputs.role))
        .map((a) => ({ arn: String(a.inputs.policyArn), carrier: a })),
    ],
  };
}

/**
 * Everything a role's policies allow — inline and managed (rolePolicies) — and whether every policy could be read: a
 * managed policy from outside the program may allow anything.
 */
export function roleGrants(graph: Graph, role: RecordedResource): { grants: RoleGrant[]; complete: boolean } {
  const allowsOf = (policy: unknown, carrier: RecordedResource): RoleGrant[] =>
    policyDocument(policy)
      .Statement.filter((statement) => (statement.Effect ?? "Allow") === "Allow")
      .map((statement) => ({ statement, carrier }));
  const { inline, managed } = rolePolicies(graph, role);
  const documents = managed.map(({ arn, carrier }) => ({ document: managedPolicyDocument(graph, arn), carrier }));
  return {
    grants: [...inline.flatMap(({ policy, carrier }) => allowsOf(policy, carrier)), ...documents.flatMap(({ document, carrier }) => (document === undefined ? [] : allowsOf(document, carrier)))],
    complete: documents.every(({ document }) => document !== undefined),
  };
}

/**
 * Whether one policy statement's Action and Resource (or NotAction, NotResource) cover `action` on `resource`, as the
 * local evaluator reads them (local/iam-policy.ts applies: an Allow's Resource read leniently, a Deny's strictly,
 * where AWS's pages leave a wildcard open). Its Principal and Condition are the caller's to read.
 */
export function statementCovers(statement: Record<string, any>, action: string, resource: string): boolean {
  return applies(policyStatements({ Statement: [statement] })[0], action, resource);
}

/**
 * The grants that may allow `action` on `resource` (statementCovers: an Allow read leniently), so a rule reports a
 * missing permission only when no reading of the role grants it.
 */
export function granting(grants: readonly RoleGrant[], action: string, resource: string): RoleGrant[] {
  return grants.filter(({ statement }) => statementCovers(statement, action, resource));
}

/**
 * IAM's limits on what a role's policies may hold (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
 * "Role policy size cannot exceed 10,240 characters" (the aggregate of every inline policy embedded in the role),
 * "Managed policy size cannot exceed 6,144 characters", and "IAM doesn't count white space when calculating the size
 * of a policy against these quotas"; none of the three is adjustable. "Policy documents can contain only the following
 * Unicode characters: horizontal tab (U+0009), linefeed (U+000A), carriage return (U+000D), and characters in the range
 * U+0020 to U+00FF", and "Policy names for inline policies must be unique to the user, group, or role they're embedded
 * in". Past any of them PutRolePolicy / CreatePolicy fail at `pulumi up` (LimitExceeded, MalformedPolicyDocument);
 * `pulumi preview` sends nothing. A role with many DataTier grants or bucket permissions reaches the first.
 */
export const IAM_POLICY_LIMITS = {
  roleInlineCharacters: 10_240,
  managedPolicyCharacters: 6_144,
} as const;

/** A policy's size as IAM counts it: its characters without white space. */
export function iamPolicySize(policy: unknown): number {
  return policyText(policy).replace(/\s/g, "").length;
}

function policyText(policy: unknown): string {
  return typeof policy === "string" ? policy : JSON.stringify(policy ?? "");
}

/** The first character IAM refuses in a policy document, as `U+XXXX`, or undefined. */
function refusedCharacter(policy: unknown): string | undefined {
  const refused = /[^\t\n\r\u0020-\u00ff]/u.exec(policyText(policy));
  return refused ? `U+${refused[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : undefined;
}

export const IAM_POLICY_LIMITS_RULE: DeployRule = {
  id: "IamPolicyLimits",
  title: "IAM policies fit IAM's size and character limits, and a role's inline policies have distinct names",
  source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const characters = (carrier: RecordedResource, policy: unknown, what: string) => {
      const refused = refusedCharacter(policy);
      if (refused) findings.push(finding(this.id, carrier, `${what} holds the character ${refused}; IAM takes only tab, line feed, carriage return and U+0020–U+00FF in a policy document and refuses it (MalformedPolicyDocument)`, "write the policy in Latin-1 characters (escape or drop the others)"));
    };
    for (const role of ofType(graph, "aws:iam/role:Role")) {
      const { inline } = rolePolicies(graph, role);
      for (const { name, policy, carrier } of inline) characters(carrier, policy, `the inline policy ${name ?? carrier.name} of ${role.name}`);
      characters(role, role.inputs.assumeRolePolicy, "the trust policy");
      const size = inline.reduce((sum, { policy }) => sum + iamPolicySize(policy), 0);
      if (size > IAM_POLICY_LIMITS.roleInlineCharacters) {
        findings.push(finding(this.id, role, `has ${inline.length} inline polic${inline.length === 1 ? "y" : "ies"} of ${size} characters together (white space not counted); IAM holds a role's inline policies to ${IAM_POLICY_LIMITS.roleInlineCharacters} and refuses the PutRolePolicy that passes it (LimitExceeded)`, "merge statements (one statement per set of actions, with a list of resources or a wildcard the grant allows), or move part of the grants into a managed policy (aws.iam.Policy, up to 6,144 characters each) attached to the role"));
      }
      const names = inline.map(({ name }) => name).filter((n): n is string => typeof n === "string");
      const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
      if (repeated.length > 0) findings.push(finding(this.id, role, `has two inline policies named ${repeated.join(", ")}; a role holds one inline policy per name, so the second PutRolePolicy replaces the first`, "give each inline policy its own name"));
    }
    for (const policy of ofType(graph, "aws:iam/policy:Policy")) {
      characters(policy, policy.inputs.policy, "the policy");
      const size = iamPolicySize(policy.inputs.policy);
      if (size > IAM_POLICY_LIMITS.managedPolicyCharacters) {
        findings.push(finding(this.id, policy, `is ${size} characters (white space not counted); IAM holds a managed policy to ${IAM_POLICY_LIMITS.managedPolicyCharacters} and refuses it (LimitExceeded)`, "split it into two managed policies, or merge statements"));
      }
    }
    return findings;
  },
};

/**
 * Statement ids IAM takes: "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers
 * (0-9)", and "In IAM, the Sid value must be unique within a JSON policy"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html): a role's inline policies (on
 * the role or as RolePolicy resources) and managed policies; PutRolePolicy and CreatePolicy refuse a repeat
 * ("MalformedPolicyDocument: Statement IDs (SID) in a single policy must be unique", kubernetes/kops#4951,
 * aws-cloudformation/cfn-lint#3973). Resource policies too (RESOURCE_POLICY_INPUTS), for repeats only: "Some AWS services
 * (for example, Amazon SQS or Amazon SNS) might require this element and have uniqueness requirements for it" (the same
 * page); SQS: "Each statement in a policy must have a unique statement ID (sid)" (SQS developer guide, Special
 * Information for SQS Policies); SNS refuses a topic policy "Invalid parameter: Every policy statement must have a
 * unique ID" (Bayer-Group/cloudformation-template-generator#138). A resource policy's Sid may hold other characters
 * (SNS writes `__default_statement_ID`), so only identity policies are held to letters and digits. Bucket and KMS key
 * policies are not checked: no AWS source says S3 or KMS refuses a repeated Sid, and existing bucket policies hold
 * repeats ("Sid is optional and can be duplicated", cloud-custodian/cloud-custodian#3609; ECR takes them too,
 * getmoto/moto#8933), so a finding there could block a deploy AWS accepts.
 */
/** The resource types of the plan whose `policy` input is a resource policy with unique Sids: queue and topic policies. */
const RESOURCE_POLICY_INPUTS: readonly string[] = [
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:sqs/queue:Queue",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topic:Topic",
];

/**
 * A policy's Sids as written, an empty one left out (IAM's console once wrote `"Sid": ""` into trust policies: no Sid).
 * None for a policy that is not JSON: skipped, as IamPolicyStatements skips what it cannot read.
 */
function statementIds(policy: unknown): string[] {
  return (readablePolicyDocument(policy)?.Statement ?? []).map((s) => s.Sid).filter((sid): sid is string => typeof sid === "string" && sid !== "");
}

export const IAM_UNIQUE_SID: DeployRule = {
  id: "IamUniqueSid",
  title: "Statement ids are unique within each IAM, queue and topic policy, and letters and digits in IAM policies",
  source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const carriers = [
      ...ofType(graph, "aws:iam/role:Role").flatMap((role) => asArray<Record<string, any>>(role.inputs.inlinePolicies).map((p) => ({ carrier: role, policy: p.policy, what: `its inline policy ${p.name ?? ""}`.trim() }))),
      ...[...ofType(graph, "aws:iam/rolePolicy:RolePolicy"), ...ofType(graph, "aws:iam/policy:Policy")].map((carrier) => ({ carrier, policy: carrier.inputs.policy, what: "it" })),
    ];
    const repeats = (sids: string[]) => [...new Set(sids.filter((sid, i) => sids.indexOf(sid) !== i))];
    for (const { carrier, policy, what } of carriers) {
      const sids = statementIds(policy);
      const repeated = repeats(sids);
      if (repeated.length > 0) findings.push(finding(this.id, carrier, `${what === "it" ? "repeats" : `${what} repeats`} statement id${repeated.length > 1 ? "s" : ""} ${repeated.join(", ")}; IAM refuses the policy`, "give every statement its own Sid (or merge the statements)"));
      const malformed = [...new Set(sids.filter((sid) => !IAM_SID.test(sid)))];
      if (malformed.length > 0) findings.push(finding(this.id, carrier, `${what === "it" ? "has" : `${what} has`} statement id${malformed.length > 1 ? "s" : ""} ${malformed.map((sid) => JSON.stringify(sid)).join(", ")}, which IAM refuses (letters and digits only; MalformedPolicyDocument)`, "write each Sid in letters and digits, e.g. ReadPhotos"));
    }
    for (const carrier of RESOURCE_POLICY_INPUTS.flatMap((type) => ofType(graph, type))) {
      if (carrier.inputs.policy === undefined || carrier.inputs.policy === "") continue;
      const repeated = repeats(statementIds(carrier.inputs.policy));
      if (repeated.length > 0) findings.push(finding(this.id, carrier, `its policy repeats statement id${repeated.length > 1 ? "s" : ""} ${repeated.join(", ")}; a Sid must be unique within a policy (SQS and SNS refuse the repeat)`, "give every statement its own Sid (or merge the statements)"));
    }
    return findings;
  },
};

/**
 * A policy document with no statement: IAM refuses it (PutRolePolicy, CreatePolicy, CreateRole's trust policy:
 * MalformedPolicyDocument, "Syntax errors in policy"): the Statement element is required and a policy grants through
 * its statements ("The Statement element is the main element for a policy. This element is required",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html; `"Statement": []` refused
 * in practice, otterize/intents-operator#481). A component that builds a policy from optional grants must always have
 * one (identity-pool.ts creates none; Workflow always grants log delivery). Reported: a document whose Statement is an
 * empty list, what a component's `policyJson([])` writes; a document without Statement (`{}`, which hand-built test
 * graphs use as a stand-in) and documents the plan cannot read are not.
 */
export const IAM_POLICY_STATEMENTS: DeployRule = {
  id: "IamPolicyStatements",
  title: "IAM policy documents hold at least one statement",
  source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const empty = (policy: unknown) => {
      if (policy === undefined || policy === null || policy === "") return false;
      let document: unknown = policy;
      if (typeof policy === "string") {
        try {
          document = JSON.parse(policy);
        } catch {
          return false;
        }
      }
      if (typeof document !== "object" || document === null) return false;
      const statement = (document as { Statement?: unknown }).Statement;
      return Array.isArray(statement) && statement.length === 0;
    };
    const report = (carrier: RecordedResource, what: string, call: string) =>
      findings.push(finding(this.id, carrier, `${what} has no statement ("Statement": []); IAM refuses it (${call}: MalformedPolicyDocument)`, "create the policy only when it has a statement, or leave it out"));
    for (const role of ofType(graph, "aws:iam/role:Role")) {
      if (empty(role.inputs.assumeRolePolicy)) report(role, "its trust policy", "CreateRole");
      for (const inline of asArray<Record<string, any>>(role.inputs.inlinePolicies)) if (empty(inline?.policy)) report(role, `its inline policy ${inline.name ?? ""}`.trim(), "PutRolePolicy");
    }
    for (const policy of ofType(graph, "aws:iam/rolePolicy:RolePolicy")) if (empty(policy.inputs.policy)) report(policy, "the policy", "PutRolePolicy");
    for (const policy of ofType(graph, "aws:iam/policy:Policy")) if (empty(policy.inputs.policy)) report(policy, "the policy", "CreatePolicy");
    return findings;
  },
};

/**
 * An IAM path, the `path` of a role or a managed policy: "a forward slash (/) by itself or a string that must begin and
 * end with forward slashes", of "any ASCII character from the ! (\u0021) through the DEL character (\u007F)" (CreateRole
 * and CreatePolicy Path, pattern `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, length 1–512), and for a policy without
 * `*` ("You cannot use an asterisk (*) in the path name", CreatePolicy). IAM refuses another: "The specified value for
 * path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters"
 * (ValidationError, as quoted in aws-cloudformation/cfn-lint#3020). terraform-provider-aws checks only a role path's
 * length (iam/role.go `path`: StringLenBetween(0, 512)) and nothing of a policy's (iam/policy.go), so `pulumi preview`
 * passes and the create fails at `pulumi up`; the path forces replacement, so a later fix replaces the role. An empty
 * string is not judged (whether the provider sends it or its default "/" is not confirmed).
 */
const IAM_PATH_PATTERN = /^(\/|\/[\x21-\x7E]+\/)$/;

/** The longest IAM path (CreateRole and CreatePolicy Path: "Maximum length of 512"). */
const IAM_PATH_LENGTH = 512;

/** Why IAM refuses `path` for a role (`policy` false) or a managed policy, or undefined when it takes it. */
export function iamPathProblem(path: string, policy: boolean): string | undefined {
  if (path.length > IAM_PATH_LENGTH) return `is ${path.length} characters; IAM takes at most ${IAM_PATH_LENGTH}`;
  if (!IAM_PATH_PATTERN.test(path)) return "is not / or a path that begins and ends with / and holds only the printable ASCII characters ! to ~";
  if (policy && path.includes("*")) return "holds *, which a policy path may not";
  return undefined;
}

/** `path` as IAM takes it, for the fix: its printable ASCII characters (no `*` in a policy's) between slashes; "/" when none are left. */
function pathLike(path: string, policy: boolean): string {
  const inner = [...path].filter((c) => /[\x21-\x7E]/.test(c) && !(policy && c === "*")).join("").replace(/^\/+|\/+$/g, "");
  return inner ? `/${inner}/`.slice(0, IAM_PATH_LENGTH - 1).replace(/\/?$/, "/") : "/";
}

export const IAM_PATH: DeployRule = {
  id: "IamPath",
  title: "A role's or managed policy's path is / or begins and ends with / (printable ASCII, at most 512 characters; no * in a policy's)",
  source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const [type, call, policy] of [["aws:iam/role:Role", "CreateRole", false], ["aws:iam/policy:Policy", "CreatePolicy", true]] as const) {
      for (const r of ofType(graph, type)) {
        const path = r.inputs.path;
        if (typeof path !== "string" || path === "") continue;
        const problem = iamPathProblem(path, policy);
        if (problem) findings.push(finding(this.id, r, `has path ${JSON.stringify(path)}, which ${problem}: ${call} refuses it at \`pulumi up\` (ValidationError)`, `set path to ${JSON.stringify(pathLike(path, policy))} (/ around printable ASCII, at most ${IAM_PATH_LENGTH} characters), or leave it unset for /`));
      }
    }
    return findings;
  },
};

/**
 * IAM's default quotas on a role that an account may raise, so warnings, not failures
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): "Managed policies attached to an IAM
 * role" 10 by default (up to 20), and "Role trust policy length" 2,048 characters by default (up to 4,096), white space
 * not counted. Past the account's quota AttachRolePolicy / CreateRole fail with LimitExceeded at `pulumi up`.
 */
export const IAM_ROLE_DEFAULT_QUOTAS = { managedPoliciesPerRole: 10, trustPolicyCharacters: 2_048 } as const;

export const IAM_ROLE_QUOTAS: DeployRule = {
  id: "IamRoleQuotas",
  title: "Roles fit IAM's default quotas on managed policies attached and trust policy length",
  source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const role of ofType(graph, "aws:iam/role:Role")) {
      const managed = new Set(rolePolicies(graph, role).managed.map(({ arn }) => arn));
      if (managed.size > IAM_ROLE_DEFAULT_QUOTAS.managedPoliciesPerRole) {
        findings.push(finding(this.id, role, `has ${managed.size} managed policies attached; IAM's default quota is ${IAM_ROLE_DEFAULT_QUOTAS.managedPoliciesPerRole} per role, and the attachment past the account's quota fails (LimitExceeded)`, "merge grants into fewer policies, or ask for the quota (Service Quotas: Managed policies per role, up to 20)"));
      }
      const trust = iamPolicySize(role.inputs.assumeRolePolicy);
      if (trust > IAM_ROLE_DEFAULT_QUOTAS.trustPolicyCharacters) {
        findings.push(finding(this.id, role, `has a trust policy of ${trust} characters (white space not counted); IAM's default quota is ${IAM_ROLE_DEFAULT_QUOTAS.trustPolicyCharacters}, and CreateRole past the account's quota fails (LimitExceeded)`, "trust fewer principals in one statement, or ask for the quota (Service Quotas: Role trust policy length, up to 4,096)"));
      }
    }
    return findings;
  },
};

/** IAM's warning rules: part of DEPLOY_WARNING_RULES, not of DEPLOY_RULES. */
export const IAM_WARNING_RULES: DeployRule[] = [IAM_ROLE_QUOTAS];

export const IAM_RULES: DeployRule[] = [IAM_POLICY_LIMITS_RULE, IAM_UNIQUE_SID, IAM_POLICY_STATEMENTS, IAM_PATH];
