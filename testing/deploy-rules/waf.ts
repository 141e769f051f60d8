/** AWS WAF deploy rules: where web ACLs live, how a distribution names one, what a regional web ACL may be associated with, rate limits, logging destinations, body inspection, rule names, priorities and metric names. */
import { isWafName, wafMetricNameProblem } from "../../components/web-acl/spec";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { arnRegion, finding, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";

const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const RESOURCES_PAGE = "https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html";

/** The web ACL a logging configuration (or distribution) names by ARN (or, wrongly, by id). */
function webAclOf(graph: Graph, reference: unknown): RecordedResource | undefined {
  return ofType(graph, WEB_ACL).find((acl) => reference !== undefined && [acl.state.arn, acl.id].includes(reference as string));
}

/**
 * "AWS WAF is available globally for CloudFront distributions, but you must use the Region US East (N. Virginia) to
 * create your web ACL and any resources used in the web ACL"; a logging configuration is put in the web ACL's Region.
 */
export const WAF_CLOUDFRONT_REGION: DeployRule = {
  id: "WafCloudFrontRegion",
  title: "CLOUDFRONT-scope web ACLs (and their logging) are created in us-east-1",
  source: RESOURCES_PAGE,
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const acl of ofType(graph, WEB_ACL)) {
      const region = regionOf(graph, acl, context);
      if (acl.inputs.scope === "CLOUDFRONT" && region !== "us-east-1") {
        findings.push(finding("WafCloudFrontRegion", acl, `is a CLOUDFRONT web ACL in ${region}; WAF refuses the CLOUDFRONT scope outside us-east-1`, 'set region: "us-east-1" on the web ACL (StaticSite\'s waf does)'));
      }
    }
    for (const logging of ofType(graph, LOGGING)) {
      const acl = webAclOf(graph, logging.inputs.resourceArn);
      if (acl && regionOf(graph, logging, context) !== regionOf(graph, acl, context)) {
        findings.push(finding("WafCloudFrontRegion", logging, `is in ${regionOf(graph, logging, context)}, its web ACL ${acl.name} in ${regionOf(graph, acl, context)}`, "give the logging configuration the web ACL's region"));
      }
    }
    return findings;
  },
};

/**
 * DistributionConfig.WebACLId: "To specify a web ACL created using the latest version of AWS WAF, use the ACL ARN";
 * and only a CLOUDFRONT-scope web ACL can protect a distribution.
 */
export const WAF_DISTRIBUTION_ACL: DeployRule = {
  id: "WafDistributionWebAcl",
  title: "A distribution names its WAFv2 web ACL by ARN, and the web ACL has the CLOUDFRONT scope",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const acl = webAclOf(graph, d.inputs.webAclId);
      if (!acl) continue;
      if (d.inputs.webAclId !== acl.state.arn) findings.push(finding("WafDistributionWebAcl", d, `names web ACL ${acl.name} by its id; CloudFront takes a WAFv2 web ACL's ARN (ids are for WAF Classic)`, "set webAclId to the web ACL's arn"));
      if (acl.inputs.scope !== "CLOUDFRONT") findings.push(finding("WafDistributionWebAcl", d, `uses web ACL ${acl.name}, whose scope is ${acl.inputs.scope}; a distribution takes only CLOUDFRONT web ACLs`, 'create the web ACL with scope "CLOUDFRONT" in us-east-1'));
    }
    return findings;
  },
};

const RATE_WINDOWS = [60, 120, 300, 600];

/** Every rate-based statement, with the rule it is in (top-level rules; nested statements are not used here). */
function rateStatements(acl: RecordedResource): Array<{ rule: string; statement: Record<string, any> }> {
  return ((acl.inputs.rules ?? []) as Array<Record<string, any>>)
    .filter((rule) => rule.statement?.rateBasedStatement)
    .map((rule) => ({ rule: String(rule.name), statement: rule.statement.rateBasedStatement }));
}

