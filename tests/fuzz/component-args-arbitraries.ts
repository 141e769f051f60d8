/**
 * fast-check generators of component arguments a user might plausibly write: mostly well-formed (so the runs reach
 * what the components create), with the edges people hit — names at their length limits, odd but legal characters,
 * upper case, unicode, trailing dots, duplicated list entries, regions (the home one too), optional features on and
 * off — and now and then a value the component must refuse. Used by tests/fuzz/component-args.test.ts.
 */
import fc from "fast-check";
import type { DataTierArgs, GlobalIndexArgs, LocalIndexArgs, TableArgs } from "../../components/data-tier";
import type { LambdaFunctionArgs } from "../../components/lambda/function";
import type { UserAuthArgs } from "../../components/user-auth";

/** Usually `valid`, now and then `edge` (a value at or past a limit, or one the component must refuse). */
function mostly<T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: edge });
}

/** The stack's region in the mocks (local/offline/mocks.ts) and in the deploy rules' context. */
export const STACK_REGION = "us-east-1";
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"] as const;

/** A region as a user writes it: usually a real code, sometimes in the wrong case or with a stray space. */
export const region = mostly(fc.constantFrom(...REGIONS), fc.constantFrom("US-WEST-2", "us-west-2 ", "eu-west", "moon-1"));

/**
 * A component (Pulumi resource) name: short and tidy mostly; also upper case, dots and underscores, unicode, spaces,
 * and lengths around the limits the components derive physical names from (47 for a function, 63 for a bucket).
 */
export const componentName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("data", "auth", "api", "gallery", "thumbnail", "prod-data") },
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,40}$/) },
  { weight: 1, arbitrary: fc.constantFrom("my.data", "Data_Tier", "a", "A1") },
  { weight: 1, arbitrary: fc.integer({ min: 40, max: 70 }).map((n) => "n".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom("Données", "data tier", "data/tier", "data:tier", "ÄPI", "日本") },
);

