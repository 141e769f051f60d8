/**
 * The stack config `pulumi:autonaming` (Pulumi CLI ≥ 3.146, 3.143 with PULUMI_EXPERIMENTAL=1; pulumi-aws ≥ 6.66:
 * pulumi/pulumi CHANGELOG, pulumi/pulumi#1518): how the engine names a resource the program leaves unnamed, read from
 * the stack's config so the plan checks the names a `pulumi up` would make.
 *
 * What the engine does, read in pulumi/pulumi (pkg/resource/autonaming/strategy.go, pkg/cmd/pulumi/autonaming/
 * config.go, json.go and pattern.go, pkg/resource/deploy/step_generator.go) and pulumi-terraform-bridge
 * (pkg/tfbridge/info/autonaming.go ComputeAutoNameDefault), and
 * https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming-configuration:
 *
 * - The value holds either `mode` or `pattern` (with `enforce`), never both ("cannot specify both mode and
 *   pattern/enforce"), and `providers.<package>` with the same keys and `resources.<type token>`. The engine decodes
 *   it with encoding/json (config.go parseConfigSection), which matches these keys case-insensitively (`Mode:` is
 *   `mode:`; provider names and type tokens, map keys, exactly). Any other key is refused (`DisallowUnknownFields`), as
 *   is `enforce` without `pattern` ("pattern must be specified when enforce is true") and a `resources` entry with
 *   neither mode nor pattern ("mode or pattern must be specified for resource").
 *   The value must be an object: a string is refused even when it holds JSON (`pulumi:autonaming: '{"mode": ...}'`;
 *   sdk/go/common/resource/config: a Value that is not an object stays a string, which parseConfigSection's decoder
 *   cannot put in the struct: "cannot unmarshal string"). A null inside is unset (the engine decodes into pointers).
 *   Modes: `default` (as if unset), `verbatim`, `disabled` (not `disable`: "invalid naming mode").
 * - A resource's setting: `providers.<package>.resources.<type>`, else `providers.<package>` (a provider entry with
 *   neither mode nor pattern takes the root's: config.go `naming = rootNaming`), else the root, else default.
 * - `default`: pulumi-aws's own `<name>-<7 hex>` (names.ts).
 * - `verbatim`: the logical name, enforced: the provider takes it as it is (no lower-casing of a bucket's, no `.fifo`).
 * - `disabled`: the provider fails Check ("automatic naming is disabled but no explicit name was provided"): `pulumi
 *   preview` fails for every resource it would have autonamed.
 * - `pattern`: `${name}` is the logical name; `${hex(n)}`, `${alphanum(n)}`, `${string(n)}`, `${num(n)}` and `${uuid}`
 *   are random; `${organization}`, `${project}`, `${stack}` and `${config.<key>}` (the project's key, or a path into its
 *   structured value, `${config.team.name}`: configPathValue; "no value found for key" when unset) are the stack's
 *   (pattern.go resolveStackExpressions; `${org}` is not one: it stays as written). Proposed (the default): pulumi-aws
 *   applies its transform (a bucket's lower case), refuses a name over its
 *   maximum at Check ("calculated name '…' exceeds maximum length of N", so at preview) and appends its postfix (a
 *   FIFO queue's `.fifo`). With `enforce: true` the name is taken as it is.
 * - `verbatim`, `disabled` and a pattern with no random part make the engine replace the resource delete-first
 *   (AutonamingForResource returns deleteBeforeReplace, and the step generator sets it on every custom resource under
 *   that setting, over an explicit `deleteBeforeReplace: false` and whether or not the program names it): "resources
 *   that need to be replaced will be deleted before creating the new resource" (the docs page above). So the name
 *   does not collide with the old resource's on replacement, except where the old one is kept: a `retainOnDelete`
 *   resource is left in AWS under the name the new one needs, and the create fails (as it does on the next deployment
 *   after a destroy). Two stacks of the project in one account and region (any account for an S3 bucket) also make the
 *   same name when nothing in it tells them apart.
 * - A pattern whose random parts all have zero length (`${hex(0)}`) counts as random to the engine (generateName sets
 *   hasRandom when an expression is replaced, even by ""), so its resources are replaced create-first under a name that
 *   does not change: the create fails on the old resource's name (AutonamingEmptyRandom).
 */
