/**
 * IAM for the program's functions' DynamoDB requests (local/function-roles.ts): the actions and resources a request is
 * authorised as, and DynamoDB's answer when the signer's role refuses one — so a function missing a grant
 * (`DataTier` tables' `grants.read/write`, `idempotencyGrants()`) fails under `npm start` as it fails in AWS.
 *
 * Actions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html): the
 * operation's own name on the table's ARN; Query and Scan with an IndexName on the index's ARN
 * (`table/<name>/index/<index>`); BatchGetItem and BatchWriteItem on every table they name; TransactWriteItems and
 * TransactGetItems as their items' PutItem, UpdateItem, DeleteItem, ConditionCheckItem and GetItem ("the
 * TransactWriteItems API ... requires permissions for the individual actions": TRANSACTION_ITEM_ACTIONS); PartiQL as
 * each statement's PartiQL action (partiqlPermissions); a table named by its ARN, or in TableArn
 * (ExportTableToPointInTime), is that ARN. Requests that name no table (ListTables) are not checked. ARNs are in the region the request is signed for, in the program's
 * account, as the role's policies name them (RegionalApis rewrites each region's to its replica).
 */
import { TRANSACTION_ITEM_ACTIONS } from "../../components/iam-match";
import type { Authorise } from "../function-roles";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { authorizationFields, parseCredential } from "../sigv4-verify";

interface Permission {
  action: string;
  resource: string;
}

/** The operations that run PartiQL statements, each authorised as its statements' actions (partiqlPermissions). */
export const PARTIQL_OPERATIONS: ReadonlySet<string> = new Set(["ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"]);

/** What `operation` with `input`, signed for `region`, is authorised as. */
export function dynamoPermissions(operation: string, input: Record<string, unknown>, region: string): Permission[] {
  // A table may be named by its ARN too (TableName, RequestItems keys), and ExportTableToPointInTime names it in TableArn.
  const table = (name: unknown) => (String(name).startsWith("arn:") ? String(name) : `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT_ID}:table/${String(name)}`);
  const partiql = partiqlPermissions(operation, input, table);
  if (partiql) return partiql;
  if (operation === "BatchGetItem" || operation === "BatchWriteItem") {
    return Object.keys((input.RequestItems as object | undefined) ?? {}).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
  }
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    const items = Array.isArray(input.TransactItems) ? (input.TransactItems as Array<Record<string, { TableName?: unknown }>>) : [];
    return items.flatMap((item) =>
      Object.entries(item ?? {})
        .filter(([kind, part]) => TRANSACTION_ITEM_ACTIONS[kind] && part?.TableName !== undefined)
        .map(([kind, part]) => ({ action: TRANSACTION_ITEM_ACTIONS[kind], resource: table(part.TableName) })),
    );
  }
  if (typeof input.TableArn === "string") return [{ action: `dynamodb:${operation}`, resource: input.TableArn }];
  if (typeof input.TableName !== "string") return [];
  const index = (operation === "Query" || operation === "Scan") && typeof input.IndexName === "string" ? `/index/${input.IndexName}` : "";
  return [{ action: `dynamodb:${operation}`, resource: `${table(input.TableName)}${index}` }];
}

const PARTIQL_VERBS: Record<string, string> = { SELECT: "PartiQLSelect", EXISTS: "PartiQLSelect", INSERT: "PartiQLInsert", UPDATE: "PartiQLUpdate", DELETE: "PartiQLDelete" };
/** A table as a statement names it: `"quoted"` (`""` an escaped quote) or bare, then `."index"`. */
const PARTIQL_NAME = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z0-9_.-]+))(?:\s*\.\s*"((?:[^"]|"")+)")?`;
const PARTIQL_TABLE: Record<string, RegExp> = {
  PartiQLSelect: new RegExp(String.raw`\bFROM\s+${PARTIQL_NAME}`, "i"),
  PartiQLInsert: new RegExp(String.raw`^\s*INSERT\s+INTO\s+${PARTIQL_NAME}`, "i"),
  PartiQLUpdate: new RegExp(String.raw`^\s*UPDATE\s+${PARTIQL_NAME}`, "i"),
  PartiQLDelete: new RegExp(String.raw`^\s*DELETE\s+FROM\s+${PARTIQL_NAME}`, "i"),
};

/**
 * The IAM actions of PartiQL statements (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction): there is no
 * dynamodb:ExecuteStatement; each statement is dynamodb:PartiQLSelect/Insert/Update/Delete "on the table or index"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html). The table is read from the statement
 * (`SELECT … FROM "t"."index"`, `INSERT INTO t`, `UPDATE t`, `DELETE FROM t`, `EXISTS(SELECT …)` as a select); a
 * statement whose verb is none of these asks nothing (DynamoDB refuses it as malformed), and one whose table cannot be
 * read (an unquoted name with a dot) is checked on `*`. Undefined for any other operation
 * (PARTIQL_OPERATIONS).
 */
function partiqlPermissions(operation: string, input: Record<string, unknown>, tableArn: (name: string) => string): Permission[] | undefined {
  if (!PARTIQL_OPERATIONS.has(operation)) return undefined;
  // ExecuteStatement names one Statement; the others a list of entries that each hold one.
  const entries = operation === "ExecuteStatement" ? [input] : operation === "BatchExecuteStatement" ? input.Statements : input.TransactStatements;
  const statements = Array.isArray(entries) ? entries.map((entry) => (entry as { Statement?: unknown } | null)?.Statement) : [];
  return statements.flatMap((statement) => {
    if (typeof statement !== "string") return [];
    const action = PARTIQL_VERBS[/^\s*([A-Za-z]+)/.exec(statement)?.[1]?.toUpperCase() ?? ""];
    if (!action) return [];
    const match = PARTIQL_TABLE[action].exec(statement);
    const table = match?.[1]?.replace(/""/g, '"') ?? (match?.[2] && !match[2].includes(".") ? match[2] : undefined);
    const index = match?.[3]?.replace(/""/g, '"');
    return [{ action: `dynamodb:${action}`, resource: table ? `${tableArn(table)}${index ? `/index/${index}` : ""}` : "*" }];
  });
}

/** The signer's access key and the region its credential scope names, from a SigV4 Authorization header (not verified: dynalite checks no signature). */
export function signer(authorization: string | undefined): { accessKeyId: string; region: string } | undefined {
  const credential = authorization ? authorizationFields(authorization)?.Credential : undefined;
  const claim = credential ? parseCredential(credential) : undefined;
  return claim && { accessKeyId: claim.accessKeyId, region: claim.scope.region };
}

/**
 * DynamoDB's answer to a request the signer's role refuses, or undefined when every permission it needs is allowed:
 * 400 AccessDeniedException, "User: <caller> is not authorized to perform: dynamodb:PutItem on resource: <arn>
 * because no identity-based policy allows the dynamodb:PutItem action" (the wording IAM's refusals share; the resource
 * unquoted as SQS writes it — DynamoDB's exact wording is not confirmed here).
 */
export function dynamoRefusal(authorise: Authorise, accessKeyId: string, permissions: readonly Permission[]): { status: number; body: string } | undefined {
  for (const { action, resource } of permissions) {
    const refused = authorise(accessKeyId, action, resource);
    if (!refused) continue;
    const message = `User: ${refused.caller} is not authorized to perform: ${action} on resource: ${resource} ${refused.reason}`;
    // The shape DynamoDB answers IAM refusals in: coral's type and a capitalised Message (review 35d F3).
    return { status: 400, body: JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", Message: message }) };
  }
  return undefined;
}
