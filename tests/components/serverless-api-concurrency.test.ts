/**
 * Concurrency control of ServerlessApi's route functions (review 28 F11): a route's reservedConcurrency (over
 * functionDefaults'). Provisioned concurrency is not offered (docs/architecture.md, review 30 F1).
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record, resource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const FUNCTION = "aws:lambda/function:Function";

const routes: ServerlessApiArgs["routes"] = {
  "GET /albums": { handler: echo, auth: "none" },
  "POST /albums": { handler: echo, auth: "none" },
  "GET /config": { integration: { type: "mock", body: { ok: true } }, auth: "none" },
};

describe("ServerlessApi route functions' reservedConcurrency", () => {
  it("passes functionDefaults.reservedConcurrency to every route function, a route's own replacing it", async () => {
    const graph = await record(
      () => new ServerlessApi("rc", { routes: { ...routes, "POST /albums": { handler: echo, auth: "none", function: { reservedConcurrency: 0 } } }, functionDefaults: { reservedConcurrency: 20 } }),
    );
    expect(resource(graph, FUNCTION, "rc-get-albums-function").inputs.reservedConcurrentExecutions).toBe(20);
    expect(resource(graph, FUNCTION, "rc-post-albums-function").inputs.reservedConcurrentExecutions).toBe(0);
  });

  it("refuses a route's reservedConcurrency LambdaFunction refuses, under the route's argument", () => {
    expect(refusalOf(() => new ServerlessApi("rcbad", { routes: { "GET /a": { handler: echo, auth: "none", function: { reservedConcurrency: -1 } } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "rcbad",
      argument: 'routes["GET /a"].function.reservedConcurrency',
      value: -1,
      fix: "Use e.g. 10 (0 stops the function from running); any reservation needs account concurrency above 100 plus the sum of every function's reservation in the account and region (Service Quotas, Lambda concurrent executions).",
      message: expect.stringMatching(/^ServerlessApi "rcbad": routes\["GET \/a"\]\.function\.reservedConcurrency -1 is not a whole number of at least 0/),
    });
  });
});
