/**
 * PrivateNetwork: where a PRIVATE ServerlessApi answers and where functions run off the internet. A VPC
 * (`awsx.ec2.Vpc`, isolated subnets and no NAT gateway, or an existing VPC by id), an `execute-api` interface
 * endpoint with private DNS for the API, interface endpoints for the other AWS services the functions call, and
 * DynamoDB and S3 gateway endpoints (free) so data traffic stays on AWS's network.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "./autoname";
import { type ArgFailure, argFailer } from "./errors";
import type { FunctionVpc } from "./lambda/function";
import { checkWholeNumberInRange, type RangeRefusal } from "./ranges";
import { validateRegionArg } from "./region";

/** The services AWS offers gateway endpoints for (free, on route tables) that PrivateNetwork creates them for. */
export type GatewayEndpointService = "dynamodb" | "s3";
const GATEWAY_SERVICES: readonly GatewayEndpointService[] = ["dynamodb", "s3"];

export interface ExistingVpc {
  /**
   * `vpc-…`; it must have DNS support and DNS hostnames on (private DNS for the endpoints needs both), and no interface
   * endpoint with private DNS of its own for the services this network creates one for (docs/private-network.md):
   * both refused at preview (an endpoint lookup that fails, or finds several, only warns).
   */
  vpcId: pulumi.Input<string>;
  /**
   * Subnets (`subnet-…`) for the functions, at least one, several per AZ allowed. The interface endpoints take the first
   * listed subnet of each AZ: an endpoint takes one subnet per AZ.
   */
  subnetIds: pulumi.Input<string>[];
  /** Route tables the gateway endpoints are added to. @default every route table of the VPC */
  routeTableIds?: pulumi.Input<string>[];
  /**
   * The services given a gateway endpoint on `routeTableIds`. Leave out one whose gateway endpoint the VPC already
   * routes those route tables through (a route table takes one endpoint route per service); the functions may reach
   * both services' prefix lists either way.
   * @default ["dynamodb", "s3"]
   */
  gatewayEndpoints?: GatewayEndpointService[];
}

export interface PrivateNetworkArgs {
  /** Use this VPC instead of creating one. @default a new VPC (awsx.ec2.Vpc) */
  existingVpc?: ExistingVpc;
  /**
   * The new VPC's CIDR block: /16 to /28 (EC2's range for a VPC), and big enough that each zone's subnet is a /28 or
   * larger (awsx splits the block evenly over the next power of two of the zones, and gives each zone a /24 subnet, or
   * its whole share when that is smaller). Fixed for the life of the network: a change replaces the VPC.
   * @default "10.0.0.0/16"
   */
  cidrBlock?: string;
  /**
   * Availability zones of the new VPC's subnets (each interface endpoint is billed per AZ): how many, taken from the
   * first the region lists, or which, by name (`["us-west-2a", "us-west-2b"]`). A count is refused at preview when the
   * zones it takes include a Local or Wavelength Zone the account opted in to, which the region lists first: name the
   * zones there (docs/private-network.md).
   * @default 2
   */
  availabilityZones?: number | string[];
  /** Create the `execute-api` interface endpoint (private DNS on) that PRIVATE APIs answer through. @default true */
  executeApiEndpoint?: boolean;
  /**
   * Further interface endpoints by service (`secretsmanager`, `ssm`, `xray`, `sqs`, …): every AWS service functions
   * in the VPC call besides DynamoDB and S3 (which get gateway endpoints). Without NAT, nothing else is reachable.
   * Each endpoint (execute-api's too) takes a subnet in each of the network's zones its service is offered in, looked
   * up at preview (getVpcEndpointService; in the provider's region only): a zone the service is not offered in is
   * left out with a warning (functions there reach the endpoint in another zone), and a service offered in none of the
   * zones is refused.
   * @default []
   */
  interfaceEndpoints?: string[];
  /** @default the provider's region */
  region?: string;
}

export interface PrivateNetworkSpec {
  name: string;
  existing: boolean;
  cidrBlock: string;
  /** How many. */
  availabilityZones: number;
  /** Which, when named. */
  availabilityZoneNames?: string[];
  executeApiEndpoint: boolean;
  interfaceEndpoints: string[];
  /** The services that get a gateway endpoint here (both, unless `existingVpc.gatewayEndpoints` names fewer). */
  gatewayEndpoints: GatewayEndpointService[];
  region?: string;
}

const SERVICE = /^[a-z0-9][a-z0-9.-]*$/;

/**
 * Availability zones of a new VPC: PrivateNetwork's own bound, not an EC2 API limit. awsx's Vpc spreads the subnets
 * over the first `numberOfAvailabilityZones` zones of the region ("defaults to the first 3 AZs in the current region",
 * @pulumi/awsx ec2/vpc.d.ts); six is the most a region is taken to have here (us-east-1's), which no AWS document found
 * states as a maximum. Fewer in the region itself: countedZonesProblem, checked at preview. "Zones" as getAvailabilityZones
 * lists them, unfiltered: an account's opted-in Local Zones count too, and are refused when awsx would take one
 * (docs/private-network.md).
 */
const AVAILABILITY_ZONES = { min: 1, max: 6 } as const;

/**
 * Why an existing VPC (as `aws.ec2.getVpc` reports it) cannot take interface endpoints with private DNS, or undefined:
 * both DNS attributes must be on (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-private-dns).
 */
export function vpcDnsProblem(name: string, vpc: { id: string; enableDnsSupport?: boolean; enableDnsHostnames?: boolean }): string | undefined {
  if (vpc.enableDnsSupport !== false && vpc.enableDnsHostnames !== false) return undefined;
  return (
    `PrivateNetwork "${name}": existingVpc ${vpc.id} has enableDnsSupport=${vpc.enableDnsSupport} and enableDnsHostnames=${vpc.enableDnsHostnames}; ` +
    "private DNS on its interface endpoints needs both. Turn both on for the VPC (aws ec2 modify-vpc-attribute)."
  );
}

