/**
 * transition-route53.ts loads on its own (imported before transition.ts): it once imported a function from
 * transition.ts, which imports it back and reads its rule at load, so in that order the rule was not yet defined:
 * PLAN_TRANSITION_RULES held undefined in its place here (and the offline loader threw "Cannot access
 * 'TRANSITION_ROUTING_SLOT_TAKEN_RULE' before initialization"). Its first import here is the point of this file.
 */
import { TRANSITION_ROUTING_SLOT_TAKEN_RULE } from "../../testing/deploy-rules/transition-route53";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules/transition";
import { describe, expect, it } from "vitest";

describe("transition-route53.ts imported first", () => {
  it("loads, and transition.ts lists its rule", () => {
    expect(PLAN_TRANSITION_RULES).toContain(TRANSITION_ROUTING_SLOT_TAKEN_RULE);
  });
});
