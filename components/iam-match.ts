/**
 * IAM's wildcard matching, the one reading the components, the deploy and security rules and the local emulators share
 * (components/ imports nothing from local/ or testing/, so it lives here). Each element matches as IAM documents it,
 * and they differ:
 * - Action: `*` and `?` anywhere, case-insensitively ("The prefix and the action name are case insensitive";
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 * - Resource and NotResource: case-sensitive; `*` and `?` "within the individual segments of an ARN (the parts
 *   separated by colons)", and "If the * wildcard is the last character of a resource ARN segment, it can expand to
 *   match beyond the colon boundaries" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 * - StringLike: case-sensitive, `*` and `?` "anywhere in the string", colons too; ArnLike and ArnEquals (which "behave
 *   identically"): case-sensitive, "Each of the six colon-delimited components of the ARN is checked separately", so
 *   `arn:aws:someservice:*:111122223333:finance/*` matches
 *   `arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt` with StringLike and not
 *   with ArnLike (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 *
 * The Resource sentence leaves a case open: a `*` or `?` inside a segment, before a colon of the resource part (an S3
 * key `uploads/2024-01-01T10:00:00Z/thumb.jpg` under a `*` between `b/uploads/` and `/thumb.jpg`, the key `a:b.jpg`
 * under `b/*.jpg`, an API path `/items/urn:isbn:1/reviews` under a `*` between `…/GET/items/` and `/reviews`). Read
 * "segment" as "part between colons" and it does not match; read it as ARN component, as cloud-copilot/iam-simulate
 * does (the first five compared without crossing colons, the resource part as one glob that crosses them), and it
 * does. AWS's pages do not say which, so resourceMatches takes a reading chosen by what a wrong guess would cost, for
 * the two rules this project holds to: a local run never refuses what AWS might allow, and a deploy rule reports
 * nothing on a guess.
 * - "lenient" (may IAM match?): a whole-string glob, `*` and `?` over colons too, a superset of both readings. For
 *   whatever grants when it matches (an Allow's Resource, an authorizer's Allow, a deploy rule's "does the role grant
 *   it") and whatever spares when it matches (a Deny's NotResource).
 * - "strict" (must IAM match?): both readings must match. For whatever refuses when it matches (a Deny's Resource, an
 *   authorizer's Deny) and whatever excludes when it matches (an Allow's NotResource).
 * Unresolved policy variables (`${aws:username}`, `${cognito-identity.amazonaws.com:sub}`, whose value holds a colon)
 * follow the same choice: any run of characters when lenient, and a pattern holding one matches nothing when strict.
 * A caller that can resolve them substitutes them first. The three whose values are fixed, `${*}`, `${?}` and `${$}`,
 * are their literal characters in a Resource, in StringLike and ArnLike (not wildcards) and in StringEquals and
 * StringEqualsIgnoreCase (FIXED_VARIABLES). That reads every policy as of Version 2012-10-17: under 2008-10-17 (a
 * policy without Version) "variables such as ${aws:username} aren't recognized as variables and are instead treated as
 * literal strings" (reference_policies_elements_version.html), so there `${*}`'s `*` is a wildcard. No caller passes
 * the Version down, and the components, pulumi-aws getPolicyDocument and every AWS example write 2012-10-17.
 * CloudFront's path patterns are another matter (local/http.ts pathPatternMatcher).
 */

const ESCAPE = /[.+^${}()|[\]\\*?]/g;
const literal = (text: string) => text.replace(ESCAPE, "\\$&");

/**
 * The policy variables whose values are fixed, so that a policy can name a character that would otherwise be a
 * wildcard or open a variable: "${*} - use where you need an * (asterisk) character", likewise ${?} and ${$}, usable
 * "in any string where you can use regular policy variables" (reference_policies_variables.html, Special characters).
 */
const FIXED_VARIABLES: Readonly<Record<string, string>> = { "${*}": "*", "${?}": "?", "${$}": "$" };
const FIXED_VARIABLE = /\$\{[*?$]\}/g;