/** "The lowest limit setting allowed is 10"; evaluation windows "60 (1 minute), 120 (2 minutes), 300 (5 minutes), and 600 (10 minutes)". */
export const WAF_RATE_LIMIT: DeployRule = {
  id: "WafRateLimit",
  title: "Rate-based rules limit at least 10 requests over a window of 60, 120, 300 or 600 seconds",
  source: "https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const acl of ofType(graph, WEB_ACL)) {
      for (const { rule, statement } of rateStatements(acl)) {
        if (!(Number(statement.limit) >= 10)) findings.push(finding("WafRateLimit", acl, `rule ${rule} limits to ${statement.limit} requests; WAF's lowest rate limit is 10`, "set the limit to 10 or more"));
        const window = statement.evaluationWindowSec ?? 300;
        if (!RATE_WINDOWS.includes(window)) findings.push(finding("WafRateLimit", acl, `rule ${rule} counts over ${window} s; WAF's evaluation windows are ${RATE_WINDOWS.join(", ")}`, "use one of those windows"));
      }
    }
    return findings;
  },
};

/** The name part of a logging destination ARN: a log group, a Firehose delivery stream or an S3 bucket. */
function destinationName(arn: string): string {
  return arn.split(":log-group:")[1]?.replace(/:\*$/, "") ?? arn.split(":deliverystream/")[1] ?? arn.split(":::")[1] ?? arn;
}

/**
 * "The name that you give the destination must start with aws-waf-logs-", and the destination is in the web ACL's
 * Region (us-east-1 for CloudFront): everything a web ACL uses lives in its Region (the resources page).
 */
export const WAF_LOG_DESTINATION: DeployRule = {
  id: "WafLogDestination",
  title: "WAF logs go to a destination named aws-waf-logs-*, in the web ACL's region",
  source: "https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html",
  check(graph, context: DeployRuleContext) {
    const findings: DeployFinding[] = [];
    for (const logging of ofType(graph, LOGGING)) {
      const acl = webAclOf(graph, logging.inputs.resourceArn);
      for (const arn of (logging.inputs.logDestinationConfigs ?? []) as string[]) {
        const name = destinationName(arn);
        if (!name.startsWith("aws-waf-logs-")) findings.push(finding("WafLogDestination", logging, `sends logs to ${name}, whose name does not start with aws-waf-logs-`, `rename the destination aws-waf-logs-${name}`));
        const region = arnRegion(arn);
        if (acl && region && region !== regionOf(graph, acl, context)) {
          findings.push(finding("WafLogDestination", logging, `sends logs to ${name} in ${region}, away from web ACL ${acl.name} in ${regionOf(graph, acl, context)}`, "create the destination in the web ACL's region"));
        }
      }
    }
    return findings;
  },
};

/** What a web ACL forwards of each body: 16 KB unless its associationConfig raises it (16/32/48/64 KB). */
function bodyInspectionBytes(acl: RecordedResource): number {
  const limits = ((acl.inputs.associationConfig?.requestBodies ?? []) as Array<Record<string, any>>).flatMap((body) => Object.values(body ?? {})) as Array<Record<string, any>>;
  const configured = limits.map((l) => /^KB_(\d+)$/.exec(String(l?.defaultSizeInspectionLimit))?.[1]).filter(Boolean).map(Number);
  return (configured.length ? Math.max(...configured) : 16) * 1024;
}

/**
 * "When a web request body is larger than the limit, the underlying host service only forwards the contents that are
 * within the limit" (16 KB by default for CloudFront and API Gateway): a size rule on the body above that limit can
 * never see the size it tests, so it blocks nothing (oversize CONTINUE) or blocks at the limit (MATCH), not at its size.
 */
export const WAF_BODY_INSPECTION: DeployRule = {
  id: "WafBodyInspection",
  title: "Body size rules test sizes WAF can see (within the body inspection limit)",
  source: "https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const acl of ofType(graph, WEB_ACL)) {
      const limit = bodyInspectionBytes(acl);
      for (const rule of (acl.inputs.rules ?? []) as Array<Record<string, any>>) {
        const size = rule.statement?.sizeConstraintStatement;
        if (size?.fieldToMatch?.body && Number(size.size) > limit) {
          findings.push(finding("WafBodyInspection", acl, `rule ${rule.name} tests bodies against ${size.size} bytes, but WAF sees only the first ${limit} bytes of a body`, `lower the size to ${limit} or less, or raise the web ACL's body inspection limit (associationConfig)`));
        }
      }
    }
    return findings;
  },
};

