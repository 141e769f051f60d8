/** VPC deploy rules: private DNS on interface endpoints, one endpoint per service in a VPC, private REST APIs' resource policy, Lambda functions in a VPC and what they can reach from it. */
import { ofType, policyDocument, asArray, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { actionMatches } from "../../components/iam-match";
import { LAMBDA_LIMITS } from "../../components/lambda/function";
import { roleGrants } from "./iam";
import { finding, referenced, type DeployFinding, type DeployRule } from "./rule";
import { groupLabel, httpsVerdict, planSecurityGroups, type Peer, type PeerContext, type PlanSecurityGroup } from "./security-groups";

/**
 * "To use private DNS, you must enable both DNS hostnames and DNS resolution for your VPC"; CreateVpcEndpoint refuses
 * PrivateDnsEnabled otherwise. An aws.ec2.Vpc leaves DNS hostnames off unless asked, and so does awsx.ec2.Vpc.
 */
export const VPC_ENDPOINT_PRIVATE_DNS: DeployRule = {
  id: "VpcEndpointPrivateDns",
  title: "Interface endpoints with private DNS are in VPCs with DNS support and DNS hostnames on",
  source: "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-private-dns",
  check(graph) {
    const vpcs = new Map<string, { resource: RecordedResource; support: boolean; hostnames: boolean }>();
    // The provider's defaults: DNS support on, DNS hostnames off; awsx passes its inputs through with the same defaults.
    for (const vpc of ofType(graph, "aws:ec2/vpc:Vpc")) if (vpc.id) vpcs.set(vpc.id, { resource: vpc, support: vpc.inputs.enableDnsSupport !== false, hostnames: vpc.inputs.enableDnsHostnames === true });
    for (const vpc of ofType(graph, "awsx:ec2:Vpc")) if (vpc.state.vpcId) vpcs.set(vpc.state.vpcId, { resource: vpc, support: vpc.inputs.enableDnsSupport !== false, hostnames: vpc.inputs.enableDnsHostnames === true });
    const findings: DeployFinding[] = [];
    for (const endpoint of ofType(graph, "aws:ec2/vpcEndpoint:VpcEndpoint")) {
      if (endpoint.inputs.vpcEndpointType !== "Interface" || endpoint.inputs.privateDnsEnabled !== true) continue;
      const vpc = vpcs.get(endpoint.inputs.vpcId);
      if (!vpc || (vpc.support && vpc.hostnames)) continue;
      const off = [...(vpc.support ? [] : ["DNS support"]), ...(vpc.hostnames ? [] : ["DNS hostnames"])].join(" and ");
      findings.push(finding("VpcEndpointPrivateDns", endpoint, `has private DNS in ${vpc.resource.type} ${vpc.resource.name}, which has ${off} off; AWS refuses the endpoint`, "set enableDnsSupport and enableDnsHostnames to true on the VPC"));
    }
    return findings;
  },
};

/**
 * A VPC holds one of each per service: "you cannot have multiple endpoint routes to the same service in a single route
 * table" (gateway endpoints: awsdocs/amazon-vpc-user-guide doc_source/vpce-gateway.md, "Routing for gateway endpoints";
 * CreateVpcEndpoint answers RouteAlreadyExists), and private DNS for an interface endpoint "associate[s] a private hosted
 * zone with the specified VPC" holding the service's Regional name (API_CreateVpcEndpoint.html, PrivateDnsEnabled), which
 * a second endpoint of the service cannot also associate: CreateVpcEndpoint answers "private-dns-enabled cannot be set
 * because there is already a conflicting DNS domain for <service name> in the VPC" (hashicorp/terraform-provider-aws#17535;
 * no AWS page states the one-per-VPC rule outright). Endpoints the VPC already has outside the plan are not seen here.
 * Keyed by VPC (and route table) id, which already names one account's VPC in one region: no region or accountScope key.
 */
export const VPC_ENDPOINT_UNIQUE: DeployRule = {
  id: "VpcEndpointUnique",
  title: "At most one interface endpoint with private DNS per VPC and service, and one gateway endpoint route per route table and service",
  source: "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const privateDns = new Map<string, RecordedResource>();
    const routes = new Map<string, RecordedResource>();
    for (const endpoint of ofType(graph, "aws:ec2/vpcEndpoint:VpcEndpoint")) {
      const { vpcId, serviceName } = endpoint.inputs;
      if (typeof vpcId !== "string" || typeof serviceName !== "string") continue;
      // The provider's default type is Gateway (vpc_endpoint.go `Default: awstypes.VpcEndpointTypeGateway`).
      const type = endpoint.inputs.vpcEndpointType ?? "Gateway";
      if (type === "Interface" && endpoint.inputs.privateDnsEnabled === true) {
        const key = JSON.stringify([vpcId, serviceName]);
        const first = privateDns.get(key);
        if (!first) privateDns.set(key, endpoint);
        else
          findings.push(
            finding(
              "VpcEndpointUnique",
              endpoint,
              `is a second interface endpoint with private DNS for ${serviceName} in VPC ${vpcId} (${first.name} is the first); the service's name in the VPC answers from one endpoint, and AWS refuses the second ("private-dns-enabled cannot be set because there is already a conflicting DNS domain")`,
              `keep one endpoint per service and VPC and share it (PrivateNetwork: executeApiEndpoint: false and the other's endpoint id, or leave the service out of interfaceEndpoints), or set privateDnsEnabled: false on this one`,
            ),
          );
      } else if (type === "Gateway") {
        // routeTableIds is a set in the provider (vpc_endpoint.go `Type: schema.TypeSet`): a table listed twice is sent once.
        for (const routeTable of new Set(asArray<string>(endpoint.inputs.routeTableIds))) {
          const key = JSON.stringify([vpcId, serviceName, routeTable]);
          const first = routes.get(key);
          if (!first) {
            routes.set(key, endpoint);
            continue;
          }
          findings.push(
            finding(
              "VpcEndpointUnique",
              endpoint,
              `is a second gateway endpoint for ${serviceName} on route table ${routeTable} (${first.name} has it); AWS keeps one endpoint route per service in a route table and refuses the second (RouteAlreadyExists)`,
              `give the route table to one of them only (routeTableIds), or keep one gateway endpoint (PrivateNetwork: existingVpc.gatewayEndpoints without this service)`,
            ),
          );
        }
      }
    }
    return findings;
  },
};

