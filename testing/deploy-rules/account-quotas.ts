/**
 * Account- and region-wide quotas on how many resources of a kind exist: CloudFront's custom policies, origin access
 * controls and key value stores, Cognito's custom domains, IAM roles, API Gateway VPC links. A plan counts its own
 * resources of the kind (one stack rule per quota) and the project rules add up the stacks that share an account (and
 * a region, for a regional quota). Either way the account's other resources, which no plan sees, count too: a plan
 * under the quota may still fail; one over it fails for sure, part-way through `pulumi up`, after the resources created
 * before the one over the quota.
 *
 * Adjustable quotas (an account may have raised them) are warnings, as CloudFrontFunctionCount and IamRoleQuotas; a
 * quota AWS does not raise is a failure.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext, type ProjectDeployRule, type StackPlan } from "./rule";

/** One quota on a number of resources of one kind in an account (or an account and region). */
export interface CountQuota {
  /** The kind as findings name it, plural and singular ("custom cache policies", "custom cache policy"). */
  kind: string;
  one: string;
  types: readonly string[];
  /** Resources of `types` that count (e.g. custom domains only, not prefix domains); all of them when unset. */
  counts?: (resource: RecordedResource) => boolean;
  quota: number;
  /**
   * Whether the quota is per account (global services, and the strict reading of Cognito's), per account and region, or
   * per Cognito user pool (the resources' `userPoolId`; a pool is in one account and region).
   */
  scope: "account" | "region" | "userPool";
  /** What AWS does with the create past the quota: "CreateCachePolicy fails (TooManyCachePolicies)". */
  refusal: string;
  /** The fix, after "ask for a quota increase (…)": how to need fewer of them. */
  fewer: string;
  /** The quota's name where an increase is asked for ("Service Quotas: CloudFront, Cache policies per AWS account"). */
  increase?: string;
}

const CLOUDFRONT_QUOTAS_PAGE = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html";

/**
 * CloudFront quotas (CLOUDFRONT_QUOTAS_PAGE), default quotas each with "Request a higher quota":
 * - General quotas on policies: "Custom cache policies per AWS account (Does not apply to CloudFront managed cache
 *   policies) 20" (Service Quotas L-7D134442), "Custom origin request policies per AWS account (Does not apply to
 *   CloudFront managed origin request policies) 20" (L-C3659C43), "Custom response headers policies per AWS account
 *   (Does not apply to CloudFront managed response headers policies) 20". The General Reference table
 *   (https://docs.aws.amazon.com/general/latest/gr/cf_region.html) still says "Cache policies per AWS account … 20 No";
 *   the guide's increase link is the newer word, and the default is 20 either way.
 * - General quotas on distributions: "Origin access controls per AWS account 100".
 * - Quotas on key value stores: "Maximum number of key value stores per account 50".
 * CloudFront is global: every one of the account's resources counts, whatever the provider's region. Past the quota the
 * create is refused with TooManyCachePolicies ("You have reached the maximum number of cache policies for this Amazon
 * Web Services account"), TooManyOriginRequestPolicies, TooManyResponseHeadersPolicies, TooManyOriginAccessControls
 * ("The number of origin access controls in your Amazon Web Services account exceeds the maximum allowed"), botocore's
 * CloudFront exceptions; the key value store's error code was not confirmed. StaticSite creates one cache policy and
 * one response headers policy per site, and one origin access control unless its hosting says otherwise; EdgeLogic one
 * key value store when asked.
 */
