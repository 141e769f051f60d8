/**
 * The DNS validation record ACM asks for, per name of a certificate. The provider lists a certificate's
 * `domainValidationOptions` in the order of a Terraform set, hashes of the names, not in the order of
 * `domainName` and `subjectAlternativeNames` (terraform-provider-aws internal/service/acm/certificate.go;
 * its version 3 upgrade guide: "sets cannot be indexed"), so each name's option is found by name.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The validation option of `host` on `certificate`; `owner` (e.g. `StaticSite "site"`) names the component in the error. */
export function dnsValidationOption(owner: string, certificate: aws.acm.Certificate, host: string): pulumi.Output<aws.types.output.acm.CertificateDomainValidationOption> {
  return certificate.domainValidationOptions.apply((options) => {
    const found = options.find((option) => option.domainName === host);
    if (!found) throw new Error(`${owner}: the certificate has no DNS validation option for ${host} (it has ${options.map((option) => option.domainName).join(", ")}).`);
    return found;
  });
}
