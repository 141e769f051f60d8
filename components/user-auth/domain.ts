/**
 * The hosted UI (managed login) domain: a prefix under amazoncognito.com, which is
 * unique within a region across all AWS accounts — so unless one is given, the component derives it from
 * the project, stack, component name and AWS account — or the owner's own domain.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { US_EAST_1_ACM_CERTIFICATE } from "../arn";
import { argFailer, ComponentArgError, type ArgFailure } from "../errors";
import { zoneHoldingHosts } from "../hosted-zone";
import type { UserAuthSpec } from "./spec";

/**
 * The hosted UI (managed login) domain. `{}` gives a prefix domain with a derived prefix;
 * `prefix` picks the prefix; `name` (with `certificateArn`) serves it on your own domain instead;
 * `prefix` and `name` together keep both (a pool holds one of each), which is how to move from one to the other
 * without a sign-in outage: add the new one beside the deployed one, then remove the old one in a second update
 * (docs/auth.md, "Moving the hosted UI to another domain").
 */
export interface UserAuthDomain {
  /**
   * `<prefix>.auth.<region>.amazoncognito.com`: 1–63 lowercase letters, digits and hyphens, not starting or ending
   * with a hyphen, without "aws", "amazon" or "cognito". Prefixes are unique across all AWS accounts in a region:
   * a taken one fails the deploy with "Domain already associated with another user pool".
   * With `name`: a prefix domain beside the custom one (`hostedUiUrl` is the custom one's).
   * @default `<project>-<stack>-<component name>-<8 hex digits of a hash of those and the account id>`, e.g. "serverless-fullstack-prod-auth-1f2e3d4c"
   */
  prefix?: string;
  /** Your own host name, e.g. `"auth.gallery.example.com"`: instead of a prefix, or beside `prefix`. @default none (a prefix domain) */
  name?: string;
  /** With `name`: an ACM certificate in us-east-1 covering it (Cognito serves custom domains through CloudFront). @default none */
  certificateArn?: pulumi.Input<string>;
  /**
   * With `name`: the Route 53 zone for an alias record to the domain's CloudFront distribution. Looked up at preview
   * (route53:GetHostedZone) and refused when the zone does not hold `name` or the account has no such zone; a private
   * zone is a warning. @default no record
   */
  hostedZoneId?: string;
  /**
   * With `name`: resources the domain is created after. Cognito creates a custom domain only once the parent domain
   * (`gallery.example.com` for `auth.gallery.example.com`) resolves to an A record, so when this program creates that
   * record (e.g. a StaticSite on the apex: `site.nodes.records`), name it here; otherwise the first `pulumi up` can
   * fail with "Custom domain is not a valid subdomain". For a certificate this program requests, pass its
   * `aws.acm.CertificateValidation`'s `certificateArn` as `certificateArn` instead, which waits for ACM to issue it.
   * Deploy rule: CognitoCustomDomainParentRecord. @default none
   */
  dependsOn?: readonly pulumi.Input<pulumi.Resource>[];
}

/**
 * CreateUserPoolDomain's `Domain`: 1–63 characters, `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html
 */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_PREFIX_LENGTH = 63;
/**
 * Words Cognito refuses in a prefix (the console's and CreateUserPoolDomain's rule for amazoncognito.com prefixes;
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html).
 */
