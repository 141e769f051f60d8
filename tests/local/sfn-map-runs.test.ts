/**
 * Map Runs of the local Step Functions runtime (local/sfn-map-runs.ts, local/sfn-server.ts MapRunTracker): one per start
 * of a DISTRIBUTED Map, listed by ListMapRuns, described by DescribeMapRun with counts kept as its iterations end,
 * changed by UpdateMapRun, and MapRunStarted/Succeeded/Failed in the history.
 */
import { DescribeMapRunCommand, ListExecutionsCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand, UpdateMapRunCommand } from "@aws-sdk/client-sfn";
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMemberTypes, LocalStepFunctions, startLocalSfn, type LocalSfnServer, type TaskFunction } from "../../local/sfn-server";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { ACCOUNT, failingItemProcessor, fnArn, localMachine, machineArn, REGION } from "./sfn-helpers";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** Items 1–4, item 2 failing (Boom). */
const items = [1, 2, 3, 4].map((n) => ({ n, fail: n === 2 }));
const distributed = (fields: object, itemProcessor: object = failingItemProcessor) => ({
  StartAt: "Fan",
  States: { Fan: { Type: "Map", ItemsPath: "$.items", ItemProcessor: itemProcessor, End: true, ...fields } },
});

let n = 0;
async function run(definition: object, input: object, functions: Record<string, TaskFunction> = {}) {
  const name = `mr-${n++}`;
  const sfn = new LocalStepFunctions([localMachine(name, definition, functions)], { retryIntervalMs: 0 });
  const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify(input) }, false)) as { executionArn: string };
  await sfn.drained();
  const { mapRuns } = sfn.listMapRuns({ executionArn }) as { mapRuns: Array<Record<string, unknown>> };
  const described = mapRuns.map(({ mapRunArn }) => sfn.describeMapRun({ mapRunArn }) as Record<string, any>);
  const { events } = sfn.getExecutionHistory({ executionArn, maxResults: 1000 }) as unknown as { events: Array<Record<string, any>> };
  return { name, sfn, executionArn, execution: sfn.describeExecution({ executionArn }), mapRuns, described, events, types: events.map(({ type }) => type as string) };
}