const attributeName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("pk", "sk", "id", "owner", "createdAt", "gsi1pk", "gsi1sk", "type", "status") },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom("#hash", "a b", "é", "x".repeat(255), "PK", "日付") },
);
const attributeType = fc.constantFrom("S" as const, "N" as const, "B" as const);
/** Index names: global and local ones from separate pools (one table's index names must differ), with rare edges. */
const globalIndexName = mostly(fc.constantFrom("gsi1", "gsi2", "byOwner", "by-owner", "by_status", "index.v2", "a".repeat(255)), fc.constantFrom("ab", "a".repeat(256), "by owner", "lsi1"));
const localIndexName = mostly(fc.constantFrom("lsi1", "lsi2", "byDate", "by.date_2"), fc.constantFrom("gsi1", "ab", "by date"));
const projection = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom("ALL" as const, "KEYS_ONLY" as const) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom("title", "size", "pk", "owner", "title"), { minLength: 0, maxLength: 4 }) },
);
const capacity = fc.record(
  {
    min: mostly(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, 40000)),
    max: mostly(fc.integer({ min: 1, max: 1000 }), fc.constant(40000)),
    targetUtilization: mostly(fc.integer({ min: 20, max: 90 }), fc.constantFrom(19, 91, 70.5)),
  },
  { requiredKeys: ["min", "max"] },
);
const kmsKey = (keyRegion: string) => `arn:aws:kms:${keyRegion}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** A table built from its keys, so the attributes match them unless `attributeNoise` adds or drops one. */
const table: fc.Arbitrary<TableArgs> = fc
  .record({
    partitionKey: attributeName,
    sortKey: fc.option(attributeName, { nil: undefined }),
    globalIndexes: fc.array(fc.record({ name: globalIndexName, partitionKey: attributeName, sortKey: fc.option(attributeName, { nil: undefined }), projection }), { maxLength: 3 }),
    localIndexes: fc.array(fc.record({ name: localIndexName, sortKey: attributeName, projection }), { maxLength: 2 }),
    localIndexesWithoutSortKey: mostly(fc.constant(false), fc.constant(true)),
    types: fc.dictionary(attributeName, attributeType),
    attributeNoise: mostly(fc.constant("none"), fc.constantFrom("extra", "missing")),
    provisioned: fc.option(fc.record({ read: capacity, write: capacity }), { nil: undefined, freq: 4 }),
    billingGiven: fc.boolean(),
    stream: fc.option(fc.constantFrom("NEW_IMAGE" as const, "OLD_IMAGE" as const, "NEW_AND_OLD_IMAGES" as const, "KEYS_ONLY" as const), { nil: undefined }),
    ttl: fc.option(fc.record({ attribute: mostly(fc.constantFrom("expiresAt", "ttl", "expires_at", "TTL"), fc.constantFrom("pk", "")), enabled: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined }),
    pointInTimeRecovery: fc.option(fc.boolean(), { nil: undefined }),
    tableName: fc.option(
      mostly(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.-]{3,40}$/), fc.constantFrom("t".repeat(255), "Gallery.v2")), fc.constantFrom("ab", "t".repeat(256), "my table", "tábla")),
      { nil: undefined, freq: 3 },
    ),
    tableClass: fc.option(fc.constantFrom("STANDARD" as const, "STANDARD_INFREQUENT_ACCESS" as const), { nil: undefined }),
    replicaRegions: fc.option(fc.array(region, { maxLength: 3 }), { nil: undefined, freq: 3 }),
    kms: fc.option(fc.record({ home: region, replicasInOwnRegion: fc.boolean() }), { nil: undefined, freq: 4 }),
  })
  .map((t) => {
    const locals = t.sortKey !== undefined || t.localIndexesWithoutSortKey ? t.localIndexes : [];
    const keys = [t.partitionKey, t.sortKey, ...t.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey]), ...locals.map((l) => l.sortKey)].filter(
      (k): k is string => k !== undefined,
    );
    const attributes: TableArgs["attributes"] = Object.fromEntries(keys.map((k) => [k, t.types[k] ?? "S"]));
    if (t.attributeNoise === "extra") attributes.unusedAttribute = "S";
    if (t.attributeNoise === "missing") delete attributes[keys[keys.length - 1]];
    const globalIndexes: Record<string, GlobalIndexArgs> = Object.fromEntries(t.globalIndexes.map(({ name, ...g }) => [name, g]));
    const localIndexes: Record<string, LocalIndexArgs> = Object.fromEntries(locals.map(({ name, ...l }) => [name, l]));
    const args: TableArgs = { attributes, partitionKey: t.partitionKey };
    if (t.sortKey !== undefined) args.sortKey = t.sortKey;
    if (t.globalIndexes.length) args.globalIndexes = globalIndexes;
    if (locals.length) args.localIndexes = localIndexes;
    if (t.provisioned) Object.assign(args, { billing: "provisioned", capacity: t.provisioned });
    else if (t.billingGiven) args.billing = "on-demand";
    if (t.stream) args.stream = t.stream;
    if (t.ttl) {
      args.ttlAttribute = t.ttl.attribute;
      if (t.ttl.enabled !== undefined) args.ttlEnabled = t.ttl.enabled;
    }
    if (t.pointInTimeRecovery !== undefined) args.pointInTimeRecovery = t.pointInTimeRecovery;
    if (t.tableName !== undefined) args.tableName = t.tableName;
    if (t.tableClass) args.tableClass = t.tableClass;
    if (t.replicaRegions) args.replicaRegions = t.replicaRegions;
    if (t.kms) {
      args.kmsKeyArn = kmsKey(t.kms.home);
      args.replicaKmsKeyArns = Object.fromEntries((t.replicaRegions ?? []).map((r) => [r, kmsKey(t.kms!.replicasInOwnRegion ? r : t.kms!.home)]));
    }
    return args;
  });

const tableKey = mostly(fc.constantFrom("gallery", "counters", "events", "users", "t2"), fc.constantFrom("Gallery", "my-table", "idempotency"));
const scheduleExpression = fc.constantFrom("rate(1 day)", "rate(1 days)", "rate(12 hours)", "cron(0 3 * * ? *)", "cron(0 3 * * * *)", " rate(1 day) ", "rate(0 days)", "daily");

export const dataTierArgs: fc.Arbitrary<DataTierArgs> = fc
  .record({
    tables: fc.dictionary(tableKey, table, { minKeys: 1, maxKeys: 2 }),
    export: fc.option(
      fc.record(
        {
          schedule: scheduleExpression,
          retentionDays: mostly(fc.integer({ min: 1, max: 3650 }), fc.constantFrom(0, 1.5)),
          format: fc.constantFrom("DYNAMODB_JSON" as const, "ION" as const),
          bucketName: mostly(fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/), fc.constantFrom("b".repeat(63), "exports.example.com")), fc.constantFrom("Exports", "my..bucket", "b".repeat(64), "xn--export")),
          logRetentionDays: fc.constantFrom(1, 7, 30, 365, 2, 3653),
        },
        { requiredKeys: ["schedule"] },
      ),
      { nil: undefined, freq: 3 },
    ),
    idempotency: fc.option(fc.record({ tableName: fc.stringMatching(/^[A-Za-z0-9_.-]{3,30}$/), pointInTimeRecovery: fc.boolean() }, { requiredKeys: [] }), { nil: undefined, freq: 3 }),
    deletionProtection: fc.option(fc.boolean(), { nil: undefined }),
    retainOnDelete: fc.option(fc.boolean(), { nil: undefined }),
    region: fc.option(region, { nil: undefined, freq: 3 }),
  })
  .map((a) => {
    const args: DataTierArgs = { tables: a.tables };
    for (const key of ["export", "idempotency", "deletionProtection", "retainOnDelete", "region"] as const) if (a[key] !== undefined) (args as any)[key] = a[key];
    return args;
  });

// ---------------------------------------------------------------------------------------------------------------- UserAuth

const url = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom("https://gallery.example.com/", "https://gallery.example.com", "http://localhost:3000/", "https://app.example.com/callback") },
  { weight: 4, arbitrary: fc.constantFrom("https://GALLERY.example.com/", "https://gallery.example.com./", "https://bücher.example/", "http://127.0.0.1:5173/", "https://a.example.com/cb?x=1") },
  { weight: 1, arbitrary: fc.constantFrom("http://gallery.example.com/", "https://gallery.example.com/#top", "gallery.example.com", "", "https://", "myapp://signed-in") },
);
const groupName = mostly(fc.constantFrom("admin", "editors", "Admins", "read-only", "team@example.com", "ünï", "g".repeat(128)), fc.constantFrom("", "two words", "g".repeat(129)));
const domain = fc.oneof(
  fc.constant({}),
  fc.record({ prefix: mostly(fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/), fc.constantFrom("gallery-login", "p".repeat(63), "a")), fc.constantFrom("Gallery", "my-aws-login", "p".repeat(64), "-x")) }),
  fc.record({
    name: fc.constantFrom("auth.gallery.example.com", "auth.gallery.example.com.", "Auth.Gallery.example.com", "auth.bücher.example", "example.com"),
    certificateArn: fc.constantFrom("arn:aws:acm:us-east-1:123456789012:certificate/abc", "arn:aws:acm:eu-west-1:123456789012:certificate/abc"),
    hostedZoneId: fc.option(fc.constant("Z0123456789EXAMPLE0000"), { nil: undefined }),
  }),
);

/**
 * Resource servers (Cognito's ResourceServerType: identifier of printable ASCII without space, `"` or `\\`; scope names
 * without `/`; descriptions 1–256 characters), mostly those the drawn oauthScopes name, so custom scopes meet the
 * servers that define them (or do not), as the deploy rules CognitoClientScopes and CognitoResourceServerScopes judge.
 */
