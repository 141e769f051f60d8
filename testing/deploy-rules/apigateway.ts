/** API Gateway (REST) deploy rules: deployment ordering, canaries, the resource tree, the account-wide logging setting and execution log groups. */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { API_INTEGRATION_TIMEOUT_MS, API_STAGE_VARIABLE_LIMITS, CANARY_PERCENT_TRAFFIC } from "../../components/serverless-api/validate";
import { granting, PUSH_TO_CLOUDWATCH_ACTIONS, roleGrants, trustsService } from "./iam";
import { NLB_ARN } from "../../components/serverless-api/vpc-link";
import { HTTP_METHODS } from "../../components/serverless-api/args";
import { LOG_GROUP } from "./key-policy";
import { API_GATEWAY_ONE_REST_API_POLICY } from "./one-policy";
import { API_DEPLOYMENT_TRIGGER_REPLACED_FIRST } from "./deployment-triggers";
import { arnRegion, finding, protocolOf, referenced, referencedIndex, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext, type ProjectDeployRule } from "./rule";

const ACCOUNT = "aws:apigateway/account:Account";

/**
 * What a deployment snapshots of its REST API, the resource policy included ("after you update the
 * resource policy, you must deploy the API": https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html).
 */
export const SNAPSHOT_TYPES = [
  "aws:apigateway/resource:Resource",
  "aws:apigateway/method:Method",
  "aws:apigateway/integration:Integration",
  "aws:apigateway/methodResponse:MethodResponse",
  "aws:apigateway/integrationResponse:IntegrationResponse",
  "aws:apigateway/authorizer:Authorizer",
  "aws:apigateway/response:Response",
  "aws:apigateway/model:Model",
  "aws:apigateway/requestValidator:RequestValidator",
  "aws:apigateway/restApiPolicy:RestApiPolicy",
];

/**
 * A deployment "represents a snapshot of the API, including methods, integrations, models, mapping
 * templates, and Lambda authorizers" (and gateway responses, which need a redeploy too:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/updating-api.html). CreateDeployment
 * snapshots what exists when it runs, so the deployment must be ordered after every part of its
 * API — otherwise e.g. a mock route's integration response may be missing from the stage (500
 * "No match for output mapping") until something else redeploys.
 */
