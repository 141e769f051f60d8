import { registeredSpecs } from "../../components/spec-registry";
import type { BuiltSite } from "../../components/static-site/build";
import type { StaticSiteSpec } from "../../components/static-site/spec";
import { createEdgeRuntime, type SiteEdgeRuntime } from "../edge-runtime";
import { createFrontDoor, listen } from "../front-door";
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
 * when its sources change (site-watch.ts).
 */
export const siteService: LocalService = {
  name: "static site (local CloudFront + edge + S3)",
  async start(context) {
    const sites = registeredSpecs<StaticSiteSpec>("StaticSite");
    if (sites.length === 0) return undefined;
    const running: Array<{ name: string; server: import("node:http").Server; url: string; close?: () => Promise<void>; edge?: SiteEdgeRuntime }> = [];
    const watchers: SiteWatcher[] = [];
    for (const [index, { name, spec }] of sites.entries()) {
      const port = context.port === 0 ? 0 : context.port + index;
      const edge = spec.edge.length > 0 ? createEdgeRuntime(spec.edge, (lambda) => context.lambda(lambda)) : undefined;
      const door = createFrontDoor(spec, context.origins, { edge, log: context.log, localOrigins: browserOrigins(context.environment) });
      const { server, url } = await listen(door, port);
      context.siteUrls.set(name, url);
      running.push({ name, server, url, close: door.close, edge });
      const build = context.watch ? registeredSpecs<BuiltSite>("StaticSiteBuild").find((b) => b.name === name) : undefined;
      if (build) watchers.push(watchSiteBuild(build.spec, context.log));
    }
    return {
      name: "site",
      urls: Object.fromEntries(running.map((r) => [r.name, r.url])),
      watchers,
      async stop() {
        await Promise.all(watchers.map((w) => w.close()));
        for (const { name } of running) context.siteUrls.delete(name);
        await Promise.all(running.map((r) => new Promise((resolve) => r.server.close(resolve))));
        await Promise.all(running.map((r) => r.close?.()));
        // After the servers: no request is left to invoke a CloudFront Function whose thread this terminates.
        await Promise.all(running.map((r) => r.edge?.close()));
      },
    };
  },
};
