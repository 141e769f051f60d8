/**
 * X-Ray subsegments for the handlers' AWS SDK calls, without the X-Ray SDK.
 *
 * The Powertools Tracer did this job through `aws-xray-sdk-core` (with `semver` and
 * `cls-hooked`: ≈110 KB of every API bundle and async hooks on every promise), and the
 * handlers used nothing else of it. Lambda's active tracing already records the function's
 * own segments (`AWS::Lambda` and `AWS::Lambda::Function`); what the SDK added, and what
 * this module keeps, is one subsegment per SDK call — the DynamoDB and S3 nodes of the
 * service map with operation, region, request id, table/bucket, status and fault flags —
 * and the `X-Amzn-Trace-Id` header that links the call to the trace.
 *
 * Lambda hands the function its trace header (`_X_AMZN_TRACE_ID`, or the runtime's invoke
 * store when one environment serves concurrent invocations), and the function's own segment
 * id is that header's `Parent`; subsegments are sent to the X-Ray daemon Lambda runs at
 * `AWS_XRAY_DAEMON_ADDRESS` as UDP datagrams: a JSON header line, then the subsegment
 * document with `type: "subsegment"`, `trace_id` and `parent_id`.
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html#api-segmentdocuments-subsegments
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 *
 * Nothing is sent unless Lambda sampled the request (`Sampled=1`) and the daemon address is
 * set, nor when `POWERTOOLS_TRACE_ENABLED` is `false` (the switch the Tracer honoured).
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import type { BuildHandlerArguments, BuildMiddleware, HandlerExecutionContext, MetadataBearer, MiddlewareStack } from "@smithy/types";

/** The trace header's fields (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader). */
export interface TraceHeader {
  root: string;
  parent?: string;
  sampled?: boolean;
  /** Other fields (e.g. Lineage), passed on as they came. */
  rest: string[];
}

export function parseTraceHeader(header: string | undefined): TraceHeader | undefined {
  if (!header) return undefined;
  const trace: TraceHeader = { root: "", rest: [] };
  for (const part of header.split(";")) {
    const [key, value = ""] = part.trim().split("=", 2);
    if (key === "Root") trace.root = value;
    else if (key === "Parent") trace.parent = value;
    else if (key === "Sampled") trace.sampled = value === "1";
    else if (key) trace.rest.push(part.trim());
  }
  return trace.root ? trace : undefined;
}

/** The current invocation's trace header: the runtime's invoke store first (concurrent invocations), then the environment. */
function currentTraceHeader(): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } }).awslambda?.InvokeStore;
  return store?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID;
}

/** `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or `tcp:host:port udp:host:port` (segments go over UDP). */
export function daemonAddress(value: string | undefined): { host: string; port: number } | undefined {
  if (!value) return undefined;
  const parts = value.trim().split(/\s+/);
  const udp = parts.find((p) => p.startsWith("udp:"))?.slice(4) ?? (parts.length === 1 ? parts[0] : undefined);
  const match = udp?.match(/^(.+):(\d+)$/);
  return match ? { host: match[1], port: Number(match[2]) } : undefined;
}

/** The `aws` attributes X-Ray shows for a call (the names the X-Ray SDK uses). */
function awsAttributes(operation: string, region: string | undefined, input: Record<string, unknown>, metadata: MetadataBearer["$metadata"] | undefined): Record<string, unknown> {
  return {
    operation,
    ...(region ? { region } : {}),
    ...(metadata?.requestId ? { request_id: metadata.requestId } : {}),
    ...(metadata?.extendedRequestId ? { id_2: metadata.extendedRequestId } : {}),
    retries: Math.max(0, (metadata?.attempts ?? 1) - 1),
    ...(typeof input.TableName === "string" ? { table_name: input.TableName } : {}),
    ...(typeof input.Bucket === "string" ? { bucket_name: input.Bucket } : {}),
    ...(typeof input.Key === "string" ? { key: input.Key } : {}),
    ...(typeof input.QueueUrl === "string" ? { queue_url: input.QueueUrl } : {}),
  };
}

let socket: Socket | undefined;

