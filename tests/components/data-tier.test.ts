import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { DataTier, keptBy, type DataTierArgs, type RegisteredDataTier, type TableArgs } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { checkDeletionProtectionKept } from "../../components/data-tier/spec";
import { sdkResolvedOptions } from "../../components/resource-options";
import { registeredSpecs } from "../../components/spec-registry";
import { childrenOf, ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";
import { recordWarnings } from "../harness/warnings";
import { refusalOf } from "../harness/refusals";

const gallery: TableArgs = {
  attributes: { pk: "S", sk: "S", gsi1pk: "S", gsi1sk: "S" },
  partitionKey: "pk",
  sortKey: "sk",
  globalIndexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" } },
  ttlAttribute: "expiresAt",
  stream: "NEW_AND_OLD_IMAGES",
};

const table = (graph: RecordedResource[], name: string) => resource(graph, "aws:dynamodb/table:Table", name);

describe("DataTier tables", () => {
  it("creates an on-demand table with keys, GSI, TTL, stream, PITR and KMS encryption by default", async () => {
    const graph = await record(() => new DataTier("basic", { tables: { gallery } }));
    const t = table(graph, "basic-gallery");
    expect(t.inputs).toMatchObject({
      hashKey: "pk",
      rangeKey: "sk",
      billingMode: "PAY_PER_REQUEST",
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      ttl: { enabled: true, attributeName: "expiresAt" },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: false,
      tableClass: "STANDARD",
    });
    expect(t.inputs.attributes).toEqual([
      { name: "pk", type: "S" },
      { name: "sk", type: "S" },
      { name: "gsi1pk", type: "S" },
      { name: "gsi1sk", type: "S" },
    ]);
    expect(t.inputs.globalSecondaryIndexes).toEqual([{ name: "gsi1", hashKey: "gsi1pk", rangeKey: "gsi1sk", projectionType: "ALL" }]);
    expect(t.inputs.readCapacity).toBeUndefined();
    expect(t.inputs.replicas).toBeUndefined();
    expect(t.retainOnDelete).toBe(false);
    expect(ofType(graph, "aws:appautoscaling/target:Target")).toEqual([]);
    const component = resource(graph, "serverless-fullstack:index:DataTier", "basic");
    expect(t.parent).toBe(component.urn);
  });

  it("leaves the stream off unless asked, and takes LSIs, INCLUDE projections, table class and a name", async () => {
    const graph = await record(
      () =>
        new DataTier("shapes", {
          tables: {
            events: {
              tableName: "events-table",
              attributes: { id: "S", at: "N", kind: "S", owner: "S" },
              partitionKey: "id",
              sortKey: "at",
              localIndexes: { "by-kind": { sortKey: "kind", projection: "KEYS_ONLY" } },
              globalIndexes: { "by-owner": { partitionKey: "owner", projection: ["title", "size"] } },
              tableClass: "STANDARD_INFREQUENT_ACCESS",
              pointInTimeRecovery: false,
            },
          },
        }),
    );
    const t = table(graph, "shapes-events");
    expect(t.inputs).toMatchObject({ name: "events-table", streamEnabled: false, tableClass: "STANDARD_INFREQUENT_ACCESS", pointInTimeRecovery: { enabled: false } });
    expect(t.inputs.streamViewType).toBeUndefined();
    expect(t.inputs.localSecondaryIndexes).toEqual([{ name: "by-kind", rangeKey: "kind", projectionType: "KEYS_ONLY" }]);
    expect(t.inputs.globalSecondaryIndexes).toEqual([{ name: "by-owner", hashKey: "owner", projectionType: "INCLUDE", nonKeyAttributes: ["title", "size"] }]);
  });

  it("provisioned billing: minimum capacity on table and indexes, target-tracking autoscaling for each", async () => {
    const graph = await record(
      () =>
        new DataTier("prov", {
          tables: {
            gallery: { ...gallery, billing: "provisioned", capacity: { read: { min: 5, max: 50, targetUtilization: 60 }, write: { min: 2, max: 20 } } },
          },
        }),
    );
    const t = table(graph, "prov-gallery");
    expect(t.inputs).toMatchObject({ billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 2 });
    expect(t.inputs.globalSecondaryIndexes[0]).toMatchObject({ readCapacity: 5, writeCapacity: 2 });
    const tableName = t.state.name;
    const targets = ofType(graph, "aws:appautoscaling/target:Target").map((r) => [r.name, r.inputs]);
    expect(targets).toEqual([
      ["prov-gallery-read-target", expect.objectContaining({ serviceNamespace: "dynamodb", resourceId: `table/${tableName}`, scalableDimension: "dynamodb:table:ReadCapacityUnits", minCapacity: 5, maxCapacity: 50 })],
      ["prov-gallery-write-target", expect.objectContaining({ resourceId: `table/${tableName}`, scalableDimension: "dynamodb:table:WriteCapacityUnits", minCapacity: 2, maxCapacity: 20 })],
      ["prov-gallery-gsi1-read-target", expect.objectContaining({ resourceId: `table/${tableName}/index/gsi1`, scalableDimension: "dynamodb:index:ReadCapacityUnits" })],
      ["prov-gallery-gsi1-write-target", expect.objectContaining({ resourceId: `table/${tableName}/index/gsi1`, scalableDimension: "dynamodb:index:WriteCapacityUnits" })],
    ]);
    const readPolicy = resource(graph, "aws:appautoscaling/policy:Policy", "prov-gallery-read-policy");
    expect(readPolicy.inputs).toMatchObject({
      policyType: "TargetTrackingScaling",
      scalableDimension: "dynamodb:table:ReadCapacityUnits",
      targetTrackingScalingPolicyConfiguration: { targetValue: 60, predefinedMetricSpecification: { predefinedMetricType: "DynamoDBReadCapacityUtilization" } },
    });
    const writePolicy = resource(graph, "aws:appautoscaling/policy:Policy", "prov-gallery-write-policy");
    expect(writePolicy.inputs.targetTrackingScalingPolicyConfiguration).toMatchObject({ targetValue: 70, predefinedMetricSpecification: { predefinedMetricType: "DynamoDBWriteCapacityUtilization" } });
  });

  it("global tables: replicas with PITR, protection and per-region customer keys; stream forced to NEW_AND_OLD_IMAGES", async () => {
    const graph = await record(
      () =>
        new DataTier("global", {
          region: "us-east-1",
          deletionProtection: true,
          retainOnDelete: true,
          tables: {
            prefs: {
              attributes: { identityId: "S", key: "S" },
              partitionKey: "identityId",
              sortKey: "key",
              replicaRegions: ["us-west-2", "eu-west-1"],
              kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/home",
              replicaKmsKeyArns: { "us-west-2": "arn:aws:kms:us-west-2:123456789012:key/west", "eu-west-1": "arn:aws:kms:eu-west-1:123456789012:key/eu" },
            },
          },
        }),
    );
    const t = table(graph, "global-prefs");
    expect(t.inputs).toMatchObject({
      region: "us-east-1",
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      deletionProtectionEnabled: true,
      serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/home" },
    });
    expect(t.inputs.replicas).toEqual([
      { regionName: "us-west-2", pointInTimeRecovery: true, deletionProtectionEnabled: true, kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/west", propagateTags: true },
      { regionName: "eu-west-1", pointInTimeRecovery: true, deletionProtectionEnabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/eu", propagateTags: true },
    ]);
    expect(t.retainOnDelete).toBe(true);
  });

  it("deploys TTL on, TTL off on its attribute (ttlEnabled: false), and no ttl block for a table without ttlAttribute", async () => {
    const graph = await record(
      () =>
        new DataTier("ttl", {
          tables: {
            on: gallery,
            explicit: { ...gallery, ttlEnabled: true },
            off: { ...gallery, ttlEnabled: false },
            plain: { attributes: { id: "S" }, partitionKey: "id" },
          },
        }),
    );
    expect(table(graph, "ttl-on").inputs.ttl).toEqual({ enabled: true, attributeName: "expiresAt" });
    expect(table(graph, "ttl-explicit").inputs.ttl).toEqual({ enabled: true, attributeName: "expiresAt" });
    // UpdateTimeToLive names the attribute to turn TTL off; a missing ttl block is no change to the provider.
    expect(table(graph, "ttl-off").inputs.ttl).toEqual({ enabled: false, attributeName: "expiresAt" });
    // Stacks deployed without ttlAttribute keep their inputs: no ttl block at all.
    expect(table(graph, "ttl-plain").inputs).not.toHaveProperty("ttl");
    // npm start's TTL sweep (local/dynamodb/ttl.ts) reads the registered spec: the attribute as given, and whether TTL is on.
    const registered = registeredSpecs<RegisteredDataTier>("DataTier").find((s) => s.name === "ttl")!;
    const ttlOf = (key: string) => ({ ttlAttribute: registered.spec.tables[key].ttlAttribute, ttlEnabled: registered.spec.tables[key].ttlEnabled });
    expect([ttlOf("on"), ttlOf("explicit"), ttlOf("off"), ttlOf("plain")]).toEqual([
      { ttlAttribute: "expiresAt", ttlEnabled: true },
      { ttlAttribute: "expiresAt", ttlEnabled: true },
      { ttlAttribute: "expiresAt", ttlEnabled: false },
      { ttlAttribute: undefined, ttlEnabled: false },
    ]);
  });

  it("keeps a retained provisioned table's autoscaling with it on delete (deletedWith the table), and not an unretained one's", async () => {
    const provisioned: TableArgs = { ...gallery, billing: "provisioned", capacity: { read: { min: 5, max: 50 }, write: { min: 5, max: 50 } } };
    const kept = await record(() => new DataTier("keptscale", { retainOnDelete: true, deletionProtection: true, tables: { gallery: provisioned } }));
    const keptTable = table(kept, "keptscale-gallery");
    const scaling = [...ofType(kept, "aws:appautoscaling/target:Target"), ...ofType(kept, "aws:appautoscaling/policy:Policy")];
    expect(scaling).toHaveLength(8);
    for (const r of scaling) expect([r.name, r.deletedWith]).toEqual([r.name, keptTable.urn]);
    const plain = await record(() => new DataTier("plainscale", { tables: { gallery: provisioned } }));
    for (const r of [...ofType(plain, "aws:appautoscaling/target:Target"), ...ofType(plain, "aws:appautoscaling/policy:Policy")]) expect([r.name, r.deletedWith]).toEqual([r.name, undefined]);
  });

  it("hands a provisioned table's capacities to the program for one update with the transformation docs/components/data-tier.md gives", async () => {
    // The documented procedure for switching an indexed table to provisioned, and for adding or removing an index of a
    // provisioned one: the table's ignoreChanges, and nothing else, are dropped, so every capacity is sent as its min.
    const sendCapacities = (resource: pulumi.ResourceTransformationArgs) =>
      resource.type === "aws:dynamodb/table:Table" && resource.name === "handover-gallery" ? { props: resource.props, opts: { ...resource.opts, ignoreChanges: [] } } : undefined;
    const provisioned: TableArgs = { ...gallery, billing: "provisioned", capacity: { read: { min: 5, max: 50 }, write: { min: 3, max: 50 } } };
    const graph = await record(() => new DataTier("handover", { tables: { gallery: provisioned, other: provisioned } }, { transformations: [sendCapacities] }));
    const handed = table(graph, "handover-gallery");
    expect(handed.ignoreChanges ?? []).toEqual([]);
    expect(handed.inputs).toMatchObject({ billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 3 });
    expect(handed.inputs.globalSecondaryIndexes).toEqual([expect.objectContaining({ name: "gsi1", readCapacity: 5, writeCapacity: 3 })]);
    expect(table(graph, "handover-other").ignoreChanges).toEqual(["readCapacity", "writeCapacity", "globalSecondaryIndexes[*].readCapacity", "globalSecondaryIndexes[*].writeCapacity"]);
    expect(ofType(graph, "aws:appautoscaling/target:Target")).toHaveLength(8);
  });

  it("places every regional child in the region arg", async () => {
    const graph = await record(() => {
      const tier = new DataTier("placed", { region: "eu-west-1", tables: { gallery }, export: { schedule: "rate(1 day)" } });
      tier.subscribe("s", "gallery", new LambdaFunction("placed-fn", { entry: "tests/fixtures/handlers/echo.ts", region: "eu-west-1" }));
    });
    const regional = graph.filter((r) => r.custom && r.name.startsWith("placed") && !r.name.startsWith("placed-fn") && r.type !== "aws:iam/role:Role" && r.type !== "aws:iam/rolePolicy:RolePolicy");
    expect(regional.length).toBeGreaterThan(15);
    for (const r of regional) expect([r.type, r.name, r.inputs.region]).toEqual([r.type, r.name, "eu-west-1"]);
  });

  it("exposes name, arn and streamArn outputs per table and registers its spec for npm start", async () => {
    let tier: DataTier | undefined;
    await record(() => (tier = new DataTier("outs", { tables: { gallery, plain: { attributes: { id: "S" }, partitionKey: "id" } } })));
    const resolve = <T>(o: { apply: (f: (v: T) => unknown) => unknown }) => new Promise<T>((done) => o.apply((v) => done(v)));
    const name = await resolve<string>(tier!.tables.gallery.name);
    expect(await resolve(tier!.tables.gallery.arn)).toBe(`arn:aws:dynamodb:us-east-1:123456789012:table/${name}`);
    expect(await resolve(tier!.tables.gallery.streamArn)).toMatch(new RegExp(`^arn:aws:dynamodb:us-east-1:123456789012:table/${name}/stream/`));
    expect(await resolve(tier!.tables.plain.streamArn)).toBeUndefined();
    const registered = registeredSpecs<{ tables: Record<string, unknown>; tableNames: Record<string, unknown> }>("DataTier").find((s) => s.name === "outs")!;
    expect(Object.keys(registered.spec.tables)).toEqual(["gallery", "plain"]);
    expect(await resolve(registered.spec.tableNames.gallery as never)).toBe(name);
  });
});

describe("DataTier stream subscriptions", () => {
  it("maps the stream to the function with partial batch responses, bisect, retries and an encrypted DLQ; grants the role", async () => {
    const graph = await record(() => {
      const tier = new DataTier("subs", { tables: { gallery } });
      const fn = new LambdaFunction("subs-fn", { entry: "tests/fixtures/handlers/echo.ts" });
      tier.subscribe("counters", "gallery", fn, { batchSize: 25, maximumRetryAttempts: 4, startingPosition: "TRIM_HORIZON" });
    });
    const t = table(graph, "subs-gallery");
    const dlq = resource(graph, "aws:sqs/queue:Queue", "subs-counters-dlq");
    expect(dlq.inputs).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 86400 });
    const mapping = resource(graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "subs-counters-mapping");
    expect(mapping.inputs).toMatchObject({
      eventSourceArn: t.state.streamArn,
      functionName: resource(graph, "aws:lambda/function:Function", "subs-fn-function").state.arn,
      batchSize: 25,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 4,
      maximumRecordAgeInSeconds: 86400,
      startingPosition: "TRIM_HORIZON",
      functionResponseTypes: ["ReportBatchItemFailures"],
      destinationConfig: { onFailure: { destinationArn: dlq.state.arn } },
    });
    const policy = resource(graph, "aws:iam/rolePolicy:RolePolicy", "subs-counters-stream-policy");
    expect(policy.inputs.role).toBe(resource(graph, "aws:iam/role:Role", "subs-fn-role").id);
    expect(mapping.dependencies).toContain(policy.urn);
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      {
        Sid: "GalleryStream",
        Effect: "Allow",
        Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
        Resource: [`${t.state.arn}/stream/*`],
      },
      { Sid: "SendFailedStreamBatches", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlq.state.arn] },
    ]);
    const component = resource(graph, "serverless-fullstack:index:DataTier", "subs");
    expect(childrenOf(graph, component).map((r) => r.name)).toEqual(expect.arrayContaining(["subs-counters-dlq", "subs-counters-mapping", "subs-counters-stream-policy"]));
    const spec = registeredSpecs<{ table: string; function: { name: string }; batchSize: number }>("StreamSubscription").find((s) => s.name === "subs-counters")!.spec;
    expect(spec).toMatchObject({ table: "gallery", function: { name: "subs-fn" }, batchSize: 25 });
  });

  it("takes maximumRetryAttempts -1 (retry until the records expire), as Lambda does for a DynamoDB stream", async () => {
    const graph = await record(() => {
      const tier = new DataTier("subsforever", { tables: { gallery } });
      tier.subscribe("counters", "gallery", new LambdaFunction("subsforever-fn", { entry: "tests/fixtures/handlers/echo.ts" }), { maximumRetryAttempts: -1 });
    });
    expect(resource(graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "subsforever-counters-mapping").inputs.maximumRetryAttempts).toBe(-1);
  });

  it("refuses a table without a stream, an unknown table, a reused name and bad batch settings", async () => {
    await record(() => {
      const tier = new DataTier("subsbad", { tables: { gallery, plain: { attributes: { id: "S" }, partitionKey: "id" } } });
      const fn = new LambdaFunction("subsbad-fn", { entry: "tests/fixtures/handlers/echo.ts" });
      expect(refusalOf(() => tier.subscribe("x", "plain", fn), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "subsbad",
        argument: "tables.plain.stream",
        value: undefined,
        fix: 'Set stream: "NEW_AND_OLD_IMAGES" (or another view type) on the table.',
        message: expect.stringMatching(/DataTier "subsbad": tables.plain.stream \(not set\) is off, but subscription "x" reads it\. Set stream:/),
      });
      expect(refusalOf(() => tier.subscribe("x", "nope", fn), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "subsbad",
        argument: 'subscribe("x").table',
        value: "nope",
        fix: "Use one of gallery, plain.",
        message: expect.stringMatching(/subscribe\("x"\)\.table "nope" is not a table of this DataTier\. Use one of gallery, plain/),
      });
      expect(refusalOf(() => tier.subscribe("x", "gallery", fn, { batchSize: 0 }), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "subsbad",
        argument: 'subscribe("x").batchSize',
        value: 0,
        fix: "Use a whole number from 1 to 10000 records per batch.",
        message: expect.stringMatching(/subscribe\("x"\)\.batchSize 0 is outside Lambda's range of 1–10000 records per batch/),
      });
      expect(refusalOf(() => tier.subscribe("x", "gallery", fn, { maximumRecordAgeInSeconds: 10 }), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "subsbad",
        argument: 'subscribe("x").maximumRecordAgeInSeconds',
        value: 10,
        fix: "Use a whole number from 60 to 604800 seconds (or -1).",
        message: expect.stringMatching(/maximumRecordAgeInSeconds 10 is outside Lambda's range of 60–604800 seconds/),
      });
      // The ranges DataStream's subscriptions take (STREAM_MAPPING_LIMITS): Lambda and terraform-provider-aws take
      // maximumRetryAttempts -1 (until the records expire) to 10000 for a DynamoDB stream too.
      expect(refusalOf(() => tier.subscribe("x", "gallery", fn, { maximumRetryAttempts: -2 }), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "subsbad",
        argument: 'subscribe("x").maximumRetryAttempts',
        value: -2,
        fix: "Use a whole number from -1 to 10000 retries.",
        message: expect.stringMatching(/subscribe\("x"\)\.maximumRetryAttempts -2 is outside Lambda's range of -1–10000 retries\. Use a whole number from -1 to 10000 retries\./),
      });
      expect(refusalOf(() => tier.subscribe("x", "gallery", fn, { maximumRetryAttempts: 10_001 }), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "subsbad",
        argument: 'subscribe("x").maximumRetryAttempts',
        value: 10001,
        fix: "Use a whole number from -1 to 10000 retries.",
        message: expect.stringMatching(/maximumRetryAttempts 10001 is outside Lambda's range of -1–10000 retries/),
      });
      tier.subscribe("x", "gallery", fn);
      expect(refusalOf(() => tier.subscribe("x", "gallery", fn), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "subsbad",
        argument: "subscribe name",
        value: "x",
        fix: "Give each subscription its own name.",
        message: expect.stringMatching(/subscribe name "x" is already used/),
      });
    });
  });

  it("refuses a second subscription of one function to one table (Lambda keeps one mapping per stream and function), not to another table", async () => {
    const other: TableArgs = { attributes: { id: "S" }, partitionKey: "id", stream: "NEW_IMAGE" };
    const graph = await record(() => {
      const tier = new DataTier("substwice", { tables: { gallery, other } });
      const fn = new LambdaFunction("substwice-fn", { entry: "tests/fixtures/handlers/echo.ts" });
      tier.subscribe("counters", "gallery", fn);
      expect(refusalOf(() => tier.subscribe("tallies", "gallery", fn, { startingPosition: "TRIM_HORIZON" }), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "substwice",
        argument: 'subscribe("tallies").fn',
        value: "substwice-fn",
        fix: 'Handle both in the one subscription "counters" (one handler can do both jobs), or subscribe another LambdaFunction.',
        message: expect.stringContaining('DataTier "substwice": subscribe("tallies").fn "substwice-fn" is already subscribed to table gallery by subscription "counters", and Lambda refuses a second event source mapping of one stream and one function (ResourceConflictException "provided mapping already exists"). Handle both in the one subscription "counters" (one handler can do both jobs), or subscribe another LambdaFunction.'),
      });
      tier.subscribe("audit", "other", fn);
    });
    expect(graph.filter((r) => r.type === "aws:lambda/eventSourceMapping:EventSourceMapping").map((r) => r.name).sort()).toEqual(["substwice-audit-mapping", "substwice-counters-mapping"]);
  });

  it("replaces its mapping delete-first: Lambda refuses a new mapping of the stream and function while the old one exists", async () => {
    const graph = await record(() => new DataTier("subsdbr", { tables: { gallery } }).subscribe("counters", "gallery", new LambdaFunction("subsdbr-fn", { entry: "tests/fixtures/handlers/echo.ts" })));
    expect(resource(graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "subsdbr-counters-mapping").deleteBeforeReplace).toBe(true);
  });
});

describe("DataTier export to S3", () => {
  const args: DataTierArgs = { tables: { gallery, other: { attributes: { id: "S" }, partitionKey: "id" } }, export: { schedule: "rate(1 day)", tables: ["gallery"], retentionDays: 7 } };

  it("creates a private, encrypted, TLS-only, logged bucket with a lifecycle", async () => {
    const graph = await record(() => new DataTier("exp", args));
    const bucket = resource(graph, "aws:s3/bucket:Bucket", "exp-export");
    const logs = resource(graph, "aws:s3/bucket:Bucket", "exp-export-logs");
    expect(resource(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "exp-export-access").inputs).toMatchObject({
      bucket: bucket.id, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true,
    });
    expect(resource(graph, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "exp-export-encryption").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true },
    ]);
    expect(resource(graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "exp-export-lifecycle").inputs.rules).toEqual([
      { id: "expire-exports", status: "Enabled", filter: { prefix: "exports/" }, expiration: { days: 7 } },
      { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
    ]);
    expect(resource(graph, "aws:s3/bucketLogging:BucketLogging", "exp-export-logging").inputs).toMatchObject({ bucket: bucket.id, targetBucket: logs.id });
    const policy = policyDocument(resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "exp-export-policy").inputs.policy);
    expect(policy.Statement).toEqual([expect.objectContaining({ Sid: "DenyInsecureTransport", Effect: "Deny", Action: "s3:*" })]);
    expect(bucket.retainOnDelete).toBe(false);
    expect(bucket.inputs.forceDestroy).toBe(true);
  });

  it("runs the export function on the schedule with exactly the export and write permissions", async () => {
    const graph = await record(() => new DataTier("exp2", args));
    const t = table(graph, "exp2-gallery");
    const bucket = resource(graph, "aws:s3/bucket:Bucket", "exp2-export");
    const fn = resource(graph, "aws:lambda/function:Function", "exp2-export-function");
    expect(fn.inputs.environment.variables).toMatchObject({
      EXPORT_BUCKET_NAME: bucket.state.bucket,
      EXPORT_PREFIX: "exports/",
      EXPORT_FORMAT: "DYNAMODB_JSON",
      TABLE_ARNS: JSON.stringify([t.state.arn]),
    });
    // The function's own schedule (EventBridge Scheduler), as any LambdaFunction's.
    const schedule = resource(graph, "aws:scheduler/schedule:Schedule", "exp2-export-schedule");
    expect(schedule.inputs).toMatchObject({ scheduleExpression: "rate(1 day)", target: { arn: fn.state.arn } });
    expect(ofType(graph, "aws:cloudwatch/eventRule:EventRule")).toEqual([]);
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "exp2-export-policy").inputs.policy).Statement;
    expect(statements.find((s) => s.Sid === "ExportTables")).toEqual({ Sid: "ExportTables", Effect: "Allow", Action: ["dynamodb:ExportTableToPointInTime"], Resource: [t.state.arn] });
    expect(statements.find((s) => s.Sid === "WriteExports")).toMatchObject({ Action: ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"], Resource: [`${bucket.state.arn}/exports/*`] });
    expect(resource(graph, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "exp2-export-async").inputs.destinationConfig.onFailure.destination).toBe(
      resource(graph, "aws:sqs/queue:Queue", "exp2-export-dlq").state.arn,
    );
  });

  it("is off unless configured, and retains its buckets with the tables", async () => {
    const off = await record(() => new DataTier("noexp", { tables: { gallery } }));
    expect(ofType(off, "aws:s3/bucket:Bucket")).toEqual([]);
    expect(ofType(off, "aws:scheduler/schedule:Schedule")).toEqual([]);
    const kept = await record(() => new DataTier("keptexp", { ...args, export: { ...args.export!, format: "ION" }, retainOnDelete: true }));
    for (const bucket of ofType(kept, "aws:s3/bucket:Bucket")) expect([bucket.retainOnDelete, bucket.inputs.forceDestroy]).toEqual([true, false]);
    expect(resource(kept, "aws:lambda/function:Function", "keptexp-export-function").inputs.environment.variables.EXPORT_FORMAT).toBe("ION");
  });

  it("names the export bucket when asked, protected (not kept) so a destroy cannot leave the name taken", async () => {
    const named = await record(() => new DataTier("namedexp", { ...args, export: { ...args.export!, bucketName: "gallery-exports" } }, { protect: true }));
    const bucket = resource(named, "aws:s3/bucket:Bucket", "namedexp-export");
    expect([bucket.inputs.bucket, bucket.retainOnDelete, bucket.protect]).toEqual(["gallery-exports", false, true]);
    expect(named.filter((r) => r.custom && !r.protect).map((r) => r.name)).toEqual([]);
  });
});

