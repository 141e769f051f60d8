/**
 * The GitHub Actions workflow (.github/workflows/ci.yml), read as data: the preview addresses
 * stacks as `org/stack`, skips pull requests from forks with a notice, never waits on the browser
 * tests, and is the only job that may request an OIDC token.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

interface Step {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  if?: string;
  needs?: string | string[];
  permissions?: string | Record<string, string>;
  steps: Step[];
}

const workflow = parse(readFileSync(".github/workflows/ci.yml", "utf8")) as { permissions?: string | Record<string, string>; jobs: Record<string, Job> };
const jobs = workflow.jobs;

/** Expressions compared without their `${{ }}` wrapper and with spaces normalised. */
const expression = (value: unknown) => String(value ?? "").replace(/^\$\{\{\s*|\s*\}\}$/g, "").replace(/\s+/g, " ").trim();
const FROM_FORK = "github.event.pull_request.head.repo.full_name != github.repository";
const FROM_THIS_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";

const needs = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** The jobs a job waits for, directly or through the jobs it waits for. */
function upstream(name: string, seen = new Set<string>()): Set<string> {
  for (const dependency of needs(jobs[name])) {
    if (!seen.has(dependency)) {
      seen.add(dependency);
      upstream(dependency, seen);
    }
  }
  return seen;
}

