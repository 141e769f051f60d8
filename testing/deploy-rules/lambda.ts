/** Lambda deploy rules: the function configuration quotas CreateFunction and UpdateFunctionConfiguration enforce, and alias names CreateAlias accepts. */
import { ofType } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { LAMBDA_ENVIRONMENT_KEY } from "../../components/lambda/function";
import { LAMBDA_ALIAS_NAME_LENGTH } from "../../components/serverless-api/validate";
import { finding, type DeployFinding, type DeployRule } from "./rule";

/**
 * Lambda quotas, "Function configuration, deployment, and execution": memory 128 MB–10,240 MB in
 * 1-MB increments, timeout 900 seconds, /tmp storage 512 MB–10,240 MB, environment variables
 * 4 KB "for all environment variables associated with the function, in aggregate", 5 layers.
 * Lambda measures the variables as their JSON serialisation (its error quotes the "String measured"). Variable names
 * match `[a-zA-Z]([a-zA-Z0-9_])+` (API_Environment), so at least two characters.
 */
export const LAMBDA_LIMITS: DeployRule = {
  id: "LambdaLimits",
  title: "Lambda memory, timeout, /tmp, environment and layers are within Lambda's quotas",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function")) {
      const i = fn.inputs;
      const report = (problem: string, fix: string) => findings.push(finding("LambdaLimits", fn, problem, fix));
      if (i.memorySize !== undefined && !(Number.isInteger(i.memorySize) && i.memorySize >= 128 && i.memorySize <= 10240)) {
        report(`has memorySize ${i.memorySize}; Lambda takes a whole number of MB from 128 to 10240`, "set memorySize between 128 and 10240");
      }
      if (i.timeout !== undefined && !(Number.isInteger(i.timeout) && i.timeout >= 1 && i.timeout <= 900)) {
        report(`has timeout ${i.timeout}; Lambda takes 1 to 900 seconds`, "set timeout between 1 and 900 (use Step Functions or a queue for longer work)");
      }
      const storage = i.ephemeralStorage?.size;
      if (storage !== undefined && !(Number.isInteger(storage) && storage >= 512 && storage <= 10240)) {
        report(`has ${storage} MB of ephemeral storage; Lambda takes 512 to 10240 MB`, "set ephemeralStorage.size between 512 and 10240");
      }
      const variables = i.environment?.variables;
      if (variables) {
        const bytes = Buffer.byteLength(JSON.stringify(variables));
        if (bytes > 4096) report(`has ${bytes} bytes of environment variables; Lambda allows 4 KB in total`, "move large values to SSM Parameter Store or Secrets Manager, or into the bundle");
        const badKeys = Object.keys(variables).filter((key) => !LAMBDA_ENVIRONMENT_KEY.test(key));
        if (badKeys.length > 0) report(`has environment variable names Lambda refuses (${badKeys.join(", ")}): a name is at least two letters, digits and underscores, starting with a letter`, "rename them (e.g. A → A_VALUE)");
      }
      const layers: unknown[] = i.layers ?? [];
      if (layers.length > 5) report(`has ${layers.length} layers; Lambda allows 5`, "merge layers or bundle their code");
    }
    return findings;
  },
};

/**
 * CreateAlias, Name: "Length Constraints: Minimum length of 1. Maximum length of 128. Pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"
 * — letters, digits, hyphens and underscores, not all digits (an all-digit name would read as a version number).
 */
export const LAMBDA_ALIAS_NAME: DeployRule = {
  id: "LambdaAliasName",
  title: "Lambda alias names are 1–128 letters, digits, hyphens and underscores, not all digits",
  source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const alias of ofType(graph, "aws:lambda/alias:Alias")) {
      const name = String(alias.inputs.name ?? "");
      let problem: string | undefined;
      if (name.length < 1 || name.length > LAMBDA_ALIAS_NAME_LENGTH) problem = `has alias name "${name}" of ${name.length} characters; Lambda takes 1 to ${LAMBDA_ALIAS_NAME_LENGTH}`;
      else if (/^[0-9]+$/.test(name)) problem = `has alias name "${name}", all digits, which Lambda refuses (it would read as a version)`;
      else if (!/^[A-Za-z0-9_-]+$/.test(name)) problem = `has alias name "${name}"; Lambda alias names take only letters, digits, hyphens and underscores`;
      if (problem) findings.push(finding("LambdaAliasName", alias, problem, "rename the alias (for ServerlessApi: the stage, or the canary's stageVariableOverrides.alias) to e.g. prod or prod-canary"));
    }
    return findings;
  },
};

/**
 * A function kept on delete (`retainOnDelete`) must keep what it runs with: "Lambda automatically assumes your execution
 * role when you invoke your function" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html),
 * so a kept function whose role a destroy deleted fails every invocation, one whose inline policies or attached
 * policies were deleted loses their permissions, and one whose log group was deleted logs nowhere (its role may not
 * create one). Kept means `retainOnDelete`, or `deletedWith` the function (then deleted only when it is). For a
 * Lambda@Edge function, CloudFront's replicas keep running as the role after the distribution lets go of them.
 */
export const LAMBDA_RETAINED_FUNCTION_PARTS: DeployRule = {
  id: "LambdaRetainedFunctionParts",
  title: "A function kept on delete keeps its role, the role's policies and its log group",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function").filter((f) => f.retainOnDelete)) {
      const kept = (r: RecordedResource) => r.retainOnDelete || r.deletedWith === fn.urn;
      const report = (r: RecordedResource, what: string, consequence: string) =>
        findings.push(finding("LambdaRetainedFunctionParts", r, `is ${what} of ${fn.name}, which is kept on delete, but it is not: a destroy deletes it, and the kept function ${consequence}`, `give it retainOnDelete: true (or deletedWith: ${fn.name})`));
      const role = ofType(graph, "aws:iam/role:Role").find((r) => r.state.arn !== undefined && r.state.arn === fn.inputs.role);
      if (role) {
        if (!kept(role)) report(role, "the execution role", "cannot run");
        const roleNames = [role.id, role.state.name].filter((n) => n !== undefined);
        for (const policy of ofType(graph, "aws:iam/rolePolicy:RolePolicy").filter((p) => roleNames.includes(p.inputs.role) && !kept(p))) report(policy, "an inline policy of the role", "loses the permissions it grants");
        for (const attachment of ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => roleNames.includes(a.inputs.role) && !kept(a))) {
          report(attachment, "a policy attachment of the role", "loses the permissions it grants");
        }
      }
      const groupName = fn.inputs.loggingConfig?.logGroup;
      const logGroup = groupName === undefined ? undefined : ofType(graph, "aws:cloudwatch/logGroup:LogGroup").find((l) => l.state.name === groupName);
      if (logGroup && !kept(logGroup)) report(logGroup, "the log group", "logs nowhere");
    }
    return findings;
  },
};

export const LAMBDA_RULES: DeployRule[] = [LAMBDA_LIMITS, LAMBDA_ALIAS_NAME, LAMBDA_RETAINED_FUNCTION_PARTS];
