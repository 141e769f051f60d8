/**
 * StaticSite's `build` at `pulumi preview` (preview-mode mocks): an environment value that is unknown (its resource
 * does not exist yet) postpones the build to `pulumi up`: the command does not run, and the publisher's files are
 * unknown, which its provider accepts at check and diff. Known values build at preview as at `pulumi up`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import { isUnknown } from "@pulumi/pulumi/output";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { publisherProvider } from "../../components/static-site/publisher/provider";
import type { PublisherInputs, PublisherState } from "../../components/static-site/publisher/types";
import { record, resource, useMocks } from "../harness/mocks";
import { inputsFor, keysOf, makeSite, removeSite, startCloud, type Cloud } from "./helpers";

const PUBLISHER = "pulumi-nodejs:dynamic/serverless-fullstack:SitePublisher";
/** How the dynamic-provider host passes an unknown value (`rpc.unknownValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const skip = process.env.STATIC_SITE_SKIP_BUILD;
const sites: string[] = [];
let cloud: Cloud;

beforeAll(async () => {
  delete process.env.STATIC_SITE_SKIP_BUILD;
  await useMocks({ preview: true });
  cloud = await startCloud();
});
afterAll(async () => {
  process.env.STATIC_SITE_SKIP_BUILD = skip;
  for (const root of sites) removeSite(root);
  await cloud.close();
});

describe("StaticSite build at preview", () => {
  it("does not run a build whose environment is not known yet; the files are unknown until pulumi up", async () => {
    const source = makeSite({ "package.json": "{}" });
    sites.push(source);
    const graph = await record(() => {
      // A queue's URL is only known once the queue exists.
      const queue = new aws.sqs.Queue("jobs", {});
      return new StaticSite("later", { path: source, build: { command: "mkdir -p dist && echo \"$API\" > dist/index.html", outputDir: "dist", environment: { API: queue.url } } });
    });
    expect(existsSync(join(source, "dist")), "the build did not run").toBe(false);
    const publisher = resource(graph, PUBLISHER, "later-publish");
    expect(isUnknown(publisher.inputs.files), "the publisher's files are unknown").toBe(true);
  });

  it("builds at preview when every value is known", async () => {
    const source = makeSite({ "package.json": "{}" });
    sites.push(source);
    const graph = await record(() => new StaticSite("now", { path: source, build: { command: "mkdir -p dist && echo \"$MODE\" > dist/index.html", outputDir: "dist", environment: { MODE: "preview" } } }));
    expect(keysOf(resource(graph, PUBLISHER, "now-publish").inputs as never)).toEqual(["index.html"]);
  });

  it("the publisher's provider accepts unknown files at check and diff, and plans an update", async () => {
    const root = makeSite({ "index.html": "x" });
    sites.push(root);
    const inputs = await inputsFor(root, cloud);
    const unknown = { ...inputs, files: UNKNOWN, contentTypes: UNKNOWN, cacheControls: UNKNOWN } as unknown as PublisherInputs;
    const checked = await publisherProvider.check!({}, unknown);
    expect(checked.failures ?? []).toEqual([]);
    const diff = await publisherProvider.diff!("site-bucket/site", { ...inputs, retained: {}, deploy: 1, pendingInvalidation: [] } as unknown as PublisherState, unknown);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });
});
