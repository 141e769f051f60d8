/**
 * The alarm topic's display name (the "From" name of its alarm emails) is `<project> <stack> alarms`. SNS takes a
 * display name of at most 100 characters ("The display name must be maximum 100 characters long, including hyphens (-),
 * underscores (_), spaces, and tabs",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html#cfn-sns-topic-displayname;
 * a longer one failed a deployment in getlift/lift#348), while a Pulumi project and stack name together can be longer.
 * Its own file: the project and stack names are the mocks', which are process-wide.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Monitoring } from "../../components/monitoring";
import { record, resource, useMocks } from "../harness/mocks";

const PROJECT = "photo-gallery-reference-application-for-the-serverless-fullstack-components";
const STACK = "production.eu-central-1.customer-facing";

beforeAll(async () => {
  await useMocks({ project: PROJECT, stack: STACK });
});

describe("Monitoring's alarm topic display name stays within SNS's 100 characters", () => {
  it("a project and stack whose names make more than 100 characters get a display name of 100, ending in alarms", async () => {
    const graph = await record(() => new Monitoring("ops", { tables: { gallery: { tableName: "gallery-table" } } }));
    const displayName: string = resource(graph, "aws:sns/topic:Topic", "ops-alarms").inputs.displayName;
    expect(`${PROJECT} ${STACK} alarms`.length).toBeGreaterThan(100);
    expect(displayName.length).toBeLessThanOrEqual(100);
    expect(displayName).toMatch(/^photo-gallery-reference-application-for-the-serverless-fullstack-components production\.eu.* alarms$/);
  });

  it("a cut that would fall between the two halves of a character outside the BMP (an emoji) leaves the whole character out, not half of it", async () => {
    // "p " and 90 letters are 92 UTF-16 units, so the emoji's high surrogate is the 93rd: the last the cut to 93 (100 less " alarms") keeps.
    await useMocks({ project: "p", stack: `${"a".repeat(90)}\u{1F600}-stack` });
    const graph = await record(() => new Monitoring("ops", { tables: { gallery: { tableName: "gallery-table" } } }));
    const displayName: string = resource(graph, "aws:sns/topic:Topic", "ops-alarms").inputs.displayName;
    expect(displayName).toBe(`p ${"a".repeat(90)} alarms`);
  });
});
