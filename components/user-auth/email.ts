/**
 * Who sends the pool's email (sign-up codes, password resets, invitations). Cognito's
 * built-in sender allows 50 messages a day per AWS account, so a production pool sends
 * through the owner's Amazon SES identity instead (the DEVELOPER sending account).
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgError, type ArgFailure } from "../errors";

/**
 * An Amazon SES sender for the pool's email. The identity must be verified in SES, and the
 * account out of the SES sandbox, before users can receive mail (docs/auth.md).
 */
export interface UserAuthEmail {
  /**
   * ARN of a verified SES identity, an email address or a domain:
   * `arn:aws:ses:<region>:<account>:identity/<email or domain>`. Its region must be the pool's,
   * or one of SES's backwards-compatible regions for Cognito (us-east-1, us-west-2, eu-west-1).
   * Outputs (e.g. an `aws.sesv2.EmailIdentity`'s `arn`) are checked once known.
   */
  sesIdentityArn: pulumi.Input<string>;
  /**
   * The FROM address, optionally with a display name (`"Gallery <no-reply@gallery.example.com>"`).
   * The address must be the identity itself, or an address on the identity's domain or a subdomain of it.
   */
  from: string;
  /** Where replies go. @default the FROM address */
  replyTo?: string;
  /** An SES configuration set applied to the messages (event publishing, dedicated IPs). @default none */
  configurationSet?: string;
}

/**
 * SES regions Cognito accepts for any user pool besides the pool's own region.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html#user-pool-email-developer-region-mapping
 * ("Amazon SES email configuration regions"; the API's SourceArn "must indicate a supported AWS Region of your user pool":
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html)
 */
export const SES_BACKWARDS_COMPATIBLE_REGIONS: readonly string[] = ["us-east-1", "us-west-2", "eu-west-1"];

