import type { LocalService } from "./types";
import { apiService } from "./api";
import { cognitoService } from "./cognito";
import { dynamodbService } from "./dynamodb";
import { eventsService } from "./events";
import { realtimeService } from "./realtime";
import { siteService } from "./site";

/** Start order matters: data, then auth, then events (the S3 server reports to them), then the WebSocket and REST APIs, then the front door that routes to them. */
export const LOCAL_SERVICES: LocalService[] = [dynamodbService, cognitoService, eventsService, realtimeService, apiService, siteService];
