/**
 * Workflow's state machine waits long enough for DeleteStateMachine (asynchronous: the machine stays DELETING until its
 * executions reach their next transition) on a destroy or a replacing update: a delete timeout of its own over the
 * provider's 5-minute default, under the caller's own customTimeouts and transformations.
 */
import type * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { STATES_DELETE_TIMEOUT, stateMachineTimeouts, Workflow } from "../../components/workflow";
import { record, useMocks } from "../harness/mocks";

const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const definition = { StartAt: "Done", States: { Done: { Type: "Succeed" as const } } };

beforeAll(() => useMocks());

/** The options each of the Workflow's resources is registered with, as a transformation of the caller's sees them. */
async function optionsOf(name: string, opts: pulumi.ComponentResourceOptions = {}, after?: pulumi.ResourceTransformation): Promise<Map<string, pulumi.CustomResourceOptions>> {
  const seen = new Map<string, pulumi.CustomResourceOptions>();
  const watch: pulumi.ResourceTransformation = ({ type, opts: given }) => {
    seen.set(type, given);
    return undefined;
  };
  await record(() => new Workflow(name, { definition }, { ...opts, transformations: [...(opts.transformations ?? []), ...(after ? [after] : []), watch] }));
  return seen;
}

describe("Workflow delete timeout", () => {
  it("gives its state machine a 30-minute delete timeout over the provider's 5 minutes, and no other resource one", async () => {
    const seen = await optionsOf("waits");
    expect(STATES_DELETE_TIMEOUT).toBe("30m");
    expect(seen.get(STATE_MACHINE)?.customTimeouts).toEqual({ delete: "30m" });
    expect(seen.get("aws:iam/role:Role")?.customTimeouts).toBeUndefined();
  });

  it("takes the caller's customTimeouts given to the Workflow for its state machine, field by field over the default", async () => {
    expect((await optionsOf("longer", { customTimeouts: { delete: "2h" } })).get(STATE_MACHINE)?.customTimeouts).toEqual({ delete: "2h" });
    expect((await optionsOf("create", { customTimeouts: { create: "10m" } })).get(STATE_MACHINE)?.customTimeouts).toEqual({ delete: "30m", create: "10m" });
    expect(stateMachineTimeouts({ delete: "", update: undefined })).toEqual({ delete: "30m" });
  });

  it("leaves the last word to the caller's transformation", async () => {
    const shorter: pulumi.ResourceTransformation = ({ type, props, opts }) => (type === STATE_MACHINE ? { props, opts: { ...opts, customTimeouts: { delete: "10m" } } } : undefined);
    expect((await optionsOf("transformed", {}, shorter)).get(STATE_MACHINE)?.customTimeouts).toEqual({ delete: "10m" });
  });
});
