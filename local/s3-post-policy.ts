/**
 * S3's POST Object with a SigV4 POST policy — the browser upload `@aws-sdk/s3-presigned-post`'s createPresignedPost
 * signs — for the local S3 server (local/s3-server.ts): the multipart/form-data body, the policy's signature, its
 * expiration and conditions, and the fields every condition must cover.
 *
 * AWS documents it in https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html (form fields; the file
 * is last, fields after it are ignored), sigv4-HTTPPOSTConstructPolicy.html (expiration; exact, starts-with and
 * content-length-range conditions; "Each form field that you specify in a form (except x-amz-signature, file, policy,
 * and field names that have an x-ignore- prefix) must appear in the list of conditions"), sigv4-post-example.html and
 * sigv4-authentication-HTTPPOST.html (the signature: HMAC-SHA256 of the base64 policy with the SigV4 signing key), and
 * RESTObjectPOST.html (success_action_status 200, 201 with a PostResponse document, or 204, the default;
 * success_action_redirect; `${filename}` in the key). Every failure is the S3Error S3 answers with.
 */
import { noSuchBucket, S3Error, signatureDoesNotMatch, type S3Credentials } from "./s3-auth";
import { ALGORITHM_IDENTIFIER, isLongDate, parseCredential, parseLongDate, sameSignature, signStringWithScope } from "./sigv4-verify";
import { storedHeadersFrom, type StoredHeaders } from "./s3-system-metadata";

/**
 * A POST's form as its policy is checked against it (verifyPostPolicy): its fields before the file, in order, and the
 * file's name and size — undefined while the file is still arriving, when content-length-range is not yet decided.
 */
export interface PostForm {
  fields: Array<[name: string, value: string]>;
  file: { filename: string; size?: number };
}

/** A multipart/form-data body read up to its file (readMultipartForm): the fields, and the file's bytes as they arrive. */
export interface StreamedPostForm {
  fields: PostForm["fields"];
  file: { filename: string; body: AsyncGenerator<Buffer> };
}

/** The form fields at most: S3 does not document a number; this keeps a hostile form from costing much. */
const MAX_FIELDS = 1000;

/**
 * The bytes of the form before the file's content, at most. S3 answers a larger one 400 MaxPostPreDataLengthExceeded
 * with `<MaxPostPreDataLengthBytes>20480</MaxPostPreDataLengthBytes>` (its answers quoted in
 * waynehoover/s3_direct_upload#45 and benefitcloud/ember-uploader#45; ErrorResponses.html lists the code, not the
 * number). Whether S3 counts the parts' headers and boundaries too is not documented: they are counted here.
 */
export const MAX_POST_PRE_DATA = 20480;

export interface MultipartLimits {
  /** The file's bytes at most (S3: 5 GB, as for a PUT); a larger file is 400 EntityTooLarge. The rest of the form does not count. */
  maxFileBytes: number;
}

