/** CloudFront deploy rules: edge function associations, comments, size and count, alternate domain names (certificate, uniqueness), standard logging, origin domain names, origin groups, key value stores, response headers policies' HSTS max-age, and (cloudfront-behaviours.ts) cache behaviours' methods, origins' connection settings, protocols, custom headers and path, the viewer certificate; warnings for the function, cache behaviour, origin timeout and origin custom header quotas. */
import { EDGE_LIMITS, isCloudFrontName } from "../../components/edge-logic/spec";
import { HSTS_MAX_AGE_SECONDS } from "../../components/static-site/headers";
import { CACHE_BEHAVIORS_PER_DISTRIBUTION, CLOUDFRONT_LEGACY_LOG_UNSUPPORTED_REGIONS, defaultRootObjectProblem, originDomainNameProblem } from "../../components/static-site/spec";
import { asArray, cacheBehaviours, dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import { MANAGED_ALL_VIEWER_EXCEPT_HOST, MANAGED_CACHING_DISABLED } from "../../components/static-site/distribution";
import type { RecordedResource } from "../../local/offline/mocks";
import { certificateNames } from "./acm";
import {
  CLOUDFRONT_BEHAVIOUR_METHODS,
  CLOUDFRONT_ORIGIN_CONNECTION,
  CLOUDFRONT_ORIGIN_CUSTOM_HEADER_COUNT,
  CLOUDFRONT_ORIGIN_CUSTOM_HEADERS,
  CLOUDFRONT_ORIGIN_PATH,
  CLOUDFRONT_ORIGIN_PROTOCOLS,
  CLOUDFRONT_ORIGIN_TIMEOUT_QUOTA,
  CLOUDFRONT_VIEWER_CERTIFICATE,
} from "./cloudfront-behaviours";
import { textLengthFindings } from "./names";
import { sharedAcrossStacks } from "./record-sets";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule, type ProjectDeployRule } from "./rule";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
export const VIEWER_EVENTS = ["viewer-request", "viewer-response"];

export interface EdgeAssociation {
  distribution: RecordedResource;
  /** "default" or the behaviour's path pattern. */
  path: string;
  kind: "CloudFront Function" | "Lambda@Edge";
  eventType: string;
  arn: string;
}

/** Every CloudFront Function and Lambda@Edge association of every behaviour of every distribution. */
export function edgeAssociations(graph: Graph): EdgeAssociation[] {
  return ofType(graph, DISTRIBUTION).flatMap((distribution) =>
    cacheBehaviours(distribution).flatMap(({ path, behaviour }) => [
      ...(behaviour.functionAssociations ?? []).map((a: any) => ({ distribution, path, kind: "CloudFront Function" as const, eventType: String(a.eventType), arn: String(a.functionArn) })),
      ...(behaviour.lambdaFunctionAssociations ?? []).map((a: any) => ({ distribution, path, kind: "Lambda@Edge" as const, eventType: String(a.eventType), arn: String(a.lambdaArn) })),
    ]),
  );
}

/** `viewer-request Lambda@Edge edge-auth-function:1` — the function part of the ARN, readable in a finding. */
export function describeAssociation(a: EdgeAssociation): string {
  const name = a.kind === "CloudFront Function" ? a.arn.split("function/")[1] : a.arn.split(":function:")[1];
  return `${a.eventType} ${a.kind} ${name ?? a.arn}`;
}

function byBehaviour(graph: Graph): Map<string, EdgeAssociation[]> {
  const groups = new Map<string, EdgeAssociation[]>();
  for (const a of edgeAssociations(graph)) {
    const key = `${a.distribution.urn}|${a.path}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return groups;
}

const EDGE_RESTRICTIONS = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html";

/**
 * "For a given cache behavior ... You can't combine CloudFront Functions and Lambda@Edge in viewer
 * events (viewer request and viewer response)." The table on the same page marks every pairing of
 * a CloudFront Function (viewer request or response) with a Lambda@Edge viewer request or viewer
 * response "Not allowed"; Lambda@Edge origin events may sit beside CloudFront Functions.
 */
export const CLOUDFRONT_EDGE_FUNCTION_MIX: DeployRule = {
  id: "CloudFrontEdgeFunctionMix",
  title: "A cache behaviour does not combine CloudFront Functions with Lambda@Edge viewer triggers",
  source: EDGE_RESTRICTIONS,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const associations of byBehaviour(graph).values()) {
      const functions = associations.filter((a) => a.kind === "CloudFront Function");
      const viewerLambdas = associations.filter((a) => a.kind === "Lambda@Edge" && VIEWER_EVENTS.includes(a.eventType));
      if (functions.length === 0 || viewerLambdas.length === 0) continue;
      const { distribution, path } = associations[0];
      findings.push(
        finding(
          "CloudFrontEdgeFunctionMix",
          distribution,
          `behaviour ${path} has ${[...functions, ...viewerLambdas].map(describeAssociation).join(" and ")}; CloudFront rejects CloudFront Functions and Lambda@Edge together on the viewer events of one behaviour`,
          "keep one kind on this behaviour's viewer events: move static response headers into the response headers policy, fold the CloudFront Function's work into the Lambda@Edge function, or move the Lambda@Edge function to an origin event",
        ),
      );
    }
    return findings;
  },
};

/** "Each event type (viewer request, origin request, origin response, and viewer response) can have only one edge function association." */
export const CLOUDFRONT_ONE_FUNCTION_PER_EVENT: DeployRule = {
  id: "CloudFrontOneFunctionPerEvent",
  title: "A cache behaviour has at most one edge function per event type",
  source: EDGE_RESTRICTIONS,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const associations of byBehaviour(graph).values()) {
      const events = new Map<string, EdgeAssociation[]>();
      for (const a of associations) events.set(a.eventType, [...(events.get(a.eventType) ?? []), a]);
      for (const [eventType, same] of events) {
        if (same.length < 2) continue;
        findings.push(
          finding(
            "CloudFrontOneFunctionPerEvent",
            same[0].distribution,
            `behaviour ${same[0].path} has ${same.length} functions on ${eventType} (${same.map(describeAssociation).join(", ")}); each event type takes one edge function`,
            `merge them into one function for ${eventType}, or move one to another event type`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * CloudFront Functions run on viewer request and viewer response only (the event table on the
 * restrictions page); CreateDistribution refuses a function association on an origin event.
 */
export const CLOUDFRONT_FUNCTION_EVENT_TYPES: DeployRule = {
  id: "CloudFrontFunctionEventTypes",
  title: "CloudFront Functions are associated with viewer events only",
  source: EDGE_RESTRICTIONS,
  check(graph) {
    return edgeAssociations(graph)
      .filter((a) => a.kind === "CloudFront Function" && !VIEWER_EVENTS.includes(a.eventType))
      .map((a) =>
        finding("CloudFrontFunctionEventTypes", a.distribution, `behaviour ${a.path} associates a CloudFront Function with ${a.eventType}; CloudFront Functions run on viewer-request and viewer-response only`, "associate it with viewer-request or viewer-response, or use Lambda@Edge for origin events"),
      );
  },
};

const CLOUDFRONT_FUNCTION = "aws:cloudfront/function:Function";

/**
 * A CloudFront Function's comment: FunctionConfig's Comment, "A comment to describe the function. The comment cannot
 * be longer than 128 characters." (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_FunctionConfig.html).
 * EdgeLogic refuses a longer one at construction (EDGE_LIMITS.functionCommentLength); this rule covers any program's
 * aws.cloudfront.Function, whose longer comment passes `pulumi preview` and fails CreateFunction at `pulumi up`.
 */
export const CLOUDFRONT_FUNCTION_COMMENT: DeployRule = {
  id: "CloudFrontFunctionComment",
  title: "CloudFront Functions have a comment of at most 128 characters",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_FunctionConfig.html",
  check(graph) {
    return textLengthFindings(graph, "CloudFrontFunctionComment", {
      type: CLOUDFRONT_FUNCTION,
      property: "comment",
      what: "a function comment",
      call: "CreateFunction",
      maxLength: EDGE_LIMITS.functionCommentLength,
      source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_FunctionConfig.html",
    });
  },
};

/** CloudFront's quotas on CloudFront Functions. */
const FUNCTION_QUOTAS = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-functions";

/**
 * Quotas on CloudFront Functions, "Maximum function size": "This quota isn't adjustable. To store additional data for
 * your CloudFront Functions, create a key value store and add your key-value pairs." — 10 KB
 * (EDGE_LIMITS.functionCodeBytes, 10 × 1024 bytes, counted as the UTF-8 bytes of the code CreateFunction gets, as
 * EdgeLogic counts them). EdgeLogic refuses a larger function at construction; this rule covers any program's
 * aws.cloudfront.Function (the security pack's CloudFrontFunctions checks the same size, but `npm run plan` runs only
 * this pack). Not adjustable, so a failure, not a warning.
 */
export const CLOUDFRONT_FUNCTION_SIZE: DeployRule = {
  id: "CloudFrontFunctionSize",
  title: "CloudFront Functions' code is at most 10 KB, a quota AWS does not raise",
  source: FUNCTION_QUOTAS,
  check(graph) {
    return ofType(graph, CLOUDFRONT_FUNCTION).flatMap((fn) => {
      if (typeof fn.inputs.code !== "string") return [];
      const bytes = Buffer.byteLength(fn.inputs.code, "utf8");
      if (bytes <= EDGE_LIMITS.functionCodeBytes) return [];
      return [
        finding(
          "CloudFrontFunctionSize",
          fn,
          `has code of ${bytes} bytes; CloudFront Functions' maximum function size is 10 KB (${EDGE_LIMITS.functionCodeBytes} bytes), a quota AWS does not raise: CreateFunction refuses it`,
          "move data out of the code (a key value store, or a Lambda@Edge function for larger logic) or minify it",
        ),
      ];
    });
  },
};

