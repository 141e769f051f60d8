/**
 * Pulumi mocks that record every registration the way the engine would see it:
 * type, name, inputs, parent, provider, protect, retainOnDelete, deletedWith, dependencies, ignoreChanges,
 * replaceOnChanges and deleteBeforeReplace.
 *
 * `pulumi.runtime.setMocks` only hands `newResource` the type, name and inputs, so
 * we also wrap the mock monitor's `registerResource` to read the rest off the
 * gRPC request. That, and the lean promise wrapper below, reach into `@pulumi/pulumi`
 * internals. This repository's tests run against the exact version in package.json's
 * devDependencies (3.248.0); a package consumer brings any version its peerDependencies
 * range allows (^3.247.0), so the wrapper checks the internals it relies on and otherwise
 * leaves Pulumi's own function in place.
 *
 * The mocks also refuse what the engine refuses before any provider is asked: a second resource with one URN.
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { customBusNameOf } from "../../components/arn";
import { API_GATEWAY_REGIONAL_ZONE_IDS, API_GATEWAY_REGIONAL_ZONE_IDS_UNCONFIRMED } from "../../components/dns-routing/api-gateway-zones";
import { urnName, urnType } from "./graph";

// `waitForRPCs` is marked @internal and stripped from the published typings.
const { getMonitor, waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor(): unknown;
  waitForRPCs(): Promise<void>;
};

/**
 * The AWS account every ARN the program resolves under mocks names, and so every local emulator's ARNs, URLs and
 * events (`npm start`): in AWS one account owns all of a stack's resources, so a handler comparing an event's ARN
 * (eventSourceARN, methodArn, requestContext.accountId) with one the program passed it sees the same account locally.
 */
export const MOCK_ACCOUNT_ID = "123456789012";

/**
 * A Lambda function's ARN, as every local place names it: the recorded function's `arn` (what `fn.arn` resolves to
 * under mocks), the sandbox's `context.invokedFunctionArn`, the local Invoke API's answers and the asynchronous
 * invocation records. In AWS a function has one ARN, `arn:aws:lambda:<region>:<account>:function:<name>`, and one
 * invoked by a version or alias is named with it as qualifier, `…:function:<name>:<qualifier>`
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html FunctionName; nodejs-prog-model-context.html:
 * invokedFunctionArn "Indicates if the invoker specified a version number or alias"). The account is the mocks' own
 * (MOCK_ACCOUNT_ID), the one the program's other ARNs (roles, queues, the policies granting `fn.arn`) resolve with.
 */
export function lambdaFunctionArn(region: string, functionName: string, qualifier?: string, account: string = MOCK_ACCOUNT_ID): string {
  return `arn:aws:lambda:${region}:${account}:function:${functionName}${qualifier ? `:${qualifier}` : ""}`;
}

/**
 * The stream ARN of a table under mocks, `<table ARN>/stream/<label>`, the label the time the stream was enabled
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html LatestStreamArn,
 * LatestStreamLabel): the recorded table's `streamArn`, and the one the local stream records name for a table outside a
 * program run (local/dynamodb/streams.ts).
 */
export function tableStreamArn(region: string, tableName: string, account: string = MOCK_ACCOUNT_ID): string {
  return `arn:aws:dynamodb:${region}:${account}:table/${tableName}/stream/${MOCK_STREAM_LABEL}`;
}

const MOCK_STREAM_LABEL = "2026-01-01T00:00:00.000";

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  /** True for custom (provider) resources, false for components. */
  custom: boolean;
  inputs: Record<string, any>;
  /** The state the mocks answered with: inputs plus synthesised attributes (arn, id, ...). */
  state: Record<string, any>;
  id?: string;
  parent?: string;
  provider?: string;
  protect: boolean;
  retainOnDelete: boolean;
  /** URN of the resource whose deletion takes this one with it (`deletedWith`): Pulumi then skips this one's delete. */
  deletedWith?: string;
  dependencies: string[];
  /**
   * For each input, the URNs its value came from (the registration's `propertyDependencies`; only inputs with some).
   * The engine decides by these whether replacing a resource it depends on replaces it too
   * (step_generator.go calculateDependentReplacements). Absent in a plan recorded before it was kept.
   */
  propertyDependencies?: Record<string, string[]>;
  /** Properties the engine leaves alone on update (`ignoreChanges`). */
  ignoreChanges?: string[];
  /** Properties whose change replaces the resource, beyond the provider's own (`replaceOnChanges`). */
  replaceOnChanges?: string[];
  /** A replacement deletes the old resource before it creates the new one (`deleteBeforeReplace`). */
  deleteBeforeReplace?: boolean;
  /**
   * True when the program gave `deleteBeforeReplace` itself, `false` included (the registration's
   * `deleteBeforeReplaceDefined`, which @pulumi/pulumi sets to `opts.deleteBeforeReplace !== undefined`): the engine then
   * takes the option's value over the provider's answer (pulumi pkg/resource/deploy/source_eval.go RegisterResource: `if
   * deleteBeforeReplaceValue || req.GetDeleteBeforeReplaceDefined()`; step_generator.go: `if goal.DeleteBeforeReplace !=
   * nil { deleteBeforeReplace = *goal.DeleteBeforeReplace }`). Absent when not given, and in a plan recorded or saved
   * before it was kept: read those as not given (graph.ts explicitDeleteBeforeReplace).
   */
  deleteBeforeReplaceDefined?: boolean;
  /** URNs of the resources whose replacement replaces this one too (`replaceWith`). */
  replaceWith?: string[];
  /** URNs the resource had before (`aliases`): a deployed resource of one of these URNs is this one, renamed, not replaced. */
  aliases?: string[];
}

export interface RecordingMocks {
  resources: RecordedResource[];
  /**
   * Waits until every registration issued so far (including ones made inside `apply`) is done; fails, naming the URN,
   * when one had a URN the program had already registered, as `pulumi preview` does (see `engineUrns`). Given `build`,
   * runs it first and waits for it as well: a failure in an `apply` while an asynchronous build still runs is then the
   * run's failure too, rather than an unhandled rejection that leaves the settling to succeed without the failed resource.
   */
  settle(build?: () => unknown): Promise<void>;
  /**
   * Starts a new program run for the duplicate-URN check, for a harness that records several programs with one set of
   * mocks (`record()`): waits for the registrations issued so far, as `settle` does, then forgets their URNs, duplicates
   * among them included (constructions outside a recording, such as refused ones in `expect(...).toThrow()`, are each
   * a program of their own).
   */
  startProgram(): Promise<void>;
  /** Whether these are still Pulumi's mocks: mocks installed since (another installRecordingMocks, a whole-program run) replaced them process-wide. */
  installed(): boolean;
}

interface RegistrationMeta {
  parent?: string;
  provider?: string;
  protect: boolean;
  retainOnDelete: boolean;
  deletedWith?: string;
  dependencies: string[];
  propertyDependencies?: Record<string, string[]>;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  deleteBeforeReplace?: boolean;
  deleteBeforeReplaceDefined?: boolean;
  replaceWith?: string[];
}

