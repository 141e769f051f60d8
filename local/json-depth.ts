/**
 * How deeply a JSON text nests (`{}` is 1, `{"a":[1]}` 2), read in one pass without recursion (brackets inside strings
 * do not count): what the local endpoints check a client's JSON against before anything parses or walks it
 * recursively (local Step Functions' execution input and Task output, local EventBridge's Detail).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
