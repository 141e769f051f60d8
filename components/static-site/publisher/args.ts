/**
 * StaticSite's publishing arguments (`build`, `publish`): their TSDoc, validation,
 * defaults, and the build step itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { ArgFailure } from "../../errors";
import { DEFAULT_PUBLISH_OPTIONS, type PublisherEndpoints, type PublishOptions } from "./types";

/** A build that writes the site's files, run before the manifest is made (at preview and at `npm start` too). */
export interface StaticSiteBuild {
  /** Shell command, run in the site's `path`, e.g. `"npm run build"`. Its output is shown if it fails. */
  command: string;
  /** Folder the build writes, relative to `path`, e.g. `"dist"`; this is what gets published. */
  output: string;
  /** Extra environment variables for the command. @default none */
  environment?: Record<string, string>;
  /** Seconds before the build is stopped. @default 600 */
  timeoutSeconds?: number;
}

/** How the site's files reach the bucket: dotfiles, parallelism, multipart, kept assets, invalidation. */
export interface StaticSitePublishArgs {
  /** Publish dotfiles and dot-folders too (e.g. `.well-known/`). @default false */
  includeDotfiles?: boolean;
  /** Files uploaded at once. @default 8 */
  concurrency?: number;
  /** Files at least this big go up as multipart uploads. @default 16 MiB */
  multipartThresholdBytes?: number;
  /** Part size of multipart uploads, 5 MiB (S3's minimum) or more. @default 8 MiB */
  partSizeBytes?: number;
  /**
   * A fingerprinted asset (`app.3f9a12bc.js`) removed from the site stays in the bucket until this
   * many more deploys have changed the site, so browsers still running the old pages can load it.
   * 0 deletes it with the deploy that removed it. @default 2
   */
  keepRemovedAssetsFor?: number;
  /** Most paths in one CloudFront invalidation before folders collapse into `folder/*` wildcards (CloudFront: 3,000 in flight). @default 1000 */
  maxInvalidationPaths?: number;
  /** Invalidate CloudFront for changed and deleted files. @default true */
  invalidate?: boolean;
  /** Send S3, CloudFront and STS (assume-role) requests elsewhere (the local S3 server, stubs). @default AWS */
  endpoints?: PublisherEndpoints;
}

export interface NormalisedPublish {
  includeDotfiles: boolean;
  invalidate: boolean;
  options: PublishOptions;
  endpoints?: PublisherEndpoints;
}

const MIB = 1024 * 1024;

export function validatePublishArgs(fail: ArgFailure, args: { build?: StaticSiteBuild; publish?: StaticSitePublishArgs }): void {
  const build = args.build;
  if (build !== undefined) {
    if (typeof build.command !== "string" || build.command.trim() === "") fail("build.command", build.command, "is empty", 'Give the shell command that builds the site, e.g. "npm run build".');
    if (typeof build.output !== "string" || build.output === "" || build.output.startsWith("/") || build.output.split(/[\\/]/).includes("..")) {
      fail("build.output", build.output, "is not a folder inside path", 'Give the folder the build writes, relative to path, e.g. "dist".');
    }
    if (build.timeoutSeconds !== undefined && !(build.timeoutSeconds > 0)) fail("build.timeoutSeconds", build.timeoutSeconds, "is not a positive number of seconds", "Use e.g. 600.");
  }
  const p = args.publish ?? {};
  const whole = (argument: string, value: number | undefined, min: number, max: number, fix: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) fail(`publish.${argument}`, value, `is outside ${min}–${max}`, fix);
  };
  whole("concurrency", p.concurrency, 1, 64, "Use a whole number of parallel uploads, e.g. 8.");
  whole("keepRemovedAssetsFor", p.keepRemovedAssetsFor, 0, 100, "Use a whole number of deploys, e.g. 2 (0 deletes removed assets at once).");
  whole("maxInvalidationPaths", p.maxInvalidationPaths, 1, 3000, "CloudFront accepts up to 3,000 paths in flight per distribution; use e.g. 1000.");
  whole("partSizeBytes", p.partSizeBytes, 5 * MIB, 5 * 1024 * MIB, "S3 parts are 5 MiB to 5 GiB; use e.g. 8388608 (8 MiB).");
  whole("multipartThresholdBytes", p.multipartThresholdBytes, 5 * MIB, 5 * 1024 * MIB, "Use 5 MiB or more (below that S3 rejects parts), e.g. 16777216.");
  for (const [key, url] of Object.entries(p.endpoints ?? {})) {
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) fail(`publish.endpoints.${key}`, url, "is not an http(s) URL", 'Use e.g. "http://127.0.0.1:4569".');
  }
}

export function normalisePublish(publish: StaticSitePublishArgs = {}): NormalisedPublish {
  const d = DEFAULT_PUBLISH_OPTIONS;
  return {
    includeDotfiles: publish.includeDotfiles ?? false,
    invalidate: publish.invalidate ?? true,
    options: {
      concurrency: publish.concurrency ?? d.concurrency,
      multipartThresholdBytes: publish.multipartThresholdBytes ?? d.multipartThresholdBytes,
      partSizeBytes: publish.partSizeBytes ?? d.partSizeBytes,
      keepRemovedAssetsFor: publish.keepRemovedAssetsFor ?? d.keepRemovedAssetsFor,
      maxInvalidationPaths: publish.maxInvalidationPaths ?? d.maxInvalidationPaths,
      maxInvalidationWildcards: d.maxInvalidationWildcards,
    },
    ...(publish.endpoints ? { endpoints: { ...publish.endpoints } } : {}),
  };
}

/** Runs the build in `cwd`; a failure throws with the command's output, a missing output folder says so. */
export function runBuild(fail: ArgFailure, cwd: string, build: StaticSiteBuild): void {
  const result = spawnSync(build.command, {
    cwd,
    shell: true,
    encoding: "utf8",
    env: { ...process.env, ...build.environment },
    timeout: (build.timeoutSeconds ?? 600) * 1000,
    maxBuffer: 64 * MIB,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-40).join("\n");
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : result.signal ? `was stopped by ${result.signal}` : `exited with code ${result.status}`;
    fail("build.command", build.command, `failed in ${cwd}: ${why}`, `Fix the build and run again. Its output (last 40 lines):\n${output || "(none)"}`);
  }
  const out = resolve(cwd, build.output);
  if (!existsSync(out) || !statSync(out).isDirectory()) {
    fail("build.output", build.output, `does not exist after the build (${out})`, `Make the build write the site into ${build.output}, or set build.output to where it writes. Build output:\n${output || "(none)"}`);
  }
}
