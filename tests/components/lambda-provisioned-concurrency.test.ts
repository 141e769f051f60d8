/**
 * LambdaFunction's provisioned concurrency (review 28 F11): on the version each deploy publishes, never on $LATEST, and
 * within the function's own reservation. Lambda's rules, checked before anything is created.
 */
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { ofType, record, resource } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const CONFIG = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig";

describe("LambdaFunction provisionedConcurrency", () => {
  it("allocates it to the published version, replacing old-version-first so two versions never hold it at once", async () => {
    const graph = await record(() => new LambdaFunction("warm", { entry, publish: true, provisionedConcurrency: 3, reservedConcurrency: 3 }));
    const fn = resource(graph, "aws:lambda/function:Function", "warm-function");
    const config = resource(graph, CONFIG, "warm-provisioned");
    expect(config.inputs).toMatchObject({ functionName: fn.state.name, qualifier: fn.state.version, provisionedConcurrentExecutions: 3 });
    expect(config.deleteBeforeReplace).toBe(true);
    expect(ofType(await record(() => new LambdaFunction("cold", { entry, publish: true })), CONFIG)).toHaveLength(0);
  });

  it.each([
    [{ provisionedConcurrency: 2 }, /^LambdaFunction "bad": provisionedConcurrency 2 is set on a function that does not publish versions: Lambda allocates provisioned concurrency to a published version or an alias, never to the unpublished \$LATEST\. Set publish: true/],
    [{ publish: true, provisionedConcurrency: 0 }, /^LambdaFunction "bad": provisionedConcurrency 0 is not a whole number of at least 1/],
    [{ publish: true, provisionedConcurrency: 1.5 }, /provisionedConcurrency 1\.5 is not a whole number of at least 1/],
    [{ publish: true, provisionedConcurrency: 5, reservedConcurrency: 4 }, /^LambdaFunction "bad": provisionedConcurrency 5 is more than the function's reservedConcurrency \(4\): Lambda cannot allocate more provisioned concurrency than the function reserves\. Use at most 4, or raise reservedConcurrency\.$/],
    [{ publish: true, provisionedConcurrency: 1, reservedConcurrency: 0 }, /provisionedConcurrency 1 is more than the function's reservedConcurrency \(0\).*Raise reservedConcurrency to at least 1 \(0 stops the function from running\), or leave provisionedConcurrency out\.$/],
  ])("refuses what Lambda refuses: %#", (bad, message) => {
    expect(() => new LambdaFunction("bad", { entry, ...bad })).toThrow(message);
  });
});
