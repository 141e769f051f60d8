/**
 * How the publisher reads CloudFront's invalidations in progress after a TooManyInvalidationsInProgress: one
 * GetInvalidation per batch in progress (up to 50), and, while it waits, one per batch on every poll until one has
 * completed. The reads go out a few at a time, not one after another, and a poll stops asking once a batch has
 * completed; the results and errors are those of reading the batches in order.
 * A fake CloudFront client answers from a table and records how many reads were in flight at once (each read
 * answers after the event loop turns, so reads sent together overlap; nothing here measures time).
 */
import { GetInvalidationCommand, ListInvalidationsCommand, type CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { describe, expect, it } from "vitest";
import { anyCompleted, invalidationsInProgress } from "../../components/static-site/publisher/provider";

const DISTRIBUTION = "E2EXAMPLE12345";

/** What GetInvalidation answers for one batch: its status and paths, or an error with a name, as the SDK throws them. */
type Answer = { status: "InProgress" | "Completed"; paths?: string[] } | { error: string; message: string };

function fakeCloudFront(answers: Record<string, Answer>) {
  const reads: string[] = [];
  /** `send <id>` and `answer <id>`, in the order they happened. */
  const events: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    async send(command: unknown) {
      if (command instanceof ListInvalidationsCommand) {
        const items = Object.keys(answers).map((Id) => ({ Id, Status: "InProgress" }));
        return { InvalidationList: { Items: items, Quantity: items.length, IsTruncated: false } };
      }
      if (!(command instanceof GetInvalidationCommand)) throw new Error("unexpected command");
      const id = command.input.Id!;
      reads.push(id);
      events.push(`send ${id}`);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      events.push(`answer ${id}`);
      const answer = answers[id];
      if ("error" in answer) throw Object.assign(new Error(answer.message), { name: answer.error });
      return { Invalidation: { Id: id, Status: answer.status, InvalidationBatch: { CallerReference: id, Paths: { Quantity: answer.paths?.length ?? 0, Items: answer.paths ?? [] } } } };
    },
  };
  return { client: client as unknown as CloudFrontClient, reads, events, maxInFlight: () => maxInFlight };
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `I${String(i).padStart(13, "0")}`);
const inProgress = (paths: string[] = []): Answer => ({ status: "InProgress", paths });
const table = (count: number, answer: (i: number) => Answer) => Object.fromEntries(ids(count).map((id, i) => [id, answer(i)]));

describe("reading the invalidations in progress", () => {
  it("reads every batch in progress once, a few at a time, and totals their file and wildcard paths", async () => {
    // 12 batches: each holds two files and a wildcard, except the ones that completed since the listing.
    const cloudfront = fakeCloudFront(table(12, (i) => (i % 4 === 3 ? { status: "Completed", paths: ["/gone.html"] } : inProgress([`/p${i}.html`, `/q${i}.html`, `/d${i}/*`]))));
    const busy = await invalidationsInProgress(cloudfront.client, DISTRIBUTION);
    expect(busy).toEqual({ ids: ids(12), files: 18, wildcards: 9 });
    expect([...cloudfront.reads].sort()).toEqual(ids(12));
    expect(cloudfront.maxInFlight()).toBeGreaterThan(1);
    expect(cloudfront.maxInFlight()).toBeLessThanOrEqual(5);
  });

  it("counts more than 50 batches as no room left, reading only 50", async () => {
    const cloudfront = fakeCloudFront(table(60, () => inProgress(["/a.html"])));
    const busy = await invalidationsInProgress(cloudfront.client, DISTRIBUTION);
    expect(busy).toMatchObject({ files: 3000, wildcards: 15 });
    expect(busy.ids).toHaveLength(60);
    expect(cloudfront.reads).toHaveLength(50);
  });

  it("a refused read fails with the first refused batch's error and what to grant", async () => {
    const cloudfront = fakeCloudFront(
      table(12, (i) => (i === 2 ? { error: "AccessDenied", message: "not allowed to read I2" } : i === 4 ? { error: "Throttling", message: "Rate exceeded" } : inProgress(["/a.html"]))),
    );
    await expect(invalidationsInProgress(cloudfront.client, DISTRIBUTION)).rejects.toThrow(
      /reading the invalidations in progress failed: not allowed to read I2\. Grant cloudfront:ListInvalidations and cloudfront:GetInvalidation/,
    );
  });
});

describe("polling for a batch to complete", () => {
  it("reads the batches a few at a time and answers false while every one is in progress", async () => {
    const cloudfront = fakeCloudFront(table(20, () => inProgress()));
    expect(await anyCompleted(cloudfront.client, DISTRIBUTION, ids(20))).toBe(false);
    expect([...cloudfront.reads].sort()).toEqual(ids(20));
    expect(cloudfront.maxInFlight()).toBeGreaterThan(1);
    expect(cloudfront.maxInFlight()).toBeLessThanOrEqual(5);
  });

  it("stops asking once a batch has completed (or is gone)", async () => {
    for (const done of [{ status: "Completed" } as Answer, { error: "NoSuchInvalidation", message: "not found" } as Answer]) {
      const cloudfront = fakeCloudFront(table(40, (i) => (i === 2 ? done : inProgress())));
      expect(await anyCompleted(cloudfront.client, DISTRIBUTION, ids(40))).toBe(true);
      // The reads in flight with it finish; none is sent after its answer.
      const answered = cloudfront.events.indexOf(`answer ${ids(40)[2]}`);
      expect(answered).toBeGreaterThan(0);
      expect(cloudfront.events.slice(answered).filter((event) => event.startsWith("send"))).toEqual([]);
      expect(cloudfront.reads.length).toBeLessThan(40);
    }
  });

  it("fails as reading in order would: a refused read before the first completed batch fails the poll", async () => {
    const cloudfront = fakeCloudFront(table(10, (i) => (i === 1 ? { error: "AccessDenied", message: "not allowed" } : i === 3 ? { status: "Completed" } : inProgress())));
    await expect(anyCompleted(cloudfront.client, DISTRIBUTION, ids(10))).rejects.toMatchObject({ name: "AccessDenied", message: "not allowed" });
    const after = fakeCloudFront(table(10, (i) => (i === 3 ? { error: "AccessDenied", message: "not allowed" } : i === 1 ? { status: "Completed" } : inProgress())));
    expect(await anyCompleted(after.client, DISTRIBUTION, ids(10))).toBe(true);
  });
});
