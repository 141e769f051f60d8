/**
 * The CloudFront stub the publisher tests call (local/cloudfront-stub.ts), read by @aws-sdk/client-cloudfront: what
 * it was sent comes back as sent, XML's special characters included (local/xml.ts escapeXml, xmlValues).
 */
import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } from "@aws-sdk/client-cloudfront";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCloudFrontStub, type CloudFrontStub } from "../../local/cloudfront-stub";

describe("the CloudFront stub", () => {
  let stub: CloudFrontStub;
  let client: CloudFrontClient;
  beforeAll(async () => {
    stub = await startCloudFrontStub();
    client = new CloudFrontClient({ endpoint: stub.endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDSTUB", secretAccessKey: "stub" } });
  });
  afterAll(async () => {
    client.destroy();
    await stub.close();
  });

  it("records and answers paths and a caller reference holding &, <, >, quotes, &amp; and a carriage return as they were sent", async () => {
    const paths = [`/a&b<c>.html`, `/it's "quoted".html`, "/&amp;.html"];
    // A carriage return comes back only escaped (&#13;): an XML parser reads a literal one as a line feed.
    const CallerReference = `ref &amp; <1> "it's"\r\nnext`;
    const created = await client.send(new CreateInvalidationCommand({ DistributionId: "E1STUB", InvalidationBatch: { CallerReference, Paths: { Quantity: paths.length, Items: paths } } }));
    expect(created.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(paths);
    expect(created.Invalidation?.InvalidationBatch?.CallerReference).toBe(CallerReference);
    expect(stub.invalidations.map((i) => [i.paths, i.callerReference])).toEqual([[paths, CallerReference]]);
    const read = await client.send(new GetInvalidationCommand({ DistributionId: "E1STUB", Id: created.Invalidation!.Id! }));
    expect(read.Invalidation?.InvalidationBatch).toEqual({ CallerReference, Paths: { Quantity: paths.length, Items: paths } });
  });

  it("answers a character reference XML does not allow with 400 InvalidArgument, and keeps serving (it was an unhandled rejection)", async () => {
    const body = "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a&#x110000;</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch>";
    const answer = await fetch(`${stub.endpoint}/2020-05-31/distribution/E1STUB/invalidation`, { method: "POST", body });
    expect([answer.status, await answer.text()]).toEqual([400, expect.stringContaining("<Code>InvalidArgument</Code>")]);
    const listed = await fetch(`${stub.endpoint}/2020-05-31/distribution/E1STUB/invalidation`);
    expect(listed.status).toBe(200);
  });
});
