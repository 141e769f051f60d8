/**
 * LambdaVpcServiceReach on security groups: what passes (PrivateNetwork as it is, the ways of declaring a rule, what the
 * plan cannot judge) beside the one change that fails it. The failing fixtures are in fixtures/vpc.ts.
 */
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { PrivateNetwork } from "../../components/private-network";
import type { RecordedResource } from "../../local/offline/mocks";
import { byName, mutate, record } from "../../testing/harness";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { cidrRange } from "../../testing/deploy-rules/security-groups";
import { devContext, handBuilt, once, withInputs } from "./fixture";
import { dynamodbInterfaceEndpoint, handBuiltVpcFunction, securityGroup, vpcOne } from "./fixtures/vpc";

const reach = (graph: readonly RecordedResource[]) => checkDeployRules(graph, devContext).filter((f) => f.rule === "LambdaVpcServiceReach").map(formatFinding);
const HTTPS_TO = (to: Record<string, any>) => ({ protocol: "tcp", fromPort: 443, toPort: 443, ...to });
const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";

/** A PrivateNetwork and a function in it that reads a table, through the DynamoDB gateway endpoint. */
const privateReader = once(() =>
  record(() => {
    const network = new PrivateNetwork("gnet");
    new LambdaFunction("reader", { entry: "tests/fixtures/handlers/echo.ts", vpc: network.functionVpc, permissions: [{ actions: ["dynamodb:GetItem"], resources: [TABLE] }] });
  }),
);

/** A function behind a NAT gateway that calls DynamoDB, in group sg-nat, with `more` resources beside it. */
const natReader = (...more: RecordedResource[]) => [...handBuiltVpcFunction("natfn", { natGatewayId: "nat-1" }, ["dynamodb:GetItem"], ["sg-nat"]), securityGroup("sg-nat"), ...more];

