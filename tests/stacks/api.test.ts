import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, policyDocument, resource } from "../harness/mocks";
import { expectDeploymentAfterEveryPart } from "./api-checks";
import { runStack } from "./run-stack";

let dev: OfflineRun;
beforeAll(async () => {
  dev = await runStack("dev");
});

describe("the gallery API in the dev stack (index.ts with Pulumi.dev.yaml)", () => {
  it("has the stack's stages, an alias per function and stage, and the site's /api/* on the first stage", () => {
    expect(ofType(dev.resources, "aws:apigateway/stage:Stage").map((s) => s.inputs.stageName)).toEqual(["dev", "test"]);
    const functions = ofType(dev.resources, "aws:lambda/function:Function").filter((f) => f.name.startsWith("api-") && !f.name.startsWith("api-auth-"));
    expect(functions).toHaveLength(11);
    expect(resource(dev.resources, "aws:apigateway/integration:Integration", "api-integration-get-api-config").inputs.type).toBe("MOCK");
    expect(ofType(dev.resources, "aws:lambda/alias:Alias")).toHaveLength(22);
    const cdn = resource(dev.resources, "aws:cloudfront/distribution:Distribution", "site-cdn");
    expect(cdn.inputs.orderedCacheBehaviors[0]).toMatchObject({ pathPattern: "/api/*", targetOriginId: "api" });
    expect(cdn.inputs.origins.find((o: { originId: string }) => o.originId === "api")).toMatchObject({ originPath: "/dev", domainName: dev.outputs.apiDomainName });
  });

  it("gives each route exactly the table, bucket and secret actions it uses", () => {
    const actions = (fn: string) => policyDocument(resource(dev.resources, "aws:iam/rolePolicy:RolePolicy", `${fn}-policy`).inputs.policy).Statement.flatMap((s) => s.Action);
    // The list routes read the cursor key from Secrets Manager (tests/stacks/secrets.test.ts pins the resource).
    expect(actions("api-get-albums")).toEqual(["dynamodb:Query", "secretsmanager:GetSecretValue", "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
    // Exactly: a grant added or dropped fails here (the handler tests run without IAM). One TransactWriteItems, each
    // action authorised as its own: the album's ConditionCheck and the photo's Put; no GetItem, no DeleteItem (gallery-store createPhoto).
    expect(actions("api-post-albums-albumid-photos")).toEqual(["dynamodb:ConditionCheckItem", "dynamodb:PutItem", "s3:PutObject", "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
    expect(actions("api-get-health")).not.toContain("dynamodb:Query");
  });

  it("validates bodies with models generated from the handlers' zod schemas", () => {
    const model = resource(dev.resources, "aws:apigateway/model:Model", "api-model-PostAlbumsBody");
    expect(JSON.parse(model.inputs.schema)).toMatchObject({ type: "object", required: ["title"], additionalProperties: false });
  });

  it("deploys the API only after every method, integration, response, authorizer, model and validator exists", () => {
    const parts = expectDeploymentAfterEveryPart(dev.resources, resource(dev.resources, "aws:apigateway/restApi:RestApi", "api-api"), { canary: false });
    // GET /api/config's mock answers through these two: the race of issue 10.
    expect(parts.map((p) => p.name)).toEqual(expect.arrayContaining(["api-response-get-api-config", "api-integration-response-get-api-config"]));
  });

  it("leaves API Gateway's account-wide CloudWatch role to prod (apiAccountCloudWatchRole is false by default)", () => {
    expect(dev.config.values["serverless-fullstack:apiAccountCloudWatchRole"]).toBe("false");
    expect(ofType(dev.resources, "aws:apigateway/account:Account")).toEqual([]);
  });
});
