/**
 * The reference app: a photo gallery. Reads the stack's config, composes the
 * components, and exports what a deploy (or `npm start`) needs to know.
 * `pulumi up` deploys it; `npm start` runs this same file under mocks and serves it locally.
 */
import * as pulumi from "@pulumi/pulumi";
import { StaticSite, type StaticSiteDomain } from "./components";
import { DataTier, LambdaFunction as DataLambdaFunction } from "./components";

const config = new pulumi.Config();
const retainData = config.getBoolean("retainData") ?? false;
const logRetentionDays = config.getNumber("logRetentionDays") ?? 30;

// ---------------------------------------------------------------- data (DataTier)
// The gallery's single-table design (README "DataTier"; keys in handlers/shared/gallery-keys.ts)
// and the per-user preferences the browser reads and writes directly with identity-pool credentials.
const replicaRegions = config.getObject<string[]>("replicaRegions") ?? [];
const exportSchedule = config.get("exportSchedule") ?? "";

const data = new DataTier("data", {
  tables: {
    gallery: {
      attributes: { pk: "S", sk: "S", gsi1pk: "S", gsi1sk: "S" },
      partitionKey: "pk",
      sortKey: "sk",
      globalIndexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: "ALL" } },
      ttlAttribute: "expiresAt",
      stream: "NEW_AND_OLD_IMAGES",
      replicaRegions,
    },
    preferences: {
      attributes: { identityId: "S", key: "S" },
      partitionKey: "identityId",
      sortKey: "key",
      replicaRegions,
    },
  },
  export: exportSchedule ? { schedule: exportSchedule, logRetentionDays } : undefined,
  deletionProtection: retainData,
  retainOnDelete: retainData,
});

/** album.photoCount and profile.albumCount, kept from the gallery table's stream. */
const counters = new DataLambdaFunction("gallery-counters", {
  entry: "handlers/data/counters.ts",
  description: "Keeps album photo counts and profile album counts from the gallery stream",
  timeout: 30,
  logRetentionDays,
  environment: { TABLE_NAME: data.tables.gallery.name, POWERTOOLS_SERVICE_NAME: "gallery-counters" },
  permissions: data.tables.gallery.grants.write(["dynamodb:UpdateItem"]),
});
data.subscribe("counters", "gallery", counters, { batchSize: 100, maximumRetryAttempts: 5 });

export const galleryTableName = data.tables.gallery.name;
export const preferencesTableName = data.tables.preferences.name;
export const exportBucketName = data.exportBucketName;
// ---------------------------------------------------------------- end data

// ---------------------------------------------------------------- presentation
function siteDomain(): StaticSiteDomain | undefined {
  const name = config.get("domainName");
  if (!name) return undefined;
  const failoverDomainName = config.get("failoverDomainName");
  return {
    name,
    hostedZoneId: config.get("hostedZoneId") || undefined,
    certificateArn: config.get("certificateArn") || undefined,
    failover: failoverDomainName ? { domainName: failoverDomainName, hostedZoneId: config.require("failoverHostedZoneId") } : undefined,
  };
}

const site = new StaticSite("site", {
  path: config.get("siteDir") ?? "site",
  hosting: (config.get("siteHosting") as "oac" | "s3-website" | undefined) ?? "oac",
  spa: config.getBoolean("spaFallback") ?? false,
  priceClass: config.get("priceClass") as "PriceClass_100" | "PriceClass_200" | "PriceClass_All" | undefined,
  domain: siteDomain(),
  logs: { retentionDays: logRetentionDays },
  retainOnDelete: retainData,
});

export const siteUrl = site.url;
export const siteBucketName = site.bucketName;
export const logBucketName = site.logBucketName;
export const distributionId = site.distributionId;
export const distributionDomainName = site.domainName;
