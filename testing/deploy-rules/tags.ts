/** Tag deploy rules: what AWS refuses in a resource's tags (the stack's cost-allocation tags included). */
import { tagProblem, tagsPerResource, TAGGABLE_TYPES } from "../../components/tags";
import type { Graph } from "../../local/offline/graph";
import { finding, type DeployFinding, type DeployRule } from "./rule";

/**
 * "Maximum number of tags per resource – 50", keys up to 128 and values up to 256 characters, "A-Z, a-z, 0-9,
 * space, and _ . : / = + @ – (hyphen). This is the standard set of characters available across AWS services that
 * support tags", and no `aws:` prefix. A stack tag that breaks one fails every resource it lands on. Some types take
 * fewer (components/tags.ts TAG_LIMIT_OVERRIDES): Route 53 health checks and hosted zones 10 ("You can add a maximum
 * of 10 tags to a health check or a hosted zone", https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeTagsForResource.html).
 */
export const TAG_LIMITS_RULE: DeployRule = {
  id: "TagLimits",
  title: "Tags fit AWS's limits: at most 50 per resource (10 on a Route 53 health check or hosted zone), valid keys and values, no aws: prefix",
  source: "https://docs.aws.amazon.com/personalize/latest/dg/personalize-managing-tags.html",
  check(graph: Graph) {
    const findings: DeployFinding[] = [];
    for (const r of graph.filter((x) => TAGGABLE_TYPES.has(x.type) && x.inputs.tags)) {
      const tags = Object.entries(r.inputs.tags as Record<string, unknown>);
      const limit = tagsPerResource(r.type);
      if (tags.length > limit.perResource) {
        findings.push(finding("TagLimits", r, `has ${tags.length} tags; ${limit.what}`, "drop stack tags (the tags config) or the resource's own tags"));
      }
      for (const [key, value] of tags) {
        const problem = tagProblem(key, value);
        if (problem) findings.push(finding("TagLimits", r, `tag ${JSON.stringify(key)} ${problem}`, "fix the tag in the tags config or where the resource sets it"));
      }
    }
    return findings;
  },
};

export const TAG_RULES: DeployRule[] = [TAG_LIMITS_RULE];
