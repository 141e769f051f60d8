/**
 * serverless-fullstack: Pulumi components for full-stack serverless apps on AWS.
 * `import { StaticSite, LambdaFunction } from "serverless-fullstack";`
 *
 * @packageDocumentation
 */
export { StaticSite, ErrorDocumentServer } from "./static-site";
export type { StaticSiteArgs, StaticSiteBuild, StaticSiteDomain, StaticSiteRoute, StaticSiteSpec, CacheRule, SecurityHeaders, PriceClass } from "./static-site";
export { EdgeLogic, EDGE_LIMITS, EDGE_LOG_REGIONS, EDGE_TAGS, CLOUDFRONT_FUNCTION_RUNTIME, DEFAULT_BEHAVIOUR } from "./edge-logic";
export { CLOUDFRONT_NAME_LENGTH } from "./autoname";
export type { EdgeAssociation, EdgeEventType, FunctionEventType, EdgeFunctionArgs, EdgeLambdaArgs, EdgeLogicArgs } from "./edge-logic";
// The resource alone: the publisher barrel also holds the provider's runtime code, which loads the S3 and CloudFront
// SDKs (≈0.1 s per program run, issue 15) that only the provider, in its own process at deploy time, uses.
export { SitePublisher } from "./static-site/publisher/resource";
export { DEFAULT_PUBLISH_OPTIONS } from "./static-site/publisher/types";
export type { SitePublisherArgs, StaticSitePublishArgs, Manifest, FileEntry, PublishOptions, LastDeploy } from "./static-site/publisher";
export { LambdaFunction, LAMBDA_LIMITS, LAMBDA_RUNTIME } from "./lambda/function";
export { LAMBDA_BUNDLE_EXTERNALS } from "./lambda/bundle";
export type { LambdaFunctionArgs, LambdaFunctionSpec, AsyncDestination, FailureDestination, FunctionVpc } from "./lambda/function";
export type { FunctionScheduleArgs, FunctionScheduleSpec } from "./lambda/schedule";
export { SecretStore, secretResourceArn } from "./lambda/secrets";
export type { FunctionSecret, FunctionSecretSpec } from "./lambda/secrets";
export { StackSecret } from "./stack-secret";
export { PrivateNetwork, vpcDnsProblem } from "./private-network";
export type { PrivateNetworkArgs, PrivateNetworkSpec, ExistingVpc, GatewayEndpointService } from "./private-network";
export type { StackSecretArgs, StackSecretSpec } from "./stack-secret";
export { parseScheduleExpression, nextFireTime, type ParsedSchedule } from "./schedule-expression";
export { BucketEvents, S3_EVENT_TYPES } from "./bucket-events";
export type { BucketEventsArgs, BucketEventsSpec, ObjectEventSubscription, ObjectEventSubscriptionSpec } from "./bucket-events";
export { DEAD_LETTER_RETENTION_DAYS } from "./queues";
export { MessageQueue, MESSAGE_QUEUE_LIMITS, SQS_MAX_MESSAGE_BYTES, QUEUE_CONSUME_ACTIONS, QUEUE_SEND_ACTIONS, defaultVisibilityTimeout } from "./message-queue";
export type { MessageQueueArgs, MessageQueueConsumer, MessageQueueSpec, MessageQueueGrants, MessageQueueTopic } from "./message-queue";
export { Topic, SNS_MANAGED_KEY, TOPIC_PUBLISH_ACTIONS, TOPIC_KMS_PUBLISH_ACTIONS, TOPIC_OWNER_ACTIONS, FILTER_POLICY_LIMITS, FILTER_POLICY_OPERATORS, FILTER_POLICY_SCOPES, filterPolicyProblem } from "./topic";
export {
  Workflow, WORKFLOW_TYPES, WORKFLOW_LOG_LEVELS, STATES_LIMITS, STATES_LOG_GROUP_PREFIX, STATES_LOG_DELIVERY_ACTIONS, STATES_TRACING_ACTIONS, STATES_KMS_ACTIONS,
  WORKFLOW_START_ACTIONS, WORKFLOW_EXPRESS_START_ACTIONS, WORKFLOW_READ_STATE_MACHINE_ACTIONS, WORKFLOW_READ_EXECUTION_ACTIONS, workflowLogGroupName,
} from "./workflow";
export type { WorkflowArgs, WorkflowDefinition, WorkflowGrants, WorkflowLogLevel, WorkflowSpec, WorkflowState, WorkflowType } from "./workflow";
export { OPTIMIZED_INTEGRATIONS, STATES_DISTRIBUTED_MAP_ACTIONS, WORKFLOW_READ_MAP_RUN_ACTIONS } from "./workflow";
export type { OptimizedIntegration } from "./workflow";
export type {
  TopicArgs, TopicServicePrincipal, TopicServicePublisher, TopicSpec, TopicGrants, TopicLambdaSubscription, TopicSubscribeOptions, TopicSubscribeQueueOptions, TopicSubscriptionSpec, TopicLambdaSubscriptionSpec, TopicQueueSubscriptionSpec, FilterPolicyScope,
} from "./topic";
export type { TopicQueueSubscription } from "./topic";
export { DataTier, READ_ACTIONS, WRITE_ACTIONS, STREAM_ACTIONS } from "./data-tier";
export type {
  DataTierArgs, DataTierSpec, DataTable, TableArgs, TableSpec, TableGrants, GlobalIndexArgs, LocalIndexArgs, CapacityArgs, ExportArgs,
  StreamViewType, AttributeType, Projection, StreamSubscription, StreamSubscriptionArgs, StreamSubscriptionSpec, RegisteredDataTier, ReadAction, WriteAction,
} from "./data-tier";
export { UserAuth, ROW_LEVEL_ACTIONS, IDENTITY_ID_VARIABLE, defaultDomainPrefix } from "./user-auth";
export type { UserAuthArgs, UserAuthSpec, UserAuthDomain, UserAuthEmail, UserAuthGroup, UserAuthPasswordPolicy, RowLevelSecurityGrant, MfaMode, MfaFactor, ThreatProtection } from "./user-auth";
export type { PolicyStatement } from "./iam";
export { ComponentArgError } from "./errors";
export { registeredSpecs, type RegisteredSpec } from "./spec-registry";
export { ServerlessApi, ACCESS_LOG_FORMAT, ApiKind, HTTP_ACCESS_LOG_FORMAT } from "./serverless-api";
export { requestModel } from "./serverless-api/request-model";
export type {
  ServerlessApiArgs,
  ServerlessApiSpec,
  ApiRoute,
  ApiRouteAuth,
  ApiAuthorizer,
  ApiStage,
  ApiCanary,
  ApiThrottle,
  ApiUsagePlan,
  ApiResourcePolicy,
  ApiCors,
  ApiDomain,
  ApiDomainIpAddressType,
  ApiFunctionArgs,
  MockIntegration,
  HttpApiVpcLink,
  HttpIntegration,
  RestVpcLink,
  AwsServiceIntegration,
} from "./serverless-api";
export { UploadBucket } from "./upload-bucket";
export type { UploadBucketArgs, UploadBucketSpec } from "./upload-bucket";
export { registerStackTags, stackTags, tagsFromConfig, tagTransformation, tagProblem, STACK_TAG_KEYS, TAG_LIMITS, TAGGABLE_TYPES, REMOTE_TAGGED_COMPONENTS } from "./tags";
export type { StackTagsArgs } from "./tags";
export { WebAcl, WebAclScope, MANAGED_RULE_GROUPS, DEFAULT_MANAGED_RULE_GROUPS, WAF_LIMITS, RATE_LIMIT_RULE, BODY_SIZE_RULE, wafLogGroupName } from "./web-acl";
export type { WebAclArgs, WebAclSpec } from "./web-acl";
export { Monitoring, monitoringTargets, AlarmKind, ALARM_DEFAULTS, ALARM_LIMITS, QUERY_ALARM_KINDS, alarmSpecs, alarmTimingProblem } from "./monitoring";
export type {
  MonitoringArgs, MonitoringSpec, MonitoringTargets, MonitoredComponents, MonitoredFunction, MonitoredApiStage, MonitoredTable, MonitoredQueue, MonitoredDistribution, MonitoredUserPool, MonitoredWorkflow, MonitoredRule, MonitoredTarget,
  AlarmOverride, AlarmOverrides, AlarmSpec,
} from "./monitoring";
export { BackupPlan, BACKUP_LIMITS, BACKUP_SERVICE_POLICIES, BACKUP_RULE_NAME } from "./backup-plan";
export type { BackupPlanArgs, BackupPlanSpec, BackupVaultLock } from "./backup-plan";
export { DnsRouting, RoutingPolicy, FailoverRole, HEALTH_CHECK_DEFAULTS, HEALTH_CHECK_LIMITS, SET_IDENTIFIER_MAX, healthCheckProblem } from "./dns-routing";
export type { HealthCheckSettings } from "./dns-routing";
export type { DnsRoutingArgs, DnsRoutingSpec, DnsRoutingRecord, DnsRoutingRecordSpec, DnsHealthCheck, DnsHealthCheckSpec, GeoLocation } from "./dns-routing";
export { RegionalApis, regionCode, replicaArn } from "./regional-apis";
export type { RegionalApisArgs, RegionalApisDomain, RegionalApisRouting, RegionalApisSpec } from "./regional-apis";
export { RealtimeApi, REALTIME_ACCESS_LOG_FORMAT, PREDEFINED_ROUTE_KEYS, CONNECTIONS_TABLE, MAX_CONNECTION_SECONDS, REALTIME_ENVIRONMENT, connectionsTableArgs } from "./realtime-api";
export type { RealtimeApiArgs, RealtimeApiSpec, RealtimeAuthorizer, RealtimeRoute, RealtimeRouteSpec } from "./realtime-api";
export { EventBus, EVENT_BUS_PUT_ACTIONS, EVENT_BUS_TARGET_ID, EVENT_TARGET_RETRY_LIMITS, EVENTBRIDGE_NAME_LIMITS, EVENT_PATTERN_LIMITS, EVENT_PATTERN_OPERATORS, eventPatternProblem } from "./event-bus";
export type { EventBusArgs, EventBusSpec, EventBusGrants, EventBusSubscription, EventBusSubscribeOptions, EventBusSubscriptionSpec } from "./event-bus";
// EventBus targets: MessageQueues and Workflows, and input shaping.
export { EVENT_BUS_TARGET_IDS, EVENT_BUS_WORKFLOW_ACTIONS, EVENT_TARGET_INPUT_LIMITS, EVENT_TARGET_PREDEFINED_VARIABLES } from "./event-bus";
export type { EventBusInputTransformer, EventBusLambdaSubscriptionSpec, EventBusQueueSubscriptionSpec, EventBusTargetInputOptions, EventBusTargetInputSpec, EventBusTopicSubscriptionSpec, EventBusWorkflowSubscriptionSpec } from "./event-bus";
export { DefaultEventBus, DEFAULT_EVENT_BUS_NAME, EventRuleBus } from "./event-bus";
export type { DefaultEventBusArgs } from "./event-bus";
export type { S3EventBridgeKeyFilter } from "./bucket-events";
export type { MessageQueueEventBus } from "./message-queue";
export { DataStream, DATA_STREAM_LIMITS, KINESIS_MANAGED_KEY, STREAM_PUT_ACTIONS, STREAM_READ_ACTIONS } from "./data-stream";
export type { DataStreamArgs, DataStreamGrants, DataStreamMode, DataStreamSpec, DataStreamStartingPosition, DataStreamSubscription, DataStreamSubscriptionArgs, DataStreamSubscriptionSpec } from "./data-stream";
export { DATA_API_ACTIONS, DEFAULT_ENGINE_VERSION, RELATIONAL_DATABASE_LIMITS, RelationalDatabase } from "./relational-database";
export type { DataApiTarget, Migration, RelationalDatabaseArgs, RelationalDatabaseGrants, RelationalDatabaseSpec } from "./relational-database";
export { STREAM_MAPPING_LIMITS } from "./stream-mapping";
export type { StreamMappingArgs, StreamMappingResources } from "./stream-mapping";
// RelationalDatabase schema migrations (docs/schema-migrations.md).
export { SchemaMigrations, SCHEMA_MIGRATIONS_TYPE } from "./relational-database/migrations-resource";
export type { SchemaMigrationsArgs } from "./relational-database/migrations-resource";
export { readMigrations, applyMigrations, pendingMigrations, MigrationError, MIGRATION_NAME, MIGRATIONS_TABLE } from "./relational-database/migrations";
export type { ApplyOptions } from "./relational-database/migrations";
export { splitSqlStatements, SqlSplitError } from "./relational-database/sql-statements";
export type { SqlStatement } from "./relational-database/sql-statements";
