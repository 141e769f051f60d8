/**
 * A local SNS endpoint for the program's Topics: Publish and PublishBatch in SNS's query protocol (form-encoded
 * POST, XML answers: what @aws-sdk/client-sns speaks, the "Query API" of
 * https://docs.aws.amazon.com/sns/latest/api/Welcome.html), each request checked for a SigV4 signature with the
 * functions' local credentials as SNS checks it. A published message goes to each subscription whose filter policy it
 * passes (local/sns-filter.ts), through the `deliver` the subscription was defined with (local/services/topics.ts:
 * Lambda's asynchronous invocation, or the local SQS server).
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FilterPolicyScope } from "../components/topic/filter-policy";
import { matchesFilterPolicy, type SnsMessageAttribute } from "./sns-filter";
import * as sigv4 from "./sigv4-verify";
import type { SigV4Credentials } from "./sigv4-verify";
import type { Authorise } from "./function-roles";
import { readBody } from "./http";
import { BATCH_ENTRY_ID, FIFO_ID, isSqsNumber, messageBytes } from "./sqs-server";
import { escapeXml } from "./xml";

/** A notification as SNS hands it to a subscription: what the Lambda event's `Sns` and the SQS envelope are made of. */
export interface SnsNotification {
  messageId: string;
  topicArn: string;
  subject?: string;
  /** The message this subscription's protocol gets (MessageStructure "json": its key, else "default"). */
  message: string;
  timestamp: string;
  attributes: Record<string, SnsMessageAttribute>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
}

export interface LocalSubscription {
  /** The subscription's ARN: `<topic ARN>:<id>`. */
  arn: string;
  protocol: "lambda" | "sqs";
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope: FilterPolicyScope;
  deliver(notification: SnsNotification): void;
}

export interface LocalTopicDefinition {
  arn: string;
  region: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  subscriptions: LocalSubscription[];
}

/** What Publish (or a PublishBatch entry) takes. */
export interface PublishInput {
  message: string;
  subject?: string;
  messageStructure?: string;
  attributes?: Record<string, SnsMessageAttribute>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

/** An SNS error as the query protocol answers it. */
export class SnsError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = code;
  }
}

/**
 * SNS quotas: a message, attributes included, of at most 256 KiB (the default; a topic's MaximumMessageSize can raise it
 * to 1 MiB, which pulumi-aws 7.48's sns.Topic does not set); a Subject of printable ASCII "less than 100 characters
 * long" (`subjectLength` is that exclusive bound); PublishBatch of 1–10 entries within 256 KiB together, attributes
 * included (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, API_PublishBatch.html); a message attribute's
 * type of at most 256 bytes (sns-message-attributes.html); a FIFO topic's deduplication window of 5 minutes
 * (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html).
 */
export const SNS_LIMITS = { messageBytes: 262_144, subjectLength: 100, batchEntries: 10, deduplicationWindowMs: 5 * 60 * 1000, attributeTypeBytes: 256 } as const;

const invalid = (message: string) => new SnsError("InvalidParameter", message);

/** The topics, publishing and fan-out, without HTTP (tests use it directly). */
export class LocalSns {
  private readonly topics = new Map<string, LocalTopicDefinition>();
  private readonly deduplication = new Map<string, Map<string, { messageId: string; sequenceNumber: string; at: number }>>();
  private sequence = 0n;

  constructor(topics: LocalTopicDefinition[], private readonly now: () => number = Date.now) {
    for (const topic of topics) this.topics.set(topic.arn, topic);
  }

  arns(): string[] {
    return [...this.topics.keys()];
  }

  /** Whether this server serves the topic `arn` (an EventBus target is refused otherwise, as SNS answers NotFound). */
  serves(arn: string): boolean {
    return this.topics.has(arn);
  }

  topic(arn: string): LocalTopicDefinition {
    const topic = this.topics.get(arn);
    if (!topic) throw new SnsError("NotFound", "Topic does not exist", 404);
    return topic;
  }

