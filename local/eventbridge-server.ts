/**
 * A local EventBridge endpoint for the program's EventBuses: PutEvents (and TestEventPattern, by the same matcher) in
 * EventBridge's JSON protocol (awsJson1_1: a POST with `X-Amz-Target: AWSEvents.PutEvents` and a JSON body, what
 * @aws-sdk/client-eventbridge speaks), each request checked for a SigV4 signature with the functions' local
 * credentials and authorised as events:PutEvents on the bus, as EventBridge does. Each accepted entry becomes an
 * EventBridge event (version, id, detail-type, source, account, time, region, resources, detail) and goes to every rule
 * of its bus whose pattern it matches (local/event-pattern.ts), through the rule's `deliver` (local/services/event-buses.ts:
 * Lambda's asynchronous invocation). A request never crashes the runtime: whatever goes wrong is answered as an error.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EVENT_PATTERN_LIMITS, eventPatternProblem } from "../components/event-bus/event-pattern";
import { DEFAULT_EVENT_BUS_NAME } from "../components/event-bus/spec";
import { matchesEventPattern, wildcardProblem } from "./event-pattern";
import type { Authorise } from "./function-roles";
import { readBody } from "./http";
import { jsonDepth } from "./json-depth";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import * as sigv4 from "./sigv4-verify";
import type { SigV4Credentials } from "./sigv4-verify";

/** The event a rule's target receives (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html). */
export interface EventBridgeEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface LocalRule {
  /** The rule's ARN, for logs and the dead-letter queue's attributes. */
  arn: string;
  pattern: Record<string, unknown>;
  deliver(event: EventBridgeEvent): void;
}

export interface LocalBusDefinition {
  name: string;
  arn: string;
  region: string;
  account: string;
  rules: LocalRule[];
}

/**
 * When EventBridge received each event, for an input transformer's <aws.events.event.ingestion-time> ("The time at
 * which the event was received by EventBridge", eb-transform-target-input.html): not the event's `time`, which is the
 * entry's own Time when it gives one. Kept beside the event, whose envelope has no such field.
 */
const ingestionTimes = new WeakMap<EventBridgeEvent, string>();

/** The ISO 8601 time EventBridge received `event` (its `time` for an event this module did not make). */
export function ingestionTime(event: EventBridgeEvent): string {
  return ingestionTimes.get(event) ?? event.time;
}

/** The account's own bus in each region: the component's name for it. */
const DEFAULT_BUS = DEFAULT_EVENT_BUS_NAME;

/** A failure of the whole request, as awsJson1_1 answers it: `{ "__type": code, "message": … }`. */
export class EventBridgeError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = code;
  }
}

/**
 * PutEvents: 1–10 entries ("Entries … Array Members: Minimum number of 1 item. Maximum number of 10 items", API_PutEvents);
 * entries together under 256 KB as EventBridge measures them (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html:
 * Time 14 bytes when given, Source, DetailType, Detail and each Resources entry their UTF-8 bytes).
 */
export const PUT_EVENTS_LIMITS = {
  entries: 10,
  bytes: 256 * 1024,
  /**
   * A Detail's deepest nesting (jsonDepth). PutEvents "will only process nested JSON up to 1000 levels deep" (API_PutEvents
   * as AWS serves it now, and the current SDKs' copies; older copies, boto3 1.33 and docs.amazonaws.cn, say 1100): a
   * Detail nested deeper is refused as MalformedDetail here (AWS's answer, and whether its count starts at the Detail or
   * the request, are not documented), which also keeps the recursive matching and serialising of a hostile Detail (tens
   * of thousands of levels) from overflowing the stack.
   */
  nesting: 1000,
  /** "DetailType … Free-form string, with a maximum of 128 characters" (API_PutEventsRequestEntry). */
  detailTypeCharacters: 128,
} as const;

/** A body larger than every request PutEvents takes is refused before it is parsed. */
const LARGEST_REQUEST_BYTES = 1024 * 1024;

export interface PutEventsRequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** EventBridge's size of an entry (eb-putevent-size.html). */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources.reduce((sum: number, r) => sum + bytes(r), 0) : 0;
  return (entry.Time !== undefined && entry.Time !== null ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + resources;
}

/** The buses, PutEvents and pattern matching, without HTTP (tests use it directly). */
export class LocalEventBridge {
  private readonly buses: LocalBusDefinition[];
  /** The account of the buses (every one of the program's is the recorded account): the default buses' ARNs name it. */
  private readonly account: string;

