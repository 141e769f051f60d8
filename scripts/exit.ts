import { ComponentArgError } from "../components/errors";

/**
 * Exits once stdout and stderr have written everything. `process.exit` right after `console.log`
 * drops whatever a pipe has not taken yet (a CI log, a test reading the output) — on a busy
 * machine the tail of a long plan, i.e. its deploy-rule verdict.
 */
export function exitAfterOutput(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

/**
 * Runs a CLI's main and exits with its code (1 on a thrown error), after its output is written. A ComponentArgError
 * prints as its message, which says all (the component, argument, value and fix), as the plan prints the program's
 * failures: not with its stack and fields, nor the `promise` Pulumi attaches to an error that rejected an input (a
 * failed StaticSite build), which prints as `<ref *1>`… `Promise { <rejected> [Circular *1] }`.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(exitAfterOutput, (error) => {
    console.error(error instanceof ComponentArgError ? error.message : error);
    exitAfterOutput(1);
  });
}
