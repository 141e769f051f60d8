/**
 * A local stand-in for Cognito identity pools, which cognito-local lacks, and for the IAM
 * check that makes DynamoDB row-level security (dynamodb:LeadingKeys) work. One HTTP endpoint answers:
 *
 *  - `AWSCognitoIdentityService.GetId` / `GetCredentialsForIdentity` (the calls the browser's
 *    `fromCognitoIdentityPool` makes): the user-pool id token is verified with the app's own
 *    verifier, the identity id is derived from the pool and the user's `sub`, and the
 *    credentials returned are remembered as belonging to that identity;
 *  - DynamoDB (`DynamoDB_20120810.*`): requests signed with those credentials are checked
 *    against the authenticated role's grants — the action, the table, and every partition key
 *    equal to the caller's identity id, as `ForAllValues:StringEquals dynamodb:LeadingKeys`
 *    does — then forwarded to the local DynamoDB. Other requests are forwarded unchanged.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { JwtExpiredError, JwtInvalidAudienceError, JwtInvalidIssuerError } from "aws-jwt-verify/error";
import { tableNamed } from "./dynamodb/dynalite-table-arns";
import { DYNALITE_MAX_REQUEST_BYTES } from "./dynamodb/replayed-request";
import { readBody } from "./http";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";

export interface LocalIdentityPoolConfig {
  /** The deployed (mocked) identity pool id, e.g. `us-east-1:0f1e...`. */
  identityPoolId: string;
  region: string;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the Logins key the browser sends. */
  providerName: string;
  allowUnauthenticated: boolean;
  /** Verifies a user-pool id token and returns its `sub` (rejects when invalid). */
  verifyIdToken(token: string): Promise<string>;
  /** The authenticated role's grants: table ARN and item actions (`dynamodb:GetItem`, ...). */
  grants: Array<{ tableArn: string; actions: string[] }>;
  /**
   * The roles' ARNs as the program recorded them (the IdentityPoolRoleAttachment's `roles`): the session's STS ARN in
   * an access denial names the role assumed, in its account. @default roles named `authenticated` and `unauthenticated` in the mocks' account
   */
  roleArns?: { authenticated?: string; unauthenticated?: string };
}

export interface IdentityPoolEmulator {
  url: string;
  stop(): Promise<void>;
}

export interface Session {
  identityId: string;
  pool: LocalIdentityPoolConfig;
  authenticated: boolean;
}

/**
 * The largest request body read, as the other local servers bound theirs: past it, 413, read no further. The DynamoDB
 * calls forwarded here are the largest bodies it takes, so it is the local DynamoDB's own limit (which then still
 * answers 413); the identity calls' bodies are far smaller.
 */
const LARGEST_REQUEST_BYTES = DYNALITE_MAX_REQUEST_BYTES;

class ServiceError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

