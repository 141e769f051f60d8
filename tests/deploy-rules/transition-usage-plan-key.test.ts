/**
 * TransitionUsagePlanKeyMoved (review 89, finding 2, second deploy): renaming a usage plan, or moving a key between
 * plans, creates the new association while the old one is deleted only at the end of the update. The check function
 * lives in api-usage-plans.ts and reads checkPlanTransition's judgement of ignoreChanges, so it is tested through
 * checkPlanTransition, on recorded plans and on saved ones.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ApiUsagePlan } from "../../components/serverless-api";
import { checkPlanTransition, toSavedPlan, type TransitionFinding } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { handBuilt } from "./fixture";

const api = (usagePlans: Record<string, ApiUsagePlan>, stages: Record<string, object> = { prod: {} }) =>
  record(
    () =>
      new ServerlessApi("api", {
        accountCloudWatchRole: false,
        routes: { "GET /items": { integration: { type: "mock", body: { ok: true } }, auth: "none", apiKeyRequired: true } },
        stages,
        usagePlans,
      }),
  );

/** TransitionUsagePlanKeyMoved's findings of the update from `deployed` to `next` (checkPlanTransition, stack dev). */
const usagePlanKeyMovedFindings = (deployed: Parameters<typeof checkPlanTransition>[0], next: Parameters<typeof checkPlanTransition>[1], stack = "dev"): TransitionFinding[] =>
  checkPlanTransition(deployed, next, { stack, region: "us-east-1" }).filter((f) => f.rule === "TransitionUsagePlanKeyMoved");

