/**
 * Cognito user pool deploy rules: MFA, threat protection tier, redirect URLs, domain prefixes, a custom domain's parent
 * record, the email sender (and that it is stated), what a retained pool keeps, that a deleted pool can be deleted.
 */
import { asArray, dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { APP_CLIENT_AUTH_SESSION_MINUTES, APP_CLIENT_QUOTAS, callbackUrlProblem, COGNITO_STANDARD_SCOPES, redirectUrlCountProblem, RESOURCE_SERVER as RESOURCE_SERVER_SHAPE } from "../../components/user-auth/spec";
import { wholeNumberRangeRefusal } from "../../components/ranges";
import { certificateNames } from "./acm";
import { certificateCovers } from "./cloudfront";
import { dnsName } from "./names";
import { RECORD, recordName, sharedAcrossStacks } from "./record-sets";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule, type ProjectDeployRule } from "./rule";

const USER_POOL = "aws:cognito/userPool:UserPool";
const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";

/** Cognito's default tier for pools that do not set one is Essentials. */
function tierOf(pool: RecordedResource): string {
  return String(pool.inputs.userPoolTier ?? "ESSENTIALS");
}

function usesSes(pool: RecordedResource): boolean {
  return pool.inputs.emailConfiguration?.emailSendingAccount === "DEVELOPER";
}

/**
 * MFA ON (or OPTIONAL) "requires at least one of emailMfaConfiguration, smsConfiguration or
 * softwareTokenMfaConfiguration" (provider docs of aws.cognito.UserPool; SetUserPoolMfaConfig refuses
 * MFA without a factor). Email MFA needs "the Essentials tier or higher"
 * (API_EmailMfaConfigType) and "the Amazon SES email-sending configuration instead of the default
 * email configuration" (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-sms-email-message.html).
 *
 * SMS is a factor exactly when the pool has an smsConfiguration: the provider builds SetUserPoolMfaConfig's
 * SmsMfaConfiguration from smsConfiguration (with smsAuthenticationMessage as its template) whenever mfaConfiguration
 * is not OFF (terraform-provider-aws internal/service/cognitoidp/user_pool.go, resourceUserPoolCreate and
 * resourceUserPoolUpdate, read at 015edb13, a version from before email MFA; the @pulumi/aws 7.48 docs say the same: "SMS MFA is activated only when `mfaConfiguration` is set to `ON` or `OPTIONAL` along with
 * this block", aws.cognito.UserPool smsConfiguration). smsAuthenticationMessage alone is sent with CreateUserPool /
 * UpdateUserPool only ("allowed by the API even without SMS MFA", the provider's comment) and offers no factor. So the
 * shape Cognito refuses with "Can't turn off SMS_MFA when SMS configuration is set for the user pool" (an SMS
 * configuration on a pool whose MFA is ON or OPTIONAL with SMS left out of its factors: CloudFormation's EnabledMfas
 * without SMS_MFA, aws-amplify/amplify-backend#1481 and #1523, awslabs/nx-plugin-for-aws#1108) cannot be sent from
 * this resource's inputs, and is not judged: with an smsConfiguration and MFA on, SMS is always one of the factors.
 */
export const COGNITO_MFA_METHOD: DeployRule = {
  id: "CognitoMfaMethod",
  title: "A user pool that asks for MFA offers a factor it can deliver",
  source: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const pool of ofType(graph, USER_POOL)) {
      const mode = String(pool.inputs.mfaConfiguration ?? "OFF");
      if (mode === "OFF") continue;
      const totp = pool.inputs.softwareTokenMfaConfiguration?.enabled === true;
      const sms = Boolean(pool.inputs.smsConfiguration);
      const email = Boolean(pool.inputs.emailMfaConfiguration);
      if (!totp && !sms && !email) {
        const messageOnly = pool.inputs.smsAuthenticationMessage !== undefined && pool.inputs.smsAuthenticationMessage !== null;
        findings.push(
          finding(
            "CognitoMfaMethod",
            pool,
            `has MFA ${mode} but no factor (no software token, SMS or email MFA configuration)${messageOnly ? "; smsAuthenticationMessage alone does not turn SMS MFA on: the provider sends SMS MFA only with an smsConfiguration" : ""}`,
            "enable softwareTokenMfaConfiguration (TOTP), or configure SMS MFA (smsConfiguration { snsCallerArn, externalId }, which is also the pool's SMS sender for verification codes) or email MFA",
          ),
        );
      }
      if (email && tierOf(pool) === "LITE") {
        findings.push(finding("CognitoMfaMethod", pool, "offers email MFA on the Lite tier; email MFA needs Essentials or Plus", 'set userPoolTier "ESSENTIALS" (or "PLUS"), or drop email MFA'));
      }
      if (email && !usesSes(pool)) {
        findings.push(finding("CognitoMfaMethod", pool, "offers email MFA with Cognito's default email sender; email MFA needs the Amazon SES (DEVELOPER) email configuration", 'set emailConfiguration { emailSendingAccount: "DEVELOPER", sourceArn: <SES identity ARN> }'));
      }
    }
    return findings;
  },
};

