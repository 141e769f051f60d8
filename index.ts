/**
 * The reference app: a photo gallery. Reads the stack's config, composes the
 * components, and exports what a deploy (or `npm start`) needs to know.
 * `pulumi up` deploys it; `npm start` runs this same file under mocks and serves it locally.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  BackupPlan,
  DataTier,
  EdgeLogic,
  EventBus,
  LambdaFunction,
  MessageQueue,
  RegionalApis,
  RoutingPolicy,
  replicaArn,
  Monitoring,
  PrivateNetwork,
  monitoringTargets,
  RealtimeApi,
  StackSecret,
  StaticSite,
  Topic,
  UploadBucket,
  UserAuth,
  Workflow,
  registerStackTags,
  requestModel,
  tagsFromConfig,
  connectionsTableArgs,
  type ApiStage,
  type WebAclArgs,
  type MfaMode,
  type StaticSiteDomain,
  type ThreatProtection,
} from "./components";
import type { EdgeAuthConfig } from "./handlers/edge/auth";
import type { OriginResponseConfig } from "./handlers/edge/origin-response";
import { ALBUM_DELETION_REQUESTED, ALBUM_EVENTS_SOURCE, ALBUM_PREFIX, GSI1, PHOTO_PREFIX, TTL_ATTRIBUTE, userPk } from "./handlers/shared/gallery-keys";
import { ALLOWED_IMAGE_TYPES, CreateAlbum, CreatePhoto, MAX_IMAGE_BYTES, UpdateAlbum, UpdatePhoto } from "./handlers/shared/gallery-schemas";

const config = new pulumi.Config();

// ---------------------------------------------------------------- operations: tags (first: they apply to what comes after)
// app, stack and the `tags` config on every taggable resource, for cost allocation (docs/operations.md).
registerStackTags({ tags: tagsFromConfig(config.getObject<string[]>("tags") ?? []) });
// ---------------------------------------------------------------- end operations: tags

const retainData = config.getBoolean("retainData") ?? false;
const logRetentionDays = config.getNumber("logRetentionDays") ?? 30;

// ---------------------------------------------------------------- data (DataTier)
// The gallery's single-table design (README "DataTier"; keys in handlers/shared/gallery-keys.ts)
// and the per-user preferences the browser reads and writes directly with identity-pool credentials.
// Multi-region (docs/multi-region.md): `regions` lists where the API runs, the home region first; the tables
// replicate to every other one (replicaRegions must list them), so each region's functions read and write locally.
const regions = config.getObject<string[]>("regions") ?? [];
/** The stack's own region (aws:region): the buckets, the user pool and the home API live here. */
const homeRegion = new pulumi.Config("aws").require("region");
const replicaRegions = config.getObject<string[]>("replicaRegions") ?? [];
const unreplicated = regions.slice(1).filter((region) => !replicaRegions.includes(region));
if (unreplicated.length > 0) {
  throw new Error(`config regions lists ${unreplicated.join(", ")}, which replicaRegions lacks: the API there would find no table replica. Add ${unreplicated.join(", ")} to replicaRegions.`);
}
const exportSchedule = config.get("exportSchedule") ?? "";

const data = new DataTier("data", {
  tables: {
    gallery: {
      attributes: { pk: "S", sk: "S", gsi1pk: "S", gsi1sk: "S" },
      partitionKey: "pk",
      sortKey: "sk",
      globalIndexes: { [GSI1]: { partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: "ALL" } },
      ttlAttribute: TTL_ATTRIBUTE,
      stream: "NEW_AND_OLD_IMAGES",
      replicaRegions,
    },
    preferences: {
      attributes: { identityId: "S", key: "S" },
      partitionKey: "identityId",
      sortKey: "key",
      replicaRegions,
    },
    // Open WebSocket connections of the gallery's live updates (RealtimeApi, below): connection id, user, TTL.
    connections: connectionsTableArgs(),
  },
  export: exportSchedule ? { schedule: exportSchedule, logRetentionDays } : undefined,
  // Records of events already handled (thumbnails, counters): a redelivered event changes nothing.
  idempotency: {},
  deletionProtection: retainData,
  retainOnDelete: retainData,
});

const idempotencyTableName = data.tables.idempotency.name;

/** album.photoCount and profile.albumCount, kept from the gallery table's stream; each record counted once. */
const counters = new LambdaFunction("gallery-counters", {
  entry: "handlers/data/counters.ts",
  description: "Keeps album photo counts and profile album counts from the gallery stream",
  timeout: 30,
  logRetentionDays,
  environment: { TABLE_NAME: data.tables.gallery.name, IDEMPOTENCY_TABLE_NAME: idempotencyTableName, POWERTOOLS_SERVICE_NAME: "gallery-counters" },
  permissions: [...data.tables.gallery.grants.write(["dynamodb:UpdateItem"]), ...data.idempotencyGrants()],
});
data.subscribe("counters", "gallery", counters, { batchSize: 100, maximumRetryAttempts: 5 });

export const galleryTableName = data.tables.gallery.name;
export const preferencesTableName = data.tables.preferences.name;
export const exportBucketName = data.exportBucketName;
// ---------------------------------------------------------------- end data

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

/** Cognito sends sign-up codes and password resets through this SES identity; unset, its default sender (50 a day per account). */
function authEmail() {
  const sesIdentityArn = config.get("authEmailSesIdentityArn");
  if (!sesIdentityArn) return undefined;
  return {
    sesIdentityArn,
    from: config.require("authEmailFrom"),
    replyTo: config.get("authEmailReplyTo") || undefined,
    configurationSet: config.get("authEmailConfigurationSet") || undefined,
  };
}

