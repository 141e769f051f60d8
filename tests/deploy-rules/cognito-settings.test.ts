/** CognitoEmailConfigExplicit on what users build right, and the cases its fixture leaves out: a stated sender of either kind. */
import { describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkDeployRules, COGNITO_EMAIL_CONFIG_EXPLICIT, COGNITO_RULES, DEPLOY_RULES, formatFinding } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { devContext, handBuilt } from "./fixture";

const POOL = "aws:cognito/userPool:UserPool";

const explicit = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [COGNITO_EMAIL_CONFIG_EXPLICIT]).map(formatFinding);

describe("CognitoEmailConfigExplicit", () => {
  it("is in COGNITO_RULES and DEPLOY_RULES", () => {
    expect(COGNITO_RULES).toContain(COGNITO_EMAIL_CONFIG_EXPLICIT);
    expect(DEPLOY_RULES).toContain(COGNITO_EMAIL_CONFIG_EXPLICIT);
  });

  it("passes a pool that states Cognito's sender or an SES one, and UserAuth's pool with or without an SES sender", async () => {
    const cognito = handBuilt(POOL, "cognito", { emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" } });
    const ses = handBuilt(POOL, "ses", { emailConfiguration: { emailSendingAccount: "DEVELOPER", sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/example.com" } });
    expect(explicit([cognito, ses])).toEqual([]);
    const graph = await record(() => {
      new UserAuth("plain", { callbackUrls: ["https://gallery.example.com/"] });
      new UserAuth("mailer", { callbackUrls: ["https://gallery.example.com/"], email: { sesIdentityArn: "arn:aws:ses:us-east-1:123456789012:identity/gallery.example.com", from: "no-reply@gallery.example.com" } });
    });
    expect(explicit(graph)).toEqual([]);
  });

  it("names the pool, why the provider keeps a removed sender, and the block to set", () => {
    const [finding] = checkDeployRules([handBuilt(POOL, "bare", {})], devContext, [COGNITO_EMAIL_CONFIG_EXPLICIT]);
    expect(finding.resource).toBe(`${POOL} bare`);
    expect(finding.problem).toMatch(/SuppressMissingOptionalConfigurationBlock/);
    expect(finding.fix).toBe('set emailConfiguration { emailSendingAccount: "COGNITO_DEFAULT" } when Cognito sends the email (or the DEVELOPER block with your SES identity), and keep it set');
  });
});