/** "For a private API, you can't deploy your API without a resource policy." */
export const PRIVATE_API_RESOURCE_POLICY: DeployRule = {
  id: "PrivateApiResourcePolicy",
  title: "Private REST APIs have a resource policy",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const api of ofType(graph, "aws:apigateway/restApi:RestApi")) {
      if (!asArray<string>(api.inputs.endpointConfiguration?.types).includes("PRIVATE") || api.inputs.policy) continue;
      if (ofType(graph, "aws:apigateway/restApiPolicy:RestApiPolicy").some((p) => p.inputs.restApiId === api.id)) continue;
      findings.push(finding("PrivateApiResourcePolicy", api, "is a PRIVATE API without a resource policy; API Gateway refuses to deploy it", "attach a policy allowing execute-api:Invoke through its VPC endpoints (ServerlessApi writes one from vpcEndpointIds)"));
    }
    return findings;
  },
};

/** The actions AWSLambdaVPCAccessExecutionRole grants that Lambda checks for at CreateFunction. */
const ENI_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"];
const ENI_MANAGED_POLICIES = /:iam::aws:policy\/service-role\/(AWSLambdaVPCAccessExecutionRole|AWSLambdaENIManagementAccess)$/;

/**
 * VpcConfig takes subnets and security groups together (an empty list of either is no VPC), and "Lambda uses your
 * function's permissions to create and manage network interfaces": without ec2:CreateNetworkInterface,
 * DescribeNetworkInterfaces and DeleteNetworkInterface on the execution role, CreateFunction fails. And at most 16 subnets
 * and 5 security groups: VpcConfig SubnetIds "Array Members: Maximum number of 16 items", SecurityGroupIds "Array
 * Members: Maximum number of 5 items" (https://docs.aws.amazon.com/lambda/latest/api/API_VpcConfig.html; LambdaFunction
 * refuses the same counts from LAMBDA_LIMITS.vpcIds), past which CreateFunction / UpdateFunctionConfiguration fail the
 * request's validation.
 */
