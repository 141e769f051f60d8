/**
 * fast-check generators of arguments AWS documents as VALID for the must-accept properties of BucketEvents,
 * RegionalApis, DnsRouting and PrivateNetwork (./component-accept-rest.test.ts). The rules of
 * ./component-accept-arbitraries.ts hold: every bound is AWS's (a comment cites the page and its words) or the
 * component's documented contract, and what a component refuses on purpose is left out with a comment saying where.
 */
import fc from "fast-check";
import { S3_EVENT_TYPES } from "../../components/bucket-events";
import { FailoverRole, RoutingPolicy, type DnsRoutingArgs, type DnsRoutingRecord } from "../../components/dns-routing";
import type { MessageQueueArgs, MessageQueueConsumer } from "../../components/message-queue";
import type { RegionalApisArgs } from "../../components/regional-apis";
import { ApiKind } from "../../components/serverless-api";
import { certificateHostName, defined, DIGITS, hostName, LOWER, optional, region, routesInRegion, serverlessApiArgs, STACK_REGION, UPPER, within } from "./component-accept-arbitraries";

// -------------------------------------------------------------------------------------------------------- BucketEvents

/** A BucketEvents name: it names the invoke permissions `<name>-<id>-invoke` and the notification; short. */
export const bucketEventsName = within(LOWER + UPPER + DIGITS + "-_", 1, 20);

/**
 * A subscription id: the component's documented contract ("Use letters, digits and hyphens ... it names the
 * configuration and its permission", validateSubscriptions: `[a-zA-Z][a-zA-Z0-9-]{0,40}`). S3 documents no form for
 * a configuration's Id ("An optional unique identifier for configurations in a notification configuration",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_LambdaFunctionConfiguration.html).
 */
const subscriptionId = fc.tuple(fc.constantFrom(...LOWER + UPPER), within(LOWER + UPPER + DIGITS + "-", 0, 40)).map(([a, b]) => a + b);

/** Event types by family ("s3:ObjectCreated", ...): S3's list, as the component exports it (its source is cited there). */
const FAMILIES = [...new Set(S3_EVENT_TYPES.map((e) => e.split(":").slice(0, 2).join(":")))];
/** Distinct event types, a wildcard's own subtypes dropped beside it (they would repeat what it covers). */
const eventsOf = (types: readonly string[]) =>
  fc.uniqueArray(fc.constantFrom(...types), { minLength: 1, maxLength: 3 }).map((events) => events.filter((e) => !events.some((w) => w !== e && w.endsWith(":*") && e.startsWith(w.slice(0, -1)))));

/**
 * A key filter value: FilterRule Value, "The value that the filter searches for in object key names"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_FilterRule.html); object keys are "a sequence of Unicode
 * characters whose UTF-8 encoding is at most 1,024 bytes long" and may hold any of them, "/", spaces and "!-_.*'()"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). The empty string is left out: the
 * component refuses it with "Leave filterPrefix unset to match every key" (what an empty filter means).
 */
const filterValue = fc.oneof(
  { weight: 3, arbitrary: within(LOWER + UPPER + DIGITS + "/!-_.*'() ", 1, 30) },
  { weight: 1, arbitrary: fc.constantFrom("originals/", "ünï/", "2026/05/", ".jpg", "a".repeat(1024)) },
);

interface DrawnSubscription {
  id: string;
  events: string[];
  filterPrefix?: string;
  filterSuffix?: string;
}

export interface BucketEventsDraw {
  /** The bucket's and its functions' region ("The Lambda function must be in the same region as your S3 bucket", Amazon S3 User Guide, setup-event-notification-destination.md); unset: the stack's. */
  region?: string;
  /** Whether BucketEvents gets `region` too (with a bucket in the stack's region, setting it or not is the same). */
  passRegion: boolean;
  /** One function for every subscription (S3 may invoke one function from several configurations, each with its own permission). */
  oneFunction: boolean;
  subscriptions: DrawnSubscription[];
}

