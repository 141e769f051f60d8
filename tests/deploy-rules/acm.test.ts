/**
 * AcmCertificateNameCount is a warning (DEPLOY_WARNING_RULES): ACM's quota of names per certificate is adjustable, so a
 * plan over the default must not fail `checkDeployRules` (a stack deployed under a raised quota keeps deploying), and
 * the names are counted as the provider sends them.
 */
import { describe, expect, it } from "vitest";
import { ACM_CERTIFICATE_NAME_COUNT, checkDeployRules, checkDeployWarnings, DEPLOY_RULES, DEPLOY_WARNING_RULES, formatFinding } from "../../testing/deploy-rules";
import { mutate } from "../../testing/harness";
import { devContext, handBuilt, of, withInputs } from "./fixture";
import { hosts } from "./fixtures/acm";
import { domainSite } from "./fixtures/cloudfront";

const withNames = async (subjectAlternativeNames: string[]) => mutate(await domainSite(), of("aws:acm/certificate:Certificate"), (c) => withInputs(c, { subjectAlternativeNames }));
const warnings = (graph: Parameters<typeof checkDeployWarnings>[0]) => checkDeployWarnings(graph, devContext).map(formatFinding);

describe("AcmCertificateNameCount", () => {
  it("is a warning: not in DEPLOY_RULES, so a plan over the default quota still has no deploy-rule findings", async () => {
    expect(DEPLOY_WARNING_RULES).toContain(ACM_CERTIFICATE_NAME_COUNT);
    expect(DEPLOY_RULES).not.toContain(ACM_CERTIFICATE_NAME_COUNT);
    const graph = await withNames(hosts(10));
    expect(checkDeployRules(graph, devContext)).toEqual([]);
    expect(warnings(graph)).toEqual([
      expect.stringMatching(/^dev: \[AcmCertificateNameCount\] aws:acm\/certificate:Certificate c-cert: requests a certificate with 11 domain names .*\. Fix: ask for a quota increase \(Service Quotas, ACM "Domain names per ACM certificate", up to 100\) or split the certificate into certificates of at most 10 names/),
    ]);
  });

  it("passes 10 names, and counts domainName once and each name once, as the provider sends them", async () => {
    expect(warnings(await withNames(hosts(9)))).toEqual([]);
    // The provider keeps subjectAlternativeNames as a set and adds domainName to it (certificate.go, CustomizeDiff).
    expect(warnings(await withNames([...hosts(9), "a.example.com", hosts(9)[0]]))).toEqual([]);
  });

  it("does not count imported certificates, to which the quota does not apply", () => {
    const imported = handBuilt("aws:acm/certificate:Certificate", "imported", { certificateBody: "-----BEGIN CERTIFICATE-----", privateKey: "key" }, { state: { subjectAlternativeNames: hosts(20) } });
    expect(warnings([imported])).toEqual([]);
  });
});
