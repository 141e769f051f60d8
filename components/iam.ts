/**
 * Least-privilege IAM statements, the one currency every component uses for
 * permissions. Statements name exact actions (never `*` or `service:*`) and
 * exact resources; a `*` resource is only accepted for the few actions AWS
 * offers no resource-level permissions for.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";

/** A least-privilege IAM statement: exact actions on exact resources (wildcard actions are rejected). */
export interface PolicyStatement {
  /** Exact IAM actions, e.g. `["dynamodb:GetItem", "dynamodb:Query"]`. */
  actions: string[];
  /** Exact resource ARNs (or ARN patterns such as `${tableArn}/index/*`). */
  resources: pulumi.Input<string>[];
  /** IAM condition block: `{ "StringEquals": { "aws:SourceAccount": "123456789012" } }`. */
  conditions?: Record<string, Record<string, pulumi.Input<string | string[]>>>;
  /**
   * Statement id: letters and digits only, unique among the statements you write in `permissions` (a repeat is refused
   * at construction). A grant's Sid (derived from a table, stream, database or prefix name) that repeats another gets a
   * number appended (uniqueSids), so reordering grants can move a numbered Sid between statements. @default none
   */
  sid?: string;
}

/** Actions AWS only authorises against `"*"`; granting them on `*` is not a wildcard grant. */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: ReadonlySet<string> = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  // What a traced Step Functions state machine's role needs besides the two above, on "*" as AWS's example grants them
  // (https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html); X-Ray's sampling actions name no resource type.
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "cloudwatch:PutMetricData",
]);

/**
 * What IAM takes as a statement id: "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z),
 * and numbers (0-9)". An empty one is left out of the policy (policyJson), so it is no Sid at all.
 */
export const IAM_SID = /^[A-Za-z0-9]*$/;

/**
 * The statement id a component derives from a user-given name (a table key, a stream, database or subscription name,
 * a key prefix): the name's letters and digits (IAM_SID), each word's first letter upper-cased when `words` is set
 * (`originals/` → `Originals`). Two names that differ only in what is dropped (`photos-db`, `photos_db`) give one id
 * here; policyJson tells them apart. A name of letters and digits keeps its id as it is, so no deployed policy churns.
 * A statement carrying such an id is made a grant with `grantStatement`.
 */
export function statementSid(name: string, options: { words?: boolean } = {}): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return (options.words ? parts.map((w) => w[0].toUpperCase() + w.slice(1)) : parts).join("");
}

/**
 * The Sid a component gave a statement it made (grantStatement), carried by the statement itself: a symbol, so the
 * policy's JSON never holds it (policyJson writes the named fields only, and JSON.stringify skips symbol keys);
 * enumerable, so a copy of the grant (`{ ...grant, actions }`, a replica region's grant) keeps it.
 */
const GRANT_SID: unique symbol = Symbol("grant sid");
type MarkedStatement = PolicyStatement & { [GRANT_SID]?: string };

/** `statement`, marked as a component's grant: its Sid (statementSid's) is numbered on a repeat rather than refused (isGrantStatement). */
export function grantStatement(statement: PolicyStatement): PolicyStatement {
  return { ...statement, [GRANT_SID]: statement.sid } as MarkedStatement;
}

/**
 * Whether a statement is a component's grant (grantStatement) with the Sid the component gave it. Such Sids may repeat
 * where two names differ only in punctuation (`photos-db`, `photosdb`), and policyJson numbers the later one; any other
 * sid is one the user wrote, whatever its shape, and assertLeastPrivilege refuses its repeat rather than renames it. A
 * copied grant stays a grant; a grant whose sid the user changed (`{ ...grant, sid: "Mine" }`) is the user's.
 */
function isGrantStatement(statement: PolicyStatement): boolean {
  return statement.sid !== undefined && (statement as MarkedStatement)[GRANT_SID] === statement.sid;
}

