/**
 * StaticSite's arguments, their validation, and the normalised spec the rest of
 * the component (and the local server) works from.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { US_EAST_1_ACM_CERTIFICATE } from "../arn";
import { bucketNameBreach, validateAutonames } from "../autoname";
import { replicationAutonames } from "../bucket-replication";
import type { ArgFailure } from "../errors";
import {
  DEFAULT_BEHAVIOUR, EDGE_EVENT_TYPES, FUNCTION_EVENT_TYPES, MIXED_VIEWER_EVENTS, MIXED_VIEWER_EVENTS_FIX, associationSlot, behaviourPattern, kindName, mixesViewerKinds,
  type EdgeAssociation,
} from "../edge-logic/associations";
import { EDGE_LIMITS } from "../edge-logic/spec";
import type { CacheRule } from "./content";
import { normaliseSecurityHeaders, validateSecurityHeaders, type NormalisedSecurityHeaders, type SecurityHeaders } from "./headers";
import { normaliseBuild, validateBuildArgs, type NormalisedBuild, type StaticSiteBuild } from "./build";
import { normalisePublish, validatePublishArgs, type NormalisedPublish, type StaticSitePublishArgs } from "./publisher/args";
import { normaliseWebAcl, validateWebAclArgs, WebAclScope, type WebAclArgs, type WebAclSpec } from "../web-acl/spec";
import { HEALTH_CHECK_LIMITS, HEALTH_CHECK_TYPE, healthCheckProblem, validateAliasTargetZone } from "../dns-routing/spec";
import { checkStackTagRoom } from "../tags";
import { describeRegion, type KnownRegion, validateRegionArg, validateRegionName } from "../region";
import { ACM_COMMON_NAME_MAX_LENGTH, validateCommonNameLength } from "../certificate-validation";
import { checkPathPattern, patternCovers } from "../cloudfront-path-pattern";

export type PriceClass = "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
const PRICE_CLASSES: readonly PriceClass[] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];

/**
 * Who answers a request for a missing site object with the error document (docs/edge.md).
 * CloudFront's custom error responses are a distribution setting, not a behaviour's: CloudFront returns the page
 * "when your Amazon S3 or custom origin returns an HTTP 4xx or 5xx status code", whichever behaviour served it.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesErrorPages.html
 */
export enum ErrorDocumentServer {
  /** A custom error response (404 → the error document): only when every behaviour is the site, i.e. no routes. */
  Distribution = "distribution",
  /** The site behaviours' origin-response Lambda@Edge (an EdgeLogic function with `servesErrorDocument`). */
  EdgeFunction = "edge-function",
  /** S3's website endpoint serves it (hosting "s3-website"), for the site origin only. */
  Website = "website",
  /** Nobody: routes share the distribution and no edge function serves the page, so S3's own 404 goes out. */
  None = "none",
}

/** The one place that decides ErrorDocumentServer, for the distribution and the local front door alike. */
export function errorDocumentServer(args: Pick<StaticSiteArgs, "hosting" | "routes" | "edge">): ErrorDocumentServer {
  if (args.hosting === "s3-website") return ErrorDocumentServer.Website;
  if ((args.edge ?? []).some((association) => association.servesErrorDocument)) return ErrorDocumentServer.EdgeFunction;
  return (args.routes ?? []).length === 0 ? ErrorDocumentServer.Distribution : ErrorDocumentServer.None;
}

/** A custom domain for the site: certificate, aliases, Route 53 records and optional failover. */
export interface StaticSiteDomain {
  /**
   * The site's host name, e.g. `"gallery.example.com"`. Without `certificateArn` it is the Common Name of the
   * certificate StaticSite requests, which ACM takes only up to 64 characters: a longer name needs `certificateArn`
   * (a certificate with a shorter Common Name that lists this name as a Subject Alternative Name). Aliases may be 253.
   */
  name: string;
  /** More host names served by the same distribution and certificate, e.g. `["www.gallery.example.com"]`. */
  aliases?: string[];
  /** Route 53 hosted zone for the records (and for DNS validation when no certificate is given). */
  hostedZoneId?: string;
  /** An ACM certificate in us-east-1 covering every name. @default one is created and DNS-validated in `hostedZoneId` */
  certificateArn?: pulumi.Input<string>;
  /**
   * Route 53 failover: the site's records become PRIMARY (with a health check on
   * the site) and these become SECONDARY, served when the primary is unhealthy.
   */
  failover?: {
    /** Alias target of the standby, e.g. another distribution's domain name or an S3 website endpoint. */
    domainName: pulumi.Input<string>;
    /** Alias hosted zone id of the standby (Z2FDTNDATAQYW2 for CloudFront). */
    hostedZoneId: pulumi.Input<string>;
    /** Path the Route 53 health check requests over HTTPS on the primary. @default "/" + indexDocument */
    healthCheckPath?: string;
  };
}

/** An extra CloudFront behaviour that sends a path pattern to another origin, e.g. `/api/*` to API Gateway. */
export interface StaticSiteRoute {
  /**
   * CloudFront path pattern, e.g. `"/api/*"`: at most 255 characters of A-Z, a-z, 0-9, `_ - . * ? $ / ~ " ' @ : + &`
   * (`*` matches any characters, `?` one). A leading `/` is added when missing. Routes become behaviours in the order
   * listed, and CloudFront uses the first whose pattern matches: list `/api/admin/*` before `/api/*` (a route an earlier
   * one covers is refused, as is an `edge` association on a path a route covers).
   */
  pathPattern: string;
  /** Identifies the origin; the local runtime routes to the local service registered under the same id. */
  originId: string;
  /** Host name of the origin, e.g. `${restApi.id}.execute-api.us-east-1.amazonaws.com`. */
  domainName: pulumi.Input<string>;
  /** Path prefix added before the request path, e.g. `"/prod"` for an API Gateway stage. */
  originPath?: pulumi.Input<string>;
  /**
   * Cached routes use the site's cache policy (honouring Cache-Control); uncached ones
   * forward every viewer header but Host, all cookies and query strings.
   * @default false
   */
  cached?: boolean;
}