export const CLOUDFRONT_ACCOUNT_QUOTAS: readonly CountQuota[] = [
  {
    kind: "custom cache policies",
    one: "custom cache policy",
    types: ["aws:cloudfront/cachePolicy:CachePolicy"],
    quota: 20,
    scope: "account",
    refusal: "CreateCachePolicy fails (TooManyCachePolicies)",
    fewer: "share one cache policy between sites, or use a CloudFront managed cache policy (CachingOptimized), which does not count",
    increase: 'Service Quotas: CloudFront "Custom cache policies per AWS account"',
  },
  {
    kind: "custom origin request policies",
    one: "custom origin request policy",
    types: ["aws:cloudfront/originRequestPolicy:OriginRequestPolicy"],
    quota: 20,
    scope: "account",
    refusal: "CreateOriginRequestPolicy fails (TooManyOriginRequestPolicies)",
    fewer: "share origin request policies between distributions, or use a CloudFront managed one, which does not count",
    increase: 'Service Quotas: CloudFront "Custom origin request policies per AWS account"',
  },
  {
    kind: "custom response headers policies",
    one: "custom response headers policy",
    types: ["aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"],
    quota: 20,
    scope: "account",
    refusal: "CreateResponseHeadersPolicy fails (TooManyResponseHeadersPolicies)",
    fewer: "share one response headers policy between sites, or use a CloudFront managed one, which does not count",
    increase: 'AWS Support, CloudFront "Custom response headers policies per AWS account"',
  },
  {
    kind: "origin access controls",
    one: "origin access control",
    types: ["aws:cloudfront/originAccessControl:OriginAccessControl"],
    quota: 100,
    scope: "account",
    refusal: "CreateOriginAccessControl fails (TooManyOriginAccessControls)",
    fewer: "share one origin access control between origins (it is not tied to a bucket)",
    increase: 'AWS Support, CloudFront "Origin access controls per AWS account"',
  },
  {
    kind: "key value stores",
    one: "key value store",
    types: ["aws:cloudfront/keyValueStore:KeyValueStore"],
    quota: 50,
    scope: "account",
    refusal: "CreateKeyValueStore is refused",
    fewer: "share key value stores between functions (up to 10 functions per store)",
    increase: 'AWS Support, CloudFront "Maximum number of key value stores per account"',
  },
];

/**
 * Cognito's resource quotas (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#resource-quotas),
 * user pools: "Custom domains per Region | 4 | No | N/A" (older copies of the table said "per account"; the page: "Each
 * Amazon Cognito quota represents a maximum volume of requests in one AWS Region in one AWS account") — not
 * adjustable, so a failure, counted per account and region: a failure rule must not refuse domains spread over regions
 * that AWS takes. A custom domain is a UserPoolDomain with a certificate (CreateUserPoolDomain's CustomDomainConfig); a
 * prefix domain (`<prefix>.auth.<region>.amazoncognito.com`) has none and does not count. The exact error of the fifth
 * CreateUserPoolDomain was not confirmed.
 */
export const COGNITO_CUSTOM_DOMAIN_QUOTA: CountQuota = {
  kind: "Cognito custom domains (user pool domains with a certificate)",
  one: "Cognito custom domain (a user pool domain with a certificate)",
  types: ["aws:cognito/userPoolDomain:UserPoolDomain"],
  counts: (domain) => Boolean(domain.inputs.certificateArn),
  quota: 4,
  scope: "region",
  refusal: "CreateUserPoolDomain is refused, after the pool and its clients exist",
  fewer: "give the other stacks' pools a prefix domain (UserAuth domain.prefix, without domain.name) or move them to another account; AWS does not raise this quota",
};

/**
 * Amazon Cognito user pools resource quotas (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#resource-quotas):
 * "Resource servers per user pool | 25 | Yes | 300" (quota, adjustable, maximum): a warning. Counted per pool over the
 * plan's aws.cognito.ResourceServers (UserAuth's resourceServers and hand-built ones alike; UserAuth does not refuse
 * more than 25, as the quota may have been raised). Past it CreateResourceServer is refused (LimitExceededException,
 * which CreateResourceServer lists; the exact message was not confirmed), and an app client allowing the missing
 * server's scopes is not created either.
 */
