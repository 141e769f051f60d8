/**
 * One way to turn a TypeScript entry file into Lambda code: an esbuild bundle
 * (ESM, minified, tree-shaken, external source map) built synchronously at plan
 * time. The same source gives byte-identical output, so the archive hash — and
 * therefore `pulumi preview` — shows no diff when nothing changed. The local
 * runtime runs these very bundles.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { deflateRawSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";

export const BUNDLE_FILE = "index.mjs";

export interface Bundle {
  entry: string;
  code: string;
  sourceMap: string;
  /** Bytes of the bundle as Lambda unpacks it. */
  unzippedBytes: number;
  /** Deflated size of bundle + map: what the deployment package costs against Lambda's zipped limits. */
  zippedBytes: number;
  /** sha256 of the code, for change detection and cache keys. */
  hash: string;
}

export interface BundleOptions {
  /** Module names to leave out of the bundle (must then exist at run time). */
  external?: string[];
  /** Compile-time constants (`define` in esbuild), e.g. configuration baked into Lambda@Edge code. */
  define?: Record<string, string>;
}

/**
 * Bundle options whose constants may be known only at deploy time (Outputs, e.g. a user
 * pool's issuer baked into Lambda@Edge code): the code is then built when they resolve.
 */
export interface DeployBundleOptions extends Omit<BundleOptions, "define"> {
  /** esbuild `define`: each value a JS expression in JSON (`JSON.stringify(x)`, or `pulumi.jsonStringify(x)` for Outputs). */
  define?: Record<string, pulumi.Input<string>>;
}

export function hasDeployTimeValues(options: DeployBundleOptions): boolean {
  return Object.values(options.define ?? {}).some((value) => typeof value !== "string");
}

/**
 * The options for a build at plan time: deploy-time constants become `null`, so size and
 * export checks run before deploying (a few bytes of configuration do not move the limits).
 */
export function planTimeOptions(options: DeployBundleOptions): BundleOptions {
  const define = Object.fromEntries(Object.entries(options.define ?? {}).map(([key, value]) => [key, typeof value === "string" ? value : "null"]));
  return { ...options, define };
}

/** The options once every constant is known (at deploy time, or locally under mocks). */
export function resolvedOptions(options: DeployBundleOptions): pulumi.Output<BundleOptions> {
  return pulumi.output(options.define ?? {}).apply((define) => ({ ...options, define: define as Record<string, string> }));
}

const cache = new Map<string, Bundle>();

// ESM bundles that contain CommonJS dependencies still call `require` for Node
// built-ins; give them one.
const REQUIRE_SHIM = 'import { createRequire as __sfCreateRequire } from "node:module"; const require = __sfCreateRequire(import.meta.url);';

export function bundleEntry(entry: string, options: BundleOptions = {}): Bundle {
  const absoluteEntry = resolve(entry);
  const key = JSON.stringify([absoluteEntry, options]);
  const cached = cache.get(key);
  if (cached) return cached;

  const result = buildSync({
    entryPoints: [absoluteEntry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    treeShaking: true,
    sourcemap: "external",
    sourcesContent: false,
    legalComments: "none",
    outfile: BUNDLE_FILE,
    write: false,
    logLevel: "silent",
    banner: { js: REQUIRE_SHIM },
    mainFields: ["module", "main"],
    external: options.external ?? [],
    define: options.define ?? {},
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(".mjs"))!.text;
  const sourceMap = result.outputFiles.find((f) => f.path.endsWith(".map"))!.text;
  const bundle: Bundle = {
    entry: absoluteEntry,
    code,
    sourceMap,
    unzippedBytes: Buffer.byteLength(code) + Buffer.byteLength(sourceMap),
    zippedBytes: deflateRawSync(code).length + deflateRawSync(sourceMap).length,
    hash: createHash("sha256").update(code).digest("hex"),
  };
  cache.set(key, bundle);
  return bundle;
}

/** The deployment package: the bundle and its source map, as Lambda's `code` archive. */
export function bundleArchive(bundle: Bundle): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({
    [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundle.code),
    [`${BUNDLE_FILE}.map`]: new pulumi.asset.StringAsset(bundle.sourceMap),
  });
}
