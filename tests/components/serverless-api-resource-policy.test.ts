/**
 * The REST resource policy documents ServerlessApi writes for `denySourceIps` and `allowAccounts` (review 28, F6), and
 * the refusal of `allowAccounts` on an API with a method that is not AWS_IAM: an account-principal Allow is the policy's
 * only Allow, and "You must use AWS_IAM authorization for every method in your API, or else your API returns the
 * previous error message" ({"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource:
 * …"}, https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html).
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { policyDocument, record, resource } from "../harness/mocks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const iamRoutes: ServerlessApiArgs["routes"] = { "GET /reports": { handler: echo, auth: "iam" }, "POST /reports": { handler: echo } };

describe("ServerlessApi resource policy documents", () => {
  it("denySourceIps: invoke allowed to anyone, then denied to callers from those ranges", async () => {
    const graph = await record(() => new ServerlessApi("rp1", { routes: { "GET /health": { handler: echo, auth: "none" } }, resourcePolicy: { denySourceIps: ["203.0.113.0/24", "2001:db8::/32"] } }));
    const everything = `${resource(graph, "aws:apigateway/restApi:RestApi", "rp1-api").state.executionArn}/*`;
    expect(policyDocument(resource(graph, "aws:apigateway/restApiPolicy:RestApiPolicy", "rp1-policy").inputs.policy).Statement).toEqual([
      { Sid: "AllowInvoke", Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: everything },
      { Sid: "DenySourceIps", Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: everything, Condition: { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"] } } },
    ]);
  });

  it("allowAccounts on an API whose every method is AWS_IAM: the accounts' principals are the only ones allowed, no Principal \"*\" Allow", async () => {
    const graph = await record(() => new ServerlessApi("rp2", { routes: iamRoutes, resourcePolicy: { allowAccounts: ["111122223333", "444455556666"] } }));
    const everything = `${resource(graph, "aws:apigateway/restApi:RestApi", "rp2-api").state.executionArn}/*`;
    expect(policyDocument(resource(graph, "aws:apigateway/restApiPolicy:RestApiPolicy", "rp2-policy").inputs.policy).Statement).toEqual([
      { Sid: "AllowAccounts", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"] }, Action: "execute-api:Invoke", Resource: everything },
    ]);
  });
});

describe("ServerlessApi refuses allowAccounts where a method would answer every caller 403", () => {
  const allowAccounts = { allowAccounts: ["111122223333"] };
  it.each<[string, Partial<ServerlessApiArgs>, RegExp, RefusalContract]>([
    ["a public route", { routes: { ...iamRoutes, "GET /health": { handler: echo, auth: "none" } } },
      /^ServerlessApi "bad": resourcePolicy\.allowAccounts \["111122223333"\] is the resource policy's only Allow \(account principals\), so route "GET \/health" \(auth "none"\), which the policy must explicitly allow, would answer every caller 403 "User: anonymous is not authorized to perform: execute-api:Invoke" \(apigateway-authorization-flow\.html: "An implicit denial or any explicit denial results in denying the caller"\)\. Give the route auth: "iam" \(or a Lambda authorizer, which decides by itself\), or drop allowAccounts and restrict callers with allowSourceIps\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "resourcePolicy.allowAccounts", value: ["111122223333"], fix: 'Give the route auth: "iam" (or a Lambda authorizer, which decides by itself), or drop allowAccounts and restrict callers with allowSourceIps.' }],
    ["a Cognito route", { authorizers: { users: { type: "cognito", userPoolArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TEST"] } }, routes: { ...iamRoutes, "GET /me": { handler: echo, auth: { authorizer: "users" } } } },
      /route "GET \/me" \(Cognito authorizer "users"\), which the policy must explicitly allow, would answer every caller 403/,
      { component: "ServerlessApi", resourceName: "bad", argument: "resourcePolicy.allowAccounts", value: ["111122223333"], fix: 'Give the route auth: "iam" (or a Lambda authorizer, which decides by itself), or drop allowAccounts and restrict callers with allowSourceIps.' }],
    ["a default auth that is not IAM", { defaultAuth: "none" }, /route "POST \/reports" \(auth "none"\), which the policy must explicitly allow/, { component: "ServerlessApi", resourceName: "bad", argument: "resourcePolicy.allowAccounts", value: ["111122223333"], fix: 'Give the route auth: "iam" (or a Lambda authorizer, which decides by itself), or drop allowAccounts and restrict callers with allowSourceIps.' }],
    ["CORS preflights", { cors: { allowOrigins: ["https://app.example.com"] } },
      /^ServerlessApi "bad": resourcePolicy\.allowAccounts \["111122223333"\] is the resource policy's only Allow \(account principals\), so the CORS preflight \(OPTIONS\) of \/reports, which API Gateway answers without authorization, would answer every browser 403\. Drop cors \(serve the API behind the site's CloudFront, same origin\), or drop allowAccounts\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "resourcePolicy.allowAccounts", value: ["111122223333"], fix: "Drop cors (serve the API behind the site's CloudFront, same origin), or drop allowAccounts." }],
  ])("%s", (_, bad, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("bad", { routes: iamRoutes, resourcePolicy: allowAccounts, ...bad }), "ServerlessApi accepted the arguments")).toMatchObject({
      ...contract,
      message: expect.stringMatching(message),
    });
  });

  // apigateway-authorization-flow.html: with a Lambda authorizer, API Gateway checks the policy for an explicit deny,
  // calls the authorizer, and Table A admits an authorizer's Allow the policy neither allows nor denies (review 29 F1).
  it("takes a Lambda authorizer's route beside the IAM ones: the authorizer decides", () => {
    const authorizers = { partner: { type: "token" as const, handler: echo } };
    expect(() => new ServerlessApi("lambda-auth", { routes: { ...iamRoutes, "GET /partner": { handler: echo, auth: { authorizer: "partner" } } }, authorizers, resourcePolicy: allowAccounts })).not.toThrow();
  });
});

// IAM's aws:SourceIp takes IPv4 and IPv6 addresses and CIDR ranges; npm start compiles the same values into a
// net.BlockList, which throws on anything else (review 29 F4): both refused at construction, named.
describe("ServerlessApi checks resourcePolicy source IPs as addresses or CIDR ranges", () => {
  it.each([
    ["10.0.0.0/33", "allowSourceIps", /resourcePolicy\.allowSourceIps "10\.0\.0\.0\/33" has the prefix \/33; an IPv4 range takes \/0 to \/32/, { component: "ServerlessApi", resourceName: "ips", argument: "resourcePolicy.allowSourceIps", value: "10.0.0.0/33", fix: 'Use an IPv4 or IPv6 address, or a CIDR range such as "203.0.113.0/24" or "2001:db8::/32".' }],
    ["999.1.1.1/8", "denySourceIps", /resourcePolicy\.denySourceIps "999\.1\.1\.1\/8" is not an IP address or CIDR range/, { component: "ServerlessApi", resourceName: "ips", argument: "resourcePolicy.denySourceIps", value: "999.1.1.1/8", fix: 'Use an IPv4 or IPv6 address, or a CIDR range such as "203.0.113.0/24" or "2001:db8::/32".' }],
    ["abc", "allowSourceIps", /resourcePolicy\.allowSourceIps "abc" is not an IP address or CIDR range/, { component: "ServerlessApi", resourceName: "ips", argument: "resourcePolicy.allowSourceIps", value: "abc", fix: 'Use an IPv4 or IPv6 address, or a CIDR range such as "203.0.113.0/24" or "2001:db8::/32".' }],
    ["2001:db8::/129", "denySourceIps", /has the prefix \/129; an IPv6 range takes \/0 to \/128/, { component: "ServerlessApi", resourceName: "ips", argument: "resourcePolicy.denySourceIps", value: "2001:db8::/129", fix: 'Use an IPv4 or IPv6 address, or a CIDR range such as "203.0.113.0/24" or "2001:db8::/32".' }],
  ] as const)("refuses %s", (cidr, list, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("ips", { routes: iamRoutes, resourcePolicy: { [list]: [cidr] } }), "ServerlessApi accepted the arguments")).toMatchObject({
      ...contract,
      message: expect.stringMatching(message),
    });
  });

  it("takes addresses and ranges of both families", () => {
    expect(() => new ServerlessApi("ips-ok", { routes: iamRoutes, resourcePolicy: { allowSourceIps: ["203.0.113.7", "203.0.113.0/24", "0.0.0.0/0"], denySourceIps: ["2001:db8::/32", "2001:db8::1"] } })).not.toThrow();
  });
});
