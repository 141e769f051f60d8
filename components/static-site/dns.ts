/** Custom domains: an ACM certificate in us-east-1 (CloudFront's region) and Route 53 alias records, with failover. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dnsValidationOption } from "../certificate-validation";
import type { StaticSiteSpec } from "./spec";

export const CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2";

/** The certificate CloudFront presents: the one given, or one created and validated through DNS. */
export function siteCertificate(name: string, spec: StaticSiteSpec, parent: pulumi.Resource): pulumi.Input<string> | undefined {
  const domain = spec.domain;
  if (!domain) return undefined;
  if (domain.certificateArn) return domain.certificateArn;

  const certificate = new aws.acm.Certificate(
    `${name}-cert`,
    {
      domainName: domain.name,
      // Unset without aliases. `subject_alternative_names` is Optional, Computed and ForceNew in terraform-provider-aws
      // (internal/service/acm/certificate.go), so unset keeps the names the certificate has: removing the *last*
      // alias keeps it on the certificate while its validation record goes (docs/components/static-site.md, Domains).
      // Sending domain.names always would fix that, but could not be confirmed to leave existing certificates alone.
      subjectAlternativeNames: domain.aliases?.length ? domain.aliases : undefined,
      validationMethod: "DNS",
      region: "us-east-1",
    },
    { parent },
  );
  // One validation record per name, keyed by the name it validates: names are known at plan time, so
  // `pulumi preview` lists them, and adding, removing or reordering aliases leaves the other names' records be.
  const validationRecords = domain.names.map((host, index) => {
    const option = dnsValidationOption(`StaticSite "${name}"`, certificate, host);
    return new aws.route53.Record(
      `${name}-cert-validation-${hostKey(host)}`,
      {
        zoneId: domain.hostedZoneId!,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        // A wildcard and its apex share one validation record.
        allowOverwrite: true,
      },
      { parent, aliases: [{ name: `${name}-cert-validation-${index}` }] },
    );
  });
  const validation = new aws.acm.CertificateValidation(
    `${name}-cert-validation`,
    { certificateArn: certificate.arn, validationRecordFqdns: validationRecords.map((r) => r.fqdn), region: "us-east-1" },
    { parent },
  );
  return validation.certificateArn;
}

/** A and AAAA alias records for every name; with failover, PRIMARY (health-checked) and SECONDARY sets. */
export function siteRecords(name: string, spec: StaticSiteSpec, distribution: aws.cloudfront.Distribution, parent: pulumi.Resource): aws.route53.Record[] {
  const domain = spec.domain;
  if (!domain?.hostedZoneId) return [];
  const zoneId = domain.hostedZoneId;
  const failover = domain.failover;

  const healthCheck = failover
    ? new aws.route53.HealthCheck(
        `${name}-health`,
        {
          // Check the distribution itself: the site's own name may already point at the standby.
          fqdn: distribution.domainName,
          type: "HTTPS",
          port: 443,
          resourcePath: failover.healthCheckPath,
          enableSni: true,
          failureThreshold: 3,
          requestInterval: 30,
        },
        { parent },
      )
    : undefined;

  const records: aws.route53.Record[] = [];
  domain.names.forEach((host, index) => {
    for (const type of ["A", "AAAA"] as const) {
      const key = `${name}-${type.toLowerCase()}-${hostKey(host)}`;
      const earlier = `${name}-${type.toLowerCase()}-${index}`;
      const site = { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false };
      // The simple record and the PRIMARY share one logical name: turning failover on is then an update of one record
      // set (the provider deletes the old set and creates the new in one change batch) rather than a create beside a
      // set of the same name and type, which Route 53 refuses (one routing policy per name and type). Turning it off
      // still needs the SECONDARY records deleted first (docs/multi-region.md): Pulumi deletes removed ones last.
      const primary = new aws.route53.Record(
        key,
        failover
          ? { zoneId, name: host, type, setIdentifier: `${name}-primary`, failoverRoutingPolicies: [{ type: "PRIMARY" }], healthCheckId: healthCheck!.id, aliases: [site] }
          : { zoneId, name: host, type, aliases: [site] },
        { parent, aliases: [{ name: earlier }, { name: `${earlier}-primary` }] },
      );
      records.push(primary);
      if (!failover) continue;
      records.push(
        new aws.route53.Record(
          `${key}-secondary`,
          {
            zoneId,
            name: host,
            type,
            setIdentifier: `${name}-secondary`,
            failoverRoutingPolicies: [{ type: "SECONDARY" }],
            aliases: [{ name: failover.domainName, zoneId: failover.hostedZoneId, evaluateTargetHealth: false }],
          },
          // Created only once the PRIMARY has replaced the simple record, which would otherwise hold the name and type.
          { parent, dependsOn: [primary], aliases: [{ name: `${earlier}-secondary` }] },
        ),
      );
    }
  });
  return records;
}

/**
 * A host name's part in logical names: the host itself, with a wildcard's `*` spelled `_wildcard` (`_` is not a
 * host-name character, spec.ts HOST_NAME), so two hosts never share a key and the URN has no glob character.
 * Earlier versions keyed records by their index in `domain.names`; the records carry those names as aliases,
 * for the hosts at those indexes today, so upgrading without changing the domain changes nothing.
 */
export function hostKey(host: string): string {
  return host.replace(/^\*\./, "_wildcard.");
}
