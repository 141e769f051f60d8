/** Queries over a recorded resource graph, shared by the plan printer, the security rules and tests. */
import type { RecordedResource } from "./mocks";

export type Graph = readonly RecordedResource[];

/**
 * The `deleteBeforeReplace` the engine takes over the provider's answer for `r`, or undefined when the program leaves it
 * to the provider: set when the value is true or was given (pulumi pkg/resource/deploy/source_eval.go RegisterResource,
 * `if req.GetDeleteBeforeReplaceDefined() || req.GetDeleteBeforeReplace()`, line 2354 at
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8; see RecordedResource.deleteBeforeReplaceDefined).
 */
export function explicitDeleteBeforeReplace(r: Pick<RecordedResource, "deleteBeforeReplace" | "deleteBeforeReplaceDefined">): boolean | undefined {
  return r.deleteBeforeReplace === true || r.deleteBeforeReplaceDefined === true ? r.deleteBeforeReplace === true : undefined;
}

/**
 * Whether a recorded input value is unknown: a preview (mocks installed with `preview`) records an Output not resolved
 * yet as @pulumi/pulumi's `Unknown` (output.js), whose one field is `__pulumiUnknown: true`, and a plan written to JSON
 * keeps that field. An input the program leaves unset is absent instead, so an unknown one was given by the program.
 */
export function isUnknown(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { __pulumiUnknown?: unknown }).__pulumiUnknown === true;
}

/**
 * Whether the program gives an autoname field (a pulumi-aws `name`) a value of its own: a non-empty string, or a value
 * unknown at preview (isUnknown). An autonamed resource's field is absent from the recorded inputs (the provider's Check
 * draws the name, and the mocks record the program's inputs), so an unknown one is an Output the program passed, and the
 * bridge reads it as set by hand too: its Check autonames a field only when the inputs lack it (pulumi-terraform-bridge
 * pkg/tfbridge/schema.go applyDefaults, `if _, has := result[name]; !has && info.HasDefault()`; an unknown converts to
 * TerraformUnknownVariableValue, so it is there), and its Diff's nameRequiresDeleteBeforeReplace asks delete-first for
 * every key of the new inputs with an AutoNamed default that `__defaults` does not list (`for key := range news`; read
 * at 59de6c661df1e7561e6ece7ad7f1c835c63010c4). Not covered: an unknown Output that resolves to undefined at update,
 * which is then autonamed.
 */
export function nameGiven(value: unknown): boolean {
  return (typeof value === "string" && value !== "") || isUnknown(value);
}

/**
 * The type part of a URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`): the resource's own type (the
 * last of the chain), or with `qualified` the whole chain (its ancestors' types, `$`-joined, then its own; as the mock
 * monitor writes it, its parent's own type only). "" for a string that is no URN. The one reader of a URN's type.
 */
export function urnType(urn: string, options: { qualified?: boolean } = {}): string {
  const chain = urn.split("::")[2] ?? "";
  return options.qualified ? chain : chain.slice(chain.lastIndexOf("$") + 1);
}

/**
 * The name part of a URN (`urn:pulumi:<stack>::<project>::<type chain>::<name>`): everything after the type chain, so
 * a name that holds `::` is read whole. "" for a string that is no URN. The one reader of a URN's name.
 */
export function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

export function ofType(graph: Graph, type: string): RecordedResource[] {
  const held = heldIndex(graph);
  if (!held) return graph.filter((r) => r.type === type);
  held.byType ??= groupByType(graph);
  return [...(held.byType.get(type) ?? [])];
}

/**
 * The first resource of `type` in the graph's order for which `test` holds. While the graph is held (holdingGraphs) it
 * reads only the resources of `type`, from the run's look-up, and copies nothing; otherwise (a caller outside the
 * deploy-rule runners and checkPlanTransition, which hold their plans) it is one pass that stops at the first match,
 * not a filter and a copy of the whole plan per call.
 */
export function findOfType(graph: Graph, type: string, test: (r: RecordedResource) => boolean): RecordedResource | undefined {
  const held = heldIndex(graph);
  if (!held) return graph.find((r) => r.type === type && test(r));
  held.byType ??= groupByType(graph);
  return held.byType.get(type)?.find(test);
}

function groupByType(graph: Graph): Map<string, RecordedResource[]> {
  const byType = new Map<string, RecordedResource[]>();
  for (const r of graph) {
    const list = byType.get(r.type);
    if (list) list.push(r);
    else byType.set(r.type, [r]);
  }
  return byType;
}

