/**
 * Local IAM for the program's functions (local/function-roles.ts, local/iam-policy.ts): each function signs with its
 * own credentials, and the local S3 server allows it what its role's recorded policies allow — so a permission missing
 * from `permissions` fails under `npm start` as it does in AWS (403 AccessDenied), a HEAD or GET of a missing key is 403
 * without s3:ListBucket (as S3 answers), and DeleteObjects refuses key by key.
 */
import { DynamoDBClient, ExecuteStatementCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluatePolicy, policyStatements } from "../../local/iam-policy";
import { startLocalDynamo, type LocalDynamo } from "../../local/dynamodb";
import { dynamoPermissions } from "../../local/dynamodb/authorise";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import type { RecordedResource } from "../../local/offline/mocks";
import type { OfflineRun } from "../../local/offline/program";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "../../local/s3-server";
import { startLocalSqs, type LocalSqsServer } from "../../local/sqs-server";
import { tableSpec } from "./dynamodb-helpers";
import { queueDefinition } from "./sqs-helpers";
import { runStacks } from "../stacks/run-stack";

const recorded = (type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}): RecordedResource =>
  ({ type, name, urn: `urn:${type}::${name}`, custom: true, inputs, state: { ...inputs, ...state }, id: String(state.name ?? name), protect: false, retainOnDelete: false, dependencies: [] }) as RecordedResource;

