/**
 * A route's domainName that is an Output unknown at `pulumi preview` (a function URL or API created in the same
 * program, review 104 F5.4): nothing is refused at preview, the origin's domainName stays unknown, and the value is
 * checked once it is known (distribution.ts routeOrigin; the known cases are in static-site-origin-domain.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { record, resource, useMocks } from "../harness/mocks";

/** How the mocks record a value the engine does not know in a preview. */
const isUnknown = (value: unknown) => (value as { __pulumiUnknown?: boolean } | undefined)?.__pulumiUnknown === true;

beforeAll(() => useMocks({ preview: true }));

describe("StaticSite routes[].domainName unknown at preview", () => {
  it("is accepted at preview, leaving the origin's domainName unknown", async () => {
    const graph = await record(() => new StaticSite("later", { path: "tests/fixtures/site", routes: [{ pathPattern: "/api/*", originId: "api", domainName: pulumi.output(pulumi.unknown as string) }] }));
    const origins = resource(graph, "aws:cloudfront/distribution:Distribution", "later-cdn").inputs.origins;
    expect(origins[1].originId).toBe("api");
    expect(origins[1].domainName).toSatisfy(isUnknown);
  });

  it("is still checked in the same preview when it is known", async () => {
    await expect(record(() => new StaticSite("known", { path: "tests/fixtures/site", routes: [{ pathPattern: "/api/*", originId: "api", domainName: pulumi.output("https://abc.lambda-url.us-east-1.on.aws/") }] }))).rejects.toThrow(
      /StaticSite "known": routes\[0\]\.domainName "https:\/\/abc\.lambda-url\.us-east-1\.on\.aws\/" is a URL/,
    );
  });
});
