/**
 * Security headers the site sends. One description, two renderings: CloudFront's
 * response headers policy for AWS, and plain header values for the local server.
 */
import type * as aws from "@pulumi/aws";
import type { ArgFailure } from "../errors";

/** Security headers the site sends on every response. */
export interface SecurityHeaders {
  /**
   * Strict-Transport-Security max-age in seconds: a whole number from 1 to 2147483647 (CloudFront requires one, and
   * pulumi-aws does not send 0; 1 makes browsers forget the HSTS policy after a second).
   * @default 63072000 (two years, the preload list's minimum is one)
   */
  hstsMaxAgeSeconds?: number;
  /** X-Frame-Options: who may frame the site. @default "DENY" */
  frameOptions?: "DENY" | "SAMEORIGIN";
  /** Referrer-Policy: how much of the URL other sites see as the referrer. @default "strict-origin-when-cross-origin" */
  referrerPolicy?: "no-referrer" | "same-origin" | "strict-origin" | "strict-origin-when-cross-origin";
  /**
   * Content-Security-Policy: one non-empty line. CloudFront's default quota is 1,783 characters (adjustable; StaticSite
   * warns above it).
   * @default "default-src 'self'; img-src 'self' data: blob: https:; connect-src 'self' https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
   */
  contentSecurityPolicy?: string;
  /**
   * Further headers the response headers policy adds (CloudFront custom headers) on every behaviour, e.g.
   * `{ "Permissions-Policy": "camera=()", "Cross-Origin-Opener-Policy": "same-origin" }`: headers the
   * security headers above do not cover, without an edge function. An origin that sends a header of the
   * same name keeps its own value (`override: false`). CloudFront takes names of at most 256 characters, values of
   * at most 1,783 and 10,240 characters of names and values together; its default quota is 10 headers (adjustable;
   * StaticSite warns above it).
   * @default {}
   */
  customHeaders?: Record<string, string>;
}

export type NormalisedSecurityHeaders = Required<SecurityHeaders>;

/** RFC 9110 field-name (token) characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Which security-header argument sets each header the policy already sends. */
const SECURITY_HEADER_ARGUMENTS: Record<string, string> = {
  "strict-transport-security": "securityHeaders.hstsMaxAgeSeconds",
  "x-content-type-options": "securityHeaders (always nosniff)",
  "x-frame-options": "securityHeaders.frameOptions",
  "referrer-policy": "securityHeaders.referrerPolicy",
  "x-xss-protection": "securityHeaders (always 1; mode=block)",
  "content-security-policy": "securityHeaders.contentSecurityPolicy",
};

/**
 * CloudFront's limits on a response headers policy's headers ("Quotas on headers",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-custom-headers):
 * "Custom headers: maximum length of a header name": 256 characters; "Custom headers: maximum length of a header
 * value": 1,783 characters; "Custom headers: maximum length of all header values and names combined": 10,240
 * characters; these three rows offer no quota increase, so they are errors. "Custom headers: maximum number of custom
 * headers that you can add to a response headers policy": 10, and "Maximum length of the `Content-Security-Policy`
 * header value": 1,783 characters, both with "Request a higher quota": adjustable, so warnings
 * (securityHeadersQuotaWarnings), as StaticSite warns for ACM's names per certificate. Over them CloudFront answers
 * TooManyCustomHeadersInResponseHeadersPolicy and TooLongCSPInResponseHeadersPolicy ("The length of the
 * Content-Security-Policy header value in the response headers policy exceeds the maximum", botocore's exception pages).
 */
export const RESPONSE_HEADERS_POLICY_LIMITS = {
  customHeaderNameLength: 256,
  customHeaderValueLength: 1_783,
  customHeadersTotalLength: 10_240,
  /** Default quota, adjustable. */
  customHeaders: 10,
  /** Default quota, adjustable. */
  contentSecurityPolicyLength: 1_783,
} as const;

const QUOTAS_PAGE = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-custom-headers";

/** A header value CloudFront can send as it is: a non-empty string on one line (a line break would start another header). */
function singleLineValue(value: unknown): boolean {
  return typeof value === "string" && value !== "" && !/[\r\n]/.test(value);
}

/** The Strict-Transport-Security max-ages a deployed response headers policy can carry (validateSecurityHeaders). */
export const HSTS_MAX_AGE_SECONDS = { min: 1, max: 2 ** 31 - 1 } as const;