export const COGNITO_RESOURCE_SERVER_QUOTA: CountQuota = {
  kind: "Cognito resource servers",
  one: "Cognito resource server",
  types: ["aws:cognito/resourceServer:ResourceServer"],
  quota: 25,
  scope: "userPool",
  refusal: "CreateResourceServer is refused (LimitExceededException)",
  fewer: "merge resource servers: one server can hold up to 100 scopes",
  increase: 'Service Quotas: Amazon Cognito User Pools "Resource servers per user pool", up to 300',
};

/**
 * IAM and AWS STS quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): "The following
 * quotas are adjustable", default quotas for IAM entities: "Roles in an AWS account | 1000 | 5000" (default, maximum).
 * IAM is global, so every role of the account counts. Past it CreateRole fails with LimitExceeded ("The request was
 * rejected because it attempted to create resources beyond the current Amazon Web Services account limits", IAM's
 * LimitExceededException). Every LambdaFunction has a role (each API route, authorizer and trigger), a schedule one
 * more; Lambda@Edge functions are kept on delete with their roles, so destroyed stacks keep using the quota.
 */
export const IAM_ROLE_QUOTA: CountQuota = {
  kind: "IAM roles",
  one: "IAM role",
  types: ["aws:iam/role:Role"],
  quota: 1000,
  scope: "account",
  refusal: "CreateRole fails (LimitExceeded)",
  fewer: "delete roles left behind (kept Lambda@Edge functions' roles: npm run edge-cleanup) or move stacks to other accounts",
  increase: 'Service Quotas: IAM "Roles per account", up to 5,000',
};

/**
 * Quotas for configuring and running a REST API
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html):
 * "VPC links per account per Region | 20 | Yes". A REST VPC link is an aws.apigateway.VpcLink (one per NLB in
 * ServerlessApi); counted per region of creation (regionOf).
 */
export const REST_VPC_LINK_QUOTA: CountQuota = {
  kind: "REST API VPC links",
  one: "REST API VPC link",
  types: ["aws:apigateway/vpcLink:VpcLink"],
  quota: 20,
  scope: "region",
  refusal: "CreateVpcLink is refused",
  fewer: "share one VPC link per Network Load Balancer between APIs",
  increase: 'Service Quotas: API Gateway "VPC links per account per Region"',
};

/**
 * Quotas for configuring and running an HTTP API (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html):
 * "VPC links per account per Region | 10 | Yes". An HTTP API VPC link is an aws.apigatewayv2.VpcLink (one per subnet
 * and security group set in ServerlessApi); counted per region of creation.
 */
export const HTTP_VPC_LINK_QUOTA: CountQuota = {
  kind: "HTTP API VPC links (VPC links V2)",
  one: "HTTP API VPC link (VPC link V2)",
  types: ["aws:apigatewayv2/vpcLink:VpcLink"],
  quota: 10,
  scope: "region",
  refusal: "CreateVpcLink (V2) is refused",
  fewer: "share one VPC link between APIs that reach the same subnets",
  increase: 'Service Quotas: API Gateway "VPC links per account per Region" (HTTP APIs)',
};

/**
 * CloudWatch alarms on Metrics Insights queries: "A default of 200 alarms using the Metrics Insights query per account per
 * Region" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html); the quotas page
 * (CLOUDWATCH_QUOTAS_PAGE) and the Metrics Insights quotas page say "200 Metrics Insights alarms per Region". Whether AWS
 * raises it is not confirmed: the English page says an increase can be asked for, a translated quota table says not
 * adjustable; taken as adjustable (a warning), so a raised account is not refused. Such an alarm is a MetricAlarm whose
 * `metricQueries` has an `expression` that is a Metrics Insights query: one starting with SELECT (case-insensitive; the
 * query language's first keyword, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html);
 * metric math (`SUM(METRICS())`) does not count. Monitoring makes two per table (throttles, system errors) and two per
 * user pool with threat protection. Past the quota PutMetricAlarm is refused (its error code was not confirmed), part-way
 * through `pulumi up`.
 */