// Constructed before the edge, the API and the site, which all need the pool; the app client gets the site's URL
// once the site exists (auth.setCallbackUrls in the presentation section).
const auth = new UserAuth("auth", {
  passwordPolicy: { minimumLength: config.getNumber("passwordMinLength") ?? 12 },
  mfa: (config.get("mfa") as MfaMode | undefined) ?? "ON",
  threatProtection: (config.get("threatProtection") as ThreatProtection | undefined) ?? "ENFORCED",
  email: authEmail(),
  // The site signs in through the hosted UI. Its prefix is unique across all accounts in the region, so
  // UserAuth derives one from project, stack and account unless authDomainPrefix overrides it.
  domain: { prefix: config.get("authDomainPrefix") || undefined },
  groups: [{ name: "admin", description: "Gallery administrators", precedence: 1 }],
  // Seed 002's row-level security: the browser reaches only its own preferences (partition key = identity id).
  identityPool: {
    rowLevelSecurity: [
      // Every replica too: a browser signed in through either region's API may write its preferences in either (docs/multi-region.md).
      ...[undefined, ...replicaRegions].map((region) => ({
        tableArn: region ? data.tables.preferences.arn.apply((arn) => replicaArn(arn, region)) : data.tables.preferences.arn,
        actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      })),
    ],
  },
  // Seed 003: a confirmed sign-up gets its profile item (USER#<sub> / PROFILE) in the gallery table.
  triggers: {
    postConfirmation: {
      entry: "handlers/auth/post-confirmation.ts",
      description: "Creates the user's gallery profile when they confirm their sign-up",
      timeout: 5, // Cognito waits at most 5 seconds for a trigger
      logRetentionDays,
      environment: { TABLE_NAME: data.tables.gallery.name, POWERTOOLS_SERVICE_NAME: "auth-post-confirmation" },
      permissions: data.tables.gallery.grants.write(["dynamodb:PutItem"]),
    },
  },
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

// ---------------------------------------------------------------- edge (EdgeLogic)
// CloudFront Functions on the default behaviour's viewer events (clean URLs, canonical host,
// KeyValueStore redirects, the home-page A/B test) and Lambda@Edge for the Cognito check on
// protected paths and for origin responses (SEO headers, the site's error document). CloudFront
// refuses CloudFront Functions next to Lambda@Edge on one behaviour's viewer events, so protected
// paths run Lambda@Edge only, and the extra security headers come from the site's response headers
// policy. Constructed before the site, which attaches `edge.associations`. The auth check verifies
// the user pool's id tokens (auth section above): its issuer and app client are baked into the
// Lambda@Edge bundle at deploy time.
const siteDir = config.get("siteDir") ?? "site";
const siteErrorDocument = "error.html";

const edgeEnabled = config.getBoolean("edgeEnabled") ?? true;
// The paths the edge auth check guards and the cookie it reads; the browser sets that cookie on exactly
// these paths after sign-in (GET /api/config's auth.cookie, site/src/auth.ts).
const protectedPaths = (config.get("protectedPaths") ?? "/account/*").split(",").map((p) => p.trim()).filter(Boolean);
const authCookie = config.get("authCookie") ?? "gallery-id-token";

function edgeLogic(): EdgeLogic | undefined {
  if (!edgeEnabled) return undefined;
  const abTestPercent = config.getNumber("abTestPercent") ?? 50;
  const spaFallback = config.getBoolean("spaFallback") ?? false;
  const edgeAuth: { [K in keyof EdgeAuthConfig]: pulumi.Input<EdgeAuthConfig[K]> } = {
    issuer: auth.issuerUrl,
    // The app client's callback URL is the site's: with a custom domain that is plain config and the
    // client id can be baked in (audience pinned). On the CloudFront domain it would be a cycle
    // (client ← distribution ← this function's version ← client id), so any client of the pool is
    // accepted — UserAuth makes one — with the issuer, signature, expiry and token_use still checked.
    clientId: config.get("domainName") ? auth.clientId : null,
    cookie: authCookie,
    signInPath: config.get("signInPath") ?? "/",
  };
  // Variant pages are not noindexed (they carry rel=canonical to the page under test, as search
  // engines ask for A/B tests); signed-in pages always are, and a stack not open to search engines
  // (dev) marks everything, so its *.cloudfront.net copy of the site never competes with prod.
  const searchIndexing = config.getBoolean("searchIndexing") ?? false;
  const originResponse: OriginResponseConfig = {
    noindexPrefixes: searchIndexing ? protectedPaths.map((p) => p.replace(/\*$/, "")) : ["/"],
    defaultCacheControl: "public, max-age=300",
    errorCacheControl: "max-age=10",
    // The API shares the distribution, so the site's 404 page comes from this function, not a
    // distribution-wide custom error response (which would replace the API's JSON 404s too).
    // The page is in Vite's public/ folder, which the build copies as is: this is the published page's text.
    errorDocument: readFileSync(join(siteDir, "public", siteErrorDocument), "utf8"),
  };
  const experiment = abTestPercent > 0
    ? { cookie: "gallery-ab-home", paths: ["/index.html"], variants: [{ name: "a", weight: 100 - abTestPercent }, { name: "b", weight: abTestPercent, prefix: "/variants/b" }] }
    : undefined;
  return new EdgeLogic("edge", {
    // Old links, managed as data: updating a redirect does not republish the function.
    keyValueStore: { data: { "/about-us": "/about", "/index.htm": "/" } },
    functions: {
      "viewer-request": {
        file: "handlers/edge/viewer-request.js",
        eventType: "viewer-request",
        keyValueStore: true,
        config: {
          canonicalHost: config.get("canonicalHost") || config.get("domainName") || undefined,
          redirects: true,
          cleanUrls: "html",
          spaFallback: spaFallback ? "index.html" : undefined,
          // This function owns the site's viewer-request, so it serves /docs/ as docs/index.html (StaticSite's directoryIndex
          // steps aside); in SPA mode a folder URI is a client route and serves the SPA root instead, as StaticSite's spa does.
          directoryIndex: spaFallback ? false : "index.html",
          experiment,
        },
      },
      // The A/B test's sticky cookie; the default behaviour only, as protected paths run Lambda@Edge on viewer-request.
      // It sets only this experiment's cookie with one of its variants: never text a client sent.
      "viewer-response": {
        file: "handlers/edge/viewer-response.js",
        eventType: "viewer-response",
        config: { cookieMaxAgeSeconds: 30 * 24 * 3600, cookie: experiment?.cookie, variants: experiment?.variants.map((v) => v.name) },
      },
    },
    lambdas: {
      auth: {
        entry: "handlers/edge/auth.ts",
        eventType: "viewer-request",
        pathPatterns: protectedPaths,
        define: { __EDGE_AUTH_CONFIG__: pulumi.jsonStringify(edgeAuth) },
      },
      "origin-response": {
        entry: "handlers/edge/origin-response.ts",
        eventType: "origin-response",
        pathPatterns: ["default", ...protectedPaths],
        define: { __EDGE_ORIGIN_RESPONSE_CONFIG__: JSON.stringify(originResponse) },
        servesErrorDocument: true,
      },
    },
    // Lambda@Edge logs in every region CloudFront runs the functions in, kept as long as the stack's other logs.
    logs: { regions: config.getObject<string[]>("edgeLogRegions"), retentionDays: logRetentionDays },
  });
}

const edge = edgeLogic();

export const edgeFunctionArns = edge?.functionArns;
export const edgeLambdaVersionArns = edge?.lambdaQualifiedArns;
// ---------------------------------------------------------------- end edge

// ---------------------------------------------------------------- application / API (ServerlessApi)
// The gallery's REST API (handlers/api/), which the browser reaches through the site's CloudFront
// at /api/*. Its authorizers trust UserAuth's pool (auth section above).
interface BrowserAuthConfig {
  mode: "hosted-ui" | "none";
  region: string;
  userPoolId: string;
  clientId: string;
  hostedUiUrl?: string;
  cognitoEndpoint: string;
  scopes: string[];
  /** The cookie the edge auth check reads, and the cookie paths that cover the protected path patterns. */
  cookie?: { name: string; paths: string[] };
}

/** The cookie Path that covers a CloudFront path pattern: its literal prefix ("/account/*" → "/account/"). */
function cookiePath(pattern: string): string {
  const wildcard = pattern.search(/[*?]/);
  const prefix = wildcard === -1 ? pattern : pattern.slice(0, wildcard);
  return prefix.startsWith("/") ? prefix : "/";
}
/** How the browser signs in (site/src/auth.ts), served by GET /api/config: through the hosted UI (authorization code + PKCE) when the pool has one. */
const browserAuthConfig = pulumi.all([auth.userPoolId, auth.clientId, auth.hostedUiUrl]).apply(([userPoolId, clientId, hostedUiUrl]): BrowserAuthConfig => {
  const region = userPoolId.split("_")[0];
  return {
    mode: hostedUiUrl ? "hosted-ui" : "none",
    region,
    userPoolId,
    clientId,
    ...(hostedUiUrl ? { hostedUiUrl } : {}),
    cognitoEndpoint: `https://cognito-idp.${region}.amazonaws.com/`,
    scopes: auth.spec.client.oauthScopes,
    ...(edgeEnabled ? { cookie: { name: authCookie, paths: [...new Set(protectedPaths.map(cookiePath))] } } : {}),
  };
});

// Signs the API's page cursors (handlers/shared/cursor.ts): one key per stack, generated into state and kept in
// Secrets Manager; the list routes read it at run time (Powertools, cached), never from their environment
// (docs/secrets.md). Prod encrypts it with its own KMS key and keeps a deleted secret restorable for 30 days.
const cursorKey = new random.RandomPassword("api-cursor-secret", { length: 48, special: false });
const cursorSecret = new StackSecret("api-cursor", {
  value: cursorKey.result,
  description: "Signs the gallery API's page cursors",
  customerKey: config.getBoolean("secretsCustomerKey") ?? false,
  recoveryWindowDays: retainData ? 30 : 0,
  // Multi-region: each region's list functions read their own region's replica (RegionalApis rewrites the ARNs).
  replicaRegions: regions.slice(1),
});
const cursorSecrets = { CURSOR_SECRET_ID: cursorSecret.functionSecret };

const uploads = new UploadBucket("uploads", { logRetentionDays: Math.max(logRetentionDays, 90), retainOnDelete: retainData });
// Multi-region: originals replicate to the second region (SSE-S3 there, like the source), so they survive the home region (docs/multi-region.md).
const originalsReplica = regions[1] ? uploads.replicate(regions[1], "originals/") : undefined;
/**
 * Reading the replica of the originals in its region (GET of one photo prefers it there; handlers/api/photos.ts), whose
 * HEAD finds out whether an original has replicated yet. A HEAD of a missing key is 404 only to a caller allowed
 * s3:ListBucket on the bucket: "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code
 * 403 Forbidden error" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html), which the route would
 * answer 500 for every photo not replicated yet. The replica holds originals only.
 */
const originalsReplicaRead = originalsReplica
  ? [
      { sid: "ReadOriginalsReplica", actions: ["s3:GetObject"], resources: [pulumi.interpolate`${originalsReplica.bucket.arn}/originals/*`] },
      { sid: "FindOriginalsReplica", actions: ["s3:ListBucket"], resources: [originalsReplica.bucket.arn] },
    ]
  : [];

function apiStages(): Record<string, ApiStage> {
  const throttle = { rateLimit: config.getNumber("apiThrottleRateLimit") ?? 100, burstLimit: config.getNumber("apiThrottleBurstLimit") ?? 200 };
  const names = config.getObject<string[]>("apiStages") ?? ["dev"];
  return Object.fromEntries(names.map((stage) => [stage, { throttle }]));
}

/** Canary from config; promotion is removing apiCanaryStage (README "ServerlessApi"). */
function apiCanary() {
  const stage = config.get("apiCanaryStage");
  return stage ? { stage, percentTraffic: config.getNumber("apiCanaryPercent") ?? 0 } : undefined;
}

/**
 * The API's custom domain. In several regions, a certificate per region validated in hostedZoneId and routed by
 * Route 53 (apiRouting: latency, or failover for active-passive). In one region, the same without the routing: a
 * certificate validated in hostedZoneId and a simple A/AAAA alias of apiDomainName there, so going back from several
 * regions to one needs no new key (docs/multi-region.md, "Dropping a region"); or, with apiCertificateArn, that
 * certificate and no record (the name's DNS stays yours, as before).
 */
function apiDomain() {
  const name = config.get("apiDomainName");
  if (!name) return undefined;
  const certificateArn = config.get("apiCertificateArn") || undefined;
  if (regions.length <= 1 && certificateArn) return { name, certificateArn };
  const hostedZoneId = config.get("hostedZoneId") || undefined;
  if (!hostedZoneId) {
    throw new Error(
      `config apiDomainName is ${name}, but hostedZoneId is empty: the API's certificate${regions.length > 1 ? "s are" : " is"} validated and its records written in that Route 53 zone. Set hostedZoneId to the zone of ${name}${regions.length > 1 ? "" : ", or apiCertificateArn to a certificate for it in this region (the name's DNS record is then yours)"}.`,
    );
  }
  return { name, hostedZoneId };
}

function apiRouting() {
  if (regions.length < 2) return undefined;
  const policy = (config.get("apiRouting") ?? RoutingPolicy.Latency) as RoutingPolicy;
  return { policy, healthRoute: "GET /health", requestInterval: config.getNumber("apiHealthCheckInterval") ?? 30, failureThreshold: config.getNumber("apiHealthCheckFailures") ?? 3 };
}

// Each route's function gets exactly the table actions (and upload-bucket actions) it uses.
const gallery = data.tables.gallery.grants;
const originals = (action: "s3:GetObject" | "s3:PutObject" | "s3:DeleteObject") => uploads.grants("originals/", [action]);
const albumsHandler = "handlers/api/albums.ts";
const photosHandler = "handlers/api/photos.ts";

// The live updates' WebSocket URL for GET /config; the RealtimeApi comes after the API (realtime section), because its
// stage logs through the API Gateway account setting the API owns in prod.
const [liveUrl, resolveLiveUrl] = pulumi.deferredOutput<string>();

// ---------------------------------------------------------------- network (PrivateNetwork, docs/private-network.md)
// apiEndpointType PRIVATE without apiVpcEndpointIds: the API answers through an execute-api endpoint in a VPC
// (new, or vpcId's), and apiFunctionsInVpc runs its route functions there, reaching DynamoDB and S3 through gateway
// endpoints and Secrets Manager and X-Ray through interface endpoints (no NAT gateway). Off in dev and prod.
const apiEndpointType = (config.get("apiEndpointType") as "REGIONAL" | "EDGE" | "PRIVATE" | undefined) ?? "REGIONAL";
const apiFunctionsInVpc = config.getBoolean("apiFunctionsInVpc") ?? false;
function privateNetwork(): PrivateNetwork | undefined {
  if (apiEndpointType !== "PRIVATE" && !apiFunctionsInVpc) return undefined;
  const vpcId = config.get("vpcId");
  return new PrivateNetwork("network", {
    existingVpc: vpcId ? { vpcId, subnetIds: config.requireObject<string[]>("vpcSubnetIds") } : undefined,
    executeApiEndpoint: apiEndpointType === "PRIVATE" && (config.getObject<string[]>("apiVpcEndpointIds") ?? []).length === 0,
    // sqs: DELETE of a photo sends to the photo-removals queue.
    interfaceEndpoints: apiFunctionsInVpc ? ["secretsmanager", "xray", "sqs"] : [],
  });
}
const network = privateNetwork();
const apiVpcEndpointIds = network?.executeApiEndpointId ? [network.executeApiEndpointId] : (config.getObject<string[]>("apiVpcEndpointIds") ?? []);
// ---------------------------------------------------------------- end network

// ---------------------------------------------------------------- photo removals (MessageQueue)
// DELETE /albums/{albumId}/photos/{photoId} sends the photo's object keys here before it deletes the item, and this
// function deletes the objects once the item is gone (handlers/photo-removal): an S3 failure no longer orphans them,
// it is retried (visibility timeout, then the dead-letter queue, alarmed in prod). The queue is in the home region,
// with the bucket; the API in other regions sends to it, signing for this region (PHOTO_REMOVALS_QUEUE_REGION).
// Receives before SQS moves a failing removal to the dead-letter queue (the queue's maxReceiveCount). The consumer gets it
// too (MAX_RECEIVES): on the last receive a removal whose photo still exists (its DELETE failed) is dropped, not
// dead-lettered, so the DLQ alarm fires only for removals that really failed.
const photoRemovalsMaxReceives = 5;
const photoObjectRemoval = new LambdaFunction("photo-object-removal", {
  entry: "handlers/photo-removal/index.ts",
  description: "Deletes a deleted photo's original and thumbnails once its item is gone",
  // A batch of 10: a read and up to three deletes each, in parallel. The queue's visibility timeout follows (6 × 10 s).
  timeout: 10,
  logRetentionDays,
  environment: { TABLE_NAME: data.tables.gallery.name, UPLOAD_BUCKET_NAME: uploads.bucketName, MAX_RECEIVES: String(photoRemovalsMaxReceives), POWERTOOLS_SERVICE_NAME: "photo-object-removal" },
  permissions: [...gallery.read(["dynamodb:GetItem"]), ...originals("s3:DeleteObject"), ...uploads.grants("thumbnails/", ["s3:DeleteObject"])],
});
const photoRemovals = new MessageQueue("photo-removals", {
  consumer: { function: photoObjectRemoval, batchSize: 10 },
  maxReceiveCount: photoRemovalsMaxReceives,
  // The API sends before it deletes the item: held back, a message usually arrives after the delete instead of failing
  // once and waiting out the visibility timeout. In one region the delete follows the send by one DynamoDB call, so 1 s
  // covers it; with the API in other regions it must also replicate to the home table ("Changes made to an item in one
  // region are typically replicated to all other regions within a second",
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables.tutorial.html), so 5 s.
  // SQS DelaySeconds: 0–900 (MessageQueue checks it).
  delaySeconds: regions.length > 1 ? 5 : 1,
});
/** What the photos API's DELETE, the thumbnail function and the photo clean-up need to send (handlers/shared/photo-removals.ts removalsQueue). */
const photoRemovalsProducer = {
  permissions: photoRemovals.grants.send(),
  environment: { ...photoRemovals.environment("PHOTO_REMOVALS_QUEUE_URL"), PHOTO_REMOVALS_QUEUE_REGION: homeRegion },
};
// Read with `aws sqs get-queue-url --queue-name`; anything in the dead-letter queue is a removal that kept failing.
export const photoRemovalsQueueName = photoRemovals.queueName;
export const photoRemovalsDeadLetterQueueName = photoRemovals.deadLetterQueue.name;
// ---------------------------------------------------------------- end photo removals

// ---------------------------------------------------------------- album deletion (EventBus, Workflow, Topic)
// DELETE /albums/{albumId} of an album with photos marks it deleting, answers 202 and puts AlbumDeletionRequested on
// the gallery bus; its rule starts this workflow, which removes the album's photos page by page exactly as DELETE of
// a photo does (the removal to the photo-removals queue first, then the item if it is still as read), then the album
// item, and tells the album-notices topic. Its Tasks are Step Functions' own integrations (no function of ours runs):
// the component grants the role each Task's action on exactly the table, queue and topic it names.
const galleryTable = data.tables.gallery;
// Before the workflow: its Handoff puts on this bus (and the workflow's role is granted PutEvents on it alone).
const galleryEvents = new EventBus("gallery-events", {});
/** The album's key from the execution's input (the event's detail: `{ sub, albumId }`), as gallery-keys builds it. */
const albumKeyInput = {
  pk: { "S.$": `States.Format('${userPk("{}")}', $.sub)` },
  sk: { "S.$": `States.Format('${ALBUM_PREFIX}{}', $.albumId)` },
};
/** Transient failures of a Task: retried with backoff (a Task's Catch then marks the deletion failed): 4 retries, 5 attempts. */
const retryTransient = [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2 }];
/**
 * A condition that no longer holds is an answer, not a failure: never retried (the first matching retrier applies).
 * The optimized integrations' prefix is `DynamoDB.`; the SDK integration's would be `DynamoDb.`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html, "Exception prefix differences").
 */
