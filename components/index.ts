/**
 * serverless-fullstack: Pulumi components for full-stack serverless apps on AWS.
 * `import { StaticSite, LambdaFunction } from "serverless-fullstack";`
 */
export { StaticSite } from "./static-site";
export type { StaticSiteArgs, StaticSiteDomain, StaticSiteRoute, StaticSiteSpec, CacheRule, SecurityHeaders, PriceClass } from "./static-site";
export { SitePublisher } from "./static-site/publisher";
export type { SitePublisherArgs, StaticSiteBuild, StaticSitePublishArgs, Manifest, FileEntry, PublishOptions, LastDeploy } from "./static-site/publisher";
export { LambdaFunction, LAMBDA_LIMITS, LAMBDA_RUNTIME } from "./lambda/function";
export type { LambdaFunctionArgs, LambdaFunctionSpec, FailureDestination } from "./lambda/function";
export type { PolicyStatement } from "./iam";
export { ComponentArgError } from "./errors";
export { registeredSpecs, type RegisteredSpec } from "./spec-registry";
