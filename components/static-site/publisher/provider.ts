/**
 * The site publisher's dynamic provider: one Pulumi resource that syncs a whole
 * site folder to S3 and invalidates CloudFront for what changed.
 *
 * Pulumi serialises this object's code into the state and runs it in its
 * dynamic-provider host, so everything it calls is either in this file, in the
 * pure `plan.ts`/`invalidation.ts`, or an npm package (required by name there).
 *
 * Order of work, so a failure part-way never breaks the live site:
 *   1. upload added and changed files (non-HTML first, HTML last), a bounded pool at a time;
 *   2. only when every upload succeeded, delete removed files (fingerprinted ones are kept for a few deploys);
 *   3. one invalidation listing the changed and deleted paths, within what CloudFront has room for
 *      while earlier invalidations are still in progress (invalidateWithinQuotas).
 * The state only advances for responses S3 confirmed: a failed update records what
 * did land (Pulumi keeps the partial state), and the next update finishes the job.
 * `read` (`pulumi refresh`) lists the bucket and forgets what is no longer there, so the
 * next update puts it back. Every request acts as the `aws` input says (clients.ts); `delete` and `read` act as
 * the `aws` recorded by the last update, which is why a change of `aws` alone is an update (see diff).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand, ListInvalidationsCommand } from "@aws-sdk/client-cloudfront";
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type * as pulumi from "@pulumi/pulumi";
import { awsChanged, checkAws, UNKNOWN } from "../../deployer-aws/credentials";
import { publisherClients } from "./clients";
import { CLOUDFRONT_IN_PROGRESS_QUOTAS, collapseInvalidation, countInvalidationPaths, type InvalidationLimits } from "./invalidation";
import { emptyDeployed, formatBytes, planPublish, type PublishPlan, summarise, viewerPaths } from "./plan";
import { decodeManifest, encodeManifest, manifestKeys } from "./encoding";
import type { Deployed, FileEntry, LastDeploy, Manifest, PublisherInputs, PublisherState, RetainedEntry } from "./types";

/** The state as plain entries. */
function deployedOf(state: Partial<PublisherState>): Deployed {
  return { files: decodeManifest(state), retained: state.retained ?? {}, deploy: state.deploy ?? 0, pendingInvalidation: state.pendingInvalidation ?? [] };
}

/** Where progress goes: the dynamic-provider host's stdout, which `pulumi up` prints as info lines. */
export const publisherLog = { write: (line: string) => console.log(line) };

// How the host passes a value unknown at preview (UNKNOWN): the site's files are unknown when StaticSite's build
// waits for stack outputs a first preview lacks.

/** The manifest is not known yet (preview of a build that waits for unknown outputs): it will be at `pulumi up`. */
function manifestUnknown(news: Pick<PublisherInputs, "files" | "contentTypes" | "cacheControls">): boolean {
  return [news.files, news.contentTypes, news.cacheControls].some((value) => (value as unknown) === UNKNOWN);
}

