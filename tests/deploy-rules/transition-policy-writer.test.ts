/**
 * TransitionPolicyWriterDeleted: an update that moves a resource's one policy document from a policy resource to another
 * writer (the resource's own `policy`, or another policy resource) deletes the old policy resource at the end, and that
 * delete empties (or, for a key, resets) the document the new writer has just written.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { formatFinding, planUpdate } from "../../testing/deploy-rules";
import { handBuilt, rules, saved, transition } from "./fixture";

const RULE = "TransitionPolicyWriterDeleted";
const ours = (findings: { rule: string; resource: string }[]) => findings.filter((f) => f.rule === RULE).map((f) => f.resource);
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
  { type: LOG_POLICY, holder: handBuilt("aws:cloudwatch/logGroup:LogGroup", "audit", { name: "audit" }, { id: "audit", state: { arn: logGroupArn } }), inputs: { resourceArn: logGroupArn }, target: logGroupArn, call: /the delete calls DeleteResourcePolicy by the log group's ARN with ExpectedRevisionId, .* CloudWatch Logs refuses it .*, so the update fails there/ },
  { type: "aws:dynamodb/resourcePolicy:ResourcePolicy", holder: handBuilt("aws:dynamodb/table:Table", "orders", { name: "orders" }, { id: "orders", state: { arn: tableArn } }), inputs: { resourceArn: tableArn }, target: undefined, call: /DeleteResourcePolicy \(dynamodb\/resource_policy.go/ },
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
    expect(findings[0].problem).toMatch(/^is replaced \(queueUrl \(changed\)\) and its old copy deleted by this update, which gives the access policy of jobs to jobs's own `policy`/);
    // deleteBeforeReplace is no fix here: the old copy's delete runs when the new copy registers on the other queue,
    // which nothing orders after the first queue's update, so it is not offered, and set it is still a finding.
    expect(findings[0].fix).not.toMatch(/deleteBeforeReplace/);
    const withDbr = transition([queue(), other, queuePolicy("jobs-policy")], [queue({ policy: document }), other, moved({ deleteBeforeReplace: true })]);
    expect(withDbr.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${QUEUE_POLICY} jobs-policy`]]);
    expect(withDbr[0].problem).toMatch(/with deleteBeforeReplace, Pulumi deletes the old copy when jobs-policy's new copy registers, which nothing orders after jobs's own `policy` writes/);
    // Another policy resource takes the first queue: the same.
    const taker = handBuilt(QUEUE_POLICY, "taker", { queueUrl, policy: document });
    expect(ours(transition([queue(), other, queuePolicy("jobs-policy")], [queue(), other, taker, moved({ deleteBeforeReplace: true })]))).toEqual([`${QUEUE_POLICY} jobs-policy`]);
    // key_id is not ForceNew: a KeyPolicy given another key is not replaced, so nothing is deleted (its update is TransitionKeyPolicyKeyChanged's).
    const otherKey = handBuilt(KEY, "other-key", {}, { id: "other-key-id" });
    expect(rules([key(), otherKey, keyPolicy()], [key({ policy: document }), otherKey, keyPolicy({ keyId: "other-key-id" })])).toEqual([["TransitionKeyPolicyKeyChanged", `${KEY_POLICY} key-policy`]]);
  });

  it("finds a QueuePolicy replaced through its replaceWith (create-first, from a saved plan too), and passes it delete-first", () => {
    const RANDOM = "random:index/randomString:RandomString";
    const GROUP = "aws:ec2/securityGroup:SecurityGroup";
    const suffix = (keepers: Record<string, string>) => handBuilt(RANDOM, "suffix", { length: 8, keepers }, { state: { result: "q7x2k9pz" } });
    // Its inputs unchanged: only the engine's replaceWith cascade replaces it (step_generator.go, ReplaceKeys ["replaceWith"]).
    const cascaded = (more: Partial<RecordedResource> = {}) => queuePolicy("jobs-policy", { replaceWith: [suffix({}).urn], ...more });
    const before = [queue(), suffix({ epoch: "1" }), cascaded()];
    const after = [queue(), suffix({ epoch: "2" }), cascaded()];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${QUEUE_POLICY} jobs-policy`]]);
    // Its own new copy writes the document, then the old copy's delete empties it.
    expect(findings[0].problem).toMatch(/^is replaced \(replaceWith: suffix replaced\) and its old copy deleted by this update, which gives the access policy of jobs to jobs-policy:/);
    expect(findings[0].fix).toMatch(/deleteBeforeReplace: true/);
    expect(rules(saved(before), after)).toEqual([[RULE, `${QUEUE_POLICY} jobs-policy`]]);
    // Delete-first, or the suffix not replaced: nothing is deleted after the write.
    expect(transition(before, [queue(), suffix({ epoch: "2" }), cascaded({ deleteBeforeReplace: true })])).toEqual([]);
    expect(transition(before, [queue(), suffix({ epoch: "1" }), cascaded()])).toEqual([]);
    // The suffix replaced with deleteBeforeReplace: the engine deletes the policy before it (findDependentCascadeReplacements).
    expect(transition(before, [queue(), { ...suffix({ epoch: "2" }), deleteBeforeReplace: true }, cascaded()])).toEqual([]);
    // What it names replaced delete-first (a security group named by hand: the bridge's AutoName field) takes it
    // down first (findDependentCascadeReplacements in the delete-before-replace branch).
    const group = (name: string) => handBuilt(GROUP, "workers", { name, description: "workers" }, { id: "sg-0123456789abcdef0" });
    const onGroup = queuePolicy("jobs-policy", { replaceWith: [group("a").urn] });
    expect(transition([queue(), group("workers-a"), onGroup], [queue(), group("workers-b"), onGroup])).toEqual([]);
    const autonamed = handBuilt(GROUP, "workers", { namePrefix: "workers-", description: "workers" }, { id: "sg-0123456789abcdef0" });
    expect(rules([queue(), autonamed, onGroup], [queue(), { ...autonamed, inputs: { namePrefix: "workers-v2-", description: "workers" } }, onGroup])).toEqual([[RULE, `${QUEUE_POLICY} jobs-policy`]]);
    // Naming both a create-first target (the suffix) and a delete-first one (the hand-named group): the group's
    // delete-first replacement takes it down first, whatever the order of the plan.
    const onBoth = queuePolicy("jobs-policy", { replaceWith: [suffix({}).urn, group("a").urn] });
    expect(ours(transition([queue(), suffix({ epoch: "1" }), onBoth, group("workers-a")], [queue(), suffix({ epoch: "2" }), onBoth, group("workers-b")]))).toEqual([]);
    expect(ours(transition([queue(), suffix({ epoch: "1" }), group("workers-a"), onBoth], [queue(), suffix({ epoch: "2" }), group("workers-b"), onBoth]))).toEqual([]);
  });

  it("finds a TopicPolicy removed while the topic takes its own policy: the delete puts the default topic policy back, from a saved plan too", () => {
    const before = [topic(), topicPolicy()];
    const after = [topic({ policy: document })];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${TOPIC_POLICY} events-policy`]]);
    expect(findings[0].problem).toMatch(/access policy of events to events's own `policy`/);
    expect(findings[0].problem).toMatch(/SetTopicAttributes with the provider's default topic policy/);
    expect(findings[0].problem).toMatch(/left with the provider's default topic policy \(nine actions .* on the condition AWS:SourceOwner is the topic owner's account\)/);
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
    expect(rules([secret(), other, secretPolicy()], [secret({ policy: document }), other, moved({ deleteBeforeReplace: true })])).toEqual([[RULE, `${SECRET_POLICY} db-policy`]]);
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
    // By name the delete carries no revision: it drops the policy the new writer has just put.
    expect(findings[0].problem).toMatch(/the delete calls DeleteResourcePolicy by the policy's name .*, so named route53-logs is left without it/);
    // Another policyName is another policy: the old one's delete leaves the new one alone.
    expect(transition([named("logs-policy")], [named("dns-logs-policy", "dns-logs")])).toEqual([]);
  });

  it("finds a LogResourcePolicy whose policyName changes (ForceNew: replaced) while another takes its old name: the old copy's delete by that name drops it", () => {
    // policy_name and resource_arn are each ForceNew, and exactly one is set (logs/resource_policy.go).
    const named = (name: string, policyName: string) => handBuilt(LOG_POLICY, name, { policyName, policyDocument: document });
    const before = [named("dns-policy", "route53-logs")];
    const after = [named("dns-policy", "route53-logs-v2"), named("audit-policy", "route53-logs")];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${LOG_POLICY} dns-policy`]]);
    expect(findings[0].problem).toMatch(/^is replaced \(policyName \(route53-logs → route53-logs-v2\)\) and its old copy deleted by this update/);
    expect(transition(saved(before), after).map((f) => f.rule)).toEqual([RULE]);
    // Renamed with nothing taking the old name: the delete drops only the old policy.
    expect(transition(before, [named("dns-policy", "route53-logs-v2")])).toEqual([]);
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

describe("TransitionPolicyWriterDeleted: the old writer's delete acts on the resource its deployed reference names", () => {
  const urlOf = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;
  const namedQueue = (name: string, inputs: Record<string, unknown> = {}) => handBuilt(QUEUE, "jobs", { name, ...inputs }, { id: urlOf(name), state: { url: urlOf(name) } });
  const policyOn = (policyName: string, queueName: string) => handBuilt(QUEUE_POLICY, policyName, { queueUrl: urlOf(queueName), policy: document });

  it("passes a policy resource removed with its queue replaced: its delete empties the old queue's policy", () => {
    // The queue's own replacement is TransitionStatefulReplaced's finding (its messages), not this rule's.
    const writerFindings = (...plans: Parameters<typeof transition>) => transition(...plans).filter((f) => f.rule !== "TransitionStatefulReplaced");
    expect(writerFindings([namedQueue("jobs"), policyOn("p1", "jobs")], [namedQueue("jobs2"), policyOn("p2", "jobs2")])).toEqual([]);
    expect(writerFindings([namedQueue("jobs"), policyOn("p1", "jobs")], [namedQueue("jobs2", { policy: document })])).toEqual([]);
    // The queue kept: the same move is a finding.
    expect(transition([namedQueue("jobs"), policyOn("p1", "jobs")], [namedQueue("jobs"), policyOn("p2", "jobs")]).map((f) => f.resource)).toEqual([`${QUEUE_POLICY} p1`]);
  });

  it("passes a holder replaced under a new name (an autonamed bucket, whose mocked id does not change): the delete acts on the old bucket", () => {
    const autonamed = (inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "uploads", { forceDestroy: true, ...inputs }, { id: "uploads-1a2b3c" });
    const policy = handBuilt(BUCKET_POLICY, "uploads-policy", { bucket: "uploads-1a2b3c", policy: document }, { dependencies: [autonamed().urn] });
    // objectLockEnabled (ForceNew once set) replaces it; the bridge draws a new name, create-first.
    expect(ours(transition([autonamed(), policy], [autonamed({ objectLockEnabled: true, policy: document })]))).toEqual([]);
    // Not replaced, the same move is a finding.
    expect(ours(transition([autonamed(), policy], [autonamed({ policy: document })]))).toEqual([`${BUCKET_POLICY} uploads-policy`]);
    // From a saved plan too.
    expect(ours(transition(saved([autonamed(), policy]), [autonamed({ objectLockEnabled: true, policy: document })]))).toEqual([]);
    // deleteBeforeReplace does not keep the name: the replacement still draws one, and the policy naming the old name
    // by a literal acts on the old bucket.
    const literal = handBuilt(BUCKET_POLICY, "uploads-policy", { bucket: "uploads-1a2b3c", policy: document });
    const dbr = (inputs: Record<string, unknown> = {}) => ({ ...autonamed(inputs), deleteBeforeReplace: true });
    expect(ours(transition([dbr(), literal], [dbr({ objectLockEnabled: true, policy: document })]))).toEqual([]);
  });

  it("finds a holder replaced delete-first under its name only for a writer that does not take its reference from it", () => {
    // The bucket named by hand: the bridge replaces it delete-first, and the new bucket has the same name.
    const named = (inputs: Record<string, unknown> = {}) => bucket(inputs);
    const site = named().urn;
    const policy = (more: Partial<RecordedResource> = {}) => handBuilt(BUCKET_POLICY, "site-policy", { bucket: "site-bucket", policy: document }, more);
    const fromBucket = policy({ dependencies: [site], propertyDependencies: { bucket: [site] } });
    const next = [named({ objectLockEnabled: true, policy: document })];
    // Its bucket from the bucket's output: the engine deletes it before the bucket (calculateDependentReplacements).
    expect(ours(transition([named(), fromBucket], next))).toEqual([]);
    expect(ours(transition(saved([named(), fromBucket]), next))).toEqual([]);
    // The name written out: deleted at the end, its DeleteBucketPolicy hits the new bucket of that name.
    expect(ours(transition([named(), policy()], next))).toEqual([`${BUCKET_POLICY} site-policy`]);
    expect(ours(transition(saved([named(), policy()]), next))).toEqual([`${BUCKET_POLICY} site-policy`]);
    // The name written out, the bucket in its document only (or dependsOn): `policy` is no ForceNew input, so the engine
    // updates it rather than replace it, and it is deleted at the end.
    expect(ours(transition([named(), policy({ dependencies: [site], propertyDependencies: { policy: [site] } })], next))).toEqual([`${BUCKET_POLICY} site-policy`]);
    expect(ours(transition([named(), policy({ dependencies: [site], propertyDependencies: {} })], next))).toEqual([`${BUCKET_POLICY} site-policy`]);
    // ...unless replaceOnChanges names that input: then the engine's Diff replaces it, before the bucket.
    expect(ours(transition([named(), policy({ dependencies: [site], propertyDependencies: { policy: [site] }, replaceOnChanges: ["policy"] })], next))).toEqual([]);
    // A plan recorded without property dependencies: which input takes the bucket is unknown, so it is reported.
    expect(ours(transition([named(), policy({ dependencies: [site] })], next))).toEqual([`${BUCKET_POLICY} site-policy`]);
    // bucket ignored: the engine's Diff for the dependents does not replace it, so it too is deleted at the end.
    expect(ours(transition([named(), policy({ dependencies: [site], propertyDependencies: { bucket: [site] }, ignoreChanges: ["bucket"] })], next))).toEqual([`${BUCKET_POLICY} site-policy`]);
    // Its bucket from a public access block's output, which is the bucket's: the block (bucket ForceNew) is replaced
    // with the bucket, and so the policy with it, transitively.
    const block = handBuilt("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-pab", { bucket: "site-bucket", blockPublicPolicy: false }, { dependencies: [site], propertyDependencies: { bucket: [site] } });
    const fromBlock = policy({ dependencies: [block.urn], propertyDependencies: { bucket: [block.urn] } });
    expect(ours(transition([named(), block, fromBlock], [...next, block]))).toEqual([]);
    expect(ours(transition([named(), fromBlock, block], [...next, block]))).toEqual([]);
  });

  it("passes a writer deleted in a branch whose root the holder waits for, and finds it when that branch only registers earlier (chains run in parallel) or comes later (the first branch registered deletes it)", () => {
    // The holder named by hand: the bridge replaces it delete-first under its name, and its own `policy` takes the document.
    const site = (inputs: Record<string, unknown> = {}) => bucket(inputs);
    // Another bucket named by hand, also replaced delete-first: its branch deletes every deployed resource whose
    // replaceWith names it (findDependentCascadeReplacements reads the deployed ones too), the removed policy included.
    const logs = (inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "logs", { bucket: "logs-bucket", ...inputs }, { id: "logs-bucket" });
    // The policy names the bucket by a literal (no property dependency on it), and is removed from the program.
    const policy = handBuilt(BUCKET_POLICY, "site-policy", { bucket: "site-bucket", policy: document }, { replaceWith: [logs().urn] });
    const before = [logs(), site(), policy];
    const [nextLogs, nextSite] = [logs({ objectLockEnabled: true }), site({ objectLockEnabled: true, policy: document })];
    // The site bucket waits for the logs bucket (dependsOn): it registers once the logs branch's chain (the policy's
    // delete, then the logs bucket's replacement) is done, so no delete reaches the new bucket's document.
    const waiting = { ...nextSite, dependencies: [nextLogs.urn] };
    expect(ours(transition(before, [nextLogs, waiting]))).toEqual([]);
    // Only listed first, the logs bucket's branch runs beside the site bucket's replacement (the step executor runs
    // the two chains in parallel): the old policy's DeleteBucketPolicy may come after the new bucket wrote its policy.
    const racing = transition(before, [nextLogs, nextSite]).filter((f) => f.rule === "TransitionPolicyWriterDeleted");
    expect(racing.map((f) => f.resource)).toEqual([`${BUCKET_POLICY} site-policy`]);
    expect(racing[0].problem).toContain("Pulumi deletes it in the delete-before-replace branch of logs (replaced delete-first), which nothing orders after");
    // Registered after the site bucket: the new bucket writes its policy first, then the logs branch deletes the old
    // policy resource, and its DeleteBucketPolicy empties the new bucket's document.
    expect(ours(transition(before, [nextSite, nextLogs]))).toEqual([`${BUCKET_POLICY} site-policy`]);
  });

  it("passes a removed writer deleted in a branch whose root every new writer waits for, the holder kept (the delete comes before their writes)", () => {
    const logs = (inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "logs", { bucket: "logs-bucket", ...inputs }, { id: "logs-bucket" });
    // Removed from the program; its deployed replaceWith puts it in the logs bucket's delete-before-replace branch.
    const policy = handBuilt(BUCKET_POLICY, "site-policy", { bucket: "site-bucket", policy: document }, { replaceWith: [logs().urn] });
    const before = [logs(), bucket(), policy];
    const nextLogs = logs({ objectLockEnabled: true });
    // The site bucket is kept and takes the document in its own `policy` (an update in place).
    const site = bucket({ policy: document });
    // It waits for the logs bucket: its update runs once the logs branch's chain (the old policy's delete, then the logs
    // bucket's replacement) is done.
    expect(ours(transition(before, [nextLogs, { ...site, dependencies: [nextLogs.urn] }]))).toEqual([]);
    // Another policy resource writes it, waiting for the logs bucket by a property dependency.
    const access = handBuilt(BUCKET_POLICY, "site-access", { bucket: "site-bucket", policy: document }, { dependencies: [nextLogs.urn], propertyDependencies: { policy: [nextLogs.urn] } });
    expect(ours(transition(before, [nextLogs, bucket(), access]))).toEqual([]);
    // Not waiting, the new writer's write races the branch's delete (the step executor runs the chains in parallel).
    const racing = transition(before, [nextLogs, site]).filter((f) => f.rule === RULE);
    expect(racing.map((f) => f.resource)).toEqual([`${BUCKET_POLICY} site-policy`]);
    expect(racing[0].fix).toContain("or make site wait for logs (dependsOn), so that it writes after that branch deletes site-policy");
    // Of two new writers, one that does not wait may write before the delete: still found.
    const other = handBuilt(BUCKET_POLICY, "site-other", { bucket: "site-bucket", policy: document });
    const [partly] = transition(before, [nextLogs, bucket(), access, other]).filter((f) => f.rule === RULE);
    expect(partly.resource).toBe(`${BUCKET_POLICY} site-policy`);
    expect(partly.fix).toContain("or make site-other wait for logs (dependsOn)");
  });

  it("passes a new writer that waits for the branch's root through its parent: the SDK registers a child once its parent's URN resolves, after the parent's own dependencies", () => {
    const logs = (inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "logs", { bucket: "logs-bucket", ...inputs }, { id: "logs-bucket" });
    const policy = handBuilt(BUCKET_POLICY, "site-policy", { bucket: "site-bucket", policy: document }, { replaceWith: [logs().urn] });
    const before = [logs(), bucket(), policy];
    const nextLogs = logs({ objectLockEnabled: true });
    // The component waits for the logs bucket (dependsOn); the bucket that takes the document only through it.
    const storage = (dependencies: string[]) => handBuilt("serverless-fullstack:index:Storage", "storage", {}, { custom: false, id: "", dependencies });
    const site = bucket({ policy: document });
    const child = { ...site, parent: storage([]).urn };
    expect(ours(transition(before, [nextLogs, storage([nextLogs.urn]), child]))).toEqual([]);
    // Its parent waiting for nothing, the child races the branch's delete as before.
    expect(ours(transition(before, [nextLogs, storage([]), child]))).toEqual([`${BUCKET_POLICY} site-policy`]);
  });

  it("passes a writer replaced by its own deleteBeforeReplace when every other new writer waits for its new copy: its old copy is deleted before that copy is created", () => {
    const replacing = { replaceOnChanges: ["policy"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
    const moved = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }] });
    const before = [queue(), queuePolicy("jobs-policy", replacing)];
    const copy = handBuilt(QUEUE_POLICY, "jobs-policy", { queueUrl, policy: moved }, replacing);
    // The queue's own policy, written once the policy resource's new copy exists (dependsOn).
    expect(ours(transition(before, [copy, { ...queue({ policy: moved }), dependencies: [copy.urn] }]))).toEqual([]);
    // Not waiting for it, the queue's write may come before the old copy's delete.
    const [racing] = transition(before, [copy, queue({ policy: moved })]).filter((f) => f.rule === RULE);
    expect(racing.resource).toBe(`${QUEUE_POLICY} jobs-policy`);
    expect(racing.fix).toContain("or make jobs wait for jobs-policy (dependsOn), so that it writes after jobs-policy's old copy is deleted");
  });

  it("finds a writer deleted early in another resource's branch whose new copy does not wait for that resource: its re-create runs beside that branch's delete", () => {
    // The deployed policy takes its document from the logs bucket (replaceOnChanges on it), so the bucket's
    // delete-before-replace branch deletes the old copy (calculateDependentReplacements); the new copy, a written-out
    // document registered after the bucket, is re-created in a chain of its own ("Case 1: recreating"), which
    // step_executor.go runs beside the bucket's, so the old copy's delete may come after the new copy's write.
    const logs = (inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "logs", { bucket: "logs-bucket", ...inputs }, { id: "logs-bucket" });
    const fromLogs = queuePolicy("jobs-policy", { replaceOnChanges: ["policy"], dependencies: [logs().urn], propertyDependencies: { policy: [logs().urn] } });
    const before = [logs(), queue(), fromLogs];
    const written = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }] });
    const copy = handBuilt(QUEUE_POLICY, "jobs-policy", { queueUrl, policy: written }, { replaceOnChanges: ["policy"] });
    const nextLogs = logs({ objectLockEnabled: true });
    expect(planUpdate(before, [nextLogs, queue(), copy]).order.early.has(copy.urn)).toBe(true);
    const [racing, ...rest] = transition(before, [nextLogs, queue(), copy]).filter((f) => f.rule === RULE);
    expect(rest).toEqual([]);
    expect(racing.resource).toBe(`${QUEUE_POLICY} jobs-policy`);
    expect(racing.fix).toContain("or make jobs-policy wait for logs (dependsOn)");
    // Waiting for the bucket, it registers once the bucket's chain (the old copy's delete first) is done.
    expect(ours(transition(before, [nextLogs, queue(), { ...copy, dependencies: [nextLogs.urn] }]))).toEqual([]);
  });

  it("passes a bucket removed from the program while a policy names an outside bucket called as its logical name", () => {
    const deployedBucket = handBuilt(BUCKET, "uploads", { bucket: "uploads-1a2b3c" }, { id: "uploads-1a2b3c" });
    const oldPolicy = handBuilt(BUCKET_POLICY, "p", { bucket: "uploads-1a2b3c", policy: document });
    expect(transition([deployedBucket, oldPolicy], [handBuilt(BUCKET_POLICY, "q", { bucket: "uploads", policy: document })])).toEqual([]);
    // An outside bucket by the deployed bucket's real name: the same bucket.
    expect(transition([deployedBucket, oldPolicy], [handBuilt(BUCKET_POLICY, "q", { bucket: "uploads-1a2b3c", policy: document })]).map((f) => f.resource)).toEqual([`${BUCKET_POLICY} p`]);
  });

  it("pairs a repository outside the plan within its region", () => {
    const repositoryPolicy = "aws:ecr/repositoryPolicy:RepositoryPolicy";
    const provider = handBuilt("pulumi:providers:aws", "eu", { region: "eu-west-1" }, { id: "eu-id" });
    const inEurope = handBuilt(repositoryPolicy, "eu-policy", { repository: "app", policy: document }, { provider: `${provider.urn}::eu-id` });
    const inUs = (name: string) => handBuilt(repositoryPolicy, name, { repository: "app", policy: document });
    expect(transition([provider, inUs("us-policy")], [provider, inEurope])).toEqual([]);
    expect(transition([provider, inUs("us-policy")], [provider, inUs("us-policy2")]).map((f) => f.resource)).toEqual([`${repositoryPolicy} us-policy`]);
  });

  it("pairs KeyPolicies on a key outside the plan by its id, whether they name it by id or by ARN, as KmsOneKeyPolicy does", () => {
    const id = "9876abcd-12ab-34cd-56ef-1234567890ab";
    const outside = (name: string, keyId: string) => handBuilt(KEY_POLICY, name, { keyId, policy: document });
    const byArn = outside("by-arn", `arn:aws:kms:us-east-1:123456789012:key/${id}`);
    expect(transition([byArn], [outside("by-id", id)]).map((f) => [f.rule, f.resource])).toEqual([[RULE, `${KEY_POLICY} by-arn`]]);
    // The same id in another region's ARN is another key.
    expect(transition([outside("eu", `arn:aws:kms:eu-west-1:123456789012:key/${id}`)], [outside("by-id", id)])).toEqual([]);
  });

  it("pairs Lambda writers by the function they name, as LambdaOneResourcePolicy does (a name and an ARN of one function)", () => {
    const resourcePolicy = handBuilt("aws:lambda/resourcePolicy:ResourcePolicy", "rp", { resourceArn: "arn:aws:lambda:us-east-1:123456789012:function:ext", policy: document });
    const permission = handBuilt("aws:lambda/permission:Permission", "perm", { function: "ext", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" });
    expect(transition([resourcePolicy], [permission]).map((f) => f.resource)).toEqual(["aws:lambda/resourcePolicy:ResourcePolicy rp"]);
  });

  it("pairs event bus writers by the bus they name, as EventBridgeOneBusPolicy does (a name and an ARN of one bus)", () => {
    const BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy";
    const busArn = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
    const permission = handBuilt("aws:cloudwatch/eventPermission:EventPermission", "partner", { eventBusName: "orders", principal: "111122223333", statementId: "partner" });
    // Deployed on the bus's ARN, moved to another bus while a permission grants on the first by name: its old copy's delete empties the first.
    expect(transition([handBuilt(BUS_POLICY, "bp", { eventBusName: busArn, policy: document })], [permission, handBuilt(BUS_POLICY, "bp", { eventBusName: "billing", policy: document })]).map((f) => f.resource)).toEqual([`${BUS_POLICY} bp`]);
    // eventBusName (ForceNew) from the name to the ARN of the same bus: created first, then the old copy's RemoveAllPermissions.
    const renamed = transition([handBuilt(BUS_POLICY, "bp", { eventBusName: "orders", policy: document })], [handBuilt(BUS_POLICY, "bp", { eventBusName: busArn, policy: document })]);
    expect(renamed.map((f) => f.resource)).toEqual([`${BUS_POLICY} bp`]);
    expect(renamed[0].problem).toMatch(/^is replaced \(eventBusName \(.*\)\) and its old copy deleted/);
  });

  it("finds a policy resource replaced for replaceOnChanges on the same resource: the old copy's delete runs after the new copy wrote", () => {
    const replacing = (policy: string, more: Partial<RecordedResource> = {}) => handBuilt(QUEUE_POLICY, "jobs-policy", { queueUrl, policy }, { replaceOnChanges: ["policy"], ...more });
    const changed = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    const findings = transition([queue(), replacing(document)], [queue(), replacing(changed)]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${QUEUE_POLICY} jobs-policy`]]);
    expect(findings[0].problem).toMatch(/^is replaced \(policy \(.*\)\) and its old copy deleted/);
    // Delete-first, or unchanged: nothing runs after the new copy.
    expect(transition([queue(), replacing(document)], [queue(), replacing(changed, { deleteBeforeReplace: true })])).toEqual([]);
    expect(transition([queue(), replacing(document)], [queue(), replacing(document)])).toEqual([]);
  });

  it("reads a moved writer's ignored reference as the deployed one, and deletedWith its kept holder as deleted", () => {
    const otherUrl = urlOf("other");
    const other = handBuilt(QUEUE, "other", { name: "other" }, { id: otherUrl, state: { url: otherUrl } });
    const moved = (more: Partial<RecordedResource> = {}) => handBuilt(QUEUE_POLICY, "jobs-policy", { queueUrl: otherUrl, policy: document }, more);
    // ignoreChanges on queueUrl: the engine keeps the deployed URL, so it is not replaced.
    expect(transition([queue(), other, queuePolicy("jobs-policy")], [queue({ policy: document }), other, moved({ ignoreChanges: ["queueUrl"] })])).toEqual([]);
    // deletedWith the queue, which the update keeps: the delete still runs.
    expect(transition([queue(), queuePolicy("jobs-policy", { deletedWith: queue().urn })], [queue({ policy: document })]).map((f) => f.resource)).toEqual([`${QUEUE_POLICY} jobs-policy`]);
    // deletedWith a resource the update deletes: skipped.
    expect(transition([queue(), other, queuePolicy("jobs-policy", { deletedWith: other.urn })], [queue({ policy: document })])).toEqual([]);
  });

  it("judges a replaced topic, key or ECR repository as a holder: replaced under another identity, the delete acts on the old one", () => {
    // An autonamed topic made FIFO (fifo_topic ForceNew, sns/topic.go): the bridge draws a new name, so a new ARN; the
    // mocked plans give both the same one.
    const autonamedTopic = (inputs: Record<string, unknown> = {}) => handBuilt("aws:sns/topic:Topic", "events", { displayName: "Events", ...inputs }, { id: topicArn, state: { arn: topicArn } });
    expect(ours(transition([autonamedTopic(), topicPolicy()], [autonamedTopic({ fifoTopic: true, policy: document })]))).toEqual([]);
    expect(ours(transition(saved([autonamedTopic(), topicPolicy()]), [autonamedTopic({ fifoTopic: true, policy: document })]))).toEqual([]);
    // fifoTopic false is its schema default: no change, so the topic stays and the move is a finding.
    expect(ours(transition([autonamedTopic(), topicPolicy()], [autonamedTopic({ fifoTopic: false, policy: document })]))).toEqual([`${TOPIC_POLICY} events-policy`]);
    // A key whose usage changes (key_usage ForceNew, kms/key.go): CreateKey gives a new key id, whatever deleteBeforeReplace says.
    // (A recording without inputs is not judged: the key has a description.)
    const appKey = (inputs: Record<string, unknown> = {}) => key({ description: "app", ...inputs });
    const signing = { keyUsage: "SIGN_VERIFY", customerMasterKeySpec: "RSA_2048", policy: document };
    expect(ours(transition([appKey(), keyPolicy()], [appKey(signing)]))).toEqual([]);
    expect(ours(transition([appKey(), keyPolicy()], [{ ...appKey(signing), deleteBeforeReplace: true }]))).toEqual([]);
    expect(ours(transition(saved([appKey(), keyPolicy()]), [appKey(signing)]))).toEqual([]);
    // ENCRYPT_DECRYPT and SYMMETRIC_DEFAULT are the defaults: the key stays, and the KeyPolicy's delete resets its policy.
    expect(ours(transition([appKey(), keyPolicy()], [appKey({ keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT", policy: document })]))).toEqual([`${KEY_POLICY} key-policy`]);
    // An autonamed ECR repository given another encryption (encryption_configuration ForceNew, ecr/repository.go): a new
    // name; named by hand, delete-first under the same name, so the old policy's delete hits the new repository.
    const REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";
    const repository = (inputs: Record<string, unknown>) => handBuilt("aws:ecr/repository:Repository", "images", inputs, { id: "images" });
    const repositoryPolicy = (name: string) => handBuilt(REPOSITORY_POLICY, name, { repository: "images", policy: document });
    const aes = { encryptionConfigurations: [{ encryptionType: "AES256" }] };
    const kms = { encryptionConfigurations: [{ encryptionType: "KMS" }] };
    expect(ours(transition([repository(aes), repositoryPolicy("old-policy")], [repository(kms), repositoryPolicy("new-policy")]))).toEqual([]);
    expect(ours(transition([repository({ name: "images", ...aes }), repositoryPolicy("old-policy")], [repository({ name: "images", ...kms }), repositoryPolicy("new-policy")]))).toEqual([`${REPOSITORY_POLICY} old-policy`]);
    // Not replaced: encryption no longer set keeps it (SuppressMissingOptionalConfigurationBlock), so the move is a finding.
    expect(ours(transition([repository(aes), repositoryPolicy("old-policy")], [repository({}), repositoryPolicy("new-policy")]))).toEqual([`${REPOSITORY_POLICY} old-policy`]);
    // Nor the default block written after unset: the state holds [{AES256, kms_key ""}] (encryption_type Default AES256,
    // kms_key Optional+Computed), so no diff; KMS after unset replaces.
    // (A recording without inputs is not judged: the repository has an image tag mutability.)
    const mutable = { imageTagMutability: "MUTABLE" };
    for (const written of [aes, { encryptionConfigurations: [{ encryptionType: "AES256", kmsKey: "" }] }, { encryptionConfigurations: [{}] }]) {
      expect(ours(transition([repository(mutable), repositoryPolicy("old-policy")], [repository({ ...mutable, ...written }), repositoryPolicy("new-policy")]))).toEqual([`${REPOSITORY_POLICY} old-policy`]);
    }
    expect(ours(transition(saved([repository(mutable), repositoryPolicy("old-policy")]), [repository({ ...mutable, ...aes }), repositoryPolicy("new-policy")]))).toEqual([`${REPOSITORY_POLICY} old-policy`]);
    expect(ours(transition([repository(mutable), repositoryPolicy("old-policy")], [repository({ ...mutable, ...kms }), repositoryPolicy("new-policy")]))).toEqual([]);
    // multi_region is Optional+Computed and the read stores false for an ordinary key: false written after unset is no
    // change, so the key stays and the KeyPolicy's delete resets its policy; true replaces it (another key id).
    expect(ours(transition([appKey(), keyPolicy()], [appKey({ multiRegion: false, policy: document })]))).toEqual([`${KEY_POLICY} key-policy`]);
    expect(ours(transition(saved([appKey(), keyPolicy()]), [appKey({ multiRegion: false, policy: document })]))).toEqual([`${KEY_POLICY} key-policy`]);
    expect(ours(transition([appKey(), keyPolicy()], [appKey({ multiRegion: true, policy: document })]))).toEqual([]);
  });

  it("judges a replaced data stream or backup vault as a holder: autonamed, another resource; named by hand, delete-first under its name", () => {
    const STREAM_POLICY = "aws:kinesis/resourcePolicy:ResourcePolicy";
    const VAULT = "aws:backup/vault:Vault";
    const VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy";
    // An autonamed stream replaced for replaceOnChanges (only its name is ForceNew, kinesis/stream.go): the bridge draws
    // a new name, so a new ARN; the mocked plans give both the ARN the deployed policy names.
    const stream = (inputs: Record<string, unknown>) => handBuilt("aws:kinesis/stream:Stream", "clicks", inputs, { id: streamArn, state: { arn: streamArn }, replaceOnChanges: ["shardCount"] });
    const streamPolicy = (name: string) => handBuilt(STREAM_POLICY, name, { resourceArn: streamArn, policy: document });
    expect(ours(transition([stream({ shardCount: 1 }), streamPolicy("old-policy")], [stream({ shardCount: 2 }), streamPolicy("new-policy")]))).toEqual([]);
    // Its name set by hand: delete-first under that name, so the old policy's delete reaches the new stream.
    expect(ours(transition([stream({ name: "clicks", shardCount: 1 }), streamPolicy("old-policy")], [stream({ name: "clicks", shardCount: 2 }), streamPolicy("new-policy")]))).toEqual([`${STREAM_POLICY} old-policy`]);
    // Kept: the move is a finding.
    expect(ours(transition([stream({ shardCount: 1 }), streamPolicy("old-policy")], [stream({ shardCount: 1 }), streamPolicy("new-policy")]))).toEqual([`${STREAM_POLICY} old-policy`]);
    // An autonamed vault given a key (kms_key_arn ForceNew once set, backup/vault.go): a new name, the delete acts on the old vault.
    const vault = (inputs: Record<string, unknown>) => handBuilt(VAULT, "vault", { forceDestroy: true, ...inputs }, { id: "vault-1a2b3c" });
    const vaultPolicy = (name: string) => handBuilt(VAULT_POLICY, name, { backupVaultName: "vault-1a2b3c", policy: document });
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(ours(transition([vault({}), vaultPolicy("old-policy")], [vault({ kmsKeyArn: keyArn }), vaultPolicy("new-policy")]))).toEqual([]);
    expect(ours(transition(saved([vault({}), vaultPolicy("old-policy")]), [vault({ kmsKeyArn: keyArn }), vaultPolicy("new-policy")]))).toEqual([]);
    // A key no longer set keeps it (Optional+Computed): the move is a finding.
    expect(ours(transition([vault({ kmsKeyArn: keyArn }), vaultPolicy("old-policy")], [vault({}), vaultPolicy("new-policy")]))).toEqual([`${VAULT_POLICY} old-policy`]);
  });

  it("gives a table's resource policies their table as holder: replaced under a new name, the delete acts on the old table", () => {
    const TABLE_POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy";
    const table = (inputs: Record<string, unknown>) => handBuilt("aws:dynamodb/table:Table", "orders", { hashKey: "pk", ...inputs }, { id: "orders-1a2b3c", state: { arn: tableArn } });
    const tablePolicy = (name: string) => handBuilt(TABLE_POLICY, name, { resourceArn: tableArn, policy: document });
    // rangeKey is ForceNew (dynamodb/table.go): an autonamed table is replaced under a new name and ARN.
    const autonamed = transition([table({}), tablePolicy("old-policy")], [table({ rangeKey: "sk" }), tablePolicy("new-policy")]);
    expect(ours(autonamed)).toEqual([]);
    expect(ours(transition(saved([table({}), tablePolicy("old-policy")]), [table({ rangeKey: "sk" }), tablePolicy("new-policy")]))).toEqual([]);
    // Named by hand, the bridge replaces it delete-first under that name (and ARN): the delete reaches the new table.
    expect(ours(transition([table({ name: "orders" }), tablePolicy("old-policy")], [table({ name: "orders", rangeKey: "sk" }), tablePolicy("new-policy")]))).toEqual([`${TABLE_POLICY} old-policy`]);
    // Kept, the move is a finding, named by the table.
    const kept = transition([table({}), tablePolicy("old-policy")], [table({}), tablePolicy("new-policy")]).filter((f) => f.rule === RULE);
    expect(kept.map((f) => f.resource)).toEqual([`${TABLE_POLICY} old-policy`]);
    expect(kept[0].problem).toContain("resource-based policy of orders to new-policy");
  });

  it("reads a resource replaced through its own replaceWith as replaced create-first, named by hand or not (the engine does not ask the provider), unless deleteBeforeReplace", () => {
    const RANDOM = "random:index/randomString:RandomString";
    const suffix = (epoch: string) => handBuilt(RANDOM, "suffix", { length: 8, keepers: { epoch } }, { state: { result: "q7x2k9pz" } });
    // The bucket is replaced through its own replaceWith; the policy names the bucket in its replaceWith.
    const site = (inputs: Record<string, unknown>) => ({ ...bucket(inputs), replaceWith: [suffix("1").urn] });
    const onBucket = queuePolicy("jobs-policy", { replaceWith: [bucket().urn] });
    // Named by hand: the engine's diff returns the replaceWith replacement before the provider's Diff (pulumi
    // step_generator.go), so the bridge's delete-first for the name is never asked: create-first, and the policy's old
    // copy is deleted at the end, after its new copy wrote.
    expect(ours(transition([queue(), suffix("1"), site({}), onBucket], [queue(), suffix("2"), site({}), onBucket]))).toEqual([`${QUEUE_POLICY} jobs-policy`]);
    // Autonamed: create-first alike.
    const autonamed = { ...site({}), inputs: { forceDestroy: true } };
    expect(ours(transition([queue(), suffix("1"), autonamed, onBucket], [queue(), suffix("2"), autonamed, onBucket]))).toEqual([`${QUEUE_POLICY} jobs-policy`]);
    // deleteBeforeReplace given by the program: delete-first, and the engine deletes the policy before it.
    const deleteFirst = { ...site({}), deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
    expect(ours(transition([queue(), suffix("1"), deleteFirst, onBucket], [queue(), suffix("2"), deleteFirst, onBucket]))).toEqual([]);
  });

  it("follows a replaceWith target of a type the cascade does not follow, replaced for its own inputs (a bucket's objectLockEnabled)", () => {
    const onBucket = queuePolicy("jobs-policy", { replaceWith: [bucket().urn] });
    const autonamed = (inputs: Record<string, unknown>) => handBuilt(BUCKET, "site", { forceDestroy: true, ...inputs }, { id: "site-1a2b3c" });
    // Autonamed: the bucket is replaced create-first, and so is the policy; its old copy's delete comes after its new copy wrote.
    const findings = transition([queue(), autonamed({}), onBucket], [queue(), autonamed({ objectLockEnabled: true }), onBucket]).filter((f) => f.rule === RULE);
    expect(findings.map((f) => f.resource)).toEqual([`${QUEUE_POLICY} jobs-policy`]);
    expect(findings[0].problem).toMatch(/^is replaced \(replaceWith: site replaced\)/);
    expect(ours(transition(saved([queue(), autonamed({}), onBucket]), [queue(), autonamed({ objectLockEnabled: true }), onBucket]))).toEqual([`${QUEUE_POLICY} jobs-policy`]);
    // Named by hand: delete-first, and the engine deletes the policy before it.
    expect(ours(transition([queue(), bucket(), onBucket], [queue(), bucket({ objectLockEnabled: true }), onBucket]))).toEqual([]);
    // Not replaced: nothing cascades.
    expect(ours(transition([queue(), autonamed({}), onBucket], [queue(), autonamed({ forceDestroy: false }), onBucket]))).toEqual([]);
  });

  it("follows a replaceWith target of a type no table knows when its replaceOnChanges replaces it", () => {
    const worker = (memorySize: number) => handBuilt("aws:lambda/function:Function", "worker", { role: "arn:aws:iam::123456789012:role/worker", memorySize }, { replaceOnChanges: ["memorySize"] });
    const onWorker = queuePolicy("jobs-policy", { replaceWith: [worker(128).urn] });
    const findings = transition([queue(), worker(128), onWorker], [queue(), worker(256), onWorker]).filter((f) => f.rule === RULE);
    expect(findings.map((f) => f.resource)).toEqual([`${QUEUE_POLICY} jobs-policy`]);
    expect(findings[0].problem).toMatch(/^is replaced \(replaceWith: worker replaced\)/);
    // Another change, or none: the function is updated in place, so nothing cascades.
    expect(ours(transition([queue(), worker(128), onWorker], [queue(), { ...worker(128), inputs: { ...worker(128).inputs, timeout: 30 } }, onWorker]))).toEqual([]);
  });
});

describe("TransitionKeyPolicyKeyChanged", () => {
  const otherKey = handBuilt(KEY, "other-key", {}, { id: "other-key-id" });
  const changed = JSON.stringify({ Version: "2012-10-17", Statement: [] });

  it("finds a KeyPolicy given another key in place: the provider writes only to the key it was created on", () => {
    const findings = transition([key(), otherKey, keyPolicy()], [key(), otherKey, keyPolicy({ keyId: "other-key-id", policy: changed })]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionKeyPolicyKeyChanged", `${KEY_POLICY} key-policy`]]);
    expect(findings[0].problem).toMatch(/resourceKeyPolicyUpdate/);
    expect(findings[0].problem).toMatch(/writes the changed document onto 1234abcd-12ab-34cd-56ef-1234567890ab/);
    expect(findings[0].fix).toMatch(/replaceOnChanges: \["keyId"\]/);
    // From a saved plan, which keeps keyId.
    expect(rules(saved([key(), otherKey, keyPolicy()]), [key(), otherKey, keyPolicy({ keyId: "other-key-id" })])).toEqual([["TransitionKeyPolicyKeyChanged", `${KEY_POLICY} key-policy`]]);
  });

  it("passes a KeyPolicy replaced onto the other key, or whose keyId change is ignored", () => {
    expect(transition([key(), otherKey, keyPolicy()], [key(), otherKey, keyPolicy({ keyId: "other-key-id" })].map((r) => (r.type === KEY_POLICY ? { ...r, replaceOnChanges: ["keyId"] } : r)))).toEqual([]);
    expect(transition([key(), otherKey, keyPolicy()], [key(), otherKey, { ...keyPolicy({ keyId: "other-key-id" }), ignoreChanges: ["keyId"] }])).toEqual([]);
    expect(transition([key(), otherKey, keyPolicy()], [key(), otherKey, keyPolicy({ policy: changed })])).toEqual([]);
    // The same key by its ARN: the read sets keyId to the key's id, on the same key.
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(transition([key(), keyPolicy()], [key(), keyPolicy({ keyId: keyArn, policy: changed })])).toEqual([]);
    const arnKey = handBuilt(KEY, "key", {}, { id: "1234abcd-12ab-34cd-56ef-1234567890ab", state: { arn: "arn:aws:kms:us-east-1:123456789012:key/other-form" } });
    expect(transition([arnKey, keyPolicy()], [arnKey, keyPolicy({ keyId: "arn:aws:kms:us-east-1:123456789012:key/other-form" })])).toEqual([]);
  });
});
