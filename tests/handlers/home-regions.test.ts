/**
 * The home region's resources a function outside it (RegionalApis' second region) calls are signed for and addressed
 * to their own region (handlers/shared/regions.ts regionOr): the photo-removals queue and the gallery bus here, as the
 * upload bucket is in photo-objects-region.test.ts. Else the function's own: AWS_REGION, then AWS_DEFAULT_REGION.
 */
import { describe, expect, it, vi } from "vitest";
import { useSignedRequestEnvironment } from "./signed-requests";

// The function runs in us-west-2; the home region's resources are in us-east-1.
useSignedRequestEnvironment("us-west-2");

describe("the home region's resources", () => {
  it("the photo-removals queue is called in PHOTO_REMOVALS_QUEUE_REGION, else the function's region", async () => {
    const { removalsQueue } = await import("../../handlers/shared/photo-removals.js");
    Object.assign(process.env, { PHOTO_REMOVALS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/removals", PHOTO_REMOVALS_QUEUE_REGION: "us-east-1" });
    expect(removalsQueue().region).toBe("us-east-1");
    delete process.env.PHOTO_REMOVALS_QUEUE_REGION;
    expect(removalsQueue().region).toBe("us-west-2");
  });

  it("AlbumDeletionRequested is put on the bus in EVENT_BUS_REGION, addressed to and signed for it, else the function's region", async () => {
    const { requestAlbumDeletion } = await import("../../handlers/shared/album-events.js");
    delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    Object.assign(process.env, { EVENT_BUS_NAME: "gallery-events-bus", EVENT_BUS_REGION: "us-east-1" });
    const sent: { url: string; authorization: string }[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      sent.push({ url: String(input), authorization: (init!.headers as Record<string, string>).authorization });
      return new Response(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: `e-${sent.length}` }] }), { status: 200, headers: { "content-type": "application/x-amz-json-1.1" } });
    });
    const request = { sub: "sub-1", albumId: "01ALBUM", requestedAt: "2026-12-06T00:00:00.000Z" };
    expect(await requestAlbumDeletion(request)).toBe("e-1");
    delete process.env.EVENT_BUS_REGION;
    expect(await requestAlbumDeletion(request)).toBe("e-2");
    expect(sent.map(({ url }) => url)).toEqual(["https://events.us-east-1.amazonaws.com/", "https://events.us-west-2.amazonaws.com/"]);
    expect(sent[0].authorization).toMatch(/\/us-east-1\/events\/aws4_request,/);
    expect(sent[1].authorization).toMatch(/\/us-west-2\/events\/aws4_request,/);
  });

  it("falls back to AWS_DEFAULT_REGION, and names AWS_REGION when no region is set", async () => {
    const { regionOr } = await import("../../handlers/shared/regions.js");
    delete process.env.AWS_REGION;
    process.env.AWS_DEFAULT_REGION = "eu-west-1";
    expect(regionOr(undefined)).toBe("eu-west-1");
    expect(regionOr("")).toBe("eu-west-1");
    delete process.env.AWS_DEFAULT_REGION;
    expect(() => regionOr(undefined)).toThrow("AWS_REGION is not set");
  });
});
