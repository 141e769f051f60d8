/**
 * What an IAM role allows, read off the recorded plan: the rules that check a service will be let in when it checks a
 * role at create time (Lambda destinations and stream mappings, Scheduler targets, API Gateway's CloudWatch role) share
 * this one reading of inline, RolePolicy and managed policies and of IAM's wildcards.
 */
import { asArray, ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { referenced } from "./rule";

/** IAM's wildcard match of `value` against `pattern`: `*` is any run of characters, `?` any one (actions match case-insensitively). */
export function iamMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const body = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`, ignoreCase ? "i" : "").test(value);
}

/** An Allow statement a role holds, with the resource that gives it: a RolePolicy, the Role (its inline policies) or a RolePolicyAttachment. */
export interface RoleGrant {
  statement: Record<string, any>;
  carrier: RecordedResource;
}

/**
 * The actions of AmazonAPIGatewayPushToCloudWatchLogs, which "has all the required permissions" for API Gateway's
 * CloudWatch role: the one list ApiGatewayAccountRole asks of a role without the policy, and the policy's document below.
 */
export const PUSH_TO_CLOUDWATCH_ACTIONS: readonly string[] = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"];

/**
 * The AWS managed policies roles are given here (LambdaFunction attaches the VPC one, ServerlessApi the API Gateway
 * account's CloudWatch one) or by the Lambda docs (the DynamoDB one), as AWS publishes them:
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaDynamoDBExecutionRole.html,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonAPIGatewayPushToCloudWatchLogs.html.
 */
const AWS_MANAGED_POLICIES: Record<string, Record<string, any>> = {
  "service-role/AWSLambdaVPCAccessExecutionRole": {
    Statement: [{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], Resource: "*" }],
  },
  "service-role/AmazonAPIGatewayPushToCloudWatchLogs": {
    Statement: [{ Effect: "Allow", Action: [...PUSH_TO_CLOUDWATCH_ACTIONS], Resource: "*" }],
  },
  "service-role/AWSLambdaDynamoDBExecutionRole": {
    Statement: [{ Effect: "Allow", Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
  },
};

/** A managed policy's document: a Policy of the program, or an AWS managed policy above; undefined when this pack cannot know it. */
function managedPolicyDocument(graph: Graph, arn: unknown): unknown {
  const own = referenced(graph, "aws:iam/policy:Policy", arn);
  if (own) return own.inputs.policy;
  const awsManaged = typeof arn === "string" ? /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1] : undefined;
  return awsManaged ? AWS_MANAGED_POLICIES[awsManaged] : undefined;
}

/**
 * Everything a role's policies allow — inline (on the role, or as RolePolicy resources) and managed (attached by the
 * role's managedPolicyArns or a RolePolicyAttachment) — and whether every policy could be read: a managed policy from
 * outside the program may allow anything.
 */
export function roleGrants(graph: Graph, role: RecordedResource): { grants: RoleGrant[]; complete: boolean } {
  const ids = [role.id, role.state.name, role.state.arn].filter(Boolean);
  const allowsOf = (policy: unknown, carrier: RecordedResource): RoleGrant[] =>
    policyDocument(policy)
      .Statement.filter((statement) => (statement.Effect ?? "Allow") === "Allow")
      .map((statement) => ({ statement, carrier }));
  const inline = [
    ...asArray<Record<string, any>>(role.inputs.inlinePolicies).flatMap((p) => allowsOf(p.policy, role)),
    ...ofType(graph, "aws:iam/rolePolicy:RolePolicy").filter((p) => ids.includes(p.inputs.role)).flatMap((p) => allowsOf(p.inputs.policy, p)),
  ];
  const managed = [
    ...asArray<string>(role.inputs.managedPolicyArns).map((arn) => ({ document: managedPolicyDocument(graph, arn), carrier: role })),
    ...ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => ids.includes(a.inputs.role))
      .map((a) => ({ document: managedPolicyDocument(graph, a.inputs.policyArn), carrier: a })),
  ];
  return {
    grants: [...inline, ...managed.flatMap(({ document, carrier }) => (document === undefined ? [] : allowsOf(document, carrier)))],
    complete: managed.every(({ document }) => document !== undefined),
  };
}

/** The grants that allow `action` on `resource`. */
export function granting(grants: readonly RoleGrant[], action: string, resource: string): RoleGrant[] {
  return grants.filter(
    ({ statement }) => asArray<string>(statement.Action).some((a) => iamMatches(a, action, true)) && asArray<string>(statement.Resource).some((r) => iamMatches(r, resource)),
  );
}
