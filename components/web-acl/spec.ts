/**
 * WebAcl's arguments, their validation, and the normalised spec the component (and the local
 * front door's rate and body-size limits, local/waf.ts) works from.
 */
import { createHash } from "node:crypto";
import type { ArgFailure } from "../errors";

/** Where the web ACL can be attached: a CloudFront distribution, or regional resources (API Gateway stages). */
export enum WebAclScope {
  /** For CloudFront distributions; the web ACL and its log group are created in us-east-1. */
  CloudFront = "CLOUDFRONT",
  /** For regional resources (API Gateway REST stages, ...), in the component's region. */
  Regional = "REGIONAL",
}

/** Rule names, in evaluation order before the managed groups; the local front door (local/waf.ts) applies the same two. */
export const RATE_LIMIT_RULE = "rate-limit-per-ip";
export const BODY_SIZE_RULE = "body-size-limit";

/**
 * AWS managed rule groups (vendor AWS) this component offers.
 * Baseline (common, known bad inputs): https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 * IP reputation (Amazon IP reputation, anonymous IP): https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-ip-rep.html
 * Use-case (SQL database): https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-use-case.html
 */
export const MANAGED_RULE_GROUPS: readonly string[] = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesSQLiRuleSet",
  "AWSManagedRulesAnonymousIpList",
];
export const DEFAULT_MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"];

/**
 * AWS WAF's numbers. Rate limits: "The lowest limit setting allowed is 10", windows 60/120/300/600 s
 * (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html),
 * Bodies: CloudFront and API Gateway forward the first 16 KB to WAF by default
 * (https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html), and the common
 * rule set's SizeRestrictions_BODY blocks bodies over 8 KB (8,192 bytes) (the baseline rule groups page above).
 */
export const WAF_LIMITS = {
  minRateLimit: 10,
  rateWindowsSeconds: [60, 120, 300, 600],
  defaultBodyInspectionBytes: 16_384,
  commonRuleSetBodyBytes: 8_192,
  /**
   * VisibilityConfig.MetricName: "only the characters: A-Z, a-z, 0-9, - (hyphen), and _ (underscore) ... from one to
   * 128 characters long. It can't contain ... metric names that are reserved for AWS WAF, for example All and
   * Default_Action" (https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html); the provider
   * checks 1–128 of `^[0-9A-Za-z_-]+$` at preview. The web ACL's own name: the same, 1–128 of `^[0-9A-Za-z_-]+$`
   * (terraform-provider-aws internal/service/wafv2/web_acl.go).
   */
  nameLength: 128,
  reservedMetricNames: ["All", "Default_Action"],
} as const;

/** What WAF takes in a metric name or a web ACL name. */
const WAF_NAME = /^[A-Za-z0-9_-]+$/;
/** Pulumi autonames the web ACL `<logical name>-<random hex>`: room for the dash and up to 8 hex digits. */
const AUTONAME_SUFFIX_LENGTH = 9;
/** The rules' metric names are `<prefix>-<rule name>`; the longest rule name sets how long the prefix may be. */
const LONGEST_RULE_NAME = Math.max(...[RATE_LIMIT_RULE, BODY_SIZE_RULE, ...MANAGED_RULE_GROUPS].map((rule) => rule.length));

/** Arguments of WebAcl. */
export interface WebAclArgs {
  /**
   * What the web ACL protects. `CLOUDFRONT` web ACLs live in us-east-1 whatever `region` says.
   * @default WebAclScope.CloudFront
   */
  scope?: WebAclScope;
  /** Region of a REGIONAL web ACL and its log group. @default the provider's region */
  region?: string;
  /**
   * Requests one client IP may make per `rateWindowSeconds` before WAF blocks it (until its rate drops); at least 10.
   * @default 2000
   */
  rateLimit?: number;
  /**
   * Seconds WAF looks back when counting a client's requests: 60, 120, 300 or 600.
   * @default 300
   */
  rateWindowSeconds?: number;
  /**
   * Largest request body allowed, in bytes, 1–16384 (what CloudFront and API Gateway pass WAF by default);
   * larger bodies are blocked. Above 8192 the common rule set's own 8 KB body rule is switched to count.
   * @default 8192
   */
  maxBodyBytes?: number;
  /**
   * AWS managed rule groups, in evaluation order (after the rate and size rules): any of `MANAGED_RULE_GROUPS`.
   * @default ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"]
   */
  managedRuleGroups?: string[];
  /**
   * Days to keep the request logs (CloudWatch log group `aws-waf-logs-<project>-<stack>-<name>`).
   * @default 30
   */
  logRetentionDays?: number;
}

export interface WebAclSpec {
  name: string;
  scope: WebAclScope;
  /** us-east-1 for CLOUDFRONT; the region arg (or undefined: the provider's) for REGIONAL. */
  region?: string;
  rateLimit: number;
  rateWindowSeconds: number;
  maxBodyBytes: number;
  managedRuleGroups: string[];
  logRetentionDays: number;
  /**
   * The web ACL's metric name, and the prefix of its rules' (`<prefix>-<rule>`): the component name when WAF takes it
   * that way, else a fitted form of it (see `wafName`).
   */
  metricPrefix: string;
}