import type { Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { apiDeploymentTriggerReplacedFirst } from "./deployment-triggers";
import { eventBridgeNames, EVENTBRIDGE_NAME_SPECS } from "./eventbridge";
import { physicalNameUnique } from "./name-collisions";
import { AUTONAMING_KEY, configuredNameFix, physicalName, physicalNameLimits, PHYSICAL_NAMES, type ConfiguredAutoname, type ConfiguredNaming } from "./names";
import { parsePropertyPathResult } from "./property-paths";
import { finding, type DeployFinding, type DeployRule } from "./rule";
import { SECURITY_GROUP } from "./security-groups";

export { AUTONAMING_KEY };
const DOCS = "https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming-configuration";

/** One setting of the config: the root's, a provider's or a resource type's. */
export type Autonamer = { mode: "default" } | { mode: "verbatim" } | { mode: "disabled" } | { mode: "pattern"; pattern: string; enforce: boolean; perStack: boolean };

export interface AutonamingConfig {
  root: Autonamer;
  /** `default` unset: the provider entry sets neither mode nor pattern, and its types (but `resources`) take the root's. */
  providers: Record<string, { default?: Autonamer; resources: Record<string, Autonamer> }>;
}

/** What the stack names things with, from its config (local/offline/config.ts StackConfig). */
export interface AutonamingStack {
  project: string;
  stack: string;
  /** Fully qualified config keys to string values (JSON for objects). */
  values: Record<string, string>;
  /** The keys whose value is an object (a mapping, list or null; the CLI's object Value), not a string written as JSON. */
  objectKeys: readonly string[];
}

const MODES = ["default", "verbatim", "disabled"] as const;
const NAMING_KEYS = ["mode", "pattern", "enforce"];

/**
 * The stack's `pulumi:autonaming`, or the config errors the engine would stop `pulumi preview` with (each naming the
 * key, the value and the fix). Undefined config: unset, Pulumi's default.
 */
export function parseAutonaming(stack: AutonamingStack): { config?: AutonamingConfig; errors: string[] } {
  const raw = stack.values[AUTONAMING_KEY];
  if (raw === undefined) return { errors: [] };
  // A string is decoded as a string even when it holds JSON (config.Value ToObject of a Value that is not an object),
  // and refused: parseConfigSection's decoder cannot put a JSON string in the config's struct.
  const value: unknown = stack.objectKeys.includes(AUTONAMING_KEY) ? JSON.parse(raw) : raw;
  const errors: string[] = [];
  const fail = (where: string, given: unknown, problem: string, fix: string, quoted = "") =>
    errors.push(`${AUTONAMING_KEY}${where} = ${JSON.stringify(given)} ${problem}: Pulumi refuses the config before \`pulumi preview\` runs${quoted}. Fix: ${fix} (${DOCS}).`);
  if (typeof value === "string" && isObject(jsonOrUndefined(value))) {
    fail("", value, "is a string holding JSON, not an object", `write it as a YAML mapping in the stack file (its keys indented under ${AUTONAMING_KEY}:), not a quoted string`, ' ("cannot unmarshal string")');
    return { errors };
  }
  if (!isObject(value)) {
    fail("", value, "is not an object of mode, pattern, enforce and providers", "set e.g. `pulumi:autonaming: { pattern: ${name}-${hex(7)} }`, or remove it for Pulumi's default");
    return { errors };
  }
  /** The entry's setting; "unset" when it sets neither mode nor pattern; undefined after a config error. */
  const naming = (where: string, entry: Record<string, unknown>, extra: string[]): Autonamer | "unset" | undefined => {
    const unknown = Object.keys(entry).filter((key) => ![...NAMING_KEYS, ...extra].some((known) => goFold(key) === goFold(known)));
    if (unknown.length > 0) {
      fail(where, entry, `has ${unknown.map((k) => JSON.stringify(k)).join(", ")}, which the engine does not know`, `keep to ${[...NAMING_KEYS, ...extra].join(", ")}`);
      return undefined;
    }
    const fields = decodedFields(entry);
    const [mode, pattern, enforce] = [fields.mode, fields.pattern, fields.enforce].map((v) => v ?? undefined);
    if (mode !== undefined && (pattern !== undefined || enforce !== undefined)) {
      fail(where, entry, "sets both mode and pattern/enforce (\"cannot specify both mode and pattern/enforce\")", "keep either mode or pattern");
      return undefined;
    }
    if (pattern !== undefined) {
      if (typeof pattern !== "string" || (enforce !== undefined && typeof enforce !== "boolean")) {
        fail(where, entry, "has a pattern that is not a string or an enforce that is not true or false", "set pattern to a string such as ${name}-${hex(7)}");
        return undefined;
      }
      const resolved = resolveStackExpressions(pattern, stack);
      if (typeof resolved !== "string") {
        for (const { key, problem } of resolved) {
          if (problem === "invalid") fail(`${where}.pattern`, pattern, `uses \${config.${key}}, which is not a config key path the engine reads ("invalid config key path")`, 'write it as ${config.<key>}, ${config.<key>.<field>}, ${config.<key>[<index>]} or ${config.<key>["<field>"]}');
          else fail(`${where}.pattern`, pattern, `uses \${config.${key}}, which the stack does not set ("no value found for key")`, `set ${stack.project}:${key} in Pulumi.${stack.stack}.yaml, or drop it from the pattern`);
        }
        return undefined;
      }
      return { mode: "pattern", pattern: resolved, enforce: enforce === true, perStack: pattern.includes("${stack}") };
    }
    if (enforce !== undefined) {
      fail(where, entry, 'sets enforce without a pattern ("pattern must be specified when enforce is true")', "add a pattern, e.g. pattern: ${name}-${hex(7)}, or drop enforce");
      return undefined;
    }
    if (mode === undefined) return "unset";
    if (!MODES.includes(mode as (typeof MODES)[number])) {
      const near = mode === "disable" ? "disabled" : undefined;
      fail(`${where}.mode`, mode, `is not a mode ("invalid naming mode")`, near ? `use mode: ${near}` : `use one of ${MODES.join(", ")}, or a pattern`);
      return undefined;
    }
    return { mode: mode as (typeof MODES)[number] };
  };
  const root = naming("", value, ["providers"]);
  const providers: AutonamingConfig["providers"] = {};
  const providersValue = decodedFields(value).providers ?? {};
  if (!isObject(providersValue)) fail(".providers", providersValue, "is not an object of provider names", "set e.g. providers: { aws: { pattern: ... } }");
  else
    for (const [name, entry] of Object.entries(providersValue)) {
      // A null entry decodes to the zero value: no setting of its own, so the root's.
      if (entry === null) continue;
      if (!isObject(entry)) {
        fail(`.providers.${name}`, entry, "is not an object", "set mode or pattern, and resources");
        continue;
      }
      const providerDefault = naming(`.providers.${name}`, entry, ["resources"]);
      const resources: Record<string, Autonamer> = {};
      const resourcesValue = decodedFields(entry).resources ?? {};
      if (!isObject(resourcesValue)) fail(`.providers.${name}.resources`, resourcesValue, "is not an object of type tokens", 'set e.g. resources: { "aws:s3/bucket:Bucket": { pattern: ... } }');
      else
        for (const [type, resourceEntry] of Object.entries(resourcesValue)) {
          const where = `.providers.${name}.resources["${type}"]`;
          if (!isObject(resourceEntry)) {
            fail(where, resourceEntry, "is not an object", "set mode or pattern");
            continue;
          }
          const resourceNaming = naming(where, resourceEntry, []);
          if (resourceNaming === "unset") fail(where, resourceEntry, 'sets neither mode nor pattern ("mode or pattern must be specified for resource")', "set mode or pattern, or remove the entry");
          else if (resourceNaming) resources[type] = resourceNaming;
        }
      if (providerDefault) providers[name] = providerDefault === "unset" ? { resources } : { default: providerDefault, resources };
    }
  if (errors.length > 0 || !root) return { errors };
  return { config: { root: root === "unset" ? { mode: "default" } : root, providers }, errors };
}

/** The setting of `type` (step 2 of the header), with where it was set for the messages. */
export function autonamerFor(config: AutonamingConfig, type: string): { naming: Autonamer; where: string } {
  const pkg = type.split(":")[0];
  const provider = config.providers[pkg];
  if (provider?.resources[type]) return { naming: provider.resources[type], where: `${AUTONAMING_KEY}.providers.${pkg}.resources["${type}"]` };
  if (provider?.default) return { naming: provider.default, where: `${AUTONAMING_KEY}.providers.${pkg}` };
  return { naming: config.root, where: AUTONAMING_KEY };
}

/**
 * Stand-ins are cut to this length: more than any name PHYSICAL_NAMES measures (the longest, a log group's, is 512),
 * so a name with a longer random part is still over every limit, and `${hex(999999999999)}` does not crash the plan.
 */
const STAND_IN_MAX = 2048;
const repeat = (c: string, n: number) => c.repeat(Math.min(n, STAND_IN_MAX));
/** A stand-in for each random expression, of its length (up to STAND_IN_MAX) and kind, and how the messages show it. */
const RANDOM_EXPRESSIONS: Array<{ pattern: RegExp; standIn: (n: number) => string }> = [
  { pattern: /\$\{hex\((\d+)\)\}/g, standIn: (n) => repeat("0", n) },
  { pattern: /\$\{alphanum\((\d+)\)\}/g, standIn: (n) => repeat("0", n) },
  { pattern: /\$\{string\((\d+)\)\}/g, standIn: (n) => repeat("a", n) },
  { pattern: /\$\{num\((\d+)\)\}/g, standIn: (n) => repeat("0", n) },
  { pattern: /\$\{uuid\}/g, standIn: () => "00000000-0000-0000-0000-000000000000" },
];

/** The organization is the Pulumi Cloud's, unknown offline: a stand-in of a plausible length. */
const ORGANIZATION_STAND_IN = "organization";

/** Why a `${config.<key>}` cannot be resolved: the engine's error for it. */
type ConfigProblem = { key: string; problem: "missing" | "invalid" };

/**
 * The pattern with the stack's expressions resolved, or every `${config.<key>}` that cannot be (the engine calls
 * getConfigValue for each match and stops with the last error; each is named here, so one fix clears them all).
 */
function resolveStackExpressions(pattern: string, stack: AutonamingStack): string | ConfigProblem[] {
  const failed: ConfigProblem[] = [];
  const resolved = pattern
    .replaceAll("${organization}", ORGANIZATION_STAND_IN)
    .replaceAll("${project}", stack.project)
    .replaceAll("${stack}", stack.stack)
    .replace(/\$\{config\.([^}]+)\}/g, (_, key: string) => {
      const value = configPathValue(stack, key);
      if (typeof value !== "string") failed.push({ key, problem: value.problem });
      return typeof value === "string" ? value : "";
    });
  return failed.length > 0 ? failed : resolved;
}

