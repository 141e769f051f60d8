import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { autonameLength } from "../../components/autoname";
import { ComponentArgError } from "../../components/errors";
import { RealtimeApi, type RealtimeApiArgs } from "../../components/realtime-api";
import { assertRegionalCertificate } from "../../components/regional-domain";
import { connectionsTableArgs } from "../../components/realtime-api/connections";
import { DataTier } from "../../components/data-tier";
import { checkDeployRules, PHYSICAL_NAME_LIMITS } from "../../testing/deploy-rules";
import { childrenOf, dependencyClosure, ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const table = { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" };

function args(overrides: Partial<RealtimeApiArgs> = {}): RealtimeApiArgs {
  return {
    connectionsTable: table,
    authorizer: { handler: echo },
    routes: {
      $connect: { handler: echo },
      $disconnect: { handler: echo },
      $default: { handler: echo },
      ping: { handler: echo, postsToConnections: true },
    },
    ...overrides,
  };
}

const V2 = "aws:apigatewayv2";
const policiesOf = (graph: RecordedResource[], fnName: string) =>
  ofType(graph, "aws:iam/rolePolicy:RolePolicy")
    .filter((p) => p.name.startsWith(fnName))
    .flatMap((p) => policyDocument(p.inputs.policy).Statement);

describe("RealtimeApi plan", () => {
  it("creates a WebSocket API whose route keys each run their own function through a Lambda proxy integration", async () => {
    const graph = await record(() => new RealtimeApi("ws1", args()));
    const api = resource(graph, `${V2}/api:Api`, "ws1-api");
    expect(api.inputs).toMatchObject({ protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" });
    const routes = ofType(graph, `${V2}/route:Route`);
    expect(routes.map((r) => r.inputs.routeKey).sort()).toEqual(["$connect", "$default", "$disconnect", "ping"]);
    for (const route of routes) {
      const integration = ofType(graph, `${V2}/integration:Integration`).find((i) => route.inputs.target === `integrations/${i.id}`)!;
      expect(integration.inputs).toMatchObject({ integrationType: "AWS_PROXY", integrationMethod: "POST" });
      expect(integration.inputs.payloadFormatVersion).toBeUndefined();
    }
    const component = resource(graph, "serverless-fullstack:index:RealtimeApi", "ws1");
    expect(childrenOf(graph, component).map((r) => r.name)).toContain("ws1-api");
  });

  it("gives route functions their secrets and VPC (functionDefaults and per route); the authorizer stays outside the VPC", async () => {
    const vpc = { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] };
    const graph = await record(
      () =>
        new RealtimeApi(
          "wsv",
          args({
            functionDefaults: { vpc },
            routes: { $connect: { handler: echo }, $default: { handler: echo }, ping: { handler: echo, function: { secrets: { CURSOR_SECRET_ID: { secretsManager: "gallery/cursor-key" } } } } },
          }),
        ),
    );
    const ping = resource(graph, "aws:lambda/function:Function", "wsv-ping-function");
    expect(ping.inputs.environment.variables.CURSOR_SECRET_ID).toBe("gallery/cursor-key");
    expect(ping.inputs.vpcConfig).toEqual(vpc);
    expect(resource(graph, "aws:lambda/function:Function", "wsv-default-function").inputs.vpcConfig).toEqual(vpc);
    const statements = policiesOf(graph, "wsv-ping");
    expect(statements.filter((s) => s.Action.includes("secretsmanager:GetSecretValue")).flatMap((s) => s.Resource)).toEqual(["arn:aws:secretsmanager:us-east-1:123456789012:secret:gallery/cursor-key-??????"]);
    // It fetches the issuer's JWKS from the internet, as ServerlessApi's Lambda authorizers do.
    expect(resource(graph, "aws:lambda/function:Function", "wsv-authorizer-function").inputs.vpcConfig).toBeUndefined();
  });

  it("warns, naming the route, when a route that posts to connections runs in a VPC (PostToConnection needs a NAT gateway there)", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      const vpc = { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] };
      await record(() => new RealtimeApi("wsn", args({ accountCloudWatchRole: false, functionDefaults: { vpc }, routes: { $connect: { handler: echo }, ping: { handler: echo, postsToConnections: true }, $default: { handler: echo } } })));
      const warnings = warn.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('RealtimeApi "wsn"'));
      expect(warnings).toEqual([expect.stringMatching(/^RealtimeApi "wsn": routes\["ping"\] posts to connections from a VPC\. PostToConnection reaches this public WebSocket API only through a NAT gateway/)]);
    } finally {
      warn.mockRestore();
    }
  });

  it("does not warn for a VPC whose subnets the user says route to the internet (vpc.internetEgress), and keeps that flag out of the function's vpcConfig", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      const vpc = { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"], internetEgress: true };
      const graph = await record(() => new RealtimeApi("wse", args({ accountCloudWatchRole: false, functionDefaults: { vpc }, routes: { $connect: { handler: echo }, ping: { handler: echo, postsToConnections: true }, $default: { handler: echo } } })));
      expect(warn.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('RealtimeApi "wse"'))).toEqual([]);
      expect(resource(graph, "aws:lambda/function:Function", "wse-ping-function").inputs.vpcConfig).toEqual({ subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds });
    } finally {
      warn.mockRestore();
    }
  });

  it("puts the REQUEST authorizer on $connect only, reading the token from the query string", async () => {
    const graph = await record(() => new RealtimeApi("ws2", args()));
    const authorizer = resource(graph, `${V2}/authorizer:Authorizer`, "ws2-authorizer");
    expect(authorizer.inputs).toMatchObject({ authorizerType: "REQUEST", identitySources: ["route.request.querystring.token"] });
    expect(authorizer.inputs.authorizerPayloadFormatVersion).toBeUndefined();
    expect(authorizer.inputs.enableSimpleResponses).toBeUndefined();
    for (const route of ofType(graph, `${V2}/route:Route`)) {
      if (route.inputs.routeKey === "$connect") expect(route.inputs).toMatchObject({ authorizationType: "CUSTOM", authorizerId: authorizer.id });
      else expect(route.inputs).toMatchObject({ authorizationType: "NONE" });
    }
    const invoke = resource(graph, "aws:lambda/permission:Permission", "ws2-authorizer-invoke");
    expect(invoke.inputs.sourceArn).toMatch(/^arn:aws:execute-api:us-east-1:123456789012:[a-z0-9-]+\/authorizers\//);
  });

  it("lets each function be invoked only by its own route key on the stage", async () => {
    const graph = await record(() => new RealtimeApi("ws3", args({ stage: "live" })));
    const api = resource(graph, `${V2}/api:Api`, "ws3-api");
    expect(resource(graph, "aws:lambda/permission:Permission", "ws3-connect-invoke").inputs.sourceArn).toBe(`${api.state.executionArn}/live/$connect`);
    expect(resource(graph, "aws:lambda/permission:Permission", "ws3-ping-invoke").inputs.sourceArn).toBe(`${api.state.executionArn}/live/ping`);
  });

  it("grants exactly execute-api:ManageConnections on this stage's POST/@connections/* to routes that post, and nothing to the others", async () => {
    const graph = await record(() => new RealtimeApi("ws4", args({ stage: "live" })));
    const api = resource(graph, `${V2}/api:Api`, "ws4-api");
    const manage = (statements: Array<Record<string, any>>) => statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("execute-api:")));
    expect(manage(policiesOf(graph, "ws4-ping"))).toEqual([
      { Sid: "RealtimePostToConnections", Effect: "Allow", Action: ["execute-api:ManageConnections"], Resource: [`${api.state.executionArn}/live/POST/@connections/*`] },
    ]);
    expect(manage(policiesOf(graph, "ws4-connect"))).toEqual([]);
    const fn = resource(graph, "aws:lambda/function:Function", "ws4-ping-function");
    expect(fn.inputs.environment.variables).toMatchObject({ CONNECTIONS_TABLE_NAME: "connections", REALTIME_ENDPOINT: `https://${api.id}.execute-api.us-east-1.amazonaws.com/live` });
  });

  it("deploys after every route, integration and authorizer, and serves the deployment on a stage with access logs and throttling", async () => {
    const graph = await record(() => new RealtimeApi("ws5", args({ throttle: { rateLimit: 10, burstLimit: 20 }, logRetentionDays: 14 })));
    const deployment = resource(graph, `${V2}/deployment:Deployment`, "ws5-deployment");
    const before = dependencyClosure(graph, deployment);
    for (const part of [...ofType(graph, `${V2}/route:Route`), ...ofType(graph, `${V2}/integration:Integration`), ...ofType(graph, `${V2}/authorizer:Authorizer`)]) {
      expect(before.has(part.urn), part.name).toBe(true);
    }
    const stage = resource(graph, `${V2}/stage:Stage`, "ws5-stage");
    const logs = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "ws5-access-logs");
    expect(logs.inputs.retentionInDays).toBe(14);
    expect(stage.inputs).toMatchObject({ name: "prod", deploymentId: deployment.id, accessLogSettings: { destinationArn: logs.state.arn } });
    expect(JSON.parse(stage.inputs.accessLogSettings.format)).toMatchObject({ connectionId: "$context.connectionId", routeKey: "$context.routeKey", eventType: "$context.eventType" });
    expect(stage.inputs.defaultRouteSettings).toMatchObject({ throttlingRateLimit: 10, throttlingBurstLimit: 20, loggingLevel: "ERROR", dataTraceEnabled: false });
    expect(stage.inputs.autoDeploy).toBeUndefined();
  });

  it("creates no log group named like one API Gateway manages: its only group is the access logs', autonamed", async () => {
    // The WebSocket execution log group's name is not confirmed (index.ts createStage, docs/realtime.md): creating a
    // guess would leave an empty group, or fail every deployed stack whose stage has logged (ResourceAlreadyExistsException).
    const graph = await record(() => new RealtimeApi("ws9", args({ executionLogLevel: "INFO" })));
    const component = resource(graph, "serverless-fullstack:index:RealtimeApi", "ws9");
    const ownGroups = ofType(graph, "aws:cloudwatch/logGroup:LogGroup").filter((g) => childrenOf(graph, component).some((c) => c.urn === g.urn));
    expect(ownGroups.map((g) => g.name)).toEqual(["ws9-access-logs"]);
    expect(ownGroups[0].inputs.name).toBeUndefined();
    for (const group of ofType(graph, "aws:cloudwatch/logGroup:LogGroup")) {
      expect(String(group.inputs.name ?? ""), group.name).not.toMatch(/^(API-Gateway-Execution-Logs|\/aws\/apigateway\/)/);
    }
  });

  it("names no route, integration, authorizer or function as a property dependency of the deployment's trigger, and still deploys after them", async () => {
    // The authorizer has a name of ours, so pulumi-aws replaces it delete-first; a trigger naming it would have the
    // engine delete the deployment first, while the stage still serves it (snapshot.ts withoutPropertyDependencies).
    const graph = await record(() => new RealtimeApi("ws8", args()));
    const deployment = resource(graph, `${V2}/deployment:Deployment`, "ws8-deployment");
    expect(typeof deployment.inputs.triggers.snapshot).toBe("string");
    expect(deployment.propertyDependencies?.triggers ?? []).toEqual([]);
    const authorizer = resource(graph, `${V2}/authorizer:Authorizer`, "ws8-authorizer");
    expect(deployment.dependencies).toContain(authorizer.urn);
    for (const part of ofType(graph, `${V2}/route:Route`)) expect(deployment.dependencies).toContain(part.urn);
  });

  it("orders the stage after the component's dependsOn (e.g. the account's CloudWatch role setting), which Pulumi does not pass to children", async () => {
    const graph = await record(() => {
      const setting = new aws.cloudwatch.LogGroup("ws7-before", {});
      return new RealtimeApi("ws7", args(), { dependsOn: [setting] });
    });
    const setting = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "ws7-before");
    expect(resource(graph, `${V2}/stage:Stage`, "ws7-stage").dependencies).toContain(setting.urn);
  });

  it("maps a custom domain to the stage", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    const graph = await record(() => new RealtimeApi("ws6", args({ domain: { name: "live.example.com", certificateArn } })));
    const domain = resource(graph, `${V2}/domainName:DomainName`, "ws6-domain");
    expect(domain.inputs.domainNameConfiguration).toMatchObject({ certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" });
    const stage = resource(graph, `${V2}/stage:Stage`, "ws6-stage");
    expect(resource(graph, `${V2}/apiMapping:ApiMapping`, "ws6-mapping").inputs).toMatchObject({ domainName: domain.id, stage: stage.id });
  });

  it("serves the custom domain to IPv4 and IPv6 clients (dualstack) unless domain.ipAddressType says ipv4, leaving the API's own endpoint as it is", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    const dual = await record(() => new RealtimeApi("ws9", args({ domain: { name: "live.example.com", certificateArn } })));
    expect(resource(dual, `${V2}/domainName:DomainName`, "ws9-domain").inputs.domainNameConfiguration).toMatchObject({ endpointType: "REGIONAL", securityPolicy: "TLS_1_2", ipAddressType: "dualstack" });
    expect(resource(dual, `${V2}/api:Api`, "ws9-api").inputs.ipAddressType).toBeUndefined();
    const v4 = await record(() => new RealtimeApi("ws10", args({ domain: { name: "live.example.com", certificateArn, ipAddressType: "ipv4" } })));
    expect(resource(v4, `${V2}/domainName:DomainName`, "ws10-domain").inputs.domainNameConfiguration.ipAddressType).toBe("ipv4");
  });

  it("refuses a custom domain certificate from another region than the API's: at construction, or once the region is known", () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    const message = /^RealtimeApi "ws8": domain\.certificateArn "arn:aws:acm:us-east-1:123456789012:certificate\/abc" is in us-east-1, but a regional custom domain takes a certificate from its API's region, eu-west-1\. Request or import a certificate for live\.example\.com in eu-west-1\.$/;
    expect(() => new RealtimeApi("ws8", args({ region: "eu-west-1", domain: { name: "live.example.com", certificateArn } }))).toThrow(message);
    expect(() => assertRegionalCertificate("RealtimeApi", "ws8", "live.example.com", certificateArn, "eu-west-1")).toThrow(message);
    expect(assertRegionalCertificate("RealtimeApi", "ws8", "live.example.com", certificateArn, "us-east-1")).toBe(certificateArn);
  });

  it("declares the connections table in DataTier: connection id key, the byUser index and TTL", async () => {
    const graph = await record(() => new DataTier("rt", { tables: { connections: connectionsTableArgs() } }));
    const created = ofType(graph, "aws:dynamodb/table:Table")[0];
    expect(created.inputs).toMatchObject({ hashKey: "connectionId", ttl: { attributeName: "expiresAt", enabled: true } });
    expect(created.inputs.globalSecondaryIndexes).toEqual([expect.objectContaining({ name: "byUser", projectionType: "KEYS_ONLY" })]);
  });
});

