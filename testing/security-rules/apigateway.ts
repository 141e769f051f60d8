/** API Gateway rules after cdk-nag's AwsSolutions APIG1, APIG2, APIG4 and APIG6, over the recorded graph. */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type Finding, type SecurityRule } from "./rule";

const STAGE = "aws:apigateway/stage:Stage";
const METHOD = "aws:apigateway/method:Method";
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** APIG1: every stage writes access logs (a destination and a format). */
export const APIG1: SecurityRule = {
  id: "APIG1",
  title: "API Gateway stages have access logging",
  check(graph) {
    return ofType(graph, STAGE)
      .filter((stage) => !stage.inputs.accessLogSettings?.destinationArn || !stage.inputs.accessLogSettings?.format)
      .map((stage) => finding("APIG1", stage, "has no access logging"));
  },
};

/** APIG2: requests are validated — every method has a validator; methods with a body validate it against a model. */
export const APIG2: SecurityRule = {
  id: "APIG2",
  title: "API Gateway methods validate requests",
  check(graph) {
    const validators = new Map(ofType(graph, "aws:apigateway/requestValidator:RequestValidator").map((v) => [v.id, v]));
    const findings: Finding[] = [];
    for (const method of ofType(graph, METHOD)) {
      if (method.inputs.httpMethod === "OPTIONS") continue;
      const validator = validators.get(method.inputs.requestValidatorId);
      if (!validator) {
        findings.push(finding("APIG2", method, `${method.inputs.httpMethod} has no request validator`));
        continue;
      }
      if (BODY_METHODS.has(method.inputs.httpMethod) && (!validator.inputs.validateRequestBody || !Object.keys(method.inputs.requestModels ?? {}).length)) {
        findings.push(finding("APIG2", method, `${method.inputs.httpMethod} does not validate its body against a model`));
      }
    }
    return findings;
  },
};

/** Full resource path of a method (`/api/albums/{albumId}`), from the recorded resource tree. */
export function methodPath(graph: Graph, method: RecordedResource): string | undefined {
  const resources = new Map(ofType(graph, "aws:apigateway/resource:Resource").map((r) => [r.id, r]));
  const roots = new Set(ofType(graph, "aws:apigateway/restApi:RestApi").map((a) => a.state.rootResourceId));
  const parts: string[] = [];
  let id: string | undefined = method.inputs.resourceId;
  while (id && !roots.has(id)) {
    const resource = resources.get(id);
    if (!resource) return undefined;
    parts.unshift(resource.inputs.pathPart);
    id = resource.inputs.parentId;
  }
  return `/${parts.join("/")}`;
}

/**
 * APIG4: every method is authorised (IAM, Cognito or a Lambda authorizer), except
 * CORS preflights and methods documented as public on purpose (a DocumentationPart
 * with `x-public: true` at the method's location — ServerlessApi writes one for `auth: "none"`).
 */
export const APIG4: SecurityRule = {
  id: "APIG4",
  title: "API Gateway methods are authorised (or documented public)",
  check(graph) {
    const publicMethods = new Set(
      ofType(graph, "aws:apigateway/documentationPart:DocumentationPart")
        .filter((d) => d.inputs.location?.type === "METHOD" && JSON.parse(d.inputs.properties ?? "{}")["x-public"] === true)
        .map((d) => `${d.inputs.restApiId} ${d.inputs.location.method} ${d.inputs.location.path}`),
    );
    const findings: Finding[] = [];
    for (const method of ofType(graph, METHOD)) {
      if (method.inputs.httpMethod === "OPTIONS" || (method.inputs.authorization ?? "NONE") !== "NONE") continue;
      const verb = method.inputs.httpMethod === "ANY" ? "*" : method.inputs.httpMethod;
      if (publicMethods.has(`${method.inputs.restApi} ${verb} ${methodPath(graph, method)}`)) continue;
      findings.push(finding("APIG4", method, `${method.inputs.httpMethod} ${methodPath(graph, method) ?? "?"} has no authorisation and is not documented public`));
    }
    return findings;
  },
};

/** APIG6: every stage logs execution (ERROR or INFO) for all methods. */
export const APIG6: SecurityRule = {
  id: "APIG6",
  title: "API Gateway stages have execution logging",
  check(graph) {
    const settings = ofType(graph, "aws:apigateway/methodSettings:MethodSettings");
    return ofType(graph, STAGE)
      .filter(
        (stage) =>
          !settings.some(
            (s) => s.inputs.restApi === stage.inputs.restApi && s.inputs.stageName === stage.inputs.stageName && s.inputs.methodPath === "*/*" && ["ERROR", "INFO"].includes(s.inputs.settings?.loggingLevel),
          ),
      )
      .map((stage) => finding("APIG6", stage, "has no execution logging for */*"));
  },
};
