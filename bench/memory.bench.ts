/**
 * `npm start`'s memory and local API throughput (issue 15): the local app in its own
 * process (bench/app-worker.ts: what `npm start` runs, plus one signed-up user with an
 * album), its resident memory after start and after each of ten load runs of an
 * authenticated list route (GET /api/albums through the site's front door), interleaved
 * with load runs of /api/health through the same front door, of a bare node server (the
 * ceiling of this machine), and of the list route's own DynamoDB Query sent straight to the
 * local DynamoDB endpoint by an SDK client in this process (the floor under the route: what
 * the SDK and dynalite cost per request, with no front door, gateway or Lambda worker around
 * it), and of that Query answered from memory with the endpoint's own response bytes (what the
 * AWS SDK alone costs per call: serialising, signing, parsing). Loopback only; every run
 * bounded in time and requests.
 * Targets: RSS after start ≤ 400 MiB; RSS growth over the ten runs ≤ 10%; the list route
 * ≥ 5,000 requests/s.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Readable } from "node:stream";
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ALBUM_PREFIX, GSI1, userPk } from "../handlers/shared/gallery-keys";
import { PROJECT_DIR } from "../local/offline/program";
import { loadLoop, loadRun, rssMib, startApp, type LoadResult } from "./local-app";
import type { BenchTable } from "./run";
import { check, formatSummary, machineLoad, pairedRatios, summarise, verdict } from "./stats";

const ROUNDS = 10;
const LOAD = { connections: 16, durationMs: 2000, maxRequests: 20_000 };
const TARGETS = { startRssMib: 400, growth: 0.1, perSecond: 5000 };

/** A node server that answers like /api/health, with nothing behind it. */
async function startBareServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ["-e", `const s = require("node:http").createServer((q, r) => { r.setHeader("content-type", "application/json"); r.end('{"status":"ok"}'); }); s.listen(0, "127.0.0.1", () => console.log(s.address().port));`], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

interface LocalDynamo {
  endpoint: string;
  region: string;
  table: string;
}

/**
 * GET /api/albums's DynamoDB call (handlers/shared/gallery-store.ts listAlbums: the same client setup,
 * index, key condition, order and limit), sent straight to the local DynamoDB endpoint — or, with
 * `answer` (a response body that endpoint gave), answered from memory at no cost.
 */
function directAlbumsQuery(dynamo: LocalDynamo, sub: string, answer?: Buffer): { query(): Promise<number>; lastBody(): Buffer | undefined; destroy(): void } {
  const inMemory: DynamoDBClientConfig["requestHandler"] = {
    handle: async () => ({ response: { statusCode: 200, reason: "OK", headers: { "content-type": "application/x-amz-json-1.0" }, body: Readable.from([answer!]) } }),
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  } as DynamoDBClientConfig["requestHandler"];
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: dynamo.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    ...(answer ? { requestHandler: inMemory } : {}),
  });
  // The endpoint's response bytes, as they arrive (before the SDK parses them).
  let body: Buffer | undefined;
  if (!answer) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const response = result.response as { body: Readable };
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
        body = Buffer.concat(chunks);
        response.body = Readable.from([body]);
        return result;
      },
      { step: "deserialize", priority: "low", name: "benchKeepResponseBody" },
    );
  }
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    async query() {
      const result = await documents.send(
        new QueryCommand({
          TableName: dynamo.table,
          IndexName: GSI1,
          KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :album)",
          ExpressionAttributeValues: { ":pk": userPk(sub), ":album": ALBUM_PREFIX },
          ScanIndexForward: false,
          Limit: 50,
        }),
      );
      return result.Items?.length ?? 0;
    },
    lastBody: () => body,
    destroy: () => client.destroy(),
  };
}

