/**
 * ApiGatewayDomainCertificateCovers (review 106 #1) on what AWS takes: an API custom domain on a certificate the plan
 * requests that covers its name — by a one-label wildcard, a subject alternative name, in other case, passed on through
 * a CertificateValidation or as the certificate's own arn — and a certificate the plan does not request (not judged).
 * Its failing fixtures are in fixtures/apigatewayv2.ts (fixtures.test.ts runs them with every rule of the pack).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi } from "../../components/serverless-api";
import { APIGATEWAY_DOMAIN_CERTIFICATE_COVERS, checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import type { RecordedResource } from "../../local/offline/mocks";
import { devContext, handBuilt } from "./fixture";
import { realtimeOn, restApiOn } from "./fixtures/apigatewayv2";

const covers = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [APIGATEWAY_DOMAIN_CERTIFICATE_COVERS]).map(formatFinding);

/** An HTTP API (ServerlessApi's HTTP kind) on the custom domain `domain`. */
const httpApiOn = (name: string, domain: { name: string; certificateArn: pulumi.Input<string> }) =>
  new ServerlessApi(name, { kind: ApiKind.Http, accountCloudWatchRole: false, routes: { "GET /items": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" } }, domain });

/** A certificate the plan requests, and its validation's certificateArn (what a domain should be given). */
function validated(name: string, inputs: { domainName: string; subjectAlternativeNames?: string[] }) {
  const certificate = new aws.acm.Certificate(name, { ...inputs, validationMethod: "DNS" });
  return new aws.acm.CertificateValidation(`${name}-validation`, { certificateArn: certificate.arn }).certificateArn;
}

describe("ApiGatewayDomainCertificateCovers", () => {
  it("passes a REST, an HTTP and a WebSocket domain one label below a wildcard certificate, on a certificate whose name is in another case (components take lowercase host names only)", async () => {
    const graph = await record(() => {
      const wildcard = validated("wild-cert", { domainName: "*.Example.com" });
      restApiOn("api", { name: "api.example.com", certificateArn: wildcard });
      httpApiOn("web", { name: "web.example.com", certificateArn: wildcard });
      realtimeOn("live", { name: "live.example.com", certificateArn: wildcard });
    });
    expect(graph.filter((r) => r.type.endsWith("/domainName:DomainName"))).toHaveLength(3);
    expect(covers(graph)).toEqual([]);
  });

  it("passes a domain named by a subject alternative name, given the certificate's validation output or its own arn", async () => {
    const graph = await record(() => {
      const shared = validated("shared-cert", { domainName: "www.example.com", subjectAlternativeNames: ["api.example.com", "live.example.com"] });
      restApiOn("api", { name: "api.example.com", certificateArn: shared });
      const own = new aws.acm.Certificate("own-cert", { domainName: "example.com", subjectAlternativeNames: ["live.example.com"], validationMethod: "DNS" });
      realtimeOn("live", { name: "live.example.com", certificateArn: own.arn });
    });
    expect(covers(graph)).toEqual([]);
  });

  it("does not judge a certificate outside the plan, nor an imported one (its names are in its body)", async () => {
    const importedArn = "arn:aws:acm:us-east-1:123456789012:certificate/imported";
    const graph = await record(() => {
      restApiOn("api", { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/elsewhere" });
      realtimeOn("live", { name: "live.example.com", certificateArn: importedArn });
    });
    expect(covers(graph)).toEqual([]);
    const imported = handBuilt("aws:acm/certificate:Certificate", "imported-cert", { privateKey: "-----BEGIN PRIVATE KEY-----", certificateBody: "-----BEGIN CERTIFICATE-----" }, { state: { arn: importedArn } });
    expect(covers([...graph, imported])).toEqual([]);
  });

  it("finds a wildcard used for the bare name or two labels down, and an HTTP API's domain", async () => {
    const graph = await record(() => {
      const wildcard = validated("wild-cert", { domainName: "*.example.com" });
      restApiOn("api", { name: "example.com", certificateArn: wildcard });
      httpApiOn("web", { name: "a.web.example.com", certificateArn: wildcard });
    });
    expect(covers(graph)).toEqual([
      expect.stringMatching(/^dev: \[ApiGatewayDomainCertificateCovers\] aws:apigateway\/domainName:DomainName api-domain: is custom domain example\.com, which certificate wild-cert \(\*\.example\.com\) does not cover: /),
      expect.stringMatching(/^dev: \[ApiGatewayDomainCertificateCovers\] aws:apigatewayv2\/domainName:DomainName web-domain: is custom domain a\.web\.example\.com, which certificate wild-cert \(\*\.example\.com\) does not cover: .* Fix: add a\.web\.example\.com to wild-cert's domainName or subjectAlternativeNames/),
    ]);
  });
});
