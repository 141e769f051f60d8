/**
 * IAM's wildcard matching (components/iam-match.ts), element by element as IAM documents it: actions
 * case-insensitively, resources within ARN segments (a `*` ending one runs over colons) with a lenient and a strict
 * reading of the case AWS's pages leave open, StringLike across the whole string, ArnLike component by component, and
 * the String and ARN condition operators.
 */
import { describe, expect, it } from "vitest";
import { actionMatches, arnLike, conditionOperator, resourceMatches, stringLike } from "../../components/iam-match";

const ACCOUNT = "123456789012";
// The condition-operators page's own example: StringLike matches it, ArnLike does not.
const DOC_PATTERN = "arn:aws:someservice:*:111122223333:finance/*";
const DOC_VALUE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";

describe("actionMatches (Action, NotAction)", () => {
  it("compares prefix and name case-insensitively, with * and ? anywhere", () => {
    expect(actionMatches("IAM:listaccesskeys", "iam:ListAccessKeys")).toBe(true);
    expect(actionMatches("iam:*AccessKey*", "iam:CreateAccessKey")).toBe(true);
    expect(actionMatches("dynamodb:?etItem", "dynamodb:GetItem")).toBe(true);
    expect(actionMatches("*", "lambda:InvokeFunction")).toBe(true);
    expect(actionMatches("dynamodb:?etItem", "dynamodb:BatchGetItem")).toBe(false);
    expect(actionMatches("s3:Get*", "s3:PutObject")).toBe(false);
    // A regular expression's characters are literal.
    expect(actionMatches("s3:Get.bject", "s3:GetObject")).toBe(false);
  });

  it("reads `${…}` as written, its `*` a wildcard: Action takes no policy variables, fixed ones neither", () => {
    expect(actionMatches("s3:Get${*}", "s3:Get${x}")).toBe(true);
    expect(actionMatches("s3:Get${*}", "s3:Get*")).toBe(false);
  });
});

