/**
 * TransitionRoutingSlotTaken: a Route 53 routing slot of a record set (zone, name and type) — a latency record's
 * region, a failover record's role, a geolocation record's location — that the update hands from one record to
 * another while the first still holds it. Route 53 keeps one record per slot
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html):
 *
 * - Region (latency): "You can only create one latency resource record set for each Amazon EC2 Region"; the refusal,
 *   as AWS printed it: "InvalidChangeBatch: [RRSet with DNS name xyz.com., type A, SetIdentifier xyz.com, and Region
 *   Name=eu-west-1 cannot be created because a latency RRSet with the same name, type and region already exists.]"
 *   (hashicorp/terraform-provider-aws#1668).
 * - GeoLocation: "You can't create two geolocation resource record sets that specify the same geographic location"
 *   (the refusal's wording is not confirmed).
 * - Failover: "To configure failover, you add the Failover element to two resource record sets. For one resource record
 *   set, you specify PRIMARY as the value for Failover; for the other resource record set, you specify SECONDARY" (and
 *   the Developer Guide's active-passive setups put several resources behind "the primary record", one record). The
 *   page says no more than this about a second record of one role, and the refusal's wording is not confirmed: the
 *   console says "RRset for same type with Primary (or Sec) exists" (boto/boto3#1347, a user swapping PRIMARY and
 *   SECONDARY).
 *
 * Weighted, multivalue, geoproximity and CIDR records have no such slot here (weighted and multivalue records share
 * one name and type freely; the last two are not written by the components and not checked).
 *
 * Why the update passes through two records of one slot: Pulumi creates new resources (and the new copies of those it
 * replaces create-before-delete) before it deletes removed resources and old copies, at the end of the update
 * (pulumi/pulumi#9979), and the provider writes one record per ChangeResourceRecordSets call — a create is one CREATE;
 * an in-place update that changes the type or set identifier is "Delete the old and create the new records in a single
 * batch" of that record alone, and any other in-place update (a latency region, a failover role, a location moved
 * under the same set identifier) one UPSERT of it (terraform-provider-aws internal/service/route53/record.go
 * resourceRecordUpdate: "If neither type nor set_identifier changed we use UPSERT") — while a batch is all or nothing
 * for its own changes only (API_ChangeResourceRecordSets). So a record created into a slot a removed record holds is
 * refused, and two records trading slots in place are two calls, the first of which leaves two records in one slot.
 * Two updates run in no set order unless one depends on the other.
 *
 * Not reported here: a record that takes a deployed record's whole key (zone, name, type and set identifier), which is
 * TransitionNameTaken's (or TransitionNameOverwritten's with allowOverwrite); records switching routing policy, which
 * is TransitionRoutingPolicy's; two records of one slot in the new plan alone (Route53RoutingRecords,
 * Route53FailoverPair, DnsRouting's own checks; a holder that only ignoreChanges keeps in the slot, the program moving it,
 * is reported here, since the engine sends its deployed slot and no rule of the new plan sees two records). Passed: a slot nobody held (a region added), a record that keeps its
 * slot under another set identifier (one in-place batch), a record renamed with aliases to its deployed name (the same
 * resource), a replacement with deleteBeforeReplace (its old copy goes first), a record that waits (dependsOn) for the
 * holder's own update or delete-first replacement.
 */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { keptByIgnoreChanges } from "./kept-by-ignore";
import { dnsName } from "./names";
import { ownedRecordSetKey, RECORD } from "./record-sets";
import { ROUTING_SLOT_REFUSAL, slotOf, type RoutingSlot } from "./route53";
import { finding as deployFinding } from "./rule";
import { deleteSkipped } from "./transition-api-refs";
import type { RestPartJudgement } from "./transition-rest-deployment";
import type { TransitionFinding } from "./transition";

export const TRANSITION_ROUTING_SLOT_TAKEN_RULE = {
  id: "TransitionRoutingSlotTaken",
  title: "A Route 53 routing slot (latency region, failover role, geolocation location) is not written to one record while another still holds it",
  source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html",
} as const;

/** "api.gallery.example.com A, set us-east-1". */
const recordOf = (r: RecordedResource) => `${dnsName(r.inputs.name)} ${r.inputs.type}${r.inputs.setIdentifier ? `, set ${r.inputs.setIdentifier}` : ""}`;
const described = (r: RecordedResource) => `${r.name} (${recordOf(r)})`;

