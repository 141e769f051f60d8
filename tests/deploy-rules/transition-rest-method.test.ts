/**
 * TransitionRestMethodReplacedCreateFirst: a REST API method replaced on the same API, resource and HTTP method without
 * deleteBeforeReplace. Its new copy's PutMethod is refused while the deployed copy holds the method ("ConflictException:
 * Method already exists for this resource"), and pulumi-aws asks delete-first for integrations only.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import { record as recordProgram } from "../../testing/harness";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { handBuilt, saved, transition } from "./fixture";

const RULE = "TransitionRestMethodReplacedCreateFirst";
const METHOD = "aws:apigateway/method:Method";
const restApi = handBuilt("aws:apigateway/restApi:RestApi", "api", { name: "api" }, { id: "api-id" });
const on = { dependencies: [restApi.urn] };
const resource = handBuilt("aws:apigateway/resource:Resource", "items", { restApi: "api-id", parentId: "root-id", pathPart: "items" }, { id: "items-id", ...on });
const method = handBuilt(METHOD, "get-items", { restApi: "api-id", resourceId: "items-id", httpMethod: "GET", authorization: "NONE" }, on);
/** The method given another authorisation, which replaceOnChanges turns into a replacement on the same key. */
const replaced = { ...method, inputs: { ...method.inputs, authorization: "AWS_IAM" }, replaceOnChanges: ["authorization"] };