/** Quotas on CloudFront Functions, "Functions per AWS account": the default quota (see CloudFrontFunctionCount). */
export const CLOUDFRONT_FUNCTIONS_PER_ACCOUNT = 100;

/**
 * Quotas on CloudFront Functions, "Functions per AWS account": 100 (default quota). CloudFront is global, so every
 * aws.cloudfront.Function of the account counts, whatever the provider's region, with those of the account's other
 * stacks, which a plan cannot see. Over it CreateFunction fails with TooManyFunctions ("You have reached the maximum
 * number of CloudFront functions for this Amazon Web Services account",
 * https://docs.aws.amazon.com/botocore/latest/reference/services/cloudfront/client/exceptions/TooManyFunctions.html). The guide states
 * no adjustability for this quota (it says "This quota isn't adjustable" of the function size only; the General
 * Reference's table, https://docs.aws.amazon.com/general/latest/gr/cf_region.html, lists "CloudFront Functions:
 * Maximum number of distributions associated with a single function" as adjustable, and was not read in full for this
 * one), so it is treated as a default an account may have raised: a warning, as AcmCertificateNameCount.
 */
export const CLOUDFRONT_FUNCTION_COUNT: DeployRule = {
  id: "CloudFrontFunctionCount",
  title: "A plan has at most 100 CloudFront Functions, CloudFront's default quota per AWS account",
  source: FUNCTION_QUOTAS,
  check(graph) {
    const functions = ofType(graph, CLOUDFRONT_FUNCTION);
    // One warning, on the first function over the quota (plan order): the count is the plan's, not one function's.
    const firstOverQuota = functions[CLOUDFRONT_FUNCTIONS_PER_ACCOUNT];
    if (!firstOverQuota) return [];
    return [
      finding(
        "CloudFrontFunctionCount",
        firstOverQuota,
        `is the plan's ${ordinal(CLOUDFRONT_FUNCTIONS_PER_ACCOUNT + 1)} CloudFront Function; CloudFront's default quota is ${CLOUDFRONT_FUNCTIONS_PER_ACCOUNT} functions per AWS account (all regions, with those of the account's other stacks): unless the account's quota was raised, CreateFunction fails (TooManyFunctions)`,
        `ask for a quota increase (AWS Support, CloudFront "Functions per AWS account"), or share functions between distributions: the plan has ${functions.length}`,
      ),
    ];
  },
};

/** 101 → "101st". */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** Does `pattern` (a certificate name, maybe `*.example.com`) cover `host`? A wildcard covers exactly one label. */
export function certificateCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!p.startsWith("*.")) return p === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/**
 * ViewerCertificate (CloudFront API reference): a distribution with Aliases needs an ACM (or IAM)
 * certificate, "CloudFront only supports ACM certificates in the US East (N. Virginia) Region
 * (us-east-1)", and SSLSupportMethod `sni-only` is the recommended method — `vip` "results in
 * additional monthly charges", `static-ip` must not be set unless the CloudFront team enabled it.
 * The certificate must also cover every alternate domain name
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html).
 */
