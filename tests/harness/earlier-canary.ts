/**
 * ServerlessApi's canary as the version before `<name>-canary-deployment` recorded it: one deployment, with the newest
 * snapshot, for stage and canary, retained (retainOnDelete) while a canary runs. Tests of the canary release
 * (tests/components/serverless-api-canary-release.test.ts) and of the second-deploy check
 * (tests/deploy-rules/transition.test.ts) replay an upgrade from it.
 */
import type { RecordedResource } from "../../local/offline/mocks";

export function asEarlierCanaryVersion(graph: RecordedResource[], api: string): RecordedResource[] {
  const stable = graph.find((r) => r.name === `${api}-deployment`)!;
  const canary = graph.find((r) => r.name === `${api}-canary-deployment`);
  if (!canary) return graph;
  return graph
    .filter((r) => r !== canary)
    .map((r) => {
      if (r === stable) return { ...r, inputs: canary.inputs, ignoreChanges: [], retainOnDelete: true };
      if (r.type === "aws:apigateway/stage:Stage" && r.inputs.canarySettings) return { ...r, inputs: { ...r.inputs, canarySettings: { ...r.inputs.canarySettings, deploymentId: stable.id } } };
      return r;
    });
}