/**
 * The subnets an interface endpoint takes from a list: the first listed of each Availability Zone, in the list's order.
 * "You can't select multiple subnets from the same Availability Zone"
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html); CreateVpcEndpoint answers
 * DuplicateSubnetsInSameZone ("VPC endpoint subnets should be in different availability zones supported by the VPC
 * endpoint service", quoted in terraform-aws-modules/terraform-aws-vpc#583). Lambda takes several subnets per AZ.
 */
export function oneSubnetPerZone(subnets: readonly { id: string; availabilityZone: string }[]): string[] {
  const firstInZone = new Map<string, string>();
  for (const subnet of subnets) if (!firstInZone.has(subnet.availabilityZone)) firstInZone.set(subnet.availabilityZone, subnet.id);
  return [...firstInZone.values()];
}

/**
 * The subnets an interface endpoint for a service takes: of `subnets` (in order, each with the zone it is in, or
 * undefined when the zone is not known at preview), those in a zone the service is offered in, one per zone
 * (oneSubnetPerZone). EC2 refuses a subnet of a zone the endpoint service does not support: CreateVpcEndpoint answers
 * "The VPC endpoint service com.amazonaws.<region>.<service> does not support the availability zone of the subnet"
 * (quoted in awslabs/aws-orbit-workbench#320 for lambda and terraform-aws-modules/terraform-aws-vpc#785 for
 * email-smtp); "the Availability Zones in which the service is supported" are DescribeVpcEndpointServices'
 * ServiceDetail.AvailabilityZones (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ServiceDetail.html),
 * what aws.ec2.getVpcEndpointService reports as availabilityZones. `offered` undefined: not known, every subnet kept.
 * `skipped`: the network's zones the service is not offered in (their subnets reach the endpoint in another zone).
 */
export function offeredEndpointSubnets(
  subnets: readonly { id: string; availabilityZone?: string }[],
  offered: readonly string[] | undefined,
): { ids: string[]; skipped: string[] } {
  // A subnet whose zone is not known stands for a zone of its own (kept, never merged with another).
  const onePerZone = (list: readonly { id: string; availabilityZone?: string }[]) => oneSubnetPerZone(list.map((subnet, index) => ({ id: subnet.id, availabilityZone: subnet.availabilityZone ?? `#${index}` })));
  if (offered === undefined) return { ids: onePerZone(subnets), skipped: [] };
  const known = (subnet: { availabilityZone?: string }) => subnet.availabilityZone === undefined || offered.includes(subnet.availabilityZone);
  const skipped = [...new Set(subnets.filter((subnet) => !known(subnet)).map((subnet) => subnet.availabilityZone!))];
  return { ids: onePerZone(subnets.filter(known)), skipped };
}

/**
 * Why a new VPC cannot take the `zones` zones awsx's Vpc would give it in a region whose zones `aws.getAvailabilityZones`
 * lists as `names`, or undefined. awsx makes the same lookup when it is constructed, at `pulumi preview` too, and takes
 * `names.slice(0, zones)` (pulumi/pulumi-awsx awsx/ec2/vpc.ts `getDefaultAzs`, unchanged from v3.8.0 to its latest
 * source). Refused here, in PrivateNetwork's words rather than awsx's (which name awsx's own arguments):
 * - more zones than the lookup lists: awsx throws "The configured region for this provider does not have at least N
 *   Availability Zones. Either specify an explicit list of zones in availabilityZoneNames or …";
 * - a taken zone that is not one of the region's Availability Zones (isRegionZone): an account's opted-in Local and
 *   Wavelength Zones are in the unfiltered list, and sort before the region's Availability Zones (terraform-provider-aws
 *   ec2_availability_zones_data_source.go sorts by name, and "us-west-2-lax-1a" < "us-west-2a"), so awsx would put
 *   subnets, and this network its interface endpoints, there. Which services each Local Zone offers is listed zone by
 *   zone (https://docs.aws.amazon.com/local-zones/latest/ug/how-local-zones-work.html): not what "N zones" asks for.
 * An answer without names is left to awsx, which says the region could not be read; one without a region cannot be
 * told apart (the lookup's result carries one).
 */
export function countedZonesProblem(zones: number, region: string | undefined, names: readonly string[] | undefined): RangeRefusal | undefined {
  if (names === undefined) return undefined;
  const where = region ?? "the region";
  if (names.length < zones) {
    return {
      problem: `is more than the ${names.length} availability zone${names.length === 1 ? "" : "s"} ${where} has${names.length > 0 ? ` (${names.join(", ")})` : ""}; the new VPC puts a subnet in each of ${zones}`,
      fix: names.length > 0 ? `Use availabilityZones: ${names.length} or fewer, or a region with ${zones} or more.` : `Use a region with ${zones} or more.`,
    };
  }
  if (region === undefined) return undefined;
  const outside = names.slice(0, zones).filter((name) => !isRegionZone(region, name));
  if (outside.length === 0) return undefined;
  const regionZones = names.filter((name) => isRegionZone(region, name));
  const named = regionZones.slice(0, zones);
  const list = `[${named.map((name) => JSON.stringify(name)).join(", ")}]`;
  return {
    problem:
      `takes the first ${zones} zone${zones === 1 ? "" : "s"} ${region} lists, and ${outside.join(", ")} ` +
      (outside.length === 1 ? `is not an Availability Zone of ${region} but a Local or Wavelength Zone` : `are not Availability Zones of ${region} but Local or Wavelength Zones`) +
      " the account opted in to, which the region lists first; the new VPC's subnets and interface endpoints would be there",
    fix:
      named.length === 0
        ? `Name Availability Zones of ${region} in availabilityZones; the lookup lists none.`
        : `Name the zones instead${named.length < zones ? `, at most ${named.length} here` : ""}: availabilityZones: ${list} (${region}'s Availability Zones: ${regionZones.join(", ")}).`,
  };
}

