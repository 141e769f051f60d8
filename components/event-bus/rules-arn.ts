/**
 * The shape of an event bus's rules' ARNs and EventBridge's service principal, shared by EventBus (its `rulesArn`, a
 * Topic target's check), MessageQueue (its `eventBuses` statement) and the deploy rules. No component imports here,
 * so MessageQueue can use it without a cycle through EventBus.
 */
import * as pulumi from "@pulumi/pulumi";

/** EventBridge's service principal: what a rule's target's resource policy, a Workflow target's role and a target's KMS key must let act. */
export const EVENTS_PRINCIPAL = "events.amazonaws.com";

/** Every rule of the event bus `busArn` (`arn:…:event-bus/<name>`): `arn:…:rule/<name>/*`, as a custom bus's rules' ARNs are. */
export function busRulesArn(busArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(busArn).apply((arn) => `${arn.replace(":event-bus/", ":rule/")}/*`);
}

/**
 * Each bus component's `rulesArn` Output, to the component: a Topic's `servicePublishers` sourceArn that is one of these
 * names that bus at construction, before its value is known, so a subscription on another bus is refused there and not
 * mid-deploy. Weak: a bus's Output is kept no longer than the bus.
 */
const RULES_ARN_BUSES = new WeakMap<object, pulumi.Resource>();

/** Records `rulesArn` as the rules' ARN of `bus`. */
export function registerRulesArn(rulesArn: pulumi.Output<string>, bus: pulumi.Resource): void {
  RULES_ARN_BUSES.set(rulesArn, bus);
}

/** The bus whose `rulesArn` `source` is, or undefined for a string or an Output of the user's own. */
export function rulesArnBus(source: pulumi.Input<string> | undefined): pulumi.Resource | undefined {
  return source !== null && typeof source === "object" ? RULES_ARN_BUSES.get(source) : undefined;
}
