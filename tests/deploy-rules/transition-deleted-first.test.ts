/**
 * The transition checks that ask whether a replaced resource's deployed copy is deleted first read one answer
 * (transition.ts deletedFirst): its own deleteBeforeReplace, or a resource its replaceWith names replaced delete-first,
 * whose delete-before-replace branch deletes it before the target whatever its own option (pulumi
 * pkg/resource/deploy/step_generator.go continueStepsFromDiff: findDependentCascadeReplacements). Each case gives the
 * resource replaceWith a topic whose name is set by hand and renamed: the bridge replaces that topic delete-first (its
 * Diff's nameRequiresDeleteBeforeReplace); with deleteBeforeReplace: false on the topic it is replaced create-first, and
 * the resource keeps the create-first finding.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { handBuilt, transition } from "./fixture";
import { planUpdate } from "../../testing/deploy-rules";
import { CLUSTER, productionInputs, serverlessDatabase } from "./fixtures/rds";

const topic = handBuilt("aws:sns/topic:Topic", "errors", { name: "errors" });
/** The topic renamed: replaced delete-first (the bridge's answer for a name set by hand), or create-first (the program's false). */
const renamed = (deleteFirst: boolean): RecordedResource =>
  deleteFirst ? { ...topic, inputs: { name: "errors-2" } } : { ...topic, inputs: { name: "errors-2" }, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true };
/** `graph` with `urn`'s resource given replaceWith: [topic]. */
const withTopic = (graph: RecordedResource[], urn: (r: RecordedResource) => boolean) => graph.map((r) => (urn(r) ? { ...r, replaceWith: [topic.urn] } : r));
/** The findings of `rule` in an update from `before` (and the topic) to `after` (and the topic renamed). */
const found = (rule: string, before: RecordedResource[], after: RecordedResource[], deleteFirst: boolean) =>
  transition([...before, topic], [...after, renamed(deleteFirst)]).filter((f) => f.rule === rule);

describe("TransitionRdsClusterNameReused: a cluster deleted first by its replaceWith target's delete-before-replace branch", () => {
  const RULE = "TransitionRdsClusterNameReused";
  const cluster = (more: Record<string, unknown>) => withTopic(serverlessDatabase({ ...productionInputs, clusterIdentifier: "db-cluster-1a2b3c4", ...more }), (r) => r.type === CLUSTER);

  it("does not find the identifier its old self holds (the old cluster is deleted first), only the final snapshot name", () => {
    expect(found(RULE, cluster({ databaseName: "app" }), cluster({ databaseName: "gallery" }), true).map((f) => f.problem)).toEqual([
      expect.stringMatching(/ with the same finalSnapshotIdentifier "db-cluster-final-1a2b3c4": deleting the old cluster writes that snapshot/),
    ]);
    // The topic replaced create-first: so is the cluster, whose create is refused for its identifier.
    expect(found(RULE, cluster({ databaseName: "app" }), cluster({ databaseName: "gallery" }), false).map((f) => f.problem)).toEqual([
      expect.stringMatching(/ under the same clusterIdentifier "db-cluster-1a2b3c4": the new cluster is created while the old one still holds it/),
      expect.stringMatching(/ with the same finalSnapshotIdentifier "db-cluster-final-1a2b3c4": once the clusterIdentifier is changed too/),
    ]);
  });
});

