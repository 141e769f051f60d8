/**
 * Replacements a plan does not show by itself, for the transition checks (checkPlanTransition): the engine replaces a
 * resource whose `replaceWith` names a resource it replaces, transitively (pulumi pkg/resource/deploy/step_generator.go
 * `findDependentCascadeReplacements`, https://www.pulumi.com/docs/iac/concepts/options/replacewith/), and a replaced
 * resource gets values its deployed self did not have: a RandomString's new `result`, a security group's new id, a
 * name the provider draws anew (`namePrefix`, or no name). Every input of the next plan that holds such a value holds
 * a new one after the update, and where that input replaces its resource (a cluster's `dbSubnetGroupName`, a
 * RandomString's `keepers`), the replacement cascades on. The mocks record each plan on its own, so both plans hold the
 * same mocked values; `withCascadedReplacements` writes the next plan as the update would make it: each value a
 * replacement draws anew becomes `<new VALUE>` in every input and output that holds it, so the checks that compare
 * inputs (TransitionStatefulReplaced, TransitionRdsClusterNameReused) see the change. A value that is the drawn one
 * (a subnet group's name as a cluster's dbSubnetGroupName) is rewritten whole wherever it is; a value that only
 * contains it is rewritten only in a resource that depends on the drawing one (its recorded dependencies,
 * transitively: `${name}-cluster-${suffix}` of a RandomString's result), never in one that merely happens to hold a
 * longer string around it.
 *
 * Only the types below are followed; a resource whose inputs the deployed plan does not hold (a plan saved before they
 * were kept) is not judged.
 */
