import { cacheBehaviours, ofType } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type Finding, type SecurityRule } from "./rule";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const MODERN_VIEWER_POLICIES = new Set(["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"]);

function distributions(graph: readonly RecordedResource[]) {
  return ofType(graph, DISTRIBUTION);
}

function isS3WebsiteOrigin(origin: any): boolean {
  return /\.s3-website[.-][a-z0-9-]+\.amazonaws\.com$/.test(String(origin.domainName));
}

/** CFR3: access logging. */
export const CFR3: SecurityRule = {
  id: "CFR3",
  title: "CloudFront distributions log requests",
  check(graph) {
    return distributions(graph)
      .filter((d) => !d.inputs.loggingConfig?.bucket)
      .map((d) => finding("CFR3", d, "has no access logging"));
  },
};

/**
 * CFR4: viewers connect with TLS 1.2 or newer, over HTTPS only. CloudFront allows only its
 * TLSv1 policy with the default *.cloudfront.net certificate, so production stacks must
 * use a custom domain; other stacks may use the default certificate.
 */
export const CFR4: SecurityRule = {
  id: "CFR4",
  title: "CloudFront viewers use HTTPS with TLS 1.2+",
  check(graph, context) {
    const findings: Finding[] = [];
    for (const d of distributions(graph)) {
      const certificate = d.inputs.viewerCertificate ?? {};
      if (certificate.cloudfrontDefaultCertificate) {
        if (context.production) findings.push(finding("CFR4", d, "uses the default certificate, which only offers TLSv1; set a custom domain"));
      } else if (!MODERN_VIEWER_POLICIES.has(certificate.minimumProtocolVersion)) {
        findings.push(finding("CFR4", d, `allows viewer TLS policy ${certificate.minimumProtocolVersion ?? "(unset)"}`));
      }
      for (const { path, behaviour } of cacheBehaviours(d)) {
        if (behaviour.viewerProtocolPolicy === "allow-all") findings.push(finding("CFR4", d, `behaviour ${path} allows plain HTTP`));
      }
    }
    return findings;
  },
};

/** CFR5: TLS 1.2 to custom origins; the one exception is StaticSite's S3 website endpoint (hosting "s3-website"), which only speaks HTTP. */
export const CFR5: SecurityRule = {
  id: "CFR5",
  title: "CloudFront talks to origins over TLS 1.2",
  check(graph) {
    const findings: Finding[] = [];
    for (const d of distributions(graph)) {
      for (const origin of d.inputs.origins ?? []) {
        const custom = origin.customOriginConfig;
        if (!custom) continue;
        const outdated = (custom.originSslProtocols ?? []).filter((p: string) => p !== "TLSv1.2");
        if (outdated.length > 0) findings.push(finding("CFR5", d, `origin ${origin.originId} allows ${outdated.join(", ")}`));
        if (custom.originProtocolPolicy !== "https-only") {
          const websiteWithSecret = isS3WebsiteOrigin(origin) && (origin.customHeaders ?? []).some((h: any) => h.name === "Referer");
          if (!websiteWithSecret) findings.push(finding("CFR5", d, `origin ${origin.originId} is reached over ${custom.originProtocolPolicy}`));
        }
      }
    }
    return findings;
  },
};

/** CFR7: S3 REST origins are read through Origin Access Control, not a public bucket or a legacy OAI. */
export const CFR7: SecurityRule = {
  id: "CFR7",
  title: "CloudFront reads S3 origins through Origin Access Control",
  check(graph) {
    const findings: Finding[] = [];
    for (const d of distributions(graph)) {
      for (const origin of d.inputs.origins ?? []) {
        const s3Rest = /\.s3\.([a-z0-9-]+\.)?amazonaws\.com$/.test(String(origin.domainName));
        if (s3Rest && !origin.originAccessControlId) findings.push(finding("CFR7", d, `S3 origin ${origin.originId} has no Origin Access Control`));
        if (origin.s3OriginConfig?.originAccessIdentity) findings.push(finding("CFR7", d, `origin ${origin.originId} uses a legacy Origin Access Identity`));
      }
    }
    return findings;
  },
};

/**
 * CFR2: the distribution is protected by an AWS WAF web ACL. An error for production stacks (StaticSite `waf`,
 * the `wafEnabled` config); dev stacks may go without, as a web ACL's fixed monthly cost buys them nothing.
 */
export const CFR2: SecurityRule = {
  id: "CFR2",
  title: "CloudFront distributions in production have a WAF web ACL",
  check(graph, context) {
    if (!context.production) return [];
    return distributions(graph)
      .filter((d) => !d.inputs.webAclId)
      .map((d) => finding("CFR2", d, "has no AWS WAF web ACL (webAclId); set StaticSite's waf (wafEnabled in the reference app)"));
  },
};
