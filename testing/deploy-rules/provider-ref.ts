/**
 * How the deploy rules read a resource's explicit provider (its recorded provider reference), for accountScope (rule.ts)
 * and the transition checks' regions. Not part of the `testing` exports (index.ts does not re-export this module).
 */
import type { Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";

/** The URN of the provider a resource's provider reference (`<provider URN>::<provider id>`) names; undefined for none (a component, or a plan recorded without it). */
export const providerUrnOf = (r: Pick<RecordedResource, "provider">): string | undefined => (r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : undefined);

/** The explicit provider `resource` names (providerUrnOf) among `graph`'s resources; undefined for the default provider or one the plan does not hold. */
export const providerOf = (graph: Graph, resource: Pick<RecordedResource, "provider">): RecordedResource | undefined => {
  const urn = providerUrnOf(resource);
  return urn === undefined ? undefined : graph.find((p) => p.urn === urn && p.type.startsWith("pulumi:providers:"));
};
