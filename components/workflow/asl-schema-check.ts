/**
 * asl-validator's JSON-schema check, compiled once per process, and kept on disk for the next one.
 *
 * asl-validator (3.16.0, and 4.0.0 alike) builds a new Ajv and compiles its whole Amazon States Language schema on
 * every call (dist/src/checks/json-schema-errors.js): about 55 ms a definition on this project's machine, paid by
 * Workflow's check, the states deploy rule and aws-local-stepfunctions under `npm start`, each time. This is the same
 * check (the same schemas, formats and choice of errors, from asl-validator's own files and dependencies) with one
 * validator per set of options, installed over the export that asl-validator's validator.js calls, so each of them gets it;
 * two corrections only: a JSONPath Assign takes the array items AWS takes (ASSIGN_DEFINITIONS), and a JSONata Output and
 * Choice Condition take the literals AWS takes (JSONATA_DEFINITIONS).
 * Only over the version it was written from: another asl-validator is left as it is (slower, and without the correction).
 * Compiling even once is ≈0.2–0.45 s of CPU (a warm prod plan: 2.34 s of CPU with it, 2.10 s without): the compiled
 * schema is kept in the cache folder as Ajv's standalone code (loadStateMachineValidator), which a warm process loads
 * in ≈15 ms. The formats that parse a string (JSONata's, asl-path-validator's) remember their answers
 * (rememberingAnswers): a prod plan's StatesDefinition check of the deployed definition then parses only what Workflow's
 * check of the planned one did not (≈16.5 ms → ≈12.3 ms of CPU, median of 10 fresh processes each).
 * tests/components/workflow-asl-schema-check.test.ts compares the two on valid and invalid definitions.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { compileFunction } from "node:vm";
import type { Ajv as AjvInstance, ErrorObject } from "ajv";
import { markUsed, pruneOldest, writeAtomically } from "../file-hashes";
import { defaultCacheDir, digest } from "../lambda/bundle-cache";

/** The asl-validator this check was written from (package.json pins it). */
const WRITTEN_FOR = "3.16.0";

/** asl-validator's schemas, in the order its check adds them. */
const SCHEMAS = ["common", "paths", "jsonata", "choice", "fail", "parallel", "pass", "base-state-machine", "state-machine", "state", "succeed", "task", "wait", "map", "errors"];

/**
 * What a JSONPath `Assign` (a state's, a Choice rule's, a Catcher's) may hold, where asl-validator 3.16.0 refuses what
 * Step Functions takes: an array's items are checked as payload templates (paths.json `asl_payload_template`), so
 * `null`, `""` and a string that starts with `{% ` are refused there, though the same values are taken as an object's
 * plain fields. AWS created, and ran, a state machine whose JSONPath Assign holds
 * `"constant_lst": [null, 0, 0.1, true, "$.no.such.path", "$varname", "{% $varname %}", "$$", "States.Format('{}', $varname)", [], {"constant": 0}]`,
 * at the top and inside an object (LocalStack's AWS-recorded test_assign_base.py BASE_VAR and BASE_CONSTANT_LITERALS,
 * templates/assign/statemachines/base_var.json5): each item is a value, as an object's plain field is. So here an
 * array's item in Assign is what asl-validator takes as an object's plain field (a number, boolean, string or null,
 * an array of such items, or a payload template object, whose `.$` fields are still checked as paths): of those, `""`
 * and a nested array that is not empty are taken by that rule without a recording of AWS taking them. Only Assign:
 * Parameters and the other payload templates keep asl-validator's rule (nothing recorded shows AWS taking more there).
 */
const ASSIGN_DEFINITIONS = {
  assign: {
    oneOf: [{ $ref: "#/definitions/_assign_object" }, { type: "array", items: { $ref: "#/definitions/_assign_item" } }, { type: ["boolean", "number"] }, { $ref: "jsonata.json#/definitions/not_jsonata" }],
  },
  _assign_item: {
    oneOf: [{ type: ["number", "boolean", "string", "null"] }, { type: "array", items: { $ref: "#/definitions/_assign_item" } }, { $ref: "#/definitions/_assign_object" }],
  },
  _assign_object: {
    type: "object",
    patternProperties: {
      "^.+\\.\\$$": { type: "string", nullable: true, format: "asl_payload_template" },
      "^.+(([^.][^$])|([^.][$]))$": { $ref: "#/definitions/_assign_item" },
    },
  },
};

