/**
 * fast-check generators of ServerlessApi (REST and HTTP kinds) and RegionalApis arguments a user might plausibly write,
 * in the manner of ./component-args-arbitraries.ts: mostly well-formed, with the edges people hit — route keys with
 * variable and greedy path parts, lower-case methods, trailing slashes, duplicate routes, stage names and variables at
 * their limits, canaries, every integration and authorizer type, endpoint types with and without VPC endpoints,
 * custom domains, CORS, usage plans — and now and then a value the component must refuse. Used by
 * tests/fuzz/component-args-api.test.ts.
 */
import fc from "fast-check";
import { RoutingPolicy } from "../../components/dns-routing";
import type { PolicyStatement } from "../../components/iam";
import type { RegionalApisArgs } from "../../components/regional-apis";
import { STACK_REGION } from "./component-args-arbitraries";
import { ApiKind, type ApiAuthorizer, type ApiRoute, type ApiRouteAuth, type ApiStage, type RestVpcLink, type ServerlessApiArgs } from "../../components/serverless-api";

/** Usually `valid`, now and then `edge` (a value at or past a limit, or one the component must refuse). */
function mostly<T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>): fc.Arbitrary<T> {
  // Rarer than in ./component-args-arbitraries.ts: an API has some thirty arguments, and a run with an edge in one of
  // them is refused there, so with 12:1 almost no run would reach what the component creates.
  return fc.oneof({ weight: 40, arbitrary: valid }, { weight: 1, arbitrary: edge });
}

/** A handler file that exists (bundles of one entry are cached, so runs stay cheap). */
export const API_ENTRY = "tests/fixtures/handlers/echo.ts";
const USER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123";

