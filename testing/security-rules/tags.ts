import { STACK_TAG_KEYS, TAGGABLE_TYPES } from "../../components/tags";
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
      .filter((r) => r.custom && TAGGABLE_TYPES.has(r.type))
      .flatMap((r) => {
        const tags = (r.inputs.tags ?? {}) as Record<string, string>;
        const missing = Object.values(STACK_TAG_KEYS).filter((key) => !tags[key]);
        if (missing.length > 0) return [finding("Tagged", r, `has no ${missing.join(" or ")} tag`)];
        if (tags[STACK_TAG_KEYS.stack] !== context.stack) return [finding("Tagged", r, `is tagged stack=${tags[STACK_TAG_KEYS.stack]}, not ${context.stack}`)];
        return [];
      });
  },
};
