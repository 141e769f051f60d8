/**
 * `npm start`'s Route 53: every DnsRouting whose records name local origins (RegionalApis sets them) runs a
 * local router (local/region-router.ts) registered as the front door's origin under the DnsRouting's name —
 * the origin id RegionalApis.siteRoute() gives StaticSite — so the site's /api/* reaches whichever region the
 * routing records and health checks choose. Health checks run every record's requestInterval seconds.
 * Started after the API service (the regional gateways are its origins) and before the site.
 */
import { registeredSpecs } from "../../components/spec-registry";
import type { DnsRoutingSpec } from "../../components/dns-routing/spec";
import { RegionRouter } from "../region-router";
import type { LocalService, StartedService } from "./types";

export interface LocalRouting extends StartedService {
  routers: ReadonlyMap<string, RegionRouter>;
}

export const routingService: LocalService = {
  name: "routing (local Route 53)",
  async start(context): Promise<LocalRouting | undefined> {
    const specs = registeredSpecs<DnsRoutingSpec>("DnsRouting").filter(({ spec }) => spec.records.some((r) => r.local));
    if (specs.length === 0) return undefined;
    const routers = new Map<string, RegionRouter>();
    const timers: NodeJS.Timeout[] = [];
    for (const { name, spec } of specs) {
      const router = new RegionRouter(spec, (originId) => context.origins.get(originId));
      await router.start();
      routers.set(name, router);
      context.origins.set(name, router.listener);
      const interval = Math.min(...spec.records.map((r) => r.healthCheck?.requestInterval ?? Infinity));
      if (Number.isFinite(interval)) {
        const timer = setInterval(() => {
          router.checkHealth().then(
            (changes) => changes.forEach((c) => context.log(`  ${name}: ${c.id} is ${c.healthy ? "healthy again" : "unhealthy"} (health check round ${c.round})`)),
            (error) => context.log(`  ${name}: health check failed to run: ${error}`),
          );
        }, interval * 1000);
        timer.unref();
        timers.push(timer);
      }
      context.log(`  ${name}: ${spec.policy} routing over ${spec.records.map((r) => `${r.id} → ${r.local?.originId}`).join(", ")}`);
    }
    return {
      name: "routing",
      routers,
      async stop() {
        timers.forEach(clearInterval);
        for (const [name, router] of routers) {
          context.origins.delete(name);
          await router.stop();
        }
      },
    };
  },
};
