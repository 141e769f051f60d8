/** RegionalApis: one API in several regions, a certificate per region, replica-local grants, and routing whose health checks call a real public route. */
import { describe, expect, it } from "vitest";
import { RoutingPolicy } from "../../components/dns-routing";
import { RegionalApis, regionCode, type RegionalApisArgs } from "../../components/regional-apis";
import { ofType, record, resource } from "../harness/mocks";

const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/gallery";
const api: RegionalApisArgs["api"] = {
  basePath: "api",
  stages: { prod: {} },
  routes: {
    "GET /health": { handler: "handlers/api/health.ts", auth: "none" },
    "GET /albums": { handler: "handlers/api/albums.ts", export: "list", auth: "iam", function: { permissions: [{ actions: ["dynamodb:Query"], resources: [TABLE_ARN, `${TABLE_ARN}/index/*`] }] } },
  },
  functionDefaults: { environment: { TABLE_NAME: "gallery" } },
};
const multi: RegionalApisArgs = {
  regions: ["us-east-1", "us-west-2"],
  api,
  domain: { name: "api.gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000" },
  routing: { policy: RoutingPolicy.Latency },
  regionalEnvironment: { "us-west-2": { UPLOAD_BUCKET_NAME: "uploads-replica" } },
};

describe("RegionalApis", () => {
  it("deploys the API in each region with a DNS-validated certificate in that region and a base path mapping to its domain", async () => {
    const graph = await record(() => new RegionalApis("api", multi));
    const apis = ofType(graph, "aws:apigateway/restApi:RestApi");
    expect(apis.map((a) => a.name).sort()).toEqual(["api-api", "api-usw2-api"]);
    expect(apis.find((a) => a.name === "api-usw2-api")!.inputs.region).toBe("us-west-2");
    // The home region is the first listed (set explicitly here, where the harness has no aws:region; implicit when it is the stack's).
    expect([undefined, "us-east-1"]).toContain(apis.find((a) => a.name === "api-api")!.inputs.region);
    expect(resource(graph, "aws:acm/certificate:Certificate", "api-cert-usw2").inputs).toMatchObject({ domainName: "api.gallery.example.com", validationMethod: "DNS", region: "us-west-2" });
    expect(resource(graph, "aws:acm/certificateValidation:CertificateValidation", "api-cert-validation-usw2").inputs.region).toBe("us-west-2");
    const domain = resource(graph, "aws:apigateway/domainName:DomainName", "api-usw2-domain");
    expect(domain.inputs).toMatchObject({ domainName: "api.gallery.example.com", region: "us-west-2", endpointConfiguration: { types: "REGIONAL" } });
    expect(domain.inputs.regionalCertificateArn).toBe(resource(graph, "aws:acm/certificateValidation:CertificateValidation", "api-cert-validation-usw2").state.certificateArn);
    expect(resource(graph, "aws:apigateway/basePathMapping:BasePathMapping", "api-usw2-domain-mapping").inputs).toMatchObject({ region: "us-west-2", stageName: "prod" });
  });

  it("gives each region's functions their own region's table replica and the region's extra environment", async () => {
    const graph = await record(() => new RegionalApis("api", multi));
    const policy = (fn: string) => JSON.parse(resource(graph, "aws:iam/rolePolicy:RolePolicy", `${fn}-policy`).inputs.policy);
    const resources = (fn: string) => policy(fn).Statement.flatMap((s: { Resource: string | string[] }) => s.Resource).filter((r: string) => r.includes("dynamodb"));
    expect(resources("api-get-albums")).toEqual([TABLE_ARN, `${TABLE_ARN}/index/*`]);
    expect(resources("api-usw2-get-albums")).toEqual(["arn:aws:dynamodb:us-west-2:123456789012:table/gallery", "arn:aws:dynamodb:us-west-2:123456789012:table/gallery/index/*"]);
    const env = (fn: string) => resource(graph, "aws:lambda/function:Function", `${fn}-function`).inputs.environment.variables;
    expect(env("api-usw2-get-albums")).toMatchObject({ TABLE_NAME: "gallery", UPLOAD_BUCKET_NAME: "uploads-replica" });
    expect(env("api-get-albums").UPLOAD_BUCKET_NAME).toBeUndefined();
  });

  it("health-checks each region on its public health route through the stage, and aliases the name to each regional domain", async () => {
    const graph = await record(() => new RegionalApis("api", multi));
    const west = ofType(graph, "aws:apigateway/restApi:RestApi").find((a) => a.name === "api-usw2-api")!;
    expect(resource(graph, "aws:route53/healthCheck:HealthCheck", "api-routing-health-uswest2").inputs).toMatchObject({
      type: "HTTPS_STR_MATCH",
      fqdn: `${west.id}.execute-api.us-west-2.amazonaws.com`,
      resourcePath: "/prod/api/health",
    });
    const domain = resource(graph, "aws:apigateway/domainName:DomainName", "api-usw2-domain");
    expect(resource(graph, "aws:route53/record:Record", "api-routing-a-uswest2").inputs).toMatchObject({
      latencyRoutingPolicies: [{ region: "us-west-2" }],
      aliases: [{ name: domain.state.regionalDomainName, zoneId: domain.state.regionalZoneId, evaluateTargetHealth: true }],
    });
  });

  it("serves each regional domain dualstack, so the AAAA aliases beside the A aliases reach it over IPv6", async () => {
    const graph = await record(() => new RegionalApis("ds", multi));
    for (const [suffix, code] of [["", "useast1"], ["-usw2", "uswest2"]]) {
      const domain = resource(graph, "aws:apigateway/domainName:DomainName", `ds${suffix}-domain`);
      expect(domain.inputs.endpointConfiguration).toEqual({ types: "REGIONAL", ipAddressType: "dualstack" });
      expect(resource(graph, "aws:route53/record:Record", `ds-routing-aaaa-${code}`).inputs.aliases[0].name).toBe(domain.state.regionalDomainName);
    }
  });

  it("routes an IPv4-only domain (domain.ipAddressType ipv4) with A records alone: an AAAA alias to it would answer nothing", async () => {
    const graph = await record(() => new RegionalApis("v4", { ...multi, domain: { ...multi.domain!, ipAddressType: "ipv4" } }));
    expect(resource(graph, "aws:apigateway/domainName:DomainName", "v4-usw2-domain").inputs.endpointConfiguration).toEqual({ types: "REGIONAL", ipAddressType: "ipv4" });
    const records = ofType(graph, "aws:route53/record:Record").filter((r) => r.name.startsWith("v4-routing-"));
    expect(records.map((r) => r.inputs.type).sort()).toEqual(["A", "A"]);
  });

  it("sends the site's /api/* to the routed name without an origin path, where a single region keeps the API's own route", async () => {
    let apis!: RegionalApis;
    await record(() => (apis = new RegionalApis("routed", multi)));
    const route = apis.siteRoute();
    expect({ pathPattern: route.pathPattern, originId: route.originId, originPath: route.originPath }).toEqual({ pathPattern: "/api/*", originId: "routed-routing", originPath: "" });
    let single!: RegionalApis;
    await record(() => (single = new RegionalApis("one", { api })));
    expect(single.siteRoute().originId).toBe("one");
    expect(single.siteRoute().originPath).toBe("/prod");
  });

  it("abbreviates regions so route function names stay within 47 characters", () => {
    expect(["us-west-2", "ap-southeast-1", "eu-central-1", "us-gov-west-1"].map(regionCode)).toEqual(["usw2", "apse1", "euc1", "usgovw1"]);
  });

  const cases: Array<[string, Partial<RegionalApisArgs>, RegExp]> = [
    ["several regions without a domain", { domain: undefined }, /domain \(not set\) is missing; clients reach several regions only through one custom domain/],
    ["several regions without routing", { routing: undefined }, /routing \(not set\) is missing/],
    ["one certificate for two regions", { domain: { name: "api.gallery.example.com", hostedZoneId: "Z1", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" } }, /a regional custom domain needs a certificate in its own region/],
    ["a health route the API does not have", { routing: { policy: RoutingPolicy.Latency, healthRoute: "GET /status" } }, /routing\.healthRoute "GET \/status" is not a GET route of the API\. Use one of GET \/health, GET \/albums/],
    ["a protected health route", { routing: { policy: RoutingPolicy.Latency, healthRoute: "GET /albums" } }, /needs authorisation; Route 53's checkers send no credentials/],
    ["failover over three regions", { regions: ["us-east-1", "us-west-2", "eu-west-1"], routing: { policy: RoutingPolicy.Failover } }, /are not exactly two; failover routes to one PRIMARY and one SECONDARY/],
    ["a failure threshold Route 53 does not take", { routing: { policy: RoutingPolicy.Latency, failureThreshold: 2.5 } }, /^RegionalApis "bad": routing\.failureThreshold 2\.5 is not a whole number\. Use a whole number from 1 to 10, e\.g\. 3 \(the default\)\.$/],
    ["a region twice", { regions: ["us-east-1", "us-east-1"] }, /regions\[1\] "us-east-1" is listed twice/],
    ["an IP address type API Gateway does not know", { domain: { name: "api.gallery.example.com", hostedZoneId: "Z1", ipAddressType: "IPv6" as "ipv4" } }, /^RegionalApis "bad": domain\.ipAddressType "IPv6" is not an IP address type of an API Gateway custom domain\. Use "dualstack" \(IPv4 and IPv6, the default\) or "ipv4"\.$/],
    ["environment for a region not listed", { regionalEnvironment: { "eu-west-1": {} } }, /regionalEnvironment "eu-west-1" is not one of regions/],
  ];
  it("names the region whose API a refusal comes from: a regionalEnvironment value too large for us-west-2's functions (review 11)", () => {
    const big = { "us-west-2": { UPLOAD_BUCKET_NAME: "u".repeat(4_100) } };
    expect(() => new RegionalApis("bad", { ...multi, regionalEnvironment: big })).toThrow(/^RegionalApis "bad": api\.routes\["GET \/(health|albums)"\]\.function\.environment .* \(in the us-west-2 API, with regionalEnvironment\["us-west-2"\]\)\. Move large values/);
  });

  it.each(cases)("refuses %s, naming the argument and the fix", (_, args, message) => {
    expect(() => new RegionalApis("bad", { ...multi, ...args })).toThrow(message);
  });

  it("refuses a health route that needs an API key (review 100 #2: Route 53's checkers send no x-api-key, so every region would answer 403), and takes keys on the other routes", async () => {
    const keyed = (healthKey: boolean): RegionalApisArgs => ({
      ...multi,
      routing: { policy: RoutingPolicy.Failover },
      api: {
        ...api,
        routes: { "GET /health": { ...api.routes!["GET /health"], apiKeyRequired: healthKey }, "GET /albums": { ...api.routes!["GET /albums"], apiKeyRequired: true } },
        usagePlans: { partners: { apiKeys: ["partner-a"], stages: ["prod"] } },
      },
    });
    expect(() => new RegionalApis("bad", keyed(true))).toThrow(
      /^RegionalApis "bad": routing\.healthRoute "GET \/health" needs an API key \(apiKeyRequired\); Route 53's checkers send no x-api-key header and would see 403 in every region\. Make the health route keyless: drop apiKeyRequired on it \(other routes can keep theirs\)\.$/,
    );
    const graph = await record(() => new RegionalApis("api", keyed(false)));
    const methods = ofType(graph, "aws:apigateway/method:Method").map((m) => m.inputs.apiKeyRequired);
    expect(methods.filter((k) => k === true)).toHaveLength(2);
    expect(ofType(graph, "aws:route53/healthCheck:HealthCheck")).toHaveLength(2);
  });

  it("refuses a health check path over Route 53's 255 characters under its own argument, not as the inner DnsRouting's", () => {
    const basePath = Array.from({ length: 5 }, (_, i) => `${"segment".repeat(7)}${i}`).join("/");
    const path = `/prod/${basePath}/health`;
    expect(path.length).toBeGreaterThan(255);
    expect(() => new RegionalApis("bad", { ...multi, api: { ...api, basePath } })).toThrow(
      new RegExp(`^RegionalApis "bad": routing\\.healthRoute "GET /health" makes the health checks request ${path} \\(stage, basePath and route: ${path.length} characters\\), over Route 53's 255\\. Use a health route with a shorter path`),
    );
    expect(() => new RegionalApis("ok", { ...multi, api: { ...api, basePath: basePath.split("/").slice(0, 2).join("/") } })).not.toThrow();
  });

  it("refuses routing over an API whose resource policy lets only some source addresses in (Route 53's checkers call from their own ranges and would see 403 everywhere), and takes denySourceIps or no routing", async () => {
    const restricted = (resourcePolicy: NonNullable<RegionalApisArgs["api"]["resourcePolicy"]>, routing = multi.routing): RegionalApisArgs => ({ ...multi, routing, api: { ...api, resourcePolicy } });
    expect(() => new RegionalApis("bad", restricted({ allowSourceIps: ["203.0.113.0/24"] }))).toThrow(
      /^RegionalApis "bad": api\.resourcePolicy\.allowSourceIps \["203\.0\.113\.0\/24"\] restricts every route to these ranges, the health route GET \/health too; Route 53's health checkers call from Route 53's own address ranges \(ROUTE53_HEALTHCHECKS in ip-ranges\.json\), so every region would answer them 403 and look down, and failover would never happen\. Restrict callers with an authorizer \(auth\) instead of allowSourceIps, or drop routing \(one region\); denySourceIps is kept, as long as it does not cover Route 53's health checkers\.$/,
    );
    const denied = await record(() => new RegionalApis("api", restricted({ denySourceIps: ["203.0.113.0/24"] })));
    expect(ofType(denied, "aws:route53/healthCheck:HealthCheck")).toHaveLength(2);
    // One region without routing has no health checks: the restriction is the API's own business.
    const solo = await record(() => new RegionalApis("solo", { regions: ["us-east-1"], api: { ...api, resourcePolicy: { allowSourceIps: ["203.0.113.0/24"] } } }));
    expect(ofType(solo, "aws:apigateway/restApiPolicy:RestApiPolicy")).toHaveLength(1);
  });
});

describe("RegionalApis in one region with a hosted zone and no routing", () => {
  const one = (domain: Partial<NonNullable<RegionalApisArgs["domain"]>> = {}): RegionalApisArgs => ({
    regions: ["us-east-1"],
    api,
    domain: { name: "api.gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000", ...domain },
  });

  it("aliases the name to the custom domain with a simple A and AAAA record, known also as the home region's routing records", async () => {
    let apis!: RegionalApis;
    const graph = await record(() => (apis = new RegionalApis("solo", one())));
    const domain = resource(graph, "aws:apigateway/domainName:DomainName", "solo-domain");
    const records = ofType(graph, "aws:route53/record:Record").filter((r) => r.inputs.name === "api.gallery.example.com");
    expect(records.map((r) => [r.name, r.inputs.type, r.inputs.setIdentifier, r.inputs.zoneId])).toEqual([
      ["solo-domain-a", "A", undefined, "Z0123456789EXAMPLE0000"],
      ["solo-domain-aaaa", "AAAA", undefined, "Z0123456789EXAMPLE0000"],
    ]);
    for (const r of records) expect(r.inputs.aliases).toEqual([{ name: domain.state.regionalDomainName, zoneId: domain.state.regionalZoneId, evaluateTargetHealth: false }]);
    // The same component in two regions: its home region's latency records are the ones these take over.
    const routed = await record(() => new RegionalApis("solo", { ...multi, domain: one().domain }));
    const home = ["a", "aaaa"].map((type) => resource(routed, "aws:route53/record:Record", `solo-routing-${type}-useast1`));
    expect(records.map((r) => r.aliases)).toEqual(home.map((r) => [r.urn]));
    expect(apis.nodes.domainRecords).toHaveLength(2);
    expect(apis.routing).toBeUndefined();
    expect(ofType(graph, "aws:route53/healthCheck:HealthCheck")).toEqual([]);
  });

  it("gives an IPv4-only domain the A record alone", async () => {
    const graph = await record(() => new RegionalApis("solo4", one({ ipAddressType: "ipv4" })));
    expect(ofType(graph, "aws:route53/record:Record").filter((r) => r.inputs.name === "api.gallery.example.com").map((r) => r.name)).toEqual(["solo4-domain-a"]);
  });

  it("writes no record of the name without a hosted zone (certificateArn alone: the name's DNS is the caller's), nor beside routing", async () => {
    const withCertificate = await record(() => new RegionalApis("own", { api, domain: { name: "api.gallery.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" } }));
    expect(ofType(withCertificate, "aws:route53/record:Record")).toEqual([]);
    const routed = await record(() => new RegionalApis("routed1", { ...one(), routing: { policy: RoutingPolicy.Latency } }));
    expect(ofType(routed, "aws:route53/record:Record").filter((r) => r.inputs.name === "api.gallery.example.com").map((r) => r.name).sort()).toEqual(["routed1-routing-a-useast1", "routed1-routing-aaaa-useast1"]);
  });
});

describe("RegionalApis certificates", () => {
  it("validates every region's certificate through one shared DNS record (ACM's CNAME is the same in every region)", async () => {
    const graph = await record(() => new RegionalApis("cv", multi));
    const records = ofType(graph, "aws:route53/record:Record").filter((r) => r.name.startsWith("cv-cert-validation"));
    expect(records.map((r) => r.name)).toEqual(["cv-cert-validation"]);
    for (const suffix of ["use1", "usw2"]) {
      const validation = resource(graph, "aws:acm/certificateValidation:CertificateValidation", `cv-cert-validation-${suffix}`);
      expect(validation.inputs.validationRecordFqdns).toHaveLength(1);
      expect(validation.dependencies).toContain(records[0].urn);
    }
  });
});

describe("RegionalApis: the Common Name of the certificates it requests (domain.name) is at most 64 characters", () => {
  /** A per-branch preview host of 67 characters (review 22, F1). */
  const LONG_HOST = "pr-1234-add-album-sharing-links.preview.gallery.example-company.com";
  const host64 = `${"a".repeat(64 - ".example.com".length)}.example.com`;

  it("refuses a longer domain.name with several regions, where only a shorter name can do (certificateArn is one region's)", () => {
    expect(() => new RegionalApis("bad", { ...multi, domain: { name: LONG_HOST, hostedZoneId: "Z1" } })).toThrow(
      /^RegionalApis "bad": domain\.name "pr-1234-add-album-sharing-links\.preview\.gallery\.example-company\.com" is 67 characters; it is the Common Name of the certificate RegionalApis requests in each region, and ACM's RequestCertificate takes a Common Name of at most 64 characters\. Use a domain\.name of at most 64 characters \(with several regions RegionalApis requests every region's certificate itself\)\.$/,
    );
  });

  it("refuses it in one region with a hosted zone, naming certificateArn as the fix", () => {
    expect(() => new RegionalApis("bad", { regions: ["us-east-1"], api, domain: { name: LONG_HOST, hostedZoneId: "Z1" } })).toThrow(
      /^RegionalApis "bad": domain\.name "pr-1234[^"]*" is 67 characters; it is the Common Name of the certificate RegionalApis requests, and ACM's RequestCertificate takes a Common Name of at most 64 characters\. Pass domain\.certificateArn: a certificate in the API's region whose Common Name is at most 64 characters and that lists "pr-1234[^"]*" as a Subject Alternative Name \(up to 253\), or use a domain\.name of at most 64 characters\.$/,
    );
  });

  it("requests certificates for a 64-character name, and takes a longer one with a certificate of the caller's", async () => {
    const graph = await record(() => new RegionalApis("cn64", { ...multi, domain: { name: host64, hostedZoneId: "Z1" } }));
    expect(ofType(graph, "aws:acm/certificate:Certificate").map((c) => c.inputs.domainName)).toEqual([host64, host64]);
    const given = await record(() => new RegionalApis("own", { regions: ["us-east-1"], api, domain: { name: LONG_HOST, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" } }));
    expect(ofType(given, "aws:acm/certificate:Certificate")).toEqual([]);
  });
});

describe("RegionalApis checks the names of every region's API with the shared autoname check, against its own name", () => {
  const routed = (routes: RegionalApisArgs["api"]["routes"]): RegionalApisArgs => ({
    regions: ["us-east-1", "ap-southeast-2"],
    api: { stages: { prod: {} }, routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" }, ...routes } },
    domain: { name: "api.gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000" },
    routing: { policy: RoutingPolicy.Latency },
  });

  it("refuses a route too long for its function only in a later region's API as api.routes, with the longest component name RegionalApis may have", () => {
    const key = "GET /albums/{albumId}/photos/{photoId}/abcd";
    expect(() => new RegionalApis("api", routed({ [key]: { handler: "handlers/api/health.ts", auth: "none" } }))).toThrow(
      /^RegionalApis "api": api\.routes\["GET \/albums\/\{albumId\}\/photos\/\{photoId\}\/abcd"\] "GET \/albums\/\{albumId\}\/photos\/\{photoId\}\/abcd" makes the Lambda function name "api-apse2-get-albums-albumid-photos-photoid-abcd-function-<random suffix>" 65 characters, over Lambda's 64 \(in the ap-southeast-2 API, named "api-apse2"\)\. Use a route name \(its function is named from the method and path without one\) of at most 37 characters, or a component name of at most 2 characters\.$/,
    );
  });

  it("refuses a stage too long for a later region's alias permissions' statement ids as api.stages, without a component name that cannot fit", () => {
    const stage = "s".repeat(68);
    expect(() => new RegionalApis("api", { ...routed({}), api: { ...routed({}).api, stages: { [stage]: {} } } })).toThrow(
      new RegExp(`^RegionalApis "api": api\\.stages "s{68}" makes the Lambda permission statement id "api-apse2-get-health-s{68}-invoke-<random suffix>" 104 characters, over the 100 pulumi-aws autonames a statement id within \\(Lambda's AddPermission takes 100\\) \\(in the ap-southeast-2 API, named "api-apse2"\\)\\. Use a stage name of at most 64 characters\\.$`),
    );
  });

  it("refuses an AWS-service route too long for its role only in a later region's API as api.routes, with the longest component name RegionalApis may have", () => {
    const s3Put = { type: "aws" as const, service: "s3", method: "PUT", path: "uploads-bucket/{key}", permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::uploads-bucket/*"] }] };
    expect(() => new RegionalApis("n".repeat(26), routed({ "GET /": { integration: s3Put, auth: "none" } }))).toThrow(
      /^RegionalApis "n{26}": api\.routes\["GET \/"\] "GET \/" makes the IAM role name "n{26}-apse2-integration-role-get-root-<random suffix>" 66 characters, over IAM's 64 \(in the ap-southeast-2 API, named "n{26}-apse2"\)\. Use a role name part \(now "get-root": from the method, base path and path, "\/" read as "-"\) of at most 6 characters, or a component name of at most 24 characters\.$/,
    );
  });
});
