/**
 * Must-accept properties (./component-accept.test.ts explains them) for the smaller and the operations components:
 * RealtimeApi, UploadBucket (with replicate and allowBrowserUploads), StackSecret, Monitoring, WebAcl and BackupPlan.
 * For arguments AWS documents as valid (./component-accept-ops-arbitraries.ts, every bound cited), construction must
 * NOT refuse, and the plan must pass every deploy rule and every security rule.
 *
 * Explore: `FUZZ_SEED=7 FUZZ_RUNS=200 npx vitest run tests/fuzz/component-accept-ops.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { BackupPlan } from "../../components/backup-plan";
import { Monitoring } from "../../components/monitoring";
import { RealtimeApi } from "../../components/realtime-api";
import { StackSecret } from "../../components/stack-secret";
import { UploadBucket } from "../../components/upload-bucket";
import { WebAcl } from "../../components/web-acl";
import {
  backupPlanArgs,
  backupPlanName,
  monitoringArgs,
  monitoringName,
  realtimeApiArgs,
  realtimeApiName,
  stackSecretArgs,
  stackSecretName,
  uploadBucketDraw,
  uploadBucketName,
  webAclArgs,
  webAclName,
} from "./component-accept-ops-arbitraries";
import { SEED, useComponentFuzz } from "./component-args-harness";

const { acceptComponent, construct } = useComponentFuzz();

describe(`arguments AWS documents as valid are accepted and deploy cleanly (seed ${SEED}): the smaller and operations components`, () => {
  it("RealtimeApi", async () => {
    await acceptComponent("RealtimeApi", realtimeApiName, realtimeApiArgs, (name, args) => new RealtimeApi(name, args), 20);
  });

  it("UploadBucket (with replicate and allowBrowserUploads)", async () => {
    await acceptComponent(
      "UploadBucket",
      uploadBucketName,
      uploadBucketDraw,
      (name, { args, replicate, origins }) => {
        const uploads = new UploadBucket(name, args);
        if (replicate) uploads.replicate(replicate.region, replicate.prefix);
        if (origins) uploads.allowBrowserUploads("site", origins);
      },
      25,
    );
  });

  it("StackSecret", async () => {
    await acceptComponent("StackSecret", stackSecretName, stackSecretArgs, (name, args) => new StackSecret(name, args), 25, { label: (name, args) => JSON.stringify([name, { ...args, value: `<${String(args.value).length} characters>` }]) });
  });

  it("Monitoring", async () => {
    await acceptComponent("Monitoring", monitoringName, monitoringArgs, (name, args) => new Monitoring(name, args), 25);
  });

  it("WebAcl", async () => {
    await acceptComponent("WebAcl", webAclName, webAclArgs, (name, args) => new WebAcl(name, args), 25);
  });

  it("BackupPlan", async () => {
    await acceptComponent("BackupPlan", backupPlanName, backupPlanArgs, (name, args) => new BackupPlan(name, args), 25);
  });
});

/** False refusals (and false accepts) the must-accept properties found, each pinned with the AWS source. */
describe("false refusals the must-accept properties found", () => {
  const fn = (alarms: object) => ({ gallery: { functionName: "gallery-counters-fn", streamConsumer: true, alarms } });

  // PutMetricAlarm DatapointsToAlarm: "The number of data points that must be breaching to trigger the alarm. This is
  // used only if you are setting an "M out of N" alarm. In that case, this value is the M." and EvaluationPeriods is the
  // N (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html). streamIteratorAge's
  // N is 2 and apiLatencyP99's 3 (ALARM_DEFAULTS), so an M of 2 is valid; Monitoring checked an override's M against an
  // N of 1 when the override left N at the kind's default. Found by the Monitoring property (seed 20260611).
  it("Monitoring takes datapointsToAlarm 2 on an alarm kind whose default evaluationPeriods is 2 or 3", async () => {
    const own = await construct(() => new Monitoring("ops", { functions: fn({ streamIteratorAge: { datapointsToAlarm: 2 } }) }));
    expect("refused" in own ? own.refused.message : "").toBe("");
    const defaults = await construct(() => new Monitoring("ops", { apiStages: { gallery: { apiName: "gallery-api", stage: "prod" } }, defaults: { apiLatencyP99: { datapointsToAlarm: 2 } } }));
    expect("refused" in defaults ? defaults.refused.message : "").toBe("");
  });

  // The same page: "For alarms with a period of less than one hour (3,600 seconds), the total evaluation period can't be
  // longer than one day (86,400 seconds)": 60 s × 1440 is one day. A target's evaluationPeriods over `defaults`'
  // periodSeconds was checked against a period of 300 s.
  it("Monitoring takes a target's evaluationPeriods 1440 over defaults' periodSeconds 60 (one day)", async () => {
    const outcome = await construct(() => new Monitoring("ops", { functions: fn({ lambdaErrors: { evaluationPeriods: 1440 } }), defaults: { lambdaErrors: { periodSeconds: 60 } } }));
    expect("refused" in outcome ? outcome.refused.message : "").toBe("");
  });

  // The false accept beside them: defaults' 3 of 3 with a target's evaluationPeriods 1 makes an alarm of M 3 out of N 1,
  // which PutMetricAlarm refuses; each override alone passed. Monitoring now checks what each alarm is created with.
  it("Monitoring refuses a target's evaluationPeriods 1 under defaults' datapointsToAlarm 3, naming the target's override", async () => {
    const outcome = await construct(() => new Monitoring("ops", { functions: fn({ lambdaErrors: { evaluationPeriods: 1 } }), defaults: { lambdaErrors: { evaluationPeriods: 3, datapointsToAlarm: 3 } } }));
    expect("refused" in outcome && [outcome.refused.argument, outcome.refused.message]).toEqual([
      "functions.gallery.alarms.lambdaErrors",
      expect.stringMatching(/with defaults\.lambdaErrors, would make an alarm CloudWatch refuses: datapointsToAlarm 3 is not 1–1 \(the evaluation periods\)/),
    ]);
  });
});

