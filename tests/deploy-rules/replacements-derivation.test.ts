/**
 * The replacement cascade (withCascadedReplacements) rewrites a longer string around a drawn value only in a resource
 * that derives from the drawing one: its own recorded dependencies, transitively. A parent component's dependsOn orders
 * the child's creation (dependencyClosure follows ancestors for ordering) but hands the child no value, so a child's
 * literal that happens to hold the value is left alone, as an unrelated resource's is (review 119 #3).
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { dependencyClosure } from "../../local/offline/graph";
import { withCascadedReplacements } from "../../testing/deploy-rules/replacements";
import { handBuilt } from "./fixture";

const RANDOM = "random:index/randomString:RandomString";
const BUCKET = "aws:s3/bucketV2:BucketV2";
const COMPONENT = "serverless-fullstack:index:Probe";

describe("the replacement cascade's derivation: own dependencies, not a parent's dependsOn", () => {
  const suffix = handBuilt(RANDOM, "sfx", { length: 10 }, { state: { result: "qwertyuiop" } });
  // A component given dependsOn: [suffix] (recorded as its dependencies); it sends no props, so nothing else is recorded.
  const component = handBuilt(COMPONENT, "c", {}, { custom: false, id: undefined, state: {}, dependencies: [suffix.urn] });
  const child = handBuilt(BUCKET, "b", { bucket: "logs-qwertyuiop-archive" }, { parent: component.urn });
  const other = handBuilt(BUCKET, "o", { bucket: "logs-qwertyuiop-archive" });
  // Interpolated from the suffix: `logs-${suffix.result}-archive`, so it records the suffix as a dependency.
  const derived = handBuilt(BUCKET, "d", { bucket: "logs-qwertyuiop-archive" }, { parent: component.urn, dependencies: [suffix.urn] });
  const deployed: RecordedResource[] = [suffix, component, child, other, derived];

  it("orders the child after the component's dependsOn, but derives its values only from its own dependencies", () => {
    expect(dependencyClosure(deployed, child).has(suffix.urn)).toBe(true);
    expect(dependencyClosure(deployed, child, { ancestors: false }).has(suffix.urn)).toBe(false);
    expect(dependencyClosure(deployed, derived, { ancestors: false }).has(suffix.urn)).toBe(true);
  });

  it("leaves a child's literal holding a replaced RandomString's result alone when only its parent depends on the RandomString, and rewrites it in a dependent", () => {
    const { after } = withCascadedReplacements(deployed, deployed.map((r) => ({ ...r })), (_kind, old) => old.urn === suffix.urn);
    const bucketOf = (name: string) => after.find((r) => r.name === name)!.inputs.bucket;
    expect(after.find((r) => r.name === "sfx")!.state.result).toBe("<new qwertyuiop>");
    expect(bucketOf("b")).toBe("logs-qwertyuiop-archive");
    expect(bucketOf("o")).toBe("logs-qwertyuiop-archive");
    expect(bucketOf("d")).toBe("logs-<new qwertyuiop>-archive");
  });
});
