/**
 * Helpers for tests of the local DynamoDB: a table's spec as DataTier gives it, with a partition and a sort key, a
 * stream and TTL, for a test to override what it is about; a request's refusal as the SDK sees it; a raw request.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TableSpec } from "../../components/data-tier/spec";

/** The table `items` (`pk`, `sk`), on-demand, with a NEW_AND_OLD_IMAGES stream and TTL on `expiresAt`. */
export const tableSpec = (overrides: Partial<TableSpec> = {}): TableSpec => ({
  key: "items",
  attributes: { pk: "S", sk: "S" },
  partitionKey: "pk",
  sortKey: "sk",
  globalIndexes: [],
  localIndexes: [],
  billing: "on-demand",
  stream: "NEW_AND_OLD_IMAGES",
  ttlAttribute: "expiresAt",
  ttlEnabled: true,
  pointInTimeRecovery: true,
  replicaRegions: [],
  replicaKmsKeyArns: {},
  tableClass: "STANDARD",
  ...overrides,
});

/**
 * A request's refusal as a client sees it: status, error name and message (one attempt: a 5xx would be retried), and
 * whatever `more` reads off the error (e.g. the Item a ConditionalCheckFailedException carries).
 */
export async function refusal<More extends object = object>(endpoint: string, command: { input: object }, more: (error: Record<string, unknown>) => More = () => ({}) as More) {
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" }, maxAttempts: 1 });
  try {
    // Any of the client's commands; send's overloads take no union of them.
    await client.send(command as never);
    return "accepted";
  } catch (error) {
    const e = error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
    return { status: e.$metadata.httpStatusCode, name: e.name, message: e.message, ...more(error as Record<string, unknown>) };
  } finally {
    client.destroy();
  }
}

/**
 * A request sent as it is, signed with a placeholder (dynalite checks only the signature's shape): the SDK serialises
 * neither a null attribute value nor a value nested too deep for JSON.stringify, a hand-written event through a Task can.
 */
export async function sendRaw(endpoint: string, operation: string, body: object | string) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
      "x-amz-date": "20261206T000000Z",
      authorization: "AWS4-HMAC-SHA256 Credential=l/20261206/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: (await response.json()) as { __type: string; message: string } };
}
