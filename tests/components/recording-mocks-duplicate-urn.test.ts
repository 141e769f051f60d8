/**
 * The recording mocks refuse a second resource with a URN the program already registered, as the Pulumi engine does
 * at preview ("Duplicate resource URN '…'; try giving it a unique name"), so `record()`, the component fuzz and
 * `npm run plan` catch two resources that share a logical name. The engine's URN is stack, project, the parent's whole
 * chain of types (without the root stack's) and the resource's own type, and the name: the parent's name is not in it,
 * so two children of one name under two parents of one type collide too. Each `record()` is one program run: the same
 * component built again in a later record is no duplicate.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { record } from "../harness/mocks";

class Box extends pulumi.ComponentResource {
  constructor(type: string, name: string, build: (parent: pulumi.Resource) => void, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    build(this);
  }
}

const queueUrn = (qualifiedType: string, name: string) => `urn:pulumi:test::serverless-fullstack::${qualifiedType}::${name}`;

describe("recording mocks and duplicate URNs", () => {
  it("refuse a second top-level resource of the same type and name, naming the URN", async () => {
    await expect(
      record(() => {
        new aws.sqs.Queue("twice", {});
        new aws.sqs.Queue("twice", {});
      }),
    ).rejects.toThrow(`Duplicate resource URN '${queueUrn("aws:sqs/queue:Queue", "twice")}'; try giving it a unique name`);
  });

  it("refuse two children of one type and name under two parents of one type: the parent's name is not part of the URN", async () => {
    await expect(
      record(() => {
        new Box("test:index:Box", "first", (parent) => new aws.sqs.Queue("child", {}, { parent }));
        new Box("test:index:Box", "second", (parent) => new aws.sqs.Queue("child", {}, { parent }));
      }),
    ).rejects.toThrow(`Duplicate resource URN '${queueUrn("test:index:Box$aws:sqs/queue:Queue", "child")}'`);
  });

  it("accept one name under parents of different types, and under parents whose type chains differ only higher up", async () => {
    const graph = await record(() => {
      new Box("test:index:Left", "left", (parent) => new aws.sqs.Queue("same", {}, { parent }));
      new Box("test:index:Right", "right", (parent) => new aws.sqs.Queue("same", {}, { parent }));
      new aws.sqs.Queue("same", {});
      // Same type and name for the middle component, different grandparent types: the engine's URNs differ (it writes
      // the whole chain of parent types), though the mock monitor's, which write only the parent's own type, do not.
      new Box("test:index:Left", "outer-left", (outer) => new Box("test:index:Middle", "middle", (middle) => new aws.sqs.Queue("deep", {}, { parent: middle }), { parent: outer }));
      new Box("test:index:Right", "outer-right", (outer) => new Box("test:index:Middle", "middle", (middle) => new aws.sqs.Queue("deep", {}, { parent: middle }), { parent: outer }));
    });
    expect(graph.filter((r) => r.name === "same")).toHaveLength(3);
    expect(graph.filter((r) => r.name === "deep")).toHaveLength(2);
  });

  it("treat each record() as its own program run: the same names recorded again are no duplicates", async () => {
    const build = () => new Box("test:index:Box", "again", (parent) => new aws.sqs.Queue("again-queue", {}, { parent }));
    expect(await record(build)).toHaveLength(2);
    expect(await record(build)).toHaveLength(2);
  });
});
