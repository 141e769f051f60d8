/**
 * ServerlessApi's private HTTP integrations (`integration: { type: "http", uri, vpcLink }`): a REST API reaches a
 * Network Load Balancer through a VPC link (v1), the HTTP kind a load balancer's listener through a VPC link v2, and
 * what each refuses at construction.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { ofType, record, resource } from "../harness/mocks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const NLB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/orders-nlb/50dc6c495c0c9188";
const OTHER_NLB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/billing-nlb/0123456789abcdef";
const ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/orders-alb/50dc6c495c0c9188";
const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orders-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";
const NLB_LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/orders-nlb/50dc6c495c0c9188/0467ef3c8400ae65";
const SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"];
const GROUPS = ["sg-0123456789abcdef0"];
const VPC_LINK = "aws:apigateway/vpcLink:VpcLink";
const INTEGRATION = "aws:apigateway/integration:Integration";
const V2_VPC_LINK = "aws:apigatewayv2/vpcLink:VpcLink";
const V2_INTEGRATION = "aws:apigatewayv2/integration:Integration";
const dev = { stack: "dev", production: false, region: "us-east-1" } as const;

function rest(routes: ServerlessApiArgs["routes"], overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return { stages: { prod: {} }, accountCloudWatchRole: false, routes, ...overrides };
}

function http(routes: ServerlessApiArgs["routes"], overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return { kind: ApiKind.Http, stages: { prod: {} }, routes, ...overrides };
}

describe("ServerlessApi REST private integrations (VPC link to a Network Load Balancer)", () => {
  it("creates a VPC link for the NLB and an HTTP_PROXY integration through it (connectionType VPC_LINK, the link's id)", async () => {
    const graph = await record(
      () => new ServerlessApi("pv1", rest({ "GET /orders/{id}": { integration: { type: "http", uri: "https://orders.internal.example.com/orders/{id}", vpcLink: { targetArn: NLB } } } })),
    );
    const links = ofType(graph, VPC_LINK);
    expect(links.map((l) => l.inputs.targetArn)).toEqual([NLB]);
    const integration = resource(graph, INTEGRATION, "pv1-integration-get-orders-id");
    expect(integration.inputs).toMatchObject({
      type: "HTTP_PROXY",
      connectionType: "VPC_LINK",
      connectionId: links[0].id,
      uri: "https://orders.internal.example.com/orders/{id}",
      integrationHttpMethod: "GET",
      requestParameters: { "integration.request.path.id": "method.request.path.id" },
    });
    // The integration references the link: Pulumi deletes it (and the deployment that snapshots it) before the link.
    expect(integration.dependencies).toContain(links[0].urn);
    expect(checkDeployRules(graph, dev).map(formatFinding)).toEqual([]);
  });

  it("shares one link among the routes to one NLB, and makes one per distinct NLB (not one per route)", async () => {
    const through = (targetArn: string) => ({ type: "http" as const, uri: "http://orders.internal.example.com/", vpcLink: { targetArn } });
    const graph = await record(
      () =>
        new ServerlessApi(
          "pv2",
          rest({
            "GET /orders": { integration: through(NLB) },
            "POST /orders": { integration: through(NLB) },
            "GET /invoices": { integration: through(OTHER_NLB) },
          }),
        ),
    );
    const links = ofType(graph, VPC_LINK);
    expect(links.map((l) => l.inputs.targetArn).sort()).toEqual([OTHER_NLB, NLB].sort());
    const byTarget = new Map(links.map((l) => [l.inputs.targetArn, l.id]));
    expect(resource(graph, INTEGRATION, "pv2-integration-get-orders").inputs.connectionId).toBe(byTarget.get(NLB));
    expect(resource(graph, INTEGRATION, "pv2-integration-post-orders").inputs.connectionId).toBe(byTarget.get(NLB));
    expect(resource(graph, INTEGRATION, "pv2-integration-get-invoices").inputs.connectionId).toBe(byTarget.get(OTHER_NLB));
  });

  it("uses an existing link by id (shared between APIs: VPC links are a per-region quota) and creates none", async () => {
    const graph = await record(() => new ServerlessApi("pv3", rest({ "GET /orders": { integration: { type: "http", uri: "https://orders.internal.example.com/", vpcLink: { id: "gim7c3" } } } })));
    expect(ofType(graph, VPC_LINK)).toEqual([]);
    expect(resource(graph, INTEGRATION, "pv3-integration-get-orders").inputs).toMatchObject({ type: "HTTP_PROXY", connectionType: "VPC_LINK", connectionId: "gim7c3" });
  });

  it("uses the id when targetArn is given as undefined (e.g. from optional config), as the validator reads it", async () => {
    const graph = await record(
      () => new ServerlessApi("pv5", rest({ "GET /orders": { integration: { type: "http", uri: "https://orders.internal.example.com/", vpcLink: { id: "gim7c3", targetArn: undefined } as never } } })),
    );
    expect(ofType(graph, VPC_LINK)).toEqual([]);
    expect(resource(graph, INTEGRATION, "pv5-integration-get-orders").inputs).toMatchObject({ connectionType: "VPC_LINK", connectionId: "gim7c3" });
  });

  it("keeps the route an http route in the spec, so npm start proxies it to its uri", async () => {
    let api!: ServerlessApi;
    await record(() => (api = new ServerlessApi("pv4", rest({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { targetArn: NLB } } } }))));
    expect(api.spec.routes[0].integration).toMatchObject({ type: "http", uri: "http://orders.internal.example.com/", method: "GET", timeoutMs: 29000 });
  });

  describe("while a stage runs a canary", () => {
    afterEach(() => vi.restoreAllMocks());
    const warningsOf = async (apiName: string, args: ServerlessApiArgs) => {
      const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
      await record(() => new ServerlessApi(apiName, args));
      return warn.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith(`ServerlessApi "${apiName}"`) && m.includes("VPC link"));
    };
    const toNlb = { "GET /orders": { integration: { type: "http" as const, uri: "https://orders.internal.example.com/", vpcLink: { targetArn: NLB } } } };

    it("warns that a route's NLB must not change until promotion: the frozen deployment keeps the old link, which then cannot be deleted", async () => {
      const warnings = await warningsOf("pvc1", rest(toNlb, { stages: { prod: { canary: { percentTraffic: 10 } } } }));
      expect(warnings).toEqual([
        expect.stringMatching(
          /^ServerlessApi "pvc1": stage prod runs a canary, and routes\["GET \/orders"\] reach a Network Load Balancer through a VPC link ServerlessApi creates\. Do not change their vpcLink\.targetArn until you promote .*"Cannot delete vpc link/,
        ),
      ]);
    });

    it("does not warn without a canary, or for a link given by id", async () => {
      expect(await warningsOf("pvc2", rest(toNlb))).toEqual([]);
      const byId = { "GET /orders": { integration: { type: "http" as const, uri: "https://orders.internal.example.com/", vpcLink: { id: "gim7c3" } } } };
      expect(await warningsOf("pvc3", rest(byId, { stages: { prod: { canary: { percentTraffic: 10 } } } }))).toEqual([]);
    });
  });

  it.each<[string, ServerlessApiArgs, RegExp, RefusalContract]>([
    [
      "an Application Load Balancer's ARN",
      rest({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { targetArn: ALB } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.targetArn "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/orders-alb\/50dc6c495c0c9188" is not a Network Load Balancer's ARN \(arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer\/net\/<name>\/<id>\), the only target a REST API's VPC link takes \(CreateVpcLink fails "NLB ARN is malformed" for an Application Load Balancer\)\. .*kind: ApiKind\.Http.*\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.targetArn', value: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/orders-alb/50dc6c495c0c9188", fix: "Pass the NLB's ARN as a string (a link to an NLB known only at deploy time: create the aws.apigateway.VpcLink and pass { id }); for an Application Load Balancer, put an NLB in front of it, or use kind: ApiKind.Http with { listenerArn, subnetIds, securityGroupIds }." }],
    [
      "something that is not an ARN",
      rest({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { targetArn: "orders-nlb" } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.targetArn "orders-nlb" is not a Network Load Balancer's ARN/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.targetArn', value: "orders-nlb", fix: "Pass the NLB's ARN as a string (a link to an NLB known only at deploy time: create the aws.apigateway.VpcLink and pass { id }); for an Application Load Balancer, put an NLB in front of it, or use kind: ApiKind.Http with { listenerArn, subnetIds, securityGroupIds }." }],
    [
      "an NLB in another region than the API's",
      rest({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { targetArn: NLB } } } }, { region: "eu-west-1" }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.targetArn ".*loadbalancer\/net\/orders-nlb\/50dc6c495c0c9188" is in us-east-1, but a VPC link reaches a load balancer in its API's region, eu-west-1\. Use a Network Load Balancer in eu-west-1, or create the API in us-east-1\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.targetArn', value: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/orders-nlb/50dc6c495c0c9188", fix: "Use a Network Load Balancer in eu-west-1, or create the API in us-east-1." }],
    [
      "both an existing link and a target",
      rest({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { id: "gim7c3", targetArn: NLB } as never } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink .* needs exactly one of id \(an existing VPC link\) and targetArn \(a Network Load Balancer ServerlessApi links to\)\. /,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink', value: { id: "gim7c3", targetArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/orders-nlb/50dc6c495c0c9188" }, fix: 'Pass { targetArn: "arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>" }, or { id } of a link that exists (share one between APIs).' }],
    [
      "neither an existing link nor a target",
      rest({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: {} as never } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink \{\} needs exactly one of id \(an existing VPC link\) and targetArn/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink', value: {}, fix: 'Pass { targetArn: "arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>" }, or { id } of a link that exists (share one between APIs).' }],
    [
      "the HTTP kind's listener on a REST API",
      rest({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { listenerArn: LISTENER, subnetIds: SUBNETS, securityGroupIds: GROUPS } as never } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.listenerArn ".*" is the HTTP kind's \(a VPC link v2 to a listener\); a REST API's VPC link targets a Network Load Balancer\. Use \{ targetArn: "<NLB ARN>" \} or \{ id \}, or kind: ApiKind\.Http\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.listenerArn', value: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orders-alb/50dc6c495c0c9188/f2f7dc8efc522ab2", fix: 'Use { targetArn: "<NLB ARN>" } or { id }, or kind: ApiKind.Http.' }],
    [
      "a greedy {proxy+} in the uri (npm start would send an empty segment)",
      rest({ "GET /files/{proxy+}": { integration: { type: "http", uri: "http://files.internal.example.com/{proxy+}", vpcLink: { targetArn: NLB } } } }),
      /^ServerlessApi "bad": routes\["GET \/files\/\{proxy\+\}"\]\.integration\.uri "http:\/\/files\.internal\.example\.com\/\{proxy\+\}" names the greedy \{proxy\+\}, which an HTTP integration's uri does not take: its mapping reads \{proxy\}\. Write \{proxy\}: it is given the route's \{proxy\+\} value, slashes included\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /files/{proxy+}"].integration.uri', value: "http://files.internal.example.com/{proxy+}", fix: "Write {proxy}: it is given the route's {proxy+} value, slashes included." }],
    [
      "a uri that is not http(s)",
      rest({ "GET /orders": { integration: { type: "http", uri: "orders.internal.example.com", vpcLink: { targetArn: NLB } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.uri "orders\.internal\.example\.com" is not an http\(s\) URL\. /,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.uri', value: "orders.internal.example.com", fix: 'Use e.g. "https://backend.example.com/items/{id}".' }],
  ])("refuses %s, naming the argument, the value and the fix", (_, args, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("bad", args), "ServerlessApi accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });
});

describe("ServerlessApi HTTP-kind private integrations (VPC link v2 to a listener)", () => {
  it("creates a VPC link v2 in the subnets and security groups, and an HTTP_PROXY integration to the listener that verifies the uri's host over TLS", async () => {
    const graph = await record(
      () =>
        new ServerlessApi(
          "ph1",
          http({ "GET /orders/{id}": { integration: { type: "http", uri: "https://orders.internal.example.com/orders/{id}", vpcLink: { listenerArn: LISTENER, subnetIds: SUBNETS, securityGroupIds: GROUPS } } } }),
        ),
    );
    const links = ofType(graph, V2_VPC_LINK);
    expect(links.map((l) => ({ subnetIds: l.inputs.subnetIds, securityGroupIds: l.inputs.securityGroupIds }))).toEqual([{ subnetIds: SUBNETS, securityGroupIds: GROUPS }]);
    const integration = resource(graph, V2_INTEGRATION, "ph1-integration-get-orders-id");
    expect(integration.inputs).toMatchObject({
      integrationType: "HTTP_PROXY",
      integrationMethod: "GET",
      integrationUri: LISTENER,
      connectionType: "VPC_LINK",
      connectionId: links[0].id,
      tlsConfig: { serverNameToVerify: "orders.internal.example.com" },
      // A private integration forwards the request's own path (with the stage's): the uri's path is what the backend gets.
      requestParameters: { "overwrite:path": "/orders/${request.path.id}" },
    });
    expect(integration.dependencies).toContain(links[0].urn);
    expect(checkDeployRules(graph, dev).map(formatFinding)).toEqual([]);
  });

  it("shares one link v2 among routes in the same subnets and security groups; an http:// uri sets no TLS server name", async () => {
    const via = (listenerArn: string) => ({ type: "http" as const, uri: "http://orders.internal.example.com/", vpcLink: { listenerArn, subnetIds: SUBNETS, securityGroupIds: GROUPS } });
    const graph = await record(() => new ServerlessApi("ph2", http({ "GET /orders": { integration: via(LISTENER) }, "GET /stock": { integration: via(NLB_LISTENER) } })));
    const links = ofType(graph, V2_VPC_LINK);
    expect(links).toHaveLength(1);
    const integrations = ["ph2-integration-get-orders", "ph2-integration-get-stock"].map((n) => resource(graph, V2_INTEGRATION, n));
    expect(integrations.map((i) => [i.inputs.integrationUri, i.inputs.connectionId, i.inputs.tlsConfig])).toEqual([
      [LISTENER, links[0].id, undefined],
      [NLB_LISTENER, links[0].id, undefined],
    ]);
  });

  it("creates a link v2 when id is given as undefined (e.g. from optional config) with subnets and security groups", async () => {
    const graph = await record(
      () =>
        new ServerlessApi(
          "ph4",
          http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { id: undefined, listenerArn: LISTENER, subnetIds: SUBNETS, securityGroupIds: GROUPS } as never } } }),
        ),
    );
    const links = ofType(graph, V2_VPC_LINK);
    expect(links).toHaveLength(1);
    expect(resource(graph, V2_INTEGRATION, "ph4-integration-get-orders").inputs).toMatchObject({ connectionType: "VPC_LINK", connectionId: links[0].id });
  });

  it("maps a path parameter followed by static text unambiguously (the braced ${request.path.name})", async () => {
    const graph = await record(
      () => new ServerlessApi("ph5", http({ "GET /orders/{id}": { integration: { type: "http", uri: "http://orders.internal.example.com/orders/{id}.json", vpcLink: { id: "l4er5c", listenerArn: LISTENER } } } })),
    );
    expect(resource(graph, V2_INTEGRATION, "ph5-integration-get-orders-id").inputs.requestParameters).toEqual({ "overwrite:path": "/orders/${request.path.id}.json" });
  });

  it("uses an existing link v2 by id and creates none", async () => {
    const graph = await record(() => new ServerlessApi("ph3", http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { id: "l4er5c", listenerArn: LISTENER } } } })));
    expect(ofType(graph, V2_VPC_LINK)).toEqual([]);
    expect(resource(graph, V2_INTEGRATION, "ph3-integration-get-orders").inputs).toMatchObject({ connectionType: "VPC_LINK", connectionId: "l4er5c", integrationUri: LISTENER });
  });

  it.each<[string, ServerlessApiArgs, RegExp, RefusalContract]>([
    [
      "a load balancer's ARN for a listener's",
      http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { listenerArn: NLB, subnetIds: SUBNETS, securityGroupIds: GROUPS } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.listenerArn ".*loadbalancer\/net\/orders-nlb\/50dc6c495c0c9188" is not a load balancer listener's ARN \(arn:aws:elasticloadbalancing:<region>:<account>:listener\/<app\|net>\/<name>\/<id>\/<id>\), which an HTTP API's private integration targets\. Use the listener's ARN, e\.g\. aws\.lb\.Listener's arn\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.listenerArn', value: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/orders-nlb/50dc6c495c0c9188", fix: "Use the listener's ARN, e.g. aws.lb.Listener's arn." }],
    [
      "a listener in another region than the API's",
      http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { id: "l4er5c", listenerArn: LISTENER } } } }, { region: "eu-west-1" }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.listenerArn ".*" is in us-east-1, but a VPC link reaches a load balancer in its API's region, eu-west-1\. /,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.listenerArn', value: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orders-alb/50dc6c495c0c9188/f2f7dc8efc522ab2", fix: "Use a listener in eu-west-1, or create the API in us-east-1." }],
    [
      "a REST link's NLB target on the HTTP kind",
      http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { targetArn: NLB } as never } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.targetArn ".*" is a REST API's \(a VPC link v1 to a Network Load Balancer\); an HTTP API's private integration targets a listener through a VPC link v2\. Use \{ listenerArn, subnetIds, securityGroupIds \} or \{ id, listenerArn \}\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.targetArn', value: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/orders-nlb/50dc6c495c0c9188", fix: "Use { listenerArn, subnetIds, securityGroupIds } or { id, listenerArn }." }],
    [
      "a uri path parameter the route lacks (its overwrite:path would read it)",
      http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/orders/{id}", vpcLink: { id: "l4er5c", listenerArn: LISTENER } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.uri "http:\/\/orders\.internal\.example\.com\/orders\/\{id\}" names \{id\}, which the backend's path \(overwrite:path\) reads from \$\{request\.path\.id\}, a path parameter the route does not have\. Use one of the route's path parameters: \(the route has none\)\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.uri', value: "http://orders.internal.example.com/orders/{id}", fix: "Use one of the route's path parameters: (the route has none)." }],
    [
      "a greedy {proxy+} in the uri (overwrite:path and npm start would disagree)",
      http({ "GET /files/{proxy+}": { integration: { type: "http", uri: "http://files.internal.example.com/{proxy+}", vpcLink: { id: "l4er5c", listenerArn: LISTENER } } } }),
      /^ServerlessApi "bad": routes\["GET \/files\/\{proxy\+\}"\]\.integration\.uri ".*\/\{proxy\+\}" names the greedy \{proxy\+\}, which an HTTP integration's uri does not take: its mapping reads \{proxy\}\. Write \{proxy\}: it is given the route's \{proxy\+\} value, slashes included\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /files/{proxy+}"].integration.uri', value: "http://files.internal.example.com/{proxy+}", fix: "Write {proxy}: it is given the route's {proxy+} value, slashes included." }],
    [
      "a query string in the uri (overwrite:path sends only the path)",
      http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/orders?v=2", vpcLink: { id: "l4er5c", listenerArn: LISTENER } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.uri "http:\/\/orders\.internal\.example\.com\/orders\?v=2" has a query string, which an HTTP API's private integration does not send: the backend gets only the uri's path \(overwrite:path\), while npm start would send the query\. Remove "\?v=2"; the client's own query string is passed through\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.uri', value: "http://orders.internal.example.com/orders?v=2", fix: "Remove \"?v=2\"; the client's own query string is passed through." }],
    [
      "a Cloud Map service's ARN for a listener's",
      http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { id: "l4er5c", listenerArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-e4anhexample0004" } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.listenerArn "arn:aws:servicediscovery:.*" is not a load balancer listener's ARN .* Cloud Map services are not supported by ServerlessApi: create the aws\.apigatewayv2\.Integration yourself\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.listenerArn', value: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-e4anhexample0004", fix: "Use the listener's ARN, e.g. aws.lb.Listener's arn. Cloud Map services are not supported by ServerlessApi: create the aws.apigatewayv2.Integration yourself." }],
    [
      "a new link without subnets",
      http({ "GET /orders": { integration: { type: "http", uri: "http://orders.internal.example.com/", vpcLink: { listenerArn: LISTENER, subnetIds: [], securityGroupIds: GROUPS } } } }),
      /^ServerlessApi "bad": routes\["GET \/orders"\]\.integration\.vpcLink\.subnetIds \[\] is empty; a VPC link v2 makes its network interfaces in these subnets\. /,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /orders"].integration.vpcLink.subnetIds', value: [], fix: "List the subnets the load balancer is reachable from as strings, or pass { id, listenerArn } of an existing link." }],
  ])("refuses %s, naming the argument, the value and the fix", (_, args, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("bad", args), "ServerlessApi accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });
});