describe("TransitionUsagePlanKeyMoved", () => {
  it("finds a renamed plan's key, created while the old plan's key still holds the API key on the stage", async () => {
    const deployed = await api({ basic: { apiKeys: ["acme", "beta"] } });
    const next = await api({ standard: { apiKeys: ["acme", "beta"] } });
    const findings = usagePlanKeyMovedFindings(deployed, next, "dev");
    expect(findings.map((f) => f.resource).sort()).toEqual(["aws:apigateway/usagePlanKey:UsagePlanKey api-plan-standard-acme", "aws:apigateway/usagePlanKey:UsagePlanKey api-plan-standard-beta"]);
    expect(findings[0]).toMatchObject({ rule: "TransitionUsagePlanKeyMoved", stack: "dev" });
    expect(findings[0].problem).toMatch(/on stage prod, where the deployed usage plan key api-plan-basic-(acme|beta) holds it in another plan until the update deletes it/);
    // The same from a saved plan, as npm run plan -- --since reads it.
    expect(usagePlanKeyMovedFindings(toSavedPlan(deployed, { stack: "dev", region: "us-east-1" }).resources, next, "dev")).toHaveLength(2);
    // checkPlanTransition (npm run plan -- --since) runs it, and --accept takes its id.
    const all = checkPlanTransition(deployed, next, { stack: "dev", region: "us-east-1" });
    expect(all.filter((f) => f.rule === "TransitionUsagePlanKeyMoved")).toHaveLength(2);
    expect(checkPlanTransition(deployed, next, { stack: "dev", region: "us-east-1" }, { accept: all.filter((f) => f.rule === "TransitionUsagePlanKeyMoved").map((f) => `TransitionUsagePlanKeyMoved:${f.urn}`) }).filter((f) => f.rule === "TransitionUsagePlanKeyMoved")).toEqual([]);
  });

  it("finds a key moved from one plan to another on the same stage, and only that key", async () => {
    const deployed = await api({ free: { apiKeys: ["acme", "beta"] }, pro: { apiKeys: ["gamma"] } });
    const next = await api({ free: { apiKeys: ["beta"] }, pro: { apiKeys: ["gamma", "acme"] } });
    expect(usagePlanKeyMovedFindings(deployed, next).map((f) => f.resource)).toEqual(["aws:apigateway/usagePlanKey:UsagePlanKey api-plan-pro-acme"]);
  });

  it("finds nothing for a key added, kept, or moved to a plan of another stage", async () => {
    const stages = { dev: {}, prod: {} };
    const deployed = await api({ free: { apiKeys: ["acme"], stages: ["dev"] } }, stages);
    expect(usagePlanKeyMovedFindings(deployed, await api({ free: { apiKeys: ["acme", "beta"], stages: ["dev"] } }, stages))).toEqual([]);
    expect(usagePlanKeyMovedFindings(deployed, await api({ pro: { apiKeys: ["acme"], stages: ["prod"] } }, stages))).toEqual([]);
  });

  describe("a hand-built key whose plan changes (review 101)", () => {
    const stage = handBuilt("aws:apigateway/stage:Stage", "stage", { restApi: "r1", stageName: "prod" });
    const apiKey = handBuilt("aws:apigateway/apiKey:ApiKey", "acme", { name: "acme" });
    const plan = (name: string, more: object = {}) => handBuilt("aws:apigateway/usagePlan:UsagePlan", name, { name, apiStages: [{ apiId: "r1", stage: "prod" }] }, { propertyDependencies: { apiStages: [stage.urn] }, dependencies: [stage.urn], ...more });
    const planKey = (usagePlan: ReturnType<typeof plan>, more: object = {}) =>
      handBuilt("aws:apigateway/usagePlanKey:UsagePlanKey", "acme-key", { keyId: apiKey.id, keyType: "API_KEY", usagePlanId: usagePlan.id }, { propertyDependencies: { keyId: [apiKey.urn], usagePlanId: [usagePlan.urn] }, dependencies: [apiKey.urn, usagePlan.urn], ...more });
    const [basic, standard] = [plan("basic"), plan("standard")];
    const deployed = [stage, apiKey, basic, planKey(basic)];
    const saved = toSavedPlan(deployed, { stack: "dev", region: "us-east-1" }).resources;

    it("finds a hand-built usage plan key kept under its name but given a renamed plan (replaced create-first), unless it deletes before replacing", () => {
      const findings = usagePlanKeyMovedFindings(deployed, [stage, apiKey, standard, planKey(standard)], "dev");
      expect(findings.map((f) => f.resource)).toEqual(["aws:apigateway/usagePlanKey:UsagePlanKey acme-key"]);
      expect(findings[0].problem).toMatch(/^is replaced \(its usage plan or API key is another resource.*\) and adds the API key to a usage plan on stage prod, where its own deployed copy holds it in the old plan/);
      expect(findings[0].fix).toMatch(/^set deleteBeforeReplace: true on acme-key/);
      expect(usagePlanKeyMovedFindings(deployed, [stage, apiKey, standard, planKey(standard, { deleteBeforeReplace: true })])).toEqual([]);
      // Kept as it was: no replacement.
      expect(usagePlanKeyMovedFindings(deployed, deployed)).toEqual([]);
    });

    it("passes a key whose ignoreChanges holds usagePlanId (or everything): the engine diffs the deployed plan id back in, so nothing is replaced", () => {
      for (const ignoreChanges of [["usagePlanId"], ["*"]]) {
        const next = [stage, apiKey, basic, standard, planKey(standard, { ignoreChanges })];
        expect(usagePlanKeyMovedFindings(deployed, next)).toEqual([]);
        // From a saved plan too: it keeps the key's ids.
        expect(usagePlanKeyMovedFindings(saved, next)).toEqual([]);
      }
      // An ignoreChanges on another input does not keep it.
      expect(usagePlanKeyMovedFindings(deployed, [stage, apiKey, basic, standard, planKey(standard, { ignoreChanges: ["keyType"] })]).map((f) => f.resource)).toEqual(["aws:apigateway/usagePlanKey:UsagePlanKey acme-key"]);
    });

    it("finds a key replaced delete-first whose deployed copy is retained (retainOnDelete): the old association is never deleted", () => {
      const retained = [stage, apiKey, basic, planKey(basic, { retainOnDelete: true })];
      const findings = usagePlanKeyMovedFindings(retained, [stage, apiKey, standard, planKey(standard, { deleteBeforeReplace: true })]);
      expect(findings.map((f) => f.resource)).toEqual(["aws:apigateway/usagePlanKey:UsagePlanKey acme-key"]);
      expect(findings[0].problem).toMatch(/where its own deployed copy holds it in the old plan and is never deleted \(retainOnDelete\), even delete-first;/);
      expect(findings[0].fix).toMatch(/^deploy retainOnDelete: false on acme-key in an update of its own first/);
      // A retainOnDelete the update sets applies to the new copy only: the deployed one, not retained, is deleted first.
      expect(usagePlanKeyMovedFindings(deployed, [stage, apiKey, standard, planKey(standard, { deleteBeforeReplace: true, retainOnDelete: true })])).toEqual([]);
    });

    it("passes a plan renamed with aliases: the key is the same association", () => {
      const shared = (name: string, more: object = {}) => plan(name, { id: "plan-id", ...more });
      const old = shared("basic");
      const renamed = shared("standard", { aliases: [old.urn] });
      expect(usagePlanKeyMovedFindings([stage, apiKey, old, planKey(old)], [stage, apiKey, renamed, planKey(renamed)])).toEqual([]);
    });
  });
});
