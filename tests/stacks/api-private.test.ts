/**
 * `apiEndpointType: PRIVATE` (with `apiFunctionsInVpc`) in the reference app, as a test stack: dev's config with those
 * keys on. It plans clean (every security and deploy rule), the API answers only through the execute-api endpoint the
 * stack creates in its VPC, its route functions run in the VPC, and the site serves its pages without /api/*
 * (CloudFront cannot reach a private API). Before issue 16 the program stopped at the site route instead.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { loadStackConfig } from "../../local/offline/config";
import { installRecordingMocks, type RecordedResource } from "../../local/offline/mocks";
import { PROJECT_DIR } from "../../local/offline/program";
import { cacheBehaviours, ofType, policyDocument, resource } from "../harness/mocks";
import { expectAllRulesPass, expectNoDeployFindings } from "./run-stack";

const PRIVATE_STACK = { "serverless-fullstack:apiEndpointType": "PRIVATE", "serverless-fullstack:apiFunctionsInVpc": "true" };
let graph: RecordedResource[];
let config: ReturnType<typeof loadStackConfig>;

beforeAll(async () => {
  config = loadStackConfig(PROJECT_DIR, "dev");
  const mocks = await installRecordingMocks({ project: config.project, stack: "dev", region: config.region });
  pulumi.runtime.setAllConfig({ ...config.values, ...PRIVATE_STACK }, config.secretKeys);
  clearRegisteredSpecs();
  await pulumi.runtime.runInPulumiStack(async () => {
    await import("../../index.js");
    return {};
  });
  await mocks.settle();
  graph = mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
});

describe("apiEndpointType PRIVATE with apiFunctionsInVpc in the reference app", () => {
  it("plans clean: no security or deploy rule finding", () => {
    const run = { config: { ...config, stack: "dev" }, resources: graph, specs: [], outputs: {} };
    expectAllRulesPass(run);
    expectNoDeployFindings(run);
  });

  it("answers only through the execute-api endpoint with private DNS it creates in its VPC", () => {
    const vpc = resource(graph, "awsx:ec2:Vpc", "network-vpc");
    expect(vpc.inputs).toMatchObject({ enableDnsSupport: true, enableDnsHostnames: true, natGateways: { strategy: "None" } });
    const endpoint = resource(graph, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-execute-api");
    expect(endpoint.inputs).toMatchObject({ vpcId: vpc.state.vpcId, vpcEndpointType: "Interface", privateDnsEnabled: true, serviceName: "com.amazonaws.us-east-1.execute-api" });
    const api = resource(graph, "aws:apigateway/restApi:RestApi", "api-api");
    expect(api.inputs.endpointConfiguration).toMatchObject({ types: "PRIVATE", vpcEndpointIds: [endpoint.id] });
    const policy = policyDocument(ofType(graph, "aws:apigateway/restApiPolicy:RestApiPolicy")[0].inputs.policy);
    expect(policy.Statement.find((s) => s.Sid === "DenyOtherVpcEndpoints")?.Condition).toEqual({ StringNotEquals: { "aws:SourceVpce": [endpoint.id] } });
  });

  it("runs the route functions in the VPC with the DynamoDB, S3, Secrets Manager, X-Ray and SQS endpoints; authorizers and the rest stay outside", () => {
    const sg = resource(graph, "aws:ec2/securityGroup:SecurityGroup", "network-functions");
    const subnets = resource(graph, "awsx:ec2:Vpc", "network-vpc").state.isolatedSubnetIds;
    const functions = ofType(graph, "aws:lambda/function:Function");
    const inVpc = functions.filter((f) => f.inputs.vpcConfig).map((f) => f.name);
    expect(inVpc.length).toBe(11);
    expect(inVpc.every((name) => name.startsWith("api-") && !name.startsWith("api-auth-"))).toBe(true);
    for (const name of inVpc) expect(resource(graph, "aws:lambda/function:Function", name).inputs.vpcConfig).toEqual({ subnetIds: subnets, securityGroupIds: [sg.id] });
    const services = ofType(graph, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => `${e.inputs.vpcEndpointType} ${e.inputs.serviceName}`).sort();
    expect(services).toEqual(["dynamodb", "s3"].map((s) => `Gateway com.amazonaws.us-east-1.${s}`).concat(["execute-api", "secretsmanager", "sqs", "xray"].map((s) => `Interface com.amazonaws.us-east-1.${s}`)).sort());
  });

  it("leaves /api/* off the site's distribution", () => {
    const paths = cacheBehaviours(resource(graph, "aws:cloudfront/distribution:Distribution", "site-cdn")).map((b) => b.path);
    expect(paths.some((p) => p.startsWith("/api"))).toBe(false);
  });
});

describe("tags in the private stack", () => {
  it("hands the stack tags to the awsx VPC, which creates its VPC, subnets and route tables outside the program's transformation", () => {
    expect(resource(graph, "awsx:ec2:Vpc", "network-vpc").inputs.tags).toMatchObject({ app: "serverless-fullstack", stack: "dev" });
    for (const r of ofType(graph, "aws:ec2/vpcEndpoint:VpcEndpoint")) expect(r.inputs.tags).toMatchObject({ app: "serverless-fullstack", stack: "dev" });
  });
});