const conditionFailed = "DynamoDB.ConditionalCheckFailedException";
const noRetryOnCondition = [{ ErrorEquals: [conditionFailed], MaxAttempts: 0 }, ...retryTransient];
const onFailure = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "MarkFailed" }];
/**
 * "Album deleted" / "album deletion failed" for operations: nothing is subscribed by default. Topic subscribes functions
 * and queues, not email addresses (an email subscription would also wait for its owner's confirmation, and `npm start`
 * has no mail), so whoever wants them subscribes to `albumNoticesTopicArn` (docs/events.md, "The app's workflow: album deletion").
 */
const albumNotices = new Topic("album-notices", {});
/**
 * Photos per page (one Query and one Map of up to that many) and pages before an execution hands the album on to a new
 * one. A Standard execution's history holds at most 25,000 events, and one that reaches it fails at the top level, where no
 * Catch applies (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, "Quotas related to state
 * machine executions"). A page of 20 costs 260 events when nothing is retried (the Query 5, AnyPhotos 2, StillMine 5,
 * the Map 4, 12 per photo: an iteration's start and end and 5 per Task, CountPage 2, Budget 2), and 804 when every Task
 * spends all 4 retries (3 events each retry: 17 per Task) and every photo's delete then lands on Changed (2 more);
 * 30 pages are 24,120 of those, plus the execution's start and end and each state outside the page loop at most once,
 * every Task spending its retries: 197 summed over all of them (Defaults to Whole, the InvalidSettings states, the hand-off and the
 * failure path; Claim, ClaimedBy, ClaimAgain and TakeOver all, though an execution takes TakeOver or the others), an
 * upper bound. Under the limit whatever is retried. Each execution removes up to 600 photos; the next one is one more rule delivery.
 */