export async function run(): Promise<BenchTable[]> {
  const load = machineLoad();
  const stateDir = join(PROJECT_DIR, ".local", "bench", "memory-state");
  const app = await startApp(["-r", "./local/offline/register.cjs", "bench/app-worker.ts", stateDir], { cwd: PROJECT_DIR });
  const bare = await startBareServer();
  const pid = app.child.pid!;
  try {
    const afterStart = rssMib(pid);
    app.child.stdin!.write("user\n");
    const { token, dynamodb } = JSON.parse(await app.nextLine("BENCH ")) as { token: string; dynamodb: LocalDynamo };
    const site = app.urls.site;
    const sub = String(JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")).sub);
    // The route and the direct query must see the same items, or the floor is not the route's.
    const listed = ((await (await fetch(`${site}/api/albums`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[] }).items.length;
    const direct = directAlbumsQuery(dynamodb, sub);
    const queried = await direct.query();
    if (queried !== listed || listed === 0) throw new Error(`the direct query found ${queried} albums, the route ${listed}`);
    const sdkOnly = directAlbumsQuery(dynamodb, sub, direct.lastBody());
    if ((await sdkOnly.query()) !== listed) throw new Error("the in-memory answer is not the endpoint's");
    const runs = { bare: [] as LoadResult[], health: [] as LoadResult[], albums: [] as LoadResult[], query: [] as LoadResult[], sdk: [] as LoadResult[] };
    const sdkCpuMs: number[] = [];
    const rss: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      runs.bare.push(await loadRun(bare.url, { ...LOAD, expectStatus: 200 }));
      runs.health.push(await loadRun(`${site}/api/health`, { ...LOAD, expectStatus: 200 }));
      runs.albums.push(await loadRun(`${site}/api/albums`, { ...LOAD, headers: { authorization: `Bearer ${token}` }, expectStatus: 200 }));
      rss.push(rssMib(pid));
      runs.query.push(await loadLoop(async () => (await direct.query()) === listed, LOAD));
      const cpuBefore = process.cpuUsage();
      const sdkRun = await loadLoop(async () => (await sdkOnly.query()) === listed, LOAD);
      const cpu = process.cpuUsage(cpuBefore);
      runs.sdk.push(sdkRun);
      sdkCpuMs.push((cpu.user + cpu.system) / 1000 / Math.max(1, sdkRun.requests));
    }
    direct.destroy();
    sdkOnly.destroy();
    // Idle for a while: does the memory come back?
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const idle = rssMib(pid);

    const row = (label: string, list: LoadResult[]) => [
      label,
      formatSummary(summarise(list.map((r) => r.perSecond)), 0),
      formatSummary(summarise(list.map((r) => r.p50Ms))),
      formatSummary(summarise(list.map((r) => r.p99Ms))),
      list.reduce((sum, r) => sum + r.requests, 0),
      list.reduce((sum, r) => sum + r.errors + r.unexpected, 0),
    ];
    const growth = rss[rss.length - 1] / rss[0] - 1;
    const albumsPerSecond = summarise(runs.albums.map((r) => r.perSecond));
    const failures = runs.albums.reduce((sum, r) => sum + r.errors + r.unexpected, 0);
    return [
      {
        title: `npm start under load: ${ROUNDS} interleaved rounds of ${LOAD.durationMs / 1000} s (≤ ${LOAD.maxRequests} requests), ${LOAD.connections} keep-alive connections (${load})`,
        columns: ["route", "req/s min/med/max", "p50 ms min/med/max", "p99 ms min/med/max", "requests", "errors or non-200"],
        rows: [
          row("bare node server (ceiling)", runs.bare),
          row("GET /api/health via the front door", runs.health),
          row("GET /api/albums (authenticated) via the front door", runs.albums),
          row("floor: its DynamoDB Query straight to the local endpoint (SDK here)", runs.query),
          row("ceiling of any engine: that Query answered from memory (the AWS SDK alone)", runs.sdk),
        ],
        notes: [
          verdict("authenticated list route throughput", albumsPerSecond, ">=", TARGETS.perSecond, " req/s", 0),
          `  … as a share of /api/health: median ${summarise(pairedRatios(runs.albums.map((r) => r.perSecond), runs.health.map((r) => r.perSecond))).median.toFixed(2)}; of the bare server: median ${summarise(pairedRatios(runs.albums.map((r) => r.perSecond), runs.bare.map((r) => r.perSecond))).median.toFixed(3)}`,
          `  … of its own DynamoDB Query sent straight to the local endpoint (the floor: no front door, gateway or worker): median ${summarise(pairedRatios(runs.albums.map((r) => r.perSecond), runs.query.map((r) => r.perSecond))).median.toFixed(2)}; that query alone answers ${formatSummary(summarise(runs.query.map((r) => r.perSecond)), 0)} req/s (min/med/max), ${summarise(runs.query.map((r) => r.perSecond)).median >= TARGETS.perSecond ? "above" : "below"} the target`,
          `  … the AWS SDK alone costs ${formatSummary(summarise(sdkCpuMs), 3)} ms of CPU per Query (min/med/max; serialise, sign, parse, with the endpoint's bytes answered from memory): ${TARGETS.perSecond.toLocaleString("en-US")} req/s of this route would need ${((TARGETS.perSecond * summarise(sdkCpuMs).median) / 1000).toFixed(1)} cores for the handler's SDK call alone, before the front door, gateway, authorizer, worker and DynamoDB engine`,
          check("every authenticated list request answered 200", failures === 0, `${failures} errors or other statuses`),
        ],
      },
      {
        title: "npm start resident memory (VmRSS of the app's process)",
        columns: ["when", "RSS MiB"],
        rows: [["after start", afterStart], ...rss.map((value, i) => [`after load round ${i + 1}`, value]), ["after 5 s idle", idle]],
        notes: [
          check(`RSS after start ≤ ${TARGETS.startRssMib} MiB`, afterStart <= TARGETS.startRssMib, `${afterStart.toFixed(0)} MiB`),
          check(`RSS growth from round 1 to round ${ROUNDS} ≤ ${TARGETS.growth * 100}%`, growth <= TARGETS.growth, `${(growth * 100).toFixed(1)}% (${rss[0].toFixed(0)} → ${rss[rss.length - 1].toFixed(0)} MiB)`),
          `from start to round ${ROUNDS}: ${((rss[rss.length - 1] / afterStart - 1) * 100).toFixed(1)}%; after 5 s idle ${idle.toFixed(0)} MiB; the app printed ${app.linesPrinted()} lines during the runs`,
        ],
      },
    ];
  } finally {
    bare.stop();
    await app.stop();
  }
}
