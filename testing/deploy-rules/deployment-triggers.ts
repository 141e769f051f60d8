/**
 * ApiDeploymentTriggerReplacedFirst: a deployment (REST `aws.apigateway.Deployment`, WebSocket/HTTP
 * `aws.apigatewayv2.Deployment`) that a stage serves, with a ForceNew input whose property dependencies name a part the
 * engine replaces delete-first. When the engine replaces a resource delete-first, it first deletes every resource with
 * an input whose property dependencies name it and that the provider's Diff, given that input unknown, would replace
 * (pulumi pkg/resource/deploy/step_generator.go calculateDependentReplacements; `dependsOn` alone does not count). A
 * deployment's `triggers` are ForceNew, and a REST deployment's `variables` too (terraform-provider-aws
 * internal/service/apigateway/deployment.go and apigatewayv2/deployment.go), so the deployment is deleted before the
 * stage has moved off it: "Deleting a deployment will only succeed if there are no Stage resources associated with it"
 * (DeleteDeployment; BadRequestException "Active stages pointing to this deployment must be moved or deleted",
 * pulumi/pulumi-aws#5711), and the update fails. ServerlessApi and RealtimeApi keep their parts out of the trigger's
 * property dependencies (components/serverless-api/snapshot.ts withoutPropertyDependencies); this is for hand-built APIs.
 *
 * A part replaced delete-first: one whose recorded `deleteBeforeReplace` option is set, or, unless the program gave the
 * option as `false` (which the engine takes over the provider's answer), one of a type pulumi-aws always
 * replaces delete-first: `aws.apigateway.Integration` ("aws_api_gateway_integration": DeleteBeforeReplace: true,
 * pulumi/pulumi-aws provider/resource_overrides.go at 015d343812852f40a045a28e7f6e04bca69548f3; pulumi/pulumi-aws#2089),
 * the only API Gateway type there that does; or one whose `name` the program sets, of the API Gateway types whose `name`
 * is a pulumi-aws autoname field (NAMED_DELETE_FIRST). Left out: the API itself (`restApi`/`apiId`: its replacement
 * replaces the stages too, which the engine deletes before the deployment), and dependencies through another resource
 * (a route naming an integration: the route's `target` is not ForceNew, so it is not in the set).
 *
 * Under the stack's `pulumi:autonaming` set to `mode: verbatim`, `disabled` or a pattern with no random part, every
 * custom part is replaced delete-first, and so is the deployment itself when a ForceNew input it sets changes
 * (apiDeploymentTriggerReplacedFirst, made under the stack's naming by autonaming.ts rulesUnderAutonaming;
 * naming-delete-first.ts).
 */
