/**
 * What CloudFront takes from a Lambda@Edge function's result: a replaced request body (Include Body), the read-only
 * fields it ignores, and the results it refuses with a Lambda validation error (502), disallowed and read-only headers.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html#request-event-fields-request
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html
 */
import { describe, expect, it } from "vitest";
import type { EdgeEventType } from "../../components/edge-logic/associations";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { InvalidEdgeResult, lambdaEdgeRunner, lambdaEvent, type EdgeRequest, type EdgeResponse } from "../../local/edge-runtime";

type Cf = { request: Record<string, any>; response?: Record<string, any> };

/** A runner whose function is `handler`, run on CloudFront's event; `seen` holds the events it got. */
function runner(eventType: EdgeEventType, handler: (cf: Cf) => unknown, includeBody = true) {
  const seen: Cf[] = [];
  const host = () => ({
    invoke: async <T,>(event: unknown) => {
      // The function gets JSON, as the Lambda runtime hands it over.
      const cf = JSON.parse(JSON.stringify(event)).Records[0].cf as Cf;
      seen.push(cf);
      return handler(cf) as T;
    },
  });
  return { run: lambdaEdgeRunner(`edge-${eventType}`, eventType, {} as LambdaFunctionSpec, host, includeBody), seen };
}

const post = (body: string, headers: Record<string, string[]> = {}): EdgeRequest => ({
  method: "POST", uri: "/form", querystring: "", clientIp: "203.0.113.1", body: Buffer.from(body),
  headers: { host: ["d111.cloudfront.net"], "content-type": ["text/plain"], "content-length": [String(Buffer.byteLength(body))], ...headers },
});

async function forwarded(eventType: "viewer-request" | "origin-request", request: EdgeRequest, handler: (cf: Cf) => unknown, includeBody = true): Promise<EdgeRequest> {
  const outcome = await runner(eventType, handler, includeBody).run.onRequest(request, "d111.cloudfront.net");
  if (!outcome.request) throw new Error("the function answered instead of forwarding");
  return outcome.request;
}

const replacing = (encoding: string | undefined, data: string) => ({ request }: Cf) => ({ ...request, body: { ...request.body, action: "replace", encoding, data } });

describe("Include Body: a replaced request body is what goes on to the origin", () => {
  it("replace with base64 data (the default encoding) and with text data; Content-Length follows the new body", async () => {
    const base64 = await forwarded("origin-request", post("name=a"), replacing(undefined, Buffer.from("name=replaced").toString("base64")));
    expect([base64.body?.toString(), base64.headers["content-length"]]).toEqual(["name=replaced", ["13"]]);
    const text = await forwarded("viewer-request", post("name=a"), replacing("text", "é"));
    expect([text.body?.toString(), text.headers["content-length"]]).toEqual(["é", ["2"]]);
  });

  it("read-only (the default) keeps the viewer's body, whatever the function put in data", async () => {
    const readOnly = await forwarded("origin-request", post("name=a"), ({ request }) => ({ ...request, body: { ...request.body, encoding: "text", data: "changed" } }));
    expect(readOnly.body?.toString()).toBe("name=a");
    const withoutBody = await forwarded("origin-request", post("name=a"), ({ request }) => ({ ...request, body: undefined }));
    expect(withoutBody.body?.toString()).toBe("name=a");
  });

  it("cuts a replaced body at 40 KB on viewer request and 1 MB on origin request, text or base64", async () => {
    const viewer = await forwarded("viewer-request", post("a"), replacing("text", "x".repeat(40 * 1024 + 10)));
    expect([viewer.body?.length, viewer.headers["content-length"]]).toEqual([40 * 1024, [String(40 * 1024)]]);
    const origin = await forwarded("origin-request", post("a"), replacing("base64", Buffer.alloc(1024 * 1024 + 3, 1).toString("base64")));
    expect(origin.body?.length).toBe(1024 * 1024);
  });

  it("refuses base64 data that is not base64, and an unknown action or encoding (502, naming the function)", async () => {
    for (const body of [{ action: "replace", encoding: "base64", data: "not base64!" }, { action: "swap", data: "" }, { action: "replace", encoding: "hex", data: "00" }]) {
      const refused = forwarded("origin-request", post("a"), ({ request }) => ({ ...request, body }));
      await expect(refused).rejects.toThrow(InvalidEdgeResult);
      await expect(refused).rejects.toThrow(/^edge-origin-request \(origin-request\): Lambda validation error: body/);
    }
  });

  it("a function without Include Body has no body to replace", async () => {
    const kept = await forwarded("origin-request", post("name=a"), replacing("text", "changed"), false);
    expect(kept.body?.toString()).toBe("name=a");
  });
});

