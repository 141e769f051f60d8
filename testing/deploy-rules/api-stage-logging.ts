/**
 * A stage that logs, ordered after the plan's account-wide CloudWatch Logs role setting (`aws.apigateway.Account`).
 * API Gateway refuses logging — REST stage access logs, REST method settings with a logging level, a WebSocket stage's
 * access logs or execution logging, by default or on one route (`routeSettings`) — until the account's role is set in the region: "CloudWatch Logs role ARN must be
 * set in account settings to enable logging" (BadRequestException; sst/ion#373 on an aws:apigatewayv2:Stage of a
 * WebSocket API). WebSocket APIs use the same account setting as REST ("Configure logging for WebSocket APIs" sends
 * users to REST's CloudWatch setup: https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html);
 * HTTP APIs take access logs only and need no role, so they are not checked. When the plan itself creates the setting
 * in the stage's region, a stage that does not depend on it may be created first on a first deploy and refused.
 * A stage in a region where the plan sets no Account relies on a setting outside the plan: ServerlessApi and
 * RealtimeApi warn about that at construction.
 */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { ACCOUNT_ROLE_REFUSAL } from "../../components/serverless-api/stages";
import { finding, protocolOf, regionOf, type DeployFinding, type DeployRule } from "./rule";

const ACCOUNT = "aws:apigateway/account:Account";
const REST_STAGE = "aws:apigateway/stage:Stage";
const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";
const V2_STAGE = "aws:apigatewayv2/stage:Stage";

/** A `loggingLevel` that writes execution logs: ERROR or INFO (any case), not OFF or unset. */
export const logsAtLevel = (level: unknown) => typeof level === "string" && level.toUpperCase() !== "OFF";
/** A v2 stage's per-route settings (`routeSettings`), as a list whatever the plan recorded. */
export const routeSettingsOf = (stage: RecordedResource): Array<{ routeKey?: unknown; loggingLevel?: unknown; dataTraceEnabled?: unknown }> =>
  Array.isArray(stage.inputs.routeSettings) ? stage.inputs.routeSettings : [];
const hasAccessLogs = (settings: unknown) => !!settings && typeof settings === "object" && !!(settings as { destinationArn?: unknown }).destinationArn;

/** What of `resource` logs through the account's role ("access logs", "execution logs at ERROR"), or undefined. */
function logging(graph: Graph, resource: RecordedResource): string | undefined {
  const what: string[] = [];
  if (resource.type === REST_STAGE && hasAccessLogs(resource.inputs.accessLogSettings)) what.push("access logs");
  if (resource.type === METHOD_SETTINGS && logsAtLevel(resource.inputs.settings?.loggingLevel)) what.push(`execution logs at ${resource.inputs.settings.loggingLevel}`);
  if (resource.type === V2_STAGE && protocolOf(graph, resource) === "WEBSOCKET") {
    if (hasAccessLogs(resource.inputs.accessLogSettings)) what.push("access logs");
    if (logsAtLevel(resource.inputs.defaultRouteSettings?.loggingLevel)) what.push(`execution logs at ${resource.inputs.defaultRouteSettings.loggingLevel}`);
    // Per-route settings take the same execution logging as the default ones (RouteSettings: LoggingLevel, "Supported only
    // for WebSocket APIs"), so a stage that logs one route only needs the role as much.
    for (const route of routeSettingsOf(resource)) {
      if (logsAtLevel(route?.loggingLevel)) what.push(`execution logs at ${route.loggingLevel} on route ${route.routeKey}`);
    }
  }
  return what.length > 0 ? what.join(" and ") : undefined;
}