describe("DataTier secondary index quotas: LSIs are a hard limit, GSIs an adjustable default quota", () => {
  /** `count` global indexes on the gallery table's gsi1pk/gsi1sk. */
  const withGlobalIndexes = (count: number): TableArgs => ({ ...gallery, globalIndexes: Object.fromEntries(Array.from({ length: count }, (_, i) => [`gsi${i + 1}`, { partitionKey: "gsi1pk", sortKey: "gsi1sk" }])) });
  it("creates a table with 21 global indexes and warns that 20 is DynamoDB's default quota, which an account may have raised", async () => {
    const { graph, warned } = await recordWarnings(() => new DataTier("manyidx", { tables: { gallery: withGlobalIndexes(21) } }));
    expect(table(graph, "manyidx-gallery").inputs.globalSecondaryIndexes).toHaveLength(21);
    expect(warned.filter((m) => m.includes("globalIndexes"))).toEqual([
      expect.stringMatching(
        /^DataTier "manyidx": tables\.gallery\.globalIndexes declares 21 global secondary indexes, more than DynamoDB's default quota: "There is a default quota of 20 global secondary indexes per table" \(https:\/\/docs\.aws\.amazon\.com\/amazondynamodb\/latest\/developerguide\/ServiceQuotas\.html#limits-secondary-indexes\)\. The quota is adjustable: unless your account's was raised to 21 or more, CreateTable or UpdateTable fails\. Raise it in Service Quotas \(DynamoDB\), or overload fewer indexes \(single-table design\)\.$/,
      ),
    ]);
  });

  it("does not warn at 20 global indexes", async () => {
    expect((await recordWarnings(() => new DataTier("twentyidx", { tables: { gallery: withGlobalIndexes(20) } }))).warned.filter((m) => m.includes("globalIndexes"))).toEqual([]);
  });

  it("still refuses a sixth local index (a limit no account can raise)", () => {
    const localIndexes = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`lsi${i + 1}`, { sortKey: "gsi1sk" }]));
    expect(refusalOf(() => new DataTier("bad", { tables: { gallery: { ...gallery, localIndexes } } }), "DataTier accepted the arguments")).toMatchObject({
      component: "DataTier",
      resourceName: "bad",
      argument: "tables.gallery.localIndexes",
      value: "6 indexes",
      fix: "Use global indexes instead.",
      message: expect.stringMatching(/^DataTier "bad": tables\.gallery\.localIndexes "6 indexes" exceeds DynamoDB's 5\. Use global indexes instead\.$/),
    });
  });
});

