/**
 * Every deploy rule fails on at least one fixture, and each fixture fails exactly its rule, with
 * the findings listed (resource, problem). The coverage test walks DEPLOY_RULES and
 * PROJECT_DEPLOY_RULES, so a rule added without a failing fixture fails here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as pack from "../../testing/deploy-rules";
import { checkDeployRules, checkDeployWarnings, checkProjectDeployRules, checkProjectDeployWarnings, DEPLOY_RULES, DEPLOY_WARNING_RULES, PROJECT_DEPLOY_RULES, PROJECT_DEPLOY_WARNING_RULES, type DeployRule } from "../../testing/deploy-rules";
import type { DeployFinding } from "../../testing/deploy-rules";
import { devContext, matches, type ProjectFixture, type RuleFixture } from "./fixture";
import { APIGATEWAY_FIXTURES, APIGATEWAY_PROJECT_FIXTURES } from "./fixtures/apigateway";
import { APIGATEWAYV2_FIXTURES, APIGATEWAYV2_PROJECT_FIXTURES, APIGATEWAYV2_WARNING_FIXTURES } from "./fixtures/apigatewayv2";
import { CLOUDFRONT_FIXTURES, CLOUDFRONT_PROJECT_FIXTURES, CLOUDFRONT_WARNING_FIXTURES, HSTS_MAX_AGE_FIXTURES, KEY_VALUE_STORE_FIXTURES, LAMBDA_EDGE_FIXTURES } from "./fixtures/cloudfront";
import { COGNITO_FIXTURES, COGNITO_PROJECT_FIXTURES } from "./fixtures/cognito";
import { DYNAMODB_FIXTURES } from "./fixtures/dynamodb";
import { EVENT_FIXTURES } from "./fixtures/events";
import { EVENTBRIDGE_FIXTURES } from "./fixtures/eventbridge";
import { IAM_FIXTURES, IAM_WARNING_FIXTURES } from "./fixtures/iam";
import { LAMBDA_FIXTURES, S3_FIXTURES } from "./fixtures/lambda-s3";
import { LAMBDA_EDGE_PROVISIONED_FIXTURES } from "./fixtures/lambda-edge-provisioned";
import { LAMBDA_EDGE_SETTINGS_WARNING_FIXTURES } from "./fixtures/lambda-edge-settings";
import { TAG_FIXTURES } from "./fixtures/tags";
import { WAF_FIXTURES } from "./fixtures/waf";
import { CLOUDWATCH_FIXTURES } from "./fixtures/cloudwatch";
import { LOG_GROUP_KEY_ORDER_FIXTURES } from "./fixtures/log-group-key-order";
import { CLOUDFRONT_CACHED_API_WARNING_FIXTURES } from "./fixtures/cloudfront-cached-api";
import { CLOUDFRONT_BEHAVIOUR_FIXTURES, CLOUDFRONT_BEHAVIOUR_WARNING_FIXTURES } from "./fixtures/cloudfront-behaviours";
import { ALARM_DIMENSION_WARNING_FIXTURES } from "./fixtures/alarm-dimensions";
import { ALARM_DIMENSION_LIMIT_FIXTURES } from "./fixtures/alarm-dimension-limits";
import { BACKUP_FIXTURES } from "./fixtures/backup";
import { VPC_FIXTURES } from "./fixtures/vpc";
import { REPLICATION_FIXTURES, ROUTE53_FIXTURES, ROUTE53_PROJECT_FIXTURES } from "./fixtures/route53";
import { NAME_FIXTURES } from "./fixtures/names";
import { NAME_COLLISION_FIXTURES } from "./fixtures/name-collisions";
import { SECRET_FIXTURES } from "./fixtures/secrets";
import { SECRET_VERSION_FIXTURES } from "./fixtures/secret-versions";
import { S3_REVIEW_112_FIXTURES } from "./fixtures/s3-review-112";
import { SNS_FIXTURES } from "./fixtures/sns";
import { SQS_FIXTURES } from "./fixtures/sqs";
import { KINESIS_FIXTURES, KINESIS_WARNING_FIXTURES } from "./fixtures/kinesis";
import { KEY_POLICY_FIXTURES } from "./fixtures/key-policy";
import { API_AUTHORIZER_FIXTURES } from "./fixtures/api-authorizers";
import { API_STAGE_LOGGING_FIXTURES } from "./fixtures/api-stage-logging";
import { API_USAGE_PLAN_FIXTURES } from "./fixtures/api-usage-plans";
import { DEPLOYMENT_TRIGGER_FIXTURES } from "./fixtures/deployment-triggers";
import { ONE_POLICY_FIXTURES } from "./fixtures/one-policy";
import { RDS_FIXTURES } from "./fixtures/rds";
import { STATES_FIXTURES, STATES_WARNING_FIXTURES } from "./fixtures/states";
import { TRUST_CONDITION_FIXTURES } from "./fixtures/trust-conditions";
import { TRUST_CONDITION_MORE_FIXTURES } from "./fixtures/trust-conditions-more";
import { DESCRIPTION_FIXTURES } from "./fixtures/descriptions";
import { ACM_FIXTURES, ACM_WARNING_FIXTURES } from "./fixtures/acm";
import { REGION_FIXTURES } from "./fixtures/region";
import { PROPERTY_PATH_FIXTURES } from "./fixtures/property-paths";
import { INPUT_REFUSAL_FIXTURES, INPUT_REFUSAL_WARNING_FIXTURES } from "./fixtures/input-refusals";
import { ACCOUNT_QUOTA_FIXTURES, ACCOUNT_QUOTA_PROJECT_FIXTURES, ACCOUNT_QUOTA_PROJECT_WARNING_FIXTURES, ACCOUNT_QUOTA_WARNING_FIXTURES } from "./fixtures/account-quotas";

const FIXTURES: RuleFixture[] = [...CLOUDFRONT_FIXTURES, ...CLOUDFRONT_BEHAVIOUR_FIXTURES, ...KEY_VALUE_STORE_FIXTURES, ...HSTS_MAX_AGE_FIXTURES, ...LAMBDA_EDGE_FIXTURES, ...LAMBDA_EDGE_PROVISIONED_FIXTURES, ...APIGATEWAY_FIXTURES, ...APIGATEWAYV2_FIXTURES, ...COGNITO_FIXTURES, ...DYNAMODB_FIXTURES, ...LAMBDA_FIXTURES, ...S3_FIXTURES, ...S3_REVIEW_112_FIXTURES, ...EVENT_FIXTURES, ...EVENTBRIDGE_FIXTURES, ...SQS_FIXTURES, ...SNS_FIXTURES, ...STATES_FIXTURES, ...TRUST_CONDITION_FIXTURES, ...TRUST_CONDITION_MORE_FIXTURES, ...IAM_FIXTURES, ...TAG_FIXTURES, ...WAF_FIXTURES, ...CLOUDWATCH_FIXTURES, ...LOG_GROUP_KEY_ORDER_FIXTURES, ...ALARM_DIMENSION_LIMIT_FIXTURES, ...BACKUP_FIXTURES, ...VPC_FIXTURES, ...ROUTE53_FIXTURES, ...REPLICATION_FIXTURES, ...NAME_FIXTURES, ...NAME_COLLISION_FIXTURES, ...DESCRIPTION_FIXTURES, ...SECRET_FIXTURES, ...SECRET_VERSION_FIXTURES, ...ACM_FIXTURES, ...REGION_FIXTURES, ...ACCOUNT_QUOTA_FIXTURES, ...KINESIS_FIXTURES, ...RDS_FIXTURES, ...ONE_POLICY_FIXTURES, ...API_AUTHORIZER_FIXTURES, ...API_USAGE_PLAN_FIXTURES, ...API_STAGE_LOGGING_FIXTURES, ...DEPLOYMENT_TRIGGER_FIXTURES, ...KEY_POLICY_FIXTURES, ...PROPERTY_PATH_FIXTURES, ...INPUT_REFUSAL_FIXTURES];
const PROJECT_FIXTURES: ProjectFixture[] = [...APIGATEWAY_PROJECT_FIXTURES, ...APIGATEWAYV2_PROJECT_FIXTURES, ...COGNITO_PROJECT_FIXTURES, ...CLOUDFRONT_PROJECT_FIXTURES, ...ROUTE53_PROJECT_FIXTURES, ...ACCOUNT_QUOTA_PROJECT_FIXTURES];
/** Fixtures of the project warning rules: each warns by its rule only, and fails no rule of PROJECT_DEPLOY_RULES. */
const PROJECT_WARNING_FIXTURES: ProjectFixture[] = [...ACCOUNT_QUOTA_PROJECT_WARNING_FIXTURES];
/** Fixtures of the warning rules: each warns by its rule only, and fails no rule of DEPLOY_RULES. */
const WARNING_FIXTURES: RuleFixture[] = [...ACM_WARNING_FIXTURES, ...APIGATEWAYV2_WARNING_FIXTURES, ...CLOUDFRONT_WARNING_FIXTURES, ...CLOUDFRONT_CACHED_API_WARNING_FIXTURES, ...CLOUDFRONT_BEHAVIOUR_WARNING_FIXTURES, ...LAMBDA_EDGE_SETTINGS_WARNING_FIXTURES, ...ALARM_DIMENSION_WARNING_FIXTURES, ...IAM_WARNING_FIXTURES, ...STATES_WARNING_FIXTURES, ...ACCOUNT_QUOTA_WARNING_FIXTURES, ...KINESIS_WARNING_FIXTURES, ...INPUT_REFUSAL_WARNING_FIXTURES];
/** Every rule of the pack: stack and project, failing and warning. */
const ALL_RULES = [...DEPLOY_RULES, ...PROJECT_DEPLOY_RULES, ...DEPLOY_WARNING_RULES, ...PROJECT_DEPLOY_WARNING_RULES];

