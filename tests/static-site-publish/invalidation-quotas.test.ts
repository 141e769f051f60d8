/**
 * The publisher against CloudFront's quotas on invalidations in progress per distribution (3,000 file paths and 15
 * wildcard paths, across every batch still in progress: cloudfront-limits.html#limits-invalidations). A deploy soon
 * after another (a rollback right after a bad release) finds the earlier batches still in progress, and CloudFront
 * answers TooManyInvalidationsInProgress: the publisher sends a batch that fits what is left, or waits (a bounded
 * time) for one of them to complete, and otherwise keeps the paths for the next deploy.
 * The CloudFront stub holds "another deploy's" invalidation in progress and enforces the quotas.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { invalidationWaits, publisherLog, publisherProvider as provider } from "../../components/static-site/publisher/provider";
import type { PublisherInputs, PublisherState } from "../../components/static-site/publisher/types";
import { BUCKET, DISTRIBUTION, filesOf, inputsFor, makeSite, removeSite, SITE, startCloud, writeFiles, type Cloud } from "./helpers";

let cloud: Cloud;
const logs: string[] = [];
/** The waits the publisher asked for (none are real: the stub's invalidations complete by being polled). */
const waits: number[] = [];
const realSleep = invalidationWaits.sleep;

beforeAll(async () => {
  cloud = await startCloud();
  publisherLog.write = (line) => void logs.push(line);
  invalidationWaits.sleep = async (ms) => void waits.push(ms);
});
afterAll(async () => {
  invalidationWaits.sleep = realSleep;
  await cloud.close();
});
beforeEach(() => {
  cloud.reset();
  cloud.empty();
  logs.length = 0;
  waits.length = 0;
});

const POSTS = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`blog/post-${i}.html`, `post ${i}`]));
/** 15 wildcard paths: every wildcard CloudFront lets a distribution have in progress. */
const FIFTEEN_WILDCARDS = Array.from({ length: 15 }, (_, i) => `/other-${i}/*`);

async function create(inputs: PublisherInputs): Promise<PublisherState> {
  return (await provider.create(inputs)).outs as PublisherState;
}

/** A published site, and the inputs of its next release: every post and the about page changed. */
async function siteAndRelease(options = { maxInvalidationPaths: 3 }) {
  const root = makeSite({ ...SITE, ...POSTS });
  const first = await create(await inputsFor(root, cloud, options));
  writeFiles(root, { ...Object.fromEntries(Object.keys(POSTS).map((k) => [k, `${k} v2`])), "about.html": "about v2" });
  const news = await inputsFor(root, cloud, options);
  cloud.reset();
  return { root, first, news };
}

/** The batches the publisher created (not the ones held in progress by "another deploy"). */
const created = () => cloud.cloudfront.invalidations.filter((i) => !i.callerReference.startsWith("held-"));

