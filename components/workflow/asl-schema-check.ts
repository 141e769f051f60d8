/**
 * asl-validator's JSON-schema check, compiled once per process.
 *
 * asl-validator (3.16.0, and 4.0.0 alike) builds a new Ajv and compiles its whole Amazon States Language schema on
 * every call (dist/src/checks/json-schema-errors.js): about 55 ms a definition on this project's machine, paid by
 * Workflow's check, the states deploy rule and aws-local-stepfunctions under `npm start`, each time. This is the same
 * check (the same schemas, formats and choice of errors, from asl-validator's own files and dependencies) with one
 * Ajv per set of options, installed over the export that asl-validator's validator.js calls, so each of them gets it.
 * Only over the version it was written from: another asl-validator is left as it is (slower, still right).
 * tests/components/workflow-asl-schema-check.test.ts compares the two on valid and invalid definitions.
 */
import { createRequire } from "node:module";
import type { Ajv as AjvInstance, ErrorObject } from "ajv";

/** The asl-validator this check was written from (package.json pins it). */
const WRITTEN_FOR = "3.16.0";

/** asl-validator's schemas, in the order its check adds them. */
const SCHEMAS = ["common", "paths", "jsonata", "choice", "fail", "parallel", "pass", "base-state-machine", "state-machine", "state", "succeed", "task", "wait", "map", "errors"];
const STATE_MACHINE = "http://asl-validator.cloud/state-machine.json#";

interface CheckOptions {
  checkPaths?: boolean;
  checkArn?: boolean;
}
interface SchemaError {
  "Error code": string;
  Message: string;
  schemaError: { instancePath: string; schemaPath: string };
}
type SchemaErrors = (definition: unknown, options: CheckOptions) => SchemaError[];

/** Modules as asl-validator resolves them: its own files and its copies of Ajv, ajv-formats, JSONata and asl-path-validator. */
let aslRequire: NodeJS.Require | undefined;
const fromAslValidator = (id: string): unknown => (aslRequire ??= createRequire(require.resolve("asl-validator")))(id);

/** What the installed check keeps on asl-validator's module: asl-validator's own check (modules of this repository may load more than once in a process; asl-validator's once). */
const ORIGINAL = Symbol.for("serverless-fullstack/asl-validator-json-schema-errors");
interface SchemaCheckModule {
  jsonSchemaErrors: SchemaErrors;
  [ORIGINAL]?: SchemaErrors;
}

/** An asl-validator's module of the check (that copy's `require` given), or undefined for a version this was not written from. */
function schemaCheckModule(fromCopy: (id: string) => unknown = fromAslValidator): SchemaCheckModule | undefined {
  const { version } = fromCopy("../../package.json") as { version: string };
  return version === WRITTEN_FOR ? (fromCopy("./checks/json-schema-errors") as SchemaCheckModule) : undefined;
}

/**
 * The asl-validator copies that validate definitions in this process: the one Workflow resolves, and the one
 * aws-local-stepfunctions (the local Step Functions) resolves, when an install gives it a copy of its own.
 */
function aslValidatorCopies(): Array<(id: string) => unknown> {
  const copies = [fromAslValidator];
  try {
    const ours = require.resolve("asl-validator");
    const theirs = createRequire(require.resolve("aws-local-stepfunctions")).resolve("asl-validator");
    if (theirs !== ours) copies.push(createRequire(theirs));
  } catch {
    // aws-local-stepfunctions not installed (a consumer without npm start's runtime): Workflow's copy only.
  }
  return copies;
}

let installed = false;

/** Puts the compiled check in place of asl-validator's in each copy, once per process; leaves another version's alone. */
export function installCompiledAslSchemaCheck(): void {
  if (installed) return;
  installed = true;
  for (const fromCopy of aslValidatorCopies()) {
    const check = schemaCheckModule(fromCopy);
    if (!check || check[ORIGINAL]) continue;
    Object.defineProperty(check, ORIGINAL, { value: check.jsonSchemaErrors });
    check.jsonSchemaErrors = compiledSchemaErrors;
  }
}

