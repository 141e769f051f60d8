/**
 * UserAuth's arguments, their validation, and the normalised spec the rest of the
 * component (and `npm start`'s cognito-local service) works from.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { ComponentArgError, type ArgFailure } from "../errors";
import { FUNCTION_NAME_SUFFIX, type LambdaFunctionArgs } from "../lambda/function";
import { validateDomain, type UserAuthDomain } from "./domain";
import { validateEmail, type UserAuthEmail } from "./email";
import { MIN_PASSWORD_LENGTH, normalisePasswordPolicy, passwordProblems } from "./password";
import { checkWholeNumberInRange } from "../ranges";
import { type KnownRegion, validateRegionArg } from "../region";

export { MIN_PASSWORD_LENGTH, passwordProblems } from "./password";
export type { UserAuthDomain } from "./domain";
export type { UserAuthEmail } from "./email";

export type MfaMode = "OFF" | "OPTIONAL" | "ON";
/** Second factors the pool offers. TOTP (authenticator apps) needs no SMS or SES setup. */
export type MfaFactor = "TOTP";
/** Cognito threat protection (advanced security): `AUDIT` only logs risky sign-ins, `ENFORCED` blocks them. */
export type ThreatProtection = "OFF" | "AUDIT" | "ENFORCED";
export type UsernameAttribute = "email" | "phone_number";

/** The user pool's password policy (cdk-nag COG1 sets the floor). */
export interface UserAuthPasswordPolicy {
  /**
   * Minimum length, 8–99. cdk-nag COG1 sets the floor at 8.
   * @default 12
   */
  minimumLength?: number;
  /** Require a lowercase letter. @default true */
  requireLowercase?: boolean;
  /** Required by COG1; `false` is rejected. @default true */
  requireUppercase?: boolean;
  /** Required by COG1; `false` is rejected. @default true */
  requireNumbers?: boolean;
  /** Required by COG1; `false` is rejected. @default true */
  requireSymbols?: boolean;
  /**
   * Days an administrator-set temporary password stays valid, 1–365.
   * @default 3
   */
  temporaryPasswordValidityDays?: number;
}

/** A group in the pool (e.g. `admin`); its members' tokens carry it in `cognito:groups`. */
export interface UserAuthGroup {
  /** Letters, digits and `_+=,.@-`, up to 128 characters. */
  name: string;
  /** The group's description in the Cognito console. @default none */
  description?: string;
  /** Lower wins when a user is in several groups: 1 to 2147483647 (pulumi-aws does not send 0); unset ranks last. @default unset */
  precedence?: number;
}

/**
 * A row-level-security grant: the identity pool's authenticated role may use
 * `actions` on `tableArn` only on items whose partition key is the caller's identity id
 * (`ForAllValues:StringEquals` `dynamodb:LeadingKeys` = `${cognito-identity.amazonaws.com:sub}`).
 */
export interface RowLevelSecurityGrant {
  /** ARN of the DynamoDB table whose partition key holds the identity id. */
  tableArn: pulumi.Input<string>;
  /**
   * Item actions that carry the partition key. Scan and other table-wide actions are refused:
   * they have no `dynamodb:LeadingKeys`, so a `ForAllValues` condition would not restrict them.
   * @default ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
   */
  actions?: string[];
}

/**
 * The Lambda triggers UserAuth offers, in the order Cognito runs them for a new user: sign-up, confirmation, then each
 * sign-in (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html).
 */
export const USER_AUTH_TRIGGERS = ["preSignUp", "postConfirmation", "preAuthentication", "postAuthentication", "preTokenGeneration"] as const;
export type UserAuthTrigger = (typeof USER_AUTH_TRIGGERS)[number];

/**
 * The version of the event Cognito sends the pre token generation trigger: `V1_0` lets it change the ID token's claims,
 * `V2_0` the ID and access tokens' claims and the access token's scopes. "In user pools with the Essentials or Plus
 * feature plan, you can generate the version two or V2_0 trigger event with access token customization"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html).
 */
export type PreTokenGenerationEventVersion = "V1_0" | "V2_0";
export const PRE_TOKEN_GENERATION_EVENT_VERSIONS: readonly PreTokenGenerationEventVersion[] = ["V1_0", "V2_0"];

/** The pre token generation trigger: a LambdaFunction, and the event version Cognito sends it. */
export interface PreTokenGenerationTriggerArgs extends LambdaFunctionArgs {
  /**
   * `V1_0`: the function may add, change or suppress ID token claims (`response.claimsOverrideDetails`). `V2_0`: ID and
   * access token claims and access token scopes (`response.claimsAndScopeOverrideDetails`); needs the ESSENTIALS or PLUS
   * feature plan, which the pool is on unless threatProtection is `OFF` and refreshTokenRotation is off.
   * @default "V1_0"
   */
  eventVersion?: PreTokenGenerationEventVersion;
}

/** UserAuth's Lambda triggers, each a LambdaFunction's arguments. */
export interface UserAuthTriggers {
  /** Runs before a user is created by SignUp: refuse it (throw) or auto-confirm (`response.autoConfirmUser`), e.g. a domain allow-list. Built as `<name>-pre-sign-up`. @default none */
  preSignUp?: LambdaFunctionArgs;
  /** Runs once a user is confirmed, e.g. to create their profile item. Built with LambdaFunction as `<name>-post-confirmation`. @default none */
  postConfirmation?: LambdaFunctionArgs;
  /** Runs when an existing user starts to sign in, before the password is checked: throw to refuse the sign-in. Built as `<name>-pre-authentication`. @default none */
  preAuthentication?: LambdaFunctionArgs;
  /** Runs after a user signed in, before they get tokens, e.g. to record the sign-in; a throw still refuses the tokens. Built as `<name>-post-authentication`. @default none */
  postAuthentication?: LambdaFunctionArgs;
  /** Runs before Cognito issues tokens (sign-in and refresh), to add or change claims. Built as `<name>-pre-token-generation`. @default none */
  preTokenGeneration?: PreTokenGenerationTriggerArgs;
}

/**
 * An OAuth resource server of the pool: its custom scopes reach access tokens as `<identifier>/<scope name>`
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html).
 */
export interface UserAuthResourceServer {
  /** Unique in the pool, e.g. `gallery` or `https://api.gallery.example.com`: 1–256 printable ASCII characters, no space, `"` or `\\`. */
  identifier: string;
  /** Shown in the Cognito console: 1–256 letters, digits, spaces and `_+=,.@-`. */
  name: string;
  /** Its custom scopes (at most 100): a name (no `/`) and a description (1–256 characters) each. */
  scopes: Array<{ name: string; description: string }>;
}