/** A function `fn-a1b2` whose role has `statements` as one inline policy (and `managed` attached). */
function graphOf(statements: unknown[], managed: string[] = []): RecordedResource[] {
  const roleArn = "arn:aws:iam::123456789012:role/fn-role-1a2b";
  return [
    recorded("aws:iam/role:Role", "fn-role", {}, { name: "fn-role-1a2b", arn: roleArn }),
    recorded("aws:lambda/function:Function", "fn-function", { role: roleArn }, { name: "fn-a1b2" }),
    recorded("aws:iam/rolePolicy:RolePolicy", "fn-policy", { role: "fn-role-1a2b", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }),
    ...managed.map((policyArn, i) => recorded("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `fn-managed-${i}`, { role: "fn-role-1a2b", policyArn })),
  ];
}

describe("IAM's decision, locally", () => {
  const statements = policyStatements({
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject", "S3:PutObject"], Resource: "arn:aws:s3:::uploads/originals/*" },
      { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::scratch/tmp-??/*" },
      { Effect: "Deny", Action: "s3:PutObject", Resource: "arn:aws:s3:::uploads/originals/locked/*" },
      { Effect: "Deny", NotAction: "s3:GetObject", Resource: "arn:aws:s3:::archive/*" },
      { Effect: "Allow", Action: "s3:ListBucket", NotResource: "arn:aws:s3:::uploads" },
      // Conditions are not evaluated: a conditional Deny does not refuse, a conditional Allow allows.
      { Effect: "Deny", Action: "s3:GetObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ],
  });

  it("allows by action (case-insensitive) and resource (wildcards * and ? across slashes), and denies explicitly over any allow", () => {
    expect(evaluatePolicy(statements, "s3:putobject", "arn:aws:s3:::uploads/originals/a/b.png")).toBe("allowed");
    expect(evaluatePolicy(statements, "s3:DeleteObject", "arn:aws:s3:::scratch/tmp-01/x")).toBe("allowed");
    expect(evaluatePolicy(statements, "s3:DeleteObject", "arn:aws:s3:::scratch/tmp-001/x")).toBe("implicitly-denied");
    expect(evaluatePolicy(statements, "s3:PutObject", "arn:aws:s3:::uploads/originals/locked/a.png")).toBe("explicitly-denied");
    expect(evaluatePolicy(statements, "s3:DeleteObject", "arn:aws:s3:::uploads/originals/a.png")).toBe("implicitly-denied");
  });

  it("reads a policy variable as matching anything (it is not resolved locally)", () => {
    const own = policyStatements({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/*" }] });
    expect(evaluatePolicy(own, "s3:GetObject", "arn:aws:s3:::home/alice/a.txt")).toBe("allowed");
    expect(evaluatePolicy(own, "s3:GetObject", "arn:aws:s3:::other/alice/a.txt")).toBe("implicitly-denied");
    // A Deny with a variable might not cover this request in AWS: locally it does not apply.
    const denyOthers = [...own, ...policyStatements({ Statement: [{ Effect: "Deny", Action: "s3:GetObject", NotResource: "arn:aws:s3:::home/${aws:username}/*" }] })];
    expect(evaluatePolicy(denyOthers, "s3:GetObject", "arn:aws:s3:::home/alice/a.txt")).toBe("allowed");
  });

  it("reads NotAction and NotResource as everything but what they name", () => {
    expect(evaluatePolicy(statements, "s3:PutObject", "arn:aws:s3:::archive/a")).toBe("explicitly-denied");
    expect(evaluatePolicy(statements, "s3:GetObject", "arn:aws:s3:::archive/a")).toBe("implicitly-denied");
    expect(evaluatePolicy(statements, "s3:ListBucket", "arn:aws:s3:::archive")).toBe("allowed");
    expect(evaluatePolicy(statements, "s3:ListBucket", "arn:aws:s3:::uploads")).toBe("implicitly-denied");
  });
});

describe("the functions' roles", () => {
  it("give each function credentials of its own, of AWS's shape, the same on every start", () => {
    const a = functionCredentials("api-get-photo-1a2b3c4");
    expect(a.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(functionCredentials("api-get-photo-1a2b3c4")).toEqual(a);
    expect(functionCredentials("api-put-photo-1a2b3c4").accessKeyId).not.toBe(a.accessKeyId);
  });

  it("refuse in AWS's words what the role does not allow; other signers (tools, tests) are not checked", () => {
    const roles = FunctionRoles.fromGraph(graphOf([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::uploads/originals/*"] }]));
    const { accessKeyId } = functionCredentials("fn-a1b2");
    expect(roles.authorise(accessKeyId, "s3:GetObject", "arn:aws:s3:::uploads/originals/a.png")).toBeUndefined();
    expect(roles.authorise(accessKeyId, "s3:PutObject", "arn:aws:s3:::uploads/originals/a.png")).toEqual({
      caller: "arn:aws:sts::123456789012:assumed-role/fn-role-1a2b/fn-a1b2",
      reason: "because no identity-based policy allows the s3:PutObject action",
    });
    expect(roles.authorise(LOCAL_CREDENTIALS.accessKeyId, "s3:PutObject", "arn:aws:s3:::uploads/originals/a.png")).toBeUndefined();
  });

  it("are not enforced when a managed policy the graph does not hold is attached (its document is AWS's)", () => {
    const { accessKeyId } = functionCredentials("fn-a1b2");
    const runtimeOnly = FunctionRoles.fromGraph(graphOf([], ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]));
    expect(runtimeOnly.authorise(accessKeyId, "s3:GetObject", "arn:aws:s3:::uploads/a")).toMatchObject({ reason: expect.stringContaining("no identity-based policy") });
    const readOnly = FunctionRoles.fromGraph(graphOf([], ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]));
    expect(readOnly.authorise(accessKeyId, "s3:GetObject", "arn:aws:s3:::uploads/a")).toBeUndefined();
  });

  it("read the policies the plan holds however they are attached: a customer managed policy it creates, the Role's own inlinePolicies and managedPolicyArns", () => {
    const { accessKeyId } = functionCredentials("fn-a1b2");
    const document = (action: string, resource: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });
    const policyArn = "arn:aws:iam::123456789012:policy/uploads-read";
    // A customer managed policy of the plan, attached by a RolePolicyAttachment and by a PolicyAttachment naming the role.
    const customer = recorded("aws:iam/policy:Policy", "uploads-read", { policy: document("s3:GetObject", "arn:aws:s3:::uploads/*") }, { arn: policyArn });
    for (const attachment of [
      recorded("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "fn-attach", { role: "fn-role-1a2b", policyArn }),
      recorded("aws:iam/policyAttachment:PolicyAttachment", "fn-attach", { roles: ["fn-role-1a2b"], policyArn }),
    ]) {
      const roles = FunctionRoles.fromGraph([...graphOf([]), customer, attachment]);
      expect(roles.governs(accessKeyId)).toBe(true);
      expect(roles.authorise(accessKeyId, "s3:GetObject", "arn:aws:s3:::uploads/a")).toBeUndefined();
      expect(roles.authorise(accessKeyId, "s3:PutObject", "arn:aws:s3:::uploads/a")).toMatchObject({ reason: "because no identity-based policy allows the s3:PutObject action" });
    }
    // The Role's own inline policies are read; an AWS managed policy in its managedPolicyArns leaves it unchecked.
    const [role, ...rest] = graphOf([]);
    const inline = { ...role, inputs: { inlinePolicies: [{ name: "own", policy: document("sqs:SendMessage", "*") }] } };
    expect(FunctionRoles.fromGraph([inline, ...rest]).authorise(accessKeyId, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")).toBeUndefined();
    expect(FunctionRoles.fromGraph([inline, ...rest]).authorise(accessKeyId, "sqs:DeleteMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")).toBeDefined();
    const managed = { ...role, inputs: { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"] } };
    expect(FunctionRoles.fromGraph([managed, ...rest]).governs(accessKeyId)).toBe(false);
    // The execution roles' own managed policies, in any partition, leave it checked.
    const vpc = { ...role, inputs: { managedPolicyArns: ["arn:aws-cn:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"] } };
    expect(FunctionRoles.fromGraph([vpc, ...rest]).governs(accessKeyId)).toBe(true);
  });

  it("give each function its own role's policies, however a policy names the role (its name, ARN or id), read from one pass over the graph", () => {
    const document = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
    const role = (name: string, id: string) => ({ ...recorded("aws:iam/role:Role", name, {}, { name, arn: `arn:aws:iam::123456789012:role/${name}` }), id });
    const policyArn = "arn:aws:iam::123456789012:policy/shared-send";
    const graph = [
      // The policies come before the roles and functions they are for: the graph's order is the program's.
      recorded("aws:iam/rolePolicy:RolePolicy", "a-by-arn", { role: "arn:aws:iam::123456789012:role/role-a", policy: document("s3:GetObject") }),
      recorded("aws:iam/rolePolicy:RolePolicy", "b-by-id", { role: "role-b-id", policy: document("s3:PutObject") }),
      recorded("aws:iam/policy:Policy", "shared-send", { policy: document("sqs:SendMessage") }, { arn: policyArn }),
      // Naming role-a twice (by name and by ARN): attached once.
      recorded("aws:iam/policyAttachment:PolicyAttachment", "send", { roles: ["role-a", "arn:aws:iam::123456789012:role/role-a"], policyArn }),
      role("role-a", "role-a-id"),
      role("role-b", "role-b-id"),
      recorded("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "b-managed", { role: "role-b", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }),
      recorded("aws:lambda/function:Function", "fn-a", { role: "arn:aws:iam::123456789012:role/role-a" }, { name: "fn-a" }),
      recorded("aws:lambda/function:Function", "fn-b", { role: "arn:aws:iam::123456789012:role/role-b" }, { name: "fn-b" }),
      // Sharing role-a.
      recorded("aws:lambda/function:Function", "fn-c", { role: "arn:aws:iam::123456789012:role/role-a" }, { name: "fn-c" }),
      // A role the plan does not hold: not one of the roles.
      recorded("aws:lambda/function:Function", "fn-d", { role: "arn:aws:iam::123456789012:role/elsewhere" }, { name: "fn-d" }),
    ];
    const roles = FunctionRoles.fromGraph(graph);
    const key = (name: string) => functionCredentials(name).accessKeyId;
    expect(roles.credentials().map((c) => c.accessKeyId)).toEqual([key("fn-a"), key("fn-b"), key("fn-c")]);
    for (const fn of ["fn-a", "fn-c"]) {
      expect(roles.governs(key(fn))).toBe(true);
      expect(roles.authorise(key(fn), "s3:GetObject", "arn:aws:s3:::uploads/a")).toBeUndefined();
      expect(roles.authorise(key(fn), "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")).toBeUndefined();
      expect(roles.authorise(key(fn), "s3:PutObject", "arn:aws:s3:::uploads/a")).toEqual({
        caller: `arn:aws:sts::123456789012:assumed-role/role-a/${fn}`,
        reason: "because no identity-based policy allows the s3:PutObject action",
      });
    }
    // role-b's AWS managed policy is not in the plan: only an explicit Deny would refuse it.
    expect(roles.governs(key("fn-b"))).toBe(false);
    expect(roles.authorise(key("fn-b"), "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")).toBeUndefined();
    expect(roles.governs(key("fn-d"))).toBe(false);
    // role-b without its managed policy: its own policy (named by the role's id) and nothing of role-a's.
    const roleB = FunctionRoles.fromGraph(graph.filter((r) => r.name !== "b-managed"));
    expect(roleB.authorise(key("fn-b"), "s3:PutObject", "arn:aws:s3:::uploads/a")).toBeUndefined();
    expect(roleB.authorise(key("fn-b"), "s3:GetObject", "arn:aws:s3:::uploads/a")).toMatchObject({ reason: "because no identity-based policy allows the s3:GetObject action" });
    expect(roleB.authorise(key("fn-b"), "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")).toMatchObject({ reason: "because no identity-based policy allows the sqs:SendMessage action" });
  });
});

describe("the local S3 server, authorising the functions by their roles", () => {
  let s3: LocalS3;
  const fn = functionCredentials("fn-a1b2");
  const client = (credentials = fn) => new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials });
  beforeAll(async () => {
    const roles = FunctionRoles.fromGraph(
      graphOf([
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: ["arn:aws:s3:::uploads/originals/*"] },
        { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::replica/originals/*"] },
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::replica"] },
      ]),
    );
    s3 = await startLocalS3({ buckets: ["uploads", "replica"], credentials: [LOCAL_CREDENTIALS, ...roles.credentials()], authorise: roles.authorise });
  });
  afterAll(() => s3.close());

  it("answers 403 AccessDenied, with the reason, to a request the role does not allow, and to a presigned URL its signer may not use", async () => {
    await client().send(new PutObjectCommand({ Bucket: "uploads", Key: "originals/a.png", Body: "png" }));
    const refused = await client()
      .send(new PutObjectCommand({ Bucket: "uploads", Key: "thumbnails/a.webp", Body: "webp" }))
      .catch((error: Error & { $metadata: { httpStatusCode: number } }) => error);
    expect(refused).toMatchObject({
      name: "AccessDenied",
      message: 'User: arn:aws:sts::123456789012:assumed-role/fn-role-1a2b/fn-a1b2 is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::uploads/thumbnails/a.webp" because no identity-based policy allows the s3:PutObject action',
      $metadata: { httpStatusCode: 403 },
    });
    expect(s3.store.get("uploads", "thumbnails/a.webp")).toBeUndefined();
    // The tools' own credentials are not a function's: not checked.
    await client(LOCAL_CREDENTIALS).send(new PutObjectCommand({ Bucket: "uploads", Key: "thumbnails/c.webp", Body: "webp" }));
    // A presigned URL carries its signer's rights, whoever uses it.
    const url = await getSignedUrl(client(), new GetObjectCommand({ Bucket: "uploads", Key: "thumbnails/c.webp" }), { expiresIn: 60 });
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(await getSignedUrl(client(), new GetObjectCommand({ Bucket: "uploads", Key: "originals/a.png" }), { expiresIn: 60 }))).status).toBe(200);
  });

  it("answers a HEAD or GET of a missing key 403 without s3:ListBucket on the bucket, 404 with it", async () => {
    const head = (bucket: string) => client().send(new HeadObjectCommand({ Bucket: bucket, Key: "originals/missing.png" })).catch((error: { $metadata: { httpStatusCode: number } }) => error.$metadata.httpStatusCode);
    expect(await head("uploads")).toBe(403);
    expect(await head("replica")).toBe(404);
    const get = await client().send(new GetObjectCommand({ Bucket: "uploads", Key: "originals/missing.png" })).catch((error: Error) => error.name);
    expect(get).toBe("AccessDenied");
  });

  it("deletes the keys the role may delete and reports each other as AccessDenied", async () => {
    await client().send(new PutObjectCommand({ Bucket: "uploads", Key: "originals/d.png", Body: "png" }));
    await client(LOCAL_CREDENTIALS).send(new PutObjectCommand({ Bucket: "uploads", Key: "thumbnails/d.webp", Body: "webp" }));
    const result = await client().send(new DeleteObjectsCommand({ Bucket: "uploads", Delete: { Objects: [{ Key: "originals/d.png" }, { Key: "thumbnails/d.webp" }], Quiet: true } }));
    expect(result.Deleted ?? []).toEqual([]);
    expect(result.Errors).toEqual([{ Key: "thumbnails/d.webp", Code: "AccessDenied", Message: expect.stringContaining("s3:DeleteObject") }]);
    expect(s3.store.get("uploads", "originals/d.png")).toBeUndefined();
    expect(s3.store.get("uploads", "thumbnails/d.webp")).toBeDefined();
  });
});

describe("the local SQS server, authorising the functions by their roles", () => {
  let sqs: LocalSqsServer;
  const fn = functionCredentials("fn-a1b2");
  const client = () => new SQSClient({ endpoint: sqs.endpoint, region: "eu-west-1", credentials: fn });
  beforeAll(async () => {
    const roles = FunctionRoles.fromGraph(graphOf([{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: ["arn:aws:sqs:eu-west-1:123456789012:jobs"] }]));
    sqs = await startLocalSqs({ queues: [queueDefinition("jobs"), queueDefinition("audit")], credentials: [LOCAL_CREDENTIALS, ...roles.credentials()], authorise: roles.authorise });
  });
  afterAll(() => sqs.stop());

  it("lets a function send where its role allows sqs:SendMessage (batches too), and answers 403 AccessDenied elsewhere", async () => {
    await client().send(new SendMessageCommand({ QueueUrl: sqs.queueUrl("jobs"), MessageBody: "a" }));
    await client().send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl("jobs"), Entries: [{ Id: "1", MessageBody: "b" }] }));
    const refused = await client()
      .send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl("audit"), Entries: [{ Id: "1", MessageBody: "c" }] }))
      .catch((error: Error & { $metadata: { httpStatusCode: number } }) => error);
    expect(refused).toMatchObject({
      name: "AccessDenied",
      message: 'User: arn:aws:sts::123456789012:assumed-role/fn-role-1a2b/fn-a1b2 is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:eu-west-1:123456789012:audit because no identity-based policy allows the sqs:sendmessage action',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(client().send(new GetQueueAttributesCommand({ QueueUrl: sqs.queueUrl("jobs"), AttributeNames: ["All"] }))).rejects.toMatchObject({ name: "AccessDenied" });
  });
});

describe("local DynamoDB, authorising the functions by their roles", () => {
  let dynamo: LocalDynamo;
  const tableArn = "arn:aws:dynamodb:eu-west-1:123456789012:table/items-local";
  const doc = (credentials = functionCredentials("fn-a1b2")) =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: "eu-west-1", credentials, maxAttempts: 1 }));
  beforeAll(async () => {
    const roles = FunctionRoles.fromGraph(
      graphOf([
        { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: [tableArn] },
        { Effect: "Allow", Action: ["dynamodb:Query"], Resource: [`${tableArn}/index/*`] },
      ]),
    );
    const spec = tableSpec({ attributes: { pk: "S", sk: "S", gpk: "S" }, globalIndexes: [{ name: "byG", partitionKey: "gpk", projection: "ALL" }], stream: undefined, ttlAttribute: undefined, ttlEnabled: false, pointInTimeRecovery: false });
    dynamo = await startLocalDynamo({ tables: [{ id: "t.items", tableName: "items-local", spec }], region: "eu-west-1", roles });
  });
  afterAll(() => dynamo.stop());

  it("names the table's or index's ARN, each table of a batch, and each item of a transaction", () => {
    expect(dynamoPermissions("Query", { TableName: "t", IndexName: "byG" }, "eu-west-1")).toEqual([{ action: "dynamodb:Query", resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/t/index/byG" }]);
    expect(dynamoPermissions("BatchWriteItem", { RequestItems: { a: [], b: [] } }, "us-west-2").map((p) => p.resource)).toEqual(["arn:aws:dynamodb:us-west-2:123456789012:table/a", "arn:aws:dynamodb:us-west-2:123456789012:table/b"]);
    expect(dynamoPermissions("TransactWriteItems", { TransactItems: [{ Put: { TableName: "a" } }, { ConditionCheck: { TableName: "b" } }] }, "eu-west-1").map((p) => p.action)).toEqual(["dynamodb:PutItem", "dynamodb:ConditionCheckItem"]);
    expect(dynamoPermissions("ListTables", {}, "eu-west-1")).toEqual([]);
    expect(dynamoPermissions("GetItem", { TableName: "arn:aws:dynamodb:us-east-1:123456789012:table/t" }, "eu-west-1")).toEqual([{ action: "dynamodb:GetItem", resource: "arn:aws:dynamodb:us-east-1:123456789012:table/t" }]);
    expect(dynamoPermissions("ExportTableToPointInTime", { TableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/t", S3Bucket: "b" }, "us-east-1")).toEqual([{ action: "dynamodb:ExportTableToPointInTime", resource: "arn:aws:dynamodb:us-east-1:123456789012:table/t" }]);
  });

  it("serves what the role allows, and answers 400 AccessDeniedException to the rest, before dynalite sees it", async () => {
    await doc().send(new PutCommand({ TableName: "items-local", Item: { pk: "a", sk: "1", gpk: "g" } }));
    expect((await doc().send(new GetCommand({ TableName: "items-local", Key: { pk: "a", sk: "1" } }))).Item).toMatchObject({ gpk: "g" });
    expect((await doc().send(new QueryCommand({ TableName: "items-local", IndexName: "byG", KeyConditionExpression: "gpk = :g", ExpressionAttributeValues: { ":g": "g" } }))).Items).toHaveLength(1);
    const refused = await doc()
      .send(new QueryCommand({ TableName: "items-local", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "a" } }))
      .catch((error: Error & { $metadata: { httpStatusCode: number } }) => error);
    expect(refused).toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:sts::123456789012:assumed-role/fn-role-1a2b/fn-a1b2 is not authorized to perform: dynamodb:Query on resource: ${tableArn} because no identity-based policy allows the dynamodb:Query action`,
      $metadata: { httpStatusCode: 400 },
    });
    await expect(doc().send(new BatchWriteCommand({ RequestItems: { "items-local": [{ DeleteRequest: { Key: { pk: "a", sk: "1" } } }] } }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    // On the wire, as DynamoDB answers an IAM refusal: 400, coral's AccessDeniedException, a capitalised Message.
    const raw = await fetch(dynamo.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.DeleteItem",
        authorization: `AWS4-HMAC-SHA256 Credential=${functionCredentials("fn-a1b2").accessKeyId}/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ TableName: "items-local", Key: { pk: { S: "a" }, sk: { S: "1" } } }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ __type: "com.amazon.coral.service#AccessDeniedException", Message: expect.stringContaining("dynamodb:DeleteItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/items-local") });
    // The item is still there; the tools' own credentials are not checked.
    expect((await doc(LOCAL_CREDENTIALS).send(new GetCommand({ TableName: "items-local", Key: { pk: "a", sk: "1" } }))).Item).toBeDefined();
  });

  it("authorises a function's PartiQL as each statement's dynamodb:PartiQL* action, before the local DynamoDB (which serves no PartiQL) sees it", async () => {
    expect(dynamoPermissions("BatchExecuteStatement", { Statements: [{ Statement: 'SELECT * FROM "t"."byG"' }, { Statement: "DELETE FROM t WHERE pk = 'a'" }] }, "eu-west-1")).toEqual([
      { action: "dynamodb:PartiQLSelect", resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/t/index/byG" },
      { action: "dynamodb:PartiQLDelete", resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" },
    ]);
    const refused = await doc().send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "items-local" WHERE pk = \'a\'' })).catch((error: Error) => error);
    expect(refused).toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:sts::123456789012:assumed-role/fn-role-1a2b/fn-a1b2 is not authorized to perform: dynamodb:PartiQLSelect on resource: ${tableArn} because no identity-based policy allows the dynamodb:PartiQLSelect action`,
    });
  });
});

describe("the reference app's roles, as the local S3 server reads them", () => {
  let prod: OfflineRun;
  beforeAll(async () => {
    prod = (await runStacks(["prod"])).get("prod")!;
  });

  it("let the second region's GET photo find out whether an original has replicated (a HEAD of a missing key answers 404, not 403)", () => {
    const roles = FunctionRoles.fromGraph(prod.resources);
    const fn = prod.resources.find((r) => r.type === "aws:lambda/function:Function" && r.name === "api-usw2-get-albums-albumid-photos-photoid-function")!;
    const replica = prod.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "uploads-us-west-2-replica")!;
    const { accessKeyId } = functionCredentials(fn.state.name);
    expect(roles.authorise(accessKeyId, "s3:GetObject", `${replica.state.arn}/originals/sub/album/photo.png`)).toBeUndefined();
    expect(roles.authorise(accessKeyId, "s3:ListBucket", replica.state.arn)).toBeUndefined();
  });

  it("let the thumbnail function tell an original deleted meanwhile (NoSuchKey) from a refusal (a GET of a missing key is 404, not 403)", () => {
    const roles = FunctionRoles.fromGraph(prod.resources);
    const fn = prod.resources.find((r) => r.type === "aws:lambda/function:Function" && r.name === "thumbnail-function")!;
    const uploads = prod.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "uploads-bucket")!;
    const { accessKeyId } = functionCredentials(fn.state.name);
    expect(roles.authorise(accessKeyId, "s3:GetObject", `${uploads.state.arn}/originals/sub/album/photo.png`)).toBeUndefined();
    expect(roles.authorise(accessKeyId, "s3:ListBucket", uploads.state.arn)).toBeUndefined();
  });
});