/**
 * Rule: Name, 1–128 characters of `^[\w\-]+$`; Priority, "Valid Range: Minimum value of 0" — "The priorities don't need
 * to be consecutive, but they must all be different"; each rule's VisibilityConfig as below. Rule names are unique
 * within a web ACL (the provider's documentation of `rule.name`: "Must be unique within the Web ACL"). A name set on the
 * web ACL itself is 1–128 of `^[0-9A-Za-z_-]+$` (terraform-provider-aws internal/service/wafv2/web_acl.go). Metric
 * names (VisibilityConfig.MetricName, API_VisibilityConfig): the same, and not a name WAF reserves (All,
 * Default_Action); the provider checks 1–128 of `^[0-9A-Za-z_-]+$` at preview (internal/service/wafv2/schemas.go).
 * The checks are WebAcl's own (`isWafName`, `wafMetricNameProblem`), so the rule and the component agree.
 */
export const WAF_RULE_NAMES: DeployRule = {
  id: "WafRuleNames",
  title: "A web ACL's rules have unique names and unique priorities of 0 or more, and every metric name is 1–128 letters, digits, - and _",
  source: "https://docs.aws.amazon.com/waf/latest/APIReference/API_Rule.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const fix = "use 1–128 letters, digits, - and _ (WebAcl fits the names it makes itself)";
    for (const acl of ofType(graph, WEB_ACL)) {
      const name = acl.inputs.name;
      if (name !== undefined && !isWafName(name)) {
        findings.push(finding("WafRuleNames", acl, `is named "${name}"; WAF takes 1–128 letters, digits, - and _`, fix));
      }
      const aclMetric = wafMetricNameProblem(acl.inputs.visibilityConfig?.metricName);
      if (aclMetric) findings.push(finding("WafRuleNames", acl, `the web ACL's metric name "${acl.inputs.visibilityConfig?.metricName ?? ""}" ${aclMetric}`, fix));
      const byName = new Set<string>();
      const byPriority = new Map<number, string>();
      for (const rule of (acl.inputs.rules ?? []) as Array<Record<string, any>>) {
        const ruleName = String(rule.name ?? "");
        if (!isWafName(ruleName)) findings.push(finding("WafRuleNames", acl, `has a rule named "${ruleName}"; WAF takes 1–128 letters, digits, - and _`, fix));
        if (byName.has(ruleName)) findings.push(finding("WafRuleNames", acl, `has two rules named ${ruleName}; rule names are unique within a web ACL`, "rename one of them"));
        byName.add(ruleName);
        const priority = rule.priority;
        if (!Number.isInteger(priority) || priority < 0) {
          findings.push(finding("WafRuleNames", acl, `rule ${ruleName} has priority ${priority}; WAF takes whole numbers from 0`, "give each rule a different whole number from 0"));
        } else if (byPriority.has(priority)) {
          findings.push(finding("WafRuleNames", acl, `rules ${byPriority.get(priority)} and ${ruleName} both have priority ${priority}; WAF requires the priorities of a web ACL's rules to be all different`, "give each rule a different priority"));
        } else {
          byPriority.set(priority, ruleName);
        }
        const ruleMetric = wafMetricNameProblem(rule.visibilityConfig?.metricName);
        if (ruleMetric) findings.push(finding("WafRuleNames", acl, `rule ${ruleName}'s metric name "${rule.visibilityConfig?.metricName ?? ""}" ${ruleMetric}`, fix));
      }
    }
    return findings;
  },
};

const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const ASSOCIATE_WEB_ACL = "https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html";

/**
 * The regional resources AssociateWebACL takes, by their ARN's form: "A regional application can be an Application
 * Load Balancer (ALB), an Amazon API Gateway REST API, an AppSync GraphQL API, an Amazon Cognito user pool, an App
 * Runner service, or an Amazon Web Services Verified Access instance" (ASSOCIATE_WEB_ACL; the same list in the
 * developer guide's "Associating or disassociating protection with an AWS resource",
 * https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html). The ARN forms are
 * AssociateWebACL's ResourceArn list (a REST API stage: `arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`).
 * AWS Amplify is on the current lists too: the developer guide's "Resources that you can protect with AWS WAF"
 * (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html) names "AWS Amplify" among
 * the regional resource types, and CloudFormation's WebACLAssociation ResourceArn list ends "For an AWS Amplify
 * instance: arn:partition:amplify:region:account-id:apps/app-id" (review 96 F3). It differs from the others in its web
 * ACL: AMPLIFY_WAF below.
 */