const resourceServer = fc.record({
  identifier: mostly(fc.constantFrom("gallery", "https://api.gallery.example.com", "api:v1", "api;v1"), fc.constantFrom("two words", "", "quote\"d")),
  name: mostly(fc.constantFrom("Gallery API", "api_v1", "a.b@c"), fc.constantFrom("", "n/a")),
  scopes: fc.uniqueArray(
    fc.record({
      name: mostly(fc.constantFrom("read", "write", "admin.all", "*"), fc.constantFrom("", "a/b", "two words")),
      description: mostly(fc.constantFrom("Read the gallery", "Ünïcode ✓", "d".repeat(256)), fc.constantFrom("", "d".repeat(257))),
    }),
    { maxLength: 3, selector: (scope) => scope.name },
  ),
});

export const userAuthArgs: fc.Arbitrary<UserAuthArgs> = fc
  .record(
    {
      usernameAttributes: fc.array(fc.constantFrom("email" as const, "phone_number" as const), { maxLength: 2 }),
      selfSignUp: fc.boolean(),
      passwordPolicy: fc.record(
        {
          minimumLength: mostly(fc.integer({ min: 8, max: 99 }), fc.constantFrom(6, 100, 12.5)),
          requireLowercase: fc.boolean(),
          requireSymbols: mostly(fc.constant(true), fc.constant(false)),
          temporaryPasswordValidityDays: mostly(fc.integer({ min: 1, max: 365 }), fc.constantFrom(0, 366)),
        },
        { requiredKeys: [] },
      ),
      mfa: fc.constantFrom("OFF" as const, "OPTIONAL" as const, "ON" as const),
      mfaFactors: mostly<"TOTP"[]>(fc.constant(["TOTP"]), fc.constantFrom([], ["TOTP", "TOTP"])),
      threatProtection: fc.constantFrom("OFF" as const, "AUDIT" as const, "ENFORCED" as const),
      email: fc.record(
        {
          from: mostly(fc.constantFrom("no-reply@example.com", "No Reply <no-reply@example.com>", "no-reply@Example.com", "no-reply@mail.example.com"), fc.constant("nobody")),
          sesIdentityArn: fc.constantFrom("arn:aws:ses:us-east-1:123456789012:identity/example.com", "arn:aws:ses:eu-west-1:123456789012:identity/example.com"),
          replyTo: mostly(fc.constant("support@example.com"), fc.constant("support")),
        },
        { requiredKeys: ["from", "sesIdentityArn"] },
      ),
      groups: fc.uniqueArray(fc.record({ name: groupName, description: fc.option(mostly(fc.constantFrom("Admins", "Ünïcode ✓", "d".repeat(2048)), fc.constant("d".repeat(2049))), { nil: undefined }), precedence: fc.option(mostly(fc.constantFrom(1, 10, 2147483647), fc.constantFrom(-1, 0, 2147483648)), { nil: undefined }) }), { maxLength: 3, selector: (g) => g.name }),
      callbackUrls: mostly<string[]>(fc.array(url, { minLength: 1, maxLength: 3 }), fc.constant([])),
      logoutUrls: fc.array(url, { maxLength: 2 }),
      oauthScopes: fc.array(fc.constantFrom("openid", "email", "profile", "phone", "aws.cognito.signin.user.admin", "openid", "custom/scope", "", "gallery/read", "gallery/write", "https://api.gallery.example.com/read", "gallery/"), { maxLength: 4 }),
      resourceServers: fc.uniqueArray(resourceServer, { maxLength: 3, selector: (s) => s.identifier }),
      tokenValidity: fc.record(
        {
          accessTokenMinutes: mostly(fc.integer({ min: 5, max: 1440 }), fc.constantFrom(4, 1441)),
          idTokenMinutes: fc.integer({ min: 5, max: 1440 }),
          refreshTokenDays: mostly(fc.integer({ min: 1, max: 3650 }), fc.constantFrom(0, 3651)),
        },
        { requiredKeys: [] },
      ),
      refreshTokenRotation: fc.record({ enabled: fc.boolean(), retryGracePeriodSeconds: mostly(fc.integer({ min: 0, max: 60 }), fc.constant(61)) }, { requiredKeys: [] }),
      domain,
      identityPool: fc.record(
        {
          enabled: fc.boolean(),
          allowUnauthenticated: fc.constant(false),
          rowLevelSecurity: fc.array(
            fc.record(
              {
                tableArn: mostly(fc.constantFrom("arn:aws:dynamodb:us-east-1:123456789012:table/preferences", "arn:aws:dynamodb:eu-west-1:123456789012:table/Gallery.v2"), fc.constant("arn:aws:dynamodb:us-east-1:123456789012:table/gallery/index/gsi1")),
                actions: mostly<string[]>(fc.array(fc.constantFrom("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:GetItem"), { minLength: 1, maxLength: 3 }), fc.constantFrom([], ["dynamodb:Scan"])),
              },
              { requiredKeys: ["tableArn"] },
            ),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
      deletionProtection: fc.boolean(),
      retainOnDelete: fc.boolean(),
      region: region,
    },
    { requiredKeys: ["callbackUrls"] },
  )
  .map((args) => args as UserAuthArgs);

// ------------------------------------------------------------------------------------------------------- LambdaFunction

/** A handler file that exists; bundles of one entry are cached, so runs stay cheap. */
export const LAMBDA_ENTRY = "tests/fixtures/handlers/echo.ts";
const envKey = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom("TABLE_NAME", "BUCKET", "LOG_LEVEL", "stage", "POWERTOOLS_SERVICE_NAME") },
  { weight: 1, arbitrary: fc.constantFrom("AWS_REGION", "1ST", "MY-VAR", "_X", "É") },
);
const envValue = fc.oneof({ weight: 15, arbitrary: fc.constantFrom("gallery", "", "ünïcode ✓", "a=b;c") }, { weight: 1, arbitrary: fc.integer({ min: 1000, max: 4200 }).map((n) => "v".repeat(n)) });

export const lambdaFunctionArgs: fc.Arbitrary<LambdaFunctionArgs> = fc
  .record(
    {
      handler: mostly(fc.constant("handler"), fc.constantFrom("main", "index.handler")),
      description: mostly(fc.constantFrom("Makes thumbnails", "", "ünïcode ✓", "d".repeat(256)), fc.constant("d".repeat(257))),
      memorySize: mostly(fc.integer({ min: 128, max: 10240 }), fc.constantFrom(127, 10241, 1536.5)),
      timeout: mostly(fc.integer({ min: 1, max: 900 }), fc.constantFrom(0, 901)),
      ephemeralStorageSize: mostly(fc.integer({ min: 512, max: 10240 }), fc.constantFrom(511, 10241)),
      environment: fc.dictionary(envKey, envValue, { maxKeys: 3 }),
      logRetentionDays: mostly(fc.constantFrom(1, 3, 14, 30, 365, 3653), fc.constantFrom(2, 0)),
      architecture: fc.constantFrom("arm64" as const, "x86_64" as const),
      region: region,
      publish: fc.boolean(),
      layers: fc.array(fc.constantFrom("arn:aws:lambda:us-east-1:123456789012:layer:shared:3", "arn:aws:lambda:us-west-2:123456789012:layer:shared:3", "arn:aws:lambda:us-east-1:123456789012:layer:other:1"), { maxLength: 3 }),
      reservedConcurrency: mostly(fc.constantFrom(0, 1, 10, 1000), fc.constantFrom(-1, 2.5)),
      tracing: fc.boolean(),
      asyncInvoke: fc.record(
        {
          maxRetryAttempts: mostly(fc.constantFrom(0, 1, 2), fc.constant(3)),
          maxEventAgeSeconds: mostly(fc.integer({ min: 60, max: 21600 }), fc.constantFrom(59, 21601)),
          failureQueue: fc.record({ retentionDays: mostly(fc.constantFrom(1, 4, 14), fc.constantFrom(15, 0)) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      edge: mostly(fc.constant(false), fc.constant(true)),
      retainOnDelete: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .map((args) => ({ entry: LAMBDA_ENTRY, ...args }) as LambdaFunctionArgs);