export const API_DEPLOYMENT_DEPENDS_ON_API: DeployRule = {
  id: "ApiDeploymentDependsOnApi",
  title: "An API Gateway deployment depends on every method, integration, response, authorizer, model and validator of its API",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const deployment of ofType(graph, "aws:apigateway/deployment:Deployment")) {
      const api = deployment.inputs.restApi;
      if (!api) continue;
      const before = dependencyClosure(graph, deployment);
      // Gateway responses name their API `restApiId`; everything else `restApi`.
      const parts = graph.filter((r) => SNAPSHOT_TYPES.includes(r.type) && (r.inputs.restApi ?? r.inputs.restApiId) === api);
      for (const part of parts.filter((p) => !before.has(p.urn))) {
        findings.push(
          finding(
            "ApiDeploymentDependsOnApi",
            deployment,
            `does not depend on ${part.type} ${part.name}, so CreateDeployment can snapshot the API before it exists`,
            `add ${part.name} to the deployment's dependsOn (and to its triggers, so a change redeploys)`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * CanarySettings (API Gateway API reference): `deploymentId` is "the ID of the canary deployment",
 * `percentTraffic` "the percent (0-100) of traffic diverted to a canary deployment".
 */
export const API_STAGE_CANARY: DeployRule = {
  id: "ApiStageCanary",
  title: `A stage canary names its deployment and diverts ${CANARY_PERCENT_TRAFFIC.min}–${CANARY_PERCENT_TRAFFIC.max} % of traffic`,
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const stage of ofType(graph, "aws:apigateway/stage:Stage")) {
      const canary = stage.inputs.canarySettings;
      if (!canary) continue;
      if (!canary.deploymentId) findings.push(finding("ApiStageCanary", stage, "has canarySettings without a deploymentId, so there is no canary deployment to send traffic to", "set canarySettings.deploymentId to the new deployment's id"));
      const percent = canary.percentTraffic;
      const { min, max } = CANARY_PERCENT_TRAFFIC;
      if (percent !== undefined && !(Number(percent) >= min && Number(percent) <= max)) {
        findings.push(finding("ApiStageCanary", stage, `sends ${percent} % of traffic to the canary; percentTraffic is ${min}–${max}`, `set canarySettings.percentTraffic between ${min} and ${max}`));
      }
    }
    return findings;
  },
};

/**
 * API Gateway's quotas on stage variables, which it does not raise: "Stage variables per stage | 100 | No" and
 * "Length, in characters, of the key in a stage variable | 64 | No" (REST:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html; HTTP
 * APIs the same: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html; the WebSocket table
 * lists none, so WebSocket stages are not checked). A REST canary's overrides are stage variables too ("Stage variables
 * overridden for a canary release deployment, including new stage variables introduced in the canary",
 * API_CanarySettings): their names are held to 64; no quota on their number is documented. ServerlessApi refuses these
 * at construction with the same numbers (API_STAGE_VARIABLE_LIMITS); the rule covers any program's stages.
 */
export const API_STAGE_VARIABLES: DeployRule = {
  id: "ApiStageVariables",
  title: "A REST or HTTP API stage has at most 100 stage variables, each named in at most 64 characters",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const { perStage, nameLength } = API_STAGE_VARIABLE_LIMITS;
    const check = (stage: RecordedResource, field: string, variables: Record<string, unknown> | undefined, counted: boolean) => {
      const names = Object.keys(variables ?? {});
      if (counted && names.length > perStage) {
        findings.push(finding("ApiStageVariables", stage, `has ${names.length} stage variables; API Gateway allows ${perStage} a stage`, `keep at most ${perStage} (move settings into the functions' environment)`));
      }
      for (const name of names.filter((n) => n.length > nameLength)) {
        findings.push(finding("ApiStageVariables", stage, `has the ${field} name ${name} (${name.length} characters); API Gateway allows ${nameLength}`, `shorten it to at most ${nameLength} characters`));
      }
    };
    for (const stage of ofType(graph, "aws:apigateway/stage:Stage")) {
      check(stage, "variables", stage.inputs.variables, true);
      check(stage, "canarySettings.stageVariableOverrides", stage.inputs.canarySettings?.stageVariableOverrides, false);
    }
    for (const stage of ofType(graph, "aws:apigatewayv2/stage:Stage")) {
      if (protocolOf(graph, stage) !== "HTTP") continue;
      check(stage, "stageVariables", stage.inputs.stageVariables, true);
    }
    return findings;
  },
};

/**
 * How long a REST integration may wait (`timeoutMilliseconds`, PutIntegration's timeoutInMillis): "You can increase the
 * default value to longer than 29 seconds for Regional or private APIs only"
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html), so an EDGE API's integration waits at most
 * 29,000 ms, and no REST integration more than 300,000 ms BUFFERED (pulumi-aws 7.48 apigateway/integration.d.ts
 * `timeoutMilliseconds`: "The maximum value is 300,000 when `responseTransferMode` is `BUFFERED`, and 900,000 when
 * `responseTransferMode` is `STREAM`"; unset is BUFFERED). A REST API without an endpoint type is EDGE ("If
 * unspecified, defaults to `EDGE`", pulumi-aws `RestApiEndpointConfiguration.types`). 29,001–300,000 on a REGIONAL or
 * PRIVATE API needs the account's raised quota, which a plan cannot show: not checked (ServerlessApi warns). The
 * numbers are ServerlessApi's (API_INTEGRATION_TIMEOUT_MS), which refuses the same at construction.
 */
export const API_INTEGRATION_TIMEOUT: DeployRule = {
  id: "ApiIntegrationTimeout",
  title: "A REST integration waits at most 29000 ms on an EDGE API and 300000 ms on any (BUFFERED)",
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const { defaultQuota, restMax } = API_INTEGRATION_TIMEOUT_MS;
    for (const integration of ofType(graph, "aws:apigateway/integration:Integration")) {
      const timeout = Number(integration.inputs.timeoutMilliseconds);
      if (!Number.isFinite(timeout)) continue;
      if (integration.inputs.responseTransferMode !== "STREAM" && timeout > restMax) {
        findings.push(finding("ApiIntegrationTimeout", integration, `waits ${timeout} ms; API Gateway waits at most ${restMax} ms for a REST integration (BUFFERED), whatever the quota`, `set timeoutMilliseconds to at most ${restMax}, or answer at once and hand the work to a queue`));
        continue;
      }
      const api = referenced(graph, "aws:apigateway/restApi:RestApi", integration.inputs.restApi);
      // An API imported from an OpenAPI `body` may take its endpoint type from `parameters` instead: not judged.
      if (api && api.inputs.endpointConfiguration === undefined && api.inputs.body !== undefined) continue;
      const types = [api?.inputs.endpointConfiguration?.types ?? "EDGE"].flat();
      if (api && types.includes("EDGE") && timeout > defaultQuota) {
        findings.push(
          finding("ApiIntegrationTimeout", integration, `waits ${timeout} ms on the EDGE REST API ${api.name}; API Gateway raises an integration's ${defaultQuota} ms only for REGIONAL and PRIVATE APIs`, `set timeoutMilliseconds to at most ${defaultQuota}, or make the API REGIONAL and raise the account's integration timeout quota`),
        );
      }
    }
    return findings;
  },
};

