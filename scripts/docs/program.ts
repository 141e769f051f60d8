/**
 * The project's TypeScript program as `tsc -p .` builds it (tsconfig.json: index.ts, components, handlers, local
 * runtime, scripts, benches, tests), for TypeDoc (scripts/docs/reference.ts). TypeDoc needs TypeScript 5's compiler
 * API; the type check runs TypeScript 7's native compiler instead (tests/typecheck.test.ts).
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

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[], currentDirectory: string): string {
  return ts
    .formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => currentDirectory, getNewLine: () => "\n" })
    .trim();
}