const albumDeletionPages = { pageSize: 20, pagesPerExecution: 30 };
/**
 * The largest album the app supports deleting in one go (a design figure: nothing caps an album's photos). It takes
 * 34 executions of 600 photos; `maxHandoffs` allows three times that many, for pages that remove less than a full page
 * (a photo whose delete found it changed is read again). Past it the chain is taken as stuck (a photo that never stops
 * changing, a page that never shrinks) and the deletion fails (MarkFailed: the album marked failed, the notice, the
 * ExecutionsFailed alarm) instead of handing on for ever. A larger album is not lost: DELETE starts it again (from 0
 * hand-offs) and it goes on where it stopped.
 */
const LARGEST_ALBUM_PHOTOS = 20_000;
/** The longest chain of hand-offs (above): three times the executions the largest album takes. */
const albumDeletionMaxHandoffs = 3 * Math.ceil(LARGEST_ALBUM_PHOTOS / (albumDeletionPages.pageSize * albumDeletionPages.pagesPerExecution));
/**
 * The figures of an execution's input, each a number from `min` to `max` (a number, or the path of another figure).
 * `pageSize` and `pagesPerExecution` at most their defaults, the figures the history budget above is worked out for
 * (tests/stacks/album-deletion.test.ts), and at least 1: Query's `Limit` is at least 1 (API_Query), and no page loop
 * ends without a page. `maxHandoffs` at most its default: a larger one turns off the guard against a runaway chain
 * (MayHandOff). `handoffs` from 0 to `maxHandoffs`: below 0 it buys a chain more executions, and past it the chain is
 * already over. An event outside them (only a hand-written one: DELETE's event names none, and a hand-off carries on
 * those it was started with) fails its deletion in **Bounds**, after Claim, so that the album is marked failed at once
 * and DELETE starts it again with the defaults, rather than running with figures other than the ones asked for.
 * And each whole (**Whole**, after Bounds), which no Choice rule tests: States.MathAdd rounds a fraction to the nearest
 * integer (LocalStack's AWS-recorded test_math_add: 1.49 + 0 is 1, 2.5 + 0 is 3), so a figure that adding 0 changes is
 * not whole. After Bounds, so that only figures in their small ranges reach MathAdd.
 */
const albumDeletionLimits: Record<"pageSize" | "pagesPerExecution" | "maxHandoffs" | "handoffs", { min: number; max: number | `$.${string}` }> = {
  pageSize: { min: 1, max: albumDeletionPages.pageSize },
  pagesPerExecution: { min: 1, max: albumDeletionPages.pagesPerExecution },
  maxHandoffs: { min: 1, max: albumDeletionMaxHandoffs },
  handoffs: { min: 0, max: "$.maxHandoffs" },
};
const albumDeletionFigures = Object.keys(albumDeletionLimits) as Array<keyof typeof albumDeletionLimits>;
/**
 * Bounds' Choice rules, matched in order: a figure that is not a number first, so that no numeric comparison is ever
 * made of a value of another type (undocumented: a Path comparison is reported to take a non-number as 0), then one
 * outside its albumDeletionLimits.
 */
const boundsRules = [
  ...albumDeletionFigures.map((name) => ({ Not: { Variable: `$.${name}`, IsNumeric: true }, Next: "InvalidSettings" })),
  {
    Or: albumDeletionFigures.flatMap((name) => {
      const { min, max } = albumDeletionLimits[name];
      return [{ Variable: `$.${name}`, NumericLessThan: min }, typeof max === "number" ? { Variable: `$.${name}`, NumericGreaterThan: max } : { Variable: `$.${name}`, NumericGreaterThanPath: max }];
    }),
    Next: "InvalidSettings",
  },
];
/**
 * The largest magnitude of a figure InvalidSettings quotes: far above any valid figure (the largest, maxHandoffs, is
 * 102), so every figure Bounds refused for its range that a person would write is still quoted, and below 2^53, so a
 * whole number within it is exact as a double and its JSON text at most 16 digits and a sign, whichever number type
 * AWS holds it in. A fraction within it may still carry many digits if AWS keeps it exact (docs/events.md).
 */
const quotableFigure = 1e15;
/** Whole's rule: a figure that adding 0 (WholeFigures' States.MathAdd, which rounds) changed. */
const wholeRule = { Or: albumDeletionFigures.map((name) => ({ Not: { Variable: `$.${name}`, NumericEqualsPath: `$.whole.${name}` } })), Next: "InvalidSettings" };
/** What each must be, as InvalidSettings' causes tell it. */
const albumDeletionRules = (() => {
  const ranges = albumDeletionFigures.map((name) => {
    const { min, max } = albumDeletionLimits[name];
    return `${name} from ${min} to ${typeof max === "number" ? max : max.slice(2)}`;
  });
  return `each must be a whole number, ${ranges.join(", ")} (the history budget of an execution and the guard against a runaway chain), and continues and requestedAt strings. Delete the album again: DELETE sends none of them, so the defaults apply`;
})();
/**
 * InvalidSettings' Choice: the figures are quoted (InvalidFigures) only when each is a boolean, null or a number from
 * -quotableFigure to quotableFigure, whose JSON text is short. A string, an object or an array may be nearly as long as
 * the event (256 KB, PutEvents), and so may a number's digits: Step Functions runs on the JVM, where a JSON integer too
 * large for a long may keep all its digits (undocumented). Quoted beside the input that holds it the state's data would
 * pass Step Functions' 256 KiB ("Maximum input or output size for a task, state, or execution", service-quotas.html):
 * the execution would fail with States.DataLimitExceeded (a Pass state has no Catch to take it), leaving the album
 * unmarked and no notice. No intrinsic cuts a string, so
 * UnquotableFigures names the figures without their values. IsNumeric comes first in the And, so that no numeric
 * comparison is made of a value of another type (as in Bounds), if an And stops at its first false rule (not documented).
 */
const quotableRule = {
  Or: albumDeletionFigures.map((name) => ({
    Not: { Or: [{ And: [{ Variable: `$.${name}`, IsNumeric: true }, { Variable: `$.${name}`, NumericGreaterThanEquals: -quotableFigure }, { Variable: `$.${name}`, NumericLessThanEquals: quotableFigure }] }, { Variable: `$.${name}`, IsBoolean: true }, { Variable: `$.${name}`, IsNull: true }] },
  })),
  Next: "UnquotableFigures",
};
/** InvalidFigures' cause: the event's figures (as JSON: a figure may be null, say) and what each must be. */
const invalidFiguresCause = (() => {
  const figures = albumDeletionFigures.map((name) => `${name} {}`).join(", ");
  const values = albumDeletionFigures.map((name) => `States.JsonToString($.${name})`).join(", ");
  return `States.Format('${figures}: ${albumDeletionRules}', ${values})`;
})();
/**
 * What an execution reads of its input beyond `{ sub, albumId }`, these unless the event says otherwise: the pages
 * above, `maxHandoffs`, `continues`, the execution it takes over from ("none" for a deletion DELETE requested),
 * `requestedAt`, the mark DELETE wrote ("none" for a hand-off, and for an event written by hand: SameRequest then
 * never takes it for a duplicate), `handoffs`, how many hand-offs led to it, and its own page count.
 */
const albumDeletionDefaults = {
  ...albumDeletionPages,
  maxHandoffs: albumDeletionMaxHandoffs,
  continues: "none",
  requestedAt: "none",
  handoffs: 0,
  count: { pages: 0 },
};
/**
 * An execution's bound (the definition's TimeoutSeconds), past which it times out: what the ExecutionsTimedOut alarm
 * watches, and what frees an album whose execution is stuck (DELETE starts over only once its execution has ended).
 * Without it a Standard execution runs up to a year (service-quotas.html), and no Task here has a timeout of its own.
 * Normal operation is minutes: a page is 10 calls in a row (the Query, StillMine, and 4 rounds of 5 photos' send and
 * delete) of tens of milliseconds, 30 pages at most. Every Task spending every retry waits 9,298 s at worst
 * (ClaimAgain 58 s, each other Task 30 s: 2+4+8+16; a page 300 s, 30 pages, and each Task outside the loop once, the
 * claims all; tests/stacks/album-deletion.test.ts works it out from the definition) over 1,548 calls in a row: 4 hours
 * leaves those calls 3 s each. An execution past it is stuck, not slow; it "fails with a States.Timeout" (statemachine-structure.html)
 * at the top level, where no state's Catch applies, the album stays marked deleting, and DELETE starts it over (where
 * it stopped).
 */
const albumDeletionTimeoutSeconds = 4 * 3600;
/** The album's execution, claimed by Claim; a continuation hands it on (its `continues` is the owner it replaces). */
const ownerIsMe = "deletion.#execution = :me";
/** An updateItem's Parameters that record this execution on the album while it is deleting and `condition` holds (Claim, StillMine). */
const ownAlbum = (condition: string, values: Record<string, unknown> = {}) => ({
  TableName: galleryTable,
  Key: albumKeyInput,
  UpdateExpression: "SET deletion.#execution = :me",
  ConditionExpression: `deletion.#state = :deleting AND ${condition}`,
  ExpressionAttributeNames: { "#state": "state", "#execution": "execution" },
  ExpressionAttributeValues: { ":deleting": { S: "deleting" }, ":me": { "S.$": "$$.Execution.Id" }, ...values },
});
/**
 * Claim, ClaimAgain and TakeOver, one write: the album recorded as this execution's while it is deleting and unclaimed,
 * already this execution's (the Task retried after its write succeeded), or the one's it `continues`. They differ in
 * what a refused condition does (`Retry`, and `refused`, the state it then goes to). Not claimed, this execution owns
 * nothing to mark: its failure is told, and the owner's mark stays.
 */
