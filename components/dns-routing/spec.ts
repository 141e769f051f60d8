/**
 * DnsRouting's arguments, validation and normalised spec: Route 53 routing records as data
 * (latency, failover, geolocation), each target with its own health check.
 */
import type * as pulumi from "@pulumi/pulumi";
import { formatArgValue, type ArgFailure } from "../errors";
import { checkStackTagRoom } from "../tags";
import { fitName } from "../names";
import { checkWholeNumberInRange, wholeNumberRangeRefusal, type WholeNumberRangeOptions } from "../ranges";
import { validateRegionName } from "../region";
import { API_GATEWAY_REGIONAL_ZONE_IDS, executeApiRegion } from "./api-gateway-zones";

/** How Route 53 picks among the records of one name. */
export enum RoutingPolicy {
  /** The record of the AWS region with the lowest latency to the resolver, among the healthy ones. */
  Latency = "latency",
  /** PRIMARY while its health check passes, else SECONDARY (active-passive). */
  Failover = "failover",
  /** By the resolver's location; the default record (no location) answers everyone else. */
  Geolocation = "geolocation",
}

/** The role of a record in a failover pair. */
export enum FailoverRole {
  Primary = "PRIMARY",
  Secondary = "SECONDARY",
}

/** An HTTPS health check with string matching on one target (Route 53 `HTTPS_STR_MATCH`). */
export interface DnsHealthCheck {
  /** Host the checkers call, e.g. a regional API's `<id>.execute-api.<region>.amazonaws.com`. */
  fqdn: pulumi.Input<string>;
  /** Path the checkers request, e.g. `/prod/api/health`. Must start with `/`. */
  path: string;
  /**
   * Text the first 5,120 bytes of the response body must contain (≤ 255 characters). With `HTTPS_STR_MATCH`
   * a 2xx/3xx alone is not healthy: an error page served with 200 fails the check.
   * @default '"status":"ok"'
   */
  searchString?: string;
  /** Consecutive checks that change the status, 1–10. @default 3 */
  failureThreshold?: number;
  /** Seconds between checks of each checker: 10 (fast, billed extra) or 30. @default 30 */
  requestInterval?: number;
}

/** Where a geolocation record answers: a continent, a country (with a US state), or everyone else (`default: true`). */
export interface GeoLocation {
  /** Two-letter continent code (AF, AN, AS, EU, OC, NA, SA). @default none */
  continent?: string;
  /** ISO 3166 alpha-2 country code, e.g. "DE". @default none */
  country?: string;
  /** US state code, with `country: "US"`. @default none */
  subdivision?: string;
  /** The record for locations no other record covers. @default false */
  default?: boolean;
}

export interface DnsRoutingRecord {
  /** The record's set identifier (1–128 characters, unique within the name), e.g. the region. */
  id: string;
  /**
   * Alias target: a regional API custom domain's `regionalDomainName` and `regionalZoneId`, a distribution
   * (`domainName` and `hostedZoneId`, zone Z2FDTNDATAQYW2), a load balancer.
   */
  target: { name: pulumi.Input<string>; zoneId: pulumi.Input<string> };
  /** AWS region of the target; required for latency records. @default none */
  region?: string;
  /** PRIMARY or SECONDARY; required for failover records. @default none */
  failover?: FailoverRole;
  /** Required for geolocation records. @default none */
  location?: GeoLocation;
  /** The target's health check; without one Route 53 treats the record as always healthy. @default none */
  healthCheck?: DnsHealthCheck;
  /**
   * The local runtime's origin this record stands for (a ServerlessApi's name) and the path prefix
   * the health check's path carries there (the stage, e.g. `/prod`), so `npm start` routes and
   * health-checks the same records. RegionalApis sets both. @default none (not routed locally)
   */
  local?: { originId: string; pathPrefix?: string };
}

