import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dnsValidationOption } from "../certificate-validation";
import { DnsRouting, RoutingPolicy, type DnsRoutingRecord } from "../dns-routing";
import { routingRecordName } from "../dns-routing/spec";
import { argFailer, type ArgFailure } from "../errors";
import { zoneHoldingHosts } from "../hosted-zone";
import { ServerlessApi } from "../serverless-api";
import { registerSpec } from "../spec-registry";
import { apiArgsIn, asRegionalApisError, failoverRole, healthCheckPath, normalise, regionCode, validateArgs, type RegionalApisArgs, type RegionalApisSpec } from "./spec";

export { regionCode, replicaArn } from "./spec";
export type { RegionalApisArgs, RegionalApisDomain, RegionalApisRouting, RegionalApisSpec } from "./spec";

/**
 * One ServerlessApi deployed unchanged into several regions (v7's per-resource `region`), each
 * with the regional custom domain (dualstack: IPv4 and IPv6 clients, unless `domain.ipAddressType` is
 * `"ipv4"`), its own DNS-validated ACM certificate in that region and a base path mapping, and Route 53
 * latency or failover records (A and AAAA aliases; A only for an IPv4-only domain) with a health check per
 * region (DnsRouting) in front. With one region and no routing, `domain.hostedZoneId` gets a simple alias
 * record (A, and AAAA for a dualstack domain) to the custom domain instead. Functions in each region use their
 * own region's replica of the global tables. Lambda bundles are built once: the bundle cache serves the other
 * regions' identical builds.
 *
 * A wrapper rather than a `regions` arg on ServerlessApi: a ServerlessApi stays one API in one region
 * (its outputs — rest API id, stage URLs, nodes — keep one meaning), and everything that only exists
 * because there are several (certificates per region, routing records, health checks) lives here.
 *
 * @example
 * const apis = new RegionalApis("api", {
 *   regions: ["us-east-1", "us-west-2"],
 *   api: { basePath: "api", stages: { prod: {} }, routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } } },
 *   domain: { name: "api.gallery.example.com", hostedZoneId: zone.id },
 *   routing: { policy: RoutingPolicy.Latency },
 * });
 * new StaticSite("site", { path: "site", routes: [apis.siteRoute()] });
 */
export class RegionalApis extends pulumi.ComponentResource {
  readonly spec: RegionalApisSpec;
  /** The API in the home region (the first). */
  readonly home: ServerlessApi;
  /** Every regional API, in the order of `regions`. */
  readonly apis: readonly ServerlessApi[];
  /** The Route 53 records across the regions; undefined with one region and no routing. */
  readonly routing?: DnsRouting;
  /** Invoke URLs of every region's stages, by region. */
  readonly urls: pulumi.Output<Record<string, Record<string, string>>>;
  /**
   * The underlying resources: a certificate per region, the one validation record they share, and with one region
   * and no routing the simple alias records of `domain.name` (empty otherwise: the routing's records are its own).
   */
  readonly nodes: {
    readonly certificates: readonly aws.acm.Certificate[];
    readonly validationRecords: readonly aws.route53.Record[];
    readonly domainRecords: readonly aws.route53.Record[];
  };