describe("TransitionRdsClusterNameReused: a cluster replaced only for its replaceWith (none of its own inputs changed)", () => {
  const RULE = "TransitionRdsClusterNameReused";
  const cluster = withTopic(serverlessDatabase({ ...productionInputs, clusterIdentifier: "db-cluster-1a2b3c4" }), (r) => r.type === CLUSTER);

  it("finds the identifier its old self holds when the cascade replaces it create-first, not when it is deleted first", () => {
    expect(found(RULE, cluster, cluster, false).map((f) => f.problem)).toEqual([
      expect.stringMatching(/^is replaced \(its replaceWith names errors, which the update replaces\) under the same clusterIdentifier "db-cluster-1a2b3c4": the new cluster is created while the old one still holds it/),
      expect.stringMatching(/ with the same finalSnapshotIdentifier "db-cluster-final-1a2b3c4": once the clusterIdentifier is changed too/),
    ]);
    // The topic replaced delete-first: its branch deletes the old cluster first, which frees the identifier; the final snapshot name stays the next one's.
    expect(found(RULE, cluster, cluster, true).map((f) => f.problem)).toEqual([
      expect.stringMatching(/^is replaced \(its replaceWith names errors, which the update replaces\) with the same finalSnapshotIdentifier "db-cluster-final-1a2b3c4": deleting the old cluster writes that snapshot/),
    ]);
  });

  it("finds the identifier when the cascade goes through its deletedWith: the engine skips the old cluster's delete, which then holds it", () => {
    const deletedWithTopic = serverlessDatabase({ ...productionInputs, clusterIdentifier: "db-cluster-1a2b3c4" }).map((r) => (r.type === CLUSTER ? { ...r, deletedWith: topic.urn } : r));
    for (const deleteFirst of [true, false]) {
      // No final snapshot finding: the skipped delete writes none.
      expect(found(RULE, deletedWithTopic, deletedWithTopic, deleteFirst).map((f) => f.problem)).toEqual([
        expect.stringMatching(/^is replaced \(its deletedWith names errors, which the update replaces\) under the same clusterIdentifier "db-cluster-1a2b3c4": /),
      ]);
    }
    expect(found(RULE, deletedWithTopic, deletedWithTopic, true)[0].problem).toMatch(/: its old self's delete is skipped \(deletedWith: errors replaced; pulumi step.go DeleteStep.Apply, isDeletedWith\), so the old cluster still holds it/);
  });

  it("leaves TransitionStatefulReplaced to the refused create, as for a cluster replaced for its own inputs", () => {
    const rules = transition([...cluster, topic], [...cluster, renamed(false)]).filter((f) => f.resource.startsWith(CLUSTER)).map((f) => f.rule);
    expect(rules).toEqual([RULE, RULE]);
  });
});

describe("TransitionVaultLockImmutable: a lock deleted first by its replaceWith target's delete-before-replace branch", () => {
  const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
  const lock = (minRetentionDays: number) => handBuilt(LOCK, "bk-vault-lock", { backupVaultName: "bk-vault", minRetentionDays, maxRetentionDays: 60, changeableForDays: 3 });
  const problem = (deleteFirst: boolean) => found("TransitionVaultLockImmutable", withTopic([lock(35)], () => true), withTopic([lock(60)], () => true), deleteFirst).map((f) => f.problem);

  it("says its DeleteBackupVaultLockConfiguration is refused first, as for deleteBeforeReplace", () => {
    expect(problem(true)).toEqual([expect.stringMatching(/so the update stops at the lock \(replaced delete-first, its DeleteBackupVaultLockConfiguration is refused first\)$/)]);
    expect(problem(false)).toEqual([expect.stringMatching(/so the update stops at the lock$/)]);
  });
});

describe("TransitionHostedUiDomainGap: a domain deleted first by its replaceWith target's delete-before-replace branch", () => {
  const POOL_DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
  const domain = (prefix: string) => handBuilt(POOL_DOMAIN, "auth-domain", { domain: prefix, userPoolId: "us-east-1_AbCdEf123" });

  it("finds the gap, as for deleteBeforeReplace, and says why it is delete-first", () => {
    const gap = (deleteFirst: boolean) => found("TransitionHostedUiDomainGap", withTopic([domain("gallery-auth")], () => true), withTopic([domain("gallery-login")], () => true), deleteFirst).map((f) => f.problem);
    expect(gap(true)).toEqual([
      expect.stringMatching(/^replaces the hosted UI domain "gallery-auth" with "gallery-login" delete-first \(domain is ForceNew, terraform-provider-aws cognitoidp\/user_pool_domain.go; replaceWith: errors replaced delete-first\), and the pool keeps no other domain/),
    ]);
    // The topic replaced create-first: so is the domain, which has no gap.
    expect(gap(false)).toEqual([]);
  });
});

describe("TransitionPolicyWriterDeleted: a writer deleted first by its replaceWith target's delete-before-replace branch", () => {
  const QUEUE = "aws:sqs/queue:Queue";
  const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
  const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
  const queue = handBuilt(QUEUE, "jobs", { name: "jobs" }, { id: queueUrl, state: { url: queueUrl } });
  const document = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: action, Resource: "*" }] });
  // Replaced for its own inputs too (replaceOnChanges on its policy), and the one writer of the queue's policy after the update.
  const policy = (action: string) => handBuilt(QUEUE_POLICY, "jobs-policy", { queueUrl, policy: document(action) }, { replaceOnChanges: ["policy"], replaceWith: [topic.urn] });

  it("passes it when its own new copy is the one writer (its delete comes before that copy's create), as for deleteBeforeReplace", () => {
    const writerDeleted = (deleteFirst: boolean) => found("TransitionPolicyWriterDeleted", [queue, policy("sqs:SendMessage")], [queue, policy("sqs:ReceiveMessage")], deleteFirst).map((f) => f.resource);
    expect(writerDeleted(true)).toEqual([]);
    // The topic replaced create-first: so is the policy, whose old copy is deleted at the end, after its new copy wrote.
    expect(writerDeleted(false)).toEqual([`${QUEUE_POLICY} jobs-policy`]);
  });
});