export interface DnsRoutingArgs {
  /**
   * The hosted zone the records go in. A string is looked up at preview (route53:GetHostedZone) and refused when the
   * zone does not hold `name` or the account has no such zone; a private zone is a warning.
   */
  zoneId: pulumi.Input<string>;
  /** The name every record answers, e.g. `api.gallery.example.com`. */
  name: string;
  /** How Route 53 chooses among `records`. */
  policy: RoutingPolicy;
  /** The routing records, one per target. */
  records: DnsRoutingRecord[];
  /** AAAA alias records beside the A records (the targets answer IPv6). @default true */
  ipv6?: boolean;
  /**
   * Whether an alias also follows its target's own health (e.g. a nested routing record). Route 53 refuses it
   * for a CloudFront distribution target (alias zone Z2FDTNDATAQYW2): those aliases do not evaluate, and
   * `true` with such a target is an error (when the zone id is an Output, known only once it resolves, a warning,
   * and the alias is created without it); give the record a `healthCheck` instead.
   * @default true (false for a CloudFront distribution target)
   */
  evaluateTargetHealth?: boolean;
}

export interface DnsHealthCheckSpec {
  fqdn: pulumi.Input<string>;
  path: string;
  searchString: string;
  failureThreshold: number;
  requestInterval: number;
}

export interface DnsRoutingRecordSpec {
  id: string;
  target: { name: pulumi.Input<string>; zoneId: pulumi.Input<string> };
  region?: string;
  failover?: FailoverRole;
  location?: GeoLocation;
  healthCheck?: DnsHealthCheckSpec;
  local?: { originId: string; pathPrefix: string };
}

export interface DnsRoutingSpec {
  name: string;
  policy: RoutingPolicy;
  recordTypes: string[];
  /** For targets Route 53 can evaluate: a CloudFront distribution target's alias does not, even when asked explicitly (refused, or dropped with a warning when its zone id is an Output). */
  evaluateTargetHealth: boolean;
  records: DnsRoutingRecordSpec[];
}

export const HEALTH_CHECK_DEFAULTS = { searchString: '"status":"ok"', failureThreshold: 3, requestInterval: 30 } as const;

// https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
// FailureThreshold 1–10; RequestInterval 10 or 30 (fixed after creation); SearchString ≤ 255 characters,
// looked for in the first 5,120 bytes of the body; ResourcePath ≤ 255 characters.
export const HEALTH_CHECK_LIMITS = { failureThreshold: { min: 1, max: 10 }, requestIntervals: [10, 30], searchStringMax: 255, pathMax: 255 } as const;
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html — SetIdentifier 1–128 characters.
export const SET_IDENTIFIER_MAX = 128;
// Route 53's CallerReference is at most 64 characters (API_HealthCheck.html); terraform-provider-aws (which pulumi-aws
// wraps) sends `<referenceName>-<26-character unique id>` and so refuses a reference_name over 64 - 37 = 27 characters
// (internal/service/route53/health_check.go, `validation.StringLenBetween(0, 64 - id.UniqueIDSuffixLength - 11)`).
export const REFERENCE_NAME_MAX = 27;
// The hosted zone id of every CloudFront distribution's alias target.
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html
export const CLOUDFRONT_ALIAS_ZONE_ID = "Z2FDTNDATAQYW2";

/** How a refused failureThreshold reads: "is outside Route 53's range of 1–10 consecutive checks". */
const FAILURE_THRESHOLD_WORDING: WholeNumberRangeOptions = {
  limit: "Route 53's range",
  unit: "consecutive checks",
  fix: `Use a whole number from ${HEALTH_CHECK_LIMITS.failureThreshold.min} to ${HEALTH_CHECK_LIMITS.failureThreshold.max}, e.g. ${HEALTH_CHECK_DEFAULTS.failureThreshold} (the default).`,
};

/**
 * Fails unless a health check's failureThreshold (`argument`, as the component's user wrote it) is absent or in
 * Route 53's range; the component checks it before healthCheckSettingsProblem, whose message names the whole health
 * check.
 */
export function checkFailureThreshold(fail: ArgFailure, argument: string, failureThreshold: unknown): void {
  checkWholeNumberInRange(fail, argument, failureThreshold, HEALTH_CHECK_LIMITS.failureThreshold, FAILURE_THRESHOLD_WORDING);
}

/** Why a health check's settings are refused, or undefined: for the deploy rule over the recorded plan. */
export function healthCheckProblem(check: { failureThreshold?: unknown } & HealthCheckSettings): string | undefined {
  const threshold = wholeNumberRangeRefusal(check.failureThreshold, HEALTH_CHECK_LIMITS.failureThreshold, FAILURE_THRESHOLD_WORDING);
  if (threshold) return `failureThreshold ${formatArgValue(check.failureThreshold)} ${threshold.problem}`;
  return healthCheckSettingsProblem(check);
}

