import type { LocalService } from "./types";
import { apiService } from "./api";
import { cognitoService } from "./cognito";
import { dataStreamsService } from "./data-streams";
import { dynamodbService } from "./dynamodb";
import { eventBusesService } from "./event-buses";
import { eventsService } from "./events";
import { lambdaService } from "./lambda";
import { queuesService } from "./queues";
import { realtimeService } from "./realtime";
import { relationalDatabasesService } from "./relational-databases";
import { routingService } from "./routing";
import { secretsService } from "./secrets";
import { siteService } from "./site";
import { topicsService } from "./topics";
import { workflowsService } from "./workflows";

/**
 * Start order matters: secrets (a missing one stops the start before anything listens), the Lambda Invoke API (a
 * function reads the shared environment once, at its first invocation, and auth's demo user already fires a trigger),
 * data (tables, the RelationalDatabases' Data API, then queues, whose event sources start once every service has: StartedService.afterStart, then topics,
 * which deliver to the queues, event buses and workflows, which invoke functions; then the DataStreams' Kinesis streams,
 * whose subscriptions poll once every service has started, and whose failed batches may go to a served queue), then auth,
 * then events (the S3 server reports to them), then the WebSocket and REST APIs, the REST API's regions' router, then
 * the front door that routes to them.
 */
export const LOCAL_SERVICES: LocalService[] = [secretsService, lambdaService, dynamodbService, relationalDatabasesService, queuesService, topicsService, eventBusesService, workflowsService, dataStreamsService, cognitoService, eventsService, realtimeService, apiService, routingService, siteService];
