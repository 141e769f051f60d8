/**
 * Action-style AWS-service integrations (`integration: { type: "aws", service, action, requestTemplates,
 * responseTemplates }`): API Gateway calls a JSON-protocol service's action, e.g. `kinesis:action/PutRecord` or
 * `dynamodb:action/GetItem`, with a VTL request template that builds the service's request from the client's, so the
 * stream or table name stays server-side (review 28, F7).
 */
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ApiRoute, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/events";
const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/items";

/** The Kinesis tutorial's PutRecord template, with the stream named server-side. */
const putRecordTemplate = '{"StreamName":"events","Data":"$util.base64Encode($input.json(\'$\'))","PartitionKey":"$context.requestId"}';
const getItemTemplate = '{"TableName":"items","Key":{"id":{"S":"$input.params(\'id\')"}}}';
const getItemResponse = '#set($item = $input.path(\'$.Item\')){"id":"$item.id.S","name":"$item.name.S"}';

const putRecord = (overrides: Record<string, unknown> = {}): ApiRoute => ({
  integration: {
    type: "aws",
    service: "kinesis",
    action: "PutRecord",
    requestTemplates: { "application/json": putRecordTemplate },
    permissions: [{ actions: ["kinesis:PutRecord"], resources: [streamArn] }],
    ...overrides,
  } as ApiRoute["integration"],
  auth: "iam",
});

const getItem = (overrides: Record<string, unknown> = {}): ApiRoute => ({
  integration: {
    type: "aws",
    service: "dynamodb",
    action: "GetItem",
    requestTemplates: { "application/json": getItemTemplate },
    responseTemplates: { "application/json": getItemResponse },
    permissions: [{ actions: ["dynamodb:GetItem"], resources: [tableArn] }],
    ...overrides,
  } as ApiRoute["integration"],
  auth: "iam",
});

function args(routes: Record<string, ApiRoute> = {}, overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return { basePath: "api", routes: { "POST /events": putRecord(), "GET /items/{id}": getItem(), ...routes }, ...overrides };
}

const integrationOf = (graph: RecordedResource[], name: string, slug: string) => resource(graph, "aws:apigateway/integration:Integration", `${name}-integration-${slug}`);
const responsesOf = (graph: RecordedResource[], name: string, slug: string) =>
  Object.fromEntries(
    ofType(graph, "aws:apigateway/integrationResponse:IntegrationResponse")
      .filter((r) => r.name.startsWith(`${name}-integration-response-${slug}-`))
      .map((r): [string, Record<string, any>] => [r.inputs.statusCode, r.inputs]),
  );

