/**
 * Must-accept properties: the component-argument fuzz (./component-args*.test.ts) checks that what a component takes
 * deploys, but not that it takes what AWS takes. A component refusing arguments AWS would accept — a FALSE refusal —
 * is "the tool won't let me do a valid thing". For arguments AWS documents as valid (./component-accept-arbitraries.ts,
 * every bound cited), construction must NOT refuse, AND the plan must pass every deploy rule and every security rule
 * (security findings a documented opt-out asks for excepted). Arguments a component refuses on purpose (a documented
 * product decision, e.g. secure by default) are left out of the generators, each with where it is decided.
 *
 * Seeded and short, like the fuzz: `FUZZ_SEED=7 FUZZ_RUNS=200 npx vitest run tests/fuzz/component-accept` explores.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { UserAuth } from "../../components/user-auth";
import { ACCEPT_ENTRY, dataTierArgs, dataTierName, lambdaFunctionArgs, lambdaName, REGIONS, userAuthArgs, userAuthName } from "./component-accept-arbitraries";
import { SEED, useComponentFuzz, dataTierOptOuts } from "./component-args-harness";

const { accepted, acceptComponent, construct, parameters } = useComponentFuzz();


describe(`arguments AWS documents as valid are accepted and deploy cleanly (seed ${SEED})`, () => {
  it("LambdaFunction", async () => {
    await acceptComponent("LambdaFunction", lambdaName, lambdaFunctionArgs, (name, args) => new LambdaFunction(name, args), 30);
  });

  it("DataTier", async () => {
    const drawn = fc.constantFrom(...REGIONS).chain((home) => fc.tuple(dataTierArgs(home), dataTierName));
    await fc.assert(
      fc.asyncProperty(drawn, async ([{ args, export: exported }, names]) => {
        const name = exported ? names.exported.join("") : names.plain;
        await accepted("DataTier", () => new DataTier(name, args), dataTierOptOuts(name, args), JSON.stringify([name, args]));
      }),
      parameters(30),
    );
  });

  it("UserAuth", async () => {
    await acceptComponent("UserAuth", userAuthName, userAuthArgs, (name, args) => new UserAuth(name, args), 30);
  });
});

/** False refusals the must-accept properties found, each pinned with the AWS source that makes it valid. */
describe("false refusals the must-accept properties found", () => {
  it('UserAuth takes an app callback URL such as "myapp://signed-in", which Cognito supports for native apps', async () => {
    // CreateUserPoolClient CallbackURLs: "App callback URLs such as myapp://example are also supported."
    // (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html; deploy rule CognitoRedirectUrls)
    const outcome = await construct(() => new UserAuth("auth", { callbackUrls: ["myapp://signed-in"], logoutUrls: ["com.example.gallery://signed-out"] }));
    expect("refused" in outcome ? outcome.refused.message : "").toBe("");
    // http stays https-or-localhost: the same URL on http to a host is still refused.
    const http = await construct(() => new UserAuth("auth", { callbackUrls: ["http://gallery.example.com/"] }));
    expect("refused" in http && http.refused.message).toMatch(/callbackUrls "http:\/\/gallery\.example\.com\/" is not https; Cognito allows plain http only for localhost/);
    // A URL a browser runs or renders is not an app to return to: the code or tokens would land in script.
    for (const url of ["javascript:alert(document.location)", "data:text/html,<script>1</script>"]) {
      const script = await construct(() => new UserAuth("auth", { callbackUrls: [url] }));
      expect("refused" in script && script.refused.message).toMatch(/is a (javascript|data): URL, which a browser runs or renders instead of handing to an app\. Use the site's https URL, or your app's own scheme/);
    }
  });
});

/**
 * Refusals the must-accept properties met that AWS makes too, but that the component worded as another's.
 */
describe("refusals named for the wrong component", () => {
  // DataTier with export and a name of 36–40 characters: the export function's schedule role
  // "<name>-export-schedule-role-<7 random>" is over IAM's 64 (API_CreateRole), so a refusal is right; but it comes from
  // the inner LambdaFunction "<name>-export", whose fix ("a component name of at most 42 characters") is about a name
  // the user never chose. DataTier checks that role's and the function's names as its own. Found by the DataTier property (seed 20260611, the name
  // "a" + "a".repeat(39) with export).
  it("DataTier refuses a 36-character name with export as its own name, with the longest name that fits (35)", async () => {
    const outcome = await construct(() => new DataTier("n".repeat(36), { tables: { gallery: { attributes: { pk: "S" }, partitionKey: "pk" } }, export: { schedule: "rate(1 day)" } }));
    expect("refused" in outcome && [outcome.refused.component, outcome.refused.argument]).toEqual(["DataTier", "name"]);
    expect("refused" in outcome && outcome.refused.message).toMatch(/at most 35 characters/);
  });
});

describe("the must-accept harness", () => {
  it("fails on a refusal, naming it a false refusal with the component's message", async () => {
    // An argument AWS takes neither: the property must report the refusal, not pass it.
    await expect(accepted("LambdaFunction", () => new LambdaFunction("a", { entry: ACCEPT_ENTRY, memorySize: 127 }))).rejects.toThrow(/a false refusal: LambdaFunction refused arguments AWS documents as valid: LambdaFunction "a": memorySize 127/);
  });
});
