/**
 * ServerlessApi (REST and HTTP kinds) and RegionalApis arguments against the deploy and security rules,
 * property-based, with the harness of tests/fuzz/component-args.test.ts (docs/testing.md, "Component-argument fuzz"):
 * for arguments a user might plausibly write (./component-args-api-arbitraries.ts), construction must EITHER refuse
 * with a ComponentArgError naming the component, the argument and a fix, OR record a plan every deploy rule and every
 * security rule passes.
 *
 * Explore with another seed and more runs: `FUZZ_SEED=7 FUZZ_RUNS=200 npx vitest run tests/fuzz/component-args-api.test.ts`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoutingPolicy } from "../../components/dns-routing";
import { RegionalApis } from "../../components/regional-apis";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { joinPath } from "../../components/serverless-api/args";
import { resourceSlug } from "../../components/serverless-api/routes";
import { meetingServerlessApiArgs, regionalApisArgs, serverlessApiArgs } from "./component-args-api-arbitraries";
import { componentName } from "./component-args-arbitraries";
import type { ComponentArgError } from "../../components/errors";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { context, SEED, useComponentFuzz, type OptedOut } from "./component-args-harness";

const { construct, fuzzComponent, parameters } = useComponentFuzz();

/**
 * APIG2 asks every POST, PUT and PATCH method of a REST API to validate its body against a model; ServerlessApi makes
 * one from a route's `requestSchema`, which is optional (a handler may validate the body itself). A body route without
 * one is the user's choice, which APIG2 rightly reports, like DDB3 for `pointInTimeRecovery: false`.
 */
const serverlessApiOptOuts = (name: string, args: ServerlessApiArgs): OptedOut =>
  new Set(
    args.kind === ApiKind.Http
      ? []
      : Object.entries(args.routes)
          .filter(([key, route]) => /^(POST|PUT|PATCH) /.test(key) && route.requestSchema === undefined)
          .map(([key]) => {
            const [method, path] = key.split(" ");
            return `APIG2 aws:apigateway/method:Method ${name}-method-${method.toLowerCase()}${resourceSlug(joinPath(args.basePath ?? "", path))}`;
          }),
  );

describe(`API component arguments are refused with a fix or deploy cleanly (seed ${SEED})`, () => {
  it("ServerlessApi", async () => {
    await fuzzComponent("ServerlessApi", serverlessApiArgs, (name, args) => new ServerlessApi(name, args), 30, { optedOut: serverlessApiOptOuts });
  });

  it("RegionalApis", async () => {
    await fuzzComponent("RegionalApis", regionalApisArgs, (name, args) => new RegionalApis(name, args), 15);
  });
});

/**
 * The must-refuse counterpart of the must-accept properties' names that share prefixes (./component-accept-arbitraries.ts
 * `routesApart`, `stagesApart`): where ServerlessApi's names DO meet after its slugging, construction must refuse,
 * naming ServerlessApi and an argument that makes them meet, not leave the duplicate to the engine's preview ("Duplicate
 * resource URN") or to AWS.
 */
