/** VPC deploy rules: private DNS on interface endpoints, one endpoint per service in a VPC, private REST APIs' resource policy, Lambda functions in a VPC. */
import { ofType, policyDocument, asArray } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";

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

export const VPC_RULES: DeployRule[] = [VPC_ENDPOINT_PRIVATE_DNS, VPC_ENDPOINT_UNIQUE, PRIVATE_API_RESOURCE_POLICY, LAMBDA_VPC_CONFIG];
