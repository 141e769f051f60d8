/**
 * PrivateNetwork on an existing VPC that already has an interface endpoint with private DNS for a service the network
 * would create one for (review 107 #1): CreateVpcEndpoint refuses the second ("private-dns-enabled cannot be set because
 * there is already a conflicting DNS domain"), part-way. Looked up at preview (getVpcEndpoint); the mocks answer it from
 * a table here (MockOptions.invokes), as the account would. Their default answer (an endpoint without private DNS) and
 * "no matching" pass, as does the network's own endpoint (it carries the network's endpoint security group) on an update.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { unknown } from "@pulumi/pulumi/output";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { conflictingPrivateDnsEndpoint, ENDPOINT_OWNER_TAG, knownOrUndefined, ownerMark, PrivateNetwork } from "../../components/private-network";
import { record, resource, useMocks } from "../harness/mocks";

const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
/** The mocks' id for a security group of that name (local/offline/mocks.ts). */
const groupId = (name: string) => `sg-${createHash("sha256").update(name).digest("hex").slice(0, 17)}`;

/** getVpcEndpoint's answer by VPC and service name: an endpoint, or the error the data source fails with. */
const ENDPOINTS: Record<string, Record<string, any> | Error> = {
  "vpc-shared/com.amazonaws.us-east-1.sqs": { id: "vpce-other", privateDnsEnabled: true, securityGroupIds: ["sg-landing-zone"] },
  "vpc-shared/com.amazonaws.us-east-1.execute-api": { id: "vpce-api", privateDnsEnabled: true, securityGroupIds: ["sg-landing-zone"] },
  "vpc-shared/com.amazonaws.us-east-1.xray": { id: "vpce-nodns", privateDnsEnabled: false, securityGroupIds: ["sg-landing-zone"] },
  "vpc-shared/com.amazonaws.us-east-1.secretsmanager": Object.assign(new Error("invoke failed"), { details: "no matching EC2 VPC Endpoint found" }),
  "vpc-shared/com.amazonaws.us-east-1.ssm": Object.assign(new Error("invoke failed"), {
    details: "multiple EC2 VPC Endpoints matched; use additional constraints to reduce matches to a single EC2 VPC Endpoint",
  }),
  "vpc-shared/com.amazonaws.us-east-1.kms": Object.assign(new Error("invoke failed"), {
    details: "reading EC2 VPC Endpoint: operation error EC2: DescribeVpcEndpoints, UnauthorizedOperation",
  }),
  // An update: the endpoint this network made on its first deploy, with its endpoint security group.
  "vpc-mine/com.amazonaws.us-east-1.sqs": { id: "vpce-mine", privateDnsEnabled: true, securityGroupIds: [groupId("mine-endpoints")] },
};
const asked: Record<string, any>[] = [];