describe(`names that meet after ServerlessApi's slugging are refused, naming the component and the argument (seed ${SEED})`, () => {
  it("ServerlessApi", async () => {
    await fc.assert(
      // Names ServerlessApi takes, short enough that no function name passes 47 (a refusal for that would name a route too).
      fc.asyncProperty(componentName.filter((name) => /^[A-Za-z0-9_-]{1,12}$/.test(name)), meetingServerlessApiArgs, async (name, { how, args, arguments: expected }) => {
        const outcome = await construct(() => new ServerlessApi(name, { accountCloudWatchRole: false, ...args }), JSON.stringify([name, args]));
        expect("refused" in outcome, `${how}: accepted ${JSON.stringify(args)}`).toBe(true);
        const { component, argument, message, fix } = (outcome as { refused: ComponentArgError }).refused;
        expect([component, expected.includes(argument) ? "an argument that meets" : argument]).toEqual(["ServerlessApi", "an argument that meets"]);
        expect(message).toContain(`ServerlessApi "${name}"`);
        expect(message).toContain(argument);
        // Refused because names meet, not for something else the draw holds.
        expect(message, how).toMatch(/resources named|the resource names? "|is the function name of|is also a stage's name|gives its canary the Lambda alias|is also the Lambda alias of the canary/);
        expect(fix.trim()).not.toBe("");
      }),
      parameters(40),
    );
  });
});

/** What the fuzz found, each shrunk counterexample pinned as a regular test (and the seed that found it). */
describe("counterexamples the fuzz found", () => {
  it('ServerlessApi refuses the name "Données", whose access log group "Données-access-logs-<suffix>" CloudWatch Logs refuses (seeds 1–6)', async () => {
    const http = { type: "http" as const, uri: "https://example.com/", method: "GET" };
    for (const kind of ["rest", "http"] as const) {
      const outcome = await construct(() => new ServerlessApi("Données", { kind: kind as any, routes: { "GET /": { integration: http } } }));
      expect("refused" in outcome && outcome.refused.message).toMatch(/^ServerlessApi "Données": name "Données" makes the CloudWatch log group name "Données-access-logs-<random suffix>" hold "é", which CloudWatch Logs refuses/);
    }
  });

  it('ServerlessApi refuses a route whose export the handler file lacks as routes["GET /"].export, not as its LambdaFunction\'s handler (seeds 2, 3)', async () => {
    const outcome = await construct(() => new ServerlessApi("data", { routes: { "GET /": { handler: "tests/fixtures/handlers/echo.ts", export: "list_all" } } }));
    expect("refused" in outcome && [outcome.refused.component, outcome.refused.argument]).toEqual(["ServerlessApi", 'routes["GET /"].export']);
    expect("refused" in outcome && outcome.refused.message).toMatch(/^ServerlessApi "data": routes\["GET \/"\]\.export "list_all" is not exported by .*echo\.ts/);
  });

  it("ServerlessApi refuses an AWS-service route whose integration role name would pass IAM's 64 characters (seed 20260611)", async () => {
    const s3Put = { type: "aws" as const, service: "s3", method: "PUT", path: "gallery-uploads/{key}", permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::gallery-uploads/*"] }] };
    const name = "n".repeat(40);
    const outcome = await construct(() => new ServerlessApi(name, { routes: { "GET /": { integration: s3Put } } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(
      /^ServerlessApi "n{40}": name "n{40}" makes the IAM role name "n{40}-integration-role-get-root-<random suffix>" 74 characters, over IAM's 64\. Use a component name of at most 30 characters\.$/,
    );
    const shorter = await construct(() => new ServerlessApi("n".repeat(30), { routes: { "GET /": { integration: s3Put } } }));
    expect("graph" in shorter && checkDeployRules(shorter.graph, context).map(formatFinding)).toEqual([]);
  });

  const health = { "GET /health": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" as const } };

  it("RegionalApis refuses a one-region domain's certificate from another region as its own domain.certificateArn, not its ServerlessApi's (seed 1)", async () => {
    const outcome = await construct(
      () => new RegionalApis("a", { api: { routes: health, accountCloudWatchRole: false }, regions: ["us-west-2"], domain: { name: "api.gallery.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" } }),
    );
    expect("refused" in outcome && outcome.refused.message).toMatch(/^RegionalApis "a": domain\.certificateArn "arn:aws:acm:us-east-1:123456789012:certificate\/abc" is in us-east-1, but a regional custom domain takes a certificate from its API's region, us-west-2/);
  });

  it("ServerlessApi and RegionalApis without a region refuse, at construction, a domain certificate from another region than the stack's, each as its own domain.certificateArn (seed 8675309: the refusal came from an apply, naming ServerlessApi, and the refused run never settled)", async () => {
    const certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
    const api = await construct(() => new ServerlessApi("a", { routes: health, accountCloudWatchRole: false, endpointType: "EDGE", domain: { name: "a-b.example.co.uk", certificateArn } }));
    expect("refused" in api && [api.refused.component, api.refused.argument, api.refused.problem]).toEqual(["ServerlessApi", "domain.certificateArn", "is in eu-west-1, but a regional custom domain takes a certificate from its API's region, us-east-1"]);
    const regional = await construct(() => new RegionalApis("D_6", { api: { routes: health, accountCloudWatchRole: false, endpointType: "EDGE" }, domain: { name: "a-b.example.co.uk", hostedZoneId: "Z0123456789EXAMPLE0000", certificateArn } }));
    expect("refused" in regional && [regional.refused.component, regional.refused.argument]).toEqual(["RegionalApis", "domain.certificateArn"]);
  });

  it("RegionalApis refuses routing without regions (one API in the provider's region, whose routing record had no set identifier) (seeds 2, 3)", async () => {
    const outcome = await construct(
      () => new RegionalApis("a", { api: { routes: health, accountCloudWatchRole: false }, domain: { name: "api.gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000" }, routing: { policy: RoutingPolicy.Latency } }),
    );
    expect("refused" in outcome && [outcome.refused.component, outcome.refused.argument]).toEqual(["RegionalApis", "regions"]);
    const listed = await construct(
      () => new RegionalApis("a", { api: { routes: health, accountCloudWatchRole: false }, regions: ["us-east-1"], domain: { name: "api.gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000" }, routing: { policy: RoutingPolicy.Latency } }),
    );
    expect("graph" in listed && checkDeployRules(listed.graph, context).map(formatFinding)).toEqual([]);
  });

  const request = { type: "request" as const, handler: "tests/fixtures/handlers/echo.ts" };
  const mock = { "GET /": { integration: { type: "mock" as const, body: { ok: true } } } };

  it("ServerlessApi refuses functionDefaults.logRetentionDays 2 itself, not as its Lambda authorizer's LambdaFunction (seed 1)", async () => {
    const outcome = await construct(() => new ServerlessApi("a", { routes: mock, authorizers: { request }, functionDefaults: { logRetentionDays: 2 } }));
    expect("refused" in outcome && [outcome.refused.component, outcome.refused.argument]).toEqual(["ServerlessApi", "functionDefaults.logRetentionDays"]);
  });

  it("ServerlessApi refuses a name too long for its Lambda authorizer's function as authorizers.<name>, not as the LambdaFunction's name (seeds 5, 6)", async () => {
    const outcome = await construct(() => new ServerlessApi("n".repeat(40), { routes: mock, authorizers: { request } }));
    expect("refused" in outcome && [outcome.refused.component, outcome.refused.argument]).toEqual(["ServerlessApi", "authorizers.request"]);
  });

  it('ServerlessApi refuses a name with "." as its own name, not as a route\'s: Lambda refuses "." in the route function name; "_" it takes (fuzz review)', async () => {
    const dotted = await construct(() => new ServerlessApi("my.api", { routes: health }));
    expect("refused" in dotted && [dotted.refused.component, dotted.refused.argument]).toEqual(["ServerlessApi", "name"]);
    expect("refused" in dotted && dotted.refused.message).toMatch(
      /^ServerlessApi "my\.api": name "my\.api" makes the Lambda function name "my\.api-get-health-function-<random suffix>" hold "\.", which Lambda refuses \(it takes letters, digits, "-" and "_"\)\. Use a component name of letters, digits, "-" and "_", e\.g\. "my-api"\.$/,
    );
    for (const kind of ["rest", "http"] as const) {
      const underscored = await construct(() => new ServerlessApi("my_api", { kind: kind as any, routes: health, accountCloudWatchRole: false }));
      expect("graph" in underscored && checkDeployRules(underscored.graph, context).map(formatFinding)).toEqual([]);
    }
  });

  it("ServerlessApi refuses a fractional function.timeout as not a whole number of seconds, not as more than API Gateway waits (fuzz review)", async () => {
    const outcome = await construct(() => new ServerlessApi("a", { routes: { "GET /": { handler: "tests/fixtures/handlers/echo.ts", function: { timeout: 2.5 } } } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^ServerlessApi "a": routes\["GET \/"\]\.function\.timeout 2\.5 is not a whole number of seconds/);
    const zero = await construct(() => new ServerlessApi("a", { routes: { "GET /": { handler: "tests/fixtures/handlers/echo.ts", function: { timeout: 0 } } } }));
    expect("refused" in zero && zero.refused.message).toMatch(/^ServerlessApi "a": routes\["GET \/"\]\.function\.timeout 0 is less than Lambda's 1 second/);
  });

  const zoneDomain = { name: "api.gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000" };

  it("RegionalApis refuses a domain.stage its API lacks as its own domain.stage, not its inner ServerlessApi's (seeds 1, 2, 4)", async () => {
    const outcome = await construct(
      () => new RegionalApis("a", { api: { routes: health, accountCloudWatchRole: false }, regions: ["us-east-1"], domain: { ...zoneDomain, stage: "dev" }, routing: { policy: RoutingPolicy.Latency } }),
    );
    expect("refused" in outcome && outcome.refused.message).toMatch(/^RegionalApis "a": domain\.stage "dev" is not a stage of this API\. Use one of prod\./);
  });

  it('RegionalApis refuses the name "Données" as its own name, with the function name Lambda refuses (seed 3)', async () => {
    const outcome = await construct(() => new RegionalApis("Données", { api: { routes: health, accountCloudWatchRole: false } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(
      /^RegionalApis "Données": name "Données" makes the Lambda function name "Données-get-health-function-<random suffix>" hold "é", which Lambda refuses \(it takes letters, digits, "-" and "_"\)\. Use a component name of letters, digits, "-" and "_", e\.g\. "Donn-es"\.$/,
    );
  });

  // ServerlessApi's check (validateAutonames): the route is refused while it alone could make the name fit, and the
  // fix gives the longest component name too.
  it("RegionalApis refuses a name too long for its route functions with the longest component name, counting the region code its other APIs add (seeds 5, 6)", async () => {
    const single = await construct(() => new RegionalApis("n".repeat(40), { api: { routes: health, accountCloudWatchRole: false } }));
    expect("refused" in single && single.refused.message).toMatch(
      /^RegionalApis "n{40}": api\.routes\["GET \/health"\] "GET \/health" makes the Lambda function name "n{40}-get-health-function-<random suffix>" 68 characters, over Lambda's 64\. Use a route name .* of at most 6 characters, or a component name of at most 36 characters\.$/,
    );
    const regions = ["us-east-1", "ap-southeast-2"];
    const routed = { api: { routes: health, accountCloudWatchRole: false }, regions, domain: zoneDomain, routing: { policy: RoutingPolicy.Latency } };
    const several = await construct(() => new RegionalApis("n".repeat(33), routed));
    expect("refused" in several && several.refused.message).toMatch(
      /^RegionalApis "n{33}": api\.routes\["GET \/health"\] "GET \/health" makes the Lambda function name "n{33}-apse2-get-health-function-<random suffix>" 67 characters, over Lambda's 64 \(in the ap-southeast-2 API, named "n{33}-apse2"\)\. Use a route name .* of at most 7 characters, or a component name of at most 30 characters\.$/,
    );
    const longRoute = { "GET /albums/{albumId}/photos/{photoId}/thumbnails": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" as const } };
    const routeAtFault = await construct(() => new RegionalApis("bad", { api: { routes: longRoute, accountCloudWatchRole: false } }));
    expect("refused" in routeAtFault && routeAtFault.refused.argument).toBe('api.routes["GET /albums/{albumId}/photos/{photoId}/thumbnails"]');
    const fits = await construct(() => new RegionalApis("n".repeat(30), routed));
    expect("graph" in fits && checkDeployRules(fits.graph, context).map(formatFinding)).toEqual([]);
  });

  it('ServerlessApi refuses an AWS-service route whose path puts "~" in its IAM role name with a fix to the path, not the component name (fuzz review of seeds 1–6)', async () => {
    const s3Put = { type: "aws" as const, service: "s3", method: "PUT", path: "gallery-uploads/{key}", permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::gallery-uploads/*"] }] };
    const outcome = await construct(() => new ServerlessApi("data", { routes: { "PUT /~u": { integration: s3Put } } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(
      /^ServerlessApi "data": routes\["PUT \/~u"\]\.integration "aws" makes the IAM role name "data-integration-role-put-~u-<random suffix>" hold "~", which IAM refuses \(letters, digits and _\+=,\.@- only\)\. The route's path names the role: use a path without "~" for an AWS-service route, or call the service from a Lambda handler\./,
    );
    const named = await construct(() => new ServerlessApi("Données", { routes: { "PUT /u": { integration: s3Put } } }));
    expect("refused" in named && named.refused.fix).toMatch(/component name/);
  });
});
