/**
 * A dynamic provider's AWS credentials, acting as the identity in its `aws` input (DeployerAws).
 * The dynamic provider runs in Pulumi's provider host, where neither the stack's config nor
 * the AWS provider's credentials are at hand, so who we are travels with the inputs
 * and is resolved here with the AWS provider's precedence:
 *   static keys, else the named profile (shared config and credentials files: keys, SSO,
 *   credential_process, role_arn profiles), else the SDK's default chain; then each role
 *   of `assumeRoles` in order, each assumed with the credentials before it.
 * (Precedence: https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration)
 * Bundled into the providers that use it (SitePublisher, SchemaMigrations): references only its arguments and npm packages.
 */
import { fromIni, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { IAM_ROLE_ARN } from "../arn";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { DeployerAssumeRole, DeployerAws } from "./types";

/**
 * The credentials the settings name, or undefined when they name none (the SDK's default chain then).
 * `owner` names the provider in errors and default role session names, e.g. "site-publisher".
 */
export function configuredCredentials(aws: DeployerAws, region: string, stsEndpoint: string | undefined, owner: string): AwsCredentialIdentityProvider | undefined {
  let credentials: AwsCredentialIdentityProvider | undefined;
  if (aws.accessKey && aws.secretKey) {
    const identity: AwsCredentialIdentity = { accessKeyId: aws.accessKey, secretAccessKey: aws.secretKey, ...(aws.token ? { sessionToken: aws.token } : {}) };
    credentials = async () => identity;
  } else if (aws.profile) {
    // Only this profile: a missing or broken profile fails loudly instead of falling back to other credentials.
    credentials = fromIni({ profile: aws.profile });
  }
  for (const role of aws.assumeRoles ?? []) {
    credentials = assumeRole(credentials ?? (stsEndpoint ? localCredentials() : undefined), role, region, stsEndpoint, owner);
  }
  return credentials;
}

/** Temporary credentials of `role`, assumed with `source` (the default chain when undefined); renewed by the clients before they expire. */
function assumeRole(source: AwsCredentialIdentityProvider | undefined, role: DeployerAssumeRole, region: string, endpoint: string | undefined, owner: string): AwsCredentialIdentityProvider {
  const temporary = fromTemporaryCredentials({
    params: { RoleArn: role.roleArn, RoleSessionName: role.sessionName || `${owner}-${Date.now()}`, ...(role.externalId ? { ExternalId: role.externalId } : {}) },
    ...(source ? { masterCredentials: source } : {}),
    clientConfig: { region, ...(endpoint ? { endpoint } : {}) },
  });
  return async () => {
    try {
      return await temporary();
    } catch (error) {
      throw new Error(`the ${owner.replace(/-/g, " ")} could not assume ${role.roleArn}: ${(error as Error).message}`);
    }
  };
}

/**
 * A local endpoint (`npm start`, tests, benchmarks) verifies signatures against the local
 * credentials (local/s3-auth.ts), so it is always signed with those — never with a developer's
 * real AWS keys from the environment, which it would refuse.
 */
export function localCredentials(): AwsCredentialIdentityProvider {
  return async () => ({ accessKeyId: "local", secretAccessKey: "local" });
}

/**
 * How Pulumi's dynamic-provider host passes a value unknown at preview (`rpc.unknownValue` in @pulumi/pulumi's
 * runtime/rpc).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Whether who we act as changed: any setting, the session token included (a recorded expired token would sign
 * a later destroy). Unknown settings (a preview whose provider settings come from other resources) may change.
 */
export function awsChanged(olds: DeployerAws | undefined, news: DeployerAws | undefined): boolean {
  if ((news as unknown) === UNKNOWN) return true;
  return canonicalJson(olds ?? {}) !== canonicalJson(news ?? {});
}

/** JSON with object keys sorted, so settings written in another order compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What STS or the SDK would refuse at deploy time, refused at preview instead (a dynamic provider's `check` failures). */
export function checkAws(aws: DeployerAws): Array<{ property: string; reason: string }> {
  const failures: Array<{ property: string; reason: string }> = [];
  if (Boolean(aws.accessKey) !== Boolean(aws.secretKey)) {
    failures.push({ property: aws.accessKey ? "aws.secretKey" : "aws.accessKey", reason: "static credentials need both aws:accessKey and aws:secretKey; set both or neither" });
  }
  (aws.assumeRoles ?? []).forEach((role, i) => {
    const at = `aws.assumeRoles[${i}]`;
    // arn:<partition>:iam::<account>:role/<path><name>: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
    if (!IAM_ROLE_ARN.test(role.roleArn ?? "")) {
      failures.push({ property: `${at}.roleArn`, reason: `${JSON.stringify(role.roleArn)} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)` });
    }
    // RoleSessionName: 2-64 of [\w+=,.@-]; ExternalId: 2-1224 of [\w+=,.@:/-]: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    if (role.sessionName !== undefined && !/^[\w+=,.@-]{2,64}$/.test(role.sessionName)) {
      failures.push({ property: `${at}.sessionName`, reason: `${JSON.stringify(role.sessionName)} must be 2-64 letters, digits or _+=,.@-` });
    }
    if (role.externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(role.externalId)) {
      failures.push({ property: `${at}.externalId`, reason: `${JSON.stringify(role.externalId)} must be 2-1224 letters, digits or _+=,.@:/-` });
    }
  });
  return failures;
}