/** The single resource of a type and name; throws with the names that do exist, to make failing tests readable. */
export function resource(graph: Graph, type: string, name: string): RecordedResource {
  const found = graph.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const names = ofType(graph, type).map((r) => r.name);
    throw new Error(`expected one ${type} named "${name}", found ${found.length}; ${type} names: ${names.join(", ") || "(none)"}`);
  }
  return found[0];
}

/** The earlier logical names a resource carries as `aliases` (each alias URN's name). */
export function aliasNames(resource: RecordedResource): string[] {
  return (resource.aliases ?? []).map((urn) => urn.slice(urn.lastIndexOf("::") + 2));
}

export function childrenOf(graph: Graph, parent: RecordedResource): RecordedResource[] {
  return graph.filter((r) => r.parent === parent.urn);
}

/**
 * The values another resource's input may name `resource` by: its id, bucket name, ARN and name, whichever it has (as
 * recorded, so not necessarily strings). Shared by attachedTo, attachedIndex and the deploy rules' referenced.
 * @internal
 */
export function identitiesOf(resource: RecordedResource): unknown[] {
  return [resource.id, resource.state.bucket, resource.state.arn, resource.state.name].filter(Boolean);
}

/** Resources of `type` whose `field` input names `target` (by bucket name, id or ARN). */
export function attachedTo(graph: Graph, type: string, field: string, target: RecordedResource): RecordedResource[] {
  // One pass, no index: a single question should not pay for every holder's answer (attachedIndex is for loops).
  const identities = identitiesOf(target);
  return ofType(graph, type).filter((r) => identities.includes(r.inputs[field]));
}

/**
 * attachedTo for many targets: the `type` resources are read once, by the value of their `field`, so asking for each of
 * a plan's holders costs a look-up, not a pass over the plan. The answer keeps the plan's order, as attachedTo's does.
 * The look-up reflects `graph` as it was when attachedIndex was called: build it once per rule run, not per question.
 * Internal: the one-writer rules' look-up (testing/deploy-rules/one-policy.ts); attachedTo is the package's query.
 * @internal
 */
export function attachedIndex(graph: Graph, type: string, field: string): (target: RecordedResource) => RecordedResource[] {
  const byReference = new Map<unknown, RecordedResource[]>();
  const position = new Map<RecordedResource, number>();
  ofType(graph, type).forEach((r, index) => {
    position.set(r, index);
    const named = byReference.get(r.inputs[field]);
    if (named) named.push(r);
    else byReference.set(r.inputs[field], [r]);
  });
  return (target) => {
    return [...new Set(identitiesOf(target))].flatMap((identity) => byReference.get(identity) ?? []).sort((a, b) => position.get(a)! - position.get(b)!);
  };
}

/**
 * The plan's resource an input holds as a resource reference (an input typed `string | Resource`, such as a Permission's
 * `function`, given the resource itself): the recording keeps the Pulumi resource object, whose URN is an Output, so it
 * is matched by its type and logical name (the fields @pulumi/pulumi's Resource.isInstance, resourceType and resourceName
 * read; not imported, as the local runtime loads this file). Undefined for any other value, and when two resources of
 * that type share the name (under different parents), which the object cannot tell apart.
 * Internal: read by the deploy rules' permissionFunction only.
 * @internal
 */
