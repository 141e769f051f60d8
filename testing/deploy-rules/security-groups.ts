/**
 * Security groups as a plan declares them, for LambdaVpcServiceReach: each group the plan creates
 * (aws.ec2.SecurityGroup) with its rules, inline or as separate resources (aws.ec2.SecurityGroupRule,
 * aws.vpc.SecurityGroupEgressRule / SecurityGroupIngressRule), and whether those rules let HTTPS (TCP 443) reach a peer.
 *
 * What AWS and the provider do, which the reading below encodes:
 * - A security group has allow rules only, and an instance's traffic is allowed when a rule of any of its groups allows
 *   it: "When we decide whether to allow traffic to reach an instance, we evaluate all the rules from all the security
 *   groups that are associated with the instance" (EC2 User Guide, security groups page; the sentence as widely quoted,
 *   not read on the AWS page here); "You can specify allow rules, but not deny rules" (awsdocs/amazon-vpc-user-guide
 *   doc_source/VPC_SecurityGroups.md). So a function's egress is the union of its groups' egress rules.
 * - "By default, a security group includes an outbound rule that allows all outbound traffic. [...] If your security
 *   group has no outbound rules, no outbound traffic originating from your instance is allowed" (same file,
 *   the VPC User Guide's page https://docs.aws.amazon.com/vpc/latest/userguide/VPC_SecurityGroups.html) — but the provider removes that rule from
 *   every group it creates: resourceSecurityGroupCreate calls RevokeSecurityGroupEgress for 0.0.0.0/0 and ::/0 on
 *   protocol -1 ("AWS defaults all Security Groups to have an ALLOW ALL egress rule. Here we revoke that rule, so users
 *   don't unknowingly have/use it.", hashicorp/terraform-provider-aws internal/service/ec2/vpc_security_group.go), and
 *   pulumi-aws says so: "When creating a new Security Group inside a VPC, **this provider will remove this default
 *   rule**" (@pulumi/aws 7.48 ec2/securityGroup.d.ts, NOTE on Egress rules). A group created with no `egress` has none.
 * - Only IPv4 rules are read: "Endpoints support IPv4 traffic only" (doc_source/vpce-gateway.md and vpce-interface.md).
 */
import { asArray, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";

export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

/** One rule, in either direction, as the four ways of declaring one read: its protocol and ports, and its peers. */
export interface SecurityGroupRule {
  /** Lower case; "-1" for all protocols (`all` and `-1` in the provider), "tcp" for `tcp` and `6`. */
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
  /** IPv4 CIDR blocks (a value that is not a string is kept, and judged unknown). */
  cidrs: unknown[];
  prefixLists: unknown[];
  /** Security groups referenced as source or destination (`self` adds the rule's own group). */
  groups: unknown[];
}

export interface PlanSecurityGroup {
  resource: RecordedResource;
  id: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
}

const protocolOf = (value: unknown): unknown => {
  if (typeof value !== "string" && typeof value !== "number") return value;
  const protocol = String(value).toLowerCase();
  // The provider stores protocol numbers by name and `all` as -1 (vpc_security_group.go protocolStateFunc / ProtocolForValue).
  return protocol === "all" ? "-1" : protocol === "6" ? "tcp" : protocol;
};

/** An inline `ingress`/`egress` block of aws.ec2.SecurityGroup, or an aws.ec2.SecurityGroupRule (whose peer group is sourceSecurityGroupId). */
function classicRule(rule: Record<string, any>, ownGroup: string): SecurityGroupRule {
  return {
    protocol: protocolOf(rule.protocol),
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrs: asArray(rule.cidrBlocks),
    prefixLists: asArray(rule.prefixListIds),
    groups: [...asArray(rule.securityGroups), ...asArray(rule.sourceSecurityGroupId), ...(rule.self === true ? [ownGroup] : [])],
  };
}

/** An aws.vpc.SecurityGroupEgressRule / IngressRule: one peer each; with ipProtocol -1 it has no ports ("translates to all protocols, all port ranges"). */
function vpcRule(rule: Record<string, any>): SecurityGroupRule {
  return {
    protocol: protocolOf(rule.ipProtocol),
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrs: asArray(rule.cidrIpv4),
    prefixLists: asArray(rule.prefixListId),
    groups: asArray(rule.referencedSecurityGroupId),
  };
}

/** The security groups the plan creates, by id, each with its inline rules and those declared as separate resources. */
export function planSecurityGroups(graph: Graph): Map<string, PlanSecurityGroup> {
  const groups = new Map<string, PlanSecurityGroup>();
  for (const group of ofType(graph, SECURITY_GROUP)) {
    if (!group.id) continue;
    groups.set(group.id, {
      resource: group,
      id: group.id,
      ingress: asArray<Record<string, any>>(group.inputs.ingress).map((rule) => classicRule(rule, group.id!)),
      egress: asArray<Record<string, any>>(group.inputs.egress).map((rule) => classicRule(rule, group.id!)),
    });
  }
  for (const rule of ofType(graph, "aws:ec2/securityGroupRule:SecurityGroupRule")) {
    const group = groups.get(rule.inputs.securityGroupId);
    if (group && (rule.inputs.type === "ingress" || rule.inputs.type === "egress")) group[rule.inputs.type as "ingress" | "egress"].push(classicRule(rule.inputs, group.id));
  }
  for (const [type, direction] of [
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ingress"],
    ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress"],
  ] as const) {
    for (const rule of ofType(graph, type)) groups.get(rule.inputs.securityGroupId)?.[direction].push(vpcRule(rule.inputs));
  }
  return groups;
}

/** What a set of rules does for one kind of traffic: lets it through, keeps it out, or cannot be told from the plan. */
export type Verdict = "allowed" | "blocked" | "unknown";

/**
 * Where HTTPS goes or comes from. `public`: an AWS service's public addresses (through a NAT gateway or a gateway
 * endpoint), reached by `prefixList` (the service's, when known) or a CIDR holding public addresses. Otherwise the
 * ENIs of a resource in the VPC: in security groups `groups` (undefined when the plan cannot say, e.g. a VPC's default
 * group) and at addresses within `blocks` (undefined when unknown).
 */
export type Peer = { public: true; prefixList?: string } | { public: false; groups?: readonly string[]; blocks?: readonly string[] };

/** The context a rule's peers are judged in: the groups the plan creates, and the AWS prefix lists it knows (id → service). */
export interface PeerContext {
  groups: ReadonlyMap<string, PlanSecurityGroup>;
  prefixLists: ReadonlyMap<string, string>;
}

const HTTPS = 443;

function coversHttps(rule: SecurityGroupRule): Verdict {
  if (rule.protocol === "-1") return "allowed";
  if (typeof rule.protocol !== "string") return "unknown";
  if (rule.protocol !== "tcp") return "blocked";
  if (typeof rule.fromPort !== "number" || typeof rule.toPort !== "number") return "unknown";
  return rule.fromPort <= HTTPS && HTTPS <= rule.toPort ? "allowed" : "blocked";
}

/** An IPv4 CIDR as its first and last address (numbers), or undefined when it is not one. */
export function cidrRange(cidr: unknown): [number, number] | undefined {
  const match = typeof cidr === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim()) : null;
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((sum, o) => sum * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = address - (address % size);
  return [first, first + size - 1];
}

const contains = (outer: [number, number], inner: [number, number]) => outer[0] <= inner[0] && inner[1] <= outer[1];
const overlaps = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];

