/**
 * Authorizers routes choose by name: Cognito user pools (API Gateway verifies the
 * token itself) and Lambda TOKEN/REQUEST authorizers (our function verifies it, e.g.
 * handlers/api/authorizer.ts with aws-jwt-verify), each allowed to be invoked by this API only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaFunction } from "../lambda/function";
import type { ApiSnapshot } from "./snapshot";
import type { ServerlessApiSpec } from "./spec";

export interface AuthorizerResources {
  ids: Map<string, pulumi.Output<string>>;
  authorizers: aws.apigateway.Authorizer[];
  functions: Map<string, LambdaFunction>;
}

export function createAuthorizers(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, snapshot: ApiSnapshot, parent: pulumi.Resource): AuthorizerResources {
  const ids = new Map<string, pulumi.Output<string>>();
  const authorizers: aws.apigateway.Authorizer[] = [];
  const functions = new Map<string, LambdaFunction>();
  for (const a of spec.authorizers) {
    if (a.type === "cognito") {
      const authorizer = snapshot.authorizer(`${name}-authorizer-${a.name}`, { name: a.name, type: "COGNITO_USER_POOLS", providerArns: a.userPoolArns, identitySource: a.identitySource });
      ids.set(a.name, authorizer.id);
      authorizers.push(authorizer);
      continue;
    }
    const fn = new LambdaFunction(
      a.functionName,
      {
        entry: a.entry,
        memorySize: a.function.memorySize,
        timeout: a.function.timeout,
        environment: a.function.environment,
        permissions: a.function.permissions,
        secrets: a.function.secrets,
        logRetentionDays: a.function.logRetentionDays,
        bundle: a.function.bundle,
        region: spec.region,
      },
      { parent },
    );
    functions.set(a.functionName, fn);
    const authorizer = snapshot.authorizer(`${name}-authorizer-${a.name}`, {
      name: a.name,
      type: a.type === "token" ? "TOKEN" : "REQUEST",
      authorizerUri: fn.invokeArn,
      identitySource: a.identitySource,
      authorizerResultTtlInSeconds: a.resultTtlSeconds,
    });
    new aws.lambda.Permission(
      `${name}-authorizer-${a.name}-invoke`,
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