  publish(topicArn: string, input: PublishInput): { messageId: string; sequenceNumber?: string } {
    const topic = this.topic(topicArn);
    const attributes = input.attributes ?? {};
    validatePublish(topic, input, attributes);
    const messages = messagesByProtocol(input);
    let deduplicationId = input.messageDeduplicationId;
    if (topic.fifo && deduplicationId === undefined) deduplicationId = createHash("sha256").update(input.message).digest("hex");
    const seen = topic.fifo ? this.recentDeduplicationIds(topic.arn) : undefined;
    if (seen) {
      const earlier = seen.get(deduplicationId!);
      // "Any messages sent with the same deduplication ID are accepted successfully but aren't delivered during the 5-minute deduplication interval."
      if (earlier) return { messageId: earlier.messageId, sequenceNumber: earlier.sequenceNumber };
    }
    const messageId = randomUUID();
    const sequenceNumber = topic.fifo ? String((this.sequence += 1n)).padStart(20, "0") : undefined;
    seen?.set(deduplicationId!, { messageId, sequenceNumber: sequenceNumber!, at: this.now() });
    const timestamp = new Date(this.now()).toISOString();
    // One message for every subscription's filter policy: a MessageBody policy's parse of it is shared.
    const filtered = { attributes, body: messages.default };
    for (const subscription of topic.subscriptions) {
      if (!matchesFilterPolicy(subscription.filterPolicy, subscription.filterPolicyScope, filtered)) continue;
      subscription.deliver({
        messageId,
        topicArn,
        ...(input.subject === undefined ? {} : { subject: input.subject }),
        message: messages[subscription.protocol] ?? messages.default,
        timestamp,
        attributes,
        ...(topic.fifo ? { messageGroupId: input.messageGroupId, messageDeduplicationId: deduplicationId, sequenceNumber } : {}),
      });
    }
    return { messageId, ...(sequenceNumber ? { sequenceNumber } : {}) };
  }

  private recentDeduplicationIds(arn: string): Map<string, { messageId: string; sequenceNumber: string; at: number }> {
    const ids = this.deduplication.get(arn) ?? new Map();
    this.deduplication.set(arn, ids);
    // Entries go in as they are first seen, so the oldest come first: stop at the first one still in the window.
    const now = this.now();
    for (const [id, entry] of ids) {
      if (now - entry.at < SNS_LIMITS.deduplicationWindowMs) break;
      ids.delete(id);
    }
    return ids;
  }
}