/**
 * A REST VPC link (v1) targets exactly one Network Load Balancer, in its own region: CreateVpcLink's `targetArns` is
 * "The ARN of the network load balancer of the VPC targeted by the VPC link"
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateVpcLink.html), pulumi-aws 7.48 takes one `targetArn`
 * ("Currently AWS only supports 1 target", apigateway/vpcLink.d.ts), an Application Load Balancer's ARN fails the
 * create ("FAILED: NLB ARN is malformed", hashicorp/terraform-provider-aws#30910: REST APIs reach ALBs through VPC
 * links v2 and an integration's `integrationTarget` instead), and "you must have a network load balancer running in
 * the region where you create the VpcLink" (https://docs.aws.amazon.com/apigateway/api-reference/link-relation/vpclink-create/).
 * ServerlessApi refuses the same at construction (`integration.vpcLink.targetArn`); this catches hand-built links. A
 * target only known at deploy time (an Output) is not judged.
 */
export const API_VPC_LINK_TARGET: DeployRule = {
  id: "ApiVpcLinkTarget",
  title: "A REST VPC link targets one Network Load Balancer, in the link's region",
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateVpcLink.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const link of ofType(graph, "aws:apigateway/vpcLink:VpcLink")) {
      // pulumi-aws takes one target (`targetArn`), so "more than one" cannot be written; a missing one is the provider's
      // own preview error (a required input).
      const target = link.inputs.targetArn;
      if (typeof target !== "string") continue;
      if (!NLB_ARN.test(target)) {
        findings.push(
          finding("ApiVpcLinkTarget", link, `targets ${target}, which is not a Network Load Balancer's ARN (…:loadbalancer/net/<name>/<id>); CreateVpcLink fails ("NLB ARN is malformed")`,
            "target an NLB (in front of an ALB if need be), or reach the ALB through an aws.apigatewayv2.VpcLink with the integration's integrationTarget"),
        );
        continue;
      }
      const linkRegion = regionOf(graph, link, context);
      const targetRegion = arnRegion(target);
      if (targetRegion !== linkRegion) {
        findings.push(finding("ApiVpcLinkTarget", link, `is created in ${linkRegion} but targets a Network Load Balancer in ${targetRegion}; a VPC link reaches an NLB in its own region`, `create the link (and its API) in ${targetRegion}, or target an NLB in ${linkRegion}`));
      }
    }
    return findings;
  },
};