export async function startIdentityPoolEmulator(options: { pools: LocalIdentityPoolConfig[]; dynamodbEndpoint: () => string | undefined }): Promise<IdentityPoolEmulator> {
  const sessions = new Map<string, Session>();
  const identities = new Map<string, LocalIdentityPoolConfig>();
  const hashKeys = new Map<string, string>();

  const hashKeyOf = async (tableName: string): Promise<string> => {
    const known = hashKeys.get(tableName);
    if (known) return known;
    const client = new DynamoDBClient({ endpoint: requireEndpoint(options.dynamodbEndpoint), region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const hashKey = Table?.KeySchema?.find((k) => k.KeyType === "HASH")?.AttributeName;
      if (!hashKey) throw new Error(`table ${tableName} has no partition key`);
      hashKeys.set(tableName, hashKey);
      return hashKey;
    } finally {
      client.destroy();
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (error instanceof ServiceError) return reply(res, 400, { __type: error.type, message: error.message });
      reply(res, 500, { __type: "InternalErrorException", message: (error as Error).message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === "OPTIONS") return reply(res, 204, undefined);
    const body = await readBody(req, LARGEST_REQUEST_BYTES, { answerEarly: true });
    const target = String(req.headers["x-amz-target"] ?? "");
    if (body.length > LARGEST_REQUEST_BYTES) {
      // A DynamoDB call goes on as read: the local DynamoDB answers it 413 itself, as it does today.
      if (target.startsWith("DynamoDB_20120810.")) return forward(req, res, body, requireEndpoint(options.dynamodbEndpoint));
      return reply(res, 413, { __type: "RequestEntityTooLarge", message: `The request is larger than ${LARGEST_REQUEST_BYTES} bytes` });
    }
    if (target.startsWith("AWSCognitoIdentityService.")) {
      return reply(res, 200, await identityCall(target.split(".")[1], JSON.parse(body.toString("utf8") || "{}")));
    }
    if (target.startsWith("DynamoDB_20120810.")) {
      const session = sessions.get(accessKeyOf(req.headers.authorization));
      if (session) await authorise(session, `dynamodb:${target.split(".")[1]}`, JSON.parse(body.toString("utf8") || "{}"), hashKeyOf);
      return forward(req, res, body, requireEndpoint(options.dynamodbEndpoint));
    }
    throw new ServiceError("UnknownOperationException", `unsupported target ${target || "(none)"}`);
  }

  async function identityCall(operation: string, input: { IdentityPoolId?: string; IdentityId?: string; Logins?: Record<string, string> }) {
    if (operation === "GetId") {
      const pool = poolById(input.IdentityPoolId);
      const id = await identityOf(pool, input.Logins);
      identities.set(id, pool);
      return { IdentityId: id };
    }
    if (operation === "GetCredentialsForIdentity") {
      const id = input.IdentityId ?? "";
      const pool = identities.get(id) ?? (options.pools.length === 1 ? options.pools[0] : undefined);
      if (!pool) throw new ServiceError("ResourceNotFoundException", `Identity '${id}' not found.`);
      const authenticated = Boolean(input.Logins && Object.keys(input.Logins).length > 0);
      if (authenticated) {
        if ((await identityOf(pool, input.Logins)) !== id) throw new ServiceError("NotAuthorizedException", "Invalid login token. The identity id does not belong to these logins.");
      } else {
        await identityOf(pool, undefined); // refuses guests unless the pool allows them
        if (!identities.has(id)) throw new ServiceError("ResourceNotFoundException", `Identity '${id}' not found.`);
      }
      const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
      sessions.set(accessKeyId, { identityId: id, pool, authenticated });
      return {
        IdentityId: id,
        Credentials: { AccessKeyId: accessKeyId, SecretKey: randomBytes(20).toString("base64"), SessionToken: randomBytes(32).toString("base64"), Expiration: Math.floor(Date.now() / 1000) + 3600 },
      };
    }
    throw new ServiceError("UnknownOperationException", `AWSCognitoIdentityService.${operation} is not emulated locally`);
  }

  function poolById(id: string | undefined): LocalIdentityPoolConfig {
    const pool = options.pools.find((p) => p.identityPoolId === id) ?? (options.pools.length === 1 && id === undefined ? options.pools[0] : undefined);
    if (!pool) throw new ServiceError("ResourceNotFoundException", `IdentityPool '${id}' not found.`);
    return pool;
  }

  async function identityOf(pool: LocalIdentityPoolConfig, logins: Record<string, string> | undefined): Promise<string> {
    const token = logins?.[pool.providerName];
    if (!token) {
      if (logins && Object.keys(logins).length > 0) throw new ServiceError("NotAuthorizedException", `Invalid login token. Expected a Logins key of ${pool.providerName}.`);
      if (!pool.allowUnauthenticated) throw new ServiceError("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.");
      return identityId(pool, `guest-${randomBytes(8).toString("hex")}`);
    }
    let sub: string;
    try {
      sub = await pool.verifyIdToken(token);
    } catch (error) {
      throw new ServiceError("NotAuthorizedException", invalidLoginToken(error));
    }
    return identityId(pool, sub);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

/**
 * Why Cognito refuses a Logins token, in its words (no API reference states them; these are the service's answers as
 * clients quote them): another pool's token, "Invalid login token. Issuer doesn't match providerName"
 * (aws/aws-sdk-net#1251); another app client's, "Token is not from a supported provider of this identity pool."
 * (amazon-archives/amazon-cognito-identity-js#7); an access token (no `aud`), "Invalid login token. Missing a required
 * claim: aud" (the same thread); an expired one, "Invalid login token. Token expired: <exp> >= <now>". Other
 * refusals keep the verifier's reason after "Invalid login token.".
 */
function invalidLoginToken(error: unknown): string {
  if (error instanceof JwtInvalidIssuerError) return "Invalid login token. Issuer doesn't match providerName";
  if (error instanceof JwtInvalidAudienceError) {
    return error.failedAssertion.actual === undefined ? "Invalid login token. Missing a required claim: aud" : "Token is not from a supported provider of this identity pool.";
  }
  if (error instanceof JwtExpiredError) return `Invalid login token. Token expired: ${String(error.failedAssertion.actual)} >= ${Math.floor(Date.now() / 1000)}`;
  return `Invalid login token. ${(error as Error).message}`;
}

/** Same user, same pool → same identity id, across restarts (as Cognito keeps it). */
function identityId(pool: LocalIdentityPoolConfig, sub: string): string {
  const h = createHash("sha256").update(`${pool.identityPoolId}/${sub}`).digest("hex");
  return `${pool.region}:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The STS ARN of a session's credentials, `arn:aws:sts::<account>:assumed-role/<role name>/CognitoIdentityCredentials`
 * (an assumed role's ARN names the role without its path: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns),
 * from the role the identity pool gives the session.
 */
function assumedRoleArn(session: Session): string {
  const kind = session.authenticated ? "authenticated" : "unauthenticated";
  const roleArn = session.pool.roleArns?.[kind];
  const account = roleArn?.split(":")[4] ?? MOCK_ACCOUNT_ID;
  const roleName = roleArn?.split("/").pop() ?? kind;
  return `arn:aws:sts::${account}:assumed-role/${roleName}/CognitoIdentityCredentials`;
}

type HashKeyOf = (tableName: string) => Promise<string>;

/** The IAM decision for the authenticated role: an allowed action on a granted table, every leading key the caller's. */
export async function authorise(session: Session, action: string, input: Record<string, any>, hashKeyOf: HashKeyOf): Promise<void> {
  const deny = (resource: string, why: string) => {
    throw new ServiceError(
      "AccessDeniedException",
      `User: ${assumedRoleArn(session)} is not authorized to perform: ${action} on resource: ${resource} (${why})`,
    );
  };
  const grants = session.authenticated ? session.pool.grants : [];
  const accesses = await leadingKeys(action, input, hashKeyOf);
  if (!accesses) return deny("*", "no identity-based policy allows this action");
  for (const access of accesses) {
    const grant = grants.find((g) => tableNameOf(g.tableArn) === access.table);
    const resource = grant?.tableArn ?? `table/${access.table}`;
    if (!grant || !grant.actions.includes(action)) deny(resource, `no identity-based policy allows the ${action} action`);
    if (access.indexName) deny(`${resource}/index/${access.indexName}`, "the role is granted the table, not its indexes");
    if (access.keys.length === 0 || access.keys.some((key) => key !== session.identityId)) {
      deny(resource, "dynamodb:LeadingKeys must all equal ${cognito-identity.amazonaws.com:sub}");
    }
  }
}

interface Access {
  table: string;
  indexName?: string;
  /** The partition-key values the request touches (dynamodb:LeadingKeys). */
  keys: string[];
}

/**
 * The tables and partition keys a request touches, or undefined for actions that carry none (Scan, DescribeTable, ...).
 * A table named by its ARN is the table in it, as the local DynamoDB reads it (./dynamodb/dynalite-table-arns.ts) and
 * as DynamoDB does ("You can also provide the Amazon Resource Name (ARN) of the table in this parameter", TableName in
 * the API reference), so the role's grant on that table applies to it.
 */
async function leadingKeys(action: string, input: Record<string, any>, hashKeyOf: HashKeyOf): Promise<Access[] | undefined> {
  const valueOf = (item: Record<string, any> | undefined, key: string) => {
    const v = item?.[key];
    return v ? String(v.S ?? v.N ?? v.B ?? "") : undefined;
  };
  const keysOf = async (tableName: string, items: Array<Record<string, any> | undefined>): Promise<Access> => {
    const table = tableNamed(tableName);
    const hashKey = await hashKeyOf(table);
    return { table, keys: items.map((i) => valueOf(i, hashKey) ?? "") };
  };
  switch (action) {
    case "dynamodb:GetItem":
    case "dynamodb:DeleteItem":
    case "dynamodb:UpdateItem":
      return [await keysOf(input.TableName, [input.Key])];
    case "dynamodb:PutItem":
      return [await keysOf(input.TableName, [input.Item])];
    case "dynamodb:BatchGetItem":
      return Promise.all(Object.entries<any>(input.RequestItems ?? {}).map(([table, request]) => keysOf(table, request.Keys ?? [])));
    case "dynamodb:BatchWriteItem":
      return Promise.all(
        Object.entries<any[]>(input.RequestItems ?? {}).map(([table, writes]) => keysOf(table, writes.map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key))),
      );
    case "dynamodb:Query": {
      const table = tableNamed(input.TableName);
      const hashKey = await hashKeyOf(table);
      return [{ table, indexName: input.IndexName, keys: queryPartitionKeys(input, hashKey) }];
    }
    default:
      return undefined;
  }
}

/** The partition-key value of a Query: from `KeyConditionExpression` (`#pk = :v`) or legacy `KeyConditions`. */
function queryPartitionKeys(input: Record<string, any>, hashKey: string): string[] {
  if (input.KeyConditions?.[hashKey]) return (input.KeyConditions[hashKey].AttributeValueList ?? []).map((v: any) => String(v.S ?? v.N ?? ""));
  const names: Record<string, string> = input.ExpressionAttributeNames ?? {};
  const values: Record<string, any> = input.ExpressionAttributeValues ?? {};
  for (const clause of String(input.KeyConditionExpression ?? "").split(/\s+and\s+/i)) {
    const match = /^\(?\s*(#?[\w.]+)\s*=\s*(:[\w]+)\s*\)?$/.exec(clause.trim());
    if (match && (names[match[1]] ?? match[1]) === hashKey) {
      const value = values[match[2]];
      return value ? [String(value.S ?? value.N ?? "")] : [];
    }
  }
  return [];
}

function tableNameOf(tableArn: string): string {
  return tableArn.split(":table/")[1]?.split("/")[0] ?? tableArn;
}

function accessKeyOf(authorization: string | string[] | undefined): string {
  const match = /Credential=([^/,\s]+)\//.exec(String(authorization ?? ""));
  return match?.[1] ?? "";
}

function requireEndpoint(endpoint: () => string | undefined): string {
  const url = endpoint();
  if (!url) throw new ServiceError("ServiceUnavailableException", "no local DynamoDB is running (AWS_ENDPOINT_URL_DYNAMODB is not set)");
  return url;
}

async function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, target: string): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || ["host", "connection", "content-length"].includes(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  // A Uint8Array, not the Buffer: a BodyInit under both Node's and the DOM's fetch typings (a consumer's tsc may load the DOM lib).
  const response = await fetch(`${target}${req.url ?? "/"}`, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(body) });
  const payload = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "application/x-amz-json-1.0", "access-control-allow-origin": "*" });
  res.end(payload);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "POST, OPTIONS",
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}


function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
