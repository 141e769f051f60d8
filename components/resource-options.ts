/**
 * What @pulumi/pulumi resolved for a resource's options, read in one place for every component that needs it
 * (DataTier's keptBy, UserAuth's deletion-protection check).
 */
import type * as pulumi from "@pulumi/pulumi";

/** What @pulumi/pulumi resolved for a resource's options, where the program cannot see it otherwise. */
export interface SdkResolvedOptions {
  /** `protect`: the resource's own option, else its parent's, after its transformations ran. */
  protect: boolean;
  /** How many transformations it and its children go through: its own, inherited and the stack's. */
  transformations: number;
}

/**
 * The one place components read the SDK's private fields. @pulumi/pulumi offers no public reader of a resource's
 * resolved `protect` or of the transformations it applies (resource.js, 3.248.0: `this.__transformations =
 * [...opts.transformations, ...parent.__transformations]`, `opts.protect = parent.__protect`, `this.__protect =
 * opts.protect`, set after the transformations ran, so a component's constructor may read them after `super`).
 * undefined when the resource does not hold them under these names (another SDK version): each caller then takes its
 * cautious way. tests/components/data-tier.test.ts pins the fields.
 */
export function sdkResolvedOptions(resource: pulumi.Resource): SdkResolvedOptions | undefined {
  const fields = resource as unknown as { __protect?: unknown; __transformations?: unknown };
  if (!("__protect" in fields) || !Array.isArray(fields.__transformations)) return undefined;
  return { protect: fields.__protect === true, transformations: fields.__transformations.length };
}
