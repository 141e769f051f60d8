/** The local gateway's routing and authorizer-policy rules, as API Gateway applies them. */
import { describe, expect, it } from "vitest";
import { normalise } from "../../components/serverless-api/spec";
import { compileRoutes, matchRoute, policyAllows } from "../../local/api-gateway";

const echo = "tests/fixtures/handlers/echo.ts";
const spec = normalise("api", {
  basePath: "api",
  routes: {
    "GET /albums/{albumId}": { handler: echo },
    "GET /albums/recent": { handler: echo },
    "ANY /albums/{albumId}": { handler: echo },
    "GET /files/{path+}": { handler: echo },
  },
});
const routes = compileRoutes(spec.routes);
const key = (method: string, path: string) => {
  const match = matchRoute(routes, method, path);
  return "route" in match ? `${match.route.key} ${JSON.stringify(match.pathParameters)}` : `none (path matched: ${match.pathMatched})`;
};

describe("local API Gateway routing", () => {
  it("prefers literal segments over parameters, the exact method over ANY, and decodes parameters", () => {
    expect(key("GET", "/api/albums/recent")).toBe("GET /albums/recent {}");
    expect(key("GET", "/api/albums/01ABC")).toBe('GET /albums/{albumId} {"albumId":"01ABC"}');
    expect(key("DELETE", "/api/albums/01ABC")).toBe('ANY /albums/{albumId} {"albumId":"01ABC"}');
    expect(key("GET", "/api/albums/a%20b")).toBe('GET /albums/{albumId} {"albumId":"a b"}');
    expect(key("GET", "/api/files/a/b/c.txt")).toBe('GET /files/{path+} {"path":"a/b/c.txt"}');
  });

  it("matches nothing outside the base path or for a method the path lacks", () => {
    expect(key("GET", "/albums/recent")).toBe("none (path matched: false)");
    expect(key("POST", "/api/files/x")).toBe("none (path matched: true)");
  });

  it("applies a Lambda authorizer's policy like IAM: an explicit Deny wins, wildcards match", () => {
    const arn = "arn:aws:execute-api:us-east-1:000000000000:local/dev/GET/api/albums";
    expect(policyAllows([{ Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:000000000000:local/dev/*/*" }], arn)).toBe(true);
    expect(policyAllows([{ Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:000000000000:local/prod/*/*" }], arn)).toBe(false);
    expect(policyAllows([{ Effect: "Allow", Resource: "*" }, { Effect: "Deny", Resource: [arn] }], arn)).toBe(false);
    expect(policyAllows([], arn)).toBe(false);
  });
});