import { dependencyClosure, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { RDS_CLUSTER, RDS_CLUSTER_INSTANCE, RDS_CLUSTER_REPLACEMENT, RDS_SUBNET_GROUP } from "./rds";

/**
 * How the transition checks compare a type's inputs for a replacement. Unset: as canonical JSON, where unset and null
 * are alike and [] is a value of its own, and an array's order counts.
 */
export interface InputComparison {
  /**
   * The provider compares the inputs as terraform-provider-aws's SDKv2 schema does, which keeps no difference between
   * a zero value and none: unset, null, [] and "" are alike, for every input.
   */
  emptyIsUnset?: boolean;
  /**
   * Inputs the provider keeps as a map (TypeMap): under `emptyIsUnset` an empty map ({}) is none too. SDKv2 diffs a map
   * by its count and entries (terraform-plugin-sdk helper/schema/schema.go `diffMap`: `changed := oldLen != newLen`,
   * then each entry), so {} after unset, or unset after {}, is no change. Only those inputs: a nested block written as
   * {} is a block, not none.
   */
  maps?: readonly string[];
  /** Inputs the provider keeps as a set (TypeSet): their order means nothing. Each maps an element to its sort key. */
  sets?: Readonly<Partial<Record<string, (element: any) => string>>>;
  /**
   * Inputs with a schema `Default`: unset (or null) is that value to the provider, so it compares as that value. An
   * SDKv2 `Default` and a Plugin Framework attribute's `Default` alike: the framework plans it into the state. Also an
   * Optional+Computed input that AWS fills with a known value when it is not given, which the provider's Read puts into
   * the state (a log group's class, STANDARD): set to that value after unset, it equals the state, so no change.
   */
  defaults?: Readonly<Partial<Record<string, unknown>>>;
  /**
   * Inputs whose value the provider's state holds in another form than a program may write it (a block with its
   * fields' defaults and Computed fields filled in): each maps a set value (or its `defaults` value) to the form compared,
   * so a value written as the state already holds it is no change.
   */
  canonical?: Readonly<Partial<Record<string, (value: unknown) => unknown>>>;
}

/**
 * A type whose replacement the cascade follows: its replace-forcing inputs, how they are compared (the same as where the
 * type is also stateful, TRANSITION_STATEFUL_TYPES), and what a replacement draws anew.
 */
export interface CascadeType extends InputComparison {
  type: string;
  /** Inputs whose change replaces the resource (ForceNew, or the random provider's RequiresReplace). */
  replaceOn: readonly string[];
  /** Inputs that replace it only when the next program sets them (TransitionStatefulType's, which see). */
  replaceWhenSet?: readonly string[];
  /**
   * A replacement `replaceOn` cannot express, as TransitionNamedType's (which see): why, or undefined when it does not
   * replace. The inputs it reads that `replaceOn` does not list are in `alsoKept`.
   */
  replaceWhen?(before: RecordedResource, after: RecordedResource): string | undefined;
  /** Inputs a saved plan keeps besides `replaceOn` and `replaceWhenSet`: those `replaceWhen` reads. */
  alsoKept?: readonly string[];
  /** Of those, inputs that can hold secrets: a saved plan keeps them as digests, compared as digests on both sides. */
  hashedInputs?: readonly string[];
  /** The values of the resource (outputs) that a replacement draws anew. */
  drawnAnew(resource: RecordedResource): unknown[];
  /**
   * pulumi-aws's AutoName field: set by hand, the bridge replaces the resource delete-first (as TransitionNamedType's
   * `autonameField`), and the engine then deletes what names it in `replaceWith` before it too.
   */
  autonameField?: string;
}

const RANDOM_INPUTS = ["keepers", "length", "lower", "upper", "special", "minLower", "minUpper", "minNumeric", "minSpecial"];
/**
 * The random provider's Plugin Framework defaults (resource_string.go, resource_password.go at
 * ad788e233bb42be5ecad3ba8f43de0d9d9dc7185; pulumi-random bridges it with pf.ShimProvider, so its Diff is the
 * framework's plan): special, upper and lower `booldefault.StaticBool(true)`, the min_* `int64default.StaticInt64(0)`.
 * A default is planned into the state, so an unset input after a set default value is no change, and after another
 * value a replacement. No `emptyIsUnset`: the framework keeps null apart from "" (randomReplaceWhen).
 */
const RANDOM_DEFAULTS = { special: true, upper: true, lower: true, minLower: 0, minUpper: 0, minNumeric: 0, minSpecial: 0 };
/**
 * The random inputs whose plan reads more than their own value (terraform-provider-random at
 * 0117aa60f8ebe02fd51910d8e6883123dadb3cb2):
 * - number and numeric: NumberNumericAttributePlanModifier (internal/planmodifiers/bool) plans both from one value,
 *   true when neither is set and otherwise the one set ("Default to using value for numeric if number is null", and the
 *   reverse; both set to different values is an error), so `number: false` → `numeric: false`, the migration the
 *   deprecation asks for ("Number is deprecated, use numeric instead"), changes nothing;
 * - override_special: RequiresReplaceIf(RequiresReplaceUnlessEmptyStringToNull), "Replace on modification unless
 *   updating from empty string ("") to null": null → "" replaces, "" → null does not.
 */
function randomReplaceWhen(before: RecordedResource, after: RecordedResource): string | undefined {
  const digits = (r: RecordedResource) => r.inputs.numeric ?? r.inputs.number ?? true;
  const special = (r: RecordedResource) => r.inputs.overrideSpecial ?? null;
  const reasons: string[] = [];
  if (digits(before) !== digits(after)) reasons.push(`numeric (${digits(before)} → ${digits(after)})`);
  const [from, to] = [special(before), special(after)];
  if (from !== to && !(from === "" && to === null)) reasons.push(`overrideSpecial (${JSON.stringify(from)} → ${JSON.stringify(to)})`);
  return reasons.length > 0 ? reasons.join(", ") : undefined;
}
/** Named by the provider (no name given, or a namePrefix): a replacement gets a new name, and so a new id and ARN. */
const autonamed = (field: string) => (r: RecordedResource) => (r.inputs[field] === undefined ? [r.id, r.state[field], r.state.arn] : []);

export const CASCADE_TYPES: readonly CascadeType[] = [
  // Every attribute of random_string and random_password is RequiresReplace (terraform-provider-random
  // internal/provider/resource_string.go, resource_password.go), so a new `keepers` draws a new result.
  ...["random:index/randomString:RandomString", "random:index/randomPassword:RandomPassword"].map((type) => ({
    type,
    replaceOn: RANDOM_INPUTS,
    defaults: RANDOM_DEFAULTS,
    replaceWhen: randomReplaceWhen,
    alsoKept: ["numeric", "number", "overrideSpecial"],
    hashedInputs: ["keepers"],
    drawnAnew: (r: RecordedResource) => [r.state.result],
  })),
  // terraform-provider-aws ec2/vpc_security_group.go (SDKv2, read at 01606926a0c0ab9174aec440f976a48b0baee722):
  // description, name, name_prefix and vpc_id are ForceNew; EC2 gives the new group a new id. vpc_id is
  // Optional+Computed, so a program that stops setting it keeps the group. description's schema Default ("Managed by
  // Terraform") never reaches the provider: @pulumi/aws fills an unset one with "Managed by Pulumi" before it registers
  // the resource, so the recorded inputs hold it. name and name_prefix are Optional+Computed too, but stay compared
  // on any change: pulumi-aws gives every resource with an Optional or Required `name` input
  // `tfbridge.AutoName("name", 255, "-")` (provider/autonaming.go setAutonaming, read at
  // 0c5f6583ebfb37cbe0febc2edb51b44cfeac2b15), so a name set by hand that the program stops setting is a new drawn one.
  {
    type: "aws:ec2/securityGroup:SecurityGroup",
    replaceOn: ["name", "namePrefix", "description"],
    replaceWhenSet: ["vpcId"],
    emptyIsUnset: true,
    autonameField: "name",
    drawnAnew: (r) => [r.id, r.state.id, r.state.arn],
  },
  // rds/subnet_group.go (SDKv2, read at 01c08000ddb14181b5bd19201d8fca311dc570e4): name and name_prefix are
  // Optional+Computed+ForceNew, and nothing else is ForceNew (description has `Default: "Managed by Terraform"`, not
  // ForceNew; subnet_ids, a TypeSet, changes in place with ModifyDBSubnetGroup). Both stay compared on any change, as
  // a security group's name: pulumi-aws gives the type `AutoName("name")` (autonaming.go setAutonaming, as above), so a
  // name set by hand, or a prefix, that the program stops setting is a new drawn name. A namePrefix draws a new name
  // (prefix and a 26-character id).
  { type: RDS_SUBNET_GROUP, replaceOn: ["name", "namePrefix"], emptyIsUnset: true, autonameField: "name", drawnAnew: autonamed("name") },
  // rds/cluster.go, judged as the cluster's stateful rule judges it (RDS_CLUSTER_REPLACEMENT: its Optional+Computed
  // inputs only when set, availabilityZones a set).
  { type: RDS_CLUSTER, ...RDS_CLUSTER_REPLACEMENT, drawnAnew: autonamed("clusterIdentifier") },
  // rds/cluster_instance.go (SDKv2, read at 01606926a0c0ab9174aec440f976a48b0baee722, an aws-sdk-go-v2 version):
  // cluster_identifier and engine (Required) and custom_iam_instance_profile (Optional) are ForceNew; identifier,
  // identifier_prefix, availability_zone and db_subnet_group_name are Optional+Computed+ForceNew, so one the program
  // stops setting is kept. The identifier too: pulumi-aws's overrides give aws_rds_cluster_instance no AutoName (only
  // engine and instance_class; aws_db_instance's identifier is AutoNamed), so no Pulumi name is drawn for an unset one.
  {
    type: RDS_CLUSTER_INSTANCE,
    replaceOn: ["clusterIdentifier", "engine", "customIamInstanceProfile"],
    replaceWhenSet: ["identifier", "identifierPrefix", "availabilityZone", "dbSubnetGroupName"],
    emptyIsUnset: true,
    drawnAnew: autonamed("identifier"),
  },
  // apigatewayv2/api.go (SDKv2, read at 00a35305dc1b297a6fcdecdfbba33f1e63c3da39): protocol_type (Required) and the
  // quick-create inputs credentials_arn, route_key and target (Optional, not Computed) are ForceNew; name, description,
  // CORS, the selection expressions, version and the rest are an UpdateApi, body a ReimportApi. CreateApi answers a new
  // ApiId, in the endpoint and ARNs too. pulumi-aws autonames `name` (deployment-triggers.ts NAMED_DELETE_FIRST reads
  // the same rule; an API is left out of that list only for its own check), so a name set by hand makes the bridge
  // replace it delete-first.
  {
    type: "aws:apigatewayv2/api:Api",
    replaceOn: ["protocolType", "credentialsArn", "routeKey", "target"],
    emptyIsUnset: true,
    autonameField: "name",
    drawnAnew: (r) => [r.id, r.state.apiEndpoint, r.state.arn, r.state.executionArn],
  },
  // logs/group.go (SDKv2, read at 0073593e7d6993ba482409f4dc35438daaa79bb3): name, name_prefix and log_group_class
  // are Optional+Computed+ForceNew. name and name_prefix stay compared on any change (pulumi-aws AutoNames `name`, as
  // for the subnet group); log_group_class is not autonamed: the class AWS gives an unset one is read back into the
  // state (resourceGroupRead), so a program that stops setting it keeps the group, and another class set replaces
  // it. That class is STANDARD (CreateLogGroup logGroupClass: "If you omit this parameter, the default of STANDARD is
  // used"), so STANDARD written after unset is the state's value, no change: a default (`defaults`).
  // retention_in_days (`Default: 0`), kms_key_id and skip_destroy change in place.
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    replaceOn: ["name", "namePrefix"],
    replaceWhenSet: ["logGroupClass"],
    emptyIsUnset: true,
    defaults: { logGroupClass: "STANDARD" },
    autonameField: "name",
    drawnAnew: autonamed("name"),
  },
];

