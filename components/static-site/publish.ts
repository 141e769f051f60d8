/**
 * Puts the site's files in the bucket through one SitePublisher resource (not one
 * resource per file): runs the optional build (in the background: build.ts), makes the folder's manifest with the
 * content type and Cache-Control rules of content.ts once it has run, and hands it to the publisher.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { environmentKnown, runBuild, type StaticSiteBuild } from "./build";
import type { SiteBuckets } from "./buckets";
import { SiteFolderError } from "./content";
import type { SiteDistribution } from "./distribution";
import type { EncodedManifest } from "./publisher/encoding";
import { buildEncodedManifest } from "./publisher/manifest";
import { SitePublisher } from "./publisher/resource";
import { checkErrorDocumentSize, type StaticSiteSpec } from "./spec";

/** The folder to publish and its manifest (encoded as the publisher carries it), once the build (if any) has run and every file is hashed. */
export interface PreparedSite {
  root: string;
  manifest: pulumi.Input<EncodedManifest>;
}

/**
 * Starts the build (if any), then checks and lists the folder and hashes it in the background. With a plain
 * environment the build starts now and the rest of the program goes on while it runs: the manifest waits for it, and a
 * failed build or a bad folder rejects the manifest (failing the publisher's registration, so the program) once the
 * build ends; without a build, or with STATIC_SITE_SKIP_BUILD=1, the folder is checked now and fails the component
 * before any resource is declared. With Outputs in the environment, all this happens once they resolve (build.ts says
 * what preview does then).
 */
export function prepareSite(name: string, spec: StaticSiteSpec, environment: StaticSiteBuild["environment"], fail: ArgFailure): PreparedSite {
  const build = spec.build;
  const list = (): Promise<EncodedManifest> => {
    checkErrorDocumentSize(fail, spec);
    return siteManifest(spec, fail);
  };
  const prepare = (env: Record<string, string>): Promise<EncodedManifest> => {
    // The manifest is made in the build's turn of its folder (build.ts), before another build into it starts.
    return (build ? runBuild(fail, name, build, env, list) : undefined) ?? list();
  };
  if (!environmentKnown(environment)) return { root: spec.path, manifest: pulumi.output(environment ?? {}).apply(prepare) };
  const manifest = prepare(environment ?? {});
  // Handled here too: were the program to fail before the publisher takes the manifest, a failed build would otherwise
  // be reported a second time, as an unhandled rejection. The publisher's registration still fails with it.
  manifest.catch(() => undefined);
  return { root: spec.path, manifest };
}

export function publishSite(
  name: string,
  spec: StaticSiteSpec,
  site: PreparedSite,
  buckets: SiteBuckets,
  cdn: SiteDistribution,
  parent: pulumi.Resource,
): SitePublisher {
  return new SitePublisher(
    `${name}-publish`,
    {
      bucket: buckets.site.bucket,
      region: buckets.site.region,
      distributionId: spec.publish.invalidate ? cdn.distribution.id : "",
      root: site.root,
      manifest: site.manifest,
      indexDocument: spec.indexDocument,
      options: spec.publish.options,
      endpoints: spec.publish.endpoints,
    },
    {
      parent,
      // Not the public access block, in either hosting: the bucket is private before it exists ("By default, new
      // buckets, access points, and objects don't allow public access",
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html), its ACLs
      // are off (BucketOwnerEnforced, buckets.ts, and for new buckets "By default, S3 Object Ownership is set to the
      // Bucket owner enforced setting, and ACLs are disabled",
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-new-bucket.html; the publisher sends
      // none), and only the bucket policy can open an object: OAC's grants CloudFront alone, the website's Referer
      // grant waits for the block itself (distribution.ts). With oac the block closes after the distribution has
      // deployed (5–15 minutes on a first deploy), which uploads with publish.invalidate false need not wait for.
      // The replication configuration, though: "Objects that existed before you set up replication aren't replicated
      // automatically" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-how-setup.html), and the
      // replica is the origin group's failover.
      dependsOn: [...buckets.siteReady, ...(buckets.replica ? [buckets.replica.configuration] : [])],
      retainOnDelete: spec.retainOnDelete,
    },
  );
}

/** Lists the folder now (folder problems name the argument) and resolves once every file is hashed. */
function siteManifest(spec: StaticSiteSpec, fail: ArgFailure): Promise<EncodedManifest> {
  try {
    return buildEncodedManifest(spec.path, { cacheRules: spec.cacheRules, includeDotfiles: spec.publish.includeDotfiles }).encoded;
  } catch (error) {
    if (error instanceof SiteFolderError) fail(spec.build ? "build.outputDir" : "path", spec.build?.outputDir ?? spec.path, `has a problem: ${error.problem}`, `${error.fix}.`);
    throw error;
  }
}
