import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type SecurityRule } from "./rule";

/** Resource types that hold users' data; production must keep them when they leave the program. */
export const DATA_BEARING_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:dynamodb/table:Table", "aws:cognito/userPool:UserPool", "aws:rds/cluster:Cluster"]);

// An Aurora cluster keeps its data with a final snapshot (skipFinalSnapshot not true: the provider's default), or with RDS's
// deletion protection (DeleteDBCluster is refused until it is turned off, so a destroy stops before the data goes).
const retained = (r: RecordedResource) => r.retainOnDelete || r.protect || (r.type === "aws:rds/cluster:Cluster" && (r.inputs.skipFinalSnapshot !== true || r.inputs.deletionProtection === true));

/** In production, data-bearing resources are retained on delete (or protected). */
export const DATA_RETAINED_IN_PRODUCTION: SecurityRule = {
  id: "DataRetention",
  title: "Production keeps data-bearing resources",
  check(graph, context) {
    if (!context.production) return [];
    return graph.filter((r) => DATA_BEARING_TYPES.has(r.type) && !retained(r)).map((r) => finding("DataRetention", r, "would be deleted with the stack"));
  },
};
