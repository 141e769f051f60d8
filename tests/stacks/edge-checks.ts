/** Shared checks of the reference app's edge logic, run once per stack file (index.ts loads once per test file). */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { manifestKeys } from "../../components/static-site/publisher/encoding";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";

export const functionCode = (run: OfflineRun, name: string): string => resource(run.resources, "aws:cloudfront/function:Function", name).inputs.code;
export const lambdaCode = async (run: OfflineRun, name: string): Promise<string> =>
  (await resource(run.resources, "aws:lambda/function:Function", name).inputs.code.assets)["index.mjs"].text;

const distribution = (run: OfflineRun) => resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn").inputs;
const behaviours = (run: OfflineRun): any[] => [distribution(run).defaultCacheBehavior, ...distribution(run).orderedCacheBehaviors];
const events = (list: Array<{ eventType: string }> | undefined) => (list ?? []).map((a) => a.eventType);

/** Viewer functions and origin-response on the site; the auth check (and origin-response) on /account/*. */
export function expectEdgeAttached(run: OfflineRun): void {
  const cdn = distribution(run);
  expect(events(cdn.defaultCacheBehavior.functionAssociations)).toEqual(["viewer-request", "viewer-response"]);
  expect(events(cdn.defaultCacheBehavior.lambdaFunctionAssociations)).toEqual(["origin-response"]);
  const account = cdn.orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === "/account/*");
  expect(account.functionAssociations).toBeUndefined();
  expect(events(account.lambdaFunctionAssociations)).toEqual(["viewer-request", "origin-response"]);
}

/**
 * CloudFront refuses a behaviour that combines CloudFront Functions and Lambda@Edge on viewer events
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html),
 * so the headers the viewer-response function used to add come from the response headers policy, on every behaviour.
 */
export function expectNoMixedViewerEvents(run: OfflineRun): void {
  for (const b of behaviours(run)) {
    const viewerLambdas = (b.lambdaFunctionAssociations ?? []).filter((a: { eventType: string }) => a.eventType.startsWith("viewer-"));
    expect(viewerLambdas.length > 0 && (b.functionAssociations ?? []).length > 0, b.pathPattern ?? "default").toBe(false);
  }
  const policy = resource(run.resources, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers");
  expect(policy.inputs.customHeadersConfig.items).toEqual([
    { header: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), interest-cohort=()", override: false },
    { header: "Cross-Origin-Opener-Policy", value: "same-origin", override: false },
    { header: "Cross-Origin-Resource-Policy", value: "same-origin", override: false },
  ]);
  for (const b of behaviours(run)) expect(b.responseHeadersPolicyId, b.pathPattern ?? "default").toBe(policy.id);
}

/** The API's JSON 404s reach the browser: no distribution-wide custom error response; the site's 404s get the error document from origin-response. */
export async function expectSiteErrorsFromTheEdge(run: OfflineRun): Promise<void> {
  const cdn = distribution(run);
  expect(cdn.orderedCacheBehaviors.map((b: { pathPattern: string }) => b.pathPattern)).toContain("/api/*");
  expect(cdn.customErrorResponses ?? []).toEqual([]);
  // The site's error.html is baked into the function (esbuild re-quotes it, so compare a line of it).
  const code = await lambdaCode(run, "edge-origin-response-function");
  const heading = readFileSync("site/public/error.html", "utf8").split("\n").find((line) => line.includes("<h1>"))!.trim();
  expect(code).toContain(heading);
  // index.ts embeds the source page; Vite copies public/ as is, so it is the page the site publishes.
  expect(readFileSync("site/dist/error.html", "utf8")).toBe(readFileSync("site/public/error.html", "utf8"));
  // The site publishes Vite's output (StaticSite build), with its error page and content-hashed assets.
  const publisher = resource(run.resources, "pulumi-nodejs:dynamic/serverless-fullstack:SitePublisher", "site-publish");
  expect(manifestKeys(publisher.inputs)).toEqual(expect.arrayContaining(["error.html", "index.html", expect.stringMatching(/^assets\/main\.[0-9a-f]{8}\.js$/)]));
}

/** Lambda@Edge's log groups, named as Lambda@Edge writes them, with the stack's retention in every edge region. */
export function expectEdgeLogRetention(run: OfflineRun, retentionDays: number, regions: readonly string[]): void {
  const groups = ofType(run.resources, "aws:cloudwatch/logGroup:LogGroup");
  for (const key of ["auth", "origin-response"]) {
    const fn = resource(run.resources, "aws:lambda/function:Function", `edge-${key}-function`);
    const mine = groups.filter((g) => g.inputs.name === `/aws/lambda/us-east-1.${fn.state.name}`);
    expect(mine.map((g) => g.inputs.region).sort(), key).toEqual([...regions].sort());
    for (const group of mine) expect(group.inputs.retentionInDays, `${key} ${group.inputs.region}`).toBe(retentionDays);
  }
}

/**
 * Each Lambda@Edge function's role and inline policy are retained with the function: after the distribution lets go
 * of it (edgeEnabled off, a removed EdgeLogic lambda, a destroy), CloudFront's replicas keep running as that role.
 */
export function expectEdgeRolesRetained(run: OfflineRun): void {
  for (const key of ["auth", "origin-response"]) {
    const fn = resource(run.resources, "aws:lambda/function:Function", `edge-${key}-function`);
    const role = ofType(run.resources, "aws:iam/role:Role").find((r) => r.state.arn === fn.inputs.role)!;
    const policies = ofType(run.resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.id);
    expect([fn.retainOnDelete, role.name, role.retainOnDelete], key).toEqual([true, `edge-${key}-role`, true]);
    expect(policies.map((p) => [p.name, p.retainOnDelete]), key).toEqual([[`edge-${key}-policy`, true]]);
  }
}
