/**
 * cognito-local, embedded in this process. Its `createDefaultServer` keeps data in
 * `./.cognito` of the working directory, listens on 9229 and calls triggers through the
 * AWS Lambda API; we assemble the same server from its parts instead, so that:
 *  - data lives in the stack's state folder, and the port comes from the OS;
 *  - the issuer in tokens is the address the server really listens on;
 *  - triggers run in our local Lambda runtime (`invokeTrigger`);
 *  - user pools and app clients can be created under the ids the deployed program
 *    reports (the mocked ids of `index.ts`), so handlers' USER_POOL_ID is right locally;
 *  - the pool's password policy is enforced (cognito-local stores it but never checks it);
 *  - confirmation codes are captured so a test or a developer can read them;
 *  - sign-in triggers fail as Cognito's do: cognito-local has no pre-authentication trigger (added here) and
 *    ignores a failed post-authentication one (made to refuse the tokens here);
 *  - failed password sign-ins lock the user out for a while, as Cognito does (./cognito-lockout), kept across restarts;
 *  - a temporary password (AdminCreateUser) is checked at sign-in: cognito-local answers the new-password challenge to any;
 *    the hosted UI asks for a new password after the right one before it hands out a code (cognito-local: the code);
 *    past the pool's TemporaryPasswordValidityDays it is refused (cognito-local never checks);
 *    AdminCreateUser's MessageAction RESEND sends a new one and restarts those days (cognito-local: unsupported);
 *  - a challenge's Session is good once (answers sent together included), for its challenge, client and user, for the
 *    client's AuthSessionValidity (cognito-local takes any string, at any time, for any ChallengeName); the new-password
 *    challenge asks for the required attributes the user lacks (its requiredAttributes, the hosted UI's form), sets them,
 *    and refuses one the user already has (cognito-local: "[]", and ignores them);
 *  - resource servers (custom scopes), the token endpoint's client_credentials grant, and the custom scopes of a hosted-UI
 *    sign-in's access token and of its refreshes, which cognito-local lacks;
 *  - an unreadable state file is not a failed start: a pool's, the clients' or resource-servers.json is moved aside, the
 *    emulator's other files (lockout.json, refresh-token-scopes.json) are started fresh, each with a log line; a state
 *    file is written only when what it holds changes (cognito-local rewrote every file it opened, at every start);
 *  - the ID and access tokens carry Cognito's claims (CognitoTokenGenerator): the ID token every attribute the app client
 *    may read (its ReadAttributes), in Cognito's JSON types, cognito-local's only `email` and custom attributes; a
 *    refresh keeps the sign-in's `auth_time` and `origin_jti` (cognito-local: new ones, and no `origin_jti`);
 *  - an app client's token unit left out is the API's default, hours for the ID token too (cognito-local: minutes)
 *    (defaultTokenValidityUnits), and UpdateUserPoolClient sets every setting it is not given to its default
 *    (updateSetsEveryMember; cognito-local kept the client's);
 *  - a request member of the wrong JSON type is refused for every action (SerializationException), as Cognito does, and
 *    so is a request missing a required member or outside an enumeration or a member's limits (InvalidParameterException,
 *    modelValidation), an unknown pool or client in Cognito's words; cognito-local answered some with an HTTP 500;
 *  - a pool attribute's own constraints and an app client's WriteAttributes are enforced (cognito-local stored any), and an
 *    attribute a schema gives without Mutable is immutable, as the service makes it (withSchema, schemaImmutableUnlessSaid);
 *  - SignUp without a password only in a pool that allows passwordless sign-in (cognito-local: in any), ForgotPassword
 *    to a verified email address or phone number in the order of the pool's AccountRecoverySetting, by SMS too, the
 *    code captured as an email code is (cognito-local: to the email address, verified or not; HTTP 500 without one),
 *    and (Admin)UpdateUserAttributes' verified flags without their attribute (cognito-local refused);
 *  - an action cognito-local lacks, or a feature of one, is HTTP 501 UnsupportedOperationException naming it, and an action
 *    that is not Cognito's UnknownOperationException (answerApiRequests); cognito-local answered both HTTP 500, which SDKs retry;
 *    the API takes only its own X-Amz-Target (AWSCognitoIdentityProviderService.<Action>) and content type
 *    (application/x-amz-json-1.1, refuseOtherContentTypes), where cognito-local served `Foo.<Action>` and form bodies;
 *    any other failure is Cognito's InternalErrorException (HTTP 500), where cognito-local's body was the error object (`{}`);
 *  - what a client notices answers as Cognito does: sign-in and user-existence errors, access-token checks and
 *    revocation (GlobalSignOut, RevokeToken), refresh token expiry and rotation (GetTokensFromRefreshToken), explicit auth flows,
 *    usernames in any case, email_verified, AuthenticationResult's ExpiresIn/TokenType, the OIDC discovery document.
 */
import "./quiet-aws-sdk-v2";
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, createPublicKey, randomBytes, randomUUID, timingSafeEqual, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import * as cognitoModel from "@aws-sdk/client-cognito-identity-provider";
import { NormalizedSchema } from "@smithy/core/schema";
import { CognitoError, InvalidParameterError, InvalidPasswordError, NotAuthorizedError, UnsupportedError, UserLambdaValidationError, UserNotFoundError } from "cognito-local/lib/errors";
import { AuthorizationCodeStore } from "cognito-local/lib/oauth2/authorizationCodeStore";
import { DefaultConfig, type Config } from "cognito-local/lib/server/config";
import { Router } from "cognito-local/lib/server/Router";
import { isSupportedTarget } from "cognito-local/lib/targets/Target";
import { createServer } from "cognito-local/lib/server/server";
import { DateClock, LambdaService, MessagesService, TriggersService, type Clock, type CognitoService } from "cognito-local/lib/services";
import { CognitoServiceFactoryImpl, USER_POOL_AWS_DEFAULTS } from "cognito-local/lib/services/cognitoService";
import type { CryptoService } from "cognito-local/lib/services/crypto";
import type { DataStore } from "cognito-local/lib/services/dataStore/dataStore";
import { StormDBDataStoreFactory } from "cognito-local/lib/services/dataStore/stormDb";
import { MessageDeliveryService, type DeliveryDetails } from "cognito-local/lib/services/messageDelivery/messageDelivery";
import { selectAppropriateDeliveryMethod } from "cognito-local/lib/services/messageDelivery/deliveryMethod";
import { otp } from "cognito-local/lib/services/otp";
import { JwtTokenGenerator } from "cognito-local/lib/services/tokenGenerator";
import { userToResponseObject } from "cognito-local/lib/targets/responses";
import { attribute, attributesAppend, attributesInclude, attributesToRecord, attributeValue, UserPoolServiceFactoryImpl, type User, type UserPool } from "cognito-local/lib/services/userPoolService";
import { APP_CLIENT_AUTH_SESSION_MINUTES, COGNITO_STANDARD_SCOPES, passwordProblems, RESOURCE_SERVER } from "../components/user-auth/spec";
import { SignInLockout, type Failures, type LockoutPersistence } from "./cognito-lockout";
import { OpenSessions } from "./cognito-sessions";
import { jsonTypeCheck, ModelInputs } from "./json-member-types";
import { LambdaInvokeError } from "./lambda-runtime";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import { parsePid, processRunning } from "./state-lock";
import { escapeXml } from "./xml";

// pino is cognito-local's logger (its HTTP layer needs a real one); resolve it from there, as jsonwebtoken, with which
// it signs tokens, and the key it signs them with (the JWKS it serves).
const fromCognitoLocal = createRequire(require.resolve("cognito-local"));
const pino = fromCognitoLocal("pino") as (options: { level: string }) => any;
const jwt = fromCognitoLocal("jsonwebtoken") as {
  verify(token: string, key: KeyObject, options: { algorithms: string[]; clockTimestamp?: number }): unknown;
  sign(payload: object, key: string, options: { algorithm: "RS256"; issuer?: string; keyid: string }): string;
};
const signingKey = createPublicKey({ key: (fromCognitoLocal("cognito-local/lib/keys/cognitoLocal.public.json") as { jwk: any }).jwk, format: "jwk" });
/** The key cognito-local signs its tokens with (its JwtTokenGenerator's, `kid` "CognitoLocal"): the JWKS it serves verifies it. */
const privateKey = (fromCognitoLocal("cognito-local/lib/keys/cognitoLocal.private.json") as { pem: string }).pem;

/**
 * cognito-local's CryptoService loads `@aws-crypto/client-node` and, through its KMS keyring,
 * the whole v2 `aws-sdk` at import — ≈0.8 s of `npm start` (issue 15) — for one job: encrypting
 * codes for a CustomEmailSender trigger. It is loaded on that first use instead.
 */
function lazyCryptoService(config: ConstructorParameters<typeof CryptoService>[0]): CryptoService {
  let real: CryptoService | undefined;
  return {
    encrypt(...args: Parameters<CryptoService["encrypt"]>) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      real ??= new (require("cognito-local/lib/services/crypto") as typeof import("cognito-local/lib/services/crypto")).CryptoService(config);
      return real.encrypt(...args);
    },
  } as CryptoService;
}

/** Runs a trigger: `(userPoolId, trigger, event) => the handler's result`. */
export type TriggerInvoker = (userPoolId: string, trigger: string, event: unknown) => Promise<unknown>;

export interface CognitoEmulator {
  /** `http://127.0.0.1:<port>`; the SDK endpoint, and the issuer's origin. */
  url: string;
  /** Issuer of a pool's tokens: `${url}/${userPoolId}`. */
  issuer(userPoolId: string): string;
  /**
   * Creates the pool under `id` unless it exists (kept from an earlier run). `Arn` is the pool's ARN as the program
   * recorded it (the UserPool's `arn`), what DescribeUserPool answers; @default in the id's region and the mocks' account.
   * `UsernameConfiguration` is the pool's case sensitivity, fixed at creation as in AWS; @default `{ CaseSensitive: true }`,
   * Cognito's ("true ... This is the default value",
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html).
   * local/services/cognito.ts passes the one the program gives the pool (UserAuth: false). `Schema`: the attributes the
   * program's pool declares (CreateUserPool's), e.g. UserAuth's required email, set on a kept pool too (withSchema);
   * @default cognito-local's standard attributes, none required but `sub`.
   */
  ensureUserPool(pool: { Id: string; Name: string; Arn?: string; UsernameAttributes?: string[]; UsernameConfiguration?: { CaseSensitive: boolean }; Schema?: SchemaAttribute[] }): Promise<void>;
  /**
   * Creates the app client under `clientId` unless it exists. `secret`: its client secret (a confidential client, e.g.
   * one allowed the client_credentials grant), set on a kept client too; @default none (a public client).
   */
  ensureClient(userPoolId: string, clientId: string, clientName: string, options?: { secret?: string }): Promise<void>;
  /**
   * Whether the user `username` of the pool exists and its password is `password`: read from the store, so no sign-in is
   * tried (none counts towards a lockout or runs the pre-authentication trigger). npm start's seeding tells the demo user
   * it signed up from one signed up by hand with it (local/services/cognito.ts, seedDemoUser).
   */
  hasPassword(userPoolId: string, username: string, password: string): Promise<boolean>;
  /** The last code sent to `destination` (an email address, or a phone number: the local runtime sends no SMS), e.g. to confirm a sign-up. */
  lastCode(destination: string): string | undefined;
  /**
   * How many token records the emulator keeps in memory (TokenRevocation), for the flat-memory tests (issue 15):
   * `retrying` counts the retired refresh tokens still holding what a retry within the grace period needs (their user).
   */
  tokensInMemory(): { accessTokens: number; refreshTokens: number; revoked: number; retired: number; retrying: number };
  /** How many users' failed sign-ins the emulator keeps in memory (SignInLockout), for the flat-memory tests. */
  signInFailuresInMemory(): number;
  stop(): Promise<void>;
}

export interface CognitoEmulatorOptions {
  dataDir: string;
  /** Trigger names (e.g. "PostConfirmation") to enable, and how to run them. */
  triggers: string[];
  invokeTrigger: TriggerInvoker;
  log(message: string): void;
  /** The time tokens are issued, checked and expire by (a test's clock, to pass time without waiting); @default the system's. */
  clock?: Clock;
}

export async function startCognitoEmulator(options: CognitoEmulatorOptions): Promise<CognitoEmulator> {
  mkdirSync(options.dataDir, { recursive: true });
  // The emulator's own records, in a folder of their own: cognito-local takes every .json file in dataDir for a pool.
  const ownState = join(options.dataDir, "emulator");
  for (const folder of [options.dataDir, ownState]) removeAbandonedWrites(folder);
  const logger = pino({ level: process.env.COGNITO_LOCAL_LOG ?? "silent" });
  const ctx = { logger };
  const clock = options.clock ?? new DateClock();
  const codes = new Map<string, string>();
  // TokenConfig is read at every token issue, so the issuer can be set once the port is known.
  const tokenConfig = { IssuerDomain: "http://127.0.0.1" };
  const config: Config = {
    ...DefaultConfig,
    TriggerFunctions: Object.fromEntries(options.triggers.map((t) => [t, t])),
    UserPoolDefaults: {},
    TokenConfig: tokenConfig,
  };

  // A pool's file that cannot be read loses its users: said loudly, and the pool takes the program's options again at
  // ensureUserPool (lostPools). clients.json loses every app client; the program's are made again at start.
  const lostPools = new Set<string>();
  const dataStores = recoveringDataStores(options.dataDir, options.log, (id) => {
    if (id === "clients") return "starting without app clients: the program's are created again now, those created through the API (CreateUserPoolClient) are lost";
    lostPools.add(id);
    return `USERS LOST: user pool ${id} starts empty, every user of it is lost (their accounts, passwords, attributes and sign-ins; the moved file still holds them)`;
  });
  const resourceServerStore = await resourceServerStoreIn(ownState, ctx, options.log);
  const cognito = await new CognitoServiceFactoryImpl(options.dataDir, dataStores, forgetExpiredRefreshTokens(new UserPoolServiceFactoryImpl(clock, dataStores), clock)).create(ctx, config.UserPoolDefaults);
  matchUsernamesInAnyCase(cognito);
  notFoundInCognitosWords(cognito);
  await repairTokenValidityUnits(cognito, ctx, options.log);
  const lambda = new LambdaService(config.TriggerFunctions, lambdaShim(options.invokeTrigger, options.log) as any);
  const triggers = new TriggersService(clock, cognito, lambda, lazyCryptoService(config.KMSConfig));
  // cognito-local logs and ignores a failed post-authentication trigger ("PostAuthentication error, ignored"); Cognito
  // does not hand out the tokens: "A post authentication Lambda that doesn't return the request body to Amazon Cognito
  // can still cause authentication to fail to complete"
  // (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-authentication.html). Invoked
  // as cognito-local does, without the catch: a failure is UserLambdaValidationException "PostAuthentication failed with error <message>."
  Object.assign(triggers, {
    postAuthentication: (async (ctx, { clientId, clientMetadata, source, userAttributes, username, userPoolId }) => {
      await lambda.invoke(ctx, "PostAuthentication", { clientId, clientMetadata, triggerSource: source, userAttributes: attributesToRecord(userAttributes), username, userPoolId });
    }) satisfies TriggersService["postAuthentication"],
  });
  const sender = {
    async sendEmail(_ctx: unknown, _user: unknown, destination: string, message: { __code?: string }) {
      if (message.__code) codes.set(destination, message.__code);
      options.log(`  cognito-local: code ${message.__code} sent to ${destination}`);
    },
    async sendSms(_ctx: unknown, _user: unknown, destination: string, message: { __code?: string }) {
      if (message.__code) codes.set(destination, message.__code);
      options.log(`  cognito-local: code ${message.__code} sent to ${destination}`);
    },
  };
  const revocation = new TokenRevocation(clock);
  const refreshScopes = new RefreshTokenScopes(clock, join(ownState, "refresh-token-scopes.json"), options.log);
  const lockout = new SignInLockout(clock, lockoutFile(join(ownState, "lockout.json"), options.log));
  const services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService(sender)),
    otp,
    tokenGenerator: revocation.recording(new CognitoTokenGenerator(clock, triggers, tokenConfig)),
    triggers,
  };
  // The SDK's model of each action's input, read once for the JSON types (answerApiRequests) and the required
  // members and constraints (modelValidation); one that cannot be read turns both off, said once.
  const inputs = new ModelInputs(cognitoModel as Record<string, unknown>, (message) => options.log(`  cognito-local: ${message}`));
  // Each layer wraps cognito-local's router (innermost first); see each function for what it changes and why.
  const layers: Array<(router: (target: string) => Route) => (target: string) => Route> = [
    (r) => adminRespondToAuthChallenge(r),
    (r) => checkTemporaryPasswords(r, cognito, clock),
    (r) => resendInvitations(r, services),
    (r) => requiredAttributesAtNewPassword(r, cognito),
    (r) => resourceServers(r, cognito, resourceServerStore),
    (r) => verifyOnConfirmation(r, cognito),
    (r) => forgotPasswordByRecoverySetting(r, services),
    (r) => attributeVerificationCodeDelivery(r, services),
    (r) => verifiedFlagsAlone(r, cognito, clock),
    (r) => schemaImmutableUnlessSaid(r),
    (r) => updateSetsEveryMember(r, cognito), // inside the layers that set an updated client's members
    (r) => defaultTokenValidityUnits(r),
    (r) => keepClientSettings(r, cognito),
    (r) => rotateRefreshTokens(r, services, clock, revocation),
    (r) => keepRefreshedScopes(r, refreshScopes),
    (r) => authenticationResultFields(r),
    (r) => clientWriteAttributes(r, cognito), // within revokeTokens: an access token is checked before its client is read
    (r) => revokeTokens(r, cognito, revocation, clock, refreshScopes),
    (r) => userExistenceErrors(r, cognito),
    (r) => runPreAuthentication(r, cognito, options, (name) => triggers.enabled(name as never)),
    (r) => lockOutFailedSignIns(r, cognito, lockout),
    (r) => enforceAuthFlows(r, cognito),
    (r) => enforcePasswordPolicy(r, cognito, ctx),
    (r) => challengeSessions(r, cognito, clock),
    (r) => checkClientScopes(r, cognito, resourceServerStore),
    (r) => refuseExpiredRefreshTokens(r, clock),
    (r) => keepSignInOnRefresh(r),
    (r) => clientOfPool(r, cognito),
    (r) => schemaAttributes(r, cognito),
    (r) => maskDeliveryDestinations(r), // outside every layer that answers a delivery
    (r) => modelValidation(r, inputs), // outermost: the model's validation comes before anything else
  ];
  const router = layers.reduce((inner, layer) => layer(inner), cognitoLocalActions(Router(services) as (target: string) => Route));
  const http = createServer(router, logger, { port: 0, hostname: "127.0.0.1", https: false }, services);
  refuseOtherContentTypes(http.application);
  answerBodyParserErrors(http.application);
  answerApiRequests(http.application, router, inputs);
  // Each of these goes in front of those of its path before it (inFrontOf): on a path, the last one runs first.
  hostedUiRefreshGrant(http.application, clock, revocation, refreshScopes);
  clientCredentialsGrant(http.application, cognito, resourceServerStore, clock, tokenConfig);
  hostedUiNewPassword(http.application, cognito, clock); // behind hostedUiLockout and hostedUiScopes: theirs wrap its answers
  hostedUiLockout(http.application, cognito, lockout);
  hostedUiScopes(http.application, cognito, resourceServerStore, clock, refreshScopes);
  hostedUiSignInPage(http.application); // in front of hostedUiLockout: it escapes the page that one rewords
  formBodiedRequests(http.application); // last, so first: no other handler sees a body that is not a form
  const server = (await http.start()) as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tokenConfig.IssuerDomain = url;
  serveOpenIdConfiguration(server, url);

  return {
    url,
    issuer: (userPoolId) => `${url}/${userPoolId}`,
    async ensureUserPool({ Schema: schema = [], ...pool }) {
      const arn = pool.Arn ?? `arn:aws:cognito-idp:${userPoolRegion(pool.Id)}:${MOCK_ACCOUNT_ID}:userpool/${pool.Id}`;
      const usernameConfiguration = pool.UsernameConfiguration ?? { CaseSensitive: true };
      const existing = (await cognito.listUserPools(ctx)).find((p) => p.Id === pool.Id);
      if (existing && schema.length > 0) {
        const attributes = withSchema(existing.SchemaAttributes, schema);
        if (JSON.stringify(attributes) !== JSON.stringify(existing.SchemaAttributes)) {
          await (await cognito.getUserPool(ctx, pool.Id)).updateOptions(ctx, { ...existing, SchemaAttributes: attributes });
          existing.SchemaAttributes = attributes;
        }
      }
      if (existing && lostPools.delete(pool.Id)) {
        // Started empty from a file that could not be read (recoveringDataStores): only its id was left.
        const now = clock.get();
        await (await cognito.getUserPool(ctx, pool.Id)).updateOptions(ctx, { ...existing, ...pool, UsernameConfiguration: usernameConfiguration, Arn: arn, CreationDate: now, LastModifiedDate: now } as UserPool);
        return;
      }
      if (existing) {
        // A pool kept from an earlier run answers with the ARN the program records now (and, from before the
        // emulator kept it, with the username configuration).
        if (existing.Arn !== arn || existing.UsernameConfiguration === undefined) {
          await (await cognito.getUserPool(ctx, pool.Id)).updateOptions(ctx, { ...existing, Arn: arn, UsernameConfiguration: existing.UsernameConfiguration ?? usernameConfiguration });
        }
        return;
      }
      const now = clock.get();
      const created = { ...pool, UsernameConfiguration: usernameConfiguration, Arn: arn, CreationDate: now, LastModifiedDate: now } as UserPool;
      if (schema.length > 0) created.SchemaAttributes = withSchema(USER_POOL_AWS_DEFAULTS.SchemaAttributes, schema);
      await cognito.createUserPool(ctx, created);
    },
    async ensureClient(userPoolId, clientId, clientName, { secret } = {}) {
      const existing = await cognito.getAppClient(ctx, clientId);
      // A kept client is written only when its secret changes: the program's clients are ensured at every start.
      if (existing && (secret === undefined || existing.ClientSecret === secret)) return;
      const pool = await cognito.getUserPool(ctx, userPoolId);
      if (existing) return pool.saveAppClient(ctx, { ...existing, ClientSecret: secret });
      const now = clock.get();
      await pool.saveAppClient(ctx, { ClientId: clientId, ClientName: clientName, UserPoolId: userPoolId, CreationDate: now, LastModifiedDate: now, ...(secret !== undefined ? { ClientSecret: secret } : {}) });
    },
    async hasPassword(userPoolId, username, password) {
      const user = await (await cognito.getUserPool(ctx, userPoolId)).getUserByUsername(ctx, username);
      return typeof user?.Password === "string" && sameSecret(user.Password, password);
    },
    lastCode: (destination) => codes.get(destination),
    tokensInMemory: () => revocation.sizes(),
    signInFailuresInMemory: () => lockout.size(),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An attribute of a pool's schema (CreateUserPool's SchemaAttributeType) as ensureUserPool takes it. */
export type SchemaAttribute = NonNullable<UserPool["SchemaAttributes"]>[number];

/**
 * `attributes` (a pool's schema) with `schema`'s attributes (CreateUserPool's Schema: a custom attribute by its bare
 * name, kept as `custom:<name>` as cognito-local's CreateUserPool keeps it) in place of those of the same name and the
 * rest appended, in order: cognito-local's createUserPool merges a pool's SchemaAttributes into its defaults by
 * position (lodash's merge), so the defaults' order is kept.
 *
 * An attribute the schema gives without `Mutable` is immutable, as the service makes it: a pool created with
 * `{"Name": "email", "Required": true}` describes email as `"Mutable": false`, where the standard attributes left out of
 * Schema are `true` (aws/aws-cdk#8624, a CDK maintainer's test against the service; custom attributes without it were
 * immutable too, aws/aws-cdk#7011). SchemaAttributeType documents no default
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SchemaAttributeType.html). Before,
 * a standard attribute kept its default `true` (updatable locally, not on AWS) and a custom one had none (immutable,
 * as cognito-local reads a missing `Mutable`, but described without it). UserAuth gives its email `mutable: true`.
 */
function withSchema(attributes: SchemaAttribute[] | undefined, schema: SchemaAttribute[]): SchemaAttribute[] {
  const standard = new Set((USER_POOL_AWS_DEFAULTS.SchemaAttributes ?? []).map((a) => a.Name));
  const named = new Map(
    schema
      .map(immutableUnlessSaid)
      .map((a) => (standard.has(a.Name) || a.Name?.startsWith("custom:") ? a : { ...a, Name: `custom:${a.Name}` }))
      .map((a) => [a.Name, a]),
  );
  const kept = (attributes ?? []).map((a) => (named.has(a.Name) ? { ...a, ...named.get(a.Name) } : a));
  return [...kept, ...[...named.values()].filter((a) => !kept.some((k) => k.Name === a.Name))];
}

/** A schema attribute as the service keeps it when it is given without `Mutable`: immutable (withSchema says why). */
const immutableUnlessSaid = <T extends { Mutable?: boolean }>(attribute: T): T => ({ ...attribute, Mutable: attribute.Mutable ?? false });

/** The schema attributes each action that declares them takes, by its request member. */
const SCHEMA_MEMBERS = new Map([
  ["CreateUserPool", "Schema"],
  ["AddCustomAttributes", "CustomAttributes"],
]);

/**
 * CreateUserPool's Schema and AddCustomAttributes' CustomAttributes keep an attribute given without `Mutable` immutable,
 * as the service does and as the program's pools are kept (withSchema); cognito-local made it mutable (CreateUserPool's
 * custom attributes and AddCustomAttributes: `Mutable ?? true`; a standard attribute kept its default `true`), so
 * UpdateUserAttributes changed locally what AWS refuses to change. An entry that is not an object is left to the model's
 * validation and the layers within.
 */
function schemaImmutableUnlessSaid(router: (target: string) => Route) {
  return (target: string): Route => {
    const route = router(target);
    const member = SCHEMA_MEMBERS.get(target);
    if (!member) return route;
    return (ctx, req) => {
      const given: unknown = req?.[member];
      if (!Array.isArray(given)) return route(ctx, req);
      return route(ctx, { ...req, [member]: given.map((a) => (a !== null && typeof a === "object" ? immutableUnlessSaid(a) : a)) });
    };
  };
}

/**
 * cognito-local keeps every refresh token it hands out (sign-in, AdminInitiateAuth, the hosted UI's token endpoint) in
 * its user's stored `RefreshTokens` and never drops one, so a user signed in again and again (`npm start` for days: the
 * app, drill, fuzz, bench) grows the pool file, which StormDB holds in memory and rewrites at every save (issue 15).
 * Each pool's `storeRefreshToken` drops the user's expired ones (on the emulator's clock) as it adds the new one; the
 * rotation's save does the same (rotateRefreshTokens). An expired refresh token is no longer any use: it is refused
 * before it is looked for (refuseExpiredRefreshTokens, hostedUiRefreshGrant), whether or not it is still stored.
 */
function forgetExpiredRefreshTokens(factory: UserPoolServiceFactoryImpl, clock: Clock): UserPoolServiceFactoryImpl {
  const create = factory.create.bind(factory);
  factory.create = async (...args) => {
    const pool = await create(...args);
    const store = pool.storeRefreshToken.bind(pool);
    pool.storeRefreshToken = (ctx, refreshToken, user) => store(ctx, refreshToken, { ...user, RefreshTokens: unexpiredRefreshTokens(user.RefreshTokens, clock) });
    return pool;
  };
  return factory;
}

/** `tokens` (a user's stored refresh tokens) less those whose `exp` has passed on `clock`. */
function unexpiredRefreshTokens(tokens: string[] | undefined, clock: Clock): string[] {
  return (tokens ?? []).filter((token) => !refreshTokenExpired(token, clock));
}

/** Whether `token`'s `exp` has passed on `clock` (a token without one never expires). */
function refreshTokenExpired(token: unknown, clock: Clock): boolean {
  return expiry(claimsOf(token).exp) <= Math.floor(clock.get().getTime() / 1000);
}

/** The refresh token a request to `target` refreshes with (GetTokensFromRefreshToken, a REFRESH_TOKEN flow), if any. */
function refreshTokenOf(target: string, req: any): unknown {
  if (target === "GetTokensFromRefreshToken") return req?.RefreshToken;
  return SIGN_IN_OPERATIONS.has(target) && String(req?.AuthFlow ?? "").startsWith("REFRESH_TOKEN") ? req?.AuthParameters?.REFRESH_TOKEN : undefined;
}

/** Cognito's answer to an expired refresh token (the service's wording, see refuseExpiredRefreshTokens). */
const REFRESH_TOKEN_EXPIRED = "Refresh Token has expired";

/**
 * A refresh with an expired refresh token is refused, as Cognito refuses it: NotAuthorizedException "Refresh Token has
 * expired", HTTP 400 — the service's answer to InitiateAuth's REFRESH_TOKEN_AUTH as clients log it (the response headers
 * `x-amzn-ErrorType: NotAuthorizedException`, `x-amzn-ErrorMessage: Refresh Token has expired`, status 400, in
 * aws-amplify/amplify-swift#3496; the same code and message in aws-amplify/amplify-js#4542); the API reference lists
 * NotAuthorizedException for InitiateAuth but not this message. GetTokensFromRefreshToken's answer is not
 * confirmed (taken as the same). cognito-local never looks at a refresh token's `exp`: it refreshes any token still
 * stored with its user, and the emulator drops expired ones only when the user's tokens are next saved
 * (forgetExpiredRefreshTokens). Checked first, before anything else looks at the request (so before the flow, the
 * rotation's reuse or the token's user), on the emulator's clock. The hosted UI's token endpoint: hostedUiRefreshGrant.
 */
