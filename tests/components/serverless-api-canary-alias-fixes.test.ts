/**
 * A REST ServerlessApi's canary is a Lambda alias of every route function (its `stageVariableOverrides.alias`, or
 * `<stage>-canary`), and ServerlessApi refuses a canary alias Lambda would refuse ("Length Constraints: Minimum length
 * of 1. Maximum length of 128. Pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html), a stage's name, or another canary's alias. The
 * fix of each refusal names an alias to use instead: that alias is one ServerlessApi then accepts, so following the
 * fix never leads to the same refusal, or another about the alias.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { argFailer, ComponentArgError } from "../../components/errors";
import type { ApiStage, ServerlessApiArgs } from "../../components/serverless-api";
import { validateArgs } from "../../components/serverless-api/spec";
import { record } from "../harness/mocks";
import { refusalIfAny } from "../harness/refusals";
import { apiRefusal, buildApi } from "../harness/serverless-api-refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const health = { "GET /health": { handler: echo, auth: "none" as const } };
/** No route function, so no alias permission whose statement id a long stage name would push over 100. */
const status = { "GET /status": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
const overriding = (alias: string): ApiStage => ({ canary: { percentTraffic: 10, stageVariableOverrides: { alias } } });
const long = "s".repeat(125);

/** The refusal of constructing `args` (validation runs first, before any resource), or undefined. */
const refusalOf = (args: ServerlessApiArgs) => refusalIfAny(buildApi("ca", args));

/**
 * The refusal of `args` by validateArgs alone, ServerlessApi's first step, without creating the API an accepted `args`
 * makes (≈20 CPU-ms each, with its settle; issue 15). The same as refusalOf's for `status` routes: with no route function
 * (whose LambdaFunction may refuse) and no domain or VPC link (the region's only readers), validateArgs is the only code
 * that refuses.
 */
const validationRefusalOf = (args: ServerlessApiArgs) => refusalIfAny(() => validateArgs(argFailer("ServerlessApi", "ca"), "ca", { accountCloudWatchRole: false, ...args }));

const refusal = (args: ServerlessApiArgs) => apiRefusal("ca", args, "ServerlessApi accepted the arguments");

/** The alias a refusal's fix offers: its `e.g. "<alias>"`. */
function suggested(error: ComponentArgError): string {
  const alias = /e\.g\. "([^"]+)"/.exec(error.fix)?.[1];
  return alias ?? expect.fail(`the fix names no alias: ${error.fix}`);
}

/** `args` with the canary override the refusal names (`stages.<stage>.canary…` or `canary…`) set to `alias`. */
function withOverride(args: ServerlessApiArgs, argument: string, alias: string): ServerlessApiArgs {
  const stage = /^stages\.(.+)\.canary\.stageVariableOverrides\.alias$/.exec(argument)?.[1];
  if (stage !== undefined) {
    const canary = args.stages![stage].canary!;
    return { ...args, stages: { ...args.stages, [stage]: { ...args.stages![stage], canary: { ...canary, stageVariableOverrides: { ...canary.stageVariableOverrides, alias } } } } };
  }
  expect(argument).toBe("canary.stageVariableOverrides.alias");
  return { ...args, canary: { ...args.canary!, stageVariableOverrides: { ...args.canary!.stageVariableOverrides, alias } } };
}