const method = mostly(fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"), fc.constantFrom("get", "TRACE", "CONNECT"));
// "albums-v1" reads as "/albums/v1" in resource names, which ServerlessApi must refuse beside it (validatePathSlugs).
const literalSegment = mostly(fc.constantFrom("albums", "photos", "health", "v1", "items", "me", "search", "a.b", "x_y", "~u", "albums-v1"), fc.constantFrom("Albums", "with space", "ünï", "a:b", "*"));
const variableSegment = mostly(fc.constantFrom("{id}", "{albumId}", "{photoId}", "{key}"), fc.constantFrom("{1id}", "{al-bum}", "{}"));
const greedySegment = mostly(fc.constantFrom("{proxy+}", "{path+}"), fc.constant("{+}"));
const segment = fc.oneof({ weight: 5, arbitrary: literalSegment }, { weight: 2, arbitrary: variableSegment }, { weight: 1, arbitrary: mostly(fc.constant(undefined), greedySegment) });
/** Literal and variable parts, now and then a greedy one last (rarely one in the middle, which must be refused). */
const path = fc
  .tuple(fc.array(segment, { maxLength: 3 }), fc.option(greedySegment, { nil: undefined, freq: 4 }), mostly(fc.constant(""), fc.constantFrom("/", "//")))
  .map(([parts, greedy, trailing]) => {
    const segments = [...parts, greedy].filter((p) => p !== undefined) as string[];
    return `/${segments.join("/")}${segments.length ? trailing : ""}`;
  });
const routeKey = mostly(
  fc.tuple(method, path).map(([m, p]) => `${m} ${p}`),
  fc.constantFrom("GET", "/albums", "GET  /albums", "GET albums", "$default", "ANY /{proxy+}"),
);

const schema = fc.constantFrom<Record<string, unknown>>({ type: "object", properties: { title: { type: "string" } }, required: ["title"] }, { type: "object" }, { type: "array", items: { type: "number" } });
const auth: fc.Arbitrary<ApiRouteAuth | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom("none" as const, "iam" as const) },
  { weight: 3, arbitrary: fc.record({ authorizer: fc.constantFrom("cognito", "token", "request"), scopes: fc.option(fc.constantFrom<string[]>(["email"], ["gallery/read"], []), { nil: undefined }) }, { requiredKeys: ["authorizer"] }) },
  { weight: 1, arbitrary: fc.constantFrom({ authorizer: "missing" }, { authorizer: "" }) as fc.Arbitrary<ApiRouteAuth> },
);
const functionArgs = fc.record(
  {
    memorySize: mostly(fc.integer({ min: 128, max: 10240 }), fc.constantFrom(127, 10241)),
    timeout: mostly(fc.integer({ min: 1, max: 29 }), fc.constantFrom(0, 30, 900, 2.5)),
    environment: fc.dictionary(fc.constantFrom("TABLE_NAME", "STAGE", "LOG_LEVEL"), fc.constantFrom("gallery", "", "ünï"), { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);

/**
 * A private integration's link as drawn, resolved to the API's kind and region once those are known (the map of
 * serverlessApiArgs, `resolveVpcLink`): `{region}` in an ARN is the API's region, or another one when `otherRegion`.
 * Edges: an ALB's ARN, an NLB name past 32 characters, both or neither of id and targetArn; an empty subnet list, a
 * load balancer's ARN for a listener's, a security group given with an existing id; `otherKind` gives the other kind's
 * shape. An `id` key holding undefined beside targetArn (or the subnets) means no existing link: accepted.
 */
const NLB = "arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/net";
const LISTENER = "arn:aws:elasticloadbalancing:{region}:123456789012:listener";
const vpcLinkDraw = fc.record({
  rest: mostly<Record<string, unknown>>(
    fc.constantFrom<Record<string, unknown>>({ targetArn: `${NLB}/gallery-nlb/0123456789abcdef` }, { targetArn: `${NLB}/n/50dc6c495c0c9188` }, { targetArn: `${NLB}/${"n".repeat(32)}/0123456789abcdef` }, { id: "a1b2c3" }, { id: undefined, targetArn: `${NLB}/a-b/0123456789abcdef` }),
    fc.constantFrom<Record<string, unknown>>({ targetArn: "arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/app/gallery-alb/0123456789abcdef" }, { targetArn: `${NLB}/${"n".repeat(33)}/0123456789abcdef` }, { id: "a1b2c3", targetArn: `${NLB}/gallery-nlb/0123456789abcdef` }, {}, { id: undefined }, { targetArn: "gallery-nlb" }),
  ),
  http: mostly<Record<string, unknown>>(
    fc.constantFrom<Record<string, unknown>>(
      { listenerArn: `${LISTENER}/app/gallery-alb/0123456789abcdef/fedcba9876543210`, subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], securityGroupIds: ["sg-0123456789abcdef0"] },
      { listenerArn: `${LISTENER}/net/gallery-nlb/0123456789abcdef/fedcba9876543210`, subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
      { id: "a1b2c3", listenerArn: `${LISTENER}/app/gallery-alb/0123456789abcdef/fedcba9876543210` },
      { id: undefined, listenerArn: `${LISTENER}/net/n/0123456789abcdef/fedcba9876543210`, subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
    ),
    fc.constantFrom<Record<string, unknown>>(
      { listenerArn: `${LISTENER}/app/gallery-alb/0123456789abcdef/fedcba9876543210`, subnetIds: [], securityGroupIds: ["sg-0123456789abcdef0"] },
      { listenerArn: `${LISTENER}/app/gallery-alb/0123456789abcdef/fedcba9876543210`, subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: [] },
      { listenerArn: "arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/app/gallery-alb/0123456789abcdef", subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
      { id: "a1b2c3", listenerArn: `${LISTENER}/app/gallery-alb/0123456789abcdef/fedcba9876543210`, securityGroupIds: ["sg-0123456789abcdef0"] },
      { listenerArn: `${LISTENER}/app/gallery-alb/0123456789abcdef/fedcba9876543210`, subnetIds: ["vpc-0123"], securityGroupIds: ["sg-0123456789abcdef0"] },
      { listenerArn: "arn:aws:servicediscovery:{region}:123456789012:service/srv-0123456789abcdef", subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
      { id: "a1b2c3" },
    ),
  ),
  otherRegion: mostly(fc.constant(false), fc.constant(true)),
  otherKind: mostly(fc.constant(false), fc.constant(true)),
});
type VpcLinkDraw = { rest: Record<string, unknown>; http: Record<string, unknown>; otherRegion: boolean; otherKind: boolean };

/** The drawn link of the API's kind (or the other's), its ARNs in the API's region (or another). */
function resolveVpcLink(draw: VpcLinkDraw, kind: ApiKind | undefined, apiRegion: string): Record<string, unknown> {
  const http = (kind === ApiKind.Http) !== draw.otherKind;
  const region = draw.otherRegion ? (apiRegion === "eu-west-1" ? "us-west-2" : "eu-west-1") : apiRegion;
  const link = { ...(http ? draw.http : draw.rest) };
  for (const k of ["targetArn", "listenerArn"]) if (typeof link[k] === "string") link[k] = (link[k] as string).replace("{region}", region);
  return link;
}

const integration = fc.oneof(
  fc.record({ type: fc.constant("mock" as const), statusCode: fc.option(mostly(fc.constantFrom(200, 204, 404, 503), fc.constantFrom(99, 600)), { nil: undefined }), body: fc.constantFrom<unknown>({ ok: true }, "maintenance", [], null) }, { requiredKeys: ["type", "body"] }),
  fc.record(
    {
      type: fc.constant("http" as const),
      // A query string: taken by a REST or public integration, refused on an HTTP-kind private one (validateVpcLink); a greedy {x+}: refused everywhere.
      uri: mostly(fc.constantFrom("https://legacy.example.com/items", "https://legacy.example.com/items/{id}", "http://backend.example.com/{proxy}", "https://backend.example.com:8443/"), fc.constantFrom("ftp://x", "legacy.example.com", "https://legacy.example.com/{nope}", "https://legacy.example.com/items?page=1", "https://legacy.example.com/{proxy+}")),
      method: fc.option(fc.constantFrom("GET", "POST", "get"), { nil: undefined }),
      timeoutMs: fc.option(mostly(fc.constantFrom(50, 1000, 29000), fc.constantFrom(49, 30000, 60000, 100.5)), { nil: undefined }),
      // Carried as drawn to the map of serverlessApiArgs, which knows the kind and region (resolveVpcLink).
      vpcLink: fc.option(vpcLinkDraw.map((draw) => draw as unknown as RestVpcLink), { nil: undefined, freq: 2 }),
    },
    { requiredKeys: ["type", "uri"] },
  ),
  fc.record(
    {
      type: fc.constant("aws" as const),
      service: mostly(fc.constantFrom("s3", "sqs", "dynamodb"), fc.constantFrom("S3", "")),
      method: fc.constantFrom("PUT", "POST", "GET"),
      path: fc.constantFrom("gallery-uploads/{key}", "123456789012/queue", "uploads"),
      permissions: mostly<PolicyStatement[]>(fc.constant([{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::gallery-uploads/*"] }]), fc.constantFrom([], [{ actions: ["s3:*"], resources: ["*"] }])),
      requestParameters: fc.option(
        fc.dictionary(
          fc.constantFrom("integration.request.path.key", "integration.request.header.Content-Type", "integration.request.querystring.q", "request.path.key"),
          fc.constantFrom("method.request.path.id", "method.request.path.key", "method.request.header.Content-Type", "'application/json'", "context.requestId", "body"),
          { maxKeys: 2 },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ["type", "service", "method", "path", "permissions"] },
  ),
);

const route: fc.Arbitrary<ApiRoute> = fc
  .record(
    {
      lambda: mostly(fc.boolean(), fc.constant(true)),
      export: fc.option(mostly(fc.constantFrom("handler", "get", "list_all"), fc.constantFrom("1st", "get-it")), { nil: undefined, freq: 4 }),
      function: fc.option(functionArgs, { nil: undefined, freq: 3 }),
      integration,
      auth,
      apiKeyRequired: mostly(fc.constant(false), fc.constant(true)),
      requestSchema: fc.option(schema, { nil: undefined, freq: 2 }),
      name: fc.option(mostly(fc.constantFrom("list", "get-album", "n".repeat(30)), fc.constantFrom("Get_Album", "9x", "n".repeat(60))), { nil: undefined, freq: 4 }),
      both: mostly(fc.constant(false), fc.constant(true)),
    },
    { requiredKeys: ["lambda", "integration", "both"] },
  )
  .map(({ lambda, both, integration: integ, ...r }) => {
    const out: ApiRoute = {};
    if (lambda || both) out.handler = API_ENTRY;
    if (!lambda || both) out.integration = integ;
    for (const [k, v] of Object.entries(r)) if (v !== undefined) (out as any)[k] = v;
    if (!out.handler) {
      delete out.export;
      delete out.function;
      delete out.name;
    }
    return out;
  });

const authorizers: fc.Arbitrary<Record<string, ApiAuthorizer>> = fc
  .record(
    {
      cognito: fc.option(
        fc.record({ type: fc.constant("cognito" as const), userPoolArns: mostly<string[]>(fc.constant([USER_POOL_ARN]), fc.constantFrom([], [USER_POOL_ARN, USER_POOL_ARN.replace("AbCdEf123", "Other0001")])), audience: fc.option(mostly<string[]>(fc.constant(["1example23456789"]), fc.constant([])), { nil: undefined }) }, { requiredKeys: ["type", "userPoolArns"] }),
        { nil: undefined },
      ),
      token: fc.option(
        fc.record(
          {
            type: fc.constant("token" as const),
            handler: mostly(fc.constant(API_ENTRY), fc.constant("handlers/api/missing.ts")),
            identitySource: fc.option(fc.constantFrom("method.request.header.Authorization", "method.request.header.X-Token"), { nil: undefined }),
            resultTtlSeconds: fc.option(mostly(fc.constantFrom(0, 300, 3600), fc.constantFrom(-1, 3601, 1.5)), { nil: undefined }),
          },
          { requiredKeys: ["type", "handler"] },
        ),
        { nil: undefined },
      ),
      request: fc.option(
        fc.record(
          {
            type: fc.constant("request" as const),
            handler: fc.constant(API_ENTRY),
            identitySource: fc.option(fc.constantFrom("method.request.header.Authorization", "method.request.header.Authorization,method.request.querystring.token"), { nil: undefined }),
            resultTtlSeconds: fc.option(fc.constantFrom(0, 60), { nil: undefined }),
          },
          { requiredKeys: ["type", "handler"] },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: [] },
  )
  .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Record<string, ApiAuthorizer>);

/**
 * Hyphenated names too: beside "prod" with a canary, "prod-canary" names the same per-stage resources (ServerlessApi
 * must refuse it). A 121-character name (its canary alias would be Lambda's longest, 128): a REST API with route
 * functions refuses it, as its alias permissions' statement ids would pass the 100 pulumi-aws allows; an HTTP API, or
 * one without functions, takes it.
 */
const stageName = mostly(fc.constantFrom("prod", "dev", "test", "v2", "staging_eu", "Prod", "s".repeat(121), "pre-prod", "prod-canary", "v-2", "health-prod"), fc.constantFrom("2024", "s".repeat(122), "my-stage", "s".repeat(129), ""));
const throttle = fc.record({ rateLimit: mostly(fc.constantFrom(1, 10, 100, 0.5, 5000), fc.constantFrom(0, -1)), burstLimit: mostly(fc.constantFrom(1, 20, 200, 5000), fc.constantFrom(0, 2.5)) });
const stageVariableValue = mostly(fc.constantFrom("gallery", "https://backend.example.com/x?y=1", "a,b", "v".repeat(512)), fc.constantFrom("", "with space", "v".repeat(513), "ünï"));
const stage: fc.Arbitrary<ApiStage> = fc.record(
  {
    variables: fc.dictionary(mostly(fc.constantFrom("backend", "TABLE", "log_level"), fc.constantFrom("my-var", "alias")), stageVariableValue, { maxKeys: 2 }),
    throttle,
    canary: fc.record(
      { percentTraffic: mostly(fc.constantFrom(0, 5, 10, 50, 100, 12.5), fc.constantFrom(-1, 101)), stageVariableOverrides: fc.option(fc.record({ alias: mostly(fc.constantFrom("prod-canary", "next"), fc.constantFrom("prod", "123", "with space")) }, { requiredKeys: [] }), { nil: undefined }) },
      { requiredKeys: ["percentTraffic"] },
    ),
  },
  { requiredKeys: [] },
);

const domainName = mostly(fc.constantFrom("api.gallery.example.com", "api.example.com", "a-b.example.co.uk"), fc.constantFrom("API.gallery.example.com", "api.gallery.example.com.", "api_x.example.com", "*.example.com"));
const certificateArn = mostly(fc.constant("arn:aws:acm:us-east-1:123456789012:certificate/abc"), fc.constantFrom("arn:aws:acm:eu-west-1:123456789012:certificate/abc", "arn:aws:iam::123456789012:server-certificate/x"));

/** The HTTP kind refuses many REST arguments; its runs leave most of those off, so they reach what the kind creates. */
export const serverlessApiArgs: fc.Arbitrary<ServerlessApiArgs> = fc
  .record(
    {
      kind: fc.constantFrom(undefined, ApiKind.Rest, ApiKind.Http),
      routes: fc.dictionary(routeKey, route, { minKeys: 1, maxKeys: 4 }),
      basePath: fc.option(mostly(fc.constantFrom("", "api", "api/v1", "v1.2"), fc.constantFrom("/api", "api/", "a b")), { nil: undefined }),
      stages: fc.option(mostly(fc.dictionary(stageName, stage, { minKeys: 1, maxKeys: 2 }), fc.constant({})), { nil: undefined }),
      canary: fc.option(fc.record({ stage: fc.constantFrom("prod", "dev", "nope"), percentTraffic: fc.constantFrom(5, 10, 100) }), { nil: undefined, freq: 6 }),
      authorizers,
      defaultAuth: auth,
      functionDefaults: fc.option(
        fc.record({ memorySize: fc.constantFrom(256, 1024), timeout: mostly(fc.constantFrom(5, 29), fc.constant(30)), logRetentionDays: mostly(fc.constantFrom(1, 14, 30, 365), fc.constant(2)) }, { requiredKeys: [] }),
        { nil: undefined },
      ),
      endpointType: fc.option(mostly(fc.constantFrom("REGIONAL" as const, "EDGE" as const, "PRIVATE" as const), fc.constant("regional" as any)), { nil: undefined }),
      vpcEndpointIds: fc.option(mostly<string[]>(fc.constantFrom<string[]>(["vpce-0123456789abcdef0"], ["vpce-0123456789abcdef0", "vpce-0fedcba9876543210"]), fc.constantFrom(["vpc-0123"], ["vpce-0123456789abcdef0", "vpce-0123456789abcdef0"])), { nil: undefined }),
      resourcePolicy: fc.option(
        fc.record({ allowSourceIps: mostly<string[]>(fc.constantFrom<string[]>(["203.0.113.0/24"], ["2001:db8::/32"], ["10.0.0.1"]), fc.constant(["not-an-ip"])), denySourceIps: fc.constantFrom<string[]>(["198.51.100.7/32"]), allowAccounts: mostly<string[]>(fc.constant(["123456789012"]), fc.constant(["1234"])) }, { requiredKeys: [] }),
        { nil: undefined, freq: 4 },
      ),
      cors: fc.option(
        fc.record({ allowOrigins: mostly<string[]>(fc.constantFrom<string[]>(["https://gallery.example.com"], ["http://localhost:5173"]), fc.constantFrom([], ["*"], ["https://a.example.com", "https://b.example.com"])), allowHeaders: fc.option(fc.constantFrom(["Authorization"], ["Content-Type", "X-Custom"]), { nil: undefined }), maxAgeSeconds: fc.option(mostly(fc.constantFrom(0, 600, 7200), fc.constantFrom(-1, 86401)), { nil: undefined }) }, { requiredKeys: ["allowOrigins"] }),
        { nil: undefined, freq: 3 },
      ),
      usagePlans: fc.option(
        fc.dictionary(
          fc.constantFrom("free", "pro", "Partner_1"),
          fc.record(
            {
              quota: fc.record({ limit: mostly(fc.constantFrom(1, 1000, 100000), fc.constantFrom(0, 1.5)), period: mostly(fc.constantFrom("DAY" as const, "WEEK" as const, "MONTH" as const), fc.constant("YEAR" as any)) }),
              throttle,
              apiKeys: fc.uniqueArray(mostly(fc.constantFrom("mobile", "partner-a", "CLI"), fc.constantFrom("with space", "k".repeat(1025))), { maxLength: 2 }),
              stages: fc.constantFrom(["prod"], ["dev"], ["nope"]),
            },
            { requiredKeys: [] },
          ),
          { maxKeys: 2 },
        ),
        { nil: undefined, freq: 3 },
      ),
      throttle: fc.option(throttle, { nil: undefined }),
      logRetentionDays: fc.option(mostly(fc.constantFrom(1, 7, 30, 3653), fc.constantFrom(0, 2)), { nil: undefined }),
      executionLogLevel: fc.option(fc.constantFrom("ERROR" as const, "INFO" as const), { nil: undefined }),
      tracing: fc.option(fc.boolean(), { nil: undefined }),
      accountCloudWatchRole: fc.option(fc.boolean(), { nil: undefined }),
      domain: fc.option(
        fc.record({ name: domainName, certificateArn, stage: fc.option(fc.constantFrom("prod", "dev", "nope"), { nil: undefined }), basePath: fc.option(mostly(fc.constantFrom("", "v1", "api/v1"), fc.constantFrom("/v1", "a b")), { nil: undefined }), ipAddressType: fc.option(mostly(fc.constantFrom("ipv4" as const, "dualstack" as const), fc.constant("ipv6" as any)), { nil: undefined }) }, { requiredKeys: ["name", "certificateArn"] }),
        { nil: undefined, freq: 3 },
      ),
      region: fc.option(mostly(fc.constantFrom("us-east-1", "us-west-2", "eu-west-1"), fc.constantFrom("US-WEST-2", "moon-1")), { nil: undefined, freq: 4 }),
      /** On the HTTP kind, keep the REST-only arguments (which it must refuse) this time. */
      restOnlyOnHttp: mostly(fc.constant(false), fc.constant(true)),
      /**
       * Leave the arguments' relations as generated this time, often inconsistent: references (a canary's, a domain's and
       * usage plans' stages; routes' authorizers), request schemas on methods without a body, VPC endpoints and
       * domains beside the endpoint type. Otherwise they are made consistent, so most runs reach what the component creates.
       */
      incoherent: mostly(fc.constant(false), fc.constant(true)),
    },
    { requiredKeys: ["routes", "restOnlyOnHttp", "incoherent"] },
  )
  .map(({ restOnlyOnHttp, incoherent, ...generated }) => {
    // A copy: fast-check may hand the same generated values to later runs and shrinks.
    const a = structuredClone(generated);
    const args: ServerlessApiArgs = { routes: a.routes };
    for (const [k, v] of Object.entries(a)) if (v !== undefined) (args as any)[k] = v;
    if (Object.keys(a.authorizers ?? {}).length === 0) delete args.authorizers;
    // audience belongs to the HTTP kind's JWT authorizer (required there, refused on REST): mostly given where it belongs.
    const cognito = args.authorizers?.cognito as { audience?: string[] } | undefined;
    if (cognito && !restOnlyOnHttp) {
      if (args.kind === ApiKind.Http) cognito.audience ??= ["1example23456789"];
      else delete cognito.audience;
    }
    if (args.kind === ApiKind.Http) {
      // Keep most HTTP runs to what the kind supports (the REST-only arguments are refused by design; a few stay).
      for (const k of ["usagePlans", "canary", "resourcePolicy", "vpcEndpointIds", "executionLogLevel", "tracing"] as const) if (!restOnlyOnHttp) delete args[k];
      if (!restOnlyOnHttp) {
        if (args.endpointType !== "REGIONAL") delete args.endpointType;
        if (args.authorizers) delete args.authorizers.token, delete args.authorizers.request;
        for (const r of Object.values(args.routes)) {
          if (r.integration && r.integration.type !== "http") delete r.integration;
          if (!r.handler && !r.integration) r.handler = API_ENTRY;
          delete r.requestSchema;
          delete r.apiKeyRequired;
        }
        for (const s of Object.values(args.stages ?? {})) delete s.canary;
      }
    }
    // Private integrations: the link of the API's kind, in its region (now and then not; see vpcLinkDraw).
    for (const r of Object.values(args.routes)) {
      if (r.integration?.type === "http" && r.integration.vpcLink) r.integration.vpcLink = resolveVpcLink(r.integration.vpcLink as unknown as VpcLinkDraw, args.kind, args.region ?? STACK_REGION) as any;
    }
    if (!incoherent) {
      args.routes = oneVariablePerLevel(args.routes);
      for (const [key, r] of Object.entries(args.routes)) {
        const parameters = new Set([...key.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1]));
        const integ = r.integration;
        if (integ?.type === "http" && [...integ.uri.matchAll(/\{([A-Za-z0-9_]+)\}/g)].some((m) => !parameters.has(m[1]))) integ.uri = "https://legacy.example.com/items";
        if (integ?.type === "aws" && integ.requestParameters) {
          integ.requestParameters = Object.fromEntries(Object.entries(integ.requestParameters).filter(([, source]) => !source.startsWith("method.request.path.") || parameters.has(source.slice(20))));
        }
      }
      if (args.domain && typeof args.domain.certificateArn === "string" && args.domain.certificateArn.startsWith("arn:aws:acm:")) {
        args.domain.certificateArn = args.domain.certificateArn.replace(/:acm:[a-z0-9-]+:/, `:acm:${args.region ?? STACK_REGION}:`);
      }
      const bodyMethod = /^(POST|PUT|PATCH|ANY) /;
      for (const [key, r] of Object.entries(args.routes)) if (!bodyMethod.test(key)) delete r.requestSchema;
      if (args.endpointType === "PRIVATE") {
        args.vpcEndpointIds ??= ["vpce-0123456789abcdef0"];
        delete args.domain;
      } else delete args.vpcEndpointIds;
      const stages = Object.keys(args.stages ?? { prod: {} });
      const stageOf = (s: string) => (stages.includes(s) ? s : stages[0]);
      if (args.canary) args.canary.stage = stageOf(args.canary.stage);
      if (args.canary && args.stages?.[args.canary.stage]?.canary) delete args.canary;
      if (args.domain?.stage !== undefined) args.domain.stage = stageOf(args.domain.stage);
      for (const plan of Object.values(args.usagePlans ?? {})) if (plan.stages) plan.stages = plan.stages.map(stageOf);
      const declared = Object.keys(args.authorizers ?? {});
      const authOf = (auth: ApiRouteAuth | undefined): ApiRouteAuth | undefined => {
        if (auth === undefined || typeof auth === "string" || declared.includes(auth.authorizer)) return auth;
        return declared.length ? { ...auth, authorizer: declared[0] } : "iam";
      };
      args.defaultAuth = authOf(args.defaultAuth);
      if (args.defaultAuth === undefined) delete args.defaultAuth;
      for (const r of Object.values(args.routes)) if (r.auth !== undefined) r.auth = authOf(r.auth);
      // Scopes are for Cognito authorizers only.
      for (const holder of [args as { defaultAuth?: ApiRouteAuth }, ...Object.values(args.routes) as { auth?: ApiRouteAuth }[]]) {
        const auth = "defaultAuth" in holder ? holder.defaultAuth : (holder as { auth?: ApiRouteAuth }).auth;
        if (typeof auth === "object" && auth.scopes && args.authorizers?.[auth.authorizer]?.type !== "cognito") delete auth.scopes;
      }
    }
    return args;
  });

/**
 * A REST API takes one variable path part per level (ServerlessApi refuses a second): each later route's variable part
 * under a parent becomes the first one's, where that keeps a greedy part last.
 */
function oneVariablePerLevel(routes: Record<string, ApiRoute>): Record<string, ApiRoute> {
  const variableUnder = new Map<string, string>();
  return Object.fromEntries(
    Object.entries(routes).map(([key, route]) => {
      const match = /^(\S+) (\/.*)$/.exec(key);
      if (!match) return [key, route];
      const segments = match[2] === "/" ? [] : match[2].slice(1).split("/");
      segments.forEach((part, index) => {
        if (!part.startsWith("{")) return;
        const parent = segments.slice(0, index).join("/");
        const first = variableUnder.get(parent);
        if (first === undefined) variableUnder.set(parent, part);
        else if (!first.endsWith("+}") || index === segments.length - 1) segments[index] = first;
      });
      return [`${match[1]} /${segments.join("/")}`, route];
    }),
  );
}

const region = mostly(fc.constantFrom("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"), fc.constantFrom("US-WEST-2", "moon-1"));

export const regionalApisArgs: fc.Arbitrary<RegionalApisArgs> = fc
  .record(
    {
      regions: fc.option(mostly(fc.uniqueArray(region, { minLength: 1, maxLength: 3 }), fc.constant<string[]>(["us-west-2", "us-west-2"])), { nil: undefined, freq: 5 }),
      api: fc.record({
        routes: fc.constantFrom<Record<string, ApiRoute>>(
          { "GET /health": { handler: API_ENTRY, auth: "none" } },
          { "GET /health": { handler: API_ENTRY, auth: "none" }, "GET /albums/{id}": { handler: API_ENTRY, auth: "iam" } },
          { "GET /albums": { handler: API_ENTRY, auth: "iam" } },
        ),
        basePath: fc.constantFrom(undefined, "api"),
        stages: fc.constantFrom(undefined, { prod: {} }, { dev: {}, prod: {} }),
        endpointType: fc.constantFrom(undefined, "REGIONAL" as const, "EDGE" as const),
        accountCloudWatchRole: fc.constant(false),
      }),
      domain: fc.option(
        fc.record(
          {
            name: domainName,
            hostedZoneId: fc.option(fc.constant("Z0123456789EXAMPLE0000"), { nil: undefined, freq: 6 }),
            certificateArn: fc.option(certificateArn, { nil: undefined }),
            stage: fc.option(fc.constantFrom("prod", "dev", "nope"), { nil: undefined }),
            ipAddressType: fc.option(fc.constantFrom("ipv4" as const, "dualstack" as const), { nil: undefined }),
          },
          { requiredKeys: ["name"] },
        ),
        { nil: undefined, freq: 6 },
      ),
      routing: fc.option(
        fc.record(
          {
            policy: fc.constantFrom(RoutingPolicy.Latency, RoutingPolicy.Failover),
            healthRoute: fc.option(mostly(fc.constantFrom("GET /health"), fc.constantFrom("GET /albums", "POST /health", "GET /nope")), { nil: undefined }),
            searchString: fc.option(mostly(fc.constantFrom('"status":"ok"', "ok"), fc.constantFrom("", "s".repeat(256))), { nil: undefined }),
            failureThreshold: fc.option(mostly(fc.constantFrom(1, 3, 10), fc.constantFrom(0, 11)), { nil: undefined }),
            requestInterval: fc.option(mostly(fc.constantFrom(10, 30), fc.constant(20)), { nil: undefined }),
          },
          { requiredKeys: ["policy"] },
        ),
        { nil: undefined, freq: 6 },
      ),
      regionalEnvironment: fc.option(fc.constant({ "us-west-2": { BUCKET: "gallery-usw2" } }), { nil: undefined, freq: 4 }),
    },
    { requiredKeys: ["api"] },
  )
  .map((a) => {
    const api = Object.fromEntries(Object.entries(a.api).filter(([, v]) => v !== undefined)) as unknown as RegionalApisArgs["api"];
    const args: RegionalApisArgs = { api };
    for (const k of ["regions", "domain", "routing", "regionalEnvironment"] as const) if (a[k] !== undefined) (args as any)[k] = a[k];
    if (args.domain) args.domain = Object.fromEntries(Object.entries(args.domain).filter(([, v]) => v !== undefined)) as any;
    if (args.routing) args.routing = Object.fromEntries(Object.entries(args.routing).filter(([, v]) => v !== undefined)) as any;
    return args;
  });

// ------------------------------------------------------------------------------------------ names that meet (must refuse)

/** Arguments whose resource names meet after ServerlessApi's slugging, with the arguments its refusal may name. */
export interface MeetingNames {
  /** Which way the names meet (for the failure message and the tally). */
  how: string;
  args: ServerlessApiArgs;
  /** The refusal names one of these (validation stops at the first clash it meets, from either side). */
  arguments: string[];
}

/** A path word: lower-case letters and digits, so only the separators put between words make two paths read alike. */
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const anyMethod = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY");
/** A REST or HTTP route: a Lambda handler (now and then with its own function name) or, REST only, a mock. */
const meetingRoute = (own: string, rest: boolean) =>
  fc.constantFrom<ApiRoute[]>(
    [{ handler: API_ENTRY, auth: "none" }],
    [{ handler: API_ENTRY, auth: "none", name: own }],
    rest ? [{ integration: { type: "mock", body: { ok: true } }, auth: "none" }] : [{ handler: API_ENTRY, auth: "none" }],
  ).map(([route]) => structuredClone(route));
const routeArguments = (...keys: string[]) => keys.flatMap((key) => [`routes["${key}"]`, `routes["${key}"].name`]);

/**
 * Names ServerlessApi makes from routes and stages that meet, which it must refuse at construction (the engine would
 * refuse the duplicate URN at preview, or AWS the second resource at `up`) naming itself and the argument:
 * - REST paths of one slug at some prefix (`/p/a/b` beside `/p/a-b`; `/a/{b}` beside `/a/b`): their resources (routes.ts
 *   `resourceSlug`) meet; validate.ts `validatePathSlugs`.
 * - HTTP routes of one method and one path slug (`GET /a-b` beside `GET /a/b`): routes and integrations are named by
 *   method and slug (http-api.ts). Two methods on paths of one slug (`GET /a-b` beside `POST /a/b`) meet nowhere, and
 *   the must-accept HTTP property draws them (./component-accept-arbitraries.ts).
 * - Two Lambda routes of one function name (`GET /a_b` beside `GET /a/b`, args.ts `routeFunctionName`).
 * - REST stages whose per-stage resources meet (stages.ts `stageResourceNames`): `s` with a canary beside `s-canary`;
 *   routes `/a` and `/a/b` with stages `p` and `b-p` (aliases `<api>-get-a-b-p`); a canary alias meeting another
 *   route's stage alias; and a canary's alias override that is a stage's name (two Lambda aliases of one name,
 *   ResourceConflictException). Canaries on the stage or through the top-level `canary` argument.
 * - Two canaries of one Lambda alias: two overrides of one name, or an override that is another stage's default
 *   `<stage>-canary` (CreateAlias: ResourceConflictException). The override is refused, under the argument written.
 * - A REST AWS-service route's responses (`<slug>-<status>`, routes.ts responseNames) beside a mock route at
 *   `<path>/<status>` or `<path>-<status>` of its method, or beside the CORS preflight of `<path>/<status>`.
 * - REST body models of one operation name (`POST /a_b`, `/a.b` or `/aB` beside `POST /a/b`, with schemas).
 * - Usage plan keys `<api>-plan-<plan>-<key>` of two pairs (`pro-eu`+`mobile` beside `pro`+`eu-mobile`).
 */
export const meetingServerlessApiArgs: fc.Arbitrary<MeetingNames> = fc.oneof(
  fc
    .record({ kind: fc.constantFrom(undefined, ApiKind.Rest), parent: fc.option(word, { nil: undefined }), a: word, b: word, tail: fc.constantFrom("", "/x"), m1: anyMethod, m2: anyMethod, r1: meetingRoute("one", true), r2: meetingRoute("two", true) })
    .map(({ kind, parent, a, b, tail, m1, m2, r1, r2 }) => {
      const base = parent ? `/${parent}` : "";
      const k1 = `${m1} ${base}/${a}/${b}`;
      const k2 = `${m2} ${base}/${a}-${b}${tail}`;
      return { how: "REST paths of one slug", args: { ...(kind ? { kind } : {}), routes: { [k1]: r1, [k2]: r2 } }, arguments: routeArguments(k1, k2) };
    }),
  fc
    .record({ kind: fc.constantFrom(ApiKind.Rest, ApiKind.Http), a: word, b: word, m: anyMethod, other: anyMethod, r1: meetingRoute("one", false), r2: meetingRoute("two", false) })
    .map(({ kind, a, b, m, other, r1, r2 }) => {
      // A variable and a literal of one name at one place: API Gateway takes both; their names meet. HTTP: one method (see above).
      const k1 = `${m} /${a}/{${b}}`;
      const k2 = `${kind === ApiKind.Http ? m : other} /${a}/${b}`;
      return { how: `${kind}: a path variable beside a literal of its name`, args: { kind, routes: { [k1]: r1, [k2]: r2 } }, arguments: routeArguments(k1, k2) };
    }),
  fc.record({ a: word, b: word, m: anyMethod, r1: meetingRoute("one", false), r2: meetingRoute("two", false) }).map(({ a, b, m, r1, r2 }) => {
    const k1 = `${m} /${a}/${b}`;
    const k2 = `${m} /${a}-${b}`;
    return { how: "HTTP routes of one method and path slug", args: { kind: ApiKind.Http, routes: { [k1]: r1, [k2]: r2 } }, arguments: routeArguments(k1, k2) };
  }),
  fc.record({ kind: fc.constantFrom(ApiKind.Rest, ApiKind.Http), a: word, b: word, separator: fc.constantFrom("_", "."), m: anyMethod }).map(({ kind, a, b, separator, m }) => {
    const k1 = `${m} /${a}${separator}${b}`;
    const k2 = `${m} /${a}/${b}`;
    const routes: Record<string, ApiRoute> = { [k1]: { handler: API_ENTRY, auth: "none" }, [k2]: { handler: API_ENTRY, auth: "none" } };
    return { how: `${kind}: two routes of one function name`, args: { kind, routes }, arguments: routeArguments(k1, k2) };
  }),
  fc
    .record({ s: word, override: fc.boolean(), top: fc.boolean(), first: fc.boolean(), percentTraffic: fc.double({ min: 0, max: 100, noNaN: true }) })
    .map(({ s, override, top, first, percentTraffic }) => {
      const canary = { percentTraffic, ...(override ? { stageVariableOverrides: { alias: `${s}-next` } } : {}) };
      const own: Record<string, ApiStage> = { [s]: top ? {} : { canary } };
      const other: Record<string, ApiStage> = { [`${s}-canary`]: {} };
      const stages = first ? { ...own, ...other } : { ...other, ...own };
      const args: ServerlessApiArgs = { routes: { "GET /health": { handler: API_ENTRY, auth: "none" } }, stages, ...(top ? { canary: { stage: s, ...canary } } : {}) };
      // A top-level canary's refusals name `canary.*` (the argument that was written); a stage's own, `stages`.
      return { how: "a stage beside another stage's canary", args, arguments: top ? ["stages", "canary.stage"] : ["stages"] };
    }),
  fc.record({ a: word, b: word, p: word, first: fc.boolean() }).map(({ a, b, p, first }) => {
    const stages = first ? { [p]: {}, [`${b}-${p}`]: {} } : { [`${b}-${p}`]: {}, [p]: {} };
    const args: ServerlessApiArgs = { routes: { [`GET /${a}`]: { handler: API_ENTRY, auth: "none" }, [`GET /${a}/${b}`]: { handler: API_ENTRY, auth: "none" } }, stages };
    return { how: "two routes' stage aliases", args, arguments: ["stages"] };
  }),
  fc.record({ a: word, p: word.filter((p) => p !== "canary"), top: fc.boolean() }).map(({ a, p, top }) => {
    const canary = { percentTraffic: 10, stageVariableOverrides: { alias: `${p}-next` } };
    const routes = { [`GET /${a}`]: { handler: API_ENTRY, auth: "none" as const }, [`GET /${a}/${p}`]: { handler: API_ENTRY, auth: "none" as const } };
    const args: ServerlessApiArgs = top ? { routes, stages: { [p]: {}, canary: {} }, canary: { stage: p, ...canary } } : { routes, stages: { [p]: { canary }, canary: {} } };
    return { how: "a canary's alias beside another route's stage alias", args, arguments: ["stages"] };
  }),
  // On the stage, or through the top-level `canary`, whose refusal names the argument the user wrote.
  fc.record({ s: word, t: word, top: fc.boolean() }).filter(({ s, t }) => s !== t).map(({ s, t, top }) => {
    const canary = { percentTraffic: 5, stageVariableOverrides: { alias: t } };
    const routes = { "GET /health": { handler: API_ENTRY, auth: "none" as const } };
    const args: ServerlessApiArgs = top ? { routes, stages: { [s]: {}, [t]: {} }, canary: { stage: s, ...canary } } : { routes, stages: { [s]: { canary }, [t]: {} } };
    return { how: "a canary alias override that is a stage's name", args, arguments: [`${top ? "canary" : `stages.${s}.canary`}.stageVariableOverrides.alias`] };
  }),
  fc
    .record({ s: word, t: word, a: word, shared: fc.boolean(), top: fc.constantFrom(undefined, "s", "t"), percentTraffic: fc.double({ min: 0, max: 100, noNaN: true }) })
    .filter(({ s, t }) => s !== t)
    .map(({ s, t, a, shared, top, percentTraffic }) => {
      // Both override the alias to one name, or t's override is s's default alias.
      const aliasOf = { [s]: shared ? `${a}-next` : undefined, [t]: shared ? `${a}-next` : `${s}-canary` };
      const canaryOf = (stage: string) => ({ percentTraffic, ...(aliasOf[stage] ? { stageVariableOverrides: { alias: aliasOf[stage]! } } : {}) });
      const onTop = top === undefined ? undefined : top === "s" ? s : t;
      const stages = Object.fromEntries([s, t].map((stage) => [stage, stage === onTop ? {} : { canary: canaryOf(stage) }]));
      const args: ServerlessApiArgs = { routes: { "GET /health": { handler: API_ENTRY, auth: "none" } }, stages, ...(onTop ? { canary: { stage: onTop, ...canaryOf(onTop) } } : {}) };
      const overrides = [s, t].filter((stage) => aliasOf[stage]).map((stage) => `${stage === onTop ? "canary" : `stages.${stage}.canary`}.stageVariableOverrides.alias`);
      return { how: "two canaries of one Lambda alias", args, arguments: overrides };
    }),
  fc
    .record({ a: word, m: anyMethod, status: fc.constantFrom("200", "400", "500"), separator: fc.constantFrom("/", "-"), cors: fc.boolean(), first: fc.boolean() })
    .map(({ a, m, status, separator, cors, first }) => {
      const s3: ApiRoute = {
        integration: { type: "aws", service: "s3", method: "GET", path: "bucket/key", permissions: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/key"] }] },
        auth: "none",
      };
      // With cors, the AWS-service route answers OPTIONS and a Lambda route's path gets the preflight; else a mock of its method.
      const k1 = `${cors ? "OPTIONS" : m} /${a}`;
      const k2 = cors ? `${m === "OPTIONS" ? "GET" : m} /${a}/${status}` : `${m} /${a}${separator}${status}`;
      const other: ApiRoute = cors ? { handler: API_ENTRY, auth: "none" } : { integration: { type: "mock", body: { ok: true } }, auth: "none" };
      const routes = first ? { [k1]: s3, [k2]: other } : { [k2]: other, [k1]: s3 };
      const args: ServerlessApiArgs = { routes, ...(cors ? { cors: { allowOrigins: ["https://gallery.example.com"] } } : {}) };
      return { how: `an AWS-service route's responses beside ${cors ? "a CORS preflight" : "a mock"} at <path>${cors ? "/" : separator}<status>`, args, arguments: routeArguments(k1, k2) };
    }),
  fc
    .record({ a: word, b: word, m: fc.constantFrom("POST", "PUT", "PATCH", "ANY"), joined: fc.constantFrom("_", ".", "camel"), r1: meetingRoute("one", true), r2: meetingRoute("two", true), first: fc.boolean() })
    .map(({ a, b, m, joined, r1, r2, first }) => {
      const k1 = `${m} /${a}/${b}`;
      const k2 = `${m} /${joined === "camel" ? `${a}${b[0].toUpperCase()}${b.slice(1)}` : `${a}${joined}${b}`}`;
      const routes = first ? { [k1]: { ...r1, requestSchema: { type: "object" } }, [k2]: { ...r2, requestSchema: { type: "object" } } } : { [k2]: { ...r2, requestSchema: { type: "object" } }, [k1]: { ...r1, requestSchema: { type: "object" } } };
      return { how: "REST body models of one operation name", args: { routes }, arguments: routeArguments(k1, k2) };
    }),
  fc.record({ p: word, q: word, k: word, first: fc.boolean() }).map(({ p, q, k, first }) => {
    const plans: Array<[string, { apiKeys: string[] }]> = [[`${p}-${q}`, { apiKeys: [k] }], [p, { apiKeys: [`${q}-${k}`] }]];
    const usagePlans = Object.fromEntries(first ? plans : [...plans].reverse());
    const args: ServerlessApiArgs = { routes: { "GET /health": { handler: API_ENTRY, auth: "none", apiKeyRequired: true } }, usagePlans };
    return { how: "usage plan keys of two plan/key pairs", args, arguments: [`usagePlans.${p}.apiKeys`, `usagePlans.${p}-${q}.apiKeys`] };
  }),
);
