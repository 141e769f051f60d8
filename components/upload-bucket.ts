/**
 * A private bucket for user uploads (the gallery's original images): encrypted,
 * versioned, TLS-only, public access blocked, access-logged into its own log bucket,
 * abandoned multipart uploads cleaned up, and CORS for browsers PUTting to presigned
 * URLs. Functions get exact grants on key prefixes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "./autoname";
import { BucketEvents, type ObjectEventSubscription } from "./bucket-events";
import { argFailer } from "./errors";
import { grantStatement, statementSid, type PolicyStatement } from "./iam";
import { replicateBucket, replicationAutonames, type BucketReplica } from "./bucket-replication";
import { bucketSettingOptions, createPrivateBucketWithLogs } from "./s3-hardening";
import { registerSpec } from "./spec-registry";
import { validateBucketName, validateKeptBucketName } from "./static-site/spec";
import { validateRegionArg, validateRegionName } from "./region";

/** Arguments of UploadBucket. */
export interface UploadBucketArgs {
  /** Physical bucket name: 3–63 characters, lowercase, no periods. @default generated */
  bucketName?: string;
  /** Days to keep replaced or deleted object versions. @default 30 */
  noncurrentVersionDays?: number;
  /** Days to keep the bucket's access logs. @default 90 */
  logRetentionDays?: number;
  /** Keep the bucket (and users' uploads) when it leaves the program. Prod should. @default false */
  retainOnDelete?: boolean;
  /** Region of the bucket and its log bucket. @default the provider's region */
  region?: string;
}

export interface UploadBucketSpec {
  name: string;
  bucketName?: string;
  noncurrentVersionDays: number;
  logRetentionDays: number;
  retainOnDelete: boolean;
  region?: string;
}


/**
 * A private bucket for user uploads: encrypted, versioned, TLS-only, access-logged into its own log bucket, with
 * CORS for browsers PUTting to presigned URLs and exact grants on key prefixes for functions.
 *
 * @example
 * const uploads = new UploadBucket("uploads", { retainOnDelete: true });
 * const fn = new LambdaFunction("photos", {
 *   entry: "handlers/api/photos.ts",
 *   environment: { UPLOAD_BUCKET_NAME: uploads.bucketName },
 *   permissions: uploads.grants("originals/", ["s3:PutObject", "s3:GetObject"]),
 * });
 * uploads.allowBrowserUploads("site", [site.url]);
 * uploads.notify({ thumbnails: { function: thumbnails, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" } });
 */
export class UploadBucket extends pulumi.ComponentResource {
  readonly spec: UploadBucketSpec;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly nodes: { readonly bucket: aws.s3.Bucket; readonly logBucket: aws.s3.Bucket; readonly versioning: aws.s3.BucketVersioning };
  /** Replicas made by `replicate`, by region. */
  readonly replicas = new Map<string, BucketReplica>();
  /** The bucket's object events, once `notify` has set them. */
  events?: BucketEvents;
  /** The bucket's CORS configuration, once `allowBrowserUploads` has set it. */
  private cors?: aws.s3.BucketCorsConfiguration;
  private readonly name: string;

