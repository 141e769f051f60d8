/**
 * TransitionUserPoolSchemaChanged (review 94, finding 8): a kept user pool's `schemas` entry changed or removed. The
 * provider adds attributes to a live pool (AddCustomAttributes) and refuses anything else ("cannot modify or remove
 * schema items"), while the plan shows an ordinary in-place update: the second `pulumi up` fails at the pool.
 */
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { record as recordProgram } from "../../testing/harness";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { handBuilt, onceEach, saved, transition } from "./fixture";

const USER_POOL = "aws:cognito/userPool:UserPool";
/** UserAuth's own entry, as user-pool.ts writes it. */
const EMAIL = { name: "email", attributeDataType: "String", required: true, mutable: true, stringAttributeConstraints: { minLength: "0", maxLength: "2048" } };
const PLAN = { name: "plan", attributeDataType: "String", mutable: true, stringAttributeConstraints: { maxLength: "32" } };

/**
 * A UserAuth whose pool carries `schemas` (as a later UserAuth release, or a transformation, would), or its own.
 * Each arrangement recorded once for the file (issue 15): the rules never change a recording.
 */
const auth = onceEach((schemas?: unknown[], usernameAttributes?: Array<"email" | "phone_number">) => {
  const swap: pulumi.ResourceTransformation = ({ type, props, opts }) => (type === USER_POOL && schemas ? { props: { ...props, schemas }, opts } : undefined);
  return recordProgram(() => new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/"], usernameAttributes }, { transformations: [swap] }));
});
const schemaFindings = (before: Parameters<typeof transition>[0], after: Parameters<typeof transition>[1]) =>
  transition(before, after).filter((f) => f.rule === "TransitionUserPoolSchemaChanged");

describe("TransitionUserPoolSchemaChanged", () => {
  it("pins UserAuth's own schema: an edit of it fails every deployed stack, so it must be deliberate", async () => {
    const pool = (await auth()).find((r) => r.type === USER_POOL)!;
    expect(pool.inputs.schemas).toEqual([EMAIL]);
  });

  it("finds a changed entry of a kept pool, naming the field, from a recording and from a saved plan", async () => {
    const before = await auth();
    const after = await auth([{ ...EMAIL, stringAttributeConstraints: { minLength: "0", maxLength: "256" } }]);
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionUserPoolSchemaChanged", `${USER_POOL} auth-pool`]]);
    expect(findings[0].problem).toMatch(/^changes schemas entry "email" \(stringAttributeConstraints\.maxLength "2048" → "256"\) of user pool auth-pool, which the update keeps\. The provider only adds attributes .*"cannot modify or remove schema items"/);
    expect(findings[0].fix).toMatch(/^keep the deployed entry as it is; add a new custom attribute/);
    // Through the file `npm run plan -- --save` writes (it keeps a pool's schemas).
    expect(transition(saved(before), after).map((f) => f.rule)).toEqual(["TransitionUserPoolSchemaChanged"]);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionUserPoolSchemaChanged")?.source).toMatch(/cognitoidp\/user_pool\.go$/);
  });

  it("finds a removed entry, and mutable made false", async () => {
    expect(schemaFindings(await auth([EMAIL, PLAN]), await auth([EMAIL])).map((f) => f.problem)).toEqual([expect.stringMatching(/^removes schemas entry "plan" of user pool auth-pool/)]);
    expect(schemaFindings(await auth(), await auth([{ ...EMAIL, mutable: false }])).map((f) => f.problem)).toEqual([expect.stringMatching(/^changes schemas entry "email" \(mutable true → false\)/)]);
  });

  it("passes additions, an unchanged schema, and an unset flag that was false (the provider's zero value)", async () => {
    expect(schemaFindings(await auth(), await auth([EMAIL, PLAN]))).toEqual([]);
    expect(transition(await auth(), await auth())).toEqual([]);
    const pool = (schemas: unknown[]) => [handBuilt(USER_POOL, "pool", { name: "pool", schemas })];
    expect(schemaFindings(pool([{ ...PLAN, required: false, developerOnlyAttribute: false }]), pool([PLAN]))).toEqual([]);
  });

  it("leaves a replaced pool to TransitionStatefulReplaced, and a pool that ignores schemas alone", async () => {
    const replaced = transition(await auth(undefined, ["email"]), await auth([{ ...EMAIL, mutable: false }], ["phone_number"])).map((f) => f.rule);
    expect(replaced).toContain("TransitionStatefulReplaced");
    expect(replaced).not.toContain("TransitionUserPoolSchemaChanged");
    const before = [handBuilt(USER_POOL, "pool", { name: "pool", schemas: [EMAIL] })];
    const after = [handBuilt(USER_POOL, "pool", { name: "pool", schemas: [{ ...EMAIL, mutable: false }] }, { ignoreChanges: ["schemas"] })];
    expect(schemaFindings(before, after)).toEqual([]);
    expect(schemaFindings(before, [{ ...after[0], ignoreChanges: [] }])).toHaveLength(1);
  });
});
