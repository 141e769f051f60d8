/**
 * ServerlessApi's public arguments (what users write) and the small naming rules
 * validation and normalisation share.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../iam";
import { LAMBDA_BUNDLE_EXTERNALS, type DeployBundleOptions } from "../lambda/bundle";
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS, type FunctionVpc } from "../lambda/function";
import type { FunctionSecret } from "../lambda/secrets";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];


/**
 * Which API Gateway API the route table becomes: a REST API (v1, every feature), or an HTTP API
 * (v2: cheaper and lower latency, payload format 2.0 events, the native JWT authorizer; no usage
 * plans, canaries, request validation, mock or AWS-service integrations, resource policies,
 * execution logs or X-Ray — docs/http-api.md). The HTTP kind refuses those arguments.
 */
export enum ApiKind {
  Rest = "rest",
  Http = "http",
}

/** Settings of a route's (or an authorizer's) Lambda function; see LambdaFunctionArgs. */
export interface ApiFunctionArgs {
  /** Memory in MB, 128–10240. @default 512 */
  memorySize?: number;
  /** Seconds, 1–29 (API Gateway's integration timeout). @default 10 */
  timeout?: number;
  /** Environment variables on top of `functionDefaults.environment`. */
  environment?: Record<string, pulumi.Input<string>>;
  /** The function's own least-privilege statements (e.g. a DataTier grant), on top of `functionDefaults.permissions`. */
  permissions?: PolicyStatement[];
  /** Secrets by environment variable (LambdaFunctionArgs.secrets), on top of `functionDefaults.secrets`. @default {} */
  secrets?: Record<string, FunctionSecret>;
  /**
   * Run the route's function in a VPC (LambdaFunctionArgs.vpc); a route's own `vpc` replaces `functionDefaults.vpc`.
   * Lambda authorizers stay outside: they fetch the issuer's JWKS from the internet.
   * @default not in a VPC
   */
  vpc?: FunctionVpc;
  /**
   * Lambda layer version ARNs (LambdaFunctionArgs.layers), after `functionDefaults.layers`: at most 5 in all, each in
   * the API's region. `npm start` does not load layers (docs/local-vs-aws.md): code a handler imports from one must
   * also resolve locally. @default none
   */
  layers?: pulumi.Input<string>[];
  /**
   * Reserved concurrent executions of the function (LambdaFunctionArgs.reservedConcurrency): a whole number, 0 or more,
   * which both guarantees and caps its share of the account's concurrency. A route's own replaces
   * `functionDefaults.reservedConcurrency`. 0 throttles every call: API Gateway then answers 500 (`npm start` too).
   * Every reservation must leave the account 100 unreserved. @default unreserved
   */
  reservedConcurrency?: number;
  /**
   * esbuild options (external modules, defines); `API_BUNDLE_EXTERNALS` are always external. A define
   * may be an Output (e.g. UserAuth's `authorizerFunction()` bakes the pool's JWKS): the code is then
   * built when it resolves, at deploy time. @default { external: API_BUNDLE_EXTERNALS }
   */
  bundle?: DeployBundleOptions;
}

/** The externals every LambdaFunction gets (LAMBDA_BUNDLE_EXTERNALS), under the name API users already import. */
export const API_BUNDLE_EXTERNALS: readonly string[] = LAMBDA_BUNDLE_EXTERNALS;

/** The bundle options an API function is built with. */
export function apiBundleOptions<O extends DeployBundleOptions>(own: O | undefined): O & { external: string[] } {
  return { ...(own as O), external: [...API_BUNDLE_EXTERNALS, ...(own?.external ?? [])] };
}

/** How a route is authorised. */
export type ApiRouteAuth =
  /** Public: no authorisation. Only for routes meant for anyone (security rule APIG4 lists them). */
  | "none"
  /** AWS_IAM: SigV4-signed requests from principals IAM allows `execute-api:Invoke`. */
  | "iam"
  /** One of `authorizers`, by name; `scopes` only for Cognito access tokens. */
  | { authorizer: string; scopes?: string[] };