export function referencedResource(graph: Graph, value: unknown): RecordedResource | undefined {
  if (!value || typeof value !== "object" || (value as { __pulumiResource?: unknown }).__pulumiResource !== true) return undefined;
  const { __pulumiType: type, __name: name } = value as { __pulumiType?: unknown; __name?: unknown };
  const found = graph.filter((r) => r.type === type && r.name === name);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * The region a recorded resource is created in: its own `region` input (provider v7's per-resource region), else its
 * explicit provider's region, else the stack's (`stackRegion`). Read by the deploy rules (testing/deploy-rules/rule.ts
 * regionOf) and by the local runtime's resource policies (local/resource-policies.ts: a bus policy's region).
 * Under an explicit provider that sets no region, the stack's is a guess, as the recording mocks make it: such a
 * provider reads AWS_REGION / AWS_DEFAULT_REGION (@pulumi/aws's Provider fills `region` from them when the program
 * runs) or the profile's region, never the stack's `aws:region`, which is the default provider's config
 * (https://www.pulumi.com/registry/packages/aws/installation-configuration/). The transition checks, which compare
 * regions across a change of the stack's region, take it as unknown instead (testing/deploy-rules/transition.ts where).
 * Internal: the package's testing entry point offers it as regionOf, with a rule's context.
 * @internal
 */
export function resourceRegion(graph: Graph, resource: RecordedResource, stackRegion: string): string {
  if (typeof resource.inputs.region === "string" && resource.inputs.region) return resource.inputs.region;
  if (resource.provider) {
    const provider = graph.find((p) => p.type.startsWith("pulumi:providers:") && resource.provider!.startsWith(`${p.urn}::`));
    if (typeof provider?.inputs.region === "string" && provider.inputs.region) return provider.inputs.region;
  }
  return stackRegion;
}

export function countByType(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of graph) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/** Policy documents arrive as JSON strings (from getPolicyDocument or JSON.stringify); parse either way. */
export function policyDocument(policy: unknown): { Statement: Array<Record<string, any>> } {
  const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  return { Statement: statements };
}

/**
 * policyDocument for a document a rule may not be able to read (a user's hand-written JSON text): undefined when the text
 * is not JSON, so the rule skips it rather than throwing and losing every other rule's findings for the stack.
 */
export function readablePolicyDocument(policy: unknown): { Statement: Array<Record<string, any>> } | undefined {
  try {
    return policyDocument(policy);
  } catch {
    return undefined;
  }
}

/** Whether a recorded resource has its inputs (a saved plan keeps only some resources' inputs). */
export function hasInputs(r: RecordedResource): boolean {
  return Object.keys(r.inputs).length > 0;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A distribution's cache behaviours, the default first, each with the path it is printed by ("default" or its pattern). */
export function cacheBehaviours(distribution: RecordedResource): Array<{ path: string; behaviour: Record<string, any> }> {
  const ordered: Array<Record<string, any>> = distribution.inputs.orderedCacheBehaviors ?? [];
  return [
    ...(distribution.inputs.defaultCacheBehavior ? [{ path: "default", behaviour: distribution.inputs.defaultCacheBehavior }] : []),
    ...ordered.map((behaviour) => ({ path: String(behaviour.pathPattern), behaviour })),
  ];
}

/**
 * URNs of everything `resource` waits for before the engine creates it: its recorded dependencies and its ancestors'
 * (parent, parent's parent, ...), and theirs, transitively (the engine orders by that closure). An ancestor's
 * dependencies count because the SDK registers a child only after its parent: in @pulumi/pulumi 3.248.0
 * runtime/resource.js, prepareResource awaits `parent.urn.promise()` (l.647) before the child's RegisterResource, the
 * parent's own registration first awaits the URNs of its dependsOn
 * (`getAllTransitivelyReferencedResourceURNs(explicitDirectDependencies, exclude)`, l.704), and a custom resource's
 * URN resolves only when its RegisterResource answers (`resop.resolveURN(resp.getUrn(), err)`, l.516), i.e. after the
 * engine created it. So `new LambdaFunction(..., { dependsOn: [x] })` holds back every resource of the component until
 * x exists. (The ancestors themselves are not added: a component is not created. A custom resource given as `parent` is
 * waited for too, yet left out: the closure can only be smaller than the engine's order, so a rule reads it as "maybe not
 * after" and at worst over-reports.)
 *
 * What a component's recorded dependencies hold, all of which its registration awaits and so its children wait for:
 * its dependsOn (expanded to custom descendants), its replaceWith targets, and the resources behind Outputs in the props
 * it sends. In @pulumi/pulumi 3.248.0 a ComponentResource sends its `args` unless PULUMI_NODEJS_SKIP_COMPONENT_INPUTS is
 * set (resource.js l.599-605; added by pulumi/pulumi PR #20842, https://github.com/pulumi/pulumi/pull/20842), and
 * prepareResource serialises the props, awaiting those Outputs, before it waits for the parent and registers (runtime/
 * resource.js l.635 before l.647). Providers are not dependencies (they go in providerRefs). This project's components
 * all send `{}`, so theirs are their dependsOn and replaceWith only; a user's component that sends Output-holding args
 * has them recorded too, matching the SDK the recording ran with. Upstream pulumi/pulumi PR #23961 (open,
 * https://github.com/pulumi/pulumi/pull/23961) would stop sending a local component's args by default (opt-in
 * `sendComponentInputs`): a recording and a deploy on SDK versions either side of it would then disagree about such props.
 *
 * `{ ancestors: false }` follows only the resources' own recorded dependencies, for "derives a value from" rather than
 * "is created after": a dependsOn orders creation and hands over no value, so a parent's dependsOn does not make its
 * children's inputs come from that resource (the replacement cascade, replacements.ts, reads it so).
 */
export function dependencyClosure(graph: Graph, resource: RecordedResource, options: { ancestors?: boolean } = {}): Set<string> {
  const byUrn = resourcesByUrn(graph);
  const followAncestors = options.ancestors ?? true;
  /** A resource's own dependencies and (unless left out) its ancestors'. */
  const waitsFor = (r: RecordedResource | undefined): string[] => {
    const urns: string[] = [];
    const ancestors = new Set<string>();
    for (let at = r; at && !ancestors.has(at.urn); at = !followAncestors || at.parent === undefined ? undefined : byUrn.get(at.parent)) {
      ancestors.add(at.urn);
      urns.push(...at.dependencies);
    }
    return urns;
  };
  const seen = new Set<string>();
  const pending = waitsFor(resource);
  while (pending.length > 0) {
    const urn = pending.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    pending.push(...waitsFor(byUrn.get(urn)));
  }
  return seen;
}

/** The look-ups of one graph, and the graph's resources and their URNs as they were when they were made. */
interface GraphIndex {
  resources: RecordedResource[];
  urns: string[];
  byUrn: Map<string, RecordedResource>;
  /** ofType's answers, made while the graph is held (holdingGraphs) and kept only as long as it is. */
  byType?: Map<string, RecordedResource[]>;
}

const indexes = new WeakMap<Graph, GraphIndex>();
/** The graphs holdingGraphs holds, each with how many holds are open on it (a rule run may start another). */
const holds = new Map<Graph, number>();

/**
 * A graph's look-up (its resources by URN, the last of a URN, as `new Map(graph.map(...))` keeps it), built on the first
 * question about that graph and kept with it (a WeakMap, dropped with the graph): dependencyClosure is asked by many
 * rules per plan, each time about the same graph. The graph is read as it is at each call, as when the map was built
 * afresh: the look-up is rebuilt when a resource has been added, removed or replaced since, or its URN has changed (the
 * recording mocks push a resource with an empty URN and fill it in when the engine answers). Checking that is one
 * comparison per resource, without the allocations of building the map; while the graph is held (holdingGraphs) it
 * was checked when the hold began. A resource's parent and dependencies are not kept: they are read at each call.
 */
function graphIndex(graph: Graph): GraphIndex {
  const known = indexes.get(graph);
  if (known && (holds.has(graph) || (known.resources.length === graph.length && graph.every((r, i) => r === known.resources[i] && r.urn === known.urns[i])))) return known;
  const index: GraphIndex = { resources: [...graph], urns: graph.map((r) => r.urn), byUrn: new Map(graph.map((r) => [r.urn, r])) };
  indexes.set(graph, index);
  return index;
}

function resourcesByUrn(graph: Graph): Map<string, RecordedResource> {
  return graphIndex(graph).byUrn;
}

/** The graph's look-up while it is held (holdingGraphs), for the queries that keep more of it then (ofType). */
function heldIndex(graph: Graph): GraphIndex | undefined {
  return holds.has(graph) ? graphIndex(graph) : undefined;
}

/**
 * Runs `run` (synchronous) with `graphs` held still: the caller promises nothing adds, removes or replaces their
 * resources or changes a URN or type until it returns. Meanwhile the queries here answer from look-ups made once per
 * graph instead of a pass over it per question (ofType, asked by most deploy rules; dependencyClosure's check that the
 * graph is unchanged). The answers are the ones the passes give, in the same order, each a new array. For the deploy-rule
 * runners (testing/deploy-rules/index.ts): the rules read the plan, none writes it.
 * @internal
 */
export function holdingGraphs<T>(graphs: readonly Graph[], run: () => T): T {
  const held = [...new Set(graphs)];
  for (const graph of held) {
    // Checked (or made) as the hold begins: the graph may have changed since its look-up was made.
    if (!holds.has(graph)) graphIndex(graph);
    holds.set(graph, (holds.get(graph) ?? 0) + 1);
  }
  try {
    return run();
  } finally {
    for (const graph of held) {
      const open = holds.get(graph)! - 1;
      if (open > 0) {
        holds.set(graph, open);
      } else {
        holds.delete(graph);
        delete indexes.get(graph)?.byType;
      }
    }
  }
}
