/**
 * WebAcl: an AWS WAF web ACL (cdk-nag CFR2 for CloudFront, APIG3 for API Gateway) with a per-IP rate limit,
 * a request-body size limit and AWS managed rule groups, metrics on every rule, and request logs in a
 * CloudWatch log group with retention.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argFailer } from "../errors";
import { registerSpec } from "../spec-registry";
import { BODY_SIZE_RULE, normaliseWebAcl, RATE_LIMIT_RULE, validateWebAclArgs, WAF_LIMITS, wafName, webAclResourceName, type WebAclArgs, type WebAclSpec } from "./spec";

export { BODY_SIZE_RULE, DEFAULT_MANAGED_RULE_GROUPS, MANAGED_RULE_GROUPS, RATE_LIMIT_RULE, WAF_LIMITS, WebAclScope, normaliseWebAcl, validateWebAclArgs } from "./spec";
export type { WebAclArgs, WebAclSpec } from "./spec";

/**
 * An AWS WAF web ACL with a per-IP rate limit, a request-body size limit and AWS managed rule groups, metrics
 * on every rule, and request logs in a CloudWatch log group with retention.
 *
 * @example
 * const waf = new WebAcl("site-waf", { rateLimit: 2000, logRetentionDays: 365 });
 * new aws.cloudfront.Distribution("cdn", { ..., webAclId: waf.arn }); // StaticSite does this with its `waf` arg
 */
export class WebAcl extends pulumi.ComponentResource {
  readonly spec: WebAclSpec;
  /** The web ACL's ARN: what a distribution's `webAclId` takes for WAFv2. */
  readonly arn: pulumi.Output<string>;
  readonly nodes: {
    readonly webAcl: aws.wafv2.WebAcl;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly logging: aws.wafv2.WebAclLoggingConfiguration;
  };

  constructor(name: string, args: WebAclArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:WebAcl", name, {}, opts);
    validateWebAclArgs(argFailer("WebAcl", name), args);
    this.spec = normaliseWebAcl(name, args);

    const webAcl = new aws.wafv2.WebAcl(
      // Autonamed from this: `<name>-acl` unless the name is too long or has characters WAF refuses.
      webAclResourceName(name),
      {
        // At most 256 characters (the provider's check); a name WAF would not take as a name is fitted here too.
        description: `${wafName(name, WAF_LIMITS.nameLength)}: rate limit per IP, body size limit, AWS managed rules`,
        scope: this.spec.scope,
        region: this.spec.region,
        defaultAction: { allow: {} },
        rules: webAclRules(this.spec),
        visibilityConfig: visibility(this.spec.metricPrefix),
      },
      { parent: this },
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      // "The name that you give the destination must start with aws-waf-logs-"
      // (https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html); it sits in the web ACL's region,
      // us-east-1 for CloudFront, as WAF wants everything a web ACL uses
      // (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html). Project and stack keep stacks apart.
      { name: wafLogGroupName(name), retentionInDays: this.spec.logRetentionDays, region: this.spec.region },
      { parent: this },
    );
    // No log resource policy of our own: "For an Amazon CloudWatch Logs log group, WAF creates a resource policy on the
    // log group" (API_PutLoggingConfiguration.html), and "For newly created subscriptions, resource policies are configured
    // at the log group level and have a maximum size of 51,200 bytes"
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html), so a new configuration
    // no longer adds the group to the account's 5,120-character AWSWAF-LOGS policy (review 94 #2, closed by review 109 #2).
    // A log group takes one policy ("one per LogGroup resourceARN", API_PutResourcePolicy.html): one written here would
    // contend with WAF's. The deployer needs logs:CreateLogDelivery, logs:PutResourcePolicy, logs:DescribeResourcePolicies
    // and logs:DescribeLogGroups on log-group:* for WAF to write it (the same CloudWatch Logs page).
    const logging = new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: webAcl.arn,
        logDestinationConfigs: [logGroup.arn],
        // Session tokens travel in these (the gallery's id-token cookie, API bearer tokens): keep them out of the logs.
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
        region: this.spec.region,
      },
      {
        parent: this,
        // A web ACL has one logging configuration, and PutLoggingConfiguration "completely replaces" it
        // (https://docs.aws.amazon.com/waf/latest/APIReference/API_PutLoggingConfiguration.html). terraform-provider-aws
        // replaces this resource on a new log_destination_configs (ForceNew) and deletes by its id, the web ACL's ARN
        // (internal/service/wafv2/web_acl_logging_configuration.go): created first, the new copy's configuration would be
        // deleted by the old copy's delete, leaving the web ACL logging nothing. The log group's ARN changes under the same
        // web ACL when the stack is renamed (its name holds the stack's), so the old copy goes first.
        deleteBeforeReplace: true,
      },
    );

    this.nodes = { webAcl, logGroup, logging };
    this.arn = webAcl.arn;
    registerSpec("WebAcl", name, this.spec);
    this.registerOutputs({ arn: this.arn });
  }
}

/** `aws-waf-logs-<project>-<stack>-<name>`: the prefix AWS WAF requires, unique per stack in an account and region. */
export function wafLogGroupName(name: string): string {
  return `aws-waf-logs-${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(/[^A-Za-z0-9._/#-]/g, "-");
}

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/** The rate rule first (cheapest, and it catches floods before they cost rule-group inspections), then the size rule, then the managed groups. */
export function webAclRules(spec: WebAclSpec): aws.types.input.wafv2.WebAclRule[] {
  const rules: aws.types.input.wafv2.WebAclRule[] = [
    {
      name: RATE_LIMIT_RULE,
      priority: 0,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: spec.rateLimit, evaluationWindowSec: spec.rateWindowSeconds, aggregateKeyType: "IP" } },
      visibilityConfig: visibility(`${spec.metricPrefix}-${RATE_LIMIT_RULE}`),
    },
    {
      name: BODY_SIZE_RULE,
      priority: 1,
      action: { block: {} },
      statement: {
        sizeConstraintStatement: {
          comparisonOperator: "GT",
          size: spec.maxBodyBytes,
          // A body past what WAF sees (16 KB) counts as too large rather than slipping through uninspected.
          fieldToMatch: { body: { oversizeHandling: "MATCH" } },
          textTransformations: [{ priority: 0, type: "NONE" }],
        },
      },
      visibilityConfig: visibility(`${spec.metricPrefix}-${BODY_SIZE_RULE}`),
    },
  ];
  spec.managedRuleGroups.forEach((group, index) => {
    // The common rule set blocks bodies over 8 KB itself; when the size rule allows more, that rule only counts.
    const bodyOverride = group === "AWSManagedRulesCommonRuleSet" && spec.maxBodyBytes > WAF_LIMITS.commonRuleSetBodyBytes
      ? [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]
      : undefined;
    rules.push({
      name: group,
      priority: 2 + index,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group, ruleActionOverrides: bodyOverride } },
      visibilityConfig: visibility(`${spec.metricPrefix}-${group}`),
    });
  });
  return rules;
}