/**
 * The registration's property dependencies, by input, the inputs without any left out. Pulumi's Mocks interface gives
 * `newResource` only the inputs, not these, so they are read off the raw RegisterResourceRequest, as `dependencies` are.
 */
function propertyDependenciesOf(req: any): Record<string, string[]> {
  const recorded: Record<string, string[]> = {};
  req.getPropertydependenciesMap?.()?.forEach((entry: any, key: string) => {
    const urns: string[] = entry.getUrnsList();
    if (urns.length > 0) recorded[key] = urns;
  });
  return recorded;
}

export interface MockOptions {
  project?: string;
  stack?: string;
  preview?: boolean;
  /** Region the mocked provider reports (`aws:region` config in a stack file). */
  region?: string;
  /**
   * Answers to invokes (data sources) by token, asked before the built-in ones: what the account holds that a
   * recording cannot know, e.g. `{ "aws:ec2/getSubnet:getSubnet": ({ id }) => ({ id, availabilityZone: "us-east-1a" }) }`
   * for subnets that share a zone. An answer of undefined falls back to the built-in one.
   */
  invokes?: Record<string, (inputs: Record<string, any>, region: string) => Record<string, any> | undefined>;
}

export async function installRecordingMocks(options: MockOptions = {}): Promise<RecordingMocks> {
  skipPromiseCreationStacks();
  skipConstructionSiteStacks();
  const region = options.region ?? "us-east-1";
  const resources: RecordedResource[] = [];
  const pendingMeta = new Map<string, RegistrationMeta[]>();
  // Explicit providers' regions by provider id: a resource or invoke under one is in that region, as on AWS.
  const providerRegions = new Map<string, string>();
  // The account's Availability Zones by region: the lettered ones (a–f) and every zone a getSubnet answer has named.
  const zonesByRegion = new Map<string, Set<string>>();
  const accountZones = (zoneRegion: string): Set<string> => {
    let zones = zonesByRegion.get(zoneRegion);
    if (!zones) zonesByRegion.set(zoneRegion, (zones = new Set("abcdef".split("").map((letter) => `${zoneRegion}${letter}`))));
    return zones;
  };
  // A resource's own region, else its explicit provider's, else the stack's. Under an explicit provider that sets no
  // region the stack's is a guess (AWS_REGION / AWS_DEFAULT_REGION, which @pulumi/aws's Provider reads into its
  // `region` input when the program runs, are unset; the profile's region is not known here): ARNs drawn there need
  // some region, and graph.ts resourceRegion makes the same guess. The transition checks do not take it for a region
  // (testing/deploy-rules/transition.ts where: unknown), as such ARNs follow the stack's region while AWS's do not.
  const regionFor = (inputs: Record<string, any>, providerReference: string | undefined): string => {
    if (typeof inputs.region === "string" && inputs.region) return inputs.region;
    const providerId = providerReference?.slice(providerReference.lastIndexOf("::") + 2);
    return (providerId && providerRegions.get(providerId)) || region;
  };

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const key = `${args.type}::${args.name}`;
      const meta = pendingMeta.get(key)?.shift() ?? { protect: false, retainOnDelete: false, dependencies: [] };
      const synthesised = args.custom ? synthesiseState(args.type, args.name, args.inputs, regionFor(args.inputs, args.provider), options.preview ?? false) : remoteComponentOutputs(args.type, args.name, args.inputs);
      const id = args.custom ? String(synthesised.id ?? fakeId(args.name)) : undefined;
      if (id !== undefined && args.type.startsWith("pulumi:providers:") && typeof args.inputs.region === "string" && args.inputs.region) providerRegions.set(id, args.inputs.region);
      const state = { ...args.inputs, ...synthesised };
      delete state.id;
      resources.push({
        type: args.type,
        name: args.name,
        urn: "",
        custom: args.custom ?? true,
        inputs: args.inputs,
        state,
        id,
        ...meta,
      });
      return { id, state };
    },
    call(args) {
      const invokeRegion = regionFor(args.inputs, args.provider);
      const answer = options.invokes?.[args.token]?.(args.inputs, invokeRegion) ?? answerInvoke(args.token, args.inputs, invokeRegion, accountZones(invokeRegion));
      // A subnet's zone is one of the account's zones from then on: what getVpcEndpointService lists for a service.
      if (args.token === "aws:ec2/getSubnet:getSubnet" && typeof answer.availabilityZone === "string") accountZones(invokeRegion).add(answer.availabilityZone);
      return answer;
    },
  };

  await pulumi.runtime.setMocks(mocks, options.project ?? "serverless-fullstack", options.stack ?? "test", options.preview ?? false);

  const urns = engineUrns(options.project ?? "serverless-fullstack", options.stack ?? "test");
  const monitor = getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req: any, callback: (err: any, res: any) => void) => {
    urns.claim(req);
    return readResource(req, (err: any, res: any) => {
      if (!err && res) urns.answered(req, res.getUrn());
      callback(err, res);
    });
  };
  monitor.registerResource = (req: any, callback: (err: any, res: any) => void) => {
    urns.claim(req);
    const key = `${req.getType()}::${req.getName()}`;
    const list = pendingMeta.get(key) ?? [];
    list.push({
      parent: req.getParent() || undefined,
      provider: req.getProvider() || undefined,
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      deletedWith: req.getDeletedwith?.() || undefined,
      dependencies: req.getDependenciesList(),
      propertyDependencies: propertyDependenciesOf(req),
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
      replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
      deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false,
      // Kept only when given, so that recordings without it stay as they were.
      ...(req.getDeletebeforereplacedefined?.() ? { deleteBeforeReplaceDefined: true } : {}),
      ...(req.getReplaceWithList?.()?.length ? { replaceWith: req.getReplaceWithList() } : {}),
    });
    pendingMeta.set(key, list);
    return registerResource(req, (err: any, res: any) => {
      if (!err && res) {
        urns.answered(req, res.getUrn());
        // The latest matching record without a URN, found from the end without copying the list (a copy per response is quadratic).
        const type = req.getType();
        const name = req.getName();
        for (let i = resources.length - 1; i >= 0; i--) {
          const r = resources[i];
          if (r.type === type && r.name === name && !r.urn) {
            r.urn = res.getUrn();
            const aliases = (req.getAliasesList?.() ?? []).map((alias: any) => aliasUrn(r.urn, alias)).filter((urn: string) => urn !== r.urn);
            if (aliases.length > 0) r.aliases = aliases;
            break;
          }
        }
        // Pulumi interpolates the whole response into a debug message (`resp: ${innerResponse}`)
        // even when debug logging is off: with a Lambda's code in the state, megabytes per resource.
        res.toString = () => `RegisterResourceResponse(${res.getUrn()})`;
      }
      callback(err, res);
    });
  };

  // A duplicate is reported when the program settles rather than by failing its registration: a failed registration
  // rejects every Output that depends on it, each an unhandled rejection, and those arrive after the RPCs are done.
  const settleProgram = async (build?: () => unknown) => {
    await settle(build);
    const duplicates = urns.takeDuplicates();
    if (duplicates.length > 0) throw new Error(duplicates.map((urn) => `Duplicate resource URN '${urn}'; try giving it a unique name`).join("\n"));
  };
  const startProgram = async () => {
    await settle();
    urns.reset();
  };
  return { resources, settle: settleProgram, startProgram, installed: () => getMonitor() === monitor };
}

