/**
 * A read-only stand-in for Secrets Manager's GetSecretValue and SSM's GetParameter (the two calls Powertools
 * parameters makes for `getSecret` and `getParameter`), so handlers read their secrets locally through the same
 * SDK path as in AWS: local Lambdas get AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SSM pointing here.
 * Both services speak the AWS JSON 1.1 protocol: a POST whose X-Amz-Target names the operation.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalSecretValues {
  /** Secrets Manager secrets by the name or ARN functions are given. */
  secretsManager: ReadonlyMap<string, string>;
  /** SSM SecureString parameters by the name or ARN functions are given. */
  ssm: ReadonlyMap<string, string>;
}

export interface LocalSecretsServer {
  endpoint: string;
  stop(): Promise<void>;
}

const JSON_11 = "application/x-amz-json-1.1";

export async function startLocalSecrets(values: LocalSecretValues): Promise<LocalSecretsServer> {
  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => answer(values, request.headers["x-amz-target"], body, response),
      () => reply(response, 400, { __type: "SerializationException", message: "unreadable request body" }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

function answer(values: LocalSecretValues, target: string | string[] | undefined, body: string, response: ServerResponse): void {
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
    return reply(response, 200, { ARN: id.startsWith("arn:") ? id : `arn:aws:secretsmanager:local:000000000000:secret:${id}-local0`, Name: id, SecretString: value, VersionId: "local", VersionStages: ["AWSCURRENT"], CreatedDate: 0 });
  }
  if (target === "AmazonSSM.GetParameter") {
    const name = input.Name ?? "";
    const value = values.ssm.get(name);
    if (value === undefined) return reply(response, 400, { __type: "ParameterNotFound", message: `Parameter ${name} not found.` });
    return reply(response, 200, { Parameter: { Name: name, Type: "SecureString", Value: value, Version: 1, DataType: "text", LastModifiedDate: 0 } });
  }
  reply(response, 400, { __type: "UnknownOperationException", message: `the local secrets server answers GetSecretValue and GetParameter only, not ${String(target)}` });
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
