/**
 * UserAuth's app client takes at most 100 callback URLs, 100 logout URLs and 50 OAuth scopes, quotas Cognito does not
 * raise (review 28, finding 7): listing every preview or tenant site on one shared pool passes mocks and preview, and
 * CreateUserPoolClient (or UpdateUserPoolClient) fails at `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { assertRedirectUrls } from "../../components/user-auth/client";
import { record, resource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const urls = (count: number) => Array.from({ length: count }, (_, i) => `https://pr-${i}.preview.gallery.example.com/`);
/** The fix every refusal of too many callback or logout URLs gives. */
const URLS_FIX = "List at most 100: give preview or tenant sites their own UserAuth (an app client each) rather than one list on a shared pool.";
const scopes = (count: number) => Array.from({ length: count }, (_, i) => `gallery/scope${i}`);

describe("UserAuth: Cognito's counts per app client", () => {
  it("refuses more than 100 callback URLs, in the constructor and in setCallbackUrls, Outputs counted too", () => {
    const message = /^UserAuth "many": callbackUrls "101 URLs" is over Cognito's 100 callback URLs per app client \("Callback URLs per app client \| 100 \| No", a quota Cognito does not raise\)\. List at most 100: give preview or tenant sites their own UserAuth \(an app client each\) rather than one list on a shared pool\.$/;
    // One refusal, whichever way the 101st URL comes.
    const refused = { component: "UserAuth", resourceName: "many", argument: "callbackUrls", value: "101 URLs", fix: URLS_FIX, message: expect.stringMatching(message) };
    expect(refusalOf(() => new UserAuth("many", { callbackUrls: urls(101) }), "UserAuth accepted the arguments")).toMatchObject(refused);
    expect(refusalOf(() => new UserAuth("many", { callbackUrls: [...urls(100), pulumi.output("https://site.example.com/")] }), "UserAuth accepted the arguments")).toMatchObject(refused);
    const late = new UserAuth("many", {});
    expect(refusalOf(() => late.setCallbackUrls(urls(101)), "UserAuth accepted the arguments")).toMatchObject(refused);
    // Released, so the app client does not wait for the URLs (and the next recording with it).
    late.setCallbackUrls(urls(100));
  });

  it("refuses more than 100 logout URLs", () => {
    expect(refusalOf(() => new UserAuth("many", { callbackUrls: urls(1), logoutUrls: urls(101) }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "many",
      argument: "logoutUrls",
      value: "101 URLs",
      fix: URLS_FIX,
      message: expect.stringMatching(/^UserAuth "many": logoutUrls "101 URLs" is over Cognito's 100 logout URLs per app client \("Logout URLs per app client \| 100 \| No", a quota Cognito does not raise\)\. List at most 100: give preview or tenant sites their own UserAuth \(an app client each\) rather than one list on a shared pool\.$/),
    });
  });

  it("checks the count of URLs known only at deploy time with the same message", () => {
    expect(refusalOf(() => assertRedirectUrls("late", "logoutUrls", urls(101)), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "late",
      argument: "logoutUrls",
      value: "101 URLs",
      fix: URLS_FIX,
      message: expect.stringMatching(/^UserAuth "late": logoutUrls "101 URLs" is over Cognito's 100 logout URLs per app client/),
    });
    expect(assertRedirectUrls("late", "callbackUrls", urls(100))).toHaveLength(100);
  });

  it("refuses more than 50 OAuth scopes", () => {
    expect(refusalOf(() => new UserAuth("many", { callbackUrls: urls(1), oauthScopes: scopes(51) }), "UserAuth accepted the arguments")).toMatchObject({
      component: "UserAuth",
      resourceName: "many",
      argument: "oauthScopes",
      value: "51 scopes",
      fix: "Allow at most 50: grant broader resource-server scopes rather than one per action.",
      message: expect.stringMatching(/^UserAuth "many": oauthScopes "51 scopes" is over Cognito's 50 scopes per app client \("Scopes per app client \| 50 \| No", a quota Cognito does not raise\)\. Allow at most 50: grant broader resource-server scopes rather than one per action\.$/),
    });
  });

  it("creates the client with 100 callback and logout URLs and 50 scopes", async () => {
    // Custom scopes name a resource server UserAuth creates (user-auth-scopes.test.ts).
    const gallery = { identifier: "gallery", name: "Gallery", scopes: scopes(50).map((scope) => ({ name: scope.slice("gallery/".length), description: "One action" })) };
    const graph = await record(() => new UserAuth("full", { callbackUrls: urls(100), logoutUrls: urls(100), oauthScopes: scopes(50), resourceServers: [gallery] }));
    const client = resource(graph, "aws:cognito/userPoolClient:UserPoolClient", "full-client");
    expect(client.inputs.callbackUrls).toHaveLength(100);
    expect(client.inputs.allowedOauthScopes).toHaveLength(50);
  });
});
