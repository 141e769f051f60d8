/**
 * What CloudFront takes from a CloudFront Function's result. The disallowed and read-only headers are "Restrictions on
 * all edge functions, both CloudFront Functions and Lambda@Edge": a disallowed header is not shown and cannot be added,
 * a read-only one of the event type cannot be added or changed, else 502
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html#function-restrictions-headers);
 * the request's `method` "cannot" be modified, "the only read-only field in the request object"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html#functions-event-structure-request).
 */
import { describe, expect, it } from "vitest";
import { cloudFrontFunctionRunner, InvalidEdgeResult, type CloudFrontFunctionSandbox, type EdgeRequest, type EdgeResponse } from "../../local/edge-runtime";

type Event = { request: Record<string, any>; response?: Record<string, any> };

/** A runner whose function is `handler`, given the event as JSON (as the sandbox hands it over); `seen` holds the events. */
function runner(eventType: "viewer-request" | "viewer-response", handler: (event: Event) => unknown) {
  const seen: Event[] = [];
  const sandbox = {
    invoke: async <T,>(event: unknown) => {
      const copy = JSON.parse(JSON.stringify(event)) as Event;
      seen.push(copy);
      return handler(copy) as T;
    },
  } as unknown as CloudFrontFunctionSandbox;
  return { run: cloudFrontFunctionRunner(`site-${eventType}`, eventType, sandbox), seen };
}

const get = (headers: Record<string, string[]> = {}): EdgeRequest => ({
  method: "GET", uri: "/a", querystring: "", clientIp: "203.0.113.1", headers: { host: ["d111.cloudfront.net"], accept: ["*/*"], ...headers },
});

const ok = (headers: Record<string, string[]> = {}): EdgeResponse => ({ status: 200, headers: { "content-type": ["text/html"], ...headers }, body: Buffer.from("<p>a</p>") });

const onRequest = (handler: (event: Event) => unknown, request = get()) => runner("viewer-request", handler).run.onRequest(request, "d111.cloudfront.net");
const onResponse = (handler: (event: Event) => unknown, response = ok()) => runner("viewer-response", handler).run.onResponse(get(), response, "d111.cloudfront.net");

describe("CloudFront Functions: disallowed headers", () => {
  it("are not shown to the function, and still go on", async () => {
    const { run, seen } = runner("viewer-request", (event) => event.request);
    const outcome = await run.onRequest(get({ "x-amz-cf-id": ["abc"], "x-real-ip": ["10.0.0.1"] }), "d111.cloudfront.net");
    expect(Object.keys(seen[0].request.headers)).toEqual(["host", "accept"]);
    expect(outcome.request?.headers).toMatchObject({ "x-amz-cf-id": ["abc"], "x-real-ip": ["10.0.0.1"] });

    const response = runner("viewer-response", (event) => event.response);
    const changed = await response.run.onResponse(get(), ok({ "x-cache": ["Miss from cloudfront"] }), "d111.cloudfront.net");
    expect(Object.keys(response.seen[0].response?.headers)).toEqual(["content-type"]);
    expect(changed.headers["x-cache"]).toEqual(["Miss from cloudfront"]);
  });

  it("one a function adds to a request, a generated response or a changed response is a 502 validation error", async () => {
    await expect(onRequest((event) => ({ ...event.request, headers: { ...event.request.headers, "x-forwarded-proto": { value: "https" } } }))).rejects.toThrow(InvalidEdgeResult);
    await expect(onRequest(() => ({ statusCode: 302, headers: { location: { value: "/b" }, connection: { value: "close" } } }))).rejects.toThrow(/disallowed header connection/);
    await expect(onResponse((event) => ({ ...event.response, headers: { ...event.response?.headers, "x-edge-origin-shield-skipped": { value: "1" } } }))).rejects.toThrow(InvalidEdgeResult);
  });
});

