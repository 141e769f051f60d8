/**
 * What `pulumi up` does to a REST API's deployments and the stages that serve them, when a stack deployed with one
 * recorded program is updated to the next: a model of the engine and of terraform-provider-aws, kept to what the
 * canary release depends on, so tests can walk a release (no canary → canary → more changes → promotion) and see
 * every DeleteDeployment API Gateway would refuse.
 *
 * - A deployment's `triggers` are ForceNew (terraform-provider-aws internal/service/apigateway/deployment.go,
 *   `names.AttrTriggers: { ..., ForceNew: true }`), so a changed digest replaces it, create-first; `ignoreChanges`
 *   keeps the deployed value (pulumi pkg/resource/deploy/step_generator.go `processIgnoreChanges`).
 * - The old copy of a replaced resource, and a resource gone from the program, are deleted after every create and
 *   update (step_generator.go: the delete step "is generated "later" on, after all creates/updates finish"), with the
 *   DEPLOYED `retainOnDelete` (pkg/resource/deploy/step.go `DeleteStep.Apply`: `} else if s.old.RetainOnDelete {`).
 *   A delete that fails stays pending and is retried at the end of every later update (`GenerateDeletes`).
 * - A stage is updated in place with one UpdateStage (stage.go `resourceStageUpdate`): its `deploymentId` unless
 *   `ignoreChanges` holds `deployment`, and its canary's `deploymentId` (or `remove /canarySettings`).
 * - DeleteDeployment of a deployment a stage (or a stage's canary) still serves is refused: "Active stages pointing to
 *   this deployment must be moved or deleted" (https://github.com/pulumi/pulumi-aws/issues/5711); the provider's one
 *   retry, for the canary case, deletes the deployment's own `stage_name`, which ServerlessApi leaves empty
 *   (deployment.go `resourceDeploymentDelete`).
 */
import type { RecordedResource } from "../../local/offline/mocks";

const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
const STAGE = "aws:apigateway/stage:Stage";

/** One deployment in API Gateway: the resource that created it and the snapshot (its trigger digest). */
export interface DeploymentCopy {
  serial: number;
  resource: string;
  snapshot: string;
}

export interface StageState {
  deployment: DeploymentCopy;
  canary?: DeploymentCopy;
}

export interface ApiState {
  /** Each deployment resource of the stack's state: its copy, its triggers and options as last registered. */
  deployments: Map<string, { copy: DeploymentCopy; snapshot: string; retainOnDelete: boolean }>;
  /** Deletes that failed and that the engine retries at the end of the next update. */
  pendingDeletes: DeploymentCopy[];
  /** Deployments that exist in API Gateway. */
  live: DeploymentCopy[];
  /** Stages by stage name. */
  stages: Map<string, StageState>;
}

export interface UpdateResult {
  state: ApiState;
  /** What the update did to deployments, in order: `create api-deployment`, `delete api-deployment`. */
  steps: string[];
  /** The DeleteDeployment calls API Gateway refuses; a non-empty list fails `pulumi up`. */
  refused: string[];
}

const snapshotOf = (deployment: RecordedResource) => JSON.stringify(deployment.inputs.triggers ?? {});

export function emptyApiState(): ApiState {
  return { deployments: new Map(), pendingDeletes: [], live: [], stages: new Map() };
}

/** `pulumi up` of `program` (a recorded update) on a stack in `deployed` state. */
export function applyUpdate(deployed: ApiState, program: readonly RecordedResource[]): UpdateResult {
  let serial = Math.max(0, ...deployed.live.map((c) => c.serial), ...deployed.pendingDeletes.map((c) => c.serial));
  const steps: string[] = [];
  const live = [...deployed.live];
  const deployments: ApiState["deployments"] = new Map();
  const deletes: Array<{ copy: DeploymentCopy; retainOnDelete: boolean }> = deployed.pendingDeletes.map((copy) => ({ copy, retainOnDelete: false }));

  // Creates and replacements, in program order (each after the parts it depends on).
  const copyByUrn = new Map<string, DeploymentCopy>();
  for (const d of program.filter((r) => r.type === DEPLOYMENT)) {
    const old = deployed.deployments.get(d.urn);
    const snapshot = old && d.ignoreChanges?.includes("triggers") ? old.snapshot : snapshotOf(d);
    let copy = old?.copy;
    if (!old || old.snapshot !== snapshot) {
      copy = { serial: ++serial, resource: d.name, snapshot };
      live.push(copy);
      steps.push(`${old ? "replace" : "create"} ${d.name}`);
      if (old) deletes.push({ copy: old.copy, retainOnDelete: old.retainOnDelete });
    }
    deployments.set(d.urn, { copy: copy!, snapshot, retainOnDelete: d.retainOnDelete });
    copyByUrn.set(d.urn, copy!);
  }
  for (const [urn, old] of deployed.deployments) if (!deployments.has(urn)) deletes.push({ copy: old.copy, retainOnDelete: old.retainOnDelete });

  // Stage updates, after the deployments they name.
  const byId = new Map(program.filter((r) => r.type === DEPLOYMENT).map((d) => [d.id, copyByUrn.get(d.urn)!]));
  const stages = new Map<string, StageState>();
  for (const s of program.filter((r) => r.type === STAGE)) {
    const old = deployed.stages.get(s.inputs.stageName);
    const named = byId.get(s.inputs.deployment);
    if (!named) throw new Error(`stage ${s.name} names a deployment the program does not have`);
    const deployment = old && s.ignoreChanges?.includes("deployment") ? old.deployment : named;
    const canaryId = s.inputs.canarySettings?.deploymentId;
    stages.set(s.inputs.stageName, { deployment, canary: canaryId === undefined ? undefined : byId.get(canaryId) });
  }

  // Deletes at the end: stages gone from the program first (they depend on deployments), then deployments.
  const refused: string[] = [];
  const pendingDeletes: DeploymentCopy[] = [];
  for (const { copy, retainOnDelete } of deletes) {
    steps.push(`${retainOnDelete ? "retain" : "delete"} ${copy.resource}`);
    if (retainOnDelete) continue;
    const users = [...stages].filter(([, s]) => s.deployment === copy || s.canary === copy).map(([name]) => name);
    if (users.length > 0) {
      refused.push(`DeleteDeployment of ${copy.resource} #${copy.serial}: Active stages pointing to this deployment must be moved or deleted (stage ${users.join(", ")})`);
      pendingDeletes.push(copy);
      continue;
    }
    live.splice(live.indexOf(copy), 1);
  }
  return { state: { deployments, pendingDeletes, live, stages }, steps, refused };
}
