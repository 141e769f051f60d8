/**
 * The compiled ASL schema check (components/workflow/asl-schema-check.ts) answers exactly what asl-validator's own
 * check answers but for a JSONPath Assign's array items and a JSONata Output's and Choice Condition's literals (where it takes what AWS takes), for valid definitions and for each kind of invalid one, under each set of options its callers pass
 * (Workflow and the deploy rule check paths and ARNs; the local runtime, paths only) — and it is what asl-validator
 * runs once installed. Kept on disk as Ajv's standalone code, it is compiled once per key, and the module a later
 * process loads answers the same; a damaged entry is compiled again, and another package version is another key.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { aslValidatorSchemaErrors, compiledSchemaErrors, loadStateMachineValidator, schemaCheckStats, schemaErrorsOf } from "../../components/workflow/asl-schema-check";
import { aslProblems } from "../../components/workflow/definition";
import { onceCompiled, onceCompiledStats } from "../harness/asl-validator-once";

const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:resize";
const task = (extra: Record<string, unknown> = {}) => ({ Type: "Task", Resource: FUNCTION, End: true, ...extra });
const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ StartAt: Object.keys(states)[0], States: states, ...extra });

const DEFINITIONS: Record<string, unknown> = {
  "one task": machine({ Resize: task() }),
  "a task with paths, parameters, retry and catch": machine({
    Resize: task({
      InputPath: "$.photo",
      Parameters: { "key.$": "$.key", bucket: "photos", "size.$": "States.Format('{}px', $.size)", "token.$": "$$.Task.Token" },
      ResultSelector: { "etag.$": "$.Payload.etag" },
      ResultPath: "$.resized",
      Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL" }],
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "Failed", ResultPath: "$.error" }],
    }),
    Failed: { Type: "Fail", Error: "ResizeFailed", Cause: "see $.error" },
  }),
  "choice, wait, pass, succeed": machine({
    Decide: { Type: "Choice", Choices: [{ Variable: "$.size", NumericGreaterThan: 100, Next: "Later" }, { And: [{ Variable: "$.kind", StringEquals: "png" }, { Not: { Variable: "$.x", IsPresent: true } }], Next: "Done" }], Default: "Shape" },
    Later: { Type: "Wait", Seconds: 5, Next: "Shape" },
    Shape: { Type: "Pass", Result: { ok: true }, ResultPath: "$.shape", Next: "Done" },
    Done: { Type: "Succeed" },
  }),
  "map with an item processor": machine({
    Each: { Type: "Map", ItemsPath: "$.photos", MaxConcurrency: 4, ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "One", States: { One: task() } }, End: true },
  }),
  JSONata: machine({ Resize: { Type: "Task", Resource: FUNCTION, Arguments: { key: "{% $states.input.key %}" }, Output: "{% $states.result %}", End: true } }, { QueryLanguage: "JSONata" }),
  "JSONata that does not parse": machine({ Resize: { Type: "Task", Resource: FUNCTION, Arguments: { key: "{% $states.input.( %}" }, End: true } }, { QueryLanguage: "JSONata" }),
  "no StartAt": { States: { A: task() } },
  "an unknown state type": machine({ A: { Type: "Sleep", End: true } }),
  "a Resource that is not an ARN": machine({ A: task({ Resource: "resize-function" }) }),
  "a path that is not a path": machine({ A: task({ InputPath: "photo.key" }) }),
  "a parameter path that is not a path": machine({ A: task({ Parameters: { "key.$": "key" } }) }),
  "a choice rule without a comparison": machine({ A: { Type: "Choice", Choices: [{ Variable: "$.x", Next: "B" }] }, B: { Type: "Succeed" } }),
  "a wait of text seconds": machine({ A: { Type: "Wait", Seconds: "5", End: true } }),
  "a field a state may not have": machine({ A: { Type: "Pass", Resource: FUNCTION, End: true } }),
  "not an object": "StartAt",
};

/** What the schema check is given: validator.js first writes the default QueryLanguage into every state. */
function asValidatorPassesIt(definition: unknown): unknown {
  const copy = structuredClone(definition) as { QueryLanguage?: string };
  const language = typeof copy === "object" && copy !== null && copy.QueryLanguage ? copy.QueryLanguage : "JSONPath";
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === "States" && typeof child === "object" && child !== null) {
        for (const state of Object.values(child)) if (typeof state === "object" && state !== null) (state as { QueryLanguage?: string }).QueryLanguage ??= language;
      }
      visit(child);
    }
  };
  visit(copy);
  return copy;
}