describe(RULE, () => {
  it("finds a method replaced create-first on its own resource and HTTP method", () => {
    const findings = transition([restApi, resource, method], [restApi, resource, replaced]);
    expect(findings.map((f) => [f.rule, f.resource, f.urn])).toEqual([[RULE, `${METHOD} get-items`, method.urn]]);
    expect(findings[0].problem).toMatch(/^is replaced .* on the same REST API, resource and HTTP method \(GET on resource items-id\), create-first: .*"ConflictException: Method already exists for this resource", aws\/aws-cli#3992\), so the update fails at that create/);
    expect(findings[0].fix).toMatch(/^set deleteBeforeReplace: true on get-items, .* replaceWith: \[get-items\] and deleteBeforeReplace: true as well \(a response replaced create-first after DeleteMethod/);
    // The file `npm run plan -- --save` writes keeps a method's httpMethod and resourceId only: a replaceOnChanges on
    // another input compares an input it does not hold, which is unknown, not changed.
    expect(transition(saved([restApi, resource, method]), [restApi, resource, replaced]).map((f) => f.rule)).not.toContain(RULE);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === RULE)?.source).toBe("https://github.com/aws/aws-cli/issues/3992");
  });

  it("finds one replaced through replaceWith naming a replaced resource", () => {
    const fn = handBuilt("aws:lambda/function:Function", "handler", { name: "handler", runtime: "nodejs22.x" }, { replaceOnChanges: ["name"] });
    const withFn = { ...method, replaceWith: [fn.urn] };
    const before = [restApi, resource, fn, withFn];
    const after = [restApi, resource, { ...fn, inputs: { ...fn.inputs, name: "handler-2" } }, withFn];
    expect(transition(before, after).filter((f) => f.rule === RULE).map((f) => f.resource)).toEqual([`${METHOD} get-items`]);
  });

  it("passes deleteBeforeReplace, a method updated in place, one moved to another key, and one on a replaced API or resource", () => {
    expect(transition([restApi, resource, method], [restApi, resource, { ...replaced, deleteBeforeReplace: true }])).toEqual([]);
    // Without replaceOnChanges authorization is an UpdateMethod patch (method.go): no replacement.
    expect(transition([restApi, resource, method], [restApi, resource, { ...replaced, replaceOnChanges: [] }])).toEqual([]);
    // Another HTTP method is another key: TransitionRestMethodMoved's business, only when something else takes GET.
    expect(transition([restApi, resource, method], [restApi, resource, { ...replaced, inputs: { ...replaced.inputs, httpMethod: "POST" } }]).map((f) => f.rule)).not.toContain(RULE);
    // The REST API or the Resource replaced: the new copy goes on a new API or resource, which holds no method yet.
    expect(transition([restApi, resource, method], [{ ...restApi, inputs: { name: "api-2" }, replaceOnChanges: ["name"] }, resource, replaced]).map((f) => f.rule)).not.toContain(RULE);
    expect(transition([restApi, resource, method], [restApi, { ...resource, inputs: { ...resource.inputs, pathPart: "products" }, replaceOnChanges: ["pathPart"] }, replaced]).map((f) => f.rule)).not.toContain(RULE);
    // A plan saved before methods kept their identity: not judged.
    const older = saved([restApi, resource, method]).map((r) => (r.type === METHOD ? { ...r, inputs: {}, savedInputs: [] } : r));
    expect(transition(older, [restApi, resource, replaced]).map((f) => f.rule)).not.toContain(RULE);
  });

  it("passes ServerlessApi's routes unchanged and changed in place (its methods have no replaceOnChanges)", async () => {
    const api = (authorization: "none" | "iam") => recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, stages: { prod: {} }, routes: { "GET /health": { handler: "tests/fixtures/handlers/echo.ts", auth: authorization } } }));
    const deployed = await api("none");
    expect(transition(deployed, deployed).map((f) => f.rule)).not.toContain(RULE);
    expect(transition(deployed, await api("iam")).map((f) => f.rule)).not.toContain(RULE);
  });

  describe("method and integration responses", () => {
    const METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse";
    const INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse";
    const onMethod = { dependencies: [restApi.urn, method.urn] };
    const methodResponse = handBuilt(METHOD_RESPONSE, "get-items-200", { restApi: "api-id", resourceId: "items-id", httpMethod: "GET", statusCode: "200", responseModels: { "application/json": "Empty" } }, onMethod);
    const integrationResponse = handBuilt(INTEGRATION_RESPONSE, "get-items-200-integration", { restApi: "api-id", resourceId: "items-id", httpMethod: "GET", statusCode: "200", responseTemplates: { "application/json": "{}" } }, onMethod);
    const deployed = [restApi, resource, method, methodResponse, integrationResponse];
    /** Both responses given other settings, which replaceOnChanges turns into replacements on the same key. */
    const replacedResponses = (more: Partial<typeof methodResponse> = {}) => [
      { ...methodResponse, inputs: { ...methodResponse.inputs, responseModels: { "application/json": "Error" } }, replaceOnChanges: ["responseModels"], ...more },
      { ...integrationResponse, inputs: { ...integrationResponse.inputs, responseTemplates: { "application/json": '{"ok":true}' } }, replaceOnChanges: ["responseTemplates"], ...more },
    ];

    it("finds a method response (PutMethodResponse refused) and an integration response (put over, then deleted by its old copy) replaced create-first on their own key", () => {
      const findings = transition(deployed, [restApi, resource, method, ...replacedResponses()]).filter((f) => f.rule === RULE);
      expect(findings.map((f) => [f.resource, f.urn])).toEqual([
        [`${METHOD_RESPONSE} get-items-200`, methodResponse.urn],
        [`${INTEGRATION_RESPONSE} get-items-200-integration`, integrationResponse.urn],
      ]);
      expect(findings[0].problem).toMatch(/status code \(GET on resource items-id, 200\), create-first: .*"ConflictException: Response already exists for this resource", hashicorp\/terraform#11395/);
      expect(findings[1].problem).toMatch(/PutIntegrationResponse, the call the provider also updates a response with .* the old copy's DeleteIntegrationResponse, by the same method and status code, removes it/);
      expect(findings.map((f) => f.fix)).toEqual([expect.stringMatching(/^set deleteBeforeReplace: true on get-items-200,/), expect.stringMatching(/^set deleteBeforeReplace: true on get-items-200-integration,/)]);
    });

    it("judges responses against a saved plan too, which keeps their method's key and status code", () => {
      // Replaced with a resource whose replacement a saved plan tells (a topic's name is ForceNew and kept).
      const topic = handBuilt("aws:sns/topic:Topic", "errors", { name: "errors" });
      const withTopic = [methodResponse, integrationResponse].map((r) => ({ ...r, replaceWith: [topic.urn] }));
      const before = [restApi, resource, method, topic, ...withTopic];
      // The topic replaced create-first (deleteBeforeReplace: false overrides the bridge's delete-first for its hand-set name).
      const after = [restApi, resource, method, { ...topic, inputs: { name: "errors-2" }, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true }, ...withTopic];
      const found = (deployed: typeof before, next = after) => transition(deployed, next).filter((f) => f.rule === RULE).map((f) => f.resource);
      expect(found(before)).toEqual([`${METHOD_RESPONSE} get-items-200`, `${INTEGRATION_RESPONSE} get-items-200-integration`]);
      expect(found(saved(before))).toEqual(found(before));
      // The topic replaced delete-first (its name set by hand, the bridge's answer): its branch deletes the responses
      // before it (step_generator.go findDependentCascadeReplacements), so they are re-created only.
      expect(found(before, [restApi, resource, method, { ...topic, inputs: { name: "errors-2" } }, ...withTopic])).toEqual([]);
    });

    it("passes responses replaced delete-first, updated in place, moved to another status code, and deleted first with their method", () => {
      expect(transition(deployed, [restApi, resource, method, ...replacedResponses({ deleteBeforeReplace: true })]).map((f) => f.rule)).not.toContain(RULE);
      expect(transition(deployed, [restApi, resource, method, ...replacedResponses({ replaceOnChanges: [] })]).map((f) => f.rule)).not.toContain(RULE);
      const otherStatus = replacedResponses().map((r) => ({ ...r, inputs: { ...r.inputs, statusCode: "201" } }));
      expect(transition(deployed, [restApi, resource, method, ...otherStatus]).map((f) => f.rule)).not.toContain(RULE);
      // The method replaced delete-first, and the deployed responses' httpMethod its output: the engine deletes them
      // before it (calculateDependentReplacements reads the deployed state's property dependencies).
      const fromMethod = { propertyDependencies: { httpMethod: [method.urn] } };
      const withMethodOutput = replacedResponses(fromMethod);
      const deployedFromMethod = [restApi, resource, method, { ...methodResponse, ...fromMethod }, { ...integrationResponse, ...fromMethod }];
      expect(transition(deployedFromMethod, [restApi, resource, { ...replaced, deleteBeforeReplace: true }, ...withMethodOutput]).map((f) => f.rule)).not.toContain(RULE);
      // Only the new copies take it: the deployed ones are not in the method's branch, and are replaced create-first.
      expect(transition(deployed, [restApi, resource, { ...replaced, deleteBeforeReplace: true }, ...withMethodOutput]).filter((f) => f.rule === RULE).map((f) => f.resource)).toEqual([`${METHOD_RESPONSE} get-items-200`, `${INTEGRATION_RESPONSE} get-items-200-integration`]);
      // Nor does an ignored httpMethod: the engine's Diff for the dependents resets it.
      const ignored = { ...fromMethod, ignoreChanges: ["httpMethod"] };
      const deployedIgnored = [restApi, resource, method, { ...methodResponse, ...ignored }, { ...integrationResponse, ...ignored }];
      expect(transition(deployedIgnored, [restApi, resource, { ...replaced, deleteBeforeReplace: true }, ...replacedResponses(ignored)]).filter((f) => f.rule === RULE).map((f) => f.resource)).toEqual([`${METHOD_RESPONSE} get-items-200`, `${INTEGRATION_RESPONSE} get-items-200-integration`]);
      // Deleted first with the method, a response the program keeps unchanged is re-created: no finding either.
      expect(transition(deployedFromMethod, [restApi, resource, { ...replaced, deleteBeforeReplace: true }, { ...methodResponse, ...fromMethod }, { ...integrationResponse, ...fromMethod }]).map((f) => f.rule)).not.toContain(RULE);
      // The method's own fix: responses given replaceWith: [method] (their keys written out, no property dependency on
      // it), the method replaced delete-first: its delete-before-replace branch deletes every resource whose replaceWith
      // names it before it (pulumi step_generator.go findDependentCascadeReplacements), so they are re-created only.
      const withReplaceWith = [methodResponse, integrationResponse].map((r) => ({ ...r, replaceWith: [method.urn] }));
      expect(transition(deployed, [restApi, resource, { ...replaced, deleteBeforeReplace: true }, ...withReplaceWith]).map((f) => f.rule)).not.toContain(RULE);
      // The method replaced create-first: so are they, on their own keys (the method's own finding, and theirs).
      expect(transition(deployed, [restApi, resource, replaced, ...withReplaceWith]).filter((f) => f.rule === RULE).map((f) => f.resource)).toEqual([`${METHOD} get-items`, `${METHOD_RESPONSE} get-items-200`, `${INTEGRATION_RESPONSE} get-items-200-integration`]);
    });
  });
});
