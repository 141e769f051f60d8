/**
 * The passing side of input limits the fixtures fail (fixtures/descriptions.ts, fixtures/iam.ts, fixtures/sqs.ts, fixtures/lambda-s3.ts, fixtures/names.ts, fixtures/route53.ts, fixtures/key-policy.ts): a value at the limit,
 * or of the form AWS takes, gives no finding, so the rules refuse only what AWS refuses.
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, DESCRIPTION_LIMITS, IAM_PATH, KMS_KEY_POLICY_SIZE, PHYSICAL_NAME_LIMITS, ROUTE53_TXT_STRINGS, S3_BUCKET_POLICY_SIZE, SQS_POLICY_QUOTAS } from "../../testing/deploy-rules";
import { iamPathProblem } from "../../testing/deploy-rules/iam";
import { devContext, handBuilt } from "./fixture";

describe("DescriptionLimits: an SNS topic's display name", () => {
  const topic = (displayName: string) => handBuilt("aws:sns/topic:Topic", "alerts", { displayName });

  it("takes a display name of exactly 100 characters, spaces, hyphens and underscores counted", () => {
    const displayName = "Gallery alerts - prod_".padEnd(100, "x");
    expect(displayName).toHaveLength(100);
    expect(checkDeployRules([topic(displayName)], devContext, [DESCRIPTION_LIMITS])).toEqual([]);
  });

  it("refuses one of 101, naming the topic, the input, its length and the fix", () => {
    expect(checkDeployRules([topic("x".repeat(101))], devContext, [DESCRIPTION_LIMITS])).toEqual([
      {
        stack: "dev",
        rule: "DescriptionLimits",
        resource: "aws:sns/topic:Topic alerts",
        problem: "has displayName of 101 characters; SetTopicAttributes takes a topic display name of at most 100",
        fix: "shorten displayName to 100 characters or fewer",
      },
    ]);
  });
});

describe("DescriptionLimits: a managed policy's description", () => {
  const policy = (description: string) => handBuilt("aws:iam/policy:Policy", "readers", { policy: "{}", description });

  it("takes 1000 characters and refuses 1001", () => {
    expect(checkDeployRules([policy("d".repeat(1000))], devContext, [DESCRIPTION_LIMITS])).toEqual([]);
    expect(checkDeployRules([policy("d".repeat(1001))], devContext, [DESCRIPTION_LIMITS]).map((f) => f.problem)).toEqual(["has description of 1001 characters; CreatePolicy takes a managed policy description of at most 1000"]);
  });
});

describe("DescriptionLimits: a Lambda alias's description", () => {
  const alias = (description: string) => handBuilt("aws:lambda/alias:Alias", "live", { name: "live", functionName: "worker", functionVersion: "3", description });

  it("takes 256 characters and refuses 257", () => {
    expect(checkDeployRules([alias("a".repeat(256))], devContext, [DESCRIPTION_LIMITS])).toEqual([]);
    expect(checkDeployRules([alias("a".repeat(257))], devContext, [DESCRIPTION_LIMITS]).map((f) => f.problem)).toEqual(["has description of 257 characters; CreateAlias takes an alias description of at most 256"]);
  });
});

describe("IamPath", () => {
  const role = (path: string) => handBuilt("aws:iam/role:Role", "app-role", { assumeRolePolicy: "{}", path }, { id: "app-role" });
  const policy = (path: string) => handBuilt("aws:iam/policy:Policy", "app-policy", { policy: "{}", path });
  const run = (...graph: ReturnType<typeof handBuilt>[]) => checkDeployRules(graph, devContext, [IAM_PATH]);

  it("takes /, a path between slashes of printable ASCII, and one of exactly 512 characters", () => {
    const longest = `/${"a".repeat(510)}/`;
    expect(longest).toHaveLength(512);
    expect(run(role("/"), role("/service-role/"), role("/a/b-c_d.e@f+g=/"), role(longest), policy("/teams/ops/"), policy(longest))).toEqual([]);
  });

  it("takes * in a role's path (CreateRole's pattern has it) but not in a policy's", () => {
    expect(run(role("/ops/*/"))).toEqual([]);
    expect(run(policy("/ops/*/")).map((f) => f.fix)).toEqual(['set path to "/ops/" (/ around printable ASCII, at most 512 characters), or leave it unset for /']);
  });

  it("refuses a path without its slashes, over 512 characters, or with a space, and proposes one IAM takes", () => {
    const findings = run(role("service-role"), role(`/${"a".repeat(511)}/`), role("/ops team/"));
    expect(findings.map((f) => f.problem)).toEqual([
      'has path "service-role", which is not / or a path that begins and ends with / and holds only the printable ASCII characters ! to ~: CreateRole refuses it at `pulumi up` (ValidationError)',
      expect.stringMatching(/^has path "\/a+\/", which is 513 characters; IAM takes at most 512: CreateRole refuses it/),
      'has path "/ops team/", which is not / or a path that begins and ends with / and holds only the printable ASCII characters ! to ~: CreateRole refuses it at `pulumi up` (ValidationError)',
    ]);
    expect(findings.map((f) => f.fix.split(" (/")[0])).toEqual(['set path to "/service-role/"', `set path to "/${"a".repeat(510)}/"`, 'set path to "/opsteam/"']);
    for (const path of ["/service-role/", `/${"a".repeat(510)}/`, "/opsteam/"]) expect(iamPathProblem(path, false)).toBeUndefined();
  });

  it("leaves an unset or empty path alone (the provider's default is /)", () => {
    expect(run(handBuilt("aws:iam/role:Role", "plain-role", { assumeRolePolicy: "{}" }), role(""))).toEqual([]);
  });
});

