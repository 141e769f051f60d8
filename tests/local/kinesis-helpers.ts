/**
 * Helpers for tests of the local Kinesis endpoint (local/kinesis-server.ts): the region, the echo handler and the
 * static credentials its tests sign with; a stream of one shard and the function `reader`'s subscription to it; a function's deployed name in a recorded graph; an SDK client on the
 * endpoint over the SDK's default handler (HTTP/2), one attempt so a refusal reaches the test; a raw signed call of
 * one operation, for requests an SDK would not build or sizes that must be exact.
 */
import { KinesisClient, type KinesisClientConfig } from "@aws-sdk/client-kinesis";
import type { LocalStreamSubscription } from "../../local/kinesis-server";
import type { RecordedResource } from "../../local/offline/mocks";
import { signedFetch } from "../harness/signed-fetch";

export const REGION = "us-east-1";
export const ECHO_ENTRY = "tests/fixtures/handlers/echo.ts";
export const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** The deployed name of the LambdaFunction `name` in a recorded graph. */
export const functionName = (graph: RecordedResource[], name: string) =>
  graph.find((r) => r.type === "aws:lambda/function:Function" && r.name === `${name}-function`)!.state.name as string;

/** A stream of one shard, kept 24 hours, in the endpoint's region; `extra` adds or overrides fields. */
export const streamDefinition = <T extends object = {}>(name: string, extra?: T) => ({ name, arn: `arn:aws:kinesis:${REGION}:123456789012:stream/${name}`, region: REGION, shardCount: 1, retentionHours: 24, ...extra });

/**
 * The function `reader`'s subscription to `streamName` (id `<stream>-reader`): batches of 10 from TRIM_HORIZON, with
 * `spec`'s retry settings; on-failure records dropped unless `onFailure` takes them.
 */
export const readerSubscription = (
  streamName: string,
  spec: Pick<LocalStreamSubscription["spec"], "bisectBatchOnFunctionError" | "maximumRetryAttempts" | "maximumRecordAgeInSeconds">,
  invoke: LocalStreamSubscription["invoke"],
  onFailure: LocalStreamSubscription["onFailure"] = () => {},
): LocalStreamSubscription => ({
  id: `${streamName}-reader`,
  streamName,
  spec: { batchSize: 10, startingPosition: "TRIM_HORIZON", ...spec },
  functionArn: `arn:aws:lambda:${REGION}:123456789012:function:reader`,
  roleArn: "arn:aws:iam::123456789012:role/reader",
  invoke,
  onFailure,
});

/** A client of the endpoint, one attempt, the SDK's default handler unless `config` says another. */
export const kinesisClient = (endpoint: string, credentials = CREDENTIALS, config: Partial<KinesisClientConfig> = {}) =>
  new KinesisClient({ region: REGION, endpoint, credentials, maxAttempts: 1, ...config });

/** One operation as a raw signed JSON request to the endpoint: its status and parsed body ({} when empty). */
export const signedKinesisCall = async (endpoint: string, operation: string, body: unknown): Promise<{ status: number; body: Record<string, any> }> => {
  const response = await signedFetch(`${endpoint}/`, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Kinesis_20131202.${operation}` }, body: JSON.stringify(body) }, { credentials: CREDENTIALS, region: REGION, service: "kinesis" });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
};