/** Arguments of UserAuth. */
export interface UserAuthArgs {
  /**
   * What users sign in with. `["email"]` makes the email address the user name;
   * `[]` means a separate user name. `"phone_number"` is accepted, with a warning: UserAuth sets up no SMS
   * (no smsConfiguration; it auto-verifies email only), so Cognito never verifies users' phone numbers.
   * @default ["email"]
   */
  usernameAttributes?: UsernameAttribute[];
  /** Let users sign themselves up from the app. `false`: only administrators create users. @default true */
  selfSignUp?: boolean;
  /** Password rules; never weaker than cdk-nag COG1. @default 12 characters with lower, upper, number and symbol */
  passwordPolicy?: UserAuthPasswordPolicy;
  /**
   * Multi-factor authentication. `ON` makes every user set up a second factor (COG2; production should);
   * `OPTIONAL` lets users opt in.
   * @default "ON"
   */
  mfa?: MfaMode;
  /** Second factors offered when `mfa` is not `OFF`. @default ["TOTP"] */
  mfaFactors?: MfaFactor[];
  /**
   * Threat protection (compromised credentials, adaptive authentication). Needs the PLUS feature plan, billed for
   * every monthly active user with no free tier, which the component selects when this is not `OFF` (`AUDIT` too).
   * Off, the pool is on ESSENTIALS (refresh token rotation needs it), or LITE when rotation is off as well.
   * @default "ENFORCED"
   */
  threatProtection?: ThreatProtection;
  /**
   * Send the pool's email (sign-up codes, password resets) through your Amazon SES identity. Without it Cognito's
   * built-in sender is used, which allows 50 emails a day per AWS account: enough for development, not production.
   * @default Cognito's default sender
   */
  email?: UserAuthEmail;
  /** Groups to create, e.g. `[{ name: "admin" }]`. @default [] */
  groups?: UserAuthGroup[];
  /**
   * Where the hosted UI may send users back after sign-in: the site's URL(s). `https://` only,
   * except `http://localhost` for development and a native app's own scheme (`myapp://signed-in`, which Cognito
   * supports; not `javascript:` or `data:`). Outputs are checked once known.
   * Omit it when the site is constructed after this pool (its edge auth check or its API needs the pool):
   * then call {@link UserAuth.setCallbackUrls} once the site exists — no `deferredOutput` in your program.
   * @default none: set later with `auth.setCallbackUrls([site.url])`
   */
  callbackUrls?: pulumi.Input<string>[];
  /** Where users may land after signing out; same rules as `callbackUrls`. @default callbackUrls */
  logoutUrls?: pulumi.Input<string>[];
  /**
   * OAuth scopes the browser client may request: Cognito's own (`openid`, `email`, `phone`, `profile`,
   * `aws.cognito.signin.user.admin`) and `<identifier>/<scope>` of a resource server. A server in `resourceServers`
   * is created before the app client. A server created outside this UserAuth (another stack, the console, an
   * `aws.cognito.ResourceServer` beside it) is accepted too, but must exist in the pool before the app client is
   * created or updated, or Cognito refuses the scope (ScopeDoesNotExistException): deploy it first. To move such a
   * server into `resourceServers`, give the new child the old resource's name as an alias (ResourceServerArgs are
   * the same; the child is `<name>-resource-server-<identifier>`), e.g. with a stack transformation adding
   * `aliases: [{ name: "<old name>", parent: pulumi.rootStackResource }]`, or Pulumi creates a second server with
   * the same identifier, which Cognito refuses, before deleting the old one.
   * @default ["openid", "email", "profile"]
   */
  oauthScopes?: string[];
  /**
   * OAuth resource servers (custom scopes, e.g. for your API) to create in the pool, before the app client, so
   * `oauthScopes` may name their scopes as `<identifier>/<scope name>` on the first deploy.
   * @default []
   */
  resourceServers?: UserAuthResourceServer[];
  /** Token lifetimes. @default { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 30 } */
  tokenValidity?: {
    /** 5–1440 minutes. @default 60 */
    accessTokenMinutes?: number;
    /** 5–1440 minutes. @default 60 */
    idTokenMinutes?: number;
    /** 1–3650 days. @default 30 */
    refreshTokenDays?: number;
  };
  /**
   * Refresh token rotation: every refresh returns a new refresh token and retires the old one
   * after `retryGracePeriodSeconds` (0–60). Rotation replaces the REFRESH_TOKEN_AUTH flow with
   * GetTokensFromRefreshToken and the token endpoint's refresh_token grant.
   * @default { enabled: true, retryGracePeriodSeconds: 10 }
   */
  refreshTokenRotation?: { enabled?: boolean; retryGracePeriodSeconds?: number };
  /**
   * Hosted UI (managed login) domain; `{}` for a prefix domain whose prefix is derived from the project, stack,
   * component name and account (prefixes are unique across all accounts in a region).
   * @default none (no hosted UI; `hostedUiUrl` is undefined)
   */
  domain?: UserAuthDomain;
  /** Federated identities: AWS credentials for signed-in users, scoped per user. @default { enabled: true, allowUnauthenticated: false, rowLevelSecurity: [] } */
  identityPool?: {
    /** Create the identity pool; `false` for user-pool sign-in only. @default true */
    enabled?: boolean;
    /** Give guests credentials too (an unauthenticated role with no permissions). COG7 forbids it. @default false */
    allowUnauthenticated?: boolean;
    /** Tables the authenticated role may use, each only on the caller's own items. @default [] (the role can do nothing) */
    rowLevelSecurity?: RowLevelSecurityGrant[];
  };
  /**
   * Lambda triggers, to react when a user signs up or signs in. Each is built with LambdaFunction as
   * `<name>-<trigger in kebab case>` (e.g. `auth-pre-authentication`), and Cognito may invoke it from this pool only.
   * A trigger that throws refuses the user's request with `UserLambdaValidationException`
   * ("PreAuthentication failed with error <your message>."), except postConfirmation's, after which the user stays confirmed.
   * @default none
   */
  triggers?: UserAuthTriggers;
  /**
   * Refuse to delete the pool until this is turned off. Only together with `retainOnDelete`, or on a UserAuth with
   * the resource option `protect: true` (its own or its parent's): alone, a destroy would delete the app client, the
   * domain and the identity pool (and its users' identity ids) and then fail on the protected user pool.
   * @default retainOnDelete
   */
  deletionProtection?: boolean;
  /** Keep the pool (and its users) when it leaves the program. Prod should. @default false */
  retainOnDelete?: boolean;
  /** Region of the pools and their functions. @default the provider's region */
  region?: string;
  /**
   * A user `npm start` creates and confirms in cognito-local so you can sign in at once (`email`, `password`,
   * and the `groups` it joins). Local only: never deployed. The password must satisfy `passwordPolicy`.
   * @default none
   */
  localDemoUser?: { email: string; password: string; groups?: string[] };
}

