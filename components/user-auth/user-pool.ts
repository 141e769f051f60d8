/**
 * The user pool: sign-in attributes, password policy, MFA, email verification and
 * its sender, account recovery, threat protection and feature plan, groups, and the
 * sign-up and sign-in triggers.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaFunction } from "../lambda/function";
import { emailConfiguration } from "./email";
import { triggerResourceSuffix, USER_AUTH_TRIGGERS, type PreTokenGenerationTriggerArgs, type UserAuthSpec, type UserAuthTrigger, type UserAuthTriggers } from "./spec";

/** A trigger: its function, and the grant that lets this pool (only) invoke it. */
export interface PoolTrigger {
  fn: LambdaFunction;
  permission: aws.lambda.Permission;
}

export interface PoolResources {
  pool: aws.cognito.UserPool;
  groups: aws.cognito.UserGroup[];
  triggers: Partial<Record<UserAuthTrigger, PoolTrigger>>;
}

/** Cognito's recovery mechanisms, in order: a verified email only (never SMS, which SIM-swapping defeats). */
const RECOVERY = [{ name: "verified_email", priority: 1 }];

export function createUserPool(
  name: string,
  spec: UserAuthSpec,
  triggerArgs: UserAuthTriggers | undefined,
  region: pulumi.Output<string>,
  parent: pulumi.Resource,
): PoolResources {
  // A kept pool still names its triggers (lambdaConfig), so each function outlives a destroy with the pool: all of
  // it, since a function whose role was deleted cannot run. Every part is auto-named, so nothing kept collides later.
  // deletedWith, not retainOnDelete: a trigger removed or replaced on its own is still deleted.
  const functions: Partial<Record<UserAuthTrigger, LambdaFunction>> = {};
  for (const trigger of USER_AUTH_TRIGGERS) {
    const resourceName = spec.triggers[trigger];
    const args = triggerArgs?.[trigger];
    if (!resourceName || !args) continue;
    // eventVersion is the pool's setting (lambdaConfig), not the function's: LambdaFunction does not take it.
    const { eventVersion: _poolSetting, ...functionArgs } = args as PreTokenGenerationTriggerArgs;
    functions[trigger] = new LambdaFunction(
      resourceName,
      { region: spec.region, ...functionArgs },
      { parent, transformations: spec.retainOnDelete ? [deletedWithEveryChild(parent)] : undefined },
    );
  }

  const pool = new aws.cognito.UserPool(
    `${name}-pool`,
    {
      usernameAttributes: spec.usernameAttributes.length > 0 ? spec.usernameAttributes : undefined,
      usernameConfiguration: { caseSensitive: false },
      autoVerifiedAttributes: spec.autoVerifiedAttributes,
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: spec.autoVerifiedAttributes },
      schemas: [{ name: "email", attributeDataType: "String", required: true, mutable: true, stringAttributeConstraints: { minLength: "0", maxLength: "2048" } }],
      passwordPolicy: spec.passwordPolicy,
      mfaConfiguration: spec.mfa,
      // Off is the block left out, not `{ enabled: false }` / `{ advancedSecurityMode: "OFF" }`: AWS then reads back no
      // block, so state matches config on the next deploy. terraform-provider-aws's acceptance tests pin exactly these
      // transitions with an empty plan after apply (TestAccCognitoIDPUserPool_MFA_softwareTokenMFA: TOTP on → OFF reads
      // `software_token_mfa_configuration.# = 0`; TestAccCognitoIDPUserPool_withAdvancedSecurityMode: ENFORCED → no block
      // reads `user_pool_add_ons.# = 0`).
      softwareTokenMfaConfiguration: spec.mfaFactors.includes("TOTP") ? { enabled: true } : undefined,
      verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
      emailConfiguration: emailConfiguration(name, spec.email, region),
      accountRecoverySetting: { recoveryMechanisms: RECOVERY },
      adminCreateUserConfig: { allowAdminCreateUserOnly: !spec.selfSignUp },
      userPoolTier: spec.tier,
      userPoolAddOns: spec.threatProtection === "OFF" ? undefined : { advancedSecurityMode: spec.threatProtection },
      deletionProtection: spec.deletionProtection ? "ACTIVE" : "INACTIVE",
      lambdaConfig: lambdaConfig(functions, spec),
      region: spec.region,
    },
    { parent, retainOnDelete: spec.retainOnDelete },
  );

  const groups = spec.groups.map(
    (group) =>
      new aws.cognito.UserGroup(
        `${name}-group-${group.name}`,
        { userPoolId: pool.id, name: group.name, description: group.description, precedence: group.precedence, region: spec.region },
        // DeleteGroup takes every membership with it, so a kept pool keeps its groups; and DeleteUserPool takes the
        // groups, so a deleted one needs no call either. deletedWith, not retainOnDelete: a group removed or renamed
        // on its own must go, or its members keep the `cognito:groups` claim the API authorizer grants by.
        { parent, deletedWith: pool },
      ),
  );

  const triggers: PoolResources["triggers"] = {};
  for (const [trigger, fn] of Object.entries(functions) as Array<[UserAuthTrigger, LambdaFunction]>) {
    triggers[trigger] = { fn, permission: allowCognitoToInvoke(`${name}-${triggerResourceSuffix(trigger)}-invoke`, fn, pool, spec.region, parent, spec.retainOnDelete) };
  }
  return { pool, groups, triggers };
}

