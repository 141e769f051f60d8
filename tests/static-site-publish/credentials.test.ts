/**
 * The site publisher acts as the stack's AWS identity (issue 10, defect 10): the `aws` input
 * (profile, assume-role chain, static keys — what StaticSite reads from the AWS provider's
 * settings) decides who signs every S3, CloudFront and STS request, in the bucket's region;
 * the SDK's ambient default chain is used only when the stack sets nothing. Changing who we
 * are (another profile, role or keys) is an update that makes no request and never republishes, so that
 * `pulumi destroy` and `pulumi refresh`, which get only the recorded outputs, act as the new identity.
 *
 * A shared credentials file with a `deploy` profile stands in for ~/.aws; an STS stub answers
 * AssumeRole; a recorder in front of the local S3 server reads each request's SigV4 scope.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { publisherLog, publisherProvider as provider } from "../../components/static-site/publisher/provider";
import type { PublisherAws, PublisherInputs, PublisherState } from "../../components/static-site/publisher/types";
import { BUCKET, inputsFor, makeSite, removeSite, SITE, startCloud, startSigningRecorder, startStsStub, type Cloud, type SigningRecorder, type StsStub } from "./helpers";

const ENV_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION"];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

let cloud: Cloud;
let sts: StsStub;
let recorder: SigningRecorder;
let awsDir: string;
let root: string;

beforeAll(async () => {
  cloud = await startCloud();
  sts = await startStsStub();
  recorder = await startSigningRecorder(cloud.s3.endpoint);
  publisherLog.write = () => {};
  // Only the files below may supply credentials: nothing ambient from the machine running the tests.
  for (const key of ENV_KEYS) delete process.env[key];
  awsDir = mkdtempSync(join(tmpdir(), "publisher-aws-"));
  writeFileSync(
    join(awsDir, "credentials"),
    "[deploy]\naws_access_key_id = AKIADEPLOY\naws_secret_access_key = deploy-secret\n[sandbox]\naws_access_key_id = AKIASANDBOX\naws_secret_access_key = sandbox-secret\n",
  );
  writeFileSync(join(awsDir, "config"), "[profile deploy]\nregion = us-west-2\n");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(awsDir, "credentials");
  process.env.AWS_CONFIG_FILE = join(awsDir, "config");
  root = makeSite(SITE);
});

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(awsDir, { recursive: true, force: true });
  removeSite(root);
  await recorder.close();
  await sts.close();
  await cloud.close();
});

beforeEach(() => {
  cloud.reset();
  cloud.empty();
  sts.calls.length = 0;
  recorder.signers.length = 0;
});

/** The local cloud's inputs in region eu-west-1, S3 through the recorder, acting as `aws`. */
async function inputsAs(aws: PublisherAws): Promise<PublisherInputs> {
  const inputs = await inputsFor(root, cloud);
  return { ...inputs, region: "eu-west-1", endpoints: { ...inputs.endpoints, s3: recorder.endpoint, sts: sts.endpoint }, aws };
}

const HUB = "arn:aws:iam::111111111111:role/hub";
const PUBLISHER = "arn:aws:iam::222222222222:role/publisher";

