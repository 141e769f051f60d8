/**
 * The shapes the site publisher works on: the manifest of the site folder (made at
 * plan time), the dynamic resource's inputs, and the state it keeps between deploys.
 * Plain data only: the provider runs in Pulumi's dynamic-provider host.
 */
import type { DeployerAssumeRole, DeployerAws } from "../../deployer-aws/types";

/** One file of the site as S3 should hold it. */
export interface FileEntry {
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  size: number;
  contentType: string;
  cacheControl: string;
  /** The name carries a content hash (`app.3f9a12bc.js`): once removed from the site it may be kept for open sessions. */
  fingerprinted?: boolean;
}

/** Site keys (S3 keys, forward slashes) to their entries. */
export type Manifest = Record<string, FileEntry>;

export interface PublishOptions {
  /** Files uploaded at once. */
  concurrency: number;
  /** Files at least this big are uploaded in parts (multipart upload). */
  multipartThresholdBytes: number;
  /** Part size of multipart uploads (S3's minimum is 5 MiB). */
  partSizeBytes: number;
  /** A removed fingerprinted asset stays in the bucket until this many more deploys have changed the site (1: until the next one); 0 deletes it at once. */
  keepRemovedAssetsFor: number;
  /** Most paths in one invalidation before paths are collapsed into folder wildcards. */
  maxInvalidationPaths: number;
  /** Most wildcard paths in one invalidation (CloudFront allows 15 in progress per distribution, across batches). */
  maxInvalidationWildcards: number;
}

/** Where the provider sends requests; unset means AWS. Tests point these at the local S3 server and the CloudFront and STS stubs. */
export interface PublisherEndpoints {
  s3?: string;
  cloudfront?: string;
  /** STS, for the roles in `aws.assumeRoles`. */
  sts?: string;
}

/** A role the publisher assumes (../../deployer-aws/types.ts). */
export type PublisherAssumeRole = DeployerAssumeRole;

/**
 * Who the publisher acts as: the settings of the AWS provider the site's bucket is managed with
 * (../../deployer-aws/types.ts). A change of it is an update that makes no request when the site is unchanged
 * (never a replacement or a republish): delete and refresh act as the settings the last update recorded.
 */
export type PublisherAws = DeployerAws;

export interface PublisherInputs {
  bucket: string;
  /** Region of the bucket. */
  region: string;
  /** CloudFront distribution to invalidate; empty for none. */
  distributionId: string;
  /** Absolute path of the site folder on the machine running the deploy (never compared in diffs). */
  root: string;
  /**
   * The manifest, encoded (see encoding.ts): the JSON of key → "<sha256> <size> <content type index> <cache-control index>[ f]"
   * (states written before it was a string hold the object itself).
   */
  files: string | Record<string, string>;
  contentTypes: string[];
  cacheControls: string[];
  /** The index document: a change to `docs/index.html` also invalidates `/docs/`. */
  indexDocument: string;
  options: PublishOptions;
  endpoints?: PublisherEndpoints;
  /** Who to act as; absent (state written before it existed) means the SDK's default chain. */
  aws?: PublisherAws;
  /** Added by `check`: what this deploy will do, e.g. "3 added, 1 changed, 2 deleted"; shown by `pulumi preview --diff`. */
  summary?: string;
}

/** A removed fingerprinted asset still in the bucket, with the deploy number that removed it. */
export interface RetainedEntry extends FileEntry {
  removedAt: number;
}

export interface LastDeploy {
  uploaded: number;
  uploadedBytes: number;
  deleted: number;
  invalidationPaths: string[];
  invalidationId?: string;
}

/** What the bucket holds, decoded: the input to planning a deploy. */
export interface Deployed {
  files: Manifest;
  retained: Record<string, RetainedEntry>;
  deploy: number;
  pendingInvalidation: string[];
}

/** The resource's state: what is in the bucket as far as confirmed responses tell (`files` encoded like the inputs). */
export interface PublisherState extends PublisherInputs {
  retained: Record<string, RetainedEntry>;
  /** Counts deploys that changed the site; retention is measured in them. */
  deploy: number;
  /** Paths changed in the bucket but not yet invalidated (a failed invalidation is retried by the next deploy). */
  pendingInvalidation: string[];
  lastDeploy: LastDeploy;
}

export const DEFAULT_PUBLISH_OPTIONS: PublishOptions = {
  concurrency: 8,
  multipartThresholdBytes: 16 * 1024 * 1024,
  partSizeBytes: 8 * 1024 * 1024,
  keepRemovedAssetsFor: 2,
  maxInvalidationPaths: 1000,
  maxInvalidationWildcards: 15,
};
