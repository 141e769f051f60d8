/**
 * Helpers for tests of the local DynamoDB: a table's spec as DataTier gives it, with a partition and a sort key, a
 * stream and TTL, for a test to override what it is about.
 */
import type { TableSpec } from "../../components/data-tier/spec";

/** The table `items` (`pk`, `sk`), on-demand, with a NEW_AND_OLD_IMAGES stream and TTL on `expiresAt`. */
export const tableSpec = (overrides: Partial<TableSpec> = {}): TableSpec => ({
  key: "items",
  attributes: { pk: "S", sk: "S" },
  partitionKey: "pk",
  sortKey: "sk",
  globalIndexes: [],
  localIndexes: [],
  billing: "on-demand",
  stream: "NEW_AND_OLD_IMAGES",
  ttlAttribute: "expiresAt",
  ttlEnabled: true,
  pointInTimeRecovery: true,
  replicaRegions: [],
  replicaKmsKeyArns: {},
  tableClass: "STANDARD",
  ...overrides,
});
