/**
 * A REST route's request model locally, as API Gateway's request validator applies it: a JSON body the model refuses
 * is 400 before the function runs, in the component's BAD_REQUEST_BODY envelope, with the validator's sentence; a body
 * of another content type is not validated ("If no matching content type is found, request validation is not
 * performed"). The function is a stub (`context.lambda`), so each case is one request.
 */
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { requestModel } from "../../components/serverless-api/request-model";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import { requestModelProblem } from "../../local/request-model";
import type { LocalContext } from "../../local/services/types";
import { gatewaySpec } from "../harness/api-spec";

const CreateAlbum = z.object({ title: z.string().check(z.minLength(1), z.maxLength(5)), visibility: z.optional(z.enum(["private", "public"])) });

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

async function albumsApi() {
  const spec = gatewaySpec("api", { basePath: "api", routes: { "POST /albums": { handler: "tests/fixtures/handlers/echo.ts", auth: "none", requestSchema: requestModel(CreateAlbum) } } });
  const bodies: unknown[] = [];
  const context = {
    log: () => undefined,
    run: { config: { region: "us-east-1" } },
    lambda: () => ({ invoke: async (event: { body: string }) => (bodies.push(event.body), { statusCode: 201, body: "created" }) }),
  } as unknown as LocalContext;
  const { server, url } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined }), 0);
  servers.push(server);
  const post = async (body: string, contentType?: string) => {
    // Bytes, not a string: fetch gives a string body a text/plain Content-Type of its own.
    const response = await fetch(`${url}/api/albums`, { method: "POST", body: new TextEncoder().encode(body), headers: contentType ? { "content-type": contentType } : {} });
    return { status: response.status, body: await response.text(), errorType: response.headers.get("x-amzn-errortype") };
  };
  return { post, bodies };
}

const refusal = (text: string) => ({ status: 400, body: JSON.stringify({ message: "Request body is invalid", errors: { "(body)": [text] } }), errorType: "BadRequestException" });

describe("a REST route's requestSchema locally", () => {
  it("refuses a JSON body the model refuses with the gateway's 400, before the function runs", async () => {
    const api = await albumsApi();
    expect(await api.post(JSON.stringify({ visibility: "secret" }), "application/json")).toEqual(
      refusal('[object has missing required properties (["title"]), instance value ("secret") not found in enum (possible values: ["private","public"])]'),
    );
    expect(await api.post(JSON.stringify({ title: "" }), "application/json; charset=utf-8")).toEqual(refusal('[string "" is too short (length: 0, required minimum: 1)]'));
    // No Content-Type: API Gateway takes the body as JSON.
    expect(await api.post(JSON.stringify({ title: 7 }))).toEqual(refusal('[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]'));
    expect(await api.post("{not json", "application/json")).toEqual(refusal("Invalid request body"));
    // An empty body is validated as {}.
    expect(await api.post("", "application/json")).toEqual(refusal('[object has missing required properties (["title"])]'));
    expect(api.bodies).toEqual([]);
  });

  it("passes a body the model accepts, and a body of a content type the model is not mapped to, to the function", async () => {
    const api = await albumsApi();
    expect(await api.post(JSON.stringify({ title: "Trip" }), "application/json")).toMatchObject({ status: 201, body: "created" });
    expect(await api.post(JSON.stringify({ title: 7 }), "text/plain")).toMatchObject({ status: 201 });
    expect(api.bodies).toEqual([JSON.stringify({ title: "Trip" }), JSON.stringify({ title: 7 })]);
  });

  it("runs after the authorizer: a caller without a token gets 401, not the model's 400", async () => {
    const spec = gatewaySpec("api", {
      basePath: "api",
      authorizers: { custom: { type: "token", handler: "tests/fixtures/handlers/echo.ts", resultTtlSeconds: 0 } },
      routes: { "POST /albums": { handler: "tests/fixtures/handlers/echo.ts", auth: { authorizer: "custom" }, requestSchema: requestModel(CreateAlbum) } },
    });
    const context = { log: () => undefined, run: { config: { region: "us-east-1" } }, lambda: () => ({ invoke: async () => ({ statusCode: 201, body: "created" }) }) } as unknown as LocalContext;
    const { server, url } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined }), 0);
    servers.push(server);
    const response = await fetch(`${url}/api/albums`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(response.status).toBe(401);
  });

  it("words each common keyword as API Gateway's validator does", () => {
    const schema = {
      type: "object",
      additionalProperties: false,
      required: ["a", "b"],
      properties: { n: { type: "number", minimum: 1, maximum: 5 }, s: { type: "string", maxLength: 2, pattern: "^x+$" }, list: { type: "array", minItems: 1, maxItems: 2 }, a: {}, b: {} },
    };
    const problem = (value: unknown) => requestModelProblem(schema, "application/json", Buffer.from(JSON.stringify(value)));
    expect(problem({ a: 1, b: 1 })).toBeUndefined();
    expect(problem({ z: 1, y: 2 })).toBe('[object has missing required properties (["a","b"]), object instance has properties which are not allowed by the schema: ["y","z"]]');
    expect(problem({ a: 1, b: 1, n: 0 })).toBe("[numeric instance is lower than the required minimum (minimum: 1, found: 0)]");
    expect(problem({ a: 1, b: 1, n: 6.5 })).toBe("[numeric instance is greater than the required maximum (maximum: 5, found: 6.5)]");
    expect(problem({ a: 1, b: 1, s: "yyy" })).toBe('[string "yyy" is too long (length: 3, maximum allowed: 2), ECMA 262 regex "^x+$" does not match input string "yyy"]');
    const exclusive = { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 5, exclusiveMaximum: true };
    expect(requestModelProblem(exclusive, undefined, Buffer.from("0"))).toBe("[numeric instance is not strictly greater than the required minimum (minimum: 0, found: 0)]");
    expect(requestModelProblem(exclusive, undefined, Buffer.from("5"))).toBe("[numeric instance is not strictly lower than the required maximum (maximum: 5, found: 5)]");
    expect(problem({ a: 1, b: 1, list: [] })).toBe("[array is too short: must have at least 1 elements but instance has 0 elements]");
    expect(problem({ a: 1, b: 1, list: [1, 2, 3] })).toBe("[array is too long: must have at most 2 elements but instance has 3 elements]");
  });
});