/** A static response from API Gateway itself (no backend), e.g. a config or maintenance route. */
export interface MockIntegration {
  /** Selects this integration. */
  type: "mock";
  /**
   * HTTP status of the response: a whole number from 100 to 599 (API Gateway's method response status pattern
   * `[1-5]\d\d`); `npm start` answers with the same status. Changing it on a deployed route replaces the route's
   * method and integration responses delete-first (API Gateway refuses a second default integration response beside
   * the old one); the stage answers from its deployment until the new one is made. @default 200
   */
  statusCode?: number;
  /**
   * JSON body: a string as is, anything else serialised. Values may be `pulumi.Input`s at any
   * depth (e.g. a user pool's id), resolved at deploy time; a body holding Outputs also
   * triggers a new deployment when its resolved value changes.
   */
  body: pulumi.Input<unknown>;
}

/** Proxy to an HTTP backend (EC2, Beanstalk, another API). */
export interface HttpIntegration {
  /** Selects this integration. */
  type: "http";
  /**
   * Backend URL; path parameters as `{name}`, e.g. `https://legacy.example.com/items/{id}`; stage variables as
   * `${stageVariables.name}` (e.g. `https://${stageVariables.backend}/items/{id}`), each defined on every stage (not in
   * an HTTP-kind `vpcLink` uri). `npm start` substitutes both, a canary's overrides included.
   */
  uri: string;
  /** HTTP method of the backend call, in upper case: one of HTTP_METHODS (the provider refuses `"get"`, validate.ts). @default the route's method */
  method?: string;
  /**
   * Milliseconds API Gateway waits for the backend, at least 50. REST: at most 29000 on an EDGE API; at most 300000 on
   * a REGIONAL or PRIVATE one, where above 29000 needs the account's raised integration timeout quota (ServerlessApi
   * warns). HTTP kind: at most 30000 (not adjustable). A longer timeout is refused, never cut down. `npm start` waits
   * as long, then answers as API Gateway does (REST 504, HTTP kind 503). @default 29000
   */
  timeoutMs?: number;
  /**
   * Reach the backend privately, inside a VPC, through an API Gateway VPC link (a "private integration"); nothing new is
   * public. REST kind: `{ targetArn }`, a Network Load Balancer's ARN (ServerlessApi creates one VPC link per distinct
   * NLB, shared by its routes; creating one takes minutes), or `{ id }`, an existing REST VPC link (links are a
   * per-region quota: share one between APIs). `uri` is then the URL whose host API Gateway sends as `Host` and, for
   * https, checks the backend's certificate against (e.g. the NLB's DNS name or a name its certificate holds). HTTP
   * kind: `{ listenerArn, subnetIds, securityGroupIds }`, an ALB or NLB listener reached through a VPC link v2 that
   * ServerlessApi creates in those subnets and security groups (one per distinct set), or `{ id, listenerArn }` with an
   * existing VPC link v2; the backend gets `uri`'s path (its `{name}`s from the route's path; a greedy `{x+}` or a query
   * string in `uri` is refused), and `uri`'s scheme is the protocol API Gateway speaks to the listener: https means TLS,
   * verifying the backend's certificate against `uri`'s host ("If you specify a TLS configuration, private integration
   * traffic uses the HTTPS protocol", apigatewayv2 TlsConfigInput), http plain HTTP, so the listener's protocol must
   * match. `npm start` proxies to `uri` as for any HTTP integration: a host that resolves only inside the VPC answers 500
   * locally, as any unreachable backend does.
   * @default not private: `uri` over the internet
   */
  vpcLink?: RestVpcLink | HttpApiVpcLink;
}

/**
 * A REST API's VPC link (API Gateway v1), to exactly one Network Load Balancer in the API's region and account
 * ("targetArns: The ARN of the network load balancer of the VPC targeted by the VPC link",
 * https://docs.aws.amazon.com/apigateway/latest/api/API_CreateVpcLink.html): one ServerlessApi creates, or one that exists.
 */
