/** The local stand-in for the authenticated role's IAM decision, request shape by request shape. */
import { describe, expect, it } from "vitest";
import { authorise, type LocalIdentityPoolConfig, type Session } from "../../local/identity-pool-emulator";

const me = "us-east-1:11111111-1111-1111-1111-111111111111";
const other = "us-east-1:22222222-2222-2222-2222-222222222222";
const pool: LocalIdentityPoolConfig = {
  identityPoolId: "us-east-1:pool",
  region: "us-east-1",
  providerName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
  allowUnauthenticated: true,
  verifyIdToken: async () => "sub",
  grants: [{ tableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/prefs", actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem"] }],
};
const session: Session = { identityId: me, pool, authenticated: true };
const hashKeyOf = async () => "identityId";
const key = (id: string) => ({ identityId: { S: id }, key: { S: "k" } });
const check = (action: string, input: Record<string, unknown>, who: Session = session) => authorise(who, action, input, hashKeyOf);

describe("local row-level security decision", () => {
  it("allows granted item actions on the caller's own partition", async () => {
    await expect(check("dynamodb:GetItem", { TableName: "prefs", Key: key(me) })).resolves.toBeUndefined();
    await expect(check("dynamodb:UpdateItem", { TableName: "prefs", Key: key(me), UpdateExpression: "SET v = :v" })).resolves.toBeUndefined();
    await expect(check("dynamodb:BatchGetItem", { RequestItems: { prefs: { Keys: [key(me), key(me)] } } })).resolves.toBeUndefined();
    await expect(check("dynamodb:BatchWriteItem", { RequestItems: { prefs: [{ PutRequest: { Item: key(me) } }, { DeleteRequest: { Key: key(me) } }] } })).resolves.toBeUndefined();
    await expect(check("dynamodb:Query", { TableName: "prefs", KeyConditions: { identityId: { AttributeValueList: [{ S: me }], ComparisonOperator: "EQ" } } })).resolves.toBeUndefined();
    await expect(check("dynamodb:Query", { TableName: "prefs", KeyConditionExpression: "(identityId = :me) AND begins_with(#k, :p)", ExpressionAttributeNames: { "#k": "key" }, ExpressionAttributeValues: { ":me": { S: me }, ":p": { S: "t" } } })).resolves.toBeUndefined();
  });

  it.each([
    ["another user's key", "dynamodb:GetItem", { TableName: "prefs", Key: key(other) }, /LeadingKeys must all equal/],
    ["one foreign key in a batch", "dynamodb:BatchWriteItem", { RequestItems: { prefs: [{ PutRequest: { Item: key(me) } }, { PutRequest: { Item: key(other) } }] } }, /LeadingKeys/],
    ["an action the role lacks", "dynamodb:PutItem", { TableName: "prefs", Item: key(me) }, /no identity-based policy allows the dynamodb:PutItem action/],
    ["a table-wide action", "dynamodb:Scan", { TableName: "prefs" }, /not authorized to perform: dynamodb:Scan/],
    ["a table not granted", "dynamodb:GetItem", { TableName: "gallery", Key: key(me) }, /on resource: table\/gallery/],
    ["a query on an index", "dynamodb:Query", { TableName: "prefs", IndexName: "byKey", KeyConditionExpression: "identityId = :me", ExpressionAttributeValues: { ":me": { S: me } } }, /index\/byKey/],
    ["a query without the partition key", "dynamodb:Query", { TableName: "prefs", KeyConditionExpression: "#k = :v", ExpressionAttributeNames: { "#k": "key" }, ExpressionAttributeValues: { ":v": { S: "x" } } }, /LeadingKeys/],
  ] as const)("refuses %s", async (_, action, input, message) => {
    await expect(check(action, input)).rejects.toThrow(message);
  });

  it("reads a table named by its ARN as the table in it, as DynamoDB and the local DynamoDB endpoint do", async () => {
    const arnOf = (table: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${table}`;
    const asked: string[] = [];
    const byArn = (action: string, input: Record<string, unknown>) => authorise(session, action, input, async (table) => (asked.push(table), "identityId"));
    await expect(byArn("dynamodb:GetItem", { TableName: arnOf("prefs"), Key: key(me) })).resolves.toBeUndefined();
    await expect(byArn("dynamodb:Query", { TableName: arnOf("prefs"), KeyConditionExpression: "identityId = :me", ExpressionAttributeValues: { ":me": { S: me } } })).resolves.toBeUndefined();
    expect(asked).toEqual(["prefs", "prefs"]);
    await expect(byArn("dynamodb:GetItem", { TableName: arnOf("prefs"), Key: key(other) })).rejects.toThrow(/on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/prefs \(dynamodb:LeadingKeys/);
    await expect(byArn("dynamodb:GetItem", { TableName: arnOf("gallery"), Key: key(me) })).rejects.toThrow(/on resource: table\/gallery \(no identity-based policy/);
  });

  it("gives guests nothing", async () => {
    await expect(check("dynamodb:GetItem", { TableName: "prefs", Key: key(me) }, { ...session, authenticated: false })).rejects.toThrow(/assumed-role\/unauthenticated/);
  });
});