import { explicitDeleteBeforeReplace, findOfType, identitiesOf, nameGiven, ofType, referencedResource, urnType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";
import type { ConfiguredNaming } from "./names";
import { namingDeletesFirst } from "./naming-delete-first";
import { DEPLOYMENT as REST_DEPLOYMENT, INTEGRATION as REST_INTEGRATION } from "./transition-rest-deployment";

const V2_DEPLOYMENT = "aws:apigatewayv2/deployment:Deployment";

/**
 * Each deployment type: its ForceNew inputs a part's output could feed, its stage type and the stage's deployment
 * input, and for REST the input of the deployment a stage's canary serves (`canarySettings.deploymentId`): a canary
 * holds its deployment as the stage does (stages.ts createDeployments moves a canary off a deployment before that
 * deployment is replaced), so a deployment only a canary serves is deleted first alike.
 */
const DEPLOYMENTS = [
  { type: REST_DEPLOYMENT, forceNew: ["triggers", "variables"], stage: "aws:apigateway/stage:Stage", field: "deployment", canary: "canarySettings" },
  { type: V2_DEPLOYMENT, forceNew: ["triggers"], stage: "aws:apigatewayv2/stage:Stage", field: "deploymentId", canary: undefined },
] as const;

/** Types pulumi-aws replaces delete-first whatever the program says (provider/resource_overrides.go DeleteBeforeReplace). */
const ALWAYS_DELETE_FIRST: Readonly<Record<string, string>> = {
  [REST_INTEGRATION]: "aws.apigateway.Integration, which pulumi-aws always replaces delete-first (provider/resource_overrides.go: DeleteBeforeReplace)",
};

/**
 * API Gateway types whose `name` input pulumi-aws autonames: every resource whose Terraform schema has an Optional or
 * Required `name` gets `tfbridge.AutoName("name", 255, "-")` unless its overrides give `name` a field of their own
 * (pulumi/pulumi-aws provider/autonaming.go setAutonaming, read at 0c5f6583ebfb37cbe0febc2edb51b44cfeac2b15); the API
 * Gateway overrides (provider/resource_overrides.go at 015d343812852f40a045a28e7f6e04bca69548f3) give none. Each is an
 * SDKv2 resource (terraform-provider-aws apigateway and apigatewayv2 service_package_gen.go), whose Diff the bridge
 * answers with `DeleteBeforeReplace: true` on a replacement it finds itself (`len(replaces) > 0`: a ForceNew input
 * changed; not one that replaceOnChanges alone makes, which the engine leaves create-first, step_generator.go
 * applyReplaceOnChanges keeping the provider's answer; nor one of replaceWith or `--replace`, which the engine makes
 * without asking the provider: transition.ts providerReplaces) when an autoname field holds a value the
 * autonamer did not put there (pulumi-terraform-bridge pkg/tfbridge/provider.go Diff, schema.go nameRequiresDeleteBeforeReplace, at
 * 59de6c661df1e7561e6ece7ad7f1c835c63010c4: "includes an autonameable property with a value that was not populated by
 * the autonamer"; pulumi/pulumi-terraform#465 "Set delete-before-replace for manually-named resources"); the Plugin
 * Framework bridge does not, and none of these is one. Which is exactly the API Gateway types with a `name` argument in
 * @pulumi/aws (tests/deploy-rules/deployment-triggers.test.ts reads the SDK's declarations), less the APIs themselves
 * (left out above). A recording's inputs are the program's own, so a `name` there was set by hand, and so was one
 * unknown at preview (an Output the program passes; an autonamed part has no `name` input at all: graph.ts nameGiven).
 *
 * An explicit `deleteBeforeReplace: false` overrides the provider's answer (pulumi step_generator.go: `if
 * goal.DeleteBeforeReplace != nil`), so such a part is replaced create-first (deleteFirst reads it:
 * explicitDeleteBeforeReplace). A plan recorded or saved before recordings kept whether the option was given reads as
 * not given: a part named by hand there with that option is reported as if it were unset.
 *
 * The one list of these types: the transition checks' API Gateway kinds take their autoname field from it
 * (transition.ts withApiGatewayAutonames).
 */
export const NAMED_DELETE_FIRST: ReadonlySet<string> = new Set([
  "aws:apigateway/apiKey:ApiKey",
  "aws:apigateway/authorizer:Authorizer",
  "aws:apigateway/model:Model",
  "aws:apigateway/requestValidator:RequestValidator",
  "aws:apigateway/usagePlan:UsagePlan",
  "aws:apigateway/vpcLink:VpcLink",
  "aws:apigatewayv2/authorizer:Authorizer",
  "aws:apigatewayv2/model:Model",
  "aws:apigatewayv2/stage:Stage",
  "aws:apigatewayv2/vpcLink:VpcLink",
]);

/** Why `r` is replaced delete-first on its own (its option, its type, its name), or undefined when it is not known to be. */
function deleteFirstOnItsOwn(r: RecordedResource): string | undefined {
  const option = explicitDeleteBeforeReplace(r);
  if (option === true) return "its deleteBeforeReplace option";
  // Given false, the option overrides the provider's delete-first (step_generator.go), the name's and the type's alike.
  if (option === false) return undefined;
  if (ALWAYS_DELETE_FIRST[r.type]) return ALWAYS_DELETE_FIRST[r.type];
  // A name unknown at preview is one the program gives (an Output), which the bridge reads as set by hand (nameGiven).
  if (NAMED_DELETE_FIRST.has(r.type) && nameGiven(r.inputs.name)) {
    const shown = typeof r.inputs.name === "string" ? `"${r.inputs.name}"` : "an Output not known at preview";
    return `its name set by hand (${shown}), which pulumi-aws otherwise autonames, so the bridge replaces it delete-first (pulumi-terraform-bridge nameRequiresDeleteBeforeReplace)`;
  }
  return undefined;
}

/**
 * The resource of the plan with this URN, by the plan's by-type look-up while the rule run holds it (findOfType: only
 * the resources of the URN's type are read), with no look-up of the rule's own.
 */
const resourceOfUrn = (graph: Graph, urn: string) => findOfType(graph, urnType(urn), (r) => r.urn === urn);

/**
 * Whether `stage`'s deployment input (`field`), or its canary's deploymentId (in input `canary`), names `deployment`: by
 * id, as a resource reference, or as its property dependency (the only sign while the id is unknown, at preview).
 */
function serves(graph: Graph, stage: RecordedResource, field: string, canary: string | undefined, deployment: RecordedResource): boolean {
  const names = (value: unknown) => identitiesOf(deployment).includes(value) || referencedResource(graph, value) === deployment;
  const canaryDeployment = canary ? (stage.inputs[canary] as { deploymentId?: unknown } | undefined)?.deploymentId : undefined;
  return (
    names(stage.inputs[field]) ||
    (canaryDeployment !== undefined && names(canaryDeployment)) ||
    [field, ...(canary ? [canary] : [])].some((input) => (stage.propertyDependencies?.[input] ?? []).includes(deployment.urn))
  );
}

/** How a finding words a resource the stack's `pulumi:autonaming` makes delete-first (here and in transition.ts's findings). */
export const namingDeleteFirstReason = (setting: string) => `${setting}, under which the engine replaces every custom resource delete-first`;

/** A ForceNew input the program sets (unknown at preview counts: it is set); an empty map is none (as unset). */
const inputSet = (value: unknown) => value !== undefined && value !== null && !(typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);

/**
 * ApiDeploymentTriggerReplacedFirst under the stack's `pulumi:autonaming` (`naming`, configuredNaming; undefined:
 * Pulumi's default). Under `mode: verbatim`, `disabled` or a pattern with no random part the engine replaces every
 * custom resource delete-first, over a `deleteBeforeReplace: false` the program gives (naming-delete-first.ts
 * namingDeletesFirst; "resources that need to be replaced will be deleted before creating the new resource",
 * https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming-configuration): a part a ForceNew input names is
 * then delete-first, and so is the deployment itself whenever a ForceNew input it sets (triggers, a REST deployment's
 * variables) changes: the engine deletes it before it creates the new one and before the stage moves to that one (the
 * stage's deployment input is not ForceNew, so calculateDependentReplacements does not take the stage first), and
 * DeleteDeployment is refused alike.
 */
export function apiDeploymentTriggerReplacedFirst(naming?: ConfiguredNaming): DeployRule {
  /** Why `r` is replaced delete-first, or undefined when it is not known to be. */
  const deleteFirst = (r: RecordedResource): string | undefined => {
    // The setting's deleteBeforeReplace is the goal's, over the program's false (naming-delete-first.ts: pulumi
    // step_generator.go continueStepsFromImport, lines 1277-1285 at 1b5949891b3cefcb9974752b24a5ecef0acc86c8).
    const setting = naming && namingDeletesFirst(naming, r);
    return setting ? namingDeleteFirstReason(setting) : deleteFirstOnItsOwn(r);
  };
  return {
    id: "ApiDeploymentTriggerReplacedFirst",
    title: "A deployment a stage serves has no ForceNew input depending on a part replaced delete-first",
    source: "https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDeployment.html",
    check(graph) {
      const findings: DeployFinding[] = [];
      for (const { type, forceNew, stage: stageType, field, canary } of DEPLOYMENTS) {
        const stages = ofType(graph, stageType);
        for (const deployment of ofType(graph, type)) {
          const servedBy = stages.filter((stage) => serves(graph, stage, field, canary, deployment));
          if (servedBy.length === 0) continue;
          const parts: string[] = [];
          // Types the stack's pulumi:autonaming makes delete-first here, for the fix.
          const namedTypes = new Set<string>();
          for (const input of forceNew) {
            for (const urn of new Set(deployment.propertyDependencies?.[input] ?? [])) {
              const part = resourceOfUrn(graph, urn);
              const why = part && deleteFirst(part);
              if (why) parts.push(`${part.name} (in ${input}; ${why})`);
              if (part && naming && namingDeletesFirst(naming, part)) namedTypes.add(part.type);
            }
          }
          // The deployment itself, replaced delete-first under the setting when an input it sets changes.
          const setInputs = forceNew.filter((input) => inputSet(deployment.inputs[input]));
          const itself = naming && setInputs.length > 0 ? namingDeletesFirst(naming, deployment) : undefined;
          if (itself) namedTypes.add(deployment.type);
          if (parts.length === 0 && !itself) continue;
          const stageNames = servedBy.map((s) => s.name).join(", ");
          const what = [
            ...(itself ? [`is itself replaced delete-first (${namingDeleteFirstReason(itself)}) whenever its ${setInputs.join(" or ")} change`] : []),
            ...(parts.length > 0 ? [`has ForceNew inputs whose property dependencies name parts replaced delete-first: ${parts.join(", ")}`] : []),
          ].join(", and ");
          const how = [
            ...(itself ? [`A replacement delete-first deletes the deployment before it creates the new one, so before ${stageNames} moves to that one (the stage's deployment input is not ForceNew, so the engine does not delete the stage first: pulumi step_generator.go calculateDependentReplacements)`] : []),
            ...(parts.length > 0 ? [`${itself ? "and when" : "When"} such a part is replaced, the engine first deletes every resource a ForceNew input of which depends on it (pulumi step_generator.go calculateDependentReplacements), this deployment among them (triggers${type === REST_DEPLOYMENT ? " and variables are" : " is"} ForceNew: terraform-provider-aws deployment.go)`] : []),
          ].join("; ");
          const namingFix = `give ${[...namedTypes].join(", ")} a pattern with a random part in pulumi:autonaming, under which the engine replaces ${namedTypes.size > 1 ? "them" : "it"} create-first (e.g. ${[...namedTypes].map((t) => `providers.aws.resources["${t}"]: { pattern: "\${name}-\${hex(7)}" }`).join(", ")}; a deployment has no name, so only the order changes)`;
          const partsFix = `order the deployment with dependsOn and keep the parts' outputs out of triggers: put a digest of the parts' inputs there that names no resource (ServerlessApi's snapshot.ts withoutPropertyDependencies), so the deployment is replaced create-first, after the stage has moved, only when the digest changes; or leave unset the name of a part delete-first only for its name, so that pulumi-aws autonames it and replaces it create-first`;
          findings.push(
            finding(
              "ApiDeploymentTriggerReplacedFirst",
              deployment,
              `${what}; and ${stageNames} serves it. ${how}, while ${stageNames} still points at it: DeleteDeployment is refused ("Active stages pointing to this deployment must be moved or deleted"), failing the update`,
              itself ? namingFix : namedTypes.size > 0 ? `${partsFix}; or ${namingFix}` : partsFix,
            ),
          );
        }
      }
      return findings;
    },
  };
}

export const API_DEPLOYMENT_TRIGGER_REPLACED_FIRST: DeployRule = apiDeploymentTriggerReplacedFirst();