describe("TransitionDeploymentStillServed: a deployment deleted first by its replaceWith target's delete-before-replace branch", () => {
  const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
  const STAGE = "aws:apigateway/stage:Stage";
  const deployment = (redeploy: string) => handBuilt(DEPLOYMENT, "api-deployment", { restApi: "a1b2c3d4e5", triggers: { redeploy } }, { id: "dep123", replaceWith: [topic.urn] });
  const stage = handBuilt(STAGE, "api-stage-prod", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "dep123" }, { ignoreChanges: ["deployment"] });

  it("says its deployed copy is deleted first, and why", () => {
    const problem = (deleteFirst: boolean) => found("TransitionDeploymentStillServed", [deployment("1"), stage], [deployment("2"), stage], deleteFirst).map((f) => f.problem);
    expect(problem(true)).toEqual([expect.stringMatching(/, and its deployed copy is deleted first \(replaceWith: errors replaced delete-first\), while stage api-stage-prod still serves the deployed copy/)]);
    expect(problem(false)).toEqual([expect.stringMatching(/, and its deployed copy is deleted at the end of the update, while stage api-stage-prod still serves the deployed copy/)]);
  });
});

describe("TransitionDeploymentStillServed: a deployment replaced only for its replaceWith or deletedWith (none of its own inputs changed)", () => {
  const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
  const STAGE = "aws:apigateway/stage:Stage";
  const deployment = (options: Record<string, unknown>) => handBuilt(DEPLOYMENT, "api-deployment", { restApi: "a1b2c3d4e5", triggers: { redeploy: "1" } }, { id: "dep123", ...options });
  const stage = handBuilt(STAGE, "api-stage-prod", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "dep123" }, { ignoreChanges: ["deployment"] });
  const problem = (options: Record<string, unknown>, deleteFirst: boolean) =>
    found("TransitionDeploymentStillServed", [deployment(options), stage], [deployment(options), stage], deleteFirst).map((f) => f.problem);

  it("finds the deployed copy's delete refused, deleted at the end or first", () => {
    const replaceWith = { replaceWith: [topic.urn] };
    expect(problem(replaceWith, false)).toEqual([
      expect.stringMatching(/^is replaced \(its replaceWith names errors, which the update replaces\), and its deployed copy is deleted at the end of the update, while stage api-stage-prod still serves the deployed copy/),
    ]);
    expect(problem(replaceWith, true)).toEqual([
      expect.stringMatching(/^is replaced \(its replaceWith names errors, which the update replaces\), and its deployed copy is deleted first \(replaceWith: errors replaced delete-first\), while stage api-stage-prod still serves the deployed copy/),
    ]);
  });

  it("does not find a delete the engine skips for its replaced deletedWith target (none is sent)", () => {
    // Skipped: the target is replaced delete-first, or the deployment's old copy is deleted at the end with it (step.go isDeletedWith).
    expect(problem({ deletedWith: topic.urn }, false)).toEqual([]);
    expect(problem({ deletedWith: topic.urn }, true)).toEqual([]);
  });
});