export const publisherProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<PublisherInputs>, news: PublisherInputs) {
    const failures = checkInputs(news);
    if (failures.length > 0) return { inputs: news, failures };
    if (manifestUnknown(news)) return { inputs: news };
    const manifest = decodeManifest(news);
    const plan = planPublish({ ...emptyDeployed(), files: decodeManifest(olds) }, manifest, news.options, news.indexDocument);
    return { inputs: { ...news, summary: summarise(plan, manifest) } };
  },

  // `root` is left out: it is only where the files are. `aws` (who we act as) takes part, but never replaces:
  // `delete` (pulumi destroy) and `read` (pulumi refresh) are given only the outputs recorded at the last update
  // (the engine keeps the old outputs for an unchanged resource, pulumi/pulumi pkg/resource/deploy/step.go SameStep,
  // and sends them to delete, DeleteStep; the dynamic-provider host passes them on as `props`). An identity
  // change is therefore an update, which records the new settings without a request when the site is unchanged
  // (update below), so that a destroy after a profile or role change does not act as the old one.
  async diff(_id: string, olds: PublisherState, news: PublisherInputs) {
    const replaces = (["bucket", "region"] as const).filter((key) => olds[key] !== news[key]);
    if (manifestUnknown(news)) return { changes: true, replaces, deleteBeforeReplace: false };
    const deployed = deployedOf(olds);
    const plan = planPublish(deployed, decodeManifest(news), news.options, news.indexDocument);
    const changes =
      replaces.length > 0 ||
      awsChanged(olds.aws, news.aws) ||
      planHasWork(plan, deployed) ||
      olds.distributionId !== news.distributionId ||
      olds.indexDocument !== news.indexDocument ||
      JSON.stringify(olds.options) !== JSON.stringify(news.options) ||
      JSON.stringify(olds.endpoints ?? {}) !== JSON.stringify(news.endpoints ?? {});
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: PublisherInputs) {
    const id = `${inputs.bucket}/site`;
    const deployed = emptyDeployed();
    const manifest = decodeManifest(inputs);
    const plan = planPublish(deployed, manifest, inputs.options, inputs.indexDocument);
    return { id, outs: await publish(id, inputs, deployed, { manifest, plan }) };
  },

  async update(id: string, olds: PublisherState, news: PublisherInputs) {
    const deployed = deployedOf(olds);
    const manifest = decodeManifest(news);
    const plan = planPublish(deployed, manifest, news.options, news.indexDocument);
    // Nothing for the bucket or the CDN (only who we act as, or a setting, changed): record the new inputs
    // without a request, and without counting a deploy (retention is measured in deploys that changed the site).
    if (!planHasWork(plan, deployed)) {
      const outs: PublisherState = { ...olds, ...news, summary: summarise(plan, manifest), retained: plan.retained, deploy: deployed.deploy, pendingInvalidation: [], lastDeploy: olds.lastDeploy, ...encodeManifest(manifest) };
      return { outs };
    }
    return { outs: await publish(id, news, deployed, { manifest, plan }) };
  },

  /**
   * `pulumi refresh`: lists the bucket and returns the state without the files that are gone
   * (and with files of another size marked as unknown content), so the next update uploads
   * exactly those. A bucket that is gone holds nothing.
   */
  async read(id: string, props: PublisherState) {
    if (typeof props.bucket !== "string" || !props.files) throw new Error(`SitePublisher ${id} cannot be read without the state of a deploy (it cannot be imported); create it with pulumi up`);
    const { s3 } = publisherClients(props);
    const inBucket = await objectSizes(s3, props.bucket);
    const deployed = deployedOf(props);
    const files: Manifest = {};
    const missing: string[] = [];
    for (const [key, entry] of Object.entries(deployed.files)) {
      const size = inBucket.get(key);
      if (size === undefined) missing.push(key);
      // Written by someone else: content unknown, so the next deploy replaces it and invalidates its path.
      else files[key] = size === entry.size ? entry : { ...entry, sha256: OVERWRITTEN, size };
    }
    // Kept assets deleted by hand are nothing to delete later.
    const retained = Object.fromEntries(Object.entries(deployed.retained).filter(([key]) => inBucket.has(key)));
    const overwritten = Object.values(files).filter((entry) => entry.sha256 === OVERWRITTEN).length;
    if (missing.length + overwritten > 0) {
      publisherLog.write(`refresh s3://${props.bucket}: ${missing.length} files missing (e.g. ${missing[0] ?? "-"}), ${overwritten} overwritten; the next deploy puts them back`);
    }
    return { id, props: { ...props, ...encodeManifest(files), retained } };
  },

  async delete(_id: string, props: PublisherState) {
    const keys = [...manifestKeys(props), ...Object.keys(props.retained ?? {})];
    const { s3 } = publisherClients(props);
    try {
      const { failed } = await deleteKeys(s3, props.bucket, keys);
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} objects from s3://${props.bucket}, e.g. ${failed[0].key}: ${failed[0].message}`);
    } catch (error) {
      if ((error as { name?: string }).name !== "NoSuchBucket") throw error;
    }
  },
};