/** A health check's settings besides failureThreshold, as healthCheckProblem reads them. */
export interface HealthCheckSettings {
  requestInterval?: unknown;
  searchString?: unknown;
  resourcePath?: unknown;
  referenceName?: unknown;
}

/**
 * healthCheckProblem without failureThreshold: for a component, which checks that first under the argument its user
 * wrote (checkFailureThreshold), so it is checked once.
 */
export function healthCheckSettingsProblem(check: HealthCheckSettings): string | undefined {
  const { requestInterval, searchString, resourcePath, referenceName } = check;
  if (requestInterval !== undefined && !(HEALTH_CHECK_LIMITS.requestIntervals as readonly unknown[]).includes(requestInterval)) {
    return `requestInterval ${formatArgValue(requestInterval)} is neither 10 nor 30`;
  }
  if (searchString !== undefined && (typeof searchString !== "string" || searchString.length === 0 || searchString.length > HEALTH_CHECK_LIMITS.searchStringMax)) {
    return `searchString ${JSON.stringify(searchString)} is not 1–255 characters`;
  }
  if (resourcePath !== undefined && (typeof resourcePath !== "string" || !resourcePath.startsWith("/") || resourcePath.length > HEALTH_CHECK_LIMITS.pathMax)) {
    return `resourcePath ${JSON.stringify(resourcePath)} does not start with "/" or is over 255 characters`;
  }
  if (referenceName !== undefined && (typeof referenceName !== "string" || referenceName.length > REFERENCE_NAME_MAX)) {
    return `referenceName ${JSON.stringify(referenceName)} is over 27 characters (the provider appends 37 to make Route 53's 64-character CallerReference)`;
  }
  return undefined;
}

/**
 * The health check's referenceName: `<component name>-<record id's letters and digits>` while that fits the
 * provider's 27 characters (as before, so existing health checks, whose referenceName forces replacement, keep
 * theirs); longer ones keep a readable prefix and end in a hash of the whole, so two long names that share the
 * prefix still differ.
 */
export function healthCheckReferenceName(name: string, recordId: string): string {
  return fitName(`${name}-${slug(recordId)}`, REFERENCE_NAME_MAX);
}

/** The Pulumi type of the health checks DnsRouting and StaticSite create, whose tags Route 53 limits to 10 (components/tags.ts). */
export const HEALTH_CHECK_TYPE = "aws:route53/healthCheck:HealthCheck";

/**
 * The health check's `Name` tag, what the Route 53 console lists it by: `<DNS name> <record id>`, with every character
 * a tag value may not hold made "-" and cut to 256. Record ids are free text (a SetIdentifier), but Route 53's health
 * check tags "are the same tags that AWS Billing and Cost Management provides", whose "Allowed characters are Unicode
 * letters, whitespace, and numbers, plus the following special characters: + - = . _ : /" and values "256 Unicode
 * characters" at most (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-tagging.html,
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/allocation-tag-restrictions.html); `@` as the
 * TagLimits deploy rule (components/tags.ts) allows it. A name of those characters is kept as it is.
 */
export function healthCheckNameTag(dnsName: string, recordId: string): string {
  return `${dnsName} ${recordId}`.replace(/[^\p{L}\p{N} _.:/=+\-@]/gu, "-").slice(0, HEALTH_CHECK_NAME_TAG_MAX);
}
const HEALTH_CHECK_NAME_TAG_MAX = 256;

/** Resource names take the record id's letters and digits (`us-east-1` → `useast1`), so ids stay free text. */
/** The resource name of a routing's record of one type for one region or target id: `<routing>-<type>-<slug(id)>`. */
export function routingRecordName(routing: string, type: string, id: string): string {
  return `${routing}-${type.toLowerCase()}-${slug(id)}`;
}

export function slug(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]+/g, "");
}

/**
 * The argument failure of an alias that would evaluate a CloudFront distribution's health: "You can't set
 * EvaluateTargetHealth to true when the alias target is a CloudFront distribution" (API_AliasTarget). The validator
 * fails with it for a zone id known at construction; DnsRouting warns with it, and drops the setting, once a zone id Output resolves.
 */
export function cloudFrontEvaluation(index: number): Parameters<ArgFailure> {
  return [
    "evaluateTargetHealth",
    true,
    `is refused by Route 53 for records[${index}], whose target is a CloudFront distribution (alias zone ${CLOUDFRONT_ALIAS_ZONE_ID})`,
    "Drop evaluateTargetHealth (it is false for CloudFront targets), and give that record a healthCheck on the distribution if it needs one.",
  ];
}


