/**
 * TransitionApiV2PartInUse: an API Gateway v2 authorizer (`aws.apigatewayv2.Authorizer`) or integration
 * (`aws.apigatewayv2.Integration`) that the update deletes (removed from the program, neither `retainOnDelete` nor
 * skipped by `deletedWith`) while a route that stays in API Gateway still references it afterwards. Pulumi runs every
 * update before the deletes of removed resources (pulumi/pulumi#9979), so a route the program moves to another
 * authorizer or integration, or to none (the provider then sends the new `AuthorizerId` and `AuthorizationType`, or
 * `Target`: apigatewayv2/route.go resourceRouteUpdate), is off it by then, and a route removed with it is deleted
 * first (reverse dependency order). A route still references it when the update keeps its deployed reference:
 *
 * - the route stays and its `ignoreChanges` holds `authorizerId` (or `target`), so the engine sends the deployed value;
 * - the route is removed but not deleted: `retainOnDelete`, or `deletedWith` a resource the update also deletes.
 *
 * API Gateway then refuses the delete: "ConflictException: Cannot delete authorizer '…', is referenced in route: POST
 * /pdf/generate" (HTTP 409, DeleteAuthorizer, as pulumi-aws 6.66.2 printed it, anomalyco/sst#5586), and "ConflictException:
 * Cannot delete Integration because it is referenced by the following Routes with Ids: [xrfucl1]" (DeleteIntegration,
 * milliHQ/terraform-aws-next-js#247). The provider retries an authorizer's ConflictException until the delete timeout
 * (30 minutes by default: apigatewayv2/authorizer.go resourceAuthorizerDelete, `tfresource.RetryWhenIsA[*awstypes.ConflictException]`,
 * hashicorp/terraform-provider-aws#37732) and an integration's not at all (apigatewayv2/integration.go
 * resourceIntegrationDelete), so the update fails, and so does every later one while the route keeps the reference.
 *
 * Not reported:
 * - A REST API authorizer (`aws.apigateway.Authorizer`) a method still uses: DeleteAuthorizer is refused alike
 *   ("Cannot delete authorizer 'tf-acc-test-authorizer', is referenced in method: GET//test", hashicorp/terraform#6731,
 *   hashicorp/terraform-provider-aws#14812), but the provider's delete returns success on a ConflictException
 *   (apigateway/authorizer.go resourceAuthorizerDelete: "the authorizer will be dangling until the API is deleted"), so
 *   `pulumi up` succeeds and the authorizer stays in the API outside the stack (its name then stays taken:
 *   TransitionNameTaken reads that delete as one that may keep the name).
 * - A route whose new `authorizerId` or `target` is a literal (no resource behind it): the plan cannot tell whether it
 *   is the removed resource's own id (the delete is refused) or another one's (the route moves off it first).
 *
 * A saved plan keeps each resource's dependencies, property dependencies and options, which is all this check reads of
 * the deployed plan (a route's `routeKey` too, to name it); from a plan saved before property dependencies were kept,
 * a route's dependencies on a removed authorizer or integration stand for its `authorizerId` or `target`.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { ignoredBy } from "./property-paths";
import { finding as deployFinding } from "./rule";
import type { TransitionFinding } from "./transition";

export const TRANSITION_API_V2_PART_IN_USE_RULE = {
  id: "TransitionApiV2PartInUse",
  title: "An API Gateway v2 authorizer or integration is not deleted while a route still references it",
  source: "https://github.com/hashicorp/terraform-provider-aws/pull/37732",
} as const;

const V2_ROUTE = "aws:apigatewayv2/route:Route";
const V2_API = "aws:apigatewayv2/api:Api";

/** The parts a v2 route references, by the route input that holds the reference, and how their delete is refused. */
const PARTS = [
  {
    type: "aws:apigatewayv2/authorizer:Authorizer",
    input: "authorizerId",
    label: "authorizer",
    refusal: (routes: string) =>
      `DeleteAuthorizer is refused ("ConflictException: Cannot delete authorizer '…', is referenced in route: …", here ${routes}, anomalyco/sst#5586); the provider retries it for the delete timeout (30 minutes unless customTimeouts.delete says otherwise, hashicorp/terraform-provider-aws#37732) and then the update fails`,
  },
  {
    type: "aws:apigatewayv2/integration:Integration",
    input: "target",
    label: "integration",
    refusal: (routes: string) =>
      `DeleteIntegration is refused ("ConflictException: Cannot delete Integration because it is referenced by the following Routes", here ${routes}, milliHQ/terraform-aws-next-js#247), which the provider does not retry: the update fails at that delete`,
  },
] as const;

