/**
 * ListShards as Kinesis answers it, over kinesalite's (which ignores ShardFilter, never pages, and throws on a request by
 * NextToken alone): https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ShardFilter.html
 * - MaxResults: 1–10000 ("The minimum value you can specify for this parameter is 1, and the maximum is 10,000"),
 *   default 1000, and "If you specify a value greater than 1000, at most 1000 results are returned";
 * - NextToken: "Don't specify StreamName or StreamCreationTimestamp if you specify NextToken", and ExclusiveStartShardId
 *   "You cannot specify this parameter if you specify NextToken" (InvalidArgumentException); "Tokens expire after 300
 *   seconds … you get ExpiredNextTokenException". A token carries its stream, the request's filter and the last shard
 *   shown, so the next page lists from there under the same filter;
 * - ShardFilter (each Type as API_ShardFilter words it): AFTER_SHARD_ID (the shards after its ShardId), AT_TRIM_HORIZON
 *   (the shards open at the trim horizon), FROM_TRIM_HORIZON (the default: the shards within the retention period —
 *   "This action does not list expired shards"), AT_LATEST (the open shards), AT_TIMESTAMP (start ≤ Timestamp and end ≥
 *   Timestamp or open), FROM_TIMESTAMP (open, or closed at or after Timestamp, "Corrected to TRIM_HORIZON of the data
 *   stream if FROM_TIMESTAMP is less than the TRIM_HORIZON value");
 * - StreamCreationTimestamp tells streams of one name apart: one that is not the stream's names no stream.
 * A shard's start and end are read from kinesalite's sequence numbers (its starting one's shard creation time, its ending
 * one's time), in whole seconds as kinesalite keeps them.
 */
import type { Admin } from "./kinesis-server";
import { KinesisError, NEXT_TOKEN_LIFETIME_MS } from "./kinesis-consumers";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";

/** API_ListShards MaxResults: at most this many shards in one answer, whatever MaxResults says above it. */
export const LIST_SHARDS_DEFAULT_RESULTS = 1000;
const SHARD_FILTER_TYPES = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"] as const;
type ShardFilterType = (typeof SHARD_FILTER_TYPES)[number];

interface ShardFilter {
  Type: ShardFilterType;
  ShardId?: string;
  /** Seconds since the epoch. */
  Timestamp?: number;
}

