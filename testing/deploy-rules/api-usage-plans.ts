/**
 * API Gateway usage plans, for any program (ServerlessApi refuses the same at construction, validate.ts
 * `validateUsagePlanKeyStages`): one API key in one usage plan per API stage.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";
import type { TransitionFinding } from "./transition";
import type { RestPartJudgement } from "./transition-rest-deployment";

const USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan";
const USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey";

/** A usage plan's API stages as `<api id> <stage name>` (its resolved `apiStages`). */
export function usagePlanStages(plan: { inputs: Record<string, any> }): string[] {
  const stages = Array.isArray(plan.inputs.apiStages) ? plan.inputs.apiStages : [];
  return stages.filter((s: any) => typeof s?.apiId === "string" && typeof s?.stage === "string").map((s: any) => `${s.apiId} ${s.stage}`);
}

/**
 * "An API key can be associated with more than one usage plan. A usage plan can be associated with more than one stage.
 * However, a given API key can only be associated with one usage plan for each stage of your API." Two UsagePlanKeys
 * of one key (`keyId`) in plans (`usagePlanId`) whose `apiStages` share an API stage: the second CreateUsagePlanKey is
 * refused (ConflictException by the API reference's error list; the exact message is not confirmed). Keys and plans
 * are compared by the ids the plan resolved, so a key or plan outside the plan (an id string) counts too.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-create-usage-plans.html
 */
export const API_USAGE_PLAN_KEY_STAGE: DeployRule = {
  id: "ApiUsagePlanKeyStage",
  title: "An API key is in at most one usage plan per API stage",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-create-usage-plans.html",
  check(graph: Graph) {
    const findings: DeployFinding[] = [];
    const plans = new Map(ofType(graph, USAGE_PLAN).map((plan) => [plan.id, plan]));
    /** `<key id> <api id> <stage>` → the usage plan key that holds it first. */
    const holders = new Map<string, { name: string; planName: string }>();
    for (const planKey of ofType(graph, USAGE_PLAN_KEY)) {
      const { keyId, usagePlanId } = planKey.inputs;
      const plan = typeof usagePlanId === "string" ? plans.get(usagePlanId) : undefined;
      if (typeof keyId !== "string" || !plan) continue;
      for (const stage of usagePlanStages(plan)) {
        const earlier = holders.get(`${keyId} ${stage}`);
        if (earlier && earlier.planName !== plan.name) {
          const [apiId, stageName] = stage.split(" ");
          findings.push(
            finding(
              "ApiUsagePlanKeyStage",
              planKey,
              `puts API key ${keyId} in usage plan ${plan.name}, which covers stage "${stageName}" of REST API ${apiId}, where usage plan key ${earlier.name} already puts it in usage plan ${earlier.planName}; API Gateway associates a key with one usage plan per stage, so CreateUsagePlanKey is refused`,
              "give the two plans disjoint apiStages, or put the key in one of them",
            ),
          );
          break;
        }
        holders.set(`${keyId} ${stage}`, { name: planKey.name, planName: plan.name });
      }
    }
    return findings;
  },
};

export const API_USAGE_PLAN_RULES: readonly DeployRule[] = [API_USAGE_PLAN_KEY_STAGE];

/**
 * TransitionUsagePlanKeyMoved (run by checkPlanTransition, listed in PLAN_TRANSITION_RULES in transition.ts): a
 * usage plan key the update creates for an API key on a stage where a usage plan key the update deletes still holds
 * that API key — a plan renamed (ServerlessApi names a plan's keys after it: `<api>-plan-<plan>-<key>`) or a key moved
 * from one plan to another; or a usage plan key kept under its name but pointed at another plan (a hand-built key whose
 * plan was renamed), which is replaced create-first while its own deployed copy holds the association. The engine deletes what left the program only at the end of the update, after every create
 * ("pulumi first creates all new resources and schedules the deletion of resources at the very end", pulumi/pulumi#9979),
 * so the new CreateUsagePlanKey meets the old association ("a given API key can only be associated with one usage plan
 * for each stage of your API") and is refused. Both plans are each valid; only the pair is not.
 *
 * Read from the plans' dependencies, which a saved plan keeps: a usage plan key's `keyId` and `usagePlanId` come from
 * the API key and the plan (propertyDependencies), a plan's `apiStages` from the stages it covers. A resource recorded
 * without them (literal ids, or a plan saved before propertyDependencies were kept) is passed over. A key kept under its
 * URN is judged as the engine diffs it: an `ignoreChanges` on `usagePlanId` or `keyId` keeps it (and its association),
 * which the saved plan's `keyId` and `usagePlanId` (transition.ts TRANSITION_READ_INPUTS) let a saved plan tell too.
 */
export const TRANSITION_USAGE_PLAN_KEY_MOVED_RULE = {
  id: "TransitionUsagePlanKeyMoved",
  title: "An API key is not added to a usage plan on a stage where the update still has to delete its old association",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-create-usage-plans.html",
} as const;

const API_KEY = "aws:apigateway/apiKey:ApiKey";
const REST_STAGE = "aws:apigateway/stage:Stage";

/** A usage plan key as the check reads it: the `<api key urn> <stage urn>` pairs it holds, and the API key's and plan's URNs it associates. */
interface UsagePlanKeyHold {
  resource: RecordedResource;
  holds: string[];
  key: string;
  plan: string;
}