describe("DataTier rejects bad specs with a clear error", () => {
  const build = (args: Partial<DataTierArgs> & { tables?: DataTierArgs["tables"] }) => () => new DataTier("bad", { tables: { gallery }, ...args } as DataTierArgs);
  const withTable = (changes: Partial<TableArgs>) => build({ tables: { gallery: { ...gallery, ...changes } } });

  it.each([
    [withTable({ partitionKey: "id" }), /DataTier "bad": tables\.gallery\.partitionKey "id" is not among the attributes \(pk, sk, gsi1pk, gsi1sk\)\. Declare it, e\.g\. attributes: \{ id: "S" \}/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.partitionKey", value: "id", fix: 'Declare it, e.g. attributes: { id: "S" }.' }],
    [withTable({ sortKey: "when" }), /tables\.gallery\.sortKey "when" is not among the attributes/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.sortKey", value: "when", fix: 'Declare it, e.g. attributes: { when: "S" }.' }],
    [withTable({ globalIndexes: { gsi1: { partitionKey: "owner" } } }), /tables\.gallery\.globalIndexes\.gsi1\.partitionKey "owner" is not among the attributes/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.globalIndexes.gsi1.partitionKey", value: "owner", fix: 'Declare it, e.g. attributes: { owner: "S" }.' }],
    [withTable({ attributes: { ...gallery.attributes, title: "S" } }), /tables\.gallery\.attributes\.title "S" is not a table or index key.*Remove title from attributes/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.attributes.title", value: "S", fix: "Remove title from attributes (items can still carry it), or key an index on it." }],
    [withTable({ ttlAttribute: "sk" }), /tables\.gallery\.ttlAttribute "sk" is a key attribute.*Use a separate attribute, e\.g\. "expiresAt"/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.ttlAttribute", value: "sk", fix: 'Use a separate attribute, e.g. "expiresAt".' }],
    [withTable({ ttlAttribute: "gsi1sk" }), /ttlAttribute "gsi1sk" is a key attribute/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.ttlAttribute", value: "gsi1sk", fix: 'Use a separate attribute, e.g. "expiresAt".' }],
    [withTable({ billing: "provisioned" }), /tables\.gallery\.capacity \(not set\) is required with billing "provisioned"\. Set capacity:/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.capacity", value: undefined, fix: "Set capacity: { read: { min: 5, max: 100 }, write: { min: 5, max: 100 } }, or use on-demand billing." }],
    [withTable({ capacity: { read: { min: 1, max: 5 }, write: { min: 1, max: 5 } } }), /tables\.gallery\.capacity .* is set on an on-demand table/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.capacity", value: { read: { min: 1, max: 5 }, write: { min: 1, max: 5 } }, fix: 'Remove capacity, or set billing: "provisioned".' }],
    [withTable({ billing: "provisioned", capacity: { read: { min: 10, max: 5 }, write: { min: 1, max: 5 } } }), /capacity\.read\.max 5 is below min \(10\)/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.capacity.read.max", value: 5, fix: "Use a whole number of at least 10." }],
    [withTable({ billing: "provisioned", capacity: { read: { min: 1, max: 5, targetUtilization: 95 }, write: { min: 1, max: 5 } } }),
      /^DataTier "bad": tables\.gallery\.capacity\.read\.targetUtilization 95 is outside DynamoDB auto scaling's range of 20–90 percent\. Use a percentage from 20 to 90, e\.g\. 70\.$/,
      { component: "DataTier", resourceName: "bad", argument: "tables.gallery.capacity.read.targetUtilization", value: 95, fix: "Use a percentage from 20 to 90, e.g. 70." }],
    [withTable({ billing: "provisioned", capacity: { read: { min: 1, max: 5 }, write: { min: 1, max: 5, targetUtilization: 19.5 } } }), /capacity\.write\.targetUtilization 19\.5 is outside DynamoDB auto scaling's range of 20–90 percent/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.capacity.write.targetUtilization", value: 19.5, fix: "Use a percentage from 20 to 90, e.g. 70." }],
    [withTable({ billing: "provisioned", capacity: { read: { min: 1, max: 5, targetUtilization: "70" as unknown as number }, write: { min: 1, max: 5 } } }), /capacity\.read\.targetUtilization "70" is not a number\. Use a percentage/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.capacity.read.targetUtilization", value: "70", fix: "Use a percentage from 20 to 90, e.g. 70." }],
    [withTable({ billing: "provisioned", capacity: { read: { min: 1, max: 5, targetUtilization: Number.NaN }, write: { min: 1, max: 5 } } }), /capacity\.read\.targetUtilization NaN is not a number/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.capacity.read.targetUtilization", value: Number.NaN, fix: "Use a percentage from 20 to 90, e.g. 70." }],
    [build({ region: "us-east-1", tables: { gallery: { ...gallery, replicaRegions: ["us-east-1"] } } }), /replicaRegions "us-east-1" is the table's home region; a global table's replicas live in other regions\. Remove it/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.replicaRegions", value: "us-east-1", fix: "Remove it; the table itself is the home-region replica." }],
    [withTable({ replicaRegions: ["us-west-2", "us-west-2"] }), /replicaRegions "us-west-2" is listed twice/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.replicaRegions", value: "us-west-2", fix: "List each replica region once." }],
    [withTable({ replicaRegions: ["mars-1"] }), /replicaRegions "mars-1" is not an AWS region/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.replicaRegions", value: "mars-1", fix: "Use the region's code, in lower case, e.g. \"us-west-2\"." }],
    [withTable({ replicaRegions: ["us-west-2"], billing: "provisioned", capacity: { read: { min: 5, max: 10 }, write: { min: 5, max: 10 } } }), /tables\.gallery\.billing "provisioned" cannot carry replicaRegions.*Use billing: "on-demand" for a global table/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.billing", value: "provisioned", fix: 'Use billing: "on-demand" for a global table.' }],
    [withTable({ replicaRegions: ["us-west-2"], stream: "KEYS_ONLY" }), /tables\.gallery\.stream "KEYS_ONLY" is not NEW_AND_OLD_IMAGES, which global tables replicate through/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.stream", value: "KEYS_ONLY", fix: 'Use stream: "NEW_AND_OLD_IMAGES" (or leave it unset) on a table with replicaRegions.' }],
    [withTable({ replicaRegions: ["us-west-2"], kmsKeyArn: "arn:aws:kms:us-east-1:1:key/k" }), /replicaKmsKeyArns "us-west-2" has no KMS key; a customer managed key is regional/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.replicaKmsKeyArns", value: "us-west-2", fix: 'Set replicaKmsKeyArns: { "us-west-2": "<key ARN in us-west-2>" }.' }],
    [withTable({ stream: "ALL" as never }), /stream "ALL" is not a stream view type/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.stream", value: "ALL", fix: "Use one of NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY." }],
    [withTable({ ttlAttribute: undefined, ttlEnabled: false }), /^DataTier "bad": tables\.gallery\.ttlEnabled false needs ttlAttribute: DynamoDB turns TTL off on the attribute it is on\. Set ttlAttribute to the attribute TTL is on, e\.g\. "expiresAt"\.$/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.ttlEnabled", value: false, fix: 'Set ttlAttribute to the attribute TTL is on, e.g. "expiresAt".' }],
    [withTable({ ttlAttribute: undefined, ttlEnabled: true }), /^DataTier "bad": tables\.gallery\.ttlEnabled true needs ttlAttribute, the attribute TTL expires items by\. Set ttlAttribute, e\.g\. "expiresAt", or remove ttlEnabled\.$/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.ttlEnabled", value: true, fix: 'Set ttlAttribute, e.g. "expiresAt", or remove ttlEnabled.' }],
    [withTable({ ttlEnabled: "no" as never }), /tables\.gallery\.ttlEnabled "no" is not true or false/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.ttlEnabled", value: "no", fix: "Use false to turn TTL off, or leave it unset." }],
    [
      build({ region: "us-east-1", tables: { gallery: { ...gallery, kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k" } } }),
      /^DataTier "bad": tables\.gallery\.kmsKeyArn "arn:aws:kms:us-west-2:123456789012:key\/k" is a key in us-west-2, but the table is in us-east-1; KMS keys are regional.*Use a key of us-east-1/,
      { component: "DataTier", resourceName: "bad", argument: "tables.gallery.kmsKeyArn", value: "arn:aws:kms:us-west-2:123456789012:key/k", fix: "Use a key of us-east-1 (for a multi-Region key, the ARN of its replica key in us-east-1)." }],
    [
      build({
        region: "us-east-1",
        tables: { gallery: { ...gallery, replicaRegions: ["us-west-2"], kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/home", replicaKmsKeyArns: { "us-west-2": "arn:aws:kms:us-east-1:123456789012:key/home" } } },
      }),
      /^DataTier "bad": tables\.gallery\.replicaKmsKeyArns\["us-west-2"\] "arn:aws:kms:us-east-1:123456789012:key\/home" is a key in us-east-1, but the replica is in us-west-2.*The key must be created in the same region as the replica.*Use a key of us-west-2/,
      { component: "DataTier", resourceName: "bad", argument: 'tables.gallery.replicaKmsKeyArns["us-west-2"]', value: "arn:aws:kms:us-east-1:123456789012:key/home", fix: "Use a key of us-west-2 (for a multi-Region key, the ARN of its replica key in us-west-2)." }],
    [withTable({ kmsKeyArn: "alias/gallery" }), /tables\.gallery\.kmsKeyArn "alias\/gallery" is not a KMS key ARN \(arn:<partition>:kms:<region>:<account>:key\/<id>\)/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.kmsKeyArn", value: "alias/gallery", fix: "Give the ARN of a customer managed key in the table's region, e.g. the arn output of an aws.kms.Key." }],
    [withTable({ kmsKeyArn: "arn:aws:s3:::gallery-keys" }), /tables\.gallery\.kmsKeyArn "arn:aws:s3:::gallery-keys" is not a KMS key ARN/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.kmsKeyArn", value: "arn:aws:s3:::gallery-keys", fix: "Give the ARN of a customer managed key in the table's region, e.g. the arn output of an aws.kms.Key." }],

    [withTable({ localIndexes: { lsi1: { sortKey: "sk" } } }), /localIndexes\.lsi1\.sortKey "sk" is the table's own sort key/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.localIndexes.lsi1.sortKey", value: "sk", fix: "Pick another attribute as the index's sort key." }],
    // DynamoDB's Projection: NonKeyAttributes holds 1–20 names of 1–255 characters, and at most 100 summed over a table's indexes.
    [
      withTable({ globalIndexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: Array.from({ length: 21 }, (_, i) => `a${i}`) } } }),
      /^DataTier "bad": tables\.gallery\.globalIndexes\.gsi1\.projection "21 attributes" is over DynamoDB's 20 non-key attributes per index\. Project at most 20, or use "ALL"/,
      { component: "DataTier", resourceName: "bad", argument: "tables.gallery.globalIndexes.gsi1.projection", value: "21 attributes", fix: 'Project at most 20, or use "ALL" (every attribute, no limit).' }],
    [
      withTable({ globalIndexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: ["title", "x".repeat(256)] } } }),
      /^DataTier "bad": tables\.gallery\.globalIndexes\.gsi1\.projection\[1\] "x{256}" is longer than DynamoDB's 255 characters for an attribute name\. Use the attribute's name/,
      { component: "DataTier", resourceName: "bad", argument: "tables.gallery.globalIndexes.gsi1.projection[1]", value: "x".repeat(256), fix: "Use the attribute's name as items store it." }],
    [
      withTable({ localIndexes: { lsi1: { sortKey: "gsi1sk", projection: ["title", "size", "title"] } } }),
      /^DataTier "bad": tables\.gallery\.localIndexes\.lsi1\.projection\[2\] "title" is listed twice\. List each attribute once/,
      { component: "DataTier", resourceName: "bad", argument: "tables.gallery.localIndexes.lsi1.projection[2]", value: "title", fix: "List each attribute once." }],
    [
      withTable({
        globalIndexes: Object.fromEntries(["gsi1", "gsi2", "gsi3", "gsi4", "gsi5"].map((index) => [index, { partitionKey: "gsi1pk", projection: Array.from({ length: 20 }, (_, i) => `${index}a${i}`) }])),
        localIndexes: { lsi1: { sortKey: "gsi1sk", projection: ["title"] } },
      }),
      /^DataTier "bad": tables\.gallery "101 non-key attributes" is over DynamoDB's 100 per table, summed over its indexes' projection lists \(globalIndexes\.gsi1 20, globalIndexes\.gsi2 20, globalIndexes\.gsi3 20, globalIndexes\.gsi4 20, globalIndexes\.gsi5 20, localIndexes\.lsi1 1\).*Project fewer/,
      { component: "DataTier", resourceName: "bad", argument: "tables.gallery", value: "101 non-key attributes", fix: 'Project fewer: "ALL" projects every attribute and does not count toward the limit, "KEYS_ONLY" projects none.' }],
    [build({ tables: { plain: { attributes: { id: "S", n: "N" }, partitionKey: "id", localIndexes: { byN: { sortKey: "n" } } } } }), /tables\.plain\.localIndexes \["byN"\] needs a table with a sort key/, { component: "DataTier", resourceName: "bad", argument: "tables.plain.localIndexes", value: ["byN"], fix: "Add sortKey to the table, or use a global index." }],
    [withTable({ tableName: "a b" }), /tableName "a b" is not a DynamoDB table name/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.tableName", value: "a b", fix: "Fix the name or leave it unset to have one generated." }],
    [build({ tables: {} }), /tables \{\} declares no table/, { component: "DataTier", resourceName: "bad", argument: "tables", value: {}, fix: 'Declare at least one, e.g. { gallery: { attributes: { pk: "S" }, partitionKey: "pk" } }.' }],
    [build({ export: { schedule: "every day" } }), /export\.schedule "every day" is neither rate\(value unit\) nor cron\(.*\)\. Use e\.g\. "rate\(5 minutes\)", "rate\(1 day\)"/, { component: "DataTier", resourceName: "bad", argument: "export.schedule", value: "every day", fix: 'Use e.g. "rate(5 minutes)", "rate(1 day)" or "cron(0 3 * * ? *)" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).' }],
    // EventBridge refuses these; the old pattern let them through to the deploy.
    [build({ export: { schedule: "rate(1 days)" } }), /export\.schedule "rate\(1 days\)" uses the plural "days" with 1; a value of 1 takes the singular unit/, { component: "DataTier", resourceName: "bad", argument: "export.schedule", value: "rate(1 days)", fix: 'Use e.g. "rate(5 minutes)", "rate(1 day)" or "cron(0 3 * * ? *)" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).' }],
    [build({ export: { schedule: "cron(0 3 * * * *)" } }), /export\.schedule "cron\(0 3 \* \* \* \*\)" must have \? in exactly one of day-of-month and day-of-week/, { component: "DataTier", resourceName: "bad", argument: "export.schedule", value: "cron(0 3 * * * *)", fix: 'Use e.g. "rate(5 minutes)", "rate(1 day)" or "cron(0 3 * * ? *)" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).' }],
    [build({ export: { schedule: "cron(61 3 * * ? *)" } }), /export\.schedule "cron\(61 3 \* \* \? \*\)" has minutes "61", outside 0–59/, { component: "DataTier", resourceName: "bad", argument: "export.schedule", value: "cron(61 3 * * ? *)", fix: 'Use e.g. "rate(5 minutes)", "rate(1 day)" or "cron(0 3 * * ? *)" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).' }],
    [build({ export: { schedule: "rate(1 day)", bucketName: "My.Exports" } }), /export\.bucketName "My\.Exports" contains a period/, { component: "DataTier", resourceName: "bad", argument: "export.bucketName", value: "My.Exports", fix: 'Use "My-Exports".' }],
    [
      build({ export: { schedule: "rate(1 day)", bucketName: "gallery-exports" }, retainOnDelete: true }),
      /^DataTier "bad": export\.bucketName "gallery-exports" is a fixed name on a bucket kept on delete \(retainOnDelete: true\).*Leave export\.bucketName unset \(Pulumi names the bucket "<DataTier name>-export-<random suffix>".*\{ protect: true \} on the DataTier, which its resources inherit.*retainOnDelete: false also stops keeping the tables: protect guards them/,
      { component: "DataTier", resourceName: "bad", argument: "export.bucketName", value: "gallery-exports", fix: 'Leave export.bucketName unset (Pulumi names the bucket "<DataTier name>-export-<random suffix>", and a kept bucket never blocks the next deployment), or keep the name with retainOnDelete: false and the resource option { protect: true } on the DataTier, which its resources inherit: `pulumi destroy` then refuses until you unprotect them (after that it deletes the bucket with its objects), so the name is never created twice; until then protect also refuses an update that would replace or remove one of them. retainOnDelete: false also stops keeping the tables: protect guards them while it is set, and deletionProtection: true makes DynamoDB refuse their deletion after.' }],
    [
      build({ tables: { gallery: { ...gallery, tableName: "gallery" } }, retainOnDelete: true }),
      /^DataTier "bad": tables\.gallery\.tableName "gallery" is a fixed name on a table kept on delete \(retainOnDelete: true\).*ResourceInUseException.*Leave tables\.gallery\.tableName unset.*deletionProtection: true.*\{ protect: true \} on the DataTier/,
      { component: "DataTier", resourceName: "bad", argument: "tables.gallery.tableName", value: "gallery", fix: 'Leave tables.gallery.tableName unset (Pulumi names the table "<DataTier name>-<table key>-<random suffix>", and a kept table never blocks the next deployment), or keep the name with retainOnDelete: false, deletionProtection: true (DynamoDB then refuses to delete the table) and the resource option { protect: true } on the DataTier, which its resources inherit: `pulumi destroy` then refuses until you unprotect them, so the name is never created twice.' }],
    [build({ idempotency: { tableName: "gallery-idempotency" }, retainOnDelete: true }), /^DataTier "bad": idempotency\.tableName "gallery-idempotency" is a fixed name on a table kept on delete/, { component: "DataTier", resourceName: "bad", argument: "idempotency.tableName", value: "gallery-idempotency", fix: 'Leave idempotency.tableName unset (Pulumi names the table "<DataTier name>-<table key>-<random suffix>", and a kept table never blocks the next deployment), or keep the name with retainOnDelete: false, deletionProtection: true (DynamoDB then refuses to delete the table) and the resource option { protect: true } on the DataTier, which its resources inherit: `pulumi destroy` then refuses until you unprotect them, so the name is never created twice.' }],
    [build({ export: { schedule: "rate(1 day)", tables: ["nope"] } }), /export\.tables "nope" is not a table of this DataTier/, { component: "DataTier", resourceName: "bad", argument: "export.tables", value: "nope", fix: "Use one of gallery." }],
    [build({ tables: { gallery: { ...gallery, pointInTimeRecovery: false } }, export: { schedule: "rate(1 day)" } }), /tables\.gallery\.pointInTimeRecovery false is off, but the table is exported/, { component: "DataTier", resourceName: "bad", argument: "tables.gallery.pointInTimeRecovery", value: false, fix: "Turn pointInTimeRecovery on, or leave the table out of export.tables." }],
  ])("%#", (construct, message, contract) => {
    expect(refusalOf(construct, "DataTier accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });

  // DynamoDB refuses to delete a protected table and the provider does not turn the protection off first, so a destroy
  // of a DataTier protected but not kept would delete the subscriptions, export and autoscaling and then fail.
  it("refuses deletionProtection without retainOnDelete or protect, naming the argument, value and fixes", () => {
    expect(refusalOf(build({ deletionProtection: true }), "DataTier accepted the arguments")).toMatchObject({
      component: "DataTier",
      resourceName: "bad",
      argument: "deletionProtection",
      value: true,
      fix: "Set retainOnDelete: true as well (the tables then outlive a destroy), or give the DataTier the resource option { protect: true }, or protect the tables with a transformation (`pulumi destroy` then refuses before deleting anything); to delete the tables later, set deletionProtection: false and `pulumi up` first.",
      message: expect.stringMatching(/^DataTier "bad": deletionProtection true is set without retainOnDelete: `pulumi destroy` \(or removing a table from tables\) deletes the table's stream subscriptions, export and autoscaling and only then reaches the table, which DynamoDB refuses to delete while its deletion protection is on, so the destroy fails part-way\. Set retainOnDelete: true as well .*resource option \{ protect: true \}.*set deletionProtection: false and `pulumi up` first\.$/),
    });
    expect(refusalOf(build({ deletionProtection: true, retainOnDelete: false }), "DataTier accepted the arguments")).toMatchObject({
      component: "DataTier",
      resourceName: "bad",
      argument: "deletionProtection",
      value: true,
      fix: "Set retainOnDelete: true as well (the tables then outlive a destroy), or give the DataTier the resource option { protect: true }, or protect the tables with a transformation (`pulumi destroy` then refuses before deleting anything); to delete the tables later, set deletionProtection: false and `pulumi up` first.",
      message: expect.stringMatching(/deletionProtection true is set without retainOnDelete/),
    });
  });

  it("accepts deletionProtection with retainOnDelete, or under protect (its own or a parent's), and retainOnDelete alone", async () => {
    const graph = await record(() => {
      new DataTier("kept", { tables: { gallery }, deletionProtection: true, retainOnDelete: true });
      new DataTier("guarded", { tables: { gallery }, deletionProtection: true }, { protect: true });
      const parent = new pulumi.ComponentResource("test:index:Parent", "parent", {}, { protect: true });
      new DataTier("inherited", { tables: { gallery }, deletionProtection: true }, { parent });
      new DataTier("retained", { tables: { gallery }, retainOnDelete: true });
    });
    expect(ofType(graph, "aws:dynamodb/table:Table").map((t) => [t.name, t.inputs.deletionProtectionEnabled, t.retainOnDelete, t.protect])).toEqual([
      ["kept-gallery", true, true, false],
      ["guarded-gallery", true, false, true],
      ["inherited-gallery", true, false, true],
      ["retained-gallery", false, true, false],
    ]);
  });

  // Review 95 (F2): the verdict is taken on the tables as constructed, after transformations ran.
  it("accepts deletionProtection on tables a transformation protects, without a warning", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const protectTables: pulumi.ResourceTransformation = (a) => (a.type === "aws:dynamodb/table:Table" ? { props: a.props, opts: { ...a.opts, protect: true } } : undefined);
    const graph = await record(() => new DataTier("transformed", { tables: { gallery }, deletionProtection: true }, { transformations: [protectTables] }));
    expect(ofType(graph, "aws:dynamodb/table:Table").map((t) => [t.name, t.inputs.deletionProtectionEnabled, t.protect])).toEqual([["transformed-gallery", true, true]]);
    expect(warn.mock.calls.filter(([message]) => /deletionProtection/.test(String(message)))).toEqual([]);
    warn.mockRestore();
  });

  it("only warns when transformations or transforms might keep the tables, leaving the verdict to DynamoDbTableDestroyable", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const tagTables: pulumi.ResourceTransformation = (a) => ({ props: { ...a.props, tags: { team: "gallery" } }, opts: a.opts });
    await record(() => new DataTier("tagged", { tables: { gallery }, deletionProtection: true }, { transformations: [tagTables] }));
    expect(warn.mock.calls.map(([message]) => String(message)).filter((message) => /deletionProtection/.test(message))).toEqual([
      expect.stringMatching(/^DataTier "tagged": deletionProtection true is set without retainOnDelete: .* unless a transformation or transform keeps the tables \(retainOnDelete or protect\)\. Deploy rule DynamoDbTableDestroyable judges the tables as registered/),
    ]);
    warn.mockRestore();
    // Engine-side `transforms` (the mocks' engine runs none, so the judgement is called as DataTier calls it).
    const warned: string[] = [];
    const refuse = (() => {
      throw new Error("refused");
    }) as never;
    checkDeletionProtectionKept(refuse, "engine", { tables: { gallery }, deletionProtection: true }, { tablesProtected: false, transformed: true }, (message) => warned.push(message));
    expect(warned).toEqual([expect.stringMatching(/^DataTier "engine": deletionProtection true is set without retainOnDelete/)]);
    expect(() => checkDeletionProtectionKept(refuse, "plain", { tables: { gallery }, deletionProtection: true }, { tablesProtected: false, transformed: false }, () => undefined)).toThrow("refused");
  });

  it("reads protect and the transformations from the SDK's private __protect and __transformations, resolved after transformations (pins @pulumi/pulumi's fields), and reads nothing where they are not", () => {
    const parent = new pulumi.ComponentResource("test:index:Parent", "pinned", {}, { protect: true });
    const inherited = new aws.dynamodb.Table("pinned-inherited", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }] }, { parent });
    const plain = new aws.dynamodb.Table("pinned-plain", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }] });
    const transformed = new aws.dynamodb.Table("pinned-transformed", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }] }, { transformations: [(a) => ({ props: a.props, opts: { ...a.opts, protect: true } })] });
    expect([inherited, plain, transformed].map((resource) => sdkResolvedOptions(resource)?.protect)).toEqual([true, false, true]);
    expect([inherited, plain, transformed].map((resource) => sdkResolvedOptions(resource)?.transformations)).toEqual([0, 0, 1]);
    // Another SDK's resource, without these fields: nothing is read (DataTier then only warns, keptBy).
    expect(sdkResolvedOptions({} as pulumi.Resource)).toBeUndefined();
    expect(keptBy(parent, [inherited, transformed], undefined)).toEqual({ tablesProtected: true, transformed: false });
    expect(keptBy(parent, [inherited, plain], { transforms: [(a) => a] })).toEqual({ tablesProtected: false, transformed: true });
    expect(keptBy(parent, [inherited, {} as pulumi.Resource], undefined)).toEqual({ tablesProtected: false, transformed: true });
  });


  // table Pulumi names from the component is refused at construction, as DataTier's, not at `pulumi up`.
  it.each([
    [() => new DataTier("Données", { tables: { gallery } }), /^DataTier "Données": name "Données" makes the DynamoDB table name "Données-gallery-<random suffix>" hold "é", which DynamoDB refuses.*Use a component name of letters, digits/, { component: "DataTier", resourceName: "Données", argument: "name", value: "Données", fix: 'Use a component name of letters, digits, "-", "." and "_", e.g. "Donn-es".' }],
    [() => new DataTier("Données", { tables: { gallery: { ...gallery, tableName: "donnees-gallery" } } }), undefined, undefined],
    [() => new DataTier("d".repeat(240), { tables: { gallery } }), /^DataTier "d{240}": tables "gallery" makes the DynamoDB table name "d{240}-gallery-<random suffix>" 256 characters, over DynamoDB's 255\. Use a table key of at most 6 characters, or a component name of at most 239/, { component: "DataTier", resourceName: "d".repeat(240), argument: "tables", value: "gallery", fix: "Use a table key of at most 6 characters, or a component name of at most 239 characters." }],
    [() => new DataTier("tier", { tables: { ["g".repeat(250)]: gallery } }), /^DataTier "tier": tables "g{250}" makes the DynamoDB table name "tier-g{250}-<random suffix>" 263 characters, over DynamoDB's 255\. Use a table key of at most 242/, { component: "DataTier", resourceName: "tier", argument: "tables", value: "g".repeat(250), fix: "Use a table key of at most 242 characters." }],
    [() => new DataTier("Données", { tables: { gallery: { ...gallery, tableName: "donnees-gallery" } }, idempotency: {} }), /^DataTier "Données": name "Données" makes the DynamoDB table name "Données-idempotency-<random suffix>" hold "é"/, { component: "DataTier", resourceName: "Données", argument: "name", value: "Données", fix: 'Use a component name of letters, digits, "-", "." and "_", e.g. "Donn-es".' }],
  ])("refuses a component name or table key that makes an autonamed table name DynamoDB refuses (%#)", (construct, message, contract) => {
    if (message === undefined) expect(construct).not.toThrow();
    else expect(refusalOf(construct, "DataTier accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });

  it("leaves the home region of a DataTier under an explicit provider (its region, unknown at construction) to the plan: a key and a replica in the stack's aws:region are not refused", () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-east-1";
    try {
      const eu = new aws.Provider("data-eu", { region: "eu-west-1" });
      expect(() => new DataTier("provided-key", { tables: { gallery: { ...gallery, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/eu" } } }, { provider: eu })).not.toThrow();
      const table = { ...gallery, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/eu", replicaRegions: ["us-east-1"], replicaKmsKeyArns: { "us-east-1": "arn:aws:kms:us-east-1:123456789012:key/home" } };
      expect(() => new DataTier("provided", { tables: { gallery: table } }, { provider: eu })).not.toThrow();
      // A replica key is still checked against its replica's region, which the program states.
      expect(refusalOf(() => new DataTier("provided-bad", { tables: { gallery: { ...table, replicaKmsKeyArns: { "us-east-1": "arn:aws:kms:eu-west-1:123456789012:key/eu" } } } }, { provider: eu }), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "provided-bad",
        argument: 'tables.gallery.replicaKmsKeyArns["us-east-1"]',
        value: "arn:aws:kms:eu-west-1:123456789012:key/eu",
        fix: "Use a key of us-east-1 (for a multi-Region key, the ARN of its replica key in us-east-1).",
        message: expect.stringMatching(/replicaKmsKeyArns\["us-east-1"\] "arn:aws:kms:eu-west-1:123456789012:key\/eu" is a key in eu-west-1, but the replica is in us-east-1/),
      });
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });

  it("uses the stack's aws:region as the home region when no region arg is given", () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "eu-central-1";
    try {
      expect(refusalOf(withTable({ replicaRegions: ["eu-central-1"] }), "DataTier accepted the arguments")).toMatchObject({
        component: "DataTier",
        resourceName: "bad",
        argument: "tables.gallery.replicaRegions",
        value: "eu-central-1",
        fix: "Remove it; the table itself is the home-region replica.",
        message: expect.stringMatching(/replicaRegions "eu-central-1" is the table's home region/),
      });
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });
});
