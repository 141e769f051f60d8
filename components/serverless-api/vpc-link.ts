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
import type { ServerlessApiSpec } from "./spec";

/** A Network Load Balancer's ARN: `arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>`. */
export const NLB_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer\/net\/([A-Za-z0-9-]{1,32})\/([0-9a-f]+)$/;
/** An ALB's or NLB's listener ARN: `arn:<partition>:elasticloadbalancing:<region>:<account>:listener/<app|net>/<name>/<lb id>/<listener id>`. */
export const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):listener\/(app|net)\/([A-Za-z0-9-]{1,32})\/([0-9a-f]+)\/([0-9a-f]+)$/;

/**
 * Which link a route means is read from values, not from which keys are present: `{ id: config.get("vpcLinkId"), … }`
 * holds an `id` key whose value may be undefined, meaning "no existing link". validate.ts reads the argument with these
 * same helpers, so what it accepts is what is built.
 */
/** A REST link ServerlessApi creates for `targetArn` (rather than an existing `id`). */
export function isRestLinkTarget(link: object): link is { targetArn: string } {
  return (link as { targetArn?: unknown }).targetArn !== undefined;
}

/** An HTTP-kind link ServerlessApi creates (subnets and security groups given), rather than an existing `id`. */
export function isNewHttpApiLink(link: HttpApiVpcLink): link is Extract<HttpApiVpcLink, { subnetIds: string[] }> {
  return (link as { id?: unknown }).id === undefined;
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
 * The connection id of each route through a VPC link: an existing link's id as given, or the id of the one link
 * ServerlessApi creates per distinct target (VPC links are an account's quota per region, so never one per route). The
 * id is an Output of the link when ServerlessApi creates it: the integration then depends on the link.
 */
export class VpcLinks<Link> {
  private readonly created = new Map<string, pulumi.CustomResource & { id: pulumi.Output<string> }>();

  constructor(
    /** The existing link's id, or undefined when ServerlessApi creates the link. */
    private readonly existingId: (link: Link) => pulumi.Input<string> | undefined,
    /** What makes links distinct: routes whose links have one key share one link. */
    private readonly key: (link: Link) => string,
    private readonly create: (link: Link) => pulumi.CustomResource & { id: pulumi.Output<string> },
  ) {}

  connectionId(link: Link): pulumi.Input<string> {
    const existing = this.existingId(link);
    if (existing !== undefined) return existing;
    const key = this.key(link);
    let vpcLink = this.created.get(key);
    if (!vpcLink) {
      vpcLink = this.create(link);
      this.created.set(key, vpcLink);
    }
    return vpcLink.id;
  }
}

/** A REST API's links: an existing link's id, or one VPC link (v1) per distinct Network Load Balancer. */
export function restVpcLinks(apiName: string, region: string | undefined, parent: pulumi.Resource): VpcLinks<RestVpcLink> {
  return new VpcLinks<RestVpcLink>(
    (link) => (isRestLinkTarget(link) ? undefined : link.id),
    (link) => (link as { targetArn: string }).targetArn,
    (link) => {
      const { targetArn } = link as { targetArn: string };
      return new aws.apigateway.VpcLink(restVpcLinkName(apiName, targetArn), { targetArn, description: `${apiName} (serverless-fullstack ServerlessApi): private integrations to ${targetArn}`, region }, { parent });
    },
  );
}

/** The HTTP kind's links: an existing link's id, or one VPC link v2 per distinct subnets and security groups. */
export function httpApiVpcLinks(apiName: string, region: string | undefined, parent: pulumi.Resource): VpcLinks<HttpApiVpcLink> {
  return new VpcLinks<HttpApiVpcLink>(
    (link) => (isNewHttpApiLink(link) ? undefined : link.id),
    (link) => httpApiVpcLinkName(apiName, link as Extract<HttpApiVpcLink, { subnetIds: string[] }>),
    (link) => {
      const { subnetIds, securityGroupIds } = link as Extract<HttpApiVpcLink, { subnetIds: string[] }>;
      return new aws.apigatewayv2.VpcLink(httpApiVpcLinkName(apiName, { subnetIds, securityGroupIds }), { subnetIds, securityGroupIds, region }, { parent });
    },
  );
}

/**
 * While a stage runs a canary, `<name>-deployment` is frozen on the snapshot it had (stages.ts createDeployments), and
 * its integrations still go through the links they used then. A route moved to another NLB gets a new link (a new
 * logical name, restVpcLinkName), and the engine deletes the old one at the end of the `up`, which API Gateway refuses
 * while a stage references it ("Cannot delete vpc link. Vpc link '…', is referenced in [POST:25xdid:prod]",
 * hashicorp/terraform#18392): the update ends in an error and the old link stays, pending delete, until the `up` after
 * promotion. ServerlessApi cannot see which links the state holds, so it says so whenever a canary runs.
 */
export function canaryVpcLinkWarning(apiName: string, spec: ServerlessApiSpec): string | undefined {
  const canaryStages = spec.stages.filter((stage) => stage.canary).map((stage) => stage.name);
  const keys = spec.routes.filter((route) => route.integration.type === "http" && route.integration.vpcLink && isRestLinkTarget(route.integration.vpcLink)).map((route) => route.key);
  if (canaryStages.length === 0 || keys.length === 0) return undefined;
  return (
    `ServerlessApi "${apiName}": stage ${canaryStages.join(", ")} runs a canary, and ${keys.map((key) => `routes[${JSON.stringify(key)}]`).join(", ")} reach a Network Load Balancer through a VPC link ServerlessApi creates. ` +
    `Do not change their vpcLink.targetArn until you promote (remove the canary; a canary at 0 percent still holds the deployment): the stage's deployment, frozen while the canary runs, still uses the old link, ` +
    `which API Gateway then refuses to delete ("Cannot delete vpc link. Vpc link '…', is referenced in [Method:Resource:Stage]"), so the update ends in an error; the \`up\` after promotion deletes it. docs/api-gateway-deployments.md.`
  );
}

/**
 * An HTTP-kind private integration's `overwrite:path`: `uri`'s path with each `{name}` read from the route's path
 * (`${request.path.name}`). A private integration forwards the request's own path, stage included ("For private
 * integrations, API Gateway includes the stage portion of the API endpoint in the request to your backend resources
 * [...] To remove the stage name from the request to your backend resources, use parameter mapping to overwrite the
 * request path", http-api-develop-integrations-private.html), so without it the backend would get `/<stage>/<route>`,
 * not the `uri` `npm start` proxies to. The braced form, so that static text right after a parameter (`{id}.json`) is
 * not read as part of its name: the parameter-mapping table gives each value as `$request.header.name or
 * ${request.header.name}`, and path parameters as `$request.path.name` or `${request.path.name}`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html). `uri` has no greedy
 * `{x+}` and no query string (validate.ts refuses both), so its path is all the backend gets from it.
 */
export function overwritePath(uri: string): string {
  // The URL parser percent-encodes `{` and `}` in a path (WHATWG path percent-encode set), so parameters stay findable.
  const path = new URL(uri).pathname.replace(/%7B([A-Za-z0-9_]+)%7D/g, (_, name: string) => `\${request.path.${name}}`);
  return path || "/";
}

/** The host an https `uri` names: the server name API Gateway verifies the backend's certificate against (tlsConfig). */
export function serverNameToVerify(uri: string): string | undefined {
  const url = new URL(uri.replace(/\{[^}]+\}/g, "x"));
  return url.protocol === "https:" ? url.hostname : undefined;
}
