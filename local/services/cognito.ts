/**
 * `npm start`'s auth: every UserAuth of the program becomes a user pool and app client in
 * an embedded cognito-local, under the same ids the deployed program reports, with the
 * same sign-in attributes, password policy, verification, groups and sign-up and sign-in
 * triggers (run by the local Lambda runtime). The pool's resource servers (UserAuth's
 * `resourceServers` and any `aws.cognito.ResourceServer` of the program in the pool) and the
 * program's other app clients of the pool (e.g. a machine client allowed `client_credentials`)
 * come along. A demo user can be seeded from the local-only `localDemoUser` setting.
 *
 * cognito-local has no identity pools, so there are no per-user AWS credentials
 * locally; see README ("UserAuth locally") for how the data path keeps users apart.
 */
import { createHash } from "node:crypto";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type {
  AdminAddUserToGroupCommandInput,
  AdminConfirmSignUpCommandInput,
  AdminGetUserCommandInput,
  AdminGetUserCommandOutput,
  AdminUpdateUserAttributesCommandInput,
  CreateGroupCommandInput,
  CreateResourceServerCommandInput,
  DescribeResourceServerCommandInput,
  DescribeResourceServerCommandOutput,
  DescribeUserPoolClientCommandInput,
  DescribeUserPoolClientCommandOutput,
  DescribeUserPoolCommandInput,
  DescribeUserPoolCommandOutput,
  ExplicitAuthFlowsType,
  LambdaConfigType,
  ListGroupsCommandInput,
  ListGroupsCommandOutput,
  OAuthFlowType,
  RefreshTokenRotationType,
  SignUpCommandInput,
  UpdateResourceServerCommandInput,
  UpdateUserPoolClientCommandInput,
  UpdateUserPoolCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { COGNITO_STANDARD_SCOPES, USER_AUTH_TRIGGERS, type UserAuthSpec, type UserAuthTrigger } from "../../components/user-auth/spec";
import { createTokenVerifier } from "../../handlers/shared/jwt";
import { resource, type Graph } from "../offline/graph";
import { resolveValue } from "../offline/program";
import { customScopesOf, DEFAULT_TOKEN_VALIDITY_UNITS, startCognitoEmulator, type CognitoEmulator, type SchemaAttribute } from "../cognito-emulator";
import { startIdentityPoolEmulator, type IdentityPoolEmulator, type LocalIdentityPoolConfig } from "../identity-pool-emulator";
import type { LocalContext, LocalService, StartedService } from "./types";

/** A provisioned pool: its (deployed = local) ids and where its tokens come from. */
export interface LocalUserPool {
  name: string;
  userPoolId: string;
  clientId: string;
  /** `http://127.0.0.1:<port>/<userPoolId>`: the `iss` of local tokens. */
  issuer: string;
  jwksUri: string;
  /** The issuer the deployed pool has (`https://cognito-idp.<region>.amazonaws.com/<id>`). */
  deployedIssuer: string;
  /** The program's other app clients of the pool (not UserAuth's), with the secret a confidential one has locally. */
  otherClients: LocalAppClient[];
}

/** An app client of the program beside UserAuth's, as provisioned locally. */
export interface LocalAppClient {
  /** Its resource name in the program. */
  name: string;
  clientId: string;
  /** Its client secret locally (generateSecret: true): the mocked one, or one derived from the client id. */
  secret?: string;
}

export interface LocalCognito extends StartedService {
  emulator: CognitoEmulator;
  pools: LocalUserPool[];
  /** The identity pools' stand-in, also the DynamoDB endpoint for identity-pool credentials (undefined when no UserAuth has an identity pool). */
  identity?: IdentityPoolEmulator;
}

const running = new Map<string, LocalUserPool>();

/**
 * The local issuer for a deployed issuer URL or user pool id, for local authorizers:
 * `createTokenVerifier({ issuer: localIssuer(spec.issuer) ?? spec.issuer, ... })` (handlers/shared/jwt.ts
 * fetches a loopback JWKS over http, so the same verifier works locally).
 */
export function localIssuer(deployedIssuerOrPoolId: string): string | undefined {
  const id = deployedIssuerOrPoolId.split("/").pop() ?? "";
  return running.get(id)?.issuer;
}

export const cognitoService: LocalService = {
  name: "auth (cognito-local)",
  async start(context) {
    const specs = registeredSpecs<UserAuthSpec>("UserAuth");
    if (specs.length === 0) return undefined;
    const lambdas = new Map(registeredSpecs<LambdaFunctionSpec>("LambdaFunction").map(({ name, spec }) => [name, spec]));
    const poolsById = new Map<string, UserAuthSpec>();

    const emulator = await startCognitoEmulator({
      dataDir: join(context.stateDir, "cognito"),
      triggers: USER_AUTH_TRIGGERS.filter((trigger) => specs.some(({ spec }) => spec.triggers[trigger])).map(cognitoTriggerName),
      // cognito-local knows one trigger per kind for all pools; dispatch by the event's pool (a pool without the
      // trigger gets its event back unchanged, as if it had none).
      async invokeTrigger(userPoolId, trigger, event) {
        const ours = USER_AUTH_TRIGGERS.find((t) => cognitoTriggerName(t) === trigger);
        const functionName = ours ? poolsById.get(userPoolId)?.triggers[ours] : undefined;
        const fn = functionName ? lambdas.get(functionName) : undefined;
        return fn ? context.lambda(fn).invoke(event) : event;
      },
      log: (message) => context.log(message),
    });
    const api = cognitoApi(emulator.url);

    let identity: IdentityPoolEmulator | undefined;
    try {
      const pools: LocalUserPool[] = [];
      for (const { name, spec } of specs) {
        const pool = await provision(context, emulator, api.send, name, spec);
        poolsById.set(pool.userPoolId, spec);
        if (spec.localDemoUser) await seedDemoUser(context, emulator, api.send, pool, spec);
        pools.push(pool);
        running.set(pool.userPoolId, pool);
      }
      exposeToHandlers(context, emulator, pools[0]);
      const identityPools = await Promise.all(specs.filter(({ spec }) => spec.identityPool.enabled).map(({ name, spec }) => identityPoolConfig(context, name, spec, pools.find((p) => p.name === name)!)));
      identity = identityPools.length > 0 ? await startIdentityPoolEmulator({ pools: identityPools, dynamodbEndpoint: () => context.environment.AWS_ENDPOINT_URL_DYNAMODB }) : undefined;
      if (identity) context.environment.AWS_ENDPOINT_URL_COGNITO_IDENTITY = identity.url;
      const stop = async () => {
        for (const pool of pools) running.delete(pool.userPoolId);
        api.destroy();
        await identity?.stop();
        await emulator.stop();
      };
      const urls: Record<string, string> = { cognito: emulator.url, ...(identity ? { identity: identity.url } : {}) };
      return { name: "cognito", urls, emulator, pools, identity, stop } satisfies LocalCognito;
    } catch (error) {
      api.destroy();
      await identity?.stop();
      await emulator.stop();
      throw error;
    }
  },
};

/** The actions start-up provisions a pool with: each one's input, and its output where one is read. */
interface ProvisioningActions {
  DescribeUserPool: [DescribeUserPoolCommandInput, Omit<DescribeUserPoolCommandOutput, "$metadata">];
  DescribeUserPoolClient: [DescribeUserPoolClientCommandInput, Omit<DescribeUserPoolClientCommandOutput, "$metadata">];
  DescribeResourceServer: [DescribeResourceServerCommandInput, Omit<DescribeResourceServerCommandOutput, "$metadata">];
  UpdateUserPool: [UpdateUserPoolCommandInput, object];
  UpdateUserPoolClient: [UpdateUserPoolClientCommandInput, object];
  UpdateResourceServer: [UpdateResourceServerCommandInput, object];
  CreateResourceServer: [CreateResourceServerCommandInput, object];
  ListGroups: [ListGroupsCommandInput, Omit<ListGroupsCommandOutput, "$metadata">];
  CreateGroup: [CreateGroupCommandInput, object];
  SignUp: [SignUpCommandInput, object];
  AdminConfirmSignUp: [AdminConfirmSignUpCommandInput, object];
  AdminGetUser: [AdminGetUserCommandInput, Omit<AdminGetUserCommandOutput, "$metadata">];
  AdminUpdateUserAttributes: [AdminUpdateUserAttributesCommandInput, object];
  AdminAddUserToGroup: [AdminAddUserToGroupCommandInput, object];
}

/**
 * Sends one of the ProvisioningActions to the emulator; an error answer rejects with an Error named as its `__type` (e.g.
 * ResourceNotFoundException), or `HTTP <status>` without one, and a 200 whose body is not a JSON object rejects too.
 * An action safe to repeat (REPEATABLE_ACTIONS) is sent again after a failure an SDK client retries (retriedFailure),
 * up to MAX_ATTEMPTS in all; the last failure rejects.
 */
export type CognitoApi = <Action extends keyof ProvisioningActions>(action: Action, input: ProvisioningActions[Action][0]) => Promise<ProvisioningActions[Action][1]>;

/**
 * Cognito's API on the emulator at `endpoint` as its wire protocol has it (AWS JSON 1.1: a POST of the input with
 * `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`), which is what an SDK client sends, through every layer of
 * the emulator. Not an SDK client: the first request of one costs ≈40 ms of npm start's ready path (its middleware
 * stack, endpoint rules and signer, issue 15), and the emulator, as cognito-local, checks no signature.
 */
export function cognitoApi(endpoint: string): { send: CognitoApi; destroy(): void } {
  const agent = new Agent({ keepAlive: true });
  const sendOnce = (action: string, input: object) =>
    new Promise<object>((resolve, reject) => {
      const body = JSON.stringify(input);
      const headers = { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${action}`, "content-length": Buffer.byteLength(body) };
      const req = request(new URL("/", endpoint), { method: "POST", agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const answer = text ? jsonObject(text) : {};
          if (res.statusCode === 200) {
            // An SDK client fails on a body it cannot read; taken as empty, ListGroups' would read as no groups.
            if (answer) return resolve(answer);
            return reject(new Error(`${action} answered HTTP 200 with a body that is not a JSON object: ${text.slice(0, 200)}`));
          }
          const fallback = `${action} answered HTTP ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ""}`;
          const error = new Error(String(answer?.message ?? answer?.Message ?? fallback));
          // A namespaced type (`<namespace>#<Name>`, as AWS JSON services may answer) names the error after the #, as the SDK does.
          error.name = String(answer?.__type ?? `HTTP ${res.statusCode}`).split("#").pop()!;
          reject(Object.assign(error, { statusCode: res.statusCode }));
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  const send = (async (action: keyof ProvisioningActions, input: object) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await sendOnce(action, input);
      } catch (error) {
        if (attempt === MAX_ATTEMPTS || !REPEATABLE_ACTIONS.has(action) || !retriedFailure(error)) throw error;
      }
    }
  }) as CognitoApi;
  return { send, destroy: () => agent.destroy() };
}