/**
 * The engine's duplicate-URN check, which the mock monitor lacks. The engine gives each registration (and each read) the
 * URN `urn:pulumi:<stack>::<project>::<parent's qualified type>$<type>::<name>`, the parent's qualified type being the
 * whole chain of its ancestors' types without the root stack's, and refuses one it has already given in this deployment:
 * pulumi/pulumi pkg/resource/deploy/step_generator.go `generateURN`: `if sg.urns[urn] { return "", sg.bailDiag(diag.
 * GetDuplicateResourceURNError(urn), urn) }`, with sdk/go/common/resource/urn.go `NewURN`: `if parentType != "" &&
 * parentType != RootStackType { typ = string(parentType) + URNTypeDelimiter + typ }`, and pkg/diag/errors.go: "Duplicate
 * resource URN '%v'; try giving it a unique name". The parent's name is not in the URN, so two children of one type and
 * name under two parents of one type collide.
 *
 * The mock monitor's URNs (`MockMonitor.newUrn`) carry the parent's own type only, and recordings keep them (aliases and
 * tests compare with them), so the engine's URN is kept here beside each: the mock URN a request names as its parent
 * leads to the parent's engine URN. Two resources whose mock URNs agree but whose engine URNs differ (one type and name,
 * parents of one type, grandparents of different types) leave their children's engine URNs unknown; those children are
 * not checked rather than refused wrongly.
 */
function engineUrns(project: string, stack: string) {
  const rootStackType = "pulumi:pulumi:Stack";
  /** Qualified type (the whole chain) by mock URN; null where two resources with different chains share the mock URN. */
  const qualifiedTypes = new Map<string, string | null>();
  const claimed = new Set<string>();
  let duplicates: string[] = [];
  const qualifiedTypeOf = (req: any): string | null => {
    const type: string = req.getType();
    const parent: string = req.getParent();
    if (!parent) return type;
    const parentType = qualifiedTypes.get(parent);
    // A parent registered before this program run started (`startProgram`) is taken by its mock URN's type, which is its
    // whole chain when it is top level or a child of a top-level resource.
    const parentChain = parentType === undefined ? urnType(parent, { qualified: true }) : parentType;
    if (parentChain === null) return null;
    return parentChain === rootStackType ? type : `${parentChain}$${type}`;
  };
  return {
    /** Notes the engine URN of the registration `req` as taken, or as a duplicate when it already was. */
    claim(req: any): void {
      const qualifiedType = qualifiedTypeOf(req);
      if (qualifiedType === null) return;
      const urn = `urn:pulumi:${stack}::${project}::${qualifiedType}::${req.getName()}`;
      if (claimed.has(urn)) duplicates.push(urn);
      claimed.add(urn);
    },
    /** The duplicates noted since the last call. */
    takeDuplicates(): string[] {
      const taken = duplicates;
      duplicates = [];
      return taken;
    },
    /** Notes the mock URN the monitor gave `req`, so its children find its qualified type. */
    answered(req: any, mockUrn: string): void {
      const qualifiedType = qualifiedTypeOf(req);
      const known = qualifiedTypes.get(mockUrn);
      qualifiedTypes.set(mockUrn, known === undefined || known === qualifiedType ? qualifiedType : null);
    },
    reset(): void {
      qualifiedTypes.clear();
      claimed.clear();
      duplicates = [];
    },
  };
}

/**
 * The URN an alias of the resource at `urn` names: a whole URN as given; a spec's name, type, stack, project and parent
 * (noParent, or the parent's URN) in place of the resource's own, the rest kept. Made as the mock monitor makes URNs,
 * so it matches a recorded resource's: `urn:pulumi:<stack>::<project>::<parent's type>$<type>::<name>`, the parent's own
 * type only (the engine writes the whole chain of parent types; recordings compare with recordings).
 */
export function aliasUrn(urn: string, alias: { getUrn(): string; getSpec(): any }): string {
  if (alias.getUrn()) return alias.getUrn();
  const spec = alias.getSpec();
  const [stackPart, project] = urn.split("::");
  const stack = stackPart.slice("urn:pulumi:".length);
  const types = urnType(urn, { qualified: true }).split("$");
  const type = spec?.getType() || types[types.length - 1];
  // "Had no parent" (`parent: pulumi.rootStackResource`, which is undefined: noParent) is, to the engine, a URN without
  // parent types; the mock monitor writes the stack resource's type into top-level URNs when the program runs in one.
  const topLevel = pulumi.runtime.getStackResource() ? ["pulumi:pulumi:Stack"] : [];
  const parentTypes = spec?.getNoparent() ? topLevel : spec?.getParenturn() ? [urnType(spec.getParenturn())] : types.slice(0, -1);
  return `urn:pulumi:${spec?.getStack() || stack}::${spec?.getProject() || project}::${[...parentTypes, type].join("$")}::${spec?.getName() || urnName(urn)}`;
}

/**
 * Waits for the program's registrations. One whose inputs failed (a component's check of a value known only at deploy
 * time throws in an `apply`, which `pulumi up` reports as the error; a StaticSite's build that failed in the
 * background) never finishes its RPC, so waiting for RPCs alone would never end where unhandled rejections do not end
 * the process (a test runner keeps it alive to report them): settling stops at the first such rejection and rejects
 * with it. Node reports a turn's unhandled rejections once the turn's promise callbacks have run, so after the RPCs
 * are done (the failed registration counts as done) and after the first rejection, the listener stays until the next
 * turn: a failure in the turn that finished the RPCs is still the run's, and the rejections the same failure makes
 * through other awaiters in that turn are taken with it (as Pulumi's own uncaught handler takes them, deduplicated by
 * identity), not left to end the process as unhandled. A rejection of another reason in that turn is not the run's
 * failure: it is raised again, unhandled, once the listener is gone, as it would have been without it. The listener is
 * there only while building (given `build`) and settling. A run that failed leaves no registration for the next one to
 * wait on (abandonPendingRPCs).
 */
function settle(build?: () => unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: { reason: unknown } | undefined;
    const others: unknown[] = [];
    let ending = false;
    const onRejection = (reason: unknown) => {
      if (!failure) failure = { reason };
      else if (reason !== failure.reason && !others.includes(reason)) others.push(reason);
      end();
    };
    const end = () => {
      if (ending) return;
      ending = true;
      setImmediate(() => {
        process.off("unhandledRejection", onRejection);
        for (const reason of others) void Promise.reject(reason);
        if (failure) {
          abandonPendingRPCs();
          reject(failure.reason);
        } else resolve();
      });
    };
    process.on("unhandledRejection", onRejection);
    // A build that throws is the run's failure too, after the rejections its registrations made before it threw.
    (build ? Promise.resolve().then(build) : Promise.resolve()).then(() => waitForRPCs()).then(end, (error: unknown) => {
      failure ??= { reason: error };
      end();
    });
  });
}

