/**
 * The HTTP API's payload format 2.0 built from the gateway's REST event: "Duplicate headers are combined with commas
 * and included in the headers field" and "All cookie headers in the request are combined with commas and added to the
 * cookies field" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import type { RouteSpec } from "../../components/serverless-api/spec";
import { fromHttpApiResult, toHttpApiEvent } from "../../local/http-api-event";

const route = { method: "GET", fullPath: "/api/items" } as RouteSpec;

/** The header lines of a request as Node's rawHeaders has them, in the order they arrived: name, value, name, value. */
const rawHeaders = (lines: Array<[string, string]>): string[] => lines.flat();

/** The REST event the local gateway builds: multiValueHeaders keyed by each header line's name as the client spelt it. */
function restEvent(multiValueHeaders: Record<string, string[]>): APIGatewayProxyEvent {
  return {
    resource: "/api/items",
    path: "/api/items",
    httpMethod: "GET",
    headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1)!])),
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { accountId: "123456789012", apiId: "api", stage: "$default", requestId: "r", requestTimeEpoch: 0, protocol: "HTTP/1.1", identity: { sourceIp: "127.0.0.1", userAgent: "t" } },
  } as unknown as APIGatewayProxyEvent;
}

describe("HTTP API payload 2.0", () => {
  it("combines a header sent on several lines with commas in the order they arrived, whatever case each line spelt its name in", () => {
    const lines: Array<[string, string]> = [["X-Trace", "a"], ["Accept", "text/html"], ["x-trace", "b"], ["X-Trace", "c"], ["X-TRACE", "d"]];
    const grouped = { "X-Trace": ["a", "c"], Accept: ["text/html"], "x-trace": ["b"], "X-TRACE": ["d"] };
    const event = toHttpApiEvent(restEvent(grouped), route, "", rawHeaders(lines));
    // Before the fix the lines were read from multiValueHeaders, grouped by spelling: "a,c,b,d".
    expect(event.headers).toEqual({ "x-trace": "a,b,c,d", accept: "text/html" });
  });

  it("gives every cookie of every Cookie header its own entry in cookies, in the order they arrived, and no cookie header", () => {
    const lines: Array<[string, string]> = [["Cookie", "a=1; b=2"], ["cookie", "c=3"], ["Cookie", "d=4"]];
    const event = toHttpApiEvent(restEvent({ Cookie: ["a=1; b=2", "d=4"], cookie: ["c=3"] }), route, "", rawHeaders(lines));
    expect(event.cookies).toEqual(["a=1", "b=2", "c=3", "d=4"]);
    expect(event.headers.cookie).toBeUndefined();
  });

  it("takes a header named __proto__ as a header like any other", () => {
    const event = toHttpApiEvent(restEvent({}), route, "", rawHeaders([["__proto__", "x"], ["__Proto__", "y"]]));
    expect(Object.entries(event.headers)).toEqual([["__proto__", "x,y"]]);
  });

  it("writes requestContext.time as API Gateway does (\"12/Mar/2020:19:03:58 +0000\"), in UTC", () => {
    const event = toHttpApiEvent({ ...restEvent({}), requestContext: { ...restEvent({}).requestContext, requestTimeEpoch: Date.UTC(2020, 2, 2, 9, 3, 58) } }, route, "", []);
    expect(event.requestContext).toMatchObject({ time: "02/Mar/2020:09:03:58 +0000", timeEpoch: Date.UTC(2020, 2, 2, 9, 3, 58) });
  });
});

describe("a 2.0 result as API Gateway reads it", () => {
  // The format's headers are an object ("headers": { "headername": "headervalue", ... }); a result of another shape is
  // malformed, which an HTTP API answers 500 {"message":"Internal Server Error"} (the gateway's internalError).
  it("takes headers that are a string or a list as malformed, not as headers named 0, 1, 2 ...", () => {
    // Before the fix a string's characters became headers: {"0":"a","1":"b","2":"c"}, and the gateway answered 200.
    expect(fromHttpApiResult({ statusCode: 200, headers: "abc", body: "x" })).toEqual({ problem: "its headers are not an object" });
    expect(fromHttpApiResult({ statusCode: 200, headers: ["x-a: 1"], body: "x" })).toEqual({ problem: "its headers are not an object" });
    expect(fromHttpApiResult({ statusCode: 200, headers: 7, body: "x" })).toEqual({ problem: "its headers are not an object" });
  });

  it("reads an object of headers, lower-casing their names, and no headers (absent or null) as none", () => {
    expect(fromHttpApiResult({ statusCode: 201, headers: { "X-A": "1" }, body: "x" })).toEqual({ status: 201, headers: { "x-a": "1" }, body: "x" });
    expect(fromHttpApiResult({ statusCode: 204, headers: null })).toEqual({ status: 204, headers: {}, body: "" });
  });

  it("keeps a result header named __proto__ as a header, as the REST result's reader does", () => {
    // JSON.parse (how the runtime reads the result) makes `__proto__` an own member. Before the fix the map was a plain
    // object, on which `headers["__proto__"] = "x"` is a prototype write, ignored for a string: the header was dropped.
    const read = fromHttpApiResult(JSON.parse('{"statusCode":200,"headers":{"__proto__":"x","X-B":"2"},"body":""}'));
    expect("headers" in read && Object.entries(read.headers)).toEqual([["__proto__", "x"], ["x-b", "2"]]);
  });
});
