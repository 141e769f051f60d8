/**
 * RegionalApis' arguments, validation and spec: which regions, which custom domain, how Route 53
 * routes between the regional copies of one API.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import type { PolicyStatement } from "../iam";
import type { ApiAuthorizer, ApiDomainIpAddressType, ApiFunctionArgs, ApiRoute, ServerlessApiArgs } from "../serverless-api";
import { validateApiAutonames, validateDomainIpAddressType } from "../serverless-api/validate";
import { ComponentArgError } from "../errors";
import { declaredStages, DEFAULT_API_DOMAIN_IP_ADDRESS_TYPE, joinPath } from "../serverless-api/args";
import { checkFailureThreshold, FailoverRole, HEALTH_CHECK_LIMITS, healthCheckSettingsProblem, RoutingPolicy } from "../dns-routing/spec";
import { validateRegionName } from "../region";
import { validateRegionalDomain } from "../regional-domain";
import { ACM_COMMON_NAME_MAX_LENGTH, validateCommonNameLength } from "../certificate-validation";

export interface RegionalApisDomain {
  /**
   * The API's host name in every region, e.g. `api.gallery.example.com`. Without `certificateArn` it is the Common
   * Name of the certificates RegionalApis requests, which ACM takes only up to 64 characters: a longer name needs
   * `certificateArn` (one region only) of a certificate with a shorter Common Name that lists this name as a Subject
   * Alternative Name.
   */
  name: string;
  /**
   * Route 53 hosted zone of `name`: each region's ACM certificate is validated through it (DNS), and the
   * routing records go in it; with one region and no routing, a simple alias record of `name` (A, and AAAA when
   * dualstack) to the custom domain. Required with more than one region. A string is looked up at preview
   * (route53:GetHostedZone) and refused when the zone does not hold `name`, the account has no such zone, or it is
   * private while the certificates are validated in it. @default none (one region: no record of `name`, which is
   * then yours to create)
   */
  hostedZoneId?: pulumi.Input<string>;
  /**
   * An existing ACM certificate for `name`, single region only (a certificate lives in one region; with
   * several regions each gets its own, created and DNS-validated for you).
   * @default a certificate per region, DNS-validated in hostedZoneId
   */
  certificateArn?: pulumi.Input<string>;
  /** @default the API's first stage */
  stage?: string;
  /**
   * Who may call the domain in every region. `"dualstack"`: IPv4 and IPv6 clients, and the routing has A and
   * AAAA alias records. `"ipv4"`: IPv4 only (API Gateway's own default), and the routing has A records only,
   * since an AAAA alias to an IPv4-only domain answers no address. Changing it updates the domains and records
   * in place of the old ones, under the same name. From "dualstack" to "ipv4", the domains are updated during the
   * `up` but the AAAA records deleted only at its end (Pulumi deletes last), so in between they answer no address
   * and clients use the A records.
   * @default "dualstack"
   */
  ipAddressType?: ApiDomainIpAddressType;
}

export interface RegionalApisRouting {
  /** Latency (active-active) or failover (active-passive: the first region PRIMARY, the second SECONDARY). */
  policy: RoutingPolicy;
  /**
   * The route every region's health check requests, a public GET route of the API (`"GET /health"`) without `auth`
   * or `apiKeyRequired` (Route 53's checkers send neither a token nor an `x-api-key`: every region would answer 403
   * and look down), through the stage's execute-api host. @default "GET /health"
   */
  healthRoute?: string;
  /** Text the health route's body must contain. @default '"status":"ok"' */
  searchString?: string;
  /** Consecutive checks that change a region's status, 1–10. @default 3 */
  failureThreshold?: number;
  /** Seconds between checks, 10 or 30. @default 30 */
  requestInterval?: number;
}

export interface RegionalApisArgs {
  /**
   * Regions the API is deployed to, the home region first (its API keeps the component's name, the others
   * get `<name>-<region code>`, e.g. `api-usw2`). Tables the functions use must be replicated to every one:
   * each function's DynamoDB permissions are rewritten to its own region's replica, where its SDK calls go.
   * @default [the provider's region] (one API, no routing)
   */
  regions?: string[];
  /** The API, deployed unchanged in every region. */
  api: Omit<ServerlessApiArgs, "region" | "domain">;
  /** Custom domain served by every region (regional endpoints, a certificate per region, base path mapping ""). @default none (execute-api URLs only; required with more than one region) */
  domain?: RegionalApisDomain;
  /** Route 53 records for `domain.name` across the regions. @default none (required with more than one region) */
  routing?: RegionalApisRouting;
  /**
   * Environment variables per region on top of the API's (e.g. a replicated bucket's name in that region).
   * @default {}
   */
  regionalEnvironment?: Record<string, Record<string, pulumi.Input<string>>>;
}