const claimAlbum = (Retry: object[], refused: "NotMine" | "ClaimedBy") => ({
  Type: "Task" as const,
  Resource: "arn:aws:states:::dynamodb:updateItem",
  Parameters: ownAlbum(`(attribute_not_exists(deletion.#execution) OR ${ownerIsMe} OR deletion.#execution = :continues)`, { ":continues": { "S.$": "$.continues" } }),
  ResultPath: null,
  Catch: [{ ErrorEquals: [conditionFailed], ResultPath: null, Next: refused }, { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "FailedNotice" }],
  Next: "Bounds",
  Retry,
});
const albumDeletion = new Workflow("album-deletion", {
  logRetentionDays,
  definition: {
    Comment: "Deletes an album marked deleting: its photos (a removal each to the photo-removals queue, then the item), then the album; hands on to a new execution every pagesPerExecution pages",
    TimeoutSeconds: albumDeletionTimeoutSeconds,
    StartAt: "Defaults",
    States: {
      // Settings the input leaves out take albumDeletionDefaults (the input's own win: States.JsonMerge's second argument).
      Defaults: { Type: "Pass", Parameters: { "input.$": "$", defaults: albumDeletionDefaults }, Next: "Settings" },
      Settings: { Type: "Pass", Parameters: { "merged.$": "States.JsonMerge($.defaults, $.input, false)" }, OutputPath: "$.merged", Next: "ClaimKind" },
      // Two events for one deletion start two executions (EventBridge names them): the first to claim the album runs. The
      // owner itself may claim again (this Task retried after its write succeeded), and so may the execution the owner
      // handed on to (`continues`); a duplicate of either event finds another owner and ends in NotMine.
      // `continues` is checked here, not in Bounds: Claim and TakeOver write it as a string ("S.$"). One that is not a
      // string fails before any claim (MarkFailed then finds the album not this execution's and marks nothing; the
      // notice tells). Any string is safe: TakeOver's condition holds only for the execution that owns the album.
      ClaimKind: {
        Type: "Choice",
        Choices: [
          { Not: { Variable: "$.continues", IsString: true }, Next: "InvalidSettings" },
          // SameRequest compares it with the mark's (StringEqualsPath): a string, as DELETE puts it.
          { Not: { Variable: "$.requestedAt", IsString: true }, Next: "InvalidSettings" },
          { Variable: "$.continues", StringEquals: "none", Next: "Claim" },
        ],
        Default: "TakeOver",
      },
      // DELETE's event. A failed condition is not retried here: ClaimedBy reads the mark first, and a duplicate of the
      // event (EventBridge delivers at least once) ends at once.
      Claim: claimAlbum(noRetryOnCondition, "ClaimedBy"),
      // The mark that refused the claim, read strongly consistent (the one the condition saw, or newer). A read that
      // fails past its retries tells nothing: ClaimAgain, as before the read. The result is GetItem's own answer, the
      // item in DynamoDB's typed JSON (`Item.deletion.M.requestedAt.S`; "no Item element" for an album gone:
      // API_GetItem) beside SdkHttpMetadata: LocalStack's AWS-recorded test_dynamodb_task_service DYNAMODB_PUT_GET_ITEM.
      ClaimedBy: {
        Type: "Task",
        Resource: "arn:aws:states:::dynamodb:getItem",
        Parameters: { TableName: galleryTable, Key: albumKeyInput, ProjectionExpression: "deletion", ConsistentRead: true },
        ResultPath: "$.claimed",
        Retry: retryTransient,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: "ClaimAgain" }],
        Next: "SameRequest",
      },
      // Claimed by another execution for this very mark (the event's requestedAt is the mark's, which DELETE writes
      // anew for every deletion it starts): a duplicate of the event that started the owner, ended at once. Anything
      // else may be a later DELETE's (ClaimAgain): an album gone, unclaimed by now, or a mark not this event's.
      // Rules in order: no comparison of a path that is absent (a Choice fails on one).
      SameRequest: {
        Type: "Choice",
        Choices: [
          { Not: { Variable: "$.claimed.Item.deletion.M.requestedAt.S", IsPresent: true }, Next: "ClaimAgain" },
          { Not: { Variable: "$.claimed.Item.deletion.M.execution.S", IsPresent: true }, Next: "ClaimAgain" },
          { Variable: "$.claimed.Item.deletion.M.requestedAt.S", StringEqualsPath: "$.requestedAt", Next: "NotMine" },
        ],
        Default: "ClaimAgain",
      },
      // Not this event's mark: a failed condition is tried again for about half a minute before the execution gives
      // up. The API in another region marked the album on its replica, which reaches this one "typically within a
      // second" (docs/multi-region.md), and until then this region shows the mark before it (or an album not yet
      // replicated); a mark newer than the event's (a DELETE that started the deletion over) is claimed by its own event.
      ClaimAgain: claimAlbum([{ ErrorEquals: [conditionFailed], IntervalSeconds: 4, MaxAttempts: 3, BackoffRate: 2 }, ...retryTransient], "NotMine"),
      // A hand-off's event: the execution it continues claimed the album in this region, where this one runs, before it
      // put the event, so a failed condition is final (a duplicate of the event, the album taken over by a DELETE that
      // started over, or gone): never retried, the duplicate ends at once.
      TakeOver: claimAlbum(noRetryOnCondition, "NotMine"),
      // The figures within albumDeletionLimits, else the deletion fails (MarkFailed: the album is this execution's now).
      Bounds: { Type: "Choice", Choices: boundsRules, Default: "WholeFigures" },
      // Each figure whole, else the deletion fails as out of bounds: a fractional pageSize would reach Query's Limit.
      // Past Whole the states read `$.whole`, MathAdd's integers: equal to the event's figures, but a figure the event
      // wrote as 20.0 reaches Query's Limit (an Integer, API_Query) and the hand-off's event as 20.
      WholeFigures: {
        Type: "Pass",
        Parameters: Object.fromEntries(albumDeletionFigures.map((name) => [`${name}.$`, `States.MathAdd($.${name}, 0)`])),
        ResultPath: "$.whole",
        Next: "Whole",
      },
      Whole: { Type: "Choice", Choices: [wholeRule], Default: "NextPage" },
      InvalidSettings: { Type: "Choice", Choices: [quotableRule], Default: "InvalidFigures" },
      InvalidFigures: {
        Type: "Pass",
        Parameters: { Error: "AlbumDeletion.InvalidSettings", "Cause.$": invalidFiguresCause },
        ResultPath: "$.error",
        Next: "MarkFailed",
      },
      // A literal: nothing of the event is in it.
      UnquotableFigures: {
        Type: "Pass",
        Parameters: {
          Error: "AlbumDeletion.InvalidSettings",
          Cause: `${albumDeletionFigures.slice(0, -1).join(", ")} and ${albumDeletionFigures.at(-1)}: one is a string, an object, an array or a number past ±${quotableFigure.toExponential()}, not quoted here (it may be as long as the event: the execution's input shows it); ${albumDeletionRules}`,
        },
        ResultPath: "$.error",
        Next: "MarkFailed",
      },
      NotMine: { Type: "Succeed" },
      // Always the first page: each pass deletes what it read, so the next pass reads what is left (a photo whose
      // delete found it changed, its thumbnails arrived meanwhile, is read again with its new status, as DELETE of a photo does).
      NextPage: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:dynamodb:query",
        Parameters: {
          TableName: galleryTable,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": albumKeyInput.pk, ":prefix": { "S.$": `States.Format('${PHOTO_PREFIX}{}#', $.albumId)` } },
          ProjectionExpression: "pk, sk, photoId, objectKey, #status",
          ExpressionAttributeNames: { "#status": "status" },
          ConsistentRead: true,
          "Limit.$": "$.whole.pageSize",
        },
        ResultSelector: { "items.$": "$.Items" },
        ResultPath: "$.page",
        Retry: retryTransient,
        Catch: onFailure,
        Next: "AnyPhotos",
      },
      AnyPhotos: { Type: "Choice", Choices: [{ Variable: "$.page.items[0]", IsPresent: true, Next: "StillMine" }], Default: "DeleteAlbum" },
      // Before each page: is the album still this execution's? A DELETE may have started the deletion over (it judged
      // this execution ended, on a replica that had not yet seen a newer claim, and last-writer-wins replication erased
      // that claim), and the new owner runs beside this one. A condition holds only on the item written, so the photos'
      // deletes do not check the album themselves (that would take a TransactWriteItems per photo with a ConditionCheck
      // of the album, on which the page's concurrent deletes would conflict, TransactionConflict): this bounds what two
      // executions both do to the page in flight, whose removals are sent twice (the consumer finds the objects gone)
      // and whose items are deleted once (conditional). A write that changes nothing.
      StillMine: {
        Type: "Task",
        Resource: "arn:aws:states:::dynamodb:updateItem",
        Parameters: ownAlbum(ownerIsMe),
        ResultPath: null,
        Retry: noRetryOnCondition,
        Catch: [{ ErrorEquals: [conditionFailed], ResultPath: null, Next: "NotMine" }, ...onFailure],
        Next: "RemovePhotos",
      },
      RemovePhotos: {
        Type: "Map",
        ItemsPath: "$.page.items",
        // handlers/shared/photo-removals.ts' PhotoRemoval, sent from the home region. The original alone: the consumer
        // removes every thumbnail key the photo may have, named or not (handlers/photo-removal).
        ItemSelector: {
          "photo.$": "$$.Map.Item.Value",
          removal: { "sub.$": "$.sub", "albumId.$": "$.albumId", "photoId.$": "$$.Map.Item.Value.photoId.S", "objectKeys.$": "States.Array($$.Map.Item.Value.objectKey.S)", region: homeRegion },
        },
        MaxConcurrency: 5,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "SendRemoval",
          States: {
            SendRemoval: {
              Type: "Task",
              Resource: "arn:aws:states:::sqs:sendMessage",
              // The body as JSON text, as the API sends it (JSON.stringify): no reliance on how the integration serialises an object.
              Parameters: { QueueUrl: photoRemovals, "MessageBody.$": "States.JsonToString($.removal)" },
              ResultPath: null,
              Retry: retryTransient,
              Next: "DeletePhoto",
            },
            DeletePhoto: {
              Type: "Task",
              Resource: "arn:aws:states:::dynamodb:deleteItem",
              Parameters: {
                TableName: galleryTable,
                Key: { pk: { "S.$": "$.photo.pk.S" }, sk: { "S.$": "$.photo.sk.S" } },
                ConditionExpression: "attribute_exists(pk) AND #status = :status",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":status": { "S.$": "$.photo.status.S" } },
              },
              ResultPath: null,
              Retry: noRetryOnCondition,
              // Changed since read (or deleted meanwhile): the next page reads it again.
              Catch: [{ ErrorEquals: [conditionFailed], ResultPath: null, Next: "Changed" }],
              End: true,
            },
            Changed: { Type: "Succeed" },
          },
        },
        ResultPath: null,
        Catch: onFailure,
        Next: "CountPage",
      },
      CountPage: { Type: "Pass", Parameters: { "pages.$": "States.MathAdd($.count.pages, 1)" }, ResultPath: "$.count", Next: "Budget" },
      Budget: { Type: "Choice", Choices: [{ Variable: "$.count.pages", NumericGreaterThanEqualsPath: "$.whole.pagesPerExecution", Next: "MayHandOff" }], Default: "NextPage" },
      // A chain longer than the largest album needs is stuck: failed, and so alarmed, rather than handed on for ever.
      MayHandOff: { Type: "Choice", Choices: [{ Variable: "$.whole.handoffs", NumericGreaterThanEqualsPath: "$.whole.maxHandoffs", Next: "TooManyHandoffs" }], Default: "Handoff" },
      TooManyHandoffs: {
        Type: "Pass",
        Parameters: { Error: "AlbumDeletion.TooManyHandoffs", "Cause.$": "States.Format('The album was handed on {} times and still has photos: a photo that keeps changing? Delete the album again to go on', $.whole.handoffs)" },
        ResultPath: "$.error",
        Next: "MarkFailed",
      },
      // The rest of the album to a new execution, through the bus and its rule (no StartExecution on this state machine
      // from its own role): the event says whom it continues, so that execution's Claim takes the album over.
      Handoff: {
        Type: "Task",
        Resource: "arn:aws:states:::events:putEvents",
        Parameters: {
          Entries: [
            {
              EventBusName: galleryEvents,
              Source: ALBUM_EVENTS_SOURCE,
              DetailType: ALBUM_DELETION_REQUESTED,
              Detail: {
                "sub.$": "$.sub",
                "albumId.$": "$.albumId",
                "continues.$": "$$.Execution.Id",
                "handoffs.$": "States.MathAdd($.whole.handoffs, 1)",
                "maxHandoffs.$": "$.whole.maxHandoffs",
                "pageSize.$": "$.whole.pageSize",
                "pagesPerExecution.$": "$.whole.pagesPerExecution",
              },
            },
          ],
        },
        ResultPath: null,
        Retry: retryTransient,
        Catch: onFailure,
        Next: "HandedOff",
      },
      HandedOff: { Type: "Succeed" },
      // Only the owner deletes the album and tells it: an execution that lost the album meanwhile ends in NotMine (and
      // so does the owner's own retry after a delete that succeeded but whose answer was lost: the notice is not sent).
      DeleteAlbum: {
        Type: "Task",
        Resource: "arn:aws:states:::dynamodb:deleteItem",
        Parameters: {
          TableName: galleryTable,
          Key: albumKeyInput,
          ConditionExpression: ownerIsMe,
          ExpressionAttributeNames: { "#execution": "execution" },
          ExpressionAttributeValues: { ":me": { "S.$": "$$.Execution.Id" } },
        },
        ResultPath: null,
        Retry: noRetryOnCondition,
        Catch: [{ ErrorEquals: [conditionFailed], ResultPath: null, Next: "NotMine" }, ...onFailure],
        Next: "DeletedNotice",
      },
      DeletedNotice: { Type: "Pass", Parameters: { event: "AlbumDeleted", "sub.$": "$.sub", "albumId.$": "$.albumId" }, ResultPath: "$.notice", Next: "NotifyDeleted" },
      NotifyDeleted: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: { TopicArn: albumNotices, Subject: "Album deleted", "Message.$": "States.JsonToString($.notice)" },
        ResultPath: null,
        Retry: retryTransient,
        End: true,
      },
      // What is left stays: the album (marked failed, with the error) and the photos not removed yet. Only while this
      // execution owns it: one that lost it (a DELETE started over) leaves the new owner's mark alone.
      MarkFailed: {
        Type: "Task",
        Resource: "arn:aws:states:::dynamodb:updateItem",
        Parameters: {
          TableName: galleryTable,
          Key: albumKeyInput,
          UpdateExpression: "SET deletion.#state = :failed, deletion.#error = :error REMOVE deletion.#execution",
          ConditionExpression: ownerIsMe,
          ExpressionAttributeNames: { "#state": "state", "#error": "error", "#execution": "execution" },
          ExpressionAttributeValues: { ":failed": { S: "failed" }, ":error": { "S.$": "$.error.Error" }, ":me": { "S.$": "$$.Execution.Id" } },
        },
        ResultPath: null,
        Retry: noRetryOnCondition,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: "FailedNotice" }],
        Next: "FailedNotice",
      },
      FailedNotice: {
        Type: "Pass",
        Parameters: { event: "AlbumDeletionFailed", "sub.$": "$.sub", "albumId.$": "$.albumId", "error.$": "$.error.Error", "cause.$": "$.error.Cause" },
        ResultPath: "$.notice",
        Next: "NotifyFailed",
      },
      NotifyFailed: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: { TopicArn: albumNotices, Subject: "Album deletion failed", "Message.$": "States.JsonToString($.notice)" },
        ResultPath: null,
        Retry: retryTransient,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: "Failed" }],
        Next: "Failed",
      },
      // The execution fails with the error that failed the deletion, as the notice tells it (DescribeExecution's `error`
      // and `cause`): every way here passes FailedNotice, which reads both from $.error, each a string (a Catch's
      // Error and Cause, or InvalidSettings' and TooManyHandoffs' own), as ErrorPath and CausePath must select.
      Failed: { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
    },
  },
});
// Watched in prod through monitoringTargets({ eventBuses: [galleryEvents] }): its rule (events never delivered, or lost) and its dead-letter queue.
galleryEvents.subscribe("album-deletions", albumDeletion, {
  pattern: { source: [ALBUM_EVENTS_SOURCE], "detail-type": [ALBUM_DELETION_REQUESTED] },
  inputPath: "$.detail",
});
export const galleryEventBusName = galleryEvents.busName;
export const albumDeletionStateMachineArn = albumDeletion.stateMachineArn;
export const albumNoticesTopicArn = albumNotices.topicArn;
// ---------------------------------------------------------------- end album deletion

