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

/** Runs a CLI's main and exits with its code (1 on a thrown error), after its output is written. */
export function runMain(main: () => Promise<number>): void {
  main().then(exitAfterOutput, (error) => {
    console.error(error);
    exitAfterOutput(1);
  });
}
