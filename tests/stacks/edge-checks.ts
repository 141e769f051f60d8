/** Shared checks of the reference app's edge logic, run once per stack file (index.ts loads once per test file). */
import { expect } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { resource } from "../harness/mocks";

export const functionCode = (run: OfflineRun, name: string): string => resource(run.resources, "aws:cloudfront/function:Function", name).inputs.code;
export const lambdaCode = async (run: OfflineRun, name: string): Promise<string> =>
  (await resource(run.resources, "aws:lambda/function:Function", name).inputs.code.assets)["index.mjs"].text;

/** Viewer functions and origin-response on the site; the auth check (and origin-response) on /account/*. */
export function expectEdgeAttached(run: OfflineRun): void {
  const cdn = resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn").inputs;
  const events = (list: Array<{ eventType: string }> | undefined) => (list ?? []).map((a) => a.eventType);
  expect(events(cdn.defaultCacheBehavior.functionAssociations)).toEqual(["viewer-request", "viewer-response"]);
  expect(events(cdn.defaultCacheBehavior.lambdaFunctionAssociations)).toEqual(["origin-response"]);
  const account = cdn.orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === "/account/*");
  expect(events(account.functionAssociations)).toEqual(["viewer-response"]);
  expect(events(account.lambdaFunctionAssociations)).toEqual(["viewer-request", "origin-response"]);
}
