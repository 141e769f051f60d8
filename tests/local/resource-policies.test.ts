/**
 * Resource-based policies in the local runtime's IAM (local/resource-policies.ts, local/function-roles.ts roleRefusal):
 * within one account a call the target's queue, topic, bus, table or bucket policy allows is allowed though the caller's
 * role grants nothing, and a Deny in that policy refuses whatever the role grants — for a function's SDK call (or a URL
 * it presigned) through the local emulator and for a Step Functions Task of a state machine's role alike, refused in
 * AWS's words.
 */
import { readFileSync } from "node:fs";
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { assumedRoleAuthorise, FunctionRoles, functionCredentials, roleRefusal } from "../../local/function-roles";
import { busNameOf, customBusNameOf } from "../../components/arn";
import type { RoleCaller } from "../../local/resource-policies";
import { applies, policyStatements } from "../../local/iam-policy";
import type { RecordedResource } from "../../local/offline/mocks";
import { startLocalEventBridge, type LocalEventBridgeServer } from "../../local/eventbridge-server";
import { localServiceIntegrations, ServiceTaskFailure } from "../../local/sfn-integrations";
import { startLocalS3, type LocalS3 } from "../../local/s3-server";
import { startLocalSns, type LocalSnsServer } from "../../local/sns-server";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { startLocalSqs, type LocalSqsServer } from "../../local/sqs-server";
import { API_GATEWAY_SESSION, integrationRoleAuthorise, type AwsServiceIntegrationSpec } from "../../local/aws-service-integration";
import type { RouteSpec } from "../../components/serverless-api/spec";
import { queueDefinition } from "./sqs-helpers";
import { record } from "../harness/mocks";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/fn-role-1a2b`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/fn-role-1a2b/fn-a1b2`;
const QUEUE = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:news`;
const BUS = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/orders`;
const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/items`;
// S3's ARNs name no region or account.
const BUCKET = "arn:aws:s3:::photos";

const recorded = (type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}): RecordedResource =>
  ({ type, name, urn: `urn:${type}::${name}`, custom: true, inputs, state: { ...inputs, ...state }, id: String(state.name ?? name), protect: false, retainOnDelete: false, dependencies: [] }) as RecordedResource;
const policy = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** A function `fn-a1b2` whose role grants `identity`, and a queue, topic, bus, table and bucket each with `statements` of its own. */
function graphOf(identity: unknown[], statements: { queue?: unknown[]; open?: unknown[]; topic?: unknown[]; bus?: unknown[]; table?: unknown[]; bucket?: unknown[]; ownBucket?: unknown[] }): RecordedResource[] {
  return [
    recorded("aws:iam/role:Role", "fn-role", {}, { name: "fn-role-1a2b", arn: ROLE_ARN }),
    recorded("aws:lambda/function:Function", "fn-function", { role: ROLE_ARN }, { name: "fn-a1b2" }),
    recorded("aws:iam/rolePolicy:RolePolicy", "fn-policy", { role: "fn-role-1a2b", policy: policy(...identity) }),
    recorded("aws:sqs/queue:Queue", "jobs", {}, { name: "jobs", arn: QUEUE("jobs") }),
    recorded("aws:sqs/queuePolicy:QueuePolicy", "jobs-policy", { queueUrl: "jobs", policy: policy(...(statements.queue ?? [])) }),
    // A queue whose own `policy` input holds its policy.
    recorded("aws:sqs/queue:Queue", "open", { policy: policy(...(statements.open ?? [])) }, { name: "open", arn: QUEUE("open") }),
    recorded("aws:sns/topic:Topic", "news", {}, { name: "news", arn: TOPIC }),
    recorded("aws:sns/topicPolicy:TopicPolicy", "news-policy", { arn: TOPIC, policy: policy(...(statements.topic ?? [])) }),
    recorded("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "orders-policy", { eventBusName: "orders", policy: policy(...(statements.bus ?? [])) }),
    recorded("aws:dynamodb/table:Table", "items", {}, { name: "items", arn: TABLE }),
    recorded("aws:dynamodb/resourcePolicy:ResourcePolicy", "items-policy", { resourceArn: TABLE, policy: policy(...(statements.table ?? [])) }),
    // As UploadBucket writes it: the BucketPolicy names the bucket by its id (its name).
    { ...recorded("aws:s3/bucket:Bucket", "photos", { bucket: "photos" }, { bucket: "photos", arn: BUCKET }), id: "photos" },
    recorded("aws:s3/bucketPolicy:BucketPolicy", "photos-policy", { bucket: "photos", policy: policy(...(statements.bucket ?? [])) }),
    // A bucket whose own (deprecated) `policy` input holds its policy.
    { ...recorded("aws:s3/bucket:Bucket", "own", { bucket: "own", policy: policy(...(statements.ownBucket ?? [])) }, { bucket: "own", arn: "arn:aws:s3:::own" }), id: "own" },
  ];
}

const allow = (action: string | string[], resource: string | string[], principal: unknown = { AWS: ROLE_ARN }, extra: Record<string, unknown> = {}) => ({ Effect: "Allow", Principal: principal, Action: action, Resource: resource, ...extra });
const deny = (action: string | string[], resource: string | string[], principal: unknown = "*", extra: Record<string, unknown> = {}) => ({ Effect: "Deny", Principal: principal, Action: action, Resource: resource, ...extra });

describe("the local runtime's IAM, with the target's resource policy", () => {
  const caller = { roleArn: ROLE_ARN, sessionArn: SESSION, sessionKnown: true, inVpc: false };
  const refusal = (graph: RecordedResource[], identity: unknown[], action: string, resource: string) => roleRefusal({ graph, stackRegion: REGION }, policyStatements({ Statement: identity }), caller, action, resource)?.reason;
  // `pattern`: the Resource the policy names, when not the call's resource itself.
  const cases: Array<{ target: string; kind: "queue" | "topic" | "bus" | "table" | "bucket" | "ownBucket"; action: string; resource: string; pattern?: string }> = [
    { target: "a queue", kind: "queue", action: "sqs:SendMessage", resource: QUEUE("jobs") },
    { target: "a topic", kind: "topic", action: "sns:Publish", resource: TOPIC },
    { target: "a bus", kind: "bus", action: "events:PutEvents", resource: BUS },
    { target: "a table", kind: "table", action: "dynamodb:PutItem", resource: TABLE, pattern: `${TABLE}*` },
    { target: "a table's index (its table's policy)", kind: "table", action: "dynamodb:Query", resource: `${TABLE}/index/byOwner`, pattern: `${TABLE}*` },
    { target: "a bucket's object (its bucket's policy, a wildcard Resource)", kind: "bucket", action: "s3:DeleteObject", resource: `${BUCKET}/originals/2026/a.png`, pattern: `${BUCKET}/originals/*` },
    { target: "a bucket", kind: "bucket", action: "s3:ListBucket", resource: BUCKET },
    { target: "a bucket's object by the bucket's own policy input", kind: "ownBucket", action: "s3:GetObject", resource: "arn:aws:s3:::own/a.png", pattern: "arn:aws:s3:::own/*" },
  ];

  it.each(cases)("allows on $target what only its resource policy allows to the role, a session of it or everyone", ({ kind, action, resource, pattern }) => {
    const policyResource = pattern ?? resource;
    for (const principal of [{ AWS: ROLE_ARN }, { AWS: SESSION }, "*", { AWS: "*" }, { AWS: [`arn:aws:iam::${ACCOUNT}:role/other`, ROLE_ARN] }]) {
      expect(refusal(graphOf([], { [kind]: [allow(action, policyResource, principal)] }), [], action, resource)).toBeUndefined();
    }
    // Nothing allows it: refused as AWS refuses within one account.
    expect(refusal(graphOf([], {}), [], action, resource)).toBe(`because no identity-based policy allows the ${action} action`);
    // Another session of the role (AWS grants only the session named), another role, the account (which delegates to
    // the identity policies), a service: no grant to this caller.
    for (const principal of [{ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/fn-role-1a2b/other-fn` }, { AWS: `arn:aws:iam::${ACCOUNT}:role/other` }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: ACCOUNT }, { Service: "sns.amazonaws.com" }]) {
      expect(refusal(graphOf([], { [kind]: [allow(action, policyResource, principal)] }), [], action, resource)).toBeDefined();
    }
  });

  it.each(cases)("refuses on $target what its resource policy denies, whatever the role allows", ({ kind, action, resource, pattern }) => {
    const identity = [{ Effect: "Allow", Action: "*", Resource: "*" }];
    const policyResource = pattern ?? resource;
    expect(refusal(graphOf(identity, { [kind]: [deny(action, policyResource)] }), identity, action, resource)).toBe("with an explicit deny in a resource-based policy");
    expect(refusal(graphOf(identity, { [kind]: [deny(action, policyResource, { AWS: ROLE_ARN })] }), identity, action, resource)).toBe("with an explicit deny in a resource-based policy");
    expect(refusal(graphOf(identity, { [kind]: [deny(action, policyResource, { AWS: SESSION })] }), identity, action, resource)).toBe("with an explicit deny in a resource-based policy");
    // The identity policy's own Deny is named as such, and wins over the resource policy's Allow.
    const denied = [{ Effect: "Deny", Action: action, Resource: resource }];
    expect(refusal(graphOf(denied, { [kind]: [allow(action, policyResource)] }), denied, action, resource)).toBe("with an explicit deny in an identity-based policy");
  });

  it("reads a Deny only where it must apply, and an Allow's condition as a role's request meets it", () => {
    const identity = [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }];
    const send = (statements: unknown[], grants = identity) => refusal(graphOf(grants, { queue: statements }), grants, "sqs:SendMessage", QUEUE("jobs"));
    // The TLS-only Deny (a condition), another session, another role, an action or queue not covered: not a refusal.
    expect(send([deny("sqs:*", QUEUE("jobs"), "*", { Condition: { Bool: { "aws:SecureTransport": "false" } } })])).toBeUndefined();
    expect(send([deny("sqs:*", QUEUE("jobs"), { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/fn-role-1a2b/other-fn` })])).toBeUndefined();
    expect(send([deny("sqs:*", QUEUE("jobs"), { AWS: `arn:aws:iam::${ACCOUNT}:role/other` })])).toBeUndefined();
    expect(send([deny("sqs:ReceiveMessage", QUEUE("jobs"))])).toBeUndefined();
    expect(send([deny("sqs:SendMessage", QUEUE("open"))])).toBeUndefined();
    // A Deny to everyone but a role not this one refuses this one; one that spares the role or its account does not.
    expect(send([{ Effect: "Deny", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/other` }, Action: "sqs:*", Resource: QUEUE("jobs") }])).toBe("with an explicit deny in a resource-based policy");
    expect(send([{ Effect: "Deny", NotPrincipal: { AWS: [ROLE_ARN, `arn:aws:iam::${ACCOUNT}:root`] }, Action: "sqs:*", Resource: QUEUE("jobs") }])).toBeUndefined();
    // aws:SourceArn and aws:SourceAccount are in the request context only when a service calls: a role's own call does
    // not meet an Allow conditioned on them (nor on their presence); it meets one on their absence, or IfExists.
    const sourceArn = (operator: string, value = "arn:aws:sns:eu-west-1:123456789012:news") => allow("sqs:SendMessage", QUEUE("jobs"), "*", { Condition: { [operator]: { "aws:SourceArn": value } } });
    expect(send([sourceArn("ArnEquals")], [])).toBe("because no identity-based policy allows the sqs:SendMessage action");
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), "*", { Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } })], [])).toBeDefined();
    expect(send([sourceArn("Null", "false")], [])).toBeDefined();
    expect(send([sourceArn("ArnEqualsIfExists")], [])).toBeUndefined();
    expect(send([sourceArn("ArnNotEquals")], [])).toBeUndefined();
    // A condition the runtime cannot decide grants nothing (AWS might refuse it); the identity policy may still grant.
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), "*", { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } })], [])).toBeDefined();
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), "*", { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } })])).toBeUndefined();
    // A queue's own `policy` input is read as its QueuePolicy is.
    expect(refusal(graphOf([], { open: [allow("sqs:SendMessage", QUEUE("open"))] }), [], "sqs:SendMessage", QUEUE("open"))).toBeUndefined();
  });
});

describe("a resource policy read as AWS reads it for the caller's own session, account and request context", () => {
  const caller = { roleArn: ROLE_ARN, sessionArn: SESSION, sessionKnown: true, inVpc: false };
  const everything = [{ Effect: "Allow", Action: "*", Resource: "*" }];
  const send = (statements: unknown[], identity: unknown[] = [], who: RoleCaller = caller) => roleRefusal({ graph: graphOf(identity, { queue: statements }), stackRegion: REGION }, policyStatements({ Statement: identity }), who, "sqs:SendMessage", QUEUE("jobs"))?.reason;
  const conditioned = (effect: "Allow" | "Deny", Condition: unknown) => ({ Effect: effect, Principal: "*", Action: "sqs:SendMessage", Resource: QUEUE("jobs"), Condition });
  const NOT_ALLOWED = "because no identity-based policy allows the sqs:SendMessage action";
  const DENIED = "with an explicit deny in a resource-based policy";

  it("grants a session only the session it names, and one whose name is made up locally (Step Functions', EventBridge's) none", () => {
    const machine = { roleArn: ROLE_ARN, sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/fn-role-1a2b/0f3a9c`, sessionKnown: false, inVpc: false };
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), { AWS: SESSION })])).toBeUndefined();
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/fn-role-1a2b/fn-other` })])).toBe(NOT_ALLOWED);
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), { AWS: machine.sessionArn })], [], machine)).toBe(NOT_ALLOWED);
    // The role itself, or everyone, grants every session of it.
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), { AWS: ROLE_ARN })], [], machine)).toBeUndefined();
    expect(send([allow("sqs:SendMessage", QUEUE("jobs"), "*")], [], machine)).toBeUndefined();
  });

  it("grants nothing by an Allow, and refuses nothing by a Deny, whose Resource holds a policy variable it cannot resolve", () => {
    // `${aws:userid}` is the caller's own value in AWS: read as a wildcard it would grant every caller every queue.
    expect(send([allow("sqs:SendMessage", "arn:aws:sqs:*:*:${aws:userid}", "*")])).toBe(NOT_ALLOWED);
    expect(send([deny("sqs:SendMessage", "arn:aws:sqs:*:*:${aws:userid}", "*")], everything)).toBeUndefined();
    // Two guards keep such a Deny from refusing, each pinned on its own. The statement is not read at all
    // (resourcePolicyStatements): not even where another of its Resources names the queue itself.
    expect(send([deny("sqs:SendMessage", ["arn:aws:sqs:*:*:${aws:userid}", QUEUE("jobs")], "*")], everything)).toBeUndefined();
    // And were it read, a Deny's Resource holding a variable matches nothing (applies' strict reading), where an
    // Allow's matches anything (its lenient one: why the Allow above must not be read either).
    const [denied, allowed] = policyStatements({ Statement: [deny("sqs:SendMessage", "arn:aws:sqs:*:*:${aws:userid}"), allow("sqs:SendMessage", "arn:aws:sqs:*:*:${aws:userid}")] });
    expect(applies(denied, "sqs:SendMessage", QUEUE("jobs"))).toBe(false);
    expect(applies(allowed, "sqs:SendMessage", QUEUE("jobs"))).toBe(true);
  });

  it("grants nothing by an Allow with NotPrincipal (IAM does not support it)", () => {
    expect(send([{ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/other` }, Action: "sqs:SendMessage", Resource: QUEUE("jobs") }])).toBe(NOT_ALLOWED);
  });

  it("refuses by a Deny naming the role's own account (its id or root), not another account", () => {
    for (const principal of [{ AWS: ACCOUNT }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }]) expect(send([deny("sqs:SendMessage", QUEUE("jobs"), principal)], everything)).toBe(DENIED);
    for (const principal of [{ AWS: "999988887777" }, { AWS: "arn:aws:iam::999988887777:root" }]) expect(send([deny("sqs:SendMessage", QUEUE("jobs"), principal)], everything)).toBeUndefined();
  });

  it("evaluates the conditions it can: aws:PrincipalArn (its account aside), aws:PrincipalAccount, TLS, and the VPC keys absent outside a VPC", () => {
    const principalArn = (operator: string, arn: string) => ({ [operator]: { "aws:PrincipalArn": arn } });
    // An Allow to everyone narrowed to another role grants this one nothing; to this role (in any account), it grants.
    expect(send([conditioned("Allow", principalArn("ArnEquals", `arn:aws:iam::${ACCOUNT}:role/other`))])).toBe(NOT_ALLOWED);
    expect(send([conditioned("Allow", principalArn("ArnEquals", "arn:aws:iam::999988887777:role/fn-role-1a2b"))])).toBeUndefined();
    expect(send([conditioned("Allow", { StringEquals: { "aws:PrincipalAccount": ACCOUNT } })])).toBeUndefined();
    expect(send([conditioned("Allow", { StringEquals: { "aws:PrincipalAccount": "999988887777" } })])).toBe(NOT_ALLOWED);
    expect(send([conditioned("Allow", { Bool: { "aws:SecureTransport": "true" } })])).toBeUndefined();
    // A Deny whose condition holds refuses: every role but another one, every request not from a VPC endpoint.
    expect(send([conditioned("Deny", principalArn("ArnNotEquals", `arn:aws:iam::${ACCOUNT}:role/other`))], everything)).toBe(DENIED);
    expect(send([conditioned("Deny", principalArn("ArnNotEquals", ROLE_ARN))], everything)).toBeUndefined();
    expect(send([conditioned("Deny", { StringNotEquals: { "aws:SourceVpce": "vpce-1" } })], everything)).toBe(DENIED);
    // The TLS-only Deny does not refuse: the local calls stand for HTTPS ones.
    expect(send([conditioned("Deny", { Bool: { "aws:SecureTransport": "false" } })], everything)).toBeUndefined();
    // An Allow only from a VPC endpoint: not for a request from outside a VPC; for a function in a VPC, undecided, so no grant either.
    expect(send([conditioned("Allow", { StringEquals: { "aws:SourceVpce": "vpce-1" } })])).toBe(NOT_ALLOWED);
    expect(send([conditioned("Allow", { StringEquals: { "aws:SourceVpce": "vpce-1" } })], [], { ...caller, inVpc: true })).toBe(NOT_ALLOWED);
    // A Deny on a VPC key the runtime cannot tell for a function in a VPC does not refuse.
    expect(send([conditioned("Deny", { StringNotEquals: { "aws:SourceVpce": "vpce-1" } })], everything, { ...caller, inVpc: true })).toBeUndefined();
  });

  it("reads a bucket policy's condition on a key absent from a role's call as AWS does, and one on a key it does not know as deciding nothing", () => {
    const OBJECT = `${BUCKET}/originals/a.png`;
    const get = (statement: Record<string, unknown>, identity: unknown[] = []) =>
      roleRefusal({ graph: graphOf(identity, { bucket: [statement] }), stackRegion: REGION }, policyStatements({ Statement: identity }), caller, "s3:GetObject", OBJECT)?.reason;
    const NOT_GRANTED = "because no identity-based policy allows the s3:GetObject action";
    const on = (effect: "Allow" | "Deny", operator: string, key: string) => ({ Effect: effect, Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET}/*`, Condition: { [operator]: { [key]: ACCOUNT } } });
    // aws:SourceAccount is absent from a role's own call. An Allow: "If the key that you specify in a policy condition
    // is not present in the request context, the values do not match" — unless …IfExists ("If the key is not present,
    // evaluate the condition element as true", reference_policies_elements_condition_operators.html).
    expect(get(on("Allow", "StringEquals", "aws:SourceAccount"))).toBe(NOT_GRANTED);
    expect(get(on("Allow", "StringEqualsIfExists", "aws:SourceAccount"))).toBeUndefined();
    // A Deny likewise: its condition fails, so it does not apply, unless …IfExists, and then it refuses.
    expect(get(on("Deny", "StringEquals", "aws:SourceAccount"), everything)).toBeUndefined();
    expect(get(on("Deny", "StringEqualsIfExists", "aws:SourceAccount"), everything)).toBe(DENIED);
    // A key the runtime cannot tell (aws:SourceIp, S3's own): present or absent in AWS, so neither grants nor refuses.
    for (const key of ["aws:SourceIp", "s3:x-amz-server-side-encryption"]) {
      expect(get(on("Allow", "StringEqualsIfExists", key))).toBe(NOT_GRANTED);
      expect(get(on("Deny", "StringEqualsIfExists", key), everything)).toBeUndefined();
    }
  });

  it("reads a function with subnets (vpcConfig) as one that may call through a VPC endpoint, one without as calling from outside any VPC", () => {
    const vpcOnly = deny("sqs:SendMessage", QUEUE("jobs"), "*", { Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1" } } });
    const key = functionCredentials("fn-a1b2").accessKeyId;
    const inVpc = (vpcConfig: unknown) => graphOf([{ Effect: "Allow", Action: "*", Resource: "*" }], { queue: [vpcOnly] }).map((r) => (r.type === "aws:lambda/function:Function" ? { ...r, inputs: { ...r.inputs, vpcConfig } } : r));
    expect(FunctionRoles.fromGraph(inVpc(undefined), REGION).authorise(key, "sqs:SendMessage", QUEUE("jobs"))?.reason).toBe(DENIED);
    expect(FunctionRoles.fromGraph(inVpc({ subnetIds: [], securityGroupIds: [] }), REGION).authorise(key, "sqs:SendMessage", QUEUE("jobs"))?.reason).toBe(DENIED);
    expect(FunctionRoles.fromGraph(inVpc({ subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] }), REGION).authorise(key, "sqs:SendMessage", QUEUE("jobs"))).toBeUndefined();
  });

  it("reads a table's policy for its indexes, not for its stream (whose policy is the stream's own)", () => {
    const graph = graphOf([], { table: [allow("dynamodb:*", `${TABLE}*`), deny("dynamodb:GetRecords", `${TABLE}*`)] });
    const decide = (action: string, resource: string) => roleRefusal({ graph, stackRegion: REGION }, [], caller, action, resource)?.reason;
    expect(decide("dynamodb:Query", `${TABLE}/index/byOwner`)).toBeUndefined();
    expect(decide("dynamodb:GetRecords", `${TABLE}/stream/2026-12-06T00:00:00.000`)).toBe("because no identity-based policy allows the dynamodb:GetRecords action");
  });

  it("governs a role with a managed policy the plan does not hold when only a bucket has a policy (its Deny may refuse)", () => {
    const graph = [
      ...graphOf([], {}).filter((r) => r.type === "aws:iam/role:Role" || r.type === "aws:lambda/function:Function"),
      recorded("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "fn-managed", { role: "fn-role-1a2b", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
    ];
    const key = functionCredentials("fn-a1b2").accessKeyId;
    expect(FunctionRoles.fromGraph(graph, REGION).governs(key)).toBe(false);
    const withBucket = [...graph, ...graphOf([], {}).filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")];
    expect(FunctionRoles.fromGraph(withBucket, REGION).governs(key)).toBe(true);
    const withOwnPolicy = [...graph, ...graphOf([], { ownBucket: [] }).filter((r) => r.name === "own")];
    expect(FunctionRoles.fromGraph(withOwnPolicy, REGION).governs(key)).toBe(true);
  });

  it("refuses a role with a managed policy the plan does not hold by an explicit Deny (the resource policy's or its own), and nothing else", () => {
    const graph = [
      ...graphOf([{ Effect: "Deny", Action: "sns:Publish", Resource: "*" }], { queue: [deny("sqs:SendMessage", QUEUE("jobs"))] }),
      recorded("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "fn-managed", { role: "fn-role-1a2b", policyArn: "arn:aws:iam::aws:policy/AmazonSQSFullAccess" }),
    ];
    const roles = FunctionRoles.fromGraph(graph, REGION);
    const key = functionCredentials("fn-a1b2").accessKeyId;
    expect(roles.governs(key)).toBe(true);
    expect(roles.authorise(key, "sqs:SendMessage", QUEUE("jobs"))?.reason).toBe(DENIED);
    expect(roles.authorise(key, "sns:Publish", TOPIC)?.reason).toBe("with an explicit deny in an identity-based policy");
    expect(roles.authorise(key, "sqs:SendMessage", QUEUE("open"))).toBeUndefined();
    // A state machine's (or any assumed) role likewise.
    const authorise = assumedRoleAuthorise({ graph, stackRegion: REGION }, ROLE_ARN);
    expect(authorise?.("sqs:SendMessage", QUEUE("jobs"))?.reason).toBe(DENIED);
    expect(authorise?.("dynamodb:PutItem", TABLE)).toBeUndefined();
  });

  it("parses a resource's policies once per plan graph (a later call neither parses nor re-reads them), and reads a new graph anew", () => {
    const graph = graphOf([], { queue: [allow("sqs:SendMessage", QUEUE("jobs"))] });
    const parse = vi.spyOn(JSON, "parse");
    const stringify = vi.spyOn(JSON, "stringify");
    try {
      expect(roleRefusal({ graph, stackRegion: REGION }, [], caller, "sqs:SendMessage", QUEUE("jobs"))).toBeUndefined();
      const first = parse.mock.calls.length;
      const written = stringify.mock.calls.length;
      expect(first).toBeGreaterThan(0);
      expect(roleRefusal({ graph, stackRegion: REGION }, [], caller, "sqs:SendMessage", QUEUE("jobs"))).toBeUndefined();
      expect(parse.mock.calls.length).toBe(first);
      expect(stringify.mock.calls.length).toBe(written);
    } finally {
      parse.mockRestore();
      stringify.mockRestore();
    }
    const denied = graphOf([], { queue: [deny("sqs:SendMessage", QUEUE("jobs"))] });
    expect(roleRefusal({ graph: denied, stackRegion: REGION }, [], caller, "sqs:SendMessage", QUEUE("jobs"))?.reason).toBe(DENIED);
  });

  it("reads a policy whose Statement holds a non-object by its other statements, without throwing", () => {
    const graph = graphOf([], { queue: [null, "sqs:SendMessage", allow("sqs:SendMessage", QUEUE("jobs"))] });
    expect(roleRefusal({ graph, stackRegion: REGION }, [], caller, "sqs:SendMessage", QUEUE("jobs"))).toBeUndefined();
    expect(roleRefusal({ graph, stackRegion: REGION }, [], caller, "sqs:ReceiveMessage", QUEUE("jobs"))?.reason).toBe("because no identity-based policy allows the sqs:ReceiveMessage action");
  });

  it("parses a bucket's policy once for all its objects (each key is an ARN of its own)", () => {
    const graph = graphOf([], { bucket: [allow("s3:PutObject", `${BUCKET}/*`)] });
    const parse = vi.spyOn(JSON, "parse");
    try {
      expect(roleRefusal({ graph, stackRegion: REGION }, [], caller, "s3:PutObject", `${BUCKET}/originals/1.png`)).toBeUndefined();
      const first = parse.mock.calls.length;
      for (const key of ["originals/2.png", "originals/3.png", ""]) roleRefusal({ graph, stackRegion: REGION }, [], caller, "s3:PutObject", key ? `${BUCKET}/${key}` : BUCKET);
      expect(parse.mock.calls.length).toBe(first);
    } finally {
      parse.mockRestore();
    }
  });
});

describe("a BucketV2's policy (aws.s3.BucketV2, deprecated in pulumi-aws 7 and still taken)", () => {
  const caller = { roleArn: ROLE_ARN, sessionArn: SESSION, sessionKnown: true, inVpc: false };
  const everything = policyStatements({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

  it("is read for the bucket and its objects by the S3 ARN of the bucket's name (`bucket`, else its id), as a Bucket's is", async () => {
    const graph = await record(() => {
      const named = new aws.s3.BucketV2("legacy", { bucket: "gallery-legacy" });
      new aws.s3.BucketPolicy("legacy-policy", { bucket: named.id, policy: policy(allow("s3:GetObject", "arn:aws:s3:::gallery-legacy/*"), deny("s3:DeleteObject", "arn:aws:s3:::gallery-legacy/*")) });
      // No `bucket`: AWS names it (the mocks give it its id); its own deprecated `policy` names every object.
      new aws.s3.BucketV2("scratch", { policy: policy(deny("s3:PutObject", "arn:aws:s3:::*/*")) });
    });
    const scratch = graph.find((r) => r.type === "aws:s3/bucketV2:BucketV2" && r.name === "scratch")!;
    // The mocks give a BucketV2 the S3 ARN a real one has (no region or account), as they give a Bucket.
    expect(scratch.state.arn).toBe(`arn:aws:s3:::${scratch.id}`);
    const decide = (identity: typeof everything, action: string, resource: string) => roleRefusal({ graph, stackRegion: REGION }, identity, caller, action, resource)?.reason;
    expect(decide([], "s3:GetObject", "arn:aws:s3:::gallery-legacy/a.png")).toBeUndefined();
    expect(decide(everything, "s3:DeleteObject", "arn:aws:s3:::gallery-legacy/a.png")).toBe("with an explicit deny in a resource-based policy");
    expect(decide(everything, "s3:PutObject", `arn:aws:s3:::${scratch.id}/a.png`)).toBe("with an explicit deny in a resource-based policy");
    expect(FunctionRoles.fromGraph([...graphOf([], {}).filter((r) => r.type === "aws:iam/role:Role" || r.type === "aws:lambda/function:Function"), scratch], REGION).governs(functionCredentials("fn-a1b2").accessKeyId)).toBe(true);
    // An S3 ARN with a region or account is not a bucket's (an access point's): no bucket policy is read for it.
    expect(decide(everything, "s3:DeleteObject", `arn:aws:s3:${REGION}:${ACCOUNT}:gallery-legacy/a.png`)).toBeUndefined();
  });
});

