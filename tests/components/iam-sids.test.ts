/**
 * Statement ids derived from user-given names: a table, stream or database named `photos-db` and one named `photosdb`
 * (or `photos_db`) give one Sid, and IAM refuses a policy that repeats a Sid (MalformedPolicyDocument). policyJson makes
 * every Sid of a policy unique (uniqueSids); a name of letters and digits keeps the Sid it always had.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DataStream } from "../../components/data-stream";
import { tableGrants } from "../../components/data-tier/grants";
import { IAM_SID, statementSid, uniqueSids, type PolicyStatement } from "../../components/iam";
import { LambdaFunction } from "../../components/lambda/function";
import { PrivateNetwork } from "../../components/private-network";
import { RealtimeApi } from "../../components/realtime-api";
import { RelationalDatabase } from "../../components/relational-database";
import { UploadBucket } from "../../components/upload-bucket";
import { IAM_UNIQUE_SID } from "../../testing/deploy-rules";
import { policyDocument, record, resource, useMocks } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const entry = "tests/fixtures/handlers/echo.ts";
const statement = (sid?: string): PolicyStatement => ({ ...(sid === undefined ? {} : { sid }), actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] });

beforeAll(() => useMocks());

describe("statement ids", () => {
  it("statementSid keeps a name's letters and digits, as the components always derived them", () => {
    expect(statementSid("gallery")).toBe("gallery");
    expect(statementSid("photos-db")).toBe("photosdb");
    expect(statementSid("a.b")).toBe("ab");
    expect(statementSid("originals/", { words: true })).toBe("Originals");
    expect(statementSid("user-uploads/raw_v2/", { words: true })).toBe("UserUploadsRawV2");
  });

  it("uniqueSids numbers a repeat with the lowest number no statement of the policy has, and leaves the rest alone", () => {
    const given = [statement("aRead"), statement("aRead"), statement("aRead2"), statement(), statement("aRead"), statement("")];
    const unique = uniqueSids(given);
    expect(unique.map((s) => s.sid)).toEqual(["aRead", "aRead3", "aRead2", undefined, "aRead4", ""]);
    expect(unique[0]).toBe(given[0]);
    expect(uniqueSids(given)).toEqual(unique);
    const distinct = [statement("Read"), statement("Write")];
    expect(uniqueSids(distinct)).toEqual(distinct);
  });

  it("a function granted tables, streams, databases and prefixes whose names differ only in punctuation gets a policy IAM takes", async () => {
    const graph = await record(() => {
      const network = new PrivateNetwork("sid-net");
      const databases = ["photos-db", "photosdb"].map((name) => new RelationalDatabase(name, { network }));
      const streams = ["clicks-feed", "clicksfeed"].map((name) => new DataStream(name));
      const uploads = new UploadBucket("sid-uploads");
      new LambdaFunction("sid-fn", {
        entry,
        permissions: [
          ...tableGrants("photos-db", "arn:aws:dynamodb:us-east-1:123456789012:table/a").read(),
          ...tableGrants("photos_db", "arn:aws:dynamodb:us-east-1:123456789012:table/b").read(),
          ...databases.flatMap((db) => db.grants.dataApi()),
          ...streams.flatMap((stream) => stream.grants.put()),
          ...uploads.grants("a-b/", ["s3:GetObject"]),
          ...uploads.grants("a_b/", ["s3:GetObject"]),
        ],
      });
    });
    const policy = resource(graph, "aws:iam/rolePolicy:RolePolicy", "sid-fn-policy");
    const sids = policyDocument(policy.inputs.policy).Statement.map((s: { Sid?: string }) => s.Sid);
    expect(sids).toEqual([
      "photosdbRead",
      "photosdbRead2",
      "photosdbDataApi",
      "photosdbSecret",
      "photosdbDataApi2",
      "photosdbSecret2",
      "clicksfeedPut",
      "clicksfeedPut2",
      "UploadObjectsAB",
      "UploadObjectsAB2",
      "WriteOwnLogs",
      "WriteTraces",
    ]);
    for (const sid of sids) expect(sid).toMatch(IAM_SID);
    expect(IAM_UNIQUE_SID.check(graph, { stack: "dev", production: false, region: "us-east-1" })).toEqual([]);
  });

  it("a sid the user wrote that repeats is refused, beside grants whose repeats are numbered (a copied grant stays a grant)", async () => {
    const read = tableGrants("sid-own-db", "arn:aws:dynamodb:us-east-1:123456789012:table/a").read();
    const own = (sid: string, action: string): PolicyStatement => ({ ...statement(sid), actions: [action] });
    expect(refusalOf(() => new LambdaFunction("sid-own", { entry, permissions: [own("Read", "s3:GetObject"), ...read, own("Read", "s3:PutObject")] }), "LambdaFunction accepted the arguments")).toMatchObject({
      component: "LambdaFunction",
      resourceName: "sid-own",
      argument: "permissions[2].sid",
      value: "Read",
      fix: "Give every statement its own sid, or merge the two statements.",
      message: expect.stringMatching(/^LambdaFunction "sid-own": permissions\[2\]\.sid "Read" repeats the statement id of an earlier statement; IAM refuses a policy with two statements of one Sid\. Give every statement its own sid, or merge the two statements\.$/),
    });
    const graph = await record(() => new LambdaFunction("sid-grants", { entry, permissions: [own("Read", "s3:GetObject"), ...read, { ...read[0], actions: ["dynamodb:GetItem"] }] }));
    const sids = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "sid-grants-policy").inputs.policy).Statement.map((s: { Sid?: string }) => s.Sid);
    expect(sids).toEqual(["Read", "sidowndbRead", "sidowndbRead2", "WriteOwnLogs", "WriteTraces"]);
  });

  it("a sid the user wrote is the user's whatever its shape: one shaped like a grant's, or a grant's own, is refused on a repeat (the grant's mark, not the Sid, decides)", () => {
    const read = tableGrants("sid-shape-db", "arn:aws:dynamodb:us-east-1:123456789012:table/a").read();
    const own = (sid: string, action: string): PolicyStatement => ({ ...statement(sid), actions: [action] });
    const message = (index: number, sid: string) => new RegExp(`^LambdaFunction "sid-shape": permissions\\[${index}\\]\\.sid "${sid}" repeats the statement id of an earlier statement; IAM refuses a policy with two statements of one Sid\\. Give every statement its own sid, or merge the two statements\\.$`);
    // The refusal of the `sid` the user repeated at permissions[index].
    const refused = (index: number, sid: string) => ({
      component: "LambdaFunction",
      resourceName: "sid-shape",
      argument: `permissions[${index}].sid`,
      value: sid,
      fix: "Give every statement its own sid, or merge the two statements.",
      message: expect.stringMatching(message(index, sid)),
    });
    // `sidshapedbAdmin` begins with the table's Sid stem, as a grant's does; the user wrote it, twice.
    expect(refusalOf(() => new LambdaFunction("sid-shape", { entry, permissions: [...read, own("sidshapedbAdmin", "s3:GetObject"), own("sidshapedbAdmin", "s3:PutObject")] }), "LambdaFunction accepted the arguments")).toMatchObject(refused(2, "sidshapedbAdmin"));
    // The grant's own Sid written by the user after the grant, and a copied grant whose sid the user changed.
    expect(refusalOf(() => new LambdaFunction("sid-shape", { entry, permissions: [...read, own("sidshapedbRead", "s3:GetObject")] }), "LambdaFunction accepted the arguments")).toMatchObject(refused(1, "sidshapedbRead"));
    expect(refusalOf(() => new LambdaFunction("sid-shape", { entry, permissions: [own("Mine", "s3:GetObject"), { ...read[0], sid: "Mine" }] }), "LambdaFunction accepted the arguments")).toMatchObject(refused(1, "Mine"));
    // The mark is no part of the policy: a grant renders as the statement it always was.
    expect(JSON.stringify(read[0])).toBe(JSON.stringify({ sid: "sidshapedbRead", actions: read[0].actions, resources: read[0].resources }));
  });

  it("two RealtimeApis' publisher grants in one function are numbered, not refused as the user's", async () => {
    const graph = await record(() => {
      const apis = ["sid-ws1", "sid-ws2"].map(
        (name) => new RealtimeApi(name, { connectionsTable: { name, arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}` }, anonymous: true, routes: { $default: { handler: entry } } }),
      );
      new LambdaFunction("sid-pusher", { entry, permissions: apis.flatMap((api) => api.publisherPermissions()) });
    });
    const sids = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "sid-pusher-policy").inputs.policy).Statement.map((s: { Sid?: string }) => s.Sid);
    expect(sids).toEqual(["RealtimeConnectionsByUser", "RealtimeForgetGone", "RealtimePostToConnections", "RealtimeConnectionsByUser2", "RealtimeForgetGone2", "RealtimePostToConnections2", "WriteOwnLogs", "WriteTraces"]);
  });
});
