/**
 * Who a dynamic provider (the site publisher, schema migrations) acts as, read at plan time from the AWS provider
 * the component's resources use, because the dynamic provider cannot see it: an explicit `aws.Provider`
 * given to the component (or an ancestor) through `provider`/`providers`, otherwise the
 * default provider, configured by the stack's `aws:*` config. An explicit provider ignores
 * the stack's `aws:*` config, so nothing of it is mixed in. Both are AWS provider v7 names:
 * `profile`, `assumeRoles` (a list, assumed in order), `accessKey`/`secretKey`/`token`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DeployerAssumeRole, DeployerAws } from "./types";

/** The settings of the AWS provider `parent`'s AWS children use, as one secret. */
export function awsSettingsFor(parent: pulumi.Resource | undefined): pulumi.Output<DeployerAws> {
  // Any token of the aws package finds the provider the parent passes its AWS children.
  const provider = parent?.getProvider("aws:s3/bucket:Bucket");
  return pulumi.secret(provider ? providerSettings(provider) : stackSettings());
}

/**
 * The `aws` input of a dynamic resource that acts as the stack's AWS identity: `aws` when given (as a secret), else the
 * settings of the provider `opts.parent` passes its AWS children.
 */
export function deployerAwsInput(aws: pulumi.Input<DeployerAws> | undefined, opts: pulumi.CustomResourceOptions | undefined): pulumi.Output<DeployerAws> {
  return aws === undefined ? awsSettingsFor(opts?.parent) : pulumi.secret(aws);
}

/** `opts` with the `aws` output kept secret too (delete and refresh act as the recorded identity, so the state holds it). */
export function secretAwsOutput(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "aws"] };
}

/** The stack's `aws:*` config, as the default provider reads it. */
function stackSettings(): pulumi.Output<DeployerAws> {
  const config = new pulumi.Config("aws");
  return pulumi.output(
    normaliseAwsSettings({
      profile: config.get("profile"),
      assumeRoles: config.getObject<unknown>("assumeRoles"),
      accessKey: config.get("accessKey"),
      secretKey: config.get("secretKey"),
      token: config.get("token"),
    }),
  );
}

/**
 * An explicit provider's arguments. A provider resource's outputs are its inputs; the SDK declares
 * the string ones, and sends object-valued ones such as `assumeRoles` as JSON text (provider.js).
 */
function providerSettings(provider: pulumi.ProviderResource): pulumi.Output<DeployerAws> {
  const outputs = provider as unknown as Partial<Record<"profile" | "assumeRoles" | "accessKey" | "secretKey" | "token", pulumi.Output<unknown>>>;
  return pulumi
    .all([outputs.profile, outputs.assumeRoles, outputs.accessKey, outputs.secretKey, outputs.token])
    .apply(([profile, assumeRoles, accessKey, secretKey, token]) => normaliseAwsSettings({ profile, assumeRoles, accessKey, secretKey, token }));
}

/** Plain settings with the unset ones left out; role entries without a role ARN are ignored, as the provider ignores them. */
export function normaliseAwsSettings(raw: Record<"profile" | "assumeRoles" | "accessKey" | "secretKey" | "token", unknown>): DeployerAws {
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const roles = typeof raw.assumeRoles === "string" ? (JSON.parse(raw.assumeRoles) as unknown) : raw.assumeRoles;
  const assumeRoles: DeployerAssumeRole[] = (Array.isArray(roles) ? (roles as Array<Record<string, unknown> | null>) : [])
    .filter((role) => text(role?.roleArn))
    .map((role) => {
      const { roleArn, sessionName, externalId } = role as Record<string, unknown>;
      return { roleArn: text(roleArn)!, ...(text(sessionName) ? { sessionName: text(sessionName) } : {}), ...(text(externalId) ? { externalId: text(externalId) } : {}) };
    });
  const settings: DeployerAws = {};
  if (text(raw.profile)) settings.profile = text(raw.profile);
  if (assumeRoles.length > 0) settings.assumeRoles = assumeRoles;
  for (const key of ["accessKey", "secretKey", "token"] as const) if (text(raw[key])) settings[key] = text(raw[key]);
  return settings;
}
