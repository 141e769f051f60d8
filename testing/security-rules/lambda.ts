import { LAMBDA_RUNTIME } from "../../components/lambda/function";
import { ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type Finding, type SecurityRule } from "./rule";

/** L1: every function runs the current Node.js runtime. */
export const L1: SecurityRule = {
  id: "L1",
  title: "Lambda functions use the latest Node.js runtime",
  check(graph) {
    return ofType(graph, "aws:lambda/function:Function")
      .filter((fn) => fn.inputs.runtime !== LAMBDA_RUNTIME)
      .map((fn) => finding("L1", fn, `runs ${fn.inputs.runtime ?? "(no runtime)"}, not ${LAMBDA_RUNTIME}`));
  },
};

/** Every function (except Lambda@Edge, which logs per edge region) writes to a log group with retention. */
export const LAMBDA_LOG_RETENTION: SecurityRule = {
  id: "LambdaLogRetention",
  title: "Lambda functions log to a log group with retention",
  check(graph) {
    const groups = new Map(ofType(graph, "aws:cloudwatch/logGroup:LogGroup").map((g) => [g.state.name, g]));
    const findings: Finding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function")) {
      if (isEdgeFunction(graph, fn)) continue;
      const group = groups.get(fn.inputs.loggingConfig?.logGroup);
      if (!group) findings.push(finding("LambdaLogRetention", fn, "does not log to a log group of this program"));
      else if (!group.inputs.retentionInDays) findings.push(finding("LambdaLogRetention", group, "keeps logs forever (no retentionInDays)"));
    }
    return findings;
  },
};

/** Lambda@Edge functions are the ones whose role trusts edgelambda.amazonaws.com. */
export function isEdgeFunction(graph: Graph, fn: RecordedResource): boolean {
  const role = ofType(graph, "aws:iam/role:Role").find((r) => r.state.arn === fn.inputs.role);
  const trust = role ? policyDocument(role.inputs.assumeRolePolicy).Statement : [];
  return trust.some((s) => JSON.stringify(s.Principal ?? {}).includes("edgelambda.amazonaws.com"));
}