describe("SqsPolicyQuotas", () => {
  const run = (policy: unknown) => checkDeployRules([handBuilt("aws:sqs/queuePolicy:QueuePolicy", "q-policy", { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", policy })], devContext, [SQS_POLICY_QUOTAS]);
  const statement = (i: number, Action: string | string[] = "sqs:SendMessage") => ({ Sid: `S${i}`, Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action, Resource: "*" });
  const doc = (Statement: unknown[], padding = "") => ({ Version: "2012-10-17", Id: padding, Statement });

  it("takes a policy at each quota: 20 statements, 7 actions in one, exactly 8,192 bytes as compact JSON", () => {
    expect(run(JSON.stringify(doc(Array.from({ length: 20 }, (_, i) => statement(i)))))).toEqual([]);
    expect(run(JSON.stringify(doc([statement(0, ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ChangeMessageVisibility", "sqs:PurgeQueue"])])))).toEqual([]);
    const base = Buffer.byteLength(JSON.stringify(doc([statement(0)])));
    const exact = doc([statement(0)], "x".repeat(8192 - base));
    expect(Buffer.byteLength(JSON.stringify(exact))).toBe(8192);
    // White space outside strings is not counted: the same document pretty-printed is still within the quota.
    expect(run(JSON.stringify(exact, null, 2))).toEqual([]);
    expect(run(exact)).toEqual([]);
  });

  it("refuses one byte more, naming the size", () => {
    const base = Buffer.byteLength(JSON.stringify(doc([statement(0)])));
    expect(run(JSON.stringify(doc([statement(0)], "x".repeat(8193 - base)))).map((f) => f.problem)).toEqual(["has an access policy of 8193 bytes (as compact JSON); SQS takes at most 8192; SetQueueAttributes refuses it at `pulumi up`"]);
  });

  it("counts sqs:* as one action, and skips a policy it cannot read", () => {
    expect(run(JSON.stringify(doc([statement(0, "sqs:*")])))).toEqual([]);
    expect(run("not json")).toEqual([]);
  });
});

describe("S3BucketPolicySize", () => {
  const document = (padding: number) => ({ Version: "2012-10-17", Id: "x".repeat(padding), Statement: [{ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::site/*" }] });
  const sized = (bytes: number) => document(bytes - Buffer.byteLength(JSON.stringify(document(0))));
  const run = (policy: unknown, type = "aws:s3/bucketPolicy:BucketPolicy") => checkDeployRules([handBuilt(type, "site-policy", { bucket: "site", policy })], devContext, [S3_BUCKET_POLICY_SIZE]);

  it("takes a policy of exactly 20,480 bytes as compact JSON, pretty-printed or not, and as an object", () => {
    expect(Buffer.byteLength(JSON.stringify(sized(20_480)))).toBe(20_480);
    expect(run(JSON.stringify(sized(20_480), null, 2))).toEqual([]);
    expect(run(sized(20_480))).toEqual([]);
  });

  it("refuses one byte more, on a BucketPolicy and on a bucket's own policy", () => {
    const problem = "has a bucket policy of 20481 bytes (as compact JSON); S3 takes at most 20 KB (20480 bytes), so PutBucketPolicy refuses it at `pulumi up`";
    expect(run(JSON.stringify(sized(20_481))).map((f) => f.problem)).toEqual([problem]);
    expect(run(JSON.stringify(sized(20_481)), "aws:s3/bucket:Bucket").map((f) => f.problem)).toEqual([problem]);
  });
});

describe("PhysicalNameLimits: a REST API model's name", () => {
  const model = (inputs: Record<string, unknown>) => handBuilt("aws:apigateway/model:Model", "photo", { restApi: "api-id", contentType: "application/json", schema: "{}", ...inputs });

  it("takes letters and digits", () => {
    expect(checkDeployRules([model({ name: "PostAlbumsAlbumIdPhotosBody" }), model({ name: "Photo2" })], devContext, [PHYSICAL_NAME_LIMITS])).toEqual([]);
  });

  it("takes an explicit name longer than 255: CreateModel documents no length (255 is pulumi-aws's autoname maximum)", () => {
    expect(checkDeployRules([model({ name: "A".repeat(300) })], devContext, [PHYSICAL_NAME_LIMITS])).toEqual([]);
  });

  it("does not tell a model named with an underscore to leave its name to the autoname, which CreateModel refuses too", () => {
    expect(checkDeployRules([model({ name: "Album_Body" })], devContext, [PHYSICAL_NAME_LIMITS]).map((f) => f.fix)).toEqual(["set a REST API model name AWS takes"]);
  });

  it("tells a hand-written model left unnamed to set a name, since the autoname's - is Pulumi's", () => {
    expect(checkDeployRules([model({})], devContext, [PHYSICAL_NAME_LIMITS]).map((f) => f.fix)).toEqual(['set name explicitly, of letters and digits only (e.g. "PostAlbumsBody"): Pulumi\'s autoname puts a "-" before its random part']);
  });
});

describe("Route53TxtStrings", () => {
  const txt = (...records: string[]) => handBuilt("aws:route53/record:Record", "dkim", { zoneId: "Z0123456789", name: "mail._domainkey.example.com", type: "TXT", ttl: 300, records });
  const run = (...records: string[]) => checkDeployRules([txt(...records)], devContext, [ROUTE53_TXT_STRINGS]);

  it("reads an entry as the provider sends it, in double quotes: \"\" or \" \" splits it, an escaped quote is one character", () => {
    const long = "a".repeat(200);
    expect(run(`${long}""${long}`, `${long}" "${long}`, `${"q".repeat(253)}\\"\\"`)).toEqual([]);
    expect(run(`${long}${long}`, `${"q".repeat(254)}\\"\\"`).map((f) => f.problem.split(" (")[0])).toEqual(["has a TXT value holding a string of 400 characters", "has a TXT value holding a string of 256 characters"]);
  });

  it("counts a \\ddd octal escape as the one character it stands for (Route 53's TXT format: \"ex\\344mple.com\")", () => {
    expect(run(`${"a".repeat(254)}\\351`)).toEqual([]);
    expect(run(`${"a".repeat(255)}\\351`).map((f) => f.problem.split(" (")[0])).toEqual(["has a TXT value holding a string of 256 characters"]);
  });

  it("takes a string of exactly 255 characters, and a long key split into strings of at most 255", () => {
    expect(run("a".repeat(255), `${"b".repeat(255)}""${"c".repeat(155)}`)).toEqual([]);
  });

  it("refuses 256 characters in one string, with the fix of splitting it", () => {
    const findings = run("a".repeat(256));
    expect(findings.map((f) => f.problem)).toEqual([`has a TXT value holding a string of 256 characters (${JSON.stringify("a".repeat(24))}…); Route 53 takes strings of at most 255 and refuses it (CharacterStringTooLong, "Value is too long") at \`pulumi up\``]);
    expect(findings[0].fix).toMatch(/^split the value into strings of at most 255 characters with "" between them/);
  });

  it("leaves other record types alone", () => {
    expect(checkDeployRules([handBuilt("aws:route53/record:Record", "cname", { zoneId: "Z0123456789", name: "www.example.com", type: "CNAME", ttl: 300, records: ["a".repeat(300)] })], devContext, [ROUTE53_TXT_STRINGS])).toEqual([]);
  });
});

describe("KmsKeyPolicySize", () => {
  const document = (padding: number) => ({ Version: "2012-10-17", Id: "x".repeat(padding), Statement: [{ Sid: "Account", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] });
  const sized = (bytes: number) => document(bytes - Buffer.byteLength(JSON.stringify(document(0))));
  const run = (type: string, policy: unknown) => checkDeployRules([handBuilt(type, "app-key", { keyId: "key-id", policy })], devContext, [KMS_KEY_POLICY_SIZE]);

  it("takes exactly 32,768 bytes as compact JSON, pretty-printed or not", () => {
    expect(Buffer.byteLength(JSON.stringify(sized(32_768)))).toBe(32_768);
    expect(run("aws:kms/key:Key", JSON.stringify(sized(32_768), null, 2))).toEqual([]);
  });

  it("refuses one byte more on a key, a replica key and a KeyPolicy, naming the call that refuses it", () => {
    const over = JSON.stringify(sized(32_769));
    expect([run("aws:kms/key:Key", over), run("aws:kms/replicaKey:ReplicaKey", over), run("aws:kms/keyPolicy:KeyPolicy", over)].map((findings) => findings.map((f) => f.problem.split("so ")[1]))).toEqual([
      ["CreateKey refuses it at `pulumi up`"],
      ["ReplicateKey refuses it at `pulumi up`"],
      ["PutKeyPolicy refuses it at `pulumi up`"],
    ]);
  });
});
