/**
 * Two guards on every request, made in one walk of it (`scan`), and a guard on dynalite's request validation.
 *
 * Nulls. dynalite throws on a JSON `null` where a list member or a map entry belongs: an item `{"pk": null}`, a key
 * `{"sk": null}`, `{"L": [null]}`, `{"SS": ["a", null]}`, a `null` in ExpressionAttributeValues, KeyConditions,
 * AttributeUpdates or BatchGetItem's Keys. Some of those throw in its validation (`Object.keys(null)` in
 * validateAttributeValue), which its request handler rethrows in an `end` listener: uncaught, it stopped the whole
 * `npm start` process. Others pass validation and throw in the action (UpdateItem's `ADD s :v` with
 * `{"SS": ["a", null]}`: `valSize` in db.itemSize), inside a LevelDB callback and inside the item's lock — the process
 * stopped, and kept alive the next write to that item would have waited for the lock forever. So the first null
 * where dynalite's `checkTypes` keeps one (it drops a null structure member, as an absent one, and members it does not
 * know; it keeps a null list member or map entry, where dynalite's code then reads an object) is answered 400
 * ValidationException naming its path, once `checkTypes` has passed the request (its type errors come first, as
 * before). DynamoDB's own answer to a null is not documented (to an attribute value with no type it is "Supplied
 * AttributeValue is empty, must contain exactly one of the supported datatypes", aws/aws-sdk-js#381), so the message
 * says it is the local runtime's.
 *
 * Nesting. "DynamoDB supports nested attributes up to 32 levels deep" (developer guide, "Constraints in Amazon
 * DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html, "Nested attribute
 * depth"). dynalite has no such limit, and its `checkTypes` recurses through an attribute value's L and M: from about
 * 1,000 levels it overflowed the stack, answered 500. The levels count the top-level attribute value as 1, and a
 * value at level 33 — a scalar under 32 maps or lists — is refused, wherever an attribute value is: an item, a key,
 * ExpressionAttributeValues (whether a condition or a SET uses it), Expected, AttributeUpdates, KeyConditions,
 * QueryFilter/ScanFilter, ExclusiveStartKey. The boundary and the wording are as a public conformance suite captured
 * them against DynamoDB (paritysuite/dynamodb-conformance, tests/tier3/limits/nestingDepth.test.ts and
 * tests/tier3/validation-ordering/deepRequests.test.ts, us-east-1 and eu-west-2, 2026-10; nubo-db/dynoxide,
 * src/validation.rs, "accepts 31 map-wraps, rejects 32"): "Nesting Levels have exceeded supported limits: Attributes
 * in the item have nested levels beyond supported limit", inside the validation envelope ("1 validation error
 * detected: …") on PutItem, UpdateItem and DeleteItem, bare on BatchWriteItem, GetItem, BatchGetItem, Query and Scan
 * (DeleteItem's expression values and a Query's or Scan's are not among the captures: enveloped and bare here as the
 * rest of their operation). A TransactWriteItems action is checked as the PutItem, UpdateItem or DeleteItem it is
 * (./transactions.ts validates it with their type descriptions), a TransactGetItems Get as GetItem: their wording in a
 * transaction is not among the captures.
 * Not reproduced: the other forms DynamoDB answers past about 62 levels (PutItem bare, an expression value "… for key
 * :v"), a Scan's ExclusiveStartKey (its "starting key" prefix), and the regions that do not check an UpdateItem
 * condition's values (those evaluate the condition): locally they are refused, as most regions refuse them.
 * This walk runs before `checkTypes`, and neither `checkTypes` nor dynalite's other checks meet a value deeper than the
 * limit (from about 1,000 levels their recursion overflowed); it follows the action's own type description (the
 * `types` dynalite hands `checkTypes`), so it knows where attribute values are and looks at nothing dynalite drops.
 * What is reported first: the same suite's captures (deepRequests.test.ts) have PutItem and UpdateItem report an
 * unknown ConditionalOperator ahead of an Expected value 33 or 40 levels deep (and past about 62 levels, where DynamoDB
 * words it as dynalite does, "[OR, AND]"), and an unknown DeleteItem ReturnValues ahead of the depth; so dynalite's
 * type errors (SerializationException: a body not of the operation's shape cannot be read further; not among the
 * captures) and its checks of the request's members (required, enum, length) come first, then the depth, then the rest
 * of its checks (the item's contents, expressions, keys). Not reproduced: the newer enum wording DynamoDB uses at 33 and
 * 40 levels (not given in the suite), and past 62 levels the other errors it reports ahead of the depth (DeleteItem's
 * "ReturnValues can only be ALL_OLD or NONE" ahead of a condition value 100 levels deep): locally the depth. An UpdateItem whose result nests too deep (`SET a.b = :v`, :v 31 levels) is
 * refused where the result is known: `refuseDeepItem`, called from ./dynalite-keys.ts.
 *
 * Anything else `checkTypes` or `checkValidations` throws that is not one of dynalite's answers (those carry a
 * status) is a fault of this runtime's — dynalite's validation code, or this project's own checks it runs
 * (./dynalite-keys.ts) — not of the request: it is answered as DynamoDB answers its internal errors, 500
 * InternalServerError (botocore's DynamoDB exceptions: "An error occurred on the server side"; message "Internal
 * server error", aws/aws-sdk-js#3891), which the SDK retries, and logged with its stack.
 *
 * dynalite calls `checkTypes` and `checkValidations` on its `dynalite/validations` module object at each request,
 * so wrapping those exports is enough; once per process. The logs of every running local DynamoDB get the fault.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships no typings. */