/**
 * The text of `${config.<key>}`, as the engine reads it (pulumi/pulumi pkg/cmd/pulumi/autonaming/pattern.go
 * newStackPatternEval: `cfg.Get(config.MustMakeKey(s.Project, key), true)`, a path lookup): sdk/go/common/resource/
 * config/map.go Map.Get parses `key` as a property path (resource.ParsePropertyPathStrict: `a.b`, `a[0]`, `a["b.c"]`),
 * takes its first segment as the project's config key, and walks the rest into that value's object (object.go
 * object.Get: a string key into a map, an integer into a list, nothing into anything else: "no value found for key").
 * The leaf's text is the string itself, else its JSON (plaintext.go marshalText: json.Marshal, a map's keys sorted).
 * A secret inside the value (`{ secure: "v1:…" }`, object.go isSecureValue: a CiphertextSecret) is decrypted by
 * pattern.go's `c.Value(decrypter)`, its plaintext put in the name; offline it is a stand-in, as a whole secret value is
 * (local/offline/config.ts: `offline-secret-for-<key>`, here the key and path joined by "-"), whose length is not the
 * secret's. Not modelled: Go's json.Marshal escapes <, > and & in strings (\u003c), which no name AWS takes holds anyway.
 */
function configPathValue(stack: AutonamingStack, key: string): string | { problem: "missing" | "invalid" } {
  // resource.ParsePropertyPathStrict: the engine's parser in its strict mode (property-paths.ts), which refuses `.[` too.
  const parsed = parsePropertyPathResult(key, { strict: true });
  const path = "path" in parsed ? parsed.path : undefined;
  if (!path || typeof path[0] !== "string" || path[0] === "") return { problem: "invalid" };
  const rootKey = `${stack.project}:${path[0]}`;
  const raw = stack.values[rootKey];
  if (raw === undefined) return { problem: "missing" };
  let value: unknown = stack.objectKeys.includes(rootKey) ? withSecretStandIns(JSON.parse(raw), [path[0]]) : raw;
  for (const segment of path.slice(1)) {
    if (Array.isArray(value) && typeof segment === "number" && segment >= 0 && segment < value.length) value = value[segment];
    else if (isObject(value) && typeof segment === "string" && Object.hasOwn(value, segment)) value = value[segment];
    else return { problem: "missing" };
  }
  return typeof value === "string" ? value : goJson(value);
}