/** Values the components took that AWS refuses (false accepts), noticed while writing the must-accept generators. */
describe("false accepts the must-accept review found", () => {
  // RateBasedStatement Limit: "Valid Range: Minimum value of 10. Maximum value of 2000000000."
  // (https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html). WebAcl checked the minimum only,
  // and no deploy rule reads the limit, so 3,000,000,000 passed the plan and failed at CreateWebACL.
  it("WebAcl refuses a rateLimit over WAF's 2,000,000,000 and takes 2,000,000,000", async () => {
    const over = await construct(() => new WebAcl("edge", { rateLimit: 3_000_000_000 }));
    expect("refused" in over && [over.refused.argument, over.refused.message]).toEqual(["rateLimit", expect.stringMatching(/rateLimit 3000000000 is outside AWS WAF.s range of 10–2000000000 requests per window/)]);
    const most = await construct(() => new WebAcl("edge", { rateLimit: 2_000_000_000 }));
    expect("refused" in most ? most.refused.message : "").toBe("");
  });

  // S3 bucket names "must not start with the prefix amzn-s3-demo-" and "must not end with the suffix --x-s3" (or
  // "--table-s3") (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). UploadBucket takes
  // them at construction; the deploy rule S3BucketName reported them only in the plan. validateBucketName (shared with
  // StaticSite and DataTier's export bucket) now checks every reserved prefix and suffix (bucketNameBreach).
  it("UploadBucket refuses the reserved bucket names amzn-s3-demo-… and …--x-s3 at construction", async () => {
    for (const bucketName of ["amzn-s3-demo-uploads", "uploads--x-s3", "uploads--table-s3"]) {
      const outcome = await construct(() => new UploadBucket("uploads", { bucketName }));
      expect("refused" in outcome && [outcome.refused.argument, outcome.refused.message]).toEqual(["bucketName", expect.stringMatching(/(starts with the reserved prefix amzn-s3-demo-|ends with the reserved suffix --(x|table)-s3), which S3 reserves\. Pick another name\.$/)]);
    }
  });
});