/**
 * Whether the deploy has anything to do in the bucket or the CDN: files to upload or delete, removed assets to start
 * keeping (a deploy: retention counts it), or an invalidation an earlier deploy could not send. `diff` reports a
 * change and `update` publishes exactly when it does.
 */
function planHasWork(plan: PublishPlan, deployed: Deployed): boolean {
  return plan.uploads.length > 0 || plan.deletes.length > 0 || plan.newlyRetained.length > 0 || deployed.pendingInvalidation.length > 0;
}

function checkInputs(news: PublisherInputs): Array<{ property: string; reason: string }> {
  const failures: Array<{ property: string; reason: string }> = [];
  if (typeof news.bucket !== "string" || news.bucket === "") failures.push({ property: "bucket", reason: "needs the name of the site bucket" });
  if (!news.files || (typeof news.files !== "object" && typeof news.files !== "string")) failures.push({ property: "files", reason: "needs the site manifest" });
  const o = news.options;
  if (!o || !(o.concurrency >= 1)) failures.push({ property: "options.concurrency", reason: "must be 1 or more" });
  if (o && o.partSizeBytes < 5 * 1024 * 1024) failures.push({ property: "options.partSizeBytes", reason: "must be at least 5 MiB, S3's minimum part size" });
  // Unknown during a preview when the provider's settings come from other resources.
  if (news.aws && typeof news.aws === "object") failures.push(...checkAws(news.aws));
  return failures;
}

