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
 *
 * The same of a method response (`aws.apigateway.MethodResponse`) and an integration response
 * (`aws.apigateway.IntegrationResponse`), which API Gateway knows by the method's key and a status code, and which
 * pulumi-aws replaces create-first too (resource_overrides.go gives neither DeleteBeforeReplace). rest_api_id,
 * resource_id and http_method are their ForceNew inputs, status_code is not (terraform-provider-aws
 * apigateway/method_response.go at 552c04685ba292dfddee527549fd43a1fd5db195 and 0657871b7b47a26226bc031abac2e998ead1b088,
 * integration_response.go at bbb4af8736c1da565708c36f6eceda54a1062731), so a replacement on the same key comes, as a
 * method's, from replaceOnChanges, a replaceWith or `--replace`. What the new copy's create does:
 * - a method response's is a PutMethodResponse, retried for two minutes on ConflictException (method_response.go
 *   resourceMethodResponseCreate), which API Gateway answers while the status code has a response: "ConflictException:
 *   Response already exists for this resource" (observed, not in AWS's documentation: hashicorp/terraform#11395's
 *   "Error creating API Gateway Method Response: ConflictException: Response already exists for this resource"; deploy
 *   scripts that re-run put-method-response pass over that message as "already there"). The update fails there.
 * - an integration response's is a PutIntegrationResponse, the call the provider also updates an existing one with
 *   (integration_response.go: `CreateWithoutTimeout` and `UpdateWithoutTimeout` are both resourceIntegrationResponsePut),
 *   so it overwrites the deployed response and succeeds; then, at the end of the update, the old copy's
 *   DeleteIntegrationResponse names the same method and status code (no copy has an id of its own) and removes the
 *   response the new copy put. The update succeeds, the state holds a response API Gateway no longer has, and the next
 *   deployment of the API snapshots the method without it: a non-proxy integration without a matching integration
 *   response answers 500 (components/serverless-api/routes.ts). Inferred from the provider's code, not observed.
 * A method response put on a method replaced delete-first (DeleteMethod is expected to take its responses) meets no
 * conflict, and is lost to its old copy's delete alike (inferred). Left out: a part deleted first (judgement.deletedFirst),
 * which includes one whose ForceNew input's property dependencies name a method the update replaces delete-first (the
 * engine deletes such dependents before the method, step_generator.go calculateDependentReplacements; transition.ts
 * cascadeOrder, CascadeOrder.early).
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding as deployFinding } from "./rule";
import type { TransitionFinding } from "./transition";
import { METHOD, methodIdentities, type RestPartJudgement } from "./transition-rest-deployment";

export const TRANSITION_REST_METHOD_REPLACED_RULE = {
  id: "TransitionRestMethodReplacedCreateFirst",
  title: "A REST API method, method response or integration response replaced on its own key (resource, HTTP method, status code) is replaced delete-first",
  source: "https://github.com/aws/aws-cli/issues/3992",
} as const;

/** A part's key as API Gateway knows it (methodIdentities' answer, a response's with its status code appended). */
type PartIdentity = NonNullable<ReturnType<ReturnType<typeof methodIdentities>>>;

/**
 * The parts of the `types` both plans hold that the update replaces create-first on the key their deployed copy holds
 * (`keyOf` over each plan's methodIdentities), on a REST API and Resource the update keeps, each with the part as the
 * engine diffs it (an ignoreChanges on httpMethod, resourceId or statusCode keeps the deployed value). The one reading
 * of such a replacement, for methods and responses alike.
 */
function replacedCreateFirstOnOwnKey(
  deployed: Graph,
  after: Graph,
  types: readonly string[],
  judgement: RestPartJudgement,
  keyOf: (identities: ReturnType<typeof methodIdentities>, part: RecordedResource) => PartIdentity | undefined,
): Array<{ part: RecordedResource; diffed: RecordedResource }> {
  const deployedParts = new Map(types.flatMap((type) => ofType(deployed, type)).map((r) => [r.urn, r]));
  if (deployedParts.size === 0) return [];
  const before = methodIdentities(deployed);
  const next = methodIdentities(after);
  const parts: Array<{ part: RecordedResource; diffed: RecordedResource }> = [];
  for (const part of types.flatMap((type) => ofType(after, type))) {
    const old = deployedParts.get(part.urn);
    if (!old || !judgement.replaced(part.urn)) continue;
    if (judgement.deletedFirst(part)) continue;
    const diffed = judgement.diffed(part);
    const [held, now] = [keyOf(before, old), keyOf(next, diffed)];
    if (!held || !now || held.key !== now.key) continue;
    if (judgement.replaced(now.api) || (now.resource !== undefined && judgement.replaced(now.resource))) continue;
    parts.push({ part, diffed });
  }
  return parts;
}