/**
 * Address ranges no AWS service's public endpoint is in (RFC 1918 private, shared 100.64/10, loopback, link-local): a
 * CIDR within them reaches no public address; any other may hold the service's (whose addresses the plan does not show).
 */
const NON_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"].map((c) => cidrRange(c)!);

function cidrReaches(cidr: unknown, peer: Peer): Verdict {
  const range = cidrRange(cidr);
  if (!range) return "unknown";
  if (peer.public) return NON_PUBLIC.some((block) => contains(block, range)) ? "blocked" : "allowed";
  if (range[0] === 0 && range[1] === 2 ** 32 - 1) return "allowed";
  if (!peer.blocks) return "unknown";
  const blocks = peer.blocks.map(cidrRange);
  if (blocks.some((b) => !b)) return "unknown";
  if (blocks.every((b) => contains(range, b!))) return "allowed";
  return blocks.some((b) => overlaps(range, b!)) ? "unknown" : "blocked";
}

function prefixListReaches(list: unknown, peer: Peer, context: PeerContext): Verdict {
  if (typeof list !== "string") return "unknown";
  if (peer.public && peer.prefixList === list) return "allowed";
  // Another AWS service's list (S3's for a DynamoDB call) holds that service's addresses only; a list the plan does not
  // identify (customer-managed) may hold anything.
  return context.prefixLists.has(list) ? "blocked" : "unknown";
}

function groupReaches(group: unknown, peer: Peer, context: PeerContext): Verdict {
  if (typeof group !== "string") return "unknown";
  // A group reference matches network interfaces in that group; an AWS service's public endpoint has none in the VPC.
  if (peer.public) return "blocked";
  if (peer.groups) return peer.groups.includes(group) ? "allowed" : "blocked";
  return context.groups.has(group) ? "blocked" : "unknown";
}

const combine = (verdicts: Verdict[], over: "any" | "all"): Verdict => {
  const win = over === "any" ? "allowed" : "blocked";
  if (verdicts.includes(win)) return win;
  return verdicts.includes("unknown") ? "unknown" : over === "any" ? "blocked" : "allowed";
};

/** Whether any of `rules` lets HTTPS reach (or come from) `peer`: allowed by one rule is allowed; no rule, blocked. */
export function httpsVerdict(rules: readonly SecurityGroupRule[], peer: Peer, context: PeerContext): Verdict {
  return combine(
    rules.map((rule) => {
      const peers = [...rule.cidrs.map((c) => cidrReaches(c, peer)), ...rule.prefixLists.map((p) => prefixListReaches(p, peer, context)), ...rule.groups.map((g) => groupReaches(g, peer, context))];
      return combine([coversHttps(rule), combine(peers, "any")], "all");
    }),
    "any",
  );
}

/** `name sg-id`, as findings name a group. */
export const groupLabel = (group: PlanSecurityGroup) => `${group.resource.name} ${group.id}`;