/**
 * A fixture's findings, worked out once per file: the coverage test ("the pack") reads every fixture's findings again,
 * which repeated each check (≈0.9 of the file's 3.7 test-seconds; issue 15). A fixture's findings depend only on its
 * build (recordings memoised by `once`, never mutated: fixture.ts) and the pure rules, so either test may compute them.
 */
function perFixture<F extends object, T>(check: (fixture: F) => Promise<T>): (fixture: F) => Promise<T> {
  const made = new WeakMap<F, Promise<T>>();
  return (fixture) => {
    if (!made.has(fixture)) made.set(fixture, check(fixture));
    return made.get(fixture)!;
  };
}

const findingsOf = perFixture(async (fixture: RuleFixture) => checkDeployRules(await fixture.build(), { ...devContext, ...fixture.context }));

const warningsOf = perFixture(async (fixture: RuleFixture) => {
  const graph = await fixture.build();
  const context = { ...devContext, ...fixture.context };
  return [...checkDeployRules(graph, context), ...checkDeployWarnings(graph, context)];
});

const projectFindingsOf = perFixture(async (fixture: ProjectFixture) => checkProjectDeployRules(await fixture.build()));

const projectWarningsOf = perFixture(async (fixture: ProjectFixture) => {
  const stacks = await fixture.build();
  return [...checkProjectDeployRules(stacks), ...checkProjectDeployWarnings(stacks)];
});

