/**
 * Deploy rules for inputs AWS refuses at `pulumi up` that mocks and `pulumi preview` take: a Lambda log level beside
 * Text logs (LambdaLogLevelFormat), SnapStart on a runtime it does not run on (LambdaSnapStartRuntime) or beside EFS,
 * over 512 MB of /tmp or provisioned concurrency (LambdaSnapStartFeatures), an EFS mount outside a VPC
 * (LambdaFileSystemVpc), a DynamoDB
 * resource-based policy over 20 KB (DynamoDbResourcePolicySize), a REST resource path part with braces out of place or
 * under a greedy variable (ApiResourcePathPart), a Route 53 record value over 4,000 characters
 * (Route53RecordValueLength); and the warning on a dashboard graph's period CloudWatch does not query by
 * (CloudWatchDashboardPeriod).
 */
import { describe, expect, it } from "vitest";
import {
  API_RESOURCE_PATH_PART,
  checkDeployRules,
  CLOUDWATCH_DASHBOARD_PERIOD,
  DYNAMODB_RESOURCE_POLICY_SIZE,
  LAMBDA_FILE_SYSTEM_VPC,
  LAMBDA_LOG_LEVEL_FORMAT,
  LAMBDA_SNAPSTART_FEATURES,
  LAMBDA_SNAPSTART_RUNTIME,
  ROUTE53_RECORD_VALUE_LENGTH,
  type DeployRule,
} from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";
import type { RecordedResource } from "../../local/offline/mocks";
import { ServerlessApi } from "../../components/serverless-api";
import { record } from "../../testing/harness";

const problems = (graph: RecordedResource[], rule: DeployRule) => checkDeployRules(graph, devContext, [rule]).map((f) => `${f.resource}: ${f.problem}`);
const fn = (name: string, inputs: Record<string, unknown>) => handBuilt("aws:lambda/function:Function", name, { handler: "index.handler", role: "arn:aws:iam::123456789012:role/r", ...inputs });

describe("LambdaLogLevelFormat", () => {
  it("refuses an application or system log level beside Text logs, naming the levels set", () => {
    const graph = [
      fn("text-app", { runtime: "nodejs22.x", loggingConfig: { logFormat: "Text", applicationLogLevel: "DEBUG" } }),
      fn("text-both", { runtime: "nodejs22.x", loggingConfig: { logFormat: "Text", applicationLogLevel: "INFO", systemLogLevel: "WARN" } }),
    ];
    expect(problems(graph, LAMBDA_LOG_LEVEL_FORMAT)).toEqual([
      'aws:lambda/function:Function text-app: sets loggingConfig.applicationLogLevel with loggingConfig.logFormat "Text"; Lambda filters log levels of JSON logs only, and refuses the configuration: LogLevel is not supported when LogFormat is set to "Text"',
      'aws:lambda/function:Function text-both: sets loggingConfig.applicationLogLevel and loggingConfig.systemLogLevel with loggingConfig.logFormat "Text"; Lambda filters log levels of JSON logs only, and refuses the configuration: LogLevel is not supported when LogFormat is set to "Text"',
    ]);
  });

  it("takes levels with JSON logs, Text logs without levels, and a function without loggingConfig", () => {
    const graph = [
      fn("json", { runtime: "nodejs22.x", loggingConfig: { logFormat: "JSON", applicationLogLevel: "DEBUG", systemLogLevel: "INFO" } }),
      fn("text", { runtime: "nodejs22.x", loggingConfig: { logFormat: "Text", logGroup: "/custom/group" } }),
      fn("plain", { runtime: "nodejs22.x" }),
    ];
    expect(problems(graph, LAMBDA_LOG_LEVEL_FORMAT)).toEqual([]);
  });
});

