/** The credentials the local endpoints accept, one list for every service. */
import { LOCAL_CREDENTIALS, type SigV4Credentials } from "../sigv4-verify";
import type { LocalContext } from "./types";

/**
 * The credentials a local endpoint accepts: the runtime's own (AWS_ACCESS_KEY_ID, else LOCAL_CREDENTIALS: what a
 * terminal signs with), then each function's (local/function-roles.ts), whose requests are authorised by its role.
 */
export function acceptedCredentials(context: LocalContext): SigV4Credentials[] {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = context.environment;
  return [{ accessKeyId: accessKeyId ?? LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: secretAccessKey ?? LOCAL_CREDENTIALS.secretAccessKey }, ...context.functionRoles.credentials()];
}
