import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { StackSecret } from "../../components/stack-secret";
import { policyDocument, record, resource } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const fullSecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/stripe-AbC123";

async function policyOf(name: string, secrets: ConstructorParameters<typeof LambdaFunction>[1]["secrets"]) {
  const graph = await record(() => new LambdaFunction(name, { entry, environment: { PLAIN: "x" }, secrets }));
  const fn = resource(graph, "aws:lambda/function:Function", `${name}-function`);
  const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", `${name}-policy`).inputs.policy).Statement;
  return { graph, variables: fn.inputs.environment.variables as Record<string, string>, statements };
}

describe("LambdaFunction secrets", () => {
  it("grants GetSecretValue on exactly the named secret (the 6-character suffix as ??????) and puts only its name in the environment", async () => {
    const { variables, statements } = await policyOf("by-name", { API_TOKEN_SECRET: { secretsManager: "gallery/api-token" } });
    expect(variables).toEqual({ NODE_OPTIONS: "--enable-source-maps", PLAIN: "x", API_TOKEN_SECRET: "gallery/api-token" });
    const read = statements.filter((s) => s.Action.some((a: string) => a.startsWith("secretsmanager:")));
    expect(read).toEqual([{ Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:gallery/api-token-??????"] }]);
    expect(statements.some((s) => s.Action.includes("kms:Decrypt"))).toBe(false);
  });

  it("grants a full secret ARN as is, and kms:Decrypt on its customer key only through Secrets Manager", async () => {
    const { variables, statements } = await policyOf("by-arn", { STRIPE: { secretsManager: fullSecretArn, kmsKeyArn: keyArn } });
    expect(variables.STRIPE).toBe(fullSecretArn);
    expect(statements.find((s) => s.Sid === "ReadSecrets")?.Resource).toEqual([fullSecretArn]);
    expect(statements.find((s) => s.Sid === "DecryptSecrets")).toEqual({
      Sid: "DecryptSecrets",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [keyArn],
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
    });
  });

  it("grants ssm:GetParameter on the parameter's ARN (no double slash) and kms:Decrypt through SSM, in the function's region", async () => {
    const graph = await record(
      () => new LambdaFunction("param", { entry, region: "eu-west-1", secrets: { TOKEN: { ssmParameter: "/gallery/token", kmsKeyArn: keyArn }, PLAIN_NAME: { ssmParameter: "flat" } } }),
    );
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "param-policy").inputs.policy).Statement;
    expect(statements.find((s) => s.Sid === "ReadParameters")).toMatchObject({
      Action: ["ssm:GetParameter"],
      Resource: ["arn:aws:ssm:eu-west-1:123456789012:parameter/gallery/token", "arn:aws:ssm:eu-west-1:123456789012:parameter/flat"],
    });
    expect(statements.find((s) => s.Sid === "DecryptParameters")).toMatchObject({ Resource: [keyArn], Condition: { StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" } } });
    const variables = resource(graph, "aws:lambda/function:Function", "param-function").inputs.environment.variables;
    expect(variables).toMatchObject({ TOKEN: "/gallery/token", PLAIN_NAME: "flat" });
  });

  it("takes a secret the program creates (its ARN is an Output) and never its value", async () => {
    const graph = await record(() => {
      const secret = new aws.secretsmanager.Secret("made-secret", {});
      new aws.secretsmanager.SecretVersion("made-secret-value", { secretId: secret.id, secretString: "s3cr3t-value" });
      return new LambdaFunction("made", { entry, secrets: { MADE_SECRET: { secretsManager: secret.arn } } });
    });
    const secret = resource(graph, "aws:secretsmanager/secret:Secret", "made-secret");
    const fn = resource(graph, "aws:lambda/function:Function", "made-function");
    expect(fn.inputs.environment.variables.MADE_SECRET).toBe(secret.state.arn);
    expect(JSON.stringify(fn.inputs)).not.toContain("s3cr3t-value");
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "made-policy").inputs.policy).Statement;
    expect(statements.find((s) => s.Sid === "ReadSecrets")?.Resource).toEqual([secret.state.arn]);
  });

  it.each([
    [{ X: {} }, /secrets\.X .* does not name exactly one secret\. Set either secretsManager/],
    [{ X: { secretsManager: "a", ssmParameter: "/b" } }, /does not name exactly one secret/],
    [{ X: { secretsManager: "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe" } }, /is not a full secret ARN .* Pass the full ARN/],
    [{ X: { secretsManager: "bad name!" } }, /is not a Secrets Manager secret name/],
    [{ X: { ssmParameter: "bad name" } }, /is not an SSM parameter name/],
    [{ PLAIN: { ssmParameter: "/p" } }, /secrets\.PLAIN "PLAIN" is also set in environment/],
    [{ AWS_REGION: { ssmParameter: "/p" } }, /environment "AWS_REGION" is reserved/],
  ])("rejects bad secrets: %#", (secrets, message) => {
    expect(() => new LambdaFunction("bad", { entry, environment: { PLAIN: "x" }, secrets: secrets as never })).toThrow(message);
  });

  it("refuses secrets on Lambda@Edge", () => {
    expect(() => new LambdaFunction("bad-edge", { entry, edge: true, secrets: { X: { ssmParameter: "/p" } } })).toThrow(/secrets \["X"\] is set on a Lambda@Edge function/);
  });
});

describe("StackSecret", () => {
  it("keeps its value in a SecretVersion, under its own rotated KMS key when asked, and hands LambdaFunction the ARN and key", async () => {
    let made: InstanceType<typeof StackSecret> | undefined;
    const graph = await record(() => (made = new StackSecret("signing", { value: "v", customerKey: true, recoveryWindowDays: 7 })));
    const secret = resource(graph, "aws:secretsmanager/secret:Secret", "signing-secret");
    const key = resource(graph, "aws:kms/key:Key", "signing-key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 7 });
    expect(secret.inputs).toMatchObject({ kmsKeyId: key.state.arn, recoveryWindowInDays: 7 });
    expect(resource(graph, "aws:secretsmanager/secretVersion:SecretVersion", "signing-value").inputs.secretId).toBe(secret.id);
    const component = resource(graph, "serverless-fullstack:index:StackSecret", "signing");
    for (const child of [secret, key]) expect(child.parent).toBe(component.urn);
    expect(made!.functionSecret.secretsManager).toBeDefined();
  });

  it("replaces the secret when its key changes, so turning customerKey off cannot leave it on a key scheduled for deletion", async () => {
    const graph = await record(() => new StackSecret("rotated", { value: "v", customerKey: true }));
    const secret = resource(graph, "aws:secretsmanager/secret:Secret", "rotated-secret");
    expect(secret.replaceOnChanges).toEqual(["kmsKeyId"]);
    // Auto-named, so the replacement is created before the old secret is deleted; the value and the readers follow its id and ARN.
    expect(secret.inputs.name).toBeUndefined();
    expect(secret.deleteBeforeReplace).toBe(false);
    expect(resource(graph, "aws:secretsmanager/secretVersion:SecretVersion", "rotated-value").inputs.secretId).toBe(secret.id);
  });

  it("refuses a replica in the secret's own region, also when that region is the stack's aws:region (no region arg)", () => {
    expect(() => new StackSecret("own-region", { value: "v", region: "eu-west-1", replicaRegions: ["eu-west-1"] })).toThrow(
      /^StackSecret "own-region": replicaRegions "eu-west-1" is the secret's own region/,
    );
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "eu-central-1";
    try {
      expect(() => new StackSecret("stack-region", { value: "v", customerKey: true, replicaRegions: ["eu-central-1"] })).toThrow(
        /^StackSecret "stack-region": replicaRegions "eu-central-1" is the secret's own region.*List only the other regions/,
      );
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });

  it("accepts a replica in the stack's aws:region for a secret under an explicit provider for another region (the provider's region is the secret's, unknown at construction: the deploy rule SecretReplicaRegion checks the plan)", () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-east-1";
    try {
      const west = new aws.Provider("secret-west", { region: "us-west-2" });
      expect(() => new StackSecret("provided", { value: "v", customerKey: true, replicaRegions: ["us-east-1"] }, { provider: west })).not.toThrow();
      // A region arg of its own is known, provider or not.
      expect(() => new StackSecret("provided-own", { value: "v", region: "us-west-2", replicaRegions: ["us-west-2"] }, { provider: west })).toThrow(
        /^StackSecret "provided-own": replicaRegions "us-west-2" is the secret's own region/,
      );
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });

  it("refuses a description over 2048 characters, which CreateSecret rejects, and keeps one of 2048 on the secret", async () => {
    expect(() => new StackSecret("long-description", { value: "v", description: "d".repeat(2049) })).toThrow(
      /^StackSecret "long-description": description "d{2049}" is 2049 characters; Secrets Manager takes a secret description of at most 2048\. Shorten the description to 2048 characters or fewer\.$/,
    );
    const graph = await record(() => new StackSecret("full-description", { value: "v", description: "d".repeat(2048) }));
    expect(resource(graph, "aws:secretsmanager/secret:Secret", "full-description-secret").inputs.description).toBe("d".repeat(2048));
  });

  it.each<[unknown, string]>([
    [1, "is outside Secrets Manager's range of 7–30 days"],
    [6, "is outside Secrets Manager's range of 7–30 days"],
    [31, "is outside Secrets Manager's range of 7–30 days"],
    [2.5, "is not a whole number, nor in Secrets Manager's range of 7–30 days"],
    ["7", "is not a number"],
  ])("refuses recoveryWindowDays %j, which Secrets Manager rejects", async (days, problem) => {
    expect(() => new StackSecret("bad-window", { value: "v", recoveryWindowDays: days as number })).toThrow(
      `StackSecret "bad-window": recoveryWindowDays ${JSON.stringify(days)} ${problem}. Use 0 to delete at once, or 7 to 30 days.`,
    );
  });
});