/**
 * The pool's lambdaConfig: each trigger's function ARN under its key. Pre token generation goes in
 * preTokenGenerationConfig, the only place that carries the event version: "For new instances of pre token generation
 * triggers, set LambdaArn" (AWS::Cognito::UserPool PreTokenGenerationConfig). The provider marks both
 * `pre_token_generation` and `pre_token_generation_config` Optional + Computed (terraform-provider-aws
 * internal/service/cognitoidp/user_pool.go), so the flat ARN Cognito reads back beside the block is no diff, and an
 * update that changes the block's lambda_arn copies it to the flat field (`config["pre_token_generation"] =
 * d.Get("lambda_config.0.pre_token_generation_config.0.lambda_arn")`). Undefined without triggers: no block at all.
 */
function lambdaConfig(functions: Partial<Record<UserAuthTrigger, LambdaFunction>>, spec: UserAuthSpec): aws.types.input.cognito.UserPoolLambdaConfig | undefined {
  if (Object.keys(functions).length === 0) return undefined;
  const { preTokenGeneration, ...flat } = functions;
  return {
    ...Object.fromEntries(Object.entries(flat).map(([trigger, fn]) => [trigger, fn.arn])),
    ...(preTokenGeneration ? { preTokenGenerationConfig: { lambdaArn: preTokenGeneration.arn, lambdaVersion: spec.preTokenGenerationEventVersion ?? "V1_0" } } : {}),
  };
}

/** Cognito invokes triggers as cognito-idp.amazonaws.com; scope the grant to this pool. */
function allowCognitoToInvoke(resourceName: string, fn: LambdaFunction, pool: aws.cognito.UserPool, region: string | undefined, parent: pulumi.Resource, poolKept: boolean) {
  return new aws.lambda.Permission(
    resourceName,
    { action: "lambda:InvokeFunction", function: fn.functionName, principal: "cognito-idp.amazonaws.com", sourceArn: pool.arn, region },
    // Deleting the pool leaves the grant on the function; only a kept pool needs it kept.
    { parent, deletedWith: poolKept ? pool : undefined },
  );
}

/**
 * Every part of a kept trigger (function, role and its policies, log group) is skipped on delete with the component
 * that owns the pool, not with the pool: the pool's lambdaConfig needs the function's ARN, and the SDK sends a
 * registration only once its deletedWith target's URN is known, so pointing at the pool would deadlock. The component
 * goes only with the pool (a destroy, or UserAuth removed), and role and policies are skipped together (DeleteRole
 * refuses a role that still has inline policies).
 */
const deletedWithEveryChild = (owner: pulumi.Resource): pulumi.ResourceTransformation => ({ props, opts }) => ({ props, opts: { ...opts, deletedWith: owner } });
