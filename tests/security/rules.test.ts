/**
 * Every rule passes on what the components build, and fails on a graph broken the
 * way the rule guards against. The broken graphs are copies of a good one with one
 * thing changed, so each failure is caused by exactly that change.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { StaticSite } from "../../components/static-site";
import { byName, mutate, ofType, record, type RecordedResource } from "../harness/mocks";
import type { RuleContext, SecurityRule } from "../../testing/security-rules/rule";
import { CFR2, CFR3, CFR4, CFR5, CFR7 } from "../../testing/security-rules/cloudfront";
import { IAM5 } from "../../testing/security-rules/iam";
import { SECURITY_RULES } from "../../testing/security-rules";
import { L1, LAMBDA_LOG_RETENTION } from "../../testing/security-rules/lambda";
import { DATA_RETAINED_IN_PRODUCTION } from "../../testing/security-rules/retention";
import { S1, S10, S2, S3_ENCRYPTION } from "../../testing/security-rules/s3";
import { SQS2, SQS4 } from "../../testing/security-rules/sqs";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import { SNS2, SNS3 } from "../../testing/security-rules/sns";

const dev: RuleContext = { stack: "dev", production: false };
const prod: RuleContext = { stack: "prod", production: true };
const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";

let oac: RecordedResource[];
let website: RecordedResource[];
let prodSite: RecordedResource[];
let fn: RecordedResource[];

beforeAll(async () => {
  oac = await record(() => new StaticSite("oac", { path: "tests/fixtures/site", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "x.execute-api.us-east-1.amazonaws.com" }] }));
  website = await record(() => new StaticSite("web", { path: "tests/fixtures/site", hosting: "s3-website" }));
  prodSite = await record(() => new StaticSite("prodsite", { path: "tests/fixtures/site", retainOnDelete: true, domain: { name: "a.example.com", certificateArn }, waf: {} }));
  fn = await record(() => new LambdaFunction("fn", { entry: "tests/fixtures/handlers/echo.ts" }));
});

const ids = (rule: SecurityRule, graph: RecordedResource[], context = dev) => rule.check(graph, context).map((f) => `${f.rule} ${f.resource}`);

describe("security rules pass on what the components build", () => {
  it.each(SECURITY_RULES.map((rule) => [rule.id, rule] as const))("%s", (_, rule) => {
    expect(rule.check(oac, dev)).toEqual([]);
    expect(rule.check(website, dev)).toEqual([]);
    expect(rule.check(prodSite, prod)).toEqual([]);
    expect(rule.check(fn, prod)).toEqual([]);
  });
});

describe("security rules fail on the resource they guard", () => {
  it("SQS2: a failure queue without encryption at rest", async () => {
    const queued = await record(() => new LambdaFunction("q", { entry: "tests/fixtures/handlers/echo.ts", asyncInvoke: { failureQueue: {} } }));
    expect(ids(SQS2, queued)).toEqual([]);
    expect(ids(SQS2, mutate(queued, byName("q-failures"), (r) => ({ ...r, inputs: { ...r.inputs, sqsManagedSseEnabled: false } })))).toEqual(["SQS2 aws:sqs/queue:Queue q-failures"]);
  });

  it("SQS4: a queue whose policy is gone, or denies less than sqs:* without TLS", async () => {
    const worked = await record(() => {
      const consumer = new LambdaFunction("worker", { entry: "tests/fixtures/handlers/echo.ts", asyncInvoke: { failureQueue: {} } });
      new MessageQueue("jobs", { consumer: { function: consumer } });
    });
    expect(ofType(worked, "aws:sqs/queue:Queue").map((q) => q.name).sort()).toEqual(["jobs-dlq", "jobs-queue", "worker-failures"]);
    expect(ids(SQS4, worked)).toEqual([]);
    expect(ids(SQS4, mutate(worked, byName("worker-failures-policy"), () => undefined))).toEqual(["SQS4 aws:sqs/queue:Queue worker-failures"]);
    const sendOnly = mutate(worked, byName("jobs-queue-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: String(r.inputs.policy).replace('"sqs:*"', '"sqs:SendMessage"') } }));
    expect(ids(SQS4, sendOnly)).toEqual(["SQS4 aws:sqs/queue:Queue jobs-queue"]);
    const oneRole = mutate(worked, byName("jobs-queue-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: String(r.inputs.policy).replace('"Principal":"*"', '"Principal":{"AWS":"arn:aws:iam::123456789012:role/x"}') } }));
    expect(ids(SQS4, oneRole)).toEqual(["SQS4 aws:sqs/queue:Queue jobs-queue"]);
    // The same statement as the queue's own `policy` argument counts.
    const policyOf = (graph: RecordedResource[], name: string) => graph.find((r) => r.name === name)!.inputs.policy;
    const inline = mutate(mutate(worked, byName("jobs-queue"), (r) => ({ ...r, inputs: { ...r.inputs, policy: policyOf(worked, "jobs-queue-policy") } })), byName("jobs-queue-policy"), () => undefined);
    expect(ids(SQS4, inline)).toEqual([]);
  });

  it("SNS2: a topic without encryption at rest", async () => {
    const topic = await record(() => new Topic("sns2", {}));
    expect(ids(SNS2, topic)).toEqual([]);
    expect(ids(SNS2, mutate(topic, byName("sns2-topic"), (r) => ({ ...r, inputs: { ...r.inputs, kmsMasterKeyId: undefined } })))).toEqual(["SNS2 aws:sns/topic:Topic sns2-topic"]);
  });

  it("SNS3: a topic policy that does not deny Publish without TLS, as a TopicPolicy or the topic's own policy", async () => {
    const topic = await record(() => new Topic("sns3", {}));
    expect(ids(SNS3, topic)).toEqual([]);
    const withoutTls = (policy: string) => JSON.stringify({ ...JSON.parse(policy), Statement: JSON.parse(policy).Statement.filter((s: { Sid: string }) => s.Sid !== "DenyInsecureTransport") });
    expect(ids(SNS3, mutate(topic, byName("sns3-topic-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: withoutTls(r.inputs.policy) } })))).toEqual(["SNS3 aws:sns/topicPolicy:TopicPolicy sns3-topic-policy"]);
    const subscribeOnly = mutate(topic, byName("sns3-topic-policy"), (r) => ({ ...r, inputs: { ...r.inputs, policy: String(r.inputs.policy).replace('"Action":"sns:Publish"', '"Action":"sns:Subscribe"') } }));
    expect(ids(SNS3, subscribeOnly)).toEqual(["SNS3 aws:sns/topicPolicy:TopicPolicy sns3-topic-policy"]);
    const policy = topic.find((r) => r.name === "sns3-topic-policy")!.inputs.policy;
    const inline = mutate(topic, byName("sns3-topic"), (r) => ({ ...r, inputs: { ...r.inputs, policy: withoutTls(policy) } }));
    expect(ids(SNS3, inline)).toEqual(["SNS3 aws:sns/topic:Topic sns3-topic"]);
    // A topic whose policy the program leaves alone keeps SNS's default policy (and SSE's HTTPS-only requests).
    expect(ids(SNS3, mutate(topic, byName("sns3-topic-policy"), () => undefined))).toEqual([]);
  });

  it("S1: a bucket without access logging, and a log bucket logging into itself", () => {
    expect(ids(S1, mutate(oac, byName("oac-bucket-logging"), () => undefined))).toEqual(["S1 aws:s3/bucket:Bucket oac-bucket"]);
    const recursive = mutate(oac, byName("oac-bucket-logging"), (r) => ({ ...r, inputs: { ...r.inputs, bucket: r.inputs.targetBucket } }));
    expect(S1.check(recursive, dev).map((f) => f.problem)).toContain("logs into itself (recursive logging)");
  });

  it("S2: public access not blocked, and a website bucket readable without the Referer secret", () => {
    const open = mutate(oac, byName("oac-bucket-access"), (r) => ({ ...r, inputs: { ...r.inputs, blockPublicPolicy: false } }));
    expect(ids(S2, open)).toEqual(["S2 aws:s3/bucket:Bucket oac-bucket"]);
    const anonymous = mutate(website, byName("web-bucket-policy"), (r) => {
      const doc = JSON.parse(r.inputs.policy);
      delete doc.Statement[0].Condition;
      return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(doc) } };
    });
    expect(ids(S2, anonymous)).toEqual(["S2 aws:s3/bucket:Bucket web-bucket"]);
  });

  it("S10: a bucket policy without the TLS-only deny", () => {
    const plain = mutate(oac, byName("oac-bucket-policy"), (r) => {
      const doc = JSON.parse(r.inputs.policy);
      doc.Statement = doc.Statement.filter((s: { Sid: string }) => s.Sid !== "DenyInsecureTransport");
      return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(doc) } };
    });
    expect(ids(S10, plain)).toEqual(["S10 aws:s3/bucket:Bucket oac-bucket"]);
  });

  it("S3Encryption: a bucket without default encryption", () => {
    expect(ids(S3_ENCRYPTION, mutate(oac, byName("oac-logs-encryption"), () => undefined))).toEqual(["S3Encryption aws:s3/bucket:Bucket oac-logs"]);
  });

  it("CFR2: a production distribution without a web ACL (dev may go without)", () => {
    const open = mutate(prodSite, byName("prodsite-cdn"), (r) => ({ ...r, inputs: { ...r.inputs, webAclId: undefined } }));
    expect(ids(CFR2, open, prod)).toEqual(["CFR2 aws:cloudfront/distribution:Distribution prodsite-cdn"]);
    expect(ids(CFR2, oac, dev)).toEqual([]);
  });

  it("CFR3: a distribution without logging", () => {
    const silent = mutate(oac, byName("oac-cdn"), (r) => ({ ...r, inputs: { ...r.inputs, loggingConfig: undefined } }));
    expect(ids(CFR3, silent)).toEqual(["CFR3 aws:cloudfront/distribution:Distribution oac-cdn"]);
  });

  it("CFR4: an old viewer TLS policy, plain HTTP, or the default certificate in production", () => {
    const old = mutate(prodSite, byName("prodsite-cdn"), (r) => ({ ...r, inputs: { ...r.inputs, viewerCertificate: { ...r.inputs.viewerCertificate, minimumProtocolVersion: "TLSv1_2016" } } }));
    expect(CFR4.check(old, prod)[0].problem).toBe("allows viewer TLS policy TLSv1_2016");
    const http = mutate(oac, byName("oac-cdn"), (r) => ({ ...r, inputs: { ...r.inputs, defaultCacheBehavior: { ...r.inputs.defaultCacheBehavior, viewerProtocolPolicy: "allow-all" } } }));
    expect(CFR4.check(http, dev)[0].problem).toBe("behaviour default allows plain HTTP");
    expect(CFR4.check(oac, prod)[0].problem).toMatch(/default certificate, which only offers TLSv1; set a custom domain/);
  });

  it("CFR5: an origin reached over HTTP or with old TLS", () => {
    const http = mutate(oac, byName("oac-cdn"), (r) => {
      const origins = r.inputs.origins.map((o: any) => (o.originId === "api" ? { ...o, customOriginConfig: { ...o.customOriginConfig, originProtocolPolicy: "match-viewer", originSslProtocols: ["TLSv1", "TLSv1.2"] } } : o));
      return { ...r, inputs: { ...r.inputs, origins } };
    });
    expect(CFR5.check(http, dev).map((f) => f.problem)).toEqual(["origin api allows TLSv1", "origin api is reached over match-viewer"]);
    const websiteWithoutSecret = mutate(website, byName("web-cdn"), (r) => ({ ...r, inputs: { ...r.inputs, origins: [{ ...r.inputs.origins[0], customHeaders: [] }] } }));
    expect(ids(CFR5, websiteWithoutSecret)).toEqual(["CFR5 aws:cloudfront/distribution:Distribution web-cdn"]);
  });

  it("CFR7: an S3 origin without Origin Access Control", () => {
    const noOac = mutate(oac, byName("oac-cdn"), (r) => ({ ...r, inputs: { ...r.inputs, origins: [{ ...r.inputs.origins[0], originAccessControlId: undefined }] } }));
    expect(CFR7.check(noOac, dev)[0].problem).toBe("S3 origin site has no Origin Access Control");
  });

  it("IAM5: wildcard actions and wildcard resources for resource-scoped actions", () => {
    const wild = mutate(fn, byName("fn-policy"), (r) => ({
      ...r,
      inputs: { ...r.inputs, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::b/*"] }, { Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" }] }) },
    }));
    expect(IAM5.check(wild, dev).map((f) => f.problem)).toEqual(["allows wildcard action s3:*", "allows dynamodb:GetItem on resource *"]);
  });

  it("L1 and log retention: an old runtime, a log group kept forever", () => {
    const old = mutate(fn, byName("fn-function"), (r) => ({ ...r, inputs: { ...r.inputs, runtime: "nodejs18.x" } }));
    expect(L1.check(old, dev)[0].problem).toBe("runs nodejs18.x, not nodejs22.x");
    const forever = mutate(fn, byName("fn-logs"), (r) => ({ ...r, inputs: { ...r.inputs, retentionInDays: undefined } }));
    expect(ids(LAMBDA_LOG_RETENTION, forever)).toEqual(["LambdaLogRetention aws:cloudwatch/logGroup:LogGroup fn-logs"]);
  });

  it("DataRetention: production buckets that would be deleted", () => {
    expect(ids(DATA_RETAINED_IN_PRODUCTION, oac, prod)).toEqual(["DataRetention aws:s3/bucket:Bucket oac-logs", "DataRetention aws:s3/bucket:Bucket oac-bucket"]);
    expect(DATA_RETAINED_IN_PRODUCTION.check(oac, dev)).toEqual([]);
    expect(ofType(prodSite, "aws:s3/bucket:Bucket").every((b) => b.retainOnDelete)).toBe(true);
    // An Aurora cluster: kept by its final snapshot, or lost with the stack when it skips one.
    const cluster = { type: "aws:rds/cluster:Cluster", name: "db-cluster", urn: "urn:db-cluster", inputs: { skipFinalSnapshot: false }, state: {}, dependencies: [], retainOnDelete: false, protect: false } as unknown as RecordedResource;
    expect(ids(DATA_RETAINED_IN_PRODUCTION, [cluster], prod)).toEqual([]);
    expect(ids(DATA_RETAINED_IN_PRODUCTION, [{ ...cluster, inputs: { skipFinalSnapshot: true } }], prod)).toEqual(["DataRetention aws:rds/cluster:Cluster db-cluster"]);
    expect(ids(DATA_RETAINED_IN_PRODUCTION, [{ ...cluster, inputs: { skipFinalSnapshot: true, deletionProtection: true } }], prod)).toEqual([]);
  });
});
