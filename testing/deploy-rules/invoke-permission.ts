/**
 * How the deploy rules find the Lambda permission under which an AWS service (SNS for a topic, EventBridge for a rule)
 * invokes a function on behalf of one source. Internal to the rule pack: not exported from serverless-fullstack/testing.
 */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { actionMatches, arnLike } from "../../components/iam-match";

const PERMISSION = "aws:lambda/permission:Permission";

/**
 * The aws.lambda.Permission resources that let `service` invoke `fn` — an action covering lambda:InvokeFunction as IAM
 * matches actions (components/iam-match.ts actionMatches: `lambda:InvokeFunction`, `lambda:*`, `*`, any case; what
 * AddPermission's Action takes, `(lambda:[*]|lambda:[a-zA-Z]+|[*])`), on the function named by `endpoint` (what the
 * subscription or target gives), its name or its ARN — on behalf of `sourceArn`: a permission without a sourceArn, or
 * one whose sourceArn matches it, wildcards included (pulumi-aws's aws.lambda.Permission example grants API Gateway
 * `${executionArn}/*`); any, when the source is not known.
 *
 * AddPermission's SourceArn: "Note that Lambda configures the comparison using the StringLike operator", and its
 * pattern `^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$`
 * (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html; the stored statement shows the condition as
 * `"ArnLike":{"AWS:SourceArn":…}`, access-control-resource-based.html, and terraform-provider-aws reads it back from
 * there). The pattern leaves no room for a wildcard outside the resource part: the first five components are literal,
 * so StringLike and ArnLike give the same answer for every SourceArn Lambda takes, and arnLike is that answer.
 * A SourceArn outside the pattern never reaches a policy: LambdaPermissionSourceArn reports it.
 * `awaited`: whether `dependent` (the subscription, the target) depends on one of them.
 */
export function serviceInvokePermissions(
  graph: Graph,
  dependent: RecordedResource,
  fn: RecordedResource,
  endpoint: unknown,
  service: string,
  sourceArn: unknown,
): { permissions: RecordedResource[]; awaited: boolean } {
  const names = [endpoint, fn.state.name, fn.state.arn].filter(Boolean);
  const permissions = ofType(graph, PERMISSION).filter(
    (p) =>
      p.inputs.principal === service &&
      actionMatches(String(p.inputs.action), "lambda:InvokeFunction") &&
      names.includes(p.inputs.function) &&
      (p.inputs.sourceArn === undefined || sourceArn === undefined || arnLike(String(p.inputs.sourceArn), String(sourceArn))),
  );
  const before = permissions.length > 0 ? dependencyClosure(graph, dependent) : new Set<string>();
  return { permissions, awaited: permissions.some((p) => before.has(p.urn)) };
}