const malformed = () => new S3Error(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");

/** Whether a request is a POST Object: a POST of the bucket itself, without a subresource, carrying a form. */
export function isPostObject(method: string, key: string, query: Record<string, unknown>, contentType: string | undefined): boolean {
  return method === "POST" && key === "" && Object.keys(query).length === 0 && /^multipart\/form-data\s*;/i.test(contentType ?? "");
}

/**
 * The fields and the file of a multipart/form-data body (RFC 7578), read as it arrives: the form before the file (at
 * most MAX_POST_PRE_DATA, held) is parsed, and the file's bytes are passed on as they come (`file.body`), never held
 * whole. Parts after the file are ignored, as S3 ignores them (read and dropped); a body that does not parse is S3's
 * 400 MalformedPOSTRequest — for the file, when the body ends before the boundary that closes it — and one that
 * parses but holds no file its 400 InvalidArgument "POST requires exactly one file upload per request." (below). Sizes
 * are the file's own and the form's before it, never the whole body's: content-length-range and the 5 GB limit are on
 * the file ("content-length-range: The minimum and maximum allowable size for the uploaded content",
 * sigv4-HTTPPOSTConstructPolicy.html). A file over `maxFileBytes` is read to its end but passed on no further than
 * the limit, and is 400 EntityTooLarge with its whole size once it has ended.
 *
 * A form whose first MAX_POST_PRE_DATA bytes (and a boundary's) hold no file part's start is answered
 * MaxPostPreDataLengthExceeded without reading further, whether or not a file or the form's end comes later.
 */
export async function readMultipartForm(source: AsyncIterable<Buffer>, contentType: string, limits: MultipartLimits): Promise<StreamedPostForm> {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  if (!match) throw malformed();
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const chunks = source[Symbol.asyncIterator]();
  let raw = Buffer.alloc(0);
  let ended = false;
  for (;;) {
    const form = formBeforeFile(raw, delimiter, ended);
    if (form) return { fields: form.fields, file: { filename: form.filename, body: fileBody(raw.subarray(form.fileStart), chunks, delimiter, limits.maxFileBytes) } };
    if (raw.length > MAX_POST_PRE_DATA + delimiter.length + 4) throw preDataTooLarge();
    const next = await chunks.next();
    if (next.done) ended = true;
    else raw = Buffer.concat([raw, next.value]);
  }
}

const preDataTooLarge = () =>
  new S3Error(400, "MaxPostPreDataLengthExceeded", "Your POST request fields preceeding the upload file was too large.", { MaxPostPreDataLengthBytes: String(MAX_POST_PRE_DATA) });

/**
 * The fields of a form's start `raw` and where its file's bytes start; undefined when `raw` (not yet `ended`) ends
 * before the file's part does.
 */
function formBeforeFile(raw: Buffer, delimiter: Buffer, ended: boolean): { fields: PostForm["fields"]; filename: string; fileStart: number } | undefined {
  const short = (): undefined => {
    if (ended) throw malformed();
    return undefined;
  };
  let at = raw.indexOf(delimiter);
  if (at < 0) return short();
  const fields: PostForm["fields"] = [];
  for (;;) {
    at += delimiter.length;
    if (raw.length < at + 2) return short();
    // `--` after a delimiter closes the body.
    if (raw.subarray(at, at + 2).toString("latin1") === "--") break;
    if (raw.subarray(at, at + 2).toString("latin1") !== "\r\n") throw malformed();
    const headersEnd = raw.indexOf("\r\n\r\n", at + 2);
    if (headersEnd < 0) return short();
    if (headersEnd + 4 > MAX_POST_PRE_DATA) throw preDataTooLarge();
    const headers = raw.subarray(at + 2, headersEnd).toString("utf8");
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1];
    if (disposition === undefined) throw malformed();
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw malformed();
    // The file is the field named `file` (sigv4-UsingHTTPPOST.html); "Any fields below it are ignored".
    if (name.toLowerCase() === "file") return { fields, filename: filename ?? "", fileStart: headersEnd + 4 };
    const next = raw.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headersEnd + 4);
    if (next < 0) return short();
    if (fields.length >= MAX_FIELDS) throw malformed();
    fields.push([name, raw.subarray(headersEnd + 4, next).toString("utf8")]);
    at = next + 2;
  }
  throw new S3Error(400, "InvalidArgument", "POST requires exactly one file upload per request.", { ArgumentName: "file", ArgumentValue: "0" });
}

/**
 * A file part's bytes, `first` and then what `rest` brings, up to the boundary that closes the part (held back until
 * it is known not to start one); the body after it is read and dropped. Past `maxFileBytes` nothing more is passed on,
 * and once the file has ended it is S3's answer to an upload over its limit (ErrorResponses.html, EntityTooLarge),
 * ProposedSize the file's size (what S3 puts there for a POST is not documented).
 */
async function* fileBody(first: Buffer, rest: AsyncIterator<Buffer>, delimiter: Buffer, maxFileBytes: number): AsyncGenerator<Buffer> {
  const closing = Buffer.concat([Buffer.from("\r\n"), delimiter]);
  let pending = first;
  let size = 0;
  for (;;) {
    const at = pending.indexOf(closing);
    const out = pending.subarray(0, at >= 0 ? at : Math.max(0, pending.length - (closing.length - 1)));
    size += out.length;
    if (out.length > 0 && size <= maxFileBytes) yield out;
    if (at >= 0) break;
    pending = pending.subarray(out.length);
    const next = await rest.next();
    if (next.done) throw malformed();
    pending = Buffer.concat([pending, next.value]);
  }
  for (let next = await rest.next(); !next.done; next = await rest.next());
  if (size > maxFileBytes) throw new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", { ProposedSize: String(size), MaxSizeAllowed: String(maxFileBytes) });
}

