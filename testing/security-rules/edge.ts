import { EDGE_LIMITS } from "../../components/edge-logic/spec";
import { CLOUDFRONT_FUNCTION_RUNTIME } from "../../components/edge-logic/resources";
import { cacheBehaviours, ofType, type Graph } from "../../local/offline/graph";
import { finding, type Finding, type SecurityRule } from "./rule";
import { isEdgeFunction } from "./lambda";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

/**
 * Lambda@Edge is attached by a published version: CloudFront refuses $LATEST and aliases,
 * and an unversioned ARN would change what runs without a distribution update.
 */
export const EDGE_VERSIONED: SecurityRule = {
  id: "EdgeVersioned",
  title: "Lambda@Edge associations name a published version in us-east-1",
  check(graph) {
    const findings: Finding[] = [];
    for (const d of ofType(graph, DISTRIBUTION)) {
      for (const { path, behaviour } of cacheBehaviours(d)) {
        for (const a of behaviour.lambdaFunctionAssociations ?? []) {
          if (!/^arn:aws[a-z-]*:lambda:us-east-1:\d{12}:function:[^:]+:\d+$/.test(String(a.lambdaArn))) {
            findings.push(finding("EdgeVersioned", d, `behaviour ${path} ${a.eventType} runs ${a.lambdaArn}, not a numbered version in us-east-1`));
          }
        }
      }
    }
    return findings;
  },
};

/** Lambda@Edge functions: published, kept on delete (replicas take hours to go), no environment. */
export const EDGE_FUNCTIONS: SecurityRule = {
  id: "EdgeFunctions",
  title: "Lambda@Edge functions are published, retained and carry no environment",
  check(graph) {
    const findings: Finding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function").filter((f) => isEdgeFunction(graph, f))) {
      if (!fn.inputs.publish) findings.push(finding("EdgeFunctions", fn, "does not publish versions"));
      if (!fn.retainOnDelete) findings.push(finding("EdgeFunctions", fn, "is not retained on delete; its replicas would block the deletion"));
      if (fn.inputs.environment) findings.push(finding("EdgeFunctions", fn, "has environment variables, which Lambda@Edge refuses"));
    }
    return findings;
  },
};

/** CloudFront Functions: the current runtime, within the size limit, published to LIVE. */
export const CLOUDFRONT_FUNCTIONS: SecurityRule = {
  id: "CloudFrontFunctions",
  title: "CloudFront Functions run cloudfront-js-2.0, fit in 10 KB and are published",
  check(graph: Graph) {
    const findings: Finding[] = [];
    for (const fn of ofType(graph, "aws:cloudfront/function:Function")) {
      if (fn.inputs.runtime !== CLOUDFRONT_FUNCTION_RUNTIME) findings.push(finding("CloudFrontFunctions", fn, `runs ${fn.inputs.runtime}, not ${CLOUDFRONT_FUNCTION_RUNTIME}`));
      if (Buffer.byteLength(String(fn.inputs.code ?? "")) > EDGE_LIMITS.functionCodeBytes) findings.push(finding("CloudFrontFunctions", fn, "is over 10 KB"));
      if (!fn.inputs.publish) findings.push(finding("CloudFrontFunctions", fn, "is not published, so distributions run a stale LIVE stage"));
    }
    return findings;
  },
};
