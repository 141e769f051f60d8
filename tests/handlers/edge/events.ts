/** CloudFront's event shapes, as the AWS docs show them, for handler tests. */
import { readFileSync } from "node:fs";
import type { CloudFrontRequestEvent, CloudFrontResponseEvent } from "aws-lambda";
import { cloudFrontFunctionCode } from "../../../components/edge-logic/function-code";
import { CloudFrontFunctionSandbox } from "../../../local/edge-runtime";

export const DISTRIBUTION = { distributionDomainName: "d111111abcdef8.cloudfront.net", distributionId: "EDFDVBD6EXAMPLE" };

type Values = Record<string, string>;
const values = (entries: Values = {}) => Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]));

/** A CloudFront Functions viewer-request event (version 1.0). */
export function viewerRequest(uri: string, options: { host?: string; cookies?: Values; querystring?: Values; headers?: Values } = {}) {
  return {
    version: "1.0",
    context: { ...DISTRIBUTION, eventType: "viewer-request", requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==" },
    viewer: { ip: "198.51.100.11" },
    request: {
      method: "GET",
      uri,
      querystring: values(options.querystring),
      headers: values({ host: options.host ?? "gallery.example.com", accept: "text/html", ...options.headers }),
      cookies: values(options.cookies),
    },
  };
}

/** A CloudFront Functions viewer-response event: the request as the viewer-request function left it, and the response. */
export function viewerResponse(request: ReturnType<typeof viewerRequest>["request"], status = 200, headers: Values = {}) {
  return {
    version: "1.0",
    context: { ...DISTRIBUTION, eventType: "viewer-response", requestId: "x" },
    viewer: { ip: "198.51.100.11" },
    request,
    response: { statusCode: status, statusDescription: "OK", headers: values({ "content-type": "text/html; charset=utf-8", ...headers }), cookies: {} },
  };
}

/** A Lambda@Edge request event (Records[0].cf) at viewer-request or origin-request. */
export function lambdaRequest(
  uri: string,
  options: { cookie?: string; accept?: string; querystring?: string; eventType?: "viewer-request" | "origin-request" | "origin-response" } = {},
): CloudFrontRequestEvent {
  const headers: Record<string, Array<{ key: string; value: string }>> = {
    host: [{ key: "Host", value: DISTRIBUTION.distributionDomainName }],
    "user-agent": [{ key: "User-Agent", value: "curl/8.5.0" }],
    accept: [{ key: "Accept", value: options.accept ?? "text/html,application/xhtml+xml" }],
  };
  if (options.cookie) headers.cookie = [{ key: "Cookie", value: options.cookie }];
  return {
    Records: [{
      cf: {
        config: { ...DISTRIBUTION, eventType: options.eventType ?? "viewer-request", requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==" },
        request: { clientIp: "203.0.113.178", headers, method: "GET", querystring: options.querystring ?? "", uri },
      },
    }],
  };
}

/** A Lambda@Edge origin-response event. */
export function lambdaOriginResponse(uri: string, status: string, headers: Record<string, string> = {}): CloudFrontResponseEvent {
  const event = lambdaRequest(uri, { eventType: "origin-response" }) as any;
  event.Records[0].cf.response = {
    status,
    statusDescription: status === "200" ? "OK" : "Not Found",
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [{ key: k, value: v }]])),
  };
  return event;
}

/** The function file with its config baked in, exactly as EdgeLogic deploys it, in the local sandbox. */
export function sandboxFor(file: string, config: Record<string, unknown>, keyValueStore?: Record<string, string>) {
  return new CloudFrontFunctionSandbox(cloudFrontFunctionCode(readFileSync(file, "utf8"), config), { name: file, keyValueStore });
}
