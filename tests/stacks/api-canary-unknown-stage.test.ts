/**
 * A canary on a stage the stack does not have fails the program with the message of the component the stack builds,
 * RegionalApis (its API's `api.canary`), not at deploy time.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { loadStackConfig } from "../../local/offline/config";
import { installRecordingMocks } from "../../local/offline/mocks";
import { PROJECT_DIR } from "../../local/offline/program";

describe("apiCanaryStage naming a stage the stack lacks", () => {
  it("stops the program with the argument, the value and the stages to use", async () => {
    const config = loadStackConfig(PROJECT_DIR, "dev");
    await installRecordingMocks({ project: config.project, stack: "dev", region: config.region });
    pulumi.runtime.setAllConfig({ ...config.values, "serverless-fullstack:apiCanaryStage": "prod", "serverless-fullstack:apiCanaryPercent": "10" }, config.secretKeys);
    clearRegisteredSpecs();
    // UserAuth, built before the failing ServerlessApi, fails its app client when the process runs dry without
    // setCallbackUrls (a `beforeExit` check). The program stopped before that call on purpose: when the worker
    // process ends by running dry rather than being stopped, that check would report unhandled rejections after the file.
    const exitChecks = new Set(process.listeners("beforeExit"));
    try {
      await expect(import("../../index.js")).rejects.toThrow(
        'RegionalApis "api": api.canary.stage "prod" is not a stage of this API, so there is nothing to run a canary on. Use one of dev, test, or add the stage.',
      );
    } finally {
      for (const listener of process.listeners("beforeExit")) if (!exitChecks.has(listener)) process.off("beforeExit", listener);
    }
  });
});