export const LAMBDA_VPC_CONFIG: DeployRule = {
  id: "LambdaVpcConfig",
  title: "Lambda functions in a VPC have 1–16 subnets, 1–5 security groups and the ENI permissions",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function")) {
      const config = fn.inputs.vpcConfig;
      if (!config) continue;
      const subnets = asArray<string>(config.subnetIds);
      const groups = asArray<string>(config.securityGroupIds);
      if (subnets.length === 0 && groups.length === 0) continue;
      const report = (problem: string, fix: string) => findings.push(finding("LambdaVpcConfig", fn, problem, fix));
      if (subnets.length === 0) report("is in a VPC with no subnets", "name at least one subnet (one per AZ for availability)");
      if (groups.length === 0) report("is in a VPC with no security groups", "name at least one security group");
      const limits = LAMBDA_LIMITS.vpcIds;
      if (subnets.length > limits.subnetIds) {
        report(`is in ${subnets.length} subnets; Lambda's VpcConfig takes at most ${limits.subnetIds} subnet ids, so CreateFunction refuses it`, `use at most ${limits.subnetIds} subnets (one or two per Availability Zone is enough)`);
      }
      if (groups.length > limits.securityGroupIds) {
        report(`is in ${groups.length} security groups; Lambda's VpcConfig takes at most ${limits.securityGroupIds} security group ids, so CreateFunction refuses it`, `merge the groups' rules into at most ${limits.securityGroupIds} security groups`);
      }
      const role = graph.find((r) => r.type === "aws:iam/role:Role" && r.state.arn === fn.inputs.role);
      // A Lambda@Edge function cannot be in a VPC at all: LambdaEdgeFeatures reports that, not its permissions.
      if (!role || JSON.stringify(role.inputs.assumeRolePolicy ?? "").includes("edgelambda.amazonaws.com")) continue;
      const ofRole = (r: RecordedResource) => [role.id, role.state.name, role.state.arn].includes(r.inputs.role);
      const managed = graph.some((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && ofRole(r) && ENI_MANAGED_POLICIES.test(String(r.inputs.policyArn)));
      const inline = new Set(
        graph
          .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && ofRole(r))
          .flatMap((r) => policyDocument(r.inputs.policy).Statement.filter((s) => s.Effect === "Allow").flatMap((s) => asArray<string>(s.Action))),
      );
      const missing = ENI_ACTIONS.filter((action) => !inline.has(action));
      if (!managed && missing.length > 0) {
        report(`is in a VPC but its role ${role.name} may not ${missing.join(", ")}; Lambda refuses to create it`, "attach AWSLambdaVPCAccessExecutionRole to the role (LambdaFunction does with vpc)");
      }
    }
    return findings;
  },
};


const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";

/** Where a subnet of the plan sends traffic for the internet: through a NAT gateway, nowhere a function can use, or somewhere this pack cannot judge. */
type InternetRoute = "nat" | "none" | "unknown";

/** A subnet the plan creates: its VPC's id, its route to the internet, and its route table when the plan says which (undefined: any of the VPC's). */
interface PlanSubnet {
  vpcId: string;
  internet: InternetRoute;
  routeTableId?: string;
}

/** What a 0.0.0.0/0 route leads to: a NAT gateway; an internet gateway, which a function's network interface (no public IP) cannot use; or elsewhere (a transit gateway, a NAT instance, a peering), which this pack cannot follow. */
function defaultRouteTarget(route: Record<string, any>): InternetRoute {
  if (route.natGatewayId) return "nat";
  const elsewhere = ["transitGatewayId", "networkInterfaceId", "vpcPeeringConnectionId", "vpcEndpointId", "localGatewayId", "carrierGatewayId", "coreNetworkArn"];
  return elsewhere.some((field) => route[field]) ? "unknown" : "none";
}

