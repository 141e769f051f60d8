/**
 * snapshot.ts withoutPropertyDependencies against @pulumi/pulumi's Output: it builds its Output with the SDK's
 * internal constructor (resources, promise, isKnown, isSecret, allResources), as pulumi.secret does (output.js), so
 * these pin what it relies on: the value, its secrecy and its unknownness kept, and no resource named, synchronously
 * (resources()) or not (allResources()). An SDK upgrade that changed the constructor fails here, not at deploy.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { inputsDigest, withoutPropertyDependencies } from "../../components/serverless-api/snapshot";
import { useMocks } from "../harness/mocks";

type Held = { resources(): Set<pulumi.Resource>; allResources(): Promise<Set<pulumi.Resource>>; isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(withUnknowns?: boolean): Promise<unknown> };
const held = (o: pulumi.Output<unknown>) => o as unknown as Held;

beforeAll(() => useMocks());

describe("withoutPropertyDependencies", () => {
  it("keeps the value and its secrecy, and names no resource of those the digest was made from", async () => {
    const topic = new aws.sns.Topic("digest-part", {});
    const digest = inputsDigest([topic.arn, pulumi.secret("key")]);
    expect([...(await held(digest).allResources())]).toContain(topic);
    const detached = held(withoutPropertyDependencies(digest));
    expect(await detached.promise()).toBe(await held(digest).promise());
    expect(await detached.isSecret).toBe(true);
    expect(await detached.isKnown).toBe(true);
    expect(detached.resources().size).toBe(0);
    expect((await detached.allResources()).size).toBe(0);
  });

  it("keeps an unknown value unknown (a preview), and a plain one plain", async () => {
    const unknown = held(withoutPropertyDependencies(pulumi.output(pulumi.unknown as unknown as string)));
    expect(await unknown.isKnown).toBe(false);
    const plain = held(withoutPropertyDependencies(pulumi.output("x")));
    expect([await plain.promise(), await plain.isKnown, await plain.isSecret]).toEqual(["x", true, false]);
  });
});
