/**
 * The gallery API's reads and writes on the `gallery` table (handlers/shared/gallery-keys.ts).
 * Every call takes the owner's `sub` and builds keys under `USER#<sub>`, so one user's
 * request can never address another user's items. Conflicts are conditional writes.
 */
import { DynamoDBClient, type TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  albumItem,
  albumKey,
  albumPhotosPrefix,
  ALBUM_PREFIX,
  GSI1,
  idFromKey,
  photoItem,
  originalKey,
  photoKey,
  userPk,
  type AlbumDeletion,
  type AlbumItem,
  type PhotoItem,
} from "./gallery-keys";
import { conflict, isConditionFailure, logger, notFound, type HttpError } from "./api-http";
import { openCursor, sealCursor, type CursorShape } from "./cursor";
import { traceClient } from "./xray";

let documentClient: DynamoDBDocumentClient | undefined;

export function db(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(retryTransactionConflicts(traceClient(new DynamoDBClient({}))), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/**
 * Has the SDK retry a TransactionConflictException, with the backoff it gives throttling: "A PutItem, UpdateItem, or
 * DeleteItem request for an item conflicts with an ongoing TransactWriteItems request that includes the same item" and
 * "the request fails with a TransactionConflictException" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling):
 * a photo's POST checks its album in a transaction (createPhoto), so DELETE's mark or a PATCH of that album may be
 * refused while it runs, and nothing was written. The SDK v3 does not retry it itself (it is neither modelled
 * retryable nor a throttling or transient error). Marked where the retry middleware (finalizeRequest, high priority)
 * sees the error: a finalizeRequest middleware of low priority runs inside it.
 */
const RETRY_CONFLICTS = "galleryRetryTransactionConflicts";

export function retryTransactionConflicts<C extends DynamoDBClient>(client: C): C {
  client.middlewareStack.remove(RETRY_CONFLICTS);
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if ((error as { name?: string })?.name === "TransactionConflictException") Object.assign(error as object, { $retryable: { throttling: true } });
        throw error;
      }
    },
    { step: "finalizeRequest", priority: "low", name: RETRY_CONFLICTS },
  );
  return client;
}

function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error("TABLE_NAME is not set");
  return name;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, absent on the last one. */
  next?: string;
}

/** Strip the key attributes (and a deletion's execution ARN, the workflow's own): clients see the item, not the table design. */
function publicAlbum(item: AlbumItem): Omit<AlbumItem, "pk" | "sk" | "gsi1pk" | "gsi1sk" | "type" | "deletion"> & { deletion?: Omit<AlbumDeletion, "execution"> } {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, deletion, ...rest } = item;
  if (!deletion) return rest;
  const { execution: _e, ...shown } = deletion;
  return { ...rest, deletion: shown };
}

function publicPhoto(item: PhotoItem): Omit<PhotoItem, "pk" | "sk" | "gsi1pk" | "gsi1sk" | "type" | "expiresAt"> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, expiresAt: _e, ...rest } = item;
  return rest;
}

export type PublicAlbum = ReturnType<typeof publicAlbum>;
export type PublicPhoto = ReturnType<typeof publicPhoto>;

// ------------------------------------------------------------------ albums

/** The owner's albums, newest first (gsi1: `USER#<sub>` / `ALBUM#<createdAt>`). */
export async function listAlbums(sub: string, limit = 50, cursor?: string): Promise<Page<PublicAlbum>> {
  // A GSI query's last key holds the index key and the table key.
  const shape: CursorShape = { list: "albums", owner: sub, attributes: { gsi1pk: userPk(sub), gsi1sk: ALBUM_PREFIX, pk: userPk(sub), sk: ALBUM_PREFIX } };
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: GSI1,
      KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :album)",
      ExpressionAttributeValues: { ":pk": userPk(sub), ":album": ALBUM_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: await openCursor(cursor, shape),
    }),
  );
  return { items: (result.Items as AlbumItem[]).map(publicAlbum), next: await sealCursor(result.LastEvaluatedKey, shape) };
}