const cascadeKind = new Map(CASCADE_TYPES.map((kind) => [kind.type, kind]));
export const cascadeTypeOf = (type: string): CascadeType | undefined => cascadeKind.get(type);

/** Values shorter than this are not followed: a short string may occur by chance in another input. */
const SHORTEST_FOLLOWED = 7;

/** A value a replacement draws anew: what it becomes, and the URN of the resource that draws it. */
interface Drawn {
  replacement: string;
  by: string;
}

/**
 * `value` with each drawn value rewritten: a string that is one, whole; a string that contains one only where
 * `derives(by)` says the holder depends on the drawing resource (longest first, so a suffix inside an identifier
 * that is also drawn is rewritten after it).
 */
function substituted(value: unknown, fresh: ReadonlyMap<string, Drawn>, derives: (by: string) => boolean): unknown {
  if (typeof value === "string") {
    const whole = fresh.get(value);
    if (whole) return whole.replacement;
    let text = value;
    for (const [old, { replacement, by }] of fresh) if (text.includes(old) && derives(by)) text = text.split(old).join(replacement);
    return text;
  }
  if (Array.isArray(value)) return value.map((element) => substituted(element, fresh, derives));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituted(v, fresh, derives)]));
  return value;
}

/**
 * The resources whose replacement replaces `r` too: those its replaceWith names, and its deletedWith target (pulumi
 * step_generator.go diff and findDependentCascadeReplacements treat both alike: "If we want resource X to
 * `replace_with` or be `deletedWith` resource Y, then every time we want to replace Y, we have to search for and
 * replace X").
 */
