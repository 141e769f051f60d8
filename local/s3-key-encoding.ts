/**
 * S3's one URL encoding of a key, for the two places S3 writes keys encoded: a listing under `encoding-type=url`
 * (local/s3-server.ts) and an event notification's `s3.object.key` (local/s3-events.ts).
 *
 * Each UTF-8 byte but the letters, digits, `-_.*` and `/` as `%XX` (upper-case hex), a space as `+`: the
 * application/x-www-form-urlencoded serializer (https://url.spec.whatwg.org/#concept-urlencoded-byte-serializer,
 * which keeps exactly `*-._` and the alphanumerics; java.net.URLEncoder the same) with `/` kept, so a key's `/` stays a
 * path, a control character or a character XML 1.0 cannot carry becomes plain ASCII, and a key holding `+` is told
 * from one holding a space (`a+b` is `a%2Bb`).
 *
 * Listings: the API reference's one example (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html,
 * EncodingType): "the object test_file(3).png will appear as test_file%283%29.png", so `(` and `)` are encoded
 * (encodeURIComponent keeps them). The space as `+` is S3's as boto/boto#2654, bcgov/gwells#1801 and
 * brekkylab/backlot#178 observed it and MinIO writes it (cmd/api-utils.go s3URLEncode, which also keeps `*` and encodes
 * `~`); ceph/s3-tests test_bucket_list_encoding_basic expects `%20` instead (`quux%20ab/`). The SDKs that decode such a
 * listing read `+` as a space: botocore's decode_list_object (urllib unquote_plus), the Java SDK v2's
 * DecodeUrlEncodedResponseInterceptor (java.net.URLDecoder); @aws-sdk/client-s3 (v3) decodes nothing.
 *
 * Events: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html: "The object key
 * name value is URL encoded. For example, "red flower.jpg" becomes "red+flower.jpg" (Amazon S3 returns
 * "application/x-www-form-urlencoded" as the content type in the response)", i.e. the same form encoding; `/` kept as
 * minio/minio#11665 reports of AWS's SQS events ("the slash character is not encoded, while otherwise using
 * query-style encoding (eg space -> +)") and minio/minio-js#1041 of AWS's; `@` as `%40` (LocalStack's AWS-validated
 * test_key_encoding), `=` as `%3D` (aws/aws-sam-cli#379, as reported of real events), `:` as `%3A` (aws/aws-sdk-js#837, which in 2015
 * also saw `/` as `%2F`). Not confirmed against S3: `(` `)` `!` `'` `~` encoded and `*` kept in an event (the form
 * encoding says so; no recorded event with them was found), and the same for a listing's `*` `~` `!` `'`.
 *
 * Readers decode it with form decoding (`+` as a space, then %XX): urllib unquote_plus, java.net.URLDecoder, Go's
 * url.QueryUnescape, or decodeURIComponent after `+` → space (handlers/thumbnail/index.ts decodeEventKey).
 */
export function s3UrlEncodeKey(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.*\/]/.test(c) ? c : c === " " ? "+" : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
