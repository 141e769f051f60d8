import type { LocalService } from "./types";
import { apiService } from "./api";
import { cognitoService } from "./cognito";
import { dynamodbService } from "./dynamodb";
import { siteService } from "./site";

/** Start order matters: data, then auth, then the API, then the front door that routes to them. */
export const LOCAL_SERVICES: LocalService[] = [dynamodbService, cognitoService, apiService, siteService];