/** Workflow's and the deploy rule's options; the local runtime's (no ARN check); none (each costs asl-validator's check a compile). */
const EVERY_CHECK = { checkPaths: true, checkArn: true };
const OTHER_OPTIONS = [
  { checkPaths: true, checkArn: false },
  { checkPaths: false, checkArn: false },
];
const VALID = ["one task", "a task with paths, parameters, retry and catch", "choice, wait, pass, succeed", "map with an item processor", "JSONata"];

/**
 * asl-validator's own check, as it runs, but compiling its schema once per set of options: it builds and compiles a new
 * Ajv on every call (≈0.2–0.45 s of CPU; issue 15), and the Ajv it built first for these options is handed back to it
 * (tests/harness/asl-validator-once.ts, which throws if a call sets its Ajv up otherwise).
 */
const ownCheck = onceCompiled(aslValidatorSchemaErrors());

/**
 * asl-validator's own answer for a definition of DEFINITIONS under a set of options, asked once per pair: its answer
 * depends on nothing but the definition and the options.
 */
const ownAnswers = new Map<string, ReturnType<typeof compiledSchemaErrors>>();
function ownAnswer(name: string, options: typeof EVERY_CHECK): ReturnType<typeof compiledSchemaErrors> {
  const key = JSON.stringify([name, options]);
  if (!ownAnswers.has(key)) ownAnswers.set(key, ownCheck(asValidatorPassesIt(DEFINITIONS[name]), options));
  return ownAnswers.get(key)!;
}

describe("asl-validator's own check compiled once per set of options (tests/harness/asl-validator-once.ts)", () => {
  it("answers as it does compiling its schema on each call, and builds one Ajv for many calls", () => {
    const { builds, reuses } = onceCompiledStats;
    const fresh = aslValidatorSchemaErrors();
    // Once (a compile of its own): an invalid definition, so the errors its choice makes are compared too.
    const invalid = asValidatorPassesIt(DEFINITIONS["a path that is not a path"]);
    expect(ownCheck(invalid, EVERY_CHECK)).toEqual(fresh(invalid, EVERY_CHECK));
    expect(ownCheck(invalid, EVERY_CHECK)).not.toEqual([]);
    expect(ownCheck(asValidatorPassesIt(DEFINITIONS["one task"]), EVERY_CHECK)).toEqual([]);
    expect(onceCompiledStats.builds - builds).toBeLessThanOrEqual(1);
    expect(onceCompiledStats.reuses - reuses).toBeGreaterThanOrEqual(2);
  });

  it("throws when a call sets its Ajv up otherwise than the first call with those options", () => {
    // Like asl-validator's check: `ajv.default` looked up at each call, and a schema given to the constructor.
    const ajvModule = createRequire(require.resolve("asl-validator"))("ajv") as { default: new (options: object) => { addFormat(name: string, format: (value: string) => boolean): unknown; validate(schema: string, data: unknown): boolean } };
    const schemas = [{ $id: "some-string", type: "string", format: "some_format" }];
    let format = (value: string) => value.length > 0;
    const check = onceCompiled((definition: unknown) => {
      const ajv = new ajvModule.default({ schemas });
      ajv.addFormat("some_format", format);
      return ajv.validate("some-string", definition) ? [] : ["invalid"];
    });
    expect(check("", {})).toEqual(["invalid"]);
    expect(check("x", {})).toEqual([]);
    format = () => true;
    expect(() => check("", {})).toThrow(/otherwise than on its first call/);
  });
});

