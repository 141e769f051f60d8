/**
 * RealtimeApi's arguments, their validation, and the normalised spec the component — and the
 * local WebSocket gateway (local/realtime-gateway.ts) — work from.
 */
import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { checkSourceFile, type ArgFailure } from "../errors";
import { assertLeastPrivilege, type PolicyStatement } from "../iam";
import { FUNCTION_NAME_SUFFIX, type LambdaFunctionSpec } from "../lambda/function";
import { validateLogRetention } from "../log-retention";
import { checkWholeNumberInRange } from "../ranges";
import { validateRegionalDomain } from "../regional-domain";
import { mergeApiFunctionArgs } from "../serverless-api/api-function";
import { DEFAULT_API_DOMAIN_IP_ADDRESS_TYPE, type ApiDomainIpAddressType, type ApiFunctionArgs, type ApiThrottle } from "../serverless-api/args";
import { API_INTEGRATION_TIMEOUT_SECONDS, validateDomainIpAddressType } from "../serverless-api/validate";
import { validateAutonames, type AutonamedResource } from "../autoname";
import { validateRegionArg } from "../region";

/** A route's Lambda function. */
export interface RealtimeRoute {
  /** Entry file, e.g. `"handlers/realtime/connect.ts"`. */
  handler: string;
  /** Exported function name. @default "handler" */
  export?: string;
  /** The route's function; merged over `functionDefaults`. */
  function?: ApiFunctionArgs;
  /**
   * The function may post to this API's connections: it gets exactly `execute-api:ManageConnections`
   * on the stage's `POST/@connections/*`. @default false
   */
  postsToConnections?: boolean;
}

/** The Lambda REQUEST authorizer API Gateway runs on `$connect` (the only route a WebSocket authorizer can guard). */
export interface RealtimeAuthorizer {
  /** Entry file, e.g. `"handlers/realtime/authorizer.ts"`. */
  handler: string;
  /** @default "handler" */
  export?: string;
  function?: ApiFunctionArgs;
  /**
   * Where the token is. Browsers cannot set headers on a WebSocket upgrade, so the default is the
   * query string (`wss://…/prod?token=<id token>`); `route.request.header.Sec-WebSocket-Protocol`
   * reads a subprotocol instead. API Gateway refuses (401) a $connect missing any of them without
   * calling the function. @default ["route.request.querystring.token"]
   */
  identitySources?: string[];
}

