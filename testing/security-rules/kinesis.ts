import { asArray, ofType } from "../../local/offline/graph";
import { allowStatements, finding, type Finding, type SecurityRule } from "./rule";

/**
 * KDS1 (cdk-nag AwsSolutions-KDS1): Kinesis data streams encrypt at rest: `encryptionType` KMS with a key (the AWS
 * managed `alias/aws/kinesis` or a customer key). Records are users' events; unencrypted, they sit in the shards for the
 * whole retention period. (cdk-nag's KDS3, a customer key rather than `aws/kinesis`, is not asked: DataStream takes one
 * as `kmsKeyArn` when a key policy must limit who reads.)
 */
export const KDS1: SecurityRule = {
  id: "KDS1",
  title: "Kinesis data streams encrypt at rest with KMS",
  check(graph) {
    return ofType(graph, "aws:kinesis/stream:Stream")
      .filter((stream) => String(stream.inputs.encryptionType ?? "NONE").toUpperCase() !== "KMS" || !stream.inputs.kmsKeyId)
      .map((stream) => finding("KDS1", stream, "stores records unencrypted (encryptionType is not KMS with a kmsKeyId)"));
  },
};

/**
 * KinesisLeastPrivilege: a role's Kinesis grants name the streams and consumers they act on: no `*` in a Resource of a
 * statement that allows a kinesis: action (`arn:aws:kinesis:…:stream/*` reads or writes every stream of the account),
 * as DataStream's grants (`grants.put()`, a subscription's reads) name the one stream. IAM5 already refuses wildcard
 * actions and the bare `*` resource for every service.
 */
export const KINESIS_LEAST_PRIVILEGE: SecurityRule = {
  id: "KinesisLeastPrivilege",
  title: "Kinesis grants name their streams and consumers",
  check(graph) {
    const findings: Finding[] = [];
    for (const { carrier, statement } of allowStatements(graph)) {
      const kinesis = asArray<string>(statement.Action).filter((action) => action.toLowerCase().startsWith("kinesis:"));
      const wide = asArray<string>(statement.Resource).filter((resource) => resource.includes("*"));
      if (kinesis.length > 0 && wide.length > 0) findings.push(finding("KinesisLeastPrivilege", carrier, `allows ${kinesis.join(", ")} on ${wide.join(", ")}, not on the streams it uses`));
    }
    return findings;
  },
};
