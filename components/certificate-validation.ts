/**
 * Certificates StaticSite and RegionalApis request from ACM: the limit on the name that becomes the Common Name, and
 * the DNS validation record ACM asks for, per name of a certificate. The provider lists a certificate's
 * `domainValidationOptions` in the order of a Terraform set, hashes of the names, not in the order of
 * `domainName` and `subjectAlternativeNames` (terraform-provider-aws internal/service/acm/certificate.go;
 * its version 3 upgrade guide: "sets cannot be indexed"), so each name's option is found by name.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";

/**
 * ACM RequestCertificate `DomainName`: "In compliance with RFC 5280, the length of the domain name (technically, the
 * Common Name) that you provide cannot exceed 64 octets (characters), including periods. To add a longer domain name,
 * specify it in the Subject Alternative Name field, which supports names up to 253 octets in length."
 * (https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html; read in the AWS SDK reference
 * generated from the same model, aws-sdk-acm `RequestCertificateInput::domain_name`). The provider does not check it
 * (terraform-provider-aws internal/service/acm/certificate.go: `domain_name` refuses only a trailing period), so a longer
 * name passes `pulumi preview` and fails at `pulumi up`. Not adjustable: an error, not a warning. Deploy rule
 * `AcmCommonNameLength` checks the same for any program.
 */
export const ACM_COMMON_NAME_MAX_LENGTH = 64;

/**
 * Refuses `name` (the component's `domain.name`) when it is longer than ACM takes as the Common Name of a certificate
 * the component requests. `requester` says whose request it is ("the certificate StaticSite requests"), `fix` what the
 * caller can do instead (a certificate of their own, where the component takes one).
 */
export function validateCommonNameLength(fail: ArgFailure, argument: string, name: string, requester: string, fix: string): void {
  if (typeof name !== "string" || name.length <= ACM_COMMON_NAME_MAX_LENGTH) return;
  fail(argument, name, `is ${name.length} characters; it is the Common Name of ${requester}, and ACM's RequestCertificate takes a Common Name of at most ${ACM_COMMON_NAME_MAX_LENGTH} characters`, fix);
}

/** The validation option of `host` on `certificate`; `owner` (e.g. `StaticSite "site"`) names the component in the error. */
export function dnsValidationOption(owner: string, certificate: aws.acm.Certificate, host: string): pulumi.Output<aws.types.output.acm.CertificateDomainValidationOption> {
  return certificate.domainValidationOptions.apply((options) => {
    const found = options.find((option) => option.domainName === host);
    if (!found) throw new Error(`${owner}: the certificate has no DNS validation option for ${host} (it has ${options.map((option) => option.domainName).join(", ")}).`);
    return found;
  });
}
