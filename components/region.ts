import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";
import { AWS_REGION_NAME } from "./names";

/**
 * Refuses a region argument that is not an AWS region name (`AWS_REGION_NAME`: `us-west-2`, `ap-southeast-2`,
 * `us-gov-west-1`): pulumi-aws sends a resource's `region` as given, and no endpoint answers for another name (the
 * RegionName deploy rule checks the plan the same way). For a component's own `region`, where empty means the
 * provider's; other region arguments use validateRegionName.
 */
export function validateRegionArg(fail: ArgFailure, argument: string, region: unknown): void {
  // Empty is unset, as the components read it (`args.region ? … : the provider's`).
  if (region === undefined || region === "") return;
  validateRegionName(fail, argument, region);
}

/**
 * Refuses anything but an AWS region name, unset and empty included, with validateRegionArg's wording and fix: for a
 * region that must be given (a list's element, `replicate(region)`) or one that has no provider's region to fall back
 * on when set (`copyRegion`, `replicaRegion`: check them only when not undefined). Not a string is refused too, as a
 * regular expression would read `["us-west-2"]` as "us-west-2".
 */
export function validateRegionName(fail: ArgFailure, argument: string, region: unknown): void {
  if (typeof region !== "string" || !AWS_REGION_NAME.test(region)) fail(argument, region, "is not an AWS region name", 'Use the region\'s code, in lower case, e.g. "us-west-2".');
}

/** A component's region: its `region` arg, or the provider's (one `getRegion` invoke; resolve it once per component). */
export function regionOf(region: string | undefined, parent: pulumi.Resource): pulumi.Output<string> {
  return region ? pulumi.output(region) : aws.getRegionOutput({}, { parent }).region;
}

/** A region as construction knows it, for checks that compare regions before anything is deployed. */
export interface KnownRegion {
  /** The region's name; undefined under an explicit provider (its region is an Output) or with no region configured. */
  region: string | undefined;
  /**
   * Where it comes from: the resource's own `region`, the stack's `aws:region` (the default provider), or an explicit
   * provider, whose region is unknown here; a check then leaves it to the deploy rules, which see the plan.
   */
  from: "own" | "stack" | "provider";
}

/**
 * Where a resource of `type` is created: its own `region`, else, under the default provider, the stack's `aws:region`
 * (`aws.config.region`, which falls back to AWS_REGION / AWS_DEFAULT_REGION as the provider does). Under an explicit
 * provider, given to `resource` or inherited from a parent (`getProvider` reads the providers a resource or component
 * was given, its parent's included: @pulumi/pulumi resource.js), the region is the provider's, unknown at construction.
 * `resource` is the resource itself or the component about to create it (after its `super` call).
 */
export function regionWhereCreated(own: string | undefined, resource: pulumi.Resource, type: string): KnownRegion {
  if (own) return { region: own, from: "own" };
  if (resource.getProvider?.(type) !== undefined) return { region: undefined, from: "provider" };
  return { region: aws.config.region, from: "stack" };
}

/** " (the stack's aws:region)" when the region came from the stack's config, else "": where a message's region came from. */
export function regionSource(known: KnownRegion): string {
  return known.from === "stack" ? " (the stack's aws:region)" : "";
}

/** "us-east-1 (the stack's aws:region)", or the region alone when it was given. */
export function describeRegion(known: KnownRegion): string {
  return `${known.region}${regionSource(known)}`;
}

// arnRegion lives in ./arn (no @pulumi/aws there), for code bundled into dynamic providers too.
export { arnRegion } from "./arn";
