/**
 * Workflow and a Distributed Map's ItemBatcher (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html):
 * what the States Language's "Batching Items" refuses and asl-validator's schema refuses too (a limit and its path
 * both, a limit that is no integer, MaxInputBytesPerBatch over 256 KiB) fails the program; what the specification
 * refuses but AWS's answer at CreateStateMachine is not recorded for (an Inline Map's ItemBatcher, one without a limit,
 * a limit of 0, a `…Path` limit in a JSONata state) is warned of, as the deploy rule StatesItemBatcher warns.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Workflow } from "../../components/workflow";
import { checkDeployWarnings } from "../../testing/deploy-rules";
import { useMocks } from "../harness/mocks";
import { recordWarnings as warningsWhile } from "../harness/warnings";

beforeAll(() => useMocks());

const processor = (inline: boolean) => ({ ...(inline ? {} : { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" } }), StartAt: "Item", States: { Item: { Type: "Pass", End: true } } });
/** A definition whose Map state `Fan` batches with `batcher`, in Distributed mode unless `inline`. */
const batching = (batcher: unknown, options: { inline?: boolean; jsonata?: boolean } = {}) => ({
  StartAt: "Fan",
  States: { Fan: { Type: "Map", ...(options.jsonata ? { QueryLanguage: "JSONata" } : {}), ItemBatcher: batcher, ItemProcessor: processor(options.inline ?? false), End: true } },
});

/** The graph, and the warnings pulumi.log.warn was given meanwhile that name the Workflow `name`. */
const recordWarnings = (name: string, definition: unknown) => warningsWhile(() => new Workflow(name, { definition: definition as never }), (message) => message.startsWith(`Workflow "${name}"`));

describe("Workflow ItemBatcher", () => {
  it("takes a Distributed Map's ItemBatcher with a positive limit (a literal, a path, a JSONata expression), warning of nothing", async () => {
    for (const [i, definition] of [batching({ MaxItemsPerBatch: 2, BatchInput: { run: 1 } }), batching({ MaxInputBytesPerBatchPath: "$.bytes" }), batching({ MaxItemsPerBatch: "{% $states.input.size %}" }, { jsonata: true })].entries()) {
      const { graph, warned } = await recordWarnings(`wb-ok-${i}`, definition);
      expect(warned).toEqual([]);
      expect(checkDeployWarnings(graph, { stack: "dev", production: false, region: "us-east-1" }).filter((f) => f.rule === "StatesItemBatcher")).toEqual([]);
    }
  });

  it("fails the program for a limit and its path both, a limit that is no integer, and MaxInputBytesPerBatch over 262144 (asl-validator's schema, the States Language)", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ MaxItemsPerBatch: 2, MaxItemsPerBatchPath: "$.size" }, /MUST contain at most one of "MaxItemsPerBatch", "MaxItemsPerBatchPath"/],
      [{ MaxInputBytesPerBatch: 1024, MaxInputBytesPerBatchPath: "$.bytes" }, /MUST contain at most one of "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"/],
      [{ MaxItemsPerBatch: 1.5 }, /ItemBatcher\/MaxItemsPerBatch is invalid\. must be integer/],
      [{ MaxInputBytesPerBatch: -1 }, /ItemBatcher\/MaxInputBytesPerBatch is invalid\. must be >= 0/],
      [{ MaxInputBytesPerBatch: 262_145 }, /ItemBatcher\/MaxInputBytesPerBatch is invalid\. must be <= 262144/],
    ];
    for (const [i, [batcher, message]] of cases.entries()) {
      expect(() => new Workflow(`wb-refused-${i}`, { definition: batching(batcher) as never })).toThrow(message);
    }
  });

  it("warns of an Inline Map's ItemBatcher, one without a limit, a limit of 0 and a …Path limit in a JSONata state, naming the component, argument, state and fix, as StatesItemBatcher does", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["inline", batching({ MaxItemsPerBatch: 2 }, { inline: true }), /^Workflow "wb-inline": definition "definition\.States\.Fan" sets ItemBatcher in Inline mode \(ItemProcessor\.ProcessorConfig\.Mode not set\), .*not recorded.*Set ItemProcessor\.ProcessorConfig to \{ Mode: "DISTRIBUTED", ExecutionType: … \}, or take ItemBatcher out\.$/s],
      ["unlimited", batching({ BatchInput: { run: 1 } }), /^Workflow "wb-unlimited": definition "definition\.States\.Fan\.ItemBatcher" sets no limit: .*Set MaxItemsPerBatch or MaxInputBytesPerBatch/s],
      ["zero", batching({ MaxItemsPerBatch: 0 }), /^Workflow "wb-zero": definition "definition\.States\.Fan\.ItemBatcher\.MaxItemsPerBatch" is 0, where the States Language takes a positive integer.*Set a limit of 1 or more/s],
      ["pathed", batching({ MaxInputBytesPerBatchPath: "$.bytes" }, { jsonata: true }), /^Workflow "wb-pathed": definition "definition\.States\.Fan\.ItemBatcher\.MaxInputBytesPerBatchPath" sets MaxInputBytesPerBatchPath, a JSONPath field, in a JSONata state.*Give MaxInputBytesPerBatch a JSONata expression instead/s],
    ];
    for (const [label, definition, message] of cases) {
      const { graph, warned } = await recordWarnings(`wb-${label}`, definition);
      expect(warned).toEqual([expect.stringMatching(message)]);
      // The deploy rule reads the recorded definition with the same checker.
      expect(checkDeployWarnings(graph, { stack: "dev", production: false, region: "us-east-1" }).filter((f) => f.rule === "StatesItemBatcher")).toHaveLength(1);
    }
  });
});
