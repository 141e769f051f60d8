/**
 * PhysicalNameUnique: two resources of the plan that set one physical name AWS keeps unique. The offline mocks take both;
 * AWS refuses the second create (or, where the create call is idempotent, hands back the first resource, which two
 * Pulumi resources then own: destroying either deletes it). LogGroupNameUnique's rule (cloudwatch.ts), for the types the
 * components name: compared per account (accountScope) and region where AWS scopes the name so, per account alone for
 * IAM, per VPC for security groups, across accounts for S3 buckets and Cognito domains; names still unknown at preview, autonames (`name` unset, or a
 * `namePrefix` the provider completes with a unique suffix) and names of other stacks are not compared. Names are
 * compared as written except where AWS documents that letter case does not tell them apart (IAM, security groups, RDS).
 *
 * Types already judged by a uniqueness rule of their own are left out: log groups' explicit names (LogGroupNameUnique), API Gateway
 * custom domain names (ApiGatewayDomainNameUnique), CloudFront aliases (CloudFrontAliasUnique); API Gateway REST and HTTP
 * APIs are not unique by name (two APIs of one name get two ids). The `what`, name input and autonaming of a type come from
 * the names tables (names.ts PHYSICAL_NAMES, eventbridge.ts EVENTBRIDGE_NAME_SPECS) where they have the type.
 *
 * Sources (AWS API references, as the SDK documentation renders them), per type:
 * - Lambda CreateFunction: ResourceConflictException "The resource already exists, or another operation is in progress";
 *   "The function name is case-sensitive" (API_CreateFunction, older revision). A sentence that a name is unique per
 *   account and region was not found; the function ARN (arn:aws:lambda:<region>:<account>:function:<name>) makes it so.
 * - Step Functions CreateStateMachine: "CreateStateMachine is an idempotent API. Subsequent requests won't create a
 *   duplicate resource if it was already created. CreateStateMachine's idempotency check is based on the state machine
 *   name, definition, type, LoggingConfiguration, and TracingConfiguration … If a following request has a different
 *   roleArn or tags, Step Functions will ignore these differences"; StateMachineAlreadyExists "A state machine with the
 *   same name but a different definition or role ARN already exists"; name "must be unique for your AWS account and region".
 * - SQS CreateQueue: "you must provide a queue name that … is unique within the scope of your queues"; "If you specify
 *   the name of an existing queue and provide the exact same names and values for all its attributes, the CreateQueue
 *   action will return the URL of the existing queue" (an error otherwise); "Queue URLs and names are case-sensitive".
 * - SNS CreateTopic: "This action is idempotent, so if the requester already owns a topic with the specified name, that
 *   topic's ARN is returned without creating a new topic"; with other attributes or tags it answers InvalidParameter
 *   "Invalid parameter: Attributes Reason: Topic already exists with different attributes" (or "Tags … different tags";
 *   reported by users, MassTransit issue 3720, localstack issue 2405; not in the API reference). pulumi-aws does not let
 *   it come to that: its patch "non-idempotent sns topic creation" (pulumi/pulumi-aws patches/0017, 2024, for
 *   pulumi-aws issue 2009) looks the topic's ARN up first and fails the create with "SNS Topic (<name>) already exists".
 *   That the patch is still in the pulumi-aws 7 this project installs was not confirmed (the provider's source is not here).
 * - DynamoDB CreateTable: "In an AWS account, table names must be unique within each Region"; ResourceInUseException
 *   "You attempted to recreate an existing table". A replica (global tables) is a table of the same name in its region
 *   ("a replication relationship between two or more DynamoDB tables with the same table name", API_CreateGlobalTable),
 *   so a table claims its name in its replicas' regions too; a table of that name already there stops the replica (a
 *   re:Post answer: "Make sure no table with the name … exists in the destination region"; the error's text not confirmed).
 * - Secrets Manager CreateSecret: ResourceExistsException "A resource with the ID you requested already exists". A
 *   sentence on the name's scope (account and region) was not found; the secret's ARN holds both.
 * - Kinesis CreateStream: "The stream name is scoped to the AWS account used by the application. It is also scoped by
 *   AWS Region"; ResourceInUseException.
 * - EventBridge CreateEventBus: "Creates a new event bus within your account"; may throw ResourceAlreadyExistsException.
 *   A sentence on the name's uniqueness was not found.
 * - EventBridge CreateArchive: may throw ResourceAlreadyExistsException "The resource you are trying to create already
 *   exists" (the API model's error list, as @aws-sdk/client-eventbridge CreateArchiveCommand and aws-sdk-eventbridge's
 *   CreateArchiveErrorKind render it). An archive is named within its account's region, not its bus: DescribeArchive,
 *   UpdateArchive and DeleteArchive take ArchiveName alone (API_DescribeArchive.html), and terraform-provider-aws keeps
 *   the name as the archive's id (events/archive.go resourceArchiveCreate: d.SetId(name)). So two archives of one name on
 *   two buses of one region collide. A sentence saying so, and whether names differ by letter case, were not found:
 *   compared as written.
 * - IAM CreateRole / CreatePolicy: "IAM user, group, role, and policy names must be unique within the account. Names are
 *   not distinguished by case. For example, you cannot create resources named both "MyResource" and "myresource"";
 *   EntityAlreadyExists. IAM is global: one name in two regions of one account collides.
 * - S3 general purpose buckets: "each bucket name must be unique across all AWS accounts in all the AWS Regions within a
 *   partition" (gpbucketnamespaces.html); BucketAlreadyOwnedByYou (us-east-1 answers 200 OK, which terraform-provider-aws
 *   turns into BucketAlreadyExists: s3.ts S3RetainedBucketName). Buckets of the account regional namespace are not told apart.
 * - Cognito CreateUserPoolDomain: a prefix domain is `<prefix>.auth.<region>.amazoncognito.com`, one per region across
 *   accounts ("Domain already associated with another user pool", as CognitoDomainPrefixUnique cites); a custom domain
 *   (with certificateArn) is a host name, compared across regions and accounts (not confirmed in Cognito's documentation).
 *   Two prefix domains of one stack are this rule's; one prefix claimed by two stacks is CognitoDomainPrefixUnique's
 *   (cognito.ts), which leaves a stack's own repeats here, so each pair is reported once.
 * - CloudWatch Logs CreateLogGroup: log group names are unique in an account's region (LogGroupNameUnique, cloudwatch.ts,
 *   which compares explicit names; the names `pulumi:autonaming` makes are compared here).
 * - CloudWatch PutMetricAlarm: "Creates or updates an alarm", and "When you update an existing alarm … the update
 *   completely overwrites the previous configuration of the alarm" (API_PutMetricAlarm); AlarmName "must be unique within
 *   the Region" (the API model's text, as paws renders it). That terraform-provider-aws's create calls PutMetricAlarm
 *   without first looking for an alarm of the name was not confirmed (its source is not here).
 * - CloudFront CreateFunction: FunctionAlreadyExists "A function with the same name already exists in this Amazon Web
 *   Services account"; CreateCachePolicy: CachePolicyAlreadyExists "A cache policy with this name already exists. You
 *   must provide a unique name"; CreateResponseHeadersPolicy: ResponseHeadersPolicyAlreadyExists, the same words (the
 *   API model's error texts, as boto3 renders them). CloudFront is global: one name per account. Whether the names differ
 *   by letter case was not found: compared as written.
 * - EC2 CreateSecurityGroup: "You can't have two security groups for the same VPC with the same name"
 *   (API_CreateSecurityGroup); GroupName "Names are case-insensitive and must be unique within the VPC" (the API model's
 *   text, as the AWS SDK for Kotlin renders it: CreateSecurityGroupRequest groupName); InvalidGroup.Duplicate "You cannot
 *   create a security group with the same name as an existing security group in the same VPC" (Error codes for the
 *   Amazon EC2 API, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). A group named
 *   "default" in any letter case is PhysicalNameLimits' finding (every VPC has that group: names.ts).
 * - RDS CreateDBSubnetGroup: DBSubnetGroupAlreadyExists "DBSubnetGroupName is already used by an existing DB subnet
 *   group"; DBSubnetGroupName "This value is stored as a lowercase string" (API_CreateDBSubnetGroup), so names that differ
 *   only by letter case are one name (terraform-provider-aws takes lower case only: validSubnetGroupName). CreateDBCluster
 *   DBClusterIdentifier and CreateDBInstance DBInstanceIdentifier: "This parameter is stored as a lowercase string";
 *   DBClusterAlreadyExistsFault "The user already has a DB cluster with the given identifier", DBInstanceAlreadyExists
 *   "The user already has a DB instance with the given identifier" (the API references' error lists, as recalled: the
 *   pages read here showed the lower-case sentences). The scope, one account's region, is the ARN's
 *   (arn:aws:rds:<region>:<account>:subgrp:<name>, :cluster:, :db:); a sentence saying so was not found.
 * - EventBridge Scheduler CreateSchedule: a schedule is named within its schedule group (GroupName: "If you omit this,
 *   the default schedule group is used"; the ARN arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>; GetSchedule
 *   and DeleteSchedule take Name and GroupName), and CreateSchedule may answer ConflictException. That a second schedule
 *   of one name in one group gets ConflictException (and not some other error) was not confirmed; whether names differ
 *   by letter case was not found: compared as written. A groupName unknown at preview is not compared.
 * - AWS Backup CreateBackupVault: "Backup vaults are identified by names that are unique to the account used to create
 *   them and the AWS Region where they are created"; AlreadyExistsException "The required resource already exists".
 * - EventBridge PutRule: "Creates or updates the specified rule"; "If you are updating an existing rule, the rule is
 *   replaced with what you specify in this PutRule command"; a rule is named within its event bus (EventBusName: "If
 *   you omit this, the default event bus is used"; the ARN rule/<bus>/<name> for a custom bus).
 *   terraform-provider-aws's create calls PutRule without looking for a rule of the name first (events/rule.go
 *   resourceRuleCreate: create.Name, expandPutRuleInput, retryPutRule; DescribeRule only after, to wait for it).
 *   (Dashboards, global to the account and overwritten by PutDashboard, are CloudWatchDashboard's.) An eventBusName unknown at preview is not compared.
 * - Cognito CreateGroup GroupName: "This name must be unique in your user pool"; GroupExistsException "This exception is
 *   thrown when Amazon Cognito encounters a group that already exists in the user pool". Whether names differ by letter
 *   case was not found: compared as written. A userPoolId unknown at preview is not compared.
 */
