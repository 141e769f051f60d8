import { describe, expect, it } from "vitest";
import { READ_ACTIONS, STREAM_ACTIONS, WRITE_ACTIONS, tableGrants } from "../../components/data-tier/grants";
import { argFailer } from "../../components/errors";
import { assertLeastPrivilege, policyJson, type PolicyStatement } from "../../components/iam";
import { LambdaFunction } from "../../components/lambda/function";
import { resolveValue } from "../../local/offline/program";
import { IAM5 } from "../../testing/security-rules/iam";
import { policyDocument, record, resource } from "../harness/mocks";

const arn = "arn:aws:dynamodb:us-east-1:123456789012:table/gallery";
const grants = tableGrants("gallery", arn);
const render = async (statements: PolicyStatement[]) => policyDocument(await resolveValue(policyJson(statements))).Statement;

describe("DataTier grant helpers", () => {
  it("read: exact read actions on the table and its indexes only", async () => {
    expect(await render(grants.read())).toEqual([
      {
        Sid: "galleryRead",
        Effect: "Allow",
        Action: ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
        Resource: [arn, `${arn}/index/*`],
      },
    ]);
  });

  it("write: exact write actions on the table only (writes never target an index)", async () => {
    expect(await render(grants.write())).toEqual([
      {
        Sid: "galleryWrite",
        Effect: "Allow",
        Action: ["dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: [arn],
      },
    ]);
  });

  it("readWrite is read plus write; stream is the stream-poll actions on this table's streams", async () => {
    expect(await render(grants.readWrite())).toEqual([...(await render(grants.read())), ...(await render(grants.write()))]);
    expect(await render(grants.stream())).toEqual([
      { Sid: "galleryStream", Effect: "Allow", Action: [...STREAM_ACTIONS], Resource: [`${arn}/stream/*`] },
    ]);
  });

  it("narrows to the actions a function uses, and only to actions of that grant", async () => {
    expect(await render(grants.write(["dynamodb:UpdateItem"]))).toEqual([{ Sid: "galleryWrite", Effect: "Allow", Action: ["dynamodb:UpdateItem"], Resource: [arn] }]);
    expect((await render(grants.read(["dynamodb:Query", "dynamodb:GetItem"])))[0].Action).toEqual(["dynamodb:GetItem", "dynamodb:Query"]);
    expect(() => grants.write(["dynamodb:GetItem" as never])).toThrow(/must be a non-empty subset of dynamodb:BatchWriteItem/);
    expect(() => grants.read([])).toThrow(/non-empty subset/);
  });

  it("never grants a wildcard action, a wildcard resource, administrative or control-plane actions", async () => {
    const all = [...grants.read(), ...grants.write(), ...grants.readWrite(), ...grants.stream()];
    // Each set as a function's permissions.
    for (const set of [grants.read(), grants.write(), grants.readWrite(), grants.stream()]) expect(() => assertLeastPrivilege(argFailer("Test", "t"), "permissions", set)).not.toThrow();
    for (const statement of await render(all)) {
      for (const action of statement.Action) expect(action).toMatch(/^dynamodb:[A-Z][A-Za-z]+$/);
      for (const resourceArn of statement.Resource) {
        expect(resourceArn).not.toBe("*");
        expect(resourceArn.startsWith(arn)).toBe(true);
      }
    }
    const everything = new Set<string>([...READ_ACTIONS, ...WRITE_ACTIONS, ...STREAM_ACTIONS]);
    for (const forbidden of ["dynamodb:DeleteTable", "dynamodb:UpdateTable", "dynamodb:CreateTable", "dynamodb:ExportTableToPointInTime", "dynamodb:RestoreTableFromBackup", "dynamodb:PartiQLSelect"]) {
      expect(everything.has(forbidden)).toBe(false);
    }
    expect(READ_ACTIONS.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  it("passes IAM5 when a function's role is built from them", async () => {
    const graph = await record(() => new LambdaFunction("granted", { entry: "tests/fixtures/handlers/echo.ts", permissions: [...grants.readWrite(), ...grants.stream()] }));
    expect(IAM5.check(graph, { stack: "dev", production: false })).toEqual([]);
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "granted-policy").inputs.policy).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(["galleryRead", "galleryWrite", "galleryStream", "WriteOwnLogs", "WriteTraces"]);
  });
});
