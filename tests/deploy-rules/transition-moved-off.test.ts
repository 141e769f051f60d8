/**
 * TransitionMovedOffDeleteFirstTarget (transition-moved-off.ts): a resource moved off its deletedWith or replaceWith
 * target in the update that replaces that target delete-first. The engine's delete-before-replace branch reads the
 * deployed options too (pulumi step_generator.go findDependentCascadeReplacements ranges over `sg.deployment.olds`),
 * so it deletes the moved-off resource's deployed copy anyway (its Delete skipped for a deployedWith target) and
 * re-creates it. The fixture is the user-auth pattern: an identity pool deletedWith its user pool while the pool was
 * retained (components/user-auth/identity-pool.ts), moved off when retainOnDelete goes, in the update that changes the
 * pool's sign-in options (ForceNew) with deleteBeforeReplace.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { handBuilt, saved, transition } from "./fixture";
import { planUpdate } from "../../testing/deploy-rules";

const RULE = "TransitionMovedOffDeleteFirstTarget";
const pool = (aliasAttributes: string[], more: Partial<RecordedResource> = {}) => handBuilt("aws:cognito/userPool:UserPool", "users", { name: "users-1a2b3c4", aliasAttributes }, more);
const identities = (more: Partial<RecordedResource> = {}) => handBuilt("aws:cognito/identityPool:IdentityPool", "identities", { identityPoolName: "identities", allowUnauthenticatedIdentities: false }, more);
const deployedPool = pool(["email"]);
/** The pool as the next program gives it: sign-in options changed (ForceNew), replaced delete-first or create-first. */
const nextPool = (deleteFirst: boolean) => pool(["phone_number"], { deleteBeforeReplace: deleteFirst, deleteBeforeReplaceDefined: true });
const found = (before: RecordedResource[], after: RecordedResource[]) => transition(before, after).filter((f) => f.rule === RULE);

