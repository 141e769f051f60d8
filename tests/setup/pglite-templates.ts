/**
 * vitest globalSetup: on a machine whose cache folder has no PGlite templates yet (a clean clone, as in CI), makes
 * them in the background while the first test files run: PGlite's initdb template and the cluster template of the
 * master user and database most local-database tests use (local/rds-data-worker.mjs says what they are). The test
 * files that open databases start well after the run begins; without this, the first two (one in each worker) both
 * ran the costly initdb at once. Nothing waits for it: a file that opens a database first still makes what it
 * lacks, as a user's first `npm start` does. The run's teardown waits for it to finish, so no worker thread outlives
 * the run.
 */
import { existsSync } from "node:fs";
import { pgliteTemplateFiles, startLocalDataApi } from "../../local/rds-data-server";

/** The pair of tests/local/rds-data.test.ts, tests/local/rds-data-program.test.ts and the migrations tests. */
const MASTER_USERNAME = "gallery_admin";
const DATABASE_NAME = "gallery";

export default function setup(): (() => Promise<void>) | void {
  const templates = pgliteTemplateFiles(MASTER_USERNAME, DATABASE_NAME);
  if (!templates || (existsSync(templates.initdb) && existsSync(templates.cluster))) return;
  const made = startLocalDataApi({
    databases: [
      {
        name: "pglite-templates",
        clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:pglite-templates",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pglite-templates-AbCdEf",
        databaseName: DATABASE_NAME,
        masterUsername: MASTER_USERNAME,
        region: "us-east-1",
      },
    ],
    credentials: [],
  })
    // A test that opens a database makes the templates itself, and reports why that fails if it does; a failed stop is
    // not hidden (it would leave a worker running).
    .then(
      (api) => api.stop(),
      () => {},
    );
  return () => made;
}