/**
 * Whether `name` is an Availability Zone of `region`. "The code for an Availability Zone is its Region
 * code followed by a letter identifier" (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html);
 * a Local Zone's name goes on from its group's (us-west-2-lax-1a), a Wavelength Zone's too. The name is what tells them
 * apart here: getAvailabilityZones gives no type per zone, and its groupNames is a set of the groups, not a list beside
 * the names (terraform-provider-aws ec2_availability_zones_data_source.go: `group_names` TypeSet).
 */
function isRegionZone(region: string, name: string): boolean {
  return name.length === region.length + 1 && name.startsWith(region) && /[a-z]$/.test(name);
}

/**
 * The tag every interface endpoint of a network carries, whose value names the network (ownerMark): how the network
 * tells its own endpoint from another's in the VPC when its endpoint security group's id is unknown at preview (the
 * group replaced by the update; review 108).
 */
export const ENDPOINT_OWNER_TAG = "serverless-fullstack:private-network";

/** The value of ENDPOINT_OWNER_TAG for network `name` of this project and stack: a digest, within a tag value's 256 characters. */
export function ownerMark(project: string, stack: string, name: string): string {
  return createHash("sha256").update(`${project}/${stack}/${name}`).digest("hex").slice(0, 32);
}

/**
 * The id of `found`, an existing VPC's interface endpoint for a service (as aws.ec2.getVpcEndpoint reports it), when it
 * has private DNS and is not the network's own. Its own carries the network's endpoint security group, whose id is known
 * at the preview of an update (the group exists) but not at that of the first deploy (`ownGroupId` undefined, when the
 * network has no endpoint yet) nor of an update that replaces the group; and, once deployed by this version, the
 * network's ENDPOINT_OWNER_TAG (endpoints made before carry no tag, so the group is still read). Undefined: no conflict.
 */
export function conflictingPrivateDnsEndpoint(
  found: { id?: string; privateDnsEnabled?: boolean; securityGroupIds?: string[]; tags?: Record<string, string> },
  ownGroupId: string | undefined,
  ownMark?: string,
): string | undefined {
  if (found.privateDnsEnabled !== true || found.id === undefined) return undefined;
  if (ownGroupId !== undefined && (found.securityGroupIds ?? []).includes(ownGroupId)) return undefined;
  if (ownMark !== undefined && found.tags?.[ENDPOINT_OWNER_TAG] === ownMark) return undefined;
  return found.id;
}

/**
 * `output`'s value, or undefined while it is unknown (a resource's id at the preview that creates it), so a check can go
 * on at preview without it. Read through the Output's `isKnown` and `promise(withUnknowns)`, which @pulumi/pulumi's
 * OutputImpl has (output.js) but does not declare in its types.
 */
export function knownOrUndefined(output: pulumi.Output<string>): pulumi.Output<string | undefined> {
  const inner = output as unknown as { isKnown?: Promise<boolean>; promise?(withUnknowns?: boolean): Promise<string> };
  // An SDK without these (they are internal) reads as unknown: the check then relies on the owner tag.
  if (!(inner.isKnown instanceof Promise) || typeof inner.promise !== "function") return pulumi.output(undefined);
  return pulumi.output(Promise.all([inner.isKnown, inner.promise(true)]).then(([known, value]) => (known ? value : undefined)));
}

/** The argument that asks for the interface endpoint of `service`, and its value there (refusals and warnings name them). */
function endpointArgument(service: string): { argument: string; value: string | boolean } {
  return service === "execute-api" ? { argument: "executeApiEndpoint", value: true } : { argument: "interfaceEndpoints", value: service };
}

/** An availability zone's name as EC2 gives it: its region's name and a letter, or a Local Zone's ("us-west-2-lax-1a"). */
const ZONE_NAME = /^[a-z]{2}(?:-[a-z0-9]+)+[a-z]$/;

/** The network's two security groups: their logical names' suffixes and descriptions, one source for creating and checking them. */
const SECURITY_GROUPS = {
  endpoints: { suffix: "endpoints", description: (name: string) => `${name}: HTTPS from the VPC to its interface endpoints` },
  functions: { suffix: "functions", description: (name: string) => `${name}: functions in the VPC, HTTPS to the VPC endpoints only` },
} as const;

/**
 * The component name as its security groups carry it: in their autonamed GroupName (validateAutonames: 255, EC2's
 * characters, no "sg-" first) and their GroupDescription, which EC2 also takes "Up to 255 characters in length"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html); a longer one fails `pulumi up`
 * with the VPC made. The description's characters are the name's, which validateAutonames already holds to EC2's set.
 */
function validateSecurityGroupNames(fail: ArgFailure, name: string): void {
  validateAutonames(fail, name, Object.values(SECURITY_GROUPS).map(({ suffix }) => ({ resource: `${name}-${suffix}`, kind: "security-group" as const })));
  const longest = Object.values(SECURITY_GROUPS).map(({ description }) => description(name)).reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > 255) {
    fail("name", name, `makes the security group description "${longest.slice(0, 40)}…" ${longest.length} characters, over EC2's 255 (CreateSecurityGroup GroupDescription)`, `Use a component name of at most ${255 - (longest.length - name.length)} characters.`);
  }
}

/**
 * Named zones: AVAILABILITY_ZONES' count of distinct zone names, each of `region` when the network names one (a zone's
 * name begins with its region's). Whether the account has them is known only to EC2: awsx's Vpc takes them as given.
 */
