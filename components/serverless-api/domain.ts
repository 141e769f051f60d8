/** A custom domain with a regional ACM certificate, mapped to one stage. DNS records are the caller's (or a later Route 53 step). */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { regionalCertificate } from "../regional-domain";
import type { ServerlessApiSpec } from "./spec";

export function createDomain(
  name: string,
  spec: ServerlessApiSpec,
  api: aws.apigateway.RestApi,
  stages: Map<string, aws.apigateway.Stage>,
  region: pulumi.Output<string>,
  parent: pulumi.Resource,
) {
  const domain = spec.domain;
  if (!domain) return undefined;
  const domainName = new aws.apigateway.DomainName(
    `${name}-domain`,
    {
      domainName: domain.name,
      regionalCertificateArn: regionalCertificate("ServerlessApi", name, domain, region),
      // API Gateway serves a public custom domain over IPv4 only unless its IP address type is dualstack ("The
      // default IP address type for API Gateway custom domain names for public APIs is IPv4",
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-custom-domain-ip-address-type.html): then
      // the AAAA alias records RegionalApis' DnsRouting makes beside the A records reach it. The REST API behind it
      // may stay IPv4 ("Your custom domain name doesn't need to have the same IP address type for all APIs mapped to
      // it"). pulumi-aws 7.48 takes `ipAddressType` ("Valid values: `ipv4`, `dualstack`"), and a change is an update
      // of the domain in place, not a replacement (which would re-create the same name): terraform-provider-aws
      // plans `+ ip_address_type = "dualstack"` on an existing domain as "updated in-place"
      // (hashicorp/terraform-provider-aws#47504), its acceptance test TestAccAPIGatewayDomainName_ipAddressType moves
      // one domain from ipv4 to dualstack, and AWS changes it with UpdateDomainName
      // (`op='replace',path='/endpointConfiguration/ipAddressType'`, same page).
      endpointConfiguration: { types: "REGIONAL", ipAddressType: domain.ipAddressType },
      securityPolicy: "TLS_1_2",
      region: spec.region,
    },
    { parent },
  );
  const mapping = new aws.apigateway.BasePathMapping(
    `${name}-domain-mapping`,
    { restApi: api.id, stageName: stages.get(domain.stage)!.stageName, domainName: domainName.domainName, basePath: domain.basePath || undefined, region: spec.region },
    { parent },
  );
  return { domainName, mapping };
}
