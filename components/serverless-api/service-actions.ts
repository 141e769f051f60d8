/**
 * AWS-service integrations (REST kind) beyond the path-style S3 call: action-style calls of JSON-protocol services such
 * as Kinesis and DynamoDB, and the VTL mapping templates that shape their requests and answers (review 28, F7). What
 * ServerlessApi checks at construction, and the defaults normalise() gives such a route.
 *
 * The integration URI: "For AWS integrations, the URI should be of the form
 * `arn:aws:apigateway:{region}:{subdomain.service|service}:{path|action}/{service_api}`" (pulumi-aws 7.48,
 * node_modules/@pulumi/aws/apigateway/integration.d.ts, `uri`; API Gateway's API_Integration `uri`). The Kinesis proxy
 * tutorial calls its actions so: "For Action Type, choose Use action name. For Action, type ListStreams", and PutRecord
 * with a body mapping template that names the stream
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-kinesis.html).
 */
import type { ArgFailure } from "../errors";
import { actionMatches } from "../iam-match";
import type { AwsServiceIntegration } from "./args";

/**
 * The Content-Type API Gateway must send a JSON-protocol service, by service subdomain; normalise() maps it on action-style
 * routes unless the route maps `integration.request.header.Content-Type` itself.
 * - kinesis: "We used a request parameter mapping to set the `Content-Type` header to the static value of
 *   `'application/x-amz-json-1.1'` to inform Kinesis that the input is of a specific version of JSON" (the Kinesis proxy
 *   tutorial, above).
 * - dynamodb: the AWS SDK calls DynamoDB with `AwsJson1_0Protocol` (node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js,
 *   `protocol: config?.protocol ?? AwsJson1_0Protocol`), whose content type is `"application/x-amz-json-1.0"`
 *   (node_modules/@aws-sdk/core/dist-cjs/submodules/protocols/index.js); DynamoDB's API reference shows the same header
 *   on every request. No AWS page was found that says API Gateway's DynamoDB proxies need it set; sending the
 *   protocol's own type is what the SDK does.
 */
export const JSON_PROTOCOL_CONTENT_TYPES: Readonly<Record<string, string>> = { kinesis: "application/x-amz-json-1.1", dynamodb: "application/x-amz-json-1.0" };

/**
 * Services whose IAM action prefix is their endpoint subdomain (`kinesis:PutRecord`, `dynamodb:GetItem`,
 * `sqs:SendMessage`, ...): for these, an action-style route's `permissions` must grant `<service>:<action>`. Services
 * whose prefixes differ (e.g. CloudWatch's `monitoring` endpoint and `cloudwatch:` actions) are not checked.
 */
const IAM_PREFIX_IS_SUBDOMAIN = new Set(["kinesis", "dynamodb", "sqs", "sns", "events", "states", "firehose", "s3", "lambda"]);

/**
 * "Maximum mapping template size | 300 KB | No" ("Quotas for configuring and running a REST API in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). Read as
 * 300 × 1024 bytes of UTF-8 (the page does not say which kilobyte), so that no template API Gateway takes is refused.
 */
export const MAPPING_TEMPLATE_MAX_BYTES = 300 * 1024;

/** API Gateway's passthrough behaviours. */
const PASSTHROUGH_BEHAVIORS: readonly string[] = ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"];

/** An AWS API action name: `PutRecord`, `GetItem`, `SendMessage` (PascalCase letters and digits). */
const ACTION_NAME = /^[A-Z][A-Za-z0-9]{0,127}$/;

/** A media type as a mapping template's key, `type/subtype` (RFC 6838's restricted-name characters). */
const CONTENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

