import { describe, expect, it } from "vitest";
import { READ_ACTIONS, STREAM_ACTIONS, WRITE_ACTIONS, tableGrants } from "../../components/data-tier/grants";
import { argFailer } from "../../components/errors";
import { assertLeastPrivilege, policyJson, type PolicyStatement } from "../../components/iam";
import { LambdaFunction } from "../../components/lambda/function";
import { resolveValue } from "../../local/offline/program";
import { IAM5 } from "../../testing/security-rules/iam";
import { DataTier } from "../../components/data-tier";
import { policyDocument, record, resource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

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
  });

  it("refuses an `only` that names another grant's action, or none: the DataTier, the table's grants call, the value and the fix", async () => {
    const writes = WRITE_ACTIONS.join(", ");
    await record(() => {
      const tier = new DataTier("grantsbad", { tables: { gallery: { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk" } } });
      expect(refusalOf(() => tier.tables.gallery.grants.write(["dynamodb:GetItem" as never]), "write(only) took a read action")).toMatchObject({
        component: "DataTier",
        resourceName: "grantsbad",
        argument: "tables.gallery.grants.write(only)",
        value: ["dynamodb:GetItem"],
        fix: `Name one or more of ${writes} (or leave only out for all of them); grant read actions with read(only).`,
        message: `DataTier "grantsbad": tables.gallery.grants.write(only) ["dynamodb:GetItem"] names dynamodb:GetItem, not an action of write(). Name one or more of ${writes} (or leave only out for all of them); grant read actions with read(only).`,
      });
      expect(refusalOf(() => tier.tables.gallery.grants.read([]), "read(only) took no action")).toMatchObject({
        component: "DataTier",
        resourceName: "grantsbad",
        argument: "tables.gallery.grants.read(only)",
        value: [],
        fix: `Name one or more of ${READ_ACTIONS.join(", ")} (or leave only out for all of them); grant write actions with write(only).`,
        message: expect.stringMatching(/^DataTier "grantsbad": tables\.gallery\.grants\.read\(only\) \[\] names no action\. Name one or more of dynamodb:BatchGetItem/),
      });
    });
    // Built on their own (no DataTier), the grants are named by their statements' prefix.
    expect(refusalOf(() => grants.write(["dynamodb:Query" as never, "dynamodb:PutItem"]), "write(only) took a read action")).toMatchObject({
      component: "DataTier",
      resourceName: "gallery",
      argument: "grants.write(only)",
      value: ["dynamodb:Query", "dynamodb:PutItem"],
    });
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