function refuseExpiredRefreshTokens(router: (target: string) => Route, clock: Clock) {
  return (target: string): Route => {
    const route = router(target);
    return async (ctx, req) => {
      const token = refreshTokenOf(target, req);
      if (typeof token === "string" && refreshTokenExpired(token, clock)) throw new NotAuthorizedError(REFRESH_TOKEN_EXPIRED);
      return route(ctx, req);
    };
  };
}

/**
 * The hosted UI's token endpoint (POST /oauth2/token, cognito-local's route) with `grant_type=refresh_token`:
 *  - an expired refresh token is refused before anything else is looked at. The endpoint answers OAuth 2.0 errors, not
 *    the API's exceptions: HTTP 400 `invalid_grant`, "The provided authorization grant ... or refresh token is invalid,
 *    expired, revoked" (RFC 6749 §5.2, https://www.rfc-editor.org/rfc/rfc6749#section-5.2, which Cognito's endpoint
 *    follows, https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html). Not confirmed: that
 *    Cognito's endpoint answers an expired one with invalid_grant, and its `error_description` (the API's wording here);
 *  - the access token it answers with goes with the refresh token it was given, as the other refresh paths' do
 *    (revokeTokens), so RevokeToken revokes it: "revokes all of the access tokens generated by ... the specified refresh
 *    token" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html);
 *  - its tokens keep the refresh token's sign-in (REFRESHED_SIGN_IN: `auth_time`, `origin_jti`).
 * cognito-local's routes are registered inside createServer, so this one is moved in front of its token route (after
 * the body parsers, which it reads from: inFrontOf).
 */
function hostedUiRefreshGrant(app: any, clock: Clock, revocation: TokenRevocation, scopes: RefreshTokenScopes): void {
  app.post("/oauth2/token", (req: any, res: any, next: () => void) => {
    const token: unknown = req.body?.refresh_token;
    if (req.body?.grant_type !== "refresh_token" || typeof token !== "string") return next();
    if (refreshTokenExpired(token, clock)) return res.status(400).json({ error: "invalid_grant", error_description: REFRESH_TOKEN_EXPIRED });
    const json = res.json.bind(res);
    res.json = (body: any) => {
      if (res.statusCode !== 200 || typeof body?.access_token !== "string") return json(body);
      const answer = { ...body, access_token: scopes.refreshed(token, body.access_token) };
      revocation.issuedWith(token, answer.access_token);
      return json(answer);
    };
    REFRESHED_SIGN_IN.run(signInOf(token), next);
  });
  inFrontOf(app, "/oauth2/token", "hostedUiRefreshGrant");
}

/**
 * The hosted UI's sign-in form (POST /oauth2/authorize, cognito-local's route) is a password sign-in too, so it
 * takes part in the user's lockout (lockOutFailedSignIns, SignInLockout): during a lockout the form comes back with
 * "Password attempts exceeded" instead of a code, whatever the password; a wrong password (the form back with
 * "Incorrect username or password.") counts; a code handed out (the redirect) ends the user's failures. cognito-local's
 * own form is reused: during a lockout it is given a password that cannot match, and its error line is reworded. How
 * Cognito's hosted UI words a lockout is not confirmed (the API's message here). The attempt ends (SignInLockout: one
 * write) at the form sent back or the redirect; one that ends in express's error handler (neither) leaves its time in
 * memory, written with the next change.
 */
function hostedUiLockout(app: any, cognito: CognitoService, lockout: SignInLockout): void {
  app.post("/oauth2/authorize", async (req: any, res: any, next: (error?: unknown) => void) => {
    try {
      const { client_id: clientId, username, password } = req.body ?? {};
      if (typeof clientId !== "string" || typeof username !== "string" || typeof password !== "string" || !password) return next();
      const found = await lockoutUser(cognito, { logger: req.log }, { ClientId: clientId }, username);
      if (!found) return next();
      const { key, user } = found;
      const send = res.send.bind(res);
      const incorrect = incorrectUsernameOrPassword().message;
      try {
        lockout.check(key);
      } catch (refused) {
        req.body = { ...req.body, password: `${user.Password ?? ""}\u0000` };
        res.send = (body: unknown) => send(typeof body === "string" ? body.replace(incorrect, (refused as Error).message) : body);
        return next();
      }
      res.send = (body: unknown) => {
        // cognito-local's form says "Incorrect username or password." to an unconfirmed user's right password too: only
        // a wrong one counts, as through the API (its right password there is UserNotConfirmedException, not counted).
        if (res.statusCode === 200 && typeof body === "string" && body.includes(incorrect) && password !== user.Password) lockout.failed(key);
        else lockout.ended();
        return send(body);
      };
      const redirect = res.redirect.bind(res);
      res.redirect = (...args: unknown[]) => {
        lockout.succeeded(key);
        return redirect(...args);
      };
      next();
    } catch (error) {
      next(error);
    }
  });
  inFrontOf(app, "/oauth2/authorize", "hostedUiLockout", "POST");
}

/** Cognito's answer to a challenge's session that is unknown, used or expired (NotAuthorizedException's message). */
const INVALID_SESSION = "Invalid session for the user, session is expired.";

/** What a new-password form's session stands for: the sign-in it finishes (its user, app client, and OAuth request). */
interface NewPasswordSession {
  clientId: string;
  userPoolId: string;
  username: string;
  /** lockoutKey of the user: a user deleted and created again under the name is another one. */
  user: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  state: string;
  /** When it stops being good (ms, the emulator's clock). */
  expires: number;
}

/**
 * The hosted UI's sign-in form (POST /oauth2/authorize) with a temporary password (AdminCreateUser's, the user
 * FORCE_CHANGE_PASSWORD): the right one is answered with a form asking for a new password, typed twice, instead of an
 * authorization code. "The temporary password is valid only once. To complete the Admin Create User flow, the user
 * must enter the temporary password in the sign-in page, along with a new password to be used in all future sign-ins"
 * (AdminCreateUser's TemporaryPassword, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html);
 * the pages are managed login's "pages for password management"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/managed-login-endpoints.html). cognito-local handed the
 * user a code for the temporary password. The form posted back (`session`, `new_password`, `confirm_password`):
 *  - its `session` is a random 256-bit token kept here, standing for the sign-in: the user (its sub, and still
 *    FORCE_CHANGE_PASSWORD), the app client (the form's `client_id` must be it), and the OAuth request (redirect_uri,
 *    code_challenge, scope, state: taken from the session, never from the form). It is good once, for the app client's
 *    AuthSessionValidity (authSessionMilliseconds: 3 minutes unless the client says otherwise), as the API's challenge
 *    sessions (challengeSessions; both kept in an OpenSessions, ./cognito-sessions). An unknown, used, expired or another
 *    client's session is refused, HTTP 400 `invalid_request` as cognito-local's form refusals, with the API's
 *    NotAuthorizedException wording (INVALID_SESSION, "Invalid session for the user, session is expired.", the
 *    message client code matches on; the hosted UI's own wording not confirmed) — nothing set, no code;
 *  - the new password is checked as the API's (RespondToAuthChallenge's NEW_PASSWORD: enforcePasswordPolicy's
 *    passwordPolicyProblem), and the two must match; a refusal is the form again with the error line and a new session
 *    for the same sign-in (the old one used up; the expiry not moved on);
 *  - a good one is set (status CONFIRMED), as RespondToAuthChallenge sets it, and the sign-in goes on as the user's
 *    with that password: cognito-local's handler hands out the code and redirects (hostedUiScopes records its scope).
 * A wrong temporary password goes on to cognito-local's "Incorrect username or password.", which hostedUiLockout counts;
 * during a lockout it is refused there first. Setting the password is not a sign-in for the lockout (as through the
 * API, where RespondToAuthChallenge is not one): the user's failures are kept. The right temporary password past the
 * pool's TemporaryPasswordValidityDays is refused as through the API (temporaryPasswordExpired): the sign-in form again
 * with its message as the error line (managed login's wording not confirmed), no new-password form. The form asks, as
 * the API's challenge (requiredAttributesAtNewPassword), for the pool's required attributes the user lacks (a text
 * field `userAttributes.<name>` each), refuses it without them (the API's "Invalid attributes given, <name> is
 * missing", the form again) and sets them with the password; it takes no other attribute. An attribute over AttributeType's
 * limits is refused first, as through the API (modelValidation; the error line its words, the field at 'userAttributes.<name>').
 * Not confirmed: managed login's field names, wording and error lines (this form's are its own), and that its form's session lasts as the API's.
 */
function hostedUiNewPassword(app: any, cognito: CognitoService, clock: Clock): void {
  const sessions = new OpenSessions<NewPasswordSession>(clock);
  const open = (session: NewPasswordSession): string => {
    const token = randomBytes(32).toString("base64url");
    sessions.put(token, session);
    return token;
  };
  const form = (res: any, session: NewPasswordSession, required: string[], error?: string) =>
    res.status(200).type("text/html").send(newPasswordForm(session.clientId, open(session), required, error));
  const refuse = (res: any, description = INVALID_SESSION) => res.status(400).json({ error: "invalid_request", error_description: description });
  app.post("/oauth2/authorize", async (req: any, res: any, next: (error?: unknown) => void) => {
    try {
      const ctx = { logger: req.log };
      const body = req.body ?? {};
      if ("session" in body) {
        const { session, client_id: clientId, new_password: password, confirm_password: confirm } = body;
        if (typeof session !== "string" || typeof clientId !== "string" || "password" in body) return refuse(res);
        const entry = sessions.take(session);
        if (!entry || entry.clientId !== clientId) return refuse(res);
        const pool = await poolOf(cognito, ctx, { UserPoolId: entry.userPoolId }); // undefined: deleted since
        const user = pool ? await pool.getUserByUsername(ctx, entry.username) : null;
        if (!pool || !user || lockoutKey(pool, user) !== entry.user || user.UserStatus !== "FORCE_CHANGE_PASSWORD") return refuse(res);
        if (typeof password !== "string" || typeof confirm !== "string") return refuse(res, "Missing required fields");
        const required = missingRequiredAttributes(pool, user);
        const given = newPasswordAnswerAttributes(body, "");
        const tooLong = attributeProblems(given); // the API's first checks (modelValidation)
        if (tooLong.length > 0) return form(res, entry, required, validationErrors(tooLong).message);
        const unfit = schemaProblems(pool, given);
        if (unfit.length > 0) return form(res, entry, required, schemaRefusal(unfit, "update").message);
        if (!password) return form(res, entry, required, "Missing required parameter NEW_PASSWORD");
        if (password !== confirm) return form(res, entry, required, "Passwords do not match.");
        const problem = passwordPolicyProblem(pool, password);
        if (problem) return form(res, entry, required, problem);
        const { attributes, missing } = newPasswordAttributes(pool, user, body);
        if (missing) return form(res, entry, required, requiredAttributeMissing(missing).message);
        const asked = attributes.filter((a) => required.includes(a.Name));
        await pool.saveUser(ctx, { ...user, Password: password, UserStatus: "CONFIRMED", UserLastModifiedDate: clock.get(), Attributes: attributesAppend(user.Attributes, ...asked) });
        req.body = {
          client_id: entry.clientId,
          redirect_uri: entry.redirectUri,
          response_type: "code",
          code_challenge: entry.codeChallenge,
          code_challenge_method: "S256",
          scope: entry.scope,
          state: entry.state,
          username: user.Username,
          password,
        };
        return next();
      }
      // The sign-in form: a temporary password is looked at only in a request cognito-local would take.
      const { client_id: clientId, redirect_uri: redirectUri, response_type: responseType, code_challenge: codeChallenge, code_challenge_method: method, scope = "", state = "", username, password } = body;
      const strings = [clientId, redirectUri, codeChallenge, username, password].every((v) => typeof v === "string" && v !== "") && typeof scope === "string" && typeof state === "string";
      if (!strings || responseType !== "code" || method !== "S256") return next();
      const client = await appClientOf(cognito, ctx, clientId);
      if (!client?.CallbackURLs?.includes(redirectUri)) return next();
      const pool = await poolOf(cognito, ctx, { ClientId: clientId });
      const found = await lockoutUser(cognito, ctx, { ClientId: clientId }, username);
      if (!pool || !found || found.user.UserStatus !== "FORCE_CHANGE_PASSWORD" || found.user.Password !== password) return next();
      if (temporaryPasswordExpired(pool, found.user, clock)) return res.status(200).type("text/html").send(signInPage(body, TEMPORARY_PASSWORD_EXPIRED));
      form(res, {
        clientId,
        userPoolId: client.UserPoolId,
        username: found.user.Username,
        user: found.key,
        redirectUri,
        codeChallenge,
        scope,
        state,
        expires: clock.get().getTime() + authSessionMilliseconds(client),
      }, missingRequiredAttributes(pool, found.user));
    } catch (error) {
      next(error);
    }
  });
  inFrontOf(app, "/oauth2/authorize", "hostedUiNewPassword", "POST");
}

/**
 * The hosted UI's new-password form (hostedUiNewPassword), with its error line as cognito-local's sign-in form has it.
 * Its text is escaped with local/'s one escape (escapeXml: its five entities, `&apos;` among them, are HTML's too).
 */
function newPasswordForm(clientId: string, session: string, required: string[], error?: string): string {
  const attributes = required.map((name) => `  <label>${escapeXml(name)}: <input type="text" name="${escapeXml(USER_ATTRIBUTES_PREFIX + name)}" /></label><br />\n`).join("");
  return `<!DOCTYPE html>
<html>
<head><title>Change password</title></head>
<body>
${error ? `<p style="color:red">${escapeXml(error)}</p>` : ""}
<p>Please enter a new password.</p>
<form method="POST" action="/oauth2/authorize">
  <input type="hidden" name="client_id" value="${escapeXml(clientId)}" />
  <input type="hidden" name="session" value="${escapeXml(session)}" />
  <label>New password: <input type="password" name="new_password" autocomplete="new-password" /></label><br />
  <label>Confirm password: <input type="password" name="confirm_password" autocomplete="new-password" /></label><br />
${attributes}  <button type="submit">Send</button>
</form>
</body>
</html>`;
}

/** The head of cognito-local's sign-in page (its LOGIN_FORM), which hostedUiSignInPage answers escaped. */
const SIGN_IN_PAGE_HEAD = "<!DOCTYPE html>\n<html>\n<head><title>Sign in</title></head>\n<body>\n";

/**
 * cognito-local's hosted sign-in page (GET /oauth2/authorize, and POST /oauth2/authorize's answer to a failed sign-in)
 * writes the request's `client_id`, `redirect_uri`, `code_challenge`, `scope` and `state` into its HTML as they came,
 * unescaped: a link to the emulator with `state="><script>…` ran script in the emulator's origin (reflected XSS; a
 * POST from any page does it too, the form being a simple request). node_modules is not patched, so the page it sends
 * is answered as signInPage, the same page with every value escaped (escapeXml), taken from the request cognito-local
 * read (req.query, req.body: the last handler's, as hostedUiNewPassword's and hostedUiLockout's rewrites) and its error
 * line (cognito-local's, or hostedUiLockout's rewording: this runs in front of it, so sees its answer). The values
 * themselves pass through unchanged: cognito-local refuses a `redirect_uri` not among the client's CallbackURLs (400
 * `invalid_request`, before any page; Cognito's endpoint refuses it too, `redirect_mismatch`) and a `response_type`
 * other than `code`; `state`, the app's own opaque value (whatever characters the app puts in it), and `scope` are never
 * refused for their characters: `state` goes back to the redirect_uri URL-encoded, as Cognito returns it (the
 * authorize endpoint's `state`, https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html).
 * The error line is read from the page's head, which comes before any of the request's values.
 */
function hostedUiSignInPage(app: any): void {
  for (const method of ["GET", "POST"] as const) {
    app[method.toLowerCase()]("/oauth2/authorize", (req: any, res: any, next: () => void) => {
      const send = res.send.bind(res);
      res.send = (body: unknown) => {
        if (typeof body !== "string" || !body.startsWith(SIGN_IN_PAGE_HEAD)) return send(body);
        const head = body.slice(SIGN_IN_PAGE_HEAD.length, body.indexOf("<form "));
        const error = /^<p style="color:red">(.*)<\/p>$/m.exec(head)?.[1];
        return send(signInPage((method === "GET" ? req.query : req.body) ?? {}, error));
      };
      next();
    });
    inFrontOf(app, "/oauth2/authorize", "hostedUiSignInPage", method);
  }
}

/**
 * cognito-local's sign-in page (LOGIN_FORM, cognito-local/lib/oauth2/routes.js) for the request's `params`, its text
 * escaped with local/'s one escape as newPasswordForm's; a value is written as cognito-local wrote it (a repeated
 * parameter's values joined by commas), `code_challenge_method` S256 (the only one cognito-local takes).
 */
function signInPage(params: Record<string, unknown>, error?: string): string {
  const value = (name: string) => escapeXml(params[name] === undefined ? "" : String(params[name]));
  return `${SIGN_IN_PAGE_HEAD}${error ? `<p style="color:red">${escapeXml(error)}</p>` : ""}
<form method="POST" action="/oauth2/authorize">
  <input type="hidden" name="client_id" value="${value("client_id")}" />
  <input type="hidden" name="redirect_uri" value="${value("redirect_uri")}" />
  <input type="hidden" name="response_type" value="code" />
  <input type="hidden" name="code_challenge" value="${value("code_challenge")}" />
  <input type="hidden" name="code_challenge_method" value="S256" />
  <input type="hidden" name="scope" value="${value("scope")}" />
  <input type="hidden" name="state" value="${value("state")}" />
  <label>Username: <input type="text" name="username" /></label><br />
  <label>Password: <input type="password" name="password" /></label><br />
  <button type="submit">Sign in</button>
</form>
</body>
</html>`;
}

/**
 * The user a lockout belongs to: the pool's id and the user's sub, which a user deleted and created again under the same
 * name does not keep (cognito-local gives each new user a new one, as Cognito does), so a new user starts with no
 * failures; the user name stands in for a user without one. The guide: "locks out your user".
 */
function lockoutKey(pool: { options: { Id: string } }, user: User): string {
  return `${pool.options.Id}/${user.Attributes?.find((a) => a.Name === "sub")?.Value ?? user.Username}`;
}

/**
 * The user `username` names (any letter case or alias) in the pool of `req` (poolOf: its ClientId, UserPoolId), with
 * its lockout key; undefined when there is no such pool or user (never locked, no record kept).
 */
async function lockoutUser(cognito: CognitoService, ctx: any, req: any, username: string): Promise<{ key: string; user: User } | undefined> {
  const pool = await poolOf(cognito, ctx, req);
  const user = pool ? await pool.getUserByUsername(ctx, username) : null;
  return pool && user ? { key: lockoutKey(pool, user), user } : undefined;
}

/**
 * Moves the route just registered on `app` (express) in front of the first route for `path` (its `method` one, if
 * given): cognito-local's, or one of ours moved there before, so on a path the one moved last runs first.
 * cognito-local registers its routes inside createServer, after its body parsers, which ours read from.
 */
function inFrontOf(app: any, path: string, ours: string, method?: string): void {
  const stack: Array<{ route?: { path?: string; methods?: Record<string, boolean> } }> = app.router.stack;
  const layer = stack.pop()!;
  const theirs = stack.findIndex((l) => l.route?.path === path && (!method || l.route.methods?.[method.toLowerCase()]));
  if (theirs < 0) throw new Error(`cognito-local's ${method ? `${method} ` : ""}${path} route was not found: ${ours} cannot go in front of it`);
  stack.splice(theirs, 0, layer);
}

/**
 * Usernames (and the email or phone number signed in with) match in any case in a pool whose UsernameConfiguration
 * has CaseSensitive false: "users can sign in with any combination of capital and lowercase letters", and a sign-up
 * of "USER@example.com" is the existing "user@example.com" (UsernameExistsException)
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html).
 * cognito-local keeps the setting but matches exactly. Its targets find users through their pool's `getUserByUsername`,
 * so that is where the match is widened: the exact match first, then one in any case.
 */
function matchUsernamesInAnyCase(cognito: CognitoService): void {
  const widened = new WeakSet<object>();
  const widen = <T extends Awaited<ReturnType<CognitoService["getUserPool"]>>>(pool: T): T => {
    if (widened.has(pool)) return pool;
    widened.add(pool);
    const exact = pool.getUserByUsername.bind(pool);
    pool.getUserByUsername = async (ctx, username) => {
      const found = await exact(ctx, username);
      if (found || pool.options.UsernameConfiguration?.CaseSensitive !== false || typeof username !== "string") return found;
      const wanted = username.toLowerCase();
      const aliases = new Set(["sub", ...(pool.options.UsernameAttributes ?? [])]);
      const match = (await pool.listUsers(ctx)).find(
        (user) => user.Username.toLowerCase() === wanted || (user.Attributes ?? []).some((a) => aliases.has(a.Name) && a.Value?.toLowerCase() === wanted),
      );
      return match ?? null;
    };
    return pool;
  };
  const getUserPool = cognito.getUserPool.bind(cognito);
  const getUserPoolForClientId = cognito.getUserPoolForClientId.bind(cognito);
  cognito.getUserPool = async (ctx, id) => widen(await getUserPool(ctx, id));
  cognito.getUserPoolForClientId = async (ctx, id) => widen(await getUserPoolForClientId(ctx, id));
}

/**
 * An unknown user pool or app client is answered in Cognito's words wherever cognito-local looks one up (its
 * getUserPool and getUserPoolForClientId, which every action of one id goes through): ResourceNotFoundException "User
 * pool <id> does not exist." (aws/aws-aspnet-cognito-identity-provider#135) and "User pool client <id> does not exist."
 * (SignUp's answer in anomalyco/guide#82 and aws-amplify/amplify-flutter#740, AdminInitiateAuth's in
 * aws/aws-sdk-php#2183), as clientOfPool answers a request naming both; cognito-local said "User Pool <id> not found" and
 * "App Client <id> not found".
 */
function notFoundInCognitosWords(cognito: CognitoService): void {
  const reworded = (error: unknown): unknown => {
    if (!(error instanceof CognitoError) || (error as CognitoError & { code: string }).code !== "ResourceNotFoundException") return error;
    const pool = /^User Pool (.*) not found$/.exec(error.message)?.[1];
    const client = /^App Client (.*) not found$/.exec(error.message)?.[1];
    return pool !== undefined ? userPoolNotFound(pool) : client !== undefined ? userPoolClientNotFound(client) : error;
  };
  const getUserPool = cognito.getUserPool.bind(cognito);
  const getUserPoolForClientId = cognito.getUserPoolForClientId.bind(cognito);
  cognito.getUserPool = (ctx, id) => getUserPool(ctx, id).catch((error) => Promise.reject(reworded(error)));
  cognito.getUserPoolForClientId = (ctx, id) => getUserPoolForClientId(ctx, id).catch((error) => Promise.reject(reworded(error)));
}

/**
 * The pool's OIDC discovery document, `<issuer>/.well-known/openid-configuration` ("A directory of the OIDC
 * architecture of your user pool", https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints.html).
 * cognito-local answers it with `http://localhost:9229/...` whatever its address, so a client that discovers the JWKS
 * from the issuer (an OIDC library, a JWT authorizer) looked on the wrong port, and OIDC Discovery 1.0 §4.3 has the
 * `issuer` equal the tokens' `iss`. Answered here, before cognito-local's express app, with this server's address;
 * the OAuth 2.0 endpoints are cognito-local's (on the pool's domain in AWS).
 */
function serveOpenIdConfiguration(server: Server, url: string): void {
  const app = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    const poolId = req.method === "GET" ? /^\/([\w-]+_[0-9a-zA-Z]+)\/\.well-known\/openid-configuration$/.exec((req.url ?? "").split("?")[0])?.[1] : undefined;
    if (!poolId) {
      for (const listener of app) listener(req, res);
      return;
    }
    const issuer = `${url}/${poolId}`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        authorization_endpoint: `${url}/oauth2/authorize`,
        token_endpoint: `${url}/oauth2/token`,
        response_types_supported: ["code", "token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      }),
    );
  });
}

/**
 * A user pool's region: its id is `<region>_<id>` (UserPoolId pattern `[\w-]+_[0-9a-zA-Z]+`,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html; the AWS CLI's
 * example pool `us-west-2_aaaaaaaaa`), as the mocks record it.
 */
function userPoolRegion(userPoolId: string): string {
  return userPoolId.split("_")[0];
}

/**
 * cognito-local calls `lambda.invoke(...).promise()` (AWS SDK v2); answer from the local Lambda runtime.
 * cognito-local swallows a failed post-confirmation trigger (the user stays confirmed, as in AWS, but
 * AWS also fails the API call), so failures are printed here where a developer sees them.
 */
function lambdaShim(invoke: TriggerInvoker, log: (message: string) => void) {
  return {
    invoke(params: { FunctionName: string; Payload: string }) {
      return {
        async promise() {
          // cognito-local names the region "local" in every trigger event; Cognito names the pool's.
          const event = { ...(JSON.parse(params.Payload) as { userPoolId: string; region?: string }) };
          event.region = userPoolRegion(event.userPoolId);
          try {
            const result = await invoke(event.userPoolId, params.FunctionName, event);
            return { StatusCode: 200, Payload: JSON.stringify(result ?? event) };
          } catch (error) {
            const e = error as { errorType?: string; message: string };
            log(`  cognito-local: ${params.FunctionName} trigger failed: ${e.message}`);
            return { StatusCode: 200, FunctionError: "Unhandled", Payload: JSON.stringify({ errorType: e.errorType ?? "Error", errorMessage: handlerErrorMessage(error) }) };
          }
        },
      };
    },
  };
}

/**
 * The handler's own error message, as Lambda returns it in `errorMessage` and Cognito quotes it ("PreSignUp failed with
 * error <errorMessage>."): the local runtime's LambdaInvokeError prefixes it with the function and error type.
 */
function handlerErrorMessage(error: unknown): string {
  if (error instanceof LambdaInvokeError) return error.message.replace(`${error.functionName}: ${error.errorType}: `, "");
  return error instanceof Error ? error.message : String(error);
}

type Route = (ctx: any, req: any) => Promise<any>;

/** The sign-in operations that start a new authentication: the ones that run the pre-authentication trigger. */
const SIGN_IN_OPERATIONS = new Set(["InitiateAuth", "AdminInitiateAuth"]);

/**
 * The pre-authentication trigger, which cognito-local lacks. "Amazon Cognito invokes this trigger when a user attempts
 * to sign in so that you can create custom validation that performs preparatory actions. For example, you can deny the
 * authentication request"; "Renewal of an existing authentication session also doesn't activate this trigger", and
 * with PreventUserExistenceErrors ENABLED (the local app client's setting) it runs for an unknown user too, with
 * `userNotFound` (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-authentication.html).
 * It runs before the password is checked, so a refused user is refused whatever password they typed. A failure
 * refuses the sign-in as Cognito does: UserLambdaValidationException "PreAuthentication failed with error <message>."
 * (the wording of every Cognito trigger failure, which cognito-local also uses for the triggers it runs).
 */
function runPreAuthentication(router: (target: string) => Route, cognito: CognitoService, options: CognitoEmulatorOptions, enabled: (trigger: string) => boolean) {
  return (target: string): Route => {
    const route = router(target);
    if (!SIGN_IN_OPERATIONS.has(target)) return route;
    return async (requestCtx, req) => {
      const flow = String(req?.AuthFlow ?? "");
      const username = req?.AuthParameters?.USERNAME;
      if (enabled("PreAuthentication") && !flow.startsWith("REFRESH_TOKEN") && typeof username === "string") {
        const pool = await poolOf(cognito, requestCtx, req);
        if (pool) {
          const user = await pool.getUserByUsername(requestCtx, username);
          const event = {
            version: "1",
            triggerSource: "PreAuthentication_Authentication",
            region: userPoolRegion(pool.options.Id),
            userPoolId: pool.options.Id,
            userName: user?.Username ?? username,
            callerContext: { awsSdkVersion: "cognito-local", clientId: req.ClientId ?? null },
            request: { userAttributes: user ? attributesToRecord(user.Attributes) : {}, validationData: req.ClientMetadata, ...(user ? {} : { userNotFound: true }) },
            response: {},
          };
          try {
            await options.invokeTrigger(pool.options.Id, "PreAuthentication", event);
          } catch (error) {
            options.log(`  cognito-local: PreAuthentication trigger failed: ${(error as Error).message}`);
            throw new UserLambdaValidationError(`PreAuthentication failed with error ${handlerErrorMessage(error)}.`);
          }
        }
      }
      return route(requestCtx, req);
    };
  };
}

/** The prefix of an attribute's name in NEW_PASSWORD_REQUIRED's `requiredAttributes` and in its answer's ChallengeResponses. */
const USER_ATTRIBUTES_PREFIX = "userAttributes.";

/** The pool's required attributes (its schema's `Required`) that `user` has no value for; `sub` aside, which Cognito sets. */
function missingRequiredAttributes(pool: { options: UserPool }, user: User): string[] {
  return (pool.options.SchemaAttributes ?? []).filter((a) => a.Required && a.Name && a.Name !== "sub" && !attributeValue(a.Name, user.Attributes)).map((a) => a.Name!);
}

