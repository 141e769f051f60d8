/**
 * The account- and region-wide count quotas pass a plan (or a project) at the quota exactly, count only what counts
 * (custom Cognito domains, not prefix ones), and group by account and region as AWS counts: what a user relies on to
 * deploy up to the quota without a false alarm. The failing cases are the fixtures in fixtures/account-quotas.ts.
 */
import { describe, expect, it } from "vitest";
import {
  API_V2_VPC_LINK_COUNT,
  API_V2_VPC_LINK_COUNT_ACROSS_STACKS,
  API_VPC_LINK_COUNT,
  API_VPC_LINK_COUNT_ACROSS_STACKS,
  checkDeployRules,
  checkDeployWarnings,
  checkProjectDeployRules,
  checkProjectDeployWarnings,
  CLOUDFRONT_ACCOUNT_QUOTA_COUNT,
  CLOUDFRONT_ACCOUNT_QUOTAS_ACROSS_STACKS,
  COGNITO_CUSTOM_DOMAIN_COUNT,
  COGNITO_CUSTOM_DOMAIN_COUNT_ACROSS_STACKS,
  DEPLOY_RULES,
  DEPLOY_WARNING_RULES,
  IAM_ROLE_COUNT,
  IAM_ROLE_COUNT_ACROSS_STACKS,
  METRICS_INSIGHTS_ALARM_COUNT,
  METRICS_INSIGHTS_ALARM_COUNT_ACROSS_STACKS,
  PROJECT_DEPLOY_RULES,
  PROJECT_DEPLOY_WARNING_RULES,
  type StackPlan,
} from "../../testing/deploy-rules";
import { Monitoring } from "../../components/monitoring";
import { StaticSite } from "../../components/static-site";
import { UserAuth } from "../../components/user-auth";
import { record } from "../../testing/harness";
import { devContext } from "./fixture";
import { cloudFrontKinds, cognitoDomains, httpVpcLinks, insightsAlarms, prodContext, resourceServers, restVpcLinks, roles } from "./fixtures/account-quotas";

const rulesOf = (findings: Array<{ rule: string }>) => findings.map((f) => f.rule);
const allStackFindings = (graph: StackPlan["graph"], context = devContext) => [...checkDeployRules(graph, context), ...checkDeployWarnings(graph, context)];
const allProjectFindings = (stacks: StackPlan[]) => [...checkProjectDeployRules(stacks), ...checkProjectDeployWarnings(stacks)];

describe("account quotas: where each rule runs", () => {
  it("fails on the quota AWS does not raise (Cognito custom domains) and warns on the adjustable ones", () => {
    expect(DEPLOY_RULES).toContain(COGNITO_CUSTOM_DOMAIN_COUNT);
    expect(PROJECT_DEPLOY_RULES).toContain(COGNITO_CUSTOM_DOMAIN_COUNT_ACROSS_STACKS);
    for (const rule of [CLOUDFRONT_ACCOUNT_QUOTA_COUNT, IAM_ROLE_COUNT, API_VPC_LINK_COUNT, API_V2_VPC_LINK_COUNT, METRICS_INSIGHTS_ALARM_COUNT]) {
      expect(DEPLOY_WARNING_RULES, rule.id).toContain(rule);
      expect(DEPLOY_RULES, rule.id).not.toContain(rule);
    }
    for (const rule of [CLOUDFRONT_ACCOUNT_QUOTAS_ACROSS_STACKS, IAM_ROLE_COUNT_ACROSS_STACKS, API_VPC_LINK_COUNT_ACROSS_STACKS, API_V2_VPC_LINK_COUNT_ACROSS_STACKS, METRICS_INSIGHTS_ALARM_COUNT_ACROSS_STACKS]) {
      expect(PROJECT_DEPLOY_WARNING_RULES, rule.id).toContain(rule);
      expect(PROJECT_DEPLOY_RULES, rule.id).not.toContain(rule);
    }
  });
});

