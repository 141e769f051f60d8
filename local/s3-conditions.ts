/**
 * S3's conditional requests on an object (local/s3-server.ts): reads (GetObject, HeadObject) answer 304 Not Modified
 * or 412 PreconditionFailed by If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since; writes
 * (PutObject, CompleteMultipartUpload) by If-None-Match: * and If-Match.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html and API_HeadObject.html (IfMatch,
 * IfNoneMatch, IfModifiedSince, IfUnmodifiedSince: "If both of the If-None-Match and If-Modified-Since headers are
 * present in the request as follows: If-None-Match condition evaluates to false, and; If-Modified-Since condition
 * evaluates to true; then, S3 returns 304 Not Modified"; "If both of the If-Match and If-Unmodified-Since headers are
 * present … If-Match condition evaluates to true, and; If-Unmodified-Since condition evaluates to false; then, S3
 * returns 200 OK and the data requested"; "For more information about conditional requests, see RFC 7232"), read
 * here through the SDK references generated from the same model (sdk-for-kotlin GetObjectRequest.ifNoneMatch …);
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html; RFC 9110 §13 (which replaced
 * RFC 7232). What S3 answers where the pages are silent was read from LocalStack's test of GetObject and HeadObject
 * recorded against AWS (tests/aws/services/s3/test_s3.py test_s3_get_object_preconditions and its snapshot, 2026):
 * a failing If-Match is 412 with Condition If-Match even when every other header would fail too, then
 * If-Unmodified-Since (412), then If-None-Match (304), then If-Modified-Since (304); an ETag without its quotes
 * matches; a date equal to Last-Modified (to the second) is "not modified"; an If-Modified-Since in the future is
 * ignored (200); a 304 has no body, and HEAD's 412 none either.
 */
import type { IncomingHttpHeaders } from "node:http";
import { header, S3Error } from "./s3-auth";

/** What a precondition is checked against: the object's ETag (quoted, as stored) and Last-Modified. */
export interface Validators {
  etag: string;
  lastModified: Date;
}

const preconditionFailed = (condition: string) => new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: condition });

/**
 * A GetObject's or HeadObject's preconditions, in RFC 9110 §13.2.2's order (the one AWS was recorded answering):
 * If-Match, else If-Unmodified-Since, fail with 412 (thrown as S3's PreconditionFailed with its Condition); then
 * If-None-Match, else If-Modified-Since, answer "not-modified" (304). A date that is not an HTTP-date is ignored, as
 * RFC 9110 §13.1.3 and §13.1.4 say and S3 does (minio/minio#4082: a malformed date "succeeds in amazon s3"), and so
 * is an If-Modified-Since later than now (§13.1.3; recorded of AWS). Checked before a Range is read, so a failed
 * precondition wins over a 206 or a 416 (§13.2.2 step 5).
 *
 * Not confirmed of S3: an If-None-Match naming no current ETag beside an If-Modified-Since that would say "not
 * modified" is 200 here, as RFC 9110 says (the If-Modified-Since is not evaluated); MinIO and LocalStack answer 304.
 */
export function readPreconditions(headers: IncomingHttpHeaders, object: Validators, now = Date.now()): "not-modified" | undefined {
  const lastModified = Math.floor(object.lastModified.getTime() / 1000) * 1000; // Last-Modified is sent to the second
  const ifMatch = header(headers, "if-match");
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, object.etag, "strong")) throw preconditionFailed("If-Match");
  } else {
    const unmodifiedSince = parseHttpDate(header(headers, "if-unmodified-since"));
    if (unmodifiedSince !== undefined && lastModified > unmodifiedSince) throw preconditionFailed("If-Unmodified-Since");
  }
  const ifNoneMatch = header(headers, "if-none-match");
  if (ifNoneMatch !== undefined) return etagListMatches(ifNoneMatch, object.etag, "weak") ? "not-modified" : undefined;
  const modifiedSince = parseHttpDate(header(headers, "if-modified-since"));
  if (modifiedSince !== undefined && modifiedSince <= now && lastModified <= modifiedSince) return "not-modified";
  return undefined;
}

/**
 * Conditional writes (PutObject, CompleteMultipartUpload): `If-None-Match: *` writes only a key that does not exist,
 * `If-Match: <etag>` only over the object with that ETag; otherwise 412 PreconditionFailed, and If-Match on a missing
 * key 404 NoSuchKey (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html IfNoneMatch, IfMatch). The object the write would
 * replace is looked up (`existingObject`) only when the request has one of them: most writes have neither.
 */
export function writePreconditions(headers: IncomingHttpHeaders, existingObject: () => Validators | undefined): void {
  const ifNoneMatch = header(headers, "if-none-match")?.trim() === "*";
  const ifMatch = header(headers, "if-match");
  if (!ifNoneMatch && ifMatch === undefined) return;
  const existing = existingObject();
  if (ifNoneMatch && existing) throw preconditionFailed("If-None-Match");
  if (ifMatch === undefined) return;
  if (!existing) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
  if (!etagListMatches(ifMatch, existing.etag, "strong")) throw preconditionFailed("If-Match");
}