export const METRICS_INSIGHTS_ALARM_QUOTA: CountQuota = {
  kind: "Metrics Insights alarms (alarms on a SELECT query)",
  one: "Metrics Insights alarm (an alarm on a SELECT query)",
  types: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  counts: (alarm) => isMetricsInsightsAlarm(alarm),
  quota: 200,
  scope: "region",
  refusal: "PutMetricAlarm is refused",
  fewer: "watch fewer tables or user pools with Monitoring, or alarm on plain metrics (metricName and dimensions) instead of a query",
  increase: 'Service Quotas: CloudWatch "Metrics Insights alarms" (whether AWS raises it is not confirmed)',
};

/** Whether `alarm` (a MetricAlarm) has a Metrics Insights query: a `metricQueries` expression starting with SELECT. */
export function isMetricsInsightsAlarm(alarm: RecordedResource): boolean {
  const queries: unknown = alarm.inputs.metricQueries;
  return Array.isArray(queries) && queries.some((q) => typeof q?.expression === "string" && /^\s*select\b/i.test(q.expression));
}

/** 101 → "101st". */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/**
 * The resources of `graph` that count against `quota`, in plan order. A per-pool quota counts only resources whose pool
 * id the plan knows: unknown ones cannot be told apart, and would all land in one group of their own.
 */
function counted(graph: Graph, quota: CountQuota): RecordedResource[] {
  return quota.types
    .flatMap((type) => ofType(graph, type))
    .filter((r) => quota.scope !== "userPool" || typeof r.inputs.userPoolId === "string")
    .filter((r) => quota.counts?.(r) ?? true);
}

/** Where a counted resource uses the quota: the plan's account, and its region for a regional quota; its user pool for a per-pool one. */
function where(quota: CountQuota, graph: Graph, resource: RecordedResource, context: DeployRuleContext): string {
  if (quota.scope === "userPool") {
    const id = String(resource.inputs.userPoolId);
    const pool = referenced(graph, "aws:cognito/userPool:UserPool", id);
    return `user pool ${pool ? `${pool.name} (${id})` : id}`;
  }
  // The project convention (ApiGatewayAccountSingleOwner): stacks without a known account are taken as the same one.
  const account = context.account ? `account ${context.account}` : "the same account";
  return quota.scope === "region" ? `${account} in ${regionOf(graph, resource, context)}` : account;
}

const scopeWords = (quota: CountQuota) => ({ region: "per account and region", account: "per AWS account", userPool: "per user pool" })[quota.scope];
/** Who else uses the quota, beyond the plan's resources. */
const othersWords = (quota: CountQuota) => (quota.scope === "userPool" ? "with the pool's others made outside the plan" : "with those of the account's other stacks");
/** "the default quota is 20 per AWS account, … : unless the account's quota was raised, X fails" or, for a quota AWS does not raise, "the quota is 4 …: X". */
const quotaSentence = (quota: CountQuota, counting: string) =>
  quota.increase
    ? `the default quota is ${quota.quota} ${scopeWords(quota)}, ${counting}: unless the account's quota was raised, ${quota.refusal}`
    : `the quota is ${quota.quota} ${scopeWords(quota)}, ${counting}, and AWS does not raise it: ${quota.refusal}`;
const countFix = (quota: CountQuota, have: string) => (quota.increase ? `ask for a quota increase (${quota.increase}), or ${quota.fewer}: ${have}` : `${quota.fewer}: ${have}`);

