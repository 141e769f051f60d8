/**
 * local/iam-policy.ts's decision with IAM's matching (components/iam-match.ts): a Resource's wildcards stay within
 * their ARN segment unless a `*` ends one; where AWS's pages leave a wildcard open (a `*` inside a segment before a
 * colon of an S3 key or an API path) an Allow applies and a Deny does not, and an unresolved policy variable matches
 * anything in an Allow's Resource and nothing in its NotResource.
 */
import { describe, expect, it } from "vitest";
import { evaluatePolicy, policyStatements } from "../../local/iam-policy";
import { policyDecision } from "../../local/api-gateway";

const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function";
const decide = (statements: unknown[], action: string, resource: string) => evaluatePolicy(policyStatements({ Statement: statements }), action, resource);

describe("evaluatePolicy's matching", () => {
  it("lets a * that ends a segment cover a qualified function", () => {
    const statements = [{ Effect: "Allow", Action: "lambda:invokefunction", Resource: [`${FUNCTION}:*-worker`, `${FUNCTION}:jobs*`] }];
    expect(decide(statements, "lambda:InvokeFunction", `${FUNCTION}:jobs:live`)).toBe("allowed");
    expect(decide(statements, "lambda:InvokeFunction", `${FUNCTION}:photo-worker`)).toBe("allowed");
    expect(decide(statements, "lambda:InvokeFunction", `${FUNCTION}:other`)).toBe("implicitly-denied");
  });

  it("allows what an Allow's * inside a segment may cover over a colon (not confirmed against AWS: a local run must not refuse it)", () => {
    expect(decide([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/uploads/*/thumb.jpg" }], "s3:GetObject", "arn:aws:s3:::b/uploads/2024-01-01T10:00:00Z/thumb.jpg")).toBe("allowed");
    expect(decide([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*.jpg" }], "s3:GetObject", "arn:aws:s3:::b/a:b.jpg")).toBe("allowed");
    expect(decide([{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `${FUNCTION}:*-worker` }], "lambda:InvokeFunction", `${FUNCTION}:photo:live-worker`)).toBe("allowed");
  });

  it("denies only what a Deny's * must cover, and spares what its NotResource may name", () => {
    const all = { Effect: "Allow", Action: "s3:*", Resource: "*" };
    expect(decide([all, { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*.jpg" }], "s3:GetObject", "arn:aws:s3:::b/a:b.jpg")).toBe("allowed");
    expect(decide([all, { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*.jpg" }], "s3:GetObject", "arn:aws:s3:::b/ab.jpg")).toBe("explicitly-denied");
    expect(decide([all, { Effect: "Deny", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/*.jpg" }], "s3:GetObject", "arn:aws:s3:::b/a:b.jpg")).toBe("allowed");
    // An Allow's NotResource excludes only what it must name.
    expect(decide([{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/*.jpg" }], "s3:GetObject", "arn:aws:s3:::b/a:b.jpg")).toBe("allowed");
    expect(decide([{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/*.jpg" }], "s3:GetObject", "arn:aws:s3:::b/ab.jpg")).toBe("implicitly-denied");
  });

  it("reads a policy variable whose value holds a colon (a Cognito identity id) as matching it, and a Deny naming one as not applying", () => {
    const own = "arn:aws:s3:::photos/private/${cognito-identity.amazonaws.com:sub}/*";
    const key = "arn:aws:s3:::photos/private/us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/a.jpg";
    expect(decide([{ Effect: "Allow", Action: "s3:GetObject", Resource: own }], "s3:GetObject", key)).toBe("allowed");
    expect(decide([{ Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "s3:GetObject", Resource: own }], "s3:GetObject", key)).toBe("allowed");
  });

  it("applies a Deny naming only the fixed variables ${*}, ${?}, ${$}: their values are their characters, not the request's", () => {
    const all = { Effect: "Allow", Action: "s3:*", Resource: "*" };
    const deny = { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${*}" };
    expect(decide([all, deny], "s3:GetObject", "arn:aws:s3:::b/*")).toBe("explicitly-denied");
    expect(decide([all, deny], "s3:GetObject", "arn:aws:s3:::b/a")).toBe("allowed");
    expect(decide([all, { ...deny, Resource: ["arn:aws:s3:::b/${?}", "arn:aws:s3:::b/x"] }], "s3:GetObject", "arn:aws:s3:::b/x")).toBe("explicitly-denied");
  });

  it("reads an Allow's NotResource that holds a policy variable as excluding nothing: AWS allows the key to every caller but one", () => {
    const statements = [{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/${aws:username}/private/*" }];
    expect(decide(statements, "s3:GetObject", "arn:aws:s3:::b/bob/private/x")).toBe("allowed");
  });
});

describe("policyDecision (a Lambda authorizer's policy)", () => {
  const arn = "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items/urn:isbn:1/reviews";
  it("allows a path with a colon under an Allow's * inside a segment, and denies it only under a Deny that must cover it", () => {
    expect(policyDecision([{ Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items/*/reviews" }], arn)).toBe("allow");
    expect(policyDecision([{ Effect: "Allow", Resource: "*" }, { Effect: "Deny", Resource: "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items/*/reviews" }], arn)).toBe("allow");
    expect(policyDecision([{ Effect: "Allow", Resource: "*" }, { Effect: "Deny", Resource: "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items/*" }], arn)).toBe("deny");
  });
});
