import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { checkPackageSize, LambdaFunction, OWN_STATEMENT_IDS, type LambdaFunctionSpec } from "../../components/lambda/function";
import { argFailer } from "../../components/errors";
import { bundleEntry } from "../../components/lambda/bundle";
import { ofType, policyDocument, record, resource } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";

describe("LambdaFunction", () => {
  it("creates an arm64 nodejs22.x function with its own role, policy and log group", async () => {
    const graph = await record(() => new LambdaFunction("echo", { entry, memorySize: 256, timeout: 20, logRetentionDays: 14 }));
    const fn = resource(graph, "aws:lambda/function:Function", "echo-function");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], memorySize: 256, timeout: 20, handler: "index.handler" });
    expect(fn.inputs.tracingConfig).toEqual({ mode: "Active" });
    expect(fn.inputs.environment.variables.NODE_OPTIONS).toBe("--enable-source-maps");

    const logs = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "echo-logs");
    expect(logs.inputs.retentionInDays).toBe(14);
    expect(fn.inputs.loggingConfig).toEqual({ logGroup: logs.state.name, logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO" });

    const role = resource(graph, "aws:iam/role:Role", "echo-role");
    expect(policyDocument(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: ["lambda.amazonaws.com"] });
    expect(fn.inputs.role).toBe(role.state.arn);
    const rolePolicy = resource(graph, "aws:iam/rolePolicy:RolePolicy", "echo-policy");
    expect(rolePolicy.inputs.role).toBe(role.id);
    const policy = policyDocument(rolePolicy.inputs.policy);
    expect(policy.Statement.find((s) => s.Sid === "WriteOwnLogs")?.Resource).toEqual([`${logs.state.arn}:*`]);
    for (const s of policy.Statement) for (const a of s.Action) expect(a).not.toMatch(/\*/);

    const component = resource(graph, "serverless-fullstack:index:LambdaFunction", "echo");
    for (const child of [fn, logs, role]) expect(child.parent).toBe(component.urn);
  });

  it("sends tracing off as PassThrough: left out, the provider keeps a deployed Active mode (tracing_config is Optional+Computed)", async () => {
    const graph = await record(() => new LambdaFunction("quiet", { entry, tracing: false }));
    expect(resource(graph, "aws:lambda/function:Function", "quiet-function").inputs.tracingConfig).toEqual({ mode: "PassThrough" });
    const policy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "quiet-policy").inputs.policy);
    expect(policy.Statement.map((s) => s.Sid)).not.toContain("WriteTraces");
  });

  it("packages an ESM bundle with a source map, identical on every build", async () => {
    const graph = await record(() => new LambdaFunction("pack", { entry }));
    const assets = await resource(graph, "aws:lambda/function:Function", "pack-function").inputs.code.assets;
    expect(Object.keys(assets).sort()).toEqual(["index.mjs", "index.mjs.map"]);
    const code = await assets["index.mjs"].text;
    expect(code).toMatch(/export\s*\{.*handler/);

    // A differently keyed build bypasses the cache: a fresh esbuild run must give the same bytes.
    const rebuilt = bundleEntry(entry, { define: { "process.env.UNUSED_BY_ECHO": "1" } });
    expect(rebuilt.code).toBe(code);
  });

  it("grants exactly the send permission for an on-failure destination", async () => {
    const queueArn = "arn:aws:sqs:us-east-1:123456789012:failed";
    const graph = await record(
      () => new LambdaFunction("async", { entry, asyncInvoke: { maxRetryAttempts: 1, onFailure: { type: "sqs", arn: queueArn } } }),
    );
    const config = resource(graph, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "async-async");
    expect(config.inputs).toMatchObject({ maximumRetryAttempts: 1, destinationConfig: { onFailure: { destination: queueArn } } });
    const policy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "async-policy").inputs.policy);
    expect(policy.Statement.find((s) => s.Sid === "SendFailedEvents")).toMatchObject({ Action: ["sqs:SendMessage"], Resource: [queueArn] });
  });

  it("gives the function the description it was given (the Lambda console's), \"Lambda@Edge <name>\" by default for an edge function, none otherwise; over Lambda's 256 characters is refused", async () => {
    const graph = await record(() => [
      new LambdaFunction("described", { entry, description: "Makes WebP thumbnails of uploaded originals" }),
      new LambdaFunction("plain", { entry }),
      new LambdaFunction("edge-default", { entry, edge: true }),
      new LambdaFunction("edge-described", { entry, edge: true, description: "Signs viewers in at the edge" }),
    ]);
    const description = (name: string) => resource(graph, "aws:lambda/function:Function", `${name}-function`).inputs.description;
    expect([description("described"), description("plain"), description("edge-default"), description("edge-described")]).toEqual([
      "Makes WebP thumbnails of uploaded originals",
      undefined,
      "Lambda@Edge edge-default",
      "Signs viewers in at the edge",
    ]);
    expect(() => new LambdaFunction("long", { entry, description: "d".repeat(257) })).toThrow(
      /LambdaFunction "long": description "d{257}" is 257 characters, over Lambda's 256\. Shorten it\./,
    );
  });

  it("makes Lambda@Edge functions in us-east-1, published, retained, trusted by edgelambda, without env", async () => {
    const graph = await record(() => new LambdaFunction("edge", { entry, edge: true }));
    const fn = resource(graph, "aws:lambda/function:Function", "edge-function");
    expect(fn.inputs).toMatchObject({ region: "us-east-1", publish: true });
    expect(fn.inputs.environment).toBeUndefined();
    expect(fn.retainOnDelete).toBe(true);
    const trust = policyDocument(resource(graph, "aws:iam/role:Role", "edge-role").inputs.assumeRolePolicy);
    expect(trust.Statement[0].Principal.Service).toEqual(["lambda.amazonaws.com", "edgelambda.amazonaws.com"]);
  });

  // Restrictions on Lambda@Edge, "Lambda features": no X-Ray, at most 512 MB of ephemeral storage; both values that fit are taken.
  it("takes tracing: false and 512 MB of /tmp on a Lambda@Edge function, and sends the 512 MB; no X-Ray statement, no tracing mode", async () => {
    const graph = await record(() => new LambdaFunction("edge", { entry, edge: true, tracing: false, ephemeralStorageSize: 512 }));
    const fn = resource(graph, "aws:lambda/function:Function", "edge-function");
    expect(fn.inputs.ephemeralStorage).toEqual({ size: 512 });
    expect(fn.inputs.tracingConfig).toBeUndefined();
    const sids = JSON.parse(resource(graph, "aws:iam/rolePolicy:RolePolicy", "edge-policy").inputs.policy).Statement.map((s: { Sid?: string }) => s.Sid);
    expect(sids).not.toContain("WriteTraces");
  });

  it("keeps a Lambda@Edge function's role and its policy with the function on delete (CloudFront's replicas still run as that role); a regional function's go with the stack", async () => {
    const graph = await record(() => [new LambdaFunction("edge", { entry, edge: true }), new LambdaFunction("plain", { entry })]);
    const role = resource(graph, "aws:iam/role:Role", "edge-role");
    const policy = resource(graph, "aws:iam/rolePolicy:RolePolicy", "edge-policy");
    expect([role.retainOnDelete, policy.retainOnDelete]).toEqual([true, true]);
    expect(resource(graph, "aws:lambda/function:Function", "edge-function").inputs.role).toBe(role.state.arn);
    expect(policy.inputs.role).toBe(role.id);
    expect([resource(graph, "aws:iam/role:Role", "plain-role").retainOnDelete, resource(graph, "aws:iam/rolePolicy:RolePolicy", "plain-policy").retainOnDelete]).toEqual([false, false]);
  });

  it("keeps what a function kept on delete runs with: its role, policy, VPC access and log group (it could not run, or log, without them)", async () => {
    const vpc = { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] };
    const graph = await record(() => [new LambdaFunction("kept", { entry, retainOnDelete: true, vpc }), new LambdaFunction("gone", { entry, vpc })]);
    const kept = (name: string) => ["aws:lambda/function:Function", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:cloudwatch/logGroup:LogGroup"]
      .map((type, index) => resource(graph, type, `${name}-${["function", "role", "policy", "vpc-access", "logs"][index]}`).retainOnDelete);
    expect(kept("kept")).toEqual([true, true, true, true, true]);
    expect(kept("gone")).toEqual([false, false, false, false, false]);
  });

  it.each([
    [{ memorySize: 64 }, /LambdaFunction "bad": memorySize 64 is outside Lambda's range of 128–10240 MB\. Use a whole number/],
    [{ memorySize: 20000 }, /memorySize 20000 is outside/],
    [{ timeout: 901 }, /timeout 901 is outside Lambda's range of 1–900 seconds/],
    [{ ephemeralStorageSize: 256 }, /ephemeralStorageSize 256 is outside/],
    [{ layers: ["a", "b", "c", "d", "e", "f"] }, /layers "6 layers" exceeds Lambda's limit of 5/],
    // A layer's ARN without its version (ListLayers' LayerArn) fails CreateFunction's pattern (review 110 F5).
    [{ layers: ["arn:aws:lambda:us-east-1:123456789012:layer:shared"] }, /^LambdaFunction "bad": layers\[0\] "arn:aws:lambda:us-east-1:123456789012:layer:shared" is not a layer version ARN \(arn:aws:lambda:<region>:<account>:layer:<name>:<version>\), which CreateFunction requires\. Add the version number, e\.g\. "arn:aws:lambda:us-east-1:123456789012:layer:shared:1" \(the layer's LayerVersionArn\)\.$/],
    [{ environment: { BIG: "x".repeat(5000) } }, /environment "5048 bytes" exceeds Lambda's 4096-byte limit for all variables together, measured as their JSON \(with NODE_OPTIONS="--enable-source-maps", which the component adds\)/],
    // 4,095 bytes of keys and values, 4,108 as the JSON Lambda measures (deploy rule LambdaLimits).
    [{ environment: { POWERTOOLS_SERVICE_NAME: "v".repeat(4040) } }, /environment "4108 bytes" exceeds Lambda's 4096-byte limit for all variables together, measured as their JSON/],
    [{ environment: { AWS_REGION: "eu-west-1" } }, /environment "AWS_REGION" is reserved/],
    // "Keys start with a letter and are at least two characters" (Lambda developer guide, configuration-envvars).
    [{ environment: { A: "b" } }, /environment "A" is not a variable name Lambda takes \(at least two letters, digits and underscores, starting with a letter\)\. Use e\.g\. "A_"\./],
    [{ logRetentionDays: 10 }, /logRetentionDays 10 is not a retention CloudWatch Logs offers/],
    [{ vpc: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"], internetEgress: "yes" as unknown as boolean } }, /vpc\.internetEgress "yes" is not true or false\. Use true when the subnets route to a NAT gateway/],
    [{ asyncInvoke: { maxRetryAttempts: 3 } }, /asyncInvoke.maxRetryAttempts 3 is outside Lambda's range of 0–2/],
    // Concurrency.ReservedConcurrentExecutions: "Minimum value of 0" (https://docs.aws.amazon.com/lambda/latest/api/API_Concurrency.html).
    [{ reservedConcurrency: -1 }, /^LambdaFunction "bad": reservedConcurrency -1 is not a whole number of at least 0\. Use e\.g\. 10 \(0 stops the function from running\); any reservation needs account concurrency above 100 plus the sum of every function's reservation/],
    [{ reservedConcurrency: 2.5 }, /reservedConcurrency 2\.5 is not a whole number of at least 0/],
    [{ permissions: [{ actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"] }] }, /permissions\[0\]\.actions "s3:\*" is a wildcard/],
    [{ permissions: [{ actions: ["dynamodb:GetItem"], resources: ["*"] }] }, /permissions\[0\]\.resources "\*" grants dynamodb:GetItem on every resource/],
    // Sid: "ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)", unique within the policy (IAM policy
    // reference): a sid the user wrote is refused when it repeats; grants' derived Sids are numbered (tests/components/iam-sids.test.ts).
    [{ permissions: [{ sid: "read-photos", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] }, /^LambdaFunction "bad": permissions\[0\]\.sid "read-photos" is not letters and digits only, which IAM requires of a statement id\. Use e\.g\. "readPhotos", or leave sid out\.$/],
    [{ permissions: [{ sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }, { sid: "Read", actions: ["s3:PutObject"], resources: ["arn:aws:s3:::b/*"] }] }, /^LambdaFunction "bad": permissions\[1\]\.sid "Read" repeats the statement id of an earlier statement; IAM refuses a policy with two statements of one Sid\. Give every statement its own sid, or merge the two statements\.$/],
    [{ edge: true, environment: { A: "b" } }, /cannot have environment variables\. Bake configuration in at build time/],
    // Lambda@Edge restrictions: the arm64 architecture is not supported (CloudFront refuses the association; review 110 F3).
    [{ edge: true, architecture: "arm64" as const }, /^LambdaFunction "bad": architecture "arm64" is set on a Lambda@Edge function, which runs on x86_64 only\. Remove architecture \(edge functions default to x86_64\)\.$/],
    // Lambda@Edge restrictions, "Lambda features": "Using AWS X-Ray" and "more than 512 MB of ephemeral storage" are not supported.
    [{ edge: true, tracing: true }, /^LambdaFunction "bad": tracing true is set on a Lambda@Edge function, which does not support X-Ray tracing\. Remove tracing \(edge functions run without X-Ray\)\.$/],
    [{ edge: true, ephemeralStorageSize: 513 }, /^LambdaFunction "bad": ephemeralStorageSize 513 is over the 512 MB of \/tmp Lambda@Edge allows\. Remove ephemeralStorageSize \(edge functions get 512 MB\)\.$/],
    // Lambda@Edge logs to /aws/lambda/us-east-1.<function> in each region that runs it (CloudFront guide, edge-functions-logs).
    [{ edge: true, logKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }, /^LambdaFunction "bad": logKmsKeyArn "arn:aws:kms:us-east-1:123456789012:key\/1234abcd-12ab-34cd-56ef-1234567890ab" is set on a Lambda@Edge function, whose logs go to a \/aws\/lambda\/us-east-1\.<function> group in every region that runs it, not to a log group of the function's; a KMS key encrypts log groups of its own region only\. Remove logKmsKeyArn; to encrypt edge logs, create each region's/],
    [{ edge: true, logKmsKeyArn: pulumi.output("arn:aws:kms:us-east-1:123456789012:key/k") }, /^LambdaFunction "bad": logKmsKeyArn "\(an Output\)" is set on a Lambda@Edge function/],
    // CloudFront invokes edge functions synchronously: asynchronous-invocation settings never act (review 117 F4).
    [{ edge: true, asyncInvoke: { maxRetryAttempts: 0 } }, /^LambdaFunction "bad": asyncInvoke \{"maxRetryAttempts":0\} is set on a Lambda@Edge function, which CloudFront invokes synchronously; retries, event age and on-failure or on-success destinations apply to asynchronous invocations only, so they would never act\. Remove asyncInvoke; /],
    [{ edge: true, asyncInvoke: { failureQueue: {} } }, /^LambdaFunction "bad": asyncInvoke \{"failureQueue":\{\}\} is set on a Lambda@Edge function, which CloudFront invokes synchronously/],
    [{ edge: true, logRetentionDays: 7 }, /^LambdaFunction "bad": logRetentionDays 7 is set on a Lambda@Edge function, whose logs go to a \/aws\/lambda\/us-east-1\.<function> group in every region that runs it, not to a log group of the function's\. Remove logRetentionDays; EdgeLogic's logs\.retentionDays sets the retention/],
    [{ entry: "handlers/missing.ts" }, /entry "handlers\/missing.ts" is not a file/],
    [{ entry: "tests/fixtures/handlers/no-handler.ts" }, /handler "handler" is not exported by/],
  ])("rejects bad args with a clear error: %#", (bad, message) => {
    expect(() => new LambdaFunction("bad", { entry, ...bad })).toThrow(message);
  });

  it("refuses a permissions sid the function's own policy uses; OWN_STATEMENT_IDS holds every sid the component adds", async () => {
    expect(() => new LambdaFunction("clash", { entry, permissions: [{ sid: "WriteOwnLogs", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] })).toThrow(
      /^LambdaFunction "clash": permissions\[0\]\.sid "WriteOwnLogs" is a statement id the function's own policy uses/,
    );
    // asyncInvoke.onSuccess's statement (review 110 F4).
    expect(() => new LambdaFunction("clash", { entry, permissions: [{ sid: "SendSucceededEvents", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] })).toThrow(
      /^LambdaFunction "clash": permissions\[0\]\.sid "SendSucceededEvents" is a statement id the function's own policy uses/,
    );
    const kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const graph = await record(() => [
      new LambdaFunction("every", { entry, tracing: true, asyncInvoke: { maxRetryAttempts: 1, failureQueue: {}, onSuccess: { type: "sqs", arn: "arn:aws:sqs:us-east-1:123456789012:done" } }, secrets: { SECRET_A: { secretsManager: "gallery/a", kmsKeyArn }, PARAM_B: { ssmParameter: "/gallery/b", kmsKeyArn } } }),
      new LambdaFunction("edgy", { entry, edge: true }),
    ]);
    const added = ofType(graph, "aws:iam/rolePolicy:RolePolicy").flatMap((p) => JSON.parse(p.inputs.policy).Statement.map((s: { Sid?: string }) => s.Sid));
    expect(new Set(added)).toEqual(new Set(OWN_STATEMENT_IDS));
  });

  // VpcConfig: SecurityGroupIds "Maximum number of 5 items", SubnetIds "Maximum number of 16 items"
  // (https://docs.aws.amazon.com/lambda/latest/api/API_VpcConfig.html).
  it("takes at most 5 security groups and 16 subnets in vpc, as Lambda's VpcConfig does", async () => {
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const graph = await record(() => new LambdaFunction("five", { entry, vpc: { subnetIds: ids("subnet-", 16), securityGroupIds: ids("sg-", 5) } }));
    expect(resource(graph, "aws:lambda/function:Function", "five-function").inputs.vpcConfig.securityGroupIds).toHaveLength(5);
    expect(() => new LambdaFunction("six", { entry, vpc: { subnetIds: ids("subnet-", 2), securityGroupIds: ids("sg-", 6) } })).toThrow(
      /^LambdaFunction "six": vpc\.securityGroupIds "6 ids" is more than the 5 Lambda accepts\. Merge the groups' rules into at most 5 security groups\.$/,
    );
    expect(() => new LambdaFunction("many", { entry, vpc: { subnetIds: ids("subnet-", 17), securityGroupIds: ids("sg-", 1) } })).toThrow(/vpc\.subnetIds "17 ids" is more than the 16 Lambda accepts/);
  });

  // CloudWatch Logs takes a symmetric KMS key's ARN of the log group's region
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
  it("encrypts the log group with logKmsKeyArn when it is a key's ARN in the function's region, and refuses an alias or a key of another region", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const graph = await record(() => new LambdaFunction("sealed", { entry, region: "eu-west-1", logKmsKeyArn: key }));
    expect(resource(graph, "aws:cloudwatch/logGroup:LogGroup", "sealed-logs").inputs.kmsKeyId).toBe(key);
    expect(() => new LambdaFunction("alias", { entry, logKmsKeyArn: "alias/aws/logs" })).toThrow(
      /^LambdaFunction "alias": logKmsKeyArn "alias\/aws\/logs" is not a KMS key's ARN; CloudWatch Logs takes the key's ARN \(arn:aws:kms:<region>:<account>:key\/<id>\), not an alias or key id\. Pass the key's ARN, e\.g\. key\.arn of an aws\.kms\.Key whose policy lets logs\.<region>\.amazonaws\.com use it/,
    );
    expect(() => new LambdaFunction("far", { entry, region: "us-east-1", logKmsKeyArn: key })).toThrow(
      /^LambdaFunction "far": logKmsKeyArn "arn:aws:kms:eu-west-1:123456789012:key\/1234abcd-12ab-34cd-56ef-1234567890ab" is a key in eu-west-1, but the function's log group is in us-east-1; CloudWatch Logs encrypts with a key of the log group's own region\. Use a key in us-east-1\.$/,
    );
    // An Output is checked once known, with the same refusal.
    await expect(record(() => new LambdaFunction("later", { entry, region: "us-east-1", logKmsKeyArn: pulumi.output("alias/logs") }))).rejects.toThrow(/logKmsKeyArn "alias\/logs" is not a KMS key's ARN/);
  });

  it("refuses a scheduled function's name that makes its schedule role's autoname over IAM's 64 characters (42 fits)", () => {
    // `<name>-schedule-role` plus Pulumi's 8-character suffix: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
    const schedule = { expression: "rate(1 hour)" };
    expect(() => new LambdaFunction("s".repeat(42), { entry, schedule })).not.toThrow();
    expect(() => new LambdaFunction("s".repeat(43), { entry, schedule })).toThrow(
      /^LambdaFunction "s{43}": name "s{43}" makes the IAM role name "s{43}-schedule-role-<random suffix>" 65 characters, over IAM's 64\. Use a component name of at most 42 characters\.$/,
    );
    // The function's name takes fewer characters than the role's: the refusal names it, and what both take.
    expect(() => new LambdaFunction("nightly#1", { entry, schedule })).toThrow(
      /^LambdaFunction "nightly#1": name "nightly#1" makes the Lambda function name "nightly#1-function-<random suffix>" hold "#", which Lambda refuses \(it takes letters, digits, "-" and "_"\)\. Use a component name of letters, digits, "-" and "_", e\.g\. "nightly-1"\.$/,
    );
  });
});

// "Deployment package (.zip file archive) size: 50 MB (zipped, when uploaded through the Lambda API or SDKs) … 250 MB
// The maximum size of the contents of a deployment package, including layers and custom runtimes (unzipped)"
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Bundle and native packages count together.
describe("LambdaFunction package size", () => {
  const MB = 1024 * 1024;
  const spec = { entry: "/app/handlers/big.ts" } as LambdaFunctionSpec;
  const bundle = (zipped: number, unzipped: number) => ({ entry: spec.entry, code: "", sourceMap: "", exports: ["handler"], hash: "h", zippedBytes: zipped, unzippedBytes: unzipped });
  const native = (zipped: number, unzipped: number) => ({ platform: "linux-arm64", packages: ["sharp"], files: [], zippedBytes: zipped, unzippedBytes: unzipped });
  const check = (b: ReturnType<typeof bundle>, n?: ReturnType<typeof native>) => () => checkPackageSize(argFailer("LambdaFunction", "big"), spec, b, n);

  it("takes a package of exactly 50 MB zipped and 250 MB unpacked", () => {
    expect(check(bundle(30 * MB, 100 * MB), native(20 * MB, 150 * MB))).not.toThrow();
  });

  it("refuses one over 50 MB zipped or 250 MB unpacked, counting the native packages, with a fix the package can do", () => {
    expect(check(bundle(30 * MB, 100 * MB), native(20 * MB + 1, 100 * MB))).toThrow(
      new RegExp(`^LambdaFunction "big": entry "/app/handlers/big.ts" bundles to ${50 * MB + 1} zipped bytes, over Lambda's 50 MB limit\\. Mark large dependencies external .*layers`),
    );
    expect(check(bundle(10 * MB, 100 * MB), native(10 * MB, 150 * MB + 1))).toThrow(new RegExp(`unpacks to ${250 * MB + 1} bytes, over Lambda's 250 MB limit\\. Ship fewer native packages`));
  });
});