export type RestVpcLink =
  /** The NLB's ARN, `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>`, known at construction. */
  | { targetArn: string }
  /** An existing REST VPC link's id (e.g. `aws.apigateway.VpcLink`'s `id`, or one another stack owns). */
  | { id: pulumi.Input<string> };

/**
 * An HTTP API's VPC link v2 and the load balancer listener the route reaches through it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html).
 */
export type HttpApiVpcLink =
  /** A VPC link v2 ServerlessApi creates (one per distinct subnets and security groups), and the listener's ARN. */
  | { listenerArn: string; subnetIds: string[]; securityGroupIds: string[] }
  /** An existing VPC link v2's id, and the listener's ARN. */
  | { id: pulumi.Input<string>; listenerArn: string };

/**
 * Call an AWS service API directly (an "AWS Service" integration, e.g. S3 PUT, Kinesis PutRecord, DynamoDB GetItem) with
 * a role holding exactly `permissions`. Path-style (`path`, e.g. S3's `bucket/{key}`) or action-style (`action`, e.g.
 * `"PutRecord"`, for JSON-protocol services such as Kinesis and DynamoDB, whose request a `requestTemplates` template
 * builds from the client's, so the stream or table name stays server-side). The service's 2xx answers pass through with
 * its Content-Type, or through `responseTemplates`; its 4xx become 400 and anything else 500, each a JSON
 * `{ message, requestId }` (the service's own error bodies name buckets, tables, ARNs and accounts; they stay in the
 * execution logs). REST kind only. `npm start` runs them against its local emulators (S3, SQS, SNS, Kinesis, DynamoDB,
 * EventBridge, Step Functions), mapping templates rendered as API Gateway renders them (docs/local-vs-aws.md); other
 * services answer 501.
 */
export interface AwsServiceIntegration {
  /** Selects this integration. */
  type: "aws";
  /** Service subdomain, e.g. `"s3"`, `"kinesis"`, `"dynamodb"`, `"sqs"`. */
  service: string;
  /**
   * HTTP method of the service call, e.g. `"PUT"` for S3's PutObject. Kinesis and DynamoDB take POST only.
   * @default "POST" with `action`; required with `path`
   */
  method?: string;
  /** Path-style call: `path/<path>` in the URI, e.g. `"my-bucket/{key}"`. Exactly one of path and action. */
  path?: pulumi.Input<string>;
  /**
   * Action-style call: `action/<action>` in the URI, the service API's action name, e.g. `"PutRecord"`, `"GetItem"`
   * (not `"action/GetItem"` nor `"dynamodb:GetItem"`). `permissions` must grant `<service>:<action>`. For Kinesis and
   * DynamoDB the JSON protocol's Content-Type (`application/x-amz-json-1.1` / `-1.0`) is mapped for you unless
   * `requestParameters` maps `integration.request.header.Content-Type`. Exactly one of path and action.
   */
  action?: string;
  /** What the integration's role may do; exact actions and resources. */
  permissions: PolicyStatement[];
  /**
   * Integration request parameters (target ← source), e.g. `{ "integration.request.path.key": "method.request.path.key",
   * "integration.request.header.Content-Type": "method.request.header.Content-Type" }`. Headers and query strings
   * read here are declared on the method for you (optional); path sources must be the route's parameters; the path of
   * a `method.request.body.<JSONPath>` source must be one Jayway JsonPath (API Gateway's JSONPath) parses.
   * @default {} (with `action` on Kinesis or DynamoDB: the protocol's Content-Type)
   */
  requestParameters?: Record<string, string>;
  /**
   * Request mapping templates (VTL) by the client's Content-Type, e.g. `{ "application/json":
   * '{"TableName":"items","Key":{"id":{"S":"$input.params(\'id\')"}}}' }`: what API Gateway sends the service. A
   * request without a Content-Type is read as application/json; one of another type is refused with 415 (passthrough
   * `WHEN_NO_TEMPLATES`), so it never reaches the service as the client wrote it. Each at most 300 KB.
   * @default none: the client's body passes through (passthrough `WHEN_NO_MATCH`)
   */
  requestTemplates?: Record<string, string>;
  /**
   * What API Gateway does with a request whose Content-Type has no request template
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html):
   * `"WHEN_NO_MATCH"` passes its body through as the client wrote it; `"WHEN_NO_TEMPLATES"` passes it through only when
   * the route has no request templates, else answers 415 Unsupported Media Type; `"NEVER"` always answers 415 (so it
   * needs `requestTemplates`; refused without them). AWS-service integrations only.
   * @default "WHEN_NO_TEMPLATES" with requestTemplates, "WHEN_NO_MATCH" without
   */
  passthroughBehavior?: "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";
  /**
   * Response mapping templates (VTL) of the 200 answer, by Content-Type, e.g. `{ "application/json":
   * '{"name":"$input.path(\'$.Item.name.S\')"}' }`: the service's 2xx body as callers get it. Each at most 300 KB.
   * @default none: the service's 2xx body and Content-Type pass through
   */
  responseTemplates?: Record<string, string>;
}