  constructor(buses: LocalBusDefinition[], private readonly now: () => number = Date.now) {
    // A wildcard EventBridge refuses (`**`, an escape other than \* or \\) fails PutRule at deploy: here, at start.
    for (const rule of buses.flatMap((bus) => bus.rules)) {
      const problem = wildcardProblem(rule.pattern);
      if (problem) throw new Error(`EventBridge refuses the pattern of ${rule.arn}: ${problem} (eb-create-pattern-operators.html, "Wildcard matching")`);
    }
    this.buses = buses;
    this.account = buses[0]?.account ?? MOCK_ACCOUNT_ID;
  }

  /**
   * The bus an EventBusName names (its name or ARN); undefined for one not served locally. `default` (or an omitted
   * name, or the default bus's ARN in the request's region) is always the request's region's default bus, as every
   * region has its own in AWS: the program's DefaultEventBus rules of that region, or a bus with no rules, where
   * entries are accepted and match nothing. Another name is looked up among the program's buses of the request's region
   * only (a bus is regional; its name finds it in its own region), an ARN as given; a bus of that name in another region
   * is not found. Without a region (a caller in this process), the first of that name.
   */
  bus(reference: unknown, region?: string): LocalBusDefinition | undefined {
    const given = typeof reference === "string" && reference !== "" ? reference : DEFAULT_BUS;
    const defaultRegion = region ?? this.buses.find((bus) => bus.name === DEFAULT_BUS)?.region ?? "us-east-1";
    const defaultArn = this.defaultBusArn(defaultRegion);
    if (given === DEFAULT_BUS || given === defaultArn) {
      return this.buses.find((bus) => bus.name === DEFAULT_BUS && bus.arn === defaultArn) ?? { name: DEFAULT_BUS, arn: defaultArn, region: defaultRegion, account: this.account, rules: [] };
    }
    const named = this.buses.filter((bus) => bus.name === given || bus.arn === given);
    return named.find((bus) => region === undefined || bus.region === region || bus.arn === given);
  }

  /** The ARN PutEvents is authorised on for an entry: the bus's (the default bus's of the request's region), else the name as given in that region. */
  busArn(reference: unknown, region?: string): string {
    const given = typeof reference === "string" && reference !== "" ? reference : DEFAULT_BUS;
    if (given.startsWith("arn:")) return given;
    const bus = this.bus(given, region);
    return bus ? bus.arn : `arn:aws:events:${region ?? this.buses[0]?.region ?? "us-east-1"}:${this.account}:event-bus/${given}`;
  }

  /** arn:aws:events:<region>:<account>:event-bus/default (eb-manage-iam-access.html). */
  private defaultBusArn(region: string): string {
    return `arn:aws:events:${region}:${this.account}:event-bus/${DEFAULT_BUS}`;
  }

  /**
   * An AWS service's event (S3's "Object Created", ...) on the default bus of its region: to every rule there whose
   * pattern it matches (none where the program has no DefaultEventBus rules in that region), as in AWS.
   */
  putServiceEvent(event: EventBridgeEvent): number {
    if (!ingestionTimes.has(event)) ingestionTimes.set(event, eventTime(undefined, this.now()));
    const bus = this.bus(DEFAULT_BUS, event.region);
    const rules = bus?.rules.filter((rule) => matchesEventPattern(rule.pattern, event)) ?? [];
    for (const rule of rules) rule.deliver(event);
    return rules.length;
  }