function validateZoneNames(fail: ArgFailure, names: unknown[], region: string | undefined): void {
  const { min, max } = AVAILABILITY_ZONES;
  if (names.length < min || names.length > max) fail("availabilityZones", names, `names ${names.length} zones; PrivateNetwork's range is ${min}–${max}`, `Name from ${min} to ${max} zones, e.g. ["us-east-1a", "us-east-1b"].`);
  for (const name of names) {
    if (typeof name !== "string" || !ZONE_NAME.test(name)) fail("availabilityZones", name, "is not an availability zone's name", 'Use a zone name as EC2 gives it, e.g. "us-east-1a".');
    if (region !== undefined && !(name as string).startsWith(region)) fail("availabilityZones", name, `is not a zone of region ${region}`, `Name zones of ${region} (${region}a, ${region}b, …).`);
  }
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) fail("availabilityZones", repeated, "is named twice; each zone gets one subnet", "Name each zone once.");
}

/**
 * A VPC's IPv4 block: "The smallest VPC you can create uses a /28 netmask (16 IPv4 addresses), and the largest uses a
 * /16 netmask (65,536 IPv4 addresses)" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpc.html); and
 * "The allowed size for an IPv4 subnet is between a /28 netmask (16 IP addresses) and a /16 netmask (65,536 IP
 * addresses)" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html).
 */
export const VPC_CIDR_MASK = { min: 16, max: 28 } as const;

/**
 * The mask of the isolated subnet awsx's Vpc gives each zone of a `vpcMask` VPC. Its default (Legacy) layout splits the
 * VPC evenly over the next power of two of the zones, and gives the isolated subnet the larger of that block and a
 * /24: pulumi/pulumi-awsx awsx/ec2/subnetDistributorLegacy.ts `getSubnetSpecsLegacy`, `newBitsPerAZ =
 * Math.log2(nextPow2(azNames.length))`, `isolatedCidrMask = Math.max(baseSubnetMask + newBitsPerSubnet, 24)` with one
 * subnet spec (newBitsPerSubnet 0). awsx throws only past /32 (`cidrSubnetV4`), so a subnet below /28 reaches EC2.
 */
export function awsxSubnetMask(vpcMask: number, zones: number): number {
  return Math.max(vpcMask + Math.ceil(Math.log2(Math.max(zones, 1))), 24);
}

/**
 * A new VPC's `cidrBlock`: an IPv4 CIDR block `a.b.c.d/n` with no host bits set, n within VPC_CIDR_MASK, and big
 * enough that awsx's subnet for each of `zones` zones is a /28 or larger (awsxSubnetMask). Host bits: awsx computes
 * each zone's subnet from the address as given (`cidrSubnetV4` adds to `ipv4.bigInteger()`), so "10.0.0.1/16" would
 * give subnets such as 10.0.0.1/24; what EC2 answers to that is not confirmed, and refused here.
 */
export function validateCidrBlock(fail: ArgFailure, cidrBlock: unknown, zones: number): void {
  const match = typeof cidrBlock === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidrBlock) : null;
  const octets = match ? match.slice(1, 5).map(Number) : [];
  if (!match || octets.some((octet) => octet > 255) || Number(match[5]) > 32) {
    fail("cidrBlock", cidrBlock, "is not an IPv4 CIDR block (a.b.c.d/n)", 'Use a private range such as "10.0.0.0/16".');
  }
  const mask = Number(match![5]);
  const { min, max } = VPC_CIDR_MASK;
  // The most a VPC split over `zones` zones may have and still give each a /28 subnet.
  const maxForZones = max - Math.ceil(Math.log2(Math.max(zones, 1)));
  if (mask < min || mask > max) {
    fail(
      "cidrBlock",
      cidrBlock,
      `is a /${mask}; a VPC's IPv4 block is /${min} to /${max} ("The smallest VPC you can create uses a /28 netmask …, and the largest uses a /16 netmask", CreateVpc)`,
      `Use a /${min} to /${maxForZones} block, e.g. "10.0.0.0/16".`,
    );
  }
  const subnetMask = awsxSubnetMask(mask, zones);
  if (subnetMask > max) {
    fail(
      "cidrBlock",
      cidrBlock,
      `(/${mask}) split over ${zones} availability zones gives each zone a /${subnetMask} subnet, smaller than the /${max} a subnet needs, so CreateSubnet would refuse it after the VPC exists`,
      `Use a /${maxForZones} block or larger, or fewer availabilityZones.`,
    );
  }
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const hostBits = address % 2 ** (32 - mask);
  if (hostBits !== 0) {
    const network = address - hostBits;
    const text = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    fail("cidrBlock", cidrBlock, `has host bits set: a /${mask} block starts at ${text}, and the subnets are laid out from the address given`, `Use "${text}/${mask}".`);
  }
}

/** What PrivateNetwork uses of `@pulumi/awsx`'s `ec2.Vpc`. */
export interface AwsxVpc extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly isolatedSubnetIds: pulumi.Output<string[]>;
}

/**
 * `@pulumi/awsx` is an optional peer dependency (it brings the Docker providers along): loaded only when a new VPC
 * is made, so programs that never create one, or pass `existingVpc`, don't install it.
 */
