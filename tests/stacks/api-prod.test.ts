/** The gallery API in the prod stack: the one owner of API Gateway's account-wide CloudWatch role. */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";
import { expectDeploymentAfterEveryPart } from "./api-checks";
import { runStack } from "./run-stack";

let prod: OfflineRun;
beforeAll(async () => {
  prod = await runStack("prod");
});

describe("the gallery API in the prod stack (index.ts with Pulumi.prod.yaml)", () => {
  it("owns API Gateway's account-wide CloudWatch role: one Account per region the API runs in, retained with its role on delete", () => {
    expect(prod.config.values["serverless-fullstack:apiAccountCloudWatchRole"]).toBe("true");
    const accounts = ofType(prod.resources, "aws:apigateway/account:Account");
    // The setting is per account and region: prod's API runs in us-east-1 and us-west-2 (docs/multi-region.md).
    expect(accounts.map((a) => [a.name, a.inputs.region]).sort()).toEqual([["api-account", undefined], ["api-usw2-account", "us-west-2"]]);
    expect(accounts.every((a) => a.retainOnDelete)).toBe(true);
    const role = resource(prod.resources, "aws:iam/role:Role", "api-cloudwatch-role");
    expect(resource(prod.resources, "aws:apigateway/account:Account", "api-account").inputs.cloudwatchRoleArn).toBe(role.state.arn);
    expect(role.retainOnDelete).toBe(true);
    expect(resource(prod.resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-cloudwatch-policy").retainOnDelete).toBe(true);
  });

  it("deploys the API only after every part of it exists", () => {
    expectDeploymentAfterEveryPart(prod.resources, resource(prod.resources, "aws:apigateway/restApi:RestApi", "api-api"), { canary: false });
  });
});
