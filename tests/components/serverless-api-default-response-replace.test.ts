/**
 * A mock route's (and a CORS preflight's) method and integration responses are named after the route, not the status,
 * and the integration response is the method's default (no selectionPattern). A changed status under the same URN would
 * make the provider put a second default response beside the old one, which API Gateway refuses (ConflictException
 * "Integration response with selection pattern default already exists", hashicorp/terraform#5893), so a status change
 * replaces them delete-first (routes.ts createResponse). Responses with a selectionPattern keep the defaults.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import { ofType, record, type RecordedResource } from "../harness/mocks";

const METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse";
const INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse";

/** An AWS-service route (DynamoDB GetItem): its responses are named after their status, selected by pattern but the 500. */
const getItem = {
  type: "aws" as const, service: "dynamodb", action: "GetItem", permissions: [{ actions: ["dynamodb:GetItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/items"] }],
  requestTemplates: { "application/json": '{"TableName":"items","Key":{"id":{"S":"$input.params(\'id\')"}}}' },
};
const options = (r: RecordedResource) => ({ replaceOnChanges: r.replaceOnChanges ?? [], deleteBeforeReplace: r.deleteBeforeReplace ?? false });

describe("ServerlessApi default responses", () => {
  it("replace a mock's and a CORS preflight's responses delete-first when their statusCode changes; the others keep the defaults", async () => {
    const graph = await record(
      () =>
        new ServerlessApi("dr", {
          basePath: "api",
          cors: { allowOrigins: ["https://gallery.example.com"] },
          routes: {
            "GET /maintenance": { integration: { type: "mock", statusCode: 503, body: { message: "back soon" } }, auth: "none" },
            "GET /items/{id}": { integration: getItem, auth: "iam" },
          },
        }),
    );
    const byName = (type: string) => Object.fromEntries(ofType(graph, type).map((r) => [r.name, options(r)]));
    const replaced = { replaceOnChanges: ["statusCode"], deleteBeforeReplace: true };
    const kept = { replaceOnChanges: [], deleteBeforeReplace: false };
    expect(byName(METHOD_RESPONSE)).toEqual({
      "dr-response-get-api-maintenance": replaced,
      "dr-response-options-api-maintenance": replaced,
      "dr-response-options-api-items-id": replaced,
      // An AWS-service route's responses carry their status in their names; its default (500) is replaced delete-first
      // too, which never fires (the status cannot change under the name); the selected ones keep the defaults.
      "dr-response-get-api-items-id-200": kept,
      "dr-response-get-api-items-id-400": kept,
      "dr-response-get-api-items-id-500": replaced,
    });
    expect(byName(INTEGRATION_RESPONSE)).toEqual({
      "dr-integration-response-get-api-maintenance": replaced,
      "dr-integration-response-options-api-maintenance": replaced,
      "dr-integration-response-options-api-items-id": replaced,
      "dr-integration-response-get-api-items-id-200": kept,
      "dr-integration-response-get-api-items-id-400": kept,
      "dr-integration-response-get-api-items-id-500": replaced,
    });
  });
});
