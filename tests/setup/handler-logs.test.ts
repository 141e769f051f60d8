/**
 * The handler-log buffer (tests/setup/handler-logs.ts) around beforeAll and afterAll hooks, run by a vitest of its own
 * with the buffer as its setup, in one reused worker as the suite's shared project runs: a fixture file with a failed
 * afterAll before a failing test, then one whose tests all pass and some of whose hooks fail.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

describe("handler logs and Pulumi warnings written by hooks", () => {
  it("are printed with the next test's failure, or where a describe's or the file's hook failed though every test passed, in each file of a shared worker; a passing hook's stay quiet", () => {
    // The child is a vitest of its own, not a worker of this one.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")));
    const result = spawnSync(process.execPath, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--root", join(ROOT, "tests", "fixtures", "handler-logs")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
      timeout: 120_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    // A child that timed out or crashed says so, rather than fail the expectations below on partial output.
    expect(result.error, output).toBeUndefined();
    expect(result.signal, output).toBeNull();
    expect(output).toMatch(/Tests +1 failed \| 4 passed \| 1 skipped \(6\)/);
    expect(result.status).toBe(1);
    // The failed afterAll's output goes with the failing test after it, and only there (the code frame of the afterAll's
    // error shows its source, so the printed line is counted).
    expect(output).toContain(["Handler logs and Pulumi warnings up to this failure:", "fn | GAP-LOG", "fn | TEST-LOG"].join("\n"));
    expect(output.split("fn | GAP-LOG").length - 1).toBe(1);
    expect(output).toContain(
      [
        'Handler logs and Pulumi warnings between test "second" and test "third", where describe "failing afterAll" and describe "outer > failing beforeAll" failed:',
        "fn | FAILING-AFTERALL-LOG",
        "pulumi (stderr) | warning: [runtime] FAILING-BEFOREALL-WARNING",
      ].join("\n"),
    );
    expect(output).toContain(['Handler logs and Pulumi warnings after the last test, "third", where the file failed:', "pulumi (stderr) | warning: [runtime] FILE-AFTERALL-WARNING"].join("\n"));
    expect(output).not.toContain("PASSING-AFTERALL-LOG");
  });
});
