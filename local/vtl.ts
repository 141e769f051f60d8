/**
 * API Gateway's mapping templates (VTL) under `npm start`, rendered with velocityjs (as serverless-offline renders
 * them) with the variables API Gateway gives a template
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 *
 * - `$input.body`: "the raw request payload as a string"; `$input.json(x)`: "evaluates a JSONPath expression and returns
 *   the results as a JSON string"; `$input.path(x)`: the result as an object, "to access and manipulate elements of the
 *   payload natively"; `$input.params()`: "a map of all the request parameters" (`path`, `querystring`, `header`);
 *   `$input.params(x)`: "the value of a method request parameter from the path, query string, or header value
 *   (searched in that order)".
 * - `$util.escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`, `base64Decode`.
 * - `$context.*` (the request's context: requestId, identity.sourceIp, requestTimeEpoch, stage, httpMethod,
 *   resourcePath, authorizer.*, …), with `$context.responseOverride.status` and `.header.<name>` a response template
 *   may set, and `$context.requestOverride.header.<name>`, `.querystring.<name>`, `.path.<name>` a request template may;
 *   `$stageVariables.<name>`.
 *
 * What differs from AWS's Velocity (1.7, on Java) is listed in docs/local-vs-aws.md: velocityjs runs JavaScript values,
 * so Java methods on strings (`replaceAll`, `matches`, `length()`, …) are emulated here for the common ones only.
 */
import velocity from "velocityjs";

const { Compile, parse } = velocity;

/** The request (or, for a response template, the integration's answer) a template reads. */
export interface MappingTemplateInput {
  /** `$input.body`: the payload as text. */
  body: string;
  /** `$input.params()`: the method request's parameters, one value each (the last of a repeated one). */
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
  /** `$context`: the request context (as the proxy event's requestContext carries it). */
  context: Record<string, unknown>;
  /** `$stageVariables`. */
  stageVariables: Record<string, string>;
}

/** What a template set through `$context.responseOverride` (response templates; AWS ignores it in request templates). */
export interface ResponseOverride {
  status?: number;
  header: Record<string, string>;
}

/** What a request template set through `$context.requestOverride`: the integration request's headers, query string and path parameters. */
export interface RequestOverride {
  header: Record<string, string>;
  querystring: Record<string, string>;
  path: Record<string, string>;
}

export interface RenderedTemplate {
  output: string;
  responseOverride: ResponseOverride;
  requestOverride: RequestOverride;
}

/** A template API Gateway would refuse to run (a body `$input.json` cannot parse, a template that does not parse). */
export class MappingTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MappingTemplateError";
  }
}

/**
 * The subset of JSONPath API Gateway's templates use: `$`, `.name`, `['name']`/`["name"]`, `[n]` and `[*]`/`.*`, and
 * `..name` (deep scan). A path that matches nothing is undefined; a wildcard or deep scan yields a list.
 */
export function jsonPath(document: unknown, path: string): unknown {
  const expression = path.trim();
  if (!expression.startsWith("$")) throw new MappingTemplateError(`JSONPath ${JSON.stringify(path)} does not start with $`);
  let values: unknown[] = [document];
  let multiple = false;
  const tokens = /\.\.([A-Za-z0-9_$-]+|\*)|\.([A-Za-z0-9_$-]+|\*)|\[\s*(?:'([^']*)'|"([^"]*)"|(-?\d+)|(\*))\s*\]/gy;
  tokens.lastIndex = 1;
  while (tokens.lastIndex < expression.length) {
    const at = tokens.lastIndex;
    const token = tokens.exec(expression);
    if (!token || token.index !== at) throw new MappingTemplateError(`JSONPath ${JSON.stringify(path)} is not one API Gateway's templates can read here (at ${JSON.stringify(expression.slice(at))})`);
    const [, deep, name, single, double, index, star] = token;
    if (deep !== undefined) {
      multiple = true;
      values = values.flatMap((value) => deepScan(value, deep));
      continue;
    }
    const key = name ?? single ?? double ?? index ?? star;
    if (key === "*") {
      multiple = true;
      values = values.flatMap((value) => (Array.isArray(value) ? value : value && typeof value === "object" ? Object.values(value) : []));
      continue;
    }
    values = values.flatMap((value) => {
      if (Array.isArray(value) && index !== undefined) {
        const i = Number(index);
        const item = value[i < 0 ? value.length + i : i];
        return item === undefined ? [] : [item];
      }
      return value && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, key!) ? [(value as Record<string, unknown>)[key!]] : [];
    });
  }
  return multiple ? values : values[0];
}

function deepScan(value: unknown, key: string): unknown[] {
  if (!value || typeof value !== "object") return [];
  const found: unknown[] = [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [k, v] of entries) {
    if (key === "*" || (!Array.isArray(value) && k === key)) found.push(v);
    found.push(...deepScan(v, key));
  }
  return found;
}

