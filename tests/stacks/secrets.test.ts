/**
 * The reference app's secrets (docs/secrets.md): the API's cursor key lives in Secrets Manager, only the list routes
 * may read it (exactly that secret, and in prod its own KMS key through Secrets Manager), and no function's
 * environment carries its value — only its ARN.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, policyDocument, resource } from "../harness/mocks";
import { secretReplicaArn } from "../../components/regional-apis/spec";
import { runStacks } from "./run-stack";

let runs: Map<string, OfflineRun>;
beforeAll(async () => {
  runs = await runStacks(["dev", "prod"]);
});

/** The list routes, in the home region (api-…) and in prod's second region (api-usw2-…). */
const isReader = (name: string) => /^api(-[a-z0-9]+)?-get-albums(-albumid-photos)?$/.test(name);

describe.each(["dev", "prod"])("%s", (stack) => {
  it("keeps the cursor key in a Secrets Manager secret holding the generated password", () => {
    const graph = runs.get(stack)!.resources;
    const secret = resource(graph, "aws:secretsmanager/secret:Secret", "api-cursor-secret");
    const version = resource(graph, "aws:secretsmanager/secretVersion:SecretVersion", "api-cursor-value");
    expect(version.inputs.secretId).toBe(secret.id);
    expect(version.inputs.secretString.value).toBe(resource(graph, "random:index/randomPassword:RandomPassword", "api-cursor-secret").state.result);
    expect(secret.inputs.recoveryWindowInDays).toBe(stack === "prod" ? 30 : 0);
  });

  it("replicates the secret, and in prod its multi-Region key, to every other region the API runs in", () => {
    const graph = runs.get(stack)!.resources;
    const secret = resource(graph, "aws:secretsmanager/secret:Secret", "api-cursor-secret");
    if (stack === "dev") {
      expect(secret.inputs.replicas).toBeUndefined();
      return;
    }
    const key = resource(graph, "aws:kms/key:Key", "api-cursor-key");
    const replicaKey = resource(graph, "aws:kms/replicaKey:ReplicaKey", "api-cursor-key-us-west-2");
    expect(key.inputs.multiRegion).toBe(true);
    expect(replicaKey.inputs).toMatchObject({ primaryKeyArn: key.state.arn, region: "us-west-2" });
    expect(secret.inputs.replicas).toEqual([{ region: "us-west-2", kmsKeyId: replicaKey.state.arn }]);
  });

  it("grants GetSecretValue on exactly that secret to the list routes only, and names it (never its value) in their environment", () => {
    const graph = runs.get(stack)!.resources;
    const secret = resource(graph, "aws:secretsmanager/secret:Secret", "api-cursor-secret");
    const value = resource(graph, "random:index/randomPassword:RandomPassword", "api-cursor-secret").state.result as string;
    for (const fn of ofType(graph, "aws:lambda/function:Function")) {
      const name = fn.name.replace(/-function$/, "");
      const variables = fn.inputs.environment?.variables ?? {};
      expect(JSON.stringify(variables)).not.toContain(value);
      const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", `${name}-policy`).inputs.policy).Statement;
      // Secret reads, and decrypts through Secrets Manager (not the originals replica's key, which S3 uses).
      const throughSecretsManager = (s: { Condition?: { StringEquals?: Record<string, string> } }) => s.Condition?.StringEquals?.["kms:ViaService"]?.startsWith("secretsmanager.");
      const read = statements.filter((s) => s.Action.some((a: string) => a.startsWith("secretsmanager:") || (a.startsWith("kms:") && throughSecretsManager(s))));
      if (!isReader(name)) {
        expect(variables.CURSOR_SECRET_ID).toBeUndefined();
        expect(read).toEqual([]);
        continue;
      }
      // A function outside the home region reads the secret's replica in its own region, decrypted by the key's replica there.
      const region = fn.inputs.region ?? "us-east-1";
      const secretArn = secretReplicaArn(secret.state.arn, region);
      expect(variables.CURSOR_SECRET_ID).toBe(secretArn);
      const expected: unknown[] = [{ Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretArn] }];
      if (stack === "prod") {
        const key = resource(graph, "aws:kms/key:Key", "api-cursor-key");
        expect(secret.inputs.kmsKeyId).toBe(key.state.arn);
        const keyArn = secretReplicaArn(key.state.arn, region);
        expected.push({ Sid: "DecryptSecrets", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [keyArn], Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } } });
      } else {
        expect(secret.inputs.kmsKeyId).toBeUndefined();
      }
      expect(read).toEqual(expected);
    }
  });
});
