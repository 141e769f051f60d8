/**
 * The local SQS server checks SigV4 as SQS does (review 32 F5): a request signed for another service or region, over
 * another body, with a signed header changed or host left unsigned, too old or too new, or not signed at all gets SQS's error — so a
 * signing regression in the app's hand-written sender (handlers/shared/queue-messages.ts) or an SDK client fails here,
 * not first in AWS with SignatureDoesNotMatch.
 */
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHash } from "node:crypto";
import { computeSignature, LOCAL_CREDENTIALS, toLongDate } from "../../local/sigv4-verify";
import { startLocalSqs, type LocalSqsServer } from "../../local/sqs-server";
import { queueDefinition, send, signedSqsFetch, signSqsRequest, type SignOptions } from "./sqs-helpers";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

let server: LocalSqsServer;
beforeAll(async () => {
  // Two regions behind one local endpoint: each queue's requests must be signed for its own region.
  server = await startLocalSqs({ queues: [queueDefinition("jobs", "eu-west-1"), queueDefinition("removals", "us-east-1")] });
});
afterAll(async () => {
  await server?.stop();
});

const SEND = "AmazonSQS.SendMessage";
const sendBody = (name = "jobs", body = "hello") => JSON.stringify({ QueueUrl: server.queueUrl(name), MessageBody: body });

/** Status, `__type` without its namespace, the query-compatible code (x-amzn-query-error) and message of an answer. */
async function answer(response: Response) {
  const text = await response.text();
  const json = JSON.parse(text) as { __type?: string; message?: string };
  return { status: response.status, type: json.__type?.split("#").pop(), queryError: response.headers.get("x-amzn-query-error"), message: json.message };
}

