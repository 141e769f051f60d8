import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../local/offline/config";

function project(stackYaml: string) {
  const dir = mkdtempSync(join(tmpdir(), "sf-config-"));
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    `name: demo\nruntime: nodejs\nconfig:\n  siteDir:\n    type: string\n    default: site\n  retainData:\n    type: boolean\n    default: false\n  logRetentionDays:\n    type: integer\n    default: 30\n`,
  );
  writeFileSync(join(dir, "Pulumi.test.yaml"), stackYaml);
  return dir;
}

describe("stack config, loaded as the Pulumi CLI would", () => {
  it("applies Pulumi.yaml defaults, then the stack's values, as fully qualified keys", () => {
    const config = loadStackConfig(project("config:\n  aws:region: eu-west-1\n  demo:logRetentionDays: 365\n"), "test");
    expect(config.errors).toEqual([]);
    expect(config.values).toEqual({ "demo:siteDir": "site", "demo:retainData": "false", "demo:logRetentionDays": "365", "aws:region": "eu-west-1" });
    expect(config.region).toBe("eu-west-1");
  });

  it("reports values of the wrong type and keys Pulumi.yaml does not declare", () => {
    const config = loadStackConfig(project("config:\n  demo:retainData: yes please\n  demo:logRetentionDay: 7\n"), "test");
    expect(config.errors).toEqual([
      'Pulumi.test.yaml: demo:retainData = "yes please" is not a boolean (true or false) (Pulumi.yaml declares type boolean).',
      'Pulumi.test.yaml sets "demo:logRetentionDay", which Pulumi.yaml does not declare. Declare it under config: in Pulumi.yaml, or fix the spelling.',
    ]);
  });

  it("stands in for secrets it cannot decrypt, and says so", () => {
    const config = loadStackConfig(project("config:\n  demo:siteDir:\n    secure: AAABAxyz\n"), "test");
    expect(config.secretKeys).toEqual(["demo:siteDir"]);
    expect(config.values["demo:siteDir"]).toBe("offline-secret-for-siteDir");
    expect(config.warnings[0]).toMatch(/secret; the offline run uses a stand-in/);
  });

  it("reads a Pulumi.yaml value set under value: (a key of another namespace), with or without a description", () => {
    // pulumi/pulumi sdk/go/common/workspace/project.go: ProjectConfigType has value and description; a key outside the
    // project's namespace "must provide an attribute 'value'", and its shorthand (aws:region: us-west-2) is rewritten to it.
    const dir = mkdtempSync(join(tmpdir(), "sf-config-"));
    writeFileSync(
      join(dir, "Pulumi.yaml"),
      "name: demo\nruntime: nodejs\nconfig:\n  aws:region:\n    value: eu-west-2\n    description: The region\n  aws:profile:\n    value: ops\n  aws:skipMetadataApiCheck: true\n  tags:\n    description: Tags\n    default:\n      value: kept as the object\n",
    );
    writeFileSync(join(dir, "Pulumi.test.yaml"), "config: {}\n");
    const config = loadStackConfig(dir, "test");
    expect(config.errors).toEqual([]);
    expect(config.values).toEqual({ "aws:region": "eu-west-2", "aws:profile": "ops", "aws:skipMetadataApiCheck": "true", "demo:tags": '{"value":"kept as the object"}' });
    expect(config.region).toBe("eu-west-2");
  });

  it("records which keys hold an object (a mapping, list or null), not a string holding JSON, the stack file's value deciding", () => {
    const dir = mkdtempSync(join(tmpdir(), "sf-config-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: demo\nruntime: nodejs\nconfig:\n  pulumi:autonaming:\n    value:\n      pattern: ${name}-${hex(7)}\n  aws:defaultTags:\n    value:\n      tags:\n        app: demo\n");
    writeFileSync(join(dir, "Pulumi.test.yaml"), `config:\n  pulumi:autonaming: '{"mode":"verbatim"}'\n  app:list: [1, 2]\n  app:none: null\n`);
    const config = loadStackConfig(dir, "test");
    expect(config.errors).toEqual([]);
    expect(config.values["pulumi:autonaming"]).toBe('{"mode":"verbatim"}');
    expect([...config.objectKeys].sort()).toEqual(["app:list", "app:none", "aws:defaultTags"]);
  });

  it("names a missing stack file", () => {
    expect(loadStackConfig(project(""), "staging").errors[0]).toMatch(/Pulumi\.staging\.yaml does not exist/);
  });
});
