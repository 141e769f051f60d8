/**
 * One way to turn a TypeScript entry file into Lambda code: an esbuild bundle
 * (ESM, minified, tree-shaken, external source map). The same source gives
 * byte-identical output, so the archive hash — and therefore `pulumi preview` —
 * shows no diff when nothing changed. The local runtime runs these very bundles.
 *
 * Each distinct build (entry + options) runs once: the result is kept in memory for the
 * process and on disk (`bundle-cache.ts`) for later runs, with the hash of every file
 * esbuild read, so a changed import — or a changed dependency — rebuilds it. Builds a
 * component needs during construction (to check exports and size before anything deploys)
 * are synchronous; everything else (`bundleEntryAsync`, deploy-time constants, prewarming
 * before a run) uses esbuild's async API, so independent builds run in parallel.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { deflateRaw, deflateRawSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import type { BuildOptions, BuildResult, Metafile } from "esbuild";
import { BundleCache, type BuildOutput, type BundleRequest } from "./bundle-cache";

export const BUNDLE_FILE = "index.mjs";

export interface Bundle {
  entry: string;
  code: string;
  sourceMap: string;
  /** Names the bundle exports (esbuild's metafile), e.g. the handler. */
  exports: string[];
  /** Bytes of the bundle as Lambda unpacks it. */
  unzippedBytes: number;
  /** Deflated size of bundle + map: what the deployment package costs against Lambda's zipped limits. Computed once per distinct bundle. */
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

/**
 * Left out of every function's bundle: the AWS SDK's credential providers for SSO, shared
 * config files, processes and web identity. Lambda (and Lambda@Edge) put the role's
 * credentials in the environment, which the SDK's default chain tries first; it only
 * `import()`s these (dynamically) when that fails, so they never load — but they cost
 * ~110 KB of a bundle's cold start (bench/cold-start.bench.ts). One list for every function.
 */
export const LAMBDA_BUNDLE_EXTERNALS: readonly string[] = [
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-login",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/nested-clients",
  "@aws-sdk/token-providers",
];

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

// ESM bundles that contain CommonJS dependencies still call `require` for Node
// built-ins; give them one.
const REQUIRE_SHIM = 'import { createRequire as __sfCreateRequire } from "node:module"; const require = __sfCreateRequire(import.meta.url);';

/**
 * The esbuild options for one bundle. Externals always include LAMBDA_BUNDLE_EXTERNALS and
 * are sorted, and defines sorted by name, so equal builds get equal options (and one cache entry).
 */
export function buildOptions(entry: string, options: BundleOptions = {}): BuildOptions & { entryPoints: string[]; write: false; metafile: true } {
  const external = [...new Set([...LAMBDA_BUNDLE_EXTERNALS, ...(options.external ?? [])])].sort();
  const define = Object.fromEntries(Object.entries(options.define ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    entryPoints: [resolve(entry)],
    absWorkingDir: process.cwd(),
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
    metafile: true,
    logLevel: "silent",
    banner: { js: REQUIRE_SHIM },
    mainFields: ["module", "main"],
    external,
    define,
  };
}

let cache: BundleCache | undefined;

/** The process's bundle cache (see bundle-cache.ts for where it keeps its files). */
export function bundleCache(): BundleCache {
  cache ??= new BundleCache();
  return cache;
}

/**
 * Builds (or fetches from the cache) the bundle of `entry`; synchronous, for checks at construction. `failed` is what a
 * failed build throws instead of esbuild's error: now, or when the bundle's code is first read and the cache builds it
 * again (its file was damaged, replaced or pruned meanwhile) while the source no longer builds.
 */
export function bundleEntry(entry: string, options: BundleOptions = {}, cache: BundleCache = bundleCache(), failed?: (error: unknown) => never): Bundle {
  return cache.get(request(entry, options), buildSync, failed);
}

/** A failed build's errors in one line (`<file>:<line>: <text>; …`, esbuild's), else the error's message. */
export function buildErrorDetail(error: unknown): string {
  const detail = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors
    ?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
    .join("; ");
  return detail ?? (error as Error).message;
}

/**
 * Any other esbuild build, through the same cache (e.g. the site publisher's provider):
 * `options` must be complete (absolute entry, `write: false`, `metafile: true`).
 */
export function cachedBuild(options: BuildOptions & { entryPoints: string[]; write: false; metafile: true }, cache: BundleCache = bundleCache()): Bundle {
  return cache.get({ options }, buildSync);
}

/**
 * A dynamic resource provider's module of this package (`<name>.ts` beside `folder` in the sources, `<name>.js` once
 * compiled), bundled to CommonJS for Node through the build cache: the text Pulumi's provider host loads.
 * `owner` names who needs it in the error for a broken install.
 */
export function bundleProviderModule(folder: string, name: string, owner: string, options: Pick<BuildOptions, "external" | "minify" | "legalComments"> = {}): string {
  const entry = [`${name}.ts`, `${name}.js`].map((file) => join(folder, file)).find((file) => existsSync(file));
  if (!entry) throw new Error(`${owner} is missing from ${folder}; reinstall serverless-fullstack.`);
  return cachedBuild({
    entryPoints: [entry],
    absWorkingDir: process.cwd(),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
    ...options,
  }).code;
}

/** As `bundleEntry`, with esbuild's async API: concurrent calls build in parallel, and one build is shared by every caller. */
export function bundleEntryAsync(entry: string, options: BundleOptions = {}, cache: BundleCache = bundleCache()): Promise<Bundle> {
  return cache.getAsync(request(entry, options), buildAsync);
}

function buildSync(options: BuildOptions): BuildOutput {
  return fromBuild(loadEsbuild().buildSync(options));
}

/** One build with esbuild's async API (for `BundleCache.getAsync` and `prewarm`). */
export async function buildAsync(options: BuildOptions): Promise<BuildOutput> {
  return fromBuildAsync(await loadEsbuild().build(options));
}

function request(entry: string, options: BundleOptions): BundleRequest {
  return { options: buildOptions(entry, options) };
}

// esbuild is loaded on the first miss: a run served from the cache never starts it.
function loadEsbuild(): typeof import("esbuild") {
  return require("esbuild") as typeof import("esbuild");
}

function outputs(result: BuildResult) {
  const code = result.outputFiles!.find((f) => !f.path.endsWith(".map"))!.text;
  const sourceMap = result.outputFiles!.find((f) => f.path.endsWith(".map"))?.text ?? "";
  return { code, sourceMap, exports: exportsOf(result.metafile!), inputs: Object.keys(result.metafile!.inputs) };
}

function exportsOf(metafile: Metafile): string[] {
  const output = Object.entries(metafile.outputs).find(([path]) => !path.endsWith(".map"));
  return output ? [...output[1].exports] : [];
}

function fromBuild(result: BuildResult): BuildOutput {
  const out = outputs(result);
  return { ...out, zippedBytes: deflateRawSync(out.code).length + deflateRawSync(out.sourceMap).length };
}

async function fromBuildAsync(result: BuildResult): Promise<BuildOutput> {
  const out = outputs(result);
  const [code, map] = await Promise.all([deflateRawAsync(out.code), deflateRawAsync(out.sourceMap)]);
  return { ...out, zippedBytes: code.length + map.length };
}

const deflateRawAsync = promisify(deflateRaw);

/** The deployment package: the bundle and its source map, as Lambda's `code` archive. */
export function bundleArchive(bundle: Bundle): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({
    [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundle.code),
    [`${BUNDLE_FILE}.map`]: new pulumi.asset.StringAsset(bundle.sourceMap),
  });
}