  /**
   * Checks the request as a whole (SerializationException for a member of the wrong JSON type, ValidationException),
   * then each entry (its own ErrorCode), and only then delivers the entries accepted: a request is answered as a whole,
   * so a refusal never follows a delivery (the SDK retries an error, which would deliver those entries again).
   */
  putEvents(entries: unknown, region?: string): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
    // The API model's constraints on Entries ("Array Members: Minimum number of 1 item. Maximum number of 10 items"),
    // worded as the JSON protocol's validation errors are.
    if (!Array.isArray(entries)) throw new EventBridgeError("ValidationException", "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");
    if (entries.length === 0) throw new EventBridgeError("ValidationException", "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (entries.length > PUT_EVENTS_LIMITS.entries) {
      throw new EventBridgeError("ValidationException", `1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${PUT_EVENTS_LIMITS.entries}`);
    }
    checkEntryTypes(entries);
    const total = entries.reduce((sum: number, entry) => sum + entrySize(entry ?? {}), 0);
    if (total > PUT_EVENTS_LIMITS.bytes) throw new EventBridgeError("ValidationException", "Total size of the entries in the request is over the limit.");
    // "Detail, DetailType, and Source are required for EventBridge to successfully send an event to an event bus. If you
    // include event entries in a request that do not include each of those properties, EventBridge fails that entry. If
    // you submit a request in which none of the entries have each of these properties, EventBridge fails the entire
    // request" (API_PutEventsRequestEntry). AWS's code and wording for the whole request's failure are not documented:
    // a ValidationException here, as for the request's other constraints.
    if (entries.every((entry) => missingField(entry ?? {}) !== undefined)) {
      throw new EventBridgeError("ValidationException", "No entry of the request has Source, DetailType and Detail: each entry needs all three (PutEventsRequestEntry)");
    }
    const accepted = entries.map((entry) => this.entryEvent(entry ?? {}, region));
    // Every entry's rules are matched before the first delivery: a matcher that throws answers the request as an
    // error with nothing delivered, never after some entries went out (the SDK would retry and deliver them twice).
    const matched = accepted.flatMap(({ event, bus }) => (event && bus ? bus.rules.filter((rule) => matchesEventPattern(rule.pattern, event)).map((rule) => ({ rule, event })) : []));
    for (const { rule, event } of matched) rule.deliver(event);
    const results = accepted.map(({ result }) => result);
    return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
  }

  /**
   * TestEventPattern (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html): whether
   * `event` matches `eventPattern`, both JSON text, by the matcher the rules use (matchesEventPattern) after the checks
   * PutRule makes of a pattern (components/event-bus/event-pattern.ts eventPatternProblem, the quota's most: 4096):
   * - EventPattern: "Length Constraints: Maximum length of 4096", the protocol's ValidationException; a pattern
   *   EventBridge refuses is InvalidEventPatternException, "Event pattern is not valid. Reason: …".
   * - Event: "the following fields are mandatory: id, account, source, time, region, resources, detail-type": an event
   *   without them, or not a JSON object, is ValidationException "Parameter Event is not valid." (the code and message
   *   AWS answers, as reported by users of the API; LocalStack's provider notes that AWS does not in fact insist on
   *   `resources`, unconfirmed: it is required here, as documented, so nothing passes locally that AWS may refuse).
   * An Event nested deeper than PutEvents processes is refused alike (AWS's answer to it is not documented), which keeps
   * the matcher's recursion bounded.
   */
  testEventPattern(eventPattern: unknown, event: unknown): { Result: boolean } {
    // Both required strings (TestEventPatternRequest): an absent or null one is the protocol's "must not be null", one of
    // another JSON type its SerializationException, as checkEntryTypes answers PutEvents' members (wording not AWS's).
    for (const [member, value] of [["EventPattern", eventPattern], ["Event", event]] as const) {
      if (value === undefined || value === null) throw new EventBridgeError("ValidationException", `1 validation error detected: Value null at '${member[0].toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`);
      if (typeof value !== "string") throw new EventBridgeError("SerializationException", `${member}: expected a string`);
    }
    const patternText = eventPattern as string;
    if ([...patternText].length > EVENT_PATTERN_LIMITS.maxCharacters) {
      throw new EventBridgeError("ValidationException", `1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to ${EVENT_PATTERN_LIMITS.maxCharacters}`);
    }
    let pattern: unknown;
    try {
      pattern = JSON.parse(patternText);
    } catch {
      throw new EventBridgeError("InvalidEventPatternException", "Event pattern is not valid. Reason: it is not JSON");
    }
    const problem = eventPatternProblem(pattern, EVENT_PATTERN_LIMITS.maxCharacters);
    if (problem) throw new EventBridgeError("InvalidEventPatternException", `Event pattern is not valid. Reason: the pattern ${problem}`);
    const invalidEvent = (reason?: string) => new EventBridgeError("ValidationException", `Parameter Event is not valid.${reason ? ` Reason: ${reason}` : ""}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(event as string);
    } catch {
      throw invalidEvent();
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalidEvent();
    const missing = TEST_EVENT_FIELDS.find((field) => !Object.hasOwn(parsed as object, field));
    if (missing) throw invalidEvent(`Provided Event is missing required field ${missing}.`);
    if (jsonDepth(event as string) > PUT_EVENTS_LIMITS.nesting) throw invalidEvent(`Provided Event is nested deeper than ${PUT_EVENTS_LIMITS.nesting} levels.`);
    return { Result: matchesEventPattern(pattern as Record<string, unknown>, parsed) };
  }

  /** An entry's event and bus, or its error; nothing is delivered here. */
  private entryEvent(entry: PutEventsRequestEntry, region?: string): { result: PutEventsResultEntry; event?: EventBridgeEvent; bus?: LocalBusDefinition } {
    // The messages moto and LocalStack answer (AWS's API reference names no codes): InvalidArgument for a missing
    // field, MalformedDetail for a Detail that is not a JSON object.
    const missing = missingField(entry);
    if (missing) return { result: { ErrorCode: "InvalidArgument", ErrorMessage: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.` } };
    // DetailType: "Free-form string, with a maximum of 128 characters" (API_PutEventsRequestEntry). The API's model sets
    // no length constraint on it, so it is the service's check of the entry, not the protocol's of the request: that
    // entry's InvalidArgument (the message is not AWS's, which is not confirmed).
    if ([...(entry.DetailType as string)].length > PUT_EVENTS_LIMITS.detailTypeCharacters) {
      return { result: { ErrorCode: "InvalidArgument", ErrorMessage: `Parameter DetailType is not valid. Reason: DetailType is longer than ${PUT_EVENTS_LIMITS.detailTypeCharacters} characters.` } };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== "object" || detail === null || Array.isArray(detail) || jsonDepth(entry.Detail as string) > PUT_EVENTS_LIMITS.nesting) {
      return { result: { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." } };
    }
    // AWS services' sources are theirs: "NotAuthorizedForSourceException: You do not have permissions to publish
    // events with this source onto this event bus" (API_PutEventsResultEntry ErrorCode), for a Source starting with
    // "aws." (the message here is moto's and LocalStack's; AWS's wording is not confirmed).
    if ((entry.Source as string).startsWith("aws.")) return { result: { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." } };
    const bus = this.bus(entry.EventBusName, region);
    // checkEntryTypes made EventBusName a string or nothing.
    if (!bus) return { result: { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${typeof entry.EventBusName === "string" && entry.EventBusName !== "" ? entry.EventBusName : DEFAULT_BUS} does not exist.` } };
    const event: EventBridgeEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.DetailType as string,
      source: entry.Source as string,
      account: bus.account,
      time: eventTime(entry.Time, this.now()),
      region: bus.region,
      resources: Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [],
      detail: detail as Record<string, unknown>,
    };
    ingestionTimes.set(event, eventTime(undefined, this.now()));
    return { result: { EventId: event.id }, event, bus };
  }
}

/** The fields TestEventPattern's Event must have (API_TestEventPattern). */
const TEST_EVENT_FIELDS = ["id", "account", "source", "time", "region", "resources", "detail-type"] as const;

/** The first of the fields every entry needs (Source, DetailType, Detail) that `entry` lacks (absent or empty). */
function missingField(entry: PutEventsRequestEntry): "Source" | "DetailType" | "Detail" | undefined {
  return (["Source", "DetailType", "Detail"] as const).find((field) => typeof entry[field] !== "string" || entry[field] === "");
}

/** The largest time a JavaScript Date holds, in ms either side of 1970 (ECMA-262 "Time Values and Time Range"). */
const LARGEST_TIME_MS = 8.64e15;

/**
 * Each entry's members of the JSON types PutEventsRequestEntry declares (API_PutEventsRequestEntry: Source, DetailType,
 * Detail, EventBusName, TraceHeader strings; Resources a list of strings; Time a timestamp, which awsJson1_1 sends as
 * epoch seconds): another type is refused for the whole request with 400 SerializationException, as the JSON protocol
 * refuses a body it cannot read (the wording is not AWS's, which is not confirmed). A Time no date can hold is refused
 * alike. A null member counts as absent; a null entry is an entry without fields (refused on its own).
 */
function checkEntryTypes(entries: unknown[]): void {
  const refuse = (index: number, member: string, expected: string) => {
    throw new EventBridgeError("SerializationException", `Entries[${index}].${member}: expected ${expected}`);
  };
  entries.forEach((entry, index) => {
    if (entry === null || entry === undefined) return;
    if (typeof entry !== "object" || Array.isArray(entry)) return refuse(index, "", "a PutEventsRequestEntry object");
    const fields = entry as Record<string, unknown>;
    const given = (member: string) => Object.hasOwn(fields, member) && fields[member] !== null && fields[member] !== undefined;
    for (const member of ["Source", "DetailType", "Detail", "EventBusName", "TraceHeader"]) if (given(member) && typeof fields[member] !== "string") refuse(index, member, "a string");
    if (given("Resources") && !(Array.isArray(fields.Resources) && fields.Resources.every((r) => typeof r === "string"))) refuse(index, "Resources", "a list of strings");
    // A string the SDK never sends: read as ISO 8601 when it parses, else the event is stamped now (as before).
    const time = fields.Time;
    if (given("Time") && (typeof time === "number" ? timeMs(time) === undefined : typeof time !== "string")) refuse(index, "Time", "a timestamp (epoch seconds)");
  });
}

/** An entry's Time in ms: epoch seconds as the SDK sends a Date, or an ISO string; undefined when no Date holds it. */
function timeMs(time: unknown): number | undefined {
  const ms = typeof time === "number" ? time * 1000 : typeof time === "string" ? Date.parse(time) : Number.NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= LARGEST_TIME_MS ? ms : undefined;
}

/** An entry's Time as the event's `time`, to the second; now when it gives none (never throws: timeMs bounds it). */
function eventTime(time: unknown, now: number): string {
  return new Date(timeMs(time) ?? now).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface LocalEventBridgeServerOptions {
  buses: LocalBusDefinition[];
  /** Accepted signing credentials. @default [LOCAL_CREDENTIALS] */
  credentials?: readonly SigV4Credentials[];
  /** IAM's answer for a function's request (events:PutEvents on the bus). */
  authorise?: Authorise;
  now?: () => number;
}

export interface LocalEventBridgeServer {
  endpoint: string;
  eventBridge: LocalEventBridge;
  stop(): Promise<void>;
}

export async function startLocalEventBridge(options: LocalEventBridgeServerOptions): Promise<LocalEventBridgeServer> {
  const eventBridge = new LocalEventBridge(options.buses, options.now);
  const credentials = options.credentials ?? [sigv4.LOCAL_CREDENTIALS];
  const server = createServer((request, response) => {
    answer(eventBridge, credentials, options.authorise, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, eventBridge, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function answer(eventBridge: LocalEventBridge, credentials: readonly SigV4Credentials[], authorise: Authorise | undefined, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
    response.end(JSON.stringify(body));
  };
  try {
    const body = await readBody(request, LARGEST_REQUEST_BYTES);
    if (body.length > LARGEST_REQUEST_BYTES) throw new EventBridgeError("RequestEntityTooLarge", `The request is larger than ${LARGEST_REQUEST_BYTES} bytes`, 413);
    const verdict = await sigv4.verifySignedHeaders(request, body, { service: "events", credentials });
    if (!verdict.ok) {
      const failure = sigv4.jsonProtocolFailure(verdict.failure);
      throw new EventBridgeError(failure.code, failure.message, failure.status);
    }
    const accessKeyId = verdict.signer.accessKeyId;
    const target = sigv4.header(request.headers, "x-amz-target");
    if (target !== "AWSEvents.PutEvents" && target !== "AWSEvents.TestEventPattern") {
      throw new EventBridgeError("UnknownOperationException", `The local EventBridge endpoint answers AWSEvents.PutEvents and AWSEvents.TestEventPattern, not ${target ?? "(no X-Amz-Target)"}`);
    }
    let input: { Entries?: unknown; EventPattern?: unknown; Event?: unknown };
    try {
      input = JSON.parse(body.toString("utf8"));
    } catch {
      throw new EventBridgeError("SerializationException", "The request body is not JSON");
    }
    if (target === "AWSEvents.TestEventPattern") {
      // IAM: events:TestEventPattern, which names no resource, so it is asked of "*" (the resource-less reading of
      // list_amazoneventbridge.html's Actions table; that the action has no resource type there is not confirmed).
      const refused = authorise?.(accessKeyId, "events:TestEventPattern", "*");
      if (refused) throw new EventBridgeError("AccessDeniedException", `User: ${refused.caller} is not authorized to perform: events:TestEventPattern on resource: * ${refused.reason}`);
      return reply(200, eventBridge.testEventPattern(input?.EventPattern, input?.Event));
    }
    // The members' types first (the protocol's refusal), then IAM for each bus the entries name, before any entry is
    // put (EventBridge refuses the whole request).
    if (Array.isArray(input?.Entries)) checkEntryTypes(input.Entries);
    const entries = Array.isArray(input?.Entries) ? (input.Entries as PutEventsRequestEntry[]) : [];
    const region = verdict.signer.region;
    for (const arn of new Set(entries.map((entry) => eventBridge.busArn(entry?.EventBusName, region)))) {
      const refused = authorise?.(accessKeyId, "events:PutEvents", arn);
      if (refused) throw new EventBridgeError("AccessDeniedException", `User: ${refused.caller} is not authorized to perform: events:PutEvents on resource: ${arn} ${refused.reason}`);
    }
    reply(200, eventBridge.putEvents(input?.Entries, region));
  } catch (error) {
    const failure = error instanceof EventBridgeError ? error : new EventBridgeError("InternalException", (error as Error).message, 500);
    reply(failure.status, { __type: failure.code, message: failure.message });
  }
}