/**
 * Cognito verifies a phone number by a code in an SMS message, which it sends through Amazon SNS with the pool's SMS
 * configuration ("For phone numbers, Amazon Cognito sends a code in an SMS text message",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-email-phone-verification.html;
 * SmsConfigurationType: "the Amazon Cognito user pool uses an IAM role in your AWS account" to send SMS messages). A
 * pool that auto-verifies phone_number without an smsConfiguration is refused by CreateUserPool / UpdateUserPool
 * (InvalidParameterException "SMS configuration is required when phone_number is selected for auto verification": the
 * message as aws-amplify/amplify-backend#1523 quotes it, the reason the AWS CDK's UserPool creates an SMS role when
 * phone numbers are verified). UserAuth auto-verifies email only; this rule is for hand-built pools. The fix has a
 * cost the fix text names: an SMS configuration on a pool whose MFA is ON or OPTIONAL makes SMS one of its MFA factors.
 * Cognito refuses an SMS configuration with MFA on and SMS MFA off ("Can't turn off SMS_MFA when SMS configuration is
 * set for the user pool", aws-amplify/amplify-backend#1481 and #1523), and the AWS provider never asks for that: it
 * sends smsConfiguration as SetUserPoolMfaConfig's SmsMfaConfiguration whenever MFA is not OFF (see
 * COGNITO_MFA_METHOD), so SMS MFA cannot be left out while phone numbers are verified (awslabs/nx-plugin-for-aws#1108
 * found the same coupling in Terraform and the CDK).
 */
export const COGNITO_PHONE_VERIFICATION_SMS: DeployRule = {
  id: "CognitoPhoneVerificationSms",
  title: "A user pool that auto-verifies phone numbers has an SMS configuration",
  source: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-email-phone-verification.html",
  check(graph) {
    return ofType(graph, USER_POOL).flatMap((pool) => {
      const verified = asArray<unknown>(pool.inputs.autoVerifiedAttributes);
      if (!verified.includes("phone_number") || pool.inputs.smsConfiguration) return [];
      const mode = String(pool.inputs.mfaConfiguration ?? "OFF");
      const smsMfa =
        mode === "ON" || mode === "OPTIONAL"
          ? `; with MFA ${mode} that also makes SMS one of the pool's MFA factors (the provider sends smsConfiguration as SMS MFA, and Cognito refuses an SMS configuration with SMS MFA off: "Can't turn off SMS_MFA when SMS configuration is set for the user pool"), so to keep SMS out of MFA auto-verify "email" only`
          : "; should mfaConfiguration later be ON or OPTIONAL, SMS then becomes one of its MFA factors too (Cognito refuses an SMS configuration on a pool whose MFA is on but leaves SMS out)";
      return [
        finding(
          this.id,
          pool,
          'auto-verifies phone_number but has no smsConfiguration, so Cognito has no way to send the verification code by SMS; CreateUserPool refuses it (InvalidParameterException "SMS configuration is required when phone_number is selected for auto verification")',
          `give the pool smsConfiguration { snsCallerArn: <role Cognito assumes to publish with SNS>, externalId }, or auto-verify "email" only${smsMfa}`,
        ),
      ];
    });
  },
};

/**
 * UserPoolAddOns: threat protection (advancedSecurityMode AUDIT or ENFORCED) — "To activate this
 * setting, your user pool must be on the Plus tier." The same holds for SetRiskConfiguration
 * (aws.cognito.RiskConfiguration: compromised credentials, account takeover).
 */
export const COGNITO_THREAT_PROTECTION_TIER: DeployRule = {
  id: "CognitoThreatProtectionTier",
  title: "Threat protection runs on a Plus-tier user pool",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolAddOnsType.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const pool of ofType(graph, USER_POOL)) {
      const mode = String(pool.inputs.userPoolAddOns?.advancedSecurityMode ?? "OFF");
      const risk = ofType(graph, "aws:cognito/riskConfiguration:RiskConfiguration").filter((r) => r.inputs.userPoolId === pool.id);
      if (tierOf(pool) === "PLUS") continue;
      if (mode !== "OFF") {
        findings.push(finding("CognitoThreatProtectionTier", pool, `has threat protection ${mode} on the ${tierOf(pool)} tier; threat protection needs the Plus tier`, 'set userPoolTier "PLUS" (billed per monthly active user), or advancedSecurityMode "OFF"'));
      }
      for (const r of risk) {
        findings.push(finding("CognitoThreatProtectionTier", r, `configures threat protection for ${pool.name}, which is on the ${tierOf(pool)} tier; risk configurations need the Plus tier`, 'set userPoolTier "PLUS" on the pool, or remove the risk configuration'));
      }
    }
    return findings;
  },
};

/**
 * What Cognito requires of a redirect URL, and what a sign-in redirect must never be (a script or content URL), or
 * undefined when it is acceptable: UserAuth's own check, so the component and the rule cannot disagree.
 */
export const redirectUrlProblem: (url: string) => string | undefined = callbackUrlProblem;

/**
 * CallbackURLs (CreateUserPoolClient): "A redirect URI must: Be an absolute URI ... Not include a
 * fragment component ... Amazon Cognito requires HTTPS over HTTP except for http://localhost for
 * testing purposes only. App callback URLs such as myapp://example are also supported." The same
 * checks are applied to the default redirect URI and, as sign-out redirect targets, to logout URLs. At most 100 of
 * each: "Callback URLs per app client | 100 | No" and "Logout URLs per app client | 100 | No" (Quotas in Amazon
 * Cognito, https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#resource-quotas), UserAuth's own count
 * (`redirectUrlCountProblem`).
 */