/** What an accepted POST stores, and how to answer it. */
export interface AcceptedPost extends StoredHeaders {
  /** Who signed the policy: the credential's access key, authorised as for any signed request. */
  accessKeyId: string;
  /** The key, `${filename}` replaced by the file's name. */
  key: string;
  contentType?: string;
  metadata: Record<string, string>;
  /** 200, 201 or 204 (the default, and what any other value means). */
  successStatus: 200 | 201 | 204;
  successRedirect?: string;
}

export interface PostPolicyOptions {
  bucket: string;
  credentials: readonly S3Credentials[];
  /** The bucket's region; a credential scoped to another region is refused. */
  region?: string;
  /**
   * Whether the bucket exists. S3 answers a POST to a missing bucket 404 NoSuchBucket once the form's signature checks
   * out, before the policy decides anything (see verifyPostPolicy).
   */
  bucketExists: boolean;
  now?: Date;
}

/** Fields a policy never has to name (sigv4-HTTPPOSTConstructPolicy.html, Conditions). */
const UNCOVERED = new Set(["policy", "x-amz-signature", "file"]);

/**
 * Checks the form's signature, the policy's expiration and every condition, and that no field goes unnamed, as S3 does
 * before it stores the file; throws the S3Error S3 answers with.
 *
 * In S3's order as far as it is known: the form (MalformedPOSTRequest, a missing field), then who signed
 * (InvalidAccessKeyId, SignatureDoesNotMatch), then the bucket (NoSuchBucket), then the access decision (no policy:
 * AccessDenied; the policy's document, expiration and conditions). An AWS engineer's probe of S3
 * (aws/aws-sdk-java#1256, with GetBucketAcl requests, not POSTs) found InvalidAccessKeyId and SignatureDoesNotMatch
 * answered for a bucket that does not exist, and anonymous requests answered 404 NoSuchBucket for a missing bucket and
 * 403 AccessDenied for an existing one. That a POST is answered in the same order, and InvalidPolicyDocument only for a
 * bucket that exists, is inferred from it, not confirmed.
 */