/**
 * Forgets the registrations still pending when a program run failed, as `pulumi up` does by ending the process. Pulumi
 * resolves no output of a resource whose registration failed (runtime/resource.js registerResource's `catch` only
 * ends that RPC), so every registration waiting on one (its children, a resource taking its `arn`) never ends, and
 * `waitForRPCs` waits on them in every later settle: the next `record()` in the file, or the file's `afterAll`, would
 * hang until the test's timeout. Pulumi's own reset of its options (settings.js resetOptions, which setMocks calls)
 * starts the queue afresh the same way. Those stranded registrations are never recorded; Pulumi's exit check may count
 * their promises as still active.
 */
function abandonPendingRPCs(): void {
  const settings = (require("@pulumi/pulumi/runtime/state") as { getStore?: () => { settings?: { rpcDone?: Promise<void> } } | undefined }).getStore?.()?.settings;
  if (settings && settings.rpcDone instanceof Promise) settings.rpcDone = Promise.resolve();
  // A Pulumi whose internals moved (checked against 3.248.0): say so rather than let the next settle hang unexplained.
  else console.warn("serverless-fullstack/testing: could not drop the registrations a failed run left pending (@pulumi/pulumi's runtime/state has no settings.rpcDone): a later record() in this file may wait until the test's timeout.");
}

/** The parts of @pulumi/pulumi's runtime/debuggable and runtime/state that the lean wrapper uses (internal, not typed). */
interface DebuggableModule {
  debugPromiseLeaks: boolean;
  debuggablePromise: ((p: Promise<unknown>, ctx: unknown) => Promise<unknown>) & { lean?: true };
}
interface StateModule {
  getStore?: () => { leakCandidates?: unknown } | undefined;
}

/**
 * Pulumi wraps every promise it makes (`debuggablePromise`, about 15,000 in the prod program) with a captured creation
 * stack and three non-enumerable debug properties, read only to print leaks when PULUMI_DEBUG_PROMISE_LEAKS is set,
 * and with two chained promises that drop it from the leak candidates when it settles. Under the mocks, unless that
 * variable asks for the details, keep the leak tracking (Pulumi's exit check still counts and reports promises that
 * never settled) and skip the rest. The first call goes through Pulumi's own function, which installs its exit check.
 * Measured on the warm prod plan (`scripts/plan.ts --stack prod`, CPU of the process, mean of 10 alternating runs, 2
 * cores, 2026-12-03; issue 15): 3.70 s with Pulumi's function, 2.09 s skipping only the creation stacks (this file's
 * earlier wrapper), 1.99 s with this one: ≈5 % of the plan beyond the stacks.
 *
 * Only where the internals are as in 3.248, which this mirrors (runtime/debuggable.js): `state.getStore()` whose store
 * holds the `leakCandidates` Set the exit check reads, and `debuggablePromise(p, ctx)`. Another 3.x may rename or
 * reshape them; then Pulumi's own function stays (slower, never wrong), and a call that finds the store changed goes to
 * it too. One difference remains: `p.then(onValue, onError)` settles one microtask before Pulumi's
 * `p.then(onValue).catch(onError)`, so callbacks waiting on these promises may run in another order than under
 * `pulumi up`; nothing in a recording depends on that order.
 *
 * @returns whether this call installed the lean wrapper
 */
export function installLeanDebuggablePromise(debuggable: DebuggableModule, state: StateModule): boolean {
  if (debuggable.debugPromiseLeaks || debuggable.debuggablePromise.lean) return false;
  const storeOf = () => (typeof state.getStore === "function" ? state.getStore() : undefined);
  const candidates = (): Set<Promise<unknown>> | undefined => {
    const set = storeOf()?.leakCandidates;
    return set instanceof Set ? (set as Set<Promise<unknown>>) : undefined;
  };
  if (debuggable.debuggablePromise.length !== 2 || !candidates()) return false;
  const pulumiOwn = debuggable.debuggablePromise;
  let exitCheckInstalled = false;
  const lean = (p: Promise<unknown>, ctx: unknown): Promise<unknown> => {
    // The set is looked up per call, as Pulumi does: the exit check replaces it, and the store may be a local one.
    const leakCandidates = exitCheckInstalled ? candidates() : undefined;
    if (!leakCandidates) {
      exitCheckInstalled = true;
      // Pulumi's own first call installs its exit check. The trace it takes is printed only under
      // PULUMI_DEBUG_PROMISE_LEAKS (never lean), and formatting it maps frames through source maps (≈5 ms of a plan).
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        return pulumiOwn(p, ctx);
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
    }
    leakCandidates.add(p);
    return p.then(
      (value) => {
        leakCandidates.delete(p);
        return value;
      },
      (error) => {
        leakCandidates.delete(p);
        error.promise = p;
        throw error;
      },
    );
  };
  debuggable.debuggablePromise = Object.assign(lean, { lean: true as const });
  return true;
}

function skipPromiseCreationStacks(): void {
  installLeanDebuggablePromise(require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule, require("@pulumi/pulumi/runtime/state") as StateModule);
}

/**
 * Each resource's constructor takes a full stack trace (`Resource.stackTrace`: `Error.stackTraceLimit` lifted to
 * Infinity, every frame formatted and parsed) for the engine's source positions; the mock monitor drops them.
 * Under the mocks, take none: ≈5 % of an offline run of the prod program. A real engine never runs with these mocks.
 */
function skipConstructionSiteStacks(): void {
  (pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] }).stackTrace = () => [];
}

/**
 * Names in an order of their own, as the provider lists a set keyed by name (ACM's `domainValidationOptions`): here the
 * terraform-plugin-sdk's, each name's hash code (`create.StringHashcode`, its CRC-32) compared as text (helper/schema/set.go
 * `listCode`). Pulumi's bridge may order a set otherwise; any order other than the request's catches a program that
 * takes the options by position instead of by name.
 */
export function providerSetOrder(names: string[]): string[] {
  return names.map((name) => ({ name, code: String(crc32(name)) })).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)).map(({ name }) => name);
}

const fakeIds = new Map<string, string>();

