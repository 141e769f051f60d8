/**
 * PrivateNetwork on an existing VPC, as the account describes it at deploy time: its subnets' Availability Zones
 * (getSubnet) and the gateway endpoints it may already route through. The mocks answer getSubnet from a table here
 * (MockOptions.invokes), as the account would; their default answer gives every subnet a zone of its own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { oneSubnetPerZone, PrivateNetwork } from "../../components/private-network";
import { ofType, record, resource, useMocks } from "../harness/mocks";

const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
/** Two subnets in us-east-1a (an app tier and a data tier), one in us-east-1b. */
const ZONES: Record<string, string> = { "subnet-app-1a": "us-east-1a", "subnet-data-1a": "us-east-1a", "subnet-app-1b": "us-east-1b" };

/** The region each EC2 lookup was asked for (undefined: the provider's), by data source. */
const asked: Array<[string, string | undefined]> = [];
const recordRegion = (token: string) => (inputs: Record<string, any>) => void asked.push([token.split(":")[2], inputs.region]);

beforeAll(() =>
  useMocks({
    invokes: {
      "aws:ec2/getSubnet:getSubnet": ({ id, region }) => (asked.push(["getSubnet", region]), ZONES[id] ? { id, availabilityZone: ZONES[id] } : undefined),
      "aws:ec2/getVpc:getVpc": recordRegion("aws:ec2/getVpc:getVpc"),
      "aws:ec2/getRouteTables:getRouteTables": recordRegion("aws:ec2/getRouteTables:getRouteTables"),
      "aws:ec2/getPrefixList:getPrefixList": recordRegion("aws:ec2/getPrefixList:getPrefixList"),
    },
  }),
);

describe("PrivateNetwork with a region of its own", () => {
  it("looks the existing VPC, its subnets, its route tables and the prefix lists up in that region, where its endpoints are", async () => {
    asked.length = 0;
    await record(() => new PrivateNetwork("elsewhere", { region: "eu-west-1", existingVpc: { vpcId: "vpc-0eu", subnetIds: ["subnet-eu-a", "subnet-eu-b"], gatewayEndpoints: ["dynamodb"] } }));
    expect(asked.sort()).toEqual([
      ["getPrefixList", "eu-west-1"],
      ["getRouteTables", "eu-west-1"],
      ["getSubnet", "eu-west-1"],
      ["getSubnet", "eu-west-1"],
      ["getVpc", "eu-west-1"],
    ]);
  });
});

describe("PrivateNetwork on existingVpc subnets that share an Availability Zone", () => {
  it("puts every interface endpoint in the first listed subnet of each AZ (AWS takes one per AZ) and the functions in all of them", async () => {
    let network!: PrivateNetwork;
    const graph = await record(() => {
      network = new PrivateNetwork("zones", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-app-1a", "subnet-data-1a", "subnet-app-1b"] }, interfaceEndpoints: ["secretsmanager"] });
      new LambdaFunction("zones-fn", { entry: "tests/fixtures/handlers/echo.ts", vpc: network.functionVpc });
    });
    for (const service of ["execute-api", "secretsmanager"]) {
      expect(resource(graph, VPC_ENDPOINT, `zones-${service}`).inputs.subnetIds).toEqual(["subnet-app-1a", "subnet-app-1b"]);
    }
    expect(resource(graph, "aws:lambda/function:Function", "zones-fn-function").inputs.vpcConfig.subnetIds).toEqual(["subnet-app-1a", "subnet-data-1a", "subnet-app-1b"]);
  });

  it("keeps the list's order, one subnet per zone, the first listed winning", () => {
    expect(
      oneSubnetPerZone([
        { id: "subnet-2", availabilityZone: "us-east-1b" },
        { id: "subnet-1", availabilityZone: "us-east-1a" },
        { id: "subnet-3", availabilityZone: "us-east-1b" },
      ]),
    ).toEqual(["subnet-2", "subnet-1"]);
  });
});

describe("PrivateNetwork existingVpc.gatewayEndpoints", () => {
  it("creates gateway endpoints only for the services listed, and still lets the functions reach the others' prefix lists", async () => {
    const graph = await record(() => new PrivateNetwork("routed", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-app-1a"], gatewayEndpoints: ["dynamodb"] } }));
    expect(ofType(graph, VPC_ENDPOINT).filter((e) => e.inputs.vpcEndpointType === "Gateway").map((e) => e.name)).toEqual(["routed-dynamodb"]);
    const dynamodb = resource(graph, VPC_ENDPOINT, "routed-dynamodb");
    const egress = resource(graph, "aws:ec2/securityGroup:SecurityGroup", "routed-functions").inputs.egress;
    // The S3 prefix list is the one the VPC's own S3 gateway endpoint routes (getPrefixList by the service's name).
    expect(egress[1].prefixListIds).toEqual([dynamodb.state.prefixListId, expect.stringMatching(/^pl-/)]);
    expect(egress[1].prefixListIds[1]).not.toBe(dynamodb.state.prefixListId);
  });

  it("rejects a service that has no gateway endpoint", () => {
    expect(() => new PrivateNetwork("bad-gw", { existingVpc: { vpcId: "vpc-1", subnetIds: ["subnet-a"], gatewayEndpoints: ["sqs" as "s3"] } })).toThrow(
      /PrivateNetwork "bad-gw": existingVpc.gatewayEndpoints "sqs" is not a gateway endpoint service/,
    );
  });
});
