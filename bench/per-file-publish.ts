/**
 * The baseline the publisher replaced, kept for the benchmark only: one
 * aws.s3.BucketObjectv2 per site file (what every peer does).
 */
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cacheControlFor, contentTypeFor, listSiteKeys, type CacheRule } from "../components/static-site/content";

export function publishFilesPerObject(name: string, root: string, cacheRules: CacheRule[], bucket: pulumi.Input<string>, parent?: pulumi.Resource): aws.s3.BucketObjectv2[] {
  return listSiteKeys(root).map(
    (key) =>
      new aws.s3.BucketObjectv2(
        `${name}-file-${key}`,
        { bucket, key, source: new pulumi.asset.FileAsset(join(root, key)), contentType: contentTypeFor(key), cacheControl: cacheControlFor(key, cacheRules) },
        { parent },
      ),
  );
}
