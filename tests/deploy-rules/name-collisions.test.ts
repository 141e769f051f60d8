/**
 * PhysicalNameUnique beside CognitoDomainPrefixUnique: one job each. Two prefix domains of one stack are the stack
 * rule's (scripts/plan.ts runs only the stack rules); one prefix claimed by two stacks is the project rule's, which
 * compares each claim with the other stacks' only (record-sets.ts sharedAcrossStacks, as CloudFrontAliasUniqueAcrossStacks).
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, checkProjectDeployRules, formatFinding } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
const domain = (name: string, prefix = "gallery-login") => handBuilt(DOMAIN, name, { domain: prefix, userPoolId: `${name}-pool` });
const prod = { ...devContext, stack: "prod", production: true };

/** Every finding of the stack rules over each stack and of the project rules over all, as rule and resource. */
function findings(stacks: Array<{ graph: ReturnType<typeof domain>[]; context: typeof devContext }>) {
  return [...stacks.flatMap(({ graph, context }) => checkDeployRules(graph, context)), ...checkProjectDeployRules(stacks)].map((f) => `${f.rule} ${f.stack ?? ""} ${f.resource}`.replace(/ +/g, " "));
}

describe("Cognito prefix domains: reported once, by one rule", () => {
  it("two prefix domains of one stack: PhysicalNameUnique's, not CognitoDomainPrefixUnique's", () => {
    const result = findings([{ graph: [domain("domain-a"), domain("domain-b")], context: devContext }]);
    expect(result.filter((f) => f.startsWith("CognitoDomainPrefixUnique"))).toEqual([]);
    expect(result.filter((f) => f.startsWith("PhysicalNameUnique"))).toEqual([`PhysicalNameUnique dev ${DOMAIN} domain-b`]);
  });

  it("one prefix in two stacks, twice in one of them: each domain against the other stack's (project rule), the repeat within the stack (stack rule)", () => {
    const stacks = [
      { graph: [domain("domain-a"), domain("domain-b")], context: devContext },
      { graph: [domain("domain-c")], context: prod },
    ];
    const project = checkProjectDeployRules(stacks).filter((f) => f.rule === "CognitoDomainPrefixUnique");
    expect(project.map(formatFinding)).toEqual([
      expect.stringMatching(/domain-a: claims gallery-login\.auth\.us-east-1\.amazoncognito\.com, as do prod: domain-c;/),
      expect.stringMatching(/domain-b: claims gallery-login\.auth\.us-east-1\.amazoncognito\.com, as do prod: domain-c;/),
      expect.stringMatching(/domain-c: claims gallery-login\.auth\.us-east-1\.amazoncognito\.com, as do dev: domain-a, dev: domain-b;/),
    ]);
    expect(findings(stacks).filter((f) => f.startsWith("PhysicalNameUnique"))).toEqual([`PhysicalNameUnique dev ${DOMAIN} domain-b`]);
  });
});

describe("PhysicalNameUnique's fix", () => {
  it("offers Pulumi's autoname for an event bus (pulumi-aws autonames EventBus `name`, optional in EventBusArgs)", () => {
    const bus = (name: string) => handBuilt("aws:cloudwatch/eventBus:EventBus", name, { name: "app-bus" });
    const [found] = checkDeployRules([bus("bus-a"), bus("bus-b")], devContext).filter((f) => f.rule === "PhysicalNameUnique");
    expect(found.fix).toBe("give each custom event bus its own name (or leave name unset for Pulumi's autoname)");
  });

  it("names the replica when a replicated table comes after a table of its name in the replica's region", () => {
    const table = (name: string, inputs: Record<string, unknown>) => handBuilt("aws:dynamodb/table:Table", name, { billingMode: "PAY_PER_REQUEST", hashKey: "pk", attributes: [{ name: "pk", type: "S" }], name: "ledger", ...inputs });
    const graph = [table("ledger-west", { region: "eu-west-1" }), table("ledger-global", { streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", replicas: [{ regionName: "eu-west-1" }, { regionName: "ap-south-1" }] })];
    expect(checkDeployRules(graph, devContext).map(formatFinding)).toEqual([
      'dev: [PhysicalNameUnique] aws:dynamodb/table:Table ledger-global: has name "ledger" (its replica), as ledger-west does, in eu-west-1; DynamoDB table names are unique there, so CreateTable refuses the second (ResourceInUseException), and a replica is not created where a table of its name is. Fix: give each DynamoDB table its own name (or leave name unset for Pulumi\'s autoname)',
    ]);
  });
});
