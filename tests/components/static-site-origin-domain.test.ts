/**
 * A route's origin is named by its host name (review 99 #1): CloudFront refuses a URL, a path or a port in an origin's
 * DomainName at CreateDistribution ("The parameter origin name must be a domain name"), after the rest of the site is
 * created. StaticSite refuses such a routes[].domainName at construction (a string) or when it resolves (an Output),
 * naming the host name and origin path to give instead; every host CloudFront takes passes. The deploy rule
 * CloudFrontOriginDomainName judges hand-built distributions the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { StaticSite, type StaticSiteRoute } from "../../components/static-site";
import { originDomainNameProblem } from "../../components/static-site/spec";
import { CLOUDFRONT_ORIGIN_DOMAIN_NAME, checkDeployRules } from "../../testing/deploy-rules";
import { record, resource } from "../harness/mocks";
import { devContext, handBuilt } from "../deploy-rules/fixture";

const path = "tests/fixtures/site";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const site = (name: string, route: Partial<StaticSiteRoute>) =>
  new StaticSite(name, { path, routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com", ...route }] });

describe("StaticSite routes[].domainName: the origin's host name only", () => {
  it("refuses an API's invoke URL, naming the host name and the stage as originPath", () => {
    expect(() => site("invoke", { domainName: "https://abc123.execute-api.us-east-1.amazonaws.com/prod" })).toThrow(
      /^StaticSite "invoke": routes\[0\]\.domainName "https:\/\/abc123\.execute-api\.us-east-1\.amazonaws\.com\/prod" is a URL, but CloudFront takes the origin's host name only \(CreateDistribution: "The parameter origin name must be a domain name"\)\. Use domainName "abc123\.execute-api\.us-east-1\.amazonaws\.com" and put the path in originPath: "\/prod" \(ServerlessApi\.siteRoute\(\) and RegionalApis\.siteRoute\(\) give both\)\.$/,
    );
  });

  it("refuses a Lambda function URL (its trailing slash is no origin path)", () => {
    expect(() => site("fnurl", { domainName: "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/" })).toThrow(
      /routes\[0\]\.domainName "https:\/\/abcdefghijklmnopqrstuvwxyz012345\.lambda-url\.eu-west-1\.on\.aws\/" is a URL, .* Use domainName "abcdefghijklmnopqrstuvwxyz012345\.lambda-url\.eu-west-1\.on\.aws" \(ServerlessApi/,
    );
  });

  it("refuses a host with a path, joining it with the originPath given", () => {
    expect(() => site("pathed", { domainName: "abc123.execute-api.us-east-1.amazonaws.com/prod", originPath: "/v1" })).toThrow(
      /routes\[0\]\.domainName "abc123\.execute-api\.us-east-1\.amazonaws\.com\/prod" holds a path, .* Use domainName "abc123\.execute-api\.us-east-1\.amazonaws\.com" and put the path in originPath: "\/prod\/v1"/,
    );
  });

  it("refuses a port, keeping it in the fix: routes reach their origin on 443", () => {
    const port = / Port 8443 is not part of the name, and StaticSite's routes reach their origin over HTTPS on port 443 \(customOriginConfig httpsPort 443\): serve the origin on 443, or build the distribution by hand with customOriginConfig httpsPort 8443\.$/;
    expect(() => site("port", { domainName: "api.example.com:8443" })).toThrow(
      /routes\[0\]\.domainName "api\.example\.com:8443" holds a port, but CloudFront takes the origin's host name only \("The parameter origin name cannot contain a colon"\)\. Use domainName "api\.example\.com" \(/,
    );
    expect(() => site("port", { domainName: "api.example.com:8443" })).toThrow(port);
    expect(() => site("urlport", { domainName: "https://api.example.com:8443/v1" })).toThrow(/is a URL, .* Use domainName "api\.example\.com" and put the path in originPath: "\/v1" \(ServerlessApi/);
    expect(() => site("urlport", { domainName: "https://api.example.com:8443/v1" })).toThrow(port);
    // 443 is the port routes use: nothing to say about it.
    expect(() => site("port443", { domainName: "https://api.example.com:443/v1" })).toThrow(/originPath: "\/v1" \(ServerlessApi\.siteRoute\(\) and RegionalApis\.siteRoute\(\) give both\)\.$/);
  });

  it("refuses an s3:// URL with the bucket's S3 REST host, another scheme and an IPv6 address without calling them a host or a port", () => {
    expect(() => site("s3url", { domainName: "s3://my-bucket/assets" })).toThrow(
      /routes\[0\]\.domainName "s3:\/\/my-bucket\/assets" is an s3:\/\/ URL, not an http\(s\) host: CloudFront takes the origin's host name only .*, and reaches a bucket at its S3 REST host name\. Use domainName "my-bucket\.s3\.<region>\.amazonaws\.com" and put the path in originPath: "\/assets" \(the bucket's regional domain name: aws\.s3\.Bucket's bucketRegionalDomainName\)\.$/,
    );
    expect(() => site("ftp", { domainName: "ftp://files.example.com/x" })).toThrow(
      /routes\[0\]\.domainName "ftp:\/\/files\.example\.com\/x" is a URL with scheme "ftp:", not an http\(s\) host: .* Give the origin's host name, e\.g\./,
    );
    for (const address of ["[2001:db8::1]", "2001:db8::1", "[2001:db8::1]:8443"]) {
      expect(() => site("ipv6", { domainName: address }), address).toThrow(
        /domainName "[^"]+" is an IPv6 address, but CloudFront takes the origin's host name only \("The parameter origin name cannot contain a colon"\)\. Give the origin's host name/,
      );
    }
  });

  it("refuses an empty name and characters outside A-Z a-z 0-9 . - _", () => {
    expect(() => site("empty", { domainName: "" })).toThrow(/routes\[0\]\.domainName "" is empty, but CloudFront needs the origin's host name\. Give the origin's host name/);
    expect(() => site("space", { domainName: "api.example.com " })).toThrow(/routes\[0\]\.domainName "api\.example\.com " holds characters CloudFront refuses in an origin's domain name: it takes A-Z a-z 0-9 \. - _ only/);
  });

  it("passes every host CloudFront takes: API Gateway, function URL hosts, S3 website endpoints, upper case, underscores, IP-less custom hosts", async () => {
    const hosts = [
      "abc123.execute-api.us-east-1.amazonaws.com",
      "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws",
      "my-bucket.s3-website-us-east-1.amazonaws.com",
      "my-bucket.s3-website.eu-central-1.amazonaws.com",
      "Internal-ALB-123.us-east-1.elb.amazonaws.com",
      "origin_1.example.com",
      "localhost",
    ];
    for (const host of hosts) expect(originDomainNameProblem(host), host).toBeUndefined();
    const graph = await record(() => site("hosts", { domainName: "abc123.execute-api.us-east-1.amazonaws.com", originPath: "/prod" }));
    expect(resource(graph, DISTRIBUTION, "hosts-cdn").inputs.origins[1]).toMatchObject({ originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com", originPath: "/prod" });
  });

  it("checks an Output when it resolves, with the same message, and passes a host name Output as it is", async () => {
    await expect(record(() => site("output", { domainName: pulumi.output("https://abc.lambda-url.us-east-1.on.aws/") }))).rejects.toThrow(
      /StaticSite "output": routes\[0\]\.domainName "https:\/\/abc\.lambda-url\.us-east-1\.on\.aws\/" is a URL, but CloudFront takes the origin's host name only .* Use domainName "abc\.lambda-url\.us-east-1\.on\.aws"/,
    );
    const graph = await record(() => site("hostoutput", { domainName: pulumi.output("abc.lambda-url.us-east-1.on.aws") }));
    expect(resource(graph, DISTRIBUTION, "hostoutput-cdn").inputs.origins[1].domainName).toBe("abc.lambda-url.us-east-1.on.aws");
  });
});

describe("CloudFrontOriginDomainName", () => {
  const cdn = (domainName: unknown) => handBuilt(DISTRIBUTION, "cdn", { origins: [{ originId: "api", domainName, customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }] });

  it("reports a URL on a hand-built distribution, naming the origin, the host name and the path", () => {
    const findings = checkDeployRules([cdn("https://abc123.execute-api.us-east-1.amazonaws.com/prod")], devContext, [CLOUDFRONT_ORIGIN_DOMAIN_NAME]);
    expect(findings.map((f) => `${f.problem}. Fix: ${f.fix}`)).toEqual([
      'has origin api with domainName "https://abc123.execute-api.us-east-1.amazonaws.com/prod", which is a URL, but CloudFront takes the origin\'s host name only (CreateDistribution: "The parameter origin name must be a domain name"), so CreateDistribution or UpdateDistribution fails. Fix: set domainName to the host name "abc123.execute-api.us-east-1.amazonaws.com" and originPath to "/prod"; a port goes in customOriginConfig (httpPort, httpsPort)',
    ]);
  });

  it("passes host names, and a value the plan does not know", () => {
    for (const value of ["abc123.execute-api.us-east-1.amazonaws.com", "my-bucket.s3-website-us-east-1.amazonaws.com", undefined]) {
      expect(checkDeployRules([cdn(value)], devContext, [CLOUDFRONT_ORIGIN_DOMAIN_NAME])).toEqual([]);
    }
  });
});
