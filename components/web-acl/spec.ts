/**
 * WebAcl's arguments, their validation, and the normalised spec the component (and the local
 * front door's rate and body-size limits, local/waf.ts) works from.
 */
import type { ArgFailure } from "../errors";

/** Where the web ACL can be attached: a CloudFront distribution, or regional resources (API Gateway stages). */
export enum WebAclScope {
  /** For CloudFront distributions; the web ACL and its log group are created in us-east-1. */
  CloudFront = "CLOUDFRONT",
  /** For regional resources (API Gateway REST stages, ...), in the component's region. */
  Regional = "REGIONAL",
}

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
} as const;

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
  /** Prefix of the CloudWatch metric names of the ACL and its rules (letters, digits, - and _). */
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
    metricPrefix: name.replace(/[^A-Za-z0-9_-]/g, "-"),
  };
}