/** A stack rule: one finding per group (the account, each region, or each user pool) whose count passes the quota, on the first resource over it. */
function planCountRule(rule: { id: string; title: string; source: string; quotas: readonly CountQuota[] }): DeployRule {
  return {
    id: rule.id,
    title: rule.title,
    source: rule.source,
    check(graph, context) {
      const findings: DeployFinding[] = [];
      for (const quota of rule.quotas) {
        const groups = new Map<string, RecordedResource[]>();
        for (const r of counted(graph, quota)) {
          const key = where(quota, graph, r, context);
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key)!.push(r);
        }
        for (const [key, list] of groups) {
          const firstOver = list[quota.quota];
          if (!firstOver) continue;
          const region = quota.scope === "region" ? ` in ${regionOf(graph, firstOver, context)}` : quota.scope === "userPool" ? ` on ${key}` : "";
          findings.push(
            finding(
              rule.id,
              firstOver,
              `is the plan's ${ordinal(quota.quota + 1)} ${quota.one}${region}; ${quotaSentence(quota, othersWords(quota))}`,
              countFix(quota, `the plan has ${list.length}${region}`),
            ),
          );
        }
      }
      return findings;
    },
  };
}

/**
 * A project rule: the stacks that share an account (and region, for a regional quota) add up; a group over the quota
 * that no one stack fills alone (that is the stack rule's) gets one finding, on the first resource over the quota,
 * counting the stacks in the order given.
 */
function projectCountRule(rule: { id: string; title: string; source: string; quotas: readonly CountQuota[] }): ProjectDeployRule {
  return {
    id: rule.id,
    title: rule.title,
    source: rule.source,
    check(stacks: readonly StackPlan[]) {
      const findings: DeployFinding[] = [];
      for (const quota of rule.quotas) {
        const groups = new Map<string, Array<{ stack: string; resource: RecordedResource }>>();
        for (const { graph, context } of stacks) {
          for (const resource of counted(graph, quota)) {
            const key = where(quota, graph, resource, context);
            if (!groups.has(key)) groups.set(key, []);
            groups.get(key)!.push({ stack: context.stack, resource });
          }
        }
        for (const [place, list] of groups) {
          const perStack = new Map<string, number>();
          for (const { stack } of list) perStack.set(stack, (perStack.get(stack) ?? 0) + 1);
          if (list.length <= quota.quota || perStack.size < 2 || [...perStack.values()].some((n) => n > quota.quota)) continue;
          const firstOver = list[quota.quota];
          const counts = [...perStack].map(([stack, n]) => `${stack}: ${n}`).join(", ");
          findings.push(
            finding(
              rule.id,
              firstOver.resource,
              `is the ${ordinal(quota.quota + 1)} ${quota.one} the project's stacks create in ${place} (${counts}); ${quotaSentence(quota, "these stacks' together")}, in the stack that deploys last`,
              countFix(quota, `the stacks have ${list.length} together`),
              firstOver.stack,
            ),
          );
        }
      }
      return findings;
    },
  };
}

const COGNITO_QUOTAS_PAGE = "https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#resource-quotas";
const IAM_QUOTAS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
const REST_QUOTAS_PAGE = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html";
const HTTP_QUOTAS_PAGE = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html";
const CLOUDWATCH_QUOTAS_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html";

export const CLOUDFRONT_ACCOUNT_QUOTA_COUNT = planCountRule({
  id: "CloudFrontAccountQuotas",
  title: "A plan has at most 20 custom cache, origin request and response headers policies each, 100 origin access controls and 50 key value stores: CloudFront's default quotas per AWS account",
  source: CLOUDFRONT_QUOTAS_PAGE,
  quotas: CLOUDFRONT_ACCOUNT_QUOTAS,
});

export const COGNITO_CUSTOM_DOMAIN_COUNT = planCountRule({
  id: "CognitoCustomDomainCount",
  title: "A plan has at most 4 Cognito custom domains in a region, a quota per account and region AWS does not raise",
  source: COGNITO_QUOTAS_PAGE,
  quotas: [COGNITO_CUSTOM_DOMAIN_QUOTA],
});