const RESOURCE = "aws:apigateway/resource:Resource";

/**
 * A REST API allows one variable path part (`{id}`, `{proxy+}`) among the children of one resource: CreateResource
 * of a second is refused with "A sibling ({albumId}) of this resource already has a variable path part -- only one is
 * allowed" (BadRequestException; serverless-nextjs/serverless-next.js#206, and #938 where the second is `{proxy+}`),
 * "by design" in an AWS engineer's words (amazon-archives/aws-apigateway-importer#202). The API reference documents the
 * call and its BadRequestException, not this text. Resources are compared by REST API and parent id (both resolved in
 * an update-mode recording).
 */
export const API_RESOURCE_VARIABLE_SIBLINGS: DeployRule = {
  id: "ApiResourceVariableSiblings",
  title: "No two resources under one parent of a REST API have variable path parts",
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html",
  check(graph) {
    const variableChildren = new Map<string, RecordedResource[]>();
    for (const resource of ofType(graph, RESOURCE)) {
      const part = resource.inputs.pathPart;
      if (typeof part !== "string" || !part.startsWith("{") || !resource.inputs.parentId) continue;
      const parent = JSON.stringify([resource.inputs.restApi, resource.inputs.parentId]);
      variableChildren.set(parent, [...(variableChildren.get(parent) ?? []), resource]);
    }
    const findings: DeployFinding[] = [];
    for (const siblings of variableChildren.values()) {
      if (siblings.length < 2) continue;
      for (const resource of siblings) {
        const others = siblings.filter((s) => s !== resource);
        findings.push(
          finding(
            "ApiResourceVariableSiblings",
            resource,
            `has the variable path part ${resource.inputs.pathPart} beside ${others.map((o) => `${o.inputs.pathPart} (${o.name})`).join(", ")} under the same parent; CreateResource of the later one is refused ("A sibling (${others[0].inputs.pathPart}) of this resource already has a variable path part -- only one is allowed")`,
            "give every route the same parameter name at this level (ServerlessApi refuses such routes at construction), or move one route under a literal path part",
          ),
        );
      }
    }
    return findings;
  },
};

/** A path part that is a path parameter: `{name}`, or greedy `{name+}`. */
const PATH_PARAMETER = /^\{[^{}+]+\+?\}$/;
const isGreedy = (part: unknown) => typeof part === "string" && PATH_PARAMETER.test(part) && part.endsWith("+}");

/**
 * A REST resource's `pathPart` is one segment: literal, or a path parameter `{name}`, or a greedy one `{name+}` ("a
 * proxy resource … with a greedy path variable of {proxy+}",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html).
 * Two refusals of CreateResource are read:
 * - curly braces anywhere but around the whole part (`v{id}`, `{id}.json`, `{id`), or `+` outside `{name+}`:
 *   BadRequestException "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end."
 *   (claudiajs/claudia#11; CloudFormation relaying it in 2020, awslabs/aws-api-gateway-developer-portal#424). The
 *   characters that message names are no longer the whole rule: a colon is accepted (aws/aws-cdk#22477, "works in both
 *   the L1 construct and the console"), so the characters of a literal part are not judged, only where braces and `+` go.
 * - a child of a greedy resource: "Cannot create a child of a resource with a greedy path variable: {proxy+}"
 *   (LocalStack's AWS-parity message, localstack/localstack#7746): a greedy variable matches every deeper path, so it
 *   ends its path. A child whose parent is not in the plan is not judged.
 * AWS's API reference documents `pathPart` only as "The last path segment for this resource" (API_CreateResource):
 * neither message is AWS documentation. ServerlessApi builds its tree from route keys it has checked.
 */