export const COGNITO_REDIRECT_URLS: DeployRule = {
  id: "CognitoRedirectUrls",
  title: "App client callback and sign-out URLs are absolute https URLs (http only for localhost) or an app's own scheme, without fragments, never javascript: or data:, at most 100 of each",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const client of ofType(graph, "aws:cognito/userPoolClient:UserPoolClient")) {
      const lists: Array<["callbackUrls" | "logoutUrls" | "defaultRedirectUri", string[]]> = [
        ["callbackUrls", client.inputs.callbackUrls ?? []],
        ["logoutUrls", client.inputs.logoutUrls ?? []],
        ["defaultRedirectUri", client.inputs.defaultRedirectUri ? [client.inputs.defaultRedirectUri] : []],
      ];
      for (const [field, urls] of lists) {
        const tooMany = field === "defaultRedirectUri" ? undefined : redirectUrlCountProblem(field, urls.length);
        if (tooMany) findings.push(finding("CognitoRedirectUrls", client, `${field} (${tooMany.value}) ${tooMany.problem}`, "list at most 100: one app client (UserAuth) per group of preview or tenant sites"));
        for (const url of urls) {
          const problem = redirectUrlProblem(url);
          if (problem) findings.push(finding("CognitoRedirectUrls", client, `${field} ${url} ${problem}`, "use an absolute https URL without a fragment (http only for http://localhost), or a native app's own scheme (myapp://signed-in)"));
        }
      }
      const defaultUri = client.inputs.defaultRedirectUri;
      if (defaultUri && !(client.inputs.callbackUrls ?? []).includes(defaultUri)) {
        findings.push(finding("CognitoRedirectUrls", client, `defaultRedirectUri ${defaultUri} is not one of its callbackUrls`, "add it to callbackUrls"));
      }
    }
    return findings;
  },
};

const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const RESOURCE_SERVER = "aws:cognito/resourceServer:ResourceServer";

/** The URNs `r` waits for: its dependencies (dependsOn and inputs' Outputs) and theirs, and its inputs' property dependencies. */
function orderedAfter(graph: Graph, r: RecordedResource): Set<string> {
  const before = dependencyClosure(graph, r);
  for (const urns of Object.values(r.propertyDependencies ?? {})) for (const urn of urns) before.add(urn);
  return before;
}

/**
 * An app client's AllowedOAuthScopes: "Scope values include phone, email, openid, and profile. The
 * aws.cognito.signin.user.admin scope authorizes user self-service operations. Custom scopes with resource servers
 * authorize access to external APIs" (CreateUserPoolClient, COGNITO_STANDARD_SCOPES); a custom scope is
 * `<resource server identifier>/<scope name>` ("Amazon Cognito represents scopes in the access token in the format
 * $resource-server-identifier/$scope", API_ResourceServerType.html). Any other scope, or a custom one whose resource
 * server is not yet in the pool, is refused: "Invalid scope requested: … (Error Code: ScopeDoesNotExistException)"
 * (awsdocs/aws-cloudformation-user-guide#564). So a client naming a scope of an aws.cognito.ResourceServer of the plan
 * must wait for it (dependsOn, or an input taken from it): in parallel, CreateUserPoolClient can run first. UserAuth
 * refuses the same scopes at construction (spec.ts validateScopes) and creates its resourceServers before its client;
 * this rule is for hand-built clients and servers. A scope whose identifier no server of the plan has on the client's
 * pool is not judged: a server outside the plan (another stack, the console) may hold it, as UserAuth accepts.
 * A client allows at most 50 scopes ("Scopes per app client | 50 | No", a quota Cognito does not raise:
 * APP_CLIENT_QUOTAS, which UserAuth's oauthScopes is held to at construction).
 */
export const COGNITO_CLIENT_SCOPES: DeployRule = {
  id: "CognitoClientScopes",
  title: "An app client's OAuth scopes are Cognito's own or a scope of a resource server of its pool that it is created after",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const servers = ofType(graph, RESOURCE_SERVER);
    for (const client of ofType(graph, CLIENT)) {
      const scopes = asArray<unknown>(client.inputs.allowedOauthScopes).filter((s): s is string => typeof s === "string");
      const report = (problem: string, fix: string) => findings.push(finding("CognitoClientScopes", client, problem, fix));
      if (scopes.length > APP_CLIENT_QUOTAS.oauthScopes) {
        report(
          `allows ${scopes.length} OAuth scopes, over Cognito's ${APP_CLIENT_QUOTAS.oauthScopes} per app client ("Scopes per app client", a quota Cognito does not raise); CreateUserPoolClient refuses the list`,
          `allow at most ${APP_CLIENT_QUOTAS.oauthScopes}: grant broader resource-server scopes rather than one per action`,
        );
      }
      let before: Set<string> | undefined;
      for (const scope of scopes) {
        if (COGNITO_STANDARD_SCOPES.includes(scope)) continue;
        // A scope name has no "/" (ResourceServerScopeType ScopeName pattern); an identifier may (a URL).
        const slash = scope.lastIndexOf("/");
        if (slash <= 0 || slash === scope.length - 1) {
          report(
            `allows OAuth scope "${scope}", which is neither one of Cognito's (${COGNITO_STANDARD_SCOPES.join(", ")}) nor "<resource server identifier>/<scope name>"; CreateUserPoolClient refuses it (ScopeDoesNotExistException)`,
            'correct the scope, or create an aws.cognito.ResourceServer on the pool and allow its scope as "<identifier>/<scope name>"',
          );
          continue;
        }
        const identifier = scope.slice(0, slash);
        const name = scope.slice(slash + 1);
        const owners = servers.filter((s) => s.inputs.userPoolId === client.inputs.userPoolId && s.inputs.identifier === identifier);
        if (owners.length === 0) continue;
        const holders = owners.filter((s) => asArray<Record<string, unknown>>(s.inputs.scopes).some((defined) => defined?.scopeName === name));
        if (holders.length === 0) {
          const defined = owners.flatMap((s) => asArray<Record<string, unknown>>(s.inputs.scopes).map((d) => `${identifier}/${String(d?.scopeName)}`));
          report(
            `allows OAuth scope "${scope}", but resource server ${owners[0].name} (identifier "${identifier}" on the same pool) defines no scope "${name}"${defined.length ? ` (it has ${defined.join(", ")})` : ""}; CreateUserPoolClient refuses it (ScopeDoesNotExistException)`,
            `add { scopeName: "${name}", scopeDescription: "…" } to ${owners[0].name}'s scopes, or correct the scope`,
          );
          continue;
        }
        before ??= orderedAfter(graph, client);
        if (!holders.some((s) => before!.has(s.urn))) {
          report(
            `allows OAuth scope "${scope}" of resource server ${holders[0].name} but does not depend on it, so Pulumi may create the client first and CreateUserPoolClient refuses the scope (ScopeDoesNotExistException) on the first deploy`,
            `give the client dependsOn: [${holders[0].name}] (or take userPoolId from the server), or define the server in UserAuth's resourceServers, which creates it before the client`,
          );
        }
      }
    }
    return findings;
  },
};