export const COGNITO_RESOURCE_SERVER_COUNT = planCountRule({
  id: "CognitoResourceServerCount",
  title: "A plan gives a Cognito user pool at most 25 resource servers, Cognito's default (adjustable) quota per user pool",
  source: COGNITO_QUOTAS_PAGE,
  quotas: [COGNITO_RESOURCE_SERVER_QUOTA],
});

export const IAM_ROLE_COUNT = planCountRule({
  id: "IamRoleCount",
  title: "A plan has at most 1,000 IAM roles, IAM's default quota per account",
  source: IAM_QUOTAS_PAGE,
  quotas: [IAM_ROLE_QUOTA],
});

export const API_VPC_LINK_COUNT = planCountRule({
  id: "ApiVpcLinkCount",
  title: "A plan has at most 20 REST API VPC links in a region, API Gateway's default quota per account and region",
  source: REST_QUOTAS_PAGE,
  quotas: [REST_VPC_LINK_QUOTA],
});

export const API_V2_VPC_LINK_COUNT = planCountRule({
  id: "ApiV2VpcLinkCount",
  title: "A plan has at most 10 HTTP API VPC links in a region, API Gateway's default quota per account and region",
  source: HTTP_QUOTAS_PAGE,
  quotas: [HTTP_VPC_LINK_QUOTA],
});

export const METRICS_INSIGHTS_ALARM_COUNT = planCountRule({
  id: "MetricsInsightsAlarmCount",
  title: "A plan has at most 200 Metrics Insights alarms in a region, CloudWatch's default quota per account and region",
  source: CLOUDWATCH_QUOTAS_PAGE,
  quotas: [METRICS_INSIGHTS_ALARM_QUOTA],
});

export const CLOUDFRONT_ACCOUNT_QUOTAS_ACROSS_STACKS = projectCountRule({
  id: "CloudFrontAccountQuotasAcrossStacks",
  title: "The project's stacks in one account have at most 20 custom cache, origin request and response headers policies each, 100 origin access controls and 50 key value stores together",
  source: CLOUDFRONT_QUOTAS_PAGE,
  quotas: CLOUDFRONT_ACCOUNT_QUOTAS,
});

export const COGNITO_CUSTOM_DOMAIN_COUNT_ACROSS_STACKS = projectCountRule({
  id: "CognitoCustomDomainCountAcrossStacks",
  title: "The project's stacks in one account have at most 4 Cognito custom domains together in each region",
  source: COGNITO_QUOTAS_PAGE,
  quotas: [COGNITO_CUSTOM_DOMAIN_QUOTA],
});

export const IAM_ROLE_COUNT_ACROSS_STACKS = projectCountRule({
  id: "IamRoleCountAcrossStacks",
  title: "The project's stacks in one account have at most 1,000 IAM roles together",
  source: IAM_QUOTAS_PAGE,
  quotas: [IAM_ROLE_QUOTA],
});

export const API_VPC_LINK_COUNT_ACROSS_STACKS = projectCountRule({
  id: "ApiVpcLinkCountAcrossStacks",
  title: "The project's stacks in one account and region have at most 20 REST API VPC links together",
  source: REST_QUOTAS_PAGE,
  quotas: [REST_VPC_LINK_QUOTA],
});

export const API_V2_VPC_LINK_COUNT_ACROSS_STACKS = projectCountRule({
  id: "ApiV2VpcLinkCountAcrossStacks",
  title: "The project's stacks in one account and region have at most 10 HTTP API VPC links together",
  source: HTTP_QUOTAS_PAGE,
  quotas: [HTTP_VPC_LINK_QUOTA],
});

export const METRICS_INSIGHTS_ALARM_COUNT_ACROSS_STACKS = projectCountRule({
  id: "MetricsInsightsAlarmCountAcrossStacks",
  title: "The project's stacks in one account and region have at most 200 Metrics Insights alarms together",
  source: CLOUDWATCH_QUOTAS_PAGE,
  quotas: [METRICS_INSIGHTS_ALARM_QUOTA],
});

