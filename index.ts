/**
 * The reference app: a photo gallery. Reads the stack's config, composes the
 * components, and exports what a deploy (or `npm start`) needs to know.
 * `pulumi up` deploys it; `npm start` runs this same file under mocks and serves it locally.
 */
import * as pulumi from "@pulumi/pulumi";
import { StaticSite, UserAuth, type MfaMode, type StaticSiteDomain, type ThreatProtection } from "./components";

const config = new pulumi.Config();
const retainData = config.getBoolean("retainData") ?? false;
const logRetentionDays = config.getNumber("logRetentionDays") ?? 30;

// ---------------------------------------------------------------- presentation
function siteDomain(): StaticSiteDomain | undefined {
  const name = config.get("domainName");
  if (!name) return undefined;
  const failoverDomainName = config.get("failoverDomainName");
  return {
    name,
    hostedZoneId: config.get("hostedZoneId") || undefined,
    certificateArn: config.get("certificateArn") || undefined,
    failover: failoverDomainName ? { domainName: failoverDomainName, hostedZoneId: config.require("failoverHostedZoneId") } : undefined,
  };
}

const site = new StaticSite("site", {
  path: config.get("siteDir") ?? "site",
  hosting: (config.get("siteHosting") as "oac" | "s3-website" | undefined) ?? "oac",
  spa: config.getBoolean("spaFallback") ?? false,
  priceClass: config.get("priceClass") as "PriceClass_100" | "PriceClass_200" | "PriceClass_All" | undefined,
  domain: siteDomain(),
  logs: { retentionDays: logRetentionDays },
  retainOnDelete: retainData,
});

export const siteUrl = site.url;
export const siteBucketName = site.bucketName;
export const logBucketName = site.logBucketName;
export const distributionId = site.distributionId;
export const distributionDomainName = site.domainName;

// ---------------------------------------------------------------- auth (UserAuth)
/** The site's own URL, plus any extra ones from config (e.g. http://localhost:3000/ for `npm start` in dev). */
function authCallbackUrls(): pulumi.Input<string>[] {
  const extra = (config.get("authCallbackUrls") ?? "").split(",").map((url) => url.trim()).filter(Boolean);
  return [pulumi.interpolate`${site.url}/`, ...extra];
}

function localDemoUser() {
  const email = config.get("localDemoUser");
  return email ? { email, password: config.require("localDemoPassword"), groups: ["admin"] } : undefined;
}

const authDomainPrefix = config.get("authDomainPrefix");
const auth = new UserAuth("auth", {
  callbackUrls: authCallbackUrls(),
  passwordPolicy: { minimumLength: config.getNumber("passwordMinLength") ?? 12 },
  mfa: (config.get("mfa") as MfaMode | undefined) ?? "ON",
  threatProtection: (config.get("threatProtection") as ThreatProtection | undefined) ?? "ENFORCED",
  domain: authDomainPrefix ? { prefix: authDomainPrefix } : undefined,
  groups: [{ name: "admin", description: "Gallery administrators", precedence: 0 }],
  retainOnDelete: retainData,
  localDemoUser: localDemoUser(),
});

export const userPoolId = auth.userPoolId;
export const userPoolArn = auth.userPoolArn;
export const userPoolClientId = auth.clientId;
export const authIssuerUrl = auth.issuerUrl;
export const authJwksUrl = auth.jwksUrl;
export const identityPoolId = auth.identityPoolId;
export const hostedUiUrl = auth.hostedUiUrl;