/**
 * A resource server defines at most 100 custom scopes: CreateResourceServer and UpdateResourceServer Scopes "Array
 * Members: Maximum number of 100 items" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateResourceServer.html;
 * Quotas in Amazon Cognito: "Custom scopes per resource server | 100"), so a longer list is refused as the request's
 * validation fails. UserAuth refuses more at construction (spec.ts validateScopes, RESOURCE_SERVER.scopes); this rule
 * holds every aws.cognito.ResourceServer of the plan, UserAuth's and hand-built ones, to it.
 */
export const COGNITO_RESOURCE_SERVER_SCOPES: DeployRule = {
  id: "CognitoResourceServerScopes",
  title: "A resource server defines at most 100 custom scopes",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateResourceServer.html",
  check(graph) {
    return ofType(graph, RESOURCE_SERVER).flatMap((server) => {
      const count = asArray<unknown>(server.inputs.scopes).length;
      if (count <= RESOURCE_SERVER_SHAPE.scopes) return [];
      return [
        finding(
          this.id,
          server,
          `defines ${count} custom scopes, over the ${RESOURCE_SERVER_SHAPE.scopes} a resource server takes (CreateResourceServer Scopes "Maximum number of ${RESOURCE_SERVER_SHAPE.scopes} items"); Cognito refuses the request`,
          `define at most ${RESOURCE_SERVER_SHAPE.scopes} scopes, or split them over two resource servers (each with its own identifier)`,
        ),
      ];
    });
  },
};

/**
 * The client credentials grant (machine-to-machine): "You can't enable client credentials grants in the same app client
 * as either implicit or authorization code grants" (https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints-oauth-grants.html;
 * AWS::Cognito::UserPoolClient AllowedOAuthFlows: "To create an app client that generates client credentials grants, you
 * must add client_credentials as the only allowed OAuth flow"), and it authenticates with the client secret: "in order
 * to use the client credentials grant, the corresponding user pool app client must have an associated app client
 * secret" (the token endpoint guide as AWS support quotes it); Cognito refuses such a client without one: "client_credentials
 * flow can not be selected if client does not have a client secret" (the error as observed, third-party write-up
 * https://jobairkhan.com/2019/02/10/aws-cognito-user-pools-client-credentials). UserAuth's client allows `code` only.
 * Not judged (not confirmed to be refused): standard scopes (openid, …) on a client_credentials client.
 */
export const COGNITO_CLIENT_CREDENTIALS_FLOW: DeployRule = {
  id: "CognitoClientCredentialsFlow",
  title: "An app client with the client_credentials grant has no code or implicit grant, and has a client secret",
  source: "https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints-oauth-grants.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const client of ofType(graph, CLIENT)) {
      const flows = asArray<unknown>(client.inputs.allowedOauthFlows);
      if (!flows.includes("client_credentials")) continue;
      const others = flows.filter((f) => f !== "client_credentials");
      if (others.length > 0) {
        findings.push(
          finding(
            "CognitoClientCredentialsFlow",
            client,
            `allows the client_credentials grant together with ${others.join(", ")}; Cognito takes client_credentials only as an app client's sole OAuth flow, so CreateUserPoolClient refuses it`,
            "split it into two app clients: one with client_credentials only (machine-to-machine, with a secret), one with code for users",
          ),
        );
      }
      if (client.inputs.generateSecret !== true) {
        findings.push(
          finding(
            "CognitoClientCredentialsFlow",
            client,
            "allows the client_credentials grant without a client secret (generateSecret is not true); Cognito refuses it (\"client_credentials flow can not be selected if client does not have a client secret\")",
            "set generateSecret: true on the machine-to-machine client, and keep its secret server-side",
          ),
        );
      }
    }
    return findings;
  },
};

const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED = ["aws", "amazon", "cognito"];

/** Why Cognito refuses `prefix` as a prefix domain, or undefined when it accepts it. */
export function domainPrefixProblem(prefix: string): string | undefined {
  if (!PREFIX.test(prefix)) return "is not 1–63 lowercase letters, digits and hyphens starting and ending with a letter or digit";
  const reserved = RESERVED.filter((word) => prefix.includes(word));
  if (reserved.length > 0) return `contains the reserved word ${reserved.join(", ")}`;
  return undefined;
}

function prefixDomains(graph: Graph): RecordedResource[] {
  // A custom domain (with a certificate) is a full host name; only prefix domains follow the prefix rules.
  return ofType(graph, DOMAIN).filter((d) => !d.inputs.certificateArn && typeof d.inputs.domain === "string");
}

/**
 * CreateUserPoolDomain: Domain "Pattern: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$", length 1–63; the
 * Cognito console and developer guide add "You can't use the text aws, amazon, or cognito in the
 * domain prefix" (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html).
 */
export const COGNITO_DOMAIN_PREFIX: DeployRule = {
  id: "CognitoDomainPrefix",
  title: "Hosted UI prefix domains are valid prefixes without reserved words",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html",
  check(graph) {
    return prefixDomains(graph).flatMap((d) => {
      const problem = domainPrefixProblem(d.inputs.domain);
      return problem ? [finding("CognitoDomainPrefix", d, `prefix "${d.inputs.domain}" ${problem}`, 'choose a prefix of lowercase letters, digits and inner hyphens, without "aws", "amazon" or "cognito"')] : [];
    });
  },
};

