/**
 * API Gateway authorizers' identity sources, for any program (ServerlessApi refuses the same values at construction;
 * a hand-built `aws.apigateway.Authorizer` or `aws.apigatewayv2.Authorizer` is checked only here). Neither provider
 * validates the value (terraform-provider-aws `apigateway/authorizer.go` `identity_source` and `apigatewayv2/authorizer.go`
 * `identity_sources` are plain strings), so CreateAuthorizer refuses it at pulumi up, after preview passed.
 * The forms and AWS's words are in components/serverless-api/identity-source.ts, which this rule shares.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import { httpIdentitySource, identitySourceProblem } from "../../components/serverless-api/identity-source";
import { finding, protocolOf, type DeployFinding, type DeployRule } from "./rule";

const REST_AUTHORIZER = "aws:apigateway/authorizer:Authorizer";
const V2_AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
/** One identity source of a WebSocket API's REQUEST authorizer, the patterns CreateAuthorizer's refusal quotes (API_AUTHORIZER_IDENTITY_SOURCE). */
const WEBSOCKET_IDENTITY_SOURCE = /^(?:route\.request\.(?:querystring|header)|stageVariables|context)\.[a-zA-Z0-9._-]+$/;

/**
 * REST TOKEN (the provider's default type) and COGNITO_USER_POOLS authorizers read one `method.request.header.<name>`;
 * REQUEST authorizers a comma-separated list of method request parameter (header, query string, their multi-value forms,
 * path), stage variable and context expressions; an HTTP
 * API's JWT authorizer one `$request.header.<name>` or `$request.querystring.<name>`. An unset REST source is the
 * provider's default, `method.request.header.Authorization`; an empty REQUEST source is left alone here (whether the
 * provider sends it or its default is not confirmed), as are HTTP API REQUEST authorizers.
 * A WebSocket API's REQUEST authorizer names each source as `route.request.header.<name>`, `route.request.querystring.<name>`,
 * `stageVariables.<name>` or `context.<name>` ("this value is route.request.header.Auth, route.request.querystring.Name for
 * WebSocket APIs. For HTTP APIs, use selection expressions prefixed with $", IdentitySource, API Gateway v2 reference);
 * anything else is refused: "Invalid request identity source expression: $request.header.Authorization. The sources must
 * be separated by comma, and each source must be either a request parameter, matching 'route.request.querystring|header.[a-zA-Z0-9._-]+',
 * or a stage variable, matching 'stageVariables.[a-zA-Z0-9._-]+', or a context parameter, matching 'context.[a-zA-Z0-9._-]+'"
 * (aws/aws-cdk#18307, CDK's own default once). RealtimeApi refuses the same at construction, more narrowly (header and
 * query string only, components/realtime-api/spec.ts).
 * https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
 */
