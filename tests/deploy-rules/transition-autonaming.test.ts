/**
 * The transition checks under the stack's `pulumi:autonaming` (planUpdate's `naming`): under `mode: verbatim`,
 * `disabled` or a pattern with no random part the engine replaces every custom resource delete-first, whether or not
 * the program names it and over an explicit `deleteBeforeReplace: false` (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go continueStepsFromImport: `if sg.deployment.opts.Autonamer != nil && goal.Custom`
 * … `if dbr { goal.DeleteBeforeReplace = &dbr }`; pkg/resource/autonaming/strategy.go AutonamingForResource, at
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8). Pulumi's default (unset, `mode: default`, a pattern with a random part)
 * leaves the judgement as it was.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkPlanTransition, checkPlanTransitionWarnings, planUpdate } from "../../testing/deploy-rules";
import { parseAutonaming } from "../../testing/deploy-rules/autonaming";
import { handBuilt, transitionContext } from "./fixture";

const RECORD = "aws:route53/record:Record";
const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const TABLE = "aws:dynamodb/table:Table";
const cdn = { name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false };
const standby = { name: "d222222abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false };
const record = (aliases: unknown[], more: Partial<RecordedResource> = {}) =>
  handBuilt(RECORD, "site-a-0", { zoneId: "Z0123456789", type: "A", name: "gallery.example.com", aliases }, { replaceOnChanges: ["aliases"], ...more });

/** The stack's `pulumi:autonaming` as the engine reads it (undefined: unset). */
const naming = (value?: unknown) => (value === undefined ? undefined : parseAutonaming({ project: "serverless-fullstack", stack: "prod", values: { "pulumi:autonaming": JSON.stringify(value) }, objectKeys: ["pulumi:autonaming"] }).config);
/** The findings of an update from `before` to `after` under `autonaming` (the stack's config value). */
const under = (autonaming: unknown, before: RecordedResource[], after: RecordedResource[]) =>
  checkPlanTransition(before, after, transitionContext, { update: planUpdate(before, after, naming(autonaming), transitionContext) });
const rulesUnder = (autonaming: unknown, before: RecordedResource[], after: RecordedResource[]) => under(autonaming, before, after).map((f) => [f.rule, f.resource]);

