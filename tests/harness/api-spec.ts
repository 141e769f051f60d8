/** A ServerlessApi spec for the local gateway without constructing the component. */
import { normalise, type ServerlessApiSpec } from "../../components/serverless-api/spec";

/**
 * `normalise(name, args)` with the function specs the component fills in once its functions exist: the local gateway
 * reads a route function's timeout (how long the deployed integration waits). Stand-ins carry only the name and timeout.
 */
export function gatewaySpec(name: string, args: Parameters<typeof normalise>[1]): ServerlessApiSpec {
  const spec = normalise(name, args);
  for (const route of spec.routes) {
    if (route.integration.type === "lambda") spec.functions[route.integration.functionName] = { name: route.integration.functionName, timeout: route.function?.timeout ?? 10 } as never;
  }
  for (const authorizer of spec.authorizers) if ("functionName" in authorizer) spec.functions[authorizer.functionName] = { name: authorizer.functionName, timeout: 10 } as never;
  return spec;
}
