/**
 * Node's own warnings on stderr, e.g. `[DEP0025] sys is deprecated` and `WASI is experimental`,
 * which Pulumi's closure serializer triggers by loading every builtin module while it
 * serialises a dynamic provider (StaticSite's publisher). They are not our program's output.
 */
export function withoutNodeWarnings(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !/^\(node:\d+\) \[?\w*\]? ?\w*Warning: /.test(line) && !line.startsWith("(Use `node --trace-"))
    .join("\n")
    .trim();
}
