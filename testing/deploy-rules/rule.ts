/**
 * Deploy rules: what AWS rejects (or silently breaks) at `pulumi up`, checked on the
 * recorded plan of a stack — the cfn-lint idea for a Pulumi program. Mocks accept any
 * input and `pulumi preview` does not call the create APIs, so these checks are the only
 * thing between a bad input and a failed deploy on a user's account.
 *
 * Each rule names the AWS documentation it encodes. Rules read resolved inputs, so run them
 * on an update-mode recording (`runProgramOffline` or `record`, both resolve every Output);
 * a value that is absent is treated as unset, never as unknown.
 */
import { asArray, findOfType, identitiesOf, ofType, resourceRegion, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { providerOf } from "./provider-ref";

export interface DeployFinding {
  rule: string;
  /** The stack the resource belongs to; set by project rules, which look at several stacks. */
  stack?: string;
  /** `type name` of the offending resource. */
  resource: string;
  /** What AWS would do with it, and why. */
  problem: string;
  /** What to change. */
  fix: string;
}

export interface DeployRuleContext {
  stack: string;
  /** Production stacks get the checks that only matter under real traffic (e.g. Cognito's email quota). */
  production: boolean;
  /** The stack's `aws:region`: where a resource without its own `region` (or provider region) is created. */
  region: string;
  /** The AWS account the stack deploys to, when known; project rules compare stacks by account and region. */
  account?: string;
}

export interface DeployRule {
  id: string;
  title: string;
  /** The AWS documentation page that states the constraint. */
  source: string;
  check(graph: Graph, context: DeployRuleContext): DeployFinding[];
}

/** One stack's recorded plan, for rules that look across the stacks of a project. */
export interface StackPlan {
  graph: Graph;
  context: DeployRuleContext;
}

export interface ProjectDeployRule {
  id: string;
  title: string;
  source: string;
  check(stacks: readonly StackPlan[]): DeployFinding[];
}

export function finding(rule: string, resource: RecordedResource, problem: string, fix: string, stack?: string): DeployFinding {
  return { rule, ...(stack === undefined ? {} : { stack }), resource: `${resource.type} ${resource.name}`, problem, fix };
}

/** `dev: [Rule] type name: problem Fix: ...` — how `npm run plan` and failing tests print a finding. */
export function formatFinding(f: DeployFinding): string {
  return `${f.stack ? `${f.stack}: ` : ""}[${f.rule}] ${f.resource}: ${f.problem}. Fix: ${f.fix}`;
}

/**
 * The region a resource is created in: its own `region` input (provider v7's per-resource
 * region), else its explicit provider's region, else the stack's.
 */
export function regionOf(graph: Graph, resource: RecordedResource, context: DeployRuleContext): string {
  return resourceRegion(graph, resource, context.region);
}

/** Provider inputs that choose other credentials than the stack's (pulumi-aws ProviderArgs), so possibly another account. */
const PROVIDER_CREDENTIAL_INPUTS = ["accessKey", "secretKey", "token", "profile", "sharedConfigFiles", "sharedCredentialsFiles", "assumeRoles", "assumeRoleWithWebIdentity"];

/**
 * The account a resource is created in, as far as the plan tells: "stack" for the default provider and explicit
 * providers that set no credentials of their own (they use the stack's, so its account); for one that does, "account
 * <id>" where it names the account (the account of the role when `assumeRoles` holds one; a chain of several is not read,
 * its order unconfirmed here; or `allowedAccountIds` with one entry, as the provider refuses to run in any other), else
 * the provider itself: another provider with credentials of its own may be in any account. Resources of one scope are in one account;
 * resources of two scopes may still share one (an account known on one side only), which the rules then do not judge.
 * For the uniqueness rules of names AWS scopes per account and region (LogGroupNameUnique); not for names unique across
 * accounts (ApiGatewayDomainNameUnique, CloudFrontAliasUnique, CognitoDomainPrefixUnique) nor for resources keyed by an
 * id that already names one account's resource (VpcEndpointUnique's VPC id).
 */
export function accountScope(graph: Graph, resource: RecordedResource): string {
  const provider = providerOf(graph, resource);
  if (!provider || !PROVIDER_CREDENTIAL_INPUTS.some((input) => provider.inputs[input] !== undefined)) return "stack";
  const roles = asArray<Record<string, unknown>>(provider.inputs.assumeRoles);
  const roleAccount = roles.length === 1 && typeof roles[0]?.roleArn === "string" ? String(roles[0].roleArn).split(":")[4] : undefined;
  if (roleAccount && /^\d{12}$/.test(roleAccount)) return `account ${roleAccount}`;
  const allowed = asArray<unknown>(provider.inputs.allowedAccountIds);
  if (allowed.length === 1 && typeof allowed[0] === "string" && /^\d{12}$/.test(allowed[0])) return `account ${allowed[0]}`;
  return `provider ${provider.urn}`;
}

/** The resource of `type` that `reference` (an id, name, bucket or ARN taken from another resource's input) points at. */
export function referenced(graph: Graph, type: string, reference: unknown): RecordedResource | undefined {
  if (typeof reference !== "string" || !reference) return undefined;
  // Builds no look-up of its own: rules ask this once per target inside loops (referencedIndex is for those that ask for
  // every resource). While the plan is held (holdingGraphs: a rule run, checkPlanTransition's findings) findOfType reads
  // the by-type look-up, so only the resources of `type`; otherwise it stops at the first match. The first in the plan's order is the answer.
  return findOfType(graph, type, (r) => identitiesOf(r).includes(reference));
}

const V2_API = "aws:apigatewayv2/api:Api";

/**
 * The API a v2 route, integration, authorizer, deployment, stage or API mapping belongs to (by its `apiId`). Here, not
 * in apigatewayv2.ts, so that api-stage-logging.ts (which apigatewayv2.ts imports) reads it without an import loop.
 */
function apiOf(graph: Graph, part: RecordedResource): RecordedResource | undefined {
  return referenced(graph, V2_API, part.inputs.apiId);
}

/** The protocolType (HTTP or WEBSOCKET) of the API a v2 part belongs to, when the plan holds that API. */
export const protocolOf = (graph: Graph, part: RecordedResource) => apiOf(graph, part)?.inputs.protocolType as string | undefined;

/**
 * referenced for many references: the `type` resources are read once; a name two of them give is the first's, as in the
 * plan. The look-up reflects `graph` as it was when referencedIndex was called: build it once per rule run.
 * Internal: the rules' look-up (lambda-ref.ts functionIndex); referenced is the package's query.
 * @internal
 */
export function referencedIndex(graph: Graph, type: string): (reference: unknown) => RecordedResource | undefined {
  const byIdentity = new Map<unknown, RecordedResource>();
  for (const r of ofType(graph, type)) for (const identity of identitiesOf(r)) if (!byIdentity.has(identity)) byIdentity.set(identity, r);
  return (reference) => (typeof reference === "string" && reference ? byIdentity.get(reference) : undefined);
}

export { arnRegion } from "../../components/region";

/** Fewer random characters than this leave too few names to draw from (a 1-character suffix repeats within a few deployments). */
export const MIN_RANDOM_CHARACTERS = 4;

/**
 * Whether `name` holds a value of at least MIN_RANDOM_CHARACTERS that a `random` provider resource `resource` depends on
 * hands the program (RandomString/Password/Uuid `result`, RandomId `hex`/`b64Url`/`dec`, RandomPet's id): one the state
 * keeps across updates but a new deployment draws again. For names a kept resource holds after `pulumi destroy`.
 */
export function nameHasRandomPart(graph: Graph, resource: RecordedResource, name: string): boolean {
  const randomValues = (r: RecordedResource) =>
    [r.state.result, r.state.hex, r.state.b64Url, r.state.dec, r.type === "random:index/randomPet:RandomPet" ? r.id : undefined].filter(
      (v): v is string => typeof v === "string" && v.length >= MIN_RANDOM_CHARACTERS,
    );
  return graph.filter((r) => r.type.startsWith("random:") && resource.dependencies.includes(r.urn)).flatMap(randomValues).some((part) => name.includes(part));
}
