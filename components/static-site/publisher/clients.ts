/**
 * The publisher's S3 and CloudFront clients, acting as the identity in its `aws` input.
 * The dynamic provider runs in Pulumi's provider host, where neither the stack's config nor
 * the AWS provider's credentials are at hand, so who we are travels with the inputs
 * (see PublisherAws) and is resolved here with the AWS provider's precedence:
 *   static keys, else the named profile (shared config and credentials files: keys, SSO,
 *   credential_process, role_arn profiles), else the SDK's default chain; then each role
 *   of `assumeRoles` in order, each assumed with the credentials before it.
 * (Precedence: https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration)
 * Serialised with the provider: references only its arguments and npm packages.
 */
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { fromIni, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { PublisherAssumeRole, PublisherAws, PublisherInputs } from "./types";

export interface PublisherClients {
  s3: S3Client;
  cloudfront: CloudFrontClient;
}

export function publisherClients(inputs: Pick<PublisherInputs, "region" | "endpoints" | "aws">): PublisherClients {
  const endpoints = inputs.endpoints ?? {};
  const configured = configuredCredentials(inputs.aws ?? {}, inputs.region, endpoints.sts);
  const credentials = (endpoint: string | undefined) => configured ?? (endpoint ? localCredentials() : undefined);
  return {
    s3: new S3Client({ region: inputs.region, credentials: credentials(endpoints.s3), ...(endpoints.s3 ? { endpoint: endpoints.s3, forcePathStyle: true } : {}) }),
    // CloudFront's API is global, signed for us-east-1 whatever the bucket's region.
    cloudfront: new CloudFrontClient({ region: "us-east-1", credentials: credentials(endpoints.cloudfront), ...(endpoints.cloudfront ? { endpoint: endpoints.cloudfront } : {}) }),
  };
}

/** The credentials the settings name, or undefined when they name none (the SDK's default chain then). */
export function configuredCredentials(aws: PublisherAws, region: string, stsEndpoint?: string): AwsCredentialIdentityProvider | undefined {
  let credentials: AwsCredentialIdentityProvider | undefined;
  if (aws.accessKey && aws.secretKey) {
    const identity: AwsCredentialIdentity = { accessKeyId: aws.accessKey, secretAccessKey: aws.secretKey, ...(aws.token ? { sessionToken: aws.token } : {}) };
    credentials = async () => identity;
  } else if (aws.profile) {
    // Only this profile: a missing or broken profile fails loudly instead of falling back to other credentials.
    credentials = fromIni({ profile: aws.profile });
  }
  for (const role of aws.assumeRoles ?? []) {
    credentials = assumeRole(credentials ?? (stsEndpoint ? localCredentials() : undefined), role, region, stsEndpoint);
  }
  return credentials;
}

/** Temporary credentials of `role`, assumed with `source` (the default chain when undefined); renewed by the clients before they expire. */
function assumeRole(source: AwsCredentialIdentityProvider | undefined, role: PublisherAssumeRole, region: string, endpoint: string | undefined): AwsCredentialIdentityProvider {
  const temporary = fromTemporaryCredentials({
    params: { RoleArn: role.roleArn, RoleSessionName: role.sessionName || `site-publisher-${Date.now()}`, ...(role.externalId ? { ExternalId: role.externalId } : {}) },
    ...(source ? { masterCredentials: source } : {}),
    clientConfig: { region, ...(endpoint ? { endpoint } : {}) },
  });
  return async () => {
    try {
      return await temporary();
    } catch (error) {
      throw new Error(`the site publisher could not assume ${role.roleArn}: ${(error as Error).message}`);
    }
  };
}

/**
 * A local endpoint (`npm start`, tests, benchmarks) verifies signatures against the local
 * credentials (local/s3-auth.ts), so it is always signed with those — never with a developer's
 * real AWS keys from the environment, which it would refuse.
 */
function localCredentials(): AwsCredentialIdentityProvider {
  return async () => ({ accessKeyId: "local", secretAccessKey: "local" });
}
