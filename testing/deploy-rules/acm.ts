/**
 * ACM deploy rules: a certificate the plan requests is issued before CloudFront or Cognito is given it
 * (`CertificateIssuedBeforeUse`, in ACM_RULES; API Gateway's domains have `ApiGatewayDomainCertificateIssued`, on the
 * same check), its Common Name is one ACM takes (`AcmCommonNameLength`, in ACM_RULES), and warnings (ACM_WARNING_RULES, part of DEPLOY_WARNING_RULES): what ACM refuses under a default quota an
 * account may have raised, which a plan cannot see.
 */
import { ACM_COMMON_NAME_MAX_LENGTH } from "../../components/certificate-validation";
import { ACM_DOMAIN_NAMES_PER_CERTIFICATE } from "../../components/static-site/spec";
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";

const CERTIFICATE = "aws:acm/certificate:Certificate";
const CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const USER_POOL_DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";

/** How a resource that takes a certificate ARN is named in a finding, and what its create call answers on a certificate not yet issued. */
export interface CertificateConsumer {
  /** The resource given the certificate ARN. */
  consumer: RecordedResource;
  /** The ARNs it names (empty strings and unset values are skipped). */
  arns: unknown[];
  /** "the domain", "the distribution": what the fix gives the validation's output to. */
  what: string;
  /** "so CreateDomainName can run before ACM has issued the certificate and is refused": why it must wait. */
  why: string;
  /** The create call's refusal for `arn`, quoted after `why`. */
  refusal: (arn: string) => string;
}

/**
 * The findings of `rule` on `consumer`: each ARN it names that is the `arn` of an aws.acm.Certificate this plan requests
 * from ACM, without an aws.acm.CertificateValidation of that certificate in the consumer's dependency closure. ACM
 * issues a requested certificate only after validation ("A certificate enters status PENDING_VALIDATION upon being
 * requested … If validation succeeds, the certificate enters status ISSUED", CertificateDetail `Status`); the provider
 * creates an aws.acm.Certificate as soon as it is requested and an aws.acm.CertificateValidation only once the
 * certificate is ISSUED (terraform-provider-aws internal/service/acm/certificate_validation.go `waitCertificateIssued`),
 * so only a consumer that depends on a validation is created after the certificate is issued. Imported certificates
 * (certificateBody, privateKey) are issued on import and private ones (certificateAuthorityArn) are not validated
 * (certificate_validation.go refuses any type but AMAZON_ISSUED), so only certificates the plan requests are checked.
 * Shared by ApiGatewayDomainCertificateIssued and CertificateIssuedBeforeUse.
 */
export function certificateIssuedFindings(graph: Graph, rule: string, { consumer, arns, what, why, refusal }: CertificateConsumer): DeployFinding[] {
  const findings: DeployFinding[] = [];
  const before = dependencyClosure(graph, consumer);
  for (const arn of arns.filter((a): a is string => typeof a === "string" && a !== "")) {
    const certificate = ofType(graph, CERTIFICATE).find((c) => c.state.arn === arn);
    if (!certificate || certificate.inputs.privateKey || certificate.inputs.certificateBody || certificate.inputs.certificateAuthorityArn) continue;
    const validations = ofType(graph, CERTIFICATE_VALIDATION).filter((v) => v.inputs.certificateArn === arn);
    if (validations.some((v) => before.has(v.urn))) continue;
    findings.push(
      validations.length === 0
        ? finding(
            rule,
            consumer,
            `uses ${certificate.type} ${certificate.name}, requested by this plan, but no aws.acm.CertificateValidation of it is among its dependencies, ${why} (${refusal(arn)})`,
            `create an aws.acm.CertificateValidation of ${certificate.name} (with its DNS validation record) and give ${what} its certificateArn output instead of the certificate's arn`,
          )
        : finding(
            rule,
            consumer,
            `uses ${certificate.type} ${certificate.name}, requested by this plan, but does not depend on its validation ${validations.map((v) => v.name).join(", ")}, ${why} (${refusal(arn)})`,
            `give ${what} ${validations[0].name}'s certificateArn output instead of ${certificate.name}'s arn`,
          ),
    );
  }
  return findings;
}

