/**
 * The Cognito rules (and IAM5 on the row-level-security role) pass on what UserAuth builds,
 * and fail on a copy of that graph broken in exactly the way each rule guards against.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { byName, mutate as mutateGraph, record, type RecordedResource } from "../harness/mocks";
import type { RuleContext, SecurityRule } from "../../testing/security-rules/rule";
import { COG1, COG2, COG3, COG7, COGNITO_EMAIL_SENDER, COGNITO_ROW_LEVEL_SECURITY } from "../../testing/security-rules/cognito";
import { IAM5 } from "../../testing/security-rules/iam";
import { SECURITY_RULES } from "../../testing/security-rules";

const dev: RuleContext = { stack: "dev", production: false };
const prod: RuleContext = { stack: "prod", production: true };
const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/preferences";

let prodAuth: RecordedResource[];
let devAuth: RecordedResource[];

beforeAll(async () => {
  prodAuth = await record(
    () =>
      new UserAuth("pauth", {
        callbackUrls: ["https://gallery.example.com/"],
        identityPool: { rowLevelSecurity: [{ tableArn }] },
        email: { sesIdentityArn: "arn:aws:ses:us-east-1:123456789012:identity/gallery.example.com", from: "no-reply@gallery.example.com" },
        triggers: { postConfirmation: { entry: "handlers/auth/post-confirmation.ts", environment: { TABLE_NAME: "gallery" } } },
        retainOnDelete: true,
      }),
  );
  devAuth = await record(() => new UserAuth("dauth", { callbackUrls: ["http://localhost:3000/"], mfa: "OPTIONAL", threatProtection: "AUDIT", identityPool: { rowLevelSecurity: [{ tableArn }] } }));
});

/** The graph with the named resource's inputs changed. */
function mutate(graph: RecordedResource[], name: string, change: (inputs: Record<string, any>) => Record<string, any>): RecordedResource[] {
  return mutateGraph(graph, byName(name), (r) => ({ ...r, inputs: change(r.inputs) }));
}
const ids = (rule: SecurityRule, graph: RecordedResource[], context = dev) => rule.check(graph, context).map((f) => `${f.rule} ${f.resource}: ${f.problem}`);

describe("security rules pass on what UserAuth builds", () => {
  it.each(SECURITY_RULES.map((rule) => [rule.id, rule] as const))("%s", (_, rule) => {
    expect(rule.check(prodAuth, prod)).toEqual([]);
    expect(rule.check(devAuth, dev)).toEqual([]);
  });

  it("IAM5 passes on the row-level-security role (its exact actions and table are pinned in user-auth.test.ts)", () => {
    expect(IAM5.check(prodAuth, prod)).toEqual([]);
  });
});

describe("Cognito rules fail on the resource they guard", () => {
  it("COG1: no password policy, a short minimum, a dropped character class", () => {
    expect(ids(COG1, mutate(prodAuth, "pauth-pool", (i) => ({ ...i, passwordPolicy: undefined })))).toEqual(["COG1 aws:cognito/userPool:UserPool pauth-pool: has no explicit password policy"]);
    const weak = mutate(prodAuth, "pauth-pool", (i) => ({ ...i, passwordPolicy: { ...i.passwordPolicy, minimumLength: 6, requireSymbols: false } }));
    expect(COG1.check(weak, dev).map((f) => f.problem)).toEqual(["accepts passwords of 6 characters (fewer than 8)", "does not set passwordPolicy.requireSymbols"]);
  });

  it("COG2: MFA not required in production (dev may keep it optional)", () => {
    expect(ids(COG2, devAuth, prod)).toEqual(["COG2 aws:cognito/userPool:UserPool dauth-pool: has MFA OPTIONAL, not ON"]);
    expect(COG2.check(devAuth, dev)).toEqual([]);
  });

  it("COG3: threat protection only auditing in production", () => {
    expect(ids(COG3, devAuth, prod)).toEqual(["COG3 aws:cognito/userPool:UserPool dauth-pool: has threat protection AUDIT, not ENFORCED"]);
  });

  it("CognitoEmailSender: a production pool on Cognito's default sender (50 emails a day per account), unset or explicit", () => {
    expect(ids(COGNITO_EMAIL_SENDER, devAuth, prod)).toEqual([
      "CognitoEmailSender aws:cognito/userPool:UserPool dauth-pool: sends email with Cognito's default sender (COGNITO_DEFAULT, 50 emails a day per account), not SES",
    ]);
    const explicit = mutate(prodAuth, "pauth-pool", (i) => ({ ...i, emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" } }));
    expect(COGNITO_EMAIL_SENDER.check(explicit, prod).map((f) => f.resource)).toEqual(["aws:cognito/userPool:UserPool pauth-pool"]);
    expect(COGNITO_EMAIL_SENDER.check(devAuth, dev)).toEqual([]);
    expect(SECURITY_RULES).toContain(COGNITO_EMAIL_SENDER);
  });

  it("COG7: an identity pool that allows unauthenticated identities", () => {
    const open = mutate(prodAuth, "pauth-identities", (i) => ({ ...i, allowUnauthenticatedIdentities: true }));
    expect(ids(COG7, open)).toEqual(["COG7 aws:cognito/identityPool:IdentityPool pauth-identities: allows unauthenticated identities"]);
  });

  it("CognitoRowLevelSecurity: a grant without the LeadingKeys condition, a Scan, a trust without aud", () => {
    const unconditioned = mutate(prodAuth, "pauth-authenticated-policy", (i) => {
      const doc = JSON.parse(i.policy);
      delete doc.Statement[0].Condition;
      doc.Statement[0].Action.push("dynamodb:Scan");
      return { ...i, policy: JSON.stringify(doc) };
    });
    expect(COGNITO_ROW_LEVEL_SECURITY.check(unconditioned, dev).map((f) => f.problem)).toEqual([
      "grants dynamodb:Scan, which row-level security cannot restrict",
      "grants dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem, dynamodb:Scan without ForAllValues:StringEquals dynamodb:LeadingKeys = ${cognito-identity.amazonaws.com:sub}",
    ]);
    const anyPool = mutate(prodAuth, "pauth-authenticated", (i) => {
      const doc = JSON.parse(i.assumeRolePolicy);
      delete doc.Statement[0].Condition.StringEquals;
      return { ...i, assumeRolePolicy: JSON.stringify(doc) };
    });
    expect(ids(COGNITO_ROW_LEVEL_SECURITY, anyPool)).toEqual(["CognitoRowLevelSecurity aws:iam/role:Role pauth-authenticated: trusts any identity pool (no cognito-identity.amazonaws.com:aud condition)"]);
  });

  it("IAM5 catches a wildcard slipped into the row-level-security role", () => {
    const wild = mutate(prodAuth, "pauth-authenticated-policy", (i) => {
      const doc = JSON.parse(i.policy);
      doc.Statement[0].Action = ["dynamodb:*"];
      return { ...i, policy: JSON.stringify(doc) };
    });
    expect(IAM5.check(wild, dev).map((f) => f.problem)).toEqual(["allows wildcard action dynamodb:*"]);
  });
});
