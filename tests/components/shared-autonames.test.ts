/**
 * The autoname checks the components share (components/autoname.ts `validateAutonames`): a Lambda function's, an SNS
 * topic's, a secret's and a log group's name, each refused at construction with the argument to change and how long it may be.
 */
import { describe, expect, it } from "vitest";
import { validateAutonames } from "../../components/autoname";
import { EdgeLogic } from "../../components/edge-logic";
import { argFailer } from "../../components/errors";
import { LambdaFunction } from "../../components/lambda/function";
import { Monitoring } from "../../components/monitoring";
import { ServerlessApi } from "../../components/serverless-api";
import { StackSecret } from "../../components/stack-secret";
import { record } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const viewerRequest = { entry, eventType: "viewer-request" as const };

describe("lambda-function: CreateFunction FunctionName, up to 64 of letters, digits, - and _", () => {
  it("LambdaFunction says how long its name may be: <name>-function-<7 hex> fits 64 with a name of 47", async () => {
    expect(() => new LambdaFunction("n".repeat(48), { entry })).toThrow(
      /^LambdaFunction "n{48}": name "n{48}" makes the Lambda function name "n{48}-function-<random suffix>" 65 characters, over Lambda's 64\. Use a component name of at most 47 characters\.$/,
    );
    await expect(record(() => new LambdaFunction("n".repeat(47), { entry }))).resolves.toBeDefined();
  });

  it("LambdaFunction refuses a long name with a refused character in one error, with both fixes", () => {
    expect(() => new LambdaFunction(`a.${"n".repeat(46)}`, { entry })).toThrow(
      /^LambdaFunction "a\.n{46}": name "a\.n{46}" makes the Lambda function name "a\.n{46}-function-<random suffix>" hold "\.", which Lambda refuses \(it takes letters, digits, "-" and "_"\); it also makes .* 65 characters, over Lambda's 64\. Use a component name of letters, digits, "-" and "_"\. Use a component name of at most 47 characters\.$/,
    );
  });

  it("EdgeLogic blames its name, not the key, when no key is short enough: <name>-x-function-<suffix>", () => {
    expect(() => new EdgeLogic("e".repeat(46), { lambdas: { x: viewerRequest } })).toThrow(
      /^EdgeLogic "e{46}": name "e{46}" makes the Lambda function name "e{46}-x-function-<random suffix>" 65 characters, over Lambda's 64\. Use a component name of at most 45 characters\.$/,
    );
  });

  it("EdgeLogic blames a long key with how long it and the name may be", () => {
    const key = "k".repeat(30);
    expect(() => new EdgeLogic("e".repeat(20), { lambdas: { [key]: viewerRequest } })).toThrow(
      /^EdgeLogic "e{20}": lambdas "k{30}" makes the Lambda function name "e{20}-k{30}-function-<random suffix>" 68 characters, over Lambda's 64\. Use a key of at most 26 characters, or a component name of at most 16 characters\.$/,
    );
  });

  it("ServerlessApi blames the route key that names a long function, not a route name the user never set", () => {
    const key = "GET /albums/{albumId}/photos/{photoId}/thumbnails";
    expect(() => new ServerlessApi("bad", { routes: { [key]: { handler: entry } } })).toThrow(
      /^ServerlessApi "bad": routes\["GET \/albums\/\{albumId\}\/photos\/\{photoId\}\/thumbnails"\] "GET \/albums\/\{albumId\}\/photos\/\{photoId\}\/thumbnails" makes the Lambda function name "bad-get-albums-albumid-photos-photoid-thumbnails-function-<random suffix>" 65 characters, over Lambda's 64\. Use a route name \(its function is named from the method and path without one\) of at most 43 characters, or a component name of at most 2 characters\.$/,
    );
    expect(() => new ServerlessApi("bad", { routes: { "GET /x": { handler: entry, name: "n".repeat(44) } } })).toThrow(
      /^ServerlessApi "bad": routes\["GET \/x"\]\.name "n{44}" makes the Lambda function name "bad-n{44}-function-<random suffix>" 65 characters, over Lambda's 64\. Use a route name of at most 43 characters, or a component name of at most 2 characters\.$/,
    );
  });

  it("ServerlessApi blames its own name when no route name is short enough", () => {
    expect(() => new ServerlessApi("n".repeat(46), { routes: { "GET /": { handler: entry } } })).toThrow(
      /^ServerlessApi "n{46}": name "n{46}" makes the Lambda function name "n{46}-get-function-<random suffix>" 67 characters, over Lambda's 64\. Use a component name of at most 43 characters\.$/,
    );
  });

  it("ServerlessApi refuses a Lambda authorizer's long name itself, as authorizers.<name>, with how long it may be", () => {
    const authorizer = "a".repeat(40);
    expect(() => new ServerlessApi("api", { routes: { "GET /": { integration: { type: "mock", body: { ok: true } } } }, authorizers: { [authorizer]: { type: "request", handler: entry } } })).toThrow(
      /^ServerlessApi "api": authorizers\.a{40} "a{40}" makes the Lambda function name "api-auth-a{40}-function-<random suffix>" 66 characters, over Lambda's 64\. Use an authorizer name of at most 38 characters, or a component name of at most 1 character\.$/,
    );
  });
});

