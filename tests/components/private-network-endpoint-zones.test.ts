/**
 * PrivateNetwork's interface endpoints in the zones their services are offered in (review 90 #4): EC2 refuses an
 * endpoint subnet of a zone the endpoint service does not support ("does not support the availability zone of the
 * subnet"). The service's zones are looked up once per service at preview (getVpcEndpointService); a zone it is not
 * offered in is left out of that endpoint, and a service offered in none of the network's zones is refused. The mocks
 * answer the lookup from a table here (MockOptions.invokes), as the account would; their default answer offers every
 * service in every zone.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { offeredEndpointSubnets, PrivateNetwork } from "../../components/private-network";
import { record, resource, useMocks } from "../harness/mocks";

const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
/** The zones each service is offered in (us-east-1), as DescribeVpcEndpointServices lists them. */
const OFFERED: Record<string, string[]> = {
  "execute-api": ["us-east-1a", "us-east-1b", "us-east-1c"],
  sqs: ["us-east-1a", "us-east-1c"],
  "email-smtp": ["us-east-1c"],
};
const SUBNET_ZONES: Record<string, string> = { "subnet-1a": "us-east-1a", "subnet-1b": "us-east-1b", "subnet-1b-data": "us-east-1b" };
/** The services looked up, in order. */
const looked: string[] = [];

beforeAll(() =>
  useMocks({
    invokes: {
      "aws:ec2/getVpcEndpointService:getVpcEndpointService": ({ service }, region) => {
        looked.push(service);
        // The data source's failure for a name the region does not list (review 95, F7), as the engine reports it.
        if (service === "secretmanager") throw Object.assign(new Error("invoke failed"), { details: "reading EC2 VPC Endpoint Services: couldn't find resource" });
        if (service === "kms") throw Object.assign(new Error("invoke failed"), { details: "reading EC2 VPC Endpoint Services: operation error EC2: DescribeVpcEndpointServices, UnauthorizedOperation" });
        return OFFERED[service] ? { service, serviceName: `com.amazonaws.${region}.${service}`, availabilityZones: OFFERED[service] } : undefined;
      },
      "aws:ec2/getSubnet:getSubnet": ({ id }) => (SUBNET_ZONES[id] ? { id, availabilityZone: SUBNET_ZONES[id] } : undefined),
      "aws:index/getAvailabilityZones:getAvailabilityZones": (_inputs, region) => ({ names: [`${region}a`, `${region}b`, `${region}c`], region }),
    },
  }),
);

describe("offeredEndpointSubnets", () => {
  it("keeps the first subnet of each zone the service is offered in, and names the zones left out", () => {
    const subnets = [
      { id: "s-a", availabilityZone: "z-a" },
      { id: "s-b", availabilityZone: "z-b" },
      { id: "s-a2", availabilityZone: "z-a" },
    ];
    expect(offeredEndpointSubnets(subnets, ["z-a"])).toEqual({ ids: ["s-a"], skipped: ["z-b"] });
    expect(offeredEndpointSubnets(subnets, ["z-a", "z-b"])).toEqual({ ids: ["s-a", "s-b"], skipped: [] });
    // Zones not known (a counted VPC whose zone lookup listed none): every subnet is kept.
    expect(offeredEndpointSubnets([{ id: "s-1" }, { id: "s-2" }], ["z-a"])).toEqual({ ids: ["s-1", "s-2"], skipped: [] });
  });
});