/** `text` with each fixed variable as its character, for the comparisons that read no wildcard (StringEquals). */
const withFixedVariables = (text: string) => text.replace(FIXED_VARIABLE, (variable) => FIXED_VARIABLES[variable]);

/**
 * Whether `text` (a value of a statement, or its JSON) names a policy variable AWS resolves per request, as a condition
 * depends on the request: any `${` but the fixed variables', which are their characters (FIXED_VARIABLES).
 */
export function holdsPolicyVariable(text: string): boolean {
  return text.replace(FIXED_VARIABLE, "").includes("${");
}

/** One piece of a pattern: a character matched as itself, a wildcard, or a policy variable no reading here resolves. */
type Part = { literal: string } | "*" | "?" | "variable";

/**
 * How a pattern's `${…}` is read. "none": as written, character by character (Action, where IAM takes no policy
 * variables: "You can use policy variables in the Resource element and in string comparisons in the Condition
 * element", same page). "fixed": the fixed variables as their characters, any other `${…}` as written (StringLike,
 * ArnLike: a caller that can resolve a variable substitutes it first). "all": the fixed variables as their characters,
 * any other `${…}` a variable (Resource).
 */
type VariableReading = "none" | "fixed" | "all";

function parts(pattern: string, variables: VariableReading): Part[] {
  const found: Part[] = [];
  for (const [piece] of pattern.matchAll(variables === "none" ? /[\s\S]/gu : /\$\{[^}]*\}|[\s\S]/gu)) {
    const fixed = FIXED_VARIABLES[piece];
    if (fixed !== undefined) found.push({ literal: fixed });
    else if (piece.startsWith("${") && variables === "all") found.push("variable");
    else for (const c of piece) found.push(c === "*" || c === "?" ? c : { literal: c });
  }
  return found;
}

/** `*` any run and `?` any one character, of anything (colons too); a variable any run. */
function glob(pattern: readonly Part[]): string {
  return pattern.map((p) => (p === "*" || p === "variable" ? "[\\s\\S]*" : p === "?" ? "[\\s\\S]" : literal(p.literal))).join("");
}

/** The lenient reading: a whole-string glob, each policy variable (`${…}`) any run of characters. */
function lenientSource(pattern: string): string {
  return glob(parts(pattern, "all"));
}

/**
 * The segment reading: `*` and `?` stay within their colon-separated segment, but a `*` that ends one (before a `:` or
 * at the end) may run over colons, as the Resource page says. `pattern` holds no variable (strict refuses those first).
 */
function segmentSource(pattern: string): string {
  const pieces = parts(pattern, "all");
  return pieces
    .map((p, i) => {
      if (p === "*") {
        const next = pieces[i + 1];
        return next === undefined || (typeof next === "object" && next.literal === ":") ? "[\\s\\S]*" : "[^:]*";
      }
      if (p === "variable") throw new Error("segmentSource: a pattern holding a policy variable (resourceMatches' strict reading refuses it first)");
      return p === "?" ? "[^:]" : literal(p.literal);
    })
    .join("");
}

/**
 * Whether an ArnLike pattern (`*`, `?` wildcards) keeps out other accounts' ARNs: no wildcard in its account; an ARN
 * naming no account (an S3 bucket's, whose name is global) must name something beyond wildcards; a value of fewer than
 * six components no `*`, which would run over the colons, account included. How Topic reads a service publisher's
 * sourceArn and the security rule ServicePrincipalSource an aws:SourceArn value.
 */
export function arnPatternKeepsAccount(pattern: string): boolean {
  const components = arnComponents(pattern);
  if (!components) return pattern !== "" && !pattern.includes("*");
  return components[4] === "" ? !/^[*?]*$/.test(components[5]) : !/[*?]/.test(components[4]);
}

/** The six components of an ARN: five colon-free ones and the resource, which may hold colons itself; undefined for fewer. */
export function arnComponents(value: string): string[] | undefined {
  const split = value.split(":");
  return split.length < 6 ? undefined : [...split.slice(0, 5), split.slice(5).join(":")];
}