describe("read-only request fields", () => {
  it("method and clientIp a function changes are not used", async () => {
    const request = await forwarded("viewer-request", post("a"), ({ request }) => ({ ...request, method: "DELETE", clientIp: "198.51.100.9" }));
    expect([request.method, request.clientIp]).toEqual(["POST", "203.0.113.1"]);
  });
});

describe("Lambda validation errors: disallowed and read-only headers", () => {
  const withHeader = (name: string, value: string | undefined) => ({ request }: Cf) => {
    const headers = { ...request.headers };
    if (value === undefined) delete headers[name];
    else headers[name] = [{ key: name, value }];
    return { ...request, headers };
  };

  it("a disallowed header is not shown to the function, and still goes on", async () => {
    const { run, seen } = runner("viewer-request", ({ request }) => request);
    const outcome = await run.onRequest(post("a", { connection: ["keep-alive"], "x-forwarded-proto": ["https"] }), "d111.cloudfront.net");
    expect(Object.keys(seen[0].request.headers)).not.toContain("connection");
    expect(outcome.request?.headers).toMatchObject({ connection: ["keep-alive"], "x-forwarded-proto": ["https"] });
  });

  it.each([
    ["viewer-request", "x-real-ip", "203.0.113.9"],
    ["origin-request", "x-amz-cf-id", "abc"],
    ["viewer-request", "x-edge-location", "LHR"],
    ["origin-request", "upgrade", "websocket"],
  ] as const)("%s: adding %s is refused", async (eventType, name, value) => {
    const refused = forwarded(eventType, post("a"), withHeader(name, value));
    await expect(refused).rejects.toThrow(InvalidEdgeResult);
    await expect(refused).rejects.toThrow(`edge-${eventType} (${eventType}): Lambda validation error: the function added the disallowed header ${name}`);
  });

  it.each([
    ["viewer-request", "host", "evil.example"],
    ["viewer-request", "via", "1.1 proxy"],
    ["viewer-request", "content-length", undefined],
    ["origin-request", "accept-encoding", "identity"],
    ["origin-request", "content-length", "999"],
    ["origin-request", "if-none-match", '"abc"'],
  ] as const)("%s: adding, changing or removing %s is refused", async (eventType, name, value) => {
    const refused = forwarded(eventType, post("a", { "accept-encoding": ["gzip"] }), withHeader(name, value));
    await expect(refused).rejects.toThrow(`edge-${eventType} (${eventType}): Lambda validation error: the function added, changed or removed the header ${name}, read-only in ${eventType} events`);
  });

  it("a viewer-request function may not add CloudFront-Viewer-Country; one the viewer sent may go on, and origin request may add it", async () => {
    // "If a viewer request function adds this header, it fails validation and CloudFront returns HTTP status code 502"
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-cloudfront-headers)
    await expect(forwarded("viewer-request", post("a"), withHeader("cloudfront-viewer-country", "GB"))).rejects.toThrow(
      "edge-viewer-request (viewer-request): Lambda validation error: the function added the header cloudfront-viewer-country",
    );
    expect((await forwarded("viewer-request", post("a", { "cloudfront-viewer-country": ["GB"] }), ({ request }) => request)).headers["cloudfront-viewer-country"]).toEqual(["GB"]);
    expect((await forwarded("origin-request", post("a"), withHeader("cloudfront-viewer-country", "GB"))).headers["cloudfront-viewer-country"]).toEqual(["GB"]);
  });

  it("a request returned as it came, its header names in another case and order, goes on", async () => {
    const request = await forwarded("viewer-request", post("a", { via: ["1.1 a"] }), ({ request }) => ({
      ...request,
      headers: Object.fromEntries(Object.entries(request.headers).reverse().map(([name, values]) => [name.toUpperCase(), values])),
    }));
    expect(request.headers).toEqual(post("a", { via: ["1.1 a"] }).headers);
  });

  it("headers read-only elsewhere may change: Host on origin request, Accept-Encoding on viewer request", async () => {
    expect((await forwarded("origin-request", post("a"), withHeader("host", "origin.example"))).headers.host).toEqual(["origin.example"]);
    expect((await forwarded("viewer-request", post("a"), withHeader("accept-encoding", "br"))).headers["accept-encoding"]).toEqual(["br"]);
  });

  it("a generated response may not carry a disallowed header", async () => {
    const { run } = runner("viewer-request", () => ({ status: "200", headers: { "x-cache": [{ key: "X-Cache", value: "Hit" }] } }));
    await expect(run.onRequest(post("a"), "d111.cloudfront.net")).rejects.toThrow("the function added the disallowed header x-cache");
  });

  it("response events: Via and Warning are read-only on viewer response, Transfer-Encoding on origin response", async () => {
    const response: EdgeResponse = { status: 200, headers: { "content-type": ["text/html"] }, body: Buffer.from("<p>") };
    const adding = (name: string) => ({ response }: Cf) => ({ ...response, headers: { ...response!.headers, [name]: [{ key: name, value: "x" }] } });
    for (const [eventType, name] of [["viewer-response", "warning"], ["viewer-response", "via"], ["origin-response", "transfer-encoding"]] as const) {
      await expect(runner(eventType, adding(name)).run.onResponse(post("a"), response, "d111.cloudfront.net")).rejects.toThrow(`the header ${name}, read-only in ${eventType} events`);
    }
    const changed = await runner("origin-response", adding("x-robots-tag")).run.onResponse(post("a"), response, "d111.cloudfront.net");
    expect([changed.headers["x-robots-tag"], changed.body?.toString()]).toEqual([["x"], "<p>"]);
  });
});