describe("a fixture's expected findings are exact", () => {
  const finding = (resource: string, problem = "is wrong"): DeployFinding => ({ rule: "R", resource, problem, fix: "fix it", stack: "dev" });
  const expected = [{ resource: "T a", problem: /wrong/ }];

  it("passes when the rule reports exactly the expected findings", () => expect(matches("R", [finding("T a")], expected)).toEqual([]));
  it("fails a rule that reports the expected finding twice", () => expect(matches("R", [finding("T a"), finding("T a")], expected)).toEqual([expect.stringMatching(/^unexpected R finding: T a: is wrong/)]));
  it("fails a rule that reports a further resource", () => expect(matches("R", [finding("T a"), finding("T b")], expected)).toEqual([expect.stringMatching(/^unexpected R finding: T b: is wrong/)]));
  it("fails a rule that reports the finding on another resource", () =>
    expect(matches("R", [finding("T b")], expected)).toEqual([expect.stringMatching(/^unexpected R finding: T b/), expect.stringMatching(/^missing R finding on T a/)]));
  it("counts a finding expected `count` times", () => {
    expect(matches("R", [finding("T a"), finding("T a")], [{ ...expected[0], count: 2 }])).toEqual([]);
    expect(matches("R", [finding("T a")], [{ ...expected[0], count: 2 }])).toEqual([expect.stringMatching(/^missing R finding on T a/)]);
  });
  it("fails findings of any other rule", () => expect(matches("R", [finding("T a"), { ...finding("T a"), rule: "S" }], expected)).toEqual([expect.stringMatching(/^unexpected S finding/)]));
});