export const API_RESOURCE_PATH_PART: DeployRule = {
  id: "ApiResourcePathPart",
  title: "A REST resource's path part has braces only around a whole {name} or {name+}, and no resource is under a greedy {name+}",
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const resourceById = referencedIndex(graph, RESOURCE);
    for (const resource of ofType(graph, RESOURCE)) {
      const part = resource.inputs.pathPart;
      if (typeof part !== "string") continue;
      if (/[{}+]/.test(part) && !PATH_PARAMETER.test(part)) {
        findings.push(
          finding(
            this.id,
            resource,
            `has pathPart ${JSON.stringify(part)}; a path part is literal or one whole path parameter ({name}, or greedy {name+}), and CreateResource refuses braces or + elsewhere ("Resource's path part only allow … curly braces at the beginning and the end")`,
            "make the part one parameter ({id}) or literal text, and put the rest in a part of its own (v1/{id}, not v{id})",
          ),
        );
      }
      const parent = resourceById(resource.inputs.parentId);
      if (parent && isGreedy(parent.inputs.pathPart)) {
        findings.push(
          finding(
            this.id,
            resource,
            `is under ${parent.name}, whose pathPart ${parent.inputs.pathPart} is a greedy path variable; CreateResource refuses it ("Cannot create a child of a resource with a greedy path variable: ${parent.inputs.pathPart}"), as the greedy variable already matches every deeper path`,
            `put ${JSON.stringify(part)} beside ${parent.inputs.pathPart}, under its parent (a literal sibling takes precedence over the greedy one), or make ${parent.name} a plain {name}`,
          ),
        );
      }
    }
    return findings;
  },
};

const ACCOUNT_SOURCE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html";

/**
 * The account settings are one value per account and region ("you should only have one
 * AWS::ApiGateway::Account resource per region per account"). AWS provider v7 (terraform-provider-aws
 * v6) resets them when the resource is deleted ("The destroy operation will now always reset the
 * API Gateway account settings", https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-6-upgrade),
 * which turns stage logging off for every other API in the region: the owner must retain it.
 */
export const API_GATEWAY_ACCOUNT_RETAINED: DeployRule = {
  id: "ApiGatewayAccountRetained",
  title: "The API Gateway account setting is retained on delete",
  source: ACCOUNT_SOURCE,
  check(graph) {
    return ofType(graph, ACCOUNT)
      .filter((a) => !a.retainOnDelete)
      .map((a) =>
        finding("ApiGatewayAccountRetained", a, "is deleted with this stack, and deleting it resets the region's API Gateway CloudWatch role, which breaks logging (and the next update) of every other API in the account and region", "create it with retainOnDelete: true"),
      );
  },
};

const PUSH_TO_CLOUDWATCH_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs";

/**
 * Logging needs "an IAM role with apigateway.amazonaws.com as its trusted entity" holding the
 * permissions of AmazonAPIGatewayPushToCloudWatchLogs. The account setting serves every API and
 * stage in the region — execution logs and access logs alike — so the role must reach any log group,
 * not only the ones of the stack that happens to own the setting.
 */
