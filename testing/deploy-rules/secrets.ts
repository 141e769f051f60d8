/** Secrets Manager deploy rules: replicas (and the KMS replica keys that encrypt them) in other regions than their primary; description length. */
import { SECRET_DESCRIPTION_LENGTH } from "../../components/stack-secret";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { textLengthFindings } from "./names";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";

const SECRET = "aws:secretsmanager/secret:Secret";
const KEY = "aws:kms/key:Key";
const REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey";

/** The region of a replica key's primary: the primary in the graph, else the region of its ARN. */
function primaryRegion(graph: Graph, replica: RecordedResource, context: DeployRuleContext): { region?: string; primary?: RecordedResource } {
  const primary = referenced(graph, KEY, replica.inputs.primaryKeyArn);
  if (primary) return { region: regionOf(graph, primary, context), primary };
  return { region: typeof replica.inputs.primaryKeyArn === "string" ? arnRegion(replica.inputs.primaryKeyArn) : undefined };
}

/**
 * A replica lives in another region than its primary. KMS ReplicateKey: "The replica must be in a different Amazon Web
 * Services Region than its primary key and other replicas of that primary key". A replica secret's ARN "is the same as
 * the primary secret except for the Region"
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html); CreateSecret
 * is reported to answer "Invalid replica region." for the primary's own region
 * (https://github.com/aws-samples/aws-health-aware/pull/32). StackSecret refuses both at construction.
 */
export const SECRET_REPLICA_REGION: DeployRule = {
  id: "SecretReplicaRegion",
  title: "Secret replicas and KMS replica keys are in other regions than their primary",
  source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const secret of ofType(graph, SECRET)) {
      const home = regionOf(graph, secret, context);
      for (const replica of (secret.inputs.replicas ?? []) as Array<Record<string, any>>) {
        if (replica.region !== home) continue;
        findings.push(
          finding("SecretReplicaRegion", secret, `is in ${home} and lists a replica in ${home}, its own region: Secrets Manager refuses the replica ("Invalid replica region.")`, `list only other regions in replicas (StackSecret: replicaRegions other than ${home})`),
        );
      }
    }
    for (const replica of ofType(graph, REPLICA_KEY)) {
      const { region, primary } = primaryRegion(graph, replica, context);
      const at = regionOf(graph, replica, context);
      if (region === undefined || at !== region) continue;
      findings.push(
        finding(
          "SecretReplicaRegion",
          replica,
          `replicates primary key ${primary?.name ?? replica.inputs.primaryKeyArn} into ${at}, the primary's own region: a replica key must be in a different region than its primary`,
          "create the replica key in another region, or use the primary key there",
        ),
      );
    }
    return findings;
  },
};

/**
 * CreateSecret's Description: "Length Constraints: Maximum length of 2048"
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html; the service model's
 * `"DescriptionType":{"type":"string","max":2048}`, boto/botocore botocore/data/secretsmanager/2017-10-17/service-2.json).
 * The provider does not check it, so a longer description passes `pulumi preview` and fails at `pulumi up`.
 * StackSecret refuses one at construction (SECRET_DESCRIPTION_LENGTH); this rule covers any program's secrets.
 */
export const SECRET_DESCRIPTION: DeployRule = {
  id: "SecretDescription",
  title: "Secrets Manager secrets have a description of at most 2048 characters",
  source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
  check(graph) {
    return textLengthFindings(graph, "SecretDescription", {
      type: SECRET,
      property: "description",
      what: "a secret description",
      call: "CreateSecret",
      maxLength: SECRET_DESCRIPTION_LENGTH,
      source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
    });
  },
};

export const SECRET_RULES: DeployRule[] = [SECRET_REPLICA_REGION, SECRET_DESCRIPTION];