/**
 * How many times a request is sent at most: an SDK client's default, "standard – ... The default maximum number of
 * attempts with this mode is three" (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 * Sent again at once, without the SDK's backoff: the emulator is in this process, on loopback, and the failure worth
 * retrying is a reset keep-alive connection, which a new connection mends; waiting would mend nothing else.
 */
const MAX_ATTEMPTS = 3;

/**
 * The ProvisioningActions that can be sent again after a failure whose answer never came (the first may have been
 * carried out): those that only read, and those that set what they are given (sent twice, the effect of once). Not
 * SignUp, CreateGroup, CreateResourceServer (a second answers that it exists, and cognito-local's CreateGroup forgets
 * the group's members) nor AdminConfirmSignUp (a second is NotAuthorizedException "User cannot be confirmed. Current
 * status is CONFIRMED", and the post-confirmation trigger would run twice): their failure fails the start, and the next
 * start finishes what it left (provision creates what is missing, seedDemoUser confirms an UNCONFIRMED demo user).
 */
const REPEATABLE_ACTIONS = new Set<keyof ProvisioningActions>([
  "DescribeUserPool",
  "DescribeUserPoolClient",
  "DescribeResourceServer",
  "ListGroups",
  "AdminGetUser",
  "UpdateUserPool",
  "UpdateUserPoolClient",
  "UpdateResourceServer",
  "AdminUpdateUserAttributes",
  "AdminAddUserToGroup",
]);