/**
 * What a JSONata state's `Output` and a JSONata Choice rule's `Condition` may hold, where asl-validator 3.16.0 refuses
 * what Step Functions takes: it takes only a `{% … %}` string or an object as an Output (jsonata.json `output`, the
 * definition of every state type's Output) and only a `{% … %}` string as a Condition. AWS created, and ran, state
 * machines whose JSONata Output is `null`, `0`, `0.1`, `true`, `"string literal"`, `[]` and
 * `[null, 0, 0.1, true, "string", [], "$nosuchvar", "$.no.such.path", "{% $states.input %}", {"key": "{% true %}"}]`
 * on a Pass state (LocalStack's AWS-recorded test_output.py test_base_output_any_non_dict, 2026-02-19), `"\""` on a
 * Pass state (test_base_scenarios.py ESCAPE_SEQUENCES_JSONATA_COMPARISON_OUTPUT), `"Default Output block"` on a Choice
 * state (test_output.py test_output_in_choice, templates/outputdecl/statemachines/choice_condition_jsonata.json5), and
 * a Choice rule whose Condition is `true` (test_base_scenarios.py test_choice_condition_constant_jsonata). So an Output
 * is any JSON value whose strings are a JSONata expression or text (what asl-validator takes as an Output object's
 * field: a string that looks like `{% … %}` must still parse, and `""` stays refused, no recording taking it), and a
 * Condition is a JSONata expression or a boolean (`false` taken as `true` is, without a recording of its own).
 * Arguments and Assign keep asl-validator's rule (no recording here shows AWS taking more there).
 */
const JSONATA_DEFINITIONS = {
  output: {
    oneOf: [{ $ref: "#/definitions/_jsonata_template_object" }, { $ref: "#/definitions/_output_value" }],
  },
  _output_value: {
    oneOf: [{ type: ["number", "boolean", "null"] }, { $ref: "#/definitions/maybe_jsonata" }, { type: "array", items: { $ref: "#/definitions/output" } }],
  },
  condition: {
    oneOf: [{ $ref: "#/definitions/jsonata" }, { type: "boolean" }],
  },
};

/**
 * asl-validator's schemas as this check compiles them: copies (asl-validator's own check compiles the very objects
 * `require` returns), paths.json's `assign` replaced by ASSIGN_DEFINITIONS, jsonata.json's `output` and `condition`
 * by JSONATA_DEFINITIONS. The cache key covers what this returns, so
 * a change here is another cache entry.
 */
function checkedSchemas(fromCopy: FromCopy): object[] {
  return SCHEMAS.map((name) => {
    const schema = structuredClone(fromCopy(`./schemas/${name}.json`)) as { definitions?: Record<string, unknown> };
    if (name === "paths") Object.assign(schema.definitions!, ASSIGN_DEFINITIONS);
    if (name === "jsonata") Object.assign(schema.definitions!, JSONATA_DEFINITIONS);
    return schema;
  });
}
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

/**
 * What asl-validator's check compiles, and what this module adds so the result can be kept on disk: the standalone
 * module refers to the formats by this name (each in `formats`), given when it is loaded; the formats are functions
 * (JSONata's parser, asl-path-validator's, the ARN check), so they are never written out.
 */
const FORMATS_PARAMETER = "formats";

/** Bumped when what a cache entry holds or what its key covers changes. */
const CACHE_FORMAT = 1;
/** Each set of options and each version of the packages makes one entry (≈0.5 MB); older ones go, oldest first. */
const MAX_CACHED = 8;

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
type Formats = AjvInstance["formats"];
type FromCopy = (id: string) => unknown;