describe("RealtimeApi redeploys when a route, integration or authorizer changes", () => {
  // Same component name each time, so ids (and with them the parts' inputs) are comparable.
  const triggers = async (overrides: Partial<RealtimeApiArgs> = {}, opts?: pulumi.ComponentResourceOptions) =>
    resource(await record(() => new RealtimeApi("rd", args(overrides), opts)), `${V2}/deployment:Deployment`, "rd-deployment").inputs.triggers;
  /** The ping route's function replaced by one with another name (a new ARN), as a replacement does: its integration's URI changes. */
  const pingFunctionReplaced: pulumi.ResourceTransformation = (r) =>
    r.type === "aws:lambda/function:Function" && r.name === "rd-ping-function" ? { props: { ...r.props, name: "rd-ping-replaced" }, opts: r.opts } : undefined;

  it("keeps the deployment when nothing it snapshots changes (the same program, or only a function's settings)", async () => {
    const base = await triggers();
    expect(base.snapshot).toMatch(/^[0-9a-f]{64}$/);
    expect(await triggers()).toEqual(base);
    expect(await triggers({ routes: { ...args().routes, ping: { handler: echo, postsToConnections: true, function: { memorySize: 512 } } } })).toEqual(base);
  });

  it("redeploys when an integration changes (its function replaced: a new invoke ARN), though route keys and function names stay", async () => {
    const base = await triggers();
    const graph = await record(() => new RealtimeApi("rd", args(), { transformations: [pingFunctionReplaced] }));
    expect(resource(graph, `${V2}/integration:Integration`, "rd-integration-ping").inputs.integrationUri).toContain(":function:rd-ping-replaced/");
    expect(resource(graph, `${V2}/deployment:Deployment`, "rd-deployment").inputs.triggers).not.toEqual(base);
  });

  it("redeploys when the authorizer's identity sources change", async () => {
    expect(await triggers({ authorizer: { handler: echo, identitySources: ["route.request.header.Sec-WebSocket-Protocol"] } })).not.toEqual(await triggers());
  });
});