describe("header keys", () => {
  it("are the names as the viewer spelled them; a name CloudFront has no spelling for is capitalised", () => {
    const request = { ...post("a", { "x-custom-thing": ["1"] }), headerNames: { "x-custom-thing": "x-Custom-THING", host: "host" } };
    const headers = (lambdaEvent("viewer-request", request, undefined, "d111.cloudfront.net", false).Records[0].cf.request as { headers: Record<string, Array<{ key: string }>> }).headers;
    expect([headers["x-custom-thing"][0].key, headers.host[0].key, headers["content-type"][0].key]).toEqual(["x-Custom-THING", "host", "Content-Type"]);
  });
});

describe("a result CloudFront cannot read", () => {
  it("is a Lambda validation error naming the function (502), not a bare TypeError, when its headers are not lists", async () => {
    const malformed = runner("origin-request", ({ request }) => ({ ...request, headers: { ...request.headers, "x-trace": "not a list" } }));
    const refused = await malformed.run.onRequest(post("a"), "d111.cloudfront.net").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidEdgeResult);
    expect((refused as Error).message).toMatch(/^edge-origin-request \(origin-request\): Lambda validation error: the result could not be read: TypeError: /);
  });
});

describe("a response a function returns", () => {
  const generating = (response: Record<string, unknown>) => () => ({ status: "200", headers: { "content-type": [{ key: "Content-Type", value: "text/plain" }] }, ...response });

  it("with bodyEncoding base64 and a body that is not base64 is a Lambda validation error (502), generated or changed", async () => {
    // "If you specify bodyEncoding as base64 but the body is not valid base64, CloudFront returns an error"
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-generating-http-responses.html#lambda-generating-http-responses-in-requests)
    const generated = runner("viewer-request", generating({ body: "not base64!", bodyEncoding: "base64" })).run.onRequest(post("a"), "d111.cloudfront.net");
    await expect(generated).rejects.toThrow("edge-viewer-request (viewer-request): Lambda validation error: bodyEncoding is base64 but body is not valid base64");
    const origin: EdgeResponse = { status: 200, headers: {}, body: Buffer.from("<p>") };
    const changed = runner("origin-response", ({ response }) => ({ ...response, body: "YQ", bodyEncoding: "base64" })).run.onResponse(post("a"), origin, "d111.cloudfront.net");
    await expect(changed).rejects.toThrow(InvalidEdgeResult);
    const valid = await runner("viewer-request", generating({ body: Buffer.from("ok").toString("base64"), bodyEncoding: "base64" })).run.onRequest(post("a"), "d111.cloudfront.net");
    expect(valid.response?.body?.toString()).toBe("ok");
  });

  it("generated at viewer request over 40 KB, or at origin request over 1 MB, headers and body, is a Lambda validation error (502)", async () => {
    // "Viewer request events – 40 KB; Origin request events – 1 MB. If the response is larger than the allowed size,
    // CloudFront returns an HTTP 502" (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-generating-http-responses.html#lambda-generating-http-responses-errors)
    const header = "Content-Type: text/plain\r\n".length;
    const fits = await runner("viewer-request", generating({ body: "x".repeat(40 * 1024 - header) })).run.onRequest(post("a"), "d111.cloudfront.net");
    expect(fits.response?.body?.length).toBe(40 * 1024 - header);
    const over = runner("viewer-request", generating({ body: "x".repeat(40 * 1024 - header + 1) })).run.onRequest(post("a"), "d111.cloudfront.net");
    await expect(over).rejects.toThrow(`edge-viewer-request (viewer-request): Lambda validation error: the response the function returned is ${40 * 1024 + 1} bytes (headers and body), over Lambda@Edge's 40 KB for viewer-request events`);
    const originFits = await runner("origin-request", generating({ body: "x".repeat(500 * 1024) })).run.onRequest(post("a"), "d111.cloudfront.net");
    expect(originFits.response?.status).toBe(200);
    const originOver = runner("origin-request", generating({ body: Buffer.alloc(800 * 1024).toString("base64"), bodyEncoding: "base64" })).run.onRequest(post("a"), "d111.cloudfront.net");
    await expect(originOver).rejects.toThrow(/over Lambda@Edge's 1 MB for origin-request events/);
  });

  it("returned at a response event is not held to the generated-response size, the origin's own or the function's", async () => {
    // The limit is stated for responses generated in request triggers; one updating the origin's response is not one.
    const big: EdgeResponse = { status: 200, headers: { "x-big": ["y".repeat(64 * 1024)] }, body: Buffer.alloc(2 * 1024 * 1024) };
    const passed = await runner("origin-response", ({ response }) => response).run.onResponse(post("a"), big, "d111.cloudfront.net");
    expect(passed.body?.length).toBe(2 * 1024 * 1024);
    expect(passed.headers["x-big"]).toEqual(["y".repeat(64 * 1024)]);
    const origin: EdgeResponse = { status: 200, headers: {}, body: Buffer.from("<p>") };
    const replaced = await runner("viewer-response", ({ response }) => ({ ...response, body: "x".repeat(41 * 1024) })).run.onResponse(post("a"), origin, "d111.cloudfront.net");
    expect(replaced.body?.length).toBe(41 * 1024);
  });
});

describe("a header entry whose key names another header", () => {
  // `key` "contains the case-sensitive name of the header" under whose lower-case name the entry is listed
  // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html#request-event-fields-request)
  it("is a Lambda validation error (502), in a request or a response; another case of the same name is that header", async () => {
    const stray = forwarded("origin-request", post("a"), ({ request }) => ({ ...request, headers: { ...request.headers, "x-a": [{ key: "X-B", value: "1" }] } }));
    await expect(stray).rejects.toThrow('edge-origin-request (origin-request): Lambda validation error: the header list x-a holds an entry whose key is "X-B", another header\'s name');
    const generated = runner("viewer-request", () => ({ status: "302", headers: { location: [{ key: "Refresh", value: "/b" }] } })).run.onRequest(post("a"), "d111.cloudfront.net");
    await expect(generated).rejects.toThrow(InvalidEdgeResult);
    const sameName = await forwarded("origin-request", post("a"), ({ request }) => ({ ...request, headers: { ...request.headers, "x-a": [{ key: "X-a", value: "1" }] } }));
    expect(sameName.headers["x-a"]).toEqual(["1"]);
  });
});

describe("what the local runtime tells the user of a request result", () => {
  function logged(eventType: "viewer-request" | "origin-request", handler: (cf: Cf) => unknown) {
    const warnings: string[] = [];
    const host = () => ({ invoke: async <T,>(event: unknown) => handler(JSON.parse(JSON.stringify(event)).Records[0].cf as Cf) as T });
    const run = lambdaEdgeRunner(`edge-${eventType}`, eventType, {} as LambdaFunctionSpec, host, true, (message) => warnings.push(message));
    return { run, warnings };
  }

  it("a replaced body CloudFront cuts is logged with its size and the limit; one within the limit is not", async () => {
    const cut = logged("viewer-request", replacing("text", "x".repeat(40 * 1024 + 10)));
    // Logged once per function, not on every request it cuts.
    await cut.run.onRequest(post("a"), "d111.cloudfront.net");
    await cut.run.onRequest(post("a"), "d111.cloudfront.net");
    expect(cut.warnings).toEqual([
      `Lambda@Edge edge-viewer-request (viewer-request): the body it replaced is ${40 * 1024 + 10} bytes; CloudFront truncates a replaced body at 40 KB in viewer-request events, so the origin gets its first ${40 * 1024} bytes (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-request-body)`,
    ]);
    const whole = logged("origin-request", replacing("text", "x".repeat(40 * 1024 + 10)));
    await whole.run.onRequest(post("a"), "d111.cloudfront.net");
    expect(whole.warnings).toEqual([]);
  });

  it("an origin an origin-request function changed is logged as not emulated; one returned as shown is not", async () => {
    const custom = { domainName: "example.com", port: 443, protocol: "https", path: "", sslProtocols: ["TLSv1.2"], readTimeout: 5, keepaliveTimeout: 5, customHeaders: {} };
    const changed = logged("origin-request", ({ request }) => ({ ...request, origin: { custom } }));
    const outcome = await changed.run.onRequest(post("a"), "d111.cloudfront.net");
    expect(outcome.request?.uri).toBe("/form");
    expect(changed.warnings).toEqual([
      `Lambda@Edge edge-origin-request (origin-request): it changed the request's origin to ${JSON.stringify({ custom })}, which the local runtime does not emulate: the request goes to the behaviour's own origin, as it would without the change`,
    ]);
    const kept = logged("origin-request", ({ request }) => request);
    await kept.run.onRequest(post("a"), "d111.cloudfront.net");
    expect(kept.warnings).toEqual([]);
  });

  it("an origin change is logged once per function and origin, not on every request", async () => {
    const toHost = (domainName: string) => ({ s3: { authMethod: "none", customHeaders: {}, domainName, path: "" } });
    const changed = logged("origin-request", ({ request }) => ({ ...request, origin: toHost(request.uri === "/b" ? "b.example" : "a.example") }));
    for (const uri of ["/a", "/a", "/b", "/a", "/b"]) await changed.run.onRequest({ ...post("a"), uri }, "d111.cloudfront.net");
    expect(changed.warnings).toHaveLength(2);
    expect(changed.warnings[0]).toContain('"domainName":"a.example"');
    expect(changed.warnings[1]).toContain('"domainName":"b.example"');
  });
});
