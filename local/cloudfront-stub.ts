/**
 * A recording stand-in for CloudFront's invalidation API on loopback: answers CreateInvalidation,
 * GetInvalidation and ListInvalidations the way CloudFront does and remembers every batch, so
 * tests and benchmarks can assert exactly which paths a publish invalidated.
 * Point `@aws-sdk/client-cloudfront` at `endpoint`.
 *
 * Invalidations the publisher creates complete at once. `holdInProgress` adds one that stays
 * in progress (another deploy's), and CreateInvalidation then enforces CloudFront's quotas on
 * what is in progress per distribution, "File invalidation: maximum number of files allowed in
 * active invalidation requests, excluding wildcard invalidations: 3,000" and "maximum number of
 * active wildcard invalidations allowed: 15"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-invalidations),
 * answering TooManyInvalidationsInProgress as CloudFront does.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CLOUDFRONT_IN_PROGRESS_QUOTAS, countInvalidationPaths } from "../components/static-site/publisher/invalidation";
import { MAX_URL_BYTES } from "./front-door";
import { readBody } from "./http";
import { escapeXml, MalformedXml, xmlValues } from "./xml";

export interface RecordedInvalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
}

export interface CloudFrontStub {
  endpoint: string;
  /** Every batch CloudFront accepted (held ones included), oldest first. */
  invalidations: RecordedInvalidation[];
  /** Every invalidated path across batches. */
  paths(): string[];
  /** Every request answered, by operation (CreateInvalidation, GetInvalidation, ListInvalidations), oldest first. */
  requests: string[];
  /** Answer CreateInvalidation with 403 AccessDenied (not retried) while true. */
  failing: boolean;
  /** CreateInvalidation requests refused with TooManyInvalidationsInProgress so far. */
  refused: number;
  /**
   * Puts an invalidation of `paths` in progress on `distributionId`, as another deploy would have: it counts against
   * the quotas until it completes, after answering `completeAfterPolls` GetInvalidation requests with InProgress
   * (never, when undefined).
   */
  holdInProgress(distributionId: string, paths: string[], options?: { completeAfterPolls?: number }): RecordedInvalidation;
  reset(): void;
  close(): Promise<void>;
}

