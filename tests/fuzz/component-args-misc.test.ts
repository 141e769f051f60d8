/**
 * The component-argument fuzz (./component-args.test.ts, docs/testing.md) for the smaller components: for arguments a
 * user might plausibly write (./component-args-misc-arbitraries.ts), construction must EITHER refuse with a
 * ComponentArgError naming the component, the argument and a fix, OR record a plan that every deploy rule and every
 * security rule passes. Seeded and short; explore with
 * `FUZZ_SEED=7 FUZZ_RUNS=500 npx vitest run tests/fuzz/component-args-misc.test.ts`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AWS_REGION_NAME } from "../../components/names";
import { BucketEvents } from "../../components/bucket-events";
import { LambdaFunction } from "../../components/lambda/function";
import { RealtimeApi } from "../../components/realtime-api";
import { StackSecret } from "../../components/stack-secret";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import { UploadBucket } from "../../components/upload-bucket";
import { componentName, region } from "./component-args-arbitraries";
import { SEED, useComponentFuzz } from "./component-args-harness";
import { ENTRY, mostly, realtimeApiArgs, stackSecretArgs, subscriptions, topicCase, uploadBucketArgs } from "./component-args-misc-arbitraries";

const { construct, fuzzComponent, parameters, refusedOrDeployable } = useComponentFuzz();

/** What UploadBucket's methods get called with after construction: a replica, browser origins. */
const uploadBucketCalls = fc.record(
  {
    replicate: fc.record({ region, prefix: fc.constantFrom("", "originals/", "ünï/") }),
    origins: mostly<string[]>(fc.array(fc.constantFrom("https://gallery.example.com", "http://localhost:5173", "https://GALLERY.example.com", "*"), { minLength: 1, maxLength: 3 }), fc.constant([])),
  },
  { requiredKeys: [] },
);

describe(`component arguments are refused with a fix or deploy cleanly (seed ${SEED}): the smaller components`, () => {
  it("RealtimeApi", async () => {
    await fuzzComponent("RealtimeApi", realtimeApiArgs, (name, args) => new RealtimeApi(name, args), 25);
  });

  it("UploadBucket (with replicate and allowBrowserUploads)", async () => {
    await fc.assert(
      fc.asyncProperty(componentName, uploadBucketArgs, uploadBucketCalls, (name, args, calls) =>
        refusedOrDeployable(
          "UploadBucket",
          () => {
            const uploads = new UploadBucket(name, args);
            if (calls.replicate) uploads.replicate(calls.replicate.region, calls.replicate.prefix);
            if (calls.origins) uploads.allowBrowserUploads("site", calls.origins);
          },
          undefined,
          JSON.stringify([name, args, calls]),
        ),
      ),
      parameters(40),
    );
  });

  it("BucketEvents", async () => {
    await fc.assert(
      fc.asyncProperty(componentName, fc.option(region, { nil: undefined, freq: 3 }), subscriptions, (name, bucketRegion, subs) =>
        refusedOrDeployable(
          "BucketEvents",
          () => {
            // The bucket and functions take the region only when it is one (they refuse others under their own names); BucketEvents gets it as drawn.
            const placed = bucketRegion !== undefined && AWS_REGION_NAME.test(bucketRegion) ? bucketRegion : undefined;
            const uploads = new UploadBucket("events-bucket", { region: placed });
            const functions = Object.entries(subs).map(([id, { functionElsewhere, ...s }], i) => [id, { ...s, function: new LambdaFunction(`subscriber-${i}`, { entry: ENTRY, region: functionElsewhere ? "eu-west-1" : placed }) }] as const);
            new BucketEvents(name, { bucket: uploads.nodes.bucket, region: bucketRegion, subscriptions: Object.fromEntries(functions) });
          },
          undefined,
          JSON.stringify([name, bucketRegion, subs]),
        ),
      ),
      parameters(30),
    );
  });

  it("Topic (with subscribe and subscribeQueue)", async () => {
    await fc.assert(
      fc.asyncProperty(componentName, topicCase, (name, { functions, queues, ...args }) =>
        refusedOrDeployable(
          "Topic",
          () => {
            const topic = new Topic(name, args);
            functions.forEach(({ name: subscription, ...options }, i) => topic.subscribe(subscription, new LambdaFunction(`topic-subscriber-${i}`, { entry: ENTRY }), options));
            queues.forEach(({ fifo, listsTopic, ...options }, i) => {
              const queue = new MessageQueue(`topic-queue-${i}`, { fifo, consumer: { function: new LambdaFunction(`topic-queue-worker-${i}`, { entry: ENTRY }) }, topics: listsTopic ? [topic] : [] });
              topic.subscribeQueue(`queue-${i}`, queue, options);
            });
          },
          undefined,
          JSON.stringify([name, args, functions, queues]),
        ),
      ),
      parameters(30),
    );
  });

  it("StackSecret", async () => {
    await fuzzComponent("StackSecret", stackSecretArgs, (name, args) => new StackSecret(name, args), 30, { label: (name, args) => JSON.stringify([name, { ...args, value: "<value>" }]) });
  });
});