const AMPLIFY_APP = /^arn:[^:]+:amplify:[^:]+:\d{12}:apps\/[^/]+$/;
const WAF_ASSOCIABLE: ReadonlyArray<readonly [string, RegExp]> = [
  ["REST API stage", /^arn:[^:]+:apigateway:[^:]+::\/restapis\/[^/]+\/stages\/[^/]+$/],
  ["Application Load Balancer", /^arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}:loadbalancer\/app\/[^/]+\/[^/]+$/],
  ["AppSync GraphQL API", /^arn:[^:]+:appsync:[^:]+:\d{12}:apis\/[^/]+$/],
  ["Cognito user pool", /^arn:[^:]+:cognito-idp:[^:]+:\d{12}:userpool\/[^/]+$/],
  ["App Runner service", /^arn:[^:]+:apprunner:[^:]+:\d{12}:service\/[^/]+\/[^/]+$/],
  ["Verified Access instance", /^arn:[^:]+:ec2:[^:]+:\d{12}:verified-access-instance\/[^/]+$/],
  ["Amplify app", AMPLIFY_APP],
];
/**
 * The plan's resources of those kinds, by type: a target that is one of them is judged by what it is, not by its ARN's
 * form (a recording's mocks give some of them placeholder ARNs).
 */
const WAF_ASSOCIABLE_TYPES = new Set([
  "aws:apigateway/stage:Stage",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:alb/loadBalancer:LoadBalancer",
  "aws:appsync/graphQLApi:GraphQLApi",
  "aws:cognito/userPool:UserPool",
  "aws:apprunner/service:Service",
  "aws:verifiedaccess/instance:Instance",
  "aws:amplify/app:App",
]);
/**
 * An Amplify app takes a CLOUDFRONT web ACL, not a REGIONAL one, whatever the app's region: "You must create web ACLs
 * that you want to associate with an Amplify app in the Global (CloudFront) Region. Regional web ACLs might already
 * exist in your AWS account, but they are not compatible with Amplify." (Amplify Hosting user guide, "How Amplify
 * integrates with AWS WAF", https://docs.aws.amazon.com/amplify/latest/userguide/amplify-waf-configuration.html). So
 * the same-region checks are not made for it (the web ACL is in us-east-1, WafCloudFrontRegion's). Not confirmed:
 * which region's WAF endpoint the association itself must be made in (the association's region is not judged).
 */
const AMPLIFY_WAF = "https://docs.aws.amazon.com/amplify/latest/userguide/amplify-waf-configuration.html";
/** Whether an association names an Amplify app (by the plan's resource or the ARN's form). */
const amplifyTarget = (target: string, planTarget: RecordedResource | undefined) => planTarget?.type === "aws:amplify/app:App" || AMPLIFY_APP.test(target);
/** An HTTP or WebSocket API's stage (API Gateway v2): not among WAF_ASSOCIABLE. */
const V2_STAGE = /^arn:[^:]+:apigateway:[^:]+::\/apis\/[^/]+\/stages\/[^/]+$/;

/**
 * A WebAclAssociation (AssociateWebACL) names a resource AWS WAF protects (WAF_ASSOCIABLE: not an HTTP or WebSocket
 * API's stage, not a distribution), in the association's and the web ACL's region ("the web ACL must be in the same
 * region as your resource"), with a REGIONAL web ACL ("For Amazon CloudFront, don't use this call"; "You cannot
 * associate a web ACL that you have associated with a CloudFront distribution with any other AWS resource type",
 * web-acl-associating-aws-resource.html), and one association per resource (a resource has one web ACL). An Amplify app
 * is the exception: it takes a CLOUDFRONT web ACL (in us-east-1) whatever its region, and a REGIONAL one is refused
 * (AMPLIFY_WAF). No component
 * creates an association; WebAcl's REGIONAL scope invites a hand-written one. The exact refusals were not confirmed
 * (WAFInvalidParameterException, WAFUnavailableEntityException).
 */