describe("an AWS-service route's integration role", () => {
  const INTEGRATION_ROLE = `arn:aws:iam::${ACCOUNT}:role/api-integration-role-post-jobs-1a2b`;
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/api-integration-role-post-jobs-1a2b/${API_GATEWAY_SESSION}`;
  const integration = { type: "aws", service: "sqs", method: "POST", permissions: [], requestParameters: {}, requestTemplates: {}, responseTemplates: {}, passthroughBehavior: "WHEN_NO_MATCH" } as unknown as AwsServiceIntegrationSpec;
  const route = { method: "POST", fullPath: "/jobs", key: "POST /jobs", integration } as unknown as RouteSpec;
  /** The API `api`'s recorded route: its integration's credentials, the role and its inline policy granting `identity`. */
  const graphWith = (identity: unknown[], queue: unknown[], bucket: unknown[] = []) => [
    ...graphOf([], { queue, bucket }),
    recorded("aws:apigateway/integration:Integration", "api-integration-post-jobs", { credentials: INTEGRATION_ROLE }),
    recorded("aws:iam/role:Role", "api-integration-role-post-jobs", {}, { name: "api-integration-role-post-jobs-1a2b", arn: INTEGRATION_ROLE }),
    recorded("aws:iam/rolePolicy:RolePolicy", "api-integration-policy-post-jobs", { role: "api-integration-role-post-jobs-1a2b", policy: policy(...identity) }),
  ];
  const send = async (graph: RecordedResource[]) => (await integrationRoleAuthorise({ graph, stackRegion: REGION }, "api", route, integration, ACCOUNT))("sqs:SendMessage", QUEUE("jobs"));

  it("is the role the plan records as the integration's credentials, API Gateway's session of it, decided with the target's policy", async () => {
    // The recorded role's policy grants what the route's `permissions` (none here) do not.
    expect(await send(graphWith([{ Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE("jobs") }], []))).toBeUndefined();
    // The queue's policy grants the role, or denies API Gateway's session of it, whatever the role's policy says.
    expect(await send(graphWith([], [allow("sqs:SendMessage", QUEUE("jobs"), { AWS: INTEGRATION_ROLE })]))).toBeUndefined();
    expect(await send(graphWith([{ Effect: "Allow", Action: "sqs:*", Resource: "*" }], [deny("sqs:SendMessage", QUEUE("jobs"), { AWS: session })]))).toEqual({ caller: session, reason: "with an explicit deny in a resource-based policy" });
    expect(await send(graphWith([], []))).toEqual({ caller: session, reason: "because no identity-based policy allows the sqs:SendMessage action" });
  });

  it("is granted or refused an S3 route's object by the bucket's policy, as the local S3 server decides a function's call", async () => {
    const graph = graphWith([], [], [allow("s3:PutObject", `${BUCKET}/*`, { AWS: INTEGRATION_ROLE }), deny("s3:DeleteObject", `${BUCKET}/*`, { AWS: session })]);
    const authorise = await integrationRoleAuthorise({ graph, stackRegion: REGION }, "api", route, integration, ACCOUNT);
    expect(await authorise("s3:PutObject", `${BUCKET}/originals/a.png`)).toBeUndefined();
    expect(await authorise("s3:DeleteObject", `${BUCKET}/originals/a.png`)).toEqual({ caller: session, reason: "with an explicit deny in a resource-based policy" });
    expect(await authorise("s3:GetObject", `${BUCKET}/originals/a.png`)).toEqual({ caller: session, reason: "because no identity-based policy allows the s3:GetObject action" });
  });
});

describe("a bus policy, in its own region only", () => {
  const caller = { roleArn: ROLE_ARN, sessionArn: SESSION, sessionKnown: true, inVpc: false };
  const busIn = (region: string) => `arn:aws:events:${region}:${ACCOUNT}:event-bus/orders`;
  const put = (graph: RecordedResource[], stackRegion: string, bus: string) => roleRefusal({ graph, stackRegion }, [], caller, "events:PutEvents", bus)?.reason;
  const grant = (extra: Record<string, unknown> = {}, provider?: string) => ({
    ...recorded("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "orders-policy", { eventBusName: "orders", policy: policy(allow("events:PutEvents", "*")), ...extra }),
    ...(provider ? { provider } : {}),
  });

  it("grants the bus of its name in its region (its own `region`, else its provider's, else the stack's), not a bus of that name in another", () => {
    // No region of its own: the stack's.
    expect(put([grant()], REGION, busIn(REGION))).toBeUndefined();
    expect(put([grant()], REGION, busIn("us-east-1"))).toBe("because no identity-based policy allows the events:PutEvents action");
    // Its own `region` input wins over the stack's.
    expect(put([grant({ region: "us-east-1" })], REGION, busIn("us-east-1"))).toBeUndefined();
    expect(put([grant({ region: "us-east-1" })], REGION, busIn(REGION))).toBeDefined();
    // An explicit provider's region.
    const provider = recorded("pulumi:providers:aws", "virginia", { region: "us-east-1" });
    provider.urn = "urn:pulumi:dev::app::pulumi:providers:aws::virginia";
    expect(put([provider, grant({}, `${provider.urn}::provider-id`)], REGION, busIn("us-east-1"))).toBeUndefined();
    expect(put([provider, grant({}, `${provider.urn}::provider-id`)], REGION, busIn(REGION))).toBeDefined();
    // A Deny likewise refuses only in its region.
    const denied = [recorded("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "orders-deny", { eventBusName: "orders", region: "us-east-1", policy: policy(deny("events:PutEvents", "*")) })];
    const identity = policyStatements({ Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: "*" }] });
    expect(roleRefusal({ graph: denied, stackRegion: REGION }, identity, caller, "events:PutEvents", busIn(REGION))).toBeUndefined();
    expect(roleRefusal({ graph: denied, stackRegion: REGION }, identity, caller, "events:PutEvents", busIn("us-east-1"))?.reason).toBe("with an explicit deny in a resource-based policy");
  });
});

describe("a function's SDK call through the local SQS server, granted or denied by the queue's policy alone", () => {
  let sqs: LocalSqsServer;
  const client = () => new SQSClient({ endpoint: sqs.endpoint, region: REGION, credentials: functionCredentials("fn-a1b2") });
  beforeAll(async () => {
    // The role grants nothing on the queues: the queue policies decide.
    const graph = graphOf([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }], { queue: [allow("sqs:SendMessage", QUEUE("jobs"))], open: [allow("sqs:*", QUEUE("open"), "*"), deny("sqs:SendMessage", QUEUE("open"), { AWS: ROLE_ARN })] });
    const roles = FunctionRoles.fromGraph(graph, REGION);
    sqs = await startLocalSqs({ queues: [queueDefinition("jobs"), queueDefinition("open")], credentials: [LOCAL_CREDENTIALS, ...roles.credentials()], authorise: roles.authorise });
  });
  afterAll(() => sqs.stop());

  it("sends where the queue policy allows the role, and answers AccessDenied where it denies it", async () => {
    expect((await client().send(new SendMessageCommand({ QueueUrl: sqs.queueUrl("jobs"), MessageBody: "a" }))).MessageId).toBeDefined();
    const refused = await client()
      .send(new SendMessageCommand({ QueueUrl: sqs.queueUrl("open"), MessageBody: "b" }))
      .catch((error: Error & { $metadata: { httpStatusCode: number } }) => error);
    expect(refused).toMatchObject({
      name: "AccessDenied",
      message: `User: ${SESSION} is not authorized to perform: sqs:sendmessage on resource: ${QUEUE("open")} with an explicit deny in a resource-based policy`,
      $metadata: { httpStatusCode: 403 },
    });
  });
});

describe("a function's S3 calls and the URLs it presigns, granted or denied by the bucket's policy alone", () => {
  let s3: LocalS3;
  // Presigns as the photos handler does: no flexible checksums (tests/local/s3-server.test.ts shows why).
  const client = () => new S3Client({ endpoint: s3.endpoint, region: REGION, forcePathStyle: true, credentials: functionCredentials("fn-a1b2"), requestChecksumCalculation: "WHEN_REQUIRED" });
  const DENIED = (action: string, resource: string) => `User: ${SESSION} is not authorized to perform: ${action} on resource: "${resource}" with an explicit deny in a resource-based policy`;
  // The project's buckets carry these two (components/s3-hardening.ts tlsOnlyStatement, the StaticSite's OAC read).
  const tlsOnly = (bucket: string) => ({ Sid: "DenyInsecureTransport", ...deny("s3:*", [bucket, `${bucket}/*`], "*", { Condition: { Bool: { "aws:SecureTransport": "false" } } }) });
  const cloudFront = (bucket: string) => ({
    Sid: "AllowCloudFrontRead",
    ...allow(["s3:GetObject", "s3:ListBucket"], [bucket, `${bucket}/*`], { Service: "cloudfront.amazonaws.com" }, { Condition: { StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::${ACCOUNT}:distribution/E1` } } }),
  });
  beforeAll(async () => {
    // The role grants nothing on S3: the bucket policies decide. `photos` allows the role to read and write its objects
    // and denies it deletes; `own` (its own policy input) only lets CloudFront read.
    const graph = graphOf([{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], {
      bucket: [tlsOnly(BUCKET), cloudFront(BUCKET), allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], `${BUCKET}/*`), deny("s3:DeleteObject", `${BUCKET}/*`, { AWS: ROLE_ARN })],
      ownBucket: [tlsOnly("arn:aws:s3:::own"), cloudFront("arn:aws:s3:::own")],
    });
    const roles = FunctionRoles.fromGraph(graph, REGION);
    s3 = await startLocalS3({ buckets: ["photos", "own"], credentials: [LOCAL_CREDENTIALS, ...roles.credentials()], authorise: roles.authorise });
  });
  afterAll(() => s3.close());

  it("writes and reads where only the bucket policy allows the role (a presigned URL too), though the bucket denies insecure transport", async () => {
    await client().send(new PutObjectCommand({ Bucket: "photos", Key: "originals/a.png", Body: "png" }));
    expect(await (await client().send(new GetObjectCommand({ Bucket: "photos", Key: "originals/a.png" }))).Body?.transformToString()).toBe("png");
    const upload = await getSignedUrl(client(), new PutObjectCommand({ Bucket: "photos", Key: "originals/b.png", ContentType: "image/png" }), { expiresIn: 60 });
    expect((await fetch(upload, { method: "PUT", body: "b", headers: { "content-type": "image/png" } })).status).toBe(200);
    const download = await getSignedUrl(client(), new GetObjectCommand({ Bucket: "photos", Key: "originals/b.png" }), { expiresIn: 60 });
    const read = await fetch(download);
    expect([read.status, await read.text()]).toEqual([200, "b"]);
  });

  it("answers 403 AccessDenied, naming the resource-based policy, to a delete the bucket policy denies the role: signed, presigned or in a batch", async () => {
    // Its own object, whatever ran before it (`--sequence.shuffle`).
    await client().send(new PutObjectCommand({ Bucket: "photos", Key: "originals/a.png", Body: "png" }));
    const refused = await client()
      .send(new DeleteObjectCommand({ Bucket: "photos", Key: "originals/a.png" }))
      .catch((error: Error & { $metadata: { httpStatusCode: number } }) => error);
    expect(refused).toMatchObject({ name: "AccessDenied", message: DENIED("s3:DeleteObject", `${BUCKET}/originals/a.png`), $metadata: { httpStatusCode: 403 } });
    const presigned = await fetch(await getSignedUrl(client(), new DeleteObjectCommand({ Bucket: "photos", Key: "originals/a.png" }), { expiresIn: 60 }), { method: "DELETE" });
    expect(presigned.status).toBe(403);
    expect(await presigned.text()).toContain(`<Code>AccessDenied</Code><Message>${DENIED("s3:DeleteObject", `${BUCKET}/originals/a.png`).replace(/"/g, "&quot;")}</Message>`);
    const batch = await client().send(new DeleteObjectsCommand({ Bucket: "photos", Delete: { Objects: [{ Key: "originals/a.png" }] } }));
    expect(batch.Errors).toEqual([{ Key: "originals/a.png", Code: "AccessDenied", Message: DENIED("s3:DeleteObject", `${BUCKET}/originals/a.png`) }]);
    expect(s3.store.get("photos", "originals/a.png")).toBeDefined();
  });

  it("grants the role nothing by CloudFront's OAC Allow (a service principal, on aws:SourceArn)", async () => {
    await s3.store.put("own", { key: "a.png", body: Buffer.from("png"), etag: '"e"', contentType: "image/png", metadata: {}, lastModified: new Date() });
    for (const command of [new GetObjectCommand({ Bucket: "own", Key: "a.png" }), new ListObjectsV2Command({ Bucket: "own" })]) {
      const refused = await client()
        .send(command as GetObjectCommand)
        .catch((error: Error & { $metadata: { httpStatusCode: number } }) => error);
      expect(refused).toMatchObject({ name: "AccessDenied", message: expect.stringMatching(/because no identity-based policy allows the s3:(GetObject|ListBucket) action$/), $metadata: { httpStatusCode: 403 } });
    }
  });
});

describe("a Step Functions Task of a state machine's role, granted or denied by the queue's policy alone", () => {
  let sqs: LocalSqsServer;
  const MACHINE_ROLE = `arn:aws:iam::${ACCOUNT}:role/flow-role`;
  const graph = [
    recorded("aws:iam/role:Role", "flow-role", {}, { name: "flow-role", arn: MACHINE_ROLE }),
    recorded("aws:iam/rolePolicy:RolePolicy", "flow-policy", { role: "flow-role", policy: policy({ Effect: "Allow", Action: "logs:*", Resource: "*" }) }),
    recorded("aws:sqs/queue:Queue", "jobs", {}, { name: "jobs", arn: QUEUE("jobs") }),
    recorded("aws:sqs/queuePolicy:QueuePolicy", "jobs-policy", { queueUrl: "jobs", policy: policy(allow("sqs:SendMessage", QUEUE("jobs"), { AWS: MACHINE_ROLE })) }),
    recorded("aws:sqs/queue:Queue", "open", { policy: policy(allow("sqs:SendMessage", QUEUE("open"), "*"), deny("sqs:SendMessage", QUEUE("open"), { AWS: MACHINE_ROLE })) }, { name: "open", arn: QUEUE("open") }),
  ];
  beforeAll(async () => {
    sqs = await startLocalSqs({ queues: [queueDefinition("jobs"), queueDefinition("open")], accountId: ACCOUNT });
  });
  afterAll(() => sqs.stop());
  const run = (queue: string) =>
    localServiceIntegrations({ endpoints: () => ({ sqs: sqs.endpoint }), credentials: LOCAL_CREDENTIALS }).run(
      "sqs:sendMessage",
      { QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${queue}`, MessageBody: "m" },
      { region: REGION, account: ACCOUNT, executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:flow:1`, stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:flow`, authorise: assumedRoleAuthorise({ graph, stackRegion: REGION }, MACHINE_ROLE) },
    );

  it("sends where the queue policy allows the role, and fails the Task with SQS's AccessDenied where it denies it", async () => {
    expect(await run("jobs")).toMatchObject({ MessageId: expect.any(String) });
    const error = await run("open").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTaskFailure);
    expect((error as Error).name).toBe("SQS.AmazonSQSException");
    expect((error as Error).message).toMatch(
      new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/flow-role/\\w+ is not authorized to perform: sqs:SendMessage on resource: ${QUEUE("open")} with an explicit deny in a resource-based policy \\(Service: AmazonSQS; Status Code: 403; Error Code: AccessDenied; Request ID: .+; Proxy: null\\)$`),
    );
  });
});

describe("a function's Publish and a state machine's sns:publish and events:putEvents Tasks, decided by the topic's and bus's policies", () => {
  const MACHINE_ROLE = `arn:aws:iam::${ACCOUNT}:role/flow-role`;
  const OTHER_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:closed`;
  const OTHER_BUS = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/closed`;
  let sns: LocalSnsServer;
  let events: LocalEventBridgeServer;
  // Neither role grants anything on these: the policies of one topic and one bus allow the roles, the others' allow
  // everyone and deny the roles.
  const graph = [
    ...graphOf([], { topic: [allow("sns:Publish", TOPIC, { AWS: [ROLE_ARN, MACHINE_ROLE] })], bus: [allow("events:PutEvents", BUS, { AWS: MACHINE_ROLE })] }),
    recorded("aws:iam/role:Role", "flow-role", {}, { name: "flow-role", arn: MACHINE_ROLE }),
    recorded("aws:iam/rolePolicy:RolePolicy", "flow-policy", { role: "flow-role", policy: policy({ Effect: "Allow", Action: "logs:*", Resource: "*" }) }),
    recorded("aws:sns/topic:Topic", "closed", { policy: policy(allow("sns:Publish", OTHER_TOPIC, "*"), deny("sns:Publish", OTHER_TOPIC)) }, { name: "closed", arn: OTHER_TOPIC }),
    recorded("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "closed-policy", { eventBusName: "closed", policy: policy(allow("events:PutEvents", OTHER_BUS, "*"), deny("events:PutEvents", OTHER_BUS, { AWS: MACHINE_ROLE })) }),
  ];
  const roles = FunctionRoles.fromGraph(graph, REGION);
  beforeAll(async () => {
    const topic = (arn: string) => ({ arn, region: REGION, fifo: false, contentBasedDeduplication: false, subscriptions: [] });
    const bus = (name: string, arn: string) => ({ name, arn, region: REGION, account: ACCOUNT, rules: [] });
    sns = await startLocalSns({ topics: [topic(TOPIC), topic(OTHER_TOPIC)], credentials: [LOCAL_CREDENTIALS, ...roles.credentials()], authorise: roles.authorise });
    events = await startLocalEventBridge({ buses: [bus("orders", BUS), bus("closed", OTHER_BUS)] });
  });
  afterAll(async () => {
    await Promise.all([sns?.stop(), events?.stop()]);
  });
  const task = (api: string, parameters: Record<string, unknown>) =>
    localServiceIntegrations({ endpoints: () => ({ sns: sns.endpoint, eventbridge: events.endpoint }), credentials: LOCAL_CREDENTIALS }).run(api, parameters, {
      region: REGION,
      account: ACCOUNT,
      executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:flow:1`,
      stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:flow`,
      authorise: assumedRoleAuthorise({ graph, stackRegion: REGION }, MACHINE_ROLE),
    });
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: Error) => ({ error: e.name, cause: e.message }));

  it("lets the function publish where only the topic policy allows it, and answers AuthorizationError where it denies it", async () => {
    const client = new SNSClient({ endpoint: sns.endpoint, region: REGION, credentials: functionCredentials("fn-a1b2") });
    expect((await client.send(new PublishCommand({ TopicArn: TOPIC, Message: "m" }))).MessageId).toBeDefined();
    await expect(client.send(new PublishCommand({ TopicArn: OTHER_TOPIC, Message: "m" }))).rejects.toMatchObject({
      name: "AuthorizationErrorException",
      message: `User: ${SESSION} is not authorized to perform: SNS:Publish on resource: ${OTHER_TOPIC} with an explicit deny in a resource-based policy`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("runs the Tasks the topic's or bus's policy allows, and fails those it denies with the service's AccessDenied", async () => {
    expect(await task("sns:publish", { TopicArn: TOPIC, Message: "m" })).toMatchObject({ MessageId: expect.any(String) });
    expect(await task("events:putEvents", { Entries: [{ EventBusName: "orders", Source: "a", DetailType: "b", Detail: {} }] })).toMatchObject({ FailedEntryCount: 0 });
    expect(await failure(task("sns:publish", { TopicArn: OTHER_TOPIC, Message: "m" }))).toEqual({
      error: "SNS.AuthorizationErrorException",
      cause: expect.stringMatching(new RegExp(`is not authorized to perform: sns:Publish on resource: ${OTHER_TOPIC} with an explicit deny in a resource-based policy \\(Service: AmazonSNS; Status Code: 403; Error Code: AuthorizationError;`)),
    });
    expect(await failure(task("events:putEvents", { Entries: [{ EventBusName: "closed", Source: "a", DetailType: "b", Detail: {} }] }))).toEqual({
      error: "EventBridge.AmazonEventBridgeException",
      cause: expect.stringMatching(new RegExp(`is not authorized to perform: events:PutEvents on resource: ${OTHER_BUS} with an explicit deny in a resource-based policy \\(Service: AmazonEventBridge; Status Code: 400; Error Code: AccessDeniedException;`)),
    });
  });
});

describe("busNameOf (the bus a rule, target or bus policy names)", () => {
  it("reads a bus ARN's whole name, a partner bus's slashes too, and takes absent as the default bus", () => {
    expect(busNameOf("arn:aws:events:us-east-1:123456789012:event-bus/orders")).toBe("orders");
    expect(busNameOf("arn:aws-cn:events:cn-north-1:123456789012:event-bus/aws.partner/example.com/1234/orders")).toBe("aws.partner/example.com/1234/orders");
    expect(busNameOf("orders")).toBe("orders");
    expect(busNameOf(undefined)).toBe("default");
    expect(busNameOf("")).toBe("default");
    // Not a bus ARN: kept whole, never cut at its last slash.
    expect(busNameOf("arn:aws:events:us-east-1:123456789012:rule/orders/r")).toBe("arn:aws:events:us-east-1:123456789012:rule/orders/r");
  });

  it("customBusNameOf gives a custom bus's name, and nothing for the default bus however it is named", () => {
    expect(customBusNameOf("arn:aws:events:us-east-1:123456789012:event-bus/orders")).toBe("orders");
    expect(customBusNameOf("orders")).toBe("orders");
    for (const defaultBus of [undefined, "", "default", "arn:aws:events:us-east-1:123456789012:event-bus/default"]) expect(customBusNameOf(defaultBus)).toBeUndefined();
  });

  it("components/arn.ts imports nothing at run time (a dynamic provider bundles it; review 80 N6)", () => {
    const source = readFileSync("components/arn.ts", "utf8");
    expect(source.match(/^import (?!type ).*$/gm) ?? []).toEqual([]);
  });
});