/**
 * Prefix domains are global per region (`<prefix>.auth.<region>.amazoncognito.com`): two stacks of
 * the project with the same prefix in one region cannot both create it ("Domain already associated
 * with another user pool").
 */
export const COGNITO_DOMAIN_PREFIX_UNIQUE: ProjectDeployRule = {
  id: "CognitoDomainPrefixUnique",
  title: "No two stacks of the project claim the same hosted UI prefix in a region",
  source: "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html",
  check(stacks) {
    const claims = stacks.flatMap(({ graph, context }) => prefixDomains(graph).map((domain) => ({ stack: context.stack, domain, host: `${domain.inputs.domain}.auth.${regionOf(graph, domain, context)}.amazoncognito.com` })));
    // Two prefix domains of one stack are PhysicalNameUnique's (name-collisions.ts), which scripts/plan.ts runs on one stack.
    return sharedAcrossStacks(claims, (c) => c.host).map(({ key: host, claim, others }) =>
      finding("CognitoDomainPrefixUnique", claim.domain, `claims ${host}, as do ${others.map((c) => `${c.stack}: ${c.domain.name}`).join(", ")}; only the first to deploy gets it`, "give each stack its own prefix (e.g. derived from project, stack and account)", claim.stack),
    );
  },
};

/**
 * EmailConfigurationType: with COGNITO_DEFAULT "Amazon Cognito allows only a limited number of
 * emails each day for your user pool. For typical production environments, the default email limit
 * is below the required delivery volume"; with DEVELOPER, "provide the ARN of an Amazon SES verified
 * email address for the SourceArn parameter".
 */
export const COGNITO_EMAIL_SENDER: DeployRule = {
  id: "CognitoEmailSender",
  title: "Production user pools send email through SES; an SES sender names its identity",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const pool of ofType(graph, USER_POOL)) {
      if (usesSes(pool) && !pool.inputs.emailConfiguration?.sourceArn) {
        findings.push(finding("CognitoEmailSender", pool, "sends email with emailSendingAccount DEVELOPER but names no SES identity (sourceArn)", "set emailConfiguration.sourceArn to the ARN of a verified SES identity"));
      }
      if (context.production && !usesSes(pool)) {
        findings.push(finding("CognitoEmailSender", pool, "is in a production stack and sends sign-up, verification and recovery email with Cognito's default sender, whose daily quota is below production volume", 'set emailConfiguration { emailSendingAccount: "DEVELOPER", sourceArn: <verified SES identity ARN>, fromEmailAddress }'));
      }
    }
    return findings;
  },
};

/**
 * The AWS provider ignores a removed `emailConfiguration`: terraform-provider-aws internal/service/cognitoidp/user_pool.go
 * declares `"email_configuration": {… DiffSuppressFunc: verify.SuppressMissingOptionalConfigurationBlock}`, and that
 * function is `return old == "1" && new == "0"` (internal/verify). So taking the block out of the program shows no diff,
 * and every later UpdateUserPool re-sends the block still in the state: a pool that sent through SES (DEVELOPER) keeps
 * doing so, and sign-up and reset email fails once that identity is deleted. Only a stated block switches it back:
 * EmailSendingAccount COGNITO_DEFAULT, "When Amazon Cognito emails your users, it uses its built-in email
 * functionality" (EmailConfigurationType). No field of the block forces a new pool, so the switch is an update.
 * In a production plan a pool without the block is CognitoEmailSender's (its fix, a stated DEVELOPER block, settles
 * this one too), so it is reported once, there.
 */
export const COGNITO_EMAIL_CONFIG_EXPLICIT: DeployRule = {
  id: "CognitoEmailConfigExplicit",
  title: "A user pool states its emailConfiguration, so removing an SES sender switches it back to Cognito's",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html",
  check(graph, context) {
    // A pool without the block sends with Cognito's default sender, which CognitoEmailSender reports in production.
    if (context.production) return [];
    return ofType(graph, USER_POOL)
      .filter((pool) => pool.inputs.emailConfiguration === undefined || pool.inputs.emailConfiguration === null)
      .map((pool) =>
        finding(
          "CognitoEmailConfigExplicit",
          pool,
          "sets no emailConfiguration, and the AWS provider ignores a removed emailConfiguration block: a pool that sent through SES keeps sending through it after the block is taken out (user_pool.go: DiffSuppressFunc verify.SuppressMissingOptionalConfigurationBlock), and its email fails once the SES identity is gone",
          'set emailConfiguration { emailSendingAccount: "COGNITO_DEFAULT" } when Cognito sends the email (or the DEVELOPER block with your SES identity), and keep it set',
        ),
      );
  },
};

/**
 * A custom domain (CreateUserPoolDomain with a certificate) is created only when its parent name resolves: "Amazon
 * Cognito does not support top-level domains and requires the parent domain to have a DNS A record for validation",
 * or it is refused with "Custom domain is not a valid subdomain". The provider calls CreateUserPoolDomain once
 * (internal/service/cognitoidp/user_pool_domain.go `resourceUserPoolDomainCreate`), so when the plan itself creates
 * that A record (e.g. the site's alias on the apex), the domain must be ordered after it. A parent whose record is not
 * in the plan is assumed to exist.
 */