export interface RealtimeApiArgs {
  /**
   * Route keys → handlers: `$connect`, `$disconnect`, `$default`, and custom keys that the route
   * selection expression picks from each message (e.g. `"ping"` for `{"action":"ping"}`).
   */
  routes: Record<string, RealtimeRoute>;
  /** Where a message names its route. @default "$request.body.action" */
  routeSelectionExpression?: string;
  /** Lambda REQUEST authorizer on `$connect`. Required unless `anonymous` is true. */
  authorizer?: RealtimeAuthorizer;
  /** Accept connections without an authorizer (a public feed). Secure by default. @default false */
  anonymous?: boolean;
  /**
   * The connections table: a DataTier table declared with `connectionsTableArgs()` (connection id,
   * user, TTL, the `byUser` index). Route functions get its name as `CONNECTIONS_TABLE_NAME`.
   */
  connectionsTable: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** Stage name (part of the URL, `wss://<id>.execute-api.<region>.amazonaws.com/<stage>`). @default "prod" */
  stage?: string;
  /** Default route throttling of the stage. @default { rateLimit: 100, burstLimit: 200 } */
  throttle?: ApiThrottle;
  /** Settings every route function gets (a route's own `function` wins). */
  functionDefaults?: ApiFunctionArgs;
  /** Days to keep access logs and the functions' logs. @default 30 */
  logRetentionDays?: number;
  /** Execution logging level of the stage's routes. @default "ERROR" */
  executionLogLevel?: string;
  /**
   * The stage always logs (access logs, and execution logs unless `executionLogLevel` is "OFF"), which API Gateway
   * refuses until the account's CloudWatch Logs role is set in the region (docs/api-gateway-account.md). RealtimeApi
   * does not set it: order it after the ServerlessApi that does (`{ dependsOn: [api.nodes.account] }`), or pass
   * `false` to say another stack or a one-off setup has set it. Unset, and with no `aws.apigateway.Account` in its
   * `dependsOn`, the component warns at preview. `true` is refused (a ServerlessApi owns the setting).
   */
  accountCloudWatchRole?: false;
  /**
   * Custom domain (`wss://<name>`) with a regional ACM certificate in the API's region; DNS records come from elsewhere.
   * For a certificate this program requests, pass its `aws.acm.CertificateValidation`'s `certificateArn`, not the
   * certificate's `arn`: the validation exists only once ACM has issued the certificate, and API Gateway refuses a domain
   * on a certificate not yet issued (deploy rule ApiGatewayDomainCertificateIssued). The name must be the WebSocket API's
   * own, not a REST or HTTP API's custom domain in the same region (ApiGatewayDomainNameUnique).
   * @example
   * const cert = new aws.acm.Certificate("live-cert", { domainName: "live.gallery.example.com", validationMethod: "DNS" });
   * const validation = new aws.acm.CertificateValidation("live-cert-validation", { certificateArn: cert.arn, validationRecordFqdns: [validationRecord.fqdn] });
   * domain: { name: "live.gallery.example.com", certificateArn: validation.certificateArn }
   */
  domain?: {
    name: string;
    certificateArn: pulumi.Input<string>;
    /**
     * `"dualstack"`: IPv4 and IPv6 clients may connect to the domain, so both A and AAAA alias records (to
     * `customDomain`) reach it. `"ipv4"`: IPv4 only (API Gateway's own default); give the name A records only. Only the
     * domain's: the API's own `wss://<api-id>.execute-api…` endpoint stays IPv4. Changing it updates the domain in place
     * (UpdateDomainName), keeping its name and its regional target.
     * @default "dualstack"
     */
    ipAddressType?: ApiDomainIpAddressType;
  };
  /** Region of the API and its functions. @default the provider's region */
  region?: string;
}

export interface RealtimeRouteSpec {
  key: string;
  functionName: string;
  entry: string;
  export: string;
  function: Required<Pick<ApiFunctionArgs, "environment" | "permissions" | "bundle">> & ApiFunctionArgs;
  postsToConnections: boolean;
}

export interface RealtimeApiSpec {
  name: string;
  routes: RealtimeRouteSpec[];
  routeSelectionExpression: string;
  authorizer?: { functionName: string; entry: string; export: string; function: RealtimeRouteSpec["function"]; identitySources: string[] };
  connectionsTable: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  stage: string;
  throttle: ApiThrottle;
  logRetentionDays: number;
  executionLogLevel: string;
  domain?: { name: string; certificateArn: pulumi.Input<string>; ipAddressType: ApiDomainIpAddressType };
  region?: string;
  /** The API's id, set once it exists (the local gateway serves it under this id). */
  apiId?: pulumi.Input<string>;
  /** Specs of the route and authorizer functions by resource name, filled in once they exist. */
  functions: Record<string, LambdaFunctionSpec>;
}

/** The route keys API Gateway gives meaning to; any other key starting with `$` is refused. https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html */
export const PREDEFINED_ROUTE_KEYS: readonly string[] = ["$connect", "$disconnect", "$default"];
/** WebSocket route selection: `$request.body.<JSON path>`. https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html */
const ROUTE_SELECTION = /^\$request\.body\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** WebSocket REQUEST authorizer identity sources: headers and query strings (also stage and context variables, not offered here). https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html */
const IDENTITY_SOURCE = /^route\.request\.(header|querystring)\.[A-Za-z0-9_.-]+$/;
const CUSTOM_ROUTE_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
/** API Gateway v2 stage names: "Stage names can only contain alphanumeric characters, hyphens, and underscores. Maximum length is 128 characters." (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html). */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
/** Levels a WebSocket stage's execution logging takes. https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename.html */
const LOG_LEVELS = ["ERROR", "INFO", "OFF"];