describe("the compiled ASL schema check", () => {
  const original = aslValidatorSchemaErrors();

  it.each(Object.keys(DEFINITIONS))("answers as asl-validator's own check: %s", (name) => {
    expect(compiledSchemaErrors(asValidatorPassesIt(DEFINITIONS[name]), EVERY_CHECK)).toEqual(ownAnswer(name, EVERY_CHECK));
  });

  it.each(["a Resource that is not an ARN", "a path that is not a path"])("answers as asl-validator's own check without ARN or path checks: %s", (name) => {
    for (const options of OTHER_OPTIONS) {
      expect(compiledSchemaErrors(asValidatorPassesIt(DEFINITIONS[name]), options), JSON.stringify(options)).toEqual(ownAnswer(name, options));
    }
  });

  it("finds errors in each invalid definition, and none in the valid ones (the comparisons above compare something)", () => {
    const valid = Object.entries(DEFINITIONS)
      .filter(([, definition]) => compiledSchemaErrors(asValidatorPassesIt(definition), EVERY_CHECK).length === 0)
      .map(([name]) => name);
    expect(valid).toEqual(VALID);
    // The checks an option turns off: the ARN passes without checkArn, the paths without checkPaths.
    expect(compiledSchemaErrors(asValidatorPassesIt(DEFINITIONS["a Resource that is not an ARN"]), OTHER_OPTIONS[0])).toEqual([]);
    expect(compiledSchemaErrors(asValidatorPassesIt(DEFINITIONS["a path that is not a path"]), OTHER_OPTIONS[1])).toEqual([]);
  });

  /**
   * A JSONPath Assign as AWS created and ran it (LocalStack's AWS-recorded BASE_VAR, test_assign_base.py): its arrays
   * hold null and a string that starts with `{% `, at the top and inside an object.
   */
  const BASE_VAR_ASSIGN = {
    "varname.$": "$.input_value",
    constant_null: null,
    constant_str_jsonata_expr: "{% $varname.varfield %}",
    constant_lst: [null, 0, 0.1, true, "$.no.such.path", "$varname", "{% $varname %}", "$$", "States.Format('{}', $varname)", [], { constant: 0 }],
    constant_obj: { in_obj_constant_lst: [null, 0, "{% $varname %}", [], { constant: 0 }] },
  };

  it("takes the array items AWS takes in a JSONPath Assign (a state's, a Choice rule's, a Catcher's), which asl-validator's own check refuses", () => {
    const assigning = machine({
      Keep: { Type: "Pass", Assign: BASE_VAR_ASSIGN, Next: "Decide" },
      Decide: { Type: "Choice", Choices: [{ Variable: "$.x", IsPresent: true, Assign: { listed: [null] }, Next: "Call" }], Default: "Call" },
      Call: task({ Catch: [{ ErrorEquals: ["States.ALL"], Assign: { failed: [null, "{% x %}"] }, Next: "Done" }], End: undefined, Next: "Done" }),
      Done: { Type: "Succeed" },
    });
    expect(compiledSchemaErrors(asValidatorPassesIt(assigning), EVERY_CHECK)).toEqual([]);
    expect(ownCheck(asValidatorPassesIt(assigning), EVERY_CHECK).map((error) => error.Message)).toEqual(["/States/Keep/Assign/constant_lst/0 is invalid. must match exactly one schema in oneOf"]);
    expect(aslProblems(assigning)).toEqual([]);
  });

  it("still checks a JSONPath Assign as asl-validator does elsewhere: a `.$` field in an array's object is a path, and Parameters' arrays keep asl-validator's rule", () => {
    const notAPath = machine({ Keep: { Type: "Pass", Assign: { list: [{ "key.$": "key" }] }, End: true } });
    expect(compiledSchemaErrors(asValidatorPassesIt(notAPath), EVERY_CHECK)).toEqual(ownCheck(asValidatorPassesIt(notAPath), EVERY_CHECK));
    expect(aslProblems(notAPath)).toEqual(['/States/Keep/Assign/list/0/key.$ is invalid. must match format "asl_payload_template"']);
    const parameters = machine({ Keep: { Type: "Pass", Parameters: { list: [null] }, End: true } });
    expect(compiledSchemaErrors(asValidatorPassesIt(parameters), EVERY_CHECK)).toEqual(ownCheck(asValidatorPassesIt(parameters), EVERY_CHECK));
    expect(compiledSchemaErrors(asValidatorPassesIt(parameters), EVERY_CHECK)).not.toEqual([]);
  });

  /**
   * JSONata Outputs and a Condition as AWS created and ran them (LocalStack's AWS-recorded test_output.py
   * test_base_output_any_non_dict and test_output_in_choice, test_base_scenarios.py test_choice_condition_constant_jsonata).
   */
  const LIST_RICH = [null, 0, 0.1, true, "string", [], "$nosuchvar", "$.no.such.path", "{% $states.input %}", { key: "{% true %}" }];
  const jsonataLiterals = machine(
    {
      Decide: { Type: "Choice", Choices: [{ Condition: "{% $states.input.condition %}", Next: "Rich", Output: "Condition Output block" }], Default: "Constant", Output: "Default Output block" },
      Constant: { Type: "Choice", Choices: [{ Condition: true, Next: "Rich" }], Default: "Nothing" },
      Rich: { Type: "Pass", Output: LIST_RICH, Next: "Nothing" },
      Nothing: { Type: "Pass", Output: null, Next: "Number" },
      Number: { Type: "Pass", Output: 0.1, Next: "Text" },
      Text: { Type: "Pass", Output: '"', Next: "Empty" },
      Empty: { Type: "Pass", Output: [], End: true },
    },
    { QueryLanguage: "JSONata" },
  );

  it("takes the literals AWS takes as a JSONata Output (a Choice state's too) and a Choice rule's Condition, which asl-validator's own check refuses", () => {
    expect(compiledSchemaErrors(asValidatorPassesIt(jsonataLiterals), EVERY_CHECK)).toEqual([]);
    // asl-validator's check stops at the first error: each state on its own, with a Succeed to go to.
    const alone = Object.entries(jsonataLiterals.States).map(([name, state]) => {
      const { Next, Default, Choices, ...rest } = state as { Next?: string; Default?: string; Choices?: object[] };
      const ending = Choices ? { Choices: Choices.map((rule) => ({ ...rule, Next: "Z" })), Default: "Z" } : { End: true };
      return machine({ [name]: { ...rest, ...ending }, Z: { Type: "Succeed" } }, { QueryLanguage: "JSONata" });
    });
    // Of a Pass state it also names the Type: the state matched no state type's schema.
    expect(alone.map((definition) => ownCheck(asValidatorPassesIt(definition), EVERY_CHECK)[0]?.Message)).toEqual([
      "/States/Decide/Output is invalid. must match exactly one schema in oneOf",
      "/States/Constant/Choices/0/Condition is invalid. must be string",
      "/States/Rich/Output is invalid. must match exactly one schema in oneOf",
      "/States/Nothing/Output is invalid. must match exactly one schema in oneOf",
      "/States/Number/Output is invalid. must match exactly one schema in oneOf",
      "/States/Text/Output is invalid. must match exactly one schema in oneOf",
      "/States/Empty/Output is invalid. must match exactly one schema in oneOf",
    ]);
    expect(alone.flatMap((definition) => compiledSchemaErrors(asValidatorPassesIt(definition), EVERY_CHECK))).toEqual([]);
    expect(aslProblems(jsonataLiterals)).toEqual([]);
  });

  it("still refuses a JSONata Output or Condition that is `{% … %}` but no JSONata, an empty Output, and a Condition of text", () => {
    const refused = (state: Record<string, unknown>) => aslProblems(machine({ A: state, B: { Type: "Succeed" } }, { QueryLanguage: "JSONata" }));
    expect(refused({ Type: "Pass", Output: "{% $states.input.( %}", End: true })).not.toEqual([]);
    expect(refused({ Type: "Pass", Output: [1, { key: "{% ( %}" }], End: true })).not.toEqual([]);
    expect(refused({ Type: "Pass", Output: "", End: true })).not.toEqual([]);
    expect(refused({ Type: "Choice", Choices: [{ Condition: "{% ( %}", Next: "B" }], Default: "B" })).not.toEqual([]);
    expect(refused({ Type: "Choice", Choices: [{ Condition: "$.x", Next: "B" }], Default: "B" })).not.toEqual([]);
    expect(refused({ Type: "Choice", Choices: [{ Condition: 1, Next: "B" }], Default: "B" })).not.toEqual([]);
  });

  it("is what asl-validator runs once installed, and Workflow's check installs it", () => {
    aslProblems(DEFINITIONS["one task"]);
    // asl-validator's validator.js calls the module's export: the installed check is there, the original kept aside.
    const check = require("asl-validator/dist/src/checks/json-schema-errors") as { jsonSchemaErrors: unknown };
    expect(check.jsonSchemaErrors).not.toBe(original);
    // This module's function, or the same one from this module as an earlier file of a shared worker loaded it.
    expect((check.jsonSchemaErrors as { name: string }).name).toBe(compiledSchemaErrors.name);
    expect(aslValidatorSchemaErrors()).toBe(original);
    expect(aslProblems(DEFINITIONS["a path that is not a path"])).toEqual(['/States/A/InputPath is invalid. must match format "asl_path"']);
  });
});

