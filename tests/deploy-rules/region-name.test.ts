/** RegionName reads AWS resources and AWS providers only. */
import { describe, expect, it } from "vitest";
import { checkDeployRules } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

describe("RegionName", () => {
  it("leaves other clouds' resources and providers alone (their regions are named otherwise), and still checks AWS's", () => {
    const graph = [
      handBuilt("pulumi:providers:gcp", "gcp", { region: "us-central1" }),
      handBuilt("gcp:compute/subnetwork:Subnetwork", "sub", { region: "europe-west1", ipCidrRange: "10.0.0.0/24" }),
      handBuilt("digitalocean:index/droplet:Droplet", "drop", { region: "nyc3" }),
      handBuilt("aws:sqs/queue:Queue", "q", { region: "us-central1" }),
    ];
    expect(checkDeployRules(graph, devContext).filter((f) => f.rule === "RegionName").map((f) => f.resource)).toEqual(["aws:sqs/queue:Queue q"]);
  });
});
