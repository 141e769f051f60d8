/**
 * PrivateNetwork's private-DNS endpoint check on an existing VPC (tests/components/private-network-existing-endpoints.test.ts)
 * at the preview of the first deploy, or of an update that replaces the endpoint security group: the group's id is
 * unknown there, as the engine leaves a resource's id it has not created yet. The check must still run (it reads the id
 * through knownOrUndefined; an `.apply` on the id itself would be skipped while unknown, and the endpoint's subnets with
 * it, so a conflicting endpoint would pass the preview and fail `pulumi up` part-way). The mocks here answer every
 * `<name>-endpoints` security group without an id in preview mode, as Pulumi's mock monitor lets a test do
 * (an empty id is resolved as unknown: @pulumi/pulumi runtime/resource.js).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ENDPOINT_OWNER_TAG, ownerMark, PrivateNetwork } from "../../components/private-network";
import { record, resource, useMocks } from "../harness/mocks";

const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

/** getVpcEndpoint's answer by VPC and service name: an endpoint, or the error the data source fails with. */
const ENDPOINTS: Record<string, Record<string, any> | Error> = {
  "vpc-shared/com.amazonaws.us-east-1.sqs": { id: "vpce-other", privateDnsEnabled: true, securityGroupIds: ["sg-landing-zone"] },
  "vpc-shared/com.amazonaws.us-east-1.secretsmanager": Object.assign(new Error("invoke failed"), { details: "no matching EC2 VPC Endpoint found" }),
};
const asked: Record<string, any>[] = [];
/** The endpoint security groups the mocks answered without an id. */
const unknownGroups: string[] = [];

beforeAll(async () => {
  await useMocks({
    preview: true,
    invokes: {
      "aws:ec2/getVpcEndpoint:getVpcEndpoint": (inputs) => {
        asked.push(inputs);
        // An update whose endpoint group is replaced: the network's own endpoint carries the old group and its tag.
        if (inputs.vpcId === "vpc-mine") {
          return { id: "vpce-mine", privateDnsEnabled: true, securityGroupIds: ["sg-replaced"], tags: { [ENDPOINT_OWNER_TAG]: ownerMark(pulumi.getProject(), pulumi.getStack(), "mine") } };
        }
        const answer = ENDPOINTS[`${inputs.vpcId}/${inputs.serviceName}`];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  });
  // Pulumi's mock monitor keeps the mocks it was given: answer the endpoint security group as a preview of its creation.
  const monitor = (require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { mocks: { newResource(args: any): any } } }).getMonitor();
  const newResource = monitor.mocks.newResource.bind(monitor.mocks);
  monitor.mocks.newResource = async (args: any) => {
    const answer = await newResource(args);
    if (args.type !== SECURITY_GROUP || !args.name.endsWith("-endpoints")) return answer;
    unknownGroups.push(args.name);
    return { ...answer, id: undefined };
  };
});

const shared = (name: string, interfaceEndpoints: string[]) =>
  new PrivateNetwork(name, { existingVpc: { vpcId: "vpc-shared", subnetIds: ["subnet-a", "subnet-b"] }, executeApiEndpoint: false, interfaceEndpoints });

/** Whether an Output is known (Pulumi's OutputImpl has isKnown, undeclared in its types). */
const isKnown = (output: pulumi.Output<unknown>) => (output as unknown as { isKnown: Promise<boolean> }).isKnown;

describe("PrivateNetwork on an existing VPC, previewed while its endpoint security group's id is unknown", () => {
  it("still refuses a service the VPC has another private-DNS endpoint for", async () => {
    asked.length = 0;
    unknownGroups.length = 0;
    await expect(record(() => shared("landing", ["sqs"]))).rejects.toThrow(
      /PrivateNetwork "landing": interfaceEndpoints "sqs" asks for an interface endpoint with private DNS for com\.amazonaws\.us-east-1\.sqs, but existingVpc vpc-shared already has one \(vpce-other\)/,
    );
    // The preview this case stands for: the group was answered without an id, and the endpoint was looked up.
    expect(unknownGroups).toEqual(["landing-endpoints"]);
    expect(asked.map((inputs) => inputs.serviceName)).toEqual(["com.amazonaws.us-east-1.sqs"]);
  });

  it("passes a service the VPC has no endpoint for, with the endpoint's subnets known", async () => {
    unknownGroups.length = 0;
    let network: PrivateNetwork | undefined;
    const graph = await record(() => (network = shared("fine", ["secretsmanager"])));
    expect(unknownGroups).toEqual(["fine-endpoints"]);
    expect(await isKnown(network!.nodes.endpointSecurityGroup.id)).toBe(false);
    const endpoint = resource(graph, VPC_ENDPOINT, "fine-secretsmanager");
    expect(endpoint.inputs.privateDnsEnabled).toBe(true);
    // Known despite the group: the check ran and let them through (skipped, they would be unknown too).
    expect(endpoint.inputs.subnetIds).toEqual(["subnet-a", "subnet-b"]);
  });

  it("passes the network's own endpoint by its owner tag when the group is replaced", async () => {
    const graph = await record(() => new PrivateNetwork("mine", { existingVpc: { vpcId: "vpc-mine", subnetIds: ["subnet-a"] }, executeApiEndpoint: false, interfaceEndpoints: ["sqs"] }));
    expect(resource(graph, VPC_ENDPOINT, "mine-sqs").inputs.subnetIds).toEqual(["subnet-a"]);
  });
});
