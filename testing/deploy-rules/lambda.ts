/** Lambda deploy rules: the function configuration quotas CreateFunction and UpdateFunctionConfiguration enforce. */
import { ofType } from "../../local/offline/graph";
import { finding, type DeployFinding, type DeployRule } from "./rule";

/**
 * Lambda quotas, "Function configuration, deployment, and execution": memory 128 MB–10,240 MB in
 * 1-MB increments, timeout 900 seconds, /tmp storage 512 MB–10,240 MB, environment variables
 * 4 KB "for all environment variables associated with the function, in aggregate", 5 layers.
 * Lambda measures the variables as their JSON serialisation (its error quotes the "String measured").
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
      }
      const layers: unknown[] = i.layers ?? [];
      if (layers.length > 5) report(`has ${layers.length} layers; Lambda allows 5`, "merge layers or bundle their code");
    }
    return findings;
  },
};

export const LAMBDA_RULES: DeployRule[] = [LAMBDA_LIMITS];
