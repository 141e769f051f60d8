/**
 * Request bodies of the gallery API, as zod schemas. Handlers parse with them, and
 * index.ts turns them into API Gateway request models (JSON Schema draft 4) with
 * `requestModel()`, so the gateway and the handler validate the same contract.
 */
import { z } from "zod";

export const ALLOWED_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/heic"] as const;
/** Largest original image a presigned URL lets a browser upload. */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

const title = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
const description = z.string().max(2000, "must be at most 2000 characters");

export const CreateAlbum = z.strictObject({ title, description: description.optional() });

export const UpdateAlbum = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    /** Optimistic concurrency: the `updatedAt` the client last saw; a newer one answers 409. */
    expectedUpdatedAt: z.string().optional(),
  })
  .refine((v) => v.title !== undefined || v.description !== undefined, { message: "set title or description" });

export const CreatePhoto = z.strictObject({
  title: title.optional(),
  contentType: z.enum(ALLOWED_IMAGE_TYPES, { message: `must be one of ${ALLOWED_IMAGE_TYPES.join(", ")}` }),
  size: z.number().int("must be a whole number of bytes").min(1, "must be at least 1 byte").max(MAX_IMAGE_BYTES, `must be at most ${MAX_IMAGE_BYTES} bytes`),
});

export const UpdatePhoto = z
  .strictObject({
    title: title.optional(),
    /** `ready` confirms the upload: the object must exist with the declared size. */
    status: z.literal("ready").optional(),
  })
  .refine((v) => v.title !== undefined || v.status !== undefined, { message: "set title or status" });

/** The schema as an API Gateway model (JSON Schema draft 4). */
export function requestModel(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "draft-4", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