/** The hosted zone an alias target's name requires (aliasTargetZone), with the words a refusal of another zone uses. */
export interface AliasTargetZone {
  /** The AliasTarget.HostedZoneId the name requires, without the `/hostedzone/` prefix. */
  zoneId: string;
  /** What the name is: "an API Gateway regional target in us-west-2", "a CloudFront distribution's name". */
  target: string;
  /** Why that zone, as a clause: "API Gateway's zone in us-west-2 is Z2OJLYMUO9EFXC (AWS General Reference, …)". */
  zone: string;
  /** What to set the zone id to, after "Set it to" or "set the alias zoneId to": "Z2OJLYMUO9EFXC, the regionalZoneId of …". */
  setTo: string;
}

/**
 * The hosted zone an alias target's name requires, when the name shows it: API Gateway's zone of the region in
 * `d-….execute-api.<region>.amazonaws.com` (a regional custom domain's target; only the regions of the confirmed table,
 * API_GATEWAY_REGIONAL_ZONE_IDS) and Z2FDTNDATAQYW2 for `*.cloudfront.net` (a distribution, or an edge-optimized API
 * domain's `cloudfrontDomainName`). AliasTarget.HostedZoneId: "API Gateway custom regional APIs ... specify the value of
 * regionalHostedZoneId"; "CloudFront distribution: Specify Z2FDTNDATAQYW2"
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html); the regional zones from the General
 * Reference's table (https://docs.aws.amazon.com/general/latest/gr/apigateway.html). Another zone is refused by Route 53:
 * "the alias target name does not lie within the target zone" (as AWS printed it, aws/aws-cdk#19643).
 *
 * The one reader of a target name's zone: DnsRouting refuses a record against it at construction
 * (validateAliasTargetZone), and the deploy rule Route53AliasTargetHealth holds a plan's aliases to it (those whose
 * target is not a domain of the plan, whose own zone the rule reads instead). Undefined for any other name (S3 website
 * endpoints, load balancers, other records, regions outside the confirmed table).
 */
export function aliasTargetZone(targetName: string): AliasTargetZone | undefined {
  const host = targetName.toLowerCase().replace(/\.$/, "");
  const region = executeApiRegion(host);
  const regionZone = region === undefined ? undefined : API_GATEWAY_REGIONAL_ZONE_IDS[region];
  if (regionZone !== undefined) {
    return {
      zoneId: regionZone,
      target: `an API Gateway regional target in ${region}`,
      zone: `API Gateway's zone in ${region} is ${regionZone} (AWS General Reference, Amazon API Gateway endpoints and quotas)`,
      setTo: `${regionZone}, the regionalZoneId of the domain whose target this is (ServerlessApi: customDomain.regionalZoneId, beside customDomain.regionalDomainName), not a sibling region's domain's, nor the record's own zone`,
    };
  }
  if (/^[a-z0-9-]+\.cloudfront\.net$/.test(host)) {
    return {
      zoneId: CLOUDFRONT_ALIAS_ZONE_ID,
      target: "a CloudFront distribution's name",
      zone: `every distribution's alias zone is ${CLOUDFRONT_ALIAS_ZONE_ID}`,
      setTo: `the distribution's hostedZoneId (${CLOUDFRONT_ALIAS_ZONE_ID}), or an edge-optimized API domain's cloudfrontZoneId (the same zone)`,
    };
  }
  return undefined;
}

