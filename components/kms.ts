/**
 * A customer managed KMS key given to a component by ARN: one check of its form, at construction when the ARN is a
 * plain string and once known when it is an Output, with the component's own refusal.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";

/**
 * A KMS key's ARN, `arn:<partition>:kms:<region>:<account>:key/<key id>`: IAM names a key by its ARN (an alias or a
 * key id in a statement's Resource grants nothing on the key,
 * https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html).
 */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** What a component says of a key that is not a key's ARN: why it needs the ARN, and the fix. */
export interface KmsKeyRefusal {
  /** The argument's name, e.g. "kmsKeyId". */
  argument: string;
  problem: string;
  fix: string;
}

/** `key` when it is a KMS key's ARN; else the component's ComponentArgError. */
export function checkKmsKeyArn(fail: ArgFailure, key: unknown, refusal: KmsKeyRefusal): string {
  if (typeof key !== "string" || !KMS_KEY_ARN.test(key)) fail(refusal.argument, key, refusal.problem, refusal.fix);
  return key as string;
}

/**
 * The key as the component uses it: a value known now (a string, or from JavaScript a value of another type) checked
 * at construction, an Output or a Promise checked once known (a failing Output stops `pulumi up` at the resource that
 * takes it, before a grant names an alias IAM grants nothing on).
 */
export function checkedKmsKey(key: pulumi.Input<string> | undefined, check: (key: string) => string): pulumi.Input<string> | undefined {
  if (key === undefined) return undefined;
  if (pulumi.Output.isInstance(key) || key instanceof Promise) return pulumi.output(key).apply(check);
  return check(key as string);
}
