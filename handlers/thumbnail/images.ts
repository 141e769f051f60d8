/**
 * Thumbnails with sharp (libvips): the original is decoded once (EXIF orientation applied, metadata
 * such as GPS dropped), scaled to the largest rendition, and every smaller rendition is made from
 * those pixels. An input sharp cannot decode is an UnusableImage — the photo is marked failed with
 * the reason rather than retried.
 */
import sharp from "sharp";
import { THUMBNAIL_WIDTHS } from "../shared/gallery-keys";

// Lambda reuses the sandbox: libvips' operation cache would only grow with originals never seen twice.
sharp.cache(false);

/** Formats the gallery accepts (gallery-schemas ALLOWED_IMAGE_TYPES) as sharp names them. */
export const READABLE_FORMATS = new Set(["jpeg", "png", "webp", "gif"]);
/** Originals above this many pixels are refused before decoding (a 25 MiB PNG can hold far more). */
export const MAX_INPUT_PIXELS = 100_000_000;
/** WebP quality of every rendition. */
export const WEBP_QUALITY = 80;

export class UnusableImage extends Error {
  override name = "UnusableImage";
}

export interface Rendition {
  /** The width asked for (names the object); `width` is smaller when the original is. */
  target: number;
  width: number;
  height: number;
  body: Buffer;
}

export interface Thumbnails {
  /** The original's size as shown (after EXIF rotation). */
  width: number;
  height: number;
  /** sharp's name for the original's format: jpeg, png, webp, gif. */
  format: string;
  /** Smallest first: one per THUMBNAIL_WIDTHS entry, never wider than the original, one per distinct width. */
  renditions: Rendition[];
}

export async function makeThumbnails(original: Buffer, widths: readonly number[] = THUMBNAIL_WIDTHS): Promise<Thumbnails> {
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" as const };
  let meta: sharp.Metadata;
  try {
    meta = await sharp(original, options).metadata();
  } catch (error) {
    throw new UnusableImage(`The file is not an image the gallery can read (${(error as Error).message})`);
  }
  if (!meta.format || !READABLE_FORMATS.has(meta.format)) {
    throw new UnusableImage(`The file is ${meta.format ? meta.format.toUpperCase() : "of an unknown format"}, not JPEG, PNG, WebP or GIF`);
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  const width = rotated ? meta.height : meta.width;
  const height = rotated ? meta.width : meta.height;
  if (!width || !height) throw new UnusableImage("The image has no dimensions");
  const sorted = [...widths].sort((a, b) => b - a);
  try {
    // Decode once: the largest rendition's pixels, from which the smaller ones are scaled.
    const base = await sharp(original, options).rotate().resize({ width: sorted[0], withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } };
    const renditions = await Promise.all(
      sorted.map(async (target) => {
        const { data, info } = await sharp(base.data, raw).resize({ width: target, withoutEnlargement: true }).webp({ quality: WEBP_QUALITY }).toBuffer({ resolveWithObject: true });
        return { target, width: info.width, height: info.height, body: data };
      }),
    );
    // An original narrower than a target gives that target's rendition the same width as a smaller one: keep one per width.
    const distinct = renditions.reverse().filter((r, i, all) => all.findIndex((o) => o.width === r.width) === i);
    return { width, height, format: meta.format, renditions: distinct };
  } catch (error) {
    throw new UnusableImage(`The image could not be decoded (${(error as Error).message})`);
  }
}
