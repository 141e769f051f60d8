/**
 * An EventBridge archive's name is unique per account and region (name-collisions.ts UNIQUE_NAMES: "CreateArchive
 * refuses the second (ResourceAlreadyExistsException)"), and terraform-provider-aws events/archive.go declares `name`
 * and `event_source_arn` ForceNew, so a hand-set archive name taken by a new resource while a deployed one still holds
 * it is refused (TransitionNameTaken, TRANSITION_NAMED_TYPES).
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkPlanTransition, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { handBuilt } from "./fixture";

const ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive";
const BUS_ARN = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
const archive = (logical: string, inputs: Record<string, unknown> = {}, more: Partial<RecordedResource> = {}) =>
  handBuilt(ARCHIVE, logical, { name: "orders-archive", eventSourceArn: BUS_ARN, retentionDays: 7, ...inputs }, more);
const rules = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" }).map((f) => [f.rule, f.resource]);

describe("checkPlanTransition: an EventBridge archive's name (TransitionNameTaken)", () => {
  it("finds a hand-named archive moved to a new logical name without aliases: CreateArchive is refused while the removed one holds the name", () => {
    const findings = checkPlanTransition([archive("orders")], [archive("orders-archive")], { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${ARCHIVE} orders-archive`]]);
    expect(findings[0].problem).toMatch(/^is created by the update as EventBridge archive "orders-archive"; .* CreateArchive is refused \(ResourceAlreadyExistsException\)/);
    expect(findings[0].fix).toContain('aliases: [{ name: "orders" }]');
  });

  it("finds one replaced create-first under its name (a new eventSourceArn with deleteBeforeReplace: false), and passes the bridge's delete-first for a name set by hand", () => {
    const createFirst = { deleteBeforeReplace: false, deleteBeforeReplaceDefined: true };
    const moved = { eventSourceArn: `${BUS_ARN}-v2` };
    expect(rules([archive("orders", {}, createFirst)], [archive("orders", moved, createFirst)])).toEqual([["TransitionNameTaken", `${ARCHIVE} orders`]]);
    expect(rules([archive("orders")], [archive("orders", moved)])).toEqual([]);
    // retentionDays and description are UpdateArchive: no replacement.
    expect(rules([archive("orders", {}, createFirst)], [archive("orders", { retentionDays: 30, description: "x" }, createFirst)])).toEqual([]);
  });

  it("passes an autonamed archive, and one of the name in another region", () => {
    expect(rules([archive("orders", { name: undefined })], [archive("orders-archive", { name: undefined })])).toEqual([]);
    expect(rules([archive("orders")], [archive("orders-archive", { region: "us-west-2" })])).toEqual([]);
  });

  it("keeps in a saved plan what the key and the replacement read", () => {
    const kept = readSavedPlan(JSON.stringify(toSavedPlan([archive("orders", { description: "orders", eventPattern: "{}" })], { stack: "prod", region: "us-east-1" }))).resources[0];
    expect(Object.keys(kept.inputs).sort()).toEqual(["eventSourceArn", "name"]);
  });
});