export const API_GATEWAY_ACCOUNT_ROLE: DeployRule = {
  id: "ApiGatewayAccountRole",
  title: "The API Gateway account role is trusted by API Gateway and can write any API's logs",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const account of ofType(graph, ACCOUNT)) {
      const role = referenced(graph, "aws:iam/role:Role", account.inputs.cloudwatchRoleArn);
      if (!role) continue;
      // No `on`: AWS documents no aws:SourceArn API Gateway sends when it assumes this role, so conditions are not judged.
      if (!trustsService(role, "apigateway.amazonaws.com")) {
        findings.push(finding("ApiGatewayAccountRole", role, "is the API Gateway account's CloudWatch role but does not trust apigateway.amazonaws.com, so setting it fails", "allow apigateway.amazonaws.com to sts:AssumeRole in the role's trust policy"));
      }
      const { grants, complete } = roleGrants(graph, role);
      // A managed policy this pack cannot read may allow the actions.
      if (!complete) continue;
      const accountId = String(role.state.arn ?? "").split(":")[4] || "*";
      const region = regionOf(graph, account, context);
      const anyGroup = `arn:aws:logs:${region}:${accountId}:log-group:another-stacks-access-logs`;
      const covers = (action: string) => [anyGroup, `${anyGroup}:*`, `${anyGroup}:log-stream:stream`].some((resource) => granting(grants, action, resource).length > 0);
      const missing = PUSH_TO_CLOUDWATCH_ACTIONS.filter((a) => !covers(a));
      if (missing.length > 0) {
        findings.push(
          finding(
            "ApiGatewayAccountRole",
            role,
            `is the API Gateway account's CloudWatch role for ${region}, but does not allow ${missing.join(", ")} on every log group; the setting serves the execution and access logs of every API in the region, so other stacks' stages cannot log`,
            `attach ${PUSH_TO_CLOUDWATCH_POLICY} (or allow those actions on every log group)`,
          ),
        );
      }
    }
    return findings;
  },
};

