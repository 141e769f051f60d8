/** The Connections helper's edges: the local endpoint mapping, and errors other than 410 are not swallowed. */
import { ApiGatewayManagementApiClient, ForbiddenException, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { DeleteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { Connections, connectionsFromEnvironment, managementEndpoint } from "../../components/realtime-api/connections";

const management = mockClient(ApiGatewayManagementApiClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const connections = () =>
  new Connections({
    tableName: "connections",
    endpoint: "https://abc.execute-api.us-east-1.amazonaws.com/prod",
    management: new ApiGatewayManagementApiClient({ region: "us-east-1" }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" })),
  });

beforeEach(() => {
  management.reset();
  dynamo.reset();
});
// The stubs sit on the SDK's shared client prototypes, which later files in a shared worker use too.
afterAll(() => {
  management.restore();
  dynamo.restore();
});

describe("Connections", () => {
  it("posts to the deployed endpoint in AWS, and path-style to the local server under npm start", () => {
    expect(managementEndpoint("https://abc123.execute-api.eu-west-1.amazonaws.com/prod")).toBe("https://abc123.execute-api.eu-west-1.amazonaws.com/prod");
    expect(managementEndpoint("https://abc123.execute-api.eu-west-1.amazonaws.com/prod", "http://127.0.0.1:4510")).toBe("http://127.0.0.1:4510/abc123/prod");
  });

  it("forgets a connection on 410 GoneException, and only then", async () => {
    management.on(PostToConnectionCommand, { ConnectionId: "gone" }).rejects(new GoneException({ message: "gone", $metadata: {} }));
    management.on(PostToConnectionCommand, { ConnectionId: "forbidden" }).rejects(new ForbiddenException({ message: "no", $metadata: {} }));
    dynamo.on(DeleteCommand).resolves({});
    expect(await connections().post("gone", { hi: 1 })).toBe(false);
    expect(dynamo.commandCalls(DeleteCommand)[0].args[0].input).toEqual({ TableName: "connections", Key: { connectionId: "gone" } });
    // A missing permission is our bug, not a closed tab: it is thrown and the record stays.
    await expect(connections().post("forbidden", { hi: 1 })).rejects.toThrow("no");
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(1);
  });

  it("names the variables it needs when the function lacks them", () => {
    expect(() => connectionsFromEnvironment({})).toThrow(/CONNECTIONS_TABLE_NAME and REALTIME_ENDPOINT must be set/);
  });
});
