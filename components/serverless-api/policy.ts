/**
 * The API's resource policy: restrict callers by IP range or account, and keep a
 * PRIVATE API to its VPC endpoints. A snapshot part: a policy change reaches callers only
 * through a new deployment, and a private API cannot be deployed without one (snapshot.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ApiSnapshot } from "./snapshot";
import type { ServerlessApiSpec } from "./spec";

export function createResourcePolicy(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, snapshot: ApiSnapshot): aws.apigateway.RestApiPolicy | undefined {
  const document = resourcePolicyDocument(spec, pulumi.interpolate`${api.executionArn}/*`);
  if (!document) return undefined;
  return snapshot.policy(`${name}-policy`, { policy: pulumi.jsonStringify(document) });
}

/**
 * The policy document, with `everything` (the API's `<execution ARN>/*`) as every statement's Resource, or undefined
 * when the API needs no policy. validate.ts measures it with a stand-in ARN (resourcePolicyQuotaWarning).
 */
export function resourcePolicyDocument<Arn>(spec: Pick<ServerlessApiSpec, "resourcePolicy" | "endpointType" | "vpcEndpointIds">, everything: Arn): { Version: string; Statement: Record<string, unknown>[] } | undefined {
  const rp = spec.resourcePolicy ?? {};
  const vpcEndpoints = spec.endpointType === "PRIVATE" ? spec.vpcEndpointIds : [];
  if (!rp.allowSourceIps?.length && !rp.denySourceIps?.length && !rp.allowAccounts?.length && vpcEndpoints.length === 0) return undefined;
  const statements: Record<string, unknown>[] = [
    rp.allowAccounts?.length
      ? { Sid: "AllowAccounts", Effect: "Allow", Principal: { AWS: rp.allowAccounts.map((a) => `arn:aws:iam::${a}:root`) }, Action: "execute-api:Invoke", Resource: everything }
      : { Sid: "AllowInvoke", Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: everything },
  ];
  if (rp.allowSourceIps?.length) {
    statements.push({ Sid: "DenyOtherSourceIps", Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: everything, Condition: { NotIpAddress: { "aws:SourceIp": rp.allowSourceIps } } });
  }
  if (rp.denySourceIps?.length) {
    statements.push({ Sid: "DenySourceIps", Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: everything, Condition: { IpAddress: { "aws:SourceIp": rp.denySourceIps } } });
  }
  if (vpcEndpoints.length > 0) {
    // AWS's private-API pattern: allow invoke, deny it unless the request came through one of these
    // endpoints (aws:SourceVpce). https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
    statements.push({ Sid: "DenyOtherVpcEndpoints", Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: everything, Condition: { StringNotEquals: { "aws:SourceVpce": vpcEndpoints } } });
  }
  return { Version: "2012-10-17", Statement: statements };
}
