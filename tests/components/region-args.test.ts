/** Components refuse a `region` that is not an AWS region name: pulumi-aws would send it as given (deploy rule RegionName). */
import { describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
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
