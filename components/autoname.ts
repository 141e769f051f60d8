/**
 * How Pulumi names a resource that is not given a name: its logical (Pulumi) name, a `-`, and 7 random lowercase hex
 * characters (pulumi-terraform-bridge `AutoName`: Separator "-", Randlen 7; pulumi/pulumi `resource.NewUniqueName`).
 * Components that derive resource names from their own name check them against the service's limit with this.
 */
import type { ArgFailure } from "./errors";

export const AUTONAME_RANDOM_LENGTH = 7;
/** What an autoname adds to the logical name: `-` and the random characters. */
export const AUTONAME_SUFFIX_LENGTH = 1 + AUTONAME_RANDOM_LENGTH;

/** S3's general purpose bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
export const S3_BUCKET_NAME_LENGTH = 63;
/** IAM role names: 1–64 of letters, digits and `_+=,.@-` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
export const IAM_ROLE_NAME_LENGTH = 64;
const IAM_ROLE_NAME = /^[\w+=,.@-]+$/;

/** Why S3 refuses `name` for a general purpose bucket, or undefined when it accepts it. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > S3_BUCKET_NAME_LENGTH) return `is ${name.length} characters long; bucket names are 3–63`;
  if (!/^[a-z0-9.-]+$/.test(name)) return "has characters other than lowercase letters, digits, periods and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "does not begin and end with a letter or digit";
  if (name.includes("..")) return "has two adjacent periods";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "is formatted as an IP address";
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) if (name.startsWith(prefix)) return `starts with the reserved prefix ${prefix}`;
  for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) if (name.endsWith(suffix)) return `ends with the reserved suffix ${suffix}`;
  return undefined;
}

/** A resource a component lets Pulumi name: its logical name, which starts with the component's name. */
export interface AutonamedResource {
  resource: string;
  kind: "bucket" | "role";
}

/**
 * Refuses a component name that makes a resource's autoname impossible: over pulumi-aws's maximum (S3's 63, IAM's 64;
 * `pulumi preview` fails) or refused by the service (`pulumi up` fails). pulumi-aws lower-cases a bucket's autoname.
 */
export function validateAutonames(fail: ArgFailure, componentName: string, resources: readonly AutonamedResource[]): void {
  for (const { resource, kind } of resources) {
    const base = kind === "bucket" ? resource.toLowerCase() : resource;
    const [what, service, maxLength] = kind === "bucket" ? ["bucket", "S3", S3_BUCKET_NAME_LENGTH] : ["IAM role", "IAM", IAM_ROLE_NAME_LENGTH];
    const autoname = `${base}-<random suffix>`;
    const length = base.length + AUTONAME_SUFFIX_LENGTH;
    if (length > maxLength) {
      fail("name", componentName, `makes the ${what} name "${autoname}" ${length} characters, over ${service}'s ${maxLength}`, `Use a component name of at most ${componentName.length - (length - maxLength)} characters.`);
    }
    // The random part is lowercase hex: a stand-in of the same kind shows what the service makes of the whole name.
    const whole = `${base}-${"0".repeat(AUTONAME_RANDOM_LENGTH)}`;
    const problem = kind === "bucket" ? bucketNameProblem(whole) : IAM_ROLE_NAME.test(whole) ? undefined : "it has characters other than letters, digits and _+=,.@-";
    if (problem) {
      fail("name", componentName, `makes the ${what} name "${autoname}", which ${service} refuses: ${problem.replace(/^(is|has|starts|ends|does)\b/, "it $1")}`, kind === "bucket" ? "Use a component name of letters, digits, periods and hyphens." : "Use a component name of letters, digits and _+=,.@-.");
    }
  }
}
