/**
 * Cognito's password rules: the normalised policy (never weaker than cdk-nag COG1) and the
 * check Cognito applies, shared by the component (the local demo user's password) and the
 * local emulator (which enforces the policy cognito-local only stores).
 */
import type { UserAuthPasswordPolicy } from "./spec";

/** cdk-nag COG1's floor. */
export const MIN_PASSWORD_LENGTH = 8;

/** Characters Cognito counts as symbols (plus a space that is neither leading nor trailing). */
const SYMBOLS = new Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-".split(""));

/** What Cognito would say about `password` under `policy` (empty when it conforms). */
export function passwordProblems(policy: Required<UserAuthPasswordPolicy>, password: string): string[] {
  const problems: string[] = [];
  if (password.length < policy.minimumLength) problems.push("Password not long enough");
  if (policy.requireUppercase && !/[A-Z]/.test(password)) problems.push("Password must have uppercase characters");
  if (policy.requireLowercase && !/[a-z]/.test(password)) problems.push("Password must have lowercase characters");
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push("Password must have numeric characters");
  const inner = password.slice(1, -1);
  if (policy.requireSymbols && ![...password].some((c) => SYMBOLS.has(c)) && !inner.includes(" ")) problems.push("Password must have symbol characters");
  return problems;
}

export function normalisePasswordPolicy(policy: UserAuthPasswordPolicy = {}): Required<UserAuthPasswordPolicy> {
  return {
    minimumLength: policy.minimumLength ?? 12,
    requireLowercase: policy.requireLowercase ?? true,
    requireUppercase: policy.requireUppercase ?? true,
    requireNumbers: policy.requireNumbers ?? true,
    requireSymbols: policy.requireSymbols ?? true,
    temporaryPasswordValidityDays: policy.temporaryPasswordValidityDays ?? 3,
  };
}

