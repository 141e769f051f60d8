/**
 * What `npm run edge-cleanup` deletes, and deleting it. Lambda@Edge functions are retained when their
 * stack deletes them, because CloudFront's replicas block the deletion for hours: "You can delete a
 * Lambda@Edge function only when the replicas of the function have been deleted by CloudFront ...
 * Replicas are typically deleted within a few hours."
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-delete-replicas.html
 *
 * Garbage is exactly: Lambda@Edge functions tagged for the stack (EdgeLogic tags them) that the stack's
 * state no longer holds — all of them after `pulumi destroy`, replaced ones while it lives — with their
 * log groups in every edge region and their execution roles (kept with them, components/lambda/function.ts
 * createRole, because the replicas run as the role); and the old numbered versions of the functions it still holds.
 * The planning works over a small port (EdgeCleanupAws), so it is tested without AWS.
 */
import { EDGE_TAGS } from "../../components/edge-logic/resources";
import { FUNCTION_NAME_SUFFIX } from "../../components/lambda/function";

export interface FunctionSummary {
  name: string;
  arn: string;
  /** The execution role's ARN (ListFunctions' `Role`). */
  role?: string;
}

/** The AWS calls the clean-up makes (scripts/edge-cleanup/aws.ts implements them with the SDK). */
export interface EdgeCleanupAws {
  /** Every Lambda function in us-east-1, where Lambda@Edge functions live. */
  listFunctions(): Promise<FunctionSummary[]>;
  listTags(arn: string): Promise<Record<string, string>>;
  /** The function's numbered versions (not `$LATEST`). */
  listVersions(name: string): Promise<string[]>;
  /** Deletes the function with all its versions, or one version. */
  deleteFunction(name: string, version?: string): Promise<void>;
  /** Log group names in `region` that start with `prefix`. */
  listLogGroups(region: string, prefix: string): Promise<string[]>;
  deleteLogGroup(region: string, name: string): Promise<void>;
  /** Names of the role's inline policies. */
  listRolePolicies(role: string): Promise<string[]>;
  /** ARNs of the managed policies attached to the role. */
  listAttachedRolePolicies(role: string): Promise<string[]>;
  deleteRolePolicy(role: string, policy: string): Promise<void>;
  detachRolePolicy(role: string, policyArn: string): Promise<void>;
  deleteRole(role: string): Promise<void>;
}

/** A Lambda function the stack's state still holds, with the version its distribution runs. */
export interface LiveFunction {
  name: string;
  version: string;
}

export interface CleanupPlan {
  /** The `serverless-fullstack:stack` tag value the plan was made for. */
  stack: string;
  /** Functions the stack no longer holds: each log group first, then the function with every version. */
  functions: Array<{ name: string; versions: string[]; logGroups: Array<{ region: string; name: string }> }>;
  /** Versions of functions the stack still holds, other than the one it runs. */
  versions: Array<{ name: string; version: string }>;
  /** The execution roles of `functions`, each deleted (policies first) once every function of it here is deleted. */
  roles: RolePlan[];
}

export interface RolePlan {
  name: string;
  /** The functions of the plan that run as it. */
  functions: string[];
  /** Inline policies (DeleteRolePolicy), then attached managed policies by ARN (DetachRolePolicy). */
  inlinePolicies: string[];
  attachedPolicies: string[];
  /** Why the role stays; absent: it is deleted. */
  kept?: string;
}

export type OutcomeResult = "deleted" | "waiting" | "failed";

export interface Outcome {
  /** What was deleted: a function, `function:version`, or `region log-group`. */
  target: string;
  result: OutcomeResult;
  detail?: string;
}

/** "Lambda@Edge writes to /aws/lambda/us-east-1.<FunctionName> in every region" (edge-functions-logs.html). */
export function edgeLogGroupName(functionName: string): string {
  return `/aws/lambda/us-east-1.${functionName}`;
}

/** `arn:aws:iam::123456789012:role/path/name` → `name` (DeleteRole takes the name, which is the ARN's last part). */
export function roleNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/**
 * The role LambdaFunction creates for a function: `<name>-role` beside `<name>-function`, each autonamed with
 * Pulumi's `-<7 hex>`. Only such a role is deleted with its function: the clean-up finds roles through the
 * functions' `Role`, and a role named otherwise was not made for that function alone.
 */