export async function verifyPostPolicy(form: PostForm, options: PostPolicyOptions): Promise<AcceptedPost> {
  // Form field names are not case-sensitive (sigv4-HTTPPOSTConstructPolicy.html, Condition Matching: "$key", "$Content-Type").
  const fields = new Map<string, string>();
  for (const [name, value] of form.fields) {
    const lower = name.toLowerCase();
    if (fields.has(lower)) throw new S3Error(400, "InvalidArgument", `POST requires exactly one value for field '${name}'.`, { ArgumentName: name });
    fields.set(lower, value);
  }
  const field = (name: string) => fields.get(name.toLowerCase());
  const required = (name: string) => {
    const value = field(name);
    if (value === undefined) throw new S3Error(400, "InvalidArgument", `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, { ArgumentName: name, ArgumentValue: "" });
    return value;
  };
  required("key");
  const policy = field("policy");
  // The buckets this server stands in for are private: a POST without a policy is anonymous.
  if (policy === undefined) throw options.bucketExists ? new S3Error(403, "AccessDenied", "Access Denied") : noSuchBucket(options.bucket);
  const algorithm = required("X-Amz-Algorithm");
  if (algorithm !== ALGORITHM_IDENTIFIER) throw new S3Error(400, "InvalidArgument", "Only AWS4-HMAC-SHA256 is supported.", { ArgumentName: "x-amz-algorithm", ArgumentValue: algorithm });
  const credential = required("X-Amz-Credential");
  const longDate = required("X-Amz-Date");
  const signature = required("X-Amz-Signature");
  const claim = parseCredential(credential);
  const badCredential = (reason: string) => new S3Error(400, "InvalidArgument", `Invalid credential: ${reason}`, { ArgumentName: "x-amz-credential", ArgumentValue: credential });
  if (!claim) throw badCredential("a non-empty Access Key (AKID) must be provided in the credential.");
  if (!isLongDate(longDate)) throw new S3Error(400, "InvalidArgument", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", { ArgumentName: "x-amz-date", ArgumentValue: longDate });
  if (claim.scope.service !== "s3") throw badCredential(`incorrect service "${claim.scope.service}". This endpoint belongs to "s3".`);
  if (claim.scope.terminator !== "aws4_request") throw badCredential(`incorrect terminal "${claim.scope.terminator}". This endpoint uses "aws4_request".`);
  if (options.region && claim.scope.region !== options.region) throw badCredential(`the region '${claim.scope.region}' is wrong; expecting '${options.region}'`);
  if (claim.scope.date !== longDate.slice(0, 8)) throw badCredential("Invalid credential date. Date is not the same as X-Amz-Date.");
  const secret = options.credentials.find((c) => c.accessKeyId === claim.accessKeyId);
  if (!secret) throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", { AWSAccessKeyId: claim.accessKeyId });
  const expected = await signStringWithScope(policy, claim.scope, secret);
  if (!sameSignature(expected, signature)) {
    throw signatureDoesNotMatch(claim.accessKeyId, policy, signature);
  }
  if (!options.bucketExists) throw noSuchBucket(options.bucket);

  const document = parsePolicy(policy);
  const now = options.now ?? new Date();
  if (now.getTime() > document.expiration.getTime()) throw new S3Error(403, "AccessDenied", "Invalid according to Policy: Policy expired.");

  // The values conditions are checked against: the form's fields, `${filename}` already replaced, and the bucket of the
  // URL. S3 replaces it before it checks: an exact condition on a field holding `${filename}` fails on AWS, which is why
  // createPresignedPost turns a Key ending in `${filename}` into a starts-with condition (aws/aws-sdk-js-v3
  // packages/s3-presigned-post/src/createPresignedPost.ts; aws/aws-sdk-js-v3#7771 for the other fields).
  const values = new Map([...fields].map(([name, value]) => [name, withFilename(value, form.file.filename)]));
  values.set("bucket", options.bucket);
  const covered = new Set<string>();
  for (const condition of document.conditions) {
    const failed = () => new S3Error(403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ${describe(condition)}`);
    if (Array.isArray(condition) && condition[0] === "content-length-range") {
      const [, min, max] = condition as unknown[];
      if (!isCount(min) || !isCount(max)) throw invalidPolicy("Invalid content-length-range.");
      // S3 answers a file outside the range as it answers any upload too small or too large (ErrorResponses.html).
      // Decided once the file has arrived (size known); until then the rest of the policy is.
      const size = form.file.size;
      if (size === undefined) continue;
      if (size > max) throw new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", { ProposedSize: String(size), MaxSizeAllowed: String(max) });
      if (size < min) throw new S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", { ProposedSize: String(size), MinSizeAllowed: String(min) });
      continue;
    }
    const { operator, name, expected: wanted } = conditionParts(condition);
    covered.add(name);
    // A condition on a field the form does not send fails, even `["starts-with", "$Content-Type", ""]`: S3 answered
    // "Policy Condition failed: [\"starts-with\", \"$content-type\", \"\"]" to forms without one
    // (waynehoover/s3_direct_upload#107; tj/node-s3-policy#8 for "$Content-Length", which no form sends).
    const actual = values.get(name);
    if (actual === undefined || (operator === "eq" ? actual !== wanted : !startsWith(name, actual, wanted))) throw failed();
  }
  const extra = [...fields.keys()].filter((name) => !UNCOVERED.has(name) && !name.startsWith("x-ignore-") && !covered.has(name));
  if (extra.length > 0) throw new S3Error(403, "AccessDenied", `Invalid according to Policy: Extra input fields: ${extra.map((lower) => form.fields.find(([n]) => n.toLowerCase() === lower)![0]).join(", ")}`);

  const metadata: Record<string, string> = {};
  for (const [name, value] of values) if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;
  const status = values.get("success_action_status");
  return {
    accessKeyId: claim.accessKeyId,
    key: values.get("key")!,
    contentType: values.get("content-type"),
    ...storedHeadersFrom((name) => values.get(name)),
    metadata,
    successStatus: status === "200" ? 200 : status === "201" ? 201 : 204,
    // "If Amazon S3 cannot interpret the URL, it acts as if the field is not present" (RESTObjectPOST.html): the
    // status then answers, not a 500 after the object was stored.
    successRedirect: redirectUrl(values.get("success_action_redirect") ?? values.get("redirect")),
  };
}

/** `${filename}` replaced by the uploaded file's name (RESTObjectPOST.html, key). */
function withFilename(value: string, filename: string): string {
  return value.split("${filename}").join(filename);
}