describe("ServerlessApi: the canary alias a refusal suggests is one it accepts", () => {
  it.each<[string, ServerlessApiArgs]>([
    ["an all-digit override, beside a stage named like the usual example", { routes: health, stages: { dev: overriding("2"), "prod-canary": {} } }],
    ["an all-digit override on a stage whose default alias would be too long", { routes: status, stages: { [long]: overriding("2") } }],
    ["an override that is a stage's name, the usual example being that stage", { routes: health, stages: { dev: overriding("prod-canary"), "prod-canary": {} } }],
    ["the top-level canary's override that is a stage's name", { routes: health, stages: { dev: {}, "prod-canary": {} }, canary: { stage: "dev", percentTraffic: 5, stageVariableOverrides: { alias: "prod-canary" } } }],
    ["two canaries of one alias, the later stage's default taken by a third canary", { routes: health, stages: { a: overriding("x"), b: overriding("x"), c: overriding("b-canary") } }],
    ["two canaries of one alias, the later stage's default too long", { routes: status, stages: { a: overriding("x"), [long]: overriding("x") } }],
  ])("%s", async (_, args) => {
    const error = refusal(args);
    expect(error.argument).toMatch(/stageVariableOverrides\.alias$/);
    const alias = suggested(error);
    await expect(record(buildApi("ca", withOverride(args, error.argument, alias)))).resolves.toBeDefined();
  });

  // A stage S with a canary and a stage named S-canary both make the log group `<api>-execution-logs-S-canary`
  // (validateStageResourceNames), whatever the canary's alias: only renaming a stage fits them.
  it("offers no alias when a stage is named like another's default canary alias, but a stage rename it accepts", async () => {
    const args: ServerlessApiArgs = { routes: health, stages: { "prod-canary": {}, prod: { canary: { percentTraffic: 10 } } } };
    const error = refusal(args);
    expect(error).toMatchObject({ argument: "stages", value: "prod" });
    expect(error.fix).not.toMatch(/stageVariableOverrides\.alias to/);
    const [, from, to] = /Rename stage (\S+), e\.g\. to "([^"]+)"/.exec(error.fix) ?? expect.fail(`the fix names no stage rename: ${error.fix}`);
    expect(from).toBe("prod-canary");
    const { [from]: renamed, ...others } = args.stages!;
    await expect(record(buildApi("ca", { ...args, stages: { ...others, [to]: renamed } }))).resolves.toBeDefined();
  });

  // Any stages and canaries drawn from names that meet each other's defaults: whenever a canary's override is refused,
  // the alias its fix offers is refused neither for that canary nor as another's. The drawn arguments are only validated
  // (most are accepted: building each API cost ≈2 of this test's 3 CPU-seconds); the fixed ones are built. A run only
  // checks a fix when the override was refused, so the refusals are counted. The three examples are overrides
  // ServerlessApi refuses (all digits, a character the pattern lacks, another stage's name), run first (of the 300):
  // fewer fixes checked than that means a refusal was lost on the way and read as "accepted", and nothing was checked.
  it("holds for stages and canaries drawn from names that meet", () => {
    const stageName = fc.constantFrom("a", "b", "a-canary", "b-next", "x", "s".repeat(124));
    const override = fc.option(fc.constantFrom("x", "a-canary", "b-canary", "a-next", "b", "2", "b.v2"), { nil: undefined });
    const stage = fc.record({ canary: fc.option(override.map((alias) => ({ percentTraffic: 5, ...(alias === undefined ? {} : { stageVariableOverrides: { alias } }) })), { nil: undefined }) });
    const stages = fc.dictionary(stageName, stage, { minKeys: 1, maxKeys: 4 });
    const drawnOverride = (alias: string) => ({ canary: { percentTraffic: 5, stageVariableOverrides: { alias } } });
    const refusedOverrides: Array<[Record<string, { canary?: { percentTraffic: number; stageVariableOverrides?: { alias: string } } }>]> = [
      [{ a: drawnOverride("2") }],
      [{ x: drawnOverride("b.v2") }],
      [{ a: drawnOverride("b"), b: {} }],
    ];
    let fixesChecked = 0;
    fc.assert(fc.property(stages, (drawn) => {
      const args: ServerlessApiArgs = { routes: status, stages: Object.fromEntries(Object.entries(drawn).map(([name, s]) => [name, s.canary ? { canary: s.canary } : {}])) };
      const error = validationRefusalOf(args);
      if (!error || !/stageVariableOverrides\.alias$/.test(error.argument)) return;
      fixesChecked += 1;
      const alias = suggested(error);
      const after = refusalOf(withOverride(args, error.argument, alias));
      expect(after === undefined || (after.argument !== error.argument && after.value !== alias), `${error.message} → ${after?.message}`).toBe(true);
    }), { numRuns: 300, examples: refusedOverrides });
    expect(fixesChecked, "runs whose canary override was refused, so that the fix was checked").toBeGreaterThanOrEqual(refusedOverrides.length);
  });
});
