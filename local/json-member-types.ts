/**
 * The AWS JSON protocol's type check of a request: a member of another JSON type than its shape's is refused before the
 * action runs, HTTP 400 SerializationException (Cognito so answers a boolean where a string belongs, "I triggered this
 * exception by submitting a boolean instead of a string for an AttributeType.Value", amazon-archives/
 * amazon-cognito-identity-js#485; an object for ConfirmForgotPassword's string ConfirmationCode, HTTP 400 "Start of
 * structure or map found where not expected.", aws-amplify/amplify-js#5165; a body that is not an object, `{"__type":"SerializationException","Message":"Expected
 * map or null"}`, aws-amplify/amplify-js#4738; `{"Message":"Unexpected field type"}` from the live API in
 * floci-io/floci#2869, whose live InvalidParameterException has "message": Cognito's SerializationException names its text "Message"). A number for a string, or a string for a number,
 * is refused alike: AWS's answer to those is not confirmed. The shapes are the AWS SDK's own model of the service (the schemas its v3 clients serialise
 * with, `<Operation>$`), so every action is checked alike, not those an emulator happens to look at.
 *
 * JSON types per shape (the awsJson1_1 protocol's serialisation, https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html):
 * string and enum a string; blob a (base64) string; number shapes a number; boolean a boolean; timestamp a number (epoch
 * seconds); list a JSON array; map and structure and union a JSON object; document anything. `null` stands for an absent
 * member (not refused here: a required member's absence is the action's own check). A null in a list or as a map's
 * value is refused: Cognito's lists and maps are not sparse (AWS's answer to one is not confirmed). Members the model lacks are let through, as the
 * protocol ignores unknown members. The wording of AWS's Message for a mismatch is not confirmed: ours names the member.
 */
import { NormalizedSchema } from "@smithy/core/schema";

/**
 * The input schemas of the actions of `model`, an SDK client's exports (its operations' schemas, `<Action>$`:
 * `[9 (operation), namespace, name, traits, input, output]`), each read once: the one reader of them for every check
 * of a request against the model (the JSON types here, an emulator's required members and constraints). The schemas
 * and NormalizedSchema are the SDK's internals (@smithy/core/schema, pinned with the client in package.json), which a
 * release may change: a model without operation schemas, or an action's input this reader cannot read (any error
 * reading it and its top-level members), turns every check off (said once through `log`), and requests go on unchecked
 * as before them, rather than each failing. An error while a check walks one request (a nested member's schema read
 * lazily included) fails that request only: a request must not be able to switch the checks off for every later one.
 */
export class ModelInputs {
  private readonly inputs = new Map<string, NormalizedSchema>();
  private on = true;

  constructor(
    private readonly model: Record<string, unknown>,
    private readonly log: (message: string) => void,
  ) {
    if (!Object.keys(model).some((key) => key.endsWith("$") && this.operation(key.slice(0, -1)))) this.off("the SDK's model has no operation schemas (<Action>$)");
  }

  /** `check` of `target`'s input; undefined for an action the model lacks, or once the model could not be read. */
  check<T>(target: string, check: (input: NormalizedSchema) => T): T | undefined {
    const input = this.input(target);
    // Outside the model read's try: an error while checking one request fails that request only; a request must not
    // be able to switch the checks off for every later one.
    return input && check(input);
  }

  private input(target: string): NormalizedSchema | undefined {
    if (!this.on) return undefined;
    const known = this.inputs.get(target);
    if (known) return known;
    try {
      const schema = this.operation(target);
      if (!schema) return undefined;
      const input = NormalizedSchema.of(schema[4] as Parameters<typeof NormalizedSchema.of>[0]);
      // Reading a member's schema is lazy: touch them now, so a model this reader cannot read is found here, once.
      if (input.isStructSchema()) for (const _ of input.structIterator());
      this.inputs.set(target, input);
      return input;
    } catch (error) {
      this.off(`the SDK's model of ${target} could not be read (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    }
  }

  private operation(target: string): unknown[] | undefined {
    const schema = Object.hasOwn(this.model, `${target}$`) ? this.model[`${target}$`] : undefined;
    return Array.isArray(schema) && schema[0] === 9 ? schema : undefined;
  }

  private off(why: string): void {
    this.on = false;
    this.inputs.clear();
    this.log(`request members are not checked against the SDK's model (their JSON types, required members and constraints): ${why}`);
  }
}

/**
 * The type check of the actions of a model (`model`'s inputs, read by a ModelInputs of its own with `log` unless
 * given one): `(target, body)` → the first mismatch of `body` with the action's input, or undefined (fits, an action
 * the model lacks, or a model that cannot be read).
 */
export function jsonTypeCheck(model: Record<string, unknown> | ModelInputs, log: (message: string) => void = () => {}): (target: string, body: unknown) => string | undefined {
  const inputs = model instanceof ModelInputs ? model : new ModelInputs(model, log);
  return (target, body) => inputs.check(target, (input) => jsonTypeProblem(input, body));
}

/** What is wrong with `value` as `schema`'s input (the first mismatch), or undefined when its JSON types fit. */
export function jsonTypeProblem(schema: NormalizedSchema, value: unknown, at = ""): string | undefined {
  if (value === null || value === undefined || schema.isDocumentSchema()) return undefined;
  const expect = (ok: boolean, what: string) => (ok ? undefined : `${at || "The request body"}: expected ${what}, got ${jsonTypeOf(value)}`);
  if (schema.isStringSchema() || schema.isBlobSchema()) return expect(typeof value === "string", "a string");
  if (schema.isBooleanSchema()) return expect(typeof value === "boolean", "a boolean");
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema() || schema.isTimestampSchema()) return expect(typeof value === "number", "a number");
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) return expect(false, "a list");
    const member = schema.getValueSchema();
    for (const [i, item] of value.entries()) {
      const problem = item === null ? `${at}[${i}]: expected ${describe(member)}, got null` : jsonTypeProblem(member, item, `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  const isObject = typeof value === "object" && !Array.isArray(value);
  if (schema.isMapSchema()) {
    if (!isObject) return expect(false, "a map");
    const member = schema.getValueSchema();
    for (const [key, item] of Object.entries(value as object)) {
      const problem = item === null ? `${at}.${key}: expected ${describe(member)}, got null` : jsonTypeProblem(member, item, `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (!isObject) return expect(false, at ? "a structure" : "map or null");
    for (const [name, member] of schema.structIterator()) {
      const problem = jsonTypeProblem(member, (value as Record<string, unknown>)[name], at ? `${at}.${name}` : name);
      if (problem) return problem;
    }
    return undefined;
  }
  return undefined;
}

function describe(schema: NormalizedSchema): string {
  if (schema.isStringSchema() || schema.isBlobSchema()) return "a string";
  if (schema.isBooleanSchema()) return "a boolean";
  if (schema.isListSchema()) return "a list";
  if (schema.isMapSchema()) return "a map";
  if (schema.isStructSchema() || schema.isUnionSchema()) return "a structure";
  return "a number";
}

function jsonTypeOf(value: unknown): string {
  return Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}
