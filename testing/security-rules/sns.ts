import { asArray, ofType, policyDocument } from "../../local/offline/graph";
import { finding, type SecurityRule } from "./rule";

const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

/**
 * SNS2 (cdk-nag AwsSolutions-SNS2): topics are encrypted at rest (`kmsMasterKeyId`: the AWS managed key alias/aws/sns
 * or a customer managed key), https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html.
 */
export const SNS2: SecurityRule = {
  id: "SNS2",
  title: "SNS topics encrypt at rest",
  check(graph) {
    return ofType(graph, TOPIC)
      .filter((topic) => !topic.inputs.kmsMasterKeyId)
      .map((topic) => finding("SNS2", topic, "stores messages unencrypted (no kmsMasterKeyId; use alias/aws/sns or a customer managed key)"));
  },
};

/**
 * SNS3 (cdk-nag AwsSolutions-SNS3): a topic policy the program writes (an aws.sns.TopicPolicy, or a topic's own
 * `policy`) denies everyone (`Principal` "*") Publish (or sns:* / *) on the topic when `aws:SecureTransport` is false,
 * the statement the CDK's Topic `enforceSSL` writes. A topic whose policy the program leaves alone keeps SNS's default
 * policy; an encrypted one takes HTTPS requests only anyway ("All requests to topics with SSE enabled must use HTTPS
 * and Signature Version 4", sns-server-side-encryption.html), which SNS2 requires.
 */
export const SNS3: SecurityRule = {
  id: "SNS3",
  title: "SNS topic policies require TLS",
  check(graph) {
    const written = [
      ...ofType(graph, TOPIC).filter((t) => t.inputs.policy).map((t) => ({ carrier: t, policy: t.inputs.policy, arn: t.state.arn })),
      ...ofType(graph, TOPIC_POLICY).map((p) => ({ carrier: p, policy: p.inputs.policy, arn: p.inputs.arn })),
    ];
    return written
      .filter(({ policy, arn }) => !policyDocument(policy).Statement.some((s) => deniesInsecurePublish(s, arn)))
      .map(({ carrier }) => finding("SNS3", carrier, "writes a topic policy that does not deny Publish without TLS (Deny, Principal *, sns:Publish on the topic, when aws:SecureTransport is false)"));
  },
};

function deniesInsecurePublish(statement: Record<string, any>, topicArn: unknown): boolean {
  const everyone = statement.Principal === "*" || asArray<string>(statement.Principal?.AWS).includes("*");
  const onTopic = asArray<string>(statement.Resource).some((resource) => resource === "*" || resource === topicArn);
  const publish = asArray<string>(statement.Action).some((action) => ["sns:publish", "sns:*", "*"].includes(action.toLowerCase()));
  return statement.Effect === "Deny" && everyone && onTopic && publish && String(statement.Condition?.Bool?.["aws:SecureTransport"]) === "false";
}
