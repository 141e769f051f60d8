/**
 * What a rule target receives under `npm start`, as EventBridge shapes it
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html): the whole event; a
 * constant `input`; the part of the event an `inputPath` selects; or an input transformer's template with its `<name>`
 * placeholders filled from the event's values at `inputPaths` and the predefined variables.
 *
 * The template: a JSON template (an object or an array) has each placeholder outside a string replaced by the value as
 * JSON (a string quoted), and each placeholder inside a string by the value's text, unescaped ("EventBridge doesn't
 * escape values extracted by Input Path"); the result is read back as JSON, minified. Any other template gives its
 * text with the placeholders filled, quotes and all: the page's examples turn `"<aws.events.rule-name> triggered"` into
 * `"example triggered"`, quoted (a function then gets a JSON string, a queue the quoted text). A path that matches nothing
 * makes no variable (the page's common issues): its placeholder is left empty in a string, null outside one (AWS's
 * exact output there is not documented). <aws.events.event> is the event without `detail`, <aws.events.event.json>
 * the whole event, <aws.events.event.ingestion-time> when the local EventBridge received it (not the entry's own Time).
 */
import type { EventBusTargetInputSpec } from "../components/event-bus/spec";
import { ingestionTime, type EventBridgeEvent } from "./eventbridge-server";

/** The rule a delivery is made for: the predefined variables name it. */
export interface TargetRule {
  arn: string;
  name: string;
}

/** What the target gets: the event or the shaped input, as text (JSON, or a string template's text). */
export function targetInputText(spec: EventBusTargetInputSpec, event: EventBridgeEvent, rule: TargetRule): string {
  if (spec.input !== undefined) return spec.input;
  if (spec.inputPath !== undefined) return JSON.stringify(jsonPath(event, spec.inputPath) ?? null);
  if (spec.inputTransformer !== undefined) return fillTemplate(spec.inputTransformer.inputTemplate, variables(spec.inputTransformer.inputPaths, event, rule));
  return JSON.stringify(event);
}

/** What a Lambda target is invoked with: the input as JSON when it is JSON, else its text (a string template's). */
export function targetInputValue(spec: EventBusTargetInputSpec, event: EventBridgeEvent, rule: TargetRule): unknown {
  const text = targetInputText(spec, event, rule);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function variables(paths: Record<string, string>, event: EventBridgeEvent, rule: TargetRule): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(paths)) {
    const value = jsonPath(event, path);
    if (value !== undefined) values.set(name, value);
  }
  const { detail: _detail, ...withoutDetail } = event as unknown as Record<string, unknown>;
  values.set("aws.events.rule-arn", rule.arn);
  values.set("aws.events.rule-name", rule.name);
  values.set("aws.events.event.ingestion-time", ingestionTime(event));
  values.set("aws.events.event", withoutDetail);
  values.set("aws.events.event.json", event);
  return values;
}

/**
 * The value at a JSON path of EventBridge's supported syntax (dot notation, dashes, underscores, array indices,
 * wildcards): `$`, `$.detail.photo-id`, `$.resources[0]`, `$.detail.items[*].id` (a wildcard gives the list of matches).
 * Undefined when nothing matches.
 */
export function jsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith("$")) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+|\*)\]/g)].map((m) => m[1] ?? m[2]);
  let current: unknown[] = [root];
  let wildcard = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== "object") continue;
      if (step === "*") {
        wildcard = true;
        next.push(...(Array.isArray(value) ? value : Object.values(value)));
      } else if (Array.isArray(value) && /^\d+$/.test(step)) {
        if (Number(step) < value.length) next.push(value[Number(step)]);
      } else if (Object.hasOwn(value, step)) {
        next.push((value as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  if (wildcard) return current.length > 0 ? current : undefined;
  return current[0];
}

/** The template with its placeholders filled (see the module's comment). */
export function fillTemplate(template: string, values: ReadonlyMap<string, unknown>): string {
  const trimmed = template.trim();
  const json = trimmed.startsWith("{") || trimmed.startsWith("[");
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "\\" && inString) {
      out += c + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    const placeholder = c === "<" ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (!placeholder) {
      out += c;
      continue;
    }
    const value = values.get(placeholder[1]);
    out += inString || !json ? (value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value)) : value === undefined ? "null" : JSON.stringify(value);
    i += placeholder[0].length - 1;
  }
  if (json) {
    try {
      return JSON.stringify(JSON.parse(out));
    } catch {
      return out;
    }
  }
  return out;
}