/**
 * Cognito's refusal of a new password that leaves a required attribute unset (InvalidParameterException), in the
 * service's wording as clients report it ("Invalid attributes given, name is missing", e.g.
 * aws/aws-sdk-net-extensions-cognito#40, aws-amplify/aws-sdk-android#1402; two named: "Invalid attributes given, name
 * and adress is missing", pmill/aws-cognito#25); not documented. Every missing one is named, joined by " and ", in the
 * pool's schema order: not confirmed for three or more, nor Cognito's order.
 */
const requiredAttributeMissing = (names: string[]) => new InvalidParameterError(`Invalid attributes given, ${names.join(" and ")} is missing`);

/** Attributes a new-password answer never sets: Cognito's own (`sub`) and the verified flags, which only a verification sets here. */
const NOT_SET_AT_NEW_PASSWORD = new Set(["sub", "email_verified", "phone_number_verified"]);

/**
 * Cognito's refusal of a new-password answer that gives a required attribute the user already has: "In a
 * NEW_PASSWORD_REQUIRED challenge response, you can't modify a required attribute that already has a value. In
 * RespondToAuthChallenge, set a value for any keys that Amazon Cognito returned in the requiredAttributes parameter,
 * then use the UpdateUserAttributes API operation to modify the value of any additional attributes"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html,
 * ChallengeResponses, as the service model's text in the SDKs' docs; API_AdminRespondToAuthChallenge.html alike). The
 * exception and wording as the service answered it, NotAuthorizedException "Cannot modify an already provided email"
 * (aws-samples/aws-saas-factory-bootcamp#67; aws/aws-ops-wheel#87 fixed the same by no longer sending
 * userAttributes.email); not documented. Not confirmed: whether the value the user already has is refused too (here
 * any value), and which of this and a missing one Cognito answers first (here this).
 */
const requiredAttributeProvided = (name: string) => new NotAuthorizedError(`Cannot modify an already provided ${name}`);

/**
 * The attributes a new-password answer sets (`userAttributes.<name>` of ChallengeResponses, or of the hosted UI's form):
 * the pool's mutable schema attributes but NOT_SET_AT_NEW_PASSWORD (others, and one kept without `Mutable`, which the
 * service makes immutable (withSchema), are left out); the required ones it leaves
 * missing (missingRequiredAttributes), if any; and the first required one it gives that the user already has
 * (requiredAttributeProvided), if any.
 */
function newPasswordAttributes(pool: { options: UserPool }, user: User, given: Record<string, unknown>): { attributes: Array<{ Name: string; Value: string }>; missing?: string[]; provided?: string } {
  const settable = new Set((pool.options.SchemaAttributes ?? []).filter((a) => a.Name && a.Mutable === true && !NOT_SET_AT_NEW_PASSWORD.has(a.Name)).map((a) => a.Name!));
  const attributes = Object.entries(given)
    .filter(([key, value]) => key.startsWith(USER_ATTRIBUTES_PREFIX) && settable.has(key.slice(USER_ATTRIBUTES_PREFIX.length)) && typeof value === "string" && value !== "")
    .map(([key, value]) => ({ Name: key.slice(USER_ATTRIBUTES_PREFIX.length), Value: value as string }));
  const unset = missingRequiredAttributes(pool, user).filter((name) => !attributes.some((a) => a.Name === name));
  const missing = unset.length > 0 ? unset : undefined;
  const required = new Set((pool.options.SchemaAttributes ?? []).filter((a) => a.Required).map((a) => a.Name));
  const provided = attributes.find((a) => required.has(a.Name) && attributeValue(a.Name, user.Attributes))?.Name;
  return { attributes, missing, provided };
}

/**
 * The NEW_PASSWORD_REQUIRED challenge asks for the pool's required attributes the user lacks, as Cognito does: its
 * `requiredAttributes` (cognito-local: always "[]") lists them, each as `userAttributes.<name>` ("requiredAttributes:
 * list of attributes that must be set by the user along with new password"; the prefix as Cognito's clients strip it,
 * amazon-cognito-identity-js's getNewPasswordRequiredChallengeUserAttributePrefix), and the answer must give each in its
 * ChallengeResponses (`userAttributes.<name>`), else InvalidParameterException (requiredAttributeMissing); one it
 * gives for a required attribute the user already has is refused (requiredAttributeProvided). The attributes an answer
 * gives are set on the user with the new password (cognito-local ignored them), so its tokens carry them. A user created by AdminCreateUser without a required attribute (e.g. email in a pool whose users sign
 * in with a username) meets this at the first sign-in. The hosted UI's new-password form asks for the same
 * (hostedUiNewPassword). An attribute outside the pool's schema or its constraints is refused before (schemaAttributes, schemaProblems). Not confirmed: Cognito's answer to attributes immutable, or not in the
 * app client's WriteAttributes (here left out, newPasswordAttributes).
 */
function requiredAttributesAtNewPassword(router: (target: string) => Route, cognito: CognitoService) {
  const listRequired = async (ctx: any, req: any, answer: any) => {
    if (answer?.ChallengeName !== "NEW_PASSWORD_REQUIRED") return answer;
    const pool = await poolOf(cognito, ctx, req);
    const user = pool ? await pool.getUserByUsername(ctx, String(answer.ChallengeParameters?.USER_ID_FOR_SRP ?? "")) : null;
    if (!pool || !user) return answer;
    const requiredAttributes = JSON.stringify(missingRequiredAttributes(pool, user).map((name) => `${USER_ATTRIBUTES_PREFIX}${name}`));
    return { ...answer, ChallengeParameters: { ...answer.ChallengeParameters, requiredAttributes } };
  };
  return (target: string): Route => {
    const route = router(target);
    if (SIGN_IN_OPERATIONS.has(target)) return async (ctx, req) => listRequired(ctx, req, await route(ctx, req));
    if (!CHALLENGE_OPERATIONS.has(target)) return route;
    return async (ctx, req) => {
      const responses = req?.ChallengeResponses;
      if (req?.ChallengeName === "NEW_PASSWORD_REQUIRED" && typeof responses?.USERNAME === "string" && typeof responses.NEW_PASSWORD === "string" && responses.NEW_PASSWORD !== "") {
        const pool = await poolOf(cognito, ctx, req);
        const user = pool ? await pool.getUserByUsername(ctx, responses.USERNAME) : null;
        if (pool && user?.UserStatus === "FORCE_CHANGE_PASSWORD") {
          const { attributes, missing, provided } = newPasswordAttributes(pool, user, responses);
          if (provided) throw requiredAttributeProvided(provided);
          if (missing) throw requiredAttributeMissing(missing);
          if (attributes.length > 0) await pool.saveUser(ctx, { ...user, Attributes: attributesAppend(user.Attributes, ...attributes) });
        }
      }
      return listRequired(ctx, req, await route(ctx, req));
    };
  };
}

/** The operations that answer a challenge, with the session InitiateAuth (or the last answer) gave. */
const CHALLENGE_OPERATIONS = new Set(["RespondToAuthChallenge", "AdminRespondToAuthChallenge"]);

/** What a challenge's session stands for: the challenge, the sign-in's app client and user (lockoutKey), and when it stops being good (ms). */
interface ChallengeSession {
  challenge: string;
  clientId: string;
  user: string;
  expires: number;
}

/**
 * A challenge's `Session` (InitiateAuth's, AdminInitiateAuth's or RespondToAuthChallenge's answer with a ChallengeName,
 * e.g. NEW_PASSWORD_REQUIRED) is good for the app client's AuthSessionValidity (authSessionMilliseconds, 3 minutes
 * unless the client says otherwise), for that challenge, client and user, and once: "Amazon Cognito creates a session
 * token for each API request in an authentication flow. AuthSessionValidity is the duration, in minutes, of that
 * session token. Your user pool native user must respond to each authentication challenge before the session expires"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html).
 * cognito-local hands out a random UUID and takes any string back, at any time, for any ChallengeName (its SMS_MFA
 * compares a user's absent code with an absent answer: tokens for a NEW_PASSWORD_REQUIRED session, the temporary
 * password never changed). An unknown, expired, used, another challenge's, or another client's or user's session is
 * refused: NotAuthorizedException INVALID_SESSION ("Invalid session for the user, session is expired.", the service's
 * wording, which the hosted UI's new-password form uses too). A session is taken (OpenSessions) before anything of the
 * answer is awaited, so of answers sent together with one session one goes on, the others are refused; it is used up
 * by an answer that goes on (tokens or the next challenge, with its own session); a refused answer (e.g. a new password
 * the policy rejects, another user's) puts it back to be tried again until it expires. Sessions live in memory, at
 * most MAX_OPEN_SESSIONS (./cognito-sessions): a restart of the emulator ends them (the user signs in again). Not
 * confirmed: that Cognito keeps a session after a refused answer, and its answer to another challenge's, client's or
 * user's session (here the same refusal). An answer without a ChallengeName is refused before its session is looked at
 * (modelValidation), the session left.
 */
function challengeSessions(router: (target: string) => Route, cognito: CognitoService, clock: Clock) {
  const sessions = new OpenSessions<ChallengeSession>(clock);
  const open = async (ctx: any, req: any, answer: any) => {
    if (typeof answer?.Session !== "string" || !answer.ChallengeName) return answer;
    const client = await appClientOf(cognito, ctx, req?.ClientId);
    const found = await lockoutUser(cognito, ctx, req, String(answer.ChallengeParameters?.USER_ID_FOR_SRP ?? ""));
    if (!client || !found) return answer;
    sessions.put(answer.Session, { challenge: String(answer.ChallengeName), clientId: client.ClientId, user: found.key, expires: clock.get().getTime() + authSessionMilliseconds(client) });
    return answer;
  };
  return (target: string): Route => {
    const route = router(target);
    if (SIGN_IN_OPERATIONS.has(target)) return async (ctx, req) => open(ctx, req, await route(ctx, req));
    if (!CHALLENGE_OPERATIONS.has(target)) return route;
    return async (ctx, req) => {
      const token = req?.Session;
      if (typeof token !== "string" || token === "") return route(ctx, req); // cognito-local's "Missing required parameter Session"
      const entry = sessions.take(token); // before any await: answers sent together get it once
      if (!entry) throw new NotAuthorizedError(INVALID_SESSION);
      let answer: unknown;
      try {
        const username = req?.ChallengeResponses?.USERNAME;
        const found = typeof username === "string" ? await lockoutUser(cognito, ctx, req, username) : undefined;
        if (entry.challenge !== req.ChallengeName || entry.clientId !== req.ClientId || (found && found.key !== entry.user)) throw new NotAuthorizedError(INVALID_SESSION);
        answer = await route(ctx, req);
      } catch (error) {
        sessions.put(token, entry);
        throw error;
      }
      return open(ctx, req, answer);
    };
  };
}

/** The sign-in flows that check a user's password in one call (InitiateAuth / AdminInitiateAuth). */
const PASSWORD_FLOWS = new Set(["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"]);

/** Cognito's answer to a wrong password, and to an unknown user under PreventUserExistenceErrors ENABLED. */
const incorrectUsernameOrPassword = () => new CognitoError("NotAuthorizedException", "Incorrect username or password.");

/**
 * A password sign-in of a user with a temporary password (FORCE_CHANGE_PASSWORD: AdminCreateUser's TemporaryPassword)
 * checks it: cognito-local answers the NEW_PASSWORD_REQUIRED challenge, with a session to set a new password, to any
 * password at all (initiateAuth.js looks at the status before the password), so anyone knowing the name took the account
 * over, and no wrong one counted towards a lockout. A wrong one is cognito-local's wrong-password error, which
 * userExistenceErrors words as Cognito does ("Incorrect username or password.", NotAuthorizedException: "Amazon Cognito
 * returns a generic NotAuthorizedException error indicating either the user name or password is incorrect",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html) and
 * lockOutFailedSignIns counts. Innermost: every other layer sees the answer cognito-local gives a wrong password.
 * The right one past the pool's TemporaryPasswordValidityDays (temporaryPasswordExpired) is refused, NotAuthorizedException
 * TEMPORARY_PASSWORD_EXPIRED, not counted; AdminSetUserPassword's temporary password (Permanent false) records when it
 * was set, which that counts from. AdminInitiateAuth answers the right one with the NEW_PASSWORD_REQUIRED challenge, as
 * InitiateAuth does (cognito-local's handed out tokens, the temporary password working as a permanent one): "When the
 * user next tries to sign in, the InitiateAuth/AdminInitiateAuth response will contain the NEW_PASSWORD_REQUIRED
 * challenge" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserPassword.html);
 * AdminRespondToAuthChallenge answers it (adminRespondToAuthChallenge).
 */
function checkTemporaryPasswords(router: (target: string) => Route, cognito: CognitoService, clock: Clock) {
  return (target: string): Route => {
    const route = router(target);
    if (target === "AdminSetUserPassword") {
      return async (ctx, req) => {
        const answer = await route(ctx, req);
        if (req?.Permanent !== true) {
          const pool = await poolOf(cognito, ctx, req);
          const user = pool && typeof req.Username === "string" ? await pool.getUserByUsername(ctx, req.Username) : null;
          if (pool && user) await pool.saveUser(ctx, { ...user, TemporaryPasswordDate: clock.get() } as User);
        }
        return answer;
      };
    }
    if (!SIGN_IN_OPERATIONS.has(target)) return route;
    return async (ctx, req) => {
      const username = req?.AuthParameters?.USERNAME;
      if (PASSWORD_FLOWS.has(String(req?.AuthFlow ?? "")) && typeof username === "string") {
        const pool = await poolOf(cognito, ctx, req);
        const user = pool ? await pool.getUserByUsername(ctx, username) : null;
        if (pool && user?.UserStatus === "FORCE_CHANGE_PASSWORD") {
          if (user.Password !== req.AuthParameters.PASSWORD) throw new InvalidPasswordError();
          if (temporaryPasswordExpired(pool, user, clock)) throw new NotAuthorizedError(TEMPORARY_PASSWORD_EXPIRED);
          if (target === "AdminInitiateAuth") return newPasswordChallenge(user);
        }
      }
      return route(ctx, req);
    };
  };
}

/**
 * AdminCreateUser with MessageAction RESEND, which cognito-local refuses for every user (UnsupportedError, HTTP 500):
 * "Set to RESEND to resend the invitation message to a user that already exists, and to reset the temporary-password
 * duration with a new temporary password" (MessageAction,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html); "To reset the
 * account after that time limit, you must call AdminCreateUser again and specify RESEND" (its TemporaryPassword). So
 * for a user still in FORCE_CHANGE_PASSWORD: a new temporary password (the request's TemporaryPassword, or one made up
 * as cognito-local's AdminCreateUser makes one; enforcePasswordPolicy checks a given one first), its validity counted
 * from now (TemporaryPasswordDate, what temporaryPasswordExpired reads), and the invitation delivered again as
 * cognito-local's AdminCreateUser delivers it (DesiredDeliveryMediums, SMS by default; the captured code is the
 * password). Answers the user as AdminCreateUser does. A user in another status: UnsupportedUserStateException, worded
 * "Resend not possible. <username> status is not FORCE_CHANGE_PASSWORD" as other emulators have it from the service
 * (not in AWS's documentation: not confirmed); an unknown user: UserNotFoundException (not confirmed either). Not
 * emulated: the request's UserAttributes are not applied to the existing user (what Cognito does with them on RESEND is
 * not documented).
 */
function resendInvitations(router: (target: string) => Route, services: { cognito: CognitoService; messages: MessagesService; clock: Clock }) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "AdminCreateUser") return route;
    return async (ctx, req) => {
      // A request without its required Username never comes here (modelValidation; cognito-local stored a user without one).
      if (req.MessageAction !== "RESEND") return route(ctx, req);
      const pool = await poolOf(services.cognito, ctx, req);
      const user = pool ? await pool.getUserByUsername(ctx, req.Username) : null;
      if (!pool || !user) throw new UserNotFoundError("User does not exist.");
      if (user.UserStatus !== "FORCE_CHANGE_PASSWORD") {
        throw new CognitoError("UnsupportedUserStateException", `Resend not possible. ${user.Username} status is not FORCE_CHANGE_PASSWORD`);
      }
      // cognito-local's AdminCreateUser picks the medium as this exported helper does, which names the attributes.
      const mediums: unknown[] = Array.isArray(req.DesiredDeliveryMediums) ? req.DesiredDeliveryMediums : ["SMS"];
      const delivery = selectAppropriateDeliveryMethod([...(mediums.includes("SMS") ? ["phone_number"] : []), ...(mediums.includes("EMAIL") ? ["email"] : [])], user);
      if (!delivery) throw new InvalidParameterError("User has no attribute matching desired delivery mediums");
      const now = services.clock.get();
      const password: string = req.TemporaryPassword ?? process.env.CODE ?? randomBytes(6).toString("base64url").slice(0, 6);
      const resent: UserWithTemporaryPasswordDate = { ...user, Password: password, TemporaryPasswordDate: now, UserLastModifiedDate: now };
      await pool.saveUser(ctx, resent);
      await services.messages.deliver(ctx, "AdminCreateUser", null, pool.options.Id, resent, password, req.ClientMetadata, delivery);
      return { User: userToResponseObject(resent) };
    };
  };
}

/**
 * The NEW_PASSWORD_REQUIRED challenge for `user`, as cognito-local's InitiateAuth answers it (its initiateAuth.js
 * newPasswordChallenge, not exported; requiredAttributesAtNewPassword fills in `requiredAttributes`, challengeSessions
 * keeps the session).
 */
function newPasswordChallenge(user: User) {
  return {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    ChallengeParameters: { USER_ID_FOR_SRP: user.Username, requiredAttributes: "[]", userAttributes: JSON.stringify(attributesToRecord(user.Attributes)) },
    Session: randomUUID(),
  };
}

/**
 * AdminRespondToAuthChallenge, which cognito-local lacks ("Unsupported x-amz-target header"), answered as its
 * RespondToAuthChallenge: the same request but for the UserPoolId ("AdminRespondToAuthChallenge ... Responds to an
 * authentication challenge, as an administrator",
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminRespondToAuthChallenge.html),
 * and its ClientId names the pool. Here for the NEW_PASSWORD_REQUIRED challenge AdminInitiateAuth answers a temporary
 * password with (checkTemporaryPasswords); the other layers treat it as RespondToAuthChallenge (CHALLENGE_OPERATIONS,
 * PASSWORD_FIELDS, TOKEN_OPERATIONS).
 */
function adminRespondToAuthChallenge(router: (target: string) => Route) {
  return (target: string): Route => router(target === "AdminRespondToAuthChallenge" ? "RespondToAuthChallenge" : target);
}

/**
 * Cognito's answer to a request outside its model's constraints: InvalidParameterException "<n> validation error(s)
 * detected: <problem>; <problem>", every problem counted (e.g. "1 validation error detected: Value
 * 'phone_number_verified' at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or
 * equal to 20", the service's answer quoted in aws/aws-cdk#14175).
 */
function validationErrors(problems: string[]): InvalidParameterError {
  return new InvalidParameterError(`${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`);
}

/**
 * A user attribute's constraints (AttributeType, "Name ... Length Constraints: Minimum length of 1. Maximum length of 32.
 * Pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+ Required: Yes; Value ... Length Constraints: Maximum length of 2048",
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AttributeType.html; the same in
 * AWS::Cognito::UserPoolUser AttributeType). The pattern takes tabs, line breaks and spaces: the page keeps the older
 * [\p{L}\p{M}\p{S}\p{N}\p{P}]+ only for "some older user pools ... created before May 2024" in listed Regions, and a pool
 * deployed now is a new one. The API documents no limit on the number of attributes in a list. The pattern must match
 * the whole name (here anchored): Smithy's pattern trait alone is unanchored (a part of the string may match,
 * smithy-lang/smithy docs/source-2.0/spec/constraint-traits.rst), but the service refused names with letters in them
 * as outside the (older) pattern (its answer quoted in aws-amplify/amplify-flutter#3125, 2023).
 */
const ATTRIBUTE = { name: { min: 1, max: 32, pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+$/u, patternText: "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+" }, value: { max: 2048 } };

/** One attribute of a request: its name and value, and where each is in the request (`nameAt` absent: the name is not a member to check). */
interface RequestAttribute {
  name: unknown;
  value?: unknown;
  nameAt?: string;
  valueAt?: string;
  /** Not an attribute the request sets (a ValidationData entry, data for the triggers; a name to delete or verify): not checked against the schema. */
  notSet?: true;
}

/**
 * Where `attributes` break AttributeType's constraints (ATTRIBUTE), in the model validation's words. Lengths count
 * characters (code points), not UTF-16 units, as Smithy's length trait counts a string ("The number of Unicode scalar
 * values", constraint-traits.rst): not confirmed that Cognito's service counts so. The value is left out of its problem
 * ("Value at '...'"), as the service model marks AttributeValueType sensitive (the SDKs' AttributeTypeFilterSensitiveLog
 * hides it), and the service leaves a sensitive member's value out so ("1 validation error detected: Value at
 * 'password' failed to satisfy constraint: ...", its answer quoted in aws-amplify/amplify-js#3723); not confirmed for
 * an attribute's value.
 */
function attributeProblems(attributes: RequestAttribute[]): string[] {
  // The members' JSON types are checked before (answerApiRequests): strings or null; a required name that is null or
  // absent is the model's missing member (modelValidation).
  const problems: string[] = [];
  // `shown`: the value as the problem quotes it ("'x'", or "" for a sensitive one).
  const failed = (shown: string, at: string, constraint: string) => problems.push(`Value ${shown ? `${shown} ` : ""}at '${at}' failed to satisfy constraint: ${constraint}`);
  for (const { name, value, nameAt, valueAt } of attributes) {
    if (nameAt !== undefined && typeof name === "string") {
      // The pattern's problem before the length's, as the service lists them for one name ("Value '...' at
      // 'userAttributes.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern:
      // ...; Value '...' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less
      // than or equal to 32", the service's answer quoted in aws-amplify/amplify-flutter#3125). Not confirmed: whether
      // it adds the pattern's problem for an empty name (here only the length's).
      const length = [...name].length;
      if (length > 0 && !ATTRIBUTE.name.pattern.test(name)) failed(`'${name}'`, nameAt, `Member must satisfy regular expression pattern: ${ATTRIBUTE.name.patternText}`);
      if (length < ATTRIBUTE.name.min) failed(`'${name}'`, nameAt, `Member must have length greater than or equal to ${ATTRIBUTE.name.min}`);
      if (length > ATTRIBUTE.name.max) failed(`'${name}'`, nameAt, `Member must have length less than or equal to ${ATTRIBUTE.name.max}`);
    }
    if (typeof value === "string" && valueAt !== undefined && [...value].length > ATTRIBUTE.value.max) failed("", valueAt, `Member must have length less than or equal to ${ATTRIBUTE.value.max}`);
  }
  return problems;
}

/** The actions that take lists of user attributes (AttributeType), and those lists' members. */
const ATTRIBUTE_LISTS = new Map<string, string[]>([
  ["SignUp", ["UserAttributes", "ValidationData"]],
  ["AdminCreateUser", ["UserAttributes", "ValidationData"]],
  ["UpdateUserAttributes", ["UserAttributes"]],
  ["AdminUpdateUserAttributes", ["UserAttributes"]],
]); // a Map: a target named as an object's built-in member (constructor) is no action of these

/**
 * The actions that name user attributes without values, and the member that names them: AdminDeleteUserAttributes'
 * and DeleteUserAttributes' UserAttributeNames ("Type: Array of strings Length Constraints: Minimum length of 1. Maximum
 * length of 32. Pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+",
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDeleteUserAttributes.html),
 * VerifyUserAttribute's and GetUserAttributeVerificationCode's AttributeName (AttributeNameType, the same). Checked by
 * AttributeType's name constraints (ATTRIBUTE.name: the same lengths and characters, and AttributeType's newer pattern,
 * which also takes tabs, line breaks and spaces): the copies of these actions' pages found predate AttributeType's
 * May 2024 change, so not confirmed whether these members take the newer pattern too. Where the problem is
 * ('userAttributeNames.<n>.member', 'attributeName'), as the model validation names members; not confirmed. The names
 * are not checked against the pool's schema (Cognito's answer to an unknown one not confirmed).
 */
const ATTRIBUTE_NAMES = new Map<string, string>([
  ["AdminDeleteUserAttributes", "UserAttributeNames"],
  ["DeleteUserAttributes", "UserAttributeNames"],
  ["VerifyUserAttribute", "AttributeName"],
  ["GetUserAttributeVerificationCode", "AttributeName"],
]);

/** The attributes of `req` for `target` (ATTRIBUTE_LISTS' lists, a NEW_PASSWORD_REQUIRED answer's `userAttributes.<name>`), each with where it is. */
function requestAttributes(target: string, req: any): RequestAttribute[] {
  const listed = (ATTRIBUTE_LISTS.get(target) ?? []).flatMap((member) =>
    (Array.isArray(req?.[member]) ? (req[member] as Array<{ Name?: unknown; Value?: unknown } | null>) : []).map((a, i) => {
      const at = `${lowerFirst(member)}.${i + 1}.member`;
      return { name: a?.Name, value: a?.Value, nameAt: `${at}.name`, valueAt: `${at}.value`, ...(member === "ValidationData" ? { notSet: true as const } : {}) };
    }),
  );
  const member = ATTRIBUTE_NAMES.get(target);
  const names: RequestAttribute[] =
    member === "AttributeName"
      ? [{ name: req?.AttributeName, nameAt: "attributeName", notSet: true }]
      : member && Array.isArray(req?.[member])
        ? (req[member] as unknown[]).map((name, i) => ({ name, nameAt: `${lowerFirst(member)}.${i + 1}.member`, notSet: true as const }))
        : [];
  const responses = CHALLENGE_OPERATIONS.has(target) && req?.ChallengeName === "NEW_PASSWORD_REQUIRED" && req.ChallengeResponses && typeof req.ChallengeResponses === "object" ? req.ChallengeResponses : {};
  return [...listed, ...names, ...newPasswordAnswerAttributes(responses, "challengeResponses.")];
}

/** The `userAttributes.<name>` of a new-password answer (ChallengeResponses, or the hosted UI's form), each at `<at><field>`. */
function newPasswordAnswerAttributes(given: Record<string, unknown>, at: string): RequestAttribute[] {
  return Object.entries(given)
    .filter(([key]) => key.startsWith(USER_ATTRIBUTES_PREFIX))
    .map(([key, value]) => ({ name: key.slice(USER_ATTRIBUTES_PREFIX.length), value, valueAt: `${at}${key}` }));
}

/** A request member's name as the model validation's problems name it ('userPoolId', 'userAttributes.1.member.name'). */
const lowerFirst = (member: string) => `${member[0].toLowerCase()}${member.slice(1)}`;

/**
 * Where `value` lacks a member its shape (`schema`, the SDK model's) requires, within the structures and lists it holds,
 * at `at` (the member's path, "" for the request): a problem each, in the model validation's words ("Value null at
 * '<member>' failed to satisfy constraint: Member must not be null", the service's answer quoted in
 * amazon-archives/amazon-cognito-auth-js#65). A structure's schema in the SDK's model is `[3, namespace, name, traits,
 * memberNames, memberSchemas, requiredMemberCount]`, its required members first (e.g. CreateGroupRequest's GroupName and
 * UserPoolId, "Required: Yes" on
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html): a schema without
 * that count requires nothing. A list's items are `<list>.<n>.member`. Map values are not looked into (Cognito's maps
 * are of strings).
 */
function missingMemberProblems(schema: NormalizedSchema, value: unknown, at: string): string[] {
  if (typeof value !== "object" || value === null) return [];
  if (schema.isListSchema()) return Array.isArray(value) ? value.flatMap((item, i) => missingMemberProblems(schema.getValueSchema(), item, `${at}.${i + 1}.member`)) : [];
  if (!schema.isStructSchema() || Array.isArray(value)) return [];
  const raw = schema.getSchema();
  const required = Array.isArray(raw) && typeof raw[6] === "number" ? raw[6] : 0;
  const problems: string[] = [];
  let index = 0;
  for (const [name, member] of schema.structIterator()) {
    const memberAt = at ? `${at}.${lowerFirst(name)}` : lowerFirst(name);
    const given = (value as Record<string, unknown>)[name];
    if (index++ < required && (given === undefined || given === null)) problems.push(`Value null at '${memberAt}' failed to satisfy constraint: Member must not be null`);
    else problems.push(...missingMemberProblems(member, given, memberAt));
  }
  return problems;
}

/**
 * The length and pattern constraints of the members that name a pool, an app client or a user in nearly every action,
 * as the API reference gives them: UserPoolId "Minimum length of 1. Maximum length of 55. Pattern: [\w-]+_[0-9a-zA-Z]+",
 * ClientId "Minimum length of 1. Maximum length of 128. Pattern: [\w+]+"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientDescription.html, the
 * same on every action's page), Username at most 128 characters (UsernameType, the SDKs' generated checks, e.g. the
 * Dart aws_client's adminGetUser). The service quotes the value it refuses ("Value 'ap-northeast-1_xxxxxxxxx' at
 * 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: ...", boto/boto3#3581); a
 * username's is left out, as the model marks it sensitive as it does a password, whose value the service leaves out
 * (attributeProblems): not confirmed for a username. Username's pattern is not checked (whether it takes spaces since
 * AttributeType's May 2024 change is not confirmed). cognito-local took any: a 5,000-character ClientId was looked up.
 */
const MEMBER_CONSTRAINTS = new Map<string, { min: number; max: number; pattern?: RegExp; patternText?: string; sensitive?: true }>([
  ["UserPoolId", { min: 1, max: 55, pattern: /^[\w-]+_[0-9a-zA-Z]+$/, patternText: "[\\w-]+_[0-9a-zA-Z]+" }],
  ["ClientId", { min: 1, max: 128, pattern: /^[\w+]+$/, patternText: "[\\w+]+" }],
  ["Username", { min: 1, max: 128, sensitive: true }],
]);

