/**
 * The region-failure drill (`npm run drill [-- --stack prod]`, and tests/local/region-drill.test.ts in CI): the
 * stack's local app with one API per region behind the local Route 53 (local/region-router.ts), a client that
 * keeps creating albums and reading them back, and the client's home region taken down in the middle of a write
 * — after the write commits, before its answer leaves. It checks what the multi-region design promises:
 *
 * - requests continue through the other region once the health checks have failed `failureThreshold` times;
 * - no write is lost or duplicated: the client retries each create with the same `Idempotency-Key` until it gets
 *   an answer, and the API creates one album per key (handlers/shared/gallery-store.ts createAlbumOnce), so the
 *   retry of the write whose answer was lost finds the album instead of making a second;
 * - the client's data is intact: every album it was told about is listed exactly once, with its title.
 *
 * Time is counted, not measured: each request takes one second on the drill's clock, the health checkers run a round
 * every `requestInterval` seconds of it, and a client backs off one interval after a request that got no answer.
 * The timeline is therefore the same on every run and machine: a failure is detected `failureThreshold` rounds
 * after it, i.e. within ((failureThreshold − 1) × interval, failureThreshold × interval].
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, InitiateAuthCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { RegionRouter } from "./region-router";
import type { LocalRouting } from "./services/routing";
import { startLocalApp, type LocalApp } from "./start";

export interface DrillOptions {
  /** @default "prod" */
  stack?: string;
  /** Albums the client creates. @default 10 */
  writes?: number;
  /** The write during which the home region fails (0-based). @default 3 */
  failAt?: number;
  /** Loads index.ts (vitest passes its own import). */
  load?: () => unknown;
  log?: (line: string) => void;
}

export interface DrillEvent {
  /** Seconds since the drill started, on the health-check clock. */
  t: number;
  event: string;
}

export interface DrillReport {
  failedRegion: string;
  survivingRegion: string;
  requestInterval: number;
  failureThreshold: number;
  /** Seconds from the failure to the health checks marking the region unhealthy. */
  detectionSeconds: number;
  /** Seconds from the region's return to its health check passing again. */
  recoverySeconds: number;
  /** Requests that got no answer (each retried). */
  failedRequests: number;
  /** Which region answered each successful request, in order. */
  answeredBy: string[];
  /** Albums the client was told were created, by title → id. */
  created: Record<string, string>;
  /** Titles of the albums the API lists at the end (each exactly once when nothing was duplicated). */
  listed: string[];
  /** Creates answered as replays of an earlier attempt (the write whose answer was lost). */
  replays: number;
  timeline: DrillEvent[];
}

/** Seconds a request takes on the drill's clock. */
const REQUEST_SECONDS = 1;