export const API_STAGE_LOGGING_AFTER_ACCOUNT: DeployRule = {
  id: "ApiStageLoggingAfterAccount",
  title: "A REST or WebSocket stage that logs depends on the plan's API Gateway account setting in its region",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    const accounts = ofType(graph, ACCOUNT);
    if (accounts.length === 0) return findings;
    for (const resource of [...ofType(graph, REST_STAGE), ...ofType(graph, METHOD_SETTINGS), ...ofType(graph, V2_STAGE)]) {
      const logs = logging(graph, resource);
      if (!logs) continue;
      const region = regionOf(graph, resource, context);
      const settings = accounts.filter((a) => regionOf(graph, a, context) === region);
      if (settings.length === 0) continue;
      const closure = dependencyClosure(graph, resource);
      if (settings.some((a) => closure.has(a.urn))) continue;
      const account = settings[0];
      findings.push(
        finding(
          "ApiStageLoggingAfterAccount",
          resource,
          `logs (${logs}), and the plan sets API Gateway's CloudWatch Logs role in ${region} (${account.type} ${account.name}), but this does not depend on it: on a first deploy it may be created first and refused ("${ACCOUNT_ROLE_REFUSAL}")`,
          `add the Account to its dependsOn (a component's: RealtimeApi and ServerlessApi pass their own dependsOn to their stages, e.g. { dependsOn: [api.nodes.account] })`,
        ),
      );
    }
    return findings;
  },
};

/** API Gateway v2's reference for a stage's AccessLogSettings (HTTP and WebSocket APIs). */
const V2_ACCESS_LOG_SETTINGS = "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html";

/**
 * REST: "The access log format must include at least `$context.requestId` or `$context.extendedRequestId`. As a best
 * practice, include both in your log format." ("Access logging for REST APIs", set-up-access-logging.html; "This is a
 * requirement enforced by API Gateway", aws/aws-cdk#9687). HTTP and WebSocket (v2): AWS's API Gateway V2 API reference,
 * AccessLogSettings.Format: "A single line format of the access logs of data, as specified by selected $context
 * variables. The format must include at least $context.requestId." (V2_ACCESS_LOG_SETTINGS; review 96 F7), so a v2
 * format needs `$context.requestId` itself. **Not confirmed:** that the v2 control plane refuses a format with only
 * `$context.extendedRequestId` (CDK's aws-apigatewayv2 `IAccessLogSettings` accepts either, and the REST API reference's
 * AccessLogSettings carries the same "at least $context.requestId" sentence while the REST guide accepts either). The
 * components' three formats comply (tests/deploy-rules/api-stage-logging.test.ts pins them); this is for hand-built
 * stages. A format the plan does not know (unset, or not a string) is passed over.
 */
export const API_ACCESS_LOG_FORMAT: DeployRule = {
  id: "ApiAccessLogFormat",
  title: "An API stage's access log format includes $context.requestId (REST: or $context.extendedRequestId)",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-access-logging.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const [stage, kind] of [...ofType(graph, REST_STAGE).map((s) => [s, "rest"] as const), ...ofType(graph, V2_STAGE).map((s) => [s, "v2"] as const)]) {
      const format = stage.inputs.accessLogSettings?.format;
      if (typeof format !== "string" || accessLogFormatHasRequestId(format, kind)) continue;
      const shown = JSON.stringify(format.length > 120 ? `${format.slice(0, 120)}…` : format);
      findings.push(
        kind === "rest"
          ? finding(
              "ApiAccessLogFormat",
              stage,
              `has access log format ${shown}, without $context.requestId or $context.extendedRequestId, which API Gateway requires of an access log format`,
              'add "requestId": "$context.requestId" (and "extendedRequestId": "$context.extendedRequestId", as AWS advises) to the format',
            )
          : finding(
              "ApiAccessLogFormat",
              stage,
              `has access log format ${shown}, without $context.requestId, which API Gateway v2 requires of an HTTP or WebSocket stage's format ("The format must include at least $context.requestId", AccessLogSettings, ${V2_ACCESS_LOG_SETTINGS})`,
              'add "requestId": "$context.requestId" to the format ($context.extendedRequestId alone is not what the v2 reference names)',
            ),
      );
    }
    return findings;
  },
};

/**
 * Whether an access log format names the request id API Gateway requires: `$context.requestId`, or for a REST stage
 * the extended one (API_ACCESS_LOG_FORMAT).
 */
export function accessLogFormatHasRequestId(format: string, kind: "rest" | "v2" = "rest"): boolean {
  return (kind === "rest" ? /\$context\.(requestId|extendedRequestId)\b/ : /\$context\.requestId\b/).test(format);
}
export const API_STAGE_LOGGING_RULES: readonly DeployRule[] = [API_STAGE_LOGGING_AFTER_ACCOUNT, API_ACCESS_LOG_FORMAT];