export interface RegionalApisSpec {
  name: string;
  regions: Array<{ region?: string; apiName: string }>;
  domain?: { name: string; hostedZoneId?: pulumi.Input<string>; certificateArn?: pulumi.Input<string>; stage?: string; ipAddressType: ApiDomainIpAddressType };
  routing?: { policy: RoutingPolicy; healthRoute: string; searchString: string; failureThreshold: number; requestInterval: number };
}


/** `us-west-2` → `usw2`, `ap-southeast-1` → `apse1`, `eu-central-1` → `euc1`: short enough for route function names (≤ 47). */
export function regionCode(region: string): string {
  const [area, ...rest] = region.split("-");
  const number = rest.pop() ?? "";
  const middle = rest.map((part) => part.replace(/north/g, "n").replace(/south/g, "s").replace(/east/g, "e").replace(/west/g, "w").replace(/central/g, "c")).join("");
  return `${area}${middle}${number}`;
}

export function validateArgs(fail: ArgFailure, name: string, args: RegionalApisArgs): void {
  const regions = args.regions ?? [];
  regions.forEach((region, index) => {
    validateRegionName(fail, `regions[${index}]`, region);
    if (regions.indexOf(region) !== index) fail(`regions[${index}]`, region, "is listed twice", "List each region once.");
  });
  validateName(fail, name, args);
  const multi = regions.length > 1;
  if (args.api?.endpointType && args.api.endpointType !== "REGIONAL" && multi) {
    fail("api.endpointType", args.api.endpointType, "is not REGIONAL; Route 53 routes between regional endpoints", 'Use "REGIONAL" for an API in several regions.');
  }
  if (multi && !args.domain) fail("domain", undefined, "is missing; clients reach several regions only through one custom domain", "Set domain { name, hostedZoneId }.");
  if (multi && !args.routing) fail("routing", undefined, "is missing; with several regions Route 53 must choose one", "Set routing { policy: RoutingPolicy.Latency } (or Failover).");
  if (args.domain) {
    if (args.domain.certificateArn !== undefined && multi) {
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html
      // "The certificate must be in the same Region as your API": one certificate cannot serve two regions.
      fail("domain.certificateArn", args.domain.certificateArn, "is one certificate for several regions; a regional custom domain needs a certificate in its own region", "Drop certificateArn and set hostedZoneId: a DNS-validated certificate is created in each region.");
    }
    validateDomainIpAddressType(fail, args.domain.ipAddressType);
    if (args.domain.certificateArn !== undefined && !multi) {
      // One region's API takes this certificate: checked here, so the refusal names RegionalApis' own argument (the
      // same rule as ServerlessApi's, "the certificate must be in the same Region as your API"; no region listed: the
      // provider's, checked once known).
      validateRegionalDomain(fail, { name: args.domain.name, certificateArn: args.domain.certificateArn }, regions[0], "api.gallery.example.com");
    }
    if (args.domain.certificateArn === undefined && args.domain.hostedZoneId === undefined) {
      fail("domain.hostedZoneId", undefined, "is missing; the certificates are validated through DNS in it", "Set the hosted zone of domain.name, or (one region) certificateArn.");
    }
    if (args.domain.certificateArn === undefined) {
      // domain.name is the Common Name of every certificate RegionalApis requests (index.ts createCertificate). With
      // several regions certificateArn is refused above, so only a shorter name can do.
      const fix = multi
        ? `Use a domain.name of at most ${ACM_COMMON_NAME_MAX_LENGTH} characters (with several regions RegionalApis requests every region's certificate itself).`
        : `Pass domain.certificateArn: a certificate in the API's region whose Common Name is at most ${ACM_COMMON_NAME_MAX_LENGTH} characters and that lists "${args.domain.name}" as a Subject Alternative Name (up to 253), or use a domain.name of at most ${ACM_COMMON_NAME_MAX_LENGTH} characters.`;
      validateCommonNameLength(fail, "domain.name", args.domain.name, multi ? "the certificate RegionalApis requests in each region" : "the certificate RegionalApis requests", fix);
    }
  }
  if (args.routing) validateRouting(fail, args, regions);
  for (const region of Object.keys(args.regionalEnvironment ?? {})) {
    if (!regions.includes(region)) fail("regionalEnvironment", region, "is not one of regions", `Use one of ${regions.join(", ") || "the listed regions"}.`);
  }
}

