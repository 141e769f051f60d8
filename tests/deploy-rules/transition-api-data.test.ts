/**
 * checkPlanTransition on updates that AWS or the provider apply other than the program says, review 13 findings 3, 4
 * and 8: a REST API moved from PRIVATE to EDGE in one update (refused), a table's stream view type changed under a
 * Lambda subscription (the stream is cycled and the new mapping starts after records were written), and a key
 * attribute given another type (the provider drops the change). Each a pair of recordings of the real components (the
 * deployed plan and the next), the finding it must give, and the documented procedure that passes.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { DataTier, type StreamSubscriptionArgs, type TableArgs } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record as recordProgram } from "../../testing/harness";
import { formatFinding, PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { handBuilt, rules, saved, transition } from "./fixture";

const REST_API = "aws:apigateway/restApi:RestApi";
const TABLE = "aws:dynamodb/table:Table";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

describe("TransitionRestApiEndpointType: a REST API moved from PRIVATE to EDGE in one update", () => {
  const api = (endpointType: ServerlessApiArgs["endpointType"]) =>
    recordProgram(
      () =>
        new ServerlessApi("api", {
          endpointType,
          vpcEndpointIds: endpointType === "PRIVATE" ? ["vpce-0123456789abcdef0"] : undefined,
          routes: { "GET /health": { integration: { type: "mock", body: { ok: true } }, auth: "none" } },
        }),
    );

  it("finds apiEndpointType PRIVATE → EDGE: UpdateRestApi refuses it, and points at the two updates", async () => {
    const findings = transition(await api("PRIVATE"), await api("EDGE"));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestApiEndpointType", `${REST_API} api-api`]]);
    expect(findings[0].problem).toMatch(/^changes the endpoint type of REST API api-api from PRIVATE to EDGE in one update/);
    expect(findings[0].problem).toContain("You cannot change a private API into an edge-optimized API");
    expect(findings[0].fix).toMatch(/^two updates: 1\. endpointType "REGIONAL" \(the reference app: apiEndpointType\); pulumi up\. 2\./);
    expect(findings[0].fix).toContain('"EDGE"');
    // Through the file npm run plan -- --save writes, which keeps the API's endpoint type and nothing else of it.
    const deployed = saved(await api("PRIVATE"));
    expect(deployed.find((r) => r.type === REST_API)!.inputs).toEqual({ endpointConfiguration: { types: "PRIVATE" } });
    expect(rules(deployed, await api("EDGE"))).toEqual([["TransitionRestApiEndpointType", `${REST_API} api-api`]]);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionRestApiEndpointType")?.source).toBe("https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-api-migration.html");
  });

  it("passes the two updates and every change AWS supports", async () => {
    const [privateApi, regional, edge] = [await api("PRIVATE"), await api("REGIONAL"), await api("EDGE")];
    expect(transition(privateApi, regional).map(formatFinding)).toEqual([]);
    expect(transition(regional, edge).map(formatFinding)).toEqual([]);
    expect(transition(edge, privateApi).map(formatFinding)).toEqual([]);
    expect(transition(edge, regional).map(formatFinding)).toEqual([]);
    expect(transition(privateApi, privateApi).map(formatFinding)).toEqual([]);
  });

  it("reads a hand-made RestApi's types as a list too, and leaves alone an API whose endpointConfiguration is ignored or not saved", () => {
    const restApi = (types: unknown, more: Partial<RecordedResource> = {}) => handBuilt(REST_API, "legacy", { name: "legacy", endpointConfiguration: { types } }, more);
    expect(rules([restApi(["PRIVATE"])], [restApi(["EDGE"])])).toEqual([["TransitionRestApiEndpointType", `${REST_API} legacy`]]);
    expect(transition([restApi(["PRIVATE"])], [restApi(["EDGE"], { ignoreChanges: ["endpointConfiguration"] })])).toEqual([]);
    // A plan saved before the endpoint type was kept says nothing about it.
    expect(transition([{ ...restApi("PRIVATE"), inputs: {}, savedInputs: [] } as RecordedResource], [restApi("EDGE")])).toEqual([]);
  });
});

describe("TransitionStreamCycled: a subscribed table's stream view type changed in place", () => {
  const gallery = { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk" };
  const tier = (stream: TableArgs["stream"], subscription?: StreamSubscriptionArgs) =>
    recordProgram(() => {
      const data = new DataTier("data", { tables: { gallery: { ...gallery, stream } as TableArgs }, region: "us-east-1" });
      if (subscription) data.subscribe("counters", "gallery", new LambdaFunction("counters", { entry: "tests/fixtures/handlers/echo.ts" }), subscription);
    });

  it("finds NEW_IMAGE → NEW_AND_OLD_IMAGES under a LATEST subscription: the stream is cycled, and the new mapping starts at LATEST", async () => {
    const findings = transition(await tier("NEW_IMAGE", {}), await tier("NEW_AND_OLD_IMAGES", {}));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionStreamCycled", `${TABLE} data-gallery`]]);
    expect(findings[0].problem).toMatch(/^changes the stream view type of DynamoDB table data-gallery from NEW_IMAGE to NEW_AND_OLD_IMAGES while its stream stays on/);
    expect(findings[0].problem).toContain("cycleStreamEnabled");
    expect(findings[0].problem).toContain(`${MAPPING} data-counters-mapping (startingPosition LATEST)`);
    expect(findings[0].fix).toMatch(/startingPosition: "TRIM_HORIZON"/);
    expect(findings[0].fix).toContain("docs/components/data-tier.md#changing-a-subscribed-tables-stream-view-type");
    // Through the saved plan, which now keeps streamViewType.
    expect(rules(saved(await tier("NEW_IMAGE", {})), await tier("NEW_AND_OLD_IMAGES", {}))).toEqual([["TransitionStreamCycled", `${TABLE} data-gallery`]]);
  });

  it("passes the documented update (TRIM_HORIZON), a table nothing subscribes to, a subscription added with the change, and the stream turned on or off", async () => {
    expect(transition(await tier("NEW_IMAGE", {}), await tier("NEW_AND_OLD_IMAGES", { startingPosition: "TRIM_HORIZON" })).map(formatFinding)).toEqual([]);
    expect(transition(await tier("NEW_IMAGE"), await tier("NEW_AND_OLD_IMAGES")).map(formatFinding)).toEqual([]);
    expect(transition(await tier("NEW_IMAGE"), await tier("NEW_AND_OLD_IMAGES", {})).map(formatFinding)).toEqual([]);
    expect(transition(await tier(undefined), await tier("NEW_IMAGE")).map(formatFinding)).toEqual([]);
    expect(transition(await tier("NEW_IMAGE", {}), await tier("NEW_IMAGE", {})).map(formatFinding)).toEqual([]);
  });
});

describe("TransitionKeyAttributeRetyped: a key attribute given another type", () => {
  const tier = (attributes: Record<string, string>, table: Record<string, unknown> = {}) =>
    recordProgram(() => new DataTier("data", { tables: { gallery: { attributes, partitionKey: "pk", sortKey: "sk", ...table } as TableArgs }, region: "us-east-1" }));

  it("finds the partition key S → N: the provider clears the attribute diff, the table keeps S", async () => {
    const findings = transition(await tier({ pk: "S", sk: "S" }), await tier({ pk: "N", sk: "S" }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionKeyAttributeRetyped", `${TABLE} data-gallery`]]);
    expect(findings[0].problem).toMatch(/^gives key attribute pk \(the partition key\) of DynamoDB table data-gallery type N, deployed as S/);
    expect(findings[0].problem).toContain('diff.Clear("attribute")');
    expect(findings[0].fix).toMatch(/keep pk as S/);
    expect(rules(saved(await tier({ pk: "S", sk: "S" })), await tier({ pk: "N", sk: "S" }))).toEqual([["TransitionKeyAttributeRetyped", `${TABLE} data-gallery`]]);
  });

  it("finds a global index's key retyped, and says what is not confirmed when the indexes change too", async () => {
    const indexed = (type: string, indexes: Record<string, unknown>) => tier({ pk: "S", sk: "S", gsi1pk: type }, { globalIndexes: indexes });
    const gsi1 = { gsi1: { partitionKey: "gsi1pk" } };
    const findings = transition(await indexed("S", gsi1), await indexed("N", gsi1));
    expect(findings.map((f) => f.rule)).toEqual(["TransitionKeyAttributeRetyped"]);
    expect(findings[0].problem).toMatch(/key attribute gsi1pk \(the partition key of global index gsi1\)/);
    const moved = transition(await indexed("S", gsi1), await indexed("N", { gsi2: { partitionKey: "gsi1pk" } }));
    expect(moved.map((f) => f.rule)).toEqual(["TransitionKeyAttributeRetyped"]);
    expect(moved[0].problem).toMatch(/not confirmed/);
  });

  it("passes the same types, and a new attribute name for a new index", async () => {
    expect(transition(await tier({ pk: "S", sk: "S" }), await tier({ pk: "S", sk: "S" })).map(formatFinding)).toEqual([]);
    expect(
      transition(await tier({ pk: "S", sk: "S" }), await tier({ pk: "S", sk: "S", gsi1pkNum: "N" }, { globalIndexes: { gsi1: { partitionKey: "gsi1pkNum" } } })).map(formatFinding),
    ).toEqual([]);
    // A plan saved before the attributes were kept says nothing about them.
    const old = saved(await tier({ pk: "S", sk: "S" })).map((r) => (r.type === TABLE ? { ...r, inputs: { ...r.inputs, attributes: undefined }, savedInputs: r.savedInputs!.filter((s) => s !== "attributes") } : r));
    expect(transition(old, await tier({ pk: "N", sk: "S" })).map(formatFinding)).toEqual([]);
  });
});