describe("ServerlessApi action-style AWS-service integrations", () => {
  it("calls kinesis:action/PutRecord with POST, the request template, and the Content-Type Kinesis reads", async () => {
    const graph = await record(() => new ServerlessApi("sa1", args()));
    const kinesis = integrationOf(graph, "sa1", "post-api-events");
    expect(kinesis.inputs).toMatchObject({
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord",
      requestTemplates: { "application/json": putRecordTemplate },
      // Another content type is refused (415) instead of reaching Kinesis as the client wrote it.
      passthroughBehavior: "WHEN_NO_TEMPLATES",
      requestParameters: { "integration.request.header.Content-Type": "'application/x-amz-json-1.1'" },
    });
    const role = resource(graph, "aws:iam/role:Role", "sa1-integration-role-post-api-events");
    expect(kinesis.inputs.credentials).toBe(role.state.arn);
    const policy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "sa1-integration-policy-post-api-events").inputs.policy);
    expect(policy.Statement).toEqual([{ Effect: "Allow", Action: ["kinesis:PutRecord"], Resource: [streamArn] }]);
    // No response template: the 200 passes Kinesis's body through with its Content-Type, as path-style routes do.
    const responses = responsesOf(graph, "sa1", "post-api-events");
    expect(responses["200"].responseTemplates).toBeUndefined();
    expect(responses["200"].responseParameters).toEqual({ "method.response.header.Content-Type": "integration.response.header.Content-Type" });
  });

  it("calls dynamodb:action/GetItem from a GET route, shaping the 200 with the response template", async () => {
    const graph = await record(() => new ServerlessApi("sa2", args()));
    const dynamodb = integrationOf(graph, "sa2", "get-api-items-id");
    expect(dynamodb.inputs).toMatchObject({
      integrationHttpMethod: "POST",
      uri: "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
      requestTemplates: { "application/json": getItemTemplate },
      requestParameters: { "integration.request.header.Content-Type": "'application/x-amz-json-1.0'" },
    });
    const responses = responsesOf(graph, "sa2", "get-api-items-id");
    expect(responses["200"]).toMatchObject({ selectionPattern: "2\\d{2}", responseTemplates: { "application/json": getItemResponse } });
    // The template's output is what callers get, not DynamoDB's x-amz-json body: its Content-Type is not copied.
    expect(responses["200"].responseParameters).toBeUndefined();
    // Errors still hide the service's body.
    expect(JSON.parse(responses["400"].responseTemplates["application/json"])).toHaveProperty("message");
  });

  it("keeps a Content-Type the route maps itself", async () => {
    const mapped = { "integration.request.header.Content-Type": "'application/x-amz-json-1.1'" };
    const graph = await record(() => new ServerlessApi("sa3", args({ "GET /items/{id}": getItem({ requestParameters: mapped }) })));
    expect(integrationOf(graph, "sa3", "get-api-items-id").inputs).toMatchObject({ uri: "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem", requestParameters: mapped });
  });

  it("leaves path-style routes as they were (passthrough, no templates)", async () => {
    const s3: ApiRoute = { integration: { type: "aws", service: "s3", method: "GET", path: "bucket/key", permissions: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/key"] }] }, auth: "iam" };
    const graph = await record(() => new ServerlessApi("sa4", args({ "GET /file": s3 })));
    const inputs = integrationOf(graph, "sa4", "get-api-file").inputs;
    expect(inputs).toMatchObject({ uri: "arn:aws:apigateway:us-east-1:s3:path/bucket/key", integrationHttpMethod: "GET", passthroughBehavior: "WHEN_NO_MATCH" });
    expect(inputs.requestTemplates).toBeUndefined();
  });

  it("takes a request template on a path-style route too, and then refuses other content types", async () => {
    const sqs: ApiRoute = {
      integration: {
        type: "aws",
        service: "sqs",
        method: "POST",
        path: "123456789012/jobs",
        requestTemplates: { "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)" },
        requestParameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
        permissions: [{ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:jobs"] }],
      },
      auth: "iam",
    };
    const graph = await record(() => new ServerlessApi("sa5", args({ "POST /jobs": sqs })));
    expect(integrationOf(graph, "sa5", "post-api-jobs").inputs).toMatchObject({ uri: "arn:aws:apigateway:us-east-1:sqs:path/123456789012/jobs", passthroughBehavior: "WHEN_NO_TEMPLATES" });
  });
});

describe("ServerlessApi passthroughBehavior", () => {
  it("deploys the route's passthroughBehavior (NEVER: 415 for any Content-Type without a template; WHEN_NO_MATCH on another route)", async () => {
    const graph = await record(() => new ServerlessApi("sp1", args({ "POST /events": putRecord({ passthroughBehavior: "NEVER" }), "GET /items/{id}": getItem({ passthroughBehavior: "WHEN_NO_MATCH" }) })));
    expect(integrationOf(graph, "sp1", "post-api-events").inputs.passthroughBehavior).toBe("NEVER");
    expect(integrationOf(graph, "sp1", "get-api-items-id").inputs.passthroughBehavior).toBe("WHEN_NO_MATCH");
  });
});

describe("ServerlessApi redeploys when a mapping template changes", () => {
  const triggers = async (a: ServerlessApiArgs) => resource(await record(() => new ServerlessApi("sr1", a)), "aws:apigateway/deployment:Deployment", "sr1-deployment").inputs.triggers;

  it("a request template or a response template change changes the deployment's trigger", async () => {
    const base = await triggers(args());
    expect(await triggers(args())).toEqual(base);
    const otherRequest = putRecordTemplate.replace('"events"', '"events-v2"');
    expect(await triggers(args({ "POST /events": putRecord({ requestTemplates: { "application/json": otherRequest } }) }))).not.toEqual(base);
    expect(await triggers(args({ "GET /items/{id}": getItem({ responseTemplates: { "application/json": '{"id":"$input.path(\'$.Item.id.S\')"}' } }) }))).not.toEqual(base);
  });
});

describe("ServerlessApi refuses action-style integrations it cannot deploy", () => {
  const refused = (routes: Record<string, ApiRoute>, overrides: Partial<ServerlessApiArgs> = {}) => () => new ServerlessApi("bad", args(routes, overrides));

  it.each<[string, Record<string, unknown>, RegExp, RefusalContract]>([
    ["both path and action", { path: "events" }, /routes\["POST \/events"\]\.integration .*sets both path and action.*Keep action/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration', value: { path: "events", action: "PutRecord" }, fix: "Keep action (\"PutRecord\") for an API action such as Kinesis PutRecord, or path for a path-style call such as S3's bucket/{key}." }],
    ["neither path nor action", { action: undefined }, /routes\["POST \/events"\]\.integration .*sets neither path nor action/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration', value: ["type", "service", "action", "requestTemplates", "permissions"], fix: 'Set action (e.g. "PutRecord", with a request template) or path (e.g. "my-bucket/{key}").' }],
    ["the URI's action/ prefix", { action: "action/PutRecord" }, /integration\.action "action\/PutRecord" is not an action name.*Use "PutRecord"/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.action', value: "action/PutRecord", fix: 'Use "PutRecord"; ServerlessApi writes action/<action> into the URI.' }],
    ["the IAM form", { action: "kinesis:PutRecord" }, /integration\.action "kinesis:PutRecord" is not an action name.*Use "PutRecord"/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.action', value: "kinesis:PutRecord", fix: 'Use "PutRecord"; ServerlessApi writes action/<action> into the URI.' }],
    ["a lower-case action", { action: "putRecord" }, /integration\.action "putRecord" is not an action name.*Use "PutRecord"/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.action', value: "putRecord", fix: 'Use "PutRecord"; ServerlessApi writes action/<action> into the URI.' }],
    ["a GET call to a JSON-protocol service", { method: "GET" }, /integration\.method "GET" is not POST.*kinesis/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.method', value: "GET", fix: "Drop method (action-style calls default to \"POST\"); the route's own method (e.g. GET) can differ." }],
    ["permissions without the action", { permissions: [{ actions: ["kinesis:PutRecords"], resources: [streamArn] }] }, /integration\.permissions .*grants no kinesis:PutRecord.*actions: \["kinesis:PutRecord"\]/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.permissions', value: ["kinesis:PutRecords"], fix: "Add { actions: [\"kinesis:PutRecord\"], resources: [<the stream's ARN>] }." }],
    ["a request template key that is no content type", { requestTemplates: { json: putRecordTemplate } }, /integration\.requestTemplates "json" is not a content type.*application\/json/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.requestTemplates', value: "json", fix: 'Use e.g. "application/json".' }],
    ["a request template that is no string", { requestTemplates: { "application/json": { StreamName: "events" } } }, /integration\.requestTemplates\["application\/json"\] .*is not a string/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.requestTemplates["application/json"]', value: { StreamName: "events" }, fix: "Pass the template's text, e.g. JSON.stringify({...}) with $input and $context references in it." }],
    ["a request template over 300 KB", { requestTemplates: { "application/json": `{"StreamName":"events","Data":"${"x".repeat(300 * 1024)}"}` } }, /integration\.requestTemplates\["application\/json"\] .*over API Gateway's 300 KB mapping template size/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.requestTemplates["application/json"]', value: "307233 bytes", fix: "Shorten the template (build repeated parts with #foreach), or shape the request in a Lambda handler." }],
    ["a response template key that is no content type", { responseTemplates: { "": "{}" } }, /integration\.responseTemplates "" is not a content type/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.responseTemplates', value: "", fix: 'Use e.g. "application/json".' }],
    ["a passthroughBehavior API Gateway does not know", { passthroughBehavior: "never" }, /integration\.passthroughBehavior "never" is not one of WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER.*"NEVER"/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.passthroughBehavior', value: "never", fix: 'Use "NEVER" to answer 415 to any Content-Type without a template, or leave it out.' }],
    ["NEVER with no request templates (every request 415)", { passthroughBehavior: "NEVER", requestTemplates: undefined }, /integration\.passthroughBehavior "NEVER" is set with no requestTemplates.*415.*Add requestTemplates/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.passthroughBehavior', value: "NEVER", fix: 'Add requestTemplates (e.g. { "application/json": ... }) for the content types the route takes, or leave passthroughBehavior out.' }],
    ["NEVER with an empty request template map", { passthroughBehavior: "NEVER", requestTemplates: {} }, /integration\.passthroughBehavior "NEVER" is set with no requestTemplates/s, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /events"].integration.passthroughBehavior', value: "NEVER", fix: 'Add requestTemplates (e.g. { "application/json": ... }) for the content types the route takes, or leave passthroughBehavior out.' }],
  ])("refuses %s", (_, overrides, message, contract) => {
    expect(refusalOf(refused({ "POST /events": putRecord(overrides) }), "ServerlessApi accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });

  it("refuses mapping templates on mock and HTTP integrations, which ServerlessApi shapes itself", () => {
    const http = { integration: { type: "http", uri: "https://backend.example.com/x", requestTemplates: { "application/json": "{}" } } } as unknown as ApiRoute;
    expect(refusalOf(refused({ "GET /x": http }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: 'routes["GET /x"].integration.requestTemplates',
      value: { "application/json": "{}" },
      fix: "Drop it: an HTTP integration passes the request through (shape it in the backend).",
      message: expect.stringMatching(/routes\["GET \/x"\]\.integration\.requestTemplates \{"application\/json":"\{\}"\} is not taken by a http integration; only AWS-service integrations/s),
    });
    const mock = { integration: { type: "mock", statusCode: 200, passthroughBehavior: "NEVER" } } as unknown as ApiRoute;
    expect(refusalOf(refused({ "GET /m": mock }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: 'routes["GET /m"].integration.passthroughBehavior',
      value: "NEVER",
      fix: "Put the answer in body (and statusCode).",
      message: expect.stringMatching(/routes\["GET \/m"\]\.integration\.passthroughBehavior "NEVER" is not taken by a mock integration/s),
    });
    const proxy = { integration: { type: "http", uri: "https://backend.example.com/x", passthroughBehavior: "WHEN_NO_MATCH" } } as unknown as ApiRoute;
    expect(refusalOf(refused({ "GET /x": proxy }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: 'routes["GET /x"].integration.passthroughBehavior',
      value: "WHEN_NO_MATCH",
      fix: "Drop it: an HTTP integration passes the request through (shape it in the backend).",
      message: expect.stringMatching(/routes\["GET \/x"\]\.integration\.passthroughBehavior "WHEN_NO_MATCH" is not taken by a http integration/s),
    });
  });

  it("refuses an action on the HTTP kind, saying what it offers instead", () => {
    expect(refusalOf(() => new ServerlessApi("bad", { kind: ApiKind.Http, routes: { "POST /events": putRecord() } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: 'routes["POST /events"].integration',
      value: "aws",
      fix: "Call the service from a Lambda handler, or use kind: ApiKind.Rest.",
      message: expect.stringMatching(/routes\["POST \/events"\]\.integration "aws" is set on an HTTP API.*Kinesis-PutRecord.*kind: ApiKind\.Rest/s),
    });
  });
});