/** A hosted zone id without the `/hostedzone/` prefix Route 53 also takes. */
export function bareZoneId(zoneId: string): string {
  return zoneId.replace(/^\/hostedzone\//, "");
}

/**
 * Fails `argument` when an alias target name and zone id are both strings and the name shows a zone (aliasTargetZone)
 * the id is not: DnsRouting's records and StaticSite's failover target. Outputs are left to the deploy rule
 * Route53AliasTargetHealth, which reads them in the plan.
 */
export function validateAliasTargetZone(fail: ArgFailure, argument: string, targetName: unknown, zoneId: unknown): void {
  if (typeof targetName !== "string" || typeof zoneId !== "string") return;
  const expected = aliasTargetZone(targetName);
  if (expected === undefined || bareZoneId(zoneId) === expected.zoneId) return;
  fail(
    argument,
    zoneId,
    `is not the hosted zone of the alias target ${targetName}, ${expected.target}: ${expected.zone}, and Route 53 refuses the record ("the alias target name does not lie within the target zone")`,
    `Set it to ${expected.setTo}.`,
  );
}

export function validateArgs(fail: ArgFailure, args: DnsRoutingArgs): void {
  if (!/^(?=.{1,253}$)([a-z0-9*]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/.test(args.name ?? "")) {
    fail("name", args.name, "is not a lowercase DNS name", 'Use e.g. "api.gallery.example.com".');
  }
  if (!Object.values(RoutingPolicy).includes(args.policy)) {
    fail("policy", args.policy, "is not a routing policy", `Use one of ${Object.values(RoutingPolicy).join(", ")}.`);
  }
  const records = args.records ?? [];
  if (records.length === 0) fail("records", records, "is empty", "Give at least one record (two for failover).");
  const ids = new Set<string>();
  /** Each slug (the letters and digits resource names take) with the first id that made it. */
  const slugs = new Map<string, string>();
  records.forEach((record, index) => {
    const where = `records[${index}]`;
    if (!record.id || record.id.length > SET_IDENTIFIER_MAX) fail(`${where}.id`, record.id, "is not 1–128 characters (Route 53's SetIdentifier)", "Name the record, e.g. by its region.");
    if (ids.has(record.id)) fail(`${where}.id`, record.id, "is used by another record", "Give each record its own id: Route 53 tells records of one name apart by it.");
    ids.add(record.id);
    // Route 53 takes both ("us-east-1" and "useast1"), but the records' and health checks' resource names are made of
    // the id's letters and digits (routingRecordName), and two resources of one name are a duplicate URN at preview.
    // Names are not made unique instead: a name that depended on the other records would move when they are reordered,
    // replacing a record create-first, which Route 53 refuses while the old one holds the name and SetIdentifier.
    const earlier = slugs.get(slug(record.id));
    if (earlier !== undefined && earlier !== record.id) {
      fail(`${where}.id`, record.id, `reads as "${slug(record.id)}" in resource names, as record id "${earlier}" does (names keep an id's letters and digits)`, "Give the two records ids that differ in letters or digits.");
    }
    if (earlier === undefined) slugs.set(slug(record.id), record.id);
    if (record.healthCheck) {
      const check = record.healthCheck;
      checkFailureThreshold(fail, `${where}.healthCheck.failureThreshold`, check.failureThreshold);
      const problem = healthCheckSettingsProblem({ requestInterval: check.requestInterval, searchString: check.searchString, resourcePath: check.path });
      if (problem) fail(`${where}.healthCheck`, check.path, `has ${problem}`, "Use requestInterval 10 or 30, a searchString of 1–255 characters and a path starting with /.");
      // The stack's tags land on the check beside its own Name tag (index.ts createHealthCheck); Route 53 takes 10.
      checkStackTagRoom(fail, `${where}.healthCheck`, check, HEALTH_CHECK_TYPE, "a Route 53 health check", { Name: healthCheckNameTag(args.name ?? "", record.id ?? "") });
    }
    validateAliasTargetZone(fail, `${where}.target.zoneId`, record.target?.name, record.target?.zoneId);
    // A zone id that is an Output is checked when it resolves (DnsRouting's aliasEvaluatesTarget).
    if (args.evaluateTargetHealth === true && typeof record.target?.zoneId === "string" && bareZoneId(record.target.zoneId) === CLOUDFRONT_ALIAS_ZONE_ID) fail(...cloudFrontEvaluation(index));
    if (args.policy === RoutingPolicy.Latency) {
      // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-latency.html — each latency record names the AWS region of its resource.
      if (record.region === undefined) fail(`${where}.region`, record.region, "is missing; latency records route by the region of their target", 'Set the target\'s region, e.g. "us-west-2".');
      validateRegionName(fail, `${where}.region`, record.region);
    }
    if (args.policy !== RoutingPolicy.Failover && record.failover) fail(`${where}.failover`, record.failover, `is set on a ${args.policy} record`, "Drop it, or use policy failover.");
    if (args.policy !== RoutingPolicy.Geolocation && record.location) fail(`${where}.location`, record.location, `is set on a ${args.policy} record`, "Drop it, or use policy geolocation.");
  });
  if (args.policy === RoutingPolicy.Latency) {
    const regions = records.map((r) => r.region);
    const twice = regions.find((region, index) => regions.indexOf(region) !== index);
    // Route 53 answers one record per region for latency: two records of one region never both serve.
    if (twice) fail("records", twice, "is the region of two latency records", "Give each region one record.");
  }
  if (args.policy === RoutingPolicy.Failover) validateFailover(fail, records);
  if (args.policy === RoutingPolicy.Geolocation) validateGeolocation(fail, records);
}

/**
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html — active-passive failover is one
 * PRIMARY and one SECONDARY record of the same name and type; the primary needs a health check, or Route 53 never
 * considers it unhealthy and the secondary never answers.
 */
function validateFailover(fail: ArgFailure, records: DnsRoutingRecord[]): void {
  const roles = records.map((r) => r.failover);
  const primaries = roles.filter((r) => r === FailoverRole.Primary).length;
  const secondaries = roles.filter((r) => r === FailoverRole.Secondary).length;
  if (records.length !== 2 || primaries !== 1 || secondaries !== 1) {
    fail("records", roles, "is not exactly one PRIMARY and one SECONDARY record", "Give a failover name two records: failover PRIMARY (health-checked) and SECONDARY.");
  }
  const primary = records.find((r) => r.failover === FailoverRole.Primary)!;
  if (!primary.healthCheck) fail(`records[${records.indexOf(primary)}].healthCheck`, undefined, "is missing on the PRIMARY record; without it the primary never fails over", "Give the primary a health check on a real route of its target.");
}

/**
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-geo.html — without a default record, resolvers
 * in locations no record covers (and addresses Route 53 cannot place) get no answer.
 */
function validateGeolocation(fail: ArgFailure, records: DnsRoutingRecord[]): void {
  const keys = new Set<string>();
  records.forEach((record, index) => {
    const where = `records[${index}].location`;
    const location = record.location;
    if (!location) return fail(where, undefined, "is missing on a geolocation record", 'Set a continent, a country, or default: true.');
    const given = [location.default ? "default" : undefined, location.continent ? "continent" : undefined, location.country ? "country" : undefined].filter(Boolean);
    if (given.length !== 1) fail(where, location, "must name exactly one of default, continent and country", "Give one location per record.");
    if (location.subdivision && location.country !== "US") fail(where, location, "has a subdivision outside the US", 'Subdivisions are US states: set country "US".');
    if (location.continent && !["AF", "AN", "AS", "EU", "OC", "NA", "SA"].includes(location.continent)) fail(where, location.continent, "is not a continent code", "Use AF, AN, AS, EU, OC, NA or SA.");
    if (location.country && !/^[A-Z]{2}$/.test(location.country)) fail(where, location.country, "is not an ISO 3166 alpha-2 country code", 'Use e.g. "DE".');
    const key = JSON.stringify([location.default ?? false, location.continent, location.country, location.subdivision]);
    if (keys.has(key)) fail(where, location, "is the location of another record", "Give each location one record.");
    keys.add(key);
  });
  if (!records.some((r) => r.location?.default)) fail("records", records.map((r) => r.id), "have no default location", "Add a record with location { default: true } for everyone no other record covers.");
}

export function normalise(args: DnsRoutingArgs): DnsRoutingSpec {
  return {
    name: args.name.replace(/\.$/, ""),
    policy: args.policy,
    recordTypes: args.ipv6 === false ? ["A"] : ["A", "AAAA"],
    evaluateTargetHealth: args.evaluateTargetHealth ?? true,
    records: args.records.map((record) => ({
      id: record.id,
      target: record.target,
      region: record.region,
      failover: record.failover,
      location: record.location,
      healthCheck: record.healthCheck && {
        fqdn: record.healthCheck.fqdn,
        path: record.healthCheck.path,
        searchString: record.healthCheck.searchString ?? HEALTH_CHECK_DEFAULTS.searchString,
        failureThreshold: record.healthCheck.failureThreshold ?? HEALTH_CHECK_DEFAULTS.failureThreshold,
        requestInterval: record.healthCheck.requestInterval ?? HEALTH_CHECK_DEFAULTS.requestInterval,
      },
      local: record.local && { originId: record.local.originId, pathPrefix: record.local.pathPrefix ?? "" },
    })),
  };
}
