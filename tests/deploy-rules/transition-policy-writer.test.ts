/**
 * TransitionPolicyWriterDeleted: an update that moves a resource's one policy document from a policy resource to another
 * writer (the resource's own `policy`, or another policy resource) deletes the old policy resource at the end, and that
 * delete empties (or, for a key, resets) the document the new writer has just written.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { formatFinding } from "../../testing/deploy-rules";
import { handBuilt, rules, saved, transition } from "./fixture";

const RULE = "TransitionPolicyWriterDeleted";
const REST_API = "aws:apigateway/restApi:RestApi";
const REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const KEY = "aws:kms/key:Key";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const LOG_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy";
const SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy";

const document = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "*" }] });
const api = (inputs: Record<string, unknown> = {}) => handBuilt(REST_API, "api", { name: "api", ...inputs }, { id: "a1b2c3d4e5" });
const apiPolicy = (more: Partial<RecordedResource> = {}) => handBuilt(REST_API_POLICY, "api-policy", { restApiId: "a1b2c3d4e5", policy: document }, more);
const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
const queue = (inputs: Record<string, unknown> = {}) => handBuilt(QUEUE, "jobs", { name: "jobs", ...inputs }, { id: queueUrl, state: { url: queueUrl } });
const queuePolicy = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(QUEUE_POLICY, name, { queueUrl, policy: document }, more);
const key = (inputs: Record<string, unknown> = {}) => handBuilt(KEY, "key", inputs, { id: "1234abcd-12ab-34cd-56ef-1234567890ab" });
const keyPolicy = (inputs: Record<string, unknown> = {}) => handBuilt(KEY_POLICY, "key-policy", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", policy: document, ...inputs });
const bucket = (inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "site", { bucket: "site-bucket", ...inputs }, { id: "site-bucket" });
const bucketPolicy = () => handBuilt(BUCKET_POLICY, "site-policy", { bucket: "site-bucket", policy: document });
const topicArn = "arn:aws:sns:us-east-1:123456789012:events";
const topic = (inputs: Record<string, unknown> = {}) => handBuilt("aws:sns/topic:Topic", "events", { name: "events", ...inputs }, { id: topicArn, state: { arn: topicArn } });
const topicPolicy = (more: Partial<RecordedResource> = {}) => handBuilt(TOPIC_POLICY, "events-policy", { arn: topicArn, policy: document }, more);
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
const secret = (inputs: Record<string, unknown> = {}) => handBuilt("aws:secretsmanager/secret:Secret", "db", { name: "db", ...inputs }, { id: secretArn, state: { arn: secretArn } });
const secretPolicy = (more: Partial<RecordedResource> = {}) => handBuilt(SECRET_POLICY, "db-policy", { secretArn, policy: document }, more);
const logGroupArn = "arn:aws:logs:us-east-1:123456789012:log-group:audit";
const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";
const streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";

/**
 * Holders with no `policy` of their own: the other writer is another policy resource (here the same one renamed). A
 * log group's or table's policy is named by its ARN (their one-writer rules group writers by reference).
 */
