/**
 * EdgeLogic's arguments, their validation against CloudFront's limits, and the
 * normalised spec the component (and the local edge runtime) works from.
 */
import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { checkSourceFile, type ArgFailure } from "../errors";
import { bundleEntry, planTimeOptions } from "../lambda/bundle";
import { LAMBDA_LIMITS } from "../lambda/function";
import {
  DEFAULT_BEHAVIOUR, EDGE_EVENT_TYPES, FUNCTION_EVENT_TYPES, associationSlot, type EdgeEventType, type FunctionEventType,
} from "./associations";
import { cloudFrontFunctionCode, codeBytes, codeProblem, readFunctionSource } from "./function-code";

/** CloudFront's published limits for code at the edge (DESIGN.md, seed 003). */
export const EDGE_LIMITS = {
  /** CloudFront Functions: maximum function size. */
  functionCodeBytes: 10 * 1024,
  /** CloudFront Functions: one KeyValueStore per function; values up to 1 KB, keys up to 512 bytes. */
  keyValueStore: { keyBytes: 512, valueBytes: 1024 },
  /** Lambda@Edge on viewer-request / viewer-response. */
  viewer: { memoryMb: 128, timeoutSeconds: 5, zippedBytes: 1024 * 1024 },
  /** Lambda@Edge on origin-request / origin-response. */
  origin: { memoryMb: 10240, timeoutSeconds: 30, zippedBytes: 50 * 1024 * 1024 },
} as const;

export interface EdgeFunctionArgs {
  /** Plain JavaScript (cloudfront-js-2.0) defining a top-level `function handler(event)`, relative to the working directory. */
  file: string;
  /** CloudFront Functions run on `viewer-request` or `viewer-response` only. */
  eventType: FunctionEventType;
  /**
   * Behaviours to attach to: `"default"` and/or path patterns such as `"/account/*"`.
   * @default ["default"]
   */
  pathPatterns?: string[];
  /**
   * Configuration the code reads as `CONFIG`, baked in as `var CONFIG = {...};` (counted in the 10 KB).
   * @default {}
   */
  config?: Record<string, unknown>;
  /**
   * Associate the component's KeyValueStore; the code reads it with `import cf from 'cloudfront'; cf.kvs()`.
   * @default false
   */
  keyValueStore?: boolean;
  /** @default "<component> <key>" */
  comment?: string;
}

export interface EdgeLambdaArgs {
  /** TypeScript entry file of the Lambda@Edge handler, relative to the working directory. */
  entry: string;
  /** @default "handler" */
  handler?: string;
  /** One of CloudFront's four trigger points. */
  eventType: EdgeEventType;
  /**
   * Behaviours to attach to: `"default"` and/or path patterns.
   * @default ["default"]
   */
  pathPatterns?: string[];
  /**
   * Memory in MB: at most 128 on viewer events, 10240 on origin events.
   * @default 128
   */
  memorySize?: number;
  /**
   * Timeout in seconds: at most 5 on viewer events, 30 on origin events.
   * @default 5
   */
  timeout?: number;
  /**
   * Build-time constants (esbuild `define`): Lambda@Edge has no environment variables,
   * so configuration is baked into the bundle, e.g. `{ __AUTH_CONFIG__: JSON.stringify({...}) }`.
   * Values may be Outputs (`pulumi.jsonStringify({ issuer: auth.issuerUrl })`): the code is then
   * built at deploy time, and the size limits are checked at construction with `null` in their place.
   * @default {}
   */
  define?: Record<string, pulumi.Input<string>>;
  /** Modules left out of the bundle. @default [] */
  external?: string[];
  /**
   * Request events only: give the function the request body.
   * @default false
   */
  includeBody?: boolean;
}

