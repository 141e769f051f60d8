/**
 * TransitionMovedOffDeleteFirstTarget: a resource of both plans whose deployed copy names a resource in its
 * `deletedWith` or `replaceWith` that the program no longer names there (moved off it), in the update that replaces
 * that resource (the target) delete-first. The program means the resource to stay as it is; the engine does not read
 * the move for this update.
 *
 * The target's delete-before-replace branch deletes, before the target, every resource whose replaceWith or deletedWith
 * names it: findDependentCascadeReplacements ranges over the program's resources registered so far and over the
 * deployed ones, `sg.deployment.olds`, and a deployed copy counts when its own options name the target, whatever the
 * program now gives (pulumi/pulumi pkg/resource/deploy/step_generator.go findDependentCascadeReplacements, lines
 * 3419-3443 at 1b5949891b3cefcb9974752b24a5ecef0acc86c8: `cascades(state)` is `state.DeletedWith == urn` or
 * `slices.Contains(state.ReplaceWith, urn)`, asked of `sg.deployment.olds` for every URN the program's resources did not
 * already answer for; a moved-off resource answers no there, so its deployed copy is asked). continueStepsFromDiff
 * gives each a DeleteReplacementStep (lines 2074-2124), and marks the target deleted (`sg.deletes[old.URN] = true`)
 * before any step is applied. calculateDependentReplacements, which the branch runs first, takes it too: DependingOn
 * follows the deployed deletedWith edges, and "a resource deleted with a replaced resource ... must be replaced
 * regardless of property diffs" (line 3318), transitively, so every resource deployed deletedWith the moved-off one
 * (a chain) goes with it, its Delete skipped the same way (the finding names them), where that walk reaches it: the
 * moved-off one's deployed deletedWith names the target (a replaceWith edge forces no replacement there) and neither it
 * nor the member is registered yet (registered ones are its impossibleDependents, lines 3387-3395). Then:
 * - a deployed copy deletedWith the target: its Delete is skipped, the target being marked (pkg/resource/deploy/step.go
 *   DeleteStep.Apply, `isDeletedWith(s.old.DeletedWith, s.otherDeletions)`): it leaves the stack without being deleted;
 * - a deployed copy whose replaceWith alone names the target: it is deleted (its provider's Delete);
 * - protected, the engine stops the update ("unable to replace resource … as part of replacing …", the same branch).
 * When the program registers the resource after the target (it waits for the target, through its inputs, dependsOn or
 * its parent, or comes later in the program: cascadeOrder's registeredBefore), the engine finds its deployed copy deleted and creates it anew ("Case 1: recreating", lines 1482-1506): a
 * replacement, delete-first, that the program does not ask for. A copy whose delete was skipped is still in the account
 * unless the target's delete takes it (what the deployed deletedWith said; moving off is for a resource it does not
 * take). The new copy is checked without the deployed inputs ("If we are re-creating this resource because it was
 * deleted earlier, the old inputs are now invalid ... so don't consider them", lines 1321-1331), so an autonamed one
 * gets a name drawn anew (a second copy, the deployed one left in the account outside the stack), and a name the
 * program sets is asked for again while the deployed copy holds it (refused where names are unique). Registered before
 * the target, the resource was already kept (a same or update step) when the branch deletes its deployed copy; what
 * the stack then records is not confirmed here, and the resource is judged alike.
 *
 * A resource moved off several such targets (a deletedWith one and the elements of a replaceWith list) is deleted by the
 * branch of the one the program registers first; the later branches skip it (continueStepsFromDiff, `if
 * sg.pendingDeletes[dependentResource] { continue }`), so that target decides whether its Delete is skipped (its
 * deployed deletedWith) or sent, and whether the resource registers after the delete. One finding names them all.
 *
 * Not found: a target replaced create-first (no branch: the moved-off resource is kept), a target deleted early in a
 * branch of its own target (the engine re-creates it without a branch, cascadeOrder), a resource the program removes
 * (deleted or skipped with the target, as deployed: deleteSkipped), and one the program still names the target for
 * (the cascade's, transition.ts cascadeOrder). Safe: move the resource off in an update of its own, then replace the
 * target; or replace the target create-first in this update.
 */
