/** Components refuse a `region` that is not an AWS region name: pulumi-aws would send it as given (deploy rule RegionName). */
import { describe, expect, it } from "vitest";
import { BackupPlan } from "../../components/backup-plan";
import { DataTier } from "../../components/data-tier";
import { DnsRouting, RoutingPolicy } from "../../components/dns-routing";
import { LambdaFunction } from "../../components/lambda/function";
import { RegionalApis } from "../../components/regional-apis";
import { StackSecret } from "../../components/stack-secret";
import { StaticSite } from "../../components/static-site";
import { UploadBucket } from "../../components/upload-bucket";
import { UserAuth } from "../../components/user-auth";

const ENTRY = "tests/fixtures/handlers/echo.ts";

describe("a region argument that is not an AWS region name", () => {
  it.each([
    ["LambdaFunction", (region: string) => new LambdaFunction("r", { entry: ENTRY, region })],
    ["UploadBucket", (region: string) => new UploadBucket("r", { region })],
    ["StackSecret", (region: string) => new StackSecret("r", { value: "v", region })],
    ["DataTier", (region: string) => new DataTier("r", { tables: { t: { attributes: { pk: "S" }, partitionKey: "pk" } }, region })],
    ["UserAuth", (region: string) => new UserAuth("r", { callbackUrls: ["https://gallery.example.com/"], region })],
    ["StaticSite", (region: string) => new StaticSite("r", { path: "tests/fixtures/site", region })],
  ] as const)("is refused by %s with the argument, the value and the fix", (component, build) => {
    for (const region of ["US-WEST-2", "moon-1", "us-west-2 "]) {
      expect(() => build(region)).toThrow(`${component} "r": region ${JSON.stringify(region)} is not an AWS region name. Use the region's code, in lower case, e.g. "us-west-2".`);
    }
    expect(() => build("us-gov-west-1")).not.toThrow();
    // Empty is unset (the provider's region), as before.
    expect(() => build("")).not.toThrow();
  });
});

/** Region arguments other than `region`: given, each must be a region name (no "" for the provider's region here). */
describe("every other region argument that is not an AWS region name", () => {
  const table = { attributes: { pk: "S" }, partitionKey: "pk" } as const;
  const record = (id: string, region: unknown) => ({ id, region: region as string, target: { name: `d-${id}.execute-api.amazonaws.com`, zoneId: "Z1UJRXOUMOOFQ8" } });
  it.each([
    ["BackupPlan", "copyRegion", (region: unknown) => new BackupPlan("r", { resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/gallery"], copyRegion: region as string })],
    ["StaticSite", "replicaRegion", (region: unknown) => new StaticSite("r", { path: "tests/fixtures/site", replicaRegion: region as string })],
    ["UploadBucket", "replicate(region)", (region: unknown) => new UploadBucket("r").replicate(region as string)],
    ["DataTier", "tables.t.replicaRegions", (region: unknown) => new DataTier("r", { tables: { t: { ...table, replicaRegions: [region as string] } } })],
    ["RegionalApis", "regions[0]", (region: unknown) => new RegionalApis("r", { regions: [region as string], api: { routes: { "GET /health": { handler: ENTRY, auth: "none" } } } })],
    ["DnsRouting", "records[1].region", (region: unknown) => new DnsRouting("r", { zoneId: "Z0123456789EXAMPLE0000", name: "api.gallery.example.com", policy: RoutingPolicy.Latency, records: [record("east", "us-east-1"), record("west", region)] })],
  ] as const)("is refused by %s (%s) with the wording and fix of a region argument", (component, argument, build) => {
    for (const region of ["US-WEST-2", "moon-1", "us-west-2 ", "", 2, ["us-west-2"]]) {
      expect(() => build(region)).toThrow(`${component} "r": ${argument} ${JSON.stringify(region)} is not an AWS region name. Use the region's code, in lower case, e.g. "us-west-2".`);
    }
    expect(() => build("us-gov-west-1")).not.toThrow();
  });
});
