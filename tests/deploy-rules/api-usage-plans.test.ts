/**
 * ApiUsagePlanKeyStage (review 89, finding 2) on its fixtures, and silent on what AWS takes: one key in plans of
 * disjoint stages (ServerlessApi's tiers), two keys in one plan, one key in plans of different APIs' same-named stages.
 */
import { describe, expect, it } from "vitest";
import { API_USAGE_PLAN_RULES, checkDeployRules } from "../../testing/deploy-rules";
import { devContext, handBuilt, matches } from "./fixture";
import { API_USAGE_PLAN_FIXTURES, tiers } from "./fixtures/api-usage-plans";

describe("ApiUsagePlanKeyStage", () => {
  it.each(API_USAGE_PLAN_FIXTURES.map((f) => [f.title, f] as const))("finds %s", async (_, fixture) => {
    expect(matches(fixture.rule, checkDeployRules(await fixture.build(), { ...devContext, ...fixture.context }), fixture.expected)).toEqual([]);
  });

  it("finds nothing on ServerlessApi's plans of disjoint stages", async () => {
    expect(checkDeployRules(await tiers(), devContext, API_USAGE_PLAN_RULES)).toEqual([]);
  });

  it("finds nothing on one key in plans of different APIs, or two keys in one plan", () => {
    const plan = (name: string, apiId: string) => handBuilt("aws:apigateway/usagePlan:UsagePlan", name, { apiStages: [{ apiId, stage: "prod" }] }, { id: `plan-${name}` });
    const key = (name: string, keyId: string, planName: string) => handBuilt("aws:apigateway/usagePlanKey:UsagePlanKey", name, { keyId, keyType: "API_KEY", usagePlanId: `plan-${planName}` });
    const graph = [plan("a", "api1"), plan("b", "api2"), key("a1", "key1", "a"), key("b1", "key1", "b"), key("a2", "key2", "a")];
    expect(checkDeployRules(graph, devContext, API_USAGE_PLAN_RULES)).toEqual([]);
  });
});