export interface EdgeLogicArgs {
  /** CloudFront Functions by key (the key names the resources: `${name}-${key}`). */
  functions?: Record<string, EdgeFunctionArgs>;
  /** Lambda@Edge functions by key. */
  lambdas?: Record<string, EdgeLambdaArgs>;
  /**
   * A CloudFront KeyValueStore for redirects or feature flags, owned by this component
   * (its keys are exactly `data`: keys set elsewhere are removed on update).
   * @default none
   */
  keyValueStore?: {
    /** Key → value (string; JSON-encode structured values). @default {} */
    data?: Record<string, string>;
    /** @default "<component> key value store" */
    comment?: string;
  };
}

export interface EdgeFunctionSpec {
  key: string;
  file: string;
  eventType: FunctionEventType;
  pathPatterns: string[];
  config: Record<string, unknown>;
  /** The exact code deployed (and run by the local sandbox). */
  code: string;
  codeBytes: number;
  keyValueStore: boolean;
  comment: string;
}

export interface EdgeLambdaSpec {
  key: string;
  entry: string;
  handler: string;
  eventType: EdgeEventType;
  pathPatterns: string[];
  memorySize: number;
  timeout: number;
  define: Record<string, pulumi.Input<string>>;
  external: string[];
  includeBody: boolean;
  /** Zipped size of the plan-time build (deploy-time constants as `null`). */
  zippedBytes: number;
}

export interface EdgeLogicSpec {
  name: string;
  functions: EdgeFunctionSpec[];
  lambdas: EdgeLambdaSpec[];
  keyValueStore?: { data: Record<string, string>; comment: string };
}

const KEY = /^[a-z0-9][a-z0-9-]{0,29}$/;

export function validateArgs(fail: ArgFailure, name: string, args: EdgeLogicArgs): void {
  const functions = Object.entries(args.functions ?? {});
  const lambdas = Object.entries(args.lambdas ?? {});
  if (functions.length === 0 && lambdas.length === 0) {
    fail("functions", "(none)", "and lambdas are both empty, so there is nothing to run at the edge", "Add a CloudFront Function under functions or a Lambda@Edge function under lambdas.");
  }
  for (const [key, fn] of functions) validateFunction(fail, key, fn, args);
  for (const [key, lambda] of lambdas) validateLambda(fail, name, key, lambda);
  validateSlots(fail, [
    ...functions.map(([key, fn]) => ({ where: `functions.${key}`, eventType: fn.eventType, pathPatterns: fn.pathPatterns })),
    ...lambdas.map(([key, lambda]) => ({ where: `lambdas.${key}`, eventType: lambda.eventType, pathPatterns: lambda.pathPatterns })),
  ]);
  if (args.keyValueStore) validateKeyValueStore(fail, args.keyValueStore.data ?? {});
}

function validateKey(fail: ArgFailure, argument: string, key: string): void {
  if (!KEY.test(key)) fail(argument, key, "is not a usable key (it names the function's resources)", 'Use 1–30 lowercase letters, digits and hyphens, e.g. "viewer-request".');
}

function validateFunction(fail: ArgFailure, key: string, fn: EdgeFunctionArgs, args: EdgeLogicArgs): void {
  const at = `functions.${key}`;
  validateKey(fail, "functions", key);
  if (!FUNCTION_EVENT_TYPES.includes(fn.eventType)) {
    fail(`${at}.eventType`, fn.eventType, "is not an event type CloudFront Functions support (viewer-request and viewer-response only)",
      EDGE_EVENT_TYPES.includes(fn.eventType) ? "Move the function to lambdas (Lambda@Edge runs on origin-request and origin-response)." : 'Use "viewer-request" or "viewer-response".');
  }
  checkSourceFile(fail, `${at}.file`, fn.file, 'Point file at the function\'s JavaScript (e.g. "handlers/edge/viewer-request.js")');
  if (fn.keyValueStore && !args.keyValueStore) {
    fail(`${at}.keyValueStore`, true, "is set but the component has no keyValueStore", "Add keyValueStore: { data: {...} } to the EdgeLogic args, or drop keyValueStore from the function.");
  }
  let code: string;
  try {
    code = cloudFrontFunctionCode(readFunctionSource(resolve(fn.file!)), fn.config ?? {});
  } catch (error) {
    return fail(`${at}.config`, fn.config, `is not JSON-serialisable: ${(error as Error).message}`, "Use plain strings, numbers, booleans, arrays and objects.");
  }
  const bytes = codeBytes(code);
  if (bytes > EDGE_LIMITS.functionCodeBytes) {
    fail(`${at}.file`, fn.file, `is ${bytes} bytes with its config, over CloudFront Functions' limit of ${EDGE_LIMITS.functionCodeBytes} bytes (10 KB)`,
      "Move data into the KeyValueStore, shorten the code, or use a Lambda@Edge function.");
  }
  const problem = codeProblem(code);
  if (problem) fail(`${at}.file`, fn.file, problem, "Fix the code: cloudfront-js-2.0 is a script whose only import is `import cf from 'cloudfront'`, with a top-level handler.");
}