type Check = (...args: unknown[]) => unknown;
const validations = require("dynalite/validations") as { checkTypes: Check; checkValidations: Check; __guarded?: true };
const dynaliteDb = require("dynalite/db") as { validationError(message: string): Error };
/** The actions whose nesting refusal DynamoDB wraps in its validation envelope. */
const ENVELOPED = new Set<unknown>(["putItem", "updateItem", "deleteItem"].map((action) => (require(`dynalite/validations/${action}`) as { types: unknown }).types));
/* eslint-enable @typescript-eslint/no-require-imports */

/** Levels of nesting DynamoDB allows an attribute value, the top-level value being level 1. */
const MAX_NESTING_LEVELS = 32;
const NESTING_REFUSAL = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

const loggers = new Set<(message: string) => void>();

/**
 * Where a request's values are, from the action's type description as `checkTypes` reads it: a structure's members
 * (in the description's order, as `checkTypes` returns them), a map's entries, a list's members, or an attribute value.
 * Members that hold only scalars are left out: nothing in them to walk.
 */
type Plan =
  | { kind: "struct"; names: string[]; members: Plan[] }
  | { kind: "map" | "list"; child: Plan }
  | { kind: "value" }
  | { kind: "scalar" };
type TypeSpec = string | { type: string; children?: TypeSpec | Record<string, TypeSpec> };

const SCALAR: Plan = { kind: "scalar" };
const VALUE: Plan = { kind: "value" };
const plans = new WeakMap<object, { plan: Plan; refusal: string }>();

function planOf(spec: TypeSpec): Plan {
  let children = typeof spec === "string" ? undefined : spec.children;
  if (typeof children === "string") children = { type: children };
  const type = (typeof spec === "string" ? spec : spec.type).replace(/<.+>$/, "");
  switch (type) {
    case "AttrStruct":
      return VALUE;
    case "List":
    case "ParameterizedList":
    case "Map":
    case "ParameterizedMap":
      return { kind: type.endsWith("List") ? "list" : "map", child: children ? planOf(children as TypeSpec) : SCALAR };
    case "ValueStruct":
    case "FieldStruct":
      return structPlan((children ?? {}) as Record<string, TypeSpec>);
    default:
      return SCALAR;
  }
}

