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
import type { RecordedResource } from "../../local/offline/graph";
import { handBuilt, transition } from "./fixture";
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