/**
 * A failure an SDK client retries as transient: an answer with status 500, 502, 503 or 504, or a connection that failed
 * with ECONNRESET, ECONNREFUSED, EPIPE or ETIMEDOUT (TRANSIENT_ERROR_STATUS_CODES and NODEJS_TIMEOUT_ERROR_CODES of
 * @smithy/service-error-classification, which the SDK's standard retry strategy reads); not an error Cognito answers
 * (4xx: the request is wrong, sending it again changes nothing).
 */
function retriedFailure(error: unknown): boolean {
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  return [500, 502, 503, 504].includes(statusCode ?? 0) || ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(code ?? "");
}

/** `text` parsed, when it is a JSON object (an AWS JSON 1.1 body); undefined otherwise. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `update` (an Update* request: the members start sets, with their values) would change `described` (what the
 * matching Describe* answers): a member it sets that the description lacks or has otherwise, a member set to undefined
 * (left out of the request) that the description has. Start sends its updates only then, as a deploy without changes
 * updates nothing: start sends the same ones at every run, and an UpdateUserPoolClient that changes no setting still
 * rewrites clients.json (cognito-local sets the client's LastModifiedDate), so an unchanged start wrote its state. Compared
 * as JSON, which is how both travel; the members that name the pool, client or server are not settings
 * (DescribeUserPool names its pool `Id`). A setting start does not send is not compared: left as it is when nothing
 * start sends changed, and reset to its default by an update start sends, as Cognito's UpdateUserPoolClient and
 * UpdateUserPool reset what they are not given (the emulator's: updateSetsEveryMember for the client; cognito-local's
 * UpdateUserPool sets the pool's settings from the request alone).
 */