export const COGNITO_CUSTOM_DOMAIN_PARENT_RECORD: DeployRule = {
  id: "CognitoCustomDomainParentRecord",
  title: "A custom hosted UI domain waits for the A record of its parent domain when the plan creates that record",
  source: "https://docs.aws.amazon.com/cognito/latest/developerguide/troubleshooting.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const domain of ofType(graph, DOMAIN).filter((d) => d.inputs.certificateArn && typeof d.inputs.domain === "string")) {
      const host = dnsName(domain.inputs.domain);
      const parent = host.slice(host.indexOf(".") + 1);
      if (!host.includes(".") || !parent.includes(".")) continue; // a top-level parent has no record of the plan's to wait for
      const records = ofType(graph, RECORD).filter((r) => r.inputs.type === "A" && recordName(graph, r) === parent);
      if (records.length === 0) continue;
      const before = dependencyClosure(graph, domain);
      if (records.some((r) => before.has(r.urn))) continue;
      findings.push(
        finding(
          "CognitoCustomDomainParentRecord",
          domain,
          `is custom domain ${host}, whose parent ${parent} gets its A record from ${records.map((r) => `${r.type} ${r.name}`).join(", ")} in this plan, but does not depend on it, so CreateUserPoolDomain can run before the name resolves and is refused ("Custom domain is not a valid subdomain")`,
          `create the domain after ${records[0].name}: UserAuth's domain.dependsOn: [${records[0].name}], or dependsOn in the UserPoolDomain's resource options`,
        ),
      );
    }
    return findings;
  },
};

/**
 * A custom domain's certificate is in us-east-1: "When you choose a custom domain, you must provide an SSL certificate
 * in the US East (N. Virginia) Amazon Web Services Region in your request" (CreateUserPoolDomain; UpdateUserPoolDomain:
 * "ACM certificates for custom domains must be in the US East (N. Virginia) Amazon Web Services Region"). And it
 * covers the domain: CustomDomainConfigType, "You use this certificate for the subdomain of your custom domain", served
 * by the CloudFront distribution Cognito creates for it, whose certificate "must cover" each alternate domain name
 * (cnames-and-https-requirements). CloudFrontAliasCertificate's checks: the region from the ARN, the names from the
 * plan's aws.acm.Certificate (one the plan does not request is not checked for names). UserAuth refuses another region
 * itself, even through an Output (domain.ts assertCustomDomainCertificate); this is for a program's own domains, and
 * for names, which the component cannot see.
 */
export const COGNITO_CUSTOM_DOMAIN_CERTIFICATE: DeployRule = {
  id: "CognitoCustomDomainCertificate",
  title: "A custom hosted UI domain's ACM certificate is in us-east-1 and covers the domain name",
  source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const domain of ofType(graph, DOMAIN)) {
      const arn = domain.inputs.certificateArn;
      if (typeof arn !== "string" || !arn || typeof domain.inputs.domain !== "string") continue;
      const host = dnsName(domain.inputs.domain);
      const region = arnRegion(arn);
      if (region !== "us-east-1") {
        findings.push(
          finding(
            "CognitoCustomDomainCertificate",
            domain,
            `is custom domain ${host} on ACM certificate ${arn} ${region ? `from ${region}` : "whose ARN names no region"}; Cognito takes a custom domain's certificate only from us-east-1, so CreateUserPoolDomain is refused`,
            'request (or import) the certificate in us-east-1 (`region: "us-east-1"` on the aws.acm.Certificate and its CertificateValidation) and pass that one',
          ),
        );
      }
      const certificate = referenced(graph, "aws:acm/certificate:Certificate", arn);
      const names = certificate && certificateNames(certificate);
      if (certificate && names && !names.some((n) => certificateCovers(n, host))) {
        findings.push(
          finding(
            "CognitoCustomDomainCertificate",
            domain,
            `is custom domain ${host}, which certificate ${certificate.name} (${names.join(", ")}) does not cover, so Cognito's CloudFront distribution cannot serve it`,
            `add ${host} to ${certificate.name}'s domainName or subjectAlternativeNames, or pass a certificate that covers it`,
          ),
        );
      }
    }
    return findings;
  },
};

/** The Lambda ARNs a pool's lambdaConfig names: each trigger's ARN, and `lambdaArn` of the sender and token-generation blocks. */
function triggerArns(pool: RecordedResource): Array<{ trigger: string; arn: string }> {
  return Object.entries(pool.inputs.lambdaConfig ?? {}).flatMap(([trigger, value]: [string, any]) =>
    typeof value === "string" ? [{ trigger, arn: value }] : typeof value?.lambdaArn === "string" ? [{ trigger, arn: value.lambdaArn }] : [],
  );
}

const kept = (r: RecordedResource) => r.retainOnDelete;

/** The component that built `pool` (UserAuth, or a program's own), if any. */
function ownerOf(graph: Graph, pool: RecordedResource): RecordedResource | undefined {
  return graph.find((c) => c.urn === pool.parent && !c.custom && c.type !== "pulumi:pulumi:Stack");
}

/**
 * Whether Pulumi skips `r`'s delete when it deletes `pool`: `deletedWith` the pool, or the component that owns it
 * (a trigger's parts cannot name the pool, whose lambdaConfig needs the function's ARN first); the engine skips a
 * delete whose deletedWith target is deleted in the same operation, and a retained pool's delete step counts. Or
 * `retainOnDelete`, which also keeps `r` when it alone is removed or replaced.
 */
function goesWith(graph: Graph, pool: RecordedResource): { skipped: (r: RecordedResource) => boolean; owner?: RecordedResource } {
  const owner = ownerOf(graph, pool);
  const targets = [pool.urn, owner?.urn].filter((urn): urn is string => Boolean(urn));
  return { skipped: (r) => r.retainOnDelete || (r.deletedWith !== undefined && targets.includes(r.deletedWith)), owner };
}