/** One route (`"METHOD /path"`): a Lambda handler or another integration, its authorisation and request checks. */
export interface ApiRoute {
  /** Lambda entry file for a proxy integration, e.g. `"handlers/api/albums.ts"`. Exactly one of handler and integration. */
  handler?: string;
  /** Exported function name in `handler`. @default "handler" */
  export?: string;
  /** The route's function; merged over `functionDefaults`. */
  function?: ApiFunctionArgs;
  /** A non-Lambda integration instead of `handler`. */
  integration?: MockIntegration | HttpIntegration | AwsServiceIntegration;
  /** Who may call the route: `"none"`, `"iam"` or `{ authorizer, scopes? }`. @default the API's `defaultAuth` */
  auth?: ApiRouteAuth;
  /** Callers must send an API key of a usage plan (for quotas, not authentication). @default false */
  apiKeyRequired?: boolean;
  /** JSON Schema (draft 4) the body must match; API Gateway refuses other bodies with 400. */
  requestSchema?: Record<string, unknown>;
  /** Resource name of the route's function (≤ 47 characters with the API's name). @default derived from the route */
  name?: string;
}

/** An authorizer routes refer to by name: a Cognito user pool, or a Lambda function (TOKEN or REQUEST). */
export type ApiAuthorizer =
  | {
      /** Cognito user pool authorizer: API Gateway verifies the pool's id (or access) token itself. */
      type: "cognito";
      /** ARNs of the user pools whose tokens the authorizer accepts (UserAuth's `userPoolArn`). */
      userPoolArns: pulumi.Input<string>[];
      /**
       * App client ids whose tokens are accepted: the HTTP kind's JWT authorizer checks the token's
       * `aud` (id tokens) or `client_id` (access tokens) against them. Required with, and only with, `kind: ApiKind.Http`.
       */
      audience?: pulumi.Input<string>[];
      /**
       * HTTP kind only: the JWT authorizer's issuer, when it is not the one derived from `userPoolArns[0]`
       * (`https://cognito-idp.<region>.amazonaws.com/<pool id>`). A pool whose IssuerConfiguration Type is UPDATED
       * issues tokens with `iss` `https://issuer-cognito-idp.<region>.amazonaws.com/<pool id>`
       * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_IssuerConfigurationType.html),
       * and every token is refused (iss mismatch) unless the authorizer names it: pass UserAuth's `issuerUrl`.
       * @default derived from userPoolArns[0]
       */
      issuer?: pulumi.Input<string>;
      /** Where the token is read from. @default "method.request.header.Authorization" */
      identitySource?: string;
    }
  | {
      /** Lambda authorizer: TOKEN gets the header value, REQUEST the whole request. */
      type: "token" | "request";
      /** Entry file, e.g. `"handlers/api/authorizer.ts"`. */
      handler: string;
      /** The authorizer function's settings, merged over `functionDefaults`. @default the API's `functionDefaults` */
      function?: ApiFunctionArgs;
      /** Where the token is read from. @default "method.request.header.Authorization" */
      identitySource?: string;
      /** Seconds API Gateway caches a decision (0–3600). @default 300 */
      resultTtlSeconds?: number;
    };