/** Deterministic fake physical id, so repeated runs print the same plan (memoised: asked for several times per resource). */
export function fakeId(name: string): string {
  let id = fakeIds.get(name);
  if (id === undefined) {
    id = `${name}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
    fakeIds.set(name, id);
  }
  return id;
}

/**
 * A RandomString's (or RandomPassword's) result, the same for a name in every run, of its `length` (16 by default)
 * and drawn only from the character classes it allows, as the random provider draws it (lower, upper, numeric and
 * special on by default; `overrideSpecial` the special characters), so a name made of it passes the same checks it
 * would in AWS (e.g. `upper: false` for a lowercase name). Every input of the random provider's resources replaces them
 * (RequiresReplace), so a change of `keepers` draws a new value: the result depends on the keepers when they are set
 * (as canonical JSON, key order aside), and is unchanged for a resource without keepers.
 */
function randomResult(name: string, inputs: Record<string, any>): string {
  const alphabet = [
    inputs.lower === false ? "" : "abcdefghijklmnopqrstuvwxyz",
    inputs.upper === false ? "" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    inputs.numeric === false || inputs.number === false ? "" : "0123456789",
    inputs.special === false ? "" : typeof inputs.overrideSpecial === "string" ? inputs.overrideSpecial : "!@#$%&*()-_=+[]{}<>:?",
  ].join("") || "abcdefghijklmnopqrstuvwxyz";
  const length = typeof inputs.length === "number" ? inputs.length : 16;
  const keepers = inputs.keepers !== undefined && inputs.keepers !== null ? `${sortedJson(inputs.keepers)}:` : "";
  let result = "";
  for (let block = 0; result.length < length; block++) {
    for (const byte of createHash("sha256").update(`secret:${name}:${keepers}${block}`).digest()) {
      if (result.length === length) break;
      result += alphabet[byte % alphabet.length];
    }
  }
  return result;
}

/** JSON with every object's keys in one order, so equal values give equal text. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

function service(type: string): string {
  return type.split(":")[1]?.split("/")[0] ?? "unknown";
}

/**
 * API Gateway's hosted zone of a region, as a regional custom domain's `regionalZoneId` (v2:
 * `domainNameConfiguration.hostedZoneId`) answers it: each region's own (AWS General Reference, Amazon API Gateway
 * endpoints and quotas, components/dns-routing/api-gateway-zones.ts), so an alias copied from a sibling region's domain
 * differs in the plan as it does in AWS. A region in neither table gets a made-up zone of its own,
 * `ZUNLISTEDAPIGW<hash of the region>`: not a real id, but distinct per region.
 */
export function apiGatewayRegionalZoneId(region: string): string {
  return API_GATEWAY_REGIONAL_ZONE_IDS[region] ?? API_GATEWAY_REGIONAL_ZONE_IDS_UNCONFIRMED[region] ?? `ZUNLISTEDAPIGW${createHash("sha256").update(region).digest("hex").slice(0, 8).toUpperCase()}`;
}

function synthesiseState(type: string, name: string, inputs: Record<string, any>, region: string, preview: boolean): Record<string, any> {
  const physicalName = inputs.name ?? fakeId(name);
  const arnBase = `arn:aws:${service(type)}:${region}:${MOCK_ACCOUNT_ID}`;
  switch (type) {
    // BucketV2 (deprecated in pulumi-aws 7, still accepted) has Bucket's outputs: its ARN names no region or account.
    case "aws:s3/bucketV2:BucketV2":
    case "aws:s3/bucket:Bucket": {
      const bucket = inputs.bucket ?? fakeId(name);
      return {
        id: bucket,
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        region,
      };
    }
    case "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration":
      return { websiteEndpoint: `${inputs.bucket}.s3-website-${region}.amazonaws.com`, websiteDomain: `s3-website-${region}.amazonaws.com` };
    case "aws:cloudfront/distribution:Distribution": {
      const id = `E${createHash("sha256").update(name).digest("hex").slice(0, 13).toUpperCase()}`;
      return {
        id,
        arn: `arn:aws:cloudfront::${MOCK_ACCOUNT_ID}:distribution/${id}`,
        domainName: `d${id.slice(1, 13).toLowerCase()}.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
        status: "Deployed",
      };
    }
    case "aws:cloudfront/keyValueStore:KeyValueStore": {
      const id = fakeId(name);
      return { id, arn: `arn:aws:cloudfront::${MOCK_ACCOUNT_ID}:key-value-store/${id}`, etag: "ETAG" };
    }
    case "aws:cloudfront/function:Function":
      return { arn: `arn:aws:cloudfront::${MOCK_ACCOUNT_ID}:function/${physicalName}`, etag: "ETAG", liveStageEtag: "ETAG" };
    case "aws:lambda/function:Function": {
      const arn = lambdaFunctionArn(region, physicalName);
      const version = inputs.publish ? "1" : "$LATEST";
      const qualifiedArn = lambdaFunctionArn(region, physicalName, version);
      return {
        name: physicalName,
        arn,
        version,
        qualifiedArn,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        qualifiedInvokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${qualifiedArn}/invocations`,
      };
    }
    case "aws:dynamodb/table:Table": {
      const arn = `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT_ID}:table/${physicalName}`;
      return { name: physicalName, arn, streamArn: inputs.streamEnabled ? tableStreamArn(region, physicalName) : "", streamLabel: inputs.streamEnabled ? MOCK_STREAM_LABEL : "" };
    }
    case "aws:sqs/queue:Queue": {
      // pulumi-aws appends `.fifo` to a FIFO queue's autoname (provider/resource_overrides.go, "aws_sqs_queue":
      // PostTransform on fifoQueue; components/autoname.ts "sqs-fifo-queue"), as SQS requires of a FIFO queue's name
      // (CreateQueue QueueName: "A FIFO queue name must end with the .fifo suffix"); an explicit name is taken as given.
      const queueName = inputs.name ?? (inputs.fifoQueue === true ? `${fakeId(name)}.fifo` : fakeId(name));
      // A new queue's URL is unknown until it exists: a preview leaves it unknown, as `pulumi preview` does.
      if (preview) return { name: queueName, arn: `${arnBase}:${queueName}` };
      // A queue's provider id is its URL (`pulumi import` takes the URL), https://sqs.<region>.amazonaws.com/<account>/<name>.
      const url = `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${queueName}`;
      return { id: url, name: queueName, arn: `${arnBase}:${queueName}`, url };
    }
    case "aws:sns/topic:Topic": {
      // pulumi-aws appends `.fifo` to a FIFO topic's autoname (provider/resource_overrides.go, "aws_sns_topic":
      // PostTransform on fifoTopic), as CreateTopic requires of a FIFO topic's name; an explicit name is taken as given.
      const topicName = inputs.name ?? (inputs.fifoTopic === true ? `${fakeId(name)}.fifo` : fakeId(name));
      return { name: topicName, arn: `${arnBase}:${topicName}` };
    }
    // EventBridge: a bus's ARN is arn:aws:events:<region>:<account>:event-bus/<name>; a rule on a custom bus is
    // rule/<bus>/<name>, its provider id "<bus>/<name>" (terraform-provider-aws events/id.go); an archive's archive/<name>.
    case "aws:cloudwatch/eventBus:EventBus":
      return { id: physicalName, name: physicalName, arn: `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:event-bus/${physicalName}` };
    case "aws:cloudwatch/eventRule:EventRule": {
      const bus = customBusNameOf(inputs.eventBusName);
      return { id: bus ? `${bus}/${physicalName}` : physicalName, name: physicalName, arn: `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:rule/${bus ? `${bus}/` : ""}${physicalName}` };
    }
    case "aws:cloudwatch/eventArchive:EventArchive":
      return { id: physicalName, name: physicalName, arn: `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:archive/${physicalName}` };
    // Step Functions: arn:aws:states:<region>:<account>:stateMachine:<name> (the service's ARN prefix is "states", not
    // the provider module's "sfn"); the provider's id is the ARN (terraform-provider-aws sfn/state_machine.go).
    case "aws:sfn/stateMachine:StateMachine": {
      const arn = `arn:aws:states:${region}:${MOCK_ACCOUNT_ID}:stateMachine:${physicalName}`;
      return { id: arn, name: physicalName, arn, stateMachineVersionArn: "" };
    }
    case "aws:scheduler/schedule:Schedule": {
      // A schedule is named in its group ("default" when none is given): arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>
      // (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_ScheduleSummary.html, Arn pattern).
      const groupName = inputs.groupName ?? "default";
      return { name: physicalName, groupName, arn: `arn:aws:scheduler:${region}:${MOCK_ACCOUNT_ID}:schedule/${groupName}/${physicalName}` };
    }
    // Kinesis: a stream's ARN is arn:aws:kinesis:<region>:<account>:stream/<name> (its id too); a consumer's is the
    // stream's, /consumer/<name>:<creation epoch seconds> (API_RegisterStreamConsumer, ConsumerARN).
    case "aws:kinesis/stream:Stream": {
      const arn = `arn:aws:kinesis:${region}:${MOCK_ACCOUNT_ID}:stream/${physicalName}`;
      return { id: arn, name: physicalName, arn };
    }
    case "aws:kinesis/streamConsumer:StreamConsumer": {
      const arn = `${String(inputs.streamArn)}/consumer/${physicalName}:1700000000`;
      return { id: arn, name: physicalName, arn };
    }
    // RDS: a cluster's ARN is arn:aws:rds:<region>:<account>:cluster:<identifier> (its id the identifier), an
    // instance's …:db:<identifier>, a subnet group's …:subgrp:<name>; a cluster with manageMasterUserPassword reports
    // the secret RDS made for it, named rds!cluster-<uuid>.
    // A cluster's or an instance's identifier is not autonamed by pulumi-aws (provider/resource_overrides.go maps
    // aws_rds_cluster and aws_rds_cluster_instance without a Default for it; its autonaming of cluster_identifier was
    // reverted, pulumi/pulumi-aws#1301), so an unset one is the terraform provider's: the `…Prefix` input, or "tf-",
    // and a unique id (terraform-provider-aws rds/cluster.go and cluster_instance.go Create: create.NewNameGenerator
    // with WithDefaultPrefix("tf-")), as pulumi/pulumi-aws#2596 reports of a deployed cluster.
    case "aws:rds/cluster:Cluster": {
      const identifier = String(inputs.clusterIdentifier ?? providerUniqueId(inputs.clusterIdentifierPrefix ?? "tf-", name));
      const hex = createHash("sha256").update(name).digest("hex");
      const secret = inputs.manageMasterUserPassword
        ? [{ secretArn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:rds!cluster-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}-${base62(name, 6)}`, kmsKeyId: inputs.masterUserSecretKmsKeyId ?? "", secretStatus: "active" }]
        : [];
      const host = `${identifier}.cluster-${hex.slice(0, 12)}.${region}.rds.amazonaws.com`;
      return { id: identifier, clusterIdentifier: identifier, arn: `arn:aws:rds:${region}:${MOCK_ACCOUNT_ID}:cluster:${identifier}`, endpoint: host, readerEndpoint: host.replace(".cluster-", ".cluster-ro-"), masterUserSecrets: secret };
    }
    case "aws:rds/clusterInstance:ClusterInstance": {
      const identifier = String(inputs.identifier ?? providerUniqueId(inputs.identifierPrefix ?? "tf-", name));
      return { id: identifier, identifier, arn: `arn:aws:rds:${region}:${MOCK_ACCOUNT_ID}:db:${identifier}` };
    }
    case "aws:rds/subnetGroup:SubnetGroup": {
      // `name` is autonamed by pulumi-aws; a `namePrefix` (which conflicts with it) is completed by the terraform provider.
      const subnetGroupName = inputs.name ?? (inputs.namePrefix ? providerUniqueId(inputs.namePrefix, name) : fakeId(name));
      return { id: subnetGroupName, name: subnetGroupName, arn: `arn:aws:rds:${region}:${MOCK_ACCOUNT_ID}:subgrp:${subnetGroupName}` };
    }
    case "aws:iam/role:Role":
      return { name: physicalName, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physicalName}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: physicalName, arn: `${arnBase.replace(":cloudwatch:", ":logs:")}:log-group:${physicalName}` };
    case "aws:acm/certificate:Certificate":
      return {
        arn: `arn:aws:acm:${region}:${MOCK_ACCOUNT_ID}:certificate/${fakeId(name)}`,
        domainValidationOptions: providerSetOrder([inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])]).map((domainName: string) => ({
          domainName,
          // ACM "removes the wildcard label (*) when generating CNAME records for wildcard names", so a name and its
          // wildcard get one record (ACM FAQ, quoted in hashicorp/terraform-provider-aws#2418).
          resourceRecordName: `_x1.${String(domainName).replace(/^\*\./, "")}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_x2.acm-validations.aws.`,
        })),
      };
    case "aws:secretsmanager/secret:Secret": {
      // Secrets Manager appends "-" and six random characters to the name; the provider's id is the ARN.
      const arn = `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${physicalName}-${base62(name, 6)}`;
      return { id: arn, arn, name: physicalName };
    }
    // KMS: a key's id and keyId are its key ID, a UUID, and a multi-Region key's "mrk-" and 32 hex digits ("multi-Region
    // keys have a distinctive key ID that begins with mrk-", https://docs.aws.amazon.com/kms/latest/developerguide/mrk-how-it-works.html;
    // e.g. mrk-1234abcd12ab34cd56ef1234567890ab in the ReplicateKey reference); its ARN arn:aws:kms:<region>:<account>:key/<key ID>
    // (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN). A replica is created "with the
    // same key ID" as its primary (same page) under an ARN of its own region. pulumi-aws's ExternalKey has no keyId
    // output, only its id and ARN.
    case "aws:kms/key:Key":
    case "aws:kms/externalKey:ExternalKey": {
      const id = mockKmsKeyId(name, inputs.multiRegion === true);
      return { id, ...(type === "aws:kms/key:Key" ? { keyId: id } : {}), arn: kmsKeyArn(region, id) };
    }
    case "aws:kms/replicaKey:ReplicaKey":
    case "aws:kms/replicaExternalKey:ReplicaExternalKey": {
      const id = /:key\/(mrk-[^/]+)$/.exec(String(inputs.primaryKeyArn ?? ""))?.[1] ?? mockKmsKeyId(name, true);
      return { id, keyId: id, arn: kmsKeyArn(region, id) };
    }
    // An alias's id is its name, its ARN arn:aws:kms:<region>:<account>:alias/<name without alias/>; targetKeyId reads
    // back as the key ID KMS lists and targetKeyArn as that key's ARN (terraform-provider-aws kms/alias.go read:
    // ListAliases' TargetKeyId, AliasARNToKeyARN). An unnamed alias is named by the terraform provider: namePrefix, or
    // "alias/", and a unique id (alias.go create: create.Name with AliasNamePrefix).
    case "aws:kms/alias:Alias": {
      const aliasName = String(inputs.name ?? providerUniqueId(inputs.namePrefix ?? "alias/", name));
      const target = String(inputs.targetKeyId ?? "");
      const targetKeyArn = target.startsWith("arn:") ? target : kmsKeyArn(region, target);
      return { id: aliasName, name: aliasName, arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:${aliasName}`, targetKeyId: targetKeyArn.slice(targetKeyArn.lastIndexOf("key/") + 4), targetKeyArn };
    }
    case "aws:ssm/parameter:Parameter":
      return { id: physicalName, name: physicalName, arn: `arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:parameter/${String(physicalName).replace(/^\//, "")}` };
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      const id = `vpce-${createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
      return { id, arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:vpc-endpoint/${id}`, ...(inputs.vpcEndpointType === "Gateway" ? { prefixListId: mockPrefixListId(inputs.serviceName) } : {}) };
    }
    case "aws:ec2/securityGroup:SecurityGroup": {
      const id = `sg-${createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
      return { id, arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:security-group/${id}`, name: physicalName };
    }
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      return { result: randomResult(name, inputs) };
    // --- API Gateway (ServerlessApi)
    case "aws:apigateway/restApi:RestApi": {
      const id = fakeId(name).slice(-10);
      return {
        id,
        name: physicalName,
        rootResourceId: `${id}-root`,
        arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
        executionArn: `arn:aws:execute-api:${region}:${MOCK_ACCOUNT_ID}:${id}`,
      };
    }
    case "aws:apigateway/stage:Stage": {
      const apiId = String(inputs.restApi);
      return {
        invokeUrl: `https://${apiId}.execute-api.${region}.amazonaws.com/${inputs.stageName}`,
        executionArn: `arn:aws:execute-api:${region}:${MOCK_ACCOUNT_ID}:${apiId}/${inputs.stageName}`,
        arn: `arn:aws:apigateway:${region}::/restapis/${apiId}/stages/${inputs.stageName}`,
      };
    }
    // --- API Gateway v2 (RealtimeApi, ServerlessApi's HTTP kind)
    case "aws:apigatewayv2/api:Api": {
      const id = fakeId(name).slice(-10);
      const scheme = inputs.protocolType === "WEBSOCKET" ? "wss" : "https";
      return { id, name: physicalName, apiEndpoint: `${scheme}://${id}.execute-api.${region}.amazonaws.com`, arn: `arn:aws:apigateway:${region}::/apis/${id}`, executionArn: `arn:aws:execute-api:${region}:${MOCK_ACCOUNT_ID}:${id}` };
    }
    case "aws:apigatewayv2/stage:Stage":
      return { id: inputs.name, executionArn: `arn:aws:execute-api:${region}:${MOCK_ACCOUNT_ID}:${inputs.apiId}/${inputs.name}`, arn: `arn:aws:apigateway:${region}::/apis/${inputs.apiId}/stages/${inputs.name}` };
    case "aws:apigatewayv2/domainName:DomainName":
      return {
        id: inputs.domainName,
        domainNameConfiguration: { ...inputs.domainNameConfiguration, targetDomainName: `d-${fakeId(name).slice(-10)}.execute-api.${region}.amazonaws.com`, hostedZoneId: apiGatewayRegionalZoneId(region) },
      };
    case "aws:apigateway/apiKey:ApiKey":
      return { name: physicalName, value: `mock-api-key-${fakeId(name)}` };
    case "aws:apigateway/domainName:DomainName":
      // An edge-optimized domain answers a CloudFront name under CloudFront's zone and no regional target; a regional
      // one its region's target and zone (apiGatewayRegionalZoneId). pulumi-aws 7 takes `types` as one string.
      if ([inputs.endpointConfiguration?.types].flat().includes("EDGE")) {
        return { cloudfrontDomainName: `d${fakeId(name).slice(-8)}.cloudfront.net`, cloudfrontZoneId: "Z2FDTNDATAQYW2" };
      }
      return { regionalDomainName: `d-${fakeId(name).slice(-10)}.execute-api.${region}.amazonaws.com`, regionalZoneId: apiGatewayRegionalZoneId(region) };
    case "aws:lambda/layerVersion:LayerVersion": {
      // PublishLayerVersion answers LayerArn `arn:aws:lambda:<region>:<account>:layer:<name>` and LayerVersionArn, the
      // same with `:<version>`, versions counting from 1 (https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html);
      // pulumi-aws LayerVersion: `arn` "ARN of the Lambda Layer with version", `layerArn` "ARN of the Lambda Layer without version".
      const layerArn = `${arnBase}:layer:${inputs.layerName ?? fakeId(name)}`;
      return { arn: `${layerArn}:1`, layerArn, version: "1" };
    }
    case "aws:lambda/alias:Alias": {
      const arn = lambdaFunctionArn(region, inputs.functionName, inputs.name);
      return { arn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations` };
    }
    case "aws:cognito/userPool:UserPool": {
      // Real shapes: `<region>_<9 alphanumerics>`; the local cognito service creates the pool under this same id.
      const id = `${region}_${base62(name, 9)}`;
      return { id, name: physicalName, arn: `arn:aws:cognito-idp:${region}:${MOCK_ACCOUNT_ID}:userpool/${id}`, endpoint: `cognito-idp.${region}.amazonaws.com/${id}` };
    }
    case "aws:cognito/userPoolClient:UserPoolClient":
      return { id: createHash("sha256").update(name).digest("hex").replace(/[^a-z0-9]/g, "").slice(0, 26), name: physicalName };
    case "aws:cognito/identityPool:IdentityPool": {
      const hex = createHash("sha256").update(name).digest("hex");
      const id = `${region}:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
      return { id, arn: `arn:aws:cognito-identity:${region}:${MOCK_ACCOUNT_ID}:identitypool/${id}` };
    }
    case "aws:cognito/userPoolDomain:UserPoolDomain":
      return { cloudfrontDistribution: `d${fakeId(name).slice(-8)}.cloudfront.net`, cloudfrontDistributionZoneId: "Z2FDTNDATAQYW2" };
    default:
      return { name: physicalName, arn: `${arnBase}:${physicalName}` };
  }
}