/**
 * Whether the update skips the delete of `old`, a resource of the deployed plan the update removes or replaces: the two
 * branches of pulumi/pulumi pkg/resource/deploy/step.go DeleteStep.Apply that send no Delete, `s.old.RetainOnDelete`
 * and `isDeletedWith(s.old.DeletedWith, s.otherDeletions)` (skippedForDeletedWith). The one answer for every transition
 * check: a removed resource's, and a replaced one's deployed copy (read at pulumi/pulumi
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8, not run). Here, the leaf module, so that transition.ts and this file share
 * it without an import cycle.
 */
export const deleteSkipped = (old: RecordedResource, afterUrns: ReadonlySet<string>, update: UpdateJudgement): boolean => old.retainOnDelete === true || skippedForDeletedWith(old, afterUrns, update);

/**
 * Whether the engine skips the delete of `old` (removed, or replaced: its deployed copy) for its deployed `deletedWith`
 * target: step.go isDeletedWith reads the step generator's `deletes` (a map by URN, shared with every DeleteStep) when
 * the step is applied, so the target counts when it is marked by then. The target is marked
 * - removed from the program: by GenerateDeletes (`!sg.isOperatedOn(res.URN)` → `sg.deletes[res.URN] = true`), which
 *   runs once the program has registered everything (deployment_executor.go performPostSteps) and marks every delete
 *   before any of them is applied;
 * - replaced delete-first: at once, in its registration's delete-before-replace branch (continueStepsFromDiff, "Mark the
 *   old resource as deleted so that dependents DeletedWith it can see the deletion"), which also deletes the resources
 *   deletedWith it first (findDependentCascadeReplacements: cascadeOrder `early`);
 * - replaced create-first: by GenerateDeletes, with its pending-delete old copy (`if res.Delete` → `sg.deletes[res.URN] = true`);
 * - deleted early, in the delete-before-replace branch of its own replaceWith or deletedWith target (cascadeOrder
 *   `early`): marked there, before any of the branch's steps is applied; but it is unmarked when the program registers
 *   it again (stepGenerator "Case 1: recreating", "Unmark this resource as deleted, we now know it's being replaced
 *   instead": `delete(sg.deletes, urn)`), and its new copy is created with no pending delete, so GenerateDeletes does
 *   not mark it again: a delete after that is not skipped.
 * A deployed copy a delete-before-replace branch deletes (its deployed replaceWith or deletedWith names a target
 * replaced delete-first, or a deletedWith chain or replace-forcing input leads to one) is deleted there and nowhere
 * else: in the branch of the first such target the program registers (`order.branchOf`; later branches and
 * GenerateDeletes skip a pending delete), so that branch alone decides: skipped when the deployed deletedWith target is
 * marked by then (`order.deletedInBranch`), sent otherwise, whatever a later branch marks. This holds whatever the
 * program now gives (findDependentCascadeReplacements reads `sg.deployment.olds` too: a resource moved off its target
 * is still taken, transition-moved-off.ts).
 * Any other removed resource (deleted by GenerateDeletes) is skipped when its target is removed or replaced. Any other
 * resource the update keeps and replaces is deleted delete-first at its registration (continueStepsFromDiff's
 * DeleteReplacementStep), before GenerateDeletes marks anything, or create-first with the pending deletes: with a
 * target removed from the program it is skipped unless replaced delete-first (replacedDeleteFirst); with a target both
 * plans hold, that target replaced, it is skipped when this copy is deleted at the end too (not replacedDeleteFirst); a
 * copy deleted first by its own deleteBeforeReplace is deleted before the target is marked.
 */
export function skippedForDeletedWith(old: RecordedResource, afterUrns: ReadonlySet<string>, update: UpdateJudgement): boolean {
  const target = old.deletedWith;
  if (target === undefined) return false;
  // Deleted in a delete-before-replace branch (order.branchOf), and only there: skipped if the deployed deletedWith
  // target is marked when that branch's steps are applied (order.deletedInBranch), else sent.
  if (update.order.branchOf(old.urn) !== undefined) return update.order.deletedInBranch.has(old.urn);
  // Replaced, and marked when the deletes run: not one deleted early, in the delete-before-replace branch of a target of
  // its own (order.early), which the engine unmarks when it registers it again ("recreating": `delete(sg.deletes, urn)`).
  const replacedMarked = update.replaced(target) && !update.order.early.has(target);
  if (!afterUrns.has(old.urn)) return !afterUrns.has(target) || replacedMarked;
  if (!afterUrns.has(target)) return !update.replacedDeleteFirst(old.urn);
  return replacedMarked && !update.replacedDeleteFirst(old.urn);
}