/** Compiled matchers by kind and pattern; bounded, as local runs compile every request's policy patterns. */
const MATCHERS = new Map<string, (value: string) => boolean>();
const MATCHER_LIMIT = 1000;

function matcher(kind: string, pattern: string, compile: (pattern: string) => (value: string) => boolean): (value: string) => boolean {
  const key = `${kind}\u0000${pattern}`;
  let found = MATCHERS.get(key);
  if (!found) {
    found = compile(pattern);
    // Map keeps insertion order: past the limit the oldest pattern goes.
    if (MATCHERS.size >= MATCHER_LIMIT) MATCHERS.delete(MATCHERS.keys().next().value as string);
    MATCHERS.set(key, found);
  }
  return found;
}

const regexMatcher = (source: string, flags = "") => {
  const expression = new RegExp(`^${source}$`, flags);
  return (value: string) => expression.test(value);
};

/** Whether the Action (or NotAction) pattern `pattern` (`s3:Get*`, `dynamodb:?etItem`, `*`) covers `action`, case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  return matcher("action", pattern, (p) => regexMatcher(glob(parts(p, "none")), "i"))(action);
}

/** How resourceMatches reads the case AWS's pages leave open (see the module's comment): may IAM match, or must it? */
export type ResourceReading = "lenient" | "strict";

/**
 * Whether the Resource (or NotResource) pattern `pattern` covers the ARN `resource`, case-sensitively. `reading`
 * decides a `*` or `?` inside a segment before one of the resource part's colons, and unresolved policy variables (see
 * the module's comment): "lenient" where a wrong "no" would refuse what AWS allows or report a finding on a guess,
 * "strict" where a wrong "yes" would.
 */
export function resourceMatches(pattern: string, resource: string, reading: ResourceReading): boolean {
  if (reading === "lenient") return matcher("resource-lenient", pattern, (p) => regexMatcher(lenientSource(p)))(resource);
  return matcher("resource-strict", pattern, (p) => {
    if (parts(p, "all").includes("variable")) return () => false;
    const segments = regexMatcher(segmentSource(p));
    const split = arnComponents(p);
    // The component reading: five colon-free components, and the resource part a glob over its colons. A pattern of
    // fewer than six components (`*`) has only the segment reading.
    const components = split?.map((part, i) => regexMatcher(i < 5 ? segmentSource(part) : glob(parts(part, "all"))));
    return (value) => {
      if (!segments(value)) return false;
      if (!components) return true;
      const have = arnComponents(value);
      return have !== undefined && components.every((matches, i) => matches(have[i]));
    };
  })(resource);
}

/** StringLike: whether `pattern` matches `value`, case-sensitively, `*` and `?` anywhere (colons too). */
export function stringLike(pattern: string, value: string): boolean {
  return matcher("string", pattern, (p) => regexMatcher(glob(parts(p, "fixed"))))(value);
}

/**
 * ArnLike (and ArnEquals): whether `pattern` matches the ARN `arn` component by component, case-sensitively, `*` and
 * `?` within a component. A pattern or value of fewer than six components matches nothing.
 */
export function arnLike(pattern: string, arn: string): boolean {
  return matcher("arn", pattern, (p) => {
    const components = arnComponents(p)?.map((part) => regexMatcher(glob(parts(part, "fixed"))));
    return (value) => {
      const have = arnComponents(value);
      return components !== undefined && have !== undefined && components.every((matches, i) => matches(have[i]));
    };
  })(arn);
}

/** A String or ARN condition operator as IAM evaluates one policy value against one request value. */
export interface ConditionOperator {
  /** StringNot…, ArnNot…: the condition holds when no policy value matches. */
  negated: boolean;
  matches(policyValue: string, requestValue: string): boolean;
}

const EXACT = (policyValue: string, requestValue: string) => withFixedVariables(policyValue) === requestValue;
const IGNORING_CASE = (policyValue: string, requestValue: string) => withFixedVariables(policyValue).toLowerCase() === requestValue.toLowerCase();

