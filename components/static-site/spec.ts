/**
 * StaticSite's arguments, their validation, and the normalised spec the rest of
 * the component (and the local server) works from.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import type { CacheRule } from "./content";
import { normaliseSecurityHeaders, type NormalisedSecurityHeaders, type SecurityHeaders } from "./headers";
import { normalisePublish, validatePublishArgs, type NormalisedPublish, type StaticSiteBuild, type StaticSitePublishArgs } from "./publisher/args";

export type PriceClass = "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
const PRICE_CLASSES: readonly PriceClass[] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];

export interface StaticSiteDomain {
  /** The site's host name, e.g. `"gallery.example.com"`. */
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
    /** @default "/" + indexDocument */
    healthCheckPath?: string;
  };
}

/** An extra CloudFront behaviour that sends a path pattern to another origin, e.g. `/api/*` to API Gateway. */
export interface StaticSiteRoute {
  /** CloudFront path pattern, e.g. `"/api/*"`. */
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

export interface StaticSiteArgs {
  /** Folder with the site's files, relative to the working directory. */
  path: string;
  /** @default "index.html" */
  indexDocument?: string;
  /** Served with status 404 for paths that have no file. @default "error.html" */
  errorDocument?: string;
  /** Single-page app: paths without a file extension serve `indexDocument` with 200. @default false */
  spa?: boolean;
  /**
   * `oac`: private bucket, CloudFront reads it through Origin Access Control.
   * `s3-website`: seed 000's website endpoint (index and error documents served by S3)
   * as CloudFront's custom origin; the bucket only answers requests carrying a secret
   * Referer header that CloudFront adds.
   * @default "oac"
   */
  hosting?: "oac" | "s3-website";
  /** Physical name of the site bucket: 3–63 characters, lowercase, no periods. @default generated */
  bucketName?: string;
  logs?: {
    /** Physical name of the separate log bucket. @default generated */
    bucketName?: string;
    /** Key prefix for this site's logs (seed 000: `examplebucket-logs/`). @default `${name}-logs/` */
    prefix?: string;
    /** Days before log objects expire. @default 90 */
    retentionDays?: number;
  };
  /** Cache-Control by glob over object keys; first match wins, before the defaults (fingerprinted: immutable, else no-cache). */
  cacheRules?: CacheRule[];
  /** @default "PriceClass_100" */
  priceClass?: PriceClass;
  domain?: StaticSiteDomain;
  securityHeaders?: SecurityHeaders;
  /** Extra behaviours for other origins, e.g. the API under `/api/*`. */
  routes?: StaticSiteRoute[];
  /** Keep the buckets (and their objects) when the site leaves the program. Prod should. @default false */
  retainOnDelete?: boolean;
  /** Region of the buckets. @default the provider's region */
  region?: string;
  /** A build run in `path` before publishing; `build.output` (inside `path`) is what gets published. @default none */
  build?: StaticSiteBuild;
  /** How files reach the bucket: dotfiles, parallelism, multipart, kept assets, invalidation. See the README. @default see each field */
  publish?: StaticSitePublishArgs;
}

export interface StaticSiteSpec {
  name: string;
  path: string;
  indexDocument: string;
  errorDocument: string;
  spa: boolean;
  hosting: "oac" | "s3-website";
  bucketName?: string;
  logs: { bucketName?: string; prefix: string; retentionDays: number };
  cacheRules: CacheRule[];
  priceClass: PriceClass;
  domain?: StaticSiteDomain & { names: string[] };
  securityHeaders: NormalisedSecurityHeaders;
  routes: StaticSiteRoute[];
  retainOnDelete: boolean;
  region?: string;
  /** The build to run before publishing, in `cwd` (the `path` argument); `path` above is then its output folder. */
  build?: StaticSiteBuild & { cwd: string };
  publish: NormalisedPublish;
}

const HOST_NAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function validateArgs(fail: ArgFailure, args: StaticSiteArgs): void {
  validatePublishArgs(fail, args);
  const path = resolve(args.path ?? "");
  if (!args.path || !existsSync(path) || !statSync(path).isDirectory()) {
    fail("path", args.path, "is not a folder", `Point path at the site's files, relative to ${process.cwd()}.`);
  }
  for (const [argument, document] of [["indexDocument", args.indexDocument], ["errorDocument", args.errorDocument]] as const) {
    if (document !== undefined && (document === "" || document.startsWith("/") || document.includes(".."))) {
      fail(argument, document, "is not a file name inside the site folder", `Use a key relative to the folder, e.g. "${argument === "indexDocument" ? "index.html" : "error.html"}".`);
    }
    if (args.hosting === "s3-website" && argument === "indexDocument" && document?.includes("/")) {
      fail(argument, document, "contains a slash; S3 website hosting appends the index document to every folder", 'Use a plain file name such as "index.html".');
    }
  }
  if (args.hosting !== undefined && args.hosting !== "oac" && args.hosting !== "s3-website") {
    fail("hosting", args.hosting, "is not a hosting mode", 'Use "oac" (private bucket, the default) or "s3-website".');
  }
  if (args.bucketName !== undefined) validateBucketName(fail, "bucketName", args.bucketName);
  if (args.logs?.bucketName !== undefined) validateBucketName(fail, "logs.bucketName", args.logs.bucketName);
  if (args.logs?.bucketName !== undefined && args.logs.bucketName === args.bucketName) {
    fail("logs.bucketName", args.logs.bucketName, "is the site bucket; a bucket that logs into itself logs its own log writes forever (seed 000)", "Use a separate log bucket, e.g. \"logs-" + args.bucketName + "\", or leave logs.bucketName unset.");
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
  const patterns = new Set<string>();
  for (const [index, route] of (args.routes ?? []).entries()) {
    if (!route.pathPattern?.startsWith("/") || route.pathPattern === "/*" || route.pathPattern === "*") {
      fail(`routes[${index}].pathPattern`, route.pathPattern, "is not a path pattern for an extra behaviour", 'Use a pattern under the site such as "/api/*"; the default behaviour serves the site.');
    }
    if (patterns.has(route.pathPattern)) fail(`routes[${index}].pathPattern`, route.pathPattern, "is used by another route", "Give each route its own path pattern.");
    patterns.add(route.pathPattern);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(route.originId ?? "") || route.originId === "site") {
      fail(`routes[${index}].originId`, route.originId, "is not a usable origin id", 'Use letters, digits, - and _ (not "site"), e.g. "api".');
    }
  }
}

/** S3 bucket naming rules, plus seed 000's: no periods, since HTTPS to a dotted bucket name fails the wildcard certificate. */
export function validateBucketName(fail: ArgFailure, argument: string, name: string): void {
  if (name.length < 3 || name.length > 63) fail(argument, name, `is ${name.length} characters; S3 bucket names are 3–63`, "Shorten or lengthen the name.");
  if (name.includes(".")) {
    fail(argument, name, "contains a period; HTTPS to S3 fails on dotted bucket names (seed 000)", `Use "${name.replace(/\./g, "-")}".`);
  }
  if (name !== name.toLowerCase()) fail(argument, name, "has upper-case letters; S3 bucket names are lowercase", `Use "${name.toLowerCase()}".`);
  if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name)) {
    fail(argument, name, "has characters S3 does not allow, or does not start and end with a letter or digit", "Use lowercase letters, digits and hyphens.");
  }
  if (/^xn--|^sthree-|-s3alias$|--ol-s3$/.test(name)) fail(argument, name, "uses a prefix or suffix S3 reserves", "Pick another name.");
}