/**
 * The statements with a Sid of their own each: "In IAM, the Sid value must be unique within a JSON policy"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html), and PutRolePolicy refuses a
 * policy that repeats one ("MalformedPolicyDocument: Statement IDs (SID) in a single policy must be unique",
 * kubernetes/kops#4951, aws-cloudformation/cfn-lint#3973). The first statement of a Sid keeps it; a later one takes the
 * Sid with the lowest number from 2 appended that no statement of the policy has (`photosdbRead`, `photosdbRead2`).
 * Deterministic: the same statements in the same order give the same Sids, and a policy without repeats is unchanged.
 * A Sid is only a label ("IAM does not expose the Sid in the IAM API"), so renaming a repeat changes no grant.
 */
export function uniqueSids(statements: PolicyStatement[]): PolicyStatement[] {
  const given = new Set(statements.map((s) => s.sid).filter(Boolean));
  const used = new Set<string>();
  return statements.map((statement) => {
    if (!statement.sid) return statement;
    let sid = statement.sid;
    if (used.has(sid)) {
      let n = 2;
      while (given.has(`${statement.sid}${n}`) || used.has(`${statement.sid}${n}`)) n++;
      sid = `${statement.sid}${n}`;
    }
    used.add(sid);
    return sid === statement.sid ? statement : { ...statement, sid };
  });
}

/** Throws (via `fail`) on a wildcard action or a wildcard resource for a resource-scoped action. */
export function assertLeastPrivilege(fail: ArgFailure, argument: string, statements: PolicyStatement[]): void {
  statements.forEach((statement, index) => {
    const where = `${argument}[${index}]`;
    // "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)", and "In IAM,
    // the Sid value must be unique within a JSON policy" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html):
    // PutRolePolicy refuses the policy otherwise (MalformedPolicyDocument), which `pulumi preview` never calls. A grant's
    // repeated Sid is no error here (tables named `photos-db` and `photos_db` share one, and policyJson numbers it), but
    // a sid the user wrote that repeats an earlier statement's is: numbering it would rename the user's own id silently.
    if (statement.sid && !IAM_SID.test(statement.sid)) {
      fail(`${where}.sid`, statement.sid, "is not letters and digits only, which IAM requires of a statement id", `Use e.g. "${statement.sid.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? "").toUpperCase()) || "ReadPhotos"}", or leave sid out.`);
    }
    if (statement.sid && !isGrantStatement(statement) && statements.findIndex((other) => other.sid === statement.sid) < index) {
      fail(`${where}.sid`, statement.sid, "repeats the statement id of an earlier statement; IAM refuses a policy with two statements of one Sid", "Give every statement its own sid, or merge the two statements.");
    }
    if (statement.actions.length === 0) {
      fail(`${where}.actions`, statement.actions, "is empty", "Name the exact actions the function needs, e.g. [\"dynamodb:GetItem\"].");
    }
    for (const action of statement.actions) {
      if (action === "*" || action.endsWith(":*") || !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(action)) {
        fail(`${where}.actions`, action, "is a wildcard or not a valid IAM action", "Name each action exactly (least privilege), e.g. \"s3:GetObject\"; use a grant helper from the component that owns the resource.");
      }
    }
    const wildcardResource = statement.resources.some((r) => r === "*");
    const scopedActions = statement.actions.filter((a) => !ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.has(a));
    if (wildcardResource && scopedActions.length > 0) {
      fail(`${where}.resources`, "*", `grants ${scopedActions.join(", ")} on every resource`, "Name the resource ARNs the function touches.");
    }
  });
}

/** Renders statements as an IAM policy JSON document (an Output while ARNs are unknown), each Sid unique (uniqueSids). */
export function policyJson(statements: PolicyStatement[]): pulumi.Output<string> {
  return pulumi
    .output(
      uniqueSids(statements).map((s) => ({
        ...(s.sid ? { Sid: s.sid } : {}),
        Effect: "Allow",
        Action: s.actions,
        Resource: s.resources,
        ...(s.conditions ? { Condition: s.conditions } : {}),
      })),
    )
    .apply((statement) => JSON.stringify({ Version: "2012-10-17", Statement: statement }));
}

/** A trust policy letting the given AWS services assume a role. */
export function assumeRolePolicy(services: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: services }, Action: "sts:AssumeRole" }],
  });
}
