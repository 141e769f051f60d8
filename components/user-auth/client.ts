/**
 * The browser's app client: public (no secret), authorization code with PKCE,
 * refresh token rotation, callback and logout URLs, token lifetimes; and the OAuth resource servers whose
 * scopes it may request, created before it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgError } from "../errors";
import { callbackUrlProblem, redirectUrlCountProblem, redirectUrlFix, resourceServerSuffixes, type UserAuthSpec } from "./spec";

export function createClient(name: string, spec: UserAuthSpec, pool: aws.cognito.UserPool, parent: pulumi.Resource): { client: aws.cognito.UserPoolClient; resourceServers: aws.cognito.ResourceServer[] } {
  const client = spec.client;
  // Cognito takes a custom scope in AllowedOAuthScopes only once its resource server is in the pool
  // (ScopeDoesNotExistException otherwise), so the client waits for every server (validateScopes allows no other).
  // Like the groups, a server goes with the pool: kept with a kept pool, deleted when removed from the program alone.
  const suffixes = resourceServerSuffixes(client.resourceServers.map((server) => server.identifier));
  const resourceServers = client.resourceServers.map(
    (server) =>
      new aws.cognito.ResourceServer(
        `${name}-resource-server-${suffixes.get(server.identifier)}`,
        {
          userPoolId: pool.id,
          identifier: server.identifier,
          name: server.name,
          scopes: server.scopes.map((scope) => ({ scopeName: scope.name, scopeDescription: scope.description })),
          region: spec.region,
        },
        { parent, deletedWith: pool },
      ),
  );
  const appClient = new aws.cognito.UserPoolClient(
    `${name}-client`,
    {
      userPoolId: pool.id,
      // A browser cannot keep a secret; PKCE protects the code exchange instead.
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: client.oauthFlows,
      allowedOauthScopes: client.oauthScopes,
      supportedIdentityProviders: ["COGNITO"],
      callbackUrls: checkedUrls(name, "callbackUrls", client.callbackUrls),
      logoutUrls: checkedUrls(name, "logoutUrls", client.logoutUrls),
      explicitAuthFlows: client.explicitAuthFlows,
      // DISABLED states its grace period too: Cognito answers 0 for an omitted one, and the provider, which does not
      // mark the field Computed, then fails the update that turns rotation off ("retry_grace_period_seconds was null,
      // but now 0", hashicorp/terraform-provider-aws#45646 and #50027).
      refreshTokenRotation: client.refreshTokenRotation.enabled
        ? { feature: "ENABLED", retryGracePeriodSeconds: client.refreshTokenRotation.retryGracePeriodSeconds }
        : { feature: "DISABLED", retryGracePeriodSeconds: 0 },
      accessTokenValidity: client.accessTokenMinutes,
      idTokenValidity: client.idTokenMinutes,
      refreshTokenValidity: client.refreshTokenDays,
      tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
      enableTokenRevocation: true,
      preventUserExistenceErrors: "ENABLED",
      region: spec.region,
    },
    { parent, dependsOn: resourceServers },
  );
  return { client: appClient, resourceServers };
}

/** Plain strings were checked at construction; Outputs (e.g. `site.url`) are checked here once known, with the same message. */
function checkedUrls(name: string, argument: "callbackUrls" | "logoutUrls", urls: pulumi.Input<pulumi.Input<string>[]>): pulumi.Output<string[]> {
  return pulumi.output(urls).apply((resolved) => assertRedirectUrls(name, argument, resolved));
}

/** Throws the same message construction-time validation gives, for URLs only known at deploy time (and their count). */
export function assertRedirectUrls(name: string, argument: "callbackUrls" | "logoutUrls", urls: string[]): string[] {
  const tooMany = redirectUrlCountProblem(argument, urls.length);
  if (tooMany) throw new ComponentArgError("UserAuth", name, argument, tooMany.value, tooMany.problem, tooMany.fix);
  for (const url of urls) {
    const problem = callbackUrlProblem(url);
    if (problem) throw new ComponentArgError("UserAuth", name, argument, url, problem, redirectUrlFix(url));
  }
  return urls;
}
