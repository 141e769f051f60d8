/**
 * The local stand-in for Route 53 in front of the regional APIs: it applies a DnsRouting spec's records
 * (latency, failover, geolocation) and their health checks to the local origins the records name, so
 * `npm start` routes between regions as the deployed name does, and a region can be taken down to watch
 * the failover happen (`npm run drill`).
 *
 * Health checks follow Route 53's rule: a target turns unhealthy after `failureThreshold` consecutive
 * failed checks (no answer, a status outside 2xx/3xx, or a body without `searchString` in its first
 * 5,120 bytes) and healthy again after as many passes. `checkHealth()` runs one round; `npm start`
 * runs a round every `requestInterval` seconds, and tests and the drill call it themselves, so the
 * detection window is counted in rounds and never measured with a clock.
 *
 * What differs from AWS: one checker instead of checkers in several regions, no DNS caching (the router
 * decides per request, where resolvers keep an answer for the record's TTL), and "latency" is the
 * client's region (`x-client-region` header) when it has a record, else the first record's.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Server } from "node:http";
import { FailoverRole, RoutingPolicy, type DnsRoutingRecordSpec, type DnsRoutingSpec } from "../components/dns-routing/spec";
import { listen } from "./front-door";

/** Route 53 looks for the search string in the first 5,120 bytes of the body. */
const SEARCH_WINDOW_BYTES = 5120;

interface Target {
  record: DnsRoutingRecordSpec;
  listener: RequestListener;
  /** The target's own loopback address, for health checks. */
  server?: Server;
  url?: string;
  healthy: boolean;
  /** Consecutive checks that disagree with `healthy`. */
  streak: number;
  /** Taken down by `setOutage`: every connection is dropped, as from a region that is gone; "after-commit" serves one more request and drops its answer. */
  down: boolean | "after-commit";
}

export interface HealthTransition {
  id: string;
  healthy: boolean;
  /** The round (1-based) that flipped it. */
  round: number;
}

export interface RouterRequestInfo {
  /** The resolver's region for latency records (`x-client-region`). */
  region?: string;
  /** The resolver's country for geolocation records (`x-client-country`, ISO alpha-2). */
  country?: string;
}

export class RegionRouter {
  readonly spec: DnsRoutingSpec;
  private readonly targets: Target[];
  private rounds = 0;

  /** `origins` resolves a record's `local.originId` to the listener that serves it (the regional API's local gateway). */
  constructor(spec: DnsRoutingSpec, origins: (originId: string) => RequestListener | undefined) {
    this.spec = spec;
    this.targets = spec.records.map((record) => {
      const origin = record.local && origins(record.local.originId);
      if (!origin) throw new Error(`DnsRouting ${spec.name}: record ${record.id} has no local origin (${record.local?.originId ?? "no local.originId"})`);
      // Route 53 starts a new health check as healthy.
      return { record, listener: origin, healthy: true, streak: 0, down: false };
    });
  }

  /** Opens each target's loopback address (health checks go over HTTP, as Route 53's do). */
  async start(): Promise<void> {
    for (const target of this.targets) {
      const { server, url } = await listen((request, response) => this.serveTarget(target, request, response), 0);
      target.server = server;
      target.url = url;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.targets.map((t) => (t.server ? new Promise<void>((done) => t.server!.close(() => done())) : undefined)));
  }

  /** The request listener of the routed name. */
  readonly listener: RequestListener = (request, response) => {
    const info = { region: header(request, "x-client-region"), country: header(request, "x-client-country") };
    const target = this.choose(info);
    response.setHeader("x-local-route", target.record.id);
    this.serveTarget(target, request, response);
  };

  /**
   * Takes a target down (every connection dropped) or brings it back, by record id. `"after-commit"` fails it in
   * the middle of the next request: the request runs (its write commits), its answer is dropped, and every
   * connection after it drops — the case that tests a client's retries for duplicates.
   */
  setOutage(id: string, down: boolean | "after-commit"): void {
    this.target(id).down = down;
  }

  /** Health as Route 53 would report it now, by record id (records without a health check are always healthy). */
  health(): Record<string, boolean> {
    return Object.fromEntries(this.targets.map((t) => [t.record.id, t.healthy]));
  }

  /** One round of health checks of every checked target; returns the targets whose status it changed. */
  async checkHealth(): Promise<HealthTransition[]> {
    this.rounds += 1;
    const transitions: HealthTransition[] = [];
    for (const target of this.targets) {
      const check = target.record.healthCheck;
      if (!check || !target.url) continue;
      const passed = await probe(`${target.url}${localPath(target.record)}`, check.searchString);
      if (passed === target.healthy) {
        target.streak = 0;
        continue;
      }
      target.streak += 1;
      if (target.streak >= check.failureThreshold) {
        target.healthy = passed;
        target.streak = 0;
        transitions.push({ id: target.record.id, healthy: passed, round: this.rounds });
      }
    }
    return transitions;
  }

  /** The record Route 53 would answer with for this client now. */
  choose(info: RouterRequestInfo = {}): Target {
    const healthy = this.targets.filter((t) => t.healthy);
    // "If all the records ... are unhealthy, Route 53 responds to DNS queries as if all the records were healthy."
    const candidates = healthy.length > 0 ? healthy : this.targets;
    switch (this.spec.policy) {
      case RoutingPolicy.Failover:
        return candidates.find((t) => t.record.failover === FailoverRole.Primary) ?? candidates[0];
      case RoutingPolicy.Geolocation: {
        const country = info.country?.toUpperCase();
        return candidates.find((t) => country && t.record.location?.country === country) ?? candidates.find((t) => t.record.location?.default) ?? candidates[0];
      }
      default:
        return candidates.find((t) => t.record.region === info.region) ?? candidates[0];
    }
  }

  private target(id: string): Target {
    const target = this.targets.find((t) => t.record.id === id);
    if (!target) throw new Error(`DnsRouting ${this.spec.name}: no record ${id}; records: ${this.targets.map((t) => t.record.id).join(", ")}`);
    return target;
  }

  private serveTarget(target: Target, request: IncomingMessage, response: ServerResponse): void {
    if (target.down === true) {
      // A region that is gone answers nothing: the connection drops.
      request.socket.destroy();
      return;
    }
    if (target.down === "after-commit") {
      target.down = true;
      // Headers and body are held until the first write or end: dropping the socket there loses the whole answer.
      const drop = (() => {
        request.socket.destroy();
        return response;
      }) as unknown as ServerResponse["end"];
      response.write = drop as unknown as ServerResponse["write"];
      response.end = drop;
    }
    target.listener(request, response);
  }
}

/** The health check's path on the local gateway, which serves the stage without its prefix (`/prod/api/health` → `/api/health`). */
function localPath(record: DnsRoutingRecordSpec): string {
  const path = record.healthCheck!.path;
  const prefix = record.local?.pathPrefix ?? "";
  return prefix && path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

async function probe(url: string, searchString: string): Promise<boolean> {
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(4000) });
    const body = Buffer.from(await response.arrayBuffer()).subarray(0, SEARCH_WINDOW_BYTES).toString("utf8");
    return response.status >= 200 && response.status < 400 && body.includes(searchString);
  } catch {
    return false;
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
