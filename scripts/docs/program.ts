/**
 * The project's TypeScript program as `tsc -p .` builds it (tsconfig.json: index.ts, components, handlers, local
 * runtime, scripts, benches, tests), for the type check and for TypeDoc at once: most of either's cost is
 * parsing and binding @pulumi/aws's ≈2 million lines of declarations, which one program does once.
 */
import { dirname, join } from "node:path";
import ts from "typescript";

/** The program of `projectDir/tsconfig.json`; throws with tsc's message when the tsconfig itself is wrong. */
export function projectProgram(projectDir: string): ts.Program {
  const configFile = join(projectDir, "tsconfig.json");
  let configError: ts.Diagnostic | undefined;
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => (configError = diagnostic),
  });
  if (!parsed || configError) throw new Error(formatDiagnostics(configError ? [configError] : [], dirname(configFile)) || `${configFile} could not be read`);
  if (parsed.errors.length > 0) throw new Error(formatDiagnostics(parsed.errors, projectDir));
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
}

/**
 * The same program with a type checker of its own: its files, parsed and bound once, are shared, not read again.
 * For TypeDoc beside a type check: a checker that converted the API reports TypeDoc's unresolved `{@link}` names
 * as errors tsc would not, and one that checked everything first has met the API's types in another order, which
 * changes how TypeDoc prints some unions.
 */
export function withOwnChecker(program: ts.Program): ts.Program {
  const options = program.getCompilerOptions();
  const host = ts.createCompilerHost(options);
  const readSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, ...rest) => {
    const known = program.getSourceFile(fileName) as (ts.SourceFile & { redirectInfo?: { unredirected: ts.SourceFile } }) | undefined;
    // A second copy of a package (same name and version elsewhere in node_modules) is a redirect to the first: the
    // host hands out the file as parsed, and the program makes the redirect again.
    return known?.redirectInfo?.unredirected ?? known ?? readSourceFile(fileName, ...rest);
  };
  return ts.createProgram({ rootNames: program.getRootFileNames(), options, projectReferences: program.getProjectReferences(), host, oldProgram: program });
}

/** What `tsc --noEmit -p .` prints for the program (empty when it type-checks), one line per diagnostic. */
export function typeErrors(program: ts.Program): string {
  return formatDiagnostics(ts.getPreEmitDiagnostics(program), program.getCurrentDirectory());
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[], currentDirectory: string): string {
  return ts
    .formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => currentDirectory, getNewLine: () => "\n" })
    .trim();
}
