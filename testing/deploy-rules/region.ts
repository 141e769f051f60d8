/**
 * Region names. Components check the regions they are given where they take one (replicaRegion, copyRegion, ...), but
 * pulumi-aws 7 takes a `region` on every regional resource and on each provider: a name AWS has no region for reaches
 * the provider as given.
 */
import { AWS_REGION_NAME } from "../../components/names";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployRule } from "./rule";

/**
 * AWS Regions: each has a code such as `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: lower case, a 2–4 letter
 * prefix, words and a number. Checked on the form (AWS_REGION_NAME), as a list would refuse the next region AWS opens.
 */
export const REGION_NAME: DeployRule = {
  id: "RegionName",
  title: "Every resource's and provider's region is an AWS region name (a code such as us-east-1)",
  source: "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
  check(graph) {
    return graph.flatMap((r: RecordedResource) => {
      // AWS resources and AWS providers only: another cloud's regions (us-central1, nyc3) have names of their own.
      if (!r.type.startsWith("aws:") && r.type !== "pulumi:providers:aws") return [];
      const region = r.inputs.region;
      if (region === undefined || region === null || (typeof region === "string" && AWS_REGION_NAME.test(region))) return [];
      return [
        finding(
          "RegionName",
          r,
          `is created in region ${JSON.stringify(region)}, which is not an AWS region name (a code such as us-east-1): the provider has no endpoint to send its calls to`,
          'use the region\'s code, in lower case (e.g. "us-west-2"), in the argument that placed it (a component\'s region, replicaRegion or regions, or the provider\'s region)',
        ),
      ];
    });
  },
};

export const REGION_RULES: DeployRule[] = [REGION_NAME];