describe("the publisher acts as the stack's AWS identity", () => {
  it("signs every S3 request with the stack's profile, in the bucket's region (not the profile's)", async () => {
    await provider.create(await inputsAs({ profile: "deploy" }));
    expect(cloud.s3.count("PutObject")).toBe(Object.keys(SITE).length);
    expect(recorder.signers).toHaveLength(Object.keys(SITE).length);
    expect(new Set(recorder.signers.map((s) => JSON.stringify(s)))).toEqual(new Set([JSON.stringify({ key: "AKIADEPLOY", region: "eu-west-1", service: "s3" })]));
    expect(sts.calls).toEqual([]);
  });

  it("assumes the stack's roles in order (session name, external id), then publishes as the last one", async () => {
    await provider.create(
      await inputsAs({ profile: "deploy", assumeRoles: [{ roleArn: HUB, sessionName: "ci-run-42" }, { roleArn: PUBLISHER, externalId: "tenant-7" }] }),
    );
    expect(sts.calls.map(({ roleArn, externalId, signer }) => ({ roleArn, externalId, signer }))).toEqual([
      // The first role with the profile's keys, the second with the first role's session.
      { roleArn: HUB, externalId: undefined, signer: { key: "AKIADEPLOY", region: "eu-west-1", service: "sts" } },
      { roleArn: PUBLISHER, externalId: "tenant-7", signer: { key: "ASIAHUB", region: "eu-west-1", service: "sts", token: "hub-token" } },
    ]);
    expect(sts.calls[0].sessionName).toBe("ci-run-42");
    expect(sts.calls[1].sessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(recorder.signers.length).toBeGreaterThan(0);
    expect(recorder.signers.every((s) => s.key === "ASIAPUBLISHER" && s.token === "publisher-token" && s.region === "eu-west-1")).toBe(true);
  });

  it("static keys from the provider settings win over the profile, session token included", async () => {
    await provider.create(await inputsAs({ profile: "deploy", accessKey: "AKIASTATIC", secretKey: "static-secret", token: "static-token" }));
    expect(recorder.signers.length).toBeGreaterThan(0);
    expect(recorder.signers.every((s) => s.key === "AKIASTATIC" && s.token === "static-token")).toBe(true);
  });

  it("deletes (pulumi destroy) and lists (pulumi refresh) as the same identity", async () => {
    const aws = { assumeRoles: [{ roleArn: PUBLISHER }], accessKey: "AKIASTATIC", secretKey: "static-secret" };
    const { outs } = await provider.create(await inputsAs(aws));
    recorder.signers.length = 0;
    await provider.read!(`${BUCKET}/site`, outs as PublisherState);
    await provider.delete!(`${BUCKET}/site`, outs as PublisherState);
    expect(cloud.s3.store.list(BUCKET, "")).toEqual([]);
    expect(recorder.signers.map((s) => s.key)).toEqual(["ASIAPUBLISHER", "ASIAPUBLISHER"]);
  });

  it("another profile, role or keys is an update that makes no request and republishes nothing", async () => {
    const first = await inputsAs({ profile: "deploy", accessKey: "AKIASTATIC", secretKey: "static-secret", token: "token-1" });
    const outs = (await provider.create(first)).outs as PublisherState;
    for (const aws of [{ ...first.aws, token: "token-2" }, { profile: "other" }, { assumeRoles: [{ roleArn: HUB }] }, {}]) {
      expect(await provider.diff!(`${BUCKET}/site`, outs, { ...first, aws })).toMatchObject({ changes: true, replaces: [] });
    }
    // The same settings in another key order are no change.
    const reordered = { token: "token-1", secretKey: "static-secret", accessKey: "AKIASTATIC", profile: "deploy" };
    expect((await provider.diff!(`${BUCKET}/site`, outs, { ...first, aws: reordered })).changes).toBe(false);

    cloud.reset();
    recorder.signers.length = 0;
    const updated = (await provider.update!(`${BUCKET}/site`, outs, { ...first, aws: { profile: "sandbox" } })).outs as PublisherState;
    expect(recorder.signers).toEqual([]);
    expect(cloud.s3.requests).toEqual([]);
    expect(cloud.cloudfront.invalidations).toEqual([]);
    expect(sts.calls).toEqual([]);
    expect(updated.aws).toEqual({ profile: "sandbox" });
    // Not a deploy of the site: retention counts and the last deploy's record stay.
    expect(updated.deploy).toBe(outs.deploy);
    expect(updated.lastDeploy).toEqual(outs.lastDeploy);
    expect((await provider.diff!(`${BUCKET}/site`, updated, { ...first, aws: { profile: "sandbox" } })).changes).toBe(false);
  });

  it("after a profile change and an update, refresh and destroy act as the new profile (the old one may be gone)", async () => {
    const outs = (await provider.create(await inputsAs({ profile: "deploy" }))).outs as PublisherState;
    const news = await inputsAs({ profile: "sandbox" });
    // As the engine does it: an update when diff reports changes, else a same step that keeps the old outputs.
    const { changes } = await provider.diff!(`${BUCKET}/site`, outs, news);
    const updated = changes ? ((await provider.update!(`${BUCKET}/site`, outs, news)).outs as PublisherState) : outs;
    recorder.signers.length = 0;
    await provider.read!(`${BUCKET}/site`, updated);
    await provider.delete!(`${BUCKET}/site`, updated);
    expect(cloud.s3.store.list(BUCKET, "")).toEqual([]);
    expect(recorder.signers.map((s) => s.key)).toEqual(["AKIASANDBOX", "AKIASANDBOX"]);
  });

  it("check refuses settings AWS would refuse: a role ARN that is not an IAM role's, a bad session name, half a key pair", async () => {
    const inputs = await inputsAs({});
    const failures = async (aws: PublisherAws) => (await provider.check!({}, { ...inputs, aws })).failures?.map((f) => `${f.property}: ${f.reason}`) ?? [];
    expect(await failures({ assumeRoles: [{ roleArn: "arn:aws:iam::111111111111:user/bob" }] })).toEqual([
      expect.stringMatching(/^aws\.assumeRoles\[0\]\.roleArn: "arn:aws:iam::111111111111:user\/bob" is not an IAM role ARN/),
    ]);
    expect(await failures({ assumeRoles: [{ roleArn: HUB, sessionName: "has spaces" }] })).toEqual([expect.stringMatching(/^aws\.assumeRoles\[0\]\.sessionName: /)]);
    expect(await failures({ accessKey: "AKIAONLY" })).toEqual([expect.stringMatching(/^aws\.secretKey: /)]);
    expect(await failures({ profile: "deploy", assumeRoles: [{ roleArn: HUB, sessionName: "ok-name", externalId: "tenant-7" }] })).toEqual([]);
  });
});
