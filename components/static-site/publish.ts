/**
 * Puts the site's files in the bucket: one object per file, with the content type
 * and Cache-Control from content.ts.
 */
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cacheControlFor, contentTypeFor, listSiteKeys } from "./content";
import type { StaticSiteSpec } from "./spec";

export function publishFiles(name: string, spec: StaticSiteSpec, bucket: aws.s3.Bucket, dependsOn: pulumi.Resource[], parent: pulumi.Resource): aws.s3.BucketObjectv2[] {
  return listSiteKeys(spec.path).map(
    (key) =>
      new aws.s3.BucketObjectv2(
        `${name}-file-${key}`,
        {
          bucket: bucket.id,
          key,
          source: new pulumi.asset.FileAsset(join(spec.path, key)),
          contentType: contentTypeFor(key),
          cacheControl: cacheControlFor(key, spec.cacheRules),
          region: spec.region,
        },
        { parent, dependsOn },
      ),
  );
}