/** Carries out `plan`, made by the caller from `deployed` and `manifest` (the decoded `inputs`). */
async function publish(id: string, inputs: PublisherInputs, deployed: Deployed, { manifest, plan }: { manifest: Manifest; plan: PublishPlan }): Promise<PublisherState> {
  const started = Date.now();
  const prefix = `publish s3://${inputs.bucket}`;
  const summary = summarise(plan, manifest);
  publisherLog.write(`${prefix}: ${summary}`);
  const { s3, cloudfront } = publisherClients(inputs);
  const changed = new Set(plan.changed);

  // Working copies of what the bucket holds, advanced only by confirmed responses.
  const files: Manifest = { ...deployed.files };
  const stale = new Set(deployed.pendingInvalidation ?? []);
  const last: LastDeploy = { uploaded: 0, uploadedBytes: 0, deleted: 0, invalidationPaths: [] };
  const stateNow = (overrides: Partial<Omit<PublisherState, "files">> & { files?: Manifest }): PublisherState => ({
    ...inputs,
    summary,
    retained: deployed.retained ?? {},
    deploy: deployed.deploy ?? 0,
    pendingInvalidation: [...stale].sort(),
    lastDeploy: last,
    ...overrides,
    ...encodeManifest(overrides.files ?? files),
  });
  const fail = (what: string, failures: Array<{ key: string; message: string }>, state: PublisherState) => {
    const examples = failures.slice(0, 3).map((f) => `${f.key}: ${f.message}`).join("; ");
    const message = `${prefix}: ${failures.length} ${what} failed (${examples}). Uploaded so far: ${last.uploaded}. The previous site is still served; run the update again to finish.`;
    return Object.assign(new Error(message), { id, properties: state, reasons: [message] });
  };

  // 1. uploads: everything but HTML, then HTML.
  const progress = progressReporter(prefix, plan.uploads.length, plan.uploads.reduce((n, k) => n + manifest[k].size, 0));
  const isHtml = (key: string) => manifest[key].contentType.startsWith("text/html");
  for (const phase of [plan.uploads.filter((k) => !isHtml(k)), plan.uploads.filter(isHtml)]) {
    const failures = await runPool(phase, inputs.options.concurrency, async (key) => {
      await uploadFile(s3, inputs, key, manifest[key]);
      files[key] = manifest[key];
      last.uploaded += 1;
      last.uploadedBytes += manifest[key].size;
      if (changed.has(key)) for (const path of viewerPaths(key, inputs.indexDocument)) stale.add(path);
      progress.done(manifest[key].size);
    });
    if (failures.length > 0) throw fail("uploads", failures, stateNow({}));
  }
  // Unchanged files (and re-added retained ones) are in the bucket as the manifest says.
  for (const key of Object.keys(manifest)) files[key] = manifest[key];

  // 2. deletes, last.
  const retained: Record<string, RetainedEntry> = { ...plan.retained };
  for (const key of plan.newlyRetained) delete files[key];
  const { deleted, failed } = await deleteKeys(s3, inputs.bucket, plan.deletes);
  for (const key of deleted) {
    delete files[key];
    for (const path of viewerPaths(key, inputs.indexDocument)) stale.add(path);
  }
  last.deleted = deleted.length;
  if (failed.length > 0) {
    // Keys not confirmed deleted stay recorded, so the next deploy deletes them.
    for (const { key } of failed) if (deployed.retained?.[key]) retained[key] = deployed.retained[key];
    throw fail("deletes", failed, stateNow({ retained, deploy: plan.deploy }));
  }

  // 3. one invalidation for everything stale.
  if (inputs.distributionId && stale.size > 0) {
    const sitePaths = [...Object.keys(manifest), ...Object.keys(deployed.files), ...Object.keys(retained)].flatMap((k) => viewerPaths(k, inputs.indexDocument));
    const limits = { maxPaths: inputs.options.maxInvalidationPaths, maxWildcards: inputs.options.maxInvalidationWildcards };
    // The batch within the configured limits; invalidateWithinQuotas may send a smaller one that fits the room left.
    const preferred = collapseInvalidation([...stale], sitePaths, limits);
    try {
      const sent = await invalidateWithinQuotas(cloudfront, inputs, { stale: [...stale], sitePaths, limits, preferred }, prefix);
      last.invalidationId = sent.id;
      last.invalidationPaths = sent.paths;
    } catch (error) {
      throw fail("invalidations", [{ key: preferred.join(" "), message: (error as Error).message }], stateNow({ retained, deploy: plan.deploy }));
    }
  }
  stale.clear();
  publisherLog.write(`${prefix}: done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${last.uploaded} uploaded (${formatBytes(last.uploadedBytes)}), ${last.deleted} deleted, ${last.invalidationPaths.length} paths invalidated`);
  return stateNow({ files: manifest, retained, deploy: plan.deploy, pendingInvalidation: [] });
}

/** The sha256 recorded for an object someone else overwrote: matches no file, so the next deploy replaces it. */
const OVERWRITTEN = "overwritten-out-of-band";

/** Every key in the bucket with its size (ListObjectsV2, 1,000 a page); empty when the bucket is gone. */
async function objectSizes(s3: S3Client, bucket: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key !== undefined) sizes.set(object.Key, object.Size ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    if ((error as { name?: string }).name !== "NoSuchBucket") throw error;
  }
  return sizes;
}