/** A canary release on a stage: a share of its traffic goes to the newest function versions. */
export interface ApiCanary {
  /** Percent of the stage's traffic sent to the canary, 0–100 (5–10 is a common start). */
  percentTraffic: number;
  /**
   * Stage variables the canary overrides. `alias` defaults to `<stage>-canary`, an alias
   * that follows the newest function version while the stage's own alias stays put.
   */
  stageVariableOverrides?: Record<string, string>;
}

/** A deployment stage of the API (e.g. dev, test, prod): its variables, throttling and canary. */
export interface ApiStage {
  /** Stage variables. `alias` is set for you: the function alias the stage calls (another value is refused). */
  variables?: Record<string, string>;
  /** Overrides the API's default throttling for this stage. */
  throttle?: ApiThrottle;
  /** Canary release settings; remove (or set percentTraffic 0 and remove) to promote. */
  canary?: ApiCanary;
}

/** Request rate limits, as API Gateway applies them (token bucket). */
export interface ApiThrottle {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Burst bucket size. */
  burstLimit: number;
}

/** A usage plan: API keys with a quota and throttling per key, for metering clients (not authentication). */
export interface ApiUsagePlan {
  /** Requests each API key may make per period: `{ limit, period: "DAY" | "WEEK" | "MONTH" }`. @default no quota */
  quota?: { limit: number; period: "DAY" | "WEEK" | "MONTH" };
  /** Requests per second each API key may make. @default the stage's throttling */
  throttle?: ApiThrottle;
  /** Names of API keys to create and attach to this plan. */
  apiKeys?: string[];
  /** Stages the plan (and its keys) apply to. @default every stage */
  stages?: string[];
}

/** Who may call the API at all, by source IP range or AWS account (the API's resource policy). */
export interface ApiResourcePolicy {
  /** Only these CIDR ranges may call the API. */
  allowSourceIps?: string[];
  /** These CIDR ranges may not call the API. */
  denySourceIps?: string[];
  /**
   * Only IAM principals of these accounts, on `auth: "iam"` routes. A public or Cognito route, or a CORS preflight
   * API Gateway answers, is refused: the policy has no Allow an unsigned caller matches, so it would answer everyone
   * 403. A Lambda authorizer's route is taken, and its authorizer alone decides who gets in (the policy neither allows
   * nor denies its callers).
   */
  allowAccounts?: string[];
}

/** CORS for browsers calling the API from another origin: preflight (OPTIONS) routes and response headers. */
export interface ApiCors {
  /** Origins allowed to call the API from a browser, e.g. `["https://gallery.example.com"]`: one for a REST API (its responses name one), several for an HTTP API. */
  allowOrigins: string[];
  /** Request headers browsers may send (`Access-Control-Allow-Headers`). @default ["Authorization", "Content-Type", "X-Api-Key"] */
  allowHeaders?: string[];
  /** Seconds browsers may cache a preflight answer (`Access-Control-Max-Age`), 0–86400. @default 600 */
  maxAgeSeconds?: number;
}

/**
 * Who may call an API Gateway custom domain: IPv4 clients only, or IPv4 and IPv6 clients. API Gateway's own default
 * for a public custom domain is IPv4; a dualstack one also answers IPv6, so AAAA alias records to it work.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-custom-domain-ip-address-type.html
 */
export type ApiDomainIpAddressType = "ipv4" | "dualstack";

/** The IP address types an API Gateway custom domain takes ("Valid values: `ipv4`, `dualstack`", pulumi-aws 7.48). */
export const API_DOMAIN_IP_ADDRESS_TYPES: readonly ApiDomainIpAddressType[] = ["dualstack", "ipv4"];
/** A custom domain's IP address type when none is given: IPv4 and IPv6 clients (API Gateway's own default is IPv4 only). */
export const DEFAULT_API_DOMAIN_IP_ADDRESS_TYPE: ApiDomainIpAddressType = "dualstack";

