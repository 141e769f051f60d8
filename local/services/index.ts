import type { LocalService } from "./types";
import { apiService } from "./api";
import { cognitoService } from "./cognito";
import { dynamodbService } from "./dynamodb";
import { eventsService } from "./events";
import { realtimeService } from "./realtime";
import { routingService } from "./routing";
import { secretsService } from "./secrets";
import { siteService } from "./site";

/** Start order matters: secrets (a missing one stops the start before anything listens), data, then auth, then events (the S3 server reports to them), then the WebSocket and REST APIs, the REST API's regions' router, then the front door that routes to them. */
export const LOCAL_SERVICES: LocalService[] = [secretsService, dynamodbService, cognitoService, eventsService, realtimeService, apiService, routingService, siteService];
