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

const base: UserAuthArgs = { callbackUrls: ["https://gallery.example.com/"] };
const gallery = { identifier: "gallery", name: "Gallery API", scopes: [{ name: "read", description: "Read the gallery" }, { name: "write", description: "Upload photos" }] };

describe("UserAuth: oauthScopes are scopes Cognito knows", () => {
  it.each([
    [{ oauthScopes: ["opneid"] }, /^UserAuth "bad": oauthScopes "opneid" is not a Cognito scope: the standard ones are openid, email, phone, profile, aws\.cognito\.signin\.user\.admin, and a resource server's are "<identifier>\/<scope name>"\. Correct it, or define a resource server in resourceServers/],
    // The old doc value the CloudFormation issue quotes ("Invalid scope requested: Cognito").
    [{ oauthScopes: ["openid", "Cognito"] }, /oauthScopes "Cognito" is not a Cognito scope/],
    [{ oauthScopes: ["gallery/delete"], resourceServers: [gallery] }, /^UserAuth "bad": oauthScopes "gallery\/delete" is not a scope of resource server "gallery", which this UserAuth defines \(gallery\/read, gallery\/write\)\. Add \{ name: "delete", description: "…" \} to that server's scopes, or correct the scope\.$/],
    // Malformed custom scopes (review 95, F1: still refused): a space, an empty identifier or scope name.
    [{ oauthScopes: ["my gallery/read"] }, /^UserAuth "bad": oauthScopes "my gallery\/read" is not "<identifier>\/<scope name>" of a Cognito resource server/],
    [{ oauthScopes: ["/read"] }, /oauthScopes "\/read" is not "<identifier>\/<scope name>"/],
    [{ oauthScopes: ["gallery/"] }, /oauthScopes "gallery\/" is not "<identifier>\/<scope name>"/],
    [{ resourceServers: [{ ...gallery, identifier: "my gallery" }] }, /resourceServers\[0\]\.identifier "my gallery" is not a Cognito resource server identifier/],
    [{ resourceServers: [gallery, { ...gallery, name: "Other" }] }, /^UserAuth "bad": resourceServers\[1\]\.identifier "gallery" is used by another resource server of this UserAuth/],
    [{ resourceServers: [{ ...gallery, name: "Gallery: API" }] }, /resourceServers\[0\]\.name "Gallery: API" is not a Cognito resource server name/],
    [{ resourceServers: [{ ...gallery, scopes: [{ name: "photos/read", description: "x" }] }] }, /resourceServers\[0\]\.scopes\[0\]\.name "photos\/read" is not a Cognito scope name/],
    [{ resourceServers: [{ ...gallery, scopes: [{ name: "read", description: "" }] }] }, /resourceServers\[0\]\.scopes\[0\]\.description "" is not a 1–256 character description/],
    [{ resourceServers: [{ ...gallery, scopes: [gallery.scopes[0], gallery.scopes[0]] }] }, /resourceServers\[0\]\.scopes\[1\]\.name "read" is used by another scope/],
    [{ resourceServers: [{ ...gallery, scopes: Array.from({ length: 101 }, (_, i) => ({ name: `s${i}`, description: "x" })) }] }, /resourceServers\[0\]\.scopes "101 scopes" is over Cognito's 100 scopes per resource server/],
    [{ resourceServers: "gallery" as never }, /resourceServers "gallery" is not a list/],
    [{ resourceServers: [null as never] }, /resourceServers\[0\] null is not a resource server/],
    [{ resourceServers: [{ ...gallery, scopes: [null as never] }] }, /resourceServers\[0\]\.scopes\[0\] null is not a scope/],
  ] as Array<[Partial<UserAuthArgs>, RegExp]>)("refuses bad scopes and resource servers (case %#)", (bad, message) => {
    expect(() => new UserAuth("bad", { ...base, ...bad })).toThrow(message);
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
