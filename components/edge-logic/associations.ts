/**
 * What EdgeLogic hands StaticSite: which function runs on which behaviour and
 * event type. Shared by both components (and the local front door), so it lives
 * apart from either one's implementation.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The four points where CloudFront runs code (Lambda@Edge's trigger points). */
export type EdgeEventType = "viewer-request" | "viewer-response" | "origin-request" | "origin-response";
export const EDGE_EVENT_TYPES: readonly EdgeEventType[] = ["viewer-request", "origin-request", "origin-response", "viewer-response"];

/** CloudFront Functions only run at the viewer side. */
export type FunctionEventType = "viewer-request" | "viewer-response";
export const FUNCTION_EVENT_TYPES: readonly FunctionEventType[] = ["viewer-request", "viewer-response"];

/** Path pattern meaning "the distribution's default behaviour" (CloudFront's `*`). */
export const DEFAULT_BEHAVIOUR = "default";

/**
 * One spelling per behaviour: CloudFront takes a path pattern with or without its leading "/" and "behavior is the
 * same with or without the leading /" (API_CacheBehavior PathPattern,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html), so "api/*" is "/api/*": every
 * check and the local front door compare the "/" form. "default", "*", "" and non-strings are left as given for the
 * checks that refuse or read them.
 */
export function behaviourPattern<T>(pattern: T): T | string {
  return typeof pattern === "string" && pattern !== "" && pattern !== "*" && pattern !== DEFAULT_BEHAVIOUR && !pattern.startsWith("/") ? `/${pattern}` : pattern;
}

/** One function attached to one behaviour at one event type. */
export interface EdgeAssociation {
  /** `"default"` for the default behaviour, otherwise a CloudFront path pattern such as `"/account/*"`. */
  pathPattern: string;
  /** The CloudFront event the function runs on (viewer-request, viewer-response, origin-request, origin-response). */
  eventType: EdgeEventType;
  /** `function`: a CloudFront Function (viewer events only); `lambda`: a Lambda@Edge function. */
  kind: "function" | "lambda";
  /** The EdgeLogic component that owns the function (the local runtime looks its spec up by this name). */
  edgeLogic: string;
  /** The function's key in that EdgeLogic's `functions` or `lambdas`. */
  key: string;
  /** CloudFront Function ARN, or the Lambda@Edge function's published-version `qualifiedArn`. */
  arn: pulumi.Input<string>;
  /** Lambda@Edge request events only: pass the request body to the function. */
  includeBody?: boolean;
  /**
   * Lambda@Edge origin-response only: the function answers the site origin's 403/404 with the
   * site's error document, so StaticSite needs no distribution-wide custom error response.
   */
  servesErrorDocument?: boolean;
}

/** A readable id for messages: `default viewer-request`, `/account/* origin-response`. */
export function associationSlot(association: Pick<EdgeAssociation, "pathPattern" | "eventType">): string {
  return `${association.pathPattern} ${association.eventType}`;
}

/** How messages name a function's kind. */
export function kindName(kind: EdgeAssociation["kind"]): string {
  return kind === "function" ? "CloudFront Function" : "Lambda@Edge";
}

/**
 * CloudFront refuses a cache behavior that runs a CloudFront Function and a Lambda@Edge function
 * on its viewer events: "You can't combine CloudFront Functions and Lambda@Edge in viewer events
 * (viewer request and viewer response)" — a CloudFront Function (always a viewer event) may only
 * share a behaviour with Lambda@Edge on origin request / origin response.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html
 */
export function mixesViewerKinds(a: Pick<EdgeAssociation, "kind" | "eventType">, b: Pick<EdgeAssociation, "kind" | "eventType">): boolean {
  if (a.kind === b.kind) return false;
  const lambda = a.kind === "lambda" ? a : b;
  return lambda.eventType === "viewer-request" || lambda.eventType === "viewer-response";
}

export const MIXED_VIEWER_EVENTS = "CloudFront does not allow CloudFront Functions and Lambda@Edge together on the viewer events of one behaviour";

export const MIXED_VIEWER_EVENTS_FIX =
  "Keep one kind on the behaviour's viewer events: move response headers the CloudFront Function adds into StaticSite's securityHeaders.customHeaders " +
  "(the response headers policy), fold its work into the Lambda@Edge function, or move the Lambda@Edge work to origin-request/origin-response.";
