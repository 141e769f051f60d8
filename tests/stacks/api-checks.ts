/** Shared checks of ServerlessApi's deployment, for the component's fixtures and every stack's graph. */
import { expect } from "vitest";
import { SNAPSHOT_TYPES } from "../../testing/deploy-rules/apigateway";
import { ofType, type RecordedResource } from "../harness/mocks";

/** Every snapshot part of one REST API in a recorded graph. */
export function snapshotParts(graph: readonly RecordedResource[], api: RecordedResource): RecordedResource[] {
  return graph.filter((r) => SNAPSHOT_TYPES.includes(r.type) && (r.inputs.restApi === api.id || r.inputs.restApiId === api.id));
}

/**
 * The API has exactly its expected deployments — one, or while a canary runs two (the stage's frozen one and the
 * canary's) — and each waits for every one of its snapshot parts (their URNs are among its recorded dependencies).
 * A count, not "at least one": a stray deployment (a canary deployment left after promotion, a second snapshot) fails.
 */
export function expectDeploymentAfterEveryPart(graph: readonly RecordedResource[], api: RecordedResource, expected: { canary: boolean }): RecordedResource[] {
  const deployments = ofType(graph, "aws:apigateway/deployment:Deployment").filter((d) => d.inputs.restApi === api.id);
  expect(deployments.map((d) => d.name), `deployments of ${api.name}`).toHaveLength(expected.canary ? 2 : 1);
  const parts = snapshotParts(graph, api);
  for (const deployment of deployments) {
    const missing = parts.filter((part) => !deployment.dependencies.includes(part.urn)).map((part) => `${part.type} ${part.name}`);
    expect(missing, deployment.name).toEqual([]);
  }
  return parts;
}
