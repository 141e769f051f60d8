/**
 * A check that throws inside an Output's apply during construction (a component validating a value known only once it
 * resolves, such as UserAuth's custom-domain certificate) fails `pulumi up` with that error. `record()` rejects with it
 * too, also when it arrives while an asynchronous build still runs, and the file's later recordings still run: the
 * registrations the failure strands (those waiting on the failed resource's outputs, which Pulumi never resolves) are
 * abandoned with the failed run, as `pulumi up` abandons them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { record } from "../harness/mocks";

const check = (message: string | undefined) => (value: string): string => {
  if (message) throw new Error(message);
  return value;
};

/** A component whose queue's name, or whose registered output, goes through `inputCheck` or `outputCheck`. */
class Checked extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  constructor(name: string, failures: { input?: string; output?: string }) {
    super("test:index:Checked", name, {}, {});
    const queue = new aws.sqs.Queue(`${name}-queue`, { name: pulumi.output(`${name}-queue`).apply(check(failures.input)) }, { parent: this });
    // Waits on the queue's outputs: when the queue's registration fails, Pulumi never resolves them.
    new aws.sqs.QueuePolicy(`${name}-policy`, { queueUrl: queue.url, policy: queue.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: arn }] })) }, { parent: this });
    this.url = queue.url.apply(check(failures.output));
    this.registerOutputs({ url: this.url });
  }
}

const passing = async (name: string) => {
  const graph = await record(() => new Checked(name, {}));
  expect(graph.map((r) => r.name)).toEqual([name, `${name}-queue`, `${name}-policy`]);
};

describe("record() and a check that throws in an Output's apply", () => {
  it("rejects with the error when the Output is a resource's input, and later recordings still run", async () => {
    await expect(record(() => new Checked("bad-input", { input: 'Checked "bad-input": queue name refused' }))).rejects.toThrow(/Checked "bad-input": queue name refused$/);
    await passing("after-bad-input");
  }, 5000);

  it("rejects with the error when the Output is a component's registered output, and later recordings still run", async () => {
    await expect(record(() => new Checked("bad-output", { output: 'Checked "bad-output": url refused' }))).rejects.toThrow(/Checked "bad-output": url refused$/);
    await passing("after-bad-output");
  }, 5000);

  it("rejects with the error when it arrives while an asynchronous build still runs, rather than recording without the failed resource", async () => {
    await expect(
      record(async () => {
        new Checked("bad-async", { input: 'Checked "bad-async": queue name refused' });
        await new Promise((done) => setTimeout(done, 20));
      }),
    ).rejects.toThrow(/Checked "bad-async": queue name refused$/);
    await passing("after-bad-async");
  }, 5000);

  it("records a construction whose checks pass", () => passing("fine"), 5000);
});
