/**
 * The handler-log buffer (tests/setup/handler-logs.ts) around beforeAll and afterAll hooks: a fixture file whose tests all
 * pass and some of whose hooks fail, run by a vitest of its own with the buffer as its setup.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

describe("handler logs and Pulumi warnings written by hooks", () => {
  it("are printed where a describe's or the file's beforeAll or afterAll failed, though every test passed; a passing hook's stay quiet", () => {
    // The child is a vitest of its own, not a worker of this one.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")));
    const result = spawnSync(process.execPath, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--root", join(ROOT, "tests", "fixtures", "handler-logs")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
      timeout: 120_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toMatch(/Tests +3 passed \| 1 skipped \(4\)/);
    expect(result.status).toBe(1);
    expect(output).toContain(
      [
        'Handler logs and Pulumi warnings between test "second" and test "third", where a hook of describe "failing afterAll" and describe "failing beforeAll" failed:',
        "fn | FAILING-AFTERALL-LOG",
        "pulumi (stderr) | warning: [runtime] FAILING-BEFOREALL-WARNING",
      ].join("\n"),
    );
    expect(output).toContain(['Handler logs and Pulumi warnings after the last test, "third", where a hook of the file failed:', "pulumi (stderr) | warning: [runtime] FILE-AFTERALL-WARNING"].join("\n"));
    expect(output).not.toContain("PASSING-AFTERALL-LOG");
  });
});
