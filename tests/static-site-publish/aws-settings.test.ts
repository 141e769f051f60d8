/**
 * StaticSite hands its publisher the settings of the AWS provider its bucket is managed
 * with (issue 10, defect 10): the stack's `aws:*` config for the default provider, or an
 * explicit `aws.Provider` given to the component, never both — as one secret input.
 * Under mocks, with the stack config of a stack that deploys through a profile and a role.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { record, resource, useMocks } from "../harness/mocks";

const PUBLISHER = "pulumi-nodejs:dynamic/serverless-fullstack:SitePublisher";
// How the Pulumi SDK marks a secret on the wire (and the mocks record it).
const SECRET = { key: "4dabf18193072939515e22adb298388d", sig: "1b47061264138c4ac30d75fd1eb44270" };
const secretValue = (value: Record<string, unknown> | undefined) => {
  expect(value?.[SECRET.key], "the input is sent as a secret").toBe(SECRET.sig);
  return value?.value;
};

const STACK_ROLE = { roleArn: "arn:aws:iam::111111111111:role/deployer", sessionName: "ci", externalId: "stack-ext" };

beforeAll(async () => {
  await useMocks();
  pulumi.runtime.setAllConfig(
    {
      "aws:region": "eu-west-1",
      "aws:profile": "deploy",
      "aws:assumeRoles": JSON.stringify([STACK_ROLE, { roleArn: "" }]),
      "aws:accessKey": "AKIASTACK",
      "aws:secretKey": "stack-secret",
      "aws:token": "stack-token",
    },
    ["aws:secretKey", "aws:token"],
  );
});

describe("StaticSite's publisher acts as the site's AWS provider", () => {
  it("takes the stack's aws:profile, aws:assumeRoles and static keys, as one secret input", async () => {
    const graph = await record(() => new StaticSite("web", { path: "site" }));
    const publisher = resource(graph, PUBLISHER, "web-publish");
    expect(secretValue(publisher.inputs.aws)).toEqual({
      profile: "deploy",
      // Entries without a role ARN are ignored, as the AWS provider ignores them.
      assumeRoles: [STACK_ROLE],
      accessKey: "AKIASTACK",
      secretKey: "stack-secret",
      token: "stack-token",
    });
    expect(publisher.inputs.region).toBe(resource(graph, "aws:s3/bucket:Bucket", "web-bucket").state.region);
  });

  it("takes an explicit aws.Provider's settings (opts.provider or opts.providers) instead of the stack's", async () => {
    const tenant = new aws.Provider("tenant", {
      region: "ap-southeast-2",
      profile: "tenant",
      assumeRoles: [{ roleArn: "arn:aws:iam::222222222222:role/site-publisher", externalId: "tenant-7" }],
    });
    const graph = await record(() => {
      new StaticSite("one", { path: "site" }, { provider: tenant });
      new StaticSite("two", { path: "site" }, { providers: { aws: tenant } });
    });
    for (const name of ["one-publish", "two-publish"]) {
      // Nothing of the stack's config leaks in: an explicit provider ignores aws:* config.
      expect(secretValue(resource(graph, PUBLISHER, name).inputs.aws)).toEqual({
        profile: "tenant",
        assumeRoles: [{ roleArn: "arn:aws:iam::222222222222:role/site-publisher", externalId: "tenant-7" }],
      });
    }
  });

  it("takes an explicit provider's static keys as secrets too", async () => {
    const keys = new aws.Provider("keys", { region: "us-west-2", accessKey: "AKIAPROVIDER", secretKey: pulumi.secret("provider-secret") });
    const graph = await record(() => new StaticSite("keyed", { path: "site" }, { provider: keys }));
    expect(secretValue(resource(graph, PUBLISHER, "keyed-publish").inputs.aws)).toEqual({ accessKey: "AKIAPROVIDER", secretKey: "provider-secret" });
  });

  it("publishes into the site's region (provider v7 per-resource region)", async () => {
    const graph = await record(() => new StaticSite("eu", { path: "site", region: "eu-central-1" }));
    expect(resource(graph, PUBLISHER, "eu-publish").inputs.region).toBe("eu-central-1");
  });
});