describe("LambdaVpcServiceReach on security groups", () => {
  it("passes PrivateNetwork as it is (HTTPS to the VPC's CIDR and the gateway endpoints' prefix lists), and fails it without the prefix-list rule", async () => {
    const graph = await privateReader();
    expect(reach(graph)).toEqual([]);
    const cidrOnly = mutate(graph, byName("gnet-functions"), (r) => withInputs(r, { egress: r.inputs.egress.filter((rule: Record<string, any>) => !rule.prefixListIds) }));
    expect(reach(cidrOnly)).toEqual([
      expect.stringMatching(/^dev: \[LambdaVpcServiceReach\] aws:lambda\/function:Function reader-function: may call DynamoDB through the gateway endpoint gnet-dynamodb \(prefix list (pl-\w+)\), but its security groups \(gnet-functions sg-\w+\) allow no egress on TCP 443 to the DynamoDB prefix list \1 or to 0\.0\.0\.0\/0: its DynamoDB calls time out\. Fix: add an egress rule tcp 443 to the DynamoDB prefix list \1 .*aws\.ec2\.getPrefixList/),
    ]);
  });

  it("reads egress declared as separate resources: aws.vpc.SecurityGroupEgressRule (protocol -1, no ports) and aws.ec2.SecurityGroupRule (type egress)", () => {
    expect(reach(natReader())).toEqual([expect.stringMatching(/natfn: may call DynamoDB through a NAT gateway, but its security groups \(nat sg-nat\) allow no egress .* a security group created with no egress rules has none/)]);
    expect(reach(natReader(handBuilt("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "all-out", { securityGroupId: "sg-nat", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" })))).toEqual([]);
    expect(reach(natReader(handBuilt("aws:ec2/securityGroupRule:SecurityGroupRule", "tcp-out", { type: "egress", securityGroupId: "sg-nat", protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] })))).toEqual([]);
    // An ingress rule is no egress.
    expect(reach(natReader(handBuilt("aws:ec2/securityGroupRule:SecurityGroupRule", "tcp-in", { type: "ingress", securityGroupId: "sg-nat", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] })))).toHaveLength(1);
  });

  it("takes the union over the function's groups, and a CIDR with public addresses as reaching a service behind a NAT gateway (its addresses are not in the plan), a private one not", () => {
    const twoGroups = (egress: Record<string, any>[]) => [
      ...handBuiltVpcFunction("two", { natGatewayId: "nat-1" }, ["dynamodb:GetItem"], ["sg-a", "sg-b"]),
      securityGroup("sg-a", { egress: [HTTPS_TO({ cidrBlocks: ["10.0.0.0/16"] })] }),
      securityGroup("sg-b", { egress }),
    ];
    expect(reach(twoGroups([{ protocol: "all", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]))).toEqual([]);
    expect(reach(twoGroups([HTTPS_TO({ cidrBlocks: ["52.94.0.0/16"] })]))).toEqual([]);
    expect(reach(twoGroups([HTTPS_TO({ cidrBlocks: ["192.168.0.0/16"] })]))).toEqual([expect.stringMatching(/its security groups \(a sg-a, b sg-b\) allow no egress on TCP 443 to public addresses \(0\.0\.0\.0\/0\): its DynamoDB/)]);
  });

  it("does not judge a function with a security group the plan does not create, nor egress to a prefix list the plan does not identify", () => {
    expect(reach(natReader())).toHaveLength(1);
    const withOutsideGroup = natReader().map((r) => (r.name === "natfn" ? withInputs(r, { vpcConfig: { ...r.inputs.vpcConfig, securityGroupIds: ["sg-nat", "sg-0outside"] } }) : r));
    expect(reach(withOutsideGroup)).toEqual([]);
    expect(reach(natReader(handBuilt("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "to-list", { securityGroupId: "sg-nat", ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId: "pl-0customer" })))).toEqual([]);
  });

  describe("through a DynamoDB interface endpoint with private DNS", () => {
    const viaInterface = (functionEgress: Record<string, any>[], endpointGroups: string[] | undefined, ...more: RecordedResource[]) => [
      vpcOne(),
      ...handBuiltVpcFunction("ifn", undefined, ["dynamodb:GetItem"], ["sg-ifn"]),
      securityGroup("sg-ifn", { egress: functionEgress }),
      ...dynamodbInterfaceEndpoint(endpointGroups),
      ...more,
    ];

    it("passes egress to the endpoint's group and ingress from the function's group (aws.vpc.SecurityGroupIngressRule), and fails egress to another subnet only", () => {
      const ingress = handBuilt("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "from-fn", { securityGroupId: "sg-iep", ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: "sg-ifn" });
      expect(reach(viaInterface([HTTPS_TO({ securityGroups: ["sg-iep"] })], ["sg-iep"], securityGroup("sg-iep"), ingress))).toEqual([]);
      expect(reach(viaInterface([HTTPS_TO({ cidrBlocks: ["10.0.9.0/24"] })], ["sg-iep"], securityGroup("sg-iep"), ingress))).toEqual([
        expect.stringMatching(
          /ifn: may call DynamoDB through the interface endpoint ddb-interface \(private DNS\), but its security groups \(ifn sg-ifn\) allow no egress on TCP 443 to that endpoint \(its security groups sg-iep, or its subnets' addresses\): its DynamoDB calls time out\. Fix: .* 10\.0\.0\.0\/16$/,
        ),
      ]);
    });

    it("passes ingress from the VPC's CIDR (as PrivateNetwork's endpoints group has it), and does not judge a CIDR over part of the function's subnet", () => {
      expect(reach(viaInterface([HTTPS_TO({ cidrBlocks: ["10.0.0.0/16"] })], ["sg-iep"], securityGroup("sg-iep", { ingress: [HTTPS_TO({ cidrBlocks: ["10.0.0.0/16"] })] })))).toEqual([]);
      expect(reach(viaInterface([HTTPS_TO({ cidrBlocks: ["10.0.0.0/16"] })], ["sg-iep"], securityGroup("sg-iep", { ingress: [HTTPS_TO({ cidrBlocks: ["10.0.1.0/25"] })] })))).toEqual([]);
      expect(reach(viaInterface([HTTPS_TO({ cidrBlocks: ["10.0.0.0/16"] })], ["sg-iep"], securityGroup("sg-iep")))).toEqual([expect.stringMatching(/whose security groups \(iep sg-iep\) allow no ingress on TCP 443 from the function/)]);
    });

    it("does not judge the ingress of an endpoint created without security groups (AWS gives it the VPC's default group)", () => {
      expect(reach(viaInterface([HTTPS_TO({ cidrBlocks: ["10.0.0.0/16"] })], undefined))).toEqual([]);
    });
  });
});

describe("cidrRange", () => {
  it("reads an IPv4 CIDR as its first and last address, its host bits ignored, and nothing else", () => {
    expect(cidrRange("0.0.0.0/0")).toEqual([0, 2 ** 32 - 1]);
    expect(cidrRange("10.0.1.7/24")).toEqual([167772416, 167772671]);
    expect(cidrRange("::/0")).toBeUndefined();
    expect(cidrRange("10.0.0.256/8")).toBeUndefined();
  });
});