describe("LambdaSnapStartRuntime", () => {
  const snap = (runtime: string) => fn(`on-${runtime}`, { runtime, snapStart: { applyOn: "PublishedVersions" } });

  it("refuses SnapStart on Node.js (the refusal recorded against AWS) and on the runtimes AWS's list leaves out", () => {
    const refused = ["nodejs22.x", "ruby3.3", "provided.al2023", "java8.al2", "python3.11", "dotnet6"];
    expect(checkDeployRules(refused.map(snap), devContext, [LAMBDA_SNAPSTART_RUNTIME]).map((f) => f.resource)).toEqual(refused.map((r) => `aws:lambda/function:Function on-${r}`));
    expect(problems([snap("nodejs22.x")], LAMBDA_SNAPSTART_RUNTIME)).toEqual([
      'aws:lambda/function:Function on-nodejs22.x: turns SnapStart on (snapStart.applyOn "PublishedVersions") with runtime nodejs22.x; SnapStart runs on Java 11+, Python 3.12+ and .NET 8+ only, and CreateFunction refuses it ("nodejs22.x is not supported for SnapStart enabled functions")',
    ]);
  });

  it("takes SnapStart on Java 11+, Python 3.12+ and .NET 8+, a container image (no runtime), and no SnapStart on Node.js (none, or applyOn None)", () => {
    const graph = [
      ...["java11", "java17", "java21", "java25", "python3.12", "python3.13", "dotnet8", "dotnet10"].map(snap),
      fn("image", { packageType: "Image", imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", snapStart: { applyOn: "PublishedVersions" } }),
      fn("node", { runtime: "nodejs22.x" }),
      fn("node-off", { runtime: "nodejs22.x", publish: true, snapStart: { applyOn: "None" } }),
    ];
    expect(problems(graph, LAMBDA_SNAPSTART_RUNTIME)).toEqual([]);
  });
});

describe("LambdaSnapStartFeatures", () => {
  const PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig";
  const arnOf = (name: string, region = "us-east-1") => `arn:aws:lambda:${region}:123456789012:function:${name}`;
  const snapFn = (name: string, inputs: Record<string, unknown> = {}, region?: string) =>
    handBuilt("aws:lambda/function:Function", name, { handler: "example.Handler::handleRequest", role: "arn:aws:iam::123456789012:role/r", runtime: "java21", publish: true, snapStart: { applyOn: "PublishedVersions" }, ...(region ? { region } : {}), ...inputs }, { state: { name, arn: arnOf(name, region) } });
  const warm = (name: string, functionName: string, qualifier = "1", region?: string) => handBuilt(PROVISIONED, name, { functionName, qualifier, provisionedConcurrentExecutions: 1, ...(region ? { region } : {}) });
  const efs = { arn: "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0", localMountPath: "/mnt/data" };

  it("refuses an EFS access point and more than 512 MB of /tmp on a function that publishes with SnapStart", () => {
    expect(problems([snapFn("mounts", { fileSystemConfig: efs }), snapFn("big-tmp", { ephemeralStorage: { size: 513 } })], LAMBDA_SNAPSTART_FEATURES)).toEqual([
      `aws:lambda/function:Function mounts: turns SnapStart on (snapStart.applyOn "PublishedVersions") and mounts an EFS file system (fileSystemConfig.arn ${efs.arn}); SnapStart does not support Amazon EFS`,
      'aws:lambda/function:Function big-tmp: turns SnapStart on (snapStart.applyOn "PublishedVersions") with 513 MB of ephemeral storage; SnapStart supports at most 512 MB',
    ]);
  });

  it("refuses provisioned concurrency naming the function by name, partial ARN (bare or with its qualifier), ARN or qualified ARN, on the configuration", () => {
    const graph = [snapFn("api"), warm("by-name", "api"), warm("by-partial", "123456789012:function:api", "2"), warm("by-partial-qualified", "123456789012:function:api:live", "live"), warm("by-arn", arnOf("api"), "live"), warm("by-qualified", `${arnOf("api")}:3`, "3")];
    expect(checkDeployRules(graph, devContext, [LAMBDA_SNAPSTART_FEATURES]).map((f) => f.resource)).toEqual(["by-name", "by-partial", "by-partial-qualified", "by-arn", "by-qualified"].map((n) => `${PROVISIONED} ${n}`));
    expect(problems([snapFn("api"), warm("by-name", "api")], LAMBDA_SNAPSTART_FEATURES)).toEqual([
      `${PROVISIONED} by-name: puts provisioned concurrency on function api (qualifier 1), which publishes its versions with SnapStart (snapStart.applyOn "PublishedVersions"); SnapStart does not support provisioned concurrency`,
    ]);
  });

  it("refuses provisioned concurrency on a version unknown at preview, naming its qualifier as such", () => {
    const onNewVersion = handBuilt(PROVISIONED, "on-new", { functionName: "api", qualifier: { __pulumiUnknown: true }, provisionedConcurrentExecutions: 1 });
    expect(problems([snapFn("api"), onNewVersion], LAMBDA_SNAPSTART_FEATURES)).toEqual([
      `${PROVISIONED} on-new: puts provisioned concurrency on function api (qualifier unknown at preview), which publishes its versions with SnapStart (snapStart.applyOn "PublishedVersions"); SnapStart does not support provisioned concurrency`,
    ]);
  });

  it("refuses the plan's own aws.efs.AccessPoint, named by the ARN a recorded plan gives it (arn:aws:efs:…)", () => {
    const planArn = "arn:aws:efs:us-east-1:123456789012:reports-ap";
    const accessPoint = handBuilt("aws:efs/accessPoint:AccessPoint", "reports-ap", { fileSystemId: "fs-0123456789abcdef0" }, { state: { arn: planArn } });
    expect(problems([accessPoint, snapFn("mounts", { fileSystemConfig: { arn: planArn, localMountPath: "/mnt/data" } })], LAMBDA_SNAPSTART_FEATURES)).toEqual([
      `aws:lambda/function:Function mounts: turns SnapStart on (snapStart.applyOn "PublishedVersions") and mounts an EFS file system (fileSystemConfig.arn ${planArn}); SnapStart does not support Amazon EFS`,
    ]);
  });

  it("takes 512 MB of /tmp, an S3 Files access point, SnapStart off (none, or applyOn None) beside all three, a function that never publishes, provisioned concurrency on a same-named function of another region, a partial ARN of another account, and on $LATEST (SnapStart never applies there; LambdaProvisionedConcurrency refuses it)", () => {
    const s3Files = { arn: "arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef0/access-point/fsap-0123456789abcdef0", localMountPath: "/mnt/data" };
    const graph = [
      snapFn("tmp-512", { ephemeralStorage: { size: 512 } }),
      snapFn("s3-files", { fileSystemConfig: s3Files }),
      snapFn("off", { snapStart: { applyOn: "None" }, fileSystemConfig: efs, ephemeralStorage: { size: 10240 } }),
      snapFn("none", { snapStart: undefined, fileSystemConfig: efs }),
      snapFn("unpublished", { publish: false, fileSystemConfig: efs, ephemeralStorage: { size: 1024 } }),
      warm("off-warm", "off"),
      warm("none-warm", "none"),
      snapFn("west", {}, "eu-west-1"),
      warm("west-by-name-here", "west"),
      warm("other-account", "210987654321:function:tmp-512"),
      warm("latest", "tmp-512", "$LATEST"),
    ];
    expect(problems(graph, LAMBDA_SNAPSTART_FEATURES)).toEqual([]);
  });
});

describe("LambdaFileSystemVpc", () => {
  const efs = "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0";
  const mounts = (name: string, inputs: Record<string, unknown>) => fn(name, { runtime: "nodejs22.x", fileSystemConfig: { arn: efs, localMountPath: "/mnt/data" }, ...inputs });

  it("refuses an EFS access point on a function without vpcConfig, or with an empty one", () => {
    expect(problems([mounts("no-vpc", {}), mounts("empty-vpc", { vpcConfig: { subnetIds: [], securityGroupIds: [] } })], LAMBDA_FILE_SYSTEM_VPC)).toEqual(
      ["no-vpc", "empty-vpc"].map((name) => `aws:lambda/function:Function ${name}: mounts EFS access point ${efs} without a VPC (no vpcConfig subnets); Lambda reaches the file system through its mount targets in the VPC and refuses the function ("Function must be configured to execute in a VPC to reference access point …")`),
    );
  });

  it("refuses the plan's own aws.efs.AccessPoint, named by the ARN a recorded plan gives it (arn:aws:efs:…, not elasticfilesystem)", () => {
    const planArn = "arn:aws:efs:us-east-1:123456789012:data-ap";
    const accessPoint = handBuilt("aws:efs/accessPoint:AccessPoint", "data-ap", { fileSystemId: "fs-0123456789abcdef0" }, { state: { arn: planArn } });
    expect(problems([accessPoint, fn("plan-ap", { runtime: "nodejs22.x", fileSystemConfig: { arn: planArn, localMountPath: "/mnt/data" } })], LAMBDA_FILE_SYSTEM_VPC)).toEqual([
      `aws:lambda/function:Function plan-ap: mounts EFS access point ${planArn} without a VPC (no vpcConfig subnets); Lambda reaches the file system through its mount targets in the VPC and refuses the function ("Function must be configured to execute in a VPC to reference access point …")`,
    ]);
  });

  it("takes an EFS access point in a VPC, a vpcConfig or subnetIds unknown at preview, an S3 Files access point (not judged), and a function without a file system", () => {
    const unknown = { __pulumiUnknown: true };
    const graph = [
      mounts("in-vpc", { vpcConfig: { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] } }),
      mounts("vpc-unknown", { vpcConfig: unknown }),
      mounts("subnets-unknown", { vpcConfig: { subnetIds: unknown, securityGroupIds: ["sg-0123456789abcdef0"] } }),
      fn("s3-files", { runtime: "nodejs22.x", fileSystemConfig: { arn: "arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef0/access-point/fsap-0123456789abcdef0", localMountPath: "/mnt/data" } }),
      fn("plain", { runtime: "nodejs22.x" }),
    ];
    expect(problems(graph, LAMBDA_FILE_SYSTEM_VPC)).toEqual([]);
  });
});

describe("DynamoDbResourcePolicySize", () => {
  const policyOf = (bytes: number) => {
    const base = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "dynamodb:GetItem", Resource: "*", Sid: "" }] };
    base.Statement[0].Sid = "S".repeat(bytes - Buffer.byteLength(JSON.stringify(base)));
    return base;
  };
  const policy = (name: string, document: unknown) => handBuilt("aws:dynamodb/resourcePolicy:ResourcePolicy", name, { resourceArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`, policy: typeof document === "string" ? document : JSON.stringify(document) });

  it("refuses a policy over 20 KB as compact JSON, and takes one of exactly 20480 bytes", () => {
    expect(Buffer.byteLength(JSON.stringify(policyOf(20_481)))).toBe(20_481);
    expect(problems([policy("over", policyOf(20_481)), policy("at", policyOf(20_480))], DYNAMODB_RESOURCE_POLICY_SIZE)).toEqual([
      "aws:dynamodb/resourcePolicy:ResourcePolicy over: has a policy of 20481 bytes as sent; DynamoDB takes a resource-based policy of at most 20 KB (20480 bytes), white space counted, so PutResourcePolicy refuses it at `pulumi up`",
    ]);
  });

  it("counts white space as the provider sends the text: a policy over 20 KB as written is refused, though within it compact", () => {
    const compact = JSON.stringify(policyOf(20_000));
    const spaced = `{${" ".repeat(1000)}${compact.slice(1)}`;
    expect(Buffer.byteLength(compact)).toBeLessThanOrEqual(20_480);
    expect(Buffer.byteLength(spaced)).toBeGreaterThan(20_480);
    expect(problems([policy("spaced", spaced), policy("compact", compact)], DYNAMODB_RESOURCE_POLICY_SIZE)).toEqual([
      `aws:dynamodb/resourcePolicy:ResourcePolicy spaced: has a policy of ${Buffer.byteLength(spaced)} bytes as sent; DynamoDB takes a resource-based policy of at most 20 KB (20480 bytes), white space counted, so PutResourcePolicy refuses it at \`pulumi up\``,
    ]);
  });
});