/** Normalised, plain description of the pools: what the component deploys and `npm start` provisions. */
export interface UserAuthSpec {
  name: string;
  usernameAttributes: UsernameAttribute[];
  selfSignUp: boolean;
  passwordPolicy: Required<UserAuthPasswordPolicy>;
  mfa: MfaMode;
  mfaFactors: MfaFactor[];
  threatProtection: ThreatProtection;
  /** The cheapest feature plan the pool's features need: PLUS for threat protection, ESSENTIALS for refresh token rotation, else LITE. */
  tier: "LITE" | "ESSENTIALS" | "PLUS";
  /** The SES sender; undefined: Cognito's default sender (50 emails a day per account). */
  email?: UserAuthEmail;
  /** Attributes Cognito verifies by sending a code (email verification). */
  autoVerifiedAttributes: UsernameAttribute[];
  groups: UserAuthGroup[];
  client: {
    /** The URLs given as `callbackUrls`, or the ones `setCallbackUrls` gives later (one Output). */
    callbackUrls: pulumi.Input<pulumi.Input<string>[]>;
    logoutUrls: pulumi.Input<pulumi.Input<string>[]>;
    oauthScopes: string[];
    /** Created in the pool before the client (its scopes may name theirs). */
    resourceServers: UserAuthResourceServer[];
    oauthFlows: ["code"];
    /** Browser sign-in without a hosted UI: SRP only (passwords never leave the browser). */
    explicitAuthFlows: string[];
    accessTokenMinutes: number;
    idTokenMinutes: number;
    refreshTokenDays: number;
    refreshTokenRotation: { enabled: boolean; retryGracePeriodSeconds: number };
  };
  domain?: UserAuthDomain;
  identityPool: { enabled: boolean; allowUnauthenticated: boolean; rowLevelSecurity: Array<{ tableArn: pulumi.Input<string>; actions: string[] }> };
  /** Resource names of the trigger LambdaFunctions (their specs are registered as "LambdaFunction"); only the triggers given. */
  triggers: Partial<Record<UserAuthTrigger, string>>;
  /** The event version Cognito sends the pre token generation trigger; set when that trigger is. */
  preTokenGenerationEventVersion?: PreTokenGenerationEventVersion;
  deletionProtection: boolean;
  retainOnDelete: boolean;
  region?: string;
  localDemoUser?: { email: string; password: string; groups: string[] };
}

/** Row-level security's actions: item actions whose requests name the partition key. */
export const ROW_LEVEL_ACTIONS: readonly string[] = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
];
const DEFAULT_ROW_LEVEL_ACTIONS = ROW_LEVEL_ACTIONS.filter((a) => a !== "dynamodb:ConditionCheckItem");

/** The policy variable Cognito identity pools substitute with the caller's identity id. */
export const IDENTITY_ID_VARIABLE = "${cognito-identity.amazonaws.com:sub}";

const MFA_MODES: readonly MfaMode[] = ["OFF", "OPTIONAL", "ON"];
const THREAT_MODES: readonly ThreatProtection[] = ["OFF", "AUDIT", "ENFORCED"];
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/**
 * A pool signing users in with their phone numbers, which UserAuth creates but cannot verify. Cognito verifies a phone
 * number by a code in an SMS message ("For phone numbers, Amazon Cognito sends a code in an SMS text message",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-email-phone-verification.html), sent
 * through Amazon SNS with the pool's SMS configuration (an IAM role, SmsConfigurationType). UserAuth sets none, and
 * auto-verifies email only: a pool auto-verifying phone_number without an SMS configuration is refused by
 * CreateUserPool ("SMS configuration is required when phone_number is selected for auto verification", as
 * aws-amplify/amplify-backend#1523 quotes it; deploy rule CognitoPhoneVerificationSms), and UsernameAttributes
 * phone_number alone is not. So the pool is created and users sign up with a phone number as their user name, confirm
 * by the code sent to their email (the pool's recovery channel too), and their phone numbers stay unverified
 * (phone_number_verified false): nothing proves a user holds the number they sign in with. A warning, not a refusal:
 * the pool deploys and works. Whether Cognito lets a user sign in with an unverified phone number that is a username
 * attribute is not confirmed here (it does for an alias only once verified, user-pool-settings-attributes.html).
 */
export function phoneSignInWarnings(name: string, args: UserAuthArgs): string[] {
  if (!(args.usernameAttributes ?? []).includes("phone_number")) return [];
  return [
    new ComponentArgError(
      "UserAuth",
      name,
      "usernameAttributes",
      args.usernameAttributes,
      "lets users sign in with a phone number, but UserAuth gives the pool no SMS configuration and auto-verifies email only, so Cognito sends no SMS and never verifies those phone numbers (phone_number_verified stays false; sign-up is confirmed, and passwords recovered, by email)",
      'Use ["email"] (the default), or verify phone numbers yourself (e.g. AdminUpdateUserAttributes phone_number_verified after your own check): UserAuth does not set up SMS.',
    ).message,
  ];
}

/**
 * `poolRegion`: where the user pool is created (regionWhereCreated: `region`, else the stack's `aws:region`, unknown
 * under an explicit provider), which a trigger's `region` must equal.
 * `isProtected`: the component's `protect` resource option, its own or its parent's (the SDK passes it to every child
 * that sets none, the pool included), which the deletion-protection check needs and `args` does not carry.
 */
