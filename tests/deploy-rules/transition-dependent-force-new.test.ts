/**
 * The dependents a delete-before-replace branch deletes first for a replace-forcing input of theirs taking its value from
 * the branch's resource (transition.ts forcedFrom, DEPENDENT_FORCE_NEW; pulumi step_generator.go
 * calculateDependentReplacements): a REST integration's restApi (terraform-provider-aws apigateway/integration.go:
 * ForceNew), a user pool client's userPoolId (cognitoidp/user_pool_client.go: RequiresReplace), a Lambda permission's
 * every argument (lambda/permission.go: no Update).
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { handBuilt } from "./fixture";
import { planUpdate } from "../../testing/deploy-rules";

/** `r` replaced delete-first: replaceOnChanges on a changed description, with deleteBeforeReplace. */
const deleteFirst = (r: RecordedResource): [RecordedResource, RecordedResource] => {
  const old = { ...r, inputs: { ...r.inputs, description: "v1" }, replaceOnChanges: ["description"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
  return [old, { ...old, inputs: { ...old.inputs, description: "v2" } }];
};
/** Whether `dependent` (whose `input` takes `root`'s output) is deleted early when `root` is replaced delete-first. */
const early = (root: RecordedResource, dependent: RecordedResource, input: string, more: Partial<RecordedResource> = {}) => {
  const [old, next] = deleteFirst(root);
  const d = { ...dependent, dependencies: [root.urn], propertyDependencies: { [input]: [root.urn] }, ...more };
  return planUpdate([old, d], [next, d]).order.early.has(d.urn);
};

describe("DEPENDENT_FORCE_NEW: dependents deleted early in a delete-before-replace branch", () => {
  const api = handBuilt("aws:apigateway/restApi:RestApi", "api", { name: "api" }, { id: "a1b2c3d4e5" });
  const integration = handBuilt("aws:apigateway/integration:Integration", "get-photos", { restApi: "a1b2c3d4e5", resourceId: "r1", httpMethod: "GET", type: "AWS_PROXY", uri: "arn:aws:apigateway:us-east-1:lambda:path/fn" });
  const pool = handBuilt("aws:cognito/userPool:UserPool", "pool", { name: "pool" }, { id: "us-east-1_AbCdEf123" });
  const client = handBuilt("aws:cognito/userPoolClient:UserPoolClient", "client", { name: "web", userPoolId: "us-east-1_AbCdEf123" });
  const fn = handBuilt("aws:lambda/function:Function", "fn", { name: "fn" }, { id: "fn" });
  const permission = handBuilt("aws:lambda/permission:Permission", "fn-invoke", { function: "fn", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com" });

  it("deletes first a REST integration whose restApi, a user pool client whose userPoolId, a Lambda permission whose function is the branch's", () => {
    expect(early(api, integration, "restApi")).toBe(true);
    expect(early(pool, client, "userPoolId")).toBe(true);
    expect(early(fn, permission, "function")).toBe(true);
  });

  it("keeps them when the input is not replace-forcing (an integration's uri) or ignoreChanges holds it", () => {
    expect(early(fn, integration, "uri")).toBe(false);
    expect(early(pool, client, "userPoolId", { ignoreChanges: ["userPoolId"] })).toBe(false);
  });
});
