/**
 * A Topic subscription renamed (review 100, note on TransitionNameOverwritten): the new name makes a new subscription
 * resource with a dead-letter queue of its own, so its Subscribe carries another RedrivePolicy than the deployed
 * subscription of the same endpoint, and SNS refuses it ("Subscription already exists with different attributes") rather
 * than handing the deployed one back. The finding says both outcomes, and that Topic takes no aliases.
 */
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { Topic } from "../../components/topic";
import { record } from "../../testing/harness";
import { saved, transition } from "./fixture";

const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const photos = (subscription: string) => () => {
  const fn = new LambdaFunction("indexer", { entry: "tests/fixtures/handlers/echo.ts" });
  new Topic("photos").subscribe(subscription, fn, {});
};

describe("TransitionNameOverwritten for a renamed Topic subscription", () => {
  it("says SNS refuses the new subscription when its attributes differ (its own dead-letter queue), and gives the two-update rename", async () => {
    const [before, after] = [await record(photos("index")), await record(photos("indexer"))];
    for (const deployed of [before, saved(before)]) {
      const findings = transition(deployed, after);
      expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${SUBSCRIPTION} photos-indexer`]]);
      expect(findings[0].problem).toMatch(
        /Subscribe for an endpoint already subscribed to the topic is refused when the new subscription's attributes differ \("Subscription already exists with different attributes", .*a Topic subscription has a dead-letter queue of its own, <topic>-<name>-dlq, so a renamed one's RedrivePolicy differs and the update stops there, part-way\), and with the same attributes returns the existing subscription's ARN, so the create succeeds/,
      );
      expect(findings[0].fix).toMatch(/Topic\.subscribe and subscribeQueue take no aliases: keep the subscription's deployed name, or rename it in two updates, removing it in the first and adding it under the new name in the second/);
    }
    // Same name, same subscription: nothing to report.
    expect(transition(before, await record(photos("index")))).toEqual([]);
  });
});