async function uploadFile(s3: S3Client, inputs: PublisherInputs, key: string, entry: FileEntry): Promise<void> {
  const path = join(inputs.root, ...key.split("/"));
  const params = { Bucket: inputs.bucket, Key: key, ContentType: entry.contentType, CacheControl: entry.cacheControl, Metadata: { sha256: entry.sha256 } };
  const changedSincePlan = () => new Error(`${path} changed after the manifest was made; run the deploy again`);
  if (entry.size < inputs.options.multipartThresholdBytes) {
    const body = await readFile(path);
    if (createHash("sha256").update(body).digest("hex") !== entry.sha256) throw changedSincePlan();
    await s3.send(new PutObjectCommand({ ...params, Body: body }));
    return;
  }
  if ((await hashFile(path)) !== entry.sha256) throw changedSincePlan();
  const upload = new Upload({ client: s3, params: { ...params, Body: createReadStream(path) }, partSize: inputs.options.partSizeBytes, queueSize: 4, leavePartsOnError: false });
  await upload.done();
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** DeleteObjects in batches of 1,000 (S3's limit); reports which keys S3 confirmed. */
async function deleteKeys(s3: S3Client, bucket: string, keys: string[]): Promise<{ deleted: string[]; failed: Array<{ key: string; message: string }> }> {
  const deleted: string[] = [];
  const failed: Array<{ key: string; message: string }> = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    try {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const errors = new Map((result.Errors ?? []).map((e) => [e.Key ?? "", e.Message ?? e.Code ?? "error"]));
      for (const key of batch) {
        if (errors.has(key)) failed.push({ key, message: errors.get(key)! });
        else deleted.push(key);
      }
    } catch (error) {
      if ((error as { name?: string }).name === "NoSuchBucket") throw error;
      for (const key of batch) failed.push({ key, message: (error as Error).message });
    }
  }
  return { deleted, failed };
}

async function invalidate(cloudfront: CloudFrontClient, inputs: PublisherInputs, paths: string[]): Promise<string | undefined> {
  const reference = createHash("sha256").update(`${inputs.bucket}\n${Date.now()}\n${Math.random()}\n${paths.join("\n")}`).digest("hex").slice(0, 32);
  const result = await cloudfront.send(
    new CreateInvalidationCommand({ DistributionId: inputs.distributionId, InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: paths } } }),
  );
  return result.Invalidation?.Id;
}

/**
 * How long a deploy waits for earlier invalidations to make room, in total, before it gives up (the paths stay
 * pending and the next deploy sends them). `sleep` is replaceable so tests need not wait.
 */
