/**
 * UserAuth's OAuth scopes (review 94, finding 3): CreateUserPoolClient refuses a scope that is neither Cognito's own
 * nor `<identifier>/<scope>` of a resource server already in the pool ("Invalid scope requested: …",
 * ScopeDoesNotExistException), so a typo, or a custom scope whose server is created beside the client rather than
 * before it, passed mocks and preview and failed the first `pulumi up`. UserAuth now refuses those at construction
 * and creates `resourceServers` in the pool before the app client. Review 95 (F1): a scope of a server created outside
 * UserAuth is accepted again (a deployed stack that used one was refused); only its form is checked.
 */
import { describe, expect, it } from "vitest";
import { UserAuth, type UserAuthArgs } from "../../components/user-auth";
import { record, resource } from "../harness/mocks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const base: UserAuthArgs = { callbackUrls: ["https://gallery.example.com/"] };
const gallery = { identifier: "gallery", name: "Gallery API", scopes: [{ name: "read", description: "Read the gallery" }, { name: "write", description: "Upload photos" }] };

describe("UserAuth: oauthScopes are scopes Cognito knows", () => {
  it.each([
    [{ oauthScopes: ["opneid"] }, /^UserAuth "bad": oauthScopes "opneid" is not a Cognito scope: the standard ones are openid, email, phone, profile, aws\.cognito\.signin\.user\.admin, and a resource server's are "<identifier>\/<scope name>"\. Correct it, or define a resource server in resourceServers/, { component: "UserAuth", resourceName: "bad", argument: "oauthScopes", value: "opneid", fix: 'Correct it, or define a resource server in resourceServers and pass its scope as "<identifier>/<scope name>".' }],
    // The old doc value the CloudFormation issue quotes ("Invalid scope requested: Cognito").
    [{ oauthScopes: ["openid", "Cognito"] }, /oauthScopes "Cognito" is not a Cognito scope/, { component: "UserAuth", resourceName: "bad", argument: "oauthScopes", value: "Cognito", fix: 'Correct it, or define a resource server in resourceServers and pass its scope as "<identifier>/<scope name>".' }],
    [{ oauthScopes: ["gallery/delete"], resourceServers: [gallery] }, /^UserAuth "bad": oauthScopes "gallery\/delete" is not a scope of resource server "gallery", which this UserAuth defines \(gallery\/read, gallery\/write\)\. Add \{ name: "delete", description: "…" \} to that server's scopes, or correct the scope\.$/, { component: "UserAuth", resourceName: "bad", argument: "oauthScopes", value: "gallery/delete", fix: "Add { name: \"delete\", description: \"…\" } to that server's scopes, or correct the scope." }],
    // Malformed custom scopes (review 95, F1: still refused): a space, an empty identifier or scope name.
    [{ oauthScopes: ["my gallery/read"] }, /^UserAuth "bad": oauthScopes "my gallery\/read" is not "<identifier>\/<scope name>" of a Cognito resource server/, { component: "UserAuth", resourceName: "bad", argument: "oauthScopes", value: "my gallery/read", fix: 'Correct it, e.g. "gallery/read".' }],
    [{ oauthScopes: ["/read"] }, /oauthScopes "\/read" is not "<identifier>\/<scope name>"/, { component: "UserAuth", resourceName: "bad", argument: "oauthScopes", value: "/read", fix: 'Correct it, e.g. "gallery/read".' }],
    [{ oauthScopes: ["gallery/"] }, /oauthScopes "gallery\/" is not "<identifier>\/<scope name>"/, { component: "UserAuth", resourceName: "bad", argument: "oauthScopes", value: "gallery/", fix: 'Correct it, e.g. "gallery/read".' }],
    [{ resourceServers: [{ ...gallery, identifier: "my gallery" }] }, /resourceServers\[0\]\.identifier "my gallery" is not a Cognito resource server identifier/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0].identifier", value: "my gallery", fix: 'Use an API name or URL, e.g. "gallery" or "https://api.gallery.example.com".' }],
    [{ resourceServers: [gallery, { ...gallery, name: "Other" }] }, /^UserAuth "bad": resourceServers\[1\]\.identifier "gallery" is used by another resource server of this UserAuth/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[1].identifier", value: "gallery", fix: "Give each resource server its own identifier, or merge their scopes into one." }],
    [{ resourceServers: [{ ...gallery, name: "Gallery: API" }] }, /resourceServers\[0\]\.name "Gallery: API" is not a Cognito resource server name/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0].name", value: "Gallery: API", fix: 'Use e.g. "Gallery API".' }],
    [{ resourceServers: [{ ...gallery, scopes: [{ name: "photos/read", description: "x" }] }] }, /resourceServers\[0\]\.scopes\[0\]\.name "photos\/read" is not a Cognito scope name/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0].scopes[0].name", value: "photos/read", fix: 'Use e.g. "read"; Cognito names it "<identifier>/read".' }],
    [{ resourceServers: [{ ...gallery, scopes: [{ name: "read", description: "" }] }] }, /resourceServers\[0\]\.scopes\[0\]\.description "" is not a 1–256 character description/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0].scopes[0].description", value: "", fix: 'Describe what the scope grants, e.g. "Read the gallery".' }],
    [{ resourceServers: [{ ...gallery, scopes: [gallery.scopes[0], gallery.scopes[0]] }] }, /resourceServers\[0\]\.scopes\[1\]\.name "read" is used by another scope/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0].scopes[1].name", value: "read", fix: "Give each scope its own name." }],
    [{ resourceServers: [{ ...gallery, scopes: Array.from({ length: 101 }, (_, i) => ({ name: `s${i}`, description: "x" })) }] }, /resourceServers\[0\]\.scopes "101 scopes" is over Cognito's 100 scopes per resource server/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0].scopes", value: "101 scopes", fix: "Define at most 100, or split them over two resource servers." }],
    [{ resourceServers: "gallery" as never }, /resourceServers "gallery" is not a list/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers", value: "gallery", fix: 'Pass e.g. [{ identifier: "gallery", name: "Gallery API", scopes: [{ name: "read", description: "Read the gallery" }] }].' }],
    [{ resourceServers: [null as never] }, /resourceServers\[0\] null is not a resource server/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0]", value: null, fix: "Pass { identifier, name, scopes: [{ name, description }] }." }],
    [{ resourceServers: [{ ...gallery, scopes: [null as never] }] }, /resourceServers\[0\]\.scopes\[0\] null is not a scope/, { component: "UserAuth", resourceName: "bad", argument: "resourceServers[0].scopes[0]", value: null, fix: 'Pass { name: "read", description: "Read the gallery" }.' }],
  ] as Array<[Partial<UserAuthArgs>, RegExp, RefusalContract]>)("refuses bad scopes and resource servers (case %#)", (bad, message, contract) => {
    expect(refusalOf(() => new UserAuth("bad", { ...base, ...bad }), "UserAuth accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });

  it("takes every standard scope, and a URL identifier's scopes", () => {
    expect(() => new UserAuth("std", { ...base, oauthScopes: ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"] })).not.toThrow();
    const api = { identifier: "https://api.gallery.example.com", name: "Gallery API", scopes: [{ name: "read", description: "Read" }] };
    expect(() => new UserAuth("url", { ...base, oauthScopes: ["openid", "https://api.gallery.example.com/read"], resourceServers: [api] })).not.toThrow();
  });

  it("takes a scope of a resource server created outside UserAuth (review 95, F1: a deployed stack was refused)", async () => {
    // Another stack's, a hand-made one, or an aws.cognito.ResourceServer beside UserAuth: it exists in the pool on a
    // deployed stack, so UpdateUserPoolClient accepts its scopes.
    const graph = await record(() => new UserAuth("auth", { ...base, oauthScopes: ["openid", "gallery/read", "https://api.example.com/photos.write"], resourceServers: [{ ...gallery, identifier: "other" }] }));
    const client = resource(graph, "aws:cognito/userPoolClient:UserPoolClient", "auth-client");
    expect(client.inputs.allowedOauthScopes).toEqual(["openid", "gallery/read", "https://api.example.com/photos.write"]);
  });

  it("takes identifiers that differ only in punctuation, naming the later one's resource with a hash (review 95, F8)", async () => {
    const server = (identifier: string) => ({ identifier, name: "API", scopes: [{ name: "read", description: "Read" }] });
    const graph = await record(() => new UserAuth("punct", { ...base, oauthScopes: ["api:v1/read", "api;v1/read"], resourceServers: [server("api:v1"), server("api;v1")] }));
    const servers = graph.filter((r) => r.type === "aws:cognito/resourceServer:ResourceServer").map((r) => [r.name, r.inputs.identifier]);
    expect(servers).toEqual([
      ["punct-resource-server-api-v1", "api:v1"],
      [expect.stringMatching(/^punct-resource-server-api-v1-[0-9a-f]{8}$/), "api;v1"],
    ]);
  });

  it("creates the resource servers in the pool before the app client, kept with a kept pool", async () => {
    const graph = await record(() => new UserAuth("auth", { ...base, oauthScopes: ["openid", "gallery/read"], resourceServers: [gallery], retainOnDelete: true }));
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    const server = resource(graph, "aws:cognito/resourceServer:ResourceServer", "auth-resource-server-gallery");
    expect(server.inputs).toMatchObject({
      userPoolId: pool.id,
      identifier: "gallery",
      name: "Gallery API",
      scopes: [{ scopeName: "read", scopeDescription: "Read the gallery" }, { scopeName: "write", scopeDescription: "Upload photos" }],
    });
    expect(server.deletedWith).toBe(pool.urn);
    const client = resource(graph, "aws:cognito/userPoolClient:UserPoolClient", "auth-client");
    expect(client.inputs.allowedOauthScopes).toEqual(["openid", "gallery/read"]);
    expect(client.dependencies).toContain(server.urn);
  });
});
