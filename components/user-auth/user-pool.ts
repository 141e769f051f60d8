/**
 * The user pool: sign-in attributes, password policy, MFA, email verification and
 * its sender, account recovery, threat protection and feature plan, groups, and the
 * post-confirmation trigger.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaFunction, type LambdaFunctionArgs } from "../lambda/function";
import { emailConfiguration } from "./email";
import type { UserAuthSpec } from "./spec";

export interface PoolResources {
  pool: aws.cognito.UserPool;
  groups: aws.cognito.UserGroup[];
  postConfirmation?: { fn: LambdaFunction; permission: aws.lambda.Permission };
}

/** Cognito's recovery mechanisms, in order: a verified email only (never SMS, which SIM-swapping defeats). */
const RECOVERY = [{ name: "verified_email", priority: 1 }];

export function createUserPool(
  name: string,
  spec: UserAuthSpec,
  postConfirmationArgs: LambdaFunctionArgs | undefined,
  region: pulumi.Output<string>,
  parent: pulumi.Resource,
): PoolResources {
  // A kept pool still names its trigger (lambdaConfig), so the function outlives a destroy with the pool: all of
  // it, since a function whose role was deleted cannot run. Every part is auto-named, so nothing kept collides later.
  // deletedWith, not retainOnDelete: a trigger removed or replaced on its own is still deleted.
  const trigger = postConfirmationArgs && spec.triggers.postConfirmation
    ? new LambdaFunction(
        spec.triggers.postConfirmation,
        { region: spec.region, ...postConfirmationArgs },
        { parent, transformations: spec.retainOnDelete ? [deletedWithEveryChild(parent)] : undefined },
      )
    : undefined;

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
      lambdaConfig: trigger ? { postConfirmation: trigger.arn } : undefined,
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

  const permission = trigger && allowCognitoToInvoke(`${name}-post-confirmation-invoke`, trigger, pool, spec.region, parent, spec.retainOnDelete);
  return { pool, groups, postConfirmation: trigger && permission && { fn: trigger, permission } };
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
