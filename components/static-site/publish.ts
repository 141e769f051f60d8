/**
 * Puts the site's files in the bucket through one SitePublisher resource (not one
 * resource per file): runs the optional build, makes the folder's manifest with the
 * content type and Cache-Control rules of content.ts, and hands it to the publisher.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import type { SiteBuckets } from "./buckets";
import { SiteFolderError } from "./content";
import { runBuild } from "./publisher/args";
import { buildManifest, type SiteManifest } from "./publisher/manifest";
import { SitePublisher } from "./publisher/resource";
import type { StaticSiteSpec } from "./spec";

/**
 * Runs the build (if any) and lists the folder, before any resource is created, so a
 * failed build or a bad folder fails the component cleanly; hashing continues in the background.
 */
export function prepareSite(spec: StaticSiteSpec, fail: ArgFailure): SiteManifest {
  if (spec.build) runBuild(fail, spec.build.cwd, spec.build);
  return siteManifest(spec, fail);
}

export function publishSite(
  name: string,
  spec: StaticSiteSpec,
  site: SiteManifest,
  buckets: SiteBuckets,
  distribution: aws.cloudfront.Distribution,
  parent: pulumi.Resource,
): SitePublisher {
  return new SitePublisher(
    `${name}-publish`,
    {
      bucket: buckets.site.bucket,
      region: buckets.site.region,
      distributionId: spec.publish.invalidate ? distribution.id : "",
      root: site.root,
      manifest: site.manifest,
      indexDocument: spec.indexDocument,
      options: spec.publish.options,
      endpoints: spec.publish.endpoints,
    },
    { parent, dependsOn: buckets.siteReady, retainOnDelete: spec.retainOnDelete },
  );
}

function siteManifest(spec: StaticSiteSpec, fail: ArgFailure): SiteManifest {
  try {
    return buildManifest(spec.path, { cacheRules: spec.cacheRules, includeDotfiles: spec.publish.includeDotfiles });
  } catch (error) {
    if (error instanceof SiteFolderError) fail(spec.build ? "build.output" : "path", spec.build?.output ?? spec.path, `has a problem: ${error.problem}`, `${error.fix}.`);
    throw error;
  }
}
