/**
 * Security rules over a recorded resource graph, after cdk-nag's AwsSolutions pack.
 * Each rule is a function from the graph to findings; an empty list passes.
 */
import { ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";

export interface Finding {
  rule: string;
  /** `type name` of the offending resource. */
  resource: string;
  problem: string;
}

export interface RuleContext {
  stack: string;
  /** Production stacks must also retain and protect data. */
  production: boolean;
}

export interface SecurityRule {
  id: string;
  title: string;
  check(graph: Graph, context: RuleContext): Finding[];
}

export function finding(rule: string, resource: RecordedResource, problem: string): Finding {
  return { rule, resource: `${resource.type} ${resource.name}`, problem };
}

/** Every Allow statement of the plan's role policies and managed policies, with the policy that carries it. */
export function allowStatements(graph: Graph): Array<{ carrier: RecordedResource; statement: Record<string, any> }> {
  return [...ofType(graph, "aws:iam/rolePolicy:RolePolicy"), ...ofType(graph, "aws:iam/policy:Policy")].flatMap((carrier) =>
    policyDocument(carrier.inputs.policy)
      .Statement.filter((statement) => (statement.Effect ?? "Allow") === "Allow")
      .map((statement) => ({ carrier, statement })),
  );
}
