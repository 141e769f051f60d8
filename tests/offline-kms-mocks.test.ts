/**
 * The offline mocks' KMS keys and aliases (local/offline/mocks.ts), as KMS reports them: a key's id and keyId a key ID
 * (a UUID; `mrk-` and 32 hex digits for a multi-Region key), its ARN `arn:aws:kms:<region>:<account>:key/<key id>`, a
 * replica the key ID of its primary under its own region's ARN, an alias `arn:aws:kms:<region>:<account>:alias/<name>`
 * with the key ARN of its target. So a program passing `key.arn` where a key's ARN is wanted (Workflow's kmsKeyId)
 * plans, and the deploy rules over a key of the plan (StatesLogDeliveryKey) read the program as written.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { Workflow } from "../components/workflow";
import { checkDeployRules, STATES_LOG_DELIVERY_KEY } from "../testing/deploy-rules";
import { devContext } from "./deploy-rules/fixture";
import { record, resource } from "./harness/mocks";

const KEY = "aws:kms/key:Key";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MRK = /^mrk-[0-9a-f]{32}$/;
const ADMIN = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" };
const DELIVERY = { Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "kms:Decrypt*", Resource: "*" };
const PASS = { StartAt: "Done", States: { Done: { Type: "Pass" as const, End: true } } };

/** A key whose policy has `statements`, and a Workflow (logging at ERROR, its default) encrypted with `key.arn`. */
const keyedWorkflow = (statements: object[]) =>
  record(() => {
    const key = new aws.kms.Key("wf-key", { description: "wf data", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
    new Workflow("wf", { definition: PASS, kmsKeyId: key.arn });
  });

describe("a program with a KMS key and a Workflow under key.arn", () => {
  it("plans: the state machine is encrypted with the key's ARN, arn:aws:kms:<region>:<account>:key/<key id>", async () => {
    const graph = await keyedWorkflow([ADMIN, DELIVERY]);
    const key = resource(graph, KEY, "wf-key");
    expect(key.id).toMatch(UUID);
    expect(key.state.keyId).toBe(key.id);
    expect(key.state.arn).toBe(`arn:aws:kms:us-east-1:123456789012:key/${key.id}`);
    expect(resource(graph, "aws:sfn/stateMachine:StateMachine", "wf-state-machine").inputs.encryptionConfiguration).toMatchObject({ type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: key.state.arn });
  });

  it("is read by StatesLogDeliveryKey: reported when the key's policy leaves the log delivery out, not when it allows it", async () => {
    const ofRule = (findings: { rule: string }[]) => findings.filter((f) => f.rule === STATES_LOG_DELIVERY_KEY.id);
    expect(ofRule(checkDeployRules(await keyedWorkflow([ADMIN]), devContext))).toEqual([expect.objectContaining({ resource: "aws:sfn/stateMachine:StateMachine wf-state-machine" })]);
    expect(ofRule(checkDeployRules(await keyedWorkflow([ADMIN, DELIVERY]), devContext))).toEqual([]);
  });
});

describe("recording mocks for KMS", () => {
  it("give each key a key ID of its own, the same in every run; a multi-Region key's begins with mrk-", async () => {
    const build = () =>
      record(() => {
        new aws.kms.Key("one");
        new aws.kms.Key("two");
        new aws.kms.Key("global", { multiRegion: true });
        new aws.kms.ExternalKey("imported");
        new aws.kms.ExternalKey("imported-global", { multiRegion: true });
      });
    const graph = await build();
    const id = (type: string, name: string) => resource(graph, type, name).id;
    expect(id(KEY, "one")).toMatch(UUID);
    expect(id(KEY, "two")).toMatch(UUID);
    expect(id(KEY, "one")).not.toBe(id(KEY, "two"));
    expect(id(KEY, "global")).toMatch(MRK);
    expect(resource(graph, KEY, "global").state.arn).toBe(`arn:aws:kms:us-east-1:123456789012:key/${id(KEY, "global")}`);
    expect(id("aws:kms/externalKey:ExternalKey", "imported")).toMatch(UUID);
    expect(id("aws:kms/externalKey:ExternalKey", "imported-global")).toMatch(MRK);
    expect(resource(graph, "aws:kms/externalKey:ExternalKey", "imported").state.arn).toBe(`arn:aws:kms:us-east-1:123456789012:key/${id("aws:kms/externalKey:ExternalKey", "imported")}`);
    expect((await build()).map((r) => [r.name, r.id, r.state.arn])).toEqual(graph.map((r) => [r.name, r.id, r.state.arn]));
  });

  it("give a replica key its primary's key ID, under an ARN of the replica's own region", async () => {
    const graph = await record(() => {
      const primary = new aws.kms.Key("primary", { multiRegion: true });
      const west = new aws.Provider("west", { region: "us-west-2" });
      new aws.kms.ReplicaKey("replica", { primaryKeyArn: primary.arn }, { provider: west });
      new aws.kms.ReplicaExternalKey("replica-external", { primaryKeyArn: primary.arn }, { provider: west });
    });
    const keyId = resource(graph, KEY, "primary").id;
    for (const [type, name] of [["aws:kms/replicaKey:ReplicaKey", "replica"], ["aws:kms/replicaExternalKey:ReplicaExternalKey", "replica-external"]]) {
      const replica = resource(graph, type, name);
      expect(replica.id).toBe(keyId);
      expect(replica.state.keyId).toBe(keyId);
      expect(replica.state.arn).toBe(`arn:aws:kms:us-west-2:123456789012:key/${keyId}`);
    }
  });

  it("give an alias the ARN of its name, its target's key ARN whether it names the key by key ID or by ARN, and alias/ to an unnamed one", async () => {
    const graph = await record(() => {
      const key = new aws.kms.Key("aliased");
      new aws.kms.Alias("by-id", { name: "alias/by-id", targetKeyId: key.keyId });
      new aws.kms.Alias("by-arn", { name: "alias/by-arn", targetKeyId: key.arn });
      new aws.kms.Alias("unnamed", { targetKeyId: key.keyId });
      new aws.kms.Alias("prefixed", { namePrefix: "alias/app-", targetKeyId: key.keyId });
    });
    const key = resource(graph, KEY, "aliased");
    const alias = (name: string) => resource(graph, "aws:kms/alias:Alias", name);
    for (const name of ["by-id", "by-arn"]) {
      expect(alias(name).id).toBe(`alias/${name}`);
      expect(alias(name).state.arn).toBe(`arn:aws:kms:us-east-1:123456789012:alias/${name}`);
      expect(alias(name).state.targetKeyArn).toBe(key.state.arn);
    }
    expect(alias("unnamed").state.name).toMatch(/^alias\/\d{18}[0-9a-f]{8}$/);
    expect(alias("unnamed").state.arn).toBe(`arn:aws:kms:us-east-1:123456789012:${alias("unnamed").state.name}`);
    expect(alias("prefixed").state.name).toMatch(/^alias\/app-\d{18}[0-9a-f]{8}$/);
  });
});