describe("TransitionMovedOffDeleteFirstTarget", () => {
  it("finds an identity pool moved off the user pool (deletedWith dropped) that the update replaces delete-first: its deployed copy's delete is skipped and it is created anew", () => {
    const before = [deployedPool, identities({ deletedWith: deployedPool.urn })];
    for (const plan of [before, saved(before)]) {
      const [f, ...rest] = found(plan, [nextPool(true), identities()]);
      expect(rest).toEqual([]);
      expect(f.resource).toBe("aws:cognito/identityPool:IdentityPool identities");
      expect(f.problem).toMatch(/^is moved off users \(deployed with deletedWith: users; the program now gives no deletedWith\) in the update that replaces users delete-first \(its deleteBeforeReplace\)\. /);
      expect(f.problem).toMatch(/so it skips its Delete, users being marked deleted .*, then creates it anew when the program registers it \("Case 1: recreating"\): a replacement the program does not ask for, and unless the delete of users took the deployed copy, a second one: .*a name drawn by the autonamer is drawn anew and the deployed one stays in the account outside the stack, and a name the program sets is asked for while the deployed copy holds it/);
      expect(f.fix).toMatch(/^move identities off users in an update of its own before the one that replaces users/);
    }
  });

  it("finds a resource whose deployed replaceWith named the target: the branch deletes it (Delete sent) and re-creates it", () => {
    const [f] = found([deployedPool, identities({ replaceWith: [deployedPool.urn] })], [nextPool(true), identities()]);
    expect(f.problem).toMatch(/\(deployed with replaceWith: users; the program now gives a replaceWith without users\).* so it deletes it \(its provider's Delete\), then creates it anew .*delete-first: what it held is gone\.$/);
  });

  it("names the resources deployed deletedWith the moved-off one: the branch takes them with it (calculateDependentReplacements' deletedWith chain)", () => {
    const roles = handBuilt("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment", "identities-roles", { identityPoolId: "identities-id" });
    const before = [deployedPool, identities({ deletedWith: deployedPool.urn }), { ...roles, deletedWith: identities().urn }];
    const [f, ...rest] = found(before, [nextPool(true), identities(), { ...roles, deletedWith: identities().urn }]);
    expect(rest).toEqual([]);
    expect(f.problem).toMatch(/ With it go the resources deployed deletedWith it \(identities-roles: calculateDependentReplacements follows deployed deletedWith chains\), their Deletes skipped the same way\.$/);
  });

  it("names no chain where calculateDependentReplacements does not take the moved-off one: moved off a replaceWith, or registered before the target", () => {
    // calculateDependentReplacements runs from the target: a replaceWith edge alone forces no replacement (requiresReplacement),
    // and a resource the program already registered is left out (impossibleDependents), so what is deletedWith it stays.
    const roles = handBuilt("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment", "identities-roles", { identityPoolId: "identities-id" });
    const chained = { ...roles, deletedWith: identities().urn };
    const [byReplaceWith] = found([deployedPool, identities({ replaceWith: [deployedPool.urn] }), chained], [nextPool(true), identities(), chained]);
    expect(byReplaceWith.problem).not.toMatch(/With it go/);
    const [before] = found([deployedPool, identities({ deletedWith: deployedPool.urn }), chained], [identities(), nextPool(true), chained]);
    expect(before.problem).not.toMatch(/With it go/);
    // A chain member the program registers before the target is left out too, and so is what hangs below it.
    const below = handBuilt("aws:iam/role:Role", "identities-auth", { name: "identities-auth" }, { deletedWith: roles.urn });
    const [partly] = found([deployedPool, identities({ deletedWith: deployedPool.urn }), chained, below], [chained, below, nextPool(true), identities()]);
    expect(partly.problem).not.toMatch(/With it go/);
  });

  it("reads registration as cascadeOrder does: one listed before the target but waiting for it (dependsOn, or a parent that does) registers after its branch", () => {
    // The SDK sends a registration once the URNs it waits for resolve (its dependencies, and its parent's: prepareResource
    // awaits the parent's URN), so a resource that waits for the target registers after the target's branch whatever
    // the list's order: calculateDependentReplacements takes it in the chain, and the moved-off one is created anew.
    const roles = handBuilt("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment", "identities-roles", { identityPoolId: "identities-id" });
    const chained = { ...roles, deletedWith: identities().urn };
    const before = [deployedPool, identities({ deletedWith: deployedPool.urn }), chained];
    const auth = (dependencies: string[]) => handBuilt("serverless-fullstack:index:UserAuth", "auth", {}, { custom: false, id: "", dependencies });
    for (const after of [
      [{ ...chained, dependencies: [deployedPool.urn] }, nextPool(true), identities()],
      [auth([deployedPool.urn]), { ...chained, parent: auth([]).urn }, nextPool(true), identities()],
    ]) {
      const [f, ...rest] = found(before, after);
      expect(rest).toEqual([]);
      expect(f.problem).toMatch(/ With it go the resources deployed deletedWith it \(identities-roles: /);
    }
    const [waiting] = found([deployedPool, identities({ deletedWith: deployedPool.urn })], [identities({ dependencies: [deployedPool.urn] }), nextPool(true)]);
    expect(waiting.problem).toMatch(/, then creates it anew when the program registers it \("Case 1: recreating"\)/);
    expect(planUpdate([deployedPool, identities({ deletedWith: deployedPool.urn })], [identities({ dependencies: [deployedPool.urn] }), nextPool(true)]).order.early.has(identities().urn)).toBe(true);
  });

  it("says what is not confirmed for one the program registers before the target (it no longer reads it)", () => {
    const [f] = found([deployedPool, identities({ deletedWith: deployedPool.urn })], [identities(), nextPool(true)]);
    expect(f.problem).toMatch(/, after the program has already kept it \(it is registered before users\): the deployed copy stays in the account while the stack still records it \(not confirmed\)\.$/);
  });

  it("says a protected one stops the update", () => {
    const [f] = found([deployedPool, identities({ deletedWith: deployedPool.urn, protect: true })], [nextPool(true), identities({ protect: true })]);
    expect(f.problem).toMatch(/; it is protected, so the engine stops the update there/);
  });

  describe("judges every target it is moved off (deletedWith names one, replaceWith a list): the first one the program registers runs the branch that deletes it", () => {
    // continueStepsFromDiff runs a target's delete-before-replace branch at the target's registration, and skips a
    // dependent an earlier branch already deleted (`sg.pendingDeletes`); findDependentCascadeReplacements matches any
    // element of a replaceWith list (`slices.Contains(state.ReplaceWith, urn)`).
    const admins = (aliasAttributes: string[], more: Partial<RecordedResource> = {}) => handBuilt("aws:cognito/userPool:UserPool", "admins", { name: "admins-5d6e7f8", aliasAttributes }, more);
    const [deployedAdmins, nextAdmins] = [admins(["email"]), admins(["phone_number"], { deleteBeforeReplace: true, deleteBeforeReplaceDefined: true })];

    it("names the replaceWith target registered first, and creates it anew when it registers after that one only", () => {
      const before = [deployedPool, deployedAdmins, identities({ replaceWith: [deployedPool.urn, deployedAdmins.urn] })];
      // admins registers before the identity pool, users after it: admins' branch deletes it first, so it is re-created.
      const [f, ...rest] = found(before, [nextAdmins, identities(), nextPool(true)]);
      expect(rest).toEqual([]);
      expect(f.problem).toMatch(/^is moved off admins and users \(deployed with replaceWith: admins, replaceWith: users; the program now gives a replaceWith without admins or users\) in the update that replaces admins and users delete-first \(admins: its deleteBeforeReplace; users: its deleteBeforeReplace\)\. The engine's delete-before-replace branch for admins, the first of them the program registers/);
      expect(f.problem).toMatch(/, then creates it anew when the program registers it \("Case 1: recreating"\)/);
      expect(f.fix).toMatch(/^move identities off admins and users in an update of its own before the one that replaces them/);
    });

    it("skips the Delete when the deletedWith target registers first, and sends it when a replaceWith target does", () => {
      const before = [deployedPool, deployedAdmins, identities({ deletedWith: deployedAdmins.urn, replaceWith: [deployedPool.urn] })];
      const [skipped] = found(before, [nextAdmins, nextPool(true), identities()]);
      expect(skipped.problem).toMatch(/branch for admins, the first of them the program registers .* so it skips its Delete, admins being marked deleted/);
      const [sent] = found(before, [nextPool(true), nextAdmins, identities()]);
      expect(sent.problem).toMatch(/branch for users, the first of them the program registers .* so it deletes it \(its provider's Delete\)/);
    });

    it("passes one whose first branch is a target the program still names: that branch deletes and re-creates it as the program asks, and the moved-off one's later branch skips it", () => {
      const before = [deployedPool, deployedAdmins, identities({ deletedWith: deployedPool.urn, replaceWith: [deployedAdmins.urn] })];
      expect(found(before, [nextAdmins, nextPool(true), identities({ replaceWith: [deployedAdmins.urn] })])).toEqual([]);
      // users registered first: its branch takes the copy the program moved off it.
      expect(found(before, [nextPool(true), nextAdmins, identities({ replaceWith: [deployedAdmins.urn] })]).map((f) => f.resource)).toEqual(["aws:cognito/identityPool:IdentityPool identities"]);
    });
  });

  it("skips the Delete when its deployed deletedWith target is deleted in the same branch: the branch marks all it deletes before any step is applied", () => {
    // The identity pool moved off users (replaceWith) and off holder (deletedWith), holder deployed deletedWith users: users'
    // branch deletes holder too (findDependentCascadeReplacements) and marks it (`sg.deletes[...] = true`) before the
    // identity pool's DeleteReplacementStep is applied, so step.go isDeletedWith skips that Delete.
    const holder = handBuilt("aws:iam/role:Role", "holder", { name: "holder" }, { deletedWith: deployedPool.urn });
    const [f, ...rest] = found([deployedPool, holder, identities({ replaceWith: [deployedPool.urn], deletedWith: holder.urn })], [nextPool(true), holder, identities()]);
    expect(rest).toEqual([]);
    expect(f.problem).toMatch(/so it skips its Delete, holder being marked deleted .*unless the delete of holder took the deployed copy, a second one/);
  });

  it("passes the safe variants: the target replaced create-first, the move made in an update of its own first, the target kept, the resource still deletedWith it or removed", () => {
    const movedBefore = [deployedPool, identities({ deletedWith: deployedPool.urn })];
    // The target replaced create-first: no branch, the identity pool is kept as the program says.
    expect(found(movedBefore, [nextPool(false), identities()])).toEqual([]);
    // Moved off in an update of its own first: the deployed copy no longer names the pool.
    expect(found([deployedPool, identities({ deletedWith: deployedPool.urn })], [deployedPool, identities()])).toEqual([]);
    expect(found([deployedPool, identities()], [nextPool(true), identities()])).toEqual([]);
    // The pool kept (no replace-forcing change): nothing is deleted.
    expect(found(movedBefore, [pool(["email"], { deleteBeforeReplace: true, deleteBeforeReplaceDefined: true }), identities()])).toEqual([]);
    // Still deletedWith the pool (replaced with it, the cascade's), or removed with it.
    expect(found(movedBefore, [nextPool(true), identities({ deletedWith: deployedPool.urn })])).toEqual([]);
    expect(found(movedBefore, [nextPool(true)])).toEqual([]);
  });
});

describe("cascadeOrder reads the deployed deletedWith and replaceWith (findDependentCascadeReplacements asks sg.deployment.olds, no registration filter)", () => {
  const order = (before: RecordedResource[], after: RecordedResource[]) => planUpdate(before, after).order;

  it("takes a resource moved off its replaceWith target, registered after it: deleted early and re-created (replaced)", () => {
    const o = order([deployedPool, identities({ replaceWith: [deployedPool.urn] })], [nextPool(true), identities()]);
    expect([o.early.has(identities().urn), o.deletedAfterKept.has(identities().urn)]).toEqual([true, false]);
  });

  it("takes one registered before it too, deleted after the engine kept it (not re-created), and a deletedWith moved off so is deleted in the branch (its Delete skipped)", () => {
    for (const option of [{ replaceWith: [deployedPool.urn] }, { deletedWith: deployedPool.urn }]) {
      const o = order([deployedPool, identities(option)], [identities(), nextPool(true)]);
      expect([o.early.has(identities().urn), o.deletedAfterKept.has(identities().urn)]).toEqual([false, true]);
      expect(o.deletedInBranch.has(identities().urn)).toBe("deletedWith" in option);
    }
    // Replaced create-first: no branch.
    const o = order([deployedPool, identities({ replaceWith: [deployedPool.urn] })], [identities(), nextPool(false)]);
    expect([o.early.size, o.deletedAfterKept.size]).toEqual([0, 0]);
  });
});
