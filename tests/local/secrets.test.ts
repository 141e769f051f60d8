/**
 * `npm start`'s secrets: values from `.local/secrets.<stack>.json` or, for secrets the program creates, from the
 * recorded graph; a secret found in neither stops the start naming it and the file; handlers read them through the
 * SDK's own GetSecretValue and GetParameter, pointed at the local server.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import * as aws from "@pulumi/aws";
import { beforeEach, describe, expect, it } from "vitest";
import { StackSecret } from "../../components";
import { LambdaFunction } from "../../components/lambda/function";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { localSecretsFile, localSecretValues } from "../../local/services/secrets";
import { startLocalSecrets } from "../../local/secrets-server";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { record } from "../harness/mocks";
import { signRequest } from "../harness/signed-fetch";

const entry = "tests/fixtures/handlers/echo.ts";
const dir = mkdtempSync(join(tmpdir(), "sf-secrets-"));
beforeEach(() => clearRegisteredSpecs());

describe("local secret values", () => {
  it("stops with the missing secret's name, the function, and the file to add it to", async () => {
    const graph = await record(() => new LambdaFunction("reader", { entry, secrets: { STRIPE_KEY: { secretsManager: "shop/stripe" } } }));
    const file = join(dir, "absent.json");
    await expect(localSecretValues("dev", graph, file)).rejects.toThrow(
      `function "reader" reads the Secrets Manager secret "shop/stripe" (secrets.STRIPE_KEY), which is not in ${file} and not created by the program. Add it there: { "secretsManager": { "shop/stripe": "<value>" } } (docs/secrets.md).`,
    );
  });

  it("reads Secrets Manager and SSM values from the stack's file", async () => {
    const graph = await record(() => new LambdaFunction("file-reader", { entry, secrets: { STRIPE_KEY: { secretsManager: "shop/stripe" }, TOKEN: { ssmParameter: "/shop/token" } } }));
    const file = join(dir, "secrets.dev.json");
    writeFileSync(file, JSON.stringify({ secretsManager: { "shop/stripe": "sk_test_1" }, ssm: { "/shop/token": "t0ken" } }));
    const values = await localSecretValues("dev", graph, file);
    expect([...values.secretsManager]).toEqual([["shop/stripe", "sk_test_1"]]);
    expect([...values.ssm]).toEqual([["/shop/token", "t0ken"]]);
  });

  it("takes the value of a secret or parameter the program creates from the recorded graph, with no file", async () => {
    const graph = await record(() => {
      const secret = new StackSecret("made", { value: "from-the-program", recoveryWindowDays: 0 });
      const parameter = new aws.ssm.Parameter("made-param", { type: "SecureString", value: "param-value" });
      return new LambdaFunction("graph-reader", { entry, secrets: { MADE: secret.functionSecret, PARAM: { ssmParameter: parameter.name } } });
    });
    const values = await localSecretValues("dev", graph, join(dir, "none.json"));
    expect([...values.secretsManager.values()]).toEqual(["from-the-program"]);
    expect([...values.ssm.values()]).toEqual(["param-value"]);
  });

  it("refuses a file that is not JSON, naming it", async () => {
    const graph = await record(() => new LambdaFunction("bad-file", { entry, secrets: { TOKEN: { ssmParameter: "/x" } } }));
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ not json");
    await expect(localSecretValues("dev", graph, file)).rejects.toThrow(`${file} is not JSON`);
  });

  it("keeps the file under the git-ignored .local/ folder, one per stack", () => {
    expect(localSecretsFile("prod", "/project")).toBe("/project/.local/secrets.prod.json");
  });
});

describe("the local secrets server", () => {
  it("answers a secret the program creates with its recorded ARN and name, whether a function names it by name or by ARN", async () => {
    let made!: StackSecret;
    const graph = await record(() => {
      made = new StackSecret("recorded", { value: "v", recoveryWindowDays: 0 });
      return new LambdaFunction("recorded-reader", { entry, secrets: { BY_ARN: made.functionSecret, BY_NAME: { secretsManager: made.nodes.secret.name } } });
    });
    const secret = graph.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
    const server = await startLocalSecrets(await localSecretValues("dev", graph, join(dir, "none.json")));
    const sm = new SecretsManagerClient({ endpoint: server.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      for (const SecretId of [secret.state.name, secret.state.arn]) {
        expect(await sm.send(new GetSecretValueCommand({ SecretId }))).toMatchObject({ ARN: secret.state.arn, Name: secret.state.name, SecretString: "v" });
      }
    } finally {
      sm.destroy();
      await server.stop();
    }
  });

  it("answers a secret the program only names with an ARN in the caller's region and the mocks' account", async () => {
    const server = await startLocalSecrets({ secretsManager: new Map([["shop/stripe", "sk_test_1"]]), ssm: new Map() });
    const sm = new SecretsManagerClient({ endpoint: server.endpoint, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe" }))).ARN).toBe(`arn:aws:secretsmanager:eu-west-1:${MOCK_ACCOUNT_ID}:secret:shop/stripe-local0`);
    } finally {
      sm.destroy();
      await server.stop();
    }
  });

  it("answers the SDK's GetSecretValue and GetParameter, and ResourceNotFound / ParameterNotFound otherwise", async () => {
    const server = await startLocalSecrets({ secretsManager: new Map([["shop/stripe", "sk_test_1"]]), ssm: new Map([["/shop/token", "t0ken"]]) });
    const client = { endpoint: server.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
    try {
      const sm = new SecretsManagerClient(client);
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe" }))).SecretString).toBe("sk_test_1");
      await expect(sm.send(new GetSecretValueCommand({ SecretId: "other" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      const ssm = new SSMClient(client);
      expect((await ssm.send(new GetParameterCommand({ Name: "/shop/token", WithDecryption: true }))).Parameter?.Value).toBe("t0ken");
      await expect(ssm.send(new GetParameterCommand({ Name: "/other" }))).rejects.toMatchObject({ name: "ParameterNotFound" });
    } finally {
      await server.stop();
    }
  });
});

describe("the local secrets server's answers to requests it cannot serve", () => {
  it("answers a version stage or id the secret does not have with ResourceNotFoundException naming it, as Secrets Manager does", async () => {
    // "Secrets Manager can't find the specified secret value for staging label: AWSPENDING" (400): https://github.com/aws/aws-sdk-js-v3/issues/7701
    const server = await startLocalSecrets({ secretsManager: new Map([["shop/stripe", "sk_test_1"]]), ssm: new Map() });
    const sm = new SecretsManagerClient({ endpoint: server.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      const current = await sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe", VersionStage: "AWSCURRENT" }));
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe", VersionId: current.VersionId }))).SecretString).toBe("sk_test_1");
      await expect(sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe", VersionStage: "AWSPENDING" }))).rejects.toMatchObject({
        name: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING", $metadata: { httpStatusCode: 400 },
      });
      await expect(sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe", VersionId: "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1" }))).rejects.toMatchObject({
        name: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret value for VersionId: EXAMPLE1-90ab-cdef-fedc-ba987SECRET1",
      });
    } finally {
      sm.destroy();
      await server.stop();
    }
  });

  it("answers a body that is JSON but not an object with a 400 SerializationException, not a 500", async () => {
    const server = await startLocalSecrets({ secretsManager: new Map(), ssm: new Map() });
    try {
      for (const body of ["null", "[]", '"shop/stripe"']) {
        const headers = await signRequest(server.endpoint, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" }, body }, { service: "secretsmanager" });
        const response = await fetch(server.endpoint, { method: "POST", headers, body });
        expect([response.status, ((await response.json()) as { __type: string }).__type]).toEqual([400, "SerializationException"]);
      }
    } finally {
      await server.stop();
    }
  });
});

describe("the local secrets server, signed and authorised as AWS does", () => {
  const roleArn = "arn:aws:iam::123456789012:role/reader-role";
  const roles = FunctionRoles.fromGraph([
    { type: "aws:iam/role:Role", name: "reader-role", urn: "urn:role", custom: true, inputs: {}, state: { name: "reader-role", arn: roleArn }, protect: false, retainOnDelete: false, dependencies: [] },
    { type: "aws:lambda/function:Function", name: "reader", urn: "urn:fn", custom: true, inputs: { role: roleArn }, state: { name: "reader-1a2b" }, protect: false, retainOnDelete: false, dependencies: [] },
    {
      type: "aws:iam/rolePolicy:RolePolicy", name: "reader-policy", urn: "urn:policy", custom: true, state: {}, protect: false, retainOnDelete: false, dependencies: [],
      // What LambdaFunction's `secrets` grants (components/lambda/secrets.ts secretResourceArn): the name with Secrets Manager's six random characters, the parameter without its leading slash.
      inputs: { role: "reader-role", policy: JSON.stringify({ Statement: [
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT_ID}:secret:shop/stripe-??????` },
        { Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:us-east-1:${MOCK_ACCOUNT_ID}:parameter/shop/token` },
      ] }) },
    },
  ]);
  const values = { secretsManager: new Map([["shop/stripe", "sk_test_1"], ["shop/payroll", "p4y"]]), ssm: new Map([["/shop/token", "t0ken"], ["/shop/admin", "4dmin"]]) };

  it("lets a function read what its role allows and refuses the rest with AccessDeniedException naming the caller, action and resource", async () => {
    const server = await startLocalSecrets(values, { credentials: roles.credentials(), authorise: roles.authorise });
    const client = { endpoint: server.endpoint, region: "us-east-1", credentials: functionCredentials("reader-1a2b") };
    const sm = new SecretsManagerClient(client);
    const ssm = new SSMClient(client);
    try {
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe" }))).SecretString).toBe("sk_test_1");
      await expect(sm.send(new GetSecretValueCommand({ SecretId: "shop/payroll" }))).rejects.toMatchObject({
        name: "AccessDeniedException",
        message: `User: arn:aws:sts::123456789012:assumed-role/reader-role/reader-1a2b is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT_ID}:secret:shop/payroll-local0 because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      });
      expect((await ssm.send(new GetParameterCommand({ Name: "/shop/token", WithDecryption: true }))).Parameter?.Value).toBe("t0ken");
      await expect(ssm.send(new GetParameterCommand({ Name: "/shop/admin", WithDecryption: true }))).rejects.toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining(`ssm:GetParameter on resource: arn:aws:ssm:us-east-1:${MOCK_ACCOUNT_ID}:parameter/shop/admin because`) });
    } finally {
      sm.destroy();
      ssm.destroy();
      await server.stop();
    }
  });

  it("refuses an unsigned request and unknown credentials as JSON-protocol services do", async () => {
    const server = await startLocalSecrets(values, { credentials: roles.credentials(), authorise: roles.authorise });
    const sm = new SecretsManagerClient({ endpoint: server.endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      const unsigned = await fetch(server.endpoint, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" }, body: JSON.stringify({ SecretId: "shop/stripe" }) });
      expect([unsigned.status, await unsigned.json()]).toEqual([400, { __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" }]);
      await expect(sm.send(new GetSecretValueCommand({ SecretId: "shop/stripe" }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    } finally {
      sm.destroy();
      await server.stop();
    }
  });
});
