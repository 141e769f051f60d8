/**
 * ApiDeploymentTriggerReplacedFirst under the stack's `pulumi:autonaming`: under `mode: verbatim`, `disabled` or a
 * pattern with no random part the engine replaces every custom resource delete-first, over an explicit
 * `deleteBeforeReplace: false` and whether or not the program names it (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go continueStepsFromImport, at 1b5949891b3cefcb9974752b24a5ecef0acc86c8;
 * naming-delete-first.ts). So a part a deployment's triggers name is deleted first, and so is the deployment itself
 * whenever its triggers change, while the stage still serves it (DeleteDeployment refused).
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkDeployRules, DEPLOY_RULES } from "../../testing/deploy-rules";
import { configuredNaming, parseAutonaming, rulesUnderAutonaming } from "../../testing/deploy-rules/autonaming";
import { apiDeploymentTriggerReplacedFirst } from "../../testing/deploy-rules/deployment-triggers";
import { record } from "../../testing/harness";
import { devContext } from "./fixture";
import { handBuiltNamedAuthorizer, handBuiltRest } from "./fixtures/deployment-triggers";

/** The stack's `pulumi:autonaming` as the engine reads it (undefined: unset). */
const config = (value?: unknown) => (value === undefined ? undefined : parseAutonaming({ project: "serverless-fullstack", stack: "dev", values: { "pulumi:autonaming": JSON.stringify(value) }, objectKeys: ["pulumi:autonaming"] }).config);
/** ApiDeploymentTriggerReplacedFirst's findings on `graph` under `autonaming` (the stack's config value). */
const under = (autonaming: unknown, graph: RecordedResource[]) => {
  const c = config(autonaming);
  return checkDeployRules(graph, devContext, [apiDeploymentTriggerReplacedFirst(c && configuredNaming(c))]);
};
const VERBATIM = { mode: "verbatim" };

describe("ApiDeploymentTriggerReplacedFirst under pulumi:autonaming", () => {
  it("judges a part the triggers name delete-first under mode verbatim, disabled or a pattern without a random part, and names the setting", () => {
    // The method is replaced create-first by default: only the integration (always delete-first) is named.
    const graph = handBuiltRest({ methodDeleteFirst: false });
    expect(under(undefined, graph).map((f) => f.problem)).toEqual([expect.not.stringMatching(/\bget \(in triggers/)]);
    for (const autonaming of [VERBATIM, { mode: "disabled" }, { pattern: "${name}-${stack}" }, { providers: { aws: { resources: { "aws:apigateway/method:Method": { mode: "verbatim" } } } } }]) {
      const [found] = under(autonaming, graph);
      expect(found?.problem, JSON.stringify(autonaming)).toMatch(/\bget \(in triggers; pulumi:autonaming[^)]* (mode verbatim|mode disabled|pattern "\$\{name\}-dev"), under which the engine replaces every custom resource delete-first/);
    }
  });

  it("takes the setting over an explicit deleteBeforeReplace: false, as the engine sets the goal's over it", () => {
    const createFirst = handBuiltNamedAuthorizer().map((r) => (r.name === "ws-authorizer" ? { ...r, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true } : r));
    expect(under(undefined, createFirst)).toEqual([]);
    expect(under(VERBATIM, createFirst).map((f) => f.problem)).toEqual([expect.stringMatching(/ws-authorizer \(in triggers; pulumi:autonaming mode verbatim/)]);
  });

  it("finds the deployment itself replaced delete-first when its triggers change, while the stage serves it, though its triggers name no part", () => {
    const detached = handBuiltRest({ methodDeleteFirst: true, detached: true });
    expect(under(undefined, detached)).toEqual([]);
    const found = under(VERBATIM, detached);
    expect(found.map((f) => f.resource)).toEqual(["aws:apigateway/deployment:Deployment deployment"]);
    expect(found[0].problem).toMatch(/^is itself replaced delete-first \(pulumi:autonaming mode verbatim, under which the engine replaces every custom resource delete-first\) whenever its triggers change; and stage serves it\./);
    expect(found[0].fix).toMatch(/providers\.aws\.resources\["aws:apigateway\/deployment:Deployment"\]: \{ pattern: "\$\{name\}-\$\{hex\(7\)\}" \}/);
    // Without triggers or variables nothing but its API replaces it, and that replaces the stage too.
    expect(under(VERBATIM, detached.map((r) => (r.name === "deployment" ? { ...r, inputs: { restApi: "api1" } } : r)))).toEqual([]);
    // No stage serves it: nothing refuses the delete.
    expect(under(VERBATIM, handBuiltRest({ methodDeleteFirst: true, detached: true, stage: false }))).toEqual([]);
  });

  it("leaves the judgement unchanged under Pulumi's default, a pattern with a random part, or another type's setting", () => {
    const graph = handBuiltRest({ methodDeleteFirst: false });
    const unset = under(undefined, graph);
    for (const autonaming of [{ mode: "default" }, { pattern: "${name}-${hex(7)}" }, { providers: { aws: { resources: { "aws:dynamodb/table:Table": { mode: "verbatim" } } } } }]) {
      expect(under(autonaming, graph), JSON.stringify(autonaming)).toEqual(unset);
    }
    expect(under(VERBATIM, handBuiltRest({ methodDeleteFirst: true, detached: true }).filter((r) => r.type !== "aws:apigateway/stage:Stage"))).toEqual([]);
  });

  it("is what the plan checks with (rulesUnderAutonaming, the one table of rules made under the naming): ServerlessApi's own deployment is found under verbatim, nothing under the default", async () => {
    const graph = await record(() => new ServerlessApi("rest", { routes: { "GET /a": { integration: { type: "mock", body: { ok: true } }, auth: "none" } } }));
    const rule = (rules: ReturnType<typeof rulesUnderAutonaming>) => rules.filter((r) => r.id === "ApiDeploymentTriggerReplacedFirst");
    expect(rulesUnderAutonaming(DEPLOY_RULES, undefined)).toEqual([...DEPLOY_RULES]);
    expect(checkDeployRules(graph, devContext, rule(rulesUnderAutonaming(DEPLOY_RULES, undefined)))).toEqual([]);
    // Made again under the config, in the rule's place: one rule of that id, not the default one beside it.
    expect(rule(rulesUnderAutonaming(DEPLOY_RULES, config(VERBATIM)))).toHaveLength(1);
    const found = checkDeployRules(graph, devContext, rule(rulesUnderAutonaming(DEPLOY_RULES, config(VERBATIM))));
    expect(found.map((f) => f.problem)).toEqual([expect.stringMatching(/^is itself replaced delete-first \(pulumi:autonaming mode verbatim/)]);
  });
});