describe("CloudFront Functions: read-only headers", () => {
  it("a viewer-request function that changes, adds or removes Host, Content-Length, Transfer-Encoding or Via is a 502", async () => {
    await expect(onRequest((event) => ({ ...event.request, headers: { ...event.request.headers, host: { value: "example.com" } } }))).rejects.toThrow(/header host, read-only in viewer-request/);
    await expect(onRequest((event) => ({ ...event.request, headers: { ...event.request.headers, via: { value: "1.1 proxy" } } }))).rejects.toThrow(InvalidEdgeResult);
    await expect(onRequest((event) => ({ ...event.request, headers: { accept: event.request.headers.accept } }))).rejects.toThrow(/header host/);
  });

  it("a viewer-response function that changes Warning or Via is a 502; Content-Length is its own there", async () => {
    await expect(onResponse((event) => ({ ...event.response, headers: { ...event.response?.headers, warning: { value: "199 - x" } } }))).rejects.toThrow(/header warning, read-only in viewer-response/);
    const changed = await onResponse((event) => ({ ...event.response, headers: { ...event.response?.headers, "content-length": { value: "3" } }, body: { encoding: "text", data: "abc" } }));
    expect(changed.headers["content-length"]).toEqual(["3"]);
  });

  it("a function that returns the request or response as it came, or changes other headers, goes on", async () => {
    const unchanged = await onRequest((event) => event.request, get({ "content-length": ["0"], via: ["1.1 a"] }));
    expect(unchanged.request?.headers).toEqual(get({ "content-length": ["0"], via: ["1.1 a"] }).headers);
    const other = await onRequest((event) => ({ ...event.request, headers: { ...event.request.headers, "x-variant": { value: "b" } } }));
    expect(other.request?.headers["x-variant"]).toEqual(["b"]);
    const response = await onResponse((event) => event.response, ok({ via: ["1.1 a"] }));
    expect(response.headers.via).toEqual(["1.1 a"]);
  });
});

describe("CloudFront Functions: the method is read-only", () => {
  it("a method the function set is not used", async () => {
    const outcome = await onRequest((event) => ({ ...event.request, method: "DELETE" }));
    expect(outcome.request?.method).toBe("GET");
  });
});

describe("CloudFront Functions: a viewer-response function's body", () => {
  // "If you don't specify the body field in your viewer response function, the original body returned by the CloudFront
  // cache or origin is returned to viewer" (functions-event-structure.html#functions-event-structure-response).
  it("replaces the origin's body when it sets one (data with text or base64 encoding, or a string), and keeps it otherwise", async () => {
    const text = await onResponse((event) => ({ ...event.response, body: { encoding: "text", data: "replaced" } }));
    expect(text.body?.toString()).toBe("replaced");
    const base64 = await onResponse((event) => ({ ...event.response, body: { encoding: "base64", data: Buffer.from("bytes").toString("base64") } }));
    expect(base64.body?.toString()).toBe("bytes");
    const shortcut = await onResponse((event) => ({ ...event.response, body: "plain" }));
    expect(shortcut.body?.toString()).toBe("plain");
    const emptied = await onResponse((event) => ({ ...event.response, body: "" }));
    expect(emptied.body?.length).toBe(0);
    const kept = await onResponse((event) => event.response);
    expect(kept.body?.toString()).toBe("<p>a</p>");
  });
});

describe("CloudFront Functions: a body that is not a string", () => {
  // `body.data` is "The body string" (functions-event-structure.html#functions-event-structure-response). Read as a
  // Buffer source instead, `{ length: 1e9 }` had the front door allocate and fill a gigabyte, holding every request.
  it("is a 502 validation error, for a generated response and a changed one", async () => {
    for (const data of [{ length: 4 }, [104, 105], 5]) {
      await expect(onRequest(() => ({ statusCode: 200, body: { encoding: "text", data } }))).rejects.toThrow(InvalidEdgeResult);
      await expect(onResponse((event) => ({ ...event.response, body: { encoding: "base64", data } }))).rejects.toThrow(/body\.data is not a string/);
    }
  });
});

describe("CloudFront Functions: base64 body data that is not base64", () => {
  // "If you specify encoding as base64 but the body is not valid base64, CloudFront returns an error"
  // (functions-event-structure.html#functions-event-structure-response).
  it("is a 502 validation error, for a generated response and a changed one", async () => {
    await expect(onRequest(() => ({ statusCode: 200, body: { encoding: "base64", data: "not base64!" } }))).rejects.toThrow(
      "site-viewer-request (viewer-request): Function validation error: body.encoding is base64 but body.data is not valid base64",
    );
    await expect(onResponse((event) => ({ ...event.response, body: { encoding: "base64", data: "YWJj=" } }))).rejects.toThrow(InvalidEdgeResult);
  });
});

