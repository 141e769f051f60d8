/** Stack tags: the generated list of taggable types, validation of the user's tags, and the transformation. */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { stackTags, tagsFromConfig, tagTransformation, TAGGABLE_TYPES } from "../../components/tags";
import { currentTaggableTypesModule, TAGGABLE_TYPES_FILE } from "../../scripts/taggable-types";
import { mutate, record, useMocks } from "../harness/mocks";
import { TAGGED } from "../../testing/security-rules/tags";
import { DataTier } from "../../components/data-tier";

beforeAll(async () => {
  await useMocks({ stack: "test" });
});

describe("TAGGABLE_TYPES", () => {
  it("is current with the installed @pulumi/aws (run `npm run taggable-types` after a provider upgrade)", () => {
    expect(readFileSync(TAGGABLE_TYPES_FILE, "utf8")).toBe(currentTaggableTypesModule());
  });

  it("holds the map-tagged types and leaves out types whose tags are something else", () => {
    for (const type of ["aws:s3/bucket:Bucket", "aws:lambda/function:Function", "aws:wafv2/webAcl:WebAcl", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:backup/vault:Vault"]) {
      expect(TAGGABLE_TYPES.has(type), type).toBe(true);
    }
    // No tags at all, a list of {key, value, propagateAtLaunch}, and selection tags that are not the resource's own.
    for (const type of ["aws:iam/rolePolicy:RolePolicy", "aws:autoscaling/group:Group", "aws:inspector/resourceGroup:ResourceGroup", "aws:cloudwatch/dashboard:Dashboard"]) {
      expect(TAGGABLE_TYPES.has(type), type).toBe(false);
    }
  });
});

describe("stackTags", () => {
  it("puts app and stack first, then the user's tags", () => {
    expect(stackTags({ app: "gallery", stack: "prod", tags: { "cost-center": "1234", team: "photos" } })).toEqual({ app: "gallery", stack: "prod", "cost-center": "1234", team: "photos" });
  });

  it("defaults app and stack to the project and stack names", () => {
    expect(stackTags()).toEqual({ app: "serverless-fullstack", stack: "test" });
  });

  it.each([
    [{ tags: { app: "other" } }, /tags\.app "other" is set by the stack/],
    [{ tags: JSON.parse('{"__proto__":"x"}') }, /^StackTags "test": tags\.__proto__ "x" is a key a JavaScript object does not keep when it is copied/],
    [{ tags: { toString: "x" } }, /^StackTags "test": tags\.toString "x" is a key Pulumi's SDK cannot send in an input map: registering the resource fails/],
    [{ tags: { "aws:owner": "me" } }, /tags\.aws:owner "me" uses the aws: prefix, which AWS reserves/],
    [{ tags: { team: "a#b" } }, /tags\.team "a#b" has characters outside letters/],
    [{ tags: { ["k".repeat(129)]: "v" } }, /is 129 characters long; tag keys are 1–128/],
    [{ tags: { team: "v".repeat(257) } }, /has a 257-character value; tag values are at most 256/],
    [{ tags: Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`t${i}`, "x"])) }, /makes 46 stack tags; AWS allows 50 per resource and components add up to 5/],
  ])("refuses %j", (args, message) => {
    expect(() => stackTags(args)).toThrow(message);
  });
});

describe("tagsFromConfig", () => {
  it("splits key=value entries at the first =", () => {
    expect(tagsFromConfig(["cost-center=1234", "query=a=b"])).toEqual({ "cost-center": "1234", query: "a=b" });
  });

  it("keeps a __proto__ entry as a key, so stackTags refuses it instead of losing it", () => {
    expect(() => stackTags({ tags: tagsFromConfig(["__proto__=x"]) })).toThrow(/tags\.__proto__ "x" is a key a JavaScript object does not keep/);
  });

  it("refuses an entry without a key", () => {
    expect(() => tagsFromConfig(["=x"])).toThrow(/tags "=x" is not a key=value pair\. Write each tag as key=value/);
    expect(() => tagsFromConfig(["team"])).toThrow(/tags "team" is not a key=value pair/);
  });
});

describe("tagTransformation", () => {
  it("tags every taggable resource under a component, keeps the resource's own tags over the stack's, and leaves untaggable types alone", async () => {
    const graph = await record(
      () =>
        new LambdaFunction("fn", { entry: "tests/fixtures/handlers/echo.ts", permissions: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] }, {
          transformations: [tagTransformation({ app: "gallery", stack: "test", team: "photos" })],
        }),
    );
    const tagged = graph.filter((r) => r.custom && TAGGABLE_TYPES.has(r.type));
    expect(tagged.map((r) => r.type).sort()).toEqual(["aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:lambda/function:Function"]);
    for (const r of tagged) expect(r.inputs.tags, r.name).toEqual({ app: "gallery", stack: "test", team: "photos" });
    for (const r of graph.filter((x) => x.custom && !TAGGABLE_TYPES.has(x.type))) expect(r.inputs.tags, r.name).toBeUndefined();
  });

  it("merges under tags the resource sets itself", async () => {
    const transform = tagTransformation({ app: "gallery", stack: "test", team: "photos" });
    const result = transform({ type: "aws:sqs/queue:Queue", name: "q", props: { tags: { team: "queues", purpose: "dlq" } }, opts: {}, resource: undefined as never });
    const tags = await new Promise((done) => (result!.props.tags as any).apply(done));
    expect(tags).toEqual({ app: "gallery", stack: "test", team: "queues", purpose: "dlq" });
  });
});

describe("the Tagged rule on global tables", () => {
  it("passes a DataTier table whose replicas get its tags, and flags a replica that does not", async () => {
    const graph = await record(
      () =>
        new DataTier("tagdata", { tables: { items: { attributes: { pk: "S" }, partitionKey: "pk", stream: "NEW_AND_OLD_IMAGES", replicaRegions: ["us-west-2"] } } }, {
          transformations: [tagTransformation({ app: "gallery", stack: "test" })],
        }),
    );
    const context = { stack: "test", production: false };
    const table = (r: { type: string }) => r.type === "aws:dynamodb/table:Table";
    expect(TAGGED.check(graph, context).filter((f) => f.resource.includes("dynamodb/table"))).toEqual([]);
    const broken = mutate(graph, table, (r) => ({ ...r, inputs: { ...r.inputs, replicas: r.inputs.replicas.map((x: object) => ({ ...x, propagateTags: false })) } }));
    expect(TAGGED.check(broken, context).map((f) => f.problem)).toContain("has a replica in us-west-2 that does not get its tags (propagateTags)");
  });
});
