/** GET /health: public liveness check; says which stage alias (function version) answered. */
import { json, route } from "../shared/api-http";

export const handler = route("health", async (event) =>
  json(200, {
    status: "ok",
    stage: event.requestContext?.stage,
    alias: event.stageVariables?.alias,
    version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    time: new Date().toISOString(),
  }),
);