/** A ServerlessApi's custom domain: a regional domain name mapped to one stage. */
export interface ApiDomain {
  /** Host name, e.g. `api.gallery.example.com`. */
  name: string;
  /** ACM certificate for `name` in the API's region. */
  certificateArn: pulumi.Input<string>;
  /** @default the first stage */
  stage?: string;
  /**
   * The path the stage is mapped under on the domain, e.g. `"gallery"` for `https://api.example.com/gallery/…`: letters,
   * digits and `$-_.+!*'()`, at most 300 characters, no leading or trailing `/`. Several levels (`"gallery/v2"`) on the
   * HTTP kind only: a REST API's base path mapping takes one. @default "" (the domain's root)
   */
  basePath?: string;
  /**
   * `"dualstack"`: IPv4 and IPv6 clients may call the domain, so both A and AAAA alias records reach it.
   * `"ipv4"`: IPv4 only (API Gateway's own default); give the name A records only. Changing it updates the
   * domain in place (UpdateDomainName), keeping its name and its regional target.
   * @default "dualstack"
   */
  ipAddressType?: ApiDomainIpAddressType;
}

/** Arguments of ServerlessApi. */
export interface ServerlessApiArgs {
  /** REST API (v1) or HTTP API (v2) for the same route table. @default ApiKind.Rest */
  kind?: ApiKind;
  /** Routes as data: `"GET /albums/{albumId}": { handler: "handlers/api/albums.ts", export: "get" }`. */
  routes: Record<string, ApiRoute>;
  /**
   * Path prefix of every route, e.g. `"api"` so CloudFront's `/api/*` behaviour (which
   * forwards the full path) reaches `/api/albums`. @default "" (routes at the root)
   */
  basePath?: string;
  /** Stages by name (e.g. dev, test, prod), each with its stage variables and canary. @default { prod: {} } */
  stages?: Record<string, ApiStage>;
  /**
   * A canary on one stage, as flat stack config gives it (`apiCanaryStage`, `apiCanaryPercent`);
   * the same as setting `stages[stage].canary`.
   */
  canary?: ApiCanary & { stage: string };
  /** Authorizers routes refer to by name. */
  authorizers?: Record<string, ApiAuthorizer>;
  /** Authorisation of routes that set none. Secure by default. @default "iam" */
  defaultAuth?: ApiRouteAuth;
  /** Settings every route function gets (a route's own `function` wins). */
  functionDefaults?: ApiFunctionArgs & {
    /** Days to keep each route function's logs. @default 30 */
    logRetentionDays?: number;
  };
  /**
   * `"PRIVATE"` APIs answer only inside a VPC, through `vpcEndpointIds`; the site's CloudFront
   * cannot reach them (`siteRoute()` refuses). @default "REGIONAL"
   */
  endpointType?: "REGIONAL" | "EDGE" | "PRIVATE";
  /**
   * The execute-api interface VPC endpoints (`vpce-…`) a PRIVATE API answers through: associated
   * with the API (Route 53 aliases `<api-id>-<vpce-id>.execute-api.<region>.amazonaws.com`) and the
   * only callers its resource policy allows (`aws:SourceVpce`). Required for PRIVATE, refused otherwise.
   * @default [] (none)
   */
  vpcEndpointIds?: pulumi.Input<string>[];
  /** Resource policy: restrict callers by IP or account (a PRIVATE API is also kept to `vpcEndpointIds`). */
  resourcePolicy?: ApiResourcePolicy;
  /** CORS preflight (OPTIONS) routes and headers; not needed behind the site's CloudFront (same origin). */
  cors?: ApiCors;
  /** Usage plans with API keys: quotas and throttling per client — not authentication. */
  usagePlans?: Record<string, ApiUsagePlan>;
  /** Default stage throttling. @default { rateLimit: 100, burstLimit: 200 } */
  throttle?: ApiThrottle;
  /** Days to keep access logs. @default 30 */
  logRetentionDays?: number;
  /** Execution logging level of every method (security rule APIG6). @default "ERROR" */
  executionLogLevel?: "ERROR" | "INFO";
  /** X-Ray tracing of stages. @default true */
  tracing?: boolean;
  /**
   * Own API Gateway's account-wide CloudWatch Logs role (`aws.apigateway.Account`): one setting
   * per account and region, shared by every REST API there, which stage access and execution
   * logging need. Turn it on in exactly one stack per account and region; it is retained on
   * delete (with its role), since removing it would break every other API's logging. Set `false`
   * where another stack (or an administrator) owns it; left unset, the component warns that the
   * setting must exist before its stages can log (docs/api-gateway-account.md says how to set it).
   * @default false
   */
  accountCloudWatchRole?: boolean;
  /**
   * Custom domain with a regional ACM certificate; DNS records come from elsewhere. `name` is the host name,
   * `certificateArn` a certificate for it in the API's region, `stage` the stage it maps to, `basePath`
   * the path it is mapped under (one level on the REST kind, several on the HTTP kind) and `ipAddressType` who may call it: `"dualstack"` (IPv4 and IPv6 clients; give
   * the name A and AAAA alias records) or `"ipv4"` (A records only).
   * @default none
   */
  domain?: ApiDomain;
  /** Region of the API and its functions. @default the provider's region */
  region?: string;
}