function changesAnything(update: object, described: object | undefined): boolean {
  const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  const settings = Object.entries(update).filter(([member]) => !NAMING_MEMBERS.has(member));
  return settings.some(([member, value]) => !isDeepStrictEqual(asJson(value), asJson((described as Record<string, unknown> | undefined)?.[member])));
}

/** The members of an Update* request that name what it updates. */
const NAMING_MEMBERS = new Set(["UserPoolId", "ClientId", "Identifier"]);

/** UpdateUserPoolClient with `settings`, unless the client has them all already (changesAnything). */
async function updateClient(send: CognitoApi, settings: UpdateUserPoolClientCommandInput): Promise<void> {
  const described = (await send("DescribeUserPoolClient", { UserPoolId: settings.UserPoolId, ClientId: settings.ClientId })).UserPoolClient;
  if (changesAnything(settings, described)) await send("UpdateUserPoolClient", settings);
}

/** Creates (or brings up to date) the pool, its client and groups from the spec, under the ids of the offline run. */
async function provision(context: LocalContext, emulator: CognitoEmulator, send: CognitoApi, name: string, spec: UserAuthSpec): Promise<LocalUserPool> {
  const pool = resource(context.run.resources, "aws:cognito/userPool:UserPool", `${name}-pool`);
  const client = resource(context.run.resources, USER_POOL_CLIENT_TYPE, `${name}-client`);
  const userPoolId = pool.id!;
  const clientId = client.id!;

  // UsernameAttributes and the username case sensitivity are fixed at creation, as in AWS; everything else goes through
  // UpdateUserPool. The case sensitivity is the one the program gives the pool (components/user-auth/user-pool.ts).
  const caseSensitive = pool.inputs.usernameConfiguration?.caseSensitive;
  await emulator.ensureUserPool({
    Id: userPoolId,
    Name: String(pool.state.name),
    Arn: String(pool.state.arn),
    UsernameAttributes: spec.usernameAttributes,
    ...(typeof caseSensitive === "boolean" ? { UsernameConfiguration: { CaseSensitive: caseSensitive } } : {}),
    // Its attributes as the program declares them (UserAuth: email required), so a new password asks for a missing one.
    Schema: schemaOf(pool.inputs.schemas),
  });
  if (spec.email) {
    context.log(`  ${name}: deployed, Cognito emails users through SES as ${spec.email.from}; locally nothing is sent, cognito-local prints each code here.`);
  }
  if (spec.mfa === "ON") {
    context.log(`  ${name}: MFA is ON in this stack; cognito-local cannot walk a new user through TOTP setup, so the local pool makes it OPTIONAL.`);
  }
  const poolSettings: UpdateUserPoolCommandInput = {
    UserPoolId: userPoolId,
    Policies: {
      PasswordPolicy: {
        MinimumLength: spec.passwordPolicy.minimumLength,
        RequireLowercase: spec.passwordPolicy.requireLowercase,
        RequireUppercase: spec.passwordPolicy.requireUppercase,
        RequireNumbers: spec.passwordPolicy.requireNumbers,
        RequireSymbols: spec.passwordPolicy.requireSymbols,
        TemporaryPasswordValidityDays: spec.passwordPolicy.temporaryPasswordValidityDays,
      },
    },
    MfaConfiguration: spec.mfa === "ON" ? "OPTIONAL" : spec.mfa,
    AutoVerifiedAttributes: spec.autoVerifiedAttributes,
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: !spec.selfSignUp },
    VerificationMessageTemplate: { DefaultEmailOption: "CONFIRM_WITH_CODE" },
    LambdaConfig: lambdaConfig(pool.inputs.lambdaConfig),
  };
  if (changesAnything(poolSettings, (await send("DescribeUserPool", { UserPoolId: userPoolId })).UserPool)) await send("UpdateUserPool", poolSettings);

  // Resource servers first: the emulator, as Cognito, allows a client only the custom scopes the pool defines.
  const defined = await provisionResourceServers(context.run.resources, send, userPoolId);
  await emulator.ensureClient(userPoolId, clientId, String(client.state.name ?? `${name}-client`));
  await updateClient(send, {
    UserPoolId: userPoolId,
    ClientId: clientId,
    AllowedOAuthFlows: spec.client.oauthFlows,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: localScopes(context, `${name}-client`, spec.client.oauthScopes, defined),
    CallbackURLs: await urls(spec.client.callbackUrls),
    LogoutURLs: await urls(spec.client.logoutUrls),
    SupportedIdentityProviders: ["COGNITO"],
    // cognito-local has no SRP; locally the browser (and tests) sign in with USER_PASSWORD_AUTH.
    ExplicitAuthFlows: [...spec.client.explicitAuthFlows, "ALLOW_USER_PASSWORD_AUTH"] as ExplicitAuthFlowsType[],
    AccessTokenValidity: spec.client.accessTokenMinutes,
    IdTokenValidity: spec.client.idTokenMinutes,
    RefreshTokenValidity: spec.client.refreshTokenDays,
    TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
    PreventUserExistenceErrors: "ENABLED",
    EnableTokenRevocation: true,
    // The rotation the program gives the client (components/user-auth/client.ts): the emulator refuses
    // REFRESH_TOKEN_AUTH on a rotating client, as Cognito does.
    RefreshTokenRotation: refreshTokenRotation(client.inputs.refreshTokenRotation),
  });

  const existing = new Set(((await send("ListGroups", { UserPoolId: userPoolId })).Groups ?? []).map((g) => g.GroupName));
  for (const group of spec.groups) {
    // CreateGroup in cognito-local overwrites (and forgets members); create only what is missing.
    if (!existing.has(group.name)) await send("CreateGroup", { UserPoolId: userPoolId, GroupName: group.name, Description: group.description, Precedence: group.precedence });
  }

  const otherClients = await provisionOtherClients(context, emulator, send, userPoolId, clientId, defined);
  const issuer = emulator.issuer(userPoolId);
  return { name, userPoolId, clientId, issuer, jwksUri: `${issuer}/.well-known/jwks.json`, deployedIssuer: `https://${pool.state.endpoint}`, otherClients };
}

