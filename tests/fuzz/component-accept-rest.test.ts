/**
 * Must-accept properties (./component-accept.test.ts explains them) for BucketEvents, RegionalApis, DnsRouting and
 * PrivateNetwork. For arguments AWS documents as valid (./component-accept-rest-arbitraries.ts, every bound cited),
 * construction must NOT refuse, and the plan must pass every deploy rule and every security rule (the recording mocks
 * refuse duplicate resource URNs too).
 *
 * Explore: `FUZZ_SEED=7 FUZZ_RUNS=200 npx vitest run tests/fuzz/component-accept-rest.test.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { BucketEvents } from "../../components/bucket-events";
import { LambdaFunction } from "../../components/lambda/function";
import { RegionalApis } from "../../components/regional-apis";
import { UploadBucket } from "../../components/upload-bucket";
import { ACCEPT_ENTRY, STACK_REGION } from "./component-accept-arbitraries";
import { bucketEventsDraw, bucketEventsName, regionalApisArgs, regionalApisName } from "./component-accept-rest-arbitraries";
import { SEED, useComponentFuzz } from "./component-args-harness";

const { acceptComponent, construct } = useComponentFuzz();

beforeAll(() => pulumi.runtime.setConfig("aws:region", STACK_REGION));

describe(`arguments AWS documents as valid are accepted and deploy cleanly (seed ${SEED}): BucketEvents, RegionalApis, DnsRouting, PrivateNetwork`, () => {
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

  it("RegionalApis (one region, or latency and failover routing over several)", async () => {
    await acceptComponent("RegionalApis", regionalApisName, regionalApisArgs, (name, args) => new RegionalApis(name, args), 20);
  });
});