/**
 * The name's limits, checked here so a refusal names RegionalApis' `name` and how long it may be: every regional API is
 * named from it (`<name>`, then `<name>-<region code>`), and every API's function, role, log group and alias permission
 * names from that.
 * The longest API name is the one to fit, with ServerlessApi's own check (validateApiAutonames); its refusals name
 * RegionalApis' arguments (`api.routes["…"]` for a route too long) and the region whose API it is.
 */
function validateName(fail: ArgFailure, name: string, args: RegionalApisArgs): void {
  const regionalNames = apiNames(name, args.regions).map((apiName, index) => ({ apiName, region: args.regions?.[index] }));
  const longest = regionalNames.reduce((longestSoFar, next) => (next.apiName.length > longestSoFar.apiName.length ? next : longestSoFar));
  const context = longest.apiName === name ? "" : ` (in the ${longest.region} API, named "${longest.apiName}")`;
  const asRegionalApis: ArgFailure = (argument, value, problem, fix) => fail(regionalApisArgument(argument), value, `${problem}${context}`, fix);
  const api = args.api ?? { routes: {} };
  validateApiAutonames(asRegionalApis, name, longest.apiName, api);
}

/** Each region's ServerlessApi name: the home region's is the component's, the others add the region's code. */
function apiNames(name: string, regions: string[] | undefined): string[] {
  return (regions?.length ? regions : [undefined]).map((region, index) => (index === 0 ? name : `${name}-${regionCode(region!)}`));
}

/**
 * A regional ServerlessApi's argument as what the user wrote to RegionalApis: its `region` is from `regions`, its
 * `domain.*` RegionalApis' own, its `name` the component's (checked by validateName first), everything else is `api.*`
 * (RegionalApis passes `api` through, adding only each region's replica ARNs and `regionalEnvironment`).
 */
function regionalApisArgument(inner: string): string {
  return inner === "name" ? "name" : inner === "region" ? "regions" : /^domain(\.|$)/.test(inner) ? inner : `api.${inner}`;
}

/** A refusal of a regional ServerlessApi as RegionalApis', under the argument the user wrote (regionalApisArgument). */
export function asRegionalApisError(name: string, error: unknown, where?: { region: string | undefined; regionalEnvironment: boolean }): unknown {
  if (!(error instanceof ComponentArgError) || error.component !== "ServerlessApi") return error;
  const argument = regionalApisArgument(error.argument);
  // With several regions, say which region's API refused: its arguments are api's plus that region's regionalEnvironment.
  const context = where?.region ? ` (in the ${where.region} API${where.regionalEnvironment ? `, with regionalEnvironment["${where.region}"]` : ""})` : "";
  return new ComponentArgError("RegionalApis", name, argument, error.value, `${error.problem}${context}`, error.fix);
}

