/**
 * EdgeCleanupAws over the AWS SDK v3: Lambda in us-east-1 (where Lambda@Edge functions live) and
 * CloudWatch Logs in each region. The two clients are loaded when the clean-up runs, so the rest of
 * the project (and the tests of the planning) does not depend on them; a missing one is named with
 * the command that installs it.
 */
import type { EdgeCleanupAws, FunctionSummary } from "./plan";

interface SdkClient {
  send(command: object): Promise<any>;
  destroy(): void;
}

/** Client settings: the stack's `aws:profile`, when it sets one, as `pulumi up` would use it. */
interface ClientConfig {
  region: string;
  profile?: string;
}

/** The parts of @aws-sdk/client-lambda used here. */
interface LambdaSdk {
  LambdaClient: new (config: ClientConfig) => SdkClient;
  ListFunctionsCommand: new (input: { Marker?: string }) => object;
  ListTagsCommand: new (input: { Resource: string }) => object;
  ListVersionsByFunctionCommand: new (input: { FunctionName: string; Marker?: string }) => object;
  DeleteFunctionCommand: new (input: { FunctionName: string; Qualifier?: string }) => object;
}

/** The parts of @aws-sdk/client-cloudwatch-logs used here. */
interface LogsSdk {
  CloudWatchLogsClient: new (config: ClientConfig) => SdkClient;
  DescribeLogGroupsCommand: new (input: { logGroupNamePrefix: string; nextToken?: string }) => object;
  DeleteLogGroupCommand: new (input: { logGroupName: string }) => object;
}

async function load<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") throw new Error(`edge-cleanup needs ${name}: npm install --save-dev ${name}`);
    throw error;
  }
}

/** Every page of a paginated call: `next` reads the token from a page, `call` sends the request for a token. */
async function allPages<T>(call: (token: string | undefined) => Promise<any>, items: (page: any) => T[], next: (page: any) => string | undefined): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await call(token);
    out.push(...items(page));
    token = next(page);
  } while (token);
  return out;
}

export async function createEdgeCleanupAws(options: { profile?: string } = {}): Promise<EdgeCleanupAws & { close(): void }> {
  const lambdaSdk = await load<LambdaSdk>("@aws-sdk/client-lambda");
  const logsSdk = await load<LogsSdk>("@aws-sdk/client-cloudwatch-logs");
  const lambda = new lambdaSdk.LambdaClient({ region: "us-east-1", profile: options.profile });
  const logClients = new Map<string, SdkClient>();
  const logs = (region: string) => {
    let client = logClients.get(region);
    if (!client) logClients.set(region, (client = new logsSdk.CloudWatchLogsClient({ region, profile: options.profile })));
    return client;
  };
  return {
    listFunctions: () =>
      allPages<FunctionSummary>(
        (Marker) => lambda.send(new lambdaSdk.ListFunctionsCommand({ Marker })),
        (page) => (page.Functions ?? []).map((fn: { FunctionName: string; FunctionArn: string }) => ({ name: fn.FunctionName, arn: fn.FunctionArn })),
        (page) => page.NextMarker,
      ),
    listTags: async (arn) => (await lambda.send(new lambdaSdk.ListTagsCommand({ Resource: arn }))).Tags ?? {},
    listVersions: async (name) =>
      (await allPages<string>(
        (Marker) => lambda.send(new lambdaSdk.ListVersionsByFunctionCommand({ FunctionName: name, Marker })),
        (page) => (page.Versions ?? []).map((v: { Version: string }) => v.Version),
        (page) => page.NextMarker,
      )).filter((version) => version !== "$LATEST"),
    deleteFunction: async (name, version) => void (await lambda.send(new lambdaSdk.DeleteFunctionCommand({ FunctionName: name, Qualifier: version }))),
    listLogGroups: (region, prefix) =>
      allPages<string>(
        (nextToken) => logs(region).send(new logsSdk.DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken })),
        (page) => (page.logGroups ?? []).map((group: { logGroupName: string }) => group.logGroupName),
        (page) => page.nextToken,
      ),
    deleteLogGroup: async (region, name) => void (await logs(region).send(new logsSdk.DeleteLogGroupCommand({ logGroupName: name }))),
    close() {
      lambda.destroy();
      for (const client of logClients.values()) client.destroy();
    },
  };
}
