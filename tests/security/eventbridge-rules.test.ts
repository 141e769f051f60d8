/** EVB1 passes on what EventBus builds, and fails on a target without a dead-letter queue or with an unencrypted one. */
import { describe, expect, it } from "vitest";
import { EventBus } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { EVB1 } from "../../testing/security-rules/eventbridge";
import { SECURITY_RULES } from "../../testing/security-rules";
import { byName, mutate, record } from "../harness/mocks";

const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const ids = (graph: Awaited<ReturnType<typeof record>>) => EVB1.check(graph, { stack: "dev", production: false }).map((f) => `${f.rule} ${f.resource}: ${f.problem}`);

describe("EVB1", () => {
  it("is in the pack, passes on an EventBus subscription, fails without a dead-letter queue or with an unencrypted one", async () => {
    expect(SECURITY_RULES).toContain(EVB1);
    const graph = await record(() => new EventBus("evb1", {}).subscribe("fn", new LambdaFunction("evb1-fn", { entry: "tests/fixtures/handlers/echo.ts" }), { pattern: { source: ["a"] } }));
    expect(ids(graph)).toEqual([]);
    const noDlq = mutate(graph, (r) => r.type === TARGET, (r) => ({ ...r, inputs: { ...r.inputs, deadLetterConfig: undefined } }));
    expect(ids(noDlq)).toEqual([`EVB1 ${TARGET} evb1-fn: has no dead-letter queue (deadLetterConfig): events EventBridge cannot deliver are dropped`]);
    const plain = mutate(graph, byName("evb1-fn-dlq"), (r) => ({ ...r, inputs: { ...r.inputs, sqsManagedSseEnabled: false } }));
    expect(ids(plain)).toEqual([`EVB1 ${TARGET} evb1-fn: keeps undelivered events in evb1-fn-dlq, which is not encrypted at rest (neither sqsManagedSseEnabled nor kmsMasterKeyId)`]);
  });
});
