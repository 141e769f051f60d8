/**
 * Reading recorded state machines' definitions, for the Step Functions deploy and security rules (not part of the
 * rule packs' exports). The walk of a definition's states is
 * components/workflow/definition.ts's (taskStates, definitionStates).
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";

/** Each state machine of the graph whose definition the plan knows and is JSON, with the definition parsed. */
export function* parsedDefinitions(graph: Graph): Generator<[RecordedResource, unknown]> {
  for (const stateMachine of ofType(graph, "aws:sfn/stateMachine:StateMachine")) {
    if (typeof stateMachine.inputs.definition !== "string") continue;
    try {
      yield [stateMachine, JSON.parse(stateMachine.inputs.definition)];
    } catch {
      continue;
    }
  }
}