/** `value` with each secret in it (a map of the one key `secure`, a string) made the offline stand-in for its path. */
function withSecretStandIns(value: unknown, path: Array<string | number>): unknown {
  if (Array.isArray(value)) return value.map((item, i) => withSecretStandIns(item, [...path, i]));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "secure" && typeof value.secure === "string") return `offline-secret-for-${path.join("-")}`;
  return Object.fromEntries(keys.map((k) => [k, withSecretStandIns(value[k], [...path, k])]));
}

/** JSON as Go's json.Marshal writes a decoded config value: compact, an object's keys sorted. */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${goJson(value[k])}`).join(",")}}`;
  return JSON.stringify(value);
}

/**
 * The name a pattern proposes for `logicalName`: with stand-ins for its random parts, shown with them as written (those
 * of zero length left out). `random`: some random part draws characters, so the name differs on each draw.
 * `createFirst`: the pattern has a random expression, which is what the engine counts (strategy.go generateName:
 * `hasRandom = hasRandom || newResult != result` per expression, true for `${hex(0)}`, replaced by ""), so it replaces
 * create-first (AutonamingForResource returns deleteBeforeReplace = !hasRandom); with `random` false too, under a name
 * that does not change.
 */
export function proposedName(pattern: string, logicalName: string): { name: string; shown: string; random: boolean; createFirst: boolean } {
  // A function, so a `$` in the logical name is not read as a replacement pattern (`$&`).
  let name = pattern.replaceAll("${name}", () => logicalName);
  let shown = name;
  let random = false;
  let createFirst = false;
  for (const { pattern: expression, standIn } of RANDOM_EXPRESSIONS) {
    name = name.replace(expression, (_, n?: string) => {
      const part = standIn(Number(n ?? 0));
      createFirst = true;
      if (part.length > 0) random = true;
      return part;
    });
    // A part of zero length is shown as what it draws: nothing.
    shown = shown.replace(expression, (whole: string, n?: string) => (n !== undefined && Number(n) === 0 ? "" : `<${whole.slice(2, -1)}>`));
  }
  return { name, shown, random, createFirst };
}

