/** The small predicates the rules share, the regions they attribute resources to, and how `npm run plan` reports findings. */
import { describe, expect, it, vi } from "vitest";
import { reportDeployFindings, reportDeployWarnings } from "../../scripts/plan";
import { granting, trustsService } from "../../testing/deploy-rules/iam";
import { bucketNameProblem, dnsName, domainPrefixProblem, formatFinding, redirectUrlProblem, regionOf, type DeployFinding } from "../../testing/deploy-rules";
import { attachedIndex, attachedTo } from "../../local/offline/graph";
import { functionIndex, functionOf } from "../../testing/deploy-rules/lambda-ref";
import { functionNameParts } from "../../local/lambda-function-name";
import { referencedIndex } from "../../testing/deploy-rules/rule";
import { API_GATEWAY_ONE_REST_API_POLICY } from "../../testing/deploy-rules/one-policy";
import * as deployRuleExports from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

describe("redirect URLs (Cognito)", () => {
  it.each(["https://gallery.example.com/", "http://localhost:3000/", "http://localhost/cb", "myapp://signed-in"])("accepts %s", (url) => expect(redirectUrlProblem(url)).toBeUndefined());
  it.each([
    ["http://127.0.0.1:3000/", /is http to a loopback address; Cognito allows plain http only for http:\/\/localhost/],
    ["http://gallery.example.com/", /is not https; Cognito allows plain http only for localhost/],
    ["https://gallery.example.com/#done", /has a fragment/],
    ["https://gallery.example.com/#", /has a fragment/],
    ["/callback", /is not an absolute URL/],
    ["javascript:alert(1)", /is a javascript: URL, which a browser runs or renders instead of handing to an app/],
    ["data:text/html,x", /is a data: URL/],
  ])("refuses %s", (url, problem) => expect(redirectUrlProblem(url)).toMatch(problem));
});

describe("hosted UI prefixes (Cognito)", () => {
  it.each(["a", "gallery-dev", "x".repeat(63), "9lives"])("accepts %s", (prefix) => expect(domainPrefixProblem(prefix)).toBeUndefined());
  it.each([
    ["", /not 1–63/],
    ["x".repeat(64), /not 1–63/],
    ["-gallery", /not 1–63/],
    ["gallery.dev", /not 1–63/],
    ["my-amazon-shop", /reserved word amazon/],
    ["cognitoish", /reserved word cognito/],
  ])("refuses %j", (prefix, problem) => expect(domainPrefixProblem(prefix)).toMatch(problem));
});

describe("bucket names (S3)", () => {
  it.each(["abc", "gallery-uploads-1", "www.gallery.example", "a".repeat(63)])("accepts %s", (name) => expect(bucketNameProblem(name)).toBeUndefined());
  it.each([
    ["ab", /3–63/],
    ["-gallery", /begin and end/],
    ["gallery..logs", /adjacent periods/],
    ["xn--gallery", /reserved prefix xn--/],
    ["gallery--x-s3", /reserved suffix --x-s3/],
  ])("refuses %s", (name, problem) => expect(bucketNameProblem(name)).toMatch(problem));
});

describe("DNS names (Route 53, Cognito)", () => {
  // One normaliser for every rule that compares record, alias and domain names: Route 53 takes names with or without
  // the trailing dot, and DNS names are case-insensitive.
  it.each([
    ["API.Example.com.", "api.example.com"],
    ["api.example.com", "api.example.com"],
    ["example.com..", "example.com."],
    ["", ""],
    [undefined, ""],
    [null, ""],
  ])("reads %j as %j", (name, expected) => expect(dnsName(name)).toBe(expected));
});

describe("regions", () => {
  it("takes a resource's own region, else its explicit provider's, else the stack's", () => {
    const provider = handBuilt("pulumi:providers:aws", "west", { region: "us-west-2" });
    const placed = handBuilt("aws:s3/bucket:Bucket", "placed", { region: "eu-west-1" }, { provider: `${provider.urn}::${provider.id}` });
    const viaProvider = handBuilt("aws:s3/bucket:Bucket", "via", {}, { provider: `${provider.urn}::${provider.id}` });
    const plain = handBuilt("aws:s3/bucket:Bucket", "plain", {});
    const graph = [provider, placed, viaProvider, plain];
    expect([placed, viaProvider, plain].map((r) => regionOf(graph, r, devContext))).toEqual(["eu-west-1", "us-west-2", "us-east-1"]);
  });
});

