/**
 * StaticSite's publishing arguments (`publish`): their TSDoc, validation and defaults.
 * The build step is ../build.ts.
 */
import type { ArgFailure } from "../../errors";
import { checkWholeNumberInRange } from "../../ranges";
import { CLOUDFRONT_IN_PROGRESS_QUOTAS } from "./invalidation";
import { DEFAULT_PUBLISH_OPTIONS, type PublisherEndpoints, type PublishOptions } from "./types";

/** How the site's files reach the bucket: dotfiles, parallelism, multipart, kept assets, invalidation. */
export interface StaticSitePublishArgs {
  /** Publish dotfiles and dot-folders too (e.g. `.well-known/`). @default false */
  includeDotfiles?: boolean;
  /** Files uploaded at once. @default 8 */
  concurrency?: number;
  /** Files at least this big go up as multipart uploads. @default 16 MiB */
  multipartThresholdBytes?: number;
  /** Part size of multipart uploads, 5 MiB (S3's minimum) or more. @default 8 MiB */
  partSizeBytes?: number;
  /**
   * A fingerprinted asset (`app.3f9a12bc.js`) removed from the site stays in the bucket until this
   * many more deploys have changed the site, so browsers still running the old pages can load it.
   * 0 deletes it with the deploy that removed it. @default 2
   */
  keepRemovedAssetsFor?: number;
  /**
   * Most paths in one CloudFront invalidation before folders collapse into `folder/*` wildcards. CloudFront allows
   * 3,000 paths and 15 wildcard paths in progress per distribution, counted across deploys: when earlier batches
   * leave less room, the publisher collapses further or waits for them. @default 1000
   */
  maxInvalidationPaths?: number;
  /** Invalidate CloudFront for changed and deleted files. @default true */
  invalidate?: boolean;
  /** Send S3, CloudFront and STS (assume-role) requests elsewhere (the local S3 server, stubs). @default AWS */
  endpoints?: PublisherEndpoints;
}

export interface NormalisedPublish {
  includeDotfiles: boolean;
  invalidate: boolean;
  options: PublishOptions;
  endpoints?: PublisherEndpoints;
}

const MIB = 1024 * 1024;

/**
 * The publishing settings' ranges:
 * - concurrency and keepRemovedAssetsFor: StaticSite's own bounds, not AWS limits;
 * - maxInvalidationPaths: CloudFront takes at most 3,000 file paths in invalidations in progress per distribution
 *   (CLOUDFRONT_IN_PROGRESS_QUOTAS, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html);
 * - partSizeBytes: "Part size: 5 MiB to 5 GiB. There is no minimum size limit on the last part of your multipart
 *   upload" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html);
 * - multipartThresholdBytes: StaticSite's own floor of 5 MiB (a file that small goes up in one PUT; S3 sets no minimum on a
 *   multipart upload's only part), and S3's ceiling of 5 GiB: above it a file below the threshold could not go up
 *   at all ("With a single PUT operation, you can upload a single object up to 5 GB in size",
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html).
 */
const PUBLISH_LIMITS = {
  concurrency: { min: 1, max: 64 },
  keepRemovedAssetsFor: { min: 0, max: 100 },
  maxInvalidationPaths: { min: 1, max: CLOUDFRONT_IN_PROGRESS_QUOTAS.files },
  partSizeBytes: { min: 5 * MIB, max: 5 * 1024 * MIB },
  multipartThresholdBytes: { min: 5 * MIB, max: 5 * 1024 * MIB },
} as const;

export function validatePublishArgs(fail: ArgFailure, args: { publish?: StaticSitePublishArgs }): void {
  const p = args.publish ?? {};
  const limits = PUBLISH_LIMITS;
  const own = "StaticSite's range";
  checkWholeNumberInRange(fail, "publish.concurrency", p.concurrency, limits.concurrency, { limit: own, unit: "parallel uploads", fix: "Use a whole number of parallel uploads, e.g. 8." });
  checkWholeNumberInRange(fail, "publish.keepRemovedAssetsFor", p.keepRemovedAssetsFor, limits.keepRemovedAssetsFor, { limit: own, unit: "deploys", fix: "Use a whole number of deploys, e.g. 2 (0 deletes removed assets at once)." });
  checkWholeNumberInRange(fail, "publish.maxInvalidationPaths", p.maxInvalidationPaths, limits.maxInvalidationPaths, { limit: "CloudFront's range", unit: "paths", fix: "CloudFront allows 3,000 paths in progress per distribution, across deploys; use e.g. 1000." });
  checkWholeNumberInRange(fail, "publish.partSizeBytes", p.partSizeBytes, limits.partSizeBytes, { limit: "S3's part size range", unit: "bytes", fix: "S3 parts are 5 MiB to 5 GiB; use e.g. 8388608 (8 MiB)." });
  checkWholeNumberInRange(fail, "publish.multipartThresholdBytes", p.multipartThresholdBytes, limits.multipartThresholdBytes, { limit: own, unit: "bytes", fix: "Use 5 MiB or more (no smaller than a part) and at most 5 GiB (S3's largest single PUT), e.g. 16777216." });
  for (const [key, url] of Object.entries(p.endpoints ?? {})) {
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) fail(`publish.endpoints.${key}`, url, "is not an http(s) URL", 'Use e.g. "http://127.0.0.1:4569".');
  }
}

export function normalisePublish(publish: StaticSitePublishArgs = {}): NormalisedPublish {
  const d = DEFAULT_PUBLISH_OPTIONS;
  return {
    includeDotfiles: publish.includeDotfiles ?? false,
    invalidate: publish.invalidate ?? true,
    options: {
      concurrency: publish.concurrency ?? d.concurrency,
      multipartThresholdBytes: publish.multipartThresholdBytes ?? d.multipartThresholdBytes,
      partSizeBytes: publish.partSizeBytes ?? d.partSizeBytes,
      keepRemovedAssetsFor: publish.keepRemovedAssetsFor ?? d.keepRemovedAssetsFor,
      maxInvalidationPaths: publish.maxInvalidationPaths ?? d.maxInvalidationPaths,
      maxInvalidationWildcards: d.maxInvalidationWildcards,
    },
    ...(publish.endpoints ? { endpoints: { ...publish.endpoints } } : {}),
  };
}
