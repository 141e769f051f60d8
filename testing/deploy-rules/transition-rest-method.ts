/**
 * TransitionRestMethodReplacedCreateFirst: a REST API method (`aws.apigateway.Method`) the update replaces on the same
 * REST API, resource and HTTP method (the three things API Gateway knows a method by: PutMethod's restApiId, resourceId
 * and httpMethod), without `deleteBeforeReplace`. Pulumi replaces create-first unless the resource or its provider asks
 * otherwise (https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/); pulumi-aws asks delete-first for
 * `aws_api_gateway_integration` only (`DeleteBeforeReplace: true` in provider/resource_overrides.go, read at
 * 015d343812852f40a045a28e7f6e04bca69548f3, pulumi/pulumi-aws#2089), not for `aws_api_gateway_method`. The new copy's
 * create is a PutMethod (terraform-provider-aws apigateway/method.go resourceMethodCreate, read at
 * 0657871b7b47a26226bc031abac2e998ead1b088, no retry), which API Gateway refuses while the deployed copy still holds
 * the method ("ConflictException: Method already exists for this resource", aws/aws-cli#3992, reproduced by AWS support;
 * pulumi/pulumi-aws#1085), so the update fails there, and every later one too.
 *
 * Only rest_api_id, resource_id and http_method are ForceNew (method.go), and a change of either is another key
 * (TransitionRestMethodMoved's), so a replacement under the same key comes from `replaceOnChanges` on another input, a
 * `replaceWith` naming a replaced resource (the cascade, replacements.ts), or the values a replaced resource draws anew.
 * A `pulumi up --replace <urn>` of a method fails alike; a plan cannot show it. Left out: a method on a REST API or
 * Resource the update replaces (the new copy goes on the new API or resource, which holds no method yet), a deployed
 * method whose identity the plan does not tell (a plan saved before methods kept their httpMethod and resourceId), and a
 * method with `deleteBeforeReplace: true`.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import { finding as deployFinding } from "./rule";
import type { TransitionFinding } from "./transition";
import { METHOD, methodIdentities, type RestPartJudgement } from "./transition-rest-deployment";

export const TRANSITION_REST_METHOD_REPLACED_RULE = {
  id: "TransitionRestMethodReplacedCreateFirst",
  title: "A REST API method replaced on the same resource and HTTP method is replaced delete-first",
  source: "https://github.com/aws/aws-cli/issues/3992",
} as const;

/** Each method both plans hold that the update replaces create-first on the key its deployed copy holds. */
export function restMethodReplacedFindings(deployed: Graph, after: Graph, stack: string | undefined, judgement: RestPartJudgement): TransitionFinding[] {
  const deployedMethods = new Map(ofType(deployed, METHOD).map((m) => [m.urn, m]));
  if (deployedMethods.size === 0) return [];
  const before = methodIdentities(deployed);
  const next = methodIdentities(after);
  const findings: TransitionFinding[] = [];
  for (const method of ofType(after, METHOD)) {
    const old = deployedMethods.get(method.urn);
    if (!old || !judgement.replaced(method.urn)) continue;
    // As the engine diffs it: an ignoreChanges on httpMethod or resourceId keeps the deployed value.
    const diffed = judgement.diffed(method);
    if (diffed.deleteBeforeReplace) continue;
    const [held, now] = [before(old), next(diffed)];
    if (!held || !now || held.key !== now.key) continue;
    if (judgement.replaced(now.api) || (now.resource !== undefined && judgement.replaced(now.resource))) continue;
    const route = `${diffed.inputs.httpMethod} on resource ${diffed.inputs.resourceId}`;
    findings.push({
      ...deployFinding(
        TRANSITION_REST_METHOD_REPLACED_RULE.id,
        method,
        `is replaced (replaceOnChanges, or a replaceWith or reference naming a replaced resource) on the same REST API, resource and HTTP method (${route}), create-first: neither it nor pulumi-aws asks for deleteBeforeReplace (the provider does for aws.apigateway.Integration only). The new copy's create is a PutMethod, which API Gateway refuses while the deployed copy still holds the method ("ConflictException: Method already exists for this resource", aws/aws-cli#3992), so the update fails at that create, and so does every later one`,
        `set deleteBeforeReplace: true on ${method.name}, so the deployed method is deleted before the new one is put (the stages keep serving their deployment meanwhile); DeleteMethod is expected to take the method's integration and responses with it (inferred from API Gateway's resource model, not confirmed), so give ${method.name}'s Integration, MethodResponses and IntegrationResponses replaceWith: [${method.name}] as well. Keep the method's outputs out of a Deployment's triggers (order the deployment with dependsOn): the engine first deletes every resource a ForceNew input of which depends on a resource it replaces delete-first (calculateDependentReplacements), and API Gateway refuses to delete a deployment a stage serves (ServerlessApi's trigger names no part for this reason, snapshot.ts). Or stop replacing the method (drop the replaceOnChanges or replaceWith that replaces it)`,
        stack,
      ),
      urn: method.urn,
    });
  }
  return findings;
}
