/**
 * A REST route's request model, checked locally as API Gateway's request validator checks it: the body of a request
 * whose content type the model is mapped to (`application/json`; a request without a `Content-Type` is taken as JSON,
 * an empty body as `{}`)
 * must match the route's JSON Schema (draft 4, the only draft API Gateway models take), or the gateway answers 400
 * before the function runs ("If no matching content type is found, request validation is not performed",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html).
 *
 * Ajv (with its draft-04 build) does the validating; API Gateway's validator is Java's json-schema-validator, so its
 * `$context.error.validationErrorString` reads `[object has missing required properties (["title"])]`. The common
 * keywords are worded here as it words them, so a client that shows the text sees the same sentence locally; others
 * keep Ajv's wording.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv-draft-04";
import { mediaType } from "./vtl";

// `format` is not checked: whether API Gateway's validator checks it is not documented, and Ajv knows no formats
// without ajv-formats (it would warn on every schema that names one).
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** The validation error string API Gateway would put in `$context.error.validationErrorString`, or undefined when the body passes (or is not validated). */
export function requestModelProblem(schema: Record<string, unknown>, contentType: string | undefined, body: Buffer): string | undefined {
  if (mediaType(contentType ?? "application/json") !== "application/json") return undefined;
  let value: unknown;
  try {
    // An empty body is validated as `{}` (LocalStack matched AWS so, localstack/localstack#7916): a model with
    // required properties refuses it.
    value = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    return "Invalid request body";
  }
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return undefined;
  return `[${javaValidatorMessages(validate.errors ?? [], value).join(", ")}]`;
}

/** Ajv's errors in the words of java json-schema-validator (one message per object for required and additional properties). */
function javaValidatorMessages(errors: ErrorObject[], root: unknown): string[] {
  // A message, or a group of property names under one object's required / additional-properties message.
  const entries: Array<string | { names: string[]; format: (names: string[]) => string }> = [];
  const groups = new Map<string, { names: string[]; format: (names: string[]) => string }>();
  const group = (key: string, name: string, format: (names: string[]) => string) => {
    let entry = groups.get(key);
    if (!entry) {
      entry = { names: [], format };
      groups.set(key, entry);
      entries.push(entry);
    }
    entry.names.push(name);
  };
  for (const error of errors) {
    const value = valueAt(root, error.instancePath);
    const params = error.params as Record<string, any>;
    switch (error.keyword) {
      case "required":
        group(`required${error.instancePath}`, params.missingProperty, (names) => `object has missing required properties (${JSON.stringify(names)})`);
        break;
      case "additionalProperties":
        group(`additional${error.instancePath}`, params.additionalProperty, (names) => `object instance has properties which are not allowed by the schema: ${JSON.stringify(names)}`);
        break;
      case "type":
        entries.push(`instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ${JSON.stringify([params.type].flat())})`);
        break;
      case "minLength":
        entries.push(`string ${JSON.stringify(value)} is too short (length: ${[...String(value)].length}, required minimum: ${params.limit})`);
        break;
      case "maxLength":
        entries.push(`string ${JSON.stringify(value)} is too long (length: ${[...String(value)].length}, maximum allowed: ${params.limit})`);
        break;
      case "enum":
        entries.push(`instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(params.allowedValues)})`);
        break;
      case "pattern":
        entries.push(`ECMA 262 regex ${JSON.stringify(params.pattern)} does not match input string ${JSON.stringify(value)}`);
        break;
      // Draft 4's exclusiveMinimum / exclusiveMaximum are flags on these two: Ajv reports them here with `>` / `<`.
      case "minimum":
        entries.push(params.comparison === ">" ? `numeric instance is not strictly greater than the required minimum (minimum: ${params.limit}, found: ${value})` : `numeric instance is lower than the required minimum (minimum: ${params.limit}, found: ${value})`);
        break;
      case "maximum":
        entries.push(params.comparison === "<" ? `numeric instance is not strictly lower than the required maximum (maximum: ${params.limit}, found: ${value})` : `numeric instance is greater than the required maximum (maximum: ${params.limit}, found: ${value})`);
        break;
      case "minItems":
        entries.push(`array is too short: must have at least ${params.limit} elements but instance has ${(value as unknown[]).length} elements`);
        break;
      case "maxItems":
        entries.push(`array is too long: must have at most ${params.limit} elements but instance has ${(value as unknown[]).length} elements`);
        break;
      default:
        entries.push(`${error.instancePath || "instance"} ${error.message ?? "does not match the schema"}`);
    }
  }
  return entries.map((entry) => (typeof entry === "string" ? entry : entry.format([...entry.names].sort())));
}

/** JSON Schema's name for a value's type, as the Java validator reports it (whole numbers are "integer"). */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** The value a JSON pointer (`/items/0/title`) names in `root`. */
function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const part of pointer.split("/").slice(1)) {
    value = (value as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return value;
}