describe("npm run plan's deploy-rule report", () => {
  const finding: DeployFinding = { rule: "S3BucketName", stack: "dev", resource: "aws:s3/bucket:Bucket b", problem: 'bucket name "B" is bad', fix: "rename it" };

  it("names each finding with its rule, resource, problem and fix, and exits 1", () => {
    const lines: string[] = [];
    expect(reportDeployFindings([finding], (line) => lines.push(line))).toBe(1);
    expect(lines).toEqual(["\nDeploy rules: 1 finding(s) AWS would reject or break at `pulumi up`:", '  - dev: [S3BucketName] aws:s3/bucket:Bucket b: bucket name "B" is bad. Fix: rename it']);
    expect(formatFinding({ ...finding, stack: undefined })).toBe('[S3BucketName] aws:s3/bucket:Bucket b: bucket name "B" is bad. Fix: rename it');
  });

  it("says so and exits 0 when there is nothing", () => {
    const lines: string[] = [];
    expect(reportDeployFindings([], (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual(["\nDeploy rules: no findings."]);
  });

  it("prints the warning rules' findings after them, each named, and prints nothing when there are none (warnings never fail the plan)", () => {
    const warning: DeployFinding = { rule: "AcmCertificateNameCount", stack: "dev", resource: "aws:acm/certificate:Certificate c", problem: "requests 11 names", fix: "ask for a quota increase" };
    const lines: string[] = [];
    reportDeployWarnings([warning], (line) => lines.push(line));
    expect(lines).toEqual(["\nDeploy rule warnings (1): AWS refuses these unless the account's quota was raised, or takes them but they can never work; they never fail the plan:", "  - warning: dev: [AcmCertificateNameCount] aws:acm/certificate:Certificate c: requests 11 names. Fix: ask for a quota increase"]);
    const none: string[] = [];
    reportDeployWarnings([], (line) => none.push(line));
    expect(none).toEqual([]);
  });
});

describe("queueAllowsTopic (the SNS subscription rules' reading of a queue policy)", () => {
  const queueArn = "arn:aws:sqs:us-east-1:123456789012:jobs";
  const topicArn = "arn:aws:sns:us-east-1:123456789012:events";

  it("reads actions as IAM does, case-insensitively and with wildcards, and ARNs with * and ?", async () => {
    const { queueAllowsTopic } = await import("../../testing/deploy-rules/sns.js");
    const queue = handBuilt("aws:sqs/queue:Queue", "jobs", {}, { state: { arn: queueArn } });
    const policy = (statement: Record<string, unknown>) => [queue, handBuilt("aws:sqs/queuePolicy:QueuePolicy", "jobs-policy", { queueUrl: queue.id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, ...statement }] }) })];
    // What the SQS console's "Subscribe to Amazon SNS topic" writes.
    expect(queueAllowsTopic(policy({ Action: "SQS:SendMessage", Resource: queueArn, Condition: { ArnLike: { "aws:SourceArn": topicArn } } }), queue, topicArn)).toBe(true);
    expect(queueAllowsTopic(policy({ Action: "sqs:Send*", Resource: "arn:aws:sqs:us-east-1:123456789012:*", Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:event?" } } }), queue, topicArn)).toBe(true);
    expect(queueAllowsTopic(policy({ Action: "sqs:ReceiveMessage", Resource: queueArn }), queue, topicArn)).toBe(false);
    expect(queueAllowsTopic(policy({ Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": `${topicArn}-other` } } }), queue, topicArn)).toBe(false);
  });

  it("matches an ArnLike source component by component and a StringLike one across colons (the condition operators page's example)", async () => {
    const { queueAllowsTopic } = await import("../../testing/deploy-rules/sns.js");
    const queue = handBuilt("aws:sqs/queue:Queue", "jobs", {}, { state: { arn: queueArn } });
    const policy = (condition: Record<string, unknown>) => [queue, handBuilt("aws:sqs/queuePolicy:QueuePolicy", "jobs-policy", { queueUrl: queue.id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: condition }] }) })];
    const pattern = "arn:aws:someservice:*:111122223333:finance/*";
    const source = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    // ArnLike's region * stops at "us-east-2", and the account 999999999999 is not 111122223333.
    expect(queueAllowsTopic(policy({ ArnLike: { "aws:SourceArn": pattern } }), queue, source)).toBe(false);
    expect(queueAllowsTopic(policy({ StringLike: { "aws:SourceArn": pattern } }), queue, source)).toBe(true);
    expect(queueAllowsTopic(policy({ StringEquals: { "aws:SourceArn": pattern } }), queue, source)).toBe(false);
    // A condition that only rules the source out no longer reads as naming it.
    expect(queueAllowsTopic(policy({ ArnNotLike: { "aws:SourceArn": "arn:aws:sns:*:*:other" } }), queue, topicArn)).toBe(true);
  });
});

describe("queuePolicyRefusal (a queue policy's Deny statements against SNS's deliveries)", () => {
  const queueArn = "arn:aws:sqs:us-east-1:123456789012:jobs";
  const topicArn = "arn:aws:sns:us-east-1:123456789012:events";
  const allow = { Sid: "TopicsSend", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": topicArn } } };
  const refusal = async (deny: Record<string, unknown>) => {
    const { queuePolicyRefusal } = await import("../../testing/deploy-rules/sns.js");
    const queue = handBuilt("aws:sqs/queue:Queue", "jobs", {}, { state: { arn: queueArn } });
    const graph = [queue, handBuilt("aws:sqs/queuePolicy:QueuePolicy", "jobs-policy", { queueUrl: queue.id, policy: JSON.stringify({ Statement: [{ Effect: "Deny", Resource: queueArn, ...deny }, allow] }) })];
    return queuePolicyRefusal(graph, queue, topicArn);
  };

  it("counts a Deny that covers SNS's SendMessage from the topic, whatever the Allow says", async () => {
    expect(await refusal({ Sid: "NoSends", Principal: "*", Action: "sqs:SendMessage" })).toMatch(/^denies that topic's delivery \(sqs:SendMessage for sns\.amazonaws\.com\) in its statement "NoSends", which has no condition$/);
    expect(await refusal({ Principal: { Service: "sns.amazonaws.com" }, Action: "SQS:*" })).toMatch(/in its statement #1, which has no condition/);
    expect(await refusal({ Principal: { AWS: "*" }, NotAction: "sqs:ReceiveMessage" })).toMatch(/^denies/);
    // SNS sends on behalf of this topic, over TLS: a Deny for every other source, or one that holds over TLS, refuses it.
    expect(await refusal({ Principal: "*", Action: "sqs:SendMessage", Condition: { ArnNotEquals: { "aws:SourceArn": `${topicArn}-other` } } })).toMatch(/whose condition SNS's TLS request from the topic meets/);
    expect(await refusal({ Principal: "*", Action: "sqs:*", Condition: { Bool: { "aws:SecureTransport": "true" } } })).toMatch(/^denies/);
  });

  it("leaves alone the TLS-only Deny, a Deny that exempts the topic or SNS, and one whose condition it cannot tell", async () => {
    expect(await refusal({ Principal: "*", Action: "sqs:*", Condition: { Bool: { "aws:SecureTransport": "false" } } })).toBeUndefined();
    expect(await refusal({ Principal: "*", Action: "sqs:SendMessage", Condition: { ArnNotEquals: { "aws:SourceArn": topicArn } } })).toBeUndefined();
    expect(await refusal({ Principal: "*", Action: "sqs:SendMessage", Condition: { StringNotLike: { "aws:sourcearn": "arn:aws:sns:*:123456789012:*" } } })).toBeUndefined();
    expect(await refusal({ NotPrincipal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage" })).toBeUndefined();
    expect(await refusal({ Principal: "*", Action: "sqs:DeleteMessage" })).toBeUndefined();
    expect(await refusal({ Principal: "*", Action: "sqs:SendMessage", Resource: `${queueArn}-other` })).toBeUndefined();
    expect(await refusal({ Principal: "*", Action: "sqs:SendMessage", Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-abc" } } })).toBeUndefined();
    expect(await refusal({ Principal: "*", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:${aws:username}" })).toBeUndefined();
  });

  it("counts a Deny that names only the fixed variables ${*}, ${?}, ${$}: their values are their characters, not the request's", async () => {
    expect(await refusal({ Principal: "*", Action: "sqs:SendMessage", Resource: [queueArn, "arn:aws:sqs:us-east-1:123456789012:${*}${?}${$}"] })).toMatch(/^denies/);
  });
});

describe("the Lambda permission SNS and EventBridge invoke a function under (one reading for both rules)", () => {
  const fnArn = "arn:aws:lambda:us-east-1:123456789012:function:worker";
  const topicArn = "arn:aws:sns:us-east-1:123456789012:events";
  const ruleArn = "arn:aws:events:us-east-1:123456789012:rule/orders/ship";
  const findings = async (service: string, sourceArn: string, subscriber: (permission: string) => ReturnType<typeof handBuilt>, action = "lambda:InvokeFunction") => {
    const { SNS_LAMBDA_SUBSCRIPTION_PERMISSION, EVENTBRIDGE_LAMBDA_PERMISSION } = await import("../../testing/deploy-rules/index.js");
    const fn = handBuilt("aws:lambda/function:Function", "worker", {}, { state: { name: "worker", arn: fnArn } });
    const permission = handBuilt("aws:lambda/permission:Permission", "worker-invoke", { principal: service, action, function: "worker", sourceArn });
    const rule = handBuilt("aws:cloudwatch/eventRule:EventRule", "ship", { name: "ship", eventBusName: "orders" }, { state: { name: "ship", arn: ruleArn } });
    const graph = [fn, permission, rule, subscriber(permission.urn)];
    return [SNS_LAMBDA_SUBSCRIPTION_PERMISSION, EVENTBRIDGE_LAMBDA_PERMISSION].flatMap((r) => r.check(graph, devContext));
  };
  const subscription = (urn: string) => handBuilt("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: topicArn, protocol: "lambda", endpoint: fnArn }, { dependencies: [urn] });
  const target = (urn: string) => handBuilt("aws:cloudwatch/eventTarget:EventTarget", "target", { rule: "ship", eventBusName: "orders", arn: fnArn, targetId: "t" }, { dependencies: [urn] });

  it("takes a permission whose sourceArn covers the source with a wildcard (AddPermission's SourceArn takes * and ?), for either service", async () => {
    expect(await findings("sns.amazonaws.com", "arn:aws:sns:us-east-1:123456789012:*", subscription)).toEqual([]);
    expect(await findings("events.amazonaws.com", "arn:aws:events:us-east-1:123456789012:rule/orders/*", target)).toEqual([]);
  });

  it("still refuses a permission for another source, or for the other service", async () => {
    expect(await findings("sns.amazonaws.com", `${topicArn}-other`, subscription)).toEqual([expect.objectContaining({ rule: "SnsLambdaSubscriptionPermission" })]);
    expect(await findings("sns.amazonaws.com", ruleArn, target)).toEqual([expect.objectContaining({ rule: "EventBridgeLambdaPermission" })]);
  });

  it("matches a wildcard in the resource part, the one place AddPermission's SourceArn takes one, against the source's name", async () => {
    expect(await findings("sns.amazonaws.com", "arn:aws:sns:us-east-1:123456789012:ev?nts", subscription)).toEqual([]);
    const other = (urn: string) => handBuilt("aws:sns/topicSubscription:TopicSubscription", "sub", { topic: `${topicArn}-other`, protocol: "lambda", endpoint: fnArn }, { dependencies: [urn] });
    expect(await findings("sns.amazonaws.com", "arn:aws:sns:us-east-1:123456789012:ev?nts", other)).toEqual([expect.objectContaining({ rule: "SnsLambdaSubscriptionPermission" })]);
  });

  it("takes an action that covers lambda:InvokeFunction as IAM matches actions: *, any case", async () => {
    for (const action of ["*", "lambda:invokeFunction", "lambda:*"]) expect(await findings("sns.amazonaws.com", topicArn, subscription, action)).toEqual([]);
    expect(await findings("sns.amazonaws.com", topicArn, subscription, "lambda:GetFunction")).toEqual([expect.objectContaining({ rule: "SnsLambdaSubscriptionPermission" })]);
  });
});

describe("sharedAcrossStacks (the project rules' claims that two stacks share)", () => {
  it("returns each claim another stack shares a key with, with those stacks' claims, keys in the order first claimed", async () => {
    const { sharedAcrossStacks } = await import("../../testing/deploy-rules/record-sets.js");
    const claims = [
      { stack: "prod", id: "p1", key: "b" },
      { stack: "prod", id: "p2", key: "a" },
      { stack: "prod", id: "p3", key: "a" },
      { stack: "staging", id: "s1", key: "a" },
      { stack: "staging", id: "s2", key: "c" },
      { stack: "staging", id: "s3", key: undefined },
      { stack: "dev", id: "d1", key: "b" },
      { stack: "dev", id: "d2", key: undefined },
    ];
    const shared = sharedAcrossStacks(claims, (c) => c.key).map(({ key, claim, others }) => [key, claim.id, others.map((o) => o.id)]);
    expect(shared).toEqual([
      ["b", "p1", ["d1"]],
      ["b", "d1", ["p1"]],
      ["a", "p2", ["s1"]],
      ["a", "p3", ["s1"]],
      ["a", "s1", ["p2", "p3"]],
    ]);
  });
});

describe("recordName (the Route 53 rules' full name of a record)", () => {
  it("reads the plan's zones as they are at each call, a zone appended to the graph after a first lookup included", async () => {
    const { recordName } = await import("../../testing/deploy-rules/record-sets.js");
    const record = handBuilt("aws:route53/record:Record", "www", { zoneId: "Z0APPENDED", name: "www", type: "CNAME" });
    const graph = [record];
    expect(recordName(graph, record)).toBe("www");
    graph.push(handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "Z0APPENDED" }));
    expect(recordName(graph, record)).toBe("www.example.com");
  });
});

describe("a Lambda function reference as the Lambda rules read it (functionNameParts, through eventSourceMappingPair)", () => {
  const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs";
  const pair = async (functionName: string) => {
    const { eventSourceMappingPair } = await import("../../testing/deploy-rules/index.js");
    const mapping = handBuilt("aws:lambda/eventSourceMapping:EventSourceMapping", "m", { eventSourceArn: QUEUE_ARN, functionName });
    return JSON.parse(eventSourceMappingPair([mapping], mapping, "us-east-1")!) as [string, string, string];
  };
  it.each([
    // A partial ARN `<account>:function:<name>:<qualifier>`: neither the account nor the qualifier is the name.
    ["123456789012:function:thumbs:live", "thumbs", "us-east-1"],
    ["123456789012:function:thumbs", "thumbs", "us-east-1"],
    ["thumbs:7", "thumbs", "us-east-1"],
    // A full ARN keeps its region, with a qualifier.
    ["arn:aws:lambda:eu-west-1:123456789012:function:thumbs:live", "thumbs", "eu-west-1"],
    // What FunctionName's pattern refuses (an account not 12 digits, an empty region) is no function reference: the
    // mapping's whole reference is the key, in the mapping's region (Lambda refuses the mapping anyway).
    ["arn:aws:lambda:eu-west-1:acct:function:thumbs", "arn:aws:lambda:eu-west-1:acct:function:thumbs", "us-east-1"],
    ["arn:aws:lambda::123456789012:function:thumbs", "arn:aws:lambda::123456789012:function:thumbs", "us-east-1"],
  ])("reads %s as the function %s in %s", async (reference, name, region) => {
    expect(await pair(reference)).toEqual([QUEUE_ARN, name, region]);
  });

  it("refuses what FunctionName's pattern refuses, such as another service's ARN, rather than reading a name out of it", () => {
    expect(functionNameParts("arn:aws:s3:::x")).toBeUndefined();
    expect(functionNameParts("arn:aws:sqs:us-east-1:123456789012:jobs")).toBeUndefined();
    expect(functionNameParts("thumbs:live:extra")).toBeUndefined();
    expect(functionNameParts("thumbs:$LATEST")).toEqual({ name: "thumbs", qualifier: "$LATEST", region: undefined, account: undefined, partition: undefined });
  });
});

describe("the look-ups the one-writer rules build once per run (attachedIndex, referencedIndex, functionIndex)", () => {
  const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
  const bucket = handBuilt("aws:s3/bucket:Bucket", "site", {}, { id: "site", state: { bucket: "site", arn: "arn:aws:s3:::site" } });
  const graph = [
    handBuilt(POLICY, "by-arn", { bucket: "arn:aws:s3:::site" }),
    handBuilt(POLICY, "elsewhere", { bucket: "other" }),
    handBuilt(POLICY, "by-name", { bucket: "site" }),
    bucket,
    handBuilt("aws:lambda/function:Function", "thumbs", {}, { state: { arn: "arn:aws:lambda:us-east-1:123456789012:function:thumbs", name: "thumbs" } }),
    handBuilt("aws:lambda/function:Function", "thumbs-copy", {}, { state: { name: "thumbs" } }),
  ];

  it("answers as attachedTo does: every writer naming the holder by any identity, once, in plan order", () => {
    // The bucket's id and name are one value: its writer by name is listed once, after the one by ARN, as in the plan.
    expect(attachedIndex(graph, POLICY, "bucket")(bucket).map((r) => r.name)).toEqual(["by-arn", "by-name"]);
    // attachedTo's own filter, written out: the index must give what one pass over the plan gives.
    const identities = [bucket.id, bucket.state.bucket, bucket.state.arn, bucket.state.name].filter(Boolean);
    expect(attachedIndex(graph, POLICY, "bucket")(bucket)).toEqual(graph.filter((r) => r.type === POLICY && identities.includes(r.inputs.bucket)));
    expect(attachedTo(graph, POLICY, "bucket", bucket).map((r) => r.name)).toEqual(["by-arn", "by-name"]);
  });

  it("answers as referenced does: a name two resources give is the first's; a qualified ARN finds its function", () => {
    expect(referencedIndex(graph, "aws:lambda/function:Function")("thumbs")?.name).toBe("thumbs");
    expect(referencedIndex(graph, "aws:lambda/function:Function")("")).toBeUndefined();
    expect(functionIndex(graph)("arn:aws:lambda:us-east-1:123456789012:function:thumbs:live")?.name).toBe("thumbs");
    // Aliases may start with a digit or an underscore (CreateAlias: [a-zA-Z0-9-_]+, not all digits).
    for (const alias of ["_blue", "1live", "7"]) {
      expect(functionIndex(graph)(`arn:aws:lambda:us-east-1:123456789012:function:thumbs:${alias}`)?.name).toBe("thumbs");
      expect(functionOf(graph, `thumbs:${alias}`)?.name).toBe("thumbs");
    }
  });
});

describe("trustsService (the deploy rules read a service role's trust policy with it)", () => {
  const role = (statement: Record<string, unknown>) => ({ type: "aws:iam/role:Role", name: "r", inputs: { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) } }) as never;
  it("takes an Allow of sts:AssumeRole (or sts:*, *) for the service, by name or pattern", () => {
    expect(trustsService(role({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }), "events.amazonaws.com")).toBe(true);
    expect(trustsService(role({ Principal: { Service: ["x.amazonaws.com", "states.eu-west-1.amazonaws.com"] }, Action: ["STS:*"] }), /^states(\.[a-z0-9-]+)?\.amazonaws\.com$/)).toBe(true);
    expect(trustsService(role({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "*" }), "events.amazonaws.com")).toBe(true);
  });
  it("matches the action as IAM does: wildcards anywhere (sts:Assume*, sts:AssumeRol?)", () => {
    for (const action of ["sts:Assume*", "sts:AssumeRol?", "STS:assume*"]) expect(trustsService(role({ Principal: { Service: "events.amazonaws.com" }, Action: action }), "events.amazonaws.com")).toBe(true);
    expect(trustsService(role({ Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRoleWith*" }), "events.amazonaws.com")).toBe(false);
  });
  it("refuses a Deny, another service, or another action", () => {
    expect(trustsService(role({ Effect: "Deny", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }), "events.amazonaws.com")).toBe(false);
    expect(trustsService(role({ Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }), "events.amazonaws.com")).toBe(false);
    expect(trustsService(role({ Principal: { Service: "events.amazonaws.com" }, Action: "sts:TagSession" }), "events.amazonaws.com")).toBe(false);
  });
  describe("reads the Condition against the ARN the service assumes the role for (aws:SourceArn, its account aws:SourceAccount)", () => {
    const STATES = /^states(\.[a-z0-9-]+)?\.amazonaws\.com$/;
    const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:flow-1a2b";
    const rule = "arn:aws:events:us-east-1:123456789012:rule/bus-1/rule-2";
    const statement = (service: string, condition: Record<string, unknown>) => ({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Condition: condition });
    const trusting = (service: string, condition: Record<string, unknown>) => role(statement(service, condition));
    /** Workflow's trust: the account's state machines in the region. */
    const workflowTrust = (sourceArn: string, account = "123456789012") => trusting("states.amazonaws.com", { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": sourceArn } });
    /** EventBus.subscribe's target role's statement: this rule of this account. */
    const targetStatement = (sourceArn: string, account = "123456789012") => statement("events.amazonaws.com", { StringEquals: { "aws:SourceAccount": account }, ArnEquals: { "aws:SourceArn": sourceArn } });
    const targetTrust = (sourceArn: string, account?: string) => role(targetStatement(sourceArn, account));

    it("trusts the conditions the components write: the region's state machines (a wildcard), the rule's own ARN", () => {
      expect(trustsService(workflowTrust("arn:aws:states:us-east-1:123456789012:stateMachine:*"), STATES, machine)).toBe(true);
      expect(trustsService(targetTrust(rule), "events.amazonaws.com", rule)).toBe(true);
    });
    it("refuses a SourceArn of another region or kind", () => {
      expect(trustsService(workflowTrust("arn:aws:states:eu-west-1:123456789012:stateMachine:*"), STATES, machine)).toBe(false);
      expect(trustsService(targetTrust("arn:aws:events:us-east-1:123456789012:event-bus/bus-1"), "events.amazonaws.com", rule)).toBe(false);
      expect(trustsService(targetTrust("arn:aws:events:us-east-1:999999999999:rule/bus-1/other"), "events.amazonaws.com", rule)).toBe(false);
    });
    it("does not judge the account (the plan's is mocked, a policy names the real one): aws:SourceAccount, nor an ARN's account field", () => {
      expect(trustsService(workflowTrust("arn:aws:states:us-east-1:999999999999:stateMachine:*", "999999999999"), STATES, machine)).toBe(true);
      expect(trustsService(targetTrust("arn:aws:events:us-east-1:999999999999:rule/bus-1/rule-2", "999999999999"), "events.amazonaws.com", rule)).toBe(true);
      expect(trustsService(trusting("events.amazonaws.com", { StringNotEquals: { "aws:SourceAccount": "123456789012" } }), "events.amazonaws.com", rule)).toBe(true);
    });
    it("takes another statement whose conditions hold, as IAM allows on any one Allow", () => {
      const document = { Version: "2012-10-17", Statement: [targetStatement("arn:aws:events:us-east-1:123456789012:rule/bus-1/old"), targetStatement(rule)] };
      expect(trustsService({ type: "aws:iam/role:Role", name: "r", inputs: { assumeRolePolicy: JSON.stringify(document) } } as never, "events.amazonaws.com", rule)).toBe(true);
    });
    it("does not judge what it cannot tell: other keys, operators conditionHolds does not read, policy variables, no ARN given", () => {
      expect(trustsService(trusting("events.amazonaws.com", { StringEquals: { "aws:SourceOrgID": "o-elsewhere" } }), "events.amazonaws.com", rule)).toBe(true);
      expect(trustsService(trusting("events.amazonaws.com", { DateGreaterThan: { "aws:SourceArn": "2030-01-01T00:00:00Z" } }), "events.amazonaws.com", rule)).toBe(true);
      expect(trustsService(trusting("events.amazonaws.com", { StringEquals: { "aws:SourceAccount": "${aws:PrincipalAccount}" } }), "events.amazonaws.com", rule)).toBe(true);
      expect(trustsService(workflowTrust("arn:aws:states:eu-west-1:123456789012:stateMachine:*"), STATES)).toBe(true);
    });
    describe("reads a conditioned Deny: untrusted only when its condition holds whatever the real account is", () => {
      const denying = (condition: Record<string, unknown>) =>
        ({ type: "aws:iam/role:Role", name: "r", inputs: { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [targetStatement(rule), { ...statement("events.amazonaws.com", condition), Effect: "Deny" }] }) } }) as never;
      it("refuses a Deny whose aws:SourceArn certainly matches (any account, or the ARN's region and kind excluded)", () => {
        expect(trustsService(denying({ ArnLike: { "aws:SourceArn": "arn:aws:events:us-east-1:*:rule/bus-1/*" } }), "events.amazonaws.com", rule)).toBe(false);
        expect(trustsService(denying({ ArnNotLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:*:rule/*" } }), "events.amazonaws.com", rule)).toBe(false);
        expect(trustsService(denying({ StringLike: { "aws:SourceArn": "*" } }), "events.amazonaws.com", rule)).toBe(false);
      });
      it("keeps a Deny that does not match, or matches only for some account, or rests on aws:SourceAccount, another key, a variable, no ARN", () => {
        expect(trustsService(denying({ ArnEquals: { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/bus-1/other" } }), "events.amazonaws.com", rule)).toBe(true);
        expect(trustsService(denying({ ArnEquals: { "aws:SourceArn": "arn:aws:events:us-east-1:999999999999:rule/bus-1/rule-2" } }), "events.amazonaws.com", rule)).toBe(true);
        expect(trustsService(denying({ ArnNotEquals: { "aws:SourceArn": "arn:aws:events:us-east-1:999999999999:rule/bus-1/rule-2" } }), "events.amazonaws.com", rule)).toBe(true);
        expect(trustsService(denying({ StringNotEquals: { "aws:SourceAccount": "123456789012" } }), "events.amazonaws.com", rule)).toBe(true);
        expect(trustsService(denying({ StringEquals: { "aws:SourceOrgID": "o-elsewhere" } }), "events.amazonaws.com", rule)).toBe(true);
        expect(trustsService(denying({ ArnNotLike: { "aws:SourceArn": "arn:aws:events:us-east-1:${aws:PrincipalAccount}:rule/*" } }), "events.amazonaws.com", rule)).toBe(true);
        expect(trustsService(denying({ ArnLike: { "aws:SourceArn": "arn:aws:events:us-east-1:*:rule/bus-1/*" } }), "events.amazonaws.com")).toBe(true);
      });
    });
    it("reads IfExists and the negated operators as IAM does", () => {
      expect(trustsService(trusting("events.amazonaws.com", { ArnNotEquals: { "aws:SourceArn": rule } }), "events.amazonaws.com", rule)).toBe(false);
      expect(trustsService(trusting("events.amazonaws.com", { ArnLikeIfExists: { "aws:SourceArn": "arn:aws:events:*:123456789012:rule/bus-1/*" } }), "events.amazonaws.com", rule)).toBe(true);
      expect(trustsService(trusting("events.amazonaws.com", { StringLike: { "aws:SourceArn": "arn:aws:events:*:123456789012:rule/*" } }), "events.amazonaws.com", rule)).toBe(true);
    });
  });
});

describe("granting (what a role's Allow statements grant, for the rules that ask whether a role may call a service)", () => {
  const grants = (statement: Record<string, unknown>) => [{ statement, carrier: handBuilt("aws:iam/role:Role", "r", {}) }];
  it("reads NotAction and NotResource as the local evaluator does: a PowerUserAccess-shaped Allow grants everything but IAM", () => {
    const power = grants({ Effect: "Allow", NotAction: "iam:*", Resource: "*" });
    expect(granting(power, "states:StartExecution", "arn:aws:states:us-east-1:123456789012:stateMachine:m")).toHaveLength(1);
    expect(granting(power, "iam:PassRole", "arn:aws:iam::123456789012:role/x")).toHaveLength(0);
    const notLogs = grants({ Effect: "Allow", Action: "logs:*", NotResource: "arn:aws:logs:us-east-1:123456789012:log-group:secret:*" });
    expect(granting(notLogs, "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:app:*")).toHaveLength(1);
    expect(granting(notLogs, "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:secret:*")).toHaveLength(0);
  });
  it("takes a * inside a segment over a colon of the resource part (AWS's pages leave it open: a finding must not rest on it)", () => {
    expect(granting(grants({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/uploads/*/thumb.jpg" }), "s3:GetObject", "arn:aws:s3:::b/uploads/2024-01-01T10:00:00Z/thumb.jpg")).toHaveLength(1);
  });
});

describe("a RestApi's OpenAPI body as ApiGatewayOneRestApiPolicy reads it", () => {
  it("reads a YAML body with CloudFormation tags without a warning on stderr (npm run plan prints nothing of it)", () => {
    const warned = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const printed = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const graph = [
        handBuilt("aws:apigateway/restApi:RestApi", "tagged", { name: "tagged", body: "openapi: 3.0.1\nx-amazon-apigateway-policy: !Sub '${Policy}'\n" }, { id: "tagged" }),
        handBuilt("aws:apigateway/restApiPolicy:RestApiPolicy", "tagged-policy", { restApiId: "tagged", policy: "{}" }),
      ];
      expect(API_GATEWAY_ONE_REST_API_POLICY.check(graph, devContext).map((f) => f.resource)).toEqual(["aws:apigateway/restApi:RestApi tagged"]);
      expect([...warned.mock.calls, ...printed.mock.calls]).toEqual([]);
    } finally {
      warned.mockRestore();
      printed.mockRestore();
    }
  });
});

describe("the rules' shared look-ups stay out of serverless-fullstack/testing (testing/index.ts re-exports testing/deploy-rules)", () => {
  it("does not export goLength, providerOf, providerUrnOf or configsByFunction", () => {
    expect(Object.keys(deployRuleExports).filter((name) => ["goLength", "providerOf", "providerUrnOf", "configsByFunction"].includes(name))).toEqual([]);
  });

  it("exports the input-limit rules but not their measures and limits (compactPolicyBytes, iamPathProblem, txtCharacterStrings, the byte and character limits)", () => {
    const internals = ["compactPolicyBytes", "iamPathProblem", "IAM_PATH_PATTERN", "IAM_PATH_LENGTH", "txtCharacterStrings", "TXT_STRING_CHARACTERS", "KMS_KEY_POLICY_BYTES", "S3_BUCKET_POLICY_BYTES", "SQS_POLICY_QUOTAS_LIMITS", "SNS_DISPLAY_NAME_CHARACTERS", "DYNAMODB_RESOURCE_POLICY_BYTES"];
    expect(Object.keys(deployRuleExports).filter((name) => internals.includes(name))).toEqual([]);
    expect(["IAM_PATH", "KMS_KEY_POLICY_SIZE", "S3_BUCKET_POLICY_SIZE", "SQS_POLICY_QUOTAS", "ROUTE53_TXT_STRINGS", "DYNAMODB_RESOURCE_POLICY_SIZE"].filter((name) => !(name in deployRuleExports))).toEqual([]);
  });
});
