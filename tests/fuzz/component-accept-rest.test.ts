/**
 * Must-accept properties (./component-accept.test.ts explains them) for BucketEvents, MessageQueue, RegionalApis,
 * DnsRouting and PrivateNetwork. For arguments AWS documents as valid (./component-accept-rest-arbitraries.ts, every bound cited),
 * construction must NOT refuse, and the plan must pass every deploy rule and every security rule (the recording mocks
 * refuse duplicate resource URNs too).
 *
 * Explore: `FUZZ_SEED=7 FUZZ_RUNS=200 npx vitest run tests/fuzz/component-accept-rest.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { BucketEvents } from "../../components/bucket-events";
import { DnsRouting, FailoverRole, RoutingPolicy } from "../../components/dns-routing";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { PrivateNetwork } from "../../components/private-network";
import { RegionalApis } from "../../components/regional-apis";
import { UploadBucket } from "../../components/upload-bucket";
import { ACCEPT_ENTRY, STACK_REGION } from "./component-accept-arbitraries";
import { bucketEventsDraw, bucketEventsName, messageQueueDraw, messageQueueName, dnsRoutingArgs, dnsRoutingName, privateNetworkArgs, privateNetworkName, regionalApisArgs, regionalApisName } from "./component-accept-rest-arbitraries";
import { SEED, useComponentFuzz } from "./component-args-harness";

const { acceptComponent, construct } = useComponentFuzz();

describe(`arguments AWS documents as valid are accepted and deploy cleanly (seed ${SEED}): BucketEvents, MessageQueue, RegionalApis, DnsRouting, PrivateNetwork`, () => {
  it("BucketEvents (on an UploadBucket, its functions in the bucket's region)", async () => {
    await acceptComponent(
      "BucketEvents",
      bucketEventsName,
      bucketEventsDraw,
      (name, { region, passRegion, oneFunction, subscriptions }) => {
        const uploads = new UploadBucket("events-bucket", { region });
        const shared = oneFunction ? new LambdaFunction("subscriber", { entry: ACCEPT_ENTRY, region }) : undefined;
        new BucketEvents(name, {
          bucket: uploads.nodes.bucket,
          region: passRegion ? (region ?? STACK_REGION) : region,
          subscriptions: Object.fromEntries(subscriptions.map(({ id, ...s }, i) => [id, { ...s, function: shared ?? new LambdaFunction(`subscriber-${i}`, { entry: ACCEPT_ENTRY, region }) }])),
        });
      },
      20,
    );
  });

  it("MessageQueue (FIFO or standard, its consumer of any timeout)", async () => {
    await acceptComponent(
      "MessageQueue",
      messageQueueName,
      messageQueueDraw,
      (name, { timeout, args }) => new MessageQueue(name, { ...args, consumer: { ...args.consumer, function: new LambdaFunction("queue-consumer", { entry: ACCEPT_ENTRY, timeout }) } }),
      20,
      {
        // The names the plan records are the ones SQS takes: a FIFO queue's (and its dead-letter queue's) ends in .fifo,
        // as pulumi-aws autonames it, a standard queue's does not (CreateQueue QueueName).
        recorded: (graph, _name, { args }) => {
          const names = graph.filter((r) => r.type === "aws:sqs/queue:Queue").map((r) => String(r.state.name));
          expect(names.map((n) => n.endsWith(".fifo"))).toEqual(names.map(() => args.fifo === true));
        },
      },
    );
  });

  it("RegionalApis (one region, or latency and failover routing over several)", async () => {
    await acceptComponent("RegionalApis", regionalApisName, regionalApisArgs, (name, args) => new RegionalApis(name, args), 20);
  });

  it("DnsRouting (latency, failover and geolocation)", async () => {
    await acceptComponent("DnsRouting", dnsRoutingName, dnsRoutingArgs, (name, args) => new DnsRouting(name, args), 20);
  });

  it("PrivateNetwork (a new VPC, or an existing one)", async () => {
    await acceptComponent("PrivateNetwork", privateNetworkName, privateNetworkArgs, (name, args) => new PrivateNetwork(name, args), 20);
  });
});

/** False refusals and duplicate URNs the must-accept properties found, each pinned with the AWS source. */
describe("duplicate URNs the must-accept properties found", () => {
  const target = { name: "d-abc123.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" };
  const check = { fqdn: "abc123.execute-api.us-east-1.amazonaws.com", path: "/prod/health" };

  // SetIdentifier: "Length Constraints: Minimum length of 1. Maximum length of 128." with no pattern
  // (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html), and DnsRoutingRecord.id is
  // free text. DnsRouting named each record and health check by the id's letters and digits only, so "us-east-1" and
  // "useast1" (or "blue 1" and "blue-1") made one resource name twice, a duplicate URN Pulumi refuses at `up`. Found by
  // the DnsRouting property (seeds 20260611 and 1). A record whose id's letters and digits an earlier record already
  // took now adds a hash of its id; the first keeps its name, so existing stacks are unchanged.
  it("DnsRouting refuses record ids that differ only outside letters and digits (they would name two resources alike), naming both", async () => {
    const latency = await construct(() => new DnsRouting("api-routing", { zoneId: "Z0123456789EXAMPLE0000", name: "api.example.com", policy: RoutingPolicy.Latency, records: [
      { id: "us-east-1", region: "us-east-1", target, healthCheck: check },
      { id: "useast1", region: "us-west-2", target, healthCheck: check },
    ] }));
    expect("refused" in latency && [latency.refused.argument, latency.refused.message]).toEqual(["records[1].id", expect.stringMatching(/"useast1" reads as "useast1" in resource names, as record id "us-east-1" does .*Give the two records ids that differ in letters or digits\.$/)]);
    const failover = await construct(() => new DnsRouting("api-routing", { zoneId: "Z0123456789EXAMPLE0000", name: "api.example.com", policy: RoutingPolicy.Failover, records: [
      { id: "blue 1", failover: FailoverRole.Primary, target, healthCheck: check },
      { id: "blue-1", failover: FailoverRole.Secondary, target },
    ] }));
    expect("refused" in failover && failover.refused.argument).toBe("records[1].id");
  });
});