describe("CloudFront Functions: duplicate headers, query strings and cookies (multiValue)", () => {
  // "If the multiValue array exists and has any modification, then that modification is applied. The first element in
  // the value property is ignored. Otherwise, any modification to the value property is applied, and subsequent values
  // (if they exist) remain unchanged." (functions-event-structure.html#functions-event-structure-multivalue)
  const duplicated = () => ({ ...get({ accept: ["a/1", "a/2", "a/3"], cookie: ["c=1; c=2"] }), querystring: "q=1&q=2" });

  it("a changed value alone replaces the first value; the others stay", async () => {
    const outcome = await onRequest((event) => {
      const { headers, querystring, cookies } = event.request;
      headers.accept.value = "b/1";
      querystring.q.value = "9";
      cookies.c.value = "8";
      return event.request;
    }, duplicated());
    expect(outcome.request?.headers.accept).toEqual(["b/1", "a/2", "a/3"]);
    expect(outcome.request?.querystring).toBe("q=9&q=2");
    expect(outcome.request?.headers.cookie).toEqual(["c=8; c=2"]);
  });

  it("a changed multiValue is applied, whatever value says; one left as it came keeps every value", async () => {
    const changed = await onRequest((event) => {
      event.request.headers.accept = { value: "ignored", multiValue: [{ value: "x/1" }, { value: "x/2" }] };
      return event.request;
    }, duplicated());
    expect(changed.request?.headers.accept).toEqual(["x/1", "x/2"]);
    const kept = await onRequest((event) => event.request, duplicated());
    expect(kept.request?.headers.accept).toEqual(["a/1", "a/2", "a/3"]);
  });

  it("the same rules on a viewer-response function's headers", async () => {
    const changed = await onResponse((event) => {
      event.response!.headers.link.value = "</c>";
      return event.response;
    }, ok({ link: ["</a>", "</b>"] }));
    expect(changed.headers.link).toEqual(["</c>", "</b>"]);
  });

  it("a response's Set-Cookie lines of one cookie name are shown in multiValue with their attributes, and all go on (functions-event-structure.html, Example event object)", async () => {
    const twoPaths = ok({ "set-cookie": ["s=1; Path=/a", "s=2; Path=/b", "t=3"] });
    const { run, seen } = runner("viewer-response", (event) => event.response);
    const kept = await run.onResponse(get(), twoPaths, "d111.cloudfront.net");
    expect(seen[0].response?.cookies).toEqual({
      s: { value: "1", attributes: "Path=/a", multiValue: [{ value: "1", attributes: "Path=/a" }, { value: "2", attributes: "Path=/b" }] },
      t: { value: "3", attributes: "" },
    });
    expect(kept.headers["set-cookie"]).toEqual(["s=1; Path=/a", "s=2; Path=/b", "t=3"]);

    const valueChanged = await onResponse((event) => {
      event.response!.cookies.s.value = "9";
      return event.response;
    }, twoPaths);
    expect(valueChanged.headers["set-cookie"]).toEqual(["s=9; Path=/a", "s=2; Path=/b", "t=3"]);
    const multiValueChanged = await onResponse((event) => {
      event.response!.cookies.s.multiValue = [{ value: "7", attributes: "Path=/c" }];
      return event.response;
    }, twoPaths);
    expect(multiValueChanged.headers["set-cookie"]).toEqual(["s=7; Path=/c", "t=3"]);
  });

  it("a multiValue that is not a list of { value } objects is a 502 validation error naming the field", async () => {
    for (const multiValue of ["a/1", [null], 3]) {
      await expect(onRequest((event) => ({ ...event.request, headers: { ...event.request.headers, accept: { value: "a", multiValue } } }), duplicated())).rejects.toThrow(
        "site-viewer-request (viewer-request): Function validation error: headers.accept.multiValue is not an array of { value } objects",
      );
    }
    await expect(onRequest((event) => ({ ...event.request, querystring: { q: { value: "1", multiValue: "12" } } }))).rejects.toThrow(/querystring\.q\.multiValue/);
  });
});

describe("CloudFront Functions: names a viewer or an origin chooses", () => {
  it("a query string, cookie or Set-Cookie named __proto__ is shown as any other name, and changes no object of the local runtime", async () => {
    const request = { ...get({ cookie: ["__proto__=c1; __proto__=c2"] }), querystring: "__proto__=q1&__proto__=q2" };
    const { run, seen } = runner("viewer-response", (event) => event.response);
    try {
      const changed = await run.onResponse(request, ok({ "set-cookie": ["__proto__=s1", "__proto__=s2"] }), "d111.cloudfront.net");
      expect(({} as Record<string, unknown>).multiValue).toBeUndefined();
      expect(seen[0].request.querystring).toEqual(JSON.parse('{"__proto__":{"value":"q1","multiValue":[{"value":"q1"},{"value":"q2"}]}}'));
      expect(seen[0].request.cookies).toEqual(JSON.parse('{"__proto__":{"value":"c1","multiValue":[{"value":"c1"},{"value":"c2"}]}}'));
      expect(changed.headers["set-cookie"]).toEqual(["__proto__=s1", "__proto__=s2"]);
    } finally {
      delete (Object.prototype as Record<string, unknown>).multiValue;
    }
  });
});
