import { asArray, ofType, readablePolicyDocument } from "../../local/offline/graph";
import { arnPatternKeepsAccount, conditionOperator } from "../../components/iam-match";
import { finding, type SecurityRule } from "./rule";

/** The global keys that name whom a service acts for (lower case: IAM reads condition keys case-insensitively). */
const SOURCE_KEYS: ReadonlySet<string> = new Set(["aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid"]);

/**
 * Whether a statement's Condition limits a service principal to its source: a key aws:SourceArn, aws:SourceAccount or
 * aws:SourceOrgID under a String or ARN operator that matches (StringEquals, StringLike, ArnEquals, ArnLike…: IAM's
 * operators as components/iam-match.ts conditionOperator reads them), with a value that names a source (namesSource).
 * A negated operator (StringNotEquals, ArnNotLike), Null, an `…IfExists` form (it holds when the service sends no such
 * key) or a ForAnyValue:/ForAllValues: set operator does not count: none of them keeps out a request made for another
 * account's resource.
 */
export function limitsToSource(condition: unknown): boolean {
  return Object.entries((condition ?? {}) as Record<string, Record<string, unknown>>).some(([operator, block]) => {
    const compare = conditionOperator(operator);
    if (!compare || compare.negated) return false;
    // `*` and `?` are wildcards only where the operator reads them: the Like ones, and the Arn ones (ArnEquals "behaves
    // identically" to ArnLike); StringEquals compares them as characters.
    const wildcards = operator.startsWith("Arn") || operator.endsWith("Like");
    return Object.entries(block ?? {}).some(([key, values]) => SOURCE_KEYS.has(key.toLowerCase()) && asArray<unknown>(values).some((v) => typeof v === "string" && namesSource(key.toLowerCase(), v, wildcards)));
  });
}

/**
 * Whether one condition value keeps out other accounts' sources. Without wildcards any value does. With them, an
 * account or organization id must hold none (`12345678901?` is ten accounts), and an ARN none in its account component
 * (`arn:aws:events:us-east-1:*:rule/x` is a rule of that name in any account); an ARN without an account (an S3
 * bucket's, whose name is global) must name something beyond wildcards, and a value of fewer than six components must
 * hold no `*`, which StringLike lets run over the colons, account included.
 */
function namesSource(key: string, value: string, wildcards: boolean): boolean {
  if (value === "") return false;
  if (!wildcards) return true;
  return key === "aws:sourcearn" ? arnPatternKeepsAccount(value) : !/[*?]/.test(value);
}

const CARRIERS = ["aws:sns/topicPolicy:TopicPolicy", "aws:sns/topic:Topic", "aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/queue:Queue"];

/** What each service sends on behalf of, for the fix's aws:SourceArn; any other service: "the resource it acts for". */
const SOURCES: Record<string, string> = {
  "events.amazonaws.com": "the EventBridge rule's ARN, e.g. an EventBus's rulesArn",
  "s3.amazonaws.com": "the bucket's ARN",
  "sns.amazonaws.com": "the topic's ARN",
  "cloudwatch.amazonaws.com": "the alarm's ARN",
};

/**
 * ServicePrincipalSource: an SNS topic's or SQS queue's access policy (an aws.sns.TopicPolicy or aws.sqs.QueuePolicy,
 * or the topic's or queue's own `policy`) lets an AWS service principal in only for its source: each Allow statement
 * naming a `Principal.Service` carries aws:SourceArn, aws:SourceAccount or aws:SourceOrgID that names its source
 * (limitsToSource). Without one, the service acts for any account: another account's EventBridge rule, bucket or topic
 * that names this topic or queue as its target gets its messages delivered, the cross-service confused deputy
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). The SQS Developer Guide's "Access management
 * for encrypted Amazon SQS queues with least privilege policies" conditions its SNS statement on
 * `"ArnLike": { "aws:SourceArn": "<SNS topic ARN>" }`, and its policies "use the aws:SourceArn, aws:SourceAccount, and
 * aws:PrincipalOrgID global IAM condition context keys. This limits the permissions that a service has to a specific
 * resource, a specific account, or a specific organization";
 * EventBridge's condition-key table lists aws:SourceArn (the ARN of the rule that sent the event) and
 * aws:SourceAccount (the account of that rule) (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html). A Deny elsewhere in the policy
 * (ArnNotLike aws:SourceArn) is not read: the condition belongs on the Allow, where the rule looks for it.
 */
export const SERVICE_PRINCIPAL_SOURCE: SecurityRule = {
  id: "ServicePrincipalSource",
  title: "SNS topic and SQS queue policies let AWS services in only for their source (aws:SourceArn, aws:SourceAccount or aws:SourceOrgID)",
  check(graph) {
    return CARRIERS.flatMap((type) => ofType(graph, type)).flatMap((carrier) =>
      (readablePolicyDocument(carrier.inputs.policy)?.Statement ?? []).flatMap((statement, index) => {
        const services = asArray<unknown>(statement.Principal?.Service).filter((s): s is string => typeof s === "string");
        if ((statement.Effect ?? "Allow") !== "Allow" || services.length === 0 || limitsToSource(statement.Condition)) return [];
        const name = statement.Sid ? `"${statement.Sid}"` : `#${index + 1}`;
        const actions = asArray<unknown>(statement.Action ?? statement.NotAction).join(", ") || "(no Action)";
        const source = services.map((s) => SOURCES[s] ?? "the ARN of the resource it acts for").filter((s, i, all) => all.indexOf(s) === i).join(" or ");
        return [
          finding(
            "ServicePrincipalSource",
            carrier,
            `statement ${name} allows ${services.join(", ")} ${actions} with no aws:SourceArn, aws:SourceAccount or aws:SourceOrgID condition that names a source, so the service acts for any account (another account's rule, bucket or topic naming this one as its target gets in: confused deputy); add aws:SourceArn (${source}) under ArnEquals or ArnLike, or aws:SourceAccount (your account id) under StringEquals, to that statement's Condition`,
          ),
        ];
      }),
    );
  },
};
