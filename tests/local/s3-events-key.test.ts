/**
 * The key in a local S3 event (s3.object.key) is encoded as S3 encodes it: application/x-www-form-urlencoded (the
 * User Guide's "Event message structure"), `/` kept; the same encoder as a listing's encoding-type=url
 * (local/s3-key-encoding.ts), so `(` and `)` come as `%28` `%29`, and the reference app's thumbnail function decodes
 * it back to the key.
 */
import { describe, expect, it } from "vitest";
import { decodeEventKey } from "../../handlers/thumbnail/index";
import { s3EventRecord } from "../../local/s3-events";

const eventKey = (key: string) =>
  s3EventRecord({ eventName: "ObjectCreated:Put", bucket: "b", key, size: 1, eTag: "e", sequencer: "01", time: new Date("2026-01-01T00:00:00Z") }, { region: "us-east-1", configurationId: "c" }).s3.object.key;

describe("local S3 events: the object key's URL encoding", () => {
  it.each([
    ["red flower.jpg", "red+flower.jpg"],
    ["originals/photo (1).jpg", "originals/photo+%281%29.jpg"],
    ["a!b'c~d*e-f_g.h", "a%21b%27c%7Ed*e-f_g.h"],
    ["a+b=c&d:e;f@g", "a%2Bb%3Dc%26d%3Ae%3Bf%40g"],
    ["ü/€", "%C3%BC/%E2%82%AC"],
  ])("encodes %j as %j, and the thumbnail function decodes it back", (key, encoded) => {
    expect(eventKey(key)).toBe(encoded);
    expect(decodeEventKey(encoded)).toBe(key);
  });
});
