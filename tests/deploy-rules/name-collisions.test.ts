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

describe("PhysicalNameUnique on RDS names and schedules", () => {
  const unique = (graph: ReturnType<typeof handBuilt>[]) => checkDeployRules(graph, devContext).filter((f) => f.rule === "PhysicalNameUnique").map(formatFinding);

  // API_CreateDBSubnetGroup: "This value is stored as a lowercase string" (the provider takes lower case only, so such
  // a pair is also PhysicalNameLimits' finding; here the comparison alone).
  it("compares DB subnet group names without letter case, as RDS stores them", () => {
    const group = (name: string, value: string) => handBuilt("aws:rds/subnetGroup:SubnetGroup", name, { name: value, subnetIds: ["subnet-a", "subnet-b"] });
    expect(unique([group("subnets-a", "gallery-db"), group("subnets-b", "Gallery-DB")])).toEqual([expect.stringMatching(/\] aws:rds\/subnetGroup:SubnetGroup subnets-b: has name "Gallery-DB", as subnets-a does \("gallery-db"\), in us-east-1; DB subnet group names are unique there/)]);
  });

  it("offers no autoname in the fix for an RDS identifier (pulumi-aws's autonaming of these types not read), and compares schedules per group and region", () => {
    const cluster = (name: string) => handBuilt("aws:rds/cluster:Cluster", name, { engine: "aurora-postgresql", clusterIdentifier: "gallery-db" });
    expect(unique([cluster("c-a"), cluster("c-b")])).toEqual([expect.stringMatching(/Fix: give each Aurora DB cluster identifier its own clusterIdentifier$/)]);
    const schedule = (name: string, more: Record<string, unknown>) => handBuilt("aws:scheduler/schedule:Schedule", name, { name: "nightly", scheduleExpression: "rate(1 day)", ...more });
    expect(unique([schedule("s-a", { groupName: "reports" }), schedule("s-b", { groupName: "reports", region: "eu-west-1" }), schedule("s-c", { groupName: "other" })])).toEqual([]);
    expect(unique([schedule("s-a", { groupName: "reports" }), schedule("s-b", { groupName: "reports" })])).toEqual([expect.stringMatching(/Fix: give each schedule its own name \(or leave name unset for Pulumi's autoname\)$/)]);
  });
});