function validateLambda(fail: ArgFailure, name: string, key: string, lambda: EdgeLambdaArgs): void {
  const at = `lambdas.${key}`;
  validateKey(fail, "lambdas", key);
  if (`${name}-${key}`.length > 47) fail("lambdas", key, `makes the function name "${name}-${key}" longer than LambdaFunction's 47 characters`, "Use a shorter key or component name.");
  if (!EDGE_EVENT_TYPES.includes(lambda.eventType)) {
    fail(`${at}.eventType`, lambda.eventType, "is not a CloudFront trigger point", `Use one of ${EDGE_EVENT_TYPES.join(", ")}.`);
  }
  const viewer = lambda.eventType.startsWith("viewer-");
  const limits = viewer ? EDGE_LIMITS.viewer : EDGE_LIMITS.origin;
  const side = viewer ? "viewer" : "origin";
  const memorySize = lambda.memorySize ?? 128;
  if (!Number.isInteger(memorySize) || memorySize < LAMBDA_LIMITS.memoryMb.min || memorySize > limits.memoryMb) {
    fail(`${at}.memorySize`, lambda.memorySize, `is outside Lambda@Edge's range for ${side} events (${LAMBDA_LIMITS.memoryMb.min}–${limits.memoryMb} MB)`,
      viewer ? "Use 128, or move the work to an origin-request/origin-response function." : `Use a whole number from 128 to ${limits.memoryMb}.`);
  }
  const timeout = lambda.timeout ?? 5;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > limits.timeoutSeconds) {
    fail(`${at}.timeout`, lambda.timeout, `is outside Lambda@Edge's range for ${side} events (1–${limits.timeoutSeconds} seconds)`,
      viewer ? "Use at most 5, or move the work to an origin event (up to 30 s)." : "Use at most 30 seconds.");
  }
  if (lambda.includeBody && !lambda.eventType?.endsWith("-request")) {
    fail(`${at}.includeBody`, true, `is set on a ${lambda.eventType} function; CloudFront only passes bodies to request events`, "Remove includeBody, or attach the function to viewer-request or origin-request.");
  }
  checkSourceFile(fail, `${at}.entry`, lambda.entry, "Point entry at the handler's source file");
  let zippedBytes = 0;
  try {
    zippedBytes = bundleEntry(resolve(lambda.entry!), planTimeOptions({ define: lambda.define ?? {}, external: lambda.external ?? [] })).zippedBytes;
  } catch (error) {
    fail(`${at}.entry`, lambda.entry, `does not bundle: ${(error as Error).message.split("\n")[0]}`, "Fix the handler source (npm run typecheck shows it too).");
  }
  if (zippedBytes > limits.zippedBytes) {
    fail(`${at}.entry`, lambda.entry, `bundles to ${zippedBytes} zipped bytes, over Lambda@Edge's ${viewer ? "1 MB" : "50 MB"} limit for ${side} events`,
      viewer ? "Trim dependencies, or move the work to an origin event (50 MB)." : "Trim dependencies.");
  }
}

