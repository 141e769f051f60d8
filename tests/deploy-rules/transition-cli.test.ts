/**
 * `npm run plan -- --save <file>` and `--since <file>`: the command line, the saved file and the report, without
 * running the program (tests/plan.test.ts runs it).
 */
import { describe, expect, it } from "vitest";
import { planOptions, reportTransitionFindings, savedPlanFor } from "../../scripts/plan";
import { acceptTransitionFindings, checkPlanTransition, formatFinding, toSavedPlan } from "../../testing/deploy-rules";
import { handBuilt } from "./fixture";

const dashboard = (logical: string) => handBuilt("aws:cloudwatch/dashboard:Dashboard", logical, { dashboardName: "serverless-fullstack-prod", dashboardBody: "{}" });

describe("npm run plan options", () => {
  it("takes --save and --since with a file, beside --stack", () => {
    expect(planOptions(["--stack", "prod", "--save", "main.json"])).toEqual({ stack: "prod", preview: false, save: "main.json" });
    expect(planOptions(["--stack", "prod", "--since", "main.json"])).toEqual({ stack: "prod", preview: false, since: "main.json" });
    expect(planOptions([])).toEqual({ stack: "dev", preview: false });
  });

  it("takes --accept <Rule>:<urn> (repeated) with --since, checked before the program runs", () => {
    const accept = ["TransitionStatefulReplaced:urn:pulumi:prod::serverless-fullstack::aws:dynamodb/table:Table::invoices", "TransitionNameTaken:urn:pulumi:prod::p::aws:s3/bucket:Bucket::b"];
    expect(planOptions(["--stack", "prod", "--since", "main.json", "--accept", accept[0], "--accept", accept[1]])).toEqual({ stack: "prod", preview: false, since: "main.json", accept });
    expect(() => planOptions(["--stack", "prod", "--accept", accept[0]])).toThrow("--accept accepts findings of --since: npm run plan -- --stack prod --since <file> --accept <Rule>:<urn>");
    expect(() => planOptions(["--since", "main.json", "--accept", "TransitionStatefulReplaced"])).toThrow('accept "TransitionStatefulReplaced" names no resource');
  });

  it("refuses them with --preview (outputs unknown) and without a file name", () => {
    expect(() => planOptions(["--since", "main.json", "--preview"])).toThrow("--since reads resolved values, which --preview leaves unknown: drop --preview");
    expect(() => planOptions(["--stack", "prod", "--save="])).toThrow("--save needs a file name: npm run plan -- --stack prod --save plan-prod.json");
  });
});

describe("the saved plan", () => {
  it("keeps what the transition checks read and leaves out other inputs (secrets, code)", () => {
    const fn = handBuilt("aws:lambda/function:Function", "api-fn", { environment: { variables: { API_TOKEN: "s3cret" } } });
    const saved = savedPlanFor(JSON.stringify(toSavedPlan([dashboard("ops-dashboard"), fn], { stack: "prod", region: "us-east-1" })), "main.json", "prod");
    expect(saved.resources.map((r) => [r.name, r.inputs])).toEqual([
      ["ops-dashboard", { dashboardName: "serverless-fullstack-prod", dashboardBody: "{}" }],
      ["api-fn", {}],
    ]);
    expect(JSON.stringify(saved)).not.toContain("s3cret");
    // What --since then compares: the dashboard renamed in the program.
    expect(checkPlanTransition(saved.resources, [dashboard("monitoring-dashboard")]).map((f) => f.rule)).toEqual(["TransitionNameOverwritten"]);
  });

  it("is refused when it is not a saved plan, or another stack's", () => {
    expect(() => savedPlanFor("{}", "main.json", "prod")).toThrow('main.json is not a saved plan (format "serverless-fullstack/plan@1" with stack and resources): write it with npm run plan -- --stack <stack> --save <file>');
    expect(() => savedPlanFor("not json", "main.json", "prod")).toThrow(/^main\.json is not JSON/);
    const dev = JSON.stringify(toSavedPlan([], { stack: "dev", region: "us-east-1" }));
    expect(() => savedPlanFor(dev, "main.json", "prod")).toThrow("main.json is the plan of stack dev, not prod: compare plans of one stack (--stack dev, or save prod's plan with --save)");
  });
});

describe("the --since report", () => {
  it("prints each finding with its fix and exits 1, or says there are none", () => {
    const lines: string[] = [];
    const findings = checkPlanTransition([dashboard("ops-dashboard")], [dashboard("monitoring-dashboard")], { stack: "prod" });
    expect(reportTransitionFindings(findings, "main.json", (line) => lines.push(line))).toBe(1);
    expect(lines[0]).toBe("\nSince main.json: 1 finding(s) a `pulumi up` from that plan to this one would fail on or break:");
    expect(lines[1]).toMatch(/^ {2}- prod: \[TransitionNameOverwritten\] aws:cloudwatch\/dashboard:Dashboard monitoring-dashboard: .+\. Fix: /);
    // How to accept it after review, to copy.
    expect(lines[2]).toBe(`    accept after review: --accept TransitionNameOverwritten:${dashboard("monitoring-dashboard").urn}`);
    const none: string[] = [];
    expect(reportTransitionFindings([], "main.json", (line) => none.push(line))).toBe(0);
    expect(none).toEqual(["\nSince main.json: no findings."]);
  });

  it("lists the accepted findings and the acceptances that matched none, and exits 0 when every finding is accepted", () => {
    const findings = checkPlanTransition([dashboard("ops-dashboard")], [dashboard("monitoring-dashboard")], { stack: "prod" });
    const stale = "TransitionNameTaken:urn:pulumi:prod::p::aws:s3/bucket:Bucket::gone";
    const lines: string[] = [];
    expect(reportTransitionFindings(acceptTransitionFindings(findings, [`TransitionNameOverwritten:${findings[0].urn}`, stale]), "main.json", (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual([
      "\nSince main.json: no findings.",
      "Accepted with --accept (1):",
      `  - ${formatFinding(findings[0])}`,
      `warning: --accept ${stale} matches no finding of this comparison: drop it`,
    ]);
  });
});
