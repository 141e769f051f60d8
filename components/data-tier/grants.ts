/**
 * Least-privilege IAM statements for a table: exact DynamoDB actions on the table's
 * ARN and its indexes (`${arn}/index/*`), or on its stream. Never `dynamodb:*`, never `*`.
 */
import * as pulumi from "@pulumi/pulumi";
import { argFailer, type ArgFailure } from "../errors";
import { grantStatement, statementSid, type PolicyStatement } from "../iam";

export const READ_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DescribeTable",
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
] as const;

export const WRITE_ACTIONS = [
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DeleteItem",
  "dynamodb:DescribeTable",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
] as const;

/** What Lambda's event source mapping needs to poll a stream (the function's role holds it). */
export const STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"] as const;

export type ReadAction = (typeof READ_ACTIONS)[number];
export type WriteAction = (typeof WRITE_ACTIONS)[number];

export interface TableGrants {
  /** Get, batch-get, query and scan the table and its indexes; `only` narrows to some of those actions. */
  read(only?: ReadAction[]): PolicyStatement[];
  /** Put, update, delete and batch-write items (writes never target indexes); `only` narrows to some of those actions. */
  write(only?: WriteAction[]): PolicyStatement[];
  /** `read()` and `write()` together. */
  readWrite(): PolicyStatement[];
  /** Read the table's stream, as an event source mapping's function role must. */
  stream(): PolicyStatement[];
}

/** Whom a refused `only` is reported as: the DataTier's failer and the grants' argument path (`tables.gallery.grants`). */
export interface GrantsOwner {
  fail: ArgFailure;
  argument: string;
}

/**
 * `sidPrefix` names the statements, e.g. `GalleryRead`; a role may hold grants for several tables. `owner` names the
 * DataTier and the table a refusal is about (DataTier passes its own); by default the DataTier `sidPrefix`'s `grants`.
 */
export function tableGrants(sidPrefix: string, arn: pulumi.Input<string>, owner: GrantsOwner = { fail: argFailer("DataTier", sidPrefix), argument: "grants" }): TableGrants {
  const sid = statementSid(sidPrefix);
  const tableAndIndexes = [arn, pulumi.interpolate`${arn}/index/*`];
  const read = (only?: ReadAction[]): PolicyStatement[] => [grantStatement({ sid: `${sid}Read`, actions: narrow(owner, "read", READ_ACTIONS, only), resources: tableAndIndexes })];
  const write = (only?: WriteAction[]): PolicyStatement[] => [grantStatement({ sid: `${sid}Write`, actions: narrow(owner, "write", WRITE_ACTIONS, only), resources: [arn] })];
  return {
    read,
    write,
    readWrite: () => [...read(), ...write()],
    stream: () => [
      grantStatement({
        sid: `${sid}Stream`,
        actions: [...STREAM_ACTIONS],
        // The table's streams (`${arn}/stream/<label>`): survives the label changing when the stream is re-enabled.
        resources: [pulumi.interpolate`${arn}/stream/*`],
      }),
    ],
  };
}

/** `all`, or the actions of it `only` names (in `all`'s order); refused when `only` is empty or names another action. */
function narrow<T extends string>({ fail, argument }: GrantsOwner, grant: "read" | "write", all: readonly T[], only: T[] | undefined): string[] {
  if (only === undefined) return [...all];
  const others = only.filter((action) => !all.includes(action));
  if (others.length > 0 || only.length === 0) {
    const problem = only.length === 0 ? "names no action" : `names ${others.join(", ")}, not an action of ${grant}()`;
    const other = grant === "read" ? "write" : "read";
    fail(`${argument}.${grant}(only)`, only, problem, `Name one or more of ${all.join(", ")} (or leave only out for all of them); grant ${other} actions with ${other}(only).`);
  }
  return all.filter((action) => only.includes(action));
}
