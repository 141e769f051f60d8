/**
 * `npm run plan -- --save <file>` and `--since <file>`: the command line, the saved file and the report, without
 * running the program (tests/plan.test.ts runs it).
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { planOptions, reportSince, reportTransitionFindings, savedPlanFor } from "../../scripts/plan";
import { acceptTransitionFindings, checkPlanTransition, formatFinding, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { parseAutonaming } from "../../testing/deploy-rules/autonaming";
import { record } from "../../testing/harness";
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

  it("keeps no subscription endpoint, imported certificate or stage variable in clear, and still compares with a fresh plan", async () => {
    const context = { stack: "prod", region: "us-east-1" };
    const address = "ops@gallery.example.com";
    const program = (privateKey: string) =>
      record(() => {
        const topic = new aws.sns.Topic("ops-alarms");
        new aws.sns.TopicSubscription("ops-alarms-email", { topic: topic.arn, protocol: "email", endpoint: address });
        new aws.sns.TopicSubscription("ops-alarms-hook", { topic: topic.arn, protocol: "https", endpoint: "https://hooks.example.com/services/T0/B0/SECRETTOKEN" });
        const api = new aws.apigateway.RestApi("api", {});
        const deployment = new aws.apigateway.Deployment("api-deployment", { restApi: api.id, triggers: { snapshot: "a" }, variables: { backendKey: "deployment-variable-value" } });
        new aws.apigateway.Stage("api-stage-prod", {
          restApi: api.id,
          stageName: "prod",
          deployment: deployment.id,
          variables: { backendToken: "stage-variable-value" },
          canarySettings: { percentTraffic: 10, deploymentId: deployment.id, stageVariableOverrides: { backendToken: "canary-variable-value" } },
        });
        new aws.apigateway.DomainName("api-domain", {
          domainName: "api.gallery.example.com",
          certificateName: "imported",
          certificateBody: "-----BEGIN CERTIFICATE-----body",
          certificateChain: "-----BEGIN CERTIFICATE-----chain",
          certificatePrivateKey: privateKey,
        });
      });
    const deployed = await program("-----BEGIN PRIVATE KEY-----secret");
    const text = JSON.stringify(toSavedPlan(deployed, context));
    for (const clear of [address, "SECRETTOKEN", "hooks.example.com", "deployment-variable-value", "stage-variable-value", "canary-variable-value", "BEGIN PRIVATE KEY", "BEGIN CERTIFICATE"]) expect(text).not.toContain(clear);
    const saved = readSavedPlan(text).resources;
    const inputsOf = (name: string) => saved.find((r) => r.name === name)!.inputs;
    expect(inputsOf("ops-alarms-email")).toEqual({ topic: expect.stringMatching(/^arn:aws:sns:/), protocol: "email", endpoint: `sha256:${createHash("sha256").update(address).digest("hex")}` });
    expect(Object.keys(inputsOf("api-stage-prod")).sort()).toEqual(["canarySettings", "deployment", "restApi", "stageName"]);
    expect(Object.keys(inputsOf("api-stage-prod").canarySettings)).toEqual(["deploymentId"]);
    expect(inputsOf("api-domain")).toEqual({
      domainName: "api.gallery.example.com",
      certificateName: "imported",
      certificateBody: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      certificateChain: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      certificatePrivateKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(checkPlanTransition(saved, deployed, context).map(formatFinding)).toEqual([]);
    // Digests compare as the values do: a new private key replaces the domain create-first under its own name.
    expect(checkPlanTransition(saved, await program("-----BEGIN PRIVATE KEY-----rotated"), context).map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", "aws:apigateway/domainName:DomainName api-domain"]]);
  });

  it("reads a file saved before event source mappings kept their inputs (judging none of its mappings), and keeps them in a file saved now", () => {
    const stream = "arn:aws:dynamodb:us-east-1:123456789012:table/gallery/stream/2026-01-01T00:00:00.000";
    const mapping = (logical: string) => handBuilt("aws:lambda/eventSourceMapping:EventSourceMapping", logical, { eventSourceArn: stream, functionName: "counters", startingPosition: "LATEST", batchSize: 100 });
    const context = { stack: "prod", region: "us-east-1" };
    // The previous version's file: the mapping listed with no inputs.
    const previous = JSON.parse(JSON.stringify(toSavedPlan([mapping("counters-mapping")], context)));
    previous.resources[0] = { ...previous.resources[0], inputs: {}, savedInputs: [] };
    const old = savedPlanFor(JSON.stringify(previous), "main.json", "prod");
    expect(checkPlanTransition(old.resources, [mapping("tallies-mapping")], context)).toEqual([]);
    const now = savedPlanFor(JSON.stringify(toSavedPlan([mapping("counters-mapping")], context)), "main.json", "prod");
    expect(now.resources[0].inputs).toEqual({ eventSourceArn: stream, functionName: "counters", startingPosition: "LATEST" });
    expect(checkPlanTransition(now.resources, [mapping("tallies-mapping")], context).map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", "aws:lambda/eventSourceMapping:EventSourceMapping tallies-mapping"]]);
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
    expect(reportTransitionFindings(acceptTransitionFindings(findings, []), "main.json", (line) => lines.push(line))).toBe(1);
    expect(lines[0]).toBe("\nSince main.json: 1 finding(s) a `pulumi up` from that plan to this one would fail on or break:");
    expect(lines[1]).toMatch(/^ {2}- prod: \[TransitionNameOverwritten\] aws:cloudwatch\/dashboard:Dashboard monitoring-dashboard: .+\. Fix: /);
    // How to accept it after review, to copy.
    expect(lines[2]).toBe(`    accept after review: --accept TransitionNameOverwritten:${dashboard("monitoring-dashboard").urn}`);
    const none: string[] = [];
    expect(reportTransitionFindings(acceptTransitionFindings([], []), "main.json", (line) => none.push(line))).toBe(0);
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

describe("the --since comparison under the stack's pulumi:autonaming", () => {
  // A record replaced by its replaceOnChanges under its required name: create-first by default (TransitionNameTaken),
  // delete-first under mode verbatim, which the engine sets on every custom resource (transition-autonaming.test.ts).
  const RECORD = "aws:route53/record:Record";
  const record = (targets: string[]) => handBuilt(RECORD, "site-a-0", { zoneId: "Z0123", type: "A", name: "gallery.example.com", aliases: targets.map((name) => ({ name, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false })) }, { replaceOnChanges: ["aliases"] });
  const context = { stack: "prod", production: true, region: "us-east-1" };
  const saved = savedPlanFor(JSON.stringify(toSavedPlan([record(["d1.cloudfront.net"])], context)), "main.json", "prod");
  const plan = { graph: [record(["d1.cloudfront.net", "d2.cloudfront.net"])], context };
  const verbatim = parseAutonaming({ project: "serverless-fullstack", stack: "prod", values: { "pulumi:autonaming": '{"mode":"verbatim"}' }, objectKeys: ["pulumi:autonaming"] }).config;

  it("judges the update under the stack's naming: delete-first under mode verbatim, create-first under the default", () => {
    const lines: string[] = [];
    expect(reportSince(saved, plan, verbatim, { since: "main.json" }, (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual(["\nSince main.json: no findings."]);
    const unset: string[] = [];
    expect(reportSince(saved, plan, undefined, { since: "main.json" }, (line) => unset.push(line))).toBe(1);
    expect(unset[1]).toMatch(/\[TransitionNameTaken\] aws:route53\/record:Record site-a-0: /);
  });
});

describe("the --since comparison when the stack's aws:region changes (the saved plan's region is the deployed side's)", () => {
  // A table and an edge-optimized API Gateway domain (one name in every region, a required input: no bridge
  // delete-first) of the default provider, which reads the stack's aws:region: pulumi-aws 7 updates it in place and
  // each region-aware resource is replaced by its own Diff (forceNewIfRegionChanges).
  const table = handBuilt("aws:dynamodb/table:Table", "data-gallery", { name: "gallery-dev", hashKey: "pk", attributes: [{ name: "pk", type: "S" }], billingMode: "PAY_PER_REQUEST" }, { id: "gallery-dev" });
  const domain = handBuilt("aws:apigateway/domainName:DomainName", "api-domain", { domainName: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1", endpointConfiguration: { types: ["EDGE"] } }, { id: "api.example.com" });
  const savedUnder = (region: string | undefined) => {
    const saved = toSavedPlan([table, domain], { stack: "dev", region: region ?? "us-east-1" });
    return savedPlanFor(JSON.stringify(region === undefined ? { ...saved, region: undefined } : saved), "main.json", "dev");
  };
  const planIn = (region: string) => ({ graph: [table, domain], context: { stack: "dev", production: false, region } });
  const report = (region: string | undefined, now: string) => {
    const lines: string[] = [];
    const status = reportSince(savedUnder(region), planIn(now), undefined, { since: "main.json" }, (line) => lines.push(line));
    return { status, lines };
  };

  it("reports the table replaced (a new, empty one in the new region) and the edge domain's name taken by its deployed copy", () => {
    const { status, lines } = report("us-east-1", "eu-west-1");
    expect(status).toBe(1);
    const findings = lines.filter((line) => line.startsWith("  - "));
    expect(findings).toEqual([
      expect.stringMatching(/^ {2}- dev: \[TransitionNameTaken\] aws:apigateway\/domainName:DomainName api-domain: is replaced create-before-delete \(the stack's aws:region moves it from us-east-1 to eu-west-1, and pulumi-aws 7 replaces a resource whose region changes\)/),
      expect.stringMatching(/^ {2}- dev: \[TransitionStatefulReplaced\] aws:dynamodb\/table:Table data-gallery: replaces DynamoDB table data-gallery: region \(us-east-1 → eu-west-1: the stack's aws:region\) forces a new table/),
    ]);
  });

  it("finds nothing when the region is the same, or when the saved plan has no region (an older file: read under the current one)", () => {
    expect(report("eu-west-1", "eu-west-1")).toEqual({ status: 0, lines: ["\nSince main.json: no findings."] });
    expect(savedUnder(undefined).region).toBeUndefined();
    expect(report(undefined, "eu-west-1")).toEqual({ status: 0, lines: ["\nSince main.json: no findings."] });
  });

  it("refuses a saved plan whose region is not a region name's string", () => {
    const json = JSON.stringify({ format: "serverless-fullstack/plan@1", stack: "dev", region: 7, resources: [] });
    expect(() => readSavedPlan(json, "main.json")).toThrow('main.json has region 7, not the stack\'s aws:region it was made under: save the plan again with npm run plan -- --stack dev --save <file>');
  });
});
