import { registeredSpecs } from "../../components/spec-registry";
import type { BuiltSite } from "../../components/static-site/build";
import type { StaticSiteSpec } from "../../components/static-site/spec";
import { createEdgeRuntime, type SiteEdgeRuntime } from "../edge-runtime";
import { createFrontDoor, listen, type FrontDoor } from "../front-door";
import { watchSiteBuild, type SiteWatcher } from "../site-watch";
import type { LocalService } from "./types";

/**
 * Emulators the page talks to directly, as AWS's https endpoints in the cloud: cognito-local
 * (password sign-in), the S3 stand-in (presigned uploads and downloads) and the WebSocket APIs. The front door
 * allows exactly these origins in its CSP (front-door.ts withLocalOrigins).
 */
export function browserOrigins(environment: Record<string, string>): string[] {
  // The local WebSocket APIs (services/realtime.ts), as ws: (CSP matches schemes exactly before CSP3's upgrades).
  const executeApi = environment.AWS_ENDPOINT_URL_EXECUTE_API;
  const endpoints = [environment.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, environment.AWS_ENDPOINT_URL_S3, executeApi?.replace(/^http/, "ws")];
  return [...new Set(endpoints.filter((e): e is string => Boolean(e)).map((e) => new URL(e).origin))];
}

/**
 * Serves each StaticSite as its CloudFront distribution would, edge functions included
 * (from the EdgeLogic specs its `edge` associations name); the first site on the chosen
 * port, others on the ports after it. With `context.watch`, a site with a `build` is rebuilt
 * when its sources change (site-watch.ts). Its CloudFront Functions load (compile and run their top-level code) in
 * their threads while the start goes on: the first request each one handles waits for its load, and one that fails to
 * load (its top-level code throws, say: the program's own check lets only code that parses through) is logged as soon
 * as that is known, and fails the requests it handles (503, as CloudFront answers a function that fails).
 */
export const siteService: LocalService = {
  name: "static site (local CloudFront + edge + S3)",
  async start(context) {
    const sites = registeredSpecs<StaticSiteSpec>("StaticSite");
    if (sites.length === 0) return undefined;
    const running: Array<{ name: string; server: import("node:http").Server; url: string }> = [];
    /** Each site's front door and edge runtime, closed (their CloudFront Functions' threads terminated) once no server is left. */
    const opened: Array<{ door?: FrontDoor; edge?: SiteEdgeRuntime }> = [];
    const watchers: SiteWatcher[] = [];
    const stop = async () => {
      await Promise.all(watchers.map((w) => w.close()));
      for (const { name } of running) context.siteUrls.delete(name);
      await Promise.all(running.map((r) => new Promise((resolve) => r.server.close(resolve))));
      await Promise.all(opened.map((o) => o.door?.close?.()));
      // After the servers: no request is left to invoke a CloudFront Function whose thread this terminates.
      await Promise.all(opened.map((o) => o.edge?.close()));
    };
    try {
      for (const [index, { name, spec }] of sites.entries()) {
        const port = context.port === 0 ? 0 : context.port + index;
        const site: (typeof opened)[number] = {};
        opened.push(site);
        // The edge functions' threads start here; nothing waits for their compiles but the requests they handle.
        site.edge = spec.edge.length > 0 ? createEdgeRuntime(spec.edge, (lambda) => context.lambda(lambda)) : undefined;
        site.door = createFrontDoor(spec, context.origins, { edge: site.edge, log: context.log, localOrigins: browserOrigins(context.environment) });
        // None once the site is stopped (compileFailures answers none once the edge runtime is closed).
        void site.edge?.compileFailures().then((failures) => {
          for (const failure of failures) context.log(`site "${name}": CloudFront Function ${failure.message}\n  It failed to load: the requests it handles answer 503.`);
        });
        const { server, url } = await listen(site.door, port);
        context.siteUrls.set(name, url);
        running.push({ name, server, url });
        const build = context.watch ? registeredSpecs<BuiltSite>("StaticSiteBuild").find((b) => b.name === name) : undefined;
        if (build) watchers.push(watchSiteBuild(build.spec, context.log));
      }
    } catch (error) {
      // A site that did not start: what the others and it started is stopped (threads and servers would outlive it).
      await stop();
      throw error;
    }
    return {
      name: "site",
      urls: Object.fromEntries(running.map((r) => [r.name, r.url])),
      watchers,
      stop,
    };
  },
};