function structPlan(types: Record<string, TypeSpec>): Plan {
  const names: string[] = [];
  const members: Plan[] = [];
  for (const name of Object.keys(types)) {
    const plan = planOf(types[name]);
    if (plan.kind === "scalar") continue;
    names.push(name);
    members.push(plan);
  }
  return { kind: "struct", names, members };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Where a null is, innermost step first. */
type Steps = Array<string | number>;

/**
 * Where the walk met values past the limit: each a map or list and the key or index of its member at level 33. The walk
 * goes no deeper there. Filled by one `screen` (synchronous), emptied by the next.
 */
const tooDeep: Array<[Record<string | number, unknown>, string | number]> = [];

/**
 * Walks `value` as `plan` describes it, `level` being the attribute value level it is at (0 outside any). Notes each
 * value past the limit in `tooDeep` (not descending into it); returns where the first null dynalite would keep is,
 * innermost step first (undefined when there is none). Anything not shaped as described is left to `checkTypes` (it
 * refuses it). The path is built only for a null found.
 */
function scan(value: unknown, plan: Plan, level: number): Steps | undefined {
  let found: Steps | undefined;
  switch (plan.kind) {
    case "struct": {
      if (!isRecord(value)) return undefined;
      const { names, members } = plan;
      for (let i = 0; i < names.length; i++) {
        const child = value[names[i]];
        // A null member is dropped by checkTypes, as an absent one.
        if (child == null) continue;
        const steps = scan(child, members[i], level);
        if (steps && !found) found = [...steps, names[i]];
      }
      return found;
    }
    case "map": {
      if (!isRecord(value)) return undefined;
      for (const key in value) {
        const child = value[key];
        const steps = child === null ? [] : scan(child, plan.child, level);
        if (steps && !found) found = [...steps, key];
      }
      return found;
    }
    case "list": {
      if (!Array.isArray(value)) return undefined;
      for (let i = 0; i < value.length; i++) {
        const child = value[i];
        const steps = child === null ? [] : scan(child, plan.child, level);
        if (steps && !found) found = [...steps, i];
      }
      return found;
    }
    case "value":
      return scanValue(value, level + 1);
    default:
      return undefined;
  }
}

/**
 * An attribute value at `level`: its sets' members (nulls), its list's and map's values a level down. Its members are
 * read as they come (one, in a valid value); of nulls in two of them, the one checkTypes returns first is reported.
 */
function scanValue(value: unknown, level: number): Steps | undefined {
  if (!isRecord(value)) return undefined;
  let found: Steps | undefined;
  let foundRank = Infinity;
  for (const type in value) {
    const member = value[type];
    let steps: Steps | undefined;
    if (type === "M") {
      if (isRecord(member)) {
        for (const key in member) {
          const inner = member[key] === null ? [] : level < MAX_NESTING_LEVELS ? scanValue(member[key], level + 1) : void tooDeep.push([member, key]);
          if (inner && !steps) steps = [...inner, key];
        }
      }
    } else if (type === "L") {
      if (Array.isArray(member)) {
        for (let i = 0; i < member.length; i++) {
          const inner = member[i] === null ? [] : level < MAX_NESTING_LEVELS ? scanValue(member[i], level + 1) : void tooDeep.push([member as unknown as Record<number, unknown>, i]);
          if (inner && !steps) steps = [...inner, i];
        }
      }
    } else if (type === "SS" || type === "NS" || type === "BS") {
      const at = Array.isArray(member) ? member.indexOf(null) : -1;
      if (at !== -1) steps = [at];
    }
    if (steps && CHECKED_ORDER[type] < foundRank) {
      found = [...steps, type];
      foundRank = CHECKED_ORDER[type];
    }
  }
  return found;
}
/** The order checkTypes returns an attribute value's members in (the others hold no null). */
const CHECKED_ORDER: Record<string, number> = { BS: 0, NS: 1, SS: 2, L: 3, M: 4 };

function pathOf(steps: Array<string | number>): string {
  let path = "";
  for (const step of steps.reverse()) {
    if (typeof step === "number") path += `[${step}]`;
    else path += /^[A-Za-z_][\w-]*$/.test(step) ? `${path ? "." : ""}${step}` : `[${JSON.stringify(step)}]`;
  }
  return path;
}

function nullRefusal(path: string): Error {
  return dynaliteDb.validationError(
    `The local DynamoDB refuses this request: ${path} is null. An attribute value is an object with one type, e.g. {"S": "…"} or {"NULL": true}; a key, condition or list member cannot be null (this message is the local runtime's: DynamoDB's answer to a null is not documented).`,
  );
}

function internalError(error: unknown): Error {
  const stack = (error as Error)?.stack ?? String(error);
  for (const log of loggers) log(`local DynamoDB: internal error answering a request (500 InternalServerError): ${stack}`);
  return Object.assign(new Error("Internal server error"), {
    statusCode: 500,
    body: { __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "Internal server error (the local DynamoDB's: see its log)" },
  });
}

function planFor(types: Record<string, TypeSpec>): { plan: Plan; refusal: string } {
  let entry = plans.get(types);
  if (!entry) {
    entry = { plan: structPlan(types), refusal: ENVELOPED.has(types) ? `1 validation error detected: ${NESTING_REFUSAL}` : NESTING_REFUSAL };
    plans.set(types, entry);
  }
  return entry;
}

/**
 * The request's first null dynalite would keep (innermost step first), or undefined; the values nested too deep are in
 * `tooDeep` after it. `types` is the action's type description dynalite hands `checkTypes`.
 */
function screen(data: unknown, types: Record<string, TypeSpec>): Steps | undefined {
  tooDeep.length = 0;
  return scan(data, planFor(types).plan, 0);
}

/**
 * The refusal of a request `screen` found values too deep in, once the errors DynamoDB reports ahead of it are thrown:
 * dynalite's type errors (SerializationException), then its checks of the request's members (required, enum, length:
 * "1 validation error detected: Value 'XOR' at 'conditionalOperator' …"). Those are run on the request with each value
 * past the limit stood in for by `{}`, so neither recursion meets one; what they would find inside those values is not
 * reported (DynamoDB's order there is not recorded).
 */
function depthRefusal(data: unknown, types: Record<string, TypeSpec>, checkTypes: Check, checkValidations: Check): Error {
  const cut = tooDeep.splice(0);
  const values = cut.map(([parent, key]) => parent[key]);
  try {
    for (const [parent, key] of cut) parent[key] = {};
    checkValidations(checkTypes(data, types), types);
  } finally {
    cut.forEach(([parent, key], i) => (parent[key] = values[i]));
  }
  return dynaliteDb.validationError(planFor(types).refusal);
}

/** An UpdateItem request as dynalite has validated it: its parsed UpdateExpression, or its AttributeUpdates. */
export interface ValidatedUpdate {
  _updates?: { sections: Array<{ type: string; path: Array<string | number> }> };
}

/**
 * The top-level attributes an update can leave nested deeper than its values were: those a SET or ADD writes below
 * (`SET a.b = :v`, `SET a[3] = :v`, `ADD a.b :n`). Everything else it writes is a value screened as a top-level one, a
 * path's value moved up, or a list_append/if_not_exists of those, as deep as they were at most; the rest of the item
 * was screened when it was written. (An item stored before this runtime checked depth is not walked again.)
 */
export function deepenedAttributes(update: ValidatedUpdate): string[] {
  const names: string[] = [];
  for (const { type, path } of update._updates?.sections ?? []) {
    if ((type === "set" || type === "add") && path.length > 1 && !names.includes(String(path[0]))) names.push(String(path[0]));
  }
  return names;
}

/**
 * DynamoDB's refusal of an item UpdateItem leaves nested deeper than it allows (`SET a.b = :v`, :v 31 levels: each
 * value passed, their sum does not), or undefined; `names` are the attributes to walk (./dynalite-keys.ts passes
 * `deepenedAttributes`), all when not given. The enveloped wording, as UpdateItem's other nesting refusals: what
 * DynamoDB answers for a result that only its update makes too deep is not recorded.
 */
export function refuseDeepItem(item: Record<string, unknown>, names?: string[]): Error | undefined {
  tooDeep.length = 0;
  if (names) for (const name of names) scanValue(item[name], 1);
  else for (const name in item) scanValue(item[name], 1);
  if (tooDeep.length === 0) return undefined;
  tooDeep.length = 0;
  return dynaliteDb.validationError(`1 validation error detected: ${NESTING_REFUSAL}`);
}

/** dynalite's own answers carry their status and pass; anything else thrown is this runtime's fault. */
function guarded(check: Check): Check {
  return (...args) => {
    try {
      return check(...args);
    } catch (error) {
      if ((error as { statusCode?: unknown })?.statusCode !== undefined) throw error;
      throw internalError(error);
    }
  };
}

/** Guards dynalite's request validation (once per process); `log` gets its internal errors until the returned function is called. */
export function guardDynaliteValidations(log: (message: string) => void): () => void {
  loggers.add(log);
  if (!validations.__guarded) {
    const { checkTypes, checkValidations } = validations;
    // One walk before checkTypes (its recursion never meets a value too deep); a null it found is refused once
    // checkTypes has passed the request.
    validations.checkTypes = guarded((data, types) => {
      const nullAt = screen(data, types as Record<string, TypeSpec>);
      if (tooDeep.length > 0) throw depthRefusal(data, types as Record<string, TypeSpec>, checkTypes, checkValidations);
      const result = checkTypes(data, types);
      if (nullAt) throw nullRefusal(pathOf(nullAt));
      return result;
    });
    validations.checkValidations = guarded(validations.checkValidations);
    validations.__guarded = true;
  }
  return () => loggers.delete(log);
}