export const CLOUDFRONT_ALIAS_CERTIFICATE: DeployRule = {
  id: "CloudFrontAliasCertificate",
  title: "Alternate domain names have a us-east-1 ACM certificate that covers them, served with SNI",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const aliases: string[] = d.inputs.aliases ?? [];
      if (aliases.length === 0) continue;
      const certificate = d.inputs.viewerCertificate ?? {};
      const arn: string | undefined = certificate.acmCertificateArn;
      if (!arn && !certificate.iamCertificateId) {
        findings.push(finding("CloudFrontAliasCertificate", d, `serves ${aliases.join(", ")} without a certificate for them (viewerCertificate uses the default *.cloudfront.net certificate)`, "set viewerCertificate.acmCertificateArn to an issued ACM certificate in us-east-1 that covers the aliases, with sslSupportMethod \"sni-only\""));
        continue;
      }
      if (arn && arnRegion(arn) !== "us-east-1") {
        findings.push(finding("CloudFrontAliasCertificate", d, `uses ACM certificate ${arn} from ${arnRegion(arn)}; CloudFront only accepts ACM certificates from us-east-1`, "request (or import) the certificate in us-east-1 (a provider or `region: \"us-east-1\"` on the aws.acm.Certificate)"));
      }
      if (certificate.sslSupportMethod !== "sni-only") {
        const why =
          certificate.sslSupportMethod === "vip"
            ? "vip (dedicated IP addresses) adds a monthly charge per distribution"
            : certificate.sslSupportMethod === "static-ip"
              ? "static-ip is refused unless the CloudFront team enabled it for the distribution"
              : "a custom certificate needs sslSupportMethod";
        findings.push(finding("CloudFrontAliasCertificate", d, `serves its certificate with sslSupportMethod ${certificate.sslSupportMethod ?? "(unset)"}; ${why}`, 'set viewerCertificate.sslSupportMethod to "sni-only"'));
      }
      const recorded = arn ? referenced(graph, "aws:acm/certificate:Certificate", arn) : undefined;
      // An imported certificate's names are in its body, not its inputs: not judged (certificateNames).
      const names = recorded && certificateNames(recorded);
      if (recorded && names) {
        for (const alias of aliases.filter((a) => !names.some((n) => certificateCovers(n, a)))) {
          findings.push(finding("CloudFrontAliasCertificate", d, `has alias ${alias}, which certificate ${recorded.name} (${names.join(", ")}) does not cover`, `add ${alias} to the certificate's domainName or subjectAlternativeNames`));
        }
      }
    }
    return findings;
  },
};

/**
 * CloudFront's restrictions on alternate domain names (CNAMEs.html#alternate-domain-names-restrictions, "Duplicate and
 * overlapping alternate domain names"; its source text is awsdocs/amazon-cloudfront-developer-guide
 * doc_source/CNAMEs.md): "You cannot add an alternate domain name to a CloudFront distribution if the alternate domain
 * name already exists in another CloudFront distribution, even if your AWS account owns the other distribution", and
 * "you can add a wildcard alternate domain name, such as *.example.com, that includes (that overlaps with) a
 * non-wildcard alternate domain name, such as www.example.com. Overlapping alternate domain names can be in the same
 * distribution or in separate distributions as long as both distributions were created by using the same AWS account".
 * So only equal names are compared, in lower case (DNS names are case-insensitive), within a plan and across stacks
 * (CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS says why a cross-account wildcard is not). The refusal is CNAMEAlreadyExists, "One
 * or more of the CNAMEs you provided are already associated with a different resource"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/alternate-domain-names-move.html).
 */
const ALIAS_UNIQUE_SOURCE = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-restrictions";
const ALIASES_ARE_GLOBAL = "alternate domain names are unique across every CloudFront distribution of every account";

/** A distribution's alternate domain names, in lower case, each once. */
export function distributionAliases(distribution: RecordedResource): string[] {
  const aliases: unknown[] = distribution.inputs.aliases ?? [];
  return [...new Set(aliases.filter((a): a is string => typeof a === "string" && a !== "").map((a) => a.toLowerCase()))];
}

/**
 * Two distributions of one plan with one alternate domain name: the second to be created is refused. Typical causes
 * are a standby StaticSite for `domain.failover` listing the primary's host, or a StaticSite renamed without the
 * `aliases` resource option, whose new distribution is created while the old one still holds the name.
 */
export const CLOUDFRONT_ALIAS_UNIQUE: DeployRule = {
  id: "CloudFrontAliasUnique",
  title: "No two distributions of a plan have one alternate domain name",
  source: ALIAS_UNIQUE_SOURCE,
  check(graph) {
    const findings: DeployFinding[] = [];
    const holders = new Map<string, RecordedResource>();
    for (const d of ofType(graph, DISTRIBUTION)) {
      for (const alias of distributionAliases(d)) {
        const holder = holders.get(alias);
        if (!holder) {
          holders.set(alias, d);
          continue;
        }
        findings.push(
          finding(
            "CloudFrontAliasUnique",
            d,
            `has alternate domain name ${alias}, which ${holder.type} ${holder.name} of this plan also has: ${ALIASES_ARE_GLOBAL}, so its CreateDistribution is refused (CNAMEAlreadyExists)`,
            `serve ${alias} from one distribution: give the other its own host names (a failover standby needs names of its own; only a wildcard such as *.${alias.split(".").slice(1).join(".")} may overlap an exact name), or, to rename a site, keep its distribution with the resource option aliases`,
          ),
        );
      }
    }
    return findings;
  },
};

/** One stack's claim of an alternate domain name. */
interface AliasClaim {
  stack: string;
  distribution: RecordedResource;
  alias: string;
}

/**
 * The stacks of a project deploy their distributions separately, to any accounts, and the names are global: two
 * stacks claiming one alternate domain name (a `staging` stack copied from prod's config) cannot both deploy, whatever
 * their accounts. A wildcard in one stack over a name of another (`*.example.com` beside `www.example.com`) is not
 * reported: the guide once allowed that overlap only "as long as both distributions were created by using the same
 * AWS account", but AWS's July 2021 announcement of ListConflictingAliases says CloudFront "no longer returns the
 * CNAMEAlreadyExists error code in scenarios involving a cross-account wildcard CNAME", the newer word, and a rule that
 * fails a plan CloudFront accepts costs more than the overlap it would catch.
 */
export const CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS: ProjectDeployRule = {
  id: "CloudFrontAliasUniqueAcrossStacks",
  title: "No two stacks of the project claim one CloudFront alternate domain name",
  source: ALIAS_UNIQUE_SOURCE,
  check(stacks) {
    const claims: AliasClaim[] = stacks.flatMap(({ graph, context }) =>
      ofType(graph, DISTRIBUTION).flatMap((distribution) => distributionAliases(distribution).map((alias) => ({ stack: context.stack, distribution, alias }))),
    );
    return equalNameFindings(claims);
  },
};

function equalNameFindings(claims: AliasClaim[]): DeployFinding[] {
  // Two distributions of one stack are CloudFrontAliasUnique's.
  return sharedAcrossStacks(claims, (c) => c.alias).map(({ key: alias, claim, others }) =>
    finding(
      "CloudFrontAliasUniqueAcrossStacks",
      claim.distribution,
      `claims alternate domain name ${alias}, as do ${others.map((c) => `${c.stack}: ${c.distribution.name}`).join(", ")}; ${ALIASES_ARE_GLOBAL}, whatever the account, so only the first stack to deploy gets it and the others' CreateDistribution is refused (CNAMEAlreadyExists)`,
      `give each stack its own host names from its config (e.g. staging.${alias.replace(/^\*\./, "")}), or leave the domain unset in all but one`,
      claim.stack,
    ),
  );
}