describe("ApiResourcePathPart", () => {
  const resource = (name: string, pathPart: string, parentId = "root-id") => handBuilt("aws:apigateway/resource:Resource", name, { restApi: "api-id", parentId, pathPart });

  it("refuses braces or + anywhere but around a whole {name} or {name+}", () => {
    const bad = ["v{version}", "{id}.json", "{id", "id}", "{}", "{a}{b}", "files+", "{pro+xy}"];
    const findings = checkDeployRules(bad.map((part, i) => resource(`r${i}`, part)), devContext, [API_RESOURCE_PATH_PART]);
    expect(findings.map((f) => f.resource)).toEqual(bad.map((_, i) => `aws:apigateway/resource:Resource r${i}`));
    expect(findings[0].problem).toBe(
      'has pathPart "v{version}"; a path part is literal or one whole path parameter ({name}, or greedy {name+}), and CreateResource refuses braces or + elsewhere ("Resource\'s path part only allow … curly braces at the beginning and the end")',
    );
  });

  it("takes literal parts (a colon included, which AWS takes), {name} and a greedy {name+} at the end of its path", () => {
    const graph = [resource("albums", "albums"), resource("album", "{albumId}", "albums-id"), resource("batch", "events:batch"), resource("v1", "v1.2_beta-3"), resource("proxy", "{proxy+}", "albums-id")];
    expect(problems(graph, API_RESOURCE_PATH_PART)).toEqual([]);
  });

  it("reads parentId as the program gives it (another resource's id): ServerlessApi's greedy routes pass, a resource put under one is refused", async () => {
    const graph = await record(
      () =>
        new ServerlessApi("gr", {
          accountCloudWatchRole: false,
          routes: {
            "GET /files/{proxy+}": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" },
            "GET /albums/{albumId}": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" },
            "GET /albums/{albumId}/{proxy+}": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" },
          },
        }),
    );
    expect(problems(graph, API_RESOURCE_PATH_PART)).toEqual([]);
    const greedy = graph.filter((r) => r.type === "aws:apigateway/resource:Resource" && r.inputs.pathPart === "{proxy+}");
    expect(greedy).toHaveLength(2);
    const under = resource("thumbs", "thumbnails", greedy[0].id);
    expect(problems([...graph, under], API_RESOURCE_PATH_PART)).toEqual([
      `aws:apigateway/resource:Resource thumbs: is under ${greedy[0].name}, whose pathPart {proxy+} is a greedy path variable; CreateResource refuses it ("Cannot create a child of a resource with a greedy path variable: {proxy+}"), as the greedy variable already matches every deeper path`,
    ]);
  });

  it("refuses a resource under a greedy {name+}", () => {
    const graph = [resource("proxy", "{proxy+}"), resource("under", "details", "proxy-id")];
    expect(problems(graph, API_RESOURCE_PATH_PART)).toEqual([
      'aws:apigateway/resource:Resource under: is under proxy, whose pathPart {proxy+} is a greedy path variable; CreateResource refuses it ("Cannot create a child of a resource with a greedy path variable: {proxy+}"), as the greedy variable already matches every deeper path',
    ]);
  });
});

