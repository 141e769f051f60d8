/**
 * The local runtime is a list of services started in order (data, auth, API,
 * then the CloudFront-like front door). Each reads the specs its component kind
 * registered while `index.ts` ran under mocks, so the local app is the deployed
 * app: nothing here describes routes, tables or pools a second time.
 */
import type { LocalEventBridge } from "../eventbridge-server";
import type { LocalQueues } from "../queues";
import type { RequestListener } from "node:http";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import type { FunctionRoles } from "../function-roles";
import type { LocalLambda } from "../lambda-runtime";
import type { LocalSns } from "../sns-server";
import type { LocalSqs } from "../sqs-server";
import type { ObjectEvent } from "../s3-events";
import type { OfflineRun } from "../offline/program";

export interface LocalContext {
  stack: string;
  run: OfflineRun;
  /** Persistent, git-ignored state for this stack (`.local/<stack>/`); `--fresh` empties it first. */
  stateDir: string;
  /** Where bundles are written for the local Lambda runtime. */
  buildDir: string;
  /** Port of the front door; services that need their own ports take them from the OS (port 0). */
  port: number;
  /**
   * Variables every local Lambda gets, as AWS gives them region and endpoints.
   * Services add to it as they start (e.g. AWS_ENDPOINT_URL_DYNAMODB); functions read it at their first invocation.
   */
  environment: Record<string, string>;
  /**
   * Deployed addresses the program hands functions in their own variables, and the local address that stands for
   * each (e.g. a queue's recorded URL → its URL on the local SQS server): a function's variable whose value is a key
   * gets the value instead. Services add to it as they start; functions read it at their first invocation.
   */
  localAddresses: Map<string, string>;
  /** The program's functions' own credentials and roles (local/function-roles.ts): the local S3, SQS, SNS, Step Functions and DynamoDB services authorise by them. */
  functionRoles: FunctionRoles;
  /** The local sandbox of a LambdaFunction (one per function, created on first use). */
  lambda(spec: LambdaFunctionSpec): LocalLambda;
  /**
   * The local queues (failure queues, destinations' records) under `<stateDir>/queues`: one instance for every service,
   * so what one writes the others read (created on first use).
   */
  queues(): LocalQueues;
  /** Request handlers the front door routes behaviours to, keyed by origin id (e.g. the ServerlessApi's name). */
  origins: Map<string, RequestListener>;
  /**
   * The local URL of each StaticSite by name, set by the site service once it listens. Services started
   * before it read it when a request comes (the S3 server's CORS rules name the site's deployed URL).
   */
  siteUrls: Map<string, string>;
  /** Rebuild each StaticSite that has a `build` when its sources change (`npm start`). @default false */
  watch?: boolean;
  /** The waits before an asynchronous invocation's retries (StartOptions.asyncRetryDelaysMs). @default async-invoke.ts's */
  asyncRetryDelaysMs?: number[];
  /** The clock the local SQS queues run on (StartOptions.queueClock). @default Date.now */
  queueClock?: () => number;
  /** The timers local Step Functions waits on (StartOptions.stepFunctionsClock). @default Node's */
  stepFunctionsClock?: import("../sfn-server").TaskClock;
  /** The local SQS server's queues, set by the queues service once it listens (Topics deliver to them). */
  sqs?: LocalSqs;
  /** The local SNS topics, set by the topics service once it listens (EventBuses publish to them). */
  sns?: LocalSns;
  /** The local EventBridge, set by the event buses service once it listens: AWS services' events go to its default buses. */
  eventBridge?: LocalEventBridge;
  /** Where the local S3 server reports objects written and deleted (set by the events service: the program's bucket notifications). */
  onObjectEvent?: (event: ObjectEvent) => void;
  log(message: string): void;
}

export interface StartedService {
  name: string;
  /** Addresses worth printing, e.g. { site: "http://localhost:3000" }. */
  urls?: Record<string, string>;
  /**
   * Called once every service has started: for work that invokes functions on its own (e.g. a queue's event source),
   * whose first invocation must see every service's endpoint in the shared environment.
   */
  afterStart?(): void;
  stop(): Promise<void>;
}

export interface LocalService {
  name: string;
  /** Starts the emulator for the specs of its kind; returns undefined when the program has none. */
  start(context: LocalContext): Promise<StartedService | undefined>;
}
