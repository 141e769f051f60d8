/**
 * A stand-in for Lambda's Invoke API (`POST /2015-03-31/functions/{FunctionName}/invocations`), so a handler's
 * `LambdaClient` (`InvokeCommand`) and `aws lambda invoke --endpoint-url …` reach the program's own functions under
 * `npm start`: local sandboxes get AWS_ENDPOINT_URL_LAMBDA pointing here (local/services/lambda.ts).
 *
 * Shapes follow the API reference, https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (its text as the
 * SDK model carries it, @aws-sdk/client-lambda InvokeCommand): "The HTTP status code is in the 200 range for a
 * successful request. For the RequestResponse invocation type, this status code is 200. For the Event invocation
 * type, this status code is 202. For the DryRun invocation type, the status code is 204." A function error is not an
 * API error: "The status code in the API response doesn't reflect function errors"; the X-Amz-Function-Error header
 * says there was one and the body is the runtime's error document. Only Invoke is served: the deprecated
 * InvokeAsync, response streaming, `X-Amz-Log-Type: Tail` and `X-Amz-Client-Context` are not (docs/local-vs-aws.md).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { invokeAsync, type AsyncInvokeOptions, type Invoke } from "./async-invoke";
import { LAMBDA_REFUSAL_STATUS, LAMBDA_SYNC_PAYLOAD_LIMITS, LambdaInvokeError, type InvocationTarget } from "./lambda-runtime";
import type { Authorise } from "./function-roles";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import { executedVersion, FUNCTION_NAME_PATTERN, functionNameParts, functionNotFound, QUALIFIER_CONFLICT, qualifierInvalid, targetOfParts, type FunctionVersions, type InvokeDefaults } from "./lambda-function-name";
import { LOCAL_CREDENTIALS, restJsonFailure, verifySignedHeaders, type SignatureFailure, type SigV4Credentials } from "./sigv4-verify";

/** One of the program's functions as Invoke can name it. */
export interface InvocableFunction extends FunctionVersions {
  /** The LambdaFunction's resource name (its spec's name), for messages. */
  name: string;
  /** The physical name, as `fn.functionName` resolves in this run (the recorded aws:lambda/function:Function's name). */
  functionName: string;
  /** The unqualified ARN, as `fn.arn` resolves in this run. */
  arn: string;
  /** `version`: the one the program published (`fn.version`: "1" with `publish`, else "$LATEST"); `aliases`: those the program defines on the function. */
  spec: LambdaFunctionSpec;
  invoke: Invoke;
}

export interface LocalLambdaApiOptions {
  functions: InvocableFunction[];
  /** Where Event invocations go: the same asynchronous path as S3 events and schedules (retries, destinations). */
  async: AsyncInvokeOptions;
  /** Region named in a "Function not found" ARN when the request names none. @default "us-east-1" */
  region?: string;
  /** The credentials requests must be signed with (SigV4). @default [LOCAL_CREDENTIALS] */
  credentials?: readonly SigV4Credentials[];
  /**
   * IAM for signed requests (local/function-roles.ts): Invoke is authorised as lambda:InvokeFunction on the ARN the
   * request names, with its qualifier when it has one (a statement on the unqualified ARN does not match
   * `<arn>:live`: grant `<arn>:*` too, as Step Functions' generated policies do). A refusal is 403
   * AccessDeniedException, "User: … is not authorized to perform: lambda:InvokeFunction on resource: … because no
   * identity-based policy allows the lambda:InvokeFunction action".
   * @default every signed request is allowed
   */
  authorise?: Authorise;
}

export interface LocalLambdaApi {
  endpoint: string;
  /** Waits for Event invocations under way (with their retries). */
  drained(): Promise<void>;
  /** Waits for Event invocations under way, then closes the server. */
  stop(): Promise<void>;
}

