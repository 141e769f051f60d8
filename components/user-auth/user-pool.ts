/**
 * The user pool: sign-in attributes, password policy, MFA, email verification,
 * account recovery, threat protection, groups, the post-confirmation trigger and
 * the hosted UI domain.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaFunction, type LambdaFunctionArgs } from "../lambda/function";
import type { UserAuthDomain, UserAuthSpec } from "./spec";

export interface PoolResources {
  pool: aws.cognito.UserPool;
  groups: aws.cognito.UserGroup[];
  postConfirmation?: { fn: LambdaFunction; permission: aws.lambda.Permission };
}

/** Cognito's recovery mechanisms, in order: a verified email only (never SMS, which SIM-swapping defeats). */
const RECOVERY = [{ name: "verified_email", priority: 1 }];

export function createUserPool(name: string, spec: UserAuthSpec, postConfirmationArgs: LambdaFunctionArgs | undefined, parent: pulumi.Resource): PoolResources {
  const trigger = postConfirmationArgs && spec.triggers.postConfirmation
    ? new LambdaFunction(spec.triggers.postConfirmation, { region: spec.region, ...postConfirmationArgs }, { parent })
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
      softwareTokenMfaConfiguration: spec.mfaFactors.includes("TOTP") ? { enabled: true } : undefined,
      verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
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
        { parent },
      ),
  );

  const permission = trigger && allowCognitoToInvoke(`${name}-post-confirmation-invoke`, trigger, pool, spec.region, parent);
  return { pool, groups, postConfirmation: trigger && permission && { fn: trigger, permission } };
}

/** Cognito invokes triggers as cognito-idp.amazonaws.com; scope the grant to this pool. */
function allowCognitoToInvoke(resourceName: string, fn: LambdaFunction, pool: aws.cognito.UserPool, region: string | undefined, parent: pulumi.Resource) {
  return new aws.lambda.Permission(
    resourceName,
    { action: "lambda:InvokeFunction", function: fn.functionName, principal: "cognito-idp.amazonaws.com", sourceArn: pool.arn, region },
    { parent },
  );
}

export interface DomainResources {
  domain: aws.cognito.UserPoolDomain;
  record?: aws.route53.Record;
  /** Base URL of the hosted UI (managed login). */
  url: pulumi.Output<string>;
}

/** The hosted UI domain: a prefix under amazoncognito.com, or a custom domain with an optional Route 53 alias. */
export function createDomain(name: string, spec: UserAuthSpec, pool: aws.cognito.UserPool, region: pulumi.Output<string>, parent: pulumi.Resource): DomainResources | undefined {
  const config: UserAuthDomain | undefined = spec.domain;
  if (!config) return undefined;
  if ("prefix" in config) {
    const domain = new aws.cognito.UserPoolDomain(`${name}-domain`, { domain: config.prefix, userPoolId: pool.id, region: spec.region }, { parent });
    return { domain, url: pulumi.interpolate`https://${domain.domain}.auth.${region}.amazoncognito.com` };
  }
  const domain = new aws.cognito.UserPoolDomain(
    `${name}-domain`,
    { domain: config.name, certificateArn: config.certificateArn, userPoolId: pool.id, region: spec.region },
    { parent },
  );
  const record = config.hostedZoneId
    ? new aws.route53.Record(
        `${name}-domain-record`,
        {
          zoneId: config.hostedZoneId,
          name: config.name,
          type: "A",
          aliases: [{ name: domain.cloudfrontDistribution, zoneId: domain.cloudfrontDistributionZoneId, evaluateTargetHealth: false }],
        },
        { parent },
      )
    : undefined;
  return { domain, record, url: pulumi.output(`https://${config.name}`) };
}