/**
 * Standard logging (legacy) delivers log files with ACLs: "Don't choose an Amazon S3 bucket with
 * S3 Object Ownership set to bucket owner enforced" — that setting (the default for new buckets since
 * April 2023) disables ACLs, and CreateDistribution fails with "The S3 bucket that you specified for
 * CloudFront logs does not enable ACL access". The ownership change must also land before the
 * distribution is created, so the distribution must depend on it.
 */
export const CLOUDFRONT_LOG_BUCKET_ACLS: DeployRule = {
  id: "CloudFrontLogBucketAcls",
  title: "The standard-logging bucket has ACLs enabled before the distribution is created",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const bucket = standardLogBucket(graph, d);
      if (!bucket) continue;
      const ownership = ofType(graph, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").find((o) => [bucket.id, bucket.state.bucket].includes(o.inputs.bucket));
      const setting = ownership?.inputs.rule?.objectOwnership;
      if (!ownership || setting === "BucketOwnerEnforced") {
        findings.push(
          finding(
            "CloudFrontLogBucketAcls",
            d,
            `logs to bucket ${bucket.name}, whose object ownership is ${setting ?? "unset (new buckets default to BucketOwnerEnforced)"}, which disables the ACLs CloudFront delivers standard logs with`,
            `give ${bucket.name} an aws.s3.BucketOwnershipControls with objectOwnership "BucketOwnerPreferred" and make the distribution depend on it`,
          ),
        );
      } else if (!dependencyClosure(graph, d).has(ownership.urn)) {
        findings.push(finding("CloudFrontLogBucketAcls", d, `does not depend on ${ownership.name}, so it can be created while ${bucket.name} still has ACLs disabled`, `add ${ownership.name} to the distribution's dependsOn`));
      }
    }
    return findings;
  },
};


/** The bucket of the plan a distribution's standard logging (legacy) writes to; undefined when none, or one this program does not create (configured elsewhere; nothing to read). */
function standardLogBucket(graph: Graph, distribution: RecordedResource): RecordedResource | undefined {
  const target: string | undefined = distribution.inputs.loggingConfig?.bucket;
  if (!target) return undefined;
  return ofType(graph, "aws:s3/bucket:Bucket").find((b) => b.state.bucketDomainName === target || `${b.state.bucket}.s3.amazonaws.com` === target);
}

/**
 * CloudFront's standard logging (legacy) does not deliver to buckets in af-south-1, ap-east-1, eu-south-1 or
 * me-south-1 (CLOUDFRONT_LEGACY_LOG_UNSUPPORTED_REGIONS); CreateDistribution is refused with access denied on the
 * log bucket. StaticSite refuses those regions at construction; this covers any program's distributions.
 */
export const CLOUDFRONT_LOG_BUCKET_REGION: DeployRule = {
  id: "CloudFrontLogBucketRegion",
  title: "The standard-logging bucket is in a region CloudFront delivers standard logs to",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html#access-logs-choosing-s3-bucket",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const bucket = standardLogBucket(graph, d);
      if (!bucket) continue;
      const region = regionOf(graph, bucket, context);
      if (!CLOUDFRONT_LEGACY_LOG_UNSUPPORTED_REGIONS.includes(region)) continue;
      findings.push(
        finding(
          "CloudFrontLogBucketRegion",
          d,
          `logs to bucket ${bucket.name} in ${region}, a region CloudFront's standard logging does not deliver to, so CreateDistribution is refused (access denied on the log bucket)`,
          `put the log bucket in a region outside ${CLOUDFRONT_LEGACY_LOG_UNSUPPORTED_REGIONS.join(", ")} (e.g. us-east-1; a bucket that also takes S3 server access logs must stay in its source bucket's region), or turn standard logging off`,
        ),
      );
    }
    return findings;
  },
};

/**
 * DefaultRootObject: not beginning with /, at most 255 characters from A-Z a-z 0-9 _ - . * $ / ~ " ' &
 * (defaultRootObjectProblem, which StaticSite applies to indexDocument; sources there).
 */
export const CLOUDFRONT_DEFAULT_ROOT_OBJECT: DeployRule = {
  id: "CloudFrontDefaultRootObject",
  title: "A distribution's default root object is at most 255 characters CloudFront allows",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const name: unknown = d.inputs.defaultRootObject;
      // Unset or "" is no default root object; an unknown value is not judged.
      if (typeof name !== "string" || name === "") continue;
      const problem = defaultRootObjectProblem(name);
      if (problem) findings.push(finding("CloudFrontDefaultRootObject", d, `has defaultRootObject ${JSON.stringify(name)}, which ${problem}, so CreateDistribution or UpdateDistribution fails`, "name the object by its key without a leading /, in at most 255 characters from A-Z a-z 0-9 _ - . * $ / ~ \" ' &"));
    }
    return findings;
  },
};


/**
 * An origin's domainName is a host name of A-Z a-z 0-9 . - _ (originDomainNameProblem, which StaticSite applies to
 * routes[].domainName; sources there): a URL, a path or a port is refused by CreateDistribution or UpdateDistribution
 * ("The parameter origin name must be a domain name", "… cannot contain a colon"). For hand-built distributions, e.g.
 * a function URL's `functionUrl` passed as it is. A value the plan does not know is not judged.
 */
export const CLOUDFRONT_ORIGIN_DOMAIN_NAME: DeployRule = {
  id: "CloudFrontOriginDomainName",
  title: "A distribution's origins are named by host name: no scheme, path or port",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesDomainName",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const origins: any[] = Array.isArray(d.inputs.origins) ? d.inputs.origins : [];
      for (const origin of origins) {
        const domainName: unknown = origin?.domainName;
        if (typeof domainName !== "string") continue;
        const found = originDomainNameProblem(domainName);
        if (!found) continue;
        findings.push(
          finding(
            "CloudFrontOriginDomainName",
            d,
            `has origin ${origin.originId} with domainName ${JSON.stringify(domainName)}, which ${found.problem}, so CreateDistribution or UpdateDistribution fails`,
            found.host
              ? `set domainName to the host name "${found.host}"${found.path ? ` and originPath to "${found.path}"` : ""}; a port goes in customOriginConfig (httpPort, httpsPort)`
              : "set domainName to the origin's host name, e.g. \"abc123.execute-api.us-east-1.amazonaws.com\"",
          ),
        );
      }
    }
    return findings;
  },
};


/** Status codes an origin group may fail over on (API_StatusCodes / FailoverCriteria). */
export const ORIGIN_GROUP_STATUS_CODES = [400, 403, 404, 416, 500, 502, 503, 504];

/**
 * An origin group has exactly two members (primary, then secondary), both origins of the distribution, and fails over
 * on a non-empty set of status codes from 400, 403, 404, 416, 500, 502, 503 and 504.
 */