function validateRouting(fail: ArgFailure, args: RegionalApisArgs, regions: string[]): void {
  const routing = args.routing!;
  // Each region's routing record is identified by its region (SetIdentifier); without a list the one API's region is
  // the provider's, unknown here, and a routing of one record is what `regions: [<that region>]` says plainly.
  if (regions.length === 0) {
    fail("regions", args.regions, "are not listed, but routing is set; routing records are one per listed region", 'List the regions, e.g. regions: ["us-east-1"] (one region needs no routing: drop it for a simple alias record).');
  }
  if (!Object.values(RoutingPolicy).includes(routing.policy) || routing.policy === RoutingPolicy.Geolocation) {
    fail("routing.policy", routing.policy, "is not latency or failover", "Use RoutingPolicy.Latency or RoutingPolicy.Failover (geolocation: build the records with DnsRouting).");
  }
  if (routing.policy === RoutingPolicy.Failover && regions.length !== 2) {
    fail("regions", regions, "are not exactly two; failover routes to one PRIMARY and one SECONDARY", "List the primary region, then the secondary.");
  }
  if (!args.domain?.hostedZoneId) fail("domain.hostedZoneId", undefined, "is missing; routing records go in it", "Set the hosted zone of domain.name.");
  checkFailureThreshold(fail, "routing.failureThreshold", routing.failureThreshold);
  const problem = healthCheckSettingsProblem({ requestInterval: routing.requestInterval, searchString: routing.searchString });
  if (problem) fail("routing", routing, `has ${problem}`, "Use requestInterval 10 or 30 and a searchString of 1–255 characters.");
  // The health check must call a real, public GET route: a missing route answers 403/404 and a protected one 401,
  // so every region would look down at once and Route 53 would answer as if all were healthy.
  const healthRoute = routing.healthRoute ?? "GET /health";
  const route = args.api.routes?.[healthRoute];
  if (!healthRoute.startsWith("GET /") || !route) {
    fail("routing.healthRoute", healthRoute, "is not a GET route of the API", `Use one of ${Object.keys(args.api.routes ?? {}).filter((k) => k.startsWith("GET ")).join(", ") || "the API's GET routes"}.`);
  }
  if (/[{}]/.test(healthRoute)) fail("routing.healthRoute", healthRoute, "has path parameters; Route 53 requests one fixed path", "Use a route without {parameters}, e.g. GET /health.");
  // The path the checkers request through the stage (createRouting): Route 53 takes a ResourcePath of at most 255
  // characters (API_HealthCheckConfig), refused here under RegionalApis' argument rather than by the DnsRouting inside.
  const stage = args.domain?.stage ?? Object.keys(declaredStages(args.api.stages))[0];
  const checkedPath = healthCheckPath(stage, args.api.basePath ?? "", healthRoute);
  if (checkedPath.length > HEALTH_CHECK_LIMITS.pathMax) {
    fail("routing.healthRoute", healthRoute, `makes the health checks request ${checkedPath} (stage, basePath and route: ${checkedPath.length} characters), over Route 53's ${HEALTH_CHECK_LIMITS.pathMax}`, "Use a health route with a shorter path (e.g. GET /health), or a shorter basePath or stage name.");
  }
  if ((route.auth ?? args.api.defaultAuth ?? "iam") !== "none") {
    fail("routing.healthRoute", healthRoute, "needs authorisation; Route 53's checkers send no credentials and would see 401/403", 'Make the health route public (auth: "none").');
  }
  // A method that requires an API key answers a request without one with 403 (gateway response INVALID_API_KEY, "for an
  // invalid API key submitted for a method requiring an API key",
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html), and a Route 53
  // health check sends no headers of our choosing (HealthCheckConfig has none to set:
  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html); only a 2xx or 3xx passes
  // (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
  if (route.apiKeyRequired) {
    fail("routing.healthRoute", healthRoute, "needs an API key (apiKeyRequired); Route 53's checkers send no x-api-key header and would see 403 in every region", "Make the health route keyless: drop apiKeyRequired on it (other routes can keep theirs).");
  }
  // allowSourceIps makes the resource policy deny every other address on every route, the health route included
  // (serverless-api/policy.ts, DenyOtherSourceIps). Route 53's checkers call from Route 53's own ranges, which a
  // restriction by source address must let in ("service": "ROUTE53_HEALTHCHECKS" in ip-ranges.json: "Add these ranges
  // to the list of allowed IP address ranges if you're using Route 53 health checks",
  // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/route-53-ip-addresses.html). Those ranges are published,
  // not fixed, and a list here would go stale; denied, every region answers 403 and looks down, and Route 53, with no
  // healthy record, answers as if all were healthy ("If no record is healthy, all records are healthy",
  // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html), so a
  // failed region is never routed around.
  const allowSourceIps = args.api.resourcePolicy?.allowSourceIps;
  if (allowSourceIps?.length) {
    fail(
      "api.resourcePolicy.allowSourceIps",
      allowSourceIps,
      `restricts every route to these ranges, the health route ${healthRoute} too; Route 53's health checkers call from Route 53's own address ranges (ROUTE53_HEALTHCHECKS in ip-ranges.json), so every region would answer them 403 and look down, and failover would never happen`,
      "Restrict callers with an authorizer (auth) instead of allowSourceIps, or drop routing (one region); denySourceIps is kept, as long as it does not cover Route 53's health checkers.",
    );
  }
}

export function normalise(name: string, args: RegionalApisArgs): RegionalApisSpec {
  const regions = args.regions?.length ? args.regions : [undefined];
  return {
    name,
    regions: regions.map((region, index) => ({ region, apiName: apiNames(name, args.regions)[index] })),
    domain: args.domain && {
      name: args.domain.name,
      hostedZoneId: args.domain.hostedZoneId,
      certificateArn: args.domain.certificateArn,
      stage: args.domain.stage,
      ipAddressType: args.domain.ipAddressType ?? DEFAULT_API_DOMAIN_IP_ADDRESS_TYPE,
    },
    routing: args.routing && {
      policy: args.routing.policy,
      healthRoute: args.routing.healthRoute ?? "GET /health",
      searchString: args.routing.searchString ?? '"status":"ok"',
      failureThreshold: args.routing.failureThreshold ?? 3,
      requestInterval: args.routing.requestInterval ?? 30,
    },
  };
}