/**
 * Whether an If-Match or If-None-Match value (`*`, or a comma-separated list of entity tags) names `etag`. A tag is
 * compared without its quotes: AWS matches `If-None-Match: 8d77…` as `"8d77…"` (recorded, above). If-Match compares
 * strongly, so a weak tag (`W/"…"`) never matches; If-None-Match weakly, ignoring the `W/` (RFC 9110 §8.8.3.2,
 * §13.1.1, §13.1.2). S3's ETags are strong.
 */
export function etagListMatches(value: string, etag: string, comparison: "strong" | "weak"): boolean {
  const current = unquoted(etag);
  return value.split(",").some((member) => {
    const tag = member.trim();
    if (tag === "*") return true;
    const weak = tag.startsWith("W/");
    if (weak && comparison === "strong") return false;
    return unquoted(weak ? tag.slice(2) : tag) === current;
  });
}

const unquoted = (tag: string) => tag.trim().replace(/^"(.*)"$/, "$1");

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
/** RFC 9110 §5.6.7's three forms: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept. */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * The time (ms) of an HTTP-date (RFC 9110 §5.6.7: `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`
 * or `Sun Nov  6 08:49:37 1994`), or undefined for anything else — an ISO 8601 date, a number, a date that does not
 * exist — which a precondition then ignores. JavaScript's Date.parse would take many of those.
 */
export function parseHttpDate(value: string | undefined, now = Date.now()): number | undefined {
  const text = value?.trim() ?? "";
  let parts: { day: string; month: string; year: number; hour: string; minute: string; second: string } | undefined;
  let match = IMF_FIXDATE.exec(text);
  if (match) parts = { day: match[1], month: match[2], year: Number(match[3]), hour: match[4], minute: match[5], second: match[6] };
  else if ((match = RFC850_DATE.exec(text))) {
    // "Recipients of a timestamp value in rfc850-date format, which uses a two-digit year, MUST interpret a timestamp
    // that appears to be more than 50 years in the future as representing the most recent year in the past that had
    // the same last two digits" (RFC 9110 §5.6.7).
    const thisYear = new Date(now).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(match[3]);
    if (year > thisYear + 50) year -= 100;
    parts = { day: match[1], month: match[2], year, hour: match[4], minute: match[5], second: match[6] };
  } else if ((match = ASCTIME_DATE.exec(text))) {
    parts = { day: match[2], month: match[1], year: Number(match[6]), hour: match[3], minute: match[4], second: match[5] };
  }
  if (!parts) return undefined;
  const [day, month, hour, minute, second] = [Number(parts.day), MONTHS.indexOf(parts.month), Number(parts.hour), Number(parts.minute), Number(parts.second)];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const time = Date.UTC(parts.year, month, day, hour, minute, Math.min(second, 59));
  // 31 Feb would roll over into March: a date that does not exist is not a date.
  return new Date(time).getUTCDate() === day ? time : undefined;
}

/**
 * A copy's conditions on its source (CopyObject, UploadPartCopy): x-amz-copy-source-if-match, -if-none-match,
 * -if-modified-since and -if-unmodified-since, evaluated as a GetObject's If-* headers are (readPreconditions), except
 * that every failure is 412 PreconditionFailed: "If both the x-amz-copy-source-if-none-match and
 * x-amz-copy-source-if-modified-since headers are present in the request and evaluate as follows, Amazon S3 returns the
 * 412 Precondition Failed response code: x-amz-copy-source-if-none-match condition evaluates to false;
 * x-amz-copy-source-if-modified-since condition evaluates to true", and "If both the x-amz-copy-source-if-match and
 * x-amz-copy-source-if-unmodified-since headers are present … if-match condition evaluates to true, and;
 * if-unmodified-since condition evaluates to false; Amazon S3 returns 200 OK and copies the data"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html and API_UploadPartCopy.html, read through the
 * SDK references generated from the same model: sdk-for-kotlin CopyObjectRequest.copySourceIfNoneMatch,
 * UploadPartCopyRequest.copySourceIfNoneMatch). A copy-source-if-modified-since in the future is ignored, as for a
 * GET: a copy with one in the future was answered 200 (re:Post "aws copy-object api copies data even if
 * x-amz-copy-source-if-modified-since is false", 2022). Not confirmed: the Condition S3 names in the 412 (taken: the
 * header's name).
 */
export function copySourcePreconditions(headers: IncomingHttpHeaders, source: Validators, now = Date.now()): void {
  const copy = (name: string) => header(headers, `x-amz-copy-source-${name}`);
  const mapped: IncomingHttpHeaders = {
    "if-match": copy("if-match"),
    "if-none-match": copy("if-none-match"),
    "if-modified-since": copy("if-modified-since"),
    "if-unmodified-since": copy("if-unmodified-since"),
  };
  let outcome: "not-modified" | undefined;
  try {
    outcome = readPreconditions(mapped, source, now);
  } catch (error) {
    if (error instanceof S3Error && error.details.Condition) throw preconditionFailed(`x-amz-copy-source-${error.details.Condition.toLowerCase()}`);
    throw error;
  }
  if (outcome === "not-modified") {
    throw preconditionFailed(mapped["if-none-match"] !== undefined ? "x-amz-copy-source-if-none-match" : "x-amz-copy-source-if-modified-since");
  }
}
