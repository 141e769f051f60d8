/**
 * The gallery's events on its EventBus (index.ts "album deletion"): DELETE /albums/{albumId} of an album that still has
 * photos puts "AlbumDeletionRequested", whose rule starts the album-deletion Workflow. PutEvents goes through
 * ./aws-json.ts (EventBridge's AWS JSON 1.1 protocol) rather than @aws-sdk/client-eventbridge, which would weigh on the
 * albums bundle for this one call.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import { awsJsonCall } from "./aws-json";
import { AwsServiceError } from "./retries";

/** The source and detail-type the deletion rule matches (index.ts subscribes the workflow to exactly these). */
export const ALBUM_EVENTS_SOURCE = "gallery.albums";
export const ALBUM_DELETION_REQUESTED = "AlbumDeletionRequested";

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
 * Puts one AlbumDeletionRequested on the gallery bus; resolves with its event id once EventBridge has it. The bus is in
 * the home region (EVENT_BUS_REGION), where the workflow runs: RegionalApis' other regions put to it there, as they send
 * to the home region's photo-removals queue.
 */
export async function requestAlbumDeletion(detail: AlbumDeletionRequested): Promise<string> {
  const region = process.env.EVENT_BUS_REGION || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("AWS_REGION is not set");
  const EventBusName = busName();
  const { answer, $metadata } = await awsJsonCall({
    service: "events",
    traceName: "EventBridge",
    operation: "PutEvents",
    target: "AWSEvents.PutEvents",
    contentType: "application/x-amz-json-1.1",
    endpoint: endpoint(region),
    region,
    traceInput: { EventBusName },
    body: { Entries: [{ EventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify(detail) }] },
  });
  // PutEvents answers 200 with per-entry failures ("FailedEntryCount"): the one entry's error is this call's.
  const [entry] = (answer.Entries ?? []) as Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  if (!entry?.EventId) throw new AwsServiceError(entry?.ErrorCode ?? "PutEventsFailed", entry?.ErrorMessage ?? "EventBridge accepted no entry", $metadata);
  return entry.EventId;
}
