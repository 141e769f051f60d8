/**
 * The publisher's S3 and CloudFront clients, acting as the identity in its `aws` input
 * (resolved as ../../deployer-aws/credentials.ts says, shared with the other dynamic providers).
 * Serialised with the provider: references only its arguments and npm packages.
 */
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { configuredCredentials as deployerCredentials, localCredentials } from "../../deployer-aws/credentials";
import type { PublisherAws, PublisherInputs } from "./types";

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

/** The credentials the settings name, or undefined when they name none (the SDK's default chain then): ../../deployer-aws/credentials.ts. */
export function configuredCredentials(aws: PublisherAws, region: string, stsEndpoint?: string) {
  return deployerCredentials(aws, region, stsEndpoint, "site-publisher");
}