/** A step that runs the browser tests: the whole suite (`npm test`, `.ci/run`), or vitest without tests/e2e excluded. */
function runsBrowserTests(run: string | undefined): boolean {
  if (!run) return false;
  if (/npm test|\.ci\/run/.test(run)) return true;
  return /vitest run/.test(run) && !/--exclude\s+["']?tests\/e2e/.test(run);
}

const previewStep = () => jobs.preview.steps.find((step) => step.uses?.startsWith("pulumi/actions@"))!;

describe("ci.yml: pulumi preview on pull requests", () => {
  it("runs on pull requests and previews each stack as <organisation>/<stack>, the organisation from the PULUMI_ORG repository variable", () => {
    expect(expression(jobs.preview.if)).toBe("github.event_name == 'pull_request'");
    const step = previewStep();
    expect(step.with).toMatchObject({ command: "preview" });
    expect(String(step.with!["stack-name"])).toMatch(/^\$\{\{\s*vars\.PULUMI_ORG\s*\}\}\/\$\{\{\s*matrix\.stack\s*\}\}$/);
  });

  it("previews with a Pulumi CLI of 3.194.0 or later, the deploy guide's minimum (deployed values kept by position under ignoreChanges)", () => {
    expect(String(previewStep().with!["pulumi-version"])).toBe("^3.194.0");
  });

  it("skips pull requests from forks (no OIDC token, no secrets) with a notice, and runs nothing else for them", () => {
    const [gate, ...rest] = jobs.preview.steps;
    expect(expression(gate.if)).toBe(FROM_FORK);
    expect(gate.run).toMatch(/^echo "::notice[ :]/);
    expect(gate.run).toMatch(/fork/);
    for (const step of rest) expect(expression(step.if), step.name ?? step.uses ?? step.run).toBe(FROM_THIS_REPOSITORY);
  });

  it("does not wait on the browser tests: nothing upstream of the preview runs them", () => {
    const browserJobs = Object.entries(jobs).filter(([, job]) => job.steps.some((step) => runsBrowserTests(step.run))).map(([name]) => name);
    expect(browserJobs.length).toBeGreaterThan(0);
    const waitsFor = upstream("preview");
    expect([...waitsFor].filter((name) => browserJobs.includes(name))).toEqual([]);
    // It is still gated on the program compiling.
    expect([...waitsFor].some((name) => jobs[name].steps.some((step) => /npm run typecheck|tsc --noEmit/.test(step.run ?? "")))).toBe(true);
  });

  it("grants id-token: write to the preview job only; the workflow's default token is read-only", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    const withOidc = Object.entries(jobs).filter(([, job]) => typeof job.permissions === "object" && job.permissions["id-token"] === "write").map(([name]) => name);
    expect(withOidc).toEqual(["preview"]);
    for (const [name, job] of Object.entries(jobs)) expect(job.permissions, name).not.toBe("write-all");
  });
});

describe("ci.yml: a pull request's second deploy", () => {
  it("compares each stack's plan with the base branch's (--save there, --since here), offline and with a read-only token", () => {
    const job = jobs["second-deploy"];
    expect(expression(job.if)).toBe("github.event_name == 'pull_request'");
    expect((job as Job & { strategy: { matrix: { stack: string[] } } }).strategy.matrix.stack).toEqual(["dev", "prod"]);
    const base = job.steps.find((step) => /--save/.test(step.run ?? ""))!;
    const head = job.steps.find((step) => /--since/.test(step.run ?? ""))!;
    expect(expression(base.env?.BASE_SHA)).toBe("github.event.pull_request.base.sha");
    expect(base.run).toMatch(/git worktree add "\$RUNNER_TEMP\/base" "\$BASE_SHA"[\s\S]*npm run --silent plan -- --stack "\$STACK" --save "\$RUNNER_TEMP\/base-plan\.json"/);
    expect(head.run).toMatch(/npm run --silent plan -- --stack "\$STACK" --since "\$RUNNER_TEMP\/base-plan\.json" "\$\{accept\[@\]\}"/);
    expect(job.steps.indexOf(base)).toBeLessThan(job.steps.indexOf(head));
    // Values from the event reach the scripts through env, never pasted into them (script injection).
    for (const step of job.steps) expect(step.run ?? "").not.toMatch(/\$\{\{/);
    expect(job.permissions).toBeUndefined();
  });
});

describe("ci.yml: accepted second-deploy findings", () => {
  it("passes each line of .ci/accepted-transitions to --since as --accept, trimmed, without carriage returns, blanks and # comments", () => {
    const head = jobs["second-deploy"].steps.find((step) => /--since/.test(step.run ?? ""))!;
    const folder = mkdtempSync(join(tmpdir(), "sf-accept-"));
    mkdirSync(join(folder, ".ci"));
    writeFileSync(join(folder, ".ci", "accepted-transitions"), "# reviewed in #42\n\n  TransitionStatefulReplaced:urn:pulumi:prod::p::aws:dynamodb/table:Table::t  # reviewed: the table is new\r\n   # an indented comment\nTransitionNameTaken:urn:a b\r\n");
    const base = join(folder, "base-plan.json");
    writeFileSync(base, "{}");
    // The step's script with npm replaced by a function that prints the arguments it gets, one a line.
    const script = `npm() { printf '%s\\n' "$@"; }\n${head.run}`;
    const result = spawnSync("bash", ["-c", script], { cwd: folder, encoding: "utf8", env: { ...process.env, STACK: "prod", RUNNER_TEMP: folder } });
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split("\n").slice(6)).toEqual(["--since", base, "--accept", "TransitionStatefulReplaced:urn:pulumi:prod::p::aws:dynamodb/table:Table::t", "--accept", "TransitionNameTaken:urn:a b"]);
  });
});

describe("ci.yml: jobs that run the program", () => {
  it("install sharp's linux-arm64 build (npm run lambda-native) after npm ci: without it the thumbnail function refuses to bundle", () => {
    const runsProgram = (step: Step) => /npm run --silent plan|vitest run|pulumi\/actions/.test(`${step.run ?? ""} ${step.uses ?? ""}`) && !/--config vitest\.package/.test(step.run ?? "");
    const jobsRunningIt = Object.entries(jobs).filter(([, job]) => job.steps.some(runsProgram));
    expect(jobsRunningIt.map(([name]) => name).sort()).toEqual(["browser", "preview", "second-deploy", "test"]);
    // Each step that runs it, read with the steps before it as one script: the last `npm ci` before it, then `lambda-native`.
    for (const [name, job] of jobsRunningIt) {
      job.steps.forEach((step, index) => {
        if (!runsProgram(step)) return;
        const script = job.steps.slice(0, index + 1).map((s) => `${s.run ?? ""}\n${s.uses ?? ""}`).join("\n");
        const program = Math.max(...[/npm run --silent plan/g, /vitest run/g, /pulumi\/actions/g].flatMap((pattern) => [...script.matchAll(pattern)].map((m) => m.index!)));
        const install = script.lastIndexOf("npm ci", program);
        const native = script.lastIndexOf("npm run --silent lambda-native", program);
        expect([install >= 0, install < native], `${name}, step ${index}`).toEqual([true, true]);
      });
    }
  });
});