/** Arguments of StaticSite. */
export interface StaticSiteArgs {
  /** Folder with the site's files, relative to the working directory. */
  path: string;
  /**
   * The file served for `/` (and, with `spa`, for paths without a file extension). It is the distribution's default
   * root object: at most 255 characters from A-Z a-z 0-9 `_ - . * $ / ~ " ' &`, not beginning with `/`. @default "index.html"
   */
  indexDocument?: string;
  /** Served with status 404 for paths that have no file. @default "error.html" */
  errorDocument?: string;
  /** Single-page app: paths without a file extension serve `indexDocument` with 200. @default false */
  spa?: boolean;
  /**
   * A folder URI serves that folder's index document, as S3 website hosting does for "the root of a website or any
   * subfolder": `/docs/` serves `docs/index.html` (multi-page sites: Hugo, Astro, Docusaurus, Jekyll). With hosting
   * `"oac"` CloudFront's default root object covers `/` only, so StaticSite rewrites viewer requests whose URI ends in
   * `/` to `<uri><indexDocument>` with a CloudFront Function, on each site behaviour whose viewer-request it can take.
   * Where an EdgeLogic function runs on a site behaviour's viewer-request (or Lambda@Edge on its viewer events), that
   * function must rewrite instead (the reference app's viewer-request: `config.directoryIndex`). `/docs` (no slash) is
   * not redirected to `/docs/` as the website endpoint does: link to folders with their slash. Not with `spa: true`,
   * whose fallback serves every folder URI the root index document, nor with an `indexDocument` holding "/"; hosting
   * `"s3-website"` needs no function. `false` turns it off (hosting `"oac"` only). See docs/components/static-site.md.
   * @default true
   */
  directoryIndex?: boolean;
  /**
   * `oac`: private bucket, CloudFront reads it through Origin Access Control.
   * `s3-website`: the bucket's S3 website endpoint (index and error documents served by S3)
   * as CloudFront's custom origin; the bucket only answers requests carrying a secret
   * Referer header that CloudFront adds.
   * @default "oac"
   */
  hosting?: "oac" | "s3-website";
  /** Physical name of the site bucket: 3–63 characters, lowercase, no periods. @default generated */
  bucketName?: string;
  /** The separate log bucket for S3 access logs and CloudFront logs (never the site bucket). @default a generated bucket, logs kept 90 days */
  logs?: {
    /** Physical name of the separate log bucket. @default generated */
    bucketName?: string;
    /** Key prefix for this site's logs (e.g. `examplebucket-logs/`). @default `${name}-logs/` */
    prefix?: string;
    /** Days before log objects expire. @default 90 */
    retentionDays?: number;
  };
  /** Cache-Control by glob over object keys; first match wins, before the defaults (fingerprinted: immutable, else no-cache). */
  cacheRules?: CacheRule[];
  /** CloudFront price class: which edge locations serve the site (`PriceClass_100`: North America and Europe). @default "PriceClass_100" */
  priceClass?: PriceClass;
  /** Custom domain: certificate, aliases, Route 53 records and optional failover. @default none (the CloudFront domain) */
  domain?: StaticSiteDomain;
  /** Security headers on every response (HSTS, frame options, referrer policy, CSP). @default each field's default */
  securityHeaders?: SecurityHeaders;
  /** Extra behaviours for other origins, e.g. the API under `/api/*`. */
  routes?: StaticSiteRoute[];
  /**
   * Code at the edge: EdgeLogic's `associations` (CloudFront Functions and Lambda@Edge by
   * behaviour and event type). `"default"` is the site's default behaviour, a route's
   * pathPattern is that route's behaviour, and any other path pattern gets its own
   * behaviour on the site origin (after the routes), e.g. `/account/*` for an auth check.
   * One function per event type per behaviour; `spa: true` already takes the default
   * behaviour's viewer-request. A function on a site behaviour's viewer-request keeps
   * `directoryIndex`'s function off that behaviour, and should rewrite folder URIs itself.
   * @default []
   */
  edge?: readonly EdgeAssociation[];
  /** Keep the buckets (and their objects) when the site leaves the program. Prod should. @default false */
  retainOnDelete?: boolean;
  /**
   * Region of the buckets. Not af-south-1, ap-east-1, eu-south-1 or me-south-1: the log bucket is there too, and
   * CloudFront's standard logging does not deliver to buckets in those regions. @default the provider's region
   */
  region?: string;
  /**
   * A second region the site bucket replicates to (S3 replication with its own role, versioning on both sides); the
   * distribution's site behaviours then use an origin group that fails over to the replica when the bucket answers
   * 5xx or not at all (docs/multi-region.md). OAC hosting only. @default none
   */
  replicaRegion?: string;
  /**
   * A build run in `path` before the manifest is made (e.g. `vite build`); `build.outputDir` is what gets
   * published, and `path` is then the site's source folder. See StaticSiteBuild and docs/front-end.md.
   * @default none: `path` is published as it is
   */
  build?: StaticSiteBuild;
  /** How files reach the bucket: dotfiles, parallelism, multipart, kept assets, invalidation. See the README. @default see each field */
  publish?: StaticSitePublishArgs;
  /**
   * An AWS WAF web ACL on the distribution (a `WebAcl` child in us-east-1, scope CLOUDFRONT): per-IP rate limit,
   * body size limit, AWS managed rules, request logs. cdk-nag's CFR2; production stacks should set it. The local
   * front door applies the rate and body limits (docs/operations.md).
   * @default none
   */
  waf?: WebAclArgs;
  /**
   * Whether `pulumi up` waits until CloudFront has deployed each change of the distribution to every edge location
   * (status `Deployed`, typically 5–15 minutes) before it goes on. Waiting is what makes the end of an update safe:
   * Pulumi deletes what the update stopped using (the SPA function when `spa` turns off, the folder-index function
   * when `spa` turns on, `directoryIndex` off or an EdgeLogic function takes its behaviours, EdgeLogic's CloudFront
   * Functions and key value store, the origin access control when `hosting` moves to `"s3-website"`) right after
   * the distribution step, and CloudFront refuses to delete a function a deploying configuration still runs
   * (`FunctionInUse`), which fails the update. `false` returns as soon as CloudFront accepts the change, for faster
   * deploys of stacks whose updates never remove such objects; `npm run plan -- --since` then reports an update that
   * does (TransitionCloudFrontDeletedWhileDeploying). The local runtime ignores it. See docs/deploy-guide.md.
   * @default true
   */
  waitForDeployment?: boolean;
}

export interface StaticSiteSpec {
  name: string;
  path: string;
  indexDocument: string;
  errorDocument: string;
  spa: boolean;
  /**
   * The site behaviours (`"default"`, edge-only path patterns) whose viewer-request runs StaticSite's folder-index
   * function (`directoryIndex`); empty when it makes none.
   */
  directoryIndexBehaviours: string[];
  hosting: "oac" | "s3-website";
  bucketName?: string;
  logs: { bucketName?: string; prefix: string; retentionDays: number };
  cacheRules: CacheRule[];
  priceClass: PriceClass;
  domain?: StaticSiteDomain & { names: string[] };
  securityHeaders: NormalisedSecurityHeaders;
  routes: StaticSiteRoute[];
  edge: EdgeAssociation[];
  /** Who serves the error document for a missing site object (see ErrorDocumentServer). */
  errorDocumentServer: ErrorDocumentServer;
  retainOnDelete: boolean;
  region?: string;
  replicaRegion?: string;
  /** The build to run before publishing, in `cwd` (the `path` argument); `path` above is then its `outputDir`. */
  build?: NormalisedBuild;
  publish: NormalisedPublish;
  /** The distribution's web ACL, when `waf` is set. */
  waf?: WebAclSpec;
  /** The distribution's `waitForDeployment`. */
  waitForDeployment: boolean;
}

const HOST_NAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const SITE_ORIGIN_ID = "site";
/** The replica bucket's origin and the group that fails the site behaviours over to it (StaticSite `replicaRegion`). */
export const SITE_REPLICA_ORIGIN_ID = "site-replica";
export const SITE_ORIGIN_GROUP_ID = "site-failover";
/**
 * The ids StaticSite's own origins and origin group take, refused as a route's `originId` whether or not
 * `replicaRegion` is set, so that setting it later cannot collide. An origin's Id: "A unique identifier for the
 * origin. This value must be unique within the distribution" (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Origin.html).
 * No AWS text says an origin id may not equal an origin group's; it is refused anyway, since a behaviour's
 * TargetOriginId names either by its id.
 */
export const SITE_OWN_ORIGIN_IDS: readonly string[] = [SITE_ORIGIN_ID, SITE_REPLICA_ORIGIN_ID, SITE_ORIGIN_GROUP_ID];

/**
 * A route's OriginPath: "enter the directory path, beginning with a slash (/). ... Do not add a slash (/) at the end
 * of the path" (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath);
 * "" means none.
 */
export const ORIGIN_PATH = /^(\/[^/]+)*$/;

/**
 * A custom origin's DomainName is its host name only: "Custom Origins: The DNS domain name for the HTTP server from
 * which you want CloudFront to get objects for this origin, for example, www.example.com. Constraints for custom
 * origins: DomainName must be a valid DNS name that contains only a-z, A-Z, 0-9, dot (.), hyphen (-), or underscore (_)
 * characters" (Origin.DomainName in CloudFront's API model, as the AWS SDKs carry it, e.g. aws_cloudfront_api's and
 * rusoto's Origin.domainName; the current API_Origin page says only "The domain name for the origin"). CloudFront
 * refuses a URL with "InvalidArgument: The parameter origin name must be a domain name" (anomalyco/ion#868 for a
 * Lambda function URL, laurilehmijoki/s3_website#83) and a port with "The parameter origin name cannot contain a
 * colon" (aws/aws-cdk#25110). Only the characters are checked, so every host CloudFront takes passes: S3 REST and
 * website endpoints (`b.s3-website-us-east-1.amazonaws.com`, `b.s3-website.eu-central-1.amazonaws.com`), API Gateway
 * (`abc123.execute-api.us-east-1.amazonaws.com`), Lambda function URL hosts (`abc.lambda-url.us-east-1.on.aws`),
 * load balancers and custom hosts, in any case; the same text's "The name cannot exceed 128 characters" is not
 * checked (not on the current page; not confirmed). The port is the origin's `customOriginConfig`, not its name.
 */