/** CloudFront runs one function per event type per behaviour, whether a CloudFront Function or Lambda@Edge. */
function validateSlots(fail: ArgFailure, entries: Array<{ where: string; eventType: EdgeEventType; pathPatterns?: string[] }>): void {
  const taken = new Map<string, string>();
  for (const entry of entries) {
    const patterns = entry.pathPatterns ?? [DEFAULT_BEHAVIOUR];
    if (patterns.length === 0) fail(`${entry.where}.pathPatterns`, patterns, "is empty, so the function would never run", 'Use ["default"] or path patterns such as "/account/*".');
    for (const pattern of patterns) {
      if (typeof pattern !== "string" || pattern === "" || pattern === "*" || pattern === "/*") {
        fail(`${entry.where}.pathPatterns`, pattern, "is not a behaviour", 'Use "default" for the default behaviour, or a path pattern such as "/account/*".');
      }
      const slot = associationSlot({ pathPattern: pattern, eventType: entry.eventType });
      const other = taken.get(slot);
      if (other) {
        fail(`${entry.where}.pathPatterns`, pattern, `already runs ${other} on ${entry.eventType}; CloudFront allows one function (CloudFront Function or Lambda@Edge) per event type per behaviour`,
          "Merge the two functions into one, or attach one of them to another event type or path pattern.");
      }
      taken.set(slot, entry.where);
    }
  }
}

function validateKeyValueStore(fail: ArgFailure, data: Record<string, string>): void {
  for (const [key, value] of Object.entries(data)) {
    if (Buffer.byteLength(key) > EDGE_LIMITS.keyValueStore.keyBytes || key === "") {
      fail("keyValueStore.data", key, `is not a key CloudFront KeyValueStore accepts (1–${EDGE_LIMITS.keyValueStore.keyBytes} bytes)`, "Shorten the key.");
    }
    if (typeof value !== "string" || Buffer.byteLength(value) > EDGE_LIMITS.keyValueStore.valueBytes) {
      fail(`keyValueStore.data["${key}"]`, value, `is not a string of at most ${EDGE_LIMITS.keyValueStore.valueBytes} bytes`, "Store a short string (JSON-encode structured values).");
    }
  }
}

export function normalise(name: string, args: EdgeLogicArgs): EdgeLogicSpec {
  return {
    name,
    functions: Object.entries(args.functions ?? {}).map(([key, fn]) => {
      const file = resolve(fn.file);
      const config = fn.config ?? {};
      const code = cloudFrontFunctionCode(readFunctionSource(file), config);
      return {
        key,
        file,
        eventType: fn.eventType,
        pathPatterns: fn.pathPatterns ?? [DEFAULT_BEHAVIOUR],
        config,
        code,
        codeBytes: codeBytes(code),
        keyValueStore: fn.keyValueStore ?? false,
        comment: fn.comment ?? `${name} ${key}`,
      };
    }),
    lambdas: Object.entries(args.lambdas ?? {}).map(([key, lambda]) => {
      const entry = resolve(lambda.entry);
      const define = lambda.define ?? {};
      const external = lambda.external ?? [];
      return {
        key,
        entry,
        handler: lambda.handler ?? "handler",
        eventType: lambda.eventType,
        pathPatterns: lambda.pathPatterns ?? [DEFAULT_BEHAVIOUR],
        memorySize: lambda.memorySize ?? 128,
        timeout: lambda.timeout ?? 5,
        define,
        external,
        includeBody: lambda.includeBody ?? false,
        zippedBytes: bundleEntry(entry, planTimeOptions({ define, external })).zippedBytes,
      };
    }),
    keyValueStore: args.keyValueStore && {
      data: args.keyValueStore.data ?? {},
      comment: args.keyValueStore.comment ?? `${name} key value store`,
    },
  };
}