/**
 * The String and ARN condition operators (without `IfExists` or a ForAllValues:/ForAnyValue: qualifier):
 * StringEquals exact and case-sensitive, StringEqualsIgnoreCase ignoring case (both with the fixed variables as their
 * characters), StringLike stringLike; ArnEquals and ArnLike both arnLike; each Not… form negated. undefined for any
 * other operator.
 */
export function conditionOperator(operator: string): ConditionOperator | undefined {
  const match = /^(String|Arn)(Not)?(Equals|Like|EqualsIgnoreCase)$/.exec(operator);
  if (!match || (match[1] === "Arn" && match[3] === "EqualsIgnoreCase")) return undefined;
  const matches = match[1] === "Arn" ? (p: string, v: string) => arnLike(p, v) : match[3] === "Like" ? (p: string, v: string) => stringLike(p, v) : match[3] === "Equals" ? EXACT : IGNORING_CASE;
  return { negated: match[2] !== undefined, matches };
}

/**
 * API operations IAM authorises under another action's name, by service (for Workflow's SDK Tasks, the rules and the
 * local SQS server; the local S3 server and API Gateway's S3 integrations read S3's from the request, with the resource,
 * in local/s3-server.ts s3Permission and local/aws-service-integration.ts s3Authorisation):
 * - batches as their single action: SQS's ("You cannot set permissions explicitly for SendMessageBatch,
 *   DeleteMessageBatch, and ChangeMessageVisibilityBatch. Setting permissions for SendMessage, DeleteMessage, or
 *   ChangeMessageVisibility sets permissions for the corresponding batch versions",
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html), and SNS PublishBatch
 *   as sns:Publish (not confirmed in AWS's own words: see components/workflow/integrations.ts SDK_INTEGRATIONS);
 *   DynamoDB's BatchWriteItem and BatchGetItem are IAM actions of their own;
 * - Lambda's Invoke as lambda:InvokeFunction (the Service Authorization Reference; lambda-api-permissions-ref.html),
 *   and InvokeWithResponseStream too (API_InvokeWithResponseStream: "This operation requires permission for the
 *   lambda:InvokeFunction action");
 * - S3's ListObjectsV2 as s3:ListBucket ("You must have permission to perform the s3:ListBucket action"), HeadObject as
 *   s3:GetObject ("To use HEAD, you must have the s3:GetObject permission") and ListBuckets as s3:ListAllMyBuckets ("you
 *   must have the s3:ListAllMyBuckets permission"), each API reference's Permissions section.
 * Not here: DynamoDB's TransactWriteItems/TransactGetItems (each item is authorised as its own action,
 * TRANSACTION_ITEM_ACTIONS) and PartiQL's ExecuteStatement/BatchExecuteStatement/ExecuteTransaction (each statement as
 * dynamodb:PartiQL*, local/dynamodb/authorise.ts): no one action names them, so they keep their own name here and
 * their callers authorise them item by item. Other operations whose IAM action differs are not listed (not sourced yet).
 */
const IAM_ACTION_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  sqs: { SendMessageBatch: "SendMessage", DeleteMessageBatch: "DeleteMessage", ChangeMessageVisibilityBatch: "ChangeMessageVisibility" },
  sns: { PublishBatch: "Publish" },
  lambda: { Invoke: "InvokeFunction", InvokeWithResponseStream: "InvokeFunction" },
  s3: { ListObjectsV2: "ListBucket", HeadObject: "GetObject", ListBuckets: "ListAllMyBuckets" },
};

/** The IAM action name (without its prefix) an API operation is authorised as (`sqs`, `SendMessageBatch` → `SendMessage`; `lambda`, `Invoke` → `InvokeFunction`); any other as itself. */
export function iamActionOf(service: string, operation: string): string {
  return IAM_ACTION_NAMES[service]?.[operation] ?? operation;
}

/**
 * "Permissions for Put, Update, Delete, and Get actions are governed by the permissions used for the underlying
 * PutItem, UpdateItem, DeleteItem, and GetItem operations. For the ConditionCheck action, you can use the
 * dynamodb:ConditionCheckItem permission" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export const TRANSACTION_ITEM_ACTIONS: Readonly<Record<string, string>> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};
