/** VPC deploy rules: private DNS on interface endpoints, one endpoint per service in a VPC, private REST APIs' resource policy, Lambda functions in a VPC and what they can reach from it. */
import { ofType, policyDocument, asArray, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { iamMatches, roleGrants } from "./iam";
import { finding, referenced, type DeployFinding, type DeployRule } from "./rule";

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
 * DescribeNetworkInterfaces and DeleteNetworkInterface on the execution role, CreateFunction fails.
 */
export const LAMBDA_VPC_CONFIG: DeployRule = {
  id: "LambdaVpcConfig",
  title: "Lambda functions in a VPC have subnets, security groups and the ENI permissions",
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

/** The service name of a VPC endpoint, `com.amazonaws.<region>.<service>` → `<service>`. */
const endpointService = (endpoint: RecordedResource) => String(endpoint.inputs.serviceName ?? "").split(".").slice(3).join(".");

/** The DynamoDB actions the Lambda service calls for an event source mapping (outside the VPC), not the function's code. */
const STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

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
 * Security groups and network ACLs are not read; a route elsewhere than a NAT or internet gateway passes.
 */
export const LAMBDA_VPC_SERVICE_REACH: DeployRule = {
  id: "LambdaVpcServiceReach",
  title: "Lambda functions in a VPC the plan creates can reach the execute-api and DynamoDB endpoints their role lets them call",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const subnets = planSubnets(graph);
    const endpoints = ofType(graph, VPC_ENDPOINT);
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
      const posts = actions.some((a) => a !== "*" && iamMatches(a, "execute-api:ManageConnections", true));
      const dynamo = actions.some((a) => /^dynamodb:/i.test(a) && !STREAM_ACTIONS.some((stream) => iamMatches(a, stream, true) && !a.includes("*")));
      const withoutNat = ofFunction.filter((s) => s.internet === "none");
      const report = (problem: string, fix: string) => findings.push(finding("LambdaVpcServiceReach", fn, problem, fix));
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
      }
      if (dynamo) {
        const interfaceDns = endpoints.some((e) => inVpc(e) && e.inputs.vpcEndpointType === "Interface" && endpointService(e) === "dynamodb" && e.inputs.privateDnsEnabled === true);
        const gateways = endpoints.filter((e) => inVpc(e) && (e.inputs.vpcEndpointType ?? "Gateway") === "Gateway" && endpointService(e) === "dynamodb");
        const reaches = (s: PlanSubnet) =>
          s.internet !== "none" || interfaceDns || gateways.some((g) => (s.routeTableId === undefined ? asArray(g.inputs.routeTableIds).length > 0 : asArray(g.inputs.routeTableIds).includes(s.routeTableId)));
        const stranded = ofFunction.filter((s) => !reaches(s));
        if (stranded.length > 0) {
          report(
            `may call DynamoDB but runs in subnets (${stranded.length} of ${ofFunction.length}) with neither a NAT gateway route nor a DynamoDB gateway endpoint on their route table (nor an interface endpoint with private DNS): its DynamoDB calls time out`,
            "add an aws.ec2.VpcEndpoint for com.amazonaws.<region>.dynamodb (Gateway) with the subnets' route tables in routeTableIds (PrivateNetwork does), or a NAT gateway route",
          );
        }
      }
    }
    return findings;
  },
};

export const VPC_RULES: DeployRule[] = [VPC_ENDPOINT_PRIVATE_DNS, VPC_ENDPOINT_UNIQUE, PRIVATE_API_RESOURCE_POLICY, LAMBDA_VPC_CONFIG, LAMBDA_VPC_SERVICE_REACH];