export const CLOUDFRONT_ORIGIN_GROUP: DeployRule = {
  id: "CloudFrontOriginGroup",
  title: "Origin groups have two member origins and failover status codes from the allowed set",
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginGroup.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      const origins = new Set((d.inputs.origins ?? []).map((o: any) => o.originId));
      for (const group of d.inputs.originGroups ?? []) {
        const members: string[] = (group.members ?? []).map((m: any) => m.originId);
        if (members.length !== 2) findings.push(finding("CloudFrontOriginGroup", d, `origin group ${group.originId} has ${members.length} members`, "give the group exactly two origins: the primary, then the secondary"));
        for (const member of members.filter((m) => !origins.has(m))) findings.push(finding("CloudFrontOriginGroup", d, `origin group ${group.originId} names ${member}, which is not an origin of the distribution`, "add the origin, or name one of the distribution's origins"));
        const codes: unknown[] = group.failoverCriteria?.statusCodes ?? [];
        const bad = codes.filter((c) => !ORIGIN_GROUP_STATUS_CODES.includes(c as number));
        if (codes.length === 0 || bad.length > 0) findings.push(finding("CloudFrontOriginGroup", d, `origin group ${group.originId} fails over on ${JSON.stringify(codes)}`, `use status codes from ${ORIGIN_GROUP_STATUS_CODES.join(", ")}`));
      }
    }
    return findings;
  },
};

const KEY_VALUE_STORE = "aws:cloudfront/keyValueStore:KeyValueStore";
const KEY_VALUE_STORE_KEYS = ["aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive", "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"];
/** Key, value and store sizes and the comment length, as EdgeLogic checks them (its TSDoc quotes the quotas page). */
const KVS_LIMITS = EDGE_LIMITS.keyValueStore;

/** The key-value pairs a keys resource puts: every pair of a KeyvaluestoreKeysExclusive, or a KeyvaluestoreKey's one. */
function keyValuePairs(keys: RecordedResource): Array<{ key: string; value: string }> {
  const pairs = keys.inputs.resourceKeyValuePairs ?? (keys.inputs.key === undefined ? [] : [{ key: keys.inputs.key, value: keys.inputs.value }]);
  return (pairs as Array<Record<string, unknown>>).map((pair) => ({ key: String(pair.key ?? ""), value: String(pair.value ?? "") }));
}

/**
 * CloudFront KeyValueStore: CreateKeyValueStore takes a Comment of "Maximum length of 128" and a Name of 1–64 of
 * `[a-zA-Z0-9-_]` (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateKeyValueStore.html); keys are
 * at most 512 bytes, values 1 KB, a store 5 MB (Quotas on key value stores; the same numbers, for an import file, on
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/kvs-with-functions-create-s3-kvp.html). AWS does
 * not say how the 5 MB is counted: this counts the UTF-8 bytes of every key and value the program puts in the store.
 */
export const CLOUDFRONT_KEY_VALUE_STORE: DeployRule = {
  id: "CloudFrontKeyValueStore",
  title: "Key value stores have a name of 1–64 letters, digits, - and _, a comment of at most 128 characters, keys of 1–512 bytes, values of at most 1 KB, and at most 5 MB of keys and values",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-keyvaluestores",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const store of ofType(graph, KEY_VALUE_STORE)) {
      const { name, comment } = store.inputs;
      if (name !== undefined && !isCloudFrontName(name)) {
        findings.push(finding("CloudFrontKeyValueStore", store, `is named "${name}"; CloudFront takes 1–64 letters, digits, - and _`, "use such a name, or leave name unset for Pulumi's autonaming"));
      }
      if (typeof comment === "string" && comment.length > KVS_LIMITS.commentLength) {
        findings.push(finding("CloudFrontKeyValueStore", store, `has a comment of ${comment.length} characters; CreateKeyValueStore takes at most ${KVS_LIMITS.commentLength}`, "shorten the comment"));
      }
    }
    const bytesByStore = new Map<string, { bytes: number; first: RecordedResource }>();
    for (const keys of graph.filter((r) => KEY_VALUE_STORE_KEYS.includes(r.type))) {
      for (const { key, value } of keyValuePairs(keys)) {
        const keyBytes = Buffer.byteLength(key);
        const valueBytes = Buffer.byteLength(value);
        if (keyBytes < 1 || keyBytes > KVS_LIMITS.keyBytes) {
          findings.push(finding("CloudFrontKeyValueStore", keys, `has a key of ${keyBytes} bytes (${key.length > 40 ? `${key.slice(0, 40)}…` : key}); CloudFront takes keys of 1–${KVS_LIMITS.keyBytes} bytes`, "shorten the key"));
        }
        if (valueBytes > KVS_LIMITS.valueBytes) {
          findings.push(finding("CloudFrontKeyValueStore", keys, `key ${key.length > 40 ? `${key.slice(0, 40)}…` : key} has a value of ${valueBytes} bytes; CloudFront takes at most ${KVS_LIMITS.valueBytes} (1 KB)`, "shorten the value, or split it over several keys"));
        }
        const arn = String(keys.inputs.keyValueStoreArn ?? keys.urn);
        const total = bytesByStore.get(arn) ?? { bytes: 0, first: keys };
        total.bytes += keyBytes + valueBytes;
        bytesByStore.set(arn, total);
      }
    }
    for (const [arn, { bytes, first }] of bytesByStore) {
      if (bytes <= KVS_LIMITS.storeBytes) continue;
      const store = ofType(graph, KEY_VALUE_STORE).find((s) => s.state.arn === arn) ?? first;
      findings.push(finding("CloudFrontKeyValueStore", store, `holds ${bytes} bytes of keys and values; a key value store holds at most 5 MB (${KVS_LIMITS.storeBytes} bytes)`, "keep the data within 5 MB: shorter keys and values, or rarely read data at the origin"));
    }
    return findings;
  },
};

/**
 * A response headers policy's Strict-Transport-Security max-age: AccessControlMaxAgeSec is "Type: Integer. Required:
 * Yes" (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyStrictTransportSecurity.html),
 * and terraform-provider-aws sets it only when it is not 0, as a 32-bit integer (response_headers_policy.go
 * expandResponseHeadersPolicyStrictTransportSecurity: `ok && v != 0 { apiObject.AccessControlMaxAgeSec =
 * aws.Int32(int32(v)) }`): 0 reaches CreateResponseHeadersPolicy as a missing required field, and a number over
 * 2^31 - 1 as another, wrapped one. StaticSite refuses both at construction (validateSecurityHeaders); this finds a program's own.
 */
