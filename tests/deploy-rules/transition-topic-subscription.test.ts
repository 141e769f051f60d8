/**
 * A Topic subscription renamed (review 100, note on TransitionNameOverwritten; review 102 F6): the new name makes a new
 * subscription resource with a dead-letter queue of its own, so its Subscribe carries another RedrivePolicy than the
 * deployed subscription of the same endpoint, and SNS refuses it ("Subscription already exists with different
 * attributes") rather than handing the deployed one back: TransitionNameTaken, with the two-update rename (Topic takes
 * no aliases). A hand-built subscription renamed keeps the upsert wording (TransitionNameOverwritten) and the aliases fix.
 */
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { Topic } from "../../components/topic";
import { record } from "../../testing/harness";
import { handBuilt, saved, transition } from "./fixture";

const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const photos = (subscription: string) => () => {
  const fn = new LambdaFunction("indexer", { entry: "tests/fixtures/handlers/echo.ts" });
  new Topic("photos").subscribe(subscription, fn, {});
};

describe("a renamed Topic subscription", () => {
  it("is TransitionNameTaken: SNS refuses the new subscription, whose attributes differ (its own dead-letter queue), and the fix is the two-update rename", async () => {
    const [before, after] = [await record(photos("index")), await record(photos("indexer"))];
    for (const deployed of [before, saved(before)]) {
      const findings = transition(deployed, after);
      expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${SUBSCRIPTION} photos-indexer`]]);
      expect(findings[0].problem).toMatch(
        /Subscribe for an endpoint already subscribed to the topic is refused when the new subscription's attributes differ \("Subscription already exists with different attributes", .*\), and a Topic component gives each subscription a dead-letter queue of its own \(<topic>-<name>-dlq\), so this one's RedrivePolicy differs from the deployed one's, and the update stops part-way$/,
      );
      expect(findings[0].fix).toBe(
        'keep the subscription on its deployed name ("photos-index"; Topic.subscribe and subscribeQueue take no aliases), or rename it in two updates, removing it in the first and adding it under the new name in the second (messages published in between do not reach it)',
      );
    }
    // Same name, same subscription: nothing to report.
    expect(transition(before, await record(photos("index")))).toEqual([]);
  });

  it("a hand-built subscription renamed keeps the upsert outcome (TransitionNameOverwritten) and the aliases fix", () => {
    const sub = (logical: string) => handBuilt(SUBSCRIPTION, logical, { topic: "arn:aws:sns:us-east-1:123456789012:photos", protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:123456789012:indexer" });
    const findings = transition([sub("index")], [sub("indexer")]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${SUBSCRIPTION} indexer`]]);
    expect(findings[0].problem).toMatch(/Subscribe for an endpoint already subscribed to the topic returns the existing subscription's ARN \(with the same attributes; with others it is refused instead, .*\), so the create succeeds; then the delete of the old copy removes the only SNS topic subscription of that name/);
    expect(findings[0].problem).not.toMatch(/Topic component|dead-letter/);
    expect(findings[0].fix).toBe('keep the resource on its deployed logical name "index", or add aliases: [{ name: "index" }] to indexer, so the update changes the deployed one in place instead of creating a second one');
  });
});