const apis = new RegionalApis("api", {
  regions,
  domain: apiDomain(),
  routing: apiRouting(),
  // The second region's functions serve originals from the replica there once it has them (a failed-over API too).
  regionalEnvironment: originalsReplica ? { [regions[1]]: { ORIGINALS_REPLICA_BUCKET: originalsReplica.bucket.bucket, ORIGINALS_REPLICA_REGION: regions[1] } } : undefined,
  api: {
    basePath: "api",
    stages: apiStages(),
    canary: apiCanary(),
    endpointType: apiEndpointType,
    vpcEndpointIds: apiVpcEndpointIds,
    authorizers: {
      cognito: { type: "cognito", userPoolArns: [auth.userPoolArn] },
      // The pool's ids, and its JWKS baked into the bundle at deploy time: no HTTPS fetch on a cold start (issue 15).
      jwt: { type: "token", handler: "handlers/api/authorizer.ts", function: auth.authorizerFunction() },
    },
    defaultAuth: { authorizer: config.get("apiAuthorizer") === "lambda" ? "jwt" : "cognito" },
    functionDefaults: {
      logRetentionDays,
      environment: {
        TABLE_NAME: data.tables.gallery.name,
        UPLOAD_BUCKET_NAME: uploads.bucketName,
        // The bucket stays in the home region: functions in other regions sign its requests for that region.
        UPLOAD_BUCKET_REGION: homeRegion,
        POWERTOOLS_SERVICE_NAME: "gallery-api",
        POWERTOOLS_METRICS_NAMESPACE: "Gallery",
      },
      vpc: apiFunctionsInVpc ? network?.functionVpc : undefined,
    },
    logRetentionDays,
    // One owner per account and region (prod; docs/api-gateway-account.md): dev's stages log through prod's role.
    accountCloudWatchRole: config.getBoolean("apiAccountCloudWatchRole") ?? false,
    routes: {
      "GET /health": { handler: "handlers/api/health.ts", auth: "none" },
      // Facts the front end needs to sign in and upload: answered by API Gateway itself (a mock integration).
      // Locally the API points `auth` at cognito-local instead (local/services/api.ts localiseMockBody).
      "GET /config": { integration: { type: "mock", body: { apiVersion: 1, imageTypes: ALLOWED_IMAGE_TYPES, maxImageBytes: MAX_IMAGE_BYTES, auth: browserAuthConfig, realtime: { url: liveUrl } } }, auth: "none" },
      "GET /albums": { handler: albumsHandler, export: "list", function: { permissions: gallery.read(["dynamodb:Query"]), secrets: cursorSecrets } },
      // GetItem: a retried create (Idempotency-Key) answers with the album its first attempt made.
      "POST /albums": { handler: albumsHandler, export: "create", requestSchema: requestModel(CreateAlbum), function: { permissions: [...gallery.read(["dynamodb:GetItem"]), ...gallery.write(["dynamodb:PutItem"])] } },
      "GET /albums/{albumId}": { handler: albumsHandler, export: "get", function: { permissions: gallery.read(["dynamodb:GetItem"]) } },
      "PATCH /albums/{albumId}": {
        handler: albumsHandler,
        export: "update",
        requestSchema: requestModel(UpdateAlbum),
        function: { permissions: [...gallery.read(["dynamodb:GetItem"]), ...gallery.write(["dynamodb:UpdateItem"])] },
      },
      // An album with photos is marked deleting (UpdateItem) and handed to the album-deletion workflow through the bus.
      // One already marked: the execution recorded on it is asked whether it still runs (DescribeExecution on this
      // workflow's executions alone, of what grants.read() grants), and the deletion starts over when it does not.
      "DELETE /albums/{albumId}": {
        handler: albumsHandler,
        export: "remove",
        function: {
          permissions: [
            ...gallery.read(["dynamodb:Query", "dynamodb:GetItem"]),
            ...gallery.write(["dynamodb:DeleteItem", "dynamodb:UpdateItem"]),
            ...galleryEvents.grants.put(),
            ...albumDeletion.grants
              .read()
              .filter((statement) => statement.actions.includes("states:DescribeExecution"))
              .map((statement) => ({ ...statement, actions: ["states:DescribeExecution"] })),
          ],
          // The bus is the home region's: the API in other regions puts its events there (handlers/shared/album-events.ts).
          // The machine's ARN: an execution recorded on an album that is not of it (a replaced machine) has ended.
          environment: { ...galleryEvents.environment("EVENT_BUS_NAME"), EVENT_BUS_REGION: homeRegion, ...albumDeletion.environment("ALBUM_DELETION_STATE_MACHINE_ARN") },
        },
      },
      // Listings carry presigned thumbnail URLs: the role must be allowed the GET it signs.
      "GET /albums/{albumId}/photos": {
        handler: photosHandler,
        export: "list",
        function: { permissions: [...gallery.read(["dynamodb:GetItem", "dynamodb:Query"]), ...uploads.grants("thumbnails/", ["s3:GetObject"])], secrets: cursorSecrets },
      },
      "POST /albums/{albumId}/photos": {
        handler: photosHandler,
        export: "create",
        requestSchema: requestModel(CreatePhoto),
        // A presigned PUT carries the function's credentials: its role must be allowed the PUT itself.
        // One TransactWriteItems: a ConditionCheck of the album (there, not being deleted) and the photo's Put, each
        // authorised as its own action (gallery-store createPhoto). No GetItem, no DeleteItem: nothing is read first or taken back.
        function: { permissions: [...gallery.write(["dynamodb:ConditionCheckItem", "dynamodb:PutItem"]), ...originals("s3:PutObject")] },
      },
      "GET /albums/{albumId}/photos/{photoId}": {
        handler: photosHandler,
        export: "get",
        function: { permissions: [...gallery.read(["dynamodb:GetItem"]), ...originals("s3:GetObject"), ...uploads.grants("thumbnails/", ["s3:GetObject"]), ...originalsReplicaRead] },
      },
      "PATCH /albums/{albumId}/photos/{photoId}": {
        handler: photosHandler,
        export: "update",
        requestSchema: requestModel(UpdatePhoto),
        function: { permissions: [...gallery.write(["dynamodb:UpdateItem"]), ...uploads.grants("thumbnails/", ["s3:GetObject"])] },
      },
      // The objects go through the photo-removals queue (above): this function sends, it deletes no object itself.
      "DELETE /albums/{albumId}/photos/{photoId}": {
        handler: photosHandler,
        export: "remove",
        function: { permissions: [...gallery.read(["dynamodb:GetItem"]), ...gallery.write(["dynamodb:DeleteItem"]), ...photoRemovalsProducer.permissions], environment: photoRemovalsProducer.environment },
      },
    },
  },
});
const api = apis.home;