export async function runDrill(options: DrillOptions = {}): Promise<DrillReport> {
  const log = options.log ?? (() => {});
  const writes = options.writes ?? 10;
  const failAt = options.failAt ?? 3;
  const stateDir = mkdtempSync(join(tmpdir(), "sf-drill-"));
  const app = await startLocalApp({ stack: options.stack ?? "prod", port: 0, quiet: true, stateDir, load: options.load });
  // The timeline is the drill's output: the functions log only errors.
  Object.assign(app.context.environment, { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true" });
  try {
    return await drill(app, writes, failAt, log);
  } finally {
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function drill(app: LocalApp, writes: number, failAt: number, log: (line: string) => void): Promise<DrillReport> {
  const router = routerOf(app);
  const records = router.spec.records;
  const checked = records.filter((r) => r.healthCheck);
  if (records.length < 2 || checked.length === 0) throw new Error(`the drill needs two regions with health checks; ${router.spec.name} has ${records.length} records, ${checked.length} checked`);
  const home = router.choose({}).record;
  const requestInterval = home.healthCheck!.requestInterval;
  const failureThreshold = home.healthCheck!.failureThreshold;
  const clock = { seconds: 0, nextRound: requestInterval };
  const timeline: DrillEvent[] = [];
  const note = (event: string) => {
    timeline.push({ t: clock.seconds, event });
    log(`  t=${String(clock.seconds).padStart(4)} s  ${event}`);
  };
  /** `seconds` pass: the health checkers run every round that falls due in them. */
  const advance = async (seconds: number) => {
    const until = clock.seconds + seconds;
    while (clock.nextRound <= until) {
      clock.seconds = clock.nextRound;
      clock.nextRound += requestInterval;
      for (const change of await router.checkHealth()) {
        note(`health check: ${change.id} is ${change.healthy ? "healthy again" : "unhealthy"} (${failureThreshold} consecutive ${change.healthy ? "passes" : "failures"})`);
        if (change.id === home.id && !change.healthy) detectedAt ??= clock.seconds;
        if (change.id === home.id && change.healthy) recoveredAt ??= clock.seconds;
      }
    }
    clock.seconds = until;
  };

  const token = await signIn(app);
  const base = `${app.urls.site}/api`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", "x-client-region": home.region ?? home.id };
  const answeredBy: string[] = [];
  let failedRequests = 0;
  let replays = 0;
  let failedAt = 0;
  let detectedAt: number | undefined;
  let survivorFirst: number | undefined;
  let recoveredAt: number | undefined;
  /** A request retried, one health-check interval apart, until it gets an answer. */
  const until = async (what: string, send: () => Promise<Response>): Promise<Response> => {
    for (;;) {
      try {
        const response = await send();
        await advance(REQUEST_SECONDS);
        if (response.status < 500) {
          const region = response.headers.get("x-local-route") ?? "?";
          answeredBy.push(region);
          if (region !== home.id && survivorFirst === undefined) {
            survivorFirst = clock.seconds;
            note(`requests continue through ${region}: ${what} answered`);
          }
          return response;
        }
        note(`${what}: ${response.status} from ${response.headers.get("x-local-route") ?? "?"}; retrying`);
      } catch {
        await advance(REQUEST_SECONDS);
        note(`${what}: no answer (connection dropped); retrying in ${requestInterval} s`);
      }
      failedRequests += 1;
      await advance(requestInterval);
    }
  };

  note(`client in ${headers["x-client-region"]} starts: ${writes} albums, each created (Idempotency-Key) and read back through ${router.spec.name} (${router.spec.policy})`);
  const runId = randomUUID();
  const created: Record<string, string> = {};
  for (let i = 0; i < writes; i++) {
    const title = `drill album ${i}`;
    if (i === failAt) {
      failedAt = clock.seconds;
      router.setOutage(home.id, "after-commit");
      note(`${home.id} fails during the create of "${title}": the write commits, its answer is lost, then every connection drops`);
    }
    const response = await until(`create "${title}"`, () => fetch(`${base}/albums`, { method: "POST", headers: { ...headers, "idempotency-key": `${runId}-${i}` }, body: JSON.stringify({ title }) }));
    if (response.status !== 201) throw new Error(`create "${title}" answered ${response.status}: ${await response.text()}`);
    const album = (await response.json()) as { albumId: string };
    if (response.headers.get("idempotent-replayed") === "true") {
      replays += 1;
      note(`create "${title}" answered by ${response.headers.get("x-local-route")} as a replay of the lost write (same album ${album.albumId})`);
    }
    created[title] = album.albumId;
    const read = await until(`read "${title}"`, () => fetch(`${base}/albums/${album.albumId}`, { headers }));
    if (read.status !== 200) throw new Error(`read "${title}" answered ${read.status}`);
  }

  router.setOutage(home.id, false);
  const returnedAt = clock.seconds;
  note(`${home.id} is back`);
  while (!router.health()[home.id]) await advance(requestInterval);
  const listing = await until("list albums", () => fetch(`${base}/albums?limit=50`, { headers }));
  const listed = ((await listing.json()) as { items: Array<{ title: string }> }).items.map((a) => a.title);
  note(`client lists ${listed.length} albums through ${answeredBy.at(-1)}`);
  const survivor = records.find((r) => r.id !== home.id)!;
  return {
    failedRegion: home.id,
    survivingRegion: survivor.id,
    requestInterval,
    failureThreshold,
    detectionSeconds: (detectedAt ?? clock.seconds) - failedAt,
    recoverySeconds: (recoveredAt ?? clock.seconds) - returnedAt,
    failedRequests,
    answeredBy,
    created,
    listed,
    replays,
    timeline,
  };
}

function routerOf(app: LocalApp): RegionRouter {
  const routing = app.services.find((s) => s.name === "routing") as LocalRouting | undefined;
  const router = routing && [...routing.routers.values()][0];
  if (!router) throw new Error(`stack "${app.context.stack}" routes no API between regions: set regions (two or more) and apiDomainName in its config (docs/multi-region.md)`);
  return router;
}

/** A fresh user of the stack's local user pool, signed in with USER_PASSWORD_AUTH; the id token the API's authorizer takes. */
async function signIn(app: LocalApp): Promise<string> {
  const env = app.context.environment;
  const endpoint = env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  if (!endpoint || !env.USER_POOL_CLIENT_ID) throw new Error("the drill signs in through the stack's UserAuth; this stack has none running locally");
  const sdk = new CognitoIdentityProviderClient({ endpoint, region: app.context.run.config.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    const email = `drill-${randomUUID().slice(0, 8)}@example.com`;
    const password = "Drill-pass-9!-long";
    await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }));
    const cognito = app.services.find((s) => s.name === "cognito") as unknown as { emulator: { lastCode(email: string): string | undefined } };
    await sdk.send(new ConfirmSignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, ConfirmationCode: cognito.emulator.lastCode(email) ?? "" }));
    const result = await sdk.send(new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } }));
    const token = result.AuthenticationResult?.IdToken;
    if (!token) throw new Error(`signing in the drill's user returned no id token (challenge ${result.ChallengeName ?? "none"})`);
    return token;
  } finally {
    sdk.destroy();
  }
}

/** The drill's report as lines: the timeline, then the totals. */
export function formatDrill(report: DrillReport): string[] {
  const duplicates = report.listed.filter((title, index) => report.listed.indexOf(title) !== index);
  const missing = Object.keys(report.created).filter((title) => !report.listed.includes(title));
  return [
    `Region-failure drill: ${report.failedRegion} fails, ${report.survivingRegion} takes over`,
    ...report.timeline.map((e) => `  t=${String(e.t).padStart(4)} s  ${e.event}`),
    `  detection: ${report.detectionSeconds} s after the failure (${report.failureThreshold} failed health checks, one every ${report.requestInterval} s)`,
    `  failed requests: ${report.failedRequests} (each retried with the same Idempotency-Key), replays: ${report.replays}`,
    `  recovery: ${report.failedRegion} healthy again ${report.recoverySeconds} s after it returned`,
    `  data: ${Object.keys(report.created).length} albums created, ${report.listed.length} listed, ${duplicates.length} duplicated, ${missing.length} lost`,
  ];
}