/**
 * Outputs of remote (multi-language) components, which the mocks construct without their children: what a real
 * deploy would report, so the program's own resources around them get realistic ids.
 */
function remoteComponentOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  if (type !== "awsx:ec2:Vpc") return {};
  const zones = inputs.numberOfAvailabilityZones ?? inputs.availabilityZoneNames?.length ?? 3;
  const hex = (label: string) => createHash("sha256").update(`${name}:${label}`).digest("hex").slice(0, 17);
  const subnets = (kind: string) =>
    (inputs.subnetSpecs ?? [{ type: "Private" }, { type: "Public" }]).some((s: { type: string }) => s.type === kind)
      ? Array.from({ length: zones }, (_, i) => `subnet-${hex(`${kind}${i}`)}`)
      : [];
  return { vpcId: `vpc-${hex("vpc")}`, privateSubnetIds: subnets("Private"), publicSubnetIds: subnets("Public"), isolatedSubnetIds: subnets("Isolated") };
}

function answerInvoke(token: string, inputs: Record<string, any>, region: string, zones: ReadonlySet<string>): Record<string, any> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "AIDAMOCK" };
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:ec2/getVpc:getVpc":
      // An existing VPC as a default one is: 10.0.0.0/16 here, DNS support and hostnames on.
      return { id: inputs.id, arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:vpc/${inputs.id}`, cidrBlock: "10.0.0.0/16", enableDnsSupport: true, enableDnsHostnames: true };
    case "aws:ec2/getSubnet:getSubnet":
      // A subnet's zone is the account's to know: each subnet answers a zone of its own, so a recording never finds two
      // subnets sharing one unless a test says so (MockOptions.invokes).
      return { id: inputs.id, arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:subnet/${inputs.id}`, availabilityZone: `${region}-zone-of-${inputs.id}` };
    case "aws:ec2/getVpcEndpointService:getVpcEndpointService": {
      // An AWS service's endpoint service, offered in every zone of the account (the common case; a test answers fewer
      // with MockOptions.invokes): the zones getSubnet has named in the region besides the lettered ones, whichever
      // order the lookups come in (PrivateNetwork asks once the subnets' zones are known).
      const serviceName = inputs.serviceName ?? `com.amazonaws.${region}.${inputs.service}`;
      return {
        id: serviceName,
        service: inputs.service,
        serviceName,
        serviceType: inputs.serviceType ?? "Interface",
        serviceId: `vpce-svc-${createHash("sha256").update(serviceName).digest("hex").slice(0, 17)}`,
        availabilityZones: [...zones].sort(),
        baseEndpointDnsNames: [serviceName.split(".").reverse().join(".")],
        acceptanceRequired: false,
        managesVpcEndpoints: false,
        owner: "amazon",
        privateDnsName: `${inputs.service}.${region}.amazonaws.com`,
        vpcEndpointPolicySupported: true,
        region,
      };
    }
    case "aws:rds/getEngineVersion:getEngineVersion":
      // Any version asked for is offered ("available"), so a plan's cluster passes; a test answers "not offered" (an
      // invoke that throws, as the data source's "no RDS engine versions match the criteria") or "deprecated".
      return {
        engine: inputs.engine,
        version: inputs.version,
        versionActual: inputs.version,
        status: "available",
        supportsParallelQuery: false,
        supportsGlobalDatabases: true,
        validUpgradeTargets: [],
        region,
      };
    case "aws:ec2/getPrefixList:getPrefixList":
      // The AWS-managed prefix list of a gateway endpoint service, by its name: the id a gateway endpoint for it reports.
      return { id: mockPrefixListId(inputs.name), name: inputs.name, cidrBlocks: [] };
    case "aws:ec2/getRouteTables:getRouteTables":
      return { ids: [`rtb-${createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 17)}`] };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return { json: JSON.stringify(renderPolicyDocument(inputs)) };
    default:
      return {};
  }
}

