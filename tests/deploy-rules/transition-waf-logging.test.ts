/**
 * A web ACL's logging configuration is one per web ACL (review 109 #1 and its suggestion): PutLoggingConfiguration
 * replaces it (an upsert) and terraform-provider-aws deletes it by the web ACL's ARN, its id
 * (internal/service/wafv2/web_acl_logging_configuration.go), so a second resource on the same web ACL, or a create-first
 * replacement of one, ends the web ACL's logging when the old copy is deleted (TransitionNameOverwritten).
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { WebAcl } from "../../components/web-acl";
import { checkDeployRules, checkPlanTransition, formatFinding, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { WAF_CLOUDFRONT_REGION } from "../../testing/deploy-rules/waf";
import { byName, mutate, record } from "../../testing/harness";
import { handBuilt } from "./fixture";

const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0123abcd";
const groupArn = (name: string) => `arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-${name}`;
const logging = (logical: string, destination: string, more: Partial<RecordedResource> = {}) =>
  handBuilt(LOGGING, logical, { resourceArn: ACL_ARN, logDestinationConfigs: [groupArn(destination)], region: "us-east-1" }, more);
const rules = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" }).map((f) => [f.rule, f.resource]);

describe("checkPlanTransition: a web ACL's one logging configuration", () => {
  it("finds one replaced create-first on a new log destination: the old copy's DeleteLoggingConfiguration on the web ACL ends its logging", () => {
    const findings = checkPlanTransition([logging("acl-logging", "a")], [logging("acl-logging", "b")], { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${LOGGING} acl-logging`]]);
    expect(findings[0].problem).toMatch(/^is replaced create-before-delete \(a replace-forcing input changed\) as WAF logging configuration of web ACL arn:aws:wafv2:.*PutLoggingConfiguration replaces the web ACL's one logging configuration, so the create succeeds; then the delete of the old copy removes the only WAF logging configuration of that name/);
    expect(findings[0].fix).toMatch(/^set deleteBeforeReplace: true on acl-logging/);
  });

  it("finds one moved to a new logical name on the same web ACL: the removed one's delete at the end of the update ends the logging", () => {
    expect(rules([logging("acl-logging", "a")], [logging("acl-log", "a")])).toEqual([["TransitionNameOverwritten", `${LOGGING} acl-log`]]);
  });

  it("passes a delete-first replacement, one kept on its logical name, a new web ACL's, and a destination listed in another order", () => {
    expect(rules([logging("acl-logging", "a")], [logging("acl-logging", "b", { deleteBeforeReplace: true })])).toEqual([]);
    expect(rules([logging("acl-logging", "a")], [logging("acl-logging", "a")])).toEqual([]);
    expect(rules([logging("acl-logging", "a")], [logging("acl-logging", "a"), handBuilt(LOGGING, "other", { resourceArn: `${ACL_ARN}-2`, logDestinationConfigs: [groupArn("c")], region: "us-east-1" })])).toEqual([]);
    const two = (first: string, second: string) => handBuilt(LOGGING, "acl-logging", { resourceArn: ACL_ARN, logDestinationConfigs: [groupArn(first), groupArn(second)], region: "us-east-1" });
    expect(rules([two("a", "b")], [two("b", "a")])).toEqual([]);
  });

  it("passes WebAcl's own configuration on a new log group: it replaces delete-first, and the group's branch deletes it first whatever its own option", async () => {
    const before = await record(() => new WebAcl("edge"));
    const renamedGroup = (graph: RecordedResource[]) => mutate(graph, byName("edge-logs"), (r) => ({ ...r, inputs: { ...r.inputs, name: "aws-waf-logs-renamed" }, state: { ...r.state, arn: groupArn("renamed") } }));
    const withDestination = (graph: RecordedResource[], more: Partial<RecordedResource>) =>
      mutate(renamedGroup(graph), byName("edge-logging"), (r) => ({ ...r, ...more, inputs: { ...r.inputs, logDestinationConfigs: [groupArn("renamed")] } }));
    expect(checkPlanTransition(before, withDestination(before, {})).map(formatFinding)).toEqual([]);
    // deleteBeforeReplace: false on the configuration changes nothing: the group's name is set by hand, so the bridge
    // replaces it delete-first, and the engine deletes first every deployed dependent whose replace-forcing input
    // (logDestinationConfigs, from the group's arn) the provider's Diff replaces when unknown (pulumi step_generator.go
    // calculateDependentReplacements), whatever that dependent's own option; its new copy is created after.
    expect(checkPlanTransition(before, withDestination(before, { deleteBeforeReplace: false })).map(formatFinding)).toEqual([]);
  });

  it("passes one whose destination takes its value from a log group replaced delete-first (the group's branch deletes it first), not one that writes the ARN out", () => {
    const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
    // Named by hand and renamed: the bridge replaces the group delete-first (its Diff's nameRequiresDeleteBeforeReplace).
    const group = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(LOG_GROUP, "waf-logs", { name: `aws-waf-logs-${name}` }, { state: { arn: groupArn(name) }, ...more });
    const fromGroup = (destination: string) => logging("acl-logging", destination, { dependencies: [group("a").urn], propertyDependencies: { logDestinationConfigs: [group("a").urn] } });
    expect(rules([group("a"), fromGroup("a")], [group("b"), fromGroup("b")])).toEqual([]);
    // The group replaced create-first (deleteBeforeReplace: false): no branch, the configuration is replaced create-first.
    const createFirst = group("b", { deleteBeforeReplace: false, deleteBeforeReplaceDefined: true });
    expect(rules([group("a"), fromGroup("a")], [createFirst, fromGroup("b")])).toEqual([["TransitionNameOverwritten", `${LOGGING} acl-logging`]]);
    // The ARN written out (no property dependency on the group): replaced create-first on its own diff.
    expect(rules([group("a"), logging("acl-logging", "a")], [group("b"), logging("acl-logging", "b")])).toEqual([["TransitionNameOverwritten", `${LOGGING} acl-logging`]]);
    // logDestinationConfigs ignored: the engine's Diff for the dependents resets it, so it does not replace it.
    const ignored = (destination: string) => ({ ...fromGroup(destination), ignoreChanges: ["logDestinationConfigs"], replaceOnChanges: ["loggingFilter"], inputs: { ...fromGroup(destination).inputs, loggingFilter: destination } });
    expect(rules([group("a"), ignored("a")], [group("b"), ignored("b")])).toEqual([["TransitionNameOverwritten", `${LOGGING} acl-logging`]]);
    // Registered before the group (the next plan lists it first, its ARN now written out): the engine's walk leaves out
    // a resource already registered (calculateDependentReplacements' impossibleDependents), so it is replaced
    // create-first on its own diff. Listed after the group, the deployed property dependencies still take it first.
    expect(rules([group("a"), fromGroup("a")], [logging("acl-logging", "b"), group("b")])).toEqual([["TransitionNameOverwritten", `${LOGGING} acl-logging`]]);
    expect(rules([group("a"), fromGroup("a")], [group("b"), logging("acl-logging", "b")])).toEqual([]);
    // From a saved plan too (it keeps the property dependencies).
    const saved = readSavedPlan(JSON.stringify(toSavedPlan([group("a"), fromGroup("a")], { stack: "prod", region: "us-east-1" }))).resources;
    expect(rules(saved, [group("b"), fromGroup("b")])).toEqual([]);
  });

  it("keeps what the check reads in a saved plan", () => {
    const saved = readSavedPlan(JSON.stringify(toSavedPlan([logging("acl-logging", "a")], { stack: "prod", region: "us-east-1" }))).resources;
    expect(rules(saved, [logging("acl-logging", "b")])).toEqual([["TransitionNameOverwritten", `${LOGGING} acl-logging`]]);
  });
});

describe("a CLOUDFRONT web ACL moved off us-east-1 (its own region, or the stack's for the default provider)", () => {
  // AWS WAF creates a CLOUDFRONT-scope web ACL in us-east-1 only ("you must use the Region US East (N. Virginia) to
  // create your web ACL", https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html): the
  // move is a create AWS refuses, not a replacement. The single-plan rule WafCloudFrontRegion refuses the next plan in the
  // same `--since` run (read under the next stack region), and the transition checks add no finding that calls it one.
  const acl = (inputs: Record<string, unknown> = {}) => handBuilt("aws:wafv2/webAcl:WebAcl", "edge", { name: "edge", scope: "CLOUDFRONT", defaultAction: { allow: {} }, ...inputs }, { id: "0123abcd", state: { arn: ACL_ARN } });
  it("is refused by WafCloudFrontRegion on the next plan and reported by no transition check", () => {
    const moves = [
      { before: [acl({ region: "us-east-1" })], after: [acl({ region: "eu-west-1" })], context: { stack: "prod", region: "us-east-1" } },
      { before: [acl()], after: [acl()], context: { stack: "prod", region: "eu-west-1", deployedRegion: "us-east-1" } },
    ];
    for (const { before, after, context } of moves) {
      expect(checkDeployRules(after, { stack: context.stack, production: true, region: context.region }, [WAF_CLOUDFRONT_REGION]).map((f) => f.rule)).toEqual(["WafCloudFrontRegion"]);
      expect(checkPlanTransition(before, after, context)).toEqual([]);
    }
  });
});