export const cascadeTargets = (r: Pick<RecordedResource, "replaceWith" | "deletedWith">): string[] => [...(r.replaceWith ?? []), ...(r.deletedWith && !(r.replaceWith ?? []).includes(r.deletedWith) ? [r.deletedWith] : [])];

/**
 * The next plan as the update makes it (see the module's comment): `replaced(old, next)` says whether the update
 * replaces `next` for its own inputs (the transition checks' judgement, with ignoreChanges and replaceOnChanges; false
 * where the deployed plan does not hold `old`'s inputs). `replacedWith` maps each replaced resource whose `replaceWith`
 * names replaced resources to those, whichever round replaced them: a replacement its own inputs need not show, which
 * the engine makes as it makes any (step_generator.go: `ReplaceKeys: ["replaceWith"]`, create-first unless
 * deleteBeforeReplace). `deletedWith` is followed the same way (cascadeTargets): the engine replaces a resource whose
 * deletedWith target it replaces, `ReplaceKeys: ["deletedWith"]` (step_generator.go diff, the check below the
 * replaceWith one), and `replacedWith` holds that target too; the old copy's delete is then skipped unless it runs
 * before the target's is marked (step.go DeleteStep.Apply, isDeletedWith; transition-api-refs.ts deleteSkipped).
 * `replacedOther(old, next)` says the same of a resource of a type the cascade does not follow (a bucket, a secret, a
 * topic: the transition checks' other tables) that a `replaceWith` or `deletedWith` of the next plan names: its
 * replacement draws no value followed here, but replaces what names it (without it, such a target never counts as replaced).
 */
