/**
 * ACM deploy rules. Warnings only (DEPLOY_WARNING_RULES): what ACM refuses under a default quota an account may have
 * raised, which a plan cannot see.
 */
import { ACM_DOMAIN_NAMES_PER_CERTIFICATE } from "../../components/static-site/spec";
import { ofType } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployRule } from "./rule";

const CERTIFICATE = "aws:acm/certificate:Certificate";

/**
 * The names RequestCertificate gets for a certificate ACM issues: terraform-provider-aws keeps
 * `subject_alternative_names` as a set and adds `domain_name` to it ("ACM automatically adds the domain_name value to
 * the list of SANs. Mimic ACM's behavior", internal/service/acm/certificate.go, CustomizeDiff), so each string counts
 * once and domainName once. Names are compared as given: whether ACM also counts `A.example.com` and `a.example.com`
 * once is not documented. Undefined for an imported certificate (no domainName: certificateBody and privateKey).
 */
export function certificateNames(certificate: RecordedResource): string[] | undefined {
  const { domainName, subjectAlternativeNames } = certificate.inputs;
  if (typeof domainName !== "string" || !domainName) return undefined;
  const alternatives: unknown[] = Array.isArray(subjectAlternativeNames) ? subjectAlternativeNames : [];
  return [...new Set([domainName, ...alternatives.filter((n): n is string => typeof n === "string" && n !== "")])];
}

/**
 * ACM quotas, "Number of domain names per ACM certificate": "The default quota is 10 domain names for each ACM
 * certificate. Your quota may be greater"; the first name is the certificate's subject CN and "All names are included
 * in the Subject Alternative Name extension", so domainName counts; and the same entry limits the quota to
 * certificates ACM provides, not imported ones (its English text was cut short where it was read for this rule, after
 * "The quota for the number of domain"; the Chinese and Korean pages say so in full). RequestCertificate: "The
 * maximum number of domain names that you can add to an ACM certificate is 100. However, the initial quota is 10
 * domain names. If you need more than 10 names, you must request a quota increase." Over the account's quota the
 * request fails with LimitExceededException ("Certificate has too many domains.", hashicorp/terraform-provider-aws#35825).
 * The quota is adjustable, so this is a warning, as StaticSite's for the certificate it requests
 * (certificateNameQuotaWarning, whose constant this is): a stack deployed under a raised quota keeps deploying.
 */
export const ACM_CERTIFICATE_NAME_COUNT: DeployRule = {
  id: "AcmCertificateNameCount",
  title: "A certificate ACM issues has at most 10 domain names (domainName and subjectAlternativeNames), ACM's default, adjustable quota",
  source: "https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html",
  check(graph) {
    return ofType(graph, CERTIFICATE).flatMap((certificate) => {
      const names = certificateNames(certificate);
      if (!names || names.length <= ACM_DOMAIN_NAMES_PER_CERTIFICATE) return [];
      return [
        finding(
          "AcmCertificateNameCount",
          certificate,
          `requests a certificate with ${names.length} domain names (domainName and ${names.length - 1} subjectAlternativeNames), more than ACM's default quota of ${ACM_DOMAIN_NAMES_PER_CERTIFICATE} per certificate: unless the account's quota was raised to ${names.length} or more, RequestCertificate fails (LimitExceededException)`,
          `ask for a quota increase (Service Quotas, ACM "Domain names per ACM certificate", up to 100) or split the certificate into certificates of at most ${ACM_DOMAIN_NAMES_PER_CERTIFICATE} names`,
        ),
      ];
    });
  },
};

/** ACM's warning rules: part of DEPLOY_WARNING_RULES, not of DEPLOY_RULES. */
export const ACM_WARNING_RULES: DeployRule[] = [ACM_CERTIFICATE_NAME_COUNT];
