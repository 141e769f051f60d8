/**
 * Authorizers routes choose by name: Cognito user pools (API Gateway verifies the
 * token itself) and Lambda TOKEN/REQUEST authorizers (our function verifies it, e.g.
 * handlers/api/authorizer.ts with aws-jwt-verify), each allowed to be invoked by this API only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LambdaFunction } from "../lambda/function";
import { apiFunction, apiFunctionArguments } from "./api-function";
import { authorizerPermissionName } from "./args";
import { serverlessApiFunctions } from "./routes";
import type { ApiSnapshot } from "./snapshot";
import type { AuthorizerSpec, ServerlessApiSpec } from "./spec";

export interface AuthorizerResources {
  ids: Map<string, pulumi.Output<string>>;
  authorizers: aws.apigateway.Authorizer[];
  functions: Map<string, LambdaFunction>;
}

/**
 * The authorizer's name in API Gateway: its key and its kind. Switching a key between Cognito and a Lambda authorizer
 * replaces it (terraform-provider-aws internal/service/apigateway/authorizer.go `resourceAuthorizerCustomizeDiff`:
 * "switch type between COGNITO_USER_POOLS and TOKEN/REQUEST will create new resource"), create-first under the same
 * logical name, while the old one still holds its name. That authorizer names are unique per API is assumed for REST
 * APIs: the only source found is an HTTP API's (API Gateway v2) error, "Authorizer name must be unique. Authorizer …
 * already exists in this RestApi" (https://github.com/aws/aws-cdk/issues/20170); the design is safe either way. With the kind in the name the
 * new one gets another name, the methods move to it, and the old one is deleted at the end. The name is patched in
 * place (`/name`), so deployed authorizers keep their ids. TOKEN and REQUEST share one name: that switch is an update.
 */
export function authorizerAwsName(authorizer: Pick<AuthorizerSpec, "name" | "type">): string {
  return `${authorizer.name}-${authorizer.type === "cognito" ? "cognito" : "lambda"}`;
}

export function createAuthorizers(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, snapshot: ApiSnapshot, parent: pulumi.Resource): AuthorizerResources {
  const ids = new Map<string, pulumi.Output<string>>();
  const authorizers: aws.apigateway.Authorizer[] = [];
  const functions = new Map<string, LambdaFunction>();
  for (const a of spec.authorizers) {
    if (a.type === "cognito") {
      const authorizer = snapshot.authorizer(`${name}-authorizer-${a.name}`, { name: authorizerAwsName(a), type: "COGNITO_USER_POOLS", providerArns: a.userPoolArns, identitySource: a.identitySource });
      ids.set(a.name, authorizer.id);
      authorizers.push(authorizer);
      continue;
    }
    const fn = authorizerFunction(name, a, spec.region, parent);
    functions.set(a.functionName, fn);
    const authorizer = snapshot.authorizer(`${name}-authorizer-${a.name}`, {
      name: authorizerAwsName(a),
      type: a.type === "token" ? "TOKEN" : "REQUEST",
      authorizerUri: fn.invokeArn,
      identitySource: a.identitySource,
      authorizerResultTtlInSeconds: a.resultTtlSeconds,
    });
    new aws.lambda.Permission(
      authorizerPermissionName(name, a.name),
      {
        action: "lambda:InvokeFunction",
        function: fn.functionName,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${authorizer.id}`,
        region: spec.region,
      },
      { parent },
    );
    ids.set(a.name, authorizer.id);
    authorizers.push(authorizer);
  }
  return { ids, authorizers, functions };
}

/**
 * A Lambda authorizer's function; its refusals are named as ServerlessApi's `authorizers.<name>` arguments (it has no
 * `export`: its file exports `handler`). normalise keeps it outside any VPC.
 */
function authorizerFunction(apiName: string, a: Extract<ServerlessApiSpec["authorizers"][number], { type: "token" | "request" }>, region: ServerlessApiSpec["region"], parent: pulumi.Resource): LambdaFunction {
  return apiFunction(
    apiFunctionArguments(serverlessApiFunctions(apiName), `authorizers.${a.name}`, { exports: false }),
    { functionName: a.functionName, entry: a.entry, settings: a.function },
    { region },
    parent,
  );
}
