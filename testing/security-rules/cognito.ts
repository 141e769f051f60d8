import { IDENTITY_ID_VARIABLE, ROW_LEVEL_ACTIONS } from "../../components/user-auth/spec";
import { asArray, ofType, policyDocument } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type Finding, type SecurityRule } from "./rule";

const USER_POOL = "aws:cognito/userPool:UserPool";

/** COG1: the password policy asks for at least 8 characters with upper case, numbers and symbols (set explicitly). */
export const COG1: SecurityRule = {
  id: "COG1",
  title: "User pools require strong passwords",
  check(graph) {
    const findings: Finding[] = [];
    for (const pool of ofType(graph, USER_POOL)) {
      const policy = pool.inputs.passwordPolicy;
      if (!policy) {
        findings.push(finding("COG1", pool, "has no explicit password policy"));
        continue;
      }
      if (!(Number(policy.minimumLength) >= 8)) findings.push(finding("COG1", pool, `accepts passwords of ${policy.minimumLength ?? "(unset)"} characters (fewer than 8)`));
      for (const rule of ["requireUppercase", "requireNumbers", "requireSymbols"]) {
        if (policy[rule] !== true) findings.push(finding("COG1", pool, `does not set passwordPolicy.${rule}`));
      }
    }
    return findings;
  },
};

/** COG2: production pools require MFA of every user. */
export const COG2: SecurityRule = {
  id: "COG2",
  title: "Production user pools require MFA",
  check(graph, context) {
    if (!context.production) return [];
    return ofType(graph, USER_POOL)
      .filter((pool) => pool.inputs.mfaConfiguration !== "ON")
      .map((pool) => finding("COG2", pool, `has MFA ${pool.inputs.mfaConfiguration ?? "OFF"}, not ON`));
  },
};

/** COG3: production pools block risky sign-ins (threat protection ENFORCED). */
export const COG3: SecurityRule = {
  id: "COG3",
  title: "Production user pools enforce threat protection",
  check(graph, context) {
    if (!context.production) return [];
    return ofType(graph, USER_POOL)
      .filter((pool) => pool.inputs.userPoolAddOns?.advancedSecurityMode !== "ENFORCED")
      .map((pool) => finding("COG3", pool, `has threat protection ${pool.inputs.userPoolAddOns?.advancedSecurityMode ?? "OFF"}, not ENFORCED`));
  },
};

/**
 * Production pools email users through SES: Cognito's default sender (COGNITO_DEFAULT, also what an unset
 * emailConfiguration means) allows 50 emails a day per AWS account, so sign-ups and password resets stop
 * arriving once a production stack has a few dozen users a day.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/limits.html ("email messages sent daily per AWS account")
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html
 */
export const COGNITO_EMAIL_SENDER: SecurityRule = {
  id: "CognitoEmailSender",
  title: "Production user pools send email through SES",
  check(graph, context) {
    if (!context.production) return [];
    return ofType(graph, USER_POOL)
      .filter((pool) => pool.inputs.emailConfiguration?.emailSendingAccount !== "DEVELOPER")
      .map((pool) => finding("CognitoEmailSender", pool, "sends email with Cognito's default sender (COGNITO_DEFAULT, 50 emails a day per account), not SES"));
  },
};

/** COG7: identity pools hand out no credentials to unauthenticated guests. */
export const COG7: SecurityRule = {
  id: "COG7",
  title: "Identity pools do not allow unauthenticated identities",
  check(graph) {
    return ofType(graph, "aws:cognito/identityPool:IdentityPool")
      .filter((pool) => pool.inputs.allowUnauthenticatedIdentities === true)
      .map((pool) => finding("COG7", pool, "allows unauthenticated identities"));
  },
};

/**
 * Seed 002's row-level security: a role that Cognito identities assume is trusted only for
 * one identity pool (aud) and one kind of identity (amr), and every permission it has is
 * a DynamoDB item action conditioned on `dynamodb:LeadingKeys` = the caller's identity id.
 */
export const COGNITO_ROW_LEVEL_SECURITY: SecurityRule = {
  id: "CognitoRowLevelSecurity",
  title: "Identity-pool roles reach only the caller's own items",
  check(graph) {
    const findings: Finding[] = [];
    for (const role of ofType(graph, "aws:iam/role:Role")) {
      const trust = policyDocument(role.inputs.assumeRolePolicy).Statement.filter((s) => JSON.stringify(s.Principal ?? {}).includes("cognito-identity.amazonaws.com"));
      if (trust.length === 0) continue;
      for (const statement of trust) {
        if (!statement.Condition?.StringEquals?.["cognito-identity.amazonaws.com:aud"]) findings.push(finding("CognitoRowLevelSecurity", role, "trusts any identity pool (no cognito-identity.amazonaws.com:aud condition)"));
        if (!statement.Condition?.["ForAnyValue:StringLike"]?.["cognito-identity.amazonaws.com:amr"]) findings.push(finding("CognitoRowLevelSecurity", role, "does not say which identities (no cognito-identity.amazonaws.com:amr condition)"));
      }
      for (const policy of policiesOf(graph, role)) {
        for (const statement of policyDocument(policy.inputs.policy).Statement) {
          if ((statement.Effect ?? "Allow") !== "Allow") continue;
          const outside = asArray<string>(statement.Action).filter((a) => !ROW_LEVEL_ACTIONS.includes(a));
          if (outside.length > 0) findings.push(finding("CognitoRowLevelSecurity", policy, `grants ${outside.join(", ")}, which row-level security cannot restrict`));
          const leadingKeys = statement.Condition?.["ForAllValues:StringEquals"]?.["dynamodb:LeadingKeys"];
          if (JSON.stringify(asArray(leadingKeys)) !== JSON.stringify([IDENTITY_ID_VARIABLE])) {
            findings.push(finding("CognitoRowLevelSecurity", policy, `grants ${asArray<string>(statement.Action).join(", ")} without ForAllValues:StringEquals dynamodb:LeadingKeys = ${IDENTITY_ID_VARIABLE}`));
          }
        }
      }
    }
    return findings;
  },
};

function policiesOf(graph: readonly RecordedResource[], role: RecordedResource): RecordedResource[] {
  const identities = [role.id, role.state.name, role.state.arn].filter(Boolean);
  return ofType(graph, "aws:iam/rolePolicy:RolePolicy").filter((p) => identities.includes(p.inputs.role));
}
