/**
 * Local SQS with real local Lambdas: a producer that sends with @aws-sdk/client-sqs to the queue URL the program
 * recorded (an AWS URL, localised by the queues service), and a consumer using Powertools' batch processor whose
 * partial batch response keeps only its failed message on the queue.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { clearRegisteredSpecs, registerSpec } from "../../components/spec-registry";
import { LocalLambda } from "../../local/lambda-runtime";
import { queuesService, type LocalQueuesService } from "../../local/services/queues";
import { FunctionRoles } from "../../local/function-roles";
import type { LocalContext } from "../../local/services/types";
import { localLambdaSpec } from "../harness/lambda-spec";
import { messageQueueSpec } from "../harness/message-queue-spec";

const RECORDED_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-1a2b3c";
const entry = join(__dirname, "../fixtures/handlers/sqs.ts");
const producerSpec = localLambdaSpec({ name: "sqs-producer", entry, handler: "send", timeout: 10, environment: { QUEUE_URL: RECORDED_URL } });
const consumerSpec = localLambdaSpec({ name: "sqs-consumer", entry, handler: "consume", timeout: 10 });
const spec = messageQueueSpec(consumerSpec);

const buildDir = mkdtempSync(join(tmpdir(), "sf-sqs-lambda-"));
const environment: Record<string, string> = { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
const localAddresses = new Map<string, string>();
const producer = new LocalLambda(producerSpec, { buildDir, sharedEnvironment: environment, localAddresses });
const consumer = new LocalLambda(consumerSpec, { buildDir, sharedEnvironment: environment, localAddresses });
afterAll(async () => {
  await Promise.all([producer.stop(), consumer.stop()]);
  clearRegisteredSpecs();
});

describe("local SQS with local Lambdas", () => {
  it("delivers what a function sends to the program's queue URL to the consumer, and keeps only the consumer's failure", async () => {
    registerSpec("MessageQueue", "jobs", spec);
    const responses: Array<[string, unknown]> = [];
    let bothSettled!: () => void;
    const settled = new Promise<void>((resolve) => (bothSettled = resolve));
    const context = {
      stateDir: mkdtempSync(join(tmpdir(), "sf-sqs-state-")),
      environment,
      localAddresses,
      functionRoles: new FunctionRoles([]),
      run: { resources: [{ type: "aws:sqs/queue:Queue", name: "jobs-queue", id: RECORDED_URL, inputs: {}, state: { name: "jobs-1a2b3c", url: RECORDED_URL } }] },
      lambda: () => ({
        invoke: async (event: SQSEvent) => {
          const response = await consumer.invoke(event);
          responses.push(...event.Records.map((r): [string, unknown] => [r.body, response]));
          if (responses.length === 2) bothSettled();
          return response;
        },
      }),
      log: () => undefined,
    } as unknown as LocalContext;
    const started = (await queuesService.start(context)) as LocalQueuesService;
    try {
      const local = `${environment.AWS_ENDPOINT_URL_SQS}/123456789012/jobs-1a2b3c`;
      expect(localAddresses.get(RECORDED_URL)).toBe(local);
      const sent = [await producer.invoke<{ messageId: string }>({ body: "ok" }), await producer.invoke<{ messageId: string }>({ body: "fail-me" })];
      started.afterStart!();
      await settled;
      const failedId = sent[1].messageId;
      for (const [, response] of responses) expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failedId }] });
      // Only the failed message is left, in flight until its visibility timeout.
      await started.eventSources.get("jobs-1a2b3c")!.stop();
      expect(started.server.sqs.attributes("jobs-1a2b3c")).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" });
    } finally {
      await started.stop();
    }
  });
});
