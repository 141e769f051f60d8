/**
 * The front door (local/front-door.ts), the identity pool emulator (local/identity-pool-emulator.ts) and the CloudFront
 * stub (local/cloudfront-stub.ts) read a request's body up to a limit: a body that never ends is answered while it is
 * still being sent, and no request grows the process without bound. Valid requests get the answers they always did.
 */
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalise } from "../../components/static-site/spec";
import type { EdgeRequest, EdgeRunner } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";
import { sendEndless } from "../harness/endless-body";
import { MAX_PAYLOAD_BYTES, readBody } from "../../local/http";
import { startIdentityPoolEmulator, type IdentityPoolEmulator } from "../../local/identity-pool-emulator";
import { startCloudFrontStub, type CloudFrontStub } from "../../local/cloudfront-stub";
import { openDoor, type OpenDoor } from "../harness/front-door";

describe("front door: a route's viewer body is held up to its origin's limit and a byte", () => {
  let door: OpenDoor;
  const seen: number[] = [];
  beforeAll(async () => {
    const spec = { ...normalise("caps", { path: "site/dist", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] }), edge: [] };
    // As the local API gateway reads a body: up to its limit and a byte, 413 past it.
    const api = (req: IncomingMessage, res: ServerResponse) => {
      void readBody(req, MAX_PAYLOAD_BYTES).then((body) => {
        seen.push(body.length);
        res.writeHead(body.length > MAX_PAYLOAD_BYTES ? 413 : 200, { "content-type": "application/json" });
        res.end(JSON.stringify(body.length > MAX_PAYLOAD_BYTES ? { message: "Request Too Long" } : { length: body.length }));
      });
    };
    // An origin-request function: the body goes to the origin over the loopback hop (read by the front door first).
    const passOn: EdgeRunner = { name: "pass", kind: "lambda", eventType: "origin-request", onRequest: async (req: EdgeRequest) => ({ request: req }), onResponse: async (_r, response) => response };
    door = await openDoor(createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => (pattern === "/api/*" ? { "origin-request": passOn } : {}) }, log: () => {} }));
  });
  afterAll(() => door.close());

  it("answers a body that never ends with the origin's 413 while it is still being sent", async () => {
    seen.length = 0;
    const { status, text, answered } = await sendEndless(`${door.base}/api/items`, "POST", { "content-type": "application/json" }, 3 * MAX_PAYLOAD_BYTES);
    expect(answered).toBe(true);
    expect([status, JSON.parse(text)]).toEqual([413, { message: "Request Too Long" }]);
    // The origin saw its limit and one byte more: still too big for it.
    expect(seen).toEqual([MAX_PAYLOAD_BYTES + 1]);
  }, 60_000);

  it("answers a body longer than its Content-Length says is coming, the origin reading what was kept to its end", async () => {
    seen.length = 0;
    const out = request(`${door.base}/api/items`, { method: "POST", headers: { "content-type": "application/json", "content-length": String(2 * MAX_PAYLOAD_BYTES) } });
    out.on("error", () => {});
    const answer = new Promise<number>((resolve) => out.once("response", (res: IncomingMessage) => { res.resume(); resolve(res.statusCode!); }));
    try {
      out.write(Buffer.alloc(MAX_PAYLOAD_BYTES + 1024, "x"));
      expect(await answer).toBe(413);
      expect(seen).toEqual([MAX_PAYLOAD_BYTES + 1]);
    } finally {
      out.destroy();
    }
  }, 60_000);

  it("still passes a body at the origin's limit on whole", async () => {
    seen.length = 0;
    const response = await fetch(`${door.base}/api/items`, { method: "POST", body: Buffer.alloc(MAX_PAYLOAD_BYTES, "y") });
    expect([response.status, await response.json()]).toEqual([200, { length: MAX_PAYLOAD_BYTES }]);
  }, 60_000);
});

describe("identity pool emulator: a body is read up to a limit", () => {
  let emulator: IdentityPoolEmulator;
  const identityPoolId = "us-east-1:00000000-0000-0000-0000-000000000002";
  beforeAll(async () => {
    emulator = await startIdentityPoolEmulator({
      pools: [{ identityPoolId, region: "us-east-1", providerName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Caps", allowUnauthenticated: true, verifyIdToken: async () => "sub", grants: [] }],
      dynamodbEndpoint: () => undefined,
    });
  });
  afterAll(() => emulator.stop());

  it("answers an identity call whose body never ends 413 while it is still being sent", async () => {
    const { status, text, answered } = await sendEndless(emulator.url, "POST", { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityService.GetId" }, 64 * 1024 * 1024);
    expect(answered).toBe(true);
    expect([status, JSON.parse(text).__type]).toEqual([413, "RequestEntityTooLarge"]);
  }, 60_000);

  it("still answers GetId", async () => {
    const response = await fetch(emulator.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityService.GetId" }, body: JSON.stringify({ IdentityPoolId: identityPoolId }) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { IdentityId: string }).IdentityId).toMatch(/^us-east-1:/);
  });
});

describe("CloudFront stub: a body is read up to a limit", () => {
  let stub: CloudFrontStub;
  beforeAll(async () => {
    stub = await startCloudFrontStub();
  });
  afterAll(() => stub.close());

  it("answers a CreateInvalidation whose body never ends 413 while it is still being sent, recording nothing", async () => {
    // What the file's other test recorded, if a shuffled order ran it first.
    const recorded = [...stub.invalidations];
    const { status, text, answered } = await sendEndless(`${stub.endpoint}/2020-05-31/distribution/E1CAPS/invalidation`, "POST", { "content-type": "text/xml" }, 128 * 1024 * 1024);
    expect(answered).toBe(true);
    expect([status, /<Code>(\w+)</.exec(text)?.[1]]).toEqual([413, "RequestEntityTooLarge"]);
    expect(stub.invalidations).toEqual(recorded);
  }, 60_000);

  it("still records a CreateInvalidation", async () => {
    const body = `<?xml version="1.0"?><InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Paths><Quantity>1</Quantity><Items><Path>/index.html</Path></Items></Paths><CallerReference>ref-1</CallerReference></InvalidationBatch>`;
    const response = await fetch(`${stub.endpoint}/2020-05-31/distribution/E1CAPS/invalidation`, { method: "POST", headers: { "content-type": "text/xml" }, body });
    expect(response.status).toBe(201);
    expect(stub.invalidations.map((i) => [i.paths, i.callerReference]).slice(-1)).toEqual([[["/index.html"], "ref-1"]]);
  });
});
