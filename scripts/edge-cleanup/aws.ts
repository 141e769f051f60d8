/**
 * EdgeCleanupAws over the AWS SDK v3: Lambda in us-east-1 (where Lambda@Edge functions live),
 * CloudWatch Logs in each region and IAM (global), with the SDK's own paginators.
 */
import { CloudWatchLogsClient, DeleteLogGroupCommand, paginateDescribeLogGroups } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, IAMClient, paginateListAttachedRolePolicies, paginateListRolePolicies } from "@aws-sdk/client-iam";
import { DeleteFunctionCommand, LambdaClient, ListTagsCommand, paginateListFunctions, paginateListVersionsByFunction } from "@aws-sdk/client-lambda";
import type { EdgeCleanupAws, FunctionSummary } from "./plan";

async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[]): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...items(page));
  return out;
}

/** Clients with the stack's `aws:profile`, when it sets one, as `pulumi up` would use it. */
export async function createEdgeCleanupAws(options: { profile?: string } = {}): Promise<EdgeCleanupAws & { close(): void }> {
  const lambda = new LambdaClient({ region: "us-east-1", profile: options.profile });
  const iam = new IAMClient({ region: "us-east-1", profile: options.profile });
  const logClients = new Map<string, CloudWatchLogsClient>();
  const logs = (region: string) => {
    let client = logClients.get(region);
    if (!client) logClients.set(region, (client = new CloudWatchLogsClient({ region, profile: options.profile })));
    return client;
  };
  return {
    listFunctions: () =>
      collect(paginateListFunctions({ client: lambda }, {}), (page): FunctionSummary[] => (page.Functions ?? []).map((fn) => ({ name: fn.FunctionName!, arn: fn.FunctionArn!, role: fn.Role }))),
    listTags: async (arn) => (await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags ?? {},
    listVersions: async (name) =>
      (await collect(paginateListVersionsByFunction({ client: lambda }, { FunctionName: name }), (page) => (page.Versions ?? []).map((v) => v.Version!))).filter(
        (version) => version !== "$LATEST",
      ),
    deleteFunction: async (name, version) => void (await lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: version }))),
    listLogGroups: (region, prefix) =>
      collect(paginateDescribeLogGroups({ client: logs(region) }, { logGroupNamePrefix: prefix }), (page) => (page.logGroups ?? []).map((group) => group.logGroupName!)),
    deleteLogGroup: async (region, name) => void (await logs(region).send(new DeleteLogGroupCommand({ logGroupName: name }))),
    listRolePolicies: (role) => collect(paginateListRolePolicies({ client: iam }, { RoleName: role }), (page) => page.PolicyNames ?? []),
    listAttachedRolePolicies: (role) =>
      collect(paginateListAttachedRolePolicies({ client: iam }, { RoleName: role }), (page) => (page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn!)),
    deleteRolePolicy: async (role, policy) => void (await iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: policy }))),
    detachRolePolicy: async (role, policyArn) => void (await iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }))),
    deleteRole: async (role) => void (await iam.send(new DeleteRoleCommand({ RoleName: role }))),
    close() {
      lambda.destroy();
      iam.destroy();
      for (const client of logClients.values()) client.destroy();
    },
  };
}