describe("account quotas: a plan at the quota exactly passes", () => {
  it("20 custom cache, origin request and response headers policies each, 100 origin access controls, 50 key value stores", () => {
    expect(allStackFindings(cloudFrontKinds({ cache: 20, originRequest: 20, headers: 20, oac: 100, kvs: 50 }))).toEqual([]);
  });

  it("4 Cognito custom domains, beside any number of prefix domains (a prefix domain is not a custom domain)", () => {
    expect(allStackFindings(cognitoDomains(4, 6))).toEqual([]);
  });

  // "Custom domains per Region | 4 | No" (review 29 F2): five custom domains, three in one region and two in another.
  it("4 Cognito custom domains in each region: the quota is per region", () => {
    const west = cognitoDomains(2, 0, "west").map((d) => ({ ...d, inputs: { ...d.inputs, region: "eu-west-1" } }));
    expect(allStackFindings([...cognitoDomains(3), ...west])).toEqual([]);
  });

  it("1,000 IAM roles", () => expect(allStackFindings(roles(1000))).toEqual([]));

  // A plan recorded at preview may not know a new pool's id: such servers cannot be told apart by pool, and are not
  // lumped into one "undefined" pool of their own.
  it("25 resource servers on each of two pools, and servers whose pool id the plan does not know", () => {
    const unknownPool = resourceServers(30, "x", "unknown").map((server) => ({ ...server, inputs: { ...server.inputs, userPoolId: undefined } }));
    expect(allStackFindings([...resourceServers(25, "us-east-1_One"), ...resourceServers(25, "us-east-1_Two", "two"), ...unknownPool]).filter((f) => f.rule === "CognitoResourceServerCount")).toEqual([]);
  });

  it("20 REST and 10 HTTP API VPC links in each of two regions: the quota is per region", () => {
    const graph = [...restVpcLinks(20), ...restVpcLinks(20, "eu-west-1", "eu"), ...httpVpcLinks(10), ...httpVpcLinks(10, "eu-west-1", "eu")];
    expect(allStackFindings(graph)).toEqual([]);
  });

  it("counts VPC links where they are created: a link whose region input is the stack's own counts with the stack's", () => {
    const graph = [...restVpcLinks(20, "eu-west-1"), ...restVpcLinks(1, "eu-west-1", "more")];
    expect(rulesOf(checkDeployWarnings(graph, { ...devContext, region: "eu-west-1" }))).toEqual(["ApiVpcLinkCount"]);
    expect(rulesOf(checkDeployWarnings([...restVpcLinks(20, "eu-west-1"), ...restVpcLinks(1, "us-east-1", "more")], devContext))).toEqual([]);
  });
});

// Review 109 #5: 200 Metrics Insights alarms per account and region (alarm-limits.html).
describe("account quotas: Metrics Insights alarms", () => {
  const insightsWarnings = (graph: StackPlan["graph"], context = devContext) => rulesOf(checkDeployWarnings(graph, context)).filter((id) => id === "MetricsInsightsAlarmCount");

  it("passes 200 in each of two regions, and counts a query in any case (select …) past 200", () => {
    expect(insightsWarnings([...insightsAlarms(200), ...insightsAlarms(200, "eu-west-1", "eu")])).toEqual([]);
    expect(insightsWarnings([...insightsAlarms(200), ...insightsAlarms(1, "us-east-1", "lower", "select")])).toEqual(["MetricsInsightsAlarmCount"]);
  });

  it("counts Monitoring's table alarms: 101 tables make 202 Metrics Insights alarms", async () => {
    const tables = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`t${i + 1}`, { tableName: `table-${i + 1}` }]));
    const graph = await record(() => new Monitoring("ops", { tables, dashboard: false }));
    expect(insightsWarnings(graph)).toEqual(["MetricsInsightsAlarmCount"]);
  });
});

