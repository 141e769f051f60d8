/**
 * A failover PRIMARY whose only health signal would be an alias evaluating a CloudFront distribution: Route 53 refuses
 * that alias (Route53AliasTargetHealth) and, without it, the primary has no health signal (Route53FailoverPair). The
 * graph fails two rules, so it is checked here rather than as a one-rule fixture in fixtures.test.ts.
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules } from "../../testing/deploy-rules";
import { devContext } from "./fixture";
import { cloudFrontPrimary } from "./fixtures/route53";

describe("Route 53 rules on a failover PRIMARY aliasing a CloudFront distribution with evaluateTargetHealth true", () => {
  it("do not count the alias as the primary's health signal, and refuse the alias itself", async () => {
    const findings = checkDeployRules(await cloudFrontPrimary(), devContext).map((f) => [f.rule, f.resource, f.problem]);
    expect(findings).toEqual([
      ["Route53AliasTargetHealth", "aws:route53/record:Record rx-routing-a-useast1", expect.stringMatching(/^aliases CloudFront distribution \S+ \(zone Z2FDTNDATAQYW2\) with evaluateTargetHealth true/)],
      [
        "Route53FailoverPair",
        "aws:route53/record:Record rx-routing-a-useast1",
        "is a PRIMARY failover record without a health check (and its alias targets a CloudFront distribution, whose health Route 53 does not evaluate), so it never fails over",
      ],
    ]);
  });
});
