/**
 * The stack config `pulumi:autonaming` (testing/deploy-rules/autonaming.ts): read as the engine reads it, refused where
 * the engine refuses it, and the names it makes checked by PhysicalNameLimits, AutonamingDisabled, AutonamingKeptName
 * and the AutonamingSharedName warning.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../../local/offline/config";
import { checkDeployRules, checkDeployWarnings, DEPLOY_RULES, formatFinding } from "../../testing/deploy-rules";
import { autonamerFor, configuredNaming, parseAutonaming, proposedName, rulesUnderAutonaming, warningRulesUnderAutonaming } from "../../testing/deploy-rules/autonaming";
import { namingDeletesFirst } from "../../testing/deploy-rules/naming-delete-first";
import { devContext, handBuilt } from "./fixture";

const stackWith = (autonaming: unknown, more: Record<string, string> = {}) => ({ project: "serverless-fullstack", stack: "dev", values: { "pulumi:autonaming": JSON.stringify(autonaming), ...more }, objectKeys: ["pulumi:autonaming"] });
const configOf = (autonaming: unknown) => {
  const { config, errors } = parseAutonaming(stackWith(autonaming));
  expect(errors).toEqual([]);
  return config!;
};
const AUTONAMING_RULES = ["PhysicalNameLimits", "EventBridgeNames", "AutonamingDisabled", "AutonamingKeptName", "AutonamingEmptyRandom"];
const findingsUnder = (autonaming: unknown, graph: Parameters<typeof checkDeployRules>[0]) =>
  checkDeployRules(graph, devContext, rulesUnderAutonaming(DEPLOY_RULES, configOf(autonaming)))
    .filter((f) => AUTONAMING_RULES.includes(f.rule))
    .map(formatFinding);

const fn = (name: string, more = {}) => handBuilt("aws:lambda/function:Function", name, {}, more);
const bucket = (name: string, more = {}) => handBuilt("aws:s3/bucket:Bucket", name, {}, more);

describe("parseAutonaming", () => {
  it("is Pulumi's default when the key is unset", () => {
    expect(parseAutonaming({ project: "p", stack: "dev", values: {}, objectKeys: [] })).toEqual({ errors: [] });
  });

  it("refuses what the engine refuses, naming the key, the value and the fix", () => {
    expect(parseAutonaming(stackWith({ mode: "disable" })).errors).toEqual([expect.stringMatching(/^pulumi:autonaming\.mode = "disable" is not a mode \("invalid naming mode"\).* Fix: use mode: disabled/)]);
    expect(parseAutonaming(stackWith({ mode: "verbatim", pattern: "${name}" })).errors).toEqual([expect.stringContaining('sets both mode and pattern/enforce ("cannot specify both mode and pattern/enforce")')]);
    expect(parseAutonaming(stackWith({ patern: "${name}" })).errors).toEqual([expect.stringContaining('has "patern", which the engine does not know')]);
    expect(parseAutonaming(stackWith({ pattern: "${config.team}-${name}" })).errors).toEqual([expect.stringContaining("Fix: set serverless-fullstack:team in Pulumi.dev.yaml, or drop it from the pattern")]);
    expect(parseAutonaming(stackWith({ providers: { aws: { resources: { "aws:s3/bucket:Bucket": { mode: "verbose" } } } } })).errors).toEqual([expect.stringMatching(/^pulumi:autonaming\.providers\.aws\.resources\["aws:s3\/bucket:Bucket"\]\.mode = "verbose"/)]);
  });

  it("refuses a type entry with neither mode nor pattern, an enforce without a pattern, and non-object entries, as the engine does", () => {
    expect(parseAutonaming(stackWith({ providers: { aws: { resources: { "aws:s3/bucket:Bucket": {} } } } })).errors).toEqual([
      expect.stringMatching(/^pulumi:autonaming\.providers\.aws\.resources\["aws:s3\/bucket:Bucket"\] = \{\} sets neither mode nor pattern \("mode or pattern must be specified for resource"\)/),
    ]);
    expect(parseAutonaming(stackWith({ enforce: true })).errors).toEqual([expect.stringContaining('sets enforce without a pattern ("pattern must be specified when enforce is true")')]);
    expect(parseAutonaming(stackWith({ providers: { aws: { enforce: false } } })).errors).toEqual([expect.stringMatching(/^pulumi:autonaming\.providers\.aws = .*sets enforce without a pattern/)]);
    expect(parseAutonaming(stackWith({ providers: { aws: { resources: { "aws:s3/bucket:Bucket": "${name}" } } } })).errors).toEqual([expect.stringMatching(/^pulumi:autonaming\.providers\.aws\.resources\["aws:s3\/bucket:Bucket"\] = "\$\{name\}" is not an object/)]);
    expect(parseAutonaming(stackWith({ providers: { aws: { resources: ["aws:s3/bucket:Bucket"] } } })).errors).toEqual([expect.stringMatching(/^pulumi:autonaming\.providers\.aws\.resources = \["aws:s3\/bucket:Bucket"\] is not an object/)]);
    for (const value of [null, 7, [], "verbatim"]) expect(parseAutonaming(stackWith(value)).errors).toEqual([expect.stringContaining("is not an object")]);
    // Any string is a type key to the engine: one that names no type is never used, not refused.
    expect(parseAutonaming(stackWith({ providers: { aws: { resources: { "s3 bucket": { mode: "verbatim" } } } } })).errors).toEqual([]);
  });

  it("reads null as unset, as the engine's JSON decoding does", () => {
    expect(configOf({ mode: null, pattern: "${name}-${hex(4)}", providers: null }).root).toMatchObject({ mode: "pattern" });
    expect(configOf({ mode: "verbatim", providers: { aws: { mode: null, resources: null } } }).providers.aws).toEqual({ resources: {} });
  });

  it("matches the keys case-insensitively, as the engine's encoding/json decoding does, the last in byte order winning", () => {
    // pulumi/pulumi pkg/cmd/pulumi/autonaming/config.go parseConfigSection: json.Marshal of the config object (keys
    // sorted), then a json.Decoder with DisallowUnknownFields into json.go's structs, whose fields Go matches
    // "preferring an exact match but also accepting a case-insensitive match" (encoding/json Unmarshal).
    expect(configOf({ Mode: "verbatim" }).root).toEqual({ mode: "verbatim" });
    // ſ (U+017F) is in s's case-fold set (Go's foldRune): "reſources" is "resources".
    expect(Object.keys(configOf({ providers: { aws: { "re\u017fources": { "aws:s3/bucket:Bucket": { mode: "verbatim" } } } } }).providers.aws.resources)).toEqual(["aws:s3/bucket:Bucket"]);
    const config = configOf({ PROVIDERS: { aws: { Resources: { "aws:s3/bucket:Bucket": { Pattern: "${name}-${hex(4)}", ENFORCE: true } } } } });
    expect(autonamerFor(config, "aws:s3/bucket:Bucket").naming).toEqual({ mode: "pattern", pattern: "${name}-${hex(4)}", enforce: true, perStack: false });
    // "Mode" sorts before "mode": the decoder sets the field from "Mode", then from "mode".
    expect(configOf({ mode: "verbatim", Mode: "disabled" }).root).toEqual({ mode: "verbatim" });
    // Two keys for one map field fill the same map (encoding/json reuses a non-nil map).
    const merged = configOf({ Providers: { aws: { mode: "verbatim" } }, providers: { random: { mode: "disabled" } } });
    expect(Object.keys(merged.providers).sort()).toEqual(["aws", "random"]);
    // Map keys are names, matched exactly: "AWS" is no provider the engine knows, so never used.
    expect(autonamerFor(configOf({ providers: { AWS: { mode: "verbatim" } } }), "aws:s3/bucket:Bucket").naming).toEqual({ mode: "default" });
    expect(parseAutonaming(stackWith({ Modes: "verbatim" })).errors).toEqual([expect.stringContaining('has "Modes", which the engine does not know')]);
  });

  it("leaves ${org} as it is written: the engine resolves ${organization} only", () => {
    expect(configOf({ pattern: "${org}-${organization}-${name}" }).root).toMatchObject({ pattern: "${org}-organization-${name}" });
  });

  it("resolves the stack's expressions and a project config key", () => {
    const config = parseAutonaming(stackWith({ pattern: "${project}-${stack}-${config.team}-${name}" }, { "serverless-fullstack:team": "photos" })).config!;
    expect(config.root).toEqual({ mode: "pattern", pattern: "serverless-fullstack-dev-photos-${name}", enforce: false, perStack: true });
  });

  it("resolves a ${config.<path>} into a structured project value, as the engine does, and refuses what it refuses", () => {
    // pulumi/pulumi pkg/cmd/pulumi/autonaming/pattern.go newStackPatternEval: `cfg.Get(config.MustMakeKey(s.Project, key),
    // true)`, a path lookup (sdk/go/common/resource/config/map.go Map.Get: resource.ParsePropertyPathStrict of the key,
    // its first segment the config key, the rest walked into the object, object.Get); the leaf's text is the string
    // itself, else its JSON (plaintext.go marshalText: json.Marshal, map keys sorted); a path to nothing is "no value
    // found for key", and a path that does not parse "invalid config key path".
    const team = JSON.stringify({ name: "photos", "cost.centre": "cc-7", zones: ["a", "b"], size: 3, on: true, tags: { z: 1, a: 2 } });
    const stack = (pattern: string) => ({ ...stackWith({ pattern }, { "serverless-fullstack:team": team }), objectKeys: ["pulumi:autonaming", "serverless-fullstack:team"] });
    const root = (pattern: string) => parseAutonaming(stack(pattern)).config?.root;
    const errors = (pattern: string) => parseAutonaming(stack(pattern)).errors;
    expect(root("${config.team.name}-${name}")).toMatchObject({ pattern: "photos-${name}" });
    expect(root('${config.team["cost.centre"]}-${config.team.zones[1]}-${name}')).toMatchObject({ pattern: "cc-7-b-${name}" });
    expect(root("${config.team.size}-${config.team.on}-${config.team.tags}-${name}")).toMatchObject({ pattern: '3-true-{"a":2,"z":1}-${name}' });
    // configRegex is `\${config\.([^}]+)}`: a bracket right after config is no config expression, and stays as written.
    expect(root('${config["team"].name}-${name}')).toMatchObject({ pattern: '${config["team"].name}-${name}' });
    expect(errors("${config.team.owner}-${name}")).toEqual([expect.stringContaining('uses ${config.team.owner}, which the stack does not set ("no value found for key")')]);
    expect(errors("${config.team.zones[2]}-${name}")).toEqual([expect.stringContaining("which the stack does not set")]);
    expect(errors("${config.team.zones[-1]}-${name}")).toEqual([expect.stringContaining("which the stack does not set")]);
    expect(errors("${config.team.name.first}-${name}")).toEqual([expect.stringContaining("which the stack does not set")]);
    // ParsePropertyPathStrict (config/map.go): `.[` is refused, which the engine's lenient parser for ignoreChanges takes; a signed index is ParseInt's.
    expect(errors("${config.team.zones.[1]}-${name}")).toEqual([expect.stringContaining('uses ${config.team.zones.[1]}, which is not a config key path the engine reads ("invalid config key path")')]);
    expect(root("${config.team.zones[+1]}-${name}")).toMatchObject({ pattern: "b-${name}" });
    expect(errors("${config.team.zones[x]}-${name}")).toEqual([expect.stringContaining('uses ${config.team.zones[x]}, which is not a config key path the engine reads ("invalid config key path")')]);
    // A string value is not an object: a path into it finds nothing (object.Get's default case).
    expect(parseAutonaming(stackWith({ pattern: "${config.team.name}" }, { "serverless-fullstack:team": "photos" })).errors).toEqual([expect.stringContaining("which the stack does not set")]);
  });

  it("resolves a secret inside a structured config value to the offline stand-in, as a whole secret value is, not to its ciphertext", () => {
    // `pulumi config set --path --secret team.token …` writes `team: { token: { secure: v1:… } }`; object.go
    // unmarshalObject reads a one-key `secure` map as a CiphertextSecret, and pattern.go's c.Value(decrypter) decrypts it
    // (the plaintext goes into the name). Offline there is no decrypter: the stand-in local/offline/config.ts gives a
    // whole secret (`offline-secret-for-<key>`), not `{"secure":"v1:…"}`, whose quotes and braces no name type takes.
    const team = JSON.stringify({ token: { secure: "v1:abc" }, zones: [{ secure: "v1:def" }], name: "photos" });
    const stack = (pattern: string) => ({ ...stackWith({ pattern }, { "serverless-fullstack:team": team }), objectKeys: ["pulumi:autonaming", "serverless-fullstack:team"] });
    const root = (pattern: string) => parseAutonaming(stack(pattern)).config?.root;
    expect(root("${config.team.token}-${name}")).toMatchObject({ pattern: "offline-secret-for-team-token-${name}" });
    expect(root("${config.team.zones[0]}-${name}")).toMatchObject({ pattern: "offline-secret-for-team-zones-0-${name}" });
    expect(root("${config.team}")).toMatchObject({ pattern: '{"name":"photos","token":"offline-secret-for-team-token","zones":["offline-secret-for-team-zones-0"]}' });
    // A path into a secret finds nothing (object.Get: a CiphertextSecret is neither map nor list).
    expect(parseAutonaming(stack("${config.team.token.secure}")).errors).toEqual([expect.stringContaining("which the stack does not set")]);
  });

  it("names every config key the engine could not resolve, not only the first; an index beyond Go's int is an invalid path", () => {
    // pattern.go resolveStackExpressions calls getConfigValue for every match and returns the last error (`configErr =
    // err`): fixing only the first key named would leave the engine's own error on the second.
    expect(parseAutonaming(stackWith({ pattern: "${config.first}-${config.second}-${name}" })).errors).toEqual([
      expect.stringContaining("uses ${config.first}, which the stack does not set"),
      expect.stringContaining("uses ${config.second}, which the stack does not set"),
    ]);
    // properties_path.go: strconv.ParseInt(segment, 10, 0) fails beyond int64 ("invalid array index": "invalid config key path").
    const stack = { ...stackWith({ pattern: "${config.zones[9223372036854775808]}" }, { "serverless-fullstack:zones": '["a"]' }), objectKeys: ["pulumi:autonaming", "serverless-fullstack:zones"] };
    expect(parseAutonaming(stack).errors).toEqual([expect.stringContaining('("invalid config key path")')]);
    const inRange = { ...stack, values: { ...stack.values, "pulumi:autonaming": JSON.stringify({ pattern: "${config.zones[9223372036854775807]}" }) } };
    expect(parseAutonaming(inRange).errors).toEqual([expect.stringContaining("which the stack does not set")]);
  });

  it("takes a type's setting, else its provider's (the root's when the provider entry sets none), else the root's", () => {
    // pulumi/pulumi pkg/cmd/pulumi/autonaming/config.go: a provider entry with neither mode nor pattern gets rootNaming
    // (config_test.go "provider uses global when it has no config on its own and solely resources are configured").
    const config = configOf({ mode: "verbatim", providers: { aws: { resources: { "aws:s3/bucket:Bucket": { pattern: "${name}-${hex(6)}" } } }, random: { pattern: "${name}" } } });
    expect(autonamerFor(config, "aws:s3/bucket:Bucket").naming).toMatchObject({ mode: "pattern", pattern: "${name}-${hex(6)}" });
    expect(autonamerFor(config, "aws:lambda/function:Function")).toEqual({ naming: { mode: "verbatim" }, where: "pulumi:autonaming" });
    expect(autonamerFor(config, "random:index/randomString:RandomString").naming).toMatchObject({ mode: "pattern", pattern: "${name}" });
    expect(autonamerFor(config, "tls:index/privateKey:PrivateKey")).toEqual({ naming: { mode: "verbatim" }, where: "pulumi:autonaming" });
  });

  it("reads the object Pulumi.yaml sets under value:, which a stack file overrides", () => {
    const dir = mkdtempSync(join(tmpdir(), "autonaming-"));
    try {
      writeFileSync(join(dir, "Pulumi.yaml"), "name: proj\nruntime: nodejs\nconfig:\n  pulumi:autonaming:\n    value:\n      mode: verbatim\n");
      writeFileSync(join(dir, "Pulumi.dev.yaml"), "config: {}\n");
      writeFileSync(join(dir, "Pulumi.prod.yaml"), "config:\n  pulumi:autonaming:\n    mode: default\n");
      expect(parseAutonaming(loadStackConfig(dir, "dev")).config?.root).toEqual({ mode: "verbatim" });
      expect(parseAutonaming(loadStackConfig(dir, "prod")).config?.root).toEqual({ mode: "default" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a string holding JSON, which the engine decodes as a string, not an object", () => {
    // pulumi/pulumi sdk/go/common/resource/config: a YAML string is a Value that is not an object, whose ToObject is
    // the string itself; parseConfigSection's json.Marshal makes it a JSON string, which decoding into
    // autonamingSectionJSON refuses ("json: cannot unmarshal string into Go value of type ...").
    const refused = parseAutonaming({ project: "serverless-fullstack", stack: "dev", values: { "pulumi:autonaming": '{"mode":"verbatim"}' }, objectKeys: [] });
    expect(refused).toEqual({
      errors: [
        'pulumi:autonaming = "{\\"mode\\":\\"verbatim\\"}" is a string holding JSON, not an object: Pulumi refuses the config before `pulumi preview` runs ("cannot unmarshal string"). Fix: write it as a YAML mapping in the stack file (its keys indented under pulumi:autonaming:), not a quoted string (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming-configuration).',
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "autonaming-"));
    try {
      writeFileSync(join(dir, "Pulumi.yaml"), "name: proj\nruntime: nodejs\n");
      writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  pulumi:autonaming: '{\"mode\": \"verbatim\"}'\n");
      writeFileSync(join(dir, "Pulumi.prod.yaml"), "config:\n  pulumi:autonaming: {\"mode\": \"verbatim\"}\n");
      expect(parseAutonaming(loadStackConfig(dir, "dev")).errors).toEqual([expect.stringContaining("is a string holding JSON, not an object")]);
      // YAML flow style is a mapping, not a string.
      expect(parseAutonaming(loadStackConfig(dir, "prod"))).toEqual({ config: { root: { mode: "verbatim" }, providers: {} }, errors: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the object a stack file sets, as the offline config loader keeps it", () => {
    const dir = mkdtempSync(join(tmpdir(), "autonaming-"));
    try {
      writeFileSync(join(dir, "Pulumi.yaml"), "name: proj\nruntime: nodejs\n");
      writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  pulumi:autonaming:\n    pattern: ${name}-${stack}\n    enforce: true\n");
      expect(parseAutonaming(loadStackConfig(dir, "dev")).config?.root).toEqual({ mode: "pattern", pattern: "${name}-dev", enforce: true, perStack: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("proposedName", () => {
  it("puts stand-ins of each random expression's length in the name and shows them as written", () => {
    expect(proposedName("${name}-${hex(4)}${alphanum(2)}${string(3)}${num(1)}", "api")).toEqual({ name: "api-000000aaa0", shown: "api-<hex(4)><alphanum(2)><string(3)><num(1)>", random: true, createFirst: true });
    expect(proposedName("${name}_${uuid}", "api").name).toBe("api_00000000-0000-0000-0000-000000000000");
    expect(proposedName("prefix-${name}", "api")).toEqual({ name: "prefix-api", shown: "prefix-api", random: false, createFirst: false });
    // The engine counts ${hex(0)} as random (create-first replacement), though it draws nothing.
    expect(proposedName("${name}${hex(0)}", "api")).toEqual({ name: "api", shown: "api", random: false, createFirst: true });
  });

  it("puts the logical name in as written, $ and all (Go's strings.ReplaceAll has no replacement patterns)", () => {
    expect(proposedName("${name}-x", "a$&b$$c").name).toBe("a$&b$$c-x");
  });

  it("does not crash the plan on a huge length: the stand-in is cut to more than any name AWS takes", () => {
    const { name, shown } = proposedName("${name}-${hex(999999999999)}", "api");
    expect(name.length).toBeGreaterThan(1024);
    expect(shown).toBe("api-<hex(999999999999)>");
    expect(findingsUnder({ pattern: "${name}-${hex(999999999999)}" }, [fn("api")])).toEqual([expect.stringContaining("over the 64 pulumi-aws allows for a Lambda function name")]);
  });
});

describe("PhysicalNameLimits under pulumi:autonaming", () => {
  it("measures a proposed name against pulumi-aws's maximum, naming the setting", () => {
    // serverless-fullstack-dev-thumbnail-worker- is 42 characters: 20 random ones fit pulumi-aws's 64, 30 do not.
    expect(findingsUnder({ pattern: "${project}-${stack}-${name}-${hex(20)}" }, [fn("thumbnail-worker")])).toEqual([]);
    const over = findingsUnder({ pattern: "${project}-${stack}-${name}-${hex(30)}" }, [fn("thumbnail-worker")]);
    expect(over).toEqual([
      'dev: [PhysicalNameLimits] aws:lambda/function:Function thumbnail-worker: is named serverless-fullstack-dev-thumbnail-worker-<hex(30)> by pulumi:autonaming pattern "serverless-fullstack-dev-${name}-${hex(30)}", 72 characters: over the 64 pulumi-aws allows for a Lambda function name, so `pulumi preview` fails ("calculated name exceeds maximum length of 64"). Fix: change pulumi:autonaming so the name fits (a Lambda function name of at most 64 characters AWS takes), set it for aws:lambda/function:Function alone (providers.aws.resources["aws:lambda/function:Function"]), or shorten the resource name "thumbnail-worker"',
    ]);
  });

  it("does not offer a type's own entry as the fix when that entry made the name", () => {
    const [over] = findingsUnder({ providers: { aws: { resources: { "aws:lambda/function:Function": { pattern: "${name}-${hex(70)}" } } } } }, [fn("api")]);
    expect(over).toContain('Fix: change pulumi:autonaming.providers.aws.resources["aws:lambda/function:Function"] so the name fits (a Lambda function name of at most 64 characters AWS takes), or shorten the resource name "api"');
  });

  it("lower-cases a proposed bucket name as pulumi-aws does, but takes an enforced or verbatim one as it is", () => {
    expect(findingsUnder({ pattern: "${name}-${hex(7)}" }, [bucket("SiteAssets")])).toEqual([]);
    expect(findingsUnder({ mode: "verbatim" }, [bucket("SiteAssets")])).toEqual([
      expect.stringContaining("dev: [PhysicalNameLimits] aws:s3/bucket:Bucket SiteAssets: is named SiteAssets (10 characters) by pulumi:autonaming mode verbatim, an S3 bucket name that has characters other than lowercase letters"),
    ]);
    expect(findingsUnder({ pattern: "${name}-${hex(7)}", enforce: true }, [bucket("SiteAssets")])).toEqual([expect.stringContaining("by pulumi:autonaming pattern \"${name}-${hex(7)}\" (enforce)")]);
  });

  it("leaves no .fifo on an enforced FIFO queue name, which SQS refuses", () => {
    const queue = handBuilt("aws:sqs/queue:Queue", "jobs", { fifoQueue: true });
    expect(findingsUnder({ pattern: "${name}-${hex(7)}" }, [queue])).toEqual([]);
    expect(findingsUnder({ mode: "verbatim" }, [queue])).toEqual([expect.stringContaining("does not end in .fifo, which a FIFO name must")]);
  });

  it("is the default rule under mode default", () => {
    expect(findingsUnder({ mode: "default" }, [fn("x".repeat(60))])).toEqual([expect.stringContaining(`is autonamed ${"x".repeat(60)}-<random suffix>, 68 characters`)]);
  });
});

describe("EventBridgeNames under pulumi:autonaming", () => {
  const target = (name: string) => handBuilt("aws:cloudwatch/eventTarget:EventTarget", name, { rule: "r1", arn: "arn:aws:sqs:us-east-1:123456789012:q" });
  const rule = (name: string) => handBuilt("aws:cloudwatch/eventRule:EventRule", name, { eventPattern: '{"source":["a"]}' });

  it("measures the name the config makes, not Pulumi's default <name>-<7 hex>", () => {
    // 60 characters: the default autoname's 68 is over a target id's 64, the verbatim name is not.
    expect(findingsUnder({ mode: "default" }, [target("t".repeat(60))])).toEqual([expect.stringContaining(`is autonamed ${"t".repeat(60)}-<random suffix>, a target id that is 68 characters`)]);
    expect(findingsUnder({ mode: "verbatim" }, [target("t".repeat(60))])).toEqual([]);
    expect(findingsUnder({ pattern: "${name}-${hex(70)}" }, [target("t")])).toEqual([
      'dev: [EventBridgeNames] aws:cloudwatch/eventTarget:EventTarget t: is named t-<hex(70)> (72 characters) by pulumi:autonaming pattern "${name}-${hex(70)}", a target id that is 72 characters; 1–64 allowed: terraform-provider-aws refuses it at `pulumi preview` (events/validate.go validateTargetID). Fix: change pulumi:autonaming so the name fits (a target id of at most 64 characters AWS takes), set it for aws:cloudwatch/eventTarget:EventTarget alone (providers.aws.resources["aws:cloudwatch/eventTarget:EventTarget"]), or shorten the resource name "t"',
    ]);
  });

  it("counts EventBridge's autonamed types in the config's other rules (AutonamingDisabled, AutonamingEmptyRandom)", () => {
    expect(findingsUnder({ mode: "disabled" }, [rule("r"), target("t")])).toEqual([
      expect.stringMatching(/^dev: \[AutonamingDisabled\] aws:cloudwatch\/eventRule:EventRule r: is left unnamed by the component under pulumi:autonaming mode disabled/),
      expect.stringMatching(/^dev: \[AutonamingDisabled\] aws:cloudwatch\/eventTarget:EventTarget t: is left unnamed/),
    ]);
    expect(findingsUnder({ pattern: "${name}${hex(0)}" }, [rule("r")])).toEqual([expect.stringContaining('[AutonamingEmptyRandom] aws:cloudwatch/eventRule:EventRule r: is named "r"')]);
  });

  it("refuses a proposed rule name over pulumi-aws's 64 at preview, as PhysicalNameLimits does", () => {
    expect(findingsUnder({ pattern: "${name}-${hex(64)}" }, [rule("r")])).toEqual([expect.stringContaining("is named r-<hex(64)> by pulumi:autonaming pattern \"${name}-${hex(64)}\", 66 characters: over the 64 pulumi-aws allows for a rule name, so `pulumi preview` fails")]);
    expect(findingsUnder({ pattern: "${name}-${hex(7)}" }, [rule("r")])).toEqual([]);
  });
});

describe("AutonamingDisabled", () => {
  it("reports each type the program leaves unnamed once, and not a named resource", () => {
    const graph = [fn("a"), fn("b"), bucket("site"), handBuilt("aws:lambda/function:Function", "named", { name: "named-fn" })];
    expect(findingsUnder({ mode: "disabled" }, graph)).toEqual([
      expect.stringMatching(/^dev: \[AutonamingDisabled\] aws:lambda\/function:Function a: is left unnamed by the component \(as 1 more of its type\) under pulumi:autonaming mode disabled, so pulumi-aws fails `pulumi preview` \("automatic naming is disabled but no explicit name was provided"\)\. Fix: set pulumi:autonaming to a pattern with a random part, e.g. pattern: \$\{name\}-\$\{hex\(7\)\}, or to mode: default \(for aws:lambda\/function:Function alone: .*\): the components leave these resources to Pulumi's autonaming$/),
      expect.stringMatching(/^dev: \[AutonamingDisabled\] aws:s3\/bucket:Bucket site: is left unnamed by the component under/),
    ]);
  });
});

describe("AutonamingDisabled under a provider entry that sets only resources", () => {
  it("reports the provider's other types, which keep the root's mode disabled", () => {
    const autonaming = { mode: "disabled", providers: { aws: { resources: { "aws:s3/bucket:Bucket": { pattern: "${name}-${hex(7)}" } } } } };
    expect(findingsUnder(autonaming, [fn("api"), bucket("site")])).toEqual([expect.stringMatching(/^dev: \[AutonamingDisabled\] aws:lambda\/function:Function api: .* under pulumi:autonaming mode disabled/)]);
  });
});

describe("AutonamingKeptName", () => {
  it("reports a kept resource named without a random part, and not one with a random part or not kept", () => {
    const kept = bucket("photos", { retainOnDelete: true });
    expect(findingsUnder({ mode: "verbatim" }, [kept, bucket("logs")])).toEqual([
      'dev: [AutonamingKeptName] aws:s3/bucket:Bucket photos: is kept on delete (retainOnDelete) and named "photos" by pulumi:autonaming mode verbatim, which has no random part: a replacement is made delete-first, but the kept resource stays in AWS under that name and the new one\'s create fails on it (as does the next deployment after a `pulumi destroy`). Fix: set pulumi:autonaming to a pattern with a random part, e.g. pattern: ${name}-${hex(7)}, or to mode: default (for aws:s3/bucket:Bucket alone: pulumi:autonaming.providers.aws.resources["aws:s3/bucket:Bucket"])',
    ]);
    expect(findingsUnder({ pattern: "${name}-${stack}" }, [kept])).toEqual([expect.stringContaining('named "photos-dev" by pulumi:autonaming pattern "${name}-dev"')]);
    expect(findingsUnder({ pattern: "${name}-${hex(7)}" }, [kept])).toEqual([]);
  });

  it("does not report a kept inline role policy: its create is PutRolePolicy, which overwrites one of the same name", () => {
    const policy = handBuilt("aws:iam/rolePolicy:RolePolicy", "edge-auth-policy", { role: "edge-auth-role-1234567", policy: "{}" }, { retainOnDelete: true });
    expect(findingsUnder({ mode: "verbatim" }, [policy])).toEqual([]);
  });
});

describe("AutonamingEmptyRandom", () => {
  // pulumi/pulumi pkg/resource/autonaming/strategy.go generateName: `hasRandom = hasRandom || newResult != result` per
  // random expression, so ${hex(0)} (replaced by "") counts as random, and Pattern.AutonamingForResource returns
  // deleteBeforeReplace = !hasRandom = false: a create-first replacement under a name that does not change.
  it("reports a pattern whose random parts all have zero length once per key, naming the key, the value and the fix", () => {
    expect(findingsUnder({ pattern: "${name}-${stack}${hex(0)}${alphanum(00)}" }, [fn("api"), bucket("site")])).toEqual([
      'dev: [AutonamingEmptyRandom] aws:lambda/function:Function api: is named "api-dev" by pulumi:autonaming pattern "${name}-dev${hex(0)}${alphanum(00)}", whose random parts have no length: the engine counts the pattern as random and replaces a resource create-first (not delete-first), so the new resource is created under the name the old one still holds, and the create fails on it (as for 1 more resource so named). Fix: give the random part a length in pulumi:autonaming, e.g. ${hex(7)}',
    ]);
    const typeEntry = { providers: { aws: { resources: { "aws:s3/bucket:Bucket": { pattern: "${name}${num(0)}" } } } } };
    expect(findingsUnder(typeEntry, [fn("api"), bucket("site", { retainOnDelete: true })])).toEqual([
      expect.stringMatching(/^dev: \[AutonamingEmptyRandom\] aws:s3\/bucket:Bucket site: is named "site" by pulumi:autonaming\.providers\.aws\.resources\["aws:s3\/bucket:Bucket"\] pattern "\$\{name\}\$\{num\(0\)\}", whose random parts have no length: .* fails on it\. Fix: give the random part a length in pulumi:autonaming\.providers\.aws\.resources\["aws:s3\/bucket:Bucket"\], e\.g\. \$\{hex\(7\)\}$/),
    ]);
  });

  it("does not report a pattern with a random part of some length, nor one with none (delete-first)", () => {
    expect(findingsUnder({ pattern: "${name}${hex(0)}-${hex(1)}" }, [fn("api")])).toEqual([]);
    expect(findingsUnder({ pattern: "${name}-${stack}" }, [fn("api")])).toEqual([]);
  });

  it("is replaced create-first (namingDeletesFirst), as a pattern with no random expression is not", () => {
    expect(namingDeletesFirst(configuredNaming(configOf({ pattern: "${name}${hex(0)}" })), fn("api"))).toBeUndefined();
    expect(namingDeletesFirst(configuredNaming(configOf({ pattern: "${name}-${stack}" })), fn("api"))).toBe('pulumi:autonaming pattern "${name}-dev"');
  });

  it("makes the name the same in every stack of the project (AutonamingSharedName)", () => {
    const found = checkDeployWarnings([fn("api")], devContext, warningRulesUnderAutonaming([], configOf({ pattern: "${name}${uuid}${hex(0)}" })));
    expect(found).toEqual([]);
    expect(checkDeployWarnings([fn("api")], devContext, warningRulesUnderAutonaming([], configOf({ pattern: "${name}${hex(0)}" }))).map(formatFinding)).toEqual([expect.stringContaining('is named "api" by pulumi:autonaming pattern "${name}${hex(0)}", without a random part')]);
  });
});

describe("AutonamingSharedName (warning)", () => {
  const warnings = (autonaming: unknown) => checkDeployWarnings([fn("api"), fn("worker")], devContext, warningRulesUnderAutonaming([], configOf(autonaming))).map(formatFinding);

  it("warns once when names carry neither a random part nor the stack's name", () => {
    expect(warnings({ mode: "verbatim" })).toEqual([expect.stringMatching(/^dev: \[AutonamingSharedName\] aws:lambda\/function:Function api: is named "api" by pulumi:autonaming mode verbatim, as 1 more resources are named/)]);
    expect(warnings({ pattern: "${name}-${stack}" })).toEqual([]);
    expect(warnings({ pattern: "${name}-${hex(4)}" })).toEqual([]);
  });

  it("does not count names unique only within their parent (a Lambda permission's statement id, an inline role policy, an EventBridge target id)", () => {
    const graph = [
      handBuilt("aws:lambda/permission:Permission", "api-invoke", { function: "api" }),
      handBuilt("aws:iam/rolePolicy:RolePolicy", "api-policy", { role: "r", policy: "{}" }),
      handBuilt("aws:cloudwatch/eventTarget:EventTarget", "api-target", { rule: "r1", arn: "arn:aws:sqs:us-east-1:123456789012:q" }),
      fn("api"),
    ];
    const found = checkDeployWarnings(graph, devContext, warningRulesUnderAutonaming([], configOf({ mode: "verbatim" }))).map(formatFinding);
    expect(found).toEqual([expect.stringContaining('aws:lambda/function:Function api: is named "api" by pulumi:autonaming mode verbatim, without a random part')]);
    expect(checkDeployWarnings(graph.slice(0, 3), devContext, warningRulesUnderAutonaming([], configOf({ mode: "verbatim" })))).toEqual([]);
  });

  it("does not count \"0 more\" resources when one is named so", () => {
    const one = checkDeployWarnings([fn("api")], devContext, warningRulesUnderAutonaming([], configOf({ mode: "verbatim" }))).map(formatFinding);
    expect(one).toEqual([expect.stringContaining('is named "api" by pulumi:autonaming mode verbatim, without a random part or the stack\'s name: every stack')]);
  });

  it("adds nothing under the default", () => {
    expect(warningRulesUnderAutonaming([], undefined)).toEqual([]);
    expect(rulesUnderAutonaming(DEPLOY_RULES, undefined)).toEqual([...DEPLOY_RULES]);
  });
});


describe("PhysicalNameUnique under pulumi:autonaming", () => {
  // Two unnamed functions of one logical name under two components (the URN tells them apart, the name does not).
  const twins = [fn("handler", { parent: "urn:pulumi:dev::fixture::app:Api::a" }), fn("handler", { parent: "urn:pulumi:dev::fixture::app:Api::b", urn: "urn:pulumi:dev::fixture::app:Api$aws:lambda/function:Function::handler" })];
  const unique = (autonaming: unknown, graph = twins) => checkDeployRules(graph, devContext, rulesUnderAutonaming(DEPLOY_RULES, configOf(autonaming))).filter((f) => f.rule === "PhysicalNameUnique").map(formatFinding);

  it("compares the names a pattern without a random part makes, naming the key that made them", () => {
    expect(unique({ mode: "verbatim" })).toEqual([
      'dev: [PhysicalNameUnique] aws:lambda/function:Function handler: is named "handler" by pulumi:autonaming mode verbatim, as handler does, in us-east-1; Lambda function names are unique there, so CreateFunction refuses the second (ResourceConflictException). Fix: set pulumi:autonaming to a pattern with a random part, e.g. pattern: ${name}-${hex(7)}, or to mode: default (for aws:lambda/function:Function alone: pulumi:autonaming.providers.aws.resources["aws:lambda/function:Function"]), or give one of them another resource name',
    ]);
    expect(unique({ pattern: "app-${name}" })).toEqual([expect.stringContaining('is named "app-handler" by pulumi:autonaming pattern "app-${name}", as handler does')]);
    // `${hex(0)}` draws nothing: the names are still one.
    expect(unique({ pattern: "${name}${hex(0)}" })).toHaveLength(1);
  });

  it("does not compare names with a random part, nor Pulumi's default", () => {
    expect(unique({ pattern: "${name}-${hex(7)}" })).toEqual([]);
    expect(unique({ mode: "default" })).toEqual([]);
    expect(checkDeployRules(twins, devContext).filter((f) => f.rule === "PhysicalNameUnique")).toEqual([]);
  });

  it("compares a configured name with an explicit one, bucket names lower-cased as pulumi-aws proposes them", () => {
    expect(unique({ mode: "verbatim" }, [fn("api"), handBuilt("aws:lambda/function:Function", "other", { name: "api" })])).toEqual([expect.stringContaining('other: has name "api", as api does (named by pulumi:autonaming mode verbatim)')]);
    expect(unique({ pattern: "${name}" }, [bucket("Photos"), handBuilt("aws:s3/bucket:Bucket", "other", { bucket: "photos" })])).toHaveLength(1);
  });

  it("compares the configured names of types judged by no other uniqueness rule: metric alarms, CloudFront functions, cache and response headers policies; log groups' too (explicit ones are LogGroupNameUnique's)", () => {
    // Two components' unnamed resources of one logical name: the URN tells them apart, a verbatim name does not.
    const twin = (type: string, name: string, inputs: Record<string, unknown> = {}) =>
      ["a", "b"].map((parent) => handBuilt(type, name, inputs, { parent: `urn:pulumi:dev::fixture::app:Site::${parent}`, urn: `urn:pulumi:dev::fixture::app:Site$${type}::${name}-${parent}` }));
    const found = unique({ mode: "verbatim" }, [
      ...twin("aws:cloudwatch/logGroup:LogGroup", "api-access-logs"),
      ...twin("aws:cloudwatch/metricAlarm:MetricAlarm", "api-errors"),
      ...twin("aws:cloudfront/function:Function", "site-rewrite", { runtime: "cloudfront-js-2.0", code: "function handler(e) { return e.request; }" }),
      ...twin("aws:cloudfront/cachePolicy:CachePolicy", "site-cache"),
      ...twin("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers"),
    ]);
    expect(found).toEqual([
      expect.stringContaining('aws:cloudwatch/logGroup:LogGroup api-access-logs: is named "api-access-logs" by pulumi:autonaming mode verbatim, as api-access-logs does, in us-east-1; log group names are unique there, so CreateLogGroup refuses the second (ResourceAlreadyExistsException)'),
      expect.stringContaining('aws:cloudwatch/metricAlarm:MetricAlarm api-errors: is named "api-errors" by pulumi:autonaming mode verbatim, as api-errors does, in us-east-1; alarm names are unique there, so PutMetricAlarm, which creates or updates, overwrites the first alarm with the second'),
      expect.stringContaining('aws:cloudfront/function:Function site-rewrite: is named "site-rewrite" by pulumi:autonaming mode verbatim, as site-rewrite does, in the account (CloudFront is global); CloudFront Function names are unique there, so CreateFunction refuses the second (FunctionAlreadyExists)'),
      expect.stringContaining("so CreateCachePolicy refuses the second (CachePolicyAlreadyExists)"),
      expect.stringContaining("so CreateResponseHeadersPolicy refuses the second (ResponseHeadersPolicyAlreadyExists)"),
    ]);
    // Two explicit log group names are LogGroupNameUnique's alone (reported once); an explicit one and a configured one are this rule's.
    const explicitLogs = [handBuilt("aws:cloudwatch/logGroup:LogGroup", "logs-a", { name: "/app/logs" }), handBuilt("aws:cloudwatch/logGroup:LogGroup", "logs-b", { name: "/app/logs" })];
    expect(unique({ mode: "verbatim" }, explicitLogs)).toEqual([]);
    expect(unique({ mode: "verbatim" }, [handBuilt("aws:cloudwatch/logGroup:LogGroup", "logs-a", { name: "api-access-logs" }), handBuilt("aws:cloudwatch/logGroup:LogGroup", "api-access-logs", {})])).toHaveLength(1);
  });

  it("compares the security group names the config makes within each VPC", () => {
    // Two components' unnamed groups of one logical name (as PrivateNetwork's `<name>-functions` and a RelationalDatabase's
    // `<name>-cluster` could be) in one VPC: CreateSecurityGroup refuses the second (unique within the VPC).
    const group = (parent: string, vpcId: string) => handBuilt("aws:ec2/securityGroup:SecurityGroup", "app-cluster", { vpcId, description: "db" }, { parent: `urn:pulumi:dev::fixture::app:Db::${parent}`, urn: `urn:pulumi:dev::fixture::app:Db$aws:ec2/securityGroup:SecurityGroup::app-cluster-${parent}` });
    expect(unique({ mode: "verbatim" }, [group("a", "vpc-1"), group("b", "vpc-1")])).toEqual([expect.stringContaining('aws:ec2/securityGroup:SecurityGroup app-cluster: is named "app-cluster" by pulumi:autonaming mode verbatim, as app-cluster does, in VPC vpc-1; security group names are unique there, so CreateSecurityGroup refuses the second')]);
    expect(unique({ mode: "verbatim" }, [group("a", "vpc-1"), group("b", "vpc-2")])).toEqual([]);
    expect(unique({ pattern: "${name}-${hex(7)}" }, [group("a", "vpc-1"), group("b", "vpc-1")])).toEqual([]);
  });
});

describe("types the components leave unnamed beyond the names tables' first ones", () => {
  const unnamed = [
    handBuilt("aws:sfn/stateMachine:StateMachine", "flow", { definition: "{}", roleArn: "arn:aws:iam::123456789012:role/r" }),
    handBuilt("aws:cognito/userPool:UserPool", "auth-pool", {}),
    handBuilt("aws:cloudfront/cachePolicy:CachePolicy", "site-cache", {}),
    handBuilt("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers", {}),
    handBuilt("aws:apigateway/restApi:RestApi", "api", {}),
    handBuilt("aws:apigatewayv2/api:Api", "live-api", { protocolType: "WEBSOCKET" }),
    handBuilt("aws:cloudwatch/metricAlarm:MetricAlarm", "ops-errors", {}),
    handBuilt("aws:apigateway/usagePlan:UsagePlan", "api-plan-free", {}),
    handBuilt("aws:apigateway/apiKey:ApiKey", "api-key-partner", {}),
    handBuilt("aws:apigateway/vpcLink:VpcLink", "api-link", { targetArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/1" }),
    handBuilt("aws:apigatewayv2/vpcLink:VpcLink", "api-link-v2", { subnetIds: ["subnet-1"] }),
    handBuilt("aws:appautoscaling/policy:Policy", "data-read-policy", { policyType: "TargetTrackingScaling" }),
    handBuilt("aws:ec2/securityGroup:SecurityGroup", "db-cluster", { vpcId: "vpc-1", description: "db" }),
  ];

  it("are reported under mode disabled: pulumi-aws autonames each one's name (provider/autonaming.go setAutonaming; the alarm's alarm_name)", () => {
    const found = checkDeployRules(unnamed, devContext, rulesUnderAutonaming([], configOf({ mode: "disabled" }))).map((f) => `${f.rule} ${f.resource}`);
    expect(found.sort()).toEqual(unnamed.map((r) => `AutonamingDisabled ${r.type} ${r.name}`).sort());
  });

  it("a state machine's configured name is measured against Step Functions' 80, its default autoname left to StatesStateMachineName", () => {
    const long = handBuilt("aws:sfn/stateMachine:StateMachine", "x".repeat(75), { definition: "{}", roleArn: "arn:aws:iam::123456789012:role/r" });
    expect(findingsUnder({ pattern: "${name}-${stack}-${hex(8)}" }, [long])).toEqual([expect.stringMatching(/is named x+-dev-<hex\(8\)> \(88 characters\) by pulumi:autonaming pattern .*a state machine name that is 88 characters; 1–80 allowed/)]);
    // Pulumi's default `<name>-<7 hex>` (83 characters) is StatesStateMachineName's alone, not reported twice.
    expect(checkDeployRules([long], devContext).map((f) => f.rule).filter((rule) => rule.includes("Name"))).toEqual(["StatesStateMachineName"]);
  });

  it("a security group's configured name is measured against EC2's rules (up to 255 characters, not starting with sg-), as PrivateNetwork and RelationalDatabase measure its default autoname", () => {
    // EC2 CreateSecurityGroup GroupName: "Up to 255 characters in length. Cannot start with sg-"
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html).
    const group = handBuilt("aws:ec2/securityGroup:SecurityGroup", "db-cluster", { vpcId: "vpc-1", description: "db" });
    expect(findingsUnder({ pattern: "${name}-${hex(7)}" }, [group])).toEqual([]);
    expect(findingsUnder({ pattern: "sg-${name}-${hex(7)}" }, [group])).toEqual([
      'dev: [PhysicalNameLimits] aws:ec2/securityGroup:SecurityGroup db-cluster: is named sg-db-cluster-<hex(7)> (21 characters) by pulumi:autonaming pattern "sg-${name}-${hex(7)}", a security group name that starts with "sg-" ("Cannot start with sg-", CreateSecurityGroup GroupName: the prefix of group ids): terraform-provider-aws refuses it at `pulumi preview` (name: at most 255 characters, "cannot begin with sg-"). Fix: change pulumi:autonaming so the name fits (a security group name of at most 255 characters AWS takes), set it for aws:ec2/securityGroup:SecurityGroup alone (providers.aws.resources["aws:ec2/securityGroup:SecurityGroup"]), or shorten the resource name "db-cluster"',
    ]);
    expect(findingsUnder({ pattern: "${name}-${hex(250)}" }, [group])).toEqual([expect.stringContaining('is named db-cluster-<hex(250)> by pulumi:autonaming pattern "${name}-${hex(250)}", 261 characters: over the 255 pulumi-aws allows for a security group name, so `pulumi preview` fails')]);
    expect(findingsUnder({ pattern: "${name}?${hex(4)}" }, [group])).toEqual([expect.stringContaining('a security group name that has "?"')]);
  });

  it("does not warn of names shared between stacks for APIs, which AWS does not keep unique by name (two APIs of one name get two ids)", () => {
    const apis = unnamed.filter((r) => r.type === "aws:apigateway/restApi:RestApi" || r.type === "aws:apigatewayv2/api:Api");
    expect(checkDeployWarnings(apis, devContext, warningRulesUnderAutonaming([], configOf({ mode: "verbatim" })))).toEqual([]);
  });

  it("does not warn of names unique only within their parent: a scaling policy (its scalable target), a security group in a VPC the stack creates", () => {
    const scoped = unnamed.filter((r) => r.type === "aws:appautoscaling/policy:Policy");
    expect(checkDeployWarnings(scoped, devContext, warningRulesUnderAutonaming([], configOf({ mode: "verbatim" })))).toEqual([]);
    // Security group names are unique within the VPC (CreateSecurityGroup): another stack's own VPC is another scope,
    // an existing VPC both stacks are given is one.
    const vpc = handBuilt("awsx:ec2:Vpc", "net-vpc", {}, { custom: false, state: { vpcId: "vpc-0123" } });
    const group = (vpcId: string) => handBuilt("aws:ec2/securityGroup:SecurityGroup", "net-functions", { vpcId, description: "functions" });
    expect(checkDeployWarnings([vpc, group("vpc-0123")], devContext, warningRulesUnderAutonaming([], configOf({ mode: "verbatim" })))).toEqual([]);
    expect(checkDeployWarnings([vpc, group("vpc-existing")], devContext, warningRulesUnderAutonaming([], configOf({ mode: "verbatim" }))).map(formatFinding)).toEqual([expect.stringContaining('aws:ec2/securityGroup:SecurityGroup net-functions: is named "net-functions" by pulumi:autonaming mode verbatim, without a random part')]);
  });
});

describe("a proposed name's length, as pulumi-aws measures it", () => {
  it("counts bytes (Go's len in ComputeAutoNameDefault), not UTF-16 units: 130 é are 260 bytes, over the 255 pulumi-aws allows", () => {
    const pool = handBuilt("aws:cognito/userPool:UserPool", "\u00e9".repeat(130), {});
    expect(findingsUnder({ pattern: "${name}" }, [pool])).toEqual([expect.stringContaining("260 bytes (130 characters): over the 255 pulumi-aws allows for a user pool name, so `pulumi preview` fails")]);
    expect(findingsUnder({ pattern: "${name}" }, [handBuilt("aws:cognito/userPool:UserPool", "e".repeat(130), {})])).toEqual([]);
  });

  it("counts bytes for Pulumi's default <name>-<7 hex> too (NewUniqueName: `len(prefix)+randlen > maxlen`, Go's len)", () => {
    // pulumi/pulumi sdk/go/common/resource/resource_id.go NewUniqueName. 124 é are 248 bytes: with "-" and 7 random
    // characters 256, over pulumi-aws's 255, though 132 UTF-16 units.
    const defaults = (name: string) => checkDeployRules([handBuilt("aws:cognito/userPool:UserPool", name, {})], devContext).filter((f) => f.rule === "PhysicalNameLimits").map(formatFinding);
    expect(defaults("\u00e9".repeat(124))).toEqual([expect.stringContaining(`is autonamed ${"\u00e9".repeat(124)}-<random suffix>, 256 bytes (132 characters): over the 255 pulumi-aws allows for a user pool name, so \`pulumi preview\` fails`)]);
    expect(defaults("\u00e9".repeat(123))).toEqual([]);
    expect(defaults("e".repeat(248))).toEqual([expect.stringContaining("256 characters: over the 255 pulumi-aws allows")]);
    // The fix counts as the limit does: "(124 characters) to at most 247" would say the name already fits.
    expect(defaults("\u00e9".repeat(124))).toEqual([expect.stringContaining(`Fix: shorten the resource name "${"\u00e9".repeat(124)}" (248 bytes, 124 characters) to at most 247 bytes: `)]);
    expect(defaults("e".repeat(248))).toEqual([expect.stringContaining(`Fix: shorten the resource name "${"e".repeat(248)}" (248 characters) to at most 247: `)]);
  });
});