describe("RealtimeApi validation", () => {
  const construct = (overrides: Partial<RealtimeApiArgs>) => () => new RealtimeApi("bad", args(overrides));
  it.each<[string, Partial<RealtimeApiArgs>, RegExp]>([
    ["an unknown $-key", { routes: { $connect: { handler: echo }, $ping: { handler: echo } } }, /routes\["\$ping"\] "\$ping" is not a route key API Gateway knows/],
    ["an authorizer without $connect", { routes: { $default: { handler: echo } } }, /authorizer .* guards \$connect, the only route a WebSocket authorizer runs on/],
    ["no authorizer and not anonymous", { authorizer: undefined }, /authorizer \(not set\) is not set, so anyone could connect/],
    ["a route selection expression outside the body", { routeSelectionExpression: "$request.header.x" }, /routeSelectionExpression "\$request.header.x" is not a WebSocket route selection expression/],
    ["an identity source WebSocket APIs do not read", { authorizer: { handler: echo, identitySources: ["method.request.header.Authorization"] } }, /is not a WebSocket identity source/],
    [
      "a custom route whose function would take the authorizer's resource names",
      { routes: { $connect: { handler: echo }, Authorizer: { handler: echo } } },
      /^RealtimeApi "bad": routes\["Authorizer"\] "Authorizer" names its function and invoke permission bad-authorizer and bad-authorizer-invoke, the authorizer's, so Pulumi would refuse two resources of one name\. Use another route key, e\.g\. "authorize"\.$/,
    ],
    [
      "a domain IP address type API Gateway does not know",
      { domain: { name: "live.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", ipAddressType: "ipv6" as "ipv4" } },
      /^RealtimeApi "bad": domain\.ipAddressType "ipv6" is not an IP address type of an API Gateway custom domain\. Use "dualstack" \(IPv4 and IPv6, the default\) or "ipv4"\.$/,
    ],
    ["a timeout past API Gateway's 29 s", { routes: { $connect: { handler: echo, function: { timeout: 60 } } } },
      /^RealtimeApi "bad": routes\["\$connect"\]\.function\.timeout 60 is outside RealtimeApi's range of 1–29 seconds; Lambda's timeout is whole seconds from 1, and API Gateway waits at most 29 s for a WebSocket integration\. Use a whole number from 1 to 29 seconds, or hand long work to a queue\.$/],
    // Not "more than API Gateway waits": 2.5 s is within it, but Lambda's timeout is whole seconds.
    ["a fractional timeout", { routes: { $connect: { handler: echo, function: { timeout: 2.5 } } } }, /^RealtimeApi "bad": routes\["\$connect"\]\.function\.timeout 2\.5 is not a whole number; Lambda's timeout is whole seconds/],
    ["a timeout of 0 on the authorizer", { authorizer: { handler: echo, function: { timeout: 0 } } }, /^RealtimeApi "bad": authorizer\.function\.timeout 0 is outside RealtimeApi's range of 1–29 seconds/],
    // The defaults reach every route and the authorizer: refused under their own name, not the first function's.
    ["a default timeout past API Gateway's 29 s", { functionDefaults: { timeout: 30 } },
      /^RealtimeApi "bad": functionDefaults\.timeout 30 is outside RealtimeApi's range of 1–29 seconds; Lambda's timeout is whole seconds from 1, and API Gateway waits at most 29 s for a WebSocket integration\. Use a whole number from 1 to 29 seconds, or hand long work to a queue\.$/],
    ["a default timeout of 0", { functionDefaults: { timeout: 0 } }, /^RealtimeApi "bad": functionDefaults\.timeout 0 is outside RealtimeApi's range of 1–29 seconds/],
    ["a default timeout that is no number", { functionDefaults: { timeout: "10" as unknown as number } }, /^RealtimeApi "bad": functionDefaults\.timeout "10" is not a number\. Use a whole number from 1 to 29 seconds/],
  ])("refuses %s", (_, overrides, message) => {
    expect(construct(overrides)).toThrow(ComponentArgError);
    expect(construct(overrides)).toThrow(message);
  });

  // A route's function is a LambdaFunction the user never constructed: its refusals name RealtimeApi's own arguments.
  it.each<[string, Partial<RealtimeApiArgs>, string, RegExp]>([
    ["a reserved environment variable on a route", { routes: { $connect: { handler: echo }, ping: { handler: echo, function: { environment: { AWS_REGION: "us-west-2" } } } } },
      'routes["ping"].function.environment', /^RealtimeApi "bad": routes\["ping"\]\.function\.environment "AWS_REGION" is reserved by the Lambda runtime\. Pick another name\.$/],
    ["a memory size Lambda does not offer on a route", { routes: { $connect: { handler: echo, function: { memorySize: 10241 } } } },
      'routes["$connect"].function.memorySize', /^RealtimeApi "bad": routes\["\$connect"\]\.function\.memorySize 10241 is outside Lambda's range/],
    ["a memory size Lambda does not offer on the authorizer", { authorizer: { handler: echo, function: { memorySize: 10241 } } },
      "authorizer.function.memorySize", /^RealtimeApi "bad": authorizer\.function\.memorySize 10241 is outside Lambda's range/],
    ["an export the authorizer's file lacks", { authorizer: { handler: echo, export: "verify" } },
      "authorizer.export", /^RealtimeApi "bad": authorizer\.export "verify" is not exported by .*echo\.ts\. Export a function named verify, or set authorizer\.export to the exported name\.$/],
  ])("reports %s as its own argument", (_, overrides, argument, message) => {
    const refusal = refusalOf(() => new RealtimeApi("bad", args(overrides)), `took ${argument}`);
    expect(refusal).toMatchObject({ component: "RealtimeApi", resourceName: "bad", argument });
    expect(refusal.message).toMatch(message);
  });

  // Each route's function is a LambdaFunction `<name>-<route slug>`, autonamed `<name>-<slug>-function-<7 hex>` (Lambda:
  // 64 of letters, digits, "-" and "_"); RealtimeApi checks those names itself, so the refusal is its own and names
  // the argument the user wrote: the component name, or a custom route key when shortening it alone fits.
  const anonymous = (routes: RealtimeApiArgs["routes"]) => args({ authorizer: undefined, anonymous: true, routes });

  it('refuses a name with a character Lambda refuses ("my.chat") as name, with an example name it takes', async () => {
    const refusal = refusalOf(() => new RealtimeApi("my.chat", anonymous({ $connect: { handler: echo }, ping: { handler: echo } })), "took name \"my.chat\"");
    expect(refusal).toMatchObject({ component: "RealtimeApi", resourceName: "my.chat", argument: "name", value: "my.chat" });
    expect(refusal.message).toBe(
      'RealtimeApi "my.chat": name "my.chat" makes the Lambda function name "my.chat-connect-function-<random suffix>" hold ".", which Lambda refuses (it takes letters, digits, "-" and "_"). Use a component name of letters, digits, "-" and "_", e.g. "my-chat".',
    );
    // The example works.
    const graph = await record(() => new RealtimeApi("my-chat", anonymous({ $connect: { handler: echo }, ping: { handler: echo } })));
    expect(resource(graph, "aws:lambda/function:Function", "my-chat-connect-function")).toBeDefined();
  });

  it("refuses a custom route key that makes its function name too long as that route's, with how long the key may be", async () => {
    const key = `send.${"m".repeat(45)}`; // slug "send-mmm…", 50 characters: "gallery-<slug>-function-<7 hex>" is 75
    const refusal = refusalOf(() => new RealtimeApi("gallery", anonymous({ $connect: { handler: echo }, [key]: { handler: echo } })), "took the long route key");
    expect(refusal).toMatchObject({ component: "RealtimeApi", resourceName: "gallery", argument: `routes["${key}"]`, value: key });
    expect(refusal.message).toBe(
      `RealtimeApi "gallery": routes["${key}"] "${key}" makes the Lambda function name "gallery-send-${"m".repeat(45)}-function-<random suffix>" 75 characters, over Lambda's 64. Use a route key of at most 39 characters.`,
    );
    // A key of the longest it may be is taken.
    const longest = `send.${"m".repeat(34)}`;
    await record(() => new RealtimeApi("gallery", anonymous({ $connect: { handler: echo }, [longest]: { handler: echo } })));
  });

  it("refuses a name that makes a predefined route's or the authorizer's function name too long as name, with the longest that fits", async () => {
    const name = "gallery-live-notifications-eu-west-12"; // 37: "<name>-disconnect-function-<7 hex>" is 65
    const refusal = refusalOf(() => new RealtimeApi(name, anonymous({ $connect: { handler: echo }, $disconnect: { handler: echo } })), "took the name");
    expect(refusal).toMatchObject({ component: "RealtimeApi", argument: "name", value: name });
    expect(refusal.message).toBe(
      `RealtimeApi "${name}": name "${name}" makes the Lambda function name "${name}-disconnect-function-<random suffix>" 65 characters, over Lambda's 64. Use a component name of at most 36 characters.`,
    );
    // "-authorizer" is as long as "-disconnect": the authorizer's function is refused the same way.
    expect(refusalOf(() => new RealtimeApi(name, args({ routes: { $connect: { handler: echo } } })), "took the name").message).toBe(
      `RealtimeApi "${name}": name "${name}" makes the Lambda function name "${name}-authorizer-function-<random suffix>" 65 characters, over Lambda's 64. Use a component name of at most 36 characters.`,
    );
    await record(() => new RealtimeApi(name.slice(0, 36), args({ routes: { $connect: { handler: echo }, $disconnect: { handler: echo } } })));
  });

  // Its Lambda permissions are `<function>-invoke` (routes) and `<name>-authorizer-invoke`, 7 characters longer than the
  // functions' resource names (at most 47, checked above): their statement ids, which pulumi-aws autonames within 100,
  // are at most 62, so no name or route key the function check accepts is refused for them.
  it("keeps every Lambda permission's statement id within pulumi-aws's 100 at the longest names its function check accepts", async () => {
    const name = "n".repeat(36);
    const key = `send.${"m".repeat(5)}`; // "<name>-send-mmmmm" is 47, the longest function resource name
    const graph = await record(() => new RealtimeApi(name, args({ routes: { $connect: { handler: echo }, $disconnect: { handler: echo }, [key]: { handler: echo } } })));
    const permissions = ofType(graph, "aws:lambda/permission:Permission").map((p) => p.name);
    expect(permissions).toContain(`${name}-send-mmmmm-invoke`);
    expect(Math.max(...permissions.map((permission) => autonameLength(permission)))).toBe(62);
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }, [PHYSICAL_NAME_LIMITS])).toEqual([]);
  });

  it("lets an anonymous API (no authorizer) have a route named authorizer", async () => {
    const graph = await record(() => new RealtimeApi("anon", args({ authorizer: undefined, anonymous: true, routes: { $connect: { handler: echo }, authorizer: { handler: echo } } })));
    expect(resource(graph, `${V2}/route:Route`, "anon-route-authorizer").inputs.routeKey).toBe("authorizer");
  });
});
