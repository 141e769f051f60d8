/**
 * vitest globalSetup: installs lambda-native/linux-<arch> (sharp's Lambda build, which the thumbnail function's zip
 * ships) when it is missing or stale, once, before any worker runs the program (local/lambda-native.ts says why this
 * is not a postinstall). Test workers never install: several at once would each run npm.
 */
import { resolve } from "node:path";
import { ensureLambdaNative } from "../../local/lambda-native";

export default function setup(): void {
  ensureLambdaNative(resolve(__dirname, "..", ".."));
}
