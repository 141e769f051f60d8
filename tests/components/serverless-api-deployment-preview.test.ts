/**
 * The deployment's trigger names no part as a property dependency (snapshot.ts withoutPropertyDependencies), and stays
 * what the digest is at `pulumi preview`: unknown while a part's input is (a user pool created in the same program),
 * so the preview still shows the redeploy that the update will make.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import { ofType, record, useMocks } from "../harness/mocks";

const isUnknown = (value: unknown) => (value as { __pulumiUnknown?: boolean } | undefined)?.__pulumiUnknown === true;

beforeAll(() => useMocks({ preview: true }));

describe("ServerlessApi deployment at preview", () => {
  it("has an unknown trigger while an authorizer's user pool ARN is unknown, and the trigger names no resource", async () => {
    const graph = await record(
      () =>
        new ServerlessApi("pv", {
          basePath: "api",
          authorizers: { cognito: { type: "cognito", userPoolArns: [pulumi.output(pulumi.unknown as string)] } },
          routes: { "GET /config": { integration: { type: "mock", body: { version: 1 } }, auth: { authorizer: "cognito" } } },
        }),
    );
    const [deployment] = ofType(graph, "aws:apigateway/deployment:Deployment");
    expect(deployment.inputs.triggers?.snapshot ?? deployment.inputs.triggers).toSatisfy(isUnknown);
    expect(deployment.propertyDependencies?.triggers ?? []).toEqual([]);
    expect(deployment.dependencies.length).toBeGreaterThan(3);
  });
});