describe("sns-topic: pulumi-aws autonames a topic within 80 characters of letters, digits, - and _", () => {
  it("Monitoring refuses a name both too long and with a refused character in one error", () => {
    const name = `my.${"n".repeat(70)}`;
    expect(() => new Monitoring(name, { queues: { gallery: { queueName: "counters-dlq" } } })).toThrow(
      /^Monitoring "my\.n{70}": name "my\.n{70}" makes the SNS topic name "my\.n{70}-alarms-<random suffix>" hold "\.", which SNS refuses \(it takes letters, digits, "-" and "_"\); it also makes .* 88 characters, over the 80 pulumi-aws autonames an SNS topic within\. Use a component name of letters, digits, "-" and "_"\. Use a component name of at most 65 characters\.$/,
    );
  });
});

describe("secret: CreateSecret Name, letters, digits and /_+=.@-, autonamed within pulumi-aws's 255", () => {
  it("StackSecret refuses a name that makes <name>-secret-<7 hex> over 255 characters, which fails `pulumi preview`", async () => {
    expect(() => new StackSecret("s".repeat(241), { value: "v" })).toThrow(
      /^StackSecret "s{241}": name "s{241}" makes the secret name "s{241}-secret-<random suffix>" 256 characters, over the 255 pulumi-aws autonames a secret within \(Secrets Manager takes 512\)\. Use a component name of at most 240 characters\.$/,
    );
    await expect(record(() => new StackSecret("s".repeat(240), { value: "v" }))).resolves.toBeDefined();
  });

  it("StackSecret names the replicaRegions element that is not a region", () => {
    expect(() => new StackSecret("replicated", { value: "v", replicaRegions: ["us-west-2", "US-EAST-2"] })).toThrow(
      /^StackSecret "replicated": replicaRegions\[1\] "US-EAST-2" is not an AWS region name\. Use the region's code, in lower case, e\.g\. "us-west-2"\.$/,
    );
    expect(() => new StackSecret("replicated", { value: "v", replicaRegions: [""] })).toThrow(/^StackSecret "replicated": replicaRegions\[0\] "" is not an AWS region name\./);
  });
});

describe("log-group: CloudWatch Logs takes 512, pulumi-aws autonames within its default 255", () => {
  it("refuses the name that makes an autonamed log group 256 characters, and takes 255", () => {
    // `<name>-access-logs-<7 hex>`: 20 characters besides the name.
    const check = (name: string) => validateAutonames(argFailer("ServerlessApi", name), name, [{ resource: `${name}-access-logs`, kind: "log-group" }]);
    expect(() => check("a".repeat(235))).not.toThrow();
    expect(() => check("a".repeat(236))).toThrow(/256 characters, over the 255 pulumi-aws autonames a log group within \(CloudWatch Logs takes 512\)\. Use a component name of at most 235 characters\.$/);
  });
});
