/**
 * The transition checks compare a type's replace-forcing inputs as its provider's schema does (InputComparison): a
 * schema Default stands for an unset input (`defaults`), an Optional+Computed input replaces only when set
 * (`replaceWhenSet`), a TypeSet's order means nothing (`sets`). For each type whose declaration says so: the input
 * written out as deployed and then left unset (or reordered) replaces nothing, directly and through a saved plan, and
 * another value set still replaces. A next self with `retainOnDelete: true` (its deployed copy without) makes any
 * replacement a finding (TransitionRetainedTooLate) where no other rule reports it.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { formatFinding, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { handBuilt, rules, saved, transition, transitionContext } from "./fixture";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const VPCE = "aws:ec2/vpcEndpoint:VpcEndpoint";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const RANDOM = "random:index/randomString:RandomString";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const BUCKET = "aws:s3/bucket:Bucket";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";
const SECRET = "aws:secretsmanager/secret:Secret";
const CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration";
const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
const REST_DOMAIN = "aws:apigateway/domainName:DomainName";
const retained = { retainOnDelete: true };
const clean = (before: RecordedResource[], after: RecordedResource[]) => transition(before, after).map(formatFinding);

describe("schema defaults of named types' replace-forcing inputs (SDKv2 `Default`)", () => {
  it("compares a distribution's unset staging as false (distribution.go Default: false): no replacement from false, one to true", () => {
    const distribution = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => handBuilt(DISTRIBUTION, "cdn", { aliases: ["shop.example.com"], enabled: true, ...inputs }, more);
    expect(clean([distribution({ staging: false })], [distribution({}, retained)])).toEqual([]);
    expect(clean(saved([distribution({ staging: false })]), [distribution({}, retained)])).toEqual([]);
    expect(clean([distribution({})], [distribution({ staging: false }, retained)])).toEqual([]);
    // A staging distribution is another distribution, created while the deployed one holds the alternate domain name.
    expect(rules([distribution({})], [distribution({ staging: true })])).toEqual([["TransitionNameTaken", `${DISTRIBUTION} cdn`]]);
  });

  it("compares a VPC endpoint's unset vpcEndpointType as Gateway (vpc_endpoint.go Default: Gateway): no replacement from Gateway, one to Interface", () => {
    const endpoint = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) =>
      handBuilt(VPCE, "s3", { vpcId: "vpc-1", serviceName: "com.amazonaws.us-east-1.s3", routeTableIds: ["rtb-1"], ...inputs }, more);
    expect(clean([endpoint({ vpcEndpointType: "Gateway" })], [endpoint({}, retained)])).toEqual([]);
    expect(clean(saved([endpoint({ vpcEndpointType: "Gateway" })]), [endpoint({}, retained)])).toEqual([]);
    expect(clean([endpoint({})], [endpoint({ vpcEndpointType: "Gateway" }, retained)])).toEqual([]);
    const found = transition([endpoint({})], [endpoint({ vpcEndpointType: "Interface", routeTableIds: undefined, subnetIds: ["subnet-1"] }, retained)]);
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionRetainedTooLate", `${VPCE} s3`]]);
    expect(found[0].problem).toContain("vpcEndpointType (none (Gateway) → Interface)");
  });
});

describe("Optional+Computed and set inputs of an event source mapping (event_source_mapping.go, SDKv2)", () => {
  const mapping = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) =>
    handBuilt(MAPPING, "orders", { eventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/orders/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9-1", functionName: "consumer", startingPosition: "TRIM_HORIZON", topics: ["orders", "refunds"], ...inputs }, more);

  it("passes topics in another order (a TypeSet), and finds another topic", () => {
    expect(clean([mapping({})], [mapping({ topics: ["refunds", "orders"] }, retained)])).toEqual([]);
    expect(clean(saved([mapping({})]), [mapping({ topics: ["refunds", "orders"] }, retained)])).toEqual([]);
    const found = transition([mapping({})], [mapping({ topics: ["orders"] }, retained)]);
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionRetainedTooLate", `${MAPPING} orders`]]);
    expect(found[0].problem).toContain("topics (orders, refunds → orders)");
  });

  it("keeps the MSK consumer group the program stops setting (Optional+Computed), and replaces on another one set", () => {
    const group = (consumerGroupId: string) => ({ amazonManagedKafkaEventSourceConfig: { consumerGroupId } });
    expect(clean([mapping(group("billing"))], [mapping({}, retained)])).toEqual([]);
    expect(clean(saved([mapping(group("billing"))]), [mapping({}, retained)])).toEqual([]);
    const found = transition([mapping(group("billing"))], [mapping(group("audit"), retained)]);
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionRetainedTooLate", `${MAPPING} orders`]]);
    expect(found[0].problem).toContain("amazonManagedKafkaEventSourceConfig.consumerGroupId (billing → audit)");
    expect(rules(saved([mapping(group("billing"))]), [mapping(group("audit"), retained)])).toEqual([["TransitionRetainedTooLate", `${MAPPING} orders`]]);
  });

  it("compares the consumer group alone: a config written without it keeps the deployed group (the field is Optional+Computed), and one set first replaces", () => {
    const config = (inputs: Record<string, unknown>) => ({ amazonManagedKafkaEventSourceConfig: inputs });
    expect(clean([mapping(config({ consumerGroupId: "billing" }))], [mapping(config({}), retained)])).toEqual([]);
    expect(clean(saved([mapping(config({ consumerGroupId: "billing" }))]), [mapping(config({}), retained)])).toEqual([]);
    // A schema registry added beside the same group: its ForceNew was not read, so it is not judged a replacement.
    expect(clean([mapping(config({ consumerGroupId: "billing" }))], [mapping(config({ consumerGroupId: "billing", schemaRegistryConfig: { schemaRegistryUri: "arn:aws:glue:us-east-1:123456789012:registry/orders" } }), retained)])).toEqual([]);
    const selfManaged = (consumerGroupId?: string) => ({ selfManagedKafkaEventSourceConfig: consumerGroupId ? { consumerGroupId } : {} });
    expect(transition([mapping(selfManaged())], [mapping(selfManaged("billing"), retained)]).map((f) => f.problem)).toEqual([expect.stringContaining("selfManagedKafkaEventSourceConfig.consumerGroupId (none → billing)")]);
  });
});

describe("the replacement cascade's random strings (terraform-provider-random, Plugin Framework defaults)", () => {
  /** A RandomString and a bucket named with its result, as RelationalDatabase names its cluster. */
  const plan = (inputs: Record<string, unknown>) => {
    const suffix = handBuilt(RANDOM, "suffix", { length: 8, ...inputs }, { state: { result: "k3xq9z2w" } });
    return [suffix, handBuilt(BUCKET, "exports", { bucket: "exports-k3xq9z2w", forceDestroy: true }, { dependencies: [suffix.urn] })];
  };

  it("keeps a result whose character settings the program stops setting at their defaults (true, 0), and draws a new one, renaming the bucket, for another value", () => {
    expect(clean(plan({ special: true, upper: true, lower: true, numeric: true, minSpecial: 0, minNumeric: 0 }), plan({}))).toEqual([]);
    expect(clean(saved(plan({ special: true, minUpper: 0 })), plan({}))).toEqual([]);
    expect(clean(plan({}), plan({ number: true, minLower: 0 }))).toEqual([]);
    expect(rules(plan({ special: true }), plan({ special: false }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(plan({}), plan({ minNumeric: 2 }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
  });

  it("reads number and numeric as one value, as NumberNumericAttributePlanModifier plans them: the deprecated number moved to numeric draws nothing", () => {
    expect(clean(plan({ number: false }), plan({ numeric: false }))).toEqual([]);
    expect(clean(plan({ numeric: false }), plan({ number: false }))).toEqual([]);
    expect(clean(saved(plan({ number: false })), plan({ numeric: false }))).toEqual([]);
    expect(clean(plan({ numeric: true }), plan({}))).toEqual([]);
    // Dropping a false one plans true for both: a new result.
    const found = transition(plan({ number: false }), plan({}));
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(plan({ numeric: true }), plan({ number: false }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
  });

  it("replaces on overrideSpecial changed, and from unset to \"\", but not from \"\" to unset (RequiresReplaceUnlessEmptyStringToNull)", () => {
    expect(clean(plan({ overrideSpecial: "" }), plan({}))).toEqual([]);
    expect(clean(saved(plan({ overrideSpecial: "" })), plan({}))).toEqual([]);
    expect(rules(plan({}), plan({ overrideSpecial: "" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(plan({ overrideSpecial: "!@" }), plan({}))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(clean(plan({ overrideSpecial: "!@" }), plan({ overrideSpecial: "!@" }))).toEqual([]);
  });
});

describe("the replacement cascade's security groups (vpc_security_group.go, SDKv2)", () => {
  /** A group and a bucket named after its id (a value its replacement draws anew). */
  const plan = (inputs: Record<string, unknown>) => {
    const group = handBuilt(SECURITY_GROUP, "db-sg", { name: "db-sg-3f2a1b0", description: "Managed by Pulumi", ...inputs }, { id: "sg-0a1b2c3d4e5f60718" });
    return [group, handBuilt(BUCKET, "flow-logs", { bucket: "flow-logs-sg-0a1b2c3d4e5f60718", forceDestroy: true }, { dependencies: [group.urn] })];
  };

  it("keeps a group whose vpcId the program stops setting (Optional+Computed), and replaces it, with what holds its id, for another VPC", () => {
    expect(clean(plan({ vpcId: "vpc-1" }), plan({}))).toEqual([]);
    expect(clean(saved(plan({ vpcId: "vpc-1" })), plan({}))).toEqual([]);
    expect(rules(plan({ vpcId: "vpc-1" }), plan({ vpcId: "vpc-2" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} flow-logs`]]);
  });
});

describe("the replacement cascade's Aurora cluster instances (cluster_instance.go, SDKv2)", () => {
  /** An instance the provider named (tf- and a unique id), and a bucket named after it. */
  const plan = (inputs: Record<string, unknown>) => {
    const instance = handBuilt(INSTANCE, "db-instance", { clusterIdentifier: "db-cluster", engine: "aurora-postgresql", instanceClass: "db.serverless", ...inputs }, { id: "tf-20261205233100000000000001" });
    return [instance, handBuilt(BUCKET, "exports", { bucket: "exports-tf-20261205233100000000000001", forceDestroy: true }, { dependencies: [instance.urn] })];
  };

  it("keeps an instance whose identifier, zone or subnet group the program stops setting (Optional+Computed), and replaces it for another zone or subnet group", () => {
    expect(clean(plan({ identifier: "tf-20261205233100000000000001", availabilityZone: "us-east-1a", dbSubnetGroupName: "db-subnets" }), plan({}))).toEqual([]);
    expect(clean(saved(plan({ availabilityZone: "us-east-1a", dbSubnetGroupName: "db-subnets" })), plan({}))).toEqual([]);
    expect(rules(plan({ availabilityZone: "us-east-1a" }), plan({ availabilityZone: "us-east-1b" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(plan({ dbSubnetGroupName: "db-subnets" }), plan({ dbSubnetGroupName: "db-subnets-2" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
  });

  it("replaces an instance whose customIamInstanceProfile changes or goes (ForceNew, not Computed), and one given an identifierPrefix, but keeps a prefix the program stops setting (Optional+Computed)", () => {
    const profile = "AWSRDSCustomInstanceProfile";
    expect(rules(plan({ customIamInstanceProfile: profile }), plan({}))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(plan({}), plan({ customIamInstanceProfile: profile }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(plan({}), plan({ identifierPrefix: "db-" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(clean(plan({ identifierPrefix: "db-" }), plan({}))).toEqual([]);
  });
});

describe("the replacement cascade's log groups (logs/group.go, SDKv2)", () => {
  /** A log group the autonamer named, and a bucket named after it (a value its replacement draws anew). */
  const plan = (inputs: Record<string, unknown>) => {
    const group = handBuilt(LOG_GROUP, "app-logs", { retentionInDays: 30, ...inputs }, { id: "app-logs-3f2a1b0" });
    return [group, handBuilt(BUCKET, "exports", { bucket: "exports-app-logs-3f2a1b0", forceDestroy: true }, { dependencies: [group.urn] })];
  };

  it("replaces a group, with what holds its name, for another logGroupClass (Optional+Computed+ForceNew), and keeps one whose class the program stops setting", () => {
    expect(rules(plan({ logGroupClass: "STANDARD" }), plan({ logGroupClass: "INFREQUENT_ACCESS" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(saved(plan({ logGroupClass: "STANDARD" })), plan({ logGroupClass: "INFREQUENT_ACCESS" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(plan({}), plan({ logGroupClass: "DELIVERY" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(clean(plan({ logGroupClass: "STANDARD" }), plan({}))).toEqual([]);
    expect(clean(saved(plan({ logGroupClass: "STANDARD" })), plan({}))).toEqual([]);
    // retentionInDays is an update.
    expect(clean(plan({ logGroupClass: "STANDARD" }), plan({ logGroupClass: "STANDARD", retentionInDays: 7 }))).toEqual([]);
  });

  it("keeps a group deployed without a class whose program now writes STANDARD (AWS's default, read back into the state), and replaces it for another class", () => {
    expect(clean(plan({}), plan({ logGroupClass: "STANDARD" }))).toEqual([]);
    expect(clean(saved(plan({})), plan({ logGroupClass: "STANDARD" }))).toEqual([]);
    const found = transition(plan({}), plan({ logGroupClass: "INFREQUENT_ACCESS" }));
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
    expect(rules(saved(plan({})), plan({ logGroupClass: "INFREQUENT_ACCESS" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
  });
});

describe("a saved plan whose resource has every kept input unset (saved as {} with its savedInputs): judged as a recording of it is", () => {
  const withBucket = (resource: RecordedResource) => [resource, handBuilt(BUCKET, "exports", { bucket: `exports-${resource.id}`, forceDestroy: true }, { dependencies: [resource.urn] })];
  const logGroup = (inputs: Record<string, unknown>) => withBucket(handBuilt(LOG_GROUP, "app-logs", { retentionInDays: 30, ...inputs }, { id: "app-logs-3f2a1b0" }));
  const subnetGroup = (inputs: Record<string, unknown>) => withBucket(handBuilt(SUBNET_GROUP, "db-subnets", { subnetIds: ["subnet-1", "subnet-2"], ...inputs }, { id: "db-subnets-3f2a1b0" }));
  const secret = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => [handBuilt(SECRET, "api-key", { description: "API key", ...inputs }, more)];
  /** `graph` as a plan saved before resources listed their saved inputs is read: without savedInputs, which readSavedPlan fills from the inputs held. */
  const savedBeforeLists = (graph: RecordedResource[]) => {
    const plan = toSavedPlan(graph, transitionContext);
    return readSavedPlan(JSON.stringify({ ...plan, resources: plan.resources.map(({ savedInputs: _kept, ...r }) => r) })).resources;
  };

  it("finds the replacement a recording finds, for a log group, a DB subnet group and a secret", () => {
    expect(saved(logGroup({})).find((r) => r.type === LOG_GROUP)).toMatchObject({ inputs: {}, savedInputs: expect.arrayContaining(["logGroupClass", "namePrefix"]) });
    const cases: Array<[RecordedResource[], RecordedResource[], string[]]> = [
      [logGroup({}), logGroup({ logGroupClass: "DELIVERY" }), ["TransitionStatefulReplaced", `${BUCKET} exports`]],
      [subnetGroup({}), subnetGroup({ namePrefix: "db-" }), ["TransitionStatefulReplaced", `${BUCKET} exports`]],
      [secret({}), secret({ namePrefix: "api-" }, retained), ["TransitionRetainedTooLate", `${SECRET} api-key`]],
    ];
    for (const [deployed, next, expected] of cases) {
      expect(rules(deployed, next)).toEqual([expected]);
      expect(rules(saved(deployed), next)).toEqual([expected]);
    }
  });

  it("reads a bucket saved with no kept input set as one without forceDestroy: its delete is refused, as the recording says, not unknown", () => {
    const bucket = (inputs: Record<string, unknown>) => [handBuilt(BUCKET, "uploads", { tags: { app: "gallery" }, ...inputs })];
    expect(saved(bucket({}))[0].inputs).toEqual({});
    for (const deployed of [bucket({}), saved(bucket({}))]) {
      const found = transition(deployed, bucket({ bucket: "uploads-2026" }));
      expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${BUCKET} uploads`]]);
      expect(found[0].problem).toContain("its delete is refused");
    }
  });

  it("still passes over such a resource of a plan saved before resources listed their saved inputs: {} there cannot tell unset from not kept", () => {
    expect(rules(savedBeforeLists(logGroup({})), logGroup({ logGroupClass: "DELIVERY" }))).toEqual([]);
    expect(rules(savedBeforeLists(subnetGroup({})), subnetGroup({ namePrefix: "db-" }))).toEqual([]);
    expect(rules(savedBeforeLists(secret({})), secret({ namePrefix: "api-" }, retained))).toEqual([]);
    const bucket = (inputs: Record<string, unknown>) => [handBuilt(BUCKET, "uploads", { tags: { app: "gallery" }, ...inputs })];
    expect(transition(savedBeforeLists(bucket({})), bucket({ bucket: "uploads-2026" }))).toEqual([]);
  });
});

describe("SDKv2 name prefixes written as an empty string (subnet group, secret) and a CORS configuration's empty expectedBucketOwner: none, as unset", () => {
  it("keeps a DB subnet group whose namePrefix \"\" the program drops, and replaces one given a prefix", () => {
    const plan = (inputs: Record<string, unknown>) => {
      const group = handBuilt(SUBNET_GROUP, "db-subnets", { subnetIds: ["subnet-1", "subnet-2"], ...inputs }, { id: "db-subnets-3f2a1b0" });
      return [group, handBuilt(BUCKET, "exports", { bucket: "exports-db-subnets-3f2a1b0", forceDestroy: true }, { dependencies: [group.urn] })];
    };
    expect(clean(plan({ namePrefix: "" }), plan({}))).toEqual([]);
    expect(clean(saved(plan({ namePrefix: "" })), plan({}))).toEqual([]);
    expect(rules(plan({ namePrefix: "" }), plan({ namePrefix: "db-" }))).toEqual([["TransitionStatefulReplaced", `${BUCKET} exports`]]);
  });

  it("keeps a secret whose namePrefix \"\" the program drops, and replaces one given a prefix", () => {
    const secret = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => handBuilt(SECRET, "api-key", { recoveryWindowInDays: 0, ...inputs }, more);
    expect(clean([secret({ namePrefix: "" })], [secret({}, retained)])).toEqual([]);
    expect(clean(saved([secret({ namePrefix: "" })]), [secret({}, retained)])).toEqual([]);
    const found = transition([secret({ namePrefix: "" })], [secret({ namePrefix: "api-" }, retained)]);
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionRetainedTooLate", `${SECRET} api-key`]]);
    expect(found[0].problem).toContain("namePrefix (none → api-)");
  });

  // An owner of "" is refused by the provider's ValidAccountID (12 digits) before any diff: these rows pin the SDKv2
  // reading only, a deployed plan never holds one.
  it("keeps a CORS configuration whose expectedBucketOwner \"\" the program drops, and replaces one given an owner", () => {
    const cors = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) =>
      handBuilt(CORS, "site-cors", { bucket: "site-assets", corsRules: [{ allowedMethods: ["GET"], allowedOrigins: ["*"] }], ...inputs }, more);
    expect(clean([cors({ expectedBucketOwner: "" })], [cors({}, retained)])).toEqual([]);
    expect(clean(saved([cors({ expectedBucketOwner: "" })]), [cors({}, retained)])).toEqual([]);
    // Replaced create-first: PutBucketCors writes the new one over the bucket's configuration, then the old one's delete removes it.
    const found = transition([cors({ expectedBucketOwner: "" })], [cors({ expectedBucketOwner: "123456789012" })]);
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${CORS} site-cors`]]);
  });
});

describe("API Gateway (SDKv2): a deployment's empty triggers or variables map and a domain's empty certificate input are none, as unset", () => {
  const deployment = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => handBuilt(DEPLOYMENT, "api-deployment", { restApi: "abc123", ...inputs }, more);

  it("keeps a deployment whose empty triggers or variables the program drops or writes out (TypeMap: diffMap compares counts and entries), and replaces it for another entry", () => {
    expect(clean([deployment({ triggers: {} })], [deployment({}, retained)])).toEqual([]);
    expect(clean([deployment({})], [deployment({ triggers: {} }, retained)])).toEqual([]);
    expect(clean(saved([deployment({ triggers: {} })]), [deployment({}, retained)])).toEqual([]);
    // variables are compared as digests, also the one a saved plan keeps of {}.
    expect(clean([deployment({ variables: {} })], [deployment({}, retained)])).toEqual([]);
    expect(clean(saved([deployment({ variables: {} })]), [deployment({}, retained)])).toEqual([]);
    expect(clean(saved([deployment({})]), [deployment({ variables: {} }, retained)])).toEqual([]);
    const found = transition([deployment({ triggers: {} })], [deployment({ triggers: { redeployment: "3f2a1b0" } }, retained)]);
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionRetainedTooLate", `${DEPLOYMENT} api-deployment`]]);
    expect(found[0].problem).toContain('triggers (none → {"redeployment":"3f2a1b0"})');
    expect(rules(saved([deployment({ variables: { stage: "v1" } })]), [deployment({ variables: {} }, retained)])).toEqual([["TransitionRetainedTooLate", `${DEPLOYMENT} api-deployment`]]);
  });

  it("keeps a REST custom domain whose empty certificateBody the program drops, also from a saved plan's digest, and replaces it for a certificate body", () => {
    const domain = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => handBuilt(REST_DOMAIN, "api-domain", { domainName: "api.example.com", regionalCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1", ...inputs }, more);
    expect(clean([domain({ certificateBody: "" })], [domain({}, retained)])).toEqual([]);
    expect(clean(saved([domain({ certificateBody: "" })]), [domain({}, retained)])).toEqual([]);
    // The replacement is created while the deployed domain still holds api.example.com.
    expect(rules(saved([domain({ certificateBody: "" })]), [domain({ certificateBody: "-----BEGIN CERTIFICATE-----" })])).toEqual([["TransitionNameTaken", `${REST_DOMAIN} api-domain`]]);
  });
});
