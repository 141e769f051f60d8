/**
 * `pulumi preview` of a stack whose pool is still to be created: nothing reads the pool's JWKS (the
 * engine only calls a dynamic provider's check and diff in a preview), so the authorizer's code is
 * unknown — it is built at `pulumi up`, with the keys — rather than built without them. Its
 * construction-time checks still run, on the plan-time build (the define as `null`).
 * (A preview of an existing stack reads the keys from the state: the code is the deployed one, no diff.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import { UserAuth } from "../../components/user-auth";
import { record, resource, useMocks, type RecordedResource } from "../harness/mocks";

/** How the mocks record a value the engine does not know in a preview. */
const isUnknown = (value: unknown) => (value as { __pulumiUnknown?: boolean } | undefined)?.__pulumiUnknown === true;
let graph: RecordedResource[];
let api: ServerlessApi;
let auth: UserAuth;
beforeAll(async () => {
  await useMocks({ preview: true });
  graph = await record(() => {
    auth = new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/"] });
    api = new ServerlessApi("api", {
      basePath: "api",
      authorizers: { jwt: { type: "token", handler: "handlers/api/authorizer.ts", function: auth.authorizerFunction() } },
      defaultAuth: { authorizer: "jwt" },
      routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } },
      accountCloudWatchRole: true,
    });
  });
});

describe("ServerlessApi Lambda authorizer with UserAuth's authorizerFunction(), in preview", () => {
  it("does not know the pool's keys, so the authorizer's code waits for `pulumi up`", async () => {
    expect(await new Promise((done) => (auth.jwks as any).isKnown.then(done))).toBe(false);
    expect(resource(graph, "aws:lambda/function:Function", "api-auth-jwt-function").inputs.code).toSatisfy(isUnknown);
    // A function without deploy-time constants has its code in the preview.
    expect(resource(graph, "aws:lambda/function:Function", "api-get-health-function").inputs.code).not.toSatisfy(isUnknown);
  });

  it("still checks the authorizer at construction, on the plan-time build without the keys", () => {
    const fn = api.nodes.functions.get("api-auth-jwt")!;
    expect(fn.bundle.exports).toContain("handler");
    expect(fn.bundle.code.includes("JSON.parse('{\"keys\""), "no key set in the plan-time build").toBe(false);
  });
});