/** Renders `aws.iam.getPolicyDocument` inputs the way AWS's provider does, so tests can read real JSON policies. */
function renderPolicyDocument(inputs: Record<string, any>): Record<string, unknown> {
  const statements = (inputs.statements ?? []).map((s: any) => {
    const out: Record<string, unknown> = { Effect: s.effect ?? "Allow" };
    if (s.sid) out.Sid = s.sid;
    if (s.actions) out.Action = s.actions;
    if (s.notActions) out.NotAction = s.notActions;
    if (s.resources) out.Resource = s.resources;
    for (const p of s.principals ?? []) {
      out.Principal = { ...(out.Principal as object), [p.type]: p.identifiers };
    }
    if (s.conditions) {
      const condition: Record<string, Record<string, unknown>> = {};
      for (const c of s.conditions) condition[c.test] = { ...condition[c.test], [c.variable]: c.values };
      out.Condition = condition;
    }
    return out;
  });
  return { Version: "2012-10-17", Statement: statements };
}

/** The prefix list of a gateway endpoint service (`com.amazonaws.<region>.s3`), as endpoints and getPrefixList report it. */
function mockPrefixListId(serviceName: string): string {
  return `pl-${createHash("sha256").update(`pl:${serviceName}`).digest("hex").slice(0, 8)}`;
}