export async function startCloudFrontStub(): Promise<CloudFrontStub> {
  const invalidations: RecordedInvalidation[] = [];
  /** Held invalidations by id: GetInvalidation answers before they complete (Infinity: never). */
  const pollsLeft = new Map<string, number>();
  const inProgress = (i: RecordedInvalidation) => (pollsLeft.get(i.id) ?? 0) > 0;
  const nextId = () => `I${String(invalidations.length + 1).padStart(13, "0")}`;
  const stub: CloudFrontStub = {
    endpoint: "",
    invalidations,
    paths: () => invalidations.flatMap((i) => i.paths),
    requests: [],
    failing: false,
    refused: 0,
    holdInProgress(distributionId, paths, options = {}) {
      const held = { id: nextId(), distributionId, callerReference: `held-${invalidations.length + 1}`, paths };
      invalidations.push(held);
      pollsLeft.set(held.id, options.completeAfterPolls ?? Infinity);
      return held;
    },
    reset: () => {
      invalidations.length = 0;
      pollsLeft.clear();
      stub.requests.length = 0;
      stub.refused = 0;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer(async (req, res): Promise<void> => {
    const read = await readBody(req, LARGEST_REQUEST_BYTES, { answerEarly: true });
    if (read.length > LARGEST_REQUEST_BYTES) return error(res, 413, "RequestEntityTooLarge", `The request is larger than ${LARGEST_REQUEST_BYTES} bytes`);
    const body = read.toString("utf8");
    const match = /^\/[\d-]+\/distribution\/([^/]+)\/invalidation(?:\/([^/?]+))?/.exec(req.url ?? "");
    if (!match) return error(res, 404, "NotFound", `${req.method} ${req.url} is not supported by the stub`);
    const [, distributionId, invalidationId] = match;
    stub.requests.push(req.method === "POST" ? "CreateInvalidation" : invalidationId ? "GetInvalidation" : "ListInvalidations");
    if (req.method === "POST") {
      if (stub.failing) return error(res, 403, "AccessDenied", "Injected failure");
      let paths: string[];
      let callerReference: string;
      try {
        paths = xmlValues(body, "Path");
        callerReference = xmlValues(body, "CallerReference")[0] ?? "";
      } catch (refusal) {
        // CreateInvalidation lists InvalidArgument for a request it cannot take; its code for unreadable XML is not confirmed.
        if (refusal instanceof MalformedXml) return error(res, 400, "InvalidArgument", refusal.message);
        throw refusal;
      }
      // The quotas count every path in progress on the distribution with the new batch's: the publisher's own numbers.
      const counted = countInvalidationPaths([...invalidations.filter((i) => i.distributionId === distributionId && inProgress(i)).flatMap((i) => i.paths), ...paths]);
      if (counted.files > CLOUDFRONT_IN_PROGRESS_QUOTAS.files || counted.wildcards > CLOUDFRONT_IN_PROGRESS_QUOTAS.wildcards) {
        stub.refused += 1;
        return error(res, 400, "TooManyInvalidationsInProgress", "Your request contains too many invalidations.");
      }
      const recorded = { id: nextId(), distributionId, callerReference, paths };
      invalidations.push(recorded);
      res.writeHead(201, { "content-type": "text/xml", location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distributionId}/invalidation/${recorded.id}` });
      return void res.end(invalidationXml(recorded, "InProgress"));
    }
    if (req.method === "GET" && !invalidationId) {
      // Most recent first, as CloudFront lists them; one page.
      const items = invalidations.filter((i) => i.distributionId === distributionId).reverse();
      const summaries = items.map((i) => `<InvalidationSummary><Id>${i.id}</Id><CreateTime>${new Date().toISOString()}</CreateTime><Status>${inProgress(i) ? "InProgress" : "Completed"}</Status></InvalidationSummary>`).join("");
      res.writeHead(200, { "content-type": "text/xml" });
      return void res.end(`<?xml version="1.0"?><InvalidationList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>${items.length}</Quantity><Items>${summaries}</Items></InvalidationList>`);
    }
    const found = invalidations.find((i) => i.id === invalidationId && i.distributionId === distributionId);
    if (req.method === "GET" && found) {
      const status = inProgress(found) ? "InProgress" : "Completed";
      if (status === "InProgress") pollsLeft.set(found.id, pollsLeft.get(found.id)! - 1);
      res.writeHead(200, { "content-type": "text/xml" });
      return void res.end(invalidationXml(found, status));
    }
    error(res, 404, "NoSuchInvalidation", "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}

/**
 * The largest request body read, as the other local servers bound theirs: past it, 413 RequestEntityTooLarge, read no
 * further. Above any batch within the quotas the stub enforces (CLOUDFRONT_IN_PROGRESS_QUOTAS paths, each no longer than
 * CloudFront's MAX_URL_BYTES, in its `<Path>` element), with 64 KiB for the envelope. CloudFront documents no body
 * limit of CreateInvalidation (not confirmed).
 */
const LARGEST_REQUEST_BYTES = (CLOUDFRONT_IN_PROGRESS_QUOTAS.files + CLOUDFRONT_IN_PROGRESS_QUOTAS.wildcards) * (MAX_URL_BYTES + "<Path></Path>".length) + 64 * 1024;

function error(res: import("node:http").ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "text/xml" });
  res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></ErrorResponse>`);
}

function invalidationXml(invalidation: RecordedInvalidation, status: string): string {
  const items = invalidation.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join("");
  return `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${invalidation.id}</Id><Status>${status}</Status><CreateTime>${new Date().toISOString()}</CreateTime><InvalidationBatch><Paths><Quantity>${invalidation.paths.length}</Quantity><Items>${items}</Items></Paths><CallerReference>${escapeXml(invalidation.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`;
}