/** The owner's album item as stored, or undefined. `consistent`: a strongly consistent read (a write just made is seen). */
async function findAlbumItem(sub: string, albumId: string, consistent = false): Promise<AlbumItem | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: albumKey(sub, albumId), ...(consistent ? { ConsistentRead: true } : {}) }));
  return result.Item as AlbumItem | undefined;
}

export async function getAlbum(sub: string, albumId: string, consistent = false): Promise<PublicAlbum> {
  const item = await findAlbumItem(sub, albumId, consistent);
  if (!item) throw notFound("album");
  return publicAlbum(item);
}

/** The Query of the album's photos, from the owner's partition (the photos' sort keys begin with the album's prefix). */
function albumPhotosQuery(sub: string, albumId: string) {
  return {
    TableName: tableName(),
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: { ":pk": userPk(sub), ":prefix": albumPhotosPrefix(albumId) },
  };
}

export async function createAlbum(sub: string, input: { title: string; description?: string }): Promise<PublicAlbum> {
  const item = albumItem({ sub, ...input });
  try {
    await db().send(new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: "attribute_not_exists(pk)" }));
  } catch (error) {
    if (isConditionFailure(error)) throw conflict("An album with this id already exists");
    throw error;
  }
  return publicAlbum(item);
}

/**
 * Creates the album a client's `Idempotency-Key` names, once: the album id derives from the owner and the key, so a
 * retry (after a timeout, or through another region after a failover) finds the album its first attempt made and
 * answers with it (`replayed`). The same key with a different title or description is the client's mistake (409).
 * Safe under global tables' last-writer-wins: two regions racing on one key write the same item key, so at worst the
 * later copy (same title and description) replaces the earlier; a random id would have left two albums.
 */
export async function createAlbumOnce(sub: string, input: { title: string; description?: string }, idempotencyKey: string): Promise<{ album: PublicAlbum; replayed: boolean }> {
  const albumId = idFromKey(`${sub}\n${idempotencyKey}`);
  const item = albumItem({ sub, ...input, albumId });
  try {
    await db().send(new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: "attribute_not_exists(pk)" }));
    return { album: publicAlbum(item), replayed: false };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await getAlbum(sub, albumId);
  if (existing.title !== input.title || existing.description !== input.description) {
    throw conflict("This Idempotency-Key was used for a different album; use a new key for a new album");
  }
  return { album: existing, replayed: true };
}

