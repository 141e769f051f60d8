/**
 * checkPlanTransition on two second deploys that leave a live part of the app broken although both plans are fine on
 * their own: the hosted UI domain switched delete-first (TransitionHostedUiDomainGap), and an EdgeLogic log group
 * created in a region where the Lambda@Edge function already made it (TransitionEdgeLogGroupPreexisting). Each is a
 * pair of component recordings (the deployed plan and the next), the finding it must give, and the documented
 * procedure that passes.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { EdgeLogic, type EdgeLogicArgs } from "../../components/edge-logic";
import { UserAuth, type UserAuthDomain } from "../../components/user-auth";
import { record as recordProgram } from "../../testing/harness";
import { formatFinding } from "../../testing/deploy-rules";
import { once, rules, saved, transition } from "./fixture";

const POOL_DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

describe("TransitionHostedUiDomainGap: the hosted UI domain replaced delete-first while the pool keeps no other", () => {
  const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
  const custom = { name: "auth.gallery.example.com", certificateArn, hostedZoneId: "Z0123" };
  const userAuth = (domain: UserAuthDomain) => recordProgram(() => new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/"], usernameAttributes: ["email"], domain }));
  const prefixOnly = once(() => userAuth({ prefix: "gallery-prod-auth" }));

  it("finds prefix → custom domain in one update: the prefix is deleted first, and sign-in waits for the custom domain (up to an hour)", async () => {
    const findings = transition(await prefixOnly(), await userAuth(custom));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionHostedUiDomainGap", `${POOL_DOMAIN} auth-custom-domain`]]);
    expect(findings[0].problem).toMatch(/^replaces the hosted UI domain "gallery-prod-auth" with "auth\.gallery\.example\.com" delete-first/);
    expect(findings[0].problem).toMatch(/the pool keeps no other domain/);
    expect(findings[0].problem).toMatch(/up to one hour/);
    expect(findings[0].fix).toMatch(/^add the new domain beside the deployed one first/);
    expect(findings[0].fix).toMatch(/domain: \{ prefix: "gallery-prod-auth", name: "auth\.gallery\.example\.com", certificateArn, hostedZoneId \}/);
    // The same through the file npm run plan -- --save writes (it keeps every input of a user pool domain).
    expect(rules(saved(await prefixOnly()), await userAuth(custom))).toEqual([["TransitionHostedUiDomainGap", `${POOL_DOMAIN} auth-custom-domain`]]);
  });

  it("finds a changed prefix, which a pool cannot hold beside the old one: it says to check the new prefix is free first", async () => {
    const findings = transition(await prefixOnly(), await userAuth({ prefix: "gallery-auth-2" }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionHostedUiDomainGap", `${POOL_DOMAIN} auth-domain`]]);
    expect(findings[0].fix).toMatch(/aws cognito-idp describe-user-pool-domain --domain gallery-auth-2/);
  });

  it("passes the two-step migration: the custom domain added beside the prefix, then the prefix removed", async () => {
    const both = await userAuth({ prefix: "gallery-prod-auth", ...custom });
    expect(transition(await prefixOnly(), both).map(formatFinding)).toEqual([]);
    expect(transition(both, await userAuth(custom)).map(formatFinding)).toEqual([]);
    // And back: the prefix added beside the custom domain, then the custom domain removed.
    expect(transition(await userAuth(custom), both).map(formatFinding)).toEqual([]);
    expect(transition(both, await prefixOnly()).map(formatFinding)).toEqual([]);
    expect(transition(saved(both), both).map(formatFinding)).toEqual([]);
  });

  it("keeps a custom domain deployed by an earlier UserAuth (logical name auth-domain) in place: an alias, no replacement", async () => {
    const today = await userAuth(custom);
    const earlierUrn = (urn: string) => urn.replace(/::auth-custom-domain$/, "::auth-domain");
    const earlier = today.map((r) => ({ ...r, name: r.name === "auth-custom-domain" ? "auth-domain" : r.name, urn: earlierUrn(r.urn), dependencies: r.dependencies.map(earlierUrn), aliases: undefined }));
    expect(earlier.some((r) => r.type === POOL_DOMAIN && r.name === "auth-domain" && r.inputs.domain === custom.name)).toBe(true);
    expect(transition(earlier, today).map(formatFinding)).toEqual([]);
    expect(transition(saved(earlier), today).map(formatFinding)).toEqual([]);
    // Adding a prefix in the same update as that upgrade turns auth-domain into the prefix (its URN is deployed): reported.
    const both = await userAuth({ prefix: "gallery-prod-auth", ...custom });
    expect(rules(earlier, both)).toEqual(
      expect.arrayContaining([
        ["TransitionHostedUiDomainGap", `${POOL_DOMAIN} auth-domain`],
        ["TransitionNameTaken", `${POOL_DOMAIN} auth-custom-domain`],
      ]),
    );
  });

  it("finds a prefix changed while a custom domain stays: UserAuth's hostedUiUrl is the prefix's while both are set; a custom domain renamed beside the prefix leaves sign-in up", async () => {
    const findings = transition(await userAuth({ prefix: "gallery-prod-auth", ...custom }), await userAuth({ prefix: "gallery-auth-2", ...custom }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionHostedUiDomainGap", `${POOL_DOMAIN} auth-domain`]]);
    expect(findings[0].fix).toMatch(/1\. remove domain\.prefix \(hostedUiUrl moves to auth\.gallery\.example\.com\)/);
    expect(transition(await userAuth({ prefix: "gallery-prod-auth", ...custom }), await userAuth({ prefix: "gallery-prod-auth", ...custom, name: "login.gallery.example.com" })).map(formatFinding)).toEqual([]);
  });
});

describe("TransitionEdgeLogGroupPreexisting: an edge log region added where the function already ran", () => {
  const auth: NonNullable<EdgeLogicArgs["lambdas"]>[string] = {
    entry: "handlers/edge/auth.ts",
    eventType: "viewer-request",
    pathPatterns: ["/account/*"],
    define: { __EDGE_AUTH_CONFIG__: JSON.stringify({ issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X", clientId: "c", cookie: "t", signInPath: "/" }) },
  };
  const edge = (regions: string[], lambdas: EdgeLogicArgs["lambdas"] = { auth }) => recordProgram(() => new EdgeLogic("edge", { lambdas, logs: { regions } }));
  const deployed = once(() => edge(["us-east-1"]));

  it("finds eu-west-1 added to logs.regions while edge-auth's function stays: CreateLogGroup meets the group Lambda@Edge made, and the fix is the import line", async () => {
    const findings = transition(await deployed(), await edge(["us-east-1", "eu-west-1"]));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionEdgeLogGroupPreexisting", `${LOG_GROUP} edge-auth-edge-logs-eu-west-1`]]);
    expect(findings[0].problem).toMatch(/ResourceAlreadyExistsException/);
    expect(findings[0].problem).toMatch(/\/aws\/lambda\/us-east-1\.<function name>/);
    expect(findings[0].fix).toContain(
      `pulumi import --generate-code=false --protect=false --parent 'edge=urn:pulumi:test::serverless-fullstack::serverless-fullstack:index:EdgeLogic::edge' aws:cloudwatch/logGroup:LogGroup edge-auth-edge-logs-eu-west-1 '/aws/lambda/us-east-1.<function name>@eu-west-1'`,
    );
    // The saved plan does not hold the function's physical name (autonamed; the recorder's is made up): the fix says where to read it.
    expect(findings[0].fix).toMatch(/pulumi stack --show-ids/);
    expect(findings[0].fix).toMatch(/edge-auth-function/);
    expect(rules(saved(await deployed()), await edge(["us-east-1", "eu-west-1"]))).toEqual([["TransitionEdgeLogGroupPreexisting", `${LOG_GROUP} edge-auth-edge-logs-eu-west-1`]]);
  });

  it("passes a first deploy, a new function with its groups, a region removed, and the same regions again", async () => {
    expect(transition([], await edge(["us-east-1", "eu-west-1"])).map(formatFinding)).toEqual([]);
    const more = { auth, "origin-response": { entry: "handlers/edge/origin-response.ts", eventType: "origin-response" as const, define: { __EDGE_ORIGIN_RESPONSE_CONFIG__: JSON.stringify({ noindexPrefixes: [], defaultCacheControl: "no-cache", errorCacheControl: "max-age=10" }) } } };
    expect(transition(await deployed(), await edge(["us-east-1"], more)).map(formatFinding)).toEqual([]);
    expect(transition(await edge(["us-east-1", "eu-west-1"]), await deployed()).map(formatFinding)).toEqual([]);
    expect(transition(await deployed(), await deployed()).map(formatFinding)).toEqual([]);
  });
});