export const API_AUTHORIZER_IDENTITY_SOURCE: DeployRule = {
  id: "ApiAuthorizerIdentitySource",
  title: "An API Gateway authorizer's identity source is in the form its type takes",
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html",
  check(graph: Graph) {
    const findings: DeployFinding[] = [];
    for (const authorizer of ofType(graph, REST_AUTHORIZER)) {
      const type = String(authorizer.inputs.type ?? "TOKEN");
      const source = authorizer.inputs.identitySource;
      if (typeof source !== "string") continue;
      const kind = type === "COGNITO_USER_POOLS" ? "cognito" : type === "REQUEST" ? "request" : "token";
      if (kind === "request" && source.trim() === "") continue;
      const refused = identitySourceProblem(kind, source);
      if (refused) findings.push(finding("ApiAuthorizerIdentitySource", authorizer, `has identitySource "${source}" (type ${type}), which ${refused.problem}`, refused.fix));
    }
    for (const authorizer of ofType(graph, V2_AUTHORIZER)) {
      const protocol = protocolOf(graph, authorizer);
      if (protocol === "WEBSOCKET" && authorizer.inputs.authorizerType === "REQUEST" && Array.isArray(authorizer.inputs.identitySources)) {
        const bad = authorizer.inputs.identitySources.filter((source: unknown) => typeof source === "string" && !WEBSOCKET_IDENTITY_SOURCE.test(source));
        if (bad.length > 0) {
          const http = bad.find((source: string) => /^\$request\.(header|querystring)\./.test(source));
          findings.push(
            finding(
              "ApiAuthorizerIdentitySource",
              authorizer,
              `has identitySources ${JSON.stringify(authorizer.inputs.identitySources)} on a WebSocket API, and ${bad.map((b: string) => JSON.stringify(b)).join(", ")} is not route.request.header.<name>, route.request.querystring.<name>, stageVariables.<name> or context.<name>; CreateAuthorizer refuses it ("Invalid request identity source expression")`,
              http ? `write "${http.replace(/^\$request\./, "route.request.")}" (the $request. form is an HTTP API's)` : 'name where the token is, e.g. "route.request.querystring.token" or "route.request.header.Authorization"',
            ),
          );
        }
      }
      // A JWT authorizer on a WebSocket API is ApiV2WebSocketAuthorizer's finding (WebSocket APIs take REQUEST only).
      if (authorizer.inputs.authorizerType !== "JWT" || protocol === "WEBSOCKET") continue;
      const sources = authorizer.inputs.identitySources;
      if (!Array.isArray(sources)) continue;
      const refused = identitySourceProblem("jwt", sources.join(",")); // one source: itself; several: refused as a list
      // The HTTP kind's REST spelling is ServerlessApi's to rewrite; the API takes only the $request form.
      const restSpelling = sources.length === 1 && /^method\.request\./.test(String(sources[0]));
      if (refused || restSpelling) {
        findings.push(
          finding(
            "ApiAuthorizerIdentitySource",
            authorizer,
            `has identitySources ${JSON.stringify(sources)} (type JWT), which ${refused?.problem ?? "is REST's spelling; an HTTP API JWT authorizer reads a single $request.header.<name> or $request.querystring.<name>"}`,
            refused?.fix ?? `write "${httpIdentitySource(String(sources[0]))}"`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * An HTTP API's Lambda (REQUEST) authorizer names its payload format: "If you create a Lambda authorizer by using the AWS
 * CLI, CloudFormation, or an SDK, you must specify an authorizerPayloadFormatVersion. The supported values are 1.0 and
 * 2.0." (http-api-lambda-authorizer.html; the provider's docs: "Required for HTTP API Lambda authorizers"). ServerlessApi's
 * HTTP kind builds JWT authorizers only, so this is for hand-built ones. Not checked, for want of AWS text quoting a
 * refusal: simple responses with format 1.0. A WebSocket authorizer's HTTP-only settings are ApiV2WebSocketAuthorizer's.
 */
export const API_V2_HTTP_LAMBDA_AUTHORIZER: DeployRule = {
  id: "ApiV2HttpLambdaAuthorizer",
  title: "An HTTP API Lambda authorizer sets authorizerPayloadFormatVersion to 1.0 or 2.0",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html",
  check(graph: Graph) {
    const findings: DeployFinding[] = [];
    for (const authorizer of ofType(graph, V2_AUTHORIZER)) {
      if (authorizer.inputs.authorizerType !== "REQUEST" || protocolOf(graph, authorizer) !== "HTTP") continue;
      const version = authorizer.inputs.authorizerPayloadFormatVersion;
      if (version === "1.0" || version === "2.0") continue;
      findings.push(
        finding(
          "ApiV2HttpLambdaAuthorizer",
          authorizer,
          `is a Lambda authorizer of an HTTP API with authorizerPayloadFormatVersion ${version === undefined ? "unset" : JSON.stringify(version)}; API Gateway requires "1.0" or "2.0" of one created outside the console`,
          'set authorizerPayloadFormatVersion: "2.0" (or "1.0" for a REST-compatible event)',
        ),
      );
    }
    return findings;
  },
};

export const API_AUTHORIZER_RULES: readonly DeployRule[] = [API_AUTHORIZER_IDENTITY_SOURCE, API_V2_HTTP_LAMBDA_AUTHORIZER];