describe("PrivateNetwork interface endpoints and their services' zones", () => {
  it("places an endpoint only in the subnets of zones its service is offered in, looking each service up once", async () => {
    looked.length = 0;
    const graph = await record(() => new PrivateNetwork("named", { availabilityZones: ["us-east-1a", "us-east-1b"], interfaceEndpoints: ["sqs"] }));
    const vpc = graph.find((r) => r.type === "awsx:ec2:Vpc")!;
    const [subnetA, subnetB] = vpc.state.isolatedSubnetIds as string[];
    // sqs is not offered in us-east-1b: only us-east-1a's subnet; execute-api is offered in both.
    expect(resource(graph, VPC_ENDPOINT, "named-sqs").inputs.subnetIds).toEqual([subnetA]);
    expect(resource(graph, VPC_ENDPOINT, "named-execute-api").inputs.subnetIds).toEqual([subnetA, subnetB]);
    expect(looked.sort()).toEqual(["execute-api", "sqs"]);
  });

  it("maps a counted VPC's subnets to the zones awsx takes (the first the region lists)", async () => {
    const graph = await record(() => new PrivateNetwork("counted", { availabilityZones: 2, interfaceEndpoints: ["sqs"] }));
    const [subnetA] = graph.find((r) => r.type === "awsx:ec2:Vpc")!.state.isolatedSubnetIds as string[];
    expect(resource(graph, VPC_ENDPOINT, "counted-sqs").inputs.subnetIds).toEqual([subnetA]);
  });

  it("on an existing VPC, takes the first subnet of each offered zone", async () => {
    const graph = await record(
      () => new PrivateNetwork("existing", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-1b", "subnet-1a", "subnet-1b-data"] }, executeApiEndpoint: false, interfaceEndpoints: ["sqs"] }),
    );
    expect(resource(graph, VPC_ENDPOINT, "existing-sqs").inputs.subnetIds).toEqual(["subnet-1a"]);
  });

  it("does not look a service up for a network in a region other than the provider's (the lookup takes no region)", async () => {
    looked.length = 0;
    const graph = await record(() => new PrivateNetwork("abroad", { region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"], interfaceEndpoints: ["sqs"] }));
    expect(looked).toEqual([]);
    expect(resource(graph, VPC_ENDPOINT, "abroad-sqs").inputs.subnetIds).toHaveLength(2);
  });

  it("refuses at preview a service offered in none of a new VPC's zones, naming the argument, the zones and the fix", async () => {
    await expect(record(() => new PrivateNetwork("smtp", { availabilityZones: ["us-east-1a", "us-east-1b"], interfaceEndpoints: ["email-smtp"] }))).rejects.toThrow(
      /^error serializing property "subnetIds": PrivateNetwork "smtp": interfaceEndpoints "email-smtp" asks for an interface endpoint of com\.amazonaws\.us-east-1\.email-smtp, which is not offered in any of the network's Availability Zones \(us-east-1a, us-east-1b; the service lists us-east-1c\), so CreateVpcEndpoint would refuse every subnet \("does not support the availability zone of the subnet"\)\. Name zones the service is offered in, e\.g\. availabilityZones: \["us-east-1c"\], or drop "email-smtp"\.$/,
    );
  });

  it("refuses an unknown service with the component's message, not the provider's (review 95, F7)", async () => {
    await expect(record(() => new PrivateNetwork("typo", { availabilityZones: ["us-east-1a", "us-east-1b"], interfaceEndpoints: ["secretmanager"] }))).rejects.toThrow(
      /PrivateNetwork "typo": interfaceEndpoints "secretmanager" is not an interface endpoint service in us-east-1 \(DescribeVpcEndpointServices lists no com\.amazonaws\.us-east-1\.secretmanager\), so CreateVpcEndpoint would refuse it\. Check the name: aws ec2 describe-vpc-endpoint-services --region us-east-1 /,
    );
    await expect(record(() => new PrivateNetwork("denied", { availabilityZones: ["us-east-1a", "us-east-1b"], interfaceEndpoints: ["kms"] }))).rejects.toThrow(
      /PrivateNetwork "denied": interfaceEndpoints "kms" could not be looked up in us-east-1 at preview \(getVpcEndpointService: reading EC2 VPC Endpoint Services: operation error .*UnauthorizedOperation\)\. Give the role that runs preview ec2:DescribeVpcEndpointServices/,
    );
  });

  it("refuses at preview a service offered in none of an existing VPC's subnets' zones", async () => {
    await expect(
      record(() => new PrivateNetwork("smtp-existing", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-1a", "subnet-1b"] }, executeApiEndpoint: false, interfaceEndpoints: ["email-smtp"] })),
    ).rejects.toThrow(/PrivateNetwork "smtp-existing": interfaceEndpoints "email-smtp" .*\. Add to existingVpc\.subnetIds a subnet of a zone the service is offered in \(us-east-1c\), or drop "email-smtp"\.$/);
  });
});
