/** CloudFront in front of the site bucket: OAC or website origin, cache and header policies, extra routes, edge functions. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULT_BEHAVIOUR } from "../edge-logic/associations";
import { bucketSettingOptions, tlsOnlyStatement } from "../s3-hardening";
import type { SiteBuckets } from "./buckets";
import { customHeadersConfig, securityHeadersConfig } from "./headers";
import {
  ErrorDocumentServer, SITE_ORIGIN_GROUP_ID, SITE_ORIGIN_ID, SITE_REPLICA_ORIGIN_ID, checkRouteDomainName, directoryIndexFunctionResource, edgeSiteBehaviours, type StaticSiteSpec,
} from "./spec";
import { argFailer, type ArgFailure } from "../errors";
import { fitName } from "../names";

// The site's own origin ids live with their validation (spec.ts, SITE_OWN_ORIGIN_IDS).
export { SITE_ORIGIN_GROUP_ID, SITE_ORIGIN_ID, SITE_REPLICA_ORIGIN_ID };
/**
 * Statuses from the primary that send a GET/HEAD/OPTIONS to the secondary (connection failures and timeouts always do).
 * 5xx only: a 403/404 is the answer for a missing object, and asking the replica would only double its latency.
 * Allowed values: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_StatusCodes.html
 */
export const SITE_FAILOVER_STATUS_CODES = [500, 502, 503, 504];
/** AWS-managed policies (same ids in every account). */
export const MANAGED_CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
export const MANAGED_ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
export const VIEWER_MIN_TLS = "TLSv1.2_2021";

/**
 * The method lists the site's behaviours give CloudFront. Frozen (and typed readonly): CACHED_METHODS is exported, and
 * one list is shared by every behaviour of every site, so a change through one holder would reach all of them; each
 * behaviour gets a copy of its own.
 */
