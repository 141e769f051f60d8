/**
 * A read-only stand-in for Secrets Manager's GetSecretValue and SSM's GetParameter (the two calls Powertools
 * parameters makes for `getSecret` and `getParameter`), so handlers read their secrets locally through the same
 * SDK path as in AWS: local Lambdas get AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SSM pointing here.
 * Both services speak the AWS JSON 1.1 protocol: a POST whose X-Amz-Target names the operation.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";

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

const JSON_11 = "application/x-amz-json-1.1";

export async function startLocalSecrets(values: LocalSecretValues): Promise<LocalSecretsServer> {
  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => answer(values, request, body, response),
      () => reply(response, 400, { __type: "SerializationException", message: "unreadable request body" }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

function answer(values: LocalSecretValues, request: IncomingMessage, body: string, response: ServerResponse): void {
  const target = request.headers["x-amz-target"];
  let input: { SecretId?: string; Name?: string };
  try {
    input = JSON.parse(body || "{}");
  } catch {
    return reply(response, 400, { __type: "SerializationException", message: "request body is not JSON" });
  }
  if (target === "secretsmanager.GetSecretValue") {
    const id = input.SecretId ?? "";
    const value = values.secretsManager.get(id);
    if (value === undefined) return reply(response, 400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." });
    const identity = values.secretsManagerIdentities?.get(id) ?? { arn: id.startsWith("arn:") ? id : `arn:aws:secretsmanager:${signingRegion(request)}:${MOCK_ACCOUNT_ID}:secret:${id}-local0`, name: id };
    return reply(response, 200, { ARN: identity.arn, Name: identity.name, SecretString: value, VersionId: "local", VersionStages: ["AWSCURRENT"], CreatedDate: 0 });
  }
  if (target === "AmazonSSM.GetParameter") {
    const name = input.Name ?? "";
    const value = values.ssm.get(name);
    if (value === undefined) return reply(response, 400, { __type: "ParameterNotFound", message: `Parameter ${name} not found.` });
    return reply(response, 200, { Parameter: { Name: name, Type: "SecureString", Value: value, Version: 1, DataType: "text", LastModifiedDate: 0 } });
  }
  reply(response, 400, { __type: "UnknownOperationException", message: `the local secrets server answers GetSecretValue and GetParameter only, not ${String(target)}` });
}

/** The region a SigV4 request was signed for (`Credential=<key>/<date>/<region>/<service>/aws4_request`), the client's. */
function signingRegion(request: IncomingMessage): string {
  return /Credential=[^/,\s]+\/\d{8}\/([^/]+)\//.exec(String(request.headers.authorization ?? ""))?.[1] ?? "us-east-1";
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": JSON_11 });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