/** Where the request's top-level members break MEMBER_CONSTRAINTS (the pattern's problem before the length's, as attributeProblems). */
function memberConstraintProblems(input: NormalizedSchema, req: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name] of input.structIterator()) {
    const constraint = MEMBER_CONSTRAINTS.get(name);
    const value = req[name];
    if (!constraint || typeof value !== "string") continue;
    const failed = (rule: string) => problems.push(`Value ${constraint.sensitive ? "" : `'${value}' `}at '${lowerFirst(name)}' failed to satisfy constraint: ${rule}`);
    const length = [...value].length;
    if (constraint.pattern && length > 0 && !constraint.pattern.test(value)) failed(`Member must satisfy regular expression pattern: ${constraint.patternText}`);
    if (length < constraint.min) failed(`Member must have length greater than or equal to ${constraint.min}`);
    if (length > constraint.max) failed(`Member must have length less than or equal to ${constraint.max}`);
  }
  return problems;
}

/**
 * The enumerations whose members the model validation checks here, by action, each at its member's path: AuthFlowType,
 * ChallengeNameType, MessageActionType, and an app client's TimeUnitsType (TokenValidityUnits'), ExplicitAuthFlowsType
 * and OAuthFlowType lists (the values as the SDK's model lists them). Cognito refuses another value: "Value '<value>' at
 * '<member>' failed to satisfy constraint: Member must satisfy enum value set: [<values>]", and for a list "Value
 * '[<items>]' at '<member>' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum
 * value set: [<values>]]" (the service's wording for explicitAuthFlows, quoted in aws-solutions/media-insights-on-aws#199);
 * the values' order in Cognito's message is not confirmed (here the SDK's). cognito-local answered an unknown AuthFlow
 * or ChallengeName with an HTTP 500 ("Cognito Local unsupported feature: ..."), and stored any unit, so a client with
 * TokenValidityUnits "weeks" failed every later sign-in with an HTTP 500 (tokenLifetimes).
 */
const ENUM_MEMBERS = (() => {
  const flows = Object.values(cognitoModel.AuthFlowType);
  const challenges = Object.values(cognitoModel.ChallengeNameType);
  const units = Object.values(cognitoModel.TimeUnitsType);
  const client: Array<[path: string[], values: readonly string[]]> = [
    ...["AccessToken", "IdToken", "RefreshToken"].map((token): [string[], readonly string[]] => [["TokenValidityUnits", token], units]),
    [["ExplicitAuthFlows"], Object.values(cognitoModel.ExplicitAuthFlowsType)],
    [["AllowedOAuthFlows"], Object.values(cognitoModel.OAuthFlowType)],
  ];
  return new Map<string, Array<[path: string[], values: readonly string[]]>>([
    ["InitiateAuth", [[["AuthFlow"], flows]]],
    ["AdminInitiateAuth", [[["AuthFlow"], flows]]],
    ["RespondToAuthChallenge", [[["ChallengeName"], challenges]]],
    ["AdminRespondToAuthChallenge", [[["ChallengeName"], challenges]]],
    ["AdminCreateUser", [[["MessageAction"], Object.values(cognitoModel.MessageActionType)]]],
    ["CreateUserPoolClient", client],
    ["UpdateUserPoolClient", client],
  ]);
})();

/** Where `req`'s members break ENUM_MEMBERS' enumerations for `target` (the JSON types are checked before: strings, lists of strings). */
function enumProblems(target: string, req: unknown): string[] {
  return (ENUM_MEMBERS.get(target) ?? []).flatMap(([path, values]) => {
    const value = path.reduce<unknown>((node, member) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[member] : undefined), req);
    const at = path.map(lowerFirst).join(".");
    const set = `Member must satisfy enum value set: [${values.join(", ")}]`;
    if (typeof value === "string") return values.includes(value) ? [] : [`Value '${value}' at '${at}' failed to satisfy constraint: ${set}`];
    if (Array.isArray(value) && value.some((item) => typeof item === "string" && !values.includes(item))) {
      return [`Value '[${value.join(", ")}]' at '${at}' failed to satisfy constraint: Member must satisfy constraint: [${set}]`];
    }
    return [];
  });
}

/**
 * The AuthFlowType values a sign-in action does not take: "ADMIN_USER_PASSWORD_AUTH is a flow type of AdminInitiateAuth
 * and isn't valid for InitiateAuth. ADMIN_NO_SRP_AUTH is a legacy server-side username-password flow and isn't valid for
 * InitiateAuth" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html,
 * AuthFlow); "USER_PASSWORD_AUTH is a flow type of InitiateAuth and isn't valid for AdminInitiateAuth"
 * (API_AdminInitiateAuth.html). Cognito answers them InvalidParameterException "Initiate Auth method not supported", as
 * moto emulates it from AWS's answer (getmoto/moto#4836, after #4623); cognito-local answered an HTTP 500.
 */
const FLOWS_OF_THE_OTHER_ACTION = new Map<string, Set<string>>([
  ["InitiateAuth", new Set(["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])],
  ["AdminInitiateAuth", new Set(["USER_PASSWORD_AUTH"])],
]);

/**
 * Cognito's model validation, before anything else looks at a request (cognito-local has none): every action's
 * required members (missingMemberProblems, read from the SDK's model of the action's input by the ModelInputs
 * answerApiRequests checks the JSON types with; an action the model lacks, or a model that cannot be read, goes on unchecked), MEMBER_CONSTRAINTS (UserPoolId,
 * ClientId, Username), ENUM_MEMBERS' values, and the user
 * attributes' AttributeType constraints (attributeProblems: SignUp, AdminCreateUser, (Admin)UpdateUserAttributes, a
 * NEW_PASSWORD_REQUIRED answer's `userAttributes.<name>`, and the attribute names of the actions that name them) are
 * answered together, InvalidParameterException "<n> validation error(s) detected: ..." (validationErrors), nothing
 * stored. Before, cognito-local answered a missing member as it happened to: an HTTP 500 (AdminAddUserToGroup without
 * GroupName, AddCustomAttributes without CustomAttributes, DescribeUserPoolClient without either id, AdminInitiateAuth
 * without AuthFlow), a group stored without a name (CreateGroup), or another error. Then a sign-in action's flow of the
 * other action (FLOWS_OF_THE_OTHER_ACTION). Not confirmed: the order of the problems in Cognito's message (here the
 * missing members, the members' constraints, the enumerations, the attributes; each in the request's order), and Cognito's wording for a
 * NEW_PASSWORD_REQUIRED answer's attribute (ChallengeResponses is a map of strings without a length constraint in the
 * model; here the attribute's limit, at 'challengeResponses.userAttributes.<name>').
 */
function modelValidation(router: (target: string) => Route, inputs: ModelInputs) {
  // cognito-local builds the route (this layer's outer function) on every request: each action's input is read once (ModelInputs).
  return (target: string): Route => {
    const route = router(target);
    return async (ctx, req) => {
      const members = inputs.check(target, (input) => [...missingMemberProblems(input, req ?? {}, ""), ...memberConstraintProblems(input, req ?? {})]) ?? [];
      const problems = [...members, ...enumProblems(target, req), ...attributeProblems(requestAttributes(target, req))];
      if (problems.length > 0) throw validationErrors(problems);
      if (FLOWS_OF_THE_OTHER_ACTION.get(target)?.has(req?.AuthFlow)) throw new InvalidParameterError("Initiate Auth method not supported");
      return route(ctx, req);
    };
  };
}

/**
 * The user attributes a request sets (SignUp, AdminCreateUser, UpdateUserAttributes, AdminUpdateUserAttributes; the
 * NEW_PASSWORD_REQUIRED answer of RespondToAuthChallenge and AdminRespondToAuthChallenge, whose
 * `userAttributes.<name>` set attributes), past the model's constraints (modelValidation), must be in the pool's schema
 * and its constraints (schemaProblems, schemaRefusal; cognito-local's SignUp, AdminCreateUser and new-password answers stored any
 * name; its (Admin)UpdateUserAttributes refused the first only, without the line break, and still answer within
 * for an immutable one: "user.sub: Attribute cannot be updated. (changing an immutable attribute)"), and SignUp and
 * AdminCreateUser may not give `sub` (UNAUTHORIZED_ATTRIBUTE). Nothing is stored when one is refused.
 */
function schemaAttributes(router: (target: string) => Route, cognito: CognitoService) {
  return (target: string): Route => {
    const route = router(target);
    if (!ATTRIBUTE_LISTS.has(target) && !CHALLENGE_OPERATIONS.has(target)) return route;
    return async (ctx, req) => {
      const attributes = requestAttributes(target, req);
      // undefined: no attributes to check, or an unknown pool or client, which the layers within answer
      const pool = attributes.some((a) => !a.notSet) ? await poolOf(cognito, ctx, req) : undefined;
      const unfit = pool ? schemaProblems(pool, attributes) : [];
      if (unfit.length > 0) throw schemaRefusal(unfit, target === "SignUp" || target === "AdminCreateUser" ? "create" : "update");
      if (pool && (target === "SignUp" || target === "AdminCreateUser") && attributes.some((a) => !a.notSet && a.name === "sub")) throw new NotAuthorizedError(UNAUTHORIZED_ATTRIBUTE);
      return route(ctx, req);
    };
  };
}

/**
 * Cognito's answer (NotAuthorizedException) to an attribute the caller may not write: one outside the app client's
 * WriteAttributes (clientWriteAttributes), and the user's `sub` in SignUp or AdminCreateUser, which Cognito generates
 * (cognito-local kept the caller's, so a user could sign up as another's sub, the key of the app's data). `sub` is not a writable
 * attribute; a client writing one it may not is answered "A client attempted to write unauthorized attribute"
 * (NotAuthorizedException; SignUp with email_verified, aws/aws-sdk-js#3603). Not confirmed: that Cognito answers
 * `sub` so, and AdminCreateUser's answer (here the same); (Admin)UpdateUserAttributes' is cognito-local's immutable
 * answer ("user.sub: Attribute cannot be updated. (changing an immutable attribute)").
 */
const UNAUTHORIZED_ATTRIBUTE = "A client attempted to write unauthorized attribute";

/** The attributes a client without WriteAttributes may not write: the verified flags, which only verification (or an administrator) sets. */
const UNLISTED_NOT_WRITABLE = new Set(["email_verified", "phone_number_verified"]);

/**
 * An app client that lists WriteAttributes may write only those: "The list of user attributes that you want your app
 * client to have write access to. After your user authenticates in your app, their access token authorizes them to set
 * or modify their own attribute value for any attribute in this list"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html). So SignUp
 * through the client (its ClientId) and UpdateUserAttributes with an access token it issued (its `client_id`) giving
 * another attribute are refused, NotAuthorizedException UNAUTHORIZED_ATTRIBUTE's "A client attempted to write unauthorized
 * attribute" (the service's answer to SignUp, aws/aws-sdk-js#1319, aws-amplify/aws-sdk-ios#3483; to UpdateUserAttributes
 * not confirmed), nothing stored; cognito-local kept the list (Create/UpdateUserPoolClient) and never read it. A client
 * without the list (or an empty one) may write every attribute but the verified flags (UNLISTED_NOT_WRITABLE): "When you
 * don't specify the WriteAttributes for your app client, your app can write the values of the Standard attributes of
 * your user pool" (the same page), where ReadAttributes' default names "email_verified, phone_number_verified, and the
 * standard attributes"; SignUp giving email_verified is the service's NotAuthorizedException (aws/aws-sdk-js#3603).
 * Whether such a client may write custom attributes is not confirmed (here it may). The administrator's actions (AdminCreateUser,
 * AdminUpdateUserAttributes) name no client and are not checked, as in Cognito. Not checked either: a NEW_PASSWORD_REQUIRED
 * answer's attributes (newPasswordAttributes), Cognito's answer for them not confirmed.
 */
function clientWriteAttributes(router: (target: string) => Route, cognito: CognitoService) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "SignUp" && target !== "UpdateUserAttributes") return route;
    return async (ctx, req) => {
      const clientId = target === "SignUp" ? req?.ClientId : claimsOf(req?.AccessToken).client_id;
      const client = await appClientOf(cognito, ctx, clientId);
      if (!client) return route(ctx, req); // an unknown client, which cognito-local answers (ResourceNotFoundException)
      const listed = client.WriteAttributes ?? [];
      const mayWrite = (name: string) => (listed.length > 0 ? listed.includes(name) : !UNLISTED_NOT_WRITABLE.has(name));
      // The names are strings here: a null or absent one is refused before (modelValidation).
      const written = requestAttributes(target, req).filter((a) => !a.notSet);
      if (written.some((a) => typeof a.name === "string" && !mayWrite(a.name))) throw new NotAuthorizedError(UNAUTHORIZED_ATTRIBUTE);
      return route(ctx, req);
    };
  };
}

/**
 * Where the attributes a request sets (ValidationData's aside) break `pool`'s schema, a problem `<name>: <why>` each:
 *  - names not in the schema, each once, in the request's order ("<name>: Attribute does not exist in the schema.").
 *    A pool's schema has every standard attribute, declared or not (cognito-local's CreateUserPool merges its
 *    USER_POOL_AWS_DEFAULTS, AWS's standard set: sub, name, given_name, family_name, middle_name, nickname,
 *    preferred_username, profile, picture, website, email, email_verified, gender, birthdate, zoneinfo, locale,
 *    phone_number, phone_number_verified, address, updated_at; "Amazon Cognito assigns all user pools a set of standard
 *    attributes", https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html), and its
 *    custom ones as `custom:<name>` (withSchema). The standard names are taken for a pool kept without them too;
 *  - then values outside the attribute's own constraints in the schema: a String attribute's StringAttributeConstraints
 *    ("The minimum and maximum length values of an attribute that is of the string type, for example custom:department",
 *    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StringAttributeConstraintsType.html;
 *    its length in characters, as attributeProblems counts), a Number attribute's NumberAttributeConstraints ("The
 *    minimum and maximum values of an attribute that is of the number type, for example custom:age",
 *    API_NumberAttributeConstraintsType.html) for a value that is a number; the standard attributes' too, as every
 *    pool's schema has them (a birthdate 10 characters, an updated_at at least 0). cognito-local stored any value. Not
 *    confirmed: Cognito's wording for these (here the schema refusal's form, schemaRefusal, with a reason of the
 *    emulator's), and its answer to a Number attribute's value that is no number (here taken).
 */
function schemaProblems(pool: { options: UserPool }, attributes: RequestAttribute[]): string[] {
  const schema = new Map([...(USER_POOL_AWS_DEFAULTS.SchemaAttributes ?? []), ...(pool.options.SchemaAttributes ?? [])].map((a) => [a.Name, a]));
  const set = attributes.filter((a): a is RequestAttribute & { name: string } => !a.notSet && typeof a.name === "string");
  const unknown = [...new Set(set.filter((a) => !schema.has(a.name)).map((a) => a.name))].map((name) => `${name}: Attribute does not exist in the schema.`);
  const outside = set.flatMap(({ name, value }) => {
    const attribute = schema.get(name);
    if (!attribute || typeof value !== "string") return [];
    const bound = (limit: string | undefined) => (limit !== undefined && limit.trim() !== "" && Number.isFinite(Number(limit)) ? Number(limit) : undefined);
    if (attribute.AttributeDataType === "Number") {
      const number = value.trim() === "" ? Number.NaN : Number(value);
      const [min, max] = [bound(attribute.NumberAttributeConstraints?.MinValue), bound(attribute.NumberAttributeConstraints?.MaxValue)];
      if (!Number.isFinite(number)) return [];
      if (min !== undefined && number < min) return [`${name}: Value is less than the attribute's MinValue ${min}.`];
      if (max !== undefined && number > max) return [`${name}: Value is greater than the attribute's MaxValue ${max}.`];
      return [];
    }
    const length = [...value].length;
    const [min, max] = [bound(attribute.StringAttributeConstraints?.MinLength), bound(attribute.StringAttributeConstraints?.MaxLength)];
    if (min !== undefined && length < min) return [`${name}: Value is shorter than the attribute's MinLength ${min}.`];
    if (max !== undefined && length > max) return [`${name}: Value is longer than the attribute's MaxLength ${max}.`];
    return [];
  });
  return [...unknown, ...outside];
}

/**
 * Cognito's refusal of attributes that do not conform to the pool's schema (InvalidParameterException, schemaProblems),
 * every problem on a line of its own ending in a line break, in the service's wording as clients quote it: for SignUp
 * ("Attributes did not conform to the schema: custom:firstName: Attribute does not exist in the schema.\ncustom:dateOfBirth:
 * Attribute does not exist in the schema.\n...", aws-amplify/amplify-flutter#509; one name, aws-amplify/amplify-js#2167),
 * for UpdateUserAttributes each name after "user." and no preamble ("user.custom:address: Attribute does not exist in
 * the schema.\nuser.custom:latitude: ...", aws-amplify/amplify-flutter#1531). Not confirmed: AdminCreateUser's wording
 * (here SignUp's), AdminUpdateUserAttributes' and a NEW_PASSWORD_REQUIRED answer's (here UpdateUserAttributes'), and
 * the order of the names (here the request's).
 */
function schemaRefusal(problems: string[], action: "create" | "update"): InvalidParameterError {
  const lines = problems.map((problem) => `${action === "update" ? "user." : ""}${problem}\n`).join("");
  return new InvalidParameterError(action === "create" ? `Attributes did not conform to the schema: ${lines}` : lines);
}

/** Cognito's answer to an unknown UserPoolId (clientOfPool, resourceServers, notFoundInCognitosWords). */
const userPoolNotFound = (userPoolId: unknown) => new CognitoError("ResourceNotFoundException", `User pool ${String(userPoolId)} does not exist.`);

/** Cognito's answer to an unknown ClientId (clientOfPool, notFoundInCognitosWords). */
const userPoolClientNotFound = (clientId: unknown) => new CognitoError("ResourceNotFoundException", `User pool client ${String(clientId)} does not exist.`);

/**
 * A request naming both a user pool and an app client (AdminInitiateAuth, AdminRespondToAuthChallenge,
 * DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient, ...) names the client of that pool, as in
 * Cognito: an unknown UserPoolId is ResourceNotFoundException "User pool <id> does not exist." (the service's words,
 * aws/aws-aspnet-cognito-identity-provider#135), a ClientId the pool has no client of is ResourceNotFoundException
 * "User pool client <id> does not exist." (the service's answer to AdminInitiateAuth with an unknown client,
 * aws/aws-sdk-php#2183). cognito-local took the pool from the client for the sign-in actions (any UserPoolId went) and
 * answered "Resource not found" for the client ones. Not confirmed: that Cognito answers a client of another pool with
 * the unknown client's words (no source found for that case), and which of the two it checks first (here the pool).
 */
function clientOfPool(router: (target: string) => Route, cognito: CognitoService) {
  return (target: string): Route => {
    const route = router(target);
    return async (ctx, req) => {
      if (typeof req?.UserPoolId === "string" && typeof req.ClientId === "string") {
        if (!(await cognito.listUserPools(ctx)).some((p) => p.Id === req.UserPoolId)) throw userPoolNotFound(req.UserPoolId);
        if ((await appClientOf(cognito, ctx, req.ClientId))?.UserPoolId !== req.UserPoolId) throw userPoolClientNotFound(req.ClientId);
      }
      return route(ctx, req);
    };
  };
}

/**
 * Cognito's answer (NotAuthorizedException) to the right temporary password after the pool's TemporaryPasswordValidityDays:
 * the service's wording, as a user quotes it for an AdminCreateUser user who signed in a month later ("Cognito returns
 * this error: User account has expired, it must be reset by an administrator.", Stack Overflow question 51109154, whose
 * answer resets the user with AdminCreateUser's MessageAction RESEND); not in AWS's documentation (not confirmed there).
 */
const TEMPORARY_PASSWORD_EXPIRED = "User account has expired, it must be reset by an administrator.";

/** A user as the emulator keeps it: with when its temporary password was set by AdminSetUserPassword (checkTemporaryPasswords). */
type UserWithTemporaryPasswordDate = User & { TemporaryPasswordDate?: Date | string };

/**
 * Whether the temporary password of `user` (FORCE_CHANGE_PASSWORD) is past the pool's TemporaryPasswordValidityDays on
 * `clock`: "The number of days a temporary password is valid in the password policy. If the user doesn't sign in during
 * this time, an administrator must reset their password. Defaults to 7. If you submit a value of 0, Amazon Cognito treats
 * it as a null value and sets TemporaryPasswordValidityDays to its default value"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PasswordPolicyType.html). cognito-local
 * keeps the setting but never checks it. The days run from when the password was set: AdminCreateUser's (the user's
 * UserCreateDate; "The temporary password can only be used until the user account expiration limit that you set for your
 * user pool. To reset the account after that time limit, you must call AdminCreateUser again and specify RESEND",
 * API_AdminCreateUser.html, a RESEND cognito-local does not support), or AdminSetUserPassword's with Permanent false
 * ("If the user does not sign in before it expires, the user will not be able to sign in and their password will need
 * to be reset by an administrator", API_AdminSetUserPassword.html; its time kept as TemporaryPasswordDate). Not
 * confirmed: whether Cognito counts whole days or from the second (here: from the millisecond), and whether it says so
 * to a wrong password too (here only to the right one: a wrong one stays "Incorrect username or password.", counted).
 */
function temporaryPasswordExpired(pool: { options: UserPool }, user: User, clock: Clock): boolean {
  const days = pool.options.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays || 7;
  const set = new Date((user as UserWithTemporaryPasswordDate).TemporaryPasswordDate ?? user.UserCreateDate).getTime();
  return clock.get().getTime() - set > days * 24 * 60 * 60 * 1000;
}

/**
 * Password sign-ins (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH: "unauthenticated or IAM-authorized sign-in attempts
 * with a password") of a user during a lockout are refused before anything else is looked at but the flow (so before
 * the pre-authentication trigger and the password), and a wrong password ("Incorrect username or password.", as
 * userExistenceErrors words it) counts towards the next lockout; tokens handed out end the user's failures. The user is
 * the pool's (any letter case or alias typed finds the same one). A name that is no user's is never locked and leaves
 * no record: the guide says "locks out your user", and what Cognito does for an unknown name under
 * PreventUserExistenceErrors ENABLED is not documented (not confirmed). The rules: SignInLockout.
 */
function lockOutFailedSignIns(router: (target: string) => Route, cognito: CognitoService, lockout: SignInLockout) {
  return (target: string): Route => {
    const route = router(target);
    if (!SIGN_IN_OPERATIONS.has(target)) return route;
    return async (ctx, req) => {
      const username = req?.AuthParameters?.USERNAME;
      const found = PASSWORD_FLOWS.has(String(req?.AuthFlow ?? "")) && typeof username === "string" ? await lockoutUser(cognito, ctx, req, username) : undefined;
      if (!found) return route(ctx, req);
      const { key } = found;
      lockout.check(key);
      let result: any;
      try {
        result = await route(ctx, req);
      } catch (error) {
        if (error instanceof CognitoError && (error as CognitoError & { code: string }).code === "NotAuthorizedException" && error.message === incorrectUsernameOrPassword().message) {
          lockout.failed(key);
        } else lockout.ended();
        throw error;
      }
      if (result?.AuthenticationResult) lockout.succeeded(key);
      else lockout.ended();
      return result;
    };
  };
}

/**
 * Cognito's answers where cognito-local's differ, for the errors a sign-in screen shows and for user existence
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
 *  - a wrong password: "Amazon Cognito returns a generic NotAuthorizedException error indicating either the user name
 *    or password is incorrect" — NotAuthorizedException "Incorrect username or password." as the service words it
 *    (e.g. ellaisys/aws-cognito#94); cognito-local answers InvalidPasswordException "Invalid password"
 *    (jagregory/cognito-local#314), which a client shows as a password-policy error;
 *  - an unknown user signing in: the same NotAuthorizedException with the app client's PreventUserExistenceErrors
 *    ENABLED (what UserAuth sets), UserNotFoundException with LEGACY (the API's default);
 *  - ForgotPassword for an unknown user with ENABLED: "Amazon Cognito returns CodeDeliveryDetails with a simulated
 *    delivery medium"; ConfirmForgotPassword: "CodeMismatchException error for users that don't exist";
 *  - a wrong code: CodeMismatchException "Invalid verification code provided, please try again." (the service's wording,
 *    e.g. aws-amplify/amplify-js#11738; cognito-local: "Incorrect confirmation code");
 *  - an unknown refresh token: NotAuthorizedException "Invalid Refresh Token" (cognito-local: "User not authorized").
 */
function userExistenceErrors(router: (target: string) => Route, cognito: CognitoService) {
  return (target: string): Route => {
    const route = router(target);
    return async (requestCtx, req) => {
      const hidesUsers = async () => (await appClientOf(cognito, requestCtx, req?.ClientId))?.PreventUserExistenceErrors === "ENABLED";
      const unknownUser = async (username: unknown) => {
        const pool = await poolOf(cognito, requestCtx, req ?? {});
        return Boolean(pool) && typeof username === "string" && !(await pool!.getUserByUsername(requestCtx, username));
      };
      if (target === "ForgotPassword" && (await unknownUser(req?.Username)) && (await hidesUsers())) {
        return { CodeDeliveryDetails: simulatedDelivery(String(req.Username)) };
      }
      if (target === "ConfirmForgotPassword" && (await unknownUser(req?.Username)) && (await hidesUsers())) {
        throw new CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.");
      }
      try {
        return await route(requestCtx, req);
      } catch (error) {
        if (!(error instanceof CognitoError)) throw error;
        const code = (error as CognitoError & { code: string }).code;
        if (code === "CodeMismatchException") throw new CognitoError(code, "Invalid verification code provided, please try again.");
        if (!SIGN_IN_OPERATIONS.has(target)) throw error;
        const flow = String(req?.AuthFlow ?? "");
        if (flow.startsWith("REFRESH_TOKEN") && code === "NotAuthorizedException") throw new CognitoError(code, "Invalid Refresh Token");
        if (!PASSWORD_FLOWS.has(flow)) throw error;
        if (code === "InvalidPasswordException") throw incorrectUsernameOrPassword();
        if (code === "NotAuthorizedException" && (await unknownUser(req?.AuthParameters?.USERNAME))) {
          if (await hidesUsers()) throw incorrectUsernameOrPassword();
          throw new CognitoError("UserNotFoundException", "User does not exist.");
        }
        throw error;
      }
    };
  };
}

/**
 * A delivery as ForgotPassword reports it for a user who does not exist: by email (the pool's account recovery is
 * verified_email), to the user name, masked as any destination is (maskDeliveryDestinations); the exact mask of a
 * simulated one is not documented.
 */
function simulatedDelivery(username: string) {
  return { AttributeName: "email", DeliveryMedium: "EMAIL", Destination: username };
}

/**
 * The Destination of an answer's CodeDeliveryDetails (SignUp, ForgotPassword, ...) and of each of its
 * CodeDeliveryDetailsList (UpdateUserAttributes) masked as Cognito masks it (maskedDestination); the code itself went
 * to the address or number unmasked. cognito-local answered the address or number itself.
 */
function maskDeliveryDestinations(router: (target: string) => Route) {
  return (target: string): Route => {
    const route = router(target);
    return async (ctx, req) => {
      const answer = await route(ctx, req);
      if (typeof answer !== "object" || answer === null) return answer;
      const masked = (details: unknown) => (typeof details === "object" && details !== null && typeof (details as { Destination?: unknown }).Destination === "string" ? { ...details, Destination: maskedDestination((details as { Destination: string }).Destination) } : details);
      const { CodeDeliveryDetails: one, CodeDeliveryDetailsList: list } = answer as { CodeDeliveryDetails?: unknown; CodeDeliveryDetailsList?: unknown };
      return { ...answer, ...(one !== undefined ? { CodeDeliveryDetails: masked(one) } : {}), ...(Array.isArray(list) ? { CodeDeliveryDetailsList: list.map(masked) } : {}) };
    };
  };
}

/**
 * An email address or phone number as Cognito shows where it sent a code: an address's first character, `***@`, its
 * domain's first character and `***`, no more (the live API's answers: ForgotPassword's raw response body
 * {"CodeDeliveryDetails":{"AttributeName":"email","DeliveryMedium":"EMAIL","Destination":"u***@y***"}},
 * aws-amplify/aws-sdk-ios#4837, 2023; SignUp answers quoted as "g***@g***" and "m***@g***"). AWS's CLI examples show
 * "j***@e***.com" for jane@example.com (forgot-password, resend-confirmation-code,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-identity-provider_example_cognito-identity-provider_ForgotPassword_section.html),
 * which no recorded answer of the service has: written by hand, not the service's. A phone number: its `+`, a `*` for
 * each digit but the last four ("+*******0008", the live SMS_MFA challenge's CODE_DELIVERY_DESTINATION,
 * amazon-archives/amazon-cognito-identity-js#236). Anything else: its first character and `***` (not confirmed).
 */
function maskedDestination(destination: string): string {
  const at = destination.lastIndexOf("@");
  if (at >= 0) return `${destination.slice(0, 1)}***@${destination.slice(at + 1, at + 2)}***`;
  if (/^\+\d{5,}$/.test(destination)) return `+${"*".repeat(destination.length - 5)}${destination.slice(-4)}`;
  return `${destination.slice(0, 1)}***`;
}

