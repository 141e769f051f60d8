/** The clean-up's AWS adapter over the real SDK clients (mocked transport): every page is read, `$LATEST` is never a version to delete. */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, ListFunctionsCommand, ListVersionsByFunctionCommand } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createEdgeCleanupAws } from "../../scripts/edge-cleanup/aws";

const lambda = mockClient(LambdaClient);
const logs = mockClient(CloudWatchLogsClient);
afterEach(() => {
  lambda.reset();
  logs.reset();
});
// The stubs sit on the SDK's shared client prototypes, which later files in a shared worker use too.
afterAll(() => {
  lambda.restore();
  logs.restore();
});

describe("edge clean-up AWS adapter", () => {
  it("follows every page of functions, versions and log groups", async () => {
    lambda
      .on(ListFunctionsCommand, {}).resolves({ Functions: [{ FunctionName: "a", FunctionArn: "arn:a" }], NextMarker: "m1" })
      .on(ListFunctionsCommand, { Marker: "m1" }).resolves({ Functions: [{ FunctionName: "b", FunctionArn: "arn:b" }] });
    lambda
      .on(ListVersionsByFunctionCommand, { FunctionName: "a" }).resolves({ Versions: [{ Version: "$LATEST" }, { Version: "1" }], NextMarker: "v1" })
      .on(ListVersionsByFunctionCommand, { FunctionName: "a", Marker: "v1" }).resolves({ Versions: [{ Version: "2" }] });
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/aws/lambda/us-east-1.a" }).resolves({ logGroups: [{ logGroupName: "/aws/lambda/us-east-1.a" }], nextToken: "t" })
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/aws/lambda/us-east-1.a", nextToken: "t" }).resolves({ logGroups: [{ logGroupName: "/aws/lambda/us-east-1.ab" }] });
    const aws = await createEdgeCleanupAws();
    try {
      expect(await aws.listFunctions()).toEqual([{ name: "a", arn: "arn:a" }, { name: "b", arn: "arn:b" }]);
      expect(await aws.listVersions("a")).toEqual(["1", "2"]);
      expect(await aws.listLogGroups("eu-west-1", "/aws/lambda/us-east-1.a")).toEqual(["/aws/lambda/us-east-1.a", "/aws/lambda/us-east-1.ab"]);
    } finally {
      aws.close();
    }
  });
});