const READ_METHODS: readonly string[] = Object.freeze(["GET", "HEAD", "OPTIONS"]);
/** The methods every behaviour of the site caches (and, on a `cached: true` route, removes Authorization from: local/front-door.ts). */
export const CACHED_METHODS: readonly string[] = Object.freeze(["GET", "HEAD"]);
const ALL_METHODS: readonly string[] = Object.freeze(["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]);

/**
 * The longest comment CloudFront takes on each thing StaticSite comments: "The comment cannot be longer than 128
 * characters" (CachePolicyConfig and ResponseHeadersPolicyConfig Comment,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html and the SDKs'
 * CachePolicyConfig text); a function's comment, EDGE_LIMITS.functionCommentLength (API_FunctionConfig); a
 * distribution's, 128 as terraform-provider-aws checks it (cloudfront/distribution.go `StringLenBetween(0, 128)`).
 */
export const CLOUDFRONT_COMMENT_LENGTH = 128;

/**
 * `${name}${text}` as a CloudFront comment: the component name cut (fitName: a cut name ends in "-" and 8 hex digits
 * of its hash) so that the whole is at most CLOUDFRONT_COMMENT_LENGTH. Nothing else bounds the component name with
 * hosting "s3-website" and both bucket names given, and the cache policy's comment adds 35 characters to it; a comment
 * that fits is unchanged, so no deployed policy changes.
 */
export function siteComment(name: string, text: string): string {
  return `${fitName(name, CLOUDFRONT_COMMENT_LENGTH - text.length)}${text}`;
}

/**
 * Single-page apps: a path without a file extension is a client-side route, so serve
 * the index document. Runs as a CloudFront Function on viewer requests of the site
 * behaviour only — unlike custom error responses, it never rewrites an API's 404.
 */
export function spaRewriteCode(indexDocument: string): string {
  return `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf("/") + 1);
  if (last === "" || last.indexOf(".") === -1) request.uri = "/${indexDocument}";
  return request;
}`;
}

/**
 * Folder index documents (spec.ts directoryIndexBehaviours): a URI ending in "/" asks for the folder's index document,
 * as S3's website endpoint does ("if the suffix is index.html and you make a request to samplebucket/images/, the data
 * that is returned will be for the object with the key name images/index.html",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_IndexDocument.html). The URI carries no query string in a
 * CloudFront Function's event, so the query goes on to S3 unchanged. `/docs` without its slash is left alone: the
 * website endpoint 302s it to `/docs/` only "If the photos object is not found" and `photos/index.html` is
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/IndexDocumentSupport.html), which a function cannot look up.
 */
export function directoryIndexCode(indexDocument: string): string {
  return `function handler(event) {
  var request = event.request;
  if (request.uri.endsWith("/")) request.uri += ${JSON.stringify(indexDocument)};
  return request;
}`;
}

/**
 * StaticSite's own viewer-request CloudFront Function, for the distribution and the local front door alike: the SPA
 * fallback (`spa`, on the default behaviour) or the folder index documents (`directoryIndex`, on every site behaviour
 * whose viewer-request it can take). Never both: CloudFront runs one function per event type per behaviour, and the
 * SPA fallback already serves every folder URI.
 */
export interface SiteRequestFunction {
  /** The CloudFront Function's resource name (Pulumi adds the autoname's suffix). */
  resourceName: string;
  comment: string;
  code: string;
  /** The behaviours it runs on: `"default"` and edge-only site path patterns. */
  behaviours: readonly string[];
}

export function siteRequestFunction(spec: StaticSiteSpec): SiteRequestFunction | undefined {
  if (spec.spa) {
    return { resourceName: `${spec.name}-spa`, comment: siteComment(spec.name, ": single-page app fallback"), code: spaRewriteCode(spec.indexDocument), behaviours: [DEFAULT_BEHAVIOUR] };
  }
  if (spec.directoryIndexBehaviours.length > 0) {
    return {
      resourceName: directoryIndexFunctionResource(spec.name),
      comment: siteComment(spec.name, ": folder index documents"),
      code: directoryIndexCode(spec.indexDocument),
      behaviours: spec.directoryIndexBehaviours,
    };
  }
  return undefined;
}

export interface SiteDistribution {
  distribution: aws.cloudfront.Distribution;
  cachePolicy: aws.cloudfront.CachePolicy;
  headersPolicy: aws.cloudfront.ResponseHeadersPolicy;
  /** StaticSite's own viewer-request function (SPA fallback or folder index documents), and where it runs. */
  siteFunction?: { function: aws.cloudfront.Function; behaviours: readonly string[] };
}

export function createDistribution(
  name: string,
  spec: StaticSiteSpec,
  buckets: SiteBuckets,
  certificateArn: pulumi.Input<string> | undefined,
  webAclArn: pulumi.Input<string> | undefined,
  parent: pulumi.Resource,
): SiteDistribution {
  const website = spec.hosting === "s3-website";
  const fail = argFailer("StaticSite", name);

  // Honour each object's Cache-Control (the TTL set by object metadata); a day when an object has none.
  const cachePolicy = new aws.cloudfront.CachePolicy(
    `${name}-cache`,
    {
      comment: siteComment(name, ": TTL from each object's Cache-Control"),
      minTtl: 0,
      defaultTtl: 86400,
      maxTtl: 31536000,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: "none" },
        headersConfig: { headerBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      },
    },
    { parent },
  );
  const headersPolicy = new aws.cloudfront.ResponseHeadersPolicy(
    `${name}-headers`,
    {
      comment: siteComment(name, ": security headers"),
      securityHeadersConfig: securityHeadersConfig(spec.securityHeaders),
      customHeadersConfig: customHeadersConfig(spec.securityHeaders),
    },
    { parent },
  );
  const ownFunction = siteRequestFunction(spec);
  const siteFunction = ownFunction && {
    function: new aws.cloudfront.Function(
      ownFunction.resourceName,
      { runtime: "cloudfront-js-2.0", comment: ownFunction.comment, code: ownFunction.code, publish: true },
      { parent },
    ),
    behaviours: ownFunction.behaviours,
  };

  const siteOrigin = website ? websiteOrigin(name, spec, buckets, parent) : oacOrigin(name, buckets, parent);

  // The site origin's behaviour: the default one, and any path that only exists to run edge code.
  const siteBehaviour = {
    targetOriginId: siteOrigin.group ? SITE_ORIGIN_GROUP_ID : SITE_ORIGIN_ID,
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: [...READ_METHODS],
    cachedMethods: [...CACHED_METHODS],
    compress: true,
    cachePolicyId: cachePolicy.id,
    responseHeadersPolicyId: headersPolicy.id,
  };
  const distribution = new aws.cloudfront.Distribution(
    `${name}-cdn`,
    {
      enabled: true,
      comment: siteComment(name, " static site"),
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: spec.priceClass,
      defaultRootObject: spec.indexDocument,
      aliases: spec.domain?.names,
      origins: [siteOrigin.origin, ...(siteOrigin.secondary ? [siteOrigin.secondary] : []), ...spec.routes.map((route, index) => routeOrigin(fail, route, index))],
      originGroups: siteOrigin.group ? [siteOrigin.group] : undefined,
      defaultCacheBehavior: { ...siteBehaviour, ...edgeAssociations(spec, DEFAULT_BEHAVIOUR, siteFunction) },
      orderedCacheBehaviors: [
        ...spec.routes.map((route) => ({
          pathPattern: route.pathPattern,
          targetOriginId: route.originId,
          // APIs take POSTs, which a redirect would turn into GETs: refuse plain HTTP instead.
          viewerProtocolPolicy: "https-only",
          allowedMethods: [...ALL_METHODS],
          cachedMethods: [...CACHED_METHODS],
          compress: true,
          cachePolicyId: route.cached ? cachePolicy.id : MANAGED_CACHING_DISABLED,
          originRequestPolicyId: route.cached ? undefined : MANAGED_ALL_VIEWER_EXCEPT_HOST,
          responseHeadersPolicyId: headersPolicy.id,
          ...edgeAssociations(spec, route.pathPattern),
        })),
        // Paths that only exist to run edge code (e.g. an auth check on /account/*) are the site, behaving as the default.
        ...edgeSiteBehaviours(spec).map((pathPattern) => ({ pathPattern, ...siteBehaviour, ...edgeAssociations(spec, pathPattern, siteFunction) })),
      ],
      // S3's REST endpoint answers 404 for a missing key (CloudFront may list the bucket). A custom error response
      // would rewrite every origin's 404 (an API's JSON too), so it is used only when the site is the only origin;
      // otherwise the site behaviours' origin-response function serves the page, or nothing does (spec.ts).
      customErrorResponses: spec.errorDocumentServer === ErrorDocumentServer.Distribution
        ? [{ errorCode: 404, responseCode: 404, responsePagePath: `/${spec.errorDocument}`, errorCachingMinTtl: 10 }]
        : [],
      loggingConfig: { bucket: buckets.logs.bucketDomainName, prefix: `${spec.logs.prefix}cloudfront/`, includeCookies: false },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: certificateArn
        ? { acmCertificateArn: certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: VIEWER_MIN_TLS }
        : // The *.cloudfront.net certificate only offers CloudFront's TLSv1 policy; set a domain to enforce TLS 1.2.
          { cloudfrontDefaultCertificate: true },
      // Waiting (the provider's default) is what lets the end of an update delete what the update stopped using: Pulumi
      // deletes removed resources right after this step, and the provider sends DeleteFunction once, with no retry
      // (terraform-provider-aws internal/service/cloudfront/function.go resourceFunctionDelete), which CloudFront
      // refuses while a configuration still deploying runs the function ("FunctionInUse: Cannot delete function …, it
      // is in use by 1 distributions", hashicorp/terraform-provider-aws#21730, anomalyco/ion#443). Opting out is
      // reported by TransitionCloudFrontDeletedWhileDeploying on the updates that need it.
      waitForDeployment: spec.waitForDeployment,
      // WAFv2 web ACLs are attached by ARN ("To specify a web ACL created using the latest version of AWS WAF, use the ACL ARN"):
      // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html
      webAclId: webAclArn,
    },
    { parent, dependsOn: [...buckets.logsReady, ...siteOrigin.dependsOn] },
  );

  siteOrigin.finishBucketAccess(distribution);
  return { distribution, cachePolicy, headersPolicy, siteFunction };
}

/**
 * A behaviour's CloudFront Function and Lambda@Edge associations (spec.ts has checked one per event type, and keeps
 * StaticSite's own function off behaviours whose viewer-request the edge associations take).
 */
function edgeAssociations(spec: StaticSiteSpec, pathPattern: string, siteFunction?: SiteDistribution["siteFunction"]) {
  const mine = spec.edge.filter((a) => a.pathPattern === pathPattern);
  const own = siteFunction?.behaviours.includes(pathPattern) ? siteFunction.function : undefined;
  const functions = [
    ...(own ? [{ eventType: "viewer-request", functionArn: own.arn as pulumi.Input<string> }] : []),
    ...mine.filter((a) => a.kind === "function").map((a) => ({ eventType: a.eventType, functionArn: a.arn })),
  ];
  const lambdas = mine
    .filter((a) => a.kind === "lambda")
    .map((a) => ({ eventType: a.eventType, lambdaArn: a.arn, includeBody: a.includeBody || undefined }));
  return {
    functionAssociations: functions.length > 0 ? functions : undefined,
    lambdaFunctionAssociations: lambdas.length > 0 ? lambdas : undefined,
  };
}

interface SiteOrigin {
  origin: aws.types.input.cloudfront.DistributionOrigin;
  /** The replica bucket, and the origin group (primary, then replica) the site behaviours target. */
  secondary?: aws.types.input.cloudfront.DistributionOrigin;
  group?: aws.types.input.cloudfront.DistributionOriginGroup;
  dependsOn: pulumi.Resource[];
  /** Writes what of the site bucket's access comes after the distribution (with oac: its policy, then its public access block). */
  finishBucketAccess(distribution: aws.cloudfront.Distribution): void;
}

function oacOrigin(name: string, buckets: SiteBuckets, parent: pulumi.Resource): SiteOrigin {
  const oac = new aws.cloudfront.OriginAccessControl(
    `${name}-oac`,
    { description: `${name}: CloudFront reads the site bucket`, originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" },
    { parent },
  );
  const replica = buckets.replica;
  return {
    origin: { originId: SITE_ORIGIN_ID, domainName: buckets.site.bucketRegionalDomainName, originAccessControlId: oac.id },
    secondary: replica && { originId: SITE_REPLICA_ORIGIN_ID, domainName: replica.bucket.bucketRegionalDomainName, originAccessControlId: oac.id },
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html — a group
    // is exactly two origins, the primary first; CloudFront retries GET, HEAD and OPTIONS on the secondary.
    group: replica && {
      originId: SITE_ORIGIN_GROUP_ID,
      failoverCriteria: { statusCodes: SITE_FAILOVER_STATUS_CODES },
      members: [{ originId: SITE_ORIGIN_ID }, { originId: SITE_REPLICA_ORIGIN_ID }],
    },
    // Not the public access block: see finishBucketAccess.
    dependsOn: buckets.siteReady,
    /**
     * Hosting "s3-website" → "oac" in one update, with no 403 for the site's objects. The steps run in this order:
     * 1. The distribution moves to this OAC origin while the deployed block is still open and the deployed website
     *    policy still grants the Referer reads, so edge locations still on the website origin keep being served:
     *    "settings changes that you make won't take effect until the distribution has propagated to the AWS edge locations"
     *    (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowToUpdateDistribution.html). Edge
     *    locations already on this origin read through that policy's CloudFront grant for this account (websiteOrigin).
     *    The step ends when CloudFront reports Deployed (`waitForDeployment`, the default: terraform-provider-aws
     *    cloudfront/distribution.go resourceDistributionUpdate → waitDistributionDeployed, Target Deployed).
     * 2. This policy, which names the distribution's ARN: no public statement from here on.
     * 3. The block closes. Earlier, RestrictPublicBuckets would have cut the Referer grant, a public statement
     *    (aws:Referer is not among the condition keys that make one non-public), off at once: it "restricts access to this
     *    bucket to only AWS service principals and authorized users within this account if the bucket has a public
     *    policy" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html).
     * The website configuration and the Referer secret are deleted at the end of the update, when nothing uses them.
     * Without the wait, steps 2 and 3 would run while edges still fetch from the website endpoint: reported by
     * TransitionWebsiteOriginClosedWhileDeploying. A new bucket is private before its block exists: "By default, new
     * buckets, access points, and objects don't allow public access"
     * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html).
     */
    finishBucketAccess(distribution) {
      const fromThisDistribution = { StringEquals: { "AWS:SourceArn": distribution.arn } };
      // The replica answers the same reads, from the same distribution.
      replica?.writePolicy([
        { Sid: "AllowCloudFrontRead", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: pulumi.interpolate`${replica.bucket.arn}/*`, Condition: fromThisDistribution },
        { Sid: "AllowCloudFrontList", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:ListBucket", Resource: replica.bucket.arn, Condition: fromThisDistribution },
      ]);
      const policy = siteBucketPolicy(name, buckets, [cloudFrontReadStatement(buckets.site.arn, fromThisDistribution), cloudFrontListStatement(buckets.site.arn, fromThisDistribution), tlsOnlyStatement(buckets.site.arn)], [], parent);
      buckets.blockSitePublicAccess([policy]);
    },
  };
}

/**
 * Seed 000's `aws s3 website --index-document index.html --error-document error.html`.
 * Website endpoints speak plain HTTP to CloudFront, so the bucket only serves
 * requests carrying a secret Referer that CloudFront adds; everything else still needs TLS.
 */
function websiteOrigin(name: string, spec: StaticSiteSpec, buckets: SiteBuckets, parent: pulumi.Resource): SiteOrigin {
  const website = new aws.s3.BucketWebsiteConfiguration(
    `${name}-website`,
    {
      bucket: buckets.site.id,
      indexDocument: { suffix: spec.indexDocument },
      errorDocument: { key: spec.errorDocument },
      region: buckets.site.region,
    },
    bucketSettingOptions(buckets.site, parent),
  );
  const referer = new random.RandomPassword(`${name}-referer`, { length: 48, special: false }, { parent });
  // Hosting "oac" → "s3-website" rewrites this policy before the distribution moves to the website origin (which needs
  // the Referer grant first), so edge locations still on the OAC origin keep reading through CloudFront's grant until
  // CloudFront has deployed the change. The other way round ("s3-website" → "oac", oacOrigin's finishBucketAccess),
  // this deployed policy serves the edge locations already on the OAC origin until the OAC policy replaces it. It
  // cannot name this distribution's ARN (the distribution waits for this policy), so it names this account: a fixed
  // aws:SourceAccount keeps the statement non-public ("A fixed aws:SourceAccount", https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status),
  // and it admits only distributions this account creates, i.e. principals of the bucket's own account.
  const fromThisAccount = { StringEquals: { "AWS:SourceAccount": aws.getCallerIdentityOutput({}, { parent }).accountId } };
  // The block opens before the policy grants the Referer reads: with BlockPublicPolicy, S3 rejects "calls to PUT Bucket
  // policy if the specified bucket policy allows public access" (API_PublicAccessBlockConfiguration).
  const access = buckets.blockSitePublicAccess([]);
  const policy = siteBucketPolicy(name, buckets, [
    {
      Sid: "AllowCloudFrontWebsiteRead",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${buckets.site.arn}/*`,
      Condition: { StringEquals: { "aws:Referer": referer.result } },
    },
    // GetObject only: the account's other distributions never list the keys, which the website endpoint does not
    // show either; a missing key answers 403, not 404, in the minutes of the switch.
    cloudFrontReadStatement(buckets.site.arn, fromThisAccount),
    tlsOnlyStatement(buckets.site.arn, "s3:GetObject"),
  ], [access], parent);
  return {
    origin: {
      originId: SITE_ORIGIN_ID,
      domainName: website.websiteEndpoint,
      customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1.2"] },
      customHeaders: [{ name: "Referer", value: referer.result }],
    },
    dependsOn: [policy],
    // The block and the policy come before the distribution (above).
    finishBucketAccess: () => undefined,
  };
}

/** CloudFront's OAC reads of the site bucket's objects, from the distributions `condition` admits. */
function cloudFrontReadStatement(bucketArn: pulumi.Output<string>, condition: Record<string, unknown>): Record<string, unknown> {
  return { Sid: "AllowCloudFrontRead", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: pulumi.interpolate`${bucketArn}/*`, Condition: condition };
}

/** Lets S3 answer 404 (not 403) for a missing key through OAC, so the error document is served as a 404. */
function cloudFrontListStatement(bucketArn: pulumi.Output<string>, condition: Record<string, unknown>): Record<string, unknown> {
  return { Sid: "AllowCloudFrontList", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:ListBucket", Resource: bucketArn, Condition: condition };
}

/** The site bucket's one policy, written once its logging and `after` exist. */
function siteBucketPolicy(name: string, buckets: SiteBuckets, statements: Array<Record<string, unknown>>, after: pulumi.Resource[], parent: pulumi.Resource): aws.s3.BucketPolicy {
  return new aws.s3.BucketPolicy(
    `${name}-bucket-policy`,
    { bucket: buckets.site.id, region: buckets.site.region, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
    bucketSettingOptions(buckets.site, parent, [...buckets.siteReady, ...after]),
  );
}

function routeOrigin(fail: ArgFailure, route: StaticSiteSpec["routes"][number], index: number): aws.types.input.cloudfront.DistributionOrigin {
  return {
    originId: route.originId,
    // A string passed validateArgs; an Output (a function URL's host, an API's) is checked when it resolves.
    domainName: typeof route.domainName === "string" ? route.domainName : pulumi.output(route.domainName).apply((value) => checkRouteDomainName(fail, index, route, value)),
    originPath: route.originPath,
    customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
  };
}
