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
});
