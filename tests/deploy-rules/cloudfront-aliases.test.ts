/**
 * CloudFrontAliasUnique and CloudFrontAliasUniqueAcrossStacks on what users build right (their fixtures are in
 * fixtures/cloudfront.ts): a wildcard beside an exact name, names differing only in case, and one stack's duplicate,
 * which only the stack rule reports.
 */
import { describe, expect, it } from "vitest";
import { CLOUDFRONT_ALIAS_UNIQUE, checkDeployRules, checkProjectDeployRules, CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const cdn = (name: string, aliases: string[]) => handBuilt(DISTRIBUTION, name, { aliases });
const prod = { ...devContext, stack: "prod", production: true };

describe("CloudFrontAliasUnique", () => {
  it("passes a wildcard on one distribution beside an exact name it covers on another (CloudFront allows the overlap)", () => {
    expect(checkDeployRules([cdn("wild", ["*.example.com"]), cdn("www", ["www.example.com"])], devContext, [CLOUDFRONT_ALIAS_UNIQUE])).toEqual([]);
  });

  it("compares names in lower case, as DNS does", () => {
    const findings = checkDeployRules([cdn("a", ["www.example.com"]), cdn("b", ["WWW.Example.com"])], devContext, [CLOUDFRONT_ALIAS_UNIQUE]);
    expect(findings.map((f) => [f.resource, f.problem.split(":")[0]])).toEqual([[`${DISTRIBUTION} b`, "has alternate domain name www.example.com, which aws"]]);
  });
});

describe("CloudFrontAliasUniqueAcrossStacks", () => {
  it("passes stacks with their own names, and leaves one stack's duplicate to the stack rule", () => {
    expect(checkProjectDeployRules([{ graph: [cdn("site", ["dev.example.com"])], context: devContext }, { graph: [cdn("site", ["example.com"])], context: prod }], [CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS])).toEqual([]);
    expect(checkProjectDeployRules([{ graph: [cdn("a", ["example.com"]), cdn("b", ["example.com"])], context: devContext }], [CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS])).toEqual([]);
  });

  const overlap = (accounts: [string | undefined, string | undefined], wildcard = "*.example.com", exact = "www.example.com") =>
    checkProjectDeployRules(
      [
        { graph: [cdn("site", [exact])], context: { ...prod, account: accounts[0] } },
        { graph: [cdn("site", [wildcard])], context: { ...devContext, stack: "preview", account: accounts[1] } },
      ],
      [CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS],
    );

  it("passes a wildcard in one stack over another stack's name, whatever the accounts (CloudFront no longer refuses a cross-account wildcard, AWS, July 2021)", () => {
    expect(overlap(["123456789012", "123456789012"])).toEqual([]);
    expect(overlap(["123456789012", "210987654321"])).toEqual([]);
    expect(overlap([undefined, undefined])).toEqual([]);
  });

  it("reports one name claimed by two stacks, in any case, on each stack's distribution", () => {
    const findings = checkProjectDeployRules([{ graph: [cdn("site", ["www.example.com"])], context: prod }, { graph: [cdn("site", ["WWW.example.com"])], context: { ...devContext, stack: "staging" } }], [CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS]);
    expect(findings.map((f) => `${f.rule} ${f.stack} ${f.resource}`)).toEqual([`CloudFrontAliasUniqueAcrossStacks prod ${DISTRIBUTION} site`, `CloudFrontAliasUniqueAcrossStacks staging ${DISTRIBUTION} site`]);
  });
});
