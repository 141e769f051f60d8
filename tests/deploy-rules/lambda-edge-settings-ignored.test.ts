/**
 * LambdaEdgeSettingsIgnored (a warning): a hand-built FunctionEventInvokeConfig on an associated Lambda@Edge function
 * (CloudFront invokes it synchronously, so asynchronous settings never act), and a hand-built log group
 * /aws/lambda/<name> with a retention or a KMS key (Lambda@Edge writes to /aws/lambda/us-east-1.<name> in each Region,
 * never there). What LambdaFunction refuses with `edge: true` (asyncInvoke, logRetentionDays, logKmsKeyArn), for any
 * program's functions.
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, LAMBDA_EDGE_SETTINGS_IGNORED, LAMBDA_EDGE_WARNING_RULES } from "../../testing/deploy-rules";
import { byName } from "../../testing/harness";
import { devContext, handBuilt, matches } from "./fixture";
import { edgeSite } from "./fixtures/cloudfront";

const INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const RULE = "LambdaEdgeSettingsIgnored";
const warnings = (graph: Parameters<typeof checkDeployRules>[0]) => checkDeployRules(graph, devContext, LAMBDA_EDGE_WARNING_RULES);

describe(RULE, () => {
  it("warns of an invoke config and of /aws/lambda/<name> settings on an associated function; passes the prefixed group and a bare one", async () => {
    const graph = await edgeSite();
    const fn = graph.find(byName("e-ors-function"))!;
    const name = fn.state.name as string;
    const plan = [
      ...graph,
      handBuilt(INVOKE_CONFIG, "ors-async", { functionName: fn.state.name, maximumRetryAttempts: 0 }),
      handBuilt(INVOKE_CONFIG, "ors-async-west", { functionName: fn.state.name, maximumRetryAttempts: 0, region: "eu-west-1" }),
      handBuilt(LOG_GROUP, "ors-logs", { name: `/aws/lambda/${name}`, retentionInDays: 14, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" }),
      handBuilt(LOG_GROUP, "ors-bare", { name: `/aws/lambda/${name}` }),
      handBuilt(LOG_GROUP, "ors-edge-logs", { name: `/aws/lambda/us-east-1.${name}`, retentionInDays: 14 }),
    ];
    expect(
      matches(RULE, warnings(plan), [
        { resource: `${INVOKE_CONFIG} ors-async`, problem: /^configures asynchronous invocation \(retries, event age, destinations\) of Lambda@Edge function e-ors-function, which CloudFront invokes synchronously/ },
        { resource: `${LOG_GROUP} ors-logs`, problem: new RegExp(`^sets retentionInDays and kmsKeyId on /aws/lambda/${name}, but Lambda@Edge function e-ors-function writes its logs to /aws/lambda/us-east-1\\.${name} in each Region`) },
      ]),
    ).toEqual([]);
    // A warning: not among the failing rules.
    expect(checkDeployRules(plan, devContext).filter((f) => f.rule === RULE)).toEqual([]);
    expect(LAMBDA_EDGE_SETTINGS_IGNORED.source).toBe("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html");
  });

  it("warns when the function's custom log group is /aws/lambda/<name> itself (Lambda@Edge still adds the us-east-1 prefix)", async () => {
    const graph = await edgeSite();
    const fn = graph.find(byName("e-ors-function"))!;
    const name = fn.state.name as string;
    const same = graph.map((r) => (r === fn ? { ...r, inputs: { ...r.inputs, loggingConfig: { logFormat: "Text", logGroup: `/aws/lambda/${name}` } } } : r));
    expect(matches(RULE, warnings([...same, handBuilt(LOG_GROUP, "ors-logs", { name: `/aws/lambda/${name}`, retentionInDays: 14 })]), [{ resource: `${LOG_GROUP} ors-logs`, problem: /^sets retentionInDays on / }])).toEqual([]);
  });

  it("passes a function with a custom log group, and a regional function's invoke config and log group", async () => {
    const graph = await edgeSite();
    const fn = graph.find(byName("e-ors-function"))!;
    const custom = graph.map((r) => (r === fn ? { ...r, inputs: { ...r.inputs, loggingConfig: { logFormat: "JSON", logGroup: "/edge/ors" } } } : r));
    expect(warnings([...custom, handBuilt(LOG_GROUP, "ors-logs", { name: `/aws/lambda/${fn.state.name}`, retentionInDays: 14 })])).toEqual([]);
    const regional = handBuilt("aws:lambda/function:Function", "worker", { name: "worker", runtime: "nodejs22.x", role: "arn:aws:iam::123456789012:role/r" }, { state: { name: "worker", arn: "arn:aws:lambda:us-east-1:123456789012:function:worker" } });
    expect(warnings([regional, handBuilt(INVOKE_CONFIG, "worker-async", { functionName: "worker", maximumRetryAttempts: 0 }), handBuilt(LOG_GROUP, "worker-logs", { name: "/aws/lambda/worker", retentionInDays: 14 })])).toEqual([]);
  });
});