const LAMBDA_FUNCTION = "aws:lambda/function:Function";
const LAMBDA_CONCURRENCY_PAGE = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html";

/**
 * Lambda's reserved concurrency, summed over an account's functions in a region. "You can reserve up to the Unreserved
 * account concurrency value that is shown, minus 100 for functions that don't have reserved concurrency"
 * (LAMBDA_CONCURRENCY_PAGE); Lambda quotas, "Concurrent executions | 1,000 | Tens of thousands" per Region, and "New AWS
 * accounts have reduced concurrency and memory quotas" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * So a default account takes at most 900 reserved together; PutFunctionConcurrency for the function that crosses it
 * fails with "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below
 * its minimum value of [100]" (the bracketed minimum is the account's: [50] is seen on a new account, docs.gruntwork.io
 * knowledge base #215). Adjustable, so a warning; an account with a lower quota refuses less, one with a raised quota more.
 * ServerlessApi's `functionDefaults.reservedConcurrency` reserves it for every route's function.
 */
export const LAMBDA_RESERVED_CONCURRENCY = { quota: 1000, unreserved: 100 } as const;
const reservable = LAMBDA_RESERVED_CONCURRENCY.quota - LAMBDA_RESERVED_CONCURRENCY.unreserved;

/** The functions of `graph` that reserve concurrency (`reservedConcurrentExecutions` > 0), with their reservations. */
function reservations(graph: Graph): Array<{ resource: RecordedResource; reserved: number }> {
  return ofType(graph, LAMBDA_FUNCTION)
    .map((resource) => ({ resource, reserved: Number(resource.inputs.reservedConcurrentExecutions) }))
    .filter(({ reserved }) => Number.isFinite(reserved) && reserved > 0);
}

/** The reservation that takes `list`'s running sum past what a default account can reserve, that sum, and the whole sum; undefined when none does. */
function crossingReservation<T extends { reserved: number }>(list: readonly T[]): { crossing: T; sum: number; total: number } | undefined {
  let sum = 0;
  const crossing = list.find((r) => (sum += r.reserved) > reservable);
  return crossing && { crossing, sum, total: list.reduce((n, r) => n + r.reserved, 0) };
}

const reservationFix = (have: string) =>
  `lower or drop the reservations (reserve only the functions that need a floor; ServerlessApi's functionDefaults.reservedConcurrency reserves for every route), or raise the account's quota first (Service Quotas: AWS Lambda "Concurrent executions"): ${have}`;

/** One warning per account and region whose functions reserve more than a default account can (900), on the function that crosses it. */
export const LAMBDA_RESERVED_CONCURRENCY_SUM: DeployRule = {
  id: "LambdaReservedConcurrencySum",
  title: "A plan's functions reserve at most 900 concurrent executions in a region: Lambda's default 1,000 per account and region, less the 100 it keeps unreserved",
  source: LAMBDA_CONCURRENCY_PAGE,
  check(graph, context) {
    const groups = new Map<string, Array<{ resource: RecordedResource; reserved: number }>>();
    for (const r of reservations(graph)) {
      const region = regionOf(graph, r.resource, context);
      if (!groups.has(region)) groups.set(region, []);
      groups.get(region)!.push(r);
    }
    const findings: DeployFinding[] = [];
    for (const [region, list] of groups) {
      const over = crossingReservation(list);
      if (!over) continue;
      const { crossing, sum, total } = over;
      findings.push(
        finding(
          this.id,
          crossing.resource,
          `reserves ${crossing.reserved} concurrent executions, taking the plan's functions in ${region} to ${sum} reserved (${total} in all, ${list.length} functions); Lambda keeps ${LAMBDA_RESERVED_CONCURRENCY.unreserved} of the account's concurrency unreserved and the default quota is ${LAMBDA_RESERVED_CONCURRENCY.quota} per account and region, with the account's other functions' reservations: unless the account's quota was raised, PutFunctionConcurrency fails ("decreases account's UnreservedConcurrentExecution below its minimum value")`,
          reservationFix(`the plan reserves ${total} in ${region}`),
        ),
      );
    }
    return findings;
  },
};