/** How `r` is named under `config` when the program leaves it unnamed; undefined for Pulumi's default. */
export function configuredNaming(config: AutonamingConfig): ConfiguredNaming {
  return (r: RecordedResource) => {
    const { naming, where } = autonamerFor(config, r.type);
    if (naming.mode === "default") return undefined;
    if (naming.mode === "disabled") return { disabled: true, key: where, setting: `${where} mode disabled` };
    if (naming.mode === "verbatim") return { proposed: r.name, shown: r.name, enforce: true, random: false, createFirst: false, perStack: false, key: where, setting: `${where} mode verbatim` };
    const { name, shown, random, createFirst } = proposedName(naming.pattern, r.name);
    return { proposed: name, shown, enforce: naming.enforce, random, createFirst, perStack: naming.perStack, key: where, setting: `${where} pattern ${JSON.stringify(naming.pattern)}${naming.enforce ? " (enforce)" : ""}` };
  };
}

/** Each autonamed resource of the plan (a PHYSICAL_NAMES or EventBridge type the program left unnamed) with its configured naming. */
function autonamed(graph: Graph, naming: ConfiguredNaming): Array<{ r: RecordedResource; configured: NonNullable<ReturnType<ConfiguredNaming>> }> {
  return [...PHYSICAL_NAMES, ...EVENTBRIDGE_NAME_SPECS].filter((spec) => spec.autoname).flatMap((spec) =>
    graph
      .filter((r) => r.type === spec.type && physicalName(spec, r)?.autonamed)
      .flatMap((r) => {
        const configured = naming(r);
        return configured ? [{ r, configured }] : [];
      }),
  );
}

