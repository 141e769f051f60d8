/**
 * Thumbnails under `npm start`: 20 originals of 1–12 MP (JPEG, and a few PNG) uploaded to the
 * local S3 server, each through its ObjectCreated event to the thumbnail function (the real bundle
 * in its local sandbox, sharp, DynamoDB, idempotency) until the photo is ready. Latency is
 * upload → ready, one image at a time (p50/p99); throughput is all 20 uploaded at once. The
 * baseline is sharp's own work on the same files in a plain node loop (decode, rotate, 1280 and
 * 320 px WebP): the ratios are what the event path, S3 and DynamoDB add. `BENCH_THUMBNAIL_IMAGES`
 * runs fewer, smaller images (a smoke run).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import sharp from "sharp";
import { albumItem, newId, originalKey, photoItem, photoKey } from "../handlers/shared/gallery-keys";
import { makeThumbnails } from "../handlers/thumbnail/images";
import { LOCAL_CREDENTIALS } from "../local/s3-server";
import type { LocalEvents } from "../local/services/events";
import { startLocalApp } from "../local/start";
import type { Benchmark, BenchTable } from "./run";

const COUNT = Number(process.env.BENCH_THUMBNAIL_IMAGES ?? 20);
const SMOKE = process.env.BENCH_THUMBNAIL_IMAGES !== undefined;

interface Original {
  megapixels: number;
  contentType: "image/jpeg" | "image/png";
  body: Buffer;
}

/** Photo-like content (gradients plus noise, so JPEG has real work), 4:3, `megapixels` big. */
async function original(megapixels: number, png: boolean): Promise<Original> {
  const width = Math.round(Math.sqrt((megapixels * 1_000_000 * 4) / 3));
  const height = Math.round((width * 3) / 4);
  const pixels = Buffer.alloc(width * height * 3);
  let seed = megapixels * 7919;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const i = (y * width + x) * 3;
      pixels[i] = (x * 255) / width + (seed & 15);
      pixels[i + 1] = (y * 255) / height + ((seed >> 4) & 15);
      pixels[i + 2] = ((x + y) * 127) / (width + height) + ((seed >> 8) & 31);
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  const body = png ? await image.png().toBuffer() : await image.jpeg({ quality: 90 }).toBuffer();
  return { megapixels, contentType: png ? "image/png" : "image/jpeg", body };
}

const percentile = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))];

export const run: Benchmark = async () => {
  const sizes = Array.from({ length: COUNT }, (_, i) => (SMOKE ? 0.3 : 1 + (11 * i) / Math.max(1, COUNT - 1)));
  const originals = await Promise.all(sizes.map((mp, i) => original(Number(mp.toFixed(2)), i % 5 === 4)));

  // Baseline: sharp's own resize of the same files, one after another in this process.
  await makeThumbnails(originals[0].body); // warm-up
  const baseline: number[] = [];
  const baselineStarted = performance.now();
  for (const o of originals) {
    const started = performance.now();
    await makeThumbnails(o.body);
    baseline.push(performance.now() - started);
  }
  const baselineTotal = performance.now() - baselineStarted;

  const stateDir = mkdtempSync(join(tmpdir(), "sf-bench-thumbs-"));
  const app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir });
  const env = app.context.environment;
  Object.assign(env, { POWERTOOLS_LOG_LEVEL: "ERROR" });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS }));
  const s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
  const events = app.services.find((s) => s.name === "events") as LocalEvents;
  const table = app.context.run.outputs.galleryTableName as string;
  const bucket = app.context.run.outputs.uploadBucketName as string;
  const sub = "0b0b0b0b-0000-4000-8000-00000000beef";
  const album = albumItem({ sub, title: "bench" });
  await doc.send(new PutCommand({ TableName: table, Item: album }));

  async function upload(o: Original): Promise<{ photoId: string }> {
    const draft = photoItem({ sub, albumId: album.albumId, objectKey: "", contentType: o.contentType, size: o.body.length, photoId: newId() });
    const item = { ...draft, objectKey: originalKey(sub, album.albumId, draft.photoId, o.contentType) };
    await doc.send(new PutCommand({ TableName: table, Item: item }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: item.objectKey, Body: o.body, ContentType: o.contentType }));
    return { photoId: item.photoId };
  }
  async function expectReady(photoId: string): Promise<void> {
    const item = (await doc.send(new GetCommand({ TableName: table, Key: photoKey(sub, album.albumId, photoId), ConsistentRead: true }))).Item;
    if (item?.status !== "ready") throw new Error(`photo ${photoId} is ${item?.status}, not ready`);
  }

  try {
    // Cold start of the thumbnail sandbox (bundle load, sharp) kept out of the samples.
    const warm = await upload(originals[0]);
    await events.bucketEvents.drained();
    await expectReady(warm.photoId);

    const latency: number[] = [];
    for (const o of originals) {
      const started = performance.now();
      const { photoId } = await upload(o);
      await events.bucketEvents.drained();
      latency.push(performance.now() - started);
      await expectReady(photoId);
    }

    const burstStarted = performance.now();
    const burst = await Promise.all(originals.map(upload));
    await events.bucketEvents.drained();
    const burstTotal = performance.now() - burstStarted;
    for (const { photoId } of burst) await expectReady(photoId);

    const megapixels = originals.reduce((sum, o) => sum + o.megapixels, 0);
    const rows: BenchTable["rows"] = [
      ["sharp in a plain loop (baseline)", percentile(baseline, 0.5), percentile(baseline, 0.99), (COUNT / baselineTotal) * 1000, (megapixels / baselineTotal) * 1000, 1],
      ["upload → ready, one at a time", percentile(latency, 0.5), percentile(latency, 0.99), (COUNT / latency.reduce((a, b) => a + b, 0)) * 1000, (megapixels / latency.reduce((a, b) => a + b, 0)) * 1000, percentile(latency, 0.5) / percentile(baseline, 0.5)],
      ["upload → ready, all at once", "-", "-", (COUNT / burstTotal) * 1000, (megapixels / burstTotal) * 1000, burstTotal / baselineTotal],
    ];
    return [
      {
        title: `Thumbnails locally: ${COUNT} originals of ${Math.min(...sizes).toFixed(1)}–${Math.max(...sizes).toFixed(1)} MP (320 + 1280 px WebP)`,
        columns: ["path", "p50 ms", "p99 ms", "images/s", "MP/s", "× baseline"],
        rows,
        notes: [
          "× baseline: p50 latency over the loop's p50 (one at a time), total time over the loop's total (all at once).",
          "Locally one sandbox runs the function (as Lambda with reserved concurrency 1); in AWS each event may get its own.",
        ],
      },
    ];
  } finally {
    doc.destroy();
    s3.destroy();
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
};