async function appClientOf(cognito: CognitoService, ctx: any, clientId: unknown) {
  if (typeof clientId !== "string") return undefined;
  try {
    return (await cognito.getAppClient(ctx, clientId)) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sign-in a refresh carries on (its `origin_jti` and `auth_time`), read from the refresh token it refreshes with
 * (CognitoTokenGenerator writes them into it) for the tokens it issues: set around a refresh by keepSignInOnRefresh
 * (the API's) and hostedUiRefreshGrant (the token endpoint's). A refresh token without them (issued before the emulator
 * wrote them) refreshes as a new sign-in.
 */
const REFRESHED_SIGN_IN = new AsyncLocalStorage<{ origin_jti: string; auth_time: number } | undefined>();

/** The sign-in `refreshToken` carries (REFRESHED_SIGN_IN), if it carries one. */
function signInOf(refreshToken: unknown): { origin_jti: string; auth_time: number } | undefined {
  const { origin_jti: originJti, auth_time: authTime } = claimsOf(refreshToken);
  return typeof originJti === "string" && typeof authTime === "number" ? { origin_jti: originJti, auth_time: authTime } : undefined;
}

/** The API's refreshes (refreshTokenOf: REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken) issue their tokens for the refresh token's sign-in. */
function keepSignInOnRefresh(router: (target: string) => Route) {
  return (target: string): Route => {
    const route = router(target);
    return (ctx, req) => REFRESHED_SIGN_IN.run(signInOf(refreshTokenOf(target, req)), () => route(ctx, req));
  };
}

/**
 * The claims a pre token generation trigger can neither add, override nor suppress: "You can not modify the following
 * claims: acr, amr, aud, at_hash, auth_time, azp, cognito:username, exp, iat, identities, iss, jti, nbf, nonce,
 * origin_jti, sub, token_use" (the guide's pre token generation page, awsdocs/amazon-cognito-developer-guide
 * doc_source/user-pool-lambda-pre-token-generation.md; today's
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html); cognito-local's
 * RESERVED_CLAIMS (its tokenGenerator.js, not exported) is the same list.
 */
const RESERVED_CLAIMS = new Set(["acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use"]);

/**
 * Cognito's token lifetimes for an app client that sets none, in seconds (cognito-local's are 24 hours, 24 hours and 7
 * days): "If you don't specify otherwise in the configuration of your app client, your access tokens are valid for one
 * hour", the same for ID tokens, "your refresh tokens are valid for 30 days" (UserPoolClientType's AccessTokenValidity,
 * IdTokenValidity, RefreshTokenValidity: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html).
 * A RefreshTokenValidity of 0 is one unset: "If you do, Amazon Cognito overrides the value with the default value of 30
 * days" (the same page); 0 is taken the same way for the other two (Cognito's least is five minutes).
 */
const DEFAULT_TOKEN_SECONDS = { access: 3600, id: 3600, refresh: 30 * 86400 };

/** An app client's token lifetimes in seconds: each validity in its TokenValidityUnits unit (the API's defaults: hours, hours, days), or Cognito's default. */
function tokenLifetimes(client: { AccessTokenValidity?: number; IdTokenValidity?: number; RefreshTokenValidity?: number; TokenValidityUnits?: { AccessToken?: string; IdToken?: string; RefreshToken?: string } }) {
  const units = client.TokenValidityUnits;
  return {
    access: validitySeconds(client.AccessTokenValidity, units?.AccessToken ?? "hours", DEFAULT_TOKEN_SECONDS.access),
    id: validitySeconds(client.IdTokenValidity, units?.IdToken ?? "hours", DEFAULT_TOKEN_SECONDS.id),
    refresh: validitySeconds(client.RefreshTokenValidity, units?.RefreshToken ?? "days", DEFAULT_TOKEN_SECONDS.refresh),
  };
}

/**
 * The model's TimeUnitsType values (an app client's TokenValidityUnits), in seconds: keyed by the SDK's own enum, so
 * the type check fails when a release adds a unit, rather than a token of it failing to sign in.
 */
const UNIT_SECONDS: Record<cognitoModel.TimeUnitsType, number> = {
  [cognitoModel.TimeUnitsType.SECONDS]: 1,
  [cognitoModel.TimeUnitsType.MINUTES]: 60,
  [cognitoModel.TimeUnitsType.HOURS]: 3600,
  [cognitoModel.TimeUnitsType.DAYS]: 86400,
};

/**
 * A token's lifetime in seconds: `validity` in `unit` (an app client's TokenValidityUnits), `fallback` when unset or 0.
 * The unit is one of TimeUnitsType's: the model validation refuses another, and repairTokenValidityUnits takes out one
 * an older emulator stored.
 */
function validitySeconds(validity: number | undefined, unit: string | undefined, fallback: number): number {
  if (!validity) return fallback;
  const seconds = Object.hasOwn(UNIT_SECONDS, unit ?? "") ? UNIT_SECONDS[unit as cognitoModel.TimeUnitsType] : undefined;
  if (seconds === undefined) throw new Error(`Invalid unit: ${unit}`);
  return validity * seconds;
}

/**
 * An app client's TokenValidityUnits outside TimeUnitsType (seconds, minutes, hours, days), which emulators before the
 * model validation stored (CreateUserPoolClient/UpdateUserPoolClient with e.g. "weeks"; Cognito refuses it) and which
 * then failed every sign-in of the client with an HTTP 500, is taken out of the kept client at start, so the API's
 * default unit for that token applies (hours for access and ID tokens, days for refresh tokens:
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TokenValidityUnitsType.html), and the
 * log says which client lost which unit. The program's clients get their units again at every start.
 */
async function repairTokenValidityUnits(cognito: CognitoService, ctx: any, log: (message: string) => void): Promise<void> {
  for (const pool of await cognito.listUserPools(ctx)) {
    for (const client of await cognito.listAppClients(ctx, pool.Id)) {
      const units: Record<string, unknown> = { ...client.TokenValidityUnits };
      const bad = Object.entries(units).filter(([, unit]) => unit !== undefined && unit !== null && !(typeof unit === "string" && Object.hasOwn(UNIT_SECONDS, unit)));
      if (bad.length === 0) continue;
      for (const [token] of bad) delete units[token];
      await (await cognito.getUserPool(ctx, pool.Id)).saveAppClient(ctx, { ...client, TokenValidityUnits: units });
      const found = bad.map(([token, unit]) => `TokenValidityUnits.${token} ${JSON.stringify(unit)}`).join(", ");
      log(`  cognito-local: app client ${client.ClientId} of ${pool.Id} had ${found}, not a unit Cognito takes (${Object.keys(UNIT_SECONDS).join(", ")}; stored by an older emulator): removed, the API's default unit applies (set one with UpdateUserPoolClient)`);
    }
  }
}

/**
 * The ID token claim of a user attribute, in the JSON type Cognito gives it: `email_verified` and
 * `phone_number_verified` booleans, `updated_at` a number, `address` an object (OIDC's address claim, the attribute
 * its `formatted` member), everything else the string. The sample payload has `"email_verified": true`
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html); the
 * pre token generation guide names these four as the ID token claims whose type is fixed ("you can populate complex
 * objects to the value of claims except for phone_number_verified, email_verified, updated_at, and address",
 * user-pool-lambda-pre-token-generation.html); the address as `{ "formatted": ... }` is what apps see
 * (aws-amplify/amplify-js#4935), not in AWS's documentation (not confirmed there).
 */
function attributeClaim(name: string, value: string): unknown {
  if (name === "email_verified" || name === "phone_number_verified") return value === "true";
  if (name === "updated_at") return Number.isFinite(Number(value)) && value.trim() !== "" ? Number(value) : value;
  if (name === "address") return { formatted: value };
  return value;
}

/**
 * The user's attributes as ID token claims: those the app client may read, its ReadAttributes ("The list of user
 * attributes that you want your app client to have read access to", API_CreateUserPoolClient.html), every one when it
 * has none. `sub` is Cognito's own claim, always there. An `email` (a `phone_number`) without its verified flag comes
 * with `email_verified` (`phone_number_verified`) false, as cognito-local's ID token always had `email_verified`.
 * Not confirmed: that a client without ReadAttributes reads custom attributes too (the API reference names
 * "email_verified, phone_number_verified, and the standard attributes"; cognito-local put them in, kept), and whether
 * Cognito leaves an unset verified flag out rather than false.
 */
function readableAttributeClaims(user: User, client: { ReadAttributes?: string[] }): Record<string, unknown> {
  const readable = (name: string) => name !== "sub" && (client.ReadAttributes === undefined || client.ReadAttributes.includes(name));
  const values = new Map((user.Attributes ?? []).filter((a) => a.Value !== undefined).map((a) => [a.Name, a.Value as string]));
  for (const [attribute, flag] of [["email", "email_verified"], ["phone_number", "phone_number_verified"]]) {
    if (values.has(attribute) && !values.has(flag)) values.set(flag, "false");
  }
  return Object.fromEntries([...values].filter(([name]) => readable(name)).map(([name, value]) => [name, attributeClaim(name, value)]));
}

/**
 * The tokens Cognito hands out, in place of cognito-local's JwtTokenGenerator (every sign-in, challenge answer,
 * refresh and hosted-UI code exchange goes through `services.tokenGenerator`). cognito-local's ID token carried only
 * `email`, `email_verified` (`Boolean("false")`, true, for an unverified address) and the custom attributes, and
 * neither token an `origin_jti`. As Cognito's
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html and
 * amazon-cognito-user-pools-using-the-access-token.html, their sample payloads):
 *  - the ID token: the attributes the client may read (readableAttributeClaims), `sub`, `cognito:groups` (when the user
 *    has any), `cognito:username`, `aud` (the client id), `iss`, `token_use` "id", `auth_time`, `iat`, `exp`, `jti`,
 *    `origin_jti`, `event_id`;
 *  - the access token: `sub`, `cognito:groups`, `iss`, `version` 2, `client_id`, `origin_jti`, `event_id`, `token_use`
 *    "access", `scope` (aws.cognito.signin.user.admin; hostedUiScopes sets a hosted-UI sign-in's), `auth_time`, `exp`,
 *    `iat`, `jti`, `username`, and no `aud`. `version` is in the client_credentials token too (clientCredentialsGrant);
 *    its place in a user's access token is what apps see, not in the guide's sample (not confirmed there);
 *  - the two share `origin_jti`, `event_id` and `auth_time`, each has its own `jti`;
 *  - a pre token generation trigger (V1_0: the ID token) adds, overrides and suppresses claims after all of these,
 *    the RESERVED_CLAIMS excepted, as cognito-local did ("If a value is both suppressed and replaced, then it will be
 *    suppressed"); its event's `userAttributes` are the user's. Not emulated, as in cognito-local: its
 *    groupOverrideDetails (`cognito:groups` of both tokens) and a V2_0 event's access token claims;
 *  - a refresh keeps the sign-in's `auth_time` ("On refreshes, it represents the time when the original authentication
 *    occurred, not the time when the token was issued") and `origin_jti` ("The originating JWT identifier, from when the
 *    original authentication occurred"): the refresh token carries them (REFRESHED_SIGN_IN), a rotated one too.
 * The lifetimes, the refresh token (a JWT only the emulator reads) and the signing key are cognito-local's.
 */
class CognitoTokenGenerator extends JwtTokenGenerator {
  constructor(
    private readonly now: Clock,
    private readonly signInTriggers: TriggersService,
    private readonly config: { IssuerDomain: string },
  ) {
    super(now, signInTriggers, config);
  }

  override async generate(...[ctx, user, userGroups, client, clientMetadata, source]: Parameters<JwtTokenGenerator["generate"]>) {
    const now = Math.floor(this.now.get().getTime() / 1000);
    const issuer = `${this.config.IssuerDomain}/${client.UserPoolId}`;
    const signIn = (source === "RefreshTokens" ? REFRESHED_SIGN_IN.getStore() : undefined) ?? { origin_jti: randomUUID(), auth_time: now };
    const shared = {
      sub: attributeValue("sub", user.Attributes),
      ...(userGroups.length > 0 ? { "cognito:groups": [...userGroups] } : {}),
      iss: issuer,
      origin_jti: signIn.origin_jti,
      event_id: randomUUID(),
      auth_time: signIn.auth_time,
      iat: now,
    };
    const lifetimes = tokenLifetimes(client);
    const accessToken = {
      ...shared,
      version: 2,
      client_id: client.ClientId,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      exp: now + lifetimes.access,
      jti: randomUUID(),
      username: user.Username,
    };
    let idToken: Record<string, unknown> = {
      ...readableAttributeClaims(user, client),
      ...shared,
      "cognito:username": user.Username,
      aud: client.ClientId,
      token_use: "id",
      exp: now + lifetimes.id,
      jti: randomUUID(),
    };
    if (this.signInTriggers.enabled("PreTokenGeneration")) {
      const result = await this.signInTriggers.preTokenGeneration(ctx, {
        clientId: client.ClientId,
        clientMetadata,
        source,
        userAttributes: user.Attributes,
        username: user.Username,
        groupConfiguration: { groupsToOverride: undefined, iamRolesToOverride: undefined, preferredRole: undefined },
        userPoolId: client.UserPoolId,
      });
      const overrides = result.claimsOverrideDetails;
      const suppressed = new Set((overrides?.claimsToSuppress ?? []).filter((claim) => !RESERVED_CLAIMS.has(claim)));
      const added = Object.entries(overrides?.claimsToAddOrOverride ?? {}).filter(([claim]) => !RESERVED_CLAIMS.has(claim));
      idToken = Object.fromEntries([...Object.entries(idToken), ...added].filter(([claim]) => !suppressed.has(claim)));
    }
    const refreshToken = {
      "cognito:username": user.Username,
      email: attributeValue("email", user.Attributes),
      // The sign-in it carries on to its refreshes (REFRESHED_SIGN_IN).
      origin_jti: signIn.origin_jti,
      auth_time: signIn.auth_time,
      iat: now,
      exp: now + lifetimes.refresh,
      jti: randomUUID(),
      iss: issuer,
    };
    const sign = (claims: object) => jwt.sign(claims, privateKey, { algorithm: "RS256", keyid: "CognitoLocal" });
    return { AccessToken: sign(accessToken), IdToken: sign(idToken), RefreshToken: sign(refreshToken) };
  }
}

/** A token's claims, unverified (what cognito-local reads of a token, too). */
function claimsOf(token: unknown): Record<string, any> {
  try {
    const claims: unknown = JSON.parse(Buffer.from(String(token).split(".")[1] ?? "", "base64url").toString("utf8"));
    // A payload that is JSON but no object (`null`, a number) has no claims: its `.exp` must not throw (an HTTP 500).
    return typeof claims === "object" && claims !== null ? (claims as Record<string, any>) : {};
  } catch {
    return {};
  }
}

/** A refresh token rotated out by GetTokensFromRefreshToken (rotateRefreshTokens). */
interface RetiredRefreshToken {
  /** When it was retired (ms, the emulator's clock): the client's grace period runs from here. */
  at: number;
  /**
   * What a retry within the grace period needs; dropped once no grace period can still run (MAX_RETRY_GRACE_PERIOD_SECONDS,
   * by the sweep), when the record only answers reuse with RefreshTokenReuseException.
   */
  retry?: {
    /** Its user, looked up once by the refresh that retired it. */
    user: Promise<User | null>;
    /** The refresh tokens issued from it: a retry within the grace period needs one still valid (a sign-out ends it). */
    successors: Set<string>;
  };
}

/**
 * The longest RetryGracePeriodSeconds an app client can have: "Valid Range: Minimum value of 0. Maximum value of 60."
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html).
 */
const MAX_RETRY_GRACE_PERIOD_SECONDS = 60;

/** How often, at most, the records are swept of expired entries (seconds of the emulator's clock). */
const SWEEP_EVERY_SECONDS = 60;

/**
 * Which access tokens were issued to whom, and with or from which refresh token, which are revoked, and which refresh
 * tokens were rotated out: cognito-local revokes refresh tokens only (RevokeToken) and has no GlobalSignOut or rotation.
 * Kept in memory: a restart forgets revocations.
 *
 * `npm start` runs for days and signs users in again and again (the app, drill, fuzz, bench), so memory stays flat
 * (issue 15): every entry keeps the expiry of its token (an access token's `exp`; a refresh token's `exp`, the app
 * client's RefreshTokenValidity) and is dropped once that has passed, when it no longer matters: an expired access
 * token is refused as expired before its revocation is looked at, and a rotated-out refresh token was taken from its
 * user when it was retired, so past its expiry its reuse is NotAuthorizedException "Refresh Token has expired"
 * (refuseExpiredRefreshTokens) instead of RefreshTokenReuseException. Records are swept when one is added, at most once every SWEEP_EVERY_SECONDS, never on a
 * timer (which would keep the process alive); a user's or a refresh token's record goes as soon as it is revoked.
 */
class TokenRevocation {
  /** Access-token jti → exp, by user (`<pool>/<sub>`). */
  private readonly byUser = new Map<string, Map<string, number>>();
  /** Access-token jti → exp, by the refresh token they were issued with or from; with that refresh token's exp. */
  private readonly byRefreshToken = new Map<string, { exp: number; issued: Map<string, number> }>();
  /** Revoked access-token jti → exp. */
  private readonly revoked = new Map<string, number>();
  /** Rotated-out refresh tokens, with their exp. */
  private readonly retired = new Map<string, RetiredRefreshToken & { exp: number }>();
  private nextSweep = 0;

  constructor(private readonly clock: Clock) {}

  /**
   * Records every access token the generator issues (sign-in, refresh, hosted UI) under its user, and under its refresh
   * token when that is handed out with it: a refresh's (source "RefreshTokens") is not (cognito-local's
   * REFRESH_TOKEN_AUTH drops it), and revokeTokens records its access token from the answer instead (`issuedWith`).
   */
  recording(generator: JwtTokenGenerator): JwtTokenGenerator {
    const generate = generator.generate.bind(generator);
    generator.generate = async (...args: Parameters<JwtTokenGenerator["generate"]>) => {
      const tokens = await generate(...args);
      const { jti, sub, exp } = claimsOf(tokens.AccessToken);
      if (typeof jti === "string") {
        const key = `${args[3].UserPoolId}/${sub}`;
        this.byUser.set(key, (this.byUser.get(key) ?? new Map<string, number>()).set(jti, expiry(exp)));
      }
      if (args[5] !== "RefreshTokens" && tokens.RefreshToken) this.issuedWith(tokens.RefreshToken, tokens.AccessToken);
      this.sweep();
      return tokens;
    };
    return generator;
  }

  /** An access token issued with or from `refreshToken`, revoked with it. */
  issuedWith(refreshToken: string, accessToken: string): void {
    const { jti, exp } = claimsOf(accessToken);
    if (typeof jti !== "string") return;
    const entry = this.byRefreshToken.get(refreshToken) ?? { exp: expiry(claimsOf(refreshToken).exp), issued: new Map<string, number>() };
    this.byRefreshToken.set(refreshToken, entry);
    entry.issued.set(jti, expiry(exp));
    this.sweep();
  }

  revokeUser(userPoolId: string, sub: string): void {
    const key = `${userPoolId}/${sub}`;
    for (const [jti, exp] of this.byUser.get(key) ?? []) this.revoked.set(jti, exp);
    this.byUser.delete(key);
  }

  revokeRefreshToken(refreshToken: string): void {
    for (const [jti, exp] of this.byRefreshToken.get(refreshToken)?.issued ?? []) this.revoked.set(jti, exp);
    this.byRefreshToken.delete(refreshToken);
  }

  isRevoked(jti: unknown): boolean {
    return typeof jti === "string" && this.revoked.has(jti);
  }

  retiredToken(refreshToken: string): RetiredRefreshToken | undefined {
    return this.retired.get(refreshToken);
  }

  retire(refreshToken: string, retired: RetiredRefreshToken): void {
    this.retired.set(refreshToken, Object.assign(retired, { exp: expiry(claimsOf(refreshToken).exp) }));
    this.sweep();
  }

  /** Takes back `retired` (a token that turned out not to be anyone's), unless another refresh replaced it. */
  unretire(refreshToken: string, retired: RetiredRefreshToken): void {
    if (this.retired.get(refreshToken) === retired) this.retired.delete(refreshToken);
  }

  sizes() {
    let accessTokens = 0;
    for (const issued of this.byUser.values()) accessTokens += issued.size;
    let retrying = 0;
    for (const entry of this.retired.values()) if (entry.retry) retrying++;
    return { accessTokens, refreshTokens: this.byRefreshToken.size, revoked: this.revoked.size, retired: this.retired.size, retrying };
  }

  private sweep(): void {
    const now = Math.floor(this.clock.get().getTime() / 1000);
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY_SECONDS;
    const live = (exp: number) => exp > now;
    dropExpired(this.revoked, live);
    for (const [key, issued] of this.byUser) if (dropExpired(issued, live).size === 0) this.byUser.delete(key);
    for (const [token, entry] of this.byRefreshToken) if (dropExpired(entry.issued, live).size === 0 && !live(entry.exp)) this.byRefreshToken.delete(token);
    for (const [token, entry] of this.retired) {
      if (!live(entry.exp)) this.retired.delete(token);
      // Past any grace period the record needs no user (a User, with its stored refresh tokens, for days otherwise).
      else if (now * 1000 - entry.at > MAX_RETRY_GRACE_PERIOD_SECONDS * 1000) delete entry.retry;
    }
  }
}

/** A token's `exp` claim (seconds), or never for a token without one. */
function expiry(exp: unknown): number {
  return typeof exp === "number" ? exp : Number.POSITIVE_INFINITY;
}

function dropExpired<K>(map: Map<K, number>, live: (exp: number) => boolean): Map<K, number> {
  for (const [key, exp] of map) if (!live(exp)) map.delete(key);
  return map;
}

/**
 * The operations a signed-in user calls with an access token check it as Cognito does — cognito-local only decodes
 * it, so an expired or forged one is taken — and sign-out revokes tokens as Cognito's does:
 *  - GlobalSignOut "invalidates the identity, access and refresh tokens that Amazon Cognito has issued to a user"
 *    (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GlobalSignOut.html), as does
 *    AdminUserGlobalSignOut for a user named by an administrator; cognito-local has neither (HTTP 500 Unsupported);
 *  - RevokeToken "revokes all of the access tokens generated by, and at the same time as, the specified refresh token"
 *    (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html); cognito-local
 *    revokes the refresh token only;
 *  - the scopes kept for a revoked or signed-out refresh token are forgotten (RefreshTokenScopes.forget);
 *  - a revoked access token: NotAuthorizedException "Access Token has been revoked", an expired one "Access Token has
 *    expired", one Cognito did not sign "Invalid Access Token" (the service's wording, e.g. aws-amplify/amplify-js#3540).
 */
function revokeTokens(router: (target: string) => Route, cognito: CognitoService, revocation: TokenRevocation, clock: Clock, refreshScopes: RefreshTokenScopes) {
  const verified = (accessToken: unknown): Record<string, any> => {
    let claims: Record<string, any>;
    try {
      claims = jwt.verify(String(accessToken), signingKey, { algorithms: ["RS256"], clockTimestamp: Math.floor(clock.get().getTime() / 1000) }) as Record<string, any>;
    } catch (error) {
      if ((error as Error).name === "TokenExpiredError") throw new NotAuthorizedError("Access Token has expired");
      throw new NotAuthorizedError("Invalid Access Token");
    }
    if (claims.token_use !== "access") throw new NotAuthorizedError("Invalid Access Token");
    if (revocation.isRevoked(claims.jti)) throw new NotAuthorizedError("Access Token has been revoked");
    return claims;
  };
  const signOut = async (ctx: any, pool: Awaited<ReturnType<CognitoService["getUserPool"]>>, username: string) => {
    const user = await pool.getUserByUsername(ctx, username);
    if (!user) throw new UserNotFoundError("User does not exist.");
    await pool.saveUser(ctx, { ...user, RefreshTokens: [] });
    refreshScopes.forget(user.RefreshTokens ?? []);
    revocation.revokeUser(pool.options.Id, String(attributesToRecord(user.Attributes).sub ?? user.Username));
    return {};
  };
  return (target: string): Route => {
    if (target === "GlobalSignOut") {
      return async (ctx, req) => {
        const claims = verified(req?.AccessToken);
        return signOut(ctx, await cognito.getUserPoolForClientId(ctx, claims.client_id), claims.sub);
      };
    }
    if (target === "AdminUserGlobalSignOut") return async (ctx, req) => signOut(ctx, await cognito.getUserPool(ctx, req?.UserPoolId), String(req?.Username ?? ""));
    const route = router(target);
    return async (ctx, req) => {
      if (req?.AccessToken !== undefined) verified(req.AccessToken);
      const result = await route(ctx, req);
      // A refresh's access token goes with the refresh token it answers with (rotation), else the one it was given.
      const given = refreshTokenOf(target, req);
      const answer = result?.AuthenticationResult;
      if (typeof given === "string" && typeof answer?.AccessToken === "string") revocation.issuedWith(answer.RefreshToken ?? given, answer.AccessToken);
      if (target === "RevokeToken") {
        revocation.revokeRefreshToken(String(req?.Token));
        refreshScopes.forget([String(req?.Token)]);
      }
      return result;
    };
  };
}

/**
 * ConfirmSignUp verifies the attribute the code went to: "After the user provides the code, Amazon Cognito ... Sets the
 * user status to CONFIRMED [and] Updates the user attributes to indicate that the email address or phone number is
 * verified" (https://repost.aws/knowledge-center/cognito-confirm-account). The code goes to a pool's
 * AutoVerifiedAttributes, the phone number when both are ("If both email and phone is set, Cognito only verifies the
 * phone number", the CDK's AutoVerifiedAttrs). cognito-local confirms the user only, so `email_verified` stayed
 * unset (false in the ID token). Marked before cognito-local confirms, so the post-confirmation trigger sees it.
 */
function verifyOnConfirmation(router: (target: string) => Route, cognito: CognitoService) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "ConfirmSignUp") return route;
    return async (ctx, req) => {
      const pool = await poolOf(cognito, ctx, req ?? {});
      const user = pool && typeof req?.Username === "string" ? await pool.getUserByUsername(ctx, req.Username) : null;
      if (pool && user?.ConfirmationCode && user.ConfirmationCode === req.ConfirmationCode) {
        const auto = pool.options.AutoVerifiedAttributes ?? [];
        const verified = ["phone_number", "email"].find((name) => auto.includes(name) && attributesInclude(name, user.Attributes));
        if (verified) await pool.saveUser(ctx, { ...user, Attributes: attributesAppend(user.Attributes, attribute(`${verified}_verified`, "true")) });
      }
      return route(ctx, req);
    };
  };
}

/** Each verified flag and the attribute it verifies. */
const VERIFIED_FLAGS = new Map([
  ["email_verified", "email"],
  ["phone_number_verified", "phone_number"],
]);

/**
 * AdminUpdateUserAttributes marks a user's email address or phone number verified (or not) with the flag alone: "In
 * addition to updating user attributes, this API can also be used to mark phone and email as verified"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminUpdateUserAttributes.html);
 * administrators send `email_verified` alone to verify an AdminCreateUser user's address
 * (https://www.softwarepragmatism.com/amazon-cognito-2-email-addresses-not-verified). UpdateUserAttributes takes it so
 * through an app client whose WriteAttributes list the flag: "their access token authorizes them to set or modify their
 * own attribute value for any attribute in this list"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html; the flags
 * are listable, CDK's StandardAttributesMask has them); a client that does not list it is refused before
 * (clientWriteAttributes). Not confirmed: a public report of a user's own `email_verified` answered SUCCESS and left
 * unchanged (aws-amplify/amplify-js#6100, the client's WriteAttributes unknown). cognito-local refused a flag sent
 * without its attribute ("Email is required to verify/un-verify an email"). Such a flag, for an attribute the user has,
 * is set after cognito-local has taken the rest of the request (its other checks and any code it sends, for the rest
 * only). Kept: cognito-local's refusal for a user without the attribute (Cognito's answer there not confirmed), and for
 * a flag the pool's schema makes immutable.
 */
function verifiedFlagsAlone(router: (target: string) => Route, cognito: CognitoService, clock: Clock) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "AdminUpdateUserAttributes" && target !== "UpdateUserAttributes") return route;
    return async (ctx, req) => {
      const given: Array<{ Name?: unknown; Value?: unknown }> = Array.isArray(req?.UserAttributes) ? req.UserAttributes : [];
      // Nearly every update carries no verified flag: no pool or user lookup for those.
      if (!given.some((a) => VERIFIED_FLAGS.has(String(a.Name)))) return route(ctx, req);
      const pool = await poolOf(cognito, ctx, req ?? {});
      // The user itself: its access token's `sub`, as cognito-local's UpdateUserAttributes finds it.
      const username: unknown = target === "UpdateUserAttributes" ? claimsOf(req?.AccessToken).sub : req?.Username;
      const user = pool && typeof username === "string" ? await pool.getUserByUsername(ctx, username) : null;
      if (!pool || !user) return route(ctx, req);
      const schema = pool.options.SchemaAttributes ?? USER_POOL_AWS_DEFAULTS.SchemaAttributes ?? [];
      const alone = given.filter((flag) => {
        const verifies = VERIFIED_FLAGS.get(String(flag.Name));
        return (
          verifies !== undefined &&
          !given.some((a) => a.Name === verifies) &&
          attributeValue(verifies, user.Attributes) !== undefined &&
          schema.some((a) => a.Name === flag.Name && a.Mutable)
        );
      });
      if (alone.length === 0) return route(ctx, req);
      const answer = await route(ctx, { ...req, UserAttributes: given.filter((a) => !alone.includes(a)) });
      const updated = (await pool.getUserByUsername(ctx, username as string)) ?? user;
      const flags = alone.map((flag) => attribute(String(flag.Name), String(flag.Value ?? "")));
      await pool.saveUser(ctx, { ...updated, Attributes: attributesAppend(updated.Attributes, ...flags), UserLastModifiedDate: clock.get() });
      return answer;
    };
  };
}