/**
 * What a retained (`retainOnDelete`) user pool still needs after `pulumi destroy`. DeleteIdentityPool: "Once a pool
 * is deleted, users will not be able to authenticate with the pool"; the identity ids it minted (which key every item
 * under a `${cognito-identity.amazonaws.com:sub}` grant) are gone, and a rebuilt identity pool mints new ones.
 * DeleteGroup removes the group and so every membership in it
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteGroup.html). A trigger the
 * kept pool names (lambdaConfig) must keep its function, the role it runs as with that role's inline policies (DeleteRole
 * refuses a role that still has them: https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html), the log
 * group it writes to, and the permission Cognito invokes it by. `deletedWith` (see goesWith) is the way to keep them:
 * it keeps them only while the pool goes too.
 */
export const COGNITO_RETAINED_POOL_PARTS: DeployRule = {
  id: "CognitoRetainedPoolParts",
  title: "A retained user pool keeps its groups, the identity pool federating it, and its triggers with their roles, policies, log groups and invoke permissions",
  source: "https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_DeleteIdentityPool.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const pool of ofType(graph, USER_POOL).filter(kept)) {
      const { skipped, owner } = goesWith(graph, pool);
      const fix = `give it deletedWith: the pool${owner ? ` (or ${owner.name}, the component that owns it)` : ""}, so Pulumi skips its delete only when the pool is deleted too`;
      const why = `user pool ${pool.name} is kept on delete but`;
      const report = (r: RecordedResource, problem: string) => findings.push(finding("CognitoRetainedPoolParts", r, problem, fix));
      for (const group of ofType(graph, "aws:cognito/userGroup:UserGroup").filter((g) => g.inputs.userPoolId === pool.id && !skipped(g))) {
        report(group, `is a group of ${pool.name}; ${why} the group is not, so a destroy deletes it and every membership in it`);
      }
      const federates = (identities: RecordedResource) =>
        ((identities.inputs.cognitoIdentityProviders ?? []) as Array<Record<string, any>>).some((p) => p.providerName === pool.state.endpoint || String(p.providerName ?? "").endsWith(`/${pool.id}`));
      for (const identities of ofType(graph, "aws:cognito/identityPool:IdentityPool").filter((i) => federates(i) && !skipped(i))) {
        report(identities, `federates ${pool.name}; ${why} the identity pool is not, so a destroy deletes the identity ids keying its users' items, and a rebuilt identity pool mints new ones`);
      }
      for (const { trigger, arn } of triggerArns(pool)) {
        const fn = ofType(graph, "aws:lambda/function:Function").find((f) => f.state.arn === arn);
        if (!fn) continue;
        const role = ofType(graph, "aws:iam/role:Role").find((r) => r.state.arn === fn.inputs.role);
        const policies = role ? ofType(graph, "aws:iam/rolePolicy:RolePolicy").filter((p) => [role.id, role.state.name].includes(p.inputs.role)) : [];
        const logGroup = ofType(graph, "aws:cloudwatch/logGroup:LogGroup").find((l) => fn.inputs.loggingConfig?.logGroup !== undefined && l.state.name === fn.inputs.loggingConfig.logGroup);
        const permissions = ofType(graph, "aws:lambda/permission:Permission").filter((p) => p.inputs.principal === "cognito-idp.amazonaws.com" && [fn.state.name, fn.state.arn].includes(p.inputs.function));
        if (!skipped(fn)) report(fn, `is the ${trigger} trigger of ${pool.name}; ${why} the function is not, so the kept pool names a deleted function and every ${trigger} event fails`);
        if (role && !skipped(role)) report(role, `is the role of ${pool.name}'s ${trigger} trigger; ${why} the role is not, and a function without its role cannot run`);
        for (const policy of policies.filter((p) => !skipped(p))) {
          report(policy, `is an inline policy of ${pool.name}'s ${trigger} trigger's role; ${why} the policy is not, so the kept function loses the permissions it grants`);
        }
        if (logGroup && !skipped(logGroup)) report(logGroup, `is the log group of ${pool.name}'s ${trigger} trigger; ${why} the log group is not, so the kept function's logs have nowhere to go`);
        for (const permission of permissions.filter((p) => !skipped(p))) {
          report(permission, `lets Cognito invoke ${pool.name}'s ${trigger} trigger; ${why} the permission is not, so Cognito can no longer invoke the kept function`);
        }
      }
    }
    return findings;
  },
};

/**
 * A group is an authorization: tokens carry their user's groups in `cognito:groups`, and APIs grant by them. A
 * `retainOnDelete` group stays in the pool, members and all, when the program removes or renames it (a rename replaces
 * it), so the people it named keep that claim in every token. `deletedWith: pool` keeps a group through a destroy
 * that keeps the pool, without that. https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-user-groups.html
 */
export const COGNITO_GROUP_NOT_RETAINED: DeployRule = {
  id: "CognitoGroupNotRetained",
  title: "A user pool group is not kept on delete (removing it from the program must remove it from the pool)",
  source: "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-user-groups.html",
  check(graph) {
    return ofType(graph, "aws:cognito/userGroup:UserGroup")
      .filter((group) => group.retainOnDelete)
      .map((group) =>
        finding(
          "CognitoGroupNotRetained",
          group,
          `is kept on delete: removing or renaming group "${group.inputs.name}" in the program would leave it in the pool with its members, whose tokens keep it in cognito:groups`,
          "drop retainOnDelete and give the group deletedWith: the pool, which keeps it only while the pool goes too",
        ),
      );
  },
};

