/**
 * Loads the publisher's provider for `pulumi.dynamic.Resource`, which serialises
 * the provider's code into the state. The provider is bundled with esbuild (npm
 * packages left as `require`s) and compiled by Node itself, so its functions are
 * plain CommonJS whatever loaded this module — ts-node, compiled JS, or a test
 * runner that rewrites imports (vitest), which Pulumi's closure serialiser cannot
 * follow. One bundle per process.
 */
import { existsSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";

let loaded: pulumi.dynamic.ResourceProvider | undefined;

/** The bundled provider's source, e.g. to inspect what gets serialised. */
export function bundlePublisherProvider(): string {
  const entry = ["provider.ts", "provider.js"].map((file) => join(__dirname, file)).find((file) => existsSync(file));
  if (!entry) throw new Error(`The site publisher's provider is missing from ${__dirname}; reinstall serverless-fullstack.`);
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    external: ["@aws-sdk/*", "@smithy/*", "@pulumi/*"],
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

export function loadPublisherProvider(): pulumi.dynamic.ResourceProvider {
  if (loaded) return loaded;
  const filename = join(__dirname, "provider.bundle.js");
  const compiled = new Module(filename) as Module & { _compile(code: string, filename: string): void; paths: string[] };
  compiled.filename = filename;
  compiled.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
  compiled._compile(bundlePublisherProvider(), filename);
  loaded = (compiled.exports as { publisherProvider: pulumi.dynamic.ResourceProvider }).publisherProvider;
  return loaded;
}