export function validateArgs(fail: ArgFailure, args: UserAuthArgs, name: string, poolRegion: KnownRegion, isProtected = false): void {
  validateRegionArg(fail, "region", args.region);
  // Names Pulumi makes from the component's name: the app client's always, the identity pool's roles when it is on.
  // IAM role names are 1–64 of `[\w+=,.@-]` (API_CreateRole), and what fails them fails `pulumi up` (deploy rule PhysicalNameLimits).
  // Each trigger is the LambdaFunction `<name>-<trigger>`, whose function is autonamed `<name>-<trigger>-function-<7 hex>`
  // (Lambda: 64 of letters, digits, - and _): checked here, so a name too long says UserAuth's longest, not the child's.
  const identityPool = args.identityPool?.enabled ?? true;
  validateAutonames(fail, name, [
    { resource: `${name}-client`, kind: "cognito-client" },
    ...(identityPool ? [{ resource: `${name}-authenticated`, kind: "role" as const }] : []),
    ...(identityPool && args.identityPool?.allowUnauthenticated ? [{ resource: `${name}-unauthenticated`, kind: "role" as const }] : []),
    ...USER_AUTH_TRIGGERS.filter((trigger) => args.triggers?.[trigger]).map((trigger) => ({ resource: `${name}-${triggerResourceSuffix(trigger)}${FUNCTION_NAME_SUFFIX}`, kind: "lambda-function" as const })),
  ]);
  for (const attribute of args.usernameAttributes ?? []) {
    if (attribute !== "email" && attribute !== "phone_number") {
      fail("usernameAttributes", attribute, "is not a sign-in attribute Cognito offers", 'Use "email", "phone_number", or [] for user names.');
    }
  }
  validatePasswordPolicy(fail, args.passwordPolicy ?? {});
  validateMfa(fail, args);
  if (args.threatProtection !== undefined && !THREAT_MODES.includes(args.threatProtection)) {
    fail("threatProtection", args.threatProtection, "is not a threat protection mode", `Use one of ${THREAT_MODES.join(", ")}.`);
  }
  validateGroups(fail, args.groups ?? []);
  validateClient(fail, args);
  if (args.email) validateEmail(fail, args.email, args.region);
  if (args.domain) validateDomain(fail, args.domain);
  validateRowLevelSecurity(fail, args.identityPool?.rowLevelSecurity ?? []);
  const grants = args.identityPool?.rowLevelSecurity?.length ?? 0;
  if (args.identityPool?.enabled === false && grants > 0) {
    // The count, not the grants: a grant's tableArn is mostly an Output (a DataTier table's arn).
    const [grantWord, them] = grants === 1 ? ["grant", "it"] : ["grants", "them"];
    fail("identityPool.rowLevelSecurity", `${grants} ${grantWord}`, `is set while identityPool.enabled is false, so no role would carry ${them}`, `Enable the identity pool or remove the ${grantWord}.`);
  }
  // A `protect`ed UserAuth is exempt: the engine refuses to delete a protected resource before it deletes anything
  // (https://www.pulumi.com/docs/iac/concepts/options/protect/), so a destroy stops before the app client goes; dropping
  // the option brings this check back. Deploy rule CognitoUserPoolDestroyable exempts it too.
  if (args.deletionProtection === true && !args.retainOnDelete && !isProtected) {
    // Cognito refuses DeleteUserPool while protection is active ("you must first change DeletionProtection to
    // Inactive ... Amazon Cognito returns an InvalidParameterException", the deletion-protection section of the
    // Cognito guide) and the provider deletes without deactivating it, so a destroy fails part-way: Pulumi deletes in
    // reverse dependency order, and the app client, the hosted UI domain and the identity pool (whose ids are never
    // minted again, DeleteIdentityPool) are gone before the pool's refusal. Deploy rule CognitoUserPoolDestroyable
    // refuses the same plan for a hand-built pool.
    fail(
      "deletionProtection",
      true,
      identityPool
        ? "is set without retainOnDelete: a pulumi destroy (or removing this UserAuth) deletes the identity pool, whose identity ids key every row-level-security item and are never minted again, with the app client and the hosted UI domain, and only then reaches the protected user pool, which Cognito refuses to delete"
        : "is set without retainOnDelete: a pulumi destroy (or removing this UserAuth) deletes the app client and the hosted UI domain and only then reaches the protected user pool, which Cognito refuses to delete, so the destroy fails part-way",
      "Set retainOnDelete: true as well (the pool then outlives a destroy), give the UserAuth the resource option { protect: true } (`pulumi destroy` then refuses before deleting anything), or leave deletionProtection unset (it follows retainOnDelete).",
    );
  }
  if (args.localDemoUser) validateDemoUser(fail, args);
  if (args.triggers) validateTriggers(fail, args, poolRegion);
}

/** Trigger names in kebab case: the LambdaFunction's resource name is `<name>-<this>`. */
export const triggerResourceSuffix = (trigger: UserAuthTrigger): string => trigger.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function validateTriggers(fail: ArgFailure, args: UserAuthArgs, poolRegion: KnownRegion): void {
  const triggers = args.triggers!;
  for (const [trigger, value] of Object.entries(triggers)) {
    if (!(USER_AUTH_TRIGGERS as readonly string[]).includes(trigger)) fail(`triggers.${trigger}`, value, "is not a trigger UserAuth offers", `Use one of ${USER_AUTH_TRIGGERS.join(", ")}.`);
    // The pool's invoke permission (user-pool.ts allowCognitoToInvoke) is made in the pool's region and names the
    // function by name; AddPermission finds a function by name only in the region it is sent to
    // (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html), so a trigger elsewhere fails the first
    // deploy with "Function not found". `edge` would put it in us-east-1, trust edgelambda and keep it on delete (review 110, finding 1).
    // The pool's region is the UserAuth's `region`, else the stack's aws:region (default provider), so a trigger naming
    // that region is where the pool is; under an explicit provider the pool's region is unknown here, and a trigger
    // that names one is refused, as it may differ (review 115, finding 5).
    if (value?.region !== undefined && value.region !== poolRegion.region) {
      const where = poolRegion.region === undefined ? "the provider's" : poolRegion.from === "stack" ? `${JSON.stringify(poolRegion.region)}, the stack's aws:region` : JSON.stringify(poolRegion.region);
      fail(`triggers.${trigger}.region`, value.region, `is not the user pool's region (${where}): the pool's permission to invoke the trigger is made in the pool's region, where Lambda would not find the function`,
        "Leave the trigger's region out (it follows the UserAuth's), or set region on the UserAuth.");
    }
    if (value?.edge) fail(`triggers.${trigger}.edge`, value.edge, "makes the trigger a Lambda@Edge function (forced into us-east-1, trusted by edgelambda, kept on delete), which is CloudFront's kind of function, not a user pool's", "Remove edge.");
  }
  const version = triggers.preTokenGeneration?.eventVersion;
  if (version === undefined) return;
  if (!PRE_TOKEN_GENERATION_EVENT_VERSIONS.includes(version)) {
    fail("triggers.preTokenGeneration.eventVersion", version, "is not an event version UserAuth sends",
      'Use "V1_0" (ID token claims) or "V2_0" (ID and access token claims); V3_0 adds machine-to-machine client-credentials grants, which UserAuth\'s app client does not use.');
  }
  // "With the Basic features of the version one or V1_0 pre token generation trigger event, you can customize the
  // identity (ID) token. In user pools with the Essentials or Plus feature plan, you can generate the version two or
  // V2_0 trigger event with access token customization"
  // (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html).
  const threatProtection = args.threatProtection ?? "ENFORCED";
  const rotation = args.refreshTokenRotation?.enabled ?? true;
  if (version === "V2_0" && featurePlan(threatProtection, rotation) === "LITE") {
    fail("triggers.preTokenGeneration.eventVersion", version, `needs the Essentials or Plus feature plan (access token customization), and this pool is on LITE (threatProtection "${threatProtection}", refreshTokenRotation off)`,
      'Use eventVersion "V1_0" (ID token claims only), or turn refreshTokenRotation on (ESSENTIALS) or threatProtection on (PLUS).');
  }
}

/** Cognito's range of a password policy's MinimumLength (API_PasswordPolicyType). */
const PASSWORD_LENGTH_LIMITS = { min: 6, max: 99 } as const;