export async function updateAlbum(
  sub: string,
  albumId: string,
  input: { title?: string; description?: string; expectedUpdatedAt?: string },
): Promise<PublicAlbum> {
  const names: Record<string, string> = { "#updatedAt": "updatedAt" };
  const values: Record<string, unknown> = { ":now": new Date().toISOString() };
  const sets = ["#updatedAt = :now"];
  for (const field of ["title", "description"] as const) {
    if (input[field] === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = input[field];
    sets.push(`#${field} = :${field}`);
  }
  let condition = "attribute_exists(pk)";
  if (input.expectedUpdatedAt !== undefined) {
    condition += " AND #updatedAt = :expected";
    values[":expected"] = input.expectedUpdatedAt;
  }
  try {
    const result = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: albumKey(sub, albumId),
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return publicAlbum(result.Attributes as AlbumItem);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    await getAlbum(sub, albumId); // 404 when the album is gone
    throw conflict("The album changed since you read it; reload and try again");
  }
}

/**
 * What DELETE of an album did: `deleted` an empty album; `started` its deletion (the album is marked deleting, and the
 * caller puts the AlbumDeletionRequested event); or found it `deleting` already, which the caller answers the same
 * without a second run.
 */
export type AlbumRemoval = { outcome: "deleted" } | { outcome: "deleting"; deletion: AlbumDeletion } | { outcome: "started"; deletion: AlbumDeletion };

/**
 * Deletes an empty album at once. One with photos is marked `deletion: { state: "deleting" }` (the album-deletion
 * workflow then removes its photos, then the album), unless it is already: a deletion that failed is started again.
 *
 * Marked first, empty or not, and only then asked for photos: a photo's POST puts its photo only in a transaction that
 * checks the album is not marked (createPhoto), so a photo this Query does not see was refused. Asked first and
 * deleted after, a photo put in between would outlive the album. The Query is strongly consistent, which reflects
 * "the updates from all prior write operations that were successful"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html), within the
 * region only: another region's replica gets the mark later (docs/events.md).
 *
 * Once the mark is written, every failure but a condition's is answered `started`: the caller puts the event and the
 * workflow deletes the album (an empty one is its first page, empty, then DeleteAlbum). Thrown instead, it would leave
 * the album deleting with no event put and nothing to run it, refusing uploads until a DELETE 10 minutes later. A delete
 * that succeeded but whose answer was lost costs an execution that finds the album gone (NotMine).
 */
export async function deleteAlbum(sub: string, albumId: string): Promise<AlbumRemoval> {
  const started = await markDeleting(sub, albumId, ALBUM_LIVE);
  if (!started) {
    // Consistent: the mark to judge is the one the condition just saw. A read of its own, not the refused write's
    // ReturnValuesOnConditionCheckFailure ALL_OLD (the exception's `Item`), which would save this call: the local
    // DynamoDB, dynalite 4.0.0, ignores that parameter (it accepts any value) and its ConditionalCheckFailedException
    // carries no Item (architect/dynalite#182, open), so npm start and the tests would run another path than AWS.
    const found = await findAlbumItem(sub, albumId, true);
    if (!found) throw notFound("album");
    return deleting(found.deletion!);
  }
  try {
    const photos = await db().send(
      new QueryCommand({
        ...albumPhotosQuery(sub, albumId),
        Limit: 1,
        ProjectionExpression: "sk",
        // Every put that returned before the mark was made is seen.
        ConsistentRead: true,
      }),
    );
    if ((photos.Items?.length ?? 0) > 0) return started;
    // Only this very mark, still unclaimed: no event was put for it, so nothing else may act on it.
    const mark = sameMark(started.deletion);
    await db().send(
      new DeleteCommand({ TableName: tableName(), Key: albumKey(sub, albumId), ConditionExpression: mark.condition, ExpressionAttributeNames: mark.names, ExpressionAttributeValues: mark.values }),
    );
    return { outcome: "deleted" };
  } catch (error) {
    if (!isConditionFailure(error)) {
      logger.warn("the album's look for photos or delete failed after its mark; handed to the workflow", { albumId, error: error as Error });
      return started;
    }
    // Gone, or marked anew since (a DELETE beside this one): its own answer stands; this one answers as for a deletion under way.
    return deleting(started.deletion);
  }
}

const deleting = (deletion: AlbumDeletion): AlbumRemoval => ({ outcome: "deleting", deletion });

/** A condition expression with its own attribute names and values (DynamoDB refuses a name or value it does not use). */
type Condition = { condition: string; names: Record<string, string>; values: Record<string, string> };

/** The album is there and not being deleted (a deletion that failed is not under way): what DELETE marks, and what a photo's put checks. */
const ALBUM_LIVE: Condition = {
  condition: "attribute_exists(pk) AND (attribute_not_exists(deletion) OR deletion.#state <> :deleting)",
  names: { "#state": "state" },
  values: { ":deleting": "deleting" },
};

/**
 * The condition that the album's deletion is still `deletion`, the very mark a caller read or wrote: deleting, and
 * claimed by the same execution, or (when none had claimed it) still unclaimed and requested at the same moment.
 */
function sameMark(deletion: AlbumDeletion): Condition {
  const same = deletion.execution
    ? { condition: "deletion.#execution = :mark", values: { ":mark": deletion.execution } }
    : { condition: "attribute_not_exists(deletion.#execution) AND deletion.requestedAt = :mark", values: { ":mark": deletion.requestedAt } };
  return {
    condition: `deletion.#state = :deleting AND ${same.condition}`,
    names: { "#state": "state", "#execution": "execution" },
    values: { ":deleting": "deleting", ...same.values },
  };
}

/**
 * How long a deletion may stay marked with no execution claiming it, or claimed by one that has ended, before DELETE
 * starts it over: the rule's delivery and Claim take seconds (a hand-off's next execution claims from the one that
 * ended); one still undelivered after this is most likely in the rule's dead-letter queue (a second event is
 * harmless: the execution that loses the claim ends in NotMine).
 */
export const UNCLAIMED_DELETION_MS = 10 * 60_000;

/**
 * Starts over a deletion no execution is running any more (the caller asked Step Functions: stopped, failed where no
 * Catch applies, or never claimed within UNCLAIMED_DELETION_MS): marks it anew, only if it is still that very mark
 * (its execution, or its requestedAt when none claimed it), and answers as deleteAlbum does. A DELETE that lost the
 * race to another answers `deleting`.
 */
export async function restartAlbumDeletion(sub: string, albumId: string, stale: AlbumDeletion): Promise<AlbumRemoval> {
  return (await markDeleting(sub, albumId, sameMark(stale))) ?? deleting(stale);
}

/** Marks the album deleting anew (no execution yet) when `condition` holds; undefined when it does not. */
async function markDeleting(sub: string, albumId: string, { condition, names, values }: Condition): Promise<Extract<AlbumRemoval, { outcome: "started" }> | undefined> {
  const deletion: AlbumDeletion = { state: "deleting", requestedAt: new Date().toISOString() };
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: albumKey(sub, albumId),
        UpdateExpression: "SET deletion = :deletion",
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ":deletion": deletion, ...values },
      }),
    );
    return { outcome: "started", deletion };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return undefined;
  }
}

