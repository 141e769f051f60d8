/**
 * `apiEndpointType: PRIVATE` with `apiVpcEndpointIds`: the ids reach ServerlessApi (so it does not stop
 * at "vpcEndpointIds is empty"), and the reference app then stops at its site route with the reason —
 * the site's CloudFront cannot reach a private API — instead of a distribution that answers 403.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { loadStackConfig } from "../../local/offline/config";
import { installRecordingMocks } from "../../local/offline/mocks";
import { PROJECT_DIR } from "../../local/offline/program";

describe("apiEndpointType PRIVATE in the reference app", () => {
  it("takes the VPC endpoint ids from apiVpcEndpointIds and refuses the site route with the reason", async () => {
    const config = loadStackConfig(PROJECT_DIR, "dev");
    await installRecordingMocks({ project: config.project, stack: "dev", region: config.region });
    pulumi.runtime.setAllConfig(
      { ...config.values, "serverless-fullstack:apiEndpointType": "PRIVATE", "serverless-fullstack:apiVpcEndpointIds": '["vpce-0123456789abcdef0"]' },
      config.secretKeys,
    );
    clearRegisteredSpecs();
    await expect(import("../../index.js")).rejects.toThrow(
      /^ServerlessApi "api": endpointType "PRIVATE" cannot back a StaticSite route \(siteRoute\(\)\): a private API answers only through its VPC endpoints, and CloudFront reaches origins over the internet\./,
    );
  });
});