/**
 * ForgotPassword sends its code as Cognito does, to a *verified* email address or phone number chosen by the pool's
 * AccountRecoverySetting: "The available verified method a user can use to recover their password when they call
 * ForgotPassword. You can use this setting to define a preferred method when a user has more than one method
 * available. With this setting, SMS doesn't qualify for a valid password recovery mechanism if the user also has SMS
 * multi-factor authentication (MFA) activated. Email MFA is also disqualifying for account recovery with email. In the
 * absence of this setting, Amazon Cognito uses the legacy behavior to determine the recovery method where SMS is
 * preferred over email" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html,
 * AccountRecoverySetting); its mechanisms `verified_email` and `verified_phone_number` are tried by Priority, lowest
 * first (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RecoveryOptionType.html). A
 * user with no such address or number is refused: "If neither a verified phone number nor a verified email exists, this
 * API returns InvalidParameterException"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ForgotPassword.html), in the
 * service's words "Cannot reset password for the user as there is no registered/verified email or phone_number"
 * (aws-amplify/aws-sdk-android#142, amazon-archives/amazon-cognito-identity-js#678,
 * https://repost.aws/knowledge-center/cognito-forgot-password). cognito-local sent to the email address, verified or
 * not, whatever the setting, and answered HTTP 500 for a user without one ("ForgotPassword without email on user").
 * Not confirmed: the answer for a pool whose setting is `admin_only` (here the same refusal: no mechanism a user may use).
 * The local runtime sends no SMS: the code is captured as an email code is (lastCode(phone number), and the log).
 * UserAuth's pools recover by verified email only; a confirmed sign-up's address is verified (verifyOnConfirmation). An
 * unknown user is answered before (userExistenceErrors), and by cognito-local within.
 */
function forgotPasswordByRecoverySetting(router: (target: string) => Route, services: { cognito: CognitoService; messages: MessagesService; otp: () => string; clock: Clock }) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "ForgotPassword") return route;
    return async (ctx, req) => {
      const pool = await poolOf(services.cognito, ctx, req ?? {});
      const user = pool && typeof req?.Username === "string" ? await pool.getUserByUsername(ctx, req.Username) : null;
      if (!pool || !user) return route(ctx, req);
      const deliveryDetails = recoveryDelivery(pool.options, user);
      if (!deliveryDetails) throw new InvalidParameterError("Cannot reset password for the user as there is no registered/verified email or phone_number");
      const code = services.otp();
      await services.messages.deliver(ctx, "ForgotPassword", req.ClientId, pool.options.Id, user, code, req.ClientMetadata, deliveryDetails);
      await pool.saveUser(ctx, { ...user, UserLastModifiedDate: services.clock.get(), ConfirmationCode: code });
      return { CodeDeliveryDetails: deliveryDetails };
    };
  };
}

/**
 * GetUserAttributeVerificationCode sends the code to the attribute it names ("Generates a user attribute verification
 * code for the specified attribute name. Sends a message to a user with a code that they must return in a
 * VerifyUserAttribute request", https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUserAttributeVerificationCode.html)
 * and answers where it went (its response's CodeDeliveryDetails, masked by maskDeliveryDestinations). cognito-local
 * answered `{}` and sent to the pool's first auto-verified attribute the user has, phone number before email, whatever
 * the name. The value sent to is a pending change's when the pool keeps the original until verified, as cognito-local's
 * choice read it. Not confirmed: AWS's error for a user without the attribute (here InvalidParameterException, as
 * cognito-local's); any name but email and phone_number is left to cognito-local.
 */
function attributeVerificationCodeDelivery(router: (target: string) => Route, services: { cognito: CognitoService; messages: MessagesService; otp: () => string }) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "GetUserAttributeVerificationCode") return route;
    return async (ctx, req) => {
      const medium = req?.AttributeName === "email" ? "EMAIL" : req?.AttributeName === "phone_number" ? "SMS" : undefined;
      const pool = medium ? await poolOf(services.cognito, ctx, req) : null;
      const claims = claimsOf(req?.AccessToken);
      const user = pool ? await pool.getUserByUsername(ctx, String(claims.sub ?? "")) : null;
      // No pool or user: cognito-local's own answers (its UserNotFoundException), as for any other name.
      if (!medium || !pool || !user) return route(ctx, req);
      const name = req.AttributeName as "email" | "phone_number";
      const destination = attributeValue(name, user.UnverifiedAttributeChanges) ?? attributeValue(name, user.Attributes);
      if (!destination) throw new InvalidParameterError(`User has no ${name} to send a verification code to.`);
      const code = services.otp();
      await pool.saveUser(ctx, { ...user, AttributeVerificationCode: code });
      const details = { AttributeName: name, DeliveryMedium: medium, Destination: destination } as DeliveryDetails;
      await services.messages.deliver(ctx, "VerifyUserAttribute", typeof claims.client_id === "string" ? claims.client_id : null, pool.options.Id, user, code, req.ClientMetadata, details);
      return { CodeDeliveryDetails: details };
    };
  };
}

/** Each account recovery mechanism: the attribute it sends to, the flag that must be "true", the medium, and the MFA that disqualifies it. */
const RECOVERY_MECHANISMS = {
  verified_email: { attribute: "email", verified: "email_verified", medium: "EMAIL", mfa: "EMAIL_OTP" },
  verified_phone_number: { attribute: "phone_number", verified: "phone_number_verified", medium: "SMS", mfa: "SMS_MFA" },
} as const;

/** Cognito's legacy recovery, for a pool without AccountRecoverySetting: SMS first, then email. */
const LEGACY_RECOVERY = [{ Name: "verified_phone_number", Priority: 1 }, { Name: "verified_email", Priority: 2 }];

/** Where ForgotPassword sends `user`'s code in `pool` (forgotPasswordByRecoverySetting), or undefined: nowhere. */
function recoveryDelivery(pool: UserPool, user: User): DeliveryDetails | undefined {
  const setting = (pool as { AccountRecoverySetting?: { RecoveryMechanisms?: Array<{ Name?: string; Priority?: number }> } }).AccountRecoverySetting?.RecoveryMechanisms;
  const mechanisms = [...(setting ?? LEGACY_RECOVERY)].sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0));
  for (const { Name } of mechanisms) {
    const mechanism = Name === "verified_email" || Name === "verified_phone_number" ? RECOVERY_MECHANISMS[Name] : undefined;
    const destination = mechanism && attributeValue(mechanism.attribute, user.Attributes);
    if (!mechanism || !destination || attributeValue(mechanism.verified, user.Attributes) !== "true") continue;
    if (setting && user.UserMFASettingList?.includes(mechanism.mfa)) continue;
    return { AttributeName: mechanism.attribute, DeliveryMedium: mechanism.medium, Destination: destination } as DeliveryDetails;
  }
  return undefined;
}

/**
 * GetTokensFromRefreshToken, which cognito-local lacks (HTTP 500 Unsupported): "Given a refresh token, issues new ID,
 * access, and optionally refresh tokens ... issues a new refresh token and invalidates the original refresh token after
 * an optional grace period when refresh token rotation is enabled"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html).
 * Whether it rotates is the client's RefreshTokenRotation (kept by keepClientSettings; UserAuth's clients rotate
 * by default): "When enabled, your app client issues new ID, access, and refresh tokens when users renew their
 * sessions with refresh tokens. When disabled, token refresh issues only ID and access tokens"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html), so
 * without rotation the answer has no RefreshToken and the original one keeps working.
 *
 * With rotation the original refresh token is retired: "When you request a token refresh with
 * GetTokensFromRefreshToken, the original refresh token that you're rotating out can remain valid for a period of time
 * of up to 60 seconds. This allows for client-side retries. When RetryGracePeriodSeconds is 0, the grace period is
 * disabled and a successful request immediately invalidates the submitted refresh token" (RefreshTokenRotationType).
 * Within the client's grace period it refreshes as a valid token does (new ID, access and refresh tokens; what Cognito
 * answers a retry with is not documented further: not confirmed whether it is the first answer's refresh token or
 * another). After it, or with no grace period (a client without RetryGracePeriodSeconds: not documented, taken as 0),
 * it is RefreshTokenReuseException, "thrown when your application requests token refresh with a refresh token that has
 * been invalidated by refresh-token rotation"
 * (https://docs.aws.amazon.com/botocore/latest/reference/services/cognito-idp/client/exceptions/RefreshTokenReuseException.html;
 * its message is not documented). The check and the retiring are one synchronous step, so of two refreshes that race
 * with the same token only one gets new tokens (without a grace period); the user's stored refresh tokens are updated
 * one refresh at a time, so racing refreshes within the grace period keep each other's new token. Retired tokens are
 * kept in memory: after a restart a retired token is unknown (NotAuthorizedException) rather than reused.
 */
function rotateRefreshTokens(router: (target: string) => Route, services: { cognito: CognitoService; tokenGenerator: JwtTokenGenerator }, clock: Clock, retired: TokenRevocation) {
  let saving: Promise<unknown> = Promise.resolve();
  return (target: string): Route => {
    if (target !== "GetTokensFromRefreshToken") return router(target);
    return async (ctx, req) => {
      const pool = await services.cognito.getUserPoolForClientId(ctx, req?.ClientId);
      const client = (await services.cognito.getAppClient(ctx, req.ClientId)) as AppClientWithSettings | null;
      const token: unknown = req.RefreshToken;
      if (!client || typeof token !== "string") throw new NotAuthorizedError("Invalid Refresh Token");
      const rotation = client.RefreshTokenRotation?.Feature === "ENABLED" ? client.RefreshTokenRotation : undefined;
      // Check and retire in one synchronous step (no await between them): of two racing refreshes, one retires.
      const now = clock.get().getTime();
      const earlier = retired.retiredToken(token);
      const grace = Math.min(rotation?.RetryGracePeriodSeconds ?? 0, MAX_RETRY_GRACE_PERIOD_SECONDS);
      if (earlier && (!earlier.retry || now - earlier.at >= grace * 1000)) {
        throw new CognitoError("RefreshTokenReuseException", "Refresh token has been invalidated by refresh token rotation.");
      }
      const retry = earlier?.retry ?? { user: pool.getUserByRefreshToken(ctx, token), successors: new Set<string>() };
      const entry: RetiredRefreshToken = earlier ?? { at: now, retry };
      if (rotation && !earlier) retired.retire(token, entry);
      try {
        let user = await retry.user;
        if (user && earlier) {
          // A retry within the grace period: the user as stored now, still holding a token issued from this one. A
          // token is issued and its save queued in one step, so those issued so far are stored once `saving` settles.
          const issued = [...retry.successors];
          await saving;
          user = await pool.getUserByUsername(ctx, user.Username);
          if (issued.length > 0 && !(user?.RefreshTokens ?? []).some((t) => issued.includes(t))) user = null;
        }
        if (!user) throw new NotAuthorizedError("Invalid Refresh Token");
        const groups = await pool.listUserGroupMembership(ctx, user);
        const tokens = await services.tokenGenerator.generate(ctx, user, groups, client, req.ClientMetadata, "RefreshTokens");
        if (!rotation) {
          const { RefreshToken: _, ...issued } = tokens;
          return { AuthenticationResult: completeAuthenticationResult(issued) };
        }
        retry.successors.add(tokens.RefreshToken);
        // The user's refresh tokens are read, changed and saved one refresh at a time, so racing refreshes keep each other's.
        const username = user.Username;
        const save = saving.then(async () => {
          const current = await pool.getUserByUsername(ctx, username);
          if (current) await pool.saveUser(ctx, { ...current, RefreshTokens: [...unexpiredRefreshTokens(current.RefreshTokens, clock).filter((t) => t !== token), tokens.RefreshToken] });
        });
        saving = save.catch(() => undefined);
        await save;
        return { AuthenticationResult: completeAuthenticationResult(tokens) };
      } catch (error) {
        // Only a successful request invalidates the token (RefreshTokenRotationType, above): a failed one (an unknown
        // token, a PreTokenGeneration trigger's error, a failed save) takes its retiring back.
        if (!earlier) retired.unretire(token, entry);
        throw error;
      }
    };
  };
}

/**
 * The unit of each token's validity where an app client's TokenValidityUnits leaves it out: "The default
 * AccessTokenValidity time unit is hours", "The default IdTokenValidity time unit is hours", "The default
 * RefreshTokenValidity time unit is days"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TokenValidityUnitsType.html).
 */
export const DEFAULT_TOKEN_VALIDITY_UNITS = { AccessToken: "hours", IdToken: "hours", RefreshToken: "days" } as const;

/**
 * CreateUserPoolClient and UpdateUserPoolClient store the API's default unit (DEFAULT_TOKEN_VALIDITY_UNITS) for a token
 * whose unit the request leaves out. cognito-local stored minutes for the ID token (an IdTokenValidity of 1 gave ID
 * tokens of one minute, Cognito's last an hour), and its update kept the unit the client had, where Cognito's sets a
 * member it is not given to its default (updateSetsEveryMember, which resets the other members). A client an earlier
 * emulator stored keeps its units until it is updated.
 */
function defaultTokenValidityUnits(router: (target: string) => Route) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "CreateUserPoolClient" && target !== "UpdateUserPoolClient") return route;
    return async (ctx, req) => {
      const given = typeof req?.TokenValidityUnits === "object" && req.TokenValidityUnits !== null ? req.TokenValidityUnits : {};
      return route(ctx, { ...req, TokenValidityUnits: { ...DEFAULT_TOKEN_VALIDITY_UNITS, ...definedMembers(given) } });
    };
  };
}

/**
 * UpdateUserPoolClient sets every setting of the app client: one the request leaves out (or sends as null) is reset to
 * its default, as Cognito's: "If you don't provide a value for an attribute, Amazon Cognito sets it to its default
 * value" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolClient.html);
 * "When you submit an update request with just one parameter, Amazon Cognito sets that parameter to the value of your
 * choosing and sets all others to a default value"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html). cognito-local's update
 * kept the client's value of each (`req.X ?? client.X`): an update of the callback URLs alone kept the client's auth
 * flows, scopes, attributes and validities. The default is the member not set, which every reader of a client takes for
 * the API's default (ExplicitAuthFlows: FLOWS_WITHOUT_A_LIST; ReadAttributes and WriteAttributes: every attribute;
 * EnableTokenRevocation: on; PreventUserExistenceErrors: LEGACY; a validity: tokenLifetimes, not the old number in the
 * default unit; AuthSessionValidity: AUTH_SESSION_MINUTES.default; RefreshTokenRotation: off); TokenValidityUnits is
 * always given here (defaultTokenValidityUnits fills in the API's units, outside this). The client's name is kept when
 * the update leaves it out (a name has no default; Cognito's handling not confirmed), and so are what is no setting: its
 * id, pool, secret and creation date. Inside every other layer that acts on the update (defaultTokenValidityUnits,
 * keepClientSettings), so what they set is what the request gives.
 */
function updateSetsEveryMember(router: (target: string) => Route, cognito: CognitoService) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "UpdateUserPoolClient") return route;
    return async (ctx, req) => {
      const answer = await route(ctx, req);
      const client = (await appClientOf(cognito, ctx, answer?.UserPoolClient?.ClientId)) as (AppClientWithSettings & Record<string, unknown>) | undefined;
      const reset = CLIENT_SETTINGS.filter((name) => (req?.[name] === undefined || req[name] === null) && client?.[name] !== undefined);
      if (!client || reset.length === 0) return answer;
      const updated = { ...client };
      const shown: Record<string, unknown> = { ...answer.UserPoolClient };
      for (const name of reset) {
        delete updated[name];
        delete shown[name];
      }
      await (await cognito.getUserPool(ctx, client.UserPoolId)).saveAppClient(ctx, updated);
      return { ...answer, UserPoolClient: shown };
    };
  };
}

/**
 * The settings UpdateUserPoolClient sets: every member of its request but those naming the pool, the client and its
 * name (UpdateUserPoolClientRequest, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolClient.html#API_UpdateUserPoolClient_RequestSyntax).
 */
const CLIENT_SETTINGS = [
  "RefreshTokenValidity",
  "AccessTokenValidity",
  "IdTokenValidity",
  "TokenValidityUnits",
  "ReadAttributes",
  "WriteAttributes",
  "ExplicitAuthFlows",
  "SupportedIdentityProviders",
  "CallbackURLs",
  "LogoutURLs",
  "DefaultRedirectURI",
  "AllowedOAuthFlows",
  "AllowedOAuthScopes",
  "AllowedOAuthFlowsUserPoolClient",
  "AnalyticsConfiguration",
  "PreventUserExistenceErrors",
  "EnableTokenRevocation",
  "EnablePropagateAdditionalUserContextData",
  "AuthSessionValidity",
  "RefreshTokenRotation",
] as const;

/** `record` without its members that are undefined or null (a member sent as JSON null is one not sent). */
function definedMembers(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && value !== null));
}

/** An app client with the settings keepClientSettings keeps (cognito-local's record has neither). */
type AppClientWithSettings = NonNullable<Awaited<ReturnType<CognitoService["getAppClient"]>>> & {
  RefreshTokenRotation?: { Feature?: string; RetryGracePeriodSeconds?: number };
  AuthSessionValidity?: number;
};

/** The app client settings cognito-local's CreateUserPoolClient and UpdateUserPoolClient drop, which keepClientSettings keeps. */
const KEPT_CLIENT_SETTINGS = ["RefreshTokenRotation", "AuthSessionValidity"] as const;

/**
 * An app client's RefreshTokenRotation and AuthSessionValidity, which cognito-local's CreateUserPoolClient and
 * UpdateUserPoolClient drop: kept on the client as given (an update that leaves one out resets it,
 * updateSetsEveryMember), and answered by DescribeUserPoolClient. enforceAuthFlows reads the rotation, challengeSessions and hostedUiNewPassword
 * the session validity (authSessionMilliseconds). An AuthSessionValidity outside AUTH_SESSION_MINUTES is refused before
 * anything is set (cognito-local took any; 0 would have ended every challenge session at once), InvalidParameterException
 * in the wording of Cognito's model validation (as resourceServerProblems; not confirmed for this member).
 */
function keepClientSettings(router: (target: string) => Route, cognito: CognitoService) {
  const withSettings = (answer: any, client: AppClientWithSettings | undefined) => {
    const kept = Object.fromEntries(KEPT_CLIENT_SETTINGS.filter((name) => client?.[name] !== undefined).map((name) => [name, client![name]]));
    return Object.keys(kept).length > 0 && answer?.UserPoolClient ? { ...answer, UserPoolClient: { ...answer.UserPoolClient, ...kept } } : answer;
  };
  return (target: string): Route => {
    const route = router(target);
    if (target === "DescribeUserPoolClient") {
      return async (ctx, req) => withSettings(await route(ctx, req), await appClientOf(cognito, ctx, req?.ClientId));
    }
    if (target !== "CreateUserPoolClient" && target !== "UpdateUserPoolClient") return route;
    return async (ctx, req) => {
      const validity = req?.AuthSessionValidity;
      if (typeof validity === "number" && (validity < AUTH_SESSION_MINUTES.min || validity > AUTH_SESSION_MINUTES.max)) {
        const constraint = validity < AUTH_SESSION_MINUTES.min ? `greater than or equal to ${AUTH_SESSION_MINUTES.min}` : `less than or equal to ${AUTH_SESSION_MINUTES.max}`;
        throw new InvalidParameterError(`1 validation error detected: Value '${validity}' at 'authSessionValidity' failed to satisfy constraint: Member must have value ${constraint}`);
      }
      const answer = await route(ctx, req);
      const client = (await appClientOf(cognito, ctx, answer?.UserPoolClient?.ClientId)) as AppClientWithSettings | undefined;
      const given = KEPT_CLIENT_SETTINGS.filter((name) => req?.[name] !== undefined && req[name] !== null);
      if (!client || given.length === 0) return answer;
      const updated: AppClientWithSettings = { ...client };
      for (const name of given) Object.assign(updated, { [name]: req[name] });
      await (await cognito.getUserPool(ctx, client.UserPoolId)).saveAppClient(ctx, updated);
      return withSettings(answer, updated);
    };
  };
}

/**
 * How long a challenge's session of `client` is good for: its AuthSessionValidity, "the duration, in minutes, of that
 * session token. Your user pool native user must respond to each authentication challenge before the session expires"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html); "Valid
 * values for authSessionValidity are between 3 and 15, with a default value of 3" (pulumi-aws's UserPoolClient).
 */
function authSessionMilliseconds(client: AppClientWithSettings | undefined): number {
  return (client?.AuthSessionValidity ?? AUTH_SESSION_MINUTES.default) * 60 * 1000;
}

/**
 * AuthSessionValidity's range, in minutes, the one the deploy rule CognitoClientAuthSessionValidity checks
 * (APP_CLIENT_AUTH_SESSION_MINUTES, with its sources), and its default: "Valid values for authSessionValidity are
 * between 3 and 15, with a default value of 3" (pulumi-aws's UserPoolClient; terraform-provider-aws validates the same
 * range). Not confirmed here in the API reference's own "Valid Range" (the SDK models at hand carry no ranges).
 */
const AUTH_SESSION_MINUTES = { ...APP_CLIENT_AUTH_SESSION_MINUTES, default: 3 } as const;

/**
 * The ExplicitAuthFlows values that enable each AuthFlow a client may be refused (a Map: AuthFlow is the caller's text):
 * the ALLOW_ value and the legacy one (UserPoolClientType's ExplicitAuthFlows: "ALLOW_ADMIN_USER_PASSWORD_AUTH ...
 * This setting replaces the ADMIN_NO_SRP_AUTH setting", ALLOW_CUSTOM_AUTH for CUSTOM_AUTH_FLOW_ONLY, ALLOW_USER_AUTH,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html). A legacy
 * list (no ALLOW_ value) gates only the flows it names: USER_SRP_AUTH stays enabled under it (not confirmed).
 */
const FLOW_SETTINGS = new Map<string, string[]>([
  ["USER_PASSWORD_AUTH", ["ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"]],
  ["ADMIN_USER_PASSWORD_AUTH", ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]],
  ["ADMIN_NO_SRP_AUTH", ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]],
  ["USER_SRP_AUTH", ["ALLOW_USER_SRP_AUTH"]],
  ["CUSTOM_AUTH", ["ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"]],
  ["USER_AUTH", ["ALLOW_USER_AUTH"]],
]);

/**
 * The flows an app client without ExplicitAuthFlows has: "If you don't specify a value for ExplicitAuthFlows, your app
 * client supports ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH" (API_UserPoolClientType.html).
 * The password flows are taken locally from such a client too (a difference kept: tests and tools make clients without
 * a list and sign in with a password); USER_AUTH is not enabled.
 */