import { series } from "../../components/autoname";
import type { RecordedResource } from "../../local/offline/mocks";
import { cascadeTargets } from "./replacements";
import { finding as deployFinding } from "./rule";
import type { PlanUpdate, TransitionFinding } from "./transition";

export const TRANSITION_MOVED_OFF_DELETE_FIRST_RULE = {
  id: "TransitionMovedOffDeleteFirstTarget",
  title: "A resource is not moved off its deletedWith or replaceWith target in the update that replaces that target delete-first",
  source: "https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/resource/deploy/step_generator.go#L3419-L3443",
} as const;

/** Why the update replaces `target` delete-first, for the finding: the stack's pulumi:autonaming, its deleteBeforeReplace, or the provider's answer. */
function deleteFirstReason(update: Pick<PlanUpdate, "order">, target: RecordedResource): string {
  const setting = update.order.byNaming.get(target.urn);
  if (setting) return `pulumi:autonaming ${setting}`;
  return target.deleteBeforeReplace === true ? "its deleteBeforeReplace" : "the provider asks it for a name set by hand";
}

/** One finding per resource moved off a target the update replaces delete-first (see the module's comment). */
export function movedOffDeleteFirstTargetFindings(update: Pick<PlanUpdate, "deployed" | "after" | "replaced" | "order">, stack: string | undefined): TransitionFinding[] {
  const { deployed, after } = update;
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  const position = new Map(after.map((r, i) => [r.urn, i]));
  const deployedUrns = new Set(deployed.map((r) => r.urn));
  // A target runs a delete-before-replace branch: both plans hold it, the update replaces it delete-first, and it is
  // not deleted early in a branch of its own target (then the engine re-creates it without one, cascadeOrder).
  const runsBranch = (urn: string) => deployedUrns.has(urn) && afterByUrn.has(urn) && update.replaced(urn) && update.order.deletesFirst(urn) && !update.order.early.has(urn);
  const at = (urn: string) => position.get(urn) ?? 0;
  const findings: TransitionFinding[] = [];
  for (const old of deployed) {
    const next = afterByUrn.get(old.urn);
    if (!next || !old.custom) continue;
    const named = new Set(cascadeTargets(next));
    // Every target it is moved off, in registration order: deletedWith names one, replaceWith a list, and
    // findDependentCascadeReplacements matches any element (`slices.Contains(state.ReplaceWith, urn)`). The engine runs
    // a target's branch at the target's registration, so the first one registered deletes the deployed copy; a later
    // branch finds it deleted already and skips it (continueStepsFromDiff: `if sg.pendingDeletes[dependentResource]`).
    // That branch is cascadeOrder's (order.branchOf, the one skippedForDeletedWith reads): when it is one the program
    // still names, or a chain's root, the deletion is the cascade the program asks for, not this rule's.
    const targets = cascadeTargets(old)
      .filter((urn) => !named.has(urn) && runsBranch(urn))
      .map((urn) => afterByUrn.get(urn)!)
      .sort((a, b) => at(a.urn) - at(b.urn));
    const target = targets.find((t) => t.urn === update.order.branchOf(old.urn));
    if (!target) continue;
    const several = targets.length > 1;
    const names = series(targets.map((t) => t.name));
    const optionOf = (t: RecordedResource) => (old.deletedWith === t.urn ? "deletedWith" : "replaceWith");
    // Skipped when the deployed deletedWith target is marked before any of the branch's steps is applied: the branch's
    // own target, or one deleted in that branch or an earlier one (order.deletedInBranch, the one judgement
    // skippedForDeletedWith reads). A deletedWith target registered later is marked by its own branch, at its
    // registration, which the step executor applying this copy's delete does not wait for: taken as marked after that
    // delete (a race, not modelled).
    const skipped = update.order.deletedInBranch.has(old.urn);
    const markedName = old.deletedWith === undefined ? target.name : (afterByUrn.get(old.deletedWith)?.name ?? deployed.find((r) => r.urn === old.deletedWith)?.name ?? old.deletedWith);
    const option = optionOf(target);
    const offReplaceWith = targets.filter((t) => optionOf(t) === "replaceWith").map((t) => t.name);
    const now = [
      ...(targets.some((t) => optionOf(t) === "deletedWith") ? [next.deletedWith ? `deletedWith: ${afterByUrn.get(next.deletedWith)?.name ?? next.deletedWith}` : "no deletedWith"] : []),
      ...(offReplaceWith.length > 0 ? [`a replaceWith without ${offReplaceWith.join(" or ")}`] : []),
    ].join(" and ");
    const reasons = several ? targets.map((t) => `${t.name}: ${deleteFirstReason(update, t)}`).join("; ") : deleteFirstReason(update, target);
    // Registered after the target's branch: listed after it, or waiting for it (cascadeOrder's judgement, the one `early` reads).
    const later = !update.order.registeredBefore(next.urn, target.urn);
    // The deployed resources deletedWith this one, transitively (calculateDependentReplacements' deletedWith chain): deleted, Delete skipped, with it.
    // calculateDependentReplacements runs from the target and takes this one only when its deployed deletedWith names
    // the target (a replaceWith edge alone forces no replacement: requiresReplacement) and the program has not
    // registered it yet (a registered resource is in impossibleDependents, and the walk does not pass through it);
    // each chain member likewise. A later target's branch finds this one in sg.deletes (impossibleDependents) and
    // takes no chain through it.
    const unregistered = (urn: string) => !update.order.registeredBefore(urn, target.urn);
    const chain = new Set<string>(old.deletedWith === target.urn && later ? [old.urn] : []);
    for (const urn of chain) for (const r of deployed) if (r.deletedWith === urn && r.urn !== target.urn && unregistered(r.urn)) chain.add(r.urn);
    chain.delete(old.urn);
    const withIt = chain.size > 0 ? ` With it go the resources deployed deletedWith it (${[...chain].map((urn) => afterByUrn.get(urn)?.name ?? deployed.find((r) => r.urn === urn)?.name ?? urn).join(", ")}: calculateDependentReplacements follows deployed deletedWith chains), their Deletes skipped the same way.` : "";
    const deleted = skipped
      ? `skips its Delete, ${markedName} being marked deleted (pulumi step.go DeleteStep.Apply, isDeletedWith): the deployed ${next.type} leaves the stack without being deleted`
      : `deletes it (its provider's Delete)${old.retainOnDelete ? ", a no-op for its retainOnDelete: it leaves the stack and stays in the account" : ""}`;
    const outcome = old.protect
      ? `; it is protected, so the engine stops the update there ("unable to replace resource … as part of replacing …")`
      : later
        ? `, then creates it anew when the program registers it ("Case 1: recreating"): a replacement the program does not ask for${skipped ? `, and unless the delete of ${markedName} took the deployed copy, a second one: the engine checks the new copy without the deployed inputs, so a name drawn by the autonamer is drawn anew and the deployed one stays in the account outside the stack, and a name the program sets is asked for while the deployed copy holds it, refused where names are unique (the update fails)` : ", delete-first: what it held is gone"}`
        : `, after the program has already kept it (it is registered before ${names}): ${skipped ? "the deployed copy stays in the account" : "the resource is deleted in AWS"} while the stack still records it (not confirmed)`;
    const branch = several ? `${target.name}, the first of them the program registers (a later branch finds it deleted already: step_generator.go continueStepsFromDiff, pendingDeletes),` : target.name;
    findings.push({
      ...deployFinding(
        TRANSITION_MOVED_OFF_DELETE_FIRST_RULE.id,
        next,
        `is moved off ${names} (deployed with ${targets.map((t) => `${optionOf(t)}: ${t.name}`).join(", ")}; the program now gives ${now}) in the update that replaces ${names} delete-first (${reasons}). The engine's delete-before-replace branch for ${branch} deletes every resource whose deployed ${option} names it, whatever the program now gives (pulumi step_generator.go findDependentCascadeReplacements reads the deployed resources too), so it ${deleted}${outcome}.${withIt}`,
        `move ${next.name} off ${names} in an update of its own before the one that replaces ${several ? "them" : target.name} (its deployed ${several ? "options then no longer name them" : `${option} then no longer names it`}), or replace ${names} create-first in this update (deleteBeforeReplace: false${targets.some((t) => update.order.byNaming.has(t.urn)) ? ", and a pulumi:autonaming pattern with a random part for its type" : ""}), or keep ${names} as deployed`,
        stack,
      ),
      urn: next.urn,
    });
  }
  return findings;
}