describe("planUpdate under pulumi:autonaming: the replacements the engine makes delete-first", () => {
  // A record replaced by its replaceOnChanges under its required name: create-first by default, so its deployed copy
  // still holds the name (TransitionNameTaken).
  const before = [record([cdn])];
  const after = [record([cdn, standby])];
  const taken = [["TransitionNameTaken", `${RECORD} site-a-0`]];

  it("judges a replacement delete-first under mode verbatim, disabled and a pattern without a random part: no create-first collision", () => {
    for (const autonaming of [{ mode: "verbatim" }, { mode: "disabled" }, { pattern: "${name}-${stack}" }, { providers: { aws: { mode: "verbatim" } } }, { providers: { aws: { resources: { [RECORD]: { pattern: "${name}" } } } } }]) {
      expect(rulesUnder(autonaming, before, after), JSON.stringify(autonaming)).toEqual([]);
    }
  });

  it("overrides an explicit deleteBeforeReplace: false, as the engine sets the goal's over it", () => {
    const keptFirst = [record([cdn, standby], { deleteBeforeReplace: false, deleteBeforeReplaceDefined: true })];
    expect(rulesUnder(undefined, before, keptFirst)).toEqual(taken);
    expect(rulesUnder({ mode: "verbatim" }, before, keptFirst)).toEqual([]);
  });

  it("leaves the default unchanged: unset, mode default, a pattern with a random part, another type's setting", () => {
    for (const autonaming of [undefined, { mode: "default" }, { pattern: "${name}-${hex(7)}" }, { providers: { aws: { resources: { [TABLE]: { mode: "verbatim" } } } } }, { mode: "verbatim", providers: { aws: { mode: "default" } } }]) {
      expect(rulesUnder(autonaming, before, after), JSON.stringify(autonaming ?? "unset")).toEqual(taken);
    }
    // Without naming, planUpdate judges as before.
    expect(checkPlanTransition(before, after, transitionContext, { update: planUpdate(before, after, undefined, transitionContext) }).map((f) => [f.rule, f.resource])).toEqual(taken);
  });

  it("judges the update itself under options.autonaming when no update is given: the findings npm run plan -- --since prints (reportSince)", () => {
    // The exported entry, as a user calls it: the stack's pulumi:autonaming, no judgement of its own.
    for (const autonaming of [{ mode: "verbatim" }, { pattern: "${name}-${stack}" }, { mode: "default" }]) {
      const alone = checkPlanTransition(before, after, transitionContext, { autonaming: naming(autonaming) });
      expect(alone, JSON.stringify(autonaming)).toEqual(under(autonaming, before, after));
    }
    expect(checkPlanTransition(before, after, transitionContext, { autonaming: naming({ mode: "verbatim" }) })).toEqual([]);
    // The warnings take no autonaming: the naming changes only which replacements delete first, which they do not read.
    // @ts-expect-error options.autonaming is not an option of checkPlanTransitionWarnings
    checkPlanTransitionWarnings(before, after, transitionContext, { autonaming: naming({ mode: "verbatim" }) });
    // A judgement given is that of one naming already: the two together are refused, naming both options.
    expect(() => checkPlanTransition(before, after, transitionContext, { update: planUpdate(before, after, undefined, transitionContext), autonaming: naming({ mode: "verbatim" }) })).toThrow(
      /checkPlanTransition: options\.update and options\.autonaming are both given.*planUpdate\(before, after, autonaming\)/,
    );
  });

  it("finds the delete-first consequences: a compliance lock's delete refused first, and says the setting made it delete-first", () => {
    const lock = (minRetentionDays: number) => handBuilt(LOCK, "bk-vault-lock", { backupVaultName: "bk-vault", minRetentionDays, maxRetentionDays: 60, changeableForDays: 3 });
    const problems = (autonaming: unknown) => under(autonaming, [lock(35)], [lock(60)]).map((f) => f.problem);
    expect(problems(undefined)).toEqual([expect.stringMatching(/so the update stops at the lock$/)]);
    expect(problems({ mode: "verbatim" })).toEqual([expect.stringMatching(/so the update stops at the lock \(replaced delete-first, its DeleteBackupVaultLockConfiguration is refused first\)$/)]);
  });

  it("names the setting where a finding says why the deployed copy is deleted first", () => {
    const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
    const domain = (prefix: string) => handBuilt(DOMAIN, "auth-domain", { userPoolId: "us-east-1_pool", domain: prefix });
    expect(rulesUnder(undefined, [domain("gallery-prod-auth")], [domain("gallery-auth-2")])).toEqual([]);
    const findings = under({ mode: "verbatim" }, [domain("gallery-prod-auth")], [domain("gallery-auth-2")]);
    expect(findings.map((f) => f.rule)).toEqual(["TransitionHostedUiDomainGap"]);
    expect(findings[0].problem).toMatch(/delete-first \(domain is ForceNew, [^;]+; pulumi:autonaming mode verbatim, under which the engine replaces every custom resource delete-first\)/);
  });

  it("deletes a kept table replaced under mode verbatim first, though its deletedWith target is removed (its delete is not skipped)", () => {
    const marker = handBuilt("aws:sns/topic:Topic", "marker", {});
    const table = (hashKey: string) => handBuilt(TABLE, "photos", { hashKey, attributes: [{ name: hashKey, type: "S" }], billingMode: "PAY_PER_REQUEST" }, { deletedWith: marker.urn });
    const problems = (autonaming: unknown) => under(autonaming, [marker, table("id")], [table("pk")]).filter((f) => f.rule === "TransitionStatefulReplaced").map((f) => f.problem);
    expect(problems(undefined)).toEqual([expect.stringMatching(/\. The deployed one's delete is skipped \(deletedWith a resource the update also deletes\)/)]);
    expect(problems({ mode: "verbatim" })).toEqual([
      expect.stringMatching(/\. The deployed one is deleted with its items first \(pulumi:autonaming mode verbatim, under which the engine replaces every custom resource delete-first\), then the new, empty table is created/),
    ]);
  });
});

describe("TransitionDeploymentStillServed under pulumi:autonaming: a replaced deployment whose stage moves to the new one", () => {
  const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
  const STAGE = "aws:apigateway/stage:Stage";
  const deployment = (redeploy: string) => handBuilt(DEPLOYMENT, "api-deployment", { restApi: "a1b2c3d4e5", triggers: { redeploy } }, { id: "dep123" });
  // The stage names the deployment by reference: the update moves it to the new copy (its deployment input is not ForceNew).
  const stage = handBuilt(STAGE, "api-stage-prod", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "dep123" });
  const found = (autonaming: unknown) => under(autonaming, [deployment("1"), stage], [deployment("2"), stage]).filter((f) => f.rule === "TransitionDeploymentStillServed");

  it("finds the deployed copy deleted first under mode verbatim, disabled or a pattern with no random part, while the stage still points at it", () => {
    for (const autonaming of [{ mode: "verbatim" }, { mode: "disabled" }, { pattern: "${name}-${stack}" }, { providers: { aws: { resources: { [DEPLOYMENT]: { mode: "verbatim" } } } } }]) {
      const findings = found(autonaming);
      expect(findings.map((f) => f.resource), JSON.stringify(autonaming)).toEqual([`${DEPLOYMENT} api-deployment`]);
      expect(findings[0].problem).toMatch(/^is replaced \(triggers [^)]*\) forces? a new deployment[^)]*\), and its deployed copy is deleted first \(pulumi:autonaming[^)]*, under which the engine replaces every custom resource delete-first\), while stage api-stage-prod still serves it: the stage moves to the new deployment only after/);
      expect(findings[0].fix).toMatch(/a per-type pattern with a random part for aws:apigateway\/deployment:Deployment/);
      expect(findings[0].fix).toContain(`providers.aws.resources["${DEPLOYMENT}"]: { pattern: "\${name}-\${hex(7)}" }`);
    }
  });

  it("finds it alike for the program's own deleteBeforeReplace on the deployment, with that fix", () => {
    const first = (redeploy: string) => ({ ...deployment(redeploy), deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    const findings = under(undefined, [first("1"), stage], [first("2"), stage]).filter((f) => f.rule === "TransitionDeploymentStillServed");
    expect(findings.map((f) => f.problem)).toEqual([expect.stringMatching(/, and its deployed copy is deleted first \(deleteBeforeReplace\), while stage api-stage-prod still serves it: the stage moves/)]);
    expect(findings[0].fix).toMatch(/^drop the deployment's deleteBeforeReplace, so the deployment is replaced create-first/);
  });

  it("passes it under Pulumi's default and a random pattern for the deployment's type: replaced create-first, the stage moves before the old copy's delete", () => {
    for (const autonaming of [undefined, { pattern: "${name}-${hex(7)}" }, { mode: "verbatim", providers: { aws: { resources: { [DEPLOYMENT]: { pattern: "${name}-${hex(7)}" } } } } }]) {
      expect(found(autonaming), JSON.stringify(autonaming ?? "unset")).toEqual([]);
    }
  });
});