const ORIGIN_DOMAIN_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Why CloudFront would refuse `value` as an origin's domain name, and the host name, origin path and port it holds
 * when it is a URL or `host/path` (for the fix); undefined when CloudFront takes it (ORIGIN_DOMAIN_NAME). An `s3://`
 * URL names a bucket, not a host: its host is the bucket's S3 REST endpoint, "https://bucket-name.s3.region-code.amazonaws.com"
 * (virtual-hosted-style requests, https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html), with the
 * region left for the user to fill in. Another scheme than http(s) has no host CloudFront would reach over HTTPS.
 */
export function originDomainNameProblem(value: string): { problem: string; host?: string; path?: string; port?: string; bucket?: true } | undefined {
  if (ORIGIN_DOMAIN_NAME.test(value)) return undefined;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  let parsed: URL | undefined;
  try {
    parsed = new URL(scheme ? value : `https://${value}`);
  } catch {
    parsed = undefined;
  }
  const host = parsed && ORIGIN_DOMAIN_NAME.test(parsed.hostname) ? parsed.hostname : undefined;
  const rawPath = parsed?.pathname.replace(/\/+$/, "") ?? "";
  const path = rawPath !== "" && ORIGIN_PATH.test(rawPath) ? rawPath : undefined;
  const port = parsed?.port || undefined;
  const refusal = 'CloudFront takes the origin\'s host name only (CreateDistribution: "The parameter origin name must be a domain name")';
  const colon = '"The parameter origin name cannot contain a colon"';
  if (value === "") return { problem: "is empty, but CloudFront needs the origin's host name" };
  if (scheme === "s3") return { problem: `is an s3:// URL, not an http(s) host: ${refusal}, and reaches a bucket at its S3 REST host name`, host: host && `${host}.s3.<region>.amazonaws.com`, path, bucket: true };
  if (scheme && scheme !== "http" && scheme !== "https") return { problem: `is a URL with scheme "${scheme}:", not an http(s) host: ${refusal}, and reaches a custom origin over HTTP(S)` };
  if (scheme) return { problem: `is a URL, but ${refusal}`, host, path, port };
  if (value.includes("/")) return { problem: `holds a path, but ${refusal}`, host, path, port };
  if (/^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(value) || (/^[0-9A-Fa-f:.]+$/.test(value) && value.split(":").length > 2)) return { problem: `is an IPv6 address, but CloudFront takes the origin's host name only (${colon})` };
  if (value.includes(":")) return { problem: `holds a port, but CloudFront takes the origin's host name only (${colon})`, host, port };
  return { problem: "holds characters CloudFront refuses in an origin's domain name: it takes A-Z a-z 0-9 . - _ only" };
}

/**
 * The fix for a route's domainName that originDomainNameProblem refuses. A port is not dropped silently: StaticSite's
 * routes reach their origin over HTTPS on port 443 (routeOrigin's customOriginConfig, distribution.ts), so the fix says
 * the origin must answer there.
 */
function originDomainNameFix(found: { host?: string; path?: string; port?: string; bucket?: true }, originPath: unknown): string {
  if (!found.host) return 'Give the origin\'s host name, e.g. "abc123.execute-api.us-east-1.amazonaws.com" (ServerlessApi.siteRoute() and RegionalApis.siteRoute() give a route\'s domainName and originPath).';
  const given = typeof originPath === "string" ? originPath : "";
  const path = found.path === undefined ? undefined : `${found.path}${given}`;
  const port =
    found.port && found.port !== "443"
      ? ` Port ${found.port} is not part of the name, and StaticSite's routes reach their origin over HTTPS on port 443 (customOriginConfig httpsPort 443): serve the origin on 443, or build the distribution by hand with customOriginConfig httpsPort ${found.port}.`
      : "";
  const source = found.bucket ? "the bucket's regional domain name: aws.s3.Bucket's bucketRegionalDomainName" : "ServerlessApi.siteRoute() and RegionalApis.siteRoute() give both";
  return `Use domainName "${found.host}"${path ? ` and put the path in originPath: "${path}"` : ""} (${source}).${port}`;
}

/**
 * `value`, the domainName of `routes[index]`, if CloudFront takes it as the origin's domain name; otherwise the refusal,
 * naming the host name (and origin path) it holds. A string is checked at construction (validateArgs); an Output when
 * it resolves (distribution.ts routeOrigin: at preview when it is known then, else at `pulumi up` before
 * CreateDistribution), with the same message.
 */
export function checkRouteDomainName(fail: ArgFailure, index: number, route: Pick<StaticSiteRoute, "originPath">, value: string): string {
  const found = originDomainNameProblem(value);
  if (found) fail(`routes[${index}].domainName`, value, found.problem, originDomainNameFix(found, route.originPath));
  return value;
}

/**
 * ACM's quota on the names of a certificate it issues: "The default quota is 10 domain names for each ACM
 * certificate" (https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html). Adjustable ("Your quota may be
 * greater", same page; increases through Service Quotas), so more names on the certificate StaticSite requests are a
 * warning (certificateNameQuotaWarning), not an error: a site deployed under a raised quota keeps deploying. A given
 * `certificateArn` is not checked.
 */
export const ACM_DOMAIN_NAMES_PER_CERTIFICATE = 10;

/**
 * The warning for a certificate StaticSite requests with more names than ACM's default quota, or undefined. Not an
 * error: the program cannot read the account's quota, and RequestCertificate fails only if it was not raised.
 */
export function certificateNameQuotaWarning(name: string, domain: StaticSiteDomain | undefined): string | undefined {
  if (!domain || domain.certificateArn) return undefined;
  const names = 1 + (domain.aliases?.length ?? 0);
  if (names <= ACM_DOMAIN_NAMES_PER_CERTIFICATE) return undefined;
  return (
    `StaticSite "${name}": domain.aliases gives the certificate StaticSite requests ${names} host names (domain.name and ${names - 1} aliases), ` +
    `more than ACM's default quota: "The default quota is ${ACM_DOMAIN_NAMES_PER_CERTIFICATE} domain names for each ACM certificate" (https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html). ` +
    `The quota is adjustable: unless your account's was raised to ${names} or more, RequestCertificate fails. ` +
    `Raise it in Service Quotas (ACM), serve at most ${ACM_DOMAIN_NAMES_PER_CERTIFICATE} names, or pass domain.certificateArn.`
  );
}

/**
 * CloudFront's quota "Cache behaviors per distribution": 75, with "Request a higher quota"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-web-distributions;
 * earlier versions of the page said 25). Adjustable, so more behaviours are a warning (cacheBehaviourQuotaWarning), as
 * for ACM's names per certificate. Whether the default behaviour counts is not said; it is counted here, so the
 * warning comes one behaviour early rather than late. Over the quota CloudFront answers TooManyCacheBehaviors ("You
 * cannot create more cache behaviors for the distribution", the SDKs' exception documentation). Deploy rule
 * CloudFrontCacheBehaviorCount warns the same for any distribution.
 */
export const CACHE_BEHAVIORS_PER_DISTRIBUTION = 75;

/**
 * Regions whose S3 buckets CloudFront's standard logging (legacy) does not deliver to: "Don't choose an Amazon S3
 * bucket in any of the following Regions, because CloudFront doesn't deliver access logs to buckets in these Regions"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html#access-logs-choosing-s3-bucket;
 * the same four in the AWSConfigRemediation-EnableCloudFrontAccessLogs runbook). CreateDistribution is then refused
 * with an access-denied error on the log bucket.
 */
export const CLOUDFRONT_LEGACY_LOG_UNSUPPORTED_REGIONS: readonly string[] = ["af-south-1", "ap-east-1", "eu-south-1", "me-south-1"];