function validatePasswordPolicy(fail: ArgFailure, policy: UserAuthPasswordPolicy): void {
  // MinimumLength: "Valid Range: Minimum value of 6. Maximum value of 99."
  // (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PasswordPolicyType.html); UserAuth
  // takes nothing below cdk-nag COG1's 8, and says so for a whole number Cognito would take.
  const length = policy.minimumLength;
  if (Number.isInteger(length) && (length as number) < MIN_PASSWORD_LENGTH) {
    fail("passwordPolicy.minimumLength", length, `is below ${MIN_PASSWORD_LENGTH}, the least cdk-nag COG1 accepts`, "Use 12 or more (the default); pass phrases beat complexity rules.");
  }
  checkWholeNumberInRange(fail, "passwordPolicy.minimumLength", length, PASSWORD_LENGTH_LIMITS, {
    limit: "Cognito's range",
    unit: "characters",
    fix: `Use a whole number from ${MIN_PASSWORD_LENGTH} to ${PASSWORD_LENGTH_LIMITS.max}, e.g. 12 (the default); pass phrases beat complexity rules.`,
  });
  for (const rule of ["requireUppercase", "requireNumbers", "requireSymbols"] as const) {
    if (policy[rule] === false) {
      fail(`passwordPolicy.${rule}`, false, "weakens the password policy below cdk-nag COG1 (upper case, numbers and symbols required)", `Remove ${rule} or set it to true.`);
    }
  }
  // TemporaryPasswordValidityDays: terraform-provider-aws user_pool.go IntBetween(0, 365); 0 is not taken here, as
  // "If you submit a value of 0, Amazon Cognito treats it as a null value and sets TemporaryPasswordValidityDays to its
  // default value" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PasswordPolicyType.html).
  checkWholeNumberInRange(fail, "passwordPolicy.temporaryPasswordValidityDays", policy.temporaryPasswordValidityDays, { min: 1, max: 365 }, { limit: "Cognito's range", unit: "days" });
}

function validateMfa(fail: ArgFailure, args: UserAuthArgs): void {
  if (args.mfa !== undefined && !MFA_MODES.includes(args.mfa)) {
    fail("mfa", args.mfa, "is not an MFA mode", `Use one of ${MFA_MODES.join(", ")}.`);
  }
  const factors = args.mfaFactors ?? ["TOTP"];
  for (const factor of factors) {
    if (factor !== "TOTP") fail("mfaFactors", factor, "is not a factor this component configures", 'Use "TOTP" (authenticator apps; no SMS or SES setup needed).');
  }
  if ((args.mfa ?? "ON") !== "OFF" && factors.length === 0) {
    fail("mfaFactors", factors, `is empty while mfa is "${args.mfa ?? "ON"}", so users would have no second factor to use`, 'Set mfaFactors to ["TOTP"], or set mfa to "OFF".');
  }
}

/**
 * The group precedences a deployed group can carry (validateGroups): CreateGroup's Precedence is "a non-negative
 * integer" and "The maximum Precedence value is 2^31-1"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html). UserAuth's range
 * starts at 1, because pulumi-aws leaves 0 out (below).
 */
const GROUP_PRECEDENCE = { min: 1, max: 2 ** 31 - 1 } as const;

function validateGroups(fail: ArgFailure, groups: UserAuthGroup[]): void {
  const seen = new Set<string>();
  for (const [index, group] of groups.entries()) {
    if (!GROUP_NAME.test(group.name ?? "")) fail(`groups[${index}].name`, group.name, "is not a Cognito group name", 'Use up to 128 letters, digits and punctuation without spaces, e.g. "admin".');
    if (seen.has(group.name)) fail(`groups[${index}].name`, group.name, "is used by another group", "Give each group its own name.");
    seen.add(group.name);
    // CreateGroup's Precedence is a non-negative integer, and a group without one ranks below every group with one
    // (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html). The provider
    // sends it only when not 0, as a 32-bit integer (user_group.go: `if v, ok := d.GetOk("precedence"); ok {
    // input.Precedence = aws.Int32(int32(v.(int))) }`), so 0 would create a group ranked last.
    const precedence = group.precedence;
    checkWholeNumberInRange(fail, `groups[${index}].precedence`, precedence, GROUP_PRECEDENCE, {
      limit: "UserAuth's range",
      reason:
        precedence === 0
          ? "pulumi-aws leaves a precedence of 0 out of CreateGroup, so the group would be created with none, which ranks below every group that has one"
          : typeof precedence === "number" && precedence > GROUP_PRECEDENCE.max
            ? "Cognito's largest precedence is 2^31-1"
            : undefined,
      fix: `Use a whole number from 1 to ${GROUP_PRECEDENCE.max}; lower wins.`,
    });
  }
}

/** The URL Standard's special schemes (https://url.spec.whatwg.org/#special-scheme); any other is an app's own. */
const SPECIAL_URL_SCHEMES: ReadonlySet<string> = new Set(["http:", "https:", "ws:", "wss:", "ftp:", "file:"]);
/** Schemes that are content or script, not an app to return to. */
const SCRIPT_URL_SCHEMES: ReadonlySet<string> = new Set(["javascript:", "data:", "vbscript:", "blob:"]);

/** `https://` anywhere; `http://` only for localhost; an app's own scheme (`myapp://…`) too (Cognito's own rule). */
export function callbackUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not an absolute URL";
  }
  // A bare trailing "#" leaves the parsed hash empty, and it is still a fragment component.
  if (parsed.hash || url.includes("#")) return "has a fragment, which OAuth redirect URIs may not have";
  if (parsed.protocol === "https:") return undefined;
  // "App callback URLs such as myapp://example are also supported" (API_CreateUserPoolClient, CallbackURLs): a native
  // app's own scheme. Such a scheme is one the URL Standard does not call special (http, https, ws, wss, ftp, file are:
  // https://url.spec.whatwg.org/#special-scheme), so the web and network schemes keep the https rule below.
  // Browsers run or render javascript:, data: and vbscript: URLs instead of handing them to an app: never a sign-in
  // redirect (a redirect to one carries the code or tokens into script), whatever Cognito takes.
  if (SCRIPT_URL_SCHEMES.has(parsed.protocol)) return `is a ${parsed.protocol} URL, which a browser runs or renders instead of handing to an app`;
  if (!SPECIAL_URL_SCHEMES.has(parsed.protocol)) return undefined;
  // CreateUserPoolClient's CallbackURLs: "Amazon Cognito requires HTTPS over HTTP except for http://localhost for testing
  // purposes only" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html;
  // deploy rule CognitoRedirectUrls): the name localhost, not the loopback addresses 127.0.0.1 or [::1].
  if (parsed.protocol === "http:" && parsed.hostname === "localhost") return undefined;
  if (parsed.protocol === "http:" && isLoopbackAddress(parsed.hostname)) return "is http to a loopback address; Cognito allows plain http only for http://localhost";
  return "is not https; Cognito allows plain http only for localhost";
}

/** 127.0.0.0/8 or [::1], as the URL parser writes them. */
function isLoopbackAddress(hostname: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === "[::1]";
}

