/**
 * The secrets the program's functions read (LambdaFunction `secrets`), served locally by a stand-in for
 * GetSecretValue and GetParameter (local/secrets-server.ts). Each value comes from the git-ignored file
 * `.local/secrets.<stack>.json` or, for a secret the program creates itself (a SecretVersion or a Parameter in the
 * recorded graph), from the program; a secret found in neither stops `npm start` with its name and the file
 * (docs/secrets.md).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { SecretStore } from "../../components/lambda/secrets";
import { registeredSpecs } from "../../components/spec-registry";
import { secretReplicaArn } from "../../components/regional-apis/spec";
import { ofType, type Graph } from "../offline/graph";
import type { RecordedResource } from "../offline/mocks";
import { PROJECT_DIR, resolveValue } from "../offline/program";
import { startLocalSecrets } from "../secrets-server";
import type { LocalService } from "./types";
import { acceptedCredentials } from "./credentials";
import { unwrapSecretInput } from "../secret-wire";

/** The file `npm start` reads secrets from: `{ "secretsManager": { "<name or ARN>": "<value>" }, "ssm": { ... } }`. */
export function localSecretsFile(stack: string, projectDir = PROJECT_DIR): string {
  return join(projectDir, ".local", `secrets.${stack}.json`);
}

/** The file's entries by store; an absent file is empty. */
function readSecretsFile(file: string): Record<SecretStore, Map<string, string>> {
  const empty = { [SecretStore.SecretsManager]: new Map<string, string>(), [SecretStore.Ssm]: new Map<string, string>() };
  if (!existsSync(file)) return empty;
  let parsed: { secretsManager?: Record<string, unknown>; ssm?: Record<string, unknown> };
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}); it holds { "secretsManager": { "<name or ARN>": "<value>" }, "ssm": { "<name>": "<value>" } }.`);
  }
  for (const [section, store] of [["secretsManager", SecretStore.SecretsManager], ["ssm", SecretStore.Ssm]] as const) {
    for (const [id, value] of Object.entries(parsed[section] ?? {})) {
      if (typeof value !== "string") throw new Error(`${file}: ${section}["${id}"] is not a string; secret values are strings (JSON secrets as their JSON text).`);
      empty[store].set(id, value);
    }
  }
  return empty;
}

/** A recorded string input, a secret one unwrapped. */
function plainString(value: unknown): string | undefined {
  const plain = unwrapSecretInput(value);
  return typeof plain === "string" ? plain : undefined;
}

/**
 * The Secrets Manager secret the program creates that `id` (its name, ARN, or a replica's ARN) names, with the ARN and
 * name GetSecretValue answers for it: the recorded secret's, or for a replica's ARN that ARN (a replica's ARN differs
 * from its secret's only by region: StackSecret replicaRegions, RegionalApis).
 */
function recordedSecret(graph: Graph, id: string): { secret: RecordedResource; arn: string; name: string } | undefined {
  for (const r of ofType(graph, "aws:secretsmanager/secret:Secret")) {
    if (typeof r.state.arn !== "string") continue;
    const replica = ((r.inputs.replicas ?? []) as { region?: string }[]).some(({ region }) => region && secretReplicaArn(r.state.arn, region) === id);
    if (replica || [r.id, r.state.arn, r.state.name].includes(id)) return { secret: r, arn: replica ? id : r.state.arn, name: String(r.state.name) };
  }
  return undefined;
}

/** The value the program itself gives a secret it creates: its SecretVersion's secretString, or its Parameter's value. */
export function programSecretValue(graph: Graph, store: SecretStore, id: string): string | undefined {
  if (store === SecretStore.SecretsManager) {
    const secret = recordedSecret(graph, id)?.secret;
    if (!secret) return undefined;
    const version = graph.find((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion" && [secret.id, secret.state.arn].includes(r.inputs.secretId));
    return plainString(version?.inputs.secretString);
  }
  const parameter = graph.find((r) => r.type === "aws:ssm/parameter:Parameter" && [r.id, r.state.name, r.state.arn].includes(id));
  return plainString(parameter?.inputs.value ?? parameter?.inputs.insecureValue);
}

/** Every secret the program's functions read, with its value; throws naming the first one found nowhere. */
export async function localSecretValues(stack: string, graph: Graph, file = localSecretsFile(stack)) {
  const fromFile = readSecretsFile(file);
  const values = { [SecretStore.SecretsManager]: new Map<string, string>(), [SecretStore.Ssm]: new Map<string, string>() };
  const secretsManagerIdentities = new Map<string, { arn: string; name: string }>();
  for (const { name, spec } of registeredSpecs<LambdaFunctionSpec>("LambdaFunction")) {
    for (const [variable, secret] of Object.entries(spec.secrets ?? {})) {
      const id = await resolveValue<string>(secret.id);
      const value = fromFile[secret.store].get(id) ?? programSecretValue(graph, secret.store, id);
      if (value === undefined) {
        const section = secret.store === SecretStore.SecretsManager ? "secretsManager" : "ssm";
        throw new Error(
          `function "${name}" reads the ${secret.store === SecretStore.SecretsManager ? "Secrets Manager secret" : "SSM parameter"} "${id}" (secrets.${variable}), ` +
            `which is not in ${file.startsWith(process.cwd() + sep) ? relative(process.cwd(), file) : file} and not created by the program. Add it there: { "${section}": { "${id}": "<value>" } } (docs/secrets.md).`,
        );
      }
      values[secret.store].set(id, value);
      const recorded = secret.store === SecretStore.SecretsManager ? recordedSecret(graph, id) : undefined;
      if (recorded) secretsManagerIdentities.set(id, { arn: recorded.arn, name: recorded.name });
    }
  }
  return { secretsManager: values[SecretStore.SecretsManager], ssm: values[SecretStore.Ssm], secretsManagerIdentities };
}

export const secretsService: LocalService = {
  name: "secrets (GetSecretValue and GetParameter)",
  async start(context) {
    const values = await localSecretValues(context.stack, context.run.resources);
    if (values.secretsManager.size === 0 && values.ssm.size === 0) return undefined;
    // Signed as AWS's are, and each function authorised by its role (a function reads only the secrets it names).
    const server = await startLocalSecrets(values, {
      credentials: acceptedCredentials(context),
      authorise: context.functionRoles.authorise,
    });
    context.environment.AWS_ENDPOINT_URL_SECRETS_MANAGER = server.endpoint;
    context.environment.AWS_ENDPOINT_URL_SSM = server.endpoint;
    return { name: "secrets", stop: () => server.stop() };
  },
};