/**
 * The same wait for CloudFront and Cognito. A distribution's `viewerCertificate.acmCertificateArn`: CreateDistribution
 * on a certificate that is not issued answers "InvalidViewerCertificate: The specified SSL certificate doesn't exist,
 * isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain"
 * (https://repost.aws/knowledge-center/cloudfront-invalid-viewer-certificate), which the provider retries for one minute
 * only (terraform-provider-aws internal/service/cloudfront/distribution.go resourceDistributionCreate: "ACM and IAM
 * certificate eventual consistency", `timeout = 1 * time.Minute`, `RetryWhenIsA[*awstypes.InvalidViewerCertificate]`),
 * less than DNS validation takes; observed with a certificate and a distribution created in one run
 * (hashicorp/terraform-provider-aws#2418: "worked on a later run"). A Cognito custom domain's `certificateArn`: Cognito
 * serves the domain from a CloudFront distribution it creates, and CreateUserPoolDomain has been seen to fail with
 * CloudFront's InvalidViewerCertificate (aws-amplify/amplify-hosting#2278); that it refuses a certificate still pending
 * validation is inferred from that, not confirmed by AWS text. The provider calls it once (cognitoidp
 * user_pool_domain.go resourceUserPoolDomainCreate).
 */
export const CERTIFICATE_ISSUED_BEFORE_USE: DeployRule = {
  id: "CertificateIssuedBeforeUse",
  title: "A CloudFront distribution or Cognito custom domain on a certificate the plan requests waits for that certificate's CertificateValidation",
  source: "https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateDetail.html",
  check(graph) {
    return [
      ...ofType(graph, DISTRIBUTION).flatMap((distribution) =>
        certificateIssuedFindings(graph, "CertificateIssuedBeforeUse", {
          consumer: distribution,
          arns: [distribution.inputs.viewerCertificate?.acmCertificateArn],
          what: "viewerCertificate.acmCertificateArn",
          why: "so CreateDistribution can run before ACM has issued the certificate and is refused for longer than the provider's one-minute retry",
          refusal: () => "InvalidViewerCertificate",
        }),
      ),
      ...ofType(graph, USER_POOL_DOMAIN).flatMap((domain) =>
        certificateIssuedFindings(graph, "CertificateIssuedBeforeUse", {
          consumer: domain,
          arns: [domain.inputs.certificateArn],
          what: "the user pool domain's certificateArn (UserAuth: domain.certificateArn)",
          why: "so CreateUserPoolDomain can run before ACM has issued the certificate, which the CloudFront distribution Cognito creates for the domain is believed (not confirmed) to refuse",
          refusal: () => "InvalidViewerCertificate",
        }),
      ),
    ];
  },
};

/**
 * RequestCertificate `DomainName`: "In compliance with RFC 5280, the length of the domain name (technically, the Common
 * Name) that you provide cannot exceed 64 octets (characters), including periods. To add a longer domain name, specify
 * it in the Subject Alternative Name field, which supports names up to 253 octets in length."
 * (https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html; the constant and its source are
 * components/certificate-validation.ts', where StaticSite and RegionalApis refuse such a `domain.name`). The provider
 * refuses only a trailing period in `domain_name` (terraform-provider-aws internal/service/acm/certificate.go), so the
 * plan previews and RequestCertificate fails at `pulumi up`. Not a quota: a failing rule. Imported certificates (no
 * domainName) are not requested, so not checked; the name is counted in characters as given (ASCII for a host name).
 */
export const ACM_COMMON_NAME_LENGTH: DeployRule = {
  id: "AcmCommonNameLength",
  title: "A certificate requested from ACM has a domainName (its Common Name) of at most 64 characters",
  source: "https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html",
  check(graph) {
    return ofType(graph, CERTIFICATE).flatMap((certificate) => {
      const { domainName } = certificate.inputs;
      if (typeof domainName !== "string" || domainName.length <= ACM_COMMON_NAME_MAX_LENGTH) return [];
      return [
        finding(
          "AcmCommonNameLength",
          certificate,
          `requests a certificate whose domainName (its Common Name) "${domainName}" is ${domainName.length} characters; ACM's RequestCertificate takes a Common Name of at most ${ACM_COMMON_NAME_MAX_LENGTH} characters, including periods`,
          `request the certificate with a domainName of at most ${ACM_COMMON_NAME_MAX_LENGTH} characters that it also covers (e.g. a parent name or its wildcard) and put "${domainName}" in subjectAlternativeNames (up to 253 characters), or use a shorter name`,
        ),
      ];
    });
  },
};

/** ACM's failing rules: part of DEPLOY_RULES. */
export const ACM_RULES: DeployRule[] = [CERTIFICATE_ISSUED_BEFORE_USE, ACM_COMMON_NAME_LENGTH];

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