const invalidPolicy = (reason: string) => new S3Error(400, "InvalidPolicyDocument", `Invalid Policy: ${reason}`);

function parsePolicy(encoded: string): { expiration: Date; conditions: unknown[] } {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    throw invalidPolicy("Invalid JSON.");
  }
  if (typeof document !== "object" || document === null) throw invalidPolicy("Invalid JSON.");
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy("Policy missing expiration.");
  const expires = expirationOf(expiration);
  if (!expires) throw invalidPolicy(`Invalid 'expiration' value: '${typeof expiration === "string" ? expiration : JSON.stringify(expiration)}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy("Policy missing conditions.");
  return { expiration: expires, conditions };
}

/**
 * A policy's expiration: "in ISO8601 GMT date format. For example, 2013-08-01T12:00:00.000Z"
 * (sigv4-HTTPPOSTConstructPolicy.html, Expiration) — a date, `T`, a time to the second, an optional fraction, `Z`.
 * Date.parse takes far more ("2011-09-13 07:52:58 UTC", "Sep 13 2011", an offset), and S3 refused
 * `'2011-09-13T07:52:58+02:00'` with "Invalid Policy: Invalid 'expiration' value: '…'" (dwilkie/carrierwave_direct#2;
 * #20 for Ruby's `Time#to_s`, "2012-03-25 12:00:00 UTC"). Without a fraction is accepted: boto3, the Ruby SDK and PHP's
 * PostObjectV4 send none. How many fraction digits S3 takes is not documented: any number is taken here. A date that
 * is not in the calendar (02-30, hour 24) is refused.
 */
function expirationOf(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const milliseconds = Number(`0.${match[7] ?? "0"}`) * 1000;
  // Set field by field: Date.UTC would take years 0-99 as 1900-1999.
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  calendar.setUTCHours(hour, minute, second, 0);
  const inCalendar = calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day && calendar.getUTCHours() === hour && calendar.getUTCMinutes() === minute && calendar.getUTCSeconds() === second;
  return inCalendar ? new Date(calendar.getTime() + milliseconds) : undefined;
}

/** `{"name": "value"}` and `["eq", "$name", "value"]` are exact matches; `["starts-with", "$name", "prefix"]` a prefix. */
function conditionParts(condition: unknown): { operator: "eq" | "starts-with"; name: string; expected: string } {
  if (Array.isArray(condition)) {
    const [operator, variable, expected] = condition as unknown[];
    if ((operator !== "eq" && operator !== "starts-with") || typeof variable !== "string" || !variable.startsWith("$") || typeof expected !== "string" || condition.length !== 3) {
      throw invalidPolicy(`Invalid Condition: ${describe(condition)}`);
    }
    return { operator, name: variable.slice(1).toLowerCase(), expected };
  }
  if (typeof condition === "object" && condition !== null) {
    const entries = Object.entries(condition);
    if (entries.length === 1 && typeof entries[0][1] === "string") return { operator: "eq", name: entries[0][0].toLowerCase(), expected: entries[0][1] };
  }
  throw invalidPolicy(`Invalid Condition: ${describe(condition)}`);
}

/** A Content-Type of several comma-separated values passes starts-with when each does (sigv4-HTTPPOSTConstructPolicy.html). */
function startsWith(name: string, actual: string, prefix: string): boolean {
  if (name === "content-type") return actual.split(",").every((value) => value.trim().startsWith(prefix));
  return actual.startsWith(prefix);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A condition as S3 quotes it in the error message: `["starts-with", "$key", "uploads/"]`, `["eq", "$bucket", "photos"]`. */
function describe(condition: unknown): string {
  if (Array.isArray(condition)) return `[${condition.map((part) => JSON.stringify(part)).join(", ")}]`;
  if (typeof condition === "object" && condition !== null) {
    const [[name, value] = ["", ""]] = Object.entries(condition);
    return `["eq", ${JSON.stringify(`$${name}`)}, ${JSON.stringify(value)}]`;
  }
  return JSON.stringify(condition) ?? String(condition);
}

/** A success redirect S3 can follow: an absolute URL, else none. */
function redirectUrl(value: string | undefined): string | undefined {
  return value !== undefined && URL.canParse(value) ? value : undefined;
}