export const invalidationWaits = {
  maxWaitMs: 5 * 60_000,
  firstDelayMs: 5_000,
  maxDelayMs: 30_000,
  sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Batches refitted to the room left before waiting: other deploys may change the room between the read and the
 * CreateInvalidation, again and again, and every refit is three requests (ListInvalidations, GetInvalidation, Create).
 */
const MAX_REFITS_BEFORE_WAITING = 3;

/** More batches in progress than this are not read one by one (GetInvalidation each): their room counts as none. */
const MAX_BATCHES_READ = 50;

/**
 * GetInvalidation requests in flight at once, reading the batches in progress or polling them. CloudFront throttles
 * its API ("Throttling: Rate exceeded"; callers report it after 6-7 invalidation requests in quick succession,
 * https://github.com/aws/aws-sdk-js/issues/3983) without publishing a request rate for it that we could find. The SDK
 * retries a throttled request ("Throttling" is in THROTTLING_ERROR_CODES, @smithy/service-error-classification
 * constants.js) but makes at most 3 attempts (DEFAULT_MAX_ATTEMPTS = 3, @smithy/core retry/util-retry/config.js),
 * after which the read, and with it the deploy's invalidation, fails. So a few at a time, never all 50 at once.
 */
const GET_INVALIDATION_CONCURRENCY = 4;

interface InProgress {
  ids: string[];
  files: number;
  wildcards: number;
}

/**
 * Sends the deploy's invalidation. CloudFront counts its paths with every batch still in progress on the
 * distribution (an earlier deploy's, minutes ago), so when it refuses with TooManyInvalidationsInProgress this reads
 * what is in progress (ListInvalidations, then GetInvalidation for their paths) and sends the stale paths collapsed
 * into the room left (folder wildcards, `/*` at worst: invalidating more is always safe), at most
 * MAX_REFITS_BEFORE_WAITING times in a row, or, when even `/*` does not fit, waits for an invalidation in progress to
 * complete, up to `invalidationWaits.maxWaitMs` in all. `preferred` is the stale paths collapsed within `limits`.
 */
async function invalidateWithinQuotas(
  cloudfront: CloudFrontClient,
  inputs: PublisherInputs,
  { stale, sitePaths, limits, preferred }: { stale: string[]; sitePaths: string[]; limits: InvalidationLimits; preferred: string[] },
  prefix: string,
): Promise<{ id?: string; paths: string[] }> {
  let batch = preferred;
  let refits = 0;
  let waitedMs = 0;
  let delayMs = invalidationWaits.firstDelayMs;
  for (;;) {
    try {
      return { id: await invalidate(cloudfront, inputs, batch), paths: batch };
    } catch (error) {
      if ((error as { name?: string }).name !== "TooManyInvalidationsInProgress") throw error;
    }
    const busy = await invalidationsInProgress(cloudfront, inputs.distributionId);
    const room = { files: Math.max(0, CLOUDFRONT_IN_PROGRESS_QUOTAS.files - busy.files), wildcards: Math.max(0, CLOUDFRONT_IN_PROGRESS_QUOTAS.wildcards - busy.wildcards) };
    const fitted = collapseInvalidation(stale, sitePaths, { maxPaths: Math.min(limits.maxPaths, room.files), maxWildcards: Math.min(limits.maxWildcards, room.wildcards) });
    const needed = countInvalidationPaths(fitted);
    const fits = needed.files <= room.files && needed.wildcards <= room.wildcards;
    const described = `${busy.ids.length} invalidation${busy.ids.length === 1 ? "" : "s"} (${busy.files} paths, ${busy.wildcards} wildcard paths)`;
    if (fits && fitted.join("\n") !== batch.join("\n") && refits < MAX_REFITS_BEFORE_WAITING) {
      refits += 1;
      publisherLog.write(`${prefix}: ${described} in progress leave room for ${room.files} paths and ${room.wildcards} wildcard paths; invalidating ${fitted.length > 5 ? `${fitted.slice(0, 5).join(" ")} … (${fitted.length} paths)` : fitted.join(" ")}`);
      batch = fitted;
      continue;
    }
    if (waitedMs >= invalidationWaits.maxWaitMs) {
      throw new Error(
        `TooManyInvalidationsInProgress: ${described} still in progress on ${inputs.distributionId} after waiting ${Math.round(waitedMs / 1000)} s; ` +
          `CloudFront allows ${CLOUDFRONT_IN_PROGRESS_QUOTAS.files.toLocaleString("en-US")} paths and ${CLOUDFRONT_IN_PROGRESS_QUOTAS.wildcards} wildcard paths in progress per distribution. ` +
          "The files are published; the paths stay pending and the next update invalidates them",
      );
    }
    publisherLog.write(`${prefix}: CloudFront refused the invalidation: ${described} in progress; waiting for ${busy.ids.length === 1 ? "it" : "one of them"} to complete`);
    // Poll the batches in progress until one completes (or the wait runs out), then try the preferred batch again.
    for (;;) {
      await invalidationWaits.sleep(delayMs);
      waitedMs += delayMs;
      delayMs = Math.min(delayMs * 2, invalidationWaits.maxDelayMs);
      if (busy.ids.length === 0 || waitedMs >= invalidationWaits.maxWaitMs || (await anyCompleted(cloudfront, inputs.distributionId, busy.ids))) break;
    }
    batch = preferred;
    refits = 0;
  }
}

/**
 * The distribution's invalidations in progress and their paths. ListInvalidations lists the most recent first
 * ("the results are returned in decreasing order from most recent to oldest",
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListInvalidations.html) without paths, so each
 * batch in progress is read with GetInvalidation (GET_INVALIDATION_CONCURRENCY at a time); the listing stops at a page
 * with none in progress. Exported for the tests.
 */
export async function invalidationsInProgress(cloudfront: CloudFrontClient, distributionId: string): Promise<InProgress> {
  const ids: string[] = [];
  try {
    let marker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const list = (await cloudfront.send(new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 100, Marker: marker }))).InvalidationList;
      const running = (list?.Items ?? []).filter((item) => item.Status === "InProgress").map((item) => item.Id!);
      ids.push(...running);
      if (running.length === 0 || !list?.IsTruncated || !list.NextMarker) break;
      marker = list.NextMarker;
    }
    const busy: InProgress = { ids, files: 0, wildcards: 0 };
    const read = ids.slice(0, MAX_BATCHES_READ);
    const failures = await runPool(read, GET_INVALIDATION_CONCURRENCY, async (id) => {
      const invalidation = (await cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id }))).Invalidation;
      if (invalidation?.Status !== "InProgress") return;
      const counted = countInvalidationPaths(invalidation.InvalidationBatch?.Paths?.Items ?? []);
      busy.files += counted.files;
      busy.wildcards += counted.wildcards;
    });
    // The pool starts the reads in order, so every batch before a failed one was read as well: the failure earliest in
    // order is the one reading them one by one would have stopped at.
    if (failures.length > 0) throw new Error(failures.reduce((first, f) => (read.indexOf(f.key) < read.indexOf(first.key) ? f : first)).message);
    if (ids.length > MAX_BATCHES_READ) Object.assign(busy, CLOUDFRONT_IN_PROGRESS_QUOTAS);
    return busy;
  } catch (error) {
    throw new Error(
      `CloudFront refused the invalidation (TooManyInvalidationsInProgress), and reading the invalidations in progress failed: ${(error as Error).message}. ` +
        "Grant cloudfront:ListInvalidations and cloudfront:GetInvalidation on the distribution, or run the update again once they complete",
    );
  }
}

