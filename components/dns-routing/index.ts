import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argFailer, ComponentArgError } from "../errors";
import { zoneHoldingHosts } from "../hosted-zone";
import { registerSpec } from "../spec-registry";
import {
  bareZoneId,
  CLOUDFRONT_ALIAS_ZONE_ID,
  cloudFrontEvaluation,
  healthCheckNameTag,
  healthCheckReferenceName,
  normalise,
  RoutingPolicy,
  routingRecordName,
  slug,
  validateArgs,
  type DnsRoutingArgs,
  type DnsRoutingRecordSpec,
  type DnsRoutingSpec,
} from "./spec";

export {
  CLOUDFRONT_ALIAS_ZONE_ID,
  FailoverRole,
  HEALTH_CHECK_DEFAULTS,
  HEALTH_CHECK_LIMITS,
  REFERENCE_NAME_MAX,
  RoutingPolicy,
  SET_IDENTIFIER_MAX,
  healthCheckProblem,
  healthCheckReferenceName,
} from "./spec";
export type { DnsHealthCheck, DnsHealthCheckSpec, HealthCheckSettings, DnsRoutingArgs, DnsRoutingRecord, DnsRoutingRecordSpec, DnsRoutingSpec, GeoLocation } from "./spec";

/**
 * Route 53 routing as data: latency, failover (PRIMARY/SECONDARY) or geolocation
 * records of one name, A and AAAA aliases to each target, and an HTTPS health check with
 * string matching per target, which the record carries so Route 53 stops answering with a
 * failed target. Route 53 is global: no region.
 *
 * @example
 * new DnsRouting("api-routing", {
 *   zoneId: "Z0123456789EXAMPLE0000",
 *   name: "api.gallery.example.com",
 *   policy: RoutingPolicy.Latency,
 *   records: [
 *     { id: "us-east-1", region: "us-east-1", target: east.customDomain!, healthCheck: { fqdn: east.domainName, path: "/prod/api/health" } },
 *     { id: "us-west-2", region: "us-west-2", target: west.customDomain!, healthCheck: { fqdn: west.domainName, path: "/prod/api/health" } },
 *   ],
 * });
 */
export class DnsRouting extends pulumi.ComponentResource {
  readonly spec: DnsRoutingSpec;
  /** Health check ids by record id. */
  readonly healthCheckIds: pulumi.Output<Record<string, string>>;
  /** The underlying resources, for users who need to extend them. */
  readonly nodes: { readonly records: readonly aws.route53.Record[]; readonly healthChecks: ReadonlyMap<string, aws.route53.HealthCheck> };

  constructor(name: string, args: DnsRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:DnsRouting", name, {}, opts);
    validateArgs(argFailer("DnsRouting", name), args);
    this.spec = normalise(args);

    // `zoneId`, once the zone is known to hold `name` (components/hosted-zone.ts, at preview); no certificate is
    // validated here, so a private zone is only a warning. An Output (RegionalApis passes its own checked id; a zone
    // this program creates) is left to the records.
    const zoneId = typeof args.zoneId === "string"
      ? zoneHoldingHosts(argFailer("DnsRouting", name), `DnsRouting "${name}"`, "zoneId", args.zoneId, [{ argument: "name", host: args.name }], false, this, "the routed service")
      : args.zoneId;
    const healthChecks = new Map(
      this.spec.records.filter((r) => r.healthCheck).map((record) => [record.id, createHealthCheck(name, this.spec, record, this)] as const),
    );
    const records = this.spec.records.flatMap((record, index) => {
      const evaluate = aliasEvaluatesTarget(name, record.target.zoneId, this.spec.evaluateTargetHealth, args.evaluateTargetHealth === true, index, this);
      return this.spec.recordTypes.map((type) => createRecord(name, zoneId, this.spec, record, type, evaluate, healthChecks.get(record.id), this));
    });

    this.nodes = { records, healthChecks };
    this.healthCheckIds = pulumi.all(Object.fromEntries([...healthChecks].map(([id, check]) => [id, check.id])));
    registerSpec("DnsRouting", name, this.spec);
    this.registerOutputs({ healthCheckIds: this.healthCheckIds });
  }
}

