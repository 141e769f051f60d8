import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A component's region: its `region` arg, or the provider's (one `getRegion` invoke; resolve it once per component). */
export function regionOf(region: string | undefined, parent: pulumi.Resource): pulumi.Output<string> {
  return region ? pulumi.output(region) : aws.getRegionOutput({}, { parent }).region;
}