const policyResourceOnly = [
  { type: "aws:kinesis/resourcePolicy:ResourcePolicy", holder: handBuilt("aws:kinesis/stream:Stream", "clicks", { name: "clicks" }, { id: streamArn, state: { arn: streamArn } }), inputs: { resourceArn: streamArn }, target: undefined, call: /DeleteResourcePolicy \(kinesis\/resource_policy.go/ },
  { type: "aws:backup/vaultPolicy:VaultPolicy", holder: handBuilt("aws:backup/vault:Vault", "vault", { name: "vault" }, { id: "vault" }), inputs: { backupVaultName: "vault" }, target: undefined, call: /DeleteBackupVaultAccessPolicy/ },
  { type: LOG_POLICY, holder: handBuilt("aws:cloudwatch/logGroup:LogGroup", "audit", { name: "audit" }, { id: "audit", state: { arn: logGroupArn } }), inputs: { resourceArn: logGroupArn }, target: logGroupArn, call: /DeleteResourcePolicy by the policy's name, or by the log group's ARN/ },
  { type: "aws:dynamodb/resourcePolicy:ResourcePolicy", holder: handBuilt("aws:dynamodb/table:Table", "orders", { name: "orders" }, { id: "orders", state: { arn: tableArn } }), inputs: { resourceArn: tableArn }, target: tableArn, call: /DeleteResourcePolicy \(dynamodb\/resource_policy.go/ },
  { type: "aws:ecr/repositoryPolicy:RepositoryPolicy", holder: handBuilt("aws:ecr/repository:Repository", "images", { name: "images" }, { id: "images" }), inputs: { repository: "images" }, target: undefined, call: /DeleteRepositoryPolicy/ },
];

describe("TransitionPolicyWriterDeleted", () => {
  it("finds a RestApiPolicy removed by the update that moves its document into the RestApi's own policy, from a saved plan too", () => {
    const before = [api(), apiPolicy()];
    const after = [api({ policy: document })];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${REST_API_POLICY} api-policy`]]);
    expect(findings[0].urn).toBe(apiPolicy().urn);
    expect(findings[0].problem).toMatch(/gives the resource policy of api to api's own `policy`/);
    expect(findings[0].problem).toMatch(/replace \/policy ""/);
    expect(findings[0].problem).toMatch(/left without a resource policy/);
    expect(findings[0].fix).toMatch(/retainOnDelete: true/);
    expect(formatFinding(findings[0])).toMatch(/api-policy/);
    // The file npm run plan -- --save writes keeps the policy resource's reference to its API.
    expect(rules(saved(before), after)).toEqual([[RULE, `${REST_API_POLICY} api-policy`]]);
  });

  it("finds a QueuePolicy renamed without aliases (the new one writes, then the old one's delete sets Policy \"\")", () => {
    const findings = transition([queue(), queuePolicy("jobs-policy")], [queue(), queuePolicy("jobs-access")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${QUEUE_POLICY} jobs-policy`]]);
    expect(findings[0].problem).toMatch(/access policy of jobs to jobs-access/);
    expect(findings[0].problem).toMatch(/SetQueueAttributes with Policy ""/);
    expect(findings[0].fix).toContain(`aliases: ["${queuePolicy("jobs-policy").urn}"]`);
  });

  it("finds a KeyPolicy removed while the key takes the document into its own policy: the delete puts the default key policy back", () => {
    const findings = transition([key(), keyPolicy()], [key({ policy: document })]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${KEY_POLICY} key-policy`]]);
    expect(findings[0].problem).toMatch(/PutKeyPolicy with KMS's default key policy/);
  });

  it("finds a BucketPolicy removed while the bucket writes its own policy (DeleteBucketPolicy)", () => {
    expect(rules([bucket(), bucketPolicy()], [bucket({ policy: document })])).toEqual([[RULE, `${BUCKET_POLICY} site-policy`]]);
  });

  it("finds a RestApiPolicy removed while the API's OpenAPI body takes the document, and passes a body that only clears it", () => {
    const body = (extra: Record<string, unknown>) => JSON.stringify({ openapi: "3.0.1", info: { title: "api", version: "1" }, paths: {}, ...extra });
    const findings = transition([api(), apiPolicy()], [api({ body: body({ "x-amazon-apigateway-policy": JSON.parse(document) }) })]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${REST_API_POLICY} api-policy`]]);
    expect(findings[0].problem).toMatch(/to api's OpenAPI body \(x-amazon-apigateway-policy\)/);
    // A body without the extension, put in overwrite mode, deletes the policy itself: there is no document to lose.
    expect(transition([api(), apiPolicy()], [api({ body: body({}) })])).toEqual([]);
  });

  it("finds a QueuePolicy moved to another queue (queueUrl is ForceNew) while its first queue writes its own policy", () => {
    const otherUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/other";
    const other = handBuilt(QUEUE, "other", { name: "other" }, { id: otherUrl, state: { url: otherUrl } });
    const moved = (more: Partial<RecordedResource> = {}) => handBuilt(QUEUE_POLICY, "jobs-policy", { queueUrl: otherUrl, policy: document }, more);
    const findings = transition([queue(), other, queuePolicy("jobs-policy")], [queue({ policy: document }), other, moved()]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${QUEUE_POLICY} jobs-policy`]]);
    expect(findings[0].problem).toMatch(/^is replaced \(its queueUrl changes\) and its old copy deleted by this update, which gives the access policy of jobs to jobs's own `policy`/);
    // Replaced delete-first, its delete runs before the create, not after the queue's update.
    expect(transition([queue(), other, queuePolicy("jobs-policy")], [queue({ policy: document }), other, moved({ deleteBeforeReplace: true })])).toEqual([]);
    // key_id is not ForceNew: a KeyPolicy moved to another key is updated in place.
    const otherKey = handBuilt(KEY, "other-key", {}, { id: "other-key-id" });
    expect(transition([key(), otherKey, keyPolicy()], [key({ policy: document }), otherKey, keyPolicy({ keyId: "other-key-id" })])).toEqual([]);
  });

  it("finds a TopicPolicy removed while the topic takes its own policy: the delete puts the default topic policy back, from a saved plan too", () => {
    const before = [topic(), topicPolicy()];
    const after = [topic({ policy: document })];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${TOPIC_POLICY} events-policy`]]);
    expect(findings[0].problem).toMatch(/access policy of events to events's own `policy`/);
    expect(findings[0].problem).toMatch(/SetTopicAttributes with the provider's default topic policy/);
    expect(findings[0].problem).toMatch(/left with the default topic policy/);
    // The saved plan keeps the TopicPolicy's arn, and a topic's id is its ARN.
    expect(rules(saved(before), after)).toEqual([[RULE, `${TOPIC_POLICY} events-policy`]]);
    // Retained, its delete is skipped.
    expect(transition([topic(), topicPolicy({ retainOnDelete: true })], after)).toEqual([]);
  });

  it("finds a SecretPolicy removed while the secret takes its own policy, or moved to another secret (secretArn is ForceNew)", () => {
    const findings = transition([secret(), secretPolicy()], [secret({ policy: document })]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${SECRET_POLICY} db-policy`]]);
    expect(findings[0].problem).toMatch(/resource policy of db to db's own `policy`/);
    expect(findings[0].problem).toMatch(/DeleteResourcePolicy \(secretsmanager\/secret_policy.go/);
    const otherArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-GhIjKl";
    const other = handBuilt("aws:secretsmanager/secret:Secret", "other", { name: "other" }, { id: otherArn, state: { arn: otherArn } });
    const moved = (more: Partial<RecordedResource> = {}) => handBuilt(SECRET_POLICY, "db-policy", { secretArn: otherArn, policy: document }, more);
    expect(rules([secret(), other, secretPolicy()], [secret({ policy: document }), other, moved()])).toEqual([[RULE, `${SECRET_POLICY} db-policy`]]);
    expect(transition([secret(), other, secretPolicy()], [secret({ policy: document }), other, moved({ deleteBeforeReplace: true })])).toEqual([]);
    // The secret keeps its policy resource: nothing is deleted (the two writers are SecretsManagerOneSecretPolicy's finding).
    expect(transition([secret(), secretPolicy()], [secret({ policy: document }), secretPolicy()])).toEqual([]);
  });

  it.each(policyResourceOnly)("finds a $type renamed without aliases, and passes it renamed with aliases", ({ type, holder, inputs, target, call }) => {
    const writer = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(type, name, { ...inputs, policy: document }, more);
    const findings = transition([holder, writer("old-policy")], [holder, writer("new-policy")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${type} old-policy`]]);
    expect(findings[0].problem).toContain(`of ${target ?? holder.name} to new-policy`);
    expect(findings[0].problem).toMatch(call);
    expect(findings[0].fix).toContain(`aliases: ["${writer("old-policy").urn}"]`);
    expect(transition([holder, writer("old-policy")], [holder, writer("new-policy", { aliases: [writer("old-policy").urn] })])).toEqual([]);
    // Removed with no writer left: the policy is meant to go.
    expect(transition([holder, writer("old-policy")], [holder])).toEqual([]);
  });

  it("finds a LogResourcePolicy by name renamed without aliases (both write the policy of that name), and passes another name", () => {
    const named = (name: string, policyName = "route53-logs") => handBuilt(LOG_POLICY, name, { policyName, policyDocument: document });
    const findings = transition([named("logs-policy")], [named("dns-logs-policy")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${LOG_POLICY} logs-policy`]]);
    expect(findings[0].problem).toMatch(/CloudWatch Logs resource policy of named route53-logs to dns-logs-policy/);
    // Another policyName is another policy: the old one's delete leaves the new one alone.
    expect(transition([named("logs-policy")], [named("dns-logs-policy", "dns-logs")])).toEqual([]);
  });

  it("finds an EventBusPolicy removed while an EventPermission adds a statement: RemoveAllPermissions drops it too", () => {
    const BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy";
    const busPolicy = handBuilt(BUS_POLICY, "orders-bus-policy", { eventBusName: "orders", policy: document });
    const permission = handBuilt("aws:cloudwatch/eventPermission:EventPermission", "partner", { eventBusName: "orders", principal: "111122223333", statementId: "partner" });
    const findings = transition([busPolicy], [permission]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${BUS_POLICY} orders-bus-policy`]]);
    expect(findings[0].problem).toMatch(/resource policy of orders to partner/);
    expect(findings[0].problem).toMatch(/RemovePermission with RemoveAllPermissions: true/);
    // Removed with nothing left on the bus, or with the permission on another bus.
    expect(transition([busPolicy], [])).toEqual([]);
    expect(transition([busPolicy], [handBuilt(permission.type, "partner", { ...permission.inputs, eventBusName: "billing" })])).toEqual([]);
  });

  it("finds a Lambda ResourcePolicy removed while a Permission grants on the function: DeleteResourcePolicy drops the grant", () => {
    const LAMBDA_POLICY = "aws:lambda/resourcePolicy:ResourcePolicy";
    const fnArn = "arn:aws:lambda:us-east-1:123456789012:function:thumbnail";
    const fn = handBuilt("aws:lambda/function:Function", "thumbnail", { name: "thumbnail" }, { id: "thumbnail", state: { arn: fnArn } });
    const resourcePolicy = handBuilt(LAMBDA_POLICY, "thumbnail-policy", { resourceArn: fnArn, policy: document });
    const permission = (functionName: string) => handBuilt("aws:lambda/permission:Permission", "s3-invoke", { function: functionName, action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" });
    const findings = transition([fn, resourcePolicy], [fn, permission("thumbnail")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${LAMBDA_POLICY} thumbnail-policy`]]);
    expect(findings[0].problem).toMatch(/resource-based policy of .*thumbnail to s3-invoke/);
    expect(findings[0].problem).toMatch(/DeleteResourcePolicy \(lambda\/policy.go/);
    // The Permission on another function.
    expect(transition([fn, resourcePolicy], [fn, permission("resize")])).toEqual([]);
  });

  it("passes what leaves the new writer's document alone", () => {
    // The policy resource stays, or keeps its URN through aliases.
    expect(transition([api(), apiPolicy()], [api(), apiPolicy()])).toEqual([]);
    expect(transition([queue(), queuePolicy("jobs-policy")], [queue(), queuePolicy("jobs-access", { aliases: [queuePolicy("jobs-policy").urn] })])).toEqual([]);
    // Removed with no writer left: the document is meant to go.
    expect(transition([api(), apiPolicy()], [api()])).toEqual([]);
    // Deployed retained: Pulumi skips its delete.
    expect(transition([api(), apiPolicy({ retainOnDelete: true })], [api({ policy: document })])).toEqual([]);
    // Protected: the engine refuses the delete (the update fails there, not this rule's finding).
    expect(transition([api(), apiPolicy({ protect: true })], [api({ policy: document })])).toEqual([]);
    // A key policy deployed with the lockout check bypassed: its delete puts nothing back.
    expect(transition([key(), keyPolicy({ bypassPolicyLockoutSafetyCheck: true })], [key({ policy: document })])).toEqual([]);
    expect(transition(saved([key(), keyPolicy({ bypassPolicyLockoutSafetyCheck: true })]), [key({ policy: document })])).toEqual([]);
    // From the resource's own policy to a policy resource: the holder is updated, nothing is deleted.
    expect(transition([key({ policy: document })], [key(), keyPolicy()])).toEqual([]);
    // A policy resource of another queue.
    const other = handBuilt(QUEUE_POLICY, "other-policy", { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/other", policy: document });
    expect(transition([queue(), other], [queue({ policy: document })])).toEqual([]);
  });
});
