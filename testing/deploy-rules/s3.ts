/** S3 deploy rules: bucket names, bucket names behind HTTPS origins, replication, the settings and names of retained buckets, one CORS configuration per bucket, and buckets a destroy can delete. */
import { asArray, dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import { policyWriters, QUEUE, QUEUE_POLICY, TOPIC, TOPIC_POLICY } from "../../local/resource-policies";
import type { RecordedResource } from "../../local/offline/mocks";
import { bucketNameBreach, bucketNameProblem } from "../../components/autoname";
import { S3_ONE_BUCKET_POLICY } from "./one-policy";
import { queueSendFix, resourceSendRefusal, type QueueSender } from "./queue-policy";
import { PROVIDER_UNIQUE_ID_SUFFIX_LENGTH } from "./names";
import { finding, MIN_RANDOM_CHARACTERS, nameHasRandomPart, referenced, type DeployFinding, type DeployRule } from "./rule";
import { compactPolicyBytes } from "./policy-bytes";

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const NAMING_RULES = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";

export { bucketNameProblem };

/**
 * General purpose bucket naming rules (S3 User Guide). Names the provider generates are valid;
 * only names (and prefixes, at most 37 characters so the provider's suffix fits) the program sets
 * are checked.
 */
export const S3_BUCKET_NAME: DeployRule = {
  id: "S3BucketName",
  title: "Bucket names follow S3's naming rules",
  source: NAMING_RULES,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const bucket of BUCKET_TYPES.flatMap((t) => ofType(graph, t))) {
      const name = bucket.inputs.bucket;
      if (typeof name === "string") {
        const problem = bucketNameProblem(name);
        if (problem) findings.push(finding("S3BucketName", bucket, `bucket name "${name}" ${problem}`, "choose a name of 3–63 lowercase letters, digits and hyphens"));
      }
      const prefix = bucket.inputs.bucketPrefix;
      if (typeof prefix === "string" && (prefix.length > 37 || !/^[a-z0-9][a-z0-9.-]*$/.test(prefix))) {
        findings.push(finding("S3BucketName", bucket, `bucketPrefix "${prefix}" is not up to 37 lowercase letters, digits, periods and hyphens starting with a letter or digit`, "shorten or lowercase the prefix"));
      } else if (typeof prefix === "string") {
        // The name is the prefix and the provider's suffix of digits (internal/create Name, id.PrefixedUniqueId), so a
        // prefix breaks every rule on the name's start: a reserved prefix (xn--, sthree-, amzn-s3-demo-) or two adjacent
        // periods. Judged on the prefix with a stand-in suffix of digits, as bucketNameProblem judges a name.
        const breach = bucketNameBreach(`${prefix}${"0".repeat(PROVIDER_UNIQUE_ID_SUFFIX_LENGTH)}`);
        if (breach?.rule === "reserved-prefix" || breach?.rule === "adjacent-periods") {
          findings.push(finding("S3BucketName", bucket, `bucketPrefix "${prefix}" makes every bucket name it generates one that ${breach.problem}, which S3 refuses`, "choose a prefix without S3's reserved prefixes (xn--, sthree-, amzn-s3-demo-) or adjacent periods"));
        }
      }
    }
    return findings;
  },
};

/** `name.s3.amazonaws.com`, `name.s3.us-east-1.amazonaws.com`, `name.s3.dualstack.eu-west-1.amazonaws.com` → name. */
function restEndpointBucket(domainName: string): string | undefined {
  return /^(.+)\.s3(?:\.dualstack)?(?:[.-][a-z]{2}(?:-[a-z]+)+-\d)?\.amazonaws\.com$/.exec(domainName)?.[1];
}

/**
 * "If you include periods (.) in a bucket's name, you can't use virtual-host-style addressing over
 * HTTPS, unless you perform your own certificate validation" — CloudFront reaches an S3 REST origin
 * at `<bucket>.s3.<region>.amazonaws.com` over HTTPS, where a dotted name fails the certificate check.
 * (S3 website endpoints are reached over HTTP and are not affected.)
 */
