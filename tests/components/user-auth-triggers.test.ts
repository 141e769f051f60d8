/**
 * UserAuth's sign-up and sign-in triggers (review 28, finding 5): besides postConfirmation, preSignUp,
 * preAuthentication, postAuthentication and preTokenGeneration, each a LambdaFunction wired into the pool's
 * lambdaConfig with an invoke permission scoped to the pool, kept with a kept pool as postConfirmation is.
 * Pre token generation V2_0 events (access token customization) need the Essentials or Plus feature plan.
 */
import * as aws from "@pulumi/aws";
import { beforeAll, describe, expect, it } from "vitest";
import { UserAuth, type UserAuthArgs } from "../../components/user-auth";
import { childrenOf, record, resource, type RecordedResource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const base: UserAuthArgs = { callbackUrls: ["https://gallery.example.com/"] };
const entry = "tests/fixtures/handlers/record-trigger.ts";
const TRIGGERS = [
  { trigger: "preSignUp", resourceName: "signin-pre-sign-up" },
  { trigger: "postConfirmation", resourceName: "signin-post-confirmation" },
  { trigger: "preAuthentication", resourceName: "signin-pre-authentication" },
  { trigger: "postAuthentication", resourceName: "signin-post-authentication" },
  { trigger: "preTokenGeneration", resourceName: "signin-pre-token-generation" },
] as const;

let graph: RecordedResource[];
beforeAll(async () => {
  graph = await record(
    () =>
      new UserAuth("signin", {
        ...base,
        triggers: {
          preSignUp: { entry, timeout: 3 },
          postConfirmation: { entry },
          preAuthentication: { entry, environment: { DENY_LIST: "blocked@example.com" } },
          postAuthentication: { entry },
          preTokenGeneration: { entry },
        },
        retainOnDelete: true,
      }),
  );
});

describe("UserAuth sign-up and sign-in triggers", () => {
  it("makes each trigger a LambdaFunction with its own invoke permission scoped to the pool", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "signin-pool");
    for (const { resourceName } of TRIGGERS) {
      const fn = resource(graph, "aws:lambda/function:Function", `${resourceName}-function`);
      const permission = resource(graph, "aws:lambda/permission:Permission", `${resourceName}-invoke`);
      expect(permission.inputs, resourceName).toMatchObject({ action: "lambda:InvokeFunction", function: fn.state.name, principal: "cognito-idp.amazonaws.com", sourceArn: pool.state.arn });
    }
    expect(resource(graph, "aws:lambda/function:Function", "signin-pre-sign-up-function").inputs.timeout).toBe(3);
    expect(resource(graph, "aws:lambda/function:Function", "signin-pre-authentication-function").inputs.environment.variables.DENY_LIST).toBe("blocked@example.com");
  });

  it("names every trigger in the pool's lambdaConfig, pre token generation as a V1_0 preTokenGenerationConfig by default", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "signin-pool");
    const arn = (name: string) => resource(graph, "aws:lambda/function:Function", `${name}-function`).state.arn;
    expect(pool.inputs.lambdaConfig).toEqual({
      preSignUp: arn("signin-pre-sign-up"),
      postConfirmation: arn("signin-post-confirmation"),
      preAuthentication: arn("signin-pre-authentication"),
      postAuthentication: arn("signin-post-authentication"),
      preTokenGenerationConfig: { lambdaArn: arn("signin-pre-token-generation"), lambdaVersion: "V1_0" },
    });
  });

  it("with retainOnDelete, keeps every trigger's parts and permission when the pool goes, as postConfirmation's", () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "signin-pool");
    const component = resource(graph, "serverless-fullstack:index:UserAuth", "signin");
    for (const { resourceName } of TRIGGERS) {
      const permission = resource(graph, "aws:lambda/permission:Permission", `${resourceName}-invoke`);
      expect({ retainOnDelete: permission.retainOnDelete, deletedWith: permission.deletedWith === pool.urn }, resourceName).toEqual({ retainOnDelete: false, deletedWith: true });
      const parts = childrenOf(graph, resource(graph, "serverless-fullstack:index:LambdaFunction", resourceName));
      expect(parts.length, resourceName).toBeGreaterThan(0);
      for (const part of parts) expect({ retainOnDelete: part.retainOnDelete, deletedWith: part.deletedWith === component.urn }, part.name).toEqual({ retainOnDelete: false, deletedWith: true });
    }
  });

  it("exposes the trigger functions in nodes.triggers", () => {
    let auth: UserAuth | undefined;
    return record(() => {
      auth = new UserAuth("nodes", { ...base, triggers: { preAuthentication: { entry }, postAuthentication: { entry } } });
    }).then(() => {
      expect(Object.keys(auth!.nodes.triggers).sort()).toEqual(["postAuthentication", "preAuthentication"]);
      expect(auth!.spec.triggers).toEqual({ preAuthentication: "nodes-pre-authentication", postAuthentication: "nodes-post-authentication" });
    });
  });

  it("sends the V2_0 event when asked, on a pool whose feature plan allows it", async () => {
    const v2 = await record(() => new UserAuth("tokens", { ...base, threatProtection: "OFF", triggers: { preTokenGeneration: { entry, eventVersion: "V2_0" } } }));
    const pool = resource(v2, "aws:cognito/userPool:UserPool", "tokens-pool");
    expect(pool.inputs.userPoolTier).toBe("ESSENTIALS");
    expect(pool.inputs.lambdaConfig.preTokenGenerationConfig.lambdaVersion).toBe("V2_0");
    // The event version is UserAuth's, not the function's.
    expect(resource(v2, "aws:lambda/function:Function", "tokens-pre-token-generation-function").inputs.environment?.variables?.eventVersion).toBeUndefined();
  });

  it("refuses the V2_0 event on a LITE pool, which only sends V1_0", () => {
    expect(refusalOf(() => new UserAuth("lite", { ...base, threatProtection: "OFF", refreshTokenRotation: { enabled: false }, triggers: { preTokenGeneration: { entry, eventVersion: "V2_0" } } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "lite",
      argument: "triggers.preTokenGeneration.eventVersion",
      value: "V2_0",
      fix: 'Use eventVersion "V1_0" (ID token claims only), or turn refreshTokenRotation on (ESSENTIALS) or threatProtection on (PLUS).',
      message: expect.stringMatching(/^UserAuth "lite": triggers\.preTokenGeneration\.eventVersion "V2_0" needs the Essentials or Plus feature plan \(access token customization\), and this pool is on LITE \(threatProtection "OFF", refreshTokenRotation off\)\. Use eventVersion "V1_0" \(ID token claims only\), or turn refreshTokenRotation on \(ESSENTIALS\) or threatProtection on \(PLUS\)\.$/),
    });
  });

  it("refuses an event version UserAuth does not send, and a trigger it does not offer", () => {
    expect(refusalOf(() => new UserAuth("v3", { ...base, triggers: { preTokenGeneration: { entry, eventVersion: "V3_0" as never } } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "v3",
      argument: "triggers.preTokenGeneration.eventVersion",
      value: "V3_0",
      fix: "Use \"V1_0\" (ID token claims) or \"V2_0\" (ID and access token claims); V3_0 adds machine-to-machine client-credentials grants, which UserAuth's app client does not use.",
      message: expect.stringMatching(/^UserAuth "v3": triggers\.preTokenGeneration\.eventVersion "V3_0" is not an event version UserAuth sends\. Use "V1_0" \(ID token claims\) or "V2_0" \(ID and access token claims\); V3_0 adds machine-to-machine client-credentials grants, which UserAuth's app client does not use\.$/),
    });
    expect(refusalOf(() => new UserAuth("typo", { ...base, triggers: { preSignup: { entry } } as never }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "typo",
      argument: "triggers.preSignup",
      value: { entry: "tests/fixtures/handlers/record-trigger.ts" },
      fix: "Use one of preSignUp, postConfirmation, preAuthentication, postAuthentication, preTokenGeneration.",
      message: expect.stringMatching(/^UserAuth "typo": triggers\.preSignup \{"entry":".*"\} is not a trigger UserAuth offers\. Use one of preSignUp, postConfirmation, preAuthentication, postAuthentication, preTokenGeneration\.$/),
    });
  });
});

// A trigger is the LambdaFunction `<name>-<trigger>`, autonamed `<name>-<trigger>-function-<7 hex>` within Lambda's 64
// characters: a UserAuth name too long for it is refused as UserAuth's `name`, with the longest that fits (review 29 F9).
describe("UserAuth checks its trigger functions' names as its own", () => {
  it("refuses a name that makes the pre token generation function's name over 64 characters, naming UserAuth's longest", () => {
    const name = "a".repeat(30);
    expect(refusalOf(() => new UserAuth(name, { ...base, triggers: { preTokenGeneration: { entry } } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "a".repeat(30),
      argument: "name",
      value: "a".repeat(30),
      fix: "Use a component name of at most 26 characters.",
      message: expect.stringMatching(new RegExp(`^UserAuth "${name}": name "${name}" makes the Lambda function name "${name}-pre-token-generation-function-<random suffix>" \\d+ characters, over Lambda's 64\\. Use a component name of at most 26 characters\\.`)),
    });
    expect(() => new UserAuth("a".repeat(26), { ...base, triggers: { preTokenGeneration: { entry } } })).not.toThrow();
  });
});

// A trigger's invoke permission is created in the pool's region and names the function by name, which Lambda looks up
// in that region: a trigger in another region (its own `region`, or `edge`, which puts it in us-east-1) would fail
// AddPermission with "Function not found" on the first deploy (review 110, finding 1).
describe("UserAuth keeps its triggers in the pool's region", () => {
  it("refuses a trigger region other than the UserAuth's, and an edge trigger", () => {
    expect(refusalOf(() => new UserAuth("away", { ...base, region: "eu-west-1", triggers: { preSignUp: { entry, region: "us-west-2" } } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "away",
      argument: "triggers.preSignUp.region",
      value: "us-west-2",
      fix: "Leave the trigger's region out (it follows the UserAuth's), or set region on the UserAuth.",
      message: expect.stringMatching(/^UserAuth "away": triggers\.preSignUp\.region "us-west-2" is not the user pool's region \("eu-west-1"\): the pool's permission to invoke the trigger is made in the pool's region, where Lambda would not find the function\. Leave the trigger's region out \(it follows the UserAuth's\), or set region on the UserAuth\.$/),
    });
    expect(refusalOf(() => new UserAuth("unset", { ...base, triggers: { postConfirmation: { entry, region: "us-west-2" } } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "unset",
      argument: "triggers.postConfirmation.region",
      value: "us-west-2",
      fix: "Leave the trigger's region out (it follows the UserAuth's), or set region on the UserAuth.",
      message: expect.stringMatching(/^UserAuth "unset": triggers\.postConfirmation\.region "us-west-2" is not the user pool's region \(the provider's\)/),
    });
    expect(refusalOf(() => new UserAuth("edgy", { ...base, triggers: { preAuthentication: { entry, edge: true } } }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "edgy",
      argument: "triggers.preAuthentication.edge",
      value: true,
      fix: "Remove edge.",
      message: expect.stringMatching(/^UserAuth "edgy": triggers\.preAuthentication\.edge true makes the trigger a Lambda@Edge function \(forced into us-east-1, trusted by edgelambda, kept on delete\), which is CloudFront's kind of function, not a user pool's\. Remove edge\.$/),
    });
    expect(() => new UserAuth("same", { ...base, region: "eu-west-1", triggers: { preSignUp: { entry, region: "eu-west-1" } } })).not.toThrow();
  });

  // Review 115, finding 5: with no region on the UserAuth the pool is made in the stack's aws:region (default
  // provider), so a trigger naming that region is beside it; under an explicit provider the pool's region is unknown
  // at construction, and a trigger naming a region is still refused.
  // (aws.config.region reads the stack's aws:region, else AWS_REGION, as the provider does: set here for this test only.)
  it("accepts a trigger region equal to the stack's when the UserAuth sets none; refuses another, and any under an explicit provider", async () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-east-1";
    try {
      expect(aws.config.region).toBe("us-east-1");
      const recorded = await record(() => new UserAuth("stacked", { ...base, triggers: { preSignUp: { entry, region: "us-east-1" } } }));
      expect(resource(recorded, "aws:lambda/function:Function", "stacked-pre-sign-up-function").inputs.region).toBe("us-east-1");
      expect(refusalOf(() => new UserAuth("elsewhere", { ...base, triggers: { preSignUp: { entry, region: "us-west-2" } } }), "UserAuth accepted the arguments")).toMatchObject({
        component: "UserAuth",
        resourceName: "elsewhere",
        argument: "triggers.preSignUp.region",
        value: "us-west-2",
        fix: "Leave the trigger's region out (it follows the UserAuth's), or set region on the UserAuth.",
        message: expect.stringMatching(/^UserAuth "elsewhere": triggers\.preSignUp\.region "us-west-2" is not the user pool's region \("us-east-1", the stack's aws:region\): /),
      });
      const west = new aws.Provider("auth-west", { region: "us-west-2" });
      expect(refusalOf(() => new UserAuth("provided", { ...base, triggers: { preSignUp: { entry, region: "us-west-2" } } }, { provider: west }), "UserAuth accepted the arguments")).toMatchObject({
        component: "UserAuth",
        resourceName: "provided",
        argument: "triggers.preSignUp.region",
        value: "us-west-2",
        fix: "Leave the trigger's region out (it follows the UserAuth's), or set region on the UserAuth.",
        message: expect.stringMatching(/^UserAuth "provided": triggers\.preSignUp\.region "us-west-2" is not the user pool's region \(the provider's\)/),
      });
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });
});
