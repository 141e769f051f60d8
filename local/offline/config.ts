/**
 * Loads a stack's configuration the way the Pulumi CLI does — defaults declared in
 * Pulumi.yaml, overridden by Pulumi.<stack>.yaml — and checks each value against
 * its declared type, so a bad stack file fails the offline plan, not a deploy.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

type DeclaredType = "string" | "integer" | "boolean" | "array";

interface Declaration {
  type?: DeclaredType;
  default?: unknown;
  description?: string;
}

export interface StackConfig {
  project: string;
  stack: string;
  /** Fully qualified keys ("serverless-fullstack:siteDir") to string values, as `setAllConfig` takes them. */
  values: Record<string, string>;
  /**
   * The keys whose value is an object: a mapping, a list or null, which the CLI keeps as an object Value (pulumi/pulumi
   * sdk/go/common/resource/config object.go MarshalString), unlike a string that holds JSON (read by
   * testing/deploy-rules/autonaming.ts for `pulumi:autonaming`, which the engine refuses as a string).
   */
  objectKeys: string[];
  secretKeys: string[];
  /** `aws:region` of the stack (us-east-1 when unset, as the provider's default). */
  region: string;
  errors: string[];
  warnings: string[];
}

export class StackConfigError extends Error {
  constructor(readonly stack: string, readonly errors: string[]) {
    super(`Stack "${stack}" has ${errors.length} config error(s):\n${errors.map((e) => `  - ${e}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

export function loadStackConfig(projectDir: string, stack: string): StackConfig {
  const projectFile = join(projectDir, "Pulumi.yaml");
  const stackFile = join(projectDir, `Pulumi.${stack}.yaml`);
  const project = parse(readFileSync(projectFile, "utf8")) as { name: string; config?: Record<string, Declaration | unknown> };
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!existsSync(stackFile)) {
    errors.push(`Pulumi.${stack}.yaml does not exist. Create it (pulumi stack init ${stack}) or pick one of the stacks in ${projectDir}.`);
  }
  const stackConfig = existsSync(stackFile)
    ? ((parse(readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> }).config ?? {}
    : {};

  const declarations = normaliseDeclarations(project.name, project.config ?? {});
  const values: Record<string, string> = {};
  const objectKeys = new Set<string>();
  const secretKeys: string[] = [];
  const set = (key: string, value: unknown) => {
    values[key] = stringify(value);
    if (typeof value === "object") objectKeys.add(key);
    else objectKeys.delete(key);
  };

  for (const [key, declaration] of declarations) {
    if (declaration.default !== undefined) set(key, declaration.default);
  }
  for (const [rawKey, rawValue] of Object.entries(stackConfig)) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    const declaration = declarations.get(key);
    if (key.startsWith(`${project.name}:`) && !declaration) {
      errors.push(`Pulumi.${stack}.yaml sets "${rawKey}", which Pulumi.yaml does not declare. Declare it under config: in Pulumi.yaml, or fix the spelling.`);
      continue;
    }
    if (isSecret(rawValue)) {
      // Secrets cannot be decrypted without the stack's secrets provider; offline runs get a stand-in.
      set(key, `offline-secret-for-${key.split(":")[1]}`);
      secretKeys.push(key);
      warnings.push(`${rawKey} is a secret; the offline run uses a stand-in value.`);
      continue;
    }
    const problem = declaration?.type ? typeProblem(rawValue, declaration.type) : undefined;
    if (problem) {
      errors.push(`Pulumi.${stack}.yaml: ${rawKey} = ${JSON.stringify(rawValue)} ${problem} (Pulumi.yaml declares type ${declaration!.type}).`);
      continue;
    }
    set(key, rawValue);
  }

  return { project: project.name, stack, values, objectKeys: [...objectKeys], secretKeys, region: values["aws:region"] ?? "us-east-1", errors, warnings };
}

function normaliseDeclarations(projectName: string, config: Record<string, unknown>): Map<string, Declaration> {
  const declarations = new Map<string, Declaration>();
  for (const [rawKey, entry] of Object.entries(config)) {
    const key = rawKey.includes(":") ? rawKey : `${projectName}:${rawKey}`;
    const isObject = entry !== null && typeof entry === "object" && !Array.isArray(entry);
    const isDeclaration = isObject && ("type" in entry || "default" in entry);
    // A value Pulumi.yaml sets for a key of another namespace is wrapped in `value:`, beside an optional description
    // (pulumi/pulumi sdk/go/common/workspace/project.go ProjectConfigType, Validate: such a key "must provide an
    // attribute 'value'"); an object one must be (e.g. pulumi:autonaming,
    // https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming-configuration).
    const wrapped = isObject && !isDeclaration && "value" in entry;
    declarations.set(key, isDeclaration ? (entry as Declaration) : { default: wrapped ? (entry as { value: unknown }).value : entry });
  }
  return declarations;
}

function isSecret(value: unknown): boolean {
  return value !== null && typeof value === "object" && "secure" in (value as object);
}

function typeProblem(value: unknown, type: DeclaredType): string | undefined {
  switch (type) {
    case "string":
      return typeof value === "string" ? undefined : "is not a string";
    case "integer":
      return Number.isInteger(value) ? undefined : "is not an integer";
    case "boolean":
      return typeof value === "boolean" ? undefined : "is not a boolean (true or false)";
    case "array":
      return Array.isArray(value) ? undefined : "is not a list";
  }
}

function stringify(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
