/**
 * `npm start`'s WebSocket APIs: every RealtimeApi of the program served by one local execute-api
 * server (local/realtime-gateway.ts) from its registered spec, functions run in their local
 * sandboxes. Sets AWS_ENDPOINT_URL_EXECUTE_API for every local function, so `Connections`
 * (components/realtime-api/connections.ts) posts to the local management endpoint, and the site's
 * CSP and GET /config's mock body get the local `ws://` URL in place of `wss://…execute-api…`.
 */
import type { RealtimeApiSpec } from "../../components/realtime-api/spec";
import { REALTIME_ENVIRONMENT } from "../../components/realtime-api/schema";
import { registeredSpecs } from "../../components/spec-registry";
import { ofType } from "../offline/graph";
import { resolveValue } from "../offline/program";
import { startRealtimeGateway } from "../realtime-gateway";
import type { LocalService } from "./types";

export const realtimeService: LocalService = {
  name: "WebSocket APIs (local API Gateway v2)",
  async start(context) {
    const registered = registeredSpecs<RealtimeApiSpec>("RealtimeApi");
    if (registered.length === 0) return undefined;
    const recorded = ofType(context.run.resources, "aws:apigatewayv2/api:Api");
    const apis = await Promise.all(
      registered.map(async ({ spec }) => {
        const apiId = String(await resolveValue<string>(spec.apiId!));
        // The `$connect` authorizer's methodArn starts with the API's recorded execution ARN.
        const executionArn = recorded.find((r) => r.id === apiId)?.state.executionArn;
        return { spec, apiId, ...(typeof executionArn === "string" ? { executionArn } : {}) };
      }),
    );
    const gateway = await startRealtimeGateway({
      apis,
      region: context.run.config.region,
      invoke: (api, functionName, event) => context.lambda(api.spec.functions[functionName]).invoke(event),
      log: context.log,
    });
    context.environment[REALTIME_ENVIRONMENT.localOrigin] = gateway.origin;
    const urls: Record<string, string> = {};
    for (const { spec, apiId } of apis) {
      urls[`${spec.name} (${spec.stage})`] = `${gateway.origin.replace(/^http/, "ws")}/${apiId}/${spec.stage}`;
      context.log(`  ${spec.name}: ${spec.routes.map((r) => r.key).join(", ")}${spec.authorizer ? " ($connect authorised)" : ""}`);
    }
    return {
      name: "realtime",
      urls,
      async stop() {
        delete context.environment[REALTIME_ENVIRONMENT.localOrigin];
        await gateway.close();
      },
    };
  },
};
