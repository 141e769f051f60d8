/**
 * A CloudWatch Logs log group encrypted with a KMS key of the plan whose policy is written by a separate
 * aws.kms.KeyPolicy, not by the key itself: the group must be created after that KeyPolicy.
 */
import { dependencyClosure } from "../../local/offline/graph";
import { policyWriters } from "../../local/resource-policies";
import { ENCRYPT_LOGS, KEY_POLICY, logGroupsOnPlanKeys, logsKeyMissing, logsPrincipal } from "./key-policy";
import { finding, regionOf, type DeployFinding, type DeployRule } from "./rule";

/**
 * CloudWatch Logs "must have permissions for the KMS key" of a log group, granted in the key policy to
 * `logs.<region>.amazonaws.com` (ENCRYPT_LOGS), and CreateLogGroup (or AssociateKmsKey) checks it when the group is
 * made: without the grant it answers "AccessDeniedException: The specified KMS key does not exist or is not allowed to
 * be used with Arn 'arn:aws:logs:…:log-group:…'" (reported in hashicorp/terraform-provider-aws#29282 and
 * aws/aws-cdk#28304). A key created without a `policy` has KMS's default key policy, which names only the account, until
 * its aws.kms.KeyPolicy (PutKeyPolicy) replaces it. The group's `kmsKeyId` comes from the key, so the engine orders the
 * group after the key, not after the KeyPolicy: in parallel, CreateLogGroup can run while the default policy is still in
 * force, and is refused. LogGroupKeyPolicy (cloudwatch.ts) judges the policy's content (the KeyPolicy's when the key has
 * none of its own, keyPolicyDocument); this rule judges the order, for a key whose own policy is absent and whose
 * KeyPolicy grants CloudWatch Logs (a policy that does not is LogGroupKeyPolicy's finding). The group passes when the
 * KeyPolicy is among its recorded dependencies or theirs, or its ancestors' (dependsOn on the group or on the
 * component that makes it, or an input taken from an Output of the KeyPolicy; dependencyClosure). **Not confirmed:** how long KMS takes to make a new key policy effective everywhere (KMS calls key-policy
 * changes eventually consistent); ordering is what the plan can require, and the provider retries the refusal briefly.
 */
export const LOG_GROUP_KEY_POLICY_ORDER: DeployRule = {
  id: "LogGroupKeyPolicyOrder",
  title: "A log group whose KMS key's policy is a separate aws.kms.KeyPolicy is created after that KeyPolicy",
  source: ENCRYPT_LOGS,
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const { group, key } of logGroupsOnPlanKeys(graph)) {
      const { own, attached } = policyWriters(graph, key, KEY_POLICY, "keyId");
      // The key's own policy is set by CreateKey, before the group (which takes the key's ARN) exists.
      if (own || attached.length === 0) continue;
      const region = regionOf(graph, group, context);
      if (logsKeyMissing(graph, key, region).length > 0) continue;
      // keyPolicyDocument judges the first KeyPolicy (two of them: KmsOneKeyPolicy's finding), so the group waits for that one.
      const policy = attached[0];
      if (dependencyClosure(graph, group).has(policy.urn)) continue;
      findings.push(
        finding(
          this.id,
          group,
          `is encrypted with ${key.name}, whose policy granting ${logsPrincipal(region)} is set by ${policy.name} (an aws.kms.KeyPolicy), but the group does not depend on ${policy.name}; the engine may create the group while the key still has KMS's default policy, and CreateLogGroup is refused ("The specified KMS key does not exist or is not allowed to be used with Arn …")`,
          `add dependsOn: [${policy.name}] to the LambdaFunction (or other component) that makes the log group, or to the log group itself; or pass the key ARN as an Output that waits for it (pulumi.all([key.arn, ${policy.name}.id]).apply(([arn]) => arn)); or give ${key.name} the policy itself (its \`policy\` input)`,
        ),
      );
    }
    return findings;
  },
};

export const LOG_GROUP_KEY_ORDER_RULES: DeployRule[] = [LOG_GROUP_KEY_POLICY_ORDER];