function loadAwsx(name: string): { ec2: { Vpc: new (name: string, args: Record<string, unknown>, opts?: pulumi.ComponentResourceOptions) => AwsxVpc } } {
  try {
    return require("@pulumi/awsx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(`PrivateNetwork "${name}": creating a VPC needs @pulumi/awsx, which is not installed. Run \`npm install @pulumi/awsx\`, or pass existingVpc.`);
  }
}

/**
 * @example
 * const network = new PrivateNetwork("network", { interfaceEndpoints: ["secretsmanager"] });
 * new ServerlessApi("internal", { endpointType: "PRIVATE", vpcEndpointIds: [network.executeApiEndpointId!],
 *   functionDefaults: { vpc: network.functionVpc }, routes: { ... } });
 */
export class PrivateNetwork extends pulumi.ComponentResource {
  readonly spec: PrivateNetworkSpec;
  readonly vpcId: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string[]>;
  /**
   * On an existing VPC, the Availability Zone of each `existingVpc.subnetIds` entry, in order, as getSubnet reports it
   * at preview (what a DB subnet group's two-zone rule is judged on, RelationalDatabase); undefined for a new VPC,
   * whose zones are `spec.availabilityZones`.
   */
  readonly subnetZones?: pulumi.Output<string[]>;
  /** The execute-api interface endpoint's id (`vpce-…`), for ServerlessApi `vpcEndpointIds`. */
  readonly executeApiEndpointId?: pulumi.Output<string>;
  /** Subnets and the functions' security group, for LambdaFunction (or ServerlessApi `functionDefaults`) `vpc`. */
  readonly functionVpc: FunctionVpc;
  readonly nodes: {
    readonly vpc?: AwsxVpc;
    readonly endpointSecurityGroup: aws.ec2.SecurityGroup;
    readonly functionSecurityGroup: aws.ec2.SecurityGroup;
    readonly interfaceEndpoints: ReadonlyMap<string, aws.ec2.VpcEndpoint>;
    readonly gatewayEndpoints: ReadonlyMap<string, aws.ec2.VpcEndpoint>;
  };

  constructor(name: string, args: PrivateNetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:PrivateNetwork", name, {}, opts);
    const fail = argFailer("PrivateNetwork", name);
    validateRegionArg(fail, "region", args.region);
    validateSecurityGroupNames(fail, name);
    const names = Array.isArray(args.availabilityZones) ? args.availabilityZones : undefined;
    if (names) validateZoneNames(fail, names, args.region);
    else {
      checkWholeNumberInRange(fail, "availabilityZones", args.availabilityZones, AVAILABILITY_ZONES, {
        limit: "PrivateNetwork's range",
        unit: "availability zones",
        fix: `Use 2 (or 3) availability zones, at most ${AVAILABILITY_ZONES.max}.`,
      });
    }
    const zones = names?.length ?? (args.availabilityZones as number | undefined) ?? 2;
    if (args.cidrBlock !== undefined && !args.existingVpc) validateCidrBlock(fail, args.cidrBlock, zones);
    if (args.existingVpc) {
      if (args.existingVpc.subnetIds.length === 0) fail("existingVpc.subnetIds", [], "is empty; endpoints and functions need at least one subnet", "Name at least one private subnet (two or more AZs).");
      if (args.cidrBlock || args.availabilityZones) fail("existingVpc", args.existingVpc.vpcId, "is set with cidrBlock or availabilityZones, which only shape a new VPC", "Drop cidrBlock and availabilityZones.");
      for (const service of args.existingVpc.gatewayEndpoints ?? []) {
        if (!GATEWAY_SERVICES.includes(service)) fail("existingVpc.gatewayEndpoints", service, "is not a gateway endpoint service", 'Name "dynamodb" and/or "s3"; other services take interfaceEndpoints.');
      }
    }
    for (const service of args.interfaceEndpoints ?? []) {
      if (!SERVICE.test(service) || service.startsWith("com.")) fail("interfaceEndpoints", service, "is not a service name", 'Use the short name, e.g. "secretsmanager" (com.amazonaws.<region>. is added).');
      if (service === "dynamodb" || service === "s3" || service === "execute-api") fail("interfaceEndpoints", service, "has its own endpoint here", "Drop it: DynamoDB and S3 get gateway endpoints, execute-api comes with executeApiEndpoint.");
    }
    this.spec = {
      name,
      existing: args.existingVpc !== undefined,
      cidrBlock: args.cidrBlock ?? "10.0.0.0/16",
      availabilityZones: zones,
      ...(names ? { availabilityZoneNames: [...names] } : {}),
      executeApiEndpoint: args.executeApiEndpoint ?? true,
      interfaceEndpoints: [...new Set(args.interfaceEndpoints ?? [])],
      gatewayEndpoints: GATEWAY_SERVICES.filter((service) => (args.existingVpc?.gatewayEndpoints ?? GATEWAY_SERVICES).includes(service)),
      region: args.region,
    };
    // The provider's region: where data sources without a region argument look (getVpcEndpointService).
    const providerRegion = aws.getRegionOutput({}, { parent: this }).region;
    const region = pulumi.output(args.region ?? providerRegion);

    const network = args.existingVpc ? this.existing(args.existingVpc) : this.created(name, fail);
    const endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-${SECURITY_GROUPS.endpoints.suffix}`,
      {
        vpcId: network.vpcId,
        description: SECURITY_GROUPS.endpoints.description(name),
        ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: network.cidrBlocks }],
        region: args.region,
      },
      { parent: this },
    );
    // The network's mark on its endpoints, and what checkNoPrivateDnsEndpoint tells its own endpoints by.
    const mark = ownerMark(pulumi.getProject(), pulumi.getStack(), name);
    const interfaceEndpoints = new Map<string, aws.ec2.VpcEndpoint>();
    for (const service of [...(this.spec.executeApiEndpoint ? ["execute-api"] : []), ...this.spec.interfaceEndpoints]) {
      interfaceEndpoints.set(
        service,
        new aws.ec2.VpcEndpoint(
          `${name}-${service.replace(/\./g, "-")}`,
          {
            vpcId: network.vpcId,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
            vpcEndpointType: "Interface",
            // Private DNS answers the service's public name inside the VPC; it needs enableDnsSupport and
            // enableDnsHostnames on the VPC (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-private-dns).
            privateDnsEnabled: true,
            subnetIds: args.existingVpc
              ? pulumi
                  .all([this.endpointSubnetIds(service, network, region, providerRegion, fail), this.checkNoPrivateDnsEndpoint(service, network.vpcId, region, endpointSecurityGroup.id, mark, fail)])
                  .apply(([ids]) => ids)
              : this.endpointSubnetIds(service, network, region, providerRegion, fail),
            securityGroupIds: [endpointSecurityGroup.id],
            region: args.region,
            tags: { [ENDPOINT_OWNER_TAG]: mark },
          },
          { parent: this },
        ),
      );
    }
    const gatewayEndpoints = new Map<string, aws.ec2.VpcEndpoint>();
    for (const service of this.spec.gatewayEndpoints) {
      gatewayEndpoints.set(
        service,
        new aws.ec2.VpcEndpoint(
          `${name}-${service}`,
          { vpcId: network.vpcId, serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`, vpcEndpointType: "Gateway", routeTableIds: network.routeTableIds, region: args.region },
          { parent: this },
        ),
      );
    }
    // Functions only reach AWS services, over HTTPS: the interface endpoints in the VPC and the gateway endpoints' prefix
    // lists; a service whose gateway endpoint the existing VPC has already is reached through its AWS-managed prefix list,
    // the one every gateway endpoint for the service routes, looked up by the service's name as the provider reads an
    // endpoint's prefix_list_id (terraform-provider-aws internal/service/ec2/vpc_endpoint.go: findPrefixListByName).
    const prefixListIds = GATEWAY_SERVICES.map(
      (service) => gatewayEndpoints.get(service)?.prefixListId ?? aws.ec2.getPrefixListOutput({ name: pulumi.interpolate`com.amazonaws.${region}.${service}`, region: args.region }, { parent: this }).id,
    );
    const functionSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-${SECURITY_GROUPS.functions.suffix}`,
      {
        vpcId: network.vpcId,
        description: SECURITY_GROUPS.functions.description(name),
        egress: [
          { description: "HTTPS to the interface endpoints", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: network.cidrBlocks },
          { description: "HTTPS to DynamoDB and S3 (gateway endpoints)", protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds },
        ],
        region: args.region,
      },
      { parent: this },
    );

    this.nodes = { vpc: network.vpc, endpointSecurityGroup, functionSecurityGroup, interfaceEndpoints, gatewayEndpoints };
    this.vpcId = network.vpcId;
    this.subnetIds = network.subnetIds;
    this.subnetZones = network.subnetZones;
    this.executeApiEndpointId = interfaceEndpoints.get("execute-api")?.id;
    this.functionVpc = { subnetIds: network.subnetIds, securityGroupIds: [functionSecurityGroup.id] };
    this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds, executeApiEndpointId: this.executeApiEndpointId });
  }

  /**
   * The subnets of `network` the interface endpoint for `service` takes: one per zone, in the zones the service is
   * offered in (offeredEndpointSubnets). The service's zones are looked up once per endpoint (one getVpcEndpointService
   * per service, the network being in one region), once the network's zones are known: at preview for named zones, the
   * counted zones' getAvailabilityZones and an existing VPC's getSubnet answers; not at all when they are unknown (a
   * counted zone lookup without names, which awsx then refuses). Refused at preview when the service is offered in none
   * of the network's zones; a zone it is not offered in is left out with a warning (an endpoint's subnet of one zone
   * serves the whole VPC: its private DNS name resolves to the endpoint's interfaces, reached across zones).
   * Not judged in a region other than the provider's: getVpcEndpointService takes no region (pulumi-aws 7.48), and
   * reports availabilityZones "Not available for endpoint services in other regions" (its serviceRegions).
   */
  private endpointSubnetIds(
    service: string,
    network: { endpointZones: pulumi.Output<string[] | undefined>; endpointSubnets: pulumi.Output<{ id: string; availabilityZone?: string }[]> },
    region: pulumi.Output<string>,
    providerRegion: pulumi.Output<string>,
    fail: ArgFailure,
  ): pulumi.Output<string[]> {
    const offered = pulumi.all([network.endpointZones, region, providerRegion]).apply(([zones, where, provider]) =>
      zones === undefined || where !== provider
        ? undefined
        : aws.ec2.getVpcEndpointService({ service, serviceType: "Interface" }, { parent: this }).then(
            (found) => ({ zones: found.availabilityZones ?? [], serviceName: found.serviceName }),
            (error: unknown) => this.endpointServiceLookupFailed(service, where, error, fail),
          ),
    );
    const checked = pulumi.all([network.endpointZones, offered]).apply(([zones, found]) => {
      if (zones === undefined || found === undefined) return undefined;
      const missing = zones.filter((zone) => !found.zones.includes(zone));
      const { argument, value } = endpointArgument(service);
      if (missing.length === zones.length) {
        fail(
          argument,
          value,
          `asks for an interface endpoint of ${found.serviceName}, which is not offered in any of the network's Availability Zones (${zones.join(", ")}; the service lists ${found.zones.length > 0 ? found.zones.join(", ") : "none"}), so CreateVpcEndpoint would refuse every subnet ("does not support the availability zone of the subnet")`,
          this.spec.existing
            ? `Add to existingVpc.subnetIds a subnet of a zone the service is offered in${found.zones.length > 0 ? ` (${found.zones.join(", ")})` : ""}, or ${service === "execute-api" ? "set executeApiEndpoint: false" : `drop "${service}"`}.`
            : `Name zones the service is offered in${found.zones.length > 0 ? `, e.g. availabilityZones: [${found.zones.slice(0, Math.max(2, zones.length)).map((zone) => JSON.stringify(zone)).join(", ")}]` : ""}, or ${service === "execute-api" ? "set executeApiEndpoint: false" : `drop "${service}"`}.`,
        );
      }
      if (missing.length > 0) {
        pulumi.log.warn(
          `PrivateNetwork "${this.spec.name}": ${found.serviceName} is not offered in ${missing.join(", ")}; its interface endpoint is placed in ${zones.filter((zone) => !missing.includes(zone)).join(", ")} only, ` +
            "and functions in the other zones reach it across zones (private DNS resolves to the endpoint's interfaces).",
          this,
        );
      }
      return found.zones;
    });
    return pulumi.all([network.endpointSubnets, checked]).apply(([subnets, zones]) => offeredEndpointSubnets(subnets, zones).ids);
  }

  /**
   * The component's own message for a failed getVpcEndpointService (review 95, F7), rather than the provider's text.
   * The data source fails for a name EC2 does not list as an interface endpoint service in the region (a typo, or a
   * service the region lacks): "reading EC2 VPC Endpoint Services: couldn't find resource"
   * (terraform-aws-modules/terraform-aws-vpc#946, provider 5.x), "no matching VPC Endpoint Service found" (#642),
   * or EC2's InvalidServiceName "The Vpc Endpoint Service '…' does not exist" (hashicorp/terraform-provider-aws#24216).
   * The exact wording of pulumi-aws 7.48's provider is not confirmed here; anything else is a failed lookup (credentials,
   * throttling), named as such.
   */
  private endpointServiceLookupFailed(service: string, region: string, error: unknown, fail: ArgFailure): never {
    const message = error instanceof Error ? error.message : String(error);
    const { argument, value } = endpointArgument(service);
    if (/couldn't find resource|no matching|InvalidServiceName|does not exist/i.test(message)) {
      fail(argument, value, `is not an interface endpoint service in ${region} (DescribeVpcEndpointServices lists no com.amazonaws.${region}.${service}), so CreateVpcEndpoint would refuse it`,
        `Check the name: aws ec2 describe-vpc-endpoint-services --region ${region} --filters Name=service-type,Values=Interface --query "ServiceNames" (e.g. "secretsmanager", "sqs"), or drop "${service}".`);
    }
    fail(argument, value, `could not be looked up in ${region} at preview (getVpcEndpointService: ${message})`,
      "Give the role that runs preview ec2:DescribeVpcEndpointServices (PrivateNetwork checks each endpoint service's zones with it), or run it again if EC2 throttled the call.");
  }

  /**
   * An existing VPC: refused at preview (under `pulumi up` without one, once the endpoint security group exists, before
   * any endpoint is created) when it already has an interface endpoint with
   * private DNS for `service` that is not this network's own (conflictingPrivateDnsEndpoint, by `ownGroupId` or `ownMark`, the
   * network's ENDPOINT_OWNER_TAG value). EC2 allows one private DNS
   * name per service in a VPC: CreateVpcEndpoint with private DNS refuses a second ("private-dns-enabled cannot be set
   * because there is already a conflicting DNS domain for <service> in the VPC", hashicorp/terraform-provider-aws#17269,
   * #17535), after the security groups and the other endpoints exist. Looked up with getVpcEndpoint (DescribeVpcEndpoints
   * by vpc-id, service-name, vpc-endpoint-type and vpc-endpoint-state, filters its API reference lists), in `region`.
   * The data source fails unless exactly one endpoint matches (terraform-provider-aws
   * internal/service/ec2/vpc_endpoint_data_source.go, tfresource.SingularDataSourceFindError): "no matching EC2 VPC
   * Endpoint found" passes; "multiple EC2 VPC Endpoints matched" cannot be told apart (DescribeVpcEndpoints has no filter
   * on private DNS), and neither can a lookup that fails otherwise (no ec2:DescribeVpcEndpoints): both warn, and leave it
   * to CreateVpcEndpoint.
   */
  private checkNoPrivateDnsEndpoint(service: string, vpcId: pulumi.Output<string>, region: pulumi.Output<string>, ownGroupId: pulumi.Output<string>, ownMark: string, fail: ArgFailure): pulumi.Output<void> {
    const { argument, value } = endpointArgument(service);
    const warn = (text: string) => pulumi.log.warn(`PrivateNetwork "${this.spec.name}": ${argument} ${JSON.stringify(value)}: ${text}`, this);
    return pulumi.all([vpcId, region, knownOrUndefined(ownGroupId)]).apply(([vpc, where, ownGroup]) => {
      const serviceName = `com.amazonaws.${where}.${service}`;
      return aws.ec2
        .getVpcEndpoint(
          { vpcId: vpc, serviceName, vpcEndpointType: "Interface", filters: [{ name: "vpc-endpoint-state", values: ["available", "pending", "pendingAcceptance"] }], region: this.spec.region },
          { parent: this },
        )
        .then(
          (found) => {
            const conflict = conflictingPrivateDnsEndpoint(found, ownGroup, ownMark);
            if (conflict === undefined) return;
            fail(
              argument,
              value,
              `asks for an interface endpoint with private DNS for ${serviceName}, but existingVpc ${vpc} already has one (${conflict}), so CreateVpcEndpoint would refuse a second ("private-dns-enabled cannot be set because there is already a conflicting DNS domain"), after the security groups and other endpoints exist`,
              service === "execute-api"
                ? `Use the existing endpoint: set executeApiEndpoint: false and pass "${conflict}" in the PRIVATE ServerlessApi's vpcEndpointIds (its security group must allow HTTPS from existingVpc.subnetIds).`
                : `Drop "${service}" from interfaceEndpoints: ${conflict}'s private DNS already answers ${service}'s name in the VPC, and the functions' security group allows HTTPS to the VPC's CIDR blocks (its own security group must allow HTTPS from existingVpc.subnetIds).`,
            );
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            if (/no matching/i.test(message)) return;
            if (/multiple .* matched/i.test(message)) {
              warn(`existingVpc ${vpc} has several interface endpoints for ${serviceName}; if one of them (not this network's) has private DNS, CreateVpcEndpoint will refuse this one ("conflicting DNS domain"). Check with aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=${vpc} Name=service-name,Values=${serviceName}.`);
              return;
            }
            warn(`could not look up existingVpc ${vpc}'s endpoints for ${serviceName} at preview (getVpcEndpoint: ${message}); an endpoint with private DNS there would make CreateVpcEndpoint refuse this one. Give the role that runs preview ec2:DescribeVpcEndpoints to have it checked.`);
          },
        );
    });
  }

  /** A new VPC: isolated subnets only (no internet gateway, no NAT gateway and its hourly charge), DNS on for private DNS. */
  private created(name: string, fail: ArgFailure) {
    const zones = this.spec.availabilityZones;
    const names = this.spec.availabilityZoneNames;
    // Named zones go to awsx as they are: it looks nothing up for them.
    if (names) return this.createdVpc(name, { availabilityZoneNames: names }, [], pulumi.output(names));
    // The same lookup as awsx's (no filter), so both count and take the same zones; the VPC waits for it, so that this
    // refusal, not awsx's or a subnet in a Local Zone, is what a region with too few zones, or Local Zones first, gets.
    const found = aws.getAvailabilityZonesOutput({ region: this.spec.region }, { parent: this });
    const zoneCheck = found.apply((found) => {
      const refusal = countedZonesProblem(zones, found.region ?? this.spec.region, found.names);
      if (refusal) fail("availabilityZones", zones, refusal.problem, refusal.fix);
      return [];
    });
    // The zones awsx takes (getDefaultAzs: the first `zones` names); undefined when the lookup lists no names.
    return this.createdVpc(name, { numberOfAvailabilityZones: zones }, zoneCheck, found.names.apply((names) => names?.slice(0, zones)));
  }

  /** The new VPC itself, in the zones `zoneArgs` gives awsx (how many, or which), `zoneNames` by name when known. */
  private createdVpc(
    name: string,
    zoneArgs: { numberOfAvailabilityZones: number } | { availabilityZoneNames: string[] },
    dependsOn: pulumi.Input<pulumi.Resource[]>,
    zoneNames: pulumi.Output<string[] | undefined>,
  ) {
    const vpc: AwsxVpc = new (loadAwsx(this.spec.name).ec2.Vpc)(
      `${name}-vpc`,
      {
        cidrBlock: this.spec.cidrBlock,
        ...zoneArgs,
        // awsx leaves DNS hostnames off by default; private DNS on the interface endpoints needs both.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        natGateways: { strategy: "None" },
        subnetSpecs: [{ type: "Isolated", name: "private" }],
        // In the region of the endpoints and security groups that name it (unset: the provider's, as theirs).
        region: this.spec.region,
      },
      { parent: this, dependsOn },
    );
    return {
      vpc,
      vpcId: vpc.vpcId,
      subnetIds: vpc.isolatedSubnetIds,
      // One isolated subnet per AZ already, in the zones' order: awsx makes the subnets zone by zone (`for (let i = 0;
      // i < availabilityZones.length; i++)`, pushing each isolated subnet's id to isolatedSubnetIds; pulumi/pulumi-awsx
      // awsx/ec2/vpc.ts), one isolated subnet spec here.
      endpointZones: zoneNames,
      endpointSubnets: pulumi
        .all([vpc.isolatedSubnetIds, zoneNames])
        .apply(([ids, zones]) => ids.map((id, index): { id: string; availabilityZone?: string } => ({ id, availabilityZone: zones?.[index] }))),
      cidrBlocks: pulumi.output([this.spec.cidrBlock]),
      routeTableIds: aws.ec2.getRouteTablesOutput({ vpcId: vpc.vpcId, region: this.spec.region }, { parent: this }).ids,
      subnetZones: undefined,
    };
  }

  /**
   * An existing VPC: its CIDR blocks for the security groups, its DNS attributes checked before any endpoint is created, and
   * its subnets' AZs (getSubnet), so the interface endpoints get one subnet per AZ while the functions get them all.
   * Every lookup is in `region`, where the endpoints are: under the provider's region a VPC of another region is not
   * found, and getRouteTables, a plural data source, would find no route tables rather than fail.
   */
  private existing(existing: ExistingVpc) {
    const region = this.spec.region;
    const found = aws.ec2.getVpcOutput({ id: existing.vpcId, region }, { parent: this });
    // getVpc reports the attributes once the VPC is known: a VPC with either off stops the deploy before any endpoint.
    const vpcId = found.apply((vpc) => {
      const problem = vpcDnsProblem(this.spec.name, vpc);
      if (problem) throw new Error(problem);
      return vpc.id;
    });
    const subnets = pulumi.all(existing.subnetIds.map((id) => aws.ec2.getSubnetOutput({ id, region }, { parent: this })));
    return {
      vpc: undefined,
      vpcId,
      subnetIds: pulumi.output(existing.subnetIds),
      endpointZones: subnets.apply((found): string[] | undefined => [...new Set(found.map((subnet) => subnet.availabilityZone))]),
      endpointSubnets: subnets.apply((found) => found.map((subnet): { id: string; availabilityZone?: string } => ({ id: subnet.id, availabilityZone: subnet.availabilityZone }))),
      subnetZones: subnets.apply((found) => found.map((subnet) => subnet.availabilityZone)),
      // Every IPv4 block of the VPC, not only the primary one (review 95, F9): a subnet carved from a secondary block
      // (AssociateVpcCidrBlock) must reach the endpoints too. DescribeVpcs lists the primary block among
      // CidrBlockAssociationSet; a block being removed, removed or failed (VpcCidrBlockState "associating | associated |
      // disassociating | disassociated | failing | failed",
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcCidrBlockState.html) is left out.
      cidrBlocks: found.apply((vpc) => [
        ...new Set([
          vpc.cidrBlock,
          ...(vpc.cidrBlockAssociations ?? []).filter((block) => !["disassociating", "disassociated", "failing", "failed"].includes(block.state)).map((block) => block.cidrBlock),
        ]),
      ]),
      // Each route table once: the provider sends route_table_ids as a set (terraform-provider-aws
      // internal/service/ec2/vpc_endpoint.go: `"route_table_ids": { Type: schema.TypeSet`, and CreateVpcEndpoint gets
      // `flex.ExpandStringValueSet(v.(*schema.Set))`), so a table listed twice gets one route; the plan shows the same.
      routeTableIds: existing.routeTableIds
        ? pulumi.all(existing.routeTableIds).apply((ids) => [...new Set(ids)])
        : aws.ec2.getRouteTablesOutput({ vpcId: existing.vpcId, region }, { parent: this }).ids,
    };
  }
}
