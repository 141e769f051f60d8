/**
 * Must-accept properties (./component-accept.test.ts explains them) for the web-facing components: ServerlessApi (REST
 * and HTTP kinds), StaticSite and EdgeLogic. For arguments AWS documents as valid (./component-accept-arbitraries.ts),
 * construction must NOT refuse, and the plan must pass every deploy rule and every security rule.
 *
 * Explore: `FUZZ_SEED=7 FUZZ_RUNS=200 npx vitest run tests/fuzz/component-accept-web.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { EdgeLogic } from "../../components/edge-logic";
import { ApiKind, ServerlessApi } from "../../components/serverless-api";
import { StaticSite } from "../../components/static-site";
import { ACCEPT_ENTRY, ACCEPT_SITE_FOLDER, apiName, edgeLogicArgs, edgeLogicName, serverlessApiArgs, staticSiteArgs, staticSiteName } from "./component-accept-arbitraries";
import { SEED, useComponentFuzz } from "./component-args-harness";

const { acceptComponent, construct } = useComponentFuzz();

describe(`arguments AWS documents as valid are accepted and deploy cleanly (seed ${SEED}): the web components`, () => {
  it("ServerlessApi, REST kind", async () => {
    await acceptComponent("ServerlessApi", apiName, serverlessApiArgs(ApiKind.Rest), (name, args) => new ServerlessApi(name, args), 20);
  });

  it("ServerlessApi, HTTP kind", async () => {
    await acceptComponent("ServerlessApi", apiName, serverlessApiArgs(ApiKind.Http), (name, args) => new ServerlessApi(name, args), 20);
  });

  it("StaticSite", async () => {
    await acceptComponent("StaticSite", staticSiteName, staticSiteArgs, (name, args) => new StaticSite(name, args), 20);
  });

  it("EdgeLogic", async () => {
    await acceptComponent("EdgeLogic", edgeLogicName, edgeLogicArgs, (name, args) => new EdgeLogic(name, args), 20);
  });
});

/** False refusals the must-accept properties found, each pinned where the generators now produce the value too. */
describe("false refusals the must-accept properties found", () => {
  const health = { "GET /health": { handler: ACCEPT_ENTRY, auth: "none" as const } };

  // API_Stage stageName: "Stage names can only contain alphanumeric characters, hyphens, and underscores. Maximum length
  // is 128 characters." (https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html; HTTP APIs the same, or
  // $default). A REST stage also names a Lambda alias, whose CreateAlias Name takes "-" too
  // ("(?!^[0-9]+$)([a-zA-Z0-9-_]+)").
  for (const kind of [ApiKind.Rest, ApiKind.Http]) {
    it(`ServerlessApi (${kind}) takes the stage name "my-stage" (found by the ${kind} property, seed ${SEED})`, async () => {
      const outcome = await construct(() => new ServerlessApi("api", { kind, routes: health, stages: { "my-stage": {} }, accountCloudWatchRole: false }));
      expect("refused" in outcome ? outcome.refused.message : "").toBe("");
    });
  }

  // API_CacheBehavior PathPattern: "You can optionally include a slash (/) at the beginning of the path pattern. For
  // example, /images/*.jpg. CloudFront behavior is the same with or without the leading /."
  // (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html).
  it('StaticSite takes the route path pattern "api/*", which CloudFront treats as "/api/*"', async () => {
    const outcome = await construct(() => new StaticSite("site", { path: ACCEPT_SITE_FOLDER, routes: [{ pathPattern: "api/*", originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com" }] }));
    expect("refused" in outcome ? outcome.refused.message : "").toBe("");
  });
});
