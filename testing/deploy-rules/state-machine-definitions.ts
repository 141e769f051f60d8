/**
 * Reading recorded state machines' definitions, for the Step Functions deploy and security rules (not part of the
 * rule packs' exports).
 */
import { asArray, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";

/** Every Task state of a definition (Parallel branches and Map processors included), with its name. */
export function* taskStates(definition: unknown): Generator<[string, Record<string, any>]> {
  const visit = function* (states: unknown): Generator<[string, Record<string, any>]> {
    if (typeof states !== "object" || states === null) return;
    for (const [name, state] of Object.entries(states as Record<string, any>)) {
      if (typeof state !== "object" || state === null) continue;
      if (state.Type === "Task") yield [name, state];
      for (const branch of asArray<any>(state.Branches)) yield* visit(branch?.States);
      yield* visit(state.ItemProcessor?.States);
      yield* visit(state.Iterator?.States);
    }
  };
  yield* visit((definition as { States?: unknown } | undefined)?.States);
}

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
