/**
 * Security headers the site sends. One description, two renderings: CloudFront's
 * response headers policy for AWS, and plain header values for the local server.
 */
import type * as aws from "@pulumi/aws";

export interface SecurityHeaders {
  /**
   * Strict-Transport-Security max-age in seconds.
   * @default 63072000 (two years, the preload list's minimum is one)
   */
  hstsMaxAgeSeconds?: number;
  /** @default "DENY" */
  frameOptions?: "DENY" | "SAMEORIGIN";
  /** @default "strict-origin-when-cross-origin" */
  referrerPolicy?: "no-referrer" | "same-origin" | "strict-origin" | "strict-origin-when-cross-origin";
  /** Content-Security-Policy. @default "default-src 'self'; img-src 'self' data: blob: https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'" */
  contentSecurityPolicy?: string;
}

export type NormalisedSecurityHeaders = Required<SecurityHeaders>;

export function normaliseSecurityHeaders(headers: SecurityHeaders = {}): NormalisedSecurityHeaders {
  return {
    hstsMaxAgeSeconds: headers.hstsMaxAgeSeconds ?? 63072000,
    frameOptions: headers.frameOptions ?? "DENY",
    referrerPolicy: headers.referrerPolicy ?? "strict-origin-when-cross-origin",
    contentSecurityPolicy:
      headers.contentSecurityPolicy ??
      "default-src 'self'; img-src 'self' data: blob: https:; connect-src 'self' https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  };
}

/** The headers as a browser receives them (names lower-case). */
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