describe("the compiled ASL schema check's parsing formats", () => {
  it("parse each path once, and answer it again as they did (a refusal stays a refusal)", () => {
    // Strings no other test asks, so none is remembered yet (test files may share a worker).
    const tag = `remembered${Date.now()}`;
    const taken = asValidatorPassesIt(machine({ A: task({ InputPath: `$.${tag}` }) }));
    const refused = asValidatorPassesIt(machine({ A: task({ InputPath: `${tag}.key` }) }));
    const refusal = aslValidatorSchemaErrors()(refused, EVERY_CHECK);
    expect(refusal).not.toEqual([]);
    // asl-path-validator as asl-validator's copy resolves it: the Ajv formats call this module's validatePath.
    const paths = createRequire(createRequire(require.resolve("asl-validator")).resolve("asl-path-validator"))("./index") as { validatePath: (path: string, context: string) => unknown };
    const parse = paths.validatePath;
    const parsed: string[] = [];
    paths.validatePath = (path, context) => {
      parsed.push(path);
      return parse(path, context);
    };
    try {
      for (let round = 0; round < 3; round++) {
        expect(compiledSchemaErrors(taken, EVERY_CHECK)).toEqual([]);
        expect(compiledSchemaErrors(refused, EVERY_CHECK)).toEqual(refusal);
      }
    } finally {
      paths.validatePath = parse;
    }
    expect(parsed.filter((path) => path.includes(tag)).sort()).toEqual([`$.${tag}`, `${tag}.key`]);
  });
});