/** `action/GetItem`, `dynamodb:GetItem`, `getItem` → `GetItem`: the action name a refusal offers. */
function actionNameFrom(value: string): string {
  const bare = value.replace(/^action\//, "").replace(/^[a-z0-9-]+:/, "").replace(/[^A-Za-z0-9]/g, "");
  return bare ? bare[0].toUpperCase() + bare.slice(1) : "GetItem";
}

/** The path-or-action, method, permissions and mapping templates of one REST AWS-service route. */
export function validateAwsServiceCall(fail: ArgFailure, where: string, integration: AwsServiceIntegration): void {
  const { service, action, path } = integration;
  if (path !== undefined && action !== undefined) {
    fail(`${where}.integration`, { path, action }, "sets both path and action; the URI is path/<path> or action/<action>, not both",
      `Keep action ("${action}") for an API action such as Kinesis PutRecord, or path for a path-style call such as S3's bucket/{key}.`);
  }
  if (path === undefined && action === undefined) {
    fail(`${where}.integration`, Object.keys(integration), "sets neither path nor action, so API Gateway would not know what to call",
      'Set action (e.g. "PutRecord", with a request template) or path (e.g. "my-bucket/{key}").');
  }
  if (action !== undefined) {
    if (typeof action !== "string" || !ACTION_NAME.test(action)) {
      fail(`${where}.integration.action`, action, "is not an action name (the service API's operation, PascalCase, e.g. PutRecord)", `Use "${actionNameFrom(String(action))}"; ServerlessApi writes action/<action> into the URI.`);
    }
    const contentType = JSON_PROTOCOL_CONTENT_TYPES[service];
    // Kinesis: "We chose POST here because Kinesis requires that the ListStreams action be invoked with it" (the Kinesis
    // tutorial); the AWS SDK's JSON-RPC protocols post every call, DynamoDB's included.
    if (contentType && integration.method !== undefined && integration.method !== "POST") {
      fail(`${where}.integration.method`, integration.method, `is not POST, the only method ${service}'s JSON protocol takes`, 'Drop method (action-style calls default to "POST"); the route\'s own method (e.g. GET) can differ.');
    }
    if (IAM_PREFIX_IS_SUBDOMAIN.has(service)) {
      const needed = `${service}:${action}`;
      const granted = (integration.permissions ?? []).some((statement) => (statement.actions ?? []).some((pattern) => actionMatches(pattern, needed)));
      if (!granted) {
        fail(`${where}.integration.permissions`, (integration.permissions ?? []).flatMap((s) => s.actions ?? []), `grants no ${needed}, so the integration's role may not call the action (API Gateway answers 500)`,
          `Add { actions: ["${needed}"], resources: [<the ${service === "dynamodb" ? "table" : service === "kinesis" ? "stream" : "resource"}'s ARN>] }.`);
      }
    }
  } else if (integration.method === undefined) {
    fail(`${where}.integration.method`, undefined, "is required with path (the service call's HTTP method)", 'Set method, e.g. "PUT" for S3 PutObject or "GET" for GetObject.');
  }
  const passthrough = integration.passthroughBehavior;
  // "Valid values are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, and NEVER" (API_Integration, passthroughBehavior:
  // https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html); CloudFormation tooling checks the same list
  // (troposphere's validate_passthrough_behavior: ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"]).
  if (passthrough !== undefined && !PASSTHROUGH_BEHAVIORS.includes(passthrough)) {
    fail(`${where}.integration.passthroughBehavior`, passthrough, `is not one of ${PASSTHROUGH_BEHAVIORS.join(", ")}`, 'Use "NEVER" to answer 415 to any Content-Type without a template, or leave it out.');
  }
  // NEVER with no request template answers every request 415 Unsupported Media Type (the passthrough page's "no
  // mapping template" example: https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
  const templates = integration.requestTemplates;
  if (passthrough === "NEVER" && (templates === undefined || (typeof templates === "object" && templates !== null && Object.keys(templates).length === 0))) {
    fail(`${where}.integration.passthroughBehavior`, passthrough, "is set with no requestTemplates, so API Gateway would refuse every request with 415 Unsupported Media Type",
      'Add requestTemplates (e.g. { "application/json": ... }) for the content types the route takes, or leave passthroughBehavior out.');
  }
  validateTemplates(fail, `${where}.integration.requestTemplates`, integration.requestTemplates);
  validateTemplates(fail, `${where}.integration.responseTemplates`, integration.responseTemplates);
}

function validateTemplates(fail: ArgFailure, argument: string, templates: unknown): void {
  if (templates === undefined) return;
  if (typeof templates !== "object" || templates === null || Array.isArray(templates)) {
    fail(argument, templates, "is not a map of content type to mapping template", `Use e.g. { "application/json": '{"TableName":"items"}' }.`);
  }
  for (const [contentType, template] of Object.entries(templates as Record<string, unknown>)) {
    if (!CONTENT_TYPE.test(contentType)) fail(argument, contentType, "is not a content type (type/subtype), which API Gateway selects a template by", 'Use e.g. "application/json".');
    if (typeof template !== "string") fail(`${argument}["${contentType}"]`, template, "is not a string (a VTL mapping template)", "Pass the template's text, e.g. JSON.stringify({...}) with $input and $context references in it.");
    const bytes = Buffer.byteLength(template, "utf8");
    if (bytes > MAPPING_TEMPLATE_MAX_BYTES) {
      fail(`${argument}["${contentType}"]`, `${bytes} bytes`, `is over API Gateway's 300 KB mapping template size (${MAPPING_TEMPLATE_MAX_BYTES} bytes; a quota it does not raise)`, "Shorten the template (build repeated parts with #foreach), or shape the request in a Lambda handler.");
    }
  }
}

/**
 * Mock and HTTP integrations take no templates and no passthroughBehavior: ServerlessApi writes a mock's (and its
 * passthrough), and an HTTP integration is a proxy.
 */
export function validateTemplatesOnlyOnAws(fail: ArgFailure, where: string, integration: { type?: string } & Record<string, unknown>): void {
  if (integration.type === "aws") return;
  for (const key of ["requestTemplates", "responseTemplates", "passthroughBehavior"]) {
    if (integration[key] !== undefined) {
      fail(`${where}.integration.${key}`, integration[key], `is not taken by a ${integration.type} integration; only AWS-service integrations (type "aws") take mapping templates and a passthroughBehavior`,
        integration.type === "mock" ? "Put the answer in body (and statusCode)." : "Drop it: an HTTP integration passes the request through (shape it in the backend).");
    }
  }
}
