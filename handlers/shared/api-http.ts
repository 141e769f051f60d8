/**
 * What every gallery API handler shares: Powertools (logger, metrics), the
 * API Gateway proxy response shapes, the signed-in owner taken from the verified
 * claims, body parsing with zod, and one wrapper that turns errors into proper
 * status codes — 400/401/403/404/409/413 for the caller's mistakes, 500 only for ours.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import * as z from "zod/mini";
import { fieldErrors } from "./gallery-schemas";

export const logger = new Logger();
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Gallery" });

/** Bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, errors?: Record<string, string[]>) => new HttpError(400, message, errors ? { errors } : undefined);
export const unauthorized = () => new HttpError(401, "Unauthorized");
export const forbidden = (message = "Forbidden") => new HttpError(403, message);
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const conflict = (message: string) => new HttpError(409, message);

function corsHeaders(): Record<string, string> {
  const origin = process.env.CORS_ALLOW_ORIGIN;
  return origin ? { "access-control-allow-origin": origin, vary: "Origin" } : {};
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...corsHeaders(), ...headers },
    body: JSON.stringify(body),
  };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: { "cache-control": "no-store", ...corsHeaders() }, body: "" };
}

/**
 * The signed-in user's `sub`, from what the authorizer verified: a Cognito
 * authorizer puts the token's claims under `authorizer.claims`, our Lambda
 * authorizer puts `sub` in its context. Never read from the request itself.
 */
export function ownerOf(event: Pick<APIGatewayProxyEvent, "requestContext">): string {
  const authorizer = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const claims = authorizer?.claims as Record<string, unknown> | undefined;
  const sub = claims?.sub ?? authorizer?.sub;
  if (typeof sub !== "string" || sub === "") throw unauthorized();
  return sub;
}

/** The body as JSON, validated by `schema`: 413 when too large, 400 with field errors when malformed or invalid. */
export function parseBody<T extends z.ZodMiniType>(event: Pick<APIGatewayProxyEvent, "body" | "isBase64Encoded" | "headers">, schema: T): z.output<T> {
  const raw = event.body ?? "";
  const text = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  const contentType = headerValue(event.headers, "content-type");
  if (text !== "" && contentType && !/^application\/json\b/i.test(contentType)) {
    throw new HttpError(415, "Send the body as application/json");
  }
  let value: unknown;
  try {
    value = text === "" ? {} : JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest("Request body is invalid", fieldErrors(result.error));
  return result.data;
}

/** A path parameter checked against `schema` (404 for a malformed id: such an item cannot exist). */
export function pathParam(event: Pick<APIGatewayProxyEvent, "pathParameters">, name: string, schema: z.ZodMiniType<string> = ID): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || !schema.safeParse(value).success) throw notFound(name.replace(/Id$/, ""));
  return value;
}

export function queryParam(event: Pick<APIGatewayProxyEvent, "queryStringParameters">, name: string): string | undefined {
  return event.queryStringParameters?.[name] ?? undefined;
}

/** A listing's `limit`: a whole number from 1 to `max`, `max` when absent (400 otherwise). */
export function limitParam(value: string | undefined, max: number): number {
  if (value === undefined) return max;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw badRequest("Invalid query", { limit: [`must be a whole number from 1 to ${max}`] });
  return limit;
}

/** ULID-like ids (handlers/shared/gallery-keys.ts newId). */
export const ID = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "is not an id"));


/** A request header, by case-insensitive name. */
export function headerParam(event: APIGatewayProxyEvent, name: string): string | undefined {
  return headerValue(event.headers, name.toLowerCase());
}

function headerValue(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/** True for the error DynamoDB throws when a ConditionExpression fails. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === "ConditionalCheckFailedException";
}

export type RouteHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Wraps a route: logging context, a metric per outcome, and errors mapped to
 * responses. HttpErrors are the caller's mistakes; anything else is logged and
 * answered with a 500 that reveals nothing.
 */
export function route(name: string, fn: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>): RouteHandler {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ route: name, requestId: event.requestContext?.requestId });
    let response: APIGatewayProxyResult;
    try {
      response = await fn(event, context);
    } catch (error) {
      if (error instanceof HttpError) {
        response = json(error.statusCode, { message: error.message, ...(error.details ?? {}) });
      } else {
        logger.error("unhandled error", error as Error);
        response = json(500, { message: "Internal server error" });
      }
    }
    metrics.addDimension("route", name);
    metrics.addMetric(response.statusCode >= 500 ? "ServerError" : response.statusCode >= 400 ? "ClientError" : "Success", MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    logger.info("request", { statusCode: response.statusCode, method: event.httpMethod, path: event.path });
    return response;
  };
}
