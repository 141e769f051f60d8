/**
 * dynalite throws on a JSON `null` where a list member or a map entry belongs: an item `{"pk": null}`, a key
 * `{"sk": null}`, `{"L": [null]}`, `{"SS": ["a", null]}`, a `null` in ExpressionAttributeValues, KeyConditions,
 * AttributeUpdates or BatchGetItem's Keys. Some of those throw in its validation (`Object.keys(null)` in
 * validateAttributeValue), which its request handler rethrows in an `end` listener: uncaught, it stopped the whole
 * `npm start` process. Others pass validation and throw in the action (UpdateItem's `ADD s :v` with
 * `{"SS": ["a", null]}`: `valSize` in db.itemSize), inside a LevelDB callback and inside the item's lock — the process
 * stopped, and kept alive the next write to that item would have waited for the lock forever.
 *
 * So no request carrying such a null reaches dynalite's validation or its actions: right after dynalite's
 * `checkTypes` (which returns a null as it finds it and drops a null structure member, as an absent one — so every
 * null left is a list member or map entry, where dynalite's code reads an object), the request is walked and the first
 * null is answered 400 ValidationException naming its path. DynamoDB's own answer to a null is not documented (to an
 * attribute value with no type it is "Supplied AttributeValue is empty, must contain exactly one of the supported
 * datatypes", aws/aws-sdk-js#381), so the message says it is the local runtime's.
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
/* eslint-enable @typescript-eslint/no-require-imports */

const loggers = new Set<(message: string) => void>();

/**
 * Where the first null in `value` (a request as `checkTypes` returned it) is, innermost step first; undefined when it
 * has none. Every request is walked, so the path is built only for a null found.
 */
function nullSteps(value: unknown): Array<string | number> | undefined {
  if (value === null) return [];
  if (typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const steps = nullSteps(value[i]);
      if (steps) {
        steps.push(i);
        return steps;
      }
    }
    return undefined;
  }
  for (const key in value) {
    const steps = nullSteps((value as Record<string, unknown>)[key]);
    if (steps) {
      steps.push(key);
      return steps;
    }
  }
  return undefined;
}

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

/** dynalite's own answers carry their status and pass; anything else thrown is this runtime's fault. */
function guarded(check: Check, after?: (result: unknown) => void): Check {
  return (...args) => {
    try {
      const result = check(...args);
      after?.(result);
      return result;
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
    validations.checkTypes = guarded(validations.checkTypes, (data) => {
      const steps = nullSteps(data);
      if (steps) throw nullRefusal(pathOf(steps));
    });
    validations.checkValidations = guarded(validations.checkValidations);
    validations.__guarded = true;
  }
  return () => loggers.delete(log);
}