/**
 * The subnets the plan creates. An awsx.ec2.Vpc (one resource in a recording) by its subnet types: "Isolated": "A
 * subnet whose hosts have no connectivity with the internet"; "Private": "can initiate outbound network traffic via a
 * NAT Gateway", unless the strategy is None: "Do not create any NAT Gateways. Resources in private subnets will not be
 * able to access the internet" (@pulumi/awsx types/enums/ec2); "Public" subnets route to an internet gateway, which a
 * function cannot use. An aws.ec2.Subnet by its route table (RouteTableAssociation) and that table's 0.0.0.0/0 route
 * (aws.ec2.Route or the table's inline routes); a subnet with no association in the plan (the VPC's main route table)
 * is left out.
 */
function planSubnets(graph: Graph): Map<string, PlanSubnet> {
  const subnets = new Map<string, PlanSubnet>();
  for (const vpc of ofType(graph, "awsx:ec2:Vpc")) {
    const vpcId = vpc.state.vpcId;
    if (typeof vpcId !== "string") continue;
    const privateRoute: InternetRoute = vpc.inputs.natGateways?.strategy === "None" ? "none" : "nat";
    for (const [field, internet] of [["isolatedSubnetIds", "none"], ["publicSubnetIds", "none"], ["privateSubnetIds", privateRoute]] as const) {
      for (const id of asArray<string>(vpc.state[field])) subnets.set(id, { vpcId, internet });
    }
  }
  const defaultRoutes = (tableId: string): InternetRoute[] => [
    ...ofType(graph, "aws:ec2/route:Route").filter((r) => r.inputs.routeTableId === tableId && r.inputs.destinationCidrBlock === "0.0.0.0/0").map((r) => defaultRouteTarget(r.inputs)),
    ...ofType(graph, "aws:ec2/routeTable:RouteTable")
      .filter((t) => t.id === tableId)
      .flatMap((t) => asArray<Record<string, any>>(t.inputs.routes).filter((r) => r.cidrBlock === "0.0.0.0/0").map(defaultRouteTarget)),
  ];
  for (const subnet of ofType(graph, "aws:ec2/subnet:Subnet")) {
    const association = ofType(graph, "aws:ec2/routeTableAssociation:RouteTableAssociation").find((a) => a.inputs.subnetId === subnet.id);
    if (!association || typeof subnet.inputs.vpcId !== "string") continue;
    const routes = defaultRoutes(association.inputs.routeTableId);
    const internet: InternetRoute = routes.includes("nat") ? "nat" : routes.includes("unknown") ? "unknown" : "none";
    subnets.set(subnet.id!, { vpcId: subnet.inputs.vpcId, internet, routeTableId: association.inputs.routeTableId });
  }
  return subnets;
}

/**
 * The IPv4 blocks the addresses of `subnetIds` lie in, or undefined when the plan does not say for one of them: an
 * aws.ec2.Subnet's `cidrBlock`; an awsx.ec2.Vpc's subnets lie in the VPC's `cidrBlock` ("Optional. Defaults to
 * 10.0.0.0/16", @pulumi/awsx ec2/vpc.d.ts VpcArgs.cidrBlock).
 */
function subnetBlocks(graph: Graph, subnetIds: readonly string[]): string[] | undefined {
  const blocks = subnetIds.map((id) => {
    const subnet = ofType(graph, "aws:ec2/subnet:Subnet").find((s) => s.id === id);
    if (subnet) return typeof subnet.inputs.cidrBlock === "string" ? subnet.inputs.cidrBlock : undefined;
    const vpc = ofType(graph, "awsx:ec2:Vpc").find((v) => ["privateSubnetIds", "publicSubnetIds", "isolatedSubnetIds"].some((field) => asArray(v.state[field]).includes(id)));
    return vpc ? (vpc.inputs.cidrBlock ?? "10.0.0.0/16") : undefined;
  });
  return blocks.every((b): b is string => typeof b === "string") ? [...new Set(blocks)] : undefined;
}

/** A VPC's primary CIDR block, for fixes that name it. */
function vpcCidr(graph: Graph, vpcId: string): string | undefined {
  const awsx = ofType(graph, "awsx:ec2:Vpc").find((v) => v.state.vpcId === vpcId);
  if (awsx) return awsx.inputs.cidrBlock ?? "10.0.0.0/16";
  const vpc = ofType(graph, "aws:ec2/vpc:Vpc").find((v) => v.id === vpcId);
  return typeof vpc?.inputs.cidrBlock === "string" ? vpc.inputs.cidrBlock : undefined;
}

