/**
 * Request bodies of the gallery API, as zod schemas. Handlers parse with them, and
 * index.ts turns them into API Gateway request models (JSON Schema draft 4) with the package's
 * `requestModel()`, so the gateway and the handler validate the same contract.
 *
 * zod/mini (with the English messages) rather than classic zod: the same validation in
 * a fraction of the bundle, which is what a function's cold start parses (bench/cold-start).
 */
import * as z from "zod/mini";
import { en } from "zod/locales";

z.config(en());

/**
 * What the thumbnail function (sharp's prebuilt libvips) decodes. Not HEIC: the prebuilt libheif
 * reads AVIF only (HEVC is patent-encumbered), so an iPhone HEIC upload could never become ready.
 */
export const ALLOWED_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const;
/** Largest original image a presigned URL lets a browser upload. */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

const title = z.string().check(z.trim(), z.minLength(1, "must not be empty"), z.maxLength(120, "must be at most 120 characters"));
const description = z.string().check(z.maxLength(2000, "must be at most 2000 characters"));

export const CreateAlbum = z.strictObject({ title, description: z.optional(description) });

export const UpdateAlbum = z
  .strictObject({
    title: z.optional(title),
    description: z.optional(description),
    /** Optimistic concurrency: the `updatedAt` the client last saw; a newer one answers 409. */
    expectedUpdatedAt: z.optional(z.string()),
  })
  .check(z.refine((v) => v.title !== undefined || v.description !== undefined, { message: "set title or description" }));

export const CreatePhoto = z.strictObject({
  title: z.optional(title),
  contentType: z.enum(ALLOWED_IMAGE_TYPES, { error: `must be one of ${ALLOWED_IMAGE_TYPES.join(", ")}` }),
  size: z.int({ error: "must be a whole number of bytes" }).check(z.minimum(1, "must be at least 1 byte"), z.maximum(MAX_IMAGE_BYTES, `must be at most ${MAX_IMAGE_BYTES} bytes`)),
});

/** Photos are retitled; their status is the thumbnail function's (a photo becomes ready when its thumbnails exist). */
export const UpdatePhoto = z.strictObject({ title });

/**
 * A zod error as the API's 400 reports it and the site's forms show it: each problem under its field's path
 * (`title`), problems of the body as a whole under "(body)". The handlers (api-http.ts parseBody) and the site's
 * own checks before sending share it, so a field the page marks is the one the API would name.
 */
export function fieldErrors(error: z.core.$ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.join(".") : "(body)";
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}
