/**
 * The custom-domain rules on what users build right: a domain that waits for its certificate's validation, a certificate
 * ACM does not validate, and one name in two regions or as a private domain; and the cases their fixtures leave out.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { APIGATEWAY_DOMAIN_CERTIFICATE_ISSUED, APIGATEWAY_DOMAIN_NAME_UNIQUE, checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import type { RecordedResource } from "../../local/offline/mocks";
import { devContext, handBuilt } from "./fixture";
import { realtimeOn, restApiOn } from "./fixtures/apigatewayv2";

const V1 = "aws:apigateway/domainName:DomainName";
const V2 = "aws:apigatewayv2/domainName:DomainName";
const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/a";
const v1Domain = (logical: string, inputs: Record<string, any> = {}) => handBuilt(V1, logical, { domainName: "api.example.com", regionalCertificateArn: certificateArn, endpointConfiguration: { types: "REGIONAL" }, ...inputs });
const v2Domain = (logical: string, inputs: Record<string, any> = {}) => handBuilt(V2, logical, { domainName: "api.example.com", domainNameConfiguration: { certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" }, ...inputs });
const unique = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [APIGATEWAY_DOMAIN_NAME_UNIQUE]).map((f) => f.resource);
const issued = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [APIGATEWAY_DOMAIN_CERTIFICATE_ISSUED]).map(formatFinding);

describe("ApiGatewayDomainNameUnique", () => {
  it("passes one name in two regions, and a private REST domain (private names need not be unique) beside a public one", () => {
    expect(unique([v1Domain("east"), v2Domain("west", { region: "us-west-2" })])).toEqual([]);
    expect(unique([v1Domain("public"), v1Domain("private", { endpointConfiguration: { types: "PRIVATE" }, regionalCertificateArn: undefined, certificateArn })])).toEqual([]);
  });

  it("finds two v2 domains of one name in different case, and says how two REST or HTTP APIs share one domain", () => {
    const graph = [v2Domain("first"), v2Domain("second", { domainName: "API.Example.com" })];
    const findings = checkDeployRules(graph, devContext, [APIGATEWAY_DOMAIN_NAME_UNIQUE]);
    expect(findings.map((f) => f.resource)).toEqual([`${V2} second`]);
    expect(findings[0].fix).toMatch(/create the domain once and map both APIs to it under different base paths/);
  });
});

describe("ApiGatewayDomainCertificateIssued", () => {
  it("passes a WebSocket API and a REST API whose domains take the certificateArn of the certificate's CertificateValidation", async () => {
    const graph = await record(() => {
      const live = new aws.acm.Certificate("live-cert", { domainName: "live.example.com", validationMethod: "DNS" });
      realtimeOn("live", { name: "live.example.com", certificateArn: new aws.acm.CertificateValidation("live-cert-validation", { certificateArn: live.arn }).certificateArn });
      const api = new aws.acm.Certificate("api-cert", { domainName: "api.example.com", validationMethod: "DNS" });
      restApiOn("api", { name: "api.example.com", certificateArn: new aws.acm.CertificateValidation("api-cert-validation", { certificateArn: api.arn }).certificateArn });
    });
    expect(issued(graph)).toEqual([]);
  });

  it("passes an imported certificate (issued on import; ACM validates only certificates it issues) and one from outside the plan", async () => {
    const importedArn = "arn:aws:acm:us-east-1:123456789012:certificate/imported";
    const graph = await record(() => {
      realtimeOn("live", { name: "live.example.com", certificateArn: importedArn });
      restApiOn("api", { name: "api.example.com", certificateArn });
    });
    const certificate = (inputs: Record<string, any>) => handBuilt("aws:acm/certificate:Certificate", "live-cert", inputs, { state: { arn: importedArn } });
    expect(issued([...graph, certificate({ privateKey: "-----BEGIN PRIVATE KEY-----", certificateBody: "-----BEGIN CERTIFICATE-----" })])).toEqual([]);
    // The same certificate requested from ACM needs its validation.
    expect(issued([...graph, certificate({ domainName: "live.example.com", validationMethod: "DNS" })])).toEqual([expect.stringMatching(/^dev: \[ApiGatewayDomainCertificateIssued\] aws:apigatewayv2\/domainName:DomainName live-domain: uses aws:acm\/certificate:Certificate live-cert/)]);
  });
});