/** The Pulumi type tokens of the resources read from the program's graph (not RESOURCE_SERVER, spec.ts's constraints). */
const RESOURCE_SERVER_TYPE = "aws:cognito/resourceServer:ResourceServer";
const USER_POOL_CLIENT_TYPE = "aws:cognito/userPoolClient:UserPoolClient";

/**
 * Creates (or brings up to date) the program's resource servers in the pool: UserAuth's `resourceServers` and any
 * `aws.cognito.ResourceServer` beside it whose userPoolId is this pool's, with their names and scopes as deployed.
 * Answers the custom scopes they define (customScopesOf: `<identifier>/<scope name>`).
 */
export async function provisionResourceServers(graph: Graph, send: CognitoApi, userPoolId: string): Promise<Set<string>> {
  const provisioned: Array<{ Identifier: string; Scopes: Array<{ ScopeName: string; ScopeDescription: string }> }> = [];
  for (const server of graph.filter((r) => r.type === RESOURCE_SERVER_TYPE && r.inputs.userPoolId === userPoolId)) {
    const scopes: Array<{ scopeName: string; scopeDescription: string }> = server.inputs.scopes ?? [];
    // `name` is optional in pulumi-aws (autonamed; the recorded inputs lack it, the mocks' state has the autoname).
    const input = { UserPoolId: userPoolId, Identifier: String(server.inputs.identifier), Name: String(server.inputs.name ?? server.state.name ?? server.name), Scopes: scopes.map((s) => ({ ScopeName: s.scopeName, ScopeDescription: s.scopeDescription })) };
    const described = await send("DescribeResourceServer", { UserPoolId: userPoolId, Identifier: input.Identifier }).then(
      (answer) => answer.ResourceServer,
      (error: Error) => {
        if (error.name !== "ResourceNotFoundException") throw error;
      },
    );
    if (!described) await send("CreateResourceServer", input);
    else if (changesAnything(input, described)) await send("UpdateResourceServer", input);
    provisioned.push(input);
  }
  return customScopesOf(provisioned);
}

