/**
 * The size of a resource policy as the size rules measure it. Kept out of testing/deploy-rules/index.ts (and so out of
 * serverless-fullstack/testing): the rules' internal measure, not a rule.
 */
/**
 * The UTF-8 bytes of a policy input (JSON text, or the object Pulumi serialises) as compact JSON, no white space outside
 * strings: the smallest form it can reach the service in, so a document over a service's size limit by this count is
 * over it however it is sent (terraform-provider-aws sends bucket policies so, structure.NormalizeJsonString). Undefined
 * when unset, empty, or text that is not JSON. For the resource policy size rules (SqsPolicyQuotas, S3BucketPolicySize, KmsKeyPolicySize).
 */
export function compactPolicyBytes(policy: unknown): number | undefined {
  if (policy === undefined || policy === null || policy === "") return undefined;
  try {
    return Buffer.byteLength(JSON.stringify(typeof policy === "string" ? JSON.parse(policy) : policy));
  } catch {
    return undefined;
  }
}