/** What the fuzz found, each shrunk counterexample pinned as a regular test (and the seed that found it). */
describe("counterexamples the fuzz found", () => {
  it('StackSecret refuses the name "Données", whose secret would be autonamed "Données-secret-<suffix>", which Secrets Manager refuses (seed 1)', async () => {
    const outcome = await construct(() => new StackSecret("Données", { value: "s3cr3t" }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^StackSecret "Données": name "Données" makes the secret name "Données-secret-<random suffix>" hold "é", which Secrets Manager refuses \(it takes letters, digits, "\/", "_", "\+", "=", "\.", "@" and "-"\)\. Use a component name of letters, digits, "-", "\.", "_", "\+", "=", "@" and "\/", e\.g\. "Donn-es"\.$/);
    expect("graph" in (await construct(() => new StackSecret("signing.key_2", { value: "s3cr3t" })))).toBe(true);
  });

  it('RealtimeApi refuses the name "Données", whose access log group "Données-access-logs-<suffix>" CloudWatch Logs refuses', async () => {
    const table = { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" };
    const outcome = await construct(() => new RealtimeApi("Données", { routes: { $connect: { handler: ENTRY } }, anonymous: true, connectionsTable: table }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^RealtimeApi "Données": name "Données" makes the CloudWatch log group name "Données-access-logs-<random suffix>" hold "é", which CloudWatch Logs refuses/);
  });

  it('RealtimeApi names its own argument when a route\'s function is refused: an export the handler lacks is routes["$connect"].export, not LambdaFunction "a-connect"\'s handler (seed 20260611)', async () => {
    const table = { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" };
    const outcome = await construct(() => new RealtimeApi("a", { routes: { $connect: { handler: ENTRY, export: "message" } }, anonymous: true, connectionsTable: table }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^RealtimeApi "a": routes\["\$connect"\]\.export "message" is not exported by .*echo\.ts\. Export a function named message, or set routes\["\$connect"\]\.export to the exported name\.$/);
    const memory = await construct(() => new RealtimeApi("a", { routes: { $connect: { handler: ENTRY, function: { memorySize: 10241 } } }, anonymous: true, connectionsTable: table }));
    expect("refused" in memory && memory.refused.argument).toBe('routes["$connect"].function.memorySize');
  });

  it("RealtimeApi without a region of its own refuses, at construction, a domain certificate from another region than the stack's (seed 20260611)", async () => {
    // Before: the check ran only in the DomainName's certificateArn apply (a deploy-time error that left the plan unsettled).
    const args = { routes: { $connect: { handler: ENTRY } }, anonymous: true, connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" } };
    const domain = { name: "live.gallery.example.com", certificateArn: "arn:aws:acm:ap-southeast-2:123456789012:certificate/abc" };
    const outcome = await construct(() => new RealtimeApi("gallery", { ...args, domain }));
    expect("refused" in outcome && outcome.refused.message).toMatch(
      /^RealtimeApi "gallery": domain\.certificateArn "arn:aws:acm:ap-southeast-2:123456789012:certificate\/abc" is in ap-southeast-2, but a regional custom domain takes a certificate from its API's region, us-east-1\. Request or import a certificate for live\.gallery\.example\.com in us-east-1\.$/,
    );
  });
});