/**
 * A value as Java's Velocity prints it: a map as `{key=value, ...}` (java.util.Map's toString), a list as JSON (what
 * API Gateway prints for `$input.path` lists, as LocalStack's parity tests recorded it: VTLJsonList,
 * localstack-core/localstack/services/apigateway/next_gen/execute_api/template_mapping.py). Applied to what
 * `$input.path` and `$util.parseJson` return, so `"$input.path('$')"` does not print `[object Object]`.
 */
function javaLike(value: unknown): unknown {
  if (Array.isArray(value)) {
    const list = value.map(javaLike);
    Object.defineProperty(list, "toString", { value: () => JSON.stringify(value), enumerable: false });
    return list;
  }
  if (value && typeof value === "object") {
    const map: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) map[k] = javaLike(v);
    Object.defineProperty(map, "toString", { value: () => `{${Object.entries(map).map(([k, v]) => `${k}=${String(v)}`).join(", ")}}`, enumerable: false });
    return map;
  }
  return value;
}

/**
 * `$util.escapeJavaScript`: "Escapes the characters in a string using JavaScript string rules. Note: This function will
 * turn any regular single quotes (') into escaped ones (\')" (the reference page). As Apache Commons Lang's
 * StringEscapeUtils.escapeJavaScript (which the name and the quote rule match; AWS does not name its implementation):
 * `"`, `'`, `\` and `/` get a backslash, \b \t \n \f \r their escapes, other control characters and everything beyond
 * ASCII `\uXXXX` (upper-case hex).
 */
