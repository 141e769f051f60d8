/**
 * One API key in two usage plans that cover one stage (review 89, finding 2): "a given API key can only be associated
 * with one usage plan for each stage of your API", so ServerlessApi, which shares a key between the plans that list it,
 * refuses plans that overlap on a stage at construction, and takes plans on disjoint stages.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, record } from "../harness/mocks";
import { apiRefusal } from "../harness/serverless-api-refusals";

const routes: ServerlessApiArgs["routes"] = { "GET /items": { integration: { type: "mock", body: { ok: true } }, auth: "none", apiKeyRequired: true } };

const refusalOf = (args: Omit<ServerlessApiArgs, "routes">) => apiRefusal("api", { routes, ...args }, "ServerlessApi took one key in two plans of one stage");

describe("ServerlessApi: an API key in one usage plan per stage", () => {
  it("refuses a key in two plans that both cover every stage (plans without stages)", () => {
    const error = refusalOf({ usagePlans: { free: { apiKeys: ["acme"] }, pro: { apiKeys: ["acme"] } } });
    expect(error).toMatchObject({ component: "ServerlessApi", argument: "usagePlans.pro.apiKeys", value: "acme" });
    expect(error.message).toMatch(/is also in usage plan "free", and both cover stage "prod" \(a plan without stages covers every stage\)/);
    expect(error.fix).toBe('Give the plans disjoint stages (usagePlans.pro.stages and usagePlans.free.stages), or list key "acme" in one plan.');
  });

  it("refuses a key in two plans whose stages overlap, naming the stage they share", () => {
    const error = refusalOf({ stages: { dev: {}, prod: {} }, usagePlans: { free: { apiKeys: ["acme"], stages: ["dev"] }, pro: { apiKeys: ["other", "acme"] } } });
    expect(error).toMatchObject({ argument: "usagePlans.pro.apiKeys", value: "acme" });
    expect(error.message).toMatch(/both cover stage "dev"/);
  });

  it("takes a key in two plans on disjoint stages, and two keys sharing one plan", async () => {
    const resources = await record(
      () =>
        new ServerlessApi("api", {
          accountCloudWatchRole: false,
          routes,
          stages: { dev: {}, prod: {} },
          usagePlans: { free: { apiKeys: ["acme", "beta"], stages: ["dev"] }, pro: { apiKeys: ["acme"], stages: ["prod"] } },
        }),
    );
    expect(ofType(resources, "aws:apigateway/usagePlanKey:UsagePlanKey").map((r) => r.name).sort()).toEqual(["api-plan-free-acme", "api-plan-free-beta", "api-plan-pro-acme"]);
    expect(ofType(resources, "aws:apigateway/apiKey:ApiKey")).toHaveLength(2);
  });
});