/**
 * A client's scopes less the custom ones no resource server of the program defines (a server from another stack or the
 * console, which UserAuth accepts): locally there is no such server, and the emulator, as Cognito, refuses a client a
 * scope the pool lacks (ScopeDoesNotExistException). Said once in the log.
 */
function localScopes(context: Pick<LocalContext, "log">, client: string, scopes: string[] | undefined, defined: Set<string>): string[] | undefined {
  if (!scopes) return undefined;
  const missing = scopes.filter((s) => !COGNITO_STANDARD_SCOPES.includes(s) && !defined.has(s));
  if (missing.length > 0) context.log(`  ${client}: ${missing.join(", ")} belong to a resource server outside this program; the local client is not allowed them.`);
  return scopes.filter((s) => !missing.includes(s));
}

/**
 * The program's app clients of the pool other than UserAuth's (`ownClientId`), e.g. a machine-to-machine client with
 * `generateSecret: true`, `allowedOauthFlows: ["client_credentials"]` and resource-server scopes: created under the ids
 * of the offline run with the settings the program gives them. A confidential client gets the secret the mocks record,
 * or one derived from its id (stable across restarts), printed for the developer: tokens come from the emulator's
 * `POST /oauth2/token` with it.
 */
export async function provisionOtherClients(
  context: Pick<LocalContext, "log" | "run">,
  emulator: Pick<CognitoEmulator, "ensureClient" | "url">,
  send: CognitoApi,
  userPoolId: string,
  ownClientId: string,
  defined: Set<string>,
): Promise<LocalAppClient[]> {
  const clients: LocalAppClient[] = [];
  for (const client of context.run.resources.filter((r) => r.type === USER_POOL_CLIENT_TYPE && r.inputs.userPoolId === userPoolId && r.id !== ownClientId)) {
    const inputs = client.inputs;
    const clientId = client.id!;
    const secret = inputs.generateSecret ? String(client.state.clientSecret ?? localClientSecret(clientId)) : undefined;
    await emulator.ensureClient(userPoolId, clientId, String(client.state.name ?? client.name), { secret });
    const units = Array.isArray(inputs.tokenValidityUnits) ? inputs.tokenValidityUnits[0] : inputs.tokenValidityUnits;
    await updateClient(send, {
      UserPoolId: userPoolId,
      ClientId: clientId,
      ClientName: String(client.state.name ?? client.name),
      AllowedOAuthFlows: inputs.allowedOauthFlows as OAuthFlowType[] | undefined,
      AllowedOAuthFlowsUserPoolClient: inputs.allowedOauthFlowsUserPoolClient,
      AllowedOAuthScopes: localScopes(context, client.name, inputs.allowedOauthScopes, defined),
      CallbackURLs: inputs.callbackUrls,
      LogoutURLs: inputs.logoutUrls,
      SupportedIdentityProviders: inputs.supportedIdentityProviders,
      ExplicitAuthFlows: inputs.explicitAuthFlows as ExplicitAuthFlowsType[] | undefined,
      AccessTokenValidity: inputs.accessTokenValidity,
      IdTokenValidity: inputs.idTokenValidity,
      RefreshTokenValidity: inputs.refreshTokenValidity,
      // Each unit the program leaves out as the API defaults it, as the emulator stores it (so a later start finds it so).
      TokenValidityUnits: {
        AccessToken: units?.accessToken ?? DEFAULT_TOKEN_VALIDITY_UNITS.AccessToken,
        IdToken: units?.idToken ?? DEFAULT_TOKEN_VALIDITY_UNITS.IdToken,
        RefreshToken: units?.refreshToken ?? DEFAULT_TOKEN_VALIDITY_UNITS.RefreshToken,
      },
      PreventUserExistenceErrors: inputs.preventUserExistenceErrors,
      EnableTokenRevocation: inputs.enableTokenRevocation,
      RefreshTokenRotation: refreshTokenRotation(inputs.refreshTokenRotation),
      // How long its challenge sessions last (the emulator refuses one used later, as Cognito does).
      AuthSessionValidity: inputs.authSessionValidity,
      // The attributes its users' ID tokens carry (the emulator's tokens, as Cognito's, carry only these; all when unset),
      // and those its users may write (SignUp, UpdateUserAttributes: the emulator, as Cognito, refuses others).
      ReadAttributes: inputs.readAttributes,
      WriteAttributes: inputs.writeAttributes,
    });
    if (secret && (inputs.allowedOauthFlows ?? []).includes("client_credentials")) {
      context.log(`  ${client.name}: client_credentials tokens from ${emulator.url}/oauth2/token with client id ${clientId} and local secret ${secret}.`);
    }
    clients.push({ name: client.name, clientId, ...(secret ? { secret } : {}) });
  }
  return clients;
}