// ---------------------------------------------------------------- realtime (RealtimeApi)
// Live updates over a WebSocket (docs/realtime.md): the page connects with its id token in the query
// string, checked by the $connect authorizer; the thumbnail function (events section) pushes "photo
// ready/failed" to the owner's connections only. Served on the API's first stage name, with its throttle,
// after the account's CloudWatch role setting when this stack owns it (its stage logs).
const connectionsTable = data.tables.connections;
const [liveStage, liveStageArgs] = Object.entries(apiStages())[0];
const live = new RealtimeApi("live", {
  connectionsTable,
  stage: liveStage,
  throttle: liveStageArgs.throttle,
  logRetentionDays,
  // Its stage logs after the account's CloudWatch role: the api's setting when this stack owns it (dependsOn below),
  // else the one apiAccountCloudWatchRole: false says another stack or a one-off setup made.
  accountCloudWatchRole: api.nodes.account ? undefined : false,
  functionDefaults: { environment: { POWERTOOLS_SERVICE_NAME: "gallery-live" } },
  authorizer: {
    handler: "handlers/realtime/authorizer.ts",
    // As the API's authorizer: the pool's ids, and its JWKS baked in at deploy time.
    function: auth.authorizerFunction(),
  },
  routes: {
    $connect: { handler: "handlers/realtime/connections.ts", export: "connect", function: { permissions: connectionsTable.grants.write(["dynamodb:PutItem"]) } },
    $disconnect: { handler: "handlers/realtime/connections.ts", export: "disconnect", function: { permissions: connectionsTable.grants.write(["dynamodb:DeleteItem"]) } },
    ping: { handler: "handlers/realtime/connections.ts", export: "ping", postsToConnections: true, function: { permissions: connectionsTable.grants.write(["dynamodb:DeleteItem"]) } },
    $default: { handler: "handlers/realtime/connections.ts", export: "message", postsToConnections: true, function: { permissions: connectionsTable.grants.write(["dynamodb:DeleteItem"]) } },
  },
}, { dependsOn: api.nodes.account ? [api.nodes.account] : [] });
resolveLiveUrl(live.url);
export const realtimeUrl = live.url;
// ---------------------------------------------------------------- end realtime