/** One owner per account and region across the project's stacks (the CloudFormation Account reference's rule). */
export const API_GATEWAY_ACCOUNT_SINGLE_OWNER: ProjectDeployRule = {
  id: "ApiGatewayAccountSingleOwner",
  title: "At most one stack sets the API Gateway account settings of an account and region",
  source: ACCOUNT_SOURCE,
  check(stacks) {
    const owners = new Map<string, Array<{ stack: string; account: RecordedResource }>>();
    for (const { graph, context } of stacks) {
      for (const account of ofType(graph, ACCOUNT)) {
        const key = `${context.account ?? "the same account"} in ${regionOf(graph, account, context)}`;
        owners.set(key, [...(owners.get(key) ?? []), { stack: context.stack, account }]);
      }
    }
    const findings: DeployFinding[] = [];
    for (const [where, list] of owners) {
      if (list.length < 2) continue;
      for (const owner of list) {
        const others = list.filter((o) => o !== owner).map((o) => `${o.stack}: ${o.account.name}`);
        findings.push(
          finding(
            "ApiGatewayAccountSingleOwner",
            owner.account,
            `sets the API Gateway account settings of ${where}, and so does ${others.join(", ")}; the last writer wins, and deleting either resets the setting for all`,
            "create the account setting in one stack only (retained on delete) and turn it off in the others",
            owner.stack,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * A log group API Gateway would create itself, unmanaged, when `writer` (a stage or its method settings) first writes:
 * the stack's group of exactly `name` in `region`, with a retention, created before `writer`. One finding per problem.
 */
function managedLogGroupFindings(
  graph: Graph,
  context: DeployRuleContext,
  rule: string,
  writer: RecordedResource,
  name: string,
  region: string,
  says: { missing: string; missingFix: string; retention: string; order: string; orderFix: (group: string) => string },
): DeployFinding[] {
  const group = ofType(graph, LOG_GROUP).find((g) => g.inputs.name === name && regionOf(graph, g, context) === region);
  if (!group) return [finding(rule, writer, says.missing, says.missingFix)];
  const findings: DeployFinding[] = [];
  if (!(Number(group.inputs.retentionInDays) > 0)) findings.push(finding(rule, group, `${says.retention} but sets no retentionInDays, so its logs are kept forever`, "set retentionInDays (the stack's log retention)"));
  if (!dependencyClosure(graph, writer).has(group.urn)) {
    findings.push(finding(rule, writer, `${says.order} ${group.name}, so API Gateway can write first and create ${name} itself, and creating the group then fails (ResourceAlreadyExistsException)`, says.orderFix(group.name)));
  }
  return findings;
}

/**
 * "When you enable execution logging on a stage, API Gateway automatically creates and manages a CloudWatch Logs
 * log group. The log group is named API-Gateway-Execution-Logs_{rest-api-id}/{stage_name}." A group API Gateway
 * creates has CloudWatch Logs' default retention (never expire) and belongs to no stack, so it outlives `destroy`.
 * The stack must create that exact group, with a retention, before the method settings turn logging on. A stage
 * with a canary also logs the canary's requests to "a canary-specific CloudWatch Logs log group", the stage's group
 * with `/Canary` appended (https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html), which
 * needs the same.
 */
export const API_EXECUTION_LOG_GROUP_MANAGED: DeployRule = {
  id: "ApiExecutionLogGroupManaged",
  title: "A REST stage with execution logging on has its execution log group (and its canary's) in the stack, with a retention, created first",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-execution-logging.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const settings of ofType(graph, "aws:apigateway/methodSettings:MethodSettings")) {
      const level = String(settings.inputs.settings?.loggingLevel ?? "OFF");
      if (!["ERROR", "INFO"].includes(level)) continue;
      const { restApi, stageName } = settings.inputs;
      const region = regionOf(graph, settings, context);
      const stage = ofType(graph, "aws:apigateway/stage:Stage").find((s) => s.inputs.restApi === restApi && s.inputs.stageName === stageName && regionOf(graph, s, context) === region);
      const stageGroup = `API-Gateway-Execution-Logs_${restApi}/${stageName}`;
      const expected = [{ name: stageGroup, of: `stage ${stageName}` }, ...(stage?.inputs.canarySettings ? [{ name: `${stageGroup}/Canary`, of: `the canary of stage ${stageName}` }] : [])];
      for (const { name, of } of expected) {
        findings.push(
          ...managedLogGroupFindings(graph, context, "ApiExecutionLogGroupManaged", settings, name, region, {
            missing: `turns on ${level} execution logging, but the stack has no log group ${name} (${of}) in ${region}; API Gateway creates it itself, with no retention (kept forever) and outside the stack (left behind by destroy)`,
            missingFix: `create an aws.cloudwatch.LogGroup named exactly ${name} with retentionInDays, and make the stage and its method settings depend on it`,
            retention: `is the execution log group of ${of}`,
            order: "does not depend on its execution log group",
            orderFix: (group) => `add ${group} to the method settings' (and the stage's) dependsOn`,
          }),
        );
      }
    }
    return findings;
  },
};

/**
 * While a stage runs a canary, API Gateway writes the canary's access logs to the stage's access log group's name with
 * "/Canary" appended (canary-release.html), and creates that group itself when it is missing: no retention (kept
 * forever), outside the stack (left behind by destroy). The stack creates it, with a retention, before the stage.
 */
export const API_CANARY_ACCESS_LOG_GROUP_MANAGED: DeployRule = {
  id: "ApiCanaryAccessLogGroupManaged",
  title: "A REST stage with a canary and access logging has the canary's access log group in the stack, with a retention, created first",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const stage of ofType(graph, "aws:apigateway/stage:Stage").filter((s) => s.inputs.canarySettings && s.inputs.accessLogSettings?.destinationArn)) {
      const region = regionOf(graph, stage, context);
      const accessGroup = ofType(graph, LOG_GROUP).find((g) => g.state.arn === stage.inputs.accessLogSettings.destinationArn);
      if (!accessGroup) continue;
      const name = `${accessGroup.state.name}/Canary`;
      findings.push(
        ...managedLogGroupFindings(graph, context, "ApiCanaryAccessLogGroupManaged", stage, name, region, {
          missing: `runs a canary with access logs in ${accessGroup.name}, but the stack has no log group ${name}; API Gateway creates it itself for the canary's access logs, with no retention (kept forever) and outside the stack (left behind by destroy)`,
          missingFix: `create an aws.cloudwatch.LogGroup named exactly ${name} with retentionInDays, and make the stage depend on it`,
          retention: `is the canary access log group of stage ${stage.inputs.stageName}`,
          order: "does not depend on its canary access log group",
          orderFix: (group) => `add ${group} to the stage's dependsOn`,
        }),
      );
    }
    return findings;
  },
};

/**
 * A REST method's `httpMethod` (and an integration's `httpMethod` and `integrationHttpMethod`) is one of ANY, DELETE, GET,
 * HEAD, OPTIONS, PATCH, POST, PUT, in upper case: the provider validates it case-sensitively
 * (terraform-provider-aws internal/service/apigateway `validHTTPMethod`, `validation.StringInSlice(..., false)` on
 * `aws_api_gateway_method.http_method` and `aws_api_gateway_integration.http_method`/`integration_http_method`), so
 * `"get"` stops `pulumi preview` before PutMethod is called. This finds it at plan time, with the fix. Whether PutMethod
 * itself would take `"get"` is not confirmed (the API reference names the value "the method's HTTP verb"); since the
 * provider never sends it, the rules that compare methods (transition-rest-deployment.ts) compare them as written.
 * ServerlessApi's route keys take the same list (components/serverless-api/args.ts HTTP_METHODS).
 */
export const API_METHOD_HTTP_METHOD: DeployRule = {
  id: "ApiMethodHttpMethod",
  title: "A REST method or integration names its HTTP method in upper case, one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html",
  check(graph) {
    return httpMethodFindings(graph, "ApiMethodHttpMethod", [
      ["aws:apigateway/method:Method", ["httpMethod"]],
      ["aws:apigateway/integration:Integration", ["httpMethod", "integrationHttpMethod"]],
    ]);
  },
};

/**
 * A finding of `rule` for each of `fields` (a resource type and its inputs) whose value is a string that is not one of
 * HTTP_METHODS as written, the fix its upper case when that is one: the provider's case-sensitive `validHTTPMethod`,
 * which API Gateway (REST, internal/service/apigateway) and API Gateway v2 (internal/service/apigatewayv2) each have.
 */
export function httpMethodFindings(graph: Graph, rule: string, fields: Array<[type: string, inputs: string[]]>): DeployFinding[] {
  const findings: DeployFinding[] = [];
  const methods: readonly string[] = HTTP_METHODS;
  for (const [type, inputs] of fields) {
    for (const resource of ofType(graph, type)) {
      for (const input of inputs) {
        const method = resource.inputs[input];
        if (typeof method !== "string" || methods.includes(method)) continue;
        const upper = method.toUpperCase();
        findings.push(
          finding(
            rule,
            resource,
            `has ${input} ${JSON.stringify(method)}; the provider takes only ${methods.join(", ")}, case-sensitively, so \`pulumi preview\` fails on it`,
            methods.includes(upper) ? `write "${upper}"` : `use one of ${methods.join(", ")}`,
          ),
        );
      }
    }
  }
  return findings;
}

export const APIGATEWAY_RULES: DeployRule[] = [API_DEPLOYMENT_DEPENDS_ON_API, API_STAGE_CANARY, API_STAGE_VARIABLES, API_INTEGRATION_TIMEOUT, API_VPC_LINK_TARGET, API_RESOURCE_VARIABLE_SIBLINGS, API_RESOURCE_PATH_PART, API_GATEWAY_ACCOUNT_RETAINED, API_GATEWAY_ACCOUNT_ROLE, API_EXECUTION_LOG_GROUP_MANAGED, API_CANARY_ACCESS_LOG_GROUP_MANAGED, API_GATEWAY_ONE_REST_API_POLICY, API_METHOD_HTTP_METHOD, API_DEPLOYMENT_TRIGGER_REPLACED_FIRST];
export const APIGATEWAY_PROJECT_RULES: ProjectDeployRule[] = [API_GATEWAY_ACCOUNT_SINGLE_OWNER];