export const S3_ORIGIN_BUCKET_NO_PERIODS: DeployRule = {
  id: "S3OriginBucketNoPeriods",
  title: "Buckets that CloudFront reads over HTTPS have no periods in their names",
  source: NAMING_RULES,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, "aws:cloudfront/distribution:Distribution")) {
      for (const origin of d.inputs.origins ?? []) {
        const name = restEndpointBucket(String(origin.domainName ?? ""));
        if (!name || !name.includes(".")) continue;
        const bucket = BUCKET_TYPES.flatMap((t) => ofType(graph, t)).find((b) => b.state.bucket === name);
        findings.push(finding("S3OriginBucketNoPeriods", bucket ?? d, `bucket "${name}" is CloudFront origin ${origin.originId} of ${d.name}; its periods break the HTTPS certificate of ${origin.domainName}`, `rename the bucket without periods (e.g. "${name.replace(/\./g, "-")}")`));
      }
    }
    return findings;
  },
};


/**
 * "Both source and destination buckets must have versioning enabled" before S3 accepts a replication configuration,
 * and the role must be one S3 can assume. Checked on the recorded plan: each BucketReplicationConfig's source and
 * every destination bucket have a BucketVersioning with status Enabled.
 */
export const S3_REPLICATION_VERSIONING: DeployRule = {
  id: "S3ReplicationVersioning",
  title: "Replicated buckets (source and destination) have versioning enabled",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const buckets = BUCKET_TYPES.flatMap((t) => ofType(graph, t));
    const versioned = (bucket: RecordedResource) =>
      ofType(graph, "aws:s3/bucketVersioning:BucketVersioning").some((v) => [bucket.id, bucket.state.bucket].includes(v.inputs.bucket) && v.inputs.versioningConfiguration?.status === "Enabled");
    for (const config of ofType(graph, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
      const source = buckets.find((b) => [b.id, b.state.bucket].includes(config.inputs.bucket));
      if (source && !versioned(source)) findings.push(finding("S3ReplicationVersioning", config, `replicates bucket ${source.name}, which has no versioning enabled`, "enable versioning (aws.s3.BucketVersioning status Enabled) on the source, and make the replication depend on it"));
      for (const rule of config.inputs.rules ?? []) {
        const destination = buckets.find((b) => b.state.arn === rule?.destination?.bucket);
        if (destination && !versioned(destination)) findings.push(finding("S3ReplicationVersioning", config, `replicates into bucket ${destination.name}, which has no versioning enabled`, "enable versioning on the destination bucket too"));
      }
    }
    return findings;
  },
};

/**
 * "If objects in the source bucket are encrypted by using ... (SSE-S3) ... the replica objects in the destination
 * bucket use the same type of encryption as the source objects", and a replica KMS key (`ReplicaKmsKeyID`) is for the
 * SSE-KMS objects a rule opts into with `SourceSelectionCriteria/SseKmsEncryptedObjects` Enabled. An
 * `encryptionConfiguration` without that opt-in encrypts nothing, and the put has been reported to fail
 * (hashicorp/terraform-provider-aws#26241).
 */
export const S3_REPLICATION_ENCRYPTION: DeployRule = {
  id: "S3ReplicationEncryption",
  title: "Replication rules with a replica KMS key replicate SSE-KMS objects",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const config of ofType(graph, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
      for (const [i, rule] of (config.inputs.rules ?? []).entries()) {
        if (!rule?.destination?.encryptionConfiguration) continue;
        if (rule.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status === "Enabled") continue;
        findings.push(
          finding(
            "S3ReplicationEncryption",
            config,
            `rule ${rule.id ?? i} sets destination.encryptionConfiguration without sourceSelectionCriteria.sseKmsEncryptedObjects Enabled; the replica key applies only to SSE-KMS objects, so it encrypts nothing (S3 keeps an SSE-S3 object's encryption on its replica)`,
            "drop encryptionConfiguration (replicas of SSE-S3 objects stay SSE-S3), or encrypt the source with SSE-KMS and add sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: \"Enabled\" } }",
          ),
        );
      }
    }
    return findings;
  },
};

/** The public access block's own way to stay behind on delete (`skipDestroy`: the provider then skips DeletePublicAccessBlock). */
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
/** Names the functions it invokes, which a destroy deletes: it is deleted with them, kept bucket or not. */
const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";

