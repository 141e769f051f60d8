/**
 * Security headers the site sends. One description, two renderings: CloudFront's
 * response headers policy for AWS, and plain header values for the local server.
 */
import type * as aws from "@pulumi/aws";
import type { ArgFailure } from "../errors";

/** Security headers the site sends on every response. */
export interface SecurityHeaders {
  /**
   * Strict-Transport-Security max-age in seconds.
   * @default 63072000 (two years, the preload list's minimum is one)
   */
  hstsMaxAgeSeconds?: number;
  /** X-Frame-Options: who may frame the site. @default "DENY" */
  frameOptions?: "DENY" | "SAMEORIGIN";
  /** Referrer-Policy: how much of the URL other sites see as the referrer. @default "strict-origin-when-cross-origin" */
  referrerPolicy?: "no-referrer" | "same-origin" | "strict-origin" | "strict-origin-when-cross-origin";
  /** Content-Security-Policy. @default "default-src 'self'; img-src 'self' data: blob: https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'" */
  contentSecurityPolicy?: string;
  /**
   * Further headers the response headers policy adds (CloudFront custom headers) on every behaviour, e.g.
   * `{ "Permissions-Policy": "camera=()", "Cross-Origin-Opener-Policy": "same-origin" }`: headers the
   * security headers above do not cover, without an edge function. An origin that sends a header of the
   * same name keeps its own value (`override: false`).
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

export function validateSecurityHeaders(fail: ArgFailure, headers: SecurityHeaders = {}): void {
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers.customHeaders ?? {})) {
    if (!HEADER_NAME.test(name)) fail("securityHeaders.customHeaders", name, "is not an HTTP header name", 'Use letters, digits and hyphens, e.g. "Permissions-Policy".');
    const lower = name.toLowerCase();
    if (SECURITY_HEADER_ARGUMENTS[lower]) {
      fail("securityHeaders.customHeaders", name, "is one of the security headers the policy already sends", `Set it through ${SECURITY_HEADER_ARGUMENTS[lower]}.`);
    }
    if (seen.has(lower)) fail("securityHeaders.customHeaders", name, "is set twice (header names are case-insensitive)", "Keep one of them.");
    seen.add(lower);
    if (typeof value !== "string" || value === "" || /[\r\n]/.test(value)) {
      fail(`securityHeaders.customHeaders["${name}"]`, value, "is not a single-line header value", "Use a non-empty string without line breaks.");
    }
  }
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
