/**
 * ReturnValuesOnConditionCheckFailure on PutItem, UpdateItem and DeleteItem, which dynalite 4 predates (DynamoDB added
 * it in 2023). "An optional parameter that returns the item attributes for a DeleteItem operation that failed a
 * condition check" (the same for PutItem and UpdateItem), valid values `ALL_OLD` and `NONE` (the API reference's
 * request members, as the SDKs' docs repeat them: https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/dynamodb/aws.sdk.kotlin.services.dynamodb.model/-delete-item-request/return-values-on-condition-check-failure.html);
 * the item comes back as ConditionalCheckFailedException's `Item` member ("The item which caused the condition check
 * to fail. This will be set if ReturnValuesOnConditionCheckFailure is specified as ALL_OLD"), which the SDK reads off
 * the error body (`error.Item` in @aws-sdk/client-dynamodb).
 *
 * dynalite's `checkTypes` dropped the member as one it does not know: a failed condition came back without `Item`, and
 * any value was taken. So the member is added to those actions' type descriptions (an enum, refused in dynalite's
 * validation wording: "Member must satisfy enum value set: [ALL_OLD, NONE]"; AWS's order of the two is not
 * confirmed), and the failure `checkConditional` returns carries the item as it was, when there was one (with no
 * item there is nothing to return). BatchWriteItem takes no condition. A transaction's actions are validated with these
 * type descriptions and checked with `checkConditional` too (./transactions.ts): the item goes into the action's
 * CancellationReason.
 *
 * dynalite's actions call `checkConditional` on its `dynalite/db` module object, and its request handler reads each
 * action's `types` object at each request, so changing those is enough; once per process.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships no typings. */
interface ConditionFailure extends Error {
  body?: Record<string, unknown>;
}
const dynaliteDb = require("dynalite/db") as {
  checkConditional(data: { ReturnValuesOnConditionCheckFailure?: string }, existing: object | undefined): ConditionFailure | null | undefined;
  __patchedConditionFailures?: true;
};
const WRITES = ["putItem", "updateItem", "deleteItem"].map((action) => require(`dynalite/validations/${action}`) as { types: Record<string, unknown> });
/* eslint-enable @typescript-eslint/no-require-imports */

export function patchDynaliteConditionFailures(): void {
  if (dynaliteDb.__patchedConditionFailures) return;
  for (const { types } of WRITES) types.ReturnValuesOnConditionCheckFailure = { type: "String", enum: ["ALL_OLD", "NONE"] };
  const checkConditional = dynaliteDb.checkConditional;
  dynaliteDb.checkConditional = (data, existing) => {
    const failure = checkConditional(data, existing);
    if (failure?.body && existing && data.ReturnValuesOnConditionCheckFailure === "ALL_OLD") failure.body.Item = existing;
    return failure;
  };
  dynaliteDb.__patchedConditionFailures = true;
}
