/** APIG1/2/4/6 pass on what ServerlessApi builds (with every other rule), and fail on a graph broken the way each guards against. */
import { beforeAll, describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import { byName, mutate as mutateGraph, record, type RecordedResource } from "../harness/mocks";
import type { RuleContext } from "../../testing/security-rules/rule";
import { APIG1, APIG2, APIG4, APIG6, methodPath } from "../../testing/security-rules/apigateway";
import { SECURITY_RULES } from "../../testing/security-rules";

const dev: RuleContext = { stack: "dev", production: false };
const echo = "tests/fixtures/handlers/echo.ts";
let graph: RecordedResource[];

beforeAll(async () => {
  graph = await record(
    () =>
      new ServerlessApi("sec", {
        basePath: "api",
        stages: { dev: {}, prod: { canary: { percentTraffic: 5 } } },
        authorizers: { cognito: { type: "cognito", userPoolArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_X"] } },
        defaultAuth: { authorizer: "cognito" },
        cors: { allowOrigins: ["https://gallery.example.com"] },
        routes: {
          "GET /health": { handler: echo, auth: "none" },
          "GET /items/{id}": { handler: echo },
          "POST /items": { handler: echo, requestSchema: { type: "object" } },
          "GET /config": { integration: { type: "mock", body: {} }, auth: "none" },
        },
      }),
  );
});

const mutate = (pick: (r: RecordedResource) => boolean, change: (r: RecordedResource) => RecordedResource | undefined) => mutateGraph(graph, pick, change);
const problems = (rule: typeof APIG1, g: RecordedResource[]) => rule.check(g, dev).map((f) => `${f.resource}: ${f.problem}`);

describe("API Gateway rules", () => {
  it("every rule passes on what ServerlessApi builds", () => {
    for (const rule of SECURITY_RULES) expect(rule.check(graph, dev), rule.id).toEqual([]);
  });

  it("APIG1: a stage without access logs", () => {
    const silent = mutate(byName("sec-stage-prod"), (r) => ({ ...r, inputs: { ...r.inputs, accessLogSettings: undefined } }));
    expect(problems(APIG1, silent)).toEqual(["aws:apigateway/stage:Stage sec-stage-prod: has no access logging"]);
  });

  it("APIG2: a method without a validator, and a body method without a model", () => {
    const unvalidated = mutate(byName("sec-method-get-api-items-id"), (r) => ({ ...r, inputs: { ...r.inputs, requestValidatorId: undefined } }));
    expect(problems(APIG2, unvalidated)).toEqual(["aws:apigateway/method:Method sec-method-get-api-items-id: GET has no request validator"]);
    const noModel = mutate(byName("sec-method-post-api-items"), (r) => ({ ...r, inputs: { ...r.inputs, requestModels: undefined } }));
    expect(problems(APIG2, noModel)).toEqual(["aws:apigateway/method:Method sec-method-post-api-items: POST does not validate its body against a model"]);
  });

  it("APIG4: an unauthorised method that is not documented public (OPTIONS preflights are fine)", () => {
    const open = mutate(byName("sec-method-get-api-items-id"), (r) => ({ ...r, inputs: { ...r.inputs, authorization: "NONE", authorizerId: undefined } }));
    expect(problems(APIG4, open)).toEqual(["aws:apigateway/method:Method sec-method-get-api-items-id: GET /api/items/{id} has no authorisation and is not documented public"]);
    const undocumented = mutate(byName("sec-doc-get-api-health"), () => undefined);
    expect(problems(APIG4, undocumented)).toEqual(["aws:apigateway/method:Method sec-method-get-api-health: GET /api/health has no authorisation and is not documented public"]);
    expect(methodPath(graph, graph.find(byName("sec-method-options-api-items-id"))!)).toBe("/api/items/{id}");
  });

  it("APIG6: a stage without execution logging", () => {
    const off = mutate(byName("sec-settings-dev"), (r) => ({ ...r, inputs: { ...r.inputs, settings: { ...r.inputs.settings, loggingLevel: "OFF" } } }));
    expect(problems(APIG6, off)).toEqual(["aws:apigateway/stage:Stage sec-stage-dev: has no execution logging for */*"]);
    expect(problems(APIG6, mutate(byName("sec-settings-prod"), () => undefined))).toEqual(["aws:apigateway/stage:Stage sec-stage-prod: has no execution logging for */*"]);
  });
});