/**
 * The rules that read the stack's naming, each made again under the names and the delete-first replacements the
 * stack's config makes: PhysicalNameLimits and EventBridgeNames measure the configured names, PhysicalNameUnique compares
 * those with no random part (name-collisions.ts); ApiDeploymentTriggerReplacedFirst
 * judges delete-first the resources the config makes the engine replace so (naming-delete-first.ts namingDeletesFirst).
 */
const NAMING_RULES: Record<string, (naming: ConfiguredNaming) => DeployRule> = {
  PhysicalNameLimits: physicalNameLimits,
  PhysicalNameUnique: physicalNameUnique,
  EventBridgeNames: eventBridgeNames,
  ApiDeploymentTriggerReplacedFirst: apiDeploymentTriggerReplacedFirst,
};

/**
 * The rules a plan is checked with under the stack's `pulumi:autonaming`, for every caller (scripts/plan.ts, the
 * tests): the NAMING_RULES among `rules` made again under the config's naming, and AutonamingDisabled,
 * AutonamingKeptName and AutonamingEmptyRandom. Under Pulumi's default (unset, or mode: default everywhere) `rules` as
 * they are.
 */
export function rulesUnderAutonaming(rules: readonly DeployRule[], config: AutonamingConfig | undefined): DeployRule[] {
  if (!config) return [...rules];
  const naming = configuredNaming(config);
  return [...rules.map((rule) => NAMING_RULES[rule.id]?.(naming) ?? rule), autonamingDisabled(naming), autonamingKeptName(naming), autonamingEmptyRandom(naming)];
}

/** Every resource pulumi-aws would autoname fails Check under mode disabled: one finding per type, on its first. */
export function autonamingDisabled(naming: ConfiguredNaming): DeployRule {
  return {
    id: "AutonamingDisabled",
    title: "No resource the program leaves unnamed is under `pulumi:autonaming` mode disabled (the provider fails `pulumi preview`)",
    source: DOCS,
    check(graph) {
      const byType = new Map<string, Array<{ r: RecordedResource; key: string; setting: string }>>();
      for (const { r, configured } of autonamed(graph, naming)) if ("disabled" in configured) byType.set(r.type, [...(byType.get(r.type) ?? []), { r, key: configured.key, setting: configured.setting }]);
      return [...byType.values()].map((all) =>
        finding(
          "AutonamingDisabled",
          all[0].r,
          `is left unnamed by the component${all.length > 1 ? ` (as ${all.length - 1} more of its type)` : ""} under ${all[0].setting}, so pulumi-aws fails \`pulumi preview\` ("automatic naming is disabled but no explicit name was provided")`,
          `${configuredNameFix(all[0].key, all[0].r.type)}: the components leave these resources to Pulumi's autonaming`,
        ),
      );
    },
  };
}

/**
 * Types whose create overwrites a kept one of the same name instead of failing on it: an inline role policy's create
 * is PutRolePolicy, which "adds or updates" it (terraform-provider-aws internal/service/iam/role_policy.go: Create is
 * resourceRolePolicyPut; https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html).
 */
const CREATE_OVERWRITES = new Set(["aws:iam/rolePolicy:RolePolicy"]);

/**
 * A kept resource (`retainOnDelete`) named with no random part: the engine replaces it delete-first, but deleting it
 * leaves it in AWS under the name its replacement is created with, and a `pulumi destroy` leaves the name taken for the
 * next deployment; the create fails on the name (S3 BucketAlreadyOwnedByYou, DynamoDB ResourceInUseException, ...).
 */