  constructor(name: string, args: UploadBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:UploadBucket", name, {}, opts);
    const fail = argFailer("UploadBucket", name);
    validateRegionArg(fail, "region", args.region);
    if (args.bucketName !== undefined) validateBucketName(fail, "bucketName", args.bucketName);
    validateKeptBucketName(fail, "UploadBucket", "bucketName", args.bucketName, args.retainOnDelete, `${name}-bucket`);
    validateAutonames(fail, name, [...(args.bucketName === undefined ? [{ resource: `${name}-bucket`, kind: "bucket" as const }] : []), { resource: `${name}-logs`, kind: "bucket" }]);
    for (const [argument, days] of [["noncurrentVersionDays", args.noncurrentVersionDays], ["logRetentionDays", args.logRetentionDays]] as const) {
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) fail(argument, days, "is not a whole number of days", "Use 1 or more.");
    }
    this.name = name;
    this.spec = {
      name,
      bucketName: args.bucketName,
      noncurrentVersionDays: args.noncurrentVersionDays ?? 30,
      logRetentionDays: args.logRetentionDays ?? 90,
      retainOnDelete: args.retainOnDelete ?? false,
      region: args.region,
    };
    const { bucket, logBucket, versioning } = createBuckets(name, this.spec, this);
    this.nodes = { bucket, logBucket, versioning: versioning! };
    this.bucketName = bucket.bucket;
    this.arn = bucket.arn;
    registerSpec("UploadBucket", name, this.spec);
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }

  /**
   * Exactly `actions` on objects under `prefix` (e.g. `"originals/"`), for a function's `permissions`.
   * The statement id names the prefix, so one role can hold grants on several prefixes (IAM wants Sids unique within a policy).
   */
  grants(prefix: string, actions: Array<"s3:GetObject" | "s3:PutObject" | "s3:DeleteObject" | "s3:AbortMultipartUpload">): PolicyStatement[] {
    // `UploadObjects` and the prefix's words (`UploadObjectsOriginals`); a grant's Sid, numbered on a repeat (grantStatement).
    return [grantStatement({ sid: statementSid(`UploadObjects ${prefix}`, { words: true }), actions, resources: [pulumi.interpolate`${this.arn}/${prefix}*`] })];
  }

  /**
   * Delivers object events to functions: event types and key prefix/suffix filters per subscription
   * (BucketEvents: the invoke permissions, then the bucket's notification configuration). A method
   * rather than a constructor argument because the subscribed functions usually need this bucket's
   * name and grants first. S3 keeps one notification configuration per bucket, so call it once,
   * with every subscription, and `{ eventBridge: true }` to send the bucket's events to EventBridge too (then
   * `subscriptions` may be empty; route them with a DefaultEventBus and the returned BucketEvents'
   * `objectCreated`/`objectDeleted` patterns).
   */
  notify(subscriptions: Record<string, ObjectEventSubscription>, options: { eventBridge?: boolean } = {}): BucketEvents {
    if (this.events) {
      argFailer("UploadBucket", this.name)("notify", Object.keys(subscriptions), "is called a second time; S3 keeps one notification configuration per bucket, and a second would replace the first", "Pass every subscription to one notify call.");
    }
    this.events = new BucketEvents(`${this.name}-events`, { bucket: this.nodes.bucket, subscriptions, eventBridge: options?.eventBridge, region: this.spec.region }, { parent: this });
    return this.events;
  }

  /**
   * Replicates the objects under `prefix` (e.g. `"originals/"`) to a versioned replica bucket in `region` (S3
   * replication with its own role), so an API failed over to that region can serve them. Replicas are SSE-S3 like the
   * originals (S3 keeps an SSE-S3 object's encryption on its replica), so readers need no KMS grant. Returns the
   * replica; its bucket name goes to that region's functions (RegionalApis' regionalEnvironment).
   */
  replicate(region: string, prefix = ""): BucketReplica {
    const fail = argFailer("UploadBucket", this.name);
    validateRegionName(fail, "replicate(region)", region);
    if (region === this.spec.region) fail("replicate(region)", region, "is the bucket's own region", "Replicate to another region.");
    if (this.replicas.has(region)) fail("replicate(region)", region, "already has a replica", "Replicate to each region once.");
    // S3 keeps one replication configuration per bucket: a second call would replace the first.
    if (this.replicas.size > 0) fail("replicate(region)", region, "would be a second replication configuration, which replaces the first", `Keep one replica (${[...this.replicas.keys()].join(", ")}).`);
    validateAutonames(fail, this.name, replicationAutonames(`${this.name}-${region}`));
    const replica = replicateBucket(
      `${this.name}-${region}`,
      {
        source: this.nodes.bucket,
        sourceVersioning: this.nodes.versioning,
        sourceRegion: this.spec.region,
        region,
        prefix,
        retainOnDelete: this.spec.retainOnDelete,
        noncurrentVersionDays: this.spec.noncurrentVersionDays,
        logRetentionDays: this.spec.logRetentionDays,
        // Named per bucket, not per region (the replica, its role and logs are per region): once deployed under this
        // name, a region change updates the one configuration in place, where a new name's create-then-delete would end
        // in DeleteBucketReplication. The alias (the earlier `<name>-<region>-replication`) names the region given now,
        // so a stack deployed before the rename must upgrade with its region unchanged and move it in a later deploy;
        // an upgrade that also moves it is flagged by TransitionNameOverwritten (review 117 F1).
        configurationResource: `${this.name}-replication`,
      },
      this,
    );
    replica.writePolicy([]);
    this.replicas.set(region, replica);
    return replica;
  }

  /**
   * Lets browsers on `origins` PUT (presigned) and GET objects; call once the site's URL exists, with every origin.
   * S3 keeps one CORS configuration per bucket, so a second call is refused. The configuration is `<name>-cors`, one
   * per bucket as on S3; `suffix` is kept only as its alias, `<name>-cors-<suffix>`, the name earlier versions gave it,
   * so a stack deployed with them renames it in place. Keep the deployed suffix in the update that upgrades; after
   * that, changing it changes nothing. `origins` holds at least one origin, each with at most one `*` wildcard
   * (`"https://*.example.com"`), as S3 takes them; origins that are Outputs (a site's URL) are checked by S3 at deploy.
   */
  allowBrowserUploads(suffix: string, origins: pulumi.Input<string>[]): aws.s3.BucketCorsConfiguration {
    const fail = argFailer("UploadBucket", this.name);
    // CORSRule.AllowedOrigins is required, "One or more origins you want customers to be able to access the bucket from"
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html), and "The origin string can contain only one
    // `*` wildcard character, such as `http://*.example.com`" (AllowedOrigin element,
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html).
    if (!Array.isArray(origins) || origins.length === 0) {
      fail("allowBrowserUploads(origins)", origins, "is empty; a CORS rule needs at least one AllowedOrigin", 'Pass the site\'s origin, e.g. allowBrowserUploads("site", [site.url]).');
    }
    origins.forEach((origin, i) => {
      const wildcards = typeof origin === "string" ? origin.split("*").length - 1 : 0;
      if (wildcards > 1) {
        fail(`allowBrowserUploads(origins)[${i}]`, origin, `has ${wildcards} * wildcards; S3 takes at most one per allowed origin`, 'Use one *, e.g. "https://*.example.com", or list the origins one by one.');
      }
    });
    // PutBucketCors replaces the bucket's whole configuration ("If the configuration exists, Amazon S3 replaces it",
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html): two would overwrite each other on every
    // deploy, and the delete of either (DeleteBucketCors) would remove the other's rules too.
    if (this.cors) {
      fail("allowBrowserUploads", suffix, "is called a second time; S3 keeps one CORS configuration per bucket, and each call's PutBucketCors would replace the other's", `Pass every origin to one allowBrowserUploads call, e.g. allowBrowserUploads("site", [site.url, "https://admin.example.com"]).`);
    }
    // Named per bucket, not per call: a name that followed the suffix made a changed suffix a new resource, created
    // beside the deployed one, whose delete at the end of the update then removed the bucket's CORS (DeleteBucketCors).
    this.cors = new aws.s3.BucketCorsConfiguration(
      `${this.name}-cors`,
      {
        bucket: this.nodes.bucket.id,
        corsRules: [{ allowedMethods: ["PUT", "GET", "HEAD"], allowedOrigins: origins, allowedHeaders: ["content-type", "content-length"], exposeHeaders: ["etag"], maxAgeSeconds: 3000 }],
        region: this.spec.region,
      },
      { ...bucketSettingOptions(this.nodes.bucket, this), aliases: [{ name: `${this.name}-cors-${suffix}` }] },
    );
    return this.cors;
  }
}

function createBuckets(name: string, spec: UploadBucketSpec, parent: pulumi.Resource) {
  return createPrivateBucketWithLogs(
    {
      bucketResource: `${name}-bucket`,
      logBucketResource: `${name}-logs`,
      bucketName: spec.bucketName,
      region: spec.region,
      retainOnDelete: spec.retainOnDelete,
      versioned: true,
      lifecycleRules: [{ id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: spec.noncurrentVersionDays } }],
      logRetentionDays: spec.logRetentionDays,
    },
    parent,
  );
}
