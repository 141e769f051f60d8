/**
 * A route's `requestSchema` from a zod schema: the gateway then rejects bodies the handler's own
 * `schema.parse` would reject, from one definition. Zod 4 schemas, classic (`zod`) or `zod/mini`.
 */
import { toJSONSchema, type $ZodType } from "zod/v4/core";

/**
 * The schema as an API Gateway model: JSON Schema draft 4, the only draft API Gateway models accept
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-create-model.html), describing
 * the request as sent (`io: "input"`: defaults and transforms do not make a field required); checks JSON
 * Schema cannot express (refinements) are left to the handler (`unrepresentable: "any"`).
 *
 * @example
 * routes: { "POST /notes": { handler: "handlers/notes.ts", export: "create", requestSchema: requestModel(CreateNote) } }
 */
export function requestModel(schema: $ZodType): Record<string, unknown> {
  return toJSONSchema(schema, { target: "draft-4", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
