/** urnType and urnName, the one readers of a URN's type and name parts (graph.ts). */
import { describe, expect, it } from "vitest";
import { urnName, urnType } from "../../local/offline/graph";

describe("urnType", () => {
  const child = "urn:pulumi:dev::gallery::pulumi:pulumi:Stack$serverless-fullstack:index:Topic$aws:sns/topicSubscription:TopicSubscription::photos-sub::a";
  it("reads the own type after the parents' ($), or the whole chain, and leaves the name (which may hold ::) alone", () => {
    expect(urnType(child)).toBe("aws:sns/topicSubscription:TopicSubscription");
    expect(urnType(child, { qualified: true })).toBe("pulumi:pulumi:Stack$serverless-fullstack:index:Topic$aws:sns/topicSubscription:TopicSubscription");
    expect(urnType("urn:pulumi:dev::gallery::aws:s3/bucket:Bucket::photos")).toBe("aws:s3/bucket:Bucket");
    expect(urnType("urn:pulumi:dev::gallery::aws:s3/bucket:Bucket::photos", { qualified: true })).toBe("aws:s3/bucket:Bucket");
  });
  it("answers \"\" for a string that is no URN", () => {
    expect(urnType("")).toBe("");
    expect(urnType("not-a-urn", { qualified: true })).toBe("");
  });
});

describe("urnName", () => {
  it("reads the name after the type chain, whole when it holds ::", () => {
    expect(urnName("urn:pulumi:dev::gallery::pulumi:pulumi:Stack$aws:s3/bucket:Bucket::photos")).toBe("photos");
    expect(urnName("urn:pulumi:dev::gallery::aws:s3/bucket:Bucket::photos::a")).toBe("photos::a");
  });
  it("answers \"\" for a string that is no URN", () => {
    expect(urnName("")).toBe("");
    expect(urnName("not-a-urn")).toBe("");
  });
});