/**
 * Subscriptions S3 takes together: "Overlapping prefixes and suffixes are not supported" for one event type
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_FilterRule.html; User Guide notification-how-to-filtering.html
 * explains it with examples). So each draw keeps them
 * apart one way: by event family (any filters), by prefixes none of which starts another (`<i>/...`), or by one shared
 * prefix and suffixes none of which ends another (`.<i>x`, the page's ".jpg" beside ".png" example).
 */
export const bucketEventsDraw: fc.Arbitrary<BucketEventsDraw> = fc
  .record({
    region: optional(region, 3),
    passRegion: fc.boolean(),
    oneFunction: fc.boolean(),
    apart: fc.constantFrom("families" as const, "prefixes" as const, "suffixes" as const),
    ids: fc.uniqueArray(subscriptionId, { minLength: 1, maxLength: 3 }),
    families: fc.shuffledSubarray(FAMILIES, { minLength: 3, maxLength: 3 }),
    drawn: fc.array(fc.record({ events: eventsOf(S3_EVENT_TYPES), prefix: optional(filterValue), suffix: optional(filterValue) }), { minLength: 3, maxLength: 3 }),
    sharedPrefix: optional(filterValue),
  })
  .chain((d) =>
    // Events of each subscription's own family (only used when kept apart by family).
    fc.tuple(...d.families.map((family) => eventsOf(S3_EVENT_TYPES.filter((e) => e.startsWith(`${family}:`) || e === family)))).map((familyEvents) => ({ ...d, familyEvents })),
  )
  .map(({ region: r, passRegion, oneFunction, apart, ids, drawn, familyEvents, sharedPrefix }) => ({
    ...defined({ region: r }),
    passRegion,
    oneFunction,
    subscriptions: ids.map((id, i) => {
      const own = drawn[i];
      // The bounds a built filter keeps: 1,024 characters (FilterRule, as above).
      if (apart === "families") return defined({ id, events: familyEvents[i], filterPrefix: own.prefix, filterSuffix: own.suffix });
      if (apart === "prefixes") return defined({ id, events: own.events, filterPrefix: `${i}/${own.prefix ?? ""}`.slice(0, 1024), filterSuffix: own.suffix });
      return defined({ id, events: own.events, filterPrefix: sharedPrefix, filterSuffix: `${own.suffix ?? ""}.${i}x`.slice(-1024) });
    }),
  }));

// -------------------------------------------------------------------------------------------------------- RegionalApis

/**
 * A RegionalApis name: the home API is named by it and every other `<name>-<region code>` (at most 6 more, "-apse2"),
 * and each API's route functions `<api name>-<route slug>` take at most 47 characters (ServerlessApi's contract, as
 * ./component-accept-arbitraries.ts apiName, which leaves 12 for the API's name): 6 here.
 */
export const regionalApisName = within(LOWER + UPPER + DIGITS + "-_", 1, 6);

/**
 * Route 53 health checks: "FailureThreshold ... Valid Range: Minimum value of 1. Maximum value of 10.",
 * "RequestInterval ... 10 or 30" and "SearchString ... Maximum length of 255"
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
 */
export const healthCheckSettings = fc
  .record({
    searchString: optional(fc.oneof(within(LOWER + UPPER + DIGITS + ' "{}:,.-_', 1, 255), fc.constant('"status":"ok"'))),
    failureThreshold: optional(fc.integer({ min: 1, max: 10 })),
    requestInterval: optional(fc.constantFrom(10, 30)),
  })
  .map(defined);

const ZONE_ID = "Z0123456789EXAMPLE0000";