/**
 * Marks the deletion `started` failed when its event could not be put (no workflow will run for it), so the album does
 * not stay deleting for ever: DELETE starts it again. Only that very deletion (its `requestedAt`): one started since stays.
 * And only while no execution has claimed it (`started` names none): PutEvents may have failed after EventBridge took
 * the event (a timed-out answer), and a deletion running must not read as failed, or the next DELETE would start a
 * second one beside it.
 */
export async function failAlbumDeletion(sub: string, albumId: string, started: AlbumDeletion, error: string): Promise<void> {
  const mark = sameMark({ state: started.state, requestedAt: started.requestedAt });
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: albumKey(sub, albumId),
        UpdateExpression: "SET deletion.#state = :failed, deletion.#error = :error",
        ConditionExpression: mark.condition,
        ExpressionAttributeNames: { ...mark.names, "#error": "error" },
        ExpressionAttributeValues: { ...mark.values, ":failed": "failed", ":error": error },
      }),
    );
  } catch (failure) {
    if (!isConditionFailure(failure)) throw failure;
  }
}

// ------------------------------------------------------------------ photos

/** The album's photos, by id (time-sortable), from the owner's partition. */
export async function listPhotos(sub: string, albumId: string, limit = 100, cursor?: string): Promise<Page<PublicPhoto>> {
  const shape: CursorShape = { list: `photos#${albumId}`, owner: sub, attributes: { pk: userPk(sub), sk: albumPhotosPrefix(albumId) } };
  const exclusiveStartKey = await openCursor(cursor, shape);
  await getAlbum(sub, albumId);
  const result = await db().send(
    new QueryCommand({
      ...albumPhotosQuery(sub, albumId),
      Limit: limit,
      ExclusiveStartKey: exclusiveStartKey,
    }),
  );
  return { items: (result.Items as PhotoItem[]).map(publicPhoto), next: await sealCursor(result.LastEvaluatedKey, shape) };
}