/** The service name of a VPC endpoint, `com.amazonaws.<region>.<service>` → `<service>`. */
const endpointService = (endpoint: RecordedResource) => String(endpoint.inputs.serviceName ?? "").split(".").slice(3).join(".");

/** The DynamoDB actions the Lambda service calls for an event source mapping (outside the VPC), not the function's code. */
const STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

/** A service a function's role lets it call: its endpoint name, how findings name it and the call, and what a blocked call does. */
interface CalledService {
  id: string;
  label: string;
  action: string;
  failure: string;
}
const POSTS: CalledService = { id: "execute-api", label: "execute-api", action: "post to WebSocket connections (execute-api:ManageConnections)", failure: "PostToConnection times out" };
const DYNAMODB: CalledService = { id: "dynamodb", label: "DynamoDB", action: "call DynamoDB", failure: "its DynamoDB calls time out" };

/** How a function's HTTPS calls to one service leave its subnets, for judging its security groups. */
type ServicePath =
  /** Through a NAT gateway or a gateway endpoint, to the service's public addresses (`prefixList`: its gateway endpoint's list, when the plan has one). */
  | { kind: "public"; via: string; prefixList?: string }
  /** To an interface endpoint's network interfaces in the VPC (private DNS answers the service's name with them). */
  | { kind: "interface"; endpoint: RecordedResource };

/**
 * What the function's security groups (and an interface endpoint's) keep its HTTPS calls to `service` from: the
 * function's egress, the union over its groups, to the service's addresses on `path`; and, on an interface endpoint, the
 * endpoint's ingress from the function. Each problem and fix, for a finding; none when the rules allow the call or the
 * plan cannot tell (a CIDR partly over the target, a prefix list the plan does not identify, an endpoint with the VPC's
 * default security group).
 */
function securityGroupProblems(
  graph: Graph,
  groups: PlanSecurityGroup[],
  fn: { subnetIds: string[]; vpcId: string },
  service: CalledService,
  path: ServicePath,
  context: PeerContext,
): Array<[problem: string, fix: string]> {
  const egress = groups.flatMap((g) => g.egress);
  const names = groups.map(groupLabel).join(", ");
  // The provider leaves a group it creates with the egress rules the program declares only (security-groups.ts).
  const why = groups.every((g) => g.egress.length === 0) ? "a security group created with no egress rules has none (the provider removes AWS's default allow-all rule); " : "";
  const cidr = vpcCidr(graph, fn.vpcId) ?? "<the VPC's CIDR>";
  if (path.kind === "public") {
    const peer: Peer = { public: true, prefixList: path.prefixList };
    if (httpsVerdict(egress, peer, context) !== "blocked") return [];
    const to = path.prefixList ? `the ${service.label} prefix list ${path.prefixList} or to 0.0.0.0/0` : "public addresses (0.0.0.0/0)";
    const fix = path.prefixList
      ? `add an egress rule tcp 443 to the ${service.label} prefix list ${path.prefixList} (the gateway endpoint's prefixListId, or aws.ec2.getPrefixList({ name: "com.amazonaws.<region>.${service.id}" }).id; PrivateNetwork's functions group has it) or to 0.0.0.0/0 to one of its security groups`
      : `add an egress rule tcp 443 to 0.0.0.0/0 to one of its security groups (aws.vpc.SecurityGroupEgressRule with ipProtocol "tcp", fromPort 443, toPort 443, cidrIpv4 "0.0.0.0/0")`;
    return [[`may ${service.action} through ${path.via}, but its security groups (${names}) allow no egress on TCP 443 to ${to}: ${why}${service.failure}`, fix]];
  }
  const endpoint = path.endpoint;
  const endpointGroupIds = endpoint.inputs.securityGroupIds === undefined ? undefined : asArray<string>(endpoint.inputs.securityGroupIds);
  const problems: Array<[string, string]> = [];
  const toEndpoint: Peer = { public: false, groups: endpointGroupIds, blocks: subnetBlocks(graph, asArray<string>(endpoint.inputs.subnetIds)) };
  const through = `may ${service.action} through the interface endpoint ${endpoint.name} (private DNS)`;
  if (httpsVerdict(egress, toEndpoint, context) === "blocked") {
    problems.push([
      `${through}, but its security groups (${names}) allow no egress on TCP 443 to that endpoint (its security groups ${endpointGroupIds?.join(", ") ?? "(the VPC's default)"}, or its subnets' addresses): ${why}${service.failure}`,
      `add an egress rule tcp 443 to one of its security groups, to the endpoint's security group (referencedSecurityGroupId) or to the VPC's CIDR ${cidr}`,
    ]);
  }
  // An endpoint created without security groups gets the VPC's default one ("If you do not specify a security group, we
  // associate the default security group for the VPC", doc_source/vpce-interface.md), whose rules the plan does not show.
  const endpointGroups = endpointGroupIds?.map((id) => context.groups.get(id));
  if (!endpointGroups || endpointGroups.length === 0 || endpointGroups.some((g) => g === undefined)) return problems;
  const fromFunction: Peer = { public: false, groups: groups.map((g) => g.id), blocks: subnetBlocks(graph, fn.subnetIds) };
  if (httpsVerdict(endpointGroups.flatMap((g) => g!.ingress), fromFunction, context) === "blocked") {
    const addresses = fromFunction.blocks ? `, or its subnets' addresses ${fromFunction.blocks.join(", ")}` : "";
    problems.push([
      `${through}, whose security groups (${endpointGroups.map((g) => groupLabel(g!)).join(", ")}) allow no ingress on TCP 443 from the function (its security groups ${groups.map((g) => g.id).join(", ")}${addresses}): ${service.failure}`,
      `add an ingress rule tcp 443 to the endpoint's security group from the function's security group (aws.vpc.SecurityGroupIngressRule referencedSecurityGroupId) or from the VPC's CIDR ${cidr} (PrivateNetwork's endpoints group admits its VPC's CIDR)`,
    ]);
  }
  return problems;
}