export const regionalApisArgs: fc.Arbitrary<RegionalApisArgs> = fc
  .record({
    kind: fc.constantFrom(ApiKind.Rest, ApiKind.Http),
    shape: fc.constantFrom("one" as const, "one-listed" as const, "latency" as const, "failover" as const),
    regions: fc.uniqueArray(region, { minLength: 3, maxLength: 3 }),
    latencyCount: fc.integer({ min: 1, max: 3 }),
    domain: fc.record({ name: certificateHostName, certificate: fc.boolean(), stagePick: optional(fc.nat()), ipAddressType: optional(fc.constantFrom("ipv4" as const, "dualstack" as const)) }),
    withDomain: fc.boolean(),
    routing: healthCheckSettings,
    environmentPick: optional(fc.nat()),
    // Whether this stack owns API Gateway's account-wide CloudWatch Logs role in each region (docs/api-gateway-account.md);
    // false says it is owned elsewhere, and unset warns that it is false, so it is always drawn here.
    accountCloudWatchRole: fc.boolean(),
  })
  .chain((d) => serverlessApiArgs(d.kind).map((api) => ({ ...d, api })))
  .map(({ shape, regions: drawn, latencyCount, domain, withDomain, routing, environmentPick, accountCloudWatchRole, api }) => {
    const regions = shape === "one" ? undefined : shape === "one-listed" ? drawn.slice(0, 1) : shape === "failover" ? drawn.slice(0, 2) : drawn.slice(0, latencyCount);
    const routed = shape === "latency" || shape === "failover";
    // The health route Route 53 requests: a public GET route (RegionalApisRouting.healthRoute's contract: "a public GET route of the API").
    // A private route's load balancer is in the API's one region, or (several regions) the route is a Lambda one (routesInRegion).
    const routes = { ...routesInRegion(api.routes, regions === undefined ? STACK_REGION : regions.length === 1 ? regions[0] : undefined), "GET /health": { handler: api.routes["GET /health"]?.handler ?? "tests/fixtures/handlers/echo.ts", auth: "none" as const } };
    const { region: _r, domain: _d, ...rest } = api as typeof api & { region?: string; domain?: unknown };
    // endpointType: RegionalApis serves regional custom domains, and refuses EDGE with several regions on purpose ("Route 53
    // routes between regional endpoints", spec.ts validateArgs); a custom domain here is a regional one (RegionalApisDomain).
    const args: RegionalApisArgs = { api: { ...rest, routes, accountCloudWatchRole, endpointType: undefined } };
    delete args.api.endpointType;
    if (regions) args.regions = regions;
    const stages = Object.keys(api.stages ?? {});
    if (routed || withDomain) {
      const home = regions?.[0] ?? STACK_REGION;
      // One region may bring its certificate (it must be "in the same Region as your API",
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html);
      // several regions get one each, DNS-validated in the hosted zone (RegionalApisDomain.certificateArn's contract).
      const certificateArn = !routed && domain.certificate ? `arn:aws:acm:${home}:123456789012:certificate/abc` : undefined;
      args.domain = defined({
        name: domain.name,
        hostedZoneId: certificateArn ? undefined : ZONE_ID,
        certificateArn,
        stage: domain.stagePick !== undefined && stages.length ? stages[domain.stagePick % stages.length] : undefined,
        ipAddressType: domain.ipAddressType,
      });
    }
    if (routed) args.routing = { policy: shape === "latency" ? RoutingPolicy.Latency : RoutingPolicy.Failover, ...routing };
    if (environmentPick !== undefined && regions) args.regionalEnvironment = { [regions[environmentPick % regions.length]]: { PHOTOS_BUCKET: "gallery-photos-replica" } };
    return args;
  });

// ---------------------------------------------------------------------------------------------------------- DnsRouting

/** A DnsRouting name: it names the records `<name>-<type>-<id>` and health checks (referenceName fitted to 27, spec.ts). */
export const dnsRoutingName = within(LOWER + UPPER + DIGITS + "-_", 1, 20);

/**
 * A record id is Route 53's SetIdentifier: "Length Constraints: Minimum length of 1. Maximum length of 128." and no
 * pattern (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html), "An identifier that
 * differentiates among multiple resource record sets that have the same combination of name and type"; DnsRoutingRecord.id
 * says the same ("1–128 characters, unique within the name, e.g. the region"). Printable ASCII here, regions too.
 * DnsRouting refuses two ids of one slug (their letters and digits name the resources), so the ids drawn differ there.
 */