/** The fix for a redirect URL `callbackUrlProblem` refused: the same address on http://localhost for a loopback one, else its https version. */
export function redirectUrlFix(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed && SCRIPT_URL_SCHEMES.has(parsed.protocol)) return 'Use the site\'s https URL, or your app\'s own scheme (e.g. "myapp://signed-in").';
  if (parsed?.protocol === "http:" && isLoopbackAddress(parsed.hostname)) {
    parsed.hostname = "localhost";
    return `Use "${parsed.href}" (http://localhost:<port>/).`;
  }
  return `Use the site's https URL, e.g. "${httpsVersion(url)}".`;
}

function validateClient(fail: ArgFailure, args: UserAuthArgs): void {
  // Omitted: setCallbackUrls gives them later (validated there with validateRedirectUrls).
  if (args.callbackUrls !== undefined) validateRedirectUrls(fail, args.callbackUrls, args.logoutUrls);
  else if (args.logoutUrls !== undefined) {
    fail("logoutUrls", args.logoutUrls, "is set without callbackUrls", "Pass both to setCallbackUrls(callbackUrls, logoutUrls) once the site exists, or both here.");
  }
  const scopes = args.oauthScopes;
  if (Array.isArray(scopes) && scopes.length > APP_CLIENT_QUOTAS.oauthScopes) {
    fail("oauthScopes", `${scopes.length} scopes`, `is over Cognito's ${APP_CLIENT_QUOTAS.oauthScopes} scopes per app client ("Scopes per app client | ${APP_CLIENT_QUOTAS.oauthScopes} | No", a quota Cognito does not raise)`,
      `Allow at most ${APP_CLIENT_QUOTAS.oauthScopes}: grant broader resource-server scopes rather than one per action.`);
  }
  if (args.resourceServers !== undefined && !Array.isArray(args.resourceServers)) {
    fail("resourceServers", args.resourceServers, "is not a list", 'Pass e.g. [{ identifier: "gallery", name: "Gallery API", scopes: [{ name: "read", description: "Read the gallery" }] }].');
  }
  validateScopes(fail, args.resourceServers ?? [], Array.isArray(scopes) ? scopes : []);
  const validity = args.tokenValidity ?? {};
  const limits = TOKEN_VALIDITY_LIMITS;
  const cognito = { limit: "Cognito's range" };
  checkWholeNumberInRange(fail, "tokenValidity.accessTokenMinutes", validity.accessTokenMinutes, limits.accessTokenMinutes, { ...cognito, unit: "minutes" });
  checkWholeNumberInRange(fail, "tokenValidity.idTokenMinutes", validity.idTokenMinutes, limits.idTokenMinutes, { ...cognito, unit: "minutes" });
  checkWholeNumberInRange(fail, "tokenValidity.refreshTokenDays", validity.refreshTokenDays, limits.refreshTokenDays, { ...cognito, unit: "days" });
  checkWholeNumberInRange(fail, "refreshTokenRotation.retryGracePeriodSeconds", args.refreshTokenRotation?.retryGracePeriodSeconds, limits.retryGracePeriodSeconds, { ...cognito, unit: "seconds" });
}

/**
 * The scopes Cognito defines itself: "Scope values include phone, email, openid, and profile. The
 * aws.cognito.signin.user.admin scope authorizes user self-service operations. Custom scopes with resource servers
 * authorize access to external APIs." (CreateUserPoolClient AllowedOAuthScopes, as the service model words it:
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html). Any
 * other scope must be `<identifier>/<scope name>` of a resource server already in the pool when the client is created
 * or updated, or CreateUserPoolClient / UpdateUserPoolClient refuses it: "Invalid scope requested: … (Error Code:
 * ScopeDoesNotExistException)" (awsdocs/aws-cloudformation-user-guide#564). AllowedOAuthScopes items: "Pattern:
 * [\x21\x23-\x5B\x5D-\x7E]+" (same page), which the identifier and scope-name patterns below together cover.
 */
export const COGNITO_STANDARD_SCOPES: readonly string[] = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"];

/**
 * ResourceServerType (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html):
 * Identifier "Length Constraints: Minimum length of 1. Maximum length of 256. Pattern: [\x21\x23-\x5B\x5D-\x7E]+",
 * Name "1 … 256. Pattern: [\w\s+=,.@-]+", Scopes "Maximum number of 100 items"; ResourceServerScopeType
 * (API_ResourceServerScopeType.html): ScopeName "1 … 256. Pattern: [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+" (no `/`),
 * ScopeDescription "1 … 256", required.
 */
export const RESOURCE_SERVER = {
  identifier: /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/,
  name: /^[\w\s+=,.@-]{1,256}$/,
  scopeName: /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/,
  scopes: 100,
} as const;

/**
 * Pulumi resource name suffixes of resource servers, by identifier: the identifier with anything but letters, digits,
 * `.` and `-` as `-`. Identifiers that differ only there ("api:v1", "api;v1": distinct to Cognito, whose Identifier
 * pattern takes both) would share a name; the first in the list keeps it, a later one gets `-<8 hex digits of the
 * identifier's SHA-256>` (review 95, F8), so adding such a server after an existing one leaves the existing one's name.
 */
export function resourceServerSuffixes(identifiers: readonly string[]): Map<string, string> {
  const suffixes = new Map<string, string>();
  const taken = new Set<string>();
  for (const identifier of identifiers) {
    if (suffixes.has(identifier)) continue;
    const plain = identifier.replace(/[^A-Za-z0-9.-]+/g, "-");
    const suffix = taken.has(plain) ? `${plain}-${createHash("sha256").update(identifier).digest("hex").slice(0, 8)}` : plain;
    suffixes.set(identifier, suffix);
    taken.add(suffix);
  }
  return suffixes;
}

