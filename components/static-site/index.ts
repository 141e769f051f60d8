import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argFailer } from "../errors";
import { regionWhereCreated } from "../region";
import { registerSpec } from "../spec-registry";
import { createBuckets } from "./buckets";
import { createDistribution } from "./distribution";
import { siteCertificate, siteRecords, siteZoneId } from "./dns";
import { prepareSite, publishSite } from "./publish";
import type { SitePublisher } from "./publisher/resource";
import { WebAcl } from "../web-acl";
import { securityHeadersQuotaWarnings } from "./headers";
import { cacheBehaviourQuotaWarning, certificateNameQuotaWarning, ErrorDocumentServer, normalise, validateArgs, validateLogBucketRegion, withBehaviourPatterns, type StaticSiteArgs, type StaticSiteSpec } from "./spec";

export type { StaticSiteArgs, StaticSiteDomain, StaticSiteRoute, StaticSiteSpec, PriceClass } from "./spec";
export { ErrorDocumentServer } from "./spec";
export type { CacheRule } from "./content";
export type { SecurityHeaders } from "./headers";
export type { StaticSiteBuild } from "./build";
export type { StaticSitePublishArgs } from "./publisher/args";

/**
 * A static website on S3 behind CloudFront: a private, versioned,
 * encrypted bucket read through Origin Access Control (or, opt-in, S3 website
 * hosting), a separate log bucket, security headers, Cache-Control honoured per
 * object, and optionally a custom domain with Route 53 records and failover.
 *
 * @example
 * const site = new StaticSite("site", {
 *   path: "site",
 *   domain: { name: "gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000" },
 *   routes: [{ pathPattern: "/api/*", originId: "api", domainName: api.domainName, originPath: "/prod" }],
 *   retainOnDelete: true,
 * });
 * export const url = site.url;
 */
export class StaticSite extends pulumi.ComponentResource {
  readonly spec: StaticSiteSpec;
  readonly bucketName: pulumi.Output<string>;
  readonly logBucketName: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  readonly domainName: pulumi.Output<string>;
  /** https://<custom domain> when one is set, otherwise https://<distribution>.cloudfront.net. */
  readonly url: pulumi.Output<string>;
  /** The underlying resources, for users who need to extend them. */
  readonly nodes: {
    readonly bucket: aws.s3.Bucket;
    readonly logBucket: aws.s3.Bucket;
    readonly distribution: aws.cloudfront.Distribution;
    readonly records: readonly aws.route53.Record[];
    /** The one resource that uploads the site's files and invalidates what changed. */
    readonly publisher: SitePublisher;
    /** The distribution's web ACL, when `waf` is set. */
    readonly waf?: WebAcl;
  };

  constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:StaticSite", name, {}, opts);
    const fail = argFailer("StaticSite", name);
    const given = withBehaviourPatterns(args);
    validateArgs(fail, name, given);
    validateLogBucketRegion(fail, regionWhereCreated(args.region, this, "aws:s3/bucket:Bucket"));
    this.spec = normalise(name, given);
    const quotaWarnings = [certificateNameQuotaWarning(name, args.domain), ...securityHeadersQuotaWarnings(name, args.securityHeaders), cacheBehaviourQuotaWarning(name, given)];
    for (const warning of quotaWarnings) if (warning) pulumi.log.warn(warning, this);
    if (this.spec.errorDocumentServer === ErrorDocumentServer.None) {
      // Legitimate (an API behind the same distribution, no edge code), but the site's 404 page is lost: say so.
      pulumi.log.warn(
        `StaticSite "${name}": routes share the distribution, so no distribution-wide custom error response serves ${this.spec.errorDocument} ` +
          "(it would replace the routes' own 404 bodies); missing site objects answer with S3's 404. Attach an origin-response Lambda@Edge " +
          "with servesErrorDocument: true to the site's behaviours to serve the page (docs/edge.md).",
        this,
      );
    }
    const site = prepareSite(name, this.spec, args.build?.environment, fail);

    const buckets = createBuckets(name, this.spec, this);
    const zoneId = siteZoneId(fail, name, this.spec, this);
    const certificateArn = siteCertificate(name, this.spec, zoneId, this);
    // The WebAcl's spec is the one normalised here (name `${name}-waf`, scope CLOUDFRONT), so local and deployed limits agree.
    const waf = this.spec.waf ? new WebAcl(this.spec.waf.name, { ...args.waf, scope: this.spec.waf.scope }, { parent: this }) : undefined;
    const cdn = createDistribution(name, this.spec, buckets, certificateArn, waf?.arn, this);
    const records = siteRecords(name, this.spec, zoneId, cdn.distribution, this);
    const publisher = publishSite(name, this.spec, site, buckets, cdn, this);

    this.nodes = { bucket: buckets.site, logBucket: buckets.logs, distribution: cdn.distribution, records, publisher, waf };
    this.bucketName = buckets.site.bucket;
    this.logBucketName = buckets.logs.bucket;
    this.distributionId = cdn.distribution.id;
    this.domainName = cdn.distribution.domainName;
    this.url = this.spec.domain ? pulumi.output(`https://${this.spec.domain.name}`) : pulumi.interpolate`https://${cdn.distribution.domainName}`;
    registerSpec("StaticSite", name, this.spec);
    this.registerOutputs({ bucketName: this.bucketName, distributionId: this.distributionId, url: this.url });
  }
}