const FLOWS_WITHOUT_A_LIST = new Set(["USER_SRP_AUTH", "CUSTOM_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]);

/**
 * The sign-in flows Cognito has and the emulator does not (cognito-local answered each HTTP 500 "Cognito Local
 * unsupported feature"): SRP (USER_SRP_AUTH), custom authentication (CUSTOM_AUTH) and choice-based sign-in (USER_AUTH).
 * A client that enables one is answered UnsupportedOperationException (HTTP 400, a type InitiateAuth and
 * AdminInitiateAuth declare: "Exception that is thrown when you attempt to perform an operation that isn't enabled for
 * the user pool client", https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html)
 * whose message says it is the local emulator's gap; docs/local-vs-aws.md lists them.
 */
const UNEMULATED_FLOWS = new Set(["USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"]);

/**
 * Cognito's refusal of a flow the app client does not enable (InvalidParameterException): "USER_SRP_AUTH is not enabled
 * for the client." for SRP (the service's answer quoted in aws-samples/aws-serverless-workshops#277 and client code
 * handling it), "<flow> flow not enabled for this client" for the others (USER_PASSWORD_AUTH's, widely quoted;
 * USER_AUTH's as Amplify UI's authenticator matches it; CUSTOM_AUTH's and the admin flows' not confirmed).
 */
const flowNotEnabled = (flow: string) => new InvalidParameterError(flow === "USER_SRP_AUTH" ? "USER_SRP_AUTH is not enabled for the client." : `${flow} flow not enabled for this client`);

/** Whether app client `enabled` (its ExplicitAuthFlows) enables `flow` (FLOW_SETTINGS, FLOWS_WITHOUT_A_LIST). */
function flowEnabled(flow: string, enabled: string[] | undefined): boolean {
  if (!enabled || enabled.length === 0) return FLOWS_WITHOUT_A_LIST.has(flow);
  if (flow === "USER_SRP_AUTH" && !enabled.some((f) => f.startsWith("ALLOW_"))) return true;
  return enabled.some((f) => FLOW_SETTINGS.get(flow)!.includes(f));
}

/**
 * A sign-in on a client whose ExplicitAuthFlows do not enable its flow is refused, as Cognito refuses it
 * (flowNotEnabled; ExplicitAuthFlows,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
 * cognito-local never checks. Checked before the pre-authentication trigger. An enabled flow the emulator lacks
 * (UNEMULATED_FLOWS) is refused after, never with cognito-local's HTTP 500. AdminInitiateAuth's ADMIN_NO_SRP_AUTH, the
 * legacy name of ADMIN_USER_PASSWORD_AUTH ("ADMIN_USER_PASSWORD_AUTH: Admin-based user password authentication. This
 * replaces the ADMIN_NO_SRP_AUTH authentication flow", API_AdminInitiateAuth.html), signs in as that flow (cognito-local
 * answered HTTP 500), the layers within (lockout, user existence errors, triggers) seeing ADMIN_USER_PASSWORD_AUTH.
 *
 * Refresh flows are refused on a client with refresh token rotation ENABLED (UserAuth's default), the rest not gated:
 * "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token rotation enabled"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html);
 * "Refresh token rotation must be completed with GetTokensFromRefreshToken"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html).
 * Such a client cannot list ALLOW_REFRESH_TOKEN_AUTH, so the refusal is the one for a flow the client does not enable;
 * the exception and wording Cognito answers it with are not documented (not confirmed).
 */
function enforceAuthFlows(router: (target: string) => Route, cognito: CognitoService) {
  return (target: string): Route => {
    const route = router(target);
    if (!SIGN_IN_OPERATIONS.has(target)) return route;
    return async (ctx, req) => {
      const flow = String(req?.AuthFlow ?? "");
      if (flow.startsWith("REFRESH_TOKEN") && ((await appClientOf(cognito, ctx, req?.ClientId)) as AppClientWithSettings | undefined)?.RefreshTokenRotation?.Feature === "ENABLED") {
        throw flowNotEnabled(flow);
      }
      const client = FLOW_SETTINGS.has(flow) ? await appClientOf(cognito, ctx, req?.ClientId) : undefined;
      if (!client) return route(ctx, req); // a refresh, or an unknown client, which cognito-local answers
      if (!flowEnabled(flow, client.ExplicitAuthFlows)) throw flowNotEnabled(flow);
      if (UNEMULATED_FLOWS.has(flow)) {
        throw new CognitoError("UnsupportedOperationException", `${flow} is not emulated by the local Cognito (npm start); sign in with USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH locally (docs/local-vs-aws.md)`);
      }
      return route(ctx, flow === "ADMIN_NO_SRP_AUTH" ? { ...req, AuthFlow: "ADMIN_USER_PASSWORD_AUTH" } : req);
    };
  };
}

/** The operations that answer with an AuthenticationResult. */
const TOKEN_OPERATIONS = new Set([...SIGN_IN_OPERATIONS, "RespondToAuthChallenge", "AdminRespondToAuthChallenge"]);

/**
 * An AuthenticationResult as Cognito gives it: with `ExpiresIn`, "The expiration period of the authentication result in
 * seconds", and `TokenType`, "The intended use of the token, for example Bearer"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AuthenticationResultType.html).
 * cognito-local leaves both out. The period is the access token's.
 */
function completeAuthenticationResult<T extends { AccessToken?: string }>(result: T): T & { ExpiresIn?: number; TokenType?: string } {
  const { exp, iat } = claimsOf(result.AccessToken);
  return typeof exp === "number" && typeof iat === "number" ? { ...result, ExpiresIn: exp - iat, TokenType: "Bearer" } : result;
}

function authenticationResultFields(router: (target: string) => Route) {
  return (target: string): Route => {
    const route = router(target);
    if (!TOKEN_OPERATIONS.has(target)) return route;
    return async (ctx, req) => {
      const result = await route(ctx, req);
      return result?.AuthenticationResult ? { ...result, AuthenticationResult: completeAuthenticationResult(result.AuthenticationResult) } : result;
    };
  };
}

/** Where each operation carries a new password, and how to find its pool. A Map: the target is the caller's text ("constructor" is no key). */
const PASSWORD_FIELDS = new Map<string, (req: any) => string | undefined>([
  ["SignUp", (req) => req.Password],
  ["AdminCreateUser", (req) => req.TemporaryPassword],
  ["AdminSetUserPassword", (req) => req.Password],
  ["ConfirmForgotPassword", (req) => req.Password],
  ["ChangePassword", (req) => req.ProposedPassword],
  ["RespondToAuthChallenge", (req) => req.ChallengeResponses?.NEW_PASSWORD],
  ["AdminRespondToAuthChallenge", (req) => req.ChallengeResponses?.NEW_PASSWORD],
]);

/**
 * Refuses passwords the pool's policy rejects, with Cognito's error and wording, and a SignUp without a password in a
 * pool that allows no passwordless sign-in (passwordSignUpRequired).
 */
function enforcePasswordPolicy(router: (target: string) => Route, cognito: CognitoService, ctx: any) {
  return (target: string): Route => {
    const route = router(target);
    const passwordOf = PASSWORD_FIELDS.get(target);
    if (!passwordOf) return route;
    return async (requestCtx, req) => {
      const password = passwordOf(req ?? {});
      if (target === "SignUp" && (password === undefined || password === null || password === "")) {
        const pool = await poolOf(cognito, ctx, req);
        if (pool && !allowsPasswordlessSignIn(pool)) throw passwordSignUpRequired();
        // A passwordless user has no password: a blank one stored would sign in with a blank PASSWORD.
        return route(requestCtx, { ...req, Password: undefined });
      }
      // A member sent as JSON null is one not sent (no password to check; HTTP 500 before); other types are refused
      // before this (answerApiRequests).
      if (typeof password === "string") {
        const problem = passwordPolicyProblem(await poolOf(cognito, ctx, req), password);
        if (problem) throw new CognitoError("InvalidPasswordException", problem);
      }
      return route(requestCtx, req);
    };
  };
}

/**
 * SignUp's Password is optional in the API's model only for passwordless users: "Users can sign up without a password
 * when your user pool supports passwordless sign-in with email or SMS OTPs. To create a user with no password, omit this
 * parameter or submit a blank value. You can only create a passwordless user when passwordless sign-in is available"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html). Passwordless sign-in is
 * the pool's SignInPolicy's AllowedFirstAuthFactors with EMAIL_OTP or SMS_OTP; a pool without the policy allows PASSWORD
 * only (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignInPolicyType.html), as
 * UserAuth's pools do (they set none). cognito-local stored a user without a password, who could never sign in.
 */
function allowsPasswordlessSignIn(pool: { options: UserPool }): boolean {
  const factors = (pool.options.Policies as { SignInPolicy?: { AllowedFirstAuthFactors?: unknown } } | undefined)?.SignInPolicy?.AllowedFirstAuthFactors;
  return Array.isArray(factors) && factors.some((factor) => factor === "EMAIL_OTP" || factor === "SMS_OTP");
}

/**
 * SignUp without a password in a pool that allows no passwordless sign-in (allowsPasswordlessSignIn). The error code and
 * wording are the emulator's: Cognito's answer was not found in public reports (InvalidParameterException assumed, as for
 * the other requests Cognito refuses for the pool's configuration).
 */
const passwordSignUpRequired = () =>
  new InvalidParameterError("Password is required: this user pool's sign-in policy allows no passwordless sign-in (AllowedFirstAuthFactors without EMAIL_OTP or SMS_OTP).");

/**
 * What the pool's password policy finds wrong with `password`, in Cognito's words ("Password did not conform with
 * policy: ..."), or undefined: none, or a pool without a policy. The API's new passwords (enforcePasswordPolicy) and
 * the hosted UI's new-password form (hostedUiNewPassword) are checked with it.
 */
function passwordPolicyProblem(pool: { options: UserPool } | undefined, password: string): string | undefined {
  const policy = pool?.options.Policies?.PasswordPolicy;
  if (!policy) return undefined;
  const problems = passwordProblems(
    {
      minimumLength: policy.MinimumLength ?? 8,
      requireLowercase: policy.RequireLowercase ?? false,
      requireUppercase: policy.RequireUppercase ?? false,
      requireNumbers: policy.RequireNumbers ?? false,
      requireSymbols: policy.RequireSymbols ?? false,
      temporaryPasswordValidityDays: policy.TemporaryPasswordValidityDays ?? 7,
    },
    password,
  );
  return problems.length > 0 ? `Password did not conform with policy: ${problems[0]}` : undefined;
}

async function poolOf(cognito: CognitoService, ctx: any, req: any) {
  try {
    if (req.UserPoolId) return await cognito.getUserPool(ctx, req.UserPoolId);
    if (req.ClientId) return await cognito.getUserPoolForClientId(ctx, req.ClientId);
    if (req.AccessToken) {
      const claims = claimsOf(req.AccessToken);
      if (claims.client_id) return await cognito.getUserPoolForClientId(ctx, claims.client_id);
    }
  } catch {
    // Unknown pool or client: let cognito-local answer with its own error.
  }
  return undefined;
}

/**
 * The lockout records (SignInLockout) in a JSON file of the emulator's state folder, so a restart of `npm start` keeps
 * a user's failures and lockout as Cognito, which does not restart, keeps them. Written whole (writeThroughSync), so a
 * crash mid-write leaves the previous records; an unreadable or ill-formed file is no records, said in the log (it must
 * not stop `npm start`). The writes are synchronous, so two sign-ins at once cannot interleave them. Only a failed attempt, or an attempt by a user with failures, writes, once (SignInLockout): a successful
 * sign-in of a user without failures (the bench's) touches no file.
 */
function lockoutFile(path: string, log: (message: string) => void): LockoutPersistence {
  return {
    load: () => readRecords(path, isLockoutRecord, log, "a list of sign-in failure records; starting with none"),
    save(records) {
      writeThroughSync(path, JSON.stringify(records));
    },
  };
}

/**
 * The records a JSON file of the emulator's state folder holds (lockoutFile, RefreshTokenScopes): none when there is no
 * file yet (a fresh state folder); none, said in the log (`<path> is <what>`), when it is not JSON or not a list of
 * `isRecord` (edited by hand, cut short by a full disk): the emulator starts without them.
 */
function readRecords<T>(path: string, isRecord: (record: unknown) => record is T, log: (message: string) => void, what: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return []; // none yet
  }
  try {
    const records = JSON.parse(text) as unknown;
    if (Array.isArray(records) && records.every(isRecord)) return records;
  } catch {
    // not JSON: said below
  }
  log(`  cognito-local: ${path} is not ${what}`);
  return [];
}

/** `[<lockoutKey>, Failures]` (the key `<pool id>/<sub>`) with finite numbers, as `lockoutFile` writes them. */
function isLockoutRecord(record: unknown): record is [string, Failures] {
  if (!Array.isArray(record) || record.length !== 2 || typeof record[0] !== "string") return false;
  const failures = record[1] as Partial<Failures> | null;
  return typeof failures === "object" && failures !== null && [failures.count, failures.lockedUntil, failures.lastAttempt].every((n) => typeof n === "number" && Number.isFinite(n));
}

/**
 * The emulator's resource-server store (`<ownState>/resource-servers.json`). One that cannot be read (not JSON: edited
 * by hand, cut short) would stop `npm start`; it is set aside as `resource-servers.json.unreadable-<time>` with a log
 * line, and the emulator starts without resource servers (the program's are provisioned again at start).
 */
async function resourceServerStoreIn(ownState: string, ctx: any, log: (message: string) => void): Promise<DataStore> {
  return recoveringDataStores(ownState, log, () => "starting without resource servers").create(ctx, "resource-servers", { ResourceServers: {} });
}

/**
 * A StormDB store factory for `directory` (cognito-local's, whose `<pool id>.json` and `clients.json` it opens at start,
 * or the emulator's own) under which a file that cannot be read (not JSON: edited by hand, cut short by a full disk or a
 * crash) does not stop `npm start` — StormDB throws "Failed to load StormDB database file - invalid or corrupted format"
 * for it. The file is moved aside as `<file>.unreadable-<time>` (kept, so what it held can be restored by hand while
 * `npm start` is stopped: cognito-local takes `.json` files only), the log names it and says what is lost (`lost(id)`),
 * and the store starts fresh with its defaults. An empty file is taken as cut short too: StormDB never writes one (a
 * new store is `{}`), but reads it as `{}`, which would lose a pool's users (and its options) without a word.
 * Only files opened at start are read: cognito-local keeps each store in memory and opens a pool's file once, so a
 * file being written (by this process, atomicStormDBWrites) is never taken for an unreadable one.
 */
function recoveringDataStores(directory: string, log: (message: string) => void, lost: (id: string) => string): StormDBDataStoreFactory {
  const factory = new StormDBDataStoreFactory(directory);
  const create = factory.create.bind(factory);
  const moveAside = (file: string, why: string, id: string): void => {
    const aside = `${file}.unreadable-${Date.now()}`;
    renameSync(file, aside);
    log(`  cognito-local: ${file} could not be read (${why}); moved to ${aside}, ${lost(id)}`);
  };
  factory.create = async (ctx, id, defaults) => {
    const file = join(directory, `${id}.json`);
    if (sizeOf(file) === 0) moveAside(file, "it is empty", id);
    try {
      return ownKeysOnly(await create(ctx, id, defaults));
    } catch (error) {
      if (!existsSync(file)) throw error;
      moveAside(file, (error as Error).message, id);
      return ownKeysOnly(await create(ctx, id, defaults));
    }
  };
  return factory;
}

/**
 * A StormDB store that finds only what was stored. cognito-local looks a user up as `["Users", <username>]`, a group as
 * `["Groups", <name>]`, a client as `["Clients", <id>]`, and StormDB walks plain objects: a name that is an
 * Object.prototype member ("constructor", "toString", "__proto__") found the inherited function or object, so
 * AdminGetUser answered 200 for a user "constructor" that no one created, SignUp as "toString" was
 * UsernameExistsException and ForgotPassword an HTTP 500; and a pool without any group yet has no `Groups` object,
 * where StormDB throws ("Can't run .value() on non-existant property of non-existant object.": AdminAddUserToGroup,
 * AdminRemoveUserFromGroup, GetGroup, ... an HTTP 500 in place of "Group not found"). Here a key that is not an own
 * property along the way is absent (the default, or null). Writing under a key `__proto__` would replace the stored
 * object's prototype (StormDB assigns it) and lose the record at the next save: such a write is refused,
 * InvalidParameterException (Cognito takes the name: a difference kept, docs/local-vs-aws.md).
 */
function ownKeysOnly<T extends DataStore>(store: T): T {
  const get = store.get.bind(store) as (ctx: any, key: string | string[], defaultValue?: unknown) => Promise<unknown>;
  const set = store.set.bind(store);
  const path = (key: string | string[]) => (Array.isArray(key) ? key : [key]);
  Object.assign(store, {
    async get(ctx: any, key: string | string[], defaultValue?: unknown) {
      let node: unknown = await store.getRoot(ctx);
      for (const k of path(key)) {
        if (typeof node !== "object" || node === null || !Object.hasOwn(node, k)) return defaultValue ?? null;
        node = (node as Record<string, unknown>)[k];
      }
      return get(ctx, key, defaultValue);
    },
    async set(ctx: any, key: string | string[], value: unknown) {
      if (path(key).includes("__proto__")) throw new InvalidParameterError("__proto__ cannot be stored by the local Cognito emulator (its store would lose the record)");
      return set(ctx, key, value);
    },
  });
  return store;
}

/** The size of `file` in bytes, undefined when there is none. */
function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * The emulator's one way of writing a state file (cognito-local's StormDB stores, lockout.json,
 * refresh-token-scopes.json): whole, to `<file>.<pid>.tmp` and renamed over the file, so a crash mid-write leaves the
 * previous file, never half of one. The temporary file is named after the process, so two emulators on one state folder
 * do not write into the same one (the last rename wins); one a crash left behind is removed at the next start
 * (removeAbandonedWrites).
 */
