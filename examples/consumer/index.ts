import { DataTier, EdgeLogic, registerStackTags, ServerlessApi, StaticSite, UserAuth } from "serverless-fullstack";

registerStackTags(); // app and stack tags on every taggable resource (first: it applies to what comes after)
const data = new DataTier("data", {
  tables: { notes: { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk" } },
});
// The pool first: the API trusts it, and its app client learns the site's URL once the site exists (last line).
const auth = new UserAuth("auth", { domain: {} });
const notes = data.tables.notes;
const api = new ServerlessApi("api", {
  basePath: "api",
  stages: { v1: {} },
  authorizers: { users: { type: "cognito", userPoolArns: [auth.userPoolArn] } },
  defaultAuth: { authorizer: "users" },
  functionDefaults: { environment: { TABLE_NAME: notes.name } },
  routes: {
    "GET /health": { handler: "handlers/health.ts", auth: "none" },
    "GET /notes": { handler: "handlers/notes.ts", export: "list", function: { permissions: notes.grants.read(["dynamodb:Query"]) } },
  },
});
const edge = new EdgeLogic("edge", {
  functions: { "clean-urls": { file: "edge/clean-urls.js", eventType: "viewer-request" } },
});
const site = new StaticSite("site", { path: "public", edge: edge.associations, routes: [api.siteRoute()] });
auth.setCallbackUrls([site.url]);

export const url = site.url;
export const apiUrls = api.urls;
export const userPoolId = auth.userPoolId;
export const userPoolClientId = auth.clientId;
