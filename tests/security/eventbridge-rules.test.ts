/**
 * EVB1 passes on what EventBus builds, and fails on a target without a dead-letter queue or with an unencrypted one;
 * EVB2 passes on a Workflow target's role, and fails on a role EventBridge may assume from any source.
 */
import { describe, expect, it } from "vitest";
import { EventBus } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { Workflow } from "../../components/workflow";
import { EVB1, EVB2 } from "../../testing/security-rules/eventbridge";
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

describe("EVB2", () => {
  it("is in the pack, passes on an EventBus Workflow target's role, fails on one trusted by EventBridge without a source condition, with only a wildcard or a negated operator", async () => {
    expect(SECURITY_RULES).toContain(EVB2);
    const graph = await record(() => new EventBus("evb2", {}).subscribe("w", new Workflow("evb2-flow", { definition: { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } } }), { pattern: { source: ["a"] } }));
    const findings = (g: typeof graph) => EVB2.check(g, { stack: "dev", production: false }).map((f) => `${f.rule} ${f.resource}: ${f.problem}`);
    expect(findings(graph)).toEqual([]);
    const open = mutate(graph, byName("evb2-w-target-role"), (r) => ({ ...r, inputs: { ...r.inputs, assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } }));
    const problem = "EVB2 aws:iam/role:Role evb2-w-target-role: lets events.amazonaws.com assume it with no aws:SourceArn or aws:SourceAccount condition that names a source (absent, negated, or wildcards open to other accounts): any account's rule naming the role could use it";
    expect(findings(open)).toEqual([problem]);
    const wildcard = mutate(graph, byName("evb2-w-target-role"), (r) => ({
      ...r,
      inputs: { ...r.inputs, assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringLike: { "aws:SourceArn": "*" } } }] }) },
    }));
    expect(findings(wildcard)).toEqual([problem]);
    // A negated operator keeps out one account and lets every other in.
    const negated = mutate(graph, byName("evb2-w-target-role"), (r) => ({
      ...r,
      inputs: { ...r.inputs, assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringNotEquals: { "aws:SourceAccount": "999999999999" } } }] }) },
    }));
    expect(findings(negated)).toEqual([problem]);
  });
});
