/**
 * The recording mocks (local/offline/mocks.ts) behind `serverless-fullstack/testing`, `npm run plan` and the deploy
 * rules: a resource or invoke under an explicit provider for another region gets that region, as on AWS, so ARNs and
 * `getRegion` in a recorded multi-region program name the region the resource is really in.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { record, resource } from "../harness/mocks";

describe("recording mocks under an explicit provider", () => {
  it("give a resource, and getRegion, the provider's region; the stack's without one; the resource's own region input first", async () => {
    const graph = await record(() => {
      const west = new aws.Provider("west", { region: "us-west-2" });
      new aws.sqs.Queue("in-west", { tags: { reportedRegion: aws.getRegionOutput({}, { provider: west }).region } }, { provider: west });
      new aws.sqs.Queue("in-stack-region", { tags: { reportedRegion: aws.getRegionOutput({}).region } });
      new aws.sqs.Queue("own-region", { region: "eu-west-1" }, { provider: west });
    });
    const inWest = resource(graph, "aws:sqs/queue:Queue", "in-west");
    expect(inWest.state.arn).toMatch(/^arn:aws:sqs:us-west-2:/);
    expect(inWest.inputs.tags.reportedRegion).toBe("us-west-2");
    const inStackRegion = resource(graph, "aws:sqs/queue:Queue", "in-stack-region");
    expect(inStackRegion.state.arn).toMatch(/^arn:aws:sqs:us-east-1:/);
    expect(inStackRegion.inputs.tags.reportedRegion).toBe("us-east-1");
    expect(resource(graph, "aws:sqs/queue:Queue", "own-region").state.arn).toMatch(/^arn:aws:sqs:eu-west-1:/);
  });
});