describe("the compiled ASL schema check kept on disk", () => {
  const dir = mkdtempSync(join(tmpdir(), "asl-schema-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const entries = () => readdirSync(join(dir, "asl-schema-check")).sort();
  /** No entries: a test that expects a first compile makes it whatever ran before it (`--sequence.shuffle`). */
  const emptyCache = () => rmSync(join(dir, "asl-schema-check"), { recursive: true, force: true });
  /** A definition of each kind, checked by `validate` and by asl-validator's own check. */
  const expectSameAnswers = (validate: Parameters<typeof schemaErrorsOf>[0], options: typeof EVERY_CHECK, names = Object.keys(DEFINITIONS)) => {
    for (const name of names) expect(schemaErrorsOf(validate, asValidatorPassesIt(DEFINITIONS[name])), name).toEqual(ownAnswer(name, options));
  };

  it("is compiled once, then loaded from disk without compiling, and the loaded module (formats included) answers as asl-validator's own check", () => {
    emptyCache();
    const first = loadStateMachineValidator(EVERY_CHECK, dir);
    expect(first.from).toBe("compile");
    expect(entries()).toHaveLength(1);
    const compiles = schemaCheckStats.compiles;
    const second = loadStateMachineValidator(EVERY_CHECK, dir);
    expect(second).toMatchObject({ from: "cache", file: first.file });
    expect(schemaCheckStats.compiles).toBe(compiles);
    // The formats are functions given at load: a path, an ARN and JSONata that fail their format are among these.
    expectSameAnswers(second.validate, EVERY_CHECK);
  });

  it.each(OTHER_OPTIONS)("keeps one entry per set of options, each answering as asl-validator's own check: %o", (options) => {
    emptyCache();
    expect(loadStateMachineValidator(options, dir).from).toBe("compile");
    const cached = loadStateMachineValidator(options, dir);
    expect(cached.from).toBe("cache");
    expectSameAnswers(cached.validate, options, ["one task", "a Resource that is not an ARN", "a path that is not a path"]);
  });

  it.each([
    ["torn", (text: string) => text.slice(0, text.length / 2)],
    ["edited (a message changed, the file still runs)", (text: string) => text.replace("must be string", "must be text")],
    ["not a cache entry", () => "module.exports = () => true;"],
  ])("compiles again when an entry is %s, and replaces it", (_, damage) => {
    const { file } = loadStateMachineValidator(EVERY_CHECK, dir);
    const good = readFileSync(file!, "utf8");
    writeFileSync(file!, damage(good));
    const compiles = schemaCheckStats.compiles;
    const reloaded = loadStateMachineValidator(EVERY_CHECK, dir);
    expect(reloaded.from).toBe("compile");
    expect(schemaCheckStats.compiles).toBe(compiles + 1);
    expectSameAnswers(reloaded.validate, EVERY_CHECK, ["one task", "a wait of text seconds", "a path that is not a path"]);
    expect(readFileSync(file!, "utf8")).toBe(good);
    expect(loadStateMachineValidator(EVERY_CHECK, dir).from).toBe("cache");
  });

  it.each(["ajv/package.json", "../../package.json"])("makes another key when %s has another version", (versionFile) => {
    const fromAslValidator = createRequire(require.resolve("asl-validator"));
    const { file } = loadStateMachineValidator(EVERY_CHECK, dir);
    const upgraded = (id: string) => (id === versionFile ? { ...(fromAslValidator(id) as object), version: "99.0.0" } : fromAslValidator(id));
    const other = loadStateMachineValidator(EVERY_CHECK, dir, upgraded);
    expect(other.from).toBe("compile");
    expect(other.file).not.toBe(file);
    expect(entries()).toContain(other.file!.slice(other.file!.lastIndexOf("/") + 1));
    expect(loadStateMachineValidator(EVERY_CHECK, dir).from).toBe("cache");
  });

  it("makes another key when a schema changes, and the entry it keeps holds the Assign correction", () => {
    const fromAslValidator = createRequire(require.resolve("asl-validator"));
    const { file } = loadStateMachineValidator(EVERY_CHECK, dir);
    const edited = (id: string) => (id === "./schemas/paths.json" ? { ...(fromAslValidator(id) as object), $comment: "edited" } : fromAslValidator(id));
    const other = loadStateMachineValidator(EVERY_CHECK, dir, edited);
    expect(other.from).toBe("compile");
    expect(other.file).not.toBe(file);
    const cached = loadStateMachineValidator(EVERY_CHECK, dir);
    expect(cached.from).toBe("cache");
    expect(schemaErrorsOf(cached.validate, asValidatorPassesIt(machine({ Keep: { Type: "Pass", Assign: { list: [null, "{% x %}"] }, End: true } })))).toEqual([]);
  });

  it("compiles every time, and writes nothing, without a disk cache", () => {
    const compiles = schemaCheckStats.compiles;
    expect(loadStateMachineValidator(EVERY_CHECK, undefined)).toMatchObject({ from: "compile", file: undefined });
    expect(loadStateMachineValidator(EVERY_CHECK, undefined).from).toBe("compile");
    expect(schemaCheckStats.compiles).toBe(compiles + 2);
  });
});
