/**
 * TransitionRecordSetOrphaned: a removed Route 53 record whose delete takes the record set a kept record still writes.
 * The case is a StaticSite deployed with a name and its wildcard (two resources of ACM's one validation CNAME) upgraded
 * to the version that writes one; the real component's next plan is compared with a deployed plan holding both.
 */
import { describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { checkPlanTransition, formatFinding } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import type { RecordedResource } from "../../local/offline/mocks";
import { handBuilt } from "./fixture";

const domain = { name: "example.com", aliases: ["*.example.com"], hostedZoneId: "Z0123456789EXAMPLE0000" };

/** The deployed plan of before: the same site with the wildcard's own validation record beside the base name's. */
function deployedWithWildcardRecord(next: RecordedResource[], more: Partial<RecordedResource> = {}): RecordedResource[] {
  const base = next.find((r) => r.name === "w-cert-validation-example.com")!;
  const wildcard = { ...base, ...more, name: "w-cert-validation-_wildcard.example.com", urn: base.urn.replace(/example\.com$/, "_wildcard.example.com") };
  return [...next, wildcard];
}

describe("TransitionRecordSetOrphaned", () => {
  it("reports the removed record whose delete would take the validation CNAME the kept record writes", async () => {
    const next = await record(() => new StaticSite("w", { path: "tests/fixtures/site", domain }));
    const findings = checkPlanTransition(deployedWithWildcardRecord(next), next, { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRecordSetOrphaned", "aws:route53/record:Record w-cert-validation-_wildcard.example.com"]]);
    expect(formatFinding(findings[0])).toMatch(/its delete deletes the CNAME record set _x1\.example\.com\. that w-cert-validation-example\.com still writes .* pulumi state delete 'urn:pulumi:\S+w-cert-validation-_wildcard\.example\.com'/);
  });

  it("leaves a removed record whose delete is skipped, and one of another set", async () => {
    const next = await record(() => new StaticSite("w", { path: "tests/fixtures/site", domain }));
    expect(checkPlanTransition(deployedWithWildcardRecord(next, { retainOnDelete: true }), next, { stack: "prod" })).toEqual([]);
    const other = deployedWithWildcardRecord(next, { inputs: { ...next.find((r) => r.name === "w-cert-validation-example.com")!.inputs, name: "_x1.www.example.com." } });
    expect(checkPlanTransition(other, next, { stack: "prod" })).toEqual([]);
  });

  it("reads a removed record written relative to its zone as the full name the provider makes of it", async () => {
    const zone = handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "Z0FIXTUREZONE", state: { zoneId: "Z0FIXTUREZONE" } });
    const cname = (name: string, recordName: string) => handBuilt("aws:route53/record:Record", name, { zoneId: "Z0FIXTUREZONE", name: recordName, type: "CNAME", ttl: 300, records: ["origin.example.net"] });
    const next = [zone, cname("www-full", "www.example.com")];
    const findings = checkPlanTransition([...next, cname("www-short", "www")], next, { stack: "prod" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRecordSetOrphaned", "aws:route53/record:Record www-short"]]);
  });

  it("reads a removed record's zone id written /hostedzone/Z123 as the Z123 a kept record names (the provider strips the prefix)", () => {
    const cname = (name: string, zoneId: string) => handBuilt("aws:route53/record:Record", name, { zoneId, name: "www.example.com", type: "CNAME", ttl: 300, records: ["origin.example.net"] });
    const next = [cname("www", "Z123")];
    const findings = checkPlanTransition([...next, cname("www-prefixed", "/hostedzone/Z123")], next, { stack: "prod" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRecordSetOrphaned", "aws:route53/record:Record www-prefixed"]]);
  });
});