/**
 * A function in a VPC reaches AWS services through that VPC: the subnets' route to a NAT gateway, or a VPC endpoint of
 * the service: a function connected to a VPC reaches the internet only as that VPC provides it, through a NAT gateway
 * from a private subnet; in a public subnet it gets no public IP address, so an internet gateway route does not serve it
 * (the Lambda guide's page on internet access for VPC functions, this rule's source; its exact wording was not read here).
 * Checked for functions whose subnets the plan creates (an awsx.ec2.Vpc, or aws.ec2.Subnet with its route table), on the
 * two services a function's role names in a way this pack can read:
 * - `execute-api:ManageConnections` (PostToConnection on a WebSocket API's `<api-id>.execute-api.<region>.amazonaws.com`).
 *   With an execute-api interface endpoint with private DNS in the VPC, that name resolves to the endpoint, and "Because
 *   VPC endpoints can route traffic only to private APIs, the result is an HTTP 403 error"
 *   (https://repost.aws/knowledge-center/api-gateway-vpc-connections; "If you turn on private DNS, you can't access the
 *   default endpoint for public APIs", apigateway-private-apis.html): a NAT gateway does not help. Without one, the
 *   public endpoint is reached only through a NAT gateway; an endpoint without private DNS routes to private APIs only.
 *   That the @connections API answers through the endpoint as a public REST API does is inferred, not stated by AWS.
 * - DynamoDB data actions (not the stream actions the Lambda service polls with): a NAT gateway, a DynamoDB gateway
 *   endpoint on the subnet's route table (any of the VPC's for an awsx subnet, whose table the plan does not name), or an
 *   interface endpoint with private DNS (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).
 * A route elsewhere than a NAT or internet gateway passes. Network ACLs are not read.
 *
 * Security groups the plan creates are read too (security-groups.ts), for a function whose groups are all the plan's:
 * "Lambda creates an elastic network interface for each combination of security group and subnet in your function's
 * VPC configuration" (awsdocs/aws-lambda-developer-guide doc_source/configuration-vpc.md), so its calls leave through
 * interfaces in its groups, and the union of their egress rules must allow TCP 443 to where the call goes:
 * - through a NAT gateway, to the service's public addresses: 0.0.0.0/0 (a CIDR with public addresses counts; the
 *   service's own addresses are not in the plan), or for DynamoDB its prefix list;
 * - through a DynamoDB gateway endpoint, to the DynamoDB prefix list or 0.0.0.0/0: the endpoint route's destination is
 *   the prefix list, which "logically represents the range of public IP addresses used by the service", and "If the VPC
 *   security group associated with your instance restricts outbound traffic, you must add a rule to allow traffic
 *   destined for the AWS service to leave your instance" (awsdocs/amazon-vpc-user-guide doc_source/vpce-gateway.md,
 *   "Routing for Gateway Endpoints" and "Modifying Your Security Group"; today's page is
 *   https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html, whose own wording was not read here);
 * - through a DynamoDB interface endpoint with private DNS, to the endpoint's network interfaces: its security group by
 *   reference, or a CIDR holding its subnets; and the endpoint's groups must admit TCP 443 from the function ("Ensure that
 *   the security group that's associated with the endpoint network interface allows communication between the endpoint
 *   network interface and the resources in your VPC that communicate with the service. If the security group restricts
 *   inbound HTTPS traffic (port 443) from resources in the VPC, you might not be able to send traffic through the
 *   endpoint network interface", doc_source/vpce-interface.md) unless it has none of its own (the VPC's default group).
 * Not judged: a function with a group the plan does not create, calls over a route to a transit gateway or peering.
 */