describe("deploy rules fail on their fixtures, and only those rules", () => {
  it.each(FIXTURES.map((f) => [`${f.rule}: ${f.title}`, f] as const))("%s", async (_, fixture) => {
    expect(matches(fixture.rule, await findingsOf(fixture), fixture.expected)).toEqual([]);
  });

  it.each(PROJECT_FIXTURES.map((f) => [`${f.rule}: ${f.title}`, f] as const))("%s", async (_, fixture) => {
    expect(matches(fixture.rule, await projectFindingsOf(fixture), fixture.expected)).toEqual([]);
  });

  it.each(WARNING_FIXTURES.map((f) => [`${f.rule} (warning): ${f.title}`, f] as const))("%s", async (_, fixture) => {
    expect(matches(fixture.rule, await warningsOf(fixture), fixture.expected)).toEqual([]);
  });

  it.each(PROJECT_WARNING_FIXTURES.map((f) => [`${f.rule} (project warning): ${f.title}`, f] as const))("%s", async (_, fixture) => {
    expect(matches(fixture.rule, await projectWarningsOf(fixture), fixture.expected)).toEqual([]);
  });
});

describe("the pack", () => {
  it("has a fixture proven to fail every rule in DEPLOY_RULES and PROJECT_DEPLOY_RULES", async () => {
    const proven = new Set<string>();
    for (const fixture of FIXTURES) for (const f of await findingsOf(fixture)) if (f.rule === fixture.rule) proven.add(f.rule);
    for (const fixture of PROJECT_FIXTURES) for (const f of await projectFindingsOf(fixture)) if (f.rule === fixture.rule) proven.add(f.rule);
    for (const fixture of WARNING_FIXTURES) for (const f of await warningsOf(fixture)) if (f.rule === fixture.rule) proven.add(f.rule);
    for (const fixture of PROJECT_WARNING_FIXTURES) for (const f of await projectWarningsOf(fixture)) if (f.rule === fixture.rule) proven.add(f.rule);
    const ids = ALL_RULES.map((r) => r.id);
    expect(ids.filter((id) => !proven.has(id))).toEqual([]);
  });

  it("gives every rule a unique id, a title and an AWS documentation source (the Pulumi engine's rules: its source at a pinned commit)", () => {
    const rules = ALL_RULES;
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.title, rule.id).not.toBe("");
      // What the engine (not AWS) refuses has no AWS page: its source, pinned, is the reference.
      const engineRule = pack.PROPERTY_PATH_RULES.some((engine) => engine.id === rule.id);
      expect(rule.source, rule.id).toMatch(engineRule ? /^https:\/\/github\.com\/pulumi\/pulumi\/blob\/[0-9a-f]{40}\// : /^https:\/\/docs\.aws\.amazon\.com\//);
    }
  });

  it("puts every rule of DEPLOY_RULES and DEPLOY_WARNING_RULES in exactly one exported per-service list (CLOUDFRONT_RULES, WAF_RULES, ACM_WARNING_RULES, ...), which compose them", () => {
    // Users compose their own sets from the per-service lists, so a rule outside them would be silently missed.
    const lists = Object.entries(pack).filter(([name, value]) => /_RULES$/.test(name) && !["DEPLOY_RULES", "PROJECT_DEPLOY_RULES", "DEPLOY_WARNING_RULES", "PROJECT_DEPLOY_WARNING_RULES"].includes(name) && Array.isArray(value)) as Array<[string, DeployRule[]]>;
    const homes = (rule: DeployRule) => lists.filter(([, list]) => list.includes(rule)).map(([name]) => name);
    expect([...DEPLOY_RULES, ...DEPLOY_WARNING_RULES].map((rule) => [rule.id, homes(rule)]).filter(([, names]) => names.length !== 1)).toEqual([]);
    expect(homes(pack.CLOUDFRONT_KEY_VALUE_STORE)).toEqual(["CLOUDFRONT_RULES"]);
  });

  it("documents every rule with its source in docs/deploy-rules.md", () => {
    const rows = readFileSync(join(__dirname, "../../docs/deploy-rules.md"), "utf8").split("\n").filter((line) => line.startsWith("| `"));
    for (const rule of ALL_RULES) {
      const row = rows.find((line) => line.startsWith(`| \`${rule.id}\` |`));
      expect(row, rule.id).toBeDefined();
      expect(row!.endsWith(`| ${rule.source} |`), `${rule.id} cites ${rule.source}`).toBe(true);
    }
    expect(rows).toHaveLength(ALL_RULES.length);
  });
});