interface KinesaliteShard {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

/** What a NextToken carries: the stream, its creation (a stream made again under the name is another), the filter, the last shard shown, when it was handed out. */
interface Token {
  stream: string;
  created: number;
  filter?: ShardFilter;
  after: string;
  issued: number;
}

const SHARD_FILTER_VALUES = `[${SHARD_FILTER_TYPES.join(", ")}]`;

/** The request's ShardFilter, checked: the JSON protocol's ValidationException for its Type, InvalidArgumentException for a member its Type does not take. */
function readShardFilter(value: unknown): ShardFilter | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new KinesisError("SerializationException", "ShardFilter must be a structure");
  const { Type, ShardId, Timestamp } = value as Record<string, unknown>;
  if (Type === undefined || Type === null) throw new KinesisError("ValidationException", "1 validation error detected: Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null");
  if (typeof Type !== "string" || !(SHARD_FILTER_TYPES as readonly string[]).includes(Type)) {
    throw new KinesisError("ValidationException", `1 validation error detected: Value '${String(Type)}' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: ${SHARD_FILTER_VALUES}`);
  }
  if (ShardId != null && typeof ShardId !== "string") throw new KinesisError("SerializationException", "ShardFilter.ShardId must be a string");
  // ShardId: "Length Constraints: Minimum length of 1. Maximum length of 128. Pattern: [a-zA-Z0-9_.-]+" (API_ShardFilter),
  // the JSON protocol's ValidationException, worded as kinesalite words ExclusiveStartShardId's.
  if (typeof ShardId === "string") {
    const value = `Value '${ShardId}' at 'shardFilter.shardId' failed to satisfy constraint: Member must`;
    const problems = [
      ...(/^[a-zA-Z0-9_.-]+$/.test(ShardId) ? [] : [`${value} satisfy regular expression pattern: [a-zA-Z0-9_.-]+`]),
      ...(ShardId.length < 1 ? [`${value} have length greater than or equal to 1`] : ShardId.length > 128 ? [`${value} have length less than or equal to 128`] : []),
    ];
    if (problems.length > 0) throw new KinesisError("ValidationException", `${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`);
  }
  const seconds = Timestamp == null ? undefined : typeof Timestamp === "number" ? Timestamp : typeof Timestamp === "string" ? (/^\d+(\.\d+)?$/.test(Timestamp) ? Number(Timestamp) : Date.parse(Timestamp) / 1000) : NaN;
  if (seconds !== undefined && !Number.isFinite(seconds)) throw new KinesisError("SerializationException", "ShardFilter.Timestamp must be a timestamp");
  // "This property can only be used if the AFTER_SHARD_ID shard type is specified" (ShardId); "… if FROM_TIMESTAMP or AT_TIMESTAMP shard types are specified" (Timestamp).
  const byId = Type === "AFTER_SHARD_ID";
  const byTime = Type === "AT_TIMESTAMP" || Type === "FROM_TIMESTAMP";
  if (byId && ShardId == null) throw new KinesisError("InvalidArgumentException", "ShardId must be supplied in a ShardFilter of Type AFTER_SHARD_ID.");
  if (!byId && ShardId != null) throw new KinesisError("InvalidArgumentException", `ShardId can only be used in a ShardFilter of Type AFTER_SHARD_ID, not ${Type}.`);
  if (byTime && seconds === undefined) throw new KinesisError("InvalidArgumentException", `Timestamp must be supplied in a ShardFilter of Type ${Type}.`);
  if (!byTime && seconds !== undefined) throw new KinesisError("InvalidArgumentException", `Timestamp can only be used in a ShardFilter of Type AT_TIMESTAMP or FROM_TIMESTAMP, not ${Type}.`);
  return { Type: Type as ShardFilterType, ...(byId ? { ShardId: ShardId as string } : {}), ...(byTime ? { Timestamp: seconds } : {}) };
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function decodeToken(value: unknown): Token {
  const invalid = () => new KinesisError("InvalidArgumentException", "Invalid NextToken: it is not one a ListShards answer handed out. List by StreamName or StreamARN instead.");
  if (typeof value !== "string") throw invalid();
  try {
    const token = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Token;
    if (typeof token?.stream !== "string" || typeof token.after !== "string" || typeof token.issued !== "number" || typeof token.created !== "number") throw invalid();
    return token;
  } catch {
    throw invalid();
  }
}

/** The stream a NextToken lists (for its request's authorisation); undefined for a token no ListShards answer handed out. */
export function listShardsTokenStream(value: unknown): string | undefined {
  try {
    return decodeToken(value).stream;
  } catch {
    return undefined;
  }
}

/**
 * Answers ListShards. `streamName`: the stream the request names (by StreamName, or by a served StreamARN), if any;
 * `admin`: kinesalite, which checks the members it knows (StreamName, ExclusiveStartShardId, MaxResults,
 * StreamCreationTimestamp) and answers a stream it lacks with ResourceNotFoundException.
 */
export async function listShards(admin: Admin, input: Record<string, unknown>, streamName: string | undefined, now: number): Promise<{ Shards: KinesaliteShard[]; NextToken?: string }> {
  let token: Token | undefined;
  if (input.NextToken != null) {
    // kinesalite's wording for NextToken with StreamName (listShards.js); the others' is not confirmed.
    if (input.StreamName != null) throw new KinesisError("InvalidArgumentException", "NextToken and StreamName cannot be provided together.");
    for (const member of ["ExclusiveStartShardId", "StreamCreationTimestamp"]) {
      if (input[member] != null) throw new KinesisError("InvalidArgumentException", `NextToken and ${member} cannot be provided together: the token names the stream and where the listing goes on.`);
    }
    token = decodeToken(input.NextToken);
    // A StreamARN may come with the token (API_ListShards forbids only StreamName and StreamCreationTimestamp beside it;
    // the KCL sends the token alone, KinesisShardDetector), naming the token's stream.
    if (streamName !== undefined && streamName !== token.stream) throw new KinesisError("InvalidArgumentException", `The NextToken is for stream ${token.stream}, not ${streamName}.`);
    if (now - token.issued >= NEXT_TOKEN_LIFETIME_MS) throw new KinesisError("ExpiredNextTokenException", `The NextToken expired: it is good for ${NEXT_TOKEN_LIFETIME_MS / 1000} seconds. List from the start again.`);
  } else if (streamName === undefined) {
    throw new KinesisError("InvalidArgumentException", "Either NextToken or StreamName should be provided.");
  }
  const name = token?.stream ?? streamName!;
  const filter = token ? token.filter : readShardFilter(input.ShardFilter);
  // kinesalite checks the members' types and ranges (MaxResults 1–10000) with the JSON protocol's ValidationException, and lists after ExclusiveStartShardId.
  const known = Object.fromEntries(["ExclusiveStartShardId", "MaxResults", "StreamCreationTimestamp"].filter((m) => input[m] != null).map((m) => [m, input[m]]));
  const { Shards } = (await admin("ListShards", { StreamName: name, ...known })) as { Shards: KinesaliteShard[] };
  const summary = (await admin("DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary as { StreamCreationTimestamp: number; RetentionPeriodHours: number };
  const created = Math.floor(summary.StreamCreationTimestamp);
  const askedCreation = token ? token.created : input.StreamCreationTimestamp != null ? Math.floor(Number(input.StreamCreationTimestamp)) : undefined;
  if (askedCreation !== undefined && askedCreation !== created) throw new KinesisError("ResourceNotFoundException", `Stream ${name} under account ${MOCK_ACCOUNT_ID} not found.`);
  // db.parseSequence: kinesalite's sequence numbers carry their shard's creation time and their own time (milliseconds, whole seconds).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseSequence } = require("kinesalite/db") as { parseSequence(sequence: string): { shardCreateTime: number; seqTime: number } };
  const start = (s: KinesaliteShard) => parseSequence(s.SequenceNumberRange.StartingSequenceNumber).shardCreateTime / 1000;
  const end = (s: KinesaliteShard) => (s.SequenceNumberRange.EndingSequenceNumber === undefined ? undefined : parseSequence(s.SequenceNumberRange.EndingSequenceNumber).seqTime / 1000);
  const openAtOrAfter = (s: KinesaliteShard, seconds: number) => end(s) === undefined || end(s)! >= seconds;
  // The trim horizon: the oldest time whose records the stream still keeps (its creation, while younger than its retention).
  const trimHorizon = Math.max(now / 1000 - summary.RetentionPeriodHours * 3600, created);
  const kept = (s: KinesaliteShard): boolean => {
    switch (filter?.Type) {
      case "AFTER_SHARD_ID":
        return s.ShardId > filter.ShardId! && openAtOrAfter(s, trimHorizon);
      case "AT_TRIM_HORIZON":
        // At the stream's creation the open shards are the ones it was made with (no parent): kinesalite's whole seconds
        // cannot tell them from a split made in the same second.
        return trimHorizon === created ? !s.ParentShardId : start(s) <= trimHorizon && openAtOrAfter(s, trimHorizon);
      case "AT_LATEST":
        return end(s) === undefined;
      case "AT_TIMESTAMP":
        // Not an expired shard either, for a time before the trim horizon ("This action does not list expired shards").
        return start(s) <= filter.Timestamp! && openAtOrAfter(s, Math.max(filter.Timestamp!, trimHorizon));
      case "FROM_TIMESTAMP":
        return openAtOrAfter(s, Math.max(filter.Timestamp!, trimHorizon));
      default:
        return openAtOrAfter(s, trimHorizon);
    }
  };
  const listed = Shards.filter((s) => (!token || s.ShardId > token.after) && kept(s));
  const limit = Math.min(typeof input.MaxResults === "number" ? input.MaxResults : LIST_SHARDS_DEFAULT_RESULTS, LIST_SHARDS_DEFAULT_RESULTS);
  const page = listed.slice(0, limit);
  if (listed.length <= limit) return { Shards: page };
  return { Shards: page, NextToken: encodeToken({ stream: name, created, ...(filter ? { filter } : {}), after: page[page.length - 1].ShardId, issued: now }) };
}
