/**
 * Federated identities: signed-in users exchange their user-pool token for
 * AWS credentials of the authenticated role, whose only permissions are row-level
 * security grants — each user reaches only the items keyed by their own identity id.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, type PolicyStatement } from "../iam";
import { IDENTITY_ID_VARIABLE, type UserAuthSpec } from "./spec";

export interface IdentityResources {
  identityPool: aws.cognito.IdentityPool;
  authenticatedRole: aws.iam.Role;
  authenticatedPolicy?: aws.iam.RolePolicy;
  unauthenticatedRole?: aws.iam.Role;
  roles: aws.cognito.IdentityPoolRoleAttachment;
}

export function createIdentityPool(
  name: string,
  spec: UserAuthSpec,
  pool: aws.cognito.UserPool,
  client: aws.cognito.UserPoolClient,
  parent: pulumi.Resource,
): IdentityResources | undefined {
  if (!spec.identityPool.enabled) return undefined;
  const identityPool = new aws.cognito.IdentityPool(
    `${name}-identities`,
    {
      identityPoolName: identityPoolName(name),
      allowUnauthenticatedIdentities: spec.identityPool.allowUnauthenticated,
      // The enhanced flow only: the classic flow lets clients pick any role the pool trusts.
      allowClassicFlow: false,
      // serverSideTokenCheck: Cognito asks the user pool whether the token was revoked (e.g. by sign-out).
      cognitoIdentityProviders: [{ providerName: pool.endpoint, clientId: client.id, serverSideTokenCheck: true }],
      region: spec.region,
    },
    // The identity ids it mints key every row-level-security item, so it is kept with the pool and the tables;
    // a new pool would mint new ids and orphan those items. deletedWith, not retainOnDelete: an identity pool removed
    // or replaced on its own is deleted. DeleteUserPool leaves it, so it is deletedWith the pool only when the pool is
    // kept. The roles and their attachment are rebuilt instead: kept, they would be IAM grants on the tables outside any stack.
    { parent, deletedWith: spec.retainOnDelete ? pool : undefined },
  );

  const authenticatedRole = new aws.iam.Role(`${name}-authenticated`, { assumeRolePolicy: federatedTrust(identityPool.id, "authenticated") }, { parent });
  const statements = rowLevelSecurityStatements(spec);
  const authenticatedPolicy =
    statements.length > 0 ? new aws.iam.RolePolicy(`${name}-authenticated-policy`, { role: authenticatedRole.id, policy: policyJson(statements) }, { parent }) : undefined;
  // Guests (only when asked) get a role with no permissions at all.
  const unauthenticatedRole = spec.identityPool.allowUnauthenticated
    ? new aws.iam.Role(`${name}-unauthenticated`, { assumeRolePolicy: federatedTrust(identityPool.id, "unauthenticated") }, { parent })
    : undefined;

  const roles = new aws.cognito.IdentityPoolRoleAttachment(
    `${name}-roles`,
    {
      identityPoolId: identityPool.id,
      roles: unauthenticatedRole
        ? { authenticated: authenticatedRole.arn, unauthenticated: unauthenticatedRole.arn }
        : { authenticated: authenticatedRole.arn },
      region: spec.region,
    },
    { parent },
  );
  return { identityPool, authenticatedRole, authenticatedPolicy, unauthenticatedRole, roles };
}

/** Only this identity pool may hand out the role, and only to identities of the given kind. */
export function federatedTrust(identityPoolId: pulumi.Input<string>, amr: "authenticated" | "unauthenticated"): pulumi.Output<string> {
  return pulumi.output(identityPoolId).apply((id) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "cognito-identity.amazonaws.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "cognito-identity.amazonaws.com:aud": id },
            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": amr },
          },
        },
      ],
    }),
  );
}

/** One statement per table: the item actions, on that table, only where every leading key is the caller's identity id. */
export function rowLevelSecurityStatements(spec: UserAuthSpec): PolicyStatement[] {
  return spec.identityPool.rowLevelSecurity.map((grant, index) => ({
    sid: `RowLevelSecurity${index}`,
    actions: grant.actions,
    resources: [grant.tableArn],
    conditions: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [IDENTITY_ID_VARIABLE] } },
  }));
}

/** Identity pool names allow letters, digits, spaces and `_+=,.@-`; they need not be unique, but say which stack they belong to. */
function identityPoolName(name: string): string {
  return `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(/[^\w\s+=,.@-]/g, "-").slice(0, 128);
}
