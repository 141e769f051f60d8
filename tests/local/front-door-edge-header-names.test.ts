/**
 * The front door writes the headers of a response an edge function returned as CloudFront spells them: a CloudFront
 * Function's capitalised word by word ("When CloudFront Functions converts the event object back into an HTTP response,
 * the first letter of each word in header names is capitalized",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html#functions-event-structure-response),
 * a Lambda@Edge function's as its `key` spells them (key "contains the case-sensitive name of the header",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { normalise } from "../../components/static-site/spec";
import { cloudFrontFunctionRunner, lambdaEdgeRunner, type BehaviourRunners, type CloudFrontFunctionSandbox } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";
import { openDoor, type OpenDoor } from "../harness/front-door";

/** A CloudFront Function that answers every viewer request itself. */
const generatingFunction = {
  invoke: async () => ({ statusCode: 200, headers: { "x-frame-check": { value: "1" }, "content-type": { value: "text/plain" } }, cookies: { a: { value: "1" } }, body: "fn" }),
} as unknown as CloudFrontFunctionSandbox;

/** A Lambda@Edge function that answers every viewer request itself, one key spelt as written, one left out. */
const generatingLambda = () => ({
  invoke: async <T,>() => ({ status: "200", headers: { "x-request-id": [{ key: "x-Request-ID", value: "7" }], "x-plain": [{ value: "2" }] }, body: "lambda" }) as T,
});

/** The keys of the response headers each origin-response event showed. */
const originResponseKeys: string[][] = [];
/** A Lambda@Edge origin-response function that returns the response as it came. */
const passingLambda = () => ({
  invoke: async <T,>(event: unknown) => {
    const response = (event as { Records: Array<{ cf: { response: { headers: Record<string, Array<{ key: string }>> } } }> }).Records[0].cf.response;
    originResponseKeys.push(Object.values(response.headers).flatMap((entries) => entries.map((entry) => entry.key)));
    return response as T;
  },
});

const byPattern: Record<string, BehaviourRunners> = {
  default: { "origin-response": lambdaEdgeRunner("site-default", "origin-response", {} as LambdaFunctionSpec, passingLambda, false) },
  "/origin/*": { "origin-response": lambdaEdgeRunner("site-origin", "origin-response", {} as LambdaFunctionSpec, passingLambda, false) },
  "/fn/*": { "viewer-request": cloudFrontFunctionRunner("site-fn", "viewer-request", generatingFunction) },
  "/lambda/*": { "viewer-request": lambdaEdgeRunner("site-lambda", "viewer-request", {} as LambdaFunctionSpec, generatingLambda, false) },
};

let door: OpenDoor;
beforeAll(async () => {
  const spec = { ...normalise("names", { path: "site/dist", routes: [
    { pathPattern: "/fn/*", originId: "api", domainName: "api.example.com" },
    { pathPattern: "/lambda/*", originId: "api", domainName: "api.example.com" },
    { pathPattern: "/origin/*", originId: "api", domainName: "api.example.com" },
  ] }), edge: [] };
  // The origin spells its headers its own way (setHeader keeps the name as given).
  const api = (_request: IncomingMessage, response: ServerResponse) => {
    response.setHeader("ETag", '"1"');
    response.setHeader("x-Amz-Thing", "t");
    // A disallowed header: kept from Lambda@Edge's event, and put back after it as it was.
    response.setHeader("X-Accel-Buffering", "no");
    response.end("api");
  };
  door = await openDoor(createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => byPattern[pattern] ?? {} }, log: () => {} }));
});
afterAll(() => door.close());

/** The header names of a GET's response as they came over the wire. */
function rawNames(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    httpRequest(`${door.base}${path}`, (response) => {
      response.resume();
      response.on("end", () => resolve(response.rawHeaders.filter((_, i) => i % 2 === 0)));
      response.on("error", reject);
    }).on("error", reject).end();
  });
}

describe("front door: header names of a response an edge function returned", () => {
  it("a CloudFront Function's are capitalised word by word, Set-Cookie included", async () => {
    expect(await rawNames("/fn/a")).toEqual(expect.arrayContaining(["X-Frame-Check", "Content-Type", "Set-Cookie"]));
  });

  it("a Lambda@Edge function's are spelt as its keys, capitalised where it gave none", async () => {
    expect(await rawNames("/lambda/a")).toEqual(expect.arrayContaining(["x-Request-ID", "X-Plain"]));
  });

  it("a Lambda@Edge response event's keys, and the viewer's response, keep the origin's spelling", async () => {
    originResponseKeys.length = 0;
    const names = await rawNames("/origin/a");
    expect(originResponseKeys[0]).toEqual(expect.arrayContaining(["ETag", "x-Amz-Thing"]));
    expect(names).toEqual(expect.arrayContaining(["ETag", "x-Amz-Thing", "X-Accel-Buffering"]));
    expect(originResponseKeys[0]).not.toContain("X-Accel-Buffering");
  });

  it("the site origin's are spelt as S3 spells them, in a Lambda@Edge origin-response event's keys and to the viewer", async () => {
    // S3's response headers: ETag, Last-Modified, Content-Type, Cache-Control, Accept-Ranges
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_ResponseSyntax)
    originResponseKeys.length = 0;
    const names = await rawNames("/about.html");
    const s3Names = ["ETag", "Last-Modified", "Content-Type", "Cache-Control", "Accept-Ranges"];
    expect(originResponseKeys[0]).toEqual(expect.arrayContaining(s3Names));
    expect(names).toEqual(expect.arrayContaining(s3Names));
  });
});
