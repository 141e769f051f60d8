/**
 * CognitoEmailConfigExplicit, CognitoCustomDomainParentRecord and CognitoUserPoolDestroyable on what users build right,
 * and the cases their fixtures leave out: a stated sender of either kind, a custom domain that waits for its parent's A
 * record (directly, through UserAuth's domain.dependsOn, or through something that waits for it), the records that do
 * not count, and the protected pools a destroy does not try to delete.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { UserAuth } from "../../components/user-auth";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkDeployRules, COGNITO_CUSTOM_DOMAIN_PARENT_RECORD, COGNITO_EMAIL_CONFIG_EXPLICIT, COGNITO_RULES, COGNITO_USER_POOL_DESTROYABLE, DEPLOY_RULES, formatFinding } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { devContext, handBuilt } from "./fixture";

const POOL = "aws:cognito/userPool:UserPool";
const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
const RECORD = "aws:route53/record:Record";
const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
const cloudFrontAlias = { aliases: [{ name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }] };

const explicit = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [COGNITO_EMAIL_CONFIG_EXPLICIT]).map(formatFinding);
const parentRecord = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [COGNITO_CUSTOM_DOMAIN_PARENT_RECORD]).map(formatFinding);

describe("CognitoEmailConfigExplicit", () => {
  it("is in COGNITO_RULES and DEPLOY_RULES", () => {
    expect(COGNITO_RULES).toContain(COGNITO_EMAIL_CONFIG_EXPLICIT);
    expect(DEPLOY_RULES).toContain(COGNITO_EMAIL_CONFIG_EXPLICIT);
  });

  it("passes a pool that states Cognito's sender or an SES one, and UserAuth's pool with or without an SES sender", async () => {
    const cognito = handBuilt(POOL, "cognito", { emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" } });
    const ses = handBuilt(POOL, "ses", { emailConfiguration: { emailSendingAccount: "DEVELOPER", sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/example.com" } });
    expect(explicit([cognito, ses])).toEqual([]);
    const graph = await record(() => {
      new UserAuth("plain", { callbackUrls: ["https://gallery.example.com/"] });
      new UserAuth("mailer", { callbackUrls: ["https://gallery.example.com/"], email: { sesIdentityArn: "arn:aws:ses:us-east-1:123456789012:identity/gallery.example.com", from: "no-reply@gallery.example.com" } });
    });
    expect(explicit(graph)).toEqual([]);
  });

  it("leaves a production pool without the block to CognitoEmailSender, which already asks for a stated DEVELOPER block; a dev pool is its own", () => {
    const bare = handBuilt(POOL, "bare", {});
    const prod = { ...devContext, stack: "prod", production: true };
    expect(checkDeployRules([bare], prod, COGNITO_RULES).map((f) => f.rule)).toEqual(["CognitoEmailSender"]);
    expect(checkDeployRules([bare], devContext, COGNITO_RULES).map((f) => f.rule)).toEqual(["CognitoEmailConfigExplicit"]);
  });

  it("names the pool, why the provider keeps a removed sender, and the block to set", () => {
    const [finding] = checkDeployRules([handBuilt(POOL, "bare", {})], devContext, [COGNITO_EMAIL_CONFIG_EXPLICIT]);
    expect(finding.resource).toBe(`${POOL} bare`);
    expect(finding.problem).toMatch(/SuppressMissingOptionalConfigurationBlock/);
    expect(finding.fix).toBe('set emailConfiguration { emailSendingAccount: "COGNITO_DEFAULT" } when Cognito sends the email (or the DEVELOPER block with your SES identity), and keep it set');
  });
});

describe("CognitoCustomDomainParentRecord", () => {
  it("is in COGNITO_RULES and DEPLOY_RULES", () => {
    expect(COGNITO_RULES).toContain(COGNITO_CUSTOM_DOMAIN_PARENT_RECORD);
    expect(DEPLOY_RULES).toContain(COGNITO_CUSTOM_DOMAIN_PARENT_RECORD);
  });

  it("passes a UserAuth custom domain given the parent's A record in domain.dependsOn", async () => {
    const graph = await record(() => {
      const apex = new aws.route53.Record("site-apex", { zoneId: "Z0123", name: "gallery.example.com", type: "A", ...cloudFrontAlias });
      new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/"], domain: { name: "auth.gallery.example.com", certificateArn, hostedZoneId: "Z0123", dependsOn: [apex] } });
    });
    expect(parentRecord(graph)).toEqual([]);
    // The same program without dependsOn is the rule's fixture; with it removed here, the rule finds the domain.
    const domain = graph.find((r) => r.type === DOMAIN)!;
    const unordered = graph.map((r) => (r === domain ? { ...r, dependencies: [] } : r));
    expect(parentRecord(unordered)).toEqual([expect.stringMatching(/^dev: \[CognitoCustomDomainParentRecord\] aws:cognito\/userPoolDomain:UserPoolDomain auth-custom-domain: is custom domain auth\.gallery\.example\.com, whose parent gallery\.example\.com/)]);
  });

  it("passes the docs' program: a StaticSite on the apex and a UserAuth on auth.<apex> given site.nodes.records, and finds it without them", async () => {
    const program = (wait: boolean) => () => {
      const site = new StaticSite("site", { path: "tests/fixtures/site", domain: { name: "gallery.example.com", hostedZoneId: "Z0123" } });
      new UserAuth("auth", { callbackUrls: [site.url], domain: { name: "auth.gallery.example.com", certificateArn, hostedZoneId: "Z0123", dependsOn: wait ? site.nodes.records : undefined } });
    };
    expect(parentRecord(await record(program(true)))).toEqual([]);
    expect(parentRecord(await record(program(false)))).toEqual([expect.stringMatching(/auth-custom-domain: is custom domain auth\.gallery\.example\.com, whose parent gallery\.example\.com gets its A record from aws:route53\/record:Record site-a-/)]);
  });

  it("passes a domain that waits for the record through something else it depends on", () => {
    const apex = handBuilt(RECORD, "apex", { zoneId: "Z0123", name: "gallery.example.com", type: "A", ...cloudFrontAlias });
    const between = handBuilt("aws:acm/certificateValidation:CertificateValidation", "cert-validation", { certificateArn }, { dependencies: [apex.urn] });
    const domain = handBuilt(DOMAIN, "domain", { domain: "auth.gallery.example.com", certificateArn }, { dependencies: [between.urn] });
    expect(parentRecord([apex, between, domain])).toEqual([]);
  });

  it("matches the parent's name with a trailing dot, in any case, or relative to a zone of the plan", () => {
    const domain = handBuilt(DOMAIN, "domain", { domain: "auth.gallery.example.com", certificateArn });
    const zone = handBuilt("aws:route53/zone:Zone", "zone", { name: "gallery.example.com" }, { id: "Z0123", state: { name: "gallery.example.com", zoneId: "Z0123" } });
    for (const name of ["Gallery.Example.com.", ""]) {
      const apex = handBuilt(RECORD, "apex", { zoneId: "Z0123", name, type: "A", ...cloudFrontAlias });
      expect(parentRecord([zone, apex, domain]), JSON.stringify(name)).toHaveLength(1);
    }
    const sub = handBuilt(DOMAIN, "domain", { domain: "auth.eu.gallery.example.com", certificateArn });
    expect(parentRecord([zone, handBuilt(RECORD, "eu", { zoneId: "Z0123", name: "eu", type: "A", records: ["192.0.2.1"], ttl: 300 }), sub])).toHaveLength(1);
  });

  it("ignores prefix domains, records of other names or types, and parents whose record is not in the plan", () => {
    const custom = handBuilt(DOMAIN, "domain", { domain: "auth.gallery.example.com", certificateArn });
    const prefix = handBuilt(DOMAIN, "prefix", { domain: "gallery" });
    const aaaa = handBuilt(RECORD, "apex-v6", { zoneId: "Z0123", name: "gallery.example.com", type: "AAAA", ...cloudFrontAlias });
    const own = handBuilt(RECORD, "auth-alias", { zoneId: "Z0123", name: "auth.gallery.example.com", type: "A", ...cloudFrontAlias });
    const grandparent = handBuilt(RECORD, "example", { zoneId: "Z0456", name: "example.com", type: "A", records: ["192.0.2.1"], ttl: 300 });
    expect(parentRecord([custom, prefix, aaaa, own, grandparent])).toEqual([]);
    expect(parentRecord([prefix, handBuilt(RECORD, "gallery", { zoneId: "Z0123", name: "gallery", type: "A", records: ["192.0.2.1"], ttl: 300 })])).toEqual([]);
  });
});

describe("CognitoUserPoolDestroyable", () => {
  const destroyable = (graph: RecordedResource[], context = devContext) => checkDeployRules(graph, context, [COGNITO_USER_POOL_DESTROYABLE]);
  const prod = { ...devContext, stack: "prod", production: true };

  it("is in COGNITO_RULES and DEPLOY_RULES", () => {
    expect(COGNITO_RULES).toContain(COGNITO_USER_POOL_DESTROYABLE);
    expect(DEPLOY_RULES).toContain(COGNITO_USER_POOL_DESTROYABLE);
  });

  it("passes a pool without protection, and a protected one the stack never deletes (kept on delete, or protect)", () => {
    const graph = [
      handBuilt(POOL, "unset", {}),
      handBuilt(POOL, "inactive", { deletionProtection: "INACTIVE" }),
      handBuilt(POOL, "kept", { deletionProtection: "ACTIVE" }, { retainOnDelete: true }),
      handBuilt(POOL, "guarded", { deletionProtection: "ACTIVE" }, { protect: true }),
    ];
    expect(destroyable(graph)).toEqual([]);
    expect(destroyable(graph, prod)).toEqual([]);
  });

  it("passes UserAuth's pool by default and with retainOnDelete (protection follows it)", async () => {
    const graph = await record(() => {
      new UserAuth("plain", { callbackUrls: ["https://gallery.example.com/"] });
      new UserAuth("kept", { callbackUrls: ["https://gallery.example.com/"], retainOnDelete: true });
    });
    expect(graph.filter((r) => r.type === POOL).map((r) => r.inputs.deletionProtection)).toEqual(["INACTIVE", "ACTIVE"]);
    expect(destroyable(graph)).toEqual([]);
  });

  it("asks a production stack to keep the pool, and another stack to keep it or drop the protection; a component's pool by the component", async () => {
    const bare = handBuilt(POOL, "bare", { deletionProtection: "ACTIVE" });
    expect(destroyable([bare], prod).map((f) => f.fix)).toEqual(["set retainOnDelete: true on the pool, so the pool and its users outlive a destroy"]);
    expect(destroyable([bare]).map((f) => f.fix)).toEqual(['set retainOnDelete: true on the pool to keep the pool and its users, or deletionProtection "INACTIVE" on a pool this stack may delete']);
    // UserAuth refuses protection without retainOnDelete itself; a transformation still gets its pool one.
    const protectPool = (args: { type: string; props: Record<string, unknown>; opts: object }) =>
      args.type === POOL ? { props: { ...args.props, deletionProtection: "ACTIVE" }, opts: args.opts } : undefined;
    const graph = await record(() => new UserAuth("pool-only", { callbackUrls: ["https://gallery.example.com/"], identityPool: { enabled: false } }, { transformations: [protectPool] }));
    expect(destroyable(graph).map(formatFinding)).toEqual([
      expect.stringMatching(/^dev: \[CognitoUserPoolDestroyable\] aws:cognito\/userPool:UserPool pool-only-pool: .* fails part-way, after its dependents \(app clients, domains, groups, identity pool\) are deleted\. Fix: set retainOnDelete: true on UserAuth pool-only to keep the pool and its users, or remove deletionProtection from the transformation that sets it on a pool this stack may delete \(UserAuth protects its pool only with retainOnDelete, so a transformation set the protection or dropped retainOnDelete\)$/),
    ]);
    expect(destroyable(graph, prod).map((f) => f.fix)).toEqual(["set retainOnDelete: true on UserAuth pool-only, so the pool and its users outlive a destroy"]);
  });
});
