/**
 * `SitePublisher`: one Pulumi resource that publishes a whole site folder (see provider.ts).
 * Its inputs carry the manifest, so `pulumi preview --diff` lists the files that
 * change, and `summary` says how many will be added, changed and deleted, and who to act
 * as (`aws`, a secret), so it publishes into the account the rest of the stack deploys to.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployerAwsInput, secretAwsOutput } from "../../deployer-aws/settings";
import { encodeManifest, type EncodedManifest } from "./encoding";
import { serialisedPublisherProvider } from "./load-provider";
import { DEFAULT_PUBLISH_OPTIONS, type LastDeploy, type Manifest, type PublisherAws, type PublisherEndpoints, type PublishOptions } from "./types";

export interface SitePublisherArgs {
  /** Name of the bucket to publish into. */
  bucket: pulumi.Input<string>;
  /** Region of the bucket. */
  region: pulumi.Input<string>;
  /** Distribution to invalidate for changed and deleted files; "" for none. @default "" */
  distributionId?: pulumi.Input<string>;
  /** Absolute path of the site folder. */
  root: string;
  /** The folder's manifest (see buildManifest), or the same encoded (buildEncodedManifest, encodeManifest). */
  manifest: pulumi.Input<Manifest | EncodedManifest>;
  /** The file served for `/` (StaticSite's `indexDocument`). @default "index.html" */
  indexDocument?: string;
  /** How files are uploaded and the CDN refreshed (StaticSite's `publish`). @default DEFAULT_PUBLISH_OPTIONS */
  options?: Partial<PublishOptions>;
  /** S3 and CloudFront endpoint URLs, e.g. the local S3 server in tests. @default AWS */
  endpoints?: PublisherEndpoints;
  /**
   * Who to act as. Sent as a secret; a change of it alone is an update that makes no request (delete and
   * refresh act as what the last update recorded), never a republish.
   * @default the settings of the AWS provider `opts.parent` passes its AWS children: an explicit
   * `aws.Provider` (its profile, assumeRoles and keys), else the stack's `aws:*` config
   */
  aws?: pulumi.Input<PublisherAws>;
}

/**
 * A dynamic resource (`pulumi-nodejs:dynamic/...`, run by Pulumi's dynamic-provider host),
 * declared as `pulumi.dynamic.Resource` declares one, with the provider's serialised code
 * from the cache (load-provider.ts) instead of serialising it on every run.
 */
export class SitePublisher extends pulumi.CustomResource {
  /** What the last deploy did (or will do, in preview): "3 added, 1 changed, 0 deleted (120 KiB to upload); 42 files in the site". */
  declare readonly summary: pulumi.Output<string>;
  /** Counts of the last deploy: uploads, bytes, deletes and the invalidated paths. */
  declare readonly lastDeploy: pulumi.Output<LastDeploy>;
  /** Deploys that changed the site so far. */
  declare readonly deploy: pulumi.Output<number>;

  constructor(name: string, args: SitePublisherArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "pulumi-nodejs:dynamic/serverless-fullstack:SitePublisher",
      name,
      {
        __provider: serialisedPublisherProvider(),
        bucket: args.bucket,
        region: args.region,
        distributionId: args.distributionId ?? "",
        root: args.root,
        ...encodedManifest(args.manifest),
        indexDocument: args.indexDocument ?? "index.html",
        options: { ...DEFAULT_PUBLISH_OPTIONS, ...args.options },
        endpoints: args.endpoints,
        aws: deployerAwsInput(args.aws, opts),
        summary: undefined,
        lastDeploy: undefined,
        deploy: undefined,
      },
      secretAwsOutput(opts),
    );
  }
}

/**
 * The manifest's encoded parts as three inputs. Encoded as the manifest resolves, outside any Output:
 * `pulumi.output` of the manifest itself would copy it and scan its entries for unknowns (10,000
 * objects for a 10,000-file site) before the encoding makes it one string.
 */
function encodedManifest(manifest: pulumi.Input<Manifest | EncodedManifest>) {
  const encode = (m: Manifest | EncodedManifest): EncodedManifest => (isEncoded(m) ? m : encodeManifest(m));
  const encoded = pulumi.Output.isInstance(manifest) ? manifest.apply(encode) : pulumi.output(Promise.resolve(manifest).then(encode));
  return { files: encoded.files, contentTypes: encoded.contentTypes, cacheControls: encoded.cacheControls };
}

/** An encoded manifest's `files` is a string; a manifest's entries (even one for a file named "files") are objects. */
function isEncoded(manifest: Manifest | EncodedManifest): manifest is EncodedManifest {
  return typeof manifest.files === "string" && Array.isArray(manifest.contentTypes);
}