function validateDomain(fail: ArgFailure, domain: StaticSiteDomain): void {
  for (const host of [domain.name, ...(domain.aliases ?? [])]) {
    if (!HOST_NAME.test(host ?? "")) fail("domain.name", host, "is not a lowercase DNS host name", 'Use e.g. "gallery.example.com".');
  }
  if (!domain.certificateArn && !domain.hostedZoneId) {
    fail("domain", domain.name, "has neither certificateArn nor hostedZoneId, so HTTPS cannot be set up", "Set hostedZoneId (a certificate is created and validated there) or pass an ACM certificateArn from us-east-1.");
  }
  if (typeof domain.certificateArn === "string" && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+/.test(domain.certificateArn)) {
    fail("domain.certificateArn", domain.certificateArn, "is not an ACM certificate ARN in us-east-1, where CloudFront requires it", "Request or import the certificate in us-east-1.");
  }
  if (domain.failover && !domain.hostedZoneId) {
    fail("domain.failover", "set", "needs Route 53 records, but domain.hostedZoneId is not set", "Set domain.hostedZoneId to the zone of the site's domain.");
  }
}

export function normalise(name: string, args: StaticSiteArgs): StaticSiteSpec {
  const indexDocument = args.indexDocument ?? "index.html";
  return {
    name,
    path: resolve(args.path, args.build?.output ?? ""),
    indexDocument,
    errorDocument: args.errorDocument ?? "error.html",
    spa: args.spa ?? false,
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
    retainOnDelete: args.retainOnDelete ?? false,
    region: args.region,
    build: args.build && { ...args.build, cwd: resolve(args.path) },
    publish: normalisePublish(args.publish),
  };
}