export const WAF_ASSOCIATION_TARGET: DeployRule = {
  id: "WafAssociationTarget",
  title: "A web ACL association names a resource AWS WAF protects, in its region, with a REGIONAL web ACL (an Amplify app: a CLOUDFRONT one), once",
  source: ASSOCIATE_WEB_ACL,
  check(graph, context) {
    const findings: DeployFinding[] = [];
    const seen = new Map<string, RecordedResource>();
    for (const association of ofType(graph, ASSOCIATION)) {
      const target = association.inputs.resourceArn;
      if (typeof target !== "string" || target === "") continue;
      const region = regionOf(graph, association, context);
      const acl = webAclOf(graph, association.inputs.webAclArn);
      const planTarget = graph.find((r) => r.custom && r.state.arn === target);
      const targetRegion = planTarget ? regionOf(graph, planTarget, context) : arnRegion(target);
      const loadBalancer = planTarget?.type.endsWith("/loadBalancer:LoadBalancer");
      const amplify = amplifyTarget(target, planTarget);
      if (amplify) {
        if (acl && acl.inputs.scope !== "CLOUDFRONT") {
          findings.push(finding(this.id, association, `associates ${acl.name}, a ${acl.inputs.scope} web ACL, with the Amplify app ${target}; Amplify takes only web ACLs of the Global (CloudFront) Region ("Regional web ACLs ... are not compatible with Amplify", ${AMPLIFY_WAF})`, "use a web ACL of scope CLOUDFRONT (WebAclScope.CloudFront, created in us-east-1) whatever the app's region"));
        }
      } else if (V2_STAGE.test(target) || planTarget?.type === "aws:apigatewayv2/stage:Stage") {
        findings.push(finding(this.id, association, `names ${target}, an HTTP or WebSocket API stage; AWS WAF protects REST API stages, not HTTP or WebSocket APIs (API Gateway v2)`, "put the API behind CloudFront (StaticSite routes) and protect the distribution with a CLOUDFRONT web ACL, or make the API a REST API (kind: ApiKind.Rest)"));
      } else if (/^arn:[^:]+:cloudfront::/.test(target)) {
        findings.push(finding(this.id, association, `names the distribution ${target}; AssociateWebACL does not take CloudFront distributions`, "set the distribution's webAclId to a CLOUDFRONT web ACL's ARN (StaticSite's waf does) and drop the association"));
      } else if (
        !(planTarget && WAF_ASSOCIABLE_TYPES.has(planTarget.type) && (!loadBalancer || (planTarget.inputs.loadBalancerType ?? "application") === "application")) &&
        !WAF_ASSOCIABLE.some(([, form]) => form.test(target))
      ) {
        findings.push(finding(this.id, association, `names ${target}, which is none of the resources AWS WAF protects (${WAF_ASSOCIABLE.map(([kind]) => kind).join(", ")})`, "associate the web ACL with one of those resources' ARNs (a REST API's stage ARN, not the API's)"));
      } else if (targetRegion !== region) {
        findings.push(finding(this.id, association, `is in ${region} but names ${target}, in ${targetRegion}; a web ACL protects resources of its own region only`, `create the web ACL and the association in ${targetRegion}`));
      }
      if (acl && !amplify) {
        if (acl.inputs.scope === "CLOUDFRONT") {
          findings.push(finding(this.id, association, `associates ${acl.name}, a CLOUDFRONT web ACL; only REGIONAL web ACLs are associated with regional resources, a CLOUDFRONT one only with distributions (through their webAclId) and Amplify apps`, "use a web ACL of scope REGIONAL (WebAclScope.Regional) in the resource's region"));
        } else if (regionOf(graph, acl, context) !== region) {
          findings.push(finding(this.id, association, `is in ${region} but its web ACL ${acl.name} is in ${regionOf(graph, acl, context)}; the web ACL must be in the resource's region`, `create ${acl.name} in ${region}`));
        }
      }
      const first = seen.get(target);
      if (first) findings.push(finding(this.id, association, `names ${target}, which ${first.name} already associates; a resource takes one web ACL, so the two associations contend for it`, "keep one association per resource"));
      else seen.set(target, association);
    }
    return findings;
  },
};

export const WAF_RULES: DeployRule[] = [WAF_CLOUDFRONT_REGION, WAF_DISTRIBUTION_ACL, WAF_RATE_LIMIT, WAF_LOG_DESTINATION, WAF_BODY_INSPECTION, WAF_RULE_NAMES, WAF_ASSOCIATION_TARGET];
