/**
 * Component names every service refuses somewhere, given to every component with arguments AWS documents as valid
 * (the must-accept generators, one fixed draw each): the construction refuses the name as the component's, naming the
 * fix, or the plan passes every deploy rule (PhysicalNameLimits reads each autonamed resource). The argument fuzz draws
 * such names only now and then, so a child whose name nobody checked surfaced late (fuzz seed 99991: a DataTier named
 * "Données" made a table name DynamoDB refuses, and only the deploy rule saw it); here every component meets each of
 * them on every run.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { BackupPlan } from "../../components/backup-plan";
import { BucketEvents } from "../../components/bucket-events";
import { DataTier } from "../../components/data-tier";
import { DnsRouting } from "../../components/dns-routing";
import { EdgeLogic } from "../../components/edge-logic";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { Monitoring } from "../../components/monitoring";
import { PrivateNetwork } from "../../components/private-network";
import { RealtimeApi } from "../../components/realtime-api";
import { RegionalApis } from "../../components/regional-apis";
import { ApiKind, ServerlessApi } from "../../components/serverless-api";
import { StackSecret } from "../../components/stack-secret";
import { StaticSite } from "../../components/static-site";
import { UploadBucket } from "../../components/upload-bucket";
import { UserAuth } from "../../components/user-auth";
import { WebAcl } from "../../components/web-acl";
import { Workflow } from "../../components/workflow";
import { ACCEPT_ENTRY, dataTierArgs, edgeLogicArgs, lambdaFunctionArgs, serverlessApiArgs, STACK_REGION, staticSiteArgs, userAuthArgs } from "./component-accept-arbitraries";
import { backupPlanArgs, monitoringArgs, realtimeApiArgs, stackSecretArgs, uploadBucketDraw, webAclArgs } from "./component-accept-ops-arbitraries";
import { bucketEventsDraw, messageQueueDraw, dnsRoutingArgs, privateNetworkArgs, regionalApisArgs } from "./component-accept-rest-arbitraries";
import { dataTierOptOuts, useComponentFuzz, type OptedOut } from "./component-args-harness";

const { refusedOrDeployable } = useComponentFuzz();

/**
 * A letter outside ASCII, a space, a colon and a slash (characters some names take and others refuse), a period
 * (buckets and CloudFront names differ on it), mixed case and an underscore (S3 lower-cases, others keep), and lengths
 * past 64 (Lambda, IAM, CloudFront) and past 255 with a child's suffix (DynamoDB, log groups, secrets).
 */
const HOSTILE_NAMES = ["Données", "日本", "data tier", "data:tier", "data/tier", "my.data", "Data_Tier", "n".repeat(70), "n".repeat(250)];

/**
 * Draw `draw` of a generator, the same on every run: the arguments are not under test here, the names are. Several
 * draws per component, since an argument that names a child too (an export bucket, a domain prefix) can refuse a name
 * first and hide the child this test is after.
 */
const DRAWS = 4;
const drawn = <T,>(arbitrary: fc.Arbitrary<T>, draw: number): T => fc.sample(arbitrary, { seed: 20261204, numRuns: DRAWS })[draw];

/** A component, how it is built from a name and a draw, and the security findings those arguments opt out of. */
const components: Array<[string, (name: string, draw: number) => unknown, ((name: string, draw: number) => OptedOut)?]> = [
  ["LambdaFunction", (name, draw) => new LambdaFunction(name, drawn(lambdaFunctionArgs, draw))],
  ["DataTier", (name, draw) => new DataTier(name, drawn(dataTierArgs(STACK_REGION), draw).args), (name, draw) => dataTierOptOuts(name, drawn(dataTierArgs(STACK_REGION), draw).args)],
  // Without an export, whose bucket (lowercase only) refuses most of these names before any table is looked at.
  ["DataTier", (name, draw) => new DataTier(name, { ...drawn(dataTierArgs(STACK_REGION), draw).args, export: undefined }), (name, draw) => dataTierOptOuts(name, drawn(dataTierArgs(STACK_REGION), draw).args)],
  ["UserAuth", (name, draw) => new UserAuth(name, drawn(userAuthArgs, draw))],
  ["ServerlessApi", (name, draw) => new ServerlessApi(name, drawn(serverlessApiArgs(ApiKind.Rest), draw))],
  ["ServerlessApi", (name, draw) => new ServerlessApi(name, drawn(serverlessApiArgs(ApiKind.Http), draw))],
  ["StaticSite", (name, draw) => new StaticSite(name, drawn(staticSiteArgs, draw))],
  ["EdgeLogic", (name, draw) => new EdgeLogic(name, drawn(edgeLogicArgs, draw))],
  ["RealtimeApi", (name, draw) => new RealtimeApi(name, drawn(realtimeApiArgs, draw))],
  ["UploadBucket", (name, draw) => new UploadBucket(name, drawn(uploadBucketDraw, draw).args)],
  ["StackSecret", (name, draw) => new StackSecret(name, drawn(stackSecretArgs, draw))],
  ["Monitoring", (name, draw) => new Monitoring(name, drawn(monitoringArgs, draw))],
  ["WebAcl", (name, draw) => new WebAcl(name, drawn(webAclArgs, draw))],
  ["BackupPlan", (name, draw) => new BackupPlan(name, drawn(backupPlanArgs, draw))],
  ["RegionalApis", (name, draw) => new RegionalApis(name, drawn(regionalApisArgs, draw))],
  ["DnsRouting", (name, draw) => new DnsRouting(name, drawn(dnsRoutingArgs, draw))],
  ["PrivateNetwork", (name, draw) => new PrivateNetwork(name, drawn(privateNetworkArgs, draw))],
  ["Workflow", (name) => new Workflow(name, { tracing: true, definition: { StartAt: "Step", States: { Step: { Type: "Task", Resource: new LambdaFunction("workflow-step", { entry: ACCEPT_ENTRY }), End: true } } } })],
  [
    "BucketEvents",
    (name, draw) => {
      const { region, subscriptions } = drawn(bucketEventsDraw, draw);
      const uploads = new UploadBucket("events-bucket", { region });
      const subscriber = new LambdaFunction("subscriber", { entry: ACCEPT_ENTRY, region });
      return new BucketEvents(name, { bucket: uploads.nodes.bucket, region, subscriptions: Object.fromEntries(subscriptions.map(({ id, ...s }) => [id, { ...s, function: subscriber }])) });
    },
  ],
  [
    "MessageQueue",
    (name, draw) => {
      const { timeout, args } = drawn(messageQueueDraw, draw);
      return new MessageQueue(name, { ...args, consumer: { ...args.consumer, function: new LambdaFunction("queue-consumer", { entry: ACCEPT_ENTRY, timeout }) } });
    },
  ],
];

describe("a component name some service refuses is refused as the component's, or makes names every service takes", () => {
  it.each(components.map(([component, build, optedOut], i) => [`${component} #${i}`, component, build, optedOut] as const))("%s", async (_, component, build, optedOut) => {
    for (let draw = 0; draw < DRAWS; draw++) {
      for (const name of HOSTILE_NAMES) await refusedOrDeployable(component, () => build(name, draw), optedOut?.(name, draw), JSON.stringify([name, draw]));
    }
  });
});