beforeAll(() =>
  useMocks({
    invokes: {
      "aws:ec2/getVpcEndpoint:getVpcEndpoint": (inputs) => {
        asked.push(inputs);
        const answer = ENDPOINTS[`${inputs.vpcId}/${inputs.serviceName}`];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  }),
);

const shared = (name: string, args: { executeApiEndpoint?: boolean; interfaceEndpoints?: string[] }) =>
  new PrivateNetwork(name, { existingVpc: { vpcId: "vpc-shared", subnetIds: ["subnet-a", "subnet-b"] }, ...args });

describe("conflictingPrivateDnsEndpoint", () => {
  it("names an endpoint with private DNS that does not carry the network's endpoint security group", () => {
    expect(conflictingPrivateDnsEndpoint({ id: "vpce-1", privateDnsEnabled: true, securityGroupIds: ["sg-x"] }, "sg-own")).toBe("vpce-1");
    // The first deploy's preview: the network's group is not known yet, and the network has no endpoint.
    expect(conflictingPrivateDnsEndpoint({ id: "vpce-1", privateDnsEnabled: true, securityGroupIds: ["sg-x"] }, undefined)).toBe("vpce-1");
    expect(conflictingPrivateDnsEndpoint({ id: "vpce-1", privateDnsEnabled: true, securityGroupIds: ["sg-x", "sg-own"] }, "sg-own")).toBeUndefined();
    expect(conflictingPrivateDnsEndpoint({ id: "vpce-1", privateDnsEnabled: false }, undefined)).toBeUndefined();
    expect(conflictingPrivateDnsEndpoint({}, undefined)).toBeUndefined();
    // The group's id unknown at preview (an update that replaces the group): the owner tag tells the network's own.
    const mine = ownerMark("gallery", "prod", "network");
    expect(conflictingPrivateDnsEndpoint({ id: "vpce-1", privateDnsEnabled: true, securityGroupIds: ["sg-old"], tags: { [ENDPOINT_OWNER_TAG]: mine } }, undefined, mine)).toBeUndefined();
    // Another stack's network of the same name on the same VPC is not this one.
    expect(conflictingPrivateDnsEndpoint({ id: "vpce-1", privateDnsEnabled: true, tags: { [ENDPOINT_OWNER_TAG]: ownerMark("gallery", "dev", "network") } }, undefined, mine)).toBe("vpce-1");
  });
});

describe("knownOrUndefined", () => {
  it("gives a known output's value, and undefined for an unknown one (a group's id at the preview that creates it)", async () => {
    const value = (output: pulumi.Output<string | undefined>) => new Promise((done) => output.apply(done));
    expect(await value(knownOrUndefined(pulumi.output("sg-known")))).toBe("sg-known");
    // An Output as the engine gives a resource's id it has not created yet: isKnown false (@pulumi/pulumi output.js).
    const OutputImpl = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<string>;
    const unknownId = new OutputImpl(new Set(), Promise.resolve(unknown), Promise.resolve(false), Promise.resolve(false), Promise.resolve(new Set()));
    expect(await value(knownOrUndefined(unknownId))).toBeUndefined();
    // An SDK whose Output lacks these internals: read as unknown, never a TypeError at preview.
    expect(await value(knownOrUndefined({} as unknown as pulumi.Output<string>))).toBeUndefined();
  });
});

describe("PrivateNetwork on an existing VPC with interface endpoints of its own", () => {
  it("refuses at preview an interfaceEndpoints service the VPC has a private-DNS endpoint for, naming it and the fix", async () => {
    asked.length = 0;
    await expect(record(() => shared("landing", { executeApiEndpoint: false, interfaceEndpoints: ["sqs"] }))).rejects.toThrow(
      /PrivateNetwork "landing": interfaceEndpoints "sqs" asks for an interface endpoint with private DNS for com\.amazonaws\.us-east-1\.sqs, but existingVpc vpc-shared already has one \(vpce-other\), so CreateVpcEndpoint would refuse a second \("private-dns-enabled cannot be set because there is already a conflicting DNS domain"\), after the security groups and other endpoints exist\. Drop "sqs" from interfaceEndpoints: vpce-other's private DNS already answers sqs's name in the VPC/,
    );
    expect(asked).toEqual([
      { vpcId: "vpc-shared", serviceName: "com.amazonaws.us-east-1.sqs", vpcEndpointType: "Interface", filters: [{ name: "vpc-endpoint-state", values: ["available", "pending", "pendingAcceptance"] }] },
    ]);
  });

  it("refuses the execute-api endpoint, pointing at executeApiEndpoint: false and the API's vpcEndpointIds", async () => {
    await expect(record(() => shared("api", {}))).rejects.toThrow(
      /PrivateNetwork "api": executeApiEndpoint true asks for an interface endpoint with private DNS for com\.amazonaws\.us-east-1\.execute-api, .*\(vpce-api\).*\. Use the existing endpoint: set executeApiEndpoint: false and pass "vpce-api" in the PRIVATE ServerlessApi's vpcEndpointIds/,
    );
  });

  it("passes an endpoint without private DNS, none found, and the network's own endpoint on an update", async () => {
    const graph = await record(() => shared("fine", { executeApiEndpoint: false, interfaceEndpoints: ["xray", "secretsmanager"] }));
    expect(resource(graph, VPC_ENDPOINT, "fine-xray").inputs.subnetIds).toHaveLength(2);
    expect(resource(graph, VPC_ENDPOINT, "fine-secretsmanager").inputs.privateDnsEnabled).toBe(true);
    const update = await record(() => new PrivateNetwork("mine", { existingVpc: { vpcId: "vpc-mine", subnetIds: ["subnet-a"] }, executeApiEndpoint: false, interfaceEndpoints: ["sqs"] }));
    expect(resource(update, VPC_ENDPOINT, "mine-sqs").inputs.subnetIds).toEqual(["subnet-a"]);
  });

  it("tags each interface endpoint with its network, so its own endpoint is told apart while its group is replaced", async () => {
    const graph = await record(() => shared("tagged", { executeApiEndpoint: false, interfaceEndpoints: ["xray"] }));
    expect(resource(graph, VPC_ENDPOINT, "tagged-xray").inputs.tags).toMatchObject({ [ENDPOINT_OWNER_TAG]: ownerMark(pulumi.getProject(), pulumi.getStack(), "tagged") });
  });

  it("only warns when it cannot tell: several endpoints match, or the lookup is not allowed", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      const graph = await record(() => shared("unsure", { executeApiEndpoint: false, interfaceEndpoints: ["ssm", "kms"] }));
      expect(resource(graph, VPC_ENDPOINT, "unsure-ssm").inputs.subnetIds).toHaveLength(2);
      expect(resource(graph, VPC_ENDPOINT, "unsure-kms").inputs.subnetIds).toHaveLength(2);
      const texts = warn.mock.calls.map(([text]) => text);
      expect(texts).toContainEqual(expect.stringMatching(/^PrivateNetwork "unsure": interfaceEndpoints "ssm": existingVpc vpc-shared has several interface endpoints for com\.amazonaws\.us-east-1\.ssm; /));
      expect(texts).toContainEqual(
        expect.stringMatching(/^PrivateNetwork "unsure": interfaceEndpoints "kms": could not look up existingVpc vpc-shared's endpoints .*UnauthorizedOperation.*Give the role that runs preview ec2:DescribeVpcEndpoints/),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it("does not look endpoints up for a new VPC (none are there before the network)", async () => {
    asked.length = 0;
    await record(() => new PrivateNetwork("fresh", { availabilityZones: ["us-east-1a", "us-east-1b"], interfaceEndpoints: ["sqs"] }));
    expect(asked).toEqual([]);
  });
});