/** A confidential client's local secret when the mocks record none: derived from its id, so it is the same every run. */
function localClientSecret(clientId: string): string {
  return createHash("sha256").update(`local-client-secret:${clientId}`).digest("base64url").slice(0, 51);
}

/** The trigger's name in cognito-local and the LambdaConfig API: preSignUp → PreSignUp. */
const cognitoTriggerName = (trigger: UserAuthTrigger): string => trigger[0].toUpperCase() + trigger.slice(1);

/** A pulumi-aws schema attribute's constraints block: an object, or (as a recorded list-of-one block) its only item. */
type ConstraintsBlock<T> = T | T[] | undefined;
const blockOf = <T>(block: ConstraintsBlock<T>): T | undefined => (Array.isArray(block) ? block[0] : block);

/**
 * The program's pool `schemas` (pulumi-aws's) in CreateUserPool's Schema shape, with their string and number constraints
 * (StringAttributeConstraints' MinLength/MaxLength, NumberAttributeConstraints' MinValue/MaxValue: the emulator keeps
 * them, DescribeUserPool answers them, and a value outside them is refused as the deployed pool refuses it); none:
 * cognito-local's standard attributes.
 */
export function schemaOf(
  schemas:
    | Array<{
        name?: string;
        attributeDataType?: string;
        required?: boolean;
        mutable?: boolean;
        stringAttributeConstraints?: ConstraintsBlock<{ minLength?: string; maxLength?: string }>;
        numberAttributeConstraints?: ConstraintsBlock<{ minValue?: string; maxValue?: string }>;
      }>
    | undefined,
): SchemaAttribute[] | undefined {
  return schemas
    ?.filter((a) => typeof a.name === "string")
    .map((a) => {
      const text = blockOf(a.stringAttributeConstraints);
      const number = blockOf(a.numberAttributeConstraints);
      return {
        Name: a.name,
        ...(a.attributeDataType ? { AttributeDataType: a.attributeDataType as SchemaAttribute["AttributeDataType"] } : {}),
        ...(typeof a.required === "boolean" ? { Required: a.required } : {}),
        ...(typeof a.mutable === "boolean" ? { Mutable: a.mutable } : {}),
        ...(text ? { StringAttributeConstraints: definedOnly({ MinLength: text.minLength, MaxLength: text.maxLength }) } : {}),
        ...(number ? { NumberAttributeConstraints: definedOnly({ MinValue: number.minValue, MaxValue: number.maxValue }) } : {}),
      };
    });
}

