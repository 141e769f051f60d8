import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultDomainPrefix, JWKS_DEFINE, UserAuth, type UserAuthArgs } from "../../components/user-auth";
import { canonicalJwks, createJwksProvider, type FetchText } from "../../components/user-auth/jwks-provider";
import { assertRedirectUrls } from "../../components/user-auth/client";
import { assertSesSender } from "../../components/user-auth/email";
import { passwordProblems } from "../../components/user-auth/password";
import { childrenOf, ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";
import { refusalOf, type RefusalContract, rejectionOf } from "../harness/refusals";

const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/preferences";
const galleryArn = "arn:aws:dynamodb:us-east-1:123456789012:table/gallery";
const base: UserAuthArgs = { callbackUrls: ["https://gallery.example.com/"] };
const sesDomain = "arn:aws:ses:us-east-1:123456789012:identity/gallery.example.com";
const value = <T>(o: { apply: (f: (v: T) => unknown) => unknown }) => new Promise<T>((done) => o.apply((v) => done(v)));

let graph: RecordedResource[];
beforeAll(async () => {
  graph = await record(
    () =>
      new UserAuth("auth", {
        callbackUrls: ["https://gallery.example.com/", "http://localhost:3000/"],
        domain: { prefix: "gallery-test-auth" },
        groups: [{ name: "admin", description: "Gallery administrators", precedence: 1 }],
        identityPool: { rowLevelSecurity: [{ tableArn, actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"] }] },
        triggers: {
          postConfirmation: {
            entry: "handlers/auth/post-confirmation.ts",
            timeout: 5,
            environment: { TABLE_NAME: "gallery" },
            permissions: [{ actions: ["dynamodb:PutItem"], resources: [galleryArn] }],
          },
        },
        retainOnDelete: true,
      }),
  );
});

describe("UserAuth user pool", () => {
  it("signs in with email under a 12-character policy, TOTP MFA, verified email recovery and enforced threat protection", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    expect(pool.inputs).toMatchObject({
      usernameAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      autoVerifiedAttributes: ["email"],
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
      passwordPolicy: { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 3 },
      mfaConfiguration: "ON",
      softwareTokenMfaConfiguration: { enabled: true },
      verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
      accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
      adminCreateUserConfig: { allowAdminCreateUserOnly: false },
      userPoolTier: "PLUS",
      userPoolAddOns: { advancedSecurityMode: "ENFORCED" },
      deletionProtection: "ACTIVE",
    });
    expect(pool.retainOnDelete).toBe(true);
  });

  it("creates the groups in the pool", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    expect(resource(graph, "aws:cognito/userGroup:UserGroup", "auth-group-admin").inputs).toMatchObject({ userPoolId: pool.id, name: "admin", precedence: 1 });
  });

  it("wires the post-confirmation trigger: a LambdaFunction, the pool's lambdaConfig, and an invoke permission scoped to the pool", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    const fn = resource(graph, "aws:lambda/function:Function", "auth-post-confirmation-function");
    expect(pool.inputs.lambdaConfig).toEqual({ postConfirmation: fn.state.arn });
    expect(fn.inputs.timeout).toBe(5);
    expect(fn.inputs.environment.variables.TABLE_NAME).toBe("gallery");
    const permission = resource(graph, "aws:lambda/permission:Permission", "auth-post-confirmation-invoke");
    expect(permission.inputs).toMatchObject({ action: "lambda:InvokeFunction", function: fn.state.name, principal: "cognito-idp.amazonaws.com", sourceArn: pool.state.arn });
    const policy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "auth-post-confirmation-policy").inputs.policy);
    expect(policy.Statement[0]).toMatchObject({ Action: ["dynamodb:PutItem"], Resource: [galleryArn] });
  });

  it("with retainOnDelete, keeps what the kept pool and tables depend on when the pool goes, and rebuilds the rest", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    const component = resource(graph, "serverless-fullstack:index:UserAuth", "auth");
    // deletedWith, never retainOnDelete: Pulumi skips the delete only when the pool (or the component owning it) goes in
    // the same operation, so a group, identity pool or trigger removed or replaced on its own is still deleted.
    const skippedWith = (r: RecordedResource, target: RecordedResource) => ({ retainOnDelete: r.retainOnDelete, deletedWith: r.deletedWith === target.urn });
    // The identity ids key every row-level-security item; groups hold the memberships; the pool's lambdaConfig names the trigger.
    for (const [type, name] of [
      ["aws:cognito/identityPool:IdentityPool", "auth-identities"],
      ["aws:cognito/userGroup:UserGroup", "auth-group-admin"],
      ["aws:lambda/permission:Permission", "auth-post-confirmation-invoke"],
    ]) expect(skippedWith(resource(graph, type, name), pool), name).toEqual({ retainOnDelete: false, deletedWith: true });
    // The pool needs the function's ARN, so its parts go with the component that owns the pool.
    const trigger = resource(graph, "serverless-fullstack:index:LambdaFunction", "auth-post-confirmation");
    const triggerParts = childrenOf(graph, trigger);
    expect(triggerParts.map((r) => r.type)).toEqual(expect.arrayContaining(["aws:lambda/function:Function", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:cloudwatch/logGroup:LogGroup"]));
    for (const part of triggerParts) expect(skippedWith(part, component), part.name).toEqual({ retainOnDelete: false, deletedWith: true });
    // No data in these, and a kept prefix domain would block the same derived prefix on the next deploy.
    for (const [type, name] of [
      ["aws:cognito/userPoolClient:UserPoolClient", "auth-client"],
      ["aws:cognito/userPoolDomain:UserPoolDomain", "auth-domain"],
      ["aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment", "auth-roles"],
      ["aws:iam/role:Role", "auth-authenticated"],
      ["aws:iam/rolePolicy:RolePolicy", "auth-authenticated-policy"],
    ]) expect({ retainOnDelete: resource(graph, type, name).retainOnDelete, deletedWith: resource(graph, type, name).deletedWith }, name).toEqual({ retainOnDelete: false, deletedWith: undefined });
  });

  it("parents every child to the component", () => {
    const component = resource(graph, "serverless-fullstack:index:UserAuth", "auth");
    const children = childrenOf(graph, component).map((r) => r.name).sort();
    expect(children).toEqual(
      ["auth-authenticated", "auth-authenticated-policy", "auth-client", "auth-domain", "auth-group-admin", "auth-identities", "auth-jwks", "auth-pool", "auth-post-confirmation", "auth-post-confirmation-invoke", "auth-roles"].sort(),
    );
  });
});

describe("UserAuth app client and hosted UI", () => {
  it("is a public code+PKCE client with refresh token rotation and token lifetimes", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    const client = resource(graph, "aws:cognito/userPoolClient:UserPoolClient", "auth-client");
    expect(client.inputs).toMatchObject({
      userPoolId: pool.id,
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "email", "profile"],
      supportedIdentityProviders: ["COGNITO"],
      callbackUrls: ["https://gallery.example.com/", "http://localhost:3000/"],
      logoutUrls: ["https://gallery.example.com/", "http://localhost:3000/"],
      refreshTokenRotation: { feature: "ENABLED", retryGracePeriodSeconds: 10 },
      accessTokenValidity: 60,
      idTokenValidity: 60,
      refreshTokenValidity: 30,
      tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
      enableTokenRevocation: true,
      preventUserExistenceErrors: "ENABLED",
    });
    // Rotation and REFRESH_TOKEN_AUTH cannot be combined; passwords stay in the browser (SRP).
    expect(client.inputs.explicitAuthFlows).toEqual(["ALLOW_USER_SRP_AUTH"]);
    const domain = resource(graph, "aws:cognito/userPoolDomain:UserPoolDomain", "auth-domain");
    expect(domain.inputs).toMatchObject({ domain: "gallery-test-auth", userPoolId: pool.id });
    // A pool has one domain, and a prefix is claimed once: a changed prefix deletes the old domain before it creates the new one.
    expect(domain.deleteBeforeReplace).toBe(true);
  });

  it("offers REFRESH_TOKEN_AUTH only when rotation is off", async () => {
    const g = await record(() => new UserAuth("norotate", { ...base, refreshTokenRotation: { enabled: false } }));
    const client = resource(g, "aws:cognito/userPoolClient:UserPoolClient", "norotate-client");
    // The grace period Cognito answers for DISABLED, stated so the provider reads back what it sent.
    expect(client.inputs.refreshTokenRotation).toEqual({ feature: "DISABLED", retryGracePeriodSeconds: 0 });
    expect(client.inputs.explicitAuthFlows).toEqual(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
  });

  it("exposes what the site needs to sign in", async () => {
    let auth!: UserAuth;
    await record(() => (auth = new UserAuth("outputs", { ...base, domain: { prefix: "gallery-outputs" } })));
    const poolId = await value<string>(auth.userPoolId);
    expect(poolId).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    expect(await value(auth.userPoolArn)).toBe(`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${poolId}`);
    expect(await value(auth.issuerUrl)).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${poolId}`);
    expect(await value(auth.jwksUrl)).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${poolId}/.well-known/jwks.json`);
    expect(await value(auth.hostedUiUrl)).toBe("https://gallery-outputs.auth.us-east-1.amazoncognito.com");
    expect(await value(auth.clientId)).toMatch(/^[a-z0-9]{26}$/);
    expect(await value(auth.identityPoolId)).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
  });

  it("puts a custom domain behind a Route 53 alias to its CloudFront distribution", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    const g = await record(() => new UserAuth("custom", { ...base, domain: { name: "auth.gallery.example.com", certificateArn, hostedZoneId: "Z0123" } }));
    // Its own logical name (a pool holds one custom and one prefix domain); an earlier version's `custom-domain` is its alias.
    const domain = resource(g, "aws:cognito/userPoolDomain:UserPoolDomain", "custom-custom-domain");
    expect(domain.inputs).toMatchObject({ domain: "auth.gallery.example.com", certificateArn });
    expect(domain.aliases).toEqual([domain.urn.replace(/::custom-custom-domain$/, "::custom-domain")]);
    const alias = resource(g, "aws:route53/record:Record", "custom-domain-record");
    expect(alias.inputs).toMatchObject({ zoneId: "Z0123", name: "auth.gallery.example.com", type: "A" });
    expect(alias.inputs.aliases[0]).toMatchObject({ name: domain.state.cloudfrontDistribution, zoneId: "Z2FDTNDATAQYW2" });
  });

  it("creates a custom domain after what domain.dependsOn names (the parent domain's A record, a certificate's validation)", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    const g = await record(() => {
      const apex = new aws.route53.Record("apex", { zoneId: "Z0123", name: "gallery.example.com", type: "A", aliases: [{ name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }] });
      new UserAuth("after", { ...base, domain: { name: "auth.gallery.example.com", certificateArn, hostedZoneId: "Z0123", dependsOn: [apex] } });
    });
    const apex = resource(g, "aws:route53/record:Record", "apex");
    expect(resource(g, "aws:cognito/userPoolDomain:UserPoolDomain", "after-custom-domain").dependencies).toContain(apex.urn);
  });

  it("keeps a prefix domain beside a custom one (prefix and name), with hostedUiUrl on the prefix until it goes (a new custom domain can take an hour to serve): how the hosted UI moves between them without an outage", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    let auth!: UserAuth;
    const g = await record(() => (auth = new UserAuth("both", { ...base, domain: { prefix: "gallery-both", name: "auth.gallery.example.com", certificateArn, hostedZoneId: "Z0123" } })));
    const prefix = resource(g, "aws:cognito/userPoolDomain:UserPoolDomain", "both-domain");
    const custom = resource(g, "aws:cognito/userPoolDomain:UserPoolDomain", "both-custom-domain");
    expect([prefix.inputs.domain, custom.inputs.domain]).toEqual(["gallery-both", "auth.gallery.example.com"]);
    expect([prefix.deleteBeforeReplace, custom.deleteBeforeReplace]).toEqual([true, true]);
    // Not while the prefix is both-domain: two resources claiming one deployed one stop the update.
    expect(custom.aliases ?? []).toEqual([]);
    expect(await value(auth.hostedUiUrl)).toMatch(/^https:\/\/gallery-both\.auth\.[a-z0-9-]+\.amazoncognito\.com$/);
  });

  it.each([
    [0, /^UserAuth "bad": groups\[0\]\.precedence 0 is outside UserAuth's range of 1–2147483647; pulumi-aws leaves a precedence of 0 out of CreateGroup, so the group would be created with none, which ranks below every group that has one\. Use a whole number from 1 to 2147483647; lower wins\.$/, { component: "UserAuth", resourceName: "bad", argument: "groups[0].precedence", value: 0, fix: "Use a whole number from 1 to 2147483647; lower wins." }],
    [-1, /^UserAuth "bad": groups\[0\]\.precedence -1 is outside UserAuth's range of 1–2147483647\. Use a whole number from 1 to 2147483647; lower wins\.$/, { component: "UserAuth", resourceName: "bad", argument: "groups[0].precedence", value: -1, fix: "Use a whole number from 1 to 2147483647; lower wins." }],
    [1.5, /^UserAuth "bad": groups\[0\]\.precedence 1\.5 is not a whole number\. Use a whole number from 1 to 2147483647; lower wins\.$/, { component: "UserAuth", resourceName: "bad", argument: "groups[0].precedence", value: 1.5, fix: "Use a whole number from 1 to 2147483647; lower wins." }],
    [2 ** 31, /^UserAuth "bad": groups\[0\]\.precedence 2147483648 is outside UserAuth's range of 1–2147483647; Cognito's largest precedence is 2\^31-1\./, { component: "UserAuth", resourceName: "bad", argument: "groups[0].precedence", value: 2147483648, fix: "Use a whole number from 1 to 2147483647; lower wins." }],
    ["1", /^UserAuth "bad": groups\[0\]\.precedence "1" is not a number\. Use a whole number from 1 to 2147483647; lower wins\.$/, { component: "UserAuth", resourceName: "bad", argument: "groups[0].precedence", value: "1", fix: "Use a whole number from 1 to 2147483647; lower wins." }],
  ])("refuses a group precedence of %s", (precedence, message, contract) => {
    expect(refusalOf(() => new UserAuth("bad", { ...base, groups: [{ name: "admin", precedence: precedence as number }] }), "UserAuth accepted the arguments")).toMatchObject({
      ...contract,
      message: expect.stringMatching(message),
    });
  });

  it("refuses domain.dependsOn on a prefix domain, which Cognito creates under amazoncognito.com without resolving anything of yours", () => {
    const apex = {} as aws.route53.Record; // never registered: the args are refused first
    expect(refusalOf(() => new UserAuth("bad", { ...base, domain: { prefix: "gallery-auth", dependsOn: [apex] } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "bad",
      argument: "domain.dependsOn",
      value: "1 resource",
      fix: "Set domain.name to your host name, or drop dependsOn.",
      message: expect.stringMatching(/UserAuth "bad": domain\.dependsOn "1 resource" is only used with domain\.name/),
    });
  });
});

describe("UserAuth callback URLs set after construction (site ↔ auth without deferredOutput)", () => {
  it("creates the app client with the URLs setCallbackUrls gives once the site exists", async () => {
    const g = await record(() => {
      const auth = new UserAuth("lazy", { domain: { prefix: "gallery-lazy" } });
      // Stands in for a site built after the pool (its edge check and API need auth.userPoolArn first).
      const siteUrl = auth.userPoolArn.apply(() => "https://d111111abcdef8.cloudfront.net");
      auth.setCallbackUrls([siteUrl, "http://localhost:3000/"], [siteUrl]);
    });
    const client = resource(g, "aws:cognito/userPoolClient:UserPoolClient", "lazy-client");
    expect(client.inputs.callbackUrls).toEqual(["https://d111111abcdef8.cloudfront.net", "http://localhost:3000/"]);
    expect(client.inputs.logoutUrls).toEqual(["https://d111111abcdef8.cloudfront.net"]);
  });

  it("logout URLs default to the callback URLs", async () => {
    const g = await record(() => new UserAuth("lazy2", {}).setCallbackUrls(["https://gallery.example.com/"]));
    expect(resource(g, "aws:cognito/userPoolClient:UserPoolClient", "lazy2-client").inputs.logoutUrls).toEqual(["https://gallery.example.com/"]);
  });

  it("fails a program that never gives them with the fix, instead of leaving the app client waiting forever", () => {
    // Its own process: the guard runs when nothing else is left to run (beforeExit), which a vitest worker reaches only as it ends, if at all.
    const script = `
      const { record } = require("./testing/harness.ts");
      const { UserAuth } = require("./components/user-auth/index.ts");
      record(() => new UserAuth("forgotten", {})).then(() => console.log("settled"));`;
    const result = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: join(__dirname, "../.."), encoding: "utf8", timeout: 120_000 });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain("settled");
    expect(result.stderr).toContain('UserAuth "forgotten": callbackUrls (not set) was never given. Pass callbackUrls, or call auth.setCallbackUrls([site.url]) once the site exists.');
  });

  it("fails a program that logged an error and went on without them, rather than exiting 0 with the app client never created", () => {
    // pulumi.log.error does not stop a program, and Pulumi skips its check of unsettled promises once an error is logged.
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const { record } = require("./testing/harness.ts");
      const { UserAuth } = require("./components/user-auth/index.ts");
      record(() => { new UserAuth("went-on", {}); pulumi.log.error("an unrelated problem the program logged"); }).then(() => console.log("settled"));`;
    const result = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: join(__dirname, "../.."), encoding: "utf8", timeout: 120_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('UserAuth "went-on": callbackUrls (not set) was never given.');
  });

  it("validates late URLs as it validates the args, and takes them once, only when the args had none", () => {
    const auth = new UserAuth("late-bad", {});
    expect(refusalOf(() => auth.setCallbackUrls(["http://gallery.example.com/"]), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "late-bad",
      argument: "callbackUrls",
      value: "http://gallery.example.com/",
      fix: "Use the site's https URL, e.g. \"https://gallery.example.com/\".",
      message: expect.stringMatching(/UserAuth "late-bad": callbackUrls "http:\/\/gallery.example.com\/" is not https/),
    });
    expect(refusalOf(() => auth.setCallbackUrls([]), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "late-bad",
      argument: "callbackUrls",
      value: [],
      fix: "Pass the site's URL, e.g. [site.url] or [\"https://gallery.example.com/\"].",
      message: expect.stringMatching(/UserAuth "late-bad": callbackUrls \[\] is empty/),
    });
    auth.setCallbackUrls(["https://gallery.example.com/"]);
    expect(refusalOf(() => auth.setCallbackUrls(["https://other.example.com/"]), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "late-bad",
      argument: "callbackUrls",
      value: ["https://other.example.com/"],
      fix: "Call setCallbackUrls once, with every URL.",
      message: expect.stringMatching(/UserAuth "late-bad": callbackUrls \["https:\/\/other.example.com\/"\] were already set\. Call setCallbackUrls once/),
    });
    expect(refusalOf(() => new UserAuth("eager", base).setCallbackUrls(["https://gallery.example.com/"]), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "eager",
      argument: "callbackUrls",
      value: ["https://gallery.example.com/"],
      fix: "Omit callbackUrls from the args to set them later, or pass every URL there.",
      message: expect.stringMatching(/UserAuth "eager": callbackUrls .* were already given to the constructor/),
    });
    expect(refusalOf(() => new UserAuth("half", { logoutUrls: ["https://gallery.example.com/"] }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "half",
      argument: "logoutUrls",
      value: ["https://gallery.example.com/"],
      fix: "Pass both to setCallbackUrls(callbackUrls, logoutUrls) once the site exists, or both here.",
      message: expect.stringMatching(/UserAuth "half": logoutUrls .* is set without callbackUrls/),
    });
  });
});

describe("UserAuth hosted UI prefix (globally unique per region)", () => {
  it("derives a stable prefix from project, stack, component name and account when none is given, and the hosted UI URL follows", async () => {
    let auth!: UserAuth;
    const g = await record(() => (auth = new UserAuth("derived", { ...base, domain: {} })));
    const expected = `serverless-fullstack-test-derived-${createHash("sha256").update("serverless-fullstack\ntest\nderived\n123456789012").digest("hex").slice(0, 8)}`;
    expect(resource(g, "aws:cognito/userPoolDomain:UserPoolDomain", "derived-domain").inputs.domain).toBe(expected);
    expect(await value(auth.hostedUiUrl)).toBe(`https://${expected}.auth.us-east-1.amazoncognito.com`);
  });

  it("gives another account, stack or component another prefix, and the same inputs the same one", () => {
    const prefix = defaultDomainPrefix("serverless-fullstack", "dev", "auth", "123456789012");
    expect(prefix).toMatch(/^serverless-fullstack-dev-auth-[0-9a-f]{8}$/);
    expect(defaultDomainPrefix("serverless-fullstack", "dev", "auth", "123456789012")).toBe(prefix);
    expect(defaultDomainPrefix("serverless-fullstack", "dev", "auth", "210987654321")).not.toBe(prefix);
    expect(defaultDomainPrefix("serverless-fullstack", "prod", "auth", "123456789012")).not.toBe(prefix);
    expect(defaultDomainPrefix("serverless-fullstack", "dev", "admin-auth", "123456789012")).not.toBe(prefix);
  });

  it.each([
    ["My_AWS.Project", "Dev", "auth"],
    ["amazon-cognito-demo", "awsome", "cognitoauth"],
    ["a".repeat(80), "b".repeat(40), "auth"],
    ["---", "___", "---"],
  ])("keeps a derived prefix within Cognito's format and free of reserved words: %s / %s / %s", (project, stack, name) => {
    const prefix = defaultDomainPrefix(project, stack, name, "123456789012");
    expect(prefix).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(prefix).not.toMatch(/aws|amazon|cognito/);
  });

  it.each([
    [{ domain: { prefix: "Gallery-Auth" } }, /domain\.prefix "Gallery-Auth" is not a valid hosted UI prefix/, { component: "UserAuth", resourceName: "bad", argument: "domain.prefix", value: "Gallery-Auth", fix: 'Use 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, e.g. "gallery-dev-auth"; or leave it out for a derived one.' }],
    [{ domain: { prefix: "-gallery" } }, /domain\.prefix "-gallery" is not a valid hosted UI prefix/, { component: "UserAuth", resourceName: "bad", argument: "domain.prefix", value: "-gallery", fix: 'Use 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, e.g. "gallery-dev-auth"; or leave it out for a derived one.' }],
    [{ domain: { prefix: "x".repeat(64) } }, /is not a valid hosted UI prefix/, { component: "UserAuth", resourceName: "bad", argument: "domain.prefix", value: "x".repeat(64), fix: 'Use 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, e.g. "gallery-dev-auth"; or leave it out for a derived one.' }],
    [{ domain: { prefix: "my-aws-login" } }, /domain\.prefix "my-aws-login" contains "aws", "amazon" or "cognito", which Cognito reserves/, { component: "UserAuth", resourceName: "bad", argument: "domain.prefix", value: "my-aws-login", fix: "Pick a prefix without them, or leave it out for a derived one." }],
    [{ domain: { prefix: "gallery-Auth", name: "auth.gallery.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" } }, /domain\.prefix "gallery-Auth" is not a valid hosted UI prefix/, { component: "UserAuth", resourceName: "bad", argument: "domain.prefix", value: "gallery-Auth", fix: 'Use 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, e.g. "gallery-dev-auth"; or leave it out for a derived one.' }],
    [{ domain: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" } }, /domain\.certificateArn .* is only used with domain\.name/, { component: "UserAuth", resourceName: "bad", argument: "domain.certificateArn", value: "arn:aws:acm:us-east-1:123456789012:certificate/abc", fix: "Set domain.name to your host name, or drop certificateArn." }],
  ] as Array<[Partial<UserAuthArgs>, RegExp, RefusalContract]>)("refuses an explicit prefix Cognito would reject, at construction: %#", (bad, message, contract) => {
    expect(refusalOf(() => new UserAuth("bad", { ...base, ...bad }), "UserAuth accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });
});

describe("UserAuth email sender (SES instead of Cognito's 50 emails a day)", () => {
  it("sends through the SES identity as the DEVELOPER account, from an address of the identity", async () => {
    const g = await record(
      () =>
        new UserAuth("ses", {
          ...base,
          email: { sesIdentityArn: sesDomain, from: "Gallery <no-reply@gallery.example.com>", replyTo: "support@gallery.example.com", configurationSet: "auth-mail" },
        }),
    );
    expect(resource(g, "aws:cognito/userPool:UserPool", "ses-pool").inputs.emailConfiguration).toEqual({
      emailSendingAccount: "DEVELOPER",
      sourceArn: sesDomain,
      fromEmailAddress: "Gallery <no-reply@gallery.example.com>",
      replyToEmailAddress: "support@gallery.example.com",
      configurationSet: "auth-mail",
    });
  });

  it("states Cognito's default sender when no SES identity is given, so removing an SES sender really switches the pool back", () => {
    // An unset emailConfiguration would leave a pool that once sent through SES on it (the provider ignores a removed block).
    expect(resource(graph, "aws:cognito/userPool:UserPool", "auth-pool").inputs.emailConfiguration).toEqual({ emailSendingAccount: "COGNITO_DEFAULT" });
  });

  it("accepts an identity in the pool's region, or in one of the backwards-compatible SES regions", async () => {
    const inRegion = await record(() => new UserAuth("mumbai", { ...base, region: "ap-south-1", email: { sesIdentityArn: "arn:aws:ses:ap-south-1:123456789012:identity/gallery.example.com", from: "a@mail.gallery.example.com" } }));
    expect(resource(inRegion, "aws:cognito/userPool:UserPool", "mumbai-pool").inputs.emailConfiguration.sourceArn).toBe("arn:aws:ses:ap-south-1:123456789012:identity/gallery.example.com");
    const legacy = await record(() => new UserAuth("frankfurt", { ...base, region: "eu-central-1", email: { sesIdentityArn: "arn:aws:ses:eu-west-1:123456789012:identity/no-reply@gallery.example.com", from: "no-reply@gallery.example.com" } }));
    expect(resource(legacy, "aws:cognito/userPool:UserPool", "frankfurt-pool").inputs.emailConfiguration.sourceArn).toMatch(/^arn:aws:ses:eu-west-1:/);
  });

  it.each([
    [{ sesIdentityArn: "arn:aws:sns:us-east-1:123456789012:identity/gallery.example.com", from: "a@gallery.example.com" }, /email\.sesIdentityArn "arn:aws:sns:.*" is not an SES identity ARN/, { component: "UserAuth", resourceName: "bad", argument: "email.sesIdentityArn", value: "arn:aws:sns:us-east-1:123456789012:identity/gallery.example.com", fix: "Pass the ARN of a verified SES email address or domain, arn:aws:ses:<region>:<account>:identity/<email or domain> (SES console, Identities)." }],
    [{ sesIdentityArn: "gallery.example.com", from: "a@gallery.example.com" }, /email\.sesIdentityArn "gallery\.example\.com" is not an SES identity ARN/, { component: "UserAuth", resourceName: "bad", argument: "email.sesIdentityArn", value: "gallery.example.com", fix: "Pass the ARN of a verified SES email address or domain, arn:aws:ses:<region>:<account>:identity/<email or domain> (SES console, Identities)." }],
    [{ sesIdentityArn: sesDomain, from: "no-reply@other.example.com" }, /email\.from "no-reply@other\.example\.com" is not an address of the SES identity gallery\.example\.com/, { component: "UserAuth", resourceName: "bad", argument: "email.from", value: "no-reply@other.example.com", fix: 'Use an address @gallery.example.com, e.g. "no-reply@gallery.example.com".' }],
    [{ sesIdentityArn: sesDomain, from: "no-reply@evilgallery.example.com" }, /is not an address of the SES identity gallery\.example\.com/, { component: "UserAuth", resourceName: "bad", argument: "email.from", value: "no-reply@evilgallery.example.com", fix: 'Use an address @gallery.example.com, e.g. "no-reply@gallery.example.com".' }],
    [{ sesIdentityArn: "arn:aws:ses:us-east-1:123456789012:identity/no-reply@gallery.example.com", from: "help@gallery.example.com" }, /email\.from "help@gallery\.example\.com" is not an address of the SES identity no-reply@gallery\.example\.com/, { component: "UserAuth", resourceName: "bad", argument: "email.from", value: "help@gallery.example.com", fix: 'Use "no-reply@gallery.example.com" (optionally with a display name).' }],
    [{ sesIdentityArn: sesDomain, from: "Gallery" }, /email\.from "Gallery" is not an email address/, { component: "UserAuth", resourceName: "bad", argument: "email.from", value: "Gallery", fix: 'Use an address of the SES identity, e.g. "no-reply@gallery.example.com" or "Gallery <no-reply@gallery.example.com>".' }],
    [{ sesIdentityArn: sesDomain, from: "a@gallery.example.com", replyTo: "support" }, /email\.replyTo "support" is not an email address/, { component: "UserAuth", resourceName: "bad", argument: "email.replyTo", value: "support", fix: 'Use e.g. "support@gallery.example.com", or leave it out to reply to the FROM address.' }],
    [{ sesIdentityArn: sesDomain, from: "a@gallery.example.com", configurationSet: "auth mail" }, /email\.configurationSet "auth mail" is not an SES configuration set name/, { component: "UserAuth", resourceName: "bad", argument: "email.configurationSet", value: "auth mail", fix: "Use 1–64 letters, digits, hyphens and underscores, the name of a set in the identity's region." }],
  ] as Array<[UserAuthArgs["email"], RegExp, RefusalContract]>)("refuses a sender Cognito or SES would reject, at construction: %#", (email, message, contract) => {
    expect(refusalOf(() => new UserAuth("bad", { ...base, email }), "UserAuth accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });

  it("refuses an identity in a region Cognito cannot send from for the pool", () => {
    expect(refusalOf(() => new UserAuth("bad", { ...base, region: "eu-central-1", email: { sesIdentityArn: "arn:aws:ses:ap-south-1:123456789012:identity/gallery.example.com", from: "a@gallery.example.com" } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "bad",
      argument: "email.sesIdentityArn",
      value: "arn:aws:ses:ap-south-1:123456789012:identity/gallery.example.com",
      fix: "Verify the identity in eu-central-1 (or one of the others) and pass that ARN.",
      message: expect.stringMatching(/UserAuth "bad": email\.sesIdentityArn "arn:aws:ses:ap-south-1:.*" is in ap-south-1, but a user pool in eu-central-1 can send only through SES in eu-central-1, us-east-1, us-west-2 or eu-west-1\. Verify the identity in eu-central-1/),
    });
  });

  it("checks the region once known when the pool takes the provider's region (same message)", () => {
    expect(refusalOf(() => assertSesSender("late", sesDomain.replace("us-east-1", "ap-south-1"), "a@gallery.example.com", "eu-central-1"), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "late",
      argument: "email.sesIdentityArn",
      value: "arn:aws:ses:ap-south-1:123456789012:identity/gallery.example.com",
      fix: "Verify the identity in eu-central-1 (or one of the others) and pass that ARN.",
      message: expect.stringMatching(/UserAuth "late": email\.sesIdentityArn .* is in ap-south-1/),
    });
    expect(assertSesSender("late", sesDomain, "a@gallery.example.com", "eu-central-1")).toBe(sesDomain);
  });
});

describe("UserAuth identity pool (row-level security)", () => {
  it("federates the user pool's client with a server-side token check, and no guests", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    const client = resource(graph, "aws:cognito/userPoolClient:UserPoolClient", "auth-client");
    const identities = resource(graph, "aws:cognito/identityPool:IdentityPool", "auth-identities");
    expect(identities.inputs).toMatchObject({ allowUnauthenticatedIdentities: false, allowClassicFlow: false });
    expect(identities.inputs.cognitoIdentityProviders).toEqual([{ providerName: pool.state.endpoint, clientId: client.id, serverSideTokenCheck: true }]);
    const roles = resource(graph, "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment", "auth-roles");
    const role = resource(graph, "aws:iam/role:Role", "auth-authenticated");
    expect(roles.inputs).toEqual({ identityPoolId: identities.id, roles: { authenticated: role.state.arn } });
  });

  it("trusts only this identity pool's authenticated identities", () => {
    const identities = resource(graph, "aws:cognito/identityPool:IdentityPool", "auth-identities");
    const trust = policyDocument(resource(graph, "aws:iam/role:Role", "auth-authenticated").inputs.assumeRolePolicy);
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: "cognito-identity.amazonaws.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "cognito-identity.amazonaws.com:aud": identities.id },
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
        },
      },
    ]);
  });

  it("grants the table's item actions only where every leading key is the caller's identity id, and nothing else", () => {
    const policy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "auth-authenticated-policy").inputs.policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "RowLevelSecurity0",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
        Resource: [tableArn],
        Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"] } },
      },
    ]);
  });

  it("gives guests, when asked for, a role with no permissions", async () => {
    const g = await record(() => new UserAuth("guests", { ...base, identityPool: { allowUnauthenticated: true } }));
    expect(resource(g, "aws:cognito/identityPool:IdentityPool", "guests-identities").inputs.allowUnauthenticatedIdentities).toBe(true);
    const guest = resource(g, "aws:iam/role:Role", "guests-unauthenticated");
    expect(policyDocument(guest.inputs.assumeRolePolicy).Statement[0].Condition["ForAnyValue:StringLike"]).toEqual({ "cognito-identity.amazonaws.com:amr": "unauthenticated" });
    expect(ofType(g, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
  });
});

describe("UserAuth defaults for development", () => {
  it("turns MFA off by leaving the TOTP block out, which AWS reads back as no block (no diff on the next deploy)", async () => {
    const g = await record(() => new UserAuth("nomfa", { ...base, mfa: "OFF", threatProtection: "OFF", identityPool: { enabled: false } }));
    const pool = resource(g, "aws:cognito/userPool:UserPool", "nomfa-pool");
    expect(pool.inputs.mfaConfiguration).toBe("OFF");
    expect(pool.inputs.softwareTokenMfaConfiguration).toBeUndefined();
    expect(pool.inputs.userPoolAddOns).toBeUndefined();
  });

  it("takes OPTIONAL MFA, audit-only threat protection, and no retention when asked", async () => {
    const g = await record(() => new UserAuth("dev", { ...base, mfa: "OPTIONAL", threatProtection: "OFF", identityPool: { enabled: false } }));
    const pool = resource(g, "aws:cognito/userPool:UserPool", "dev-pool");
    expect(pool.inputs).toMatchObject({ mfaConfiguration: "OPTIONAL", softwareTokenMfaConfiguration: { enabled: true }, userPoolTier: "ESSENTIALS", deletionProtection: "INACTIVE" });
    expect(pool.inputs.userPoolAddOns).toBeUndefined();
    expect(pool.retainOnDelete).toBe(false);
    expect(ofType(g, "aws:cognito/identityPool:IdentityPool")).toEqual([]);
  });

  it("keeps nothing on delete without retainOnDelete, and skips only the deletes the pool's takes with it (its groups)", async () => {
    const g = await record(
      () => new UserAuth("gone", { ...base, groups: [{ name: "admin" }], triggers: { postConfirmation: { entry: "handlers/auth/post-confirmation.ts" } } }),
    );
    expect(g.filter((r) => r.custom && r.retainOnDelete).map((r) => r.name)).toEqual([]);
    // DeleteUserPool leaves the identity pool, the trigger and its grant behind, so only the group may skip its delete.
    const pool = resource(g, "aws:cognito/userPool:UserPool", "gone-pool");
    expect(g.filter((r) => r.deletedWith).map((r) => [r.name, r.deletedWith === pool.urn])).toEqual([["gone-group-admin", true]]);
  });

  it("picks the cheapest feature plan the pool's features need: PLUS for threat protection, ESSENTIALS for refresh token rotation, else LITE", async () => {
    const audit = await record(() => new UserAuth("audit", { ...base, threatProtection: "AUDIT" }));
    expect(resource(audit, "aws:cognito/userPool:UserPool", "audit-pool").inputs).toMatchObject({ userPoolTier: "PLUS", userPoolAddOns: { advancedSecurityMode: "AUDIT" } });
    const lite = await record(() => new UserAuth("lite", { ...base, threatProtection: "OFF", refreshTokenRotation: { enabled: false } }));
    expect(resource(lite, "aws:cognito/userPool:UserPool", "lite-pool").inputs.userPoolTier).toBe("LITE");
  });
});

describe("UserAuth rejects bad args with a clear error", () => {
  it.each([
    [{ passwordPolicy: { minimumLength: 6 } }, /UserAuth "bad": passwordPolicy\.minimumLength 6 is below 8, the least cdk-nag COG1 accepts\. Use 12 or more/, { component: "UserAuth", resourceName: "bad", argument: "passwordPolicy.minimumLength", value: 6, fix: "Use 12 or more (the default); pass phrases beat complexity rules." }],
    [{ passwordPolicy: { minimumLength: 100 } }, /passwordPolicy\.minimumLength 100 is outside Cognito's range of 6–99 characters\. Use a whole number from 8 to 99, e\.g\. 12/, { component: "UserAuth", resourceName: "bad", argument: "passwordPolicy.minimumLength", value: 100, fix: "Use a whole number from 8 to 99, e.g. 12 (the default); pass phrases beat complexity rules." }],
    [{ passwordPolicy: { minimumLength: 12.5 } }, /passwordPolicy\.minimumLength 12\.5 is not a whole number\. Use a whole number from 8 to 99/, { component: "UserAuth", resourceName: "bad", argument: "passwordPolicy.minimumLength", value: 12.5, fix: "Use a whole number from 8 to 99, e.g. 12 (the default); pass phrases beat complexity rules." }],
    [{ passwordPolicy: { requireSymbols: false } }, /passwordPolicy\.requireSymbols false weakens the password policy below cdk-nag COG1/, { component: "UserAuth", resourceName: "bad", argument: "passwordPolicy.requireSymbols", value: false, fix: "Remove requireSymbols or set it to true." }],
    [{ mfa: "ON", mfaFactors: [] }, /mfaFactors \[\] is empty while mfa is "ON", so users would have no second factor to use\. Set mfaFactors to \["TOTP"\], or set mfa to "OFF"/, { component: "UserAuth", resourceName: "bad", argument: "mfaFactors", value: [], fix: 'Set mfaFactors to ["TOTP"], or set mfa to "OFF".' }],
    [{ callbackUrls: ["http://gallery.example.com/"] }, /callbackUrls "http:\/\/gallery.example.com\/" is not https; Cognito allows plain http only for localhost\. Use the site's https URL, e\.g\. "https:\/\/gallery.example.com\/"/, { component: "UserAuth", resourceName: "bad", argument: "callbackUrls", value: "http://gallery.example.com/", fix: "Use the site's https URL, e.g. \"https://gallery.example.com/\"." }],
    [{ logoutUrls: ["ftp://x.example.com/"] }, /logoutUrls "ftp:\/\/x.example.com\/" is not https/, { component: "UserAuth", resourceName: "bad", argument: "logoutUrls", value: "ftp://x.example.com/", fix: "Use the site's https URL, e.g. \"https://x.example.com/\"." }],
    [{ callbackUrls: [] }, /callbackUrls \[\] is empty/, { component: "UserAuth", resourceName: "bad", argument: "callbackUrls", value: [], fix: "Pass the site's URL, e.g. [site.url] or [\"https://gallery.example.com/\"]." }],
    [{ tokenValidity: { accessTokenMinutes: 2 } }, /tokenValidity\.accessTokenMinutes 2 is outside Cognito's range of 5–1440 minutes/, { component: "UserAuth", resourceName: "bad", argument: "tokenValidity.accessTokenMinutes", value: 2, fix: "Use a whole number from 5 to 1440 minutes." }],
    [{ refreshTokenRotation: { retryGracePeriodSeconds: 90 } }, /retryGracePeriodSeconds 90 is outside Cognito's range of 0–60 seconds/, { component: "UserAuth", resourceName: "bad", argument: "refreshTokenRotation.retryGracePeriodSeconds", value: 90, fix: "Use a whole number from 0 to 60 seconds." }],
    [{ tokenValidity: { refreshTokenDays: 7.5 } }, /tokenValidity\.refreshTokenDays 7\.5 is not a whole number\. Use a whole number from 1 to 3650 days\./, { component: "UserAuth", resourceName: "bad", argument: "tokenValidity.refreshTokenDays", value: 7.5, fix: "Use a whole number from 1 to 3650 days." }],
    [{ passwordPolicy: { temporaryPasswordValidityDays: 0 } }, /passwordPolicy\.temporaryPasswordValidityDays 0 is outside Cognito's range of 1–365 days\. Use a whole number from 1 to 365 days\./, { component: "UserAuth", resourceName: "bad", argument: "passwordPolicy.temporaryPasswordValidityDays", value: 0, fix: "Use a whole number from 1 to 365 days." }],
    [{ domain: { prefix: "my-cognito-login" } }, /domain\.prefix "my-cognito-login" contains "aws", "amazon" or "cognito"/, { component: "UserAuth", resourceName: "bad", argument: "domain.prefix", value: "my-cognito-login", fix: "Pick a prefix without them, or leave it out for a derived one." }],
    [{ domain: { name: "auth.example.com", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" } }, /is not an ACM certificate ARN in us-east-1/, { component: "UserAuth", resourceName: "bad", argument: "domain.certificateArn", value: "arn:aws:acm:eu-west-1:123456789012:certificate/x", fix: "Request or import the certificate in us-east-1." }],
    [{ identityPool: { rowLevelSecurity: [{ tableArn, actions: ["dynamodb:Scan"] }] } }, /actions "dynamodb:Scan" is not an item action that carries dynamodb:LeadingKeys/, { component: "UserAuth", resourceName: "bad", argument: "identityPool.rowLevelSecurity[0].actions", value: "dynamodb:Scan", fix: "Use only dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem, dynamodb:ConditionCheckItem." }],
    [{ identityPool: { rowLevelSecurity: [{ tableArn: `${tableArn}/index/gsi1` }] } }, /tableArn ".*\/index\/gsi1" is not a DynamoDB table ARN/, { component: "UserAuth", resourceName: "bad", argument: "identityPool.rowLevelSecurity[0].tableArn", value: "arn:aws:dynamodb:us-east-1:123456789012:table/preferences/index/gsi1", fix: "Pass the table's ARN (arn:aws:dynamodb:<region>:<account>:table/<name>), not an index or stream ARN." }],
    [{ groups: [{ name: "admin" }, { name: "admin" }] }, /groups\[1\]\.name "admin" is used by another group/, { component: "UserAuth", resourceName: "bad", argument: "groups[1].name", value: "admin", fix: "Give each group its own name." }],
    [{ identityPool: { enabled: false, rowLevelSecurity: [{ tableArn }] } }, /^UserAuth "bad": identityPool\.rowLevelSecurity "1 grant" is set while identityPool\.enabled is false, so no role would carry it\. Enable the identity pool or remove the grant\.$/, { component: "UserAuth", resourceName: "bad", argument: "identityPool.rowLevelSecurity", value: "1 grant", fix: "Enable the identity pool or remove the grant." }],
    [{ identityPool: { enabled: false, rowLevelSecurity: [{ tableArn }, { tableArn: `${tableArn}-2` }] } }, /^UserAuth "bad": identityPool\.rowLevelSecurity "2 grants" is set while identityPool\.enabled is false, so no role would carry them\. Enable the identity pool or remove the grants\.$/, { component: "UserAuth", resourceName: "bad", argument: "identityPool.rowLevelSecurity", value: "2 grants", fix: "Enable the identity pool or remove the grants." }],
    [{ mfa: "SOMETIMES" as never }, /mfa "SOMETIMES" is not an MFA mode\. Use one of OFF, OPTIONAL, ON/, { component: "UserAuth", resourceName: "bad", argument: "mfa", value: "SOMETIMES", fix: "Use one of OFF, OPTIONAL, ON." }],
    [{ localDemoUser: { email: "demo@example.com", password: "short" } }, /localDemoUser\.password "\(hidden\)" does not satisfy the pool's password policy: Password not long enough/, { component: "UserAuth", resourceName: "bad", argument: "localDemoUser.password", value: "(hidden)", fix: "Choose a password that does (npm start would be refused the user otherwise)." }],
    [
      { deletionProtection: true, identityPool: { rowLevelSecurity: [{ tableArn }] } },
      /^UserAuth "bad": deletionProtection true is set without retainOnDelete: a pulumi destroy \(or removing this UserAuth\) deletes the identity pool, whose identity ids key every row-level-security item and are never minted again, .* and only then reaches the protected user pool, which Cognito refuses to delete\. Set retainOnDelete: true as well .*, or leave deletionProtection unset \(it follows retainOnDelete\)\.$/,
      { component: "UserAuth", resourceName: "bad", argument: "deletionProtection", value: true, fix: "Set retainOnDelete: true as well (the pool then outlives a destroy), give the UserAuth the resource option { protect: true } (`pulumi destroy` then refuses before deleting anything), or leave deletionProtection unset (it follows retainOnDelete)." }],
    [{ deletionProtection: true, retainOnDelete: false }, /deletionProtection true is set without retainOnDelete: .* deletes the identity pool/, { component: "UserAuth", resourceName: "bad", argument: "deletionProtection", value: true, fix: "Set retainOnDelete: true as well (the pool then outlives a destroy), give the UserAuth the resource option { protect: true } (`pulumi destroy` then refuses before deleting anything), or leave deletionProtection unset (it follows retainOnDelete)." }],
    [
      { deletionProtection: true, identityPool: { enabled: false } },
      /^UserAuth "bad": deletionProtection true is set without retainOnDelete: a pulumi destroy \(or removing this UserAuth\) deletes the app client and the hosted UI domain and only then reaches the protected user pool, which Cognito refuses to delete, so the destroy fails part-way\. Set retainOnDelete: true as well \(.*\), give the UserAuth the resource option \{ protect: true \} \(`pulumi destroy` then refuses before deleting anything\), or leave/,
      { component: "UserAuth", resourceName: "bad", argument: "deletionProtection", value: true, fix: "Set retainOnDelete: true as well (the pool then outlives a destroy), give the UserAuth the resource option { protect: true } (`pulumi destroy` then refuses before deleting anything), or leave deletionProtection unset (it follows retainOnDelete)." }],
  ] as Array<[Partial<UserAuthArgs>, RegExp, RefusalContract]>)("%#: %o", (bad, message, contract) => {
    expect(refusalOf(() => new UserAuth("bad", { ...base, ...bad }), "UserAuth accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });

  it("takes deletionProtection with retainOnDelete, with or without an identity pool", async () => {
    const kept = await record(() => new UserAuth("kept", { ...base, deletionProtection: true, retainOnDelete: true }));
    expect(resource(kept, "aws:cognito/userPool:UserPool", "kept-pool").inputs.deletionProtection).toBe("ACTIVE");
    const poolOnly = await record(() => new UserAuth("pool-only", { ...base, deletionProtection: true, retainOnDelete: true, identityPool: { enabled: false } }));
    expect(resource(poolOnly, "aws:cognito/userPool:UserPool", "pool-only-pool")).toMatchObject({ retainOnDelete: true, inputs: { deletionProtection: "ACTIVE" } });
  });

  it("takes deletionProtection without retainOnDelete on a UserAuth protected by its own option or its parent's", async () => {
    // The engine refuses to delete a protected resource before deleting anything, and the pool inherits protect.
    const own = await record(() => new UserAuth("own", { ...base, deletionProtection: true }, { protect: true }));
    expect(resource(own, "aws:cognito/userPool:UserPool", "own-pool")).toMatchObject({ protect: true, inputs: { deletionProtection: "ACTIVE" } });
    const inherited = await record(() => {
      const app = new pulumi.ComponentResource("test:index:App", "app", {}, { protect: true });
      new UserAuth("inner", { ...base, deletionProtection: true, identityPool: { enabled: false } }, { parent: app });
    });
    expect(resource(inherited, "aws:cognito/userPool:UserPool", "inner-pool")).toMatchObject({ protect: true, inputs: { deletionProtection: "ACTIVE" } });
    // protect: false is no protection: the refusal stands.
    expect(refusalOf(() => new UserAuth("open", { ...base, deletionProtection: true }, { protect: false }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "open",
      argument: "deletionProtection",
      value: true,
      fix: "Set retainOnDelete: true as well (the pool then outlives a destroy), give the UserAuth the resource option { protect: true } (`pulumi destroy` then refuses before deleting anything), or leave deletionProtection unset (it follows retainOnDelete).",
      message: expect.stringMatching(/deletionProtection true is set without retainOnDelete/),
    });
  });

  it("checks a custom domain's certificateArn that is an Output (a CertificateValidation's) once known, with the construction-time message", async () => {
    // A certificate requested in eu-west-1, known only through its validation: the recording rejects as `pulumi up` fails.
    expect(await rejectionOf(record(() => {
        const cert = new aws.acm.Certificate("late-cert-cert", { domainName: "auth.example.com", validationMethod: "DNS", region: "eu-west-1" });
        const validation = new aws.acm.CertificateValidation("late-cert-cert-validation", { certificateArn: cert.arn, region: "eu-west-1" });
        new UserAuth("late-cert", { ...base, domain: { name: "auth.example.com", certificateArn: validation.certificateArn } });
      }), "UserAuth accepted the arguments")).toMatchObject({
        component: "UserAuth",
        resourceName: "late-cert",
        argument: "domain.certificateArn",
        value: expect.stringMatching(/^arn:aws:acm:eu-west-1:\d{12}:certificate\/[^"]+$/),
        fix: "Request or import the certificate in us-east-1.",
        message: expect.stringMatching(/UserAuth "late-cert": domain\.certificateArn "arn:aws:acm:eu-west-1:\d{12}:certificate\/[^"]+" is not an ACM certificate ARN in us-east-1, where Cognito requires it\. Request or import the certificate in us-east-1\./),
      });
    const g = await record(() => {
      const cert = new aws.acm.Certificate("east-cert-cert", { domainName: "auth.example.com", validationMethod: "DNS", region: "us-east-1" });
      const validation = new aws.acm.CertificateValidation("east-cert-cert-validation", { certificateArn: cert.arn, region: "us-east-1" });
      new UserAuth("east-cert", { ...base, domain: { name: "auth.example.com", certificateArn: validation.certificateArn } });
    });
    const certificate = resource(g, "aws:acm/certificate:Certificate", "east-cert-cert");
    expect(resource(g, "aws:cognito/userPoolDomain:UserPoolDomain", "east-cert-custom-domain").inputs.certificateArn).toBe(certificate.state.arn);
  });

  it("checks callback URLs that are Outputs (e.g. site.url) with the same message once they are known", () => {
    expect(refusalOf(() => assertRedirectUrls("late", "callbackUrls", ["https://d123.cloudfront.net", "http://gallery.example.com/"]), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "late",
      argument: "callbackUrls",
      value: "http://gallery.example.com/",
      fix: "Use the site's https URL, e.g. \"https://gallery.example.com/\".",
      message: expect.stringMatching(/UserAuth "late": callbackUrls "http:\/\/gallery.example.com\/" is not https; Cognito allows plain http only for localhost/),
    });
    expect(assertRedirectUrls("late", "callbackUrls", ["https://d123.cloudfront.net", "http://localhost:3000/"])).toHaveLength(2);
    expect(refusalOf(() => assertRedirectUrls("late", "logoutUrls", ["http://127.0.0.1:5173/"]), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "late",
      argument: "logoutUrls",
      value: "http://127.0.0.1:5173/",
      fix: 'Use "http://localhost:5173/" (http://localhost:<port>/).',
      message: expect.stringMatching(/UserAuth "late": logoutUrls "http:\/\/127\.0\.0\.1:5173\/" is http to a loopback address; Cognito allows plain http only for http:\/\/localhost\. Use "http:\/\/localhost:5173\/"/),
    });
  });
});

describe("password policy check (shared with the local emulator)", () => {
  const policy = { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 3 };
  it.each([
    ["Correct-horse-9", []],
    ["correct horse 9X", []],
    [" Correcthorse9X", ["Password must have symbol characters"]],
    ["Short-1a", ["Password not long enough"]],
    ["correct-horse-9", ["Password must have uppercase characters"]],
    ["CORRECT-HORSE-9", ["Password must have lowercase characters"]],
    ["Correct-horse-x", ["Password must have numeric characters"]],
  ])("%j -> %j", (password, problems) => {
    expect(passwordProblems(policy, password)).toEqual(problems);
  });
});

describe("UserAuth JWKS (the pool's keys, baked into Lambda authorizers; issue 15)", () => {
  const JWKS_TYPE = "pulumi-nodejs:dynamic/serverless-fullstack:UserPoolJwks";
  const key = (kid: string) => ({ kty: "RSA", kid, alg: "RS256", use: "sig", e: "AQAB", n: `n-${kid}` });
  const url = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/jwks.json";

  /** A stand-in for the network: answers in turn, counting requests. */
  function answers(...replies: Array<{ status: number; text: string } | Error>): FetchText & { calls: string[] } {
    const calls: string[] = [];
    return Object.assign(async (u: string) => {
      calls.push(u);
      const reply = replies[Math.min(calls.length, replies.length) - 1];
      if (reply instanceof Error) throw reply;
      return reply;
    }, { calls });
  }
  const ok = (keys: unknown[]) => ({ status: 200, text: JSON.stringify({ keys }) });
  const noWait = async () => undefined;

  it("reads the keys from the pool's own JWKS URL, as a child of the component, and never under the mocks", async () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    const jwks = resource(graph, JWKS_TYPE, "auth-jwks");
    expect(jwks.inputs.jwksUrl).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${pool.id}/.well-known/jwks.json`);
    expect(jwks.dependencies).toContain(pool.urn);
    // The provider's module, as Pulumi's dynamic-provider host loads it (require-from-string, then handler()).
    const requireFromString = require("require-from-string") as (code: string) => { handler(): Record<string, unknown> };
    const provider = requireFromString(jwks.inputs.__provider).handler();
    expect(Object.keys(provider).sort()).toEqual(["check", "create", "delete", "diff", "read", "update"]);
    // The mocks run no provider: the keys stay undefined, so a function bakes null and fetches them itself (cognito-local under npm start).
    let auth!: UserAuth;
    await record(() => (auth = new UserAuth("mocked", base)));
    expect(await value(auth.jwks)).toBeUndefined();
    const fn = auth.authorizerFunction();
    expect(await value(fn.bundle!.define![JWKS_DEFINE] as any)).toBe("null");
    expect(fn.environment).toEqual({ USER_POOL_ID: auth.userPoolId, USER_POOL_CLIENT_ID: auth.clientId });
  });

  it("fetches only to create, update (another pool) or refresh; check and diff (all a preview calls) never fetch", async () => {
    const fetchText = answers(ok([key("b"), key("a")]));
    const provider = createJwksProvider({ fetchText, sleep: noWait });
    expect(await provider.check!({} as any, { jwksUrl: url })).toEqual({ inputs: { jwksUrl: url } });
    // A pool still to be created (preview): its URL is unknown, and is not refused.
    expect((await provider.check!({} as any, { jwksUrl: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).failures).toBeUndefined();
    const created = await provider.create({ jwksUrl: url });
    expect(fetchText.calls).toEqual([url]);
    // Canonical: keys by kid, properties by name; the same keys always give the same text (so the same code).
    expect(created.outs.jwks).toBe(canonicalJwks(JSON.stringify({ keys: [key("a"), key("b")] })));
    expect(JSON.parse(created.outs.jwks).keys.map((k: { kid: string }) => k.kid)).toEqual(["a", "b"]);
    // A second `pulumi up` (or preview) of the same pool: no changes, no request.
    expect(await provider.diff!(created.id, created.outs, { jwksUrl: url })).toEqual({ changes: false });
    // Another pool: updated in place (not replaced), which fetches its keys.
    const other = url.replace("AbCdEfGhI", "ZyXwVuTsR");
    expect(await provider.diff!(created.id, created.outs, { jwksUrl: other })).toEqual({ changes: true });
    expect(fetchText.calls).toEqual([url]);
    expect((await provider.update!(created.id, created.outs, { jwksUrl: other })).outs).toMatchObject({ jwksUrl: other });
    // `pulumi refresh` reads the current keys (a rotation reaches the next deploy); destroy has nothing to delete.
    expect((await provider.read!(created.id, created.outs))!.props).toMatchObject({ jwksUrl: url });
    expect(fetchText.calls).toEqual([url, other, url]);
    await provider.delete!(created.id, created.outs);
    expect(fetchText.calls).toHaveLength(3);
  });

  it("refuses a non-https URL, retries a pool that is not serving its keys yet, and fails clearly otherwise", async () => {
    const provider = createJwksProvider({ fetchText: answers(ok([key("a")])), sleep: noWait });
    expect((await provider.check!({} as any, { jwksUrl: "http://cognito-idp.us-east-1.amazonaws.com/x/.well-known/jwks.json" })).failures).toEqual([
      { property: "jwksUrl", reason: expect.stringContaining("is not an https URL") },
    ]);
    const late = answers({ status: 404, text: "" }, new Error("ECONNRESET"), ok([key("a")]));
    expect(JSON.parse((await createJwksProvider({ fetchText: late, sleep: noWait }).create({ jwksUrl: url })).outs.jwks).keys[0].kid).toBe("a");
    expect(late.calls).toHaveLength(3);
    const forbidden = answers({ status: 403, text: "" });
    // A deploy-time failure names the component and the pool, says what failed and what to do.
    const failing = `UserAuth (user pool us-east-1_AbCdEfGhI): reading the pool's signing keys (JWKS) from ${url} failed: `;
    const deployAgain = ", then run `pulumi up` again: the keys are baked into the pool's Lambda authorizers, which are not deployed without them.";
    const noProxy = "Check that nothing between this machine and cognito-idp.us-east-1.amazonaws.com (a proxy) answers in Cognito's place";
    await expect(createJwksProvider({ fetchText: forbidden, sleep: noWait }).create({ jwksUrl: url })).rejects.toThrow(new Error(`${failing}Cognito answered HTTP 403. ${noProxy}${deployAgain}`));
    expect(forbidden.calls).toHaveLength(1);
    const down = answers(new Error("getaddrinfo ENOTFOUND"));
    await expect(createJwksProvider({ fetchText: down, sleep: noWait }).create({ jwksUrl: url })).rejects.toThrow(
      new Error(`${failing}it could not be fetched (getaddrinfo ENOTFOUND). Check that this machine reaches cognito-idp.us-east-1.amazonaws.com (the Cognito endpoint the AWS provider uses; a firewall or proxy may block it)${deployAgain}`),
    );
    expect(down.calls).toHaveLength(7);
    await expect(createJwksProvider({ fetchText: answers({ status: 200, text: "<html>" }), sleep: noWait }).create({ jwksUrl: url })).rejects.toThrow(new Error(`${failing}its answer is not JSON. ${noProxy}${deployAgain}`));
    await expect(createJwksProvider({ fetchText: answers(ok([])), sleep: noWait }).create({ jwksUrl: url })).rejects.toThrow(new Error(`${failing}its answer has no "keys". ${noProxy}${deployAgain}`));
    // Still not there after the retries: whether the pool exists is what to check.
    await expect(createJwksProvider({ fetchText: answers({ status: 404, text: "" }), sleep: noWait }).create({ jwksUrl: url })).rejects.toThrow(
      new Error(`${failing}Cognito answered HTTP 404. Check that the pool exists (aws cognito-idp describe-user-pool --region us-east-1 --user-pool-id us-east-1_AbCdEfGhI)${deployAgain}`),
    );
  });

  it("waits about a minute for a pool just created to serve its keys, and a refresh about 7 seconds", async () => {
    // How long a new pool's JWKS answers 404 is not documented: a deploy that gave up after ~7 s failed part-way.
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const notYet = { status: 404, text: "" };
    const slow = answers(notYet, notYet, notYet, notYet, notYet, notYet, ok([key("a")]));
    expect(JSON.parse((await createJwksProvider({ fetchText: slow, sleep }).create({ jwksUrl: url })).outs.jwks).keys[0].kid).toBe("a");
    expect(slow.calls).toHaveLength(7);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(62_000);
    waits.length = 0;
    const state = { jwksUrl: url, jwks: canonicalJwks(JSON.stringify({ keys: [key("a")] })) };
    await expect(createJwksProvider({ fetchText: answers(notYet), sleep }).read!(url, state)).rejects.toThrow("answered HTTP 404");
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(7_000);
  });

  it("reads a pool Cognito says is gone as deleted (pulumi refresh drops it), and fails a refresh it cannot settle with the way out", async () => {
    const state = { jwksUrl: url, jwks: canonicalJwks(JSON.stringify({ keys: [key("a")] })) };
    // Cognito's not-found for a user pool id it does not know (its API's ResourceNotFoundException), each attempt.
    const gone = answers({ status: 404, text: JSON.stringify({ __type: "ResourceNotFoundException", message: "User pool us-east-1_AbCdEfGhI does not exist." }) });
    expect(await createJwksProvider({ fetchText: gone, sleep: noWait }).read!(url, state)).toEqual({ id: undefined, props: undefined });
    expect(gone.calls).toHaveLength(4);
    // A create or update of a pool that is not there still fails (nothing to bake).
    await expect(createJwksProvider({ fetchText: gone, sleep: noWait }).create({ jwksUrl: url })).rejects.toThrow(
      new Error(
        "UserAuth (user pool us-east-1_AbCdEfGhI): reading the pool's signing keys (JWKS) from " + url + " failed: Cognito says the pool does not exist (after ~62 s of retries). " +
          "If the pool was deleted outside Pulumi, run `pulumi refresh` (this resource then reads as deleted), then run `pulumi up` again: the keys are baked into the pool's Lambda authorizers, which are not deployed without them.",
      ),
    );
    // A bare 404 (also a wrong URL or a pool a moment old) is not taken for a deleted pool; nor is a network failure.
    for (const reply of [{ status: 404, text: "" }, new Error("getaddrinfo ENOTFOUND")]) {
      const read = createJwksProvider({ fetchText: answers(reply), sleep: noWait }).read!(url, state);
      await expect(read).rejects.toThrow(/^UserAuth \(user pool us-east-1_AbCdEfGhI\): reading the pool's signing keys \(JWKS\) from .* failed: .*\. Check .*\. `pulumi refresh` cannot tell whether the pool still exists: .*`pulumi state delete`/);
    }
    // An explicit not-found that then answers (eventual consistency): the keys.
    const late = answers({ status: 400, text: '{"__type":"ResourceNotFoundException"}' }, ok([key("a")]));
    expect(await createJwksProvider({ fetchText: late, sleep: noWait }).read!(url, state)).toEqual({ id: url, props: state });
  });
});
