/**
 * API Gateway custom domains of the components' APIs (REST, HTTP and WebSocket) are regional, and "the certificate must
 * be in the same Region as your API"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html).
 * One check for all three, at construction when the values are plain, and once known when they are Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgError, type ArgFailure } from "./errors";

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/.+/;

export interface RegionalDomain {
  name: string;
  certificateArn: pulumi.Input<string>;
}

/** Construction-time checks of a domain's name and certificate; `apiRegion` is the component's `region` arg, when set. */
export function validateRegionalDomain(fail: ArgFailure, domain: RegionalDomain, apiRegion: string | undefined, exampleName: string): void {
  if (!HOST_NAME.test(domain.name ?? "")) fail("domain.name", domain.name, "is not a lowercase DNS host name", `Use e.g. "${exampleName}".`);
  if (typeof domain.certificateArn !== "string") return; // An Output: checked once known (regionalCertificate).
  if (!ACM_CERTIFICATE_ARN.test(domain.certificateArn)) fail("domain.certificateArn", domain.certificateArn, "is not an ACM certificate ARN", "Request or import a certificate in the API's region.");
  const problem = apiRegion === undefined ? undefined : certificateRegionProblem(domain.name, domain.certificateArn, apiRegion);
  if (problem) fail("domain.certificateArn", domain.certificateArn, problem.problem, problem.fix);
}

/** The domain's certificate ARN for the DomainName resource, checked against the API's region once both are known. */
export function regionalCertificate(component: string, resourceName: string, domain: RegionalDomain, apiRegion: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.all([domain.certificateArn, apiRegion]).apply(([arn, region]) => assertRegionalCertificate(component, resourceName, domain.name, arn, region));
}

/** Throws the construction-time message for a certificate or API region only known at deploy time; returns the ARN. */
export function assertRegionalCertificate(component: string, resourceName: string, domainName: string, certificateArn: string, apiRegion: string): string {
  const problem = certificateRegionProblem(domainName, certificateArn, apiRegion);
  if (problem) throw new ComponentArgError(component, resourceName, "domain.certificateArn", certificateArn, problem.problem, problem.fix);
  return certificateArn;
}

function certificateRegionProblem(domainName: string, certificateArn: string, apiRegion: string): { problem: string; fix: string } | undefined {
  const certificateRegion = ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1];
  if (certificateRegion === undefined || certificateRegion === apiRegion) return undefined;
  return {
    problem: `is in ${certificateRegion}, but a regional custom domain takes a certificate from its API's region, ${apiRegion}`,
    fix: `Request or import a certificate for ${domainName} in ${apiRegion}.`,
  };
}