export const CLOUDFRONT_HSTS_MAX_AGE: DeployRule = {
  id: "CloudFrontHstsMaxAge",
  title: `A response headers policy's Strict-Transport-Security max-age is ${HSTS_MAX_AGE_SECONDS.min}–${HSTS_MAX_AGE_SECONDS.max} seconds`,
  source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyStrictTransportSecurity.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const policy of ofType(graph, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")) {
      const maxAge = policy.inputs.securityHeadersConfig?.strictTransportSecurity?.accessControlMaxAgeSec;
      if (typeof maxAge !== "number" || (maxAge >= HSTS_MAX_AGE_SECONDS.min && maxAge <= HSTS_MAX_AGE_SECONDS.max)) continue;
      const consequence =
        maxAge === 0
          ? "pulumi-aws leaves a max-age of 0 out of the request, and CloudFront requires one, so CreateResponseHeadersPolicy fails"
          : maxAge < 0
            ? "max-age is a number of seconds (RFC 6797 delta-seconds): CloudFront refuses it or sends a header browsers ignore (which of the two is not confirmed)"
            : "the provider sends it as a 32-bit integer, so CloudFront gets another, wrapped number";
      findings.push(
        finding(
          "CloudFrontHstsMaxAge",
          policy,
          `has a Strict-Transport-Security accessControlMaxAgeSec of ${maxAge}; ${consequence}`,
          `use ${HSTS_MAX_AGE_SECONDS.min}–${HSTS_MAX_AGE_SECONDS.max} (1 makes browsers forget the policy after a second), or leave strictTransportSecurity out`,
        ),
      );
    }
    return findings;
  },
};

export const CLOUDFRONT_RULES: DeployRule[] = [
  CLOUDFRONT_EDGE_FUNCTION_MIX,
  CLOUDFRONT_ONE_FUNCTION_PER_EVENT,
  CLOUDFRONT_FUNCTION_EVENT_TYPES,
  CLOUDFRONT_FUNCTION_COMMENT,
  CLOUDFRONT_FUNCTION_SIZE,
  CLOUDFRONT_ALIAS_CERTIFICATE,
  CLOUDFRONT_ALIAS_UNIQUE,
  CLOUDFRONT_LOG_BUCKET_ACLS,
  CLOUDFRONT_LOG_BUCKET_REGION,
  CLOUDFRONT_DEFAULT_ROOT_OBJECT,
  CLOUDFRONT_ORIGIN_DOMAIN_NAME,
  CLOUDFRONT_ORIGIN_GROUP,
  CLOUDFRONT_KEY_VALUE_STORE,
  CLOUDFRONT_HSTS_MAX_AGE,
  CLOUDFRONT_BEHAVIOUR_METHODS,
  CLOUDFRONT_ORIGIN_CONNECTION,
  CLOUDFRONT_ORIGIN_PROTOCOLS,
  CLOUDFRONT_ORIGIN_CUSTOM_HEADERS,
  CLOUDFRONT_ORIGIN_PATH,
  CLOUDFRONT_VIEWER_CERTIFICATE,
];

/**
 * General quotas on distributions, "Cache behaviors per distribution": 75, with "Request a higher quota"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-web-distributions;
 * earlier versions of the page said 25). Adjustable, so a warning, as CloudFrontFunctionCount. Over the account's quota
 * CreateDistribution and UpdateDistribution fail with TooManyCacheBehaviors ("You cannot create more cache behaviors
 * for the distribution", the SDKs' exception documentation). The page does not say whether the default behaviour
 * counts; it is counted, so the warning may come one behaviour early, never late. StaticSite warns the same at
 * construction (cacheBehaviourQuotaWarning, whose constant this is).
 */
export const CLOUDFRONT_CACHE_BEHAVIOR_COUNT: DeployRule = {
  id: "CloudFrontCacheBehaviorCount",
  title: "A distribution has at most 75 cache behaviours (the default one included), CloudFront's default, adjustable quota",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-web-distributions",
  check(graph) {
    return ofType(graph, DISTRIBUTION).flatMap((distribution) => {
      const ordered: unknown[] = Array.isArray(distribution.inputs.orderedCacheBehaviors) ? distribution.inputs.orderedCacheBehaviors : [];
      const behaviours = 1 + ordered.length;
      if (behaviours <= CACHE_BEHAVIORS_PER_DISTRIBUTION) return [];
      return [
        finding(
          "CloudFrontCacheBehaviorCount",
          distribution,
          `has ${behaviours} cache behaviours (the default and ${ordered.length} in orderedCacheBehaviors), more than CloudFront's default quota of ${CACHE_BEHAVIORS_PER_DISTRIBUTION} per distribution: unless the account's quota was raised, CreateDistribution or UpdateDistribution fails (TooManyCacheBehaviors)`,
          `ask for a quota increase (AWS Support, CloudFront "Cache behaviors per distribution"), or merge path patterns so at most ${CACHE_BEHAVIORS_PER_DISTRIBUTION} behaviours remain`,
        ),
      ];
    });
  },
};

const CACHE_POLICY = "aws:cloudfront/cachePolicy:CachePolicy";
const REST_API = "aws:apigateway/restApi:RestApi";
const REST_METHOD = "aws:apigateway/method:Method";
const V2_API = "aws:apigatewayv2/api:Api";
const V2_ROUTE = "aws:apigatewayv2/route:Route";
/** AWS-managed cache policies whose headers are "none" (managed-cache-policies.html), by their ids (the same in every account). */
const MANAGED_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const AUTHORIZATION_HEADER = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-the-cache-key.html";