const RESERVED = /aws|amazon|cognito/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function validateDomain(fail: ArgFailure, domain: UserAuthDomain): void {
  if (domain.name === undefined) {
    if (domain.certificateArn !== undefined) fail("domain.certificateArn", domain.certificateArn, "is only used with domain.name (a prefix domain is served on Cognito's certificate)", "Set domain.name to your host name, or drop certificateArn.");
    if (domain.hostedZoneId !== undefined) fail("domain.hostedZoneId", domain.hostedZoneId, "is only used with domain.name", "Set domain.name to your host name, or drop hostedZoneId.");
    if (domain.dependsOn !== undefined) {
      // A prefix domain lives under amazoncognito.com: nothing of the owner's has to exist first.
      const count = `${domain.dependsOn.length} resource${domain.dependsOn.length === 1 ? "" : "s"}`;
      fail("domain.dependsOn", count, "is only used with domain.name (a prefix domain needs none of your DNS records)", "Set domain.name to your host name, or drop dependsOn.");
    }
    if (domain.prefix === undefined) return; // derived at deploy time, valid by construction (defaultDomainPrefix)
    validatePrefix(fail, domain.prefix);
    return;
  }
  // With name, a prefix is a second domain beside the custom one: a pool holds one of each (createDomain).
  if (domain.prefix !== undefined) validatePrefix(fail, domain.prefix);
  if (!HOST_NAME.test(domain.name)) fail("domain.name", domain.name, "is not a lowercase DNS host name", 'Use e.g. "auth.gallery.example.com".');
  if (!domain.certificateArn) fail("domain.certificateArn", domain.certificateArn, "is required for a custom domain", "Pass an ACM certificate in us-east-1 that covers domain.name.");
  if (typeof domain.certificateArn === "string" && !US_EAST_1_ACM_CERTIFICATE.test(domain.certificateArn)) fail("domain.certificateArn", domain.certificateArn, CERTIFICATE_PROBLEM, CERTIFICATE_FIX);
}

/**
 * CreateUserPoolDomain: "When you choose a custom domain, you must provide an SSL certificate in the US East (N.
 * Virginia) Amazon Web Services Region in your request"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html; the same
 * in UpdateUserPoolDomain). Whether it covers the name needs the certificate's names: deploy rule CognitoCustomDomainCertificate.
 */
const CERTIFICATE_PROBLEM = "is not an ACM certificate ARN in us-east-1, where Cognito requires it";
const CERTIFICATE_FIX = "Request or import the certificate in us-east-1.";

/**
 * The construction-time check for a certificate ARN only known at deploy time (e.g. an aws.acm.CertificateValidation's
 * `certificateArn`, as the docs recommend), with the same message; returns the ARN.
 */
function assertCustomDomainCertificate(name: string, certificateArn: string): string {
  if (!US_EAST_1_ACM_CERTIFICATE.test(certificateArn)) throw new ComponentArgError("UserAuth", name, "domain.certificateArn", certificateArn, CERTIFICATE_PROBLEM, CERTIFICATE_FIX);
  return certificateArn;
}

function validatePrefix(fail: ArgFailure, prefix: string): void {
  if (!DOMAIN_PREFIX.test(prefix)) {
    fail("domain.prefix", prefix, "is not a valid hosted UI prefix", 'Use 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, e.g. "gallery-dev-auth"; or leave it out for a derived one.');
  }
  if (RESERVED.test(prefix)) {
    fail("domain.prefix", prefix, 'contains "aws", "amazon" or "cognito", which Cognito reserves', "Pick a prefix without them, or leave it out for a derived one.");
  }
}

/**
 * A prefix no other account, stack or component has, stable across deploys: a readable
 * `<project>-<stack>-<name>` (lowercased, reserved words removed, shortened to fit) and 8 hex
 * digits of sha256 over project, stack, name and account id (hex has no reserved word in it).
 */
