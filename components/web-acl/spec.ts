/**
 * WebAcl's arguments, their validation, and the normalised spec the component (and the local
 * front door's rate and body-size limits, local/waf.ts) works from.
 */
import { AUTONAME_SUFFIX_LENGTH } from "../autoname";
import type { ArgFailure } from "../errors";
import { validateLogRetention } from "../log-retention";
import { fitName } from "../names";
import { checkWholeNumberInRange } from "../ranges";
import { validateRegionArg } from "../region";

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
 * A web ACL's AssociationConfig may raise what CloudFront and API Gateway forward to 32, 48 or 64 KB ("Valid Values:
 * KB_16 | KB_32 | KB_48 | KB_64", at extra charge;
 * https://docs.aws.amazon.com/waf/latest/APIReference/API_RequestBodyAssociatedResourceTypeConfig.html); WebAcl sets
 * none, so its body limit stays within the default 16 KB.
 */
export const WAF_LIMITS = {
  minRateLimit: 10,
  /** RateBasedStatement Limit: "Valid Range: Minimum value of 10. Maximum value of 2000000000." (https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html). */
  maxRateLimit: 2_000_000_000,
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

/**
 * The characters WAF takes in a metric name, a rule's name (API_Rule: `^[\w\-]+$`) and a web ACL's name (the
 * provider's `^[0-9A-Za-z_-]+$`), as the inside of a character class.
 */
export const WAF_NAME_CHARACTERS = "A-Za-z0-9_-";
const WAF_NAME = new RegExp(`^[${WAF_NAME_CHARACTERS}]+$`);

/** Whether WAF takes `name` as a metric, rule or web ACL name, reserved metric names aside: 1–128 of `WAF_NAME_CHARACTERS`. */
export function isWafName(name: unknown): name is string {
  return typeof name === "string" && WAF_NAME.test(name) && name.length <= WAF_LIMITS.nameLength;
}

/** What WAF would refuse in a VisibilityConfig metric name, or undefined when it takes it (see `WAF_LIMITS.nameLength`). */
export function wafMetricNameProblem(metricName: unknown): string | undefined {
  const name = typeof metricName === "string" ? metricName : "";
  if (name.length < 1 || name.length > WAF_LIMITS.nameLength) return `is ${name.length} characters; WAF takes 1–${WAF_LIMITS.nameLength}`;
  if (!WAF_NAME.test(name)) return "has characters other than letters, digits, - and _";
  if ((WAF_LIMITS.reservedMetricNames as readonly string[]).includes(name)) return `is reserved by WAF (${WAF_LIMITS.reservedMetricNames.join(", ")})`;
  return undefined;
}

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
   * Requests one client IP may make per `rateWindowSeconds` before WAF blocks it (until its rate drops); 10 to
   * 2,000,000,000 (WAF's range).
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
   * that way with this ACL's rules, else a fitted form of it (see `wafMetricPrefix`).
   */
  metricPrefix: string;
}

export function validateWebAclArgs(fail: ArgFailure, args: WebAclArgs, at = ""): void {
  validateRegionArg(fail, `${at}region`, args.region);
  if (args.scope !== undefined && !Object.values(WebAclScope).includes(args.scope)) {
    fail(`${at}scope`, args.scope, "is not a web ACL scope", 'Use WebAclScope.CloudFront ("CLOUDFRONT") for a distribution or WebAclScope.Regional ("REGIONAL").');
  }
  const rateLimits = { min: WAF_LIMITS.minRateLimit, max: WAF_LIMITS.maxRateLimit };
  checkWholeNumberInRange(fail, `${at}rateLimit`, args.rateLimit, rateLimits, {
    limit: "AWS WAF's range",
    unit: "requests per window",
    fix: `Use a whole number from ${rateLimits.min} to ${rateLimits.max} requests per window, e.g. 2000.`,
  });
  if (args.rateWindowSeconds !== undefined && !(WAF_LIMITS.rateWindowsSeconds as readonly number[]).includes(args.rateWindowSeconds)) {
    fail(`${at}rateWindowSeconds`, args.rateWindowSeconds, "is not a rate-based rule evaluation window", `Use one of ${WAF_LIMITS.rateWindowsSeconds.join(", ")}.`);
  }
  checkWholeNumberInRange(fail, `${at}maxBodyBytes`, args.maxBodyBytes, { min: 1, max: WAF_LIMITS.defaultBodyInspectionBytes }, {
    limit: "WebAcl's range",
    unit: "bytes",
    reason: "WAF sees only the first 16 KB of a body (what CloudFront and API Gateway forward by default), so a larger limit would block at 16 KB anyway",
    fix: `Use at most ${WAF_LIMITS.defaultBodyInspectionBytes}, and send larger payloads straight to S3 (presigned uploads) rather than through the web ACL.`,
  });
  const groups = args.managedRuleGroups ?? [];
  for (const [index, group] of groups.entries()) {
    if (!MANAGED_RULE_GROUPS.includes(group)) fail(`${at}managedRuleGroups[${index}]`, group, "is not an AWS managed rule group WebAcl knows", `Use one of ${MANAGED_RULE_GROUPS.join(", ")}.`);
    if (groups.indexOf(group) !== index) fail(`${at}managedRuleGroups[${index}]`, group, "is listed twice", "List each rule group once.");
  }
  validateLogRetention(fail, `${at}logRetentionDays`, args.logRetentionDays);
}

export function normaliseWebAcl(name: string, args: WebAclArgs): WebAclSpec {
  const scope = args.scope ?? WebAclScope.CloudFront;
  const managedRuleGroups = args.managedRuleGroups ?? [...DEFAULT_MANAGED_RULE_GROUPS];
  return {
    name,
    scope,
    region: scope === WebAclScope.CloudFront ? "us-east-1" : args.region,
    rateLimit: args.rateLimit ?? 2000,
    rateWindowSeconds: args.rateWindowSeconds ?? 300,
    maxBodyBytes: args.maxBodyBytes ?? WAF_LIMITS.commonRuleSetBodyBytes,
    managedRuleGroups,
    logRetentionDays: args.logRetentionDays ?? 30,
    metricPrefix: wafMetricPrefix(name, managedRuleGroups),
  };
}

/**
 * `name` where WAF takes a name: unchanged when it is letters, digits, - and _, at most `maxLength` long and not
 * `reserved` (so names that deploy today keep their metrics and their web ACL); otherwise fitted by `fitName`: the
 * other characters become "-" and it ends in "-" and 8 hex digits of a hash of the whole name.
 */
export function wafName(name: string, maxLength: number, reserved: readonly string[] = []): string {
  return fitName(name, maxLength, { characters: WAF_NAME_CHARACTERS, reserved });
}

/** How long a metric prefix may be for `<prefix>-<rule>` to stay within WAF's 128 characters for each of `ruleNames`. */
function metricPrefixRoom(ruleNames: readonly string[]): number {
  return WAF_LIMITS.nameLength - 1 - Math.max(...ruleNames.map((rule) => rule.length));
}

/**
 * The web ACL's metric name and its rules' prefix, never a name WAF reserves. The component name when every metric
 * name of this ACL's own rules (the rate and size rules and `managedRuleGroups`) fits in 128 characters, so an ACL
 * keeps the metric names (and their history and alarms) it deploys with today. A name that does not fit is cut to
 * leave room for the longest rule WebAcl offers, so adding a rule group later does not rename its metrics again.
 */
export function wafMetricPrefix(name: string, managedRuleGroups: readonly string[]): string {
  const reserved = WAF_LIMITS.reservedMetricNames;
  const ownRules = [RATE_LIMIT_RULE, BODY_SIZE_RULE, ...managedRuleGroups];
  if (wafName(name, metricPrefixRoom(ownRules), reserved) === name) return name;
  return wafName(name, metricPrefixRoom([RATE_LIMIT_RULE, BODY_SIZE_RULE, ...MANAGED_RULE_GROUPS]), reserved);
}

/** The web ACL's Pulumi name, `<name>-acl`, short enough that Pulumi's autoname of it stays within WAF's 128 characters. */
export function webAclResourceName(name: string): string {
  return `${wafName(name, WAF_LIMITS.nameLength - AUTONAME_SUFFIX_LENGTH - "-acl".length)}-acl`;
}
