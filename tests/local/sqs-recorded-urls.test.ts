/**
 * The queue URL a program hands its functions, under the mocks `npm start` runs it with: an AWS URL
 * (`https://sqs.<region>.amazonaws.com/<account>/<name>`, also the queue's id), which the queues service maps to the
 * local server's URL for that queue, and only for the queues it serves.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { recordedQueueUrls } from "../../local/services/queues";
import { LocalSqs, type LocalQueueDefinition } from "../../local/sqs-server";
import { record, useMocks } from "../harness/mocks";

const definition = (name: string): LocalQueueDefinition => ({
  name,
  fifo: false,
  contentBasedDeduplication: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  maximumMessageBytes: 1_048_576,
  region: "eu-west-1",
});

describe("recorded queue URLs", () => {
  it("records a queue's AWS URL and maps it, for the queues the local server serves, to the local URL", async () => {
    await useMocks({ region: "eu-west-1" });
    const graph = await record(() => {
      new aws.sqs.Queue("jobs", { name: "jobs-1a2b3c" });
      new aws.sqs.Queue("elsewhere", { name: "not-served" });
    });
    const recorded = `https://sqs.eu-west-1.amazonaws.com/${MOCK_ACCOUNT_ID}/jobs-1a2b3c`;
    expect(graph.find((r) => r.name === "jobs")).toMatchObject({ id: recorded, state: { url: recorded, arn: `arn:aws:sqs:eu-west-1:${MOCK_ACCOUNT_ID}:jobs-1a2b3c` } });
    const sqs = new LocalSqs([definition("jobs-1a2b3c")]);
    const urls = recordedQueueUrls(graph, { sqs, queueUrl: (name) => `http://127.0.0.1:1234/000000000000/${name}` });
    expect([...urls]).toEqual([[recorded, "http://127.0.0.1:1234/000000000000/jobs-1a2b3c"]]);
  });
});