describe("SitePublisher invalidations and CloudFront's in-progress quotas", () => {
  it("waits for an earlier invalidation holding all 15 wildcard paths to complete, then sends its own batch", async () => {
    const { root, first, news } = await siteAndRelease();
    cloud.cloudfront.holdInProgress(DISTRIBUTION, FIFTEEN_WILDCARDS, { completeAfterPolls: 2 });

    const state = (await provider.update!(`${BUCKET}/site`, first, news)).outs as PublisherState;
    expect(cloud.cloudfront.refused).toBeGreaterThan(0);
    expect(created().map((i) => i.paths)).toEqual([["/about.html", "/blog/*"]]);
    expect(state.lastDeploy.invalidationPaths).toEqual(["/about.html", "/blog/*"]);
    expect(state.pendingInvalidation).toEqual([]);
    expect(waits.length).toBeGreaterThan(0);
    expect(logs.some((l) => /refused the invalidation: 1 invalidation \(0 paths, 15 wildcard paths\) in progress; waiting for it to complete/.test(l))).toBe(true);
    removeSite(root);
  });

  it("sends a batch that fits the room earlier invalidations leave (2,999 of 3,000 paths in progress) without waiting", async () => {
    const { root, first, news } = await siteAndRelease({ maxInvalidationPaths: 1000 });
    cloud.cloudfront.holdInProgress(DISTRIBUTION, Array.from({ length: 2999 }, (_, i) => `/old/page-${i}.html`));

    const state = (await provider.update!(`${BUCKET}/site`, first, news)).outs as PublisherState;
    // 7 exact paths do not fit in the 1 path left; wildcards still do.
    expect(cloud.cloudfront.refused).toBe(1);
    expect(created().map((i) => i.paths)).toEqual([["/*"]]);
    expect(state.lastDeploy.invalidationPaths).toEqual(["/*"]);
    expect(waits).toEqual([]);
    removeSite(root);
  });

  it("refits its batch to the room left a bounded number of times, then waits, when other deploys keep changing the room", async () => {
    const { root, first, news } = await siteAndRelease({ maxInvalidationPaths: 1000 });
    // Room for 5 exact paths (2,995 in progress), or for no wildcard (15 in progress): each refit is refused as the
    // other deploys' batches change, and fits the other room.
    const exactOnly = Array.from({ length: 2995 }, (_, i) => `/old/page-${i}.html`);
    const held = cloud.cloudfront.holdInProgress(DISTRIBUTION, [...exactOnly]);
    let refits = 0;
    publisherLog.write = (line) => {
      logs.push(line);
      if (!/leave room for/.test(line)) return;
      if (++refits > 20) throw new Error("runaway: refitted 20 times without waiting");
      held.paths.splice(0, held.paths.length, ...(held.paths.length === exactOnly.length ? FIFTEEN_WILDCARDS : exactOnly));
    };
    try {
      const state = (await provider.update!(`${BUCKET}/site`, first, news)).outs as PublisherState;
      // Three refits, then a wait (the held batch never completes: the whole bounded wait), then the preferred batch,
      // which the room left at that point takes.
      expect(refits).toBe(3);
      expect(waits.length).toBeGreaterThan(0);
      expect(created().map((i) => i.paths)).toEqual([["/about.html", ...Object.keys(POSTS).map((k) => `/${k}`)]]);
      expect(state.pendingInvalidation).toEqual([]);
    } finally {
      publisherLog.write = (line) => void logs.push(line);
      removeSite(root);
    }
  });

  it("gives up after a bounded wait with the uploads kept and the paths pending, and the next deploy sends them", async () => {
    const { root, first, news } = await siteAndRelease();
    cloud.cloudfront.holdInProgress(DISTRIBUTION, FIFTEEN_WILDCARDS);

    const error = (await provider.update!(`${BUCKET}/site`, first, news).then(() => undefined, (e) => e)) as (Error & { properties: PublisherState }) | undefined;
    expect(error?.message).toMatch(/TooManyInvalidationsInProgress: 1 invalidation \(0 paths, 15 wildcard paths\) still in progress on E2EXAMPLE12345 after waiting \d+ s; CloudFront allows 3,000 paths and 15 wildcard paths in progress per distribution/);
    expect(error?.message).toMatch(/run the update again to finish/);
    const partial = error!.properties;
    expect(filesOf(partial)).toEqual(filesOf(news));
    expect(partial.pendingInvalidation).toEqual(["/about.html", ...Object.keys(POSTS).map((k) => `/${k}`)].sort());
    expect(created()).toEqual([]);

    // CloudFront has finished the other batch.
    cloud.reset();
    const done = (await provider.update!(`${BUCKET}/site`, partial, news)).outs as PublisherState;
    expect(cloud.s3.requests).toEqual([]);
    expect(created().map((i) => i.paths)).toEqual([["/about.html", "/blog/*"]]);
    expect(done.pendingInvalidation).toEqual([]);
    removeSite(root);
  });
});
