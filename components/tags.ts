/**
 * Cost-allocation tags on every taggable AWS resource of a stack: `app`, `stack` and the user's own,
 * added by one stack transformation (`registerStackTags`), so no component has to thread tags through.
 * A transformation rather than the provider's default tags: the components place resources in several
 * regions through the default provider's per-resource `region`, and a user's explicit providers would
 * each need the setting; a transformation sees every resource, whatever its provider.
 *
 * Which types take tags is read off @pulumi/aws (components/taggable-types.ts, generated): the types
 * whose `tags` input is a key/value map. Tags a resource sets itself win over the stack's.
 */
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgError, unsendableMapKeyProblem, type ArgFailure } from "./errors";
import { TAGGABLE_TYPES } from "./taggable-types";

export { TAGGABLE_TYPES } from "./taggable-types";

/** The tag keys every taggable resource carries; the deploy rule `Tagged` checks them. */
export const STACK_TAG_KEYS = { app: "app", stack: "stack" } as const;

/**
 * Tag limits that hold across AWS services: 50 user tags per resource, keys up to 128 and values up to
 * 256 characters, letters, digits, spaces and `_ . : / = + - @`, and no `aws:` prefix (reserved).
 * https://docs.aws.amazon.com/personalize/latest/dg/personalize-managing-tags.html ("This is the standard
 * set of characters available across AWS services that support tags.")
 */
export const TAG_LIMITS = { perResource: 50, keyLength: 128, valueLength: 256 } as const;

/** A type that takes fewer tags than TAG_LIMITS.perResource: how many, how findings say so, and AWS's words for it. */
export interface TagLimitOverride {
  perResource: number;
  /** As findings and errors say it: "Route 53 allows 10 per health check or hosted zone". */
  what: string;
  /** AWS's sentence and where it is. */
  quote: string;
  source: string;
}

/**
 * Route 53 health checks and hosted zones: ChangeTagsForResource, AddTags: "You can add a maximum of 10 tags to a
 * health check or a hosted zone." pulumi-aws tags both through that call after creating them, so an 11th tag fails the
 * resource at `pulumi up`, after Route 53 created it.
 */
const ROUTE53_TAGS: TagLimitOverride = {
  perResource: 10,
  what: "Route 53 allows 10 per health check or hosted zone",
  quote: 'ChangeTagsForResource: "You can add a maximum of 10 tags to a health check or a hosted zone"',
  source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeTagsForResource.html",
};

/**
 * Types that take fewer tags than TAG_LIMITS.perResource. The TagLimits deploy rule and the components that create
 * these types read this one table (tagsPerResource). Of the taggable types the components create, only Route 53's
 * health check is here (docs/deploy-rules.md, TagLimits, says which others were checked).
 */
export const TAG_LIMIT_OVERRIDES: Readonly<Record<string, TagLimitOverride>> = {
  "aws:route53/healthCheck:HealthCheck": ROUTE53_TAGS,
  "aws:route53/zone:Zone": ROUTE53_TAGS,
};

/** How many tags AWS takes on a resource of `type`, and how to say so ("AWS allows 50 per resource"). */
export function tagsPerResource(type: string): { perResource: number; what: string } {
  return TAG_LIMIT_OVERRIDES[type] ?? { perResource: TAG_LIMITS.perResource, what: `AWS allows ${TAG_LIMITS.perResource} per resource` };
}
const TAG_TEXT = /^[\p{L}\p{N} _.:/=+\-@]*$/u;

/** Tags every taggable resource of the stack gets (registerStackTags). */
export interface StackTagsArgs {
  /** Value of the `app` tag. @default the Pulumi project name */
  app?: string;
  /** Value of the `stack` tag. @default the Pulumi stack name */
  stack?: string;
  /** More tags for every taggable resource, e.g. `{ "cost-center": "1234" }`. @default {} */
  tags?: Record<string, string>;
}

