/**
 * A recording stand-in for CloudFront's API on loopback: answers CreateInvalidation
 * (and GetInvalidation) the way CloudFront does and remembers every batch, so
 * tests and benchmarks can assert exactly which paths a publish invalidated.
 * Point `@aws-sdk/client-cloudfront` at `endpoint`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http";

export interface RecordedInvalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
}

export interface CloudFrontStub {
  endpoint: string;
  invalidations: RecordedInvalidation[];
  /** Every invalidated path across batches. */
  paths(): string[];
  /** Answer CreateInvalidation with 403 AccessDenied (not retried) while true. */
  failing: boolean;
  reset(): void;
  close(): Promise<void>;
}

export async function startCloudFrontStub(): Promise<CloudFrontStub> {
  const invalidations: RecordedInvalidation[] = [];
  const stub: CloudFrontStub = {
    endpoint: "",
    invalidations,
    paths: () => invalidations.flatMap((i) => i.paths),
    failing: false,
    reset: () => void (invalidations.length = 0),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer(async (req, res): Promise<void> => {
    const body = (await readBody(req)).toString("utf8");
    const match = /^\/[\d-]+\/distribution\/([^/]+)\/invalidation(?:\/([^/?]+))?/.exec(req.url ?? "");
    if (!match) {
      res.writeHead(404, { "content-type": "text/xml" });
      return void res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>${req.method} ${req.url} is not supported by the stub</Message></Error></ErrorResponse>`);
    }
    const [, distributionId, invalidationId] = match;
    if (req.method === "POST") {
      if (stub.failing) {
        res.writeHead(403, { "content-type": "text/xml" });
        return void res.end("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Injected failure</Message></Error></ErrorResponse>");
      }
      const paths = [...body.matchAll(/<Path>([\s\S]*?)<\/Path>/g)].map((m) => m[1].replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
      const callerReference = /<CallerReference>([\s\S]*?)<\/CallerReference>/.exec(body)?.[1] ?? "";
      const recorded = { id: `I${String(invalidations.length + 1).padStart(13, "0")}`, distributionId, callerReference, paths };
      invalidations.push(recorded);
      res.writeHead(201, { "content-type": "text/xml", location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distributionId}/invalidation/${recorded.id}` });
      return void res.end(invalidationXml(recorded, "InProgress"));
    }
    const found = invalidations.find((i) => i.id === invalidationId && i.distributionId === distributionId);
    if (req.method === "GET" && found) {
      res.writeHead(200, { "content-type": "text/xml" });
      return void res.end(invalidationXml(found, "Completed"));
    }
    res.writeHead(404, { "content-type": "text/xml" });
    res.end("<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchInvalidation</Code><Message>not found</Message></Error></ErrorResponse>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}

function invalidationXml(invalidation: RecordedInvalidation, status: string): string {
  const items = invalidation.paths.map((p) => `<Path>${p.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Path>`).join("");
  return `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${invalidation.id}</Id><Status>${status}</Status><CreateTime>${new Date().toISOString()}</CreateTime><InvalidationBatch><Paths><Quantity>${invalidation.paths.length}</Quantity><Items>${items}</Items></Paths><CallerReference>${invalidation.callerReference}</CallerReference></InvalidationBatch></Invalidation>`;
}