/** Each usage plan key of `graph` as `<api key urn> <stage urn>` pairs it holds, by the key's URN. */
function usagePlanKeyHolds(graph: Graph): Map<string, UsagePlanKeyHold> {
  const byUrn = new Map(graph.map((r) => [r.urn, r]));
  const of = (r: RecordedResource, input: string, type: string) => (r.propertyDependencies?.[input] ?? []).filter((urn) => byUrn.get(urn)?.type === type);
  const held = new Map<string, UsagePlanKeyHold>();
  for (const planKey of ofType(graph, USAGE_PLAN_KEY)) {
    const [key] = of(planKey, "keyId", API_KEY);
    const [plan] = of(planKey, "usagePlanId", USAGE_PLAN).map((urn) => byUrn.get(urn)!);
    if (!key || !plan) continue;
    held.set(planKey.urn, { resource: planKey, holds: of(plan, "apiStages", REST_STAGE).map((stage) => `${key} ${stage}`), key, plan: plan.urn });
  }
  return held;
}

/**
 * `judgement` (checkPlanTransition's restPartJudgement): a key of the next plan as the engine diffs it, every
 * `ignoreChanges` path reset to its deployed value (transition.ts asDiffed), so an ignored `usagePlanId` or `keyId` is
 * not what replaces it.
 */
export function usagePlanKeyMovedFindings(deployed: Graph, after: Graph, stack: string | undefined, judgement: Pick<RestPartJudgement, "diffed">): TransitionFinding[] {
  const before = usagePlanKeyHolds(deployed);
  const next = usagePlanKeyHolds(after);
  /**
   * A usage plan key of both plans whose API key or plan is another resource: every input of aws.apigateway.UsagePlanKey
   * is ForceNew (terraform-provider-aws internal/service/apigateway/usage_plan_key.go: key_id, key_type, usage_plan_id;
   * no update), so it is replaced create-first — unless deleteBeforeReplace — and its deployed copy keeps its
   * association until the end of the update, like a removed key's. Not replaced where the input naming the other
   * resource is one its `ignoreChanges` holds: the engine diffs the deployed value back in (`judgement.diffed`), so the
   * key stays as it is. A deployed key whose inputs the deployed plan lacks (a plan saved before they were kept) is
   * judged by its dependencies alone.
   */
  const replaced = (urn: string) => {
    const [was, is] = [before.get(urn), next.get(urn)];
    if (was === undefined || is === undefined) return false;
    const moved = [...(was.key !== is.key ? ["keyId"] : []), ...(was.plan !== is.plan ? ["usagePlanId"] : [])];
    const diffed = judgement.diffed(is.resource);
    return moved.some((input) => was.resource.inputs?.[input] === undefined || diffed.inputs[input] !== was.resource.inputs[input]);
  };
  /**
   * A replaced key whose deployed copy keeps the old association after the new one is created: replaced create-first
   * (no deleteBeforeReplace), or delete-first but retained (the deployed copy's `retainOnDelete`: the replacement never
   * deletes it; transition.ts, TransitionRetainedTooLate: a retainOnDelete the update sets applies to the new copy only).
   */
  const oldKept = (urn: string) => replaced(urn) && (!next.get(urn)!.resource.deleteBeforeReplace || before.get(urn)!.resource.retainOnDelete === true);
  const kept = new Set([...before.keys()].filter(oldKept));
  /** `<api key> <stage>` → the deployed usage plan key the update deletes (or leaves) that holds it. */
  const leaving = new Map<string, RecordedResource>();
  for (const [urn, { resource, holds }] of before) if (!next.has(urn) || kept.has(urn)) for (const hold of holds) leaving.set(hold, resource);
  const findings: TransitionFinding[] = [];
  for (const [urn, { resource, holds }] of next) {
    if (before.has(urn) && !kept.has(urn)) continue;
    const hold = holds.find((h) => leaving.has(h));
    if (hold === undefined) continue;
    const old = leaving.get(hold)!;
    const self = old.urn === resource.urn;
    const retained = self && old.retainOnDelete === true;
    const stage = deployed.find((r) => r.urn === hold.split(" ")[1]);
    const onStage = `a usage plan on stage ${stage?.inputs.stageName ?? stage?.name ?? "(unknown)"}`;
    const ownCopy = `is replaced (its usage plan or API key is another resource, and every input of a usage plan key replaces it) and adds the API key to ${onStage}, where its own deployed copy holds it in the old plan`;
    const refused = "API Gateway associates a key with one usage plan per stage, so this CreateUsagePlanKey is refused";
    findings.push({
      ...finding(
        TRANSITION_USAGE_PLAN_KEY_MOVED_RULE.id,
        resource,
        retained
          ? `${ownCopy} and is never deleted (retainOnDelete), even delete-first; ${refused}`
          : self
          ? `${ownCopy} until the update deletes it at its end (a replacement creates first); ${refused}`
          : `adds an API key to ${onStage}, where the deployed usage plan key ${old.name} holds it in another plan until the update deletes it at its end (pulumi/pulumi#9979); ${refused}`,
        retained
          ? `deploy retainOnDelete: false on ${resource.name} in an update of its own first (it then applies to the deployed copy), then this one with deleteBeforeReplace: true; or remove the old association by hand`
          : self ? `set deleteBeforeReplace: true on ${resource.name}, so the old association is deleted before the new one is made; or deploy in two updates` : "deploy in two updates: first remove the key from the old plan (or the old plan), then add it to the new one",
        stack,
      ),
      urn: resource.urn,
    });
  }
  return findings;
}
