import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { regionOf, regionWhereCreated } from "../region";
import { sdkResolvedOptions } from "../resource-options";
import { argFailer, type ArgFailure } from "../errors";
import type { LambdaFunction } from "../lambda/function";
import type { ApiFunctionArgs } from "../serverless-api/args";
import { registerSpec } from "../spec-registry";
import { createClient } from "./client";
import { createIdentityPool } from "./identity-pool";
import { JWKS_DEFINE, jwksDefine, UserPoolJwks } from "./jwks";
import { createDomain } from "./domain";
import { LateRedirects } from "./redirects";
import { normalise, phoneSignInWarnings, validateArgs, type UserAuthArgs, type UserAuthSpec, type UserAuthTrigger } from "./spec";
import { createUserPool } from "./user-pool";

export type { UserAuthArgs, UserAuthSpec, UserAuthResourceServer, UserAuthDomain, UserAuthEmail, UserAuthGroup, UserAuthPasswordPolicy, RowLevelSecurityGrant, MfaMode, MfaFactor, ThreatProtection, UserAuthTrigger, UserAuthTriggers, PreTokenGenerationTriggerArgs, PreTokenGenerationEventVersion } from "./spec";
export { ROW_LEVEL_ACTIONS, IDENTITY_ID_VARIABLE, USER_AUTH_TRIGGERS, COGNITO_STANDARD_SCOPES, passwordProblems } from "./spec";
export { defaultDomainPrefix } from "./domain";
export { JWKS_DEFINE, jwksDefine } from "./jwks";

/**
 * Sign-in for a web app: a Cognito user pool (email sign-in,
 * a COG1-or-stronger password policy, TOTP MFA, email verification and recovery sent
 * through your SES identity, threat protection, groups), a public browser client using
 * the authorization code flow with PKCE and refresh token rotation, an optional hosted
 * UI domain (its prefix derived per stack and account unless given), optional OAuth resource servers (custom scopes
 * the client may request, created before it), optional
 * sign-up and sign-in Lambda triggers (pre sign-up, post confirmation, pre and post
 * authentication, pre token generation), and an identity pool whose authenticated role reaches
 * DynamoDB only on the caller's own items (row-level security).
 *
 * @example
 * const auth = new UserAuth("auth", {
 *   callbackUrls: ["https://gallery.example.com/"], // or omit, and call auth.setCallbackUrls([site.url]) once the site exists
 *   domain: {}, // <project>-<stack>-auth-<hash>.auth.<region>.amazoncognito.com
 *   email: { sesIdentityArn: "arn:aws:ses:us-east-1:123456789012:identity/gallery.example.com", from: "Gallery <no-reply@gallery.example.com>" },
 *   groups: [{ name: "admin" }],
 *   identityPool: { rowLevelSecurity: [{ tableArn: data.tables.preferences.arn, actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"] }] },
 *   triggers: {
 *     postConfirmation: {
 *       entry: "handlers/auth/post-confirmation.ts",
 *       environment: { TABLE_NAME: data.tables.gallery.name },
 *       permissions: [{ actions: ["dynamodb:PutItem"], resources: [data.tables.gallery.arn] }],
 *     },
 *   },
 *   retainOnDelete: true,
 * });
 * export const userPoolId = auth.userPoolId;
 */
export class UserAuth extends pulumi.ComponentResource {
  readonly spec: UserAuthSpec;
  readonly userPoolId: pulumi.Output<string>;
  readonly userPoolArn: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the `iss` of the pool's tokens. */
  readonly issuerUrl: pulumi.Output<string>;
  readonly jwksUrl: pulumi.Output<string>;
  /**
   * The pool's public signing keys (JWKS JSON), read from `jwksUrl` once the pool exists during
   * `pulumi up` and kept in the state (`pulumi refresh` reads them again). Unknown in a preview
   * that creates the pool; undefined under Pulumi mocks (tests, `npm start`), which never fetch.
   * `authorizerFunction()` bakes them into a Lambda authorizer's bundle.
   */
  readonly jwks: pulumi.Output<string | undefined>;
  /** Undefined when `identityPool.enabled` is false. */
  readonly identityPoolId: pulumi.Output<string | undefined>;
  /** Base URL of the hosted UI (`/oauth2/authorize`, `/login`, `/logout` live under it); undefined without `domain`. */
  readonly hostedUiUrl: pulumi.Output<string | undefined>;
  /** ARN of the role signed-in users' identity-pool credentials carry. */
  readonly authenticatedRoleArn: pulumi.Output<string | undefined>;
  /** The underlying resources, for users who need to extend them. */
  readonly nodes: {
    readonly userPool: aws.cognito.UserPool;
    readonly client: aws.cognito.UserPoolClient;
    readonly groups: readonly aws.cognito.UserGroup[];
    /** The `resourceServers`, in their order; the app client depends on each. */
    readonly resourceServers: readonly aws.cognito.ResourceServer[];
    /** The custom domain when `domain.name` is set, else the prefix one (`hostedUiUrl` stays on a prefix kept beside a custom one). */
    readonly domain?: aws.cognito.UserPoolDomain;
    /** The prefix domain beside a custom one (`domain.prefix` and `domain.name` both set). */
    readonly prefixDomain?: aws.cognito.UserPoolDomain;
    readonly identityPool?: aws.cognito.IdentityPool;
    readonly authenticatedRole?: aws.iam.Role;
    /** The post-confirmation trigger's function (also `triggers.postConfirmation`). */
    readonly postConfirmation?: LambdaFunction;
    /** Each trigger's function, by trigger name; only the triggers given. */
    readonly triggers: Readonly<Partial<Record<UserAuthTrigger, LambdaFunction>>>;
    readonly jwks: UserPoolJwks;
  };