/** How often this process compiled the schema, and how often a cached module spared it that (for the tests). */
export const schemaCheckStats = { compiles: 0, cacheHits: 0 };

/**
 * An Ajv as asl-validator's check sets one up — its formats for these options — and, given the schemas, with them.
 * Code generation keeps the source (for the standalone module) and names the formats through FORMATS_PARAMETER;
 * neither changes what is checked or the errors.
 */
function configuredAjv(options: CheckOptions, fromCopy: FromCopy, schemas?: object[]): AjvInstance {
  const { default: Ajv, Name } = fromCopy("ajv") as { default: new (options: object) => AjvInstance; Name: new (name: string) => unknown };
  const addFormats = (fromCopy("ajv-formats") as { default: (ajv: AjvInstance) => void }).default;
  const jsonata = fromCopy("jsonata") as (expression: string) => unknown;
  const { registerAll } = fromCopy("asl-path-validator") as { registerAll(ajv: AjvInstance): void };
  const { isArnFormatValid } = fromCopy("./checks/formats") as { isArnFormatValid(value: string): boolean };
  // ajv-formats sets code.formats only when it is unset: ours stays (its own would require ajv-formats from the cache folder).
  const ajv = new Ajv({ ...(schemas ? { schemas } : {}), allowUnionTypes: true, code: { source: true, formats: new Name(FORMATS_PARAMETER) } });
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
  for (const name of PARSING_FORMATS) ajv.addFormat(name, rememberingAnswers(ajv.formats[name] as (value: string) => boolean));
  return ajv;
}

/**
 * The formats that parse their string: JSONata's parser, and asl-path-validator's (a PEG parse, then JSONPath queries
 * over the syntax tree). They are most of a valid definition's check (≈40% of a state machine's schema check in a
 * prod plan's profile), and a plan asks them the same strings over and over: each oneOf branch of a state re-checks its
 * paths, and StatesDefinition checks the deployed definition after Workflow checked the planned one, which differ only
 * in their deploy-time values. Each answer is a function of the string alone, so a remembered one is the answer a new
 * parse gives: what is taken and refused stays the same.
 */
const PARSING_FORMATS = ["jsonata_string", "maybe_jsonata_string", "asl_path", "asl_ref_path", "asl_payload_template", "asl_result_path"];
/** How many strings each format remembers; all are forgotten when one more comes (a definition holds a few hundred). */
const FORMAT_ANSWERS_KEPT = 4096;

/** `format` remembering its answer for each string (FORMAT_ANSWERS_KEPT of them). */
function rememberingAnswers(format: (value: string) => boolean): (value: string) => boolean {
  const answers = new Map<string, boolean>();
  return (value) => {
    let answer = answers.get(value);
    if (answer === undefined) {
      answer = format(value);
      if (answers.size >= FORMAT_ANSWERS_KEPT) answers.clear();
      answers.set(value, answer);
    }
    return answer;
  };
}

/**
 * The key of the compiled check: everything the generated code depends on — the packages' versions, the schemas as
 * asl-validator loaded them, the options, and of each format what Ajv writes into the code (a pattern's source, a
 * definition's type and async flag; a function is only referred to by name).
 */
function cacheKey(options: CheckOptions, schemas: object[], formats: Formats, fromCopy: FromCopy): string {
  const version = (id: string) => (fromCopy(id) as { version: string }).version;
  const versions = ["../../package.json", "ajv/package.json", "ajv-formats/package.json", "asl-path-validator/package.json"].map(version);
  const formatShapes = Object.entries(formats).map(([name, format]) => [
    name,
    format instanceof RegExp ? String(format) : typeof format === "object" && format !== null ? { type: format.type, async: format.async } : typeof format,
  ]);
  return digest(JSON.stringify([CACHE_FORMAT, versions, Boolean(options.checkPaths), Boolean(options.checkArn), schemas, formatShapes]));
}