export const LAMBDA_VPC_SERVICE_REACH: DeployRule = {
  id: "LambdaVpcServiceReach",
  title: "Lambda functions in a VPC the plan creates can reach the execute-api and DynamoDB endpoints their role lets them call",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const subnets = planSubnets(graph);
    const endpoints = ofType(graph, VPC_ENDPOINT);
    const securityGroups = planSecurityGroups(graph);
    // The AWS prefix lists the plan knows, by the gateway endpoints that route them (mocks answer prefixListId as AWS does).
    const prefixLists = new Map(endpoints.filter((e) => typeof e.state.prefixListId === "string").map((e) => [e.state.prefixListId as string, endpointService(e)]));
    const peerContext: PeerContext = { groups: securityGroups, prefixLists };
    for (const fn of ofType(graph, "aws:lambda/function:Function")) {
      const ids = asArray<string>(fn.inputs.vpcConfig?.subnetIds);
      const placed = ids.map((id) => subnets.get(id));
      if (ids.length === 0 || placed.some((s) => s === undefined)) continue;
      const ofFunction = placed as PlanSubnet[];
      const vpcIds = new Set(ofFunction.map((s) => s.vpcId));
      const inVpc = (e: RecordedResource) => vpcIds.has(e.inputs.vpcId);
      const role = referenced(graph, "aws:iam/role:Role", fn.inputs.role);
      if (!role) continue;
      const actions = roleGrants(graph, role).grants.flatMap(({ statement }) => asArray<string>(statement.Action));
      const posts = actions.some((a) => a !== "*" && actionMatches(a, "execute-api:ManageConnections"));
      const dynamo = actions.some((a) => /^dynamodb:/i.test(a) && !STREAM_ACTIONS.some((stream) => actionMatches(a, stream) && !a.includes("*")));
      const withoutNat = ofFunction.filter((s) => s.internet === "none");
      const report = (problem: string, fix: string) => findings.push(finding("LambdaVpcServiceReach", fn, problem, fix));
      // Its security groups, when the plan creates every one (an id the plan does not know: not judged).
      const groupIds = asArray<string>(fn.inputs.vpcConfig?.securityGroupIds);
      const groups = groupIds.map((id) => securityGroups.get(id));
      const judgeGroups = (service: CalledService, path: ServicePath) => {
        if (groups.length === 0 || groups.some((g) => g === undefined) || vpcIds.size !== 1) return;
        for (const [problem, fix] of securityGroupProblems(graph, groups as PlanSecurityGroup[], { subnetIds: ids, vpcId: [...vpcIds][0] }, service, path, peerContext)) report(problem, fix);
      };
      if (posts) {
        const privateDns = endpoints.find((e) => inVpc(e) && e.inputs.vpcEndpointType === "Interface" && endpointService(e) === "execute-api" && e.inputs.privateDnsEnabled === true);
        if (privateDns) {
          report(
            `may post to WebSocket connections (execute-api:ManageConnections) but runs in a VPC whose execute-api endpoint ${privateDns.name} has private DNS: inside the VPC <api-id>.execute-api.<region>.amazonaws.com resolves to that endpoint, which routes only to private APIs, so PostToConnection answers 403 Forbidden, with or without a NAT gateway`,
            "keep the function that posts out of the VPC (RealtimeApi: function: { vpc: undefined } on that route), or turn private DNS off on the execute-api endpoint (private APIs are then called through its endpoint-specific name) and give the subnets a NAT gateway route",
          );
        } else if (withoutNat.length > 0) {
          report(
            `may post to WebSocket connections (execute-api:ManageConnections) but runs in subnets with no route to a NAT gateway (${withoutNat.length} of ${ofFunction.length}): a WebSocket API's @connections endpoint is public, a function in a VPC has no public address, and a VPC endpoint reaches private APIs only, so PostToConnection times out`,
            "give the subnets a 0.0.0.0/0 route to a NAT gateway (awsx: Private subnets with a NAT strategy), or keep the function that posts out of the VPC",
          );
        }
        if (!privateDns && ofFunction.some((s) => s.internet === "nat")) judgeGroups(POSTS, { kind: "public", via: "a NAT gateway" });
      }
      if (dynamo) {
        const interfaceDns = endpoints.find((e) => inVpc(e) && e.inputs.vpcEndpointType === "Interface" && endpointService(e) === "dynamodb" && e.inputs.privateDnsEnabled === true);
        const gateways = endpoints.filter((e) => inVpc(e) && (e.inputs.vpcEndpointType ?? "Gateway") === "Gateway" && endpointService(e) === "dynamodb");
        const gatewayOf = (s: PlanSubnet) => gateways.find((g) => (s.routeTableId === undefined ? asArray(g.inputs.routeTableIds).length > 0 : asArray(g.inputs.routeTableIds).includes(s.routeTableId)));
        const reaches = (s: PlanSubnet) => s.internet !== "none" || interfaceDns !== undefined || gatewayOf(s) !== undefined;
        const stranded = ofFunction.filter((s) => !reaches(s));
        if (stranded.length > 0) {
          report(
            `may call DynamoDB but runs in subnets (${stranded.length} of ${ofFunction.length}) with neither a NAT gateway route nor a DynamoDB gateway endpoint on their route table (nor an interface endpoint with private DNS): its DynamoDB calls time out`,
            "add an aws.ec2.VpcEndpoint for com.amazonaws.<region>.dynamodb (Gateway) with the subnets' route tables in routeTableIds (PrivateNetwork does), or a NAT gateway route",
          );
        }
        if (interfaceDns) judgeGroups(DYNAMODB, { kind: "interface", endpoint: interfaceDns });
        else {
          // A gateway endpoint's route wins over a NAT gateway's 0.0.0.0/0: "We use the most specific route that matches the
          // traffic to determine how to route the traffic (longest prefix match)" (doc_source/vpce-gateway.md). Either way
          // the call goes to DynamoDB's public addresses, which its prefix list holds.
          const gateway = ofFunction.map(gatewayOf).find((g) => g !== undefined);
          const nat = ofFunction.some((s) => gatewayOf(s) === undefined && s.internet === "nat");
          const prefixList = (gateway ?? endpoints.find((e) => endpointService(e) === "dynamodb" && typeof e.state.prefixListId === "string"))?.state.prefixListId;
          const gatewayName = gateway && `the gateway endpoint ${gateway.name}${typeof gateway.state.prefixListId === "string" ? ` (prefix list ${gateway.state.prefixListId})` : ""}`;
          const via = [...(gatewayName ? [gatewayName] : []), ...(nat ? ["a NAT gateway"] : [])].join(" and ");
          if (via) judgeGroups(DYNAMODB, { kind: "public", via, prefixList });
        }
      }
    }
    return findings;
  },
};

export const VPC_RULES: DeployRule[] = [VPC_ENDPOINT_PRIVATE_DNS, VPC_ENDPOINT_UNIQUE, PRIVATE_API_RESOURCE_POLICY, LAMBDA_VPC_CONFIG, LAMBDA_VPC_SERVICE_REACH];