  constructor(name: string, args: RegionalApisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:RegionalApis", name, {}, opts);
    const fail = argFailer("RegionalApis", name);
    validateArgs(fail, name, args);
    this.spec = normalise(name, args);
    // domain.hostedZoneId, once the zone is known to hold domain.name (components/hosted-zone.ts, at preview): the one
    // id the certificates' validation record, the routing's records and the simple alias records are written with.
    // DnsRouting is given this Output, so it does not look the zone up a second time.
    const zoneId = this.regionalZoneId(fail, name);

    const certificates: aws.acm.Certificate[] = [];
    const validationRecords: aws.route53.Record[] = [];
    const stackRegion = new pulumi.Config("aws").get("region");
    this.apis = this.spec.regions.map(({ region, apiName }, index) => {
      const certificateArn = this.spec.domain && (this.spec.domain.certificateArn ?? this.createCertificate(name, region, zoneId!, certificates, validationRecords));
      const api = region ? apiArgsIn(args.api, region, args.regionalEnvironment?.[region]) : args.api;
      try {
        return new ServerlessApi(
          apiName,
          {
            ...api,
            // The home region as the provider's stays implicit, so a single-region stack's API is unchanged.
            region: region === stackRegion && index === 0 ? undefined : region,
            domain: this.spec.domain && { name: this.spec.domain.name, certificateArn: certificateArn!, stage: this.spec.domain.stage, ipAddressType: this.spec.domain.ipAddressType },
          },
          // The home API was a top-level ServerlessApi before it moved under RegionalApis: same URNs for its resources.
          { parent: this, aliases: index === 0 ? [{ parent: pulumi.rootStackResource }] : undefined },
        );
      } catch (error) {
        // The user wrote RegionalApis' arguments, not the inner API's: its refusals are named as RegionalApis'.
        throw asRegionalApisError(name, error, this.spec.regions.length > 1 ? { region, regionalEnvironment: args.regionalEnvironment?.[region!] !== undefined } : undefined);
      }
    });
    this.home = this.apis[0];
    this.routing = this.spec.routing && this.createRouting(name, zoneId!);
    const domainRecords = !this.routing && zoneId !== undefined && this.apis.length === 1 ? this.createDomainRecords(name, zoneId, this.spec.regions[0].region ?? stackRegion) : [];
    this.nodes = { certificates, validationRecords, domainRecords };
    this.urls = pulumi.all(Object.fromEntries(this.apis.map((api, index) => [this.spec.regions[index].region ?? "home", api.urls])));
    registerSpec("RegionalApis", name, this.spec);
    this.registerOutputs({ urls: this.urls });
  }

  /**
   * `domain.hostedZoneId` checked to hold `domain.name` (refused outside it, when the account has no such zone, or when
   * private and the certificates are validated there); undefined without one. An Output (e.g. `zone.id` of a zone this
   * program creates) is left to the records, as StaticSite leaves it.
   */
  private regionalZoneId(fail: ArgFailure, name: string): pulumi.Input<string> | undefined {
    const domain = this.spec.domain;
    if (domain?.hostedZoneId === undefined) return undefined;
    if (typeof domain.hostedZoneId !== "string") return domain.hostedZoneId;
    const hosts = [{ argument: "domain.name", host: domain.name }];
    return zoneHoldingHosts(fail, `RegionalApis "${name}"`, "domain.hostedZoneId", domain.hostedZoneId, hosts, domain.certificateArn === undefined, this, "the API");
  }

