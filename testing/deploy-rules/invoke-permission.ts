/**
 * How the deploy rules find the Lambda permission under which an AWS service (SNS for a topic, EventBridge for a rule)
 * invokes a function on behalf of one source. Internal to the rule pack: not exported from serverless-fullstack/testing.
 */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { arnLike } from "../../components/iam-match";

const PERMISSION = "aws:lambda/permission:Permission";

/**
 * The aws.lambda.Permission resources that let `service` lambda:InvokeFunction (or lambda:*) `fn` — named by
 * `endpoint` (what the subscription or target gives), its name or its ARN — on behalf of `sourceArn`: a permission
 * without a sourceArn, or one whose sourceArn matches it with * and ? wildcards (AddPermission's SourceArn takes
 * them: pulumi-aws's aws.lambda.Permission example grants API Gateway `${executionArn}/*`) as ArnLike does, the
 * condition Lambda writes it into (`"Condition":{"ArnLike":{"AWS:SourceArn":…}}` in AddPermission's answer,
 * awsdocs/aws-lambda-developer-guide with-sns-example.md); any, when the source is not known. `awaited`: whether `dependent` (the subscription, the target) depends on one of them.
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
      ["lambda:InvokeFunction", "lambda:*"].includes(p.inputs.action) &&
      names.includes(p.inputs.function) &&
      (p.inputs.sourceArn === undefined || sourceArn === undefined || arnLike(String(p.inputs.sourceArn), String(sourceArn))),
  );
  const before = permissions.length > 0 ? dependencyClosure(graph, dependent) : new Set<string>();
  return { permissions, awaited: permissions.some((p) => before.has(p.urn)) };
}
