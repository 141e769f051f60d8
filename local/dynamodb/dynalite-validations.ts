/**
 * dynalite's request validation throws on JSON `null` where it expects an attribute value or a condition — an item
 * `{"pk": null}`, a key `{"sk": null}`, `{"L": [null]}`, a `null` in ExpressionAttributeValues, KeyConditions or
 * BatchGetItem's Keys (node_modules/dynalite/validations: `Object.keys(null)` in validateAttributeValue and its
 * callers). Its request handler rethrows any error that is not its own answer, in an `end` listener of the request,
 * so the throw was uncaught: it stopped the whole `npm start` process (a hand-written event with a null albumId
 * reaching a Task's Key was enough), and the client's request never got an answer.
 *
 * Here such a throw is answered as a client error: 400 ValidationException naming what the local DynamoDB could not
 * read. DynamoDB's own answer to these requests is not confirmed (for an attribute value with no type it is
 * "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes", aws/aws-sdk-js#381; how
 * its JSON reader takes a `null` is not documented), so the message says it is the local runtime's.
 *
 * dynalite calls `checkTypes` and `checkValidations` on its `dynalite/validations` module object at each request,
 * so wrapping those exports is enough; once per process.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships no typings. */
type Check = (...args: unknown[]) => unknown;
const validations = require("dynalite/validations") as { checkTypes: Check; checkValidations: Check; __guarded?: true };
const dynaliteDb = require("dynalite/db") as { validationError(message: string): Error };
/* eslint-enable @typescript-eslint/no-require-imports */

/** dynalite's own answers carry their status; anything else thrown is its validation code failing on the input. */
function guarded(check: Check): Check {
  return (...args) => {
    try {
      return check(...args);
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode !== undefined) throw error;
      throw dynaliteDb.validationError(
        `The local DynamoDB could not read this request (${(error as Error).message}): something that must be an object — the request, an attribute value, a key, a condition, an ExpressionAttributeValues entry — is null or not an object. Send attribute values as objects with one type, e.g. {"S": "…"} or {"NULL": true}.`,
      );
    }
  };
}

export function guardDynaliteValidations(): void {
  if (validations.__guarded) return;
  validations.checkTypes = guarded(validations.checkTypes);
  validations.checkValidations = guarded(validations.checkValidations);
  validations.__guarded = true;
}