/** The stacks of one account (known or not, as `where` takes them) together in a region, when no one stack passes 900 alone. */
export const LAMBDA_RESERVED_CONCURRENCY_SUM_ACROSS_STACKS: ProjectDeployRule = {
  id: "LambdaReservedConcurrencySumAcrossStacks",
  title: "The project's stacks in one account reserve at most 900 concurrent executions together in each region",
  source: LAMBDA_CONCURRENCY_PAGE,
  check(stacks) {
    const groups = new Map<string, Array<{ stack: string; resource: RecordedResource; reserved: number }>>();
    for (const { graph, context } of stacks) {
      for (const r of reservations(graph)) {
        const account = context.account ? `account ${context.account}` : "the same account";
        const key = `${account} in ${regionOf(graph, r.resource, context)}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push({ stack: context.stack, ...r });
      }
    }
    const findings: DeployFinding[] = [];
    for (const [place, list] of groups) {
      const perStack = new Map<string, number>();
      for (const { stack, reserved } of list) perStack.set(stack, (perStack.get(stack) ?? 0) + reserved);
      if (perStack.size < 2 || [...perStack.values()].some((n) => n > reservable)) continue;
      const over = crossingReservation(list);
      if (!over) continue;
      const { crossing, sum, total } = over;
      const counts = [...perStack].map(([stack, n]) => `${stack}: ${n}`).join(", ");
      findings.push(
        finding(
          this.id,
          crossing.resource,
          `takes the concurrency the project's stacks reserve in ${place} to ${sum} (${counts}); Lambda keeps ${LAMBDA_RESERVED_CONCURRENCY.unreserved} unreserved of the default ${LAMBDA_RESERVED_CONCURRENCY.quota} per account and region: unless the account's quota was raised, PutFunctionConcurrency fails in the stack that deploys last`,
          reservationFix(`the stacks reserve ${total} together`),
          crossing.stack,
        ),
      );
    }
    return findings;
  },
};

/** Stack rules on a quota AWS does not raise: part of DEPLOY_RULES. */
export const ACCOUNT_QUOTA_RULES: DeployRule[] = [COGNITO_CUSTOM_DOMAIN_COUNT];
/** Stack rules on adjustable quotas: part of DEPLOY_WARNING_RULES. */
export const ACCOUNT_QUOTA_WARNING_RULES: DeployRule[] = [CLOUDFRONT_ACCOUNT_QUOTA_COUNT, COGNITO_RESOURCE_SERVER_COUNT, IAM_ROLE_COUNT, API_VPC_LINK_COUNT, API_V2_VPC_LINK_COUNT, METRICS_INSIGHTS_ALARM_COUNT, LAMBDA_RESERVED_CONCURRENCY_SUM];
/** Project rules on a quota AWS does not raise: part of PROJECT_DEPLOY_RULES. */
export const ACCOUNT_QUOTA_PROJECT_RULES: ProjectDeployRule[] = [COGNITO_CUSTOM_DOMAIN_COUNT_ACROSS_STACKS];
/** Project rules on adjustable quotas: part of PROJECT_DEPLOY_WARNING_RULES. */
export const ACCOUNT_QUOTA_PROJECT_WARNING_RULES: ProjectDeployRule[] = [CLOUDFRONT_ACCOUNT_QUOTAS_ACROSS_STACKS, IAM_ROLE_COUNT_ACROSS_STACKS, API_VPC_LINK_COUNT_ACROSS_STACKS, API_V2_VPC_LINK_COUNT_ACROSS_STACKS, METRICS_INSIGHTS_ALARM_COUNT_ACROSS_STACKS, LAMBDA_RESERVED_CONCURRENCY_SUM_ACROSS_STACKS];
