/** The gallery API in the prod stack. */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { resource } from "../harness/mocks";
import { expectDeploymentAfterEveryPart } from "./api-checks";
import { runStack } from "./run-stack";

let prod: OfflineRun;
beforeAll(async () => {
  prod = await runStack("prod");
});

describe("the gallery API in the prod stack (index.ts with Pulumi.prod.yaml)", () => {
  it("deploys the API only after every part of it exists", () => {
    expectDeploymentAfterEveryPart(prod.resources, resource(prod.resources, "aws:apigateway/restApi:RestApi", "api-api"));
  });
});