export function defaultDomainPrefix(project: string, stack: string, name: string, accountId: string): string {
  const hash = createHash("sha256").update([project, stack, name, accountId].join("\n")).digest("hex").slice(0, 8);
  let readable = `${project}-${stack}-${name}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  // Removing a reserved word can join its neighbours into another ("awawss"): repeat until none is left.
  while (RESERVED.test(readable)) readable = readable.replace(new RegExp(RESERVED.source, "g"), "");
  readable = readable.replace(/-+/g, "-").slice(0, MAX_PREFIX_LENGTH - 1 - hash.length).replace(/^-+|-+$/g, "");
  return readable ? `${readable}-${hash}` : hash;
}

export interface DomainResources {
  /** The custom domain when there is one, else the prefix one. */
  domain: aws.cognito.UserPoolDomain;
  /** The prefix domain kept beside a custom one (`prefix` and `name` both set). */
  prefixDomain?: aws.cognito.UserPoolDomain;
  record?: aws.route53.Record;
  /** Base URL of the hosted UI (managed login). */
  url: pulumi.Output<string>;
}

/**
 * The hosted UI domains: a (given or derived) prefix under amazoncognito.com, a custom domain with an optional Route 53
 * alias, or one of each. A pool holds one prefix domain and one custom domain (UserPoolType's separate `Domain` and
 * `CustomDomain`: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolType.html;
 * CloudFormation's UserPoolDomain: "When you create a custom domain ... If you had a prefix domain active, this will
 * cause passkey integration for your prefix domain to stop working",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpooldomain.html).
 * So each kind is its own logical resource, and a changed prefix or host name (`domain` is ForceNew,
 * terraform-provider-aws cognitoidp/user_pool_domain.go) deletes the old domain of its kind before creating the new one.
 * Moving between kinds without an outage takes two updates, both domains in between (TransitionHostedUiDomainGap).
 * A custom domain waits for `dependsOn`: "Amazon Cognito does not support top-level domains and requires the parent
 * domain to have a DNS A record for validation" (https://docs.aws.amazon.com/cognito/latest/developerguide/troubleshooting.html).
 */
export function createDomain(name: string, spec: UserAuthSpec, pool: aws.cognito.UserPool, region: pulumi.Output<string>, parent: pulumi.Resource): DomainResources | undefined {
  const config = spec.domain;
  if (!config) return undefined;
  // Earlier versions had one domain, `${name}-domain`, of either kind; the prefix keeps that name.
  const prefixDomain =
    config.name === undefined || config.prefix !== undefined
      ? new aws.cognito.UserPoolDomain(
          `${name}-domain`,
          {
            domain: config.prefix ?? aws.getCallerIdentityOutput({}, { parent }).accountId.apply((account) => defaultDomainPrefix(pulumi.getProject(), pulumi.getStack(), name, account)),
            userPoolId: pool.id,
            region: spec.region,
          },
          { parent, deleteBeforeReplace: true },
        )
      : undefined;
  const prefixUrl = prefixDomain && pulumi.interpolate`https://${prefixDomain.domain}.auth.${region}.amazoncognito.com`;
  if (config.name === undefined) return { domain: prefixDomain!, url: prefixUrl! };

  const domain = new aws.cognito.UserPoolDomain(
    `${name}-custom-domain`,
    {
      domain: config.name,
      // A plain string was checked at construction; an Output is checked here once known.
      certificateArn: pulumi.output(config.certificateArn!).apply((arn) => assertCustomDomainCertificate(name, arn)),
      userPoolId: pool.id,
      region: spec.region,
    },
    {
      parent,
      deleteBeforeReplace: true,
      dependsOn: config.dependsOn && [...config.dependsOn],
      // A custom domain an earlier version deployed as `${name}-domain` stays in place. Not while a prefix domain is
      // `${name}-domain`: two resources cannot claim one deployed one ("Duplicate resource alias").
      aliases: prefixDomain ? undefined : [{ name: `${name}-domain` }],
    },
  );
  const record = config.hostedZoneId
    ? new aws.route53.Record(
        `${name}-domain-record`,
        {
          // Checked to hold domain.name at preview (components/hosted-zone.ts); the certificate is given, so a private
          // zone is only a warning. Typed a string; an Output (from JavaScript) is left to the record, as StaticSite's.
          zoneId:
            typeof config.hostedZoneId === "string"
              ? zoneHoldingHosts(argFailer("UserAuth", name), `UserAuth "${name}"`, "domain.hostedZoneId", config.hostedZoneId, [{ argument: "domain.name", host: config.name }], false, parent, "the hosted UI")
              : config.hostedZoneId,
          name: config.name,
          type: "A",
          aliases: [{ name: domain.cloudfrontDistribution, zoneId: domain.cloudfrontDistributionZoneId, evaluateTargetHealth: false }],
        },
        { parent },
      )
    : undefined;
  // With both, the URL stays on the prefix: a new custom domain "can take up to one hour" before it serves
  // (CreateUserPoolDomain, see TransitionHostedUiDomainGap), and the update that removes the prefix moves the URL, by
  // then to an active domain. Alone, the custom domain serves once it exists and has its alias record.
  const url = prefixUrl ?? pulumi.all([domain.domain, record?.name]).apply(([host]) => `https://${host}`);
  return { domain, prefixDomain, record, url };
}