/** The owner's photo item; 404 when there is none. `consistent`: a strongly consistent read (a delete names what it read). */
export async function getPhotoItem(sub: string, albumId: string, photoId: string, consistent = false): Promise<PhotoItem> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: photoKey(sub, albumId, photoId), ...(consistent ? { ConsistentRead: true } : {}) }));
  if (!result.Item) throw notFound("photo");
  return result.Item as PhotoItem;
}

export const toPublicPhoto = publicPhoto;

/** A pending photo in an album the owner has; `objectKey` is where the original is uploaded. */
export async function createPhoto(sub: string, albumId: string, input: { title?: string; contentType: string; size: number }): Promise<PhotoItem> {
  const draft = photoItem({ sub, albumId, objectKey: "", ...input });
  const item: PhotoItem = { ...draft, objectKey: originalKey(sub, albumId, draft.photoId, input.contentType) };
  for (let attempt = 1; ; attempt++) {
    const refusal = await putPhotoInLiveAlbum(sub, item);
    if (!refusal) return item;
    if (!("retry" in refusal)) throw refusal;
    if (attempt >= PHOTO_PUT_ATTEMPTS) throw refusal.retry === "conflict" ? conflict("The album was being changed; try again") : refusal.error;
    await photoPutRetry.pause(attempt);
  }
}

/**
 * How many times createPhoto tries its transaction when another request on the album cancelled it (TransactionConflict),
 * or capacity did (ThrottlingError, ProvisionedThroughputExceeded: the SDK retries no TransactionCanceledException).
 */
export const PHOTO_PUT_ATTEMPTS = 3;

/**
 * The pause before createPhoto's next attempt, after its `attempt`th was cancelled: jittered (0–50 ms times the
 * attempt), so two POSTs that cancelled each other do not meet again. Held in an object so a test replaces it
 * (vi.spyOn) instead of sleeping.
 */
export const photoPutRetry = {
  pause: (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt)),
};

/**
 * The photo's put and a check of its album, in one TransactWriteItems: the photo is written only if, at that moment,
 * the album exists and is not being deleted. "The actions are completed atomically so that either all of them succeed,
 * or all of them fail"; a ConditionCheck and a Put on two items of one table is what it is for ("These actions can
 * target items in different tables ... no two actions can target the same item",
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html), and a transaction is
 * serializable with every PutItem, UpdateItem, DeleteItem and GetItem
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-isolation). So a
 * photo is put before the album's deletion mark, and the deletion's Query (strongly consistent, run after the mark:
 * DELETE's look for photos, then every page of the workflow) reads it; or after, and it is refused with nothing
 * written. A refused POST leaves no photo item behind, and the route needs no GetItem and no DeleteItem.
 *
 * IAM: each action is authorised as its own ("Permissions for Put ... are governed by the permissions used for the
 * underlying PutItem ... For the ConditionCheck action, you can use the dynamodb:ConditionCheckItem permission",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html): the route holds
 * dynamodb:ConditionCheckItem and dynamodb:PutItem on the table (index.ts).
 *
 * A cancellation (TransactionCanceledException) carries one CancellationReason per action, in request order
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html); the SDK v3 exposes
 * them as the error's `CancellationReasons`. The album's ConditionalCheckFailed with its `Item` (its
 * ReturnValuesOnConditionCheckFailure is ALL_OLD) is an album being deleted, without one an album that is not there;
 * the photo's, a photo id already taken. TransactionConflict (another transaction on the album, e.g. a second POST
 * to it, was under way; "If that request fails, AWS SDKs do not retry the request", transaction-apis.html) is
 * "conflict", for the caller to try again. The other way round, a PutItem, UpdateItem or DeleteItem of the album while
 * the transaction runs fails TransactionConflictException (same page), which this module's client retries
 * (retryTransactionConflicts); the album-deletion workflow's states retry every error, the counters' stream batch too.
 *
 * Idempotent across the SDK's own retries (a 500, a timeout): the SDK fills the request's ClientRequestToken once, before
 * retrying, so an attempt that committed but whose answer was lost is answered as a success, not cancelled on the
 * photo's attribute_not_exists as a taken id ("multiple identical calls have the same effect as one single call", for 10
 * minutes, API_TransactWriteItems.html; tests/handlers/gallery-store-conflicts.test.ts). createPhoto's own attempts
 * follow only a cancellation, which wrote nothing, so each may take a token of its own.
 *
 * Within one region only: "Transactional operations provide ACID guarantees only within the region where the write is
 * made originally. Transactions are not supported across regions in global tables" (transaction-apis.html). In another
 * region the ConditionCheck reads that region's replica, which the home region's mark reaches later: a photo put there
 * meanwhile may reach the home region after the deletion's last page (docs/events.md).
 */
