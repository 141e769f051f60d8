/**
 * `npm start`'s API Gateway: every ServerlessApi of the program served by a local
 * gateway (local/api-gateway.ts) built from its registered spec, registered as the
 * front door's origin under the API's name — the origin id its `siteRoute()` gives
 * StaticSite — so the site serves it at `/api/*` exactly as CloudFront does. The stage
 * served is the one the site's route points at (its originPath), else the first.
 * Also starts a small S3 stand-in for presigned uploads unless another service runs one: it
 * accepts what is signed with the functions' local credentials, in the stack's region, and
 * answers browsers as the program's bucket CORS rules say.
 */
import { join } from "node:path";
import type { ServerlessApiSpec, StageSpec } from "../../components/serverless-api/spec";
import { registeredSpecs } from "../../components/spec-registry";
import type { StaticSiteSpec } from "../../components/static-site/spec";
import { createLocalGateway } from "../api-gateway";
import { listen } from "../front-door";
import { localiseRealtimeUrls } from "../realtime-gateway";
import { ofType } from "../offline/graph";
import { corsRulesFromProgram } from "../s3-cors";
import { FileObjectStore, startLocalS3, type LocalS3 } from "../s3-server";
import { localIssuer } from "./cognito";
import type { LocalContext, LocalService } from "./types";
import { acceptedCredentials } from "./credentials";

/** The stage a StaticSite route sends this API's traffic to, by its originPath (`/prod` → prod). */
function servedStage(api: ServerlessApiSpec): StageSpec {
  for (const { spec } of registeredSpecs<StaticSiteSpec>("StaticSite")) {
    const route = spec.routes.find((r) => r.originId === api.name);
    const stageName = typeof route?.originPath === "string" ? route.originPath.replace(/^\//, "").split("/")[0] : undefined;
    const stage = api.stages.find((s) => s.name === stageName);
    if (stage) return stage;
  }
  return api.stages[0];
}

/**
 * The local issuer of a user pool: the local Cognito service's (it runs each pool under
 * its deployed id); otherwise `<AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER>/<poolId>`,
 * cognito-local's issuer shape, for pools some other emulator serves.
 */
function issuerFor(context: LocalContext, userPoolId: string): string | undefined {
  const issuer = localIssuer(userPoolId);
  if (issuer) return issuer;
  const endpoint = context.environment.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  return endpoint ? `${endpoint.replace(/\/$/, "")}/${userPoolId}` : undefined;
}

/**
 * The browser's view of a user pool in a mock body (`{ auth: { userPoolId, ... } }`, e.g. the
 * gallery's GET /config) when the local Cognito runs that pool: cognito-local has no hosted UI,
 * so the page signs in with a password form (`mode: "password"`) against the emulator's endpoint.
 * The ids stay the ones the program resolved: nothing is described twice.
 */
export function localiseMockBody(body: string, environment: Record<string, string>): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return body;
  }
  const auth = (value as { auth?: { userPoolId?: unknown } } | null)?.auth;
  const endpoint = environment.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  if (!auth || typeof auth.userPoolId !== "string" || !endpoint || !localIssuer(auth.userPoolId)) return body;
  return JSON.stringify({ ...(value as object), auth: { ...auth, mode: "password", cognitoEndpoint: endpoint } });
}

/**
 * The line `npm start` prints for an API it serves. Locally a canary only switches stage variables, per request
 * (local/api-gateway.ts); in AWS the requests outside the canary get the stage's deployment and alias from before the
 * canary (docs/api-gateway-deployments.md), so a route added or removed since behaves differently there.
 */
export function servedStageSummary(name: string, routes: number, stage: StageSpec): string {
  const canary = stage.canary
    ? ` (canary ${stage.canary.percentTraffic} % → ${stage.canary.alias}; locally every request sees the current routes and code, while in AWS the other ${Number((100 - stage.canary.percentTraffic).toFixed(4))} % get the stage's deployment and alias from before the canary)`
    : "";
  return `  ${name}: ${routes} routes, stage ${stage.name}${canary}`;
}

/**
 * The execution ARN the program recorded for the ServerlessApi `name` (its `executionArn`): the REST API
 * (components/serverless-api/routes.ts, `<name>-api`) or the HTTP kind's API (http-api.ts, `<name>-http-api`).
 */
export function recordedExecutionArn(context: Pick<LocalContext, "run">, name: string): string | undefined {
  const api = context.run.resources.find(
    (r) => (r.type === "aws:apigateway/restApi:RestApi" && r.name === `${name}-api`) || (r.type === "aws:apigatewayv2/api:Api" && r.name === `${name}-http-api`),
  );
  return typeof api?.state.executionArn === "string" ? api.state.executionArn : undefined;
}

export const apiService: LocalService = {
  name: "API (local API Gateway + S3 stand-in)",
  async start(context) {
    const apis = registeredSpecs<ServerlessApiSpec>("ServerlessApi");
    if (apis.length === 0) return undefined;

    let s3: LocalS3 | undefined;
    if (!context.environment.AWS_ENDPOINT_URL_S3) {
      // Uploads persist under the stack's state, like its data; the page PUTs to presigned URLs directly.
      s3 = await startLocalS3({
        store: new FileObjectStore(join(context.stateDir, "s3"), { log: (message) => context.log(message) }),
        credentials: acceptedCredentials(context),
        // Each function is allowed what its role's policies allow (a presigned URL carries its signer's rights).
        authorise: context.functionRoles.authorise,
        // A bucket is in its own region (per-resource `region`), else the stack's.
        bucketRegion: (bucket) => ofType(context.run.resources, "aws:s3/bucket:Bucket").find((b) => b.state.bucket === bucket)?.state.region ?? context.run.config.region,
        cors: corsRulesFromProgram(context),
        // The program's bucket notifications (events service), read at each write.
        onObjectEvent: (event) => context.onObjectEvent?.(event),
      });
      context.environment.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    }

    const servers: Array<{ stop(): Promise<void> }> = [];
    const urls: Record<string, string> = {};
    for (const { name, spec } of apis) {
      const stage = servedStage(spec);
      const gateway = createLocalGateway({
        spec,
        stage,
        context,
        issuerFor: (poolId) => issuerFor(context, poolId),
        localiseMockBody: (body) => localiseMockBody(localiseRealtimeUrls(body, context.environment.AWS_ENDPOINT_URL_EXECUTE_API), context.environment),
        executionArn: recordedExecutionArn(context, name),
      });
      context.origins.set(name, gateway);
      // Also on its own port, as the execute-api URL of the stage (without the stage prefix).
      const { server, url } = await listen(gateway, 0);
      servers.push({ stop: () => new Promise((done) => server.close(() => done())) });
      urls[`${name} (${stage.name})`] = url;
      context.log(servedStageSummary(name, spec.routes.length, stage));
    }
    if (s3) urls.s3 = s3.endpoint;
    return {
      name: "api",
      urls,
      async stop() {
        for (const { name } of apis) context.origins.delete(name);
        for (const server of servers) await server.stop();
        await s3?.close();
      },
    };
  },
};