/**
 * Request parameter mappings of AWS-service integrations (target ← source), as API Gateway reads them.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html
 */
export const INTEGRATION_REQUEST_PARAMETER = /^integration\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.[A-Za-z0-9._$-]+$/;
/** A method request parameter as a mapping source; the method must declare it (see `declaredMethodParameter`). */
export const METHOD_REQUEST_PARAMETER = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.([A-Za-z0-9._$-]+)$/;
/** The other mapping sources: the body (or a JSONPath into it), stage and context variables, and 'static values'. */
export const OTHER_MAPPING_SOURCE = /^(method\.request\.body(\..+)?|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9._$-]+|'[^']*')$/;

/**
 * The JSONPath a `method.request.body.<JSONPath>` mapping source reads in the body: `$.<JSONPath>`, as LocalStack,
 * which checks its API Gateway against AWS, reads it (`extract_jsonpath(body, f"$.{path}")`,
 * localstack-core/localstack/services/apigateway/next_gen/execute_api/parameters_mapping.py); undefined for another source.
 */
export function bodyMappingPath(source: string): string | undefined {
  const path = /^method\.request\.body\.(.+)$/s.exec(source)?.[1];
  return path === undefined ? undefined : `$.${path}`;
}

/** `method.request.multivalueheader.X` → `method.request.header.X`: what the method declares for a mapping source, if anything. */
export function declaredMethodParameter(source: string): { key: string; location: string; name: string } | undefined {
  const match = METHOD_REQUEST_PARAMETER.exec(source);
  if (!match) return undefined;
  const location = match[1].replace(/^multivalue/, "");
  return { key: `method.request.${location}.${match[2]}`, location, name: match[2] };
}

/**
 * `${stageVariables.name}` in an HTTP integration's `uri`: API Gateway puts the stage's value there at request time, in
 * the host, the path or the query ("A stage variable can be used as part of an HTTP integration URL, as shown in the
 * following examples: [...] http://${stageVariables.<variable_name>}/resource/operation",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/aws-api-gateway-stage-variables-reference.html; the HTTP
 * kind takes the same syntax, http-api-stages.stage-variables-reference.html). Names are letters, digits and `_`.
 */
const URI_STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

/** The stage variables an HTTP integration's `uri` names, each once. */
export function uriStageVariables(uri: string): string[] {
  return [...new Set([...uri.matchAll(URI_STAGE_VARIABLE)].map((m) => m[1]))];
}