/** The authorizer's function is named as a route of this slug would be (`<name>-authorizer`). */
const AUTHORIZER_SLUG = "authorizer";

/** `$connect` → `connect`, `chat.send` → `chat-send`: a resource-name slug of a route key. */
export function routeSlug(key: string): string {
  return key.replace(/^\$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * `apiRegion` is where the API is created as construction knows it (its `region`, else the stack's `aws:region`; unknown
 * under an explicit provider), so a domain certificate from another region is refused here rather than in the domain's
 * apply at deploy time.
 */
export function validateArgs(fail: ArgFailure, name: string, args: RealtimeApiArgs, apiRegion: string | undefined = args.region): void {
  validateRegionArg(fail, "region", args.region);
  const keys = Object.keys(args.routes ?? {});
  if (keys.length === 0) fail("routes", args.routes, "is empty", 'Declare at least $connect, e.g. { $connect: { handler: "handlers/realtime/connect.ts" } }.');
  const slugs = new Map<string, string>();
  for (const key of keys) {
    const where = `routes["${key}"]`;
    if (key.startsWith("$") && !PREDEFINED_ROUTE_KEYS.includes(key)) {
      fail(where, key, "is not a route key API Gateway knows ($-keys are reserved)", `Use one of ${PREDEFINED_ROUTE_KEYS.join(", ")}, or a custom key without "$" such as "ping".`);
    }
    if (!key.startsWith("$") && !CUSTOM_ROUTE_KEY.test(key)) fail(where, key, "is not a usable custom route key", "Use 1–128 letters, digits and _ . : -, the value messages carry in their action field.");
    const slug = routeSlug(key);
    if (slugs.has(slug)) fail(where, key, `names the same function as route "${slugs.get(slug)}"`, "Use route keys that differ in more than case and punctuation.");
    slugs.set(slug, key);
    // A route's function is `<name>-<slug>` and its permission `<name>-<slug>-invoke` (index.ts), the authorizer's
    // `<name>-authorizer` and `<name>-authorizer-invoke`: one slug "authorizer" would register both twice under one parent.
    if (args.authorizer && slug === AUTHORIZER_SLUG) {
      fail(where, key, `names its function and invoke permission ${name}-${slug} and ${name}-${slug}-invoke, the authorizer's, so Pulumi would refuse two resources of one name`, 'Use another route key, e.g. "authorize".');
    }
  }
  // The name begins the access log group's and every function's name; a function name too long because of a custom
  // route key is refused as that route's (validateAutonames, `part`). One call, so the name's characters are checked
  // against every name at once and the example it gives fits them all.
  validateAutonames(fail, name, [{ resource: `${name}-access-logs`, kind: "log-group" }, ...functionResources(name, keys, args.authorizer !== undefined)]);
  for (const key of keys) {
    const where = `routes["${key}"]`;
    const route = args.routes[key];
    checkSourceFile(fail, `${where}.handler`, route?.handler, "Point it at the route's handler source file");
    if (route.export !== undefined && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(route.export)) fail(`${where}.export`, route.export, "is not an identifier", "Name the exported function.");
    if (route.function) validateFunction(fail, `${where}.function`, route.function);
  }
  if (args.routeSelectionExpression !== undefined && !ROUTE_SELECTION.test(args.routeSelectionExpression)) {
    fail("routeSelectionExpression", args.routeSelectionExpression, "is not a WebSocket route selection expression", 'Use "$request.body.<field>", e.g. "$request.body.action".');
  }
  const custom = keys.filter((k) => !k.startsWith("$"));
  if (custom.length === 0 && args.routeSelectionExpression !== undefined && !keys.includes("$default")) {
    fail("routeSelectionExpression", args.routeSelectionExpression, "selects among custom routes, but there are none", "Add custom routes, or drop routeSelectionExpression.");
  }
  if (args.authorizer) {
    // "You can only use a Lambda authorizer function for the $connect route."
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
    if (!keys.includes("$connect")) {
      fail("authorizer", args.authorizer.handler, "guards $connect, the only route a WebSocket authorizer runs on, but there is no $connect route", 'Add routes["$connect"] (it records the connection and its user).');
    }
    checkSourceFile(fail, "authorizer.handler", args.authorizer.handler, "Point it at the authorizer's source file");
    if (args.authorizer.function) validateFunction(fail, "authorizer.function", args.authorizer.function);
    const sources = args.authorizer.identitySources;
    if (sources !== undefined && sources.length === 0) fail("authorizer.identitySources", sources, "is empty", 'Name where the token is, e.g. ["route.request.querystring.token"].');
    for (const source of sources ?? []) {
      if (!IDENTITY_SOURCE.test(source)) fail("authorizer.identitySources", source, "is not a WebSocket identity source", 'Use "route.request.querystring.<name>" or "route.request.header.<name>".');
    }
    if (args.anonymous) fail("anonymous", true, "is set with an authorizer", "Drop one: anonymous means no authorizer on $connect.");
  } else if (!args.anonymous) {
    fail(
      "authorizer",
      undefined,
      "is not set, so anyone could connect",
      'Set a Lambda REQUEST authorizer on $connect (e.g. { handler: "handlers/realtime/authorizer.ts" }, which verifies the UserAuth id token), or anonymous: true for a public API.',
    );
  }
  if (!args.connectionsTable?.name || !args.connectionsTable?.arn) {
    fail("connectionsTable", args.connectionsTable, "is not a table", "Pass a DataTier table declared with connectionsTableArgs(), e.g. data.tables.connections.");
  }
  if (args.stage !== undefined && !STAGE_NAME.test(args.stage)) fail("stage", args.stage, "is not a stage name", "Use 1–128 letters, digits, hyphens and underscores, e.g. prod.");
  if (args.throttle && (!(args.throttle.rateLimit > 0) || !Number.isInteger(args.throttle.burstLimit) || args.throttle.burstLimit < 1)) {
    fail("throttle", args.throttle, "is not a throttle", "Use { rateLimit: <requests/second > 0>, burstLimit: <whole number ≥ 1> }.");
  }
  validateLogRetention(fail, "logRetentionDays", args.logRetentionDays);
  if (args.accountCloudWatchRole !== undefined && args.accountCloudWatchRole !== false) {
    fail(
      "accountCloudWatchRole",
      args.accountCloudWatchRole,
      "is not false; RealtimeApi does not set the account's CloudWatch Logs role (a ServerlessApi with accountCloudWatchRole: true does)",
      "Pass { dependsOn: [api.nodes.account] } to order the stage after the ServerlessApi that sets it, or accountCloudWatchRole: false when it is set elsewhere.",
    );
  }
  if (args.executionLogLevel !== undefined && !LOG_LEVELS.includes(args.executionLogLevel)) {
    fail("executionLogLevel", args.executionLogLevel, "is not a WebSocket stage logging level", 'Use "ERROR" (default), "INFO" or "OFF".');
  }
  if (args.domain) {
    validateRegionalDomain(fail, args.domain, apiRegion, "live.gallery.example.com");
    validateDomainIpAddressType(fail, args.domain.ipAddressType);
  }
  // Checked as a route's own function is: every route and the authorizer inherit the defaults, so a timeout past the
  // integration's limit would otherwise reach LambdaFunction, which names the first function it refuses it on.
  if (args.functionDefaults) validateFunction(fail, "functionDefaults", args.functionDefaults);
}

/**
 * The Lambda functions of the routes and the authorizer: LambdaFunctions `<name>-<slug>`, whose functions are autonamed
 * `<name>-<slug>-function-<7 hex>` (components/lambda/function.ts). Checked here with the rules LambdaFunction applies,
 * so its refusal, which would name an argument and value the user never wrote, never comes. A custom route key's slug
 * is that route's to shorten (a key of at most n characters has a slug of at most n); a predefined key's ($connect,
 * …) and the authorizer's are fixed, so their length is the component name's to fix.
 */
function functionResources(name: string, keys: readonly string[], withAuthorizer: boolean): AutonamedResource[] {
  const lambdaFunction = (slug: string): AutonamedResource => ({ resource: `${name}-${slug}${FUNCTION_NAME_SUFFIX}`, kind: "lambda-function" });
  const routes = keys.map((key): AutonamedResource => {
    const slug = routeSlug(key);
    if (PREDEFINED_ROUTE_KEYS.includes(key)) return lambdaFunction(slug);
    return { ...lambdaFunction(slug), part: { argument: `routes["${key}"]`, value: key, text: slug, what: "a route key" } };
  });
  return [...routes, ...(withAuthorizer ? [lambdaFunction(AUTHORIZER_SLUG)] : [])];
}

function validateFunction(fail: ArgFailure, argument: string, fn: ApiFunctionArgs): void {
  // Lambda's timeout is whole seconds from 1 (CreateFunction Timeout: "Type: Integer", "Minimum value of 1",
  // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html), and a WebSocket API's integration timeout is
  // "50 milliseconds - 29 seconds for all integration types", not raised
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
  checkWholeNumberInRange(fail, `${argument}.timeout`, fn.timeout, { min: 1, max: API_INTEGRATION_TIMEOUT_SECONDS }, {
    limit: "RealtimeApi's range",
    unit: "seconds",
    reason: `Lambda's timeout is whole seconds from 1, and API Gateway waits at most ${API_INTEGRATION_TIMEOUT_SECONDS} s for a WebSocket integration`,
    fix: `Use a whole number from 1 to ${API_INTEGRATION_TIMEOUT_SECONDS} seconds, or hand long work to a queue.`,
  });
  assertLeastPrivilege(fail, `${argument}.permissions`, fn.permissions ?? []);
}

export function normalise(name: string, args: RealtimeApiArgs): RealtimeApiSpec {
  const defaults = args.functionDefaults ?? {};
  const merge = (own: ApiFunctionArgs | undefined): RealtimeRouteSpec["function"] => mergeApiFunctionArgs(defaults, own);
  return {
    name,
    routes: Object.entries(args.routes).map(([key, route]) => ({
      key,
      functionName: `${name}-${routeSlug(key)}`,
      entry: resolve(route.handler),
      export: route.export ?? "handler",
      function: merge(route.function),
      postsToConnections: route.postsToConnections ?? false,
    })),
    routeSelectionExpression: args.routeSelectionExpression ?? "$request.body.action",
    authorizer: args.authorizer && {
      functionName: `${name}-${AUTHORIZER_SLUG}`,
      entry: resolve(args.authorizer.handler),
      export: args.authorizer.export ?? "handler",
      // Outside any VPC, as ServerlessApi's Lambda authorizers: it fetches the issuer's JWKS from the internet.
      function: { ...merge(args.authorizer.function), vpc: undefined },
      identitySources: args.authorizer.identitySources ?? ["route.request.querystring.token"],
    },
    // The spec is plain data: the table's name and ARN, not the DataTier handle (its Table resource and grant functions).
    connectionsTable: { name: args.connectionsTable.name, arn: args.connectionsTable.arn },
    stage: args.stage ?? "prod",
    throttle: args.throttle ?? { rateLimit: 100, burstLimit: 200 },
    logRetentionDays: args.logRetentionDays ?? 30,
    executionLogLevel: args.executionLogLevel ?? "ERROR",
    domain: args.domain && { name: args.domain.name, certificateArn: args.domain.certificateArn, ipAddressType: args.domain.ipAddressType ?? DEFAULT_API_DOMAIN_IP_ADDRESS_TYPE },
    region: args.region,
    functions: {},
  };
}
