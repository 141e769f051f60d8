/**
 * checkPlanTransition on Lambda event source mappings, review 35b finding F1: Lambda keeps one mapping per event source
 * and function, so a mapping the update creates on the pair a deployed mapping holds (a DataTier subscription renamed;
 * a mapping replaced create-first because startingPosition changed) is refused with ResourceConflictException. Pairs of
 * recordings of the real components, directly and through the saved plan, and plans saved by the previous version.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { DataTier, type StreamSubscriptionArgs, type TableArgs } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { record as recordProgram } from "../../testing/harness";
import { formatFinding, type SavedResource } from "../../testing/deploy-rules";
import { rules, saved, transition } from "./fixture";

const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const gallery: TableArgs = { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk", stream: "NEW_AND_OLD_IMAGES" };

/** The reference app's gallery counters: one DataTier subscription, named `subscription`. */
const tier = (subscription = "counters", args: StreamSubscriptionArgs = {}) =>
  recordProgram(() => {
    const data = new DataTier("data", { tables: { gallery }, region: "us-east-1" });
    data.subscribe(subscription, "gallery", new LambdaFunction("counters", { entry: "tests/fixtures/handlers/echo.ts" }), args);
  });

/** `graph` as the previous version made it: mappings without deleteBeforeReplace. */
const createFirst = (graph: RecordedResource[]) => graph.map((r) => (r.type === MAPPING ? { ...r, deleteBeforeReplace: false } : r));

describe("event source mappings in checkPlanTransition (TransitionNameTaken)", () => {
  it("finds a subscription's startingPosition changed on a mapping replaced create-first, and passes it delete-first (DataTier's mapping)", async () => {
    const [latest, trim] = [await tier(), await tier("counters", { startingPosition: "TRIM_HORIZON" })];
    const findings = transition(latest, createFirst(trim));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MAPPING} data-counters-mapping`]]);
    expect(findings[0].problem).toMatch(/^is replaced create-before-delete \(a replace-forcing input changed\) as Lambda event source mapping of arn:aws:dynamodb:us-east-1:\d+:table\/data-gallery-[0-9a-f]+\/stream\/\S+ to function counters-function-[0-9a-f]+; its deployed copy keeps the pair until the new one exists/);
    expect(findings[0].problem).toContain("provided mapping already exists");
    expect(findings[0].fix).toMatch(/^set deleteBeforeReplace: true on data-counters-mapping .*TRIM_HORIZON reads again up to 24 hours/);
    // Back to LATEST alike, and through the file npm run plan -- --save writes.
    expect(rules(trim, createFirst(latest))).toEqual([["TransitionNameTaken", `${MAPPING} data-counters-mapping`]]);
    expect(rules(saved(latest), createFirst(trim))).toEqual([["TransitionNameTaken", `${MAPPING} data-counters-mapping`]]);
    // DataTier replaces its mapping delete-first.
    expect(trim.find((r) => r.type === MAPPING)!.deleteBeforeReplace).toBe(true);
    expect(transition(latest, trim).map(formatFinding)).toEqual([]);
    expect(transition(saved(trim), latest).map(formatFinding)).toEqual([]);
  });

  it("finds a subscription renamed with the same function and table (the new mapping is created before the old one is deleted), and passes a new pair", async () => {
    const findings = transition(await tier("counters"), await tier("tallies"));
    // The subscription's dead-letter queue is renamed too, which deletes the failed records it holds.
    const dlq = ["TransitionStatefulReplaced", "aws:sqs/queue:Queue data-tallies-dlq"];
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MAPPING} data-tallies-mapping`], dlq]);
    expect(findings[0].problem).toMatch(/^is created by the update as Lambda event source mapping of arn:aws:dynamodb:\S+ to function counters-function-[0-9a-f]+; aws:lambda\/eventSourceMapping:EventSourceMapping data-counters-mapping of the deployed plan holds the name and is removed from the program/);
    expect(findings[0].fix).toContain("keep the subscription's deployed name, or rename it in two updates");
    expect(rules(saved(await tier("counters")), await tier("tallies"))).toEqual([["TransitionNameTaken", `${MAPPING} data-tallies-mapping`], dlq]);
    // A new pair passes: another function (whose dead-letter queue is no rename either: no function in common, review 88
    // S2), a MessageQueue renamed with its queue, and an unchanged plan.
    const other = await recordProgram(() => {
      const data = new DataTier("data", { tables: { gallery }, region: "us-east-1" });
      data.subscribe("tallies", "gallery", new LambdaFunction("tallies", { entry: "tests/fixtures/handlers/echo.ts" }));
    });
    expect(transition(await tier("counters"), other).map((f) => [f.rule, f.resource])).toEqual([]);
    const queue = (name: string) => recordProgram(() => new MessageQueue(name, { consumer: { function: new LambdaFunction("worker", { entry: "tests/fixtures/handlers/echo.ts" }) } }));
    expect(transition(await queue("jobs"), await queue("tasks")).filter((f) => f.resource.startsWith(MAPPING))).toEqual([]);
    expect(transition(await tier(), await tier()).map(formatFinding)).toEqual([]);
  });

  it("finds a hand-built mapping (function by name) moved to another logical name, or replaced create-first", async () => {
    const program = (name: string, opts: { startingPosition?: string } = {}) =>
      recordProgram(() => {
        const fn = new LambdaFunction("h", { entry: "tests/fixtures/handlers/echo.ts" });
        new aws.lambda.EventSourceMapping(name, { eventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", functionName: fn.functionName, startingPosition: opts.startingPosition ?? "LATEST" });
      });
    expect(rules(await program("clicks"), await program("clicks-v2"))).toEqual([["TransitionNameTaken", `${MAPPING} clicks-v2`]]);
    expect(rules(await program("clicks"), await program("clicks", { startingPosition: "TRIM_HORIZON" }))).toEqual([["TransitionNameTaken", `${MAPPING} clicks`]]);
  });

  it("reads plans saved by the previous version, which kept no input of a mapping, without judging their mappings", async () => {
    const [deployed, renamed] = [await tier("counters"), await tier("tallies")];
    // What toSavedPlan wrote before mappings were checked: the mapping with savedInputs [] and no inputs.
    const previous: SavedResource[] = saved(deployed).map((r) => (r.type === MAPPING ? { ...r, inputs: {}, savedInputs: [] } : r));
    const mappings = (found: ReturnType<typeof transition>) => found.filter((f) => f.resource.startsWith(MAPPING)).map(formatFinding);
    // Only the mappings: the renamed subscription's dead-letter queue is TransitionStatefulReplaced's.
    expect(mappings(transition(previous, renamed))).toEqual([]);
    expect(transition(previous, createFirst(await tier("counters", { startingPosition: "TRIM_HORIZON" }))).map(formatFinding)).toEqual([]);
    // And a plan saved before resources listed their saved inputs at all.
    const older = previous.map(({ savedInputs: _kept, ...r }) => r as RecordedResource);
    expect(mappings(transition(older, renamed))).toEqual([]);
    // A plan saved now keeps the mapping's pair and replace-forcing inputs, and its failure destination (whose function
    // is a renamed dead-letter queue's evidence, TransitionStatefulReplaced), nothing else of it.
    const mapping = saved(deployed).find((r) => r.type === MAPPING)!;
    expect(Object.keys(mapping.inputs).sort()).toEqual(["destinationConfig", "eventSourceArn", "functionName", "region", "startingPosition"]);
  });
});