export function withCascadedReplacements(
  deployed: Graph,
  after: Graph,
  replaced: (kind: CascadeType, old: RecordedResource, next: RecordedResource) => boolean,
  replacedOther: (old: RecordedResource, next: RecordedResource) => boolean = () => false,
): { after: Graph; replacedWith: ReadonlyMap<string, readonly string[]> } {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  // The resources some replaceWith or deletedWith names: only these of the types the cascade does not follow are judged.
  const named = new Set(after.flatMap(cascadeTargets));
  let graph = after;
  const done = new Set<string>();
  // Each replaced resource's replaced replaceWith targets, read once every replacement is known: a target replaced in a
  // later round than the resource counts too, and so does one of a resource replaced for its own inputs.
  const replacedWith = () => new Map(graph.flatMap((r) => {
    const by = done.has(r.urn) ? cascadeTargets(r).filter((urn) => done.has(urn)) : [];
    return by.length > 0 ? [[r.urn, by] as const] : [];
  }));
  for (;;) {
    const fresh = new Map<string, Drawn>();
    for (const next of graph) {
      if (done.has(next.urn)) continue;
      const old = deployedByUrn.get(next.urn);
      if (!old) continue;
      const kind = cascadeKind.get(next.type);
      const by = cascadeTargets(next).filter((urn) => done.has(urn));
      const byInputs = kind !== undefined ? replaced(kind, old, next) : named.has(next.urn) && replacedOther(old, next);
      if (by.length === 0 && !byInputs) continue;
      done.add(next.urn);
      for (const value of kind?.drawnAnew(next) ?? []) {
        if (typeof value === "string" && value.length >= SHORTEST_FOLLOWED && !value.startsWith("<new ")) fresh.set(value, { replacement: `<new ${value}>`, by: next.urn });
      }
    }
    if (fresh.size === 0) {
      // Nothing new drawn: a replaceWith reached only from this round's replacements needs one more look.
      const more = graph.some((r) => !done.has(r.urn) && deployedByUrn.has(r.urn) && cascadeTargets(r).some((urn) => done.has(urn)));
      if (!more) return { after: graph, replacedWith: replacedWith() };
      continue;
    }
    // Longest first, so a value inside another (a suffix inside an identifier) is replaced after it.
    const ordered = new Map([...fresh].sort(([a], [b]) => b.length - a.length));
    const current = graph;
    graph = current.map((r) => {
      // The resources `r` depends on, itself included (its own outputs derive from its inputs), found only when a value of r contains a drawn one.
      let upstream: Set<string> | undefined;
      const derives = (by: string) => (upstream ??= new Set([r.urn, ...dependencyClosure(current, r, { ancestors: false })])).has(by);
      return { ...r, id: r.id === undefined ? undefined : (substituted(r.id, ordered, derives) as string), inputs: substituted(r.inputs, ordered, derives) as Record<string, any>, state: substituted(r.state, ordered, derives) as Record<string, any> };
    });
  }
}

/**
 * How a resource that holds a one-writer policy (one-policy.ts) is replaced, for the holder types no other table of the
 * transition checks judges (those are TRANSITION_NAMED_TYPES and TRANSITION_STATEFUL_TYPES in transition.ts: a bucket,
 * a secret, a table, a queue): TransitionPolicyWriterDeleted reads it to tell whether an old writer's delete acts on the
 * old holder (replaced under another identity) or on the live one.
 */
export interface PolicyHolderType extends InputComparison {
  type: string;
  /** Inputs whose change replaces the resource (terraform-provider-aws ForceNew). */
  replaceOn: readonly string[];
  /** Inputs that replace it only when the next program sets them (Optional+Computed+ForceNew, or a block whose removal the provider's diff suppresses). */
  replaceWhenSet?: readonly string[];
  /** pulumi-aws's AutoName field: unset, a replacement draws a new name; set by hand, the bridge replaces delete-first under it. */
  autonameField?: string;
  /** AWS draws the new resource's identity itself (a KMS key's id): every replacement is another resource, whatever deleteBeforeReplace says. */
  drawsIdentity?: boolean;
  /** Of those inputs, secret ones, compared as digests (as TransitionNamedType's): none of the types below has one. */
  hashedInputs?: readonly string[];
  source: string;
}

const TF_AWS = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service";

/** An ECR repository's encryptionConfigurations as its state holds them: each block's encryptionType defaulted to AES256, an unset or empty kmsKey left out. */
function ecrEncryptionCanonical(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((block) => {
    if (!block || typeof block !== "object") return block;
    const { encryptionType, kmsKey, ...rest } = block as Record<string, unknown>;
    return { ...rest, encryptionType: encryptionType ?? "AES256", ...(kmsKey === undefined || kmsKey === null || kmsKey === "" ? {} : { kmsKey }) };
  });
}