const recordId = fc.oneof(
  { weight: 3, arbitrary: within(LOWER + UPPER + DIGITS + " -_.:/", 1, 128) },
  { weight: 1, arbitrary: region },
  { weight: 1, arbitrary: fc.constantFrom("primary", "blue 1", "blue-1", "green", "us-east-1", "useast1") },
);

/**
 * Alias targets: a regional API custom domain (regional zone ids per region, e.g. us-east-1's Z1UJRXOUMOOFQ8,
 * https://docs.aws.amazon.com/general/latest/gr/apigateway.html) or a CloudFront distribution (zone Z2FDTNDATAQYW2,
 * API_AliasTarget: "Specify Z2FDTNDATAQYW2").
 */
const target = fc.constantFrom(
  { name: "d-abc123.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" },
  { name: "d-def456.execute-api.us-west-2.amazonaws.com", zoneId: "Z2OJLYMUO9EFXC" },
  { name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" },
);

/**
 * A health check: ResourcePath "The path ... that you want Amazon Route 53 to request when performing health checks",
 * "Maximum length of 255" (API_HealthCheckConfig); DnsHealthCheck.path's contract: it starts with "/".
 */
const healthCheck = fc
  .tuple(within(LOWER + UPPER + DIGITS + "/-_.~?=&", 0, 254), healthCheckSettings)
  .map(([path, settings]) => ({ fqdn: "abc123.execute-api.us-east-1.amazonaws.com", path: `/${path}`, ...settings }));

/**
 * Geolocation locations (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GeoLocation.html): a continent
 * ("AF ... SA"), a country ("ISO standard 3166-1 alpha-2"), a US state ("two-letter code for a state of the United
 * States. Route 53 doesn't support any other values", "you must also specify US for CountryCode"), or the default.
 * "Specifying ContinentCode with either CountryCode or SubdivisionCode returns an InvalidInput error".
 */
const location = fc.oneof(
  fc.constantFrom("AF", "AN", "AS", "EU", "OC", "NA", "SA").map((continent) => ({ continent })),
  fc.constantFrom("DE", "FR", "JP", "BR", "US", "UA", "GB", "IN").map((country) => ({ country })),
  fc.constantFrom("CA", "NY", "TX", "WA", "AK").map((subdivision) => ({ country: "US", subdivision })),
);

export const dnsRoutingArgs: fc.Arbitrary<DnsRoutingArgs> = fc
  .record({
    policy: fc.constantFrom(RoutingPolicy.Latency, RoutingPolicy.Failover, RoutingPolicy.Geolocation),
    // ResourceRecordSet Name: "You can use the asterisk (*) wildcard to replace the leftmost label in a domain name, for
    // example, *.example.com" and "You can optionally include a trailing dot"
    // (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html).
    name: fc.tuple(fc.constantFrom("", "*."), hostName, fc.constantFrom("", ".")).map(([a, b, c]) => a + b + c),
    ids: fc.uniqueArray(recordId.filter((id) => /[a-z0-9]/i.test(id)), { minLength: 3, maxLength: 3, selector: (id) => id.toLowerCase().replace(/[^a-z0-9]+/g, "") }),
    regions: fc.uniqueArray(region, { minLength: 3, maxLength: 3 }),
    latencyCount: fc.integer({ min: 1, max: 3 }),
    geoCount: fc.integer({ min: 0, max: 2 }),
    locations: fc.uniqueArray(location, { minLength: 2, maxLength: 2, selector: (l) => JSON.stringify(l) }),
    targets: fc.array(target, { minLength: 3, maxLength: 3 }),
    checks: fc.array(optional(healthCheck), { minLength: 3, maxLength: 3 }),
    primaryCheck: healthCheck,
    ipv6: optional(fc.boolean()),
    evaluateTargetHealth: optional(fc.boolean()),
  })
  .map(({ policy, name, ids, regions, latencyCount, geoCount, locations, targets, checks, primaryCheck, ipv6, evaluateTargetHealth }) => {
    const record = (i: number): DnsRoutingRecord => defined({ id: ids[i], target: targets[i], healthCheck: checks[i] });
    let records: DnsRoutingRecord[];
    if (policy === RoutingPolicy.Latency) {
      // "you create a latency record for the Amazon EC2 resource in each region" (routing-policy-latency.html): one record per region.
      records = regions.slice(0, latencyCount).map((r, i) => ({ ...record(i), region: r }));
    } else if (policy === RoutingPolicy.Failover) {
      // Exactly one PRIMARY, health-checked, and one SECONDARY: DnsRouting's documented refusal otherwise (validateFailover:
      // "without it the primary never fails over", dns-failover-types.html), though Route 53 would take a lone record.
      records = [{ ...record(0), failover: FailoverRole.Primary, healthCheck: primaryCheck }, { ...record(1), failover: FailoverRole.Secondary }];
    } else {
      // A default record is DnsRouting's documented requirement (validateGeolocation: "without a default record, resolvers in
      // locations no record covers ... get no answer", routing-policy-geo.html), though Route 53 would take none.
      records = [{ ...record(0), location: { default: true } }, ...locations.slice(0, geoCount).map((l, i) => ({ ...record(i + 1), location: l }))];
    }
    // "You can't set EvaluateTargetHealth to true when the alias target is a CloudFront distribution" (API_AliasTarget).
    const toCloudFront = records.some((r) => r.target.zoneId === "Z2FDTNDATAQYW2");
    return defined({ zoneId: ZONE_ID, name, policy, records, ipv6, evaluateTargetHealth: toCloudFront && evaluateTargetHealth ? undefined : evaluateTargetHealth });
  });

// ------------------------------------------------------------------------------------------------------ PrivateNetwork

/** A PrivateNetwork name: it names the VPC, security groups `<name>-endpoints`/`-functions` and endpoints `<name>-<service>`. */
export const privateNetworkName = within(LOWER + UPPER + DIGITS + "-_", 1, 20);

/**
 * Interface endpoint services by their short name (com.amazonaws.<region>.<service>, as PrivateNetworkArgs.interfaceEndpoints
 * takes them): "AWS services that integrate with AWS PrivateLink" lists e.g. secretsmanager, ssm, ssmmessages, sqs, sns,
 * kms, logs, monitoring, xray, sts, lambda, states, events, ecr.api, ecr.dkr, sagemaker.runtime, bedrock-runtime
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html). s3 and dynamodb are left
 * out: PrivateNetwork gives them gateway endpoints and refuses them here on purpose ("has its own endpoint here"), as
 * execute-api, which comes with executeApiEndpoint.
 */
const interfaceService = fc.constantFrom("secretsmanager", "ssm", "ssmmessages", "sqs", "sns", "kms", "logs", "monitoring", "xray", "sts", "lambda", "states", "events", "ecr.api", "ecr.dkr", "sagemaker.runtime", "bedrock-runtime");

/**
 * A VPC CIDR block: "The allowed block size is between a /16 netmask (65,536 IP addresses) and /28 netmask (16 IP
 * addresses)", from the private ranges 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 (RFC 1918)
 * (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html). Up to /24 here: awsx lays out one isolated
 * subnet per AZ inside it, and a subnet is at least a /28 too (same page).
 */
const cidrBlock = fc
  .tuple(fc.constantFrom("10.0.0.0", "10.42.0.0", "172.16.0.0", "172.31.0.0", "192.168.0.0"), fc.integer({ min: 16, max: 24 }))
  .map(([base, bits]) => `${base}/${bits}`);

export const privateNetworkArgs = fc
  .record({
    existing: fc.boolean(),
    cidrBlock: optional(cidrBlock),
    // "Each Region has multiple, isolated locations known as Availability Zones" — at most 6 in any region today
    // (us-east-1); PrivateNetworkArgs.availabilityZones' contract is 1–6.
    availabilityZones: optional(fc.integer({ min: 1, max: 6 })),
    executeApiEndpoint: optional(fc.boolean()),
    interfaceEndpoints: optional(fc.uniqueArray(interfaceService, { maxLength: 4 })),
    region: optional(region, 3),
    subnets: fc.integer({ min: 1, max: 4 }),
    routeTables: optional(fc.array(fc.constantFrom("rtb-0a1b2c3d", "rtb-0e4f5a6b"), { minLength: 1, maxLength: 3 })),
    gatewayEndpoints: optional(fc.subarray(["dynamodb", "s3"] as ("dynamodb" | "s3")[])),
  })
  .map(({ existing, cidrBlock: cidr, availabilityZones, subnets, routeTables, gatewayEndpoints, ...a }) =>
    defined({
      ...a,
      // An existing VPC is shaped already: cidrBlock and availabilityZones are refused beside it on purpose (they "only shape a new VPC").
      ...(existing
        ? { existingVpc: defined({ vpcId: "vpc-0123456789abcdef0", subnetIds: Array.from({ length: subnets }, (_, i) => `subnet-0${i}23456789abcdef0`), routeTableIds: routeTables, gatewayEndpoints }) }
        : { cidrBlock: cidr, availabilityZones }),
    }),
  );

// -------------------------------------------------------------------------------------------------------- MessageQueue

/** A MessageQueue name: it names `<name>-queue` and `<name>-dlq` (SQS: letters, digits, - and _) and child resources; short. */
export const messageQueueName = within(LOWER + UPPER + DIGITS + "-_", 1, 20);

/** A MessageQueue's arguments but its consumer function, and that function's timeout. */
export interface MessageQueueDraw {
  timeout: number;
  args: Omit<MessageQueueArgs, "consumer"> & { consumer: Omit<MessageQueueConsumer, "function"> };
}

/**
 * Arguments AWS takes (components/message-queue MESSAGE_QUEUE_LIMITS cites each page): a function timeout of 1–900 s
 * (CreateFunction Timeout); a batch of 1–10 for a FIFO queue, 1–10,000 for a standard one with a batching window of at
 * least 1 s above 10 and none for FIFO ("Batching window is not supported for FIFO queues"); a visibility timeout no
 * shorter than the function's timeout and at most 43,200 (Lambda refuses a shorter one); retention 1–14 days, the
 * dead-letter queue's no shorter (the component's documented contract); delay 0–900; 1–1000 receives; concurrency 2–1000.
 * Content-based deduplication only on a FIFO queue (SQS: FIFO only).
 */
export const messageQueueDraw: fc.Arbitrary<MessageQueueDraw> = fc
  .record({
    fifo: fc.boolean(),
    dedup: fc.boolean(),
    timeout: fc.integer({ min: 1, max: 900 }),
    batch: fc.integer({ min: 1, max: 10_000 }),
    window: fc.integer({ min: 0, max: 300 }),
    visibilityExtra: optional(fc.integer({ min: 0, max: 43_200 })),
    retentionDays: optional(fc.integer({ min: 1, max: 14 })),
    deadLetterExtra: optional(fc.integer({ min: 0, max: 13 })),
    delaySeconds: optional(fc.integer({ min: 0, max: 900 })),
    maxReceiveCount: optional(fc.integer({ min: 1, max: 1000 })),
    maxConcurrency: optional(fc.integer({ min: 2, max: 1000 })),
  })
  .map(({ fifo, dedup, timeout, batch, window, visibilityExtra, retentionDays, deadLetterExtra, delaySeconds, maxReceiveCount, maxConcurrency }) => {
    const batchSize = fifo ? 1 + (batch % 10) : batch;
    const maxBatchingWindowSeconds = fifo ? undefined : batchSize > 10 ? Math.max(1, window) : window;
    return {
      timeout,
      args: defined({
        fifo,
        contentBasedDeduplication: fifo ? dedup : undefined,
        visibilityTimeoutSeconds: visibilityExtra === undefined ? undefined : Math.min(43_200, timeout + visibilityExtra),
        retentionDays,
        deadLetterRetentionDays: deadLetterExtra === undefined ? undefined : Math.min(14, Math.max(retentionDays ?? 4, 1 + deadLetterExtra)),
        delaySeconds,
        maxReceiveCount,
        consumer: defined({ batchSize, maxBatchingWindowSeconds, maxConcurrency }),
      }),
    };
  });