/** CloudWatch Logs' allowed retention settings. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function validateWebAclArgs(fail: ArgFailure, args: WebAclArgs, at = ""): void {
  if (args.scope !== undefined && !Object.values(WebAclScope).includes(args.scope)) {
    fail(`${at}scope`, args.scope, "is not a web ACL scope", 'Use WebAclScope.CloudFront ("CLOUDFRONT") for a distribution or WebAclScope.Regional ("REGIONAL").');
  }
  const min = WAF_LIMITS.minRateLimit;
  if (args.rateLimit !== undefined && (!Number.isSafeInteger(args.rateLimit) || args.rateLimit < min)) {
    fail(`${at}rateLimit`, args.rateLimit, `is not a whole number of at least ${min}; AWS WAF's lowest rate limit is ${min} requests per window`, `Use a whole number from ${min}, e.g. 2000.`);
  }
  if (args.rateWindowSeconds !== undefined && !(WAF_LIMITS.rateWindowsSeconds as readonly number[]).includes(args.rateWindowSeconds)) {
    fail(`${at}rateWindowSeconds`, args.rateWindowSeconds, "is not a rate-based rule evaluation window", `Use one of ${WAF_LIMITS.rateWindowsSeconds.join(", ")}.`);
  }
  if (args.maxBodyBytes !== undefined && (!Number.isInteger(args.maxBodyBytes) || args.maxBodyBytes < 1 || args.maxBodyBytes > WAF_LIMITS.defaultBodyInspectionBytes)) {
    fail(`${at}maxBodyBytes`, args.maxBodyBytes, `is outside 1–${WAF_LIMITS.defaultBodyInspectionBytes}; WAF sees only the first 16 KB of a body, so a larger limit would block at 16 KB anyway`,
      "Use at most 16384, and send larger payloads straight to S3 (presigned uploads) rather than through the web ACL.");
  }
  const groups = args.managedRuleGroups ?? [];
  for (const [index, group] of groups.entries()) {
    if (!MANAGED_RULE_GROUPS.includes(group)) fail(`${at}managedRuleGroups[${index}]`, group, "is not an AWS managed rule group WebAcl knows", `Use one of ${MANAGED_RULE_GROUPS.join(", ")}.`);
    if (groups.indexOf(group) !== index) fail(`${at}managedRuleGroups[${index}]`, group, "is listed twice", "List each rule group once.");
  }
  if (args.logRetentionDays !== undefined && !LOG_RETENTION_DAYS.includes(args.logRetentionDays)) {
    fail(`${at}logRetentionDays`, args.logRetentionDays, "is not a CloudWatch Logs retention setting", `Use one of ${LOG_RETENTION_DAYS.join(", ")}.`);
  }
}

export function normaliseWebAcl(name: string, args: WebAclArgs): WebAclSpec {
  const scope = args.scope ?? WebAclScope.CloudFront;
  return {
    name,
    scope,
    region: scope === WebAclScope.CloudFront ? "us-east-1" : args.region,
    rateLimit: args.rateLimit ?? 2000,
    rateWindowSeconds: args.rateWindowSeconds ?? 300,
    maxBodyBytes: args.maxBodyBytes ?? WAF_LIMITS.commonRuleSetBodyBytes,
    managedRuleGroups: args.managedRuleGroups ?? [...DEFAULT_MANAGED_RULE_GROUPS],
    logRetentionDays: args.logRetentionDays ?? 30,
    metricPrefix: wafMetricPrefix(name),
  };
}

/**
 * `name` where WAF takes a name: unchanged when it is letters, digits, - and _ and at most `maxLength` long (so
 * names that deploy today keep their metrics and their web ACL); otherwise the other characters become "-" and the
 * text is cut to end in "-" and 8 hex digits of a hash of the whole name, so it fits, comes out the same on every
 * run, and two names that sanitise or cut to the same text still differ.
 */
export function wafName(name: string, maxLength: number, reserved: readonly string[] = []): string {
  if (WAF_NAME.test(name) && name.length <= maxLength && !reserved.includes(name)) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, maxLength - hash.length - 1)}-${hash}`;
}

/** The web ACL's metric name: room left for the longest `-<rule name>` within 128 characters, never a name WAF reserves. */
export function wafMetricPrefix(name: string): string {
  return wafName(name, WAF_LIMITS.nameLength - LONGEST_RULE_NAME - 1, WAF_LIMITS.reservedMetricNames);
}

/** The web ACL's Pulumi name, `<name>-acl`, short enough that Pulumi's autoname of it stays within WAF's 128 characters. */
export function webAclResourceName(name: string): string {
  return `${wafName(name, WAF_LIMITS.nameLength - AUTONAME_SUFFIX_LENGTH - "-acl".length)}-acl`;
}
