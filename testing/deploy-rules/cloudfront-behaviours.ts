/**
 * CloudFront deploy rules on the parts of a distribution that a hand-built aws.cloudfront.Distribution sets freely and
 * CreateDistribution / UpdateDistribution refuse: cache behaviours' HTTP methods, origins (connection settings, custom
 * origin config, custom headers, origin path) and the viewer certificate. Registered in cloudfront.ts's CLOUDFRONT_RULES
 * and CLOUDFRONT_WARNING_RULES; nothing here imports cloudfront.ts (that module reads these constants when it loads).
 *
 * Not checked here, and why: CachedMethods being contained in AllowedMethods and duplicate custom header names (no AWS
 * text found that CloudFront refuses either); minimumProtocolVersion with the default certificate (the API reference
 * says CloudFront "automatically sets the security policy to TLSv1 regardless of the value that you set here": accepted,
 * not refused); alternate domain names without a custom certificate (CloudFrontAliasCertificate).
 */
import { ORIGIN_PATH } from "../../components/static-site/spec";
import { asArray, cacheBehaviours, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

type Origin = Record<string, any>;

/** Each origin of each distribution of the plan, with the name findings print it by. */
function origins(graph: Graph): Array<{ distribution: RecordedResource; origin: Origin; index: number; label: string }> {
  return ofType(graph, DISTRIBUTION).flatMap((distribution) =>
    asArray<Origin>(distribution.inputs.origins)
      .map((origin, index) => ({ distribution, origin, index, label: `origin ${typeof origin?.originId === "string" ? origin.originId : `#${index}`} (origins[${index}])` }))
      .filter(({ origin }) => origin !== null && typeof origin === "object"),
  );
}

/** `defaultCacheBehavior` or `orderedCacheBehaviors[i]` (pattern): the property path a behaviour's finding names. */
function behaviourPaths(distribution: RecordedResource): Array<{ at: string; behaviour: Record<string, any> }> {
  return cacheBehaviours(distribution).map(({ path, behaviour }, i) => ({
    at: path === "default" ? "defaultCacheBehavior" : `orderedCacheBehaviors[${distribution.inputs.defaultCacheBehavior ? i - 1 : i}] (${path})`,
    behaviour,
  }));
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && b.every((m) => a.includes(m));
/**
 * A list every item of which the plan holds: at `pulumi preview` an item from a resource not yet created is Pulumi's
 * unknown value (an object in the recorded inputs), and a list with one is not judged.
 */
const knownStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");
const show = (value: unknown) => JSON.stringify(value);

/**
 * AllowedMethods (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_AllowedMethods.html): "There are
 * three choices: CloudFront forwards only GET and HEAD requests. CloudFront forwards only GET, HEAD, and OPTIONS
 * requests. CloudFront forwards GET, HEAD, OPTIONS, PUT, PATCH, POST, and DELETE requests"; Quantity "Valid values
 * are 2 (for GET and HEAD requests), 3 (for GET, HEAD, and OPTIONS requests) and 7". Items' "Valid Values: GET | HEAD |
 * POST | PUT | PATCH | OPTIONS | DELETE" (upper case). CachedMethods
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachedMethods.html): "There are two choices:
 * CloudFront caches responses to GET and HEAD requests. CloudFront caches responses to GET, HEAD, and OPTIONS
 * requests" (also aws-cdk's CloudFrontAllowedCachedMethods: GET_HEAD, GET_HEAD_OPTIONS). Compared as sets: the order
 * of the list is not part of the choice. GET and PUT alone, say, is not a choice CloudFront offers.
 */
export const CLOUDFRONT_ALLOWED_METHOD_SETS: readonly (readonly string[])[] = [
  ["GET", "HEAD"],
  ["GET", "HEAD", "OPTIONS"],
  ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
];
export const CLOUDFRONT_CACHED_METHOD_SETS: readonly (readonly string[])[] = [
  ["GET", "HEAD"],
  ["GET", "HEAD", "OPTIONS"],
];

export const CLOUDFRONT_BEHAVIOUR_METHODS: DeployRule = {
  id: "CloudFrontBehaviourMethods",
  title: "Cache behaviours allow GET+HEAD, GET+HEAD+OPTIONS or all seven methods, and cache GET+HEAD or GET+HEAD+OPTIONS",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_AllowedMethods.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const distribution of ofType(graph, DISTRIBUTION)) {
      for (const { at, behaviour } of behaviourPaths(distribution)) {
        const allowed = behaviour.allowedMethods;
        // An unset list is Pulumi's to refuse (a required input); a value the plan does not hold is not judged.
        if (knownStrings(allowed) && !CLOUDFRONT_ALLOWED_METHOD_SETS.some((set) => sameSet(allowed, set))) {
          findings.push(
            finding(
              "CloudFrontBehaviourMethods",
              distribution,
              `${at}.allowedMethods is ${show(allowed)}; CloudFront takes exactly one of three sets (GET, HEAD / GET, HEAD, OPTIONS / all seven), in upper case, so CreateDistribution or UpdateDistribution fails`,
              `set ${at}.allowedMethods to ["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"] or ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"] (a behaviour that takes POST takes all seven; refuse the others at the origin)`,
            ),
          );
        }
        const cached = behaviour.cachedMethods;
        if (knownStrings(cached) && !CLOUDFRONT_CACHED_METHOD_SETS.some((set) => sameSet(cached, set))) {
          findings.push(
            finding(
              "CloudFrontBehaviourMethods",
              distribution,
              `${at}.cachedMethods is ${show(cached)}; CloudFront caches either GET, HEAD or GET, HEAD, OPTIONS (upper case), so CreateDistribution or UpdateDistribution fails`,
              `set ${at}.cachedMethods to ["GET", "HEAD"] or ["GET", "HEAD", "OPTIONS"]`,
            ),
          );
        }
      }
    }
    return findings;
  },
};

/**
 * Hard ranges of an origin's connection settings, which no quota increase changes:
 * - Origin's ConnectionTimeout: "The minimum timeout is 1 second, the maximum is 10 seconds, and the default (if you
 *   don't specify otherwise) is 10 seconds" (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Origin.html,
 *   as the AWS SDK for Kotlin's Origin.connectionTimeout carries it); ConnectionAttempts 1–3, default 3 (the quotas page,
 *   awsdocs amazon-cloudfront-developer-guide doc_source/cloudfront-limits.md: "Connection attempts per origin 1-3" and
 *   "Connection timeout per origin 1-10 seconds", neither with "Request a higher quota"; aws-cdk's HttpOriginProps:
 *   "valid values are 1, 2, or 3 attempts"; terraform-provider-aws internal/service/cloudfront/distribution.go validates
 *   connection_attempts IntBetween(1, 3) and connection_timeout IntBetween(1, 10)).
 * - CustomOriginConfig's OriginReadTimeout and OriginKeepaliveTimeout: "The minimum timeout is 1 second"
 *   (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CustomOriginConfig.html; terraform-provider-aws
 *   validates both IntAtLeast(1)). Their maximum is a quota: CloudFrontOriginTimeoutQuota.
 * All four are API integers (Type: Integer); the provider sends a fraction as another number, so one is reported too.
 */
export const ORIGIN_CONNECTION_RANGES = {
  connectionAttempts: { min: 1, max: 3, unit: "" },
  connectionTimeout: { min: 1, max: 10, unit: " s" },
} as const;

function integerProblem(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && (!Number.isInteger(value) || value < min || value > max);
}

export const CLOUDFRONT_ORIGIN_CONNECTION: DeployRule = {
  id: "CloudFrontOriginConnection",
  title: "Origins make 1–3 connection attempts with a 1–10 s connection timeout, and custom origins' read and keep-alive timeouts are at least 1 s",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Origin.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const { distribution, origin, index, label } of origins(graph)) {
      for (const [property, { min, max, unit }] of Object.entries(ORIGIN_CONNECTION_RANGES)) {
        const value = origin[property];
        if (!integerProblem(value, min, max)) continue;
        findings.push(finding("CloudFrontOriginConnection", distribution, `${label} has ${property} ${show(value)}; CloudFront takes a whole number from ${min} to ${max}${unit}, a range no quota increase changes, so CreateDistribution or UpdateDistribution fails`, `set origins[${index}].${property} to ${min}–${max}, or leave it unset (default ${max}${unit})`));
      }
      // A VPC origin's two timeouts have the same floor: "The minimum timeout is 1 second" (API_VpcOriginConfig.html, whose
      // maximum is 120 s; the quota warning below reads custom origins only).
      for (const config of ["customOriginConfig", "vpcOriginConfig"] as const) {
        for (const property of ["originReadTimeout", "originKeepaliveTimeout"] as const) {
          const value = origin[config]?.[property];
          if (!integerProblem(value, ORIGIN_TIMEOUT_QUOTA_SECONDS.min, Number.POSITIVE_INFINITY)) continue;
          const max = config === "vpcOriginConfig" ? 120 : ORIGIN_TIMEOUT_QUOTA_SECONDS.max;
          findings.push(
            finding(
              "CloudFrontOriginConnection",
              distribution,
              `${label} has ${config}.${property} ${show(value)}; CloudFront takes a whole number of seconds, at least ${ORIGIN_TIMEOUT_QUOTA_SECONDS.min}, so CreateDistribution or UpdateDistribution fails`,
              `set origins[${index}].${config}.${property} to ${ORIGIN_TIMEOUT_QUOTA_SECONDS.min}–${max} seconds, or leave it unset (default ${property === "originReadTimeout" ? 30 : 5})`,
            ),
          );
        }
      }
    }
    return findings;
  },
};

/**
 * The upper bound of a custom origin's read (response) and keep-alive timeouts is a quota, not a fixed range: the
 * quotas page lists "Response timeout per origin: 1-60 seconds" with "Request a higher quota" (awsdocs
 * amazon-cloudfront-developer-guide doc_source/cloudfront-limits.md), CloudFormation's CustomOriginConfig says of
 * both "The minimum timeout is 1 second, the maximum is 60 seconds", and AWS re:Post "How do I increase the response
 * and keep-alive timeout quotas for my CloudFront custom or VPC origin?" (knowledge-center/cloudfront-custom-origin-response)
 * describes raising either through Service Quotas ("Response timeout per origin", "Keep-alive timeout for a custom
 * origin associated with distribution"). Newer texts give larger figures (the API reference's 120 s for VPC and S3
 * origins, re:Post's "up to 180 seconds"), and terraform-provider-aws no longer caps them (IntAtLeast(1)): what an
 * account may set depends on its quota, which a plan cannot read. So over 60 s is a warning, as CloudFrontCacheBehaviorCount.
 */
export const ORIGIN_TIMEOUT_QUOTA_SECONDS = { min: 1, max: 60 } as const;

export const CLOUDFRONT_ORIGIN_TIMEOUT_QUOTA: DeployRule = {
  id: "CloudFrontOriginTimeoutQuota",
  title: "Custom origins' read and keep-alive timeouts are at most 60 s, CloudFront's default quota",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-web-distributions",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const { distribution, origin, index, label } of origins(graph)) {
      for (const property of ["originReadTimeout", "originKeepaliveTimeout"] as const) {
        const value = origin.customOriginConfig?.[property];
        if (typeof value !== "number" || !Number.isInteger(value) || value <= ORIGIN_TIMEOUT_QUOTA_SECONDS.max) continue;
        const quota = property === "originReadTimeout" ? "Response timeout per origin" : "Keep-alive timeout for a custom origin associated with distribution";
        findings.push(
          finding(
            "CloudFrontOriginTimeoutQuota",
            distribution,
            `${label} has customOriginConfig.${property} ${value} s, over CloudFront's default quota of ${ORIGIN_TIMEOUT_QUOTA_SECONDS.max} s: unless the account's quota ("${quota}") was raised, CreateDistribution or UpdateDistribution fails`,
            `ask for a quota increase (Service Quotas, CloudFront "${quota}") before deploying, or set origins[${index}].customOriginConfig.${property} to at most ${ORIGIN_TIMEOUT_QUOTA_SECONDS.max}`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * CustomOriginConfig (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CustomOriginConfig.html):
 * OriginProtocolPolicy "Valid Values: http-only | match-viewer | https-only"; OriginSslProtocols' items
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginSslProtocols.html) "Valid Values: SSLv3 | TLSv1
 * | TLSv1.1 | TLSv1.2" (hashicorp/terraform-provider-aws#11193 quotes that list; the provider validates both against
 * the SDK's enums). A viewer security policy such as "TLSv1.2_2021" is not an origin protocol.
 */
export const ORIGIN_PROTOCOL_POLICIES: readonly string[] = ["http-only", "match-viewer", "https-only"];
export const ORIGIN_SSL_PROTOCOLS: readonly string[] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"];

export const CLOUDFRONT_ORIGIN_PROTOCOLS: DeployRule = {
  id: "CloudFrontOriginProtocols",
  title: "Custom origins use an origin protocol policy and SSL protocols CloudFront knows",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CustomOriginConfig.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const { distribution, origin, index, label } of origins(graph)) {
      const custom = origin.customOriginConfig;
      if (!custom || typeof custom !== "object") continue;
      const policy = custom.originProtocolPolicy;
      if (typeof policy === "string" && !ORIGIN_PROTOCOL_POLICIES.includes(policy)) {
        findings.push(finding("CloudFrontOriginProtocols", distribution, `${label} has customOriginConfig.originProtocolPolicy ${show(policy)}; CloudFront takes ${ORIGIN_PROTOCOL_POLICIES.join(", ")}, so CreateDistribution or UpdateDistribution fails`, `set origins[${index}].customOriginConfig.originProtocolPolicy to "https-only" (or "http-only" for an S3 website endpoint, "match-viewer")`));
      }
      const unknown = asArray<unknown>(custom.originSslProtocols).filter((p) => typeof p === "string" && !ORIGIN_SSL_PROTOCOLS.includes(p));
      if (unknown.length > 0) {
        findings.push(finding("CloudFrontOriginProtocols", distribution, `${label} has customOriginConfig.originSslProtocols ${show(custom.originSslProtocols)}, with ${unknown.map(show).join(", ")} not among ${ORIGIN_SSL_PROTOCOLS.join(", ")}, so CreateDistribution or UpdateDistribution fails`, `set origins[${index}].customOriginConfig.originSslProtocols to ["TLSv1.2"] (viewer security policies such as TLSv1.2_2021 belong in viewerCertificate.minimumProtocolVersion)`));
      }
    }
    return findings;
  },
};

/**
 * Origin custom headers. "Custom headers that CloudFront can't add to origin requests" (add-origin-custom-headers.html
 * #add-origin-custom-headers-denylist; awsdocs amazon-cloudfront-developer-guide doc_source/add-origin-custom-headers.md):
 * Cache-Control, Connection, Content-Length, Cookie, Host, If-Match, If-Modified-Since, If-None-Match, If-Range,
 * If-Unmodified-Since, Max-Forwards, Pragma, Proxy-Authorization, Proxy-Connection, Range, Request-Range, TE, Trailer,
 * Transfer-Encoding, Upgrade, Via, "Headers that begin with X-Amz-", "Headers that begin with X-Edge-", X-Real-Ip.
 * Header names are compared case-insensitively, as HTTP does. Lengths: "Quotas on headers" (cloudfront-limits.html
 * #limits-custom-headers): "Custom headers: maximum length of a header name 256 characters", "of a header value 1,783
 * characters", "of all header values and names combined 10,240 characters", none with "Request a higher quota". The
 * count (10 per origin) is a quota that can be raised: CloudFrontOriginCustomHeaderCount.
 */
export const ORIGIN_CUSTOM_HEADER_DENYLIST: readonly string[] = [
  "cache-control", "connection", "content-length", "cookie", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
  "max-forwards", "pragma", "proxy-authorization", "proxy-connection", "range", "request-range", "te", "trailer", "transfer-encoding", "upgrade", "via", "x-real-ip",
];
export const ORIGIN_CUSTOM_HEADER_DENIED_PREFIXES: readonly string[] = ["X-Amz-", "X-Edge-"];
export const ORIGIN_CUSTOM_HEADER_LIMITS = { nameLength: 256, valueLength: 1_783, totalLength: 10_240, count: 10 } as const;

/** Why CloudFront refuses to add header `name` to origin requests, or undefined when it may. */
export function originCustomHeaderRefusal(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (ORIGIN_CUSTOM_HEADER_DENYLIST.includes(lower)) return `${name} is one of the headers CloudFront can't add to origin requests`;
  const prefix = ORIGIN_CUSTOM_HEADER_DENIED_PREFIXES.find((p) => lower.startsWith(p.toLowerCase()));
  return prefix ? `CloudFront can't add headers that begin with ${prefix} to origin requests` : undefined;
}

const headersOf = (origin: Origin) => asArray<Record<string, unknown>>(origin.customHeaders).filter((h) => h !== null && typeof h === "object");

export const CLOUDFRONT_ORIGIN_CUSTOM_HEADERS: DeployRule = {
  id: "CloudFrontOriginCustomHeaders",
  title: "Origin custom headers are headers CloudFront may add, with names of at most 256 and values of at most 1,783 characters, 10,240 in all",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const { nameLength, valueLength, totalLength } = ORIGIN_CUSTOM_HEADER_LIMITS;
    for (const { distribution, origin, index, label } of origins(graph)) {
      const headers = headersOf(origin);
      for (const [i, header] of headers.entries()) {
        const at = `origins[${index}].customHeaders[${i}]`;
        if (typeof header.name === "string") {
          const refusal = originCustomHeaderRefusal(header.name);
          if (refusal) findings.push(finding("CloudFrontOriginCustomHeaders", distribution, `${label} adds custom header ${show(header.name)}: ${refusal}, so CreateDistribution or UpdateDistribution fails`, `drop ${at}, or send the value under another name (e.g. X-Origin-Verify); to forward a viewer's header use an origin request policy`));
          if (header.name.length > nameLength) findings.push(finding("CloudFrontOriginCustomHeaders", distribution, `${label} has a custom header name of ${header.name.length} characters; CloudFront takes at most ${nameLength}`, `shorten ${at}.name`));
        }
        if (typeof header.value === "string" && header.value.length > valueLength) {
          findings.push(finding("CloudFrontOriginCustomHeaders", distribution, `${label} has custom header ${show(header.name)} with a value of ${header.value.length} characters; CloudFront takes at most ${valueLength.toLocaleString("en-US")}`, `shorten ${at}.value`));
        }
      }
      const total = headers.reduce((sum, h) => sum + (typeof h.name === "string" ? h.name.length : 0) + (typeof h.value === "string" ? h.value.length : 0), 0);
      if (total > totalLength) {
        findings.push(finding("CloudFrontOriginCustomHeaders", distribution, `${label} has ${total} characters of custom header names and values together; CloudFront takes at most ${totalLength.toLocaleString("en-US")}`, `shorten or drop some of origins[${index}].customHeaders`));
      }
    }
    return findings;
  },
};

/**
 * "Custom headers: maximum number of custom headers that you can configure CloudFront to add to origin requests: 10
 * name/value pairs", with "Request a higher quota" (cloudfront-limits.html#limits-custom-headers); over it
 * CreateDistribution fails with TooManyOriginCustomHeaders ("Your request contains too many origin custom headers", the
 * SDKs' exception documentation). Adjustable, so a warning.
 */
export const CLOUDFRONT_ORIGIN_CUSTOM_HEADER_COUNT: DeployRule = {
  id: "CloudFrontOriginCustomHeaderCount",
  title: "An origin has at most 10 custom headers, CloudFront's default quota",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-custom-headers",
  check(graph) {
    return origins(graph).flatMap(({ distribution, origin, index, label }) => {
      const count = headersOf(origin).length;
      if (count <= ORIGIN_CUSTOM_HEADER_LIMITS.count) return [];
      return [
        finding(
          "CloudFrontOriginCustomHeaderCount",
          distribution,
          `${label} adds ${count} custom headers, more than CloudFront's default quota of ${ORIGIN_CUSTOM_HEADER_LIMITS.count}: unless the account's quota was raised, CreateDistribution or UpdateDistribution fails (TooManyOriginCustomHeaders)`,
          `ask for a quota increase (AWS Support, CloudFront "Custom headers: maximum number of custom headers that you can configure CloudFront to add to origin requests"), or keep origins[${index}].customHeaders to ${ORIGIN_CUSTOM_HEADER_LIMITS.count}`,
        ),
      ];
    });
  },
};

/**
 * Origin path: "enter the directory path, beginning with a slash (/). ... Do not add a slash (/) at the end of the
 * path" (DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath, the text StaticSite's check quotes). "" is no origin path. The same pattern as StaticSite's routes[].originPath check
 * (components/static-site/spec.ts ORIGIN_PATH): segments of one or more characters other than /.
 */
export const CLOUDFRONT_ORIGIN_PATH: DeployRule = {
  id: "CloudFrontOriginPath",
  title: "An origin path begins with / and does not end with /",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath",
  check(graph) {
    return origins(graph).flatMap(({ distribution, origin, index, label }) => {
      const path: unknown = origin.originPath;
      if (typeof path !== "string" || ORIGIN_PATH.test(path)) return [];
      const tidy = `/${path.split("/").filter((s) => s !== "").join("/")}`;
      return [
        finding(
          "CloudFrontOriginPath",
          distribution,
          `${label} has originPath ${show(path)}; CloudFront takes a directory path that begins with / and does not end with / (nor holds an empty segment), so CreateDistribution or UpdateDistribution fails`,
          `set origins[${index}].originPath to ${tidy === "/" ? '"" (no origin path)' : show(tidy)}`,
        ),
      ];
    });
  },
};

/**
 * ViewerCertificate (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html):
 * - one certificate source: "You must specify only one of the following values: ACMCertificateArn, IAMCertificateId,
 *   CloudFrontDefaultCertificate" (the SDKs' ViewerCertificate documentation, e.g. aws-sdk-cloudfront for Ruby 1.18);
 *   the current text: with the default certificate "set CloudFrontDefaultCertificate to true and leave all other fields
 *   empty", with Aliases "set this field to false and specify values for ... ACMCertificateArn or IAMCertificateId".
 *   None at all is none of them.
 * - a custom certificate needs SSLSupportMethod: "If you specify an ACM certificate ARN, you must also specify values
 *   for MinimumProtocolVersion and SSLSupportMethod" (the same for IAMCertificateId); aws/aws-cdk#9193 found a stack
 *   without SslSupportMethod fails, while MinimumProtocolVersion is in practice optional, so only SSLSupportMethod is
 *   required here. With aliases CloudFrontAliasCertificate already reports it (it asks for "sni-only"), so this rule
 *   reports a custom certificate without aliases only.
 * - "When you're using SNI only (you set SSLSupportMethod to sni-only), you must specify TLSv1 or higher": SSLv3 with
 *   sni-only is refused ("The parameter ViewerCertificate the specified distribution is configured for SNI and the
 *   Minimum SSL Protocol Version is specified as SSLv3. You cannot specify both", cloudtools/troposphere#218).
 */
export const CLOUDFRONT_VIEWER_CERTIFICATE: DeployRule = {
  id: "CloudFrontViewerCertificate",
  title: "A viewer certificate names one source (default, ACM or IAM), a custom one with sslSupportMethod, and SNI with TLSv1 or later",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const certificate = d.inputs.viewerCertificate;
      if (!certificate || typeof certificate !== "object") continue;
      const given = (value: unknown) => typeof value === "string" && value !== "";
      // Unset, or set to nothing. Anything else the plan does not hold as a string is unknown at preview (a certificate
      // issued in the same program): it may be given, so it is not taken as missing.
      const unset = (value: unknown) => value === undefined || value === null || value === "";
      const sources = [
        ...(certificate.cloudfrontDefaultCertificate === true ? ["cloudfrontDefaultCertificate: true"] : []),
        ...(given(certificate.acmCertificateArn) ? ["acmCertificateArn"] : []),
        ...(given(certificate.iamCertificateId) ? ["iamCertificateId"] : []),
      ];
      if (sources.length > 1) {
        findings.push(finding("CloudFrontViewerCertificate", d, `viewerCertificate sets ${sources.join(" and ")}; CloudFront takes exactly one certificate source, so CreateDistribution or UpdateDistribution fails`, "keep acmCertificateArn (with sslSupportMethod \"sni-only\") for alternate domain names, or only cloudfrontDefaultCertificate: true for the *.cloudfront.net name"));
      } else if (sources.length === 0 && certificate.cloudfrontDefaultCertificate === false && unset(certificate.acmCertificateArn) && unset(certificate.iamCertificateId)) {
        findings.push(finding("CloudFrontViewerCertificate", d, "viewerCertificate sets cloudfrontDefaultCertificate false without acmCertificateArn or iamCertificateId, so the distribution has no certificate and CreateDistribution or UpdateDistribution fails", "set acmCertificateArn (a us-east-1 ACM certificate) with sslSupportMethod \"sni-only\", or cloudfrontDefaultCertificate: true"));
      }
      const custom = given(certificate.acmCertificateArn) || given(certificate.iamCertificateId);
      // Aliases the plan does not hold (unknown at preview) may be there: CloudFrontAliasCertificate's then.
      const aliasesKnown = d.inputs.aliases === undefined || knownStrings(d.inputs.aliases);
      const aliases = asArray<unknown>(d.inputs.aliases).filter(given);
      if (custom && aliasesKnown && aliases.length === 0 && unset(certificate.sslSupportMethod)) {
        findings.push(finding("CloudFrontViewerCertificate", d, "viewerCertificate names a custom certificate without sslSupportMethod; CloudFront requires it with acmCertificateArn or iamCertificateId", "set viewerCertificate.sslSupportMethod to \"sni-only\""));
      }
      if (certificate.sslSupportMethod === "sni-only" && certificate.minimumProtocolVersion === "SSLv3") {
        findings.push(finding("CloudFrontViewerCertificate", d, "viewerCertificate has sslSupportMethod \"sni-only\" with minimumProtocolVersion \"SSLv3\"; with SNI CloudFront takes TLSv1 or later, so CreateDistribution or UpdateDistribution fails", "set viewerCertificate.minimumProtocolVersion to \"TLSv1.2_2021\" (or another TLS policy)"));
      }
    }
    return findings;
  },
};