/**
 * User pool deletion protection: "When you want to delete a user pool with an Amazon Cognito API request, you must
 * first change DeletionProtection to Inactive in an UpdateUserPool request. If you don't deactivate deletion
 * protection, Amazon Cognito returns an InvalidParameterException error" (UserPoolType DeletionProtection says the
 * same). The provider does not deactivate it: terraform-provider-aws internal/service/cognitoidp/user_pool.go
 * `resourceUserPoolDelete` sends DeleteUserPool alone. So a protected pool Pulumi deletes fails `pulumi destroy`, the
 * removal of the pool from the program, or its replacement (a replace-forcing input, e.g. usernameAttributes), and late:
 * Pulumi deletes in reverse dependency order, so its app clients, domains, groups (with their memberships) and identity
 * pool are gone first. The same judgement as S3BucketDestroyable, and as there a `protect`ed pool is left out: the
 * engine refuses to delete it before deleting anything. UserAuth refuses protection without retainOnDelete or
 * protect itself (spec.ts); this rule sees every pool, a component's pool given protection by a transformation
 * included. A pool `deletedWith` another resource is not left out: removing or replacing the pool alone still deletes it.
 */
export const COGNITO_USER_POOL_DESTROYABLE: DeployRule = {
  id: "CognitoUserPoolDestroyable",
  title: "A user pool the stack deletes has no deletion protection (or is kept on delete)",
  source: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-deletion-protection.html",
  check(graph, context) {
    return ofType(graph, USER_POOL)
      .filter((pool) => pool.inputs.deletionProtection === "ACTIVE" && !pool.retainOnDelete && !pool.protect)
      .map((pool) => {
        const owner = ownerOf(graph, pool);
        const userAuth = owner?.type.endsWith(":UserAuth") ? owner : undefined;
        const keep = `set retainOnDelete: true on ${userAuth ? `UserAuth ${userAuth.name}` : owner ? `the pool (built by ${owner.name})` : "the pool"}`;
        // UserAuth refuses protection without retainOnDelete (or protect), so its pool got here through a
        // transformation: one that set deletionProtection, or dropped retainOnDelete. Its arguments cannot undo that.
        const unprotect = userAuth
          ? "remove deletionProtection from the transformation that sets it on a pool this stack may delete (UserAuth protects its pool only with retainOnDelete, so a transformation set the protection or dropped retainOnDelete)"
          : 'deletionProtection "INACTIVE" on a pool this stack may delete';
        return finding(
          "CognitoUserPoolDestroyable",
          pool,
          'has deletionProtection "ACTIVE" but is neither retainOnDelete nor protect: Cognito refuses DeleteUserPool on a protected pool (InvalidParameterException) and the AWS provider does not deactivate the protection first, so `pulumi destroy` (or removing or replacing the pool) fails part-way, after its dependents (app clients, domains, groups, identity pool) are deleted',
          context.production ? `${keep}, so the pool and its users outlive a destroy` : `${keep} to keep the pool and its users, or ${unprotect}`,
        );
      });
  },
};

/**
 * An app client's AuthSessionValidity, how many minutes a user has to answer each authentication challenge, is a whole
 * number from 3 to 15 (APP_CLIENT_AUTH_SESSION_MINUTES: "Valid values between 3 and 15", the provider's and
 * CloudFormation's docs of the setting); CreateUserPoolClient / UpdateUserPoolClient refuse another. UserAuth's client
 * does not set it (Cognito's default, 3); a hand-built aws.cognito.UserPoolClient can. The provider refuses it too, at
 * `pulumi preview` (terraform-provider-aws internal/service/cognitoidp/user_pool_client.go: auth_session_validity's
 * `int64validator.Between(3, 15)`); the mocked plan runs no provider, so this rule says it there. An unknown value (an
 * Output) is not judged.
 */
export const COGNITO_CLIENT_AUTH_SESSION_VALIDITY: DeployRule = {
  id: "CognitoClientAuthSessionValidity",
  title: "An app client's authSessionValidity is 3 to 15 minutes",
  source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cognito-userpoolclient.html#cfn-cognito-userpoolclient-authsessionvalidity",
  check(graph) {
    return ofType(graph, CLIENT).flatMap((client) => {
      const value: unknown = client.inputs.authSessionValidity;
      if (typeof value !== "number") return [];
      const { min, max } = APP_CLIENT_AUTH_SESSION_MINUTES;
      const refusal = wholeNumberRangeRefusal(value, APP_CLIENT_AUTH_SESSION_MINUTES, { unit: "minutes", limit: "Cognito's range" });
      if (!refusal) return [];
      return [
        finding(
          "CognitoClientAuthSessionValidity",
          client,
          `has authSessionValidity ${value}, which ${refusal.problem}; CreateUserPoolClient refuses it`,
          `set authSessionValidity to a whole number of minutes from ${min} to ${max} (how long a user has to answer each sign-in challenge), or leave it out for Cognito's default of ${min}`,
        ),
      ];
    });
  },
};

export const COGNITO_RULES: DeployRule[] = [
  COGNITO_MFA_METHOD,
  COGNITO_PHONE_VERIFICATION_SMS,
  COGNITO_THREAT_PROTECTION_TIER,
  COGNITO_REDIRECT_URLS,
  COGNITO_CLIENT_SCOPES,
  COGNITO_RESOURCE_SERVER_SCOPES,
  COGNITO_CLIENT_CREDENTIALS_FLOW,
  COGNITO_CLIENT_AUTH_SESSION_VALIDITY,
  COGNITO_DOMAIN_PREFIX,
  COGNITO_CUSTOM_DOMAIN_PARENT_RECORD,
  COGNITO_CUSTOM_DOMAIN_CERTIFICATE,
  COGNITO_EMAIL_SENDER,
  COGNITO_EMAIL_CONFIG_EXPLICIT,
  COGNITO_RETAINED_POOL_PARTS,
  COGNITO_GROUP_NOT_RETAINED,
  COGNITO_USER_POOL_DESTROYABLE,
];
export const COGNITO_PROJECT_RULES: ProjectDeployRule[] = [COGNITO_DOMAIN_PREFIX_UNIQUE];