/** Each method both plans hold that the update replaces create-first on the key its deployed copy holds. */
export function restMethodReplacedFindings(deployed: Graph, after: Graph, stack: string | undefined, judgement: RestPartJudgement): TransitionFinding[] {
  const findings: TransitionFinding[] = [];
  for (const { part: method, diffed } of replacedCreateFirstOnOwnKey(deployed, after, [METHOD], judgement, (identities, m) => identities(m))) {
    const route = `${diffed.inputs.httpMethod} on resource ${diffed.inputs.resourceId}`;
    findings.push({
      ...deployFinding(
        TRANSITION_REST_METHOD_REPLACED_RULE.id,
        method,
        `is replaced (replaceOnChanges, or a replaceWith or reference naming a replaced resource) on the same REST API, resource and HTTP method (${route}), create-first: neither it nor pulumi-aws asks for deleteBeforeReplace (the provider does for aws.apigateway.Integration only). The new copy's create is a PutMethod, which API Gateway refuses while the deployed copy still holds the method ("ConflictException: Method already exists for this resource", aws/aws-cli#3992), so the update fails at that create, and so does every later one`,
        `set deleteBeforeReplace: true on ${method.name}, so the deployed method is deleted before the new one is put (the stages keep serving their deployment meanwhile); DeleteMethod is expected to take the method's integration and responses with it (inferred from API Gateway's resource model, not confirmed), so give ${method.name}'s Integration, MethodResponses and IntegrationResponses replaceWith: [${method.name}] and deleteBeforeReplace: true as well (a response replaced create-first after DeleteMethod took its old copy is removed again by that copy's delete at the end of the update). Keep the method's outputs out of a Deployment's triggers (order the deployment with dependsOn): the engine first deletes every resource a ForceNew input of which depends on a resource it replaces delete-first (calculateDependentReplacements), and API Gateway refuses to delete a deployment a stage serves (ServerlessApi's trigger names no part for this reason, snapshot.ts). Or stop replacing the method (drop the replaceOnChanges or replaceWith that replaces it)`,
        stack,
      ),
      urn: method.urn,
    });
  }
  return findings;
}

export const METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse";
export const INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse";

/** What the new copy of each response type does on its deployed copy's key, and what follows (see the module's comment). */
const RESPONSE_OUTCOMES: Readonly<Record<string, string>> = {
  [METHOD_RESPONSE]:
    'The new copy\'s create is a PutMethodResponse, which API Gateway refuses while the deployed copy still holds the status code ("ConflictException: Response already exists for this resource", hashicorp/terraform#11395; the provider retries it for two minutes), so the update fails at that create, and so does every later one; where DeleteMethod has already taken the old copy (the method replaced delete-first), the put succeeds and the old copy\'s DeleteMethodResponse at the end of the update removes it again',
  [INTEGRATION_RESPONSE]:
    "The new copy's create is a PutIntegrationResponse, the call the provider also updates a response with (integration_response.go), so it overwrites the deployed response; at the end of the update the old copy's DeleteIntegrationResponse, by the same method and status code, removes it: the update succeeds, Pulumi's state keeps a response API Gateway no longer has, and the API's next deployment answers that status's calls with 500 (a non-proxy integration without a matching integration response)",
};

/**
 * Each method or integration response both plans hold that the update replaces create-first on the key its deployed copy
 * holds (its method's key, methodIdentities, and its statusCode).
 */
export function restResponseReplacedFindings(deployed: Graph, after: Graph, stack: string | undefined, judgement: RestPartJudgement): TransitionFinding[] {
  const keyOf = (identities: ReturnType<typeof methodIdentities>, response: RecordedResource) => {
    const identity = identities(response);
    const { statusCode } = response.inputs;
    return identity && typeof statusCode === "string" ? { ...identity, key: `${identity.key} ${statusCode}` } : undefined;
  };
  const findings: TransitionFinding[] = [];
  for (const { part: response, diffed } of replacedCreateFirstOnOwnKey(deployed, after, Object.keys(RESPONSE_OUTCOMES), judgement, keyOf)) {
    findings.push({
      ...deployFinding(
        TRANSITION_REST_METHOD_REPLACED_RULE.id,
        response,
        `is replaced (replaceOnChanges, or a replaceWith naming a replaced resource) on the same REST API, resource, HTTP method and status code (${diffed.inputs.httpMethod} on resource ${diffed.inputs.resourceId}, ${diffed.inputs.statusCode}), create-first: neither it nor pulumi-aws asks for deleteBeforeReplace. ${RESPONSE_OUTCOMES[response.type]}`,
        `set deleteBeforeReplace: true on ${response.name}, so the deployed copy is deleted before the new one is put (the stages keep serving their deployment meanwhile); or stop replacing it (drop the replaceOnChanges or replaceWith that replaces it)`,
        stack,
      ),
      urn: response.urn,
    });
  }
  return findings;
}