/**
 * The path every region's health check requests through its stage's execute-api host: `/<stage>/<basePath>/<path of
 * the health route>`, e.g. `/prod/api/health` (the execute-api host takes the stage as the first path segment).
 */
export function healthCheckPath(stage: string, basePath: string, healthRoute: string): string {
  return `/${stage}${joinPath(basePath, healthRoute.slice("GET ".length))}`;
}

/** The failover role of the i-th region: the first is PRIMARY. */
export function failoverRole(index: number): FailoverRole {
  return index === 0 ? FailoverRole.Primary : FailoverRole.Secondary;
}

/** A DynamoDB ARN (table, index, stream) moved to `region`: a global table has the same name in every replica region. */
export function replicaArn(arn: string, region: string): string {
  return arn.replace(/^(arn:[^:]+:dynamodb:)[^:]*:/, `$1${region}:`);
}

function inRegion(statements: PolicyStatement[] | undefined, region: string): PolicyStatement[] | undefined {
  return statements?.map((s) => ({ ...s, resources: s.resources.map((r) => pulumi.output(r).apply((arn) => replicaArn(arn, region))) }));
}

/**
 * A Secrets Manager secret's or a multi-Region KMS key's ARN in another region: replica secrets keep the name and
 * suffix and multi-Region keys their key id, so only the region changes (StackSecret `replicaRegions`). A function
 * reads the secret in its own region: Secrets Manager answers for the secrets of the region it is called in.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/add-regions.html ("the same as the primary secret except
 * for the Region"); https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (MultiRegion: "the same key ID").
 */
export function secretReplicaArn(arn: string, region: string): string {
  return arn.replace(/^(arn:[^:]+:(?:secretsmanager|kms):)[^:]*:/, `$1${region}:`);
}

function secretsIn(secrets: ApiFunctionArgs["secrets"], region: string): ApiFunctionArgs["secrets"] {
  if (!secrets) return secrets;
  const inRegionArn = (arn: pulumi.Input<string> | undefined) => arn && pulumi.output(arn).apply((value) => secretReplicaArn(value, region));
  return Object.fromEntries(
    Object.entries(secrets).map(([variable, secret]) => [variable, { ...secret, secretsManager: inRegionArn(secret.secretsManager), kmsKeyArn: inRegionArn(secret.kmsKeyArn) }]),
  );
}

function functionIn(fn: ApiFunctionArgs | undefined, region: string, environment: Record<string, pulumi.Input<string>> | undefined): ApiFunctionArgs | undefined {
  if (!fn && !environment) return fn;
  return {
    ...fn,
    permissions: inRegion(fn?.permissions, region),
    secrets: secretsIn(fn?.secrets, region),
    ...(environment ? { environment: { ...fn?.environment, ...environment } } : {}),
  };
}

/**
 * The API's args for one region: every function's DynamoDB permissions point at that region's replica (its SDK
 * calls the region it runs in), and the region's extra environment goes on every function.
 */
export function apiArgsIn(api: RegionalApisArgs["api"], region: string, environment: Record<string, pulumi.Input<string>> | undefined): RegionalApisArgs["api"] {
  const routes: Record<string, ApiRoute> = Object.fromEntries(
    Object.entries(api.routes).map(([key, route]) => [
      key,
      {
        ...route,
        function: route.function && functionIn(route.function, region, undefined),
        integration: route.integration?.type === "aws" ? { ...route.integration, permissions: inRegion(route.integration.permissions, region)! } : route.integration,
      },
    ]),
  );
  const authorizers: Record<string, ApiAuthorizer> | undefined =
    api.authorizers &&
    Object.fromEntries(Object.entries(api.authorizers).map(([key, a]) => [key, a.type === "cognito" ? a : { ...a, function: a.function && functionIn(a.function, region, undefined) }]));
  const defaults = api.functionDefaults;
  return {
    ...api,
    routes,
    authorizers,
    functionDefaults: { ...defaults, ...functionIn(defaults, region, environment) },
  };
}