export function escapeJavaScript(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  let out = "";
  for (const ch of text) {
    for (let i = 0; i < ch.length; i++) {
      const code = ch.charCodeAt(i);
      const c = ch[i];
      if (code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
      else if (c === "\b") out += "\\b";
      else if (c === "\n") out += "\\n";
      else if (c === "\t") out += "\\t";
      else if (c === "\f") out += "\\f";
      else if (c === "\r") out += "\\r";
      else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
      else if (c === '"' || c === "'" || c === "\\" || c === "/") out += `\\${c}`;
      else out += c;
    }
  }
  return out;
}

/** `$util`: the functions API Gateway documents. */
const UTIL = {
  escapeJavaScript,
  parseJson: (text: unknown) => {
    try {
      return javaLike(JSON.parse(String(text)));
    } catch {
      throw new MappingTemplateError(`$util.parseJson: ${JSON.stringify(String(text).slice(0, 60))} is not JSON`);
    }
  },
  // "Converts a string into "application/x-www-form-urlencoded" format": Java's URLEncoder, spaces as +, and only
  // letters, digits and . - * _ kept (encodeURIComponent also keeps ! ' ( ) ~).
  urlEncode: (text: unknown) => encodeURIComponent(String(text ?? "")).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+"),
  urlDecode: (text: unknown) => decodeURIComponent(String(text ?? "").replace(/\+/g, " ")),
  base64Encode: (text: unknown) => Buffer.from(String(text ?? ""), "utf8").toString("base64"),
  base64Decode: (text: unknown) => Buffer.from(String(text ?? ""), "base64").toString("utf8"),
};

/** Java String methods templates call that JavaScript strings lack or run differently (Java's regex semantics assumed close to JavaScript's). */
const JAVA_STRING_METHODS: Record<string, (text: string, ...args: unknown[]) => unknown> = {
  replaceAll: (text, regex, replacement) => text.replace(new RegExp(String(regex), "g"), String(replacement).replace(/\$(\d)/g, "$$$1")),
  replaceFirst: (text, regex, replacement) => text.replace(new RegExp(String(regex)), String(replacement)),
  // Java's replace(CharSequence, CharSequence) replaces every occurrence, literally.
  replace: (text, target, replacement) => text.split(String(target)).join(String(replacement)),
  matches: (text, regex) => new RegExp(`^(?:${String(regex)})$`).test(text),
  contains: (text, part) => text.includes(String(part)),
  equals: (text, other) => text === other,
  equalsIgnoreCase: (text, other) => typeof other === "string" && text.toLowerCase() === other.toLowerCase(),
  length: (text) => text.length,
  isEmpty: (text) => text.length === 0,
  split: (text, regex) => text.split(new RegExp(String(regex))),
};

const CUSTOM_METHODS = [
  {
    uid: "java-string",
    match: ({ property, context }: { property: string; context: unknown }) => typeof context === "string" && Object.hasOwn(JAVA_STRING_METHODS, property),
    resolve: ({ property, context, params }: { property: string; context: string; params: unknown[] }) => JAVA_STRING_METHODS[property](context, ...params),
  },
];

/** `$input` over one payload and its request's parameters. */
function inputVariable(input: MappingTemplateInput) {
  let parsed: { value: unknown } | undefined;
  const document = () => {
    if (!parsed) {
      // An empty body reads as {} (LocalStack's VelocityInput: `if not self.value: return {}`).
      if (input.body.trim() === "") parsed = { value: {} };
      else {
        try {
          parsed = { value: JSON.parse(input.body) };
        } catch {
          throw new MappingTemplateError("the payload is not JSON, which $input.json and $input.path read");
        }
      }
    }
    return parsed.value;
  };
  const headerOf = (name: string) => Object.entries(input.params.header).find(([header]) => header.toLowerCase() === name.toLowerCase())?.[1];
  return {
    body: input.body,
    json: (path: unknown) => JSON.stringify(jsonPath(document(), String(path ?? "$"))) ?? "null",
    path: (path: unknown) => javaLike(jsonPath(document(), String(path ?? "$"))),
    params: (name?: unknown) => {
      if (name === undefined) return { path: { ...input.params.path }, querystring: { ...input.params.querystring }, header: { ...input.params.header } };
      const key = String(name);
      return input.params.path[key] ?? input.params.querystring[key] ?? headerOf(key) ?? "";
    },
  };
}

/**
 * Renders one mapping template. References with no value render empty (as `$!ref`), as API Gateway prints a missing
 * `$context.authorizer.claims.<claim>` or `$input.params('<absent>')`; a template velocityjs cannot parse, or an
 * `$input.json`/`$input.path` over a body that is not JSON, throws MappingTemplateError.
 */
export function renderMappingTemplate(template: string, input: MappingTemplateInput): RenderedTemplate {
  const responseOverride: { status?: number; header: Record<string, string> } = { header: {} };
  const requestOverride: RequestOverride = { header: {}, querystring: {}, path: {} };
  const context = { ...structuredClone(input.context), responseOverride, requestOverride };
  let compiled: InstanceType<typeof Compile>;
  try {
    compiled = new Compile(parse(template), { escape: false, customMethodHandlers: CUSTOM_METHODS });
  } catch (error) {
    throw new MappingTemplateError(`the template does not parse: ${(error as Error).message.split("\n")[0]}`);
  }
  let output: string;
  try {
    output = compiled.render({ input: inputVariable(input), util: UTIL, context, stageVariables: { ...input.stageVariables } }, undefined, true);
  } catch (error) {
    if (error instanceof MappingTemplateError) throw error;
    throw new MappingTemplateError((error as Error).message);
  }
  const status = Number(responseOverride.status);
  const header = Object.fromEntries(Object.entries(responseOverride.header ?? {}).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
  const strings = (values: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
  return {
    output,
    responseOverride: { ...(Number.isInteger(status) && status >= 100 && status <= 599 ? { status } : {}), header },
    requestOverride: { header: strings(requestOverride.header), querystring: strings(requestOverride.querystring), path: strings(requestOverride.path) },
  };
}

/** The media type a Content-Type names, lower-cased, without parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0].trim().toLowerCase();
  return type ? type : undefined;
}

export type PassthroughBehavior = "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";

/**
 * The request template API Gateway picks for a request, or what it does without one
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html): the template
 * keyed by the request's Content-Type (none: application/json); with no such template, WHEN_NO_MATCH passes the body
 * through, WHEN_NO_TEMPLATES passes it through only when no template is defined at all, and NEVER (and
 * WHEN_NO_TEMPLATES with templates) rejects it with 415 Unsupported Media Type.
 */
export function selectRequestTemplate(templates: Record<string, string>, contentType: string | undefined, passthrough: PassthroughBehavior): { template: string } | "passthrough" | "unsupported" {
  const type = mediaType(contentType) ?? "application/json";
  const key = Object.keys(templates).find((k) => k.toLowerCase() === type);
  if (key !== undefined) return { template: templates[key] };
  if (passthrough === "WHEN_NO_MATCH") return "passthrough";
  if (passthrough === "WHEN_NO_TEMPLATES" && Object.keys(templates).length === 0) return "passthrough";
  return "unsupported";
}

/**
 * The response template of an integration response, by the client's Accept header: a template keyed by one of the
 * media types it accepts, else application/json's, else the first (API Gateway's default content type is
 * application/json). Undefined without templates.
 */
export function selectResponseTemplate(templates: Record<string, string>, accept: string | undefined): { contentType: string; template: string } | undefined {
  const keys = Object.keys(templates);
  if (keys.length === 0) return undefined;
  const accepted = (accept ?? "").split(",").map((part) => mediaType(part)).filter((t): t is string => Boolean(t));
  const key = keys.find((k) => accepted.includes(k.toLowerCase())) ?? keys.find((k) => k.toLowerCase() === "application/json") ?? keys[0];
  return { contentType: key, template: templates[key] };
}
