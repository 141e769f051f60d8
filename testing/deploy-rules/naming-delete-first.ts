/**
 * Which custom resources the stack's `pulumi:autonaming` makes the engine replace delete-first: those under `mode:
 * verbatim`, `mode: disabled` or a pattern with no random expression (one of zero length, `${hex(0)}`, is random to the
 * engine). The engine sets the goal's deleteBeforeReplace on every
 * custom resource under such a setting, whether or not the program names it and over a `deleteBeforeReplace: false` the
 * program gives (pulumi/pulumi pkg/resource/deploy/step_generator.go continueStepsFromImport, lines 1277-1285 at
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8: `if sg.deployment.opts.Autonamer != nil && goal.Custom {` … `if dbr {
 * goal.DeleteBeforeReplace = &dbr }`; pkg/resource/autonaming/strategy.go: Verbatim and Disabled return true, a Pattern
 * `!hasRandom`, the default nil options and false), which continueStepsFromDiff then takes over the provider's answer
 * (lines 2043-2046). Components (not custom) are not replaced at all. None under Pulumi's default. One decision for the
 * transition checks (transition.ts planUpdate) and the single-plan rules (deployment-triggers.ts); a leaf module (it
 * imports types only: its callers pass autonaming.ts configuredNaming's answer), so that autonaming.ts can make
 * deployment-triggers.ts's rule under the naming (rulesUnderAutonaming) without an import cycle.
 */
import type { Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import type { ConfiguredNaming } from "./names";

/** The setting (as configuredNaming words it) under which the engine replaces `r` delete-first, or undefined. */
export function namingDeletesFirst(naming: ConfiguredNaming, r: RecordedResource): string | undefined {
  const configured = r.custom ? naming(r) : undefined;
  // createFirst, not random: a pattern whose random parts have zero length (`${hex(0)}`) is still create-first.
  return configured && ("disabled" in configured || !configured.createFirst) ? configured.setting : undefined;
}

/**
 * The custom resources of `after` that the engine replaces delete-first under the stack's naming (autonaming.ts
 * configuredNaming of its config; undefined: Pulumi's default) (namingDeletesFirst), each to the setting that does it.
 */
export function deletedFirstByNaming(after: Graph, naming: ConfiguredNaming | undefined): Map<string, string> {
  if (!naming) return new Map();
  return new Map(
    after.flatMap((r) => {
      const setting = namingDeletesFirst(naming, r);
      return setting ? [[r.urn, setting] as const] : [];
    }),
  );
}
