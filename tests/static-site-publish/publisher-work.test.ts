/**
 * When the site publisher has work to do. `diff` and `update` answer the same question — does this deploy upload,
 * delete, newly keep a removed asset, or owe CloudFront an invalidation? — so an update that diff calls a change
 * does the work, and one with nothing to do records the new inputs without a single S3 or CloudFront request and
 * without counting a deploy. An update plans its deploy once (the plan is the costliest pure step on a big site):
 * planPublish is counted by the reads of `options.keepRemovedAssetsFor`, which nothing else in the provider reads
 * (a module mock would need this file isolated in vitest.config.mts).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { publisherLog, publisherProvider as provider } from "../../components/static-site/publisher/provider";
import type { PublisherInputs, PublisherState } from "../../components/static-site/publisher/types";
import { BUCKET, inputsFor, makeSite, removeSite, SITE, startCloud, writeFiles, type Cloud } from "./helpers";

let cloud: Cloud;
beforeAll(async () => {
  cloud = await startCloud();
  publisherLog.write = () => {};
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.reset();
  cloud.empty();
});

const ID = `${BUCKET}/site`;

/** `inputs` with a count of the deploys planned with them: planPublish reads `keepRemovedAssetsFor` once a plan. */
function countingPlans(inputs: PublisherInputs): { inputs: PublisherInputs; plans: () => number } {
  let reads = 0;
  const keep = inputs.options.keepRemovedAssetsFor;
  const options = Object.defineProperty({ ...inputs.options }, "keepRemovedAssetsFor", { enumerable: true, get: () => (reads++, keep) });
  return { inputs: { ...inputs, options }, plans: () => reads };
}

async function create(inputs: PublisherInputs): Promise<PublisherState> {
  return (await provider.create(inputs)).outs as PublisherState;
}

/** Every request the update sent, S3's and CloudFront's. */
const requests = () => [...cloud.s3.requests.map((r) => r.operation), ...cloud.cloudfront.requests];

describe("SitePublisher: diff and update agree on when there is work, and an update plans once", () => {
  it("an update with work plans the deploy once", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    writeFiles(root, { "about.html": "<html>about us</html>" });
    const { inputs: news, plans } = countingPlans(await inputsFor(root, cloud));
    cloud.reset();

    const state = (await provider.update!(ID, first, news)).outs as PublisherState;
    expect(cloud.s3.uploadedKeys()).toEqual(["about.html"]);
    expect(state.deploy).toBe(first.deploy + 1);
    expect(plans()).toBe(1);
    removeSite(root);
  });

  it("an update with no work plans once and sends no S3 or CloudFront request", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    const { inputs: news, plans } = countingPlans({ ...(await inputsFor(root, cloud)), aws: { profile: "sandbox" } });
    cloud.reset();

    const state = (await provider.update!(ID, first, news)).outs as PublisherState;
    expect(requests()).toEqual([]);
    expect(plans()).toBe(1);
    expect(state).toMatchObject({ aws: { profile: "sandbox" }, deploy: first.deploy, lastDeploy: first.lastDeploy, pendingInvalidation: [] });
    removeSite(root);
  });

  // Each kind of work alone: diff reports a change, and the update does it and counts a deploy.
  const kinds: Array<{ work: string; change(root: string, state: PublisherState): PublisherState; expected: string[] }> = [
    { work: "an upload", change: (root, state) => (writeFiles(root, { "robots.txt": "User-agent: bot" }), state), expected: ["PutObject", "CreateInvalidation"] },
    { work: "a delete", change: (root, state) => (rmSync(join(root, "robots.txt")), state), expected: ["DeleteObjects", "CreateInvalidation"] },
    { work: "a removed fingerprinted asset newly kept", change: (root, state) => (rmSync(join(root, "assets/app.3f9a12bc.js")), state), expected: [] },
    { work: "an invalidation still pending", change: (_root, state) => ({ ...state, pendingInvalidation: ["/about.html"] }), expected: ["CreateInvalidation"] },
  ];
  for (const { work, change, expected } of kinds) {
    it(`${work} alone: diff reports a change, and the update does it as a deploy`, async () => {
      const root = makeSite(SITE);
      const olds = change(root, await create(await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 })));
      const news = await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 });
      cloud.reset();
      expect((await provider.diff!(ID, olds, news)).changes).toBe(true);
      const state = (await provider.update!(ID, olds, news)).outs as PublisherState;
      expect(requests()).toEqual(expected);
      expect(state.deploy).toBe(olds.deploy + 1);
      expect(state.pendingInvalidation).toEqual([]);
      removeSite(root);
    });
  }

  it("nothing to do: diff reports no change, and the update is no deploy", async () => {
    const root = makeSite(SITE);
    const olds = await create(await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 }));
    const news = await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 });
    cloud.reset();
    expect((await provider.diff!(ID, olds, news)).changes).toBe(false);
    const state = (await provider.update!(ID, olds, news)).outs as PublisherState;
    expect(requests()).toEqual([]);
    expect(state.deploy).toBe(olds.deploy);
    removeSite(root);
  });
});
