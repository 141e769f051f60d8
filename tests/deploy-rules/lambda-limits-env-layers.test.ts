/**
 * LambdaLimits on hand-built functions' environment keys: Lambda refuses a function configuration that sets one of the
 * runtime's reserved variables (AWS_REGION, AWS_ACCESS_KEY_ID, LAMBDA_TASK_ROOT, ...), which LambdaFunction refuses at
 * construction but an `aws.lambda.Function` built elsewhere did not (review 110, finding 2); and their layers, which
 * CreateFunction takes as layer version ARNs only (finding 5).
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { checkDeployRules, LAMBDA_LIMITS } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { devContext, handBuilt } from "./fixture";

const fn = (variables: Record<string, string>) => handBuilt("aws:lambda/function:Function", "fn", { runtime: "nodejs22.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/r", environment: { variables } });
const problems = (variables: Record<string, string>) => checkDeployRules([fn(variables)], devContext, [LAMBDA_LIMITS]).map((f) => f.problem);

describe("LambdaLimits reserved environment keys", () => {
  it("refuses the runtime's reserved keys and accepts the unreserved ones (NODE_OPTIONS, AWS_LAMBDA_EXEC_WRAPPER, TABLE_NAME)", () => {
    expect(problems({ AWS_REGION: "eu-west-1", LAMBDA_TASK_ROOT: "/x", TABLE_NAME: "t" })).toEqual([
      "sets environment variables the Lambda runtime reserves (AWS_REGION, LAMBDA_TASK_ROOT), which CreateFunction refuses",
    ]);
    expect(problems({ NODE_OPTIONS: "--enable-source-maps", AWS_LAMBDA_EXEC_WRAPPER: "/opt/wrapper", TABLE_NAME: "t" })).toEqual([]);
  });
});

// CreateFunction's Layers: "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:…:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|…"
// (review 110 F5): a layer named without its version is refused.
describe("LambdaLimits layer version ARNs", () => {
  const withLayers = (layers: string[]) => checkDeployRules([handBuilt("aws:lambda/function:Function", "fn", { runtime: "nodejs22.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/r", layers })], devContext, [LAMBDA_LIMITS]).map((f) => f.problem);
  it("refuses a layer ARN without its version, accepts a versioned one", () => {
    expect(withLayers(["arn:aws:lambda:us-east-1:123456789012:layer:shared", "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"])).toEqual([
      "has layers that are not layer version ARNs (arn:aws:lambda:us-east-1:123456789012:layer:shared), which CreateFunction refuses",
    ]);
  });

  // Review 115, finding 6: one pattern, LambdaFunction's, so a versioned-looking string CreateFunction refuses is
  // reported too (a layer has numbered versions; `$LATEST` is a function's), and the mocks give a LayerVersion's
  // `arn` the real LayerVersionArn shape, so a recorded program's layer passes.
  it("refuses a layer ARN ending in :$LATEST or with a short account, as LambdaFunction does", () => {
    expect(withLayers(["arn:aws:lambda:us-east-1:123456789012:layer:shared:$LATEST", "arn:aws:lambda:us-east-1:1234:layer:shared:1"])).toEqual([
      "has layers that are not layer version ARNs (arn:aws:lambda:us-east-1:123456789012:layer:shared:$LATEST, arn:aws:lambda:us-east-1:1234:layer:shared:1), which CreateFunction refuses",
    ]);
  });

  // Review 115, finding 7: CreateFunction's pattern takes any `aws…` partition and any account (API_Layer; a public
  // layer is another account's), so a pattern narrowed to `arn:aws:` or to the caller's account would fail these.
  const OTHER_PARTITIONS_AND_ACCOUNTS = [
    "arn:aws-cn:lambda:cn-north-1:123456789012:layer:shared:1",
    "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:shared:2",
    "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:78",
  ];
  it("accepts layer version ARNs of other partitions (aws-cn, aws-us-gov) and of another account, in LambdaFunction and LambdaLimits", () => {
    expect(withLayers(OTHER_PARTITIONS_AND_ACCOUNTS)).toEqual([]);
    expect(() => new LambdaFunction("partitions", { entry: "tests/fixtures/handlers/echo.ts", layers: OTHER_PARTITIONS_AND_ACCOUNTS })).not.toThrow();
  });

  it("passes a LambdaFunction whose layer is a recorded aws.lambda.LayerVersion's arn", async () => {
    const graph = await record(() => {
      const layer = new aws.lambda.LayerVersion("shared", { layerName: "shared", code: "layer.zip", compatibleRuntimes: ["nodejs22.x"] });
      new LambdaFunction("layered", { entry: "tests/fixtures/handlers/echo.ts", layers: [layer.arn] });
    });
    const fn = graph.find((r) => r.type === "aws:lambda/function:Function")!;
    expect(fn.inputs.layers).toEqual([expect.stringMatching(/^arn:aws:lambda:[a-z0-9-]+:123456789012:layer:shared:1$/)]);
    expect(checkDeployRules(graph, devContext, [LAMBDA_LIMITS])).toEqual([]);
  });
});