function send(document: Record<string, unknown>): void {
  const daemon = daemonAddress(process.env.AWS_XRAY_DAEMON_ADDRESS);
  if (!daemon) return;
  if (!socket) {
    socket = createSocket("udp4");
    // Never keep the process (or a Lambda invocation's event loop) alive for a trace.
    socket.unref();
    socket.on("error", () => undefined);
  }
  socket.send(`{"format":"json","version":1}\n${JSON.stringify(document)}`, daemon.port, daemon.host, () => undefined);
}

/** Either the client's region or the function's. */
async function regionOf(config: { region?: unknown }): Promise<string | undefined> {
  const region = config.region;
  if (typeof region === "function") return (await (region as () => Promise<string>)()) ?? undefined;
  return typeof region === "string" ? region : process.env.AWS_REGION;
}

/** What a traced call is: its service and operation as X-Ray names them, its input and region. */
export interface TracedCall {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  region: () => Promise<string | undefined>;
}

/**
 * Runs `run` as one subsegment of the current invocation's trace. `run` gets the trace
 * header to send with the request (undefined when there is no trace to link to).
 */
export async function traceCall<T>(call: TracedCall, run: (traceHeader: string | undefined) => Promise<T>, metadataOf: (result: T) => MetadataBearer["$metadata"] | undefined): Promise<T> {
  const trace = parseTraceHeader(currentTraceHeader());
  if (!trace || process.env.POWERTOOLS_TRACE_ENABLED === "false") return run(undefined);
  const id = randomBytes(8).toString("hex");
  const header = trace.parent !== undefined ? [`Root=${trace.root}`, `Parent=${id}`, `Sampled=${trace.sampled ? 1 : 0}`, ...trace.rest].join(";") : undefined;
  const recording = trace.sampled === true && trace.parent !== undefined;
  const start = Date.now() / 1000;
  const record = async (metadata: MetadataBearer["$metadata"] | undefined, error?: Error) => {
    if (!recording) return;
    const status = metadata?.httpStatusCode;
    send({
      type: "subsegment",
      id,
      trace_id: trace.root,
      parent_id: trace.parent,
      name: call.service,
      namespace: "aws",
      start_time: start,
      end_time: Date.now() / 1000,
      aws: awsAttributes(call.operation, await call.region().catch(() => undefined), call.input, metadata),
      ...(status ? { http: { response: { status } } } : {}),
      // As X-Ray classifies: 429 throttle, other 4xx error, 5xx (or no response) fault.
      ...(status === 429 ? { throttle: true, error: true } : status && status >= 500 ? { fault: true } : status && status >= 400 ? { error: true } : error ? { fault: true } : {}),
      ...(error ? { cause: { exceptions: [{ id: randomBytes(8).toString("hex"), message: error.message, type: error.name }] } } : {}),
    });
  };
  try {
    const result = await run(header);
    await record(metadataOf(result));
    return result;
  } catch (error) {
    await record((error as MetadataBearer).$metadata, error as Error);
    throw error;
  }
}

/** The SDK middleware: a subsegment per call, and the trace header on the request. */
function subsegmentMiddleware(config: { region?: unknown }): BuildMiddleware<object, MetadataBearer> {
  return (next, context: HandlerExecutionContext) => (args: BuildHandlerArguments<object>) =>
    traceCall(
      {
        service: (context.clientName ?? "AWS").replace(/Client$/, ""),
        operation: (context.commandName ?? "").replace(/Command$/, ""),
        input: args.input as Record<string, unknown>,
        region: () => regionOf(config),
      },
      (header) => {
        const request = args.request as { headers?: Record<string, string> } | undefined;
        if (header && request?.headers) request.headers["X-Amzn-Trace-Id"] = header;
        return next(args);
      },
      (result) => (result.output as MetadataBearer | undefined)?.$metadata,
    );
}

const MIDDLEWARE_NAME = "galleryXRaySubsegment";

/** Instruments an SDK v3 client (idempotent), as the Tracer's `captureAWSv3Client` did. */
export function traceClient<C extends { middlewareStack: MiddlewareStack<any, any>; config: { region?: unknown } }>(client: C): C {
  client.middlewareStack.remove(MIDDLEWARE_NAME);
  client.middlewareStack.add(subsegmentMiddleware(client.config), { step: "build", name: MIDDLEWARE_NAME });
  return client;
}
