/**
 * A table named by its ARN. DynamoDB takes a table's ARN wherever a request names a table in `TableName` ("The name
 * of the table … You can also provide the Amazon Resource Name (ARN) of the table in this parameter": the API
 * reference's TableName of GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, DescribeTable, …, as the SDKs' docs
 * repeat it, e.g. https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/dynamodb/aws.sdk.kotlin.services.dynamodb.model/-scan-request/table-name.html).
 * dynalite 4 predates that: its TableName pattern `[a-zA-Z0-9_.-]+` refused every ARN with a ValidationException.
 *
 * So a request's `TableName` that is a table's ARN (`arn:<partition>:dynamodb:<region>:<account>:table/<name>`, not an
 * index's or a stream's) is read as the name in it, before dynalite's checks: dynalite's request handler calls
 * `checkTypes` on its `dynalite/validations` module object at each request, so wrapping it is enough (once per
 * process). The stream proxy reads the same name (./streams.ts), so a streamed table's write made so is recorded.
 * Not reproduced: the region and account in the ARN are not checked against the request's (one local endpoint serves
 * one region's tables; the role check, ./authorise.ts, reads the ARN as given); a batch's RequestItems keyed by ARN
 * (how DynamoDB keys its Responses and UnprocessedItems then is not confirmed) are still refused as dynalite refuses them.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships no typings. */
type Check = (data: unknown, ...rest: unknown[]) => unknown;
const validations = require("dynalite/validations") as { checkTypes: Check; __tableArns?: true };
/* eslint-enable @typescript-eslint/no-require-imports */

/** A table's ARN, the name in it captured (a table name's own pattern and length: 3–255 of `[a-zA-Z0-9_.-]`). */
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([a-zA-Z0-9_.-]{3,255})$/;

/** The table `name` names: the name in a table's ARN, or `name` itself. */
export function tableNamed<T>(name: T): T | string {
  const match = typeof name === "string" ? TABLE_ARN.exec(name) : null;
  return match ? match[1] : name;
}

export function patchDynaliteTableArns(): void {
  if (validations.__tableArns) return;
  const checkTypes = validations.checkTypes;
  validations.checkTypes = (data, ...rest) => {
    if (data !== null && typeof data === "object" && "TableName" in data) {
      const request = data as { TableName: unknown };
      request.TableName = tableNamed(request.TableName);
    }
    return checkTypes(data, ...rest);
  };
  validations.__tableArns = true;
}
