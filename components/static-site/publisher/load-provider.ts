/**
 * Loads the publisher's provider for Pulumi's dynamic-provider host: bundled, compiled and serialised as
 * ../../dynamic-provider-loader.ts says (cached on disk).
 */
import type * as pulumi from "@pulumi/pulumi";
import { DynamicProviderLoader } from "../../dynamic-provider-loader";

const loader = new DynamicProviderLoader({ folder: __dirname, module: "provider", exportName: "publisherProvider", owner: "The site publisher's provider" });

/** The bundled provider's source, e.g. to inspect what gets serialised. */
export function bundlePublisherProvider(): string {
  return loader.bundle();
}

export function loadPublisherProvider(): pulumi.dynamic.ResourceProvider {
  return loader.load();
}

/** The `__provider` input of the publisher (DynamicProviderLoader.serialisedText). */
export function serialisedPublisherProvider(): pulumi.Output<string> {
  return loader.serialisedText();
}
