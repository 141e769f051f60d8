/**
 * PrivateNetwork and functions in a VPC. Under mocks awsx.ec2.Vpc is a remote component: the mocks record it with
 * its inputs and answer its outputs (vpcId, isolatedSubnetIds) as a deploy would; what is tested is what this project
 * creates around it — endpoints, security groups, the functions' VPC config and role — and what it asks awsx for.
 */
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import * as pulumi from "@pulumi/pulumi";
import { ENDPOINT_OWNER_TAG, ownerMark, PrivateNetwork, vpcDnsProblem } from "../../components/private-network";
import { ServerlessApi } from "../../components/serverless-api";
import { ofType, policyDocument, record, resource } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";

describe("PrivateNetwork", () => {
  it("asks awsx for a VPC with DNS support and hostnames, isolated subnets in 2 AZs and no NAT gateway", async () => {
    const graph = await record(() => new PrivateNetwork("net"));
    expect(resource(graph, "awsx:ec2:Vpc", "net-vpc").inputs).toEqual({
      cidrBlock: "10.0.0.0/16",
      numberOfAvailabilityZones: 2,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      natGateways: { strategy: "None" },
      subnetSpecs: [{ type: "Isolated", name: "private" }],
    });
  });

  it("asks awsx for the VPC in its region, where its endpoints and security groups are", async () => {
    const graph = await record(() => new PrivateNetwork("net-eu", { region: "eu-west-1" }));
    expect(resource(graph, "awsx:ec2:Vpc", "net-eu-vpc").inputs.region).toBe("eu-west-1");
    expect(resource(graph, "aws:ec2/securityGroup:SecurityGroup", "net-eu-endpoints").inputs.region).toBe("eu-west-1");
  });

  it("puts an execute-api interface endpoint with private DNS in the VPC's subnets, and DynamoDB and S3 gateway endpoints on its route tables", async () => {
    const graph = await record(() => new PrivateNetwork("net2", { interfaceEndpoints: ["secretsmanager"] }));
    const vpc = resource(graph, "awsx:ec2:Vpc", "net2-vpc");
    const endpointsSg = resource(graph, "aws:ec2/securityGroup:SecurityGroup", "net2-endpoints");
    expect(endpointsSg.inputs.ingress).toEqual([{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }]);
    for (const service of ["execute-api", "secretsmanager"]) {
      expect(resource(graph, "aws:ec2/vpcEndpoint:VpcEndpoint", `net2-${service}`).inputs).toEqual({
        vpcId: vpc.state.vpcId,
        serviceName: `com.amazonaws.us-east-1.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: vpc.state.isolatedSubnetIds,
        securityGroupIds: [endpointsSg.id],
        // Which network it is, for the existing-VPC check of a later update (private-network-existing-endpoints.test.ts).
        tags: { [ENDPOINT_OWNER_TAG]: ownerMark(pulumi.getProject(), pulumi.getStack(), "net2") },
      });
    }
    expect(vpc.state.isolatedSubnetIds).toHaveLength(2);
    const gateways = ["dynamodb", "s3"].map((service) => resource(graph, "aws:ec2/vpcEndpoint:VpcEndpoint", `net2-${service}`));
    for (const [index, service] of ["dynamodb", "s3"].entries()) {
      expect(gateways[index].inputs).toMatchObject({ vpcId: vpc.state.vpcId, serviceName: `com.amazonaws.us-east-1.${service}`, vpcEndpointType: "Gateway" });
      expect(gateways[index].inputs.routeTableIds).toEqual([expect.stringMatching(/^rtb-/)]);
    }
    const functionsSg = resource(graph, "aws:ec2/securityGroup:SecurityGroup", "net2-functions");
    expect(functionsSg.inputs.ingress).toBeUndefined();
    expect(functionsSg.inputs.egress).toEqual([
      { description: "HTTPS to the interface endpoints", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] },
      { description: "HTTPS to DynamoDB and S3 (gateway endpoints)", protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: gateways.map((g) => g.state.prefixListId) },
    ]);
    expect(ofType(graph, "aws:ec2/natGateway:NatGateway")).toEqual([]);
  });

  it("uses an existing VPC by id: its subnets and CIDR, no awsx VPC", async () => {
    const graph = await record(() => new PrivateNetwork("net3", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-a", "subnet-b"], routeTableIds: ["rtb-1"] } }));
    expect(ofType(graph, "awsx:ec2:Vpc")).toEqual([]);
    expect(resource(graph, "aws:ec2/vpcEndpoint:VpcEndpoint", "net3-execute-api").inputs).toMatchObject({ vpcId: "vpc-0abc", subnetIds: ["subnet-a", "subnet-b"] });
    expect(resource(graph, "aws:ec2/vpcEndpoint:VpcEndpoint", "net3-dynamodb").inputs.routeTableIds).toEqual(["rtb-1"]);
  });

  it("stops the deploy of endpoints in an existing VPC with DNS support or DNS hostnames off (as getVpc reports it)", () => {
    expect(vpcDnsProblem("net", { id: "vpc-1", enableDnsSupport: true, enableDnsHostnames: true })).toBeUndefined();
    expect(vpcDnsProblem("net", { id: "vpc-1", enableDnsSupport: true, enableDnsHostnames: false })).toBe(
      'PrivateNetwork "net": existingVpc vpc-1 has enableDnsSupport=true and enableDnsHostnames=false; private DNS on its interface endpoints needs both. Turn both on for the VPC (aws ec2 modify-vpc-attribute).',
    );
    expect(vpcDnsProblem("net", { id: "vpc-1", enableDnsSupport: false, enableDnsHostnames: true })).toMatch(/enableDnsSupport=false/);
  });

  it.each([
    [{ availabilityZones: 0 }, /^PrivateNetwork "bad": availabilityZones 0 is outside PrivateNetwork's range of 1–6 availability zones\. Use 2 \(or 3\) availability zones, at most 6\.$/],
    [{ availabilityZones: 7 }, /^PrivateNetwork "bad": availabilityZones 7 is outside PrivateNetwork's range of 1–6 availability zones\./],
    [{ availabilityZones: 2.5 }, /^PrivateNetwork "bad": availabilityZones 2\.5 is not a whole number\. Use 2 \(or 3\) availability zones, at most 6\.$/],
    [{ availabilityZones: "3" as unknown as number }, /^PrivateNetwork "bad": availabilityZones "3" is not a number\./],
    [{ existingVpc: { vpcId: "vpc-1", subnetIds: [] } }, /existingVpc.subnetIds \[\] is empty/],
    [{ existingVpc: { vpcId: "vpc-1", subnetIds: ["subnet-a"] }, cidrBlock: "10.1.0.0/16" }, /only shape a new VPC/],
    [{ interfaceEndpoints: ["dynamodb"] }, /interfaceEndpoints "dynamodb" has its own endpoint here/],
    [{ interfaceEndpoints: ["com.amazonaws.us-east-1.sqs"] }, /is not a service name/],
  ])("rejects bad args: %#", (args, message) => {
    expect(() => new PrivateNetwork("bad", args)).toThrow(message);
  });
});

describe("LambdaFunction in a VPC", () => {
  it("sets the VPC config and attaches AWSLambdaVPCAccessExecutionRole before the function is created", async () => {
    const graph = await record(() => new LambdaFunction("in-vpc", { entry, vpc: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] } }));
    const fn = resource(graph, "aws:lambda/function:Function", "in-vpc-function");
    expect(fn.inputs.vpcConfig).toEqual({ subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] });
    const attachment = resource(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "in-vpc-vpc-access");
    expect(attachment.inputs).toEqual({ role: resource(graph, "aws:iam/role:Role", "in-vpc-role").state.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" });
    expect(fn.dependencies).toContain(attachment.urn);
  });

  it("has no VPC config or ENI policy without vpc", async () => {
    const graph = await record(() => new LambdaFunction("no-vpc", { entry }));
    expect(resource(graph, "aws:lambda/function:Function", "no-vpc-function").inputs.vpcConfig).toBeUndefined();
    expect(ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
  });

  it.each([
    [{ vpc: { subnetIds: [], securityGroupIds: ["sg-1"] } }, /vpc.subnetIds \[\] is empty; a function in a VPC needs at least one/],
    [{ vpc: { subnetIds: ["subnet-a"], securityGroupIds: [] } }, /vpc.securityGroupIds \[\] is empty/],
    [{ vpc: { subnetIds: ["sg-1"], securityGroupIds: ["sg-1"] } }, /vpc.subnetIds "sg-1" is not a subnet-… id/],
    [{ edge: true, vpc: { subnetIds: ["subnet-a"], securityGroupIds: ["sg-1"] } }, /is set on a Lambda@Edge function, which cannot run in a VPC/],
  ])("rejects bad vpc: %#", (args, message) => {
    expect(() => new LambdaFunction("bad-vpc", { entry, ...args })).toThrow(message);
  });
});

describe("a PRIVATE ServerlessApi on a PrivateNetwork", () => {
  it("answers only through the network's execute-api endpoint, and runs its route functions (not its authorizers) in the VPC", async () => {
    let network: PrivateNetwork;
    const graph = await record(() => {
      network = new PrivateNetwork("pnet");
      return new ServerlessApi("papi", {
        endpointType: "PRIVATE",
        vpcEndpointIds: [network.executeApiEndpointId!],
        functionDefaults: { vpc: network.functionVpc },
        authorizers: { jwt: { type: "token", handler: "handlers/api/authorizer.ts" } },
        routes: { "GET /health": { handler: "handlers/api/health.ts", auth: { authorizer: "jwt" } } },
      });
    });
    const endpoint = resource(graph, "aws:ec2/vpcEndpoint:VpcEndpoint", "pnet-execute-api");
    const api = ofType(graph, "aws:apigateway/restApi:RestApi")[0];
    expect(api.inputs.endpointConfiguration).toMatchObject({ types: "PRIVATE", vpcEndpointIds: [endpoint.id] });
    const policy = policyDocument(ofType(graph, "aws:apigateway/restApiPolicy:RestApiPolicy")[0].inputs.policy);
    expect(policy.Statement.find((s) => s.Sid === "DenyOtherVpcEndpoints")?.Condition).toEqual({ StringNotEquals: { "aws:SourceVpce": [endpoint.id] } });
    const vpc = resource(graph, "awsx:ec2:Vpc", "pnet-vpc");
    const sg = resource(graph, "aws:ec2/securityGroup:SecurityGroup", "pnet-functions");
    const functions = ofType(graph, "aws:lambda/function:Function");
    const route = functions.find((f) => f.name.includes("health"))!;
    expect(route.inputs.vpcConfig).toEqual({ subnetIds: vpc.state.isolatedSubnetIds, securityGroupIds: [sg.id] });
    const authorizer = functions.find((f) => f.name.includes("jwt"))!;
    expect(authorizer.inputs.vpcConfig).toBeUndefined();
  });
});
