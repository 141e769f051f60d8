/** WebAcl on its own and as StaticSite's `waf`: every rule, the logging, the region, and the validation. */
import { describe, expect, it } from "vitest";
import { AUTONAME_SUFFIX_LENGTH } from "../../components/autoname";
import { StaticSite } from "../../components/static-site";
import { WebAcl, WebAclScope, type WebAclArgs } from "../../components/web-acl";
import { checkDeployRules, LOG_GROUP_NAME_UNIQUE, PHYSICAL_NAME_LIMITS, WAF_RULES, type DeployRuleContext } from "../../testing/deploy-rules";
import { ofType, record, resource, type RecordedResource } from "../harness/mocks";

const ACL = "aws:wafv2/webAcl:WebAcl";
const CONTEXT: DeployRuleContext = { stack: "test", production: false, region: "us-east-1" };
const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

describe("WebAcl", () => {
  it("builds a CLOUDFRONT web ACL in us-east-1: rate limit per IP, body size limit, then the managed groups, each with metrics", async () => {
    const graph = await record(() => new WebAcl("edge-waf", { rateLimit: 500 }));
    const acl = resource(graph, ACL, "edge-waf-acl");
    expect(acl.inputs).toMatchObject({ scope: "CLOUDFRONT", region: "us-east-1", defaultAction: { allow: {} }, visibilityConfig: visibility("edge-waf") });
    expect(acl.inputs.rules).toEqual([
      {
        name: "rate-limit-per-ip",
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: 500, evaluationWindowSec: 300, aggregateKeyType: "IP" } },
        visibilityConfig: visibility("edge-waf-rate-limit-per-ip"),
      },
      {
        name: "body-size-limit",
        priority: 1,
        action: { block: {} },
        statement: { sizeConstraintStatement: { comparisonOperator: "GT", size: 8192, fieldToMatch: { body: { oversizeHandling: "MATCH" } }, textTransformations: [{ priority: 0, type: "NONE" }] } },
        visibilityConfig: visibility("edge-waf-body-size-limit"),
      },
      ...["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"].map((name, index) => ({
        name,
        priority: 2 + index,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
        visibilityConfig: visibility(`edge-waf-${name}`),
      })),
    ]);
  });

  it("logs to an aws-waf-logs-<project>-<stack>-<name> group beside the web ACL, with retention, without session tokens", async () => {
    const graph = await record(() => new WebAcl("logged-waf", { logRetentionDays: 365 }));
    const group = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "logged-waf-logs");
    expect(group.inputs).toEqual({ name: "aws-waf-logs-serverless-fullstack-test-logged-waf", retentionInDays: 365, region: "us-east-1" });
    const logging = resource(graph, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "logged-waf-logging");
    expect(logging.inputs).toEqual({
      resourceArn: resource(graph, ACL, "logged-waf-acl").state.arn,
      logDestinationConfigs: [group.state.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      region: "us-east-1",
    });
  });

  // Review 109 #3: wafLogGroupName makes every character a log group refuses "-" (no hash, which would rename deployed
  // groups), so "a b" and "a-b" share a group name; the plan is refused by LogGroupNameUnique, with the WebAcls' fix.
  it("two WebAcls whose names differ only in characters a log group refuses fail the plan (LogGroupNameUnique), with a fix for WebAcl names", async () => {
    const graph = await record(() => {
      new WebAcl("a b");
      new WebAcl("a-b");
    });
    expect(LOG_GROUP_NAME_UNIQUE.check(graph, CONTEXT).map(({ resource, fix }) => ({ resource, fix }))).toEqual([
      { resource: "aws:cloudwatch/logGroup:LogGroup a-b-logs", fix: expect.stringMatching(/^give the WebAcls names that differ in letters, digits, /) },
    ]);
    expect(checkDeployRules(await record(() => [new WebAcl("a b"), new WebAcl("a_b")]), CONTEXT).filter((f) => f.rule === "LogGroupNameUnique")).toEqual([]);
  });

  it("replaces its logging configuration delete-first: the configuration is the web ACL's one, and the old copy's delete would end the new one's logging", async () => {
    // PutLoggingConfiguration replaces a web ACL's one configuration; terraform-provider-aws deletes by the web ACL's
    // ARN (the resource's id) and replaces on a new log_destination_configs, which a renamed stack's log group gives.
    const graph = await record(() => new WebAcl("renamed-waf"));
    const logging = resource(graph, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "renamed-waf-logging");
    expect(logging.deleteBeforeReplace).toBe(true);
  });

  it("switches the common rule set's own 8 KB body rule to count when the size rule allows more", async () => {
    const graph = await record(() => new WebAcl("big-waf", { maxBodyBytes: 16384 }));
    const common = resource(graph, ACL, "big-waf-acl").inputs.rules.find((r: any) => r.name === "AWSManagedRulesCommonRuleSet");
    expect(common.statement.managedRuleGroupStatement.ruleActionOverrides).toEqual([{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
  });

  it("builds a REGIONAL web ACL (and its logs) in the region asked for, with the rule groups asked for", async () => {
    const graph = await record(() => new WebAcl("api-waf", { scope: WebAclScope.Regional, region: "eu-west-1", managedRuleGroups: ["AWSManagedRulesSQLiRuleSet"], rateWindowSeconds: 60 }));
    const acl = resource(graph, ACL, "api-waf-acl");
    expect(acl.inputs).toMatchObject({ scope: "REGIONAL", region: "eu-west-1" });
    expect(acl.inputs.rules.map((r: any) => r.name)).toEqual(["rate-limit-per-ip", "body-size-limit", "AWSManagedRulesSQLiRuleSet"]);
    expect(acl.inputs.rules[0].statement.rateBasedStatement.evaluationWindowSec).toBe(60);
    expect(resource(graph, "aws:cloudwatch/logGroup:LogGroup", "api-waf-logs").inputs.region).toBe("eu-west-1");
  });

  /** Every CloudWatch metric name the web ACL and its rules publish under. */
  const metricNames = (acl: RecordedResource) => [acl.inputs.visibilityConfig.metricName, ...acl.inputs.rules.map((r: any) => r.visibilityConfig.metricName)];
  /** VisibilityConfig.MetricName: letters, digits, - and _, 1–128 characters (https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html). */
  const METRIC_NAME = /^[A-Za-z0-9_-]{1,128}$/;
  /** Every finding of the WAF rules and the physical-name limits on a plan: none means AWS takes its names. */
  const findings = (graph: RecordedResource[]) => checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }, [...WAF_RULES, PHYSICAL_NAME_LIMITS]);

  it("keeps a long name as its metric prefix when the ACL's own rules fit within 128 characters (metric history and alarms stay)", async () => {
    // 100 characters with the SQLi group (26): the longest metric name is 100 + 1 + "rate-limit-per-ip" or the group, 127.
    const name = "orders-api-".repeat(9) + "w";
    const graph = await record(() => new WebAcl(name, { managedRuleGroups: ["AWSManagedRulesSQLiRuleSet"] }));
    const acl = resource(graph, ACL, `${name}-acl`);
    expect(metricNames(acl)).toEqual([name, `${name}-rate-limit-per-ip`, `${name}-body-size-limit`, `${name}-AWSManagedRulesSQLiRuleSet`]);
    expect(findings(graph)).toEqual([]);
  });

  it("keeps a 110-character name with no managed groups (rate-limit-per-ip makes 128), and fits one of 111 the same way on every run", async () => {
    const fits = "a".repeat(110);
    const tooLong = "a".repeat(111);
    const graph = await record(() => {
      new WebAcl(fits, { managedRuleGroups: [] });
      new WebAcl(tooLong, { managedRuleGroups: [] });
    });
    const [kept, fitted] = ofType(graph, ACL);
    expect(metricNames(kept)).toEqual([fits, `${fits}-rate-limit-per-ip`, `${fits}-body-size-limit`]);
    // Cut to leave room for the longest rule WebAcl offers, so changing the groups later does not rename its metrics again.
    expect(fitted.inputs.visibilityConfig.metricName).toMatch(/^a{81}-[0-9a-f]{8}$/);
    expect(findings(graph)).toEqual([]);
    const again = await record(() => new WebAcl(tooLong, { managedRuleGroups: [] }));
    expect(metricNames(ofType(again, ACL)[0])).toEqual(metricNames(fitted));
  });

  it("names the web ACL <name>-acl while Pulumi's autoname of it (8 more characters) fits WAF's 128", async () => {
    const fits = "b".repeat(128 - AUTONAME_SUFFIX_LENGTH - "-acl".length);
    const graph = await record(() => {
      new WebAcl(fits, { managedRuleGroups: [] });
      new WebAcl(`${fits}b`, { managedRuleGroups: [] });
    });
    const [kept, fitted] = ofType(graph, ACL);
    expect(kept.name).toBe(`${"b".repeat(116)}-acl`);
    expect(fitted.name).toMatch(/^b{107}-[0-9a-f]{8}-acl$/);
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }, [PHYSICAL_NAME_LIMITS])).toEqual([]);
  });

  it("gives a long component name metric names and a web ACL name WAF accepts, distinct from another long name's", async () => {
    const base = "storefront-".repeat(10);
    const [one, two] = [`${base}a`.padEnd(120, "x"), `${base}b`.padEnd(120, "x")];
    const graph = await record(() => {
      new WebAcl(one);
      new WebAcl(two);
    });
    const acls = ofType(graph, ACL);
    expect(acls).toHaveLength(2);
    for (const acl of acls) {
      for (const name of metricNames(acl)) expect(name).toMatch(METRIC_NAME);
      expect(acl.name).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(acl.name.length + AUTONAME_SUFFIX_LENGTH).toBeLessThanOrEqual(128);
    }
    expect(new Set([...metricNames(acls[0]), ...metricNames(acls[1])]).size).toBe(2 * metricNames(acls[0]).length);
    expect(acls[0].name).not.toBe(acls[1].name);
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }, WAF_RULES)).toEqual([]);
    // The same name gives the same names on every run (no replacement, no metric history lost).
    const again = await record(() => new WebAcl(one));
    expect(metricNames(ofType(again, ACL)[0])).toEqual(metricNames(acls[0]));
  });

  it("replaces characters WAF refuses in metric names and the web ACL's name, and keeps names apart that differ only there", async () => {
    const graph = await record(() => {
      new WebAcl("shop.example.com waf");
      new WebAcl("shop-example-com-waf");
    });
    const [odd, plain] = ofType(graph, ACL);
    for (const name of metricNames(odd)) expect(name).toMatch(METRIC_NAME);
    expect(odd.name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(odd.inputs.visibilityConfig.metricName).not.toBe(plain.inputs.visibilityConfig.metricName);
    expect(plain.name).toBe("shop-example-com-waf-acl");
    expect(plain.inputs.visibilityConfig.metricName).toBe("shop-example-com-waf");
  });

  it("does not name the web ACL's metric All or Default_Action, which WAF reserves", async () => {
    const graph = await record(() => new WebAcl("All"));
    expect(ofType(graph, ACL)[0].inputs.visibilityConfig.metricName).toMatch(/^All-[0-9a-f]{8}$/);
  });

  it.each([
    [{ rateLimit: 5 }, /^WebAcl "bad": rateLimit 5 is outside AWS WAF's range of 10–2000000000 requests per window\. Use a whole number from 10 to 2000000000 requests per window, e\.g\. 2000\.$/],
    [{ rateLimit: 100.5 }, /^WebAcl "bad": rateLimit 100\.5 is not a whole number\. Use a whole number from 10 to 2000000000 requests per window, e\.g\. 2000\.$/],
    [{ rateLimit: "2000" as unknown as number }, /^WebAcl "bad": rateLimit "2000" is not a number\./],
    [{ rateWindowSeconds: 30 }, /rateWindowSeconds 30 is not a rate-based rule evaluation window\. Use one of 60, 120, 300, 600/],
    [{ maxBodyBytes: 20000 }, /^WebAcl "bad": maxBodyBytes 20000 is outside WebAcl's range of 1–16384 bytes; WAF sees only the first 16 KB of a body \(what CloudFront and API Gateway forward by default\), so a larger limit would block at 16 KB anyway\. Use at most 16384, and send larger payloads/],
    [{ maxBodyBytes: 1024.5 }, /^WebAcl "bad": maxBodyBytes 1024\.5 is not a whole number; WAF sees only the first 16 KB/],
    [{ maxBodyBytes: null as unknown as number }, /^WebAcl "bad": maxBodyBytes null is not a number\. /],
    [{ managedRuleGroups: ["AWSManagedRulesFooRuleSet"] }, /managedRuleGroups\[0\] "AWSManagedRulesFooRuleSet" is not an AWS managed rule group WebAcl knows/],
    [{ managedRuleGroups: ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"] }, /managedRuleGroups\[1\] "AWSManagedRulesCommonRuleSet" is listed twice/],
    [{ logRetentionDays: 45 }, /logRetentionDays 45 is not a retention CloudWatch Logs offers/],
    [{ scope: "GLOBAL" as WebAclScope }, /scope "GLOBAL" is not a web ACL scope/],
  ] as Array<[WebAclArgs, RegExp]>)("refuses %j at construction", (args, message) => {
    expect(() => new WebAcl("bad", args)).toThrow(message);
  });
});

describe("StaticSite waf", () => {
  it("attaches a CLOUDFRONT web ACL to the distribution by ARN and puts its limits in the spec", async () => {
    let site: StaticSite | undefined;
    const graph = await record(() => (site = new StaticSite("walled", { path: "tests/fixtures/site", waf: { rateLimit: 100, maxBodyBytes: 4096 } })));
    const acl = resource(graph, ACL, "walled-waf-acl");
    expect(resource(graph, "aws:cloudfront/distribution:Distribution", "walled-cdn").inputs.webAclId).toBe(acl.state.arn);
    expect(acl.inputs).toMatchObject({ scope: "CLOUDFRONT", region: "us-east-1" });
    expect(site!.spec.waf).toMatchObject({ name: "walled-waf", scope: "CLOUDFRONT", rateLimit: 100, rateWindowSeconds: 300, maxBodyBytes: 4096 });
    expect(site!.nodes.waf).toBeInstanceOf(WebAcl);
  });

  it("has no web ACL unless asked", async () => {
    const graph = await record(() => new StaticSite("open", { path: "tests/fixtures/site" }));
    expect(graph.filter((r) => r.type === ACL)).toEqual([]);
    expect(resource(graph, "aws:cloudfront/distribution:Distribution", "open-cdn").inputs.webAclId).toBeUndefined();
  });

  it("refuses a REGIONAL web ACL and bad limits, naming the argument", () => {
    expect(() => new StaticSite("bad", { path: "tests/fixtures/site", waf: { scope: WebAclScope.Regional } })).toThrow(
      /StaticSite "bad": waf\.scope "REGIONAL" is not CLOUDFRONT; a distribution takes only a CLOUDFRONT-scope web ACL/,
    );
    expect(() => new StaticSite("bad", { path: "tests/fixtures/site", waf: { rateLimit: 1 } })).toThrow(/StaticSite "bad": waf\.rateLimit 1 is outside AWS WAF's range of 10–2000000000 requests per window/);
  });
});
