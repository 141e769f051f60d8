/**
 * Component arguments against the deploy rules, property-based: the mocks accept any input, so a component that takes
 * arguments AWS would refuse fails only at `pulumi up`. For arguments a user might plausibly write
 * (./component-args-arbitraries.ts), constructing the component under the recording mocks must EITHER refuse with a
 * ComponentArgError naming the component, the argument and a fix, OR record a plan that every deploy rule and every
 * security rule passes. Anything else — a finding on accepted arguments, another kind of error — is a validation gap
 * in the component or a false finding in a rule.
 *
 * Seeded and short so the suite stays fast and never flaky; explore with another seed and more runs:
 * `FUZZ_SEED=7 FUZZ_RUNS=500 npx vitest run tests/fuzz/component-args.test.ts` (docs/testing.md).
 */
import { describe, expect, it } from "vitest";
import { DataTier, type DataTierArgs } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { UserAuth } from "../../components/user-auth";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { dataTierArgs, lambdaFunctionArgs, userAuthArgs } from "./component-args-arbitraries";
import { context, SEED, useComponentFuzz, dataTierOptOuts } from "./component-args-harness";

const { construct, fuzzComponent } = useComponentFuzz();


describe(`component arguments are refused with a fix or deploy cleanly (seed ${SEED})`, () => {
  it("DataTier", async () => {
    await fuzzComponent("DataTier", dataTierArgs, (name, args) => new DataTier(name, args), 60, { optedOut: dataTierOptOuts });
  });

  it("UserAuth", async () => {
    await fuzzComponent("UserAuth", userAuthArgs, (name, args) => new UserAuth(name, args), 40);
  });

  it("LambdaFunction", async () => {
    await fuzzComponent("LambdaFunction", lambdaFunctionArgs, (name, args) => new LambdaFunction(name, args), 40);
  });
});

/** What the fuzz found, each shrunk counterexample pinned as a regular test (and the seed that found it). */
describe("counterexamples the fuzz found", () => {
  it("DataTier exports 20 tables: the export function's generated description stays within Lambda's 256 characters (review 11: a refusal the user could not act on)", async () => {
    const table = { attributes: { pk: "S" as const }, partitionKey: "pk" };
    const tables = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`tableNumber${String(i).padStart(2, "0")}`, table]));
    const outcome = await construct(() => new DataTier("data", { tables, export: { schedule: "rate(1 day)" } }));
    expect("refused" in outcome ? outcome.refused.message : "").toBe("");
    expect("graph" in outcome && outcome.graph.find((r) => r.type === "aws:lambda/function:Function" && r.name === "data-export-function")?.inputs.description).toMatch(/^Exports .{1,240} to S3$/);
  });

  it('UserAuth refuses the name "Données", whose identity-pool role "Données-authenticated-<suffix>" and app client IAM and Cognito refuse (seed 1)', async () => {
    const outcome = await construct(() => new UserAuth("Données", { callbackUrls: ["https://GALLERY.example.com/"] }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^UserAuth "Données": name "Données" makes the Cognito app client name "Données-client-<random suffix>" hold "é", which Cognito refuses/);
  });

  it("UserAuth refuses a name too long for its identity-pool role, and takes it with the identity pool off", async () => {
    const name = "n".repeat(43);
    const outcome = await construct(() => new UserAuth(name, { callbackUrls: ["https://gallery.example.com/"] }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/makes the IAM role name "n{43}-authenticated-<random suffix>" 65 characters, over IAM's 64\. Use a component name of at most 42 characters\./);
    const off = await construct(() => new UserAuth(name, { callbackUrls: ["https://gallery.example.com/"], identityPool: { enabled: false } }));
    expect("graph" in off && checkDeployRules(off.graph, context).map(formatFinding)).toEqual([]);
  });

  it('UserAuth refuses the callback URL "http://127.0.0.1:5173/", which Cognito takes over http only as http://localhost (seed 2)', async () => {
    const outcome = await construct(() => new UserAuth("auth", { callbackUrls: ["http://127.0.0.1:5173/"] }));
    expect("refused" in outcome && outcome.refused.message).toMatch(
      /^UserAuth "auth": callbackUrls "http:\/\/127\.0\.0\.1:5173\/" is http to a loopback address; Cognito allows plain http only for http:\/\/localhost\. Use "http:\/\/localhost:5173\/" \(http:\/\/localhost:<port>\/\)\./,
    );
    const ipv6 = await construct(() => new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/"], logoutUrls: ["http://[::1]:3000/signed-out"] }));
    expect("refused" in ipv6 && ipv6.refused.message).toMatch(/logoutUrls "http:\/\/\[::1\]:3000\/signed-out" is http to a loopback address.*Use "http:\/\/localhost:3000\/signed-out"/);
  });

  it('LambdaFunction refuses the name "A.", which makes the function name "A.-function-<suffix>" that Lambda refuses (seed 20260611)', async () => {
    const outcome = await construct(() => new LambdaFunction("A.", { entry: "tests/fixtures/handlers/echo.ts" }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^LambdaFunction "A\.": name "A\." makes the Lambda function name "A\.-function-<random suffix>" hold "\.", which Lambda refuses .*e\.g\. "A-"\.$/);
  });

  it('LambdaFunction "n----g7-" refuses an environment that fits 4 KB only without the NODE_OPTIONS it adds, leaving nothing pending (seed 2)', async () => {
    // The user's 4,080 bytes passed the check, NODE_OPTIONS=--enable-source-maps made 4,112: the deploy-time check threw in
    // the function's environment input, so the function never registered and the component's outputs waited on it forever.
    const args = { entry: "tests/fixtures/handlers/echo.ts", description: "d".repeat(256), environment: { POWERTOOLS_SERVICE_NAME: "v".repeat(4057) } };
    const outcome = await construct(() => new LambdaFunction("n----g7-", args));
    expect("refused" in outcome && outcome.refused.message).toMatch(
      /^LambdaFunction "n----g7-": environment "4125 bytes" exceeds Lambda's 4096-byte limit for all variables together, measured as their JSON \(with NODE_OPTIONS="--enable-source-maps", which the component adds\)/,
    );
    expect("graph" in (await construct(() => new LambdaFunction("after", { entry: "tests/fixtures/handlers/echo.ts" })))).toBe(true);
  });

  it('DataTier refuses the name "A_" with export, whose buckets would be autonamed "a_-export-<suffix>" and "a_-export-logs-<suffix>", which S3 refuses (seed 1)', async () => {
    const args: DataTierArgs = { tables: { gallery: { attributes: { pk: "S" }, partitionKey: "pk" } }, export: { schedule: "rate(1 day)" } };
    const outcome = await construct(() => new DataTier("A_", args));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^DataTier "A_": name "A_" makes the bucket name "a_-export-<random suffix>" hold "_", which S3 refuses/);
  });

  it("DataTier refuses export.logRetentionDays 2 as its own argument, not as a LambdaFunction the user never declared (seed 777001)", async () => {
    const args: DataTierArgs = { tables: { gallery: { attributes: { pk: "S" }, partitionKey: "pk" } }, export: { schedule: "rate(1 day)", logRetentionDays: 2 } };
    const outcome = await construct(() => new DataTier("a", args));
    expect("refused" in outcome && [outcome.refused.component, outcome.refused.argument, outcome.refused.value]).toEqual(["DataTier", "export.logRetentionDays", 2]);
    expect("refused" in outcome && outcome.refused.fix).toContain("1, 3, 5, 7, 14, 30");
  });
});
