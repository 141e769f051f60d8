/**
 * Who a dynamic provider (SitePublisher, SchemaMigrations) acts as: the credential settings of the AWS provider the
 * stack's resources are managed with (the stack's `aws:*` config, or an explicit `aws.Provider`'s arguments), with the
 * provider's precedence: static keys, else the profile, else the SDK's default chain (environment, shared files,
 * container and instance roles); then each role in `assumeRoles`, in order.
 * Travels as one secret input: the dynamic-provider host sees neither the stack's config nor the AWS provider.
 * Plain data only.
 */
export interface DeployerAws {
  profile?: string;
  assumeRoles?: DeployerAssumeRole[];
  accessKey?: string;
  secretKey?: string;
  token?: string;
}

/** A role to assume, as the AWS provider's `assumeRoles` entries name it. */
export interface DeployerAssumeRole {
  roleArn: string;
  /** @default "<owner>-<time>" (e.g. "site-publisher-1733380000000") */
  sessionName?: string;
  externalId?: string;
}