/**
 * Whether any of `ids` has completed (or is gone), read GET_INVALIDATION_CONCURRENCY at a time; once a read finds a
 * batch completed or gone, or fails, no more are sent. The answer is the one reading them in order gives: the pool
 * starts the reads in order, so every batch before such a read was read as well, and the one earliest in order
 * decides (a failed read before the first completed batch fails the poll). Exported for the tests.
 */
export async function anyCompleted(cloudfront: CloudFrontClient, distributionId: string, ids: string[]): Promise<boolean> {
  const answers = new Map<number, { completed: true } | { error: unknown }>();
  const read = ids.slice(0, MAX_BATCHES_READ);
  await runPool(
    read.map((_, index) => index),
    GET_INVALIDATION_CONCURRENCY,
    async (index) => {
      if (answers.size > 0) return;
      try {
        const invalidation = (await cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: read[index] }))).Invalidation;
        if (invalidation?.Status !== "InProgress") answers.set(index, { completed: true });
      } catch (error) {
        answers.set(index, (error as { name?: string }).name === "NoSuchInvalidation" ? { completed: true } : { error });
      }
    },
  );
  if (answers.size === 0) return false;
  const first = answers.get(Math.min(...answers.keys()))!;
  if ("error" in first) throw first.error;
  return true;
}

/** Runs `work` over `items`, `limit` at a time; after the first failure starts nothing new, lets running work finish, and returns the failures. */
async function runPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<Array<{ key: string; message: string }>> {
  const failures: Array<{ key: string; message: string }> = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && failures.length === 0) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failures.push({ key: String(item), message: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return failures;
}

/** Logs upload progress at every tenth of the work (only for publishes big enough to wait on). */
function progressReporter(prefix: string, total: number, totalBytes: number) {
  let files = 0;
  let bytes = 0;
  let nextReport = 1;
  return {
    done(size: number) {
      files += 1;
      bytes += size;
      if (total < 20 || files < Math.ceil((total * nextReport) / 10)) return;
      nextReport = Math.floor((files * 10) / total) + 1;
      publisherLog.write(`${prefix}: uploaded ${files}/${total} files (${formatBytes(bytes)} of ${formatBytes(totalBytes)})`);
    },
  };
}
