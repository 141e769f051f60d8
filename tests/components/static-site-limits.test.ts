/**
 * StaticSite arguments that reach fields AWS limits (review 22: F1, S1, S5): the certificate's Common Name, the
 * response headers policy's HSTS max-age, CSP and custom headers, and the behaviours' path patterns and count.
 * Refused where AWS refuses whatever the account; warned where the limit is a default quota an account may raise.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import type { EdgeAssociation } from "../../components/edge-logic/associations";
import { record, resource } from "../harness/mocks";

const path = "tests/fixtures/site";
const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
/** A per-branch preview host of 67 characters (review 22, F1). */
const LONG_HOST = "pr-1234-add-album-sharing-links.preview.gallery.example-company.com";
/** `length` characters, a valid host name under example.com. */
const hostOf = (length: number) => `${"a".repeat(length - ".example.com".length)}.example.com`;
const route = (pathPattern: string, originId = "api") => ({ pathPattern, originId, domainName: "x.example.com" });
const association = (pathPattern: string): EdgeAssociation => ({ pathPattern, eventType: "viewer-response", kind: "function", edgeLogic: "x", key: "k", arn: "arn:aws:cloudfront::123456789012:function/x-k" });

/** What `pulumi.log.warn` was given while `run` recorded, filtered to the messages mentioning `about`. */
async function warnings(about: string, run: () => unknown): Promise<string[]> {
  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  try {
    await record(run);
    return warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes(about));
  } finally {
    warn.mockRestore();
  }
}

describe("StaticSite: the certificate's Common Name (domain.name) is at most 64 characters when StaticSite requests the certificate", () => {
  it("refuses a longer domain.name with a hosted zone, naming the length, ACM's limit and the certificateArn fix", () => {
    expect(LONG_HOST).toHaveLength(67);
    expect(() => new StaticSite("bad", { path, domain: { name: LONG_HOST, hostedZoneId: "Z1" } })).toThrow(
      /^StaticSite "bad": domain\.name "pr-1234-add-album-sharing-links\.preview\.gallery\.example-company\.com" is 67 characters; it is the Common Name of the certificate StaticSite requests, and ACM's RequestCertificate takes a Common Name of at most 64 characters\. Pass domain\.certificateArn: a us-east-1 certificate whose Common Name is at most 64 characters and that lists "pr-1234-add-album-sharing-links\.preview\.gallery\.example-company\.com" as a Subject Alternative Name \(up to 253\), or use a domain\.name of at most 64 characters\.$/,
    );
    expect(() => new StaticSite("bad", { path, domain: { name: `*.${hostOf(63)}`, hostedZoneId: "Z1" } })).toThrow(/domain\.name "\*\.a+\.example\.com" is 65 characters/);
  });

  it("requests a certificate for a 64-character name, and takes a longer one with certificateArn or as an alias (a Subject Alternative Name, up to 253)", async () => {
    const graph = await record(() => new StaticSite("cn64", { path, domain: { name: hostOf(64), hostedZoneId: "Z1" } }));
    expect(resource(graph, "aws:acm/certificate:Certificate", "cn64-cert").inputs.domainName).toHaveLength(64);
    expect(() => new StaticSite("given", { path, domain: { name: LONG_HOST, certificateArn } })).not.toThrow();
    const aliased = await record(() => new StaticSite("san", { path, domain: { name: "a.example.com", aliases: [LONG_HOST], hostedZoneId: "Z1" } }));
    expect(resource(aliased, "aws:acm/certificate:Certificate", "san-cert").inputs.subjectAlternativeNames).toEqual([LONG_HOST]);
  });
});
