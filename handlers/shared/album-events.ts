/**
 * The gallery's events on its EventBus (index.ts "album deletion"): DELETE /albums/{albumId} of an album that still has
 * photos puts "AlbumDeletionRequested", whose rule starts the album-deletion Workflow; DELETE of one already deleting
 * asks Step Functions whether the execution marked on it still runs (executionState). Both go through ./aws-json.ts
 * rather than @aws-sdk/client-eventbridge and @aws-sdk/client-sfn, which would weigh on the albums bundle for one call each.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import { awsJsonCall, type AwsJsonAnswer } from "./aws-json";
import { ALBUM_DELETION_REQUESTED, ALBUM_EVENTS_SOURCE } from "./gallery-keys";
import { AwsServiceError } from "./retries";
import { regionOr } from "./regions";
import { logger } from "./api-http";

export interface AlbumDeletionRequested {
  sub: string;
  albumId: string;
  /**
   * The album's mark this event asks to run (AlbumDeletion.requestedAt, written anew for each deletion DELETE starts):
   * the workflow's SameRequest ends a duplicate delivery of the event at once when another execution claimed that mark.
   */
  requestedAt: string;
}

function busName(): string {
  const name = process.env.EVENT_BUS_NAME;
  if (!name) throw new Error("EVENT_BUS_NAME is not set");
  return name;
}

/**
 * The home region, where the bus and the state machine are: RegionalApis' other regions call there, as they send to
 * the home region's photo-removals queue.
 */
function homeRegion(): string {
  return regionOr(process.env.EVENT_BUS_REGION);
}

/** `service`'s endpoint in `region`; `override`, the SDK's AWS_ENDPOINT_URL_<SERVICE> variable, wins, as under `npm start`. */
function endpoint(service: "events" | "states", override: string | undefined, region: string): string {
  return override || `https://${service}.${region}.amazonaws.com`;
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
 * Puts one AlbumDeletionRequested on the gallery bus (homeRegion); resolves with its event id once EventBridge has it.
 * The album's key and its mark alone, whatever else the argument carries: the workflow reads its page figures from the
 * event too, and the API leaves them to the workflow's defaults, the figures its 25,000-event history budget holds for
 * (index.ts).
 */
export async function requestAlbumDeletion({ sub, albumId, requestedAt }: AlbumDeletionRequested): Promise<string> {
  const detail: AlbumDeletionRequested = { sub, albumId, requestedAt };
  const region = homeRegion();
  const EventBusName = busName();
  const { answer } = await awsJsonCall({
    service: "events",
    traceName: "EventBridge",
    operation: "PutEvents",
    target: "AWSEvents.PutEvents",
    contentType: "application/x-amz-json-1.1",
    endpoint: endpoint("events", process.env.AWS_ENDPOINT_URL_EVENTBRIDGE, region),
    region,
    traceInput: { EventBusName },
    body: { Entries: [{ EventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify(detail) }] },
  }, checkPutEventsEntry);
  return (answer.Entries as Array<{ EventId: string }>)[0].EventId;
}

/** What DELETE of an album marked deleting learns of the execution recorded on it. */
export type ExecutionState =
  /** It runs, or may: Step Functions could not be asked (throttled, refused). */
  | { running: true }
  /** It has ended, at `stoppedAt` (ms since the epoch), or long ago (0): unknown to Step Functions, or another state machine's. */
  | { running: false; stoppedAt: number };

/**
 * What the album-deletion execution `executionArn` is doing (DescribeExecution), for DELETE of an album marked
 * deleting: one that ended without deleting it (stopped, failed at the top level, handed on to an event that never
 * started the next) leaves the mark behind. The state machine is in the home region with the bus. AWS JSON 1.0, signing
 * name `states` (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html: `status`,
 * and `stopDate` "If the execution ended, the date the execution stopped").
 *
 * Ended long ago: an execution Step Functions no longer knows (ExecutionDoesNotExist), and one of another state
 * machine than `ALBUM_DELETION_STATE_MACHINE_ARN` (a replaced machine: its executions fall outside this function's
 * `execution:<name>:*` grant, so asking would be refused for ever and the album never started over).
 * Any other error (throttled past the retries, access denied) reads as running: the caller then starts nothing and
 * answers as for a deletion under way. Starting over on a guess could run two deletions at once, and answering 500
 * would tell the client its DELETE failed when the deletion may well be running; the next DELETE asks again.
 */
export async function executionState(executionArn: string): Promise<ExecutionState> {
  const region = homeRegion();
  const machine = process.env.ALBUM_DELETION_STATE_MACHINE_ARN;
  if (!machine) throw new Error("ALBUM_DELETION_STATE_MACHINE_ARN is not set");
  // arn:aws:states:<region>:<account>:execution:<machine name>:<execution name>, of arn:…:stateMachine:<machine name>.
  if (!executionArn.startsWith(`${machine.replace(":stateMachine:", ":execution:")}:`)) return { running: false, stoppedAt: 0 };
  try {
    const { answer } = await awsJsonCall({
      service: "states",
      traceName: "SFN",
      operation: "DescribeExecution",
      target: "AWSStepFunctions.DescribeExecution",
      contentType: "application/x-amz-json-1.0",
      endpoint: endpoint("states", process.env.AWS_ENDPOINT_URL_SFN, region),
      region,
      traceInput: { executionArn },
      body: { executionArn },
    });
    if (answer.status === "RUNNING") return { running: true };
    // stopDate is a timestamp, in seconds since the epoch in the JSON protocol.
    return { running: false, stoppedAt: typeof answer.stopDate === "number" ? answer.stopDate * 1000 : 0 };
  } catch (error) {
    if ((error as Error).name === "ExecutionDoesNotExist") return { running: false, stoppedAt: 0 };
    logger.warn("the album-deletion execution could not be described; taken as running", { executionArn, error: error as Error });
    return { running: true };
  }
}
