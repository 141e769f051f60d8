/** GET /api/notes: the signed-in user's notes (partition USER#<sub>). */
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";

const dynamo = new DynamoDBClient({});

interface Event {
  requestContext: { authorizer?: { claims?: { sub?: string } } };
}

export async function list(event: Event): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const sub = event.requestContext.authorizer?.claims?.sub;
  if (!sub) return { statusCode: 401, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Unauthorized" }) };
  const result = await dynamo.send(
    new QueryCommand({ TableName: process.env.TABLE_NAME, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: `USER#${sub}` } } }),
  );
  const notes = (result.Items ?? []).map((item) => ({ id: item.sk?.S, text: item.text?.S }));
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ notes }) };
}
