/**
 * The one table of Aurora PostgreSQL versions per feature this project relies on, read by RelationalDatabase (spec.ts)
 * and by the deploy rules (testing/deploy-rules/rds.ts), so the two never disagree about a version.
 */

/** The features whose versions are tabled. */
export type AuroraPostgresqlFeature = "dataApi" | "autoPause";

/**
 * Per major version, the first minor version with the feature (a version `<major>.<minor>` at or above it has it; a
 * major below the table's lowest, or missing from it, has none; a major above the table's newest: all of it).
 * - `dataApi`: "Data API with Aurora PostgreSQL Serverless v2 and provisioned": "Version 17.4 and higher", "16.1 and
 *   higher", "15.3 and higher", "14.8 and higher", "13.11 and higher"; the page lists majors 13–17 only
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.Data_API.html);
 *   some Regions (e.g. Asia Pacific (Hyderabad)) have none, which is not judged.
 * - `autoPause` (minCapacity 0, and the 256 ACU maximum with it): "For Aurora versions that support the Aurora
 *   Serverless v2 auto-pause feature, the smallest value that you can use is 0"
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html); the versions
 *   are 16.3, 15.7, 14.12 and 13.15 and higher (AWS Database Blog, "Introducing scaling to 0 capacity with Amazon Aurora
 *   Serverless v2", 2024-11-20). Aurora PostgreSQL 17 came after that launch, so all of 17 is taken as having it.
 *
 * **Not confirmed** on an AWS page: a major above the newest listed (18 and later) has both features from its first
 * minor version. No AWS page found (2026-12-05) gives an Aurora PostgreSQL 18 minimum for the Data API or auto-pause;
 * each major so far has shipped with both, so a newer major is assumed to, and RDS refuses at `pulumi up` if not.
 * For auto-pause, `describe-db-engine-versions` (ServerlessV2FeaturesSupport.MinCapacity 0) is the authority per
 * version and Region.
 */
export const AURORA_POSTGRESQL_FEATURE_VERSIONS: Readonly<Record<AuroraPostgresqlFeature, Readonly<Record<number, number>>>> = {
  dataApi: { 13: 11, 14: 8, 15: 3, 16: 1, 17: 4 },
  autoPause: { 13: 15, 14: 12, 15: 7, 16: 3, 17: 0 },
};

/** An Aurora PostgreSQL engine version as `[major, minor]` ("16.9"), or undefined for anything else. */
export function parseEngineVersion(version: unknown): [major: number, minor: number] | undefined {
  const match = typeof version === "string" ? /^(\d+)\.(\d+)$/.exec(version) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

const majors = (feature: AuroraPostgresqlFeature) => Object.keys(AURORA_POSTGRESQL_FEATURE_VERSIONS[feature]).map(Number).sort((a, b) => b - a);

/** Whether Aurora PostgreSQL `[major, minor]` has the feature (AURORA_POSTGRESQL_FEATURE_VERSIONS). */
export function offersFeature(feature: AuroraPostgresqlFeature, [major, minor]: readonly [number, number]): boolean {
  const since = AURORA_POSTGRESQL_FEATURE_VERSIONS[feature];
  if (major > Math.max(...majors(feature))) return true;
  return since[major] !== undefined && minor >= since[major];
}

/**
 * The versions with the feature, newest major first, for a fix: every major in the table is named (a major whose
 * every version has it as "any 17"), then the assumed later majors: "17.4, 16.1, 15.3, 14.8 or 13.11 or a later minor
 * version of the same major, or any version of a major above 17".
 */
export function featureVersionsText(feature: AuroraPostgresqlFeature): string {
  const since = AURORA_POSTGRESQL_FEATURE_VERSIONS[feature];
  const all = majors(feature);
  const names = all.map((major) => (since[major] === 0 ? `any ${major}` : `${major}.${since[major]}`));
  const listed = names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
  return `${listed} or a later minor version of the same major, or any version of a major above ${all[0]}`;
}