describe("account quotas on what the components create", () => {
  it("a plan of 21 StaticSites warns: each site has its own cache policy and response headers policy", async () => {
    const graph = await record(() => {
      for (let i = 1; i <= 21; i++) new StaticSite(`site${i}`, { path: "tests/fixtures/site" });
    });
    const warnings = checkDeployWarnings(graph, devContext).filter((f) => f.rule === "CloudFrontAccountQuotas");
    expect(warnings.map((f) => f.problem)).toEqual([
      expect.stringMatching(/^is the plan's 21st custom cache policy;/),
      expect.stringMatching(/^is the plan's 21st custom response headers policy;/),
    ]);
  });

  // UserAuth does not refuse a 26th resource server (the quota may have been raised, up to 300): the warning comes from
  // CognitoResourceServerCount, on the server over the quota, naming the pool and how to raise the quota.
  it("a UserAuth with 26 resourceServers warns on the 26th (Cognito's default 25 per user pool); 25 do not", async () => {
    const servers = (n: number) => Array.from({ length: n }, (_, i) => ({ identifier: `api${i + 1}`, name: `API ${i + 1}`, scopes: [{ name: "read", description: "Read" }] }));
    const base = { callbackUrls: ["https://gallery.example.com/"], identityPool: { enabled: false } };
    const warningsOf = async (n: number) => {
      const graph = await record(() => new UserAuth("quota", { ...base, resourceServers: servers(n) }));
      expect(checkDeployRules(graph, devContext)).toEqual([]);
      return checkDeployWarnings(graph, devContext).filter((f) => f.rule === "CognitoResourceServerCount");
    };
    expect(await warningsOf(25)).toEqual([]);
    const [warning, ...more] = await warningsOf(26);
    expect(more).toEqual([]);
    expect(warning.resource).toBe("aws:cognito/resourceServer:ResourceServer quota-resource-server-api26");
    expect(warning.problem).toMatch(/^is the plan's 26th Cognito resource server on user pool quota-pool \(.+\); the default quota is 25 per user pool, with the pool's others made outside the plan: unless the account's quota was raised, CreateResourceServer is refused \(LimitExceededException\)$/);
    expect(warning.fix).toMatch(/^ask for a quota increase \(Service Quotas: Amazon Cognito User Pools "Resource servers per user pool", up to 300\), or merge resource servers: one server can hold up to 100 scopes: the plan has 26 on user pool quota-pool/);
  });
});

describe("account quotas across the project's stacks", () => {
  it("passes stacks of one account at the quota exactly together", () => {
    expect(allProjectFindings([{ graph: cognitoDomains(2, 0, "dev"), context: devContext }, { graph: cognitoDomains(2, 0, "prod"), context: prodContext }])).toEqual([]);
    expect(allProjectFindings([{ graph: roles(500), context: devContext }, { graph: roles(500), context: prodContext }])).toEqual([]);
  });

  it("does not add up stacks of different known accounts", () => {
    const stacks: StackPlan[] = [
      { graph: [...cognitoDomains(3, 0, "dev"), ...cloudFrontKinds({ cache: 15, originRequest: 0, headers: 15, oac: 15, kvs: 0 })], context: { ...devContext, account: "111111111111" } },
      { graph: [...cognitoDomains(3, 0, "prod"), ...cloudFrontKinds({ cache: 15, originRequest: 0, headers: 15, oac: 15, kvs: 0 })], context: { ...prodContext, account: "222222222222" } },
    ];
    expect(allProjectFindings(stacks)).toEqual([]);
  });

  it("takes stacks without a known account as one account (ApiGatewayAccountSingleOwner's convention), but not with a stack whose account is known", () => {
    const unknown = allProjectFindings([{ graph: cognitoDomains(3, 0, "dev"), context: devContext }, { graph: cognitoDomains(3, 0, "prod"), context: prodContext }]);
    expect(rulesOf(unknown)).toEqual(["CognitoCustomDomainCountAcrossStacks"]);
    const oneKnown = allProjectFindings([{ graph: cognitoDomains(3, 0, "dev"), context: devContext }, { graph: cognitoDomains(3, 0, "prod"), context: { ...prodContext, account: "222222222222" } }]);
    expect(oneKnown).toEqual([]);
  });

  it("adds up VPC links per region: stacks of one account in two regions do not share the quota", () => {
    expect(allProjectFindings([{ graph: restVpcLinks(15), context: devContext }, { graph: restVpcLinks(15, "eu-west-1"), context: { ...prodContext, region: "eu-west-1" } }])).toEqual([]);
    expect(allProjectFindings([{ graph: httpVpcLinks(6), context: devContext }, { graph: httpVpcLinks(6, "eu-west-1"), context: { ...prodContext, region: "eu-west-1" } }])).toEqual([]);
  });

  it("leaves a stack over the quota alone to the stack rule: no second finding from the project rule", () => {
    const stacks: StackPlan[] = [{ graph: cognitoDomains(5, 0, "dev"), context: devContext }, { graph: cognitoDomains(1, 0, "prod"), context: prodContext }];
    expect(rulesOf(checkProjectDeployRules(stacks))).toEqual([]);
    expect(rulesOf(checkDeployRules(stacks[0].graph, devContext))).toEqual(["CognitoCustomDomainCount"]);
  });
});