function isOwnRole(functionName: string, roleName: string): { own: boolean; expected?: string } {
  const match = new RegExp(`^(.+)${FUNCTION_NAME_SUFFIX}-[0-9a-f]{7}$`).exec(functionName);
  if (!match) return { own: false };
  const expected = `${match[1]}-role-`;
  return { own: roleName.startsWith(expected) && /^[0-9a-f]{7}$/.test(roleName.slice(expected.length)), expected: `${expected}<suffix>` };
}

export async function planCleanup(
  aws: EdgeCleanupAws,
  options: { stack: string; live: readonly LiveFunction[]; regions: readonly string[]; /** Role names the stack's state holds. */ liveRoles?: readonly string[] },
): Promise<CleanupPlan> {
  const live = new Map(options.live.map((fn) => [fn.name, fn.version]));
  const liveRoles = new Set(options.liveRoles ?? []);
  const plan: CleanupPlan = { stack: options.stack, functions: [], versions: [], roles: [] };
  const all = await aws.listFunctions();
  for (const fn of all) {
    const tags = await aws.listTags(fn.arn);
    if (tags[EDGE_TAGS.stack] !== options.stack) continue;
    const versions = await aws.listVersions(fn.name);
    const running = live.get(fn.name);
    if (running !== undefined) {
      for (const version of versions) if (version !== running) plan.versions.push({ name: fn.name, version });
      continue;
    }
    const logGroups: CleanupPlan["functions"][number]["logGroups"] = [];
    for (const region of options.regions) {
      const name = edgeLogGroupName(fn.name);
      // A prefix search: `...-abc1234` also finds `...-abc12345`; only the exact name is this function's.
      if ((await aws.listLogGroups(region, name)).includes(name)) logGroups.push({ region, name });
    }
    plan.functions.push({ name: fn.name, versions, logGroups });
  }
  const garbage = new Set(plan.functions.map((fn) => fn.name));
  for (const fn of all.filter((f) => garbage.has(f.name) && f.role)) {
    const name = roleNameOf(fn.role!);
    const planned = plan.roles.find((r) => r.name === name);
    if (planned) {
      planned.functions.push(fn.name);
      continue;
    }
    const users = all.filter((other) => other.role === fn.role && !garbage.has(other.name)).map((other) => other.name);
    const own = isOwnRole(fn.name, name);
    const kept = liveRoles.has(name)
      ? "the stack still holds it"
      : users.length > 0
        ? `${users.join(", ")} still ${users.length === 1 ? "uses" : "use"} it`
        : !own.own
          ? `it is not named like the role LambdaFunction makes for ${fn.name}${own.expected ? ` (${own.expected})` : ""}`
          : undefined;
    plan.roles.push(
      kept
        ? { name, functions: [fn.name], inlinePolicies: [], attachedPolicies: [], kept }
        : { name, functions: [fn.name], inlinePolicies: await aws.listRolePolicies(name), attachedPolicies: await aws.listAttachedRolePolicies(name) },
    );
  }
  return plan;
}

/**
 * Deletes what the plan names. Deleting a version (or a function) that still has replicas fails with
 * "... because it is a replicated function"; that is `waiting`, and a later run finishes the job
 * (the function keeps its tag until it is gone, so the next run finds it again).
 */
export async function executeCleanup(aws: EdgeCleanupAws, plan: CleanupPlan): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const functionResults = new Map<string, OutcomeResult>();
  const attempt = async (target: string, call: () => Promise<void>): Promise<OutcomeResult> => {
    const outcome = await call().then(
      (): Outcome => ({ target, result: "deleted" }),
      (error: unknown): Outcome => {
        if (isNotFound(error)) return { target, result: "deleted", detail: "already gone" };
        if (isReplicated(error)) return { target, result: "waiting", detail: "CloudFront still holds replicas; they go within hours of the distribution's deletion. Run again later." };
        return { target, result: "failed", detail: error instanceof Error ? error.message : String(error) };
      },
    );
    outcomes.push(outcome);
    return outcome.result;
  };
  for (const { name, version } of plan.versions) await attempt(`${name}:${version}`, () => aws.deleteFunction(name, version));
  for (const fn of plan.functions) {
    // Log groups first: once the function is gone, nothing links them to the stack any more.
    let groupsDeleted = true;
    for (const { region, name } of fn.logGroups) groupsDeleted = (await attempt(`${region} ${name}`, () => aws.deleteLogGroup(region, name))) === "deleted" && groupsDeleted;
    if (groupsDeleted) functionResults.set(fn.name, await attempt(fn.name, () => aws.deleteFunction(fn.name)));
    else outcomes.push({ target: fn.name, result: "failed", detail: "kept until its log groups are deleted, so a later run still finds them" });
  }
  for (const role of plan.roles.filter((r) => !r.kept)) await deleteRole(aws, role, functionResults, attempt, outcomes);
  return outcomes;
}

