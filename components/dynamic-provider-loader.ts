/**
 * Loads a dynamic provider (SitePublisher's, SchemaMigrations') for Pulumi's dynamic-provider host, which runs the
 * provider's code serialised into the state. The provider is bundled with esbuild (npm
 * packages left as `require`s) and compiled by Node itself, so its functions are
 * plain CommonJS whatever loaded this module — ts-node, compiled JS, or a test
 * runner that rewrites imports (vitest), which Pulumi's closure serialiser cannot
 * follow.
 *
 * Both steps are cached on disk (components/lambda/bundle-cache.ts): the bundle like any
 * Lambda bundle, and the serialised text by the bundle's bytes and the versions of
 * Pulumi and Node. Serialising loads TypeScript and walks every loaded script through
 * the inspector, about half a second of each run; a cached text needs neither, nor the
 * provider's AWS SDK clients.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { writeAtomically } from "./file-hashes";
import { defaultCacheDir } from "./lambda/bundle-cache";
import { bundleProviderModule } from "./lambda/bundle";

/** Bumped when what the serialised text is keyed by changes. */
const SERIALISED_FORMAT = 1;

interface SerialisedProvider {
  text: string;
  containsSecrets: boolean;
}

export interface DynamicProviderModule {
  /** The folder of the provider's module. */
  folder: string;
  /** The module's name without extension, e.g. "provider". */
  module: string;
  /** The export holding the `pulumi.dynamic.ResourceProvider`. */
  exportName: string;
  /** Who it is, for the error when the module is missing: "The site publisher's provider". */
  owner: string;
}

export class DynamicProviderLoader {
  private loaded: pulumi.dynamic.ResourceProvider | undefined;
  private serialised: Promise<SerialisedProvider> | undefined;

  constructor(private readonly spec: DynamicProviderModule) {}

  /** The bundled provider's source, e.g. to inspect what gets serialised. */
  bundle(): string {
    return bundleProviderModule(this.spec.folder, this.spec.module, this.spec.owner, { external: ["@aws-sdk/*", "@smithy/*", "@pulumi/*"] });
  }

  /** The provider, compiled from its bundle (what the serialised text captures). */
  load(): pulumi.dynamic.ResourceProvider {
    if (this.loaded) return this.loaded;
    const filename = this.filename();
    const compiled = new Module(filename) as Module & { _compile(code: string, filename: string): void; paths: string[] };
    compiled.filename = filename;
    compiled.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(this.spec.folder);
    compiled._compile(this.bundle(), filename);
    this.loaded = (compiled.exports as Record<string, pulumi.dynamic.ResourceProvider>)[this.spec.exportName];
    return this.loaded;
  }

  /**
   * The `__provider` input of a dynamic resource: what `pulumi.dynamic.Resource` sends —
   * `runtime.serializeFunction(() => provider)`, secret when it captured a secret — served
   * from the cache when the same bundle was serialised by the same Pulumi and Node before.
   */
  serialisedText(): pulumi.Output<string> {
    this.serialised ??= this.serialise();
    return pulumi.output(this.serialised).apply((s) => (s.containsSecrets ? pulumi.secret(s.text) : pulumi.output(s.text)));
  }

  private async serialise(): Promise<SerialisedProvider> {
    const code = this.bundle();
    const pulumiVersion = (require("@pulumi/pulumi/package.json") as { version: string }).version;
    const key = createHash("sha256").update(JSON.stringify([SERIALISED_FORMAT, pulumiVersion, process.version, this.filename(), code])).digest("hex");
    const dir = defaultCacheDir();
    const file = dir && join(dir, "serialised", `${key}.json`);
    if (file) {
      try {
        const cached = JSON.parse(readFileSync(file, "utf8")) as SerialisedProvider;
        if (typeof cached.text === "string" && typeof cached.containsSecrets === "boolean") return cached;
      } catch {
        /* not serialised yet, or a torn file */
      }
    }
    // As pulumi.dynamic.Resource does it (its serializeProvider), so the text is the same.
    const provider = this.load();
    const result = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    const fresh = { text: result.text, containsSecrets: result.containsSecrets };
    if (file) writeAtomically(file, JSON.stringify(fresh));
    return fresh;
  }

  private filename(): string {
    return join(this.spec.folder, `${this.spec.module}.bundle.js`);
  }
}