/**
 * A retained bucket's settings stay with it. Each S3 setting resource (public access block, policy, ownership
 * controls, encryption, versioning, lifecycle, logging, replication, CORS, website, ...) deletes its setting from the
 * bucket when it is deleted — DeletePublicAccessBlock, DeleteBucketPolicy, DeleteBucketOwnershipControls,
 * DeleteBucketEncryption (terraform-provider-aws internal/service/s3/bucket_public_access_block.go, bucket_policy.go,
 * bucket_ownership_controls.go, bucket_server_side_encryption_configuration.go) — and Pulumi calls that delete unless
 * the setting is retainOnDelete or deletedWith a resource deleted in the same operation, which a retained bucket's
 * delete step is (pulumi/pulumi pkg/resource/deploy/step.go DeleteStep.Apply). A destroy would otherwise keep the
 * bucket and its objects but strip its public access block and TLS-only policy. deletedWith is the better of the two:
 * a retained setting also stays when it alone is removed from the program. The notification configuration is
 * exempt: the functions it names are not kept.
 */
export const S3_RETAINED_BUCKET_SETTINGS: DeployRule = {
  id: "S3RetainedBucketSettings",
  title: "The settings of a retained bucket stay with it on delete",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const settings = graph.filter((r) => r.custom && r.type.startsWith("aws:s3/") && !BUCKET_TYPES.includes(r.type) && r.type !== NOTIFICATION && typeof r.inputs.bucket === "string");
    for (const bucket of BUCKET_TYPES.flatMap((t) => ofType(graph, t)).filter((b) => b.retainOnDelete)) {
      const identities = [bucket.id, bucket.state.bucket].filter(Boolean);
      for (const setting of settings.filter((s) => identities.includes(s.inputs.bucket))) {
        if (setting.retainOnDelete || setting.deletedWith === bucket.urn || (setting.type === PUBLIC_ACCESS_BLOCK && setting.inputs.skipDestroy === true)) continue;
        findings.push(
          finding(
            "S3RetainedBucketSettings",
            setting,
            `belongs to bucket ${bucket.name}, which is retained on delete, but is neither retained nor deletedWith it; a destroy deletes this setting from the kept bucket`,
            `create it with deletedWith: the bucket (kept when the bucket goes, deleted when it alone is removed)${setting.type === PUBLIC_ACCESS_BLOCK ? ", or skipDestroy: true" : ""}`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * A `retainOnDelete` bucket stays, name and all, after `pulumi destroy`. If the program sets the same `bucket` name on
 * the next deployment, CreateBucket refuses it: "BucketAlreadyOwnedByYou ... in all Amazon Web Services Regions except
 * in the North Virginia Region", where S3 answers 200 OK and terraform-provider-aws turns that into BucketAlreadyExists
 * ("Special case: us-east-1 does not return error if the bucket already exists and is owned by current account",
 * internal/service/s3/bucket.go resourceBucketCreate). A replacement (a region change) fails the same way: the
 * delete-before-replace the bridge sets for a named resource is skipped for a retained one. So a kept bucket's name is
 * autonamed (`bucket` unset), a `bucketPrefix` (the provider appends a unique, time-based suffix: internal/create
 * Name), or carries a random value the bucket depends on, judged as BackupRetainedVaultName judges vault names.
 */
export const S3_RETAINED_BUCKET_NAME: DeployRule = {
  id: "S3RetainedBucketName",
  title: "A bucket kept on delete has a name the next deployment will not create again",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const bucket of BUCKET_TYPES.flatMap((t) => ofType(graph, t)).filter((b) => b.retainOnDelete && typeof b.inputs.bucket === "string")) {
      const name: string = bucket.inputs.bucket;
      if (nameHasRandomPart(graph, bucket, name)) continue;
      findings.push(
        finding(
          "S3RetainedBucketName",
          bucket,
          `is kept on delete with the fixed name "${name}", which has no random part (of at least ${MIN_RANDOM_CHARACTERS} characters): after a destroy the kept bucket still holds the name, and the next deployment's CreateBucket fails (BucketAlreadyOwnedByYou; in us-east-1 the provider reports BucketAlreadyExists), as does a replacement`,
          "leave bucket unset for Pulumi's autonaming (<name>-<random suffix>) or use bucketPrefix; or, to keep the fixed name, drop retainOnDelete and set protect: true (on the component, whose children inherit it), so pulumi destroy refuses instead of leaving the name taken",
        ),
      );
    }
    return findings;
  },
};

/**
 * The resources of `type` grouped by the bucket they configure (the `bucket` input, the bucket's name), for the groups
 * of more than one: for a setting S3 keeps one of per bucket, where each put replaces the whole configuration.
 */
export function configurationsSharingBucket(graph: Graph, type: string): Map<string, RecordedResource[]> {
  const byBucket = new Map<string, RecordedResource[]>();
  for (const r of ofType(graph, type)) {
    if (typeof r.inputs.bucket === "string") byBucket.set(r.inputs.bucket, [...(byBucket.get(r.inputs.bucket) ?? []), r]);
  }
  return new Map([...byBucket].filter(([, configurations]) => configurations.length > 1));
}

/**
 * PutBucketCors: "Sets the cors configuration for your bucket. If the configuration exists, Amazon S3 replaces it." A
 * bucket has one CORS configuration (its rules are a list inside it), so two BucketCorsConfiguration resources on one
 * bucket replace each other's rules on every deploy (whichever the engine puts last wins), and the delete of either
 * (DeleteBucketCors, terraform-provider-aws bucket_cors_configuration.go) removes the other's too.
 */
export const S3_CORS_ONE_PER_BUCKET: DeployRule = {
  id: "S3CorsOnePerBucket",
  title: "Each bucket has at most one CORS configuration resource",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html",
  check(graph) {
    // Each is reported: the engine puts them in no fixed order, so none of them is "the" configuration to keep.
    return [...configurationsSharingBucket(graph, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")].flatMap(([bucket, configurations]) =>
      configurations.map((cors) =>
        finding(
          this.id,
          cors,
          `is one of ${configurations.length} CORS configurations of bucket ${bucket} (with ${configurations.filter((other) => other !== cors).map((other) => other.name).join(", ")}); PutBucketCors replaces the bucket's whole configuration, so they overwrite each other on every deploy, and deleting one removes the rules of all`,
          "put every rule in one BucketCorsConfiguration (corsRules is a list; UploadBucket.allowBrowserUploads takes every origin in one call)",
        ),
      ),
    );
  },
};

/**
 * PutBucketReplication: "Creates a replication configuration or replaces an existing one." A bucket has one replication
 * configuration (its rules are a list inside it), and the provider deletes a BucketReplicationConfig with
 * DeleteBucketReplication of the bucket (terraform-provider-aws bucket_replication_configuration.go), so two such
 * resources on one bucket replace each other's rules on every deploy, and the delete of either ends the bucket's
 * replication. UploadBucket keeps one per bucket (`replicate` refuses a second region; bucket-replication.ts).
 */
export const S3_REPLICATION_ONE_PER_BUCKET: DeployRule = {
  id: "S3ReplicationOnePerBucket",
  title: "Each bucket has at most one replication configuration resource",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html",
  check(graph) {
    return [...configurationsSharingBucket(graph, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")].flatMap(([bucket, configurations]) =>
      configurations.map((replication) =>
        finding(
          this.id,
          replication,
          `is one of ${configurations.length} replication configurations of bucket ${bucket} (with ${configurations.filter((other) => other !== replication).map((other) => other.name).join(", ")}); PutBucketReplication replaces the bucket's whole configuration, so they overwrite each other on every deploy, and deleting one (DeleteBucketReplication) ends the bucket's replication`,
          "put every rule in one BucketReplicationConfig (rules is a list, each with its own destination and priority)",
        ),
      ),
    );
  },
};

/**
 * A bucket that is not kept goes with the stack, and DeleteBucket: "All objects (including all object versions and
 * delete markers) in the bucket must be deleted before the bucket itself can be deleted." The provider empties the
 * bucket first (every version and delete marker) only with `force_destroy` (terraform-provider-aws
 * internal/service/s3/bucket.go resourceBucketDelete: on BucketNotEmpty, `if d.Get("force_destroy").(bool)` it empties
 * the bucket and deletes again; otherwise it returns the error), so
 * without it `pulumi destroy` (or the removal of the bucket from the program, or its replacement) fails with
 * BucketNotEmpty once anything was written into it, access logs included, part-way through, after its dependents are
 * gone. The same judgement as BackupVaultDestroyable on vaults. A `protect`ed bucket is left out: the engine refuses
 * to delete it at all until an update lifts the protection, which is the guard S3RetainedBucketName suggests for a
 * fixed name, and that update's plan is checked again.
 */
export const S3_BUCKET_DESTROYABLE: DeployRule = {
  id: "S3BucketDestroyable",
  title: "A bucket that is not kept on delete can be deleted with its objects",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html",
  check(graph) {
    return BUCKET_TYPES.flatMap((t) => ofType(graph, t))
      .filter((bucket) => !bucket.retainOnDelete && !bucket.protect && bucket.inputs.forceDestroy !== true)
      .map((bucket) =>
        finding(
          "S3BucketDestroyable",
          bucket,
          "is deleted with the stack but not forceDestroy: S3 deletes only an empty bucket (every object version and delete marker gone), and the provider empties it first only with forceDestroy, so `pulumi destroy` fails with BucketNotEmpty once anything was written to it",
          "set forceDestroy: true on a bucket the stack may delete (UploadBucket and StaticSite do when retainOnDelete is off; it takes effect after one successful pulumi up), or retainOnDelete: true to keep it and its objects",
        ),
      );
  },
};

/** S3 delivering a bucket's event notifications to a queue or a topic, for resourceSendRefusal. */
const S3_BUCKET_SENDER: QueueSender = { service: "s3.amazonaws.com", label: "S3", source: "bucket" };

/** The bucket of the plan a BucketNotification configures (by its `bucket`), else undefined. Also events.ts's. */
export const notificationBucket = (graph: Graph, notification: RecordedResource) => BUCKET_TYPES.map((t) => referenced(graph, t, notification.inputs.bucket)).find(Boolean);

/**
 * A bucket notification's queue and topic destinations (its Lambda ones are read by functionOf): the field, the ARN
 * field, the type, its policy resource and the action S3 needs. Also S3NotificationFunctionRegion's (events.ts).
 */
export const NOTIFICATION_DESTINATIONS = [
  { field: "queues", arnField: "queueArn", type: QUEUE, policyType: QUEUE_POLICY, policyField: "queueUrl", action: "sqs:SendMessage", kind: "queue", fifo: "fifoQueue", policyFix: "an aws.sqs.QueuePolicy" },
  { field: "topics", arnField: "topicArn", type: TOPIC, policyType: TOPIC_POLICY, policyField: "arn", action: "sns:Publish", kind: "topic", fifo: "fifoTopic", policyFix: "an aws.sns.TopicPolicy" },
] as const;

/**
 * A bucket's event notifications to SQS queues and SNS topics. PutBucketNotificationConfiguration validates every
 * destination when the configuration is put, and refuses one S3 cannot send to ("Unable to validate the following
 * destination configurations"): a queue or topic needs a resource policy that lets s3.amazonaws.com sqs:SendMessage /
 * sns:Publish for this bucket ("attach an IAM policy to the destination SNS topic or SQS queue",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html), in place before the
 * put: the notification depends on that policy (the queue's or topic's own `policy`, or a QueuePolicy/TopicPolicy it
 * waits for). FIFO destinations are refused: "FIFO queues are not allowed when enabling an SQS queue as the event
 * notification destination" (AWS::S3::Bucket QueueConfiguration,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-queueconfiguration.html), and
 * "Standard SNS is only allowed as an S3 event notification destination, whereas SNS FIFO is not allowed"
 * (https://repost.aws/questions/QU4Djq4-FdStqR673M0dm3iQ). The Lambda destinations are S3NotificationLambdaPermission's
 * (events.ts). A policy is read as the SNS and EventBridge rules read theirs (queue-policy.ts resourceSendRefusal, with
 * aws:SourceArn the bucket); queues and topics outside the plan, and the policies of a bucket outside it, are judged only by a FIFO ARN.
 */
export const S3_NOTIFICATION_DESTINATION_POLICY: DeployRule = {
  id: "S3NotificationDestinationPolicy",
  title: "S3 notifications to queues and topics go to standard ones whose policy lets the bucket send, in place first",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const notification of ofType(graph, "aws:s3/bucketNotification:BucketNotification")) {
      const bucket = notificationBucket(graph, notification);
      const bucketArn = bucket?.state.arn;
      // What the notification waits for: worked out only for a destination whose ordering is judged.
      let before: Set<string> | undefined;
      for (const destination of NOTIFICATION_DESTINATIONS) {
        for (const config of asArray<Record<string, any>>(notification.inputs[destination.field])) {
          const arn = config[destination.arnField];
          const target = referenced(graph, destination.type, arn);
          const at = `sends ${config.id ?? "events"} to the ${destination.kind} ${target?.name ?? arn}`;
          if (target ? target.inputs[destination.fifo] === true : typeof arn === "string" && arn.endsWith(".fifo")) {
            findings.push(finding(this.id, notification, `${at}, a FIFO ${destination.kind}; S3 sends event notifications to standard ${destination.kind}s only and refuses the configuration`, `send them to a standard ${destination.kind} (or to EventBridge: eventbridge: true, and a rule that targets the FIFO ${destination.kind})`));
            continue;
          }
          // A bucket outside the plan has no ARN to match the policy's aws:SourceArn against: not judged.
          if (!target || !bucketArn) continue;
          const writers = policyWriters(graph, target, destination.policyType, destination.policyField);
          const refusal = resourceSendRefusal([...writers.attached.map((p) => p.inputs.policy), writers.own?.inputs.policy].filter(Boolean), destination.action, target.state.arn, S3_BUCKET_SENDER, bucketArn);
          if (refusal) {
            findings.push(
              finding(
                this.id,
                notification,
                `${at}, whose policy ${refusal.replace("that bucket", bucket?.name ?? "the bucket")}; S3 validates the destination when the configuration is put and refuses it ("Unable to validate the following destination configurations")`,
                queueSendFix(S3_BUCKET_SENDER, refusal, `allow ${S3_BUCKET_SENDER.service} ${destination.action} on the ${destination.kind}, with aws:SourceArn the bucket's ARN and aws:SourceAccount your account, in ${destination.policyFix} (or the ${destination.kind}'s own policy), and make the notification depend on it`),
              ),
            );
            continue;
          }
          // The queue's or topic's own policy comes with it (the notification names its ARN); an attached one only if waited for.
          const ownGrants = writers.own !== undefined && resourceSendRefusal([writers.own.inputs.policy], destination.action, target.state.arn, S3_BUCKET_SENDER, bucketArn) === undefined;
          const granting = writers.attached.filter((p) => resourceSendRefusal([p.inputs.policy], destination.action, target.state.arn, S3_BUCKET_SENDER, bucketArn) === undefined);
          if (ownGrants || granting.length === 0 || granting.some((p) => (before ??= dependencyClosure(graph, notification)).has(p.urn))) continue;
          findings.push(
            finding(this.id, notification, `${at}, whose ${granting[0].name} lets the bucket send, but the notification does not depend on it; the engine may put the configuration first, and S3 refuses a destination it cannot validate`, `add dependsOn: [${granting[0].name}] to the notification`),
          );
        }
      }
    }
    return findings;
  },
};

/** pulumi-aws 7's lifecycle configuration resources (the V2 one still ships, deprecated), each with `rules[].transitions`. */
const LIFECYCLE_TYPES = ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"];

/** The infrequent-access storage classes a lifecycle rule moves objects to only once they are 30 days old. */
const INFREQUENT_ACCESS_CLASSES = ["STANDARD_IA", "ONEZONE_IA"];
const INFREQUENT_ACCESS_MIN_DAYS = 30;

/**
 * A lifecycle Transition to STANDARD_IA or ONEZONE_IA after fewer than 30 days. Transition Days: "If the specified
 * storage class is STANDARD_IA or ONEZONE_IA, valid values are positive integers greater than 30"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html; the User Guide's "Constraints and
 * considerations for transitions" says at least 30 days, "you can't create a Lifecycle rule that transitions objects to
 * S3 Standard-IA one day after creation"; hashicorp/terraform-provider-aws#6201: "`days = 15` isn't valid, AWS requires
 * at least 30"). The provider does not check it, so PutBucketLifecycleConfiguration refuses the whole configuration at
 * `pulumi up`. 30 itself is left alone (the two pages differ on it). Noncurrent-version transitions are not judged:
 * whether the same floor holds for NoncurrentDays is not confirmed.
 */
export const S3_LIFECYCLE_INFREQUENT_ACCESS_DAYS: DeployRule = {
  id: "S3LifecycleInfrequentAccessDays",
  title: "Lifecycle transitions to Standard-IA or One Zone-IA wait at least 30 days",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    // The lifecycle configurations (`rules`) and the buckets' inline lifecycle (`lifecycleRules`, pulumi-aws's Bucket and
    // BucketV2): all go to PutBucketLifecycleConfiguration with the same Transition (review 117 F5).
    const lifecycles = [
      ...LIFECYCLE_TYPES.flatMap((type) => ofType(graph, type)).map((resource) => ({ resource, rules: resource.inputs.rules })),
      ...BUCKET_TYPES.flatMap((type) => ofType(graph, type)).map((resource) => ({ resource, rules: resource.inputs.lifecycleRules })),
    ];
    for (const { resource: lifecycle, rules } of lifecycles) {
      for (const [i, rule] of asArray<Record<string, any>>(rules).entries()) {
        for (const transition of asArray<Record<string, any>>(rule?.transitions)) {
          if (!INFREQUENT_ACCESS_CLASSES.includes(transition?.storageClass) || typeof transition.days !== "number" || transition.days >= INFREQUENT_ACCESS_MIN_DAYS) continue;
          findings.push(
            finding(
              this.id,
              lifecycle,
              `rule ${rule.id ?? i} moves objects to ${transition.storageClass} after ${transition.days} days; S3 moves objects there only once they are ${INFREQUENT_ACCESS_MIN_DAYS} days old and refuses the lifecycle configuration`,
              `set days to ${INFREQUENT_ACCESS_MIN_DAYS} or more, or transition earlier to INTELLIGENT_TIERING or GLACIER_IR (0 days allowed)`,
            ),
          );
        }
      }
    }
    return findings;
  },
};

/**
 * "Bucket policies are limited to 20 KB in size" (S3 User Guide, Bucket policies and user policies). Each
 * aws.s3.BucketPolicy (and a bucket's deprecated own `policy`) puts the document with PutBucketPolicy, which
 * terraform-provider-aws sends as compact JSON without measuring it (s3/bucket_policy.go), so a larger one passes
 * `pulumi preview` and fails at `pulumi up`. Measured with compactPolicyBytes against 20 KB read as 20,480 bytes: whether
 * S3 means 20,000 is not stated, and the larger reading reports no policy S3 takes.
 */
const S3_BUCKET_POLICY_BYTES = 20_480;

export const S3_BUCKET_POLICY_SIZE: DeployRule = {
  id: "S3BucketPolicySize",
  title: "A bucket policy is at most 20 KB",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html",
  check(graph) {
    return [...ofType(graph, "aws:s3/bucketPolicy:BucketPolicy"), ...BUCKET_TYPES.flatMap((t) => ofType(graph, t))].flatMap((r) => {
      const bytes = compactPolicyBytes(r.inputs.policy);
      if (bytes === undefined || bytes <= S3_BUCKET_POLICY_BYTES) return [];
      return [finding(this.id, r, `has a bucket policy of ${bytes} bytes (as compact JSON); S3 takes at most 20 KB (${S3_BUCKET_POLICY_BYTES} bytes), so PutBucketPolicy refuses it at \`pulumi up\``, "grant fewer, broader statements (one per principal, several resources or source ARNs in one statement), or move grants to the principals' IAM policies")];
    });
  },
};

export const S3_RULES: DeployRule[] = [S3_BUCKET_NAME, S3_ORIGIN_BUCKET_NO_PERIODS, S3_REPLICATION_VERSIONING, S3_REPLICATION_ENCRYPTION, S3_RETAINED_BUCKET_SETTINGS, S3_RETAINED_BUCKET_NAME, S3_CORS_ONE_PER_BUCKET, S3_REPLICATION_ONE_PER_BUCKET, S3_BUCKET_DESTROYABLE, S3_NOTIFICATION_DESTINATION_POLICY, S3_LIFECYCLE_INFREQUENT_ACCESS_DAYS, S3_ONE_BUCKET_POLICY, S3_BUCKET_POLICY_SIZE];
