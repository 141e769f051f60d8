/**
 * A read-only stand-in for Secrets Manager's GetSecretValue and SSM's GetParameter (the two calls Powertools
 * parameters makes for `getSecret` and `getParameter`), so handlers read their secrets locally through the same
 * SDK path as in AWS: local Lambdas get AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SSM pointing here.
 * Both services speak the AWS JSON 1.1 protocol: a POST whose X-Amz-Target names the operation. Requests are signed
 * (SigV4) and, under `npm start`, authorised against the calling function's role, as in AWS.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Authorise } from "./function-roles";
import { readBody } from "./http";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import { jsonProtocolFailure, LOCAL_CREDENTIALS, verifySignedHeaders, type SigV4Credentials } from "./sigv4-verify";

export interface LocalSecretValues {
  /** Secrets Manager secrets by the name or ARN functions are given. */
  secretsManager: ReadonlyMap<string, string>;
  /** SSM SecureString parameters by the name or ARN functions are given. */
  ssm: ReadonlyMap<string, string>;
  /**
   * The ARN and name of each Secrets Manager secret the program records (by the id functions are given), which
   * GetSecretValue answers as `ARN` and `Name`. A secret not here (one the program only names) gets an ARN in the
   * caller's region (its signature's credential scope) and the mocks' account, the id as its name, suffixed `-local0`
   * where Secrets Manager adds six random characters.
   */
  secretsManagerIdentities?: ReadonlyMap<string, { arn: string; name: string }>;
}

export interface LocalSecretsServer {
  endpoint: string;
  stop(): Promise<void>;
}

export interface LocalSecretsServerOptions {
  /** The credentials requests must be signed with (SigV4). @default [LOCAL_CREDENTIALS] */
  credentials?: readonly SigV4Credentials[];
  /**
   * IAM for signed requests (local/function-roles.ts): GetSecretValue as secretsmanager:GetSecretValue on the secret's
   * ARN, GetParameter as ssm:GetParameter on the parameter's; a refusal is AccessDeniedException, "User: … is not
   * authorized to perform: secretsmanager:GetSecretValue on resource: … because no identity-based policy allows the
   * secretsmanager:GetSecretValue action".
   * @default every signed request is allowed
   */
  authorise?: Authorise;
}

const JSON_11 = "application/x-amz-json-1.1";
/** Larger than any request of the two operations (a secret id of 2048 characters, a parameter name of 2048). */
const LARGEST_REQUEST_BYTES = 64 * 1024;

/** The one version each local secret has (GetSecretValue's VersionId). */
const LOCAL_VERSION_ID = "local";

/** The two operations served, by X-Amz-Target: the service that signs for it and the IAM action it is authorised as. */
const OPERATIONS: Record<string, { service: "secretsmanager" | "ssm"; action: string }> = {
  "secretsmanager.GetSecretValue": { service: "secretsmanager", action: "secretsmanager:GetSecretValue" },
  "AmazonSSM.GetParameter": { service: "ssm", action: "ssm:GetParameter" },
};

class SecretsError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

export async function startLocalSecrets(values: LocalSecretValues, options: LocalSecretsServerOptions = {}): Promise<LocalSecretsServer> {
  const credentials = options.credentials ?? [LOCAL_CREDENTIALS];
  const server = createServer((request, response) => {
    answer(values, { credentials, authorise: options.authorise }, request)
      .catch((error: unknown) => (error instanceof SecretsError ? error : new SecretsError("InternalFailure", (error as Error).message, 500)))
      .then((result) => (result instanceof SecretsError ? reply(response, result.status, { __type: result.code, message: result.message }) : reply(response, 200, result)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * One request, as the two services take it: the operation known from X-Amz-Target (its service is the signing name
 * the credential must be scoped to), the signature checked (local/sigv4-verify.ts; refusals as JSON-protocol services
 * name them), then IAM on the secret's or parameter's ARN, then the lookup (AWS refuses a caller without access before
 * saying whether the secret exists).
 */
async function answer(values: LocalSecretValues, auth: { credentials: readonly SigV4Credentials[]; authorise?: Authorise }, request: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(request, LARGEST_REQUEST_BYTES);
  if (body.length > LARGEST_REQUEST_BYTES) throw new SecretsError("SerializationException", `The request is larger than ${LARGEST_REQUEST_BYTES} bytes.`, 413);
  const target = String(request.headers["x-amz-target"] ?? "");
  const operation = Object.hasOwn(OPERATIONS, target) ? OPERATIONS[target] : undefined;
  if (!operation) throw new SecretsError("UnknownOperationException", `the local secrets server answers GetSecretValue and GetParameter only, not ${target.slice(0, 100) || "(no X-Amz-Target)"}`);
  const verdict = await verifySignedHeaders(request, body, { service: operation.service, credentials: auth.credentials });
  if (!verdict.ok) {
    const failure = jsonProtocolFailure(verdict.failure);
    throw new SecretsError(failure.code, failure.message, failure.status);
  }
  let input: { SecretId?: unknown; Name?: unknown; VersionId?: unknown; VersionStage?: unknown };
  try {
    input = JSON.parse(body.toString("utf8") || "{}");
  } catch {
    throw new SecretsError("SerializationException", "request body is not JSON");
  }
  // `null`, a list or a string is JSON but not the operation's input object (reading a field of null threw: a 500).
  if (!input || typeof input !== "object" || Array.isArray(input)) throw new SecretsError("SerializationException", "request body is not a JSON object");
  const region = verdict.signer.region;
  const refuse = (resource: string) => {
    const refused = auth.authorise?.(verdict.signer.accessKeyId, operation.action, resource);
    if (refused) throw new SecretsError("AccessDeniedException", `User: ${refused.caller} is not authorized to perform: ${operation.action} on resource: ${resource} ${refused.reason}`);
  };
  if (operation.service === "secretsmanager") {
    const id = typeof input.SecretId === "string" ? input.SecretId : "";
    const identity = values.secretsManagerIdentities?.get(id) ?? { arn: id.startsWith("arn:") ? id : `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${id}-local0`, name: id };
    refuse(identity.arn);
    const value = values.secretsManager.get(id);
    if (value === undefined) throw new SecretsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    // Each local secret has one version, LOCAL_VERSION_ID, labelled AWSCURRENT: naming another is asking for one that is not there.
    if (input.VersionStage !== undefined && input.VersionStage !== "AWSCURRENT") {
      throw new SecretsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for staging label: ${String(input.VersionStage)}`);
    }
    if (input.VersionId !== undefined && input.VersionId !== LOCAL_VERSION_ID) {
      throw new SecretsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for VersionId: ${String(input.VersionId)}`);
    }
    return { ARN: identity.arn, Name: identity.name, SecretString: value, VersionId: LOCAL_VERSION_ID, VersionStages: ["AWSCURRENT"], CreatedDate: 0 };
  }
  const name = typeof input.Name === "string" ? input.Name : "";
  // A parameter's ARN has no slash of its own before the name: /a/b is parameter/a/b (sysman-paramstore-access.html).
  refuse(name.startsWith("arn:") ? name : `arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:parameter/${name.replace(/^\//, "")}`);
  const value = values.ssm.get(name);
  if (value === undefined) throw new SecretsError("ParameterNotFound", `Parameter ${name} not found.`);
  return { Parameter: { Name: name, Type: "SecureString", Value: value, Version: 1, DataType: "text", LastModifiedDate: 0 } };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": JSON_11 });
  response.end(JSON.stringify(body));
}