/** `arn:<partition>:ses:<region>:<account>:identity/<email or domain>`, the form SES gives identities. */
const SES_IDENTITY_ARN = /^arn:aws[a-z-]*:ses:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):identity\/(.+)$/;
const EMAIL = /^[^@\s<>"]+@([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+)$/i;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
/** https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html (ConfigurationSet) */
const CONFIGURATION_SET = /^[a-zA-Z0-9_-]{1,64}$/;

interface SenderProblem {
  argument: string;
  value: unknown;
  problem: string;
  fix: string;
}

export function validateEmail(fail: ArgFailure, email: UserAuthEmail, poolRegion: string | undefined): void {
  const address = fromAddress(email.from ?? "");
  if (!address) fail("email.from", email.from, "is not an email address", 'Use an address of the SES identity, e.g. "no-reply@gallery.example.com" or "Gallery <no-reply@gallery.example.com>".');
  if (email.replyTo !== undefined && !EMAIL.test(email.replyTo)) fail("email.replyTo", email.replyTo, "is not an email address", 'Use e.g. "support@gallery.example.com", or leave it out to reply to the FROM address.');
  if (email.configurationSet !== undefined && !CONFIGURATION_SET.test(email.configurationSet)) {
    fail("email.configurationSet", email.configurationSet, "is not an SES configuration set name", "Use 1–64 letters, digits, hyphens and underscores, the name of a set in the identity's region.");
  }
  if (typeof email.sesIdentityArn !== "string") return; // An Output: checked once known (sourceArn below), with the same messages.
  const problem = sesSenderProblem(email.sesIdentityArn, email.from, poolRegion);
  if (problem) fail(problem.argument, problem.value, problem.problem, problem.fix);
}

/**
 * Cognito's `emailConfiguration` for the pool: SES (DEVELOPER) when a sender is given, else Cognito's built-in sender,
 * stated rather than left unset. The AWS provider ignores a removed `emailConfiguration`
 * block (terraform-provider-aws internal/service/cognitoidp/user_pool.go: `"email_configuration": {… DiffSuppressFunc:
 * verify.SuppressMissingOptionalConfigurationBlock}`, which is `return old == "1" && new == "0"`), and every later
 * UpdateUserPool sends the block still in the state. So a pool whose SES sender was removed by leaving the block out
 * would go on sending through SES, and break once that identity is deleted. COGNITO_DEFAULT is EmailConfigurationType's
 * "built-in email functionality" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html);
 * no field of the block forces a new pool, so switching either way is an UpdateUserPool. A new object each call: pools
 * share no mutable default.
 */
export function emailConfiguration(name: string, email: UserAuthEmail | undefined, poolRegion: pulumi.Output<string>): aws.types.input.cognito.UserPoolEmailConfiguration {
  if (!email) return { emailSendingAccount: "COGNITO_DEFAULT" };
  return {
    emailSendingAccount: "DEVELOPER",
    sourceArn: pulumi.all([email.sesIdentityArn, poolRegion]).apply(([arn, region]) => assertSesSender(name, arn, email.from, region)),
    fromEmailAddress: email.from,
    replyToEmailAddress: email.replyTo,
    configurationSet: email.configurationSet,
  };
}

/** Throws the construction-time message for an identity ARN or pool region only known at deploy time; returns the ARN. */
export function assertSesSender(name: string, sesIdentityArn: string, from: string, poolRegion: string): string {
  const problem = sesSenderProblem(sesIdentityArn, from, poolRegion);
  if (problem) throw new ComponentArgError("UserAuth", name, problem.argument, problem.value, problem.problem, problem.fix);
  return sesIdentityArn;
}

/** What Cognito (or SES) would reject about this identity, FROM address and pool region; undefined when it would send. */
function sesSenderProblem(arn: string, from: string, poolRegion: string | undefined): SenderProblem | undefined {
  const match = SES_IDENTITY_ARN.exec(arn);
  const identity = match?.[3] ?? "";
  if (!match || !(EMAIL.test(identity) || DOMAIN.test(identity))) {
    return {
      argument: "email.sesIdentityArn",
      value: arn,
      problem: "is not an SES identity ARN",
      fix: "Pass the ARN of a verified SES email address or domain, arn:aws:ses:<region>:<account>:identity/<email or domain> (SES console, Identities).",
    };
  }
  const sesRegion = match[1];
  if (poolRegion && sesRegion !== poolRegion && !SES_BACKWARDS_COMPATIBLE_REGIONS.includes(sesRegion)) {
    const allowed = [poolRegion, ...SES_BACKWARDS_COMPATIBLE_REGIONS.filter((r) => r !== poolRegion)];
    return {
      argument: "email.sesIdentityArn",
      value: arn,
      problem: `is in ${sesRegion}, but a user pool in ${poolRegion} can send only through SES in ${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}`,
      fix: `Verify the identity in ${poolRegion} (or one of the others) and pass that ARN.`,
    };
  }
  const address = fromAddress(from);
  // An email identity sends only as itself; a domain identity sends as any address on the domain or its subdomains.
  // https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html
  const domain = address?.split("@")[1]?.toLowerCase() ?? "";
  const owned = identity.includes("@")
    ? address?.toLowerCase() === identity.toLowerCase()
    : domain === identity.toLowerCase() || domain.endsWith(`.${identity.toLowerCase()}`);
  if (address && !owned) {
    return {
      argument: "email.from",
      value: from,
      problem: `is not an address of the SES identity ${identity}, so SES would refuse to send as it`,
      fix: identity.includes("@") ? `Use "${identity}" (optionally with a display name).` : `Use an address @${identity}, e.g. "no-reply@${identity}".`,
    };
  }
  return undefined;
}

/** The address in `a@b.c` or `Display Name <a@b.c>`; undefined when there is none. */
function fromAddress(from: string): string | undefined {
  const bracketed = /<([^<>]+)>\s*$/.exec(from);
  const address = (bracketed ? bracketed[1] : from).trim();
  return EMAIL.test(address) ? address : undefined;
}