/**
 * A role goes only after every function that runs as it: while Lambda refuses a function's deletion, CloudFront
 * still has its replicas, and they run as the role. IAM's DeleteRole: "Before attempting to delete a role, remove
 * the following attached items: Inline policies (DeleteRolePolicy), Attached managed policies (DetachRolePolicy) ..."
 * and otherwise refuses with DeleteConflict ("attempted to delete a resource that has attached subordinate entities";
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html). Once its function is gone nothing leads a
 * later run to the role, so a failure says how to finish by hand.
 */
async function deleteRole(
  aws: EdgeCleanupAws,
  role: RolePlan,
  functionResults: ReadonlyMap<string, OutcomeResult>,
  attempt: (target: string, call: () => Promise<void>) => Promise<OutcomeResult>,
  outcomes: Outcome[],
): Promise<void> {
  const target = `role ${role.name}`;
  const pending = role.functions.filter((fn) => functionResults.get(fn) !== "deleted");
  if (pending.length > 0) {
    outcomes.push({ target, result: "waiting", detail: `kept while ${pending.join(", ")} ${pending.length === 1 ? "exists" : "exist"}: its replicas run as this role. A later run deletes it with the function.` });
    return;
  }
  let policiesGone = true;
  for (const policy of role.inlinePolicies) policiesGone = (await attempt(`${target} inline policy ${policy}`, () => aws.deleteRolePolicy(role.name, policy))) === "deleted" && policiesGone;
  for (const arn of role.attachedPolicies) policiesGone = (await attempt(`${target} attached policy ${arn}`, () => aws.detachRolePolicy(role.name, arn))) === "deleted" && policiesGone;
  const byHand = [
    ...role.inlinePolicies.map((policy) => `aws iam delete-role-policy --role-name ${role.name} --policy-name ${policy}`),
    ...role.attachedPolicies.map((arn) => `aws iam detach-role-policy --role-name ${role.name} --policy-arn ${arn}`),
    `aws iam delete-role --role-name ${role.name}`,
  ].join("; ");
  if (!policiesGone) {
    outcomes.push({ target, result: "failed", detail: `kept: IAM refuses DeleteRole while policies are attached, and its function is already gone, so no later run finds it. Finish by hand: ${byHand}` });
    return;
  }
  if ((await attempt(target, () => aws.deleteRole(role.name))) === "failed") {
    const last = outcomes[outcomes.length - 1];
    last.detail = `${last.detail}. Its function is already gone, so no later run finds it. Finish by hand: ${byHand}`;
  }
}

/** Lambda's answer for a version CloudFront still replicates (InvalidParameterValueException). */
export function isReplicated(error: unknown): boolean {
  return error instanceof Error && /replicated function/i.test(error.message);
}

/** Lambda and CloudWatch Logs answer ResourceNotFoundException for what is gone, IAM NoSuchEntityException. */
function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error.name === "ResourceNotFoundException" || error.name === "NoSuchEntityException");
}

export function describePlan(plan: CleanupPlan): string[] {
  const lines: string[] = [];
  for (const fn of plan.functions) {
    lines.push(`function ${fn.name} (versions ${fn.versions.join(", ") || "none"}) — no longer in the stack`);
    for (const group of fn.logGroups) lines.push(`  log group ${group.region} ${group.name}`);
  }
  for (const role of plan.roles) {
    if (role.kept) {
      lines.push(`role ${role.name} — kept: ${role.kept}`);
      continue;
    }
    lines.push(`role ${role.name} — the execution role of ${role.functions.join(", ")}, deleted after ${role.functions.length === 1 ? "it" : "them"}`);
    for (const policy of role.inlinePolicies) lines.push(`  inline policy ${policy}`);
    for (const arn of role.attachedPolicies) lines.push(`  attached policy ${arn}`);
  }
  for (const { name, version } of plan.versions) lines.push(`version ${name}:${version} — the stack runs another version`);
  return lines.length > 0 ? lines : [`Nothing to delete for ${plan.stack}.`];
}
