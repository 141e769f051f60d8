/**
 * The deploy-rule pack: every rule, and the functions that run them over one stack's plan
 * (`checkDeployRules`, and the warnings of `checkDeployWarnings`) or over all the stacks of a project
 * (`checkProjectDeployRules`).
 */
import { holdingGraphs, type Graph } from "../../local/offline/graph";
import type { OfflineRun } from "../../local/offline/program";
import { ACCOUNT_QUOTA_PROJECT_RULES, ACCOUNT_QUOTA_PROJECT_WARNING_RULES, ACCOUNT_QUOTA_RULES, ACCOUNT_QUOTA_WARNING_RULES } from "./account-quotas";
import { ACM_RULES, ACM_WARNING_RULES } from "./acm";
import { API_AUTHORIZER_RULES } from "./api-authorizers";
import { API_STAGE_LOGGING_RULES } from "./api-stage-logging";
import { API_USAGE_PLAN_RULES } from "./api-usage-plans";
import { APIGATEWAY_PROJECT_RULES, APIGATEWAY_RULES } from "./apigateway";
import { APIGATEWAYV2_PROJECT_RULES, APIGATEWAYV2_RULES, APIGATEWAYV2_WARNING_RULES } from "./apigatewayv2";
import { BACKUP_RULES } from "./backup";
import { CLOUDFRONT_PROJECT_RULES, CLOUDFRONT_RULES, CLOUDFRONT_WARNING_RULES } from "./cloudfront";
import { CLOUDWATCH_RULES, CLOUDWATCH_WARNING_RULES } from "./cloudwatch";
import { COGNITO_PROJECT_RULES, COGNITO_RULES } from "./cognito";
import { DYNAMODB_RULES } from "./dynamodb";
import { EVENT_RULES } from "./events";
import { EVENTBRIDGE_RULES } from "./eventbridge";
import { IAM_RULES, IAM_WARNING_RULES } from "./iam";
import { KINESIS_RULES, KINESIS_WARNING_RULES } from "./kinesis";
import { RDS_RULES } from "./rds";
import { LAMBDA_RULES } from "./lambda";
import { LAMBDA_EDGE_RULES, LAMBDA_EDGE_WARNING_RULES } from "./lambda-edge";
import { LOG_GROUP_KEY_ORDER_RULES } from "./log-group-key-order";
import { NAME_COLLISION_RULES } from "./name-collisions";
import { NAME_RULES } from "./names";
import { PROPERTY_PATH_RULES } from "./property-paths";
import { ECR_RULES, KMS_RULES } from "./one-policy";
import type { DeployFinding, DeployRule, DeployRuleContext, ProjectDeployRule, StackPlan } from "./rule";
import { ROUTE53_PROJECT_RULES, ROUTE53_RULES } from "./route53";
import { S3_RULES } from "./s3";
import { REGION_RULES } from "./region";
import { SECRET_RULES } from "./secrets";
import { SNS_RULES } from "./sns";
import { SQS_RULES } from "./sqs";
import { STATES_RULES, STATES_WARNING_RULES } from "./states";
import { TAG_RULES } from "./tags";
import { VPC_RULES } from "./vpc";
import { WAF_RULES } from "./waf";

/** Rules over one stack's recorded plan. */
export const DEPLOY_RULES: readonly DeployRule[] = [...CLOUDFRONT_RULES, ...LAMBDA_EDGE_RULES, ...APIGATEWAY_RULES, ...APIGATEWAYV2_RULES, ...API_AUTHORIZER_RULES, ...API_USAGE_PLAN_RULES, ...API_STAGE_LOGGING_RULES, ...COGNITO_RULES, ...DYNAMODB_RULES, ...LAMBDA_RULES, ...S3_RULES, ...EVENT_RULES, ...EVENTBRIDGE_RULES, ...SQS_RULES, ...SNS_RULES, ...STATES_RULES, ...IAM_RULES, ...TAG_RULES, ...WAF_RULES, ...CLOUDWATCH_RULES, ...LOG_GROUP_KEY_ORDER_RULES, ...BACKUP_RULES, ...VPC_RULES, ...ROUTE53_RULES, ...SECRET_RULES, ...ACM_RULES, ...NAME_RULES, ...NAME_COLLISION_RULES, ...REGION_RULES, ...ACCOUNT_QUOTA_RULES, ...KINESIS_RULES, ...RDS_RULES, ...KMS_RULES, ...ECR_RULES, ...PROPERTY_PATH_RULES];

/**
 * Rules whose findings are warnings, not failures: what AWS refuses only under a default quota that an account may
 * have raised (ACM's 10 names per certificate, CloudFront's 100 functions per account). A plan cannot read the account's quotas, so a stack deployed under a
 * raised one must not fail on them: print them, and fail on DEPLOY_RULES' findings only. Also what AWS accepts but can
 * never work, where a resource outside the plan could make it right (an alarm on a metric never published).
 */
export const DEPLOY_WARNING_RULES: readonly DeployRule[] = [...ACM_WARNING_RULES, ...APIGATEWAYV2_WARNING_RULES, ...CLOUDFRONT_WARNING_RULES, ...LAMBDA_EDGE_WARNING_RULES, ...CLOUDWATCH_WARNING_RULES, ...IAM_WARNING_RULES, ...STATES_WARNING_RULES, ...ACCOUNT_QUOTA_WARNING_RULES, ...KINESIS_WARNING_RULES];