function validatePublish(topic: LocalTopicDefinition, input: PublishInput, attributes: Record<string, SnsMessageAttribute>): void {
  if (!input.message) throw invalid("Invalid parameter: Empty message");
  const bytes = messageBytes(input.message, attributes);
  if (bytes > SNS_LIMITS.messageBytes) throw invalid(`Invalid parameter: Message too long (${bytes} bytes; at most ${SNS_LIMITS.messageBytes})`);
  if (input.subject !== undefined && (input.subject === "" || input.subject.length >= SNS_LIMITS.subjectLength || !/^[\x20-\x7e]*$/.test(input.subject))) {
    throw invalid(`Invalid parameter: Subject (printable ASCII, fewer than ${SNS_LIMITS.subjectLength} characters, no line breaks)`);
  }
  for (const [name, value] of [["MessageGroupId", input.messageGroupId], ["MessageDeduplicationId", input.messageDeduplicationId]] as const) {
    // "up to 128 alphanumeric characters (a-z, A-Z, 0-9) and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)"
    // (API_Publish, API_PublishBatchRequestEntry): SQS's format for the same ids.
    if (value !== undefined && !FIFO_ID.test(value)) throw invalid(`Invalid parameter: ${name} Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  for (const [name, attribute] of Object.entries(attributes)) {
    checkAttributeName(name);
    // Any custom type after the period but a line feed (LocalStack's ATTR_TYPE_REGEX, `.` of Python).
    if (!/^(String|Number|Binary)(\.[^\n]+)?$/.test(attribute.DataType)) {
      throw new SnsError("ParameterValueInvalid", `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    // "Type – The supported message attribute data types are String, String.Array, Number, and Binary … The data type is
    // case-sensitive, and it can be up to 256 bytes long" (sns-message-attributes.html, "Message attribute items and
    // validation"). A custom label after the period ("String.foo") is not in SNS's guide (SQS's documents it); it is
    // taken here as LocalStack's and moto's SNS take it, their refusal speaking of "type prefixes" (whether SNS itself
    // takes it is unconfirmed). The wording for a type too long is not AWS's (unconfirmed).
    const typeBytes = Buffer.byteLength(attribute.DataType, "utf8");
    if (typeBytes > SNS_LIMITS.attributeTypeBytes) {
      throw new SnsError("ParameterValueInvalid", `The message attribute '${name}' has a type of ${typeBytes} bytes; a message attribute type can be up to ${SNS_LIMITS.attributeTypeBytes} bytes long.`);
    }
    // "Name, type, and value must not be empty or null" (API_MessageAttributeValue). SNS answers InvalidParameterValueException,
    // whose query code is ParameterValueInvalid (@aws-sdk/client-sns), worded as LocalStack's tests, recorded against
    // AWS, word it (localstack/localstack#6938, #11857, services/sns/provider.py). An empty Number is not 0.
    const field = attribute.DataType.startsWith("Binary") ? "Binary" : "String";
    const value = field === "Binary" ? attribute.BinaryValue : attribute.StringValue;
    if ((attribute.StringValue === undefined && attribute.BinaryValue === undefined) || value === "") {
      throw new SnsError("ParameterValueInvalid", `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${attribute.DataType}'.`);
    }
    if (value === undefined) throw new SnsError("ParameterValueInvalid", `The message attribute '${name}' with type '${attribute.DataType}' must use field '${field}'.`);
    // SNS's Number is SQS's: "A number can have up to 38 digits of precision, and it can be between 10^-128 and 10^+126"
    // (sns-message-attributes.html, "Message attribute data types"; the same sentence as SQS's guide). JavaScript's
    // Number() took "0x10", " " and 1e200, which SQS refuses: a raw subscription's queue then refused the message
    // SNS had accepted. Which of these values SNS itself refuses, and how it words it, is unconfirmed.
    if (attribute.DataType.startsWith("Number") && !isSqsNumber(attribute.StringValue!)) throw invalid(`Invalid parameter: MessageAttributes: ${name} is not a number`);
  }
  if (topic.fifo) {
    if (!input.messageGroupId) throw invalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    if (!input.messageDeduplicationId && !topic.contentBasedDeduplication) {
      throw invalid("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    }
  } else if (input.messageDeduplicationId !== undefined) {
    throw invalid("Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
  }
}

/**
 * A message attribute name: "A-Z, a-z, 0-9, underscore(_), hyphen(-), and period (.). The name must not start or end with a
 * period, and it should not have successive periods", up to 256 characters, and not starting with "AWS." or "Amazon."
 * (in any casing), "reserved for use by Amazon Web Services" (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html,
 * "Message attribute items and validation", Name: "The name cannot start with AWS. or Amazon. (or any variations in
 * casing) because these prefixes are reserved for use by Amazon Web Services"; the same rule as SQS's, API_SendMessage / API_ReceiveMessage MessageAttributeNames). So a name a raw
 * SQS subscription's queue would refuse (local/sqs-server.ts validateAttributes) is refused at Publish, as the guide
 * puts it, instead of the message being accepted and then lost at delivery. SNS's own attributes, which a publisher
 * sets, are not refused: AWS.SNS.MOBILE.* (sns-message-attributes.html, "Reserved message attributes for mobile push
 * notifications": AWS.SNS.MOBILE.APNS.PUSH_TYPE, .APNS.PRIORITY, .APNS.TOPIC, sns-send-custom-platform-specific-payloads-mobile-devices.html;
 * AWS.SNS.MOBILE.ADM/APNS/APNS_SANDBOX/BAIDU/FCM/WNS.TTL, https://docs.aws.amazon.com/sns/latest/dg/sns-ttl.html) and
 * the SMS settings a Publish's MessageAttributes set: AWS.SNS.SMS.SenderID, AWS.SNS.SMS.MaxPrice, AWS.SNS.SMS.SMSType,
 * AWS.MM.SMS.OriginationNumber, AWS.MM.SMS.EntityId, AWS.MM.SMS.TemplateId (sms_publish-to-phone.html, "Sending a
 * message (AWS SDKs)"; MaxPrice "applies to each message delivery to each phone number that is subscribed to the
 * topic"), read in the guide's English source (awsdocs/amazon-sns-developer-guide, doc_source, archived 2023). The guide
 * documents no other AWS.- or Amazon.-prefixed attribute a publisher sets (a replayed FIFO message's `Replayed` is
 * SNS's, unprefixed). Whether SNS refuses every other AWS./Amazon. name, with which code (ParameterValueInvalid here,
 * as for the other name rules) and wording, is not confirmed; the wording of the other rules is LocalStack's (services/sns).
 */
function checkAttributeName(name: string): void {
  const refuse = (message: string) => new SnsError("ParameterValueInvalid", message);
  if (name === "") throw refuse("The request must contain non-empty message attribute name.");
  if (name.length > 256) throw refuse("Length of message attribute name must be less than 256 bytes.");
  if (name.startsWith(".")) throw refuse("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith(".")) throw refuse("Invalid message attribute name ending with character '.' was found.");
  const invalid = /[^A-Za-z0-9_.-]/u.exec(name);
  if (invalid) {
    throw refuse(`Invalid non-alphanumeric character '#x${invalid[0].codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`);
  }
  if (name.includes("..")) throw refuse("Message attribute name can not have successive '.' character.");
  if (/^(aws|amazon)\./i.test(name) && !isSnsOwnAttribute(name)) {
    throw refuse(`Invalid message attribute name '${name}': names starting with 'AWS.' or 'Amazon.' (in any casing) are reserved for use by Amazon Web Services.`);
  }
}

/**
 * SNS's own message attributes, which a publisher sets for SNS to read (mobile push, SMS): the AWS.-prefixed names SNS
 * takes, in the casing SNS's guide gives them. A raw SQS subscription's queue gets them not (local/services/topics.ts
 * sqsSnsMessage).
 */
export function isSnsOwnAttribute(name: string): boolean {
  return /^AWS\.(SNS\.(MOBILE|SMS)|MM\.SMS)\./.test(name);
}

/** MessageStructure "json": a JSON object whose "default" string is the message, and whose "lambda" / "sqs" strings override it per protocol. */
function messagesByProtocol(input: PublishInput): { default: string; lambda?: string; sqs?: string } {
  if (input.messageStructure === undefined) return { default: input.message };
  if (input.messageStructure !== "json") throw invalid("Invalid parameter: MessageStructure");
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.message);
  } catch {
    throw invalid("Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  const structure = parsed as Record<string, unknown>;
  if (typeof structure?.default !== "string") throw invalid("Invalid parameter: Message Structure - No default entry in JSON message body");
  const pick = (key: string) => (typeof structure[key] === "string" ? { [key]: structure[key] as string } : {});
  return { default: structure.default, ...pick("lambda"), ...pick("sqs") };
}

export interface LocalSnsServer {
  endpoint: string;
  sns: LocalSns;
  stop(): Promise<void>;
}

export interface LocalSnsServerOptions {
  topics: LocalTopicDefinition[];
  /** The credentials requests must be signed with (SigV4). @default [LOCAL_CREDENTIALS] */
  credentials?: readonly SigV4Credentials[];
  /**
   * IAM for signed requests (local/function-roles.ts: the program's functions, by their roles): Publish and
   * PublishBatch are authorised as `sns:Publish` on the topic, and a refusal is 403 AuthorizationError "User: … is not
   * authorized to perform: SNS:Publish on resource: arn:aws:sns:… because no identity-based policy allows the
   * SNS:Publish action", as SNS words it (the capitalised SNS:Publish as commonly reported; not confirmed in AWS's docs).
   * @default every signed request is allowed
   */
  authorise?: Authorise;
  now?: () => number;
}

const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";
const LARGEST_REQUEST_BYTES = 4 * 1024 * 1024;

export async function startLocalSns(options: LocalSnsServerOptions): Promise<LocalSnsServer> {
  const sns = new LocalSns(options.topics, options.now);
  const credentials = options.credentials ?? [sigv4.LOCAL_CREDENTIALS];
  const server = createServer((request, response) => {
    void answer(sns, { credentials, authorise: options.authorise }, request, response, options.now ?? Date.now);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sns,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function answer(
  sns: LocalSns,
  { credentials, authorise }: { credentials: readonly SigV4Credentials[]; authorise?: Authorise },
  request: IncomingMessage,
  response: ServerResponse,
  now: () => number,
): Promise<void> {
  const requestId = randomUUID();
  try {
    // Read whole (the rest of an oversized body is drained, not kept), so the 413 reaches the client.
    const body = await readBody(request, LARGEST_REQUEST_BYTES);
    if (body.length > LARGEST_REQUEST_BYTES) throw new SnsError("RequestEntityTooLarge", `The request is larger than ${LARGEST_REQUEST_BYTES} bytes`, 413);
    const params = new URLSearchParams(body.toString("utf8"));
    const topicArn = params.get("TopicArn") ?? params.get("TargetArn") ?? undefined;
    const accessKeyId = await checkSignature(sns, credentials, request, body, topicArn);
    const action = params.get("Action");
    if (action !== "Publish" && action !== "PublishBatch") {
      throw new SnsError("InvalidAction", `The action ${action ?? "(none)"} is not valid for this endpoint; the local SNS server answers Publish and PublishBatch`);
    }
    // IAM is asked once the action is known: Publish and PublishBatch are both authorised as sns:Publish.
    const refused = topicArn !== undefined ? authorise?.(accessKeyId, "SNS:Publish", topicArn) : undefined;
    if (refused) throw new SnsError("AuthorizationError", `User: ${refused.caller} is not authorized to perform: SNS:Publish on resource: ${topicArn} ${refused.reason}`, 403);
    const result = action === "Publish" ? publishResult(sns, params) : publishBatchResult(sns, params);
    reply(response, 200, `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`, requestId);
  } catch (error) {
    const failure = error instanceof SnsError ? error : new SnsError("InternalError", (error as Error).message, 500);
    const type = failure.status >= 500 ? "Receiver" : "Sender";
    reply(response, failure.status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${failure.code}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`, requestId);
  }
}

/** The answer, its header's request id the same as the body's `<RequestId>`, as SNS answers. */
function reply(response: ServerResponse, status: number, text: string, requestId: string): void {
  response.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": requestId });
  response.end(text);
}

/** `<prefix>.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue` → attributes. */
function attributesOf(params: URLSearchParams, prefix: string): Record<string, SnsMessageAttribute> {
  const attributes: Record<string, SnsMessageAttribute> = {};
  for (let n = 1; params.has(`${prefix}.entry.${n}.Name`); n++) {
    const at = `${prefix}.entry.${n}`;
    const dataType = params.get(`${at}.Value.DataType`);
    if (!dataType) throw invalid(`Invalid parameter: MessageAttributes: the attribute ${params.get(`${at}.Name`)} has no DataType`);
    const stringValue = params.get(`${at}.Value.StringValue`);
    const binaryValue = params.get(`${at}.Value.BinaryValue`);
    attributes[params.get(`${at}.Name`)!] = { DataType: dataType, ...(stringValue === null ? {} : { StringValue: stringValue }), ...(binaryValue === null ? {} : { BinaryValue: binaryValue }) };
  }
  return attributes;
}

function publishInputOf(params: URLSearchParams, prefix: string): PublishInput {
  const optional = (name: string) => params.get(`${prefix}${name}`) ?? undefined;
  return {
    message: params.get(`${prefix}Message`) ?? "",
    subject: optional("Subject"),
    messageStructure: optional("MessageStructure"),
    attributes: attributesOf(params, `${prefix}MessageAttributes`),
    messageGroupId: optional("MessageGroupId"),
    messageDeduplicationId: optional("MessageDeduplicationId"),
  };
}

function publishResult(sns: LocalSns, params: URLSearchParams): string {
  const topicArn = params.get("TopicArn") ?? params.get("TargetArn");
  if (!topicArn) throw invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  const { messageId, sequenceNumber } = sns.publish(topicArn, publishInputOf(params, ""));
  return `<MessageId>${messageId}</MessageId>${sequenceNumber ? `<SequenceNumber>${sequenceNumber}</SequenceNumber>` : ""}`;
}

function publishBatchResult(sns: LocalSns, params: URLSearchParams): string {
  const topicArn = params.get("TopicArn");
  if (!topicArn) throw invalid("Invalid parameter: TopicArn Reason: no value for required parameter");
  sns.topic(topicArn);
  const entries: Array<{ id: string; input: PublishInput }> = [];
  for (let n = 1; params.has(`PublishBatchRequestEntries.member.${n}.Id`); n++) {
    entries.push({ id: params.get(`PublishBatchRequestEntries.member.${n}.Id`)!, input: publishInputOf(params, `PublishBatchRequestEntries.member.${n}.`) });
  }
  if (entries.length === 0) throw new SnsError("EmptyBatchRequest", "The batch request doesn't contain any entries.");
  if (entries.length > SNS_LIMITS.batchEntries) throw new SnsError("TooManyEntriesInBatchRequest", `The batch request contains more entries than permissible (${SNS_LIMITS.batchEntries}).`);
  // InvalidBatchEntryId for an Id outside SQS's and SNS's shared format (API_PublishBatch).
  if (entries.some((e) => !BATCH_ENTRY_ID.test(e.id))) throw new SnsError("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.");
  if (new Set(entries.map((e) => e.id)).size !== entries.length) throw new SnsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
  const total = entries.reduce((sum, e) => sum + messageBytes(e.input.message, e.input.attributes ?? {}), 0);
  if (total > SNS_LIMITS.messageBytes) throw new SnsError("BatchRequestTooLong", `The length of all the messages put together is more than the limit (${SNS_LIMITS.messageBytes} bytes).`);
  const successful: string[] = [];
  const failed: string[] = [];
  for (const { id, input } of entries) {
    try {
      const { messageId, sequenceNumber } = sns.publish(topicArn, input);
      successful.push(`<member><Id>${escapeXml(id)}</Id><MessageId>${messageId}</MessageId>${sequenceNumber ? `<SequenceNumber>${sequenceNumber}</SequenceNumber>` : ""}</member>`);
    } catch (error) {
      if (!(error instanceof SnsError)) throw error;
      failed.push(`<member><Id>${escapeXml(id)}</Id><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message><SenderFault>true</SenderFault></member>`);
    }
  }
  return `<Successful>${successful.join("")}</Successful><Failed>${failed.join("")}</Failed>`;
}

/**
 * SigV4 as SNS checks it (local/sigv4-verify.ts verifySignedHeaders, AWS's errors for service `sns`): the region the
 * credential is scoped to must be the region of the topic the request names (any topic's for none or an unknown one).
 * Checked against the wall clock clients sign with, not the topics' clock, which tests move (as the SQS server does).
 */
async function checkSignature(sns: LocalSns, credentials: readonly SigV4Credentials[], request: IncomingMessage, body: Buffer, topicArn: string | undefined): Promise<string> {
  const regions = topicArn && sns.arns().includes(topicArn) ? [sns.topic(topicArn).region] : sns.arns().map((arn) => sns.topic(arn).region);
  const verdict = await sigv4.verifySignedHeaders(request, body, { service: "sns", credentials, servesRegion: (region) => regions.length === 0 || regions.includes(region) });
  if (!verdict.ok) throw new SnsError(verdict.failure.code, verdict.failure.message, verdict.failure.status);
  return verdict.signer.accessKeyId;
}