/**
 * One finding per record of the next plan written into a slot (created, replaced, or moved in place) that a deployed
 * record still holds when the write runs. `judgement` is checkPlanTransition's reading of the next plan (as diffed:
 * ignoreChanges reset; and whether a resource is replaced). A record updated in place claims its diffed slot (one its
 * ignoreChanges holds stays the deployed one); a replaced record's new copy, the program's (the engine checks a
 * replacement anew from goal.Properties, ignoreChanges not applied: pulumi step_generator.go continueStepsFromDiff).
 */
export function routingSlotFindings(deployed: Graph, after: Graph, stack: string | undefined, judgement: RestPartJudgement): TransitionFinding[] {
  const holders = new Map<string, RecordedResource[]>();
  for (const old of ofType(deployed, RECORD)) {
    const slot = slotOf(deployed, old);
    if (slot) holders.set(slot.key, [...(holders.get(slot.key) ?? []), old]);
  }
  if (holders.size === 0) return [];
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterUrns = new Set(after.map((r) => r.urn));
  const nextByUrn = new Map(ofType(after, RECORD).map((r) => [r.urn, judgement.diffed(r)]));
  const programByUrn = new Map(after.map((r) => [r.urn, r]));
  // A holder kept in the slot by its ignoreChanges only: the engine sends the deployed slot, while the program (all the
  // single-plan rules see) gives another, so no rule of the new plan shows two records in it (as TransitionNameTaken).
  // A replaced holder is not kept: its new copy takes the program's slot (the engine checks a replacement anew from
  // goal.Properties, ignoreChanges not applied: pulumi step_generator.go continueStepsFromDiff).
  const keptByIgnore = (urn: string, claim: RoutingSlot) => {
    const program = programByUrn.get(urn);
    const diffed = nextByUrn.get(urn);
    if (!program || !diffed || judgement.replaced(urn) || slotOf(after, diffed)?.key !== claim.key || slotOf(after, program)?.key === claim.key) return undefined;
    return keptByIgnoreChanges(program, diffed);
  };
  const findings: TransitionFinding[] = [];
  for (const diffed of nextByUrn.values()) {
    const old = deployedByUrn.get(diffed.urn);
    const replaced = old !== undefined && judgement.replaced(diffed.urn);
    // Replaced, as diffed; the slot its new copy claims is the program's (the engine checks a replacement anew from
    // goal.Properties, ignoreChanges not applied: continueStepsFromDiff); moved or kept in place, the diffed one.
    const next = replaced ? programByUrn.get(diffed.urn)! : diffed;
    const claim = slotOf(after, next);
    if (!claim) continue;
    // Its deleteBeforeReplace, or a replaceWith naming a resource replaced delete-first (RestPartJudgement.deletedFirst).
    const deleteFirst = replaced && judgement.deletedFirst(next);
    let how: string;
    if (!old) how = `is created by the update in ${claim.label}`;
    else if (replaced) how = `is replaced ${deleteFirst ? "delete-first (its old copy goes first)" : "create-before-delete"}, its new copy created in ${claim.label}`;
    else {
      const was = slotOf(deployed, old);
      // Kept in its slot (or a deployed slot the saved plan does not tell): nothing moves into one.
      if (!was || was.key === claim.key) continue;
      how = `moves in place from ${was.label} to ${claim.label}`;
    }
    for (const holder of holders.get(claim.key) ?? []) {
      const self = holder.urn === next.urn;
      if (self && !replaced) continue;
      if (self && deleteFirst && !holder.retainOnDelete) continue;
      // The whole key (set identifier too): TransitionNameTaken's, or TransitionNameOverwritten's.
      const heldKey = ownedRecordSetKey(deployed, holder);
      if (heldKey !== undefined && heldKey === ownedRecordSetKey(after, next)) continue;
      // A replaced holder's new copy takes the program's slot (continueStepsFromDiff), one updated in place the diffed one.
      const holderNext = self ? undefined : judgement.replaced(holder.urn) ? programByUrn.get(holder.urn) : nextByUrn.get(holder.urn);
      const kept = holderNext && keptByIgnore(holder.urn, claim);
      let holds: string;
      let fix: string;
      if (self) {
        holds = holder.retainOnDelete
          ? `its deployed copy ${described(holder)} keeps it: it is retained (retainOnDelete), so the replacement never deletes it`
          : `its deployed copy ${described(holder)} holds it until the end of the update (a create-before-delete replacement deletes the old copy last)`;
        fix = holder.retainOnDelete
          ? `delete the deployed record from Route 53 first (aws route53 change-resource-record-sets with a DELETE of it), or give the record another slot`
          : `set deleteBeforeReplace: true on ${next.name}, so its deployed copy is deleted before the new one is created (the slot does not answer in between), or keep the inputs that replace it`;
      } else if (!afterUrns.has(holder.urn)) {
        // Not deleted: retained, or deletedWith a target the update removes or replaces (deleteSkipped, planUpdate's judgement).
        if (deleteSkipped(holder, afterUrns, judgement)) {
          holds = `${described(holder)} of the deployed plan holds it and keeps it: it is removed from the program without being deleted (retainOnDelete, or deletedWith a resource the update also deletes or replaces), so it stays in Route 53`;
          fix = `delete ${holder.name}'s record from Route 53 first (aws route53 change-resource-record-sets with a DELETE of it, then pulumi refresh), or leave the slot to it`;
        } else {
          holds = `${described(holder)} of the deployed plan holds it until the end of the update: it is removed from the program, and Pulumi deletes removed resources only after every create and update`;
          fix = `if ${next.name} takes ${holder.name}'s place, keep it on the deployed resource: the same logical name (DnsRouting: keep the record's id) or aliases: [{ name: ${JSON.stringify(holder.name)} }], so one in-place update moves it (one DELETE + CREATE batch). Otherwise take it in two updates: remove ${holder.name} first (pulumi destroy --target '${holder.urn}', or a pulumi up without it), then pulumi up adds ${next.name}; ${claim.label} does not answer in between`;
        }
      } else if (!holderNext) {
        continue;
      } else if (judgement.replaced(holder.urn) && (!judgement.deletedFirst(holderNext) || holder.retainOnDelete)) {
        holds = `${described(holder)} holds it in the deployed plan and is replaced, but its old copy keeps it ${holder.retainOnDelete ? "for good (retainOnDelete: the replacement never deletes it)" : "until the end of the update (a create-before-delete replacement deletes the old copy last)"}`;
        fix = `set deleteBeforeReplace: true on ${holder.name} and make ${next.name} dependOn it, or take it in two updates: remove or move ${holder.name} first, then pulumi up adds ${next.name}`;
      } else if (kept) {
        holds = `${described(holder)} holds it in the deployed plan and keeps it: its ignoreChanges ${kept.entries} puts the deployed ${kept.values} back whatever the program gives it, so the update never moves it out`;
        fix = `drop ${kept.entries} from the ignoreChanges of ${holder.name}, so that the update moves it out of the slot (and make ${next.name} dependOn ${holder.name}), or give ${next.name} another slot`;
      } else {
        const holderSlot = slotOf(after, holderNext);
        // Both in the slot in the new plan: that plan's own duplicate (Route53RoutingRecords, Route53FailoverPair), not a transition.
        if (holderSlot?.key === claim.key) continue;
        // The holder's update (or delete-first replacement) runs first: the slot is free by then.
        if (dependencyClosure(after, next).has(holder.urn)) continue;
        holds = `${described(holder)} holds it in the deployed plan and leaves it (${holderSlot ? `for ${holderSlot.label}` : "for no slot of this policy"}) in its own ${judgement.replaced(holder.urn) ? "replacement" : "update"}, which ${next.name} does not wait for (no dependency), so Route 53 may see ${next.name}'s call first`;
        fix = `make ${next.name} dependOn ${holder.name}, so the slot is free before it is written. Where records trade slots (a swap) no order works: keep each record in its slot and swap what the records point to instead (targets and health checks; DnsRouting: swap the records' target and healthCheck between the ids), or delete the records that change slots first (pulumi destroy --target per URN) and let pulumi up create them anew (the name answers without them in between)`;
      }
      findings.push({
        ...deployFinding(
          TRANSITION_ROUTING_SLOT_TAKEN_RULE.id,
          next,
          `${how} (${recordOf(next)}); ${holds}. ${ROUTING_SLOT_REFUSAL[claim.policy]}, and the update stops part-way`,
          fix,
          stack,
        ),
        urn: next.urn,
      });
    }
  }
  return findings;
}
