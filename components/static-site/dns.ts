/** Custom domains: an ACM certificate in us-east-1 (CloudFront's region) and Route 53 alias records, with failover. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
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
      subjectAlternativeNames: domain.aliases?.length ? domain.aliases : undefined,
      validationMethod: "DNS",
      region: "us-east-1",
    },
    { parent },
  );
  // One validation record per name; names are known at plan time, so `pulumi preview` lists them.
  const validationRecords = domain.names.map((_, index) => {
    const option = certificate.domainValidationOptions[index];
    return new aws.route53.Record(
      `${name}-cert-validation-${index}`,
      {
        zoneId: domain.hostedZoneId!,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        // A wildcard and its apex share one validation record.
        allowOverwrite: true,
      },
      { parent },
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
      const base = `${name}-${type.toLowerCase()}-${index}`;
      if (!failover) {
        records.push(
          new aws.route53.Record(
            base,
            { zoneId, name: host, type, aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }] },
            { parent },
          ),
        );
        continue;
      }
      records.push(
        new aws.route53.Record(
          `${base}-primary`,
          {
            zoneId,
            name: host,
            type,
            setIdentifier: `${name}-primary`,
            failoverRoutingPolicies: [{ type: "PRIMARY" }],
            healthCheckId: healthCheck!.id,
            aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
          },
          { parent },
        ),
        new aws.route53.Record(
          `${base}-secondary`,
          {
            zoneId,
            name: host,
            type,
            setIdentifier: `${name}-secondary`,
            failoverRoutingPolicies: [{ type: "SECONDARY" }],
            aliases: [{ name: failover.domainName, zoneId: failover.hostedZoneId, evaluateTargetHealth: false }],
          },
          { parent },
        ),
      );
    }
  });
  return records;
}