// ---------------------------------------------------------------- events (thumbnails, clean-up)
// An original's ObjectCreated event makes its thumbnails and marks the photo ready (or failed);
// S3 invokes asynchronously: two retries, then the function's failure queue. sharp ships in the
// zip as its prebuilt linux-arm64 binaries (nativeModules; `npm run lambda-native` installs them).
const thumbnail = new LambdaFunction("thumbnail", {
  entry: "handlers/thumbnail/index.ts",
  description: "Makes WebP thumbnails of uploaded originals and marks their photos ready",
  memorySize: 2048,
  timeout: 60,
  logRetentionDays,
  nativeModules: ["sharp"],
  // live.publisher*: "photo ready/failed" to the owner's open tabs (handlers/shared/photo-events.ts).
  // photoRemovalsProducer: the original (and thumbnails made) of a photo deleted meanwhile go through the photo-removals
  // queue, as a deleted photo's do; the function deletes no object itself.
  environment: { TABLE_NAME: data.tables.gallery.name, IDEMPOTENCY_TABLE_NAME: idempotencyTableName, POWERTOOLS_SERVICE_NAME: "thumbnail", ...live.publisherEnvironment(), ...photoRemovalsProducer.environment },
  permissions: [
    ...live.publisherPermissions(),
    ...gallery.read(["dynamodb:GetItem"]),
    ...gallery.write(["dynamodb:UpdateItem"]),
    ...originals("s3:GetObject"),
    // A GET of an original deleted meanwhile is NoSuchKey (handled: the photo is gone) only to a caller allowed
    // s3:ListBucket; without it S3 answers 403 AccessDenied (API_GetObject), which failed the event into Lambda's retries.
    { sid: "FindOriginals", actions: ["s3:ListBucket"], resources: [uploads.nodes.bucket.arn] },
    ...uploads.grants("thumbnails/", ["s3:PutObject"]),
    ...photoRemovalsProducer.permissions,
    ...data.idempotencyGrants(),
  ],
  asyncInvoke: { maxRetryAttempts: 2, maxEventAgeSeconds: 3600, failureQueue: { retentionDays: 14 } },
});
uploads.notify({ thumbnails: { function: thumbnail, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" } });

const cleanupSchedule = config.get("photoCleanupSchedule") ?? "rate(1 hour)";
const photoCleanup = cleanupSchedule
  ? new LambdaFunction("photo-cleanup", {
      entry: "handlers/photo-cleanup/index.ts",
      description: "Removes photos stuck in pending or failed, with their objects",
      timeout: 300,
      memorySize: 256,
      logRetentionDays,
      environment: {
        TABLE_NAME: data.tables.gallery.name,
        UPLOAD_BUCKET_NAME: uploads.bucketName,
        CLEANUP_AGE_HOURS: String(config.getNumber("photoCleanupAgeHours") ?? 6),
        POWERTOOLS_SERVICE_NAME: "photo-cleanup",
        // A removed photo's objects go through the photo-removals queue, as a deleted photo's (handlers/photo-cleanup).
        ...photoRemovalsProducer.environment,
      },
      permissions: [
        ...gallery.read(["dynamodb:Scan"]),
        ...gallery.write(["dynamodb:DeleteItem"]),
        ...photoRemovalsProducer.permissions,
        // When the removal cannot be sent, the clean-up deletes the objects itself.
        ...originals("s3:DeleteObject"),
        ...uploads.grants("thumbnails/", ["s3:DeleteObject"]),
      ],
      schedule: { expression: cleanupSchedule, timezone: config.get("photoCleanupTimezone") ?? "UTC", maxRetryAttempts: 3 },
    })
  : undefined;

// Where thumbnail events that still fail after two retries wait (alarm on its depth; read with `aws sqs get-queue-url --queue-name`).
export const thumbnailFailureQueueName = thumbnail.failureQueue?.name;
export const photoCleanupScheduleName = photoCleanup?.schedule?.schedule.name;
// ---------------------------------------------------------------- end events

export const apiUrls = api.urls;
// The home region's REST API, for `aws apigateway get-export` (OpenAPI) and `get-sdk` (docs/operations.md).
export const apiRestApiId = api.restApiId;
export const apiRegionalUrls = apis.urls;
export const apiDomainName = api.domainName;
export const uploadBucketName = uploads.bucketName;
// ---------------------------------------------------------------- end application / API

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
  // site/ is the source (TypeScript, HTML pages); Vite writes site/dist with content-hashed asset names (docs/front-end.md).
  // The page reads its settings (API, sign-in) from GET /api/config at run time, so the build needs no stack outputs.
  path: siteDir,
  build: { command: "vite build", outputDir: "dist" },
  errorDocument: siteErrorDocument,
  hosting: (config.get("siteHosting") as "oac" | "s3-website" | undefined) ?? "oac",
  // With edge logic the viewer-request function serves the SPA fallback (one function per event type).
  spa: edge ? false : config.getBoolean("spaFallback") ?? false,
  edge: edge?.associations,
  priceClass: config.get("priceClass") as "PriceClass_100" | "PriceClass_200" | "PriceClass_All" | undefined,
  domain: siteDomain(),
  // Headers the policy's security config has no field for, on every behaviour (API and /account/* included).
  securityHeaders: {
    customHeaders: {
      "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Resource-Policy": "same-origin",
    },
  },
  logs: { retentionDays: logRetentionDays },
  // The API under /api/*, on the stack's first API stage (ServerlessApi.siteRoute).
  // A PRIVATE API answers only inside its VPC, out of CloudFront's reach: the site then serves its pages alone.
  routes: apiEndpointType === "PRIVATE" ? [] : [apis.siteRoute()],
  retainOnDelete: retainData,
  // Multi-region: the site bucket replicates to the second region, and CloudFront fails over to it (docs/multi-region.md).
  replicaRegion: regions[1],
  waf: siteWaf(), // operations section
});

export const siteUrl = site.url;
export const siteBucketName = site.bucketName;
export const logBucketName = site.logBucketName;
export const distributionId = site.distributionId;
export const distributionDomainName = site.domainName;
// The app client's redirect URLs are the site's (UserAuth was constructed before the site: see the auth section).
auth.setCallbackUrls(authCallbackUrls());

// Browsers PUT originals straight to presigned S3 URLs from the site's origin.
uploads.allowBrowserUploads("site", [site.url]);

// ---------------------------------------------------------------- operations
// Production's day-one operations (docs/operations.md): the site's web ACL (used by the presentation section),
// alarms and a dashboard over every component above, and AWS Backup for the tables.

/** The distribution's AWS WAF web ACL: on in prod (wafEnabled), off in dev, where its fixed monthly cost buys nothing. */
function siteWaf(): WebAclArgs | undefined {
  if (!(config.getBoolean("wafEnabled") ?? false)) return undefined;
  return { rateLimit: config.getNumber("wafRateLimit") ?? 2000, maxBodyBytes: config.getNumber("wafMaxBodyBytes") ?? 8192, logRetentionDays };
}

/**
 * Alarms (to an SNS topic, mailed to alarmEmails) and a dashboard: on in prod (alarmsEnabled), off in dev. Each step of
 * an album's deletion that can leave it undone is worth a look each time, and each alarm's email says what became of
 * the album: the rule's undelivered events (in its dead-letter queue, or lost when that refused them too), and the
 * workflow's failed executions (marked on the album and told on album-notices, but for the history limit) and timed-out
 * ones (marked deleting only). Its throttled state transitions leave nothing undone, and say so.
 */
function monitoring(): Monitoring | undefined {
  if (!(config.getBoolean("alarmsEnabled") ?? false)) return undefined;
  const targets = monitoringTargets({ functions: [counters, thumbnail, ...(photoCleanup ? [photoCleanup] : []), ...live.nodes.functions.values()], apis: [...apis.apis], dataTiers: [data], sites: [site], auth: [auth], messageQueues: [photoRemovals], workflows: [albumDeletion], eventBuses: [galleryEvents], topics: [albumNotices] });
  return new Monitoring("ops", {
    ...targets,
    queues: {
      ...targets.queues,
      "gallery-events-album-deletions-dlq": { ...targets.queues!["gallery-events-album-deletions-dlq"], description: "an AlbumDeletionRequested the rule could not deliver waits there (its ERROR_CODE says why): the workflow never started and the album stays deleting until its owner deletes it again (DELETE starts it over 10 minutes after the request)" },
    },
    rules: {
      ...targets.rules,
      "gallery-events-album-deletions": {
        ...targets.rules!["gallery-events-album-deletions"],
        alarms: {
          ruleFailedInvocations: { description: "an AlbumDeletionRequested never started the workflow (its retries spent, or refused: the target role, the state machine); it waits in the rule's dead-letter queue with its ERROR_CODE. Fix the cause; the album stays deleting until its owner deletes it again (DELETE starts it over)" },
          ruleDeadLetterFailures: { description: "an AlbumDeletionRequested was neither delivered nor kept: the dead-letter queue refused it too (its policy, the queue gone, the event's size), so it is lost. Fix the queue; the album stays deleting until its owner deletes it again (DELETE starts it over)" },
        },
      },
    },
    workflows: {
      ...targets.workflows,
      "album-deletion": {
        ...targets.workflows!["album-deletion"],
        alarms: {
          workflowExecutionsFailed: { description: "one the definition caught is marked failed on the album (its error says why) and told on album-notices; one it could not (the history limit) leaves the album marked deleting. Either way DELETE starts it over where it stopped" },
          workflowExecutionsTimedOut: { description: `an execution ran past its ${albumDeletionTimeoutSeconds / 3600} h bound (a Task that never answered?): the album stays marked deleting, nothing is told on album-notices; DELETE starts it over 10 minutes later` },
          workflowExecutionThrottled: { description: "Step Functions delayed state transitions over the account's StateTransition quota; the executions carry on, slower, and nothing is left marked. Only if it lasts: look at what else runs in the account, or ask for a higher quota" },
        },
      },
    },
    alarmEmails: config.getObject<string[]>("alarmEmails") ?? [],
  });
}

export const alarmTopicArns = monitoring()?.topicArns;

/** Daily AWS Backup of the tables beside PITR, optionally copied to another region and vault-locked: on in prod (backupEnabled). */
function backups(): BackupPlan | undefined {
  if (!(config.getBoolean("backupEnabled") ?? false)) return undefined;
  const retentionDays = config.getNumber("backupRetentionDays") ?? 35;
  return new BackupPlan("backup", {
    // The gallery's data; idempotency records are short-lived (TTL) and rebuilt by redelivery, so they are not backed up.
    resources: [data.tables.gallery.arn, data.tables.preferences.arn],
    retentionDays,
    copyRegion: config.get("backupCopyRegion") || undefined,
    // Governance mode: recovery points cannot be deleted before retentionDays, and the lock itself stays changeable.
    vaultLock: config.getBoolean("backupVaultLock") ? { minRetentionDays: retentionDays, maxRetentionDays: retentionDays } : undefined,
    retainOnDelete: retainData,
  });
}

export const backupVaultName = backups()?.vaultName;
