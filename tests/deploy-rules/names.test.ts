/**
 * PhysicalNameLimits on what components build: a component name that makes a physical name Pulumi cannot
 * autoname (or AWS refuses) is reported on the resource, with the component it came from — including where the
 * component itself lets the name through.
 */
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { PrivateNetwork } from "../../components/private-network";
import { RelationalDatabase } from "../../components/relational-database";
import { UploadBucket } from "../../components/upload-bucket";
import { byName, mutate, record } from "../../testing/harness";
import { checkDeployRules, formatFinding, physicalName, PHYSICAL_NAMES } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

const entry = "tests/fixtures/handlers/echo.ts";
const spec = (type: string) => PHYSICAL_NAMES.find((s) => s.type === type)!;
const nameFindings = async (build: () => unknown) => checkDeployRules(await record(build), devContext).filter((f) => f.rule === "PhysicalNameLimits").map(formatFinding);

describe("PhysicalNameLimits on components", () => {
  it("reports a component's resource whose autoname would be too long, naming the component it came from", async () => {
    // UploadBucket itself refuses such a name (tests/components/bucket-autonames.test.ts): the rule is the net for
    // resources a program names some other way, so the logs bucket of a recorded one is renamed here.
    const long = "gallery-uploads-".repeat(5).slice(0, 70);
    const graph = mutate(await record(() => new UploadBucket("uploads", {})), byName("uploads-logs"), (r) => ({ ...r, name: `${long}-logs` }));
    const findings = checkDeployRules(graph, devContext).filter((f) => f.rule === "PhysicalNameLimits").map(formatFinding);
    expect(findings).toEqual([
      expect.stringMatching(new RegExp(`^dev: \\[PhysicalNameLimits\\] aws:s3/bucket:Bucket ${long}-logs: is autonamed ${long}-logs-<random suffix>, 83 characters: over the 63 pulumi-aws allows for an S3 bucket name, so \`pulumi preview\` fails .* Fix: shorten the resource name "${long}-logs" \\(75 characters\\) to at most 55 \\(it comes from the UploadBucket named "uploads"\\)`)),
    ]);
  });

  // RelationalDatabase names its DB subnet group by namePrefix `<name>-`: measured as the provider makes it (the prefix
  // and 26 digits), within validSubnetGroupNamePrefix and CreateDBSubnetGroup's rules; a group renamed to a prefix RDS
  // refuses (a digit first) is reported on the component's resource.
  it("measures RelationalDatabase's subnet group namePrefix with the provider's suffix", async () => {
    const graph = await record(() => new RelationalDatabase("gallery-db", { network: new PrivateNetwork("net", { existingVpc: { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"] } }), finalSnapshot: false }));
    const group = graph.find((r) => r.type === "aws:rds/subnetGroup:SubnetGroup")!;
    expect(physicalName(spec("aws:rds/subnetGroup:SubnetGroup"), group)).toEqual({ name: `gallery-db-${"0".repeat(26)}`, shown: "gallery-db-<26-digit unique suffix>", autonamed: false, prefixed: "gallery-db-" });
    expect(checkDeployRules(graph, devContext).filter((f) => f.rule === "PhysicalNameLimits")).toEqual([]);
    const renamed = mutate(graph, (r) => r === group, (r) => ({ ...r, inputs: { ...r.inputs, namePrefix: "1db-" } }));
    expect(checkDeployRules(renamed, devContext).filter((f) => f.rule === "PhysicalNameLimits").map(formatFinding)).toEqual([
      expect.stringMatching(/has namePrefix "1db-", so its name is 1db-<26-digit unique suffix> \(30 characters\), a DB subnet group name that does not begin with a letter: AWS refuses it at `pulumi up`\. Fix: use a namePrefix of characters a DB subnet group name takes \(it comes from the RelationalDatabase named "gallery-db"\), or leave it unset and set name$/),
    ]);
  });

  it("has no findings on components with ordinary names", async () => {
    expect(await nameFindings(() => new UploadBucket("uploads", {}))).toEqual([]);
    expect(await nameFindings(() => new LambdaFunction("nightly", { entry, schedule: { expression: "rate(1 day)" } }))).toEqual([]);
  });
});

describe("physicalName", () => {

  it("is the explicit name when set, else <logical>-<random suffix>, lower-cased for buckets and with .fifo for FIFO queues", () => {
    expect(physicalName(spec("aws:lambda/function:Function"), handBuilt("aws:lambda/function:Function", "fn", { name: "given" }))?.shown).toBe("given");
    expect(physicalName(spec("aws:lambda/function:Function"), handBuilt("aws:lambda/function:Function", "fn", {}))?.shown).toBe("fn-<random suffix>");
    expect(physicalName(spec("aws:s3/bucket:Bucket"), handBuilt("aws:s3/bucket:Bucket", "Site", {}))?.shown).toBe("site-<random suffix>");
    expect(physicalName(spec("aws:sqs/queue:Queue"), handBuilt("aws:sqs/queue:Queue", "jobs", { fifoQueue: true }))?.name).toBe("jobs-0000000.fifo");
  });

  it("is unknown for a required name the program did not set (nothing to check)", () => {
    expect(physicalName(spec("aws:apigateway/stage:Stage"), handBuilt("aws:apigateway/stage:Stage", "s", {}))).toBeUndefined();
  });

  // pulumi-terraform-bridge applyDefaults sets no autoname on a `name` that ConflictsWith a `namePrefix` the program set
  // (buildConflictsWith); terraform-provider-aws names it the prefix and id.PrefixedUniqueId's 26 digits.
  it("is a security group's namePrefix and the provider's 26-digit suffix, not an autoname; unknown for a type whose prefix is not measured", () => {
    const group = handBuilt("aws:ec2/securityGroup:SecurityGroup", "g".repeat(250), { vpcId: "vpc-1", description: "d", namePrefix: "app-" });
    expect(physicalName(spec("aws:ec2/securityGroup:SecurityGroup"), group)).toEqual({ name: `app-${"0".repeat(26)}`, shown: "app-<26-digit unique suffix>", autonamed: false, prefixed: "app-" });
    // A bucket's bucketPrefix is S3BucketName's (s3.ts), not measured here: the name is unknown, not an autoname.
    expect(physicalName(spec("aws:s3/bucket:Bucket"), handBuilt("aws:s3/bucket:Bucket", "b".repeat(250), { bucketPrefix: "photos-" }))).toBeUndefined();
    expect(checkDeployRules([handBuilt("aws:s3/bucket:Bucket", "b".repeat(250), { bucketPrefix: "photos-" })], devContext).filter((f) => f.rule === "PhysicalNameLimits")).toEqual([]);
  });

  it("tells a security group's namePrefix the provider refuses at preview (over 229, or sg-) from one EC2 refuses at up", () => {
    const findings = (namePrefix: string) => checkDeployRules([handBuilt("aws:ec2/securityGroup:SecurityGroup", "web", { vpcId: "vpc-1", description: "d", namePrefix })], devContext).filter((f) => f.rule === "PhysicalNameLimits").map(formatFinding);
    expect(findings("sg-web-")).toEqual([expect.stringMatching(/at `pulumi preview`\. Fix: use a namePrefix of at most 229 characters, not starting with "sg-", or leave it unset for Pulumi's autonaming$/)]);
    expect(findings("p".repeat(229))).toEqual([]);
    expect(findings("web~")).toEqual([expect.stringMatching(/has "~"; .*: AWS refuses it at `pulumi up`\. Fix: use a namePrefix of characters a security group name takes, or leave it unset for Pulumi's autonaming$/)]);
  });

  // terraform-plugin-sdk validation.StringLenBetween measures Go's len(v), UTF-8 bytes, on name and name_prefix alike.
  it("measures a security group's name and namePrefix in UTF-8 bytes for the provider's preview check, as Go's len does", () => {
    const findings = (inputs: Record<string, string>) => checkDeployRules([handBuilt("aws:ec2/securityGroup:SecurityGroup", "web", { vpcId: "vpc-1", description: "d", ...inputs })], devContext).filter((f) => f.rule === "PhysicalNameLimits").map(formatFinding);
    // 115 characters, 230 bytes: over name_prefix's 229.
    expect(findings({ namePrefix: "é".repeat(115) })).toEqual([expect.stringMatching(/terraform-provider-aws refuses the prefix \(at most 229 characters, not starting with "sg-"\) at `pulumi preview`/)]);
    // 128 characters, 256 bytes: over name's 255.
    expect(findings({ name: "é".repeat(128) })).toEqual([expect.stringMatching(/: terraform-provider-aws refuses it at `pulumi preview` \(name: at most 255 characters, "cannot begin with sg-"\)/)]);
    // 100 characters, 200 bytes: within both; EC2 refuses the letter at up.
    expect(findings({ name: "é".repeat(100) })).toEqual([expect.stringMatching(/AWS refuses it at `pulumi up`/)]);
  });
});