export const POLICY_HOLDER_TYPES: readonly PolicyHolderType[] = [
  // sns/topic.go (SDKv2, read at 00a35305dc1b297a6fcdecdfbba33f1e63c3da39): name and name_prefix Optional+Computed+ForceNew,
  // fifo_topic Optional, `Default: false`, ForceNew; the rest (policy, kms_master_key_id, ...) SetTopicAttributes in
  // place. name and name_prefix are compared on any change: pulumi-aws AutoNames `name` (as a log group's, above).
  { type: "aws:sns/topic:Topic", replaceOn: ["name", "namePrefix", "fifoTopic"], emptyIsUnset: true, defaults: { fifoTopic: false }, autonameField: "name", source: `${TF_AWS}/sns/topic.go` },
  // kms/key.go (SDKv2, read at 00a35305dc1b297a6fcdecdfbba33f1e63c3da39): custom_key_store_id, xks_key_id (Optional,
  // ForceNew), customer_master_key_spec (`Default: SYMMETRIC_DEFAULT`) and key_usage (`Default: ENCRYPT_DECRYPT`)
  // ForceNew, multi_region Optional+Computed+ForceNew (only a value set replaces). CreateKey returns the key id
  // (d.SetId(KeyMetadata.KeyId)): a replacement is always another key, and the old one's deletion is scheduled.
  // The read stores `multi_region` from KeyMetadata.MultiRegion, false for a key created without it (CreateKey
  // MultiRegion: "For a single-Region KMS key, omit this parameter or set it to False. The default value is False."),
  // so `multiRegion: false` written after unset is no change.
  {
    type: "aws:kms/key:Key",
    replaceOn: ["customKeyStoreId", "xksKeyId", "customerMasterKeySpec", "keyUsage"],
    replaceWhenSet: ["multiRegion"],
    emptyIsUnset: true,
    defaults: { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", multiRegion: false },
    drawsIdentity: true,
    source: `${TF_AWS}/kms/key.go`,
  },
  // ecr/repository.go (SDKv2, read at 0072eea2d6046230a1fb7717741c17fd2122175e): name Required+ForceNew (the id),
  // encryption_configuration ForceNew with `DiffSuppressFunc: verify.SuppressMissingOptionalConfigurationBlock`, so a
  // program that stops setting it keeps the repository; image_tag_mutability and image_scanning_configuration change in
  // place. pulumi-aws makes the Required name optional and AutoNames it (repository.d.ts `name?`). The block's
  // encryption_type has `Default: AES256` and kms_key is Optional+Computed, and the read stores what AWS answers for a
  // repository created without it (`[{encryption_type: AES256, kms_key: ""}]`, the review-92 reading of the provider's
  // read; ECR API EncryptionConfiguration: "By default, when no encryption configuration is set or the AES256 encryption
  // type is used, Amazon ECR uses server-side encryption with Amazon S3-managed encryption keys"),
  // so that block written after unset (kmsKey unset or "") is no change: unset compares as it (`defaults`), and each
  // element with its encryptionType defaulted and an empty kmsKey dropped (`canonical`).
  {
    type: "aws:ecr/repository:Repository",
    replaceOn: ["name"],
    replaceWhenSet: ["encryptionConfigurations"],
    emptyIsUnset: true,
    defaults: { encryptionConfigurations: [{ encryptionType: "AES256" }] },
    canonical: { encryptionConfigurations: ecrEncryptionCanonical },
    autonameField: "name",
    source: `${TF_AWS}/ecr/repository.go`,
  },
  // kinesis/stream.go (SDKv2, read at 03aadd4385481a5bb0e26d7eec2a2d75ea30c9a0): name Required+ForceNew, nothing else
  // ForceNew (encryption, retention, shards, mode change in place). pulumi-aws makes name optional and AutoNames it
  // (stream.d.ts `name?`); the stream's id is its ARN (d.SetId(StreamARN)), which a resource policy names.
  { type: "aws:kinesis/stream:Stream", replaceOn: ["name"], emptyIsUnset: true, autonameField: "name", source: `${TF_AWS}/kinesis/stream.go` },
  // backup/vault.go (SDKv2, read at 050ac11163cab8cdae5936a7f40b0e528ff780df): name Required+ForceNew (the id),
  // kms_key_arn Optional+Computed+ForceNew (only a value set replaces); tags only otherwise. pulumi-aws AutoNames the
  // name (vault.d.ts `name?`).
  { type: "aws:backup/vault:Vault", replaceOn: ["name"], replaceWhenSet: ["kmsKeyArn"], emptyIsUnset: true, autonameField: "name", source: `${TF_AWS}/backup/vault.go` },
];

const policyHolderKind = new Map(POLICY_HOLDER_TYPES.map((kind) => [kind.type, kind]));
export const policyHolderTypeOf = (type: string): PolicyHolderType | undefined => policyHolderKind.get(type);
