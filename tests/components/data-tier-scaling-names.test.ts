/**
 * DataTier's autoscaling policies are autonamed "<name>-<key>[-<index>]-<read|write>-policy-<random suffix>", which
 * pulumi-aws keeps within 255 (`pulumi preview` fails beyond): an index name DynamoDB takes (up to 255) can make them too
 * long, so DataTier refuses it at construction, naming the index (the component-accept fuzz found it, seed 20260611).
 */
import { describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { record } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const provisioned = (index: string) => ({
  attributes: { sk: "S" as const, status: "S" as const },
  partitionKey: "sk",
  globalIndexes: { [index]: { partitionKey: "status" } },
  billing: "provisioned" as const,
  capacity: { read: { min: 1, max: 1 }, write: { min: 1, max: 1 } },
});

describe("DataTier's scaling policy names", () => {
  it("refuses an index name that makes a scaling policy's autoname longer than pulumi-aws's 255, naming the index", () => {
    // One over the longest that fits (230, below): the write policy's, the longer side's, decides.
    const index = "i".repeat(231);
    expect(refusalOf(() => new DataTier("a", { tables: { a: provisioned(index) }, deletionProtection: false }), "DataTier accepted the index name")).toMatchObject({
      component: "DataTier",
      argument: "tables.a.globalIndexes",
      problem: expect.stringMatching(/scaling policy .* over the 255 pulumi-aws autonames a scaling policy within/),
    });
  });

  it("takes the longest index name whose policies fit, and an on-demand table's any index name DynamoDB takes", async () => {
    // "a-a-" + index + "-write-policy" + "-" + 7 = 255: the index may have 230 characters.
    await record(() => new DataTier("a", { tables: { a: provisioned("i".repeat(230)) }, deletionProtection: false }));
    const { capacity: _capacity, billing: _billing, ...onDemand } = provisioned("i".repeat(255));
    await record(() => new DataTier("b", { tables: { a: onDemand }, deletionProtection: false }));
  });
});