async function putPhotoInLiveAlbum(sub: string, item: PhotoItem): Promise<HttpError | PhotoPutRetry | undefined> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName(),
              Key: albumKey(sub, item.albumId),
              ConditionExpression: ALBUM_LIVE.condition,
              ExpressionAttributeNames: ALBUM_LIVE.names,
              ExpressionAttributeValues: ALBUM_LIVE.values,
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          { Put: { TableName: tableName(), Item: item, ConditionExpression: "attribute_not_exists(pk)" } },
        ],
      }),
    );
    return undefined;
  } catch (error) {
    if ((error as { name?: string })?.name !== "TransactionCanceledException") throw error;
    const [album, photo] = (error as TransactionCanceledException).CancellationReasons ?? [];
    if (album?.Code === CONDITION_FAILED) return album.Item ? conflict("The album is being deleted") : notFound("album");
    if (photo?.Code === CONDITION_FAILED) return conflict("A photo with this id already exists");
    const codes = [album?.Code, photo?.Code];
    if (codes.includes("TransactionConflict")) return { retry: "conflict" };
    if (codes.some((code) => code !== undefined && CAPACITY_CODES.has(code))) return { retry: "throttled", error };
    throw error;
  }
}

/** A cancelled transaction createPhoto tries again: another request's (a 409 if the last), or capacity's (its error, a 500, if the last). */
type PhotoPutRetry = { retry: "conflict" } | { retry: "throttled"; error: unknown };

/**
 * CancellationReason codes for capacity ("There is insufficient provisioned capacity for the transaction to be
 * completed", TransactionCanceledException; codes ThrottlingError and ProvisionedThroughputExceeded, as the SDK's
 * TransactionCanceledException documents them, @aws-sdk/client-dynamodb models/errors.d.ts, and
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html): worth another attempt.
 * "None" (an action that did not fail) and any other code are not: the latter is thrown, a 500.
 */
const CAPACITY_CODES = new Set(["ThrottlingError", "ProvisionedThroughputExceeded"]);

/** A CancellationReason's Code for an action whose condition did not hold. */
const CONDITION_FAILED = "ConditionalCheckFailed";

/** Retitles a photo; its status is the thumbnail function's to set (handlers/thumbnail). */
export async function updatePhoto(sub: string, albumId: string, photoId: string, input: { title: string }): Promise<PhotoItem> {
  try {
    const result = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: photoKey(sub, albumId, photoId),
        UpdateExpression: "SET #title = :title",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#title": "title" },
        ExpressionAttributeValues: { ":title": input.title },
        ReturnValues: "ALL_NEW",
      }),
    );
    return result.Attributes as PhotoItem;
  } catch (error) {
    if (isConditionFailure(error)) throw notFound("photo");
    throw error;
  }
}

/**
 * Deletes the photo if it is still as `item` was read: same status (a photo's thumbnails are set with its status, by
 * handlers/thumbnail), so the objects the caller named for removal are all it has. False when it changed or is gone.
 */
export async function deletePhotoAsRead(item: Pick<PhotoItem, "pk" | "sk" | "status">): Promise<boolean> {
  try {
    await db().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: { pk: item.pk, sk: item.sk },
        ConditionExpression: "attribute_exists(pk) AND #status = :status",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":status": item.status },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
