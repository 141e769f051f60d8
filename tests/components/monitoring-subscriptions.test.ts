/**
 * Monitoring's email subscriptions are keyed by address, not by position in `alarmEmails`: changing the list leaves
 * every remaining address's subscription as it is. Keyed by position, a removal or an insertion replaced the
 * subscriptions after it (endpoint forces a new subscription), and SNS answers a Subscribe for an address already
 * subscribed with that subscription, which the removed one's delete then unsubscribes: nobody got alarms.
 */
import { describe, expect, it } from "vitest";
import { Monitoring } from "../../components/monitoring";
import { checkPlanTransition, formatFinding } from "../../testing/deploy-rules";
import { ofType, record, type RecordedResource } from "../harness/mocks";

const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC = "aws:sns/topic:Topic";
const [a, b, c] = ["a@example.com", "b@example.com", "c@example.com"];

/** Monitoring with an alarm in the stack's region and CloudFront's (us-east-1 on its own topic only elsewhere), mailed to `emails`. */
const monitoring = (emails: string[]) =>
  record(() => new Monitoring("ops", { functions: { fn: { functionName: "fn" } }, distributions: { site: { distributionId: "E1" } }, alarmEmails: emails, dashboard: false }));

/** Each subscription's URN by the topic it is on (the topic's logical name) and its address. */
function subscriptionUrns(graph: RecordedResource[]): Map<string, string> {
  const topicByArn = new Map(ofType(graph, TOPIC).map((t) => [t.state.arn, t.name]));
  return new Map(ofType(graph, SUBSCRIPTION).map((s) => [`${topicByArn.get(s.inputs.topic)} ${s.inputs.endpoint}`, s.urn]));
}

/**
 * The plan an earlier version deployed for the same list: the same subscriptions under the names of their positions
 * (`<topic>-email-<index>`), without aliases.
 */
function deployedByIndex(graph: RecordedResource[], emails: string[]): RecordedResource[] {
  const topicByArn = new Map(ofType(graph, TOPIC).map((t) => [t.state.arn, t.name]));
  return graph.map((r) => {
    if (r.type !== SUBSCRIPTION) return r;
    const name = `${topicByArn.get(r.inputs.topic)}-email-${emails.indexOf(r.inputs.endpoint)}`;
    return { ...r, name, urn: r.urn.slice(0, r.urn.lastIndexOf("::") + 2) + name, aliases: undefined };
  });
}

describe("Monitoring email subscriptions, keyed by address", () => {
  it("keeps every remaining address's subscription URN when addresses are reordered, removed or put in front", async () => {
    const first = subscriptionUrns(await monitoring([a, b, c]));
    expect(first.size).toBe(6); // each address on each of the two topics
    for (const emails of [[c, a], [b], [c, b, a]]) {
      const next = subscriptionUrns(await monitoring(emails));
      expect(next.size, JSON.stringify(emails)).toBe(2 * emails.length);
      for (const [key, urn] of next) expect(urn, `${key} after ${JSON.stringify(emails)}`).toBe(first.get(key));
    }
    // An address added in front ([a] → [c, a]) keeps a's subscription, so a need not confirm again.
    const before = subscriptionUrns(await monitoring([a]));
    const after = subscriptionUrns(await monitoring([c, a]));
    expect(after.get(`ops-alarms ${a}`)).toBe(before.get(`ops-alarms ${a}`));
  });

  it("names a subscription by its address whatever its case, and keeps its name when only the case changes", async () => {
    const lower = subscriptionUrns(await monitoring([a]));
    const upper = subscriptionUrns(await monitoring([a.toUpperCase()]));
    expect(upper.get(`ops-alarms ${a.toUpperCase()}`)).toBe(lower.get(`ops-alarms ${a}`));
    expect(lower.get(`ops-alarms ${a}`)).toMatch(/::ops-alarms-email-[0-9a-f]{8}$/);
  });

  it("replaces a subscription delete-first, so a subscription re-created for the same address is never unsubscribed by its old copy's delete", async () => {
    for (const s of ofType(await monitoring([a, b]), SUBSCRIPTION)) expect(s.deleteBeforeReplace, s.name).toBe(true);
  });

  it("aliases each subscription to the name of its position in earlier versions, so a stack deployed then upgrades with the list unchanged without a change", async () => {
    const graph = await monitoring([a, b]);
    const subscriptions = ofType(graph, SUBSCRIPTION);
    expect(subscriptions).toHaveLength(4); // two addresses on each of two topics
    const prefix = subscriptions[0].urn.slice(0, subscriptions[0].urn.lastIndexOf("::") + 2);
    const topicByArn = new Map(ofType(graph, TOPIC).map((t) => [t.state.arn, t.name]));
    for (const s of subscriptions) {
      expect(s.aliases, s.name).toEqual([`${prefix}${topicByArn.get(s.inputs.topic)}-email-${[a, b].indexOf(s.inputs.endpoint)}`]);
    }
    // The deployed subscriptions (by index) are these ones renamed: the transition changes nothing.
    expect(checkPlanTransition(deployedByIndex(graph, [a, b]), graph).map(formatFinding)).toEqual([]);
  });

  it("from today's names, a changed list leaves the remaining subscriptions alone (no transition finding)", async () => {
    const deployed = await monitoring([a, b]);
    for (const emails of [[b], [c, a], [b, a]]) {
      expect(checkPlanTransition(deployed, await monitoring(emails)).map(formatFinding), JSON.stringify(emails)).toEqual([]);
    }
  });

  it("upgrading from names by position with a changed list is still the old failure, and the transition check says so: change the list in a later update", async () => {
    const deployed = deployedByIndex(await monitoring([a, b]), [a, b]);
    const next = await monitoring([b]);
    // b's subscriptions claim email-0 (a's) through their aliases, which replaces them onto b while email-1 (b) is removed.
    const findings = checkPlanTransition(deployed, next);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual(ofType(next, SUBSCRIPTION).map((s) => ["TransitionNameOverwritten", `${SUBSCRIPTION} ${s.name}`]));
    expect(findings).toHaveLength(2);
  });
});
