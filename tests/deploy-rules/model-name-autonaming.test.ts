/**
 * PhysicalNameLimits' fix for a REST API model named by `pulumi:autonaming`: CreateModel documents no length, so the
 * 255 the rule measures is pulumi-aws's maximum for the names it makes, and a fix must not give it as AWS's (it said "a
 * REST API model name of at most 255 characters AWS takes", an enforced or verbatim name included).
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, DEPLOY_RULES } from "../../testing/deploy-rules";
import { parseAutonaming, rulesUnderAutonaming } from "../../testing/deploy-rules/autonaming";
import { devContext, handBuilt } from "./fixture";

describe("PhysicalNameLimits under pulumi:autonaming: a REST API model", () => {
  const stackWith = (autonaming: unknown) => ({ project: "serverless-fullstack", stack: "dev", values: { "pulumi:autonaming": JSON.stringify(autonaming) }, objectKeys: ["pulumi:autonaming"] });
  const fixOf = (autonaming: unknown) => {
    const graph = [handBuilt("aws:apigateway/model:Model", "photo-body", { restApi: "api-id", contentType: "application/json", schema: "{}" })];
    const rules = rulesUnderAutonaming(DEPLOY_RULES, parseAutonaming(stackWith(autonaming)).config!);
    return checkDeployRules(graph, devContext, rules).filter((f) => f.rule === "PhysicalNameLimits").map((f) => f.fix.split(")")[0]);
  };

  // CreateModel documents no length: 255 is pulumi-aws's maximum for the names it makes, which an enforced pattern or
  // mode verbatim skips, so those fixes give no length, and a pattern's names AWS's characters and pulumi-aws's 255.
  it("gives pulumi-aws's 255 as pulumi-aws's for a pattern, and no length for an enforced or verbatim name", () => {
    expect(fixOf({ pattern: "${name}_${hex(4)}" })).toEqual(["change pulumi:autonaming so the name fits (a REST API model name AWS takes, at most 255 characters: pulumi-aws's maximum for a name it makes"]);
    expect(fixOf({ pattern: "${name}_${hex(4)}", enforce: true })).toEqual(["change pulumi:autonaming so the name fits (a REST API model name AWS takes"]);
    expect(fixOf({ mode: "verbatim" })).toEqual(["change pulumi:autonaming so the name fits (a REST API model name AWS takes"]);
  });
});