describe("Route53RecordValueLength", () => {
  const record = (name: string, type: string, records: string[]) => handBuilt("aws:route53/record:Record", name, { zoneId: "Z0123456789", name: `${name}.example.com`, type, ttl: 300, records });
  // A TXT value of 255-character strings, as Route53TxtStrings wants it, "" between them (the provider adds the outer quotes).
  const txtOf = (characters: number) => {
    const strings: string[] = [];
    for (let left = characters - 2; left > 0; left -= 257) strings.push("k".repeat(Math.min(255, left)));
    const entry = strings.join('""');
    return entry + "k".repeat(characters - 2 - entry.length);
  };

  it("refuses a TXT value of 4001 characters as sent (the entry and the provider's quotes), and a CAA value of 4001", () => {
    expect(txtOf(4001).length + 2).toBe(4001);
    const graph = [record("dkim", "TXT", [txtOf(4001)]), record("caa", "CAA", [`0 issue "${"c".repeat(3991)}"`])];
    expect(checkDeployRules(graph, devContext, [ROUTE53_RECORD_VALUE_LENGTH]).map((f) => f.problem.split(" (")[0])).toEqual(["has a TXT value of 4001 characters as sent", "has a CAA value of 4001 characters"]);
    // Several records entries are several TXT records: an SPF or DKIM value split across them would no longer be read whole.
    expect(checkDeployRules(graph, devContext, [ROUTE53_RECORD_VALUE_LENGTH]).map((f) => f.fix)).toEqual([
      "shorten the value to at most 3998 characters (an SPF include: instead of listed addresses, a 2048-bit DKIM key); several records entries are several TXT records, which an SPF or DKIM lookup does not join",
      "shorten the value to at most 4000 characters",
    ]);
  });

  it("takes a TXT value of 4000 characters as sent, and a record without records (an alias)", () => {
    const alias = handBuilt("aws:route53/record:Record", "apex", { zoneId: "Z0123456789", name: "example.com", type: "A", aliases: [{ name: "d.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }] });
    expect(problems([record("dkim", "TXT", [txtOf(4000)]), alias], ROUTE53_RECORD_VALUE_LENGTH)).toEqual([]);
  });
});

describe("CloudWatchDashboardPeriod (warning)", () => {
  const dashboard = (widgets: unknown[]) => handBuilt("aws:cloudwatch/dashboard:Dashboard", "ops", { dashboardName: "ops", dashboardBody: JSON.stringify({ widgets }) });
  const metricWidget = (properties: Record<string, unknown>) => ({ type: "metric", x: 0, y: 0, width: 6, height: 6, properties: { region: "us-east-1", stat: "Sum", ...properties } });

  it("warns on a widget period and a metric's period that are not 1, 5, 10, 30 or a multiple of 60 (20, an alarm's, included), with the nearest fix", () => {
    const graph = [dashboard([{ type: "text", properties: { markdown: "x", period: 7 } }, metricWidget({ period: 90, metrics: [["AWS/Lambda", "Errors", "FunctionName", "api", { period: 45 }], ["AWS/Lambda", "Invocations", "FunctionName", "api", { period: 20 }]] })])];
    expect(checkDeployRules(graph, devContext, [CLOUDWATCH_DASHBOARD_PERIOD]).map((f) => [f.problem.split(";")[0], f.fix])).toEqual([
      ["has widget 1 with properties.period 90", "use a period of 120 seconds"],
      ["has widget 1 with properties.metrics[0] period 45", "use a period of 60 seconds (or 1, 5, 10 or 30 for high-resolution metrics)"],
      ["has widget 1 with properties.metrics[1] period 20", "use a period of 60 seconds (or 1, 5, 10 or 30 for high-resolution metrics)"],
    ]);
  });

  it("takes 1, 5, 10, 30, 60 and multiples of 60, a widget without a period, and a body that is not JSON (CloudWatchDashboard's)", () => {
    const periods = [1, 5, 10, 30, 60, 300, 3600];
    const graph = [dashboard(periods.map((period) => metricWidget({ period, metrics: [["AWS/SQS", "NumberOfMessagesSent", "QueueName", "q", { period }]] }))), dashboard([metricWidget({ metrics: [["AWS/SQS", "NumberOfMessagesSent", "QueueName", "q"]] })]), handBuilt("aws:cloudwatch/dashboard:Dashboard", "broken", { dashboardName: "broken", dashboardBody: "{" })];
    expect(checkDeployRules(graph, devContext, [CLOUDWATCH_DASHBOARD_PERIOD])).toEqual([]);
  });
});
