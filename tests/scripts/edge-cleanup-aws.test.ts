/** The clean-up's AWS adapter over the real SDK clients (mocked transport): every page is read, `$LATEST` is never a version to delete. */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand, ListVersionsByFunctionCommand } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createEdgeCleanupAws } from "../../scripts/edge-cleanup/aws";

const lambda = mockClient(LambdaClient);
const logs = mockClient(CloudWatchLogsClient);
const iam = mockClient(IAMClient);
afterEach(() => {
  lambda.reset();
  logs.reset();
  iam.reset();
});
// The stubs sit on the SDK's shared client prototypes, which later files in a shared worker use too.
afterAll(() => {
  lambda.restore();
  logs.restore();
  iam.restore();
});

describe("edge clean-up AWS adapter", () => {
  it("follows every page of functions, versions and log groups", async () => {
    lambda
      .on(ListFunctionsCommand, {}).resolves({ Functions: [{ FunctionName: "a", FunctionArn: "arn:a", Role: "arn:aws:iam::123456789012:role/a-role-1234567" }], NextMarker: "m1" })
      .on(ListFunctionsCommand, { Marker: "m1" }).resolves({ Functions: [{ FunctionName: "b", FunctionArn: "arn:b" }] });
    lambda
      .on(ListVersionsByFunctionCommand, { FunctionName: "a" }).resolves({ Versions: [{ Version: "$LATEST" }, { Version: "1" }], NextMarker: "v1" })
      .on(ListVersionsByFunctionCommand, { FunctionName: "a", Marker: "v1" }).resolves({ Versions: [{ Version: "2" }] });
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/aws/lambda/us-east-1.a" }).resolves({ logGroups: [{ logGroupName: "/aws/lambda/us-east-1.a" }], nextToken: "t" })
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/aws/lambda/us-east-1.a", nextToken: "t" }).resolves({ logGroups: [{ logGroupName: "/aws/lambda/us-east-1.ab" }] });
    const aws = await createEdgeCleanupAws();
    try {
      expect(await aws.listFunctions()).toEqual([{ name: "a", arn: "arn:a", role: "arn:aws:iam::123456789012:role/a-role-1234567" }, { name: "b", arn: "arn:b", role: undefined }]);
      expect(await aws.listVersions("a")).toEqual(["1", "2"]);
      expect(await aws.listLogGroups("eu-west-1", "/aws/lambda/us-east-1.a")).toEqual(["/aws/lambda/us-east-1.a", "/aws/lambda/us-east-1.ab"]);
    } finally {
      aws.close();
    }
  });

  it("lists a role's inline and attached policies over every page, and deletes with IAM's own calls", async () => {
    iam
      .on(ListRolePoliciesCommand, { RoleName: "r" }).resolves({ PolicyNames: ["p1"], IsTruncated: true, Marker: "k" })
      .on(ListRolePoliciesCommand, { RoleName: "r", Marker: "k" }).resolves({ PolicyNames: ["p2"], IsTruncated: false });
    iam
      .on(ListAttachedRolePoliciesCommand, { RoleName: "r" }).resolves({ AttachedPolicies: [{ PolicyName: "m", PolicyArn: "arn:aws:iam::aws:policy/m" }], IsTruncated: true, Marker: "k" })
      .on(ListAttachedRolePoliciesCommand, { RoleName: "r", Marker: "k" }).resolves({ AttachedPolicies: [{ PolicyName: "n", PolicyArn: "arn:aws:iam::123456789012:policy/n" }] });
    iam.on(DeleteRolePolicyCommand).resolves({}).on(DetachRolePolicyCommand).resolves({}).on(DeleteRoleCommand).resolves({});
    const aws = await createEdgeCleanupAws();
    try {
      expect(await aws.listRolePolicies("r")).toEqual(["p1", "p2"]);
      expect(await aws.listAttachedRolePolicies("r")).toEqual(["arn:aws:iam::aws:policy/m", "arn:aws:iam::123456789012:policy/n"]);
      await aws.deleteRolePolicy("r", "p1");
      await aws.detachRolePolicy("r", "arn:aws:iam::aws:policy/m");
      await aws.deleteRole("r");
      expect(iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: "r", PolicyName: "p1" }]);
      expect(iam.commandCalls(DetachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: "r", PolicyArn: "arn:aws:iam::aws:policy/m" }]);
      expect(iam.commandCalls(DeleteRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: "r" }]);
    } finally {
      aws.close();
    }
  });
});