function validateScopes(fail: ArgFailure, servers: UserAuthResourceServer[], scopes: string[]): void {
  const defined = new Set<string>();
  const identifiers = new Set<string>();
  for (const [index, server] of servers.entries()) {
    const at = `resourceServers[${index}]`;
    if (typeof server !== "object" || server === null) {
      fail(at, server, "is not a resource server", "Pass { identifier, name, scopes: [{ name, description }] }.");
      continue;
    }
    if (typeof server.identifier !== "string" || !RESOURCE_SERVER.identifier.test(server.identifier)) {
      fail(`${at}.identifier`, server.identifier, "is not a Cognito resource server identifier (1–256 printable ASCII characters without space, \" or \\)", 'Use an API name or URL, e.g. "gallery" or "https://api.gallery.example.com".');
      continue;
    }
    // CreateResourceServer in a pool that has the identifier already is refused; two servers here would be that.
    if (identifiers.has(server.identifier)) fail(`${at}.identifier`, server.identifier, "is used by another resource server of this UserAuth, and a pool takes each identifier once", "Give each resource server its own identifier, or merge their scopes into one.");
    identifiers.add(server.identifier);
    if (typeof server.name !== "string" || !RESOURCE_SERVER.name.test(server.name)) {
      fail(`${at}.name`, server.name, "is not a Cognito resource server name (1–256 letters, digits, spaces and _+=,.@-)", 'Use e.g. "Gallery API".');
    }
    const own = Array.isArray(server.scopes) ? server.scopes : [];
    if (own.length > RESOURCE_SERVER.scopes) fail(`${at}.scopes`, `${own.length} scopes`, `is over Cognito's ${RESOURCE_SERVER.scopes} scopes per resource server`, `Define at most ${RESOURCE_SERVER.scopes}, or split them over two resource servers.`);
    const names = new Set<string>();
    for (const [i, scope] of own.entries()) {
      if (typeof scope !== "object" || scope === null) {
        fail(`${at}.scopes[${i}]`, scope, "is not a scope", 'Pass { name: "read", description: "Read the gallery" }.');
        continue;
      }
      if (typeof scope.name !== "string" || !RESOURCE_SERVER.scopeName.test(scope.name)) {
        fail(`${at}.scopes[${i}].name`, scope.name, "is not a Cognito scope name (1–256 printable ASCII characters without space, \", / or \\)", 'Use e.g. "read"; Cognito names it "<identifier>/read".');
      } else if (names.has(scope.name)) {
        fail(`${at}.scopes[${i}].name`, scope.name, "is used by another scope of this resource server", "Give each scope its own name.");
      }
      names.add(scope.name);
      if (typeof scope.description !== "string" || scope.description.length < 1 || scope.description.length > 256) {
        fail(`${at}.scopes[${i}].description`, scope.description, "is not a 1–256 character description, which Cognito requires of every scope", 'Describe what the scope grants, e.g. "Read the gallery".');
      }
      defined.add(`${server.identifier}/${scope.name}`);
    }
  }
  // A custom scope of a server this UserAuth creates must be one of that server's scopes (no other server in the pool
  // can have its identifier). A scope of a server created elsewhere (another stack, by hand, beside UserAuth) is
  // accepted: on a deployed stack it exists and UpdateUserPoolClient takes it; only its form is checked here.
  const ownIdentifiers = new Set(servers.map((server) => server?.identifier));
  for (const scope of scopes) {
    if (COGNITO_STANDARD_SCOPES.includes(scope) || defined.has(scope)) continue;
    const slash = typeof scope === "string" ? scope.lastIndexOf("/") : -1;
    if (slash === -1) {
      fail("oauthScopes", scope, `is not a Cognito scope: the standard ones are ${COGNITO_STANDARD_SCOPES.join(", ")}, and a resource server's are "<identifier>/<scope name>"`,
        "Correct it, or define a resource server in resourceServers and pass its scope as \"<identifier>/<scope name>\".");
    }
    const identifier = scope.slice(0, slash);
    const scopeName = scope.slice(slash + 1);
    if (!RESOURCE_SERVER.identifier.test(identifier) || !RESOURCE_SERVER.scopeName.test(scopeName)) {
      fail("oauthScopes", scope, "is not \"<identifier>/<scope name>\" of a Cognito resource server (printable ASCII without space, \" or \\; the scope name without /)",
        "Correct it, e.g. \"gallery/read\".");
    }
    if (ownIdentifiers.has(identifier)) {
      fail("oauthScopes", scope, `is not a scope of resource server "${identifier}", which this UserAuth defines (${[...defined].filter((own) => own.startsWith(`${identifier}/`)).join(", ")})`,
        `Add { name: "${scopeName}", description: "…" } to that server's scopes, or correct the scope.`);
    }
  }
}

/**
 * An app client's token lifetimes, in the units UserAuth takes them (client.ts sends minutes and days as the
 * TokenValidityUnits): "AccessTokenValidity duration can range from five minutes to one day", the same for
 * IdTokenValidity, "RefreshTokenValidity duration can range from 60 minutes to 10 years"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TokenValidityUnitsType.html);
 * RetryGracePeriodSeconds "Valid Range: Minimum value of 0. Maximum value of 60."
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html).
 */
const TOKEN_VALIDITY_LIMITS = {
  accessTokenMinutes: { min: 5, max: 1440 },
  idTokenMinutes: { min: 5, max: 1440 },
  refreshTokenDays: { min: 1, max: 3650 },
  retryGracePeriodSeconds: { min: 0, max: 60 },
} as const;

/**
 * How long an app client's authentication sessions (a challenge's Session) last, its AuthSessionValidity in minutes:
 * "Amazon Cognito creates a session token for each API request in an authentication flow. AuthSessionValidity is the
 * duration, in minutes, of that session token" (API_UserPoolClientType.html); "Valid values between 3 and 15. Default
 * value is 3." (aws.cognito.UserPoolClient authSessionValidity, the provider's docs; AWS::Cognito::UserPoolClient
 * AuthSessionValidity, "Minimum: 3, Maximum: 15"). UserAuth's own client leaves it at Cognito's default; the deploy rule
 * CognitoClientAuthSessionValidity checks every app client of a plan against it.
 */
export const APP_CLIENT_AUTH_SESSION_MINUTES = { min: 3, max: 15 } as const;

/**
 * Cognito's counts per app client, not raised on request: "Callback URLs per app client | 100 | No", "Logout URLs per
 * app client | 100 | No", "Scopes per app client | 50 | No" (Quotas in Amazon Cognito, resource quotas:
 * https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#resource-quotas; CreateUserPoolClient's
 * CallbackURLs list is "max 100" in the service model). Deploy rule CognitoRedirectUrls checks any client the same.
 */
export const APP_CLIENT_QUOTAS = { callbackUrls: 100, logoutUrls: 100, oauthScopes: 50 } as const;

/** Why Cognito refuses `count` URLs in an app client's `argument` list (callbackUrls or logoutUrls), with the fix, or undefined. */
export function redirectUrlCountProblem(argument: "callbackUrls" | "logoutUrls", count: number): { value: string; problem: string; fix: string } | undefined {
  const quota = APP_CLIENT_QUOTAS[argument];
  if (count <= quota) return undefined;
  const what = argument === "callbackUrls" ? "callback" : "logout";
  return {
    value: `${count} URLs`,
    problem: `is over Cognito's ${quota} ${what} URLs per app client ("${what === "callback" ? "Callback" : "Logout"} URLs per app client | ${quota} | No", a quota Cognito does not raise)`,
    fix: `List at most ${quota}: give preview or tenant sites their own UserAuth (an app client each) rather than one list on a shared pool.`,
  };
}

/**
 * Callback and logout URLs, from the args or from `setCallbackUrls`: non-empty, at most Cognito's count (the arrays'
 * lengths are known even when their URLs are Outputs), and every literal one https (or localhost).
 */
