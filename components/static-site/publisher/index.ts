export { SitePublisher, type SitePublisherArgs } from "./resource";
export { publisherProvider, publisherLog } from "./provider";
export { buildEncodedManifest, buildManifest, hashFiles, hashFileSync, siteHashStoreFile, type ManifestOptions, type SiteManifest } from "./manifest";
export { planPublish, summarise, viewerPaths, type PublishPlan } from "./plan";
export { collapseInvalidation, type InvalidationLimits } from "./invalidation";
export { normalisePublish, validatePublishArgs, type NormalisedPublish, type StaticSitePublishArgs } from "./args";
export * from "./types";
export { loadPublisherProvider, bundlePublisherProvider, serialisedPublisherProvider } from "./load-provider";
export { encodeManifest, decodeManifest, type EncodedManifest } from "./encoding";