/**
 * Payload limits. Synchronous: LAMBDA_SYNC_PAYLOAD_LIMITS (lambda-runtime.ts), answered as Lambda answers it:
 * "Request must be smaller than 6291456 bytes for the InvokeFunction operation (Service: AWSLambda; Status Code: 413;
 * Error Code: RequestEntityTooLargeException" (https://github.com/awslabs/aws-athena-query-federation/issues/793).
 * The API reference calls this error RequestTooLargeException; the service's own answers, quoted here, name it
 * RequestEntityTooLargeException, which is what callers see and what this server sends.
 * Asynchronous: API_Invoke, "For asynchronous invocations, the maximum payload size is 1 MB" (raised from 256 KB:
 * https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb/, "AWS
 * has raised the maximum payload size from 256 KB to 1 MB for asynchronous AWS Lambda function invocations"). The
 * bytes are taken as 1 MiB, since the 256 KB limit was enforced as "(limit 262144 bytes)" in Lambda's refusal
 * "264496 byte payload is too large for the Event invocation type (limit 262144 bytes)"
 * (https://github.com/ASFHyP3/hyp3/issues/2241); the exact byte count of the new limit is not confirmed.
 */
export const LAMBDA_INVOKE_LIMITS = { largestSyncRequestBytes: LAMBDA_SYNC_PAYLOAD_LIMITS.largestRequestBytes, largestEventRequestBytes: 1_048_576 } as const;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const INVOCATION_TYPES = ["Event", "RequestResponse", "DryRun"] as const;

interface ApiError {
  status: number;
  type: string;
  message: string;
}

/** A refused signature as Lambda answers it (restJsonFailure: REST-JSON's statuses). */
function signatureError(failure: SignatureFailure): ApiError {
  const { status, code, message } = restJsonFailure(failure);
  return { status, type: code, message };
}