/**
 * A name the terraform provider completes from a prefix (a `…Prefix` input, or its own default such as "tf-"): the
 * prefix, then the UTC time to the ten-thousandth of a second as 18 digits and an 8-hex-digit counter, 26 characters
 * (terraform-plugin-sdk helper/id/id.go PrefixedUniqueId, UniqueIDSuffixLength, which terraform-provider-aws's
 * create.NewNameGenerator calls). Here at the mocks' fixed time (as MOCK_STREAM_LABEL) with the counter drawn from the
 * resource's name, so names differ between resources and repeat between runs.
 */
function providerUniqueId(prefix: string, name: string): string {
  return `${prefix}${MOCK_UNIQUE_ID_TIME}${createHash("sha256").update(`unique-id:${name}`).digest("hex").slice(0, 8)}`;
}

/** The mocks' fixed time (MOCK_STREAM_LABEL) as PrefixedUniqueId writes a time: its digits, to the ten-thousandth of a second. */
const MOCK_UNIQUE_ID_TIME = `${MOCK_STREAM_LABEL.replace(/\D/g, "")}0`;

/** A KMS key's ARN in the mocks' account: arn:aws:kms:<region>:<account>:key/<key ID>. */
function kmsKeyArn(region: string, keyId: string): string {
  return `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${keyId}`;
}

/** A KMS key ID drawn from the resource's name: a UUID, or for a multi-Region key "mrk-" and 32 hex digits. */
function mockKmsKeyId(name: string, multiRegion: boolean): string {
  const hex = createHash("sha256").update(`kms-key:${name}`).digest("hex");
  return multiRegion ? `mrk-${hex.slice(0, 32)}` : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Deterministic mixed-case alphanumeric string, for ids whose real shape is base62 (e.g. user pool ids). */
function base62(seed: string, length: number): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const bytes = createHash("sha256").update(seed).digest();
  return Array.from(bytes.subarray(0, length), (b) => alphabet[b % alphabet.length]).join("");
}
