/**
 * A key policy the plan does not hold readably: text that is not JSON, or Pulumi's unknown marker (an Output not known
 * yet, as a preview records it). keyPolicyMissing judges neither, so the rules over a key's policy
 * (StatesLogDeliveryKey here; the CloudWatch and EventBridge key rules read it too) report nothing on it, and the rule run
 * does not throw (which would lose every other rule's findings for the stack).
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Workflow } from "../../components/workflow";
import { record } from "../../testing/harness";
import { checkDeployRules, STATES_LOG_DELIVERY_KEY } from "../../testing/deploy-rules";
import { devContext, handBuilt, once } from "./fixture";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN = `arn:aws:kms:us-east-1:123456789012:key/${KEY_ID}`;
const workflow = once(() => record(() => new Workflow("sfk", { definition: { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } }, kmsKeyId: KEY_ARN })));
const keyed = async (policy: unknown) => [...(await workflow()), handBuilt("aws:kms/key:Key", "sfk-key", { description: "sfk workflow data", policy }, { id: KEY_ID, state: { arn: KEY_ARN, keyId: KEY_ID } })];
const logDelivery = (findings: { rule: string }[]) => findings.filter((f) => f.rule === STATES_LOG_DELIVERY_KEY.id);

describe("StatesLogDeliveryKey on a key policy the plan cannot read", () => {
  it("reports nothing on a policy that is Pulumi's unknown marker, and still reports a known policy that lacks the grant", async () => {
    expect(logDelivery(checkDeployRules(await keyed(pulumi.unknown), devContext))).toEqual([]);
    const known = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] });
    expect(logDelivery(checkDeployRules(await keyed(known), devContext))).toHaveLength(1);
  });

  it("reports nothing on a policy that is not JSON, and the rule run does not throw", async () => {
    const graph = await keyed("{ not JSON");
    expect(() => checkDeployRules(graph, devContext)).not.toThrow();
    expect(logDelivery(checkDeployRules(graph, devContext))).toEqual([]);
  });
});