/** Why `key: value` is not a tag AWS accepts, or undefined when it is. Shared by the validator and the deploy rule. */
export function tagProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== "string") return `has a ${typeof value} value; tag values are strings`;
  if (key.length === 0 || key.length > TAG_LIMITS.keyLength) return `is ${key.length} characters long; tag keys are 1–${TAG_LIMITS.keyLength}`;
  if (value.length > TAG_LIMITS.valueLength) return `has a ${value.length}-character value; tag values are at most ${TAG_LIMITS.valueLength}`;
  if (/^aws:/i.test(key) || /^aws:/i.test(value)) return "uses the aws: prefix, which AWS reserves";
  if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value)) return "has characters outside letters, digits, spaces and _ . : / = + - @ (what every tagging AWS service accepts)";
  return undefined;
}

/** The validated tags every taggable resource of the stack gets: `app`, `stack`, then the user's. */
export function stackTags(args: StackTagsArgs = {}): Record<string, string> {
  const fail = (argument: string, value: unknown, problem: string, fix: string): never => {
    throw new ComponentArgError("StackTags", pulumi.getStack(), argument, value, problem, fix);
  };
  const tags = args.tags ?? {};
  if (typeof tags !== "object" || Array.isArray(tags)) fail("tags", tags, "is not a map of tag keys to values", 'Use e.g. { "cost-center": "1234" }.');
  for (const key of Object.values(STACK_TAG_KEYS)) {
    if (key in tags) fail(`tags.${key}`, tags[key], `is set by the stack (the ${key} tag every resource gets)`, `Remove it; set ${key === "app" ? "the app name" : "the stack name"} through the ${key} argument instead.`);
  }
  const all: Record<string, string> = { [STACK_TAG_KEYS.app]: args.app ?? pulumi.getProject(), [STACK_TAG_KEYS.stack]: args.stack ?? pulumi.getStack(), ...tags };
  for (const [key, value] of Object.entries(all)) {
    const unsendable = unsendableMapKeyProblem(key);
    if (unsendable) fail(`tags.${key}`, value, unsendable, 'Use another key, e.g. "to-string".');
    const problem = tagProblem(key, value);
    if (problem) fail(`tags.${key}`, value, problem, "Use a key of 1–128 and a value of at most 256 letters, digits, spaces or _ . : / = + - @, without the aws: prefix.");
  }
  // Components add a few of their own (EdgeLogic's two on Lambda@Edge); leave them room under AWS's 50.
  const room = TAG_LIMITS.perResource - 5;
  if (Object.keys(all).length > room) fail("tags", Object.keys(all), `makes ${Object.keys(all).length} stack tags; AWS allows ${TAG_LIMITS.perResource} per resource and components add up to 5`, `Keep at most ${room} (app and stack included).`);
  return all;
}

/**
 * `["cost-center=1234", "team=gallery"]` → `{ "cost-center": "1234", team: "gallery" }`: tags as a stack's config
 * holds them (a Pulumi.yaml config key cannot be declared as an object). Split at the first `=`; an entry
 * without one is refused.
 */
export function tagsFromConfig(entries: readonly string[]): Record<string, string> {
  const pairs = entries.map((entry) => {
    const at = typeof entry === "string" ? entry.indexOf("=") : -1;
    if (at <= 0) throw new ComponentArgError("StackTags", pulumi.getStack(), "tags", entry, "is not a key=value pair", 'Write each tag as key=value, e.g. "cost-center=1234".');
    return [entry.slice(0, at), entry.slice(at + 1)] as const;
  });
  // fromEntries defines each key, `__proto__` included (an assignment would set the prototype), so stackTags sees all.
  return Object.fromEntries(pairs);
}

/**
 * Remote (multi-language) components whose children their provider creates, out of this program's stack
 * transformation: they take `tags` and hand them to what they create (awsx.ec2.Vpc: the VPC, subnets, route tables).
 */
export const REMOTE_TAGGED_COMPONENTS: ReadonlySet<string> = new Set(["awsx:ec2:Vpc"]);

