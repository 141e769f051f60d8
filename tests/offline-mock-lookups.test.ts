/**
 * The offline mocks' own answers to the lookups PrivateNetwork and RelationalDatabase make at preview (review 90 #4,
 * #6), as an account holding the common case would: every AWS endpoint service offered in every zone of the account
 * (the lettered ones and every zone a getSubnet answer named, whichever came first), and any Aurora PostgreSQL version
 * asked for available. So plans and recordings that name no answers of their own stay as they were.
 */
import { beforeAll, expect, it } from "vitest";
import { PrivateNetwork } from "../components/private-network";
import { RelationalDatabase } from "../components/relational-database";
import { record, resource, useMocks } from "./harness/mocks";

const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";

beforeAll(() => useMocks());

it("offers an endpoint service in every subnet's zone of an existing VPC, so each endpoint keeps one subnet per zone", async () => {
  const graph = await record(
    () => new PrivateNetwork("net", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-x", "subnet-y"] }, interfaceEndpoints: ["sqs", "secretsmanager"] }),
  );
  for (const service of ["execute-api", "sqs", "secretsmanager"]) expect(resource(graph, VPC_ENDPOINT, `net-${service}`).inputs.subnetIds).toEqual(["subnet-x", "subnet-y"]);
});

it("offers an endpoint service in a new VPC's named zones", async () => {
  const graph = await record(() => new PrivateNetwork("named", { availabilityZones: ["us-east-1a", "us-east-1f"], interfaceEndpoints: ["xray"] }));
  expect(resource(graph, VPC_ENDPOINT, "named-xray").inputs.subnetIds).toHaveLength(2);
});

it("answers any engine version asked for as available", async () => {
  const graph = await record(() => new RelationalDatabase("db", { network: new PrivateNetwork("db-net", { executeApiEndpoint: false }), engineVersion: "17.4", finalSnapshot: false }));
  expect(resource(graph, "aws:rds/cluster:Cluster", "db-cluster").inputs.engineVersion).toBe("17.4");
});