export function autonamingKeptName(naming: ConfiguredNaming): DeployRule {
  return {
    id: "AutonamingKeptName",
    title: "No resource kept on delete is named by `pulumi:autonaming` without a random part (its replacement, or the next deployment after a destroy, collides with the kept one)",
    source: DOCS,
    check(graph) {
      return autonamed(graph, naming).flatMap(({ r, configured }) => {
        // A fixed name the engine replaces create-first (`${hex(0)}`) is AutonamingEmptyRandom's.
        if ("disabled" in configured || configured.random || configured.createFirst || !r.retainOnDelete || CREATE_OVERWRITES.has(r.type)) return [];
        return [
          finding(
            "AutonamingKeptName",
            r,
            `is kept on delete (retainOnDelete) and named ${JSON.stringify(configured.shown)} by ${configured.setting}, which has no random part: a replacement is made delete-first, but the kept resource stays in AWS under that name and the new one's create fails on it (as does the next deployment after a \`pulumi destroy\`)`,
            configuredNameFix(configured.key, r.type),
          ),
        ];
      });
    },
  };
}

/**
 * A pattern whose random parts all have zero length (`${hex(0)}`, `${alphanum(0)}`, ...): the engine counts it as random
 * and replaces create-first (proposedName), but the name does not change, so the new resource is created while the old
 * one still holds its name, and the create fails on it (S3 BucketAlreadyOwnedByYou, DynamoDB ResourceInUseException,
 * Lambda ResourceConflictException, ...). One finding per key that sets such a pattern, on its first resource.
 */
export function autonamingEmptyRandom(naming: ConfiguredNaming): DeployRule {
  return {
    id: "AutonamingEmptyRandom",
    title: "No `pulumi:autonaming` pattern has only random parts of zero length (the engine replaces create-first under a name that does not change)",
    source: "https://github.com/pulumi/pulumi/blob/master/pkg/resource/autonaming/strategy.go",
    check(graph) {
      const byKey = new Map<string, Array<{ r: RecordedResource; configured: ConfiguredAutoname }>>();
      for (const { r, configured } of autonamed(graph, naming)) if (!("disabled" in configured) && configured.createFirst && !configured.random) byKey.set(configured.key, [...(byKey.get(configured.key) ?? []), { r, configured }]);
      return [...byKey.values()].map((all) => {
        const { r, configured } = all[0];
        return finding(
          "AutonamingEmptyRandom",
          r,
          `is named ${JSON.stringify(configured.proposed)} by ${configured.setting}, whose random parts have no length: the engine counts the pattern as random and replaces a resource create-first (not delete-first), so the new resource is created under the name the old one still holds, and the create fails on it${all.length > 1 ? ` (as for ${all.length - 1} more resource${all.length > 2 ? "s" : ""} so named)` : ""}`,
          `give the random part a length in ${configured.key}, e.g. \${hex(7)}`,
        );
      });
    },
  };
}

/**
 * Types whose name is unique only within its parent, which is another stack's own: an EventBridge target's id (the
 * rule's, API_PutTargets), a Lambda permission's statement id (the function's policy), an inline role policy (the
 * role), an API Gateway stage (the API), a Backup selection (the plan), a Kinesis stream consumer (the stream), an
 * Application Auto Scaling policy (its scalable target: PutScalingPolicy names a policy of a resource id and dimension;
 * as recalled from the API reference, not re-read here). Two stacks collide on them only through a parent, which is judged.
 */
const PARENT_SCOPED = new Set([
  "aws:cloudwatch/eventTarget:EventTarget",
  "aws:lambda/permission:Permission",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:apigateway/stage:Stage",
  "aws:apigatewayv2/stage:Stage",
  "aws:backup/selection:Selection",
  "aws:kinesis/streamConsumer:StreamConsumer",
  "aws:appautoscaling/policy:Policy",
]);

/**
 * A security group's name is unique within its VPC ("You can't have two security groups for the same VPC with the same
 * name", API_CreateSecurityGroup): in a VPC the stack creates (an awsx Vpc's vpcId, an aws.ec2.Vpc's id) another
 * stack's group is in another VPC, but in an existing VPC the stacks are given (PrivateNetwork's or RelationalDatabase's
 * `vpc` argument) two stacks' groups of one name collide.
 */