  /** A regional certificate for the domain in `region`, validated through a DNS record in the hosted zone `zoneId` (regionalZoneId). */
  private createCertificate(name: string, region: string | undefined, zoneId: pulumi.Input<string>, certificates: aws.acm.Certificate[], records: aws.route53.Record[]): pulumi.Output<string> {
    const domain = this.spec.domain!;
    const suffix = region ? regionCode(region) : "home";
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html
    // A regional custom domain's certificate must be in the API's region.
    const certificate = new aws.acm.Certificate(`${name}-cert-${suffix}`, { domainName: domain.name, validationMethod: "DNS", region }, { parent: this });
    // ACM gives every certificate for one name in one account the same validation CNAME, whatever the region
    // (hashicorp/terraform-provider-aws#13653): one record, written from the first certificate, validates them all.
    // A record per region would be one Route 53 record owned twice, deleted with whichever region leaves first.
    let record = records[0];
    if (!record) {
      const option = dnsValidationOption(`RegionalApis "${name}"`, certificate, domain.name);
      record = new aws.route53.Record(
        `${name}-cert-validation`,
        { zoneId, name: option.resourceRecordName, type: option.resourceRecordType, records: [option.resourceRecordValue], ttl: 300, allowOverwrite: true },
        { parent: this },
      );
      records.push(record);
    }
    const validation = new aws.acm.CertificateValidation(`${name}-cert-validation-${suffix}`, { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn], region }, { parent: this });
    certificates.push(certificate);
    return validation.certificateArn;
  }

  /**
   * One record per region (A, and AAAA for a dualstack domain): alias to the region's custom domain, health-checked on
   * the API's health route through its stage.
   */
  private createRouting(name: string, zoneId: pulumi.Input<string>): DnsRouting {
    const routing = this.spec.routing!;
    const records: DnsRoutingRecord[] = this.apis.map((api, index) => {
      const region = this.spec.regions[index].region!;
      const stage = this.spec.domain!.stage ?? api.spec.stages[0].name;
      return {
        id: region,
        region: routing.policy === RoutingPolicy.Latency ? region : undefined,
        failover: routing.policy === RoutingPolicy.Failover ? failoverRole(index) : undefined,
        target: { name: api.customDomain!.regionalDomainName, zoneId: api.customDomain!.regionalZoneId },
        // The execute-api host with the stage in the path: it presents Amazon's certificate for the host checked.
        healthCheck: {
          fqdn: api.domainName,
          path: healthCheckPath(stage, api.spec.basePath, routing.healthRoute),
          searchString: routing.searchString,
          failureThreshold: routing.failureThreshold,
          requestInterval: routing.requestInterval,
        },
        local: { originId: this.spec.regions[index].apiName, pathPrefix: `/${stage}` },
      };
    });
    // AAAA aliases only to dualstack domains: an IPv4-only API Gateway domain has no IPv6 address to answer with
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-custom-domain-ip-address-type.html).
    const ipv6 = this.spec.domain!.ipAddressType === "dualstack";
    return new DnsRouting(`${name}-routing`, { zoneId, name: this.spec.domain!.name, policy: routing.policy, records, ipv6 }, { parent: this });
  }

  /**
   * One region without routing: the domain's name as a simple alias (A, and AAAA for a dualstack domain) to the
   * region's custom domain, so the name resolves without a routing policy, e.g. after going back from several regions
   * to one. Each record carries, as an alias, the home region's routing record of the same type (DnsRouting's name for
   * it: `<name>-routing-<type>-<region's letters and digits>`): going back to one region then updates that record in
   * place instead of creating a second record beside it. The provider makes that update one change batch, DELETE of
   * the latency record and CREATE of the simple one (terraform-provider-aws internal/service/route53/record.go
   * resourceRecordUpdate, "Delete the old and create the new records in a single batch"; set_identifier is not
   * ForceNew), which Route 53 applies all or nothing; the other regions' latency records must be gone first, since a
   * name and type takes one routing policy (docs/multi-region.md, "Dropping a region").
   */
  private createDomainRecords(name: string, zoneId: pulumi.Input<string>, homeRegion: string | undefined): aws.route53.Record[] {
    const domain = this.spec.domain!;
    const target = this.home.customDomain!;
    // AAAA aliases only to dualstack domains, as the routing's (an IPv4-only domain has no IPv6 address to answer with).
    const types = domain.ipAddressType === "dualstack" ? ["A", "AAAA"] : ["A"];
    const routingParent = pulumi.createUrn(`${name}-routing`, "serverless-fullstack:index:DnsRouting", this);
    return types.map(
      (type) =>
        new aws.route53.Record(
          `${name}-domain-${type.toLowerCase()}`,
          // One record per name and type: nothing for Route 53 to fail over to, so no target health to evaluate.
          { zoneId, name: domain.name, type, aliases: [{ name: target.regionalDomainName, zoneId: target.regionalZoneId, evaluateTargetHealth: false }] },
          { parent: this, aliases: homeRegion ? [{ name: routingRecordName(`${name}-routing`, type, homeRegion), parent: routingParent }] : undefined },
        ),
    );
  }

  /**
   * A StaticSite route sending `/<basePath>/*` to the API: with routing, to the routed name (Route 53 picks the
   * region; the custom domain maps its root to the stage, so no origin path); with one region, as
   * `ServerlessApi.siteRoute()`. The origin id is the DnsRouting's name, where `npm start` runs its local router.
   */
  siteRoute(): { pathPattern: string; originId: string; domainName: pulumi.Output<string>; originPath: string } {
    if (!this.routing) return this.home.siteRoute(this.spec.domain?.stage);
    const route = this.home.siteRoute(this.spec.domain!.stage);
    return { pathPattern: route.pathPattern, originId: `${this.spec.name}-routing`, domainName: pulumi.output(this.spec.domain!.name), originPath: "" };
  }
}
