/**
 * ARN parts, in a module without @pulumi/aws or @pulumi/pulumi, so code Pulumi bundles into a dynamic provider
 * (e.g. relational-database/migrations-provider.ts) can use it as components do (through ./region).
 */

/**
 * The account's own bus in each region, where AWS services' events arrive ("default"). Defined here, the leaf module,
 * and re-exported by event-bus/spec.ts, so what a dynamic provider bundles from this module never reaches a component's.
 */
export const DEFAULT_EVENT_BUS_NAME = "default";

/** The region field of an ARN (`arn:partition:service:region:account:...`), or undefined when it has none or is no ARN. */
export function arnRegion(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]+:([^:]*):/.exec(arn)?.[1] || undefined;
}

/**
 * The bus an EventBridge reference names: a bus ARN's (`arn:<partition>:events:<region>:<account>:event-bus/<name>`)
 * name, whole, or the reference as it is (a name, or an ARN of something else). The name is all that follows
 * `event-bus/`, not the last segment: a partner bus's name is its partner event source's, `aws.partner/<partner>/…`
 * ("the name must exactly match the name of the partner event source", CreateEventBus Name), while a custom bus's
 * cannot contain "/".
 */
export function eventBusNameOf(reference: string): string {
  return reference.replace(/^arn:[^:]+:events:[^:]*:\d*:event-bus\//, "");
}

/**
 * The bus a rule's, target's or bus policy's `eventBusName` names, by name (eventBusNameOf); absent or empty is the
 * default bus, as EventBridge takes an omitted one ("If you omit this, the default event bus is used", pulumi-aws EventRule
 * and EventTarget eventBusName).
 */
export function busNameOf(reference: unknown): string {
  return typeof reference === "string" && reference !== "" ? eventBusNameOf(reference) : DEFAULT_EVENT_BUS_NAME;
}

/**
 * The custom bus `reference` names (as busNameOf reads it), or undefined for the default bus: only a custom bus's
 * name goes into a rule's id and ARN (`rule/<bus>/<name>`), and into its metrics' EventBusName dimension.
 */
export function customBusNameOf(reference: unknown): string | undefined {
  const name = busNameOf(reference);
  return name === DEFAULT_EVENT_BUS_NAME ? undefined : name;
}

/**
 * An ACM certificate ARN in us-east-1: the one region CloudFront takes a viewer certificate from, and so Cognito for a
 * custom domain, which it serves through CloudFront (CreateUserPoolDomain: "you must provide an SSL certificate in the
 * US East (N. Virginia) Amazon Web Services Region"). StaticSite and UserAuth check their certificates by it.
 */
export const US_EAST_1_ACM_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+/;

/** An IAM role's ARN (IAM identifiers: `arn:<partition>:iam::<account>:role/<path><name>`). */
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * The partition of a region, by the prefixes of the AWS SDKs' partition table (aws-sdk-js-v3
 * packages/util-endpoints/src/lib/aws/partitions.json, each partition's regionRegex): cn-* aws-cn, us-gov-* aws-us-gov,
 * us-iso-* aws-iso, us-isob-* aws-iso-b, us-isof-* aws-iso-f, eu-isoe-* aws-iso-e, eusc-* aws-eusc, else aws (the SDKs'
 * own fallback for a region they do not list).
 */
export function partitionOfRegion(region: string): string {
  const prefixes: Array<[string, string]> = [["cn-", "aws-cn"], ["us-gov-", "aws-us-gov"], ["us-isob-", "aws-iso-b"], ["us-isof-", "aws-iso-f"], ["us-iso-", "aws-iso"], ["eu-isoe-", "aws-iso-e"], ["eusc-", "aws-eusc"]];
  return prefixes.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
}
