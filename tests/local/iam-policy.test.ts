/**
 * local/iam-policy.ts's decision with IAM's matching (components/iam-match.ts): a Resource's wildcards stay within
 * their ARN segment unless a `*` ends one, and an unresolved policy variable matches anything, a colon too.
 */
import { describe, expect, it } from "vitest";
import { evaluatePolicy, policyStatements } from "../../local/iam-policy";

const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function";

describe("evaluatePolicy's matching", () => {
  it("lets a * that ends a segment cover a qualified function, and keeps a * inside one from running over a colon", () => {
    const statements = policyStatements({ Statement: [{ Effect: "Allow", Action: "lambda:invokefunction", Resource: [`${FUNCTION}:*-worker`, `${FUNCTION}:jobs*`] }] });
    expect(evaluatePolicy(statements, "lambda:InvokeFunction", `${FUNCTION}:jobs:live`)).toBe("allowed");
    expect(evaluatePolicy(statements, "lambda:InvokeFunction", `${FUNCTION}:photo-worker`)).toBe("allowed");
    expect(evaluatePolicy(statements, "lambda:InvokeFunction", `${FUNCTION}:photo:live-worker`)).toBe("implicitly-denied");
  });

  it("reads a policy variable whose value holds a colon (a Cognito identity id) as matching it, and a Deny naming one as not applying", () => {
    const own = "arn:aws:s3:::photos/private/${cognito-identity.amazonaws.com:sub}/*";
    const key = "arn:aws:s3:::photos/private/us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/a.jpg";
    expect(evaluatePolicy(policyStatements({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: own }] }), "s3:GetObject", key)).toBe("allowed");
    expect(evaluatePolicy(policyStatements({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "s3:GetObject", Resource: own }] }), "s3:GetObject", key)).toBe("allowed");
  });
});
