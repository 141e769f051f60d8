/**
 * The edges the SQS rules' failing fixtures (fixtures/sqs.ts) stand next to: what AWS accepts must pass.
 */
import { describe, expect, it } from "vitest";
import { mutate } from "../../testing/harness";
import { SQS_MAPPING_VISIBILITY_TIMEOUT, SQS_ONE_QUEUE_POLICY } from "../../testing/deploy-rules/sqs";
import { standardQueue } from "./fixtures/sqs";
import { withInputs } from "./fixture";

const context = { stack: "dev", production: false, region: "us-east-1" };

describe("SQS deploy rules at AWS's edges", () => {
  it("takes a 30 s function on a queue left at SQS's default 30 s visibility timeout (equal is allowed)", async () => {
    const graph = mutate(
      mutate(await standardQueue(), (r) => r.type === "aws:sqs/queue:Queue" && r.name === "mq-queue", (q) => withInputs(q, { visibilityTimeoutSeconds: undefined })),
      (r) => r.type === "aws:lambda/function:Function",
      (fn) => withInputs(fn, { timeout: 30 }),
    );
    expect(SQS_MAPPING_VISIBILITY_TIMEOUT.check(graph, context)).toEqual([]);
  });

  it("takes MessageQueue's one TLS-only policy per queue", async () => {
    expect(SQS_ONE_QUEUE_POLICY.check(await standardQueue(), context)).toEqual([]);
  });
});