describe("TransitionStatefulReplaced: a kept resource replaced delete-first whose deletedWith target the update removes", () => {
  // The engine deletes the table's old copy when it registers (its delete-before-replace branch, a step of its own),
  // before GenerateDeletes marks the removed target deleted: the delete is sent, not skipped (pulumi step.go
  // DeleteStep.Apply, isDeletedWith reads the marks when it runs). Replaced create-first, the old copy is a pending
  // delete that GenerateDeletes marks with the target before any delete runs: skipped.
  const TABLE = "aws:dynamodb/table:Table";
  const marker = handBuilt("aws:sns/topic:Topic", "marker", {});
  const table = (hashKey: string, more: Partial<RecordedResource> = {}) =>
    handBuilt(TABLE, "photos", { hashKey, attributes: [{ name: hashKey, type: "S" }], billingMode: "PAY_PER_REQUEST" }, { deletedWith: marker.urn, ...more });
  const problem = (deleteBeforeReplace: boolean) =>
    transition([marker, table("id")], [table("pk", { deleteBeforeReplace, deleteBeforeReplaceDefined: true })]).filter((f) => f.rule === "TransitionStatefulReplaced").map((f) => f.problem);

  it("says the deployed table is deleted with its items first when replaced delete-first, skipped when create-first", () => {
    expect(problem(true)).toEqual([expect.stringMatching(/\. The deployed one is deleted with its items first \(name set by hand, or deleteBeforeReplace\), then the new, empty table is created/)]);
    expect(problem(false)).toEqual([expect.stringMatching(/\. The deployed one's delete is skipped \(deletedWith a resource the update also deletes\): the update succeeds/)]);
  });
});

describe("Dependents deleted early: a replace-forcing input taking its value from a resource replaced delete-first (calculateDependentReplacements)", () => {
  const RULE = "TransitionDeploymentStillServed";
  const METHOD = "aws:apigateway/method:Method";
  const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
  const STAGE = "aws:apigateway/stage:Stage";
  const method = handBuilt(METHOD, "get-items", { restApi: "api-id", resourceId: "items-id", httpMethod: "GET", authorization: "NONE" }, { id: "method-id" });
  // Replaced delete-first: replaceOnChanges on a changed input, and deleteBeforeReplace.
  const methodReplaced = { ...method, inputs: { ...method.inputs, authorization: "AWS_IAM" }, replaceOnChanges: ["authorization"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
  // The deployment's triggers take the method's id (ForceNew, terraform-provider-aws apigateway/deployment.go).
  const deployment = (more: Partial<RecordedResource> = {}) =>
    handBuilt(DEPLOYMENT, "api-deployment", { restApi: "api-id", triggers: { method: "method-id" } }, { id: "dep123", dependencies: [method.urn], propertyDependencies: { triggers: [method.urn] }, ...more });
  // The stage names the deployment by reference (not ForceNew: the engine updates it after the deployment is re-created).
  const stage = handBuilt(STAGE, "api-stage-prod", { restApi: "api-id", stageName: "prod", deployment: "dep123" }, { dependencies: [deployment().urn], propertyDependencies: { deployment: [deployment().urn] } });
  const found = (before: RecordedResource[], after: RecordedResource[]) => transition(before, after).filter((f) => f.rule === RULE);

  it("finds a deployment whose triggers take a method's output, the method replaced delete-first: the engine deletes the deployment first, while the stage serves it", () => {
    const findings = found([method, deployment(), stage], [methodReplaced, deployment(), stage]);
    expect(findings.map((f) => f.resource)).toEqual([`${DEPLOYMENT} api-deployment`]);
    expect(findings[0].problem).toMatch(
      /^is replaced \(re-created after the engine deletes it early, in a delete-before-replace branch\), and its deployed copy is deleted first \(its replace-forcing triggers from get-items \(replaced delete-first: the engine deletes the resources whose replace-forcing input takes its value first, pulumi step_generator.go calculateDependentReplacements\)\), while stage api-stage-prod still serves it/,
    );
    expect(findings[0].fix).toMatch(/^keep the outputs of the resources replaced delete-first out of the deployment's replace-forcing inputs \(triggers from get-items; order it after them with dependsOn instead\)/);
  });

  it("passes it when the method is replaced create-first, the triggers do not take its output, or ignoreChanges holds them", () => {
    const createFirst = { ...methodReplaced, deleteBeforeReplace: false };
    expect(found([method, deployment(), stage], [createFirst, deployment(), stage])).toEqual([]);
    const written = deployment({ propertyDependencies: {} });
    expect(found([method, written, stage], [methodReplaced, written, stage])).toEqual([]);
    const ignored = deployment({ ignoreChanges: ["triggers"] });
    expect(found([method, ignored, stage], [methodReplaced, ignored, stage])).toEqual([]);
  });
});

describe("TransitionStatefulReplaced: a cluster deleted early for a replace-forcing input taking its value from a resource replaced delete-first", () => {
  const RULE = "TransitionStatefulReplaced";
  const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d";
  // A KMS key replaced delete-first: keyUsage is ForceNew (kms/key.go), and the program sets deleteBeforeReplace.
  const key = handBuilt("aws:kms/key:Key", "db-key", { keyUsage: "ENCRYPT_DECRYPT" }, { id: "0a1b2c3d", state: { arn: KEY_ARN }, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
  const keyReplaced = { ...key, inputs: { keyUsage: "SIGN_VERIFY" } };
  const keyCreateFirst = { ...keyReplaced, deleteBeforeReplace: false };
  // The cluster's kmsKeyId (ForceNew, rds/cluster.go) from the key's arn; the mocks give both plans the same ARN.
  const database = (more: Partial<RecordedResource> = {}) =>
    serverlessDatabase({ ...productionInputs, kmsKeyId: KEY_ARN, storageEncrypted: true }).map((r) => (r.type === CLUSTER ? { ...r, dependencies: [key.urn], propertyDependencies: { kmsKeyId: [key.urn] }, ...more } : r));
  const found = (before: RecordedResource[], after: RecordedResource[]) => transition(before, after).filter((f) => f.rule === RULE);

  it("finds the cluster the key's branch deletes first: its data goes with it, though none of its own inputs changed", () => {
    const findings = found([key, ...database()], [keyReplaced, ...database()]);
    expect(findings.map((f) => f.resource)).toEqual([`${CLUSTER} db-cluster`]);
    expect(findings[0].problem).toMatch(
      /^replaces Aurora DB cluster db-cluster: replace-forcing kmsKeyId from db-key \(replaced delete-first: the engine deletes the resources whose replace-forcing input takes its value first, pulumi step_generator.go calculateDependentReplacements\) forces a new cluster \(terraform-provider-aws rds\/cluster.go\)\. The deployed one is deleted first \(the engine deletes it before the resource its replace-forcing input takes its value from, which is replaced delete-first\)/,
    );
  });

  it("passes it when the key is replaced create-first, the kmsKeyId is written out, or ignoreChanges holds it", () => {
    expect(found([key, ...database()], [keyCreateFirst, ...database()])).toEqual([]);
    expect(found([key, ...database({ propertyDependencies: {} })], [keyReplaced, ...database({ propertyDependencies: {} })])).toEqual([]);
    expect(found([key, ...database({ ignoreChanges: ["kmsKeyId"] })], [keyReplaced, ...database({ ignoreChanges: ["kmsKeyId"] })])).toEqual([]);
  });
});

describe("Dependents deleted early under a REST API replaced delete-first, and components (calculateDependentReplacements)", () => {
  const REST_API = "aws:apigateway/restApi:RestApi";
  const AUTHORIZER = "aws:apigateway/authorizer:Authorizer";
  const api = handBuilt(REST_API, "api", { name: "api", description: "v1" }, { id: "a1b2c3d4e5", replaceOnChanges: ["description"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
  const apiReplaced = { ...api, inputs: { ...api.inputs, description: "v2" } };
  // The authorizer's restApi (its only ForceNew input, authorizer.go) takes the API's id, and its name is set by hand.
  const authorizer = handBuilt(AUTHORIZER, "api-authorizer", { restApi: "a1b2c3d4e5", name: "cognito", type: "COGNITO_USER_POOLS", providerArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"] }, { dependencies: [api.urn], propertyDependencies: { restApi: [api.urn] } });

  it("passes an authorizer the API's branch deletes first: its new copy is in the new API (CreateRestApi draws a new id), so its name is free there", () => {
    // The mocked plans give both APIs one id; the engine deletes the authorizer in the API's branch and re-creates it.
    expect(planUpdate([api, authorizer], [apiReplaced, authorizer]).order.early.has(authorizer.urn)).toBe(true);
    expect(transition([api, authorizer], [apiReplaced, authorizer]).map((f) => [f.rule, f.resource])).toEqual([]);
    // Its own delete-first replacement in the same API still meets the name its deployed copy may keep.
    const retyped = { ...authorizer, inputs: { ...authorizer.inputs, type: "TOKEN", authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/fn" }, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
    expect(transition([api, authorizer], [api, retyped]).map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${AUTHORIZER} api-authorizer`]]);
  });

  it("leaves out a component deletedWith a dependent of the branch: requiresReplacement answers false for one that is not custom", () => {
    // A custom resource deletedWith the API is deleted in its branch (and joins the replace set).
    const held = handBuilt("aws:sns/topic:Topic", "held", { name: "held" }, { deletedWith: api.urn });
    // A component deletedWith that one: calculateDependentReplacements does not replace it ("Neither component nor
    // external resources require replacement"), and findDependentCascadeReplacements takes only what names the API itself.
    const component = { ...handBuilt("fixture:index:Holder", "holder", {}, { deletedWith: held.urn }), custom: false, id: undefined };
    const early = planUpdate([api, held, component], [apiReplaced, held, component]).order.early;
    expect([early.has(held.urn), early.has(component.urn)]).toEqual([true, false]);
  });
});

describe("TransitionRdsClusterNameReused and TransitionHostedUiDomainGap read planUpdate's replaced (order.early too)", () => {
  const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d";
  const key = handBuilt("aws:kms/key:Key", "db-key", { keyUsage: "ENCRYPT_DECRYPT" }, { id: "0a1b2c3d", state: { arn: KEY_ARN }, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
  const keyReplaced = { ...key, inputs: { keyUsage: "SIGN_VERIFY" } };

  it("finds the final snapshot name of a cluster deleted early for its kmsKeyId (re-created with the same name), none of its own inputs changed", () => {
    const database = serverlessDatabase({ ...productionInputs, clusterIdentifier: "db-cluster-1a2b3c4", kmsKeyId: KEY_ARN, storageEncrypted: true }).map((r) =>
      r.type === CLUSTER ? { ...r, dependencies: [key.urn], propertyDependencies: { kmsKeyId: [key.urn] } } : r,
    );
    const findings = transition([key, ...database], [keyReplaced, ...database]).filter((f) => f.rule === "TransitionRdsClusterNameReused");
    // Deleted first, the identifier is free; the final snapshot its old self writes is the new cluster's own delete's to meet.
    expect(findings.map((f) => f.problem)).toEqual([
      expect.stringMatching(/^is deleted first and re-created \(its replace-forcing kmsKeyId from db-key \(replaced delete-first: .*\)\) with the same finalSnapshotIdentifier "db-cluster-final-1a2b3c4": deleting the old cluster writes that snapshot/),
    ]);
  });

  it("finds a custom domain replaced delete-first beside a prefix domain that its pool's delete-first branch deletes too", () => {
    const POOL = "aws:cognito/userPool:UserPool";
    const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
    const pool = handBuilt(POOL, "pool", { name: "pool", description: "v1" }, { id: "us-east-1_AbCdEf123", replaceOnChanges: ["description"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    const poolReplaced = { ...pool, inputs: { ...pool.inputs, description: "v2" } };
    const onPool = (name: string, domain: string, more: Partial<RecordedResource> = {}) =>
      handBuilt(DOMAIN, name, { domain, userPoolId: "us-east-1_AbCdEf123" }, { dependencies: [pool.urn], propertyDependencies: { userPoolId: [pool.urn] }, ...more });
    const prefix = onPool("prefix", "gallery-auth");
    const custom = onPool("custom", "auth.gallery.example.com", { deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    const renamed = { ...custom, inputs: { ...custom.inputs, domain: "login.gallery.example.com" } };
    const gaps = (before: RecordedResource[], after: RecordedResource[]) => transition(before, after).filter((f) => f.rule === "TransitionHostedUiDomainGap").map((f) => f.resource);
    // The prefix stays (the pool kept): sign-in stays up on it.
    expect(gaps([pool, prefix, custom], [pool, prefix, renamed])).toEqual([]);
    // The pool replaced delete-first: its branch deletes the prefix domain too (userPoolId is ForceNew), so nothing serves.
    expect(gaps([pool, prefix, custom], [poolReplaced, prefix, renamed])).toContain(`${DOMAIN} custom`);
    // A prefix domain whose deployed deletedWith names a topic replaced delete-first, moved off it and registered before
    // it: the topic's branch deletes it after the engine kept it, and nothing re-creates it (order.deletedAfterKept), so
    // it does not serve beside the custom domain either.
    const topic = handBuilt("aws:sns/topic:Topic", "held-by", { name: "held-by", description: "v1" }, { replaceOnChanges: ["description"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    const topicReplaced = { ...topic, inputs: { ...topic.inputs, description: "v2" } };
    const prefixHeld = { ...prefix, deletedWith: topic.urn };
    expect(gaps([pool, prefixHeld, custom, topic], [pool, prefix, renamed, topicReplaced])).toContain(`${DOMAIN} custom`);
  });
});

describe("calculateDependentReplacements leaves out what the program registered before the branch's resource (impossibleDependents): a child registers after what its parent waits for", () => {
  const BUCKET = "aws:s3/bucket:Bucket";
  const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
  // A bucket named by hand: the bridge replaces it delete-first; the policy takes `bucket` (ForceNew) from its output.
  const site = (inputs: Record<string, unknown> = {}) => handBuilt(BUCKET, "site", { bucket: "site-bucket", ...inputs }, { id: "site-bucket" });
  const storage = (dependencies: string[]) => handBuilt("serverless-fullstack:index:Storage", "storage", {}, { custom: false, id: "", dependencies });
  const policy = (more: Partial<RecordedResource> = {}) =>
    handBuilt(BUCKET_POLICY, "site-policy", { bucket: "site-bucket", policy: "{}" }, { dependencies: [site().urn], propertyDependencies: { bucket: [site().urn] }, ...more });
  const early = (after: RecordedResource[]) => planUpdate([site(), policy()], after).order.early.has(policy().urn);

  it("deletes in the bucket's branch a policy registered after the bucket, or listed before it but parented by a component that waits for it", () => {
    const replaced = site({ objectLockEnabled: true });
    expect(early([replaced, policy()])).toBe(true);
    // Listed first and waiting for nothing: the program had registered it when the bucket's diff ran.
    expect(early([storage([]), policy({ parent: storage([]).urn, dependencies: [], propertyDependencies: {} }), replaced])).toBe(false);
    // Its parent waits for the bucket (dependsOn): the SDK sends the policy's registration once the parent's URN resolves, after the bucket's.
    expect(early([storage([replaced.urn]), policy({ parent: storage([]).urn, dependencies: [], propertyDependencies: {} }), replaced])).toBe(true);
  });
});