/**
 * Route 53 refuses EvaluateTargetHealth for a CloudFront distribution target, so its alias does not evaluate. A zone id
 * given as a string was checked by the validator. One given as an Output (a distribution's `hostedZoneId`) is only
 * known once it resolves, after construction: then a CloudFront alias does not evaluate either, and an explicit
 * `true` is dropped with a warning rather than sent to Route 53, which would refuse it part-way through the update.
 * (Throwing there would fail only as an unhandled rejection inside the resource's serialisation, and only at `up`:
 * the zone id is unknown at preview.) Other string zone ids keep the setting as a plain value, so the plan shows it.
 */
function aliasEvaluatesTarget(name: string, zoneId: pulumi.Input<string>, evaluate: boolean, explicit: boolean, index: number, parent: pulumi.Resource): pulumi.Input<boolean> {
  if (typeof zoneId === "string") return bareZoneId(zoneId) === CLOUDFRONT_ALIAS_ZONE_ID ? false : evaluate;
  if (!evaluate) return false;
  return pulumi.output(zoneId).apply((zone) => {
    if (bareZoneId(zone) !== CLOUDFRONT_ALIAS_ZONE_ID) return true;
    if (explicit) pulumi.log.warn(`${new ComponentArgError("DnsRouting", name, ...cloudFrontEvaluation(index)).message} The record is created without it.`, parent);
    return false;
  });
}

function createHealthCheck(name: string, spec: DnsRoutingSpec, record: DnsRoutingRecordSpec, parent: pulumi.Resource): aws.route53.HealthCheck {
  const check = record.healthCheck!;
  return new aws.route53.HealthCheck(
    `${name}-health-${slug(record.id)}`,
    {
      // HTTPS with string matching: a 2xx/3xx whose first 5,120 bytes hold searchString.
      // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html
      type: "HTTPS_STR_MATCH",
      fqdn: check.fqdn,
      port: 443,
      resourcePath: check.path,
      searchString: check.searchString,
      // The target is a shared endpoint (API Gateway, CloudFront) that picks its certificate by SNI.
      enableSni: true,
      failureThreshold: check.failureThreshold,
      requestInterval: check.requestInterval,
      // Latency to the target in CloudWatch, per checker region: the evidence behind a latency routing decision.
      measureLatency: spec.policy === RoutingPolicy.Latency,
      referenceName: healthCheckReferenceName(name, record.id),
      tags: { Name: healthCheckNameTag(spec.name, record.id) },
    },
    { parent },
  );
}

function createRecord(
  name: string,
  zoneId: pulumi.Input<string>,
  spec: DnsRoutingSpec,
  record: DnsRoutingRecordSpec,
  type: string,
  evaluateTargetHealth: pulumi.Input<boolean>,
  healthCheck: aws.route53.HealthCheck | undefined,
  parent: pulumi.Resource,
): aws.route53.Record {
  const location = record.location;
  return new aws.route53.Record(
    routingRecordName(name, type, record.id),
    {
      zoneId,
      name: spec.name,
      type,
      setIdentifier: record.id,
      aliases: [{ name: record.target.name, zoneId: record.target.zoneId, evaluateTargetHealth }],
      healthCheckId: healthCheck?.id,
      latencyRoutingPolicies: spec.policy === RoutingPolicy.Latency ? [{ region: record.region! }] : undefined,
      failoverRoutingPolicies: spec.policy === RoutingPolicy.Failover ? [{ type: record.failover! }] : undefined,
      // Route 53's default location is country "*".
      geolocationRoutingPolicies:
        spec.policy === RoutingPolicy.Geolocation
          ? [location!.default ? { country: "*" } : { continent: location!.continent, country: location!.country, subdivision: location!.subdivision }]
          : undefined,
    },
    { parent },
  );
}