/**
 * DistributionConfig.DefaultRootObject: "Your string can't begin with a forward slash (/)"
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html); "The maximum length of the
 * name is 255 characters. The name can contain any of the following characters: A-Z, a-z; 0-9; _ - . * $ / ~ " '; &"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesGeneral.html#DownloadDistValuesDefaultRootObject);
 * a name too long or with an invalid character is refused with InvalidDefaultRootObject (HTTP 400, DefaultRootObject.html).
 */
export const DEFAULT_ROOT_OBJECT = { maxLength: 255, characters: /^[A-Za-z0-9_\-.*$/~"'&]*$/ };

/** Why CloudFront would refuse `name` as a DefaultRootObject, or undefined. */
export function defaultRootObjectProblem(name: string): string | undefined {
  if (name.startsWith("/")) return "begins with /, which CloudFront refuses in a default root object: it is the object's key without a leading slash";
  if (name.length > DEFAULT_ROOT_OBJECT.maxLength) return `is ${name.length} characters, over CloudFront's ${DEFAULT_ROOT_OBJECT.maxLength} for a default root object`;
  if (!DEFAULT_ROOT_OBJECT.characters.test(name)) return `holds characters CloudFront refuses in a default root object (InvalidDefaultRootObject): it takes A-Z a-z 0-9 _ - . * $ / ~ " ' & only`;
  return undefined;
}

/**
 * Refuses a site whose log bucket (in the site's region) CloudFront's standard logging cannot deliver to. Not moved to
 * us-east-1 instead: the same bucket receives the site bucket's S3 server access logs, whose target bucket must be in
 * the source bucket's region. `known` is where the buckets are created (regionWhereCreated); under an explicit
 * provider it is unknown here, and the CloudFrontLogBucketRegion deploy rule sees the plan.
 */
export function validateLogBucketRegion(fail: ArgFailure, known: KnownRegion): void {
  if (!known.region || !CLOUDFRONT_LEGACY_LOG_UNSUPPORTED_REGIONS.includes(known.region)) return;
  fail("region", describeRegion(known),
    "is a region CloudFront's standard logging does not deliver to, and the site's log bucket is created there, so CreateDistribution is refused",
    `Put the site in another region (e.g. "eu-west-1"); CloudFront serves it worldwide either way. Regions refused: ${CLOUDFRONT_LEGACY_LOG_UNSUPPORTED_REGIONS.join(", ")}.`);
}


/** The warning for a distribution StaticSite would give more cache behaviours than CloudFront's default quota, or undefined. */
export function cacheBehaviourQuotaWarning(name: string, args: Pick<StaticSiteArgs, "routes" | "edge">): string | undefined {
  const routes = args.routes ?? [];
  const edgeOnly = edgeSiteBehaviours({ routes, edge: [...(args.edge ?? [])] });
  const behaviours = 1 + routes.length + edgeOnly.length;
  if (behaviours <= CACHE_BEHAVIORS_PER_DISTRIBUTION) return undefined;
  return (
    `StaticSite "${name}": routes and edge give the distribution ${behaviours} cache behaviours (the default, ${routes.length} routes and ${edgeOnly.length} edge-only path patterns), ` +
    `more than CloudFront's default quota: "Cache behaviors per distribution": ${CACHE_BEHAVIORS_PER_DISTRIBUTION} (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-web-distributions). ` +
    "The quota is adjustable: unless your account's was raised, CreateDistribution or UpdateDistribution fails (TooManyCacheBehaviors). " +
    "Ask AWS Support for a higher quota, or merge path patterns (e.g. one route for /api/* instead of one per resource)."
  );
}

export function validateArgs(fail: ArgFailure, name: string, args: StaticSiteArgs): void {
  validateRegionArg(fail, "region", args.region);
  validateReplicaRegion(fail, args);
  validatePublishArgs(fail, args);
  const path = resolve(args.path ?? "");
  if (!args.path || !existsSync(path) || !statSync(path).isDirectory()) {
    fail("path", args.path, "is not a folder", `Point path at the site's files, relative to ${process.cwd()}.`);
  }
  validateBuildArgs(fail, args.path, args.build);
  for (const [argument, document] of [["indexDocument", args.indexDocument], ["errorDocument", args.errorDocument]] as const) {
    if (document !== undefined && (document === "" || document.startsWith("/") || document.includes(".."))) {
      fail(argument, document, "is not a file name inside the site folder", `Use a key relative to the folder, e.g. "${argument === "indexDocument" ? "index.html" : "error.html"}".`);
    }
    const rootObjectProblem = argument === "indexDocument" && document !== undefined ? defaultRootObjectProblem(document) : undefined;
    // The index document is the distribution's DefaultRootObject (distribution.ts).
    if (rootObjectProblem) fail(argument, document, rootObjectProblem, 'Rename the file, e.g. "index.html".');
    if (args.hosting === "s3-website" && argument === "indexDocument" && document?.includes("/")) {
      fail(argument, document, "contains a slash; S3 website hosting appends the index document to every folder", 'Use a plain file name such as "index.html".');
    }
  }
  if (args.hosting !== undefined && args.hosting !== "oac" && args.hosting !== "s3-website") {
    fail("hosting", args.hosting, "is not a hosting mode", 'Use "oac" (private bucket, the default) or "s3-website".');
  }
  if (args.waitForDeployment !== undefined && typeof args.waitForDeployment !== "boolean") {
    fail("waitForDeployment", args.waitForDeployment, "is not true or false", "Leave it unset to wait for CloudFront's deployment (the default), or set false to skip the wait.");
  }
  if (args.bucketName !== undefined) validateBucketName(fail, "bucketName", args.bucketName);
  if (args.logs?.bucketName !== undefined) validateBucketName(fail, "logs.bucketName", args.logs.bucketName);
  validateKeptBucketName(fail, "StaticSite", "bucketName", args.bucketName, args.retainOnDelete, `${name}-bucket`);
  validateKeptBucketName(fail, "StaticSite", "logs.bucketName", args.logs?.bucketName, args.retainOnDelete, `${name}-logs`);
  validateAutonames(fail, name, [
    ...(args.bucketName === undefined ? [{ resource: `${name}-bucket`, kind: "bucket" as const }] : []),
    ...(args.logs?.bucketName === undefined ? [{ resource: `${name}-logs`, kind: "bucket" as const }] : []),
    // components/bucket-replication.ts names the replica's buckets and role after the site bucket's resource.
    ...(args.replicaRegion ? replicationAutonames(`${name}-bucket`) : []),
    // components/static-site/distribution.ts: the origin access control (private bucket) and the SPA fallback function.
    ...(args.hosting === "s3-website" ? [] : [{ resource: `${name}-oac`, kind: "origin-access-control" as const }]),
    ...(args.spa ? [{ resource: `${name}-spa`, kind: "cloudfront-function" as const }] : []),
    // The folder-index function's name needs no entry: it is at most the origin access control's length, in characters
    // CloudFront takes (directoryIndexFunctionResource), and it exists only with the origin access control.
  ]);
  validateOriginBucketAutonames(fail, name, args);
  if (args.logs?.bucketName !== undefined && args.logs.bucketName === args.bucketName) {
    fail("logs.bucketName", args.logs.bucketName, "is the site bucket; a bucket that logs into itself logs its own log writes forever", "Use a separate log bucket, e.g. \"logs-" + args.bucketName + "\", or leave logs.bucketName unset.");
  }
  if (args.logs?.prefix !== undefined && (args.logs.prefix.startsWith("/") || (args.logs.prefix !== "" && !args.logs.prefix.endsWith("/")))) {
    fail("logs.prefix", args.logs.prefix, "must be a key prefix ending in / and not starting with /", 'Use e.g. "examplebucket-logs/".');
  }
  if (args.logs?.retentionDays !== undefined && (!Number.isInteger(args.logs.retentionDays) || args.logs.retentionDays < 1)) {
    fail("logs.retentionDays", args.logs.retentionDays, "is not a whole number of days", "Use 1 or more, e.g. 90.");
  }
  if (args.priceClass !== undefined && !PRICE_CLASSES.includes(args.priceClass)) {
    fail("priceClass", args.priceClass, "is not a CloudFront price class", `Use one of ${PRICE_CLASSES.join(", ")}.`);
  }
  for (const [index, rule] of (args.cacheRules ?? []).entries()) {
    if (!rule.pattern || !rule.cacheControl) fail(`cacheRules[${index}]`, rule, "needs both pattern and cacheControl", 'Use e.g. { pattern: "assets/**", cacheControl: "public, max-age=86400" }.');
  }
  if (args.domain) validateDomain(fail, args.domain);
  validateSecurityHeaders(fail, args.securityHeaders);
  const patterns = new Set<string>();
  const originIds = new Map<string, number>();
  for (const [index, route] of (args.routes ?? []).entries()) {
    if (typeof route.pathPattern !== "string" || route.pathPattern === "" || route.pathPattern === "/*" || route.pathPattern === "*") {
      fail(`routes[${index}].pathPattern`, route.pathPattern, "is not a path pattern for an extra behaviour", 'Use a pattern under the site such as "/api/*"; the default behaviour serves the site.');
    }
    checkPathPattern(fail, `routes[${index}].pathPattern`, route.pathPattern, "/api/*");
    if (patterns.has(route.pathPattern)) fail(`routes[${index}].pathPattern`, route.pathPattern, "is used by another route", "Give each route its own path pattern.");
    patterns.add(route.pathPattern);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(route.originId ?? "") || route.originId === SITE_ORIGIN_ID) {
      fail(`routes[${index}].originId`, route.originId, "is not a usable origin id", `Use letters, digits, - and _ (not "${SITE_ORIGIN_ID}"), e.g. "api".`);
    } else if (SITE_OWN_ORIGIN_IDS.includes(route.originId)) {
      fail(`routes[${index}].originId`, route.originId, `is one of StaticSite's own origin ids (${SITE_OWN_ORIGIN_IDS.join(", ")}); CloudFront origin ids are unique within a distribution`, 'Use another id, e.g. "api".');
    }
    const earlier = originIds.get(route.originId);
    if (earlier !== undefined) {
      fail(`routes[${index}].originId`, route.originId, `is the origin id of routes[${earlier}] too; CloudFront origin ids are unique within a distribution, and each route gets its own origin`,
        `Give each route its own originId, e.g. "${route.originId}-${index}".`);
    } else originIds.set(route.originId, index);
    if (typeof route.domainName === "string") checkRouteDomainName(fail, index, route, route.domainName);
    // An Output is checked by CloudFront itself; ServerlessApi.siteRoute ("/<stage>") and RegionalApis.siteRoute ("") comply.
    if (typeof route.originPath === "string" && !ORIGIN_PATH.test(route.originPath)) {
      fail(`routes[${index}].originPath`, route.originPath, "is not a directory path CloudFront takes: it must begin with / and not end with /", 'Use e.g. "/prod", or "" for none.');
    }
  }
  validateBehaviourOrder(fail, args);
  validateEdge(fail, args);
  validateDirectoryIndex(fail, args);
  validateErrorDocumentFunction(fail, args);
  if (args.waf) {
    validateWebAclArgs(fail, args.waf, "waf.");
    if (args.waf.scope !== undefined && args.waf.scope !== WebAclScope.CloudFront) {
      fail("waf.scope", args.waf.scope, "is not CLOUDFRONT; a distribution takes only a CLOUDFRONT-scope web ACL", "Leave waf.scope unset (or WebAclScope.CloudFront).");
    }
  }
}

const FIRST_MATCH = "CloudFront compares a request's path with the behaviours' patterns in the order they are listed and uses the first match";

/**
 * The behaviours are the routes in their order, then the paths that only run edge code, in the order `edge` first
 * names them (distribution.ts, edgeSiteBehaviours): one that an earlier pattern covers would never be used
 * (patternCovers). An edge association on a path a route covers cannot be moved before the route, since its behaviour
 * serves the site, not the route's origin; one that an earlier edge-only behaviour covers can, but that would stop the
 * earlier behaviour's functions running there: either way the user chooses, so both are refused.
 */
function validateBehaviourOrder(fail: ArgFailure, args: StaticSiteArgs): void {
  const routes = (args.routes ?? []).map((route) => route.pathPattern);
  const coveredBy = (pattern: string, before: string[]) => before.findIndex((earlier) => typeof earlier === "string" && patternCovers(earlier, pattern));
  routes.forEach((pattern, index) => {
    const earlier = coveredBy(pattern, routes.slice(0, index));
    if (earlier < 0 || routes[earlier] === pattern) return; // the same pattern twice is refused as such
    fail(`routes[${index}].pathPattern`, pattern, `is covered by routes[${earlier}].pathPattern "${routes[earlier]}", which comes first; ${FIRST_MATCH}, so this route would never be used`, `List routes[${index}] before routes[${earlier}].`);
  });
  const edge = args.edge ?? [];
  const edgeOnly = edgeSiteBehaviours({ edge: [...edge], routes: args.routes ?? [] });
  for (const [index, association] of edge.entries()) {
    const pattern = association.pathPattern;
    if (typeof pattern !== "string" || pattern === DEFAULT_BEHAVIOUR || routes.includes(pattern)) continue;
    const function_ = edgeFunction(association);
    // The same function on the covering pattern runs there anyway: the covered behaviour is only redundant.
    const runsOn = (covering: string) => edge.some((a) => a.pathPattern === covering && a.edgeLogic === association.edgeLogic && a.key === association.key && a.eventType === association.eventType);
    const route = coveredBy(pattern, routes);
    if (route >= 0 && !runsOn(routes[route])) {
      fail(`edge[${index}].pathPattern`, pattern, `is covered by routes[${route}].pathPattern "${routes[route]}", which comes first; ${FIRST_MATCH}, so ${function_.label} would never run there`,
        `Set ${function_.patterns} to "${routes[route]}" (it then runs on every request of that route), or to a path the routes leave to the site.`);
    }
    const behaviour = coveredBy(pattern, edgeOnly.slice(0, edgeOnly.indexOf(pattern)));
    if (behaviour < 0 || runsOn(edgeOnly[behaviour])) continue;
    const earlier = edgeOnly[behaviour];
    const there = edge.filter((a) => a.pathPattern === earlier).map((a) => edgeFunction(a).label).join(", ");
    fail(`edge[${index}].pathPattern`, pattern, `is covered by "${earlier}" (${there}), an edge-only behaviour that comes first; ${FIRST_MATCH}, so ${function_.label} would never run there`,
      `List its association before those on "${earlier}" in edge (and add "${pattern}" to the pathPatterns of ${there} if it should run there too), or set ${function_.patterns} to "${earlier}".`);
  }
}

/** How an association's function reads in a message, and the EdgeLogic argument that places it. */
function edgeFunction(association: EdgeAssociation): { label: string; patterns: string } {
  const owner = `EdgeLogic "${association.edgeLogic}"`;
  return association.kind === "function"
    ? { label: `${owner} function ${association.key}`, patterns: `${owner} functions.${association.key}.pathPatterns` }
    : { label: `${owner} ${kindName(association.kind)} function ${association.key}`, patterns: `${owner} lambdas.${association.key}.pathPatterns` };
}

/** The SPA fallback is itself a viewer-request function on the default behaviour. */
const SPA_FUNCTION = "the SPA fallback function (spa: true)";

/**
 * CloudFront's rules for a behaviour's functions: one per event type, and no CloudFront Function with a
 * Lambda@Edge function on viewer events ("You can't combine CloudFront Functions and Lambda@Edge in viewer
 * events"): https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html
 */
function validateEdge(fail: ArgFailure, args: StaticSiteArgs): void {
  const taken = new Map<string, string>();
  type Placed = { label: string; kind: EdgeAssociation["kind"]; eventType: EdgeAssociation["eventType"] };
  const byBehaviour = new Map<string, Placed[]>();
  if (args.spa) {
    taken.set(associationSlot({ pathPattern: DEFAULT_BEHAVIOUR, eventType: "viewer-request" }), SPA_FUNCTION);
    byBehaviour.set(DEFAULT_BEHAVIOUR, [{ label: SPA_FUNCTION, kind: "function", eventType: "viewer-request" }]);
  }
  for (const [index, association] of (args.edge ?? []).entries()) {
    const at = `edge[${index}]`;
    const { pathPattern, eventType, kind } = association;
    if (typeof pathPattern !== "string" || pathPattern === "" || pathPattern === "*" || pathPattern === "/*") {
      fail(`${at}.pathPattern`, pathPattern, "is not a behaviour", 'Use "default" for the default behaviour, or a path pattern such as "/account/*".');
    }
    if (pathPattern !== DEFAULT_BEHAVIOUR) checkPathPattern(fail, `${at}.pathPattern`, pathPattern, "/api/*");
    if (!EDGE_EVENT_TYPES.includes(eventType)) fail(`${at}.eventType`, eventType, "is not a CloudFront event type", `Use one of ${EDGE_EVENT_TYPES.join(", ")}.`);
    if (kind === "function" && !(FUNCTION_EVENT_TYPES as readonly string[]).includes(eventType)) {
      fail(`${at}.eventType`, eventType, "is not an event type CloudFront Functions run on", "Attach CloudFront Functions to viewer-request or viewer-response; use Lambda@Edge for origin events.");
    }
    if (association.includeBody && (kind !== "lambda" || !eventType.endsWith("-request"))) {
      fail(`${at}.includeBody`, true, "is only possible for Lambda@Edge on request events", "Remove includeBody.");
    }
    const slot = associationSlot(association);
    const other = taken.get(slot);
    if (other) {
      const fix = other === SPA_FUNCTION
        ? "Set spa: false and serve the fallback from your own viewer-request function (handlers/edge/viewer-request.js does with config.spaFallback), or attach yours to another event type."
        : "Merge the two functions into one, or attach one of them to another event type or path pattern.";
      fail(`${at}`, `${association.edgeLogic}.${association.key} on ${slot}`, `conflicts with ${other}; CloudFront runs one function per event type per behaviour`, fix);
    }
    const label = `${association.edgeLogic}.${association.key}`;
    taken.set(slot, label);
    const placed = byBehaviour.get(pathPattern) ?? [];
    const mixed = placed.find((other) => mixesViewerKinds(other, association));
    if (mixed) {
      fail(at, `${label} (${kindName(kind)}) on ${slot}`,
        `conflicts with ${mixed.label} (${kindName(mixed.kind)}) on ${associationSlot({ pathPattern, eventType: mixed.eventType })}; ${MIXED_VIEWER_EVENTS}`,
        MIXED_VIEWER_EVENTS_FIX);
    }
    byBehaviour.set(pathPattern, [...placed, { label, kind, eventType }]);
  }
}

/**
 * An origin-response Lambda@Edge that serves the error document must run on every site behaviour and on no
 * route's (it would replace that origin's 404 bodies, the defect a distribution-wide custom error response has).
 * The page's size is checked once the folder is final, after any build (checkErrorDocumentSize).
 */
function validateErrorDocumentFunction(fail: ArgFailure, args: StaticSiteArgs): void {
  const edge = args.edge ?? [];
  const routes = new Set((args.routes ?? []).map((route) => route.pathPattern));
  const servers = edge.filter((association) => association.servesErrorDocument);
  for (const [index, association] of edge.entries()) {
    if (!association.servesErrorDocument) continue;
    const label = `${association.edgeLogic}.${association.key}`;
    if (association.kind !== "lambda" || association.eventType !== "origin-response") {
      fail(`edge[${index}].servesErrorDocument`, true, `is set on ${label} (${kindName(association.kind)} on ${association.eventType}); only an origin-response Lambda@Edge sees the origin's 404`, "Remove servesErrorDocument, or set it on an origin-response Lambda@Edge function.");
    }
    if (routes.has(association.pathPattern)) {
      fail(`edge[${index}]`, `${label} on ${association.pathPattern}`, `serves the site's error document on the behaviour of route ${association.pathPattern}; it would replace that origin's own 404 bodies`,
        'Attach it to the site\'s behaviours only: "default" and path patterns that are not routes.');
    }
  }
  if (servers.length === 0 || args.hosting === "s3-website") return;
  const served = new Set(servers.map((association) => association.pathPattern));
  const first = servers[0];
  for (const pattern of [DEFAULT_BEHAVIOUR, ...edgeSiteBehaviours({ edge: [...edge], routes: args.routes ?? [] })]) {
    if (!served.has(pattern)) {
      fail("edge", pattern, `is a site behaviour without ${first.edgeLogic}.${first.key}, which serves the error document on ${first.pathPattern}; its 404s would be S3's XML`,
        `Add "${pattern}" to that function's pathPatterns.`);
    }
  }
}

/**
 * The error document an origin-response Lambda@Edge serves must fit the body a function may generate: at most
 * 1 MB with headers on origin events (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge),
 * headers being at most 20,480 bytes (same page, "General quotas"). Checked on the published folder, so after the build.
 */
export function checkErrorDocumentSize(fail: ArgFailure, spec: Pick<StaticSiteSpec, "path" | "errorDocument" | "errorDocumentServer">): void {
  if (spec.errorDocumentServer !== ErrorDocumentServer.EdgeFunction) return;
  const page = resolve(spec.path, spec.errorDocument);
  const limit = EDGE_LIMITS.generatedResponseBytes.origin - EDGE_LIMITS.originResponseHeaderBytes;
  const bytes = existsSync(page) && statSync(page).isFile() ? statSync(page).size : 0;
  if (bytes > limit) {
    fail("errorDocument", spec.errorDocument, `is ${bytes} bytes; an origin-response function may generate at most ${limit} bytes of body (1 MB with headers)`,
      "Shrink the error document (link its styles and images instead of inlining them).");
  }
}

/** Path patterns of edge associations that are neither the default behaviour nor a route: each gets a site-origin behaviour. */
export function edgeSiteBehaviours(spec: Pick<StaticSiteSpec, "edge" | "routes">): string[] {
  const routes = new Set(spec.routes.map((route) => route.pathPattern));
  const patterns = spec.edge.map((a) => a.pathPattern).filter((p) => p !== DEFAULT_BEHAVIOUR && !routes.has(p));
  return [...new Set(patterns)];
}

/**
 * Folder index documents with hosting "oac". CloudFront's default root object covers the root only: "if you define a
 * default root object, an end-user request for a subdirectory of your distribution does not return the default root
 * object ... CloudFront does not return the default root object even if a copy of index.html appears in the install
 * directory" (How default root object works, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html),
 * whereas S3's website endpoint returns the index document "when a request is made to the root of a website or any
 * subfolder" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/IndexDocumentSupport.html). So StaticSite runs a
 * viewer-request CloudFront Function that appends `indexDocument` to a URI ending in "/" (distribution.ts
 * directoryIndexCode). On by default, as a user of either hosting mode expects `/docs/` to work: it is off only with
 * `spa: true` (whose fallback already serves every folder URI), with an `indexDocument` holding "/" (an index path
 * under every folder is not what S3's suffix means: "The suffix must not ... include a slash character",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_IndexDocument.html), with hosting "s3-website" (the endpoint
 * does it), and on site behaviours whose viewer-request StaticSite cannot take (viewerRequestOwner).
 */
function directoryIndexWanted(args: Pick<StaticSiteArgs, "directoryIndex" | "spa" | "hosting" | "indexDocument">): boolean {
  return args.directoryIndex !== false && !args.spa && (args.hosting ?? "oac") === "oac" && !(args.indexDocument ?? "index.html").includes("/");
}

/**
 * The association that keeps StaticSite's folder-index function off a behaviour, or undefined: a function on its
 * viewer-request (CloudFront runs one per event type per behaviour), or Lambda@Edge on its viewer-response ("You can't
 * combine CloudFront Functions and Lambda@Edge in viewer events",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html).
 */
function viewerRequestOwner(edge: readonly EdgeAssociation[], pathPattern: string): EdgeAssociation | undefined {
  return edge.find((a) => a.pathPattern === pathPattern && (a.eventType === "viewer-request" || (a.kind === "lambda" && a.eventType === "viewer-response")));
}

/** Every site behaviour (the default and the edge-only ones), each with the edge function that owns its viewer-request, if any. */
function siteBehaviourOwners(args: Pick<StaticSiteArgs, "edge" | "routes">): { pattern: string; owner?: EdgeAssociation }[] {
  const edge = [...(args.edge ?? [])];
  return [DEFAULT_BEHAVIOUR, ...edgeSiteBehaviours({ edge, routes: args.routes ?? [] })].map((pattern) => ({ pattern, owner: viewerRequestOwner(edge, pattern) }));
}

/** The site behaviours StaticSite's folder-index function runs on: every one whose viewer-request it can take. */
export function directoryIndexBehaviours(args: Pick<StaticSiteArgs, "directoryIndex" | "spa" | "hosting" | "indexDocument" | "edge" | "routes">): string[] {
  if (!directoryIndexWanted(args)) return [];
  return siteBehaviourOwners(args).filter(({ owner }) => !owner).map(({ pattern }) => pattern);
}

/** How many characters of a slugged component name the folder-index function's resource name keeps (below). */
const SLUGGED_NAME_KEPT = 45;

/**
 * The folder-index function's resource name, which Pulumi's autoname extends with "-" and 7 characters. CloudFront
 * Function names take letters, digits, - and _ only (API_FunctionSummary), while the origin access control that oac
 * hosting always has takes any character, e.g. the "." of a component "my.site" with its own bucketName: those become
 * "-" here, so turning the function on by default refuses no component name oac hosting took before.
 *
 * A name CloudFront takes as it is keeps `<name>-idx`, as long as the origin access control's `<name>-oac`. A slugged
 * one also carries 6 hex characters of a hash of the name as given: child URNs leave out the parent's name, so
 * "my.site" and "my-site" in one program would both register `my-site-idx`, a duplicate URN the engine refuses at
 * preview. The slug is cut to 45 characters, so the resource name is at most 45 + 7 + 4 = 56, the length of the
 * longest `<name>-oac` (52 + 4, validateAutonames): neither the characters nor the length refuse a name the origin
 * access control takes.
 */
export function directoryIndexFunctionResource(name: string): string {
  const slug = name.replace(/[^A-Za-z0-9_-]/g, "-");
  if (slug === name) return `${name}-idx`;
  const nameHash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  return `${slug.slice(0, SLUGGED_NAME_KEPT)}-${nameHash}-idx`;
}

/** `directoryIndex` as given: a boolean, honoured where it is set. Unset, it applies where it can (directoryIndexBehaviours). */
function validateDirectoryIndex(fail: ArgFailure, args: StaticSiteArgs): void {
  const given = args.directoryIndex;
  if (given === undefined) return;
  if (typeof given !== "boolean") {
    fail("directoryIndex", given, "is not true or false", "Leave it unset (folder URIs serve their index document), or set false to turn that off.");
  }
  if (!given) {
    if (args.hosting === "s3-website") {
      fail("directoryIndex", false, 'cannot be honoured with hosting "s3-website": the website endpoint serves every folder\'s index document itself', 'Remove directoryIndex, or use hosting "oac".');
    }
    return;
  }
  if (args.hosting === "s3-website") return;
  if (args.spa) {
    fail("directoryIndex", true, "conflicts with spa: true, whose fallback serves the root index document for every folder URI; CloudFront runs one viewer-request function per behaviour",
      "Remove directoryIndex (spa: true serves folder URIs), or set spa: false.");
  }
  const indexDocument = args.indexDocument ?? "index.html";
  if (indexDocument.includes("/")) {
    fail("directoryIndex", true, `needs an indexDocument without "/", but it is ${JSON.stringify(indexDocument)}: the function appends it to every folder URI`,
      'Use a plain file name such as "index.html", or remove directoryIndex (the default root object still serves it for "/").');
  }
  for (const { pattern, owner } of siteBehaviourOwners(args)) {
    if (!owner) continue;
    const why = owner.eventType === "viewer-request"
      ? "and CloudFront runs one function per event type per behaviour"
      : `and ${MIXED_VIEWER_EVENTS}`;
    fail("directoryIndex", true, `cannot run on the site behaviour ${pattern}: ${owner.edgeLogic}.${owner.key} (${kindName(owner.kind)}) runs on its ${owner.eventType}, ${why}`,
      "Leave directoryIndex unset (StaticSite then rewrites folder URIs on the behaviours it can take) and rewrite them in that function (handlers/edge/viewer-request.js does with config.directoryIndex).");
  }
}

/**
 * The buckets CloudFront reads through OAC are reached over HTTPS at `<bucket>.s3.<region>.amazonaws.com`, and "If you
 * include periods (.) in a bucket's name, you can't use virtual-host-style addressing over HTTPS, unless you perform
 * your own certificate validation" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 * validateBucketName refuses a period in a given `bucketName`; an autonamed bucket (pulumi-aws lower-cases the
 * resource name and adds a suffix) holds the component name's periods instead. The website endpoint is plain HTTP,
 * so with hosting "s3-website" only the replica (OAC only) would matter, and replicaRegion refuses that hosting.
 */
function validateOriginBucketAutonames(fail: ArgFailure, name: string, args: StaticSiteArgs): void {
  if (!name.includes(".") || (args.hosting ?? "oac") !== "oac") return;
  const autonamed = [
    ...(args.bucketName === undefined ? [{ what: "site bucket", resource: `${name}-bucket` }] : []),
    ...(args.replicaRegion !== undefined ? [{ what: "replica bucket", resource: `${name}-bucket-replica` }] : []),
  ];
  const [first] = autonamed;
  if (!first) return;
  fail("name", name,
    `makes the ${first.what} name "${first.resource.toLowerCase()}-<random suffix>" hold ".", and CloudFront reaches the bucket over HTTPS at <bucket>.s3.<region>.amazonaws.com, where S3's certificate does not cover a dotted bucket name`,
    `Use a component name without ".", e.g. "${name.replace(/\./g, "-")}"${args.replicaRegion === undefined ? ", or set bucketName (without periods)" : ""}.`);
}

/**
 * S3 bucket naming rules (bucketNameBreach, the one check of them), plus no periods, since HTTPS to a dotted bucket
 * name fails the wildcard certificate. The refusals name the fix for a name the user typed; the period is refused
 * before S3's other rules, and once it is, a name can break only S3's length, characters, ends and reserved rules
 * (adjacent periods and an IP address need a period).
 */
export function validateBucketName(fail: ArgFailure, argument: string, name: string): void {
  const breach = bucketNameBreach(name);
  if (breach?.rule === "length") fail(argument, name, `is ${name.length} characters; S3 bucket names are 3–63`, "Shorten or lengthen the name.");
  if (name.includes(".")) {
    fail(argument, name, "contains a period; HTTPS to S3 fails on dotted bucket names", `Use "${name.replace(/\./g, "-")}".`);
  }
  if (breach === undefined) return;
  if (breach.rule === "reserved-prefix" || breach.rule === "reserved-suffix") fail(argument, name, `${breach.problem}, which S3 reserves`, "Pick another name.");
  // Left: S3's characters or ends rule. An upper-case letter breaks the first, with the plainest fix.
  if (name !== name.toLowerCase()) fail(argument, name, "has upper-case letters; S3 bucket names are lowercase", `Use "${name.toLowerCase()}".`);
  fail(argument, name, "has characters S3 does not allow, or does not start and end with a letter or digit", "Use lowercase letters, digits and hyphens.");
}

/**
 * A fixed bucket name on a bucket kept on delete (`retainOnDelete: true`). `pulumi destroy` skips the kept bucket's
 * delete, so it keeps the name, and the next `pulumi up` of the stack asks CreateBucket for it again: S3 answers
 * BucketAlreadyOwnedByYou, and in us-east-1, where S3 answers 200 OK for legacy compatibility, terraform-provider-aws
 * looks the bucket up first and reports BucketAlreadyExists (internal/service/s3/bucket.go, resourceBucketCreate;
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html). A replacement (a region change) fails the
 * same way: the delete it waits for is skipped. Protect instead of retain: `protect` on the component is inherited by
 * every child that does not set its own (@pulumi/pulumi resource.js, `opts.protect = parent.__protect`), and the
 * engine refuses a destroy or replacement of a protected resource
 * (https://www.pulumi.com/docs/iac/concepts/options/protect/), so the name is never asked for twice.
 * `bucketResource` is the bucket's Pulumi name, which autonaming extends with a random suffix.
 */
export function validateKeptBucketName(
  fail: ArgFailure,
  component: string,
  argument: string,
  bucketName: string | undefined,
  retainOnDelete: boolean | undefined,
  bucketResource: string,
  note = "",
): void {
  if (bucketName === undefined || retainOnDelete !== true) return;
  fail(
    argument,
    bucketName,
    "is a fixed name on a bucket kept on delete (retainOnDelete: true): after `pulumi destroy` the kept bucket still holds the name, so the next `pulumi up` cannot create it (S3 answers BucketAlreadyOwnedByYou; in us-east-1 the provider reports BucketAlreadyExists), and neither can a replacement",
    `Leave ${argument} unset (Pulumi names the bucket "${bucketResource}-<random suffix>", and a kept bucket never blocks the next deployment), or keep the name with retainOnDelete: false and the resource option { protect: true } on the ${component}, which its resources inherit: \`pulumi destroy\` then refuses until you unprotect them (after that it deletes the bucket with its objects), so the name is never created twice; until then protect also refuses an update that would replace or remove one of them.${note ? ` ${note}` : ""}`,
  );
}

function validateDomain(fail: ArgFailure, domain: StaticSiteDomain): void {
  for (const host of [domain.name, ...(domain.aliases ?? [])]) {
    if (!HOST_NAME.test(host ?? "")) fail("domain.name", host, "is not a lowercase DNS host name", 'Use e.g. "gallery.example.com".');
  }
  // Records are keyed by host name (dns.ts; a wildcard's validation record by its base name, whose record ACM gives it
  // too), and Route 53 holds one record set per name and type.
  const hosts = [domain.name, ...(domain.aliases ?? [])];
  (domain.aliases ?? []).forEach((host, index) => {
    if (hosts.indexOf(host) <= index) {
      fail(`domain.aliases[${index}]`, host, "is already one of the site's host names, so its certificate name and Route 53 records would be made twice", "List each host name once.");
    }
  });
  if (!domain.certificateArn && !domain.hostedZoneId) {
    fail("domain", domain.name, "has neither certificateArn nor hostedZoneId, so HTTPS cannot be set up", "Set hostedZoneId (a certificate is created and validated there) or pass an ACM certificateArn from us-east-1.");
  }
  // Only domain.name is the Common Name of the certificate StaticSite requests (dns.ts); aliases are its Subject
  // Alternative Names, up to 253 characters like any host name here.
  if (!domain.certificateArn) {
    validateCommonNameLength(fail, "domain.name", domain.name, "the certificate StaticSite requests",
      `Pass domain.certificateArn: a us-east-1 certificate whose Common Name is at most ${ACM_COMMON_NAME_MAX_LENGTH} characters and that lists "${domain.name}" as a Subject Alternative Name (up to 253), or use a domain.name of at most ${ACM_COMMON_NAME_MAX_LENGTH} characters.`);
  }
  if (typeof domain.certificateArn === "string" && !US_EAST_1_ACM_CERTIFICATE.test(domain.certificateArn)) {
    fail("domain.certificateArn", domain.certificateArn, "is not an ACM certificate ARN in us-east-1, where CloudFront requires it", "Request or import the certificate in us-east-1.");
  }
  const healthCheckPath = domain.failover?.healthCheckPath;
  // Route 53's ResourcePath: at most 255 characters (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html),
  // and Route 53 answers "InvalidInput: Health check resource path must start with /" otherwise
  // (hashicorp/terraform-provider-aws#2937). The same check as DnsRouting's and the Route53HealthCheck deploy rule.
  if (healthCheckPath !== undefined && healthCheckProblem({ resourcePath: healthCheckPath })) {
    fail("domain.failover.healthCheckPath", healthCheckPath, `is not a path Route 53's health check takes: it must start with "/" and be at most ${HEALTH_CHECK_LIMITS.pathMax} characters`,
      `Use e.g. "/${String(healthCheckPath).replace(/^\/+/, "").slice(0, 64) || "index.html"}".`);
  }
  // The standby's alias records (dns.ts siteRecords): Route 53 refuses a target name outside the zone given.
  validateAliasTargetZone(fail, "domain.failover.hostedZoneId", domain.failover?.domainName, domain.failover?.hostedZoneId);
  if (domain.failover && !domain.hostedZoneId) {
    fail("domain.failover", "set", "needs Route 53 records, but domain.hostedZoneId is not set", "Set domain.hostedZoneId to the zone of the site's domain.");
  }
  // The failover health check (dns.ts siteRecords) gets the stack's tags, and Route 53 takes 10 (components/tags.ts).
  if (domain.failover) checkStackTagRoom(fail, "domain.failover", domain.failover, HEALTH_CHECK_TYPE, "a Route 53 health check");
}

/**
 * The routes' and edge associations' path patterns in their "/" form (behaviourPattern: CloudFront treats "api/*" as
 * "/api/*"), so the checks that compare behaviours and the distribution see one spelling of each.
 */
export function withBehaviourPatterns(args: StaticSiteArgs): StaticSiteArgs {
  return {
    ...args,
    ...(args.routes && { routes: args.routes.map((route) => ({ ...route, pathPattern: behaviourPattern(route.pathPattern) as string })) }),
    ...(args.edge && { edge: args.edge.map((association) => ({ ...association, pathPattern: behaviourPattern(association.pathPattern) as string })) }),
  };
}

export function normalise(name: string, args: StaticSiteArgs): StaticSiteSpec {
  const indexDocument = args.indexDocument ?? "index.html";
  return {
    name,
    path: resolve(args.path, args.build?.outputDir ?? ""),
    indexDocument,
    errorDocument: args.errorDocument ?? "error.html",
    spa: args.spa ?? false,
    directoryIndexBehaviours: directoryIndexBehaviours(args),
    hosting: args.hosting ?? "oac",
    bucketName: args.bucketName,
    logs: {
      bucketName: args.logs?.bucketName,
      prefix: args.logs?.prefix ?? `${name}-logs/`,
      retentionDays: args.logs?.retentionDays ?? 90,
    },
    cacheRules: args.cacheRules ?? [],
    priceClass: args.priceClass ?? "PriceClass_100",
    domain: args.domain && {
      ...args.domain,
      names: [args.domain.name, ...(args.domain.aliases ?? [])],
      failover: args.domain.failover && { ...args.domain.failover, healthCheckPath: args.domain.failover.healthCheckPath ?? `/${indexDocument}` },
    },
    securityHeaders: normaliseSecurityHeaders(args.securityHeaders),
    routes: args.routes ?? [],
    edge: [...(args.edge ?? [])],
    errorDocumentServer: errorDocumentServer(args),
    retainOnDelete: args.retainOnDelete ?? false,
    region: args.region,
    replicaRegion: args.replicaRegion,
    build: args.build && normaliseBuild(args.path, args.build),
    publish: normalisePublish(args.publish),
    waf: args.waf && normaliseWebAcl(`${name}-waf`, { ...args.waf, scope: WebAclScope.CloudFront }),
    waitForDeployment: args.waitForDeployment ?? true,
  };
}

/** The replica for origin failover: another region, behind the same OAC (a website endpoint is HTTP-only and anonymous). */
function validateReplicaRegion(fail: ArgFailure, args: StaticSiteArgs): void {
  const replica = args.replicaRegion;
  if (replica === undefined) return;
  validateRegionName(fail, "replicaRegion", replica);
  if (replica === args.region) fail("replicaRegion", replica, "is the site bucket's own region", "Replicate to another region.");
  if ((args.hosting ?? "oac") !== "oac") fail("replicaRegion", replica, `needs hosting "oac"; a website endpoint cannot sit in an origin group behind OAC`, 'Use hosting "oac" or drop replicaRegion.');
}
