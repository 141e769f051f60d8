/**
 * Second deploys: what AWS refuses (or silently undoes) when a stack already deployed with plan `before` is updated to
 * plan `after`. A single plan cannot show these; they come from the order in which Pulumi applies the difference:
 *
 * - Pulumi "creates new instances of resources before deleting old ones" unless the resource asks for
 *   `deleteBeforeReplace` (https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/), and resources
 *   removed from the program (a logical name that changed) are deleted at the end of the update, after every create
 *   ("pulumi first creates all new resources and schedules the deletion of resources at the very end",
 *   pulumi/pulumi#9979). Renaming without a replacement takes `aliases`
 *   (https://www.pulumi.com/docs/iac/concepts/resources/names/).
 * - pulumi-terraform-bridge asks for delete-before-replace by itself only when the resource's optional autoname field
 *   (`name` of a Model) holds a value the program set (pkg/tfbridge/schema.go `nameRequiresDeleteBeforeReplace`,
 *   pulumi/pulumi-terraform#465). Required name fields (`Record.name`, `Dashboard.dashboardName`, `stageName`, …) get
 *   none.
 *
 * So `checkPlanTransition` finds: a resource created (new, replaced, or moved by an in-place update) under a physical
 * name that a resource of `before` still holds at that moment (TransitionNameTaken: "already exists"; for an upsert API,
 * or SNS Subscribe, which answers with the subscription an endpoint already has, the create succeeds and the later
 * delete of the old holder removes it: TransitionNameOverwritten), Route 53
 * records of one name and type switching routing policy record by record (TransitionRoutingPolicy), a compliance-mode
 * backup vault lock whose numbers change, which AWS refuses from its lock date (TransitionVaultLockImmutable), a table,
 * user pool, bucket or Aurora cluster replaced or renamed without aliases, which moves the app to a new, empty one
 * (TransitionStatefulReplaced; replacements cascade through `replaceWith` and the values they draw anew, replacements.ts), a global table's replicas dropped together with its stream or while deletion-protected
 * (TransitionReplicaStreamOff, TransitionProtectedReplicaRemoved), a REST API deployment deleted while a stage still
 * serves it (TransitionDeploymentStillServed), a policy resource deleted at the end of the update that gave its
 * resource's one policy document to another writer, whose document the delete empties (TransitionPolicyWriterDeleted),
 * a KMS KeyPolicy given another key in place, which the provider's update never writes to (TransitionKeyPolicyKeyChanged),
 * and, of any type, two resources claiming one deployed resource through aliases (TransitionDuplicateAlias).
 * - The engine deletes an old copy (of a replacement, or of a resource removed from the program) by the options it
 *   was DEPLOYED with: pulumi pkg/resource/deploy/step.go `DeleteStep.Apply` reads `s.old.RetainOnDelete`, so a
 *   `retainOnDelete: true` set in the update that replaces the resource applies to the new copy only
 *   (TransitionRetainedTooLate; pulumi/pulumi#13428). Every check here reads the deployed plan's options.
 *
 * Both plans are recordings in update mode (`runProgramOffline`, `record`), compared by URN, with the renames the new
 * plan declares in `aliases` followed as the engine matches them. Names are checked for the types in
 * `TRANSITION_NAMED_TYPES` only; a resource whose name field is absent is autonamed (the mocks do not run the
 * provider's autonaming), so it cannot collide. A name is a key in a scope (per REST API, per region, or global, as
 * S3 bucket names and CloudFront alternate domain names are); a resource may hold several (a distribution's aliases).
 * A deployed resource whose inputs the deployed plan does not hold (a plan saved before its type was checked) is judged
 * only for what needs none (a removal).
 */
import { createHash } from "node:crypto";
import { asArray, dependencyClosure, hasInputs, holdingGraphs, explicitDeleteBeforeReplace, identitiesOf, isUnknown, nameGiven, ofType, urnName, urnType, type Graph } from "../../local/offline/graph";
import { BUCKET_POLICY, BUS_POLICY, QUEUE_POLICY, TABLE_POLICY, TOPIC_POLICY } from "../../local/resource-policies";
import { KEY_POLICY, KMS_KEY, LOG_GROUP } from "./key-policy";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding as deployFinding, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";
import { providerOf, providerUrnOf } from "./provider-ref";
import { distributionAliases } from "./cloudfront";
import { kinesisShardScalingFindings } from "./kinesis";
import { RDS_CLUSTER, RDS_CLUSTER_REPLACEMENT, rdsEngineVersionFindings } from "./rds";
import { eventSourceMappingPair } from "./lambda";
import { dnsName } from "./names";
import { configuredNaming, type AutonamingConfig } from "./autonaming";
import { deletedFirstByNaming } from "./naming-delete-first";
import { RECORD, recordSetKey, routingPolicies } from "./record-sets";
import { cascadeTargets, cascadeTypeOf, policyHolderTypeOf, withCascadedReplacements, type InputComparison } from "./replacements";
import { changeReportedUnder, ignoredBy, parsePropertyPath, type PropertyPath } from "./property-paths";
import { movedOffDeleteFirstTargetFindings, TRANSITION_MOVED_OFF_DELETE_FIRST_RULE } from "./transition-moved-off";
import { canonicalJson, keptByIgnoreChanges } from "./kept-by-ignore";
import {
  API_GATEWAY_ONE_REST_API_POLICY,
  BACKUP_ONE_VAULT_POLICY,
  CLOUDWATCH_LOGS_ONE_RESOURCE_POLICY,
  ECR_ONE_REPOSITORY_POLICY,
  KINESIS_ONE_RESOURCE_POLICY,
  KMS_ONE_KEY_POLICY,
  kmsKeyId,
  LAMBDA_ONE_RESOURCE_POLICY,
  S3_ONE_BUCKET_POLICY,
  SECRETS_MANAGER_ONE_SECRET_POLICY,
  onePolicyTargets,
  DYNAMODB_TABLE_POLICY_TARGETS,
  policyTargetKeys,
  restApiPolicyWrite,
  type PolicyTarget,
} from "./one-policy";
import { SNS_ONE_TOPIC_POLICY } from "./sns";
import { SQS_ONE_QUEUE_POLICY } from "./sqs";
import { DYNAMODB_ONE_RESOURCE_POLICY } from "./dynamodb";
import { EVENTBRIDGE_ONE_BUS_POLICY } from "./eventbridge";
import { TRANSITION_HTTP_ROUTE_RULE, TRANSITION_WEBSOCKET_ROUTE_RULE, V2_ROUTE, V2_ROUTE_NAMED_TYPE, httpRouteStillServedFindings, webSocketRouteStillServedFindings } from "./transition-websocket";
import { TRANSITION_API_V2_PART_IN_USE_RULE, apiV2PartInUseFindings, deleteSkipped, skippedForDeletedWith, type UpdateJudgement } from "./transition-api-refs";
import { TRANSITION_ROUTING_SLOT_TAKEN_RULE, routingSlotFindings } from "./transition-route53";
import { TRANSITION_DATA_RULES, dbSubnetInUseWarnings, holds, tableKeyRemovedFindings, vpcSubnetLayoutFindings } from "./transition-data";
import { TRANSITION_USAGE_PLAN_KEY_MOVED_RULE, usagePlanKeyMovedFindings } from "./api-usage-plans";
import { NAMED_DELETE_FIRST, namingDeleteFirstReason } from "./deployment-triggers";
import { INTEGRATION_RESPONSE, METHOD_RESPONSE, TRANSITION_REST_METHOD_REPLACED_RULE } from "./transition-rest-method";
import { DEPLOYMENT, INTEGRATION, METHOD, RESOURCE, REST_API, type RestPartJudgement, TRANSITION_REST_INTEGRATION_RULE, TRANSITION_REST_METHOD_MOVED_RULE, TRANSITION_REST_ROUTE_RULE, isVariablePathPart, restApiPartFindings, restRouteStillServedFindings } from "./transition-rest-deployment";

/** What the transition checks need to know about one resource type that has a physical name. */
export interface TransitionNamedType extends InputComparison {
  type: string;
  /** How findings call it ("API Gateway model"). */
  label: string;
  /**
   * The physical name together with the scope it is unique in (per REST API, per hosted zone, per account), or
   * undefined when the program leaves the name to the autonamer. A resource that holds several names at once (a
   * CloudFront distribution's alternate domain names) gives one key for each.
   */
  key(resource: RecordedResource, graph: Graph, context: TransitionContext): string | readonly string[] | undefined;
  /**
   * The key (a JSON array) is scoped by the id or ARN of a regional resource (a REST or v2 API's id, a VPC's; a
   * subscription's topic ARN; a mapping's event source and function), not by the region the resource is created in:
   * the mocked plans draw an id from the logical name alone (one id in every region), and an ARN in the region the
   * plan was recorded in (the stack's for an explicit provider that sets none; a saved plan's ARNs are not rewritten
   * when its `region` is). keysOf puts the resource's region (where) in front, so that, as for every regional key, a
   * move to another region is another scope: AWS holds such a name, or pair, in one region only.
   */
  scopedByRegionalId?: true;
  /** The name as findings print it after the label: `"PostAlbumsBody" of REST API abc123`; `key` is the one in question. */
  describe(resource: RecordedResource, key: string): string;
  /** Inputs whose change replaces the resource (the provider's ForceNew), with the source that says so. */
  replaceOn: readonly string[];
  /**
   * A replacement `replaceOn` cannot express: the provider forces a new resource for some changes of an input and
   * updates others in place (an authorizer's `type`). Says why, or undefined when it does not replace.
   */
  replaceWhen?(before: RecordedResource, after: RecordedResource): string | undefined;
  /** Inputs that replace it only when the new program sets them (as TransitionStatefulType's, which see). */
  replaceWhenSet?: readonly string[];
  /** The optional autoname field: an explicit value there makes the bridge replace delete-first. */
  autonameField?: string;
  /**
   * The provider's delete reports success while AWS keeps the resource (it swallows a conflict), so a delete-first
   * replacement frees nothing: only another name helps.
   */
  deleteMayKeepName?: boolean;
  /** A removed resource that keeps its name although Pulumi deletes it (a distribution's own `retainOnDelete` input only disables it). */
  keepsNameOnDelete?(resource: RecordedResource): boolean;
  /** The create overwrites an existing resource of that name instead of failing (an upsert API). */
  upserts?(resource: RecordedResource): boolean;
  /** What AWS does with an upserting create under a taken name, where `refusal` is the plain create's (upserts only for some). */
  upsertOutcome?: string;
  /**
   * Types whose names AWS keeps in one set share a namespace: a name held by a resource of any of them is taken for
   * all (REST and v2 custom domains). Unset: the type's own.
   */
  namespace?: string;
  /**
   * Keys of the namespace other than `key` itself that hold its name too (an edge-optimized domain's name in every
   * region, a regional domain's name wherever an edge one has it). Unset: only equal keys.
   */
  alsoHeldBy?(key: string, holderKey: string): boolean;
  /** What AWS answers a create under a taken name. */
  refusal: string;
  /** Said after the fix of a resource created beside a removed holder, where the usual aliases are not the whole answer. */
  fixNote?: string;
  /** The whole fix of a resource created beside a removed holder where aliases do not apply (a Topic's subscription), else undefined. */
  ownFix?(resource: RecordedResource, holder: RecordedResource): string | undefined;
  /**
   * For a type whose "name" is a key AWS holds once but no name field (an event source mapping's source and function):
   * why its own deployed copy still holds the key during a create-first replacement, and the fix, in place of the
   * sentences about names and autonaming.
   */
  replacedCreateFirst?: { holds: string; fix(resource: RecordedResource): string };
  /**
   * The inputs a saved plan keeps (`toSavedPlan`): the ones `key`, `replaceOn` and `replaceWhen` read, `a.b` for one
   * field of an object input. Unset: all of them, for types whose inputs hold no secret and little else.
   */
  savedInputs?: readonly string[];
  /**
   * Inputs read only for equality (a key, a replacement) that are secret or personal (an email address, a private
   * key): a saved plan keeps them as `sha256:<hex>` (savedDigest), and they are compared as digests on both sides.
   */
  hashedInputs?: readonly string[];
  /** Where the replace-forcing inputs and the create call are read from. */
  source: string;
}

type TransitionContext = Pick<DeployRuleContext, "region">;

/**
 * The stack's `aws:region` on each side of an update: `deployed`, the one the deployed plan was made under (a saved
 * plan's `region`), and `next`, the one the next plan is made under; "" where unknown. The default provider reads it
 * from the stack's config ("each provider uses its package's global configuration settings, which are controlled by
 * your stack's configuration", https://www.pulumi.com/docs/concepts/resources/providers/), so when it changes,
 * pulumi-aws 7 updates the default provider in place and every region-aware resource that sets no region of its own is
 * replaced by its own Diff (regionMove).
 */
export interface StackRegions {
  deployed: string;
  next: string;
}

/**
 * The stack's regions a comparison is given: `region`, the stack's `aws:region` now; `deployedRegion`, the one the
 * deployed plan was made under (unset: the same, the stack's region has not changed).
 */
export interface StackRegionContext {
  region?: string;
  deployedRegion?: string;
}

const stackRegions = (context: StackRegionContext): StackRegions => ({ deployed: context.deployedRegion ?? context.region ?? "", next: context.region ?? "" });
/** The context a plan of each side is read under: the deployed plan under the deployed stack region, the next under the next. */
const sidesOf = (regions: StackRegions): { deployed: TransitionContext; next: TransitionContext } => ({ deployed: { region: regions.deployed }, next: { region: regions.next } });

/** A finding of `checkPlanTransition`: a deploy finding with the URN of its resource, which an acceptance names. */
export interface TransitionFinding extends DeployFinding {
  urn: string;
}

function finding(rule: string, resource: RecordedResource, problem: string, fix: string, stack?: string): TransitionFinding {
  return { ...deployFinding(rule, resource, problem, fix, stack), urn: resource.urn };
}

const PROVIDER = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
/** A subscription a `Topic` component made (subscribe, subscribeQueue): its URN's type chain ends Topic$TopicSubscription. */
const ownedByTopic = (r: RecordedResource) => urnType(r.urn, { qualified: true }).endsWith(`serverless-fullstack:index:Topic$${SUBSCRIPTION}`);
const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const STAGE = "aws:apigateway/stage:Stage";
const TABLE = "aws:dynamodb/table:Table";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const USER_POOL = "aws:cognito/userPool:UserPool";
const BUCKET = "aws:s3/bucket:Bucket";
const QUEUE = "aws:sqs/queue:Queue";
const SECRET = "aws:secretsmanager/secret:Secret";
const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
/** An event source mapping's Kafka configs, each with a consumer group (kafkaConsumerGroupChange). */
const KAFKA_CONFIGS = ["amazonManagedKafkaEventSourceConfig", "selfManagedKafkaEventSourceConfig"] as const;
/**
 * A DynamoDB table's replace-forcing inputs, for both its name check (TRANSITION_NAMED_TYPES) and
 * TransitionStatefulReplaced (TRANSITION_STATEFUL_TYPES). table.go: hash_key (Optional, Computed, ForceNew),
 * range_key, local_secondary_index, name, restore_date_time and restore_to_latest_time (ForceNew);
 * restore_source_name and restore_source_table_arn replace only when set to a new value
 * (`customdiff.ForceNewIfChange(… old != new && new != "")`). A local index exists only from CreateTable: "A local
 * secondary index can only be created when its parent table is created" (AWS::DynamoDB::Table LocalSecondaryIndex).
 * Global indexes, TTL, streams, billing and replicas change in place.
 */
const TABLE_REPLACEMENT = {
  replaceOn: ["name", "rangeKey", "localSecondaryIndexes", "restoreDateTime", "restoreToLatestTime"],
  replaceWhenSet: ["hashKey", "restoreSourceName", "restoreSourceTableArn"],
  emptyIsUnset: true,
  sets: { localSecondaryIndexes: (index: any) => String(index?.name) },
} as const;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/**
 * How a saved plan keeps a secret or personal input (`hashedInputs`): `sha256:<hex>` of the string (of canonical JSON
 * for another value); a digest already is one. Undefined for unset.
 */
function savedDigest(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && DIGEST.test(value)) return value;
  return `sha256:${createHash("sha256").update(typeof value === "string" ? value : canonicalJson(value)).digest("hex")}`;
}
/** What a saved plan keeps for a hashed "" and {}: none to an SDKv2 provider (isUnsetDigested). */
const EMPTY_STRING_DIGEST = savedDigest("")!;
const EMPTY_MAP_DIGEST = savedDigest({})!;

/**
 * A subscription endpoint as findings print it (they reach CI logs): an address by its first letter and domain, a URL
 * by its scheme and host (its path can hold a token), a phone number by its last two digits, with the start of its
 * digest to tell masked ones apart. ARNs (SQS, Lambda, Firehose) are shown as they are.
 */
function maskedEndpoint(protocol: unknown, endpoint: unknown): string {
  const value = String(endpoint ?? "");
  if (DIGEST.test(value)) return `${value.slice(0, 15)}…`;
  const digest = `(${savedDigest(value)!.slice(0, 15)})`;
  if (protocol === "email" || protocol === "email-json") {
    const at = value.lastIndexOf("@");
    return `${at > 0 ? `${value[0]}…${value.slice(at)}` : "…"} ${digest}`;
  }
  if (protocol === "http" || protocol === "https") {
    try {
      const url = new URL(value);
      return `${url.protocol}//${url.host}/… ${digest}`;
    } catch {
      return `… ${digest}`;
    }
  }
  if (protocol === "sms") return `…${value.slice(-2)} ${digest}`;
  return value;
}
/**
 * The region a resource of the plan is managed in: its own `region`, else its explicit provider's, else, under the
 * default provider, the stack's (`context.region`, the `aws:region` of the plan's side). "" where the plan cannot tell:
 * an explicit provider that sets no region takes none from the stack's config (that is the default provider's), but
 * AWS_REGION or AWS_DEFAULT_REGION, which @pulumi/aws's Provider reads when the program runs (so a plan recorded with
 * either set shows it as the provider's `region`), else the profile's region when `pulumi up` runs
 * (https://www.pulumi.com/registry/packages/aws/installation-configuration/).
 */
function where(graph: Graph, r: RecordedResource, context: TransitionContext): string {
  if (text(r.inputs.region) !== undefined || providerUrnOf(r) === undefined) return regionOf(graph, r, { stack: "", production: false, ...context });
  return text(providerOf(graph, r)?.inputs.region) ?? "";
}

/**
 * The pulumi-aws 7 modules whose resources are all global, so not region-aware: their Args take no `region`, and a
 * region change does not replace them. The services pulumi-aws docs/enhanced-region-support.md lists as global ("Global
 * services", read at d273034ca4dff0fdfe4e1ab5f8896e4673055ece), under Pulumi's module names, which are not the guide's
 * (taken from Terraform): Cost Explorer is `costexplorer` (not `ce`), BCM Data Exports `bcmdata`, Route 53 ARC
 * `route53recoverycontrol`, Account Management `account`, CloudFront KeyValueStore keys and notification contacts are in
 * `cloudfront` and `notifications`; with the global modules the guide leaves out (`savingsplans`, `uxc`). Route 53's
 * own module is not among them: its Resolver and Profiles resources are regional (ResolverEndpointArgs has `region`).
 * Checked against @pulumi/aws 7.48.0's Args by tests/deploy-rules/transition-provider.test.ts.
 */
const GLOBAL_MODULES = new Set(["account", "bcmdata", "billing", "budgets", "cloudfront", "costexplorer", "costoptimizationhub", "cur", "globalaccelerator", "iam", "networkmanager", "notifications", "organizations", "rolesanywhere", "route53domains", "route53recoverycontrol", "route53recoveryreadiness", "savingsplans", "shield", "uxc", "waf"]);
/**
 * The global resources of regional modules: the guide's "Global resources in regional services" (under Pulumi's tokens:
 * Chime SDK Voice's is `chime/sdkvoiceGlobalSettings`; EC2 ImageBlockPublicAccess and QuickSight AccountSettings take a
 * `region` in 7.48.0, so are region-aware there), Bedrock's UseCaseForModelAccess, and Route 53's DNS resources (hosted
 * zones, records, health checks, traffic policies, DNSSEC, CIDR collections, query logs); and the resources whose own
 * `region` predates v7 and means something else (the guide's "Resources deprecating `region`": a stack set instance's
 * target region, ...), which take no provider region: Terraform registers them with `ResourceRegionDisabled()`
 * (terraform-provider-aws internal/service/cloudformation/service_package_gen.go, aws_cloudformation_stack_set_instance).
 */
const GLOBAL_TYPES = new Set([
  "aws:backup/globalSettings:GlobalSettings",
  "aws:bedrock/useCaseForModelAccess:UseCaseForModelAccess",
  "aws:chime/sdkvoiceGlobalSettings:SdkvoiceGlobalSettings",
  "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount",
  "aws:directconnect/gateway:Gateway",
  "aws:ec2/vpcIpamOrganizationAdminAccount:VpcIpamOrganizationAdminAccount",
  "aws:fms/adminAccount:AdminAccount",
  "aws:ram/sharingWithOrganization:SharingWithOrganization",
  "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
  "aws:servicecatalog/organizationsAccess:OrganizationsAccess",
  ...["cidrCollection", "cidrLocation", "delegationSet", "healthCheck", "hostedZoneDnsSec", "keySigningKey", "queryLog", "record", "recordsExclusive", "trafficPolicy", "trafficPolicyInstance", "vpcAssociationAuthorization", "zone", "zoneAssociation"].map((file) => `aws:route53/${file}:${file[0].toUpperCase()}${file.slice(1)}`),
  "aws:cfg/aggregateAuthorization:AggregateAuthorization",
  "aws:cloudformation/stackSetInstance:StackSetInstance",
  "aws:directconnect/hostedConnection:HostedConnection",
  "aws:servicequotas/template:Template",
  "aws:ssmincidents/replicationSet:ReplicationSet",
]);
/** Whether a resource of `type` takes pulumi-aws 7's per-resource `region`, defaulting to its provider's (GLOBAL_MODULES, GLOBAL_TYPES). */
export const regionAware = (type: string) => type.startsWith("aws:") && !GLOBAL_MODULES.has(type.slice(4, type.indexOf("/"))) && !GLOBAL_TYPES.has(type);

/**
 * The regions the update moves a region-aware resource of both plans (`old`, deployed; `diffed`, as the engine diffs
 * it) between (`from`, deployed; `to`, next), when it moves it to another region; else undefined: the region it is managed in, its own `region` or, where it sets none, its provider's
 * (its explicit provider's, else the stack's: `regions.deployed` for `old`, `regions.next` for `diffed`), changed. pulumi-aws 7 replaces it then by its own Diff (terraform-provider-aws
 * internal/provider/sdkv2/region.go: defaultRegion plans an unset `region` as the provider's, and
 * forceNewIfRegionChanges forces a new resource when that differs from the one in state, as framework/region.go's
 * resourceDefaultRegion and resourceForceNewIfRegionChanges do for Plugin Framework resources; "Changing the value of
 * `region` will force resource replacement", pulumi-aws enhanced region support), whichever side the region comes from:
 * its own set, changed or dropped, or its provider's. Not by the engine: a changed provider reference is compared with
 * the new provider's DiffConfig, which never replaces (pulumi step_generator.go providerChanged), and a provider whose
 * region changes is updated in place (providers/registry.go Update keeps its id). So the bridge's delete-first for a
 * name set by hand holds (providerReplaces). An ignoreChanges `region` has put the deployed own region back in `diffed`.
 * Judged only where both regions are known: the deployed plan holds the resource's `region` input (a saved plan keeps
 * it for the named and stateful types), neither its own region nor the provider's it falls back to is an Output
 * unknown at preview, and both resolve to a region (where: not an explicit provider that sets none; the stack's
 * region of that side known).
 */
export type RegionMove = (old: RecordedResource, diffed: RecordedResource) => { from: string; to: string } | undefined;

/** Whether a RegionMove moves the resource (the question actionOf, cascadeOrder and replacedAsAnyKind ask). */
const movesRegion = (move: RegionMove) => (old: RecordedResource, diffed: RecordedResource) => move(old, diffed) !== undefined;

/**
 * The RegionMove of an update, under the stack regions of each side. Built once per update (planUpdate: PlanUpdate.regionMove)
 * and read by every check that asks. The graphs give only each resource's explicit provider (its region, or an Output
 * unknown at preview): the next plan's before or after the cascade alike, which draws new values into names and ids,
 * never into a provider's region.
 */
function regionMove(deployed: Graph, after: Graph, regions: StackRegions): RegionMove {
  const sides = sidesOf(regions);
  return (old, diffed) => {
    if (!regionAware(diffed.type) || !holds(old, "region") || !regionKnown(deployed, old) || !regionKnown(after, diffed)) return undefined;
    const [from, to] = [where(deployed, old, sides.deployed), where(after, diffed, sides.next)];
    return from !== "" && to !== "" && from !== to ? { from, to } : undefined;
  };
}

const STACK_MOVES = "the stack's aws:region moves it";
/**
 * Where a move to another region (regionMove) comes from, as findings say it: the resource's own `region` on either
 * side, else its explicit provider on either side, else the stack's `aws:region`, which its default provider reads.
 */
function moveCause(old: RecordedResource, diffed: RecordedResource): string {
  if (text(old.inputs.region) !== undefined || text(diffed.inputs.region) !== undefined) return "its region changes";
  return providerUrnOf(old) === undefined && providerUrnOf(diffed) === undefined ? STACK_MOVES : "its provider moves it";
}

/** Whether the plan knows the region `r` is managed in: its own `region`, or the region of the provider it falls back to, is not unknown at preview. */
function regionKnown(graph: Graph, r: RecordedResource): boolean {
  if (isUnknown(r.inputs.region)) return false;
  if (text(r.inputs.region) !== undefined) return true;
  const provider = providerOf(graph, r);
  return provider === undefined || !isUnknown(provider.inputs.region);
}

/**
 * API Gateway custom domain names: "A custom domain name must be unique within a Region across all AWS accounts", and
 * the v2 API manages the REST APIs' regional ones too ("You can use the API Gateway Version 2 APIs to create and manage
 * Regional custom domain names for REST APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-custom-domains.html),
 * so REST and v2 domains share one namespace per region, case-insensitive as DNS names are. A private REST API's domain
 * is in none: "Custom domain names for private APIs don't need to be unique"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html). An
 * edge-optimized REST domain is one name in every region: "Regional custom domain names can be shared by other
 * Regional custom domain names that are in different AWS Regions. Edge-optimized custom domain names are unique and
 * can't be associated with more than one CloudFront distribution"
 * (https://repost.aws/knowledge-center/custom-domain-name-amazon-api-gateway).
 */
const CUSTOM_DOMAINS = "API Gateway custom domain names";
const REST_DOMAIN = "aws:apigateway/domainName:DomainName";
const customDomainKey = (r: RecordedResource, graph: Graph, context: TransitionContext) => {
  const types: unknown[] = [r.inputs.endpointConfiguration?.types ?? []].flat();
  if (!text(r.inputs.domainName) || types.includes("PRIVATE")) return undefined;
  const name = dnsName(r.inputs.domainName);
  return isEdgeDomain(r, types) ? JSON.stringify([EDGE_SCOPE, name]) : JSON.stringify([where(graph, r, context), name]);
};
const EDGE_SCOPE = "edge";

/**
 * An edge-optimized name is one name in every region, so a regional domain of that name in any region holds it for an
 * edge one (CreateDomainName is refused while it exists), and an edge one holds it for a regional one anywhere. Inferred
 * from re:Post's wording (docs/deploy-rules.md): AWS states regional uniqueness per region only, and a same-region clash
 * is what it confirms.
 */
const customDomainHeldBy = (key: string, holderKey: string) => {
  const [[scope, name], [holderScope, holderName]] = [JSON.parse(key), JSON.parse(holderKey)];
  return name === holderName && (scope === EDGE_SCOPE) !== (holderScope === EDGE_SCOPE);
};

/**
 * A REST domain that is edge-optimized: EDGE stated, or no endpoint type and an edge certificate (`certificateArn` is
 * "Used when an edge-optimized domain name is desired"; `certificateName` and `certificateBody` are "Only valid for
 * EDGE endpoint configuration type", @pulumi/aws apigateway/domainName.d.ts).
 */
function isEdgeDomain(r: RecordedResource, types: unknown[]): boolean {
  if (r.type !== REST_DOMAIN) return false;
  if (types.length > 0) return types.includes("EDGE");
  return [r.inputs.certificateArn, r.inputs.certificateName, r.inputs.certificateBody].some((value) => text(value) !== undefined);
}

/** A bucket-wide S3 configuration (one per bucket): the bucket is its name, and bucket names are global (the region only scopes it). */
const bucketConfigurationKey: TransitionNamedType["key"] = (r, graph, context) =>
  text(r.inputs.bucket) ? JSON.stringify([where(graph, r, context), r.inputs.bucket]) : undefined;

/**
 * The API Gateway kinds with their autoname field as deployment-triggers.ts NAMED_DELETE_FIRST lists the types pulumi-aws
 * autonames (`name`, a value set by hand there making the bridge replace delete-first), and none for another API
 * Gateway type: one list of those types, checked against @pulumi/aws's declarations (deployment-triggers.test.ts).
 */
function withApiGatewayAutonames(kinds: TransitionNamedType[]): TransitionNamedType[] {
  return kinds.map((kind) => {
    if (!/^aws:apigateway(v2)?\//.test(kind.type)) return kind;
    const { autonameField: _listed, ...rest } = kind;
    return NAMED_DELETE_FIRST.has(kind.type) ? { ...rest, autonameField: "name" } : rest;
  });
}

/**
 * The types checked, with their replace-forcing inputs as terraform-provider-aws declares them (`ForceNew: true`),
 * which pulumi-aws 7 wraps. `region` (the v7 per-resource region) is part of every regional key rather than listed
 * (where, in the key or through scopedByRegionalId): a move to another region is a different scope, so it cannot
 * collide. The keys without it are global names: a dashboard's, a bucket's, a CloudFront alias, an edge-optimized
 * domain's, a Cognito custom domain's, a Route 53 record's (its zone is global).
 */
export const TRANSITION_NAMED_TYPES: readonly TransitionNamedType[] = withApiGatewayAutonames([
  {
    type: "aws:apigateway/model:Model",
    label: "API Gateway model",
    key: (r) => (text(r.inputs.name) ? JSON.stringify([r.inputs.restApi, r.inputs.name]) : undefined),
    scopedByRegionalId: true,
    describe: (r) => `"${r.inputs.name}" of REST API ${r.inputs.restApi}`,
    // model.go (SDKv2, read at 0593466d96e383de3f75587805537f6e590ebf4e): content_type, name and rest_api_id are
    // Required and ForceNew; description and schema are patched in place.
    replaceOn: ["name", "restApi", "contentType"],
    // autonameField "name": pulumi-aws autonames it (withApiGatewayAutonames).
    refusal: "CreateModel is refused (ConflictException): model names are unique within a REST API",
    source: `${PROVIDER}/apigateway/model.go`,
  },
  {
    type: "aws:apigateway/stage:Stage",
    label: "API Gateway stage",
    key: (r) => (text(r.inputs.stageName) ? JSON.stringify([r.inputs.restApi, r.inputs.stageName]) : undefined),
    scopedByRegionalId: true,
    describe: (r) => `"${r.inputs.stageName}" of REST API ${r.inputs.restApi}`,
    // stage.go (SDKv2, read at 050ac11163cab8cdae5936a7f40b0e528ff780df): rest_api_id and stage_name are Required and
    // the only ForceNew inputs; deployment_id, variables, canary_settings and the rest are UpdateStage patches.
    replaceOn: ["stageName", "restApi"],
    refusal: "CreateStage is refused (ConflictException): stage names are unique within a REST API",
    // What deploymentFindings reads too; not `variables` or the canary's `stageVariableOverrides`, which can hold secrets.
    savedInputs: ["restApi", "stageName", "deployment", "canarySettings.deploymentId", "region"],
    source: `${PROVIDER}/apigateway/stage.go`,
  },
  {
    type: REST_DOMAIN,
    label: "API Gateway custom domain",
    key: customDomainKey,
    describe: (r) => `${r.inputs.domainName}`,
    // domain_name.go (SDKv2, read at 00081ce41cc691433ac19bf42227cdabffd0454d): domain_name (Required) and
    // certificate_body, certificate_chain and certificate_private_key (Optional, not Computed) are ForceNew; the
    // certificate ARNs and names, endpoint_configuration (Optional+Computed), security_policy and mutual TLS are
    // UpdateDomainName patches. A certificate input set to "" is none, as unset (SDKv2), also as the digest a saved
    // plan keeps of it.
    replaceOn: ["domainName", "certificateBody", "certificateChain", "certificatePrivateKey"],
    emptyIsUnset: true,
    namespace: CUSTOM_DOMAINS,
    alsoHeldBy: customDomainHeldBy,
    refusal: "CreateDomainName is refused: the domain name already exists",
    // An imported certificate's private key (and its body and chain) is compared only for equality.
    // The certificate's ARN or name (not secret) tells an edge domain whose endpoint type is unset.
    savedInputs: ["domainName", "endpointConfiguration", "region", "certificateArn", "certificateName", "certificateBody", "certificateChain", "certificatePrivateKey"],
    hashedInputs: ["certificateBody", "certificateChain", "certificatePrivateKey"],
    source: `${PROVIDER}/apigateway/domain_name.go`,
  },
  {
    type: "aws:apigatewayv2/domainName:DomainName",
    label: "API Gateway custom domain",
    key: customDomainKey,
    describe: (r) => `${r.inputs.domainName}`,
    // `domain_name` (Required) is the only ForceNew input; a new certificate or TLS setting, ip_address_type and
    // routing_mode (Optional+Computed) are an UpdateDomainName (apigatewayv2/domain_name.go, SDKv2, read at
    // 00a35305dc1b297a6fcdecdfbba33f1e63c3da39).
    replaceOn: ["domainName"],
    namespace: CUSTOM_DOMAINS,
    alsoHeldBy: customDomainHeldBy,
    refusal: "CreateDomainName is refused: the domain name already exists",
    source: `${PROVIDER}/apigatewayv2/domain_name.go`,
  },
  {
    type: "aws:cognito/userPoolDomain:UserPoolDomain",
    label: "Cognito user pool domain",
    // A prefix domain is <prefix>.auth.<region>.amazoncognito.com; a custom domain (with dots) is one name everywhere.
    key: (r, graph, context) => {
      const domain = text(r.inputs.domain);
      if (!domain) return undefined;
      return JSON.stringify(domain.includes(".") ? [dnsName(domain)] : [where(graph, r, context), domain]);
    },
    describe: (r) => `"${r.inputs.domain}"`,
    // user_pool_domain.go (SDKv2): domain and user_pool_id are Required and ForceNew. certificate_arn was ForceNew in
    // the versions read (01c08000ddb14181b5bd19201d8fca311dc570e4, 56dec8ba07b08b711c628be8b15fa1087bf9ea98) and is
    // an UpdateUserPoolDomain since hashicorp/terraform-provider-aws#30066 ("Removes _ForceNew_ from
    // `certificate_arn`", merged 2023), which pulumi-aws 7 bridges.
    replaceOn: ["domain", "userPoolId"],
    refusal: "CreateUserPoolDomain is refused: the domain is taken",
    source: `${PROVIDER}/cognitoidp/user_pool_domain.go`,
  },
  {
    type: "aws:cloudwatch/dashboard:Dashboard",
    label: "CloudWatch dashboard",
    // PutDashboard: "All dashboards in your account are global, not region-specific" (API_PutDashboard.html).
    // dashboard.go (SDKv2, read at 0620f2a6a126dfcbc4aecbc9a117b0fbea1656ff): dashboard_name is Required and the only
    // ForceNew input; dashboard_body (Required) is put in place.
    key: (r) => (text(r.inputs.dashboardName) ? JSON.stringify([r.inputs.dashboardName]) : undefined),
    describe: (r) => `"${r.inputs.dashboardName}"`,
    replaceOn: ["dashboardName"],
    // The provider creates and updates with PutDashboard: "If a dashboard with this name already exists, this call modifies that dashboard".
    upserts: () => true,
    refusal: "PutDashboard overwrites the existing dashboard",
    source: `${PROVIDER}/cloudwatch/dashboard.go`,
  },
  {
    type: SUBSCRIPTION,
    label: "SNS topic subscription",
    // SNS keeps one subscription per topic, protocol and endpoint, in the topic's region (scopedByRegionalId).
    // The endpoint (an email address, a phone number, a webhook URL with its token) is keyed and saved as its digest.
    key: (r) => (text(r.inputs.topic) && text(r.inputs.protocol) && text(r.inputs.endpoint) ? JSON.stringify([r.inputs.topic, r.inputs.protocol, savedDigest(r.inputs.endpoint)]) : undefined),
    scopedByRegionalId: true,
    describe: (r) => `${r.inputs.protocol} ${maskedEndpoint(r.inputs.protocol, r.inputs.endpoint)} to topic ${r.inputs.topic}`,
    // topic_subscription.go (SDKv2, read at 04a2e6e5bc625ec85ea8c678219b483fc674877e): endpoint, protocol and
    // topic_arn are Required and `ForceNew: true`; the Optional ones (with `Default`s: raw_message_delivery false,
    // endpoint_auto_confirms false, confirmation_timeout_in_minutes 1) are attributes set in place.
    replaceOn: ["topic", "protocol", "endpoint"],
    // Create is Subscribe, which for an endpoint already subscribed answers with that subscription instead of a second
    // one: "If I try to create 2 subscriptions between a topic and an endpoint, Amazon will create only a single one and
    // on the 2nd call will return the ARN of the 1st one" (https://github.com/getmoto/moto/pull/1418; LocalStack matches
    // it in a test validated against AWS, https://github.com/localstack/localstack/pull/8976). Delete is
    // Unsubscribe(d.Id()), so the old copy's delete ends the subscription the new one holds. With other attributes the
    // Subscribe is refused instead: "Subscription already exists with different attributes" (InvalidParameter, as quoted
    // from AWS in localstack/localstack#8816; the SnsOneSubscriptionPerEndpoint row). A `Topic` component gives each of
    // its subscriptions a dead-letter queue of its own (<topic>-<name>-dlq, components/topic/index.ts), so a Topic
    // subscription created under another logical name than the holder's carries another RedrivePolicy: that create is
    // refused (TransitionNameTaken). Other subscriptions (Monitoring's email ones, hand-built ones) are judged as the
    // upsert: whether their attributes differ is not judged (a saved plan keeps none), and the outcome says both.
    upserts: (r) => !ownedByTopic(r),
    refusal:
      'Subscribe for an endpoint already subscribed to the topic is refused when the new subscription\'s attributes differ ("Subscription already exists with different attributes", as quoted from AWS in localstack/localstack#8816), and a Topic component gives each subscription a dead-letter queue of its own (<topic>-<name>-dlq), so this one\'s RedrivePolicy differs from the deployed one\'s',
    upsertOutcome:
      'Subscribe for an endpoint already subscribed to the topic returns the existing subscription\'s ARN (with the same attributes; with others it is refused instead, "Subscription already exists with different attributes", as quoted from AWS in localstack/localstack#8816, and the update stops there)',
    ownFix: (resource, holder) =>
      ownedByTopic(resource)
        ? `keep the subscription on its deployed name (${JSON.stringify(holder.name)}; Topic.subscribe and subscribeQueue take no aliases), or rename it in two updates, removing it in the first and adding it under the new name in the second (messages published in between do not reach it)`
        : undefined,
    savedInputs: ["topic", "protocol", "endpoint", "region"],
    hashedInputs: ["endpoint"],
    source: `${PROVIDER}/sns/topic_subscription.go`,
  },
  {
    type: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    label: "S3 CORS configuration",
    key: bucketConfigurationKey,
    describe: (r) => `of bucket ${r.inputs.bucket}`,
    // bucket_cors_configuration.go (SDKv2, read at 01c08000ddb14181b5bd19201d8fca311dc570e4 and in an aws-sdk-go-v2
    // version): bucket (Required) and expected_bucket_owner (Optional, not Computed) are ForceNew; cors_rule, a TypeSet,
    // is put in place (expected_bucket_owner is deprecated in pulumi-aws 7.48 but still there). Under SDKv2 an owner
    // set to "" would be none, as unset; but its `ValidateFunc: verify.ValidAccountID` (`^\d{12}$`, internal/verify/
    // validate.go) refuses "" before any diff, so no deployed plan holds one: `emptyIsUnset` only keeps the type read as
    // every SDKv2 type is.
    replaceOn: ["bucket", "expectedBucketOwner"],
    emptyIsUnset: true,
    // Create and update call PutBucketCors: "Sets the cors configuration for your bucket. If the configuration exists,
    // Amazon S3 replaces it" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html). The delete calls
    // DeleteBucketCors on the bucket, which removes whatever configuration it has, the new resource's included.
    upserts: () => true,
    refusal: "PutBucketCors replaces the bucket's whole CORS configuration",
    source: `${PROVIDER}/s3/bucket_cors_configuration.go`,
  },
  {
    type: "aws:s3/bucketNotification:BucketNotification",
    label: "S3 notification configuration",
    key: bucketConfigurationKey,
    describe: (r) => `of bucket ${r.inputs.bucket}`,
    // The only ForceNew input (bucket_notification.go, SDKv2, read at 033c721bf1eda7db79395cd73acb54c7efa57ffc: bucket
    // Required; eventbridge `Default: false` and the lambda_function, queue and topic lists are not ForceNew); the
    // destinations are updated in place with another put.
    replaceOn: ["bucket"],
    // Create and update are one PutBucketNotificationConfiguration: "This action replaces the existing notification
    // configuration" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html).
    // The delete (resourceBucketNotificationDelete) puts an empty NotificationConfiguration{} on the bucket.
    upserts: () => true,
    refusal: "PutBucketNotificationConfiguration replaces the bucket's whole notification configuration",
    source: `${PROVIDER}/s3/bucket_notification.go`,
  },
  {
    type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    label: "S3 replication configuration",
    key: bucketConfigurationKey,
    describe: (r) => `of bucket ${r.inputs.bucket}`,
    // bucket_replication_configuration.go (SDKv2; read in terraform-provider-aws's internal/service/s3): bucket
    // (Required) is the only `ForceNew: true` input; role, rule and token are put in place. The id is the bucket.
    replaceOn: ["bucket"],
    emptyIsUnset: true,
    // Create and update are one PutBucketReplication: "Creates a replication configuration or replaces an existing one"
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html). The delete is
    // DeleteBucketReplication(Bucket: d.Id()), which removes whatever configuration the bucket has, the new resource's
    // included, so a rename without an alias or a create-first replacement leaves the
    // bucket replicating nothing (review 117 F1: UploadBucket.replicate's configuration, once `<name>-<region>-replication`,
    // aliased only under the new region's old name).
    upserts: () => true,
    refusal: "PutBucketReplication replaces the bucket's one replication configuration",
    fixNote: "For UploadBucket.replicate, whose alias is the old name under the new region only: deploy the upgrade with the replica's region unchanged first, then change the region in a later deploy",
    savedInputs: ["bucket", "region"],
    source: `${PROVIDER}/s3/bucket_replication_configuration.go`,
  },
  {
    type: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    label: "WAF logging configuration",
    // Not a name but what a web ACL holds once: "You can define one logging destination per web ACL", and
    // PutLoggingConfiguration "completely replaces any mutable specifications that you already have for a logging
    // configuration" (https://docs.aws.amazon.com/waf/latest/APIReference/API_PutLoggingConfiguration.html). Keyed by the
    // web ACL's ARN (which names its region and account), as the bucket configurations by their bucket.
    key: (r, graph, context) => (text(r.inputs.resourceArn) ? JSON.stringify([where(graph, r, context), r.inputs.resourceArn]) : undefined),
    describe: (r) => `of web ACL ${r.inputs.resourceArn}`,
    // web_acl_logging_configuration.go (SDKv2, read at 012f18cf44eca0a93072002dafc5e45823fc281e): resource_arn and
    // log_destination_configs (a TypeSet) are `ForceNew: true`; logging_filter and redacted_fields are put in place.
    replaceOn: ["resourceArn", "logDestinationConfigs"],
    emptyIsUnset: true,
    sets: { logDestinationConfigs: String },
    // Create and update are one PutLoggingConfiguration (resourceWebACLLoggingConfigurationPut); the id is the web
    // ACL's ARN, and the delete is DeleteLoggingConfiguration(ResourceArn: d.Id()), which removes whatever configuration
    // the web ACL has, the new resource's included. WebAcl replaces its own delete-first (review 109 #1).
    upserts: () => true,
    refusal: "PutLoggingConfiguration replaces the web ACL's one logging configuration",
    savedInputs: ["resourceArn", "logDestinationConfigs", "region"],
    source: `${PROVIDER}/wafv2/web_acl_logging_configuration.go`,
  },
  {
    type: RECORD,
    label: "Route 53 record",
    // Route 53 tells records apart by zone, name, type and set identifier (record.go findResourceRecordSetByFourPartKey).
    key: (r, graph) => (text(r.inputs.name) ? recordSetKey(graph, r, { setIdentifier: true }) : undefined),
    describe: (r) => `${dnsName(r.inputs.name)} ${r.inputs.type}${r.inputs.setIdentifier ? ` (set ${r.inputs.setIdentifier})` : ""} in zone ${r.inputs.zoneId}`,
    // A change of type or setIdentifier is an in-place update (one DELETE + CREATE batch), so only these replace.
    replaceOn: ["name", "zoneId"],
    // With allowOverwrite the provider sends UPSERT instead of CREATE.
    upserts: (r) => r.inputs.allowOverwrite === true,
    refusal: 'ChangeResourceRecordSets is refused (InvalidChangeBatch: "Tried to create resource record set ... but it already exists")',
    upsertOutcome: "allowOverwrite makes the provider send UPSERT, which replaces the record set",
    source: `${PROVIDER}/route53/record.go`,
  },
  {
    type: VPC_ENDPOINT,
    label: "VPC endpoint",
    // Not a name but what a VPC holds once per service: the private DNS of an interface endpoint, and a gateway
    // endpoint's routes. Those are per route table; keyed by the VPC, a new gateway endpoint on other route tables of
    // the VPC than the removed one's is reported too (a rename takes aliases either way).
    key: (r) => {
      const kind = vpcEndpointKind(r);
      return kind && text(r.inputs.vpcId) && text(r.inputs.serviceName) ? JSON.stringify([r.inputs.vpcId, r.inputs.serviceName, kind]) : undefined;
    },
    scopedByRegionalId: true,
    describe: (r) => `${r.inputs.serviceName} (${vpcEndpointKind(r)}) in ${r.inputs.vpcId}`,
    // vpc_endpoint.go: vpc_id, service_name, vpc_endpoint_type, service_region, service_network_arn and
    // resource_configuration_arn are `ForceNew: true`; private_dns_enabled changes in place on an Interface endpoint.
    // An SDKv2 resource whose vpc_endpoint_type is Optional with `Default: awstypes.VpcEndpointTypeGateway` (vpc_endpoint.go
    // at 2de0beead3a14f30fc2a434e5df66b4146dedd0e and in its aws-sdk-go-v2 version): unset is Gateway to the provider.
    replaceOn: ["vpcId", "serviceName", "vpcEndpointType", "serviceRegion", "serviceNetworkArn", "resourceConfigurationArn"],
    emptyIsUnset: true,
    defaults: { vpcEndpointType: "Gateway" },
    refusal:
      'CreateVpcEndpoint is refused: an interface endpoint with private DNS while the VPC has one for the service ("private-dns-enabled cannot be set because there is already a conflicting DNS domain", hashicorp/terraform-provider-aws#17535), a gateway endpoint on a route table that already routes the service (RouteAlreadyExists: "you cannot have multiple endpoint routes to the same service in a single route table")',
    source: `${PROVIDER}/ec2/vpc_endpoint.go`,
  },
  {
    type: RESOURCE,
    label: "API Gateway resource",
    // A parent holds each literal path part once, and one variable path part ({id}, {proxy+}) whatever its name.
    key: (r) => {
      const pathPart = text(r.inputs.pathPart);
      if (!pathPart || !text(r.inputs.parentId)) return undefined;
      return JSON.stringify([r.inputs.restApi, r.inputs.parentId, isVariablePathPart(pathPart) ? "{}" : pathPart]);
    },
    scopedByRegionalId: true,
    describe: (r) => `${r.inputs.pathPart}${isVariablePathPart(r.inputs.pathPart) ? " (a variable path part)" : ""} under resource ${r.inputs.parentId} of REST API ${r.inputs.restApi}`,
    // resource.go (SDKv2, read at 06739b22cee5cb2a12cc0ca4458e3f84767869af): rest_api_id is the only ForceNew input; a
    // new parent_id or path_part is an UpdateResource (`OpReplace` on /parentId and /pathPart), so renaming {albumId}
    // to {id} on one resource is an update.
    replaceOn: ["restApi"],
    // Both observed, not documented: "A sibling ({albumId}) of this resource already has a variable path part -- only
    // one is allowed" (serverless-nextjs/serverless-next.js#206, ApiResourceVariableSiblings), and "Another resource
    // with the same parent already has this name: merchant (Service: ApiGateway, Status Code: 409" (serverless/serverless#10493).
    refusal:
      'CreateResource is refused: for a variable path part, "A sibling ({…}) of this resource already has a variable path part -- only one is allowed" (BadRequestException); for a literal one, "Another resource with the same parent already has this name" (ConflictException)',
    fixNote:
      "For ServerlessApi routes, whose resources are named after the path (<name>-res-…-albumId): keep the path parameter's deployed name, or rename it in two updates, the routes under it removed in the first and added with the new name in the second",
    savedInputs: ["restApi", "parentId", "pathPart", "region"],
    source: `${PROVIDER}/apigateway/resource.go`,
  },
  {
    type: "aws:apigateway/authorizer:Authorizer",
    label: "API Gateway authorizer",
    key: (r) => (text(r.inputs.name) ? JSON.stringify([r.inputs.restApi, r.inputs.name]) : undefined),
    scopedByRegionalId: true,
    describe: (r) => `"${r.inputs.name}" (${authorizerType(r)}) of REST API ${r.inputs.restApi}`,
    replaceOn: ["restApi"],
    // authorizer.go resourceAuthorizerCustomizeDiff: "switch type between COGNITO_USER_POOLS and TOKEN/REQUEST will
    // create new resource" (`diff.ForceNew(names.AttrType)`); TOKEN ↔ REQUEST is an UpdateAuthorizer /type patch.
    // `type` defaults to TOKEN (`Default: apigateway.AuthorizerTypeToken`, authorizer.go, SDKv2, read at
    // 050ac11163cab8cdae5936a7f40b0e528ff780df; authorizerType reads an unset one so); rest_api_id is the only
    // ForceNew input, name (Required) is patched in place.
    replaceWhen: (before, after) => {
      const [from, to] = [authorizerType(before), authorizerType(after)];
      return from !== to && (from === COGNITO || to === COGNITO) ? `type (${from} → ${to})` : undefined;
    },
    // autonameField "name" (withApiGatewayAutonames): Required in the Terraform schema, but pulumi-aws autonames it
    // (AuthorizerArgs.name is optional in @pulumi/aws; provider/autonaming.go gives every `name` an AutoName, as the
    // Model's above), so a name set by hand makes the bridge replace delete-first.
    // resourceAuthorizerDelete returns success on a ConflictException ("TODO: Figure out a way to delete the method
    // that depends on the authorizer first"), which API Gateway answers while methods still use the authorizer.
    deleteMayKeepName: true,
    // Observed from API Gateway v2 ("Authorizer name must be unique. Authorizer WebSocketAuthorizer already exists in
    // this RestApi"); that REST CreateAuthorizer refuses a second name alike is inferred (docs/deploy-rules.md).
    refusal: 'CreateAuthorizer is refused: authorizer names are unique per API ("Authorizer name must be unique. Authorizer … already exists in this RestApi")',
    savedInputs: ["restApi", "name", "type", "region"],
    source: `${PROVIDER}/apigateway/authorizer.go`,
  },
  {
    type: DISTRIBUTION,
    label: "CloudFront distribution",
    // "You cannot add an alternate domain name to a CloudFront distribution if the same alternate domain name already
    // exists in another CloudFront distribution, even if your AWS account owns the other distribution"
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html): one key per name, in no region
    // and no account, compared in lower case as DNS names are. A wildcard may overlap an exact name (same page), so
    // only equal names collide.
    key: (r) => distributionAliases(r).map((alias) => JSON.stringify([alias])),
    describe: (_r, key) => `with alternate domain name ${JSON.parse(key)[0]}`,
    // distribution.go: `staging` is the only ForceNew input; aliases, origins and behaviours are one UpdateDistribution.
    // An SDKv2 resource whose `staging` is Optional with `Default: false` and ForceNew (distribution.go read at
    // 023c8e5cf1eeec38d589281d77a7a960068ae20c, an aws-sdk-go v1 version): unset is false to the provider.
    replaceOn: ["staging"],
    emptyIsUnset: true,
    defaults: { staging: false },
    // The provider's `retain_on_delete` (distribution.go resourceDistributionDelete) only disables the distribution.
    keepsNameOnDelete: (r) => r.inputs.retainOnDelete === true,
    refusal:
      'CreateDistribution (or the UpdateDistribution that adds the name) is refused with CNAMEAlreadyExists: "You cannot add an alternate domain name to a CloudFront distribution if the same alternate domain name already exists in another CloudFront distribution, even if your AWS account owns the other distribution"',
    // Not origins: a website origin carries the secret Referer header (StaticSite hosting "s3-website").
    savedInputs: ["aliases", "staging", "retainOnDelete"],
    source: `${PROVIDER}/cloudfront/distribution.go`,
  },
  {
    type: BUCKET,
    label: "S3 bucket",
    // "each bucket name must be unique across all AWS accounts in all the AWS Regions within a partition"
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/gpbucketnamespaces.html): no region in the key.
    key: (r) => (text(r.inputs.bucket) ? JSON.stringify([r.inputs.bucket]) : undefined),
    describe: (r) => `"${r.inputs.bucket}"`,
    // bucket.go: bucket and bucket_prefix are ForceNew; a new region replaces it too (provider v7's region). An explicit
    // `bucket` is the autoname field, so a replacement is delete-first unless the deployed bucket is retained.
    replaceOn: ["bucket", "bucketPrefix", "region"],
    autonameField: "bucket",
    // S3 answers a name the account holds with BucketAlreadyOwnedByYou: "Amazon S3 returns this error in all AWS
    // Regions except in the North Virginia Region. For legacy compatibility, if you re-create an existing bucket that
    // you already own in the North Virginia Region, Amazon S3 returns 200 OK" (CreateBucket errors); there the provider
    // looks the bucket up first and fails with BucketAlreadyExists (bucket.go resourceBucketCreate: "Special case:
    // us-east-1 does not return error if the bucket already exists").
    refusal: "CreateBucket is refused: S3 answers BucketAlreadyOwnedByYou for a name the account holds (in us-east-1 the provider finds the bucket first and reports BucketAlreadyExists)",
    savedInputs: ["bucket", "bucketPrefix", "region"],
    source: `${PROVIDER}/s3/bucket.go`,
  },
  {
    type: SECRET,
    label: "Secrets Manager secret",
    // A secret's name is unique per account and region: CreateSecret answers a name an existing secret holds with
    // ResourceExistsException, and one a deleted secret holds through its recovery window with InvalidRequestException
    // ("You can't create this secret because a secret with this name is already scheduled for deletion", observed:
    // hashicorp/terraform-provider-aws#10259; rule SecretNamedWithRecovery). A replica's region holds the name too, which
    // the key leaves out.
    key: (r, graph, context) => (text(r.inputs.name) ? JSON.stringify([where(graph, r, context), r.inputs.name]) : undefined),
    describe: (r) => `"${r.inputs.name}"`,
    // secret.go (SDKv2, read at 00c21cedec069dd27093b175baf15bac6d4b30fe): name and name_prefix are
    // Optional+Computed+ForceNew, nothing else is (replica, a TypeSet, is added and removed in place; description,
    // kms_key_id and policy are updates; recovery_window_in_days `Default: 30` and force_overwrite_replica_secret
    // `Default: false` only steer the delete and the replicas); `region` is in the key. Both stay compared on any
    // change: `name` is pulumi-aws's AutoName field (autonaming.go setAutonaming at
    // 0c5f6583ebfb37cbe0febc2edb51b44cfeac2b15), so a name or prefix the program stops setting is a new drawn name; and
    // as the autoname field, an explicit `name` makes a replacement delete-first unless the deployed secret is retained.
    replaceOn: ["name", "namePrefix"],
    emptyIsUnset: true,
    autonameField: "name",
    // secret.go delete: DeleteSecret with RecoveryWindowInDays unless it is 0 (then ForceDeleteWithoutRecovery), so a
    // deleted secret with a window (the provider's default is 30 days) keeps its name until the window ends.
    keepsNameOnDelete: (r) => r.inputs.recoveryWindowInDays !== 0,
    refusal:
      'CreateSecret is refused: ResourceExistsException while the deployed secret exists, and InvalidRequestException ("You can\'t create this secret because a secret with this name is already scheduled for deletion") through its recovery window once deleted',
    savedInputs: ["name", "namePrefix", "region", "recoveryWindowInDays"],
    source: `${PROVIDER}/secretsmanager/secret.go`,
  },
  {
    type: "aws:cloudwatch/eventArchive:EventArchive",
    label: "EventBridge archive",
    // Named per account and region whatever its bus (DescribeArchive and DeleteArchive take the name alone;
    // name-collisions.ts UNIQUE_NAMES, EventBridgeNames' wording).
    key: (r, graph, context) => (text(r.inputs.name) ? JSON.stringify([where(graph, r, context), r.inputs.name]) : undefined),
    describe: (r) => `"${r.inputs.name}"`,
    // archive.go (SDKv2, read at b11fc0fdd2efcc87bbff031692818008455bd048 and 0015017ad4056c21b70ab87f24a39c720202878f):
    // name and event_source_arn are Required and ForceNew; description, event_pattern and retention_days are an
    // UpdateArchive. pulumi-aws makes `name` optional and autonames it (eventbridge.ts NAMES: default AutoName, 255), so
    // an explicit name makes the bridge replace delete-first. kms_key_identifier (pulumi-aws 7's kmsKeyIdentifier) is
    // not in the versions read: taken as UpdateArchive's (its KmsKeyIdentifier), not confirmed.
    replaceOn: ["name", "eventSourceArn"],
    emptyIsUnset: true,
    autonameField: "name",
    refusal: "CreateArchive is refused (ResourceAlreadyExistsException)",
    savedInputs: ["name", "eventSourceArn", "region"],
    source: `${PROVIDER}/events/archive.go`,
  },
  {
    type: EVENT_SOURCE_MAPPING,
    label: "Lambda event source mapping",
    // Not a name: Lambda keeps one mapping per event source and function (eventSourceMappingPair, deploy rule
    // LambdaEventSourceMappingUnique), and a mapping has no name field, so the bridge never replaces it delete-first.
    // The pair (eventSourceMappingPair) without the function's region where that is the mapping's own, which
    // scopedByRegionalId puts first: kept only where functionName is an ARN naming another region.
    key: (r, graph, context) => {
      const region = where(graph, r, context);
      const pair = eventSourceMappingPair(graph, r, region);
      if (pair === undefined) return undefined;
      const [source, fn, fnRegion] = JSON.parse(pair) as string[];
      return JSON.stringify(fnRegion === region ? [source, fn] : [source, fn, fnRegion]);
    },
    scopedByRegionalId: true,
    describe: (_r, key) => {
      const [, source, fn] = JSON.parse(key) as string[];
      return `of ${source} to function ${fn}`;
    },
    // event_source_mapping.go: event_source_arn, starting_position, starting_position_timestamp, queues, topics and
    // self_managed_event_source are ForceNew; function_name is updated in place (UpdateEventSourceMapping
    // FunctionName). UpdateEventSourceMapping takes no StartingPosition. An SDKv2 resource (read at
    // 0603f3b6edfc8e5a5dec9f7b9486c6b160740ade), `topics` a TypeSet.
    replaceOn: ["eventSourceArn", "startingPosition", "startingPositionTimestamp", "queues", "topics", "selfManagedEventSource"],
    replaceWhen: kafkaConsumerGroupChange,
    emptyIsUnset: true,
    sets: { topics: String },
    refusal:
      'CreateEventSourceMapping is refused (ResourceConflictException: "The event source arn (…) and function (…) provided mapping already exists. Please update or delete the existing mapping with UUID …", aws/serverless-application-model#1320, hashicorp/terraform-provider-aws#33352)',
    fixNote:
      "A DataTier subscription's mapping is named after the subscription (<tier>-<subscription>-mapping), which DataTier.subscribe takes no aliases for: keep the subscription's deployed name, or rename it in two updates, the subscription removed in the first and added under the new name in the second (records written between the two are not delivered at LATEST)",
    replacedCreateFirst: {
      holds: "its deployed copy keeps the pair until the new one exists: a mapping has no name field, so the bridge does not replace it delete-first, and deleteBeforeReplace is not set",
      fix: (r) =>
        `set deleteBeforeReplace: true on ${r.name} (DataTier subscriptions have it from this version), so the deployed mapping is deleted before the new one is created; the new one starts at its startingPosition: TRIM_HORIZON reads again up to 24 hours of records the old one delivered, LATEST skips those written between the delete and its first poll`,
    },
    // No secret among them: ARNs, positions, Kafka topics, MQ queue names; a self-managed Kafka source's bootstrap
    // servers are kept as a digest.
    savedInputs: ["eventSourceArn", "functionName", "region", "startingPosition", "startingPositionTimestamp", "queues", "topics", "selfManagedEventSource", ...KAFKA_CONFIGS.map((config) => `${config}.consumerGroupId`), "destinationConfig.onFailure.destinationArn"],
    hashedInputs: ["selfManagedEventSource"],
    source: `${PROVIDER}/lambda/event_source_mapping.go`,
  },
  {
    type: TABLE,
    label: "DynamoDB table",
    // "In an AWS account, table names must be unique within each Region. That is, you can have two tables with same
    // name if you create the tables in different Regions" (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html).
    key: (r, graph, context) => (text(r.inputs.name) ? JSON.stringify([where(graph, r, context), r.inputs.name]) : undefined),
    describe: (r) => `"${r.inputs.name}"`,
    // The table's replace-forcing inputs as TransitionStatefulReplaced compares them (local indexes as a set, hashKey
    // only when set); `region` is in the key, so a move to another region is another scope.
    ...TABLE_REPLACEMENT,
    // An explicit `name` is the autoname field: a replacement is delete-first unless the deployed table is retained.
    autonameField: "name",
    refusal: 'CreateTable is refused (ResourceInUseException: "You attempted to recreate an existing table", API_CreateTable)',
    savedInputs: ["name", "region"],
    source: `${PROVIDER}/dynamodb/table.go`,
  },
  V2_ROUTE_NAMED_TYPE,
]);

/**
 * An event source mapping's Kafka consumer group: `consumer_group_id` inside amazon_managed_kafka_event_source_config and
 * self_managed_kafka_event_source_config is Optional+Computed+ForceNew (event_source_mapping.go at
 * 0603f3b6edfc8e5a5dec9f7b9486c6b160740ade), so a group the program sets anew replaces the mapping, and a config
 * written without one (`{}`) or left out keeps the deployed group. Only that field is compared: the configs'
 * `schemaRegistryConfig`, which @pulumi/aws 7.48 has and that commit predates (hashicorp/terraform-provider-aws#44540),
 * is not, as its ForceNew in the version pulumi-aws 7.48 bridges was not read. A deployed plan saved without the field
 * is not judged.
 */
function kafkaConsumerGroupChange(before: RecordedResource, after: RecordedResource): string | undefined {
  const changes = KAFKA_CONFIGS.flatMap((config) => {
    if (!holds(before, config) && !holds(before, `${config}.consumerGroupId`)) return [];
    const [from, to] = [text(before.inputs[config]?.consumerGroupId), text(after.inputs[config]?.consumerGroupId)];
    return to !== undefined && to !== from ? [`${config}.consumerGroupId (${from ?? "none"} → ${to})`] : [];
  });
  return changes.length > 0 ? changes.join(", ") : undefined;
}

const COGNITO = "COGNITO_USER_POOLS";
/** The authorizer's type as the provider defaults it (authorizer.go `Default: types.AuthorizerTypeToken`). */
const authorizerType = (r: RecordedResource): string => text(r.inputs.type) ?? "TOKEN";
/**
 * Which of a VPC's once-per-service slots an endpoint takes: "interface, private DNS", "gateway" (the provider's default
 * type, vpc_endpoint.go `Default: awstypes.VpcEndpointTypeGateway`, with route tables), or none.
 */
function vpcEndpointKind(r: RecordedResource): "interface, private DNS" | "gateway" | undefined {
  const type = r.inputs.vpcEndpointType ?? "Gateway";
  if (type === "Interface" && r.inputs.privateDnsEnabled === true) return "interface, private DNS";
  if (type === "Gateway" && asArray(r.inputs.routeTableIds).length > 0) return "gateway";
  return undefined;
}

/** The transition findings' rule ids, with the page each rests on (docs/deploy-rules.md, "Second deploys"). */
export const PLAN_TRANSITION_RULES = [
  { id: "TransitionNameTaken", title: "A resource created or replaced by the update does not take a name a resource of the deployed plan still holds", source: "https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/" },
  { id: "TransitionNameOverwritten", title: "An upsert-created resource is not deleted afterwards with the old resource of the same name", source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html" },
  { id: "TransitionDuplicateAlias", title: "No two resources of the plan claim one deployed resource through their aliases", source: "https://www.pulumi.com/docs/iac/concepts/options/aliases/" },
  { id: "TransitionHostedUiDomainGap", title: "The hosted UI domain is not replaced delete-first while the pool keeps no other domain", source: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html" },
  { id: "TransitionEdgeLogGroupPreexisting", title: "An edge log group is not created where the Lambda@Edge function already made it", source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html" },
  { id: "TransitionRoutingPolicy", title: "Records of one name and type do not switch routing policy one record at a time", source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html" },
  { id: "TransitionRecordSetOrphaned", title: "A removed Route 53 record does not delete the record set a kept record still writes", source: `${PROVIDER}/route53/record.go` },
  { id: "TransitionVaultLockImmutable", title: "A compliance-mode backup vault lock keeps its numbers", source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-backup-backupvault-lockconfigurationtype.html" },
  { id: "TransitionStatefulReplaced", title: "A table, user pool, bucket, Aurora cluster or SQS queue is neither replaced nor renamed without aliases", source: "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html" },
  { id: "TransitionReplicaStreamOff", title: "A global table's replicas and its stream are not dropped in one update", source: "https://github.com/hashicorp/terraform-provider-aws/issues/34450" },
  { id: "TransitionProtectedReplicaRemoved", title: "A deletion-protected replica is not removed before its protection is off", source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-bestpractices.html" },
  { id: "TransitionDeploymentStillServed", title: "A REST API deployment is not deleted while a stage still serves it", source: "https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDeployment.html" },
  { id: "TransitionRetainedTooLate", title: "retainOnDelete is not first set in the update that replaces the resource", source: "https://github.com/pulumi/pulumi/issues/13428" },
  { id: "TransitionPreTokenTriggerKept", title: "A user pool's pre token generation trigger is not removed while other triggers stay", source: "https://github.com/hashicorp/terraform-provider-aws/issues/38617" },
  { id: "TransitionUserPoolSchemaChanged", title: "A kept user pool's schemas entries are only added to, never changed or removed", source: `${PROVIDER}/cognitoidp/user_pool.go` },
  { id: "TransitionRestApiEndpointType", title: "A REST API does not go from PRIVATE to EDGE in one update", source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-api-migration.html" },
  { id: "TransitionStreamCycled", title: "A table's stream view type does not change under a subscription that starts at LATEST", source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/dynamodb/table.go" },
  { id: "TransitionKeyAttributeRetyped", title: "A key attribute of a table keeps its type", source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/dynamodb/table.go" },
  { id: "TransitionTtlAttributeMoved", title: "A table's TTL does not move to another attribute while it is on", source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html" },
  { id: "TransitionBillingToProvisioned", title: "An indexed table does not switch to provisioned billing while its indexes' capacities are ignored", source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html" },
  { id: "TransitionIgnoredArrayResized", title: "An array under an ignoreChanges path keeps its length", source: "https://github.com/pulumi/pulumi/pull/20465" },
  { id: "TransitionReplicaRekeyed", title: "A global table's replica is not re-keyed in place", source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/dynamodb/table.go" },
  { id: "TransitionCloudFrontDeletedWhileDeploying", title: "A CloudFront Function, key value store or origin access control is not deleted by the update that stops a non-waiting distribution using it", source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DeleteFunction.html" },
  { id: "TransitionKinesisShardScaling", title: "A provisioned Kinesis stream's shard count changes by at most double or half per update", source: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html" },
  { id: "TransitionRdsEngineVersion", title: "An Aurora PostgreSQL cluster's engine version neither goes down nor up a major without allowMajorVersionUpgrade", source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html" },
  { id: "TransitionRdsClusterNameReused", title: "A replaced Aurora cluster takes neither the identifier nor the final snapshot name its old self holds", source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/cluster.go" },
  { id: "TransitionPolicyWriterDeleted", title: "A policy resource is not deleted by the update that moves its resource's one policy document to another writer", source: `${PROVIDER}/apigateway/rest_api_policy.go` },
  { id: "TransitionKeyPolicyKeyChanged", title: "A KMS KeyPolicy is not given another key in place", source: `${PROVIDER}/kms/key_policy.go` },
  { id: "TransitionWebsiteOriginClosedWhileDeploying", title: "A distribution that does not wait for deployment is not moved off an S3 website origin whose website configuration the update removes", source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowToUpdateDistribution.html" },
  TRANSITION_WEBSOCKET_ROUTE_RULE,
  TRANSITION_HTTP_ROUTE_RULE,
  TRANSITION_REST_ROUTE_RULE,
  TRANSITION_REST_INTEGRATION_RULE,
  TRANSITION_REST_METHOD_MOVED_RULE,
  TRANSITION_REST_METHOD_REPLACED_RULE,
  TRANSITION_API_V2_PART_IN_USE_RULE,
  TRANSITION_ROUTING_SLOT_TAKEN_RULE,
  ...TRANSITION_DATA_RULES,
  TRANSITION_USAGE_PLAN_KEY_MOVED_RULE,
  TRANSITION_MOVED_OFF_DELETE_FIRST_RULE,
] as const;

const VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
/** Every field of aws_backup_vault_lock_configuration is ForceNew (internal/service/backup/vault_lock_configuration.go). */
const VAULT_LOCK_NUMBERS = ["minRetentionDays", "maxRetentionDays", "changeableForDays"] as const;

/** Types whose inputs a saved plan keeps besides the named ones: the transition checks read them, and they hold no secret. */
const TRANSITION_INPUT_TYPES: readonly string[] = [VAULT_LOCK, "aws:kinesis/stream:Stream"];


/**
 * Policy resources whose delete empties (or resets) the one policy document of their resource, each with its one-writer
 * rule (one-policy.ts: the writers of a resource are read as that rule reads them), what the delete does (read in
 * terraform-provider-aws), the inputs a saved plan keeps to find its resource (a reference, none of them secret), and a
 * delete that leaves the document alone.
 */
const POLICY_WRITER_DELETES: ReadonlyArray<{
  type: string;
  rule: Parameters<typeof onePolicyTargets>[0];
  policy: string;
  deletes: string;
  left: string;
  /** The reference to its resource first. */
  kept: readonly string[];
  /** The reference is ForceNew: a policy resource moved to another resource is replaced, and its old copy deleted. */
  replacedOnMove: boolean;
  /** Every ForceNew input of those kept, when more than the reference (with replacedOnMove). */
  replaceOn?: readonly string[];
  keeps?(writer: RecordedResource): boolean;
  /** How the delete fails instead, for a writer whose delete the provider guards against another write (else undefined). */
  refused?(writer: RecordedResource): string | undefined;
  /**
   * The writer lookup, where the rule's own gives the resource no holder in the plan (a table's policies, grouped by ARN
   * by DynamoDbOneResourcePolicy): the same writers, with the holder, so that its replacement is judged (holderReplaced).
   */
  targets?: ReturnType<typeof onePolicyTargets>;
}> = [
  {
    type: "aws:apigateway/restApiPolicy:RestApiPolicy",
    rule: API_GATEWAY_ONE_REST_API_POLICY,
    policy: "resource policy",
    deletes: 'UpdateRestApi with the patch replace /policy "" (apigateway/rest_api_policy.go resourceRestAPIPolicyDelete)',
    left: "without a resource policy",
    kept: ["restApiId"],
    replacedOnMove: true,
  },
  {
    type: QUEUE_POLICY,
    rule: SQS_ONE_QUEUE_POLICY,
    policy: "access policy",
    deletes: 'SetQueueAttributes with Policy "" (sqs/queue_policy.go, through queue_attribute_handler.go Delete)',
    left: "without an access policy",
    kept: ["queueUrl"],
    replacedOnMove: true,
  },
  {
    type: BUCKET_POLICY,
    rule: S3_ONE_BUCKET_POLICY,
    policy: "bucket policy",
    deletes: "DeleteBucketPolicy (s3/bucket_policy.go resourceBucketPolicyDelete)",
    left: "without a bucket policy",
    kept: ["bucket"],
    replacedOnMove: true,
  },
  {
    type: KEY_POLICY,
    rule: KMS_ONE_KEY_POLICY,
    policy: "key policy",
    deletes: "PutKeyPolicy with KMS's default key policy (kms/key_policy.go resourceKeyPolicyDelete)",
    left: "with the default key policy (kms:* for the account root only: conns DefaultKMSKeyPolicy)",
    kept: ["keyId", "bypassPolicyLockoutSafetyCheck"],
    // key_id is not ForceNew, and the provider's update writes only a changed policy, to d.Id(), the first key, whose id
    // its read sets key_id back to (resourceKeyPolicyUpdate, resourceKeyPolicyRead): a KeyPolicy moved to another key is
    // not replaced, and its document never reaches the new key (TransitionKeyPolicyKeyChanged).
    replacedOnMove: false,
    // With the lockout check bypassed the provider's delete puts nothing back (resourceKeyPolicyDelete).
    keeps: (writer) => writer.inputs.bypassPolicyLockoutSafetyCheck === true,
  },
  {
    type: TOPIC_POLICY,
    rule: SNS_ONE_TOPIC_POLICY,
    policy: "access policy",
    // "It is impossible to delete a policy or set to empty (confirmed by AWS Support representative)" (topic_policy.go).
    deletes: "SetTopicAttributes with the provider's default topic policy (sns/topic_policy.go resourceTopicPolicyDelete, defaultTopicPolicy)",
    left: "with the provider's default topic policy (nine actions — GetTopicAttributes, SetTopicAttributes, AddPermission, RemovePermission, DeleteTopic, Subscribe, ListSubscriptionsByTopic, Publish, Receive — to every principal, on the condition AWS:SourceOwner is the topic owner's account)",
    kept: ["arn"],
    replacedOnMove: true,
  },
  {
    type: "aws:secretsmanager/secretPolicy:SecretPolicy",
    rule: SECRETS_MANAGER_ONE_SECRET_POLICY,
    policy: "resource policy",
    deletes: "DeleteResourcePolicy (secretsmanager/secret_policy.go resourceSecretPolicyDelete)",
    left: "without a resource policy",
    kept: ["secretArn"],
    replacedOnMove: true,
  },
  {
    type: "aws:kinesis/resourcePolicy:ResourcePolicy",
    rule: KINESIS_ONE_RESOURCE_POLICY,
    policy: "resource policy",
    deletes: "DeleteResourcePolicy (kinesis/resource_policy.go Delete)",
    left: "without a resource policy",
    kept: ["resourceArn"],
    replacedOnMove: true,
  },
  {
    type: "aws:backup/vaultPolicy:VaultPolicy",
    rule: BACKUP_ONE_VAULT_POLICY,
    policy: "access policy",
    deletes: "DeleteBackupVaultAccessPolicy (backup/vault_policy.go resourceVaultPolicyDelete)",
    left: "without an access policy",
    kept: ["backupVaultName"],
    replacedOnMove: true,
  },
  {
    type: "aws:ecr/repositoryPolicy:RepositoryPolicy",
    rule: ECR_ONE_REPOSITORY_POLICY,
    policy: "repository policy",
    deletes: "DeleteRepositoryPolicy (ecr/repository_policy.go resourceRepositoryPolicyDelete)",
    left: "without a repository policy",
    kept: ["repository"],
    replacedOnMove: true,
  },
  {
    type: "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    rule: CLOUDWATCH_LOGS_ONE_RESOURCE_POLICY,
    policy: "CloudWatch Logs resource policy",
    deletes: "DeleteResourcePolicy by the policy's name (logs/resource_policy.go resourceResourcePolicyDelete)",
    left: "without it",
    // By the log group's ARN the provider's delete sends ExpectedRevisionId, the revision its state holds ("Required when
    // deleting a resource-scoped policy to prevent concurrent modifications", API_DeleteResourcePolicy), which the new
    // writer's put has changed: the delete is refused rather than emptying the document (inferred from that wording).
    refused: (writer) =>
      typeof writer.inputs.resourceArn === "string" && writer.inputs.resourceArn !== ""
        ? "calls DeleteResourcePolicy by the log group's ARN with ExpectedRevisionId, the revision the old copy's state holds (logs/resource_policy.go resourceResourcePolicyDelete), which the new writer's put has changed: CloudWatch Logs refuses it (the revision guards against concurrent modifications, API_DeleteResourcePolicy), so the update fails there, and so does every later one that retries the delete"
        : undefined,
    // A policy by name has no resource to move to: another policyName is another policy. Both are ForceNew, exactly one
    // set (logs/resource_policy.go schema): a new policyName replaces it create-first, and the old copy's delete by the
    // old name drops a policy another writer has just put under that name.
    kept: ["resourceArn", "policyName"],
    replacedOnMove: true,
    replaceOn: ["resourceArn", "policyName"],
  },
  {
    type: TABLE_POLICY,
    rule: DYNAMODB_ONE_RESOURCE_POLICY,
    policy: "resource-based policy",
    deletes: "DeleteResourcePolicy (dynamodb/resource_policy.go Delete)",
    left: "without a resource-based policy",
    kept: ["resourceArn"],
    replacedOnMove: true,
    targets: DYNAMODB_TABLE_POLICY_TARGETS,
  },
  {
    type: BUS_POLICY,
    rule: EVENTBRIDGE_ONE_BUS_POLICY,
    policy: "resource policy",
    // RemoveAllPermissions also drops the statements aws.cloudwatch.EventPermission resources have added.
    deletes: "RemovePermission with RemoveAllPermissions: true (events/bus_policy.go resourceBusPolicyDelete)",
    left: "without a resource policy",
    kept: ["eventBusName"],
    replacedOnMove: true,
  },
  {
    type: "aws:lambda/resourcePolicy:ResourcePolicy",
    rule: LAMBDA_ONE_RESOURCE_POLICY,
    policy: "resource-based policy",
    // DeleteResourcePolicy also drops the statements aws.lambda.Permission resources have added.
    deletes: "DeleteResourcePolicy (lambda/policy.go Delete)",
    left: "without a resource-based policy",
    kept: ["resourceArn"],
    replacedOnMove: true,
  },
];

/**
 * More inputs a saved plan keeps of some types, for the checks that read them (`a.b`: field b of object input a): a
 * REST API's endpoint type (TransitionRestApiEndpointType, not its body or policy), a REST method's, integration's and
 * method or integration response's key (its HTTP method, resource and status code), a user pool's Lambda triggers
 * (TransitionPreTokenTriggerKept: function ARNs) and attribute schema (TransitionUserPoolSchemaChanged), a table's stream view type
 * (TransitionStreamCycled) and attribute definitions, each a key attribute's name and type
 * (TransitionKeyAttributeRetyped), a policy resource's reference to its resource (TransitionPolicyWriterDeleted:
 * POLICY_WRITER_DELETES), an Aurora cluster's engine and version (TransitionRdsEngineVersion; its
 * replace-forcing, protection and final snapshot inputs, which TransitionRdsClusterNameReused reads, are kept as those
 * of a stateful type, TRANSITION_STATEFUL_TYPES). None of them secret or personal.
 */
const TRANSITION_READ_INPUTS: Readonly<Record<string, readonly string[]>> = {
  [REST_API]: ["endpointConfiguration.types"],
  // Its triggers (TransitionPreTokenTriggerKept) and attribute schema (TransitionUserPoolSchemaChanged).
  [USER_POOL]: ["lambdaConfig", "schemas"],
  // A table's customer key (TransitionTableKeyRemoved, transition-data.ts).
  [TABLE]: ["streamViewType", "attributes", "serverSideEncryption"],
  [RDS_CLUSTER]: ["engine", "engineVersion", "allowMajorVersionUpgrade"],
  // The route a method or a v2 route serves (TransitionRestRouteStillServed, TransitionWebSocketRouteStillServed,
  // TransitionHttpRouteStillServed), so one kept under a new URN is no removal; the method's resource path is kept with
  // the resource (TRANSITION_NAMED_TYPES).
  [METHOD]: ["httpMethod", "resourceId"],
  // The method an integration serves (TransitionRestIntegrationRemoved).
  [INTEGRATION]: ["httpMethod", "resourceId"],
  // The key a method or integration response holds: its method's and its status code (TransitionRestMethodReplacedCreateFirst).
  [METHOD_RESPONSE]: ["httpMethod", "resourceId", "statusCode"],
  [INTEGRATION_RESPONSE]: ["httpMethod", "resourceId", "statusCode"],
  [V2_ROUTE]: ["routeKey"],
  // The ids a usage plan key associates (TransitionUsagePlanKeyMoved: an ignoreChanges on them keeps the key).
  ["aws:apigateway/usagePlanKey:UsagePlanKey"]: ["keyId", "usagePlanId"],
  // An awsx VPC's subnet layout (TransitionVpcSubnetLayout, transition-data.ts).
  ["awsx:ec2:Vpc"]: ["cidrBlock", "subnetSpecs", "subnetStrategy", "availabilityZoneNames", "numberOfAvailabilityZones"],
  ["aws:rds/subnetGroup:SubnetGroup"]: ["subnetIds"], // TransitionDbSubnetInUse (warning), transition-data.ts
  ...Object.fromEntries(POLICY_WRITER_DELETES.map((kind) => [kind.type, kind.kept])),
};

type Action = "create" | "replace" | "replace-delete-first" | "move";

/**
 * What the update does to `after` (a resource of `after`, as diffed: diffedByUrn) about one of its names, given its
 * deployed self `old` (same URN) if any and whether that held the name. Replaced: for its own inputs (replaceReasons) or
 * for its replaceWith (`replacedWith`, the cascade's: a resource it names there is replaced), which the engine makes
 * create-first unless deleteBeforeReplace (providerReplaces), or moved to another region, by its own region or its
 * provider's (`moved`, RegionMove), a replacement the provider's Diff makes, so the bridge's delete-first for a name
 * set by hand holds even where a replaceOnChanges also replaces it (providerReplaces' `forcedBeyondTables`). A deployed
 * resource whose inputs the deployed plan does not hold (a plan saved before its type was checked) is not judged.
 */
function actionOf(kind: TransitionNamedType, old: RecordedResource | undefined, after: RecordedResource, oldHeldName: boolean, replacedWith: ReplacedWith, order: CascadeOrder, moved: (old: RecordedResource, diffed: RecordedResource) => boolean): Action | undefined {
  if (!old) return "create";
  if (!holdsInputs(old)) return undefined;
  if (replacedWith.has(after.urn) || order.early.has(after.urn) || replaceReasons(kind, old, after).length > 0 || moved(old, after)) return replacementDeletesFirst(order.early, kind, old, after, replacedWith, (diffed) => moved(old, diffed)) ? "replace-delete-first" : "replace";
  return oldHeldName ? undefined : "move";
}

/** The cascade's replacedWith (withCascadedReplacements): each resource replaced for its replaceWith or deletedWith, to the replaced resources it names there (cascadeOption tells which). */
type ReplacedWith = ReadonlyMap<string, readonly string[]>;

/**
 * The resources replaced for their replaceWith or deletedWith (`replacedWith`) whose deployed copy the engine deletes
 * before it creates the new one, whatever their own deleteBeforeReplace: those whose replaceWith or deletedWith names a
 * resource the update replaces delete-first. The engine's delete-before-replace branch for that target deletes, before
 * the target, every resource whose replaceWith or deletedWith names it (pulumi/pulumi pkg/resource/deploy/step_generator.go continueStepsFromDiff:
 * `replacedWith, err := sg.findDependentCascadeReplacements(urn)`, appended to toReplace and each given a
 * DeleteReplacementStep, lines 2074-2124 at 1b5949891b3cefcb9974752b24a5ecef0acc86c8; findDependentCascadeReplacements,
 * lines 3419-3443); the resource's own registration later finds its old copy deleted and only creates ("Case 1:
 * recreating", lines 1482-1506).
 * Only a direct target counts: a target replaced for its own replaceWith gets the engine's DiffResult, create-first
 * unless its deleteBeforeReplace (providerReplaces). A target is judged as the provider is sent it (asDiffed). A target
 * deleted early itself runs no branch of its own: the engine re-creates it ("Case 1: recreating", lines 1482-1506).
 * The same branch, of any resource the update replaces delete-first (`replaced`, planUpdate's judgement of its inputs
 * and the cascade), also deletes first the deployed dependents calculateDependentReplacements finds (lines 3268-3414):
 * those deployed deletedWith it, and those with a replace-forcing input whose property dependencies name it, as the
 * provider's Diff judges that input unknown (forcedFrom), and those whose provider it is (a provider replaced
 * delete-first takes every resource of it), transitively, whatever their own deleteBeforeReplace; they are `early` too,
 * and one the program keeps is re-created when it registers (planUpdate's `replaced`).
 */
function cascadeOrder(deployed: Graph, after: Graph, replacedWith: ReplacedWith, byNaming: ReadonlyMap<string, string>, replaced: (urn: string) => boolean, move: RegionMove): CascadeOrder {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  // replacementDeletesFirst of the resource of `urn`, as the provider is sent it, given the cascade's `early`.
  // A move to another region is the provider's replacement too (providerReplaces' forcedBeyondTables).
  const moved = movesRegion(move);
  const deletesFirstGiven = (early: ReadonlySet<string>) => (urn: string) => {
    const [old, next] = [deployedByUrn.get(urn), afterByUrn.get(urn)];
    if (!next) return early.has(urn);
    const kind = replacementKindOf(next.type) ?? {};
    return replacementDeletesFirst(early, kind, old, old ? asDiffed(kind, old, next) : next, replacedWith, old && ((diffed) => moved(old, diffed)));
  };
  // A target's own judgement (none is early to it), for a target that is not early itself: one deleted in the branch of
  // a target of its own is re-created without a branch ("Case 1: recreating" returns only its replace and create steps),
  // so what names it is replaced by its own judgement (step_generator.go diff, `sg.replaces`), not deleted early.
  const ownDeleteFirst = deletesFirstGiven(new Set());
  const branches = new Map<string, boolean>();
  // Each deployed resource to what calculateDependentReplacements replaces it for (forcedFrom): its deployed deletedWith
  // target, and the resources a replace-forcing input of it takes its value from.
  const forced = forcedFrom(deployed);
  // The deployed resources whose replacement the engine replaces the resource of `urn` for in a delete-before-replace
  // branch, transitively (calculateDependentReplacements' replaceSet), up to the resources that run that branch: the
  // roots. DependingOn follows deletedWith and property dependencies (graph/dependency_graph.go lines 55-95); "a
  // resource deleted with a replaced resource ... must be replaced regardless of property diffs" (step_generator.go line
  // 3320: `r.DeletedWith != "" && replaceSet[r.DeletedWith]`), and one with an input whose property dependencies name a
  // resource of the set is replaced when the provider's Diff, given that input unknown, says so (lines 3324-3373). A
  // replaceWith alone puts none in that set (findDependentCascadeReplacements is not followed from there).
  // The walk leaves out, and does not pass through, a resource the program has registered before the root
  // (`impossibleDependents`, lines 3387-3401: every URN of the step maps, sg.reads, creates, sames, updates, deletes and
  // replaces, when the root's diff is done; that is every resource registered before it, except, with PULUMI_PARALLEL_DIFF
  // (off by default, sdk/go/common/env/env.go), one whose own diff still runs, and it adds those an earlier branch
  // deleted, whose dependents that branch took already): one the next plan lists before it (registration order, as
  // transition-moved-off.ts reads it) and that does not wait for it there (a resource registers only once the URNs it
  // names, in dependencies, property dependencies, deletedWith or replaceWith, are resolved, after their registration).
  // The walk is over the deployed graph (DependingOn of the snapshot's dependency graph): the deployed property
  // dependencies, inputs, ignoreChanges and replaceOnChanges decide, not the new registration's.
  const position = new Map(after.map((r, i) => [r.urn, i]));
  // Its provider too: the SDK registers a resource once its provider reference (URN and id) is known. And its parent:
  // the Node SDK sends a child's RegisterResource once its parent's URN resolves (@pulumi/pulumi runtime/resource.js
  // prepareResource, `await parent.urn.promise()`), which is when the parent's own RegisterResource answers, itself
  // sent only once the parent's dependencies have their URNs (gatherExplicitDependencies and
  // getAllTransitivelyReferencedResourceURNs, awaited before it): a child waits for what its parent, component or
  // custom, waits for, and a custom parent's own step.
  const waitsFor = (r: RecordedResource | undefined) =>
    r ? [...r.dependencies, ...Object.values(r.propertyDependencies ?? {}).flat(), ...cascadeTargets(r), ...(providerUrnOf(r) !== undefined ? [providerUrnOf(r)!] : []), ...(r.parent !== undefined ? [r.parent] : [])] : [];
  const waitsOn = (urn: string, root: string) => {
    const seen = new Set<string>();
    for (const pending = waitsFor(afterByUrn.get(urn)); pending.length > 0; ) {
      const at = pending.pop()!;
      if (at === root) return true;
      if (!seen.has(at)) {
        seen.add(at);
        pending.push(...waitsFor(afterByUrn.get(at)));
      }
    }
    return false;
  };
  const registeredBefore = (urn: string, root: string) => position.has(urn) && position.get(urn)! < (position.get(root) ?? -1) && !waitsOn(urn, root);
  const unregisteredAt = (urn: string, root: string) => !registeredBefore(urn, root);
  const chains = new Map<string, readonly string[]>();
  const chainRoots = (urn: string): readonly string[] => {
    let roots = chains.get(urn);
    if (roots !== undefined) return roots;
    chains.set(urn, []); // asked again within its own chain (a cycle): none
    const found = new Set<string>();
    for (const { from } of forced.get(urn) ?? []) {
      if (!deployedByUrn.has(from)) continue;
      if (runsBranch(from)) {
        if (unregisteredAt(urn, from)) found.add(from);
      } else for (const root of chainRoots(from)) if (unregisteredAt(urn, root)) found.add(root);
    }
    roots = [...found];
    chains.set(urn, roots);
    return roots;
  };
  // The targets whose delete-before-replace branch deletes the resource of `urn` first: those its replaceWith or
  // deletedWith names (findDependentCascadeReplacements), and the roots of its chains (chainRoots).
  // findDependentCascadeReplacements asks the program's registered resources (sg.deployment.news), then every deployed
  // one they did not answer yes for (sg.deployment.olds; `seen` is set only on a yes, step_generator.go lines 3419-3443),
  // with no registration filter: a deployed copy whose deletedWith or replaceWith names the target is deleted in its
  // branch whatever the program now gives (moved off it, transition-moved-off.ts) and whether or not the program has
  // registered it before the target (`cascadesDeployed`).
  const cascadesDeployed = (urn: string) => {
    const old = deployedByUrn.get(urn);
    return old === undefined || old.custom === false ? [] : cascadeTargets(old);
  };
  const rootsOf = (urn: string): string[] => [...new Set([...[...(replacedWith.get(urn) ?? []), ...cascadesDeployed(urn)].filter(runsBranch), ...chainRoots(urn)])];
  const isEarly = (urn: string): boolean => rootsOf(urn).length > 0;
  // Whether the engine runs a delete-before-replace branch for the resource of `urn`: one both plans hold, replaced, delete-first by its own judgement, and not early itself.
  const runsBranch = (target: string): boolean => {
    let runs = branches.get(target);
    if (runs === undefined) {
      branches.set(target, false); // asked again within its own chain (a cycle of replaceWith): no branch
      runs = deployedByUrn.has(target) && afterByUrn.has(target) && replaced(target) && ownDeleteFirst(target) && !isEarly(target);
      branches.set(target, runs);
    }
    return runs;
  };
  // The replaced targets (what a branch can run for).
  const targets = new Set([...replacedWith.values()].flat());
  const deleteFirstTargets = new Set([...targets].filter(runsBranch));
  // Of the deployed resources a branch deletes, those the program registered before every target whose branch deletes
  // them (and that do not wait for it): the engine had already kept them (a same or update step) when the branch
  // deletes their deployed copy, so it does not re-create them ("Case 1: recreating" runs only for a resource
  // registered after its delete). Only findDependentCascadeReplacements takes such a one (calculateDependentReplacements
  // leaves registered resources out, chainRoots): a deployed deletedWith or replaceWith the program has moved off
  // (transition-moved-off.ts finds it). `early` holds the others: deleted first and re-created when they register.
  const deleted = deployed.map((r) => r.urn).filter(isEarly);
  const deletedAfterKept = new Set(deleted.filter((urn) => afterByUrn.has(urn) && rootsOf(urn).every((root) => !unregisteredAt(urn, root))));
  const early = new Set(deleted.filter((urn) => !deletedAfterKept.has(urn)));
  // The engine runs a root's branch at the root's registration (a resource registers after what it waits for, else in
  // the next plan's order), and a later branch skips what an earlier one deleted (continueStepsFromDiff: `if
  // sg.pendingDeletes[dependentResource] { continue }`): of a resource's roots, the first registered deletes it.
  const registersBefore = (a: string, b: string) => waitsOn(b, a) || (!waitsOn(a, b) && (position.get(a) ?? Infinity) < (position.get(b) ?? Infinity));
  // Asked per deployed resource and again per check (markedFor, inBranchOf, skippedForDeletedWith): found once per URN.
  const firstBranches = new Map<string, string | undefined>();
  const branchOf = (urn: string) => {
    if (!firstBranches.has(urn)) firstBranches.set(urn, rootsOf(urn).reduce<string | undefined>((first, root) => (first === undefined || registersBefore(root, first) ? root : first), undefined));
    return firstBranches.get(urn);
  };
  // The new copy of `target` is created at its registration: in its own branch, or re-created there after the branch
  // that deleted it early ("Case 1: recreating"). A deployed resource is deleted in the one branch that takes it
  // (branchOf). Its delete comes before that create only when it is in the same chain of steps (the branch is the
  // target's own), or when the target waits for that branch's root: the SDK registers a resource only once what it waits
  // for has its outputs, after the root's whole chain (the branch's deletes, then the root's create). Two chains run in
  // parallel (pkg/resource/deploy/step_executor.go: "antichains can be executed concurrently"), so a branch that only
  // registers earlier races the target's create: taken as after it, as a later branch's delete is.
  const inBranchOf = (urn: string, target: string) => {
    const branch = branchOf(urn);
    return branch !== undefined && (branch === target || waitsOn(target, branch));
  };
  // Whether `target` is in sg.deletes when the steps of `branch` are applied: it is that branch's root, or is deleted in
  // that branch or in one registered before it (a branch marks every resource it deletes, `sg.deletes[...] = true`,
  // before any of its steps is applied) and not registered again in between ("Case 1: recreating" unmarks it:
  // `delete(sg.deletes, urn)`). A target marked later, by a branch registered after, does not count: its mark races
  // this branch's delete (taken as after it, as transition-moved-off.ts does).
  const markedFor = (target: string, branch: string) => {
    if (target === branch) return true;
    const its = branchOf(target);
    return its !== undefined && (its === branch || (registersBefore(its, branch) && !(early.has(target) && afterByUrn.has(target) && registersBefore(target, branch))));
  };
  // Deleted in a branch with its deployed deletedWith target marked by then: its Delete is skipped (step.go isDeletedWith).
  const deletedInBranch = new Set(
    deployed.flatMap((r) => {
      const branch = branchOf(r.urn);
      return r.deletedWith !== undefined && branch !== undefined && markedFor(r.deletedWith, branch) ? [r.urn] : [];
    }),
  );
  // For deletedFirstBecause: each resource deleted early for a replace-forcing input, the inputs and the resources of the branch they take their value from.
  const nameOf = (urn: string) => afterByUrn.get(urn)?.name ?? deployedByUrn.get(urn)?.name ?? urn;
  const forcedBy = new Map(
    [...early].flatMap((urn) => {
      const inputs = (forced.get(urn) ?? []).flatMap(({ input, from }) => (input !== undefined && (runsBranch(from) || chainRoots(from).length > 0) ? [{ input, from }] : []));
      return inputs.length > 0 ? [[urn, inputs] as const] : [];
    }),
  );
  const forcedInputs = new Map([...forcedBy].map(([urn, inputs]) => [urn, inputs.map(({ input, from }) => `${input} from ${nameOf(from)}`)] as const));
  // Each resource deleted early because its provider is replaced delete-first (or deleted early itself), to that provider's name.
  const forcedByProvider = new Map(
    [...early].flatMap((urn) => {
      const providers = (forced.get(urn) ?? []).flatMap(({ from, provider }) => (provider && (runsBranch(from) || chainRoots(from).length > 0) ? [nameOf(from)] : []));
      return providers.length > 0 ? [[urn, providers[0]] as const] : [];
    }),
  );
  return { early, deletedAfterKept, deleteFirstTargets, deletedInBranch, branchOf, byNaming, deletesFirst: deletesFirstGiven(early), forcedBy, forcedInputs, forcedByProvider, inBranchOf, waitsOn, registeredBefore };
}

/**
 * The order of the deletes the cascade makes (cascadeOrder): `early`, the deployed resources the engine deletes in the
 * delete-before-replace branch of a resource it replaces delete-first, before that resource (its replaceWith or
 * deletedWith names it: findDependentCascadeReplacements; or a deletedWith chain or replace-forcing input leads to it:
 * calculateDependentReplacements); `deleteFirstTargets`, the replaceWith and deletedWith targets that run such a branch.
 */
export interface CascadeOrder {
  early: ReadonlySet<string>;
  /**
   * The deployed resources a delete-before-replace branch deletes that the program registers before every target whose
   * branch deletes them (a deployed deletedWith or replaceWith moved off, findDependentCascadeReplacements): deleted
   * after the engine kept them, not re-created (cascadeOrder; what the stack then records is not confirmed). Not in
   * `early`, which holds those re-created when they register; deletedInBranch and inBranchOf hold them too.
   */
  deletedAfterKept: ReadonlySet<string>;
  deleteFirstTargets: ReadonlySet<string>;
  /**
   * The deployed resources a delete-before-replace branch deletes (the one branchOf names) with their deployed
   * deletedWith target already marked: the target is the branch's, or is deleted in that branch or an earlier one and
   * not registered again since. Through findDependentCascadeReplacements, or a deployed deletedWith chain to the
   * branch's target (calculateDependentReplacements), the program's resource or not. Each one's delete is skipped
   * (transition-api-refs.ts skippedForDeletedWith); the others branchOf names are deleted there.
   */
  deletedInBranch: ReadonlySet<string>;
  /**
   * The target whose delete-before-replace branch deletes the deployed copy of `urn` (early or deletedAfterKept): of
   * those whose branch would take it (its deployed replaceWith or deletedWith, the roots of its deletedWith chains and
   * replace-forcing inputs), the first the program registers; later branches skip it (step_generator.go
   * continueStepsFromDiff, `sg.pendingDeletes`). Undefined for a deployed copy no branch deletes.
   */
  branchOf(urn: string): string | undefined;
  /** The resources the stack's `pulumi:autonaming` makes the engine replace delete-first, to that setting (naming-delete-first.ts deletedFirstByNaming), for the findings' text. */
  byNaming: ReadonlyMap<string, string>;
  /**
   * The resources of `early` deleted in a branch for a replace-forcing input (calculateDependentReplacements), to those
   * inputs and the resources of the branch they take their value from (the resource replaced delete-first, or one deleted
   * early itself: replaced either way).
   */
  forcedBy: ReadonlyMap<string, ReadonlyArray<{ input: string; from: string }>>;
  /** forcedBy as `input from resource` (by name), for the findings' text. */
  forcedInputs: ReadonlyMap<string, readonly string[]>;
  /**
   * The resources of `early` deleted in a branch because their provider is in its replace set (replaced delete-first,
   * or deleted early itself: calculateDependentReplacements' requiresReplacement, forcedFrom), to that provider's name,
   * for the findings' text.
   */
  forcedByProvider: ReadonlyMap<string, string>;
  /**
   * Whether the deployed copy of `urn` is deleted early, in a delete-before-replace branch (the one branchOf names), before
   * `target`'s new copy is created: the branch is `target`'s own (one chain of steps), or `target` waits for that
   * branch's root (its dependencies, property dependencies, replaceWith, deletedWith, provider or parent lead there), so before
   * anything created for or after that new copy. A branch that only registers before `target` runs beside its create.
   */
  inBranchOf(urn: string, target: string): boolean;
  /**
   * Whether the new plan's resource of `urn` registers only after `on`'s registration has answered: its dependencies,
   * property dependencies, replaceWith, deletedWith, provider or parent lead there, so its steps come after `on`'s
   * whole chain.
   */
  waitsOn(urn: string, on: string): boolean;
  /**
   * Whether the program has registered the resource of `urn` when `root`'s registration is diffed (the engine's
   * impossibleDependents then): the next plan lists it before `root` and it does not wait for `root` (waitsOn).
   */
  registeredBefore(urn: string, root: string): boolean;
  /**
   * Whether a replacement of the resource of this URN deletes its deployed copy first: `early`, or its own judgement
   * as the provider is sent it (replacedDeleteFirst: the program's option, pulumi:autonaming's, the bridge's for a name
   * set by hand). Asked of a resource the update replaces.
   */
  deletesFirst(urn: string): boolean;
}

/** The order of a plan with no cascade (a check called on its own, without checkPlanTransition's judgement). */
const NO_CASCADE: CascadeOrder = { early: new Set(), deletedAfterKept: new Set(), deleteFirstTargets: new Set(), deletedInBranch: new Set(), branchOf: () => undefined, byNaming: new Map(), forcedBy: new Map(), forcedInputs: new Map(), forcedByProvider: new Map(), deletesFirst: () => false, inBranchOf: () => false, waitsOn: () => false, registeredBefore: () => false };

/**
 * Whether a resource the update replaces (`diffed`, as diffedByUrn gives it) has its deployed copy deleted before its new
 * one is created on the program's word or the cascade's: its own deleteBeforeReplace (explicitDeleteBeforeReplace), or
 * its replaceWith or deletedWith names a target replaced delete-first, whose delete-before-replace branch deletes it
 * first whatever its own option (`order.early`, cascadeOrder; pulumi step_generator.go findDependentCascadeReplacements).
 * Not the bridge's delete-first for a name set by hand (replacedDeleteFirst): the one "deleted first" of the checks
 * whose types have no autoname field, or that read the program's option only (RestPartJudgement.deletedFirst).
 */
const deletedFirst = (order: CascadeOrder, diffed: RecordedResource) => order.early.has(diffed.urn) || explicitDeleteBeforeReplace(diffed) === true;

/**
 * Why deletedFirst holds for `urn`, for a finding's text: `replaceWith: errors replaced delete-first` (the targets
 * replaced delete-first that its replaceWith or deletedWith names, cascadeOrder), `its replace-forcing bucket from site,
 * replaced delete-first` (a replace-forcing input taking its value from a resource of a branch: CascadeOrder.forcedInputs),
 * `its provider east, replaced delete-first` (CascadeOrder.forcedByProvider), else `deleteBeforeReplace`.
 */
function deletedFirstBecause(order: CascadeOrder, replacedWith: ReplacedWith, afterByUrn: ReadonlyMap<string, RecordedResource>, urn: string): string {
  if (!order.early.has(urn)) {
    const setting = order.byNaming.get(urn);
    return setting ? namingDeleteFirstReason(setting) : "deleteBeforeReplace";
  }
  return [
    ...cascadeTargetsByOption(replacedWith, afterByUrn, urn)
      .map(([option, of]) => [option, of.filter((t) => order.deleteFirstTargets.has(t) || order.early.has(t))] as const)
      .filter(([, of]) => of.length > 0)
      .map(([option, of]) => `${option}: ${of.map((t) => afterByUrn.get(t)?.name ?? t).join(", ")} replaced delete-first`),
    ...branchCauses(order, urn).map((cause) => `its ${cause}`),
  ].join("; ");
}

/** Why the engine deletes a resource of a branch's replace-forcing input's dependents first (CascadeOrder.forcedInputs), for the findings' text. */
const FORCED_INPUT_DELETES_FIRST = "the engine deletes the resources whose replace-forcing input takes its value first, pulumi step_generator.go calculateDependentReplacements";

/**
 * Why a delete-before-replace branch deletes the resource of `urn` early other than for its replaceWith or deletedWith,
 * each as `replace-forcing <input> from <resource> (replaced delete-first: why)` (CascadeOrder.forcedInputs) or
 * `provider <name> (replaced delete-first: why)` (CascadeOrder.forcedByProvider): the one wording of these causes, which
 * deletedFirstBecause and statefulChangesByUrn give. Empty for a resource deleted early for its replaceWith alone.
 */
function branchCauses(order: CascadeOrder, urn: string): string[] {
  const forced = order.forcedInputs.get(urn);
  const provider = order.forcedByProvider.get(urn);
  return [
    ...(forced ? [`replace-forcing ${forced.join(", ")} (replaced delete-first: ${FORCED_INPUT_DELETES_FIRST})`] : []),
    ...(provider !== undefined ? [`provider ${provider} (replaced delete-first: ${PROVIDER_DELETES_FIRST})`] : []),
  ];
}

/**
 * Which branch cause deletes the resource of `urn` early (CascadeOrder.early), for statefulOutcome's and
 * movedTooLateFix's text: a replace-forcing input (forcedInputs), else its provider (forcedByProvider), else its
 * replaceWith or deletedWith; undefined when it is not deleted early.
 */
const earlyCause = (order: CascadeOrder, urn: string): "input" | "provider" | "replaceWith" | undefined =>
  !order.early.has(urn) ? undefined : order.forcedInputs.has(urn) ? "input" : order.forcedByProvider.has(urn) ? "provider" : "replaceWith";

/**
 * Whether the bridge replaces `diffed` (a resource of `after` as diffedByUrn gives it) delete-first for its name: its
 * optional autoname field holds a value the autonamer did not draw (pulumi-terraform-bridge pkg/tfbridge/provider.go
 * Diff: `nameRequiresDeleteBeforeReplace(news, …)`, schema.go). `news` are the inputs the engine sends Diff, the
 * program's after the ignoreChanges reset and the provider's Check (diffedByUrn), so a `name` the program drops while
 * ignoreChanges holds it is the deployed one, still set. Not read: a deployed name the autonamer drew. The engine's
 * state keeps it among the inputs ("the pulumi-autonaming is preserved as an input property in state",
 * pulumi/pulumi-aws#1301), so an ignored autoname field is reset to it and the bridge then replaces delete-first under
 * that name; but a plan keeps the program's inputs, without the drawn name (a saved plan keeps no state at all), so
 * such a resource is read as unnamed: replaced create-first under a new name, and, retained, not found to keep the
 * name its replacement asks for. A name unknown at preview is one the program gives, set by hand to the bridge too
 * (graph.ts nameGiven).
 */
const namedByHand = (kind: { autonameField?: string }, diffed: RecordedResource) => kind.autonameField !== undefined && nameGiven(diffed.inputs[kind.autonameField]);

/**
 * Whether a replacement of `diffed` (as diffedByUrn gives it) deletes the old resource before it creates the new one:
 * the program's deleteBeforeReplace where it gives one (`false` included: the engine takes it over the provider's answer,
 * step_generator.go `if goal.DeleteBeforeReplace != nil`; explicitDeleteBeforeReplace), else the bridge's delete-first
 * for a name set by hand (namedByHand) on a replacement its Diff asks for (`providerReplaced`: providerReplaces; not one
 * that replaceOnChanges alone makes, nor one for replaceWith, which the engine makes without asking the provider). Delete-first is not "under the same name": an autonamed resource replaced with
 * deleteBeforeReplace still gets a name drawn anew, as the engine checks a replacement without its old inputs
 * (step_generator.go, the Check of a replacement with a fresh seed).
 */
const replacedDeleteFirst = (kind: { autonameField?: string }, diffed: RecordedResource, providerReplaced: boolean) => explicitDeleteBeforeReplace(diffed) ?? (namedByHand(kind, diffed) && providerReplaced);

/**
 * Whether the update's replacement of `diffed` (as diffedByUrn gives it; its deployed self `old`) deletes the deployed
 * copy before it creates the new one, the bridge's answer included: the cascade's (`early`, CascadeOrder.early: its
 * replaceWith or deletedWith names a target replaced delete-first), else its own (replacedDeleteFirst, on a replacement
 * the provider's Diff makes: providerReplaces, given `forcedBeyondTables`). The one judgement of it for actionOf,
 * cascadeOrder (CascadeOrder.deletesFirst, PlanUpdate.replacedDeleteFirst), statefulFindings and
 * policyWriterDeletedFindings; deletedFirst is the program's option only.
 */
function replacementDeletesFirst(early: ReadonlySet<string>, kind: { autonameField?: string }, old: RecordedResource | undefined, diffed: RecordedResource, replacedWith: ReplacedWith, forcedBeyondTables?: (diffed: RecordedResource) => boolean): boolean {
  return early.has(diffed.urn) || replacedDeleteFirst(kind, diffed, providerReplaces(old, diffed, replacedWith, forcedBeyondTables));
}

/**
 * Whether the provider's own Diff is what replaces `diffed`, so that its delete-first answer counts. False:
 * - when `diffed`'s replaceWith names a resource the update replaces (`replacedWith`, the cascade's), whatever its own
 *   inputs do: the engine's diff returns `DiffResult{Changes: DiffSome, ReplaceKeys: ["replaceWith"]}` before it asks
 *   the provider (pulumi/pulumi pkg/resource/deploy/step_generator.go `func (sg *stepGenerator) diff`, "Check if this
 *   resource should be replaced because any resource in its ReplaceWith list is being replaced", lines 2895-2906 at
 *   1b5949891b3cefcb9974752b24a5ecef0acc86c8; the same early return, above it, for `pulumi up --replace` and a tainted
 *   resource, isTargetedReplace, and below it for a replaced deletedWith target), so DeleteBeforeReplace is Go's zero
 *   value, false, and continueStepsFromDiff keeps it unless the program gives deleteBeforeReplace (lines 2043-2046:
 *   `deleteBeforeReplace := diff.DeleteBeforeReplace; if goal.DeleteBeforeReplace != nil {...}`): create-first, a name
 *   set by hand or not, unless the target is replaced delete-first, which deletes this one before it
 *   (cascadeOrder). The same for a replaced deletedWith target (the cascade follows both);
 * - when only the program's replaceOnChanges replaces it (no replace-forcing input of any table's kind of the type
 *   changed, nor the kind's own rule): the bridge asks delete-first for a name set by hand only on a replacement its
 *   Diff finds (pulumi-terraform-bridge pkg/tfbridge/provider.go Diff: `deleteBeforeReplace := len(replaces) > 0 &&
 *   (... || nameRequiresDeleteBeforeReplace(...))`, read at 59de6c661df1e7561e6ece7ad7f1c835c63010c4), and the engine
 *   keeps the provider's answer when replaceOnChanges turns a change into a replacement (step_generator.go
 *   applyReplaceOnChanges: `DeleteBeforeReplace: diff.DeleteBeforeReplace`, line 3258 at the commit above).
 * A resource of a type no table knows is read as the provider's. `forcedBeyondTables` is a replace-forcing change of
 * the provider's that the type's tables do not hold (a stateful resource's region: statefulChanges), asked of `diffed`
 * without its replaceOnChanges.
 */
const providerReplaces = (old: RecordedResource | undefined, diffed: RecordedResource, replacedWith: ReplacedWith, forcedBeyondTables?: (diffed: RecordedResource) => boolean) => {
  if (replacedWith.has(diffed.urn)) return false;
  const kinds = replacementKindsOf(diffed.type);
  if (old === undefined || kinds.length === 0 || !kinds.some((kind) => replaceReasons(kind, old, diffed).length > 0)) return true;
  const asProviderDiffs = { ...diffed, replaceOnChanges: undefined };
  return kinds.some((kind) => replaceReasons(kind, old, asProviderDiffs).length > 0) || forcedBeyondTables?.(asProviderDiffs) === true;
};

/**
 * A deployed input as the provider's prior state holds it, which the bridge's detailed diff compares (makeDetailedDiffV2
 * diffs the prior state, not the deployed inputs): pulumi-aws 7 runs every SDKv2 resource (a kind with `emptyIsUnset`)
 * through PlanResourceChange (pulumi/pulumi-aws#4419), which stores a map or a set the program left unset or wrote empty
 * as null, and a list written empty as [] (pulumi-terraform-bridge pkg/tests/refresh_test.go
 * TestCollectionsNullEmptyRefreshClean, at 59de6c661df1e7561e6ece7ad7f1c835c63010c4: "map empty", "set empty" → nil,
 * also with the cloud's {} written by Create, as AWS's tags are; terraform-plugin-sdk normalizeNullValues, pulumi/
 * pulumi-terraform-bridge#2063). So under `tags: {}` deployed, setting a tag is reported at `tags` alone. A map is
 * `tags` (terraform-provider-aws tftags.TagsSchema, a TypeMap everywhere) or a kind's `maps`; a set a kind's `sets`. A
 * kind not known as SDKv2 keeps {} (a Plugin Framework resource stores a map written {} as {}, hashicorp/
 * terraform-provider-aws#39279), and an unset input is null either way. Within a block the bridge stores an empty map
 * or set as null too (that test's "nested" runs: a map or set inside a TypeList block, expectedOutputNested nil), but
 * the kinds name their maps and sets at the top level only, and a nested `[]` may be a list (kept []) and a nested
 * `{}` a block: a nested one is left as given, so a nested replaceOnChanges entry below an empty map or set deployed
 * within a block may replace where the bridge reports the whole collection (toward replacing).
 */
function asPriorState(kind: ReplaceRule, input: string, value: unknown): unknown {
  if (kind.emptyIsUnset !== true) return value;
  const emptyMap = isEmptyMap(value) && (input === "tags" || kind.maps?.includes(input) === true);
  const emptySet = Array.isArray(value) && value.length === 0 && kind.sets?.[input] !== undefined;
  return emptyMap || emptySet ? undefined : value;
}

/** What replaceReasons reads of a type: its replace-forcing inputs, its own rule, and how its inputs are compared. */
type ReplaceRule = Pick<TransitionNamedType, "type" | "replaceOn" | "replaceWhen" | "replaceWhenSet" | "emptyIsUnset" | "maps" | "sets" | "defaults" | "canonical" | "hashedInputs">;

/**
 * Why the update replaces `old` with `diffed` (one URN), as `field (old → new)`: a replace-forcing input that changed
 * (of `replaceWhenSet`, only to a value that is set), a `replaceOnChanges` input, or the kind's own rule. `diffed` is
 * the new resource as the engine diffs it (asDiffed: every `ignoreChanges` path reset to its deployed value), so an
 * input whose only change is under an ignored path (`usernameConfiguration.caseSensitive`,
 * `localSecondaryIndexes[*].nonKeyAttributes`) does not replace, and a change elsewhere in it still does. Only the
 * inputs the deployed plan holds are compared (a saved plan: those its savedInputs list, which a plan saved by an
 * earlier version may lack): one it does not hold is unknown, not changed. The one judgement of the transition checks
 * (the named and stateful types, REST API deployments, the replacement cascade, TransitionRdsClusterNameReused).
 */
function replaceReasons(kind: ReplaceRule, old: RecordedResource, diffed: RecordedResource): string[] {
  // Each entry as the engine parses it (one it cannot parse replaces nothing here: PropertyPathRefused reports it).
  const requestedPaths = (diffed.replaceOnChanges ?? []).flatMap((entry) => {
    const path = parsePropertyPath(entry);
    return path && path.length > 0 ? [{ entry, path }] : [];
  });
  const hashed = new Set(kind.hashedInputs ?? []);
  const { inputs } = diffed;
  const normalise = (field: string, value: unknown) =>
    hashed.has(field)
      ? isUnsetDigested(kind, field, value)
        ? "null"
        : savedDigest(value)!
      : kind.type === RECORD && field === "name"
        ? dnsName(value)
        : providerCanonical(kind, field, value);
  if (requestedPaths.some(({ path }) => path.length === 1 && path[0] === "*")) {
    // Every input, of those the deployed plan holds (a saved plan: its savedInputs, one field of an object input as
    // that field, secrets as digests on both sides): an input it does not hold is unknown, not changed.
    const specs = heldInputs(old) ?? [...new Set([...Object.keys(old.inputs), ...Object.keys(inputs)])];
    const changed = specs.some((spec) => {
      const head = spec.split(".")[0];
      return normalise(head, inputAt(old.inputs, spec)) !== normalise(head, inputAt(inputs, spec));
    });
    return changed ? ["replaceOnChanges: *"] : [];
  }
  // An entry of one top-level input replaces on any change of it; a longer one (`tags.Name`, `list[0].field`) only for a
  // change the provider's Diff reports at or below its path (changeReportedUnder), compared as given: an input the plan
  // holds as a digest (hashedInputs) cannot be looked into, so a nested entry under one is unknown, not changed.
  // A longer entry that starts with `*` (`*.Name`) stands for each top-level input: Contains matches `*` to any key.
  const requested = requestedPaths.flatMap(({ path }) => (path.length === 1 ? [String(path[0])] : []));
  const topLevel = [...new Set([...Object.keys(old.inputs), ...Object.keys(inputs)])].filter((input) => !input.startsWith("__"));
  const nested = requestedPaths
    .filter(({ path }) => path.length > 1 && typeof path[0] === "string")
    .flatMap(({ entry, path }) => (path[0] === "*" ? topLevel.map((input) => ({ entry, path: [input, ...path.slice(1)] })) : [{ entry, path }]))
    .filter(({ path }) => !hashed.has(String(path[0])))
    .filter(({ path }) => holds(old, String(path[0])) || (typeof path[1] === "string" && holds(old, `${path[0]}.${path[1]}`)))
    .filter(({ path }) => {
      const input = String(path[0]);
      // An array input the kind keeps as a set is aligned as the bridge aligns a set; others as either may be.
      return changeReportedUnder(path.slice(1), asPriorState(kind, input, old.inputs[input]), inputs[input], kind.sets?.[input] !== undefined ? "set" : undefined);
    })
    .map(({ entry }) => `${entry} (changed)`);
  // An input the deployed plan does not hold (a stage's variables in a saved plan) cannot be compared; one that replaces
  // only when set replaces on any change once requested.
  const always = new Set([...kind.replaceOn, ...requested].filter((field) => holds(old, field)));
  // Set: any value but the provider's "none" (a field's schema default is a value set, not none).
  const whenSet = (kind.replaceWhenSet ?? []).filter((field) => holds(old, field) && !always.has(field) && !isUnsetInput(kind, inputs[field], field));
  const reasons = [...always, ...whenSet]
    .filter((field) => normalise(field, old.inputs[field]) !== normalise(field, inputs[field]))
    .map((field) => {
      const [from, to] = [shownWithDefault(kind, field, old.inputs[field]), shownWithDefault(kind, field, inputs[field])];
      // A digest map (a deployment's triggers) says nothing more when printed, and a secret is not printed.
      return hashed.has(field) || from.length + to.length > 80 ? `${field} (changed)` : `${field} (${from} → ${to})`;
    });
  const own = kind.replaceWhen?.(old, diffed);
  return [...reasons, ...new Set(nested), ...(own ? [own] : [])];
}

/**
 * The new inputs of `next` as the engine diffs them against the deployed `old`'s: each `ignoreChanges` path reset to the
 * deployed value, in order (resetPath, as pulumi pkg/resource/deploy/step_generator.go `processIgnoreChanges` does
 * before the provider's Diff). Two departures, both toward reporting a change: a path whose reset fails (an array of
 * another length, TransitionIgnoredArrayResized) is not reset at all, where the engine keeps what it reset before the
 * failure; and a path below an input the deployed plan holds only in part or as a digest (a saved plan: `a.b` fields,
 * `hashedInputs`) is not reset, as there is no deployed value to put back, unless the plan holds the path's own field
 * (`canarySettings.deploymentId`); a top-level path is: the stored value, put back whole, compares equal.
 */
function inputsAsDiffed(old: RecordedResource, next: RecordedResource, hashed: ReadonlySet<string>): Record<string, unknown> {
  const saved = (old as SavedResource).savedInputs !== undefined;
  let inputs: Record<string, unknown> = next.inputs;
  for (const entry of next.ignoreChanges ?? []) {
    const path = parsePropertyPath(entry);
    // The engine skips a path it cannot parse.
    if (!path || path.length === 0) continue;
    const head = String(path[0]);
    // A saved plan may hold one field of an object input (`canarySettings.deploymentId`): a path to it, or below it, has its deployed value.
    const heldField = typeof path[1] === "string" && path[1] !== "*" && holds(old, `${head}.${path[1]}`);
    if (path.length > 1 && ((!holds(old, head) && !heldField) || (saved && hashed.has(head)))) continue;
    const { value, failure } = resetPath(path, old.inputs, inputs);
    if (!failure) inputs = value as Record<string, unknown>;
  }
  return inputs;
}

/**
 * `next` (a resource of the new plan) as the engine diffs it against its deployed self `old`: inputsAsDiffed, with the
 * inputs a saved plan keeps as digests (`kind.hashedInputs`). What replaceReasons judges.
 */
const asDiffed = (kind: Pick<ReplaceRule, "hashedInputs">, old: RecordedResource, next: RecordedResource): RecordedResource => ({
  ...next,
  inputs: inputsAsDiffed(old, next, new Set(kind.hashedInputs ?? [])),
});

/**
 * Each resource of `after` of a named or stateful type (TRANSITION_NAMED_TYPES, TRANSITION_STATEFUL_TYPES) or a REST
 * API deployment whose deployed self (same URN) the deployed plan holds the inputs of, by URN, with the inputs the
 * provider is given: asDiffed, every ignoreChanges path reset to its deployed value (with the type's `hashedInputs`; a
 * stateful type has none). The engine resets them before the provider's Check and Diff (pulumi
 * pkg/resource/deploy/step_generator.go: processIgnoreChanges, then Check with the deployed inputs as Olds, whose
 * result Diff and an in-place Update get; "the engine simply replaces the values of input properties in the goal state
 * with old inputs", pulumi/pulumi#2657), so these are what decide whether it replaces (replaceReasons) and whether the
 * bridge's Diff asks for delete-first (namedByHand: the autoname field as Diff reads it). A replacement's Create does
 * not get them: once it replaces, the engine checks the resource anew from the program's inputs (continueStepsFromDiff,
 * `prov.Check(... News: goal.Properties ...)`, no Olds, ignoreChanges not applied; read at
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8, not run), so the names and region a replacement's new copy asks for are
 * the program's (nameCollisions' keys, keptName). Other rules read these too (the in-place table rules through
 * tablesUpdatedInPlace, the stages of TransitionDeploymentStillServed, TransitionRetainedTooLate; whether
 * TransitionRdsClusterNameReused and TransitionHostedUiDomainGap judge a replacement, whose names they read from the
 * program). Reset once per check; only the cascade, which runs
 * before on each round's graph, resets its types by the same code (asDiffed) where it judges them. A resource created
 * anew has no deployed inputs to reset and is read as the program gives it.
 */
function diffedByUrn(deployed: Graph, after: Graph): ReadonlyMap<string, RecordedResource> {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const diffed = new Map<string, RecordedResource>();
  for (const next of after) {
    const kind = transitionKindOf(next.type) ?? (next.type === DEPLOYMENT ? DEPLOYMENT_KIND : undefined);
    const old = deployedByUrn.get(next.urn);
    if (!kind || !old || !holdsInputs(old)) continue;
    diffed.set(next.urn, asDiffed(kind, old, next));
  }
  return diffed;
}

/**
 * An Aurora cluster of both plans that the update replaces (judged as diffed: `diffedOf`, diffedByUrn, an input that
 * `ignoreChanges` holds replaces nothing) and whose new self names what the old one still holds. The new self's names
 * are the program's: once it replaces, the engine checks it anew from goal.Properties, ignoreChanges not applied
 * (pulumi step_generator.go continueStepsFromDiff), so an identifier, final snapshot name or skipFinalSnapshot that
 * `ignoreChanges` holds is not put back in the new cluster:
 * - the same `clusterIdentifier`: the replacement is created before the old cluster is deleted, and CreateDBCluster
 *   refuses an identifier in use (DBClusterAlreadyExistsFault, API_CreateDBCluster Errors); deleted first
 *   (`deleteBeforeReplace`, or its replaceWith or deletedWith target replaced delete-first: deletedFirst) it is not
 *   judged (the old cluster goes first). An identifier set by hand does not make it delete-first, as a
 *   bucket's name does: pulumi-aws declares no autoname field for the cluster (TRANSITION_STATEFUL_TYPES). The update
 *   stops before anything moves to the new cluster, so this is the pair's finding, not TransitionStatefulReplaced's
 *   (`identifierTaken`);
 * - the same `finalSnapshotIdentifier` (a final snapshot kept): deleting the old cluster writes that snapshot, so the
 *   new cluster's own deletion (the next replacement, `pulumi destroy`) is refused (DBClusterSnapshotAlreadyExistsFault,
 *   "The user already has a DB cluster snapshot with the given identifier", DeleteDBCluster's errors in the RDS API
 *   model), delete-first or not. Beside the identifier's finding it is said as the next attempt's: the refused create
 *   leaves the old cluster undeleted in this update.
 * RelationalDatabase draws a new identifier (and `<identifier>-final`) whenever a replacing input changes (its suffix's
 * keepers; the offline mocks draw a RandomString anew when its keepers change), so only hand-built clusters are found,
 * or ones that ignore those names. Checked by checkPlanTransition, which passes the inputs it has reset once; called on
 * its own, it resets them itself (diffedByUrn), without following aliases or cascading replacements. Plans saved
 * without these inputs are not judged.
 * Whether the update replaces the cluster is the transition checks' one judgement (replaceReasons with the cluster's
 * stateful rule, RDS_CLUSTER_REPLACEMENT: an input of RDS_CLUSTER_REPLACE_ON, of RDS_CLUSTER_REPLACE_WHEN_SET only to a
 * value that is set, availabilityZones as a set, or of `replaceOnChanges` that changed), on the same reset inputs, as
 * for TransitionStatefulReplaced.
 */
export function rdsReplacementFindings(before: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  // No cascade: nothing is replaced for its replaceWith or deletedWith, and only the program's own deleteBeforeReplace deletes first.
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
  const diffedOf = diffedByUrn(before, after);
  // Replaced for its own inputs only (as diffed), as planUpdate's `replaced` judges a cluster with no cascade.
  const replaced = (urn: string) => {
    const [old, diffed] = [beforeByUrn.get(urn), diffedOf.get(urn)];
    return old !== undefined && diffed !== undefined && diffed.type === RDS_CLUSTER && replaceReasons(statefulKind.get(RDS_CLUSTER)!, old, diffed).length > 0;
  };
  const alone: UpdateJudgement = { replaced, replacedDeleteFirst: (urn) => replaced(urn) && explicitDeleteBeforeReplace(afterByUrn.get(urn)!) === true, order: NO_CASCADE };
  return clusterNameFindings(before, after, diffedOf, stack, NO_CASCADE, new Map(), alone).findings;
}

/**
 * `is replaced (…)` for a finding's text: why the update replaces `urn`, its own inputs' reasons (`forces` what the
 * replacement makes) and the cascade's (cascadeChain: its replaceWith or deletedWith names a replaced resource, which
 * the engine replaces it for without asking the provider, providerReplaces), or undefined when it is not replaced.
 */
function replacedBecause(reasons: readonly string[], forces: string, replacedWith: ReplacedWith, afterByUrn: ReadonlyMap<string, RecordedResource>, urn: string): string | undefined {
  const own = reasons.length > 0 ? `${reasons.join(", ")} ${reasons.length === 1 ? "forces" : "force"} ${forces}` : undefined;
  const cascaded = replacedWith.has(urn) ? `${cascadeChain(replacedWith, afterByUrn, urn)}, which the update replaces` : undefined;
  return own || cascaded ? `is replaced (${[own, cascaded].filter(Boolean).join("; ")})` : undefined;
}

/**
 * rdsReplacementFindings on the inputs checkPlanTransition has reset once (`diffedOf`), with the clusters whose create
 * is refused for their own identifier (`identifierTaken`), which TransitionStatefulReplaced leaves to this rule. A
 * cluster the cascade replaces (`replacedWith`: its replaceWith or deletedWith names a replaced resource) is replaced
 * whatever its own inputs do, create-first unless deletedFirst (providerReplaces), so it is judged as one replaced for
 * its own inputs. A cluster whose delete the engine skips for a deletedWith target the update removes or replaces (skippedForDeletedWith)
 * keeps its identifier even when deleted first, and writes no final snapshot.
 */
function clusterNameFindings(before: Graph, after: Graph, diffedOf: ReadonlyMap<string, RecordedResource>, stack: string | undefined, order: CascadeOrder, replacedWith: ReplacedWith, update: UpdateJudgement): { findings: TransitionFinding[]; identifierTaken: ReadonlySet<string> } {
  const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const afterUrns = new Set(afterByUrn.keys());
  const findings: TransitionFinding[] = [];
  const identifierTaken = new Set<string>();
  for (const cluster of ofType(after, RDS_CLUSTER)) {
    const diffed = diffedOf.get(cluster.urn);
    if (!diffed) continue;
    const old = beforeByUrn.get(cluster.urn)!;
    // Whether the update replaces it is planUpdate's one judgement (update.replaced): its own inputs as diffed, its
    // replaceWith or deletedWith target replaced, or deleted early in a delete-before-replace branch and re-created
    // (order.early: a replace-forcing input such as kmsKeyId or dbSubnetGroupName taking its value from a resource
    // replaced delete-first), which re-creates it from the program's inputs, its final snapshot name included.
    if (!update.replaced(cluster.urn)) continue;
    const why =
      replacedBecause(replaceReasons(statefulKind.get(RDS_CLUSTER)!, old, diffed), "a new Aurora cluster", replacedWith, afterByUrn, cluster.urn) ??
      `is deleted first and re-created (${deletedFirstBecause(order, replacedWith, afterByUrn, cluster.urn)})`;
    // The new cluster's names are the program's: the engine checks a replacement anew from goal.Properties, ignoreChanges
    // not applied (pulumi step_generator.go continueStepsFromDiff), so an ignored identifier is not put back.
    const { clusterIdentifier: identifier, finalSnapshotIdentifier: snapshot, skipFinalSnapshot } = cluster.inputs;
    const deleteFirst = deletedFirst(order, diffed);
    // Deleted with a removed or replaced target: the engine skips the old cluster's delete (skippedForDeletedWith), which no AWS
    // delete of that target makes for it, so the old cluster keeps its identifier and writes no final snapshot.
    const skipped = skippedForDeletedWith(old, afterUrns, update);
    const sameIdentifier = typeof identifier === "string" && identifier !== "" && identifier === old.inputs.clusterIdentifier && (!deleteFirst || skipped);
    if (sameIdentifier) {
      identifierTaken.add(cluster.urn);
      const held = deleteFirst
        ? `its old self's delete is skipped (deletedWith: ${afterByUrn.get(old.deletedWith!)?.name ?? old.deletedWith} replaced; pulumi step.go DeleteStep.Apply, isDeletedWith), so the old cluster still holds it when the new one is created`
        : "the new cluster is created while the old one still holds it";
      findings.push(
        finding(
          "TransitionRdsClusterNameReused",
          cluster,
          `${why} under the same clusterIdentifier "${identifier}": ${held}, and CreateDBCluster refuses it (DBClusterAlreadyExistsFault)`,
          "derive clusterIdentifier from the replacing inputs (RelationalDatabase draws a new random suffix whenever one changes), or leave it unset from the start, so the provider names each new cluster itself (`tf-` and a unique id)",
          stack,
        ),
      );
    }
    if (!skipped && skipFinalSnapshot !== true && old.inputs.skipFinalSnapshot !== true && typeof snapshot === "string" && snapshot !== "" && snapshot === old.inputs.finalSnapshotIdentifier) {
      // With the create refused, the old cluster is not deleted in this update: the snapshot name is the next attempt's problem.
      const when = sameIdentifier ? "once the clusterIdentifier is changed too (the create above is refused first, so this update deletes nothing)" : "";
      findings.push(
        finding(
          "TransitionRdsClusterNameReused",
          cluster,
          `${why} with the same finalSnapshotIdentifier "${snapshot}": ${when ? `${when}, ` : ""}deleting the old cluster writes that snapshot, so the new cluster's own deletion (its replacement, \`pulumi destroy\`) is refused (DBClusterSnapshotAlreadyExistsFault)`,
          "name the final snapshot after the cluster's identifier (`${clusterIdentifier}-final`), so each cluster's is its own",
          stack,
        ),
      );
    }
  }
  return { findings, identifierTaken };
}

/** Whether a resource holding `holderKey` holds the name `key` of `kind` asks for: the same key, or one `alsoHeldBy` names. */
const heldBy = (kind: TransitionNamedType, key: string, holderKey: string) => key === holderKey || kind.alsoHeldBy?.(key, holderKey) === true;

/** The names (keys) a resource holds as `kind`: none, one, or several. */
function keysOf(kind: TransitionNamedType, r: RecordedResource, graph: Graph, context: TransitionContext): string[] {
  const key = kind.key(r, graph, context);
  const keys = key === undefined ? [] : typeof key === "string" ? [key] : [...new Set(key)];
  return kind.scopedByRegionalId ? keys.map((k) => JSON.stringify([where(graph, r, context), ...JSON.parse(k)])) : keys;
}

/** A name the update asks for while a deployed resource still holds it: the finding, with both resources. */
interface NameCollision {
  finding: TransitionFinding;
  resource: RecordedResource;
  holder: RecordedResource;
}

/**
 * The names the update asks for while deployed resources hold them. A resource of `after` with a deployed self is
 * judged as diffed (`diffedOf`, diffedByUrn: whether it is replaced, and delete-first); an update in place asks for the
 * diffed names (an ignored name or region stays the deployed one), a replacement's new copy for the program's (the
 * engine checks it anew from goal.Properties, ignoreChanges not applied: pulumi step_generator.go
 * continueStepsFromDiff, `prov.Check(... News: goal.Properties ...)` after `sg.replaces[urn] = true`; the same for one
 * whose old copy a delete-first cascade deleted, "recreating"). A holder of the deployed plan is read as diffed: one
 * updated in place keeps a name its ignoreChanges holds.
 */
function nameCollisions(before: Graph, after: Graph, diffedOf: ReadonlyMap<string, RecordedResource>, replacedWith: ReplacedWith, order: CascadeOrder, regions: StackRegions, stack: string | undefined, update: UpdateJudgement & Pick<PlanUpdate, "regionMove">): NameCollision[] {
  const collisions: NameCollision[] = [];
  // Each plan's names in its own stack region: a name of a resource of the default provider moves with it.
  const sides = sidesOf(regions);
  const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const afterUrns = new Set(afterByUrn.keys());
  const at = (r: RecordedResource) => `${r.type} ${r.name}`;

  const namespaceOf = (kind: TransitionNamedType) => kind.namespace ?? kind.type;
  /** A deployed copy's deletedWith target, by name: replaced (both plans) or removed (the deployed plan only). */
  const targetName = (holder: RecordedResource) => (afterByUrn.get(holder.deletedWith!) ?? beforeByUrn.get(holder.deletedWith!))?.name ?? holder.deletedWith;
  /** A component renamed without aliases (the deployed parent gone, a new one of its type in its place): its alias is the fix. */
  const renamedParentFix = (holder: RecordedResource, resource: RecordedResource) => {
    const [was, is] = [holder.parent && beforeByUrn.get(holder.parent), resource.parent && afterByUrn.get(resource.parent)];
    if (!was || !is || was.urn === is.urn || afterUrns.has(was.urn) || beforeByUrn.has(is.urn) || was.type !== is.type) return "";
    return `if ${is.name} is ${was.name} renamed, give it its earlier name: aliases: [{ name: ${JSON.stringify(was.name)} }] (its children follow it); otherwise `;
  };

  // Deleted early for its restApi, which takes the id of a REST API the update replaces (CascadeOrder.forcedBy): the new
  // copy is created in the new API, whose id CreateRestApi draws anew, so a name the deployed copy keeps in the old one
  // (deleteMayKeepName) is no conflict; the mocked plans give both APIs one id.
  const inReplacedApi = (urn: string) => (order.forcedBy.get(urn) ?? []).some(({ input, from }) => input === "restApi" && urnType(from) === REST_API);
  const moved = movesRegion(update.regionMove);
  for (const kind of TRANSITION_NAMED_TYPES) {
    // Who holds each name in the deployed plan: resources of this type, and of the types that share its names.
    const holders = new Map<string, Array<{ holder: RecordedResource; holderKind: TransitionNamedType }>>();
    for (const holderKind of TRANSITION_NAMED_TYPES.filter((k) => namespaceOf(k) === namespaceOf(kind))) {
      for (const r of ofType(before, holderKind.type)) {
        for (const key of keysOf(holderKind, r, before, sides.deployed)) holders.set(key, [...(holders.get(key) ?? []), { holder: r, holderKind }]);
      }
    }
    /** The holders of `key`: of the key itself, and of the keys that hold its name too (`alsoHeldBy`). */
    const holdersOf = (key: string) => [...holders].filter(([holderKey]) => heldBy(kind, key, holderKey)).flatMap(([, entries]) => entries);
    for (const next of ofType(after, kind.type)) {
      // As diffed (diffedByUrn): whether it is replaced, and delete-first. A replacement's new copy asks for the
      // program's names (the engine checks it anew from goal.Properties, ignoreChanges not applied); an update, for
      // the diffed ones (an ignored name stays the deployed one).
      const diffed = diffedOf.get(next.urn) ?? next;
      const old = beforeByUrn.get(next.urn);
      const oldKeys = old ? keysOf(kind, old, before, sides.deployed) : [];
      const replacing = actionOf(kind, old, diffed, true, replacedWith, order, moved)?.startsWith("replace") === true;
      const resource = replacing ? next : diffed;
      for (const key of keysOf(kind, resource, after, sides.next)) {
        const action = actionOf(kind, old, diffed, oldKeys.includes(key), replacedWith, order, moved);
        if (!action) continue;
        // Its deployed copy deletedWith a resource the update replaces: the engine may skip that copy's delete.
        const skippedWithTarget = old !== undefined && skippedForDeletedWith(old, afterUrns, update);
        // Replaced for its replaceWith: the replaced resources it names there, by name.
        const cascadedBy = replacedWith.has(resource.urn) ? cascadeLabel(replacedWith, afterByUrn, resource.urn) : undefined;
        const cascadeOptions = cascadeTargetsByOption(replacedWith, afterByUrn, resource.urn).map(([option]) => option).join(" and ");


        for (const { holder, holderKind } of holdersOf(key)) {
          // One URN is one type, so a resource's own deployed copy is always of its own kind.
          const self = holder.urn === resource.urn;
          // Moved in place from one of the name's keys to another (a domain's endpoint type updated): it is still one domain.
          if (self && action === "move") continue;
          const holderAfter = self ? undefined : (diffedOf.get(holder.urn) ?? afterByUrn.get(holder.urn));
          const holdsKey = (r: RecordedResource) => keysOf(holderKind, r, after, sides.next).some((holderKey) => heldBy(kind, key, holderKey));
          // Kept by its ignoreChanges only: the name stays with it through the update, and the new program on its own does not show it.
          const keptByIgnore = holderAfter !== undefined && holdsKey(holderAfter) && !holdsKey(afterByUrn.get(holder.urn)!) ? keptByIgnoreChanges(afterByUrn.get(holder.urn)!, holderAfter) : undefined;
          let holds: string;
          if (self) {
            // Its own deployed copy: only a create-first replacement under the same name (or a retained one, or one
            // whose delete the engine skips as its deletedWith target is replaced too) collides, or a delete-first one
            // whose delete may leave the resource in place.
            if (action === "replace-delete-first" && !holder.retainOnDelete && !skippedWithTarget && (!kind.deleteMayKeepName || inReplacedApi(resource.urn))) continue;
            holds = holder.retainOnDelete
              ? "its deployed copy keeps the name: it is retained (retainOnDelete), so the replacement never deletes it"
              : skippedWithTarget
                ? `its deployed copy keeps the name: its deletedWith target ${targetName(holder)} ${afterUrns.has(holder.deletedWith!) ? "is replaced in the same update, whose old copy's delete" : "is removed from the program, whose delete at the end of the update"} makes the engine skip this one's (pulumi step.go DeleteStep.Apply, isDeletedWith)${action === "replace-delete-first" ? ", as the target is replaced delete-first" : ""}`
              : action === "replace-delete-first"
                ? "its deployed copy is deleted first, but the provider's delete reports success while AWS refuses it for a resource still in use, so the name can stay taken"
                : kind.replacedCreateFirst
                  ? kind.replacedCreateFirst.holds
                  : `its deployed copy keeps the name until the new one exists (${explicitDeleteBeforeReplace(resource) === false ? `deleteBeforeReplace: false is given, which overrides the provider's delete-first` : `${cascadedBy ? `the engine replaces it for its ${cascadeOptions} without asking the provider, whose delete-first for a name set by hand is never given (pulumi step_generator.go diff)` : kind.autonameField ? `${kind.autonameField} is not set by hand, so the bridge does not replace delete-first` : "the name is a required input, not an autoname field, so the bridge does not replace delete-first"}, and deleteBeforeReplace is not set`})`;
          } else if (!holderAfter) {
            holds =
              deleteSkipped(holder, afterUrns, update) || holderKind.keepsNameOnDelete?.(holder)
                ? `${at(holder)} of the deployed plan holds the name and is removed without being deleted (retainOnDelete, deletedWith, or a delete that keeps the name: a distribution's own retainOnDelete only disables it, a secret's recovery window only schedules its deletion), so the name stays taken`
                : `${at(holder)} of the deployed plan holds the name and is removed from the program, which Pulumi deletes only at the end of the update, after every create`;
          } else if (keptByIgnore) {
            holds = `${at(holder)} holds the name in the deployed plan and keeps it: its ignoreChanges ${keptByIgnore.entries} puts the deployed ${keptByIgnore.values} back whatever the program gives it, so the update never gives the name up`;
          } else {
            // Both hold the name in the new plan: a duplicate within one plan, not a transition.
            if (holdsKey(holderAfter)) continue;
            const holderAction = actionOf(holderKind, holder, holderAfter, false, replacedWith, order, moved);
            if (!holderAction) continue;
            const releasedFirst = (holderAction === "move" || holderAction === "replace-delete-first") && !holder.retainOnDelete && dependencyClosure(after, resource).has(holder.urn);
            if (releasedFirst) continue;
            holds =
              holderAction === "replace" || holder.retainOnDelete
                ? `${at(holder)} holds the name in the deployed plan and is replaced under another name, but its old copy, which keeps this name, is deleted only at the end of the update${holder.retainOnDelete ? " (or never: retainOnDelete)" : ""}`
                : `${at(holder)} holds the name in the deployed plan and gives it up in its own update, which ${resource.name} does not wait for (no dependency), so the engine may run it later`;
          }
          const how = { create: "is created by the update", move: "is updated in place onto this name", replace: `is replaced create-before-delete (${cascadedBy ?? (old !== undefined && replaceReasons(kind, old, diffed).length === 0 && moved(old, diffed) ? `${moveCause(old, diffed)} from ${update.regionMove(old, diffed)!.from} to ${update.regionMove(old, diffed)!.to}, and pulumi-aws 7 replaces a resource whose region changes` : "a replace-forcing input changed")})`, "replace-delete-first": "is replaced" }[action];
          const reason = `${how} as ${kind.label} ${kind.describe(resource, key)}; ${holds}`;
          const fix = self
            ? kind.deleteMayKeepName
              ? `give the replacement another name: deleteBeforeReplace does not help, since the provider's delete ignores the conflict API Gateway answers while methods still use the ${kind.label}, which keeps the name (ServerlessApi names its authorizers <key>-cognito and <key>-lambda for this)`
              : skippedWithTarget
                ? action === "replace-delete-first"
                  ? `take ${targetName(holder)} out of ${resource.name}'s deletedWith in an update of its own before this one (deleteBeforeReplace does not help: the target is replaced delete-first, and this delete is skipped with it), or give the replacement another name`
                  : `set deleteBeforeReplace: true on ${resource.name} (its old copy is then deleted when it is replaced, before the target's delete is due, so it is not skipped), or take ${targetName(holder)} out of its deletedWith in an update of its own before this one, or give the replacement another name`
                : kind.replacedCreateFirst && !holder.retainOnDelete
                  ? kind.replacedCreateFirst.fix(resource)
                  : `set deleteBeforeReplace: true on ${resource.name} (the name is briefly absent while it is re-created), or give the replacement another name`
            : !holderAfter && action === "create"
              ? `${renamedParentFix(holder, resource)}${kind.ownFix?.(resource, holder) ?? `keep the resource on its deployed logical name ${JSON.stringify(holder.name)}, or add aliases: [{ name: ${JSON.stringify(holder.name)} }] to ${resource.name}, so the update changes the deployed one in place instead of creating a second one${kind.fixNote ? `. ${kind.fixNote}` : ""}`}`
              : keptByIgnore
                ? `drop ${keptByIgnore.entries} from the ignoreChanges of ${holder.name}, so that the update gives the name up (and make ${resource.name} dependOn ${holder.name}), or give ${resource.name} another name`
                : `key these resources by their physical name rather than by position, so that one never takes the other's deployed name`;
          const deletedLater = self ? !holder.retainOnDelete && !skippedWithTarget : !keptByIgnore && !deleteSkipped(holder, afterUrns, update);
          if (kind.upserts?.(resource)) {
            const overwrites = kind.upsertOutcome ?? kind.refusal;
            if (keptByIgnore) {
              // The holder stays in the stack with the name: two resources of it on one upserted name from here on.
              collisions.push({ resource, holder, finding: finding("TransitionNameOverwritten", resource, `${reason}. ${overwrites}, so the create succeeds and writes over what ${holder.name} holds: two resources of the stack then hold one ${kind.label}, ${holder.name}'s state no longer says what it is, and a later delete of either (removed from the program, replaced) removes the only ${kind.label} of that name while the other's state says it exists`, fix, stack) });
              continue;
            }
            // The create overwrites; the harm is the old copy's delete afterwards, which removes the one resource of that
            // name. A retained old copy leaves the stack, so one resource of it holds the name.
            if (!deletedLater) continue;
            collisions.push({ resource, holder, finding: finding("TransitionNameOverwritten", resource, `${reason}. ${overwrites}, so the create succeeds; then the delete of the old copy removes the only ${kind.label} of that name: the update succeeds, the ${kind.label} is gone, and the state says it exists until pulumi refresh`, fix, stack) });
          } else {
            collisions.push({ resource, holder, finding: finding("TransitionNameTaken", resource, `${reason}. ${kind.refusal}, and the update stops part-way`, fix, stack) });
          }
        }
      }
    }
  }
  return collisions;
}


/**
 * ResourceRecordSet: all records of one name and type use one routing policy. The provider changes one record per
 * ChangeResourceRecordSets call (record.go), so switching a name's records from one policy to another passes through a
 * state that mixes both, which Route 53 refuses, unless a single record makes the switch in one call: an in-place
 * update that changes its setIdentifier (record.go resourceRecordUpdate: "Delete the old and create the new records in
 * a single batch"), with no other record of the old policy left and every other new record waiting for it.
 */
function routingFindings(before: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  const group = (graph: Graph) => {
    const sets = new Map<string, RecordedResource[]>();
    for (const r of ofType(graph, RECORD)) {
      const key = recordSetKey(graph, r, { setIdentifier: false });
      sets.set(key, [...(sets.get(key) ?? []), r]);
    }
    return sets;
  };
  const beforeSets = group(before);
  const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
  for (const [key, records] of group(after)) {
    const deployed = beforeSets.get(key) ?? [];
    const oldPolicies = routingPolicies(deployed);
    const newPolicies = routingPolicies(records);
    // Nothing deployed, or a set that already mixes policies (Route53RoutingRecords reports that plan on its own).
    if (oldPolicies.length !== 1 || newPolicies.length !== 1 || oldPolicies[0] === newPolicies[0]) continue;
    const [from, to] = [oldPolicies[0], newPolicies[0]];
    const switcher = records.find((r) => {
      const old = beforeByUrn.get(r.urn);
      return old !== undefined && deployed.length === 1 && deployed[0].urn === r.urn && dnsName(old.inputs.name) === dnsName(r.inputs.name) && old.inputs.zoneId === r.inputs.zoneId && (old.inputs.setIdentifier ?? "") !== (r.inputs.setIdentifier ?? "");
    });
    const stragglers = switcher ? records.filter((r) => r !== switcher && !dependencyClosure(after, r).has(switcher.urn)) : records;
    if (switcher && stragglers.length === 0) continue;
    const first = records[0];
    const name = `${dnsName(first.inputs.name)} ${first.inputs.type}`;
    const inPlaceSwitch = deployed.every((old) => records.some((r) => r.urn === old.urn));
    const problem = switcher
      ? `switches ${name} from ${from} to ${to} routing through ${switcher.name}, but ${stragglers.map((r) => r.name).join(", ")} ${stragglers.length === 1 ? "does" : "do"} not wait for it (dependsOn), so Pulumi may create ${stragglers.length === 1 ? "it" : "them"} while ${name} is still ${from}`
      : `switches ${name} from ${from} routing (${deployed.map((r) => r.name).join(", ")}) to ${to} routing (${records.map((r) => r.name).join(", ")}) one record per Route 53 call; the first call leaves records of both policies under one name and type, which Route 53 refuses (one routing policy per name and type), and the update stops part-way`;
    const fix = switcher
      ? `make ${stragglers.map((r) => r.name).join(", ")} dependOn ${switcher.name}`
      : inPlaceSwitch
        ? `switch in two steps: delete the deployed records of ${name} first (for RegionalApis apiRouting, the procedure in docs/multi-region.md: both DELETEs in one change batch, pulumi refresh, then pulumi up), or keep ${from} routing`
        : `keep one record on the deployed record's logical name (aliases) so its update switches the name in one call (its setIdentifier changes) and make the other records dependOn it; where more than one deployed record has the old policy, delete them first (pulumi up --target of their removal, or the procedure in docs/multi-region.md)`;
    findings.push(finding("TransitionRoutingPolicy", switcher ? stragglers[0] : first, problem, fix, stack));
  }
  return findings;
}

/**
 * A deployed Route 53 record the update deletes (removed from the program, its delete not skipped: deleteSkipped, with
 * planUpdate's judgement of a replaced deletedWith target) while a record of
 * the next plan writes the same record set (zone, name, type, setIdentifier): the provider's delete lists the set by
 * name and type and deletes it (terraform-provider-aws internal/service/route53/record.go resourceRecordDelete), so the
 * kept record is gone from Route 53 while the state still shows it (until `pulumi refresh`). Deletes of removed
 * resources run last, so the kept record's own update or create does not help. The case: a stack deployed with two
 * resources of one ACM validation CNAME (a name and its wildcard; StaticSite before it wrote one), upgraded to one.
 */
function recordSetOrphanedFindings(deployed: Graph, after: Graph, stack: string | undefined, update: UpdateJudgement): TransitionFinding[] {
  const afterUrns = new Set(after.map((r) => r.urn));
  const deployedUrns = new Set(deployed.map((r) => r.urn));
  const key = (graph: Graph, r: RecordedResource) => recordSetKey(graph, r, { setIdentifier: true });
  // Kept records only: a record the update creates on a deployed one's set is TransitionNameTaken's (refused) or
  // TransitionNameOverwritten's (upserted, then deleted with the old one).
  const kept = new Map<string, RecordedResource>();
  for (const r of ofType(after, RECORD)) if (deployedUrns.has(r.urn) && typeof r.inputs.name === "string" && !kept.has(key(after, r))) kept.set(key(after, r), r);
  const findings: TransitionFinding[] = [];
  for (const old of ofType(deployed, RECORD)) {
    const holder = typeof old.inputs.name === "string" ? kept.get(key(deployed, old)) : undefined;
    if (!holder || afterUrns.has(old.urn) || deleteSkipped(old, afterUrns, update)) continue;
    findings.push(
      finding(
        "TransitionRecordSetOrphaned",
        old,
        `is removed by the update, and its delete deletes the ${old.inputs.type} record set ${old.inputs.name} that ${holder.name} still writes (one set in Route 53): after the update the record is missing while the state shows it`,
        `before the update, forget the removed record without deleting it: pulumi state delete '${old.urn}'; or, after it, run pulumi refresh and pulumi up to write ${holder.name} again`,
        stack,
      ),
    );
  }
  return findings;
}

/**
 * A compliance-mode lock (deployed with ChangeableForDays) whose minimum, maximum or ChangeableForDays changes on the
 * same vault. Every lock field is ForceNew, so the update replaces the lock, and the replacement's create is
 * PutBackupVaultLockConfiguration on that vault: "Before the lock date, you can ... change the Vault Lock configuration
 * using PutBackupVaultLockConfiguration. On and after the lock date, the Vault Lock becomes immutable and cannot be
 * changed or deleted" (AWS::Backup::BackupVault LockConfigurationType). A plan does not know the lock date, so the
 * change is reported whenever the deployed lock is a compliance one. A lock whose inputs the deployed plan does not
 * hold (saved before they were kept) is not judged. A lock deleted first (deleteBeforeReplace, or its replaceWith or
 * deletedWith target replaced delete-first: deletedFirst) is refused at its DeleteBackupVaultLockConfiguration first.
 */
function vaultLockFindings(before: Graph, after: Graph, stack: string | undefined, order: CascadeOrder): TransitionFinding[] {
  const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const lock of ofType(after, VAULT_LOCK)) {
    const old = beforeByUrn.get(lock.urn);
    const deployedDays = old?.inputs.changeableForDays;
    if (!old || typeof deployedDays !== "number") continue;
    // A lock put on another vault (or in another region) is that vault's first lock, not a change of this one.
    if (old.inputs.backupVaultName !== lock.inputs.backupVaultName || (old.inputs.region ?? "") !== (lock.inputs.region ?? "")) continue;
    const changes = VAULT_LOCK_NUMBERS.filter((field) => (old.inputs[field] ?? null) !== (lock.inputs[field] ?? null)).map(
      (field) => `${field} ${old.inputs[field] ?? "unset"} → ${lock.inputs[field] ?? "unset"}`,
    );
    if (changes.length === 0) continue;
    findings.push(
      finding(
        "TransitionVaultLockImmutable",
        lock,
        `changes the compliance-mode lock of vault ${lock.inputs.backupVaultName} (deployed with changeableForDays ${deployedDays}): ${changes.join(", ")}. Every lock field replaces the lock, and its PutBackupVaultLockConfiguration is refused on and after the lock date (${deployedDays} days after the deployed lock was put): "the Vault Lock becomes immutable and cannot be changed or deleted", so the update stops at the lock${!lock.retainOnDelete && deletedFirst(order, lock) ? " (replaced delete-first, its DeleteBackupVaultLockConfiguration is refused first)" : ""}`,
        "keep the deployed lock's numbers (and retentionDays within them) once its lock date has passed; before it, the change is allowed and sets a new lock date. To keep recovery points under other numbers, back up into new vaults (a new BackupPlan name) and let the old ones expire",
        stack,
      ),
    );
  }
  return findings;
}

const POOL_DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
/** A custom hosted UI domain is a host name (it has dots); a prefix is one label under amazoncognito.com. */
const isCustomDomain = (r: RecordedResource) => text(r.inputs.domain)?.includes(".") === true;
/**
 * CreateUserPoolDomain: "Your prefix domain might take up to one minute to take effect. Your custom domain is online
 * within five minutes, but it can take up to one hour to distribute your SSL certificate"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html).
 */
const DOMAIN_ACTIVE = {
  prefix: 'a prefix domain "might take up to one minute to take effect"',
  custom: 'a custom domain "is online within five minutes, but it can take up to one hour to distribute your SSL certificate"',
};
const HOSTED_UI_DOC = "docs/auth.md#moving-the-hosted-ui-to-another-domain";

/**
 * A hosted UI (Cognito user pool) domain replaced delete-first (deleteBeforeReplace, or its replaceWith or deletedWith
 * target replaced delete-first, whose branch deletes it first: deletedFirst), `domain` changed (ForceNew in terraform-provider-aws
 * cognitoidp/user_pool_domain.go), while the pool keeps no other domain through the update (UserAuth keeps hostedUiUrl on
 * a prefix kept beside a custom domain, so a custom domain renamed beside one is no gap): sign-in is down from DeleteUserPoolDomain until
 * the new domain is active, and stays down if its create is refused. A pool holds one prefix domain and one custom
 * domain at once (UserPoolType's `Domain` and `CustomDomain`), so moving between kinds can keep one serving throughout.
 * A domain whose deployed copy is retained is TransitionNameTaken's (the create is refused).
 */
function hostedUiDomainFindings(deployed: Graph, after: Graph, diffedOf: ReadonlyMap<string, RecordedResource>, stack: string | undefined, order: CascadeOrder, replacedWith: ReplacedWith, update: Pick<UpdateJudgement, "replaced">): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  // As diffed (diffedByUrn): a domain ignoreChanges holds does not replace it; one replaced otherwise takes the program's (below).
  const domains = ofType(after, POOL_DOMAIN).map((r) => diffedOf.get(r.urn) ?? r);
  /**
   * A domain of the new plan that the update leaves as deployed: same URN, not replaced (planUpdate's one judgement,
   * update.replaced: nothing replace-forcing changed as diffed, no replaced replaceWith or deletedWith target, and not
   * deleted early in a delete-before-replace branch, order.early: its userPoolId from a pool replaced delete-first), nor
   * deleted in a branch after the engine kept it (order.deletedAfterKept: a deployed deletedWith or replaceWith moved
   * off), which is not replaced but gone.
   */
  const keptInPlace = (r: RecordedResource) => {
    const old = deployedByUrn.get(r.urn);
    return old !== undefined && holdsInputs(old) && !update.replaced(r.urn) && !order.deletedAfterKept.has(r.urn);
  };
  for (const next of domains) {
    const old = deployedByUrn.get(next.urn);
    if (!old || !holdsInputs(old) || !deletedFirst(order, next) || old.retainOnDelete) continue;
    // Replaced (update.replaced: for its own inputs as diffed, its cascade, or deleted early and re-created): the new
    // domain is the program's, which the engine checks anew from goal.Properties, ignoreChanges not applied (pulumi
    // step_generator.go continueStepsFromDiff; "Case 1: recreating" checks without the old inputs).
    const replacedNow = update.replaced(next.urn);
    // The domain it is made with: its kind (prefix or custom) as well as its name.
    const made = replacedNow ? afterByUrn.get(next.urn)! : next;
    const [from, to] = [text(old.inputs.domain), text(made.inputs.domain)];
    if (!from || !to || from === to) continue;
    const others = domains.filter((r) => r !== next && r.inputs.userPoolId === next.inputs.userPoolId && keptInPlace(r));
    // UserAuth's hostedUiUrl is a prefix domain's whenever there is one: only a custom domain replaced beside a prefix
    // that stays leaves sign-in up.
    const customDomainWithPrefix = others.find((r) => !isCustomDomain(r));
    if (isCustomDomain(made) && customDomainWithPrefix) continue;
    const customRenamed = isCustomDomain(old) && isCustomDomain(made);
    const customBeside = others.find(isCustomDomain);
    const refusal = isCustomDomain(made)
      ? "a certificate not issued or not in us-east-1, a parent domain without an A record, a host name another pool holds"
      : "a prefix another AWS account holds: prefixes are unique across all accounts in a region";
    const why = customBeside
      ? `UserAuth's hostedUiUrl (the sign-in URL in the site's config) is the prefix domain's while the custom domain ${customBeside.inputs.domain} stays beside it`
      : "the pool keeps no other domain through the update";
    const freeCheck = (prefix: string) => `check first that the prefix is free: aws cognito-idp describe-user-pool-domain --domain ${prefix} names no other pool (no UserPoolId/AWSAccountId in DomainDescription)`;
    let fix: string;
    if (isCustomDomain(old) !== isCustomDomain(made)) {
      const [prefix, host] = isCustomDomain(made) ? [from, to] : [to, from];
      fix = `add the new domain beside the deployed one first, then remove the old one in a second update: a pool holds one prefix domain and one custom domain at once. With UserAuth: 1. domain: { prefix: "${prefix}", name: "${host}", certificateArn, hostedZoneId }; pulumi up (hostedUiUrl is the prefix's while both are set). 2. ${isCustomDomain(made) ? `once aws cognito-idp describe-user-pool-domain --domain ${host} says ACTIVE, domain: { name: "${host}", certificateArn, hostedZoneId }` : `domain: { prefix: "${prefix}" }`}; pulumi up${isCustomDomain(made) ? "" : `. ${freeCheck(prefix)}`} (${HOSTED_UI_DOC})`;
    } else if (customRenamed) {
      fix = `let a prefix domain serve the hosted UI while the custom domain changes (a pool holds one custom domain; hostedUiUrl is the prefix's while both are set): 1. add domain.prefix beside domain.name "${from}"; pulumi up. 2. domain.name: "${to}"; pulumi up. 3. once it is ACTIVE (aws cognito-idp describe-user-pool-domain --domain ${to}), remove domain.prefix; pulumi up (${HOSTED_UI_DOC})`;
    } else if (customBeside) {
      fix = `${freeCheck(to)}; then let the custom domain serve meanwhile: 1. remove domain.prefix (hostedUiUrl moves to ${customBeside.inputs.domain}); pulumi up. 2. domain.prefix: "${to}"; pulumi up (${HOSTED_UI_DOC})`;
    } else {
      fix = `${freeCheck(to)}; the pool holds one prefix domain, so the change takes sign-in down for the replacement. To keep it up, serve the hosted UI from a custom domain meanwhile: add domain.name beside the prefix (wait until it is ACTIVE), remove domain.prefix, add the new prefix, then remove domain.name if you do not keep it, one update each (${HOSTED_UI_DOC})`;
    }
    findings.push(
      finding(
        "TransitionHostedUiDomainGap",
        next,
        `replaces the hosted UI domain "${from}" with "${to}" delete-first (domain is ForceNew, terraform-provider-aws cognitoidp/user_pool_domain.go; ${deletedFirstBecause(order, replacedWith, afterByUrn, next.urn)}), and ${why}: sign-in through the hosted UI is down from DeleteUserPoolDomain until the new domain is active (${isCustomDomain(made) ? DOMAIN_ACTIVE.custom : DOMAIN_ACTIVE.prefix}, CreateUserPoolDomain), and if CreateUserPoolDomain is refused (${refusal}) the update stops with no domain to sign in on`,
        fix,
        stack,
      ),
    );
  }
  return findings;
}

const LAMBDA_FUNCTION = "aws:lambda/function:Function";
const EDGE_LOGIC = "serverless-fullstack:index:EdgeLogic";

/**
 * An EdgeLogic log group (`<edge>-<key>-edge-logs-<region>`, components/edge-logic/resources.ts) created by the update
 * while the Lambda@Edge function it is named after stays (same URN in both plans): the function has been serving, and
 * Lambda@Edge makes `/aws/lambda/us-east-1.<function name>` in each region where it runs ("When sending logs to
 * CloudWatch, Lambda@Edge automatically adds the us-east-1 prefix to the function name",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html), so CreateLogGroup meets
 * that group: ResourceAlreadyExistsException, "Returned if the specified resource already exists" (CreateLogGroup).
 * A plan cannot tell whether the function ran in that region; a group it never made is created fine.
 */
function edgeLogGroupFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  const deployedUrns = new Set(deployed.map((r) => r.urn));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  for (const group of ofType(after, LOG_GROUP)) {
    if (deployedUrns.has(group.urn) || !group.parent || urnType(group.parent) !== EDGE_LOGIC) continue;
    const fn = group.dependencies.map((urn) => afterByUrn.get(urn)).find((r) => r?.type === LAMBDA_FUNCTION && deployedUrns.has(r.urn));
    if (!fn) continue;
    const region = text(group.inputs.region) ?? "<region>";
    // The function is autonamed: neither plan holds its AWS name (a saved plan keeps no function inputs, and a
    // recording's name is the offline recorder's), unless the program sets `name` by hand.
    const functionName = text(fn.inputs.name) ?? "<function name>";
    const logGroupName = `/aws/lambda/us-east-1.${functionName}`;
    const lookUp = text(fn.inputs.name) ? "" : ` <function name> is the function's ID in the stack: pulumi stack --show-ids lists it on the line of ${fn.name}.`;
    findings.push(
      finding(
        "TransitionEdgeLogGroupPreexisting",
        group,
        `is created in ${region} for Lambda@Edge function ${fn.name}, which the deployed plan already has: if the function has run there, Lambda@Edge made ${logGroupName} on its first log line ("Lambda@Edge automatically adds the us-east-1 prefix to the function name", CloudFront's edge function logs), and CreateLogGroup is refused with ResourceAlreadyExistsException ("Returned if the specified resource already exists"): the update stops at this group (docs/edge.md, "A group that already exists")`,
        `import the group before pulumi up: pulumi import --generate-code=false --protect=false --parent '${urnName(group.parent!)}=${group.parent}' ${LOG_GROUP} ${group.name} '${logGroupName}@${region}' (a resource in another region than the provider's takes its region after @: the Pulumi AWS "Enhanced Region Support" guide).${lookUp} Then pulumi up sets its retention. If the function never ran in ${region} (aws logs describe-log-groups --region ${region} --log-group-name-prefix ${logGroupName} lists nothing), the create succeeds: accept this finding`,
        stack,
      ),
    );
  }
  return findings;
}


/**
 * A type whose resource holds data the program cannot make again (items, users, objects): replacing it, or renaming it
 * without `aliases`, gives the app a new, empty one. Its replace-forcing inputs are terraform-provider-aws's
 * (`ForceNew`), which pulumi-aws 7 wraps; `region` is compared as resolved (the resource's own, its provider's, or the
 * stack's): the provider replaces on a region change except between unset and the provider's own region
 * (internal/provider/sdkv2/region.go `forceNewIfRegionChanges`).
 */
export interface TransitionStatefulType extends InputComparison {
  type: string;
  /** How findings call it ("DynamoDB table") and the noun alone ("table"). */
  label: string;
  noun: string;
  /** What a new, empty copy does not have, and (optionally) what losing it means beyond that. */
  data: string;
  consequence?: string;
  /** Inputs whose change replaces it. */
  replaceOn: readonly string[];
  /**
   * Inputs that replace it only when the new program sets them: Optional+Computed ones (unset keeps the deployed value)
   * and `ForceNewIfChange` ones that ignore a cleared value.
   */
  replaceWhenSet: readonly string[];
  /** The input of the name AWS holds one of (keptName). Unset: `autonameField`. */
  nameField?: string;
  /**
   * The optional autoname field pulumi-aws declares for the type, if any: a value set by hand makes the bridge replace
   * delete-first (namedByHand).
   */
  autonameField?: string;
  /** None: a stateful type's inputs are compared as they are, never as saved digests (statefulChanges relies on it). */
  hashedInputs?: never;
  /** Other inputs the checks read, kept in saved plans with the ones above. */
  alsoKept: readonly string[];
  /** Whether AWS refuses the deployed copy's delete; undefined when the deployed plan does not hold its inputs. */
  deleteRefused(resource: RecordedResource): boolean | undefined;
  /** What AWS answers that delete. */
  refusal: string;
  /**
   * What AWS answers a create under the name the deployed one keeps when its delete is skipped, for types whose names
   * are unique (a table per region, a bucket everywhere); unset where a second one of the name is allowed.
   */
  nameKeptRefusal?: string;
  /** The inputs to keep as deployed, and how to move the data to a differently made one. */
  keep: string;
  move: string;
  source: string;
}

const replicasOf = (r: RecordedResource): Array<Record<string, any>> => asArray(r.inputs.replicas).filter((replica): replica is Record<string, any> => typeof replica?.regionName === "string");

/** The types TransitionStatefulReplaced checks, with their replace-forcing inputs as terraform-provider-aws declares them. */
export const TRANSITION_STATEFUL_TYPES: readonly TransitionStatefulType[] = [
  {
    type: TABLE,
    label: "DynamoDB table",
    noun: "table",
    data: "its items",
    // table.go (TABLE_REPLACEMENT).
    ...TABLE_REPLACEMENT,
    autonameField: "name",
    alsoKept: ["deletionProtectionEnabled", "replicas", "streamEnabled", "billingMode", "ttl", "globalSecondaryIndexes"],
    // resourceTableDelete deletes the replicas first, each as protected as the table may be. The refusal:
    // https://repost.aws/knowledge-center/dynamodb-accidental-delete-protection.
    deleteRefused: (r) => (holdsInputs(r) ? r.inputs.deletionProtectionEnabled === true || replicasOf(r).some((replica) => replica.deletionProtectionEnabled === true) : undefined),
    refusal:
      'deletion protection: "you must give your explicit delete confirmation before the table can be deleted"; the provider deletes a table\'s replicas first, and a protected replica is expected to refuse too, which is inferred, not confirmed',
    nameKeptRefusal: 'CreateTable is refused (ResourceInUseException: "You attempted to recreate an existing table", API_CreateTable)',
    keep: "the deployed key schema (partitionKey/hashKey, sortKey/rangeKey), local indexes (localIndexes), tableName and region",
    move: "export it to S3 and import it into the new table, or copy it with a scan-and-write job",
    source: `${PROVIDER}/dynamodb/table.go`,
  },
  {
    type: USER_POOL,
    label: "Cognito user pool",
    noun: "user pool",
    data: "its users",
    // A user's sub is made by the pool; the identity pool keys identity ids by it, and the app keys items by both.
    consequence: "Users who sign up again get a new sub, and through the identity pool a new identity id: the items keyed by the old ones are out of their reach",
    // user_pool.go: alias_attributes, username_attributes, name and username_configuration.case_sensitive are ForceNew.
    // AWS, "Settings you can't change": sign-in options (AliasAttributes, UsernameAttributes) and case sensitivity
    // (UsernameConfiguration): "To change user pool sign-in options, create a new user pool"
    // (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html). AWS now renames a
    // pool in place; the provider's `name` is ForceNew until hashicorp/terraform-provider-aws#42627 lands.
    replaceOn: ["name", "usernameAttributes", "aliasAttributes", "usernameConfiguration"],
    replaceWhenSet: [],
    emptyIsUnset: true,
    sets: { usernameAttributes: String, aliasAttributes: String },
    autonameField: "name",
    alsoKept: ["deletionProtection"],
    // The refusal: UserPoolType DeletionProtection (API reference), quoted in @pulumi/aws cognito/userPool.d.ts.
    deleteRefused: (r) => (holdsInputs(r) ? r.inputs.deletionProtection === "ACTIVE" : undefined),
    refusal: 'deletion protection: "Before you can delete a user pool that you have protected against deletion, you must deactivate this feature"',
    keep: "usernameAttributes, aliasAttributes, usernameConfiguration, name and region: AWS cannot change a live pool's sign-in settings (\"To change user pool sign-in options, create a new user pool\")",
    move: "a user migration Lambda trigger that signs each user in against the deployed pool, or a CSV user import job, after which users reset their passwords",
    source: `${PROVIDER}/cognitoidp/user_pool.go`,
  },
  {
    type: BUCKET,
    label: "S3 bucket",
    noun: "bucket",
    data: "its objects",
    // bucket.go: bucket (Optional, Computed, ForceNew: the bridge's autoname field, so an unset bucket after a set one is
    // a new generated name) and bucket_prefix are ForceNew; object_lock_enabled is Optional, Computed, ForceNew.
    replaceOn: ["bucket", "bucketPrefix"],
    replaceWhenSet: ["objectLockEnabled"],
    emptyIsUnset: true,
    autonameField: "bucket",
    alsoKept: ["forceDestroy"],
    // Without forceDestroy the provider calls DeleteBucket on the bucket as it is. DeleteBucket: "All objects (including
    // all object versions and delete markers) in the bucket must be deleted before the bucket itself can be deleted"
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html).
    deleteRefused: (r) => (holdsInputs(r) ? r.inputs.forceDestroy !== true : undefined),
    refusal:
      'forceDestroy is off, and DeleteBucket fails while the bucket holds objects with BucketNotEmpty: "All objects … in the bucket must be deleted before the bucket itself can be deleted"',
    nameKeptRefusal: "CreateBucket is refused (BucketAlreadyOwnedByYou; in us-east-1 the provider finds the bucket first and reports BucketAlreadyExists)",
    keep: "bucket, bucketPrefix, objectLockEnabled and region",
    move: "aws s3 sync, S3 Batch Operations or replication",
    source: `${PROVIDER}/s3/bucket.go`,
  },
  {
    type: RDS_CLUSTER,
    label: "Aurora DB cluster",
    noun: "cluster",
    data: "its databases",
    // A final snapshot (skipFinalSnapshot false, as RelationalDatabase keeps one by default) holds the deployed data;
    // nothing restores it into the new cluster.
    consequence: "The deployed data is left only in the deployed cluster's final snapshot, if it takes one (skipFinalSnapshot false)",
    // cluster.go: RDS_CLUSTER_REPLACEMENT (rds.ts), which the cascade reads too. RelationalDatabase draws a new
    // identifier with each (its suffix's keepers), and a new VPC replaces its subnet group (replaceWith the security
    // group) and so the cluster: both come here through the cascade (replacements.ts).
    ...RDS_CLUSTER_REPLACEMENT,
    // No autoname field: pulumi-aws maps aws_rds_cluster with no AutoName (provider/resource_overrides.go; its autonaming
    // of cluster_identifier was reverted, pulumi/pulumi-aws#1301), and the bridge's nameRequiresDeleteBeforeReplace
    // reads only fields whose Default is AutoNamed (pkg/tfbridge/schema.go), so an identifier set by hand is replaced
    // create-first. The provider names an unset one itself (`tf-` and a unique id, cluster.go resourceClusterCreate).
    nameField: "clusterIdentifier",
    alsoKept: ["deletionProtection", "skipFinalSnapshot", "finalSnapshotIdentifier"],
    // DeleteDBCluster refuses a cluster with deletion protection: "You can't delete a cluster with deletion protection
    // enabled" (AuroraUserGuide USER_DeleteCluster, "Deletion protection for Aurora clusters"), answered
    // "InvalidParameterCombination: Cannot delete protected Cluster, please disable deletion protection and try again"
    // (as quoted by dev.classmethod.jp; not in the API reference). RelationalDatabase also sets `protect` with it, which
    // the engine refuses before the update starts (left out here).
    deleteRefused: (r) => (holdsInputs(r) ? r.inputs.deletionProtection === true : undefined),
    refusal: 'deletion protection: "Cannot delete protected Cluster, please disable deletion protection and try again" (InvalidParameterCombination)',
    nameKeptRefusal: "CreateDBCluster is refused (DBClusterAlreadyExistsFault, API_CreateDBCluster)",
    keep: "databaseName, masterUsername, kmsKeyId (RelationalDatabase's kmsKeyArn), the subnet group (RelationalDatabase's network) and region",
    move: "restore the final or a manual snapshot into the new cluster (RestoreDBClusterFromSnapshot), or pg_dump from the deployed one and pg_restore into the new one",
    source: `${PROVIDER}/rds/cluster.go`,
  },
  {
    type: QUEUE,
    label: "SQS queue",
    noun: "queue",
    data: "its messages",
    // Every queue, not only dead-letter ones, and in every stack, as for the types above (the rule judges what a type
    // holds, not the stack): a plan cannot tell a drained queue from one with a backlog behind a failing consumer, and
    // a dead-letter queue keeps failed messages for redrive up to its messageRetentionSeconds (14 days by default in
    // the components). DeleteQueue: "When you delete a queue, any messages in the queue are no longer available"
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html).
    consequence: "Messages still waiting for a consumer, and in a dead-letter queue the failed messages kept for redrive, are gone: nothing moves them to the new queue",
    // queue.go: name and name_prefix (Optional, Computed, ForceNew: name is the bridge's autoname field) and fifo_queue
    // (Default false, ForceNew), so MessageQueue's `fifo` replaces the queue and its dead-letter queue.
    replaceOn: ["name", "namePrefix", "fifoQueue"],
    replaceWhenSet: [],
    emptyIsUnset: true,
    defaults: { fifoQueue: false },
    autonameField: "name",
    alsoKept: [],
    // DeleteQueue has no protection to refuse it; a queue with messages is deleted with them.
    deleteRefused: () => false,
    refusal: "none: DeleteQueue refuses no queue",
    keep: "name, namePrefix, fifoQueue (MessageQueue's fifo, and a Topic.subscribeQueue dead-letter queue's type, which follows it) and region",
    // StartMessageMoveTask: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
    move: "stop its producers and let its consumer drain it, or for a dead-letter queue StartMessageMoveTask with the new queue as DestinationArn",
    source: `${PROVIDER}/sqs/queue.go`,
  },
];

const statefulKind = new Map(TRANSITION_STATEFUL_TYPES.map((kind) => [kind.type, kind]));
/** The kind a resource of the named or stateful types is judged as, the named one first (diffedByUrn, holderReplaced). */
const transitionKindOf = (type: string): TransitionNamedType | TransitionStatefulType | undefined => TRANSITION_NAMED_TYPES.find((k) => k.type === type) ?? statefulKind.get(type);
/**
 * Every table that says how a type is replaced, for a judgement that only needs its AutoName field and replace-forcing
 * inputs (the bridge's delete-first for a name set by hand: cascadedBy): the named and stateful types, the cascade's,
 * and the policy holders' (replacements.ts POLICY_HOLDER_TYPES). The bridge replaces a resource whose AutoName field is
 * set by hand delete-first ("Set delete-before-replace for manually-named resources", pulumi/pulumi-terraform#465; the
 * names cannot exist side by side, https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/), whichever
 * table lists the type.
 */
const replacementKindOf = (type: string) => replacementKindsOf(type)[0];
/**
 * Each table's kind of a type, for a judgement of whether it is replaced at all (the cascade's replaceWith targets): a
 * bucket's named kind lists its name inputs, its stateful kind objectLockEnabled too, so either replacing it counts.
 */
const replacementKindsOf = (type: string) =>
  [TRANSITION_NAMED_TYPES.find((k) => k.type === type), statefulKind.get(type), cascadeTypeOf(type), policyHolderTypeOf(type)].filter((kind) => kind !== undefined);

/**
 * An input as the provider compares it (InputComparison): unset and null alike, and [] too where `emptyIsUnset`; a
 * `defaults` value for unset, in the `canonical` form where the kind gives one; an input `sets` keys sorted by its
 * elements' keys; object keys in one order.
 */
function providerCanonical(comparison: InputComparison, field: string, given: unknown): string {
  const defaulted = isUnsetInput(comparison, given, field) && comparison.defaults && field in comparison.defaults ? comparison.defaults[field] : given;
  const canonical = comparison.canonical?.[field];
  const value = canonical && !isUnsetInput(comparison, defaulted, field) ? canonical(defaulted) : defaulted;
  if (isUnsetInput(comparison, value, field)) return "null";
  const key = comparison.sets?.[field];
  const ordered = key && Array.isArray(value) ? [...value].sort((a, b) => key(a).localeCompare(key(b))) : value;
  return canonicalJson(ordered);
}

/**
 * Whether an input is none to the provider: unset or null, and under `emptyIsUnset` (an SDKv2 schema, whose zero values
 * are no value) also `[]` and `""`, and `{}` for a `maps` input (`field`).
 */
function isUnsetInput(comparison: InputComparison, value: unknown, field?: string): boolean {
  if (value === undefined || value === null) return true;
  if (comparison.emptyIsUnset !== true) return false;
  if ((Array.isArray(value) && value.length === 0) || value === "") return true;
  return field !== undefined && comparison.maps?.includes(field) === true && isEmptyMap(value);
}

const isEmptyMap = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
/**
 * Whether a `hashedInputs` value (as given, or the digest a saved plan keeps) is none under `emptyIsUnset`: "" or an
 * empty map of `maps`, whose digests a saved plan holds in their place. Every hashed input is a string, a map or a
 * block (an endpoint, a certificate, a deployment's variables, a random string's keepers, an event source mapping's
 * selfManagedEventSource), never a list: an empty list, none under `emptyIsUnset` when given (isUnsetInput), would be
 * read as set from its digest, so a list input made hashed needs its empty digest (savedDigest([])) here.
 */
function isUnsetDigested(comparison: InputComparison, field: string, value: unknown): boolean {
  if (isUnsetInput(comparison, value, field)) return true;
  if (comparison.emptyIsUnset !== true) return false;
  return value === EMPTY_STRING_DIGEST || (comparison.maps?.includes(field) === true && value === EMPTY_MAP_DIGEST);
}

/** shown, with the schema default an unset input stands for: "none (provisioned)"; under `emptyIsUnset` "" is none too. */
function shownWithDefault(comparison: InputComparison, field: string, value: unknown): string {
  if (!isUnsetInput(comparison, value, field)) return shown(value);
  return comparison.defaults && field in comparison.defaults ? `none (${shown(comparison.defaults[field])})` : "none";
}

/** A value as findings print it: a list by its elements' names, none for unset. */
function shown(value: unknown): string {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return "none";
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === "object" && "name" in v ? String(v.name) : typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Why the update replaces a deployed resource with its next self, as `field (old → new)`: replaceReasons (so
 * `ignoreChanges` and `replaceOnChanges` count, as for every replacement the checks judge), and a move to another
 * region as planUpdate judges it (regionMove: the resource's own region, its provider's, or the stack's of each side;
 * not judged where either is unknown). `diffed`: the next self as diffedByUrn gives
 * it (a resource created anew, which no options of its own reset, as it is). The resource's own `region` is an input
 * like any other, so an ignoreChanges path `region` has put the deployed one back, and the region as resolved from it
 * does not change. A region that comes from the provider on both sides is not an input the reset reaches: the
 * engine's replacement for a changed provider reference (pulumi pkg/resource/deploy/step_generator.go `diff` →
 * `providerChanged`, the new provider's DiffConfig) reads no ignoreChanges, and whether the provider's own Diff drops
 * a provider-derived region change (forceNewIfRegionChanges) that the resource ignores is not confirmed: still reported.
 */
function statefulChanges(kind: TransitionStatefulType, old: RecordedResource, diffed: RecordedResource, regionMove: RegionMove): string[] {
  const changes = replaceReasons(kind, old, diffed);
  const move = regionMove(old, diffed);
  if (move) changes.push(`region (${move.from} → ${move.to}${moveCause(old, diffed) === STACK_MOVES ? ": the stack's aws:region" : ""})`);
  return changes;
}

/**
 * statefulChanges of each resource of `after` of a stateful type whose deployed self (same URN) the deployed plan holds
 * the inputs of (those diffedOf holds), by URN: judged once per check, as several rules ask (TransitionStatefulReplaced,
 * the in-place table rules through tablesUpdatedInPlace, TransitionRetainedTooLate). A resource the cascade replaces for
 * its replaceWith or deletedWith (`replacedWith`) has that as one more reason (cascadeChain), whatever its
 * own inputs do: the engine replaces it without asking the provider (providerReplaces), so it is not updated in place.
 */
function statefulChangesByUrn(deployed: Graph, after: Graph, diffedOf: ReadonlyMap<string, RecordedResource>, regionMove: RegionMove, replacedWith: ReplacedWith, order: CascadeOrder): ReadonlyMap<string, string[]> {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const changes = new Map<string, string[]>();
  for (const next of after) {
    const kind = statefulKind.get(next.type);
    const diffed = diffedOf.get(next.urn);
    if (!kind || !diffed) continue;
    const cascaded = replacedWith.has(next.urn) ? [`${cascadeChain(replacedWith, afterByUrn, next.urn)}, which the update replaces`] : [];
    // Deleted early in a delete-before-replace branch for a replace-forcing input or its provider (branchCauses), and re-created.
    changes.set(next.urn, [...statefulChanges(kind, deployedByUrn.get(next.urn)!, diffed, regionMove), ...cascaded, ...branchCauses(order, next.urn)]);
  }
  return changes;
}

/**
 * The option through which `r` names `target` in the cascade (replacements.ts cascadeTargets): its replaceWith, or its
 * deletedWith (the engine replaces a resource with its deletedWith target too).
 */
const cascadeOption = (r: RecordedResource | undefined, target: string) => (r?.deletedWith === target && !(r.replaceWith ?? []).includes(target) ? "deletedWith" : "replaceWith");

/** The replaced resources `urn` is replaced for (the cascade's replacedWith), grouped by the option that names them (cascadeOption). */
function cascadeTargetsByOption(replacedWith: ReplacedWith, afterByUrn: ReadonlyMap<string, RecordedResource>, urn: string): Array<readonly ["replaceWith" | "deletedWith", string[]]> {
  const targets = replacedWith.get(urn) ?? [];
  const r = afterByUrn.get(urn);
  return (["replaceWith", "deletedWith"] as const)
    .map((option) => [option, targets.filter((t) => cascadeOption(r, t) === option)] as const)
    .filter(([, of]) => of.length > 0);
}

/** `replaceWith: a, b replaced`, `deletedWith: c replaced`: the replaced resources `urn` is replaced for (the cascade's replacedWith), by option. */
function cascadeLabel(replacedWith: ReplacedWith, afterByUrn: ReadonlyMap<string, RecordedResource>, urn: string): string {
  return cascadeTargetsByOption(replacedWith, afterByUrn, urn)
    .map(([option, of]) => `${option}: ${of.map((t) => afterByUrn.get(t)?.name ?? t).join(", ")} replaced`)
    .join("; ");
}

/**
 * Why the cascade replaces `urn` (statefulChangesByUrn's reason, TransitionStatefulReplaced's text): the replaced
 * resources its replaceWith or deletedWith names, each followed by what it was itself replaced for where that was the
 * cascade too (`its replaceWith names fn, replaced for its own replaceWith (api-sg)`): the chain a user follows back to
 * the change that started it. Starts with "its ", which no input's reason does (CASCADE_REASON).
 */
function cascadeChain(replacedWith: ReplacedWith, afterByUrn: ReadonlyMap<string, RecordedResource>, urn: string, seen: ReadonlySet<string> = new Set([urn])): string {
  const named = (t: string) => {
    const name = afterByUrn.get(t)?.name ?? t;
    return replacedWith.has(t) && !seen.has(t) ? `${name}, replaced for its own ${cascadeChain(replacedWith, afterByUrn, t, new Set([...seen, t])).replace(/^its /, "").replace(/ names (.*)$/, " ($1)")}` : name;
  };
  return cascadeTargetsByOption(replacedWith, afterByUrn, urn)
    .map(([option, of]) => `its ${option} names ${of.map(named).join(" and ")}`)
    .join(", and ");
}

/** The start of the cascade's reason among statefulChangesOf's (cascadeChain). */
const CASCADE_REASON = "its ";

/** Why a resource of a provider replaced delete-first goes before it (CascadeOrder.forcedByProvider), for the findings' text. */
const PROVIDER_DELETES_FIRST = "the engine deletes every resource of a provider it replaces delete-first before the provider, pulumi step_generator.go calculateDependentReplacements";

/**
 * What becomes of the deployed copy and its data once the update stops using it. `deleteFirst`: the bridge or
 * deleteBeforeReplace deletes it before the new one exists; otherwise Pulumi creates the new one first (a removed
 * resource is deleted at the end of the update). `keptName`: the name set by hand that the new one asks for in the
 * deployed one's region, when that is the deployed one's own. Why it is deleted first, for the text: `beforeTarget`,
 * the cascade's (CascadeOrder.early: for a replace-forcing input, CascadeOrder.forcedInputs, its provider, CascadeOrder.forcedByProvider, or a replaceWith); `byNaming`, the pulumi:autonaming setting (CascadeOrder.byNaming); neither, its
 * name set by hand or deleteBeforeReplace.
 */
function statefulOutcome(kind: TransitionStatefulType, old: RecordedResource, deleteSkipped: boolean, deleteFirst: boolean, keptName: string | undefined, beforeTarget: "replaceWith" | "input" | "provider" | undefined, byNaming: string | undefined): string {
  const { noun, data } = kind;
  const moves = `everything that uses the ${noun} moves to the new, empty one`;
  const deletedFirstBy = beforeTarget
    ? beforeTarget === "input"
      ? "the engine deletes it before the resource its replace-forcing input takes its value from, which is replaced delete-first"
      : beforeTarget === "provider"
        ? "the engine deletes it before its provider, which is replaced delete-first"
        : "the engine deletes it before a resource its replaceWith names, which is replaced delete-first"
    : byNaming
      ? namingDeleteFirstReason(byNaming)
      : kind.autonameField ? `${kind.autonameField} set by hand, or deleteBeforeReplace` : "deleteBeforeReplace";
  if (deleteSkipped && keptName !== undefined && kind.nameKeptRefusal) {
    // The delete (delete-first or not) does nothing, so the name is still held when the create asks for it.
    return `The deployed one's delete is skipped (${old.retainOnDelete ? "retainOnDelete" : "deletedWith a resource the update also deletes"}), so it keeps its name ${keptName}, which the new one asks for too: ${kind.nameKeptRefusal}, and the update stops before anything moves to the new ${noun}`;
  }
  if (!deleteFirst && keptName !== undefined && kind.nameKeptRefusal) {
    // Create-first under the same name: only a type that is not also a named type gets here (TransitionNameTaken has
    // the others' pairs), which is the Aurora cluster renamed without aliases.
    return `The deployed one is deleted only after the new one is created (Pulumi deletes a resource removed from the program at the end of the update, and replaces create-first unless deleteBeforeReplace), so it still holds its name ${keptName}, which the new one asks for too: ${kind.nameKeptRefusal}, and the update stops before anything moves to the new ${noun}`;
  }
  if (deleteSkipped) {
    return old.retainOnDelete
      ? `The deployed one is retained (retainOnDelete): the update succeeds, ${moves}, and the deployed one, with ${data}, stays in the account outside the stack; no error says so`
      : `The deployed one's delete is skipped (deletedWith a resource the update also deletes): the update succeeds, ${moves}, and the deployed one, with ${data}, stays in the account outside the stack`;
  }
  const refused = kind.deleteRefused(old);
  if (refused === undefined) {
    return `The update creates the new, empty ${noun}, ${moves}, and then deletes the deployed one with ${data} (the saved plan does not say whether deletion protection would refuse that delete and stop the update part-way instead)`;
  }
  if (refused) {
    return deleteFirst
      ? `The deployed one is deleted first (${deletedFirstBy}): its delete is refused (${kind.refusal}), and the update stops before the new one is created`
      : `The update creates the new, empty ${noun}, ${moves}, and then it deletes the deployed one: its delete is refused (${kind.refusal}): the update stops part-way, with the stack on the new, empty ${noun} and the deployed one pending deletion, refused again on every later update`;
  }
  return deleteFirst
    ? `The deployed one is deleted with ${data} first (${deletedFirstBy}), then the new, empty ${noun} is created`
    : `The update creates the new, empty ${noun}, ${moves}, and the deployed one is deleted with ${data}`;
}

/**
 * The name set by hand that `next` asks for while `old` holds it (same autoname value, same region), if any. `next` as
 * the provider creates it: the program's inputs, for a replacement too (the engine checks a replacement anew from
 * goal.Properties, ignoreChanges not applied: pulumi step_generator.go continueStepsFromDiff), so an ignored name or
 * region is not put back in the new copy.
 */
function keptName(kind: TransitionStatefulType, old: RecordedResource, deployed: Graph, next: RecordedResource, after: Graph, regions: StackRegions): string | undefined {
  const field = kind.nameField ?? kind.autonameField;
  if (field === undefined) return undefined;
  const name = text(old.inputs[field]);
  const sides = sidesOf(regions);
  return name !== undefined && next.inputs[field] === name && where(deployed, old, sides.deployed) === where(after, next, sides.next) ? name : undefined;
}

const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging";

/**
 * The buckets of `graph` that hold only copies: the destination of a replication rule whose source bucket the plan
 * keeps, and the access-log bucket of such a replica (the replica's own logs). Replacing or moving one loses nothing
 * the stack does not keep in the source. A new replica starts empty: "Objects that existed before you set up
 * replication aren't replicated automatically ... use S3 Batch Replication"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-how-setup.html).
 */
function copyBuckets(graph: Graph): Set<string> {
  const replicas = new Set<string>();
  for (const config of ofType(graph, REPLICATION)) {
    if (!referenced(graph, BUCKET, config.inputs.bucket)) continue;
    for (const rule of asArray(config.inputs.rules)) {
      const replica = referenced(graph, BUCKET, rule?.destination?.bucket);
      if (replica) replicas.add(replica.urn);
    }
  }
  const copies = new Set(replicas);
  for (const logging of ofType(graph, BUCKET_LOGGING)) {
    const source = referenced(graph, BUCKET, logging.inputs.bucket);
    const target = referenced(graph, BUCKET, logging.inputs.targetBucket);
    if (source && target && replicas.has(source.urn)) copies.add(target.urn);
  }
  return copies;
}

/**
 * Tables, user pools and buckets that the update replaces (a replace-forcing input changed) or gives up for a new one
 * of the same type under the same parent (renamed without aliases): the app moves to a new, empty one, and the
 * deployed one is left outside the stack (retainOnDelete), deleted with its data, or refuses its delete half-way
 * (deletion protection). A resource with `protect` is left out: the engine refuses to replace or delete it before the
 * update starts, and so is a bucket of copies (copyBuckets: a replica and its log bucket, e.g. in another region). A
 * deployed resource whose inputs the deployed plan does not hold (a plan saved before they were kept) is judged for
 * renames only.
 */
function statefulFindings(
  deployed: Graph,
  after: Graph,
  regions: StackRegions,
  stack: string | undefined,
  nameTaken: (next: RecordedResource, old: RecordedResource) => boolean,
  statefulChangesOf: ReadonlyMap<string, string[]>,
  diffedOf: ReadonlyMap<string, RecordedResource>,
  replacedWith: ReplacedWith,
  order: CascadeOrder,
  update: UpdateJudgement & Pick<PlanUpdate, "regionMove">,
): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const afterUrns = new Set(afterByUrn.keys());
  const nameOf = (graph: Graph, urn: string | undefined) => (urn ? graph.find((r) => r.urn === urn)?.name : undefined);
  const copies = copyBuckets(after);

  for (const next of after) {
    const kind = statefulKind.get(next.type);
    const old = deployedByUrn.get(next.urn);
    if (!kind || !old || old.protect || !holdsInputs(old) || copies.has(next.urn)) continue;
    const [changes, diffed] = [statefulChangesOf.get(next.urn)!, diffedOf.get(next.urn)!];
    if (changes.length === 0 || nameTaken(next, old)) continue;
    // Its own replace-forcing changes, and the replaced resources its replaceWith names (statefulChangesByUrn).
    const own = changes.filter((c) => !c.startsWith(CASCADE_REASON));
    const chain = changes.find((c) => c.startsWith(CASCADE_REASON));
    const why = [
      ...(own.length > 0 ? [`${own.join(", ")} ${own.length === 1 ? "forces" : "force"} a new ${kind.noun} (terraform-provider-aws ${kind.source.replace(`${PROVIDER}/`, "")})`] : []),
      ...(chain !== undefined ? [`${chain} (the engine then replaces it without asking the provider, pulumi step_generator.go diff)`] : []),
    ].join(", and ");
    const unchain = chain !== undefined ? `; or take ${replacedWith.get(next.urn)!.map((urn) => afterByUrn.get(urn)?.name ?? urn).join(" and ")} out of its replaceWith or deletedWith (a resource named there is replaced whenever that one is), or keep ${replacedWith.get(next.urn)!.length === 1 ? "it" : "them"} as deployed` : "";

    // The region's change is the provider's too (statefulChanges), unless the engine replaces it for its replaceWith
    // without asking the provider (providerReplaces).
    const statefulForced = (asProviderDiffs: RecordedResource) => statefulChanges(kind, old, asProviderDiffs, update.regionMove).length > 0;
    const deleteFirst = replacementDeletesFirst(order.early, kind, old, diffed, replacedWith, statefulForced);
    // Retained, or deleted with a target the update removes or replaces: the engine may skip this one's delete.
    const skipped = deleteSkipped(old, afterUrns, update);
    findings.push(
      finding(
        "TransitionStatefulReplaced",
        next,
        `replaces ${kind.label} ${next.name}: ${why}. ${statefulOutcome(kind, old, skipped, deleteFirst, keptName(kind, old, deployed, next, after, regions), earlyCause(order, diffed.urn), order.byNaming.get(next.urn))}${next.retainOnDelete && !old.retainOnDelete ? ` (the retainOnDelete: true the program now sets applies to the new one only: the engine deletes the old copy by the options it was deployed with, ${RETAIN_SOURCE})` : ""}${kind.consequence ? `. ${kind.consequence}` : ""}`,
        `keep ${kind.keep}${unchain}. To change them, create a second ${kind.noun} beside the deployed one and move ${kind.data} to it (${kind.move}) before the deployed one leaves the program`,
        stack,
      ),
    );
  }

  // Renamed without aliases: a deployed resource whose URN nothing in the new plan has or claims, and a new one of its
  // type under the same parent (or under a parent that was itself renamed: the same chain of types, the old parent
  // gone, the new one new). Nothing in a plan says which new resource a removed one became, so a pair is read as a
  // rename only where little else explains it: the new one has the removed one's local name (the name after its
  // parent's, `data-gallery` → `db-gallery`), or it is the only one of the type created there while the removed one is
  // the only one removed, made like it (the same replace-forcing inputs: an unrelated table has its own key schema), and
  // no copy (a replica's new bucket). Anything else (two tables swapped for two others, a replica moved to another
  // region) is a change the program means, and is not reported; a reviewed finding is accepted with `accept`.
  const sameParent = (old: RecordedResource, next: RecordedResource) =>
    old.parent === next.parent ||
    (old.parent !== undefined && next.parent !== undefined && !afterUrns.has(old.parent) && !deployedByUrn.has(next.parent) && urnType(old.urn, { qualified: true }) === urnType(next.urn, { qualified: true }));
  const localName = (graph: Graph, r: RecordedResource) => {
    const parentName = nameOf(graph, r.parent);
    return parentName && r.name.startsWith(parentName) ? r.name.slice(parentName.length) : r.name;
  };
  const queueRenamed = queueRenameEvidence(deployed, after);
  const removed = deployed.filter((r) => statefulKind.has(r.type) && !afterUrns.has(r.urn));
  for (const old of removed) {
    const kind = statefulKind.get(old.type)!;
    if (old.protect) continue;
    const created = after.filter((next) => next.type === old.type && !deployedByUrn.has(next.urn) && sameParent(old, next));
    // A new one refused for the name the deployed one holds is TransitionNameTaken's: the update stops there.
    if (created.length === 0 || created.some((next) => nameTaken(next, old))) continue;
    const sameLocalName = created.filter((next) => localName(after, next) === localName(deployed, old));
    const removedThere = removed.filter((r) => r.type === old.type && r.parent === old.parent);
    // Made alike: the replace-forcing inputs as such, since the new one is created, not updated (no options of its own apply).
    const asMade = { ...created[0], ignoreChanges: undefined, replaceOnChanges: undefined };
    const aloneAndAlike = created.length === 1 && removedThere.length === 1 && holdsInputs(old) && !copies.has(created[0].urn) && statefulChanges(kind, old, asMade, update.regionMove).length === 0;
    const paired = sameLocalName.length > 0 ? sameLocalName : aloneAndAlike ? created : [];
    const candidates = old.type === QUEUE ? paired.filter((next) => queueRenamed(old, next)) : paired;
    if (candidates.length === 0) continue;
    const next = candidates[0];
    // Removed: its delete is skipped when retained, or deletedWith a target the update removes or replaces (planUpdate's judgement).
    const outcome = statefulOutcome(kind, old, deleteSkipped(old, afterUrns, update), false, keptName(kind, old, deployed, next, after, regions), undefined, undefined);
    const oldParent = nameOf(deployed, old.parent);
    const newParent = nameOf(after, next.parent);
    const parentRenamed = old.parent !== next.parent && oldParent !== undefined && newParent !== undefined;
    const alias = parentRenamed
      ? `give ${newParent} its earlier name: aliases: [{ name: ${JSON.stringify(oldParent)} }] (its children follow it)`
      : `add aliases: [{ name: ${JSON.stringify(old.name)} }] to ${next.name} (for a child of a component, through the component's transforms)`;
    const fix = `if ${candidates.length === 1 ? next.name : `one of ${candidates.map((r) => r.name).join(", ")}`} is the deployed ${kind.noun} renamed, ${alias}, so the update keeps the deployed one; if it is another ${kind.noun}, move ${kind.data} first (${kind.move}), or remove ${old.name} in an update of its own`;
    const under = parentRenamed ? `under ${newParent}, which replaces ${oldParent}` : "under the same parent";
    const problem =
      (candidates.length === 1
        ? `is created by the update while ${kind.label} ${old.name} of the deployed plan is removed from the program, ${under}: if it is that ${kind.noun} renamed without aliases, Pulumi creates a second one and removes the deployed one. ${outcome}`
        : `is removed from the program while ${candidates.map((r) => r.name).join(", ")} of the same type are created ${under}: if one of them is this ${kind.noun} renamed without aliases, Pulumi creates a second one and removes the deployed one. ${outcome}`) +
      (kind.consequence ? `. ${kind.consequence}` : "");
    findings.push(finding("TransitionStatefulReplaced", candidates.length === 1 ? next : old, problem, fix, stack));
  }
  return findings;
}

/**
 * Whether a created queue is more than alike a removed one (TransitionStatefulReplaced's rename pairing). Two standard
 * queues have the same replace-forcing inputs, and a MessageQueue swapped for an unrelated one pairs by local name
 * (`-queue`, `-dlq`) under the new component, so a deliberate removal would read as a rename. A queue pairs only where
 * the same function consumes both (queuePlan consumers), or where each is consumed from inside its own renamed ancestor (the
 * highest one the other plan lacks): a component renamed as a whole, its consumer with it. A MessageQueue renamed with
 * a consumer renamed beside it is not told from a swap, and is not reported.
 */
function queueRenameEvidence(deployed: Graph, after: Graph): (old: RecordedResource, next: RecordedResource) => boolean {
  // Each plan is indexed once, on the first removed queue with a created one to pair (most updates have none).
  let plans: [QueuePlan, QueuePlan] | undefined;
  const insideRenamed = (plan: QueuePlan, other: QueuePlan, queue: RecordedResource, consumers: Set<string>) => {
    let root = queue;
    while (root.parent && !other.byUrn.has(root.parent) && plan.byUrn.has(root.parent)) root = plan.byUrn.get(root.parent)!;
    const under = (urn: string | undefined): boolean => urn !== undefined && (urn === root.urn || under(plan.byUrn.get(urn)?.parent));
    return root !== queue && [...consumers].some(under);
  };
  return (old, next) => {
    plans ??= [queuePlan(deployed), queuePlan(after)];
    const [before, now] = plans;
    const [was, is] = [before.consumers(old), now.consumers(next)];
    if ([...was].some((fn) => is.has(fn))) return true;
    return insideRenamed(before, now, old, was) && insideRenamed(now, before, next, is);
  };
}

interface QueuePlan {
  byUrn: ReadonlyMap<string, RecordedResource>;
  /** A queue's consumers, as below. */
  consumers(queue: RecordedResource): Set<string>;
}

/**
 * The functions (by URN, else by the name the mapping gives) whose event source mapping reads `queue` or sends its
 * failed records there (destinationConfig.onFailure, saved for this), or reads, under a component, any queue of that component (its dead-letter queue has no consumer of its own, and a saved plan keeps no
 * redrivePolicy to tie it to its queue). Queues and functions are matched by physical name: a saved plan keeps a
 * queue's URL and a function's name as their ids, and the mapping's ARNs.
 */
function queuePlan(graph: Graph): QueuePlan {
  const byUrn = new Map(graph.map((r) => [r.urn, r]));
  const [queues, mappings, functions] = [ofType(graph, QUEUE), ofType(graph, EVENT_SOURCE_MAPPING), ofType(graph, LAMBDA_FUNCTION)];
  const lastPart = (identity: unknown) => (typeof identity === "string" ? identity.split(/[/:]/).pop() : undefined);
  const functionOf = (name: unknown) => functions.find((fn) => identitiesOf(fn).some((identity) => lastPart(identity) === lastPart(name)));
  const consumers = (queue: RecordedResource) => {
    const parent = queue.parent === undefined ? undefined : byUrn.get(queue.parent);
    const group = parent && parent.type !== "pulumi:pulumi:Stack" ? queues.filter((q) => q.parent === queue.parent) : [queue];
    const names = new Set(group.flatMap((q) => identitiesOf(q).map(lastPart)).filter(Boolean));
    const reading = mappings.filter((m) => names.has(lastPart(m.inputs.eventSourceArn)) || names.has(lastPart(m.inputs.destinationConfig?.onFailure?.destinationArn)));
    return new Set(reading.map((m) => functionOf(m.inputs.functionName)?.urn ?? String(lastPart(m.inputs.functionName))));
  };
  return { byUrn, consumers };
}

/**
 * A DynamoDB table of `after` with its deployed self: `table` as diffedByUrn gives it (each ignoreChanges path reset to
 * its deployed value, what the provider is sent), and `program` as the program gives it, for a rule about what the
 * reset itself drops (TransitionBillingToProvisioned).
 */
type TablePair = readonly [old: RecordedResource, table: RecordedResource, program: RecordedResource];

/**
 * Each DynamoDB table of `after` with its deployed self, when the update keeps it in place and the deployed plan holds
 * its inputs (statefulChangesOf has none for it): what the in-place table rules judge, found once per check.
 */
function tablesUpdatedInPlace(deployed: Graph, after: Graph, statefulChangesOf: ReadonlyMap<string, string[]>, diffedOf: ReadonlyMap<string, RecordedResource>): TablePair[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  return ofType(after, TABLE).flatMap((table) => (statefulChangesOf.get(table.urn)?.length === 0 ? [[deployedByUrn.get(table.urn)!, diffedOf.get(table.urn)!, table] as const] : []));
}

/**
 * Global tables updated in place that drop replicas in a way the provider cannot apply in one update: every replica
 * dropped while the stream goes off (TransitionReplicaStreamOff), or a deletion-protected replica dropped
 * (TransitionProtectedReplicaRemoved). A replaced table is TransitionStatefulReplaced's; a table whose inputs the
 * deployed plan does not hold is not judged.
 */
function replicaFindings(tables: readonly TablePair[], stack: string | undefined): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  for (const [old, table] of tables) {
    const [was, is] = [replicasOf(old), replicasOf(table)];
    const regions = new Set(is.map((replica) => replica.regionName));
    const dropped = was.filter((replica) => !regions.has(replica.regionName));
    if (dropped.length === 0) continue;
    const names = dropped.map((replica) => replica.regionName as string);
    // table.go resourceTableUpdate sends `stream_enabled` (Optional, not Computed: unset is off) in its main
    // UpdateTable, and only afterwards calls updateReplica, which deletes the replicas. DynamoDB turns the stream on for
    // a global table and refuses to turn it off while the table still has replicas: "Disabling Stream is not allowed
    // for a Global Table replica" (hashicorp/terraform-provider-aws#34450, open; pulumi/pulumi-aws#5377, awaiting
    // upstream; the reordering fix is the unmerged hashicorp/terraform-provider-aws#44359).
    if (is.length === 0 && table.inputs.streamEnabled !== true) {
      findings.push(
        finding(
          "TransitionReplicaStreamOff",
          table,
          `drops every replica (${names.join(", ")}) and turns the table's stream off in the same update. The provider sends the stream change in its main UpdateTable, before it deletes the replicas, and DynamoDB refuses to turn off the stream of a table that still has replicas ("ValidationException: One or more parameter values were invalid: Disabling Stream is not allowed for a Global Table replica", hashicorp/terraform-provider-aws#34450, pulumi/pulumi-aws#5377): the update stops with the replicas still there`,
          `drop the replicas and the stream in two updates: first remove the replicas with the stream kept on (a DataTier table: stream: "NEW_AND_OLD_IMAGES" while replicaRegions becomes []; an aws.dynamodb.Table: streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES"), then drop the stream in a later update (docs/multi-region.md, "Dropping a region")`,
          stack,
        ),
      );
    }
    // table.go updateReplica → deleteReplicas sends ReplicaUpdates [{ Delete: { RegionName } }] and never turns the
    // replica's deletion protection off first; each replica is protected on its own ("You must enable deletion
    // protection on each replica", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-bestpractices.html),
    // and the Delete "invokes the DeleteTableReplica action in the destination Region"
    // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicationGroupUpdate.html). That the
    // replica's protection refuses it is inferred from these: no AWS or provider text found states it.
    const protectedRegions = dropped.filter((replica) => replica.deletionProtectionEnabled === true).map((replica) => replica.regionName as string);
    if (protectedRegions.length > 0) {
      const one = protectedRegions.length === 1;
      findings.push(
        finding(
          "TransitionProtectedReplicaRemoved",
          table,
          `removes the ${one ? "replica" : "replicas"} in ${protectedRegions.join(", ")}, which ${one ? "has" : "have"} deletion protection (replicas[].deletionProtectionEnabled). The provider deletes a replica with one UpdateTable ReplicaUpdates Delete, which "invokes the DeleteTableReplica action in the destination Region" (ReplicationGroupUpdate), and never turns its protection off first. That DynamoDB refuses it is inferred, not confirmed: each replica has its own deletion protection ("You must enable deletion protection on each replica", global tables best practices), but no AWS text found says what a protected replica answers to its removal. If it refuses, the update stops part-way`,
          `turn the ${one ? "replica's" : "replicas'"} deletion protection off first, in an update of its own that keeps the ${one ? "region" : "regions"}: DataTier deletionProtection: false (an aws.dynamodb.Table: replicas[].deletionProtectionEnabled: false), which the provider applies to each kept replica in place, or ${protectedRegions.map((region) => `aws dynamodb update-table --region ${region} --table-name <table name> --no-deletion-protection-enabled`).join("; ")}; then remove the ${one ? "region" : "regions"} in the next update, and turn protection back on (docs/multi-region.md, "Dropping a region")`,
          stack,
        ),
      );
    }
  }
  return findings;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** An input the engine holds: an unset one (undefined, or null) is absent. */
const present = (v: unknown) => v !== undefined && v !== null;

/** Where the engine's reset of one ignoreChanges path fails: the path up to there, and the deployed and new values there. */
interface ResetFailure {
  at: string;
  deployed: unknown;
  next: unknown;
}

/** The engine's reset of one path: the new value with the deployed values put in along the path (a copy), or where it fails. */
interface Reset {
  value?: unknown;
  failure?: ResetFailure;
}

/**
 * The engine's reset of one ignoreChanges path (pulumi sdk/go/common/resource/properties_path.go `reset`, which
 * `processIgnoreChanges` in pkg/resource/deploy/step_generator.go calls for each path on the new inputs before the
 * diff): it copies the deployed value into the new inputs along the path (and deletes there what the deployed inputs
 * lack: "If the path doesn't exist in old then we want to delete it from new"), and fails where the two cannot be
 * walked together, above all at an array that has another length ("If arrays are of different length then this is a
 * path failure because we can't continue the search of this path down each PropertyValue"). `next` is not changed. On
 * a failure the engine keeps what it reset before it (for a `*` over an object, in Go's random map order); no caller
 * here reads that, so only the failure is returned. The one reset of the transition checks: asDiffed
 * (inputsAsDiffed) and TransitionIgnoredArrayResized.
 */
function resetPath(path: PropertyPath, deployed: unknown, next: unknown, at = ""): Reset {
  const fail = (): Reset => ({ failure: { at: at || "(the inputs)", deployed, next } });
  const keep: Reset = { value: next };
  const [key, ...rest] = path;
  const step = (k: string | number) => (typeof k === "number" ? `${at}[${k}]` : at ? `${at}.${k}` : k);
  if (typeof key === "number") {
    const [oldArray, newArray] = [Array.isArray(deployed), Array.isArray(next)];
    if (!oldArray || !newArray) return !oldArray && !newArray ? keep : fail();
    const [a, b] = [deployed as unknown[], next as unknown[]];
    if (rest.length === 0 && key >= a.length && key >= b.length) return keep;
    if (key >= a.length || key >= b.length) return fail();
    const element = rest.length === 0 ? { value: a[key] } : resetPath(rest, a[key], b[key], step(key));
    return element.failure ? element : { value: b.map((v, i) => (i === key ? element.value : v)) };
  }
  if (key === "*") {
    if (rest.length === 0) {
      if (isObject(next)) return isObject(deployed) ? { value: { ...deployed } } : keep;
      if (!Array.isArray(next)) return fail();
      if (!Array.isArray(deployed)) return keep;
      return deployed.length !== next.length ? fail() : { value: [...deployed] };
    }
    if (isObject(deployed) && isObject(next)) {
      const value = { ...next };
      for (const k of Object.keys(deployed).filter((k) => present(deployed[k]))) {
        if (!present(next[k])) return fail();
        const element = resetPath(rest, deployed[k], next[k], step(k));
        if (element.failure) return element;
        value[k] = element.value;
      }
      return { value };
    }
    if (Array.isArray(deployed) && Array.isArray(next)) {
      if (deployed.length !== next.length) return fail();
      const value = [...next];
      for (let i = 0; i < deployed.length; i++) {
        const element = resetPath(rest, deployed[i], next[i], step(i));
        if (element.failure) return element;
        value[i] = element.value;
      }
      return { value };
    }
    return fail();
  }
  if (rest.length === 0) {
    if (isObject(deployed) && present(deployed[key])) return isObject(next) ? { value: { ...next, [key]: deployed[key] } } : fail();
    if (!isObject(next)) return keep;
    const value = { ...next };
    delete value[key];
    return { value };
  }
  if (!isObject(deployed) || !isObject(next)) return !isObject(deployed) && !isObject(next) ? keep : fail();
  const [hasOld, hasNew] = [present(deployed[key]), present(next[key])];
  if (hasOld && !hasNew) return { failure: { at: step(key), deployed: deployed[key], next: undefined } };
  if (!hasOld && !hasNew) return keep;
  const element = resetPath(rest, deployed[key], next[key], step(key));
  return element.failure ? element : { value: { ...next, [key]: element.value } };
}

/** A value's shape as TransitionIgnoredArrayResized says it: "has 2 elements", "is unset". */
function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return `has ${value.length} ${value.length === 1 ? "element" : "elements"}`;
  if (!present(value)) return "is unset";
  return isObject(value) ? "is an object" : "is a single value";
}

/**
 * The inputs a saved plan holds of `r` whole or by one field (`a`, `a.b`), or undefined when it holds all of them (a
 * recording, or a type saved whole). Not the shapes kept along ignoreChanges paths, which hold no values to compare.
 */
function heldInputs(r: RecordedResource): string[] | undefined {
  const saved = (r as SavedResource).savedInputs;
  return saved === undefined || saved.includes("*") ? undefined : saved.filter((spec) => !spec.includes("["));
}

/** Input `spec` of `inputs`: `a`, or field b of object input a for `a.b`. */
const inputAt = (inputs: Record<string, unknown>, spec: string): unknown => spec.split(".").reduce<any>((value, part) => value?.[part], inputs);

/**
 * Whether the deployed plan holds inputs of `r` to judge it by (the checks pass over a deployed resource it does not): a
 * saved plan's resource those it lists (`SavedResource.savedInputs`, set or unset: inputs `{}` with a list is each of
 * them unset), none where it lists none (a type whose inputs were not kept when the plan was saved, and what
 * readSavedPlan makes of a resource saved as `{}` before resources listed them: savedBefore gives `[]`, as `{}` there
 * cannot tell unset from not kept); a resource without the list (a recording) the inputs it has.
 */
function holdsInputs(r: RecordedResource): boolean {
  const saved = (r as SavedResource).savedInputs;
  return saved !== undefined ? saved.length > 0 : hasInputs(r);
}


const IGNORE_RESET_SOURCE = "pulumi sdk/go/common/resource/properties_path.go reset";
const CAPACITY_DOC = "docs/components/data-tier.md#capacity-of-a-provisioned-table-with-global-indexes";

/**
 * Whether keeping the deployed values by position (pulumi/pulumi#20465, Pulumi CLI 3.194.0) hands an element's ignored
 * values to another element: a position before the end of the shorter array holds another element in the new inputs
 * (by `name`, as a table's indexes). Appending, dropping the last elements, and an array set on one side only (the
 * program's array is taken, pulumi/pulumi#20278) keep every kept value on its own element. Elements without a name on
 * both sides (a saved plan keeps only the path's values of other types) cannot be matched: judged as shifted.
 */
function shiftsDeployedValues({ deployed, next }: ResetFailure): boolean {
  if (!Array.isArray(deployed) || !Array.isArray(next)) return false;
  const nameOf = (element: unknown) => (isObject(element) && typeof element.name === "string" ? element.name : undefined);
  for (let i = 0; i < Math.min(deployed.length, next.length); i++) {
    const [was, is] = [nameOf(deployed[i]), nameOf(next[i])];
    if (was === undefined || is === undefined || was !== is) return true;
  }
  return false;
}

/**
 * TransitionIgnoredArrayResized: a resource of both plans whose `ignoreChanges` holds a path through an array
 * (`globalSecondaryIndexes[*].readCapacity`, `ingress[*].cidrBlocks`, `items[0].x`) that the engine cannot reset,
 * because the array has another length in the new inputs than in the deployed ones (or is set on one side only), and
 * where keeping the deployed values by position hands an element's values to another (shiftsDeployedValues). Of any
 * type; a deployed resource whose saved plan does not hold the path's input is not judged.
 */
function ignoredArrayFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  for (const next of after) {
    const old = deployedByUrn.get(next.urn);
    if (!old || !holdsInputs(old) || !next.ignoreChanges?.length) continue;
    /** The failing paths by where they fail (one array), in order. */
    const failures = new Map<string, { paths: string[]; failure: ResetFailure }>();
    for (const entry of next.ignoreChanges) {
      const path = parsePropertyPath(entry);
      if (!path || !path.some((element) => element === "*" || typeof element === "number")) continue;
      if (!holds(old, String(path[0])) && !holds(old, entry)) continue;
      const { failure } = resetPath(path, old.inputs, next.inputs);
      if (!failure || !(Array.isArray(failure.deployed) || Array.isArray(failure.next))) continue;
      const where = `${failure.at} ${JSON.stringify([shapeOf(failure.deployed), shapeOf(failure.next)])}`;
      failures.set(where, { paths: [...(failures.get(where)?.paths ?? []), entry], failure });
    }
    // Pulumi CLI 3.194.0 and later, which docs/deploy-guide.md asks for, keep the deployed values by position: only an
    // element whose position now holds another element hands its values on.
    for (const [where, { failure }] of failures) if (!shiftsDeployedValues(failure)) failures.delete(where);
    if (failures.size === 0) continue;
    const what = [...failures.values()]
      .map(({ failure: { at, deployed: was, next: is } }) =>
        Array.isArray(was) && Array.isArray(is)
          ? `${at} has ${was.length} ${was.length === 1 ? "element" : "elements"} in the deployed inputs and ${is.length} in the new ones`
          : `${at} ${shapeOf(was)} in the deployed inputs and ${shapeOf(is)} in the new ones`,
      )
      .join("; ");
    const paths = [...failures.values()].flatMap((f) => f.paths);
    const table = next.type === TABLE;
    const versions = `from Pulumi CLI 3.194.0 (pulumi/pulumi#20465, released in v3.194.0, pulumi/docs#15919), which docs/deploy-guide.md asks for, the engine keeps the deployed values by position, so an element now at another element's position gets that element's kept values${table ? " (an index takes another index's capacity until autoscaling moves it)" : ""}; older CLIs stop the update ("cannot ignore changes to the following properties because one or more elements of the path are missing") or, with pulumi/pulumi#20278, send the new inputs there, undoing every value the path kept`;
    findings.push(
      finding(
        "TransitionIgnoredArrayResized",
        next,
        `ignores ${paths.join(", ")} (ignoreChanges), but ${what}. The engine resets each ignored property to its deployed value, element by element, and cannot follow an array that grows or shrinks (${IGNORE_RESET_SOURCE}: "If arrays are of different length then this is a path failure"): ${versions}`,
        table
          ? `1. pulumi refresh. 2. Raise capacity.<side>.min to at least the current capacity of the table and its indexes (aws dynamodb describe-table). 3. Make the index change and add, to the DataTier's options, transformations: [(r) => (r.type === "${TABLE}" && r.name === "${next.name}" ? { props: r.props, opts: { ...r.opts, ignoreChanges: [] } } : undefined)]; pulumi up. 4. Remove the transformation and restore min; pulumi up (${CAPACITY_DOC})`
          : `change the array in an update of its own that does not ignore it (a transformation that sets ignoreChanges: [] on ${next.name}, removed again in the next update), after pulumi refresh so the program's values are the live ones; or keep its length`,
        stack,
      ),
    );
  }
  return findings;
}

const TTL_DOC = "docs/components/data-tier.md#turning-ttl-off-moving-it";
const REKEY_DOC = "docs/components/data-tier.md#re-keying-a-global-table";
const ttlOf = (r: RecordedResource) => (isObject(r.inputs.ttl) ? { enabled: r.inputs.ttl.enabled === true, attribute: text(r.inputs.ttl.attributeName) } : undefined);
/** A replica's customer managed key; unset is the AWS managed key (the provider's read clears that one: table.go clearReplicaDefaultKeys). */
const replicaKey = (replica: Record<string, any>) => text(replica.kmsKeyArn);

/**
 * DynamoDB tables updated in place (a replaced one is TransitionStatefulReplaced's) with a change the provider cannot
 * make in one update: TTL moved to another attribute while it is on (TransitionTtlAttributeMoved), on-demand switched to
 * provisioned while the indexes' capacities are ignored (TransitionBillingToProvisioned), a replica's KMS key changed
 * (TransitionReplicaRekeyed). Each input is judged only when the deployed plan holds it.
 */
function tableUpdateFindings(tables: readonly TablePair[], stack: string | undefined): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  for (const [old, table, program] of tables) {
    const label = `DynamoDB table ${table.name}`;

    // table.go resourceTableUpdate: `if d.HasChange("ttl")`, updateTimeToLive sends one UpdateTimeToLive with the new
    // attribute_name and enabled. A missing ttl block is no change (DiffSuppressFunc SuppressMissingOptionalConfigurationBlock).
    const [was, is] = [ttlOf(old), ttlOf(table)];
    if (holds(old, "ttl") && was?.enabled && was.attribute && is?.attribute && is.attribute !== was.attribute) {
      findings.push(
        finding(
          "TransitionTtlAttributeMoved",
          table,
          is.enabled
            ? // "AWS allows TTL on only one attribute and rejects enabling it on a new attribute while TTL is still active on
              // the old one (`TimeToLive is active on a different AttributeName`)", go-to-k/cdkd#932, which also leaves
              // enabling after a disable (even on a new attribute) alone; the one-hour rule is API_UpdateTimeToLive's.
              `moves the TTL of ${label} from attribute ${was.attribute}, on which the deployed plan has it enabled, to ${is.attribute} in one update. The provider sends one UpdateTimeToLive { AttributeName: "${is.attribute}", Enabled: true } (terraform-provider-aws dynamodb/table.go updateTimeToLive), and DynamoDB keeps TTL on one attribute and refuses to enable it on another while it is on ("TimeToLive is active on a different AttributeName", go-to-k/cdkd#932); turning it off first cannot be done in the same update either: "It can take up to one hour for the change to fully process. Any additional UpdateTimeToLive calls for the same table during this one hour duration result in a ValidationException" (UpdateTimeToLive). The update stops at the table`
            : `turns the TTL of ${label} off naming attribute ${is.attribute}, while the deployed plan has it enabled on ${was.attribute}: the provider sends UpdateTimeToLive { AttributeName: "${is.attribute}", Enabled: false } (terraform-provider-aws dynamodb/table.go updateTimeToLive). DynamoDB turns TTL off by the attribute it is on; that it refuses another attribute, as it refuses enabling one ("TimeToLive is active on a different AttributeName", go-to-k/cdkd#932), is inferred, not confirmed. If it does, the update stops at the table; if not, TTL stays on ${was.attribute}`,
          `1. ttlEnabled: false with ttlAttribute still "${was.attribute}"; pulumi up. 2. Wait at least one hour (any TTL change to the table meanwhile fails the same way). 3. ttlAttribute: "${is.attribute}" without ttlEnabled: false; pulumi up. For an aws.dynamodb.Table: ttl: { enabled: false, attributeName: "${was.attribute}" }, then ttl: { enabled: true, attributeName: "${is.attribute}" }. Items expire by the new attribute only once they carry it: write both attributes from before step 1 (${TTL_DOC})`,
          stack,
        ),
      );
    }

    // Pulumi resets each ignored capacity to the deployed value and deletes one the deployed (on-demand) inputs lack
    // ("If the path doesn't exist in old then we want to delete it from new", properties_path.go reset). The provider
    // fills the table's own missing capacity on this switch (expandProvisionedThroughputField: "Switching from billing
    // mode … without value for %[1]s. Assuming changes are being ignored."), not the indexes': resourceTableUpdate
    // "Must update all indexes when switching BillingMode from PAY_PER_REQUEST to PROVISIONED", and updateDiffGSI
    // checks each index with validateGSIProvisionedThroughput. UpdateTable, BillingMode: "When switching from
    // pay-per-request to provisioned capacity, initial provisioned capacity values must be set". What the reset drops is
    // read from the program's capacities (`program`), which the diffed inputs no longer hold.
    const newBilling = text(table.inputs.billingMode) ?? "PROVISIONED";
    if (holds(old, "billingMode") && holds(old, "globalSecondaryIndexes") && old.inputs.billingMode === "PAY_PER_REQUEST" && newBilling === "PROVISIONED") {
      const [oldIndexes, newIndexes] = [asArray(old.inputs.globalSecondaryIndexes), asArray(program.inputs.globalSecondaryIndexes)];
      const ignoring = new Set<string>();
      const dropped = new Set<string>();
      for (let i = 0; i < Math.min(oldIndexes.length, newIndexes.length); i++) {
        for (const side of ["readCapacity", "writeCapacity"]) {
          const by = ignoredBy(table, ["globalSecondaryIndexes", i, side]);
          if (by.length === 0 || present(oldIndexes[i]?.[side]) || !present(newIndexes[i]?.[side])) continue;
          by.forEach((entry) => ignoring.add(entry));
          dropped.add(String(newIndexes[i]?.name ?? `#${i}`));
        }
      }
      if (dropped.size > 0) {
        const names = [...dropped];
        findings.push(
          finding(
            "TransitionBillingToProvisioned",
            table,
            `switches ${label} from PAY_PER_REQUEST to PROVISIONED billing while its ignoreChanges holds ${[...ignoring].join(", ")}, which the deployed (on-demand) inputs lack for ${names.length === 1 ? "index" : "indexes"} ${names.join(", ")}. The engine resets an ignored property to its deployed value and deletes one the deployed inputs lack ("If the path doesn't exist in old then we want to delete it from new", ${IGNORE_RESET_SOURCE}), so the update carries no capacity for ${names.length === 1 ? "that index" : "those indexes"}; the provider fills only the table's own ("Assuming changes are being ignored", table.go expandProvisionedThroughputField). But the switching call needs them: "When switching from pay-per-request to provisioned capacity, initial provisioned capacity values must be set" (UpdateTable, BillingMode), and the provider sends the indexes' capacities in it ("Must update all indexes when switching BillingMode from PAY_PER_REQUEST to PROVISIONED", table.go resourceTableUpdate), checking each (validateGSIProvisionedThroughput: "read and write capacity should be set when billing mode is PROVISIONED"). Whether the provider's check or DynamoDB answers first is not confirmed; either way the update stops at the table`,
            `1. pulumi refresh. 2. Make the change (billing: "provisioned" with capacity) and add, to the DataTier's options, transformations: [(r) => (r.type === "${TABLE}" && r.name === "${table.name}" ? { props: r.props, opts: { ...r.opts, ignoreChanges: [] } } : undefined)]; pulumi up: the table and each index are set to capacity.<side>.min. 3. Remove the transformation; pulumi up: autoscaling owns the capacities again (${CAPACITY_DOC})`,
            stack,
          ),
        );
      }
    }

    // table.go updateReplica, for a replica of the same region_name in the old and new sets: `// like "ForceNew" for the
    // replica - KMS change` → toRemove and toAdd, then deleteReplicas (a ReplicaUpdates Delete) and createReplicas.
    if (holds(old, "replicas")) {
      const newReplicas = replicasOf(table);
      const rekeyed = replicasOf(old).flatMap((replica) => {
        const index = newReplicas.findIndex((r) => r.regionName === replica.regionName);
        if (index < 0 || replicaKey(replica) === replicaKey(newReplicas[index])) return [];
        return [{ region: String(replica.regionName), from: replicaKey(replica), to: replicaKey(newReplicas[index]), protectedReplica: replica.deletionProtectionEnabled === true }];
      });
      if (rekeyed.length > 0) {
        const regions = rekeyed.map((r) => r.region);
        const one = rekeyed.length === 1;
        const keys = rekeyed.map((r) => `${r.region} (${r.from ?? "the AWS managed key"} → ${r.to ?? "the AWS managed key"})`).join(", ");
        const protectedRegions = rekeyed.filter((r) => r.protectedReplica).map((r) => r.region);
        const outcome =
          protectedRegions.length > 0
            ? `${protectedRegions.join(", ")} ${protectedRegions.length === 1 ? "has" : "have"} deletion protection (replicas[].deletionProtectionEnabled), and the provider never turns it off before that delete; that DynamoDB then refuses it is inferred, not confirmed (as for TransitionProtectedReplicaRemoved). If it refuses, the update stops after the table itself was re-keyed`
            : `${regions.join(", ")} ${one ? "has" : "have"} no table until the new replica has copied the whole table: requests served there fail meanwhile`;
        findings.push(
          finding(
            "TransitionReplicaRekeyed",
            table,
            `changes the KMS key of the ${one ? "replica" : "replicas"} of ${label} in ${keys}. The provider cannot re-key a replica in place: terraform-provider-aws dynamodb/table.go updateReplica treats it, as its comment says, like "ForceNew" for the replica - KMS change: it deletes the replica (ReplicaUpdates Delete), then creates it again with the new key. ${outcome}`,
            `1. Take ${regions.join(", ")} out of service (in the reference app, out of regions: docs/multi-region.md). 2. With deletionProtection: true, set it to false; pulumi up. 3. Remove the replicas (replicaRegions: [] and replicaKmsKeyArns removed), with the stream kept on (stream: "NEW_AND_OLD_IMAGES"); pulumi up. 4. Set or change kmsKeyArn; pulumi up. 5. Add the replicas back with replicaKmsKeyArns and restore deletionProtection; pulumi up, and put the ${one ? "region" : "regions"} back in service once each replica is ACTIVE (${REKEY_DOC}: re-key with no replicas)`,
            stack,
          ),
        );
      }
    }
  }
  return findings;
}

/** Whether a user pool's `lambdaConfig` names a pre token generation trigger (the flat ARN, or the versioned block). */
const hasPreTokenTrigger = (lambdaConfig: any): boolean => Boolean(lambdaConfig?.preTokenGeneration || lambdaConfig?.preTokenGenerationConfig?.lambdaArn);

/**
 * A user pool whose pre token generation trigger the update removes while its `lambdaConfig` keeps another trigger.
 * terraform-provider-aws marks both `lambda_config.pre_token_generation` and `pre_token_generation_config` Optional and
 * Computed (internal/service/cognitoidp/user_pool.go), so a config without them keeps the deployed values, and the
 * update sends the trigger again: "when I remove the `pre_token_generation_config` block from inside the
 * `lambda_config` block … no changes are detected" (hashicorp/terraform-provider-aws#38617). The pool goes on naming the
 * function the same update deletes, and Cognito fails every sign-in that reaches the trigger. Removing every trigger at
 * once leaves the block out, which UpdateUserPool takes as no triggers.
 */
function preTokenTriggerKeptFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const pool of ofType(after, USER_POOL)) {
    const old = deployedByUrn.get(pool.urn);
    if (!old || !holds(old, "lambdaConfig") || !hasPreTokenTrigger(old.inputs.lambdaConfig)) continue;
    const next = pool.inputs.lambdaConfig;
    const othersStay = next !== undefined && next !== null && Object.values(next).some((v) => v !== undefined && v !== null && v !== "");
    if (!othersStay || hasPreTokenTrigger(next)) continue;
    findings.push(
      finding(
        "TransitionPreTokenTriggerKept",
        pool,
        `removes the pre token generation trigger of user pool ${pool.name} while other triggers stay. The provider keeps its deployed value (lambda_config.pre_token_generation and pre_token_generation_config are Optional and Computed, terraform-provider-aws#38617) and sends it again, so the pool goes on naming the function this update deletes, and sign-ins fail`,
        "two updates: 1. remove every trigger of the pool (its lambdaConfig is then left out, which clears them all); pulumi up. 2. add back the triggers that stay; pulumi up. Or keep the pre token generation trigger, as a function that returns the event unchanged",
        stack,
      ),
    );
  }
  return findings;
}

/** Fields of a user pool `schemas` entry as the provider's set compares them (unset = its zero value). */
const SCHEMA_FLAGS = ["developerOnlyAttribute", "mutable", "required"] as const;
const SCHEMA_CONSTRAINTS = { numberAttributeConstraints: ["minValue", "maxValue"], stringAttributeConstraints: ["minLength", "maxLength"] } as const;

/** A `schemas` entry as the provider's set element: every field, unset booleans false, unset strings empty. */
function schemaEntry(entry: any): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = { name: String(entry?.name ?? ""), attributeDataType: String(entry?.attributeDataType ?? "") };
  for (const flag of SCHEMA_FLAGS) out[flag] = entry?.[flag] === true;
  for (const [block, fields] of Object.entries(SCHEMA_CONSTRAINTS)) {
    for (const field of fields) out[`${block}.${field}`] = entry?.[block]?.[field] === undefined || entry?.[block]?.[field] === null ? "" : String(entry[block][field]);
  }
  return out;
}

/**
 * A user pool kept (updated in place, not replaced) whose deployed `schemas` entries are not all in the next plan:
 * one removed, or changed in any field (a changed entry is a removal plus an addition in the provider's set).
 * terraform-provider-aws internal/service/cognitoidp/user_pool.go `resourceUserPoolUpdate`: `if
 * os.Difference(ns).Len() == 0` it calls AddCustomAttributes with the new entries, else it returns "updating Cognito
 * User Pool (…): cannot modify or remove schema items" (its acceptance tests TestAccCognitoIDPUserPool_schemaAttributesRemoved
 * and _schemaAttributesModified expect that error; hashicorp/terraform-provider-aws#21654). `schema` is a set, Optional,
 * not ForceNew and not Computed, so the plan shows an in-place update that fails at `pulumi up`, after the resources
 * updated before the pool. Additions pass (AddCustomAttributes). A pool the update replaces (TransitionStatefulReplaced
 * judges that), one whose deployed plan does not hold `schemas` (saved before it was kept), or one ignoring `schemas`
 * is not judged.
 */
function userPoolSchemaFindings(deployed: Graph, after: Graph, replaced: (pool: RecordedResource) => boolean, stack: string | undefined): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const pool of ofType(after, USER_POOL)) {
    const old = deployedByUrn.get(pool.urn);
    if (!old || !holdsInputs(old) || !holds(old, "schemas") || replaced(pool) || ignoredBy(pool, ["schemas"]).length > 0) continue;
    const next = ((pool.inputs.schemas ?? []) as any[]).map(schemaEntry);
    const key = (entry: Record<string, unknown>) => JSON.stringify(entry);
    const nextKeys = new Set(next.map(key));
    for (const was of ((old.inputs.schemas ?? []) as any[]).map(schemaEntry)) {
      if (nextKeys.has(key(was))) continue;
      const now = next.find((entry) => entry.name === was.name);
      const changes = now
        ? Object.keys(was).filter((field) => was[field] !== now[field]).map((field) => `${field} ${JSON.stringify(was[field])} → ${JSON.stringify(now[field])}`).join(", ")
        : undefined;
      findings.push(
        finding(
          "TransitionUserPoolSchemaChanged",
          pool,
          `${now ? `changes schemas entry "${was.name}" (${changes})` : `removes schemas entry "${was.name}"`} of user pool ${pool.name}, which the update keeps. The provider only adds attributes to an existing pool (AddCustomAttributes) and otherwise fails the update with "cannot modify or remove schema items" (terraform-provider-aws cognitoidp/user_pool.go resourceUserPoolUpdate); Cognito cannot change or remove a pool's attributes`,
          `keep the deployed entry as it is${now ? "" : " (in the program, even if unused)"}; add a new custom attribute for a new shape instead, or move the users to a new pool (a new resource name, with an export and import of the users)`,
          stack,
        ),
      );
    }
  }
  return findings;
}

/** A REST API's endpoint types as a list: pulumi-aws 7 takes one string (`types: "REGIONAL"`), older programs a list. */
const endpointTypes = (r: RecordedResource): unknown[] => [r.inputs.endpointConfiguration?.types ?? []].flat();

/**
 * A REST API updated in place from PRIVATE to EDGE. The provider patches the endpoint type in place (terraform-provider-aws
 * apigateway/rest_api.go resourceRestAPIUpdate: `d.HasChange("endpoint_configuration.0.types")` → a replace of
 * /endpointConfiguration/types/0; not ForceNew), and API Gateway supports "From private to Regional" but "You cannot
 * change a private API into an edge-optimized API" (apigateway-api-migration.html), so UpdateRestApi is refused. An API
 * whose deployed plan does not hold its endpoint type (saved before it was kept), or that ignores it, is not judged.
 */
function restApiEndpointFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const api of ofType(after, REST_API)) {
    const old = deployedByUrn.get(api.urn);
    if (!old || !holds(old, "endpointConfiguration.types") || ignoredBy(api, ["endpointConfiguration", "types"]).length > 0) continue;
    if (!endpointTypes(old).includes("PRIVATE") || !endpointTypes(api).includes("EDGE")) continue;
    findings.push(
      finding(
        "TransitionRestApiEndpointType",
        api,
        `changes the endpoint type of REST API ${api.name} from PRIVATE to EDGE in one update. The provider patches the type in place (terraform-provider-aws apigateway/rest_api.go resourceRestAPIUpdate), and API Gateway supports "From private to Regional" but "You cannot change a private API into an edge-optimized API" (apigateway-api-migration.html): UpdateRestApi is refused, and the update stops at the API`,
        `two updates: 1. endpointType "REGIONAL" (the reference app: apiEndpointType); pulumi up. 2. Once that change has completed ("The endpoint type cannot be changed again until the current change is completed"), endpointType "EDGE"; pulumi up`,
        stack,
      ),
    );
  }
  return findings;
}

/**
 * A policy resource of the deployed plan that the update deletes (removed from the program, renamed without aliases, or
 * replaced create-first: because its reference to its resource changed, as POLICY_WRITER_DELETES says, or for
 * replaceOnChanges) while the plan gives the document of the resource it wrote to a writer: the resource's own `policy`
 * (a REST API's OpenAPI body), another policy resource, or its own new copy. Pulumi deletes removed resources, and the
 * old copies of replaced ones, at the end of the update, after every create and update ("pulumi first creates all new
 * resources and schedules the deletion of resources at the very end", pulumi/pulumi#9979), and the delete empties the
 * document (POLICY_WRITER_DELETES), so it removes what the new writer has just written; Pulumi does not refresh, so
 * nothing puts it back. The writers are read as the one-writer rules read them (onePolicyTargets). The delete acts on
 * the resource the provider's state names (the deployed reference), so a deployed target is the next plan's when their
 * keys meet (policyTargetKeys: the deployed holder's identities, or its writers' normalised reference, in its region):
 * a holder the update replaces under a new name keeps its URN but not its identities, and the old writer's delete then
 * empties the old resource, which the update deletes anyway. A REST API whose body only clears the policy
 * (restApiPolicyWrite "clears") writes no document to lose; a protected policy resource is not deleted (the engine
 * refuses the delete and the update fails there). A policy resource replaced for its replaceWith (replacements.ts:
 * `replacedWith`) is replaced create-first as any other, unless a resource it names there is replaced delete-first
 * (cascadedBy). deleteBeforeReplace on a replaced writer helps only where its own new copy is the one new writer; with
 * another, its old copy's delete is still not ordered after that writer's write. Whether a resource named there is
 * replaced delete-first is read from every table that knows its type (replacementKindOf: a bucket or secret named by
 * hand is). A holder the update replaces, of a
 * type the transition checks judge (the stateful and named types: a bucket, a secret, a table, whose policies are read
 * with the table as holder, DYNAMODB_TABLE_POLICY_TARGETS; and replacements.ts POLICY_HOLDER_TYPES: a topic, a KMS key,
 * an ECR repository, a data stream, a backup vault; holderReplaced): under a new name, or as a KMS key under the new id CreateKey gives it, the old
 * writers' deletes act on the old holder, though the mocked plans give both the same id; delete-first
 * under its name, the writers a delete-before-replace branch deletes before the holder registers (its own branch, by the
 * recorded property dependencies, or one whose root the holder waits for: CascadeOrder.inBranchOf) are gone before the new holder exists, and
 * only the others' deletes reach it. Besides the references, a saved plan gives this
 * rule each resource's dependencies, propertyDependencies, replaceWith and deleteBeforeReplace (toSavedPlan keeps them).
 * Not seen: a holder of another type (a stream consumer, a replica or external key, an event bus, a function)
 * replaced under a new name the mocked id does not show.
 */
function policyWriterDeletedFindings(
  deployed: Graph,
  after: Graph,
  regions: StackRegions,
  stack: string | undefined,
  replacedWith: ReadonlyMap<string, readonly string[]>,
  order: CascadeOrder,
  diffedOf: ReadonlyMap<string, RecordedResource>,
  statefulChangesOf: ReadonlyMap<string, string[]>,
  update: UpdateJudgement,
): TransitionFinding[] {
  // A kind the deployed plan holds no policy resource of deletes none: its one-writer lookup (several scans of each
  // plan) is skipped, and a plan with none indexes nothing.
  const deployedTypes = new Set(deployed.map((r) => r.type));
  const kinds = POLICY_WRITER_DELETES.filter((kind) => deployedTypes.has(kind.type));
  if (kinds.length === 0) return [];
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const afterUrns = new Set(afterByUrn.keys());
  // Each plan read under its own stack region: a holder of the default provider moves with it.
  const [deployedContext, nextContext]: DeployRuleContext[] = [regions.deployed, regions.next].map((region) => ({ stack: stack ?? "", production: false, region }));
  const describe = (writer: RecordedResource, holder: RecordedResource | undefined) =>
    writer !== holder ? writer.name : writer.type === REST_API && restApiPolicyWrite(writer) === "body" ? `${writer.name}'s OpenAPI body (x-amazon-apigateway-policy)` : `${writer.name}'s own \`policy\``;
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  // A writer the engine replaces for its replaceWith (replacements.ts), create-first: the replaced resources it names
  // there that are replaced create-first themselves. One replaced delete-first (replacedDeleteFirst) has the engine
  // delete, before it, every resource whose replaceWith names it (step_generator.go findDependentCascadeReplacements, in
  // the delete-before-replace branch): that delete runs before any new writer writes. A target is read as the provider
  // is sent it (ignoreChanges reset), as the rest of the checks read it.
  const cascadedBy = (copy: RecordedResource): string[] => {
    const by = (replacedWith.get(copy.urn) ?? []).map((urn) => afterByUrn.get(urn));
    if (by.length === 0 || by.some((r) => !r) || order.early.has(copy.urn)) return [];
    return [cascadeLabel(replacedWith, afterByUrn, copy.urn)];
  };
  // How the update replaces a deployed holder of a type the transition checks judge (the stateful and named types, and
  // replacements.ts POLICY_HOLDER_TYPES, read as the engine diffs them: asDiffed), if it does: under a new name whenever
  // the bridge draws one (its AutoName field not set by hand), deleteBeforeReplace or not, and always for a type whose
  // identity AWS draws (`drawsIdentity`: a KMS key); else delete-first under its name (the name set by hand, or
  // deleteBeforeReplace on a type without an AutoName field). A recording without inputs, or a saved plan without them,
  // is not judged. The mocked plans give an autonamed holder the same id on both sides, so only this says that its
  // replacement is another resource. Not seen: a stack whose `pulumi:autonaming` config draws no random part, which
  // replaces an autonamed resource delete-first under the same name.
  const holderReplaced = (holder: RecordedResource | undefined): "new name" | "delete-first" | undefined => {
    const next = holder && afterByUrn.get(holder.urn);
    const holderKind = holder && (transitionKindOf(holder.type) ?? policyHolderTypeOf(holder.type));
    if (!holder || !next || !holderKind || !holdsInputs(holder)) return undefined;
    const diffed = diffedOf.get(holder.urn) ?? asDiffed(holderKind, holder, next);
    if ((statefulChangesOf.get(diffed.urn) ?? replaceReasons(holderKind, holder, diffed)).length === 0) return undefined;
    if (holderKind.autonameField !== undefined ? !namedByHand(holderKind, diffed) : "drawsIdentity" in holderKind && holderKind.drawsIdentity === true) return "new name";
    return replacementDeletesFirst(order.early, holderKind, holder, diffed, replacedWith) ? "delete-first" : undefined;
  };
  const findings: TransitionFinding[] = [];
  for (const kind of kinds) {
    const targetsOf = kind.targets ?? onePolicyTargets(kind.rule);
    const [field] = kind.kept;
    const replacing: ReplaceRule = { type: kind.type, replaceOn: kind.replacedOnMove ? [...(kind.replaceOn ?? [field])] : [] };
    // Why the update replaces a deployed writer (its old copy deleted): its reference if ForceNew, replaceOnChanges, as the
    // engine diffs it (ignoreChanges reset), or its replaceWith. With deleteBeforeReplace it is still judged: the delete
    // then comes before its own new copy writes, but not after another writer's write (below).
    const replacedBy = (w: RecordedResource, copy: RecordedResource) => [...replaceReasons(replacing, w, asDiffed(replacing, w, copy)), ...cascadedBy(copy)];
    // The deployed writers the update deletes after every create and update, by the deployed target they wrote.
    const candidates = targetsOf(deployed, deployedContext).flatMap((old) => {
      const deleted = old.writers.flatMap((w) => {
        // Not deleted: retained, or removed deletedWith a target the update removes or replaces (deleteSkipped, planUpdate's judgement).
        if (w.type !== kind.type || w.protect || deleteSkipped(w, afterUrns, update) || kind.keeps?.(w)) return [];
        const copy = afterByUrn.get(w.urn);
        const reasons = copy ? replacedBy(w, copy) : [];
        return !copy || reasons.length > 0 ? [{ writer: w, reasons }] : [];
      });
      return deleted.length > 0 ? [{ old, deleted }] : [];
    });
    // Most updates delete no policy resource: the next plan's targets are read, and indexed, only when one does.
    if (candidates.length === 0) continue;
    const nextByKey = new Map<string, PolicyTarget[]>();
    for (const next of targetsOf(after, nextContext)) {
      for (const key of policyTargetKeys(after, nextContext, next)) {
        const same = nextByKey.get(key);
        if (same) same.push(next);
        else nextByKey.set(key, [next]);
      }
    }
    for (const { old, deleted: deletes } of candidates) {
      const replacement = holderReplaced(old.holder);
      // Replaced under a new name, the holder the old writers' deletes act on is the old one, itself deleted.
      if (replacement === "new name") continue;
      // Replaced delete-first, under its name: a writer deleted in its branch (calculateDependentReplacements) or in one
      // whose root the holder waits for (order.inBranchOf) is gone before the new holder exists, so before any new writer
      // writes; the other writers' deletes come later (at the end, or in another branch, beside or after the holder's
      // create), and act on the new holder of that name.
      const deleted = replacement === "delete-first" ? deletes.filter(({ writer }) => !order.inBranchOf(writer.urn, old.holder!.urn)) : deletes;
      // The old writers' deletes act on the deployed resource (the provider's state), named by the deployed target's keys.
      const nexts = new Set(policyTargetKeys(deployed, deployedContext, old).flatMap((key) => nextByKey.get(key) ?? []));
      for (const next of nexts) {
        const writers = next.writers.filter((w) => w.type !== REST_API || restApiPolicyWrite(w) !== "clears");
        if (writers.length === 0) continue;
        const by = writers.map((w) => describe(w, next.holder)).join(", ");
        // deleteBeforeReplace orders the old copy's delete before its own new copy's create only: the engine deletes it
        // when the new copy registers (step_generator.go, the delete-before-replace branch), which nothing orders after
        // another writer's write (the new copy depends on its new target alone) unless that writer waits for the new
        // copy: it registers once the new copy's registration answers, after the whole chain (the delete, then the
        // create: step_executor.go runs a registration's steps as one chain). So it is offered where the one new writer
        // is the writer's own new copy, and otherwise the other writers are offered a dependsOn on it.
        for (const { writer, reasons } of deleted) {
          const copy = afterByUrn.get(writer.urn);
          const ownOnly = writers.every((w) => w.urn === writer.urn);
          // Deleted first as well when its replaceWith target is replaced delete-first (deletedFirst: that branch deletes it
          // before the target, and its new copy is created after).
          const first = copy !== undefined && deletedFirst(order, diffedOf.get(copy.urn) ?? copy);
          // Its old copy deleted before its new copy is created: with deleteBeforeReplace, in the new copy's own chain (the
          // delete, then the create); deleted early, in another resource's branch, only when the new copy waits for that
          // branch's root (order.inBranchOf): else it is re-created ("Case 1: recreating") in a chain of its own, which
          // step_executor.go runs beside that branch's (taken as after the delete, as inBranchOf takes any such race).
          const beforeOwnCreate = first && (!order.early.has(writer.urn) || order.inBranchOf(writer.urn, writer.urn));
          // Deleted before every new writer writes, nothing deletes the document after: its own new copy is created after
          // it (beforeOwnCreate), and another writer writes at its registration, after the branch that deletes the old
          // writer when that is the writer's own branch or one whose root it waits for (order.inBranchOf, as for the holder),
          // or after the new copy it waits for, when that copy is created after the delete.
          const writesAfterDelete = (w: RecordedResource) => (w.urn === writer.urn ? beforeOwnCreate : order.inBranchOf(writer.urn, w.urn) || (beforeOwnCreate && order.waitsOn(w.urn, writer.urn)));
          if (writers.every(writesAfterDelete)) continue;
          const refusal = kind.refused?.(writer);
          const branch = order.branchOf(writer.urn);
          const when = !copy
            ? branch !== undefined
              ? `Pulumi deletes it in the delete-before-replace branch of ${afterByUrn.get(branch)?.name ?? branch} (replaced delete-first), which nothing orders after ${by} writes the document`
              : `Pulumi deletes removed resources at the end of the update, after ${by} has written the document`
            : first
              ? order.early.has(copy.urn)
                ? `deleted first (${deletedFirstBecause(order, replacedWith, afterByUrn, copy.urn)}), Pulumi deletes the old copy before that target's old copy, which nothing orders after ${by} writes the document`
                : `with deleteBeforeReplace, Pulumi deletes the old copy when ${writer.name}'s new copy registers, which nothing orders after ${by} writes the document`
              : `Pulumi deletes old copies at the end of the update, after ${by} has written the document`;
          findings.push(
            finding(
              "TransitionPolicyWriterDeleted",
              writer,
              `${copy ? `is replaced (${reasons.join(", ")}) and its old copy deleted` : "is deleted"} by this update, which gives the ${kind.policy} of ${next.target} to ${by}: ${when}, and the delete ${refusal ?? `calls ${kind.deletes}, so ${next.target} is left ${kind.left}. Pulumi does not refresh, so nothing puts the document back`}`,
              `first deploy ${writer.name} with retainOnDelete: true and nothing else changed (the engine skips the delete of a resource deployed retained), then make this change${!copy ? `; or, if ${by} is ${writer.name} renamed, give it aliases: ["${writer.urn}"]${branch !== undefined ? `; or make ${writers.filter((w) => !order.inBranchOf(writer.urn, w.urn)).map((w) => w.name).join(", ")} wait for ${afterByUrn.get(branch)?.name ?? branch} (dependsOn), so that it writes after that branch deletes ${writer.name}` : ""}` : order.early.has(writer.urn) && branch !== undefined ? `; or make ${writers.filter((w) => !order.inBranchOf(writer.urn, w.urn)).map((w) => w.name).join(", ")} wait for ${afterByUrn.get(branch)?.name ?? branch} (dependsOn), so that it writes after that branch deletes ${writer.name}'s old copy` : ownOnly ? `; or give ${writer.name} deleteBeforeReplace: true, so that its old copy is deleted before its new copy is created (${next.target} is without the document between the two)` : first ? `; or make ${writers.filter((w) => !writesAfterDelete(w)).map((w) => w.name).join(", ")} wait for ${writer.name} (dependsOn), so that it writes after ${writer.name}'s old copy is deleted` : ""}`,
              stack,
            ),
          );
        }
      }
    }
  }
  return findings;
}

/**
 * ForceNew references of types no table of the transition checks holds, for forcedFrom: of those that commonly sit
 * between a holder and its policy resource (a policy's `bucket` taken from a public access block's output:
 * terraform-provider-aws s3/bucket_public_access_block.go, `bucket` Required and ForceNew), of a REST API's methods
 * and responses, and of the sub-resources the components create that take another resource's output in a ForceNew input
 * (a role's policies, a bucket's configurations, a function's alias, a pool's groups, a bus's rules and targets, …).
 * Every ForceNew input is listed, not only the reference, as the engine passes each input taken from the branch's
 * resource to the provider's Diff unknown; an input updated in place is left out (it never deletes the dependent early).
 * Keys are Pulumi input names (@pulumi/aws's `<Type>Args`), which are not always the provider's camel-cased argument
 * (a metric alarm's alarm_name is `name`); a name no Args declares never matches a recorded input.
 */
export const DEPENDENT_FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
  // A REST method's, method response's and integration response's key: rest_api_id, resource_id and http_method are
  // their ForceNew inputs (terraform-provider-aws apigateway/method.go, method_response.go, integration_response.go;
  // transition-rest-method.ts), so a method replaced delete-first takes its responses first.
  [METHOD]: ["restApi", "resourceId", "httpMethod"],
  [METHOD_RESPONSE]: ["restApi", "resourceId", "httpMethod"],
  [INTEGRATION_RESPONSE]: ["restApi", "resourceId", "httpMethod"],
  // A REST integration's key and its credentials (a role ARN): rest_api_id, resource_id, http_method, type,
  // credentials, integration_http_method and passthrough_behavior are ForceNew (terraform-provider-aws
  // apigateway/integration.go; uri is updated in place), so a method's integration goes with a REST API, resource or
  // role replaced delete-first.
  [INTEGRATION]: ["restApi", "resourceId", "httpMethod", "type", "credentials", "integrationHttpMethod", "passthroughBehavior"],
  // A user pool client's pool: user_pool_id and generate_secret are RequiresReplace (terraform-provider-aws
  // cognitoidp/user_pool_client.go, a framework resource), so UserAuth's client goes with a pool replaced delete-first.
  "aws:cognito/userPoolClient:UserPoolClient": ["userPoolId", "generateSecret"],
  // A Lambda permission has no Update: every argument is ForceNew (terraform-provider-aws lambda/permission.go: function_name,
  // statement_id, principal, source_arn, qualifier, …), so one takes the function or source it names.
  "aws:lambda/permission:Permission": ["*"],
  // IAM: an inline role policy's role, name and name_prefix are ForceNew, its policy is a PutRolePolicy in place
  // (iam/role_policy.go, read at 02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07); a managed policy attachment has no Update:
  // role and policy_arn are Required and ForceNew (iam/role_policy_attachment.go, read at
  // 04c79849dbe7fbe76c3054b364357bcdaade9ac5). So both go with a role (or an attached policy) replaced delete-first.
  "aws:iam/rolePolicy:RolePolicy": ["role", "name", "namePrefix"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  // A certificate validation has no Update: certificate_arn (Required) and validation_record_fqdns (Optional, a set)
  // are ForceNew (acm/certificate_validation.go, read at 004eea7f9b6658d88d652e89e10c7520a10ad6b8), so it goes with a
  // certificate or a validation record replaced delete-first.
  "aws:acm/certificateValidation:CertificateValidation": ["certificateArn", "validationRecordFqdns"],
  // S3 bucket configurations other than the named types' (CORS, notification, replication) and the public access
  // block: bucket (Required) and expected_bucket_owner (Optional) are ForceNew, the configuration itself is put in place:
  // s3/bucket_ownership_controls.go (bucket only, read at 01c08000ddb14181b5bd19201d8fca311dc570e4),
  // bucket_versioning.go (at 01c08000…; mfa is not ForceNew), bucket_server_side_encryption_configuration.go and
  // bucket_lifecycle_configuration.go (at 01606926a0c0ab9174aec440f976a48b0baee722; the lifecycle one a framework
  // resource, RequiresReplace on both), bucket_logging.go (at 01f431114674c27cf790fafb67ac274bf8f765e1; target_bucket
  // and target_prefix are updated in place), bucket_website_configuration.go (at 013f1736b90439e5a19567a87d3e5cd11858c420).
  // pulumi-aws 7 keeps the V2 tokens of the same provider resources beside the new ones.
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
  ...Object.fromEntries(
    ["Versioning", "ServerSideEncryptionConfiguration", "LifecycleConfiguration", "Logging", "WebsiteConfiguration"].flatMap((kind) => [
      [`aws:s3/bucket${kind}:Bucket${kind}`, ["bucket", "expectedBucketOwner"]],
      [`aws:s3/bucket${kind}V2:Bucket${kind}V2`, ["bucket", "expectedBucketOwner"]],
    ]),
  ),
  // The V2 token of the CORS configuration (the other is a named type, which carries its replaceOn).
  "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2": ["bucket", "expectedBucketOwner"],
  // Lambda: an alias's function_name and name are ForceNew, function_version and routing_config an UpdateAlias
  // (lambda/alias.go, read at 029aff97f173b9de0ee3dfda29c2ef6d2833bb12); an event invoke config's function_name and
  // qualifier are ForceNew, its destinations and retries put in place (lambda/function_event_invoke_config.go, read at
  // 01606926a0c0ab9174aec440f976a48b0baee722).
  "aws:lambda/alias:Alias": ["functionName", "name"],
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": ["functionName", "qualifier"],
  // Cognito: a group's name and user_pool_id are ForceNew, description, precedence and role_arn an UpdateGroup
  // (cognitoidp/user_group.go, read at 0389eecfc28a5e2ac619651541a16d7fc289abf6); a resource server's identifier, name
  // and user_pool_id are ForceNew, its scopes updated in place (cognitoidp/resource_server.go, read at
  // 088e0878080a74fcf1e35d901992372e4c041214).
  "aws:cognito/userGroup:UserGroup": ["name", "userPoolId"],
  "aws:cognito/resourceServer:ResourceServer": ["identifier", "name", "userPoolId"],
  // EventBridge: a rule's name, name_prefix and event_bus_name are ForceNew, its pattern, schedule and role a PutRule in
  // place (events/rule.go, read at 0cdab4ae09a963535e03dde0bff4784afe8e3517); a target's rule, event_bus_name and
  // target_id are ForceNew, its arn, input and the rest a PutTargets in place (events/target.go, read at
  // 0762c41e2027fcd3cb8340d3e6886c6975fc0a59). So a bus replaced delete-first takes its rules and targets first.
  "aws:cloudwatch/eventRule:EventRule": ["name", "namePrefix", "eventBusName"],
  "aws:cloudwatch/eventTarget:EventTarget": ["rule", "eventBusName", "targetId"],
  // A Kinesis stream consumer's name and stream_arn are Required and ForceNew (kinesis/stream_consumer.go, read at
  // 0c13352b9dda23e8267eabdddc6f57fe2a81fccd, where it has no Update). Later provider versions add tags (the
  // provider's release note "resource/aws_kinesis_stream_consumer: Add `tags` argument"; pulumi-aws 7's StreamConsumerArgs
  // has tags), so it is not "*": tags are taken as updated in place, the source of that version not read.
  "aws:kinesis/streamConsumer:StreamConsumer": ["name", "streamArn"],
  // A backup selection has no Update: every argument is ForceNew (backup/selection.go, read at
  // 00a35305dc1b297a6fcdecdfbba33f1e63c3da39: name, plan_id, iam_role_arn, resources, not_resources, condition,
  // selection_tag), so it goes with a plan, role or selected resource replaced delete-first.
  "aws:backup/selection:Selection": ["*"],
  // An identity pool's role attachment: identity_pool_id and roles are ForceNew, role_mapping a SetIdentityPoolRoles in
  // place (cognitoidentity/pool_roles_attachment.go, read at 0aa0d338dafe65943bca03c295f5e248b74f29b7; whether later
  // versions keep roles ForceNew is not confirmed).
  "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": ["identityPoolId", "roles"],
  // REST method settings: rest_api_id, stage_name and method_path are ForceNew, the settings an UpdateStage patch
  // (apigateway/method_settings.go, read at 1037711a99b6edb1a97fc6c5c1aa6644f010c4b8).
  "aws:apigateway/methodSettings:MethodSettings": ["restApi", "stageName", "methodPath"],
  // Application Auto Scaling: a target's resource_id, scalable_dimension and service_namespace are Required and
  // ForceNew, its capacities and role a RegisterScalableTarget in place (appautoscaling/target.go, read at
  // 0105d2191ae7e43ba37ba011b916843eddf361ed); a policy's name, resource_id, scalable_dimension and service_namespace are
  // ForceNew, its type and configurations a PutScalingPolicy in place (appautoscaling/policy.go, read at
  // 048320e88399c508ae6481be5d8ef6fd6f71a9f6, an older SDK v1 version; that later ones keep the same ForceNew set is not
  // confirmed). So a table (its `table/<name>` resource ID) replaced delete-first takes its scaling first.
  "aws:appautoscaling/target:Target": ["resourceId", "scalableDimension", "serviceNamespace"],
  "aws:appautoscaling/policy:Policy": ["name", "resourceId", "scalableDimension", "serviceNamespace"],
  // A metric alarm's alarm_name is its only ForceNew argument, the rest a PutMetricAlarm in place
  // (cloudwatch/metric_alarm.go, read at 055611a654738da73e7b1e2b5d2b7672c6d4d531). Pulumi names alarm_name `name`
  // (@pulumi/aws 7 MetricAlarmArgs has no `alarmName`), and the entries are Pulumi input names.
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
  // A REST base path mapping's domain_name is its only ForceNew argument; api_id, base_path and stage_name are an
  // UpdateBasePathMapping patch, domain_name_id Optional without ForceNew (apigateway/base_path_mapping.go, read at
  // 0657871b7b47a26226bc031abac2e998ead1b088). So a custom domain replaced delete-first takes its mappings first.
  "aws:apigateway/basePathMapping:BasePathMapping": ["domainName"],
  // A secret version's secret_id, secret_binary, secret_string and secret_string_wo_version are ForceNew, version_stages an
  // UpdateSecretVersionStage in place (secretsmanager/secret_version.go, read at 0042e8ea0de293c6cd8b003f89f7f4d2fb5fcf31;
  // secret_string_wo is write-only, not ForceNew).
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretId", "secretBinary", "secretString", "secretStringWoVersion"],
  // An SQS redrive allow policy's queue_url is Required and ForceNew, the policy a SetQueueAttributes in place
  // (sqs/queue_redrive_allow_policy.go, read at 0389eecfc28a5e2ac619651541a16d7fc289abf6).
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": ["queueUrl"],
  // A KMS replica key's primary_key_arn is Required and ForceNew, its description, policy and enabled an update in place
  // (kms/replica_key.go, read at 06b540fba1eb07c6ecdb72cb8947e818b301c21c, an SDK v1 version; that later ones keep only
  // this ForceNew is not confirmed). So a primary key replaced delete-first schedules its replicas' deletion first.
  "aws:kms/replicaKey:ReplicaKey": ["primaryKeyArn"],
  // A CloudFront key value store's exclusive keys: key_value_store_arn is RequiresReplace, the pairs an UpdateKeys in
  // place (cloudfrontkeyvaluestore/keys_exclusive.go, read at 072ae3c49fb39e2e5c1cedba2712acc2070a1869, a framework
  // resource whose delete is a no-op). A pair's key is RequiresReplace too, but nested in a set whose elements the
  // framework does not plan while the set is unknown; left out here.
  "aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive": ["keyValueStoreArn"],
  // A Route 53 health check's type, measure_latency, reference_name, request_interval and routing_control_arn are
  // ForceNew; fqdn, port, resource_path, search_string and the rest an UpdateHealthCheck in place
  // (route53/health_check.go, read at 01606926a0c0ab9174aec440f976a48b0baee722). So a health check whose fqdn is a
  // distribution's domain name stays when that distribution is replaced delete-first.
  "aws:route53/healthCheck:HealthCheck": ["type", "measureLatency", "referenceName", "requestInterval", "routingControlArn"],
  // API Gateway v2 parts (terraform-provider-aws internal/service/apigatewayv2; a route and a custom domain are named
  // types, whose replaceOn is read instead). Each part's api_id is ForceNew, so an API replaced delete-first takes its
  // parts first: a stage's api_id and name (stage.go, read at 02f6d2d9fb6028a483e4c2b92d7e2432ff0b9127; deployment_id,
  // settings and variables an UpdateStage); an integration's api_id, integration_type and integration_subtype
  // (integration.go at 3db496c3ef13bcbf12b401ce6f353c55b76701fa; integration_uri, credentials_arn and the rest an
  // UpdateIntegration); an integration response's api_id and integration_id (integration_response.go at
  // 0657871b7b47a26226bc031abac2e998ead1b088) and a route response's api_id and route_id (route_response.go at
  // 01f06a3b0af5fdca7c45f478e584edc2d6b154c8), their keys updated in place; a model's and an authorizer's api_id only
  // (model.go at 0cc2ccc64cbdca0c4ac5557f3fc864d78c4d6008, authorizer.go at 01f431114674c27cf790fafb67ac274bf8f765e1:
  // name, type, URI and identity sources an update); a deployment's api_id and triggers (deployment.go at
  // b4affb1fa9cc7f10d3c4932bd09b37a752b37f48); an API mapping's api_id and domain_name, its stage and key an
  // UpdateApiMapping (api_mapping.go at b4affb1f…); a VPC link's security_group_ids and subnet_ids, its name an
  // UpdateVpcLink (vpc_link.go at 050ac11163cab8cdae5936a7f40b0e528ff780df); a routing rule's domain_name
  // (RequiresReplace; its actions, conditions and priority a PutRoutingRule: routing_rule.go at
  // 18fc80b64733d85f8a2797c09547815503f27fe7, a framework resource). A route's target and authorizer_id are an
  // UpdateRoute, so a route stays when its integration or authorizer is replaced delete-first.
  "aws:apigatewayv2/stage:Stage": ["apiId", "name"],
  "aws:apigatewayv2/integration:Integration": ["apiId", "integrationType", "integrationSubtype"],
  "aws:apigatewayv2/integrationResponse:IntegrationResponse": ["apiId", "integrationId"],
  "aws:apigatewayv2/routeResponse:RouteResponse": ["apiId", "routeId"],
  "aws:apigatewayv2/model:Model": ["apiId"],
  "aws:apigatewayv2/authorizer:Authorizer": ["apiId"],
  "aws:apigatewayv2/deployment:Deployment": ["apiId", "triggers"],
  "aws:apigatewayv2/apiMapping:ApiMapping": ["apiId", "domainName"],
  "aws:apigatewayv2/vpcLink:VpcLink": ["securityGroupIds", "subnetIds"],
  "aws:apigatewayv2/routingRule:RoutingRule": ["domainName"],
};

/**
 * The inputs whose unknown value replaces a deployed resource, for the types the transition checks judge: a policy
 * resource's ForceNew reference (POLICY_WRITER_DELETES), the replace-forcing inputs of the named, stateful, cascade and
 * policy holder types (every table's kind of the type, replacementKindsOf; `replaceWhenSet` too: an unknown value is a set one), a REST API
 * deployment's (DEPLOYMENT_KIND), those of DEPENDENT_FORCE_NEW, and its `replaceOnChanges` (`*`: every input).
 * Undefined for another type: what replaces it is not known here.
 */
function forcingInputs(r: RecordedResource): readonly string[] | undefined {
  const policy = POLICY_WRITER_DELETES.find((k) => k.type === r.type);
  // Every table's kind of the type: a bucket's named kind lists its name inputs, its stateful kind objectLockEnabled too.
  const kinds = replacementKindsOf(r.type);
  const own = policy
    ? policy.replacedOnMove
      ? (policy.replaceOn ?? [policy.kept[0]])
      : []
    : kinds.length > 0
      ? [...new Set(kinds.flatMap((kind) => [...kind.replaceOn, ...(kind.replaceWhenSet ?? [])]))]
      : r.type === DEPLOYMENT
        ? DEPLOYMENT_KIND.replaceOn
        : DEPENDENT_FORCE_NEW[r.type];
  // The input is given to the provider's Diff unknown, which the bridge reports at the input's own path: only an entry of
  // that one input contains it (changeReportedUnder), not a longer one such as `tags.Name`, nor one it cannot parse.
  const requested = (r.replaceOnChanges ?? []).flatMap((entry) => {
    const path = parsePropertyPath(entry);
    return path?.length === 1 ? [String(path[0])] : [];
  });
  return own === undefined && requested.length === 0 ? undefined : [...(own ?? []), ...requested];
}

/**
 * One reason calculateDependentReplacements replaces a deployed resource (forcedFrom): a replace-forcing `input` taking
 * its value from `from`, its deletedWith target `from` (no input), or its provider `from` (`provider`).
 */
interface ForcedEdge {
  input?: string;
  from: string;
  provider?: true;
}


/**
 * Each deployed resource to what the engine replaces it for in a delete-before-replace branch that replaces those
 * (step_generator.go calculateDependentReplacements' requiresReplacement, lines 3295-3377 at
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8): its deployed deletedWith target (`input` unset: "a resource deleted with a
 * replaced resource ... must be replaced regardless of property diffs"), and, per input whose value would replace it
 * unknown (forcingInputs), the resources its recorded property dependencies name: the engine gives the provider's Diff
 * that input unknown, with the deployed inputs and ignoreChanges (an ignored input is reset, so does not replace). Read
 * from the recorded `propertyDependencies`: a resource recorded without them (a plan saved before they were kept), or
 * of a type whose replace-forcing inputs are not known here, is replaced only by its deletedWith and its provider, so its
 * delete is taken to come where its own judgement puts it. And its deployed provider (`provider: true`): "If the
 * resource's provider is in the replace set, we must replace this resource" (requiresReplacement's second test, before
 * the deletedWith one), and DependingOn walks provider references (pkg/resource/graph/dependency_graph.go isDependent:
 * `if dependentSet[ref.URN()]`), so a provider replaced delete-first deletes every deployed resource of it first, and
 * their dependents on. A provider gets there only by its options: pulumi-aws 7's DiffConfig never asks for a
 * replacement (pulumi-terraform-bridge pkg/tfbridge/provider.go configDiffer.DiffConfig replaces only a config key with
 * ForcesProviderReplace, and pulumi-aws 7's Config gives none: the v7 upgrade, provider/resources.go at
 * d273034ca4dff0fdfe4e1ab5f8896e4673055ece, dropped region's, which `"region"` had since pulumi/pulumi-aws#4000, and
 * keeps only its Default, as pulumi/pulumi-aws#5656 says, itself a v6 pull request that was closed), so a provider is replaced for its
 * replaceOnChanges, a replaceWith or deletedWith target, or `--replace`, and delete-first only for its own
 * deleteBeforeReplace or pulumi:autonaming (DiffConfig answers `DeleteBeforeReplace: false`). A dependent the new
 * program registers before the branch's resource is left out by cascadeOrder (`impossibleDependents`).
 */
function forcedFrom(deployed: Graph): Map<string, ForcedEdge[]> {
  const edges = new Map<string, ForcedEdge[]>();
  for (const r of deployed) {
    // "Neither component nor external resources require replacement" (requiresReplacement's first test, `!r.Custom`):
    // a component deletedWith a resource of the set stays, and is no link of a chain either.
    if (r.custom === false) continue;
    const provider = providerUrnOf(r);
    const of: ForcedEdge[] = [];
    if (provider !== undefined) of.push({ from: provider, provider: true });
    if (r.deletedWith !== undefined) of.push({ from: r.deletedWith });
    const forcing = r.propertyDependencies && forcingInputs(r);
    if (forcing) {
      for (const [input, urns] of Object.entries(r.propertyDependencies!)) {
        if (!(forcing.includes("*") || forcing.includes(input)) || ignoredBy(r, [input]).length > 0) continue;
        for (const from of urns) of.push({ input, from });
      }
    }
    if (of.length > 0) edges.set(r.urn, of);
  }
  return edges;
}

/**
 * A KeyPolicy whose keyId the update changes without replacing it. key_id is not ForceNew, and the provider's update
 * writes the policy only if it changed, and to d.Id(), the key it was created on; its read then sets key_id back to that
 * key (terraform-provider-aws kms/key_policy.go resourceKeyPolicyUpdate, resourceKeyPolicyRead). So the new key never
 * gets the document, and a changed document replaces the first key's key policy (which another writer may now hold).
 * Read as the engine diffs it (ignoreChanges reset); one the update replaces (replaceOnChanges) is created on the new
 * key, and its old copy's delete is TransitionPolicyWriterDeleted's to judge. A deployed plan without keyId (saved before
 * it was kept) is not judged.
 */
function keyPolicyKeyChangedFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const policies = ofType(deployed, KEY_POLICY);
  // A plan without KeyPolicies (most) does not index the new plan's 12,000 resources for none.
  if (policies.length === 0) return [];
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const kind: ReplaceRule = { type: KEY_POLICY, replaceOn: [] };
  // One key by its id and by its ARN (arn:…:key/<id>), or a key of both plans by any of its identities: the update
  // writes to that key still, and the read sets keyId to its id.
  const sameKey = (from: unknown, to: unknown) => {
    if (from === to || kmsKeyId(from) === kmsKeyId(to)) return true;
    const [was, is] = [referenced(deployed, KMS_KEY, from), referenced(after, KMS_KEY, to)];
    return was !== undefined && was.urn === is?.urn;
  };
  return policies.flatMap((old) => {
    const next = afterByUrn.get(old.urn);
    if (!next || next.type !== KEY_POLICY || !holds(old, "keyId")) return [];
    const diffed = asDiffed(kind, old, next);
    const [from, to] = [old.inputs.keyId, diffed.inputs.keyId];
    if (sameKey(from, to) || replaceReasons(kind, old, diffed).length > 0) return [];
    const policyChanged = holds(old, "policy") ? old.inputs.policy !== diffed.inputs.policy : undefined;
    const written =
      policyChanged === true ? `writes the changed document onto ${from} (replacing its key policy)` : policyChanged === false ? "writes nothing, as the document is unchanged" : `writes the document onto ${from} if it changed`;
    return [
      finding(
        "TransitionKeyPolicyKeyChanged",
        next,
        `changes keyId from ${from} to ${to} in place: keyId is not ForceNew, and the provider's update (terraform-provider-aws kms/key_policy.go resourceKeyPolicyUpdate) writes the policy only when it changes, to the key the KeyPolicy was created on, whose id its read puts back in keyId. This update ${written}; ${to} does not get the document`,
        `give ${next.name} replaceOnChanges: ["keyId"] (or a new name), so that the update creates it on ${to} and deletes the old copy, which puts KMS's default key policy back on ${from} (deploy it with retainOnDelete: true first to keep ${from}'s policy as it is)`,
        stack,
      ),
    ];
  });
}

const CLOUDFRONT_FUNCTION = "aws:cloudfront/function:Function";
const KEY_VALUE_STORE = "aws:cloudfront/keyValueStore:KeyValueStore";
const ORIGIN_ACCESS_CONTROL = "aws:cloudfront/originAccessControl:OriginAccessControl";

/** The resources of `graph` each resource depends on (its recorded dependencies found in `graph`), in their order. */
function dependenciesIn(graph: Graph): (r: RecordedResource) => RecordedResource[] {
  const byUrn = new Map(graph.map((r) => [r.urn, r]));
  return (r) => r.dependencies.map((urn) => byUrn.get(urn)).filter((d): d is RecordedResource => d !== undefined);
}

/**
 * The distributions the update changes without waiting: each one of both plans whose program sets
 * `waitForDeployment: false` (unset is the provider's default, true), as the program has it (`next`), with what its
 * deployed configuration depended on (`dependedOn`, from the deployed plan) — what CloudFront edge locations may still
 * use while the steps after UpdateDistribution run. A distribution the update removes is deleted before what it
 * depends on, so it is not listed. The two "while deploying" rules below judge these.
 */
function unwaitedDistributionUpdates(deployed: Graph, after: Graph, dependenciesOf = dependenciesIn(deployed)): Array<{ next: RecordedResource; dependedOn: RecordedResource[] }> {
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  return ofType(deployed, DISTRIBUTION).flatMap((old) => {
    const next = afterByUrn.get(old.urn);
    return next && next.inputs.waitForDeployment === false ? [{ next, dependedOn: dependenciesOf(old) }] : [];
  });
}

/**
 * A CloudFront Function or origin access control that a distribution of the deployed plan uses (depends on), which the
 * update deletes (removed from the program, delete not skipped), while the program's distribution sets
 * `waitForDeployment: false`; and the key value store such a function reads, deleted after it. Pulumi deletes removed
 * resources at the end of the update, right after UpdateDistribution returned, while CloudFront still deploys the old
 * configuration. "You cannot delete a function if it's associated with a cache behavior. First, update your
 * distributions to remove the function association from all cache behaviors, then delete the function"
 * (API_DeleteFunction), and the provider sends DeleteFunction once, with no retry (terraform-provider-aws
 * cloudfront/function.go resourceFunctionDelete). **Inferred, not confirmed:** that the in-use check lasts until the
 * change is deployed (FunctionInUse seen on such updates: hashicorp/terraform-provider-aws#21730, #25249,
 * anomalyco/ion#443). A distribution the update removes is deleted first (it depends on them) and is not judged;
 * `waitForDeployment` unset is the provider's default, true.
 */
function cloudFrontDeletedWhileDeployingFindings(deployed: Graph, after: Graph, stack: string | undefined, update: UpdateJudgement): TransitionFinding[] {
  const dependenciesOf = dependenciesIn(deployed);
  const afterUrns = new Set(after.map((r) => r.urn));
  // Not skipped (deleteSkipped: retained, or deletedWith a target the update removes or replaces, planUpdate's judgement).
  const deletes = (r: RecordedResource) => !afterUrns.has(r.urn) && !deleteSkipped(r, afterUrns, update);
  const reported = new Set<string>();
  const findings: TransitionFinding[] = [];
  for (const { next, dependedOn } of unwaitedDistributionUpdates(deployed, after, dependenciesOf)) {
    const used = dependedOn.filter((r) => r.type === CLOUDFRONT_FUNCTION || r.type === ORIGIN_ACCESS_CONTROL).filter(deletes);
    const stores = used
      .filter((r) => r.type === CLOUDFRONT_FUNCTION)
      .flatMap((fn) => dependenciesOf(fn).filter((r) => r.type === KEY_VALUE_STORE).filter(deletes).map((store) => ({ store, fn })));
    const fix = `set waitForDeployment: true on the distribution (StaticSite: leave waitForDeployment unset) for this update, or make it two updates: first stop using it while keeping the resource, pulumi up and wait for distribution ${next.name} to be Deployed (aws cloudfront wait distribution-deployed --id <id>), then remove it`;
    for (const r of used) {
      if (reported.has(r.urn)) continue;
      reported.add(r.urn);
      const refusal = r.type === CLOUDFRONT_FUNCTION ? `DeleteFunction is refused with FunctionInUse ("You cannot delete a function if it's associated with a cache behavior", API_DeleteFunction) and sent once, with no retry (terraform-provider-aws cloudfront/function.go resourceFunctionDelete)` : `DeleteOriginAccessControl is refused with OriginAccessControlInUse ("You cannot delete an origin access control if it's in use", API_DeleteOriginAccessControl; that the in-use state lasts while the change deploys is inferred)`;
      findings.push(finding(
        "TransitionCloudFrontDeletedWhileDeploying",
        r,
        `is deleted at the end of the update, right after distribution ${next.name} stops using it, and that distribution has waitForDeployment: false: UpdateDistribution returns while CloudFront still deploys the configuration that uses it, so ${refusal}. The update fails at the end and the pending delete is retried by the next pulumi up`,
        fix,
        stack,
      ));
    }
    for (const { store, fn } of stores) {
      if (reported.has(store.urn)) continue;
      reported.add(store.urn);
      findings.push(finding(
        "TransitionCloudFrontDeletedWhileDeploying",
        store,
        `is deleted after CloudFront Function ${fn.name}, which distribution ${next.name} stops running in the same update with waitForDeployment: false; that function's delete is refused while CloudFront still deploys (FunctionInUse), so this store is not deleted either and the update fails`,
        fix,
        stack,
      ));
    }
  }
  return findings;
}

const WEBSITE_CONFIGURATION = "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration";

/**
 * A distribution of both plans that depended on an S3 bucket website configuration (its origin is the website
 * endpoint) which the update removes from the program, while the program's distribution sets `waitForDeployment:
 * false`: StaticSite's hosting "s3-website" → "oac". UpdateDistribution returns while CloudFront still deploys, and
 * "settings changes that you make won't take effect until the distribution has propagated to the AWS edge locations"
 * (HowToUpdateDistribution), so edge locations keep fetching from the website endpoint while the steps after the
 * distribution run: StaticSite's bucket policy without the Referer grant, then its public access block with
 * RestrictPublicBuckets ("restricts access to this bucket to only AWS service principals and authorized users within
 * this account if the bucket has a public policy", API_PublicAccessBlockConfiguration), then, at the end, the website
 * configuration's delete. Those edges answer 403 until the change is deployed. With the wait (the default) each of
 * those steps starts once no edge uses the website origin (tests/components/static-site-hosting-switch.test.ts).
 */
function websiteOriginClosedWhileDeployingFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const afterUrns = new Set(after.map((r) => r.urn));
  const findings: TransitionFinding[] = [];
  for (const { next, dependedOn } of unwaitedDistributionUpdates(deployed, after)) {
    const websites = dependedOn.filter((r) => r.type === WEBSITE_CONFIGURATION && !afterUrns.has(r.urn));
    if (websites.length === 0) continue;
    findings.push(finding(
      "TransitionWebsiteOriginClosedWhileDeploying",
      next,
      `moves off the S3 website origin of website configuration ${websites.map((w) => w.name).join(", ")}, which the update removes, with waitForDeployment: false: UpdateDistribution returns while edge locations still fetch from the website endpoint ("settings changes that you make won't take effect until the distribution has propagated to the AWS edge locations", HowToUpdateDistribution), and the update goes on under them: StaticSite's bucket policy loses the Referer grant, its public access block closes (RestrictPublicBuckets), and the website configuration is deleted at the end. Those edge locations answer 403 until CloudFront has deployed the change, typically 5–15 minutes`,
      `let the distribution wait in this update (StaticSite: leave waitForDeployment unset, or true), so that each of those steps starts once the change is deployed; to skip the wait again, set waitForDeployment: false in a second, later update (docs/deploy-guide.md, "Switching siteHosting")`,
      stack,
    ));
  }
  return findings;
}

const STREAM_DOC = "docs/components/data-tier.md#changing-a-subscribed-tables-stream-view-type";

/**
 * A table updated in place whose stream view type changes while its stream is on in both plans, read by a Lambda
 * event source mapping of both plans that does not start at TRIM_HORIZON. DynamoDB keeps one enabled stream per table,
 * so the provider turns the stream off and on again with the new type (table.go resourceTableUpdate: "in order to change
 * stream view type: 1) stream have already been enabled, and 2) it must be disabled and then reenabled (otherwise,
 * ValidationException: Table already has an enabled stream)" → cycleStreamEnabled), which makes a new stream with a new
 * ARN. The mapping's `event_source_arn` is ForceNew (lambda/event_source_mapping.go), so Pulumi creates a new mapping on
 * the new stream, where it starts at its startingPosition, and deletes the old one at the end of the update. A table
 * whose deployed plan does not hold its stream inputs is not judged.
 */
function streamCycledFindings(deployed: Graph, after: Graph, tables: readonly TablePair[], stack: string | undefined): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const [old, table] of tables) {
    if (!holds(old, "streamViewType") || !holds(old, "streamEnabled") || old.inputs.streamEnabled !== true || table.inputs.streamEnabled !== true) continue;
    const [was, is] = [text(old.inputs.streamViewType), text(table.inputs.streamViewType)];
    if (!was || !is || was === is) continue;
    const [streamArn, tableArn] = [text(table.state.streamArn), text(table.state.arn)];
    const readsStream = (mapping: RecordedResource) => {
      const arn = text(mapping.inputs.eventSourceArn);
      return arn !== undefined && (arn === streamArn || (tableArn !== undefined && arn.startsWith(`${tableArn}/stream/`)));
    };
    // A mapping new in this update had nothing to deliver before; one at TRIM_HORIZON reads the new stream from its start.
    const late = ofType(after, EVENT_SOURCE_MAPPING).filter((mapping) => deployedByUrn.has(mapping.urn) && readsStream(mapping) && mapping.inputs.startingPosition !== "TRIM_HORIZON");
    if (late.length === 0) continue;
    const one = late.length === 1;
    const readers = late.map((mapping) => `${mapping.type} ${mapping.name} (startingPosition ${text(mapping.inputs.startingPosition) ?? "unset"})`).join(", ");
    findings.push(
      finding(
        "TransitionStreamCycled",
        table,
        `changes the stream view type of DynamoDB table ${table.name} from ${was} to ${is} while its stream stays on. DynamoDB keeps one enabled stream per table, so the provider turns the stream off and on again with the new type (terraform-provider-aws dynamodb/table.go resourceTableUpdate → cycleStreamEnabled: "it must be disabled and then reenabled (otherwise, ValidationException: Table already has an enabled stream)"), and the table gets a new stream with a new ARN. ${readers} ${one ? "reads" : "read"} the old stream: event_source_arn is ForceNew (lambda/event_source_mapping.go), so Pulumi creates ${one ? "a new mapping" : "new mappings"} on the new stream, starting after the records already in it, and deletes the old ${one ? "one" : "ones"} (first for a delete-first mapping such as DataTier's, else at the end of the update) ("During event source mapping creation, it may take several minutes to start polling events from the stream … if you specify LATEST as the starting position for the stream, the event source mapping could miss events during a create", Lambda, polling and stream starting positions). The update succeeds; records written to the new stream before the new mapping reads it are never delivered, and a subscriber that keeps counters or aggregates drifts without an error. Records written while the stream is off reach no stream (inferred, not confirmed)`,
        `set startingPosition: "TRIM_HORIZON" on the ${one ? "subscription" : "subscriptions"} in the same update (DataTier subscribe(…, { startingPosition: "TRIM_HORIZON" })), so the new mapping reads the new stream from its first record. The mapping is new in this update anyway (new stream ARN); keep the option afterwards: a mapping's starting position cannot be updated, so changing it on a deployed subscription re-creates the mapping (TRIM_HORIZON re-reads up to 24 hours of delivered records, LATEST skips those written in the gap, docs/components/data-tier.md#changing-a-subscriptions-starting-position-renaming-a-subscription); for the moment the stream is off, pause the writers or accept that loss (${STREAM_DOC}). A reviewed change can be accepted (TransitionStreamCycled:<urn>)`,
        stack,
      ),
    );
  }
  return findings;
}

/**
 * The attributes that key a table's inputs, each with what it keys: the table (hashKey, rangeKey), a local index
 * (rangeKey) or a global index (hashKey, rangeKey, or keySchemas).
 */
function keyAttributes(r: RecordedResource): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  const add = (name: unknown, role: string) => {
    if (typeof name === "string" && name) keys.set(name, [...(keys.get(name) ?? []), role]);
  };
  add(r.inputs.hashKey, "the partition key");
  add(r.inputs.rangeKey, "the sort key");
  for (const index of asArray<any>(r.inputs.localSecondaryIndexes)) add(index?.rangeKey, `the sort key of local index ${index?.name}`);
  for (const index of asArray<any>(r.inputs.globalSecondaryIndexes)) {
    add(index?.hashKey, `the partition key of global index ${index?.name}`);
    add(index?.rangeKey, `the sort key of global index ${index?.name}`);
    for (const key of asArray<any>(index?.keySchemas)) add(key?.attributeName, `${key?.keyType === "RANGE" ? "a sort key" : "a partition key"} of global index ${index?.name}`);
  }
  return keys;
}

/** A table's attribute definitions, name → type (S, N, B). */
const attributeTypes = (r: RecordedResource) =>
  new Map(asArray<any>(r.inputs.attributes).filter((a) => typeof a?.name === "string" && typeof a?.type === "string").map((a) => [a.name as string, a.type as string]));

/** A table's global indexes as the provider compares them (a set: by name); capacities the table ignores are the deployed ones in its diffed inputs. */
function globalIndexesShape(r: RecordedResource): string {
  return canonicalJson([...asArray<any>(r.inputs.globalSecondaryIndexes)].sort((a, b) => String(a?.name).localeCompare(String(b?.name))));
}

/**
 * A table updated in place whose key attribute (of the table, a local index or a global index) gets another type. The
 * provider's CustomizeDiff drops an attribute change unless the global indexes change too (table.go: `if
 * diff.HasChange("attribute") && !diff.HasChange("global_secondary_index") { return diff.Clear("attribute") }`), so the
 * preview shows nothing and the table keeps the deployed type; with an index change, the new definitions go out with it
 * (updateDiffGSI), and what DynamoDB answers is not confirmed. A table whose deployed plan does not hold its
 * attributes (saved before they were kept), or that ignores them, is not judged.
 */
function keyAttributeFindings(tables: readonly TablePair[], stack: string | undefined): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  for (const [old, table] of tables) {
    if (!holds(old, "attributes")) continue;
    const [was, is, keys] = [attributeTypes(old), attributeTypes(table), keyAttributes(table)];
    const retyped = [...is].filter(([name, type]) => keys.has(name) && was.has(name) && was.get(name) !== type);
    if (retyped.length === 0) continue;
    const indexesChange = !holds(old, "globalSecondaryIndexes") || globalIndexesShape(old) !== globalIndexesShape(table);
    for (const [name, type] of retyped) {
      const from = was.get(name)!;
      const outcome = indexesChange
        ? `The global indexes change in the same update, so the provider keeps the attribute change and sends the new definitions with the index update (terraform-provider-aws dynamodb/table.go updateDiffGSI); what DynamoDB answers to a key attribute given another type is not confirmed: the update may stop at the table, or the attribute may keep ${from}`
        : `The provider drops the change: its CustomizeDiff clears an attribute change that comes without a global index change (terraform-provider-aws dynamodb/table.go: if diff.HasChange("attribute") && !diff.HasChange("global_secondary_index") { return diff.Clear("attribute") }), so the preview shows no change, the update succeeds, and the table keeps ${from}: writes that carry ${name} as ${type} are refused (a ValidationException; its exact text not confirmed)`;
      findings.push(
        finding(
          "TransitionKeyAttributeRetyped",
          table,
          `gives key attribute ${name} (${keys.get(name)!.join(", ")}) of DynamoDB table ${table.name} type ${type}, deployed as ${from}. ${outcome}`,
          `keep ${name} as ${from} (DataTier attributes: { ${name}: "${from}" }). To key by a ${type}: a new attribute name (for a global index, a new index on it, with the app writing both attributes until the old index goes), or, for the table's own keys or a local index, a new table (export it to S3 and import it into the new one)`,
          stack,
        ),
      );
    }
  }
  return findings;
}

/** Options of `checkPlanTransition`. */
export interface TransitionOptions {
  /**
   * Findings accepted after review, each `<Rule>:<urn>` (`TransitionStatefulReplaced:urn:pulumi:prod::…::invoices`):
   * the rule's finding on the resource of that URN is left out. For what a check cannot tell from the plans (a new
   * table that is not the removed one renamed) and the change is meant.
   */
  accept?: readonly string[];
  /**
   * The update as `planUpdate(before, after, autonaming)` judges it, of the same two plans: given, it is read instead
   * of judged again, so a caller of both checkPlanTransition and checkPlanTransitionWarnings matches aliases and
   * cascades the replacements once (scripts/plan.ts reportSince).
   */
  update?: PlanUpdate;
  /**
   * The stack's `pulumi:autonaming` (autonaming.ts parseAutonaming's `config`; undefined: unset, Pulumi's default),
   * for the judgement made when `update` is not given: under `mode: verbatim`, `disabled` or a pattern with no random
   * part the engine replaces every custom resource delete-first (planUpdate), as `npm run plan -- --since` judges it
   * from the stack's config. Not with `update`, which is judged under a naming already.
   */
  autonaming?: AutonamingConfig;
}

/** One acceptance, `<Rule>:<urn>`, or an error that says what is wrong with it. */
export function parseAcceptance(entry: string): { rule: string; urn: string } {
  const colon = entry.indexOf(":");
  const [rule, urn] = colon < 0 ? [entry, ""] : [entry.slice(0, colon), entry.slice(colon + 1)];
  const ids: readonly string[] = PLAN_TRANSITION_RULES.map((r) => r.id);
  if (!ids.includes(rule)) throw new Error(`accept "${entry}": ${rule || "(nothing)"} is not a transition rule (${ids.join(", ")}): write <Rule>:<urn>, as npm run plan -- --since prints it under the finding`);
  if (!urn.startsWith("urn:pulumi:")) throw new Error(`accept "${entry}" names no resource: write <Rule>:<urn>, as npm run plan -- --since prints it under the finding`);
  return { rule, urn };
}

/** `findings` without the accepted ones (`accept`: `<Rule>:<urn>` each), the accepted ones, and the acceptances that matched none. */
export function acceptTransitionFindings(findings: readonly TransitionFinding[], accept: readonly string[]): { findings: TransitionFinding[]; accepted: TransitionFinding[]; unused: string[] } {
  const wanted = accept.map((entry) => ({ entry, ...parseAcceptance(entry) }));
  const matches = (f: TransitionFinding, w: (typeof wanted)[number]) => f.rule === w.rule && f.urn === w.urn;
  return {
    findings: findings.filter((f) => !wanted.some((w) => matches(f, w))),
    accepted: findings.filter((f) => wanted.some((w) => matches(f, w))),
    unused: wanted.filter((w) => !findings.some((f) => matches(f, w))).map((w) => w.entry),
  };
}

/**
 * What goes wrong when a stack deployed with plan `before` is updated to plan `after` (both recorded in update mode,
 * e.g. main's plan and a branch's). An empty list means none of the known second-deploy failures; the single-plan
 * rules (`checkDeployRules`) still apply to `after` on its own. `context.stack` is copied onto the findings;
 * `context.region` is the stack's `aws:region` (scopes regional names), `context.deployedRegion` the one `before` was
 * made under (a saved plan's `region`; unset: the same), so that a change of the stack's region moves every resource
 * of the default provider (StackRegions). `options.accept` leaves out findings accepted
 * after review; `options.update` is the update of these two plans already judged (planUpdate), else it is judged here
 * under `options.autonaming`, the stack's `pulumi:autonaming` (parseAutonaming), as `npm run plan -- --since` does.
 */
export function checkPlanTransition(before: Graph, after: Graph, context: Partial<Pick<DeployRuleContext, "stack">> & StackRegionContext = {}, options: TransitionOptions = {}): TransitionFinding[] {
  const regions = stackRegions(context);
  if (options.update && options.autonaming) {
    throw new Error(
      "checkPlanTransition: options.update and options.autonaming are both given, but the update is already judged under a naming (planUpdate's third argument): pass options.update = planUpdate(before, after, autonaming), or options.autonaming alone",
    );
  }
  const update = options.update ? updateUnder(options.update, regions, "checkPlanTransition") : planUpdate(before, after, options.autonaming, context);
  const { matched, deployed, cascade } = update;
  after = update.after;
  // Held still while the findings are read (nothing below writes a plan): ofType and dependencyClosure, asked per
  // record, answer from one look-up per graph (local/offline/graph.ts holdingGraphs).
  const cascaded = after;
  return holdingGraphs([before, deployed, cascaded], () => {
    const after = cascaded;
    const diffedOf = diffedByUrn(deployed, after);
    // Resources the engine deletes before a replaceWith target it replaces delete-first: delete-first themselves.
    const order = update.order;
    const restJudgement = restPartJudgement(deployed, update, order);
    const collisions = nameCollisions(deployed, after, diffedOf, cascade.replacedWith, order, regions, context.stack, update);
    const rds = clusterNameFindings(deployed, after, diffedOf, context.stack, order, cascade.replacedWith, update);
    // A create refused for a name its deployed counterpart holds stops the update before anything moves to it: that is
    // the finding for the pair (TransitionNameTaken, or TransitionRdsClusterNameReused for a cluster's own identifier), not
    // TransitionStatefulReplaced's "a new, empty one takes over".
    const taken = new Set([
      ...collisions.filter((c) => c.finding.rule === "TransitionNameTaken").map((c) => `${c.resource.urn} ${c.holder.urn}`),
      ...[...rds.identifierTaken].map((urn) => `${urn} ${urn}`),
    ]);
    const statefulChangesOf = statefulChangesByUrn(deployed, after, diffedOf, update.regionMove, cascade.replacedWith, order);
    const tables = tablesUpdatedInPlace(deployed, after, statefulChangesOf, diffedOf);
    const found = [
      ...aliasFindings(matched.duplicates, context.stack),
      ...collisions.map((c) => c.finding),
      ...routingFindings(deployed, after, context.stack),
      ...routingSlotFindings(deployed, after, context.stack, restJudgement),
      ...recordSetOrphanedFindings(deployed, after, context.stack, update),
      ...vaultLockFindings(deployed, after, context.stack, order),
      ...kinesisShardScalingFindings(deployed, after, context.stack),
      ...rdsEngineVersionFindings(deployed, after, context.stack),
      ...rds.findings,
      ...hostedUiDomainFindings(deployed, after, diffedOf, context.stack, order, cascade.replacedWith, update),
      ...edgeLogGroupFindings(deployed, after, context.stack),
      ...statefulFindings(deployed, after, regions, context.stack, (next, old) => taken.has(`${next.urn} ${old.urn}`), statefulChangesOf, diffedOf, cascade.replacedWith, order, update),
      ...restApiEndpointFindings(deployed, after, context.stack),
      ...policyWriterDeletedFindings(deployed, after, regions, context.stack, cascade.replacedWith, order, diffedOf, statefulChangesOf, update),
      ...keyPolicyKeyChangedFindings(deployed, after, context.stack),
      ...preTokenTriggerKeptFindings(deployed, after, context.stack),
      ...userPoolSchemaFindings(deployed, after, (pool) => (statefulChangesOf.get(pool.urn)?.length ?? 0) > 0, context.stack),
      ...streamCycledFindings(deployed, after, tables, context.stack),
      ...keyAttributeFindings(tables, context.stack),
      ...replicaFindings(tables, context.stack),
      ...tableUpdateFindings(tables, context.stack),
      ...ignoredArrayFindings(deployed, after, context.stack),
      ...deploymentFindings(deployed, after, diffedOf, context.stack, order, cascade.replacedWith, update),
      ...cloudFrontDeletedWhileDeployingFindings(deployed, after, context.stack, update),
      ...websiteOriginClosedWhileDeployingFindings(deployed, after, context.stack),
      ...webSocketRouteStillServedFindings(deployed, after, context.stack),
      ...httpRouteStillServedFindings(deployed, after, context.stack),
      ...apiV2PartInUseFindings(deployed, after, context.stack, update),
      ...tableKeyRemovedFindings(deployed, after, context.stack, (table) => (statefulChangesOf.get(table.urn)?.length ?? 0) > 0),
      ...vpcSubnetLayoutFindings(deployed, after, context.stack),
      ...usagePlanKeyMovedFindings(deployed, after, context.stack, restJudgement),
      ...restRouteStillServedFindings(deployed, after, context.stack),
      ...restApiPartFindings(deployed, after, context.stack, restJudgement),
      ...movedOffDeleteFirstTargetFindings(update, context.stack),
    ];
    const all = [...found, ...retainedTooLateFindings(deployed, after, statefulChangesOf, diffedOf, context.stack, new Set(found.map((f) => f.resource)), cascade.replacedWith, update)];
    return options.accept ? acceptTransitionFindings(all, options.accept).findings : all;
  });
}

/**
 * The judgement the REST API part checks read (transition-rest-deployment.ts RestPartJudgement): a resource of the next
 * plan as the engine diffs it (asDiffed, any type: a method's ignoreChanges on httpMethod or resourceId keeps it where
 * it is), and whether the update replaces a resource both plans hold: for its own inputs (`replacedAsAnyKind`: the
 * tables, else its replaceOnChanges; an apigateway RestApi has no ForceNew input but is replaced through
 * replaceOnChanges) or through a replaceWith that names a replaced resource (`replacedWith`); and whether a replaced
 * one's deployed copy is deleted before its new one is created (`order`, cascadeOrder).
 */
function restPartJudgement(deployed: Graph, update: UpdateJudgement, order: CascadeOrder): RestPartJudgement {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const diffed = (next: RecordedResource) => {
    const old = deployedByUrn.get(next.urn);
    return old && holdsInputs(old) ? asDiffed({}, old, next) : next;
  };
  return {
    diffed,
    replaced: update.replaced,
    replacedDeleteFirst: update.replacedDeleteFirst,
    order: update.order,
    // Its deleteBeforeReplace, or deleted by the delete-before-replace branch of a replaceWith or deletedWith target (cascadeOrder).
    deletedFirst: (next) => deletedFirst(order, diffed(next)),
  };
}

/** The update from one plan to the next as the engine matches and replaces its resources (planUpdate). */
export interface PlanUpdate {
  /** How the next plan's resources claim deployed ones through aliases (renames, and duplicate claims). */
  matched: Claims;
  /** The deployed plan with each resource a next one claims through its aliases renamed to that one's URN (renamedByAliases). */
  deployed: Graph;
  /** The next plan as the update makes it: replacements cascaded through replaceWith and the values they draw anew (withCascadedReplacements). */
  after: Graph;
  cascade: ReturnType<typeof withCascadedReplacements>;
  /**
   * Whether the update replaces the resource of this URN (of `after`; a renamed one by its new URN) that both plans
   * hold: for its own inputs as the engine diffs them (asDiffed, replaceReasons with every table of its type, else its
   * replaceOnChanges; cascaded values included), through a replaceWith that names a replaced resource, or deleted early
   * in a delete-before-replace branch and re-created (order.early; not one deleted there after the engine kept it,
   * order.deletedAfterKept).
   */
  replaced(urn: string): boolean;
  /**
   * The order of the replacements' deletes (cascadeOrder): which deployed copies go before their new ones, and why;
   * `order.byNaming`, the resources of `after` the engine replaces delete-first for the stack's `pulumi:autonaming`,
   * each to the setting that does it (deletedFirstByNaming; `after` gives them deleteBeforeReplace: true).
   */
  order: CascadeOrder;
  /**
   * Whether the update replaces the resource of this URN (replaced) delete-first: its own deleteBeforeReplace (or the
   * one pulumi:autonaming sets, or the bridge's for a name set by hand), or its replaceWith or deletedWith target
   * replaced delete-first (cascadeOrder). The engine then deletes its deployed copy when it registers, in its own step.
   */
  replacedDeleteFirst(urn: string): boolean;
  /** The stack's regions the update was judged under (planUpdate's `context`): checkPlanTransition reads the plans under the same. */
  regions: StackRegions;
  /** The regions the update moves a resource of both plans between, if it does (regionMove, under `regions`): the one judgement of moves every check reads. */
  regionMove: RegionMove;
}

/**
 * The one judgement of which resources an update replaces, for every transition check (checkPlanTransition) and the
 * transition warnings (checkPlanTransitionWarnings): deployed resources matched to the next plan's through aliases as
 * the engine matches them (claims, renamedByAliases), then the replacements cascaded (withCascadedReplacements).
 * `naming` is the stack's `pulumi:autonaming` (autonaming.ts parseAutonaming; undefined: Pulumi's default): the
 * resources it makes the engine replace delete-first (deletedFirstByNaming) are judged so. `context` gives the stack's
 * `aws:region` of each plan (StackRegionContext: `region` now, `deployedRegion` the deployed plan's); unset, the stack's
 * region is unknown, and a resource of the default provider is not judged moved to another region.
 */
export function planUpdate(before: Graph, after: Graph, naming?: AutonamingConfig, context: StackRegionContext = {}): PlanUpdate {
  // The goal the engine replaces with: deleteBeforeReplace set where the stack's pulumi:autonaming sets it, so every
  // judgement of delete-first (deletedFirst, replacedDeleteFirst, cascadeOrder) reads it as the program's.
  const byNaming = deletedFirstByNaming(after, naming && configuredNaming(naming));
  if (byNaming.size > 0) after = after.map((r) => (byNaming.has(r.urn) ? { ...r, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true } : r));
  const matched = claims(before, after);
  const deployed = renamedByAliases(before, matched.renamed);
  // The next plan as the update makes it: replacements cascaded through replaceWith and through the values they draw anew.
  const replacedFor = (kind: ReplaceRule, old: RecordedResource, next: RecordedResource) => holdsInputs(old) && replaceReasons(kind, old, asDiffed(kind, old, next)).length > 0;
  // A replaceWith target of another type (a bucket, a secret, a topic) is judged by its own tables (replacementKindsOf);
  // one of a type no table knows, by its replaceOnChanges (a kind without replace-forcing inputs of its own).
  // Or moved to another region, by its own region or its provider's (regionMove), the default provider's too when the stack's region changes.
  const regions = stackRegions(context);
  const move = regionMove(deployed, after, regions);
  const moved = movesRegion(move);
  const replacedAsAnyKind = (old: RecordedResource, next: RecordedResource) => {
    const kinds: ReplaceRule[] = replacementKindsOf(next.type);
    return (kinds.length > 0 ? kinds : [{ type: next.type, replaceOn: [] }]).some((kind) => replacedFor(kind, old, next)) || (holdsInputs(old) && moved(old, asDiffed({}, old, next)));
  };
  const cascade = withCascadedReplacements(deployed, after, replacedFor, replacedAsAnyKind);
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterByUrn = new Map(cascade.after.map((r) => [r.urn, r]));
  // Asked per resource by several checks (deleteSkipped for every removed resource deletedWith another, every stage per
  // deployment in TransitionDeploymentStillServed): judged once per URN.
  const judged = new Map<string, boolean>();
  const replacedByDiff = (urn: string) => {
    let is = judged.get(urn);
    if (is === undefined) {
      const [old, next] = [deployedByUrn.get(urn), afterByUrn.get(urn)];
      is = cascade.replacedWith.has(urn) || (old !== undefined && next !== undefined && replacedAsAnyKind(old, next));
      judged.set(urn, is);
    }
    return is;
  };
  const order = cascadeOrder(deployed, cascade.after, cascade.replacedWith, byNaming, replacedByDiff, move);
  // Deleted early in a delete-before-replace branch (order.early), a resource the program keeps is re-created when it
  // registers: a replacement ("Case 1: recreating", step_generator.go lines 1482-1506, `sg.replaces[urn] = true`).
  const replaced = (urn: string) => replacedByDiff(urn) || (order.early.has(urn) && deployedByUrn.has(urn) && afterByUrn.has(urn));
  const replacedDeleteFirst = (urn: string) => replaced(urn) && order.deletesFirst(urn);
  return { matched, deployed, after: cascade.after, cascade, replaced, order, replacedDeleteFirst, regions, regionMove: move };
}

/**
 * `update` (a caller's options.update) as the checks read it under their stack `regions`: one judgement of which
 * resources move, so the update's and the checks' stack regions are one. An update judged without them
 * (planUpdate(before, after, naming), as every caller made it before planUpdate took a context) is still read under
 * regions that keep the stack's region, as it was then: that moves no resource of the default provider (the update
 * leaves unjudged only a move between a resource's own region and the stack's, which the checks' regionMove, under
 * `regions`, judges as they did before). Refused where the regions change the stack's region (deployedRegion ≠ region),
 * which such an update knows nothing of, and where the update's known regions differ (`caller` names the check).
 */
function updateUnder(update: PlanUpdate, regions: StackRegions, caller: string): PlanUpdate {
  const sameRegions = update.regions.deployed === regions.deployed && update.regions.next === regions.next;
  if (sameRegions) return update;
  const judgedWithoutRegions = !update.regions.deployed && !update.regions.next;
  if (judgedWithoutRegions && regions.deployed === regions.next) return { ...update, regionMove: regionMove(update.deployed, update.after, regions) };
  const shown = (r: StackRegions) => `${r.deployed || "unknown"} → ${r.next || "unknown"}`;
  throw new Error(`${caller}: options.update was judged under the stack regions ${shown(update.regions)}, the context gives ${shown(regions)}: pass options.update = planUpdate(before, after, naming, context) with this context`);
}

/**
 * The transition warnings of an update from plan `before` to `after` (PLAN_TRANSITION_WARNING_RULES, transition-data.ts):
 * what AWS refuses only in a state the plans do not show. Print them; never fail on them (checkPlanTransition's are the
 * failures). The update is judged as checkPlanTransition judges it (planUpdate: aliases followed, replacements cascaded),
 * or is `options.update`, that judgement of these two plans already made (one for both checks), refused as
 * checkPlanTransition refuses it when judged under other stack regions than `context` gives. No `autonaming`: the
 * stack's `pulumi:autonaming` changes only which replacements delete first (planUpdate), and the one warning,
 * TransitionDbSubnetInUse, reads which resources are replaced, not in what order.
 */
export function checkPlanTransitionWarnings(before: Graph, after: Graph, context: { stack?: string } & StackRegionContext = {}, options: Pick<TransitionOptions, "update"> = {}): TransitionFinding[] {
  const update = options.update ? updateUnder(options.update, stackRegions(context), "checkPlanTransitionWarnings") : planUpdate(before, after, undefined, context);
  return dbSubnetInUseWarnings(update.deployed, update.after, context.stack, update.replaced);
}

/**
 * A REST API deployment's replace-forcing inputs (deployment.go, SDKv2, read at 00a35305dc1b297a6fcdecdfbba33f1e63c3da39:
 * rest_api_id (Required), triggers and variables (Optional TypeMaps, not Computed) are ForceNew; description is patched).
 * Its `variables` become the stage's variables, which can hold secrets: compared (and saved) as a digest. An empty map
 * of either is none, as unset (`maps`).
 */
const DEPLOYMENT_KIND = { type: DEPLOYMENT, replaceOn: ["restApi", "triggers", "variables", "region"], emptyIsUnset: true, maps: ["triggers", "variables"], hashedInputs: ["variables"] } as const;

/**
 * A deployment of the deployed plan that the update deletes (removed from the program, or replaced: its old copy is
 * deleted at the end) while a stage still serves that copy: DeleteDeployment "will only succeed if there are no Stage
 * resources associated with it" (API_DeleteDeployment), and the delete is not retried with anything moved. A stage
 * still serves it after the update when the stage's deployed `deployment` (or canary's `deploymentId`) is this
 * deployment and the stage ignores changes of that input (`ignoreChanges`), or when the program still names the
 * removed deployment's id. A stage the update moves to the new copy still serves the deployed one when that is deleted
 * first (deletedFirst: its deleteBeforeReplace, the one `pulumi:autonaming` sets under verbatim, disabled or a pattern
 * with no random part, or a replaceWith or deletedWith target replaced delete-first): the delete comes before the new
 * copy's create, and so before the stage's update. A stage the update removes or replaces is deleted first (it depends on the deployment);
 * replaced is planUpdate's judgement (PlanUpdate.replaced): for its own inputs, or by the cascade (its replaceWith or
 * deletedWith names a replaced resource), whose new copy is checked from the program's inputs, ignoreChanges not
 * applied (step_generator.go continueStepsFromDiff, the Check of `goal.Properties` after `sg.replaces[urn] = true`).
 * Replaced: for its own inputs, or by the cascade (`replacedWith`: its replaceWith or deletedWith names a replaced
 * resource, replacedBecause), its deployed copy deleted first or at the end (deletedFirst), refused either way; not
 * when the engine skips that delete for a deletedWith target the update removes or replaces (deleteSkipped), which sends none.
 */
function deploymentFindings(deployed: Graph, after: Graph, diffedOf: ReadonlyMap<string, RecordedResource>, stack: string | undefined, order: CascadeOrder, replacedWith: ReplacedWith, update: UpdateJudgement): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const afterUrns = new Set(afterByUrn.keys());
  /**
   * Why the deployed copy of `stage` (of the deployed plan) stays in API Gateway though the update removes or replaces
   * the stage, or undefined when it is deleted (before the deployment: it depends on it). Kept: retainOnDelete, or its
   * delete skipped for a deletedWith target the update removes or replaces (deleteSkipped).
   */
  const oldStageKept = (was: RecordedResource): string | undefined => {
    if (was.retainOnDelete) return "retainOnDelete";
    // deleteSkipped (planUpdate's judgement): removed with a target the update removes or replaces, or replaced with a
    // target it removes or replaces (delete-first, or the copy deleted at the end).
    const skipped = deleteSkipped(was, afterUrns, update);
    return skipped ? `its delete is skipped for its deletedWith target ${(afterByUrn.get(was.deletedWith!) ?? deployedByUrn.get(was.deletedWith!))?.name ?? was.deletedWith}, which the update ${afterUrns.has(was.deletedWith!) ? "replaces" : "deletes"} (pulumi step.go DeleteStep.Apply, isDeletedWith)` : undefined;
  };
  for (const old of ofType(deployed, DEPLOYMENT)) {
    const next = afterByUrn.get(old.urn);
    // A plan saved before deployments' inputs were kept cannot tell a replacement from an update.
    if (next && !holdsInputs(old)) continue;
    // Replaced for its own inputs, or by the cascade (its replaceWith or deletedWith names a replaced resource), or
    // deleted early in a delete-before-replace branch and re-created (order.early: a replace-forcing input, triggers or
    // restApi, takes its value from a resource replaced delete-first).
    const replaced =
      next &&
      (replacedBecause(replaceReasons(DEPLOYMENT_KIND, old, diffedOf.get(next.urn)!), "a new deployment, terraform-provider-aws apigateway/deployment.go", replacedWith, afterByUrn, next.urn) ??
        (order.early.has(next.urn) ? "is replaced (re-created after the engine deletes it early, in a delete-before-replace branch)" : undefined));
    const deleteFirst = next !== undefined && deletedFirst(order, diffedOf.get(next.urn) ?? next);
    // A delete the engine skips (retained, or deletedWith a target the update removes or replaces: deleteSkipped with
    // planUpdate's judgement, for a removed or a replaced deployment) is never sent, so never refused.
    if ((next && !replaced) || deleteSkipped(old, afterUrns, update) || old.id === undefined) continue;
    const servers: string[] = [];
    const keptStages: string[] = [];
    // Stages the update moves to the new copy while the deployed one is deleted first (movedTooLate).
    const movingStages: string[] = [];
    for (const was of ofType(deployed, STAGE)) {
      const stage = afterByUrn.get(was.urn);
      // A stage the update removes or replaces (planUpdate's judgement: its own inputs as diffed, or the cascade: a
      // replaceWith or deletedWith target replaced) has its deployed copy deleted before the deployment, unless that
      // delete is not sent (oldStageKept); its new copy is checked anew from the program's inputs, ignored ones
      // included (step_generator.go continueStepsFromDiff: `prov.Check(... News: goal.Properties ...)` once
      // `sg.replaces[urn] = true`), so it takes the program's deployment.
      if (!stage || update.replaced(stage.urn)) {
        const kept = oldStageKept(was);
        const through = [
          { deployedId: was.inputs.deployment, label: "" },
          { deployedId: was.inputs.canarySettings?.deploymentId, label: "'s canary" },
        ].find(({ deployedId }) => deployedId === old.id);
        if (kept && through) {
          servers.push(`the deployed copy of stage ${was.name}${through.label} still serves it: the update ${stage ? "replaces" : "removes"} the stage without deleting that copy (${kept})`);
          keptStages.push(was.name);
        }
        continue;
      }
      // An ignored input keeps its deployed value: the input itself, or an object input holding it (any path form the engine reads).
      const ignores = (path: string) => ignoredBy(stage, path.split(".")).length > 0;
      const inputs = [
        { path: "deployment", deployedId: was.inputs.deployment, id: stage.inputs.deployment, through: "" },
        { path: "canarySettings.deploymentId", deployedId: was.inputs.canarySettings?.deploymentId, id: stage.inputs.canarySettings?.deploymentId, through: "'s canary" },
      ];
      for (const { path, deployedId, id, through } of inputs) {
        if (ignores(path) && deployedId === old.id) servers.push(`stage ${stage.name}${through} still serves the deployed copy (its ignoreChanges holds "${path}", so the update leaves it there)`);
        // Replaced delete-first, the deployed copy is deleted before the new one is created, so before the stage moves
        // to it: the stage's deployment input is not ForceNew (terraform-provider-aws apigateway/stage.go patches
        // /deploymentId), so the engine does not replace the stage first (pulumi pkg/resource/deploy/step_generator.go
        // calculateDependentReplacements: it keeps only the dependents "that would ... be replaced by changes to their
        // dependencies", asking the provider's Diff with those inputs unknown; pulumi's delete_before_create integration
        // test: "Update Dependent-3" for a dependent whose input is not replace-forcing. Read, not run).
        else if (next && deleteFirst && deployedId === old.id) {
          servers.push(`stage ${stage.name}${through} still serves it: the stage moves to the new deployment only after the deployed copy's delete (its ${path} is not ForceNew: the engine updates the stage after the deployment, and does not delete it first, pulumi step_generator.go calculateDependentReplacements)`);
          movingStages.push(stage.name);
        }
        // The program names the removed deployment by its id (a replaced one's references move to the new copy).
        else if (!next && !ignores(path) && id === old.id) servers.push(`stage ${stage.name}${through} still names it`);
      }
    }
    if (servers.length === 0) continue;
    const what = next
      ? `${replaced}, and its deployed copy is deleted ${deleteFirst ? `first (${deletedFirstBecause(order, replacedWith, afterByUrn, next.urn)})` : "at the end of the update"}`
      : "is removed from the program, and deleted at the end of the update";
    const movedTooLate = movingStages.length > 0 ? movedTooLateFix(order, next!.urn) : undefined;
    const tooLate = next?.retainOnDelete && !old.retainOnDelete ? `. The retainOnDelete: true, which the program now sets, comes too late: the engine deletes the old copy by the options it was deployed with (${RETAIN_SOURCE})` : "";
    findings.push(
      finding(
        "TransitionDeploymentStillServed",
        next ?? old,
        `${what}, while ${servers.join(" and ")}. API Gateway refuses that DeleteDeployment ("Active stages pointing to this deployment must be moved or deleted", pulumi/pulumi-aws#5711; "Deleting a deployment will only succeed if there are no Stage resources associated with it", DeleteDeployment), so the update fails, and the delete stays pending: every later pulumi up retries it and fails the same way until no stage serves the deployment${tooLate}`,
        [
          ...(movedTooLate ? [movedTooLate] : []),
          ...(keptStages.length > 0 ? [`let the update delete the deployed copy of stage ${keptStages.join(", ")} (drop its retainOnDelete or deletedWith in an update of its own before this one, or delete it by hand first)`] : []),
          // The fixes for a stage that stays on the deployed copy (one that ignores its deployment, names a removed one, or is kept).
          ...(servers.length === movingStages.length
            ? []
            : next
              ? [`keep the deployment a stage serves unchanged while the stage ignores its deployment: give it ignoreChanges on the changed inputs and put the new snapshot on a second deployment for the canary (ServerlessApi does so from this version: <name>-canary-deployment; docs/api-gateway-deployments.md, which also says how a stack already failing this way recovers: promote the canary), or set retainOnDelete: true on the deployment in an update of its own before the one that replaces it, or let the stage move to the new deployment in this update (no ignoreChanges on "deployment")`]
              : [`point the stage at the deployment the program keeps (by reference, not by a literal id) in this update, or remove the deployment in a later update, once no stage serves it`]),
        ].join("; or "),
        stack,
      ),
    );
  }
  return findings;
}

/**
 * The fix for a deployment replaced delete-first while a stage moves to its new copy (deploymentFindings): replace it
 * create-first, so the stage moves before the deployed copy's delete. Under `pulumi:autonaming` (order.byNaming) a
 * per-type pattern with a random part for the deployment type, under which the engine no longer sets its
 * deleteBeforeReplace (naming-delete-first.ts); else the program's own delete-first: its option or a replaceWith or
 * deletedWith target replaced delete-first (deletedFirst).
 */
function movedTooLateFix(order: CascadeOrder, urn: string): string {
  const createFirst = "so the deployment is replaced create-first and the stage moves to the new one before the deployed copy is deleted";
  if (order.byNaming.has(urn))
    return `set a per-type pattern with a random part for ${DEPLOYMENT} in pulumi:autonaming (providers.aws.resources["${DEPLOYMENT}"]: { pattern: "\${name}-\${hex(7)}" }), ${createFirst} (a deployment has no name, so only the order changes)`;
  const cause = earlyCause(order, urn);
  if (cause === "input") return `keep the outputs of the resources replaced delete-first out of the deployment's replace-forcing inputs (${order.forcedInputs.get(urn)!.join(", ")}; order it after them with dependsOn instead), or let those be replaced create-first, so the engine does not delete the deployment before them and the stage moves to the new one before the deployed copy is deleted`;
  if (cause === "provider") return `let provider ${order.forcedByProvider.get(urn)} be replaced create-first (drop its deleteBeforeReplace), or keep it as deployed, so the engine does not delete the deployment with the provider's other resources before the stage moves`;
  return cause === "replaceWith"
    ? `take the deployment's replaceWith or deletedWith off the resource replaced delete-first, or let that one be replaced create-first, ${createFirst}`
    : `drop the deployment's deleteBeforeReplace, ${createFirst}`;
}

const RETAIN_SOURCE = 'pulumi pkg/resource/deploy/step.go DeleteStep.Apply reads the old state\'s RetainOnDelete; "if your state has retain=false and then you do a replace with retain=true that means just delete the old resource", pulumi/pulumi#13428';

/**
 * A resource the update replaces that the program sets `retainOnDelete: true` on while its deployed copy has not: the
 * engine deletes the old copy by the state's options, so the copy the program now means to keep is deleted. Judged for
 * the types whose replace-forcing inputs the checks know (the named, stateful and deployment types): replaced for their
 * own inputs, or by the cascade (`replacedWith`: a replaceWith or deletedWith target replaced, which the engine
 * replaces them for without asking the provider, replacedBecause), except where the engine skips the old copy's delete
 * for a deletedWith target it removes or replaces (deleteSkipped: nothing is deleted). Left to a finding of another rule
 * on the same resource, which says it.
 */
function retainedTooLateFindings(
  deployed: Graph,
  after: Graph,
  statefulChangesOf: ReadonlyMap<string, string[]>,
  diffedOf: ReadonlyMap<string, RecordedResource>,
  stack: string | undefined,
  reported: ReadonlySet<string>,
  replacedWith: ReplacedWith,
  update: UpdateJudgement,
): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const afterUrns = new Set(afterByUrn.keys());
  const named = new Map(TRANSITION_NAMED_TYPES.map((kind) => [kind.type, kind]));
  for (const next of after) {
    const old = deployedByUrn.get(next.urn);
    if (!old || !next.retainOnDelete || old.retainOnDelete || old.protect || !holdsInputs(old) || deleteSkipped(old, afterUrns, update) || reported.has(`${next.type} ${next.name}`)) continue;
    const kind = named.get(next.type) ?? (next.type === DEPLOYMENT ? DEPLOYMENT_KIND : undefined);
    if (!statefulKind.has(next.type) && !kind) continue;
    const diffed = diffedOf.get(next.urn) ?? next;
    // A stateful type's changes hold the cascade's reason already (statefulChangesByUrn); the others' get it here.
    const cascaded = replacedWith.has(next.urn) ? [`${cascadeChain(replacedWith, afterByUrn, next.urn)}, which the update replaces`] : [];
    const reasons = statefulKind.has(next.type) ? statefulChangesOf.get(next.urn)! : [...replaceReasons(kind!, old, diffed), ...cascaded];
    if (reasons.length === 0) continue;
    findings.push(
      finding(
        "TransitionRetainedTooLate",
        next,
        `is replaced (${reasons.join(", ")}) in the update that sets retainOnDelete: true on it, but its deployed copy was deployed without it, and the engine deletes the old copy of a replacement by the options it was deployed with (${RETAIN_SOURCE}): the copy the program means to keep is deleted`,
        `set retainOnDelete: true in an update of its own (with the replace-forcing inputs as deployed), then make the change; or keep retainOnDelete as deployed if the old copy may go`,
        stack,
      ),
    );
  }
  return findings;
}

/**
 * Two resources claiming one deployed resource: one by its URN or an alias, the other by an alias. The engine stops the
 * update with "Duplicate resource alias '…' applied to resource with URN '…' conflicting with resource with URN '…'"
 * (pulumi/pulumi pkg/resource/deploy diag 2008), since the deployed resource can become only one of them.
 */
function aliasFindings(duplicates: Claims["duplicates"], stack: string | undefined): TransitionFinding[] {
  return duplicates.map(({ resource, alias, holder }) =>
    finding(
      "TransitionDuplicateAlias",
      resource,
      `lists the deployed resource ${alias} among its aliases, which ${holder.type} ${holder.name} ${holder.urn === alias ? "still is" : "claims first"}; Pulumi refuses the update ("Duplicate resource alias"), since the deployed resource can become only one of them`,
      `keep the alias on the one resource that is the deployed one renamed, and drop it from ${resource.name}`,
      stack,
    ),
  );
}

/**
 * Which resource of `after` each deployed resource becomes, as the engine matches them: a resource whose URN is
 * deployed is that resource (its aliases are not looked at); another takes the first of its aliases (its own, then those
 * inherited) that names a deployed resource. A second claim on one deployed resource is a duplicate.
 */
export interface Claims {
  /** Deployed URN → the URN of the resource of `after` that it becomes. */
  renamed: Map<string, string>;
  duplicates: Array<{ resource: RecordedResource; alias: string; holder: RecordedResource }>;
}

function claims(before: Graph, after: Graph): Claims {
  const deployed = new Set(before.map((r) => r.urn));
  const holders = new Map<string, RecordedResource>();
  for (const r of after) if (deployed.has(r.urn)) holders.set(r.urn, r);
  const renamed = new Map<string, string>();
  const duplicates: Claims["duplicates"] = [];
  const aliasesOf = everyAlias(after);
  for (const r of after) {
    if (deployed.has(r.urn)) continue;
    const alias = aliasesOf(r).find((urn) => deployed.has(urn));
    if (!alias) continue;
    const holder = holders.get(alias);
    if (holder) {
      duplicates.push({ resource: r, alias, holder });
      continue;
    }
    holders.set(alias, r);
    renamed.set(alias, r.urn);
  }
  return { renamed, duplicates };
}

/**
 * The deployed plan as the engine matches it to the next: a deployed resource that a new one claims through its
 * aliases (claims) is that resource, renamed (updated in place, not created beside a removed one), so it takes the new
 * URN, and so do the references to it.
 */
function renamedByAliases(before: Graph, renamed: Claims["renamed"]): Graph {
  if (renamed.size === 0) return before;
  const urn = (value: string) => renamed.get(value) ?? value;
  return before.map((r) =>
    renamed.has(r.urn) || r.dependencies.some((d) => renamed.has(d)) || (r.parent && renamed.has(r.parent)) || (r.deletedWith && renamed.has(r.deletedWith))
      ? { ...r, urn: urn(r.urn), dependencies: r.dependencies.map(urn), parent: r.parent && urn(r.parent), deletedWith: r.deletedWith && urn(r.deletedWith) }
      : r,
  );
}

/**
 * A resource's aliases with the ones it inherits: a child of a renamed (aliased) parent is also known under each of the
 * parent's earlier URNs, by its name and by each of its own aliases' names, with the parent's earlier name in front of
 * a name that starts with the parent's (`<parent>-bucket`), as the engine derives them (@pulumi/pulumi resource.js,
 * inheritedChildAlias). URNs as the mock monitor makes them: the parent's own type before the child's.
 */
function everyAlias(graph: Graph): (resource: RecordedResource) => string[] {
  const byUrn = new Map(graph.map((r) => [r.urn, r]));
  const known = new Map<string, string[]>();
  const aliasesOf = (r: RecordedResource): string[] => {
    const cached = known.get(r.urn);
    if (cached) return cached;
    const own = r.aliases ?? [];
    known.set(r.urn, own);
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const names: Array<{ name: string; type: string }> = [{ name: r.name, type: r.type }, ...own.map((urn) => ({ name: urnName(urn), type: urnType(urn) }))];
    const inherited = parent
      ? aliasesOf(parent).flatMap((parentAlias) => {
          const [stackPart, project] = parentAlias.split("::");
          return names.map(({ name, type }) => {
            const aliasName = name.startsWith(parent.name) ? urnName(parentAlias) + name.slice(parent.name.length) : name;
            return `${stackPart}::${project}::${urnType(parentAlias)}$${type}::${aliasName}`;
          });
        })
      : [];
    const all = [...new Set([...own, ...inherited])];
    known.set(r.urn, all);
    return all;
  };
  return aliasesOf;
}

/** A recorded plan written to a file (`npm run plan -- --save`), with what `checkPlanTransition` reads. */
export interface SavedPlan {
  format: "serverless-fullstack/plan@1";
  stack: string;
  /**
   * The stack's `aws:region` the plan was made under: the deployed side's (checkPlanTransition's `deployedRegion`).
   * `--save` has always written it; a file without it (made otherwise) is read under the current stack's region.
   */
  region?: string;
  resources: SavedResource[];
}

/** A resource of a saved plan: a recorded resource with the inputs the file keeps of it. */
export interface SavedResource extends RecordedResource {
  /**
   * The inputs this plan holds of the resource, set or unset (`TransitionNamedType.savedInputs` notation: `a.b` for one
   * field of object input a; an ignoreChanges path such as `ingress[*].cidrBlocks` for the shape the engine's reset reads
   * along it; `*` for all). An input not listed is unknown, not unset: the checks that read it pass the resource over.
   */
  savedInputs?: string[];
}

/**
 * A plan for a file: every resource's identity, options and dependencies (by input too: propertyDependencies), and the inputs the transition checks read:
 * of the named types (TRANSITION_NAMED_TYPES) their `savedInputs`, or all of them where those hold nothing secret or
 * personal; of tables, user pools and buckets (TRANSITION_STATEFUL_TYPES) the replace-forcing and protection inputs
 * (not a pool's email or SMS configuration); the inputs TRANSITION_READ_INPUTS lists (a table's stream view type and
 * attribute definitions, a REST API's endpoint type); of REST API deployments `restApi`, `triggers`
 * (a digest of the API's parts in ServerlessApi), `variables` and `region`; of backup vault locks all; of providers the
 * region; of the types the replacement cascade follows (CASCADE_TYPES, replacements.ts) and of the policy holders
 * (POLICY_HOLDER_TYPES, replacements.ts: a topic's name and FIFO flag, a KMS key's spec and usage, ...) their
 * replace-forcing inputs; of outputs, a table's ARN only (its resource policies name it by that). Inputs read only for equality that are secret or personal (`hashedInputs`: a subscription's endpoint, an
 * imported certificate and its private key, a deployment's variables, a random string's keepers) are kept as `sha256:<hex>` digests. Other inputs
 * are left out: they can hold secrets (resolved config secrets, environment variables, stage variables, a CloudFront
 * origin's secret header) and Lambda code, and no transition check reads them.
 */
export function toSavedPlan(graph: Graph, context: Pick<DeployRuleContext, "stack" | "region">): SavedPlan {
  const named = new Map(TRANSITION_NAMED_TYPES.map((kind) => [kind.type, kind]));
  const statefulFields = (kind: TransitionStatefulType) => [...kind.replaceOn, ...kind.replaceWhenSet, ...kind.alsoKept, "region"];
  /** The inputs named by `fields` (`a.b`: field b of object input a), with `hashed` ones as digests. */
  const pick = (r: RecordedResource, fields: readonly string[], hashed: readonly string[]) => {
    const picked: Record<string, any> = {};
    for (const field of fields) {
      const [head, part] = field.split(".");
      const value = part === undefined ? r.inputs[head] : r.inputs[head]?.[part];
      if (value === undefined) continue;
      if (part === undefined) picked[head] = hashed.includes(head) ? savedDigest(value) : value;
      else picked[head] = { ...picked[head], [part]: value };
    }
    return picked;
  };
  const resources = graph.map((r): SavedResource => {
    const kind = named.get(r.type);
    const stateful = statefulKind.get(r.type);
    const cascade = cascadeTypeOf(r.type);
    const holder = policyHolderTypeOf(r.type);
    const fields = [...new Set([...(kind?.savedInputs ?? []), ...(stateful ? statefulFields(stateful) : []), ...(r.type === DEPLOYMENT ? DEPLOYMENT_KIND.replaceOn : []), ...(TRANSITION_READ_INPUTS[r.type] ?? []), ...(cascade?.replaceOn ?? []), ...(cascade?.replaceWhenSet ?? []), ...(cascade?.alsoKept ?? []), ...(holder?.replaceOn ?? []), ...(holder?.replaceWhenSet ?? [])])];
    const hashed = [...(kind?.hashedInputs ?? []), ...(r.type === DEPLOYMENT ? DEPLOYMENT_KIND.hashedInputs : []), ...(cascade?.hashedInputs ?? [])];
    if (savesAllInputs(r.type)) return { ...r, inputs: JSON.parse(JSON.stringify(r.inputs)), state: {}, savedInputs: ["*"] };
    const provider = r.type.startsWith("pulumi:providers:");
    const kept = fields.length > 0 ? [...fields] : provider ? ["region"] : [];
    const inputs: Record<string, unknown> = fields.length > 0 ? pick(r, fields, hashed) : provider && typeof r.inputs.region === "string" ? { region: r.inputs.region } : {};
    // The shape an ignoreChanges path through an array reads (TransitionIgnoredArrayResized), where the input is not kept whole.
    for (const entry of r.ignoreChanges ?? []) {
      const path = parsePropertyPath(entry);
      if (!path || typeof path[0] !== "string" || kept.includes(path[0]) || !path.some((element) => element === "*" || typeof element === "number")) continue;
      inputs[path[0]] = mergeShapes(inputs[path[0]], (shapeAlong(r.inputs, path) as Record<string, unknown> | undefined)?.[path[0]]);
      kept.push(entry);
    }
    // A table's resource policies name it by ARN, which is state (its id is its name): kept, so that the policies find
    // their table (DYNAMODB_TABLE_POLICY_TARGETS) in the saved plan too. A plan saved without it reports them as before.
    const state = r.type === TABLE && typeof r.state.arn === "string" ? { arn: r.state.arn } : {};
    return { ...r, inputs: JSON.parse(JSON.stringify(inputs)), state, savedInputs: kept };
  });
  return { format: "serverless-fullstack/plan@1", stack: context.stack, region: context.region, resources };
}

/** Types a saved plan keeps every input of: named types whose inputs hold nothing secret or personal, and TRANSITION_INPUT_TYPES. */
function savesAllInputs(type: string): boolean {
  const kind = TRANSITION_NAMED_TYPES.find((k) => k.type === type);
  return (kind !== undefined && !kind.savedInputs) || TRANSITION_INPUT_TYPES.includes(type);
}

/**
 * The shape of `value` along `path` (an ignoreChanges path through arrays): the arrays and objects on the path with the
 * elements and keys it reaches, and each value it ends at as a digest (savedDigest; a number or boolean as it is): what
 * the engine's reset reads of the deployed inputs, without values that can be secret.
 */
function shapeAlong(value: unknown, path: PropertyPath): unknown {
  if (!present(value)) return undefined;
  if (path.length === 0) return typeof value === "number" || typeof value === "boolean" ? value : savedDigest(value);
  const [key, ...rest] = path;
  if (Array.isArray(value)) {
    if (key === "*") return value.map((element) => shapeAlong(element, rest) ?? null);
    if (typeof key === "number") return value.map((element, i) => (i === key ? (shapeAlong(element, rest) ?? null) : null));
  } else if (isObject(value)) {
    if (key === "*") return Object.fromEntries(Object.entries(value).filter(([, v]) => present(v)).map(([k, v]) => [k, shapeAlong(v, rest)]));
    if (typeof key === "string") return present(value[key]) ? { [key]: shapeAlong(value[key], rest) } : {};
  }
  return savedDigest(value);
}

/** Two shapes of one value (shapeAlong along two paths) as one. */
function mergeShapes(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return a.map((element, i) => mergeShapes(element, b[i]));
  if (isObject(a) && isObject(b)) return Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, mergeShapes(a[k], b[k])]));
  return present(a) ? a : b;
}

/** Reads a saved plan (JSON text), or throws saying what is wrong with it. */
export function readSavedPlan(json: string, origin = "the saved plan"): SavedPlan {
  let parsed: any;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`${origin} is not JSON (${error instanceof Error ? error.message : String(error)}): write it with npm run plan -- --stack <stack> --save <file>`);
  }
  if (parsed?.format !== "serverless-fullstack/plan@1" || !Array.isArray(parsed.resources) || typeof parsed.stack !== "string") {
    throw new Error(`${origin} is not a saved plan (format "serverless-fullstack/plan@1" with stack and resources): write it with npm run plan -- --stack <stack> --save <file>`);
  }
  if (parsed.region !== undefined && (typeof parsed.region !== "string" || parsed.region === "")) {
    throw new Error(`${origin} has region ${JSON.stringify(parsed.region)}, not the stack's aws:region it was made under: save the plan again with npm run plan -- --stack ${parsed.stack} --save <file>`);
  }
  const plan = parsed as SavedPlan;
  return { ...plan, resources: plan.resources.map((r) => (r.savedInputs ? r : { ...r, savedInputs: savedBefore(r) })) };
}

/**
 * What a plan saved before resources listed their saved inputs holds of `r`: all inputs of the types saved whole, else
 * the inputs it has (one field of an object input for a type that keeps only that, `canarySettings.deploymentId`).
 * Another input was not kept, so it is unknown.
 */
function savedBefore(r: RecordedResource): string[] {
  if (savesAllInputs(r.type)) return ["*"];
  const partial = TRANSITION_NAMED_TYPES.find((kind) => kind.type === r.type)?.savedInputs?.filter((spec) => spec.includes(".")) ?? [];
  return Object.keys(r.inputs).flatMap((field) => {
    const parts = partial.filter((spec) => spec.startsWith(`${field}.`));
    return parts.length > 0 ? parts : [field];
  });
}