export function validateRedirectUrls(fail: ArgFailure, callbackUrls: pulumi.Input<string>[] | undefined, logoutUrls: pulumi.Input<string>[] | undefined): void {
  if (!Array.isArray(callbackUrls) || callbackUrls.length === 0) {
    fail("callbackUrls", callbackUrls, "is empty", 'Pass the site\'s URL, e.g. [site.url] or ["https://gallery.example.com/"].');
  }
  for (const [argument, urls] of [["callbackUrls", callbackUrls], ["logoutUrls", logoutUrls]] as const) {
    const tooMany = Array.isArray(urls) ? redirectUrlCountProblem(argument, urls.length) : undefined;
    if (tooMany) fail(argument, tooMany.value, tooMany.problem, tooMany.fix);
  }
  for (const [argument, urls] of [["callbackUrls", callbackUrls], ["logoutUrls", logoutUrls ?? []]] as const) {
    for (const url of urls) {
      if (typeof url !== "string") continue; // Outputs are checked once known (client.ts).
      const problem = callbackUrlProblem(url);
      if (problem) fail(argument, url, problem, redirectUrlFix(url));
    }
  }
}

export function httpsVersion(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, "https://");
}

function validateRowLevelSecurity(fail: ArgFailure, grants: RowLevelSecurityGrant[]): void {
  for (const [index, grant] of grants.entries()) {
    if (!grant.tableArn) fail(`identityPool.rowLevelSecurity[${index}].tableArn`, grant.tableArn, "is not set", "Pass the table's ARN, e.g. data.tables.preferences.arn.");
    if (typeof grant.tableArn === "string" && !/^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]+$/.test(grant.tableArn)) {
      fail(`identityPool.rowLevelSecurity[${index}].tableArn`, grant.tableArn, "is not a DynamoDB table ARN", "Pass the table's ARN (arn:aws:dynamodb:<region>:<account>:table/<name>), not an index or stream ARN.");
    }
    const actions = grant.actions ?? DEFAULT_ROW_LEVEL_ACTIONS;
    if (actions.length === 0) fail(`identityPool.rowLevelSecurity[${index}].actions`, actions, "is empty", "Name the item actions the browser needs, e.g. [\"dynamodb:GetItem\", \"dynamodb:PutItem\"].");
    for (const action of actions) {
      if (!ROW_LEVEL_ACTIONS.includes(action)) {
        fail(
          `identityPool.rowLevelSecurity[${index}].actions`,
          action,
          "is not an item action that carries dynamodb:LeadingKeys, so row-level security could not restrict it (a ForAllValues condition on a missing key allows everything)",
          `Use only ${ROW_LEVEL_ACTIONS.join(", ")}.`,
        );
      }
    }
  }
}

function validateDemoUser(fail: ArgFailure, args: UserAuthArgs): void {
  const user = args.localDemoUser!;
  if (!/^[^@\s]+@[^@\s]+$/.test(user.email ?? "")) fail("localDemoUser.email", user.email, "is not an email address", 'Use e.g. "demo@example.com".');
  const problems = passwordProblems(normalisePasswordPolicy(args.passwordPolicy), user.password ?? "");
  if (problems.length > 0) fail("localDemoUser.password", "(hidden)", `does not satisfy the pool's password policy: ${problems.join("; ")}`, "Choose a password that does (npm start would be refused the user otherwise).");
  const groups = new Set((args.groups ?? []).map((g) => g.name));
  for (const group of user.groups ?? []) if (!groups.has(group)) fail("localDemoUser.groups", group, "is not one of the pool's groups", `Use one of ${[...groups].join(", ") || "(none: add groups first)"}.`);
}

/** Where the app client may redirect: the args' URLs, or one Output that `setCallbackUrls` resolves. */
export type RedirectUrls = Pick<UserAuthSpec["client"], "callbackUrls" | "logoutUrls">;

export function normalise(name: string, args: UserAuthArgs, redirects: RedirectUrls): UserAuthSpec {
  const usernameAttributes = args.usernameAttributes ?? ["email"];
  const mfa = args.mfa ?? "ON";
  const threatProtection = args.threatProtection ?? "ENFORCED";
  const retainOnDelete = args.retainOnDelete ?? false;
  const rotation = args.refreshTokenRotation ?? {};
  return {
    name,
    usernameAttributes,
    selfSignUp: args.selfSignUp ?? true,
    passwordPolicy: normalisePasswordPolicy(args.passwordPolicy),
    mfa,
    mfaFactors: mfa === "OFF" ? [] : (args.mfaFactors ?? ["TOTP"]),
    threatProtection,
    tier: featurePlan(threatProtection, rotation.enabled ?? true),
    email: args.email,
    // Email is always collected (it is the recovery channel), so it is always verified.
    autoVerifiedAttributes: ["email"],
    groups: args.groups ?? [],
    client: {
      callbackUrls: redirects.callbackUrls,
      logoutUrls: redirects.logoutUrls,
      oauthScopes: args.oauthScopes ?? ["openid", "email", "profile"],
      resourceServers: args.resourceServers ?? [],
      oauthFlows: ["code"],
      explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", ...((rotation.enabled ?? true) ? [] : ["ALLOW_REFRESH_TOKEN_AUTH"])],
      accessTokenMinutes: args.tokenValidity?.accessTokenMinutes ?? 60,
      idTokenMinutes: args.tokenValidity?.idTokenMinutes ?? 60,
      refreshTokenDays: args.tokenValidity?.refreshTokenDays ?? 30,
      refreshTokenRotation: { enabled: rotation.enabled ?? true, retryGracePeriodSeconds: rotation.retryGracePeriodSeconds ?? 10 },
    },
    domain: args.domain,
    identityPool: {
      enabled: args.identityPool?.enabled ?? true,
      allowUnauthenticated: args.identityPool?.allowUnauthenticated ?? false,
      rowLevelSecurity: (args.identityPool?.rowLevelSecurity ?? []).map((grant) => ({ tableArn: grant.tableArn, actions: grant.actions ?? [...DEFAULT_ROW_LEVEL_ACTIONS] })),
    },
    triggers: Object.fromEntries(USER_AUTH_TRIGGERS.filter((trigger) => args.triggers?.[trigger]).map((trigger) => [trigger, `${name}-${triggerResourceSuffix(trigger)}`])),
    preTokenGenerationEventVersion: args.triggers?.preTokenGeneration ? (args.triggers.preTokenGeneration.eventVersion ?? "V1_0") : undefined,
    deletionProtection: args.deletionProtection ?? retainOnDelete,
    retainOnDelete,
    region: args.region,
    localDemoUser: args.localDemoUser && { ...args.localDemoUser, groups: args.localDemoUser.groups ?? [] },
  };
}

/**
 * Threat protection needs PLUS (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-threat-protection.html);
 * refresh token rotation needs ESSENTIALS or PLUS (Cognito's April 2025 announcement of rotation); everything else this
 * component configures (classic hosted UI, TOTP MFA, groups, triggers with the V1_0 pre token generation event) is in
 * LITE; a V2_0 pre token generation event needs ESSENTIALS or PLUS (validateTriggers refuses it on LITE).
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html
 */
function featurePlan(threatProtection: ThreatProtection, refreshTokenRotation: boolean): UserAuthSpec["tier"] {
  if (threatProtection !== "OFF") return "PLUS";
  return refreshTokenRotation ? "ESSENTIALS" : "LITE";
}
