import { registeredSpecs } from "../../components/spec-registry";
import type { StaticSiteSpec } from "../../components/static-site/spec";
import { createFrontDoor, listen } from "../front-door";
import type { LocalService } from "./types";

/**
 * Emulators the page talks to directly, as AWS's https endpoints in the cloud: cognito-local
 * (password sign-in) and the S3 stand-in (presigned uploads and downloads). The front door
 * allows exactly these origins in its CSP (front-door.ts withLocalOrigins).
 */
export function browserOrigins(environment: Record<string, string>): string[] {
  const endpoints = [environment.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, environment.AWS_ENDPOINT_URL_S3];
  return [...new Set(endpoints.filter((e): e is string => Boolean(e)).map((e) => new URL(e).origin))];
}

/** Serves each StaticSite as its CloudFront distribution would; the first on the chosen port, others on the ports after it. */
export const siteService: LocalService = {
  name: "static site (local CloudFront + S3)",
  async start(context) {
    const sites = registeredSpecs<StaticSiteSpec>("StaticSite");
    if (sites.length === 0) return undefined;
    const running: Array<{ name: string; server: import("node:http").Server; url: string }> = [];
    for (const [index, { name, spec }] of sites.entries()) {
      const port = context.port === 0 ? 0 : context.port + index;
      const { server, url } = await listen(createFrontDoor(spec, context.origins, { localOrigins: browserOrigins(context.environment) }), port);
      running.push({ name, server, url });
    }
    return {
      name: "site",
      urls: Object.fromEntries(running.map((r) => [r.name, r.url])),
      async stop() {
        await Promise.all(running.map((r) => new Promise((resolve) => r.server.close(resolve))));
      },
    };
  },
};
