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
      endpointConfiguration: { types: "REGIONAL" },
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