export async function startLocalLambdaApi(options: LocalLambdaApiOptions): Promise<LocalLambdaApi> {
  const byName = new Map(options.functions.map((f) => [f.functionName, f]));
  // Where a FunctionName naming no partition, region or account is taken to be: the program's function's own (read
  // once, from its ARN), else the server's region in the mocks' account.
  const fallback: InvokeDefaults = { partition: "aws", region: options.region ?? "us-east-1", account: MOCK_ACCOUNT_ID };
  const defaultsByName = new Map(
    options.functions.map((f) => {
      // Read as Invoke reads a FunctionName (functionNameParts), so the ARN a request is matched on is built alike.
      const { partition, region, account } = functionNameParts(f.arn) ?? {};
      return [f.functionName, { partition: partition ?? fallback.partition, region: region ?? fallback.region, account: account ?? fallback.account }];
    }),
  );
  const credentials = options.credentials ?? [LOCAL_CREDENTIALS];
  const pending = new Set<Promise<unknown>>();
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Nothing a request sends may stop npm start: an unexpected failure is Lambda's ServiceException (500).
      if (!response.headersSent) sendError(response, randomUUID(), { status: 500, type: "ServiceException", message: `local Lambda API: ${(error as Error)?.message ?? String(error)}` });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(request.url ?? "/", "http://localhost");
    const match = INVOKE_PATH.exec(url.pathname);
    if (request.method !== "POST" || !match) {
      request.resume();
      return sendError(response, requestId, {
        status: 404,
        type: "UnknownOperationException",
        message: `the local Lambda API answers Invoke only (POST /2015-03-31/functions/{FunctionName}/invocations), not ${request.method} ${url.pathname}`,
      });
    }
    const received = await readBody(request, LAMBDA_INVOKE_LIMITS.largestSyncRequestBytes + 1);
    // A body over every limit is not kept, so its signature cannot be checked: it is refused for its size alone,
    // before anything about the function is looked up.
    if (received.raw === undefined) return sendError(response, requestId, tooLarge(request.headers["x-amz-invocation-type"] === "Event", received.bytes));
    // The signature covers the bytes received (not a decoding of them).
    const verdict = await verifySignedHeaders(request, received.raw, { service: "lambda", credentials });
    if (!verdict.ok) return sendError(response, requestId, signatureError(verdict.failure));
    const body = { bytes: received.bytes, text: received.raw.toString("utf8") };
    const outcome = resolveRequest(match[1], url.searchParams.get("Qualifier"), request.headers["x-amz-invocation-type"], body, verdict.signer.accessKeyId);
    if ("error" in outcome) return sendError(response, requestId, outcome.error);
    const { target, invocation, invocationType, event } = outcome;

    if (invocationType === "DryRun") {
      response.writeHead(204, { "x-amzn-RequestId": requestId });
      return void response.end();
    }
    if (invocationType === "Event") {
      // Queued, and answered before the function runs: Lambda "adds events to a queue before sending them to your function".
      const delivery = invokeAsync(target.spec, target.invoke, event, options.async, invocation).catch((error: unknown) => options.async.log?.(`  ${target.name}: asynchronous invocation not delivered: ${(error as Error).message}`));
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
      response.writeHead(202, { "x-amzn-RequestId": requestId, "Content-Length": "0" });
      return void response.end();
    }
    let payload: string;
    let functionError = false;
    try {
      payload = JSON.stringify((await target.invoke(event, invocation)) ?? null);
    } catch (error) {
      if (error instanceof LambdaInvokeError && LAMBDA_REFUSAL_STATUS[error.errorType] !== undefined) {
        return sendError(response, requestId, { status: LAMBDA_REFUSAL_STATUS[error.errorType], type: error.errorType, message: errorMessageOf(error) });
      }
      functionError = true;
      payload = JSON.stringify(functionErrorDocument(error));
    }
    const headers: Record<string, string> = { "Content-Type": "application/json", "x-amzn-RequestId": requestId, "X-Amz-Executed-Version": invocation.version };
    // Node.js handlers' errors are reported as "Unhandled" (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html:
    // `aws lambda invoke` prints { "StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST" }).
    if (functionError) headers["X-Amz-Function-Error"] = "Unhandled";
    response.writeHead(200, headers);
    response.end(payload);
  }

  function resolveRequest(
    encodedName: string,
    qualifierParameter: string | null,
    invocationTypeHeader: string | string[] | undefined,
    body: { bytes: number; text?: string },
    caller: string | undefined,
  ): { error: ApiError } | { target: InvocableFunction; invocation: InvocationTarget & { version: string }; invocationType: (typeof INVOCATION_TYPES)[number]; event: unknown } {
    let functionName: string;
    try {
      functionName = decodeURIComponent(encodedName);
    } catch {
      return { error: { status: 400, type: "InvalidParameterValueException", message: `FunctionName "${encodedName}" is not a valid percent-encoding` } };
    }
    const parts = functionNameParts(functionName);
    if (!parts) {
      return { error: { status: 400, type: "ValidationException", message: `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN.source}` } };
    }
    const invocationType = (Array.isArray(invocationTypeHeader) ? invocationTypeHeader[0] : invocationTypeHeader) ?? "RequestResponse";
    if (!(INVOCATION_TYPES as readonly string[]).includes(invocationType)) {
      return { error: { status: 400, type: "ValidationException", message: `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(", ")}]` } };
    }
    const invalidQualifier = qualifierInvalid(qualifierParameter ?? undefined);
    if (invalidQualifier) return { error: { status: 400, type: "ValidationException", message: invalidQualifier } };
    const candidate = byName.get(parts.name);
    // The ARN the request names: its own partition, region and account, else the program's function's, else the defaults.
    const named = targetOfParts(parts, qualifierParameter ?? undefined, defaultsByName.get(parts.name) ?? fallback);
    const { qualifier } = named;
    if (named.conflict) {
      return { error: { status: 400, type: "InvalidParameterValueException", message: QUALIFIER_CONFLICT } };
    }
    // IAM first, on the ARN the request names (AWS refuses a caller without the permission before saying whether the
    // function exists).
    const refused = caller !== undefined ? options.authorise?.(caller, "lambda:InvokeFunction", named.arn) : undefined;
    if (refused) return { error: { status: 403, type: "AccessDeniedException", message: `User: ${refused.caller} is not authorized to perform: lambda:InvokeFunction on resource: ${named.arn} ${refused.reason}` } };
    const target = candidate && candidate.arn === named.unqualifiedArn ? candidate : undefined;
    const notFound = (): { error: ApiError } => {
      const known = options.functions.map((f) => `${f.functionName} (LambdaFunction "${f.name}")`).join(", ") || "none";
      // Lambda's own message is "Function not found: <arn>" (404, {"Message": …, "Type": "User"}); the list is local help.
      return { error: { status: 404, type: "ResourceNotFoundException", message: `${functionNotFound(named)}. Functions of this program, by name or ARN: ${known}` } };
    };
    const version = target && executedVersion(target, qualifier);
    if (!target || version === undefined) return notFound();

    const limit = invocationType === "Event" ? LAMBDA_INVOKE_LIMITS.largestEventRequestBytes : LAMBDA_INVOKE_LIMITS.largestSyncRequestBytes;
    if (body.bytes > limit) return { error: tooLarge(invocationType === "Event", body.bytes) };
    // No payload is the empty object, as `aws lambda invoke` without --payload gives a handler `{}`.
    let event: unknown = {};
    if (body.text !== undefined && body.text.trim() !== "") {
      try {
        event = JSON.parse(body.text);
      } catch (error) {
        return { error: { status: 400, type: "InvalidRequestContentException", message: `Could not parse request body into json: ${(error as Error).message}` } };
      }
    }
    return { target, invocation: { qualifier, version }, invocationType: invocationType as (typeof INVOCATION_TYPES)[number], event };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const drained = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  return {
    endpoint,
    drained,
    async stop() {
      await drained();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients in warm sandboxes keep connections alive; they would hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

/** The Node.js runtime's error document: { errorType, errorMessage, trace } (nodejs-exceptions.html, "Lambda catches the error and generates a JSON document with fields for the error message, the type, and the stack trace"). */
function functionErrorDocument(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof LambdaInvokeError) return { errorType: error.errorType, errorMessage: errorMessageOf(error), trace: error.errorStack?.split("\n") ?? [] };
  const failure = error as Error | undefined;
  return { errorType: failure?.name ?? "Error", errorMessage: failure?.message ?? String(error), trace: failure?.stack?.split("\n") ?? [] };
}

/** The handler's own message, without the "<function>: <type>: " prefix LambdaInvokeError adds for logs. */
function errorMessageOf(error: LambdaInvokeError): string {
  return error.message.replace(`${error.functionName}: ${error.errorType}: `, "");
}

/**
 * Lambda's error answer: the status, `x-amzn-ErrorType` naming the exception (what the SDK reads the error's name
 * from), and a body like the service's, e.g. 404 `{"Message":"Function not found: arn:aws:lambda:…","Type":"User"}`
 * (https://github.com/aarondfrancis/sidecar/issues/23). Both spellings of the message are sent: the model gives some
 * exceptions `Message` and others `message`.
 */
function sendError(response: ServerResponse, requestId: string, error: ApiError): void {
  const body = JSON.stringify({ Type: error.status >= 500 ? "Service" : "User", Message: error.message, message: error.message });
  response.writeHead(error.status, { "Content-Type": "application/json", "x-amzn-ErrorType": error.type, "x-amzn-RequestId": requestId, "Content-Length": String(Buffer.byteLength(body)) });
  response.end(body);
}

/** Lambda's refusal of a payload over the limit of its invocation type. */
function tooLarge(event: boolean, bytes: number): ApiError {
  const message = event
    ? `${bytes} byte payload is too large for the Event invocation type (limit ${LAMBDA_INVOKE_LIMITS.largestEventRequestBytes} bytes)`
    : `Request must be smaller than ${LAMBDA_INVOKE_LIMITS.largestSyncRequestBytes + 1} bytes for the InvokeFunction operation`;
  return { status: 413, type: "RequestEntityTooLargeException", message };
}

/** The body while it is at most `keepBytes` long (beyond that only counted, so an oversized one costs no memory), and its length. */
function readBody(request: IncomingMessage, keepBytes: number): Promise<{ bytes: number; raw?: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= keepBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on("end", () => resolve({ bytes, raw: bytes <= keepBytes ? Buffer.concat(chunks) : undefined }));
    request.on("error", reject);
  });
}
