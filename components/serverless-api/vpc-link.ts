/**
 * Private HTTP integrations (`integration.vpcLink`): the VPC links ServerlessApi creates, one per distinct target, and
 * what an integration through one is given. validate.ts checks the arguments with the ARN shapes below.
 *
 * REST (API Gateway v1): a VPC link targets exactly one Network Load Balancer ("targetArns: The ARN of the network load
 * balancer of the VPC targeted by the VPC link. The network load balancer must be owned by the same AWS account of the
 * API owner.", https://docs.aws.amazon.com/apigateway/latest/api/API_CreateVpcLink.html; pulumi-aws 7.48
 * apigateway/vpcLink.d.ts `targetArn`: "Currently AWS only supports 1 target"). terraform-provider-aws
 * (internal/service/apigateway/vpc_link.go) has `target_arns` MaxItems 1 and ForceNew, waits for AVAILABLE after
 * CreateVpcLink ("an asynchronous operation that typically takes 2-4 minutes", API_CreateVpcLink) and for the link to be
 * gone after DeleteVpcLink. A link still referenced is not deleted: "Cannot delete vpc link. Vpc link '…', is referenced
 * in [POST:25xdid:prod] in format of [Method:Resource:Stage]" (hashicorp/terraform#18392). So each integration takes
 * the link's `id` as an Output: Pulumi deletes the integration, and the deployment that snapshots it (routes.ts: the
 * integration's inputs are in the deployment's trigger), before the link, and a replaced link (a new target) is deleted
 * only after the stage moved to the deployment that uses its successor.
 *
 * HTTP kind (API Gateway v2): a VPC link v2 is made in subnets and security groups (terraform-provider-aws
 * internal/service/apigatewayv2/vpc_link.go: `subnet_ids` and `security_group_ids` ForceNew, waits for AVAILABLE and
 * for deletion), and reaches any listener there: "To create a private integration with an Application Load Balancer or
 * Network Load Balancer, create an HTTP proxy integration, specify the VPC link to use, and provide the listener ARN of
 * the load balancer." (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html).
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { HttpApiVpcLink, RestVpcLink } from "./args";

/** A Network Load Balancer's ARN: `arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>`. */
export const NLB_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer\/net\/([A-Za-z0-9-]{1,32})\/([0-9a-f]+)$/;
/** An ALB's or NLB's listener ARN: `arn:<partition>:elasticloadbalancing:<region>:<account>:listener/<app|net>/<name>/<lb id>/<listener id>`. */
export const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):listener\/(app|net)\/([A-Za-z0-9-]{1,32})\/([0-9a-f]+)\/([0-9a-f]+)$/;

/** The REST link a route uses: one ServerlessApi creates for `targetArn`, or an existing `id`. */
export function isRestLinkTarget(link: RestVpcLink | HttpApiVpcLink): link is { targetArn: string } {
  return "targetArn" in link;
}

/** An HTTP-kind link ServerlessApi creates (subnets and security groups given), rather than an existing `id`. */
export function isNewHttpApiLink(link: HttpApiVpcLink): link is Extract<HttpApiVpcLink, { subnetIds: string[] }> {
  return !("id" in link);
}

/** `<api>-vpc-link-<nlb name>-<first 8 of its id>`: one logical name per NLB, the same in every `up`. */
export function restVpcLinkName(apiName: string, targetArn: string): string {
  const [, , , lbName, lbId] = NLB_ARN.exec(targetArn) ?? [];
  return `${apiName}-vpc-link-${lbName}-${lbId.slice(0, 8)}`;
}

/** `<api>-vpc-link-v2-<8 hex>`, a digest of the sorted subnets and security groups: one logical name per distinct set. */
export function httpApiVpcLinkName(apiName: string, link: { subnetIds: string[]; securityGroupIds: string[] }): string {
  const key = JSON.stringify([[...link.subnetIds].sort(), [...link.securityGroupIds].sort()]);
  return `${apiName}-vpc-link-v2-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

/**
 * The connection id of each REST route through a VPC link: an existing link's id as given, or the id of the one link
 * ServerlessApi creates per distinct NLB (VPC links are an account's quota per region, so never one per route).
 */
export class RestVpcLinks {
  private readonly created = new Map<string, aws.apigateway.VpcLink>();

  constructor(
    private readonly apiName: string,
    private readonly region: string | undefined,
    private readonly parent: pulumi.Resource,
  ) {}

  /** The link's id as an Output of the link when ServerlessApi creates it: the integration then depends on the link. */
  connectionId(link: RestVpcLink): pulumi.Input<string> {
    if (!isRestLinkTarget(link)) return link.id;
    let vpcLink = this.created.get(link.targetArn);
    if (!vpcLink) {
      vpcLink = new aws.apigateway.VpcLink(
        restVpcLinkName(this.apiName, link.targetArn),
        { targetArn: link.targetArn, description: `${this.apiName} (serverless-fullstack ServerlessApi): private integrations to ${link.targetArn}`, region: this.region },
        { parent: this.parent },
      );
      this.created.set(link.targetArn, vpcLink);
    }
    return vpcLink.id;
  }
}

/** The HTTP kind's links: an existing link's id as given, or one VPC link v2 per distinct subnets and security groups. */
export class HttpApiVpcLinks {
  private readonly created = new Map<string, aws.apigatewayv2.VpcLink>();

  constructor(
    private readonly apiName: string,
    private readonly region: string | undefined,
    private readonly parent: pulumi.Resource,
  ) {}

  connectionId(link: HttpApiVpcLink): pulumi.Input<string> {
    if (!isNewHttpApiLink(link)) return link.id;
    const name = httpApiVpcLinkName(this.apiName, link);
    let vpcLink = this.created.get(name);
    if (!vpcLink) {
      vpcLink = new aws.apigatewayv2.VpcLink(name, { subnetIds: link.subnetIds, securityGroupIds: link.securityGroupIds, region: this.region }, { parent: this.parent });
      this.created.set(name, vpcLink);
    }
    return vpcLink.id;
  }
}

/**
 * An HTTP-kind private integration's `overwrite:path`: `uri`'s path with each `{name}` read from the route's path
 * (`$request.path.name`). A private integration forwards the request's own path, stage included ("For private
 * integrations, API Gateway includes the stage portion of the API endpoint in the request to your backend resources
 * [...] To remove the stage name from the request to your backend resources, use parameter mapping to overwrite the
 * request path", http-api-develop-integrations-private.html), so without it the backend would get `/<stage>/<route>`,
 * not the `uri` `npm start` proxies to. A path of static text and `$request.path.<name>` is what an AWS engineer gives
 * for `overwrite:path` ("/$request.path.proxy", https://repost.aws/questions/QU8_a_LKzJT86VCIV4-J3cpA).
 */
export function overwritePath(uri: string): string {
  const path = new URL(uri.replace(/\{([A-Za-z0-9_]+\+?)\}/g, "__param_$1__")).pathname.replace(/__param_([A-Za-z0-9_]+)\+?__/g, (_, name: string) => `$request.path.${name}`);
  return path || "/";
}

/** The host an https `uri` names: the server name API Gateway verifies the backend's certificate against (tlsConfig). */
export function serverNameToVerify(uri: string): string | undefined {
  const url = new URL(uri.replace(/\{[^}]+\}/g, "x"));
  return url.protocol === "https:" ? url.hostname : undefined;
}