  /** Set when `callbackUrls` was omitted: `setCallbackUrls` gives them. */
  private readonly lateRedirects?: LateRedirects;

  constructor(name: string, args: UserAuthArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:UserAuth", name, {}, opts);
    // The SDK has resolved `protect` by now: `opts.protect`, else the parent's (sdkResolvedOptions). Where it cannot be
    // read, the component counts as unprotected: deletionProtection without retainOnDelete is then refused, never let through.
    validateArgs(argFailer("UserAuth", name), args, name, regionWhereCreated(args.region, this, "aws:cognito/userPool:UserPool"), sdkResolvedOptions(this)?.protect === true);
    for (const warning of phoneSignInWarnings(name, args)) pulumi.log.warn(warning, this);
    this.lateRedirects = args.callbackUrls === undefined ? new LateRedirects(name) : undefined;
    const callbackUrls = args.callbackUrls ?? [];
    this.spec = normalise(name, args, this.lateRedirects?.urls ?? { callbackUrls, logoutUrls: args.logoutUrls ?? callbackUrls });

    const region = regionOf(this.spec.region, this);
    const pool = createUserPool(name, this.spec, args.triggers, region, this);
    const { client, resourceServers } = createClient(name, this.spec, pool.pool, this);
    const domain = createDomain(name, this.spec, pool.pool, region, this);
    const identities = createIdentityPool(name, this.spec, pool.pool, client, this);
    this.issuerUrl = pulumi.interpolate`https://${pool.pool.endpoint}`;
    this.jwksUrl = pulumi.interpolate`${this.issuerUrl}/.well-known/jwks.json`;
    const jwks = new UserPoolJwks(`${name}-jwks`, { jwksUrl: this.jwksUrl }, { parent: this });

    this.nodes = {
      userPool: pool.pool,
      client,
      groups: pool.groups,
      resourceServers,
      domain: domain?.domain,
      prefixDomain: domain?.prefixDomain,
      identityPool: identities?.identityPool,
      authenticatedRole: identities?.authenticatedRole,
      postConfirmation: pool.triggers.postConfirmation?.fn,
      triggers: Object.fromEntries(Object.entries(pool.triggers).map(([trigger, { fn }]) => [trigger, fn])),
      jwks,
    };
    this.userPoolId = pool.pool.id;
    this.userPoolArn = pool.pool.arn;
    this.clientId = client.id;
    this.jwks = jwks.jwks;
    this.identityPoolId = identities ? identities.identityPool.id : pulumi.output(undefined);
    this.hostedUiUrl = domain ? domain.url : pulumi.output(undefined);
    this.authenticatedRoleArn = identities ? identities.authenticatedRole.arn : pulumi.output(undefined);
    registerSpec("UserAuth", name, this.spec);
    this.registerOutputs({
      userPoolId: this.userPoolId,
      userPoolArn: this.userPoolArn,
      clientId: this.clientId,
      issuerUrl: this.issuerUrl,
      jwksUrl: this.jwksUrl,
      identityPoolId: this.identityPoolId,
      hostedUiUrl: this.hostedUiUrl,
    });
  }

  /**
   * The function settings of a Lambda authorizer that verifies this pool's id tokens with
   * handlers/shared/jwt.ts (`createTokenVerifier` with `bakedJwks()`): the pool and client ids as
   * `USER_POOL_ID` and `USER_POOL_CLIENT_ID`, and the pool's keys (`jwks`) baked into its bundle
   * as `__AUTHORIZER_JWKS__`, so a cold start verifies without fetching them over HTTPS. Locally
   * (`npm start`) and in a plan the value is `null` and the function fetches the keys as before;
   * a token signed with a key the baked set lacks (Cognito rotated it) is still verified, after one fetch.
   *
   * @example
   * const api = new ServerlessApi("api", {
   *   authorizers: { jwt: { type: "token", handler: "handlers/api/authorizer.ts", function: auth.authorizerFunction() } },
   *   ...
   * });
   */
  authorizerFunction(): ApiFunctionArgs {
    return {
      environment: { USER_POOL_ID: this.userPoolId, USER_POOL_CLIENT_ID: this.clientId },
      bundle: { define: { [JWKS_DEFINE]: jwksDefine(this.jwks) } },
    };
  }

  /**
   * Gives the app client its callback (and logout) URLs after construction, when `callbackUrls` was omitted: for a
   * site constructed after this pool because its edge auth check or its API needs the pool. Same rules as
   * `callbackUrls`; call it once.
   *
   * @example
   * const auth = new UserAuth("auth", { domain: {} });
   * const api = new ServerlessApi("api", { authorizers: { users: { type: "cognito", userPoolArns: [auth.userPoolArn] } }, ... });
   * const site = new StaticSite("site", { path: "public", routes: [api.siteRoute()] });
   * auth.setCallbackUrls([site.url]);
   */
  setCallbackUrls(callbackUrls: pulumi.Input<string>[], logoutUrls?: pulumi.Input<string>[]): void {
    const fail: ArgFailure = argFailer("UserAuth", this.spec.name);
    if (!this.lateRedirects) fail("callbackUrls", callbackUrls, "were already given to the constructor", "Omit callbackUrls from the args to set them later, or pass every URL there.");
    this.lateRedirects.give(fail, callbackUrls, logoutUrls);
  }
}