/** Adds `tags` under the tags a resource sets itself (which win), on every taggable AWS type and remote component that takes tags. */
export function tagTransformation(tags: Record<string, string>): pulumi.ResourceTransformation {
  return ({ type, props, opts }) => {
    if (!TAGGABLE_TYPES.has(type) && !REMOTE_TAGGED_COMPONENTS.has(type)) return undefined;
    const own = props.tags as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
    const merged = own === undefined ? { ...tags } : pulumi.output(own).apply((resourceTags) => ({ ...tags, ...resourceTags }));
    return { props: { ...props, tags: merged }, opts };
  };
}

/**
 * Tags every taggable AWS resource the program registers after this call (call it before creating
 * anything). The transformation hangs off the root stack resource, which `pulumi up` and `pulumi preview`
 * always create; Pulumi's mocks create none (https://github.com/pulumi/pulumi/issues/4669), so
 * `runProgramOffline` runs the program inside one. A unit test that imports the program under bare
 * mocks gets a warning and untagged resources, rather than a program that cannot load. Returns the tags.
 */
export function registerStackTags(args: StackTagsArgs = {}): Record<string, string> {
  const tags = stackTags(args);
  const stack = pulumi.runtime.getStackResource();
  if (stack) {
    pulumi.runtime.registerStackTransformation(tagTransformation(tags));
    registeredTags().set(stack, tags);
  } else pulumi.log.warn("registerStackTags: no root stack resource (Pulumi mocks without runInPulumiStack), so resources are not tagged; see pulumi/pulumi#4669.");
  return tags;
}

/**
 * The stack tags registered by the program being run, by its root stack resource, so a component constructed later
 * knows what the transformation will add (registeredStackTags). On `globalThis` under a registered symbol, as the spec
 * registry, so two copies of this module share it; weakly, so a finished program's stack and tags go with it.
 */
const REGISTERED_TAGS_KEY = Symbol.for("serverless-fullstack.stack-tags");
function registeredTags(): WeakMap<object, Record<string, string>> {
  const holder = globalThis as unknown as Record<symbol, WeakMap<object, Record<string, string>> | undefined>;
  return (holder[REGISTERED_TAGS_KEY] ??= new WeakMap());
}

/** The tags registerStackTags put on every taggable resource of the program being run; {} when it was not called (or under bare mocks, which tag nothing). */
export function registeredStackTags(): Readonly<Record<string, string>> {
  const stack = pulumi.runtime.getStackResource();
  return (stack && registeredTags().get(stack)) ?? {};
}

/**
 * Refuses, through `fail`, a resource of `type` a component is about to create when the registered stack tags and the
 * resource's own tags (which win on a shared key) would put more tags on it than AWS takes (tagsPerResource): the
 * tagging call would fail at `pulumi up`, after the resource was created. Only types with an override can be reached
 * this way (stackTags keeps room under the general 50). `argument`/`value` name what asked for the resource.
 */
export function checkStackTagRoom(fail: ArgFailure, argument: string, value: unknown, type: string, what: string, ownTags: Readonly<Record<string, string>> = {}): void {
  const stack = registeredStackTags();
  const { perResource } = tagsPerResource(type);
  const count = new Set([...Object.keys(stack), ...Object.keys(ownTags)]).size;
  if (count <= perResource) return;
  const override = TAG_LIMIT_OVERRIDES[type];
  const own = Object.keys(ownTags).filter((key) => !(key in stack));
  const userCount = Object.keys(stack).filter((key) => key !== STACK_TAG_KEYS.app && key !== STACK_TAG_KEYS.stack).length;
  const room = perResource - own.length;
  fail(
    argument,
    value,
    `creates ${what}, which the stack's tags (registerStackTags: app, stack and ${userCount} more)${own.length ? ` and its own ${own.join(", ")} tag${own.length > 1 ? "s" : ""}` : ""} would give ${count} tags; ` +
      (override ? `${override.what} (${override.quote}, ${override.source})` : `AWS allows ${perResource} per resource`),
    `Keep at most ${room} stack tags (app and stack included: at most ${room - 2} in the tags config), or leave ${argument} unset.`,
  );
}