describe("resourceMatches (Resource, NotResource)", () => {
  it("matches case-sensitively, * and ? within a segment, a * spanning slashes, in either reading", () => {
    for (const reading of ["lenient", "strict"] as const) {
      expect(resourceMatches("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1/2/test/3/object.jpg", reading)).toBe(true);
      expect(resourceMatches("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1-test/object.jpg", reading)).toBe(false);
      expect(resourceMatches("arn:aws:s3:::example?bucket/*", "arn:aws:s3:::example1bucket/key", reading)).toBe(true);
      expect(resourceMatches(`arn:aws:iam::${ACCOUNT}:user/Bob`, `arn:aws:iam::${ACCOUNT}:user/bob`, reading)).toBe(false);
      expect(resourceMatches("*", `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`, reading)).toBe(true);
      // A * that ends a segment runs over colons (AWS's page says so): a function's ARN with a qualifier.
      expect(resourceMatches(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker:live`, reading)).toBe(true);
      expect(resourceMatches(`arn:aws:sqs:*:${ACCOUNT}:jobs`, `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`, reading)).toBe(true);
    }
  });

  it("reads a * inside a segment before a colon of the resource part as matching when lenient (an S3 key, an API path), and not when strict: AWS's pages do not settle it", () => {
    const cases: Array<[string, string]> = [
      ["arn:aws:s3:::b/uploads/*/thumb.jpg", "arn:aws:s3:::b/uploads/2024-01-01T10:00:00Z/thumb.jpg"],
      ["arn:aws:s3:::b/*.jpg", "arn:aws:s3:::b/a:b.jpg"],
      [`arn:aws:execute-api:us-east-1:${ACCOUNT}:api/dev/GET/items/*/reviews`, `arn:aws:execute-api:us-east-1:${ACCOUNT}:api/dev/GET/items/urn:isbn:1/reviews`],
      [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:*-worker`, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:a:b-worker`],
    ];
    for (const [pattern, arn] of cases) {
      expect(resourceMatches(pattern, arn, "lenient")).toBe(true);
      expect(resourceMatches(pattern, arn, "strict")).toBe(false);
    }
  });

  it("keeps a region's * out of the account when strict (ARN components), and lets it run on when lenient", () => {
    expect(resourceMatches(`arn:aws:sqs:*:${ACCOUNT}:jobs`, `arn:aws:sqs:us-east-1:999999999999:x:${ACCOUNT}:jobs`, "strict")).toBe(false);
    expect(resourceMatches(`arn:aws:sqs:*:${ACCOUNT}:jobs`, `arn:aws:sqs:us-east-1:999999999999:x:${ACCOUNT}:jobs`, "lenient")).toBe(true);
    // Neither reading takes a ? over the colon of the ARN's own structure strictly.
    expect(resourceMatches(`arn:aws:lambda:us-east-1:${ACCOUNT}:function?worker`, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker`, "strict")).toBe(false);
  });

  it("reads a policy variable as anything, colons too, when lenient, and a pattern holding one as matching nothing when strict", () => {
    const pattern = "arn:aws:s3:::photos/private/${cognito-identity.amazonaws.com:sub}/*";
    const key = "arn:aws:s3:::photos/private/us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/a.jpg";
    expect(resourceMatches(pattern, key, "lenient")).toBe(true);
    expect(resourceMatches(pattern, key, "strict")).toBe(false);
    expect(resourceMatches(pattern, "arn:aws:s3:::photos/public/a.jpg", "lenient")).toBe(false);
    expect(resourceMatches("arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/${aws:username}", "strict")).toBe(false);
  });

  it("reads ${*}, ${?} and ${$} as the characters they stand for, not as wildcards or variables, in either reading", () => {
    for (const reading of ["lenient", "strict"] as const) {
      expect(resourceMatches("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", reading)).toBe(true);
      expect(resourceMatches("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/a", reading)).toBe(false);
      expect(resourceMatches("arn:aws:s3:::bucket/what${?}", "arn:aws:s3:::bucket/what?", reading)).toBe(true);
      expect(resourceMatches("arn:aws:s3:::bucket/what${?}", "arn:aws:s3:::bucket/whats", reading)).toBe(false);
      expect(resourceMatches("arn:aws:s3:::bucket/${$}{aws:username}/*", "arn:aws:s3:::bucket/${aws:username}/a.jpg", reading)).toBe(true);
      expect(resourceMatches("arn:aws:s3:::bucket/${$}{aws:username}/*", "arn:aws:s3:::bucket/bob/a.jpg", reading)).toBe(false);
      // A wildcard beside one stays a wildcard.
      expect(resourceMatches("arn:aws:s3:::bucket/*/${*}", "arn:aws:s3:::bucket/a/*", reading)).toBe(true);
      expect(resourceMatches("arn:aws:s3:::bucket/*/${*}", "arn:aws:s3:::bucket/a/b", reading)).toBe(false);
    }
  });
});

describe("stringLike (StringLike)", () => {
  it("matches * and ? anywhere in the string, colons too, case-sensitively", () => {
    expect(stringLike(DOC_PATTERN, DOC_VALUE)).toBe(true);
    expect(stringLike("t1.*", "t1.micro")).toBe(true);
    expect(stringLike("home/?/", "home/a/")).toBe(true);
    expect(stringLike("Home/*", "home/a")).toBe(false);
    expect(stringLike("", "")).toBe(true);
    expect(stringLike("", "x")).toBe(false);
  });

  it("reads ${*}, ${?} and ${$} as the characters they stand for", () => {
    expect(stringLike("photos/${*}", "photos/*")).toBe(true);
    expect(stringLike("photos/${*}", "photos/a")).toBe(false);
    expect(stringLike("photos/${?}", "photos/?")).toBe(true);
    expect(stringLike("photos/${?}", "photos/a")).toBe(false);
    expect(stringLike("${$}5", "$5")).toBe(true);
    expect(stringLike("*${*}", "any*")).toBe(true);
    expect(stringLike("*${*}", "any")).toBe(false);
  });
});

describe("arnLike (ArnLike, ArnEquals)", () => {
  const rule = `arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/name`;

  it("matches each of the six components on its own", () => {
    expect(arnLike(DOC_PATTERN, DOC_VALUE)).toBe(false);
    expect(arnLike(`arn:aws:events:*:${ACCOUNT}:rule/bus/*`, rule)).toBe(true);
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/nam?`, rule)).toBe(true);
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:rule/other/*`, rule)).toBe(false);
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:rule.bus/*`, `arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/x`)).toBe(false);
    expect(arnLike(`arn:aws:Events:us-east-1:${ACCOUNT}:rule/bus/name`, rule)).toBe(false);
  });

  it("takes the resource component with its colons, and matches nothing with fewer than six components", () => {
    expect(arnLike(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker:live`)).toBe(true);
    // The region's * does not reach into the account and the resource.
    expect(arnLike("arn:aws:events:*", rule)).toBe(false);
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:*`, "arn:aws:events:us-east-1")).toBe(false);
  });

  it("reads ${*} and ${?} as the characters they stand for", () => {
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/\${*}`, `arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/*`)).toBe(true);
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/\${*}`, rule)).toBe(false);
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/nam\${?}`, rule)).toBe(false);
    expect(arnLike(`arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/nam\${?}`, `arn:aws:events:us-east-1:${ACCOUNT}:rule/bus/nam?`)).toBe(true);
  });
});

describe("conditionOperator (String and ARN condition operators)", () => {
  const holds = (operator: string, policyValue: string, requestValue: string) => {
    const compare = conditionOperator(operator)!;
    const matched = compare.matches(policyValue, requestValue);
    return compare.negated ? !matched : matched;
  };

  it("reads each operator as IAM's table does", () => {
    expect(holds("StringEquals", "Photos", "Photos")).toBe(true);
    expect(holds("StringEquals", "Photos", "photos")).toBe(false);
    expect(holds("StringEquals", "Photo*", "Photos")).toBe(false);
    expect(holds("StringEqualsIgnoreCase", "Photos", "photos")).toBe(true);
    expect(holds("StringNotEqualsIgnoreCase", "Photos", "photos")).toBe(false);
    expect(holds("StringLike", DOC_PATTERN, DOC_VALUE)).toBe(true);
    expect(holds("StringNotLike", DOC_PATTERN, DOC_VALUE)).toBe(false);
    // ArnEquals and ArnLike "behave identically", wildcards and all.
    expect(holds("ArnLike", DOC_PATTERN, DOC_VALUE)).toBe(false);
    expect(holds("ArnEquals", `arn:aws:sns:*:${ACCOUNT}:events`, `arn:aws:sns:us-east-1:${ACCOUNT}:events`)).toBe(true);
    expect(holds("ArnNotEquals", `arn:aws:sns:*:${ACCOUNT}:events`, `arn:aws:sns:us-east-1:${ACCOUNT}:events`)).toBe(false);
    expect(holds("ArnNotLike", DOC_PATTERN, DOC_VALUE)).toBe(true);
  });

  it("reads ${*}, ${?} and ${$} in StringEquals and StringEqualsIgnoreCase as their characters, no wildcard in them", () => {
    expect(holds("StringEquals", "\${$}{x}", "\${x}")).toBe(true);
    expect(holds("StringEquals", "photos/\${*}", "photos/*")).toBe(true);
    expect(holds("StringEquals", "photos/\${*}", "photos/a")).toBe(false);
    expect(holds("StringEqualsIgnoreCase", "Photos\${?}", "photos?")).toBe(true);
    expect(holds("StringNotEquals", "\${$}{x}", "\${x}")).toBe(false);
  });

  it("knows no other operator", () => {
    for (const operator of ["ArnEqualsIgnoreCase", "NumericEquals", "Bool", "StringLikeIfExists", "ForAnyValue:StringLike"]) expect(conditionOperator(operator)).toBeUndefined();
  });
});
