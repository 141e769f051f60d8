/**
 * TransitionPreTokenTriggerKept: a user pool's pre token generation trigger removed while another trigger stays. The
 * provider keeps the trigger's fields (Optional + Computed) and sends them again, so the pool goes on naming the
 * function the same update deletes, and every sign-in fails.
 */
import { describe, expect, it } from "vitest";
import { UserAuth, type UserAuthArgs } from "../../components/user-auth";
import { record as recordProgram } from "../../testing/harness";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { saved, transition } from "./fixture";

const USER_POOL = "aws:cognito/userPool:UserPool";
const trigger = { entry: "tests/fixtures/handlers/echo.ts" };
const auth = (triggers: UserAuthArgs["triggers"]) => recordProgram(() => new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/"], triggers }));

describe("TransitionPreTokenTriggerKept", () => {
  it("finds preTokenGeneration removed while postConfirmation stays, and points at the two updates", async () => {
    const findings = transition(await auth({ postConfirmation: trigger, preTokenGeneration: trigger }), await auth({ postConfirmation: trigger }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionPreTokenTriggerKept", `${USER_POOL} auth-pool`]]);
    expect(findings[0].problem).toMatch(/^removes the pre token generation trigger of user pool auth-pool while other triggers stay/);
    expect(findings[0].fix).toMatch(/^two updates/);
    // Through the file `npm run plan -- --save` writes.
    expect(transition(saved(await auth({ postConfirmation: trigger, preTokenGeneration: trigger })), await auth({ postConfirmation: trigger })).map((f) => f.rule)).toEqual(["TransitionPreTokenTriggerKept"]);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionPreTokenTriggerKept")?.source).toBe("https://github.com/hashicorp/terraform-provider-aws/issues/38617");
  });

  it("passes removing every trigger at once (the provider then sends no LambdaConfig, and Cognito clears them), and keeping it", async () => {
    expect(transition(await auth({ preTokenGeneration: trigger }), await auth(undefined))).toEqual([]);
    expect(transition(await auth({ postConfirmation: trigger, preTokenGeneration: trigger }), await auth({ postConfirmation: trigger, preTokenGeneration: trigger }))).toEqual([]);
    expect(transition(await auth({ postConfirmation: trigger }), await auth({ postConfirmation: trigger, preTokenGeneration: trigger }))).toEqual([]);
  });
});