export interface LoadedValidator {
  validate: Validate;
  /** "cache": the module kept on disk; "compile": Ajv compiled the schemas (and the module was written when there is a disk cache). */
  from: "cache" | "compile";
  /** The cache entry (absent without a disk cache). */
  file?: string;
}

/**
 * asl-validator's state machine schema, compiled for `options`: from the module a previous run left in the cache
 * folder (`asl-schema-check/<key>.js`; components/lambda/bundle-cache.ts's folder), else compiled with Ajv (≈0.2–0.45 s
 * of CPU) and written there as Ajv's standalone code. `dir`: the cache folder (defaultCacheDir()), undefined for none. An entry is its code's sha256 on the first line, then the code:
 * one that is torn, edited or does not load is compiled again and replaced. Writes are atomic (a rename), so
 * processes that compile at once each write the same whole file.
 */
export function loadStateMachineValidator(options: CheckOptions, dir: string | undefined, fromCopy: FromCopy = fromAslValidator): LoadedValidator {
  const schemas = checkedSchemas(fromCopy);
  // Built without the schemas (no compile): the formats the cached module is given, and their shape for the key.
  const { formats } = configuredAjv(options, fromCopy);
  const file = dir === undefined ? undefined : join(dir, "asl-schema-check", `${cacheKey(options, schemas, formats, fromCopy)}.js`);
  const cached = file === undefined ? undefined : loadCached(file, formats, fromCopy);
  if (cached) {
    schemaCheckStats.cacheHits++;
    markUsed(file!);
    return { validate: cached, from: "cache", file };
  }
  schemaCheckStats.compiles++;
  const ajv = configuredAjv(options, fromCopy, schemas);
  const validate = ajv.getSchema(STATE_MACHINE) as Validate;
  if (file !== undefined) {
    let code: string | undefined;
    try {
      const standaloneCode = (fromCopy("ajv/dist/standalone") as { default: (ajv: AjvInstance, validate: Validate) => string }).default;
      code = standaloneCode(ajv, validate);
    } catch {
      // Something Ajv cannot write out: the compiled function still serves this process.
    }
    if (code !== undefined) {
      writeAtomically(file, `// ${digest(code)}\n${code}`);
      pruneOldest(dirname(file), ".js", MAX_CACHED);
    }
  }
  return { validate, from: "compile", file };
}

/** The validator in a cache entry, or undefined when it is absent, not what was written, or does not load. */
function loadCached(file: string, formats: Formats, fromCopy: FromCopy): Validate | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const newline = text.indexOf("\n");
  const code = text.slice(newline + 1);
  if (newline < 0 || text.slice(0, newline) !== `// ${digest(code)}`) return undefined;
  try {
    const module = { exports: {} as unknown };
    // The module's own requires (Ajv's runtime helpers) resolve as asl-validator's, from the copy of Ajv that generated it.
    compileFunction(code, ["require", "module", "exports", FORMATS_PARAMETER], { filename: file })(fromCopy, module, module.exports, formats);
    return typeof module.exports === "function" ? (module.exports as Validate) : undefined;
  } catch {
    return undefined;
  }
}

/** One validator per set of options: the formats asl-validator registers depend on them. */
const validators = new Map<string, Validate>();

function validatorFor(options: CheckOptions): Validate {
  const key = `${Boolean(options.checkPaths)}/${Boolean(options.checkArn)}`;
  let validate = validators.get(key);
  if (!validate) validators.set(key, (validate = loadStateMachineValidator(options, defaultCacheDir()).validate));
  return validate;
}

/**
 * asl-validator's choice of errors: of Ajv's, those at the deepest instance path; where a oneOf failed there, only
 * the oneOf errors (each of its branches reports, and they would bury the one that matters); each schema path and
 * instance path once.
 */
export function compiledSchemaErrors(definition: unknown, options: CheckOptions): SchemaError[] {
  return schemaErrorsOf(validatorFor(options), definition);
}

/** The errors asl-validator's check reports, from a compiled state machine schema. */
export function schemaErrorsOf(validate: Validate, definition: unknown): SchemaError[] {
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
