/**
 * property-paths.ts against the engine's property-path parser (pulumi/pulumi sdk/go/common/resource/properties_path.go
 * parsePropertyPath at 1b5949891b3cefcb9974752b24a5ecef0acc86c8; its cases from properties_path_test.go): the lenient
 * ParsePropertyPath the engine reads ignoreChanges and replaceOnChanges with, and the strict one (config keys).
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, planUpdate } from "../../testing/deploy-rules/index";
import { changeReportedUnder, ignoredBy, parsePropertyPath, parsePropertyPathResult, PROPERTY_PATH_RULES, scalarArrayChanges } from "../../testing/deploy-rules/property-paths";
import { handBuilt, transition } from "./fixture";

const strict = (path: string) => {
  const parsed = parsePropertyPathResult(path, { strict: true });
  return "path" in parsed ? parsed.path : undefined;
};

describe("parsePropertyPath: as the engine's ParsePropertyPath", () => {
  it("reads the paths the engine's tests read", () => {
    expect(parsePropertyPath("root.nested.array[0].double[1]")).toEqual(["root", "nested", "array", 0, "double", 1]);
    expect(parsePropertyPath('root["key with \\"escaped\\" quotes"]')).toEqual(["root", 'key with "escaped" quotes']);
    expect(parsePropertyPath('["root key with a ."][100]')).toEqual(["root key with a .", 100]);
    expect(parsePropertyPath('root["*"].field[1]')).toEqual(["root", "*", "field", 1]);
    expect(parsePropertyPath("root[3].*[3]")).toEqual(["root", 3, "*", 3]);
    expect(parsePropertyPath("root.foo-bar[0]")).toEqual(["root", "foo-bar", 0]);
    // A quote in a bare name is part of it (the engine's negative case, which it parses and then finds nothing at).
    expect(parsePropertyPath('root."double".nest')).toEqual(["root", '"double"', "nest"]);
    expect(parsePropertyPath("a..b")).toEqual(["a", "b"]);
    expect(parsePropertyPath("")).toEqual([]);
  });

  it("refuses what the engine refuses: a leading or trailing '.', an unclosed bracket or quote, an index that is no integer", () => {
    for (const path of [".tags", "tags.", "root[", 'root["nested]', 'root["a"x]', "root.array[abc]", "a[]", "a[1.5]", "a[99999999999999999999]"]) expect(parsePropertyPath(path), path).toBeUndefined();
    // Read one character at a time, as Go does: `\\"` is a backslash and an escaped quote, so the key is never closed.
    expect(parsePropertyPath('tags["a\\\\"]')).toBeUndefined();
  });

  it("takes an index as strconv.ParseInt does: a sign is allowed", () => {
    expect(parsePropertyPath("a[+1]")).toEqual(["a", 1]);
    expect(parsePropertyPath("a[-1]")).toEqual(["a", -1]);
    expect(parsePropertyPath("a[007]")).toEqual(["a", 7]);
  });

  it("tolerates '.[' where the strict parser refuses it", () => {
    expect(parsePropertyPath("root.array.[1]")).toEqual(["root", "array", 1]);
    expect(strict("root.array.[1]")).toBeUndefined();
    expect(strict('root.["key with a ."]')).toBeUndefined();
    expect(strict("root.array[1]")).toEqual(["root", "array", 1]);
  });

  it("names the parser's error", () => {
    expect(parsePropertyPathResult("tags.")).toEqual({ error: "expected property path to end with a name or index" });
    expect(parsePropertyPathResult("tags[Name]")).toEqual({ error: 'invalid array index: strconv.ParseInt: parsing "Name": invalid syntax' });
  });
});

describe("ignoredBy: an entry the engine cannot parse ignores nothing", () => {
  it("does not let '.tags' or 'tags.' hold tags (the engine skips both)", () => {
    const bucket = (ignoreChanges: string[]) => handBuilt("aws:s3/bucketV2:BucketV2", "site", {}, { ignoreChanges });
    expect(ignoredBy(bucket([".tags"]), ["tags"])).toEqual([]);
    expect(ignoredBy(bucket(["tags."]), ["tags"])).toEqual([]);
    expect(ignoredBy(bucket(["tags"]), ["tags", "Name"])).toEqual(["tags"]);
    expect(ignoredBy(bucket(["tags.[0]"]), ["tags", 0])).toEqual(["tags.[0]"]);
  });

  it("does not let an empty entry hold anything: it parses, but the engine's Reset of an empty path resets nothing", () => {
    // properties_path.go reset: `if len(p) == 0 { return false }`; processIgnoreChanges then only logs it as a path it could not ignore.
    const bucket = (ignoreChanges: string[]) => handBuilt("aws:s3/bucketV2:BucketV2", "site", {}, { ignoreChanges });
    expect(parsePropertyPath("")).toEqual([]);
    expect(ignoredBy(bucket([""]), ["tags"])).toEqual([]);
    expect(ignoredBy(bucket(["", "tags"]), ["tags"])).toEqual(["tags"]);
  });
});

describe("the transition checks read ignoreChanges as the engine does", () => {
  it("replaces a user pool whose sign-in options change under an ignoreChanges entry the engine skips ('aliasAttributes.'), not under 'aliasAttributes'", () => {
    const pool = (aliasAttributes: string[], ignoreChanges: string[]) => handBuilt("aws:cognito/userPool:UserPool", "users", { name: "users-1a2b3c4", aliasAttributes }, { ignoreChanges });
    const replaced = (entry: string) => transition([pool(["email"], [entry])], [pool(["phone_number"], [entry])]).filter((f) => f.rule === "TransitionStatefulReplaced");
    expect(replaced("aliasAttributes")).toEqual([]);
    expect(replaced("aliasAttributes.")).toEqual([expect.objectContaining({ resource: "aws:cognito/userPool:UserPool users" })]);
  });
});

describe("PropertyPathRefused", () => {
  const context = { stack: "dev", production: false, region: "us-east-1" };
  const run = (ignoreChanges: string[], replaceOnChanges: string[]) => {
    const component = handBuilt("serverless-fullstack:index:StaticSite", "site", {}, { custom: false });
    const bucket = handBuilt("aws:s3/bucketV2:BucketV2", "site-bucket", {}, { parent: component.urn, ignoreChanges, replaceOnChanges });
    return checkDeployRules([component, bucket], context, PROPERTY_PATH_RULES);
  };

  it("finds a replaceOnChanges entry the engine cannot parse: the first update that changes the resource fails at it", () => {
    const [found, ...rest] = run([], ["tags[Name]"]);
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ rule: "PropertyPathRefused", resource: "aws:s3/bucketV2:BucketV2 site-bucket" });
    expect(found.problem).toMatch(/^replaceOnChanges entry "tags\[Name\]" \(in component serverless-fullstack:index:StaticSite site\) is not a property path the engine parses \(invalid array index: .*\): .* the first update that changes site-bucket, .* fails at it$/);
    expect(found.fix).toMatch(/^write replaceOnChanges entry "tags\[Name\]" of site-bucket as a path the engine parses: "tags\[\\"Name\\"\]" \(/);
  });

  it("finds an ignoreChanges entry the engine skips, with a leading or trailing '.'", () => {
    const found = run([".tags", "versioning."], []);
    expect(found.map((f) => f.problem)).toEqual([
      expect.stringMatching(/^ignoreChanges entry "\.tags" .*\(expected property path to start with a name or index\): the engine skips .* so nothing is ignored/),
      expect.stringMatching(/^ignoreChanges entry "versioning\." .*\(expected property path to end with a name or index\)/),
    ]);
    expect(found.map((f) => f.fix)).toEqual([expect.stringContaining(': "tags" ('), expect.stringContaining(': "versioning" (')]);
  });

  it("passes the paths the engine parses, '.[' and a signed index included", () => {
    expect(run(["tags", 'tags["Name"]', "lifecycleRules[*].expiration", "tags.[0]", "cors[+1]"], ["bucket", "versioning.enabled"])).toEqual([]);
  });
});

describe("replaceOnChanges: a nested entry replaces only for a change the provider's Diff reports at or below it (applyReplaceOnChanges, PropertyPath.Contains)", () => {
  const LAMBDA = "aws:lambda/function:Function";
  const fn = (inputs: Record<string, unknown>, replaceOnChanges: string[]) => handBuilt(LAMBDA, "fn", { name: "fn", ...inputs }, { id: "fn", replaceOnChanges });
  const replaced = (before: Record<string, unknown>, after: Record<string, unknown>, entries: string[]) => planUpdate([fn(before, entries)], [fn(after, entries)]).replaced(fn({}, entries).urn);

  it("replaces for the tag it names, not for another tag", () => {
    expect(replaced({ tags: { Name: "a", team: "x" } }, { tags: { Name: "b", team: "x" } }, ["tags.Name"])).toBe(true);
    expect(replaced({ tags: { Name: "a", team: "x" } }, { tags: { Name: "a", team: "y" } }, ["tags.Name"])).toBe(false);
    // The quoted spelling and a wildcard below the map are the same paths to the engine.
    expect(replaced({ tags: { Name: "a" } }, { tags: { Name: "b" } }, ['tags["Name"]'])).toBe(true);
    expect(replaced({ tags: { Name: "a", team: "x" } }, { tags: { Name: "a", team: "y" } }, ["tags.*"])).toBe(true);
    // A leading wildcard stands for every top-level input: `*.Name` contains `tags.Name`.
    expect(replaced({ tags: { Name: "a", team: "x" } }, { tags: { Name: "b", team: "x" } }, ["*.Name"])).toBe(true);
    expect(replaced({ tags: { Name: "a", team: "x" } }, { tags: { Name: "a", team: "y" } }, ["*.Name"])).toBe(false);
  });

  it("replaces for a field of the list element it names, not for another element's", () => {
    // A distribution's ordered cache behaviours: a TypeList of blocks (terraform-provider-aws cloudfront/distribution.go
    // `ordered_cache_behavior`), an array of objects in DistributionArgs, which the bridge diffs index by index.
    const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
    const behaviour = (pathPattern: string, targetOriginId: string) => ({ pathPattern, targetOriginId, viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] });
    const site = (first: string, second: string, replaceOnChanges: string[]) =>
      handBuilt(DISTRIBUTION, "site", { enabled: true, orderedCacheBehaviors: [behaviour("/api/*", first), behaviour("/media/*", second)] }, { id: "E2QWRUHAPOMQZL", replaceOnChanges });
    const replacedSite = (before: [string, string], after: [string, string], entries: string[]) => planUpdate([site(...before, entries)], [site(...after, entries)]).replaced(site(...before, entries).urn);
    expect(replacedSite(["api", "media"], ["api-v2", "media"], ["orderedCacheBehaviors[0].targetOriginId"])).toBe(true);
    expect(replacedSite(["api", "media"], ["api", "media-v2"], ["orderedCacheBehaviors[0].targetOriginId"])).toBe(false);
    expect(replacedSite(["api", "media"], ["api", "media-v2"], ["orderedCacheBehaviors[*].targetOriginId"])).toBe(true);
  });

  it("reads a list of scalars by the bridge's edit script: removing the first layer reports [0] alone, not every index after it", () => {
    const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:layer:${name}:1`;
    const [a, b, c] = [arn("a"), arn("b"), arn("c")];
    expect(replaced({ layers: [a, b, c] }, { layers: [b, c] }, ["layers[0]"])).toBe(true);
    expect(replaced({ layers: [a, b, c] }, { layers: [b, c] }, ["layers[1]"])).toBe(false);
    expect(replaced({ layers: [a, b, c] }, { layers: [b, c] }, ["layers[*]"])).toBe(true);
    // One layer swapped for another: reported at its index.
    expect(replaced({ layers: [a, b] }, { layers: [a, c] }, ["layers[1]"])).toBe(true);
    expect(replaced({ layers: [a, b] }, { layers: [a, c] }, ["layers[0]"])).toBe(false);
  });

  it("reads a layer unknown at preview (a LayerVersion the update creates) put first as an insert at [0], not a change of every index", () => {
    const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:layer:${name}:1`;
    const created = { __pulumiUnknown: true };
    expect(replaced({ layers: [arn("a"), arn("b")] }, { layers: [created, arn("a"), arn("b")] }, ["layers[1]"])).toBe(false);
    expect(replaced({ layers: [arn("a"), arn("b")] }, { layers: [created, arn("a"), arn("b")] }, ["layers[0]"])).toBe(true);
  });

  it("reads an input its kind keeps as a set by element: a reordering reports nothing", () => {
    const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
    const mapping = (topics: string[]) => handBuilt(MAPPING, "orders", { eventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/orders/1", functionName: "fn", topics }, { replaceOnChanges: ["topics[*]"] });
    const replacedMapping = (before: string[], after: string[]) => planUpdate([mapping(before)], [mapping(after)]).replaced(mapping(before).urn);
    expect(replacedMapping(["orders", "refunds"], ["refunds", "orders"])).toBe(false);
    expect(replacedMapping(["orders", "refunds"], ["refunds", "orders", "returns"])).toBe(true);
  });

  it("reads a set of objects by element, as the bridge keys a set by element hash: a reordering reports nothing", () => {
    // A table's local secondary indexes: a TypeSet of blocks (table.go `local_secondary_index`), kept as a set here.
    const TABLE = "aws:dynamodb/table:Table";
    const index = (name: string, rangeKey: string) => ({ name, rangeKey, projectionType: "ALL" });
    const table = (indexes: object[]) =>
      handBuilt(TABLE, "orders", { name: "orders", hashKey: "pk", attributes: [{ name: "pk", type: "S" }], localSecondaryIndexes: indexes }, { id: "orders", replaceOnChanges: ["localSecondaryIndexes[0].rangeKey"] });
    const replacedTable = (before: object[], after: object[]) => planUpdate([table(before)], [table(after)]).replaced(table(before).urn);
    expect(replacedTable([index("byDate", "date"), index("byTotal", "total")], [index("byTotal", "total"), index("byDate", "date")])).toBe(false);
    // A changed index replaces it whatever the entry: local_secondary_index is ForceNew (TABLE_REPLACEMENT).
    expect(replacedTable([index("byDate", "date"), index("byTotal", "total")], [index("byDate", "day"), index("byTotal", "total")])).toBe(true);
  });

  it("does not replace for a nested entry when the whole input is unknown at preview: the bridge reports an unknown value at its own path (makeShortCircuitDiff)", () => {
    const unknown = { __pulumiUnknown: true };
    expect(replaced({ tags: { Name: "a" } }, { tags: unknown }, ["tags.Name"])).toBe(false);
    expect(replaced({ tags: { Name: "a" } }, { tags: unknown }, ["tags"])).toBe(true);
    // A field unknown below the entry's own path is reported at that field, which the entry contains.
    expect(changeReportedUnder(["Name"], { Name: "a" }, { Name: unknown })).toBe(true);
    expect(changeReportedUnder(["config", "Name"], { config: { Name: "a" } }, { config: unknown })).toBe(false);
    // An element of a list of objects unknown at preview: reported at its index.
    expect(changeReportedUnder([0, "name"], [{ name: "a" }], [unknown], "list")).toBe(false);
    expect(changeReportedUnder([0], [{ name: "a" }], [unknown], "list")).toBe(true);
  });

  it("does not replace when the whole map is set or dropped: the bridge reports that at the map's own path, which `tags.Name` does not contain", () => {
    expect(replaced({}, { tags: { Name: "b" } }, ["tags.Name"])).toBe(false);
    expect(replaced({}, { tags: { Name: "b" } }, ["tags"])).toBe(true);
  });

  it("reads tags deployed as {} on an SDKv2 resource as null, as PlanResourceChange stores them: setting a tag is reported at `tags` alone", () => {
    const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
    const group = (tags: Record<string, string> | undefined) => handBuilt(LOG_GROUP, "audit", { name: "audit", ...(tags ? { tags } : {}) }, { id: "audit", replaceOnChanges: ["tags.Name"] });
    const replacedGroup = (before: Record<string, string> | undefined, after: Record<string, string> | undefined) => planUpdate([group(before)], [group(after)]).replaced(group(before).urn);
    expect(replacedGroup({}, { Name: "b" })).toBe(false);
    expect(replacedGroup(undefined, { Name: "b" })).toBe(false);
    // A tag changed in a map the state holds still counts.
    expect(replacedGroup({ Name: "a" }, { Name: "b" })).toBe(true);
  });

  it("does not delete a dependent early for a nested entry under the input a delete-first branch makes unknown (the engine's Diff reports the whole input)", () => {
    const api = (description: string) => handBuilt("aws:apigateway/restApi:RestApi", "api", { name: "api", description }, { id: "a1b2c3d4e5", replaceOnChanges: ["description"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    const dependent = (entries: string[]) => handBuilt(LAMBDA, "fn", { name: "fn", environment: { variables: { API: "a1b2c3d4e5" } } }, { dependencies: [api("v1").urn], propertyDependencies: { environment: [api("v1").urn] }, replaceOnChanges: entries });
    const early = (entries: string[]) => planUpdate([api("v1"), dependent(entries)], [api("v2"), dependent(entries)]).order.early.has(dependent(entries).urn);
    expect(early(["environment"])).toBe(true);
    expect(early(["environment.variables.API"])).toBe(false);
  });
});

describe("changeReportedUnder: a set of objects as the bridge's makeSetDiff aligns it (by element hash, detailed_diff.go makeSetDiffElementResult)", () => {
  const rule = (protocol: string, fromPort: number, cidr: string) => ({ protocol, fromPort, toPort: fromPort, cidrBlocks: [cidr] });
  const [https, ssh, dns] = [rule("tcp", 443, "0.0.0.0/0"), rule("tcp", 22, "10.0.0.0/8"), rule("udp", 53, "10.0.0.0/8")];

  it("reports nothing for a reordering, and an added element only at its own index, as a whole", () => {
    expect(changeReportedUnder(["*"], [https, ssh], [ssh, https], "set")).toBe(false);
    expect(changeReportedUnder(["*", "fromPort"], [https, ssh], [ssh, https], "set")).toBe(false);
    // Added at [0] before the kept ones: reported at [0] alone, and as the whole element, which a field entry does not contain.
    expect(changeReportedUnder([0], [https, ssh], [dns, https, ssh], "set")).toBe(true);
    expect(changeReportedUnder([1], [https, ssh], [dns, https, ssh], "set")).toBe(false);
    expect(changeReportedUnder(["*", "fromPort"], [https, ssh], [dns, https, ssh], "set")).toBe(false);
    // Removed: as a whole, at its index in the provider's state, which may be any below the set's size (below).
    expect(changeReportedUnder([0], [https, ssh], [ssh], "set")).toBe(true);
    expect(changeReportedUnder([1], [https, ssh], [ssh], "set")).toBe(true);
    expect(changeReportedUnder([2], [https, ssh], [ssh], "set")).toBe(false);
    expect(changeReportedUnder(["*", "fromPort"], [https, ssh], [ssh], "set")).toBe(false);
  });

  it("diffs field by field an element removed at the index another is added at (makeSetChangeMap: old and new changed)", () => {
    const sshFromVpn = { ...ssh, cidrBlocks: ["10.8.0.0/16"] };
    expect(changeReportedUnder([1, "cidrBlocks"], [https, ssh], [https, sshFromVpn], "set")).toBe(true);
    expect(changeReportedUnder([1, "fromPort"], [https, ssh], [https, sshFromVpn], "set")).toBe(false);
    expect(changeReportedUnder([0], [https, ssh], [sshFromVpn, https], "set")).toBe(true);
    // The removed element's index is its index in the provider's prior state, which holds the set in the provider's
    // order, not the program's (the bridge's cross-test TestSDKv2DetailedDiffSetBlock same_element_updated_unordered:
    // inputs [val2, val3, val1] to [val2, val4, val1] report props[1] added and props[2] removed): ssh, listed second,
    // may stand first there, where the added element is diffed against it field by field.
    expect(changeReportedUnder(["*", "cidrBlocks"], [https, ssh], [sshFromVpn, https], "set")).toBe(true);
    expect(changeReportedUnder([0, "cidrBlocks"], [https, ssh], [sshFromVpn, https], "set")).toBe(true);
    // A set of scalars alike: its removed element may stand at any index below the set's size.
    expect(changeReportedUnder([1], ["email", "phone_number"], ["phone_number"], "set")).toBe(true);
    expect(changeReportedUnder([2], ["email", "phone_number"], ["phone_number"], "set")).toBe(false);
    expect(changeReportedUnder([1], ["email", "phone_number"], ["phone_number", "email"], "set")).toBe(false);
    // Added past the state's size, it meets no removed element: reported as a whole only.
    expect(changeReportedUnder(["*", "cidrBlocks"], [https], [https, sshFromVpn], "set")).toBe(false);
  });

  it("takes an absent field and a null one as one element (the element hash reads either as no value), and an unknown field as a change", () => {
    expect(changeReportedUnder(["*"], [{ fromPort: 22, description: null }], [{ fromPort: 22 }], "set")).toBe(false);
    expect(changeReportedUnder([0, "description"], [{ fromPort: 22, description: "ssh" }], [{ fromPort: 22, description: { __pulumiUnknown: true } }], "set")).toBe(true);
  });

  it("takes either alignment where the kind is not known, and a list index by index", () => {
    expect(changeReportedUnder(["*", "fromPort"], [https, ssh], [ssh, https])).toBe(true);
    expect(changeReportedUnder(["*", "fromPort"], [https, ssh], [ssh, https], "list")).toBe(true);
    expect(changeReportedUnder([2], [https, ssh], [https, ssh, dns])).toBe(true);
    expect(changeReportedUnder([0], [https, ssh], [https, ssh, dns])).toBe(false);
  });
});

describe("scalarArrayChanges: the indices the bridge's detailed diff reports for an array of scalars (detailed_diff_test.go's cases)", () => {
  it("aligns a list by its edit script (TestDetailedDiffList)", () => {
    expect([...scalarArrayChanges(["val1"], ["val2"], "list")]).toEqual([0]);
    expect([...scalarArrayChanges(["val1", "val2"], ["val1"], "list")]).toEqual([1]);
    expect([...scalarArrayChanges(["val1", "val2", "val3"], ["val2", "val3"], "list")]).toEqual([0]);
    expect([...scalarArrayChanges([], ["val1", "val2"], "list")].sort()).toEqual([0, 1]);
    // A reordered list is a change.
    expect(scalarArrayChanges(["val1", "val2"], ["val2", "val1"], "list").size).toBeGreaterThan(0);
  });

  it("aligns a set by element (TestDetailedDiffSetAttribute)", () => {
    const set = (old: string[], next: string[]) => [...scalarArrayChanges(old, next, "set")].sort();
    expect(set(["val1", "val2", "val3"], ["val3", "val2", "val1"])).toEqual([]);
    expect(set(["val1", "val2", "val3"], ["val3", "val2", "val1", "val1"])).toEqual([]);
    expect(set(["val1", "val2", "val3"], ["val3", "val1"])).toEqual([1]);
    expect(set(["val1", "val2", "val3"], ["val2", "val1"])).toEqual([2]);
    expect(set(["val1", "val3"], ["val3", "val2", "val1"])).toEqual([1]);
    expect(set(["val1", "val2", "val3"], ["val1", "val4", "val3"])).toEqual([1]);
    expect(set(["stable1", "stable2", "val1", "val2"], ["val4", "val3", "stable1", "stable2"])).toEqual([0, 1, 2, 3]);
  });

  it("aligns a list of 1,000 elements or more index by index, as makeListDiff does (its edit script is O(n·m): used below 1,000 only)", () => {
    const values = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `val${from + i}`);
    // 999 on each side: the edit script; removing the first reports [0] alone.
    expect([...scalarArrayChanges(values(0, 999), values(1, 999), "list")]).toEqual([0]);
    // 1,000 on the old side: every index whose value differs (makePropDiff element by element, a missing one null).
    expect(scalarArrayChanges(values(0, 1000), values(1, 1000), "list").size).toBe(1000);
    expect(scalarArrayChanges(values(0, 1000), [...values(0, 999), "other"], "list")).toEqual(new Set([999]));
    // A plan's list of 10,000 is read without a 10,000 × 10,000 matrix.
    expect(scalarArrayChanges(values(0, 10_000), [...values(0, 5_000), "other", ...values(5_001, 10_000)], "list")).toEqual(new Set([5_000]));
    // A set has no such bound (makeSetDiff keys elements by hash).
    expect([...scalarArrayChanges(values(0, 1000), values(1, 1000), "set")]).toEqual([0]);
  });

  it("aligns an element unknown at preview as a value equal to no other (the bridge's DeepEquals): a layer created by the update, put first", () => {
    const unknownArn = { __pulumiUnknown: true };
    expect([...scalarArrayChanges(["a", "b"], [unknownArn, "a", "b"], "list")]).toEqual([0]);
    expect([...scalarArrayChanges(["a", "b"], [unknownArn, "a", "b"], "set")]).toEqual([0]);
  });

  it("takes an element unknown in both plans (a saved preview's) as unchanged, as the whole input unknown in both is", () => {
    const unknownIn = () => ({ __pulumiUnknown: true });
    expect([...scalarArrayChanges([unknownIn(), "a"], [unknownIn(), "a", "b"], "list")]).toEqual([2]);
    expect([...scalarArrayChanges([unknownIn(), "a"], [unknownIn(), "a", "b"], "set")]).toEqual([2]);
    expect(scalarArrayChanges([unknownIn(), "a"], ["a", unknownIn()], "set").size).toBe(0);
  });

  it("takes either alignment's indices where the kind is not known", () => {
    expect([...scalarArrayChanges(["val1", "val2"], ["val2", "val1"])].sort()).toEqual([...scalarArrayChanges(["val1", "val2"], ["val2", "val1"], "list")].sort());
    expect([...scalarArrayChanges(["a", "b", "c"], ["b", "c"])]).toEqual([0]);
  });
});