import { busNameOf } from "../../components/arn";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { globalTables } from "./dynamodb";
import { EVENTBRIDGE_NAME_SPECS } from "./eventbridge";
import { configuredNameFix, dnsName, physicalName, PHYSICAL_NAMES, type ConfiguredAutoname, type ConfiguredNaming, type PhysicalNameSpec } from "./names";
import { accountScope, finding, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";

/** How a type's name is kept unique. */
interface UniqueNameSpec {
  types: readonly string[];
  /** The input that names the resource in AWS. */
  property: string;
  /** What AWS calls the name, with its article ("a Lambda function name"). */
  what: string;
  /**
   * Where two equal names collide, as a key, and the words for it ("in us-east-1"); names of one key collide. A resource
   * may claim its name in several places (a DynamoDB table in each region of its replicas); `via` then says how.
   */
  scope(graph: Graph, r: RecordedResource, context: DeployRuleContext, name: string): Array<{ key: unknown[]; where: string; via?: string }>;
  /** The name as AWS compares it (IAM: without letter case). */
  compared?: (name: string) => string;
  /** What AWS does with the second create, after "so". */
  outcome: string;
  /** Whether Pulumi autonames the type when `property` is unset (the fix then offers it). */
  autonamed: boolean;
  /** The rule that already compares explicit names of this type: this one then reports a pair only where a `pulumi:autonaming` name is one of them. */
  explicitCheckedBy?: string;
}

/** The names tables (names.ts, eventbridge.ts): how pulumi-aws names a type a configured naming names. */
const NAMED: readonly PhysicalNameSpec[] = [...PHYSICAL_NAMES, ...EVENTBRIDGE_NAME_SPECS];

/**
 * The names tables' entry for `type`'s `property` (names.ts PHYSICAL_NAMES, eventbridge.ts EVENTBRIDGE_NAME_SPECS), so
 * one wording names each type, and the fix offers Pulumi's autoname where the table says pulumi-aws makes one.
 */
function fromTable(type: string, property = "name"): Pick<UniqueNameSpec, "property" | "what" | "autonamed"> {
  const spec = NAMED.find((s) => s.type === type && s.property === property);
  if (!spec) throw new Error(`PhysicalNameUnique: ${type} ${property} is not in the names tables`);
  return { property, what: spec.what, autonamed: spec.autoname !== undefined };
}

const perAccountRegion: UniqueNameSpec["scope"] = (graph, r, context) => {
  const region = regionOf(graph, r, context);
  return [{ key: [accountScope(graph, r), region], where: `in ${region}` }];
};
const perAccount: UniqueNameSpec["scope"] = (graph, r) => [{ key: [accountScope(graph, r)], where: "in the account (IAM names are global to it)" }];
const global: UniqueNameSpec["scope"] = () => [{ key: [], where: "in every account and region (the partition)" }];
const perAccountCloudFront: UniqueNameSpec["scope"] = (graph, r) => [{ key: [accountScope(graph, r)], where: "in the account (CloudFront is global)" }];

/** A CloudFront type of the names table, whose name is unique in the account (CloudFront is global). */
function cloudFront(type: string, outcome: string): UniqueNameSpec {
  return { types: [type], ...fromTable(type), scope: perAccountCloudFront, outcome };
}

/**
 * A security group in its VPC (`vpcId`; the region's default VPC without one, "Required for a nondefault VPC"); none
 * when the VPC is unknown at preview, as two unknown ids may be two VPCs.
 */
const perVpc: UniqueNameSpec["scope"] = (graph, r, context) => {
  const region = regionOf(graph, r, context);
  const vpcId = r.inputs.vpcId;
  if (vpcId === undefined) return [{ key: [accountScope(graph, r), region, "default VPC"], where: `in the default VPC of ${region}` }];
  return typeof vpcId === "string" ? [{ key: [accountScope(graph, r), region, vpcId], where: `in VPC ${vpcId}` }] : [];
};

/**
 * A table in its region and in each region of its replicas (inline `replicas` or TableReplica resources, dynamodb.ts
 * globalTables): a replica is a table of the same name in its region, in the table's account ("A global table creates a
 * replication relationship between two or more DynamoDB tables with the same table name", API_CreateGlobalTable), so a
 * table of that name already there stops the replica from being created.
 */
const tableRegions: UniqueNameSpec["scope"] = (graph, r, context, name) => {
  const home = perAccountRegion(graph, r, context, name);
  const replicated = globalTables(graph).find((g) => g.table === r);
  if (!replicated) return home;
  const account = accountScope(graph, r);
  const regions = [...replicated.inline.map((replica) => replica.regionName), ...replicated.separate.map((replica) => regionOf(graph, replica, context))].filter((region): region is string => typeof region === "string");
  return [...home, ...regions.map((region) => ({ key: [account, region], where: `in ${region}`, via: "its replica" }))];
};

/** A spec for a type of the names table, whose name is unique in one account's region. */
function regional(type: string, outcome: string): UniqueNameSpec {
  return { types: [type], ...fromTable(type), scope: perAccountRegion, outcome };
}

/** A schedule in its schedule group (`groupName`, the account's `default` group when unset) of its account's region; none when the group is unknown at preview. */
const perScheduleGroup: UniqueNameSpec["scope"] = (graph, r, context) => {
  const region = regionOf(graph, r, context);
  const group = r.inputs.groupName ?? "default";
  return typeof group === "string" ? [{ key: [accountScope(graph, r), region, group], where: `in schedule group ${group} of ${region}` }] : [];
};

/** A rule on its event bus (busNameOf: `eventBusName` by name, the default bus when unset) of its account's region; none when the bus is unknown at preview. */
const perEventBus: UniqueNameSpec["scope"] = (graph, r, context) => {
  const reference = r.inputs.eventBusName;
  if (reference !== undefined && typeof reference !== "string") return [];
  const region = regionOf(graph, r, context);
  const bus = busNameOf(reference);
  return [{ key: [accountScope(graph, r), region, bus], where: `on event bus ${bus} in ${region}` }];
};

/** A user pool group in its user pool (`userPoolId`); none when the pool is unknown at preview. */
const perUserPool: UniqueNameSpec["scope"] = (graph, r, context) => {
  const pool = r.inputs.userPoolId;
  return typeof pool === "string" ? [{ key: [accountScope(graph, r), regionOf(graph, r, context), pool], where: `in user pool ${pool}` }] : [];
};

const SHARED = "destroying either then deletes it for both";
const lowerCase = (name: string) => name.toLowerCase();
const EVENT_BUS = "aws:cloudwatch/eventBus:EventBus";

export const UNIQUE_NAMES: readonly UniqueNameSpec[] = [
  regional("aws:lambda/function:Function", "CreateFunction refuses the second (ResourceConflictException)"),
  regional("aws:sfn/stateMachine:StateMachine", `CreateStateMachine refuses the second if its definition, type, logging or tracing differ (StateMachineAlreadyExists), and otherwise hands back the first state machine, which both resources then own (${SHARED}; the second role is ignored)`),
  regional("aws:sqs/queue:Queue", `CreateQueue refuses the second if its attributes differ, and otherwise hands back the first queue's URL, which both resources then own (${SHARED})`),
  regional("aws:sns/topic:Topic", `pulumi-aws refuses the second ("SNS Topic (<name>) already exists": it looks the topic up before CreateTopic, which would hand back the first, or answer InvalidParameter "Topic already exists with different attributes" or "… tags")`),
  { ...regional("aws:dynamodb/table:Table", "CreateTable refuses the second (ResourceInUseException), and a replica is not created where a table of its name is"), scope: tableRegions },
  regional("aws:secretsmanager/secret:Secret", "CreateSecret refuses the second (ResourceExistsException)"),
  regional("aws:kinesis/stream:Stream", "CreateStream refuses the second (ResourceInUseException)"),
  // EventBridgeNames' wording (eventbridge.ts); pulumi-aws autonames a bus (`name` is optional in EventBusArgs).
  regional(EVENT_BUS, "CreateEventBus refuses the second (ResourceAlreadyExistsException)"),
  // Named per account and region whatever its bus (DescribeArchive takes the name alone); EventBridgeNames' wording.
  regional("aws:cloudwatch/eventArchive:EventArchive", "CreateArchive refuses the second (ResourceAlreadyExistsException)"),
  // Explicit log group names are LogGroupNameUnique's (cloudwatch.ts); the names pulumi:autonaming makes are compared here.
  { ...regional("aws:cloudwatch/logGroup:LogGroup", "CreateLogGroup refuses the second (ResourceAlreadyExistsException)"), explicitCheckedBy: "LogGroupNameUnique" },
  regional("aws:cloudwatch/metricAlarm:MetricAlarm", `PutMetricAlarm, which creates or updates, overwrites the first alarm with the second's configuration, and both resources then own one alarm (${SHARED})`),
  cloudFront("aws:cloudfront/function:Function", "CreateFunction refuses the second (FunctionAlreadyExists)"),
  cloudFront("aws:cloudfront/cachePolicy:CachePolicy", "CreateCachePolicy refuses the second (CachePolicyAlreadyExists)"),
  cloudFront("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "CreateResponseHeadersPolicy refuses the second (ResponseHeadersPolicyAlreadyExists)"),
  { types: ["aws:iam/role:Role"], ...fromTable("aws:iam/role:Role"), scope: perAccount, compared: (name) => name.toLowerCase(), outcome: "CreateRole refuses the second (EntityAlreadyExists; IAM names do not differ by letter case)" },
  { types: ["aws:iam/policy:Policy"], ...fromTable("aws:iam/policy:Policy"), scope: perAccount, compared: (name) => name.toLowerCase(), outcome: "CreatePolicy refuses the second (EntityAlreadyExists; IAM names do not differ by letter case)" },
  {
    types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    ...fromTable("aws:s3/bucket:Bucket", "bucket"),
    scope: global,
    outcome: "CreateBucket refuses the second (BucketAlreadyOwnedByYou; terraform-provider-aws reports BucketAlreadyExists in us-east-1)",
  },
  {
    types: ["aws:ec2/securityGroup:SecurityGroup"],
    ...fromTable("aws:ec2/securityGroup:SecurityGroup"),
    scope: perVpc,
    compared: (name) => name.toLowerCase(),
    outcome: "CreateSecurityGroup refuses the second (InvalidGroup.Duplicate; EC2 group names do not differ by letter case)",
  },
  { ...regional("aws:rds/subnetGroup:SubnetGroup", "CreateDBSubnetGroup refuses the second (DBSubnetGroupAlreadyExists; RDS stores the name in lower case)"), compared: lowerCase },
  { types: ["aws:rds/cluster:Cluster"], ...fromTable("aws:rds/cluster:Cluster", "clusterIdentifier"), scope: perAccountRegion, compared: lowerCase, outcome: "CreateDBCluster refuses the second (DBClusterAlreadyExistsFault; RDS stores the identifier in lower case)" },
  { types: ["aws:rds/clusterInstance:ClusterInstance"], ...fromTable("aws:rds/clusterInstance:ClusterInstance", "identifier"), scope: perAccountRegion, compared: lowerCase, outcome: "CreateDBInstance refuses the second (DBInstanceAlreadyExists; RDS stores the identifier in lower case)" },
  { types: ["aws:scheduler/schedule:Schedule"], ...fromTable("aws:scheduler/schedule:Schedule"), scope: perScheduleGroup, outcome: "CreateSchedule refuses the second (ConflictException)" },
  regional("aws:backup/vault:Vault", "CreateBackupVault refuses the second (AlreadyExistsException)"),
  { types: ["aws:cloudwatch/eventRule:EventRule"], ...fromTable("aws:cloudwatch/eventRule:EventRule"), scope: perEventBus, outcome: `PutRule, which creates or updates, replaces the first rule with the second (pattern, schedule, state), and both resources then own one rule (${SHARED})` },
  { types: ["aws:cognito/userGroup:UserGroup"], property: "name", what: "a user pool group name", autonamed: false, scope: perUserPool, outcome: "CreateGroup refuses the second (GroupExistsException)" },
  {
    types: ["aws:cognito/userPoolDomain:UserPoolDomain"],
    property: "domain",
    what: "a Cognito user pool domain",
    scope: (graph, r, context, name) => {
      if (r.inputs.certificateArn) return [{ key: ["custom"], where: "(a custom domain: one host name for all accounts and regions)" }];
      const region = regionOf(graph, r, context);
      return [{ key: ["prefix", region], where: `in ${region} (${name}.auth.${region}.amazoncognito.com, one for all accounts)` }];
    },
    compared: dnsName,
    outcome: 'CreateUserPoolDomain refuses the second ("Domain already associated with another user pool")',
    autonamed: false,
  },
];

const CREATE_STATE_MACHINE = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html";

/**
 * The name `r` claims: its explicit `property`, or the one the stack's `pulumi:autonaming` makes when that has no random
 * part (with the setting that made it); undefined when there is nothing to compare (Pulumi's `<name>-<7 hex>`, a
 * random part, a `namePrefix` the provider completes, an empty name, or one unknown at preview).
 */
function claimedName(spec: UniqueNameSpec, r: RecordedResource, naming?: ConfiguredNaming): { name: string; configured?: ConfiguredAutoname } | undefined {
  const explicit = r.inputs[spec.property];
  if (typeof explicit === "string") return explicit === "" ? undefined : { name: explicit };
  const table = NAMED.find((s) => s.type === r.type && s.property === spec.property);
  const physical = naming && table ? physicalName(table, r, naming) : undefined;
  return physical?.configured && !physical.configured.random ? { name: physical.name, configured: physical.configured } : undefined;
}

/** PhysicalNameUnique comparing also the names `naming` (a stack's `pulumi:autonaming`, autonaming.ts) makes; explicit names alone without. */
export function physicalNameUnique(naming?: ConfiguredNaming): DeployRule {
  return {
    id: "PhysicalNameUnique",
    title: "No two resources of the stack set one physical name AWS keeps unique (Lambda functions, state machines, queues, topics, tables, secrets, streams, event buses, event archives, log groups, metric alarms, IAM roles and policies, S3 buckets, security groups in a VPC, CloudFront functions, cache and response headers policies, Cognito domains, RDS subnet groups, clusters and instances, schedules in a schedule group, backup vaults, EventBridge rules on a bus, user pool groups in a pool), explicitly or through the stack's `pulumi:autonaming`",
    source: CREATE_STATE_MACHINE,
    check(graph, context) {
      const findings: DeployFinding[] = [];
      for (const spec of UNIQUE_NAMES) {
        const seen = new Map<string, { r: RecordedResource; via?: string; configured?: ConfiguredAutoname }>();
        for (const r of spec.types.flatMap((type) => ofType(graph, type))) {
          const claimed = claimedName(spec, r, naming);
          if (!claimed) continue;
          const { name, configured } = claimed;
          // The first place the name collides is reported; a resource's own claims never collide with each other.
          const claims = spec.scope(graph, r, context, name).map((claim) => ({ ...claim, id: JSON.stringify([...claim.key, (spec.compared ?? ((n: string) => n))(name)]) }));
          const clash = claims.map((claim) => ({ claim, first: seen.get(claim.id) })).find(({ first }) => first !== undefined && first.r !== r);
          for (const claim of claims) if (!seen.has(claim.id)) seen.set(claim.id, { r, via: claim.via, configured });
          if (!clash) continue;
          const { claim, first } = clash as { claim: (typeof claims)[number]; first: { r: RecordedResource; via?: string; configured?: ConfiguredAutoname } };
          if (spec.explicitCheckedBy && !configured && !first.configured) continue;
          const firstName = claimedName(spec, first.r, naming)!.name;
          const how = [firstName === name ? undefined : JSON.stringify(firstName), first.via, first.configured && first.configured.setting !== configured?.setting ? `named by ${first.configured.setting}` : undefined].filter(Boolean).join(", ");
          const kind = spec.what.replace(/^an? /, "");
          // The config's name is the one to change: the key that made it (the later resource's, else the earlier's).
          const byConfig = configured ?? first.configured;
          findings.push(
            finding(
              "PhysicalNameUnique",
              r,
              `${configured ? `is named ${JSON.stringify(name)} by ${configured.setting}` : `has ${spec.property} ${JSON.stringify(name)}`}${claim.via ? ` (${claim.via})` : ""}, as ${first.r.name} does${how ? ` (${how})` : ""}, ${claim.where}; ${kind}s are unique there, so ${spec.outcome.replace("<name>", name)}`,
              byConfig
                ? `${configuredNameFix(byConfig.key, (configured ? r : first.r).type)}, or give one of them another resource name`
                : `give each ${kind.replace(/ name$/, "")} its own ${spec.property}${spec.autonamed ? ` (or leave ${spec.property} unset for Pulumi's autoname)` : ""}`,
            ),
          );
        }
      }
      return findings;
    },
  };
}

export const PHYSICAL_NAME_UNIQUE: DeployRule = physicalNameUnique();

export const NAME_COLLISION_RULES: DeployRule[] = [PHYSICAL_NAME_UNIQUE];