/** `record` without its undefined members (an unset bound is no bound). */
function definedOnly<T extends Record<string, string | undefined>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The deployed client's refreshTokenRotation in the API's shape (none recorded: Cognito's default, DISABLED). */
function refreshTokenRotation(deployed: { feature?: string; retryGracePeriodSeconds?: number } | undefined): RefreshTokenRotationType {
  return { Feature: deployed?.feature === "ENABLED" ? "ENABLED" : "DISABLED", RetryGracePeriodSeconds: deployed?.retryGracePeriodSeconds };
}

/** The deployed pool's lambdaConfig in the API's shape (cognito-local keeps it for DescribeUserPool; TriggerFunctions runs them). */
function lambdaConfig(deployed: Record<string, any> | undefined): LambdaConfigType | undefined {
  if (!deployed) return undefined;
  const { preTokenGenerationConfig, ...flat } = deployed;
  return {
    ...Object.fromEntries(Object.entries(flat).map(([trigger, arn]) => [cognitoTriggerName(trigger as UserAuthTrigger), arn])),
    ...(preTokenGenerationConfig ? { PreTokenGeneration: preTokenGenerationConfig.lambdaArn, PreTokenGenerationConfig: { LambdaArn: preTokenGenerationConfig.lambdaArn, LambdaVersion: preTokenGenerationConfig.lambdaVersion } } : {}),
  };
}

/** The identity pool as deployed: its id, the user pool it federates, and the authenticated role's grants. */
async function identityPoolConfig(context: LocalContext, name: string, spec: UserAuthSpec, pool: LocalUserPool): Promise<LocalIdentityPoolConfig> {
  const identities = resource(context.run.resources, "aws:cognito/identityPool:IdentityPool", `${name}-identities`);
  const roles = context.run.resources.find((r) => r.type === "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment" && r.inputs.identityPoolId === identities.id)?.inputs.roles;
  const verifier = createTokenVerifier({ issuer: pool.issuer, jwksUri: pool.jwksUri, clientId: pool.clientId, tokenUse: "id" });
  return {
    identityPoolId: identities.id!,
    region: context.run.config.region,
    providerName: pool.deployedIssuer.replace(/^https:\/\//, ""),
    allowUnauthenticated: spec.identityPool.allowUnauthenticated,
    verifyIdToken: async (token) => (await verifier.verify(token)).sub,
    grants: await Promise.all(spec.identityPool.rowLevelSecurity.map(async (grant) => ({ tableArn: await resolveValue<string>(grant.tableArn), actions: grant.actions }))),
    ...(roles ? { roleArns: { authenticated: roles.authenticated, unauthenticated: roles.unauthenticated } } : {}),
  };
}

async function urls(inputs: UserAuthSpec["client"]["callbackUrls"]): Promise<string[]> {
  // A list of Inputs, or one Output of the list (UserAuth.setCallbackUrls): resolveValue unwraps both.
  return resolveValue<string[]>(inputs);
}

/**
 * Signs the demo user up through the app client, marks the email verified, adds their groups, then confirms them as an
 * administrator would, which fires the post-confirmation trigger (creating their profile) as a user confirming their
 * code does. Confirmation comes last: a user seeded on an earlier run (state persists until --fresh) is left as it is
 * unless that run stopped before it (killed mid-start), where the user is still UNCONFIRMED, and its seeding is
 * finished now (each step before the confirmation sets what is already set, if it ran). Only a user a start signed up:
 * one whose password is the demo password (the emulator's store, hasPassword). A user of that name signed up by hand,
 * with another password, is left UNCONFIRMED, with a log line; confirming it would hand its account, to whoever signed
 * it up, the demo user's groups. The password rather than a marker the start writes: it is what SignUp gave the user, so
 * it holds from the moment the user exists, where a marker written after SignUp misses a start killed between the two,
 * and one written before it cannot tell whose SignUp made the user; and it is read from the store, not tried in a
 * sign-in (which would count a failure towards the hand-made user's lockout and run the pre-authentication trigger).
 * A user signed up by hand with the demo password is the demo user in all but its origin, and is finished as one.
 */
async function seedDemoUser(context: LocalContext, emulator: Pick<CognitoEmulator, "hasPassword">, send: CognitoApi, pool: LocalUserPool, spec: UserAuthSpec): Promise<void> {
  const user = spec.localDemoUser!;
  try {
    await send("SignUp", { ClientId: pool.clientId, Username: user.email, Password: user.password, UserAttributes: [{ Name: "email", Value: user.email }] });
  } catch (error) {
    if ((error as Error).name !== "UsernameExistsException") throw error;
    if ((await send("AdminGetUser", { UserPoolId: pool.userPoolId, Username: user.email })).UserStatus !== "UNCONFIRMED") return;
    if (!(await emulator.hasPassword(pool.userPoolId, user.email, user.password))) {
      context.log(`  ${pool.name}: ${user.email} was signed up with a password other than localDemoPassword and is not confirmed; it is left as it is (confirm it, or delete it and start again to seed the demo user).`);
      return;
    }
  }
  await send("AdminUpdateUserAttributes", { UserPoolId: pool.userPoolId, Username: user.email, UserAttributes: [{ Name: "email", Value: user.email }, { Name: "email_verified", Value: "true" }] });
  for (const group of user.groups) await send("AdminAddUserToGroup", { UserPoolId: pool.userPoolId, Username: user.email, GroupName: group });
  await send("AdminConfirmSignUp", { UserPoolId: pool.userPoolId, Username: user.email });
  context.log(`  ${pool.name}: demo user ${user.email} (password from localDemoPassword) is confirmed${user.groups.length ? ` and in ${user.groups.join(", ")}` : ""}.`);
}

/** What handlers and the local API need: the SDK endpoint, the pool and client ids, and the local issuer. */
function exposeToHandlers(context: LocalContext, emulator: CognitoEmulator, pool: LocalUserPool): void {
  Object.assign(context.environment, {
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: emulator.url,
    USER_POOL_ID: pool.userPoolId,
    USER_POOL_CLIENT_ID: pool.clientId,
    COGNITO_ISSUER: pool.issuer,
    COGNITO_JWKS_URL: pool.jwksUri,
  });
}
