/**
 * The gallery's events on its EventBus (index.ts "album deletion"): DELETE /albums/{albumId} of an album that still has
 * photos puts "AlbumDeletionRequested", whose rule starts the album-deletion Workflow. PutEvents goes through
 * ./aws-json.ts (EventBridge's AWS JSON 1.1 protocol) rather than @aws-sdk/client-eventbridge, which would weigh on the
 * albums bundle for this one call.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import { awsJsonCall, type AwsJsonAnswer } from "./aws-json";
import { ALBUM_DELETION_REQUESTED, ALBUM_EVENTS_SOURCE } from "./gallery-keys";
import { AwsServiceError } from "./retries";

export interface AlbumDeletionRequested {
  sub: string;
  albumId: string;
}

function busName(): string {
  const name = process.env.EVENT_BUS_NAME;
  if (!name) throw new Error("EVENT_BUS_NAME is not set");
  return name;
}

/** EventBridge's endpoint in `region`; AWS_ENDPOINT_URL_EVENTBRIDGE (the SDK's variable for it) overrides it, as under `npm start`. */
function endpoint(region: string): string {
  return process.env.AWS_ENDPOINT_URL_EVENTBRIDGE || `https://events.${region}.amazonaws.com`;
}

/**
 * PutEvents answers 200 with per-entry failures ("FailedEntryCount"): the one entry's error is this call's. Checked per
 * attempt, so that the entry errors AWS calls retryable, ThrottlingException and InternalFailure
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html), are retried as the call's
 * own would be: the first by its name, the second as the server error (500) it is.
 */
export function checkPutEventsEntry({ answer, $metadata }: AwsJsonAnswer): void {
  const [entry] = (answer.Entries ?? []) as Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  if (entry?.EventId) return;
  const code = entry?.ErrorCode ?? "PutEventsFailed";
  throw new AwsServiceError(code, entry?.ErrorMessage ?? "EventBridge accepted no entry", { ...$metadata, httpStatusCode: code === "InternalFailure" ? 500 : $metadata.httpStatusCode });
}

/**
 * Puts one AlbumDeletionRequested on the gallery bus; resolves with its event id once EventBridge has it. The bus is in
 * the home region (EVENT_BUS_REGION), where the workflow runs: RegionalApis' other regions put to it there, as they send
 * to the home region's photo-removals queue.
 */
export async function requestAlbumDeletion(detail: AlbumDeletionRequested): Promise<string> {
  const region = process.env.EVENT_BUS_REGION || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("AWS_REGION is not set");
  const EventBusName = busName();
  const { answer } = await awsJsonCall({
    service: "events",
    traceName: "EventBridge",
    operation: "PutEvents",
    target: "AWSEvents.PutEvents",
    contentType: "application/x-amz-json-1.1",
    endpoint: endpoint(region),
    region,
    traceInput: { EventBusName },
    body: { Entries: [{ EventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify(detail) }] },
  }, checkPutEventsEntry);
  return (answer.Entries as Array<{ EventId: string }>)[0].EventId;
}

/** Step Functions' endpoint in `region`; AWS_ENDPOINT_URL_SFN (the SDK's variable for it) overrides it, as under `npm start`. */
function statesEndpoint(region: string): string {
  return process.env.AWS_ENDPOINT_URL_SFN || `https://states.${region}.amazonaws.com`;
}

/**
 * Whether the album-deletion execution `executionArn` still runs (DescribeExecution's status RUNNING), for DELETE of an
 * album marked deleting: one that ended without deleting it (stopped, failed at the top level, handed on to an event
 * that never started the next) leaves the mark behind. An execution Step Functions no longer knows of runs no more.
 * The state machine is in the home region with the bus. AWS JSON 1.0, signing name `states`
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html).
 */
export async function executionRunning(executionArn: string): Promise<boolean> {
  const region = process.env.EVENT_BUS_REGION || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("AWS_REGION is not set");
  try {
    const { answer } = await awsJsonCall({
      service: "states",
      traceName: "SFN",
      operation: "DescribeExecution",
      target: "AWSStepFunctions.DescribeExecution",
      contentType: "application/x-amz-json-1.0",
      endpoint: statesEndpoint(region),
      region,
      traceInput: { executionArn },
      body: { executionArn },
    });
    return answer.status === "RUNNING";
  } catch (error) {
    if ((error as Error).name === "ExecutionDoesNotExist") return false;
    throw error;
  }
}
