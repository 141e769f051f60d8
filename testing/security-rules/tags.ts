import { REMOTE_TAGGED_COMPONENTS, STACK_TAG_KEYS, TAGGABLE_TYPES } from "../../components/tags";
import { finding, type SecurityRule } from "./rule";

/**
 * Cost allocation: every taggable resource of a stack carries `app` and `stack` (registerStackTags). A stack
 * rule — it holds for a whole program, not for a component recorded on its own, which gets no stack tags.
 */
export const TAGGED: SecurityRule = {
  id: "Tagged",
  title: "Every taggable resource carries the app and stack tags",
  check(graph, context) {
    return graph
      .filter((r) => (r.custom && TAGGABLE_TYPES.has(r.type)) || REMOTE_TAGGED_COMPONENTS.has(r.type))
      .flatMap((r) => {
        const tags = (r.inputs.tags ?? {}) as Record<string, string>;
        const missing = Object.values(STACK_TAG_KEYS).filter((key) => !tags[key]);
        if (missing.length > 0) return [finding("Tagged", r, `has no ${missing.join(" or ")} tag`)];
        if (tags[STACK_TAG_KEYS.stack] !== context.stack) return [finding("Tagged", r, `is tagged stack=${tags[STACK_TAG_KEYS.stack]}, not ${context.stack}`)];
        // A global table's replicas are tables of their own, tagged only when the table propagates its tags to them.
        const replicas = r.type === "aws:dynamodb/table:Table" ? ((r.inputs.replicas ?? []) as Array<{ regionName: string; propagateTags?: boolean }>) : [];
        return replicas.filter((replica) => replica.propagateTags !== true).map((replica) => finding("Tagged", r, `has a replica in ${replica.regionName} that does not get its tags (propagateTags)`));
      });
  },
};