/** Rules over the plans of all the stacks of a project (account-wide and globally unique settings). */
export const PROJECT_DEPLOY_RULES: readonly ProjectDeployRule[] = [...APIGATEWAY_PROJECT_RULES, ...APIGATEWAYV2_PROJECT_RULES, ...COGNITO_PROJECT_RULES, ...CLOUDFRONT_PROJECT_RULES, ...ROUTE53_PROJECT_RULES, ...ACCOUNT_QUOTA_PROJECT_RULES];

/**
 * Project rules whose findings are warnings (DEPLOY_WARNING_RULES' counterpart over several stacks): the stacks of an
 * account together over a default quota the account may have raised (CloudFront's policies, IAM roles, VPC links).
 */
export const PROJECT_DEPLOY_WARNING_RULES: readonly ProjectDeployRule[] = [...ACCOUNT_QUOTA_PROJECT_WARNING_RULES];

/**
 * A stack's plan as the rules take it, from an offline run of the program (`runProgramOffline`).
 * `production` turns on the production-only checks; this project treats its `prod` stack so.
 */
export function planOf(run: OfflineRun, production: boolean): StackPlan {
  return { graph: run.resources, context: { stack: run.config.stack, production, region: run.config.region } };
}

/** Every finding of every deploy rule (or of `rules`) on one stack's plan; an empty list means nothing AWS is known to reject. */
export function checkDeployRules(graph: Graph, context: DeployRuleContext, rules: readonly DeployRule[] = DEPLOY_RULES): DeployFinding[] {
  // The rules read the plan and none writes it: held, its queries (ofType, dependencyClosure) answer from look-ups made once per run.
  return holdingGraphs([graph], () => rules.flatMap((rule) => rule.check(graph, context).map((f) => ({ stack: context.stack, ...f }))));
}

/** Every warning of the warning rules (or of `rules`) on one stack's plan: print them, do not fail on them. */
export function checkDeployWarnings(graph: Graph, context: DeployRuleContext, rules: readonly DeployRule[] = DEPLOY_WARNING_RULES): DeployFinding[] {
  return checkDeployRules(graph, context, rules);
}

/** Every finding of the project rules (or of `rules`) over several stacks' plans. */
export function checkProjectDeployRules(stacks: readonly StackPlan[], rules: readonly ProjectDeployRule[] = PROJECT_DEPLOY_RULES): DeployFinding[] {
  return holdingGraphs(
    stacks.map((stack) => stack.graph),
    () => rules.flatMap((rule) => rule.check(stacks)),
  );
}

/** Every warning of the project warning rules (or of `rules`) over several stacks' plans: print them, do not fail on them. */
export function checkProjectDeployWarnings(stacks: readonly StackPlan[], rules: readonly ProjectDeployRule[] = PROJECT_DEPLOY_WARNING_RULES): DeployFinding[] {
  return checkProjectDeployRules(stacks, rules);
}

export * from "./account-quotas";
export * from "./acm";
export * from "./api-authorizers";
export * from "./api-stage-logging";
export * from "./api-usage-plans";
export * from "./apigateway";
export * from "./apigatewayv2";
export * from "./backup";
export * from "./cloudfront";
export * from "./cloudwatch";
export * from "./cognito";
export * from "./dynamodb";
export * from "./events";
export * from "./eventbridge";
export { IAM_PATH, IAM_POLICY_LIMITS, IAM_POLICY_LIMITS_RULE, IAM_ROLE_DEFAULT_QUOTAS, IAM_ROLE_QUOTAS, IAM_RULES, IAM_UNIQUE_SID, IAM_WARNING_RULES, iamPolicySize } from "./iam";
export * from "./kinesis";
export { KMS_KEY_POLICY_SIZE } from "./key-policy";
export * from "./rds";
// TransitionNamedType and TransitionStatefulType extend it.
export type { InputComparison } from "./replacements";
export * from "./lambda";
export * from "./lambda-edge";
export * from "./log-group-key-order";
// functionOf only: the rest of lambda-ref.ts (functionIndex, permissionFunction) are the rules' internal look-ups.
export { functionOf } from "./lambda-ref";
export * from "./name-collisions";
export * from "./names";
// The engine's own refusals of ignoreChanges/replaceOnChanges entries (the parser is the transition checks' internal).
export { PROPERTY_PATH_RULES } from "./property-paths";
// The stack's pulumi:autonaming as the engine reads it, for checkPlanTransition's options.autonaming.
export { parseAutonaming, type AutonamingConfig, type AutonamingStack, type Autonamer } from "./autonaming";
export {
  API_GATEWAY_ONE_REST_API_POLICY,
  BACKUP_ONE_VAULT_POLICY,
  CLOUDWATCH_LOGS_ONE_RESOURCE_POLICY,
  ECR_ONE_REPOSITORY_POLICY,
  ECR_RULES,
  KINESIS_ONE_RESOURCE_POLICY,
  KMS_ONE_KEY_POLICY,
  KMS_RULES,
  LAMBDA_ONE_RESOURCE_POLICY,
  onePolicyRule,
  S3_ONE_BUCKET_POLICY,
  SECRETS_MANAGER_ONE_SECRET_POLICY,
  type OnePolicySpec,
  type OnePolicyWording,
  type PolicyTarget,
} from "./one-policy";
export * from "./region";
export * from "./route53";
export * from "./rule";
export * from "./s3";
export * from "./secrets";
export * from "./sns";
export * from "./sqs";
export * from "./states";
export * from "./tags";
export * from "./transition";
export * from "./transition-data";
export * from "./vpc";
export * from "./waf";
