/**
 * API Gateway usage plans, for any program (ServerlessApi refuses the same at construction, validate.ts
 * `validateUsagePlanKeyStages`): one API key in one usage plan per API stage.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import { finding, type DeployFinding, type DeployRule } from "./rule";

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