export function validateSecurityHeaders(fail: ArgFailure, headers: SecurityHeaders = {}): void {
  const maxAge = headers.hstsMaxAgeSeconds;
  // ResponseHeadersPolicyStrictTransportSecurity AccessControlMaxAgeSec: "A number that CloudFront uses as the value for
  // the max-age directive in the Strict-Transport-Security HTTP response header. Type: Integer. Required: Yes"
  // (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyStrictTransportSecurity.html).
  // terraform-provider-aws sends it only when not 0 and as a 32-bit integer (response_headers_policy.go
  // expandResponseHeadersPolicyStrictTransportSecurity: `ok && v != 0 { … aws.Int32(int32(v)) }`), so 0 reaches AWS as
  // a missing required field and a larger number wraps.
  if (maxAge !== undefined && !(typeof maxAge === "number" && Number.isInteger(maxAge))) {
    fail("securityHeaders.hstsMaxAgeSeconds", maxAge, "is not a whole number of seconds; CloudFront's Strict-Transport-Security max-age (AccessControlMaxAgeSec) is an integer", "Use e.g. 63072000 (two years).");
  } else if (maxAge !== undefined && (maxAge < HSTS_MAX_AGE_SECONDS.min || maxAge > HSTS_MAX_AGE_SECONDS.max)) {
    const why =
      maxAge === 0 ? "which pulumi-aws does not send when it is 0, so `pulumi up` fails" : maxAge < 0 ? "a number of seconds (RFC 6797 delta-seconds)" : "and the provider sends a 32-bit integer, so a larger number wraps";
    fail("securityHeaders.hstsMaxAgeSeconds", maxAge, `is not from ${HSTS_MAX_AGE_SECONDS.min} to ${HSTS_MAX_AGE_SECONDS.max} seconds: CloudFront requires a max-age (AccessControlMaxAgeSec), ${why}`, "Use 1 to make browsers forget the policy after a second, or e.g. 63072000 (two years).");
  }
  const csp = headers.contentSecurityPolicy;
  if (csp !== undefined && !singleLineValue(csp)) {
    fail("securityHeaders.contentSecurityPolicy", csp, "is not a single-line header value", "Use a non-empty string without line breaks, or leave it unset for the default policy.");
  }
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers.customHeaders ?? {})) {
    if (!HEADER_NAME.test(name)) fail("securityHeaders.customHeaders", name, "is not an HTTP header name", 'Use letters, digits and hyphens, e.g. "Permissions-Policy".');
    const lower = name.toLowerCase();
    if (SECURITY_HEADER_ARGUMENTS[lower]) {
      fail("securityHeaders.customHeaders", name, "is one of the security headers the policy already sends", `Set it through ${SECURITY_HEADER_ARGUMENTS[lower]}.`);
    }
    if (seen.has(lower)) fail("securityHeaders.customHeaders", name, "is set twice (header names are case-insensitive)", "Keep one of them.");
    seen.add(lower);
    if (!singleLineValue(value)) {
      fail(`securityHeaders.customHeaders["${name}"]`, value, "is not a single-line header value", "Use a non-empty string without line breaks.");
    }
    if (name.length > RESPONSE_HEADERS_POLICY_LIMITS.customHeaderNameLength) {
      fail("securityHeaders.customHeaders", name, `is ${name.length} characters; CloudFront takes custom header names of at most ${RESPONSE_HEADERS_POLICY_LIMITS.customHeaderNameLength}`, "Use a shorter header name.");
    }
    if (value.length > RESPONSE_HEADERS_POLICY_LIMITS.customHeaderValueLength) {
      fail(`securityHeaders.customHeaders["${name}"]`, value, `is ${value.length} characters; CloudFront takes custom header values of at most ${RESPONSE_HEADERS_POLICY_LIMITS.customHeaderValueLength.toLocaleString("en-US")}`, "Shorten the value.");
    }
  }
  const total = Object.entries(headers.customHeaders ?? {}).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
  if (total > RESPONSE_HEADERS_POLICY_LIMITS.customHeadersTotalLength) {
    fail("securityHeaders.customHeaders", Object.keys(headers.customHeaders ?? {}), `have ${total} characters of names and values together; CloudFront takes at most ${RESPONSE_HEADERS_POLICY_LIMITS.customHeadersTotalLength.toLocaleString("en-US")} in one response headers policy`, "Shorten or drop some of them.");
  }
}

/**
 * Warnings for what CloudFront refuses only under its default, adjustable quotas (RESPONSE_HEADERS_POLICY_LIMITS):
 * more custom headers, or a longer Content-Security-Policy, than an account has unless it asked for more. Not errors:
 * the program cannot read the account's quotas, and a site deployed under a raised one keeps deploying.
 */
