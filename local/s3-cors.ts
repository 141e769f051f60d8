/**
 * CORS for the local S3 server, as S3 answers it from a bucket's CORS configuration: the first
 * rule whose origin, method and (for a preflight) every requested header match decides; with no
 * match a preflight is refused and other requests get no CORS headers
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html).
 *
 * Under `npm start` the rules are the program's own `aws.s3.BucketCorsConfiguration`s from the
 * recorded plan, with each StaticSite's deployed URL standing for that site's local front door.
 */
import type { IncomingHttpHeaders } from "node:http";
import { registeredSpecs } from "../components/spec-registry";
import type { StaticSiteSpec } from "../components/static-site/spec";
import { ofType } from "./offline/graph";
import { header, S3Error } from "./s3-auth";
import type { LocalContext } from "./services/types";

/** One CORS rule, with the field names of `aws.s3.BucketCorsConfiguration`'s `corsRules`. */
export interface CorsRule {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
}

/** A bucket's CORS rules, or undefined when it has no CORS configuration. */
export type CorsRulesOf = (bucket: string) => readonly CorsRule[] | undefined;

const VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/** The answer to a preflight (`OPTIONS` with Origin and Access-Control-Request-Method); throws the S3Error S3 refuses it with. */
export function preflight(rules: readonly CorsRule[] | undefined, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = header(headers, "origin");
  if (!origin) throw new S3Error(400, "BadRequest", "Insufficient information. Origin request header needed.");
  const method = header(headers, "access-control-request-method");
  if (!method) throw new S3Error(400, "BadRequest", "Invalid Access-Control-Request-Method: null");
  if (!rules || rules.length === 0) throw new S3Error(403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.");
  const requested = (header(headers, "access-control-request-headers") ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  const rule = rules.find((r) => matches(r, origin, method) && requested.every((h) => (r.allowedHeaders ?? []).some((allowed) => wildcard(allowed.toLowerCase(), h))));
  if (!rule) {
    throw new S3Error(403, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", { Method: method, ResourceType: "OBJECT" });
  }
  return {
    ...allowed(rule, origin),
    ...(requested.length > 0 ? { "access-control-allow-headers": requested.join(", ") } : {}),
    ...(rule.maxAgeSeconds !== undefined ? { "access-control-max-age": String(rule.maxAgeSeconds) } : {}),
  };
}

/** CORS headers for an actual request from a browser (one with an Origin); none when no rule matches. */
export function corsHeaders(rules: readonly CorsRule[] | undefined, method: string, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = header(headers, "origin");
  if (!origin || !rules || rules.length === 0) return {};
  const rule = rules.find((r) => matches(r, origin, method));
  return rule ? allowed(rule, origin) : { vary: VARY };
}

function matches(rule: CorsRule, origin: string, method: string): boolean {
  return rule.allowedMethods.includes(method) && rule.allowedOrigins.some((allowedOrigin) => wildcard(allowedOrigin, origin));
}

function allowed(rule: CorsRule, origin: string): Record<string, string> {
  // A rule for any origin ("*") answers "*" and no credentials; others echo the origin.
  const any = rule.allowedOrigins.includes("*");
  return {
    "access-control-allow-origin": any ? "*" : origin,
    ...(any ? {} : { "access-control-allow-credentials": "true" }),
    "access-control-allow-methods": rule.allowedMethods.join(", "),
    ...(rule.exposeHeaders?.length ? { "access-control-expose-headers": rule.exposeHeaders.join(", ") } : {}),
    vary: VARY,
  };
}

/** S3's patterns: literal, with at most one `*` standing for any characters. */
function wildcard(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === value;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return value.length >= prefix.length + suffix.length && value.startsWith(prefix) && value.endsWith(suffix);
}

/**
 * The CORS rules the program gives each bucket (its `aws.s3.BucketCorsConfiguration`s in the recorded
 * plan). An allowed origin that is a StaticSite's deployed URL (its domain names, or its CloudFront
 * domain) stands for that site's local front door, looked up when a request comes: the site service
 * starts after the S3 server.
 */
export function corsRulesFromProgram(context: LocalContext): CorsRulesOf {
  const graph = context.run.resources;
  const bucketNames = new Map<string, string>();
  for (const bucket of ofType(graph, "aws:s3/bucket:Bucket")) {
    const name = String(bucket.state.bucket ?? bucket.id);
    for (const identity of [bucket.id, bucket.state.bucket, bucket.state.arn]) if (identity) bucketNames.set(String(identity), name);
  }
  const configured = new Map<string, CorsRule[]>();
  for (const cors of ofType(graph, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")) {
    const bucket = bucketNames.get(String(cors.inputs.bucket)) ?? String(cors.inputs.bucket);
    configured.set(bucket, [...(configured.get(bucket) ?? []), ...((cors.inputs.corsRules ?? []) as CorsRule[])]);
  }
  const deployedSites = registeredSpecs<StaticSiteSpec>("StaticSite").map(({ name, spec }) => {
    const distribution = graph.find((r) => r.type === "aws:cloudfront/distribution:Distribution" && r.name === `${name}-cdn`);
    const hosts = [...(spec.domain?.names ?? []), distribution?.state.domainName].filter((h): h is string => typeof h === "string");
    return { name, origins: new Set(hosts.map((h) => `https://${h}`)) };
  });
  const local = (origin: string): string[] => {
    const site = deployedSites.find((s) => s.origins.has(origin));
    if (!site) return [origin];
    const url = context.siteUrls.get(site.name);
    if (!url) return [];
    // The front door listens on 127.0.0.1 and prints localhost: a browser may use either.
    const { port } = new URL(url);
    return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  };
  return (bucket) => configured.get(bucket)?.map((rule) => ({ ...rule, allowedOrigins: rule.allowedOrigins.flatMap(local) }));
}