function temporaryFileOf(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

function writeThroughSync(path: string, text: string): void {
  const temporary = temporaryFileOf(path);
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

async function writeThrough(path: string, text: string): Promise<void> {
  const temporary = temporaryFileOf(path);
  await writeFile(temporary, text);
  await rename(temporary, path);
}

/**
 * The temporary files (`<file>.json.<pid>.tmp`, writeThroughSync) in `folder` of a process that stopped between writing
 * one and renaming it (a crash, a kill): removed, as no rename will ever come (they would pile up, one per crash, in the
 * state folder). One of a process still running (another emulator on the same folder) is left to it, and so is one of
 * this process's own id (another emulator of this process may be writing it; one an earlier run of the same id left is
 * written over at this process's next write of that file). Reads only the folder's listing: cheap at every start.
 */
function removeAbandonedWrites(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return; // none yet
  }
  for (const name of names) {
    const pid = parsePid(/\.json\.(\d+)\.tmp$/.exec(name)?.[1]); // none (0, leading zeros, past 2^31-1): no process's, left alone
    if (pid !== undefined && pid !== process.pid && !processRunning(pid)) rmSync(join(folder, name), { force: true });
  }
}

/**
 * cognito-local's stores (StormDB's file engine, `async: true`) save with `fs.writeFile`, which truncates the file and
 * then writes it, one save beside another: a crash between the two leaves the file empty or cut short, and saves that
 * overlap (two requests at once, a shorter state saved while a longer one is still being written) leave the short JSON
 * followed by the long one's tail. Either is unreadable at the next start, and the pool's users are lost
 * (recoveringDataStores). Here every StormDB file is written through a temporary file (`<file>.<pid>.tmp`, which
 * cognito-local, taking `.json` files only, never reads) and a rename, one write at a time per file. Saves asked for
 * while one is being written wait for the next write, which writes the store's state as it is then (StormDB saves its
 * whole state, so that holds what each of them asked for): a burst of saves is one or two writes, not one each.
 * Applied once, to the engine class cognito-local uses.
 */
function atomicStormDBWrites(): void {
  type Engine = { path: string; async: boolean; serialize(data: unknown): string };
  type Waiting = { engine: Engine; data: unknown; settle: Array<(error?: unknown) => void> };
  const engine = stormDB().localFileEngine.prototype;
  if (engine.atomicWrites) return;
  engine.atomicWrites = true;
  /** Per file: the saves waiting for the next write (undefined while none wait); a file is in the map while it is written. */
  const files = new Map<string, Waiting | undefined>();
  const drain = async (path: string) => {
    for (let next = files.get(path); next; next = files.get(path)) {
      files.set(path, undefined);
      let failure: unknown;
      try {
        await writeThrough(path, next.engine.serialize(next.data));
      } catch (error) {
        failure = error ?? new Error(`${path} could not be written`);
      }
      for (const settle of next.settle) settle(failure);
    }
    files.delete(path);
  };
  engine.write = function (this: Engine, data: unknown): Promise<void> | null {
    const path = this.path;
    if (!this.async) {
      writeThroughSync(path, this.serialize(data));
      return null;
    }
    return new Promise<void>((resolve, reject) => {
      const writing = files.has(path);
      const waiting = files.get(path) ?? { engine: this, data, settle: [] };
      Object.assign(waiting, { engine: this, data });
      waiting.settle.push((error) => (error === undefined ? resolve() : reject(error)));
      files.set(path, waiting);
      if (!writing) void drain(path);
    });
  };
}
atomicStormDBWrites();

/** StormDB, the store cognito-local keeps its files with (its module: the store class, with its file engine). */
function stormDB() {
  return createRequire(require.resolve("cognito-local/lib/services/dataStore/stormDb"))("stormdb") as { prototype: any; localFileEngine: { prototype: any } };
}

/**
 * A StormDB store saves only a state its file does not hold already. cognito-local saves every store it opens (each
 * pool's file and clients.json, at every start) and saves the whole store at every change, changed or not (an update
 * that sets what is there), each a rewrite of the whole file (issue 15: a pool file grows with its users); an
 * unchanged `npm start` rewrote every file. Here a save is skipped when its text is the one last written, or the
 * serialisation of the data last read from the file, in this process (the same data, however the file spelt it; kept
 * as a hash, not the text: a pool's file can be large), and no write of the file is under way: a save asked for while
 * one is written is written too (after it, atomicStormDBWrites), so a failed write is not taken for the text the file
 * holds, and the next save writes. Applied once, to the classes cognito-local uses.
 */
function skipUnchangedStormDBSaves(): void {
  const { prototype: store, localFileEngine } = stormDB();
  if (store.skipsUnchanged) return;
  store.skipsUnchanged = true;
  type Engine = { path: string; async: boolean; serialize(data: unknown): string };
  /** Per file: the hash of the text it holds, as last read or written (unknown while a write is under way). */
  const held = new Map<string, string>();
  /** Per file: how many of its saves are being written. */
  const writing = new Map<string, number>();
  const hashOf = (engine: Engine, data: unknown) => createHash("sha256").update(engine.serialize(data)).digest("base64");
  // A file opened afresh (a new store, or one a --fresh run or a test removed) holds nothing known yet: its `init`
  // writes `{}` itself when there is none, and reads it otherwise.
  const init = localFileEngine.prototype.init as (this: Engine) => unknown;
  localFileEngine.prototype.init = function (this: Engine) {
    held.delete(this.path);
    return init.call(this);
  };
  const read = localFileEngine.prototype.read as (this: Engine) => unknown;
  localFileEngine.prototype.read = function (this: Engine) {
    const data = read.call(this);
    held.set(this.path, hashOf(this, data));
    return data;
  };
  const save = store.save as (this: { engine: Engine; state: unknown }) => Promise<void> | null;
  store.save = function (this: { engine: Engine; state: unknown }) {
    const { path } = this.engine;
    const hash = hashOf(this.engine, this.state);
    if (!writing.has(path) && held.get(path) === hash) return this.engine.async ? Promise.resolve() : null;
    held.delete(path);
    writing.set(path, (writing.get(path) ?? 0) + 1);
    const settled = (written: boolean) => {
      const left = writing.get(path)! - 1;
      if (left > 0) writing.set(path, left);
      else writing.delete(path);
      // A file's writes settle one at a time, in the order asked for: the last one holds the store's latest text.
      if (written && left === 0) held.set(path, hash);
    };
    let result: Promise<void> | null;
    try {
      result = save.call(this);
    } catch (error) {
      settled(false);
      throw error;
    }
    if (!result) {
      settled(true);
      return null;
    }
    return result.then(
      () => settled(true),
      (error: unknown) => {
        settled(false);
        throw error;
      },
    );
  };
}
skipUnchangedStormDBSaves();

/**
 * cognito-local's store of the hosted UI's authorization codes (POST /oauth2/authorize hands them out) forgets a code
 * only when it is exchanged, so each sign-in whose code is never exchanged (a browser closed, a replayed form) stayed in
 * memory for good. Here each new code first drops the expired ones: after the store's own five minutes ("a one time use
 * code that is valid for five minutes", AUTHORIZATION_CODE_SECONDS), on its clock (Date.now, as its `consume` checks),
 * which can no longer exchange them. Applied once, to the class cognito-local's server uses.
 */
function forgetExpiredAuthorizationCodes(): void {
  const store = AuthorizationCodeStore.prototype as unknown as { create(this: { codes: Map<string, { expiresAt: number }> }, data: unknown): string; swept?: boolean };
  if (store.swept) return;
  store.swept = true;
  const create = store.create;
  store.create = function (data) {
    const now = Date.now();
    for (const [code, entry] of this.codes) if (now > entry.expiresAt) this.codes.delete(code);
    return create.call(this, data);
  };
}
forgetExpiredAuthorizationCodes();

/** A resource server as the API gives it (ResourceServerType). */
interface ResourceServer {
  UserPoolId: string;
  Identifier: string;
  Name: string;
  Scopes: Array<{ ScopeName: string; ScopeDescription: string }>;
}

/** The pool's resource servers, as stored (one list per pool). */
async function resourceServersOf(store: DataStore, ctx: any, userPoolId: string): Promise<ResourceServer[]> {
  return store.get<ResourceServer[]>(ctx, ["ResourceServers", userPoolId], []);
}

/**
 * The custom scopes `servers` define, as Cognito names them: `<identifier>/<scope name>` ("Amazon Cognito renders custom
 * scopes in the format resourceServerIdentifier/ScopeName", API_ResourceServerScopeType.html). The one
 * builder of them: the stored servers' (definedScopes) and the program's (services/cognito.ts provisionResourceServers).
 */
export function customScopesOf(servers: Iterable<{ Identifier: string; Scopes?: ReadonlyArray<{ ScopeName: string }> }>): Set<string> {
  const scopes = new Set<string>();
  for (const server of servers) for (const scope of server.Scopes ?? []) scopes.add(`${server.Identifier}/${scope.ScopeName}`);
  return scopes;
}

/** The custom scopes the pool's resource servers define (customScopesOf). */
async function definedScopes(store: DataStore, ctx: any, userPoolId: string): Promise<Set<string>> {
  return customScopesOf(await resourceServersOf(store, ctx, userPoolId));
}

/**
 * Resource servers, which cognito-local lacks (HTTP 500 Unsupported): CreateResourceServer, UpdateResourceServer,
 * DescribeResourceServer, ListResourceServers and DeleteResourceServer, answering ResourceServerType
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html): "A resource
 * server is a server for access-protected resources. It handles authenticated requests from an app that has an access
 * token" — the custom scopes, `<identifier>/<scope name>`, that app clients may be allowed (checkClientScopes) and the
 * token endpoint grants (clientCredentialsGrant). Kept in the emulator's state folder with the pools. UpdateResourceServer
 * replaces the server's name and scopes ("If you don't provide a value for an attribute, it is set to the default
 * value", API_UpdateResourceServer.html). An unknown pool or server: ResourceNotFoundException. A second server with an
 * identifier the pool has: InvalidParameterException here; the exception Cognito answers it with is not documented
 * (not confirmed). ListResourceServers answers every server in one page. A request outside the API's constraints
 * (resourceServerProblems) is refused before anything is stored.
 */
function resourceServers(router: (target: string) => Route, cognito: CognitoService, store: DataStore) {
  const describe = (server: ResourceServer) => ({ UserPoolId: server.UserPoolId, Identifier: server.Identifier, Name: server.Name, Scopes: server.Scopes });
  const poolServers = async (ctx: any, userPoolId: unknown) => {
    if (typeof userPoolId !== "string" || !(await cognito.listUserPools(ctx)).some((p) => p.Id === userPoolId)) throw userPoolNotFound(userPoolId);
    return resourceServersOf(store, ctx, userPoolId);
  };
  const notFound = (identifier: unknown) => new CognitoError("ResourceNotFoundException", `Resource server ${String(identifier)} does not exist.`);
  const written = (req: any): ResourceServer => ({
    UserPoolId: String(req.UserPoolId),
    Identifier: String(req.Identifier ?? ""),
    Name: String(req.Name ?? ""),
    Scopes: (Array.isArray(req.Scopes) ? req.Scopes : []).map((s: any) => ({ ScopeName: String(s?.ScopeName), ScopeDescription: String(s?.ScopeDescription) })),
  });
  return (target: string): Route => {
    switch (target) {
      case "CreateResourceServer":
      case "UpdateResourceServer":
        return async (ctx, req) => {
          const problems = resourceServerProblems(req);
          if (problems.length > 0) throw validationErrors(problems);
          const servers = await poolServers(ctx, req?.UserPoolId);
          const server = written(req);
          const index = servers.findIndex((s) => s.Identifier === server.Identifier);
          if (target === "CreateResourceServer" && index >= 0) throw new InvalidParameterError(`A resource server with identifier ${server.Identifier} already exists in this user pool.`);
          if (target === "UpdateResourceServer" && index < 0) throw notFound(server.Identifier);
          await store.set(ctx, ["ResourceServers", server.UserPoolId], index < 0 ? [...servers, server] : servers.map((s, i) => (i === index ? server : s)));
          return { ResourceServer: describe(server) };
        };
      case "DescribeResourceServer":
        return async (ctx, req) => {
          const server = (await poolServers(ctx, req?.UserPoolId)).find((s) => s.Identifier === req?.Identifier);
          if (!server) throw notFound(req?.Identifier);
          return { ResourceServer: describe(server) };
        };
      case "ListResourceServers":
        return async (ctx, req) => ({ ResourceServers: (await poolServers(ctx, req?.UserPoolId)).map(describe) });
      case "DeleteResourceServer":
        return async (ctx, req) => {
          const servers = await poolServers(ctx, req?.UserPoolId);
          if (!servers.some((s) => s.Identifier === req?.Identifier)) throw notFound(req?.Identifier);
          await store.set(ctx, ["ResourceServers", String(req.UserPoolId)], servers.filter((s) => s.Identifier !== req.Identifier));
          return {};
        };
      default:
        return router(target);
    }
  };
}

/**
 * Where a CreateResourceServer or UpdateResourceServer request breaks the API's constraints (the same RESOURCE_SERVER
 * rules UserAuth checks at plan time), its required members given (modelValidation): Identifier and Name "Minimum length of 1. Maximum length of 256",
 * Identifier "Pattern: [\x21\x23-\x5B\x5D-\x7E]+", Name "[\w\s+=,.@-]+", Scopes "Maximum number of 100 items", each
 * scope's ScopeName (1–256, "[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+", no `/`) and ScopeDescription (1–256)
 * (API_CreateResourceServer.html, API_ResourceServerType.html, API_ResourceServerScopeType.html). Cognito answers such a
 * request InvalidParameterException "1 validation error detected: Value 'x' at 'userPoolId' failed to satisfy
 * constraint: Member must satisfy regular expression pattern: ..." (its answer for other actions, quoted in
 * amazon-archives/amazon-cognito-identity-js#388 and anomalyco/guide#127); the wording per constraint here is close to
 * it, not confirmed for these actions. Without these checks a scope without a name was stored as "undefined".
 */
function resourceServerProblems(req: any): string[] {
  // The members' JSON types are checked before (answerApiRequests): strings, a list of objects, or null; a required
  // one absent (Identifier, Name, a scope's ScopeName and ScopeDescription) before too (modelValidation).
  const problems: string[] = [];
  const check = (value: string | null | undefined, at: string, rule: RegExp, pattern: string) => {
    if (typeof value === "string" && !rule.test(value)) problems.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have length between 1 and 256 and satisfy regular expression pattern: ${pattern}`);
  };
  check(req?.Identifier, "identifier", RESOURCE_SERVER.identifier, "[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
  check(req?.Name, "name", RESOURCE_SERVER.name, "[\\w\\s+=,.@-]+");
  const scopes: Array<{ ScopeName?: string | null; ScopeDescription?: string | null }> | null | undefined = req?.Scopes;
  if (scopes === undefined || scopes === null) return problems;
  if (scopes.length > RESOURCE_SERVER.scopes) problems.push(`Value at 'scopes' failed to satisfy constraint: Member must have length less than or equal to ${RESOURCE_SERVER.scopes}`);
  for (const [i, scope] of scopes.entries()) {
    check(scope.ScopeName, `scopes.${i + 1}.member.scopeName`, RESOURCE_SERVER.scopeName, "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+");
    check(scope.ScopeDescription, `scopes.${i + 1}.member.scopeDescription`, /^[\s\S]{1,256}$/, ".{1,256}");
  }
  return problems;
}

/**
 * An app client's OAuth settings are checked as Cognito checks them on CreateUserPoolClient and UpdateUserPoolClient
 * (cognito-local takes anything):
 *  - a custom scope in AllowedOAuthScopes must be one a resource server of the pool defines: "Invalid scope requested:
 *    <scope>", ScopeDoesNotExistException (the service's answer in awsdocs/aws-cloudformation-user-guide#564; Cognito's
 *    own scopes are COGNITO_STANDARD_SCOPES);
 *  - the client_credentials flow needs a client secret: "client_credentials flow can not be selected if client does not
 *    have a client secret" (the console's wording of the service's refusal, jobairkhan.com "Amazon Cognito User Pools –
 *    Client Credentials", 2019); the exception is taken as InvalidOAuthFlowException, "the specified OAuth flow is not
 *    valid" (API_CreateUserPoolClient.html Errors), not confirmed.
 */
function checkClientScopes(router: (target: string) => Route, cognito: CognitoService, store: DataStore) {
  return (target: string): Route => {
    const route = router(target);
    if (target !== "CreateUserPoolClient" && target !== "UpdateUserPoolClient") return route;
    return async (ctx, req) => {
      const scopes: unknown[] = Array.isArray(req?.AllowedOAuthScopes) ? req.AllowedOAuthScopes : [];
      const custom = scopes.filter((s) => !COGNITO_STANDARD_SCOPES.includes(String(s)));
      if (custom.length > 0 && typeof req?.UserPoolId === "string") {
        const defined = await definedScopes(store, ctx, req.UserPoolId);
        const missing = custom.find((s) => !defined.has(String(s)));
        if (missing !== undefined) throw new CognitoError("ScopeDoesNotExistException", `Invalid scope requested: ${String(missing)}`);
      }
      if (Array.isArray(req?.AllowedOAuthFlows) && req.AllowedOAuthFlows.includes("client_credentials")) {
        const secret = target === "CreateUserPoolClient" ? req.GenerateSecret === true : Boolean((await appClientOf(cognito, ctx, req.ClientId))?.ClientSecret);
        if (!secret) throw new CognitoError("InvalidOAuthFlowException", "client_credentials flow can not be selected if client does not have a client secret.");
      }
      return route(ctx, req);
    };
  };
}

/**
 * The token endpoint's body must be a form: "Content-Type: Must always be 'application/x-www-form-urlencoded'" (the
 * token endpoint's guide). Another body is not parsed (req.body undefined), which cognito-local's handler answered with
 * an HTTP 500 and a stack trace page, or is the API's JSON (application/x-amz-json-1.1, which cognito-local parses on
 * every path), which the grants here acted on (a client_credentials token for it). Here: 400
 * `{"error":"invalid_request"}`, the guide's error for a request that "is otherwise malformed", before any other
 * handler of the path sees it; that Cognito answers a JSON body so is not confirmed. The hosted UI's forms (POST
 * /oauth2/authorize: the sign-in form, the new-password form) are answered so too (cognito-local's handler: the same
 * HTTP 500), as cognito-local answers their other malformed requests (400 `invalid_request`).
 */
function formBodiedRequests(app: any): void {
  for (const path of ["/oauth2/token", "/oauth2/authorize"]) {
    app.post(path, (req: any, res: any, next: () => void) => {
      if (req.body === undefined || !req.is("application/x-www-form-urlencoded")) return res.status(400).json({ error: "invalid_request" });
      next();
    });
    inFrontOf(app, path, "formBodiedRequests", "POST");
  }
}

/**
 * cognito-local's actions; one it lacks (and no layer answers) is ActionNotEmulated, which names it, where its router
 * answered `Unsupported x-amz-target header "<action>"` (answerApiRequests: HTTP 501).
 */
function cognitoLocalActions(router: (target: string) => Route): (target: string) => Route {
  return (target) => (isSupportedTarget(target) ? router(target) : async () => Promise.reject(new ActionNotEmulated(target)));
}

/** A Cognito action the local Cognito does not have at all (cognitoLocalActions). */
class ActionNotEmulated extends UnsupportedError {
  constructor(action: string) {
    super(`${action} is not emulated by the local Cognito (npm start); docs/local-vs-aws.md lists what is`);
  }
}

/** Whether `action` is one of Cognito's (the AWS SDK's client has a command of that name). */
function isCognitoAction(action: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(action) && Object.hasOwn(cognitoModel, `${action}Command`);
}

/**
 * The API (POST / with `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`), answered in front of cognito-local's
 * route, which it replaces; as that route did (an action's result as JSON with its dates in epoch seconds, a thrown
 * CognitoError HTTP 400 `{"__type": <code>, "message"}`), but:
 *  - the target is read once, here (apiAction), and must be the service's name and one of its actions: "The value of this
 *    header is the shape name of the service's shape ID joined to the shape name of the operation's shape ID, separated by
 *    a single period" (the AWS JSON 1.1 protocol, https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html; the
 *    service's name, AWSCognitoIdentityProviderService, is the AWS SDK's serviceTarget). cognito-local took the text
 *    after the first "." of any header, so `Foo.CreateGroup` created a group. A target that names no action of Cognito's
 *    (another service's, none, no header at all, or no such operation in the SDK's model of the service) is HTTP 400
 *    `{"__type":"UnknownOperationException","message"}`, the AWS JSON protocols' answer to an X-Amz-Target naming no
 *    operation (CloudWatch Logs' body and status, aws/aws-sdk-net#1536; DynamoDB's to a missing or wrong target alike,
 *    as dynalite's tests of the live service have it, mhart/dynalite test/connection.js; Cognito's own not confirmed).
 *    cognito-local answered a missing or bare target `{"message"}` without a type (an SDK throws that as `Unknown`) and
 *    an unknown action HTTP 500;
 *  - a request whose members are not of their shapes' JSON types (a string where the action takes a list, a string for
 *    a number, ...) is refused next, for every action, SerializationException (HTTP 400), before anything of it is acted
 *    on, no layer seeing it (jsonTypeProblem: the rules and the sources). cognito-local and this emulator's layers took
 *    such a request, and answered it 200 (a string AllowedOAuthScopes, a string MaxResults) or with another error. The
 *    shapes are the SDK client's model of the action's input (`<Action>$`, @aws-sdk/client-cognito-identity-provider);
 *    an action the model lacks goes on unchecked, and so does every request once the model cannot be read (ModelInputs:
 *    one log line). Answered here, not by a router layer: a thrown CognitoError's text is written as "message",
 *    Cognito's SerializationException has "Message" (answerSerializationException);
 *  - what cognito-local lacks (UnsupportedError: an action, ActionNotEmulated; or a feature of one, such as "SMS_MFA
 *    without SMS MFAOption") is HTTP 501 UnsupportedOperationException naming the action and saying it is the local
 *    emulator's gap. cognito-local answered HTTP 500 `CognitoLocal#Unsupported`, which AWS SDKs take for a passing
 *    server fault and send again (they retry 500, 502, 503 and 504: @smithy's TRANSIENT_ERROR_STATUS_CODES), and which
 *    reads as a crash. 501 is what `npm start` answers for what it does not emulate (docs/local-vs-aws.md), HTTP's "the
 *    server does not support the functionality required to fulfill the request" (RFC 9110 §15.6.2,
 *    https://www.rfc-editor.org/rfc/rfc9110#section-15.6.2), no SDK retries it, and the type is Cognito's (the one the emulator answers an unemulated sign-in flow with, enforceAuthFlows), so
 *    an SDK throws it as UnsupportedOperationException with the message.
 * Any other error (not one of Cognito's: a bug, a data file that cannot be written) is Cognito's answer to its own
 * failures, HTTP 500 `{"__type":"InternalErrorException","message"}`, which every action lists ("This exception is thrown
 * when Amazon Cognito encounters an internal error", HTTP 500:
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminGetUser.html#API_AdminGetUser_Errors),
 * its message naming the action and the error (Cognito's own message not confirmed). cognito-local answered HTTP 500
 * with the error object as the body (`{}`), which an SDK throws as an `Unknown` error. Every answer is
 * `application/x-amz-json-1.1` (answerJson11), the protocol's, errors included (cognito-local's were `application/json`).
 */
function answerApiRequests(app: any, router: (target: string) => Route, inputs: ModelInputs): void {
  const jsonTypeProblemOf = jsonTypeCheck(inputs);
  app.post("/", async (req: any, res: any) => {
    const named = apiAction(req.headers["x-amz-target"]);
    if ("problem" in named) return answerJson11(res, 400, { __type: "UnknownOperationException", message: named.problem });
    const target = named.action;
    // One try for the type check, the route's building, its run and its answer's writing, so whatever throws in any of them is answered.
    try {
      const wrongType = jsonTypeProblemOf(target, req.body);
      if (wrongType) return answerSerializationException(res, wrongType);
      const output = await router(target)({ logger: req.log }, req.body);
      res.status(200).type("application/x-amz-json-1.1").send(JSON.stringify(output, epochSecondsForDates));
    } catch (error) {
      if (error instanceof UnsupportedError) {
        const message = error instanceof ActionNotEmulated ? error.message : `${target}: ${error.message} is not emulated by the local Cognito (npm start)`;
        req.log.warn(message);
        return answerJson11(res, 501, { __type: "UnsupportedOperationException", message });
      }
      if (error instanceof CognitoError) {
        req.log.warn(error, `Error handling target: ${target}`);
        return answerJson11(res, 400, { __type: error.code, message: error.message });
      }
      req.log.error(error, `Error handling target: ${target}`);
      if (res.headersSent) return res.destroy();
      answerJson11(res, 500, { __type: "InternalErrorException", message: `${target} failed in the local Cognito (npm start): ${(error as Error)?.message ?? String(error)}` });
    }
  });
  inFrontOf(app, "/", "answerApiRequests", "POST");
}

/** The X-Amz-Target of Cognito's actions, `AWSCognitoIdentityProviderService.<Action>` (the AWS SDK's serviceTarget). */
const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";

/**
 * The action an API request's X-Amz-Target `header` names, or why it names none of Cognito's (answerApiRequests). Node
 * joins a repeated header into one text ("a, b"), which names no action.
 */
function apiAction(header: string | string[] | undefined): { action: string } | { problem: string } {
  if (typeof header !== "string" || header === "") return { problem: `Missing X-Amz-Target header: Cognito's actions are ${TARGET_PREFIX}<Action>` };
  const shown = header.length > 100 ? `${header.slice(0, 100)}...` : header;
  if (!header.startsWith(TARGET_PREFIX)) return { problem: `X-Amz-Target ${shown} names none of Cognito's actions (${TARGET_PREFIX}<Action>)` };
  const action = header.slice(TARGET_PREFIX.length);
  if (!isCognitoAction(action)) return { problem: `Unknown operation ${shown.slice(TARGET_PREFIX.length)}` };
  return { action };
}

/** An answer of the API: `body` as JSON, `application/x-amz-json-1.1` (the AWS JSON 1.1 protocol's content type). */
function answerJson11(res: any, status: number, body: object): void {
  res.status(status).type("application/x-amz-json-1.1").send(JSON.stringify(body));
}

/** JSON.stringify's replacer for an answer: a Date as epoch seconds, as the AWS JSON protocols write timestamps. */
function epochSecondsForDates(this: any, key: string, value: unknown): unknown {
  return this[key] instanceof Date ? Math.floor(this[key].getTime() / 1000) : value;
}

/**
 * The API reads bodies of the AWS JSON 1.1 protocol's content type only: "Content-Type ... This header has a static
 * value of application/x-amz-json-1.1" (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html). Any other (a
 * form, `application/json`, text, none) is refused before a body parser reads it, HTTP 404
 * `{"__type":"UnknownOperationException","message"}`. cognito-local's form parser read a form body as the action's
 * input (`UserPoolId=...&GroupName=...` created the group), and took any other body for no input at all. AWS's JSON
 * services answer a body of another content type HTTP 404 UnknownOperationException (DynamoDB: "should return 404 if
 * body but incorrect content-type", dynalite's tests of the live service, mhart/dynalite test/connection.js; Kinesis
 * answered `application/octet-stream` with that body, disneystreaming/smithy4s#167): the status and the type are
 * theirs; the body here is the JSON protocol's error, with a message saying what to send, not their XML, which an SDK's
 * JSON error reader cannot read. `application/json` is refused too, as Kinesis, a JSON 1.1 service as Cognito is,
 * refuses it (HTTP 404 UnknownOperationException for a valid target and body, kinesalite's tests of the live service,
 * mhart/kinesalite test/connection.js); DynamoDB, a JSON 1.0 service, serves it (dynalite's). What Cognito itself
 * answers is not confirmed.
 */
function refuseOtherContentTypes(app: any): void {
  app.use((req: any, res: any, next: () => void) => {
    if (req.method !== "POST" || req.path !== "/") return next();
    const given = String(req.headers["content-type"] ?? "");
    if (given.split(";")[0].trim().toLowerCase() === "application/x-amz-json-1.1") return next();
    const shown = given === "" ? "none" : given.length > 100 ? `${given.slice(0, 100)}...` : given;
    answerJson11(res, 404, { __type: "UnknownOperationException", message: `The Cognito API reads Content-Type application/x-amz-json-1.1 (the AWS JSON 1.1 protocol), not ${shown}` });
  });
  // Before the parsers: a body the API will not read is not parsed (nor refused by a parser for its charset or encoding).
  const stack: Array<{ name?: string }> = app.router.stack;
  const layer = stack.pop()!;
  const parsers = stack.findIndex((l) => l.name === "jsonParser");
  if (parsers < 0) throw new Error("cognito-local's body parsers were not found: refuseOtherContentTypes cannot go before them");
  stack.splice(parsers, 0, layer);
}

/**
 * Cognito's SerializationException, HTTP 400 `{"__type":"SerializationException","Message":...}`: its text under
 * "Message", as the service's bodies quoted from the live API have it (`{"__type":"SerializationException","Message":
 * "Expected map or null"}`, aws-amplify/amplify-js#4738; `{"Message":"Unexpected field type"}`, floci-io/floci#2869,
 * where the same live API's InvalidParameterException has "message"), not cognito-local's `{"__type", "message"}` for
 * its errors. The one writer of it (answerApiRequests, answerBodyParserErrors). SDKs read either (AWS SDK v3's JSON
 * error parser takes `message ?? Message`).
 */
function answerSerializationException(res: any, message: string): void {
  answerJson11(res, 400, { __type: "SerializationException", Message: message });
}

/**
 * What cognito-local's body parsers refuse (body-parser's errors: a body over their 100 kB limit, 413; a JSON body that
 * does not parse, 400) is answered in the form the endpoint's clients read, instead of express's HTML error page:
 *  - the API (POST /, `application/x-amz-json-1.1`): a body that is not JSON is Cognito's SerializationException, HTTP 400
 *    `{"__type":"SerializationException","Message":...}` — the service's answer to a body it cannot read as the
 *    action's input (`{"__type":"SerializationException","Message":"Expected map or null"}` in aws-amplify/amplify-js#4738;
 *    400 SerializationException `{"Message":"Unexpected field type"}` from the live API in floci-io/floci#2869). Its
 *    Message for JSON that does not parse at all is not confirmed (body-parser's here). A body over the limit: 413 with
 *    `{"message": ...}` and no `__type` (Cognito's limit on a request's size and its answer are not documented: not
 *    confirmed; AWS SDK v3, finding no `__type`, throws it as `Unknown` with the message and the status in
 *    `$metadata.httpStatusCode`);
 *  - the token endpoint (/oauth2/token, a form): the OAuth error form its other answers have, `{"error":"invalid_request"}`
 *    ("The request is missing a required parameter ... or is otherwise malformed", RFC 6749 §5.2 and the token endpoint's
 *    guide), with body-parser's status (413 for a body over the limit; what Cognito answers so large a body with is not
 *    confirmed).
 * The parsers' other refusals (a Content-Encoding that does not decode, 400, or is not one they know, 415; a charset
 * they do not know, 415) are answered the same way on these two endpoints — the API's as `{"message": ...}` with their
 * status and no `__type`, as a body over the limit (Cognito's answers to them not confirmed; an SDK never sends them).
 * Any other request's parser error goes on to express's handler. Put right after the parsers, so it runs before any
 * route (express skips request handlers while an error is passed on) and sees only errors of what is in front of it
 * (the logger, cors, the parsers).
 */
function answerBodyParserErrors(app: any): void {
  app.use((error: any, req: any, res: any, next: (error?: unknown) => void) => {
    const status = typeof error?.status === "number" && error.status >= 400 && error.status < 500 ? error.status : undefined;
    if (!status || req.method !== "POST") return next(error);
    if (req.path === "/oauth2/token") return res.status(status).json({ error: "invalid_request", error_description: error.message });
    // Every POST / is the API's, with or without a target (answerApiRequests refuses one without, after its body is read).
    if (req.path !== "/") return next(error);
    if (error.type === "entity.parse.failed") return answerSerializationException(res, error.message);
    answerJson11(res, status, { message: error.message });
  });
  const stack: Array<{ name?: string }> = app.router.stack;
  const layer = stack.pop()!;
  const parsers = stack.findIndex((l) => l.name === "urlencodedParser");
  if (parsers < 0) throw new Error("cognito-local's body parsers were not found: answerBodyParserErrors cannot go after them");
  stack.splice(parsers + 1, 0, layer);
}

/** Equal secrets, compared in constant time. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The token endpoint's client_credentials grant (POST /oauth2/token), which cognito-local answers
 * `unsupported_grant_type`. As Cognito's ("The token issuer endpoint",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html; the older guide's text,
 * awsdocs/amazon-cognito-developer-guide doc_source/token-endpoint.md):
 *  - the client authenticates with its secret: "the client must pass its client_id and client_secret in the
 *    authorization header through Basic HTTP authorization ... Basic Base64Encode(client_id:client_secret)". The secret
 *    in the body (client_id and client_secret form fields) is accepted too: "The token endpoint supports
 *    client_secret_basic and client_secret_post authentication" (the guide as of 2023). With both, the header's are
 *    taken (RFC 6749 §2.3 forbids a client to use two methods; what Cognito does then is not confirmed); a Basic header
 *    that decodes to no `id:secret` pair is invalid_client (RFC 6749 §5.2, "client authentication failed"; Cognito's
 *    answer to it not confirmed), never the body's credentials instead. The header's id
 *    and secret are taken as they are, not URL-decoded (RFC 6749 §2.3.1 has them form-encoded first; Cognito's ids and
 *    secrets are letters and digits, which encoding leaves alone);
 *  - an unknown client, a wrong or missing secret, or a client without one: HTTP 400 `invalid_client`, "Client
 *    authentication failed. For example, when the client includes client_id and client_secret in the authorization
 *    header, but there's no such client with that client_id and client_secret" (the guide's sample error is a 400);
 *  - a client whose AllowedOAuthFlows lack client_credentials (or that is not allowed OAuth flows at all): 400
 *    `unauthorized_client` (the guide: "Client is not allowed for code grant flow or for refreshing tokens"; that it is
 *    the answer for this grant too is RFC 6749 §5.2's "not authorized to use this authorization grant type", not
 *    confirmed for Cognito);
 *  - `scope`: "Can be a combination of any custom scopes associated with a client ... If the client doesn't request any
 *    scopes, the authentication server uses all custom scopes associated with the client" — so no scope asked for is
 *    every custom scope in the client's AllowedOAuthScopes. A scope the client is not allowed (or a Cognito scope, such
 *    as openid, which this grant cannot have): 400 `invalid_scope`. The guide says such a scope "will be ignored at
 *    runtime"; Cognito is widely reported to answer `{"error":"invalid_scope"}` (repost.aws
 *    QUnhrxb08MRJaH7hIRtUnCKA), and RFC 6749 §5.2 has invalid_scope for a scope "that exceeds the scope granted": which
 *    one Cognito does today is not confirmed; the refusal is kept so a wrong scope shows locally. A client with no custom
 *    scope at all asking for none: invalid_scope too (not confirmed);
 *  - the answer: `{ access_token, expires_in, token_type: "Bearer" }`, no ID or refresh token. The access token is a
 *    Cognito access token for the client ("sub" and "client_id" are the client's id, no username, `scope` the granted
 *    scopes, space-separated, `token_use` access, `version` 2; API Gateway's JWT authorizer checks a route's scopes
 *    against `scope`), signed with cognito-local's key, so the JWKS it serves (and aws-jwt-verify) verifies it.
 *    Its lifetime is the client's access token validity.
 * Not emulated: a pre token generation trigger's V3_0 event for M2M tokens, and the `aws_client_metadata` parameter.
 */
function clientCredentialsGrant(app: any, cognito: CognitoService, store: DataStore, clock: Clock, tokenConfig: { IssuerDomain: string }): void {
  app.post("/oauth2/token", async (req: any, res: any, next: (error?: unknown) => void) => {
    if (req.body?.grant_type !== "client_credentials") return next();
    const refuse = (error: string, description: string) => res.status(400).json({ error, error_description: description });
    try {
      const ctx = { logger: req.log };
      // The Basic scheme with no credentials after it ("Basic", "Basic ") is no pair either.
      const basic = /^Basic(?:\s+(.*))?$/i.exec(String(req.headers?.authorization ?? "").trim());
      const decoded = basic ? Buffer.from(basic[1] ?? "", "base64").toString("utf8") : undefined;
      const colon = decoded?.indexOf(":") ?? -1;
      // A Basic header that is no `id:secret` pair is a failed client authentication, not a fall back to the body's.
      if (decoded !== undefined && colon < 0) return refuse("invalid_client", "Client authentication failed.");
      const clientId = decoded !== undefined ? decoded.slice(0, colon) : req.body?.client_id;
      const secret = decoded !== undefined ? decoded.slice(colon + 1) : req.body?.client_secret;
      const client = typeof clientId === "string" ? await appClientOf(cognito, ctx, clientId) : undefined;
      if (!client?.ClientSecret || typeof secret !== "string" || !sameSecret(secret, client.ClientSecret)) return refuse("invalid_client", "Client authentication failed.");
      if (!client.AllowedOAuthFlowsUserPoolClient || !(client.AllowedOAuthFlows ?? []).includes("client_credentials")) {
        return refuse("unauthorized_client", "Client is not allowed the client_credentials grant.");
      }
      const defined = await definedScopes(store, ctx, client.UserPoolId);
      const allowed = (client.AllowedOAuthScopes ?? []).filter((s) => !COGNITO_STANDARD_SCOPES.includes(s) && defined.has(s));
      const asked = typeof req.body?.scope === "string" ? req.body.scope.split(" ").filter(Boolean) : [];
      const granted = asked.length > 0 ? [...new Set<string>(asked)] : allowed;
      const refused = granted.find((s) => !allowed.includes(s));
      if (refused !== undefined) return refuse("invalid_scope", `The client is not allowed the scope ${refused}.`);
      if (granted.length === 0) return refuse("invalid_scope", "The client is allowed no custom scope.");
      const now = Math.floor(clock.get().getTime() / 1000);
      const lifetime = tokenLifetimes(client).access;
      const claims = { sub: client.ClientId, token_use: "access", scope: granted.join(" "), auth_time: now, iat: now, exp: now + lifetime, jti: randomUUID(), client_id: client.ClientId, version: 2 };
      const accessToken = jwt.sign(claims, privateKey, { algorithm: "RS256", issuer: `${tokenConfig.IssuerDomain}/${client.UserPoolId}`, keyid: "CognitoLocal" });
      return res.status(200).json({ access_token: accessToken, expires_in: lifetime, token_type: "Bearer" });
    } catch (error) {
      next(error);
    }
  });
  inFrontOf(app, "/oauth2/token", "clientCredentialsGrant");
}

/** How long an authorization code is good for: "a one time use code that is valid for five minutes" (the authorize endpoint's guide). */
const AUTHORIZATION_CODE_SECONDS = 5 * 60;

/**
 * The scopes of a user's access token from the hosted UI's authorization code grant, which cognito-local always makes
 * `aws.cognito.signin.user.admin`: the scopes the sign-in asked for (`scope` of /oauth2/authorize) that the client is
 * allowed, and every one it is allowed when it asked for none (the authorize endpoint's `scope`: "Any scope used must be
 * preassociated with the client or it will be ignored at runtime. If the client doesn't request any scopes, the
 * authentication server uses all scopes associated with the client", awsdocs/amazon-cognito-developer-guide
 * doc_source/authorization-endpoint.md), custom scopes only where a resource server of the pool defines them. The same
 * page has invalid_scope for an "invalid, unknown, malformed scope", not emulated (cognito-local's form takes any
 * `scope`). The access token is signed again with cognito-local's key with only `scope`
 * changed. The scope of each code handed out (a redirect from the sign-in form) is kept until it is exchanged or for
 * the code's five minutes. The scope goes with the refresh token handed out, so its refreshes keep it
 * (RefreshTokenScopes). API sign-ins (InitiateAuth) get `aws.cognito.signin.user.admin` only, as in Cognito (custom
 * scopes come through the OAuth endpoints).
 */
function hostedUiScopes(app: any, cognito: CognitoService, store: DataStore, clock: Clock, refreshScopes: RefreshTokenScopes): void {
  const asked = new Map<string, { scope: string; at: number }>();
  app.post("/oauth2/authorize", (req: any, res: any, next: () => void) => {
    const redirect = res.redirect.bind(res);
    res.redirect = (...args: unknown[]) => {
      // Read at the redirect: the new-password form's (hostedUiNewPassword) is its sign-in's, from its session.
      const scope = typeof req.body?.scope === "string" ? req.body.scope : "";
      const now = clock.get().getTime();
      for (const [code, entry] of asked) if (now - entry.at >= AUTHORIZATION_CODE_SECONDS * 1000) asked.delete(code);
      const code = new URL(String(args[args.length - 1]), "http://localhost").searchParams.get("code");
      if (code) asked.set(code, { scope, at: now });
      return redirect(...args);
    };
    next();
  });
  inFrontOf(app, "/oauth2/authorize", "hostedUiScopes", "POST");
  app.post("/oauth2/token", (req: any, res: any, next: (error?: unknown) => void) => {
    const code: unknown = req.body?.code;
    const entry = req.body?.grant_type === "authorization_code" && typeof code === "string" ? asked.get(code) : undefined;
    if (!entry) return next();
    const json = res.json.bind(res);
    res.json = (body: any) => {
      // cognito-local answers a request missing a field (invalid_request) before it consumes the code, which can then
      // still be exchanged: its scope is kept for that. Any other answer used the code up.
      if (body?.error !== "invalid_request") asked.delete(code as string);
      if (res.statusCode !== 200 || typeof body?.access_token !== "string") return json(body);
      const claims = claimsOf(body.access_token);
      appClientOf(cognito, { logger: req.log }, claims.client_id)
        .then(async (client) => {
          const defined = client ? await definedScopes(store, { logger: req.log }, client.UserPoolId) : new Set<string>();
          const allowed = (client?.AllowedOAuthScopes ?? []).filter((s) => COGNITO_STANDARD_SCOPES.includes(s) || defined.has(s));
          const wanted = entry.scope.split(" ").filter(Boolean);
          const scope = (wanted.length > 0 ? allowed.filter((s) => wanted.includes(s)) : allowed).join(" ");
          if (typeof body.refresh_token === "string") refreshScopes.remember(body.refresh_token, scope);
          json({ ...body, access_token: jwt.sign({ ...claims, scope }, privateKey, { algorithm: "RS256", keyid: "CognitoLocal" }) });
        })
        .catch(next);
      return res;
    };
    next();
  });
  inFrontOf(app, "/oauth2/token", "hostedUiScopes");
}

/**
 * The scopes of the sign-in a refresh token was handed out by (the hosted UI's code grant: hostedUiScopes), so that
 * the access tokens of its refreshes carry them again; cognito-local gives a refreshed access token its fixed
 * `aws.cognito.signin.user.admin`. A refresh keeps the scopes of the original authorization: RFC 6749 §6, "The
 * requested scope MUST NOT include any scope not originally granted ... and if omitted is treated as equal to the
 * scope originally granted" (https://www.rfc-editor.org/rfc/rfc6749#section-6), the token endpoint's refresh_token
 * grant taking no `scope` (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html); Cognito's
 * refresh cannot narrow them either ("you can't use refresh to downscope", aws-amplify/amplify-js#3732). Not confirmed
 * from AWS's own text: that InitiateAuth's REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken keep a hosted-UI sign-in's
 * custom scopes as the token endpoint does (taken as the same: the refresh token carries the authorization), and whether
 * a scope taken off the client since is dropped (kept here). A rotated refresh token passes them to its successor.
 *
 * Refresh tokens outlive `npm start` (cognito-local keeps them in the pool's file), so the scopes are kept in a JSON
 * file of the emulator's state folder, keyed by the token's SHA-256 (no token in the file), each with the token's
 * expiry, dropped once it has passed (when one is added) or once the token is revoked (RevokeToken, a sign-out). Written whole (writeThroughSync), as lockoutFile; an unreadable file is no scopes, said in the log (refreshes then get cognito-local's scope).
 */
class RefreshTokenScopes {
  private readonly scopes: Map<string, { scope: string; exp: number }>;

  constructor(
    private readonly clock: Clock,
    private readonly path: string,
    log: (message: string) => void,
  ) {
    const isRecord = (r: any): r is [string, { scope: string; exp: number }] => Array.isArray(r) && typeof r[0] === "string" && typeof r[1]?.scope === "string" && typeof r[1]?.exp === "number";
    this.scopes = new Map(readRecords(path, isRecord, log, "a list of refresh token scopes; starting with none (refreshed access tokens get aws.cognito.signin.user.admin until users sign in again)"));
  }

  /** `refreshToken` was handed out by a sign-in granted `scope`. */
  remember(refreshToken: string, scope: string): void {
    const now = Math.floor(this.clock.get().getTime() / 1000);
    for (const [key, entry] of this.scopes) if (entry.exp <= now) this.scopes.delete(key);
    // JSON has no Infinity: a token without `exp` (cognito-local's always have one) is kept for as long as can be.
    this.scopes.set(RefreshTokenScopes.key(refreshToken), { scope, exp: Math.min(expiry(claimsOf(refreshToken).exp), Number.MAX_SAFE_INTEGER) });
    this.save();
  }

  /** `refreshTokens` are no longer any use (revoked, signed out): their scopes are dropped, written only if one was kept. */
  forget(refreshTokens: readonly string[]): void {
    let dropped = false;
    for (const token of refreshTokens) dropped = this.scopes.delete(RefreshTokenScopes.key(token)) || dropped;
    if (dropped) this.save();
  }

  private save(): void {
    mkdirSync(join(this.path, ".."), { recursive: true });
    writeThroughSync(this.path, JSON.stringify([...this.scopes]));
  }

  /**
   * `accessToken` (issued from `refreshToken`) with the scopes of the sign-in that handed the refresh token out, signed
   * again with cognito-local's key (its other claims, `jti` too, unchanged); as it is when none are known. `rotatedTo`:
   * the refresh token that replaced `refreshToken`, which takes its scopes.
   */
  refreshed(refreshToken: string, accessToken: string, rotatedTo?: string): string {
    const known = this.scopes.get(RefreshTokenScopes.key(refreshToken));
    if (!known) return accessToken;
    if (rotatedTo !== undefined && rotatedTo !== refreshToken) this.remember(rotatedTo, known.scope);
    return jwt.sign({ ...claimsOf(accessToken), scope: known.scope }, privateKey, { algorithm: "RS256", keyid: "CognitoLocal" });
  }

  private static key(refreshToken: string): string {
    return createHash("sha256").update(refreshToken).digest("hex");
  }
}

/**
 * The API's refreshes — InitiateAuth and AdminInitiateAuth with REFRESH_TOKEN_AUTH (REFRESH_TOKEN), and
 * GetTokensFromRefreshToken — answer an access token with the scopes the refresh token was handed out with
 * (RefreshTokenScopes); a rotated-in refresh token takes them on.
 */
function keepRefreshedScopes(router: (target: string) => Route, scopes: RefreshTokenScopes) {
  return (target: string): Route => {
    const route = router(target);
    return async (ctx, req) => {
      const result = await route(ctx, req);
      const given = refreshTokenOf(target, req);
      const answer = result?.AuthenticationResult;
      if (typeof given !== "string" || typeof answer?.AccessToken !== "string") return result;
      return { ...result, AuthenticationResult: { ...answer, AccessToken: scopes.refreshed(given, answer.AccessToken, answer.RefreshToken) } };
    };
  };
}