export function securityHeadersQuotaWarnings(name: string, headers: SecurityHeaders = {}): string[] {
  const warnings: string[] = [];
  const csp = headers.contentSecurityPolicy;
  if (typeof csp === "string" && csp.length > RESPONSE_HEADERS_POLICY_LIMITS.contentSecurityPolicyLength) {
    warnings.push(
      `StaticSite "${name}": securityHeaders.contentSecurityPolicy is ${csp.length} characters, more than CloudFront's default quota: ` +
        `"Maximum length of the \`Content-Security-Policy\` header value": ${RESPONSE_HEADERS_POLICY_LIMITS.contentSecurityPolicyLength.toLocaleString("en-US")} characters (${QUOTAS_PAGE}). ` +
        "The quota is adjustable: unless your account's was raised, CreateResponseHeadersPolicy fails (TooLongCSPInResponseHeadersPolicy). " +
        "Raise it in Service Quotas (CloudFront), or shorten the policy.",
    );
  }
  const count = Object.keys(headers.customHeaders ?? {}).length;
  if (count > RESPONSE_HEADERS_POLICY_LIMITS.customHeaders) {
    warnings.push(
      `StaticSite "${name}": securityHeaders.customHeaders has ${count} custom headers, more than CloudFront's default quota: ` +
        `"Custom headers: maximum number of custom headers that you can add to a response headers policy": ${RESPONSE_HEADERS_POLICY_LIMITS.customHeaders} (${QUOTAS_PAGE}). ` +
        "The quota is adjustable: unless your account's was raised, CreateResponseHeadersPolicy fails (TooManyCustomHeadersInResponseHeadersPolicy). " +
        `Ask AWS Support for a higher quota, or send at most ${RESPONSE_HEADERS_POLICY_LIMITS.customHeaders}.`,
    );
  }
  return warnings;
}

export function normaliseSecurityHeaders(headers: SecurityHeaders = {}): NormalisedSecurityHeaders {
  return {
    hstsMaxAgeSeconds: headers.hstsMaxAgeSeconds ?? 63072000,
    frameOptions: headers.frameOptions ?? "DENY",
    referrerPolicy: headers.referrerPolicy ?? "strict-origin-when-cross-origin",
    contentSecurityPolicy:
      headers.contentSecurityPolicy ??
      "default-src 'self'; img-src 'self' data: blob: https:; connect-src 'self' https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    customHeaders: { ...(headers.customHeaders ?? {}) },
  };
}

/** The security headers as a browser receives them (names lower-case); they override the origin's. */
export function securityHeaderValues(headers: NormalisedSecurityHeaders): Record<string, string> {
  return {
    "strict-transport-security": `max-age=${headers.hstsMaxAgeSeconds}; includeSubDomains; preload`,
    "x-content-type-options": "nosniff",
    "x-frame-options": headers.frameOptions,
    "referrer-policy": headers.referrerPolicy,
    "x-xss-protection": "1; mode=block",
    "content-security-policy": headers.contentSecurityPolicy,
  };
}

/** The custom headers as a browser receives them (names lower-case); an origin's header of the same name wins. */
export function customHeaderValues(headers: NormalisedSecurityHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers.customHeaders).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * The custom headers as the policy's customHeadersConfig, `override: false` ("whether CloudFront overrides a
 * response header with the same name received from the origin":
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyCustomHeader.html).
 */
export function customHeadersConfig(headers: NormalisedSecurityHeaders): aws.types.input.cloudfront.ResponseHeadersPolicyCustomHeadersConfig | undefined {
  const items = Object.entries(headers.customHeaders).map(([header, value]) => ({ header, value, override: false }));
  return items.length > 0 ? { items } : undefined;
}

/** The same headers as a CloudFront response headers policy (`override` so origins cannot weaken them). */
export function securityHeadersConfig(headers: NormalisedSecurityHeaders): aws.types.input.cloudfront.ResponseHeadersPolicySecurityHeadersConfig {
  return {
    strictTransportSecurity: { accessControlMaxAgeSec: headers.hstsMaxAgeSeconds, includeSubdomains: true, preload: true, override: true },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: headers.frameOptions, override: true },
    referrerPolicy: { referrerPolicy: headers.referrerPolicy, override: true },
    xssProtection: { protection: true, modeBlock: true, override: true },
    contentSecurityPolicy: { contentSecurityPolicy: headers.contentSecurityPolicy, override: true },
  };
}