/** What deleteSkipped reads of the update: planUpdate's one judgement (PlanUpdate). */
export interface UpdateJudgement {
  /** Whether the update replaces the resource of this URN, which both plans hold. */
  replaced(urn: string): boolean;
  /** Whether it replaces it delete-first: its deployed copy deleted before its new one is created (transition.ts cascadeOrder). */
  replacedDeleteFirst(urn: string): boolean;
  /**
   * The cascade's order (transition.ts cascadeOrder): the resources deleted early, in the delete-before-replace branch
   * of a resource replaced delete-first (its replaceWith or deletedWith names it, or a deletedWith chain or
   * replace-forcing input leads to it), the branch that deletes each deployed copy, and those deleted there with their
   * deletedWith target marked.
   */
  order: { readonly early: ReadonlySet<string>; readonly deletedInBranch: ReadonlySet<string>; branchOf(urn: string): string | undefined };
}

/** The URNs `route`'s `input` came from in the deployed plan: its property dependencies, else (an older plan) its dependencies. */
const referencesOf = (route: RecordedResource, input: string) => (route.propertyDependencies ? (route.propertyDependencies[input] ?? []) : route.dependencies);

const routeName = (route: RecordedResource) => (typeof route.inputs.routeKey === "string" && route.inputs.routeKey ? `"${route.inputs.routeKey}" (${route.name})` : route.name);

/** One finding per v2 authorizer or integration the update deletes while a route still references it afterwards. */
export function apiV2PartInUseFindings(deployed: Graph, after: Graph, stack: string | undefined, update: UpdateJudgement): TransitionFinding[] {
  const routes = ofType(deployed, V2_ROUTE);
  if (routes.length === 0) return [];
  const afterUrns = new Set(after.map((r) => r.urn));
  const deleted = new Map(deployed.filter((r) => PARTS.some((p) => p.type === r.type) && !afterUrns.has(r.urn) && !deleteSkipped(r, afterUrns, update)).map((r) => [r.urn, r]));
  if (deleted.size === 0) return [];
  const afterByUrn = new Map(ofType(after, V2_ROUTE).map((r) => [r.urn, r]));
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const holders = new Map<string, Array<{ route: RecordedResource; why: string; fix: string }>>();
  for (const route of routes) {
    const next = afterByUrn.get(route.urn);
    // A route the update deletes goes before what it references; one it removes without deleting keeps everything.
    if (!next && !deleteSkipped(route, afterUrns, update)) continue;
    for (const part of PARTS) {
      const ignored = next ? ignoredBy(next, [part.input]) : [];
      if (next && ignored.length === 0) continue;
      for (const urn of referencesOf(route, part.input)) {
        const target = deleted.get(urn);
        if (target?.type !== part.type) continue;
        const why = next
          ? `its ignoreChanges holds "${ignored[0]}", so the engine keeps the deployed ${part.input}`
          : `it is removed without being deleted (${route.retainOnDelete ? "retainOnDelete" : "deletedWith a resource the update also deletes or replaces"}), so it stays in API Gateway as deployed`;
        // A route deletedWith the API the update deletes: the part can be skipped alike, and the API's delete takes both.
        const withApi = !next && !route.retainOnDelete && route.deletedWith !== undefined ? deployedByUrn.get(route.deletedWith) : undefined;
        const alike = withApi?.type === V2_API ? `, or give the ${part.label} deletedWith: ${withApi.name} as well (its delete is then skipped too, and ${withApi.name}'s DeleteApi removes the API with its routes, integrations and authorizers)` : "";
        const fix = next
          ? `take "${ignored[0]}" out of ${route.name}'s ignoreChanges for this update, so the route moves to what the program gives it before the delete`
          : `delete ${route.name} first (an update without its ${route.retainOnDelete ? "retainOnDelete" : "deletedWith"}, then remove it)${alike}, or delete it by hand before this update`;
        const list = holders.get(urn) ?? [];
        holders.set(urn, [...list, { route, why, fix }]);
      }
    }
  }
  return [...holders].map(([urn, held]) => {
    const target = deleted.get(urn)!;
    const part = PARTS.find((p) => p.type === target.type)!;
    const routesText = held.map(({ route }) => routeName(route)).join(", ");
    const problem = `deletes ${part.label} ${target.name}, but route ${held.map(({ route, why }) => `${routeName(route)} still references it: ${why}`).join("; and route ")}. The delete runs at the end of the update (pulumi/pulumi#9979), and ${part.refusal(routesText)}, with the ${part.label} still in the stack`;
    const fix = `${held.map(({ fix }) => fix).join("; ")}; or keep the ${part.label} (give it retainOnDelete, or leave it in the program) until no route references it`;
    return { ...deployFinding(TRANSITION_API_V2_PART_IN_USE_RULE.id, target, problem, fix, stack), urn: target.urn };
  });
}