describe("local Step Functions, Map Runs", () => {
  it("reads a tolerated failure threshold of 0 through its path (no bug: pinned)", async () => {
    const paths = { ToleratedFailureCountPath: "$.limits.count", ToleratedFailurePercentagePath: "$.limits.percent" };
    expect((await run(distributed(paths), { items, limits: { count: 0, percent: 25 } })).execution).toMatchObject({ status: "SUCCEEDED" });
    expect((await run(distributed(paths), { items, limits: { count: 1, percent: 0 } })).execution).toMatchObject({ status: "SUCCEEDED" });
    expect((await run(distributed({ ToleratedFailureCountPath: "$.c" }), { items, c: 0 })).execution).toMatchObject({ status: "FAILED", error: "States.ExceedToleratedFailureThreshold" });
  });

  it("starts one Map Run per start of a DISTRIBUTED Map, its ARN mapRun:<machine>/<label>:<id>, listed and described with its counts", async () => {
    const { name, executionArn, mapRuns, described, events, types } = await run(distributed({ ToleratedFailureCount: 1, MaxConcurrency: 2, Label: "Fanned" }), { items });
    expect(mapRuns).toEqual([{ executionArn, mapRunArn: expect.stringMatching(new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:mapRun:${name}/Fanned:[0-9a-f-]{36}$`)), stateMachineArn: `${machineArn(name)}/Fanned`, startDate: expect.any(Number), stopDate: expect.any(Number) }]);
    const counts = { pending: 0, running: 0, succeeded: 3, failed: 1, timedOut: 0, aborted: 0, total: 4, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0 };
    expect(described).toEqual([{ mapRunArn: mapRuns[0].mapRunArn, executionArn, status: "SUCCEEDED", startDate: expect.any(Number), stopDate: expect.any(Number), maxConcurrency: 2, toleratedFailureCount: 1, toleratedFailurePercentage: 0, itemCounts: counts, executionCounts: counts, redriveCount: 0 }]);
    // MapRunStarted after MapStateStarted, MapRunSucceeded before MapStateSucceeded.
    const map = types.filter((type) => type.startsWith("MapState") || type.startsWith("MapRun"));
    expect(map).toEqual(["MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded", "MapStateExited"]);
    expect(events.find(({ type }) => type === "MapRunStarted")).toMatchObject({ mapRunStartedEventDetails: { mapRunArn: mapRuns[0].mapRunArn } });
    // Without a Label, a generated one; an INLINE Map has none.
    const unlabelled = await run(distributed({ ToleratedFailurePercentage: 50 }), { items });
    expect(unlabelled.mapRuns[0].mapRunArn).toMatch(new RegExp(`:mapRun:${unlabelled.name}/[^/:]+:[0-9a-f-]{36}$`));
    // The list item's stateMachineArn is the Map Run's own, `stateMachine:<machine>/<label>` with its ARN's label
    // (LocalStack's test_sfn_api_map_run snapshot, recorded against AWS).
    const label = String(unlabelled.mapRuns[0].mapRunArn).split("/")[1].split(":")[0];
    expect(unlabelled.mapRuns[0].stateMachineArn).toBe(`${machineArn(unlabelled.name)}/${label}`);
    expect(unlabelled.described[0]).toMatchObject({ toleratedFailurePercentage: 50, maxConcurrency: 0 });
    const inline = await run(distributed({}, { ProcessorConfig: { Mode: "INLINE" }, StartAt: "Ok", States: { Ok: { Type: "Pass", End: true } } }), { items });
    expect(inline.execution.status).toBe("SUCCEEDED");
    expect(inline.mapRuns).toEqual([]);
  });

  it("refuses at CreateStateMachine a Distributed Map Label AWS refuses (InvalidDefinition), takes one it takes", () => {
    const create = (definition: object) => () => new LocalStepFunctions([localMachine(`mr-${n++}`, definition)]);
    expect(create(distributed({ Label: "a".repeat(41) }))).toThrow(expect.objectContaining({ type: "InvalidDefinition", message: expect.stringMatching(/^Invalid State Machine Definition: 'INVALID_LABEL_NAME: the Map state 'Fan' \(definition\.States\.Fan\.Label\) is 41 characters long/) }));
    expect(create(distributed({ Label: "photos [resized]" }))).toThrow(expect.objectContaining({ type: "InvalidDefinition", message: expect.stringContaining("INVALID_LABEL_NAME: the Map state 'Fan' (definition.States.Fan.Label) holds U+0020") }));
    const twice = { StartAt: "A", States: { A: { ...distributed({ Label: "same" }).States.Fan, End: undefined, Next: "B" }, B: { ...distributed({ Label: "same" }).States.Fan } } };
    expect(create(twice)).toThrow(expect.objectContaining({ type: "InvalidDefinition", message: expect.stringContaining("DUPLICATE_LABEL_NAME: the Map state 'B'") }));
    expect(create(distributed({ Label: "a".repeat(40) }))).not.toThrow();
  });

  it("reads a JSONata Map's MaxConcurrency and thresholds as its expressions gave them", async () => {
    const definition = { QueryLanguage: "JSONata", StartAt: "Fan", States: { Fan: { Type: "Map", Items: "{% $states.input.items %}", MaxConcurrency: "{% $states.input.most %}", ToleratedFailurePercentage: "{% $states.input.percent %}", ItemProcessor: { ...failingItemProcessor, StartAt: "Ok", States: { Ok: { Type: "Pass", End: true } } }, End: true } } };
    const { execution, described, types } = await run(definition, { items, most: 3, percent: 25 });
    expect(execution.status).toBe("SUCCEEDED");
    expect(described).toMatchObject([{ status: "SUCCEEDED", maxConcurrency: 3, toleratedFailurePercentage: 25, toleratedFailureCount: 0, itemCounts: { total: 4, succeeded: 4 } }]);
    expect(types.filter((type) => type.startsWith("MapRun"))).toEqual(["MapRunStarted", "MapRunSucceeded"]);
  });

  it("fails the Map Run with the Map's error (MapRunFailed), and a Retry starts a new one", async () => {
    const failed = await run(distributed({ Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 1 }] }), { items });
    expect(failed.execution).toMatchObject({ status: "FAILED", error: "Boom" });
    expect(failed.described.map(({ status }) => status)).toEqual(["FAILED", "FAILED"]);
    expect(new Set(failed.mapRuns.map(({ mapRunArn }) => mapRunArn)).size).toBe(2);
    expect(failed.described[0].itemCounts).toMatchObject({ failed: 1, total: 4 });
    expect(failed.types.filter((type) => type.startsWith("MapRun") || type === "MapStateStarted" || type === "MapStateFailed")).toEqual(["MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed"]);
    expect(failed.events.find(({ type }) => type === "MapRunFailed")).toMatchObject({ mapRunFailedEventDetails: { error: "Boom", cause: "item failed" } });
    const exceeded = await run(distributed({ ToleratedFailureCount: 0 }), { items });
    expect(exceeded.events.find(({ type }) => type === "MapRunFailed")).toMatchObject({ mapRunFailedEventDetails: { error: "States.ExceedToleratedFailureThreshold" } });
  });

  it("counts a batched Map's children as its batches and its items as theirs", async () => {
    const { described } = await run(distributed({ ItemBatcher: { MaxItemsPerBatch: 3 }, ToleratedFailureCount: 3 }, { ...failingItemProcessor, States: { Check: { Type: "Choice", Choices: [{ Variable: "$.Items[0].fail", BooleanEquals: true, Next: "Boom" }], Default: "Ok" }, Boom: failingItemProcessor.States.Boom, Ok: { Type: "Pass", End: true } } }), { items: [{ fail: true }, ...items] });
    expect(described[0].itemCounts).toMatchObject({ total: 5, succeeded: 2, failed: 3, pending: 0, running: 0 });
    expect(described[0].executionCounts).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
  });

  it("keeps counts as items run, and UpdateMapRun's threshold reaches the Map under way", async () => {
    const waiting: Array<(value: unknown) => void> = [];
    let called!: () => void;
    const twoCalled = new Promise<void>((resolve) => (called = resolve));
    const work: TaskFunction = (event: any) => new Promise((resolve, reject) => {
      waiting.push((fail) => (fail ? reject(Object.assign(new Error("item failed"), { name: "Boom" })) : resolve(event)));
      if (waiting.length === 2) called();
    });
    const name = `mr-${n++}`;
    const definition = distributed({ ToleratedFailureCount: 0 }, { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } });
    const sfn = new LocalStepFunctions([localMachine(name, definition, { work })], { retryIntervalMs: 0 });
    const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items: [1, 2] }) }, false)) as { executionArn: string };
    await twoCalled;
    // The history is read as the run goes: yielded to until it has read the iterations' starts (no timer).
    for (let i = 0; i < 1000 && (sfn.listMapRuns({ executionArn }) as { mapRuns: unknown[] }).mapRuns.length === 0; i++) await new Promise(setImmediate);
    const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
    for (let i = 0; i < 1000 && (sfn.describeMapRun({ mapRunArn }) as any).executionCounts.running < 2; i++) await new Promise(setImmediate);
    expect(sfn.describeMapRun({ mapRunArn })).toMatchObject({ status: "RUNNING", itemCounts: { running: 2, pending: 0, total: 2 } });
    expect(sfn.describeMapRun({ mapRunArn })).not.toHaveProperty("stopDate");
    expect(sfn.updateMapRun({ mapRunArn, toleratedFailureCount: 1, maxConcurrency: 5 })).toEqual({});
    waiting[0](true);
    waiting[1](false);
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED" });
    expect(sfn.describeMapRun({ mapRunArn })).toMatchObject({ status: "SUCCEEDED", maxConcurrency: 5, toleratedFailureCount: 1, itemCounts: { succeeded: 1, failed: 1 } });
    // Closed: no longer updated.
    expect(() => sfn.updateMapRun({ mapRunArn, toleratedFailureCount: 2 })).toThrow(expect.objectContaining({ type: "ValidationException" }));
  });

  it("starts a running Map Run's children under UpdateMapRun's maxConcurrency, raised or lowered, for those not yet started", async () => {
    const processor = { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } };
    const jsonata = { QueryLanguage: "JSONata", StartAt: "Fan", States: { Fan: { Type: "Map", Items: "{% $states.input.items %}", MaxConcurrency: "{% $states.input.most %}", ItemProcessor: processor, End: true } } };
    const batched = distributed({ MaxConcurrencyPath: "$.most", ItemBatcher: { MaxItemsPerBatch: 1 } }, processor);
    // No timer: a child's start is awaited as its Task is called; that no other starts is read once the runtime has
    // done all it would (what follows a child's end or an UpdateMapRun is promise jobs: drained by a few turns).
    const settle = async () => {
      for (let i = 0; i < 50; i++) await new Promise(setImmediate);
    };
    for (const [kind, definition] of [["JSONPath", distributed({ MaxConcurrency: 1 }, processor)], ["JSONata", jsonata], ["batched, MaxConcurrencyPath", batched]] as const) {
      const held: Array<{ item: unknown; done(): void }> = [];
      const wakes: Array<[number, () => void]> = [];
      const work: TaskFunction = (event: any) =>
        new Promise((resolve) => {
          held.push({ item: event, done: () => resolve(event) });
          for (const [count, wake] of wakes) if (held.length >= count) wake();
        });
      // The first child, awaited as its Task is called (the library loads first); each later one within 1000 turns of the
      // event loop (it starts within one: promise jobs, no timer or I/O), else refused there, not left to the test's
      // timeout (without the gate, the children an UpdateMapRun lets start never do).
      const startedAtLeast = async (count: number, bounded = true) => {
        for (let turns = 0; bounded && turns < 1000 && held.length < count; turns++) await new Promise(setImmediate);
        if (!bounded && held.length < count) await new Promise<void>((wake) => wakes.push([count, wake]));
        expect(held.length, `${kind}: children started`).toBeGreaterThanOrEqual(count);
      };
      const name = `mr-${n++}`;
      const sfn = new LocalStepFunctions([localMachine(name, definition, { work })], { retryIntervalMs: 0 });
      const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items: [1, 2, 3, 4, 5, 6], most: 1 }) }, false)) as { executionArn: string };
      await startedAtLeast(1, false);
      for (let i = 0; i < 1000 && (sfn.listMapRuns({ executionArn }) as { mapRuns: unknown[] }).mapRuns.length === 0; i++) await new Promise(setImmediate);
      await settle();
      const started = () => held.map(({ item }) => (item as { Items?: unknown[] }).Items?.[0] ?? item);
      expect(started(), kind).toEqual([1]);
      const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
      expect(sfn.describeMapRun({ mapRunArn }), kind).toMatchObject({ maxConcurrency: 1, itemCounts: { running: 1, pending: 5 } });
      // Raised: two more start at once, the rest still wait.
      sfn.updateMapRun({ mapRunArn, maxConcurrency: 3 });
      await startedAtLeast(3);
      await settle();
      expect(started(), kind).toEqual([1, 2, 3]);
      // Lowered under those running: they go on, and none starts until fewer than 1 run.
      sfn.updateMapRun({ mapRunArn, maxConcurrency: 1 });
      held[0].done();
      held[1].done();
      await settle();
      expect(started(), kind).toEqual([1, 2, 3]);
      expect(sfn.describeMapRun({ mapRunArn }), kind).toMatchObject({ status: "RUNNING", maxConcurrency: 1, itemCounts: { running: 1, succeeded: 2, pending: 3 } });
      held[2].done();
      await startedAtLeast(4);
      await settle();
      expect(started(), kind).toEqual([1, 2, 3, 4]);
      for (const next of [4, 5]) {
        held[next - 1].done();
        await startedAtLeast(next + 1);
        await settle();
        expect(started(), kind).toHaveLength(next + 1);
      }
      held[5].done();
      await sfn.drained();
      expect(sfn.describeExecution({ executionArn }), kind).toMatchObject({ status: "SUCCEEDED" });
      expect(sfn.describeMapRun({ mapRunArn }), kind).toMatchObject({ status: "SUCCEEDED", maxConcurrency: 1, itemCounts: { succeeded: 6, total: 6 } });
    }
  });

  it("gives a Map that declared no threshold UpdateMapRun's, read at its next failed item", async () => {
    const held: Array<(fail: boolean) => void> = [];
    const wakes: Array<[number, () => void]> = [];
    const work: TaskFunction = (event: any) =>
      new Promise((resolve, reject) => {
        held.push((fail) => (fail ? reject({ errorType: "Boom", message: "item failed" }) : resolve(event)));
        for (const [count, wake] of wakes) if (held.length >= count) wake();
      });
    const startedAtLeast = (count: number) => (held.length >= count ? Promise.resolve() : new Promise<void>((wake) => wakes.push([count, wake])));
    const processor = { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } };
    for (const [given, status] of [[{ toleratedFailureCount: 1 }, "SUCCEEDED"], [{ toleratedFailurePercentage: 50 }, "SUCCEEDED"], [{ maxConcurrency: 2 }, "FAILED"]] as const) {
      held.length = 0;
      const name = `mr-${n++}`;
      const sfn = new LocalStepFunctions([localMachine(name, distributed({}, processor), { work })], { retryIntervalMs: 0 });
      const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items: [1, 2] }) }, false)) as { executionArn: string };
      await startedAtLeast(2);
      for (let i = 0; i < 1000 && (sfn.listMapRuns({ executionArn }) as { mapRuns: unknown[] }).mapRuns.length === 0; i++) await new Promise(setImmediate);
      const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
      sfn.updateMapRun({ mapRunArn, ...given });
      held[0](true);
      held[1](false);
      await sfn.drained();
      // No threshold given: the Map fails on its failed item, with that item's error, as before.
      expect(sfn.describeExecution({ executionArn }), JSON.stringify(given)).toMatchObject(status === "SUCCEEDED" ? { status } : { status, error: "Boom" });
      expect(sfn.describeMapRun({ mapRunArn }), JSON.stringify(given)).toMatchObject({ status, ...given, itemCounts: { failed: 1 } });
    }
  });

  it("starts none of the children waiting in the gate once the execution is stopped or the Map has failed (no bug: pinned)", async () => {
    const processor = { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } };
    const turns = async (count: number) => {
      for (let i = 0; i < count; i++) await new Promise(setImmediate);
    };
    for (const ending of ["StopExecution", "a failed child, caught"] as const) {
      const calls: unknown[] = [];
      const held: Array<() => void> = [];
      const work: TaskFunction = (event: any) => {
        calls.push(event);
        return event.fail ? Promise.reject({ errorType: "Boom", message: "item failed" }) : new Promise((resolve) => held.push(() => resolve(event)));
      };
      const caught = ending === "StopExecution" ? {} : { Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "After" }], End: undefined, Next: "After" };
      const fan = distributed({ MaxConcurrency: 2, ...caught }, processor);
      const definition = ending === "StopExecution" ? fan : { ...fan, States: { ...fan.States, After: { Type: "Pass", End: true } } };
      const name = `mr-${n++}`;
      const sfn = new LocalStepFunctions([localMachine(name, definition, { work })], { retryIntervalMs: 0 });
      const items = [{ n: 1 }, { n: 2, fail: ending !== "StopExecution" }, { n: 3 }, { n: 4 }];
      const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items }) }, false)) as { executionArn: string };
      for (let i = 0; i < 100_000 && calls.length < 2; i++) await new Promise(setImmediate);
      if (ending === "StopExecution") sfn.stopExecution({ executionArn });
      await turns(50);
      // The child still running ends: its slot frees, and the children waiting for one start nothing.
      while (held.length > 0) {
        held.shift()!();
        await turns(50);
      }
      await sfn.drained();
      expect(calls, ending).toEqual(items.slice(0, 2));
      expect(sfn.describeExecution({ executionArn }), ending).toMatchObject({ status: ending === "StopExecution" ? "ABORTED" : "SUCCEEDED" });
      const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
      expect(sfn.describeMapRun({ mapRunArn }), ending).toMatchObject({ status: ending === "StopExecution" ? "ABORTED" : "FAILED", itemCounts: { pending: 2, succeeded: 0 } });
    }
  });

  it("fails a Distributed Map whose MaxConcurrencyPath selects no non-negative integer with LocalStack's causes, batched or not", async () => {
    const processor = { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Ok", States: { Ok: { Type: "Pass", End: true } } };
    for (const batcher of [{}, { ItemBatcher: { MaxItemsPerBatch: 1 } }]) {
      const fails = async (most: unknown) => (await run(distributed({ MaxConcurrencyPath: "$.most", ...batcher }, processor), { items: [1], most })).execution;
      expect(await fails(-1)).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: "Expected non-negative integer for MaxConcurrency, got '-1' instead." });
      expect(await fails("two")).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: 'The MaxConcurrencyPath field refers to value "two" which is not a valid integer: $.most' });
      expect(await fails(1.5)).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: 'The MaxConcurrencyPath field refers to value "1.5" which is not a valid integer: $.most' });
      expect(await fails({ n: 1 })).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: 'The MaxConcurrencyPath field refers to value "{"n":1}" which is not a valid integer: $.most' });
      expect(await fails(2)).toMatchObject({ status: "SUCCEEDED" });
    }
  });

  it("takes a tolerated failure count up to a Long's 2^63−1, in UpdateMapRun and in the definition", async () => {
    const big = 2 ** 60;
    const { execution, described } = await run(distributed({ ToleratedFailureCount: big }), { items });
    expect(execution).toMatchObject({ status: "SUCCEEDED" });
    // Past 2^53, answered as the whole number it is (a bigint: written as its digits).
    expect(described[0]).toMatchObject({ toleratedFailureCount: BigInt(big), itemCounts: { failed: 1 } });
    expect((await run(distributed({ ToleratedFailureCountPath: "$.count" }), { items, count: big })).execution).toMatchObject({ status: "SUCCEEDED" });
    expect((await run(distributed({ ToleratedFailureCountPath: "$.count" }), { items, count: 2 ** 64 })).execution).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: expect.stringContaining("where it takes an integer from 0 to 9223372036854775807") });
    // UpdateMapRun's toleratedFailureCount, a Long: not a SerializationException past 2^53, refused past 2^63−1.
    expect(() => checkMemberTypes("UpdateMapRun", { mapRunArn: "x", toleratedFailureCount: big })).not.toThrow();
    const held: Array<() => void> = [];
    const work: TaskFunction = (event: any) => new Promise((resolve) => held.push(() => resolve(event)));
    const name = `mr-${n++}`;
    const sfn = new LocalStepFunctions([localMachine(name, distributed({}, { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } }), { work })], { retryIntervalMs: 0 });
    const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items: [1] }) }, false)) as { executionArn: string };
    for (let i = 0; i < 1000 && held.length === 0; i++) await new Promise(setImmediate);
    for (let i = 0; i < 1000 && (sfn.listMapRuns({ executionArn }) as { mapRuns: unknown[] }).mapRuns.length === 0; i++) await new Promise(setImmediate);
    const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
    expect(sfn.updateMapRun({ mapRunArn, toleratedFailureCount: big })).toEqual({});
    // Compared exactly: the double 2^63 (what JSON.parse reads 2^63−1 as) is past the Long; the request's digits are read as a bigint (exactLongs).
    expect(() => sfn.updateMapRun({ mapRunArn, toleratedFailureCount: JSON.parse("9223372036854775807") })).toThrow(expect.objectContaining({ type: "ValidationException" }));
    expect(sfn.updateMapRun({ mapRunArn, toleratedFailureCount: 9223372036854775807n })).toEqual({});
    expect(() => sfn.updateMapRun({ mapRunArn, toleratedFailureCount: 2 ** 64 })).toThrow(expect.objectContaining({ type: "ValidationException", message: expect.stringContaining("Member must have value less than or equal to 9223372036854775807") }));
    held[0]();
    await sfn.drained();
    expect(sfn.describeMapRun({ mapRunArn })).toMatchObject({ status: "SUCCEEDED", toleratedFailureCount: 9223372036854775807n });
  });

  it("redrives the failed Map Run when a redrive runs the Map again (MapRunRedriven, redriveCount), the iterations it kept counted as succeeded", async () => {
    let failing = true;
    const work: TaskFunction = async (event: any) => {
      if (event === 2 && failing) throw Object.assign(new Error("not yet"), { name: "Boom" });
      return event;
    };
    const name = `mr-${n++}`;
    const definition = distributed({}, { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } });
    const sfn = new LocalStepFunctions([localMachine(name, definition, { work })], { retryIntervalMs: 0 });
    const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items: [1, 2, 3, 4] }) }, false)) as { executionArn: string };
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "FAILED" });
    const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
    expect(sfn.describeMapRun({ mapRunArn })).toMatchObject({ status: "FAILED", redriveCount: 0, itemCounts: { failed: 1, succeeded: 3 } });
    expect(sfn.describeMapRun({ mapRunArn })).not.toHaveProperty("redriveDate");
    failing = false;
    await sfn.redriveExecution({ executionArn });
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED" });
    // "The parent workflow redrives all the unsuccessful states, including a failed Map Run" (API_RedriveExecution):
    // the same Map Run, redriven (API_MapRunRedrivenEventDetails), not a new one.
    expect((sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns.map((run) => run.mapRunArn)).toEqual([mapRunArn]);
    const counts = { pending: 0, running: 0, succeeded: 4, failed: 0, timedOut: 0, aborted: 0, total: 4, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0 };
    expect(sfn.describeMapRun({ mapRunArn })).toMatchObject({ status: "SUCCEEDED", redriveCount: 1, redriveDate: expect.any(Number), stopDate: expect.any(Number), itemCounts: counts, executionCounts: counts });
    const { events } = sfn.getExecutionHistory({ executionArn, maxResults: 1000 }) as unknown as { events: Array<Record<string, any>> };
    const types = events.map(({ type }) => type as string).filter((type) => type.startsWith("MapRun") || type === "MapStateStarted" || type === "ExecutionRedriven");
    expect(types).toEqual(["MapStateStarted", "MapRunStarted", "MapRunFailed", "ExecutionRedriven", "MapStateStarted", "MapRunRedriven", "MapRunSucceeded"]);
    expect(events.find(({ type }) => type === "MapRunRedriven")).toMatchObject({ mapRunRedrivenEventDetails: { mapRunArn, redriveCount: 1 } });
  });

  it("drops an execution's Map Runs with it once its machine keeps 1000 closed executions after it (a long npm start does not grow)", async () => {
    const name = `mr-${n++}`;
    const sfn = new LocalStepFunctions([localMachine(name, distributed({}, { ...failingItemProcessor, States: { Check: { Type: "Pass", End: true } }, StartAt: "Check" }))], { retryIntervalMs: 0 });
    const start = async () => ((await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items: [1] }) }, false)) as { executionArn: string }).executionArn;
    const first = await start();
    await sfn.drained();
    const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn: first }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
    for (let i = 0; i < 1000; i++) await start();
    await sfn.drained();
    expect(() => sfn.describeMapRun({ mapRunArn })).toThrow(expect.objectContaining({ type: "ResourceNotFound" }));
  });

  it("aborts a Map Run under way when its execution is stopped (MapRunAborted, its children aborted)", async () => {
    let calls = 0;
    let called!: () => void;
    const twoCalled = new Promise<void>((resolve) => (called = resolve));
    let hang = true;
    const work: TaskFunction = (event) => (hang ? new Promise(() => void (++calls === 2 && called())) : Promise.resolve(event));
    const name = `mr-${n++}`;
    const definition = distributed({}, { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } });
    const sfn = new LocalStepFunctions([localMachine(name, definition, { work })], { retryIntervalMs: 0 });
    const { executionArn } = (await sfn.start({ stateMachineArn: machineArn(name), input: JSON.stringify({ items: [1, 2, 3] }) }, false)) as { executionArn: string };
    await twoCalled;
    sfn.stopExecution({ executionArn });
    await sfn.drained();
    const [{ mapRunArn }] = (sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
    expect(sfn.describeMapRun({ mapRunArn })).toMatchObject({ status: "ABORTED", stopDate: expect.any(Number), executionCounts: { running: 0, succeeded: 0, total: 3 } });
    const { events } = sfn.getExecutionHistory({ executionArn, maxResults: 1000 }) as unknown as { events: Array<{ type: string }> };
    expect(events.map(({ type }) => type).slice(-2)).toEqual(["MapRunAborted", "ExecutionAborted"]);
    // Redriven, the aborted Map Run is redriven too (its aborted children run again), not replaced.
    hang = false;
    await sfn.redriveExecution({ executionArn });
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED" });
    expect((sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns.map((run) => run.mapRunArn)).toEqual([mapRunArn]);
    expect(sfn.describeMapRun({ mapRunArn })).toMatchObject({ status: "SUCCEEDED", redriveCount: 1, itemCounts: { succeeded: 3, aborted: 0, pending: 0, pendingRedrive: 0, total: 3 }, executionCounts: { succeeded: 3, aborted: 0, total: 3 } });
  });
});

/** A request to `local` signed as the SDK signs it, with any body: its status and the text it answered. */
async function signedRaw(local: LocalSfnServer, operation: string, body: string): Promise<{ status: number; text: string }> {
  const url = new URL(local.endpoint);
  const headers: Record<string, string> = { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": `AWSStepFunctions.${operation}` };
  const signer = new SignatureV4({ credentials: LOCAL_CREDENTIALS, region: REGION, service: "states", sha256: Sha256 });
  const { host: _host, ...sent } = (await signer.sign({ method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: "/", query: {}, headers, body })).headers;
  const response = await fetch(local.endpoint, { method: "POST", headers: sent, body });
  return { status: response.status, text: await response.text() };
}

describe("local Step Functions server, Map Run API", () => {
  let server: LocalSfnServer;
  let client: SFNClient;
  const asked: string[] = [];
  const refused = new Set<string>();
  beforeAll(async () => {
    server = await startLocalSfn({
      stateMachines: [localMachine("fan", distributed({ ToleratedFailureCount: 1 }))],
      authorise: (_key, action, resource) => (asked.push(`${action} ${resource}`), refused.has(action) ? { caller: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`, reason: `because no identity-based policy allows the ${action} action` } : undefined),
    });
    client = new SFNClient({ endpoint: server.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS, disableHostPrefix: true, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  it("answers ListMapRuns, DescribeMapRun and UpdateMapRun, each authorised on its resource", async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn("fan"), input: JSON.stringify({ items }) }));
    await server.sfn.drained();
    const { mapRuns } = await client.send(new ListMapRunsCommand({ executionArn }));
    expect(mapRuns).toHaveLength(1);
    const mapRunArn = mapRuns![0].mapRunArn!;
    expect(mapRuns![0].startDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(described).toMatchObject({ status: "SUCCEEDED", toleratedFailureCount: 1, itemCounts: { total: 4, failed: 1, succeeded: 3 } });
    expect(asked).toEqual(expect.arrayContaining([`states:ListMapRuns ${executionArn}`, `states:DescribeMapRun ${mapRunArn}`]));
    refused.add("states:DescribeMapRun");
    await expect(client.send(new DescribeMapRunCommand({ mapRunArn }))).rejects.toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining(`states:DescribeMapRun on resource: ${mapRunArn}`) });
    refused.clear();
    // Closed: refused (ValidationException), asked as states:UpdateMapRun on it.
    await expect(client.send(new UpdateMapRunCommand({ mapRunArn, maxConcurrency: 3 }))).rejects.toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
    expect(asked).toContain(`states:UpdateMapRun ${mapRunArn}`);
    // ListExecutions by mapRunArn is states:ListExecutions on the Map Run (Service Authorization Reference: ListExecutions
    // resource types maprun* or statemachine*): refused before the local refusal of listing its children.
    refused.add("states:ListExecutions");
    await expect(client.send(new ListExecutionsCommand({ mapRunArn }))).rejects.toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining(`states:ListExecutions on resource: ${mapRunArn}`) });
    refused.clear();
    // A Map Run of another region than the request was signed for does not exist there.
    const elsewhere = mapRunArn.replace(`:${REGION}:`, ":eu-west-3:");
    await expect(client.send(new ListExecutionsCommand({ mapRunArn: elsewhere }))).rejects.toMatchObject({ name: "ResourceNotFound" });
  });

  it("takes UpdateMapRun's toleratedFailureCount as the exact Long sent, refusing one past 2^63−1, and DescribeMapRun answers it exactly", async () => {
    const held: Array<() => void> = [];
    let called!: () => void;
    const workCalled = new Promise<void>((resolve) => (called = resolve));
    const work: TaskFunction = (event: any) => new Promise((resolve) => (held.push(() => resolve(event)), called()));
    const processor = { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("work"), End: true } } };
    const local = await startLocalSfn({ stateMachines: [localMachine("held-fan", distributed({}, processor), { work })] });
    try {
      const { executionArn } = (await local.sfn.start({ stateMachineArn: machineArn("held-fan"), input: JSON.stringify({ items: [1] }) }, false)) as { executionArn: string };
      await workCalled;
      // The history is read as the run goes: yielded to until it has read the Map Run's start (no timer).
      for (let i = 0; i < 1000 && (local.sfn.listMapRuns({ executionArn }) as { mapRuns: unknown[] }).mapRuns.length === 0; i++) await new Promise(setImmediate);
      const [{ mapRunArn }] = (local.sfn.listMapRuns({ executionArn }) as { mapRuns: Array<{ mapRunArn: string }> }).mapRuns;
      const update = (count: string) => signedRaw(local, "UpdateMapRun", `{"mapRunArn":${JSON.stringify(mapRunArn)},"toleratedFailureCount":${count}}`);
      const describedCount = async () => /"toleratedFailureCount":(-?[\d.e+]+)/.exec((await signedRaw(local, "DescribeMapRun", JSON.stringify({ mapRunArn }))).text)?.[1];
      // 2^63 and 2^63+1 are past the Long (JSON.parse reads both as 2^63, as it reads 2^63−1).
      for (const over of ["9223372036854775808", "9223372036854775809"]) {
        expect(await update(over)).toEqual({ status: 400, text: expect.stringContaining('"__type":"ValidationException"') });
      }
      expect((await update("9223372036854775807")).status).toBe(200);
      expect(await describedCount()).toBe("9223372036854775807");
      // 2^60: a double holds it, but writes it as 1152921504606847000.
      expect((await update("1152921504606846976")).status).toBe(200);
      expect(await describedCount()).toBe("1152921504606846976");
      // Kept exactly, not as the nearest double: 2^53+1 (a double holds 2^53) and 2^63−2 (a double holds 2^63).
      for (const exact of ["9007199254740993", "9223372036854775806"]) {
        expect((await update(exact)).status).toBe(200);
        expect(await describedCount()).toBe(exact);
      }
      expect((await update("3")).status).toBe(200);
      expect(await describedCount()).toBe("3");
      // Not digits alone: read as JSON reads the number (a whole one is the Long it is; a fraction is refused, and a
      // number a double reads as 2^63 is past the Long), never as the digits before an exponent or a point.
      for (const [sent, answered] of [["1e3", "1000"], ["1.0", "1"], ["-0", "0"], ["2E1", "20"]]) {
        expect([sent, (await update(sent)).status]).toEqual([sent, 200]);
        expect([sent, await describedCount()]).toEqual([sent, answered]);
      }
      for (const [sent, type] of [["1.5", "SerializationException"], ["-1", "ValidationException"], ["9223372036854775807e0", "ValidationException"], ["9.223372036854775807E18", "ValidationException"], ["1e19", "ValidationException"]]) {
        expect([sent, await update(sent)]).toEqual([sent, { status: 400, text: expect.stringContaining(`"__type":"${type}"`) }]);
      }
      expect(await describedCount()).toBe("20");
    } finally {
      held.forEach((release) => release());
      await local.stop();
    }
  });

  it("refuses bad input with 400 and AWS's error types, never crashing", async () => {
    const missing = `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:fan/x:00000000-0000-0000-0000-000000000000`;
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error) => ({ name: error.name, status: error.$metadata?.httpStatusCode }));
    expect(await refusal(client.send(new DescribeMapRunCommand({ mapRunArn: missing })))).toEqual({ name: "ResourceNotFound", status: 400 });
    expect(await refusal(client.send(new UpdateMapRunCommand({ mapRunArn: missing, maxConcurrency: 1 })))).toEqual({ name: "ResourceNotFound", status: 400 });
    // The model's ranges are checked before the Map Run is looked up (as the other operations' constraints are).
    for (const bad of [{ maxConcurrency: -1 }, { toleratedFailureCount: -1 }, { toleratedFailurePercentage: 100.5 }]) {
      expect([bad, await refusal(client.send(new UpdateMapRunCommand({ mapRunArn: missing, ...bad })))]).toEqual([bad, { name: "ValidationException", status: 400 }]);
    }
    expect(await refusal(client.send(new DescribeMapRunCommand({ mapRunArn: "nope" })))).toEqual({ name: "InvalidArn", status: 400 });
    expect(await refusal(client.send(new DescribeMapRunCommand({ mapRunArn: machineArn("fan") })))).toEqual({ name: "InvalidArn", status: 400 });
    expect(await refusal(client.send(new DescribeMapRunCommand({} as never)))).toEqual({ name: "ValidationException", status: 400 });
    expect(await refusal(client.send(new ListMapRunsCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:fan:none` })))).toEqual({ name: "ExecutionDoesNotExist", status: 400 });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn("fan"), input: JSON.stringify({ items }) }));
    await server.sfn.drained();
    const [{ mapRunArn }] = (await client.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    expect(await refusal(client.send(new ListMapRunsCommand({ executionArn, maxResults: 1001 })))).toEqual({ name: "ValidationException", status: 400 });
    expect(await refusal(client.send(new ListMapRunsCommand({ executionArn, nextToken: "!" })))).toEqual({ name: "InvalidToken", status: 400 });
    for (const bad of [{ maxConcurrency: -1 }, { toleratedFailureCount: -1 }, { toleratedFailurePercentage: 100.5 }, { toleratedFailurePercentage: -0.5 }]) {
      expect(await refusal(client.send(new UpdateMapRunCommand({ mapRunArn, ...bad })))).toEqual({ name: "ValidationException", status: 400 });
    }
    // Children are no executions locally: ListExecutions by mapRunArn says so (and refuses both ARNs, or a Map Run of none).
    expect(await refusal(client.send(new ListExecutionsCommand({ mapRunArn })))).toEqual({ name: "ValidationException", status: 400 });
    expect(await refusal(client.send(new ListExecutionsCommand({ mapRunArn, stateMachineArn: machineArn("fan") })))).toEqual({ name: "ValidationException", status: 400 });
    expect(await refusal(client.send(new ListExecutionsCommand({ mapRunArn: missing })))).toEqual({ name: "ResourceNotFound", status: 400 });
    expect(await refusal(client.send(new ListExecutionsCommand({ mapRunArn: "nope" })))).toEqual({ name: "InvalidArn", status: 400 });
    // Raw bodies the SDK would not send, each member of each Map Run operation given hostile values: 4xx in the JSON
    // shape, never a 5xx nor a crash, and the server still serves.
    const signed = async (operation: string, body: string) => {
      const { status, text } = await signedRaw(server, operation, body);
      return { status, type: (JSON.parse(text) as { __type?: unknown }).__type };
    };
    const values = ["null", "1", "-1", "1.5", "1e400", "-1e400", "99999999999999999999", "2147483648", "true", '""', `"${"x".repeat(3000)}"`, "[]", "{}", '{"__proto__":{"polluted":true}}', JSON.stringify(executionArn), JSON.stringify(machineArn("fan")), JSON.stringify(`${mapRunArn}:extra`), JSON.stringify("arn:aws:states:::mapRun")];
    const answers: Array<{ operation: string; body: string; status: number; type: unknown }> = [];
    for (const [operation, ref, members] of [["ListMapRuns", { executionArn }, ["executionArn", "maxResults", "nextToken"]], ["DescribeMapRun", { mapRunArn }, ["mapRunArn"]], ["UpdateMapRun", { mapRunArn }, ["mapRunArn", "maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"]], ["ListExecutions", { mapRunArn }, ["mapRunArn", "maxResults", "nextToken", "statusFilter"]]] as const) {
      for (const body of ["", "{", "null", "[]", "{}"]) answers.push({ operation, body, ...(await signed(operation, body)) });
      for (const member of members) {
        for (const value of values) {
          const body = `${JSON.stringify(ref).slice(0, -1)},${JSON.stringify(member)}:${value}}`;
          answers.push({ operation, body, ...(await signed(operation, body)) });
        }
      }
    }
    expect(answers.filter((a) => a.status >= 500 || a.status < 400 && a.operation !== "ListMapRuns" && a.operation !== "DescribeMapRun" || typeof a.type !== "string" && a.status >= 400)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await client.send(new DescribeMapRunCommand({ mapRunArn }))).status).toBe("SUCCEEDED");
    // Bodies the SDK would not send: a member of the wrong JSON type is SerializationException, before the operation.
    for (const body of [{ mapRunArn: 5 }, { mapRunArn, maxConcurrency: "2" }, { mapRunArn, toleratedFailurePercentage: "5" }, { mapRunArn, toleratedFailureCount: 1.5 }]) {
      expect(() => checkMemberTypes("UpdateMapRun", body)).toThrow(expect.objectContaining({ type: "SerializationException", status: 400 }));
    }
  });
});