/** asl-validator's own check, as it was before the install (for comparing the two). */
export function aslValidatorSchemaErrors(): SchemaErrors {
  const check = schemaCheckModule();
  if (!check) throw new Error(`asl-validator is not ${WRITTEN_FOR}: compiledSchemaErrors was written from that version's json-schema-errors.js`);
  return check[ORIGINAL] ?? check.jsonSchemaErrors;
}

/** One Ajv per set of options: the formats asl-validator registers depend on them. */
const ajvByOptions = new Map<string, AjvInstance>();

function ajvFor(options: CheckOptions): AjvInstance {
  const key = `${Boolean(options.checkPaths)}/${Boolean(options.checkArn)}`;
  let ajv = ajvByOptions.get(key);
  if (ajv) return ajv;
  const Ajv = (fromAslValidator("ajv") as { default: new (options: object) => AjvInstance }).default;
  const addFormats = (fromAslValidator("ajv-formats") as { default: (ajv: AjvInstance) => void }).default;
  const jsonata = fromAslValidator("jsonata") as (expression: string) => unknown;
  const { registerAll } = fromAslValidator("asl-path-validator") as { registerAll(ajv: AjvInstance): void };
  const { isArnFormatValid } = fromAslValidator("./checks/formats") as { isArnFormatValid(value: string): boolean };
  ajv = new Ajv({ schemas: SCHEMAS.map((name) => fromAslValidator(`./schemas/${name}.json`) as object), allowUnionTypes: true });
  addFormats(ajv);
  const validJsonata = (value: string) => {
    let expression = value.trim();
    expression = expression.startsWith("{%") ? expression.slice(2) : expression;
    expression = expression.endsWith("%}") ? expression.slice(0, -2) : expression;
    try {
      jsonata(expression);
      return true;
    } catch {
      return false;
    }
  };
  ajv.addFormat("jsonata_string", validJsonata);
  ajv.addFormat("maybe_jsonata_string", (value: string) => {
    const trimmed = value.trim();
    return trimmed.startsWith("{%") || trimmed.endsWith("%}") ? validJsonata(trimmed) : true;
  });
  if (options.checkPaths) registerAll(ajv);
  else for (const format of ["asl_path", "asl_ref_path", "asl_payload_template", "asl_result_path"]) ajv.addFormat(format, () => true);
  ajv.addFormat("asl_arn", options.checkArn ? isArnFormatValid : () => true);
  ajvByOptions.set(key, ajv);
  return ajv;
}

/**
 * asl-validator's choice of errors: of Ajv's, those at the deepest instance path; where a oneOf failed there, only
 * the oneOf errors (each of its branches reports, and they would bury the one that matters); each schema path and
 * instance path once.
 */
export function compiledSchemaErrors(definition: unknown, options: CheckOptions): SchemaError[] {
  const validate = ajvFor(options).getSchema(STATE_MACHINE)!;
  if (validate(definition)) return [];
  let deepest = 0;
  let selected: ErrorObject[] = [];
  for (const error of validate.errors ?? []) {
    const depth = error.instancePath.split("/").length;
    if (depth === deepest) selected.push(error);
    else if (depth > deepest) selected = [error];
    deepest = Math.max(deepest, depth);
  }
  const withOneOf = new Set(selected.filter((error) => error.keyword === "oneOf").map((error) => error.instancePath));
  return selected
    .filter((error) => error.keyword === "oneOf" || !withOneOf.has(error.instancePath))
    .map((error) => ({
      "Error code": "SCHEMA_VALIDATION_FAILED",
      Message: `${error.instancePath} is invalid. ${error.message ?? ""}`,
      schemaError: { instancePath: error.instancePath, schemaPath: decodeURIComponent(error.schemaPath) },
    }))
    .filter((error, index, all) => all.findIndex((other) => other.schemaError.schemaPath === error.schemaError.schemaPath && other.schemaError.instancePath === error.schemaError.instancePath) === index);
}
