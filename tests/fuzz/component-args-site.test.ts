/**
 * The component-argument fuzz (tests/fuzz/component-args.test.ts, docs/testing.md) for StaticSite and EdgeLogic: for
 * arguments a user might plausibly write (./component-args-site-arbitraries.ts), construction under the recording mocks
 * must EITHER refuse with a ComponentArgError naming the component, the argument and a fix, OR record a plan that every
 * deploy rule and every security rule passes. The third property attaches an EdgeLogic's associations to a StaticSite,
 * as the reference app does, so the distribution's behaviours meet the functions.
 *
 * Seeded and short; explore with `FUZZ_SEED=3 FUZZ_RUNS=200 npx vitest run tests/fuzz/component-args-site.test.ts`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgeLogic } from "../../components/edge-logic";
import { StaticSite } from "../../components/static-site";
import { planFindings, SEED, useComponentFuzz } from "./component-args-harness";
import { edgeLogicArgs, SITE_FOLDER, staticSiteArgs, tidy, tidyComponentName } from "./component-args-site-arbitraries";

const { construct, fuzzComponent, parameters, refusedOrDeployable } = useComponentFuzz();

describe(`StaticSite and EdgeLogic arguments are refused with a fix or deploy cleanly (seed ${SEED})`, () => {
  it("StaticSite", async () => {
    await fuzzComponent("StaticSite", staticSiteArgs, (name, args) => new StaticSite(name, args), 25);
  });

  it("EdgeLogic", async () => {
    await fuzzComponent("EdgeLogic", edgeLogicArgs, (name, args) => new EdgeLogic(name, args), 25);
  });

  it("EdgeLogic's associations on a StaticSite", async () => {
    await fc.assert(
      fc.asyncProperty(tidyComponentName, tidy.edgeLogicArgs, tidy.staticSiteArgs, (name, edgeArgs, siteArgs) =>
        // Built together: whichever refuses must name itself, the argument and a fix.
        refusedOrDeployable(["EdgeLogic", "StaticSite"], () => new StaticSite(name, { ...siteArgs, edge: new EdgeLogic(`${name}-edge`, edgeArgs).associations }), undefined, JSON.stringify([name, edgeArgs, siteArgs])),
      ),
      parameters(15),
    );
  });
});

/** What the fuzz found, each shrunk counterexample pinned as a regular test (and the seed that found it). */
describe("counterexamples the fuzz found", () => {
  it("the fixture folder deploys with the defaults", async () => {
    const outcome = await construct(() => new StaticSite("site", { path: SITE_FOLDER }));
    expect("graph" in outcome && planFindings(outcome.graph)).toEqual([]);
  });

  it('StaticSite refuses the name "my.data", whose site bucket "my.data-bucket-<suffix>" CloudFront could not reach over HTTPS, and takes it with its own bucketName (seed 1)', async () => {
    const outcome = await construct(() => new StaticSite("my.data", { path: SITE_FOLDER }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^StaticSite "my\.data": name "my\.data" makes the site bucket name "my\.data-bucket-<random suffix>" hold "\."/);
    const named = await construct(() => new StaticSite("my.data", { path: SITE_FOLDER, bucketName: "my-data-site" }));
    expect("graph" in named && planFindings(named.graph)).toEqual([]);
  });

  it("StaticSite refuses the name \"my.data\" with a replicaRegion even with its own bucketName: the replica bucket is autonamed \"my.data-bucket-replica-<suffix>\" (seed 3)", async () => {
    const outcome = await construct(() => new StaticSite("my.data", { path: SITE_FOLDER, bucketName: "my-data-site", replicaRegion: "us-west-2" }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/"my\.data-bucket-replica-<random suffix>" hold "\."/);
  });

  it('StaticSite refuses a failover healthCheckPath "health" without the leading "/" Route 53 requires (seed 2)', async () => {
    const domain = { name: "gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000", failover: { domainName: "d111111abcdef8.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2", healthCheckPath: "health" } };
    const outcome = await construct(() => new StaticSite("a", { path: SITE_FOLDER, domain }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^StaticSite "a": domain\.failover\.healthCheckPath "health" .*Use e\.g\. "\/health"/);
  });

  it('EdgeLogic refuses the name "Données" for a Lambda@Edge function, whose function name "Données-viewer-request-function-<suffix>" Lambda refuses, instead of its LambdaFunction child refusing a name the user never wrote (seed 5)', async () => {
    const outcome = await construct(() => new EdgeLogic("Données", { lambdas: { "viewer-request": { entry: "tests/fixtures/handlers/echo.ts", eventType: "viewer-request" } } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^EdgeLogic "Données": name "Données" makes the Lambda function name "Données-viewer-request-function-<random suffix>" hold "é", which Lambda refuses/);
  });

  it("EdgeLogic refuses a CloudFront Function comment over the 128 characters CloudFront takes (the fuzz draws it; the plan passed then, before the CloudFrontFunctionComment rule)", async () => {
    const outcome = await construct(() => new EdgeLogic("edge", { functions: { headers: { file: "handlers/edge/viewer-response.js", eventType: "viewer-response", comment: "c".repeat(129) } } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^EdgeLogic "edge": functions\.headers\.comment "c{129}" is 129 characters; CloudFront takes a function comment of at most 128/);
  });
});