function inOwnVpc(graph: Graph): (r: RecordedResource) => boolean {
  const vpcIds = new Set([...graph.filter((v) => v.type === "awsx:ec2:Vpc").map((v) => v.state.vpcId), ...graph.filter((v) => v.type === "aws:ec2/vpc:Vpc").map((v) => v.id)]);
  return (r) => r.type === SECURITY_GROUP && vpcIds.has(r.inputs.vpcId);
}

/**
 * Types AWS does not keep unique by name, so two stacks of one name do not collide: API Gateway REST and HTTP/WebSocket
 * APIs (two APIs of one name get two ids; name-collisions.ts leaves them out for the same reason).
 */
const NOT_UNIQUE_BY_NAME = new Set(["aws:apigateway/restApi:RestApi", "aws:apigatewayv2/api:Api"]);

/**
 * Warning: names with no random part and no `${stack}` (verbatim, or such a pattern) are the same in every stack of the
 * project, so two stacks in one account and region (any two accounts for S3 buckets, whose names are global) collide.
 * A warning, as the plan cannot tell whether the stacks share an account.
 */
export function autonamingSharedName(naming: ConfiguredNaming): DeployRule {
  return {
    id: "AutonamingSharedName",
    title: "Names `pulumi:autonaming` makes differ between the project's stacks (a random part or ${stack})",
    source: DOCS,
    check(graph) {
      const ownVpc = inOwnVpc(graph);
      const shared = autonamed(graph, naming).filter(({ r, configured }) => !PARENT_SCOPED.has(r.type) && !ownVpc(r) && !NOT_UNIQUE_BY_NAME.has(r.type) && !("disabled" in configured) && !configured.random && !configured.perStack);
      if (shared.length === 0) return [];
      const { r, configured } = shared[0];
      const c = configured as ConfiguredAutoname;
      return [finding("AutonamingSharedName", r, `is named ${JSON.stringify(c.shown)} by ${c.setting}${shared.length > 1 ? `, as ${shared.length - 1} more resources are named,` : ","} without a random part or the stack's name: every stack of the project makes the same names, and a second stack in the same account and region (for an S3 bucket, any account) fails on them`, `set ${c.key} to a pattern with \${stack} or a random part, e.g. pattern: \${name}-\${stack}-\${hex(4)}`)];
    },
  };
}

/** The warning rules a plan gets under the stack's `pulumi:autonaming` (none under the default). */
export function warningRulesUnderAutonaming(rules: readonly DeployRule[], config: AutonamingConfig | undefined): DeployRule[] {
  return config ? [...rules, autonamingSharedName(configuredNaming(config))] : [...rules];
}

/**
 * A key as encoding/json compares it with a struct field's name (encoding/json fold.go appendFoldedName: an ASCII letter
 * upper-cased, any other character to the least of its case-fold set, foldRune). The fields' names are ASCII, and the
 * only other characters whose fold set holds an ASCII letter are ſ (s) and the Kelvin sign K (k).
 */
const NON_ASCII_FOLDS: Record<string, string> = { "\u017f": "S", "\u212a": "K" };
function goFold(key: string): string {
  return [...key].map((c) => (c.charCodeAt(0) < 0x80 ? c.toUpperCase() : (NON_ASCII_FOLDS[c] ?? c))).join("");
}

const FIELDS = [...NAMING_KEYS, "providers", "resources"];

/**
 * An entry's fields as the engine decodes them (config.go parseConfigSection: json.Marshal of the config object, which
 * sorts its keys, then a json.Decoder into json.go's structs): each key goes to the field it matches case-insensitively
 * ("preferring an exact match but also accepting a case-insensitive match", encoding/json Unmarshal), in byte order, a
 * later one replacing an earlier one's value, but for the maps (providers, resources), which a later key fills further
 * (encoding/json decodes into a non-nil map as it is). Keys matching no field are left out (the caller refuses them).
 */
function decodedFields(entry: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(entry).sort()) {
    const field = FIELDS.find((known) => goFold(known) === goFold(key));
    if (!field) continue;
    const [before, value] = [fields[field], entry[key]];
    fields[field] = (field === "providers" || field === "resources") && isObject(before) && isObject(value) ? { ...before, ...value } : value;
  }
  return fields;
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