/**
 * `uri` with each `${stageVariables.name}` replaced by the request's stage variables (a canary's overrides included),
 * as API Gateway does before the backend call. A name the variables lack becomes "" (what LocalStack's URI rendering
 * does, localstack/localstack#8567 "Invalid URL 'https:///…': No host supplied"; ServerlessApi refuses such a uri at
 * construction, validateUriStageVariables).
 */
export function substituteUriStageVariables(uri: string, variables: Readonly<Record<string, string | undefined>> | null | undefined): string {
  return uri.replace(URI_STAGE_VARIABLE, (_, name: string) => variables?.[name] ?? "");
}

/** `GET /albums/{albumId}` → `<api>-get-albums-albumid`, unless the route names itself. */
export function routeFunctionName(apiName: string, key: string, route: ApiRoute): string {
  if (route.name) return `${apiName}-${route.name}`;
  const slug = key
    .toLowerCase()
    .replace(/[{}+]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${apiName}-${slug}`;
}

/** A Lambda authorizer's function resource name. */
export function authorizerFunctionName(apiName: string, authorizerName: string): string {
  return `${apiName}-auth-${authorizerName}`;
}

/** The resource name of the permission API Gateway invokes a Lambda authorizer by (validate.ts refuses a route alias's permission of the same name). */
export function authorizerPermissionName(apiName: string, authorizerName: string): string {
  return `${apiName}-authorizer-${authorizerName}-invoke`;
}

/** The Lambda alias a stage's canary calls: its `stageVariableOverrides.alias`, or `<stage>-canary`. */
export function canaryAlias(stageName: string, canary: Pick<ApiCanary, "stageVariableOverrides">): string {
  return canary.stageVariableOverrides?.alias ?? `${stageName}-canary`;
}

/** A stage's canary as the arguments give it. */
export interface StageCanary {
  canary: ApiCanary;
  /** The argument the user wrote it under: `stages.<stage>.canary`, or `canary` (flat stack config). */
  where: string;
  /** The Lambda alias it calls (canaryAlias). */
  alias: string;
}

/**
 * The canary of stage `stageName`: `stages.<stage>.canary`, or the top-level `canary` when its `stage` is this one
 * (validateArgs refuses both at once). Every reader of a stage's canary (normalise, the canary alias checks, the
 * per-stage resource and permission names) takes it from here, so the flat argument means the same everywhere.
 */
export function stageCanary(args: Pick<ServerlessApiArgs, "stages" | "canary">, stageName: string): StageCanary | undefined {
  const onStage = args.stages?.[stageName]?.canary;
  if (onStage) return { canary: onStage, where: `stages.${stageName}.canary`, alias: canaryAlias(stageName, onStage) };
  if (args.canary === undefined || args.canary.stage !== stageName) return undefined;
  const { stage: _stage, ...canary } = args.canary;
  return { canary, where: "canary", alias: canaryAlias(stageName, canary) };
}

/** The stages an API declares: `stages`, else the one default stage, `prod` (ServerlessApiArgs.stages). */
export function declaredStages(stages: ServerlessApiArgs["stages"]): Record<string, ApiStage> {
  return stages ?? { prod: {} };
}

export function joinPath(basePath: string, path: string): string {
  const joined = `/${[basePath, path.replace(/^\//, "")].filter(Boolean).join("/")}`;
  return joined === "/" ? "/" : joined.replace(/\/$/, "");
}

/**
 * How long API Gateway waits for a route's function: its timeout plus 1 s, so the function's own timeout ends first
 * and is answered as a function error, at most the 29,000 ms API Gateway allows by default ("Custom timeout between 50
 * and 29,000 milliseconds", https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html). One formula for
 * the deployed integrations and the local gateway, which answers 504 only when this, not the function, ends first.
 * No timeout given: LambdaFunction's default.
 */
export function functionIntegrationTimeoutMs(functionTimeoutSeconds: number = DEFAULT_FUNCTION_TIMEOUT_SECONDS): number {
  return Math.min(29_000, functionTimeoutSeconds * 1000 + 1000);
}
