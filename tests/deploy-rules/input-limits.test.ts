/**
 * The passing side of input limits the fixtures fail (fixtures/descriptions.ts, fixtures/iam.ts): a value at the limit,
 * or of the form AWS takes, gives no finding, so the rules refuse only what AWS refuses.
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, DESCRIPTION_LIMITS, SNS_DISPLAY_NAME_CHARACTERS } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

describe("DescriptionLimits: an SNS topic's display name", () => {
  const topic = (displayName: string) => handBuilt("aws:sns/topic:Topic", "alerts", { displayName });

  it("takes a display name of exactly 100 characters, spaces, hyphens and underscores counted", () => {
    const displayName = "Gallery alerts - prod_".padEnd(SNS_DISPLAY_NAME_CHARACTERS, "x");
    expect(displayName).toHaveLength(100);
    expect(checkDeployRules([topic(displayName)], devContext, [DESCRIPTION_LIMITS])).toEqual([]);
  });

  it("refuses one of 101, naming the topic, the input, its length and the fix", () => {
    expect(checkDeployRules([topic("x".repeat(101))], devContext, [DESCRIPTION_LIMITS])).toEqual([
      {
        stack: "dev",
        rule: "DescriptionLimits",
        resource: "aws:sns/topic:Topic alerts",
        problem: "has displayName of 101 characters; SetTopicAttributes takes a topic display name of at most 100",
        fix: "shorten displayName to 100 characters or fewer",
      },
    ]);
  });
});