/** The API Gateway id of an origin on an execute-api host (`<id>.execute-api.<region>.amazonaws.com`), else undefined. */
function executeApiId(domainName: unknown): string | undefined {
  return typeof domainName === "string" ? /^([^.]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/i.exec(domainName)?.[1] : undefined;
}

const ORIGIN_REQUEST_POLICY = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy";
/**
 * AWS-managed origin request policies, by their ids (the same in every account; using-managed-origin-request-policies.html,
 * also awsdocs/amazon-cloudfront-developer-guide doc_source/using-managed-origin-request-policies.md): whether each
 * includes all the viewer's headers. AllViewer, AllViewerAndCloudFrontHeaders-2022-06 (all viewer headers and CloudFront
 * headers) and AllViewerExceptHostHeader do; CORS-CustomOrigin (Origin), CORS-S3Origin (Origin and the two
 * Access-Control-Request headers), Elemental-MediaTailor-PersonalizedManifests (those, User-Agent, X-Forwarded-For) and
 * UserAgentRefererHeaders (User-Agent, Referer) do not. Others (HostHeaderOnly, later ones) are not judged.
 */
const MANAGED_ORIGIN_REQUEST_POLICIES_ALL_VIEWER: Record<string, boolean> = {
  "216adef6-5c7f-47e4-b989-5492eafa07d3": true,
  "33f36d7e-f396-46d9-90e0-52428a34d9dc": true,
  [MANAGED_ALL_VIEWER_EXCEPT_HOST]: true,
  "59781a5b-3903-41f3-afcb-af62929ccde1": false,
  "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": false,
  "775133bc-15f2-49f9-abea-afb2e0bf67d2": false,
  "acba4595-bd28-49b8-b9fe-13317c0390fa": false,
};

/**
 * Whether the behaviour's origin request policy includes all the viewer's headers (undefined: a policy neither managed
 * and known here nor of the plan). A plan policy does on headerBehavior allViewer or allViewerAndWhitelistCloudFront
 * ("All HTTP headers in viewer requests", API_OriginRequestPolicyHeadersConfig), and on allExcept unless Authorization
 * is among the headers it leaves out; not on none or whitelist (a whitelist cannot name Authorization: CloudFront
 * answers 400). No origin request policy: false.
 */
function originRequestForwardsAllHeaders(graph: Graph, behaviour: Record<string, any>): boolean | undefined {
  const id = behaviour.originRequestPolicyId;
  if (typeof id !== "string" || id === "") return false;
  if (id in MANAGED_ORIGIN_REQUEST_POLICIES_ALL_VIEWER) return MANAGED_ORIGIN_REQUEST_POLICIES_ALL_VIEWER[id];
  const headers = referenced(graph, ORIGIN_REQUEST_POLICY, id)?.inputs.headersConfig;
  if (!headers) return undefined;
  if (headers.headerBehavior === "allViewer" || headers.headerBehavior === "allViewerAndWhitelistCloudFront") return true;
  if (headers.headerBehavior === "allExcept") return !asArray<string>(headers.headers?.items).some((h) => typeof h === "string" && h.toLowerCase() === "authorization");
  return typeof headers.headerBehavior === "string" ? false : undefined;
}

/**
 * Whether a cache behaviour passes the viewer's Authorization header to its origin, or undefined when the plan cannot
 * tell (a cache policy or, with caching off, an origin request policy neither of the plan nor known here). A cache
 * policy forwards the headers of its cache key; an origin request policy cannot name Authorization (CloudFront answers
 * 400), but with caching off one that includes all viewer headers forwards it (AUTHORIZATION_HEADER; "How can I
 * configure CloudFront to forward the Authorization header to the origin?", AWS re:Post knowledge center
 * cloudfront-authorization-header: "If caching is turned off, then you can use AllViewer and AllViewerExceptHostHeader
 * origin request policies to forward an authorization header", and "If the caching option is turned off, then use an
 * origin request policy ... to forward all viewer headers"): originRequestForwardsAllHeaders. That a policy of one's own
 * on allViewer does as the managed ones do is read from that article, not confirmed by a test against AWS. Legacy
 * settings (`forwardedValues`) forward the headers they list, `*` all.
 */
function forwardsAuthorization(graph: Graph, behaviour: Record<string, any>): boolean | undefined {
  const isAuthorization = (h: unknown) => typeof h === "string" && (h === "*" || h.toLowerCase() === "authorization");
  const policyId = behaviour.cachePolicyId;
  if (typeof policyId !== "string" || policyId === "") {
    const headers = behaviour.forwardedValues?.headers;
    return Array.isArray(headers) && headers.some(isAuthorization);
  }
  if (policyId === MANAGED_CACHING_DISABLED) return originRequestForwardsAllHeaders(graph, behaviour);
  if (policyId === MANAGED_CACHING_OPTIMIZED) return false;
  const policy = referenced(graph, CACHE_POLICY, policyId);
  if (!policy) return undefined;
  const headers = policy.inputs.parametersInCacheKeyAndForwardedToOrigin?.headersConfig;
  if (headers?.headerBehavior === "whitelist" && asArray<string>(headers.headers?.items).some(isAuthorization)) return true;
  const cachingOff = [policy.inputs.minTtl, policy.inputs.defaultTtl, policy.inputs.maxTtl].every((ttl) => ttl === 0);
  return cachingOff ? originRequestForwardsAllHeaders(graph, behaviour) : false;
}

/** An HTTP API route key `METHOD /path` (`GET /chat/{id}`) in its parts; undefined for `$default` and WebSocket keys. */
function httpRouteKey(routeKey: unknown): { method: string; path: string } | undefined {
  const parts = typeof routeKey === "string" ? /^(\S+) (\/\S*)$/.exec(routeKey) : null;
  return parts ? { method: parts[1], path: parts[2] } : undefined;
}

/**
 * Whether an HTTP API route key (`GET /chat/{id}`, `$default`) may take requests under the path pattern `pattern` sent
 * with the origin path `originPath`. API Gateway reads the path after the stage, and the origin path may or may not
 * begin with a stage (`$default` has none), so the API sees `originPath` (or it without its first segment) followed by
 * the viewer's path, which begins with the pattern's literal part (before its first `*` or `?`: CloudFront's `*` matches
 * zero or more characters, `?` exactly one, so `/me/*` takes `/me/` and `/me/x` but never `/me`: "Path pattern",
 * distribution-web-values-specify.html#DownloadDistValuesPathPattern). An exact route (no `{`) is reached only when
 * it begins with that prefix. A templated route's path is unknown past its literal part (before its first `{`; a
 * greedy `{proxy+}` or a `{param}` may take the rest of the prefix), so it may serve when either of the two is a
 * prefix of the other. `$default` and keys that are not `METHOD /path` (WebSocket route keys) may serve any path.
 */
function routeMayServe(routeKey: unknown, pattern: string, originPath: unknown): boolean {
  const path = httpRouteKey(routeKey)?.path;
  if (path === undefined) return true;
  const viewer = (pattern.startsWith("/") ? pattern : `/${pattern}`).split(/[*?]/)[0];
  const origin = typeof originPath === "string" ? originPath.replace(/\/$/, "") : "";
  const prefixes = [origin, origin.replace(/^\/[^/]*/, "")].map((p) => p + viewer);
  if (!path.includes("{")) return prefixes.some((p) => path.startsWith(p));
  const literal = path.split("{")[0];
  return prefixes.some((p) => p.startsWith(literal) || literal.startsWith(p));
}

/**
 * The HTTP methods whose requests a behaviour that does not forward Authorization (forwardsAuthorization false) sends
 * to its origin without the header. CloudFront's request-header table for custom origins, `Authorization` row
 * (RequestAndResponseBehaviorCustomOrigin.html, "HTTP request headers and CloudFront behavior"; the same table in the
 * Lightsail guide, awsdocs/amazon-lightsail-developer-guide doc_source/amazon-lightsail-distribution-request-and-response.md,
 * as Lightsail distributions are CloudFront's): GET and HEAD requests, CloudFront removes the header; OPTIONS requests,
 * removes it when the behaviour caches OPTIONS responses, forwards it otherwise; DELETE, PATCH, POST and PUT requests,
 * does not remove it. Of those, only the methods the behaviour's allowedMethods lets through (CloudFront takes no other
 * method to the origin; all three when the plan does not say).
 */
function methodsWithoutToken(behaviour: Record<string, any>): string[] {
  const methods = (value: unknown) => asArray<unknown>(value as unknown[]).filter((m): m is string => typeof m === "string").map((m) => m.toUpperCase());
  const allowed = methods(behaviour.allowedMethods);
  const stripped = ["GET", "HEAD", ...(methods(behaviour.cachedMethods).includes("OPTIONS") ? ["OPTIONS"] : [])];
  return allowed.length === 0 ? stripped : stripped.filter((m) => allowed.includes(m));
}

/**
 * Whether a request of HTTP method `method` (a REST method's httpMethod, a route key's method; undefined when the plan
 * does not say, or for `$default` and WebSocket keys, which take any method) may reach the origin without the token.
 */
function losesToken(method: unknown, stripped: string[]): boolean {
  if (typeof method !== "string") return stripped.length > 0;
  const m = method.toUpperCase();
  return m === "ANY" ? stripped.length > 0 : stripped.includes(m);
}

/**
 * The routes (v2 `routeKey`s) or methods (REST, by name) of `api` that an authorizer guards (authorization other than
 * NONE), whose HTTP method loses the token through the behaviour (`stripped`, methodsWithoutToken; ANY counts, as it
 * takes GET) and that may sit under the behaviour's path `pattern` ("default": all). Only an HTTP API's route keys are
 * matched to the pattern (routeMayServe); a REST method's path is its resource's, which the plan builds from parent
 * resources and is not worked out here, so every authorised REST method of such an HTTP method counts.
 */
function authorisedRoutes(graph: Graph, api: RecordedResource, pattern: string, originPath: unknown, stripped: string[]): string[] {
  if (api.type === REST_API) {
    return ofType(graph, REST_METHOD)
      .filter((m) => referenced(graph, REST_API, m.inputs.restApi) === api && typeof m.inputs.authorization === "string" && m.inputs.authorization.toUpperCase() !== "NONE")
      .filter((m) => losesToken(m.inputs.httpMethod, stripped))
      .map((m) => `${m.name} (${m.inputs.httpMethod}, ${m.inputs.authorization})`);
  }
  return ofType(graph, V2_ROUTE)
    .filter((r) => referenced(graph, V2_API, r.inputs.apiId) === api && typeof r.inputs.authorizationType === "string" && r.inputs.authorizationType.toUpperCase() !== "NONE")
    .filter((r) => losesToken(httpRouteKey(r.inputs.routeKey)?.method, stripped))
    .filter((r) => pattern === "default" || routeMayServe(r.inputs.routeKey, pattern, originPath))
    .map((r) => `${r.inputs.routeKey} (${r.inputs.authorizationType})`);
}

/**
 * A cache behaviour in front of an API Gateway API of the plan (an origin on its execute-api host) that does not pass
 * the viewer's Authorization header on (forwardsAuthorization: a cache policy without it in its cache key, such as
 * CachingOptimized or StaticSite's own for `cached: true` routes), while the API has routes that an authorizer guards
 * (REST methods whose `authorization` is not NONE, v2 routes whose `authorizationType` is not NONE) of a method that
 * loses the token (methodsWithoutToken: GET and HEAD, OPTIONS when cached; not POST, PUT, PATCH or DELETE, which keep
 * it): CloudFront sends those requests without the token, and API Gateway answers every one 401 or 403. CloudFront accepts the
 * configuration, so nothing fails at deploy. A warning, not a failure: an HTTP API's routes are matched to the path
 * pattern only as far as is sound (routeMayServe drops a route no request under the pattern can reach), and a REST
 * API's not at all, so the behaviour may still serve only public routes. Also left out: authorizers that read other
 * headers or query strings (also stripped by a policy without them), custom domain names in front of an API, and APIs
 * outside the plan.
 */
export const CLOUDFRONT_CACHED_AUTHORISED_API: DeployRule = {
  id: "CloudFrontCachedAuthorisedApi",
  title: "A cache behaviour in front of an API with authorised routes forwards the Authorization header (in its cache policy)",
  source: AUTHORIZATION_HEADER,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const distribution of ofType(graph, DISTRIBUTION)) {
      const origins: Array<Record<string, any>> = Array.isArray(distribution.inputs.origins) ? distribution.inputs.origins : [];
      for (const { path, behaviour } of cacheBehaviours(distribution)) {
        const origin = origins.find((o) => o.originId === behaviour.targetOriginId);
        const apiId = executeApiId(origin?.domainName);
        const api = apiId === undefined ? undefined : (referenced(graph, REST_API, apiId) ?? referenced(graph, V2_API, apiId));
        if (!api || forwardsAuthorization(graph, behaviour) !== false) continue;
        const stripped = methodsWithoutToken(behaviour);
        const routes = authorisedRoutes(graph, api, path, origin?.originPath, stripped);
        if (routes.length === 0) continue;
        findings.push(
          finding(
            "CloudFrontCachedAuthorisedApi",
            distribution,
            `sends ${path === "default" ? "its default behaviour" : `the behaviour ${path}`} to ${api.name}, whose ${routes.slice(0, 3).join(", ")}${routes.length > 3 ? ` and ${routes.length - 3} more` : ""} ${routes.length === 1 ? "needs" : "need"} an authorizer, but its cache policy (${behaviour.cachePolicyId ?? "legacy forwardedValues"})${behaviour.originRequestPolicyId ? ` with origin request policy ${behaviour.originRequestPolicyId}` : ""} does not forward the Authorization header; CloudFront sends those requests (${stripped.join(", ")}) without the token and API Gateway answers 401/403 to every one (if the path serves only public routes, ignore this)`,
            "add Authorization to the cache policy's headers (headersConfig whitelist: it then joins the cache key, so each caller gets its own copy), or leave the route uncached (StaticSite: cached: false, which uses CachingDisabled with the AllViewerExceptHostHeader origin request policy); an origin request policy cannot name Authorization, and with caching off only one that includes all viewer headers (AllViewer, AllViewerExceptHostHeader, headerBehavior allViewer) passes it on",
          ),
        );
      }
    }
    return findings;
  },
};

/** CloudFront's warning rules: part of DEPLOY_WARNING_RULES, not of DEPLOY_RULES. */
export const CLOUDFRONT_WARNING_RULES: DeployRule[] = [CLOUDFRONT_FUNCTION_COUNT, CLOUDFRONT_CACHE_BEHAVIOR_COUNT, CLOUDFRONT_CACHED_AUTHORISED_API, CLOUDFRONT_ORIGIN_TIMEOUT_QUOTA, CLOUDFRONT_ORIGIN_CUSTOM_HEADER_COUNT];

/** The behaviour, origin and viewer-certificate rules, part of the package's CloudFront rules (CLOUDFRONT_RULES, CLOUDFRONT_WARNING_RULES). */
export * from "./cloudfront-behaviours";

/** CloudFront rules over the plans of all the stacks of a project. */
export const CLOUDFRONT_PROJECT_RULES: ProjectDeployRule[] = [CLOUDFRONT_ALIAS_UNIQUE_ACROSS_STACKS];