describe("local SQS server: signatures checked as SQS checks them", () => {
  it("answers an unsigned request with 403 MissingAuthenticationToken", async () => {
    const response = await fetch(server.endpoint, { method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": SEND }, body: sendBody() });
    expect(await answer(response)).toMatchObject({ status: 403, type: "MissingAuthenticationToken", queryError: "MissingAuthenticationToken;Sender" });
  });

  it("answers a signature for another service with 403 SignatureDoesNotMatch", async () => {
    expect(await answer(await signedSqsFetch(server.endpoint, SEND, sendBody(), { service: "s3" }))).toEqual({
      status: 403,
      type: "SignatureDoesNotMatch",
      queryError: "SignatureDoesNotMatch;Sender",
      message: "Credential should be scoped to correct service: 'sqs'. ",
    });
  });

  it("accepts a signature for the queue's region, and answers one for another region with 403 SignatureDoesNotMatch", async () => {
    const response = await signedSqsFetch(server.endpoint, SEND, sendBody("jobs"), { region: "eu-west-1" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ MessageId: expect.any(String) });
    // A request naming no queue (ListQueues) may be signed for any region the server has queues in, and no other.
    expect((await signedSqsFetch(server.endpoint, "AmazonSQS.ListQueues", "{}", { region: "us-east-1" })).status).toBe(200);
    expect((await signedSqsFetch(server.endpoint, "AmazonSQS.ListQueues", "{}", { region: "ap-south-1" })).status).toBe(403);
    // The function's region instead of the queue's: what RegionalApis' second region would do wrong.
    expect(await answer(await signedSqsFetch(server.endpoint, SEND, sendBody("jobs"), { region: "us-east-1" }))).toMatchObject({
      status: 403,
      type: "SignatureDoesNotMatch",
      message: "Credential should be scoped to a valid region, not 'us-east-1'. ",
    });
    expect(await answer(await signedSqsFetch(server.endpoint, SEND, sendBody("removals"), { region: "eu-west-1" }))).toMatchObject({ status: 403, type: "SignatureDoesNotMatch" });
    expect((await signedSqsFetch(server.endpoint, SEND, sendBody("removals"), { region: "us-east-1" })).status).toBe(200);
  });

  it("answers a body changed after signing with 403 SignatureDoesNotMatch, naming the canonical request SQS computed", async () => {
    const before = server.sqs.attributes("jobs").ApproximateNumberOfMessages;
    const signed = await signSqsRequest(server.endpoint, SEND, sendBody("jobs", "signed"));
    const result = await answer(await send({ ...signed, body: sendBody("jobs", "tampered") }));
    expect(result).toMatchObject({ status: 403, type: "SignatureDoesNotMatch" });
    expect(result.message).toMatch(/^The request signature we calculated does not match the signature you provided\..*The Canonical String for this request should have been\n'POST\n\/\n\ncontent-type:application\/x-amz-json-1\.0\n.*The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n/s);
    expect(server.sqs.attributes("jobs").ApproximateNumberOfMessages).toBe(before);
  });

  it("accepts an x-amz-* header added after signing (S3's rule, not shown for SQS), but not an unsigned host or x-amz-date; a changed signed header is SignatureDoesNotMatch", async () => {
    // X-Amz-Target added once the request was signed (it is then not among SignedHeaders): not refused locally, since
    // nothing shows SQS refuses unsigned x-amz-* headers (review 33 F4).
    const untargeted = await signSqsRequest(server.endpoint, undefined, sendBody("jobs", "unsigned target"));
    const late = await send({ ...untargeted, headers: { ...untargeted.headers, "x-amz-target": SEND } });
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ MessageId: expect.any(String) });
    // SigV4 requires host, and the x-amz-date sent, among the signed headers.
    const signed = await signSqsRequest(server.endpoint, SEND, sendBody());
    const without = (name: string) => ({ ...signed, headers: { ...signed.headers, authorization: signed.headers.authorization.replace(/SignedHeaders=([^,]*)/, (_, list: string) => `SignedHeaders=${list.split(";").filter((h) => h !== name).join(";")}`) } });
    expect(await answer(await send(without("host")))).toMatchObject({ status: 400, type: "IncompleteSignature", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." });
    // `:authority` stands for Host only over HTTP/2: an HTTP/1.1 request listing it (unsent, so signed as empty) instead of host is refused.
    const authorityForHost = { ...signed, headers: { ...signed.headers, authorization: signed.headers.authorization.replace(/SignedHeaders=([^,]*)/, (_, list: string) => `SignedHeaders=${[":authority", ...list.split(";").filter((h) => h !== "host")].join(";")}`) } };
    expect(await answer(await send(authorityForHost))).toMatchObject({ status: 400, type: "IncompleteSignature", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." });
    expect(await answer(await send(without("x-amz-date")))).toMatchObject({ status: 400, type: "IncompleteSignature" });
    // Content-Type changed after signing.
    expect(await answer(await send({ ...signed, headers: { ...signed.headers, "content-type": "application/x-amz-json-1.1" } }))).toMatchObject({ status: 403, type: "SignatureDoesNotMatch" });
    // An x-amz-* header of the client's own, signed, is fine.
    expect((await signedSqsFetch(server.endpoint, SEND, sendBody(), { headers: { "x-amz-meta-note": "signed" } })).status).toBe(200);
  });

  it("answers a signature dated more than 15 minutes from now with 403 SignatureDoesNotMatch (Signature expired / not yet current)", async () => {
    const old = await answer(await signedSqsFetch(server.endpoint, SEND, sendBody(), { signingDate: new Date(Date.now() - 16 * 60 * 1000) }));
    expect(old).toMatchObject({ status: 403, type: "SignatureDoesNotMatch", message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/) });
    const future = await answer(await signedSqsFetch(server.endpoint, SEND, sendBody(), { signingDate: new Date(Date.now() + 16 * 60 * 1000) }));
    expect(future).toMatchObject({ status: 403, type: "SignatureDoesNotMatch", message: expect.stringMatching(/^Signature not yet current: /) });
  });

  it("takes X-Amz-Date only in SigV4's basic format (400 IncompleteSignature otherwise), and a request dated by its Date header alone", async () => {
    const basicFormat = (got: string) => `Date must be in ISO-8601 'basic format'. Got '${got}'. See http://en.wikipedia.org/wiki/ISO_8601`;
    // Signed as an SDK signs, then the date rewritten in ISO 8601's extended format: SQS refuses the format itself.
    const signed = await signSqsRequest(server.endpoint, SEND, sendBody());
    const extended = new Date().toISOString();
    expect(await answer(await send({ ...signed, headers: { ...signed.headers, "x-amz-date": extended } }))).toMatchObject({ status: 400, type: "IncompleteSignature", message: basicFormat(extended) });
    expect(await answer(await send({ ...signed, headers: { ...signed.headers, "x-amz-date": "yesterday" } }))).toMatchObject({ status: 400, type: "IncompleteSignature", message: basicFormat("yesterday") });

    // No X-Amz-Date: the Date header (RFC 7231) is the request's date, and must be signed like any other.
    const now = new Date();
    const body = sendBody("jobs", "dated by Date");
    const headers: Record<string, string> = { host: new URL(server.endpoint).host, "content-type": "application/x-amz-json-1.0", "x-amz-target": SEND, date: now.toUTCString() };
    const longDate = toLongDate(new Date(Math.floor(now.getTime() / 1000) * 1000));
    const claim = { scope: { date: longDate.slice(0, 8), region: "eu-west-1", service: "sqs", terminator: "aws4_request" }, longDate, signedHeaders: Object.keys(headers).sort() };
    const request = { method: "POST", path: "/", query: {}, headers };
    const { signature } = await computeSignature(request, claim, LOCAL_CREDENTIALS, { payloadHash: createHash("sha256").update(body).digest("hex"), uriEscapePath: true });
    const authorization = `AWS4-HMAC-SHA256 Credential=local/${claim.scope.date}/eu-west-1/sqs/aws4_request, SignedHeaders=${claim.signedHeaders.join(";")}, Signature=${signature}`;
    const { host: _host, ...sent } = headers;
    const dated = await fetch(server.endpoint, { method: "POST", headers: { ...sent, authorization }, body });
    expect(dated.status).toBe(200);
    const badDate = await fetch(server.endpoint, { method: "POST", headers: { ...sent, date: "not a date", authorization }, body });
    expect(await answer(badDate)).toMatchObject({ status: 400, type: "IncompleteSignature", message: basicFormat("not a date") });
  });

  it("answers other credentials with 403 InvalidClientTokenId (unknown key) or SignatureDoesNotMatch (wrong secret), and a malformed Authorization with 400 IncompleteSignature", async () => {
    expect(await answer(await signedSqsFetch(server.endpoint, SEND, sendBody(), { credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "local" } }))).toMatchObject({
      status: 403,
      type: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    });
    expect(await answer(await signedSqsFetch(server.endpoint, SEND, sendBody(), { credentials: { accessKeyId: "local", secretAccessKey: "other" } }))).toMatchObject({ status: 403, type: "SignatureDoesNotMatch" });
    const malformed = await fetch(server.endpoint, { method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": SEND, authorization: "AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/sqs" }, body: sendBody() });
    expect(await answer(malformed)).toMatchObject({ status: 400, type: "IncompleteSignature" });
  });

  it("authenticates before it reads the body: a request it cannot authenticate gets the same error whatever its body says", async () => {
    // Signed for us-east-1 (a region the server has a queue in), so only the body could tell the region is the wrong one for `jobs`.
    const bodies = ["{not json", "[1]", "{}", sendBody("removals"), sendBody("jobs"), JSON.stringify({ QueueUrl: "::" }), JSON.stringify({ QueueName: "jobs" })];
    const failures: Array<[string, Record<string, string> | undefined, SignOptions, object]> = [
      ["unsigned", {}, {}, { status: 403, type: "MissingAuthenticationToken" }],
      ["a malformed Authorization", { authorization: "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/sqs" }, {}, { status: 400, type: "IncompleteSignature" }],
      ["an unknown access key", undefined, { credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "local" } }, { status: 403, type: "InvalidClientTokenId" }],
      ["a wrong secret", undefined, { credentials: { accessKeyId: "local", secretAccessKey: "other" } }, { status: 403, type: "SignatureDoesNotMatch", message: expect.stringMatching(/^The request signature we calculated does not match/) }],
    ];
    const before = ["jobs", "removals"].map((name) => server.sqs.attributes(name).ApproximateNumberOfMessages);
    for (const [label, headers, sign, expected] of failures) {
      for (const body of bodies) {
        const request = headers ? { url: server.endpoint, headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": SEND, ...headers }, body } : await signSqsRequest(server.endpoint, SEND, body, { region: "us-east-1", ...sign });
        expect({ label, body, ...(await answer(await send(request))) }).toMatchObject({ label, body, ...expected });
      }
    }
    expect(["jobs", "removals"].map((name) => server.sqs.attributes(name).ApproximateNumberOfMessages)).toEqual(before);
    // Authenticated, the same bodies get their own answers: the queue's region (SignatureDoesNotMatch), then the body's.
    const signed = async (body: string) => answer(await signedSqsFetch(server.endpoint, SEND, body, { region: "us-east-1" }));
    expect(await signed(sendBody("jobs"))).toMatchObject({ status: 403, type: "SignatureDoesNotMatch", message: "Credential should be scoped to a valid region, not 'us-east-1'. " });
    expect(await signed("{not json")).toMatchObject({ status: 400, type: "SerializationException" });
    expect(await signed(JSON.stringify({ QueueUrl: "::" }))).toMatchObject({ status: 404, type: "InvalidAddress" });
  });
});

describe("local SQS server: the clients that call it", () => {
  it("@aws-sdk/client-sqs with the local credentials in the queue's region succeeds; in another region, or with other credentials, it gets SQS's error", async () => {
    const client = (region: string, credentials = LOCAL_CREDENTIALS) => new SQSClient({ endpoint: server.endpoint, region, credentials, maxAttempts: 1 });
    const good = client("eu-west-1");
    const { QueueUrl } = await good.send(new GetQueueUrlCommand({ QueueName: "jobs" }));
    await good.send(new SendMessageCommand({ QueueUrl, MessageBody: "from the SDK" }));
    const { Messages } = await good.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["SenderId"] }));
    expect(Messages?.find((m) => m.Body === "from the SDK")?.Attributes).toEqual({ SenderId: "local" });

    const failures = [client("us-west-2"), client("eu-west-1", { accessKeyId: "AKIDOTHER", secretAccessKey: "x" })].map((c) =>
      c.send(new SendMessageCommand({ QueueUrl, MessageBody: "refused" })).then(
        () => expect.unreachable("the call succeeded"),
        (error: { name: string; Code?: string; $metadata: { httpStatusCode?: number } }) => [error.name, error.$metadata.httpStatusCode],
      ),
    );
    expect(await Promise.all(failures)).toEqual([
      ["SignatureDoesNotMatch", 403],
      ["InvalidClientTokenId", 403],
    ]);
    for (const c of [good]) c.destroy();
  });

  describe("the app's hand-written sender (handlers/shared/queue-messages.ts)", () => {
    const saved = { ...process.env };
    beforeAll(() => {
      vi.resetModules();
      // What a local Lambda gets (local/start.ts); the sender signs with the SDK's default credential chain.
      Object.assign(process.env, { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey });
      delete process.env.AWS_SESSION_TOKEN;
      delete process.env.AWS_PROFILE;
    });
    afterEach(() => vi.restoreAllMocks());
    afterAll(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });

    it("sends a message the local server accepts, signed for the queue's region; signed for another region it is refused", async () => {
      const { sendMessage } = await import("../../handlers/shared/queue-messages.js");
      server.sqs.purge("removals"); // what the tests above left
      // The queue is in us-east-1, the function in eu-west-1 (as RegionalApis' second region sends to the home queue).
      const sent = await sendMessage(server.queueUrl("removals"), "us-east-1", '{"photo":"p-1"}');
      expect(sent.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
      const received = await server.sqs.receive("removals", { max: 10 });
      expect(received.map((m) => [m.messageId, m.body, m.senderId])).toEqual([[sent.messageId, '{"photo":"p-1"}', "local"]]);
      for (const message of received) server.sqs.delete("removals", message.receiptHandle);

      await expect(sendMessage(server.queueUrl("removals"), "eu-west-1", "wrong region")).rejects.toMatchObject({ name: "SignatureDoesNotMatch", $metadata: { httpStatusCode: 403, attempts: 1 } });
    });
  });
});
