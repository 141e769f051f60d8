/**
 * A RelationalDatabase under `npm start`, end to end: a program registering a RelationalDatabase spec (the component
 * is built elsewhere) and functions given its cluster ARN, secret ARN and database name, served by the local runtime
 * (startLocalApp); a function whose role allows rds-data on the cluster and GetSecretValue on its secret runs
 * statements through the SDK (AWS_ENDPOINT_URL_RDS_DATA), one without is refused as IAM refuses it, and the database
 * lives under the stack's state directory.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelationalDatabaseSpec } from "../../components/relational-database/contract";
import { LambdaFunction } from "../../components/lambda/function";
import { registerSpec } from "../../components/spec-registry";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import type { LocalRelationalDatabasesService } from "../../local/services/relational-databases";
import { startLocalApp, type LocalApp } from "../../local/start";

const entry = "tests/fixtures/handlers/rds-data.ts";
const CLUSTER = `arn:aws:rds:us-east-1:${MOCK_ACCOUNT_ID}:cluster:rdsp-notes-cluster`;
// The RDS-managed master user secret's shape (`rds!cluster-<uuid>-XXXXXX`, 108 characters): the Data API serves it.
const SECRET = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT_ID}:secret:rds!cluster-0b6f2d3e-41aa-4c55-9e0d-6a7b8c9d0e1f-AbCdEf`;
const dir = mkdtempSync(join(tmpdir(), "sf-rds-program-"));
let app: LocalApp;

const invoke = (name: string, event: Record<string, unknown>) => app.context.lambda(app.context.run.specs.find((s) => s.name === name)!.spec as never).invoke<Record<string, unknown>>(event);

beforeAll(async () => {
  const program = () => {
    const spec: RelationalDatabaseSpec = {
      name: "rdsp-notes",
      engine: "aurora-postgresql",
      engineVersion: "16.6",
      // The master user and database of the other RDS tests: new databases share one cluster template (local/rds-data-worker.mjs).
      databaseName: "gallery",
      masterUsername: "gallery_admin",
      clusterIdentifier: "rdsp-notes-cluster",
      clusterArn: CLUSTER,
      secretArn: SECRET,
      migrations: [],
      minCapacity: 0,
      maxCapacity: 1,
    };
    registerSpec("RelationalDatabase", spec.name, spec);
    const environment = { DATABASE_ARN: CLUSTER, SECRET_ARN: SECRET, DATABASE_NAME: "gallery" };
    new LambdaFunction("rdsp-writer", {
      entry,
      timeout: 10,
      environment,
      permissions: [
        { actions: ["rds-data:ExecuteStatement"], resources: [CLUSTER] },
        { actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] },
      ],
    });
    new LambdaFunction("rdsp-outsider", { entry, timeout: 10, environment });
    return {};
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

describe("a RelationalDatabase under npm start", () => {
  it("serves a granted function's statements through AWS_ENDPOINT_URL_RDS_DATA, in the stack's state directory", async () => {
    const service = app.services.find((s) => s.name === "rds-data") as LocalRelationalDatabasesService;
    expect(app.context.environment.AWS_ENDPOINT_URL_RDS_DATA).toBe(service.dataApi.endpoint);
    expect(await invoke("rdsp-writer", { sql: "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)" })).toEqual({ records: undefined, updated: 0 });
    expect(await invoke("rdsp-writer", { sql: "INSERT INTO notes (body) VALUES (:body) RETURNING id", parameters: [{ name: "body", value: { stringValue: "hello" } }] })).toEqual({ records: [[{ longValue: 1 }]], updated: 1 });
    expect(existsSync(join(dir, "state", "rds", "rdsp-notes"))).toBe(true);
  });

  it("refuses a function whose role allows neither", async () => {
    expect(await invoke("rdsp-outsider", { sql: "SELECT 1" })).toEqual({
      error: "AccessDeniedException",
      message: expect.stringContaining(`is not authorized to perform: rds-data:ExecuteStatement on resource: ${CLUSTER}`),
    });
  });
});
